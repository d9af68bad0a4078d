"""Progress bars for long loops that never end up in committed notebook outputs.

In JupyterLab a training loop of more than a few seconds shows a bar (a tqdm
widget in a notebook, text on a terminal). When the course's notebooks are
executed for their committed outputs or checked by nbval, ``WLOSS_PROGRESS=0``
is set (by the repository's root ``conftest.py`` for every pytest run, and by
``tools/execute_notebooks.py``), and the bars
are switched off, so outputs stay reproducible.
"""
from __future__ import annotations

import os
from typing import Iterable


def progress_enabled() -> bool:
    """False when the environment variable ``WLOSS_PROGRESS`` is ``0``, ``false`` or ``no``."""
    return os.environ.get("WLOSS_PROGRESS", "1").strip().lower() not in ("0", "false", "no")


def progress(iterable: Iterable, *, total: int | None = None, desc: str | None = None, leave: bool = False):
    """Wrap ``iterable`` in a tqdm bar, or return it unchanged when progress is disabled.

    Parameters
    ----------
    iterable : the loop to wrap
    total : its length, when ``len(iterable)`` does not know it
    desc : label shown before the bar
    leave : keep the finished bar on screen (default: it disappears)

    Examples
    --------
    >>> import os; os.environ["WLOSS_PROGRESS"] = "0"
    >>> progress(range(3)) == range(3)
    True
    """
    if not progress_enabled():
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, leave=leave)
