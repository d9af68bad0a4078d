"""Every loss under every autograd mode: double backward, no_grad, weights that require grad, torch.func,
torch.compile, meta tensors, low precision, NaN logits and empty batches; the regression tests of wloss 1.0."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss import losses, reference
from wloss.losses import _blockwise, multiclass

N, K = 6, 4
Y = torch.tensor([0, 1, 2, 3, 1, 0])
BITS = torch.tensor([1.0, 0.0, 1.0, 0.0, 0.0, 1.0])


def _multi_hot(y):
    """Multi-hot targets (N, K) made from the labels y (N,): label l is on where (y + l) % 3 == 0 (one or two
    labels per row); derived from Y, so that the tests that replace Y (empty batches, meta tensors) replace them too."""
    return ((y[:, None] + torch.arange(K, device=y.device)[None, :]) % 3 == 0).float()


@pytest.fixture(autouse=True)
def kernels_at_every_size(monkeypatch):
    """Run the analytic row-block kernels on these small test batches too (by default, batches under
    _KERNEL_MIN_ELEMENTS logits take the formula, which the tests of the formula paths cover)."""
    monkeypatch.setattr(_blockwise, "_KERNEL_MIN_ELEMENTS", 0)


def _weights(dtype=torch.float64, requires_grad=False):
    gen = torch.Generator().manual_seed(3)
    made = {"class_w": torch.rand(K, generator=gen) + 0.5, "sample": torch.rand(N, generator=gen) + 0.5,
            "fn": torch.rand(K, generator=gen) + 0.5, "fp": 5 * torch.rand(K, K, generator=gen),
            "fn_n": torch.rand(N, generator=gen) + 0.5, "fp_nk": 5 * torch.rand(N, K, generator=gen),
            "cost": 5 * torch.rand(K, K, generator=gen), "costs": 5 * torch.rand(N, K, K, generator=gen),
            "prior": torch.rand(K, generator=gen) + 0.1, "values": torch.tensor([0.0, 1.0, 2.5, 4.0]),
            "counts": torch.tensor([40.0, 10.0, 5.0, 1.0]), "class_w5": torch.rand(K + 1, generator=gen) + 0.5}
    return {name: w.to(dtype).requires_grad_(requires_grad) for name, w in made.items()}


# name -> (logits ndim, call(z, w) with the weights w, the names of the weights it uses)
LOSSES = {
    "weighted_cross_entropy": (2, lambda z, w, r: losses.weighted_cross_entropy(
        z, Y, class_weight=w["class_w"], sample_weight=w["sample"], reduction=r), ("class_w", "sample")),
    "rwwce": (2, lambda z, w, r: losses.rwwce(z, Y, w["fn"], w["fp"], reduction=r), ("fn", "fp")),
    "rwwce_per_example": (2, lambda z, w, r: losses.rwwce_per_example(z, Y, w["fn_n"], w["fp_nk"], reduction=r),
                          ("fn_n", "fp_nk")),
    "expected_cost_loss": (2, lambda z, w, r: losses.expected_cost_loss(z, Y, w["cost"], reduction=r), ("cost",)),
    "expected_cost_per_example": (2, lambda z, w, r: losses.expected_cost_per_example(z, Y, w["costs"], reduction=r),
                                  ("costs",)),
    "focal_loss": (2, lambda z, w, r: losses.focal_loss(z, Y, gamma=1.5, alpha=w["class_w"], reduction=r),
                   ("class_w",)),
    "logit_adjusted_cross_entropy": (2, lambda z, w, r: losses.logit_adjusted_cross_entropy(
        z, Y, w["prior"], tau=0.7, reduction=r), ("prior",)),
    "rps_loss": (2, lambda z, w, r: losses.rps_loss(z, Y, class_weight=w["class_w"], reduction=r), ("class_w",)),
    "rps_loss unweighted": (2, lambda z, w, r: losses.rps_loss(z, Y, reduction=r), ()),
    "expected_label_l1_loss": (2, lambda z, w, r: losses.expected_label_l1_loss(
        z, Y, label_values=w["values"], class_weight=w["class_w"], reduction=r), ("values", "class_w")),
    "distance_penalized_cross_entropy": (2, lambda z, w, r: losses.distance_penalized_cross_entropy(
        z, Y, alpha=0.8, class_weight=w["class_w"], reduction=r), ("class_w",)),
    "weighted_bce_with_logits": (1, lambda z, w, r: losses.weighted_bce_with_logits(
        z, BITS, pos_weight=3.0, neg_weight=0.5, sample_weight=w["sample"], reduction=r), ("sample",)),
    "rwwce_binary": (1, lambda z, w, r: losses.rwwce_binary(z, BITS, 20.0, 1.0, reduction=r), ()),
    "sigmoid focal_loss": (1, lambda z, w, r: losses.focal_loss(z, BITS, gamma=2.0, alpha=0.25, reduction=r), ()),
    "ldam_loss": (2, lambda z, w, r: losses.ldam_loss(z, Y, w["counts"], max_margin=0.5, scale=2.0,
                                                      class_weight=w["class_w"], reduction=r), ("class_w",)),
    # CORAL's logits (N, K) are K cumulative logits of K + 1 classes
    "coral_loss": (2, lambda z, w, r: losses.coral_loss(z, Y, class_weight=w["class_w5"], reduction=r), ("class_w5",)),
    # CORN's logits (N, K) are K conditional logits of K + 1 classes
    "corn_loss": (2, lambda z, w, r: losses.corn_loss(z, Y, class_weight=w["class_w5"], reduction=r), ("class_w5",)),
    # multi-label: logits (N, K) are K labels, the multi-hot targets (N, K) made from Y
    "asymmetric_loss": (2, lambda z, w, r: losses.asymmetric_loss(z, _multi_hot(Y), gamma_pos=1.0, gamma_neg=3.0,
                                                                  clip=0.05, reduction=r), ()),
    "asymmetric_loss clip=0": (2, lambda z, w, r: losses.asymmetric_loss(z, _multi_hot(Y), gamma_pos=0.5, gamma_neg=2.0,
                                                                         clip=0.0, reduction=r), ()),
}
SIGMOID_PER_COLUMN = ["coral_loss", "corn_loss", "asymmetric_loss",
                      "asymmetric_loss clip=0"]  # like a binary logit, a logit of +inf is a sure "y > k" or label
ANALYTIC = ["rwwce", "rwwce_per_example", "rps_loss", "rps_loss unweighted", "focal_loss",
            "distance_penalized_cross_entropy"]  # the row-block kernels


def _logits(name, dtype=torch.float64, requires_grad=True, scale=2.0):
    ndim = LOSSES[name][0]
    gen = torch.Generator().manual_seed(7)
    z = scale * torch.randn((N, K) if ndim == 2 else (N,), generator=gen, dtype=torch.float64)
    return z.to(dtype).requires_grad_(requires_grad)


def _call(name, z, weights=None, reduction="mean"):
    return LOSSES[name][1](z, _weights(z.dtype) if weights is None else weights, reduction)


# 1. double backward -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LOSSES)
def test_gradgradcheck_passes_for_every_loss(name):
    """Before, the analytic kernels returned a gradient with no graph: second derivatives came back wrong."""
    z = _logits(name)
    assert torch.autograd.gradgradcheck(lambda t: _call(name, t, reduction="none"), (z,))
    assert torch.autograd.gradgradcheck(lambda t: _call(name, t, reduction="mean"), (z,))


def _rps_by_formula(z, y):
    """RPS written directly with tensor operations: sum_k (sum_{j<=k} p_j - [k >= y])^2."""
    p = torch.softmax(z, dim=1)
    step = (torch.arange(z.shape[1]) >= y[:, None]).to(z.dtype)
    return ((p.cumsum(1) - step) ** 2).sum()


def test_hessian_of_rps_is_the_hessian_of_its_formula():
    """Before, the Hessian of rps_loss came back as zeros."""
    z = _logits("rps_loss")[:2].detach()
    hessian = torch.autograd.functional.hessian(lambda t: losses.rps_loss(t, Y[:2], reduction="sum"), z)
    expected = torch.autograd.functional.hessian(lambda t: _rps_by_formula(t, Y[:2]), z)
    assert expected.abs().max() > 0.01
    torch.testing.assert_close(hessian, expected)


@pytest.mark.parametrize("name", ["rwwce", "rps_loss", "focal_loss", "distance_penalized_cross_entropy"])
def test_gradient_penalty_on_the_input_gives_the_weight_gradient_of_the_formula(name):
    """A gradient penalty ||d loss / d x||^2 differentiates the loss twice: the model's weight gradient
    must equal the one from the loss written as plain tensor operations."""
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(N, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(3, K, generator=gen, dtype=torch.float64, requires_grad=True)
    w = _weights()
    direct = {
        "rwwce": lambda z: -(w["fn"][Y] * torch.log_softmax(z, 1)[torch.arange(N), Y]
                             + (w["fp"].fill_diagonal_(0)[Y] * torch.log1p(-torch.softmax(z, 1))).sum(1)).mean(),
        "rps_loss": lambda z: (torch.softmax(z, 1).cumsum(1) - (torch.arange(K) >= Y[:, None]).double()).pow(2)
        .sum(1).mul(w["class_w"][Y]).mean(),
        "focal_loss": lambda z: (-w["class_w"][Y] * (1 - torch.softmax(z, 1)[torch.arange(N), Y]) ** 1.5
                                 * torch.log_softmax(z, 1)[torch.arange(N), Y]).mean(),
        "distance_penalized_cross_entropy": lambda z: (w["class_w"][Y] * (
            F.cross_entropy(z, Y, reduction="none")
            + 0.8 * (torch.softmax(z, 1) * (torch.arange(K) - Y[:, None]).abs()).sum(1))).mean(),
    }[name]

    def penalised_weight_grad(loss_fn):
        loss = loss_fn(x @ weight)
        (input_grad,) = torch.autograd.grad(loss, x, create_graph=True)
        (grad,) = torch.autograd.grad(loss + input_grad.square().sum(), weight)
        return grad

    torch.testing.assert_close(penalised_weight_grad(lambda z: _call(name, z, w)), penalised_weight_grad(direct))


# 2. NaN and +inf logits ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, bad", [(name, float("nan")) for name in LOSSES]
                         + [(name, float("inf")) for name in LOSSES
                            if LOSSES[name][0] == 2 and name not in SIGMOID_PER_COLUMN])
def test_a_nan_or_infinite_logit_gives_nan_for_its_example_like_cross_entropy(name, bad):
    """Before, rwwce crashed with 'index -9223372036854775808 is out of bounds' (round(NaN) as a class).
    (+inf is a NaN loss for the softmax losses, as in F.cross_entropy; a binary logit of +inf is a sure 1.)"""
    z = _logits(name, torch.float32).detach().clone()
    z[2] = bad
    z.requires_grad_(True)
    loss = _call(name, z, _weights(torch.float32), reduction="none")
    assert torch.isnan(loss[2]) and torch.isfinite(loss[[0, 1, 3, 4, 5]]).all()
    assert torch.isnan(_call(name, z, _weights(torch.float32)))
    if LOSSES[name][0] == 2 and name not in SIGMOID_PER_COLUMN:
        assert torch.isnan(F.cross_entropy(z, Y, reduction="none")[2])  # what PyTorch does


# 3. ties with the top logit -----------------------------------------------------------------------

TIES = torch.tensor([[1e4, 1e4, 9999.0, 9997.0], [1e4, 1e4, 1e4, 1e4], [-1e4, -1e4, -1e4 - 2, -1e4 + 1],
                     [5e3, 5e3 - 1, 5e3, 5e3 - 3], [1e4, 1e4, 9999.0, 9997.0], [0.5, 0.5, -0.5, 0.0]])


@pytest.mark.parametrize("name", [n for n in LOSSES if LOSSES[n][0] == 2 and n != "logit_adjusted_cross_entropy"])
def test_float32_ties_with_the_top_logit_match_the_float64_reference(name):
    """Before, distance-penalised CE gave 0.69336 for z = [1e4, 1e4], y = 1 (log 2 = 0.69315)."""
    w = _weights(torch.float64)
    got = _call(name, TIES, {k: v.float() for k, v in w.items()}, reduction="none").double()
    probs = reference.softmax(TIES.double().numpy())  # float64; these rows have moderate probabilities
    y = Y.numpy()
    ref = {
        "weighted_cross_entropy": lambda: reference.weighted_cross_entropy(
            probs, y, class_weight=w["class_w"].numpy(), sample_weight=w["sample"].numpy(), reduction="none"),
        "rwwce": lambda: reference.rwwce(probs, y, w["fn"].numpy(), w["fp"].numpy(), reduction="none"),
        "rwwce_per_example": lambda: reference.rwwce_per_example(probs, y, w["fn_n"].numpy(), w["fp_nk"].numpy(),
                                                                 reduction="none"),
        "expected_cost_loss": lambda: reference.expected_cost_loss(probs, y, w["cost"].numpy(), reduction="none"),
        "expected_cost_per_example": lambda: (w["costs"].numpy()[np.arange(N), y] * probs).sum(1),
        "focal_loss": lambda: reference.focal_loss(probs, y, gamma=1.5, alpha=w["class_w"].numpy(), reduction="none"),
        "rps_loss": lambda: reference.rps_loss(probs, y, class_weight=w["class_w"].numpy(), reduction="none"),
        "rps_loss unweighted": lambda: reference.rps_loss(probs, y, reduction="none"),
        "expected_label_l1_loss": lambda: reference.expected_label_l1_loss(
            probs, y, label_values=w["values"].numpy(), class_weight=w["class_w"].numpy(), reduction="none"),
        "distance_penalized_cross_entropy": lambda: reference.distance_penalized_cross_entropy(
            probs, y, alpha=0.8, class_weight=w["class_w"].numpy(), reduction="none"),
        "ldam_loss": lambda: reference.ldam_loss(TIES.double().numpy(), y, w["counts"].numpy(), max_margin=0.5,
                                                 scale=2.0, class_weight=w["class_w"].numpy(), reduction="none"),
        "coral_loss": lambda: reference.coral_loss(TIES.double().numpy(), y, class_weight=w["class_w5"].numpy(),
                                                   reduction="none"),
        "corn_loss": lambda: reference.corn_loss(TIES.double().numpy(), y, class_weight=w["class_w5"].numpy(),
                                                 reduction="none"),
        "asymmetric_loss": lambda: reference.asymmetric_loss(TIES.double().numpy(), _multi_hot(Y).numpy(),
                                                             gamma_pos=1.0, gamma_neg=3.0, clip=0.05, reduction="none"),
        "asymmetric_loss clip=0": lambda: reference.asymmetric_loss(
            TIES.double().numpy(), _multi_hot(Y).numpy(), gamma_pos=0.5, gamma_neg=2.0, clip=0.0, reduction="none"),
    }[name]()
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6, atol=1e-7)


def test_distance_penalized_ce_of_the_issue_case():
    z = torch.tensor([[1e4, 1e4]])
    got = losses.distance_penalized_cross_entropy(z, torch.tensor([1]), alpha=0.0)
    assert abs(got.item() - np.log(2.0)) < 1e-6 * np.log(2.0)


# 4. float16 and bfloat16 --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("name", LOSSES)
def test_half_precision_logits_are_computed_in_float32(name, dtype):
    """Before, rwwce returned inf in float16 where float32 gives a finite loss (its 2^-64 threshold is 0 there)."""
    z = _logits(name, dtype, scale=8.0)
    z32 = z.detach().float().requires_grad_(True)
    w = _weights(torch.float32)
    loss, loss32 = _call(name, z, w), _call(name, z32, w)
    assert loss.dtype == dtype and torch.isfinite(loss)
    torch.testing.assert_close(loss.float(), loss32.to(dtype).float())
    loss.backward()
    loss32.backward()
    assert z.grad.dtype == dtype
    torch.testing.assert_close(z.grad.float(), z32.grad.to(dtype).float())


def test_rwwce_in_float16_of_a_confident_row_is_finite():
    z = torch.tensor([[20.0, 0.0, 0.0], [0.0, 12.0, -3.0]], dtype=torch.float16)
    y = torch.tensor([0, 1])
    fn, fp = np.ones(3), np.full((3, 3), 5.0)
    half, single = losses.rwwce(z, y, fn, fp), losses.rwwce(z.float(), y, fn, fp)
    assert torch.isfinite(half)
    torch.testing.assert_close(half.float(), single.half().float())


# 5. torch-native validation -----------------------------------------------------------------------

@pytest.mark.parametrize("name", LOSSES)
def test_no_loss_goes_through_numpy(name, monkeypatch):
    """Before, targets and weights went through .numpy(): impossible on meta tensors, a host sync on CUDA."""
    z = _logits(name)
    w = _weights()

    def refuse(self, *args, **kwargs):
        raise AssertionError("a loss called Tensor.numpy()")

    monkeypatch.setattr(torch.Tensor, "numpy", refuse)
    _call(name, z, w).backward()


@pytest.mark.parametrize("name", LOSSES)
def test_torch_func_grad_equals_autograd(name):
    z = _logits(name).detach()
    w = _weights()
    grad = torch.func.grad(lambda t: _call(name, t, w))(z)
    zz = z.clone().requires_grad_(True)
    _call(name, zz, w).backward()
    torch.testing.assert_close(grad, zz.grad)


@pytest.mark.parametrize("name", LOSSES)
def test_meta_tensors_give_the_right_shape(name):
    global Y, BITS
    z = _logits(name, requires_grad=False).to("meta")
    w = {k: v.to("meta") for k, v in _weights().items()}
    ndim = LOSSES[name][0]
    targets = (Y if ndim == 2 else BITS).to("meta")
    call = LOSSES[name][1]
    saved = Y, BITS
    Y, BITS = (targets, BITS) if ndim == 2 else (Y, targets)
    try:
        assert call(z, w, "none").shape == (N,) and call(z, w, "none").device.type == "meta"
        assert call(z, w, "mean").shape == ()
    finally:
        Y, BITS = saved


def test_bfloat16_and_integer_weights_are_accepted():
    """Before, bfloat16 weights failed with 'unsupported ScalarType' (NumPy has no bfloat16)."""
    z = _logits("rwwce").detach()
    w = _weights()
    expected = losses.rwwce(z, Y, w["fn"].bfloat16().double(), w["fp"].bfloat16().double())
    torch.testing.assert_close(losses.rwwce(z, Y, w["fn"].bfloat16(), w["fp"].bfloat16()), expected)
    torch.testing.assert_close(losses.weighted_cross_entropy(z, Y, class_weight=torch.tensor([1, 2, 3, 4])),
                               losses.weighted_cross_entropy(z, Y, class_weight=[1.0, 2.0, 3.0, 4.0]))


@pytest.mark.parametrize("name", LOSSES)
def test_torch_compile_fullgraph_equals_eager(name):
    """One graph (fullgraph=True), the same values and gradients as eager."""
    torch._dynamo.reset()  # each case compiles afresh, so that none hits the recompile limit
    z = _logits(name)
    w = _weights()
    compiled = torch.compile(lambda t: _call(name, t, w), fullgraph=True, backend="aot_eager")
    got = compiled(z)
    (grad,) = torch.autograd.grad(got, z)
    expected = _call(name, z, w)
    (expected_grad,) = torch.autograd.grad(expected, z)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(grad, expected_grad)


def test_compiled_losses_check_values_without_breaking_the_graph():
    torch._dynamo.reset()
    compiled = torch.compile(lambda t, c: losses.rwwce(t, Y, torch.ones(K), c), fullgraph=True, backend="eager")
    with pytest.raises(RuntimeError, match="fp_cost must be >= 0"):
        compiled(torch.zeros(N, K), -torch.ones(K, K))


# 7. reference.focal_loss alpha --------------------------------------------------------------------

@pytest.mark.parametrize("alpha", [-1.0, 1.5])
def test_reference_sigmoid_focal_alpha_must_lie_in_0_1(alpha):
    """Before, alpha = -1 gave a negative loss."""
    with pytest.raises(ValueError, match="alpha"):
        reference.focal_loss(np.array([0.3, 0.8]), [1, 0], alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        losses.focal_loss(torch.zeros(2), torch.tensor([1.0, 0.0]), alpha=alpha)


# 8. weights that require grad ---------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in LOSSES if LOSSES[n][2]])
def test_weights_that_require_grad_get_their_gradient(name):
    """Before, the weights were detached: w.grad stayed None."""
    z = _logits(name).detach()
    w = _weights(requires_grad=True)
    used = LOSSES[name][2]
    _call(name, z, w).backward()
    for key in used:
        assert w[key].grad is not None, key

    def as_function_of_weights(*values):
        return _call(name, z, {**w, **dict(zip(used, values))})

    assert torch.autograd.gradcheck(as_function_of_weights, tuple(w[key] for key in used))


def test_a_zero_dim_tensor_pos_weight_equals_the_float_and_gets_a_gradient():
    z, bits = _logits("weighted_bce_with_logits").detach(), BITS.double()
    pos_weight = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    loss = losses.weighted_bce_with_logits(z, bits, pos_weight=pos_weight)
    torch.testing.assert_close(loss, losses.weighted_bce_with_logits(z, bits, pos_weight=3.0))
    torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(z, bits, pos_weight=pos_weight.detach()))
    loss.backward()
    torch.testing.assert_close(pos_weight.grad, (bits * F.softplus(-z)).mean())
    for call in (lambda: losses.focal_loss(z, bits, gamma=torch.tensor(2.0), alpha=torch.tensor(0.25)),
                 lambda: losses.rwwce_binary(z, bits, torch.tensor(20.0), torch.tensor(1.0)),
                 lambda: losses.logit_adjusted_cross_entropy(_logits("rwwce"), Y, torch.ones(K) / K, tau=torch.tensor(1.0))):
        assert torch.isfinite(call())
    with pytest.raises(ValueError, match="pos_weight must be finite and >= 0"):
        losses.weighted_bce_with_logits(z, bits, pos_weight=torch.tensor(-1.0))
    with pytest.raises(TypeError, match="pos_weight must be a real number or a 0-d tensor"):
        losses.weighted_bce_with_logits(z, bits, pos_weight=torch.tensor([3.0]))


# 9. no gradient work without a gradient ------------------------------------------------------------

@pytest.mark.parametrize("name", ANALYTIC)
def test_no_gradient_is_computed_under_no_grad(name, monkeypatch):
    """Before, the kernels computed d loss / d z under torch.no_grad() too (rwwce at K = 100: 5.6x CE);
    now they compute the loss alone there, and for logits that do not require grad."""
    z = _logits(name)
    expected = _call(name, z).detach()
    asked = []
    kernel = _blockwise.loss_and_grad

    def loss_alone(*args, with_grad=True):
        asked.append(with_grad)
        loss, grad = kernel(*args, with_grad=with_grad)
        assert grad is None
        return loss, grad

    monkeypatch.setattr(_blockwise, "loss_and_grad", loss_alone)
    with torch.no_grad():
        torch.testing.assert_close(_call(name, z), expected)
    torch.testing.assert_close(_call(name, z.detach()), expected)  # logits that do not require grad
    assert asked == [False, False]


# 10. confident rows stay on the fast path ---------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_rwwce_of_a_confident_model_takes_the_fast_path(monkeypatch, dtype):
    """Before, every row with a logit gap of 60 went to the slow log-space path (7x slower)."""
    gen = torch.Generator().manual_seed(2)
    n, k = 500, 10
    y = torch.randint(0, k, (n,), generator=gen)
    z = torch.randn(n, k, generator=gen, dtype=torch.float64)
    z[torch.arange(n), y] += 60.0  # every row dominated by its true class
    z[:50] = torch.randn(50, k, generator=gen, dtype=torch.float64)
    z[50:100] = torch.randn(50, k, generator=gen, dtype=torch.float64)
    z[torch.arange(50, 100), (y[50:100] + 1) % k] += 60.0  # and some confidently wrong
    fn, fp = torch.rand(k, generator=gen) + 0.5, 20 * torch.rand(k, k, generator=gen)
    exact_rows = []
    exact = multiclass._rwwce_exact_loss_and_grad
    monkeypatch.setattr(multiclass, "_rwwce_exact_loss_and_grad",
                        lambda logits, *a: exact_rows.append(len(logits)) or exact(logits, *a))
    zz = z.to(dtype).requires_grad_(True)
    loss = losses.rwwce(zz, y, fn, fp, reduction="none")
    (grad,) = torch.autograd.grad(loss.sum(), zz)
    assert exact_rows == []
    z64 = z.clone().requires_grad_(True)
    expected = multiclass._rwwce_formula(z64, y, fn.double()[y], (fp.double() * (1 - torch.eye(k, dtype=torch.float64)))[y])
    (expected_grad,) = torch.autograd.grad(expected.sum(), z64)
    torch.testing.assert_close(loss.double(), expected.detach(), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(grad.double(), expected_grad, rtol=1e-5, atol=1e-6)


# empty batches --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LOSSES)
def test_an_empty_batch_follows_pytorch(name):
    """sum -> 0, mean -> NaN, none -> an empty tensor, as F.cross_entropy does; the gradient is empty."""
    global Y, BITS
    ndim = LOSSES[name][0]
    z = torch.zeros((0, K) if ndim == 2 else (0,), dtype=torch.float64, requires_grad=True)
    saved = Y, BITS
    Y, BITS = Y[:0], BITS[:0]
    try:
        w = _weights()
        w.update(sample=w["sample"][:0], fn_n=w["fn_n"][:0], fp_nk=w["fp_nk"][:0], costs=w["costs"][:0])
        assert _call(name, z, w, "none").shape == (0,)
        assert _call(name, z, w, "sum").item() == 0.0
        assert torch.isnan(_call(name, z, w, "mean"))
        _call(name, z, w, "sum").backward()
        assert z.grad.shape == z.shape
    finally:
        Y, BITS = saved
    if ndim == 2:
        assert torch.isnan(F.cross_entropy(torch.zeros(0, K), torch.zeros(0, dtype=torch.int64)))
        assert F.cross_entropy(torch.zeros(0, K), torch.zeros(0, dtype=torch.int64), reduction="sum") == 0


@pytest.mark.parametrize("name", ANALYTIC)
def test_small_batches_take_the_formula_and_large_ones_the_kernel(name, monkeypatch):
    """Below _KERNEL_MIN_ELEMENTS logits the formula runs (fewer operations per call); the values and
    gradients are those of the kernel."""
    monkeypatch.undo()  # the default threshold
    z = _logits(name)
    ran = []
    kernel = _blockwise.loss_and_grad
    monkeypatch.setattr(_blockwise, "loss_and_grad", lambda *a, **kw: ran.append(1) or kernel(*a, **kw))
    small = _call(name, z)
    (small_grad,) = torch.autograd.grad(small, z)
    assert ran == [] and z.numel() < _blockwise._KERNEL_MIN_ELEMENTS
    monkeypatch.setattr(_blockwise, "_KERNEL_MIN_ELEMENTS", z.numel())
    large = _call(name, z)
    (large_grad,) = torch.autograd.grad(large, z)
    assert ran == [1]
    torch.testing.assert_close(small, large)
    torch.testing.assert_close(small_grad, large_grad)
