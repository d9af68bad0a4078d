"""The course's notebooks: exercises up to date, checks that can fail, structure and links.

nbval (run by `make test` over lectures/ and solutions/) re-executes every
lecture and solution and so proves every solution's checks pass; the tests
here prove the other half: every check fails on the exercise as shipped,
and on a solution whose answers were replaced by `pass`.
"""
import re
from pathlib import Path

import pytest

from notebook_utils import ROOT, error_of, execute_allowing_errors, make_exercises, notebooks, read

SOLUTIONS = notebooks("solutions")
LECTURES = notebooks("lectures")
ids = [p.stem for p in SOLUTIONS]


def test_every_solution_has_its_exercise_and_lecture():
    assert SOLUTIONS, "no solution notebooks found"
    for path in SOLUTIONS:
        assert (ROOT / "exercises" / path.name).exists(), f"exercises/{path.name} missing: run `make exercises`"
        assert (ROOT / "lectures" / path.name).exists(), f"lectures/{path.name} missing for solutions/{path.name}"
    extra = {p.name for p in notebooks("exercises")} - {p.name for p in SOLUTIONS}
    assert not extra, f"exercises without a solution: {sorted(extra)}"


def test_exercises_are_up_to_date():
    assert make_exercises.main(["--check"]) == 0, "exercises/ is stale: run `make exercises` and commit"


def check_cells(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if make_exercises.is_check_cell(c)]


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_solution_has_tasks_each_followed_by_a_check(path):
    nb = read(path)
    tasks = [i for i, c in enumerate(nb.cells) if make_exercises.is_solution_cell(c) and c.cell_type == "code"]
    checks = [i for i, _ in check_cells(nb)]
    assert len(tasks) >= 3 and len(checks) >= 3, f"{path.name}: {len(tasks)} tasks, {len(checks)} checks"
    for task in tasks:
        following = [c for c in checks if c > task]
        assert following, f"{path.name}: task in cell {task} has no check cell after it"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_solution_checks_passed_in_committed_outputs(path):
    for index, cell in check_cells(read(path)):
        assert cell.execution_count is not None, f"{path.name} cell {index}: check never run"
        assert error_of(cell) is None, f"{path.name} cell {index}: committed check output is an error"
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        assert "\u2714" in text, f"{path.name} cell {index}: a passing check prints a line starting with \u2714"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_every_task_says_its_kind(path):
    nb = read(path)
    untagged = [i for i, c in enumerate(nb.cells)
                if make_exercises.is_solution_cell(c) and make_exercises.task_kind(c) is None]
    assert not untagged, (f"{path.name}: solution cells {untagged} need exactly one kind tag "
                          f"of {make_exercises.TASK_KINDS}")
    for index, cell in enumerate(nb.cells):
        kind = make_exercises.task_kind(cell)
        if kind == "written":
            assert cell.cell_type == "markdown", f"{path.name} cell {index}: a written answer is a markdown cell"
            assert "rubric" in cell.source.lower(), f"{path.name} cell {index}: a written answer needs its rubric"


@pytest.mark.parametrize("path", [p for p in SOLUTIONS if not p.name.startswith("00_")], ids=lambda p: p.stem)
def test_every_exercise_set_has_the_four_kinds_of_task(path):
    kinds = [make_exercises.task_kind(c) for c in read(path).cells if make_exercises.is_solution_cell(c)]
    missing = {"derive", "predict", "debug", "written"} - set(kinds)
    assert not missing, f"{path.name}: no task of kind {sorted(missing)}"
    assert kinds.count("derive") <= len(kinds) / 2, (
        f"{path.name}: {kinds.count('derive')} of {len(kinds)} tasks are 'implement this function'; "
        "at most half may be")


def assert_every_check_fails(nb, name, how):
    """Every check cell must fail with the check's own CheckFailed: a NameError or a crash of the check would
    mean the student never sees its message."""
    executed = execute_allowing_errors(nb, ROOT / "exercises")
    errors = {i: error_of(c) for i, c in check_cells(executed)}
    silent = [i for i, error in errors.items() if error is None]
    assert not silent, f"{name} ({how}): check cells {silent} passed although no task was solved"
    other = {i: f"{error['ename']}: {error['evalue'][:80]}" for i, error in errors.items()
             if error["ename"] != "CheckFailed"}
    assert not other, f"{name} ({how}): check cells fail without a check's message: {other}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_every_check_fails_on_the_exercise_as_shipped(path):
    assert_every_check_fails(read(ROOT / "exercises" / path.name), path.name, "as shipped")


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_every_check_fails_when_answers_are_replaced_by_pass(path):
    nb = read(path)
    for cell in nb.cells:
        if make_exercises.is_solution_cell(cell) and cell.cell_type == "code":
            cell.source = make_exercises.replace_regions(
                cell.source, make_exercises.BEGIN_SOLUTION, make_exercises.END_SOLUTION, "pass")
    assert_every_check_fails(nb, path.name, "answers replaced by pass")


LINK = re.compile(r"\]\(([^)\s]+\.ipynb)(#[^)]*)?\)")


@pytest.mark.parametrize("path", LECTURES + SOLUTIONS + notebooks("exercises"),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_navigation_links_resolve(path):
    nb = read(path)
    links = [m.group(1) for c in nb.cells if c.cell_type == "markdown" for m in LINK.finditer(c.source)]
    assert links, f"{path.name}: no navigation links"
    broken = [link for link in links if not (path.parent / link).resolve().exists()]
    assert not broken, f"{path.parent.name}/{path.name}: broken links {broken}"


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_lecture_structure(path):
    nb = read(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    for heading in ("learning goals", "summary"):
        assert heading in markdown, f"{path.name}: no '{heading}' section"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and "setup_notebook" in code[0].source, f"{path.name}: first code cell must call setup_notebook"
    if not path.name.startswith("00_"):
        assert "references" in markdown, f"{path.name}: no references"
        figures = sum(1 for c in code for o in c.outputs if "image/png" in o.get("data", {}))
        assert figures >= 2, f"{path.name}: {figures} figures, expected at least 2"


@pytest.mark.parametrize("path", LECTURES + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_committed_outputs_are_clean(path):
    nb = read(path)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        assert cell.execution_count is not None, f"{path.name} cell {index}: no committed output (run `make execute`)"
        for output in cell.outputs:
            text = output.get("text", "") + output.get("data", {}).get("text/plain", "")
            assert not re.search(r"at 0x[0-9a-f]{6,}", text), f"{path.name} cell {index}: memory address in output"
