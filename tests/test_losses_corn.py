"""CORN: conditional binary cross-entropies on their training subsets, its probabilities and rank prediction."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss import reference
from wloss.losses import corn_loss, corn_predict, corn_probabilities

LABELS = torch.tensor([0, 1, 2, 3, 3, 0])


def random_logits(shape=(6, 3), dtype=torch.float64, seed=0):
    return torch.randn(*shape, dtype=dtype, generator=torch.Generator().manual_seed(seed)) * 2


def authors_corn_loss(logits, y):
    """The authors' normalisation (coral-pytorch's ``corn_loss``) written out in NumPy float64, task by task:
    the BCE summed over every task's training subset, divided by the number of (example, task) pairs."""
    logits, y = np.asarray(logits, dtype=np.float64), np.asarray(y)
    total, pairs = 0.0, 0
    for k in range(logits.shape[1]):
        subset = [i for i in range(len(y)) if y[i] > k - 1]
        for i in subset:
            target = 1.0 if y[i] > k else 0.0
            p = 1 / (1 + np.exp(-logits[i, k]))
            total -= target * np.log(p) + (1 - target) * np.log(1 - p)
        pairs += len(subset)
    return total / pairs


def test_loss_is_the_bce_of_the_conditional_training_subsets():
    z = random_logits()
    tasks = torch.arange(3)
    selected = (LABELS[:, None] > tasks[None, :] - 1).double()
    levels = (LABELS[:, None] > tasks[None, :]).double()
    expected = (selected * F.binary_cross_entropy_with_logits(z, levels, reduction="none")).sum(1)
    assert torch.allclose(corn_loss(z, LABELS, reduction="none"), expected, rtol=1e-12)
    # class 0 takes part in task 0 only, classes K-2 and K-1 in all K-1 tasks
    assert selected.sum(1).tolist() == [1, 2, 3, 3, 3, 1]


def test_two_classes_is_plain_binary_cross_entropy():
    z, y = random_logits((5, 1), seed=4), torch.tensor([0, 1, 1, 0, 1])
    expected = F.binary_cross_entropy_with_logits(z[:, 0], y.double(), reduction="sum")
    assert torch.isclose(corn_loss(z, y, reduction="sum"), expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("class_weight", [None, "random"])
@pytest.mark.parametrize("n, tasks", [(1, 1), (6, 3), (20, 5), (9, 2)])
def test_matches_the_numpy_reference(reduction, class_weight, n, tasks):
    gen = torch.Generator().manual_seed(10 * n + tasks)
    z = random_logits((n, tasks), seed=n + tasks)
    y = torch.randint(0, tasks + 1, (n,), generator=gen)
    w = None if class_weight is None else (torch.rand(tasks + 1, generator=gen, dtype=torch.float64) * 3).numpy()
    got = corn_loss(z, y, class_weight=w, reduction=reduction)
    expected = reference.corn_loss(z.numpy(), y.numpy(), class_weight=w, reduction=reduction)
    assert np.allclose(got.numpy(), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_documented_conversion_gives_the_authors_normalisation(seed):
    gen = torch.Generator().manual_seed(seed)
    z = random_logits((12, 4), seed=seed)
    y = torch.randint(0, 5, (12,), generator=gen)
    converted = corn_loss(z, y, reduction="sum") / (y + 1).clamp(max=z.shape[1]).sum()
    assert np.isclose(converted.item(), authors_corn_loss(z.numpy(), y.numpy()), rtol=1e-12, atol=0)
    # "mean" divides by N instead: larger by the average number of tasks per example
    pairs_per_example = (y + 1).clamp(max=z.shape[1]).double().mean()
    assert torch.isclose(corn_loss(z, y), converted * pairs_per_example, rtol=1e-12)


def test_weighted_mean_divides_by_n():
    z, weight = random_logits(seed=2), torch.tensor([4.0, 2.0, 1.0, 0.5], dtype=torch.float64)
    per_example = corn_loss(z, LABELS, class_weight=weight, reduction="none")
    assert torch.isclose(corn_loss(z, LABELS, class_weight=weight), per_example.sum() / 6)
    assert torch.allclose(per_example, weight[LABELS] * corn_loss(z, LABELS, reduction="none"))


def test_logits_outside_the_training_subsets_are_not_read():
    z = random_logits(seed=5)
    changed = z.clone()
    changed[0, 1:] = float("nan")  # y = 0: tasks 1 and 2 are not its
    changed[1, 2] = float("inf")  # y = 1: task 2 is not its
    changed.requires_grad_(True)
    loss = corn_loss(changed, LABELS, reduction="none")
    assert torch.equal(loss, corn_loss(z, LABELS, reduction="none"))
    (grad,) = torch.autograd.grad(loss.sum(), changed)
    assert torch.all(torch.isfinite(grad))
    assert grad[0, 1:].tolist() == [0.0, 0.0] and grad[1, 2].item() == 0.0


def test_probabilities_are_a_distribution_with_non_increasing_cumulative_probabilities():
    z = random_logits((50, 4), seed=6) * 3  # any logits: no ordering needed, unlike CORAL
    probs = corn_probabilities(z)
    assert probs.shape == (50, 5)
    assert torch.all(probs >= 0) and torch.allclose(probs.sum(1), torch.ones(50, dtype=torch.float64))
    above = 1 - probs.cumsum(1)[:, :-1]  # P(y > k)
    assert torch.allclose(above, torch.cumprod(torch.sigmoid(z), dim=1))
    assert torch.all(above[:, 1:] <= above[:, :-1] + 1e-15)
    assert np.allclose(probs.numpy(), reference.corn_probabilities(z.numpy()), rtol=1e-12, atol=1e-15)


def test_predict_on_a_hand_worked_case():
    # sigma(1) = 0.7311: P(y > 0) = 0.731, P(y > 1) = 0.731^2 = 0.535, P(y > 2) = 0.731^3 = 0.391 -> 2 thresholds
    #   (CORAL's rule on the same logits would say 3);
    # sigma(3) = 0.9526: P(y > 2) = 0.9526^3 = 0.864 -> 3;
    # sigma(-1) = 0.269: P(y > 0) = 0.269 already -> 0, whatever the later tasks say;
    # sigma(2) = 0.881, sigma(0.5) = 0.622, sigma(-1) = 0.269: P(y > k) = 0.881, 0.548, 0.147 -> 2.
    z = torch.tensor([[1.0, 1.0, 1.0], [3.0, 3.0, 3.0], [-1.0, 5.0, 5.0], [2.0, 0.5, -1.0]])
    assert corn_predict(z).tolist() == [2, 3, 0, 2]
    assert corn_predict(z).dtype == torch.int64
    # the rank is the median of corn_probabilities
    probs = corn_probabilities(z)
    assert (probs.cumsum(1) >= 0.5).float().argmax(1).tolist() == [2, 3, 0, 2]


def test_gradcheck_float64():
    z = random_logits(seed=3).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: corn_loss(t, LABELS, class_weight=[1, 2, 3, 4]), (z,))
    assert torch.autograd.gradcheck(lambda t: corn_loss(t, LABELS, reduction="none"), (z,))
    assert torch.autograd.gradcheck(lambda t: corn_probabilities(t), (z,))
    w = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: corn_loss(z.detach(), LABELS, class_weight=v), (w,))


def test_finite_and_accurate_at_extreme_float32_logits():
    z = torch.tensor([[1e4, 1e4, -1e4], [-1e4, -1e4, -1e4], [1e4, 0.0, -1e4],
                      [-1e4, 1e4, 1e4], [1e4, 1e4, 1e4], [0.5, -1e4, 1e4]], dtype=torch.float32, requires_grad=True)
    loss = corn_loss(z, LABELS, reduction="none")
    (grad,) = torch.autograd.grad(loss.sum(), z)
    assert torch.all(torch.isfinite(loss)) and torch.all(torch.isfinite(grad))
    expected = reference.corn_loss(z.detach().double().numpy(), LABELS.numpy(), reduction="none")
    np.testing.assert_allclose(loss.detach().double().numpy(), expected, rtol=1e-6, atol=1e-7)
    z64 = z.detach().double().requires_grad_(True)
    (grad64,) = torch.autograd.grad(corn_loss(z64, LABELS, reduction="sum"), z64)
    torch.testing.assert_close(grad.double(), grad64, rtol=1e-6, atol=1e-7)
    probs = corn_probabilities(z)
    assert torch.all(torch.isfinite(probs)) and torch.all(probs >= 0)
    np.testing.assert_allclose(probs.detach().double().numpy(), reference.corn_probabilities(z.detach().double().numpy()),
                               atol=1e-6)
    assert corn_predict(z).tolist() == [2, 0, 1, 0, 3, 1]


def test_an_empty_batch_follows_pytorch():
    z = torch.zeros(0, 3, dtype=torch.float64, requires_grad=True)
    y = torch.zeros(0, dtype=torch.int64)
    assert corn_loss(z, y, reduction="none").shape == (0,)
    assert corn_loss(z, y, reduction="sum").item() == 0.0
    assert torch.isnan(corn_loss(z, y))
    corn_loss(z, y, reduction="sum").backward()
    assert z.grad.shape == (0, 3)
    assert corn_probabilities(z).shape == (0, 4) and corn_predict(z).shape == (0,)


@pytest.mark.parametrize("call, error, words", [
    (lambda: corn_loss(np.zeros((2, 3)), [0, 1]), TypeError, "logits must be a torch.Tensor"),
    (lambda: corn_loss(torch.zeros(2, 3, dtype=torch.int64), [0, 1]), TypeError, "logits must have a floating"),
    (lambda: corn_loss(torch.zeros(2), [0, 1]), ValueError, "logits must have shape .N, K - 1."),
    (lambda: corn_loss(torch.zeros(2, 0), [0, 1]), ValueError, "logits must have shape .N, K - 1."),
    (lambda: corn_loss(torch.zeros(2, 3), [0, 4]), ValueError, "targets must hold labels in"),
    (lambda: corn_loss(torch.zeros(2, 3), [0, -1]), ValueError, "targets must hold labels >= 0"),
    (lambda: corn_loss(torch.zeros(2, 3), [0.5, 1.0]), ValueError, "integer class labels"),
    (lambda: corn_loss(torch.zeros(2, 3), [0, 1, 2]), ValueError, "targets must have shape"),
    (lambda: corn_loss(torch.zeros(2, 3), [0, 1], class_weight=[1, 2, 3]), ValueError, "class_weight"),
    (lambda: corn_loss(torch.zeros(2, 3), [0, 1], class_weight=[1, -2, 3, 4]), ValueError, "class_weight must be >= 0"),
    (lambda: corn_loss(torch.zeros(2, 3), [0, 1], reduction="avg"), ValueError, "reduction"),
    (lambda: corn_probabilities(torch.zeros(2)), ValueError, "logits"),
    (lambda: corn_predict([[0.0]]), TypeError, "logits"),
    (lambda: reference.corn_loss([[0.0, 1.0]], [3]), ValueError, "targets"),
    (lambda: reference.corn_loss([[0.0, 1.0]], [0], class_weight=[1.0, 1.0]), ValueError, "class_weight"),
])
def test_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_docstring_examples():
    import doctest

    import wloss.losses.corn
    result = doctest.testmod(wloss.losses.corn, extraglobs={"torch": torch})
    assert result.attempted > 0 and result.failed == 0
