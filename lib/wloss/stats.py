"""Small statistics the course needs: weighted logistic regression and its standard errors, and
paired comparisons over runs that share data (clusters).

- ``weighted_logistic_regression`` fits a logistic regression that maximises a *weighted*
  log-likelihood by Newton's method (iteratively re-weighted least squares).
- ``logistic_standard_errors`` gives two standard errors of that fit: the naive one, which treats
  a weight w_i as w_i independent copies of example i, and the sandwich (robust) one, which
  treats each example as one independent draw.
- ``clustered_paired_t`` and ``cluster_bootstrap_means`` compare paired runs when several runs
  share data: they average within each cluster first (or resample whole clusters), so runs that
  are not independent are not counted as if they were.
- ``paired_effect`` reports a paired comparison as an estimate with a t confidence interval (and its
  p-value), over the runs or, with ``clusters``, over the cluster means.
- ``bootstrap_cost_difference`` compares two methods' per-example costs on the same test examples: a paired
  bootstrap over the examples of the difference of their mean costs, with a percentile interval.
- ``rank_table``, ``friedman_test``, ``nemenyi_q``, ``nemenyi_critical_difference``,
  ``nemenyi_cliques``, ``holm_adjust`` and ``pairwise_wilcoxon`` compare k methods over N data sets
  as J. Demšar, "Statistical Comparisons of Classifiers over Multiple Data Sets", *JMLR* 7 (2006),
  1–30, recommends: average ranks, Friedman's test, Nemenyi's critical difference, and Wilcoxon
  signed-rank tests over data sets with Holm's correction.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import stats

from wloss._validation import check_nonnegative_finite, finite_real, finite_vector, positive_int

__all__ = ["weighted_logistic_regression", "logistic_standard_errors", "clustered_paired_t", "cluster_bootstrap_means",
           "PairedEffect", "paired_effect", "bootstrap_cost_difference", "rank_table", "FriedmanResult",
           "friedman_test", "nemenyi_q", "nemenyi_critical_difference", "holm_adjust", "pairwise_wilcoxon",
           "nemenyi_cliques"]


def _design(X, y, weights):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X: expected a non-empty 2-d array (N, d), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X: expected finite values")
    y = np.asarray(y, dtype=float)
    if y.shape != (X.shape[0],) or not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y: expected N = {X.shape[0]} labels in {{0, 1}}, got shape {y.shape}")
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != y.shape or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weights: expected N = {len(y)} finite weights >= 0 with a positive sum")
    return X, y, w


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def weighted_logistic_regression(X, y, weights=None, max_iter: int = 100, tol: float = 1e-10) -> np.ndarray:
    """Coefficients maximising the weighted log-likelihood of a logistic regression.

    Maximises  l_w(b) = sum_i w_i [y_i log p_i + (1 - y_i) log(1 - p_i)],  p_i = sigmoid(x_i . b),
    by Newton's method: b <- b + H^-1 g with gradient g = X^T (w * (y - p)) and
    H = X^T diag(w p (1 - p)) X. No intercept is added: put a column of ones in X.

    Parameters
    ----------
    X : array-like, shape (N, d)
        Design matrix.
    y : array-like of {0, 1}, shape (N,)
    weights : array-like, shape (N,), optional
        Non-negative weights w_i (default: all 1, plain maximum likelihood).
    max_iter : int
        Newton steps at most (the log-likelihood is concave, a few are enough unless the data are
        separable: then the coefficients diverge, and a ``ValueError`` says so).
    tol : float
        Stop when the largest coefficient change is below ``tol``.

    Returns
    -------
    ndarray, shape (d,)

    Examples
    --------
    >>> X = np.c_[np.ones(4), [0.0, 1.0, 2.0, 3.0]]
    >>> weighted_logistic_regression(X, [0, 1, 0, 1]).round(4)
    array([-1.3623,  0.9082])
    """
    X, y, w = _design(X, y, weights)
    if max_iter < 1:
        raise ValueError(f"max_iter: expected a positive integer, got {max_iter}")
    b = np.zeros(X.shape[1])
    for _ in range(max_iter):
        p = _sigmoid(X @ b)
        gradient = X.T @ (w * (y - p))
        hessian = X.T @ (X * (w * p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:  # every p_i at 0 or 1: the coefficients ran off to infinity
            break
        b = b + step
        if np.max(np.abs(step)) < tol:
            return b
    raise ValueError(f"weighted_logistic_regression: no convergence in {max_iter} Newton steps "
                     "(are the classes separable?)")


def logistic_standard_errors(X, y, coef, weights=None) -> dict:
    """Naive and sandwich standard errors of a weighted logistic regression's coefficients.

    With p_i = sigmoid(x_i . b), H = X^T diag(w p (1 - p)) X (the weighted log-likelihood's
    negative Hessian) and the per-example scores s_i = w_i (y_i - p_i) x_i:

    - ``naive``    = sqrt(diag(H^-1)): right if example i had been observed w_i times, each time
      independently (frequency weights);
    - ``sandwich`` = sqrt(diag(H^-1 B H^-1)) with B = sum_i s_i s_i^T: right when each example is
      one independent draw and w_i is a weight chosen by the analyst (costs, importance).

    With unit weights both estimate the usual standard error of maximum likelihood.

    Parameters
    ----------
    X : array-like, shape (N, d)
    y : array-like of {0, 1}, shape (N,)
    coef : array-like, shape (d,)
        The fitted coefficients (``weighted_logistic_regression``).
    weights : array-like, shape (N,), optional

    Returns
    -------
    dict with keys ``"naive"`` and ``"sandwich"``, each an ndarray of shape (d,)

    Examples
    --------
    >>> X = np.c_[np.ones(6), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]]
    >>> y = [0, 0, 1, 0, 1, 1]
    >>> b = weighted_logistic_regression(X, y, weights=[2.0] * 6)
    >>> se = logistic_standard_errors(X, y, b, weights=[2.0] * 6)
    >>> bool(np.allclose(se["naive"] * np.sqrt(2), logistic_standard_errors(X, y, b)["naive"]))
    True
    """
    X, y, w = _design(X, y, weights)
    b = finite_vector(coef, "coef")
    if b.shape != (X.shape[1],):
        raise ValueError(f"coef: expected shape ({X.shape[1]},), got {b.shape}")
    p = _sigmoid(X @ b)
    inverse = np.linalg.inv(X.T @ (X * (w * p * (1 - p))[:, None]))
    scores = X * (w * (y - p))[:, None]
    sandwich = inverse @ (scores.T @ scores) @ inverse
    return {"naive": np.sqrt(np.diag(inverse)), "sandwich": np.sqrt(np.diag(sandwich))}


def _differences(values):
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"differences: expected a non-empty 1-d array of finite numbers, got shape {values.shape}")
    return values


def _clustered(values, clusters):
    values = _differences(values)
    clusters = np.asarray(clusters)
    if clusters.shape != values.shape:
        raise ValueError(f"clusters: expected one label per difference, shape {values.shape}, got {clusters.shape}")
    if clusters.dtype.kind in "fc" and np.any(np.isnan(clusters)):
        raise ValueError("clusters: expected cluster labels, got NaN")
    labels, index = np.unique(clusters, return_inverse=True)
    if len(labels) < 2:
        raise ValueError("clusters: expected at least 2 distinct clusters")
    return values, labels, index


def _cluster_means(differences, clusters) -> np.ndarray:
    """The mean difference of each cluster, shape (G,), in the order of the sorted cluster labels."""
    values, _, index = _clustered(differences, clusters)
    return np.bincount(index, weights=values) / np.bincount(index)


def clustered_paired_t(differences, clusters) -> tuple[float, float, int]:
    """Paired t-test on the cluster means of per-run differences.

    Runs in one cluster share data (e.g. the same negatives), so they are not independent. Average
    the differences within each cluster, then test whether the mean of the G cluster means is 0:
    t = mean(m) / (s_m / sqrt(G)) with the sample standard deviation s_m (ddof = 1), two-sided p
    from Student's t with G - 1 degrees of freedom.

    Parameters
    ----------
    differences : array-like, shape (R,)
        One paired difference per run (e.g. control cost - RWWCE cost).
    clusters : array-like, shape (R,)
        The cluster of each run (e.g. its digit).

    Returns
    -------
    (t, p, G) : (float, float, int)

    Examples
    --------
    >>> t, p, g = clustered_paired_t([1.0, 3.0, 2.0, 2.0, 5.0, 3.0], [0, 0, 1, 1, 2, 2])
    >>> g, round(t, 3)
    (3, 4.0)
    """
    means = _cluster_means(differences, clusters)
    result = stats.ttest_1samp(means, 0.0)
    return float(result.statistic), float(result.pvalue), len(means)


def cluster_bootstrap_means(differences, clusters, n_boot: int = 2000, seed: int = 0) -> np.ndarray:
    """Bootstrap distribution of the mean difference, resampling whole clusters.

    Each replicate draws G clusters with replacement and averages all runs of the drawn clusters,
    so the dependence inside a cluster is kept. A 95 % interval: ``np.quantile(draws, [0.025, 0.975])``.

    Parameters
    ----------
    differences : array-like, shape (R,)
    clusters : array-like, shape (R,)
    n_boot : int
        Number of bootstrap replicates (positive).
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    ndarray, shape (n_boot,)

    Examples
    --------
    >>> draws = cluster_bootstrap_means([1.0, 1.0, 3.0, 3.0], [0, 0, 1, 1], n_boot=200)
    >>> sorted(set(draws.tolist()))
    [1.0, 2.0, 3.0]
    """
    values, labels, index = _clustered(differences, clusters)
    if int(n_boot) != n_boot or n_boot < 1:
        raise ValueError(f"n_boot: expected a positive integer, got {n_boot}")
    sums, counts = np.bincount(index, weights=values), np.bincount(index)
    draws = np.random.default_rng(seed).integers(0, len(labels), size=(int(n_boot), len(labels)))
    return sums[draws].sum(axis=1) / counts[draws].sum(axis=1)


@dataclass(frozen=True)
class PairedEffect:
    """A mean paired difference with its standard error, t confidence interval and p-value.

    ``mean`` is the mean over the ``units`` (runs, or cluster means), ``df = units - 1``, and
    ``(low, high)`` the ``confidence`` interval; ``t = mean / se`` and ``p`` its two-sided p-value
    for a true mean of 0 (NaN when ``se`` is 0).
    """

    mean: float
    se: float
    low: float
    high: float
    t: float
    p: float
    df: int
    units: int
    confidence: float
    clustered: bool

    def __str__(self) -> str:
        unit = "clusters" if self.clustered else "runs"
        return (f"{self.mean:.4g} (SE {self.se:.3g}; {self.confidence:.0%} CI {self.low:.4g} to {self.high:.4g}; "
                f"p = {self.p:.3g}; {self.units} {unit}, t with {self.df} df)")


def _confidence(confidence) -> float:
    level = finite_real(confidence, "confidence")
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence: expected a number in (0, 1), got {level}")
    return level


def paired_effect(differences, clusters=None, confidence: float = 0.95) -> PairedEffect:
    """Mean paired difference, its standard error, t confidence interval and p-value.

    Without ``clusters`` the units are the R runs' differences d_r, taken as independent:

        mean = (1/R) sum_r d_r,  se = s_d / sqrt(R),  df = R - 1,
        interval = mean -/+ q se  with q the (1 + confidence) / 2 quantile of Student's t(df),
        t = mean / se, two-sided p = 2 P(T_df > |t|),

    i.e. the one-sample t interval and paired t-test (``scipy.stats.ttest_1samp``). With ``clusters``
    the units are the G cluster means m_g (the runs of one cluster share data, so they are not
    independent) and the same formulas run on them with df = G - 1: the mean and p-value are those of
    ``clustered_paired_t``. Each cluster counts once; with equal cluster sizes ``mean`` is the mean over
    the runs and ``se`` the cluster-robust standard error of that mean (the sandwich with the small-sample
    factor G / (G - 1)). A cluster per run gives the unclustered result.

    Report the interval: it gives the size of the effect and its uncertainty, while p is below
    1 - confidence exactly when 0 lies outside the interval, and says no more.

    Parameters
    ----------
    differences : array-like, shape (R,)
        One paired difference per run (e.g. RWWCE errors - control errors), finite; R >= 2.
    clusters : array-like, shape (R,), optional
        The cluster of each run (e.g. its true class); at least 2 distinct clusters.
    confidence : float
        Level of the interval, in (0, 1).

    Returns
    -------
    PairedEffect
        Fields ``mean``, ``se``, ``low``, ``high``, ``t``, ``p``, ``df``, ``units`` (R or G),
        ``confidence``, ``clustered``.

    Examples
    --------
    >>> effect = paired_effect([1.0, 2.0, 3.0])  # mean 2, se 1 / sqrt(3), t(2) quantile 4.303
    >>> round(effect.mean, 3), round(effect.se, 3), round(effect.low, 3), round(effect.high, 3), effect.df
    (2.0, 0.577, -0.484, 4.484, 2)
    >>> effect = paired_effect([1.0, 3.0, 2.0, 2.0, 5.0, 3.0], clusters=[0, 0, 1, 1, 2, 2])
    >>> round(effect.mean, 3), round(effect.t, 3), effect.units  # cluster means 2, 2, 4
    (2.667, 4.0, 3)
    """
    level = _confidence(confidence)
    if clusters is None:
        units = _differences(differences)
        if units.size < 2:
            raise ValueError(f"differences: expected at least 2 values for a standard error, got {units.size}")
    else:
        units = _cluster_means(differences, clusters)
    n = units.size
    mean, se = float(np.mean(units)), float(np.std(units, ddof=1) / np.sqrt(n))
    half = float(stats.t.ppf((1 + level) / 2, n - 1)) * se
    t = mean / se if se > 0 else float("nan")
    p = float(2 * stats.t.sf(abs(t), n - 1)) if se > 0 else float("nan")
    return PairedEffect(mean=mean, se=se, low=mean - half, high=mean + half, t=t, p=p, df=n - 1, units=n,
                        confidence=level, clustered=clusters is not None)


def bootstrap_cost_difference(cost_a, cost_b, n_boot: int = 2000, seed: int = 0, level: float = 0.95) -> dict:
    """Paired bootstrap of the mean per-example cost of A minus that of B.

    Each replicate draws N example indices with replacement and uses the SAME
    indices for both methods, so what is common to an example (a hard case)
    cancels in the difference. Pass ``cost_b = 0`` per example (zeros) for a
    confidence interval of A's Real World Cost alone.

    Parameters
    ----------
    cost_a, cost_b : array-like, shape (N,), per-example costs on the same examples
    n_boot : int >= 1
    seed : int, seeds ``numpy.random.default_rng``
    level : float in (0, 1), the coverage of the percentile interval

    Returns
    -------
    dict with ``difference`` (mean(a) - mean(b)), ``low``, ``high`` (percentile
    interval) and ``replicates`` (shape (n_boot,)).

    Examples
    --------
    >>> out = bootstrap_cost_difference([1.0, 2.0, 3.0], [0.0, 1.0, 2.0], n_boot=50)
    >>> out["difference"], out["low"], out["high"]
    (1.0, 1.0, 1.0)
    """
    a = check_nonnegative_finite(cost_a, "cost_a", shape=(None,))
    b = check_nonnegative_finite(cost_b, "cost_b", shape=(None,))
    if a.size == 0:
        raise ValueError("cost_a must hold at least one example")
    if a.shape != b.shape:
        raise ValueError(f"cost_a and cost_b must be costs of the same examples, got shapes {a.shape} and {b.shape}")
    n_boot = positive_int(n_boot, "n_boot")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    rng = np.random.default_rng(seed)
    difference = a - b
    idx = rng.integers(0, len(a), size=(n_boot, len(a)))
    replicates = difference[idx].mean(axis=1)
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return {"difference": float(difference.mean()), "low": float(low), "high": float(high),
            "replicates": replicates}


# ---- comparing methods over many data sets (Demšar 2006) ----------------------------------------

def _score_table(scores) -> np.ndarray:
    table = np.asarray(scores, dtype=float)
    if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] < 2:
        raise ValueError(f"scores: expected a 2-d array (data sets, methods) with at least 2 of each, "
                         f"got shape {table.shape}")
    if not np.all(np.isfinite(table)):
        raise ValueError("scores: expected finite values")
    return table


def rank_table(scores, lower_is_better: bool = True) -> np.ndarray:
    """Rank the methods within each data set: 1 = best, ties share their mean rank.

    Parameters
    ----------
    scores : array-like, shape (N, k)
        One row per data set, one column per method (e.g. the mean over folds of a metric).
    lower_is_better : bool
        True for a cost or an error, False for an accuracy or average precision.

    Returns
    -------
    ndarray, shape (N, k)
        The rank of each method within each data set; ``ranks.mean(axis=0)`` are the average ranks.

    Examples
    --------
    >>> rank_table([[0.1, 0.3, 0.2], [0.5, 0.5, 0.1]])
    array([[1. , 3. , 2. ],
           [2.5, 2.5, 1. ]])
    """
    table = _score_table(scores)
    return stats.rankdata(table if lower_is_better else -table, axis=1)


@dataclass(frozen=True)
class FriedmanResult:
    """Friedman's test of k methods over N data sets.

    ``mean_ranks`` (shape (k,)); ``chi2`` Friedman's statistic (tie-corrected) and ``p`` its p-value from
    chi-square with k - 1 degrees of freedom; ``f`` Iman and Davenport's F statistic and ``p_f`` its
    p-value from F(k - 1, (k - 1)(N - 1)); ``n_datasets`` N and ``n_methods`` k.
    """

    mean_ranks: np.ndarray
    chi2: float
    p: float
    f: float
    p_f: float
    n_datasets: int
    n_methods: int


def friedman_test(scores, lower_is_better: bool = True) -> FriedmanResult:
    """Friedman's test that k methods perform alike over N data sets, from a (data set x method) table.

    With r_ij the rank of method j on data set i (``rank_table``) and R_j = (1/N) sum_i r_ij its average
    rank (Demšar 2006, eq. 1):

        chi2_F = 12 N / (k (k + 1)) [sum_j R_j^2 - k (k + 1)^2 / 4],

    divided by 1 - sum(t^3 - t) / (N k (k^2 - 1)) over the groups of t tied values within each row (the
    correction of ``scipy.stats.friedmanchisquare``; 1 without ties), and compared with chi-square with
    k - 1 degrees of freedom. Iman and Davenport's F_F = (N - 1) chi2_F / (N (k - 1) - chi2_F), compared
    with F(k - 1, (k - 1)(N - 1)), is less conservative (Demšar's recommendation).

    Parameters
    ----------
    scores : array-like, shape (N, k)
    lower_is_better : bool

    Returns
    -------
    FriedmanResult

    Examples
    --------
    >>> result = friedman_test([[1, 2, 3], [1, 3, 2], [1, 2, 3], [2, 1, 3]])
    >>> result.mean_ranks, round(result.chi2, 3), round(result.p, 4)
    (array([1.25, 2.  , 2.75]), 4.5, 0.1054)
    """
    table = _score_table(scores)
    n, k = table.shape
    ranks = rank_table(table, lower_is_better)
    mean_ranks = ranks.mean(axis=0)
    chi2 = 12.0 * n / (k * (k + 1)) * (np.sum(mean_ranks ** 2) - k * (k + 1) ** 2 / 4.0)
    ties = sum(float(np.sum(counts ** 3 - counts)) for counts in
               (np.unique(row, return_counts=True)[1] for row in ranks))
    correction = 1.0 - ties / (n * k * (k * k - 1))
    chi2 = float(chi2 / correction) if correction > 0 else 0.0
    p = float(stats.chi2.sf(chi2, k - 1))
    denominator = n * (k - 1) - chi2
    f = float((n - 1) * chi2 / denominator) if denominator > 0 else float("inf")
    p_f = float(stats.f.sf(f, k - 1, (k - 1) * (n - 1))) if np.isfinite(f) else 0.0
    return FriedmanResult(mean_ranks=mean_ranks, chi2=chi2, p=p, f=f, p_f=p_f, n_datasets=n, n_methods=k)


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """The critical value q_alpha of the Nemenyi test for k methods: the studentized range quantile / sqrt(2).

    q_alpha = Q_{1 - alpha}(k, infinite df) / sqrt(2) (Demšar 2006, Table 5a: 2.343 at k = 3, 3.164 at
    k = 10 for alpha = 0.05).

    Examples
    --------
    >>> round(nemenyi_q(2), 3)  # two methods: the normal quantile 1.960
    1.96
    """
    if isinstance(k, bool) or int(k) != k or k < 2:
        raise ValueError(f"k: expected an integer >= 2 methods, got {k}")
    level = finite_real(alpha, "alpha")
    if not 0.0 < level < 1.0:
        raise ValueError(f"alpha: expected a number in (0, 1), got {alpha}")
    return float(stats.studentized_range.ppf(1.0 - level, int(k), np.inf) / np.sqrt(2.0))


def nemenyi_critical_difference(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi's critical difference of average ranks: CD = q_alpha sqrt(k (k + 1) / (6 N)).

    Two of k methods compared over N data sets differ significantly (all pairs, family-wise level alpha)
    when their average ranks differ by at least CD (Demšar 2006, section 3.2.2).

    Examples
    --------
    >>> round(nemenyi_critical_difference(4, 14), 3)  # Demšar's example: 2.569 * sqrt(20 / 84)
    1.254
    """
    if isinstance(n, bool) or int(n) != n or n < 2:
        raise ValueError(f"n: expected an integer >= 2 data sets, got {n}")
    return nemenyi_q(k, alpha) * float(np.sqrt(k * (k + 1) / (6.0 * n)))


def holm_adjust(pvalues) -> np.ndarray:
    """Holm's step-down adjusted p-values: reject hypothesis i at family-wise level alpha when p_i^adj <= alpha.

    With the m p-values sorted, p_(1) <= ... <= p_(m): p_(i)^adj = max_{j <= i} min(1, (m - j + 1) p_(j)),
    returned in the original order (Holm 1979).

    Examples
    --------
    >>> holm_adjust([0.01, 0.04, 0.03])
    array([0.03, 0.06, 0.06])
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError(f"pvalues: expected a non-empty 1-d array of numbers in [0, 1], got {pvalues!r}")
    m = p.size
    order = np.argsort(p, kind="mergesort")
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return adjusted


def pairwise_wilcoxon(scores, pairs, names=None, lower_is_better: bool = True):
    """Wilcoxon signed-rank tests of pairs of methods over data sets, with Holm's correction.

    For each pair (a, b) the N per-data-set differences d_i = score_a - score_b are tested with
    ``scipy.stats.wilcoxon`` (two-sided; zero differences dropped, ``zero_method="wilcox"``). The
    p-values of all the pairs are then adjusted together with ``holm_adjust``.

    Parameters
    ----------
    scores : array-like, shape (N, k)
        One row per data set, one column per method.
    pairs : list of (a, b)
        Column indices, or names when ``names`` is given.
    names : list of str, optional
        The k methods' names, in the order of the columns.
    lower_is_better : bool
        Decides which method of a pair ``wins`` on a data set.

    Returns
    -------
    list of dict
        One per pair, in the given order: ``a``, ``b``, ``median_difference`` (median of a - b),
        ``wins_a``, ``wins_b`` (data sets where a, b is better), ``ties``, ``statistic``, ``p``,
        ``p_holm``.

    Examples
    --------
    >>> table = [[1.0, 2.0], [2.0, 3.5], [0.5, 0.4], [3.0, 4.0], [1.0, 1.5], [2.0, 2.9]]
    >>> result = pairwise_wilcoxon(table, [(0, 1)])[0]
    >>> result["wins_a"], result["wins_b"], round(result["p"], 4)
    (5, 1, 0.0625)
    """
    table = _score_table(scores)
    if names is not None:
        names = list(names)
        if len(names) != table.shape[1]:
            raise ValueError(f"names: expected {table.shape[1]} names, got {len(names)}")
    index = (lambda m: names.index(m)) if names is not None else (lambda m: int(m))
    label = (lambda j: names[j]) if names is not None else (lambda j: j)
    results = []
    for a, b in pairs:
        try:
            ia, ib = index(a), index(b)
        except ValueError:
            raise ValueError(f"pairs: unknown method in {(a, b)}") from None
        if not (0 <= ia < table.shape[1] and 0 <= ib < table.shape[1]) or ia == ib:
            raise ValueError(f"pairs: expected two different columns, got {(a, b)}")
        d = table[:, ia] - table[:, ib]
        better_a = d < 0 if lower_is_better else d > 0
        better_b = d > 0 if lower_is_better else d < 0
        if np.all(d == 0):
            statistic, p = float("nan"), 1.0
        else:
            test = stats.wilcoxon(table[:, ia], table[:, ib], zero_method="wilcox")
            statistic, p = float(test.statistic), float(test.pvalue)
        results.append({"a": label(ia), "b": label(ib), "median_difference": float(np.median(d)),
                        "wins_a": int(better_a.sum()), "wins_b": int(better_b.sum()),
                        "ties": int((d == 0).sum()), "statistic": statistic, "p": p})
    for result, adjusted in zip(results, holm_adjust([r["p"] for r in results])):
        result["p_holm"] = float(adjusted)
    return results


def nemenyi_cliques(mean_ranks, critical_difference: float) -> list[tuple[int, int]]:
    """Groups of methods whose average ranks lie within one critical difference: the bars of a CD diagram.

    The methods sorted by average rank; each returned (first, last) is a maximal run of positions in that
    order whose ranks differ by less than ``critical_difference`` (runs of one method are left out).

    Examples
    --------
    >>> nemenyi_cliques([1.0, 1.5, 3.0, 3.2], 1.0)
    [(0, 1), (2, 3)]
    """
    ranks = np.sort(np.asarray(mean_ranks, dtype=float))
    cd = finite_real(critical_difference, "critical_difference")
    cliques = []
    for first in range(len(ranks)):
        last = first
        while last + 1 < len(ranks) and ranks[last + 1] - ranks[first] < cd:
            last += 1
        if last > first and not (cliques and cliques[-1][1] >= last):
            cliques.append((first, last))
    return cliques
