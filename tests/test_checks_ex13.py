"""Exercise 13's checks: plausible wrong answers fail with a message that names the mistake, never the answer."""
import sys
import types

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support

import wloss.multilabel
from wloss.checks import CheckFailed, ex13
from wloss.multilabel import bayes_thresholds, multilabel_rwwce_reference


def fails(check, *args, match, **kwargs):
    with pytest.raises(CheckFailed, match=match) as info:
        check(*args, **kwargs)
    return str(info.value)


def no_number_of(message, values):
    """None of the right answers, to 3 or 4 decimals, appears in the message."""
    return not [v for v in np.ravel(values) for text in (f"{v:.3f}", f"{v:.4f}") if text in message]


# ---------------------------------------------------------------- task 1: pos_weight per label

def right_pos_weight(Y):
    Y = np.asarray(Y, dtype=float)
    positives = Y.sum(axis=0)
    if np.any(positives == 0):
        raise ValueError("a label has no positive")
    return (len(Y) - positives) / positives


def test_the_right_pos_weight_passes_visible_and_hidden_cases(capsys):
    ex13.check_pos_weight(right_pos_weight)
    ex13.check_pos_weight(right_pos_weight, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


def per_row(Y):                                   # the given code: counts along the wrong axis
    Y = np.asarray(Y, dtype=float)
    positives = Y.sum(axis=1)
    return (Y.shape[1] - positives) / np.maximum(positives, 1)


def flattened(Y):
    Y = np.asarray(Y, dtype=float)
    return np.full(Y.shape[1], (Y.size - Y.sum()) / Y.sum())


def inverted(Y):
    Y = np.asarray(Y, dtype=float)
    return Y.sum(axis=0) / (len(Y) - Y.sum(axis=0))


def softmax_style(Y):
    Y = np.asarray(Y, dtype=float)
    return len(Y) / (Y.shape[1] * Y.sum(axis=0))


def without_the_error(Y):                         # right weights, but inf for an empty column
    Y = np.asarray(Y, dtype=float)
    return (len(Y) - Y.sum(axis=0)) / Y.sum(axis=0)


def total_over_positives(Y):                      # N / n+ instead of n- / n+
    Y = np.asarray(Y, dtype=float)
    return len(Y) / Y.sum(axis=0)


@pytest.mark.parametrize("wrong, match", [
    (per_row, "one per row|ROW"),
    (flattened, "flattened matrix"),
    (inverted, "upside down"),
    (softmax_style, "softmax-style"),
    (without_the_error, "expected a ValueError"),
    (total_over_positives, "do not balance"),
])
def test_wrong_pos_weights_fail_without_printing_the_answer(wrong, match):
    message = fails(ex13.check_pos_weight, wrong, match=match)
    assert no_number_of(message, np.concatenate([right_pos_weight(ex13._Y_TALL), right_pos_weight(ex13._Y_SQUARE)]))


def test_the_square_case_catches_a_per_row_answer_that_has_the_right_shape():
    # on the tall case the per-row answer fails by shape; the square case must catch it by its values alone
    with pytest.raises(CheckFailed, match="ROW"):
        ex13._diagnose_pos_weight(per_row(ex13._Y_SQUARE), ex13._Y_SQUARE, "square")


BLOCKED = "your code called wloss.multilabel.pos_weight_per_label"


def calls_the_library(Y):                         # right values, but the library's own function does the work
    return wloss.multilabel.pos_weight_per_label(Y)


def test_an_answer_that_calls_the_library_fails_with_the_blocking_message():
    fails(ex13.check_pos_weight, calls_the_library, match=BLOCKED)
    fails(ex13.check_pos_weight, calls_the_library, hidden=True, match=BLOCKED)
    assert wloss.multilabel.pos_weight_per_label(ex13._Y_TALL).shape == (3,)          # restored afterwards


def test_the_library_is_blocked_under_the_name_the_notebook_imported(monkeypatch):
    notebook = types.ModuleType("__main__")
    exec("from wloss.multilabel import pos_weight_per_label\n"
         "def pos_weight(Y):\n    return pos_weight_per_label(Y)\n", vars(notebook))
    monkeypatch.setitem(sys.modules, "__main__", notebook)
    fails(ex13.check_pos_weight, notebook.pos_weight, match=BLOCKED)
    assert notebook.pos_weight_per_label is wloss.multilabel.pos_weight_per_label


def test_the_library_is_blocked_in_the_empty_column_case_too():
    # right on the counted cases, but hands the case without positives to the library for its ValueError
    def library_for_the_error(Y):
        Y = np.asarray(Y, dtype=float)
        if np.any(Y.sum(axis=0) == 0):
            return wloss.multilabel.pos_weight_per_label(Y)
        return right_pos_weight(Y)

    fails(ex13.check_pos_weight, library_for_the_error, match=BLOCKED)


def test_the_row_by_row_reference_counts_like_the_definition():
    n_pos, n_neg = ex13._counted_by_row(ex13._Y_TALL.tolist())
    assert n_pos.tolist() == [5, 2, 1] and n_neg.tolist() == [5, 8, 9]
    for Y in ex13._hidden_matrices():
        n_pos, n_neg = ex13._counted_by_row(Y.tolist())
        np.testing.assert_array_equal(n_neg / n_pos, right_pos_weight(Y))


def test_the_unsolved_pos_weight_is_not_done_yet():
    def stub(Y):
        raise NotImplementedError()

    fails(ex13.check_pos_weight, stub, match="not done yet")


def test_a_crashing_pos_weight_fails_cleanly():
    fails(ex13.check_pos_weight, lambda Y: None, match="expected an array, got None")
    fails(ex13.check_pos_weight, lambda Y: Y.sum(axis=0)[5], match="IndexError")


# ---------------------------------------------------------------- task 2: thresholds of a weighted model

def right_thresholds(w, c_fn, c_fp):
    t = c_fp / (c_fp + c_fn)
    return w * t / (w * t + 1 - t)


def all_right_thresholds():
    return np.concatenate([right_thresholds(*case) for case in ex13._THRESHOLD_CASES + ex13._THRESHOLD_CASES_HIDDEN])


def test_the_right_thresholds_pass():
    ex13.check_weighted_model_thresholds(right_thresholds)
    ex13.check_weighted_model_thresholds(right_thresholds, hidden=True)


@pytest.mark.parametrize("wrong, match", [
    (lambda w, c_fn, c_fp: c_fp / (c_fp + c_fn), "CALIBRATED"),                       # the weights forgotten
    (lambda w, c_fn, c_fp: np.full(w.shape, 0.5), "0.5 ignores the costs"),            # the default threshold
    (lambda w, c_fn, c_fp: w * c_fp / (w * c_fp + c_fn) * 0 + 1 / (1 + w), "too"),     # balanced counts' point
    (lambda w, c_fn, c_fp: c_fp / (c_fp + w * c_fn), "too (low|high)"),                # w on the wrong side
    (lambda w, c_fn, c_fp: c_fn * w / (c_fn * w + c_fp), "too (low|high)"),            # the costs swapped
    (lambda w, c_fn, c_fp: w * c_fp / (c_fp + c_fn), "too (low|high)|\\[0, 1\\]"),     # w times the Bayes threshold
])
def test_wrong_thresholds_fail_without_printing_the_answer(wrong, match):
    message = fails(ex13.check_weighted_model_thresholds, wrong, match=match)
    assert no_number_of(message, all_right_thresholds())


def test_the_hidden_thresholds_catch_an_answer_fitted_to_the_visible_cases():
    visible = {tuple(case[0]): right_thresholds(*case) for case in ex13._THRESHOLD_CASES}
    lookup = lambda w, c_fn, c_fp: visible.get(tuple(w), np.full(w.shape, 0.5))  # noqa: E731
    ex13.check_weighted_model_thresholds(lookup)
    fails(ex13.check_weighted_model_thresholds, lookup, hidden=True, match="0.5 ignores")


def test_thresholds_of_the_wrong_shape_fail_cleanly():
    fails(ex13.check_weighted_model_thresholds, lambda w, a, b: 0.3, match="expected shape")
    fails(ex13.check_weighted_model_thresholds, lambda w, a, b: None, match="got None")


# ---------------------------------------------------------------- task 3: the flattened weight's recall

RIGHT_PREDICTION = {"most common label": "higher", "rarest label": "lower"}


def test_the_experiment_shows_what_the_solution_predicts():
    # derived from the weights, not hard-coded: the flattened weight exceeds the common label's own n-/n+ and
    # falls short of the rarest label's, so recall moves up for the first and down for the second
    result = ex13.flattened_experiment(0)
    rates = result["rates"]
    flat = (1 - rates).sum() / rates.sum()
    assert flat > (1 - rates[0]) / rates[0] and flat < (1 - rates[3]) / rates[3]
    assert ex13._outcome(result, 0) == "higher" and ex13._outcome(result, 3) == "lower"
    ex13.check_flattened_prediction(RIGHT_PREDICTION)
    ex13.check_flattened_prediction(RIGHT_PREDICTION, hidden=True)


@pytest.mark.parametrize("wrong, match", [
    ({"most common label": "lower", "rarest label": "lower"}, "most common label.*disagrees"),      # "weights only help"
    ({"most common label": "higher", "rarest label": "higher"}, "rarest label.*disagrees"),        # "more weight, more recall"
    ({"most common label": "about the same", "rarest label": "lower"}, "most common label.*disagrees"),
    ({"most common label": "lower", "rarest label": "higher"}, "disagrees"),                        # the two swapped
    ({"most common label": ..., "rarest label": ...}, "not filled in"),
    ({"most common label": "up", "rarest label": "down"}, "expected one of"),
    (["higher", "lower"], "expected a dict"),
])
def test_wrong_predictions_fail(wrong, match):
    fails(ex13.check_flattened_prediction, wrong, match=match)


# ---------------------------------------------------------------- task 4: a NumPy multi-label RWWCE

def right_loss(Z, Y, c_fn, c_fp):
    return float(multilabel_rwwce_reference(Z, Y, c_fn, c_fp))


def given(Z, Y, c_fn, c_fp):
    p = 1 / (1 + np.exp(-Z))
    return (-(c_fn * Y * np.log(p) + c_fp * (1 - Y) * np.log(1 - p))).mean()


def mean_over_entries(Z, Y, c_fn, c_fp):          # stable, but still divides by N x L
    return (c_fn * Y * np.logaddexp(0, -Z) + c_fp * (1 - Y) * np.logaddexp(0, Z)).mean()


def only_the_mean_fixed(Z, Y, c_fn, c_fp):        # sums over labels, still unstable
    p = 1 / (1 + np.exp(-Z))
    return (-(c_fn * Y * np.log(p) + c_fp * (1 - Y) * np.log(1 - p))).sum(axis=1).mean()


def clipped(Z, Y, c_fn, c_fp):                    # the epsilon fix: finite, but capped
    p = np.clip(1 / (1 + np.exp(-Z)), 1e-7, 1 - 1e-7)
    return (-(c_fn * Y * np.log(p) + c_fp * (1 - Y) * np.log(1 - p))).sum(axis=1).mean()


def summed(Z, Y, c_fn, c_fp):
    return right_loss(Z, Y, c_fn, c_fp) * len(Z)


def swapped(Z, Y, c_fn, c_fp):
    return right_loss(Z, Y, c_fp, c_fn)


def test_the_right_loss_passes():
    ex13.check_multilabel_rwwce(right_loss)
    ex13.check_multilabel_rwwce(right_loss, hidden=True)


@pytest.mark.parametrize("wrong, match", [
    (given, "N x L entries"),
    (mean_over_entries, "N x L entries"),
    (only_the_mean_fixed, "the loss is inf|never forms p"),
    (clipped, "clipping"),
    (summed, "sum over examples"),
    (swapped, "swapped"),
])
def test_wrong_losses_fail(wrong, match):
    fails(ex13.check_multilabel_rwwce, wrong, match=match)


def test_a_crashing_or_non_numeric_loss_fails_cleanly():
    fails(ex13.check_multilabel_rwwce, lambda Z, Y, a, b: None, match="got None")
    fails(ex13.check_multilabel_rwwce, lambda Z, Y, a, b: Z.sum(axis=1), match="single number")
    fails(ex13.check_multilabel_rwwce, lambda Z, Y, a, b: Z @ Y, match="ValueError")


def test_bayes_thresholds_used_by_the_checks_are_the_library_ones():
    w, c_fn, c_fp = ex13._THRESHOLD_CASES[0]
    np.testing.assert_allclose(bayes_thresholds(c_fn, c_fp), c_fp / (c_fp + c_fn))


# ---------------------------------------------------------------- task 6: switching off the rarest tag

RIGHT_SILENCED = {"micro recall": "stays", "macro recall": "falls", "micro F1": "stays", "macro F1": "falls"}
REASON = "micro weighs the topic by its tiny share of the counts, macro by 1/12"
CHOICE_WORDS = ("rises", "falls", "stays", "rise", "fall", "stay")


def sklearn_averages(Y, Y_pred):
    """The four averages from scikit-learn, independently of the check's own counts."""
    micro = precision_recall_fscore_support(Y, Y_pred, average="micro", zero_division=0.0)
    macro = precision_recall_fscore_support(Y, Y_pred, average="macro", zero_division=0.0)
    return {"micro recall": micro[1], "macro recall": macro[1], "micro F1": micro[2], "macro F1": macro[2]}


def test_the_experiment_shows_what_the_solution_predicts_on_both_draws():
    for seed in (0, 1):
        result = ex13.silenced_label_experiment(seed)
        assert result["outcome"] == RIGHT_SILENCED
        # far from the 0.01 line on either side, so no CPU or draw can flip a verdict
        for key in RIGHT_SILENCED:
            change = abs(result["after"][key] - result["before"][key])
            assert change < 0.004 if RIGHT_SILENCED[key] == "stays" else change > 0.04, (seed, key, change)
        assert result["share of positives"] < 0.005 and result["precision"] > 0.6


def test_the_experiment_averages_agree_with_scikit_learn():
    rng = np.random.default_rng(5)
    Y = (rng.random((300, 6)) < [0.5, 0.3, 0.2, 0.1, 0.05, 0.02]).astype(float)
    Y[0] = 1                                      # every label has a positive
    Y_pred = (rng.random(Y.shape) < 0.3).astype(float)
    Y_pred[:, -1] = 0                             # a label never predicted, as after switching it off
    ours, theirs = ex13._averages(Y, Y_pred), sklearn_averages(Y, Y_pred)
    for key in ex13.SILENCED_KEYS:
        assert ours[key] == pytest.approx(theirs[key], abs=1e-12), key


def test_the_right_prediction_passes_visible_and_hidden(capsys):
    ex13.check_silenced_prediction(RIGHT_SILENCED, REASON)
    ex13.check_silenced_prediction(RIGHT_SILENCED, REASON, hidden=True)
    assert capsys.readouterr().out.count("\u2714") == 2


@pytest.mark.parametrize("wrong, named", [
    # the lecture's pattern recalled for a label with 9 false alarms per hit: micro F1 up, micro recall down
    ({"micro recall": "falls", "macro recall": "falls", "micro F1": "rises", "macro F1": "falls"},
     ["micro recall", "micro F1"]),
    # "switching a tag off only loses hits": everything falls
    ({"micro recall": "falls", "macro recall": "falls", "micro F1": "falls", "macro F1": "falls"},
     ["micro recall", "micro F1"]),
    # micro and macro swapped: "macro weighs labels by their counts"
    ({"micro recall": "falls", "macro recall": "stays", "micro F1": "falls", "macro F1": "stays"},
     ["micro recall", "macro recall", "micro F1", "macro F1"]),
    # "it hardly ever fires, so nothing changes"
    ({"micro recall": "stays", "macro recall": "stays", "micro F1": "stays", "macro F1": "stays"},
     ["macro recall", "macro F1"]),
    # fewer predictions, so fewer false positives: F1 up everywhere
    ({"micro recall": "stays", "macro recall": "falls", "micro F1": "rises", "macro F1": "rises"},
     ["micro F1", "macro F1"]),
])
def test_wrong_predictions_pass_the_visible_part_and_fail_the_hidden_one(wrong, named):
    ex13.check_silenced_prediction(wrong, REASON)              # the visible part does not grade
    message = fails(ex13.check_silenced_prediction, wrong, REASON, hidden=True, match="disagree with the experiment")
    for key in named:
        assert f"{key!r}:" in message
    for key in set(ex13.SILENCED_KEYS) - set(named):
        assert f"{key!r}:" not in message
    assert not [word for word in CHOICE_WORDS if word in message.lower()], message
    result = ex13.silenced_label_experiment(0)
    numbers = [v for part in ("before", "after") for v in result[part].values()]
    numbers += [result["after"][k] - result["before"][k] for k in ex13.SILENCED_KEYS]
    assert not [v for v in numbers for text in (f"{v:.3f}", f"{v:.2f}", f"{abs(v):.3f}") if text in message]


@pytest.mark.parametrize("prediction, reason, match", [
    ({key: ... for key in ex13.SILENCED_KEYS}, REASON, "not filled in"),                    # the stub as shipped
    ({**RIGHT_SILENCED, "macro F1": ...}, REASON, "macro F1.*not filled in"),
    ({**RIGHT_SILENCED, "micro F1": "up"}, REASON, "expected one of"),
    ({**RIGHT_SILENCED, "micro F1": "same"}, REASON, "expected one of"),
    ({k: v for k, v in RIGHT_SILENCED.items() if k != "micro recall"}, REASON, "missing"),
    (["stays", "falls", "stays", "falls"], REASON, "expected a dict"),
    (RIGHT_SILENCED, ..., "silenced_reason: not filled in"),
    (RIGHT_SILENCED, ["micro", "macro"], "silenced_reason: expected one line of text"),
    (RIGHT_SILENCED, "intuition", "silenced_reason: .* not a reason yet"),
])
def test_unfilled_or_malformed_predictions_fail_the_visible_part(prediction, reason, match):
    fails(ex13.check_silenced_prediction, prediction, reason, match=match)
    fails(ex13.check_silenced_prediction, prediction, reason, hidden=True, match=match)
