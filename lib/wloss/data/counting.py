"""A synthetic "count the objects" image set with ordinal, skewed labels.

A practitioner in lecture 10 labels each image with a count (30 classes, most
images with few objects, few with many) and cares about how far a
prediction is from the true count. ``make_counting_images`` builds a small
stand-in: the label of an image is the number of bright rectangles drawn on it.

Drawing: the image is cut into cells of ``CELL`` x ``CELL`` pixels; an image
with label c gets one rectangle (2 or 3 pixels per side, random offset,
random brightness in [0.5, 1]) in each of c distinct random cells. The
last row and column of every cell stay dark, so rectangles never touch and
counting connected bright regions recovers the label exactly.
"""
from __future__ import annotations

import numbers

import numpy as np

from wloss._validation import check_nonnegative_finite

CELL = 4
SIDES = (2, 3)


def counting_label_distribution(num_classes: int = 30, skew: float = 4.0) -> np.ndarray:
    """Label probabilities P(c) proportional to exp(-skew * c / (K - 1)), c = 0 .. K-1.

    ``skew = 0`` is uniform; with ``skew = 4`` the largest count is
    e^4 (about 55) times rarer than an empty image.

    Returns
    -------
    ndarray of float64, shape (K,), summing to 1

    Examples
    --------
    >>> counting_label_distribution(3, skew=0.0)
    array([0.33333333, 0.33333333, 0.33333333])
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got {num_classes!r}")
    skew = float(check_nonnegative_finite(skew, "skew", shape=()))
    unnormalised = np.exp(-skew * np.arange(num_classes) / (num_classes - 1))
    return unnormalised / unnormalised.sum()


def make_counting_images(n: int, num_classes: int = 30, image_size: int = 28, seed: int = 0, skew: float = 4.0):
    """Images showing ``label`` separate bright rectangles on a dark background.

    Labels are drawn from ``counting_label_distribution(num_classes, skew)``
    (many small counts, few large ones); each image then gets ``label``
    rectangles in distinct cells of a grid of ``image_size // 4`` x
    ``image_size // 4`` cells of 4 x 4 pixels.

    Parameters
    ----------
    n : int
        Number of images, >= 1.
    num_classes : int
        K: labels are 0 .. K-1; needs (image_size // 4)^2 >= K - 1 cells.
    image_size : int
        S, the side in pixels.
    seed : int
    skew : float >= 0
        0 = uniform labels; larger = more small counts.

    Returns
    -------
    images : ndarray of float32, shape (n, 1, S, S), in [0, 1]
    labels : ndarray of int64, shape (n,)

    Examples
    --------
    >>> images, labels = make_counting_images(4, num_classes=5, image_size=12, seed=0)
    >>> images.shape, labels.dtype
    ((4, 1, 12, 12), dtype('int64'))
    """
    for name, value, minimum in (("n", n, 1), ("image_size", image_size, CELL)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
            raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    probabilities = counting_label_distribution(num_classes, skew)
    cells_per_side = image_size // CELL
    if cells_per_side**2 < num_classes - 1:
        raise ValueError(
            f"image_size {image_size} has {cells_per_side**2} cells of {CELL}x{CELL} pixels, "
            f"too few for counts up to num_classes - 1 = {num_classes - 1}"
        )
    rng = np.random.default_rng(seed)
    labels = rng.choice(num_classes, size=n, p=probabilities).astype(np.int64)
    cell_brightness = _cell_brightness(rng, labels, cells_per_side)
    return _render(rng, cell_brightness, image_size), labels


def _cell_brightness(rng, labels, cells_per_side):
    """(n, G, G) brightness of the rectangle in each cell, 0 where the cell is empty."""
    n, cells = labels.size, cells_per_side**2
    # rank of each cell in a random order: the `label` lowest-ranked cells are used
    rank = rng.random((n, cells)).argsort(axis=1).argsort(axis=1)
    used = rank < labels[:, None]
    brightness = rng.uniform(0.5, 1.0, size=(n, cells)) * used
    return brightness.reshape(n, cells_per_side, cells_per_side)


def _render(rng, cell_brightness, image_size):
    """Draw one rectangle per used cell: random sides in SIDES, random offset, last row/column kept dark."""
    n, g, _ = cell_brightness.shape
    height, width = (rng.choice(SIDES, size=(n, g, g)) for _ in range(2))
    top = rng.integers(0, CELL - height)  # CELL - side - 1 is the largest offset keeping the border dark
    left = rng.integers(0, CELL - width)
    local = np.arange(CELL)
    rows = (local >= top[..., None]) & (local < (top + height)[..., None])  # (n, g, g, CELL)
    cols = (local >= left[..., None]) & (local < (left + width)[..., None])
    cells = rows[..., :, None] & cols[..., None, :]  # (n, g, g, CELL, CELL)
    drawn = cells * cell_brightness[..., None, None]
    images = np.zeros((n, 1, image_size, image_size), dtype=np.float32)
    images[:, 0, : g * CELL, : g * CELL] = drawn.transpose(0, 1, 3, 2, 4).reshape(n, g * CELL, g * CELL)
    return images
