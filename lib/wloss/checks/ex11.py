"""Checks for exercise 11 (one weighted loss in five libraries).

Each check recomputes the property the task states from what the student's
function returns (the libraries' own losses are the reference), names the case
that fails and asks a question about the convention the answer confused; it
never prints the answer itself. The graded (hidden) part is not here: it is in
``wloss_grading.ex11``, which calls the same case runners (``accumulation_holds``,
``focal_holds``, ``port_holds``, ...) on inputs the student never sees and grades the prediction of task 2.
"""
import numpy as np
import torch
import torch.nn.functional as F

from wloss.checks import check_array, check_scalar, fail, passed, task

# ----------------------------------------------------------------------------- task 1: accumulation factors


#: The target of a padding position: F.cross_entropy's default ignore_index.
PAD = -100
#: Two classes, weight 9 on the rare one, micro-batches of padded sequences of uneven lengths and positive counts.
VISIBLE_ACCUMULATION_CASES = [
    ("3 micro-batches of 6, 4 and 3 positions, 3, 1 and 0 of them padding, class_weight (1, 9)",
     [np.array([1, 0, 0, PAD, PAD, PAD]), np.array([0, 0, 0, PAD]), np.array([1, 1, 0])], np.array([1.0, 9.0]), 11),
]


def check_accumulation_factors(accumulation_factors):
    """Task 1: sum_b c_b * F.cross_entropy(z_b, y_b, weight=w) (padding ignored) must equal the full-batch loss and
    gradient."""
    accumulation_holds(accumulation_factors, VISIBLE_ACCUMULATION_CASES)
    passed("accumulation_factors: the accumulated loss and gradient equal the full batch's")


def accumulation_holds(accumulation_factors, cases):
    """Fail unless the factors make the accumulated loss and gradient the full batch's on each of ``cases``
    ((case, micro-batch targets, class weights, seed of the logits))."""
    for case, targets, weight, seed in cases:
        rng = np.random.default_rng(seed)
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
            real = np.array([np.sum(t != PAD) for t in targets], dtype=float)
            with_padding = np.array([weight[t[t != PAD]].sum() + np.sum(t == PAD) for t in targets])
            if np.allclose(factors, 1 / len(targets)) or np.allclose(factors, sizes / sizes.sum()) or \
                    np.allclose(factors, real / real.sum()):
                hint = ("your factors depend only on how many micro-batches there are or how many positions each "
                        "holds. Does a micro-batch with a rare-class example count for as much as one without?")
            elif np.allclose(factors, with_padding / with_padding.sum()):
                hint = ("your factors count the padding positions as if each weighed 1. What does a position whose "
                        "target is -100 add to F.cross_entropy's numerator, and what to its denominator?")
            elif np.allclose(factors, 1.0):
                hint = ("with every factor 1, each micro-batch's mean counts as much as the whole batch's. What part "
                        "of the full batch's loss does one micro-batch stand for?")
            else:
                hint = ("write one micro-batch's mean as a sum over its examples: what is it divided by, and what "
                        "is the full batch's sum divided by?")
            fail(f"accumulation_factors ({case}): the accumulated loss or its gradient differs from the full "
                 f"batch's - {hint}")


# ----------------------------------------------------------------------------- task 2: predicted ratios

PREDICT_LABELS_POSITIVES, PREDICT_LABELS_TOTAL, PREDICT_POS_WEIGHT = 12, 100, 8.0
#: The two numbers task 2 predicts, by the name the notebook gives them.
RATIO_KEYS = ("predicted_ratio_full", "predicted_ratio_single")


def check_predicted_ratios(predicted_ratio_full, predicted_ratio_single, ratio_reason, announce=True):
    """Task 2: two ratios and a one-line reason, recorded before the experiment and well formed (not whether they
    are right: the graded part, ``wloss_grading.ex11``, compares them with the experiment)."""
    for name, value in zip(RATIO_KEYS, (predicted_ratio_full, predicted_ratio_single)):
        if value is ... or value is None:
            fail(f"{name}: not filled in yet - write your prediction before you run the experiment.")
        if isinstance(value, (str, bool)):
            fail(f"{name}: expected a number (Keras's loss divided by PyTorch's), got {type(value).__name__}")
        if check_scalar(name, value) <= 0:
            fail(f"{name}: a ratio of two losses that are both positive is positive - can either loss be negative?")
    if ratio_reason is ... or ratio_reason is None:
        fail("ratio_reason: not filled in yet - write one line on why, before you run the experiment.")
    if not isinstance(ratio_reason, str):
        fail(f"ratio_reason: expected one line of text (a str), got {type(ratio_reason).__name__}")
    if len(ratio_reason.split()) < 4:
        fail(f"ratio_reason: {ratio_reason!r} is not a reason yet - in one sentence, what does each library divide "
             "the weighted sum by?")
    if announce:
        passed("predicted ratios: two numbers and a reason recorded; run the experiment below and compare (the "
               "graded part checks them)")


# ----------------------------------------------------------------------------- task 3: log_loss as PyTorch's loss


def log_loss_cases(seed, settings):
    """(case, y, p, pos_weight) for each (n, positive rate, pos_weight) of ``settings``, smallest n first."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, rate, pos_weight in settings:
        y = (rng.random(n) < rate).astype(int)
        y[:2] = [0, 1]
        p = np.clip(rng.random(n), 0.02, 0.98)
        cases.append((f"{n} examples, {int(y.sum())} positive, pos_weight={pos_weight}", y, p, pos_weight))
    return sorted(cases, key=lambda case: len(case[1]))


def check_bce_via_log_loss(bce_via_log_loss):
    """Task 3: scikit-learn's log_loss turned into F.binary_cross_entropy_with_logits(pos_weight=) (mean)."""
    log_loss_holds(bce_via_log_loss, log_loss_cases(13, [(50, 0.2, 4.0), (30, 0.5, 2.5)]))
    passed("bce_via_log_loss: equals PyTorch's pos_weight BCE (mean) to 1e-6")


def log_loss_holds(bce_via_log_loss, cases):
    """Fail unless ``bce_via_log_loss`` equals PyTorch's BCEWithLogitsLoss(pos_weight=) (mean) on each case."""
    for case, y, p, pos_weight in cases:
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
            hint = ("it still gives the colleague's value. With sample_weight, what does log_loss divide its "
                    "weighted sum by, and what does PyTorch's mean divide by?")
        elif np.isclose(got, w @ losses, rtol=1e-6):
            hint = ("your value doubles when every example is copied twice, and a mean would not. Which reduction "
                    "does the task ask for?")
        elif np.isclose(got, swapped @ losses / len(y), rtol=1e-6) or np.isclose(got, swapped @ losses / swapped.sum(),
                                                                                 rtol=1e-6):
            hint = "your value is what the weight gives on the other class. Which examples does pos_weight act on?"
        else:
            hint = ("at pos_weight = 1 both numbers agree; as pos_weight grows, which part of each changes: the "
                    "weighted sum, or what it is divided by?")
        fail(f"bce_via_log_loss ({case}): your value differs from PyTorch's BCEWithLogitsLoss(pos_weight) "
             f"(mean) - {hint}")


# ----------------------------------------------------------------------------- task 4: Keras's focal alpha


def focal_cases(seed, pos_weights, n=40):
    """(case, y, z, pos_weight) per pos_weight: a batch of negatives only, then of positives only, then mixed."""
    rng = np.random.default_rng(seed)
    cases = []
    for w in pos_weights:
        z = rng.normal(0.0, 1.5, n)
        mixed = (rng.random(n) < 0.2).astype(float)
        mixed[:2] = [0.0, 1.0]
        cases += [(f"pos_weight={w:g}, a batch of {n} negatives only", np.zeros(n), z, w),
                  (f"pos_weight={w:g}, a batch of {n} positives only", np.ones(n), z, w),
                  (f"pos_weight={w:g}, a batch of {n} with {int(mixed.sum())} positives", mixed, z, w)]
    return cases


def _keras_focal(y, z, alpha):
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")      # the course's backend, when Keras is not imported yet
    import keras

    loss = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=alpha, gamma=0.0, from_logits=True,
                                                dtype="float64")
    return float(loss(y[:, None], z[:, None]))


def check_keras_focal_settings(keras_focal_settings):
    """Task 4: scale * Keras's BinaryFocalCrossentropy(alpha, gamma=0) equals PyTorch's pos_weight BCE (mean)."""
    focal_holds(keras_focal_settings, focal_cases(44, [9.0, 3.0]))
    passed("keras_focal_settings: scale x Keras's loss equals PyTorch's pos_weight BCE on negatives, positives and "
           "mixed batches")


def focal_holds(keras_focal_settings, cases):
    """Fail unless scale * Keras's class-balanced focal loss (gamma = 0) equals PyTorch's on each case."""
    for case, y, z, w in cases:
        with task("keras_focal_settings"):
            got = keras_focal_settings(w)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            fail(f"keras_focal_settings ({case}): expected a pair (alpha, scale), got {type(got).__name__}")
        alpha = check_scalar(f"keras_focal_settings ({case}): alpha", got[0])
        scale = check_scalar(f"keras_focal_settings ({case}): scale", got[1])
        with task(f"BinaryFocalCrossentropy(alpha=your alpha) ({case})"):
            keras_value = scale * _keras_focal(y, z, alpha)
        torch_value = F.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y),
                                                         pos_weight=torch.tensor(w, dtype=torch.float64)).item()
        if np.isclose(keras_value, torch_value, rtol=1e-6):
            continue
        which = "negative" if not y.any() else "positive" if y.all() else None
        if which is None:
            fail(f"keras_focal_settings ({case}): scale x Keras's loss differs from PyTorch's on a mixed batch. What "
                 "does each library put in front of a positive's loss, and in front of a negative's?")
        if keras_value < 0:
            fail(f"keras_focal_settings ({case}): scale x Keras's loss is negative, and a sum of cross-entropies "
                 f"cannot be. What factor does alpha = {alpha:g} put in front of a {which} example's loss in Keras?")
        fail(f"keras_focal_settings ({case}): scale x Keras's loss differs from PyTorch's. What does Keras put in "
             f"front of a {which} example's loss when apply_class_balancing=True, and what does PyTorch with "
             "pos_weight?")


# ----------------------------------------------------------------------------- task 5: under-sampling strategy


VISIBLE_UNDERSAMPLING_CASES = [("25 positives, 175 negatives, neg_weight=0.2", 25, 175, 0.2),
                               ("40 positives, 360 negatives, neg_weight=0.25", 40, 360, 0.25)]


def check_undersampling_strategy(undersampling_strategy):
    """Task 5: RandomUnderSampler with the student's strategy keeps each negative with probability neg_weight."""
    undersampling_holds(undersampling_strategy, VISIBLE_UNDERSAMPLING_CASES)
    passed("undersampling_strategy: in expectation the resampled sum is the neg_weight-weighted sum")


def undersampling_holds(undersampling_strategy, cases):
    """Fail unless the strategy keeps every positive and each negative with probability neg_weight on each case."""
    from imblearn.under_sampling import RandomUnderSampler

    for case, n_pos, n_neg, neg_weight in cases:
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
            fail(f"undersampling_strategy ({case}): only {kept_pos:.0%} of the positives are kept. What weight does "
                 "the task give a positive, and how often must a positive stay in the data for its loss to carry it?")
        if not np.isclose(kept_neg, neg_weight):
            if np.isclose(kept_neg, n_pos / n_neg):
                hint = "your strategy makes the classes equally large. Is that what neg_weight asks for?"
            elif np.isclose(kept_neg, 1 - neg_weight, atol=0.01):
                hint = ("the share you keep and the share you meant seem to be swapped. What does the number for a "
                        "class in RandomUnderSampler's dict count?")
            else:
                hint = "if each negative stays with some probability, how often on average does its loss enter the sum?"
            fail(f"undersampling_strategy ({case}): {kept_neg:.1%} of the negatives are kept, so the plain sum "
                 f"does not weight the negatives as the task asks - {hint}")


# ----------------------------------------------------------------------------- task 7: 'balanced' in a penalised LightGBM

#: The boosting settings the check shares between the dict model and the student's 'balanced' one (deterministic,
#: one thread: the two models differ only through class_weight and the two settings the task asks for).
BALANCED_BOOSTING = dict(n_estimators=20, num_leaves=7, learning_rate=0.3, min_child_samples=5, deterministic=True,
                         n_jobs=1, verbose=-1)
#: Same model: the largest raw-score difference stays below this. Rounding leaves about 1e-7 (LightGBM keeps
#: gradients in float32); a wrong setting moves some raw score by 0.3 or more.
BALANCED_TOLERANCE = 1e-3


#: (n, share of positives, data seed, reg_lambda, min_child_weight), simplest first: reg_lambda alone
#: (min_child_weight far too small to bind), then min_child_weight alone (reg_lambda=0), then both.
VISIBLE_BALANCED_CASES = [(300, 0.15, 5, 1.0, 0.0), (300, 0.15, 5, 0.0, 4.0), (400, 0.25, 4, 3.0, 2.0)]


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


def check_balanced_params(balanced_params):
    """Task 7: class_weight='balanced' with the student's reg_lambda and min_child_weight trains the dict model."""
    balanced_holds(balanced_params, VISIBLE_BALANCED_CASES)
    passed("balanced_params: class_weight='balanced' with your settings trains the dict model (raw scores agree to "
           f"{BALANCED_TOLERANCE:g})")


def balanced_holds(balanced_params, cases):
    """Fail unless the 'balanced' model with the student's settings is the dict model on each case."""
    from wloss.data.synthetic import make_imbalanced_blobs

    keys = ("reg_lambda", "min_child_weight")
    for n, share, seed, reg_lambda, min_child_weight in cases:
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


# ----------------------------------------------------------------------------- task 8: a port of one's own

#: Names of PyTorch itself: the port must run in another library.
PYTORCH_NAMES = ("torch", "pytorch")


def port_cases(seed, settings):
    """(case, y, z) for each (n, number of positives, largest |logit|) of ``settings``: labels in a random order,
    logits spread up to the largest |logit| (both signs, the extremes included)."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, n_pos, largest in settings:
        y = rng.permutation(np.r_[np.ones(n_pos), np.zeros(n - n_pos)])
        z = rng.uniform(-largest, largest, n)
        if n >= 2:
            z[:2] = [-largest, largest]
        what = ("negatives only" if n_pos == 0 else "positives only" if n_pos == n else f"{n_pos} positive")
        cases.append((f"{n} example{'s' if n > 1 else ''}, {what}, logits up to {largest:g} in size", y, z))
    return cases


#: A mixed batch whose weight sum is not its size, and a batch of one class.
VISIBLE_PORT_CASES = [(40, 8, 3.0), (20, 0, 3.0)]


def _torch_reference(torch_loss, y, z):
    """The student's PyTorch loss at (y, z), its gradient and the diagonal of its hessian in the logits."""
    logits = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    with task("torch_loss"):
        value = torch_loss(torch.tensor(y, dtype=torch.float64), logits)
    if not isinstance(value, torch.Tensor) or value.numel() != 1:
        fail(f"torch_loss: expected a PyTorch tensor holding one number (a reduced loss), got "
             f"{type(value).__name__}{tuple(value.shape) if isinstance(value, torch.Tensor) else ''}")
    if not value.requires_grad:
        fail("torch_loss: its value does not depend on the logits through PyTorch. Does it compute the loss with "
             "PyTorch's own operations on z?")
    (grad,) = torch.autograd.grad(value.reshape(()), logits, create_graph=True)
    (hess,) = torch.autograd.grad(grad.sum(), logits) if grad.requires_grad else (torch.zeros_like(logits),)
    return value.item(), grad.detach().numpy(), hess.numpy()


def port_holds(torch_loss, ported_loss, cases):
    """Fail unless the port agrees with the PyTorch loss on each of ``cases`` ((case, y, z)): the same loss value,
    or, for a boosting library's custom objective returning (grad, hess), PyTorch's gradient and hessian in the
    logits, possibly multiplied by N (the objective of a sum where PyTorch takes the mean)."""
    for case, y, z in cases:
        value, grad, hess = _torch_reference(torch_loss, y, z)
        with task("ported_loss"):
            got = ported_loss(y.copy(), z.copy())
        if isinstance(got, (tuple, list)):
            if len(got) != 2:
                fail(f"ported_loss ({case}): expected one loss value, or a pair (grad, hess), got {len(got)} items")
            g = check_array(f"ported_loss ({case}): grad", got[0], shape=(len(y),))
            h = check_array(f"ported_loss ({case}): hess", got[1], shape=(len(y),))
            if not (np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
                fail(f"ported_loss ({case}): your gradient or hessian is not finite everywhere. At which logits, "
                     "and which step of your formula overflows there?")
            agree = any(np.allclose(g, factor * grad, rtol=1e-6, atol=1e-10 * factor) and
                        np.allclose(h, factor * hess, rtol=1e-6, atol=1e-10 * factor) for factor in (1.0, len(y)))
            what = "gradient and hessian"
        else:
            got = check_scalar(f"ported_loss ({case})", got)
            agree = np.isclose(got, value, rtol=1e-6, atol=1e-12)
            what = "loss value"
        if not agree:
            fail(f"ported_loss ({case}): your port's {what} differs from your PyTorch loss's on this batch. Where "
                 "does each library put the weight, what does each divide the weighted sum by here, and does "
                 "every step of your port hold at logits this large?")


def check_own_port(torch_loss, ported_loss, open_library, open_case):
    """Task 8: a weighted PyTorch loss, its port to another library, and the student's case, where the two agree;
    the check recomputes the agreement there and on a mixed and a one-class batch of its own."""
    if torch_loss is None or ported_loss is None or open_library is None or open_case is None:
        fail("torch_loss, ported_loss, open_library, open_case: not filled in yet - write your port first.")
    if not isinstance(open_library, str) or not open_library.strip():
        fail(f"open_library: expected the name of the library you ported the loss to, got {open_library!r}")
    if any(name in open_library.lower() for name in PYTORCH_NAMES):
        fail("open_library: PyTorch is the reference here; which other library did you port the loss to?")
    if not isinstance(open_case, (tuple, list)) or len(open_case) != 2:
        fail("open_case: expected a pair (y, z) of NumPy arrays: the labels and logits of your case")
    y = check_array("open_case: y", open_case[0])
    if y.ndim != 1:
        fail(f"open_case: expected y of shape (N,), got {y.shape}")
    z = check_array("open_case: z", open_case[1], shape=y.shape)
    if len(y) < 2 or not np.isin(y, (0, 1)).all():
        fail("open_case: y should hold at least two labels, each 0 or 1")
    mixed = port_cases(81, [(40, 8, 3.0)])[0]
    value = _torch_reference(torch_loss, mixed[1], mixed[2])[0]
    bce = F.binary_cross_entropy_with_logits(torch.tensor(mixed[2]), torch.tensor(mixed[1]), reduction="none")
    if np.isclose(value, bce.mean().item(), rtol=1e-9) or np.isclose(value, bce.sum().item(), rtol=1e-9):
        fail("torch_loss: on a batch holding both classes it gives the unweighted binary cross-entropy. Which "
             "weighted loss are you porting, and where does its weight enter?")
    port_holds(torch_loss, ported_loss,
               [("your case", y.astype(float), z.astype(float))] + port_cases(81, VISIBLE_PORT_CASES))
    passed(f"own port ({open_library}): agrees with your PyTorch loss on your case, on a mixed batch and on a batch "
           "of negatives only")
