"""Exercise 03's checks: plausible wrong answers fail with a message that names the mistake, never the answer."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss.checks import CheckFailed, ex03


def fails(check, answer, match, *args, **kwargs):
    with pytest.raises(CheckFailed, match=match) as info:
        check(answer, *args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------- task 1: weights for chosen shares

def right_shares(counts, shares):
    counts = np.asarray(counts, float)
    return np.asarray(shares, float) * counts.sum() / counts


def answer_digits(counts, shares):
    """Every right answer's value printed with 3 or 4 digits - none may appear in a message."""
    return {f"{v:.3f}" for v in right_shares(counts, shares)} | {f"{v:.4g}" for v in right_shares(counts, shares)}


@pytest.mark.parametrize("wrong, match", [
    # the shares right, but not rescaled: the mean weight per example is not 1
    (lambda c, s: np.asarray(s) / np.asarray(c, float), "mean weight per example is .*scale all weights"),
    # the normalisation slip: mean over the K classes set to 1
    (lambda c, s: (np.asarray(s) / np.asarray(c, float)) / np.mean(np.asarray(s) / np.asarray(c, float)),
     "mean of the K weights is 1 - that is the mean over classes"),
    # inverse frequency, shares ignored
    (lambda c, s: np.sum(c) / (len(c) * np.asarray(c, float)), "class 0 carries .* of the total weight"),
    # weights proportional to the shares times the counts (the count is not undone)
    (lambda c, s: np.asarray(s) * np.asarray(c, float) / np.sum(c) * len(c), "class .* carries"),
    # K in the denominator, copied from n/(K n_k)
    (lambda c, s: np.asarray(s) * np.sum(c) / (len(c) * np.asarray(c, float)), "mean weight per example is"),
])
def test_wrong_shares_fail(wrong, match):
    message = fails(ex03.check_weights_for_shares, wrong, match)
    for counts, shares in ex03._SHARE_CASES:
        for digits in answer_digits(counts, shares) - {"1.000", "1"}:
            assert digits not in message


def test_an_answer_right_only_on_the_visible_cases_fails_the_hidden_ones():
    def memorised(counts, shares):  # the right weights for the visible cases, inverse frequency otherwise
        for visible_counts, visible_shares in ex03._SHARE_CASES:
            if np.array_equal(counts, visible_counts) and np.allclose(shares, visible_shares):
                return right_shares(counts, shares)
        return np.sum(counts) / (len(counts) * np.asarray(counts, float))

    ex03.check_weights_for_shares(memorised)
    with pytest.raises(CheckFailed):
        ex03.check_weights_for_shares(memorised, hidden=True)


def test_shares_that_crash_or_return_nothing_fail_cleanly():
    fails(ex03.check_weights_for_shares, lambda c, s: None, "expected an array")
    fails(ex03.check_weights_for_shares, lambda c, s: c[5], "your code raised IndexError")


# ---------------------------------------------------------------- task 2: debug the 1/N weighted loss

def right_ce(logits, y, w):
    return (w[y] * F.cross_entropy(logits, y, reduction="none")).sum() / len(y)


@pytest.mark.parametrize("wrong, match", [
    (lambda z, y, w: F.cross_entropy(z, y, weight=w), "PyTorch's weighted mean"),            # the bug as given
    (lambda z, y, w: F.cross_entropy(z, y, weight=w, reduction="sum"), "weighted sum"),
    (lambda z, y, w: F.cross_entropy(z, y, weight=w, reduction="sum") / w.sum(), "sum of the K class weights"),
    (lambda z, y, w: F.cross_entropy(z, y), "class weights have no effect"),
    (lambda z, y, w: right_ce(z, y, w).item(), "return a torch tensor"),
    (lambda z, y, w: right_ce(z, y, w).detach(), "no gradient flows"),
    (lambda z, y, w: (w[y] * F.cross_entropy(z, y, reduction="none")).mean(dim=0, keepdim=True).repeat(2),
     "one number"),
])
def test_wrong_weighted_losses_fail(wrong, match):
    fails(ex03.check_weighted_ce_per_n, wrong, match)
    with pytest.raises(CheckFailed):
        ex03.check_weighted_ce_per_n(wrong, hidden=True)


# ---------------------------------------------------------------- task 3: predict, weights x10

@pytest.fixture(scope="module")
def digits():
    from wloss.data import long_tailed_digits
    from wloss.weights import inverse_frequency_weights
    X, y, _, _ = long_tailed_digits(imbalance_ratio=50, seed=0)
    return X, y, inverse_frequency_weights(y)


RIGHT_PREDICTION = {("sgd", "pytorch mean"): "same", ("adam", "pytorch mean"): "same",
                    ("sgd", "divide by n"): "changes", ("adam", "divide by n"): "same"}


@pytest.mark.parametrize("changed, match", [
    ({k: "same" for k in RIGHT_PREDICTION}, r"(?s)1 of 4 .*\('sgd', 'divide by n'\)"),       # nothing changes
    ({k: "changes" for k in RIGHT_PREDICTION}, r"3 of 4"),                                # everything changes
    ({("sgd", "pytorch mean"): "changes"}, "factor cancels"),                           # PyTorch's mean read as /N
    ({("adam", "divide by n"): "changes"}, "Adam divides each step"),                   # Adam read like SGD
])
def test_wrong_predictions_fail(digits, changed, match):
    fails(ex03.check_weight_scaling_prediction, {**RIGHT_PREDICTION, **changed}, match, *digits)


def test_malformed_predictions_fail(digits):
    fails(ex03.check_weight_scaling_prediction, {k: ... for k in RIGHT_PREDICTION}, "not filled in yet", *digits)
    fails(ex03.check_weight_scaling_prediction, {("sgd", "pytorch mean"): "same"}, "are missing", *digits)
    fails(ex03.check_weight_scaling_prediction, ["same"] * 4, "expected a dict", *digits)


def test_experiment_separates_the_four_cases(digits):
    differences = ex03.weight_scaling_experiment(*digits)
    verdicts = {k: ex03._verdict(v) for k, v in differences.items()}
    assert verdicts == RIGHT_PREDICTION
    # the margin around the verdict's cut-off is wide on both sides
    assert max(v for k, v in differences.items() if verdicts[k] == "same") < 1e-3
    assert min(v for k, v in differences.items() if verdicts[k] == "changes") > 1e-1


# ---------------------------------------------------------------- task 4: balanced accuracy

def per_class(t, p, classes, fn):
    return float(np.mean([fn(np.asarray(t), np.asarray(p), k) for k in classes]))


def right_ba(t, p):
    t, p = np.asarray(t), np.asarray(p)
    return float(np.mean([(p[t == k] == k).mean() for k in np.unique(t)]))


def precision_k(t, p, k):
    return (t[p == k] == k).mean() if np.any(p == k) else 0.0


@pytest.mark.parametrize("wrong, match", [
    (lambda t, p: float(np.mean(np.asarray(t) == np.asarray(p))), "plain accuracy"),
    (lambda t, p: per_class(t, p, np.unique(t), precision_k), "averaged per-class precision \\(the share"),
    (lambda t, p: per_class(t, p, np.unique(p), precision_k), "precision over the predicted classes"),
    (lambda t, p: per_class(t, p, np.union1d(t, p),
                            lambda t, p, k: (p[t == k] == k).mean() if np.any(t == k) else 0.0),
     "every label that appears in y_true or y_pred"),
    (lambda t, p: per_class(t, p, np.unique(t),
                            lambda t, p, k: 2 * np.sum((t == k) & (p == k)) / (np.sum(t == k) + np.sum(p == k))),
     "macro-averaged F1"),
])
def test_wrong_balanced_accuracy_fails_with_its_own_name(wrong, match):
    try:
        ex03.check_balanced_accuracy_score(wrong)
        ex03.check_balanced_accuracy_score(wrong, hidden=True)
    except CheckFailed as failure:
        assert __import__("re").search(match, str(failure)), str(failure)
        for case, t, p in ex03._BA_CASES + ex03._BA_HIDDEN:
            assert f"{right_ba(t, p):.3f}" not in str(failure)
    else:
        pytest.fail("a wrong balanced accuracy passed")


def test_precision_answer_is_not_called_plain_accuracy():
    with pytest.raises(CheckFailed) as info:
        ex03.check_balanced_accuracy_score(lambda t, p: per_class(t, p, np.unique(t), precision_k))
    assert "plain accuracy" not in str(info.value)


# ---------------------------------------------------------------- right answers

def test_right_answers_pass_visible_and_hidden(capsys, digits):
    for hidden in (False, True):
        ex03.check_weights_for_shares(right_shares, hidden=hidden)
        ex03.check_weighted_ce_per_n(right_ce, hidden=hidden)
        ex03.check_weight_scaling_prediction(dict(RIGHT_PREDICTION), *digits, hidden=hidden)
        ex03.check_balanced_accuracy_score(right_ba, hidden=hidden)
    assert capsys.readouterr().out.count("\u2714") == 8


def test_hidden_cases_catch_what_the_visible_ones_miss(capsys):
    # recall averaged over every label in y_true or y_pred: identical to the right answer on the visible cases,
    # where every predicted label also occurs in y_true; the hidden part has a predicted class absent from y_true
    def over_union(t, p):
        t, p = np.asarray(t), np.asarray(p)
        return per_class(t, p, np.union1d(t, p), lambda t, p, k: (p[t == k] == k).mean() if np.any(t == k) else 0.0)
    ex03.check_balanced_accuracy_score(over_union)
    assert "\u2714" in capsys.readouterr().out
    fails(ex03.check_balanced_accuracy_score, over_union, "every label that appears in y_true or y_pred", hidden=True)


def test_equal_weights_fail_without_a_warning():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fails(ex03.check_weights_for_shares, lambda c, s: np.ones(len(c)), "carries")
