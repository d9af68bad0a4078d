"""Train many small MLPs at once: stacked weights, one shared image matrix, index tensors per group.

The models are arranged in G *groups* of R models. The R models of a group see exactly the same
mini-batches (e.g. the control and the RWWCE model of one data set: a paired design); each group
has its own training rows (an index list into one shared ``X``) and its own shuffling.

Layer l holds a weight tensor of shape (G, R, fan_in, fan_out) and a bias of shape (G, R, fan_out);
a forward pass is one ``einsum`` per layer, so G * R models cost one batched matrix product.
The loss is the SUM over models of each model's MEAN loss over its batch: model m's parameters
only enter its own term, so its gradient is exactly the gradient it would get alone, and Adam,
being elementwise, then updates each model exactly as M separate Adam optimisers would.

Steps per epoch: every group takes ``floor(min_g n_g / batch_size)`` full batches of a fresh
random permutation of its rows each epoch (the few rows past the last full batch of the
*smallest* group are skipped in that epoch, different ones every epoch), so that all groups
advance in lock-step. The paper's Keras loop also ran the last partial batch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch

from wloss.progress import progress


@dataclass
class StackedMLP:
    """G x R fully connected ReLU networks stored as stacked tensors.

    Attributes
    ----------
    weights : list of Tensor, layer l of shape (G, R, fan_in_l, fan_out_l)
    biases : list of Tensor, layer l of shape (G, R, fan_out_l)
    """

    weights: list
    biases: list

    @property
    def shape(self) -> tuple:
        """(G, R): number of groups and of models per group."""
        return tuple(self.weights[0].shape[:2])

    def parameters(self) -> list:
        """All weight and bias tensors, for an optimiser."""
        return [*self.weights, *self.biases]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of every model on its group's inputs.

        h_0 = x[g], h_{l+1} = relu(h_l W_l[g, r] + b_l[g, r]) (no ReLU on the last layer).

        Parameters
        ----------
        x : Tensor (G, B, D): batch b of group g (shared by the R models of g)

        Returns
        -------
        Tensor (G, R, B, K)
        """
        h = torch.einsum("gbi,grio->grbo", x, self.weights[0]) + self.biases[0][:, :, None, :]
        for weight, bias in zip(self.weights[1:], self.biases[1:]):
            h = torch.einsum("grbi,grio->grbo", torch.relu(h), weight) + bias[:, :, None, :]
        return h

    def group_logits(self, x: torch.Tensor, group: int) -> torch.Tensor:
        """Logits of the R models of one group on inputs x of shape (N, D): shape (R, N, K)."""
        h = torch.einsum("bi,rio->rbo", x, self.weights[0][group]) + self.biases[0][group][:, None, :]
        for weight, bias in zip(self.weights[1:], self.biases[1:]):
            h = torch.einsum("rbi,rio->rbo", torch.relu(h), weight[group]) + bias[group][:, None, :]
        return h


def init_stacked_mlp(layer_sizes: Sequence[int], groups: int, models_per_group: int,
                     seed: int) -> StackedMLP:
    """Glorot-uniform weights (Keras' default) and zero biases for G x R MLPs.

    W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)); every model draws its own weights.

    Parameters
    ----------
    layer_sizes : sequence of int, e.g. (784, 10, 1)
    groups, models_per_group : int >= 1
    seed : int

    Examples
    --------
    >>> net = init_stacked_mlp((4, 3, 1), groups=2, models_per_group=5, seed=0)
    >>> net.shape, tuple(net.weights[0].shape)
    ((2, 5), (2, 5, 4, 3))
    """
    if len(layer_sizes) < 2 or any(int(s) < 1 for s in layer_sizes):
        raise ValueError(f"layer_sizes: expected at least two positive sizes, got {layer_sizes!r}")
    if groups < 1 or models_per_group < 1:
        raise ValueError(f"groups and models_per_group: expected >= 1, got {groups}, {models_per_group}")
    generator = torch.Generator().manual_seed(int(seed))
    weights, biases = [], []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        uniform = torch.rand(groups, models_per_group, fan_in, fan_out, generator=generator)
        weights.append(((2 * uniform - 1) * limit).requires_grad_())
        biases.append(torch.zeros(groups, models_per_group, fan_out, requires_grad=True))
    return StackedMLP(weights, biases)


def batch_schedule(train_index: Sequence[np.ndarray], epochs: int, batch_size: int,
                   seed: int) -> np.ndarray:
    """Row indices of every mini-batch of every group: shape (steps, G, batch_size).

    Each epoch, group g shuffles its rows with its own generator default_rng([seed, g]) and
    takes S = floor(min_g n_g / batch_size) full batches, so all groups take S steps per epoch.

    Examples
    --------
    >>> batch_schedule([np.arange(5), np.arange(10, 17)], epochs=2, batch_size=2, seed=0).shape
    (4, 2, 2)
    """
    if len(train_index) == 0:
        raise ValueError("train_index: expected at least one group of row indices")
    steps_per_epoch = min(len(rows) for rows in train_index) // batch_size
    if steps_per_epoch < 1:
        raise ValueError(f"batch_size: {batch_size} is larger than the smallest group "
                         f"({min(len(rows) for rows in train_index)} rows)")
    used = steps_per_epoch * batch_size
    rngs = [np.random.default_rng([seed, g]) for g in range(len(train_index))]
    epochs_rows = [
        np.stack([rng.permutation(np.asarray(rows))[:used] for rng, rows in zip(rngs, train_index)])
        for _ in range(epochs)
    ]
    per_epoch = [rows.reshape(len(train_index), steps_per_epoch, batch_size).transpose(1, 0, 2)
                 for rows in epochs_rows]
    return np.concatenate(per_epoch, axis=0)


def train_stacked(net: StackedMLP, X: torch.Tensor, targets: torch.Tensor, schedule: np.ndarray,
                  per_model_loss: Callable, lr: float = 1e-3, input_scale: float = 1.0,
                  desc: str | None = None) -> StackedMLP:
    """Adam on all models at once, following ``schedule`` (from ``batch_schedule``).

    Objective: sum_{g, r} mean_b loss_{g, r}(batch b); each model's gradient is its own.

    Parameters
    ----------
    net : StackedMLP, trained in place and returned
    X : Tensor (N, D), the shared inputs (e.g. uint8 pixels: gathering 1 byte per pixel is
        4x less memory traffic than float32).  targets : Tensor (N,)
    schedule : int array (steps, G, B) of rows of X
    per_model_loss : function(logits (G, R, B, K), targets (G, B)) -> Tensor (G, R) of mean losses
    lr : Adam learning rate (``fused=True`` Adam: the same update, one kernel for all tensors)
    input_scale : the model sees X[rows] * input_scale as float32 (1 / 255 for uint8 pixels)
    """
    if schedule.ndim != 3 or schedule.shape[1] != net.shape[0]:
        raise ValueError(f"schedule: expected shape (steps, {net.shape[0]}, batch), got {schedule.shape}")
    optimizer = torch.optim.Adam(net.parameters(), lr=lr, fused=True)
    index = torch.from_numpy(np.ascontiguousarray(schedule, dtype=np.int64)).to(X.device)
    groups, batch = schedule.shape[1:]
    # one gathered and one converted input block, reused every step: a fresh (G B, D) float tensor
    # per step costs more in page faults than the arithmetic (index_select beats X[rows] too)
    gathered = X.new_empty(groups * batch, X.shape[1])
    inputs = torch.empty(groups, batch, X.shape[1], dtype=net.weights[0].dtype, device=X.device)
    for step in progress(range(len(index)), desc=desc):
        rows = index[step]
        torch.index_select(X, 0, rows.reshape(-1), out=gathered)
        inputs.view(-1, X.shape[1]).copy_(gathered).mul_(input_scale)
        loss = per_model_loss(net.forward(inputs), targets[rows]).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return net
