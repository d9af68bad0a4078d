"""The hidden part of exercise 03's checks: other counts and shares, other token batches, the prediction graded
against the experiment, and deployments with absent classes."""
import torch

from wloss.checks import check_recorded_prediction, fail_disagreeing, passed
from wloss.checks.ex03 import (PREDICTION_KEYS, PREDICTION_VALUES, deployed_holds, shares_hold, token_losses_hold,
                               verdict, weight_scaling_experiment)

#: Ten classes, a count of 1, a minority class listed last but given most of the weight: memorised weights and a
#: stray factor K fail here.
SHARE_CASES = [
    ([10, 1000], [0.25, 0.75]),
    ([400, 100, 7, 1], [0.4, 0.3, 0.2, 0.1]),
    ([122, 78, 51, 33, 21, 13, 8, 5, 3, 2], [0.1] * 10),
]

#: As many positions as classes (a class axis taken for the position axis is not caught by a shape error), a
#: sentence with no token at all, one long sentence, float32.
TOKEN_CASES = [
    ("4 sentences of 3, 0, 1 and 2 tokens padded to 3, K = 3", [3, 0, 1, 2], 3, [3.0, 0.5, 1.0], 31, torch.float32),
    ("1 sentence of 7 tokens padded to 9, K = 5", [7], 9, [0.3, 2.0, 5.0, 1.5, 0.8], 32, torch.float32),
]

#: A predicted class that never occurs in y_true, labels that skip classes, a prior of 0 in the middle.
DEPLOYED_CASES = [
    ("two classes, a perfect classifier", [1, 0, 1, 1], [1, 0, 1, 1], [0.9, 0.1]),
    ("four classes, class 3 predicted but never in y_true and prior 0", [0, 0, 0, 1, 1, 2], [0, 3, 0, 1, 3, 2],
     [0.5, 0.3, 0.2, 0.0]),
    ("five classes, classes 1 and 3 never in y_true and prior 0", [0, 0, 2, 2, 2, 4, 4, 4, 4],
     [0, 4, 2, 2, 0, 4, 4, 1, 4], [0.1, 0.0, 0.6, 0.0, 0.3]),
]

_SCALING_QUESTIONS = {
    ("sgd", "pytorch mean"): "what does PyTorch's mean divide by, and what happens to that divisor when every weight "
                             "is multiplied?",
    ("adam", "pytorch mean"): "does the loss as a function of the parameters change at all when every weight is "
                              "multiplied, under PyTorch's mean?",
    ("sgd", "divide by n"): "how does the size of an SGD step depend on the size of the gradient?",
    ("adam", "divide by n"): "what does Adam divide each step by, and how does that quantity scale with the gradient?",
}


def check_weights_for_shares(weights_for_shares):
    shares_hold(weights_for_shares, SHARE_CASES)
    passed("weights_for_shares: hidden cases too")


def check_weighted_ce_per_token(weighted_ce_per_token):
    token_losses_hold(weighted_ce_per_token, TOKEN_CASES)
    passed("weighted_ce_per_token: hidden cases too")


def _digits():
    from wloss.data import long_tailed_digits
    from wloss.weights import inverse_frequency_weights
    X, y, _, _ = long_tailed_digits(imbalance_ratio=50, seed=0)
    return X, y, inverse_frequency_weights(y)


def check_weight_scaling_prediction(prediction, reason):
    """The four predictions against the experiment on the exercise's data: weights x10, and x3."""
    check_recorded_prediction("prediction", prediction, PREDICTION_KEYS, PREDICTION_VALUES, "reason", reason,
                              "in one sentence, why?", announce=False)
    X, y, class_weight = _digits()
    for factor in (10.0, 3.0):
        outcome = {key: verdict(value)
                   for key, value in weight_scaling_experiment(X, y, class_weight, factor=factor).items()}
        fail_disagreeing("prediction", prediction, outcome, _SCALING_QUESTIONS,
                         f"the experiment (weights x{factor:g})",
                         "compare the change the experiment printed for each with what you predicted")
    passed("prediction: all four match the experiment (weights x10 and x3)")


def check_deployed_accuracy(deployed_accuracy):
    deployed_holds(deployed_accuracy, DEPLOYED_CASES)
    passed("deployed_accuracy: hidden cases too")
