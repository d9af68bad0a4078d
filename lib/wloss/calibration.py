"""Calibration: how far predicted probabilities are from observed frequencies, and how to make them agree.

- ``reliability_curve``, ``expected_calibration_error``  binary: observed frequency against mean predicted
  probability in equal-width bins, and their weighted gap (ECE)
- ``top_label_calibration_error``, ``classwise_calibration_error``  K classes: the ECE of the predicted class's
  confidence only, or of every class's probability (Kull et al. 2019; Nixon et al. 2019)
- ``prior_correction``, ``prior_correction_multiclass``  undo the probability distortion of weighted training
  (King & Zeng 2001): a model trained with ``pos_weight = w`` (class weights ``w_k``) estimates odds w times
  too high, and subtracting ``log w`` (``log w_k``) from the logits undoes that
- ``adjust_posteriors_to_priors``  move posteriors from the training priors to new ones (Bayes' rule);
  ``wloss.label_shift`` estimates new priors from unlabelled data
- ``fit_temperature`` / ``temperature_scale``, ``fit_platt`` / ``platt_scale``, ``fit_isotonic``,
  ``fit_bias_corrected_temperature`` / ``bias_corrected_temperature_scale`` (BCTS, Alexandari et al. 2020):
  calibrators fitted on held-out (validation) data, applied to a trained model's outputs without retraining it
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import log_softmax, softmax

from wloss._validation import (binary_probabilities, check_nonnegative_finite, class_priors, finite_real,
                               finite_vector, float_array, labels_like, positive_finite,
                               probability_matrix)

__all__ = ["reliability_curve", "expected_calibration_error", "top_label_calibration_error",
           "classwise_calibration_error", "prior_correction", "prior_correction_multiclass",
           "adjust_posteriors_to_priors", "temperature_scale", "fit_temperature", "platt_scale", "fit_platt",
           "fit_isotonic", "bias_corrected_temperature_scale", "fit_bias_corrected_temperature"]


# ----------------------------------------------------------------------------- reliability and ECE


def reliability_curve(probabilities, y_true, num_bins: int = 10):
    """Mean predicted probability and observed frequency of positives in equal-width bins.

    Parameters
    ----------
    probabilities : array-like, shape (N,), values in [0, 1]
    y_true : array-like, shape (N,), labels in {0, 1}
    num_bins : int >= 1

    Returns
    -------
    mean_predicted, observed_frequency, counts : ndarrays of shape (B,)
        For the non-empty bins only. A calibrated model has
        ``observed_frequency ~= mean_predicted``.

    Examples
    --------
    >>> reliability_curve([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 1], num_bins=2)[1]
    array([0., 1.])
    """
    p, y = binary_probabilities(probabilities, y_true, "probabilities", "y_true")
    if not isinstance(num_bins, (int, np.integer)) or num_bins < 1:
        raise ValueError(f"num_bins must be an int >= 1, got {num_bins!r}")
    bins = np.minimum((p * num_bins).astype(int), num_bins - 1)
    counts = np.bincount(bins, minlength=num_bins)
    filled = counts > 0
    mean_predicted = np.bincount(bins, weights=p, minlength=num_bins)[filled] / counts[filled]
    observed = np.bincount(bins, weights=y, minlength=num_bins)[filled] / counts[filled]
    return mean_predicted, observed, counts[filled]


def expected_calibration_error(probabilities, y_true, num_bins: int = 10) -> float:
    """ECE = sum_b (n_b / N) |observed_b - mean_predicted_b| over equal-width bins.

    Examples
    --------
    >>> expected_calibration_error([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 1], num_bins=2)
    0.1
    """
    mean_predicted, observed, counts = reliability_curve(probabilities, y_true, num_bins)
    return float(np.round((counts * np.abs(observed - mean_predicted)).sum() / counts.sum(), 12))


def top_label_calibration_error(probabilities, y_true, num_bins: int = 10) -> float:
    """Top-label ECE of a K-class model: the binned ECE of its largest probability against its accuracy.

    ECE_top = sum_b (n_b / N) |acc_b - conf_b|, where conf = max_k p(k | x) and
    acc is whether the arg-max is the true class (Guo et al. 2017). It looks at
    one number per example, so it cannot see how the rest of the probability is
    spread over the other classes.

    Parameters
    ----------
    probabilities : array-like, shape (N, K), K >= 2, rows in [0, 1] summing to 1
    y_true : array-like of int, shape (N,), labels in [0, K)
    num_bins : int >= 1, equal-width bins on [0, 1]

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``probabilities`` is not an (N, K) matrix of probabilities, ``y_true``
        has the wrong length or labels outside [0, K), or ``num_bins`` < 1.

    Examples
    --------
    >>> p = [[0.8, 0.2, 0.0], [0.8, 0.2, 0.0], [0.4, 0.3, 0.3], [0.4, 0.3, 0.3]]
    >>> top_label_calibration_error(p, [0, 1, 0, 2], num_bins=2)     # (2 |0.5 - 0.4| + 2 |0.5 - 0.8|) / 4
    0.2
    """
    p, y = _multiclass_inputs(probabilities, y_true)
    return expected_calibration_error(p.max(axis=1), p.argmax(axis=1) == y, num_bins)


def classwise_calibration_error(probabilities, y_true, num_bins: int = 10) -> float:
    """Class-wise ECE of a K-class model: the mean over classes of the binned ECE of p(k | x) against 1[y = k].

    classwise-ECE = (1/K) sum_k sum_b (n_kb / N) |freq_kb - conf_kb|

    where bin b of class k holds the examples whose p(k | x) falls in it
    (Kull et al. 2019; the static calibration error, SCE, of Nixon et al. 2019).
    Unlike the top-label ECE it scores the probability of every class for every
    example, so it sees a model that gives a rare class too much probability
    where that class is not the arg-max.

    Parameters
    ----------
    probabilities : array-like, shape (N, K), K >= 2, rows in [0, 1] summing to 1
    y_true : array-like of int, shape (N,), labels in [0, K)
    num_bins : int >= 1, equal-width bins on [0, 1]

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``probabilities`` is not an (N, K) matrix of probabilities, ``y_true``
        has the wrong length or labels outside [0, K), or ``num_bins`` < 1.

    Examples
    --------
    >>> p = [[0.8, 0.2, 0.0], [0.8, 0.2, 0.0], [0.4, 0.3, 0.3], [0.4, 0.3, 0.3]]
    >>> classwise_calibration_error(p, [0, 1, 0, 2], num_bins=2)     # (0.2 + 0.0 + 0.1) / 3
    0.1
    """
    p, y = _multiclass_inputs(probabilities, y_true)
    per_class = [expected_calibration_error(p[:, k], y == k, num_bins) for k in range(p.shape[1])]
    return float(np.round(np.mean(per_class), 12))


# ----------------------------------------------------------------------------- prior correction


def prior_correction(logits, pos_weight: float) -> np.ndarray:
    """Logits of a model trained with ``pos_weight = w``, corrected to the true class prior.

    z_corrected = z - log w

    Parameters
    ----------
    logits : array-like, shape (N,)
    pos_weight : float > 0

    Examples
    --------
    >>> prior_correction([0.0, np.log(20)], 20.0).round(4)
    array([-2.9957,  0.    ])
    """
    return finite_vector(logits, "logits") - np.log(positive_finite(pos_weight, "pos_weight"))


def prior_correction_multiclass(logits, class_weight) -> np.ndarray:
    """Logits of a model trained with class weights ``w_k``, corrected to the true priors.

    z_corrected[:, k] = z[:, k] - log w_k

    Weighting class k by w_k trains the model on a world where class k is w_k
    times as frequent, so softmax(z)_k is proportional to w_k p(k | x); the
    subtraction removes the factor. Multiplying every w_k by the same constant
    (a common scale) changes nothing after the softmax.

    Parameters
    ----------
    logits : array-like, shape (N, K)
    class_weight : array-like, shape (K,), entries > 0

    Returns
    -------
    ndarray, shape (N, K)

    Examples
    --------
    >>> prior_correction_multiclass([[0.0, np.log(4.0)]], [1.0, 4.0]).round(4)
    array([[0., 0.]])
    """
    z = _logit_matrix(logits)
    w = check_nonnegative_finite(class_weight, "class_weight", shape=(z.shape[1],))
    if np.any(w == 0):
        raise ValueError("class_weight must be > 0 for every class")
    return z - np.log(w)


def adjust_posteriors_to_priors(probabilities, train_priors, new_priors) -> np.ndarray:
    """Posteriors under new class priors (Bayes' rule with the likelihoods unchanged).

    p_new(k | x) = p(k | x) q_k / pi_k  /  sum_j p(j | x) q_j / pi_j

    Parameters
    ----------
    probabilities : array-like, shape (N, K), rows summing to 1
    train_priors : array-like, shape (K,), > 0, summing to 1
    new_priors : array-like, shape (K,), >= 0, summing to 1 (a 0 rules a class out)

    Examples
    --------
    >>> adjust_posteriors_to_priors([[0.5, 0.5]], [0.5, 0.5], [0.2, 0.8]).round(2)
    array([[0.2, 0.8]])
    """
    p = probability_matrix(probabilities)
    k = p.shape[1]
    pi = class_priors(train_priors, "train_priors", k)
    q = check_nonnegative_finite(new_priors, "new_priors", shape=(k,))
    if not np.isclose(q.sum(), 1.0, atol=1e-6):
        raise ValueError(f"new_priors must sum to 1, got {q.sum():.6g}")
    unnormalised = p * (q / pi)
    total = unnormalised.sum(axis=1, keepdims=True)
    if np.any(total == 0):
        raise ValueError("new_priors gives every class of some example probability 0")
    return unnormalised / total


# ----------------------------------------------------------------------------- fitted calibrators


def temperature_scale(logits, temperature: float) -> np.ndarray:
    """Calibrated probabilities softmax(z / T).

    Parameters
    ----------
    logits : array-like, shape (N, K)
    temperature : float > 0

    Examples
    --------
    >>> temperature_scale([[0.0, 2.0]], 2.0).round(4)
    array([[0.2689, 0.7311]])
    """
    z = _logit_matrix(logits)
    t = positive_finite(temperature, "temperature")
    return softmax(z / t, axis=1)


def fit_temperature(logits, y_true) -> float:
    """The temperature T > 0 that minimises the mean negative log-likelihood of softmax(z / T).

    Fit it on validation data, never on the test set (Guo et al. 2017). One
    parameter: it rescales confidence and never changes the arg-max.

    Parameters
    ----------
    logits : array-like, shape (N, K)
    y_true : array-like of int, shape (N,), labels in [0, K)

    Returns
    -------
    float

    Examples
    --------
    >>> z = np.array([[0.0, 3.0], [0.0, -3.0], [0.0, 3.0], [0.0, 3.0]])
    >>> round(fit_temperature(z, [1, 0, 1, 0]), 2)      # one confident mistake in four: soften
    2.73
    """
    z = _logit_matrix(logits)
    y = labels_like(y_true, "y_true", len(z), "logits", num_classes=z.shape[1])

    def nll(log_t):
        return -log_softmax(z * np.exp(-log_t), axis=1)[np.arange(len(y)), y].mean()

    result = minimize_scalar(nll, bounds=(-6.0, 6.0), method="bounded", options={"xatol": 1e-10})
    return float(np.exp(result.x))


def platt_scale(scores, coef: float, intercept: float) -> np.ndarray:
    """Platt's calibrated probability sigma(a s + b) of a binary score s.

    Examples
    --------
    >>> platt_scale([0.0], 1.0, 0.0)
    array([0.5])
    """
    s = finite_vector(scores, "scores")
    a, b = finite_real(coef, "coef"), finite_real(intercept, "intercept")
    return 1.0 / (1.0 + np.exp(-(a * s + b)))


def fit_platt(scores, y_true) -> tuple[float, float]:
    """Platt scaling: (a, b) maximising the likelihood of y under sigma(a s + b), unregularised.

    The same fit as ``LogisticRegression(C=np.inf)`` on the one feature s.
    (Platt's 1999 paper also smooths the 0/1 targets slightly; scikit-learn's
    ``CalibratedClassifierCV(method="sigmoid")`` does so too; this function does not.)

    Parameters
    ----------
    scores : array-like, shape (N,) (logits or any real score)
    y_true : array-like of 0/1, shape (N,)

    Returns
    -------
    (coef, intercept) : tuple of float

    Examples
    --------
    >>> a, b = fit_platt([-2.0, -1.0, 1.0, 2.0, -1.5, 1.5], [0, 1, 0, 1, 0, 1])
    >>> a > 0
    True
    """
    s = finite_vector(scores, "scores")
    y = labels_like(y_true, "y_true", len(s), "scores", "entries", num_classes=2).astype(np.float64)
    if y.min() == y.max():
        raise ValueError("y_true must contain both classes to fit Platt scaling")

    def nll_and_grad(theta):
        z = theta[0] * s + theta[1]
        value = np.mean(np.logaddexp(0.0, z) - y * z)
        residual = 1.0 / (1.0 + np.exp(-z)) - y
        return value, np.array([np.mean(residual * s), np.mean(residual)])

    result = minimize(nll_and_grad, np.array([1.0, 0.0]), jac=True, method="BFGS", options={"gtol": 1e-12})
    return float(result.x[0]), float(result.x[1])


def fit_isotonic(scores, y_true):
    """Isotonic calibration: the non-decreasing fit of y to the score in squared error, linear in between.

    The fit is made at the training scores (closest to y in squared error among non-decreasing ones),
    interpolated linearly between them and clipped outside their range.

    A thin wrapper of ``sklearn.isotonic.IsotonicRegression(out_of_bounds="clip")``,
    with the course's input checks. Flexible, so it needs more held-out data
    than a one- or two-parameter calibrator.

    Parameters
    ----------
    scores : array-like, shape (N,)
    y_true : array-like of 0/1, shape (N,)

    Returns
    -------
    callable
        ``calibrate(new_scores) -> probabilities`` of shape (M,).

    Examples
    --------
    >>> calibrate = fit_isotonic([0.0, 1.0, 2.0, 3.0], [0, 1, 0, 1])
    >>> calibrate([0.0, 3.0])
    array([0., 1.])
    """
    from sklearn.isotonic import IsotonicRegression

    s = finite_vector(scores, "scores")
    y = labels_like(y_true, "y_true", len(s), "scores", "entries", num_classes=2).astype(np.float64)
    model = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(s, y)

    def calibrate(new_scores):
        return model.predict(finite_vector(new_scores, "new_scores"))

    return calibrate


def bias_corrected_temperature_scale(logits, temperature: float, bias) -> np.ndarray:
    """Bias-corrected temperature scaling (BCTS): probabilities softmax(z / T + b).

    Parameters
    ----------
    logits : array-like, shape (N, K)
    temperature : float > 0
    bias : array-like, shape (K,), one finite offset per class

    Returns
    -------
    ndarray, shape (N, K), rows summing to 1

    Examples
    --------
    >>> bias_corrected_temperature_scale([[0.0, 2.0]], 2.0, [0.0, -1.0]).round(4)
    array([[0.5, 0.5]])
    """
    z = _logit_matrix(logits)
    t = positive_finite(temperature, "temperature")
    b = _bias_vector(bias, z.shape[1])
    return softmax(z / t + b, axis=1)


def fit_bias_corrected_temperature(logits, y_true) -> tuple[float, np.ndarray]:
    """BCTS: the temperature T and class biases b minimising the mean NLL of softmax(z / T + b).

    Temperature scaling (Guo et al. 2017) plus one bias per class, fitted on
    labelled validation data (Alexandari, Kundaje & Shrikumar 2020). The
    temperature fixes how sharp the probabilities are; the biases shift mass
    between classes, which a temperature cannot do: they can learn, for
    instance, the prior correction -log w_k of a model trained with class
    weights. At the optimum the mean calibrated probability of each class
    equals its share in ``y_true``. Adding a constant to every b_k changes
    nothing, so b is returned centred (summing to 0).

    Parameters
    ----------
    logits : array-like, shape (N, K)
    y_true : array-like of int, shape (N,), labels in [0, K), every class present

    Returns
    -------
    (temperature, bias) : tuple of float and ndarray of shape (K,)
        T is searched in [exp(-6), exp(6)].

    Raises
    ------
    ValueError
        If ``logits`` is not a finite (N, K) matrix, ``y_true`` has the wrong
        length or labels outside [0, K), or a class never occurs in ``y_true``.

    Examples
    --------
    Logits that say nothing (all 0) leave only the class shares to learn:

    >>> t, b = fit_bias_corrected_temperature(np.zeros((4, 2)), [0, 1, 1, 1])
    >>> b.round(4)                                   # centred log of the shares (1/4, 3/4)
    array([-0.5493,  0.5493])
    >>> bias_corrected_temperature_scale(np.zeros((1, 2)), t, b).round(4)
    array([[0.25, 0.75]])
    """
    z = _logit_matrix(logits)
    k = z.shape[1]
    y = labels_like(y_true, "y_true", len(z), "logits", num_classes=k)
    counts = np.bincount(y, minlength=k)
    if np.any(counts == 0):
        raise ValueError(f"y_true must contain every class to fit the biases, class {int(np.argmin(counts))} "
                         "never occurs")
    onehot = np.eye(k)[y]

    def nll_and_grad(theta):
        scaled = z * np.exp(-theta[0])
        log_p = log_softmax(scaled + theta[1:], axis=1)
        residual = np.exp(log_p) - onehot                  # d NLL / d (z / T + b), per example
        value = -np.mean(np.sum(log_p * onehot, axis=1))
        grad_log_t = -np.mean(np.sum(residual * scaled, axis=1))
        return value, np.r_[grad_log_t, residual.mean(axis=0)]

    result = minimize(nll_and_grad, np.zeros(k + 1), jac=True, method="L-BFGS-B",
                      bounds=[(-6.0, 6.0)] + [(None, None)] * k,
                      options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 10_000})
    bias = result.x[1:] - result.x[1:].mean()
    return float(np.exp(result.x[0])), bias


# ----------------------------------------------------------------------------- inputs


def _multiclass_inputs(probabilities, y_true):
    """Probabilities (N, K) in [0, 1] with rows summing to 1, and labels (N,) in [0, K)."""
    p = probability_matrix(probabilities)
    if np.any(p > 1):
        raise ValueError("probabilities must lie in [0, 1] with every row summing to 1")
    return p, labels_like(y_true, "y_true", len(p), "probabilities", num_classes=p.shape[1])


def _logit_matrix(logits, name: str = "logits") -> np.ndarray:
    """``logits`` as a float64 (N, K) array of finite numbers, N >= 1 and K >= 2 (tensors are read back)."""
    z = float_array(logits, name)
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] < 2:
        raise ValueError(f"{name} must have shape (N, K) with N >= 1 and K >= 2, got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    return z


def _bias_vector(bias, k: int) -> np.ndarray:
    """``bias`` as k finite numbers, one per class."""
    b = finite_vector(bias, "bias")
    if b.shape != (k,):
        raise ValueError(f"bias must have shape ({k},), one entry per class, got {b.shape}")
    return b
