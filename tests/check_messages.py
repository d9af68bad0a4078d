"""Helpers the check tests share: a failing check's message, and what that message may not give away.

Each test file keeps its own FORBIDDEN dict (check name -> fragments no failure message may contain) and binds it
with a one-line local partial. A right answer's calls stay spelled out in the test files
(``exNN.check_x(right_y)``): tests/test_checks_hidden.py finds its check/answer pairs by reading that text.
"""
import json

import numpy as np
import pytest

from wloss.checks import CheckFailed

#: A malformed answer is told every choice, which favours none: such a message may name the forbidden choices.
EVERY_CHOICE = "expected one of"


def leaks(forbidden, check, message, *, ignore_case=False):
    """The fragments of ``forbidden[check]`` that ``message`` contains (compared lower-cased with ``ignore_case``)."""
    text = message.lower() if ignore_case else message
    return sorted(fragment for fragment in forbidden[check] if (fragment.lower() if ignore_case else fragment) in text)


def assert_teaches_without_telling(forbidden, check, message, *, ignore_case=False, unless=None):
    """The failure message of ``check`` contains none of ``forbidden[check]``; not asked when it holds ``unless``."""
    if unless is not None and unless in message:
        return
    leaked = leaks(forbidden, check, message, ignore_case=ignore_case)
    assert not leaked, f"{check}'s message gives away {leaked}: {message}"


def failure(check, *args, match=None, **kwargs) -> str:
    """Call ``check(*args, **kwargs)``, expect CheckFailed (whose message matches the regex ``match``, if given) and
    return its message."""
    with pytest.raises(CheckFailed, match=match) as info:
        check(*args, **kwargs)
    return str(info.value)


def failure_visible_then_hidden(visible_module, hidden_module, name, *args, match=None, ignore_fp_errors=False) -> str:
    """Run the visible check ``name``, then the hidden one, on ``args``; expect CheckFailed from one of them (matching
    the regex ``match``, if given) and return the message of the first failure. ``ignore_fp_errors``: under
    ``np.errstate(all="ignore")``."""
    errors = {"all": "ignore"} if ignore_fp_errors else {}
    with pytest.raises(CheckFailed, match=match) as info, np.errstate(**errors):
        getattr(visible_module, name)(*args)
        getattr(hidden_module, name)(*args)
    return str(info.value)


def failure_of(forbidden, module, name, *args, ignore_case=False) -> str:
    """The message of the CheckFailed that ``module.name(*args)`` raises, checked against ``forbidden[name]``."""
    message = failure(getattr(module, name), *args)
    assert_teaches_without_telling(forbidden, name, message, ignore_case=ignore_case)
    return message


def failure_without_telling(forbidden, check, *args, unless=EVERY_CHOICE, **kwargs) -> str:
    """``failure``, and the message holds none of ``forbidden[check.__name__]`` (unless it holds ``unless``)."""
    message = failure(check, *args, **kwargs)
    assert_teaches_without_telling(forbidden, check.__name__, message, unless=unless)
    return message


def not_done(*args, **kwargs):
    """A student's stub, not yet filled in."""
    raise NotImplementedError()


def asks(message, *or_holds) -> bool:
    """The message ends with a question, or holds one of ``or_holds`` (what a malformed answer is told instead)."""
    return message.rstrip().endswith("?") or any(fragment in message for fragment in or_holds)


def visible_only_answer(notebook, visible_only, name):
    """The function ``name`` of the solution ``notebook``, from the one cell holding ``visible_only[0]`` (once), run
    with ``visible_only[1]`` in its place: an answer that passes only the visible checks."""
    from notebook_utils import ROOT
    with open(ROOT / "solutions" / notebook) as file:
        cells = json.load(file)["cells"]
    old, new = visible_only
    source = "".join(next(c["source"] for c in cells if old in "".join(c["source"])))
    assert source.count(old) == 1
    namespace = {"np": np}
    exec(source.replace(old, new), namespace)
    return namespace[name]
