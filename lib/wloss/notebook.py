"""One-line set-up that every course notebook runs first, and the claim helper.

``setup_notebook(seed)`` makes a notebook's outputs reproducible under nbval:
it seeds Python, NumPy and PyTorch, pins PyTorch to one thread (so float
results do not depend on how many cores the machine has), fixes print
precision, and applies the course's figure style.

``claim(holds, statement)`` prints a tick when a claim the text makes about a
run holds, and a friendly note (not a traceback) when a student's settings
break it.
"""
from __future__ import annotations

import random

import numpy as np


def setup_notebook(seed: int = 0) -> np.random.Generator:
    """Seed everything, pin threads, set print options and figure style.

    Parameters
    ----------
    seed : int
        Seed for ``random``, ``numpy`` and ``torch``.

    Returns
    -------
    numpy.random.Generator
        A generator seeded with ``seed``, for the notebook's own draws.

    Examples
    --------
    >>> rng = setup_notebook(0)
    >>> float(rng.random()) == float(np.random.default_rng(0).random())
    True
    """
    import torch

    from wloss.plotting import use_course_style

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    np.set_printoptions(precision=4, suppress=True)
    torch.set_printoptions(precision=4, sci_mode=False)
    use_course_style()
    return np.random.default_rng(seed)


def claim(holds, statement: str, *, why_it_may_fail: str = "") -> None:
    """Print whether a claim the lecture text makes about this run holds.

    Lectures make claims that depend on a run ("re-weighting raises the
    minority's recall above 0.8"). A bare ``assert`` turns a student's changed
    seed or weight into a traceback that reads like a bug; ``claim`` prints a
    line instead, and nbval still notices any drift because the line changes.

    Parameters
    ----------
    holds : bool
        Whether the claim holds in this run (anything ``bool()`` accepts,
        e.g. a NumPy bool).
    statement : str
        The claim in the words of the text, with the run's numbers in it,
        e.g. ``f"recall rises from {r0:.2f} to {r1:.2f}"``.
    why_it_may_fail : str, optional
        What a student may have changed that breaks the claim ("a different
        seed or fewer epochs"). Shown only when the claim does not hold.

    It returns nothing, so a claim on a cell's last line shows only its line
    (nbval runs cells without output history, where a trailing ``;`` would
    not hide a returned value).

    Examples
    --------
    >>> claim(0.91 > 0.8, "recall is above 0.8 (0.91)")
    ✔ recall is above 0.8 (0.91)
    >>> claim(0.42 > 0.8, "recall is above 0.8 (0.42)", why_it_may_fail="fewer epochs")
    ℹ With your settings this no longer holds: recall is above 0.8 (0.42).
      This is expected when you change fewer epochs; the text describes the run with the notebook's default settings.
    """
    if bool(holds):
        print(f"\u2714 {statement}")
        return
    reason = why_it_may_fail or "a number, seed or setting of this notebook"
    print(f"\u2139 With your settings this no longer holds: {statement}.\n"
          f"  This is expected when you change {reason}; the text describes the run with the "
          "notebook's default settings.")
