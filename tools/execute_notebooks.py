"""Re-execute course notebooks in place, the way their committed outputs were made.

Usage::

    python tools/execute_notebooks.py lectures/01_imbalance.ipynb solutions/01_imbalance.ipynb
    python tools/execute_notebooks.py            # every lecture and solution

Each notebook runs in its own folder with the ``python3`` kernel of the
course's environment, so relative paths and imports behave as in JupyterLab
and under nbval. A cell that raises stops the run unless it is tagged
``raises-exception`` (the tag nbval, nbclient and JupyterLab's "Run All" all
honour; prefer it to nbval's ``# NBVAL_RAISES_EXCEPTION`` comment).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path, timeout: int = 600) -> float:
    """Execute ``path`` in place; return the seconds it took.

    Progress bars are switched off (``WLOSS_PROGRESS=0``) and claims are strict
    (``WLOSS_CLAIMS=strict``), as under nbval: a claim that does not hold stops the run.
    """
    os.environ["WLOSS_PROGRESS"] = "0"  # inherited by the kernel
    os.environ["WLOSS_CLAIMS"] = "strict"
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    path.write_text(nbformat.writes(nb) + "\n")
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(
        p for d in ("lectures", "solutions") for p in (ROOT / d).glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path}: {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
