"""Comparing methods over many data sets (Demšar 2006): ranks, Friedman, Nemenyi, Wilcoxon with Holm."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from wloss.plotting import critical_difference_diagram  # noqa: E402
from wloss.stats import (friedman_test, holm_adjust, nemenyi_cliques, nemenyi_critical_difference,  # noqa: E402
                         nemenyi_q, pairwise_wilcoxon, rank_table)


def test_rank_table_orders_and_averages_ties():
    scores = np.array([[0.3, 0.1, 0.2], [0.2, 0.2, 0.5]])
    np.testing.assert_array_equal(rank_table(scores), [[3, 1, 2], [1.5, 1.5, 3]])
    np.testing.assert_array_equal(rank_table(scores, lower_is_better=False), [[1, 3, 2], [2.5, 2.5, 1]])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("lower", [True, False])
def test_friedman_matches_scipy(seed, lower):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(30, 5)) + np.arange(5) * 0.3
    result = friedman_test(scores, lower_is_better=lower)
    reference = stats.friedmanchisquare(*scores.T)
    assert result.chi2 == pytest.approx(reference.statistic, rel=1e-12)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-10)
    assert result.n_datasets == 30 and result.n_methods == 5


def test_friedman_matches_scipy_with_ties():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 3, size=(25, 4)).astype(float)  # many ties within rows
    result = friedman_test(scores)
    reference = stats.friedmanchisquare(*scores.T)
    assert result.chi2 == pytest.approx(reference.statistic, rel=1e-12)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-10)


def test_friedman_matches_demsar_formula_and_iman_davenport():
    rng = np.random.default_rng(4)
    scores = rng.normal(size=(14, 4))
    result = friedman_test(scores)
    n, k = scores.shape
    R = rank_table(scores).mean(axis=0)
    chi2 = 12 * n / (k * (k + 1)) * (np.sum(R ** 2) - k * (k + 1) ** 2 / 4)
    assert result.chi2 == pytest.approx(chi2)
    f = (n - 1) * chi2 / (n * (k - 1) - chi2)
    assert result.f == pytest.approx(f)
    assert result.p_f == pytest.approx(stats.f.sf(f, k - 1, (k - 1) * (n - 1)))


# Demšar (2006), Table 5(a): critical values of the two-tailed Nemenyi test, k = 2..10
DEMSAR_Q05 = [1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164]
DEMSAR_Q10 = [1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920]


@pytest.mark.parametrize("k", range(2, 11))
def test_nemenyi_q_matches_demsar_table(k):
    assert nemenyi_q(k, 0.05) == pytest.approx(DEMSAR_Q05[k - 2], abs=2e-3)
    assert nemenyi_q(k, 0.10) == pytest.approx(DEMSAR_Q10[k - 2], abs=2e-3)


def test_critical_difference_formula():
    assert nemenyi_critical_difference(4, 14) == pytest.approx(2.569 * np.sqrt(4 * 5 / (6 * 14)), abs=1e-3)
    assert nemenyi_critical_difference(14, 100) < nemenyi_critical_difference(14, 50)


@pytest.mark.parametrize("bad", [dict(k=1, n=10), dict(k=3, n=1), dict(k=3, n=10, alpha=1.5)])
def test_critical_difference_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        nemenyi_critical_difference(**bad)


def test_holm_by_hand():
    np.testing.assert_allclose(holm_adjust([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(holm_adjust([0.5, 0.9]), [1.0, 1.0])
    with pytest.raises(ValueError):
        holm_adjust([0.1, 1.2])


def test_holm_rejects_what_the_step_down_procedure_rejects():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 0.1, size=8)
    alpha = 0.05
    order = np.argsort(p)
    rejected = np.zeros(8, bool)
    for step, i in enumerate(order):
        if p[i] > alpha / (8 - step):
            break
        rejected[i] = True
    np.testing.assert_array_equal(holm_adjust(p) <= alpha, rejected)


def test_pairwise_wilcoxon_matches_scipy_and_counts_wins():
    rng = np.random.default_rng(5)
    scores = rng.normal(size=(40, 3))
    scores[:, 1] += 0.5
    results = pairwise_wilcoxon(scores, [("a", "b"), ("a", "c"), ("b", "c")], names=["a", "b", "c"])
    for result, (i, j) in zip(results, [(0, 1), (0, 2), (1, 2)]):
        reference = stats.wilcoxon(scores[:, i], scores[:, j])
        assert result["p"] == pytest.approx(reference.pvalue)
        assert result["statistic"] == pytest.approx(reference.statistic)
        d = scores[:, i] - scores[:, j]
        assert (result["wins_a"], result["wins_b"]) == (int((d < 0).sum()), int((d > 0).sum()))
    np.testing.assert_allclose([r["p_holm"] for r in results], holm_adjust([r["p"] for r in results]))
    higher = pairwise_wilcoxon(scores, [(0, 1)], lower_is_better=False)[0]
    assert higher["wins_a"] == results[0]["wins_b"]


def test_pairwise_wilcoxon_rejects_unknown_names():
    with pytest.raises(ValueError):
        pairwise_wilcoxon(np.ones((5, 2)), [("a", "z")], names=["a", "b"])


def test_cliques():
    assert nemenyi_cliques([1.0, 1.5, 3.0, 3.2], 1.0) == [(0, 1), (2, 3)]
    assert nemenyi_cliques([1.0, 1.8, 2.6], 1.0) == [(0, 1), (1, 2)]
    assert nemenyi_cliques([1.0, 3.0], 1.0) == []


def test_critical_difference_diagram_draws_and_returns_axes():
    ranks = {"a": 2.1, "b": 3.4, "c": 1.2, "d": 4.0, "e": 3.5}
    ax = critical_difference_diagram(ranks, 1.1, title="test")
    assert ax is not None and ax.get_title() == "test"
    ax.figure.canvas.draw()
    fig, ax2 = plt.subplots()
    assert critical_difference_diagram(ranks, 0.5, ax=ax2) is ax2
    plt.close("all")
