"""Checks that the exercise notebooks call right after each task.

A check either prints one line starting with a tick and says what was
verified, or raises :class:`CheckFailed` (an ``AssertionError``) whose
message says, in plain words, what is wrong: which property fails, in which
case, with a hint. It never prints the value the task should produce. Each
exercise has its own module, ``wloss.checks.exNN``, built from the helpers here.

A task still holding ``raise NotImplementedError()`` fails its check with a
message saying the task is not done yet, rather than a bare traceback.
"""
from __future__ import annotations

import importlib
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

import numpy as np

LIBRARY = Path(__file__).resolve().parents[1]  # lib/wloss: frames from here are the checker's, not the student's


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message says what is wrong.

    In a notebook it reads like a teacher, not a crash: IPython shows what ``_render_traceback_``
    returns instead of a traceback through the checker, i.e. the message alone, marked as a failed
    check, and, when the student's own code raised, the student's frames of that error and none of
    the checker's.
    """

    def _render_traceback_(self) -> list[str]:
        lines = [f"\u2718 Check failed: {self}"]
        cause = self.__cause__
        if cause is not None and cause.__traceback__ is not None:
            own = [frame for frame in traceback.extract_tb(cause.__traceback__) if not _in_library(frame.filename)]
            if own:
                lines += ["", "Where your code raised it:"]
                lines += [line.rstrip("\n") for line in traceback.format_list(own)]
                lines.append(f"{type(cause).__name__}: {cause}")
        return lines


def _in_library(filename: str) -> bool:
    """Whether a frame belongs to wloss or to Python's own machinery (contextlib), not to the student."""
    path = Path(filename)
    return LIBRARY in path.resolve().parents or path.name == "contextlib.py"


def passed(message: str) -> None:
    """Report a passed check."""
    print(f"\u2714 {message}")


def fail(message: str) -> None:
    """Raise :class:`CheckFailed` with ``message``."""
    raise CheckFailed(message)


@contextmanager
def task(name: str):
    """Run the student's code for ``name``, turning crashes into clear failures.

    ``NotImplementedError`` becomes "not done yet"; any other exception is
    reported with its type and message, so the student knows the failure
    came from their code and not from the check.
    """
    __tracebackhide__ = True
    try:
        yield
    except CheckFailed:
        raise
    except NotImplementedError:
        raise CheckFailed(
            f"{name}: not done yet - replace `raise NotImplementedError()` with your code."
        ) from None
    except Exception as exc:  # the student's code crashed: say so, keep the cause
        raise CheckFailed(f"{name}: your code raised {type(exc).__name__}: {exc}") from exc


@contextmanager
def library_blocked(name: str, *functions: str):
    """Run the student's code for ``name`` with the library's own versions of the task blocked.

    A task that asks for a function ``wloss`` (or scikit-learn) also provides would pass by
    calling it; inside this block each of ``functions`` (qualified names such as
    ``"wloss.metrics.average_precision"``) fails the check instead, wherever the student reached
    it from: the module, any other module of the package that re-exports it, or a name the notebook imported
    earlier (``from wloss.metrics import average_precision``); a method on its class (``"pandas.DataFrame.rank"``). Everything is restored
    on leaving the block, so the check can then
    compare the student's answer with an independent reference.

    Examples
    --------
    >>> import wloss.metrics
    >>> with library_blocked("ap", "wloss.metrics.average_precision"):
    ...     wloss.metrics.average_precision([0, 1], [0.2, 0.9])
    Traceback (most recent call last):
    ...
    wloss.checks.CheckFailed: ap: your code called wloss.metrics.average_precision, the library's own version of what this task asks you to write. Can you compute it from its definition (NumPy is fine)?
    """
    __tracebackhide__ = True
    restore = []
    notebook = [vars(module) for module in (sys.modules.get("__main__"),) if module is not None]
    # every original is looked up before any is replaced: a function named twice (wloss.losses.focal_loss and
    # wloss.losses.binary.focal_loss) is then blocked once, under the first name
    targets = [(qualified, *_owner_of(qualified)) for qualified in functions]
    targets = [(qualified, owner, attribute, getattr(owner, attribute)) for qualified, owner, attribute in targets]
    for qualified, owner, attribute, original in targets:
        blocked = _blocked(name, qualified)
        if isinstance(owner, type):          # a method, e.g. pandas.DataFrame.rank (perhaps inherited)
            own = attribute in vars(owner)
            restore.append(lambda o=owner, a=attribute, v=vars(owner).get(attribute), own=own:
                           setattr(o, a, v) if own else delattr(o, a))
            setattr(owner, attribute, blocked)
            continue
        for namespace in [*_package_namespaces(qualified), *notebook]:
            for key, value in list(namespace.items()):
                if value is original:
                    restore.append(lambda n=namespace, k=key, v=value: n.__setitem__(k, v))
                    namespace[key] = blocked
    try:
        yield
    finally:
        for undo in reversed(restore):
            undo()


def _package_namespaces(qualified: str) -> list[dict]:
    """The namespaces of every loaded module of ``qualified``'s package: a function re-exported elsewhere
    (``wloss.scenarios.bayes_decisions`` is ``wloss.decisions.bayes_decisions``) is blocked under each name."""
    package = qualified.split(".")[0]
    return [vars(module) for name, module in list(sys.modules.items())
            if module is not None and (name == package or name.startswith(package + "."))]


def _owner_of(qualified: str):
    """``("pandas.DataFrame.rank")`` -> (pandas.DataFrame, "rank"): the longest importable module, then attributes."""
    parts = qualified.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:-1]:
            owner = getattr(owner, attribute)
        return owner, parts[-1]
    raise ImportError(f"library_blocked: no module in {qualified!r}")


def _blocked(name: str, qualified: str):
    def blocked(*args, **kwargs):
        raise CheckFailed(f"{name}: your code called {qualified}, the library's own version of what this task "
                          "asks you to write. Can you compute it from its definition (NumPy is fine)?")
    return blocked


_COUNT_WORDS = {1: "one answer", 2: "two answers", 3: "three answers", 4: "four answers"}


def check_recorded_prediction(name: str, prediction, keys, choices, reason_name: str, reason,
                              reason_question: str, announce: bool = True) -> None:
    """The visible part of a predict-then-run task: a choice per key and a one-line reason, recorded and well formed.

    It does not say whether the prediction is right (the hidden part grades it with
    :func:`fail_disagreeing`), so running the experiment first and copying it earns nothing here.
    ``reason_question`` ends the message when the reason is too short to be one; ``announce=False`` (the
    hidden part) checks without printing.
    """
    check_choices(name, prediction, keys, choices)
    if reason is ... or reason is None:
        fail(f"{reason_name}: not filled in yet - write one line on why, before you run the experiment.")
    if not isinstance(reason, str):
        fail(f"{reason_name}: expected one line of text (a str), got {type(reason).__name__}")
    if len(reason.split()) < 4:
        fail(f"{reason_name}: {reason!r} is not a reason yet - {reason_question}")
    if not announce:
        return
    count = _COUNT_WORDS.get(len(keys), f"{len(keys)} answers")
    passed(f"{name}: {count} and a reason recorded; run the experiment below and compare (the graded part checks "
           "them)")


def check_report(name, report, keys, min_words=6):
    """The written part of an open task: a dict with a line of at least ``min_words`` words for every key of ``keys``."""
    if not isinstance(report, dict):
        fail(f"{name}: expected a dict with the keys {list(keys)}, got {type(report).__name__}")
    for key in keys:
        line = report.get(key)
        if line is ... or line is None:
            fail(f"{name}[{key!r}]: not filled in yet")
        if not isinstance(line, str) or len(line.split()) < min_words:
            fail(f"{name}[{key!r}]: write a sentence of at least {min_words} words")


def fail_disagreeing(name: str, prediction, outcome, questions: dict, where: str, compare: str) -> None:
    """The hidden part of a predict-then-run task: fail naming each key the experiment contradicts, with its question.

    ``outcome`` maps each key of ``questions`` to the experiment's answer; the message gives neither the
    answer nor the numbers, only which keys disagree, ``compare`` (what to look at) and one question per key.
    """
    wrong = [key for key in questions if prediction[key] != outcome[key]]
    if wrong:
        fail(f"{name}: {len(wrong)} of {len(questions)} disagree with {where}; {compare}. Ask yourself:\n"
             + "\n".join(f"  {key!r}: {questions[key]}" for key in wrong))


def _to_numpy(value):
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return value


def check_array(name: str, got, shape: tuple | None = None):
    """Return ``got`` as a NumPy array, failing if it is not array-like or has the wrong shape."""
    got = _to_numpy(got)
    if got is None:
        fail(f"{name}: expected an array, got None - did you forget `return`?")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        fail(f"{name}: expected an array of numbers, got {type(got).__name__}")
    if shape is not None and arr.shape != tuple(shape):
        fail(f"{name}: expected shape {tuple(shape)}, got {arr.shape}")
    return arr


def check_scalar(name: str, got) -> float:
    """Return ``got`` as a float, failing if it is not a single finite number."""
    got = _to_numpy(got)
    if got is None:
        fail(f"{name}: expected a number, got None - did you forget `return`?")
    arr = np.asarray(got)
    if arr.size != 1 or not np.issubdtype(arr.dtype, np.number):
        fail(f"{name}: expected a single number, got {type(got).__name__} of shape {arr.shape}")
    value = float(arr.reshape(()))
    if not np.isfinite(value):
        fail(f"{name}: expected a finite number, got {value}")
    return value


def relative_error(got, expected) -> float:
    """Largest |got - expected| / max(|expected|, 1e-12), the CS231n-style relative error."""
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    return float(np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1e-12), initial=0.0))


def check_choices(name: str, prediction, keys, choices) -> dict:
    """Return ``prediction`` after checking it is a dict giving one of ``choices`` for every key.

    The predict-then-run tasks ask for a dict such as ``{"SGD": "faster", "Adam": "unchanged"}``;
    a missing key, an unfilled ``...`` or a value outside ``choices`` fails with a message saying which.
    """
    if not isinstance(prediction, dict):
        fail(f"{name}: expected a dict with the keys {list(keys)}, got {type(prediction).__name__}")
    missing = [key for key in keys if key not in prediction]
    if missing:
        fail(f"{name}: the keys {missing} are missing")
    for key in keys:
        value = prediction.get(key)
        if value is ... or value is None:
            fail(f"{name}[{key!r}]: not filled in yet - write your prediction before you run the experiment.")
        if value not in choices:
            fail(f"{name}[{key!r}]: expected one of {list(choices)}, got {value!r}")
    return prediction


def check_true(condition: bool, message: str) -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        fail(message)
