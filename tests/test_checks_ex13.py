"""Exercise 13's checks: plausible wrong answers fail with a message that names the mistake, never the answer."""
import sys
import types
from functools import partial

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support

from wloss.checks import ex13
from wloss.decisions import bayes_thresholds
from wloss.reference import multilabel_rwwce as multilabel_rwwce_reference
from wloss_grading import ex13 as hidden_ex13

import check_messages
from check_messages import EVERY_CHOICE, failure, not_done, visible_only_answer

#: What no failure message of a check may contain: the answer's values as printed at usual precisions, the key
#: token of the fix, and words that explain the right answer. Filled in per check below, next to its wrong answers.
FORBIDDEN = {}


#: The message names a property and asks; it holds none of ``FORBIDDEN[check]`` (compared case-insensitively).
assert_teaches_without_telling = partial(check_messages.assert_teaches_without_telling, FORBIDDEN, ignore_case=True)


def fails(check, *args, match, **kwargs):
    """``failure``; a check with FORBIDDEN fragments gives none away unless its answer was unfilled or malformed."""
    message = failure(check, *args, match=match, **kwargs)
    if check.__name__ in FORBIDDEN and "not filled in" not in message:
        assert_teaches_without_telling(check.__name__, message, unless=EVERY_CHOICE)
    return message


def no_number_of(message, values):
    """None of the right answers, to 3 or 4 decimals, appears in the message."""
    return not [v for v in np.ravel(values) for text in (f"{v:.3f}", f"{v:.4f}") if text in message]


# ---------------------------------------------------------------- task 1: balanced weights per entry

def right_pos_weight(Y):                          # the per-column pos_weight (task 7 compares with it)
    Y = np.asarray(Y, dtype=float)
    positives = Y.sum(axis=0)
    if np.any(positives == 0):
        raise ValueError("a label has no positive")
    return (len(Y) - positives) / positives


def flattened(Y):                                 # one pooled pos_weight (task 7 compares with it)
    Y = np.asarray(Y, dtype=float)
    return np.full(Y.shape[1], (Y.size - Y.sum()) / Y.sum())


def right_element_weights(Y):
    """Each label on its own: scikit-learn's balanced weight n_samples / (n_classes * count of the entry's class),
    written with a loop over the columns."""
    Y = np.asarray(Y).astype(int)
    W = np.empty(Y.shape)
    for l in range(Y.shape[1]):
        counts = np.bincount(Y[:, l], minlength=2)
        if counts.min() == 0:
            raise ValueError(f"label {l} holds one class only")
        W[:, l] = len(Y) / (2 * counts[Y[:, l]])
    return W


def test_the_right_element_weights_pass_visible_and_hidden_cases(capsys):
    ex13.check_element_weights(right_element_weights)
    hidden_ex13.check_element_weights(right_element_weights)
    assert capsys.readouterr().out.count("\u2714") == 2


def colleagues(Y):                                # the given code, with scikit-learn's function written out
    Y = np.asarray(Y).astype(int)
    row = np.ones(len(Y))
    for l in range(Y.shape[1]):
        row *= len(Y) / (2 * np.bincount(Y[:, l], minlength=2)[Y[:, l]])
    return np.broadcast_to(row[:, None], Y.shape)


def pos_weight_style(Y):                          # n-/n+ on the positives, 1 on the negatives: balanced, wrong scale
    Y = np.asarray(Y).astype(bool)
    w = (len(Y) - Y.sum(axis=0)) / Y.sum(axis=0)
    return np.where(Y, w, 1.0) if (Y.sum(axis=0) > 0).all() else 1 / 0


def swapped(Y):                                   # each class weighted by the other's count
    Y = np.asarray(Y).astype(bool)
    n_pos = Y.sum(axis=0)
    return np.where(Y, len(Y) / (2 * (len(Y) - n_pos)), len(Y) / (2 * n_pos))


def softmax_style(Y):                             # the labels read as classes: N / (L n+), negatives 1
    Y = np.asarray(Y).astype(bool)
    return np.where(Y, len(Y) / (Y.shape[1] * Y.sum(axis=0)), 1.0)


def counted_along_rows(Y):                        # counts along the wrong axis
    Y = np.asarray(Y).astype(bool)
    n_pos = Y.sum(axis=1, keepdims=True)
    return np.where(Y, Y.shape[1] / (2 * np.maximum(n_pos, 1)), Y.shape[1] / (2 * np.maximum(Y.shape[1] - n_pos, 1)))


def without_the_error(Y):                         # right weights, inf for a column of one class
    Y = np.asarray(Y).astype(bool)
    n_pos = Y.sum(axis=0)
    with np.errstate(divide="ignore"):
        return np.where(Y, len(Y) / (2 * n_pos), len(Y) / (2 * (len(Y) - n_pos)))


def error_only_without_positives(Y):              # a ValueError when a column has no positive, none without negative
    Y = np.asarray(Y).astype(bool)
    if np.any(Y.sum(axis=0) == 0):
        raise ValueError("a label has no positive")
    with np.errstate(divide="ignore"):
        return without_the_error(Y)


FORBIDDEN["check_element_weights"] = sorted(
    {f"{v:.{d}f}" for Y in (ex13._Y_TALL, ex13._Y_SQUARE) for v in np.unique(right_element_weights(Y))
     for d in (2, 3, 4)}
    | {"N / 2", "N/2", "/ (2", "n_samples / (n_classes", "product", "multiplies", "one weight per row", "axis=0",
       "down each column", "np.where", "compute_class_weight("})


@pytest.mark.parametrize("wrong, match", [
    (colleagues, "every label of a row gets the same weight"),
    (pos_weight_style, "carry equal totals, but not the totals"),
    (swapped, "add up to different totals"),
    (softmax_style, "add up to different totals"),
    (counted_along_rows, "add up to different totals"),
    (without_the_error, "expected a ValueError"),
])
def test_wrong_element_weights_fail_without_printing_the_answer(wrong, match):
    message = fails(ex13.check_element_weights, wrong, match=match)
    assert "0.0" not in message or "case" in message


def test_an_error_only_for_missing_positives_passes_visible_and_fails_hidden(capsys):
    ex13.check_element_weights(error_only_without_positives)
    fails(hidden_ex13.check_element_weights, error_only_without_positives, match="has no negative")


BLOCKED = "your code called sklearn.utils.class_weight.compute_"


def calls_scikit_learn(Y):                        # right values, but scikit-learn's own function does the work
    from sklearn.utils.class_weight import compute_sample_weight
    Y = np.asarray(Y)
    return np.stack([compute_sample_weight("balanced", Y[:, l]) for l in range(Y.shape[1])], axis=1)


def calls_compute_class_weight(Y):
    from sklearn.utils.class_weight import compute_class_weight
    Y = np.asarray(Y).astype(int)
    return np.stack([compute_class_weight("balanced", classes=np.array([0, 1]), y=Y[:, l])[Y[:, l]]
                     for l in range(Y.shape[1])], axis=1)


def test_answers_that_call_scikit_learn_fail_with_the_blocking_message():
    for answer in (calls_scikit_learn, calls_compute_class_weight):
        np.testing.assert_allclose(answer(ex13._Y_TALL), right_element_weights(ex13._Y_TALL))
        fails(ex13.check_element_weights, answer, match=BLOCKED)
        fails(hidden_ex13.check_element_weights, answer, match=BLOCKED)


def test_scikit_learn_is_blocked_under_the_name_the_notebook_imported(monkeypatch):
    notebook = types.ModuleType("__main__")
    exec("import numpy as np\nfrom sklearn.utils.class_weight import compute_sample_weight\n"
         "def element_weights(Y):\n"
         "    return np.stack([compute_sample_weight('balanced', c) for c in np.asarray(Y).T], axis=1)\n",
         vars(notebook))
    monkeypatch.setitem(sys.modules, "__main__", notebook)
    fails(ex13.check_element_weights, notebook.element_weights, match=BLOCKED)
    from sklearn.utils.class_weight import compute_sample_weight
    assert notebook.compute_sample_weight is compute_sample_weight                   # restored afterwards


def test_the_row_by_row_reference_counts_like_the_definition():
    n_pos, n_neg = ex13._counted_by_row(ex13._Y_TALL.tolist())
    assert n_pos.tolist() == [5, 2, 1] and n_neg.tolist() == [5, 8, 9]


def test_the_unsolved_element_weights_are_not_done_yet():
    fails(ex13.check_element_weights, not_done, match="not done yet")


def test_a_crashing_element_weights_fails_cleanly():
    fails(ex13.check_element_weights, lambda Y: None, match="expected an array, got None")
    fails(ex13.check_element_weights, lambda Y: Y.sum(axis=0)[5], match="IndexError")
    fails(ex13.check_element_weights, lambda Y: np.ones(len(Y)), match="expected shape")


# ---------------------------------------------------------------- task 2: thresholds of a weighted model

def right_thresholds(w, c_fn, c_fp):
    t = c_fp / (c_fp + c_fn)
    return w * t / (w * t + 1 - t)


def all_right_thresholds():
    return np.concatenate([right_thresholds(*case)
                           for case in ex13.VISIBLE_THRESHOLD_CASES + hidden_ex13.HIDDEN_THRESHOLD_CASES])


FORBIDDEN["check_weighted_model_thresholds"] = sorted(
    {f"{v:.{d}f}" for v in all_right_thresholds() for d in (2, 3, 4)}
    | {"invert", "w * t", "w q / (w q + 1 - q)", "monotone function", "push the Bayes threshold", "pushed its outputs up",
       "CALIBRATED probabilities. The model"})


def test_the_right_thresholds_pass():
    ex13.check_weighted_model_thresholds(right_thresholds)
    hidden_ex13.check_weighted_model_thresholds(right_thresholds)


def test_the_brute_force_output_of_the_weighted_model_is_its_minimiser():
    q, w = np.linspace(0.01, 0.99, 99), 7.0
    np.testing.assert_allclose(ex13._weighted_model_output(q, w), w * q / (w * q + 1 - q), atol=1e-12)


@pytest.mark.parametrize("wrong, match", [
    (lambda w, c_fn, c_fp: c_fp / (c_fp + c_fn), "does the weighted model still output q"),   # weights forgotten
    (lambda w, c_fn, c_fp: np.full(w.shape, 0.5), "0.5 whatever the costs"),                  # the default threshold
    (lambda w, c_fn, c_fp: w * c_fp / (w * c_fp + c_fn) * 0 + 1 / (1 + w), "where .* is cheaper"),  # counts' point
    (lambda w, c_fn, c_fp: c_fp / (c_fp + w * c_fn), "where .* is cheaper"),                  # w on the wrong side
    (lambda w, c_fn, c_fp: c_fn * w / (c_fn * w + c_fp), "where .* is cheaper"),              # the costs swapped
    (lambda w, c_fn, c_fp: w * c_fp / (c_fp + c_fn), "where .* is cheaper|\\[0, 1\\]"),       # w times Bayes
])
def test_wrong_thresholds_fail_without_printing_the_answer(wrong, match):
    message = fails(ex13.check_weighted_model_thresholds, wrong, match=match)
    assert no_number_of(message, all_right_thresholds())
    assert "case 1: pos_weight [1.0, 19.0]" in message or "[0, 1]" in message, message   # the smallest case first


def test_the_hidden_thresholds_catch_an_answer_fitted_to_the_visible_cases():
    visible = {tuple(case[0]): right_thresholds(*case) for case in ex13.VISIBLE_THRESHOLD_CASES}
    lookup = lambda w, c_fn, c_fp: visible.get(tuple(w), np.full(w.shape, 0.5))  # noqa: E731
    ex13.check_weighted_model_thresholds(lookup)
    fails(hidden_ex13.check_weighted_model_thresholds, lookup, match="0.5 whatever")


def test_the_unsolved_thresholds_are_not_done_yet():
    fails(ex13.check_weighted_model_thresholds, not_done, match="not done yet")


def test_thresholds_of_the_wrong_shape_fail_cleanly():
    fails(ex13.check_weighted_model_thresholds, lambda w, a, b: 0.3, match="expected shape")
    fails(ex13.check_weighted_model_thresholds, lambda w, a, b: None, match="got None")


# ---------------------------------------------------------------- task 3: task 1's weights against pos_weight

RIGHT_PREDICTION = {"most common label": "about the same", "rarest label": "about the same"}
BALANCED_REASON = "the entry weights are the pos_weight weights times a constant per label, which moves no minimiser"
FORBIDDEN["check_balanced_prediction"] = ["higher", "lower", "about the same", "constant per label", "scale",
                                          "unchanged", "minimiser does not", "the same model", "rises", "falls"]


def test_task_1_s_weights_are_pos_weight_times_one_constant_per_label():
    # the reason for the right answer, derived from the weights rather than read off the experiment
    _, Y, _, _ = ex13._tagger_data(0)
    W = right_element_weights(Y)
    pos_weight_form = np.where(Y == 1, right_pos_weight(Y), 1.0)
    ratio = W / pos_weight_form
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[:1], ratio.shape))
    assert W[Y[:, 3] == 1, 3][0] < 0.6 * right_pos_weight(Y)[3]             # the rare positive's weight roughly halved


def test_the_experiment_shows_what_the_solution_predicts():
    for seed in hidden_ex13.BALANCED_SEEDS:
        result = ex13.balanced_experiment(seed)
        assert ex13.balanced_outcome(result) == RIGHT_PREDICTION
        # far from the 0.03 line, so another CPU's training cannot flip a verdict
        assert np.abs(result["balanced per entry"] - result["per column"]).max() < 0.005
    ex13.check_balanced_prediction(RIGHT_PREDICTION, BALANCED_REASON)
    hidden_ex13.check_balanced_prediction(RIGHT_PREDICTION, BALANCED_REASON)


@pytest.mark.parametrize("wrong, named", [
    ({"most common label": "lower", "rarest label": "lower"}, ["most common label", "rarest label"]),   # positives only
    ({"most common label": "about the same", "rarest label": "lower"}, ["rarest label"]),
    ({"most common label": "higher", "rarest label": "lower"}, ["most common label", "rarest label"]),   # lecture's
    ({"most common label": "about the same", "rarest label": "higher"}, ["rarest label"]),
])
def test_wrong_balanced_predictions_pass_the_visible_part_and_fail_the_hidden_one(wrong, named, capsys):
    ex13.check_balanced_prediction(wrong, BALANCED_REASON)                    # the visible part does not grade
    message = fails(hidden_ex13.check_balanced_prediction, wrong, BALANCED_REASON,
                    match="disagree with the experiment")
    assert_teaches_without_telling("check_balanced_prediction", message)
    for key in ex13.BALANCED_KEYS:
        assert (f"{key!r}:" in message) == (key in named), message


@pytest.mark.parametrize("wrong, reason, match", [
    ({"most common label": ..., "rarest label": ...}, ..., "not filled in"),            # the stub as shipped
    ({"most common label": "up", "rarest label": "down"}, BALANCED_REASON, "expected one of"),
    (["higher", "lower"], BALANCED_REASON, "expected a dict"),
    ({"rarest label": "lower"}, BALANCED_REASON, "missing"),
    (RIGHT_PREDICTION, ..., "balanced_reason: not filled in"),
    (RIGHT_PREDICTION, "weights", "not a reason yet"),
])
def test_unfilled_or_malformed_balanced_predictions_fail_the_visible_part(wrong, reason, match):
    fails(ex13.check_balanced_prediction, wrong, reason, match=match)
    fails(hidden_ex13.check_balanced_prediction, wrong, reason, match=match)


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


FORBIDDEN["check_multilabel_rwwce"] = ["logaddexp", "log1p", "softplus", "np.clip", "clipping", "never forms p",
                                       "sum(axis=1)", "log(sigmoid", "-log(sigmoid(z)) as a function of z",
                                       "sums over the labels of an example and averages over examples",
                                       "must cost fn_cost", "grows linearly"]


def test_the_right_loss_passes():
    ex13.check_multilabel_rwwce(right_loss)
    hidden_ex13.check_multilabel_rwwce(right_loss)


def test_the_check_s_pytorch_value_is_the_loss_of_the_lecture():
    for _, Z, Y, c_fn, c_fp in ex13.loss_cases(3, 6, 3) + ex13.loss_cases(7, 9, 5):
        assert ex13._torch_rwwce(Z, Y, c_fn, c_fp) == pytest.approx(right_loss(Z, Y, c_fn, c_fp), rel=1e-12)


@pytest.mark.parametrize("wrong, match", [
    (given, "mean over all N x L entries"),
    (mean_over_entries, "mean over all N x L entries"),
    (only_the_mean_fixed, "the loss is (inf|nan)"),
    (clipped, "too small for confidently wrong logits"),
    (summed, "doubles when every example is given twice"),
    (swapped, "exchanged"),
])
def test_wrong_losses_fail(wrong, match):
    fails(ex13.check_multilabel_rwwce, wrong, match=match)


def test_a_crashing_or_non_numeric_loss_fails_cleanly():
    fails(ex13.check_multilabel_rwwce, lambda Z, Y, a, b: None, match="got None")
    fails(ex13.check_multilabel_rwwce, lambda Z, Y, a, b: Z.sum(axis=1), match="single number")
    fails(ex13.check_multilabel_rwwce, lambda Z, Y, a, b: Z @ Y, match="ValueError")


def test_the_unsolved_loss_is_not_done_yet():
    fails(ex13.check_multilabel_rwwce, not_done, match="not done yet")


def test_bayes_thresholds_are_the_library_ones():
    w, c_fn, c_fp = ex13.VISIBLE_THRESHOLD_CASES[0]
    np.testing.assert_allclose(bayes_thresholds(c_fn, c_fp), c_fp / (c_fp + c_fn))


# ---------------------------------------------------------------- task 6: switching off the rarest tag

RIGHT_SILENCED = {"micro recall": "stays", "macro recall": "falls", "micro F1": "stays", "macro F1": "falls"}
REASON = "micro weighs the topic by its tiny share of the counts, macro by 1/12"
CHOICE_WORDS = ("rises", "falls", "stays", "rise", "fall", "stay")
FORBIDDEN["check_silenced_prediction"] = list(CHOICE_WORDS) + ["0.2 %", "1/12", "about -0.06"]


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
    hidden_ex13.check_silenced_prediction(RIGHT_SILENCED, REASON)
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
    message = fails(hidden_ex13.check_silenced_prediction, wrong, REASON, match="disagree with the experiment")
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
    fails(hidden_ex13.check_silenced_prediction, prediction, reason, match=match)


def test_every_check_has_its_forbidden_fragments():
    checks = sorted(name for name, value in vars(ex13).items()
                    if name.startswith("check_") and getattr(value, "__module__", "") == ex13.__name__)
    assert sorted(FORBIDDEN) == checks


#: The visible-only replacement for exercise 13, in the solution's task 6 prediction: macro F1
#: predicted to stay (the lecture's rare label had few hits to lose). The visible check only sees a well-formed one.
VISIBLE_ONLY = ('"macro F1": "falls",           # its F1', '"macro F1": "stays",           # its F1')


def test_the_visible_only_answer_of_the_grading_cycle_passes_visible_and_fails_hidden(capsys):
    prediction = visible_only_answer("13_multi_label.ipynb", VISIBLE_ONLY, "silenced_prediction")
    assert prediction == {**RIGHT_SILENCED, "macro F1": "stays"}
    ex13.check_silenced_prediction(prediction, REASON)
    failure(hidden_ex13.check_silenced_prediction, prediction, REASON, match="disagree with the experiment")


# ---------------------------------------------------------------- task 7 (open): a weighting scheme of your own

def sqrt_weights(Y):
    Y = np.asarray(Y, dtype=float)
    n_pos = Y.sum(axis=0)
    return np.sqrt((len(Y) - n_pos) / n_pos)


def capped_weights(Y):
    Y = np.asarray(Y, dtype=float)
    n_pos = Y.sum(axis=0)
    return np.minimum((len(Y) - n_pos) / n_pos, 20.0)


@pytest.fixture(scope="module")
def sqrt_macro_f1():
    return ex13.pos_weight_experiment(sqrt_weights)["macro F1"]["yours"]


FORBIDDEN["check_own_weights"] = ["sqrt", "square root", "cap", "effective number"]


def test_an_own_scheme_passes_both_parts(sqrt_macro_f1, capsys):
    ex13.check_own_weights(sqrt_weights, "square root of n-/n+", sqrt_macro_f1)
    hidden_ex13.check_own_weights(sqrt_weights, "square root of n-/n+", sqrt_macro_f1)
    assert capsys.readouterr().out.count("\u2714") == 2


def test_the_experiment_compares_with_the_per_column_weight(sqrt_macro_f1):
    result = ex13.pos_weight_experiment(sqrt_weights)
    np.testing.assert_allclose(result["recall"]["per column"], ex13.balanced_experiment(0)["per column"])
    assert result["macro F1"]["yours"] == sqrt_macro_f1


@pytest.mark.parametrize("scheme, name, f1, says", [
    (None, None, None, "not filled in"),                                                  # the stub as shipped
    (sqrt_weights, "rooted", 0.5, "a few words"),
    (right_pos_weight, "per column again", 0.5, "lecture 13's weights"),
    (flattened, "one pooled number", 0.5, "lecture 13's weights"),
    (lambda Y: sqrt_weights(Y) - 2, "shifted square root", 0.5, "positive finite"),
    (lambda Y: sqrt_weights(Y)[:2], "the first two", 0.5, "expected shape"),
    (capped_weights, "capped at twenty", 0.123, "not the macro F1"),
])
def test_an_unfilled_or_inconsistent_open_task_fails(scheme, name, f1, says):
    message = fails(ex13.check_own_weights, scheme, name, f1, match=says)
    assert_teaches_without_telling("check_own_weights", message.replace(str(name), ""))


def test_a_scheme_that_breaks_on_a_single_positive_fails_the_hidden_part(sqrt_macro_f1):
    def breaks(Y):
        Y = np.asarray(Y, dtype=float)
        n_pos = Y.sum(axis=0)
        with np.errstate(divide="ignore"):
            return np.sqrt((len(Y) - n_pos) / (n_pos - 1))            # inf for a label with one positive
    _, Y_train, _, _ = ex13._tagger_data(0)
    assert Y_train.sum(axis=0).min() > 1
    ex13.check_own_weights(breaks, "square root, one positive discounted",
                           ex13.pos_weight_experiment(breaks)["macro F1"]["yours"])
    fails(hidden_ex13.check_own_weights, breaks, "square root, one positive discounted", 0.5, match="positive finite")
