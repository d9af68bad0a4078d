"""wloss.notebook: the set-up every notebook runs and the claim helpers lectures use."""
import doctest
import os

import numpy as np
import pytest

import wloss.notebook
from wloss.notebook import ClaimFailed, claim, claim_agree


@pytest.fixture
def as_a_student(monkeypatch):
    """A notebook opened in JupyterLab: claims are not strict."""
    monkeypatch.delenv(wloss.notebook.STRICT_VARIABLE, raising=False)


@pytest.fixture
def under_test(monkeypatch):
    monkeypatch.setenv(wloss.notebook.STRICT_VARIABLE, "strict")


def test_every_pytest_run_makes_claims_strict():
    # the root conftest.py sets it, so nbval's kernels inherit it
    assert os.environ.get(wloss.notebook.STRICT_VARIABLE) == "strict"


def test_docstring_examples(restore_global_state, as_a_student):
    result = doctest.testmod(wloss.notebook)
    assert result.attempted > 0 and result.failed == 0


def test_claim_that_holds_prints_a_tick_and_returns_nothing(capsys, under_test):
    assert claim(np.float64(0.9) > 0.8, "recall is 0.90") is None
    assert capsys.readouterr().out == "\u2714 recall is 0.90\n"


def test_claim_that_fails_prints_a_note_not_an_error(capsys, as_a_student):
    assert claim(np.bool_(False), "recall is 0.90", why_it_may_fail="the number of epochs") is None
    out = capsys.readouterr().out
    assert "\u2714" not in out
    assert "no longer holds: recall is 0.90" in out and "the number of epochs" in out


def test_claim_without_a_reason_still_explains(capsys, as_a_student):
    claim(False, "the curve rises")
    assert "default settings" in capsys.readouterr().out


def test_a_failed_claim_under_test_prints_its_note_and_raises(capsys, under_test):
    with pytest.raises(ClaimFailed, match="the curve rises"):
        claim(False, "the curve rises")
    assert "no longer holds: the curve rises" in capsys.readouterr().out


@pytest.mark.parametrize("error", [0.0, 1.4e-17, 2.7e-16, 9.9e-13])
def test_agreement_prints_the_tolerance_whatever_the_rounding_noise(capsys, under_test, error):
    claim_agree(error, 1e-12, "the two forms")
    assert capsys.readouterr().out == "\u2714 the two forms agree to 1e-12\n"


@pytest.mark.parametrize("error", [2e-12, 0.5, float("nan"), float("inf")])
def test_disagreement_shows_the_error_and_fails_under_test(capsys, under_test, error):
    with pytest.raises(ClaimFailed):
        claim_agree(error, 1e-12, "the two forms")
    out = capsys.readouterr().out
    assert "no longer holds: the two forms agree to 1e-12 (error" in out


@pytest.mark.parametrize("tolerance, text", [(1e-12, "1e-12"), (1e-6, "1e-6"), (5e-6, "5e-6"), (1e-4, "1e-4"), (0.001, "0.001"), (0.01, "0.01"),
                                             (1, "1")])
def test_tolerances_read_as_one_writes_them(capsys, under_test, tolerance, text):
    claim_agree(0.0, tolerance, "a and b")
    assert capsys.readouterr().out == f"\u2714 a and b agree to {text}\n"


@pytest.mark.parametrize("tolerance", [0, -1e-6, float("nan"), "1e-6", None])
def test_a_tolerance_that_is_not_a_positive_number_is_refused(tolerance):
    with pytest.raises(ValueError, match="tolerance must be a finite number > 0"):
        claim_agree(0.0, tolerance, "a and b")


@pytest.mark.parametrize("p, table, sentence", [(0.31, "0.31", "p = 0.31"), (0.0016401, "0.0016", "p = 0.0016"),
                                                (1.8e-5, "1.8e-05", "p = 1.8e-05"), (1e-6, "1e-06", "p = 1e-06"),
                                                (9.99e-7, "< 1e-6", "p < 1e-6"), (2.48e-17, "< 1e-6", "p < 1e-6"),
                                                (0.0, "< 1e-6", "p < 1e-6")])
def test_p_values_print_at_a_fixed_precision(p, table, sentence):
    """Two significant digits, and one text for every p below the floor, however the tail's digits come out."""
    assert wloss.notebook.format_p(p) == table and wloss.notebook.p_is(p) == sentence
