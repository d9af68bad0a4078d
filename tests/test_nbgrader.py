"""nbgrader end to end: our solutions work as an nbgrader course's source notebooks.

A throw-away course gets every solution in `source/`; `nbgrader generate_assignment`
must release notebooks equal in substance to our `exercises/`. Then a
solution is autograded (full marks) and its unsolved release too (zero).
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from notebook_utils import ROOT, notebooks

NBGRADER = [sys.executable, "-m", "nbgrader"]
SOLUTIONS = notebooks("solutions")
#: Autograding executes the notebook twice; these keep the test quick while covering
#: a tiny exercise and a training one.
AUTOGRADED = ["00_start_here"]


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


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbgrader_course")
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\nc.CourseDirectory.course_id = 'wloss'\n")
    for path in SOLUTIONS:
        assignment = root / "source" / path.stem
        assignment.mkdir(parents=True)
        shutil.copy(path, assignment / path.name)
        run(["generate_assignment", path.stem, "--force"], cwd=root)
    return root


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_released_notebook_matches_our_exercise(course, path):
    released = nbformat.read(course / "release" / path.stem / path.name, as_version=4)
    ours = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
    assert substance(released) == substance(ours)


def score(course, assignment, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return submission.score, submission.max_score


@pytest.mark.parametrize("name", AUTOGRADED)
def test_autograde_gives_full_marks_to_the_solution_and_zero_to_the_release(course, name):
    for student, source in (("solved", course / "source"), ("unsolved", course / "release")):
        target = course / "submitted" / student / name
        target.mkdir(parents=True)
        shutil.copy(source / name / f"{name}.ipynb", target)
    run(["autograde", name, "--create", "--force"], cwd=course)
    solved, maximum = score(course, name, "solved")
    assert maximum >= 3 and solved == maximum, f"solution scored {solved}/{maximum}"
    assert score(course, name, "unsolved") == (0.0, maximum)
