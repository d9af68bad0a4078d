"""The students' copy of the course (tools/make_handout.py) holds no answer: no solutions, no hidden tests,
no checks' tests, and no hidden case left in the checks a student installs."""
import ast
import re
import sys
from pathlib import Path

import pytest

from notebook_utils import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from make_handout import INSTRUCTOR_ONLY, make_handout  # noqa: E402

CHECK_MODULES = sorted((ROOT / "lib" / "wloss" / "checks").glob("ex*.py"))


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    dest = tmp_path_factory.mktemp("handout") / "course"
    make_handout(dest)
    return dest


def test_the_handout_has_the_course_and_none_of_the_instructors_files(handout):
    for needed in ("lectures", "exercises", "lib/wloss/checks", "Makefile", "README.md", "environment.yml"):
        assert (handout / needed).exists(), needed
    assert sorted(p.name for p in (handout / "exercises").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "solutions").glob("*.ipynb"))
    for left_out in INSTRUCTOR_ONLY:
        assert not (handout / left_out).exists(), left_out


def test_no_notebook_or_library_file_of_the_handout_holds_a_solution_or_calls_the_hidden_part(handout):
    leaks = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)|(from|import) wloss_grading")
    files = [*handout.rglob("*.ipynb"), *(handout / "lib").rglob("*.py")]
    assert len(files) > 40
    assert [str(p.relative_to(handout)) for p in files if leaks.search(p.read_text())] == []


def test_the_handout_refuses_to_overwrite(tmp_path):
    with pytest.raises(FileExistsError):
        make_handout(tmp_path)


@pytest.mark.parametrize("module", CHECK_MODULES, ids=[m.stem for m in CHECK_MODULES])
def test_the_checks_a_student_installs_have_no_hidden_part(module):
    """No check takes ``hidden=``: the hidden cases and what they compare with live in wloss_grading."""
    tree = ast.parse(module.read_text())
    with_hidden = [f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
                   and "hidden" in [a.arg for a in f.args.args + f.args.kwonlyargs]]
    assert with_hidden == [], f"{module.stem}: {with_hidden} still take hidden="
    assert (ROOT / "lib" / "wloss_grading" / module.name).exists(), f"wloss_grading.{module.stem} is missing"
