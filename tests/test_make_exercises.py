"""Unit tests of tools/make_exercises.py on small notebooks built here."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from notebook_utils import make_exercises


def solution_notebook():
    task = new_code_cell(
        "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
        execution_count=1)
    check = new_code_cell("assert add(1, 2) == 3\n### BEGIN HIDDEN TESTS\nassert add(0, 0) == 0\n### END HIDDEN TESTS",
                          execution_count=2, metadata={"tags": ["check"]},
                          outputs=[new_output("stream", name="stdout", text="ok\n")])
    answer = new_markdown_cell("Why?\n\n### BEGIN SOLUTION\nBecause. Rubric (2 points): 2 for because.\n### END SOLUTION")
    intro = new_markdown_cell("Add two numbers.")
    return new_notebook(cells=[intro, task, check, answer])


def test_solution_regions_become_stubs_with_indentation():
    nb = solution_notebook()
    make_exercises.stamp_metadata(nb)
    exercise = make_exercises.make_exercise(nb)
    assert exercise.cells[1].source == "def add(a, b):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert exercise.cells[3].source == "Why?\n\nYOUR ANSWER HERE"


def test_hidden_tests_are_removed():
    exercise = make_exercises.make_exercise(solution_notebook())
    assert "HIDDEN" not in exercise.cells[2].source and "add(0, 0)" not in exercise.cells[2].source


def test_outputs_and_execution_counts_are_cleared():
    exercise = make_exercises.make_exercise(solution_notebook())
    code = [c for c in exercise.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)


def test_nbgrader_metadata_is_stamped_with_unique_ids():
    nb = solution_notebook()
    assert make_exercises.stamp_metadata(nb) is True
    task_meta, check_meta, answer_meta = (nb.cells[i].metadata["nbgrader"] for i in (1, 2, 3))
    assert task_meta == {"schema_version": 3, "solution": True, "grade": False, "locked": False,
                         "grade_id": "task-1"}
    assert check_meta == {"schema_version": 3, "solution": False, "grade": True, "locked": True,
                          "points": 1, "grade_id": "check-1"}
    assert answer_meta["grade_id"] == "written-1" and answer_meta["grade"] is True  # graded by hand
    assert "nbgrader" not in nb.cells[0].metadata
    assert make_exercises.stamp_metadata(nb) is False  # idempotent


def test_exercise_keeps_nbgrader_metadata():
    nb = solution_notebook()
    make_exercises.stamp_metadata(nb)
    exercise = make_exercises.make_exercise(nb)
    assert exercise.cells[2].metadata["nbgrader"]["grade_id"] == "check-1"


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_malformed_markers_are_errors(source, message):
    nb = new_notebook(cells=[new_code_cell(source)])
    with pytest.raises(ValueError, match=message):
        make_exercises.make_exercise(nb)


def test_a_cell_cannot_be_both_task_and_check():
    nb = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION",
                                           metadata={"tags": ["check"]})])
    with pytest.raises(ValueError, match="split it"):
        make_exercises.stamp_metadata(nb)


def test_check_mode_reports_a_stale_exercise(tmp_path):
    (tmp_path / "solutions").mkdir()
    nbformat.write(solution_notebook(), tmp_path / "solutions" / "01_demo.ipynb")
    assert make_exercises.main(["--root", str(tmp_path), "--check"]) == 1
    assert make_exercises.main(["--root", str(tmp_path)]) == 0
    assert make_exercises.main(["--root", str(tmp_path), "--check"]) == 0
    solution_path = tmp_path / "solutions" / "01_demo.ipynb"
    solution_path.write_text(solution_path.read_text().replace("return a + b", "return b + a"))
    assert make_exercises.main(["--root", str(tmp_path), "--check"]) == 0  # only the hidden answer changed
    solution_path.write_text(solution_path.read_text().replace("assert add(1, 2) == 3", "assert add(2, 2) == 4"))
    assert make_exercises.main(["--root", str(tmp_path), "--check"]) == 1


def test_a_written_answer_without_a_rubric_naming_its_points_is_refused():
    answer = new_markdown_cell("Explain.\n### BEGIN SOLUTION\nModel answer.\n### END SOLUTION")
    with pytest.raises(ValueError, match="Rubric"):
        make_exercises.stamp_metadata(new_notebook(cells=[answer]))


def test_a_written_answer_is_graded_by_hand_and_its_rubric_is_not_released():
    answer = new_markdown_cell("Explain.\n### BEGIN SOLUTION\nModel answer. Rubric (3 points): 1 point for ...\n"
                               "### END SOLUTION", metadata={"tags": ["written"]})
    nb = new_notebook(cells=[answer])
    make_exercises.stamp_metadata(nb)
    assert nb.cells[0].metadata["nbgrader"] == {"schema_version": 3, "solution": True, "grade": True,
                                                "locked": False, "points": 3, "grade_id": "written-1"}
    released = make_exercises.make_exercise(nb).cells[0].source
    assert released == "Explain.\n" + make_exercises.MARKDOWN_STUB
    assert make_exercises.task_kind(nb.cells[0]) == "written"
