"""Forward + backward time and memory of each multiclass loss, relative to F.cross_entropy.

Each loss and F.cross_entropy are timed side by side in one process: the repeats interleave
(cross-entropy, loss, cross-entropy, loss, ...), and the ratio of the medians is reported.
Memory is measured with torch.profiler (profile_memory=True): the peak of the running sum of the
CPU allocations and frees that the profiler records during one forward + backward, i.e. the largest
amount of tensor memory alive at once beyond the inputs. Prints a Markdown table.

PyTorch's CPU allocator keeps no cache: each (N, K) tensor comes from glibc's malloc, which hands
large freed blocks back to the system, so the next allocation page-faults them in again. Left so,
the timings mostly measure page faults whose number depends on what ran before (the same loss
varies by 2x between runs). The benchmark therefore asks glibc, where it is the C library, to keep
freed memory (``mallopt``), for every loss and for F.cross_entropy alike.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

from wloss import losses

N = 65_536
REPEATS = 15


def keep_freed_memory() -> bool:
    """Ask glibc not to return freed blocks to the system (M_TRIM_THRESHOLD, M_MMAP_THRESHOLD)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        m_trim_threshold, m_mmap_threshold = -1, -3
        return bool(libc.mallopt(m_trim_threshold, 2**31 - 1) and libc.mallopt(m_mmap_threshold, 2**30))
    except (OSError, AttributeError):  # not glibc: leave the allocator as it is
        return False


def loss_calls(k: int, targets: torch.Tensor):
    """name -> function of the logits returning a scalar loss, with weights chosen once outside the timing."""
    gen = np.random.default_rng(0)
    fn, fp = gen.uniform(0.5, 2, k), gen.uniform(0, 20, (k, k))
    # per-example weights arrive as tensors, as they would from a training loop's batch
    fn_n, fp_nk = (torch.tensor(w[targets.numpy()], dtype=torch.float32) for w in (fn, fp))
    prior = gen.dirichlet(np.ones(k))
    return {
        "F.cross_entropy": lambda z: F.cross_entropy(z, targets),
        "weighted_cross_entropy": lambda z: losses.weighted_cross_entropy(z, targets, class_weight=fn),
        "rwwce": lambda z: losses.rwwce(z, targets, fn, fp),
        "rwwce_per_example": lambda z: losses.rwwce_per_example(z, targets, fn_n, fp_nk),
        "expected_cost_loss": lambda z: losses.expected_cost_loss(z, targets, fp),
        "focal_loss": lambda z: losses.focal_loss(z, targets, gamma=2.0),
        "logit_adjusted_cross_entropy": lambda z: losses.logit_adjusted_cross_entropy(z, targets, prior),
        "rps_loss": lambda z: losses.rps_loss(z, targets),
        "expected_label_l1_loss": lambda z: losses.expected_label_l1_loss(z, targets),
        "distance_penalized_cross_entropy": lambda z: losses.distance_penalized_cross_entropy(z, targets),
    }


def forward_backward_seconds(loss, logits: torch.Tensor) -> float:
    logits.grad = None
    start = time.perf_counter()
    loss(logits).backward()
    return time.perf_counter() - start


def peak_bytes(loss, logits: torch.Tensor) -> int:
    """Largest net allocation alive during one forward + backward, from the profiler's memory events."""
    logits.grad = None
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        loss(logits).backward()
    sizes = [event.cpu_memory_usage for event in prof.events() if event.cpu_memory_usage != 0]
    running = np.cumsum([0] + sizes)
    return int(running.max())


def bench(k: int):
    gen = torch.Generator().manual_seed(k)
    logits = torch.randn(N, k, generator=gen).mul_(3).requires_grad_(True)
    targets = torch.randint(0, k, (N,), generator=gen)
    calls = loss_calls(k, targets)
    baseline = calls.pop("F.cross_entropy")
    base_peak = peak_bytes(baseline, logits)
    rows = []
    for name, loss in calls.items():
        for _ in range(3):  # warm-up
            forward_backward_seconds(baseline, logits), forward_backward_seconds(loss, logits)
        base_times, loss_times = [], []
        for _ in range(REPEATS):
            base_times.append(forward_backward_seconds(baseline, logits))
            loss_times.append(forward_backward_seconds(loss, logits))
        ratio = statistics.median(loss_times) / statistics.median(base_times)
        rows.append((name, statistics.median(loss_times) * 1e3, ratio, peak_bytes(loss, logits) / base_peak))
    return statistics.median(base_times) * 1e3, base_peak, rows


def main():
    torch.manual_seed(0)
    kept = keep_freed_memory()
    print(f"CPU, {torch.get_num_threads()} threads, torch {torch.__version__}, N = {N}, float32; "
          f"median of {REPEATS} interleaved forward+backward repeats; "
          f"freed memory {'kept by malloc' if kept else 'as the C library manages it'}\n")
    for k in (10, 100):
        base_ms, base_peak, rows = bench(k)
        print(f"### K = {k}  (F.cross_entropy: {base_ms:.2f} ms, peak {base_peak / 2**20:.1f} MiB; "
              f"logits are {N * k * 4 / 2**20:.1f} MiB)\n")
        print("| loss | ms | time / CE | peak memory / CE's |")
        print("|---|---:|---:|---:|")
        for name, ms, ratio, mem in rows:
            print(f"| {name} | {ms:.2f} | {ratio:.2f}x | {mem:.1f}x |")
        print()


if __name__ == "__main__":
    main()
