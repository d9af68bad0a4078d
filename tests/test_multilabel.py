"""Multi-label (N, L) targets: per-label pos_weight (wloss.weights), multi-label RWWCE (wloss.losses, wloss.reference),
per-label Bayes thresholds and Real World Cost (wloss.decisions), per-label recall and precision (wloss.metrics)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss.decisions import bayes_thresholds, multilabel_real_world_cost
from wloss.losses import multilabel_rwwce
from wloss.metrics import per_label_recall_precision
from wloss.reference import multilabel_rwwce as multilabel_rwwce_reference
from wloss.weights import pos_weight_per_label


def data(n=40, L=4, seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, L)) < np.linspace(0.5, 0.1, L)).astype(float)
    Y[0] = 1.0                                            # every column has a positive
    Z = scale * rng.standard_normal((n, L))
    c_fn = rng.uniform(1, 20, L)
    c_fp = rng.uniform(0.5, 3, L)
    return Z, Y, c_fn, c_fp


# ---------------------------------------------------------------- pos_weight_per_label

def test_pos_weight_counts_each_column():
    Z, Y, _, _ = data()
    w = pos_weight_per_label(Y)
    for col in range(Y.shape[1]):
        positives = sum(Y[i, col] == 1 for i in range(len(Y)))
        assert w[col] == pytest.approx((len(Y) - positives) / positives)
    # not the flattened matrix, not the rows
    flat = (Y.size - Y.sum()) / Y.sum()
    assert not np.allclose(w, flat)


def test_pos_weight_balances_each_column_and_accepts_tensors_and_bools():
    _, Y, _, _ = data(seed=3)
    w = pos_weight_per_label(torch.tensor(Y).bool())
    assert np.allclose(w * Y.sum(axis=0), (1 - Y).sum(axis=0))     # weighted positives = negatives per label


def test_pos_weight_of_a_label_in_every_row_is_zero():
    assert pos_weight_per_label([[1, 1], [1, 0]]).tolist() == [0.0, 1.0]


@pytest.mark.parametrize("Y, error, match", [
    ([[1, 0], [0, 0]], ValueError, r"no positive example in column\(s\) \[1\]"),
    ([1, 0, 1], ValueError, "Y must be a 2-D"),
    ([[1, 2], [0, 1]], ValueError, "Y must hold only 0 and 1"),
    ([[1, np.nan], [0, 1]], ValueError, "Y must hold only 0 and 1"),
    ([["a", "b"]], TypeError, "Y must be an array of numbers"),
    (np.zeros((0, 3)), ValueError, "Y must have at least one row"),
])
def test_pos_weight_errors_name_the_argument(Y, error, match):
    with pytest.raises(error, match=match):
        pos_weight_per_label(Y)


# ---------------------------------------------------------------- multilabel_rwwce

@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_matches_the_numpy_reference(reduction):
    Z, Y, c_fn, c_fp = data()
    got = multilabel_rwwce(torch.tensor(Z), Y, c_fn, c_fp, reduction=reduction).numpy()
    want = multilabel_rwwce_reference(Z, Y, c_fn, c_fp, reduction=reduction)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_reference_is_the_formula_with_log_of_probabilities():
    Z, Y, c_fn, c_fp = data(scale=1.0)
    p = 1 / (1 + np.exp(-Z))
    formula = -(c_fn * Y * np.log(p) + c_fp * (1 - Y) * np.log(1 - p)).sum(axis=1).mean()
    assert multilabel_rwwce_reference(Z, Y, c_fn, c_fp) == pytest.approx(formula, rel=1e-12)


def test_loss_is_L_times_pytorch_bce_with_pos_weight():
    Z, Y, c_fn, c_fp = data()
    z, y = torch.tensor(Z), torch.tensor(Y)
    L = Z.shape[1]
    ours = multilabel_rwwce(z, y, c_fn, np.ones(L))
    torch_mean = F.binary_cross_entropy_with_logits(z, y, pos_weight=torch.tensor(c_fn))
    assert ours.item() == pytest.approx(L * torch_mean.item(), rel=1e-10)
    # general fp costs: pos_weight = c_fn / c_fp, weight = c_fp
    ours = multilabel_rwwce(z, y, c_fn, c_fp)
    torch_mean = F.binary_cross_entropy_with_logits(z, y, pos_weight=torch.tensor(c_fn / c_fp),
                                                    weight=torch.tensor(c_fp))
    assert ours.item() == pytest.approx(L * torch_mean.item(), rel=1e-10)


def test_gradient_is_cost_times_residual():
    Z, Y, c_fn, c_fp = data()
    z = torch.tensor(Z, requires_grad=True)
    multilabel_rwwce(z, Y, c_fn, c_fp, reduction="sum").backward()
    p = 1 / (1 + np.exp(-Z))
    want = np.where(Y == 1, c_fn * (p - 1), c_fp * p)
    np.testing.assert_allclose(z.grad.numpy(), want, rtol=1e-10, atol=1e-14)


def test_gradcheck_in_logits_and_costs():
    Z, Y, c_fn, c_fp = data(n=6, L=3)
    z = torch.tensor(Z, requires_grad=True)
    fn = torch.tensor(c_fn, requires_grad=True)
    fp = torch.tensor(c_fp, requires_grad=True)
    y = torch.tensor(Y)
    assert torch.autograd.gradcheck(lambda a, b, c: multilabel_rwwce(a, y, b, c), (z, fn, fp))
    assert torch.autograd.gradgradcheck(lambda a: multilabel_rwwce(a, y, c_fn, c_fp), (z,))


def test_finite_and_accurate_at_huge_logits_in_float32():
    z = torch.tensor([[1e4, -1e4], [-1e4, 1e4]], dtype=torch.float32, requires_grad=True)
    y = torch.tensor([[1.0, 1.0], [0.0, 0.0]])
    loss = multilabel_rwwce(z, y, [2.0, 3.0], [1.0, 5.0], reduction="sum")
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(z.grad).all()
    # right answers cost ~0, the two confident mistakes cost c * 1e4
    assert loss.item() == pytest.approx(3.0 * 1e4 + 5.0 * 1e4, rel=1e-6)
    assert z.grad.tolist() == [[0.0, -3.0], [0.0, 5.0]]


def test_half_precision_logits_come_back_in_their_dtype():
    Z, Y, c_fn, c_fp = data()
    got = multilabel_rwwce(torch.tensor(Z, dtype=torch.bfloat16), Y, c_fn, c_fp)
    assert got.dtype == torch.bfloat16
    want = multilabel_rwwce_reference(torch.tensor(Z, dtype=torch.bfloat16).double().numpy(), Y, c_fn, c_fp)
    assert got.item() == pytest.approx(want, rel=1e-2)


def test_mean_divides_by_examples_not_entries():
    Z, Y, c_fn, c_fp = data()
    z = torch.tensor(Z)
    assert multilabel_rwwce(z, Y, c_fn, c_fp).item() == pytest.approx(
        multilabel_rwwce(z, Y, c_fn, c_fp, reduction="sum").item() / len(Y))
    assert multilabel_rwwce(z, Y, c_fn, c_fp, reduction="none").shape == (len(Y),)


Z0, Y0, FN0, FP0 = data(n=5, L=3)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(logits=Z0), TypeError, "logits must be a torch.Tensor"),
    (dict(logits=torch.tensor(Z0)[:, 0]), ValueError, r"logits must have shape \(N, L\)"),
    (dict(logits=torch.ones(5, 3, dtype=torch.long)), TypeError, "logits must have a floating dtype"),
    (dict(logits=torch.zeros(5, 0)), ValueError, r"logits must have shape \(N, L\) with L >= 1"),
    (dict(targets=Y0[:, :2]), ValueError, "targets must have the logits' shape"),
    (dict(targets=Y0 * 2), ValueError, r"targets must hold binary labels in \{0, 1\}"),
    (dict(targets=np.where(Y0 == 1, np.nan, 0.0)), ValueError, r"targets must hold binary labels in \{0, 1\}"),
    (dict(fn_cost=FN0[:2]), ValueError, r"fn_cost must have shape \(3,\)"),
    (dict(fp_cost=np.ones((3, 1))), ValueError, r"fp_cost must have shape \(3,\), got \(3, 1\)"),
    (dict(fn_cost=-FN0), ValueError, "fn_cost must be >= 0"),
    (dict(fp_cost=np.array([1.0, np.nan, 1.0])), ValueError, "fp_cost must be finite"),
    (dict(fn_cost=np.zeros(3), fp_cost=np.array([0.0, 1.0, 1.0])), ValueError, r"both zero for label\(s\) \[0\]"),
    (dict(fn_cost="expensive"), TypeError, "fn_cost must hold numbers"),
    (dict(reduction="avg"), ValueError, "reduction must be one of"),
])
def test_loss_errors_name_the_argument(kwargs, error, match):
    args = dict(logits=torch.tensor(Z0), targets=Y0, fn_cost=FN0, fp_cost=FP0) | kwargs
    with pytest.raises(error, match=match):
        multilabel_rwwce(**args)


# ---------------------------------------------------------------- thresholds and scoring

def test_bayes_threshold_makes_both_decisions_equally_costly():
    c_fn, c_fp = np.array([9.0, 1.0, 2.0, 0.0]), np.array([1.0, 1.0, 6.0, 4.0])
    t = bayes_thresholds(c_fn, c_fp)
    np.testing.assert_allclose(t * c_fn, (1 - t) * c_fp)      # q c_fn = (1 - q) c_fp at q = t
    assert t[3] == 1.0                                         # a free miss: never predict the label


def test_bayes_threshold_minimises_expected_cost_on_a_grid():
    c_fn, c_fp = np.array([20.0, 1.0]), np.array([1.0, 5.0])
    t = bayes_thresholds(c_fn, c_fp)
    q = np.linspace(0, 1, 2001)[:, None]
    predict_is_cheaper = (1 - q) * c_fp < q * c_fn
    first = q[predict_is_cheaper.argmax(axis=0), 0]
    np.testing.assert_allclose(first, t, atol=1e-3)


@pytest.mark.parametrize("fn_cost, fp_cost, match", [
    ([1.0, -1.0], [1.0, 1.0], "fn_cost must be >= 0"),
    ([1.0, 1.0], [1.0], r"fp_cost must have shape \(2,\)"),
    ([0.0], [0.0], "both zero"),
    ([[1.0]], [1.0], "fn_cost must be 1-D"),
])
def test_bayes_threshold_errors(fn_cost, fp_cost, match):
    with pytest.raises(ValueError, match=match):
        bayes_thresholds(fn_cost, fp_cost)


def test_recall_precision_and_real_world_cost_count_per_column():
    Y = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 0], [0, 1, 1]])
    P = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 0], [1, 1, 1]])
    recall, precision = per_label_recall_precision(Y, P)
    np.testing.assert_allclose(recall, [1 / 2, 2 / 2, 1 / 2])
    np.testing.assert_allclose(precision, [1 / 2, 2 / 3, 1 / 1])
    c_fn, c_fp = np.array([10.0, 1.0, 4.0]), np.array([1.0, 2.0, 3.0])
    fn, fp = np.array([1, 0, 1]), np.array([1, 1, 0])          # counted by hand from Y and P
    assert multilabel_real_world_cost(Y, P, c_fn, c_fp) == pytest.approx((fn @ c_fn + fp @ c_fp) / 4)
    _, never = per_label_recall_precision(Y, np.zeros_like(Y))
    assert np.isnan(never).all()
    with pytest.raises(ValueError, match="Y_pred must have Y's shape"):
        multilabel_real_world_cost(Y, P[:, :2], c_fn, c_fp)
