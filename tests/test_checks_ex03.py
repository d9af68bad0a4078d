"""Exercise 03's checks: right answers pass, plausible wrong answers fail with a message that names the failing
property and asks a question, never the answer, the fix or an explanation of the right answer."""
import re
from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wloss.checks import CheckFailed, ex03
from wloss_grading import ex03 as hidden_ex03

import check_messages
from check_messages import failure_visible_then_hidden, not_done, visible_only_answer


# ---------------------------------------------------------------- right answers, written here independently

def right_shares(counts, shares):
    counts = np.asarray(counts, float)
    return np.asarray(shares, float) * counts.sum() / counts


def right_token_ce(logits, labels, class_weight):
    """One real token at a time: -log softmax of its label, weighted, then the mean over those tokens."""
    terms = []
    for row in range(labels.shape[0]):
        for position in range(labels.shape[1]):
            label = int(labels[row, position])
            if label != ex03.PAD:
                log_p = torch.log_softmax(logits[row, position], dim=0)
                terms.append(-class_weight[label] * log_p[label])
    return torch.stack(terms).mean()


def right_deployed(y_true, y_pred, priors):
    """Simulate the deployment: weight each test example so its class holds the share priors[k] of the weight."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    total = 0.0
    for k, prior in enumerate(priors):
        members = y_true == k
        if prior > 0:
            total += prior * np.sum(y_pred[members] == k) / np.sum(members)
    return total


RIGHT_PREDICTION = {("sgd", "pytorch mean"): "same", ("adam", "pytorch mean"): "same",
                    ("sgd", "divide by n"): "changes", ("adam", "divide by n"): "same"}
RIGHT_REASON = "PyTorch's mean divides the factor out; SGD steps grow with the gradient, Adam's do not"


# ---------------------------------------------------------------- what no failure message may contain

def _share_values():
    cases = ex03.SHARE_CASES + hidden_ex03.SHARE_CASES
    values = [v for counts, shares in cases for v in right_shares(counts, shares)]
    return {f"{v:.3f}" for v in values} | {f"{v:.4g}" for v in values} | {f"{v:.2f}" for v in values if v > 1.5}


def _deployed_values():
    cases = ex03.DEPLOYED_CASES + hidden_ex03.DEPLOYED_CASES
    values = [right_deployed(t, p, priors) for _, t, p, priors in cases]
    return {f"{v:.3f}" for v in values if v not in (0.0, 1.0)} | {f"{v:.4f}" for v in values if v not in (0.0, 1.0)}


def _token_values():
    values = []
    for _, lengths, num_tokens, weights, seed, *_ in ex03.TOKEN_CASES + hidden_ex03.TOKEN_CASES:
        z, y, w = ex03.token_batch(lengths, num_tokens, weights, seed)
        values.append(float(right_token_ce(z, y, w)))
    return {f"{v:.3f}" for v in values} | {f"{v:.4f}" for v in values}


FORBIDDEN = {
    "check_weights_for_shares": _share_values() | {"scale all weights", "one factor", "s_k n / n_k", "n / n_k",
                                                   "sum(counts)", "counts.sum()", "multiply", "T = n"},
    "check_weighted_ce_per_token": _token_values() | {"reduction", "ignore_index", "mask", "count_nonzero",
                                                      "divide by M", "number of real tokens", "real.sum", "clamp",
                                                      ".item()", "PyTorch's mean"},
    "check_weight_scaling_prediction": {"you predicted 'same'", "the experiment gives", "measured", "cancel",
                                        "10 times", "learning rate", "normalis", "scale-invariant",
                                        "largest relative change", "e+00", "e-0"},
    "check_deployed_accuracy": _deployed_values() | {"per-class recall", "recall of each", "priors[k] *", "sum_k",
                                                     "np.unique", "range(len(priors))", "bincount"},
    "check_weighting_study": {"cap", "effective", "sqrt"},
}


assert_teaches_without_telling = partial(check_messages.assert_teaches_without_telling, FORBIDDEN)


def fails(check, answer, match, *args):
    """The message of the first failure, visible check then hidden one: it matches ``match`` and leaks nothing."""
    message = failure_visible_then_hidden(ex03, hidden_ex03, check, answer, *args, match=match)
    assert_teaches_without_telling(check, message)
    return message


stub = not_done


# ---------------------------------------------------------------- task 1: weights for chosen shares

@pytest.mark.parametrize("wrong, match", [
    # the shares right, but not rescaled: the mean weight per example is not 1
    (lambda c, s: np.asarray(s) / np.asarray(c, float), r"mean weight per example.*What is n"),
    # the normalisation slip: mean over the K classes set to 1
    (lambda c, s: (np.asarray(s) / np.asarray(c, float)) / np.mean(np.asarray(s) / np.asarray(c, float)),
     r"plain mean of your 3 weights is 1.*Which of these two means"),
    # inverse frequency, shares ignored
    (lambda c, s: np.sum(c) / (len(c) * np.asarray(c, float)), r"class 0 carries .* How does a class's total"),
    # weights proportional to the shares times the counts (the count is not undone)
    (lambda c, s: np.asarray(s) * np.asarray(c, float) / np.sum(c) * len(c), r"(carries|mean weight per example).*\?"),
    # K in the denominator, copied from n/(K n_k)
    (lambda c, s: np.asarray(s) * np.sum(c) / (len(c) * np.asarray(c, float)), r"mean weight per example"),
    # equal weights
    (lambda c, s: np.ones(len(c)), r"carries"),
])
def test_wrong_shares_fail(wrong, match):
    fails("check_weights_for_shares", wrong, match)


def test_shares_that_crash_or_return_nothing_fail_cleanly():
    fails("check_weights_for_shares", lambda c, s: None, "expected an array")
    fails("check_weights_for_shares", lambda c, s: c[5], "your code raised IndexError")
    fails("check_weights_for_shares", stub, "not done yet")


def test_a_stray_factor_that_the_visible_cases_hide_fails_the_hidden_ones(capsys):
    def memorised(counts, shares):       # right on the visible cases, inverse frequency otherwise
        for visible_counts, visible_shares in ex03.SHARE_CASES:
            if np.array_equal(counts, visible_counts) and np.allclose(shares, visible_shares):
                return right_shares(counts, shares)
        return np.sum(counts) / (len(counts) * np.asarray(counts, float))
    ex03.check_weights_for_shares(memorised)
    with pytest.raises(CheckFailed):
        hidden_ex03.check_weights_for_shares(memorised)


# ---------------------------------------------------------------- task 2: debug the per-token loss

def _flat(logits, labels):
    return logits.reshape(-1, logits.shape[-1]), labels.reshape(-1)


def given_loss(logits, labels, w):                                   # the bug as shipped: padding in the divisor
    z, y = _flat(logits, labels)
    return (w[y.clamp(min=0)] * F.cross_entropy(z, y, reduction="none", ignore_index=ex03.PAD)).mean()


def pytorch_mean(logits, labels, w):                                 # the lecture's trap: divides by sum w[y]
    z, y = _flat(logits, labels)
    return F.cross_entropy(z, y, weight=w, ignore_index=ex03.PAD)


def per_sentence_mean(logits, labels, w):                            # mean of the sentences' means
    means = [right_token_ce(logits[i:i + 1], labels[i:i + 1], w) for i in range(len(labels))
             if (labels[i] != ex03.PAD).any()]
    return torch.stack(means).mean()


def weighted_sum(logits, labels, w):
    return right_token_ce(logits, labels, w) * (labels != ex03.PAD).sum()


def sum_over_sentences(logits, labels, w):                           # divided by B
    return weighted_sum(logits, labels, w) / len(labels)


def over_class_weights(logits, labels, w):                           # divided by the sum of the K weights
    return weighted_sum(logits, labels, w) / w.sum()


def unweighted(logits, labels, w):
    real = labels != ex03.PAD
    return F.cross_entropy(logits[real], labels[real])


def weights_by_position(logits, labels, w):                          # w indexed by position, not by label
    real = labels != ex03.PAD
    z, y = logits[real], labels[real]
    return (w[torch.arange(len(y)) % len(w)] * F.cross_entropy(z, y, reduction="none")).mean()


@pytest.mark.parametrize("wrong, match", [
    (given_loss, r"three more padding positions .* Which positions does your value count\?"),
    (pytorch_mean, r"every class weight multiplied by 3 .* factor 1\. What in your value grows"),
    (per_sentence_mean, r"as one sentence instead of 2 give another value\. What does the docstring's mean run over"),
    (weighted_sum, r"two copies of the batch .* What does your value add up"),
    (sum_over_sentences, r"as one sentence instead of 2"),
    (over_class_weights, r"multiplied by 3"),
    (unweighted, r"multiplied by 3"),
    (weights_by_position, r"not the docstring's .* Which term"),
    (lambda z, y, w: right_token_ce(z, y, w).item(), r"returned float; .* Which step turned"),
    (lambda z, y, w: right_token_ce(z, y, w).detach(), r"no gradient flows back .* Which step cut the graph\?"),
    (lambda z, y, w: right_token_ce(z, y, w).repeat(2), r"one number for the batch"),
    (lambda z, y, w: F.cross_entropy(z, y, weight=w), r"your code raised"),        # (B, T, K) read as (N, C, d)
    (stub, r"not done yet"),
])
def test_wrong_token_losses_fail(wrong, match):
    fails("check_weighted_ce_per_token", wrong, match)


def test_the_shipped_function_fails_and_the_right_answer_passes(capsys):
    for module in (ex03, hidden_ex03):
        module.check_weighted_ce_per_token(right_token_ce)
    with pytest.raises(CheckFailed):
        ex03.check_weighted_ce_per_token(given_loss)


def test_hidden_token_batches_catch_the_class_axis_read_as_the_position_axis():
    # logits (B, T, K) given to cross_entropy as they are: classes read along T. The visible batches have T != K and
    # crash; the hidden batch with T = K runs and gives a wrong value.
    def as_given(logits, labels, w):
        real = (labels != ex03.PAD)
        per = F.cross_entropy(logits, labels.clamp(min=0), reduction="none")
        return (per * real).sum() / real.sum() * w.mean()
    with pytest.raises(CheckFailed):
        hidden_ex03.check_weighted_ce_per_token(as_given)


# ---------------------------------------------------------------- task 3: predict, weights x10

@pytest.fixture(scope="module")
def digits():
    from wloss.data import long_tailed_digits
    from wloss.weights import inverse_frequency_weights
    X, y, _, _ = long_tailed_digits(imbalance_ratio=50, seed=0)
    return X, y, inverse_frequency_weights(y)


def test_the_visible_part_records_and_never_grades(capsys):
    for prediction in (RIGHT_PREDICTION, {k: "changes" for k in RIGHT_PREDICTION}):
        ex03.check_weight_scaling_prediction(dict(prediction), RIGHT_REASON)
    out = capsys.readouterr().out
    assert out.count("four answers and a reason recorded") == 2
    for fragment in FORBIDDEN["check_weight_scaling_prediction"]:
        assert fragment not in out


@pytest.mark.parametrize("prediction, reason, match", [
    ({k: ... for k in RIGHT_PREDICTION}, RIGHT_REASON, "not filled in yet"),
    ({("sgd", "pytorch mean"): "same"}, RIGHT_REASON, "are missing"),
    (["same"] * 4, RIGHT_REASON, "expected a dict"),
    ({**RIGHT_PREDICTION, ("sgd", "divide by n"): "faster"}, RIGHT_REASON, "expected one of"),
    (RIGHT_PREDICTION, ..., "not filled in yet"),
    (RIGHT_PREDICTION, "because", r"not a reason yet .*\?"),
    (RIGHT_PREDICTION, 42, "one line of text"),
])
def test_malformed_predictions_fail(prediction, reason, match):
    fails("check_weight_scaling_prediction", prediction, match, reason)


@pytest.mark.parametrize("changed, match", [
    ({k: "same" for k in RIGHT_PREDICTION}, r"(?s)1 of 4 .*\('sgd', 'divide by n'\): how does the size"),
    ({k: "changes" for k in RIGHT_PREDICTION}, r"3 of 4"),                       # everything changes
    ({("sgd", "pytorch mean"): "changes"}, r"what does PyTorch's mean divide by"),  # PyTorch's mean read as /N
    ({("adam", "divide by n"): "changes"}, r"what does Adam divide each step by"),  # Adam read like SGD
    ({("adam", "pytorch mean"): "changes", ("sgd", "pytorch mean"): "changes"}, r"2 of 4"),
])
def test_wrong_predictions_pass_the_visible_part_and_fail_the_graded_one(capsys, changed, match):
    prediction = {**RIGHT_PREDICTION, **changed}
    ex03.check_weight_scaling_prediction(prediction, RIGHT_REASON)
    with pytest.raises(CheckFailed, match=match) as info:
        hidden_ex03.check_weight_scaling_prediction(prediction, RIGHT_REASON)
    assert_teaches_without_telling("check_weight_scaling_prediction", str(info.value))


def test_experiment_separates_the_four_cases_with_wide_margins(digits):
    for factor in (10.0, 3.0):
        differences = ex03.weight_scaling_experiment(*digits, factor=factor)
        assert {k: ex03.verdict(v) for k, v in differences.items()} == RIGHT_PREDICTION
        assert max(v for k, v in differences.items() if RIGHT_PREDICTION[k] == "same") < 1e-3
        assert min(v for k, v in differences.items() if RIGHT_PREDICTION[k] == "changes") > 1e-1


# ---------------------------------------------------------------- task 5: accuracy under deployment priors

def _recalls(t, p, classes):
    t, p = np.asarray(t), np.asarray(p)
    return np.array([np.mean(p[t == k] == k) for k in classes])


def plain_accuracy(t, p, priors):
    return float(np.mean(np.asarray(t) == np.asarray(p)))


def balanced_accuracy(t, p, priors):                                 # the priors ignored: uniform over true classes
    return float(np.mean(_recalls(t, p, np.unique(t))))


def prior_weighted_precision(t, p, priors):
    t, p = np.asarray(t), np.asarray(p)
    return float(sum(priors[k] * (np.mean(t[p == k] == k) if np.any(p == k) else 0.0) for k in range(len(priors))))


def prior_times_joint(t, p, priors):                                 # P(y = k, right) on the test set, times the prior
    t, p = np.asarray(t), np.asarray(p)
    return float(sum(priors[k] * np.mean((t == k) & (p == k)) for k in range(len(priors))) * len(priors))


def priors_paired_with_present_classes(t, p, priors):                # recalls of np.unique(t) zipped with priors
    present = np.unique(t)
    return float(np.sum(np.asarray(priors)[: len(present)] * _recalls(t, p, present)))


def renormalised_over_predicted(t, p, priors):                       # test shares re-weighted by predicted counts
    t, p = np.asarray(t), np.asarray(p)
    counts = np.bincount(p, minlength=len(priors)).astype(float)
    weight = np.where(counts > 0, np.asarray(priors) / np.maximum(counts, 1), 0.0)[p]
    return float(np.sum(weight * (t == p)) / np.sum(weight))


def via_scikit_learn(t, p, priors):                                  # the library's weighted accuracy
    import sklearn.metrics
    t = np.asarray(t)
    counts = np.bincount(t, minlength=len(priors))
    return sklearn.metrics.accuracy_score(t, p, sample_weight=np.asarray(priors)[t] / counts[t])


def via_wloss(t, p, priors):
    from wloss.metrics import per_class_recall
    recall = per_class_recall(t, p, len(priors))
    return float(np.sum(np.asarray(priors) * np.nan_to_num(recall)))


@pytest.mark.parametrize("wrong, match", [
    (plain_accuracy, r"predicts class \d for every example gets .* what share"),
    (balanced_accuracy, r"predicts class \d for every example"),
    (prior_weighted_precision, r"predicts class \d for every example"),
    (prior_times_joint, r"predicts class \d for every example"),
    (priors_paired_with_present_classes, r"predicts class 2 for every example"),
    (renormalised_over_predicted, r"predicts class \d for every example|copying every test example"),
    (lambda t, p, priors: 1.5, r"not an accuracy"),
    (lambda t, p, priors: None, r"expected a number"),
    (stub, r"not done yet"),
])
def test_wrong_deployed_accuracies_fail(wrong, match):
    fails("check_deployed_accuracy", wrong, match)


@pytest.mark.parametrize("library_answer, blocked", [
    (via_scikit_learn, "sklearn.metrics.accuracy_score"),
    (via_wloss, "wloss.metrics.per_class_recall"),
])
def test_deployed_accuracy_from_the_library_is_blocked_and_restored(library_answer, blocked):
    import sklearn.metrics
    import wloss.metrics
    originals = (sklearn.metrics.accuracy_score, wloss.metrics.per_class_recall)
    t, p, priors = [0, 0, 1, 1, 1], [0, 1, 1, 1, 0], [0.3, 0.7]
    assert library_answer(t, p, priors) == pytest.approx(right_deployed(t, p, priors))
    fails("check_deployed_accuracy", library_answer, f"your code called {re.escape(blocked)}")
    assert originals == (sklearn.metrics.accuracy_score, wloss.metrics.per_class_recall)


# ---------------------------------------------------------------- task 7: the open study

def _study():
    return {"seed": [0, 1, 2], "inverse frequency": [0.8, 0.85, 0.83], "mine": [0.79, 0.84, 0.8]}


REASON = "Capped weights keep the rarest digits lifted without letting two examples dominate; the gain is small."


def _y():
    from wloss.data import long_tailed_digits
    return long_tailed_digits(imbalance_ratio=50, seed=0)[1]


def test_a_well_formed_study_passes(capsys):
    from wloss.weights import inverse_frequency_weights
    ex03.check_weighting_study(inverse_frequency_weights(_y()), _y(), _study(), REASON)
    assert "\u2714" in capsys.readouterr().out


@pytest.mark.parametrize("weights, study, reason, match", [
    (..., _study(), REASON, "expected an array"),
    (np.ones(9), _study(), REASON, "expected shape"),
    (np.r_[np.ones(9), 0.0], _study(), REASON, "positive, finite weight"),
    ("raw", _study(), REASON, r"mean weight per training example .* Which condition"),
    ("ok", {"seed": [0], "inverse frequency": [0.8], "mine": [0.9]}, REASON, "how many runs"),
    ("ok", {"seed": [0, 1, 2], "inverse frequency": [0.8, 0.8, 0.8]}, REASON, "expected a dict"),
    ("ok", {**_study(), "mine": [0.8, 0.8]}, REASON, "expected shape"),
    ("ok", {**_study(), "mine": [80, 81, 79]}, REASON, "between 0 and 1"),
    ("ok", _study(), "better", "two or three sentences"),
])
def test_malformed_studies_fail(weights, study, reason, match):
    from wloss.weights import inverse_frequency_weights
    y = _y()
    if isinstance(weights, str):
        weights = inverse_frequency_weights(y) * (3.0 if weights == "raw" else 1.0)
    with pytest.raises(CheckFailed, match=match) as info:
        ex03.check_weighting_study(weights, y, study, reason)
    assert_teaches_without_telling("check_weighting_study", str(info.value))


# ---------------------------------------------------------------- right answers, visible and hidden

def test_right_answers_pass_visible_and_hidden(capsys):
    ex03.check_weights_for_shares(right_shares)
    ex03.check_weighted_ce_per_token(right_token_ce)
    ex03.check_deployed_accuracy(right_deployed)
    ex03.check_weight_scaling_prediction(dict(RIGHT_PREDICTION), RIGHT_REASON)
    hidden_ex03.check_weights_for_shares(right_shares)
    hidden_ex03.check_weighted_ce_per_token(right_token_ce)
    hidden_ex03.check_deployed_accuracy(right_deployed)
    hidden_ex03.check_weight_scaling_prediction(dict(RIGHT_PREDICTION), RIGHT_REASON)
    assert capsys.readouterr().out.count("\u2714") == 8


# -------------------------------------------------------------------- an answer that passes only the visible checks

def test_the_visible_only_answer_passes_every_visible_check_and_fails_a_hidden_one():
    """The solution's weights with the counts sorted largest first, as in every visible case: the hidden case
    [10, 1000] lists the small class first."""
    answer = visible_only_answer("03_class_weights.ipynb", VISIBLE_ONLY, "weights_for_shares")
    ex03.check_weights_for_shares(answer)
    with pytest.raises(CheckFailed):
        hidden_ex03.check_weights_for_shares(answer)


VISIBLE_ONLY = ("counts.sum() / counts", "counts.sum() / np.sort(counts)[::-1]")
