"""The hidden part of a graded check catches what its visible part cannot: an answer that is right on every input
the visible part gave it, and wrong on any other input, passes the visible check and must fail the hidden one.

The checks are found in the exercise tests themselves: every ``exNN.check_x(right_y)`` call there, with right_y
a function of the test module, pairs a check with a right answer written independently of it. The hidden part
of ``exNN.check_x`` is ``wloss_grading.exNN.check_x``, run right after it in the solution's hidden-test cell.
"""
import importlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from wloss.checks import CheckFailed

def _pairs(path: Path):
    """(exNN, check_x, right_y) for each ``exNN.check_x(right_y)`` of a test file whose right_y is module-level."""
    text = path.read_text()
    return {(module, check, right) for module, check, right
            in re.findall(r"(ex\d\d)\.(check_\w+)\((right_\w+)\)", text)
            if re.search(rf"^def {right}\(", text, flags=re.MULTILINE)}


PAIRS = sorted(set().union(*(_pairs(path) for path in Path(__file__).parent.glob("test_checks_ex*.py"))))


def hidden_part(module: str, check: str):
    """The hidden part of ``wloss.checks.<module>.<check>``: its namesake in ``wloss_grading.<module>``."""
    return getattr(importlib.import_module(f"wloss_grading.{module}"), check)


def fingerprint(value):
    """A hashable summary of an argument's content (the checks pass copies, so identity would not do)."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, pd.DataFrame):
        return ("frame", tuple(value.columns), pd.util.hash_pandas_object(value, index=True).values.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(fingerprint(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, fingerprint(v)) for k, v in value.items()))
    return repr(value)


def perturbed(value):
    """A wrong version of a right answer, of the same type and shape."""
    if isinstance(value, (tuple, list)):
        return type(value)(perturbed(v) for v in value)
    if isinstance(value, dict):
        return {key: perturbed(v) for key, v in value.items()}
    if isinstance(value, (bool, np.bool_)):
        return not value
    if isinstance(value, (int, np.integer)) or holds_integers(value):
        return value + 1
    return value * 1.37 + 0.11  # floats, float arrays and tensors


def holds_integers(value) -> bool:
    if isinstance(value, torch.Tensor):
        return not value.dtype.is_floating_point
    return isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.integer)


def test_the_exercise_tests_pair_enough_checks_with_right_answers():
    assert len(PAIRS) >= 25, PAIRS


@pytest.mark.parametrize("module, check, right", PAIRS, ids=[f"{m}.{c}" for m, c, _ in PAIRS])
def test_hidden_cases_catch_an_answer_memorised_from_the_visible_ones(module, check, right):
    run_check = getattr(importlib.import_module(f"wloss.checks.{module}"), check)
    run_hidden = hidden_part(module, check)
    right_answer = getattr(importlib.import_module(f"test_checks_{module}"), right)
    seen, recording = set(), [True]

    def memorised(*args, **kwargs):
        value = right_answer(*args, **kwargs)
        key = fingerprint((args, kwargs))
        if recording[0]:
            seen.add(key)
            return value
        return value if key in seen else perturbed(value)

    run_check(memorised)  # the visible part cannot tell it from the right answer
    recording[0] = False
    with pytest.raises(CheckFailed):
        run_hidden(memorised)
