"""Checks for exercise 00 (how exercises work): class counts, proportions, a first prediction.

Each check names the property that fails, the case that shows it and a question; it never prints the
values the task asks for. The instructor's hidden cases are not here: they are in ``wloss_grading.ex00``,
which calls the same case runners (``counts_hold``, ...) on inputs the student never sees.
"""
import numpy as np

from wloss.checks import check_array, check_scalar, check_true, fail, passed, task

#: Label vectors the visible checks try, with the number of classes.
VISIBLE_CASES = [
    ("three classes, labels 0-2", np.array([0, 1, 1, 2, 2, 2]), 3),
    ("one example", np.array([1]), 2),
]
#: The exercise's 1000 labels, one digit each (classes 0, 1, 2), as drawn once for the exercise.
_EXERCISE_LABELS = (
    "0000110101101010100000000021000001000110000001000110100001000000000100010100021010010111011101110111"
    "0011000101001010101000100010000010001010001001010100000110100001100110020011011110001001000000100110"
    "0000001001000100101110001000001001000101011010010100210010111010000000110111101101101101000000000101"
    "1001010120001000100100100000001000011000011000000210000011001000000010000101000000101100101101101000"
    "0100020100111011110000100001000000100000001001000011000010011000100001000001100000000000000000000101"
    "0110000111001001010000000100102110000001100010010100000010000100000010000000100000001100001010101010"
    "0100000000000000100100001000110100010001001010100000101100001010000000101000000100100011100001001010"
    "1010001000101011111000000110001010101001000001101001110100110021010110000100000000100010001000100002"
    "1000100000002000010100010000101100010001000001110100101000000000110101110000110011010001010000010001"
    "1010110000101000000000000011010100000001010010000010000000101010000101000110010011100100010000010000"
)
NUM_LABELS = len(_EXERCISE_LABELS)


def check_class_counts(class_counts):
    """Entry k counts the labels equal to k, one entry per class, absent classes included."""
    counts_hold(class_counts, VISIBLE_CASES)
    passed("class_counts: one count per class, classes with no examples included")


def counts_hold(class_counts, cases):
    """Fail unless ``class_counts`` counts right on each (case, labels, num_classes) of ``cases``."""
    for case, y, k in cases:
        with task("class_counts"):
            got = class_counts(y.copy(), k)
        got = check_array(f"class_counts ({case})", got)
        check_true(got.shape == (k,),
                   f"class_counts ({case}): returned {got.size} entries for num_classes={k}; there must be one "
                   "entry per class, and a class with no examples still gets its entry")
        check_true(np.allclose(got, np.round(got)) and (got >= 0).all(),
                   f"class_counts ({case}): the entries are not whole, non-negative numbers - are they counts?")
        check_true(np.isclose(got.sum(), len(y)),
                   f"class_counts ({case}): the entries add up to {got.sum():g}, but there are {len(y)} labels; "
                   "every label must be counted exactly once")
        check_true(all(got[c] == sum(label == c for label in y) for c in range(k)),
                   f"class_counts ({case}): some entry k is not the number of labels equal to k - is each label "
                   "counted in its own class's entry?")


def check_class_proportions(class_proportions):
    """Entry k is the fraction of labels equal to k; the entries sum to 1."""
    proportions_hold(class_proportions, VISIBLE_CASES)
    passed("class_proportions: the fraction of labels in each class, summing to 1")


def proportions_hold(class_proportions, cases):
    """Fail unless ``class_proportions`` gives each class's fraction on each case of ``cases``."""
    for case, y, k in cases:
        with task("class_proportions"):
            got = class_proportions(y.copy(), k)
        got = check_array(f"class_proportions ({case})", got)
        check_true(got.shape == (k,),
                   f"class_proportions ({case}): returned {got.size} entries for num_classes={k}; one per class, "
                   "a class with no examples included")
        check_true(np.isclose(got.sum(), 1.0),
                   f"class_proportions ({case}): the entries add up to {got.sum():g}; proportions of all the "
                   "labels add up to 1 - what did you divide by?")
        check_true(all(np.isclose(got[c], sum(label == c for label in y) / len(y)) for c in range(k)),
                   f"class_proportions ({case}): the entries sum to 1 but some entry k is not the fraction of "
                   "labels equal to k")


def exercise_labels() -> np.ndarray:
    """The exercise's label vector (1000 labels)."""
    return np.array([int(label) for label in _EXERCISE_LABELS])


def check_majority_prediction(predicted_majority_accuracy, labels, suffix=""):
    """The prediction is within 0.05 of the majority classifier's accuracy on ``labels``."""
    got = check_scalar("predicted_majority_accuracy", predicted_majority_accuracy)
    labels = check_array("labels", labels)
    measured = np.bincount(labels.astype(int)).max() / len(labels)
    check_true(0 <= got <= 1,
               f"predicted_majority_accuracy: {got:g} is not between 0 and 1 - write an accuracy as a fraction "
               "(0.25, not 25)")
    if abs(got - measured) <= 0.05:
        passed("predicted_majority_accuracy: within 0.05 of what the experiment measured" + suffix)
        return
    counts = np.bincount(labels.astype(int))
    if np.isclose(got, 1 / len(counts), atol=0.02):
        fail("predicted_majority_accuracy: one in three is what guessing a class at random scores. On which "
             "examples is a classifier that always answers the same class right?")
    if any(np.isclose(got, c / len(labels), atol=0.02) for c in counts[counts < counts.max()]):
        fail("predicted_majority_accuracy: that is the accuracy of always answering a class that is NOT the "
             "most frequent one")
    fail("predicted_majority_accuracy: more than 0.05 away from what the experiment cell measured. Compare with "
         "its output: which fraction of the labels does 'always the majority class' get right?")
