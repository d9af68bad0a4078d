"""Checks for exercise 02 (weighted binary cross-entropy)."""
import numpy as np
import torch

from wloss.checks import check_array, check_close, check_scalar, check_true, fail, passed, task
from wloss.losses import weighted_bce_with_logits


def _reference_losses(z, y, w):
    return weighted_bce_with_logits(torch.tensor(z, dtype=torch.float64), torch.tensor(y, dtype=torch.float64),
                                    pos_weight=w, reduction="none").numpy()


def _cases():
    rng = np.random.default_rng(2)
    return [
        ("random logits, w+ = 5", rng.normal(scale=3, size=20), rng.integers(0, 2, size=20), 5.0),
        ("extreme logits +-1000", np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([1, 1, 0, 0]), 2.0),
    ]


def check_weighted_bce_from_logits(weighted_bce_from_logits):
    for case, z, y, w in _cases():
        with task("weighted_bce_from_logits"):
            got = weighted_bce_from_logits(z, y, w)
        got = check_array(f"weighted_bce_from_logits ({case})", got, shape=z.shape)
        if not np.all(np.isfinite(got)):
            fail(f"weighted_bce_from_logits ({case}): got inf or nan at logits {z[~np.isfinite(got)]} - "
                 "compute -log sigmoid(z) as np.logaddexp(0, -z), never np.log(sigmoid(z))")
        expected = _reference_losses(z, y, w)
        if np.allclose(got, _reference_losses(z, y, 1.0)) and w != 1:
            fail(f"weighted_bce_from_logits ({case}): the positive term is not multiplied by pos_weight")
        check_close("weighted_bce_from_logits", got, expected, rtol=1e-9, case=case)
    passed("weighted_bce_from_logits: matches wloss.losses and stays finite at logits of +-1000")


def check_weighted_bce_grad(weighted_bce_grad):
    for case, z, y, w in _cases():
        z_t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        weighted_bce_with_logits(z_t, torch.tensor(y, dtype=torch.float64), pos_weight=w, reduction="sum").backward()
        with task("weighted_bce_grad"):
            got = weighted_bce_grad(z, y, w)
        got = check_array(f"weighted_bce_grad ({case})", got, shape=z.shape)
        expected = z_t.grad.numpy()
        if np.allclose(got, -expected):
            fail(f"weighted_bce_grad ({case}): wrong sign - a positive with p < 1 must get a NEGATIVE gradient "
                 "(increasing z lowers its loss)")
        check_close("weighted_bce_grad", got, expected, rtol=1e-9, case=case)
    passed("weighted_bce_grad: w+ (p - 1) for y = 1 and p for y = 0, as autograd computes")


def check_balancing_pos_weight(balancing_pos_weight):
    for y in ([0, 0, 0, 1], [0] * 95 + [1] * 5, [1, 1, 0]):
        y = np.array(y)
        with task("balancing_pos_weight"):
            got = check_scalar(f"balancing_pos_weight (n+ = {y.sum()})", balancing_pos_weight(y))
        expected = (y == 0).sum() / (y == 1).sum()
        if np.isclose(got, 1 / expected):
            fail(f"balancing_pos_weight (n+ = {y.sum()}): you returned n+/n-; the weight is n-/n+")
        check_close("balancing_pos_weight", got, expected, case=f"{len(y)} labels, {y.sum()} positive")
    try:
        with task("balancing_pos_weight"):
            balancing_pos_weight(np.zeros(5, dtype=int))
    except Exception as exc:  # the task wrapper turns student errors into CheckFailed
        check_true("ValueError" in str(exc),
                   f"balancing_pos_weight with no positives: expected a ValueError, got: {exc}")
    else:
        fail("balancing_pos_weight with no positives: expected a ValueError, nothing was raised")
    passed("balancing_pos_weight: n-/n+, and a clear error when there are no positives")


def check_weighted_boundary(weighted_boundary):
    for pi1, s, w in [(0.05, 2.0, 1.0), (0.05, 2.0, 19.0), (0.01, 1.0, 50.0), (0.3, 3.0, 0.5)]:
        case = f"pi1={pi1}, separation={s}, pos_weight={w}"
        with task("weighted_boundary"):
            got = check_scalar(f"weighted_boundary ({case})", weighted_boundary(pi1, s, w))
        expected = (np.log((1 - pi1) / pi1) - np.log(w)) / s
        if np.isclose(got, (np.log((1 - pi1) / pi1) + np.log(w)) / s) and w != 1:
            fail(f"weighted_boundary ({case}): the weight moves the boundary the wrong way - up-weighting "
                 "positives must move it toward the negatives (smaller x)")
        check_close("weighted_boundary", got, expected, case=case)
    passed("weighted_boundary: (log(pi0/pi1) - log w+) / s; w+ = pi0/pi1 puts it back at 0")


def check_first_infinite_logit(first_infinite_logit):
    got = check_scalar("first_infinite_logit", first_infinite_logit)
    expected = next(z for z in range(200) if np.float32(1) - np.float32(1) / (np.float32(1) + np.exp(-np.float32(z))) == 0)
    if got != int(got):
        fail(f"first_infinite_logit: expected an integer, got {got}")
    if np.isclose(got, 89) or np.isclose(got, 104):
        fail(f"first_infinite_logit: {int(got)} is where exp or sigmoid itself over/underflows; the loss of a "
             "NEGATIVE example breaks earlier, when 1 - sigmoid(z) rounds to 0")
    check_close("first_infinite_logit", got, expected, case="float32, -log(1 - sigmoid(z))")
    passed(f"first_infinite_logit: from z = {expected} on, naive float32 BCE of a negative is inf")
