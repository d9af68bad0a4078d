"""The hidden part of exercise 06's checks: more cost matrices compared with the reference eq. 6, more extreme
logits and groups, the prediction of task 3 graded against the experiment on two data sets, more (eps, K)."""
import numpy as np

from wloss import reference
from wloss.checks import check_recorded_prediction, fail, fail_disagreeing, passed
from wloss.checks.ex06 import (OUTCOMES, SETTINGS, _softmax, dead_logit_holds, decay_experiment,
                               group_term_holds, high_precision_group_term, rwwce_of, rwwce_properties_hold)


def _rwwce_cases():
    rng = np.random.default_rng(61)
    return [("3 classes, only the diagonal of fp_cost is non-zero", np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]),
             np.array([0, 2]), np.ones(3), 7.0 * np.eye(3)),
            ("5 classes, asymmetric costs, class 4 absent", _softmax(rng.normal(scale=3.0, size=(50, 5))),
             rng.integers(0, 4, size=50), rng.uniform(0.5, 3.0, size=5), rng.uniform(0.0, 9.0, size=(5, 5)))]


def check_rwwce_numpy(rwwce_numpy):
    cases = _rwwce_cases()
    rwwce_properties_hold(rwwce_numpy, cases)
    for case, probs, targets, fn, fp in cases:
        got = rwwce_of(rwwce_numpy, probs, targets, fn, fp, case)
        if not np.isclose(got, reference.rwwce(probs, targets, fn, fp), rtol=1e-9):
            fail(f"rwwce_numpy ({case}): the value is not eq. 6. Which term of eq. 6 does this case exercise "
                 "that the visible cases did not?")
    passed("rwwce_numpy: hidden cases too")


def _group_cases():
    return [("two classes, class 0 far ahead, group (0,)", np.array([[35.0, 0.0], [3.0, -2.0]]), (0,)),
            ("logits (-1000, 0, 1000), group (2,)", np.array([[-1000.0, 0.0, 1000.0]]), (2,)),
            ("5 classes, the group (4, 0, 2) 30 ahead", np.array([[30.0, 0.0, 30.0, -5.0, 30.0]]), (4, 0, 2)),
            ("5 classes, a class outside the group far ahead", np.array([[0.0, 40.0, -3.0, 1.0, 2.0]]), (0, 2, 3))]


def check_fp_group_term(fp_group_term):
    group_term_holds(fp_group_term, _group_cases(), high_precision_group_term)
    passed("fp_group_term: hidden cases too")


_DECAY_QUESTIONS = {
    SETTINGS[0]: "where in Adam's update does weight_decay enter, and what is it compared with there when the "
                 "gradient is 10 000 times larger?",
    SETTINGS[1]: "where in AdamW's update does the decay enter, and does the loss's scale reach that place?",
    SETTINGS[2]: "what is Adam's weight_decay compared with when the gradient is 100 times smaller?",
}


def check_decay_prediction(decay_prediction, decay_reason):
    check_recorded_prediction("decay_prediction", decay_prediction, SETTINGS, OUTCOMES, "decay_reason",
                              decay_reason, "", announce=False)
    for seed, where in ((0, "the experiment"), (1, "the experiment on a second data set")):
        outcome = {key: value["outcome"] for key, value in decay_experiment(seed).items()}
        fail_disagreeing("decay_prediction", decay_prediction, outcome, _DECAY_QUESTIONS, where,
                         "compare the ratio it printed for each setting with what you predicted")
    passed("decay_prediction: hidden part, graded against the experiment on two data sets")


def check_clip_dead_logit(clip_dead_logit):
    dead_logit_holds(clip_dead_logit, [(1e-7, 2), (1e-5, 100)])
    passed("clip_dead_logit: hidden cases too")
