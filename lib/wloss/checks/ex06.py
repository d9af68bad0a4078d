"""Checks for exercise 06 (the Real-World-Weight Cross-Entropy).

Every check recomputes the property its task asks for from what the student
returned, and names the failing property and case with a hint; none prints
the answer to its task.
"""
import functools

import numpy as np
import torch

from wloss import reference
from wloss.checks import check_array, check_scalar, check_true, fail, hidden_suffix, passed, relative_error, task


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _rwwce_cases(hidden):
    rng = np.random.default_rng(6)
    cases = [
        ("4 classes, random costs, non-zero fp diagonal", _softmax(rng.normal(scale=2.0, size=(30, 4))),
         rng.integers(0, 4, size=30), rng.uniform(0.5, 3.0, size=4), rng.uniform(0.0, 20.0, size=(4, 4))),
        ("2 classes, one costly pair", np.array([[0.5, 0.5], [0.8, 0.2]]), np.array([1, 0]),
         np.ones(2), np.array([[3.0, 0.0], [19.0, 5.0]])),
    ]
    if hidden:
        cases += [
            ("3 classes, only the diagonal of fp_cost is non-zero", np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]),
             np.array([0, 2]), np.ones(3), 7.0 * np.eye(3)),
            ("5 classes, asymmetric costs", _softmax(rng.normal(scale=3.0, size=(50, 5))),
             rng.integers(0, 5, size=50), rng.uniform(0.5, 3.0, size=5), rng.uniform(0.0, 9.0, size=(5, 5))),
        ]
    return cases


def check_rwwce_numpy(rwwce_numpy, hidden=False):
    """Eq. 6 (mean over examples, diagonal of fp_cost ignored), compared with wloss.reference.rwwce."""
    for case, probs, targets, fn_cost, fp_cost in _rwwce_cases(hidden):
        with task("rwwce_numpy"):
            got = rwwce_numpy(probs.copy(), targets.copy(), fn_cost.copy(), fp_cost.copy())
        got = check_scalar(f"rwwce_numpy ({case})", got)
        expected = reference.rwwce(probs, targets, fn_cost, fp_cost)
        if np.isclose(got, expected, rtol=1e-9):
            continue
        rows = np.arange(len(targets))
        diagonal = np.mean(fp_cost[targets, targets] * np.log1p(-probs[rows, targets]))
        if np.isclose(got, expected - diagonal, rtol=1e-9):
            fail(f"rwwce_numpy ({case}): your value changes when only the diagonal of fp_cost changes; in eq. 6 "
                 "fp_cost[y, y] never enters (a prediction of the true class is no false positive)")
        if np.isclose(got, expected / probs.shape[1], rtol=1e-9):
            fail(f"rwwce_numpy ({case}): your value is eq. 6 divided by K = {probs.shape[1]}: a mean over the (M, K) "
                 "array of terms; eq. 6 divides the sum by M only")
        if np.isclose(got, expected * len(targets), rtol=1e-9):
            fail(f"rwwce_numpy ({case}): your value is the sum over examples; eq. 6 has 1/M")
        if np.isclose(got, reference.rwwce(probs, targets, fn_cost, fp_cost.T), rtol=1e-9):
            fail(f"rwwce_numpy ({case}): fp_cost is indexed [true, predicted]; your loss reads it the other way round")
        fail(f"rwwce_numpy ({case}): your value differs from eq. 6 (relative error {relative_error(got, expected):.1e})")
    passed("rwwce_numpy: eq. 6 with the diagonal of fp_cost ignored" + hidden_suffix(hidden))


def _exact_fp_term(z, k):
    """-log(1 - softmax(z)_k) in float64, and its gradient with respect to z."""
    z = torch.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    others = z.clone()
    others = others.masked_fill(torch.nn.functional.one_hot(torch.tensor(k), z.shape[1]).bool(), -torch.inf)
    term = -(torch.logsumexp(others, dim=1) - torch.logsumexp(z, dim=1))
    (gradient,) = torch.autograd.grad(term.sum(), z)
    return term.detach().numpy(), gradient.numpy()


def _fp_term_cases(hidden):
    rng = np.random.default_rng(60)
    cases = [("moderate logits", rng.normal(size=(5, 4)), 1),
             ("class 1's logit 20 above the others", np.array([[0.0, 20.0, 0.0]]), 1),
             ("logits (0, 60, -30)", np.array([[0.0, 60.0, -30.0]]), 1)]
    if hidden:
        cases += [("two classes, class 0 far ahead", np.array([[35.0, 0.0], [3.0, -2.0]]), 0),
                  ("logits (-1000, 0, 1000)", np.array([[-1000.0, 0.0, 1000.0]]), 2)]
    return cases


def check_fp_term(fp_term, hidden=False):
    """-log(1 - p_k) from float32 logits: accurate, finite, and with the right gradient at extreme logits."""
    for case, z, k in _fp_term_cases(hidden):
        logits = torch.tensor(z, dtype=torch.float32, requires_grad=True)
        with task("fp_term"):
            got = fp_term(logits, k)
        check_true(isinstance(got, torch.Tensor) and got.shape == (len(z),),
                   f"fp_term ({case}): return a tensor of shape ({len(z)},), one value per row, got "
                   f"{type(got).__name__} {tuple(getattr(got, 'shape', ()))}")
        check_true(got.requires_grad,
                   f"fp_term ({case}): your result is detached from the logits (no gradient flows back): stay in "
                   "torch, no .numpy() or .item()")
        value, exact_gradient = _exact_fp_term(z, k)
        got_value = got.detach().double().numpy()
        if not np.all(np.isfinite(got_value)):
            fail(f"fp_term ({case}): the loss is not finite: 1 - p_k rounds to 0 in float32 before the log is taken")
        if not np.allclose(got_value, value, rtol=1e-4, atol=1e-4):
            fail(f"fp_term ({case}): the value is off by up to {np.max(np.abs(got_value - value)):.3g} "
                 "(a clip or an epsilon that changes the loss where p_k is close to 1?)")
        with task("fp_term (backward)"):
            (gradient,) = torch.autograd.grad(got.sum(), logits)
        gradient = gradient.double().numpy()
        if not np.all(np.isfinite(gradient)):
            fail(f"fp_term ({case}): the gradient is not finite")
        if np.all(np.abs(gradient) < 1e-6) and np.any(np.abs(exact_gradient) > 1e-3):
            fail(f"fp_term ({case}): the gradient is zero although the model is confidently wrong here; the "
                 "exact gradient pushes the wrong class's logit down with strength p_k (a clip kills it)")
        if not np.allclose(gradient, exact_gradient, rtol=1e-3, atol=1e-4):
            fail(f"fp_term ({case}): the gradient with respect to the logits is off by up to "
                 f"{np.max(np.abs(gradient - exact_gradient)):.3g}")
    passed("fp_term: finite, accurate, and with the exact gradient at extreme logits"
           + hidden_suffix(hidden))


#: The experiment of task 3: costs (10, 1) against the same ratio at this scale.
SCALE = 10_000.0
OUTCOMES = ("unchanged", "faster", "slower", "diverges")


def scale_experiment(optimizer, seed=0, epochs=150, lr=0.01):
    """Loss histories (in units of c_fp) of binary RWWCE with costs (10, 1) and (10, 1) x SCALE.

    Deterministic (seeded data, model and full-batch training), so runs are cached; each call gets copies.
    """
    return {scale: history.copy() for scale, history in _scale_experiment(optimizer, seed, epochs, lr).items()}


@functools.lru_cache(maxsize=16)
def _scale_experiment(optimizer, seed, epochs, lr):
    from wloss.data import make_imbalanced_blobs
    from wloss.losses import rwwce_binary
    from wloss.training import mlp, train

    X, y = make_imbalanced_blobs(n=2000, minority_fraction=0.1, seed=seed, separation=2.0)
    histories = {}
    for scale in (1.0, SCALE):
        model = mlp(2, (), 1, seed=seed)
        history = train(model, X, y, lambda z, t, s=scale: rwwce_binary(z, t, fn_cost=10.0 * s, fp_cost=s),
                        epochs=epochs, lr=lr, optimizer=optimizer)
        histories[scale] = np.array(history) / scale
    return histories


def outcome(histories):
    """Classify the scaled run against the scale-1 run: unchanged, faster, slower or diverges."""
    base, scaled = histories[1.0], histories[SCALE]
    if np.allclose(base, scaled, rtol=1e-4, atol=1e-6):
        return "unchanged"
    if not np.all(np.isfinite(scaled)) or scaled[-1] > scaled[0] or np.max(scaled[len(scaled) // 2:]) > scaled[0]:
        return "diverges"
    return "faster" if scaled[-1] < base[-1] else "slower"


def _check_choice(name, choice):
    check_true(isinstance(choice, str) and choice.strip().lower() in OUTCOMES,
               f"{name}: one of the strings {list(OUTCOMES)}, got {choice!r}")
    return choice.strip().lower()


HINTS = {
    "sgd": "how does a plain SGD step depend on the size of the gradient, and what does multiplying the loss by "
           "{scale:g} do to the gradient?",
    "adam": "what does Adam divide each step by, and what happens to that when the gradient is {scale:g} times larger?",
}


def check_scale_prediction(predicted_sgd, predicted_adam, hidden=False):
    """Compare the predictions with the experiment (re-run here; the hidden part also on another data seed)."""
    choices = {"sgd": _check_choice("predicted_sgd", predicted_sgd),
               "adam": _check_choice("predicted_adam", predicted_adam)}
    for seed in ((0, 1) if hidden else (0,)):
        for optimizer, choice in choices.items():
            seen = outcome(scale_experiment(optimizer, seed=seed))
            if choice != seen:
                fail(f"predicted_{optimizer}: the experiment (data seed {seed}) does not agree with your prediction "
                     f"'{choice}'. Ask yourself {HINTS[optimizer].format(scale=SCALE)}")
    passed("scale prediction: both predictions agree with the experiment" + (" (and on a second data set)"
                                                                             if hidden else ""))


def _clip_gradient(z_value, eps, num_classes):
    z = torch.zeros(num_classes, dtype=torch.float64)
    z[0] = z_value
    z.requires_grad_(True)
    loss = -torch.log(torch.softmax(z, dim=0)[0].clamp(eps, 1 - eps))
    (gradient,) = torch.autograd.grad(loss, z)
    return gradient[0].item()


def check_clip_dead_logit(clip_dead_logit, hidden=False):
    """z* must be where p_y = eps (other logits 0): the clipped loss has a gradient just above it, none below."""
    cases = [(1e-7, 10), (1e-3, 3)] + ([(1e-7, 2), (1e-5, 100)] if hidden else [])
    for eps, num_classes in cases:
        case = f"eps = {eps:g}, K = {num_classes}"
        with task("clip_dead_logit"):
            got = clip_dead_logit(eps, num_classes)
        z_star = check_scalar(f"clip_dead_logit ({case})", got)
        p_y = 1.0 / (1.0 + (num_classes - 1) * np.exp(-z_star)) if z_star > -700 else 0.0
        if z_star > 0:
            fail(f"clip_dead_logit ({case}): your z* is positive, where p_y = {p_y:.3g} is far above eps; the clip "
                 "on -log p_y bites where the true class is nearly impossible, at a very negative logit")
        if not np.isclose(p_y, eps, rtol=1e-4):
            side = "above" if p_y > eps else "below"
            fail(f"clip_dead_logit ({case}): at your z* the true class gets p_y = {p_y:.4g}, {side} eps, so "
                 "the gradient does not switch off there. Write p_y with the other K - 1 logits at 0 and solve "
                 "p_y = eps for z")
        above, below = _clip_gradient(z_star + 0.01, eps, num_classes), _clip_gradient(z_star - 0.01, eps, num_classes)
        if not (above != 0.0 and below == 0.0):
            fail(f"clip_dead_logit ({case}): autograd does not see the gradient switch off at your z*")
    passed("clip_dead_logit: at your z* the clip switches the gradient off (checked with autograd)"
           + hidden_suffix(hidden))
