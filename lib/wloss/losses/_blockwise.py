"""Losses whose gradient is computed together with the loss, one block of rows at a time.

The autograd graph of a loss written with tensor operations makes one pass over (N, K) per
operation, forward and backward. The losses here instead compute loss_i and d loss_i / d z in the
forward pass, over blocks of rows (about a million elements, which measured fastest: smaller
blocks stay in cache but pay Python's per-operation cost more often), in scratch blocks allocated
once per call (a fresh tensor per operation would be freed and page-faulted in again by every block).

``reduction`` is folded in as a ``scale`` on each row's loss and gradient (1/N for "mean"), so that
``loss.backward()`` sends ones and the gradient is handed over as it is, without another pass.

The kernels serve eager training and evaluation on the CPU, where their speed counts; without a
gradient to compute (``torch.no_grad()``, logits that do not require grad) a kernel is called with
``grad=None`` and computes the loss alone. Each loss also has a readable formula that plain autograd
differentiates; ``blockwise_loss`` runs it instead wherever the kernel cannot be exact or does not pay
(see ``analytic_path_applies``), and ``_PrecomputedGradient`` differentiates it when a backward builds a
graph, so that second derivatives are right. A loss may also give a closed form for the eager training of
a small batch (``small_batch_loss_and_grad``: the formula's loss with its gradient, at once, for RWWCE),
which dispatches fewer operations than autograd of the formula.
"""
from __future__ import annotations

from typing import Callable

import torch

from wloss.losses._inputs import reduce

_BLOCK_ELEMENTS = 1 << 20


# PyTorch's fused softmax beats amax + exp + sum from this many classes on; below, it is several
# times slower (measured on the CPU, torch 2.13: K = 8 6.6 ms vs 1.1 ms, K = 16 0.45 vs 1.0, per 2^20)
_FUSED_SOFTMAX_MIN_CLASSES = 16


def scaled_softmax(z: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """Write S p into ``out`` (p = softmax(z)) and return S (n, 1): 1 where PyTorch's fused softmax is
    the faster way (K >= ``_FUSED_SOFTMAX_MIN_CLASSES``), else S = sum_k exp(z_k - m) with ``out`` = exp(z - m)
    (see ``exp_minus_row_max``)."""
    if z.shape[1] >= _FUSED_SOFTMAX_MIN_CLASSES:
        torch.softmax(z, dim=1, out=out)
        return out.new_ones(z.shape[0], 1)
    return exp_minus_row_max(z, out)[1]


def exp_minus_row_max(z: torch.Tensor, out: torch.Tensor):
    """Write e = exp(z - m) into ``out`` (m the row max, so e = 1 there and every e_k <= 1); return (m, S).

    m and S = sum_k e_k have shape (n, 1); p = e / S and log p = z - m - log S.
    """
    top = z.amax(dim=1, keepdim=True)
    torch.sub(z, top, out=out).exp_()
    return top, row_sum(out)


# Rows shorter than this are summed by BLAS (see ``row_sum``)
_BLAS_ROW_SUM_MAX_CLASSES = 16


def row_sum(x: torch.Tensor) -> torch.Tensor:
    """sum_k x_k of each row, shape (n, 1).

    Short rows are summed as a matrix-vector product, which BLAS does faster than ``sum(1)`` (measured on
    the CPU, torch 2.13, N = 65,536: K = 10 0.15 ms against 0.39 ms; K = 32 0.29 against 0.39, but
    slower than ``sum(1)`` on two threads).
    """
    if x.shape[1] < _BLAS_ROW_SUM_MAX_CLASSES:
        return x @ x.new_ones(x.shape[1], 1)
    return x.sum(1, keepdim=True)


def zero_at(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``x.scatter_(1, index, 0)``: set x[i, index[i]] = 0 in place, and return x.

    The zeros are passed as a tensor: ``scatter_`` with a Python number takes a path about three times
    slower on the CPU (measured, torch 2.13, N = 65,536, K = 10: 0.51 ms against 0.15 ms).
    """
    return x.scatter_(1, index, x.new_zeros(1, 1).expand(index.shape))


# kernel(block, grad_block, scratch) -> scale * loss of the rows in ``block``; writes scale * gradient
# into grad_block, unless it is None (the loss alone is wanted)
Kernel = Callable[[slice, torch.Tensor | None, list], torch.Tensor]


def loss_and_grad(logits: torch.Tensor, kernel: Kernel, scratch_blocks: int, with_grad: bool = True):
    """Run ``kernel`` over row blocks of ``logits``; return the loss (N,) and the gradient (N, K), or None
    for the gradient when not ``with_grad``."""
    n, k = logits.shape
    loss = logits.new_empty(n)
    grad = torch.empty_like(logits) if with_grad else None
    rows = max(1, min(n, _BLOCK_ELEMENTS // k))
    scratch = [logits.new_empty(rows, k) for _ in range(scratch_blocks)]  # reused by every block
    for start in range(0, n, rows):
        block = slice(start, min(n, start + rows))
        loss[block] = kernel(block, None if grad is None else grad[block], [s[:block.stop - start] for s in scratch])
    return loss, grad


# Below this many logits a call costs mostly its per-operation overhead, and the formula under autograd
# makes fewer operations than a kernel (measured at N = 100, K = 10, one thread, on a busy machine:
# RWWCE 9.1x F.cross_entropy by the formula against 12.3x by the kernel, RPS 3.1x against 5.6x)
_KERNEL_MIN_ELEMENTS = 1 << 12


def analytic_path_applies(logits: torch.Tensor, weights=()) -> bool:
    """Whether the row-block kernel should run: eager training or evaluation of a batch of at least
    ``_KERNEL_MIN_ELEMENTS`` logits, on concrete tensors on the CPU.

    Otherwise the loss's readable formula runs under plain autograd: when a weight requires grad (the
    kernel differentiates in the logits only), under ``torch.func`` transforms, inside ``torch.compile``,
    on small (or empty) batches, and on devices other than the CPU: the kernels' row blocks are sized for
    a CPU's caches, and each block reads back whether any row needs the exact path, which on an
    accelerator would wait for the device.
    """
    return (logits.shape[0] > 0 and logits.numel() >= _KERNEL_MIN_ELEMENTS
            and logits.device.type == "cpu"
            and not any(isinstance(w, torch.Tensor) and w.requires_grad for w in weights)
            and not torch.compiler.is_compiling()
            and not torch._C._functorch.is_functorch_wrapped_tensor(logits))


def _small_batch_training(logits: torch.Tensor, weights=()) -> bool:
    """Whether a batch below ``_KERNEL_MIN_ELEMENTS`` is trained eagerly on the CPU in its logits only: where
    ``analytic_path_applies`` but for the size, with a gradient wanted."""
    return (logits.shape[0] > 0 and logits.device.type == "cpu" and torch.is_grad_enabled() and logits.requires_grad
            and not any(isinstance(w, torch.Tensor) and w.requires_grad for w in weights)
            and not torch.compiler.is_compiling()
            and not torch._C._functorch.is_functorch_wrapped_tensor(logits))


class _PrecomputedGradient(torch.autograd.Function):
    """Autograd node of a loss whose gradient ``compute()`` returns with it: (loss (N,), grad (N, K)).

    A backward that builds a graph (``create_graph=True``: double backward, gradient penalties,
    ``gradgradcheck``) differentiates ``formula`` instead, the same loss written with tensor
    operations, so every higher derivative is exact; a plain backward hands over the precomputed gradient.
    """

    @staticmethod
    def forward(ctx, logits, compute, formula):
        loss, ctx.grad = compute()
        ctx.compute, ctx.formula = compute, formula
        ctx.save_for_backward(logits)
        return loss

    @staticmethod
    def backward(ctx, grad_loss):
        if torch.is_grad_enabled():  # create_graph=True
            (logits,) = ctx.saved_tensors
            (grad,) = torch.autograd.grad(ctx.formula(logits), logits, grad_loss, create_graph=True)
            return grad, None, None
        grad = ctx.grad
        if grad is None:  # a second backward through a retained graph: the first one took the gradient
            grad = ctx.compute()[1]
        if grad_loss.device.type == "cpu" and grad_loss.stride(0) == 0 and grad_loss[0].item() == 1.0:
            ctx.grad = None  # ones, from .sum(): the gradient as it is
            return grad, None, None
        return grad * grad_loss[:, None], None, None


def blockwise_loss(logits: torch.Tensor, make_kernel: Callable[[float], Kernel], scratch_blocks: int,
                   reduction: str, formula: Callable[[torch.Tensor], torch.Tensor], weights=(),
                   small_batch_loss_and_grad: Callable[[torch.Tensor], tuple] | None = None) -> torch.Tensor:
    """Apply ``reduction`` to the per-example loss: the kernel ``make_kernel(scale)`` computes it block by block
    with its gradient where ``analytic_path_applies``; ``formula(logits)`` (N,) gives it everywhere else, but for
    the eager training of a small batch where ``small_batch_loss_and_grad(logits)`` is given: it returns the loss
    (N,), the formula's to the last bit, with its gradient (N, K) at once, in fewer tensor operations than autograd
    of the formula (which still gives every higher derivative)."""
    if not analytic_path_applies(logits, weights):
        if small_batch_loss_and_grad is None or not _small_batch_training(logits, weights):
            return reduce(formula(logits), reduction)
        return reduce(_PrecomputedGradient.apply(logits, lambda: small_batch_loss_and_grad(logits.detach()), formula),
                      reduction)
    scale = {"none": 1.0, "sum": 1.0, "mean": 1.0 / logits.shape[0]}[reduction]
    kernel = make_kernel(scale)
    if not (torch.is_grad_enabled() and logits.requires_grad):  # evaluation: the loss alone
        loss = loss_and_grad(logits.detach(), kernel, scratch_blocks, with_grad=False)[0]
    else:
        loss = _PrecomputedGradient.apply(logits, lambda: loss_and_grad(logits.detach(), kernel, scratch_blocks),
                                          lambda z: formula(z) * scale)
    return loss if reduction == "none" else loss.sum()  # the scale already divided a mean by N
