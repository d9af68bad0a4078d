"""wloss.checks.library_blocked: a task that asks for a library function is graded on the student's own code."""
import sys
import types

import numpy as np
import pytest

import wloss.metrics
from wloss.checks import CheckFailed, library_blocked


def test_a_call_through_the_module_fails_the_check():
    def student(y, s):
        return wloss.metrics.average_precision(y, s)

    with pytest.raises(CheckFailed, match=r"^ap: your code called wloss.metrics.average_precision, "):
        with library_blocked("ap", "wloss.metrics.average_precision"):
            student([0, 1], [0.1, 0.9])


def test_a_name_the_notebook_imported_earlier_is_blocked_too(monkeypatch):
    notebook = types.ModuleType("__main__")
    exec("from wloss.metrics import average_precision\n"
         "def student(y, s):\n    return average_precision(y, s)\n", vars(notebook))
    monkeypatch.setitem(sys.modules, "__main__", notebook)
    with pytest.raises(CheckFailed, match="wloss.metrics.average_precision"):
        with library_blocked("ap", "wloss.metrics.average_precision"):
            notebook.student([0, 1], [0.1, 0.9])
    assert notebook.average_precision is wloss.metrics.average_precision  # restored


@pytest.mark.parametrize("blocked, called", [("wloss.scenarios.bayes_decisions", "wloss.decisions.bayes_decisions"),
                                             ("wloss.decisions.bayes_decisions", "wloss.scenarios.bayes_decisions")])
def test_a_function_is_blocked_under_every_name_the_package_gives_it(blocked, called):
    """A name kept at its old place for one release is the same function as at its new home: either path is blocked."""
    import wloss.decisions
    import wloss.scenarios

    module, name = called.rsplit(".", 1)
    with pytest.raises(CheckFailed, match=blocked.replace(".", r"\.")):
        with library_blocked("decide", blocked):
            getattr(sys.modules[module], name)(np.full((1, 2), 0.5), np.zeros((1, 2, 2)))
    assert wloss.scenarios.bayes_decisions is wloss.decisions.bayes_decisions  # restored, still one function


def test_scikit_learn_can_be_blocked_as_well():
    import sklearn.metrics

    with pytest.raises(CheckFailed, match="sklearn.metrics.average_precision_score"):
        with library_blocked("ap", "sklearn.metrics.average_precision_score"):
            sklearn.metrics.average_precision_score([0, 1], [0.1, 0.9])


def test_the_students_own_code_runs_and_everything_is_restored():
    original = wloss.metrics.average_precision

    def student(y, s):
        order = np.argsort(-np.asarray(s))
        hits = np.asarray(y)[order]
        return float(np.sum(np.cumsum(hits) / np.arange(1, len(hits) + 1) * hits) / hits.sum())

    with library_blocked("ap", "wloss.metrics.average_precision"):
        got = student([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.5])
    assert wloss.metrics.average_precision is original
    assert got == pytest.approx(original([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.5]))


def test_restored_even_when_the_check_fails():
    original = wloss.metrics.average_precision
    with pytest.raises(CheckFailed):
        with library_blocked("ap", "wloss.metrics.average_precision"):
            wloss.metrics.average_precision([0, 1], [0.1, 0.9])
    assert wloss.metrics.average_precision is original


def test_docstring_examples():
    import doctest

    import wloss.checks
    result = doctest.testmod(wloss.checks)
    assert result.attempted > 0 and result.failed == 0


def test_a_method_is_blocked_on_its_class_and_restored_even_when_inherited():
    import pandas as pd

    frame = pd.DataFrame({"a": [3, 1, 2]})
    own = "rank" in vars(pd.DataFrame)
    with pytest.raises(CheckFailed, match="pandas.DataFrame.rank"):
        with library_blocked("ranks", "pandas.DataFrame.rank"):
            frame.rank()
    assert ("rank" in vars(pd.DataFrame)) == own      # put back as it was, own attribute or inherited
    assert frame.rank()["a"].tolist() == [3.0, 1.0, 2.0]


def test_a_name_that_does_not_exist_is_an_error_not_a_silent_pass():
    with pytest.raises(AttributeError):
        with library_blocked("x", "wloss.metrics.no_such_function"):
            pass
