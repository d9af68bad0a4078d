"""The per-transaction costs of lecture 05: wloss.scenarios makes them, wloss.weights and wloss.decisions use them."""
import numpy as np
import pytest
import torch

from wloss import losses
from wloss.losses import expected_cost_loss
from wloss.decisions import bayes_decisions, real_world_cost, total_decision_cost, true_class_cost_rows
from wloss.losses import expected_cost_per_example
from wloss.scenarios import make_transactions, transaction_cost_matrices
from wloss.weights import rwwce_weights_from_costs


def test_transactions_are_reproducible_and_fraud_grows_with_amount():
    X, y, amount = make_transactions(20_000, seed=3)
    X2, y2, amount2 = make_transactions(20_000, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2) and np.array_equal(amount, amount2)
    assert X.shape == (20_000, 3) and set(np.unique(y)) == {0, 1, 2}
    np.testing.assert_allclose(X[:, 2], (np.log(amount) - 4.0) / 1.2, rtol=1e-5, atol=1e-5)
    large = amount > np.median(amount)
    assert (y[large] != 0).mean() > 1.5 * (y[~large] != 0).mean()


def test_cost_matrices_scale_with_the_amount():
    C = transaction_cost_matrices([0.0, 100.0, 200.0], fee=10.0, block_rate=0.02, takeover_factor=1.5)
    assert C.shape == (3, 3, 3) and np.all(np.diagonal(C, axis1=1, axis2=2) == 0)
    # approving fraud costs the amount; blocking a legit customer costs the fee plus a share of it
    np.testing.assert_allclose(C[:, 1, 0], [0.0, 100.0, 200.0])
    np.testing.assert_allclose(C[:, 2, 0], 1.5 * C[:, 1, 0])
    np.testing.assert_allclose(C[2, 0, 1] - C[1, 0, 1], 0.02 * 100.0)


def test_rwwce_split_reproduces_every_cost_and_stays_nonnegative():
    rng = np.random.default_rng(0)
    rows = rng.exponential(size=(50, 4))
    y = rng.integers(0, 4, size=50)
    fn, fp = rwwce_weights_from_costs(rows, y)
    wrong = np.ones_like(rows, dtype=bool)
    wrong[np.arange(50), y] = False
    np.testing.assert_allclose((fn[:, None] + fp)[wrong], rows[wrong])
    assert np.all(fp >= 0) and np.all(fp[~wrong] == 0)
    assert np.all(fp[wrong].reshape(50, 3).min(axis=1) == 0), "fn_i is the largest common share"


def test_split_matches_real_world_cost_for_class_level_costs():
    C = transaction_cost_matrices([80.0])[0]
    y = np.array([0, 1, 2, 2, 1])
    pred = np.array([1, 0, 1, 0, 2])
    fn, fp = rwwce_weights_from_costs(C[y], y)
    fn_cost = np.array([fn[y == k][0] for k in range(3)])
    fp_cost = np.stack([fp[y == k][0] for k in range(3)])
    per_example = total_decision_cost(y, pred, np.repeat(C[None], 5, axis=0)) / 5
    assert real_world_cost(y, pred, fn_cost, fp_cost) == pytest.approx(per_example)


def test_expected_cost_matches_the_class_level_loss_and_its_gradient():
    torch.manual_seed(0)
    C = transaction_cost_matrices([120.0])[0]
    logits = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    ours = expected_cost_per_example(logits, y, np.repeat(C[None], 6, axis=0), reduction="sum")
    assert ours.item() == pytest.approx(expected_cost_loss(logits, y, C, reduction="sum").item(), rel=1e-12)
    ours.backward()
    p = torch.softmax(logits, dim=1).detach()
    rows = torch.as_tensor(C[y.numpy()])
    analytic = p * (rows - (p * rows).sum(dim=1, keepdim=True))
    torch.testing.assert_close(logits.grad, analytic)


def test_bayes_decisions_minimise_expected_cost_and_total_cost_sums():
    rng = np.random.default_rng(1)
    _, _, amount = make_transactions(40, seed=1)
    C = transaction_cost_matrices(amount)
    probs = rng.dirichlet(np.ones(3), size=40)
    d = bayes_decisions(probs, C)
    expected = np.einsum("nk,nkj->nj", probs, C)
    assert np.all(expected[np.arange(40), d] <= expected.min(axis=1) + 1e-12)
    y = rng.integers(0, 3, size=40)
    assert total_decision_cost(y, d, C) == pytest.approx(sum(C[i, y[i], d[i]] for i in range(40)))
    assert total_decision_cost(y, y, C) == 0.0


@pytest.mark.parametrize("call, message", [
    (lambda: transaction_cost_matrices([-1.0]), "amount must be >= 0"),
    (lambda: transaction_cost_matrices([[1.0]]), r"amount must have shape \(N,\)"),
    (lambda: rwwce_weights_from_costs([[1.0, 2.0]], [0, 1]), "y has 2 labels but cost_rows has 1 rows"),
    (lambda: true_class_cost_rows(transaction_cost_matrices([1.0]), [0, 1]),
     "y has 2 labels but cost_matrices has 1 matrices"),
    (lambda: rwwce_weights_from_costs([[1.0, 2.0]], [2]), r"y must hold labels in \[0, 2\)"),
    (lambda: rwwce_weights_from_costs([[1.0]], [0]), "at least 2 columns"),
    (lambda: bayes_decisions([[0.5, 0.6, 0.0]], transaction_cost_matrices([1.0])), "sum to 1"),
    (lambda: bayes_decisions([[0.5, 0.5]], transaction_cost_matrices([1.0])), r"probs must have shape \(1, 3\)"),
    (lambda: total_decision_cost([0], [3], transaction_cost_matrices([1.0])), "decisions must hold labels"),
    (lambda: total_decision_cost([0], [0], np.zeros((1, 2, 3))), r"shape \(N, K, K\)"),
    (lambda: make_transactions(0), "n must be an int >= 1"),
])
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_expected_cost_per_example_is_the_loss_in_wloss_losses_with_its_checks():
    """Lecture 05 imports it from here; it is the one in wloss.losses, validated like the other losses."""
    assert expected_cost_per_example is losses.expected_cost_per_example
    C = transaction_cost_matrices([1.0, 2.0])
    with pytest.raises(TypeError, match="logits must be a torch.Tensor"):
        expected_cost_per_example(np.zeros((2, 3)), [0, 1], C)
    with pytest.raises(TypeError, match="logits must have a floating dtype"):
        expected_cost_per_example(torch.zeros(2, 3, dtype=torch.int64), [0, 1], C)
    with pytest.raises(ValueError, match=r"cost_matrices must have shape \(2, 3, 3\)"):
        expected_cost_per_example(torch.zeros(2, 3), [0, 1], C[:1])
    with pytest.raises(ValueError, match="cost_matrices must be >= 0"):
        expected_cost_per_example(torch.zeros(2, 3), [0, 1], -C)
    with pytest.raises(ValueError, match="targets must hold labels in"):
        expected_cost_per_example(torch.zeros(2, 3), [0, 3], C)


def test_expected_cost_per_example_follows_the_logits_dtype_and_device():
    """Before, the costs became a CPU tensor whatever the logits were; now they follow the logits."""
    C = transaction_cost_matrices([50.0, 80.0])
    y = torch.tensor([1, 2])
    z64 = torch.tensor([[0.3, -1.0, 2.0], [1.0, 0.0, -0.5]], dtype=torch.float64)
    expected = expected_cost_per_example(z64, y, C, reduction="none")
    for dtype in (torch.float32, torch.bfloat16):
        got = expected_cost_per_example(z64.to(dtype), y, torch.tensor(C, dtype=dtype), reduction="none")
        assert got.dtype == dtype
        torch.testing.assert_close(got.double(), expected, rtol=2e-2 if dtype == torch.bfloat16 else 1e-6, atol=0)
    meta = expected_cost_per_example(torch.zeros(2, 3, device="meta"), y.to("meta"), torch.zeros(2, 3, 3, device="meta"))
    assert meta.device.type == "meta" and meta.shape == ()


def test_a_fee_that_is_not_one_number_is_named():
    with pytest.raises(ValueError, match=r"fee must have shape \(\)"):
        transaction_cost_matrices([10.0], fee=[1.0, 2.0])
