"""LDAM with deferred re-weighting: the formula, the NumPy reference, gradients, extreme logits, errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss import reference
from wloss.losses import drw_class_weights, ldam_loss, ldam_margins
from wloss.weights import effective_number_weights

COUNTS = np.array([400.0, 100.0, 25.0, 1.0])
LABELS = torch.tensor([0, 1, 2, 3, 3, 0])


def random_logits(dtype=torch.float64, seed=0):
    return torch.randn(6, 4, dtype=dtype, generator=torch.Generator().manual_seed(seed))


def test_margins_fall_as_the_fourth_root_of_the_count():
    margins = ldam_margins(COUNTS, max_margin=0.5)
    assert margins.max() == pytest.approx(0.5) and margins.argmax() == 3  # the rarest class
    # m_k n_k^(1/4) is the same constant C for every class
    assert np.allclose(margins * COUNTS ** 0.25, margins[0] * COUNTS[0] ** 0.25)
    # 16 times the examples: half the margin, since 16^(1/4) = 2
    assert ldam_margins([16, 1], 0.8) == pytest.approx([0.4, 0.8])


def test_loss_lowers_only_the_true_logit_by_its_margin():
    z = random_logits()
    margins = torch.as_tensor(ldam_margins(COUNTS, 0.5))
    shifted = z.clone()
    shifted[torch.arange(6), LABELS] -= margins[LABELS]
    expected = F.cross_entropy(2.0 * shifted, LABELS, reduction="none")
    got = ldam_loss(z, LABELS, COUNTS, max_margin=0.5, scale=2.0, reduction="none")
    assert torch.allclose(got, expected, rtol=1e-12)
    # a margin makes the loss larger than plain scaled cross-entropy
    assert torch.all(got > F.cross_entropy(2.0 * z, LABELS, reduction="none"))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("class_weight", [None, [0.5, 1.0, 2.0, 4.0]])
def test_matches_the_numpy_reference(reduction, class_weight):
    z = random_logits(seed=1) * 3
    got = ldam_loss(z, LABELS, COUNTS, max_margin=0.7, scale=5.0, class_weight=class_weight, reduction=reduction)
    expected = reference.ldam_loss(z.numpy(), LABELS.numpy(), COUNTS, max_margin=0.7, scale=5.0,
                                   class_weight=class_weight, reduction=reduction)
    assert np.allclose(got.numpy(), expected, rtol=1e-12)


def test_weighted_mean_divides_by_n_not_by_the_sum_of_weights():
    z, weight = random_logits(seed=2), torch.tensor([0.5, 1.0, 2.0, 4.0], dtype=torch.float64)
    per_example = ldam_loss(z, LABELS, COUNTS, class_weight=weight, reduction="none")
    mean = ldam_loss(z, LABELS, COUNTS, class_weight=weight)
    assert torch.isclose(mean, per_example.sum() / 6)
    assert not torch.isclose(mean, per_example.sum() / weight[LABELS].sum())


def test_gradcheck_float64():
    z = random_logits(seed=3).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: ldam_loss(t, LABELS, COUNTS, scale=3.0, class_weight=[1, 2, 3, 4]), (z,))


def test_finite_loss_and_gradient_at_extreme_float32_logits():
    z = torch.tensor([[1e4, 0, 0, 0], [1e4, -1e4, 0, 0], [-1e4, -1e4, -1e4, 1e4],
                      [1e4, 1e4, -1e4, 0], [0.5, -2.0, 1e4, 3.0], [-1e4, 1e4, 9999.0, 0]], dtype=torch.float32)
    z32 = z.clone().requires_grad_(True)
    loss = ldam_loss(z32, LABELS, COUNTS, scale=30.0, reduction="none")
    (grad,) = torch.autograd.grad(loss.sum(), z32)
    assert torch.all(torch.isfinite(loss)) and torch.all(torch.isfinite(grad))
    loss64 = ldam_loss(z.double(), LABELS, COUNTS, scale=30.0, reduction="none")
    assert torch.allclose(loss.double(), loss64, rtol=1e-5, atol=1e-2)


def test_drw_weights_are_off_until_the_start_epoch_then_class_balanced():
    for epoch in range(5):
        assert np.array_equal(drw_class_weights(COUNTS, epoch, start_epoch=5), np.ones(4))
    labels = np.repeat(np.arange(4), COUNTS.astype(int))
    for epoch in (5, 9):
        assert np.allclose(drw_class_weights(COUNTS, epoch, start_epoch=5, beta=0.99),
                           effective_number_weights(labels, 0.99))
    inverse = drw_class_weights(COUNTS, 5, start_epoch=5, beta=None)
    assert inverse.sum() == pytest.approx(4) and np.allclose(inverse * COUNTS, inverse[0] * COUNTS[0])


@pytest.mark.parametrize("call, error, words", [
    (lambda: ldam_loss(np.zeros((2, 4)), [0, 1], COUNTS), TypeError, "torch.Tensor"),
    (lambda: ldam_loss(torch.zeros(2, 4), [0, 1], COUNTS[:3]), ValueError, r"class_counts must have shape \(4,\)"),
    (lambda: ldam_loss(torch.zeros(2, 4), [0, 1], [5, 0, 3, 2]), ValueError, "class_counts must be > 0"),
    (lambda: ldam_loss(torch.zeros(2, 4), [0, 1], [5, 0, 1, 1]), ValueError, "class_counts"),
    (lambda: ldam_loss(torch.zeros(2, 4), [0, 4], COUNTS), ValueError, "targets"),
    (lambda: ldam_loss(torch.zeros(2, 4), [0, 1], COUNTS, scale=0.0), ValueError, "scale"),
    (lambda: ldam_loss(torch.zeros(2, 4), [0, 1], COUNTS, max_margin=-1.0), ValueError, "max_margin"),
    (lambda: ldam_loss(torch.zeros(2, 4), [0, 1], COUNTS, class_weight=[1, 2]), ValueError, "class_weight"),
    (lambda: ldam_loss(torch.zeros(2, 4), [0, 1], COUNTS, reduction="avg"), ValueError, "reduction"),
    (lambda: drw_class_weights(COUNTS, 1.5, 2), TypeError, "epoch"),
    (lambda: drw_class_weights(COUNTS, 1, 2, beta=1.0), ValueError, "beta"),
])
def test_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_docstring_examples():
    import doctest

    import wloss.losses.ldam
    result = doctest.testmod(wloss.losses.ldam, extraglobs={"torch": torch})
    assert result.attempted > 0 and result.failed == 0
