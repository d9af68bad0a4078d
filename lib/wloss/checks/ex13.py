"""Checks for exercise 13 (multi-label classification).

Each check recomputes the property its task asks for from what the student returned, names the case
that exposes a mistake and gives a hint; none prints the answer. ``hidden=True`` runs the extra cases
of the graded (hidden) part.
"""
from functools import lru_cache

import numpy as np

from wloss.checks import (CheckFailed, check_array, check_choices, check_recorded_prediction, check_scalar, fail,
                          fail_disagreeing, library_blocked, passed, task)
from wloss.multilabel import bayes_thresholds, multilabel_rwwce_reference, per_label_recall_precision

# ---------------------------------------------------------------- task 1 (debug): pos_weight per label

#: 10 rows, 3 labels present in 5, 2 and 1 rows; rows carry 0, 1 or 2 labels.
_Y_TALL = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 0], [0, 0, 0], [1, 0, 1],
                    [0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
#: 4 rows and 4 labels: a per-row answer has the right shape here and only its values give it away.
_Y_SQUARE = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]])
_Y_NO_POSITIVE = np.array([[1, 0], [0, 0], [1, 0]])


def _hidden_matrices():
    rng = np.random.default_rng(13)
    Y = (rng.random((200, 5)) < np.array([0.5, 0.2, 0.08, 0.03, 0.6])).astype(int)
    Y[0] = 1
    return [Y, Y.astype(bool), _Y_SQUARE.T.copy()]


def _right_pos_weight(Y):
    Y = np.asarray(Y, dtype=float)
    n_pos = Y.sum(axis=0)
    return (len(Y) - n_pos) / n_pos


def _counted_by_row(Y):
    """Positives and negatives of each label counted one row at a time: a reference that shares no formula with
    a vectorised answer (nor with wloss.multilabel.pos_weight_per_label)."""
    positives = [0] * len(Y[0])
    for row in Y:
        for label, value in enumerate(row):
            positives[label] += int(bool(value))
    return np.array(positives, dtype=float), np.array([len(Y) - p for p in positives], dtype=float)


#: The library's own version of task 1, blocked while the student's function runs.
_POS_WEIGHT_LIBRARY = "wloss.multilabel.pos_weight_per_label"


def _diagnose_pos_weight(got, Y, case):
    Y = np.asarray(Y, dtype=float)
    n, n_labels = Y.shape
    n_pos = Y.sum(axis=0)
    flat = np.full(n_labels, (Y.size - Y.sum()) / Y.sum())
    per_row = Y.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        row_versions = [(n_labels - per_row) / per_row, (n_labels - per_row) / np.maximum(per_row, 1)]
    if got.shape == flat.shape and np.allclose(got, flat):
        fail(f"pos_weight ({case}): every label got the same weight - you counted over the flattened matrix. Each "
             "label is its own binary problem with its own imbalance; count down each column.")
    if got.shape == (n,) and got.shape != (n_labels,):
        fail(f"pos_weight ({case}): you returned {n} numbers, one per row; BCEWithLogitsLoss wants one weight per "
             f"label, shape ({n_labels},). Hint: which axis of Y runs over the examples?")
    if any(got.shape == r.shape and np.allclose(got, r, equal_nan=True) for r in row_versions):
        fail(f"pos_weight ({case}): your weights follow how many labels each ROW carries (N = L here, so the shape "
             "looked right). Count the positives and negatives of each label down its column.")
    if got.shape == (n_labels,) and np.allclose(got * _right_pos_weight(Y), 1.0):
        fail(f"pos_weight ({case}): the rarest label got the smallest weight - the ratio is upside down. The weight "
             "must make the few positives of a label count as much as its many negatives.")
    if got.shape == (n_labels,) and np.allclose(got, n / (n_labels * n_pos)):
        fail(f"pos_weight ({case}): these are softmax-style class weights N / (L n+). The labels are not the classes "
             "of one softmax: a label's positives are balanced against that label's negatives.")


def check_pos_weight(pos_weight, hidden=False):
    """Task 1: negatives over positives down each column; a ValueError for a column without positives.

    The student's function runs with ``wloss.multilabel.pos_weight_per_label`` blocked; its weights are compared
    with counts taken row by row here (each label's weighted positives must balance its negatives).
    """
    cases = _hidden_matrices() if hidden else [_Y_TALL, _Y_SQUARE]
    for k, Y in enumerate(cases):
        case = f"case {k + 1}: Y of shape {Y.shape}"
        with library_blocked("pos_weight", _POS_WEIGHT_LIBRARY), task("pos_weight"):
            raw = pos_weight(Y.copy())
        got = np.asarray(check_array(f"pos_weight ({case})", raw), dtype=float)
        _diagnose_pos_weight(got, Y, case)
        n_pos, n_neg = _counted_by_row(Y.tolist())
        if got.shape != n_pos.shape:
            fail(f"pos_weight ({case}): expected one weight per label, shape {n_pos.shape}, got shape {got.shape}")
        balance = got * n_pos - n_neg
        if not np.allclose(balance, 0.0, atol=1e-9):
            l = int(np.argmax(np.abs(balance)))
            fail(f"pos_weight ({case}): for label {l} the weighted positives (weight x {int(n_pos[l])} positives) "
                 f"do not balance its {int(n_neg[l])} negatives.")
    if not hidden:
        try:
            with library_blocked("pos_weight", _POS_WEIGHT_LIBRARY), np.errstate(divide="ignore", invalid="ignore"):
                returned = pos_weight(_Y_NO_POSITIVE.copy())
        except CheckFailed:
            raise
        except NotImplementedError:
            fail("pos_weight: not done yet - replace `raise NotImplementedError()` with your code.")
        except ValueError:
            pass
        except Exception as exc:
            fail(f"pos_weight (a column without positives): expected a ValueError saying which column, got "
                 f"{type(exc).__name__}: {exc}")
        else:
            fail("pos_weight (Y whose second column has no positive): expected a ValueError, but your function "
                 f"returned {returned!r}. An infinite or NaN weight would silently break training.")
    passed("pos_weight: one weight per label, each balancing its column's positives against its negatives"
           + (" (hidden cases)" if hidden else "; a column without positives raises ValueError"))


# ---------------------------------------------------------------- task 2 (derive): thresholds of a weighted model

_THRESHOLD_CASES = [
    (np.array([3.0, 9.0, 49.0]), np.array([4.0, 10.0, 20.0]), np.array([1.0, 1.0, 2.0])),
    (np.array([1.0, 19.0]), np.array([9.0, 2.0]), np.array([1.0, 3.0])),
]
_THRESHOLD_CASES_HIDDEN = [
    (np.array([2.0, 30.0, 100.0, 5.0]), np.array([1.0, 50.0, 5.0, 5.0]), np.array([4.0, 1.0, 1.0, 5.0])),
    (np.array([0.5]), np.array([3.0]), np.array([7.0])),
]


def check_weighted_model_thresholds(weighted_model_thresholds, hidden=False):
    """Task 2: thresholds on a pos_weight-trained model's outputs that give the Bayes decisions of the costs."""
    for k, (w, c_fn, c_fp) in enumerate(_THRESHOLD_CASES_HIDDEN if hidden else _THRESHOLD_CASES):
        case = f"case {k + 1}: pos_weight {w.tolist()}, fn_cost {c_fn.tolist()}, fp_cost {c_fp.tolist()}"
        with task("weighted_model_thresholds"):
            raw = weighted_model_thresholds(w.copy(), c_fn.copy(), c_fp.copy())
        got = check_array(f"weighted_model_thresholds ({case})", raw, shape=w.shape)
        if np.any(~np.isfinite(got)) or np.any((got < 0) | (got > 1)):
            fail(f"weighted_model_thresholds ({case}): a threshold on a probability must lie in [0, 1].")
        t = bayes_thresholds(c_fn, c_fp)
        if np.allclose(got, t) and not np.allclose(w, 1.0):
            fail(f"weighted_model_thresholds ({case}): these thresholds are right for CALIBRATED probabilities. The "
                 "model was trained with pos_weight, which pushed its outputs up; where does a true probability "
                 "q end up after training with weight w on the positives?")
        if np.allclose(got, 0.5):
            fail(f"weighted_model_thresholds ({case}): 0.5 ignores the costs; 0.5 on this model decides like "
                 "balanced counts, not like the prices of the mistakes.")
        # a weighted model outputs s = w q / (w q + 1 - q); map the student's threshold back to q
        q = got / (got + w * (1 - got))
        wrong = np.flatnonzero(~np.isclose(q, t, atol=1e-9))
        if wrong.size:
            l = int(wrong[0])
            side = "too low: it predicts the label where not predicting is cheaper" if q[l] < t[l] else \
                "too high: it misses the label where predicting is cheaper"
            fail(f"weighted_model_thresholds ({case}): for label {l} your threshold, read back as a calibrated "
                 f"probability, is {side}. Hint: the weighted model's output is a monotone "
                 "function of q; invert it, or push the Bayes threshold through it.")
    passed("weighted_model_thresholds: on the weighted model's outputs your thresholds make the same decisions as "
           "the Bayes thresholds on calibrated probabilities" + (" (hidden cases)" if hidden else ""))


# ---------------------------------------------------------------- task 3 (predict): flattened vs per column

_CHOICES = ("higher", "lower", "about the same")
_SAME = 0.03


@lru_cache(maxsize=4)
def flattened_experiment(seed=0):
    """Train a linear model with the flattened and with the per-column pos_weight; test recall per label.

    Four labels present in about 40 %, 12 %, 3 % and 0.5 % of the rows. Returns a dict with the two
    recall vectors (label 0 the most common, label 3 the rarest).
    """
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(1000 + seed)
    D, L, rates = 6, 4, np.array([0.40, 0.12, 0.04, 0.015])
    W = rng.normal(0.0, 1.2, (D, L))
    spread = np.sqrt(np.sum(W ** 2, axis=0))          # sd of x.w; the probit approximation sets the rates
    b = np.log(rates / (1 - rates)) * np.sqrt(1 + np.pi * spread ** 2 / 8)
    X = rng.standard_normal((9000, D))
    P = 1 / (1 + np.exp(-(X @ W + b)))
    Y = (rng.random(P.shape) < P).astype(float)
    X_tr, Y_tr, X_te, Y_te = X[:4000], Y[:4000], X[4000:], Y[4000:]
    n_pos = Y_tr.sum(axis=0)
    weights = {"per column": (len(Y_tr) - n_pos) / n_pos,
               "flattened": np.full(L, (Y_tr.size - Y_tr.sum()) / Y_tr.sum())}
    Xt, Yt = torch.tensor(X_tr), torch.tensor(Y_tr)
    recall = {}
    for name, w in weights.items():
        Wm = torch.zeros(D, L, dtype=torch.float64, requires_grad=True)
        bm = torch.zeros(L, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([Wm, bm], lr=1, max_iter=200, tolerance_grad=1e-10, tolerance_change=1e-12,
                                line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(Xt @ Wm + bm, Yt, pos_weight=torch.tensor(w))
            loss.backward()
            return loss

        opt.step(closure)
        scores = X_te @ Wm.detach().numpy() + bm.detach().numpy()
        recall[name], _ = per_label_recall_precision(Y_te, (scores >= 0).astype(float))
    return {"rates": n_pos / len(Y_tr), **recall}


def _outcome(result, label):
    diff = result["flattened"][label] - result["per column"][label]
    return "about the same" if abs(diff) < _SAME else ("higher" if diff > 0 else "lower")


def check_flattened_prediction(prediction, hidden=False):
    """Task 3: the flattened weight's recall on the most common and the rarest label, against per column."""
    keys = ("most common label", "rarest label")
    check_choices("prediction", prediction, keys, _CHOICES)
    result = flattened_experiment(1 if hidden else 0)
    hints = {
        "most common label": "the flattened weight is the imbalance of the whole matrix, far more than this "
                             "label's own ratio of negatives to positives - so its positives are over-weighted.",
        "rarest label": "the flattened weight is an average over labels, far less than this label's own ratio "
                        "of negatives to positives - so its few positives are under-weighted.",
    }
    for key, label in zip(keys, (0, 3)):
        if prediction[key] != _outcome(result, label):
            fail(f"prediction[{key!r}]: the experiment{' (another draw)' if hidden else ''} disagrees - compare the "
                 f"two recalls it printed for this label. Why: {hints[key]}")
    passed("prediction: the flattened weight moves recall the way you predicted on both labels"
           + (" (another draw of the data)" if hidden else ""))


# ---------------------------------------------------------------- task 4 (debug): a NumPy multi-label RWWCE

def _loss_cases(hidden):
    rng = np.random.default_rng(7 if hidden else 3)
    n, L = (9, 5) if hidden else (6, 3)
    Z = rng.normal(0, 2, (n, L))
    Y = (rng.random((n, L)) < 0.4).astype(float)
    c_fn, c_fp = rng.uniform(1, 10, L), rng.uniform(0.5, 2, L)
    huge = Z.copy()
    huge[0, :] = np.where(Y[0] == 1, -1e4, 1e4)      # confidently wrong on every label of row 0
    huge[1, :] = np.where(Y[1] == 1, 800.0, -800.0)   # confidently right on every label of row 1
    big = np.where(Y == 1, -40.0, 40.0)               # wrong by 40 everywhere: 1 - p underflows to 0
    return [("moderate logits", Z, Y, c_fn, c_fp), ("logits of +-1e4 and +-800", huge, Y, c_fn, c_fp),
            ("every logit wrong by 40", big, Y, c_fn, c_fp)]


def check_multilabel_rwwce(multilabel_rwwce_np, hidden=False):
    """Task 4: mean over examples of the sum over labels, finite and exact for huge logits."""
    for name, Z, Y, c_fn, c_fp in _loss_cases(hidden):
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
            fail(f"multilabel_rwwce_np ({case}): the loss is {float(got.reshape(())):g}. Hint: log(sigmoid(z)) "
                 "computed through p overflows or takes log(0); write -log(sigmoid(z)) as a function of z "
                 "that never forms p.")
        got = check_scalar(f"multilabel_rwwce_np ({case})", raw)
        right = float(multilabel_rwwce_reference(Z, Y, c_fn, c_fp))
        if np.isclose(got, right, rtol=1e-9):
            continue
        n, L = Z.shape
        if np.isclose(got * L, right, rtol=1e-9):
            fail(f"multilabel_rwwce_np ({case}): your value is the loss averaged over all N x L entries; the "
                 "multi-label loss sums over the labels of an example and averages over examples.")
        if np.isclose(got, right * n, rtol=1e-9):
            fail(f"multilabel_rwwce_np ({case}): your value is a sum over examples; the task asks for the mean.")
        swapped = float(multilabel_rwwce_reference(Z, Y, c_fp, c_fn))
        if np.isclose(got, swapped, rtol=1e-9) or np.isclose(got * L, swapped, rtol=1e-9):
            fail(f"multilabel_rwwce_np ({case}): the two costs are swapped - a missed label (y = 1, low p) "
                 "must cost fn_cost.")
        if got < right * (1 - 1e-6) and name != "moderate logits":
            fail(f"multilabel_rwwce_np ({case}): your loss is too small for confidently wrong logits: clipping p "
                 "caps the loss (and kills the gradient); the exact loss grows linearly in |z|.")
        fail(f"multilabel_rwwce_np ({case}): the value does not match the multi-label RWWCE of these logits "
             f"(relative error {abs(got - right) / abs(right):.2e}).")
    passed("multilabel_rwwce_np: exact on moderate logits, finite and exact at |z| = 1e4, averaged over examples"
           + (" (hidden cases)" if hidden else ""))


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

_SILENCED_QUESTIONS = {
    "micro recall": "what share of ALL the positive label assignments belongs to the switched-off topic, and so what "
                    "weight do its hits carry in micro recall?",
    "macro recall": "what does the switched-off topic's own recall become, and what weight does one topic's recall "
                    "carry in a plain mean over 12 topics?",
    "micro F1": "what share of the TP, FP and FN counts summed over the 12 topics does the switched-off topic hold, "
                "and how many of its counts are false positives compared with the lecture's rare label?",
    "macro F1": "what does the switched-off topic's own F1 become (its articles are still in the data), and what "
                "weight does it carry among 12 topics?",
}


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


def check_silenced_prediction(prediction, reason, hidden=False):
    """Task 6: the visible part checks that the prediction and its reason are recorded and well formed (not whether
    they are right); the hidden part grades the four directions against the experiment and another draw."""
    question = "in one sentence, what makes each average move or not?"
    check_recorded_prediction("silenced_prediction", prediction, SILENCED_KEYS, SILENCED_CHOICES,
                              "silenced_reason", reason, question, announce=not hidden)
    if not hidden:
        return
    for seed, draw in ((0, "the draw you ran"), (1, "another draw of the data")):
        fail_disagreeing("silenced_prediction", prediction, silenced_label_experiment(seed)["outcome"],
                         _SILENCED_QUESTIONS, f"the experiment ({draw})", "compare the before and after it printed for each")
    passed("silenced_prediction: all four averages move as you predicted (two draws of the data)")
