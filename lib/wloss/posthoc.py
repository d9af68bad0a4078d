"""After training: recalibration, label shift and decisions under uncertain costs.

Pieces that act on a trained model's outputs, without retraining it:

- ``prior_correction_multiclass``: undo class weights ``w_k`` by ``z_k - log w_k``
  (King & Zeng 2001, for K classes; the binary case is
  :func:`wloss.calibration.prior_correction`).
- ``fit_temperature`` / ``temperature_scale``, ``fit_platt`` / ``platt_scale``,
  ``fit_isotonic``, ``fit_bias_corrected_temperature`` /
  ``bias_corrected_temperature_scale`` (BCTS, Alexandari et al. 2020):
  calibrators fitted on held-out (validation) data.
- ``adjust_posteriors_to_priors``: move posteriors from training priors to new ones.
- ``estimate_label_shift_bbse`` (Lipton, Wang & Smola 2018) and
  ``estimate_label_shift_em`` (Saerens, Latinne & Decaestecker 2002): new
  class priors from unlabelled deployment data.
- ``cost_curve`` (Drummond & Holte 2006) and ``bootstrap_cost_difference``
  (a paired bootstrap over examples).
"""
from __future__ import annotations

import numbers

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import log_softmax, softmax

from wloss._validation import (as_label_array, check_nonnegative_finite, check_num_classes, finite_real,
                               finite_vector, positive_finite)

# ----------------------------------------------------------------------------- validation helpers


def _logit_matrix(logits, name: str = "logits") -> np.ndarray:
    raw = logits.detach().cpu().numpy() if hasattr(logits, "detach") else logits
    try:
        z = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {type(logits).__name__}") from None
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] < 2:
        raise ValueError(f"{name} must have shape (N, K) with N >= 1 and K >= 2, got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    return z


def _probability_matrix(probabilities, name: str = "probabilities") -> np.ndarray:
    p = check_nonnegative_finite(probabilities, name, shape=(None, None))
    if p.shape[0] == 0 or p.shape[1] < 2:
        raise ValueError(f"{name} must have shape (N, K) with N >= 1 and K >= 2, got {p.shape}")
    if not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(f"{name}: every row must sum to 1")
    return p


def _priors(priors, name: str, k: int) -> np.ndarray:
    pi = check_nonnegative_finite(priors, name, shape=(k,))
    if np.any(pi == 0) or not np.isclose(pi.sum(), 1.0, atol=1e-6):
        raise ValueError(f"{name} must be > 0 and sum to 1, got {np.round(pi, 4)}")
    return pi / pi.sum()


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


# ----------------------------------------------------------------------------- prior correction


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
    p = _probability_matrix(probabilities)
    k = p.shape[1]
    pi = _priors(train_priors, "train_priors", k)
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
    y = as_label_array(y_true, "y_true", num_classes=z.shape[1])
    if len(y) != len(z):
        raise ValueError(f"y_true has {len(y)} labels but logits has {len(z)} rows")

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
    y = as_label_array(y_true, "y_true", num_classes=2).astype(np.float64)
    if len(y) != len(s):
        raise ValueError(f"y_true has {len(y)} labels but scores has {len(s)}")
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
    y = as_label_array(y_true, "y_true", num_classes=2).astype(np.float64)
    if len(y) != len(s):
        raise ValueError(f"y_true has {len(y)} labels but scores has {len(s)}")
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
    y = as_label_array(y_true, "y_true", num_classes=k)
    if len(y) != len(z):
        raise ValueError(f"y_true has {len(y)} labels but logits has {len(z)} rows")
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


def _bias_vector(bias, k: int) -> np.ndarray:
    """``bias`` as k finite numbers, one per class."""
    b = finite_vector(bias, "bias")
    if b.shape != (k,):
        raise ValueError(f"bias must have shape ({k},), one entry per class, got {b.shape}")
    return b


# ----------------------------------------------------------------------------- label shift


def estimate_label_shift_bbse(y_val, pred_val, pred_target, num_classes: int) -> np.ndarray:
    """New class priors from unlabelled deployment data: black-box shift estimation (Lipton et al. 2018).

    Under label shift p(x | y) is unchanged, so the hard predictions satisfy

        mu_i = q(yhat = i) = sum_j P(yhat = i | y = j) q_j = (M q)_i

    with M[i, j] = P(yhat = i | y = j) estimated on labelled validation data
    (column j: the predictions for the examples of TRUE class j, so the
    columns sum to 1) and mu the predicted-class shares on the deployment
    data. Solving M q = mu gives q. Noise can make entries negative; they are
    clipped to 0 and the result renormalised. A near-singular M (a classifier
    that confuses two classes) makes q unreliable: check ``np.linalg.cond(M)``.

    Parameters
    ----------
    y_val, pred_val : array-like of int, shape (N,), labels in [0, K)
    pred_target : array-like of int, shape (M,), predictions on deployment data
    num_classes : int K >= 2

    Returns
    -------
    ndarray, shape (K,), >= 0, summing to 1

    Raises
    ------
    ValueError
        If a class never occurs in ``y_val`` or M is singular.

    Examples
    --------
    >>> estimate_label_shift_bbse([0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 1, 0], 2)
    array([0.25, 0.75])
    """
    k = check_num_classes(num_classes)
    if k < 2:
        raise ValueError(f"num_classes must be >= 2, got {k}")
    y = as_label_array(y_val, "y_val", num_classes=k)
    yhat = as_label_array(pred_val, "pred_val", num_classes=k)
    target = as_label_array(pred_target, "pred_target", num_classes=k)
    if len(y) != len(yhat):
        raise ValueError(f"y_val has {len(y)} labels but pred_val has {len(yhat)}")
    counts = np.bincount(y, minlength=k)
    if np.any(counts == 0):
        raise ValueError(f"y_val must contain every class, class {int(np.argmin(counts))} never occurs")
    joint = np.zeros((k, k))
    np.add.at(joint, (yhat, y), 1.0)           # rows: predicted class, columns: true class
    conditional = joint / counts                 # M[i, j] = P(yhat = i | y = j)
    mu = np.bincount(target, minlength=k) / len(target)
    try:
        q = np.linalg.solve(conditional, mu)
    except np.linalg.LinAlgError:
        raise ValueError("the validation confusion matrix is singular: the classifier cannot tell "
                         "some classes apart, so their priors cannot be estimated") from None
    q = np.clip(q, 0.0, None)
    if q.sum() == 0:
        raise ValueError("the estimated priors are all <= 0: the confusion matrix is too noisy")
    return q / q.sum()


def estimate_label_shift_em(probabilities, train_priors, max_iter: int = 1000, tol: float = 1e-10) -> np.ndarray:
    """New class priors from unlabelled deployment data: the EM of Saerens, Latinne & Decaestecker (2002).

    Repeat until the priors stop changing:

        E-step: p_s(k | x_n) = p(k | x_n) q_k / pi_k, normalised over k
        M-step: q_k = (1/N) sum_n p_s(k | x_n)

    It converges to the maximum of the likelihood sum_n log sum_k p(k | x_n) q_k / pi_k
    over the simplex, and needs CALIBRATED posteriors p(k | x) for the training priors pi.

    Parameters
    ----------
    probabilities : array-like, shape (N, K), posteriors on the deployment data
    train_priors : array-like, shape (K,), > 0, summing to 1
    max_iter : int >= 1
    tol : float > 0, stop when max |q_new - q| < tol

    Returns
    -------
    ndarray, shape (K,)

    Examples
    --------
    >>> estimate_label_shift_em([[0.9, 0.1], [0.1, 0.9], [0.1, 0.9]], [0.5, 0.5]).round(3)
    array([0.292, 0.708])
    """
    p = _probability_matrix(probabilities)
    pi = _priors(train_priors, "train_priors", p.shape[1])
    max_iter = _positive_int(max_iter, "max_iter")
    tol = float(check_nonnegative_finite(tol, "tol", shape=()))
    if tol == 0:
        raise ValueError("tol must be > 0, got 0")
    q = pi.copy()
    ratio = p / pi
    for _ in range(max_iter):
        shifted = ratio * q
        shifted /= shifted.sum(axis=1, keepdims=True)
        new_q = shifted.mean(axis=0)
        if np.max(np.abs(new_q - q)) < tol:
            return new_q
        q = new_q
    return q


# ----------------------------------------------------------------------------- costs


def cost_curve(y_true, scores, probability_cost) -> np.ndarray:
    """Normalised expected cost of the best threshold at each probability-cost value (Drummond & Holte 2006).

    For operating conditions summarised by

        PC = p(+) c_fn / (p(+) c_fn + p(-) c_fp)       (in [0, 1])

    a classifier with false-negative rate FNR and false-positive rate FPR has
    normalised expected cost NE = FNR * PC + FPR * (1 - PC), a straight line
    in PC. The cost curve is the lower envelope of these lines over every
    threshold of ``scores`` (including "all negative" and "all positive"):
    the cost of the best choice of threshold at that PC. Lower is better;
    the diagonal min(PC, 1 - PC) is the best trivial classifier.

    Parameters
    ----------
    y_true : array-like of 0/1, shape (N,), both classes present
    scores : array-like, shape (N,), larger means more positive
    probability_cost : array-like, shape (G,), values in [0, 1]

    Returns
    -------
    ndarray, shape (G,)

    Examples
    --------
    >>> cost_curve([0, 1], [0.2, 0.8], [0.0, 0.5, 1.0])
    array([0., 0., 0.])
    """
    s = finite_vector(scores, "scores")
    y = as_label_array(y_true, "y_true", num_classes=2)
    if len(y) != len(s):
        raise ValueError(f"y_true has {len(y)} labels but scores has {len(s)}")
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("y_true must contain both classes")
    pc = check_nonnegative_finite(probability_cost, "probability_cost", shape=(None,))
    if np.any(pc > 1):
        raise ValueError("probability_cost must lie in [0, 1]")
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    true_pos = np.r_[0, np.cumsum(y_sorted)]
    false_pos = np.r_[0, np.cumsum(1 - y_sorted)]
    keep = np.r_[True, s_sorted[1:] != s_sorted[:-1], True]      # cut only between distinct scores
    fnr = 1.0 - true_pos[keep] / n_pos
    fpr = false_pos[keep] / n_neg
    return np.min(np.outer(pc, fnr) + np.outer(1.0 - pc, fpr), axis=1)


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
    n_boot = _positive_int(n_boot, "n_boot")
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
