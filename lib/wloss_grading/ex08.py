"""The hidden part of exercise 08's checks: other confusion matrices, sign-flip tests compared with an exact
enumeration, the prediction of task 3 graded against the experiment, the open scenario's table reordered."""
import contextlib
import io
import itertools

import numpy as np

from wloss.checks import check_true, fail_disagreeing, passed
from wloss.checks.ex08 import _student_flip, costs_hold, example_per_run, flip_test_holds, scaling_outcome
from wloss.checks.ex08 import check_new_scenario as visible_new_scenario
from wloss.checks.ex08 import check_scaling_prediction as visible_scaling_prediction
from wloss.checks.ex08 import check_scaling_experiment as visible_scaling_experiment

def quietly():
    """Run a visible check without its printed line (the hidden part prints its own)."""
    return contextlib.redirect_stdout(io.StringIO())


_rng = np.random.default_rng(18)
#: Four classes with random costs, a class never predicted nor present, and an fp_cost with a non-zero diagonal
#: (a correct prediction still costs nothing).
HIDDEN_COST_CASES = [
    ("4 classes, random costs", _rng.integers(0, 30, (4, 4)), _rng.uniform(0, 3, 4), _rng.uniform(0, 10, (4, 4))),
    ("3 classes, fp_cost with a non-zero diagonal", np.array([[40, 3, 0], [1, 12, 5], [2, 0, 9]]),
     np.array([0.5, 4.0, 1.0]), np.array([[2.0, 1.0, 6.0], [3.0, 1.5, 0.5], [0.0, 8.0, 4.0]])),
]


def check_cost_from_confusion(cost_from_confusion):
    costs_hold(cost_from_confusion, HIDDEN_COST_CASES)
    passed("cost_from_confusion: hidden cases too")


def reference_flip_test(frame, control, method):
    """The sign-flip test written out: pair by run, one mean per digit, every sign pattern, ties counted."""
    wide = frame.pivot(index="run", columns="method", values="cost")
    digit = frame.groupby("run")["digit"].first()
    means = (wide[control] - wide[method]).groupby(digit).mean().to_numpy()
    observed = abs(means.mean())
    extreme = sum(abs(np.dot(signs, means) / len(means)) >= observed - 1e-12
                  for signs in itertools.product((1.0, -1.0), repeat=len(means)))
    return float(means.mean()), extreme / 2 ** len(means)


def _tied_table():
    """Digit means of equal size (+-0.1, +-0.2, +-0.3) so that many patterns tie with the observed one up to rounding."""
    import pandas as pd

    rows = []
    for run, (digit, gap) in enumerate([(0, 0.1), (1, 0.2), (2, -0.3), (3, 0.1), (3, 0.1), (4, 0.3), (5, -0.2)]):
        rows += [{"run": run, "digit": digit, "method": "control@Bayes", "cost": 2.0 + 0.7 * run},
                 {"run": run, "digit": digit, "method": "rwwce@0.5", "cost": 2.0 + 0.7 * run - gap}]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)


def hidden_flip_cases():
    return [("made-up table, digits 3, 7, 12, 20, 21, 30 of 1 to 5 runs",
             example_per_run(5, runs_per_digit=(2, 5, 1, 3, 4, 2), digits=(3, 7, 12, 20, 21, 30))),
            ("made-up table, 7 digits with opposite effects", example_per_run(6, runs_per_digit=(3,) * 7, favour=0.0)),
            ("digit means that tie up to rounding", _tied_table())]


def check_cluster_flip_test(cluster_flip_test):
    cases = hidden_flip_cases()
    flip_test_holds(cluster_flip_test, cases)
    for case, frame in cases:
        gap, p = _student_flip(cluster_flip_test, case, frame)
        gap_ref, p_ref = reference_flip_test(frame, "control@Bayes", "rwwce@0.5")
        check_true(np.isclose(gap, gap_ref, rtol=1e-9, atol=1e-12),
                   f"cluster_flip_test ({case}): the gap is not the mean over digits of each digit's mean "
                   "difference. How much does a digit with many runs count?")
        check_true(np.isclose(p, p_ref, rtol=1e-9, atol=1e-12),
                   f"cluster_flip_test ({case}): p is not the share of sign patterns at least as extreme as the "
                   "observed one. Are patterns whose mean equals the observed one up to rounding counted?")
    passed("cluster_flip_test: hidden cases too")


#: One question per key of task 3, asked when the experiment disagrees; none gives the outcome.
SCALING_QUESTIONS = {
    "RWWCE's false negatives and false positives":
        "which parts of Adam's update m / (sqrt(v) + eps) grow when every gradient is ten times larger, and "
        "what is left of the factor in the step?",
    "RWWCE's mean Real World Cost":
        "with the false negatives and false positives you saw, how is the Real World Cost built from them and "
        "from the two costs?",
}


def check_scaling_experiment(scaling_prediction, scaling_reason, per_run_base, per_run_scaled):
    """Task 3, hidden part: the recorded prediction graded against the experiment's two tables."""
    with quietly():
        visible_scaling_prediction(scaling_prediction, scaling_reason)
        visible_scaling_experiment(scaling_prediction, scaling_reason, per_run_base, per_run_scaled)
    fail_disagreeing("scaling_prediction", scaling_prediction, scaling_outcome(per_run_base, per_run_scaled),
                     SCALING_QUESTIONS, "the experiment", "compare the two tables it printed")
    passed("scaling_prediction: both answers agree with the experiment (graded part)")


def check_new_scenario(per_run, fn_cost, fp_cost, scenario_costs):
    """The open scenario with the table's rows reordered and the means given as a dict."""
    with quietly():
        visible_new_scenario(per_run.sample(frac=1.0, random_state=0), fn_cost, fp_cost, dict(scenario_costs))
    passed("new scenario: hidden cases too (rows reordered, means as a dict)")
