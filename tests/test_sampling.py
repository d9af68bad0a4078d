"""wloss.sampling: balanced sampling weights and the WeightedRandomSampler training loop."""
import doctest

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import WeightedRandomSampler

import wloss.sampling
from wloss.sampling import balanced_sample_weights, train_with_sampler
from wloss.training import mlp


def test_every_class_gets_the_same_total_weight():
    y = np.array([0] * 70 + [1] * 29 + [2] * 1)
    weights = balanced_sample_weights(y)
    assert weights.shape == y.shape
    totals = np.bincount(y, weights=weights)
    np.testing.assert_allclose(totals, np.ones(3))


def test_draws_from_the_weights_are_balanced():
    y = np.array([0] * 900 + [1] * 90 + [2] * 10)
    sampler = WeightedRandomSampler(torch.as_tensor(balanced_sample_weights(y)), num_samples=30_000,
                                    replacement=True, generator=torch.Generator().manual_seed(0))
    shares = np.bincount(y[list(sampler)], minlength=3) / 30_000
    # each share is a binomial proportion with standard deviation sqrt(1/3 * 2/3 / 30000) = 0.0027
    np.testing.assert_allclose(shares, np.full(3, 1 / 3), atol=5 * 0.0027)


def test_bad_labels_are_rejected():
    with pytest.raises(ValueError, match="y must hold labels in \\[0, 2\\)"):
        balanced_sample_weights([0, 1, 2], num_classes=2)
    with pytest.raises(ValueError, match="y must be 1-D"):
        balanced_sample_weights(np.zeros((2, 2), dtype=int))


def test_training_with_balanced_sampler_learns_the_rare_class():
    rng = np.random.default_rng(0)
    y = np.array([0] * 190 + [1] * 10)
    X = (rng.normal(size=(200, 2)) + 3.0 * y[:, None]).astype(np.float32)
    model = mlp(2, (), 2, seed=0)
    history = train_with_sampler(model, X, y, F.cross_entropy, balanced_sample_weights(y), epochs=20, seed=0)
    assert len(history) == 20 and history[-1] < history[0]
    predicted = model(torch.as_tensor(X)).argmax(1).numpy()
    assert (predicted[y == 1] == 1).mean() >= 0.9


def test_same_seed_same_model():
    y = np.array([0, 0, 0, 1])
    X = np.eye(4, dtype=np.float32)
    runs = []
    for _ in range(2):
        model = mlp(4, (), 2, seed=0)
        train_with_sampler(model, X, y, F.cross_entropy, balanced_sample_weights(y), epochs=3, batch_size=2, seed=1)
        runs.append(model[0].weight.detach().clone())
    torch.testing.assert_close(runs[0], runs[1], rtol=0, atol=0)


@pytest.mark.parametrize("weights, message", [
    (np.ones(3), r"sample_weights must have shape \(4,\)"),
    (np.array([1.0, -1.0, 1.0, 1.0]), "sample_weights must be finite, >= 0"),
    (np.zeros(4), "not all zero"),
])
def test_bad_sample_weights_are_rejected(weights, message):
    with pytest.raises(ValueError, match=message):
        train_with_sampler(mlp(4, (), 2), np.eye(4), [0, 0, 0, 1], F.cross_entropy, weights)


def test_docstring_examples():
    result = doctest.testmod(wloss.sampling)
    assert result.attempted > 0 and result.failed == 0
