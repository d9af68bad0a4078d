"""One-line set-up that every course notebook runs first, and the claim helper.

``setup_notebook(seed)`` makes a notebook's outputs reproducible under nbval:
it seeds Python, NumPy and PyTorch, pins PyTorch to one thread (so float
results do not depend on how many cores the machine has), fixes print
precision, and applies the course's figure style.

``claim(holds, statement)`` prints a tick when a claim the text makes about a
run holds, and a friendly note (not a traceback) when a student's settings
break it. ``claim_agree(error, tolerance, what)`` is the claim that two
computations agree: it prints the tolerance, never the rounding-level error,
so the output is the same on every CPU. ``format_p`` and ``p_is`` print a p-value at a fixed precision
("< 1e-6" below ``P_VALUE_FLOOR``).

Under test (``WLOSS_CLAIMS=strict``, which the repository's ``conftest.py``
sets for every pytest run, nbval's kernels included, and ``make execute`` sets
for its kernels) a claim that does not hold raises :class:`ClaimFailed` after
printing its note, so it fails its cell even where the cell's output is not
compared (``nbval-ignore-output``).
"""
from __future__ import annotations

import math
import os
import random

import numpy as np


def setup_notebook(seed: int = 0) -> np.random.Generator:
    """Seed everything, pin threads, set print options and figure style.

    Parameters
    ----------
    seed : int
        Seed for ``random``, ``numpy`` and ``torch``.

    Returns
    -------
    numpy.random.Generator
        A generator seeded with ``seed``, for the notebook's own draws.

    Examples
    --------
    >>> rng = setup_notebook(0)
    >>> float(rng.random()) == float(np.random.default_rng(0).random())
    True
    """
    import torch

    from wloss.plotting import use_course_style

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    np.set_printoptions(precision=4, suppress=True)
    torch.set_printoptions(precision=4, sci_mode=False)
    use_course_style()
    return np.random.default_rng(seed)


STRICT_VARIABLE = "WLOSS_CLAIMS"


class ClaimFailed(AssertionError):
    """A claim of the text did not hold while the notebook ran under test."""


def claim(holds, statement: str, *, why_it_may_fail: str = "") -> None:
    """Print whether a claim the lecture text makes about this run holds.

    Lectures make claims that depend on a run ("re-weighting raises the
    minority's recall above 0.8"). A bare ``assert`` turns a student's changed
    seed or weight into a traceback that reads like a bug; ``claim`` prints a
    line instead, and nbval still notices any drift because the line changes.

    Parameters
    ----------
    holds : bool
        Whether the claim holds in this run (anything ``bool()`` accepts,
        e.g. a NumPy bool).
    statement : str
        The claim in the words of the text, with the run's numbers in it,
        e.g. ``f"recall rises from {r0:.2f} to {r1:.2f}"``.
    why_it_may_fail : str, optional
        What a student may have changed that breaks the claim ("a different
        seed or fewer epochs"). Shown only when the claim does not hold.

    It returns nothing, so a claim on a cell's last line shows only its line
    (nbval runs cells without output history, where a trailing ``;`` would
    not hide a returned value).

    Examples
    --------
    >>> claim(0.91 > 0.8, "recall is above 0.8 (0.91)")
    ✔ recall is above 0.8 (0.91)
    >>> claim(0.42 > 0.8, "recall is above 0.8 (0.42)", why_it_may_fail="fewer epochs")
    ℹ With your settings this no longer holds: recall is above 0.8 (0.42).
      This is expected when you change fewer epochs; the text describes the run with the notebook's default settings.
    """
    if bool(holds):
        print(f"\u2714 {statement}")
        return
    reason = why_it_may_fail or "a number, seed or setting of this notebook"
    print(f"\u2139 With your settings this no longer holds: {statement}.\n"
          f"  This is expected when you change {reason}; the text describes the run with the "
          "notebook's default settings.")
    if os.environ.get(STRICT_VARIABLE) == "strict":
        raise ClaimFailed(f"claim does not hold: {statement}")


def claim_agree(error, tolerance: float, what: str, *, why_it_may_fail: str = "") -> None:
    """Claim that two computations agree: ``error <= tolerance``, printed without rounding noise.

    An error at rounding level (``0.0e+00`` on one CPU, ``1.4e-17`` on another) says nothing a
    reader needs and makes an output depend on the machine that wrote it. This prints the
    tolerance the claim checks, ``"✔ {what} agree to 1e-12"``, and shows the error itself only
    when the claim fails.

    Parameters
    ----------
    error : float
        A non-negative error, e.g. ``abs(a - b)`` or a relative error ``|a - b| / |b|``;
        NaN never agrees.
    tolerance : float
        The largest error that counts as agreement, > 0.
    what : str
        The two computations, as the subject of "agree", e.g. ``"autograd and the formula"``.
    why_it_may_fail : str, optional
        As in :func:`claim`.

    Examples
    --------
    >>> claim_agree(3e-17, 1e-12, "the two forms")
    ✔ the two forms agree to 1e-12
    >>> claim_agree(0.25, 1e-12, "the two forms")
    ℹ With your settings this no longer holds: the two forms agree to 1e-12 (error 0.25).
      This is expected when you change a number, seed or setting of this notebook; the text describes the run with the notebook's default settings.
    """
    if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance > 0):
        raise ValueError(f"tolerance must be a finite number > 0, got {tolerance!r}")
    error = float(error)
    bound = _short(tolerance)
    if error <= tolerance:
        claim(True, f"{what} agree to {bound}")
    else:
        claim(False, f"{what} agree to {bound} (error {error:.2g})", why_it_may_fail=why_it_may_fail)


#: Below this a p-value is printed as "< 1e-6": its digits there depend on the tail of a distribution far past what
#: any conclusion reads, and on the arithmetic of the machine that computes them
P_VALUE_FLOOR = 1e-6


def format_p(p: float) -> str:
    """A p-value at a fixed precision, for a table: two significant digits, or ``"< 1e-6"`` below ``P_VALUE_FLOOR``.

    Examples
    --------
    >>> format_p(0.0016401), format_p(2.48e-17)
    ('0.0016', '< 1e-6')
    """
    p = float(p)
    return f"< {_short(P_VALUE_FLOOR)}" if p < P_VALUE_FLOOR else f"{p:.2g}"


def p_is(p: float) -> str:
    """A p-value in a sentence, at the precision of :func:`format_p`: ``"p = 0.0016"`` or ``"p < 1e-6"``.

    Examples
    --------
    >>> p_is(0.0016401), p_is(2.48e-17)
    ('p = 0.0016', 'p < 1e-6')
    """
    text = format_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _short(number: float) -> str:
    """1e-12 -> '1e-12', 5e-06 -> '5e-6', 1e-4 -> '1e-4', 0.01 -> '0.01': a tolerance as one writes it."""
    text = f"{number:.0e}" if number < 1e-3 else f"{number:g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text
