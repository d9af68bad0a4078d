"""wloss.notebook: the set-up every notebook runs and the claim helper lectures use."""
import doctest

import numpy as np

import wloss.notebook
from wloss.notebook import claim


def test_docstring_examples(restore_global_state):
    result = doctest.testmod(wloss.notebook)
    assert result.attempted > 0 and result.failed == 0


def test_claim_that_holds_prints_a_tick_and_returns_nothing(capsys):
    assert claim(np.float64(0.9) > 0.8, "recall is 0.90") is None
    assert capsys.readouterr().out == "\u2714 recall is 0.90\n"


def test_claim_that_fails_prints_a_note_not_an_error(capsys):
    assert claim(np.bool_(False), "recall is 0.90", why_it_may_fail="the number of epochs") is None
    out = capsys.readouterr().out
    assert "\u2714" not in out
    assert "no longer holds: recall is 0.90" in out and "the number of epochs" in out


def test_claim_without_a_reason_still_explains(capsys):
    claim(False, "the curve rises")
    assert "default settings" in capsys.readouterr().out
