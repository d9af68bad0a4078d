"""One module per concern (tracker issue 28): where each public name lives, and the old places kept for one release.

The old places re-export: ``wloss.posthoc`` and ``wloss.multilabel`` entirely, ``wloss.metrics`` and
``wloss.scenarios`` the names that moved out of them. Each old name must give the very object of its new
place (so code that imports it, and ``wloss.checks.library_blocked``, see one function), and each must be
listed as deprecated in the old module's docstring, which is its page in the API reference.
"""
import doctest
import importlib
import inspect
import subprocess
import sys
import warnings

import pytest

#: Every public name of the modules that issue 28 split, as it was before: old module -> {name: new home}.
#: A name whose home is its old module stayed where it was.
OLD_NAMES = {
    "wloss.posthoc": {
        "prior_correction_multiclass": "wloss.calibration",
        "adjust_posteriors_to_priors": "wloss.calibration",
        "temperature_scale": "wloss.calibration",
        "fit_temperature": "wloss.calibration",
        "platt_scale": "wloss.calibration",
        "fit_platt": "wloss.calibration",
        "fit_isotonic": "wloss.calibration",
        "bias_corrected_temperature_scale": "wloss.calibration",
        "fit_bias_corrected_temperature": "wloss.calibration",
        "estimate_label_shift_bbse": "wloss.label_shift",
        "estimate_label_shift_em": "wloss.label_shift",
        "cost_curve": "wloss.decisions",
        "bootstrap_cost_difference": "wloss.stats",
    },
    "wloss.multilabel": {
        "pos_weight_per_label": "wloss.weights",
        "multilabel_rwwce": "wloss.losses",
        "multilabel_rwwce_reference": "wloss.reference",
        "bayes_thresholds": "wloss.decisions",
        "multilabel_real_world_cost": "wloss.decisions",
        "per_label_recall_precision": "wloss.metrics",
    },
    "wloss.scenarios": {
        "CLASS_NAMES": "wloss.scenarios",
        "make_transactions": "wloss.scenarios",
        "transaction_cost_matrices": "wloss.scenarios",
        "true_class_cost_rows": "wloss.decisions",
        "rwwce_weights_from_costs": "wloss.weights",
        "expected_cost_per_example": "wloss.losses",
        "bayes_decisions": "wloss.decisions",
        "total_decision_cost": "wloss.decisions",
    },
    "wloss.metrics": {
        "confusion_matrix": "wloss.metrics",
        "precision_recall_f1": "wloss.metrics",
        "per_class_recall": "wloss.metrics",
        "balanced_accuracy": "wloss.metrics",
        "precision_recall_curve": "wloss.metrics",
        "average_precision": "wloss.metrics",
        "real_world_cost": "wloss.decisions",
        "bayes_threshold": "wloss.decisions",
        "best_threshold": "wloss.decisions",
        "OBJECTIVES": "wloss.decisions",
    },
    "wloss.calibration": {name: "wloss.calibration" for name in [
        "prior_correction", "reliability_curve", "expected_calibration_error", "top_label_calibration_error",
        "classwise_calibration_error"]},
}

#: A name that changed as it moved: (new home, old name) -> its name there.
RENAMED = {("wloss.reference", "multilabel_rwwce_reference"): "multilabel_rwwce"}

#: Each module by concern and the names it owns (its ``__all__``).
CONCERNS = {
    "wloss.weights": {"class_counts", "inverse_frequency_weights", "sqrt_inverse_frequency_weights", "pos_weight",
                      "effective_number_weights", "pos_weight_per_label", "rwwce_weights_from_costs"},
    "wloss.reference": {"sigmoid", "softmax", "weighted_bce_with_logits", "rwwce_binary", "weighted_cross_entropy",
                        "rwwce_per_example", "rwwce", "expected_cost_loss", "focal_loss",
                        "logit_adjusted_cross_entropy", "rps_loss", "expected_label_l1_loss",
                        "distance_penalized_cross_entropy", "ldam_loss", "coral_loss", "coral_probabilities",
                        "corn_loss", "corn_probabilities", "asymmetric_loss", "multilabel_rwwce"},
    "wloss.metrics": {"confusion_matrix", "precision_recall_f1", "per_class_recall", "balanced_accuracy",
                      "per_label_recall_precision", "precision_recall_curve", "average_precision"},
    "wloss.decisions": {"bayes_threshold", "bayes_thresholds", "best_threshold", "bayes_decisions", "real_world_cost",
                        "multilabel_real_world_cost", "total_decision_cost", "true_class_cost_rows", "cost_curve",
                        "OBJECTIVES"},
    "wloss.calibration": {"reliability_curve", "expected_calibration_error", "top_label_calibration_error",
                          "classwise_calibration_error", "prior_correction", "prior_correction_multiclass",
                          "adjust_posteriors_to_priors", "temperature_scale", "fit_temperature", "platt_scale",
                          "fit_platt", "fit_isotonic", "bias_corrected_temperature_scale",
                          "fit_bias_corrected_temperature"},
    "wloss.label_shift": {"estimate_label_shift_bbse", "estimate_label_shift_em"},
    "wloss.stats": {"weighted_logistic_regression", "logistic_standard_errors", "clustered_paired_t",
                    "cluster_bootstrap_means", "PairedEffect", "paired_effect", "bootstrap_cost_difference",
                    "rank_table", "FriedmanResult", "friedman_test", "nemenyi_q", "nemenyi_critical_difference",
                    "holm_adjust", "pairwise_wilcoxon", "nemenyi_cliques"},
    "wloss.scenarios": {"CLASS_NAMES", "make_transactions", "transaction_cost_matrices"},
    "wloss.losses.multilabel": {"multilabel_rwwce"},
}

DEPRECATED_MODULES = ("wloss.posthoc", "wloss.multilabel")

CASES = [(old, name, new) for old, names in OLD_NAMES.items() for name, new in names.items()]
MOVED = [case for case in CASES if case[0] != case[2]]


def new_object(new, name):
    return getattr(importlib.import_module(new), RENAMED.get((new, name), name))


@pytest.mark.parametrize("old, name, new", CASES, ids=[f"{old}.{name}" for old, name, _ in CASES])
def test_every_old_name_imports_from_its_old_place_as_the_same_object(old, name, new):
    module = importlib.import_module(old)
    namespace = {}
    exec(f"from {old} import {name}", namespace)  # noqa: S102 - the import statement a notebook runs
    assert namespace[name] is getattr(module, name) is new_object(new, name)
    assert name in vars(module)  # a real attribute: library_blocked("...", "old.name") finds and replaces it
    assert RENAMED.get((new, name), name) in importlib.import_module(new).__all__


@pytest.mark.parametrize("old, name, new", MOVED, ids=[f"{old}.{name}" for old, name, _ in MOVED])
def test_each_moved_name_is_listed_as_deprecated_in_the_old_docstring(old, name, new):
    doc = " ".join(importlib.import_module(old).__doc__.split())
    entry = f"``{name}``: Deprecated: moved to {new}"
    assert entry in doc, entry
    start = doc.index(entry)
    end = doc.find(" - ``", start)
    item = doc[start:] if end == -1 else doc[start:end]
    assert "this name will be removed in the next release." in item, item


@pytest.mark.parametrize("old", DEPRECATED_MODULES)
def test_a_deprecated_module_says_so_first_and_only_re_exports(old):
    module = importlib.import_module(old)
    assert module.__doc__.startswith("Deprecated: moved to wloss.")
    assert "will be removed in the next release" in " ".join(module.__doc__.split()[:30])
    public = {key: value for key, value in vars(module).items() if not key.startswith("_")}
    assert set(public) == set(OLD_NAMES[old])
    assert all(getattr(value, "__module__", None) != old for value in public.values())
    # no __all__: the API reference then documents each function once, on the page of its new home
    assert not hasattr(module, "__all__")


def test_importing_the_old_places_warns_nothing():
    """The notebooks still import them; their committed outputs must not gain a warning."""
    code = ("import warnings; warnings.simplefilter('error'); "
            + "; ".join(f"import {old}" for old in OLD_NAMES))
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", sorted(CONCERNS))
def test_all_of_each_module_is_its_concern(name):
    module = importlib.import_module(name)
    assert set(module.__all__) == CONCERNS[name]
    assert len(module.__all__) == len(set(module.__all__))
    own = {key for key, value in vars(module).items() if not key.startswith("_")
           and (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == name}
    assert own <= set(module.__all__), f"public but not in __all__: {sorted(own - set(module.__all__))}"


def test_each_name_has_one_home():
    homes = {}
    for name, names in CONCERNS.items():
        if name == "wloss.losses.multilabel":  # exported again by its package, wloss.losses
            continue
        for member in names:
            homes.setdefault(member, []).append(name)
    # the NumPy reference mirrors the losses' names on purpose; no other name lives in two modules
    shared = {member: where for member, where in homes.items() if len(where) > 1}
    assert shared == {}, shared


def test_the_multilabel_loss_is_a_loss():
    import wloss.losses
    import wloss.losses.multilabel

    assert wloss.losses.multilabel_rwwce is wloss.losses.multilabel.multilabel_rwwce
    assert "multilabel_rwwce" in wloss.losses.__all__


@pytest.mark.parametrize("name", sorted(set(CONCERNS) | {"wloss._validation"}))
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"torch": __import__("torch")})
    assert result.failed == 0 and result.attempted > 0


def test_each_module_imports_first():
    """No import cycle between the modules that re-export each other, whichever is imported first.

    One interpreter, with wloss forgotten before each import (NumPy, SciPy and torch stay loaded).
    """
    names = sorted(set(CONCERNS) | set(OLD_NAMES))
    code = ("import importlib, sys, numpy, scipy, torch\n"
            f"for name in {names!r}:\n"
            "    for key in [k for k in sys.modules if k == 'wloss' or k.startswith('wloss.')]:\n"
            "        del sys.modules[key]\n"
            "    importlib.import_module(name)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_old_module_keeps_a_private_copy_of_a_shared_validator():
    """One validation path: the validators that several modules need live in wloss._validation only."""
    shared = ["_as_float_array", "_multi_hot", "_costs", "_cost_pair", "_check_reduction", "_logit_matrix",
              "_probability_matrix", "_priors", "_positive_int", "_check_cost_matrices", "_check_labels_match",
              "_label_pair", "_binary_labels", "_score_array", "_scores_and_labels", "_binary_inputs"]
    for name in ["wloss.calibration", "wloss.label_shift", "wloss.decisions", "wloss.metrics", "wloss.weights",
                 "wloss.stats", "wloss.reference", "wloss.scenarios", "wloss.losses.multilabel"]:
        module = importlib.import_module(name)
        kept = [helper for helper in shared if helper in vars(module)
                and not (name == "wloss.calibration" and helper == "_logit_matrix")]  # calibration's own
        assert kept == [], (name, kept)


def test_library_blocked_blocks_a_moved_name_through_its_old_place():
    """The exercises' checks name old places (e.g. wloss.posthoc.estimate_label_shift_bbse): still blocked there."""
    from wloss.checks import CheckFailed, library_blocked
    import wloss.posthoc

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with library_blocked("priors", "wloss.posthoc.estimate_label_shift_bbse"):
            with pytest.raises(CheckFailed, match="your code called wloss.posthoc.estimate_label_shift_bbse"):
                wloss.posthoc.estimate_label_shift_bbse([0, 1], [0, 1], [0, 1], 2)
    assert wloss.posthoc.estimate_label_shift_bbse([0, 1], [0, 1], [1, 1], 2).tolist() == [0.0, 1.0]
