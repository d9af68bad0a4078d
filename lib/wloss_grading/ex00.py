"""The hidden part of exercise 00's checks: classes that never occur, and the exercise's own labels."""
import numpy as np

from wloss.checks import check_true, passed
from wloss.checks.ex00 import check_majority_prediction as visible_majority_prediction
from wloss.checks.ex00 import NUM_LABELS, counts_hold, exercise_labels, proportions_hold

#: Classes with no example, at the end and in the middle of the label range: counts without
#: ``minlength`` pass the visible cases and fail these.
HIDDEN_CASES = [
    ("4 classes, class 3 never occurs", np.array([0, 0, 2, 1, 2, 2]), 4),
    ("3 classes, class 1 never occurs", np.array([2, 0, 0, 2, 2]), 3),
]


def check_class_counts(class_counts):
    counts_hold(class_counts, HIDDEN_CASES)
    passed("class_counts: hidden cases too")


def check_class_proportions(class_proportions):
    proportions_hold(class_proportions, HIDDEN_CASES)
    passed("class_proportions: hidden cases too")


def check_majority_prediction(predicted_majority_accuracy, labels):
    """The visible check, on the labels the exercise drew (not labels edited to fit the prediction)."""
    labels = np.asarray(labels)
    check_true(labels.shape == (NUM_LABELS,) and np.array_equal(labels, exercise_labels()),
               "labels: the label vector is not the one the exercise drew - keep the data as given and "
               "change your prediction instead")
    visible_majority_prediction(predicted_majority_accuracy, labels, suffix=" (hidden part)")
