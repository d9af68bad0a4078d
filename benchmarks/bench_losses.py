"""Time and memory of each multiclass loss, relative to F.cross_entropy measured side by side.

For each case (N examples, K classes, random or confident logits) and each number of threads (1, 2),
every loss and F.cross_entropy are timed in one process with their repeats interleaved
(cross-entropy, loss, cross-entropy, loss, ...), and the ratio of the medians is reported, for
training (forward + backward) and for evaluation (forward under ``torch.no_grad()``). Interleaving
makes the ratios meaningful on a busy machine, where absolute times are not. At N = 100 each timed
sample is a loop of calls, so that the timer's resolution does not count.

"Confident" logits put the true class 60 above the others (the regime of a trained model, where
RWWCE's fast path must hold). Memory is measured with torch.profiler (profile_memory=True): the
peak of the running sum of the allocations and frees during one forward + backward, i.e. the most
tensor memory alive at once beyond the inputs, relative to F.cross_entropy's.

PyTorch's CPU allocator keeps no cache: each (N, K) tensor comes from glibc's malloc, which hands
large freed blocks back to the system, so the next allocation page-faults them in again. Left so,
the timings mostly measure page faults whose number depends on what ran before. The benchmark asks
glibc, where it is the C library, to keep freed memory (``mallopt``), for every loss and for
F.cross_entropy alike.

The speed goals of ``wloss`` 1.0 are printed under each table and marked in it (a ratio above its
goal is flagged with "!"). The last section measures what eager PyTorch allows at best on this
machine, for the goals the tables flag: the cost of one tensor operation at N = 100 and the number of
operations each loss dispatches (counted below autograd, so the backward's are included), a weighted
cross-entropy with no checks at all, and RWWCE's fewest passes with no stability at all.

Two more sections: every loss compiled whole (``torch.compile(fullgraph=True)``), timed against compiled
F.cross_entropy (goal <= 1.5x); and a training step of a 784-256-10 MLP with Adam, eager and compiled, at
batch 100 and 4,096 (goals <= 1.3x and <= 1.10x the step with F.cross_entropy). These two are timed in the
thread's CPU time, which leaves out the time other processes hold the core on a shared machine.
``expected_cost_per_example`` is left out of them: its (N, K, K) costs take 2.6 GB at K = 100.
``--only eager|floors|compiled|training`` runs one section, ``--losses a,b`` restricts the last two. Prints Markdown.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch._dynamo
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile
from torch.utils._python_dispatch import TorchDispatchMode

from wloss import losses

CASES = [(65_536, 10, "random"), (65_536, 10, "confident"), (65_536, 100, "random"),
         (65_536, 100, "confident"), (100, 10, "random")]
THREADS = (1, 2)
REPEATS = 9
SMALL_BATCH_LOOP = 50  # calls per timed sample at N = 100
TRAIN_GOALS = {"rwwce": 2.5, "rwwce_per_example": 2.5, "rps_loss": 2.5, "focal_loss": 1.5,
               "weighted_cross_entropy": 1.5}
SMALL_BATCH_GOAL, EVAL_GOAL, MEMORY_GOAL = 3.0, 1.5, 2.0


def keep_freed_memory() -> bool:
    """Ask glibc not to return freed blocks to the system (M_TRIM_THRESHOLD, M_MMAP_THRESHOLD)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        m_trim_threshold, m_mmap_threshold = -1, -3
        return bool(libc.mallopt(m_trim_threshold, 2**31 - 1) and libc.mallopt(m_mmap_threshold, 2**30))
    except (OSError, AttributeError):  # not glibc: leave the allocator as it is
        return False


def loss_calls(k: int, targets: torch.Tensor):
    """name -> function of the logits returning a scalar loss; weights are tensors made once outside the timing,
    as a training loop would hold them."""
    gen = np.random.default_rng(0)
    fn, fp = (torch.tensor(w, dtype=torch.float32) for w in (gen.uniform(0.5, 2, k), gen.uniform(0, 20, (k, k))))
    fn_n, fp_nk = fn[targets], fp[targets]  # per-example weights, as they would arrive with a batch
    prior = torch.tensor(gen.dirichlet(np.ones(k)), dtype=torch.float32)
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


def make_logits(n: int, k: int, kind: str):
    gen = torch.Generator().manual_seed(k)
    targets = torch.randint(0, k, (n,), generator=gen)
    logits = torch.randn(n, k, generator=gen).mul_(3)
    if kind == "confident":
        logits[torch.arange(n), targets] += 60.0
    return logits.requires_grad_(True), targets


def seconds(loss, logits: torch.Tensor, train: bool, loop: int, clock=time.perf_counter) -> float:
    logits.grad = None
    start = clock()
    for _ in range(loop):
        if train:
            loss(logits).backward()
        else:
            with torch.no_grad():
                loss(logits)
    return (clock() - start) / loop


def ratio(baseline, loss, logits, train: bool, loop: int, clock=time.perf_counter):
    """Median time of ``loss`` / median time of ``baseline``, repeats interleaved; and the baseline's median."""
    for _ in range(2):  # warm-up
        seconds(baseline, logits, train, loop, clock), seconds(loss, logits, train, loop, clock)
    base_times, loss_times = [], []
    for _ in range(REPEATS):
        base_times.append(seconds(baseline, logits, train, loop, clock))
        loss_times.append(seconds(loss, logits, train, loop, clock))
    base = statistics.median(base_times)
    return statistics.median(loss_times) / base, base


@contextlib.contextmanager
def native_stderr_silenced():
    """Silence what the profiler's C++ side prints on file descriptor 2 (a line per start and stop)."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def peak_bytes(loss, logits: torch.Tensor) -> int:
    """Largest net allocation alive during one forward + backward, from the profiler's memory events."""
    logits.grad = None
    with native_stderr_silenced(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        loss(logits).backward()
    sizes = [event.cpu_memory_usage for event in prof.events() if event.cpu_memory_usage != 0]
    return int(np.cumsum([0] + sizes).max())


def flag(value: float, goal: float | None) -> str:
    return f"{value:.2f}x" + (" !" if goal is not None and value > goal else "")


def bench_case(n: int, k: int, kind: str):
    logits, targets = make_logits(n, k, kind)
    calls = loss_calls(k, targets)
    baseline = calls.pop("F.cross_entropy")
    loop = SMALL_BATCH_LOOP if n < 1000 else 1
    rows, base_ms = {name: {} for name in calls}, {}
    for threads in THREADS:
        torch.set_num_threads(threads)
        for name, loss in calls.items():
            for train in (True, False):
                value, base = ratio(baseline, loss, logits, train, loop)
                rows[name][(threads, train)] = value
                base_ms[(threads, train)] = base * 1e3
    torch.set_num_threads(1)
    base_peak = peak_bytes(baseline, logits)
    for name, loss in calls.items():
        rows[name]["memory"] = peak_bytes(loss, logits) / base_peak
    return rows, base_ms, base_peak


def print_case(n, k, kind, rows, base_ms, base_peak):
    print(f"### N = {n}, K = {k}, {kind} logits\n")
    print("F.cross_entropy: " + ", ".join(
        f"{'train' if train else 'eval'} {threads} thread{'s' if threads > 1 else ''} {base_ms[(threads, train)]:.3f} ms"
        for threads in THREADS for train in (True, False)) + f"; peak {base_peak / 2**20:.2f} MiB\n")
    head = [f"{'train' if train else 'eval'} ({threads} thr)" for threads in THREADS for train in (True, False)]
    print("| loss | " + " | ".join(head) + " | peak memory |")
    print("|---|" + "---:|" * (len(head) + 1))
    for name, values in rows.items():
        train_goal = SMALL_BATCH_GOAL if n < 1000 else TRAIN_GOALS.get(name)
        cells = [flag(values[(threads, train)], train_goal if train else EVAL_GOAL)
                 for threads in THREADS for train in (True, False)]
        print(f"| {name} | " + " | ".join(cells) + f" | {flag(values['memory'], MEMORY_GOAL)} |")
    print()


class OperationCounter(TorchDispatchMode):
    """Counts the ATen operations dispatched while active, forward and backward (below autograd)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def operations(loss, logits: torch.Tensor, train: bool) -> int:
    """ATen operations one call of ``loss`` dispatches: forward + backward, or the forward under no_grad."""
    logits.grad = None
    with OperationCounter() as counter, torch.set_grad_enabled(train):
        out = loss(logits)
        if train:
            out.backward()
    return counter.count


def per_operation_seconds(logits: torch.Tensor, train: bool) -> float:
    """Seconds per dispatched operation on ``logits``' shape: chains of 22 and of 2 multiplications
    (with their backward when ``train``) timed side by side, their difference over the difference of
    the operations they dispatch."""
    def chain(length):
        def run(z):
            for _ in range(length):
                z = z * 1.0001
            return z.sum()
        return run

    longer, shorter = ratio(chain(2), chain(22), logits, train, SMALL_BATCH_LOOP)
    extra = operations(chain(22), logits, train) - operations(chain(2), logits, train)
    return (longer - 1) * shorter / extra


def unstable_rwwce_eval(logits: torch.Tensor, targets: torch.Tensor, fn: torch.Tensor,
                        fp: torch.Tensor) -> torch.Tensor:
    """Mean RWWCE in its fewest passes, -fn[y] log p_y - sum_k fp[y, k] log(1 - p_k) with fp's diagonal 0:
    a softmax, log1p(-p), a weighted row sum, in the kernels' row blocks; no checks and no stability
    (log(1 - p) and log p of a confident row lose their digits)."""
    n, k = logits.shape
    rows = max(1, (1 << 20) // k)
    loss = logits.new_empty(n)
    for start in range(0, n, rows):
        block, label = slice(start, min(n, start + rows)), targets[start:start + rows]
        p = torch.softmax(logits[block], 1)
        log_p_true = p.gather(1, label[:, None])[:, 0].log_()
        log_not = p.neg_().log1p_().mul_(fp.index_select(0, label))
        loss[block] = fn.index_select(0, label) * log_p_true + log_not.sum(1)
    return -loss.mean()


def print_floors():
    """What eager PyTorch allows at best here, for the goals at N = 100 and in evaluation (one thread)."""
    torch.set_num_threads(1)
    logits, targets = make_logits(100, 10, "random")
    calls = loss_calls(10, targets)
    cross_entropy = calls["F.cross_entropy"]
    base = {train: ratio(cross_entropy, cross_entropy, logits, train, SMALL_BATCH_LOOP)[1] for train in (True, False)}
    op = {train: per_operation_seconds(logits, train) for train in (True, False)}
    print("### What eager PyTorch allows (one thread)\n")
    print(f"At N = 100, K = 10, F.cross_entropy takes {base[True] * 1e6:.0f} us to train and {base[False] * 1e6:.0f} us "
          f"to evaluate, and each further ATen operation dispatched (an elementwise one, counted below autograd) "
          f"about {op[True] * 1e6:.1f} us in training (backward included) and {op[False] * 1e6:.1f} us in evaluation. "
          f"Within {SMALL_BATCH_GOAL}x a loss may so dispatch about "
          f"{operations(cross_entropy, logits, True) + (SMALL_BATCH_GOAL - 1) * base[True] / op[True]:.0f} operations "
          f"to train and, within {EVAL_GOAL}x, about "
          f"{operations(cross_entropy, logits, False) + (EVAL_GOAL - 1) * base[False] / op[False]:.0f} to evaluate. "
          "What each loss dispatches, its checks included:\n")
    print("| loss | train (forward + backward) | eval (forward) |\n|---|---:|---:|")
    for name, loss in calls.items():
        print(f"| {name} | {operations(loss, logits, True)} | {operations(loss, logits, False)} |")
    weight = torch.rand(10)
    bare = ratio(cross_entropy, lambda z: (F.cross_entropy(z, targets, reduction="none")
                                           * weight.index_select(0, targets)).mean(), logits, False, SMALL_BATCH_LOOP)[0]
    print(f"\nA class-weighted cross-entropy with no checks at all (F.cross_entropy(reduction='none') times w[y], "
          f"then the mean) evaluates in {bare:.2f}x F.cross_entropy's time at N = 100.\n")
    unstable = []
    for k in (10, 100):
        big, big_targets = make_logits(65_536, k, "random")
        fn, fp = torch.rand(k), torch.rand(k, k).fill_diagonal_(0.0)
        unstable.append(ratio(lambda z: F.cross_entropy(z, big_targets),
                              lambda z: unstable_rwwce_eval(z, big_targets, fn, fp), big, False, 1)[0])
    print("RWWCE's fewest passes, with no stability and no checks (softmax, log1p(-p), a weighted row sum, in "
          f"row blocks), evaluate in {unstable[0]:.2f}x (K = 10) and {unstable[1]:.2f}x (K = 100) "
          "F.cross_entropy's time at N = 65,536.\n")


# ---------------------------------------------------------------- torch.compile

COMPILED_CASES = [(65_536, 10), (65_536, 100)]  # each timed on random and on confident logits
COMPILED_KINDS = ("random", "confident")
COMPILED_GOAL = 1.5


def compiled_loss_calls(k: int):
    """name -> function of (logits (N, K), targets) returning a scalar loss, for every loss of ``wloss.losses`` and
    ``wloss.losses.multilabel_rwwce``, to be compiled with the targets as a graph input; and name -> the
    function that makes a loss's targets from the labels (N,), outside the timing, as a data loader would. The
    ordinal heads (CORAL, CORN) take the first K - 1 logits; the multi-label losses take the (N, K) logits as K
    labels with multi-hot targets; the binary losses take the N K logits as N K examples. Weights are tensors made
    once, as a training loop would hold them."""
    from wloss.losses import multilabel_rwwce

    gen = np.random.default_rng(0)
    fn, fp = (torch.tensor(w, dtype=torch.float32) for w in (gen.uniform(0.5, 2, k), gen.uniform(0, 20, (k, k))))
    prior = torch.tensor(gen.dirichlet(np.ones(k)), dtype=torch.float32)
    counts = [float(c) for c in gen.integers(1, 1000, k)]
    fp_l = torch.tensor(gen.uniform(0.5, 2, k), dtype=torch.float32)
    classes = torch.arange(k)
    labels = {
        "multi-hot": lambda y: ((y[:, None] + classes) % 3 == 0).float(),  # one to a few labels per row
        "bits": lambda y: ((y[:, None] + classes) % 2 == 0).float().reshape(-1),  # N K binary targets
        "per-example": lambda y: (y, fn.index_select(0, y), fp.index_select(0, y)),  # weights arrive with a batch
    }
    calls = {
        "F.cross_entropy": lambda z, y: F.cross_entropy(z, y),
        "weighted_cross_entropy": lambda z, y: losses.weighted_cross_entropy(z, y, class_weight=fn),
        "rwwce": lambda z, y: losses.rwwce(z, y, fn, fp),
        "rwwce_per_example": lambda z, t: losses.rwwce_per_example(z, *t),
        "expected_cost_loss": lambda z, y: losses.expected_cost_loss(z, y, fp),
        "focal_loss": lambda z, y: losses.focal_loss(z, y, gamma=2.0),
        "logit_adjusted_cross_entropy": lambda z, y: losses.logit_adjusted_cross_entropy(z, y, prior),
        "rps_loss": lambda z, y: losses.rps_loss(z, y),
        "expected_label_l1_loss": lambda z, y: losses.expected_label_l1_loss(z, y),
        "distance_penalized_cross_entropy": lambda z, y: losses.distance_penalized_cross_entropy(z, y),
        "ldam_loss": lambda z, y: losses.ldam_loss(z, y, counts),
        "coral_loss": lambda z, y: losses.coral_loss(z[:, :-1], y),
        "corn_loss": lambda z, y: losses.corn_loss(z[:, :-1], y),
        "asymmetric_loss": lambda z, t: losses.asymmetric_loss(z, t),
        "multilabel_rwwce": lambda z, t: multilabel_rwwce(z, t, fn, fp_l),
        "weighted_bce_with_logits": lambda z, t: losses.weighted_bce_with_logits(z.reshape(-1), t, pos_weight=3.0),
        "rwwce_binary": lambda z, t: losses.rwwce_binary(z.reshape(-1), t, 20.0, 1.0),
        "sigmoid_focal_loss": lambda z, t: losses.sigmoid_focal_loss(z.reshape(-1), t, gamma=2.0, alpha=0.25),
    }
    kinds = {"rwwce_per_example": "per-example", "asymmetric_loss": "multi-hot", "multilabel_rwwce": "multi-hot",
             "weighted_bce_with_logits": "bits", "rwwce_binary": "bits", "sigmoid_focal_loss": "bits"}
    return calls, {name: labels[kinds[name]] if name in kinds else (lambda y: y) for name in calls}


def compile_fullgraph(call):
    """``call`` compiled whole (fullgraph=True: a graph break raises), for the shapes it is first called with."""
    return torch.compile(call, fullgraph=True, dynamic=False)


def cpu_ratio(baseline, loss, logits, train: bool):
    """``ratio`` timed in the CPU time of this thread (``time.thread_time``) rather than on the wall clock: with
    one thread that is all the work, and on a shared machine it leaves out the time other processes hold the core
    (the compiled tables compare kernels a few milliseconds long, which a busy machine otherwise swamps)."""
    return ratio(baseline, loss, logits, train, 1, clock=time.thread_time)


def bench_compiled(names=None):
    """{(K, kind, train): {name: ratio to compiled F.cross_entropy}}, base times {(K, kind, train): seconds},
    and the losses that failed to compile whole, with the error."""
    torch.set_num_threads(1)
    rows, base_ms, failed = {}, {}, {}
    for n, k in COMPILED_CASES:
        torch._dynamo.reset()
        calls, make_targets = compiled_loss_calls(k)
        baseline = compile_fullgraph(calls.pop("F.cross_entropy"))
        data = {kind: make_logits(n, k, kind) for kind in COMPILED_KINDS}
        for name, call in calls.items():
            if names and name not in names:
                continue
            compiled = compile_fullgraph(call)
            for kind, (logits, labels) in data.items():
                targets = make_targets[name](labels)
                for train in (True, False):
                    try:
                        value, base = cpu_ratio(lambda z: baseline(z, labels), lambda z: compiled(z, targets),
                                                logits, train)
                    except Exception as error:  # noqa: BLE001 - reported in the table
                        failed[name] = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
                        continue
                    rows.setdefault((k, kind, train), {})[name] = value
                    base_ms[(k, kind, train)] = base * 1e3
    return rows, base_ms, failed


def print_compiled(rows, base_ms, failed):
    columns = [(k, kind, train) for _, k in COMPILED_CASES for kind in COMPILED_KINDS for train in (True, False)]
    names = list(dict.fromkeys(name for column in columns for name in rows.get(column, {})))
    print(f"### torch.compile(fullgraph=True), N = {COMPILED_CASES[0][0]}, one thread\n")
    print("Each loss compiled whole, its time over compiled F.cross_entropy's (median of interleaved repeats, in "
          "the thread's CPU time; train = forward + backward). Compiled F.cross_entropy: " + ", ".join(
              f"K = {k} {kind} {'train' if train else 'eval'} {base_ms[(k, kind, train)]:.3f} ms"
              for (k, kind, train) in columns if (k, kind, train) in base_ms) + "\n")
    head = [f"K={k} {kind} {'train' if train else 'eval'}" for k, kind, train in columns]
    print("| loss | " + " | ".join(head) + " |")
    print("|---|" + "---:|" * len(head))
    for name in names:
        cells = [flag(rows[c][name], COMPILED_GOAL) if name in rows.get(c, {}) else "-" for c in columns]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for name, error in failed.items():
        print(f"\n{name} did not compile whole: {error}")
    print(f"\nGoal: every loss compiled <= {COMPILED_GOAL}x compiled F.cross_entropy. '!' marks a ratio above it.\n")


# ---------------------------------------------------------------- a training step

STEP_BATCHES = (100, 4_096)
STEP_LOOPS = {100: 20, 4_096: 2}  # steps per timed sample
STEP_GOALS = {100: 1.3, 4_096: 1.10}


def mlp(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))


def step_seconds(step, loop: int) -> float:
    """CPU time of this thread per step (see ``cpu_ratio``), over ``loop`` steps from the initial weights."""
    step.restart()
    start = time.thread_time()
    for _ in range(loop):
        step()
    return (time.thread_time() - start) / loop


def step_ratio(baseline_step, step, loop: int):
    """Median step time of ``step`` / ``baseline_step``'s, repeats interleaved; and the baseline's median."""
    for _ in range(2):
        step_seconds(baseline_step, loop), step_seconds(step, loop)
    base_times, times = [], []
    for _ in range(REPEATS):
        base_times.append(step_seconds(baseline_step, loop))
        times.append(step_seconds(step, loop))
    base = statistics.median(base_times)
    return statistics.median(times) / base, base


def make_step(loss, make_targets, batch: int, compiled: bool):
    """One Adam step of a 784-256-10 MLP on a fixed batch of ``batch`` examples (K = 10) with ``loss`` (z, y):
    zero the gradients, forward, backward, update. Compiled: the forward (model and loss) is compiled whole
    (fullgraph=True), the optimizer's update is left eager, the same for every loss.

    ``step.restart()`` puts the weights and Adam's state back to where they started, and each timed sample starts
    there: every loss is timed over the same first steps of training. Left to run, the steps memorise the fixed
    batch, each loss at its own pace, and a model that is certain of every example gets gradients below float32's
    smallest normal number, which the CPU finishes in microcode: the time of a step then measures how far the loss
    has trained the model (measured, batch 100: LDAM with its scale 30, 1.48x F.cross_entropy's step after a few
    hundred steps, 1.18x with such numbers flushed to zero)."""
    gen = torch.Generator().manual_seed(batch)
    x, y = torch.randn(batch, 784, generator=gen), torch.randint(0, 10, (batch,), generator=gen)
    y = make_targets(y)
    model = mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    forward = (lambda x, y: loss(model(x), y))
    if compiled:
        forward = compile_fullgraph(forward)

    initial_weights = {name: value.clone() for name, value in model.state_dict().items()}

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss_value = forward(x, y)
        loss_value.backward()
        optimizer.step()
        return loss_value.detach()

    def restart():
        model.load_state_dict(initial_weights)  # in place: the compiled forward keeps its parameters
        optimizer.state.clear()

    step.restart = restart
    return step


def bench_training_steps(names=None):
    """{(batch, mode): {name: step time / F.cross_entropy's}}, base times {(batch, mode): seconds}, and failures."""
    torch.set_num_threads(1)
    rows, base_ms, failed = {}, {}, {}
    torch._dynamo.reset()
    calls, make_targets = compiled_loss_calls(10)
    baseline = calls.pop("F.cross_entropy")
    for compiled in (False, True):
        mode = "compiled" if compiled else "eager"
        for batch in STEP_BATCHES:
            for name, call in calls.items():
                if names and name not in names:
                    continue
                # the step's code is the same for every loss: compiled afresh for each pair, so that the cache of
                # compiled graphs (and its guards, checked on every call) holds only the two being compared
                torch._dynamo.reset()
                base_step = make_step(baseline, make_targets["F.cross_entropy"], batch, compiled)
                try:
                    value, base = step_ratio(base_step, make_step(call, make_targets[name], batch, compiled),
                                             STEP_LOOPS[batch])
                except Exception as error:  # noqa: BLE001 - reported under the table
                    failed[(name, mode)] = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
                    continue
                rows.setdefault((batch, mode), {})[name] = value
                base_ms[(batch, mode)] = base * 1e3
    return rows, base_ms, failed


def print_training_steps(rows, base_ms, failed):
    columns = [(batch, mode) for mode in ("eager", "compiled") for batch in STEP_BATCHES]
    names = list(dict.fromkeys(name for column in columns for name in rows.get(column, {})))
    print("### A training step: 784-256-10 MLP, Adam, one thread\n")
    print("Each loss's step time (zero_grad, forward, backward, Adam update) over the same step with "
          "F.cross_entropy (median of interleaved repeats, in the thread's CPU time). F.cross_entropy's step: " + ", ".join(
              f"batch {batch} {mode} {base_ms[(batch, mode)]:.3f} ms" for batch, mode in columns
              if (batch, mode) in base_ms) + "\n")
    print("| loss | " + " | ".join(f"batch {batch} {mode}" for batch, mode in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name in names:
        cells = [flag(rows[c][name], STEP_GOALS[c[0]]) if name in rows.get(c, {}) else "-" for c in columns]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for (name, mode), error in failed.items():
        print(f"\n{name} ({mode}) failed: {error}")
    print("\nGoals: " + ", ".join(f"<= {goal}x at batch {batch}" for batch, goal in STEP_GOALS.items())
          + ". '!' marks a ratio above its goal.\n")


def main():
    torch.manual_seed(0)
    kept = keep_freed_memory()
    print(f"CPU, torch {torch.__version__}, float32; times are ratios to F.cross_entropy timed side by side "
          f"(median of {REPEATS} interleaved repeats); train = forward + backward, eval = forward under no_grad; "
          f"freed memory {'kept by malloc' if kept else 'as the C library manages it'}\n")
    print(f"Goals: train at N = 65,536: {', '.join(f'{k} <= {v}x' for k, v in TRAIN_GOALS.items())}; "
          f"train at N = 100: every loss <= {SMALL_BATCH_GOAL}x; eval <= {EVAL_GOAL}x; "
          f"peak memory <= {MEMORY_GOAL}x. '!' marks a ratio above its goal.\n")
    if ONLY in (None, "eager"):
        for n, k, kind in CASES:
            print_case(n, k, kind, *bench_case(n, k, kind))
    if ONLY in (None, "floors"):
        print_floors()
    if ONLY in (None, "compiled"):
        print_compiled(*bench_compiled(NAMES))
    if ONLY in (None, "training"):
        print_training_steps(*bench_training_steps(NAMES))


ONLY, NAMES = None, None


def parse_arguments(argv=None):
    """``--only eager|floors|compiled|training`` runs one section; ``--losses a,b`` restricts the compiled and
    training-step tables to those losses (F.cross_entropy is always the baseline)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("eager", "floors", "compiled", "training"))
    parser.add_argument("--losses", type=lambda text: [name for name in text.split(",") if name])
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_arguments()
    ONLY, NAMES = arguments.only, arguments.losses
    main()
