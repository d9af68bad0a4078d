"""Checks for exercise 13 (multi-label classification).

Each check recomputes the property its task asks for from what the student returned, names the case
that exposes a mistake and asks a question; none prints the answer. The graded (hidden) part is not here: it
is in ``wloss_grading.ex13``, which calls the same case runners (``element_weights_holds``, ...) on inputs the student
never sees and grades the predictions against the experiments.
"""
from functools import lru_cache

import numpy as np

from wloss.checks import (CheckFailed, check_array, check_recorded_prediction, check_scalar, fail, library_blocked,
                          passed, task)
from wloss.metrics import per_label_recall_precision

# ---------------------------------------------------------------- task 1 (debug): balanced weights per entry

#: 10 rows, 3 labels present in 5, 2 and 1 rows; rows carry 0, 1 or 2 labels.
_Y_TALL = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 0], [0, 0, 0], [1, 0, 1],
                    [0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
#: 4 rows and 4 labels: an answer that counts along the rows has the right shape here.
_Y_SQUARE = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]])
_Y_NO_POSITIVE = np.array([[1, 0], [0, 0], [1, 0]])


def _right_pos_weight(Y):
    """Negatives over positives down each column (the per-column pos_weight of tasks 3 and 7)."""
    Y = np.asarray(Y, dtype=float)
    n_pos = Y.sum(axis=0)
    return (len(Y) - n_pos) / n_pos


def _counted_by_row(Y):
    """Positives and negatives of each label counted one row at a time: a reference that shares no formula with
    a vectorised answer."""
    positives = [0] * len(Y[0])
    for row in Y:
        for label, value in enumerate(row):
            positives[label] += int(bool(value))
    return np.array(positives, dtype=float), np.array([len(Y) - p for p in positives], dtype=float)


#: The libraries' own versions of task 1, blocked while the student's function runs.
_ELEMENT_WEIGHT_LIBRARY = ("sklearn.utils.class_weight.compute_sample_weight",
                           "sklearn.utils.class_weight.compute_class_weight",
                           "wloss.weights.pos_weight_per_label")


def _diagnose_element_weights(W, Y, case):
    """A question for the usual wrong answers, from what the weights do (never the right weights)."""
    n_labels = Y.shape[1]
    n_pos, n_neg = _counted_by_row(Y.tolist())
    if n_labels > 1 and np.allclose(W, W[:, :1]) and not np.allclose(n_pos, n_pos[0]):
        fail(f"element_weights ({case}): every label of a row gets the same weight, although the labels' counts of "
             "positives differ. Whose counts should decide the weight of entry (i, l)?")
    Yb = Y.astype(bool)
    pos_total = np.array([W[Yb[:, l], l].sum() for l in range(n_labels)])
    neg_total = np.array([W[~Yb[:, l], l].sum() for l in range(n_labels)])
    unbalanced = ~np.isclose(pos_total, neg_total, rtol=1e-9)
    if unbalanced.any():
        l = int(np.flatnonzero(unbalanced)[0])
        fail(f"element_weights ({case}): in label {l} ({int(n_pos[l])} positive, {int(n_neg[l])} negative rows) the "
             "positives' weights and the negatives' weights add up to different totals. What does "
             "class_weight='balanced' make equal between the two classes of a binary problem?")
    fail(f"element_weights ({case}): in every label the positives and the negatives carry equal totals, but not the "
         "totals that class_weight='balanced' gives a binary problem of this many rows. How large is the weight of "
         "one example of a class under 'balanced', in terms of the class's count?")


def check_element_weights(element_weights):
    """Task 1: scikit-learn's 'balanced' weights of each label on its own, one per entry of Y; a ValueError for a
    label without positives.

    The student's function runs with scikit-learn's compute_sample_weight and compute_class_weight (and wloss's
    per-label weights) blocked; its weights are compared with counts taken row by row here.
    """
    element_weights_holds(element_weights, [_Y_TALL, _Y_SQUARE])
    raises_for_one_class(element_weights, _Y_NO_POSITIVE, "Y whose second column has no positive")
    passed("element_weights: each label's positives and negatives weighted as 'balanced' weighs a binary problem; a "
           "column without positives raises ValueError")


def raises_for_one_class(element_weights, Y, case):
    """Fail unless ``element_weights`` raises ValueError on ``Y``, one of whose columns holds one class only."""
    try:
        with library_blocked("element_weights", *_ELEMENT_WEIGHT_LIBRARY), \
                np.errstate(divide="ignore", invalid="ignore"):
            returned = element_weights(Y.copy())
    except CheckFailed:
        raise
    except NotImplementedError:
        fail("element_weights: not done yet - replace `raise NotImplementedError()` with your code.")
    except ValueError:
        return
    except Exception as exc:
        fail(f"element_weights ({case}): expected a ValueError saying which column, got {type(exc).__name__}: {exc}")
    fail(f"element_weights ({case}): expected a ValueError, but your function returned an array. What would "
         "training do with an infinite or NaN weight, and which class's count is zero here?")


def element_weights_holds(element_weights, cases, first=1):
    """Fail unless the weights of each matrix of ``cases`` are 'balanced' per label, entry by entry."""
    for k, Y in enumerate(cases, start=first):
        Y = np.asarray(Y)
        case = f"case {k}: Y of shape {Y.shape}"
        with library_blocked("element_weights", *_ELEMENT_WEIGHT_LIBRARY), task("element_weights"):
            raw = element_weights(Y.copy())
        W = check_array(f"element_weights ({case})", raw, shape=Y.shape)
        if not all(_balanced_label(W[:, l], Y[:, l].astype(bool), len(Y)) for l in range(Y.shape[1])):
            _diagnose_element_weights(W, Y, case)


def _balanced_label(weights, positive, n) -> bool:
    """'balanced' for one label, by its properties: one weight per class, and each class's weights adding up to
    half of the n rows' total (so the two classes weigh the same and the mean weight is 1)."""
    halves = [weights[positive], weights[~positive]]
    return all(np.allclose(half, half[0], rtol=1e-9) and np.isclose(half.sum(), n / 2, rtol=1e-9) for half in halves)

# ---------------------------------------------------------------- task 2 (derive): thresholds of a weighted model

VISIBLE_THRESHOLD_CASES = [
    (np.array([1.0, 19.0]), np.array([9.0, 2.0]), np.array([1.0, 3.0])),
    (np.array([3.0, 9.0, 49.0]), np.array([4.0, 10.0, 20.0]), np.array([1.0, 1.0, 2.0])),
]
#: Calibrated probabilities q on which the decisions are compared.
_Q_GRID = np.linspace(0.0005, 0.9995, 1999)


def _weighted_model_output(q, w):
    """By brute force: the output s in (0, 1) that minimises the expected weighted BCE
    -(w q log s + (1 - q) log(1 - s)) of an example whose true probability is q, found by bisection on its
    derivative (which increases in s). No closed form is used."""
    q, w = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(w, dtype=float))
    low, high = np.zeros(q.shape), np.ones(q.shape)
    for _ in range(80):
        s = (low + high) / 2
        slope = -w * q / s + (1 - q) / (1 - s)
        low, high = np.where(slope < 0, s, low), np.where(slope < 0, high, s)
    return (low + high) / 2


def check_weighted_model_thresholds(weighted_model_thresholds):
    """Task 2: thresholds on a pos_weight-trained model's outputs that give the decisions of smaller expected cost."""
    thresholds_hold(weighted_model_thresholds, VISIBLE_THRESHOLD_CASES)
    passed("weighted_model_thresholds: on the weighted model's outputs your thresholds make the decisions of smaller "
           "expected cost")


def thresholds_hold(weighted_model_thresholds, cases):
    """Fail unless, on each case and label, "output >= threshold" is the cheaper decision for every calibrated q of
    a fine grid (ties excluded), the weighted model's output for q found by brute force."""
    for k, (w, c_fn, c_fp) in enumerate(cases):
        case = f"case {k + 1}: pos_weight {w.tolist()}, fn_cost {c_fn.tolist()}, fp_cost {c_fp.tolist()}"
        with task("weighted_model_thresholds"):
            raw = weighted_model_thresholds(w.copy(), c_fn.copy(), c_fp.copy())
        got = check_array(f"weighted_model_thresholds ({case})", raw, shape=w.shape)
        if np.any(~np.isfinite(got)) or np.any((got < 0) | (got > 1)):
            fail(f"weighted_model_thresholds ({case}): a threshold on a probability must lie in [0, 1].")
        cost_if_flagged = (1 - _Q_GRID[:, None]) * c_fp                  # expected cost of predicting the label
        cost_if_not = _Q_GRID[:, None] * c_fn                             # expected cost of not predicting it
        cheaper = cost_if_flagged < cost_if_not
        clear = ~np.isclose(cost_if_flagged, cost_if_not, rtol=1e-6)
        output = _weighted_model_output(_Q_GRID[:, None], w[None, :])
        yours = output >= got[None, :]
        for l in range(len(w)):
            wrong = np.flatnonzero((yours[:, l] != cheaper[:, l]) & clear[:, l])
            if not wrong.size:
                continue
            predicts_too_often = bool(yours[wrong[0], l])
            if np.allclose(got, (c_fp / (c_fp + c_fn))) and not np.allclose(w, 1.0):
                fail(f"weighted_model_thresholds ({case}): your thresholds would make the cheaper decisions on "
                     "calibrated probabilities, but this model was trained with pos_weight. For an example whose "
                     "true probability is q, does the weighted model still output q?")
            if np.allclose(got, 0.5):
                fail(f"weighted_model_thresholds ({case}): your thresholds are 0.5 whatever the costs. Where do "
                     "fn_cost and fp_cost enter your decision?")
            side = ("predicts the label for some examples where not predicting it is cheaper" if predicts_too_often
                    else "misses the label for some examples where predicting it is cheaper")
            fail(f"weighted_model_thresholds ({case}): for label {l} your threshold {side}. What does the weighted "
                 "model output for an example whose true probability sits exactly where the two decisions cost "
                 "the same?")


# ---------------------------------------------------------------- task 3 (predict): 'balanced' per entry vs pos_weight

BALANCED_KEYS = ("most common label", "rarest label")
BALANCED_CHOICES = ("higher", "lower", "about the same")
#: "about the same": the two recalls differ by less than this.
SAME_WITHIN = 0.03


def _tagger_data(seed):
    """Task 3's data: four labels present in about 40 %, 12 %, 3 % and 0.5 % of the rows; 4,000 rows to train on,
    5,000 to test on."""
    rng = np.random.default_rng(1000 + seed)
    D, L, rates = 6, 4, np.array([0.40, 0.12, 0.04, 0.015])
    W = rng.normal(0.0, 1.2, (D, L))
    spread = np.sqrt(np.sum(W ** 2, axis=0))          # sd of x.w; the probit approximation sets the rates
    b = np.log(rates / (1 - rates)) * np.sqrt(1 + np.pi * spread ** 2 / 8)
    X = rng.standard_normal((9000, D))
    P = 1 / (1 + np.exp(-(X @ W + b)))
    Y = (rng.random(P.shape) < P).astype(float)
    return X[:4000], Y[:4000], X[4000:], Y[4000:]


def _train_and_test(X_tr, Y_tr, X_te, Y_te, w, entry_weight=None):
    """A linear model trained with BCEWithLogitsLoss(pos_weight=w) (or, with ``entry_weight``, with weight=that (N, L)
    matrix and no pos_weight) to convergence; recall and precision per label on the test rows at the threshold 0.5."""
    import torch
    import torch.nn.functional as F

    D, L = X_tr.shape[1], Y_tr.shape[1]
    Xt, Yt = torch.tensor(X_tr), torch.tensor(Y_tr)
    Wm = torch.zeros(D, L, dtype=torch.float64, requires_grad=True)
    bm = torch.zeros(L, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([Wm, bm], lr=1, max_iter=200, tolerance_grad=1e-10, tolerance_change=1e-12,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        if entry_weight is None:
            loss = F.binary_cross_entropy_with_logits(Xt @ Wm + bm, Yt, pos_weight=torch.tensor(w, dtype=torch.float64))
        else:
            loss = F.binary_cross_entropy_with_logits(Xt @ Wm + bm, Yt, weight=torch.tensor(entry_weight))
        loss.backward()
        return loss

    opt.step(closure)
    scores = X_te @ Wm.detach().numpy() + bm.detach().numpy()
    return per_label_recall_precision(Y_te, (scores >= 0).astype(float))


@lru_cache(maxsize=4)
def balanced_experiment(seed=0):
    """Train a linear model with the per-column pos_weight and with scikit-learn's 'balanced' weight of each label
    on its own, one weight per entry; test recall per label.

    Four labels present in about 40 %, 12 %, 3 % and 0.5 % of the rows. Returns a dict with the two recall vectors
    (label 0 the most common, label 3 the rarest).
    """
    X_tr, Y_tr, X_te, Y_te = _tagger_data(seed)
    n = len(Y_tr)
    n_pos = Y_tr.sum(axis=0)
    entries = np.where(Y_tr == 1, n / (2 * n_pos), n / (2 * (n - n_pos)))
    recall = {"per column": _train_and_test(X_tr, Y_tr, X_te, Y_te, (n - n_pos) / n_pos)[0],
              "balanced per entry": _train_and_test(X_tr, Y_tr, X_te, Y_te, None, entry_weight=entries)[0]}
    return {"rates": n_pos / n, **recall}


def balanced_outcome(result) -> dict:
    """The experiment's answer for each key, in the words of the choices (label 0 the most common, 3 the rarest)."""
    outcome = {}
    for key, label in zip(BALANCED_KEYS, (0, 3)):
        diff = result["balanced per entry"][label] - result["per column"][label]
        outcome[key] = "about the same" if abs(diff) < SAME_WITHIN else ("higher" if diff > 0 else "lower")
    return outcome


def check_balanced_prediction(prediction, balanced_reason, announce=True):
    """Task 3: the two choices and a one-line reason are recorded and well formed (not whether they are right: the
    graded part, ``wloss_grading.ex13``, compares them with the experiment)."""
    check_recorded_prediction("prediction", prediction, BALANCED_KEYS, BALANCED_CHOICES, "balanced_reason",
                              balanced_reason, "in one sentence, how do the two weightings treat a label's positives "
                              "and its negatives?", announce=announce)


# ---------------------------------------------------------------- task 4 (debug): a NumPy multi-label RWWCE

def loss_cases(seed, n, L):
    """Moderate logits, then logits of +-1e4 and +-800, then every logit wrong by 40, for an (n, L) problem."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(0, 2, (n, L))
    Y = (rng.random((n, L)) < 0.4).astype(float)
    c_fn, c_fp = rng.uniform(1, 10, L), rng.uniform(0.5, 2, L)
    huge = Z.copy()
    huge[0, :] = np.where(Y[0] == 1, -1e4, 1e4)      # confidently wrong on every label of row 0
    huge[1, :] = np.where(Y[1] == 1, 800.0, -800.0)   # confidently right on every label of row 1
    big = np.where(Y == 1, -40.0, 40.0)               # wrong by 40 everywhere: 1 - p underflows to 0
    return [("moderate logits", Z, Y, c_fn, c_fp), ("logits of +-1e4 and +-800", huge, Y, c_fn, c_fp),
            ("every logit wrong by 40", big, Y, c_fn, c_fp)]


def _torch_rwwce(Z, Y, c_fn, c_fp):
    """An independent value of the multi-label RWWCE: PyTorch's BCEWithLogitsLoss with weight c_fp and pos_weight
    c_fn / c_fp on every entry (which is c_fn on a positive's loss and c_fp on a negative's), in float64, summed over
    the labels of an example and averaged over examples."""
    import torch
    import torch.nn.functional as F

    per_entry = F.binary_cross_entropy_with_logits(
        torch.tensor(Z, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64),
        weight=torch.tensor(c_fp, dtype=torch.float64), pos_weight=torch.tensor(c_fn / c_fp, dtype=torch.float64),
        reduction="none")
    return float(per_entry.sum(dim=1).mean())


def check_multilabel_rwwce(multilabel_rwwce_np):
    """Task 4: mean over examples of the sum over labels, finite and exact for huge logits."""
    rwwce_holds(multilabel_rwwce_np, loss_cases(3, 6, 3))
    passed("multilabel_rwwce_np: exact on moderate logits, finite and exact at |z| = 1e4, averaged over examples")


def rwwce_holds(multilabel_rwwce_np, cases):
    """Fail unless the student's loss equals PyTorch's weighted BCE summed over labels, averaged over examples, on
    each case (finite for huge logits)."""
    for name, Z, Y, c_fn, c_fp in cases:
        case = f"{name}, Z of shape {Z.shape}"
        with task("multilabel_rwwce_np"):
            with np.errstate(all="ignore"):
                raw = multilabel_rwwce_np(Z.copy(), Y.copy(), c_fn.copy(), c_fp.copy())
        if raw is None:
            check_scalar(f"multilabel_rwwce_np ({case})", raw)
        try:
            got = np.asarray(raw.detach().cpu().numpy() if hasattr(raw, "detach") else raw, dtype=float)
        except (TypeError, ValueError):
            got = np.asarray([])
        if got.size == 1 and not np.isfinite(got.reshape(())):
            fail(f"multilabel_rwwce_np ({case}): the loss is {float(got.reshape(())):g}. Which step of your "
                 "computation overflows or takes the logarithm of 0 when a logit is as large as 1e4?")
        got = check_scalar(f"multilabel_rwwce_np ({case})", raw)
        right = _torch_rwwce(Z, Y, c_fn, c_fp)
        if np.isclose(got, right, rtol=1e-9):
            continue
        n, L = Z.shape
        if np.isclose(got * L, right, rtol=1e-9):
            fail(f"multilabel_rwwce_np ({case}): your value is the mean over all N x L entries. Over which axis "
                 "does the task's loss average, and over which does it add up?")
        if np.isclose(got, right * n, rtol=1e-9):
            fail(f"multilabel_rwwce_np ({case}): your value doubles when every example is given twice. Does the "
                 "task's reduction do that?")
        swapped = _torch_rwwce(Z, Y, c_fp, c_fn)
        if np.isclose(got, swapped, rtol=1e-9) or np.isclose(got * L, swapped, rtol=1e-9):
            fail(f"multilabel_rwwce_np ({case}): your value is the loss with fn_cost and fp_cost exchanged. Which "
                 "mistake does a label with y = 1 and a very negative logit make, and which cost does it carry?")
        if got < right * (1 - 1e-6) and name != "moderate logits":
            fail(f"multilabel_rwwce_np ({case}): your loss is too small for confidently wrong logits. How should "
                 "one label's loss grow as its logit gets more wrong, and does yours keep growing?")
        fail(f"multilabel_rwwce_np ({case}): the value does not match the multi-label RWWCE of these logits "
             f"(relative error {abs(got - right) / abs(right):.2e}). Does it add the right cost to each label's loss?")


# ---------------------------------------------------------------- task 6 (predict): switching off the rarest tag

#: A news tagger with 12 topics: the share of articles carrying each, and the tagger's recall and precision on it.
#: The rarest topic (0.3 % of the articles) is distinctive: found about 3 times in 4, right about 4 times in 5.
TOPIC_RATES = np.array([0.45, 0.30, 0.22, 0.15, 0.10, 0.07, 0.05, 0.03, 0.02, 0.012, 0.007, 0.003])
TOPIC_RECALL = np.array([0.90, 0.85, 0.80, 0.75, 0.70, 0.65, 0.60, 0.60, 0.55, 0.50, 0.55, 0.75])
TOPIC_PRECISION = np.array([0.85, 0.80, 0.75, 0.70, 0.65, 0.60, 0.55, 0.50, 0.50, 0.45, 0.50, 0.80])
SILENCED_KEYS = ("micro recall", "macro recall", "micro F1", "macro F1")
SILENCED_CHOICES = ("rises", "falls", "stays")
#: "stays": the average changes by less than this, either way.
STAYS_WITHIN = 0.01

def _averages(Y, Y_pred):
    """Micro and macro recall and F1 of 0/1 decisions, from each label's TP, FP and FN."""
    tp = (Y * Y_pred).sum(axis=0)
    fp = ((1 - Y) * Y_pred).sum(axis=0)
    fn = (Y * (1 - Y_pred)).sum(axis=0)
    return {"micro recall": float(tp.sum() / (tp.sum() + fn.sum())),
            "macro recall": float(np.mean(tp / (tp + fn))),
            "micro F1": float(2 * tp.sum() / (2 * tp.sum() + fp.sum() + fn.sum())),
            "macro F1": float(np.mean(2 * tp / (2 * tp + fp + fn)))}


def _direction(change):
    return "stays" if abs(change) < STAYS_WITHIN else ("rises" if change > 0 else "falls")


@lru_cache(maxsize=4)
def silenced_label_experiment(seed=0):
    """Switch off the rarest of 12 topics of a simulated tagger and recompute micro and macro recall and F1.

    20,000 articles; each topic is present with its rate in ``TOPIC_RATES``; the tagger finds a present topic with
    probability ``TOPIC_RECALL`` and flags an absent one at the rate that gives ``TOPIC_PRECISION``. Switching off
    sets the last (rarest) column of the decisions to 0; the targets keep its positives. Only random draws and
    counts: the result is the same on every CPU.
    """
    rng = np.random.default_rng(1300 + seed)
    n = 20_000
    Y = (rng.random((n, len(TOPIC_RATES))) < TOPIC_RATES).astype(float)
    false_alarm = TOPIC_RATES * TOPIC_RECALL * (1 - TOPIC_PRECISION) / (TOPIC_PRECISION * (1 - TOPIC_RATES))
    u = rng.random(Y.shape)
    Y_pred = np.where(Y == 1, u < TOPIC_RECALL, u < false_alarm).astype(float)
    switched_off = Y_pred.copy()
    switched_off[:, -1] = 0.0
    before, after = _averages(Y, Y_pred), _averages(Y, switched_off)
    rare_tp = float((Y[:, -1] * Y_pred[:, -1]).sum())
    return {
        "share of positives": float(Y[:, -1].sum() / Y.sum()),
        "share of predictions": float(Y_pred[:, -1].sum() / Y_pred.sum()),
        "recall": rare_tp / float(Y[:, -1].sum()),
        "precision": rare_tp / float(Y_pred[:, -1].sum()),
        "before": before,
        "after": after,
        "outcome": {key: _direction(after[key] - before[key]) for key in SILENCED_KEYS},
    }


def check_silenced_prediction(prediction, reason, announce=True):
    """Task 6: the prediction and its reason are recorded and well formed (not whether they are right: the graded
    part, ``wloss_grading.ex13``, grades the four directions against the experiment and another draw)."""
    check_recorded_prediction("silenced_prediction", prediction, SILENCED_KEYS, SILENCED_CHOICES,
                              "silenced_reason", reason, "in one sentence, what makes each average move or not?",
                              announce=announce)


# ---------------------------------------------------------------- task 7 (open): a weighting scheme of your own


def _macro_f1(recall, precision):
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(recall + precision > 0, 2 * recall * precision / (recall + precision), 0.0)
    return float(np.mean(f1))


def weights_of(my_pos_weight, Y, case):
    """The student's weights for the training labels ``Y``, failing unless they are one positive finite number per
    label."""
    with task("my_pos_weight"):
        raw = my_pos_weight(Y.copy())
    w = check_array(f"my_pos_weight ({case})", raw, shape=(Y.shape[1],))
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        fail(f"my_pos_weight ({case}): every weight must be a positive finite number. What does your scheme give a "
             "label with very few positives?")
    return w


def pos_weight_experiment(my_pos_weight, seed=0):
    """Task 7's experiment: task 3's model trained with ``my_pos_weight(Y_train)`` and with the per-column weight.

    Returns {"rates", "weights": {"yours", "per column"}, "recall": {...}, "precision": {...}, "macro F1": {...}}.
    The numbers come from training: they may move in the last digits on another CPU.
    """
    X_tr, Y_tr, X_te, Y_te = _tagger_data(seed)
    n_pos = Y_tr.sum(axis=0)
    weights = {"yours": weights_of(my_pos_weight, Y_tr, "task 3's training labels"),
               "per column": (len(Y_tr) - n_pos) / n_pos}
    result = {"rates": n_pos / len(Y_tr), "weights": weights, "recall": {}, "precision": {}, "macro F1": {}}
    for name, w in weights.items():
        recall, precision = _train_and_test(X_tr, Y_tr, X_te, Y_te, w)
        result["recall"][name], result["precision"][name] = recall, precision
        result["macro F1"][name] = _macro_f1(recall, precision)
    return result


def own_weights_hold(my_pos_weight, matrices):
    """Fail unless the scheme gives valid weights on each matrix and differs from the per-column and flattened ones."""
    for case, Y in matrices:
        w = weights_of(my_pos_weight, Y, case)
        n_pos = Y.sum(axis=0)
        if np.allclose(w, (len(Y) - n_pos) / n_pos) or np.allclose(w, (Y.size - Y.sum()) / Y.sum()):
            fail(f"my_pos_weight ({case}): these are lecture 13's weights (per column or flattened). What would "
                 "you change about them, and why?")


def check_own_weights(my_pos_weight, open_scheme, open_macro_f1):
    """Task 7: a scheme of the student's own (valid, neither the per-column nor the flattened weights), named, with
    the macro F1 it reported recomputed from the experiment."""
    if my_pos_weight is None or open_scheme is None or open_macro_f1 is None:
        fail("my_pos_weight, open_scheme, open_macro_f1: not filled in yet - write your scheme and run the "
             "experiment first.")
    if not isinstance(open_scheme, str) or len(open_scheme.split()) < 2:
        fail(f"open_scheme: expected a few words naming your scheme, got {open_scheme!r}")
    _, Y_train, _, _ = _tagger_data(0)
    own_weights_hold(my_pos_weight, [("task 3's training labels", Y_train)])
    reported = check_scalar("open_macro_f1", open_macro_f1)
    result = pos_weight_experiment(my_pos_weight)
    if not np.isclose(reported, result["macro F1"]["yours"], rtol=1e-6, atol=1e-9):
        fail("open_macro_f1: this is not the macro F1 of your weights in ex13.pos_weight_experiment(my_pos_weight) "
             "(seed 0). Did you run the experiment with the function you submitted?")
    passed(f"own weights ({open_scheme}): valid on task 3's labels, neither the per-column nor "
           "the flattened weights; macro F1 recomputed")
