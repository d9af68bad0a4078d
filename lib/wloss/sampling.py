"""Re-sampling instead of re-weighting: balanced draws with PyTorch's ``WeightedRandomSampler``.

- ``balanced_sample_weights``  one weight per example, 1 / n_{y_i}: every class is drawn equally often
- ``train_with_sampler``       the course's training loop, mini-batches drawn by a ``WeightedRandomSampler``

Over-sampling by drawing with replacement from these weights is the
stochastic twin of class weights n / (K n_k): in expectation each class
contributes the same share of every batch, but the rare examples are
repeated rather than up-weighted.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

from wloss._validation import as_label_array


def balanced_sample_weights(y, num_classes=None) -> np.ndarray:
    """Per-example sampling weights s_i = 1 / n_{y_i}.

    Drawing examples with probability s_i / sum_j s_j picks each class with
    probability 1 / K' (K' = number of classes present), whatever its size.

    Parameters
    ----------
    y : array-like of int, shape (N,)
        Class labels in ``[0, num_classes)``.
    num_classes : int, optional
        K; only used to validate the labels.

    Returns
    -------
    ndarray of float64, shape (N,)

    Examples
    --------
    >>> balanced_sample_weights([0, 0, 1, 1, 1, 1])
    array([0.5 , 0.5 , 0.25, 0.25, 0.25, 0.25])
    """
    labels = as_label_array(y, "y", num_classes)
    counts = np.bincount(labels)
    return 1.0 / counts[labels]


def train_with_sampler(model: nn.Module, X, y, loss_fn: Callable, sample_weights, *, epochs: int = 30,
                       lr: float = 0.01, batch_size: int = 64, seed: int = 0) -> list[float]:
    """Train a K-class ``model`` with Adam on mini-batches drawn by ``WeightedRandomSampler``.

    Each epoch draws N indices with replacement, index i with probability
    ``sample_weights[i] / sum(sample_weights)``, and cuts them into batches of
    ``batch_size``: the same number of optimizer steps as one shuffled epoch of
    ``wloss.training.train``.

    Parameters
    ----------
    model : nn.Module
        Maps (B, D) float32 inputs to (B, K) logits.
    X : array-like, shape (N, D)
    y : array-like of int, shape (N,)
    loss_fn : callable
        ``loss_fn(logits, targets) -> scalar tensor``.
    sample_weights : array-like, shape (N,), finite, >= 0, not all zero
        E.g. ``balanced_sample_weights(y)``.
    epochs, lr, batch_size, seed : training length, Adam's step size, batch size, seed of the draws.

    Returns
    -------
    list of float
        The last mini-batch's loss of every epoch.

    Examples
    --------
    >>> from wloss.training import mlp
    >>> import torch.nn.functional as F
    >>> X, y = np.eye(4, dtype=np.float32), np.array([0, 0, 0, 1])
    >>> len(train_with_sampler(mlp(4, (), 2), X, y, F.cross_entropy, balanced_sample_weights(y), epochs=2))
    2
    """
    labels = as_label_array(y, "y")
    weights = np.asarray(sample_weights, dtype=np.float64)
    if weights.shape != labels.shape:
        raise ValueError(f"sample_weights must have shape ({labels.size},) like y, got {weights.shape}")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() == 0:
        raise ValueError("sample_weights must be finite, >= 0 and not all zero")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    features = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    if len(features) != labels.size:
        raise ValueError(f"X and y must have the same length, got {len(features)} and {labels.size}")
    sampler = WeightedRandomSampler(torch.as_tensor(weights), num_samples=labels.size, replacement=True,
                                    generator=torch.Generator().manual_seed(seed))
    loader = DataLoader(TensorDataset(features, torch.as_tensor(labels)), batch_size=batch_size, sampler=sampler)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
        history.append(float(loss.detach()))
    return history
