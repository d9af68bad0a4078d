"""Extreme logits: finite losses and gradients in float32, matching float64; clipping loses the gradient."""
import numpy as np
import pytest
import torch

from wloss import losses
from wloss.losses import _blockwise
from wloss.losses._stable import log_one_minus_softmax

K = 4
LABELS = torch.tensor([0, 1, 2, 3, 0, 3])
EXTREME = torch.tensor([[1e4, 0, 0, 0], [1e4, -1e4, 0, 0], [-1e4, -1e4, -1e4, 1e4],
                        [1e4, 1e4, -1e4, 0], [0.5, -2.0, 1e4, 3.0], [-1e4, 1e4, 9999.0, 0]], dtype=torch.float64)
BITS = torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
EXTREME_1D = torch.tensor([1e4, 1e4, -1e4, -1e4, 0.0, 3.0], dtype=torch.float64)
FP = np.arange(K * K, dtype=float).reshape(K, K) + 1

MULTICLASS = {
    "weighted_cross_entropy": lambda z: losses.weighted_cross_entropy(z, LABELS, class_weight=[1, 2, 3, 4], reduction="none"),
    "rwwce": lambda z: losses.rwwce(z, LABELS, np.ones(K), FP, reduction="none"),
    "rwwce_per_example": lambda z: losses.rwwce_per_example(z, LABELS, np.ones(6), FP[LABELS.numpy()], reduction="none"),
    "expected_cost_loss": lambda z: losses.expected_cost_loss(z, LABELS, FP, reduction="none"),
    "focal_loss": lambda z: losses.focal_loss(z, LABELS, gamma=2.0, reduction="none"),
    "logit_adjusted_cross_entropy": lambda z: losses.logit_adjusted_cross_entropy(z, LABELS, [0.1, 0.2, 0.3, 0.4], reduction="none"),
    "rps_loss": lambda z: losses.rps_loss(z, LABELS, reduction="none"),
    "expected_label_l1_loss": lambda z: losses.expected_label_l1_loss(z, LABELS, reduction="none"),
    "distance_penalized_cross_entropy": lambda z: losses.distance_penalized_cross_entropy(z, LABELS, reduction="none"),
}
BINARY = {
    "weighted_bce_with_logits": lambda z: losses.weighted_bce_with_logits(z, BITS, 3.0, 0.5, reduction="none"),
    "rwwce_binary": lambda z: losses.rwwce_binary(z, BITS, 2000.0, 100.0, reduction="none"),
    "sigmoid focal_loss": lambda z: losses.focal_loss(z, BITS, gamma=2.0, alpha=0.25, reduction="none"),
}

@pytest.fixture(autouse=True)
def kernels_at_every_size(monkeypatch):
    """Run the analytic row-block kernels on these small test batches too (by default, batches under
    _KERNEL_MIN_ELEMENTS logits take the formula, which the tests of the formula paths cover)."""
    monkeypatch.setattr(_blockwise, "_KERNEL_MIN_ELEMENTS", 0)


def _loss_and_grad(fn, logits):
    z = logits.clone().requires_grad_(True)
    loss = fn(z)
    (grad,) = torch.autograd.grad(loss.sum(), z)
    return loss.detach(), grad


@pytest.mark.parametrize("name", list(MULTICLASS) + list(BINARY))
def test_extreme_logits_give_finite_loss_and_gradient_matching_float64(name):
    fn, logits = (MULTICLASS[name], EXTREME) if name in MULTICLASS else (BINARY[name], EXTREME_1D)
    loss32, grad32 = _loss_and_grad(fn, logits.float())
    loss64, grad64 = _loss_and_grad(fn, logits)
    assert torch.isfinite(loss32).all() and torch.isfinite(grad32).all()
    torch.testing.assert_close(loss32.double(), loss64, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(grad32.double(), grad64, rtol=1e-6, atol=1e-6)


def test_log_one_minus_softmax_matches_exact_value_at_extremes():
    z = torch.tensor([[1e4, 0.0, 0.0], [1e4, 1e4 - 3.0, -1e4]], dtype=torch.float32)
    got = log_one_minus_softmax(z, torch.log_softmax(z, 1)).double()
    # 1 - p_0 = sum_{j != 0} e^{z_j} / sum_j e^{z_j}, written out in float64 with the top logit removed
    expected_00 = np.log(2.0) - 1e4  # log(2 e^-1e4 / (1 + 2 e^-1e4)) to float64 precision
    expected_10 = -3.0 - np.log1p(np.exp(-3.0))
    np.testing.assert_allclose([got[0, 0].item(), got[1, 0].item()], [expected_00, expected_10], rtol=1e-6)
    np.testing.assert_allclose(got[1, 1].item(), np.log1p(-np.exp(-3.0) / (1 + np.exp(-3.0))), rtol=1e-6)


def test_clipping_probabilities_zeroes_the_gradient_where_the_stable_form_keeps_it():
    """The companion code clips p to [1e-7, 1 - 1e-7] before log: past the clip, no gradient flows."""
    z = torch.tensor([[12.0, -5.0, -5.0]], requires_grad=True)  # p_0 = 1 - 1.2e-7: beyond 1 - 1e-7
    y = torch.tensor([1])
    fn_cost, fp_cost = np.ones(3), np.full((3, 3), 19.0)

    probs = torch.softmax(z, 1).clamp(1e-7, 1 - 1e-7)
    clipped = -(torch.log(probs[0, 1]) + 19.0 * (torch.log(1 - probs[0, 0]) + torch.log(1 - probs[0, 2])))
    (clipped_grad,) = torch.autograd.grad(clipped, z)
    (stable_grad,) = torch.autograd.grad(losses.rwwce(z, y, fn_cost, fp_cost, reduction="sum"), z)

    assert clipped_grad[0, 0].item() == 0.0  # the clip is active on p_0, so it stops the gradient
    assert stable_grad[0, 0].item() > 1.0    # the wrong, confident class is pushed down
    z64 = z.detach().double().requires_grad_(True)
    (grad64,) = torch.autograd.grad(losses.rwwce(z64, y, fn_cost, fp_cost, reduction="sum"), z64)
    torch.testing.assert_close(stable_grad.double(), grad64, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["rwwce", "rwwce_per_example", "rps_loss"])
def test_many_classes_finite_and_matching_float64_at_extremes(name):
    """K = 20 takes PyTorch's fused softmax in these losses: the same float32-against-float64 check there."""
    gen = np.random.default_rng(0)
    k = 20
    logits = torch.tensor(gen.choice([-1e4, 0.0, 1e4, 3.0], size=(8, k)), dtype=torch.float64)
    labels = torch.as_tensor(gen.integers(0, k, 8))
    fp = gen.uniform(0, 5, (k, k))
    fn = {"rwwce": lambda z: losses.rwwce(z, labels, np.ones(k), fp, reduction="none"),
          "rwwce_per_example": lambda z: losses.rwwce_per_example(z, labels, np.ones(8), fp[labels.numpy()],
                                                                  reduction="none"),
          "rps_loss": lambda z: losses.rps_loss(z, labels, reduction="none")}[name]
    loss32, grad32 = _loss_and_grad(fn, logits.float())
    loss64, grad64 = _loss_and_grad(fn, logits)
    assert torch.isfinite(loss32).all() and torch.isfinite(grad32).all()
    torch.testing.assert_close(loss32.double(), loss64, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(grad32.double(), grad64, rtol=1e-6, atol=1e-6)
