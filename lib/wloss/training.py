"""Small, seeded training loops the lectures share.

Lectures train tiny models (logistic regression, a small MLP) on small data
sets; these helpers keep that code in one place so every notebook trains the
same way and reproducibly.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import nn

from wloss.progress import progress


def mlp(in_features: int, hidden: tuple[int, ...], out_features: int, seed: int = 0) -> nn.Sequential:
    """A ReLU multilayer perceptron, initialised from ``seed``.

    ``mlp(2, (), 1)`` is logistic regression; ``mlp(784, (10,), 1)`` is the
    RWWCE paper's binary model.

    Examples
    --------
    >>> model = mlp(2, (16,), 1, seed=0)
    >>> model(torch.zeros(5, 2)).shape
    torch.Size([5, 1])
    """
    torch.manual_seed(seed)
    sizes = (in_features, *hidden, out_features)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def train(model: nn.Module, X, y, loss_fn: Callable, *, epochs: int = 100, lr: float = 0.01,
          batch_size: int | None = None, optimizer: str = "adam", seed: int = 0,
          callback: Callable | None = None, progress_desc: str | None = None) -> list[float]:
    """Train ``model`` on ``(X, y)`` minimising ``loss_fn(logits, targets)``.

    Parameters
    ----------
    model : nn.Module
        Maps (N, D) float32 inputs to logits, (N, 1) (squeezed to (N,)) or (N, K).
    X : array-like, shape (N, D)
    y : array-like, shape (N,)
        Labels: {0, 1} for binary models (passed as float32), class indices otherwise (int64).
    loss_fn : callable
        ``loss_fn(logits, targets) -> scalar tensor``, e.g. ``wloss.losses.rwwce`` with its costs bound.
    epochs, lr : training length and learning rate.
    batch_size : int or None
        None trains full-batch; otherwise shuffled mini-batches drawn with ``seed``.
    optimizer : {"adam", "sgd"}
    callback : callable, optional
        Called as ``callback(epoch, model)`` after every epoch.
    progress_desc : str, optional
        Show a progress bar over epochs with this label (see ``wloss.progress``;
        never shown when notebooks are run for their committed outputs).

    Returns
    -------
    list of float
        The training loss after each epoch (last mini-batch's loss when batching).
    """
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    y_np = np.asarray(y)
    if len(X_t) != len(y_np):
        raise ValueError(f"X and y must have the same length, got {len(X_t)} and {len(y_np)}")
    binary = _is_binary_model(model, X_t)
    y_t = torch.as_tensor(y_np, dtype=torch.float32 if binary else torch.int64)
    opt_cls = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    opt = opt_cls(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    history = []
    epochs_iter = range(epochs) if progress_desc is None else progress(range(epochs), desc=progress_desc)
    for epoch in epochs_iter:
        batches = [slice(None)] if batch_size is None else torch.randperm(len(X_t), generator=gen).split(batch_size)
        for idx in batches:
            opt.zero_grad()
            loss = loss_fn(_logits(model, X_t[idx], binary), y_t[idx])
            loss.backward()
            opt.step()
        history.append(float(loss.detach()))
        if callback is not None:
            callback(epoch, model)
    return history


@torch.no_grad()
def predict_proba(model: nn.Module, X) -> np.ndarray:
    """Probabilities as a NumPy array: (N,) positive-class for a binary model, (N, K) softmax otherwise."""
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    binary = _is_binary_model(model, X_t)
    logits = _logits(model, X_t, binary)
    return (torch.sigmoid(logits) if binary else torch.softmax(logits, dim=1)).numpy()


@torch.no_grad()
def predict_logits(model: nn.Module, X) -> np.ndarray:
    """Logits as a NumPy array: (N,) for a binary model, (N, K) otherwise."""
    X_t = torch.as_tensor(np.asarray(X), dtype=torch.float32)
    return _logits(model, X_t, _is_binary_model(model, X_t)).numpy()


def _is_binary_model(model: nn.Module, X_t: torch.Tensor) -> bool:
    with torch.no_grad():
        return model(X_t[:1]).shape[-1] == 1


def _logits(model: nn.Module, X_t: torch.Tensor, binary: bool) -> torch.Tensor:
    out = model(X_t)
    return out.squeeze(-1) if binary else out
