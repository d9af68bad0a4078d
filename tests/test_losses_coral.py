"""CORAL: K - 1 binary cross-entropies on cumulative logits, its probabilities and rank prediction."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss import reference
from wloss.losses import CoralLayer, coral_loss, coral_predict, coral_probabilities
from wloss.losses.coral import coral_levels

LABELS = torch.tensor([0, 1, 2, 3, 3, 0])


def random_logits(dtype=torch.float64, seed=0):
    return torch.randn(6, 3, dtype=dtype, generator=torch.Generator().manual_seed(seed)) * 2


def test_levels_are_the_extended_binary_labels():
    assert coral_levels(torch.tensor([0, 1, 3]), 4).tolist() == [[0, 0, 0], [1, 0, 0], [1, 1, 1]]


def test_loss_is_a_sum_of_binary_cross_entropies():
    z = random_logits()
    levels = (LABELS[:, None] > torch.arange(3)[None, :]).double()
    expected = F.binary_cross_entropy_with_logits(z, levels, reduction="none").sum(1)
    assert torch.allclose(coral_loss(z, LABELS, reduction="none"), expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("class_weight", [None, [4.0, 2.0, 1.0, 0.5]])
def test_matches_the_numpy_reference(reduction, class_weight):
    z = random_logits(seed=1)
    got = coral_loss(z, LABELS, class_weight=class_weight, reduction=reduction)
    expected = reference.coral_loss(z.numpy(), LABELS.numpy(), class_weight=class_weight, reduction=reduction)
    assert np.allclose(got.numpy(), expected, rtol=1e-12)


def test_weighted_mean_divides_by_n():
    z, weight = random_logits(seed=2), torch.tensor([4.0, 2.0, 1.0, 0.5], dtype=torch.float64)
    per_example = coral_loss(z, LABELS, class_weight=weight, reduction="none")
    assert torch.isclose(coral_loss(z, LABELS, class_weight=weight), per_example.sum() / 6)
    assert torch.allclose(per_example, weight[LABELS] * coral_loss(z, LABELS, reduction="none"))


def test_probabilities_are_a_distribution_with_the_model_s_cumulative_probabilities():
    ordered = torch.tensor([[3.0, 0.5, -1.0], [0.0, -0.1, -4.0]], dtype=torch.float64)
    probs = coral_probabilities(ordered)
    assert torch.all(probs >= 0) and torch.allclose(probs.sum(1), torch.ones(2, dtype=torch.float64))
    # P(y > k) = 1 - P(y <= k) = sigma(z_k) when the logits are ordered
    assert torch.allclose(1 - probs.cumsum(1)[:, :-1], torch.sigmoid(ordered))
    assert np.allclose(probs.numpy(), reference.coral_probabilities(ordered.numpy()))
    disordered = torch.tensor([[-1.0, 2.0, 0.0]])  # sigma rises from k = 0 to 1: no valid distribution as is
    fixed = coral_probabilities(disordered)
    assert torch.all(fixed >= 0) and torch.isclose(fixed.sum(), torch.tensor(1.0))


def test_predict_counts_the_thresholds_passed():
    z = torch.tensor([[3.0, 1.0, -2.0], [-1.0, -2.0, -3.0], [1.0, 1.0, 1.0]])
    assert coral_predict(z).tolist() == [2, 0, 3]
    # for ordered logits the rank is the median of coral_probabilities
    probs = coral_probabilities(z)
    assert (probs.cumsum(1) >= 0.5).float().argmax(1).tolist() == [2, 0, 3]


def test_gradcheck_float64():
    z = random_logits(seed=3).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: coral_loss(t, LABELS, class_weight=[1, 2, 3, 4]), (z,))
    assert torch.autograd.gradcheck(lambda t: coral_probabilities(t), (z,))


def test_finite_at_extreme_float32_logits():
    z = torch.tensor([[1e4, 1e4, -1e4], [-1e4, -1e4, -1e4], [1e4, 0.0, -1e4],
                      [-1e4, 1e4, 1e4], [1e4, 1e4, 1e4], [0.5, -1e4, 1e4]], dtype=torch.float32, requires_grad=True)
    loss = coral_loss(z, LABELS, reduction="none")
    (grad,) = torch.autograd.grad(loss.sum(), z)
    assert torch.all(torch.isfinite(loss)) and torch.all(torch.isfinite(grad))
    assert torch.allclose(loss.double(), coral_loss(z.detach().double(), LABELS, reduction="none"), rtol=1e-6)
    assert torch.all(torch.isfinite(coral_probabilities(z)))


def test_layer_shares_its_score_and_has_one_bias_per_threshold():
    layer = CoralLayer(5, num_classes=4)
    out = layer(torch.randn(7, 5, generator=torch.Generator().manual_seed(0)))
    assert out.shape == (7, 3)
    # every column is the same score plus its own bias
    assert torch.allclose(out - layer.bias, (out - layer.bias)[:, :1].expand(7, 3))


@pytest.mark.parametrize("call, error, words", [
    (lambda: coral_loss(np.zeros((2, 3)), [0, 1]), TypeError, "torch.Tensor"),
    (lambda: coral_loss(torch.zeros(2), [0, 1]), ValueError, "K - 1"),
    (lambda: coral_loss(torch.zeros(2, 3), [0, 4]), ValueError, "targets"),
    (lambda: coral_loss(torch.zeros(2, 3), [0.5, 1.0]), ValueError, "integer class labels"),
    (lambda: coral_loss(torch.zeros(2, 3), [0, 1], class_weight=[1, 2, 3]), ValueError, "class_weight"),
    (lambda: coral_loss(torch.zeros(2, 3), [0, 1], reduction="avg"), ValueError, "reduction"),
    (lambda: CoralLayer(3, 1), ValueError, "num_classes"),
])
def test_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_docstring_examples():
    import doctest

    import wloss.losses.coral
    result = doctest.testmod(wloss.losses.coral, extraglobs={"torch": torch})
    assert result.attempted > 0 and result.failed == 0
