"""The hidden part of exercise 13's checks: other label matrices, costs, weights and shapes, and the grading of the
two predictions against their experiments."""
import numpy as np

from wloss.checks import fail_disagreeing, passed
from wloss.checks.ex13 import (_Y_SQUARE, BALANCED_KEYS, SILENCED_KEYS, balanced_experiment, balanced_outcome,
                               element_weights_holds, loss_cases, raises_for_one_class, rwwce_holds,
                               silenced_label_experiment, thresholds_hold)
from wloss.checks.ex13 import check_balanced_prediction as visible_balanced_prediction
from wloss.checks.ex13 import check_silenced_prediction as visible_silenced_prediction

# ---------------------------------------------------------------- task 1


def hidden_matrices():
    """A 200 x 5 matrix of ints, the same as bools, and the visible square matrix transposed."""
    rng = np.random.default_rng(13)
    Y = (rng.random((200, 5)) < np.array([0.5, 0.2, 0.08, 0.03, 0.6])).astype(int)
    Y[0], Y[1] = 1, 0
    return [Y, Y.astype(bool), _Y_SQUARE.T.copy()]


#: A label present in every row: no negatives to balance against.
_Y_NO_NEGATIVE = np.array([[1, 0], [1, 1], [1, 0]])


def check_element_weights(element_weights):
    element_weights_holds(element_weights, hidden_matrices(), first=3)
    raises_for_one_class(element_weights, _Y_NO_NEGATIVE, "Y whose first column has no negative")
    passed("element_weights: hidden cases too")


# ---------------------------------------------------------------- task 2

#: Four labels with a weight of 100 and costs on both sides of it; one label with a weight below 1.
HIDDEN_THRESHOLD_CASES = [
    (np.array([2.0, 30.0, 100.0, 5.0]), np.array([1.0, 50.0, 5.0, 5.0]), np.array([4.0, 1.0, 1.0, 5.0])),
    (np.array([0.5]), np.array([3.0]), np.array([7.0])),
]


def check_weighted_model_thresholds(weighted_model_thresholds):
    thresholds_hold(weighted_model_thresholds, HIDDEN_THRESHOLD_CASES)
    passed("weighted_model_thresholds: hidden cases too")


# ---------------------------------------------------------------- task 3

#: The experiment's seeds the prediction is graded on: the draw the notebook prints and another.
BALANCED_SEEDS = (0, 1)

BALANCED_QUESTIONS = {
    "most common label": "divide this label's 'balanced' weight of a positive by its weight of a negative: how does "
                         "that compare with its pos_weight, and what is left that differs between the two losses of "
                         "this label?",
    "rarest label": "the 'balanced' weight of a rare positive is smaller than its pos_weight; what happens to the "
                    "weight of its negatives, and which parameters of the model does this label's loss decide?",
}


def check_balanced_prediction(prediction, balanced_reason):
    """Both labels graded against the experiment, on the notebook's draw and another."""
    visible_balanced_prediction(prediction, balanced_reason, announce=False)
    for seed, draw in zip(BALANCED_SEEDS, ("the draw you ran", "another draw of the data")):
        fail_disagreeing("prediction", prediction, balanced_outcome(balanced_experiment(seed)), BALANCED_QUESTIONS,
                         f"the experiment ({draw})", "compare the two recalls it printed for each label")
    passed("prediction: the two weightings compare the way you predicted on both labels (two draws of the data)")


assert set(BALANCED_QUESTIONS) == set(BALANCED_KEYS)

# ---------------------------------------------------------------- task 4


def check_multilabel_rwwce(multilabel_rwwce_np):
    """Nine examples and five labels, other costs."""
    rwwce_holds(multilabel_rwwce_np, loss_cases(7, 9, 5))
    passed("multilabel_rwwce_np: hidden cases too")


# ---------------------------------------------------------------- task 6

SILENCED_QUESTIONS = {
    "micro recall": "what share of ALL the positive label assignments belongs to the switched-off topic, and so what "
                    "weight do its hits carry in micro recall?",
    "macro recall": "what does the switched-off topic's own recall become, and what weight does one topic's recall "
                    "carry in a plain mean over 12 topics?",
    "micro F1": "what share of the TP, FP and FN counts summed over the 12 topics does the switched-off topic hold, "
                "and how many of its counts are false positives compared with the lecture's rare label?",
    "macro F1": "what does the switched-off topic's own F1 become (its articles are still in the data), and what "
                "weight does it carry among 12 topics?",
}
assert set(SILENCED_QUESTIONS) == set(SILENCED_KEYS)


def check_silenced_prediction(prediction, reason):
    """The four directions graded against the experiment and another draw."""
    visible_silenced_prediction(prediction, reason, announce=False)
    for seed, draw in ((0, "the draw you ran"), (1, "another draw of the data")):
        fail_disagreeing("silenced_prediction", prediction, silenced_label_experiment(seed)["outcome"],
                         SILENCED_QUESTIONS, f"the experiment ({draw})",
                         "compare the before and after it printed for each")
    passed("silenced_prediction: all four averages move as you predicted (two draws of the data)")


# ---------------------------------------------------------------- task 7 (open)


def check_own_weights(my_pos_weight, open_scheme, open_macro_f1):
    """The scheme on other label matrices: a label with a single positive, bools, and ten labels."""
    from wloss.checks.ex13 import own_weights_hold

    rng = np.random.default_rng(1307)
    tall = (rng.random((500, 10)) < np.linspace(0.5, 0.01, 10)).astype(float)
    tall[0] = 1.0
    single = np.zeros((50, 3))
    single[:, 0] = np.arange(50) % 2
    single[:10, 1] = 1.0
    single[7, 2] = 1.0
    own_weights_hold(my_pos_weight, [("50 rows, a label with a single positive", single),
                                     ("500 rows, 10 labels, as bools", tall.astype(bool)),
                                     ("500 rows, 10 labels", tall)])
    passed("own weights: hidden cases too (other label matrices give valid weights)")
