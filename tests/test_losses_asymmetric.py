"""Asymmetric loss (ASL), multi-label: against the NumPy reference, its special cases, the authors' sum,
gradients, extreme logits and errors. (Every autograd mode and torch.compile: tests/test_losses_autograd.py.)"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss import reference
from wloss.losses import asymmetric_loss, sigmoid_focal_loss


def random_case(n=6, n_labels=5, seed=0, scale=3.0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    z = scale * torch.randn(n, n_labels, generator=gen, dtype=torch.float64)
    y = (torch.rand(n, n_labels, generator=gen) < 0.3).double()
    return z.to(dtype), y


def authors_asymmetric_loss(x, y, gamma_neg, gamma_pos, clip, eps=1e-8, detach_focus=False):
    """The forward of the authors' ``AsymmetricLoss`` (Ridnik et al.'s repository), transcribed: probabilities
    clamped at eps, the shifted negative probability, the focusing weight (computed without gradient with
    ``detach_focus``, their disable_torch_grad_focal_loss), and the negated sum over the batch."""
    x_sigmoid = torch.sigmoid(x)
    xs_pos, xs_neg = x_sigmoid, 1 - x_sigmoid
    if clip > 0:
        xs_neg = (xs_neg + clip).clamp(max=1)
    loss = y * torch.log(xs_pos.clamp(min=eps)) + (1 - y) * torch.log(xs_neg.clamp(min=eps))
    if gamma_neg > 0 or gamma_pos > 0:
        with torch.set_grad_enabled(not detach_focus and torch.is_grad_enabled()):
            pt = xs_pos * y + xs_neg * (1 - y)
            weight = torch.pow(1 - pt, gamma_pos * y + gamma_neg * (1 - y))
        loss = loss * weight
    return -loss.sum()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("gamma_pos, gamma_neg, clip", [(0.0, 4.0, 0.05), (1.0, 4.0, 0.05), (0.0, 0.0, 0.0),
                                                        (2.0, 2.0, 0.0), (0.5, 0.5, 0.2), (0.0, 4.0, 0.9)])
@pytest.mark.parametrize("n, n_labels", [(1, 1), (6, 5), (20, 3)])
def test_matches_the_numpy_reference(reduction, gamma_pos, gamma_neg, clip, n, n_labels):
    z, y = random_case(n, n_labels, seed=n + n_labels)
    got = asymmetric_loss(z, y, gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip, reduction=reduction)
    expected = reference.asymmetric_loss(z.numpy(), y.numpy(), gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip,
                                         reduction=reduction)
    assert np.allclose(got.numpy(), expected, rtol=1e-12, atol=1e-300)


def test_without_focusing_or_shift_it_is_bce_summed_over_the_labels():
    z, y = random_case(seed=1)
    bce = F.binary_cross_entropy_with_logits(z, y, reduction="none").sum(1)
    got = asymmetric_loss(z, y, gamma_pos=0.0, gamma_neg=0.0, clip=0.0, reduction="none")
    torch.testing.assert_close(got, bce, rtol=1e-12, atol=0)
    # "mean" divides by N, BCE's mean by N L
    torch.testing.assert_close(asymmetric_loss(z, y, gamma_pos=0.0, gamma_neg=0.0, clip=0.0),
                               z.shape[1] * F.binary_cross_entropy_with_logits(z, y), rtol=1e-12, atol=0)


@pytest.mark.parametrize("gamma", [0.5, 2.0])
def test_without_shift_it_is_the_sigmoid_focal_loss_entry_by_entry(gamma):
    z, y = random_case(seed=2)
    focal = sigmoid_focal_loss(z.reshape(-1), y.reshape(-1), gamma=gamma, reduction="none").reshape(z.shape).sum(1)
    got = asymmetric_loss(z, y, gamma_pos=gamma, gamma_neg=gamma, clip=0.0, reduction="none")
    torch.testing.assert_close(got, focal, rtol=1e-12, atol=0)


@pytest.mark.parametrize("gamma_pos, gamma_neg, clip", [(0.0, 4.0, 0.05), (1.0, 4.0, 0.05), (1.0, 2.0, 0.0)])
def test_reduction_sum_is_the_authors_loss(gamma_pos, gamma_neg, clip):
    z, y = random_case(n=8, n_labels=10, seed=3)  # |z| < 15: the authors' eps clamp does not bite
    assert z.abs().max() < 15
    got = asymmetric_loss(z, y, gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip, reduction="sum")
    torch.testing.assert_close(got, authors_asymmetric_loss(z, y, gamma_neg, gamma_pos, clip), rtol=1e-12, atol=0)


def test_negatives_below_the_margin_give_no_loss_and_no_gradient():
    z = torch.tensor([[-3.0, -2.0, 0.0]], dtype=torch.float64, requires_grad=True)  # p = 0.047, 0.119, 0.5
    y = torch.zeros(1, 3)
    loss = asymmetric_loss(z, y, gamma_neg=1.0, clip=0.1, reduction="none")
    (grad,) = torch.autograd.grad(loss.sum(), z)
    assert grad[0, 0].item() == 0.0 and grad[0, 1].item() > 0 and grad[0, 2].item() > 0
    p_m = torch.sigmoid(z.detach())[0, 1:] - 0.1
    torch.testing.assert_close(loss, -(p_m * torch.log1p(-p_m)).sum().reshape(1))


def test_gradcheck_float64_and_the_focusing_weight_is_not_detached():
    # gradcheck compares with finite differences of the loss itself: a detached focusing weight would fail it
    z, y = random_case(n=4, n_labels=5, seed=4)
    z.requires_grad_(True)
    for kwargs in ({}, {"gamma_pos": 1.0, "gamma_neg": 4.0, "clip": 0.05}, {"gamma_pos": 0.5, "gamma_neg": 2.0, "clip": 0.0}):
        assert torch.autograd.gradcheck(lambda t: asymmetric_loss(t, y, reduction="none", **kwargs), (z,))
    gammas = (torch.tensor(1.0, dtype=torch.float64, requires_grad=True),
              torch.tensor(3.0, dtype=torch.float64, requires_grad=True))
    assert torch.autograd.gradcheck(lambda gp, gn: asymmetric_loss(z.detach(), y, gamma_pos=gp, gamma_neg=gn), gammas)
    # the gradient is the authors' without disable_torch_grad_focal_loss, not the one with it
    ours = torch.autograd.grad(asymmetric_loss(z, y, gamma_pos=1.0, gamma_neg=4.0, reduction="sum"), z)[0]
    plain = torch.autograd.grad(authors_asymmetric_loss(z, y, 4.0, 1.0, 0.05), z)[0]
    detached = torch.autograd.grad(authors_asymmetric_loss(z, y, 4.0, 1.0, 0.05, detach_focus=True), z)[0]
    torch.testing.assert_close(ours, plain, rtol=1e-12, atol=1e-15)
    assert not torch.allclose(ours, detached, rtol=1e-3)


@pytest.mark.parametrize("clip", [0.0, 0.05, 0.3])
@pytest.mark.parametrize("gamma_pos, gamma_neg", [(0.0, 4.0), (1.0, 0.5), (2.5, 0.0), (0.0, 0.0)])
def test_eager_training_takes_the_formulas_loss_and_its_gradient_in_closed_form(monkeypatch, gamma_pos, gamma_neg,
                                                                                clip):
    """Eager training takes loss and gradient at once: the loss is the formula's to the last bit, the gradient
    autograd's of the formula (entries at the margin, far beyond it and at |z| = 1e4 included); a backward that
    builds a graph still differentiates the formula."""
    from wloss.losses import asymmetric

    z0, y = random_case(n=8, n_labels=6, seed=4)
    z0[0] = torch.tensor([1e4, -1e4, 40.0, -40.0, np.log(clip / (1 - clip)) if clip else 0.0, 0.0])
    y[0] = torch.tensor([1.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    y[1, :3] = torch.tensor([0.0, 0.0, 0.0])
    z0[1, :3] = torch.tensor([1e4, -1e4, 40.0])
    results = []
    for closed_form in (True, False):
        with monkeypatch.context() as patched:
            if not closed_form:
                patched.setattr(asymmetric, "_closed_form_applies", lambda *args: False)
            z = z0.clone().requires_grad_(True)
            loss = asymmetric_loss(z, y, gamma_pos, gamma_neg, clip, reduction="none")
            assert (type(loss.grad_fn).__name__ == "_PrecomputedGradientBackward") == closed_form
            (grad,) = torch.autograd.grad(loss.sum(), z)  # a plain backward: the closed form where it applies
            (grad_in_graph,) = torch.autograd.grad(
                asymmetric_loss(z, y, gamma_pos, gamma_neg, clip, reduction="none").sum(), z, create_graph=True)
            (second,) = torch.autograd.grad((grad_in_graph * grad_in_graph).sum(), z)
            results.append((loss.detach(), grad, second))
    (loss, grad, second), (formula_loss, formula_grad, formula_second) = results
    assert torch.equal(loss, formula_loss)
    assert torch.isfinite(grad).all()
    torch.testing.assert_close(grad, formula_grad, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(second, formula_second, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("clip", [0.05, 0.0])
def test_finite_and_accurate_at_extreme_float32_logits(clip):
    big = torch.tensor([[1e4, -1e4, 1e4, -1e4, 0.0, 30.0], [-1e4, 1e4, 1e4, -1e4, -2.7, 100.0],
                        [1e4, 1e4, -1e4, -1e4, 3.0, -3.0]], dtype=torch.float32)
    y = torch.tensor([[1, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 1], [1, 0, 1, 0, 0, 1]])
    z = big.clone().requires_grad_(True)
    loss = asymmetric_loss(z, y, gamma_pos=1.0, gamma_neg=4.0, clip=clip, reduction="none")
    (grad,) = torch.autograd.grad(loss.sum(), z)
    assert torch.all(torch.isfinite(loss)) and torch.all(torch.isfinite(grad))
    expected = reference.asymmetric_loss(big.double().numpy(), y.numpy(), gamma_pos=1.0, gamma_neg=4.0, clip=clip,
                                         reduction="none")
    np.testing.assert_allclose(loss.detach().double().numpy(), expected, rtol=1e-6, atol=1e-7)
    z64 = big.double().requires_grad_(True)
    (grad64,) = torch.autograd.grad(asymmetric_loss(z64, y, gamma_pos=1.0, gamma_neg=4.0, clip=clip, reduction="sum"),
                                    z64)
    torch.testing.assert_close(grad.double(), grad64, rtol=1e-5, atol=1e-7)
    # with the shift, a confidently wrong negative costs at most (1 - clip)^4 (-log clip)
    if clip:
        single = asymmetric_loss(torch.tensor([[1e4]]), torch.tensor([[0]]), gamma_neg=4.0, clip=clip)
        assert abs(single.item() - (1 - clip) ** 4 * -np.log(clip)) < 1e-6 * single.item()


def test_an_empty_batch_follows_pytorch():
    z = torch.zeros(0, 4, dtype=torch.float64, requires_grad=True)
    y = torch.zeros(0, 4)
    assert asymmetric_loss(z, y, reduction="none").shape == (0,)
    assert asymmetric_loss(z, y, reduction="sum").item() == 0.0
    assert torch.isnan(asymmetric_loss(z, y))
    asymmetric_loss(z, y, reduction="sum").backward()
    assert z.grad.shape == (0, 4)


def test_targets_may_be_int_bool_lists_and_half_precision_is_computed_in_float32():
    z, y = random_case(seed=5, dtype=torch.float32)
    expected = asymmetric_loss(z, y)
    torch.testing.assert_close(asymmetric_loss(z, y.bool()), expected)
    torch.testing.assert_close(asymmetric_loss(z, y.long().tolist()), expected)
    half = asymmetric_loss(z.half(), y)
    assert half.dtype == torch.float16
    torch.testing.assert_close(half, asymmetric_loss(z.half().float(), y).half())


def test_torch_compile_fullgraph_and_torch_func_equal_eager():
    torch._dynamo.reset()
    z, y = random_case(seed=6)
    call = lambda t: asymmetric_loss(t, y, gamma_pos=1.0, gamma_neg=4.0, clip=0.05)  # noqa: E731
    zz = z.clone().requires_grad_(True)
    eager = call(zz)
    (eager_grad,) = torch.autograd.grad(eager, zz)
    compiled = torch.compile(call, fullgraph=True, backend="aot_eager")
    got = compiled(zz)
    torch.testing.assert_close(got, eager)
    torch.testing.assert_close(torch.autograd.grad(got, zz)[0], eager_grad)
    torch.testing.assert_close(torch.func.grad(call)(z), eager_grad)


@pytest.mark.parametrize("clip", [0.0, 0.05, 0.3])
@pytest.mark.parametrize("gamma_pos, gamma_neg", [(0.0, 4.0), (1.0, 0.5), (2.5, 0.0)])
def test_compiled_closed_form_equals_eager_and_an_exponent_keeps_its_gradient(gamma_pos, gamma_neg, clip):
    """Inside torch.compile the terms come from one exponential with a closed-form backward: loss and gradient equal
    eager's (entries just above the margin and at |z| = 1e4 included), to the 4e-9 of the compiled log1p polynomial;
    an exponent that requires grad gets eager's gradient."""
    torch._dynamo.reset()
    z, y = random_case(n=8, n_labels=6, seed=9)
    # an entry just above the margin (p_m ~ 5e-6): at the margin itself the gradient jumps (gamma_neg = 0) or is
    # infinite (gamma_neg < 1), and which side a rounding of p lands on decides it
    z[0] = torch.tensor([1e4, -1e4, 40.0, -40.0, np.log(clip / (1 - clip)) + 1e-4 if clip else 0.0, 0.5])
    y[0] = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    gamma = torch.tensor(gamma_neg, dtype=torch.float64, requires_grad=True)
    for exponent in (gamma_neg, gamma):
        call = lambda t: asymmetric_loss(t, y, gamma_pos, exponent, clip)  # noqa: E731
        zz = z.clone().requires_grad_(True)
        inputs = (zz, gamma) if exponent is gamma else (zz,)
        eager = torch.autograd.grad(call(zz), inputs)
        compiled = torch.compile(call, fullgraph=True, backend="aot_eager")
        torch.testing.assert_close(compiled(zz), call(zz), rtol=1e-8, atol=1e-12)
        for got, want in zip(torch.autograd.grad(compiled(zz), inputs), eager):
            torch.testing.assert_close(got, want, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("call, error, words", [
    (lambda: asymmetric_loss(np.zeros((2, 3)), [[0, 1, 0]] * 2), TypeError, "logits must be a torch.Tensor"),
    (lambda: asymmetric_loss(torch.zeros(2, 3, dtype=torch.int64), [[0, 1, 0]] * 2), TypeError, "logits must have a floating"),
    (lambda: asymmetric_loss(torch.zeros(3), [0, 1, 0]), ValueError, r"logits must have shape \(N, L\)"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), [0, 1]), ValueError, "targets must have the logits' shape"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), torch.zeros(3, 2)), ValueError, "targets must have the logits' shape"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), [[0, 2, 0], [1, 0, 0]]), ValueError, "targets must hold binary labels"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), [["a"] * 3] * 2), TypeError, "targets"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), torch.zeros(2, 3), gamma_pos=-1.0), ValueError,
     "gamma_pos must be finite and >= 0"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), torch.zeros(2, 3), gamma_neg=float("inf")), ValueError, "gamma_neg"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), torch.zeros(2, 3), gamma_neg="4"), TypeError, "gamma_neg"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), torch.zeros(2, 3), clip=1.0), ValueError, r"clip must be in \[0, 1\)"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), torch.zeros(2, 3), clip=-0.1), ValueError,
     "clip must be finite and >= 0"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), torch.zeros(2, 3), clip=torch.tensor(0.05)), TypeError, "clip"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), torch.zeros(2, 3), clip=None), TypeError, "clip"),
    (lambda: asymmetric_loss(torch.zeros(2, 3), torch.zeros(2, 3), reduction="avg"), ValueError, "reduction"),
    (lambda: reference.asymmetric_loss([[0.0, 1.0]], [[0, 1, 0]]), ValueError, "targets"),
    (lambda: reference.asymmetric_loss([[0.0, 1.0]], [[0, 3]]), ValueError, "targets"),
    (lambda: reference.asymmetric_loss([[0.0, 1.0]], [[0, 1]], clip=1.5), ValueError, "clip"),
    (lambda: reference.asymmetric_loss([[0.0, 1.0]], [[0, 1]], gamma_neg=-1.0), ValueError, "gamma_neg"),
])
def test_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_docstring_examples():
    import doctest

    import wloss.losses.asymmetric
    result = doctest.testmod(wloss.losses.asymmetric, extraglobs={"torch": torch})
    assert result.attempted > 0 and result.failed == 0
