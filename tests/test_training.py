"""The shared training helpers: seeded, correct shapes, clear errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss.training import mlp, predict_logits, predict_proba, train


def data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def test_logistic_regression_learns_a_separable_problem():
    X, y = data()
    model = mlp(2, (), 1, seed=0)
    history = train(model, X, y, F.binary_cross_entropy_with_logits, epochs=200, lr=0.1)
    assert history[-1] < history[0] / 3
    assert ((predict_proba(model, X) > 0.5) == y).mean() > 0.95


def test_same_seed_same_model():
    X, y = data()
    runs = []
    for _ in range(2):
        model = mlp(2, (8,), 2, seed=3)
        train(model, X, y, F.cross_entropy, epochs=3, batch_size=32, seed=5)
        runs.append(predict_logits(model, X))
    np.testing.assert_array_equal(runs[0], runs[1])


def test_multiclass_probabilities_sum_to_one():
    X, y = data()
    proba = predict_proba(mlp(2, (4,), 3), X)
    assert proba.shape == (200, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_callback_sees_every_epoch():
    X, y = data()
    epochs = []
    train(mlp(2, (), 1), X, y, F.binary_cross_entropy_with_logits, epochs=4, callback=lambda e, m: epochs.append(e))
    assert epochs == [0, 1, 2, 3]


@pytest.mark.parametrize("kwargs, message", [
    ({"optimizer": "rmsprop"}, "optimizer must be 'adam' or 'sgd'"),
    ({"epochs": 0}, "epochs must be >= 1"),
])
def test_bad_arguments(kwargs, message):
    X, y = data()
    with pytest.raises(ValueError, match=message):
        train(mlp(2, (), 1), X, y, F.binary_cross_entropy_with_logits, **kwargs)


def test_mismatched_lengths():
    X, y = data()
    with pytest.raises(ValueError, match="X and y must have the same length"):
        train(mlp(2, (), 1), X, y[:-1], F.binary_cross_entropy_with_logits)


def test_setup_notebook_is_reproducible(restore_global_state):
    from wloss.notebook import setup_notebook

    a = setup_notebook(1).random(3), torch.rand(3)
    b = setup_notebook(1).random(3), torch.rand(3)
    np.testing.assert_array_equal(a[0], b[0])
    assert torch.equal(a[1], b[1])
    assert torch.get_num_threads() == 1


def test_progress_bar_only_when_enabled(monkeypatch, capsys):
    from wloss.progress import progress

    monkeypatch.setenv("WLOSS_PROGRESS", "0")
    assert progress(range(3)) == range(3)
    monkeypatch.setenv("WLOSS_PROGRESS", "1")
    bar = progress(range(3), desc="epochs", leave=True)
    assert list(bar) == [0, 1, 2]
    bar.close()
    assert "epochs" in capsys.readouterr().err


def test_train_shows_progress_when_asked(monkeypatch, capsys):
    monkeypatch.setenv("WLOSS_PROGRESS", "1")
    X, y = data()
    train(mlp(2, (), 1), X, y, F.binary_cross_entropy_with_logits, epochs=3, progress_desc="training")
    assert "training" in capsys.readouterr().err
