"""Class-weighted ordinal losses: loss_i times w[y_i], "mean" divides by N, the reference agrees, gradcheck."""
import numpy as np
import pytest
import torch

from wloss import losses, reference

N, K = 9, 6
ORDINAL = {
    "rps_loss": {},
    "distance_penalized_cross_entropy": {"alpha": 0.7},
    "expected_label_l1_loss": {"label_values": [0.0, 1.0, 2.5, 3.0, 7.0, 8.0]},
}


@pytest.fixture
def batch():
    gen = np.random.default_rng(10)
    logits = gen.normal(scale=2.0, size=(N, K))
    labels = gen.integers(0, K, N)
    labels[:2] = [0, K - 1]  # both ends of the scale
    return logits, labels, gen.uniform(0.1, 5.0, K)


@pytest.mark.parametrize("name", ORDINAL)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_class_weight_multiplies_each_example_by_its_class_weight(batch, name, reduction):
    logits, labels, w = batch
    z, y = torch.tensor(logits), torch.as_tensor(labels)
    fn, kwargs = getattr(losses, name), ORDINAL[name]
    unweighted = fn(z, y, reduction="none", **kwargs)
    weighted_each = torch.tensor(w)[y] * unweighted
    expected = {"mean": weighted_each.sum() / N, "sum": weighted_each.sum(), "none": weighted_each}[reduction]
    torch.testing.assert_close(fn(z, y, class_weight=w, reduction=reduction, **kwargs), expected)
    if reduction == "mean":  # divides by N, not by sum_i w[y_i]
        assert not torch.isclose(expected, weighted_each.sum() / torch.tensor(w)[y].sum())


@pytest.mark.parametrize("name", ORDINAL)
def test_class_weighted_losses_equal_the_reference(batch, name):
    logits, labels, w = batch
    got = getattr(losses, name)(torch.tensor(logits), torch.as_tensor(labels), class_weight=w, reduction="none",
                                **ORDINAL[name])
    expected = getattr(reference, name)(reference.softmax(logits), labels, class_weight=w, reduction="none",
                                        **ORDINAL[name])
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-9)


@pytest.mark.parametrize("name", ORDINAL)
def test_class_weighted_losses_pass_gradcheck(batch, name):
    logits, labels, w = batch
    y = torch.as_tensor(labels)
    z = torch.tensor(logits, requires_grad=True)
    fn, kwargs = getattr(losses, name), ORDINAL[name]
    assert torch.autograd.gradcheck(lambda t: fn(t, y, class_weight=w, reduction="none", **kwargs), (z,))
    assert torch.autograd.gradcheck(lambda t: fn(t, y, class_weight=torch.tensor(w), **kwargs), (z,))


@pytest.mark.parametrize("name", ORDINAL)
@pytest.mark.parametrize("bad, error, words", [
    ([1.0, 2.0], ValueError, "class_weight must have shape"),
    ([1.0, -1.0, 1.0, 1.0, 1.0, 1.0], ValueError, "class_weight must be >= 0"),
    ([1.0, float("nan"), 1.0, 1.0, 1.0, 1.0], ValueError, "class_weight must be finite"),
    ("heavy", TypeError, "class_weight"),
])
def test_bad_class_weight_is_rejected_like_weighted_cross_entropy(batch, name, bad, error, words):
    logits, labels, _ = batch
    z, y = torch.tensor(logits), torch.as_tensor(labels)
    for fn in (getattr(losses, name), losses.weighted_cross_entropy):
        with pytest.raises(error, match=words):
            fn(z, y, class_weight=bad)
    with pytest.raises(error, match=words):
        getattr(reference, name)(reference.softmax(logits), labels, class_weight=bad)
