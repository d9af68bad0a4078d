"""The check helpers: what a student sees when an answer is wrong."""
import numpy as np
import pytest

from wloss.checks import CheckFailed, check_array, check_scalar, relative_error, task


def test_not_implemented_is_reported_as_not_done():
    with pytest.raises(CheckFailed, match="my_task: not done yet"):
        with task("my_task"):
            raise NotImplementedError()


def test_a_crash_in_student_code_names_the_exception():
    with pytest.raises(CheckFailed, match="your code raised ZeroDivisionError"):
        with task("my_task"):
            1 / 0


def test_none_means_a_forgotten_return():
    with pytest.raises(CheckFailed, match="forget `return`"):
        check_array("weights", None)
    with pytest.raises(CheckFailed, match="forget `return`"):
        check_scalar("threshold", None)


def test_wrong_shape_says_expected_and_got():
    with pytest.raises(CheckFailed, match=r"expected shape \(3,\), got \(1000,\)"):
        check_array("weights", np.zeros(1000), shape=(3,))


def test_non_finite_and_non_scalar_answers_are_rejected():
    with pytest.raises(CheckFailed, match="finite"):
        check_scalar("loss", float("nan"))
    with pytest.raises(CheckFailed, match="single number"):
        check_scalar("loss", [1.0, 2.0])


def test_right_answers_pass():
    assert check_array("w", np.array([1.0, 2.0]), shape=(2,)).shape == (2,)
    assert check_scalar("x", np.float32(3.0)) == 3.0


def test_relative_error_matches_its_definition():
    assert relative_error([1.1, 2.0], [1.0, 2.0]) == pytest.approx(0.1)
