"""The examples in the docstrings of wloss.data run and print what they show."""
import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["mnist", "paper", "synthetic", "counting"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(f"wloss.data.{module}"))
    assert result.failed == 0 and result.attempted > 0
