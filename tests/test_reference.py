"""wloss.reference: the docstring examples (hand-derived values), and the probability checks."""
import doctest

import numpy as np
import pytest

import wloss.losses._stable
import wloss.losses.binary
import wloss.losses.multiclass
import wloss.losses.ordinal
from wloss import reference


@pytest.mark.parametrize("module", [reference, wloss.losses.binary, wloss.losses.multiclass, wloss.losses.ordinal,
                                    wloss.losses._stable], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, extraglobs={"torch": __import__("torch"), "F": __import__("torch.nn.functional").nn.functional})
    assert result.attempted > 0 and result.failed == 0


def test_softmax_and_sigmoid_are_stable_and_normalised():
    z = np.array([[1e4, 0.0, -1e4], [0.0, 0.0, 0.0]])
    probs = reference.softmax(z)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_allclose(probs[1], 1 / 3)
    np.testing.assert_allclose(reference.sigmoid([-1e4, 0.0, 1e4]), [0.0, 0.5, 1.0])


def test_rwwce_reference_ignores_the_diagonal_of_fp_cost():
    probs, y = np.array([[0.7, 0.2, 0.1]]), [0]
    fp = np.full((3, 3), 2.0)
    fp_no_diagonal = fp.copy()
    np.fill_diagonal(fp_no_diagonal, 0.0)
    assert reference.rwwce(probs, y, np.ones(3), fp) == reference.rwwce(probs, y, np.ones(3), fp_no_diagonal)
    expected = -(np.log(0.7) + 2.0 * np.log(0.8) + 2.0 * np.log(0.9))
    np.testing.assert_allclose(reference.rwwce(probs, y, np.ones(3), fp), expected)


@pytest.mark.parametrize("call, error, words", [
    (lambda: reference.ldam_loss([[0.0, 1.0]], [0], [5, 1], class_weight=[-1.0, 1.0]), ValueError, "class_weight"),
    (lambda: reference.ldam_loss([[0.0, 1.0]], [0], [5, 1], class_weight=[1.0, 1.0, 1.0]), ValueError, "class_weight"),
    (lambda: reference.ldam_loss([[0.0, 1.0]], [0], [5, 1], scale=-1.0), ValueError, "scale must be finite and > 0"),
    (lambda: reference.ldam_loss([[0.0, 1.0]], [0], [5, 1], max_margin=0.0), ValueError, "max_margin"),
    (lambda: reference.ldam_loss([[0.0, 1.0]], [0], [5, 1], scale="a"), TypeError, "scale"),
    (lambda: reference.coral_loss([[0.0, 1.0]], [0], class_weight=[1.0, 1.0]), ValueError, "class_weight"),
    (lambda: reference.coral_loss([[0.0, 1.0]], [0], class_weight=[1.0, -2.0, 1.0]), ValueError, "class_weight"),
])
def test_ldam_and_coral_references_reject_bad_weights_and_scales(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_rps_of_a_label_other_than_0_follows_the_documented_indices():
    # i and j from 0 with labels in [0, K): for p = (1/3, 1/3, 1/3), y = 1 the steps are (0, 1, 1)
    expected = (1 / 3 - 0) ** 2 + (2 / 3 - 1) ** 2 + (1 - 1) ** 2
    assert reference.rps_loss([[1 / 3, 1 / 3, 1 / 3]], [1]) == pytest.approx(expected)
