"""Checks for exercise 00 (how exercises work): counts, proportions, majority accuracy."""
import numpy as np

from wloss.checks import check_array, check_close, check_scalar, passed, task

#: Label vectors the checks try, with the number of classes; the last has a class with no examples.
CASES = [
    ("three classes", np.array([0, 1, 1, 2, 2, 2]), 3),
    ("a class that never occurs", np.array([0, 0, 2, 2, 2]), 4),
    ("one example", np.array([1]), 2),
]


def check_class_counts(class_counts):
    for case, y, k in CASES:
        with task("class_counts"):
            got = class_counts(y, k)
        check_array(f"class_counts ({case})", got, shape=(k,))
        check_close("class_counts", got, np.bincount(y, minlength=k), case=case)
    passed("class_counts: right counts, including classes with no examples")


def check_class_proportions(class_proportions):
    for case, y, k in CASES:
        with task("class_proportions"):
            got = class_proportions(y, k)
        check_array(f"class_proportions ({case})", got, shape=(k,))
        check_close("class_proportions", got, np.bincount(y, minlength=k) / len(y), case=case)
    passed("class_proportions: right proportions, summing to 1")


def check_majority_accuracy(majority_accuracy):
    for case, y, k in CASES:
        with task("majority_accuracy"):
            got = check_scalar(f"majority_accuracy ({case})", majority_accuracy(y, k))
        check_close("majority_accuracy", got, np.bincount(y).max() / len(y), case=case)
    passed("majority_accuracy: the accuracy of always predicting the most frequent class")
