"""Checks for exercise 03 (class weights for K classes).

Each check recomputes the property its task asks for from what the student
returned, names the case that exposes a mistake and gives a hint; none prints
the answer. ``hidden=True`` runs the extra cases of the graded (hidden) part.
"""
import hashlib

import numpy as np
import torch
import torch.nn.functional as F

from wloss.checks import check_array, check_choices, check_scalar, fail, passed, task
from wloss.training import mlp, train

# ---------------------------------------------------------------- task 1 (derive)

_SHARE_CASES = [
    ([70_000, 29_000, 1_000], [1 / 3, 1 / 3, 1 / 3]),
    ([900, 90, 10], [0.5, 0.3, 0.2]),
    ([50, 50], [0.8, 0.2]),
]
_SHARE_HIDDEN = [
    ([122, 78, 51, 33, 21, 13, 8, 5, 3, 2], [0.1] * 10),
    ([400, 100, 7, 1], [0.4, 0.3, 0.2, 0.1]),
    ([10, 1000], [0.25, 0.75]),
]


def check_weights_for_shares(weights_for_shares, hidden=False):
    """Task 1: class k carries ``shares[k]`` of the total weight, and the mean weight per example is 1."""
    for counts, shares in (_SHARE_HIDDEN if hidden else _SHARE_CASES):
        counts, shares = np.array(counts), np.array(shares)
        case = f"counts={counts.tolist()}, shares={np.round(shares, 3).tolist()}"
        with task("weights_for_shares"):
            got = weights_for_shares(counts.copy(), shares.copy())
        w = check_array(f"weights_for_shares({case})", got, shape=counts.shape)
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            fail(f"weights_for_shares({case}): weights must be finite and non-negative")
        total = counts * w
        if total.sum() <= 0:
            fail(f"weights_for_shares({case}): every class has total weight 0")
        got_shares = total / total.sum()
        if not np.allclose(got_shares, shares, rtol=1e-6, atol=1e-9):
            k = int(np.argmax(np.abs(got_shares - shares)))
            hint = ("your weights grow with the class count; a class's total weight n_k w_k must not"
                    if len(counts) > 2 and np.std(w) > 0 and np.corrcoef(counts, w)[0, 1] > 0.5 else
                    "a class's share of the total weight is n_k w_k / sum_j n_j w_j: the weight must undo the count")
            fail(f"weights_for_shares({case}): class {k} carries {got_shares[k]:.3f} of the total weight, "
                 f"but the task asks for {shares[k]:.3f}. Hint: {hint}.")
        mean_per_example = total.sum() / counts.sum()
        if not np.isclose(mean_per_example, 1.0, rtol=1e-6):
            hint = ("the mean of the K weights is 1 - that is the mean over classes; the task asks for the mean over "
                    "examples, (1/n) sum_k n_k w_k" if np.isclose(w.mean(), 1.0) else
                    "the shares are right; scale all weights by one factor so that (1/n) sum_i w_(y_i) = 1")
            fail(f"weights_for_shares({case}): the mean weight per example is {mean_per_example:.4g}, not 1. "
                 f"Hint: {hint}.")
    passed("weights_for_shares: each class carries its share of the total weight, and the mean weight per "
           "example is 1" + (" (hidden cases)" if hidden else ""))


# ---------------------------------------------------------------- task 2 (debug)

def _batches(hidden):
    rng = np.random.default_rng(31 if hidden else 3)
    if hidden:
        ys = [[2, 2, 2, 1, 0, 0, 3], [0, 1, 2, 3, 3, 3, 3]]
        w = [0.3, 2.0, 5.0, 1.5]
        dtype = torch.float32
    else:
        ys = [[0, 0, 0, 0, 1, 1, 2, 2], [2, 2, 2, 1, 1, 0, 0, 0]]
        w = [0.5, 1.0, 10.0]
        dtype = torch.float64
    k = len(w)
    for y in ys:
        logits = torch.tensor(rng.normal(size=(len(y), k)), dtype=dtype)
        yield logits, torch.tensor(y), torch.tensor(w, dtype=dtype)


def check_weighted_ce_per_n(weighted_ce_per_n, hidden=False):
    """Task 2: (1/N) sum_i w[y_i] CE_i as a tensor the gradient flows through."""
    for logits, y, w in _batches(hidden):
        case = f"batch y={y.tolist()}, class_weight={[round(v, 2) for v in w.tolist()]}"
        z = logits.clone().requires_grad_(True)
        with task("weighted_ce_per_n"):
            out = weighted_ce_per_n(z, y.clone(), w.clone())
        if not isinstance(out, torch.Tensor):
            fail(f"weighted_ce_per_n ({case}): return a torch tensor (not {type(out).__name__}), so that the loss "
                 "can be back-propagated - no .item() or float()")
        if out.numel() != 1:
            fail(f"weighted_ce_per_n ({case}): return one number for the batch, got shape {tuple(out.shape)}")
        per_example = F.cross_entropy(logits, y, reduction="none")
        weighted_sum = (w[y] * per_example).sum().item()
        n = len(y)
        value = float(out.detach().reshape(()))
        if np.isclose(value, weighted_sum / n, rtol=1e-5):
            if not out.requires_grad:
                fail(f"weighted_ce_per_n ({case}): the value is right but no gradient flows back to the logits "
                     "(detached or rebuilt from numbers)")
            (grad,) = torch.autograd.grad(out.reshape(()), z)
            reference = logits.clone().requires_grad_(True)
            (expected_grad,) = torch.autograd.grad((w[y] * F.cross_entropy(reference, y, reduction="none")).sum() / n,
                                                   reference)
            if not torch.allclose(grad, expected_grad, rtol=1e-4, atol=1e-6):
                fail(f"weighted_ce_per_n ({case}): the value is right but its gradient is not")
            continue
        if np.isclose(value, weighted_sum / w[y].sum().item(), rtol=1e-5):
            fail(f"weighted_ce_per_n ({case}): this is PyTorch's weighted mean - it divides by the sum of the "
                 "targets' weights sum_i w[y_i], which changes from batch to batch. The docstring promises 1/N.")
        if np.isclose(value, weighted_sum, rtol=1e-5):
            fail(f"weighted_ce_per_n ({case}): you return the weighted sum; the task asks for a mean over the "
                 f"N = {n} examples")
        if np.isclose(value, weighted_sum / w.sum().item(), rtol=1e-5):
            fail(f"weighted_ce_per_n ({case}): you divided by the sum of the K class weights; the batch has N = {n} "
                 "examples")
        if np.isclose(value, per_example.mean().item(), rtol=1e-5):
            fail(f"weighted_ce_per_n ({case}): the class weights have no effect on your value")
        fail(f"weighted_ce_per_n ({case}): the value is not (1/N) sum_i w[y_i] CE_i. Hint: compute the "
             "per-example losses with reduction='none', weight them by their class's weight, then average over N.")
    passed("weighted_ce_per_n: divides the weighted sum by N, on batches where sum_i w[y_i] != N"
           + (" (hidden cases)" if hidden else ""))


# ---------------------------------------------------------------- task 3 (predict)

PREDICTION_KEYS = (("sgd", "pytorch mean"), ("adam", "pytorch mean"), ("sgd", "divide by n"), ("adam", "divide by n"))
PREDICTION_VALUES = ("same", "changes")


_EXPERIMENTS = {}


def weight_scaling_experiment(X, y, class_weight, factor=10.0, epochs=30):
    """Train a linear softmax model with ``class_weight`` and ``factor * class_weight``, per optimiser and mean.

    Returns a dict mapping each key of :data:`PREDICTION_KEYS` to the largest relative difference between the two
    runs' final parameters. Runs are deterministic, so a repeated call with the same inputs reuses the result.
    """
    X, y, class_weight = np.asarray(X, dtype=np.float32), np.asarray(y), np.asarray(class_weight, dtype=float)
    key = hashlib.sha256(b"".join(a.tobytes() for a in (X, y, class_weight)) + repr((factor, epochs)).encode()).hexdigest()
    if key not in _EXPERIMENTS:
        _EXPERIMENTS[key] = _run_weight_scaling(X, y, class_weight, factor, epochs)
    return dict(_EXPERIMENTS[key])


def _run_weight_scaling(X, y, class_weight, factor, epochs):
    differences = {}
    for optimizer, lr in (("sgd", 0.5), ("adam", 0.01)):
        for convention in ("pytorch mean", "divide by n"):
            finals = []
            for scale in (1.0, factor):
                w = torch.tensor(np.asarray(class_weight) * scale, dtype=torch.float32)
                if convention == "pytorch mean":
                    loss_fn = lambda z, t, w=w: F.cross_entropy(z, t, weight=w)  # noqa: E731
                else:
                    loss_fn = lambda z, t, w=w: (w[t] * F.cross_entropy(z, t, reduction="none")).mean()  # noqa: E731
                model = mlp(X.shape[1], (), int(np.max(y)) + 1, seed=0)
                train(model, X, y, loss_fn, epochs=epochs, lr=lr, optimizer=optimizer)
                finals.append(torch.cat([p.detach().ravel() for p in model.parameters()]))
            differences[optimizer, convention] = float((finals[1] - finals[0]).abs().max() / finals[0].abs().max())
    return differences


def _verdict(difference):
    return "same" if difference < 1e-2 else "changes"


_EXPLAIN = {
    ("sgd", "pytorch mean"): "PyTorch's mean divides by sum_i w[y_i], which grows by the same factor: the factor "
                             "cancels, so loss, gradient and every step are unchanged",
    ("adam", "pytorch mean"): "PyTorch's mean divides by sum_i w[y_i], which grows by the same factor: the loss "
                              "itself does not change, so no optimiser can see the difference",
    ("sgd", "divide by n"): "dividing by n keeps the factor: every gradient is 10 times larger and SGD's step is the "
                            "learning rate times the gradient - a 10 times larger learning rate",
    ("adam", "divide by n"): "Adam divides each step by a running estimate of the gradient's size, so a constant "
                             "factor cancels (up to its tiny epsilon)",
}


def check_weight_scaling_prediction(prediction, X, y, class_weight, hidden=False):
    """Task 3: compare the student's four predictions with the experiment, and explain each gap."""
    check_choices("prediction", prediction, PREDICTION_KEYS, PREDICTION_VALUES)
    factor = 3.0 if hidden else 10.0
    measured = weight_scaling_experiment(X, y, class_weight, factor=factor)
    wrong = [key for key in PREDICTION_KEYS if prediction[key] != _verdict(measured[key])]
    if wrong:
        lines = [f"  {key}: you predicted '{prediction[key]}'; the runs differ by {measured[key]:.1e} "
                 f"(relative) - {_EXPLAIN[key]}" for key in wrong]
        fail(f"prediction: {len(wrong)} of 4 predictions disagree with the experiment (weights x{factor:g}):\n"
             + "\n".join(lines))
    passed(f"prediction: all four match the experiment (weights x{factor:g})")


# ---------------------------------------------------------------- task 4 (derive)

_BA_CASES = [
    ("always negative, 1 % positives", np.r_[np.zeros(99, int), 1], np.zeros(100, int)),
    ("three classes", np.array([0, 0, 1, 1, 2, 2, 2, 2]), np.array([0, 1, 1, 1, 2, 0, 2, 2])),
    ("a class never predicted", np.array([0, 0, 1, 2, 2, 2]), np.array([0, 0, 0, 2, 2, 1])),
]
_BA_HIDDEN = [
    ("a predicted class absent from y_true", np.array([0, 0, 0, 1, 1]), np.array([0, 2, 0, 1, 2])),
    ("labels 3 and 7 only", np.array([3, 3, 3, 7]), np.array([3, 7, 7, 7])),
    ("perfect", np.array([1, 0, 2, 1]), np.array([1, 0, 2, 1])),
]


def _balanced_accuracy(t, p):
    return float(np.mean([np.mean(p[t == k] == k) for k in np.unique(t)]))


def _mean_precision(t, p, classes):
    values = [np.mean(t[p == k] == k) if np.any(p == k) else 0.0 for k in classes]
    return float(np.mean(values))


def _imitations(t, p):
    """What common mistakes return on (t, p), each with the message that names it."""
    in_either = np.union1d(t, p)
    recall_over_union = float(np.mean([np.mean(p[t == k] == k) if np.any(t == k) else 0.0 for k in in_either]))
    tp = np.array([np.sum((t == k) & (p == k)) for k in np.unique(t)])
    macro_f1 = float(np.mean([2 * tp_k / (np.sum(t == k) + np.sum(p == k)) for k, tp_k in zip(np.unique(t), tp)]))
    return [
        (float(np.mean(t == p)), "you computed plain accuracy (correct / N), which lets the large classes dominate; "
                                 "give every true class the same say"),
        (_mean_precision(t, p, np.unique(t)), "you averaged per-class precision (the share of predictions of class k "
                                              "that are right); balanced accuracy averages recall, the share of class "
                                              "k's examples predicted as k"),
        (_mean_precision(t, p, np.unique(p)), "you averaged per-class precision over the predicted classes; balanced "
                                              "accuracy averages each TRUE class's recall"),
        (recall_over_union, "you averaged over every label that appears in y_true or y_pred; a class that never occurs "
                            "in y_true has no recall and must not count"),
        (macro_f1, "you computed the macro-averaged F1; balanced accuracy averages recall only"),
    ]


def check_balanced_accuracy_score(balanced_accuracy_score, hidden=False):
    """Task 4: the mean over the classes present in y_true of each class's recall.

    All cases are run first; a wrong answer is then named by the common mistake that reproduces it on every
    case (two mistakes can coincide on one case, e.g. plain accuracy and precision when one class is predicted).
    """
    cases = _BA_HIDDEN if hidden else _BA_CASES
    got = {}
    for case, t, p in cases:
        with task("balanced_accuracy_score"):
            got[case] = check_scalar(f"balanced_accuracy_score ({case})", balanced_accuracy_score(t.copy(), p.copy()))
    wrong = [(case, t, p) for case, t, p in cases if not np.isclose(got[case], _balanced_accuracy(t, p), rtol=1e-9,
                                                                       atol=1e-12)]
    if wrong:
        first = wrong[0][0]
        imitations = {case: _imitations(t, p) for case, t, p in cases}
        for index, (_, message) in enumerate(imitations[first]):
            if all(np.isclose(got[case], imitations[case][index][0], rtol=1e-9, atol=1e-12) for case, _, _ in cases):
                fail(f"balanced_accuracy_score ({first}): {message}.")
        fail(f"balanced_accuracy_score ({first}): not the mean of the per-class recalls of the classes in y_true. "
             "Hint: for each class k in y_true, the share of its examples predicted as k; then the plain mean.")
    passed("balanced_accuracy_score: the mean per-class recall" + (" (hidden cases)" if hidden else ""))
