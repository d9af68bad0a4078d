"""Every bad input raises ValueError/TypeError whose message names the argument."""
import numpy as np
import pytest
import torch

from wloss import losses, reference

Z2 = torch.zeros(3, 4)
Y = torch.tensor([0, 1, 3])
Z1 = torch.zeros(3)
BITS = torch.tensor([1.0, 0.0, 1.0])
FN, FP = np.ones(4), np.ones((4, 4))

CASES = [
    # (id, call, error type, word the message must contain)
    ("logits not a tensor", lambda: losses.rwwce(np.zeros((3, 4)), Y, FN, FP), TypeError, "logits"),
    ("integer logits", lambda: losses.weighted_cross_entropy(torch.zeros(3, 4, dtype=torch.int64), Y), TypeError, "logits"),
    ("logits 1-D for multiclass", lambda: losses.rps_loss(Z1, Y), ValueError, "logits"),
    ("logits 2-D for binary", lambda: losses.weighted_bce_with_logits(Z2, BITS), ValueError, "logits"),
    ("one class", lambda: losses.weighted_cross_entropy(torch.zeros(3, 1), torch.zeros(3, dtype=torch.int64)), ValueError, "logits"),
    ("targets length", lambda: losses.weighted_cross_entropy(Z2, torch.tensor([0, 1])), ValueError, "targets"),
    ("targets 2-D", lambda: losses.focal_loss(Z2, Y[:, None]), ValueError, "targets"),
    ("label out of range", lambda: losses.rwwce(Z2, torch.tensor([0, 1, 4]), FN, FP), ValueError, "targets"),
    ("negative label", lambda: losses.rps_loss(Z2, torch.tensor([0, -1, 2])), ValueError, "targets"),
    ("non-integer label", lambda: losses.expected_cost_loss(Z2, torch.tensor([0.0, 1.5, 2.0]), FP), ValueError, "targets"),
    ("string labels", lambda: losses.weighted_cross_entropy(Z2, np.array(["a", "b", "c"])), TypeError, "targets"),
    ("binary target 2", lambda: losses.weighted_bce_with_logits(Z1, torch.tensor([0.0, 2.0, 1.0])), ValueError, "targets"),
    ("binary targets length", lambda: losses.rwwce_binary(Z1, torch.tensor([0.0, 1.0]), 1.0, 1.0), ValueError, "targets"),
    ("negative pos_weight", lambda: losses.weighted_bce_with_logits(Z1, BITS, pos_weight=-1.0), ValueError, "pos_weight"),
    ("NaN neg_weight", lambda: losses.weighted_bce_with_logits(Z1, BITS, neg_weight=float("nan")), ValueError, "neg_weight"),
    ("sample_weight length", lambda: losses.weighted_bce_with_logits(Z1, BITS, sample_weight=[1.0, 1.0]), ValueError, "sample_weight"),
    ("both binary costs zero", lambda: losses.rwwce_binary(Z1, BITS, 0.0, 0.0), ValueError, "fn_cost"),
    ("infinite fp_cost", lambda: losses.rwwce_binary(Z1, BITS, 1.0, float("inf")), ValueError, "fp_cost"),
    ("class_weight wrong size", lambda: losses.weighted_cross_entropy(Z2, Y, class_weight=[1.0, 2.0]), ValueError, "class_weight"),
    ("negative class_weight", lambda: losses.weighted_cross_entropy(Z2, Y, class_weight=[1.0, -2.0, 1.0, 1.0]), ValueError, "class_weight"),
    ("fn_cost wrong size", lambda: losses.rwwce(Z2, Y, np.ones(3), FP), ValueError, "fn_cost"),
    ("fp_cost wrong size", lambda: losses.rwwce(Z2, Y, FN, np.ones((3, 3))), ValueError, "fp_cost"),
    ("NaN fp_cost", lambda: losses.rwwce(Z2, Y, FN, np.full((4, 4), np.nan)), ValueError, "fp_cost"),
    ("negative fn_weight", lambda: losses.rwwce_per_example(Z2, Y, -np.ones(3), np.ones((3, 4))), ValueError, "fn_weight"),
    ("fp_weight wrong shape", lambda: losses.rwwce_per_example(Z2, Y, np.ones(3), np.ones((4, 4))), ValueError, "fp_weight"),
    ("cost wrong size", lambda: losses.expected_cost_loss(Z2, Y, np.ones((4, 3))), ValueError, "cost"),
    ("negative gamma", lambda: losses.focal_loss(Z2, Y, gamma=-1.0), ValueError, "gamma"),
    ("alpha wrong size", lambda: losses.focal_loss(Z2, Y, alpha=[1.0]), ValueError, "alpha"),
    ("sigmoid alpha above 1", lambda: losses.focal_loss(Z1, BITS, alpha=1.5), ValueError, "alpha"),
    ("zero class prior", lambda: losses.logit_adjusted_cross_entropy(Z2, Y, [0.5, 0.5, 0.0, 0.0]), ValueError, "class_prior"),
    ("negative tau", lambda: losses.logit_adjusted_cross_entropy(Z2, Y, np.full(4, 0.25), tau=-1.0), ValueError, "tau"),
    ("label_values wrong size", lambda: losses.expected_label_l1_loss(Z2, Y, label_values=[1.0, 2.0]), ValueError, "label_values"),
    ("negative distance alpha", lambda: losses.distance_penalized_cross_entropy(Z2, Y, alpha=-0.5), ValueError, "alpha"),
    ("unknown reduction", lambda: losses.rwwce(Z2, Y, FN, FP, reduction="average"), ValueError, "reduction"),
    ("reference: rows not summing to 1", lambda: reference.rwwce(np.full((2, 4), 0.3), [0, 1], FN, FP), ValueError, "probs"),
    ("reference: probability above 1", lambda: reference.weighted_bce_with_logits([1.5], [1]), ValueError, "p must hold probabilities"),
    ("reference: unknown reduction", lambda: reference.rps_loss(np.full((1, 4), 0.25), [0], reduction="avg"), ValueError, "reduction"),
    ("reference: fp_cost wrong size", lambda: reference.rwwce(np.full((1, 4), 0.25), [0], FN, np.ones((2, 2))), ValueError, "fp_cost"),
    ("reference: empty batch", lambda: reference.weighted_cross_entropy(np.zeros((0, 4)), []), ValueError, "probs"),
]


@pytest.mark.parametrize("call, error, word", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_naming_the_argument(call, error, word):
    with pytest.raises(error) as caught:
        call()
    assert word in str(caught.value)


@pytest.mark.parametrize("bad, word", [(float("nan"), "finite"), (float("inf"), "finite"), (-1.0, ">= 0")])
def test_weight_tensors_are_checked_like_arrays(bad, word):
    """Weights given as tensors take a one-pass check; the errors are the same as for arrays."""
    z, y = torch.zeros(3, 2), torch.tensor([0, 1, 0])
    fp = torch.ones(3, 2)
    fp[1, 0] = bad
    with pytest.raises(ValueError, match=f"fp_weight must be.*{word}"):
        losses.rwwce_per_example(z, y, torch.ones(3), fp)


def test_cost_tensors_given_by_the_caller_are_not_modified():
    z, y = torch.zeros(2, 2), torch.tensor([0, 1])
    fp = torch.full((2, 2), 3.0)
    losses.rwwce(z, y, torch.ones(2), fp)
    assert torch.equal(fp, torch.full((2, 2), 3.0))
