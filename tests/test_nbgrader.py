"""nbgrader end to end: our solutions work as an nbgrader course's source notebooks.

For every set a throw-away course gets the solution in `source/`; `nbgrader generate_assignment`
must release a notebook equal in substance to our `exercises/`. For four sets (``HANDED_IN``) three
submissions built from the release are autograded: the solution's answers get every automatic point,
with each written answer waiting for a human; the untouched release gets nothing; and answers that
pass only the visible checks lose the points of the hidden tests, which nbgrader puts back into the
check cells when it grades. The feedback each student gets shows the hidden tests' verdicts but none
of their cases: those live in ``wloss_grading``, which the hidden-test cells only import.

The other sets are not handed in again: every solution runs under nbval with its hidden tests in place
(a check cell that does not raise is nbgrader's point), every exercise has every check cell fail as
shipped (tests/test_course_notebooks.py: the run that scores the untouched release 0), and each set's
visible-only answer is run against its visible and hidden checks in tests/test_checks_exNN.py.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from notebook_utils import ROOT, notebooks

NBGRADER = [sys.executable, "-m", "nbgrader"]
SOLUTIONS = notebooks("solutions")
#: For each handed-in set, a plausible answer that passes the visible checks but not the hidden tests: a text
#: replacement in the solution's answers. Exercise 00: counts without `minlength` drop the
#: classes after the largest label, which only the hidden cases contain.
VISIBLE_ONLY = {
    "00_start_here": ("np.bincount(y, minlength=num_classes)", "np.bincount(y)"),
    # a prediction changed after the experiment: the visible check sees only that it is well formed
    "01_imbalance": ('"s = 4": "above 0.8",', '"s = 4": "0.3 to 0.7",'),
    # the cost of a correct negative dropped; the hidden matrices have C[0, 0] != 0
    "04_thresholds_costs": ("cost[0, 1] - cost[0, 0]", "cost[0, 1] - 0.0"),
    "13_multi_label": ('"macro F1": "falls",           # its F1', '"macro F1": "stays",           # its F1'),
}
#: The sets whose release is handed in three times (solved, untouched, visible-only) and autograded: functions checked
#: on hidden cases (00, 04) and predictions compared with an experiment (01, 13).
HANDED_IN = sorted(VISIBLE_ONLY)


def run(args, cwd):
    # nbgrader calls the `alembic` command of its own environment.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(NBGRADER + args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


#: Bookkeeping nbgrader adds to the released cells' metadata.
NBGRADER_BOOKKEEPING = {"checksum", "cell_type"}


def substance(nb):
    """What a student sees and what grading uses: cell types, sources, nbgrader metadata."""
    def grading(cell):
        meta = cell.metadata.get("nbgrader")
        return None if meta is None else {k: v for k, v in meta.items() if k not in NBGRADER_BOOKKEEPING}
    return [(c.cell_type, c.source.strip(), grading(c)) for c in nb.cells]


def make_course(root: Path, name: str) -> Path:
    """A throw-away nbgrader course in ``root`` with the solution of set ``name`` released."""
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\nc.CourseDirectory.course_id = 'wloss'\n")
    assignment = root / "source" / name
    assignment.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / f"{name}.ipynb", assignment / f"{name}.ipynb")
    run(["generate_assignment", name, "--force"], cwd=root)
    return root


def grades(course, assignment, student):
    """(automatic score, automatic maximum, written grades) of a submission in the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        all_grades = [g for nb in submission.notebooks for g in nb.grades]
        automatic = [g for g in all_grades if g.cell_type == "code"]
        written = [(g.name, g.needs_manual_grade, g.score, g.max_score)
                   for g in all_grades if g.cell_type == "markdown"]
        return sum(g.score for g in automatic), sum(g.max_score for g in automatic), written


def points_of(path: Path) -> int:
    """The automatic points of a source notebook: one per check cell."""
    nb = nbformat.read(path, as_version=4)
    return sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in nb.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"))


def submit(course, name, student, replace=None):
    """Hand in the release of `name` with the solution's answers filled in (optionally edited)."""
    released = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    markers = ("### BEGIN SOLUTION", "### END SOLUTION")
    answers = {c.metadata["nbgrader"]["grade_id"]: "\n".join(
        line for line in c.source.split("\n") if line.strip() not in markers)
        for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    if replace:
        assert any(replace[0] in answer for answer in answers.values()), f"{replace[0]!r} not in the answers"
    for cell in released.cells:
        meta = cell.metadata.get("nbgrader", {})
        if student != "unsolved" and meta.get("solution"):
            cell.source = answers[meta["grade_id"]].replace(*replace) if replace else answers[meta["grade_id"]]
    target = course / "submitted" / student / name
    target.mkdir(parents=True)
    nbformat.write(released, target / f"{name}.ipynb")


def test_every_other_set_runs_its_visible_only_answer_against_its_checks():
    """The sets not handed in test an answer that passes only the visible checks in their own check tests."""
    missing = []
    for path in SOLUTIONS:
        number = path.stem[:2]
        tests = (ROOT / "tests" / f"test_checks_ex{number}.py").read_text()
        if path.stem not in HANDED_IN and not re.search(r"def test_\w*visible_only\w*\(", tests):
            missing.append(path.stem)
    assert not missing, f"no test of a visible-only answer for {missing}"


@pytest.mark.parametrize("name", [p.stem for p in SOLUTIONS if p.stem not in HANDED_IN])
def test_release_equals_our_exercise(tmp_path, name):
    course = make_course(tmp_path, name)
    released = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    assert substance(released) == substance(nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4))


@pytest.mark.parametrize("name", HANDED_IN)
def test_release_equals_our_exercise_and_autograde_scores_solution_full_release_zero_visible_only_less(tmp_path, name):
    course = make_course(tmp_path, name)
    released = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    assert substance(released) == substance(nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4))
    students = ["solved", "unsolved", "visible_only"]
    for student in students:
        submit(course, name, student, VISIBLE_ONLY[name] if student == "visible_only" else None)
    run(["autograde", name, "--create", "--force"], cwd=course)
    run(["generate_feedback", name, "--force"], cwd=course)

    maximum = points_of(course / "source" / name / f"{name}.ipynb")
    solved, graded_maximum, written = grades(course, name, "solved")
    assert graded_maximum == maximum and solved == maximum, f"the solution scored {solved}/{maximum} points"
    assert all(needs_manual and max_score > 0 for _, needs_manual, _, max_score in written), (
        f"a written answer of the solution is not waiting for manual grading: {written}")
    unsolved, _, unsolved_written = grades(course, name, "unsolved")
    assert unsolved == 0 and all(score == 0 for _, _, score, _ in unsolved_written), "the unsolved release scored"
    visible_only, _, _ = grades(course, name, "visible_only")
    assert 0 < visible_only < maximum, (
        f"answers that pass only the visible checks scored {visible_only}/{maximum}: the hidden tests "
        "were not run, or caught nothing")
    for student in students:
        feedback = (course / "feedback" / student / name / f"{name}.html").read_text()
        assert "hidden cases too" in feedback or student != "solved", "the hidden tests' verdicts are missing"
        assert "wloss_grading" in feedback and not re.search(r"HIDDEN_CASES|wloss_grading/", feedback), (
            f"the feedback of {student!r} shows more of the hidden tests than the import of wloss_grading")
