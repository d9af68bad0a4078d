"""Generate ``exercises/`` from ``solutions/``, the single source of every exercise.

For each ``solutions/NN_slug.ipynb`` this script

1. stamps nbgrader cell metadata into the solution (solution cells: those
   holding ``### BEGIN SOLUTION``; a markdown solution cell is a written
   answer, graded by hand; check cells: those tagged ``check``), so the
   notebook works as an nbgrader ``source/`` notebook with its default
   ``enforce_metadata``;
2. writes ``exercises/NN_slug.ipynb``: solution regions become
   ``raise NotImplementedError()`` (code) or ``YOUR ANSWER HERE`` (markdown),
   hidden-test regions are removed, outputs and execution counts are cleared
   - exactly what nbgrader's ``generate_assignment`` does with the same
   notebook. The nbgrader metadata is kept, so
   instructors can autograde the exercise directly.

Usage::

    python tools/make_exercises.py            # regenerate everything
    python tools/make_exercises.py --check    # exit 1 if exercises/ is stale
    python tools/make_exercises.py solutions/03_class_weights.ipynb   # just this one
"""
from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CHECK_TAG = "check"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
#: Every solution cell carries one of these tags, the kind of task it is.
TASK_KINDS = ("derive", "predict", "debug", "written", "open")
#: A written answer (graded by hand) carries its rubric in the solution's answer cell, which names its points:
#: "Rubric (2 points): ...". nbgrader gets the same number.
RUBRIC_POINTS = re.compile(r"Rubric \((\d+) points?\)")
MARKDOWN_STUB = "YOUR ANSWER HERE"


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def is_solution_cell(cell) -> bool:
    return BEGIN_SOLUTION in cell.source


def is_check_cell(cell) -> bool:
    return CHECK_TAG in tags(cell)


def task_kind(cell) -> str | None:
    """The kind of task a solution cell holds (its tag from TASK_KINDS), or None."""
    kinds = [t for t in tags(cell) if t in TASK_KINDS]
    return kinds[0] if len(kinds) == 1 else None


def rubric_points(cell, index: int) -> int:
    """The points a written answer's rubric gives ("Rubric (2 points): ..."), which nbgrader's metadata repeats."""
    found = RUBRIC_POINTS.findall(cell.source)
    if len(found) != 1:
        raise ValueError(f"cell {index}: a written answer needs one 'Rubric (N points): ...' in its solution, "
                         f"found {len(found)}")
    return int(found[0])


def nbgrader_metadata(cell, index: int, counters: dict) -> dict | None:
    """The nbgrader metadata this cell should carry, or None for an ordinary cell."""
    if is_solution_cell(cell) and is_check_cell(cell):
        raise ValueError(f"cell {index} both holds a solution and is tagged '{CHECK_TAG}': split it")
    if is_solution_cell(cell) and cell.cell_type == "markdown":
        counters["written"] += 1
        return {"schema_version": 3, "solution": True, "grade": True, "locked": False,
                "points": rubric_points(cell, index), "grade_id": f"written-{counters['written']}"}
    if is_solution_cell(cell):
        counters["task"] += 1
        return {"schema_version": 3, "solution": True, "grade": False, "locked": False,
                "grade_id": f"task-{counters['task']}"}
    if is_check_cell(cell):
        counters["check"] += 1
        return {"schema_version": 3, "solution": False, "grade": True, "locked": True,
                "points": 1, "grade_id": f"check-{counters['check']}"}
    return None


def stamp_metadata(nb) -> bool:
    """Give solution and check cells their nbgrader metadata; return True if anything changed."""
    counters = {"task": 0, "check": 0, "written": 0}
    changed = False
    for index, cell in enumerate(nb.cells):
        wanted = nbgrader_metadata(cell, index, counters)
        current = cell.metadata.get("nbgrader")
        if wanted is None and current is not None:
            del cell.metadata["nbgrader"]
            changed = True
        elif wanted is not None and current != wanted:
            cell.metadata["nbgrader"] = wanted
            changed = True
    return changed


def replace_regions(source: str, begin: str, end: str, replacement: str | None) -> str:
    """Replace every ``begin ... end`` region (marker lines included).

    ``replacement`` is indented like the ``begin`` line; ``None`` removes the
    region. An unterminated region is an error, not a silent truncation.
    """
    lines = source.split("\n")
    out: list[str] = []
    inside = False
    for number, line in enumerate(lines, 1):
        if line.strip() == begin:
            if inside:
                raise ValueError(f"line {number}: '{begin}' inside another region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            if replacement is not None:
                out.extend(indent + r for r in replacement.split("\n"))
        elif line.strip() == end:
            if not inside:
                raise ValueError(f"line {number}: '{end}' without '{begin}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"'{begin}' is never closed by '{end}'")
    return "\n".join(out)


def make_exercise(solution) -> nbformat.NotebookNode:
    """The exercise notebook generated from a (stamped) solution notebook."""
    exercise = copy.deepcopy(solution)
    cells = []
    for cell in exercise.cells:
        stub = CODE_STUB if cell.cell_type == "code" else MARKDOWN_STUB
        cell.source = replace_regions(cell.source, BEGIN_SOLUTION, END_SOLUTION, stub)
        cell.source = replace_regions(cell.source, BEGIN_HIDDEN, END_HIDDEN, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        cells.append(cell)
    exercise.cells = cells
    return exercise


def exercise_path(solution_path: Path) -> Path:
    return solution_path.parent.parent / "exercises" / solution_path.name


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a solution lacks its metadata or an exercise is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help="course root (default: this repository)")
    parser.add_argument("solutions", nargs="*", type=Path,
                        help="solution notebooks to process (default: all of solutions/)")
    args = parser.parse_args(argv)
    solution_paths = [p.resolve() for p in args.solutions] or sorted(
        (args.root / "solutions").glob("[0-9][0-9]_*.ipynb"))
    stale = []
    for solution_path in solution_paths:
        solution = nbformat.read(solution_path, as_version=4)
        if stamp_metadata(solution):
            stale.append(f"{solution_path.name} (nbgrader metadata)")
            if not args.check:
                solution_path.write_text(render(solution))
        target = exercise_path(solution_path)
        wanted = render(make_exercise(solution))
        if not target.exists() or target.read_text() != wanted:
            stale.append(f"exercises/{target.name}")
            if not args.check:
                target.parent.mkdir(exist_ok=True)
                target.write_text(wanted)
    if args.check and stale:
        print("Out of date - run `make exercises`:\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    for item in stale:
        print(f"wrote {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
