"""The forms of the losses that ``torch.compile`` is given: the same formulas, written so that Inductor fuses them.

Inside ``torch.compile`` the losses run their formula path (see ``wloss.losses._blockwise``), and the
readable formulas, the documented definitions and the eager reference, pick single entries of each row
with ``gather`` and overwrite them with ``scatter``. Inductor turns every ``scatter`` into a store into a
materialised (N, K) buffer, and every read after it into another pass over (N, K), each its own loop over
the rows: compiled RWWCE made about eight passes over the logits where F.cross_entropy makes two.

The forms here write a row's pick as a comparison with the class index (``classes == index``), so that
taking entry y of a row is a masked row sum and replacing it is a ``where``: element-wise operations and
row reductions only, which Inductor fuses into a few loops over each row (and their gradient into one
more). Each loss keeps the stability of its readable formula (the same shifts, the same split of
log(1 - p) at the dominant class), and each is used only while ``torch.compiler.is_compiling()``, so that
eager arithmetic does not change. ``tests/test_losses_compiled.py`` checks them, compiled, against the
float64 reference.

Three more things, each measured, decide what Inductor's CPU code costs:

- **Sleef's log and log1p** cost about as much as the whole of compiled F.cross_entropy per entry: the logs of
  numbers in a known range are a polynomial instead (``two_atanh``: log1p of at most 1 in ``softplus``, log(1 - p)
  for p <= 1/2 in RWWCE), and a loss that needs a log per row takes one, not one per entry.
- **Subnormal numbers**: a multiplication that makes one is finished in microcode, about a hundred times slower,
  and a confident row (a gap of 60 between logits) makes them in e^-60 squared, in a probability times a gap, in
  a backward pass's products. Exponentials are clamped below (``exp_or_zero``, ``EXP_FLOOR``), the focal factor
  is 0 below ``FOCAL_NEGLIGIBLE``, RPS's probabilities below ``RPS_EXP_FLOOR``: each changes a value by far less
  than float32 resolves next to the loss.
- **Autograd of a long forward** saves its intermediates and differentiates every branch: softplus, RWWCE, the
  multiclass and sigmoid focal losses, RPS and the asymmetric loss have closed-form backward passes
  (``torch.autograd.Function``, first derivatives only), one element-wise pass from the saved logits (and targets)
  and a few numbers per row; the per-entry ones also take p, 1 - p and softplus from one exponential e^-|z|.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def class_index(logits: torch.Tensor) -> torch.Tensor:
    """0, 1, ..., K - 1 as a row (1, K) of int32, on the logits' device: compared in int64, Inductor's CPU
    code works on pairs of vectors and converts the mask, which cost more than the whole of
    F.cross_entropy (measured, N = 65,536, K = 10, one thread: 3.3 ms against 1.3 ms)."""
    return torch.arange(logits.shape[1], device=logits.device, dtype=torch.int32)[None, :]


def is_class(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The mask (N, K) of each row's class ``labels`` (N,): the one-hot, as a comparison Inductor fuses."""
    return class_index(logits) == labels.to(torch.int32)[:, None]


def pick(values: torch.Tensor, is_index: torch.Tensor) -> torch.Tensor:
    """values[i, index_i] (N, 1) given the mask ``is_index`` = (classes == index): a masked row sum, not a gather."""
    return torch.where(is_index, values, 0.0).sum(1, keepdim=True)


def pick_label(values: torch.Tensor, is_label: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """values[i, labels_i] (N, 1), the same number as ``pick``: a gather where no gradient is wanted (one load per row;
    the masked sum costs a reduction across each row, which at K = 10 costs about as much as a third of compiled
    F.cross_entropy), the masked sum where one is (a gather's gradient is a scatter into a materialised (N, K)
    buffer, read again by a pass of its own)."""
    if torch.is_grad_enabled() and values.requires_grad:
        return pick(values, is_label)
    return values.gather(1, labels[:, None])


def finite_or_zero(shift: torch.Tensor) -> torch.Tensor:
    """A row shift of +-inf (a row of -inf logits, an inf logit) replaced by 0, as ``torch.logsumexp`` does."""
    return torch.where(shift.abs() == float("inf"), 0.0, shift)


def nan_where_not_finite(row_max: torch.Tensor) -> torch.Tensor:
    """0 (N,) from the rows' max (N, 1), NaN in a row with a +inf (or NaN) logit, as documented: inf - inf."""
    return (row_max - row_max).detach()[:, 0]


def cross_entropy_per_example(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``F.cross_entropy(logits, y, reduction="none")``, in the form of ``cross_entropy`` while compiling."""
    if torch.compiler.is_compiling():
        return cross_entropy(logits, is_class(logits, y))
    return F.cross_entropy(logits, y, reduction="none")


def cross_entropy(logits: torch.Tensor, is_label: torch.Tensor) -> torch.Tensor:
    """-log softmax(z)_y (N,) = (m - z_y) + log sum_k exp(z_k - m), m the row max, y marked by ``is_label``.

    As F.cross_entropy rounds it (m - z_y is exact, the sum is of numbers <= 1), but the pick of z_y is a
    masked row sum and m a constant to autograd (the loss does not depend on it), so the gradient is
    exp(z - m) / S - [k = y], written by one elementwise loop: F.cross_entropy's backward, where its
    per-example result is weighted, sums the one-hot of each row in a loop of its own, gathering the weight
    at every class (measured, K = 100: 1.65x compiled F.cross_entropy for weighted CE, 0.9x with this form).
    """
    row_max, top, e, total = exp_minus_row_max(logits)
    return ((top - pick(logits, is_label)) + torch.log(total))[:, 0] + nan_where_not_finite(row_max)


def cross_entropy_with_offsets(logits: torch.Tensor, offsets: torch.Tensor, is_label: torch.Tensor) -> torch.Tensor:
    """-log softmax(z + c)_y (N,) for offsets c (K,), e.g. the logit adjustment tau log(prior), in two passes over
    each row (F.cross_entropy's number): m = max_k (z_k + c_k), then the sum of exp((z_k - m) + c_k) and the pick.

    m is only a shift (rounded, and a constant to autograd): each number the loss is computed from, (z_k - m) + c_k,
    rounds the offset next to an O(1) gap, never next to |z| ~ 1e4, as the readable form's shift by max z does. The
    largest of them is 0 up to a rounding, so the sum is at least about 1. Shifting by max z first and then by the
    cross-entropy's own max made three passes (measured, N = 65,536, K = 10, one thread: eval 1.6-1.8x compiled
    F.cross_entropy).
    """
    row_max = (logits.detach() + offsets.detach()).amax(1, keepdim=True)
    shifted = (logits - finite_or_zero(row_max)) + offsets
    return (torch.log(torch.exp(shifted).sum(1, keepdim=True)) - pick(shifted, is_label))[:, 0] + nan_where_not_finite(
        row_max)


def exp_minus_row_max(logits: torch.Tensor):
    """The row max m (N, 1), the shift ``top`` (m, or 0 where m is infinite), e = exp(z - top) (N, K) and
    S = sum_k e_k (N, 1); m and the shift are constants to autograd, which softmax-based losses do not depend on."""
    row_max = logits.detach().amax(1, keepdim=True)
    top = finite_or_zero(row_max)
    e = torch.exp(logits - top)
    return row_max, top, e, e.sum(1, keepdim=True)


def softmax_expectation(logits: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """sum_k softmax(z)_k v_k (N,) for values v (K,) or (N, K), as (sum_k e_k v_k) / S with e = exp(z - m): both row
    sums in one pass over the row, where ``torch.softmax(z) @ v`` writes the probabilities (N, K) and hands them to a
    matrix product (measured, expected_label_l1_loss, N = 65,536, K = 10, one thread: eval 1.6x compiled
    F.cross_entropy with the product, 1.2x with this form). NaN where the softmax
    is (a row with a +inf logit, or every logit -inf)."""
    row_max = logits.detach().amax(1, keepdim=True)
    e = torch.exp(logits - finite_or_zero(row_max))
    return (e * values).sum(1) / e.sum(1)


def distance_cross_entropy(logits: torch.Tensor, y: torch.Tensor, alpha) -> torch.Tensor:
    """Per-example -log p_y + alpha sum_k p_k |k - y| (N,), ``_distance_ce_formula`` in fusable form: the
    distances |k - y| compared from the class index instead of gathered from a (K, K) table, and the
    expected distance sum_k e_k |k - y| / S from the exponentials of the cross-entropy's own sum."""
    is_label = is_class(logits, y)
    row_max, top, e, total = exp_minus_row_max(logits)
    distance = (class_index(logits) - y.to(torch.int32)[:, None]).abs().to(logits.dtype)
    per_example = (top - pick(logits, is_label)) + torch.log(total) + alpha * (e * distance).sum(1, keepdim=True) / total
    return per_example[:, 0] + nan_where_not_finite(row_max)


# Below this exponent exp(x) is taken as 0 by ``exp_or_zero`` (and as e^-64 by ``softplus``): e^-64 = 1.6e-28, far below
# float32's resolution next to any O(1) sum, and far enough above its smallest normal number (1.2e-38) that the
# products a backward pass makes with it (times 1/N, a weight, a probability) stay normal
EXP_FLOOR = -64.0


def exp_or_zero(x: torch.Tensor, floor: float = EXP_FLOOR) -> torch.Tensor:
    """exp(x), or 0 where x < ``floor`` (``EXP_FLOOR`` unless given): no subnormal number is ever made.

    Where exp(x) would be subnormal (x below about -87 in float32), the CPU finishes each such multiplication in
    microcode, about a hundred times slower: the scaled gaps of LDAM (s (z - m) with s = 30) and the softplus of
    a confident logit put most entries there (measured, LDAM, N = 65,536, K = 10, one thread: 4.1 ms against
    1.9 ms with the argument clamped). Sleef's exp makes them on the way even where its result is 0, so the
    argument is clamped first and the result replaced by 0 after.
    """
    return torch.where(x < floor, 0.0, exp_clamped(x, floor))


def exp_clamped(x: torch.Tensor, floor: float = EXP_FLOOR) -> torch.Tensor:
    """exp(max(x, floor)): e^-64 (``EXP_FLOOR``) where exp(x) would be smaller, for a sum or a softplus that the
    difference cannot move (``exp_or_zero`` where it must be 0)."""
    return torch.exp(x.clamp(min=floor))


# 2 atanh(t) / (2 t) = 1 + u/3 + u^2/5 + ... (u = t^2) on 0 <= u <= 1/9, as the polynomial c0 + c1 u + ... + c4 u^4 of
# least maximum relative error (Lawson's iteration on 400 Chebyshev nodes, checked on 20,001 points against 40-digit
# mpmath): relative error below 4e-9, where the Taylor series needs seven terms for 1.4e-8
_TWO_ATANH_COEFFICIENTS = (1.0000000039605208, 0.333331573410035, 0.2001245514057907, 0.13980301383415197,
                           0.14089167427028748)


def two_atanh(t: torch.Tensor) -> torch.Tensor:
    """2 atanh(t) = log((1 + t) / (1 - t)) for 0 <= t <= 1/3, as 2 t P(t^2) (``_TWO_ATANH_COEFFICIENTS``): within
    4e-9 of the value, below float32's rounding. A square and four multiply-adds, where Inductor's log and log1p
    (Sleef's, vectorised) cost about as much as the whole of compiled F.cross_entropy each (measured, N = 65,536,
    K = 100, one thread)."""
    # a subnormal t^2 costs a microcode assist per entry (measured, confident logits, K = 10: eval 8.1 ms against
    # 4.6 ms); below 2^-30 the terms it scales are lost in c0 anyway
    u = t.clamp(min=2.0 ** -30).square()
    c0, c1, c2, c3, c4 = _TWO_ATANH_COEFFICIENTS
    return 2.0 * t * ((((c4 * u + c3) * u + c2) * u + c1) * u + c0)


def log_one_minus_at_most_half(p: torch.Tensor) -> torch.Tensor:
    """log(1 - p) for 0 <= p <= 1/2: -2 atanh(p / (2 - p)), the argument at most 1/3 (``two_atanh``)."""
    return -two_atanh(p / (2.0 - p))


def log_one_plus_at_most_one(t: torch.Tensor) -> torch.Tensor:
    """log(1 + t) for 0 <= t <= 1: 2 atanh(t / (2 + t)), the argument at most 1/3 (``two_atanh``). Where a gradient is
    wanted, ``_LogOnePlus``: its derivative 1 / (1 + t) in closed form, not autograd of the polynomial."""
    if torch.is_grad_enabled() and t.requires_grad:
        return _LogOnePlus.apply(t)
    return two_atanh(t / (2.0 + t))


class _LogOnePlus(torch.autograd.Function):
    """``log_one_plus_at_most_one`` with the gradient 1 / (1 + t): one element-wise pass from the saved t, where
    autograd of the polynomial saves its terms (measured, the asymmetric loss, N = 65,536, K = 10, one thread: train
    1.9-2.1x compiled F.cross_entropy, against 2.2-2.7x)."""

    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        return two_atanh(t / (2.0 + t))

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        t, = ctx.saved_tensors
        return grad_out / (1.0 + t)


class _Softplus(torch.autograd.Function):
    """``softplus`` with its closed-form gradient sigmoid(x) = e / (1 + e) (x <= 0) or 1 / (1 + e) (x > 0),
    e = e^-|x|: one element-wise pass from the saved x, where autograd of the forward would save the polynomial's
    terms and clamp's mask (and give 1 at x = 0 where sigmoid(0) = 1/2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        e = exp_clamped(-x.abs())
        return x.clamp(min=0.0) + log_one_plus_at_most_one(e)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        e = exp_clamped(-x.abs())
        return grad_out * torch.where(x > 0, 1.0, e) / (1.0 + e)


def softplus(x: torch.Tensor) -> torch.Tensor:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|), with log1p by ``log_one_plus_at_most_one`` and e^-|x| clamped at
    e^-64 (``EXP_FLOOR``): within a few float32 roundings of F.softplus where |x| < 64, and above it by at most
    1.6e-28. Its gradient is sigmoid(x) in closed form (``_Softplus``), 1/2 at x = 0; no second derivative (it is
    used only while compiling).

    Written with abs and clamp rather than ``where``s: Inductor's CPU code turns each ``where`` into a comparison,
    a mask conversion and a blend, which made a BCE over 655,360 entries 1.8x compiled F.cross_entropy's time at
    K = 10 against 0.7x for this form (one thread). F.softplus (an exponential and Sleef's log1p) costs about twice
    as much as this form.
    """
    return _Softplus.apply(x)


def sigmoids_and_softplus(x: torch.Tensor):
    """sigmoid(x), sigmoid(-x) and softplus(x) from one exponential e = exp(-|x|) (clamped at e^-64, ``exp_clamped``):
    1 / (1 + e) and e / (1 + e), each to its last digits where it is small, and max(x, 0) + log1p(e)."""
    e = exp_clamped(-x.abs())
    r = 1.0 / (1.0 + e)
    above = x > 0
    return (torch.where(above, r, e * r), torch.where(above, e * r, r),
            x.clamp(min=0.0) + log_one_plus_at_most_one(e))


def bce_per_entry(logits: torch.Tensor, targets: torch.Tensor, pos_weight, neg_weight) -> torch.Tensor:
    """w+ softplus(-z) where the target is 1, w- softplus(z) where it is 0: the weighted BCE of each entry with one
    softplus (the readable w+ y softplus(-z) + w- (1 - y) softplus(z) takes two), the sign and the weight chosen by
    arithmetic on the 0/1 ``targets`` (z (1 - 2 y) and w- + (w+ - w-) y), not by ``where``s. NaN where z is +-inf or
    NaN (eager's 0 * inf), for the documented NaN of a +inf logit. Equal weights given as numbers (CORAL's and
    CORN's 1 and 1) multiply once, not per target."""
    per_entry = softplus(logits * (1.0 - 2.0 * targets))
    if isinstance(pos_weight, float) and isinstance(neg_weight, float) and pos_weight == neg_weight:
        per_entry = per_entry if pos_weight == 1.0 else per_entry * pos_weight
    else:
        pos_weight, neg_weight = (torch.as_tensor(w, dtype=logits.dtype, device=logits.device)
                                  for w in (pos_weight, neg_weight))
        per_entry = per_entry * (neg_weight + (pos_weight - neg_weight) * targets)
    return per_entry + (logits - logits).detach()


def reduce_row_sums(per_entry: torch.Tensor, reduction: str, row_weight=None) -> torch.Tensor:
    """``reduce(row_weight * per_entry.sum(1), reduction)`` for a loss that sums its entries (N, L) in each row: with
    "sum" or "mean", one sum over every entry (each times its row's weight), divided by N for "mean"; with "none",
    the row sums. The same number to float32's rounding; Inductor then adds the entries in one running vector sum,
    where the row sums cost a reduction across each row (measured, CORN, N = 65,536, K = 10, one thread: eval
    1.95x compiled F.cross_entropy with the row sums, 1.05x with one sum)."""
    if row_weight is not None:
        per_entry = per_entry * row_weight[:, None]
    if reduction == "none":
        return per_entry.sum(1)
    total = per_entry.sum()
    return total / per_entry.shape[0] if reduction == "mean" else total


def sigmoid_focal_per_entry(logits: torch.Tensor, targets: torch.Tensor, gamma, alpha) -> torch.Tensor:
    """a (1 - p_t)^gamma (-log p_t) per entry, ``sigmoid_focal_loss``'s formula in fusable form: with x = z (1 - 2 y),
    -log p_t = softplus(x) and 1 - p_t = sigmoid(x) = exp(-softplus(-x)) = exp(x - softplus(x)), so that one softplus
    and one exponential serve both; a = alpha + (1 - 2 alpha)(1 - y), by arithmetic on the 0/1 targets. Where
    x >> 0, x - softplus(x) rounds to 0 and the factor to 1, its value to float32's resolution.

    Unless gamma or alpha requires grad, this is ``_SigmoidFocal``: the same terms from one exponential per entry
    and a closed-form backward (measured, N = 65,536, one thread: K = 10, train 1.06x and eval 0.9-1.0x compiled
    F.cross_entropy, against 1.3-1.4x and 1.2-1.3x; K = 100, train 2.3-2.7x against 3.0-3.3x). With a weight to
    differentiate, autograd runs through the form below."""
    if not any(isinstance(w, torch.Tensor) and w.requires_grad for w in (gamma, alpha)):
        return _SigmoidFocal.apply(logits, targets, gamma, alpha)
    x = logits * (1.0 - 2.0 * targets)
    bce = softplus(x)
    # (1 - p_t)^gamma = exp(gamma (x - softplus(x))), 0 below e^-64: a confident entry's e^-120 would be subnormal
    per_entry = bce if isinstance(gamma, float) and gamma == 0 else exp_or_zero(gamma * (x - bce)) * bce
    if alpha is not None:
        per_entry = per_entry * ((1.0 - alpha) + (2.0 * alpha - 1.0) * targets)
    return per_entry


# Below this 1 - p_t the focal factor (1 - p_t)^gamma of an integer gamma is taken as 0 in ``_SigmoidFocal``: the
# entry's loss is then below 2^-20 (gamma + 1) (-log p_t ~ 1 - p_t), and its powers would be subnormal numbers
FOCAL_FACTOR_FLOOR = 2.0 ** -20


def _sigmoid_focal_pieces(logits, targets, gamma):
    """What the sigmoid focal loss and its gradient read at each entry, from one exponential e = exp(-|x|) of the
    signed logit x = z (1 - 2 y) (clamped at e^-64): u = 1 - p_t = sigmoid(x) and p_t = sigmoid(-x), each to its last
    digits where it is small; the BCE softplus(x) = -log p_t; the factor u^gamma (by multiplication for a whole gamma
    up to 4, 0 below ``FOCAL_FACTOR_FLOOR``; exp(gamma (x - softplus(x))) otherwise, 0 below e^-64)."""
    x = logits * (1.0 - 2.0 * targets)
    u, p_t, bce = sigmoids_and_softplus(x)
    if isinstance(gamma, float) and gamma in (0.0, 1.0, 2.0, 3.0, 4.0):
        kept = torch.where(u >= FOCAL_FACTOR_FLOOR, u, 0.0)
        factor = 1.0
        for _ in range(int(gamma)):
            factor = factor * kept
    else:
        factor = exp_or_zero(gamma * (x - bce))
    return u, p_t, bce, factor


class _SigmoidFocal(torch.autograd.Function):
    """``sigmoid_focal_per_entry`` from one exponential per entry, with its closed-form gradient
        dL/dz = a (1 - 2 y) u^gamma (gamma p_t softplus(x) + u),   u = 1 - p_t = sigmoid(x),  x = z (1 - 2 y),
    (d softplus(x) / dx = u, du / dx = u p_t), one element-wise pass from the saved logits and targets. First
    derivatives only: it runs only while compiling."""

    @staticmethod
    def forward(ctx, logits, targets, gamma, alpha):
        ctx.save_for_backward(logits.detach(), targets)
        ctx.gamma_alpha = gamma, alpha
        _, _, bce, factor = _sigmoid_focal_pieces(logits.detach(), targets, gamma)
        per_entry = factor * bce
        return per_entry if alpha is None else per_entry * ((1.0 - alpha) + (2.0 * alpha - 1.0) * targets)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        z, targets = ctx.saved_tensors
        gamma, alpha = ctx.gamma_alpha
        u, p_t, bce, factor = _sigmoid_focal_pieces(z, targets, gamma)
        grad = (grad_out * (1.0 - 2.0 * targets)) * factor * (gamma * p_t * bce + u)
        if alpha is not None:
            grad = grad * ((1.0 - alpha) + (2.0 * alpha - 1.0) * targets)
        return grad, None, None, None


def asymmetric_per_entry(logits: torch.Tensor, targets: torch.Tensor, gamma_pos, gamma_neg, clip: float):
    """``asymmetric_loss``'s terms (N, L) in fusable form, from one softplus s = softplus(z) = -log(1 - p) per entry:
        positive (y = 1): (1 - p)^gamma_pos (-log p),  -log p = s - z,  (1 - p)^gamma_pos = exp(-gamma_pos s);
        negative (y = 0): -p_m^gamma_neg log(1 - p_m),  p_m = max(p - clip, 0),  p = exp(z - s).
    With clip > 0, 1 - p_m = min(q + clip, 1) with q = 1 - p, and log(q + clip) = log(max(q, clip)) +
    log1p(min(q, clip) / max(q, clip)), where log q = -s and log(clip) is a number: every log a softplus or a log1p
    of at most 1 (``log_one_plus_at_most_one``), none of Sleef's; q = exp(-s), accurate where it is small (as
    1 - p it would carry an absolute error of float32's epsilon, which the gradient -p q / (q + clip) divides by
    clip). p_m^gamma_neg is taken as 0 where p_m = 0 (its term is 0 anyway), so that
    the power is never differentiated at 0.

    Unless an exponent requires grad, this is ``_Asymmetric``: the same terms from one exponential per entry (p, q
    and s from e^-|z|, where the form below takes a second for q) and a closed-form backward (measured, N = 65,536,
    one thread: K = 10, train 1.0x and eval 1.2-1.3x compiled F.cross_entropy, against 2.1x and 1.6-1.7x; K = 100,
    train 1.5-1.7x against 3.5-3.9x). With an exponent to differentiate, autograd runs through the form below."""
    if not any(isinstance(g, torch.Tensor) and g.requires_grad for g in (gamma_pos, gamma_neg)):
        return _Asymmetric.apply(logits, targets, gamma_pos, gamma_neg, clip)
    s = softplus(logits)
    log_p = logits - s
    positive = -log_p if isinstance(gamma_pos, float) and gamma_pos == 0 else torch.exp(-gamma_pos * s) * -log_p
    if clip == 0:
        negative = torch.exp(gamma_neg * log_p) * s
    else:
        q = torch.exp(-s)  # 1 - p to its last digits (its gradient is read where q ~ clip), and p = 1 - q
        p = 1.0 - q
        larger, smaller = q.clamp(min=clip), q.clamp(max=clip)
        log_not = torch.where(q >= clip, -s, math.log(clip)) + log_one_plus_at_most_one(smaller / larger)
        shifted = p - clip
        kept = shifted > 0
        weight = torch.where(kept, torch.where(kept, shifted, 1.0).pow(gamma_neg), 0.0)
        negative = -weight * log_not.clamp(max=0.0)
    return negative + targets * (positive - negative)


def _asymmetric_pieces(z, gamma_pos, gamma_neg, clip):
    """What the asymmetric loss and its closed-form gradient read at each entry, from one exponential
    e = exp(-|z|) (clamped at e^-64): p = sigma(z) and q = sigma(-z) as 1 / (1 + e) and e / (1 + e), each to its
    last digits where it is small; s = softplus(z) = -log q; the positive term (1 - p)^gamma_pos (-log p) with its
    focusing factor; the negative term's weight w and log(1 - p_m) (see ``asymmetric_per_entry``)."""
    p, q, s = sigmoids_and_softplus(z)
    minus_log_p = s - z
    focus_pos = 1.0 if isinstance(gamma_pos, float) and gamma_pos == 0 else torch.exp(-gamma_pos * s)
    if clip == 0:
        weight, log_not = torch.exp(-gamma_neg * minus_log_p), -s  # p^gamma_neg, log(1 - p)
        shifted = p
    else:
        larger, smaller = q.clamp(min=clip), q.clamp(max=clip)
        log_not = (torch.where(q >= clip, -s, math.log(clip)) + log_one_plus_at_most_one(smaller / larger)).clamp(
            max=0.0)  # log(1 - p_m) = log(min(q + clip, 1))
        shifted = p - clip
        kept = shifted > 0
        weight = torch.where(kept, torch.where(kept, shifted, 1.0).pow(gamma_neg), 0.0)
    return p, q, s, minus_log_p, focus_pos, weight, log_not, shifted


class _Asymmetric(torch.autograd.Function):
    """``asymmetric_per_entry`` from one exponential per entry, with the closed-form gradient of
    ``asymmetric_entry_grads`` (one element-wise pass from the saved logits and targets). First derivatives only:
    it runs only while compiling."""

    @staticmethod
    def forward(ctx, logits, targets, gamma_pos, gamma_neg, clip):
        ctx.save_for_backward(logits.detach(), targets)
        ctx.gammas_and_clip = gamma_pos, gamma_neg, clip
        _, _, s, minus_log_p, focus_pos, weight, log_not, _ = _asymmetric_pieces(logits.detach(), gamma_pos,
                                                                                  gamma_neg, clip)
        negative = weight * s if clip == 0 else -weight * log_not
        return negative + targets * (focus_pos * minus_log_p - negative)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        z, targets = ctx.saved_tensors
        gamma_pos, gamma_neg, clip = ctx.gammas_and_clip
        p, q, s, minus_log_p, focus_pos, weight, log_not, shifted = _asymmetric_pieces(z, gamma_pos, gamma_neg, clip)
        grad_pos, grad_neg = asymmetric_entry_grads(p, q, minus_log_p, focus_pos, weight, s if clip == 0 else log_not,
                                                    shifted, gamma_pos, gamma_neg, clip)
        return grad_out * (grad_neg + targets * (grad_pos - grad_neg)), None, None, None, None


def asymmetric_entry_grads(p, q, minus_log_p, focus_pos, weight, log_term, shifted, gamma_pos, gamma_neg, clip):
    """d positive / dz and d negative / dz of the asymmetric loss at each entry, from p, q = 1 - p, -log p, the
    positive term's focusing factor, the negative term's weight w and ``log_term``: softplus(z) = -log(1 - p) with
    clip = 0, log(1 - p_m) otherwise (p_m = ``shifted`` = p - clip, unused with clip = 0):
        d positive / dz = -(1 - p)^gamma_pos (gamma_pos p (-log p) + q),
        d negative / dz = p^gamma_neg (gamma_neg q softplus(z) + p)                           (clip = 0),
        d negative / dz = p q (w / (1 - p_m) - gamma_neg (w / p_m) log(1 - p_m))  where p_m > 0, else 0.
    Shared by the eager closed form (``wloss.losses.asymmetric._loss_and_grad``) and ``_Asymmetric``."""
    grad_pos = -focus_pos * (gamma_pos * p * minus_log_p + q)
    if clip == 0:
        return grad_pos, weight * (gamma_neg * q * log_term + p)
    kept = shifted > 0
    safe = torch.where(kept, shifted, 1.0)
    return grad_pos, torch.where(kept, p * q * (weight / (1.0 - safe) - gamma_neg * (weight / safe) * log_term), 0.0)


def _rwwce_rows(z, is_label, fn_weight, fp_rows):
    """The pieces of ``rwwce`` with no argmax, from detached logits z (N, K): the loss (N,) and what its closed-form
    gradient reads again. The dominant class is marked by comparison with the row max m (``z == m``, c of them):
    with c = 1 it is the argmax, and with ties (c >= 2) every tied class has p = 1/S <= 1/2, where log1p(-p) is
    accurate, and log(1 - p) = log((c - 1) + e^(m2 - m) R) - log S is one number for all of them."""
    row_max = z.amax(1, keepdim=True)  # m
    is_max = z == row_max
    count = torch.where(is_max, 1.0, 0.0).sum(1, keepdim=True)  # c, summed in float (Inductor's int64 sum is slow)
    second = torch.where(is_max, float("-inf"), z).amax(1, keepdim=True)  # m2, -inf where every class ties
    shift = finite_or_zero(second)
    scale = torch.exp(second - row_max)  # exp(m2 - m) <= 1, 0 where m2 = -inf (one per row)
    u = torch.exp(torch.where(is_max, float("-inf"), z - shift))  # exp(z_j - m2) off the max, 0 on it
    rest = u.sum(1, keepdim=True)  # R = sum_{j not max} exp(z_j - m2), in [1, K] where m2 is finite
    # S = sum_k exp(z_k - m) = c + e^(m2 - m) R: from R, not from a second exponential of every logit
    rest_at_max = scale * rest  # sum_{j not max} exp(z_j - m)
    total = count + rest_at_max
    log_total = torch.log1p((count - 1.0) + rest_at_max)  # log S, its digits kept where S ~ 1
    p = u * (scale / total)  # p_j off the max, 0 on it, below 1/2
    single = count == 1.0
    # log(1 - p_max) = log(S - 1) - log S, S - 1 = (c - 1) + e^(m2 - m) R, split as in ``_stable`` where c = 1
    log_not_max = torch.where(single, (second - row_max) + torch.log(rest),
                              torch.log((count - 1.0) + scale * rest)) - log_total
    b = torch.where(is_label, 0.0, fp_rows)
    log_not = log_one_minus_at_most_half(p)  # 0 on the max; p < 1/2 off it
    b_max = torch.where(is_max, b, 0.0).sum(1, keepdim=True)  # B = sum of b over the max classes
    log_p_true = pick(z, is_label) - finite_or_zero(row_max) - log_total
    loss = -fn_weight * log_p_true[:, 0] - (b * log_not).sum(1) - b_max[:, 0] * log_not_max[:, 0]
    others_odds = (b * (p / (1.0 - p))).sum(1, keepdim=True)  # T = sum_{k not max} b_k p_k / (1 - p_k)
    rows = (row_max, shift, scale, total, log_total, count, rest, b_max, others_odds, log_not_max, log_p_true)
    return loss + nan_where_not_finite(row_max), rows


def _rwwce_grads(z, is_label, fn_weight, fp_rows, rows, grad_out, need_weights):
    """dL/dz (N, K) of ``_rwwce_rows`` in one element-wise pass, from its row pieces; and dL/da (N,), dL/db (N, K)
    where ``need_weights``. With P_j = p_j off the max and 1/S on it, r_j = p_j / (1 - p_j), B and T as above and
    D = S - 1 = (c - 1) + e^(m2 - m) R:
        dL/dz_j = (a - T) P_j - a [j = y] + b_j r_j - B p_j / D            (j off the max)
        dL/dz_j = (a - T) / S - a [j = y] + (b_j - B / S) / D              (j on the max)
    with p_j / D = u_j / (S R) and (b_j - B / S) / D = b_j / S where c = 1 (D may underflow there: e^(m2 - m)
    with m2 - m ~ -1e4). The formula's own gradient, with no argmax: at a tie it is the same function of z."""
    row_max, shift, scale, total, log_total, count, rest, b_max, others_odds, log_not_max, log_p_true = rows
    # z >= m, not the forward's z == m (the same where m is the max): AOTAutograd otherwise shares the forward's mask
    # and saves it, a bool (N, K) whose store and reload cost more than the whole forward (measured, K = 100)
    is_max = z >= row_max
    single = count == 1.0
    d = torch.where(single, 1.0, (count - 1.0) + scale * rest)
    over_d = torch.where(single, 1.0 / rest, scale / d)  # e^(m2 - m) / D
    u = torch.exp(torch.where(is_max, float("-inf"), z - shift))
    p = u * (scale / total)
    b = torch.where(is_label, 0.0, fp_rows)
    a = fn_weight[:, None]
    off_max = b * (p / (1.0 - p)) - b_max * u * (over_d / total)
    on_max = torch.where(single, b / total, (b - b_max / total) / d)
    g = grad_out[:, None]
    grad = g * ((a - others_odds) * torch.where(is_max, 1.0 / total, p) - torch.where(is_label, a, 0.0)
                + torch.where(is_max, on_max, off_max))
    if not need_weights:
        return grad, None, None
    log_not = torch.where(is_max, log_not_max, log_one_minus_at_most_half(p))
    return grad, -grad_out * log_p_true[:, 0], torch.where(is_label, 0.0, -g * log_not)


class _RWWCE(torch.autograd.Function):
    """``rwwce`` with the closed-form gradient of ``_rwwce_grads``: Inductor compiles the forward into three loops
    over each row and the backward into one. The backward is written in torch operations but is not itself
    differentiated: torch.compile has no double backward, and eager (where a second derivative is possible) runs
    the readable formula with autograd, never this."""

    @staticmethod
    def forward(ctx, logits, is_label, fn_weight, fp_rows):
        loss, rows = _rwwce_rows(logits.detach(), is_label, fn_weight.detach(), fp_rows.detach())
        ctx.save_for_backward(logits.detach(), is_label, fn_weight.detach(), fp_rows.detach(), *rows)
        return loss

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        z, is_label, fn_weight, fp_rows, *rows = ctx.saved_tensors
        need_weights = ctx.needs_input_grad[2] or ctx.needs_input_grad[3]
        grad, grad_a, grad_b = _rwwce_grads(z, is_label, fn_weight, fp_rows, rows, grad_out, need_weights)
        return (grad if ctx.needs_input_grad[0] else None, None,
                grad_a if ctx.needs_input_grad[2] else None, grad_b if ctx.needs_input_grad[3] else None)


def rwwce(logits, y, fn_weight, fp_rows):
    """Per-example RWWCE (N,) = -a log p_y - sum_{k != y} b_k log(1 - p_k), ``_rwwce_formula`` in fusable form.

    With m the row max, c the number of classes at m, m2 the largest of the other logits (-inf if none),
    u_j = exp(z_j - m2) off the max (0 on it), R = sum_j u_j and S = sum_j exp(z_j - m):
        log p_y = z_y - m - log S,   p_j = u_j exp(m2 - m) / S (j off the max),
        log(1 - p_j) = log1p(-p_j) (j off the max, by ``log_one_minus_at_most_half``: p_j < 1/2 there),
        log(1 - p_j) = log((c - 1) + exp(m2 - m) R) - log S (on it),
    the split of ``wloss.losses._stable`` (for c = 1, (m2 - m) + log R - log S): every number rounded is O(1)
    even where |z| ~ 1e4. No argmax (Inductor does not vectorise it: alone it cost 1.8-2.2x F.cross_entropy's
    eval at K = 10). Where a gradient is wanted the loss is ``_RWWCE``, whose backward is the closed form of
    ``_rwwce_grads``: autograd of ``_rwwce_rows`` itself would be wrong (m, m2 and c are constants there, and the max
    classes' own exponentials 1), so it is only ever run on values. ``fp_rows`` (N, K) is b; its column y is taken
    as 0, as ``_rwwce_formula``'s is zeroed. Measured (N = 65,536, one thread): 2.0-3.1x compiled F.cross_entropy
    (S from R, one exponential per logit), against 2.1-3.9x with a second exponential of every logit for S and
    3.2-8.8x for the argmax form before it; the log(1 - p) of every logit and the passes for m2 and c (four loops over
    each row where F.cross_entropy needs two) keep it above 1.5x.
    """
    is_label = is_class(logits, y)
    if torch.is_grad_enabled() and any(t.requires_grad for t in (logits, fn_weight, fp_rows)):
        return _RWWCE.apply(logits, is_label, fn_weight, fp_rows)
    return _rwwce_rows(logits, is_label, fn_weight, fp_rows)[0]


# Below this 1 - p_y the focal factor (1 - p_y)^gamma is taken as 0: the loss of such a row is below
# 2^-40 (1 - p_y)^gamma (-log p_y ~ 1 - p_y), and computing it would make subnormal numbers in each such row, each
# finished in microcode
FOCAL_NEGLIGIBLE = 2.0 ** -40


def one_minus_p_true(rest, total):
    """q = R / S = 1 - p_y (N, 1), and where it is below ``FOCAL_NEGLIGIBLE`` (the rows whose focal factor is taken as
    0): q is 1 there, so that no power of it is subnormal."""
    q = rest / total
    negligible = q < FOCAL_NEGLIGIBLE
    return torch.where(negligible, 1.0, q), negligible


def _focal_rows(z, is_label, y, gamma):
    """The unweighted focal loss (N,) of ``focal`` from logits z (N, K), and the row pieces its gradient reads again:
    the shift m, S, R and log p_y."""
    row_max = z.amax(1, keepdim=True)
    top = finite_or_zero(row_max)
    e = torch.exp(z - top)
    total = e.sum(1, keepdim=True)
    rest = torch.where(is_label, 0.0, e).sum(1, keepdim=True)
    log_p = pick_label(z, is_label, y) - top - torch.log(total)
    q, negligible = one_minus_p_true(rest, total)
    factor = torch.where(negligible, 0.0, q.pow(gamma))
    return (-factor * log_p)[:, 0] + nan_where_not_finite(row_max), (top, total, rest, log_p)


class _Focal(torch.autograd.Function):
    """``focal``'s loss with its closed-form gradient: with q = 1 - p_y = R / S and
    A = q^gamma - gamma q^(gamma - 1) p_y log p_y (one number per row),
        dL/dz_k = A (p_k - [k = y]),   p_k - [k = y] = e_k / S off the label and -R / S on it,
    one element-wise pass. Autograd of the forward differentiates q^gamma through R and S entry by entry, where a
    confident row's products of tiny numbers (q ~ e^-60, squared) fall among the subnormal numbers (measured,
    N = 65,536, K = 100, confident logits, one thread: 3.2x compiled F.cross_entropy to train, against 0.9x with
    this form and ``FOCAL_NEGLIGIBLE``)."""

    @staticmethod
    def forward(ctx, logits, is_label, y, gamma):
        loss, rows = _focal_rows(logits.detach(), is_label, y, gamma)
        ctx.gamma = gamma
        ctx.save_for_backward(logits.detach(), is_label, *rows)
        return loss

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        z, is_label, top, total, rest, log_p = ctx.saved_tensors
        gamma = ctx.gamma
        q, negligible = one_minus_p_true(rest, total)
        a = torch.where(negligible, 0.0, q.pow(gamma) - gamma * q.pow(gamma - 1.0) * log_p.exp() * log_p)
        scale = (grad_out[:, None] * a) / total
        return torch.where(is_label, -rest, torch.exp(z - top)) * scale, None, None, None


def focal(logits, y, gamma, weight):
    """Per-example focal loss (N,) = -w (1 - p_y)^gamma log p_y, ``_focal_formula`` in fusable form.

    With m the row max (a constant: the loss does not depend on it), e = exp(z - m), S = sum_k e_k and
    R = sum_{k != y} e_k: log p_y = z_y - m - log S and 1 - p_y = R / S, each a sum of positive terms, so that
    R / S has float32's relative precision whatever p_y (the factor (R / S)^gamma taken as 0 where R / S < 2^-40,
    ``FOCAL_NEGLIGIBLE``). One exponential per logit and one log per row: the readable
    formula's two branches of log(1 - p_y) and its exp(gamma log(1 - p_y)) took four more per row, which at K = 10
    cost half as much again as compiled F.cross_entropy. Where a gradient is wanted and gamma is a number, the
    loss is ``_Focal``, whose backward is in closed form.
    """
    is_label = is_class(logits, y)
    if isinstance(gamma, float) and gamma == 0:
        per_example = cross_entropy(logits, is_label)
    elif isinstance(gamma, float) and torch.is_grad_enabled() and logits.requires_grad:
        per_example = _Focal.apply(logits, is_label, y, gamma)
    else:
        per_example = _focal_rows(logits, is_label, y, gamma)[0]
    return per_example if weight is None else per_example * weight


# Up to this many classes the compiled RPS runs column by column (``_rps_columns``): every class unrolled, one
# Python-level operation per class and per step of the cumulative sums, which Inductor fuses into one loop over the
# rows. Its graph, and its compile time, grow with K, and past ten classes Inductor no longer keeps the backward in
# one loop (measured, N = 65,536, one thread, train / eval against compiled F.cross_entropy: K = 10 1.1x / 1.2x,
# K = 12 2.3x / 1.0x, K = 16 2.6x / 1.1x, K = 32 4.6x / 4.1x with 22 s to compile). Above it the readable formula
# runs (K = 12 to 32: 2.2-2.7x; its scatter_add and cumsum compile to correct kernels; the same cumsum after a
# ``where`` compiled with a wrong gradient, measured with torch 2.13 at K = 40)
RPS_COLUMNS_MAX_CLASSES = 10

# In the compiled RPS, exp(z_k - m) below e^-30 (9.4e-14) is taken as 0: each such probability changes the loss by less
# than 2e-13 per class, and the products of two of them that the loss and its gradient form (squares of the CDF's
# gaps, a probability times a gap) stay normal numbers, where with e^-60 (a confident row) they were subnormal
RPS_EXP_FLOOR = -30.0


def _rps_columns(z, y):
    """The columns of RPS from logits z (N, K), K <= ``RPS_COLUMNS_MAX_CLASSES``: e_k = exp(z_k - m) (N,) for each
    class, S = sum_k e_k, and the gaps d_k = C_k - [k >= y] (k < K - 1) of the CDF C_k = (e_0 + ... + e_k) / S, as
    (e_0 + ... + e_k) / S below the label and -(e_{k+1} + ... + e_{K-1}) / S from it on: two running sums, no
    difference of nearly equal numbers."""
    k_count = z.shape[1]
    top = finite_or_zero(z.amax(1))
    e = [exp_or_zero(z[:, k] - top, RPS_EXP_FLOOR) for k in range(k_count)]
    head, tail = [e[0]], [torch.zeros_like(top)]
    for k in range(1, k_count - 1):
        head.append(head[-1] + e[k])
    for k in range(k_count - 1, 0, -1):
        tail.insert(0, tail[0] + e[k])
    total = head[-1] + e[-1]
    label = y.to(torch.int32)
    d = [torch.where(label <= k, -tail[k], head[k]) / total for k in range(k_count - 1)]
    return e, total, d


class _RPS(torch.autograd.Function):
    """RPS column by column, with its closed-form gradient: with G_j = d_j + ... + d_{K-2} (G_{K-1} = 0),
        dL/dz_j = 2 p_j (G_j - sum_i p_i G_i),
    the softmax's Jacobian applied to dL/dp_j = 2 G_j, from the columns recomputed in the backward."""

    @staticmethod
    def forward(ctx, logits, y):
        ctx.save_for_backward(logits.detach(), y)
        return rps_columns_loss(logits.detach(), y)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        z, y = ctx.saved_tensors
        e, total, d = _rps_columns(z, y)
        suffix = [torch.zeros_like(total)]
        for gap in reversed(d):
            suffix.insert(0, suffix[0] + gap)  # G_j, j = 0, ..., K - 1
        p = [column / total for column in e]
        dot = sum(p_j * g_j for p_j, g_j in zip(p, suffix))
        twice = 2.0 * grad_out
        return torch.stack([((g_j - dot) * p_j) * twice for p_j, g_j in zip(p, suffix)], dim=1), None


def rps_columns_loss(z, y):
    """Per-example RPS (N,) = sum_k d_k^2 from ``_rps_columns``; NaN in a row with a +inf or NaN logit."""
    _, _, d = _rps_columns(z, y)
    return sum(gap * gap for gap in d)


def rps(logits, y):
    """Per-example RPS (N,) = || cumsum(p - onehot(y)) ||^2, ``_rps_formula`` for K <= ``RPS_COLUMNS_MAX_CLASSES``,
    column by column (``_rps_columns``); where a gradient is wanted, ``_RPS`` with its closed-form backward.
    Measured (N = 65,536, K = 10, one thread): 1.1-1.2x compiled F.cross_entropy, against 1.6-3.2x for the
    cumulative sum as a product with a (K, K) triangle of ones (a matrix product Inductor leaves to ATen)."""
    if torch.is_grad_enabled() and logits.requires_grad:
        return _RPS.apply(logits, y)
    return rps_columns_loss(logits, y)
