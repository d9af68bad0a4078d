"""The hidden part of exercise 07's checks: more targets and costs compared with the exact answers, every entry
of the bias training compared with an independent Adam run, and the prediction of task 4 graded against the
experiment on two data sets."""
import numpy as np

from wloss.checks import check_recorded_prediction, fail, fail_disagreeing, passed
from wloss.checks.ex07 import (SCALING_CHOICES, SCALING_KEYS, bias_history, deployment_of, histories_hold,
                               ratios_hold, thresholds_hold, weights_experiment)


def check_cost_ratio_for(cost_ratio_for):
    ratios_hold(cost_ratio_for, [(0.75, 3, 97), (0.01, 50, 50)])
    passed("cost_ratio_for: hidden cases too")


def _reference_threshold(a, b, c_fn, c_fp):
    q = c_fp / (c_fp + c_fn)
    return a * q / (a * q + b * (1 - q))


def check_deployment_threshold(deployment_threshold):
    cases = [(3.0, 7.0, 50.0, 2.0), (10.0, 1.0, 1.0, 10.0), (1.0, 1.0, 1.0, 1.0)]
    thresholds_hold(deployment_threshold, cases)
    for a, b, c_fn, c_fp in cases:
        case = f"train_fn={a:g}, train_fp={b:g}, c_fn={c_fn:g}, c_fp={c_fp:g}"
        t = deployment_of(deployment_threshold, a, b, c_fn, c_fp, case)
        if not np.isclose(t, _reference_threshold(a, b, c_fn, c_fp), rtol=1e-7, atol=1e-12):
            fail(f"deployment_threshold ({case}): your threshold is close to the boundary but not on it. Is it "
                 "exact, or read off a grid?")
    passed("deployment_threshold: hidden cases too")


def adam_reference(n1, n0, c_fn, c_fp, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """sigma(bias) after each step of Adam on binary RWWCE (mean over the examples), written out in float64."""
    z = m = v = 0.0
    out = []
    for t in range(1, steps + 1):
        s = 1 / (1 + np.exp(-z))
        g = (-c_fn * n1 * (1 - s) + c_fp * n0 * s) / (n1 + n0)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        z -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
        out.append(1 / (1 + np.exp(-z)))
    return np.array(out)


def check_train_bias(train_bias):
    cases = [(1, 4, 10.0, 1.0, 0.2, 300), (30, 70, 1.0, 2.0, 0.1, 400), (9, 1, 2000.0, 100.0, 0.1, 500)]
    histories_hold(train_bias, cases[:2])
    for n1, n0, c_fn, c_fp, lr, steps in cases:
        case = f"n1={n1}, n0={n0}, c_fn={c_fn:g}, c_fp={c_fp:g}, lr={lr}, steps={steps}"
        history = bias_history(train_bias, (n1, n0, c_fn, c_fp, lr, steps), f"train_bias({case})")
        off = np.abs(history - adam_reference(n1, n0, c_fn, c_fp, lr, steps)) > 1e-3
        if off.any():
            fail(f"train_bias({case}): from entry {int(np.argmax(off))} on, your history leaves the path of Adam on "
                 "binary RWWCE with these costs. What does each step of your loop compute the gradient of?")
    passed("train_bias: hidden cases too, every entry of the history")


_WEIGHTS_QUESTIONS = {
    SCALING_KEYS[0]: "what does the naive standard error take as the number of observations, and what happens to it?",
    SCALING_KEYS[1]: "the bootstrap draws rows: are the two copies of a row one observation to it, or two?",
    SCALING_KEYS[2]: "the naive standard error reads the sum of the weights: is the new sum above or below the old?",
    SCALING_KEYS[3]: "does dividing every weight by one number change any refit on a bootstrap sample?",
    SCALING_KEYS[4]: "compare the Hessian of the weighted fit with that of the copied data set: do they differ?",
    SCALING_KEYS[5]: "the bootstrap draws rows: how many independent draws does it now see of each positive?",
}


def check_weights_prediction(weights_prediction, weights_reason):
    check_recorded_prediction("weights_prediction", weights_prediction, SCALING_KEYS, SCALING_CHOICES,
                              "weights_reason", weights_reason, "", announce=False)
    for seed, where in ((7, "the experiment"), (11, "the experiment on a second data set")):
        outcome = {key: value["outcome"] for key, value in weights_experiment(seed).items()}
        fail_disagreeing("weights_prediction", weights_prediction, outcome, _WEIGHTS_QUESTIONS, where,
                         "compare the factor it printed for each with what you predicted")
    passed("weights_prediction: hidden part, graded against the experiment on two data sets")
