"""Helpers for the tests that read and execute the course's notebooks."""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import make_exercises  # noqa: E402  (tools/ is not a package)


def notebooks(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))


def read(path: Path):
    return nbformat.read(path, as_version=4)


def execute_allowing_errors(nb, cwd: Path, timeout: int = 300):
    """Execute a copy of ``nb`` in ``cwd``, carrying on past failing cells; return the copy."""
    nb = copy.deepcopy(nb)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   record_timing=False, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def error_of(cell) -> dict | None:
    """The error output of an executed code cell, or None if it ran cleanly."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None
