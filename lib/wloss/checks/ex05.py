"""Checks for exercise 05 (a weight per observation and class).

Every check recomputes the property its task asks for from what the student
returned, and names the failing property and case with a hint; none prints
the answer to its task.
"""
import numpy as np

from wloss.checks import check_array, check_true, fail, hidden_suffix, passed, task
from wloss.scenarios import make_transactions, transaction_cost_matrices, true_class_cost_rows


def _transaction_rows(n=12, seed=5):
    _, y, amount = make_transactions(n, seed=seed)
    y[:3] = [0, 1, 2]                        # every class present
    return true_class_cost_rows(transaction_cost_matrices(amount), y), y


def _split_cases(hidden):
    rows, y = _transaction_rows()
    cases = [("12 transactions", rows, y),
             ("two wrong classes cost the same", np.array([[0.0, 5.0, 5.0], [3.0, 0.0, 7.0]]), np.array([0, 1]))]
    if hidden:
        rng = np.random.default_rng(55)
        y4 = rng.integers(0, 4, size=20)
        rows4 = rng.uniform(0.5, 9.0, size=(20, 4))
        rows4[np.arange(20), y4] = 0.0
        cases += [("4 classes, random costs", rows4, y4),
                  ("a wrong answer that costs nothing", np.array([[0.0, 0.0, 4.0]]), np.array([0])),
                  *[(f"transactions, seed {s}", *_transaction_rows(30, seed=s)) for s in (7, 8)]]
    return cases


def check_rwwce_split(rwwce_split, hidden=False):
    """Any split with fn_i + fp_ij = c_ij for every wrong j, 0 <= fn_i, fp >= 0, fp_iy_i = 0 passes."""
    for case, rows, labels in _split_cases(hidden):
        n, k = rows.shape
        with task("rwwce_split"):
            got = rwwce_split(rows.copy(), labels.copy())
        check_true(isinstance(got, (tuple, list)) and len(got) == 2,
                   f"rwwce_split ({case}): return the pair (fn_weight, fp_weight), got {type(got).__name__}")
        fn = check_array(f"fn_weight ({case})", got[0], shape=(n,))
        fp = check_array(f"fp_weight ({case})", got[1], shape=(n, k))
        own = np.zeros((n, k), dtype=bool)
        own[np.arange(n), labels] = True
        if not np.all(np.isfinite(fn)) or not np.all(np.isfinite(fp)):
            fail(f"rwwce_split ({case}): some weights are not finite; every weight multiplies a log term")
        if np.any(fp[own] != 0):
            fail(f"rwwce_split ({case}): fp_weight is not 0 in the column of the true class; answering y_i is no "
                 "mistake, and RWWCE's fp sum runs over the wrong classes only")
        if np.any(fn < -1e-12):
            i = int(np.argmin(fn))
            fail(f"rwwce_split ({case}): fn_weight of example {i} is negative ({fn[i]:.3g}); a negative weight on "
                 "-log p_iy_i would reward the model for doubting the true class")
        charged = fn[:, None] + fp
        wrong = np.argwhere(~own & ~np.isclose(charged, rows, rtol=1e-9, atol=1e-9))
        if len(wrong):
            i, j = (int(v) for v in wrong[0])
            fail(f"rwwce_split ({case}): RWWCE charges the mistake 'example {i} answered {j}' fn_i + fp_ij = "
                 f"{charged[i, j]:.4g}, but that mistake costs c_ij = {rows[i, j]:.4g}; the two must agree for "
                 f"every wrong class ({len(wrong)} pairs differ)")
        if np.any(fp < -1e-12):
            i, j = (int(v) for v in np.argwhere(fp < -1e-12)[0])
            fail(f"rwwce_split ({case}): fp_weight[{i}, {j}] = {fp[i, j]:.3g} is negative: a negative weight on "
                 f"-log(1 - p_ij) rewards putting probability on the wrong class {j}. Which fn_i keep every "
                 "fp_ij >= 0?")
    passed("rwwce_split: fn_i + fp_ij reproduces every cost of a wrong answer, and no weight is negative"
           + hidden_suffix(hidden))


def _decision_cases(hidden):
    rows, y = _transaction_rows(200, seed=6)
    _, _, amount = make_transactions(200, seed=6)
    probs = np.random.default_rng(6).dirichlet([4.0, 1.0, 1.0], size=200)
    cases = [("200 transactions", probs, transaction_cost_matrices(amount))]
    if hidden:
        rng = np.random.default_rng(56)
        C = rng.uniform(0.0, 10.0, size=(300, 4, 4))
        C[:, np.arange(4), np.arange(4)] = 0.0
        cases.append(("4 classes, random asymmetric matrices", rng.dirichlet(np.ones(4), size=300), C))
    return cases


def check_bayes_decide(bayes_decide, hidden=False):
    """The decisions must minimise sum_k p_ik C_i[k, j] over the action j (C indexed [true, action])."""
    for case, probs, C in _decision_cases(hidden):
        expected_cost = np.einsum("nk,nkj->nj", probs, C)        # [example, action]
        with task("bayes_decide"):
            got = bayes_decide(probs.copy(), C.copy())
        d = check_array(f"bayes_decide ({case})", got, shape=(len(probs),))
        if not np.all((d == np.round(d)) & (d >= 0) & (d < C.shape[2])):
            fail(f"bayes_decide ({case}): return one action index in 0..{C.shape[2] - 1} per example")
        d = d.astype(int)
        rows = np.arange(len(d))
        worse = np.flatnonzero(expected_cost[rows, d] > expected_cost.min(axis=1) + 1e-9)
        if worse.size:
            i = int(worse[0])
            hint = ("your decisions are the most probable classes; the cheapest action is another question"
                    if np.array_equal(d, probs.argmax(axis=1)) else
                    "which index of C_i[true, action] does the expectation over the true class run over?")
            fail(f"bayes_decide ({case}): {worse.size} of {len(d)} decisions do not have the least expected cost, "
                 f"e.g. example {i}: the action you chose has expected cost {expected_cost[i, d[i]]:.4g}, and a "
                 f"cheaper action exists ({expected_cost[i].min():.4g}); {hint}")
    passed("bayes_decide: every decision has the least expected cost" + hidden_suffix(hidden))


#: The experiment of task 3: one probability vector, three amounts.
PREDICTION_PROBS = np.array([0.9, 0.06, 0.04])
PREDICTION_AMOUNTS = (20.0, 100.0, 500.0)
ACTIONS = ("approve", "block the card", "lock the account")


def bayes_actions_for_amounts():
    """The experiment of task 3: the expected cost of each action and the Bayes action, per amount."""
    C = transaction_cost_matrices(list(PREDICTION_AMOUNTS))
    expected = np.einsum("k,nkj->nj", PREDICTION_PROBS, C)
    return {m: (expected[i], int(expected[i].argmin())) for i, m in enumerate(PREDICTION_AMOUNTS)}


def check_predicted_actions(predicted_actions, hidden=False):
    """Compare the student's predicted actions with the experiment and explain the gap."""
    check_true(isinstance(predicted_actions, dict),
               "predicted_actions: a dict {amount: action index}, e.g. {20: 0, 100: 0, 500: 0}; got "
               f"{type(predicted_actions).__name__}")
    amounts = PREDICTION_AMOUNTS if hidden else (20.0, 500.0)
    results = bayes_actions_for_amounts()
    for amount in amounts:
        key = next((k for k in predicted_actions if np.isclose(float(k), amount)), None)
        check_true(key is not None, f"predicted_actions: no prediction for the amount {amount:.0f}")
        action = predicted_actions[key]
        check_true(isinstance(action, (int, np.integer)) and 0 <= int(action) <= 2,
                   f"predicted_actions[{amount:.0f}]: an action index 0, 1 or 2, got {action!r}")
        best = results[amount][1]
        if int(action) != best:
            why = (" You predicted the most probable class; the Bayes rule weighs each mistake by what it costs"
                   if int(action) == 0 else
                   " A costly action pays off only where the mistakes it prevents cost more than the customers it"
                   " annoys. Compare the expected cost of each action at this amount")
            fail(f"predicted_actions[{amount:.0f}]: the experiment disagrees with your prediction.{why}.")
    passed("predicted_actions: your predictions " + ("for all three amounts" if hidden else "for 20 and 500")
           + " agree with the experiment")


def _class_only_costs(a):
    """A cost matrix whose mistakes cost a[k] when the true class is k, whatever the wrong answer."""
    a = np.asarray(a, dtype=float)
    return a[:, None] * (1 - np.eye(len(a)))


def _bayes_weight_cases(hidden):
    cases = [("3 classes, mistakes cost 1, 5 and 20", [[1.0, 5.0, 20.0]]),
             ("3 classes, two transactions", [[10.4, 100.0, 150.0], [30.0, 500.0, 750.0]])]
    if hidden:
        rng = np.random.default_rng(59)
        cases += [("4 classes, random costs", rng.uniform(0.5, 30.0, size=(5, 4))),
                  ("2 classes, costs 1 and 9", [[1.0, 9.0]])]
    return cases


def check_bayes_sample_weights(bayes_sample_weights, hidden=False):
    """Per-example weights whose weighted-CE minimiser (p_k proportional to s_k q_k) decides like the Bayes rule.

    Each case holds groups of examples that share one input, hence one cost matrix, with one example per
    possible true class; for many label distributions q the argmax of the weighted minimiser must be the
    action of least expected cost.
    """
    rng = np.random.default_rng(58)
    for case, groups in _bayes_weight_cases(hidden):
        groups = np.asarray(groups, dtype=float)
        k = groups.shape[1]
        C = np.concatenate([np.repeat(_class_only_costs(a)[None], k, axis=0) for a in groups])
        y = np.tile(np.arange(k), len(groups))
        with task("bayes_sample_weights"):
            got = bayes_sample_weights(C.copy(), y.copy())
        s = check_array(f"bayes_sample_weights ({case})", got, shape=(len(y),))
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            fail(f"bayes_sample_weights ({case}): every weight must be positive and finite; an example of weight "
                 "0 is ignored by the loss")
        for g in range(len(groups)):
            weights, matrix = s[g * k:(g + 1) * k], C[g * k]
            q = rng.dirichlet(np.ones(k), size=400)
            expected_cost = q @ matrix                                   # [draw, action]
            bayes = expected_cost.argmin(axis=1)
            clear = np.sort(expected_cost, axis=1)[:, 1] - expected_cost.min(axis=1) > 1e-6 * expected_cost.max()
            minimiser = q * weights                                      # proportional to the weighted minimiser
            wrong = np.flatnonzero(clear & (minimiser.argmax(axis=1) != bayes))
            if wrong.size:
                d = wrong[0]
                fail(f"bayes_sample_weights ({case}): for {wrong.size} of {clear.sum()} label distributions q "
                     f"the weighted model's most probable class is not the Bayes action, e.g. q = "
                     f"{np.round(q[d], 3)}: expected costs of the actions {np.round(expected_cost[d], 3)}. With "
                     "one true class per example, what does a mistake on an example of class k cost?")
    passed("bayes_sample_weights: the weighted model's most probable class is the Bayes action"
           + hidden_suffix(hidden))
