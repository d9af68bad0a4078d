"""Checks for exercise 05 (a weight per observation and class).

Each check tests a property of what the student returned and, when it fails, names the property, the
smallest case it fails on, and asks a question; none prints the answer to its task. The instructor's hidden
cases are not here: they are in ``wloss_grading.ex05``, which calls the same case runners (``split_holds``,
``decisions_hold``, ``weights_hold``) on inputs the student never sees.
"""
import numpy as np

from wloss.checks import (check_array, check_recorded_prediction, check_report, check_true, fail, library_blocked,
                          passed, task)
from wloss.scenarios import make_transactions, transaction_cost_matrices
from wloss.decisions import true_class_cost_rows

#: The library's own versions of tasks 1 and 2: blocked while the student's function runs.
SPLIT_TWINS = ("wloss.weights.rwwce_weights_from_costs",)
DECIDE_TWINS = ("wloss.decisions.bayes_decisions",)


def transaction_rows(n=12, seed=5):
    """Cost rows and labels of ``n`` transactions, every class present."""
    _, y, amount = make_transactions(n, seed=seed)
    y[:3] = [0, 1, 2]
    return true_class_cost_rows(transaction_cost_matrices(amount), y), y


# ----------------------------------------------------------------------------- task 1
SPLIT_CASES = [("two examples, two wrong classes of equal cost", np.array([[0.0, 5.0, 5.0], [3.0, 0.0, 7.0]]),
                np.array([0, 1])),
               ("12 transactions", *transaction_rows())]


def check_rwwce_split(rwwce_split):
    """Any split with fn_i + fp_ij = c_ij for every wrong j, fn_i >= 0, fp >= 0 and fp_iy_i = 0 passes."""
    split_holds(rwwce_split, SPLIT_CASES)
    passed("rwwce_split: fn_i + fp_ij reproduces every cost of a wrong answer, and no weight is negative")


def split_holds(rwwce_split, cases):
    """Fail unless ``rwwce_split`` returns a valid split on each (case, cost rows, labels) of ``cases``."""
    for case, rows, labels in cases:
        n, k = rows.shape
        with task("rwwce_split"), library_blocked("rwwce_split", *SPLIT_TWINS):
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
            i = int(np.flatnonzero(fp[own] != 0)[0])
            fail(f"rwwce_split ({case}): fp_weight[{i}, y_{i}] is not 0. Is answering the true class a mistake "
                 "that an fp term should charge?")
        if np.any(fn < -1e-12):
            i = int(np.argmin(fn))
            fail(f"rwwce_split ({case}): fn_weight of example {i} is negative. What would a negative weight on "
                 "-log p_iy_i reward?")
        charged = fn[:, None] + fp
        wrong = np.argwhere(~own & ~np.isclose(charged, rows, rtol=1e-9, atol=1e-9))
        if len(wrong):
            i, j = (int(v) for v in wrong[0])
            fail(f"rwwce_split ({case}): the mistake 'example {i} answered {j}' is charged fn_i + fp_ij, and that "
                 f"is not its cost c_ij ({len(wrong)} pairs differ). What does RWWCE charge for a mistake, "
                 "and which entries of the row must it reproduce?")
        if np.any(fp < -1e-12):
            i, j = (int(v) for v in np.argwhere(fp < -1e-12)[0])
            fail(f"rwwce_split ({case}): fp_weight[{i}, {j}] is negative, which rewards probability on the wrong "
                 f"class {j}. How large may fn_i be if every fp_ij of that row is to stay >= 0?")


# ----------------------------------------------------------------------------- task 2
def _certain_cases():
    """Random [true, action] cost matrices (non-zero diagonal included) and one-hot probabilities: the true
    class is known, so the cheapest action is the cheapest entry of that class's row."""
    rng = np.random.default_rng(50)
    C = rng.uniform(0.0, 10.0, size=(40, 3, 3))
    probs = np.eye(3)[rng.integers(0, 3, size=40)]
    return probs, C


def _dominant_cases():
    """Random probabilities and cost matrices in which one column (action) is, entry by entry, the cheapest:
    that action is the cheapest on average whatever the probabilities."""
    rng = np.random.default_rng(51)
    C = rng.uniform(1.0, 10.0, size=(30, 3, 3))
    best = rng.integers(0, 3, size=30)
    C[np.arange(30), :, best] = C.min(axis=2) - 0.5
    return rng.dirichlet(np.ones(3), size=30), C


#: Visible cases of task 2: the true class known for certain (the cheapest action is the cheapest entry
#: of its row), and transactions where one action costs no more than any other whatever the true class.
DECIDE_CASES = [("40 examples whose true class is certain, random costs", *_certain_cases()),
                ("30 examples, uncertain classes, one action never dearer than another", *_dominant_cases())]


def check_bayes_decide(bayes_decide):
    """On inputs whose Bayes action follows without averaging, the decisions must be that action."""
    decisions_hold(bayes_decide, DECIDE_CASES, _certain_action)

    passed("bayes_decide: one action per example, the cheapest wherever that needs no averaging (a certain true "
           "class, or an action never dearer than another)")


def _certain_action(probs, C):
    """The cheapest actions in the row of the certain true class, or the column that is cheapest entry by entry:
    a boolean (N, K) mask."""
    if not np.allclose(probs.max(axis=1), 1.0):
        dominant = np.all(C <= C.min(axis=2, keepdims=True), axis=1)
        return dominant
    row = C[np.arange(len(probs)), probs.argmax(axis=1)]
    return np.isclose(row, row.min(axis=1, keepdims=True), rtol=0, atol=1e-12)


def decisions_hold(bayes_decide, cases, allowed):
    """Fail unless each decision of ``bayes_decide`` is among ``allowed(probs, C)`` (an (N, K) mask) on ``cases``."""
    for case, probs, C in cases:
        with task("bayes_decide"), library_blocked("bayes_decide", *DECIDE_TWINS):
            got = bayes_decide(probs.copy(), C.copy())
        d = check_array(f"bayes_decide ({case})", got, shape=(len(probs),))
        if not np.all((d == np.round(d)) & (d >= 0) & (d < C.shape[2])):
            fail(f"bayes_decide ({case}): return one action index in 0..{C.shape[2] - 1} per example")
        d = d.astype(int)
        ok = allowed(probs, C)[np.arange(len(d)), d]
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            question = ("your decisions are the most probable classes: what does each action cost?"
                        if np.array_equal(d, probs.argmax(axis=1)) else
                        "which index of C_i[true, action] does an average over the true class run over, and "
                        "which index do you pick the action from?")
            fail(f"bayes_decide ({case}): {int((~ok).sum())} of {len(d)} decisions are not an action of least "
                 f"expected cost, the first at example {i}. {question[0].upper() + question[1:]}")


# ----------------------------------------------------------------------------- task 3
#: The experiment of task 3: one probability vector, three amounts.
PREDICTION_PROBS = np.array([0.9, 0.06, 0.04])
PREDICTION_AMOUNTS = (20, 100, 500)
ACTIONS = ("approve", "block the card", "lock the account")


def bayes_actions_for_amounts(probs=PREDICTION_PROBS, amounts=PREDICTION_AMOUNTS):
    """The experiment of task 3: the expected cost of each action and the Bayes action, per amount."""
    C = transaction_cost_matrices([float(m) for m in amounts])
    expected = np.einsum("k,nkj->nj", np.asarray(probs, dtype=float), C)
    return {m: (expected[i], ACTIONS[int(expected[i].argmin())]) for i, m in enumerate(amounts)}


def check_predicted_actions(predicted_actions, actions_reason):
    """The visible part: an action for each amount and a one-line reason, recorded (not graded here)."""
    check_recorded_prediction("predicted_actions", predicted_actions, PREDICTION_AMOUNTS, ACTIONS,
                              "actions_reason", actions_reason,
                              "in one sentence, what does each action risk at a small and at a large amount?")


# ----------------------------------------------------------------------------- task 4
def class_only_costs(a):
    """A cost matrix whose mistakes cost a[k] when the true class is k, whatever the wrong answer."""
    a = np.asarray(a, dtype=float)
    return a[:, None] * (1 - np.eye(len(a)))


WEIGHT_CASES = [("3 classes, mistakes cost 1, 5 and 20", [[1.0, 5.0, 20.0]]),
                ("3 classes, two transactions", [[10.4, 100.0, 150.0], [30.0, 500.0, 750.0]])]


def check_bayes_sample_weights(bayes_sample_weights):
    """Per-example weights whose weighted-CE minimiser (p_k proportional to s_k q_k) decides like the Bayes rule."""
    weights_hold(bayes_sample_weights, WEIGHT_CASES)
    passed("bayes_sample_weights: the weighted model's most probable class is the Bayes action")


def weights_hold(bayes_sample_weights, cases, seed=58):
    """Fail unless the weights decide like the Bayes rule on each (case, groups of class-only costs) of ``cases``.

    Each case holds groups of examples that share one input, hence one cost matrix, with one example per
    possible true class; for many label distributions q the argmax of the weighted minimiser must be the
    action of least expected cost.
    """
    rng = np.random.default_rng(seed)
    for case, groups in cases:
        groups = np.asarray(groups, dtype=float)
        k = groups.shape[1]
        C = np.concatenate([np.repeat(class_only_costs(a)[None], k, axis=0) for a in groups])
        y = np.tile(np.arange(k), len(groups))
        with task("bayes_sample_weights"):
            got = bayes_sample_weights(C.copy(), y.copy())
        s = check_array(f"bayes_sample_weights ({case})", got, shape=(len(y),))
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            fail(f"bayes_sample_weights ({case}): some weight is zero, negative or not finite. What does the loss "
                 "learn from an example of weight 0?")
        for g in range(len(groups)):
            weights, matrix = s[g * k:(g + 1) * k], C[g * k]
            q = rng.dirichlet(np.ones(k), size=400)
            expected_cost = q @ matrix                                   # [draw, action]
            bayes = expected_cost.argmin(axis=1)
            clear = np.sort(expected_cost, axis=1)[:, 1] - expected_cost.min(axis=1) > 1e-6 * expected_cost.max()
            wrong = np.flatnonzero(clear & ((q * weights).argmax(axis=1) != bayes))
            if wrong.size:
                fail(f"bayes_sample_weights ({case}): for {wrong.size} of {int(clear.sum())} label distributions q "
                     "the weighted model's most probable class is not the action of least expected cost. With one "
                     "true class per example, what does a mistake on an example of class k cost, and how does "
                     "s_k q_k compare actions?")


# ----------------------------------------------------------------------------- task 6 (open)
OPEN_REPORT_KEYS = ("scenario", "why the costs change", "where Bayes departs from argmax")


def check_open_scenario(my_cost_matrices, attribute, probs, open_decisions, open_report):
    """A cost scenario of the student's own: matrices that depend on the attribute, decisions that differ from the
    argmax somewhere, and a report. Whether each decision has the least expected cost is graded in the hidden part."""
    attribute = check_array("attribute", attribute)
    probs = check_array("probs", probs)
    check_true(attribute.ndim == 1 and len(attribute) >= 100,
               f"attribute: expected one value per example, at least 100 examples, got shape {attribute.shape}")
    check_true(probs.ndim == 2 and probs.shape[0] == len(attribute) and probs.shape[1] >= 3,
               f"probs: expected shape ({len(attribute)}, K) with K >= 3, got {probs.shape}")
    check_true(np.all(probs >= 0) and np.allclose(probs.sum(axis=1), 1.0),
               "probs: every row must be a probability vector (non-negative, summing to 1)")
    n, k = probs.shape
    with task("my_cost_matrices"):
        C = check_array("my_cost_matrices(attribute)", my_cost_matrices(attribute.copy()), shape=(n, k, k))
    check_true(np.all(np.isfinite(C)) and np.all(C >= 0), "my_cost_matrices: every cost must be finite and >= 0")
    check_true(np.ptp(C, axis=0).max() > 0,
               "my_cost_matrices: every example gets the same matrix. How does the attribute enter your costs?")
    if k == 3 and np.allclose(C, transaction_cost_matrices(attribute)):
        fail("my_cost_matrices: these are the transactions of this exercise set; choose a problem of your own")
    d = check_array("open_decisions", open_decisions, shape=(n,))
    check_true(np.all((d == np.round(d)) & (d >= 0) & (d < k)), f"open_decisions: one action in 0..{k - 1} per example")
    differ = float(np.mean(d.astype(int) != probs.argmax(axis=1)))
    check_true(differ >= 0.01,
               "open_decisions: your decisions are (almost) the most probable classes everywhere. Do your costs "
               "and data make any decision depend on what a mistake costs?")
    check_report("open_report", open_report, OPEN_REPORT_KEYS)
    passed(f"open scenario: {k} classes, costs that depend on the attribute, {differ:.0%} of the decisions differ "
           "from the argmax, and a report (the graded part checks every decision)")
