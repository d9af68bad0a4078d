"""Checks for exercise 07 (RWWCE and maximum likelihood)."""
import numpy as np

from wloss.checks import check_array, check_close, check_scalar, fail, passed, task

CASES = [(9, 1, 1.0, 1.0), (9, 1, 2000.0, 100.0), (3, 7, 1.0, 4.0), (1, 99, 20.0, 1.0)]


def _p_star(n1, n0, c_fn, c_fp):
    return c_fn * n1 / (c_fn * n1 + c_fp * n0)


def _check_minimiser(name, function):
    for n1, n0, c_fn, c_fp in CASES:
        case = f"n1={n1}, n0={n0}, c_fn={c_fn}, c_fp={c_fp}"
        with task(name):
            got = check_scalar(f"{name}({case})", function(n1, n0, c_fn, c_fp))
        if np.isclose(got, c_fp * n1 / (c_fp * n1 + c_fn * n0)) and c_fn != c_fp:
            fail(f"{name}({case}): costs swapped - the positives' log p term is weighted by c_fn")
        if np.isclose(got, n1 / (n1 + n0)) and c_fn != c_fp:
            fail(f"{name}({case}): you returned the plain frequency n1/N; the costs weight the two terms")
        check_close(name, got, _p_star(n1, n0, c_fn, c_fp), rtol=1e-9, case=case)


def check_rwwce_minimiser(rwwce_minimiser):
    _check_minimiser("rwwce_minimiser", rwwce_minimiser)
    passed("rwwce_minimiser: c_fn n1 / (c_fn n1 + c_fp n0), 0.9 for the fair-cost coin")


def check_symbolic_minimiser(symbolic_minimiser):
    import sympy as sp

    n1, n0, c_fn, c_fp = sp.symbols("n_1 n_0 c_fn c_fp", positive=True)
    with task("symbolic_minimiser"):
        got = symbolic_minimiser(n1, n0, c_fn, c_fp)
    if not isinstance(got, sp.Expr):
        fail(f"symbolic_minimiser: expected a sympy expression in n_1, n_0, c_fn, c_fp, got {type(got).__name__}"
             " - return sympy's solution, not a float")
    if got.free_symbols - {n1, n0, c_fn, c_fp}:
        fail(f"symbolic_minimiser: the result still contains {sorted(map(str, got.free_symbols - {n1, n0, c_fn, c_fp}))}"
             " - solve for p and return the solution")
    if sp.simplify(got - c_fp * n1 / (c_fp * n1 + c_fn * n0)) == 0:
        fail("symbolic_minimiser: costs swapped - the positives' log p term is weighted by c_fn")
    if sp.simplify(got - c_fn * n1 / (c_fn * n1 + c_fp * n0)) != 0:
        fail(f"symbolic_minimiser: got {got}, which is not c_fn*n_1/(c_fn*n_1 + c_fp*n_0)")
    passed("symbolic_minimiser: sympy's stationary point is c_fn n1 / (c_fn n1 + c_fp n0)")


def check_optimal_prediction(optimal_prediction):
    q = np.array([0.01, 1 / 21, 0.2, 0.5, 0.9])
    for c_fn, c_fp in [(20.0, 1.0), (1.0, 1.0), (100.0, 2000.0)]:
        case = f"c_fn={c_fn}, c_fp={c_fp}"
        with task("optimal_prediction"):
            got = optimal_prediction(q, c_fn, c_fp)
        got = check_array(f"optimal_prediction ({case})", got, shape=q.shape)
        check_close("optimal_prediction", got, c_fn * q / (c_fn * q + c_fp * (1 - q)), case=case)
        with task("optimal_prediction"):
            at_threshold = check_scalar("optimal_prediction at the Bayes threshold",
                                        np.asarray(optimal_prediction(np.array([c_fp / (c_fp + c_fn)]), c_fn, c_fp))[0])
        check_close("optimal_prediction at q = c_fp/(c_fp+c_fn)", at_threshold, 0.5, case=case)
    passed("optimal_prediction: increasing in q and equal to 1/2 exactly at the Bayes threshold")


def check_trained_bias_probability(trained_bias_probability):
    for n1, n0, c_fn, c_fp in [(9, 1, 1.0, 1.0), (9, 1, 2000.0, 100.0), (2, 8, 1.0, 3.0)]:
        case = f"n1={n1}, n0={n0}, c_fn={c_fn}, c_fp={c_fp}"
        with task("trained_bias_probability"):
            got = check_scalar(f"trained_bias_probability({case})", trained_bias_probability(n1, n0, c_fn, c_fp))
        expected = _p_star(n1, n0, c_fn, c_fp)
        if abs(got - expected) > 1e-3:
            fail(f"trained_bias_probability({case}): got {got:.4f}, the analytic optimum is {expected:.4f} - "
                 "not converged? Use a larger learning rate or more steps (Adam moves about lr per step)")
    passed("trained_bias_probability: the bias reaches the analytic RWWCE optimum")


def check_categorical_minimiser_no_fp(categorical_minimiser_no_fp):
    for frequencies, fn_cost in [([0.5, 0.3, 0.2], [1.0, 1.0, 1.0]), ([0.5, 0.3, 0.2], [1.0, 2.0, 10.0]),
                                 ([0.9, 0.1], [1.0, 9.0])]:
        frequencies, fn_cost = np.array(frequencies), np.array(fn_cost)
        case = f"frequencies={frequencies.tolist()}, fn_cost={fn_cost.tolist()}"
        with task("categorical_minimiser_no_fp"):
            got = categorical_minimiser_no_fp(frequencies, fn_cost)
        got = check_array(f"categorical_minimiser_no_fp ({case})", got, shape=frequencies.shape)
        if not np.isclose(got.sum(), 1):
            fail(f"categorical_minimiser_no_fp ({case}): the prediction must sum to 1, got {got.sum():.4f}")
        expected = frequencies * fn_cost / (frequencies * fn_cost).sum()
        check_close("categorical_minimiser_no_fp", got, expected, case=case)
    passed("categorical_minimiser_no_fp: p_k proportional to fn_k pi_k")
