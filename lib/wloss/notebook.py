"""One-line set-up that every course notebook runs first.

``setup_notebook(seed)`` makes a notebook's outputs reproducible under nbval:
it seeds Python, NumPy and PyTorch, pins PyTorch to one thread (so float
results do not depend on how many cores the machine has), fixes print
precision, and applies the course's figure style.
"""
from __future__ import annotations

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
