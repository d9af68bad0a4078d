"""wloss.decoupled: tau-normalisation, frozen features and classifier re-training (Kang et al. 2020)."""
import doctest

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import wloss.decoupled
from wloss.decoupled import penultimate_features, retrain_classifier, tau_normalize
from wloss.losses import weighted_cross_entropy
from wloss.training import mlp, predict_logits, train
from wloss.weights import inverse_frequency_weights


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models train fastest on one thread, as the notebooks run them; the count is restored after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_doctests():
    result = doctest.testmod(wloss.decoupled, extraglobs={"np": np, "torch": torch})
    assert result.attempted > 0 and result.failed == 0


# --- tau_normalize ---------------------------------------------------------------------------------

def test_tau_one_gives_unit_rows_with_the_same_directions():
    weight = np.random.default_rng(0).normal(size=(5, 7)) * np.arange(1, 6)[:, None]
    unit = tau_normalize(weight, 1.0)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), np.ones(5), rtol=1e-12)
    np.testing.assert_allclose(unit * np.linalg.norm(weight, axis=1, keepdims=True), weight, rtol=1e-12)


def test_tau_zero_leaves_the_weights_unchanged():
    weight = np.random.default_rng(1).normal(size=(3, 4))
    np.testing.assert_array_equal(tau_normalize(weight, 0.0), weight)


@pytest.mark.parametrize("tau", [0.25, 0.5, 1.5, 2.0])
def test_norms_become_the_norm_to_the_power_one_minus_tau(tau):
    weight = np.random.default_rng(2).normal(size=(4, 6)) * np.array([[0.5], [1.0], [2.0], [8.0]])
    norms = np.linalg.norm(weight, axis=1)
    np.testing.assert_allclose(np.linalg.norm(tau_normalize(weight, tau), axis=1), norms ** (1 - tau), rtol=1e-12)


def test_unit_rows_remove_the_advantage_of_a_long_weight_vector():
    # class 0 has the longer vector: it wins on a feature that points half-way between the classes
    weight = np.array([[4.0, 0.0], [0.0, 1.0]])
    feature = np.array([1.0, 1.2])
    assert np.argmax(weight @ feature) == 0
    assert np.argmax(tau_normalize(weight, 1.0) @ feature) == 1


def test_a_tensor_comes_back_as_a_tensor_of_its_dtype_without_gradient():
    layer = nn.Linear(3, 4)
    out = tau_normalize(layer.weight, 1.0)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and not out.requires_grad
    torch.testing.assert_close(torch.linalg.vector_norm(out, dim=1), torch.ones(4))
    double = tau_normalize(layer.weight.detach().double(), 0.5)
    assert double.dtype == torch.float64
    np.testing.assert_allclose(double.numpy(), tau_normalize(layer.weight.detach().double().numpy(), 0.5))


@pytest.mark.parametrize("weight, message", [
    (np.ones(3), r"weight must have shape \(K, H\)"),
    (np.ones((0, 3)), r"weight must have shape \(K, H\)"),
    (np.array([[1.0, np.nan]]), "weight must be finite"),
    (np.array([[1.0, 2.0], [0.0, 0.0]]), "weight must have no row of zeros.*row 1"),
    (torch.ones(2, 2, dtype=torch.int64), "weight must be a floating-point tensor"),
    ([["a", "b"]], "weight must be an array of numbers"),
])
def test_bad_weights_are_rejected(weight, message):
    with pytest.raises(ValueError, match=message):
        tau_normalize(weight, 1.0)


@pytest.mark.parametrize("tau, error, message", [
    (-0.5, ValueError, "tau must be >= 0"),
    (float("inf"), ValueError, "tau must be finite"),
    ("1", TypeError, "tau must be a real number"),
])
def test_bad_tau_is_rejected(tau, error, message):
    with pytest.raises(error, match=message):
        tau_normalize(np.eye(2), tau)


# --- penultimate_features -------------------------------------------------------------------------

def test_features_are_the_input_of_the_last_layer():
    model = mlp(5, (8, 6), 3, seed=0)
    X = np.random.default_rng(0).normal(size=(10, 5)).astype(np.float32)
    features = penultimate_features(model, X)
    assert features.shape == (10, 6) and features.dtype == np.float32
    logits = features @ model[-1].weight.detach().numpy().T + model[-1].bias.detach().numpy()
    np.testing.assert_allclose(logits, predict_logits(model, X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("model, message", [
    (nn.Linear(3, 2), "model must be an nn.Sequential"),
    (nn.Sequential(nn.Linear(3, 2)), "model must be an nn.Sequential of at least two layers"),
    (nn.Sequential(nn.Linear(3, 2), nn.ReLU()), "ending in nn.Linear"),
    (mlp(3, (4,), 1), "K >= 2 outputs, got 1"),
])
def test_models_without_a_k_class_last_layer_are_rejected(model, message):
    with pytest.raises(ValueError, match=message):
        penultimate_features(model, np.zeros((2, 3)))


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match=r"X must have shape \(N, D\)"):
        penultimate_features(mlp(3, (4,), 2), np.zeros(3))


# --- retrain_classifier ---------------------------------------------------------------------------

def long_tailed_blobs(seed=0):
    rng = np.random.default_rng(seed)
    counts, centres = [200, 20, 5], np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    X = np.concatenate([rng.normal(c, 1.0, size=(n, 2)) for c, n in zip(centres, counts)]).astype(np.float32)
    y = np.repeat(np.arange(3), counts)
    return X, y


def trained_network(X, y, seed=0):
    model = mlp(2, (16,), 3, seed=seed)
    train(model, X, y, F.cross_entropy, epochs=30, lr=0.02, batch_size=32, seed=seed)
    return model


def test_the_features_are_frozen_copies_and_the_model_is_untouched():
    X, y = long_tailed_blobs()
    model = trained_network(X, y)
    before = [p.detach().clone() for p in model.parameters()]
    new = retrain_classifier(model, X, y, epochs=5)
    for old, kept in zip(before, model.parameters()):
        assert torch.equal(old, kept) and kept.requires_grad
    assert [p.requires_grad for p in new.parameters()] == [False, False, True, True]
    assert torch.equal(new[0].weight, model[0].weight) and new[0].weight is not model[0].weight
    np.testing.assert_array_equal(penultimate_features(new, X), penultimate_features(model, X))
    assert not torch.equal(new[-1].weight, model[-1].weight)


def test_the_new_layer_starts_from_the_seeded_default_initialisation():
    X, y = long_tailed_blobs()
    model = trained_network(X, y)
    new = retrain_classifier(model, X, y, epochs=1, lr=0.0)  # lr 0: the initial layer
    fresh = mlp(16, (), 3, seed=0)[0]
    assert torch.equal(new[-1].weight, fresh.weight) and torch.equal(new[-1].bias, fresh.bias)


def test_the_same_seed_gives_the_same_classifier():
    X, y = long_tailed_blobs()
    model = trained_network(X, y)
    a, b = (retrain_classifier(model, X, y, epochs=3, seed=4) for _ in range(2))
    assert torch.equal(a[-1].weight, b[-1].weight) and torch.equal(a[-1].bias, b[-1].bias)


def test_class_balanced_retraining_lifts_the_rare_classes():
    X, y = long_tailed_blobs()
    model = trained_network(X, y)
    X_test, y_test = long_tailed_blobs(seed=1)
    mask = np.isin(y_test, [1, 2])

    def rare_recall(m):
        return float(np.mean(predict_logits(m, X_test[mask]).argmax(1) == y_test[mask]))

    instance = retrain_classifier(model, X, y, sampling="instance-balanced", epochs=30)
    balanced = retrain_classifier(model, X, y, sampling="class-balanced", epochs=30)
    weight = torch.as_tensor(inverse_frequency_weights(y), dtype=torch.float32)
    weighted = retrain_classifier(model, X, y, sampling="instance-balanced", epochs=30,
                                  loss_fn=lambda z, t: weighted_cross_entropy(z, t, class_weight=weight))
    assert rare_recall(balanced) > rare_recall(instance) + 0.1
    assert rare_recall(weighted) > rare_recall(instance) + 0.1


@pytest.mark.parametrize("kwargs, message", [
    ({"sampling": "square-root"}, "sampling must be one of"),
    ({"epochs": 0}, "epochs must be an integer >= 1"),
    ({"epochs": 2.5}, "epochs must be an integer >= 1"),
])
def test_bad_settings_are_rejected(kwargs, message):
    X, y = long_tailed_blobs()
    with pytest.raises(ValueError, match=message):
        retrain_classifier(mlp(2, (4,), 3), X, y, **kwargs)


def test_bad_labels_are_rejected():
    X, y = long_tailed_blobs()
    with pytest.raises(ValueError, match="X and y must have the same length"):
        retrain_classifier(mlp(2, (4,), 3), X, y[:-1])
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 3\)"):
        retrain_classifier(mlp(2, (4,), 3), X, np.where(y == 2, 3, y))
    with pytest.raises(ValueError, match="model must be an nn.Sequential"):
        retrain_classifier(nn.Linear(2, 3), X, y)
