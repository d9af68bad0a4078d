"""The benchmark's reference computations are what they say they are."""
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_losses  # noqa: E402

from wloss.losses import rwwce  # noqa: E402


def test_unstable_rwwce_eval_is_rwwce_on_moderate_logits():
    gen = torch.Generator().manual_seed(0)
    logits, targets = torch.randn(3000, 7, generator=gen) * 2, torch.randint(0, 7, (3000,), generator=gen)
    fn, fp = torch.rand(7, generator=gen) + 0.5, (torch.rand(7, 7, generator=gen) * 5).fill_diagonal_(0.0)
    torch.testing.assert_close(bench_losses.unstable_rwwce_eval(logits, targets, fn, fp),
                               rwwce(logits, targets, fn, fp), rtol=1e-5, atol=0)


def test_unstable_rwwce_eval_covers_every_row_block():
    # 300,000 rows of K = 7 make three row blocks of the kernels' size; a wrong slice would leave rows unset
    gen = torch.Generator().manual_seed(1)
    logits, targets = torch.randn(300_000, 7, generator=gen), torch.randint(0, 7, (300_000,), generator=gen)
    fn, fp = torch.ones(7), torch.ones(7, 7).fill_diagonal_(0.0)
    torch.testing.assert_close(bench_losses.unstable_rwwce_eval(logits, targets, fn, fp),
                               rwwce(logits, targets, fn, fp), rtol=1e-5, atol=0)


def test_operation_counter_counts_forward_and_backward():
    logits, targets = torch.randn(4, 3, requires_grad=True), torch.tensor([0, 1, 2, 0])
    call = lambda z: F.cross_entropy(z, targets)  # noqa: E731
    forward, both = bench_losses.operations(call, logits, False), bench_losses.operations(call, logits, True)
    assert forward >= 1 and both > forward
    assert bench_losses.operations(lambda z: (z * 2.0).sum(), logits, False) == 2


def test_compiled_table_covers_every_loss():
    from wloss import losses

    calls, make_targets = bench_losses.compiled_loss_calls(4)
    # expected_cost_per_example is left out: its (N, K, K) costs would take 2.6 GB at K = 100
    every_loss = {name for name in losses.__all__ if name.endswith("_loss") or name.endswith("_entropy")
                  or name.startswith("rwwce") or name == "weighted_bce_with_logits"}
    assert every_loss <= set(calls) and "multilabel_rwwce" in calls and "F.cross_entropy" in calls
    logits, labels = bench_losses.make_logits(8, 4, "random")
    for name, call in calls.items():  # eager: each call takes its own targets and gives a scalar
        out = call(logits, make_targets[name](labels))
        assert out.dim() == 0 and torch.isfinite(out), name


def test_training_step_updates_the_model_and_the_arguments_parse():
    calls, make_targets = bench_losses.compiled_loss_calls(10)
    step = bench_losses.make_step(calls["rwwce"], make_targets["rwwce"], 16, compiled=False)
    first, second = step(), step()
    assert second < first  # the step trains
    assert bench_losses.step_seconds(step, 2) > 0
    step.restart()  # every timed sample starts from the initial weights and a fresh Adam state
    assert torch.equal(step(), first) and torch.equal(step(), second)
    arguments = bench_losses.parse_arguments(["--only", "compiled", "--losses", "rwwce,rps_loss"])
    assert arguments.only == "compiled" and arguments.losses == ["rwwce", "rps_loss"]
