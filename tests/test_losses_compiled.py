"""Every loss under torch.compile(fullgraph=True) with Inductor (the default backend, which generates the kernels
the benchmark times): values and gradients in float32 equal the float64 reference (the readable formula, eager) to
1e-6, at random logits and at |z| up to 1e4 (ties, rows far apart, a row of ties at 1e4), K = 3, 10 and 100. And the fusable forms of ``wloss.losses._fusable`` run
only inside torch.compile, so that eager arithmetic is the readable formula's, unchanged.

All losses are compiled together, one graph per K (each with its own logits), to keep the compile time down.
"""
import numpy as np
import pytest
import torch

import wloss.losses.corn
import wloss.losses.ldam
from wloss import losses
from wloss.losses import _fusable, multilabel_rwwce

N = 24


def _problem(k: int):
    gen = torch.Generator().manual_seed(k)
    y = torch.randint(0, k, (N,), generator=gen)
    y[:min(k, N)] = torch.arange(min(k, N))  # every class is a label somewhere (the first N at K = 100)
    w = {"class": torch.rand(k, generator=gen) + 0.5, "fn": torch.rand(k, generator=gen) + 0.5,
         "fp": 5 * torch.rand(k, k, generator=gen), "fn_n": torch.rand(N, generator=gen) + 0.5,
         "fp_nk": 5 * torch.rand(N, k, generator=gen), "cost": 5 * torch.rand(k, k, generator=gen),
         "prior": torch.rand(k, generator=gen) + 0.1, "counts": [float(c) for c in range(1, k + 1)],
         "fp_l": torch.rand(k, generator=gen) + 0.5, "class_plus": torch.rand(k + 1, generator=gen) + 0.5}
    multi_hot = ((y[:, None] + torch.arange(k)) % 3 == 0).float()
    bits = ((y[:, None] + torch.arange(k)) % 2 == 0).float().reshape(-1)
    return y, w, multi_hot, bits


def _calls(k: int):
    """name -> per-example loss of the logits (N, K), weights in the logits' dtype."""
    y, w, multi_hot, bits = _problem(k)

    def cast(name, z):
        value = w[name]
        return value.to(z.dtype) if isinstance(value, torch.Tensor) else value

    return {
        "weighted_cross_entropy": lambda z: losses.weighted_cross_entropy(z, y, class_weight=cast("class", z),
                                                                          reduction="none"),
        "rwwce": lambda z: losses.rwwce(z, y, cast("fn", z), cast("fp", z), reduction="none"),
        "rwwce_per_example": lambda z: losses.rwwce_per_example(z, y, cast("fn_n", z), cast("fp_nk", z),
                                                                reduction="none"),
        "expected_cost_loss": lambda z: losses.expected_cost_loss(z, y, cast("cost", z), reduction="none"),
        "focal_loss": lambda z: losses.focal_loss(z, y, gamma=2.0, reduction="none"),
        "focal_loss alpha gamma=0.5": lambda z: losses.focal_loss(z, y, gamma=0.5, alpha=cast("class", z),
                                                                  reduction="none"),
        "logit_adjusted_cross_entropy": lambda z: losses.logit_adjusted_cross_entropy(z, y, cast("prior", z),
                                                                                      reduction="none"),
        "rps_loss": lambda z: losses.rps_loss(z, y, reduction="none"),
        "rps_loss weighted": lambda z: losses.rps_loss(z, y, class_weight=cast("class", z), reduction="none"),
        "expected_label_l1_loss": lambda z: losses.expected_label_l1_loss(z, y, reduction="none"),
        "distance_penalized_cross_entropy": lambda z: losses.distance_penalized_cross_entropy(z, y, reduction="none"),
        "ldam_loss": lambda z: losses.ldam_loss(z, y, w["counts"], reduction="none"),
        "coral_loss": lambda z: losses.coral_loss(z[:, :-1], y, reduction="none"),
        "corn_loss": lambda z: losses.corn_loss(z[:, :-1], y, reduction="none"),
        "asymmetric_loss": lambda z: losses.asymmetric_loss(z, multi_hot.to(z.dtype), reduction="none"),
        "weighted_bce_with_logits": lambda z: losses.weighted_bce_with_logits(z.reshape(-1), bits.to(z.dtype),
                                                                              pos_weight=3.0, reduction="none"),
        "rwwce_binary": lambda z: losses.rwwce_binary(z.reshape(-1), bits.to(z.dtype), 20.0, 1.0, reduction="none"),
        "sigmoid_focal_loss": lambda z: losses.sigmoid_focal_loss(z.reshape(-1), bits.to(z.dtype), gamma=2.0,
                                                                  alpha=0.25, reduction="none"),
    }


NAMES = list(_calls(3))
# LDAM's gradient in float32 at K = 100 misses 1e-6 of its largest entry (the scale, 30) by 8.6e-5, eager and
# compiled alike: the scaled gaps s (z_k - m) reach -300 and exp rounds them with that relative error
SLACK = {"ldam_loss": 3e-6}


def _logits(k: int, kind: str) -> torch.Tensor:
    gen = np.random.default_rng(k)
    if kind == "random":
        return torch.tensor(gen.normal(0, 3, (N, k)))
    z = gen.choice([-1e4, -2.0, 0.0, 3.0, 9999.0, 1e4], size=(N, k))
    z[0], z[1] = 0.0, 1e4  # a row of ties, a row of ties at 1e4
    z[2, :] = -1e4
    z[2, 0] = 1e4  # one class far above the rest
    z[3, :] = gen.normal(0, 1, k)
    z[3, 1] += 100.0  # a gap of 100 in a moderate row
    return torch.tensor(z)


_COMPILED = {}


def _compiled_per_example(k: int):
    """One compiled function of a tuple of logits (one per loss) returning the per-example losses."""
    if k not in _COMPILED:
        calls = _calls(k)

        def all_losses(*zs):
            return tuple(call(z) for call, z in zip(calls.values(), zs))

        _COMPILED[k] = torch.compile(all_losses, fullgraph=True, dynamic=False)
    return _COMPILED[k]


def _value_and_grad(fn_of_all, logits64: torch.Tensor, dtype):
    zs = [logits64.to(dtype).clone().requires_grad_(True) for _ in NAMES]
    outs = fn_of_all(*zs)
    grads = torch.autograd.grad(sum(out.sum() for out in outs), zs)  # each loss reads its own logits only
    return [out.detach().double() for out in outs], [grad.double() for grad in grads]


@pytest.fixture(scope="module", autouse=True)
def fresh_compiler():
    torch._dynamo.reset()  # once: the graphs below are compiled for their own shapes
    yield
    _COMPILED.clear()


@pytest.mark.parametrize("k", [3, 10, 100])
@pytest.mark.parametrize("kind", ["random", "extreme"])
def test_compiled_values_and_gradients_equal_float64(k, kind):
    logits = _logits(k, kind)
    calls = _calls(k)
    eager64 = _value_and_grad(lambda *zs: tuple(call(z) for call, z in zip(calls.values(), zs)), logits, torch.float64)
    compiled32 = _value_and_grad(_compiled_per_example(k), logits, torch.float32)
    failures = []
    for i, name in enumerate(NAMES):
        for what, got, expected in (("loss", compiled32[0][i], eager64[0][i]), ("grad", compiled32[1][i], eager64[1][i])):
            # 1e-6 relative, to each entry or to the largest (ldam_loss's scale of 30 multiplies its gradient, and
            # eager float32 misses a bare atol = 1e-6 there by as much, 1.8e-5)
            atol = SLACK.get(name, 1e-6) * max(1.0, expected.abs().max().item())
            if not (torch.isfinite(got).all() and torch.allclose(got, expected, rtol=1e-6, atol=atol)):
                error = (got - expected).abs().max().item()
                failures.append(f"{name} {what}: max |error| {error:.3g}")
    assert not failures, "\n".join(failures)


def test_multilabel_rwwce_compiles_whole():
    """Its target check asserts inside the graph (no read-back), so fullgraph compiles."""
    torch._dynamo.reset()
    y, w, multi_hot, _ = _problem(3)
    call = torch.compile(lambda z: multilabel_rwwce(z, multi_hot, w["fn"], w["fp_l"], reduction="none"),
                         fullgraph=True, dynamic=False)
    assert torch.isfinite(call(_logits(3, "random").float())).all()


@pytest.mark.parametrize("kind", ["random", "extreme"])
def test_multilabel_rwwce_compiled_equals_float64_where_it_compiles(kind):
    """multilabel_rwwce compiled equals float64."""
    torch._dynamo.reset()
    y, w, multi_hot, _ = _problem(3)
    call = lambda z: multilabel_rwwce(z, multi_hot.to(z.dtype), w["fn"].to(z.dtype), w["fp_l"].to(z.dtype),  # noqa: E731
                                      reduction="none")
    logits = _logits(3, kind)
    z64, z32 = logits.clone().requires_grad_(True), logits.float().requires_grad_(True)
    expected = call(z64)
    got = torch.compile(call, dynamic=False)(z32)
    torch.testing.assert_close(got.double(), expected.detach(), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(torch.autograd.grad(got.sum(), z32)[0].double(),
                               torch.autograd.grad(expected.sum(), z64)[0], rtol=1e-6, atol=1e-6)


def test_eager_losses_never_take_the_fusable_forms(monkeypatch):
    """Eager arithmetic is the readable formula's: the fusable forms run only inside torch.compile."""
    def refuse(*args, **kwargs):
        raise AssertionError("a fusable form ran outside torch.compile")

    for name in ("rwwce", "focal", "rps", "cross_entropy", "distance_cross_entropy", "bce_per_entry",
                 "sigmoid_focal_per_entry", "asymmetric_per_entry", "reduce_row_sums", "softplus",
                 "softmax_expectation", "log_one_plus_at_most_one", "cross_entropy_with_offsets"):
        monkeypatch.setattr(_fusable, name, refuse)
    monkeypatch.setattr(wloss.losses.ldam, "_fused_ldam", refuse)
    monkeypatch.setattr(wloss.losses.corn, "_fused_corn", refuse)
    for k in (3, 10):
        for kind in ("random", "extreme"):
            z = _logits(k, kind).float().requires_grad_(True)
            for call in _calls(k).values():
                call(z).sum().backward()  # the formula path (small batch) and, below, the row-block kernels
    big = torch.randn(5000, 10, requires_grad=True)
    y = torch.randint(0, 10, (5000,))
    losses.rwwce(big, y, torch.ones(10), torch.ones(10, 10)).backward()
    losses.rps_loss(big, y).backward()
    losses.focal_loss(big, y).backward()


@pytest.mark.parametrize("name", ["rwwce", "rwwce_per_example", "focal_loss", "rps_loss"])
def test_compiled_forms_give_nan_for_an_inf_or_nan_logit_as_eager(name):
    """As documented: a NaN or +inf logit gives a NaN loss for its example; a -inf logit does not."""
    z = torch.tensor([[0.0, 1.0, 2.0], [float("inf"), 0.0, 1.0], [float("nan"), 0.0, 1.0], [0.0, float("-inf"), 1.0]])
    y = torch.tensor([0, 1, 2, 0])
    call = {"rwwce": lambda t: losses.rwwce(t, y, torch.ones(3), torch.ones(3, 3), reduction="none"),
            "rwwce_per_example": lambda t: losses.rwwce_per_example(t, y, torch.ones(4), torch.ones(4, 3),
                                                                    reduction="none"),
            "focal_loss": lambda t: losses.focal_loss(t, y, reduction="none"),
            "rps_loss": lambda t: losses.rps_loss(t, y, reduction="none")}[name]
    torch.testing.assert_close(torch.compile(call, fullgraph=True, backend="aot_eager")(z), call(z), equal_nan=True)


def test_fusable_helpers_equal_their_readable_forms_outside_compile():
    """The shared helpers, called eagerly, give what the readable formulas give (their gradients too, at x = 0)."""
    z = torch.tensor([[0.0, 1e4, -1e4, 3.0], [-2.0, 0.5, 0.5, 9999.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1, 2])
    assert torch.equal(_fusable.cross_entropy_per_example(z, y), torch.nn.functional.cross_entropy(z, y, reduction="none"))
    torch.testing.assert_close(_fusable.cross_entropy(z, _fusable.is_class(z, y)),
                               torch.nn.functional.cross_entropy(z, y, reduction="none"), rtol=1e-15, atol=0)
    offsets = torch.log(torch.tensor([0.7, 0.2, 0.09, 0.01], dtype=torch.float64))
    torch.testing.assert_close(_fusable.cross_entropy_with_offsets(z, offsets, _fusable.is_class(z, y)),
                               torch.nn.functional.cross_entropy(z + offsets, y, reduction="none"), rtol=1e-12, atol=1e-15)
    flat = torch.cat([z.reshape(-1), torch.linspace(-70, 70, 2801, dtype=torch.float64)])
    # softplus: log1p by the polynomial of two_atanh (relative error < 4e-9), e^-|x| clamped at e^-64 (< 1.6e-28)
    torch.testing.assert_close(_fusable.softplus(flat), torch.nn.functional.softplus(flat), rtol=5e-9, atol=1.7e-28)
    grad, = torch.autograd.grad(_fusable.softplus(flat).sum(), flat)
    torch.testing.assert_close(grad, torch.sigmoid(flat.detach()), rtol=1e-15, atol=1.7e-28)
    assert grad[0].item() == 0.5  # sigmoid(0), not the 1 of clamp's subgradient


def test_exp_or_zero_makes_no_subnormal_number():
    x = torch.linspace(-120, 0, 240001)
    e = _fusable.exp_or_zero(x)
    assert torch.all((e == 0) | (e >= torch.finfo(torch.float32).tiny * 1e9))
    torch.testing.assert_close(e[x >= _fusable.EXP_FLOOR], torch.exp(x[x >= _fusable.EXP_FLOOR]), rtol=1e-6, atol=0)


# RWWCE's fusable form has no argmax (the dominant class is marked by z == m, ties included) and, where a gradient is
# wanted, a closed-form backward (``_fusable._RWWCE``). Checked compiled against the float64 reference, value and
# gradient (logits and weights), on rows of every kind at once: random, confident (the label 60 above), |z| = 1e4,
# and ties at the max (two, three, all classes; at 0 and at 1e4; with the label among the tied classes or not)

def _rwwce_rows_of_every_kind(k: int) -> tuple:
    gen = np.random.default_rng(100 + k)
    random = gen.normal(0, 3, (8, k))
    y_random = gen.integers(0, k, 8)
    confident = gen.normal(0, 3, (8, k))
    y_confident = gen.integers(0, k, 8)
    confident[np.arange(8), y_confident] += 60.0
    extreme = gen.choice([-1e4, -2.0, 0.0, 3.0, 9999.0, 1e4], size=(8, k))
    extreme[0, :] = -1e4
    extreme[0, 0] = 1e4  # one class far above the rest
    y_extreme = gen.integers(0, k, 8)
    ties = gen.integers(-3, 3, (10, k)).astype(float)
    ties[0, :] = 0.0  # every class tied
    ties[1, :] = 1e4  # every class tied at 1e4
    ties[2, :2] = 5.0  # two tied at the max, the label one of them (below)
    ties[3, :2] = 5.0  # two tied at the max, the label not (below, where K > 2)
    ties[4, :2] = 1e4
    ties[4, 2:] = -1e4  # two tied at 1e4 far above the rest
    ties[5, -min(3, k):] = 7.0  # up to three tied at the max
    ties[6, :] = -1e4
    ties[6, :2] = 0.0  # a tie at 0 far above the rest
    y_ties = gen.integers(0, k, 10)
    y_ties[2], y_ties[3], y_ties[4] = 1, k - 1, 0
    z = np.concatenate([random, confident, extreme, ties])
    y = np.concatenate([y_random, y_confident, y_extreme, y_ties])
    return torch.tensor(z), torch.tensor(y)


def _rwwce_calls(y, fn, fp, fn_n, fp_nk):
    return {"rwwce": lambda z, a, b, c, d: losses.rwwce(z, y, a, b, reduction="none"),
            "rwwce_per_example": lambda z, a, b, c, d: losses.rwwce_per_example(z, y, c, d, reduction="none")}


@pytest.mark.parametrize("k", [2, 10, 100])
@pytest.mark.parametrize("name", ["rwwce", "rwwce_per_example"])
def test_rwwce_compiled_with_closed_form_gradient_equals_float64(k, name):
    """Value and gradient in the logits and the weights, compiled float32 against eager float64; and the value under
    no_grad (the forward alone, without the autograd.Function)."""
    torch._dynamo.reset()
    logits, y = _rwwce_rows_of_every_kind(k)
    n = logits.shape[0]
    gen = torch.Generator().manual_seed(k)
    weights64 = [torch.rand(k, generator=gen, dtype=torch.float64) + 0.5,
                 5 * torch.rand(k, k, generator=gen, dtype=torch.float64),
                 torch.rand(n, generator=gen, dtype=torch.float64) + 0.5,
                 5 * torch.rand(n, k, generator=gen, dtype=torch.float64)]
    call = _rwwce_calls(y, *weights64)[name]

    def value_and_grads(fn, dtype):
        inputs = [t.to(dtype).clone().requires_grad_(True) for t in [logits, *weights64]]
        out = fn(*inputs)
        grads = torch.autograd.grad((out * torch.linspace(0.5, 1.5, n, dtype=dtype)).sum(), inputs, allow_unused=True)
        return [out.detach().double()] + [g.double() if g is not None else torch.zeros_like(t) for g, t in
                                          zip(grads, [logits, *weights64])]

    expected = value_and_grads(call, torch.float64)
    compiled = torch.compile(call, fullgraph=True, dynamic=False)
    got = value_and_grads(compiled, torch.float32)
    with torch.no_grad():
        got_eval = compiled(*[t.float() for t in [logits, *weights64]]).double()
    for what, g, e in zip(["loss", "grad z", "grad fn", "grad fp", "grad fn_n", "grad fp_nk", "eval loss"],
                          got + [got_eval], expected + [expected[0]]):
        atol = 1e-6 * max(1.0, e.abs().max().item())
        assert torch.isfinite(g).all(), what
        torch.testing.assert_close(g, e, rtol=1e-6, atol=atol, msg=lambda m: f"{name} K={k} {what}: {m}")


def test_rwwce_gradient_at_a_tie_is_the_references_formula():
    """At an exact tie the reference (argmax picks the first) and the fusable form (every tied class alike) are the
    same function of z, and their gradients are the analytic one: symmetric in the tied classes where their weights
    are."""
    z = torch.tensor([[2.0, 2.0, -1.0], [2.0, 2.0, 2.0], [1e4, 1e4, -1e4]], dtype=torch.float64)
    y = torch.tensor([2, 0, 2])
    fn, fp = torch.ones(3, dtype=torch.float64), torch.ones(3, 3, dtype=torch.float64)
    call = lambda t: losses.rwwce(t, y, fn.to(t.dtype), fp.to(t.dtype), reduction="none")  # noqa: E731
    z64 = z.clone().requires_grad_(True)
    expected, = torch.autograd.grad(call(z64).sum(), z64)
    z32 = z.float().requires_grad_(True)
    got, = torch.autograd.grad(torch.compile(call, fullgraph=True, dynamic=False)(z32).sum(), z32)
    torch.testing.assert_close(got.double(), expected, rtol=1e-6, atol=1e-6)
    assert got[0, 0] == got[0, 1] and got[2, 0] == got[2, 1]  # rows 0 and 2: label off the tie, equal weights


def test_rwwce_eager_double_backward_keeps_the_readable_formula():
    """torch.compile has no double backward; eager never takes the fusable form, and its second derivative (the
    readable formula's autograd) is right."""
    z = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 1, 2, 3, 1])
    fn, fp = torch.rand(4, dtype=torch.float64) + 0.5, torch.rand(4, 4, dtype=torch.float64)
    assert torch.autograd.gradgradcheck(lambda t: losses.rwwce(t, y, fn, fp), (z,))


def test_rwwce_fused_form_is_refused_outside_compile(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a fusable form ran outside torch.compile")

    monkeypatch.setattr(_fusable, "_rwwce_rows", refuse)
    monkeypatch.setattr(_fusable._RWWCE, "apply", refuse)
    z = torch.randn(6, 4, requires_grad=True)
    y = torch.tensor([0, 1, 2, 3, 1, 0])
    losses.rwwce(z, y, torch.ones(4), torch.ones(4, 4)).backward()
    losses.rwwce_per_example(z, y, torch.ones(6), torch.ones(6, 4)).backward()


def test_two_atanh_polynomial_is_within_its_bound():
    t = torch.cat([torch.linspace(0, 1 / 3, 200001, dtype=torch.float64), torch.logspace(-12, -0.48, 10001,
                                                                                           dtype=torch.float64)])
    exact = torch.log1p(t) - torch.log1p(-t)
    assert ((_fusable.two_atanh(t) - exact).abs() <= 4e-9 * exact).all()
    s = torch.linspace(0, 1, 100001, dtype=torch.float64)
    torch.testing.assert_close(_fusable.log_one_plus_at_most_one(s), torch.log1p(s), rtol=4e-9, atol=0)
    s.requires_grad_(True)
    grad, = torch.autograd.grad(_fusable.log_one_plus_at_most_one(s).sum(), s)
    torch.testing.assert_close(grad, 1.0 / (1.0 + s.detach()), rtol=1e-15, atol=0)  # the closed form, not the series'


def test_log_one_minus_at_most_half_equals_log1p():
    p = torch.cat([torch.linspace(0, 0.5, 100001, dtype=torch.float64), torch.logspace(-40, -0.302, 10001,
                                                                                         dtype=torch.float64)])
    # the polynomial of two_atanh: within 4e-9 of the value, far below float32's rounding
    torch.testing.assert_close(_fusable.log_one_minus_at_most_half(p), torch.log1p(-p), rtol=4e-9, atol=0)
    p32 = p[p > 1e-37].float()  # normal float32 numbers
    torch.testing.assert_close(_fusable.log_one_minus_at_most_half(p32).double(), torch.log1p(-p32.double()),
                               rtol=4e-7, atol=0)


@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.0, 2.5, torch.tensor(2.0, dtype=torch.float64, requires_grad=True)])
def test_sigmoid_focal_compiled_closed_form_equals_eager(gamma, alpha):
    """Inside torch.compile the sigmoid focal loss comes from one exponential per entry with a closed-form backward
    (a whole gamma's factor by multiplication): loss and gradient equal eager's at random logits, at |z| = 1e4 and
    where 1 - p_t falls below FOCAL_FACTOR_FLOOR, to the 4e-9 of the compiled log1p polynomial; a gamma that requires
    grad gets eager's gradient."""
    torch._dynamo.reset()
    gen = torch.Generator().manual_seed(11)
    z = torch.cat([3 * torch.randn(40, generator=gen, dtype=torch.float64),
                   torch.tensor([1e4, -1e4, 30.0, -30.0, 15.0, -15.0, 0.0], dtype=torch.float64)])
    y = (torch.rand(len(z), generator=gen) < 0.4).double()
    y[-7:] = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0], dtype=torch.float64)
    call = lambda t: losses.sigmoid_focal_loss(t, y, gamma=gamma, alpha=alpha)  # noqa: E731
    zz = z.clone().requires_grad_(True)
    inputs = (zz, gamma) if isinstance(gamma, torch.Tensor) else (zz,)
    eager = torch.autograd.grad(call(zz), inputs)
    compiled = torch.compile(call, fullgraph=True, backend="aot_eager")
    torch.testing.assert_close(compiled(zz), call(zz), rtol=1e-8, atol=1e-12)
    for got, want in zip(torch.autograd.grad(compiled(zz), inputs), eager):
        torch.testing.assert_close(got, want, rtol=1e-7, atol=1e-9)
