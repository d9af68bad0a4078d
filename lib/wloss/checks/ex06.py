"""Checks for exercise 06 (the Real-World-Weight Cross-Entropy).

Each check tests properties of what the student returned and, when one fails, names the property and the
smallest case it fails on, and asks a question; none prints the answer to its task. The instructor's hidden
cases are in ``wloss_grading.ex06``, which calls the same case runners on inputs the student never sees and
compares with references that are not here.
"""
import functools

import mpmath
import numpy as np
import torch
from sklearn.metrics import log_loss

from wloss.checks import (check_array, check_recorded_prediction, check_report, check_scalar, check_true, fail,
                          library_blocked, passed, task)

#: The library's own versions of task 1: blocked while the student's function runs.
RWWCE_TWINS = ("wloss.reference.rwwce", "wloss.reference.rwwce_per_example", "wloss.losses.rwwce")


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------- task 1
def rwwce_of(rwwce_numpy, probs, targets, fn_cost, fp_cost, case):
    """The student's value on one input (copies), as a float, with the library's RWWCE blocked."""
    with task("rwwce_numpy"), library_blocked("rwwce_numpy", *RWWCE_TWINS):
        got = rwwce_numpy(probs.copy(), targets.copy(), np.array(fn_cost, dtype=float),
                          np.array(fp_cost, dtype=float))
    return check_scalar(f"rwwce_numpy ({case})", got)


def _rwwce_cases():
    rng = np.random.default_rng(6)
    return [("2 classes, one costly pair", np.array([[0.5, 0.5], [0.8, 0.2]]), np.array([1, 0]),
             np.ones(2), np.array([[3.0, 0.0], [19.0, 5.0]])),
            ("4 classes, random costs, non-zero fp diagonal", _softmax(rng.normal(scale=2.0, size=(30, 4))),
             rng.integers(0, 4, size=30), rng.uniform(0.5, 3.0, size=4), rng.uniform(0.0, 20.0, size=(4, 4)))]


RWWCE_CASES = _rwwce_cases()


def check_rwwce_numpy(rwwce_numpy):
    """Eq. 6 by its properties: cross-entropy when only fn costs are 1, linear in the costs, a mean over
    examples, blind to the diagonal of fp_cost and to a class nobody predicts, fp_cost read [true, predicted]."""
    rwwce_properties_hold(rwwce_numpy, RWWCE_CASES)
    passed("rwwce_numpy: cross-entropy without fp costs, linear in the costs, a mean over examples, the diagonal "
           "of fp_cost and an unpredicted class ignored, fp_cost read [true, predicted]")


def rwwce_properties_hold(rwwce_numpy, cases):
    """Fail unless the student's eq. 6 has each property on each (case, probs, targets, fn, fp) of ``cases``."""
    for case, probs, targets, fn, fp in cases:
        m, k = probs.shape
        value = functools.partial(rwwce_of, rwwce_numpy)
        plain = value(probs, targets, np.ones(k), np.zeros((k, k)), f"{case}, fn_cost 1, fp_cost 0")
        if not np.isclose(plain, log_loss(targets, probs, labels=np.arange(k)), rtol=1e-9):
            fail(f"rwwce_numpy ({case}, fn_cost all 1, fp_cost all 0): this is not the mean cross-entropy. With no "
                 "fp costs, what is left of eq. 6, and what does it average over?")
        full = value(probs, targets, fn, fp, case)
        only_fn = value(probs, targets, fn, np.zeros((k, k)), f"{case}, fp_cost 0")
        only_fp = value(probs, targets, np.zeros(k), fp, f"{case}, fn_cost 0")
        if not np.isclose(full, only_fn + only_fp, rtol=1e-9, atol=1e-12):
            fail(f"rwwce_numpy ({case}): the value with both costs is not the value with fn_cost alone plus the "
                 "value with fp_cost alone. Is every term of eq. 6 one cost times one log?")
        if only_fp == 0 and np.any(fp[targets][~np.eye(k, dtype=bool)[targets]] > 0):
            fail(f"rwwce_numpy ({case}, fn_cost 0): the value is 0 although wrong classes carry fp costs and "
                 "probability. Where are eq. 6's fp terms?")
        twice = value(np.concatenate([probs, probs]), np.concatenate([targets, targets]), fn, fp,
                      f"{case}, every example twice")
        if not np.isclose(twice, full, rtol=1e-9):
            fail(f"rwwce_numpy ({case}, every example twice): the value changes when every example is repeated. "
                 "What does eq. 6 divide its sum by?")
        padded = value(np.c_[probs, np.zeros(m)], targets, np.r_[fn, 1.0], np.pad(fp, ((0, 1), (0, 1))),
                       f"{case}, a class {k} that no example has and nobody predicts")
        if not np.isclose(padded, full, rtol=1e-9):
            fail(f"rwwce_numpy ({case}, plus a class {k} with no example, probability 0 and cost 0): the value "
                 "changes. Can a class that contributes no term change eq. 6?")
        diagonal = fp + np.diag(np.linspace(7.0, 11.0, k))
        if not np.isclose(value(probs, targets, fn, diagonal, f"{case}, diagonal of fp_cost raised"), full,
                          rtol=1e-9):
            fail(f"rwwce_numpy ({case}): your value changes when only the diagonal of fp_cost changes. Which "
                 "pairs (true class, predicted class) are false positives?")
        a, b = int(targets[0]), (int(targets[0]) + 1) % k
        single = np.zeros((k, k))
        single[a, b] = 1.0
        base = value(probs, targets, np.zeros(k), single, f"{case}, one fp cost")
        moved = probs.copy()
        others = np.flatnonzero(targets != a)
        moved[others] = moved[others][:, ::-1]
        if not np.isclose(value(moved, targets, np.zeros(k), single, f"{case}, one fp cost"), base, rtol=1e-9,
                          atol=1e-12):
            fail(f"rwwce_numpy ({case}, the only cost fp_cost[{a}, {b}] = 1): the value changes when only examples "
                 f"whose true class is not {a} change their probabilities. Which index of fp_cost is the true "
                 "class?")


# ----------------------------------------------------------------------------- task 2
def high_precision_group_term(z, group):
    """The group term and its gradient, from the definition with enough digits that 1 - sum p_k keeps 40 of them
    (central differences at step 1e-20)."""
    values, gradients = [], []
    for row in np.asarray(z, dtype=float):
        digits = 60 + int(np.ptp(row) / 2.2)
        with mpmath.workdps(digits):
            values.append(float(_definition_mp([mpmath.mpf(float(v)) for v in row], group)))
        gradient = []
        for j in range(len(row)):
            with mpmath.workdps(digits):
                h = mpmath.mpf("1e-20")
                up, down = [mpmath.mpf(float(v)) for v in row], [mpmath.mpf(float(v)) for v in row]
                up[j] += h
                down[j] -= h
                gradient.append(float((_definition_mp(up, group) - _definition_mp(down, group)) / (2 * h)))
        gradients.append(gradient)
    return np.array(values), np.array(gradients)


def _definition_mp(z, group):
    e = [mpmath.exp(v) for v in z]
    return -mpmath.log(1 - mpmath.fsum(e[k] for k in group) / mpmath.fsum(e))


#: Visible cases of task 2: (case, float32 logits, the group of wrong classes).
GROUP_CASES = [
    ("moderate logits, group (1, 2) of 4 classes", np.random.default_rng(60).normal(size=(5, 4)), (1, 2)),
    ("logits (0, 20, 20), group (1, 2)", np.array([[0.0, 20.0, 20.0]]), (1, 2)),
    ("logits (0, 60, -30), group (1,)", np.array([[0.0, 60.0, -30.0]]), (1,)),
]


def check_fp_group_term(fp_group_term):
    """-log(1 - sum of p_k over a group of classes) from float32 logits: accurate, finite, exact gradient."""
    group_term_holds(fp_group_term, GROUP_CASES, high_precision_group_term)
    passed("fp_group_term: finite, accurate, and with the right gradient where the group takes almost all the "
           "probability (checked against the definition, evaluated with 60 digits and more)")


def group_term_holds(fp_group_term, cases, exact):
    """Fail unless ``fp_group_term`` matches ``exact(z, group)`` (values, gradients) on each case of ``cases``."""
    for case, z, group in cases:
        logits = torch.tensor(z, dtype=torch.float32, requires_grad=True)
        with task("fp_group_term"):
            got = fp_group_term(logits, list(group))
        check_true(isinstance(got, torch.Tensor) and tuple(got.shape) == (len(z),),
                   f"fp_group_term ({case}): return a tensor of shape ({len(z)},), one value per row, got "
                   f"{type(got).__name__} {tuple(getattr(got, 'shape', ()))}")
        check_true(got.requires_grad,
                   f"fp_group_term ({case}): your result is detached from the logits (no gradient flows back). "
                   "Does every step stay in torch?")
        value, exact_gradient = exact(z, group)
        got_value = got.detach().double().numpy()
        if not np.all(np.isfinite(got_value)):
            fail(f"fp_group_term ({case}): the value is not finite. Which quantity rounds to 0 in float32 before "
                 "the log is taken?")
        if not np.allclose(got_value, value, rtol=1e-4, atol=1e-4):
            fail(f"fp_group_term ({case}): the value is not -log(1 - sum of the group's probabilities) (off by "
                 f"more than 1e-4). Does each step compute that quantity, or something close to it only "
                 "while the probabilities are moderate?")
        with task("fp_group_term (backward)"):
            (gradient,) = torch.autograd.grad(got.sum(), logits)
        gradient = gradient.double().numpy()
        if not np.all(np.isfinite(gradient)):
            fail(f"fp_group_term ({case}): the gradient is not finite")
        if np.all(np.abs(gradient) < 1e-6) and np.any(np.abs(exact_gradient) > 1e-3):
            fail(f"fp_group_term ({case}): the gradient is zero although the model is confidently wrong here. "
                 "Which step of your computation no longer depends on the logits?")
        if not np.allclose(gradient, exact_gradient, rtol=1e-3, atol=1e-4):
            fail(f"fp_group_term ({case}): the gradient with respect to the logits is off by more than 1e-3. "
                 "Is the value right only up to a constant, or does a step cut the gradient?")


# ----------------------------------------------------------------------------- task 3
#: The experiment of task 3: each setting against the same optimiser with costs (10, 1).
WEIGHT_DECAY, LR, EPOCHS = 0.1, 0.05, 300
SETTINGS = ("Adam, weight_decay 0.1, costs x 10 000", "AdamW, weight_decay 0.1, costs x 10 000",
            "Adam, weight_decay 0.1, costs / 100")
_SETTING_RUNS = {SETTINGS[0]: ("adam", 1e4), SETTINGS[1]: ("adamw", 1e4), SETTINGS[2]: ("adam", 1e-2)}
OUTCOMES = ("larger", "about the same", "smaller")


@functools.lru_cache(maxsize=32)
def _trained_weights(optimizer, scale, seed):
    """Full-batch logistic regression, binary RWWCE with costs (10, 1) x scale: the trained input weights."""
    from wloss.data import make_imbalanced_blobs
    from wloss.losses import rwwce_binary
    from wloss.training import mlp

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        X, y = make_imbalanced_blobs(n=2000, minority_fraction=0.1, seed=seed, separation=2.0)
        X, y = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)
        model = mlp(2, (), 1, seed=seed)
        kind = torch.optim.AdamW if optimizer == "adamw" else torch.optim.Adam
        opt = kind(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
        for _ in range(EPOCHS):
            opt.zero_grad()
            rwwce_binary(model(X).squeeze(1), y, fn_cost=10.0 * scale, fp_cost=scale).backward()
            opt.step()
        return model[0].weight.detach().double().numpy().ravel().copy()
    finally:
        torch.set_num_threads(threads)


def decay_experiment(seed=0):
    """Per setting: the norm of the trained input weights divided by the norm at costs (10, 1), and its word."""
    result = {}
    for setting, (optimizer, scale) in _SETTING_RUNS.items():
        ratio = float(np.linalg.norm(_trained_weights(optimizer, scale, seed))
                      / np.linalg.norm(_trained_weights(optimizer, 1.0, seed)))
        word = "larger" if ratio > 1.1 else "smaller" if ratio < 0.9 else "about the same"
        result[setting] = {"ratio": ratio, "outcome": word}
    return result


def check_decay_prediction(decay_prediction, decay_reason):
    """The visible part: a word per setting and a one-line reason, recorded (graded in the hidden part)."""
    check_recorded_prediction("decay_prediction", decay_prediction, SETTINGS, OUTCOMES, "decay_reason",
                              decay_reason, "in one sentence, where does each optimiser apply the weight decay, "
                              "and what is it compared with?")


# ----------------------------------------------------------------------------- task 4
def _clip_gradient(z_value, eps, num_classes):
    z = torch.zeros(num_classes, dtype=torch.float64)
    z[0] = z_value
    z.requires_grad_(True)
    loss = -torch.log(torch.softmax(z, dim=0)[0].clamp(eps, 1 - eps))
    (gradient,) = torch.autograd.grad(loss, z)
    return gradient[0].item()


CLIP_CASES = [(1e-7, 10), (1e-3, 3)]


def check_clip_dead_logit(clip_dead_logit):
    """z* must be where p_y = eps (other logits 0): the clipped loss has a gradient just above it, none below."""
    dead_logit_holds(clip_dead_logit, CLIP_CASES)
    passed("clip_dead_logit: at your z* the clip switches the gradient off (checked with autograd)")


def dead_logit_holds(clip_dead_logit, cases):
    """Fail unless the gradient of the clipped loss switches off at the student's z* on each (eps, K) of ``cases``."""
    for eps, num_classes in cases:
        case = f"eps = {eps:g}, K = {num_classes}"
        with task("clip_dead_logit"):
            got = clip_dead_logit(eps, num_classes)
        z_star = check_scalar(f"clip_dead_logit ({case})", got)
        p_y = 1.0 / (1.0 + (num_classes - 1) * np.exp(-z_star)) if z_star > -700 else 0.0
        if z_star > 0:
            fail(f"clip_dead_logit ({case}): your z* is positive, where the true class is already likely. Where "
                 "does a clip at eps on p_y act: where the true class is likely or nearly impossible?")
        if not np.isclose(p_y, eps, rtol=1e-4):
            side = "above" if p_y > eps else "below"
            fail(f"clip_dead_logit ({case}): at your z* the true class's probability is {side} eps, so the "
                 "gradient does not switch off there. What is p_y as a function of z when the other K - 1 logits "
                 "are 0?")
        above, below = _clip_gradient(z_star + 0.01, eps, num_classes), _clip_gradient(z_star - 0.01, eps, num_classes)
        if not (above != 0.0 and below == 0.0):
            fail(f"clip_dead_logit ({case}): autograd does not see the gradient switch off at your z*")


# ----------------------------------------------------------------------------- task 6 (open)
OPEN_REPORT_KEYS = ("scenario", "dearest mistake", "what the minimiser does")
TRUE_CLASS_PROBABILITY = 0.6


def open_rwwce(fn_cost, fp_cost, split):
    """RWWCE (wloss.reference.rwwce) of one example of true class 0 with p_0 = 0.6 and ``split`` on the others."""
    from wloss import reference

    p = np.r_[TRUE_CLASS_PROBABILITY, split][None, :]
    return float(reference.rwwce(np.clip(p, 1e-300, 1.0), np.array([0]), fn_cost, fp_cost))


def check_open_costs(fn_cost, fp_cost, open_split, open_report):
    """Costs of the student's own for K >= 3 classes, the split of the remaining 0.4 that minimises RWWCE for true
    class 0, and a report: the split must beat 2,000 random splits and every small move between two classes."""
    fn = check_array("fn_cost", fn_cost)
    fp = check_array("fp_cost", fp_cost)
    k = len(fn)
    check_true(fn.ndim == 1 and k >= 3 and fp.shape == (k, k),
               f"fn_cost, fp_cost: expected shapes (K,) and (K, K) with K >= 3, got {fn.shape} and {fp.shape}")
    check_true(np.all(np.isfinite(fp)) and np.all(fp >= 0) and np.all(fn >= 0), "costs must be finite and >= 0")
    check_true(np.ptp(fp[0, 1:]) > 0,
               "fp_cost: the wrong classes of class 0 all cost the same, so any split is as good as another. Which "
               "mistake is dearer in your scenario?")
    split = check_array("open_split", open_split, shape=(k - 1,))
    check_true(np.all(split >= -1e-9) and abs(split.sum() - (1 - TRUE_CLASS_PROBABILITY)) < 1e-6,
               "open_split: the wrong classes' probabilities must be >= 0 and sum to 0.4")
    best = open_rwwce(fn, fp, split)
    rng = np.random.default_rng(66)
    others = rng.dirichlet(np.ones(k - 1), size=2000) * (1 - TRUE_CLASS_PROBABILITY)
    beaten = [s for s in others if open_rwwce(fn, fp, s) < best - 1e-6]
    for a in range(k - 1):
        for b in range(k - 1):
            moved = split.copy()
            step = min(1e-3, moved[a])
            moved[a] -= step
            moved[b] += step
            if a != b and step > 0 and open_rwwce(fn, fp, moved) < best - 1e-9:
                beaten.append(moved)
    if beaten:
        fail(f"open_split: {len(beaten)} other splits of the 0.4 have a lower RWWCE. Is your split the minimiser, or "
             "a guess?")
    check_report("open_report", open_report, OPEN_REPORT_KEYS)
    passed(f"open costs: {k} classes; your split beats 2,000 random splits and every small move; report written")


