"""wloss.losses equals wloss.reference, PyTorch's own losses with unit weights, and passes gradcheck."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss import losses, reference
from wloss.losses import _blockwise, multiclass

N, K = 7, 5

@pytest.fixture(autouse=True)
def kernels_at_every_size(monkeypatch):
    """Run the analytic row-block kernels on these small test batches too (by default, batches under
    _KERNEL_MIN_ELEMENTS logits take the formula, which the tests of the formula paths cover)."""
    monkeypatch.setattr(_blockwise, "_KERNEL_MIN_ELEMENTS", 0)


@pytest.fixture
def data():
    gen = np.random.default_rng(0)
    return {
        "logits2": gen.normal(scale=3.0, size=(N, K)), "labels": gen.integers(0, K, N),
        "logits1": gen.normal(scale=3.0, size=N), "bits": gen.integers(0, 2, N).astype(float),
        "fn": gen.uniform(0.1, 3, K), "fp": gen.uniform(0, 5, (K, K)), "cost": gen.uniform(0, 5, (K, K)),
        "fn_n": gen.uniform(0.1, 3, N), "fp_nk": gen.uniform(0, 5, (N, K)), "sample": gen.uniform(0, 2, N),
        "class_w": gen.uniform(0.1, 3, K), "prior": gen.dirichlet(np.ones(K)), "values": np.sort(gen.normal(size=K)),
    }


def multiclass_cases(d):
    """(name, torch call, reference call) with the same arguments; reference gets softmax probabilities."""
    return [
        ("weighted_cross_entropy", lambda f: f(d["logits2"], d["labels"], class_weight=d["class_w"], sample_weight=d["sample"])),
        ("rwwce", lambda f: f(d["logits2"], d["labels"], d["fn"], d["fp"])),
        ("rwwce_per_example", lambda f: f(d["logits2"], d["labels"], d["fn_n"], d["fp_nk"])),
        ("expected_cost_loss", lambda f: f(d["logits2"], d["labels"], d["cost"])),
        ("focal_loss", lambda f: f(d["logits2"], d["labels"], gamma=1.5, alpha=d["class_w"])),
        ("rps_loss", lambda f: f(d["logits2"], d["labels"])),
        ("expected_label_l1_loss", lambda f: f(d["logits2"], d["labels"], label_values=d["values"])),
        ("distance_penalized_cross_entropy", lambda f: f(d["logits2"], d["labels"], alpha=0.7)),
    ]


def binary_cases(d):
    return [
        ("weighted_bce_with_logits", lambda f: f(d["logits1"], d["bits"], pos_weight=3.0, neg_weight=0.5, sample_weight=d["sample"])),
        ("rwwce_binary", lambda f: f(d["logits1"], d["bits"], 20.0, 1.0)),
        ("focal_loss", lambda f: f(d["logits1"], d["bits"], gamma=2.0, alpha=0.25)),
    ]


def _torch_version(fn):
    """Wrap a wloss.losses function so the case's numpy logits go in as a float64 tensor."""
    def call(logits, *args, **kwargs):
        return fn(torch.tensor(logits), torch.as_tensor(args[0]), *args[1:], reduction="none", **kwargs).numpy()
    return call


def _reference_version(fn, to_probs):
    def call(logits, *args, **kwargs):
        return fn(to_probs(logits), *args, reduction="none", **kwargs)
    return call


@pytest.mark.parametrize("index", range(8))
def test_multiclass_torch_equals_reference(data, index):
    name, case = multiclass_cases(data)[index]
    got = case(_torch_version(getattr(losses, name)))
    expected = case(_reference_version(getattr(reference, name), reference.softmax))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=0)


@pytest.mark.parametrize("index", range(3))
def test_binary_torch_equals_reference(data, index):
    name, case = binary_cases(data)[index]
    got = case(_torch_version(getattr(losses, name)))
    expected = case(_reference_version(getattr(reference, name), reference.sigmoid))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=0)


def test_logit_adjusted_torch_equals_reference(data):
    got = losses.logit_adjusted_cross_entropy(torch.tensor(data["logits2"]), torch.as_tensor(data["labels"]),
                                              data["prior"], tau=1.3, reduction="none").numpy()
    expected = reference.logit_adjusted_cross_entropy(data["logits2"], data["labels"], data["prior"], tau=1.3,
                                                      reduction="none")
    np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_reductions_divide_by_n_not_by_weights(data, reduction):
    z, y = torch.tensor(data["logits2"]), torch.as_tensor(data["labels"])
    per_example = losses.weighted_cross_entropy(z, y, class_weight=data["class_w"], reduction="none")
    total = losses.weighted_cross_entropy(z, y, class_weight=data["class_w"], reduction=reduction)
    expected = per_example.sum() / (N if reduction == "mean" else 1)
    torch.testing.assert_close(total, expected)
    torch_sum = F.cross_entropy(z, y, weight=torch.tensor(data["class_w"]), reduction="sum")
    torch.testing.assert_close(per_example.sum(), torch_sum)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_unit_weights_equal_pytorch(data, dtype):
    z2, y = torch.tensor(data["logits2"], dtype=dtype), torch.as_tensor(data["labels"])
    z1, bits = torch.tensor(data["logits1"], dtype=dtype), torch.tensor(data["bits"], dtype=dtype)
    ce = F.cross_entropy(z2, y)
    bce = F.binary_cross_entropy_with_logits(z1, bits)
    torch.testing.assert_close(losses.weighted_cross_entropy(z2, y), ce)
    torch.testing.assert_close(losses.weighted_cross_entropy(z2, y, class_weight=np.ones(K), sample_weight=np.ones(N)), ce)
    torch.testing.assert_close(losses.rwwce(z2, y, np.ones(K), np.zeros((K, K))), ce)
    torch.testing.assert_close(losses.focal_loss(z2, y, gamma=0.0), ce)
    torch.testing.assert_close(losses.logit_adjusted_cross_entropy(z2, y, np.full(K, 1 / K)), ce)
    torch.testing.assert_close(losses.weighted_bce_with_logits(z1, bits), bce)
    torch.testing.assert_close(losses.rwwce_binary(z1, bits, 1.0, 1.0), bce)
    torch.testing.assert_close(losses.weighted_bce_with_logits(z1, bits, pos_weight=4.0),
                               F.binary_cross_entropy_with_logits(z1, bits, pos_weight=torch.tensor(4.0, dtype=dtype)))


def _gradcheck(name, case, logits_key, data):
    def wrapped(logits, *args, **kwargs):
        return getattr(losses, name)(logits, torch.as_tensor(args[0]), *args[1:], reduction="none", **kwargs)
    logits = torch.tensor(data[logits_key], requires_grad=True)
    assert torch.autograd.gradcheck(lambda z: case(lambda _, *a, **k: wrapped(z, *a, **k)), (logits,))


@pytest.mark.parametrize("index", range(8))
def test_multiclass_gradcheck(data, index):
    name, case = multiclass_cases(data)[index]
    _gradcheck(name, case, "logits2", data)


@pytest.mark.parametrize("index", range(3))
def test_binary_gradcheck(data, index):
    name, case = binary_cases(data)[index]
    _gradcheck(name, case, "logits1", data)


def test_logit_adjusted_gradcheck(data):
    y = torch.as_tensor(data["labels"])
    z = torch.tensor(data["logits2"], requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda t: losses.logit_adjusted_cross_entropy(t, y, data["prior"], tau=0.5, reduction="none"), (z,))


def test_rwwce_gradient_through_mean_reduction(data):
    """The analytic backward scales by the incoming gradient: check through 'mean' too."""
    y = torch.as_tensor(data["labels"])
    z = torch.tensor(data["logits2"], requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: losses.rwwce(t, y, data["fn"], data["fp"]) * 3.0, (z,))


def test_rwwce_over_several_row_blocks_matches_autograd_of_the_formula(monkeypatch):
    """Small row blocks, one row of them dominated by its top class (the exact path), against autograd of eq. 6."""
    monkeypatch.setattr(_blockwise, "_BLOCK_ELEMENTS", 1 << 10)  # 341 rows per block: six blocks
    gen = np.random.default_rng(5)
    n, k = 2000, 3
    logits = gen.normal(scale=2.0, size=(n, k))
    logits[1500] = [60.0, 0.0, -3.0]  # R = e^-60 + e^-63: below the fast path's threshold
    z = torch.tensor(logits, requires_grad=True)
    y = torch.as_tensor(gen.integers(0, k, n))
    fn, fp = gen.uniform(0.5, 2, k), gen.uniform(0, 5, (k, k))
    np.fill_diagonal(fp, 0.0)
    # log(1 - p_c) = logsumexp_{j != c} z_j - logsumexp_j z_j: stable where log1p(-p) is not (row 1500)
    lse = torch.logsumexp(z, 1, keepdim=True)
    log_not = torch.stack([torch.logsumexp(z[:, [j for j in range(k) if j != c]], 1) for c in range(k)], 1) - lse
    log_p = z - lse
    direct = -(torch.tensor(fn)[y] * log_p.gather(1, y[:, None])[:, 0] + (torch.tensor(fp)[y] * log_not).sum(1))
    (direct_grad,) = torch.autograd.grad(direct.sum(), z)
    loss = losses.rwwce(z, y, fn, fp, reduction="none")
    (grad,) = torch.autograd.grad(loss.sum(), z)
    torch.testing.assert_close(loss, direct.detach())
    torch.testing.assert_close(grad, direct_grad)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_rwwce_small_batch_closed_form_equals_autograd_of_the_formula(monkeypatch, reduction):
    """Below _KERNEL_MIN_ELEMENTS an eager training call takes loss and gradient in closed form: the loss is the
    formula's to the last bit, the gradient autograd's of the formula, rows dominated by a class at 1e4 included;
    a backward that builds a graph still differentiates the formula (double backward)."""
    monkeypatch.setattr(_blockwise, "_KERNEL_MIN_ELEMENTS", 1 << 12)
    gen = np.random.default_rng(6)
    logits = gen.normal(scale=3.0, size=(N, K))
    logits[0] = [1e4, 0.0, -1e4, 3.0, 1e4 - 60.0]
    y = torch.as_tensor(gen.integers(0, K, N))
    fn, fp = gen.uniform(0.5, 2, K), gen.uniform(0, 5, (K, K))
    fn_n, fp_nk = gen.uniform(0.5, 2, N), gen.uniform(0, 5, (N, K))
    calls = {"rwwce": lambda t: losses.rwwce(t, y, fn, fp, reduction=reduction),
             "rwwce_per_example": lambda t: losses.rwwce_per_example(t, y, fn_n, fp_nk, reduction=reduction)}
    closed_forms = []
    exact = multiclass._rwwce_exact_loss_and_grad
    monkeypatch.setattr(multiclass, "_rwwce_exact_loss_and_grad",
                        lambda *args: closed_forms.append(1) or exact(*args))
    for name, call in calls.items():
        results = []
        for closed_form in (True, False):
            with monkeypatch.context() as patched:
                if not closed_form:
                    patched.setattr(_blockwise, "_small_batch_training", lambda *args: False)
                z = torch.tensor(logits, requires_grad=True)
                calls_before = len(closed_forms)
                loss = call(z)
                assert (len(closed_forms) > calls_before) == closed_form, name
                (grad,) = torch.autograd.grad(loss.sum(), z)  # a plain backward: the closed form where it applies
                (grad_in_graph,) = torch.autograd.grad(call(z).sum(), z, create_graph=True)
                (second,) = torch.autograd.grad((grad_in_graph * grad_in_graph).sum(), z)
                results.append((loss.detach(), grad, second))
        (loss, grad, second), (formula_loss, formula_grad, formula_second) = results
        assert torch.equal(loss, formula_loss), name
        torch.testing.assert_close(grad, formula_grad, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(second, formula_second, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["rwwce_per_example", "focal_loss", "rps_loss", "distance_penalized_cross_entropy"])
def test_row_blocks_give_the_same_loss_and_gradient_as_one_block(monkeypatch, name):
    gen = np.random.default_rng(6)
    n, k = 1000, 7
    z = torch.tensor(gen.normal(scale=3.0, size=(n, k)), requires_grad=True)
    y = torch.as_tensor(gen.integers(0, k, n))
    call = {"rwwce_per_example": lambda t: losses.rwwce_per_example(t, y, gen_fn, gen_fp),
            "focal_loss": lambda t: losses.focal_loss(t, y, gamma=2.0),
            "rps_loss": lambda t: losses.rps_loss(t, y),
            "distance_penalized_cross_entropy": lambda t: losses.distance_penalized_cross_entropy(t, y, alpha=0.5)}[name]
    gen_fn, gen_fp = gen.uniform(0.5, 2, n), gen.uniform(0, 5, (n, k))
    one_block = call(z)
    (one_grad,) = torch.autograd.grad(one_block, z)
    monkeypatch.setattr(_blockwise, "_BLOCK_ELEMENTS", 1 << 9)  # 73 rows per block
    blocks = call(z)
    (blocks_grad,) = torch.autograd.grad(blocks, z)
    torch.testing.assert_close(blocks, one_block)
    torch.testing.assert_close(blocks_grad, one_grad)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_rwwce_backward_twice_through_a_retained_graph(data, reduction):
    """The analytic gradient is handed over to the first backward; a second one recomputes it."""
    y = torch.as_tensor(data["labels"])
    z = torch.tensor(data["logits2"], requires_grad=True)
    loss = losses.rwwce(z, y, data["fn"], data["fp"], reduction=reduction).sum()
    (first,) = torch.autograd.grad(loss, z, retain_graph=True)
    (second,) = torch.autograd.grad(loss, z)
    direct = reference.rwwce(reference.softmax(data["logits2"]), data["labels"], data["fn"], data["fp"],
                             reduction="sum")
    torch.testing.assert_close(first, second)
    np.testing.assert_allclose(loss.item(), direct / (N if reduction == "mean" else 1.0), rtol=1e-12)


def _many_class_case(name, k):
    """(torch call, reference call) of a loss that takes PyTorch's fused softmax from K = 16 on."""
    gen = np.random.default_rng(k)
    n = 9
    labels = gen.integers(0, k, n)
    fn, fp = gen.uniform(0.5, 2, k), gen.uniform(0, 5, (k, k))
    fn_n, fp_nk = gen.uniform(0.5, 2, n), gen.uniform(0, 5, (n, k))
    args = {"rwwce": (fn, fp), "rwwce_per_example": (fn_n, fp_nk), "rps_loss": ()}[name]
    return (lambda t: getattr(losses, name)(t, torch.as_tensor(labels), *args, reduction="none"),
            lambda z: getattr(reference, name)(reference.softmax(z), labels, *args, reduction="none"))


@pytest.mark.parametrize("k", [5, 20])  # below and above the K where these switch to PyTorch's fused softmax
@pytest.mark.parametrize("name", ["rwwce", "rwwce_per_example", "rps_loss"])
def test_softmax_paths_equal_reference_and_pass_gradcheck(name, k):
    call, expected = _many_class_case(name, k)
    logits = np.random.default_rng(k + 1).normal(scale=3.0, size=(9, k))
    z = torch.tensor(logits, requires_grad=True)
    np.testing.assert_allclose(call(z).detach().numpy(), expected(logits), rtol=1e-9)
    assert torch.autograd.gradcheck(call, (z,))
