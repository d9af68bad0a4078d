"""Property-based checks of the identities the course teaches."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from wloss import losses, reference
from wloss.losses import _blockwise

SETTINGS = settings(max_examples=30, deadline=None)
finite_logit = st.floats(-30, 30, allow_nan=False)
weight = st.floats(0.0, 50.0, allow_nan=False)

@pytest.fixture(autouse=True, scope="module")
def kernels_at_every_size():
    """Run the analytic row-block kernels on these small test batches too (by default, batches under
    _KERNEL_MIN_ELEMENTS logits take the formula, which the tests of the formula paths cover)."""
    with pytest.MonkeyPatch.context() as patch:  # module scope: hypothesis tests take no function fixtures
        patch.setattr(_blockwise, "_KERNEL_MIN_ELEMENTS", 0)
        yield


@st.composite
def multiclass_batch(draw):
    n, k = draw(st.integers(1, 6)), draw(st.integers(2, 24))  # K >= 16 takes the fused softmax in RPS
    logits = draw(arrays(np.float64, (n, k), elements=finite_logit))
    labels = draw(arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    return torch.tensor(logits), torch.as_tensor(labels)


@st.composite
def binary_batch(draw):
    n = draw(st.integers(1, 8))
    logits = draw(arrays(np.float64, (n,), elements=finite_logit))
    bits = draw(arrays(np.float64, (n,), elements=st.sampled_from([0.0, 1.0])))
    return torch.tensor(logits), torch.tensor(bits)


@SETTINGS
@given(multiclass_batch())
def test_rwwce_with_unit_fn_and_zero_fp_is_cross_entropy(batch):
    z, y = batch
    k = z.shape[1]
    torch.testing.assert_close(losses.rwwce(z, y, np.ones(k), np.zeros((k, k)), reduction="none"),
                               F.cross_entropy(z, y, reduction="none"))


@SETTINGS
@given(binary_batch(), weight, weight)
def test_rwwce_binary_is_weighted_bce(batch, fn_cost, fp_cost):
    z, y = batch
    if fn_cost == 0 and fp_cost == 0:
        fn_cost = 1.0
    torch.testing.assert_close(losses.rwwce_binary(z, y, fn_cost, fp_cost, reduction="none"),
                               losses.weighted_bce_with_logits(z, y, pos_weight=fn_cost, neg_weight=fp_cost,
                                                               reduction="none"))
    if fp_cost > 1e-6:  # dividing by a tiny cost would only measure rounding
        torch.testing.assert_close(
            losses.rwwce_binary(z, y, fn_cost, fp_cost, reduction="none") / fp_cost,
            F.binary_cross_entropy_with_logits(z, y, pos_weight=torch.tensor(fn_cost / fp_cost, dtype=z.dtype),
                                               reduction="none"))


@SETTINGS
@given(multiclass_batch(), st.data())
def test_rwwce_per_example_fed_class_costs_is_rwwce(batch, draw):
    z, y = batch
    k = z.shape[1]
    fn = draw.draw(arrays(np.float64, (k,), elements=weight))
    fp = draw.draw(arrays(np.float64, (k, k), elements=weight))
    torch.testing.assert_close(losses.rwwce_per_example(z, y, fn[y.numpy()], fp[y.numpy()], reduction="none"),
                               losses.rwwce(z, y, fn, fp, reduction="none"))


@SETTINGS
@given(multiclass_batch())
def test_focal_with_gamma_zero_is_cross_entropy(batch):
    z, y = batch
    torch.testing.assert_close(losses.focal_loss(z, y, gamma=0.0, reduction="none"),
                               F.cross_entropy(z, y, reduction="none"))


@SETTINGS
@given(binary_batch(), st.floats(0, 5), st.floats(0, 1))
def test_sigmoid_focal_matches_torchvision_formula(batch, gamma, alpha):
    """torchvision.ops.sigmoid_focal_loss, written out as its source computes it."""
    z, y = batch
    p = torch.sigmoid(z)
    ce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    expected = ce * ((1 - p_t) ** gamma) * (alpha * y + (1 - alpha) * (1 - y))
    torch.testing.assert_close(losses.focal_loss(z, y, gamma=gamma, alpha=alpha, reduction="none"), expected)
    torch.testing.assert_close(losses.focal_loss(z, y, gamma=0.0, reduction="none"), ce)


@SETTINGS
@given(multiclass_batch())
def test_rps_by_cumsum_equals_the_seeds_double_sum(batch):
    z, y = batch
    probs = reference.softmax(z.numpy())
    expected = reference.rps_loss(probs, y.numpy(), reduction="none")  # explicit double sum
    np.testing.assert_allclose(losses.rps_loss(z, y, reduction="none").numpy(), expected, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(binary_batch(), weight, weight)
def test_binary_gradient_is_w_plus_p_minus_one_or_w_minus_p(batch, w_pos, w_neg):
    z, y = batch
    z = z.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(losses.weighted_bce_with_logits(z, y, w_pos, w_neg, reduction="sum"), z)
    p = torch.sigmoid(z.detach())
    expected = torch.where(y == 1, w_pos * (p - 1), w_neg * p)
    torch.testing.assert_close(grad, expected)
