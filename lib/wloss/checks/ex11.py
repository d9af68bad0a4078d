"""Checks for exercise 11 (one weighted loss in five libraries).

Each check recomputes the property the task states from what the student's
function returns (PyTorch's own losses are the reference), names the case
that fails and says which convention the answer confused; it never prints
the answer itself.
"""
import numpy as np
import torch
import torch.nn.functional as F

from wloss.checks import check_array, check_scalar, fail, passed, task

# ----------------------------------------------------------------------------- task 1: accumulation factors


def _accumulation_cases(hidden: bool):
    rng = np.random.default_rng(11 if not hidden else 111)
    if not hidden:
        # two classes, weight 9 on the rare one, micro-batches of uneven sizes and positive counts
        targets = [np.array([1, 0, 0, 1, 0, 0]), np.array([0, 0, 0, 0]), np.array([1, 1, 0])]
        return [("3 micro-batches of sizes 6, 4, 3, class_weight (1, 9)", targets, np.array([1.0, 9.0]), rng)]
    targets = [np.array([0, 0, 0, 0, 0]), np.array([2, 1, 0]), np.array([1]), np.array([0, 2, 2, 0])]
    return [("4 micro-batches, K = 3, one holding class 0 only, class_weight (1, 5, 20)",
             targets, np.array([1.0, 5.0, 20.0]), rng),
            ("2 micro-batches with the same weight sum, class_weight (2, 3)",
             [np.array([0, 1, 1]), np.array([1, 0, 1])], np.array([2.0, 3.0]), rng)]


def check_accumulation_factors(accumulation_factors, hidden: bool = False):
    """Task 1: sum_b c_b * F.cross_entropy(z_b, y_b, weight=w) must equal the full-batch loss and gradient."""
    for case, targets, weight, rng in _accumulation_cases(hidden):
        with task("accumulation_factors"):
            got = accumulation_factors([t.copy() for t in targets], weight.copy())
        factors = check_array(f"accumulation_factors ({case})", got, shape=(len(targets),))
        w = torch.tensor(weight)
        logits = torch.tensor(rng.normal(size=(sum(len(t) for t in targets), len(weight))), requires_grad=True)
        full_targets = torch.tensor(np.concatenate(targets))
        full = F.cross_entropy(logits, full_targets, weight=w)
        (full_grad,) = torch.autograd.grad(full, logits)
        accumulated, start = 0.0, 0
        for factor, t in zip(factors, targets):
            part = logits[start:start + len(t)]
            accumulated = accumulated + float(factor) * F.cross_entropy(part, torch.tensor(t), weight=w)
            start += len(t)
        (acc_grad,) = torch.autograd.grad(accumulated, logits)
        if not np.isclose(accumulated.item(), full.item(), rtol=1e-6) or \
                not torch.allclose(acc_grad, full_grad, rtol=1e-6, atol=1e-12):
            sizes = np.array([len(t) for t in targets], dtype=float)
            if np.allclose(factors, 1 / len(targets)) or np.allclose(factors, sizes / sizes.sum()):
                hint = ("your factors depend only on the number or size of the micro-batches; PyTorch's weighted "
                        "mean divides each micro-batch by something else")
            elif np.allclose(factors, 1.0):
                hint = "plain summing of the micro-batch means counts every micro-batch as a whole batch"
            else:
                hint = ("each micro-batch's mean is its weighted sum divided by ITS OWN denominator; "
                        "the factor must swap that denominator for the full batch's")
            fail(f"accumulation_factors ({case}): the accumulated loss or its gradient differs from the full "
                 f"batch's - {hint}")
    passed("accumulation_factors: the accumulated loss and gradient equal the full batch's"
           + (" (hidden cases)" if hidden else ""))


# ----------------------------------------------------------------------------- task 2: predicted ratios

PREDICT_LABELS_POSITIVES, PREDICT_LABELS_TOTAL, PREDICT_POS_WEIGHT = 12, 100, 8.0


def _measured_ratios():
    """The two ratios of task 2, recomputed with PyTorch (Keras's default reduction is sum / N)."""
    y = np.r_[np.ones(PREDICT_LABELS_POSITIVES), np.zeros(PREDICT_LABELS_TOTAL - PREDICT_LABELS_POSITIVES)]
    w = np.where(y == 1, PREDICT_POS_WEIGHT, 1.0)
    z = np.random.default_rng(2).normal(size=len(y))
    losses = np.logaddexp(0, z) - y * z
    full = (w @ losses / len(y)) / (w @ losses / w.sum())
    single = (w[0] * losses[0] / 1) / (w[0] * losses[0] / w[0])   # example 0 is a positive
    return float(full), float(single)


def check_predicted_ratios(predicted_ratio_full, predicted_ratio_single, hidden: bool = False):
    """Task 2: the predictions, made before the experiment, against what the experiment measures."""
    full = check_scalar("predicted_ratio_full", predicted_ratio_full)
    single = check_scalar("predicted_ratio_single", predicted_ratio_single)
    measured_full, measured_single = _measured_ratios()
    rtol = 1e-3 if hidden else 0.02
    if not np.isclose(full, measured_full, rtol=rtol):
        if np.isclose(full, 1.0):
            why = "the two libraries do not divide the weighted sum by the same number"
        elif np.isclose(full, 1 / measured_full, rtol=0.02):
            why = "your ratio is upside down: which of the two denominators is the larger one here?"
        else:
            why = "count what each library divides the weighted sum by on this batch of 100 labels"
        fail(f"predicted_ratio_full: the experiment does not confirm {full:.4g} - {why}")
    if not np.isclose(single, measured_single, rtol=rtol):
        if np.isclose(single, 1.0):
            why = "on one example one library's weight cancels out, the other's does not"
        elif np.isclose(single, measured_full, rtol=0.02):
            why = "with one example, the batch's weight sum is no longer that of the full batch"
        elif np.isclose(single, 1 / PREDICT_POS_WEIGHT):
            why = "your ratio is upside down"
        else:
            why = "write both losses for a batch holding one positive example"
        fail(f"predicted_ratio_single: the experiment does not confirm {single:.4g} - {why}")
    passed("predicted ratios: both confirmed by the experiment" + (" (to 0.1 %)" if hidden else ""))


# ----------------------------------------------------------------------------- task 3: log_loss as PyTorch's loss


def _log_loss_cases(hidden: bool):
    rng = np.random.default_rng(13 if not hidden else 131)
    cases = []
    for n, rate, pos_weight in ([(50, 0.2, 4.0), (30, 0.5, 2.5)] if not hidden else [(200, 0.05, 19.0), (40, 0.3, 1.0),
                                                                                     (25, 0.6, 0.5)]):
        y = (rng.random(n) < rate).astype(int)
        y[:2] = [0, 1]
        p = np.clip(rng.random(n), 0.02, 0.98)
        cases.append((f"{n} examples, {int(y.sum())} positive, pos_weight={pos_weight}", y, p, pos_weight))
    return cases


def check_bce_via_log_loss(bce_via_log_loss, hidden: bool = False):
    """Task 3: scikit-learn's log_loss turned into F.binary_cross_entropy_with_logits(pos_weight=) (mean)."""
    for case, y, p, pos_weight in _log_loss_cases(hidden):
        with task("bce_via_log_loss"):
            got = check_scalar(f"bce_via_log_loss ({case})", bce_via_log_loss(y.copy(), p.copy(), pos_weight))
        logits = torch.tensor(np.log(p / (1 - p)))
        expected = F.binary_cross_entropy_with_logits(logits, torch.tensor(y, dtype=torch.float64),
                                                      pos_weight=torch.tensor(pos_weight)).item()
        if np.isclose(got, expected, rtol=1e-6):
            continue
        w = np.where(y == 1, pos_weight, 1.0)
        losses = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        swapped = np.where(y == 0, pos_weight, 1.0)
        if np.isclose(got, w @ losses / w.sum(), rtol=1e-6):
            hint = "this is still a weighted AVERAGE (divided by the sum of the weights); PyTorch's mean is not"
        elif np.isclose(got, w @ losses, rtol=1e-6):
            hint = "this is the weighted sum; PyTorch's mean reduction divides it"
        elif np.isclose(got, swapped @ losses / len(y), rtol=1e-6) or np.isclose(got, swapped @ losses / swapped.sum(),
                                                                                 rtol=1e-6):
            hint = "pos_weight multiplies the loss of the POSITIVE examples"
        else:
            hint = "compare the sum your function builds with PyTorch's, then its denominator"
        fail(f"bce_via_log_loss ({case}): your value differs from PyTorch's BCEWithLogitsLoss(pos_weight) "
             f"(mean) - {hint}")
    passed("bce_via_log_loss: equals PyTorch's pos_weight BCE (mean) to 1e-6" + (" (hidden cases)" if hidden else ""))


# ----------------------------------------------------------------------------- task 4: multi-label pos_weight


def _multilabel_cases(hidden: bool):
    rng = np.random.default_rng(14 if not hidden else 141)
    rates = [0.5, 0.2, 0.05] if not hidden else [0.3, 0.02, 0.6, 0.1, 0.15]
    n = 400 if not hidden else 1000
    Y = (rng.random((n, len(rates))) < rates).astype(np.float32)
    Y[0] = 1.0                                                      # every column has a positive
    Y[1] = 0.0
    return [(f"{n} examples, {len(rates)} labels with positive rates {rates}", Y)]


def check_multilabel_pos_weight(multilabel_pos_weight, hidden: bool = False):
    """Task 4: one pos_weight per column, each balancing that column's positives and negatives."""
    for case, Y in _multilabel_cases(hidden):
        with task("multilabel_pos_weight"):
            got = multilabel_pos_weight(Y.copy())
        C = Y.shape[1]
        arr = check_array(f"multilabel_pos_weight ({case})", got)
        if arr.shape != (C,):
            fail(f"multilabel_pos_weight ({case}): expected one weight per label, shape ({C},), got shape "
                 f"{arr.shape} - BCEWithLogitsLoss broadcasts pos_weight along the LAST axis")
        n_pos = Y.sum(axis=0)
        n_neg = len(Y) - n_pos
        balance = arr * n_pos / n_neg
        if not np.allclose(balance, 1.0, rtol=1e-5):
            worst = int(np.argmax(np.abs(balance - 1)))
            hint = ("all labels got the same weight, but their imbalances differ" if np.allclose(arr, arr[0])
                    else "check which count goes on top")
            fail(f"multilabel_pos_weight ({case}): in label {worst} the positives now carry {balance[worst]:.3f} "
                 f"times the total weight of the negatives - {hint}")
        with task("multilabel_pos_weight in BCEWithLogitsLoss"):
            torch.nn.BCEWithLogitsLoss(pos_weight=torch.as_tensor(got))(torch.zeros(Y.shape), torch.tensor(Y))
    passed("multilabel_pos_weight: every label's positives and negatives carry the same total weight"
           + (" (hidden cases)" if hidden else ""))


# ----------------------------------------------------------------------------- task 5: under-sampling strategy


def _undersampling_cases(hidden: bool):
    if not hidden:
        return [("40 positives, 360 negatives, neg_weight=0.25", 40, 360, 0.25),
                ("25 positives, 175 negatives, neg_weight=0.2", 25, 175, 0.2)]
    return [("10 positives, 990 negatives, neg_weight=0.1", 10, 990, 0.1),
            ("60 positives, 140 negatives, neg_weight=0.5", 60, 140, 0.5)]


def check_undersampling_strategy(undersampling_strategy, hidden: bool = False):
    """Task 5: RandomUnderSampler with the student's strategy keeps each negative with probability neg_weight."""
    from imblearn.under_sampling import RandomUnderSampler

    for case, n_pos, n_neg, neg_weight in _undersampling_cases(hidden):
        y = np.random.default_rng(n_pos).permutation(np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)])
        X = np.arange(len(y), dtype=float)[:, None]                 # each row's index, to count what is kept
        with task("undersampling_strategy"):
            strategy = undersampling_strategy(y.copy(), neg_weight)
        if not isinstance(strategy, (dict, float, str)) and not callable(strategy):
            fail(f"undersampling_strategy ({case}): return a sampling_strategy RandomUnderSampler accepts "
                 f"(a dict {{class: count}}), got {type(strategy).__name__}")
        with task(f"RandomUnderSampler(sampling_strategy=your strategy) ({case})"):
            X_res, y_res = RandomUnderSampler(sampling_strategy=strategy, random_state=0).fit_resample(X, y)
        kept = np.bincount(X_res[:, 0].astype(int), minlength=len(y))
        kept_pos, kept_neg = kept[y == 1].mean(), kept[y == 0].mean()
        if not np.isclose(kept_pos, 1.0):
            fail(f"undersampling_strategy ({case}): only {kept_pos:.0%} of the positives are kept; a weight of 1 on "
                 "the positives means all of them stay")
        if not np.isclose(kept_neg, neg_weight):
            if np.isclose(kept_neg, n_pos / n_neg):
                hint = "that balances the classes, which is a different weight"
            elif np.isclose(kept_neg, 1 - neg_weight, atol=0.01):
                hint = "RandomUnderSampler's dict gives the number of examples of a class to KEEP"
            else:
                hint = ("a negative kept with probability q contributes its loss q times on average to the plain "
                        "sum")
            fail(f"undersampling_strategy ({case}): {kept_neg:.1%} of the negatives are kept, so the plain sum "
                 f"weights negatives by {kept_neg:.3f} on average - {hint}")
    passed("undersampling_strategy: in expectation the resampled sum is the neg_weight-weighted sum"
           + (" (hidden cases)" if hidden else ""))


# ----------------------------------------------------------------------------- task 7: 'balanced' in a penalised LightGBM

#: The boosting settings the check shares between the dict model and the student's 'balanced' one (deterministic,
#: one thread: the two models differ only through class_weight and the two settings the task asks for).
BALANCED_BOOSTING = dict(n_estimators=20, num_leaves=7, learning_rate=0.3, min_child_samples=5, deterministic=True,
                         n_jobs=1, verbose=-1)
#: Same model: the largest raw-score difference stays below this. Rounding leaves about 1e-7 (LightGBM keeps
#: gradients in float32); a wrong setting moves some raw score by 0.3 or more.
BALANCED_TOLERANCE = 1e-3


def _balanced_cases(hidden: bool):
    """(n, share of positives, data seed, reg_lambda, min_child_weight), simplest first.

    Visible: reg_lambda alone (min_child_weight far too small to bind), then min_child_weight alone
    (reg_lambda=0), then both. Hidden: 5 % positives with a strong penalty, and positives in the majority.
    """
    if not hidden:
        return [(300, 0.15, 5, 1.0, 0.0), (300, 0.15, 5, 0.0, 4.0), (400, 0.25, 4, 3.0, 2.0)]
    return [(500, 0.05, 2, 5.0, 1.0), (200, 0.7, 3, 1.0, 2.0)]


def _balanced_raw_scores(X, y, class_weight, reg_lambda, min_child_weight):
    import lightgbm as lgb

    model = lgb.LGBMClassifier(class_weight=class_weight, reg_lambda=reg_lambda, min_child_weight=min_child_weight,
                               **BALANCED_BOOSTING)
    return model.fit(X, y).predict(X, raw_score=True)


def _balanced_hint(y, reg_lambda, min_child_weight, got):
    """A question about the answer's mistake, from how it rescaled the settings that bind in this case."""
    scale = len(y) / (2 * float(np.sum(y == 0)))          # 'balanced' = scale x the dict's weights
    binding = {"reg_lambda": reg_lambda, "min_child_weight": min_child_weight if min_child_weight >= 0.1 else 0.0}
    ratios = {key: got[key] / value for key, value in binding.items() if value > 0}
    kept = [key for key, r in ratios.items() if np.isclose(r, 1.0)]
    if kept:
        return (f"you kept the dict model's {' and '.join(kept)}. By what factor do the 'balanced' weights differ "
                "from the dict's on these labels, and which of the sums a leaf is built from carry that factor?")
    if any(np.isclose(r, 1 / scale) for r in ratios.values()):
        return ("your settings moved the opposite way to the examples' weights. Where does each setting enter a "
                "leaf (its value, the test that allows it), and what stands next to it there?")
    if all(r > 0 for r in ratios.values()):
        return ("your settings are rescaled, but not by the factor between the 'balanced' weights and the dict's on "
                "these labels. What does 'balanced' give each class here, compared with the dict?")
    return "how are a leaf's value and the min_child_weight test computed from the examples' gradients and hessians?"


def check_balanced_params(balanced_params, hidden: bool = False):
    """Task 7: class_weight='balanced' with the student's reg_lambda and min_child_weight trains the dict model."""
    from wloss.data.synthetic import make_imbalanced_blobs

    keys = ("reg_lambda", "min_child_weight")
    for n, share, seed, reg_lambda, min_child_weight in _balanced_cases(hidden):
        X, y = make_imbalanced_blobs(n, share, seed=seed, separation=1.5)
        n_pos, n_neg = int(y.sum()), int((y == 0).sum())
        case = (f"{n} labels, {n_pos} positive, class_weight={{0: 1, 1: {n_neg}/{n_pos}}}, "
                f"reg_lambda={reg_lambda:g}, min_child_weight={min_child_weight:g}")
        with task("balanced_params"):
            got = balanced_params(y.copy(), reg_lambda, min_child_weight)
        if not isinstance(got, dict) or set(got) != set(keys):
            what = sorted(got) if isinstance(got, dict) else type(got).__name__
            fail(f"balanced_params ({case}): expected a dict with exactly the keys {list(keys)}, got {what}")
        values = {key: check_scalar(f"balanced_params(...)[{key!r}] ({case})", got[key]) for key in keys}
        if min(values.values()) < 0:
            fail(f"balanced_params ({case}): LightGBM accepts only non-negative reg_lambda and min_child_weight")
        reference = _balanced_raw_scores(X, y, {0: 1.0, 1: n_neg / n_pos}, reg_lambda, min_child_weight)
        with task(f"LGBMClassifier(class_weight='balanced', **your dict) ({case})"):
            balanced = _balanced_raw_scores(X, y, "balanced", values["reg_lambda"], values["min_child_weight"])
        gap = float(np.abs(balanced - reference).max())
        if not gap < BALANCED_TOLERANCE:
            fail(f"balanced_params ({case}): LGBMClassifier(class_weight='balanced', **your dict) trains another "
                 f"model than the dict's (largest raw-score difference {gap:.1g}) - "
                 + _balanced_hint(y, reg_lambda, min_child_weight, values))
    passed("balanced_params: class_weight='balanced' with your settings trains the dict model (raw scores agree to "
           f"{BALANCED_TOLERANCE:g})" + (" (hidden cases)" if hidden else ""))
