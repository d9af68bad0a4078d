"""wloss.stats: weighted logistic regression, its two standard errors, clustered paired comparisons."""
import numpy as np
import pytest
from scipy import stats
from scipy.optimize import minimize

from wloss.stats import (cluster_bootstrap_means, clustered_paired_t, logistic_standard_errors,
                         weighted_logistic_regression)


def data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1.0 + 1.5 * x)))).astype(float)
    return np.c_[np.ones(n), x], y


def test_integer_weights_give_the_mle_of_the_replicated_data():
    X, y = data()
    w = np.where(y == 1, 3, 2)
    rows = np.repeat(np.arange(len(y)), w)
    Xr, yr = X[rows], y[rows]

    # an independent fit: scipy minimises the plain negative log-likelihood of the replicated rows
    def nll(b):
        z = Xr @ b
        return np.sum(np.logaddexp(0, z) - yr * z)
    independent = minimize(nll, np.zeros(2), method="BFGS", options={"gtol": 1e-8}).x
    assert np.allclose(weighted_logistic_regression(X, y, w), independent, atol=1e-4)
    assert np.allclose(weighted_logistic_regression(X, y, w), weighted_logistic_regression(Xr, yr), atol=1e-10)


def test_the_weighted_score_is_zero_at_the_fit():
    X, y = data(seed=1)
    w = np.random.default_rng(1).uniform(0.5, 20, len(y))
    b = weighted_logistic_regression(X, y, w)
    p = 1 / (1 + np.exp(-X @ b))
    assert np.abs(X.T @ (w * (y - p))).max() < 1e-8


def test_scaling_all_weights_moves_the_naive_error_but_not_the_fit_or_the_sandwich():
    X, y = data(seed=2)
    w = np.where(y == 1, 20.0, 1.0)
    b1, b100 = weighted_logistic_regression(X, y, w), weighted_logistic_regression(X, y, 100 * w)
    assert np.allclose(b1, b100, atol=1e-9)
    se1, se100 = logistic_standard_errors(X, y, b1, w), logistic_standard_errors(X, y, b100, 100 * w)
    assert np.allclose(se100["naive"], se1["naive"] / 10)
    assert np.allclose(se100["sandwich"], se1["sandwich"])


def test_naive_error_is_the_inverse_hessian_of_the_log_likelihood():
    X, y = data(seed=3)
    w = np.where(y == 1, 5.0, 1.0)
    b = weighted_logistic_regression(X, y, w)

    def loglik(c):
        z = X @ c
        return np.sum(w * (y * z - np.logaddexp(0, z)))
    h, eye = 1e-4, np.eye(2)
    hessian = np.array([[(loglik(b + h * (eye[i] + eye[j])) - loglik(b + h * (eye[i] - eye[j]))
                          - loglik(b - h * (eye[i] - eye[j])) + loglik(b - h * (eye[i] + eye[j]))) / (4 * h * h)
                         for j in range(2)] for i in range(2)])
    expected = np.sqrt(np.diag(np.linalg.inv(-hessian)))
    assert np.allclose(logistic_standard_errors(X, y, b, w)["naive"], expected, rtol=1e-4)


def test_sandwich_matches_a_bootstrap_over_examples():
    X, y = data(n=400, seed=4)
    w = np.where(y == 1, 20.0, 1.0)
    se = logistic_standard_errors(X, y, weighted_logistic_regression(X, y, w), w)
    rng = np.random.default_rng(4)
    draws = [weighted_logistic_regression(X[i], y[i], w[i]) for i in rng.integers(0, len(y), (300, len(y)))]
    bootstrap = np.std(draws, axis=0, ddof=1)
    assert np.allclose(se["sandwich"], bootstrap, rtol=0.2)
    assert np.all(se["naive"] < 0.6 * bootstrap)      # the replicated-data reading is far too confident


def test_clustered_t_is_a_one_sample_t_on_cluster_means():
    rng = np.random.default_rng(5)
    clusters = np.repeat(np.arange(10), 10)
    d = rng.normal(0.2, 1.0, 100) + np.repeat(rng.normal(0, 1, 10), 10)
    t, p, g = clustered_paired_t(d, clusters)
    means = d.reshape(10, 10).mean(axis=1)
    expected = stats.ttest_1samp(means, 0.0)
    assert g == 10 and t == pytest.approx(expected.statistic) and p == pytest.approx(expected.pvalue)
    # one run per cluster: the ordinary paired t-test
    a, b = rng.normal(size=12), rng.normal(size=12)
    t1, p1, _ = clustered_paired_t(a - b, np.arange(12))
    assert (t1, p1) == pytest.approx(tuple(stats.ttest_rel(a, b)))


def test_cluster_bootstrap_resamples_whole_clusters():
    d = np.array([1.0, 1.0, 1.0, 5.0, 5.0, 9.0])
    clusters = np.array([0, 0, 0, 1, 1, 2])
    draws = cluster_bootstrap_means(d, clusters, n_boot=500, seed=1)
    # every replicate is an average of whole clusters: sums / counts of some multiset of clusters
    possible = {round((3 * a * 1 + 2 * b * 5 + c * 9) / (3 * a + 2 * b + c), 9)
                for a in range(4) for b in range(4) for c in range(4) if a + b + c == 3}
    assert {round(v, 9) for v in draws} <= possible
    assert np.array_equal(draws, cluster_bootstrap_means(d, clusters, n_boot=500, seed=1))


@pytest.mark.parametrize("call, match", [
    (lambda: weighted_logistic_regression(np.ones(3), [0, 1, 0]), "^X: expected a non-empty 2-d array"),
    (lambda: weighted_logistic_regression(np.ones((3, 1)), [0, 2, 0]), r"^y: expected N = 3 labels in \{0, 1\}"),
    (lambda: weighted_logistic_regression(np.ones((3, 1)), [0, 1, 0], [1, -1, 1]), "weights"),
    (lambda: logistic_standard_errors(np.ones((3, 2)), [0, 1, 0], [0.0]), "coef"),
    (lambda: clustered_paired_t([1.0, 2.0], [0]), "clusters"),
    (lambda: clustered_paired_t([1.0, 2.0], [0, 0]), "clusters"),
    (lambda: cluster_bootstrap_means([1.0, 2.0], [0, 1], n_boot=0), "n_boot"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_separable_classes_raise_the_documented_error():
    X = np.c_[np.ones(6), np.arange(6.0)]
    with pytest.raises(ValueError, match="separable"):
        weighted_logistic_regression(X, [0, 0, 0, 1, 1, 1])


@pytest.mark.parametrize("coef, words", [([float("nan"), 0.0], "coef must be finite"), ([0.0], "coef: expected shape")])
def test_standard_errors_check_the_coefficients(coef, words):
    X = np.c_[np.ones(4), [0.0, 1.0, 2.0, 3.0]]
    with pytest.raises(ValueError, match=words):
        logistic_standard_errors(X, [0, 1, 0, 1], coef)
