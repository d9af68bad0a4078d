"""The course's figure style, set in one place, and plots several lectures share."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

#: Colours used for the negative / positive (or majority / minority) class everywhere.
CLASS_COLORS = ("#4C72B0", "#DD8452")


def use_course_style() -> None:
    """Apply the course's matplotlib / seaborn style (white grid, readable sizes)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", palette="deep")
    plt.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 80,
            "axes.titlesize": "medium",
            "axes.titleweight": "bold",
            "savefig.bbox": "tight",
        }
    )


def plot_decision_boundary(ax, predict_proba, X, y, threshold=0.5, grid=200,
                           label=None, color="k", linestyle="-", show_points=True):
    """Draw the level set ``predict_proba(x) = threshold`` of a 2-D binary classifier.

    Parameters
    ----------
    ax : matplotlib Axes
    predict_proba : callable
        Maps an array of shape (M, 2) to probabilities of the positive class, shape (M,).
    X : ndarray, shape (N, 2)
    y : ndarray, shape (N,), labels in {0, 1}
    threshold : float
        The probability at which the boundary is drawn.
    grid : int
        Number of grid points per axis.
    label, color, linestyle :
        Style of the boundary line (``label`` goes in the legend).
    show_points : bool
        Scatter the data, coloured by class, under the boundary.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, grid)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, grid)
    xx, yy = np.meshgrid(xs, ys)
    proba = np.asarray(predict_proba(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    if show_points:
        for k in (0, 1):
            m = y == k
            ax.scatter(X[m, 0], X[m, 1], s=8 if k == 0 else 14, alpha=0.5 if k == 0 else 0.9,
                       color=CLASS_COLORS[k], label=f"class {k} (n={m.sum()})")
    ax.contour(xx, yy, proba, levels=[threshold], colors=[color], linestyles=[linestyle])
    if label is not None:
        ax.plot([], [], color=color, linestyle=linestyle, label=label)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def critical_difference_diagram(mean_ranks, critical_difference, ax=None, title=None, cliques=None):
    """Demšar's critical-difference diagram: methods on an axis of average ranks, joined when not different.

    The axis runs from rank 1 (best, left) to k; each method hangs from its average rank, the better half
    labelled on the left, the rest on the right. A bar of length ``critical_difference`` is drawn above
    the axis, and thick lines join the methods of each group whose average ranks differ by less than it
    (``wloss.stats.nemenyi_cliques``).

    Parameters
    ----------
    mean_ranks : mapping or pandas Series
        Method name -> average rank.
    critical_difference : float
        Nemenyi's CD (``wloss.stats.nemenyi_critical_difference``).
    ax : matplotlib Axes, optional
        Drawn on a new figure when None.
    title : str, optional
    cliques : list of (first, last), optional
        Positions (in the order of increasing rank) to join; default ``nemenyi_cliques``.

    Returns
    -------
    matplotlib Axes
    """
    from wloss.stats import nemenyi_cliques

    items = sorted(dict(mean_ranks).items(), key=lambda item: item[1])
    if len(items) < 2:
        raise ValueError(f"mean_ranks: expected at least 2 methods, got {len(items)}")
    names = [name for name, _ in items]
    ranks = np.array([rank for _, rank in items], dtype=float)
    k = len(ranks)
    if cliques is None:
        cliques = nemenyi_cliques(ranks, critical_difference)
    half = (k + 1) // 2
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 1.2 + 0.28 * half))
    low, high = 1, max(k, int(np.ceil(ranks.max())))
    ax.set_xlim(low - 0.6, high + 0.6)
    base = 0.5 + 0.2 * len(cliques)  # the clique bars sit between the axis and the first label row
    ax.set_ylim(base + half + 0.5, -1.6)
    ax.axis("off")
    ax.hlines(0, low, high, color="k", linewidth=1)
    for tick in range(low, high + 1):
        ax.vlines(tick, -0.15, 0, color="k", linewidth=1)
        ax.text(tick, -0.25, str(tick), ha="center", va="bottom", fontsize=9)
    ax.hlines(-1.1, low, low + critical_difference, color="k", linewidth=1.5)
    ax.vlines([low, low + critical_difference], -1.2, -1.0, color="k", linewidth=1.5)
    ax.text(low + critical_difference / 2, -1.25, f"CD = {critical_difference:.2f}", ha="center",
            va="bottom", fontsize=9)
    for position, (name, rank) in enumerate(zip(names, ranks)):
        left = position < half
        row = (position if left else k - 1 - position) + base
        edge = low - 0.5 if left else high + 0.5
        ax.plot([rank, rank, edge], [0, row, row], color="k", linewidth=0.8)
        ax.text(edge, row, f"{name} ({rank:.1f}) " if left else f" ({rank:.1f}) {name}",
                ha="right" if left else "left", va="center", fontsize=9)
    for level, (first, last) in enumerate(cliques):
        y = 0.3 + 0.2 * level
        ax.hlines(y, ranks[first] - 0.04, ranks[last] + 0.04, color="tab:red", linewidth=3)
    if title:
        ax.set_title(title)
    return ax
