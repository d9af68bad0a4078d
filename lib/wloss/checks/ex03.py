"""Checks for exercise 03 (class weights for K classes).

Each check recomputes the property its task asks for from what the student returned, names the smallest case
that exposes a mistake and asks a question; none prints the answer or names the fix. The instructor's hidden
cases, and the grading of the prediction against the experiment, are not here: they are in
``wloss_grading.ex03``, which calls the same case runners (``shares_hold``, ...) on inputs the student never sees.
"""
import hashlib

import numpy as np
import torch
import torch.nn.functional as F

from wloss.checks import (check_array, check_recorded_prediction, check_scalar, check_true, fail, library_blocked,
                          passed, task)
from wloss.training import mlp, train

# ---------------------------------------------------------------- task 1 (derive)

#: (counts, shares): the visible cases of weights_for_shares, smallest first.
SHARE_CASES = [
    ([50, 50], [0.8, 0.2]),
    ([900, 90, 10], [0.5, 0.3, 0.2]),
    ([70_000, 29_000, 1_000], [1 / 3, 1 / 3, 1 / 3]),
]


def check_weights_for_shares(weights_for_shares):
    """Task 1: class k carries ``shares[k]`` of the total weight, and the mean weight per example is 1."""
    shares_hold(weights_for_shares, SHARE_CASES)
    passed("weights_for_shares: each class carries its share of the total weight, and the mean weight per "
           "example is 1")


def shares_hold(weights_for_shares, cases):
    """Fail unless ``weights_for_shares`` meets both conditions of the task on each (counts, shares) of ``cases``."""
    for counts, shares in cases:
        counts, shares = np.array(counts), np.array(shares, dtype=float)
        case = f"counts={counts.tolist()}, shares={np.round(shares, 3).tolist()}"
        name = f"weights_for_shares({case})"
        with task("weights_for_shares"):
            got = weights_for_shares(counts.copy(), shares.copy())
        w = check_array(name, got, shape=counts.shape)
        check_true(bool(np.all(np.isfinite(w)) and np.all(w >= 0)),
                   f"{name}: some weight is negative or not finite - can a class weight be either?")
        total = counts * w
        check_true(total.sum() > 0, f"{name}: every class has total weight 0 - which condition can that meet?")
        got_shares = total / total.sum()
        if not np.allclose(got_shares, shares, rtol=1e-6, atol=1e-9):
            k = int(np.argmax(np.abs(got_shares - shares)))
            fail(f"{name}: with your weights class {k} carries {got_shares[k]:.3f} of the total weight "
                 f"sum_j n_j w_j, and condition 1 asks for a share of {shares[k]:.3f}. How does a class's total "
                 "weight depend on its count n_k and its weight w_k?")
        mean_per_example = total.sum() / counts.sum()
        if not np.isclose(mean_per_example, 1.0, rtol=1e-6):
            if np.isclose(w.mean(), 1.0):
                fail(f"{name}: the shares are right and the plain mean of your {len(w)} weights is 1, but the mean "
                     f"weight per example, (1/n) sum_i w_(y_i), is {mean_per_example:.4g}. Which of these two means "
                     "does condition 2 speak of, and over how many terms does each run?")
            fail(f"{name}: the shares are right, but the mean weight per example, (1/n) sum_i w_(y_i), is "
                 f"{mean_per_example:.4g}. What is n in this case, and what does your sum_i w_(y_i) add up to?")


# ---------------------------------------------------------------- task 2 (debug)

#: The label of a padding position, as in PyTorch's ``ignore_index`` default.
PAD = -100


def token_batch(lengths, num_tokens, class_weight, seed, dtype=torch.float64):
    """A batch of sentences padded to ``num_tokens`` positions: logits (B, T, K), labels (B, T) with PAD after each
    sentence's real tokens, and the class weights (K,). Reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    k = len(class_weight)
    logits = rng.normal(0.0, 1.5, size=(len(lengths), num_tokens, k))
    labels = np.full((len(lengths), num_tokens), PAD)
    for row, length in enumerate(lengths):
        labels[row, :length] = rng.integers(0, k, size=length)
    return (torch.tensor(logits, dtype=dtype), torch.tensor(labels),
            torch.tensor(np.asarray(class_weight, dtype=float), dtype=dtype))


#: (case, lengths of the sentences, padded length T, class weights, seed[, dtype]): the visible batches (float64).
TOKEN_CASES = [
    ("2 sentences of 5 and 1 tokens padded to 5, K = 3", [5, 1], 5, [0.2, 1.0, 6.0], 3),
    ("3 sentences of 6, 2 and 4 tokens padded to 6, K = 4", [6, 2, 4], 6, [0.5, 1.0, 4.0, 2.0], 4),
]


def _token_loss_by_loop(logits, labels, class_weight):
    """The docstring's loss written out one real token at a time (float64), for the value and its gradient."""
    z, w = logits.to(torch.float64), class_weight.to(torch.float64)
    terms = []
    for row in range(labels.shape[0]):
        for position in range(labels.shape[1]):
            label = int(labels[row, position])
            if label != PAD:
                scores = z[row, position]
                terms.append(w[label] * (torch.logsumexp(scores, dim=0) - scores[label]))
    return sum(terms) / len(terms)


def _call_token_loss(weighted_ce_per_token, name, logits, labels, class_weight, need_grad=False):
    z = logits.clone().requires_grad_(True)
    with task("weighted_ce_per_token"):
        out = weighted_ce_per_token(z, labels.clone(), class_weight.clone())
    if not isinstance(out, torch.Tensor):
        fail(f"{name}: your function returned {type(out).__name__}; a training loop needs a torch tensor that "
             "gradients flow through. Which step turned the loss into a plain number?")
    if out.numel() != 1:
        fail(f"{name}: one number for the batch expected, got shape {tuple(out.shape)}")
    if need_grad:
        return z, out
    return float(out.detach().reshape(()))


def token_losses_hold(weighted_ce_per_token, cases):
    """Fail unless ``weighted_ce_per_token`` has the docstring's properties and value on each case of ``cases``.

    Each property is tested on a changed copy of the batch (weights scaled, padding added, tokens regrouped, the
    batch copied, one weight changed), so a wrong divisor fails with the change that exposes it.
    """
    for case, lengths, num_tokens, class_weight, seed, *dtype in cases:
        name = f"weighted_ce_per_token ({case})"
        dtype = dtype[0] if dtype else torch.float64
        logits, labels, w = token_batch(lengths, num_tokens, class_weight, seed, dtype)
        z, out = _call_token_loss(weighted_ce_per_token, name, logits, labels, w, need_grad=True)
        if not out.requires_grad:
            fail(f"{name}: no gradient flows back from your loss to the logits. Which step cut the graph?")
        value = float(out.detach().reshape(()))
        scaled = _call_token_loss(weighted_ce_per_token, name, logits, labels, 3 * w)
        if not np.isclose(scaled, 3 * value, rtol=1e-4, atol=1e-7):
            ratio = f"{scaled / value:.3g}" if value else "undefined"
            fail(f"{name}: with every class weight multiplied by 3 the docstring's loss is 3 times as large, and "
                 f"yours changes by the factor {ratio}. What in your value grows with the weights, besides the "
                 "weighted terms?")
        k = len(class_weight)
        extra = torch.tensor(np.random.default_rng(seed + 1).normal(0.0, 1.5, (len(lengths), 3, k)), dtype=dtype)
        padded = _call_token_loss(weighted_ce_per_token, name, torch.cat([logits, extra], dim=1),
                                  torch.cat([labels, torch.full((len(lengths), 3), PAD)], dim=1), w)
        if not np.isclose(padded, value, rtol=1e-4, atol=1e-7):
            fail(f"{name}: three more padding positions after every sentence (no new token) change your value. "
                 "Which positions does your value count?")
        real = labels != PAD
        one_sentence = _call_token_loss(weighted_ce_per_token, name, logits[real].unsqueeze(0),
                                        labels[real].unsqueeze(0), w)
        if not np.isclose(one_sentence, value, rtol=1e-4, atol=1e-7):
            fail(f"{name}: the same tokens, with the same labels and logits, written as one sentence instead of "
                 f"{len(lengths)} give another value. What does the docstring's mean run over?")
        twice = _call_token_loss(weighted_ce_per_token, name, torch.cat([logits, logits]), torch.cat([labels, labels]),
                                 w)
        if not np.isclose(twice, value, rtol=1e-4, atol=1e-7):
            fail(f"{name}: two copies of the batch give another value than one copy, which no mean does. What does "
                 "your value add up, and what does it divide by?")
        present = int(labels[real][0])
        changed_w = w.clone()
        changed_w[present] = changed_w[present] * 5
        changed = _call_token_loss(weighted_ce_per_token, name, logits, labels, changed_w)
        if np.isclose(changed, value, rtol=1e-6, atol=1e-9):
            fail(f"{name}: the weight of class {present}, which some real tokens have, multiplied by 5 leaves your "
                 "value unchanged. Where do the class weights enter your value?")
        reference = logits.clone().requires_grad_(True)
        promised = _token_loss_by_loop(reference, labels, w)
        if not np.isclose(value, float(promised.detach()), rtol=1e-4, atol=1e-7):
            fail(f"{name}: your value passes the changes above but is not the docstring's (1/M) sum over the M real "
                 "tokens of w[y_t] CE_t. Which term of your sum differs from CE_t, the cross-entropy of one token?")
        (grad,) = torch.autograd.grad(out.reshape(()), z)
        (expected_grad,) = torch.autograd.grad(promised, reference)
        if not torch.allclose(grad.to(torch.float64), expected_grad.to(torch.float64), rtol=1e-3, atol=1e-6):
            fail(f"{name}: the value is right but its gradient with respect to the logits is not. Which step of "
                 "your computation does autograd follow differently from the value?")


def check_weighted_ce_per_token(weighted_ce_per_token):
    """Task 2: the mean over a batch's real tokens of w[y_t] CE_t, a tensor that gradients flow through."""
    token_losses_hold(weighted_ce_per_token, TOKEN_CASES)
    passed("weighted_ce_per_token: the mean over the real tokens, unchanged by padding, regrouping and copies, "
           "proportional to the weights, with its gradient")


# ---------------------------------------------------------------- task 3 (predict)

PREDICTION_KEYS = (("sgd", "pytorch mean"), ("adam", "pytorch mean"), ("sgd", "divide by n"), ("adam", "divide by n"))
PREDICTION_VALUES = ("same", "changes")
#: Above this largest relative change of a parameter, the two runs count as a changed model.
SAME_BELOW = 1e-2

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


def verdict(difference):
    """'same' when the largest relative change of a parameter is below :data:`SAME_BELOW`, else 'changes'."""
    return "same" if difference < SAME_BELOW else "changes"


def check_weight_scaling_prediction(prediction, reason):
    """Task 3: the four predictions and a one-line reason are recorded and well formed (not whether they are right:
    the graded part compares them with the experiment)."""
    check_recorded_prediction("prediction", prediction, PREDICTION_KEYS, PREDICTION_VALUES, "reason", reason,
                              "in one sentence, what does multiplying every weight by 10 do to the loss, and what "
                              "does each optimiser do with that?")


# ---------------------------------------------------------------- task 5 (derive)

#: The library's own per-class recalls and accuracies, blocked while the student's function runs.
DEPLOYED_FUNCTIONS = ("wloss.metrics.per_class_recall", "wloss.metrics.balanced_accuracy",
                      "wloss.metrics.confusion_matrix", "sklearn.metrics.recall_score",
                      "sklearn.metrics.balanced_accuracy_score", "sklearn.metrics.accuracy_score",
                      "sklearn.metrics.confusion_matrix")

#: (case, y_true, y_pred, priors): the visible cases, smallest first.
DEPLOYED_CASES = [
    ("two classes, priors 0.5 and 0.5", [0, 0, 0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1, 1, 0], [0.5, 0.5]),
    ("three classes, priors 0.2, 0.5, 0.3", [0, 0, 0, 0, 1, 1, 2, 2, 2, 2], [0, 0, 1, 0, 1, 2, 2, 2, 0, 2],
     [0.2, 0.5, 0.3]),
    ("three classes, class 1 never in y_true and prior 0", [0, 0, 0, 2, 2, 2, 2], [0, 1, 0, 2, 2, 1, 0],
     [0.7, 0.0, 0.3]),
]


def _deployed_by_reweighting(t, p, priors):
    """Accuracy on the test examples re-weighted so that class k holds the share priors[k] of the total weight."""
    counts = np.bincount(t, minlength=len(priors)).astype(float)
    weight = np.zeros(len(priors))
    weight[counts > 0] = np.asarray(priors, dtype=float)[counts > 0] / counts[counts > 0]
    example_weight = weight[t]
    return float(np.sum(example_weight * (t == p)) / np.sum(example_weight))


def _call_deployed(deployed_accuracy, name, t, p, priors):
    with task("deployed_accuracy"), library_blocked("deployed_accuracy", *DEPLOYED_FUNCTIONS):
        got = deployed_accuracy(np.array(t), np.array(p), np.array(priors, dtype=float))
    return check_scalar(name, got)


def deployed_holds(deployed_accuracy, cases):
    """Fail unless ``deployed_accuracy`` is right on each case of ``cases`` and has the properties of the task."""
    for case, t, p, priors in cases:
        t, p, priors = np.array(t), np.array(p), np.array(priors, dtype=float)
        name = f"deployed_accuracy ({case})"
        got = _call_deployed(deployed_accuracy, name, t, p, priors)
        check_true(0.0 <= got <= 1.0, f"{name}: {got:.4g} is not an accuracy; what share of examples can a "
                                      "classifier get right?")
        present = [k for k in np.unique(t) if priors[k] > 0]
        k = present[-1]
        constant = _call_deployed(deployed_accuracy, f"{name}, every example predicted as class {k}", t,
                                  np.full_like(t, k), priors)
        if not np.isclose(constant, priors[k], rtol=1e-9, atol=1e-12):
            fail(f"{name}: a classifier that predicts class {k} for every example gets {constant:.3f} from your "
                 f"function. In the deployment, what share of the examples does such a classifier get right?")
        copied_t = np.r_[t, np.repeat(t[t == k], 9)]
        copied_p = np.r_[p, np.repeat(p[t == k], 9)]
        copied = _call_deployed(deployed_accuracy, f"{name}, class {k}'s examples copied ten times", copied_t,
                                copied_p, priors)
        if not np.isclose(copied, got, rtol=1e-9, atol=1e-12):
            fail(f"{name}: copying every test example of class {k} ten times changes your value, but the "
                 "deployment's class shares are the priors, whatever the test set holds. Which of your quantities "
                 "depends on how many test examples a class has?")
        if not np.isclose(got, _deployed_by_reweighting(t, p, priors), rtol=1e-9, atol=1e-12):
            fail(f"{name}: your value passes the two probes above but is not the expected accuracy in the "
                 "deployment. Which prior does each class's term of your sum get?")


def check_deployed_accuracy(deployed_accuracy):
    """Task 5: the expected accuracy where class k makes up the share priors[k] of the examples."""
    deployed_holds(deployed_accuracy, DEPLOYED_CASES)
    passed("deployed_accuracy: the expected accuracy under the deployment's class shares, with the library's "
           "recalls and accuracies blocked")


# ---------------------------------------------------------------- task 7 (open)

def check_weighting_study(my_class_weight, y_train, study, reason):
    """Task 7: a weighting of one's own, compared with inverse frequency on validation data over several seeds.

    Checks only what can be checked without judging the choice: the weights are one per class, positive, with mean
    weight 1 per training example; the study holds at least three seeds and, for each, a balanced accuracy of each
    scheme on a validation split; and the reason is a sentence. The rubric grades the rest.
    """
    y_train = np.asarray(y_train)
    k = int(y_train.max()) + 1
    w = check_array("my_class_weight", my_class_weight, shape=(k,))
    check_true(bool(np.all(np.isfinite(w)) and np.all(w > 0)),
               "my_class_weight: every class needs a positive, finite weight - which class did you leave out?")
    mean = float(np.mean(w[y_train]))
    check_true(np.isclose(mean, 1.0, rtol=1e-4),
               f"my_class_weight: the mean weight per training example is {mean:.4g}; the comparison is fair only if "
               "both schemes leave the loss at the same scale. Which condition of task 1 is that?")
    if not isinstance(study, dict) or set(study) != {"seed", "inverse frequency", "mine"}:
        fail("study: expected a dict with the keys 'seed', 'inverse frequency' and 'mine', each a list with one "
             "entry per seed")
    seeds = list(study["seed"])
    check_true(len(seeds) >= 3 and len(set(seeds)) == len(seeds),
               f"study['seed']: {len(set(seeds))} different seeds; how many runs does it take to tell a difference "
               "from noise?")
    for scheme in ("inverse frequency", "mine"):
        values = check_array(f"study[{scheme!r}]", study[scheme], shape=(len(seeds),))
        check_true(bool(np.all((values >= 0) & (values <= 1))),
                   f"study[{scheme!r}]: a balanced accuracy lies between 0 and 1")
    if not isinstance(reason, str) or len(reason.split()) < 12:
        fail("reason: write two or three sentences: why these weights, and what the study says about them")
    passed("weighting study: weights, three or more seeds and a reason recorded (the choice is graded by hand)")
