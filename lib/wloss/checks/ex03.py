"""Checks for exercise 03 (class weights for K classes)."""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score as sklearn_balanced_accuracy

from wloss.checks import check_array, check_close, check_scalar, fail, passed, task


def check_balanced_weights(balanced_weights):
    for counts in ([70_000, 29_000, 1_000], [5, 5], [100, 10, 1, 1]):
        counts = np.array(counts)
        with task("balanced_weights"):
            got = balanced_weights(counts)
        got = check_array(f"balanced_weights(counts={counts.tolist()})", got, shape=counts.shape)
        expected = counts.sum() / (len(counts) * counts)
        if np.allclose(got, 1 / counts):
            fail(f"balanced_weights(counts={counts.tolist()}): you returned 1/n_k; multiply by n/K so the "
                 "average weight per example is 1")
        check_close("balanced_weights", got, expected, case=f"counts={counts.tolist()}")
    passed("balanced_weights: n / (K n_k), e.g. 0.476, 1.149, 33.33 for 70k/29k/1k")


def check_pytorch_weighted_mean(pytorch_weighted_mean):
    rng = np.random.default_rng(3)
    logits = torch.tensor(rng.normal(size=(8, 3)))
    y = torch.tensor([0, 0, 0, 0, 1, 1, 2, 2])
    w = torch.tensor([0.5, 1.0, 10.0], dtype=torch.float64)
    losses = F.cross_entropy(logits, y, reduction="none").numpy()
    expected = F.cross_entropy(logits, y, weight=w).item()
    with task("pytorch_weighted_mean"):
        got = check_scalar("pytorch_weighted_mean", pytorch_weighted_mean(losses, y.numpy(), w.numpy()))
    if np.isclose(got, (w[y].numpy() * losses).mean()):
        fail("pytorch_weighted_mean: you divided by n; PyTorch divides by the sum of the targets' weights")
    check_close("pytorch_weighted_mean", got, expected, case="8 examples, weights (0.5, 1, 10)")
    passed("pytorch_weighted_mean: sum_i w_yi l_i / sum_i w_yi, exactly F.cross_entropy(weight=w)")


def check_class_balanced_weights(class_balanced_weights):
    for counts, beta in [([1000, 100, 10], 0.99), ([1000, 100, 10], 0.0), ([50, 5], 0.9)]:
        counts = np.array(counts)
        raw = (1 - beta) / (1 - beta ** counts.astype(float))
        expected = raw * len(counts) / raw.sum()
        case = f"counts={counts.tolist()}, beta={beta}"
        with task("class_balanced_weights"):
            got = class_balanced_weights(counts, beta)
        got = check_array(f"class_balanced_weights({case})", got, shape=counts.shape)
        if np.allclose(got, raw) and not np.allclose(raw, expected):
            fail(f"class_balanced_weights({case}): not normalised - scale the weights to sum to K = {len(counts)}")
        check_close("class_balanced_weights", got, expected, case=case)
    passed("class_balanced_weights: (1 - beta) / (1 - beta^n_k), summing to K; beta = 0 gives equal weights")


def check_balanced_accuracy_score(balanced_accuracy_score):
    cases = [
        ("always negative, 1 % positives", np.r_[np.zeros(99, int), 1], np.zeros(100, int)),
        ("three classes", np.array([0, 0, 1, 1, 2, 2, 2]), np.array([0, 1, 1, 1, 2, 0, 2])),
        ("a class never predicted", np.array([0, 1, 2, 2]), np.array([0, 0, 2, 2])),
    ]
    for case, t, p in cases:
        with task("balanced_accuracy_score"):
            got = check_scalar(f"balanced_accuracy_score ({case})", balanced_accuracy_score(t, p))
        if np.isclose(got, (t == p).mean()) and not np.isclose(got, sklearn_balanced_accuracy(t, p)):
            fail(f"balanced_accuracy_score ({case}): you computed plain accuracy; average the per-class recalls")
        check_close("balanced_accuracy_score", got, sklearn_balanced_accuracy(t, p), case=case)
    passed("balanced_accuracy_score: the mean per-class recall (0.5 for 'always negative')")
