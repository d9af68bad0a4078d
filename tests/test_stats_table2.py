"""wloss.stats.paired_effect: a paired difference as an estimate with a t interval, over runs or cluster means."""
import doctest

import numpy as np
import pytest
from scipy import stats

import wloss.stats
from wloss.stats import PairedEffect, clustered_paired_t, paired_effect


def test_docstring_examples():
    result = doctest.testmod(wloss.stats)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("seed, n, confidence", [(0, 2, 0.95), (1, 5, 0.9), (2, 20, 0.95), (3, 90, 0.99), (4, 90, 0.5)])
def test_unclustered_interval_is_scipys_one_sample_t(seed, n, confidence):
    d = np.random.default_rng(seed).normal(0.3, 2.0, n)
    effect = paired_effect(d, confidence=confidence)
    expected = stats.ttest_1samp(d, 0.0)
    interval = expected.confidence_interval(confidence_level=confidence)
    assert isinstance(effect, PairedEffect) and not effect.clustered
    assert (effect.low, effect.high) == pytest.approx((interval.low, interval.high), rel=1e-12)
    assert effect.mean == pytest.approx(np.mean(d), rel=1e-12)
    assert effect.se == pytest.approx(stats.sem(d), rel=1e-12)
    assert effect.t == pytest.approx(expected.statistic, rel=1e-12)
    assert effect.p == pytest.approx(expected.pvalue, rel=1e-9)
    assert (effect.df, effect.units, effect.confidence) == (n - 1, n, confidence)


def test_clustered_effect_is_the_t_interval_of_the_cluster_means():
    rng = np.random.default_rng(5)
    clusters = np.repeat(np.arange(10), 9)
    d = rng.normal(0.2, 1.0, 90) + np.repeat(rng.normal(0, 1, 10), 9)
    effect = paired_effect(d, clusters)
    means = d.reshape(10, 9).mean(axis=1)
    interval = stats.ttest_1samp(means, 0.0).confidence_interval(0.95)
    assert effect.clustered and (effect.df, effect.units) == (9, 10)
    assert (effect.low, effect.high) == pytest.approx((interval.low, interval.high), rel=1e-12)
    # the same test as clustered_paired_t, now with its interval
    t, p, g = clustered_paired_t(d, clusters)
    assert (effect.t, effect.p, effect.units) == (pytest.approx(t, rel=1e-12), pytest.approx(p, rel=1e-9), g)
    # equal cluster sizes: the estimate is the mean over the runs, the se the cluster-robust (CR1) one
    assert effect.mean == pytest.approx(d.mean(), rel=1e-12)
    scores = np.bincount(clusters, weights=d - d.mean())  # sum of the residuals in each cluster
    cr1 = np.sqrt(10 / 9 * np.sum(scores**2)) / 90
    assert effect.se == pytest.approx(cr1, rel=1e-12)


def test_one_run_per_cluster_gives_the_unclustered_effect():
    d = np.random.default_rng(6).normal(1.0, 3.0, 30)
    plain = paired_effect(d)
    # each value its own cluster: the cluster means are the values themselves, whatever the labels
    for labels in (np.arange(30), np.arange(30)[::-1] * 7, [f"pair {i}" for i in range(30)]):
        singletons = paired_effect(d, labels)
        assert singletons.clustered and (singletons.units, singletons.df) == (30, 29)
        for field in ("mean", "se", "low", "high", "t", "p"):
            assert getattr(singletons, field) == pytest.approx(getattr(plain, field), rel=1e-12, abs=0)


def test_cluster_labels_only_group():
    rng = np.random.default_rng(7)
    d, clusters = rng.normal(size=40), rng.integers(0, 6, 40)
    effect = paired_effect(d, clusters)
    order = rng.permutation(40)
    renamed = paired_effect(d[order], (clusters * 11 + 3)[order])
    assert (renamed.low, renamed.high, renamed.p) == pytest.approx((effect.low, effect.high, effect.p), rel=1e-12)


@pytest.mark.parametrize("clusters", [None, np.repeat(np.arange(5), 4)])
def test_shift_and_scale_move_the_interval_with_the_data(clusters):
    d = np.random.default_rng(8).normal(0.5, 1.0, 20)
    base = paired_effect(d, clusters)
    shifted = paired_effect(d + 3.0, clusters)
    assert (shifted.mean, shifted.low, shifted.high) == pytest.approx((base.mean + 3, base.low + 3, base.high + 3))
    assert shifted.se == pytest.approx(base.se)
    scaled = paired_effect(-2.5 * d, clusters)  # negating flips the interval; t changes sign, p stays
    assert (scaled.low, scaled.high, scaled.se) == pytest.approx((-2.5 * base.high, -2.5 * base.low, 2.5 * base.se))
    assert (scaled.t, scaled.p) == pytest.approx((-base.t, base.p))


def test_a_higher_confidence_gives_a_wider_interval_around_the_same_mean():
    d = np.random.default_rng(9).normal(size=15)
    narrow, wide = paired_effect(d, confidence=0.8), paired_effect(d, confidence=0.99)
    assert wide.low < narrow.low < narrow.mean == wide.mean < narrow.high < wide.high
    assert narrow.p == wide.p


def test_p_is_below_one_minus_confidence_exactly_when_zero_is_outside():
    rng = np.random.default_rng(10)
    for _ in range(200):
        effect = paired_effect(rng.normal(0.4, 1.0, 12))
        assert (effect.p < 0.05) == (not effect.low <= 0.0 <= effect.high)


def test_95_percent_intervals_cover_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(2000):
        effect = paired_effect(rng.normal(1.5, 2.0, 20))
        covered += effect.low <= 1.5 <= effect.high
    assert 0.93 <= covered / 2000 <= 0.97


def test_clusters_restore_coverage_when_runs_share_data():
    # 10 clusters of 5 runs with a shared cluster effect: the runs are not independent
    rng = np.random.default_rng(12)
    clusters = np.repeat(np.arange(10), 5)
    naive = clustered = 0
    for _ in range(1000):
        d = 0.7 + np.repeat(rng.normal(0, 1.0, 10), 5) + rng.normal(0, 0.5, 50)
        e, c = paired_effect(d), paired_effect(d, clusters)
        naive += e.low <= 0.7 <= e.high
        clustered += c.low <= 0.7 <= c.high
    assert 0.93 <= clustered / 1000 <= 0.97
    assert naive / 1000 < 0.75  # treating 50 runs as independent: far too narrow


def test_equal_differences_give_a_zero_width_interval_and_no_p_value():
    effect = paired_effect([2.0, 2.0, 2.0])
    assert (effect.mean, effect.se, effect.low, effect.high) == (2.0, 0.0, 2.0, 2.0)
    assert np.isnan(effect.t) and np.isnan(effect.p)


def test_str_quotes_the_estimate_and_interval():
    text = str(paired_effect([1.0, 2.0, 3.0]))
    se = 1 / np.sqrt(3)  # sample sd 1, three runs
    half = stats.t.ppf(0.975, 2) * se
    assert text.startswith(f"2 (SE {se:.3g}; 95% CI {2 - half:.4g} to {2 + half:.4g}; p = ")
    assert text.endswith("3 runs, t with 2 df)")


@pytest.mark.parametrize("kwargs, match", [
    (dict(differences=[1.0]), "^differences: expected at least 2 values"),
    (dict(differences=[]), "^differences: expected a non-empty 1-d array"),
    (dict(differences=[1.0, float("nan"), 2.0]), "^differences: expected a non-empty 1-d array of finite"),
    (dict(differences=[[1.0, 2.0]]), "^differences: expected a non-empty 1-d array"),
    (dict(differences=[1.0, 2.0, 3.0], clusters=[0, 1]), "^clusters: expected one label per difference"),
    (dict(differences=[1.0, 2.0, 3.0], clusters=[0, 0, 0]), "^clusters: expected at least 2 distinct"),
    (dict(differences=[1.0, float("nan")], clusters=[0, 1]), "^differences"),
    (dict(differences=[1.0, 2.0], clusters=[0.0, float("nan")]), "^clusters: expected cluster labels, got NaN"),
    (dict(differences=[1.0, 2.0], confidence=0.0), r"^confidence: expected a number in \(0, 1\)"),
    (dict(differences=[1.0, 2.0], confidence=1.0), r"^confidence: expected a number in \(0, 1\)"),
    (dict(differences=[1.0, 2.0], confidence=95), r"^confidence: expected a number in \(0, 1\)"),
    (dict(differences=[1.0, 2.0], confidence=float("nan")), "^confidence must be finite"),
])
def test_bad_input_names_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        paired_effect(**kwargs)


def test_confidence_must_be_a_number():
    with pytest.raises(TypeError, match="confidence must be a real number"):
        paired_effect([1.0, 2.0], confidence="95%")
