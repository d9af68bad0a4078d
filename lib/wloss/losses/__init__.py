"""PyTorch losses from logits: stable, vectorised, differentiable.

Inputs
------
Binary losses take logits (N,) and 0/1 targets (N,) (float, int or bool); multiclass and ordinal
losses take logits (N, K), K >= 2, and integer targets (N,) in [0, K); the ordinal heads CORAL and CORN
take K - 1 logits (N, K - 1) with the same targets; the multi-label ``asymmetric_loss`` takes logits
(N, L) and 0/1 targets (N, L), its per-example loss the sum over the L labels. Targets, weights and costs
may be tensors (any real dtype, bfloat16 included, on any device: they are moved to the logits'),
NumPy arrays or lists. Scalar arguments (``pos_weight``, ``neg_weight``, ``gamma``, the binary
``alpha``, ``tau``, the costs of ``rwwce_binary``) take a Python number or a 0-d tensor, e.g.
``pos_weight=torch.tensor(3.0)``. Bad input raises ValueError or TypeError naming the argument.

Reductions, next to PyTorch's and scikit-learn's
------------------------------------------------
"none" returns loss_i, shape (N,); "sum" returns sum_i loss_i; "mean" returns sum_i loss_i / N,
with N the number of examples whatever the weights (the papers' 1/M). Elsewhere:

- ``F.cross_entropy(z, y, weight=w)`` ("mean") divides by sum_i w[y_i], not by N. Its sum equals
  ``weighted_cross_entropy(z, y, class_weight=w, reduction="sum")``; divide that by ``w[y].sum()``
  to get PyTorch's weighted mean.
- ``F.binary_cross_entropy_with_logits(z, y, pos_weight=p)`` divides by N: it equals
  ``weighted_bce_with_logits(z, y, pos_weight=p)``.
- scikit-learn's ``sample_weight`` (``log_loss(y, p, sample_weight=s)``, and the objective of its
  estimators) means a weighted average, sum_i s_i loss_i / sum_i s_i: with ``wloss``,
  ``weighted_cross_entropy(z, y, sample_weight=s, reduction="sum") / s.sum()``.

On one fixed data set the three have the same minimiser; their scales differ by N / sum of weights,
so a learning rate tuned for one does not carry over, and with weights per class PyTorch's mean of a
mini-batch depends on which classes the batch happens to hold.

``focal_loss``'s ``alpha``
--------------------------
Logits (N, K): ``alpha`` is a (K,) weight per class, example i weighted by alpha[y_i] (None: 1).
Logits (N,): torchvision's ``sigmoid_focal_loss``, ``alpha`` one number in [0, 1], positives weighted
alpha and negatives 1 - alpha (None: no weighting). So ``alpha=0.25`` weights the positives down in
the binary form, as in RetinaNet, while ``alpha=[0.25, 0.75]`` on (N, 2) logits weights class 0 by
0.25 and class 1 by 0.75.

Empty batches
-------------
As in PyTorch: N = 0 gives 0 for "sum", NaN for "mean" (0 / 0) and an empty tensor for "none".
(``wloss.reference`` raises on an empty batch instead.)

Precision
---------
float32 and float64 logits are computed in their own dtype, float16 and bfloat16 logits in float32,
the loss returned in the logits' dtype. Losses and gradients stay finite and accurate for |logit| up
to 1e4 in float32. A NaN or +inf logit gives a NaN loss for its example, as ``F.cross_entropy`` does
(``corn_loss`` does not read the logits of the tasks an example takes no part in).

Autograd, ``torch.func`` and ``torch.compile``
----------------------------------------------
Every loss is differentiable in the logits and in any weight tensor that requires grad.
``rwwce``, ``rwwce_per_example``, the multiclass ``focal_loss``, ``rps_loss`` and
``distance_penalized_cross_entropy`` compute their first gradient analytically, one block of rows at a
time, for speed in eager training on the CPU; under ``torch.no_grad()`` (or for logits that do not
require grad) the same blocks compute the loss alone. Their readable formula (plain tensor operations)
runs instead when a weight requires grad, under ``torch.func`` transforms, for small batches (under 4096
logits), on devices other than the CPU and on meta tensors; and a backward with ``create_graph=True``
differentiates that formula, so second derivatives (double backward, gradient penalties, Hessians,
``gradgradcheck``) are exact. Trained eagerly on a small batch, RWWCE and ``rwwce_per_example`` take
their loss (the formula's, to the last bit) and its gradient at once, as does ``asymmetric_loss`` at
every size: fewer tensor operations than autograd of the formula, which a graph-building backward still
differentiates. The other losses are plain autograd throughout.

Inside ``torch.compile`` the losses run the same formulas in forms Inductor fuses
(``wloss.losses._fusable``): picks and one-hots as comparisons with the class index, log1p by a
polynomial, exponentials kept out of the subnormal range, and a closed-form backward for RWWCE, the
multiclass and sigmoid focal losses, RPS, the asymmetric loss and softplus. There they have first
derivatives only; their values and gradients equal the float64 reference to 1e-6
(``tests/test_losses_compiled.py``), and ``make bench`` times them against compiled ``F.cross_entropy``.

Checks of values use torch operations on the tensors' own device: on the CPU they raise at once; on
other devices and inside ``torch.compile`` they go to ``torch._assert_async`` (a RuntimeError with the
same message, without waiting for the device); meta tensors are checked for shape and dtype only.

The readable NumPy float64 transcriptions of the same formulas are in ``wloss.reference``.
"""
from wloss.losses.binary import rwwce_binary, sigmoid_focal_loss, weighted_bce_with_logits
from wloss.losses.multiclass import (expected_cost_loss, expected_cost_per_example, focal_loss,
                                     logit_adjusted_cross_entropy, rwwce, rwwce_per_example, weighted_cross_entropy)
from wloss.losses.ordinal import distance_penalized_cross_entropy, expected_label_l1_loss, rps_loss
from wloss.losses.ldam import drw_class_weights, ldam_loss, ldam_margins
from wloss.losses.coral import CoralLayer, coral_loss, coral_predict, coral_probabilities
from wloss.losses.corn import corn_loss, corn_predict, corn_probabilities
from wloss.losses.asymmetric import asymmetric_loss
from wloss.losses.multilabel import multilabel_rwwce

__all__ = [
    "weighted_bce_with_logits", "rwwce_binary", "sigmoid_focal_loss",
    "weighted_cross_entropy", "rwwce", "rwwce_per_example", "expected_cost_loss", "expected_cost_per_example",
    "focal_loss",
    "logit_adjusted_cross_entropy", "rps_loss", "expected_label_l1_loss", "distance_penalized_cross_entropy",
    "ldam_loss", "ldam_margins", "drw_class_weights", "coral_loss", "coral_probabilities", "coral_predict",
    "CoralLayer", "corn_loss", "corn_probabilities", "corn_predict", "asymmetric_loss", "multilabel_rwwce",
]
