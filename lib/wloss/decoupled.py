"""Decoupled training for long-tailed data: learn the features once, re-balance only the classifier.

Kang et al. (2020), "Decoupling representation and classifier for long-tailed recognition" (ICLR),
train a network with plain cross-entropy on the long-tailed data (instance-balanced sampling) and
then fix its classifier, the last linear layer, in one of two ways:

- ``retrain_classifier``   cRT: freeze everything but the last layer, re-initialise it and re-train it
                           with class-balanced sampling (every class equally often in the batches)
- ``tau_normalize``        tau-normalisation: rescale each class's weight vector w_k by 1 / ||w_k||^tau,
                           so that frequent classes no longer win by having longer weight vectors
- ``penultimate_features`` the frozen features, the input of the last layer, that both act on

The models are ``torch.nn.Sequential`` stacks whose last layer is ``torch.nn.Linear`` with K >= 2
outputs, such as ``wloss.training.mlp(64, (64,), 10)``.
"""
from __future__ import annotations

import copy
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from wloss._validation import as_label_array, finite_real
from wloss.sampling import balanced_sample_weights, train_with_sampler
from wloss.training import train

SAMPLINGS = ("class-balanced", "instance-balanced")


def _check_model(model) -> nn.Linear:
    """The last layer of ``model``, checked to be a K-class ``nn.Linear`` at the end of an ``nn.Sequential``."""
    if not isinstance(model, nn.Sequential) or len(model) < 2 or not isinstance(model[-1], nn.Linear):
        raise ValueError("model must be an nn.Sequential of at least two layers ending in nn.Linear "
                         f"(e.g. wloss.training.mlp(64, (64,), 10)), got {type(model).__name__}")
    if model[-1].out_features < 2:
        raise ValueError(f"model must end in a K-class layer with K >= 2 outputs, got {model[-1].out_features}")
    return model[-1]


def _inputs(X) -> torch.Tensor:
    raw = X.detach().cpu().numpy() if hasattr(X, "detach") else X
    try:
        inputs = torch.as_tensor(np.asarray(raw, dtype=np.float32))
    except (TypeError, ValueError):
        raise ValueError(f"X must be an array of numbers of shape (N, D), got {type(X).__name__}") from None
    if inputs.ndim != 2 or len(inputs) == 0:
        raise ValueError(f"X must have shape (N, D) with N >= 1, got {tuple(inputs.shape)}")
    return inputs


@torch.no_grad()
def penultimate_features(model: nn.Sequential, X) -> np.ndarray:
    """The input of the last layer, ``model[:-1](X)``, as a float32 NumPy array.

    Parameters
    ----------
    model : nn.Sequential
        Ends in an ``nn.Linear`` layer with K >= 2 outputs.
    X : array-like, shape (N, D)

    Returns
    -------
    ndarray of float32, shape (N, H)
        H = ``model[-1].in_features``; ``features @ model[-1].weight.T + model[-1].bias`` are the logits.

    Examples
    --------
    >>> from wloss.training import mlp
    >>> penultimate_features(mlp(4, (3,), 2, seed=0), np.zeros((5, 4))).shape
    (5, 3)
    """
    _check_model(model)
    return model[:-1](_inputs(X)).numpy()


def tau_normalize(weight, tau: float = 1.0):
    """Rescale each row w_k of a last layer's weight matrix to w_k / ||w_k||^tau.

    With the Euclidean norm ||w_k||, the result has norms ||w_k||^(1 - tau): ``tau = 0`` leaves the
    weights as they are, ``tau = 1`` gives every class a unit vector, so that classes compete by
    direction only. Kang et al. (2020) apply it after plain training and score f . w~_k without the
    bias; they choose tau on validation data (values between 0 and 1 work on their data sets).

    Parameters
    ----------
    weight : array-like or torch.Tensor, shape (K, H)
        One row per class, e.g. ``model[-1].weight``; finite, no row all zeros.
    tau : float, >= 0

    Returns
    -------
    ndarray of float64, or a tensor of ``weight``'s dtype (without gradient) when ``weight`` is a tensor;
    shape (K, H).

    Examples
    --------
    >>> tau_normalize(np.array([[3.0, 4.0], [0.0, 2.0]]), tau=1.0)
    array([[0.6, 0.8],
           [0. , 1. ]])
    >>> tau_normalize(np.array([[3.0, 4.0], [0.0, 2.0]]), tau=0.5)  # norms 5 and 2 become sqrt(5) and sqrt(2)
    array([[1.34164079, 1.78885438],
           [0.        , 1.41421356]])
    """
    tau = finite_real(tau, "tau")
    if tau < 0:
        raise ValueError(f"tau must be >= 0, got {tau}")
    is_tensor = isinstance(weight, torch.Tensor)
    values = weight.detach() if is_tensor else weight
    if is_tensor and not values.is_floating_point():
        raise ValueError(f"weight must be a floating-point tensor, got dtype {values.dtype}")
    if not is_tensor:
        try:
            values = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"weight must be an array of numbers of shape (K, H), got {type(weight).__name__}") \
                from None
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(f"weight must have shape (K, H) with K, H >= 1, got {tuple(values.shape)}")
    finite = torch.isfinite(values).all() if is_tensor else np.isfinite(values).all()
    if not finite:
        raise ValueError("weight must be finite, got NaN or infinity")
    norms = torch.linalg.vector_norm(values, dim=1, keepdim=True) if is_tensor else \
        np.linalg.norm(values, axis=1, keepdims=True)
    zero = np.flatnonzero(np.asarray(norms.cpu() if is_tensor else norms)[:, 0] == 0)
    if zero.size:
        raise ValueError(f"weight must have no row of zeros (its direction is undefined), got one in row {zero[0]}")
    return values / norms**tau


def retrain_classifier(model: nn.Sequential, X, y, *, sampling: str = "class-balanced",
                       loss_fn: Callable = F.cross_entropy, epochs: int = 30, lr: float = 0.01,
                       batch_size: int = 64, seed: int = 0) -> nn.Sequential:
    """Classifier re-training (cRT): freeze the features, re-initialise and re-train the last layer.

    Returns a new model: a frozen copy of ``model[:-1]`` (``requires_grad`` off, in eval mode) followed by
    a fresh ``nn.Linear`` initialised from ``seed`` (PyTorch's default initialisation, as
    ``wloss.training.mlp(H, (), K, seed)``), trained with Adam on the frozen features of ``X``.
    ``model`` itself is not changed.

    Parameters
    ----------
    model : nn.Sequential
        The trained network; ends in an ``nn.Linear`` layer with K >= 2 outputs.
    X : array-like, shape (N, D)
    y : array-like of int, shape (N,)
        Class labels in [0, K).
    sampling : {"class-balanced", "instance-balanced"}
        "class-balanced" draws N examples per epoch with replacement, example i with probability
        proportional to 1 / n_{y_i} (``wloss.sampling.train_with_sampler``), as Kang et al. do;
        "instance-balanced" shuffles the data as plain training does (use it with a class-weighted
        ``loss_fn`` to re-train with class weights instead of re-sampling).
    loss_fn : callable
        ``loss_fn(logits, targets) -> scalar tensor``; plain cross-entropy by default.
    epochs, lr, batch_size, seed : training length, Adam's step size, mini-batch size, seed of the new
        layer's initialisation and of the batches.

    Returns
    -------
    nn.Sequential
        The frozen feature layers followed by the re-trained last layer.

    Examples
    --------
    >>> from wloss.training import mlp
    >>> X, y = np.eye(4, dtype=np.float32), np.array([0, 0, 0, 1])
    >>> model = mlp(4, (3,), 2, seed=0)
    >>> new = retrain_classifier(model, X, y, epochs=2)
    >>> [p.requires_grad for p in new.parameters()]  # weight and bias of each layer
    [False, False, True, True]
    >>> bool(torch.equal(new[0].weight, model[0].weight))
    True
    """
    last = _check_model(model)
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    inputs = _inputs(X)
    labels = as_label_array(y, "y", last.out_features)
    if len(labels) != len(inputs):
        raise ValueError(f"X and y must have the same length, got {len(inputs)} and {len(labels)}")
    body = copy.deepcopy(model[:-1]).eval()
    body.requires_grad_(False)
    with torch.no_grad():
        features = body(inputs).numpy()
    torch.manual_seed(seed)
    head = nn.Linear(last.in_features, last.out_features)
    if sampling == "class-balanced":
        train_with_sampler(head, features, labels, loss_fn, balanced_sample_weights(labels),
                           epochs=int(epochs), lr=lr, batch_size=batch_size, seed=seed)
    else:
        train(head, features, labels, loss_fn, epochs=int(epochs), lr=lr, batch_size=batch_size, seed=seed)
    return nn.Sequential(*body, head)


__all__ = ["penultimate_features", "tau_normalize", "retrain_classifier"]
