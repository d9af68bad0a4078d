"""What a failed check shows the student in a notebook: the message, not a traceback through the checker."""
import nbformat
import pytest
from nbclient import NotebookClient

SETUP = "from wloss.checks import check_scalar, fail, task\n"
DONE_NOT_YET = """\
def mean_loss(losses):
    raise NotImplementedError()

with task("mean_loss"):
    answer = mean_loss([1.0, 2.0])
"""
CRASHES = """\
def mean_loss(losses):
    return sum(losses) / len(losses[0])

with task("mean_loss"):
    answer = mean_loss([1.0, 2.0])
"""
WRONG = """\
with task("mean_loss"):
    answer = sum([1.0, 2.0])
if answer != 1.5:
    fail("mean_loss (two losses): the result grows with the number of examples - is it an average?")
"""


def run_cell(tmp_path, source):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(source)])
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert len(errors) == 1
    return errors[0]


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("display")
    return {name: run_cell(tmp, source) for name, source in
            [("not done", DONE_NOT_YET), ("crash", CRASHES), ("wrong", WRONG)]}


def test_an_unsolved_task_shows_one_line(shown):
    error = shown["not done"]
    assert error.ename == "CheckFailed"
    assert error.traceback == ["\u2718 Check failed: mean_loss: not done yet - replace `raise NotImplementedError()` "
                               "with your code."]


def test_a_wrong_answer_shows_the_message_and_no_checker_frames(shown):
    text = "\n".join(shown["wrong"].traceback)
    assert text.startswith("\u2718 Check failed: mean_loss (two losses)")
    assert "wloss" not in text and "contextlib" not in text and "Traceback" not in text


def test_a_crash_in_the_students_code_shows_the_students_frames_only(shown):
    lines = shown["crash"].traceback
    text = "\n".join(lines)
    assert lines[0].startswith("\u2718 Check failed: mean_loss: your code raised TypeError")
    assert "Where your code raised it:" in text
    assert "return sum(losses) / len(losses[0])" in text       # the student's line
    assert "checks/__init__.py" not in text and "contextlib" not in text
    assert lines[-1].startswith("TypeError: ")
