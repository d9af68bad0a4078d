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
