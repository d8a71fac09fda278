"""Recursive (c, l)-diversity, t-closeness with ordered / hierarchical distance, k-map.

Checked against definitions written out here independently of the package
(the EMD as the transport linear program it is defined as, solved by
scipy; recursive (c, l) from sorted counts), against pycanon where pycanon
has the model, against figures of Li et al. 2007, and on the output of
MondrianAnonymizer and FullDomainAnonymizer (including an exhaustive search
of the lattice for the non-monotone combinations).
"""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sklearn_anon import MondrianAnonymizer
from sklearn_anon._hierarchy import load_hierarchy
from sklearn_anon._sensitive import HierarchyDistance, recursive_cl_ok
from sklearn_anon.kanonymity import FullDomainAnonymizer
from sklearn_anon.metrics import (
    journalist_risk,
    k_anonymity,
    k_map,
    l_diversity,
    t_closeness,
)

pycanon = pytest.importorskip("pycanon.anonymity")

# Li, Li & Venkatasubramanian 2007, Figure 1 (disease hierarchy, height 3)
DISEASES = {
    "flu": ["Respiratory infection", "Respiratory system diseases", "*"],
    "pneumonia": ["Respiratory infection", "Respiratory system diseases", "*"],
    "bronchitis": ["Respiratory infection", "Respiratory system diseases", "*"],
    "pulmonary edema": ["Vascular lung diseases", "Respiratory system diseases", "*"],
    "pulmonary embolism": ["Vascular lung diseases", "Respiratory system diseases", "*"],
    "gastric ulcer": ["Stomach diseases", "Digestive system diseases", "*"],
    "gastritis": ["Stomach diseases", "Digestive system diseases", "*"],
    "stomach cancer": ["Stomach diseases", "Digestive system diseases", "*"],
    "colitis": ["Colon diseases", "Digestive system diseases", "*"],
    "colon cancer": ["Colon diseases", "Digestive system diseases", "*"],
}
# Li et al.'s Table 3 (salary in thousands, disease), records 1..9
SALARY = [3, 4, 5, 6, 11, 8, 7, 9, 10]
DISEASE = ["gastric ulcer", "gastritis", "stomach cancer", "gastritis", "flu", "bronchitis",
           "bronchitis", "pneumonia", "stomach cancer"]


# -- definitions written out independently -------------------------------------------
def emd_lp(q, p, dist):
    """Earth Mover's Distance as the transport problem (scipy's HiGHS)."""
    m = len(p)
    a_eq, b_eq = [], []
    for i in range(m):  # mass leaving value i is q_i
        row = np.zeros((m, m))
        row[i, :] = 1
        a_eq.append(row.ravel())
        b_eq.append(q[i])
    for j in range(m):  # mass arriving at value j is p_j
        col = np.zeros((m, m))
        col[:, j] = 1
        a_eq.append(col.ravel())
        b_eq.append(p[j])
    res = linprog(np.asarray(dist, dtype=float).ravel(), A_eq=np.array(a_eq),
                  b_eq=np.array(b_eq), bounds=(0, None), method="highs")
    assert res.status == 0
    return res.fun


def hierarchy_distance_matrix(mapping, values):
    """Ground distance: level of the lowest common ancestor over the height."""
    height = len(next(iter(mapping.values())))
    paths = {v: [v] + list(mapping[v]) for v in values}
    out = np.zeros((len(values), len(values)))
    for a, b in itertools.product(range(len(values)), repeat=2):
        pa, pb = paths[values[a]], paths[values[b]]
        out[a, b] = next(lev for lev in range(height + 1) if pa[lev] == pb[lev]) / height
    return out


def brute_t(df, qi, sensitive, dist, values):
    """Largest EMD of a class to the table (the LP), classes by pandas groupby."""
    whole = df[sensitive].value_counts(normalize=True).reindex(values, fill_value=0).to_numpy()
    worst = 0.0
    for _, g in df.groupby(qi, dropna=False):
        q = g[sensitive].value_counts(normalize=True).reindex(values, fill_value=0).to_numpy()
        worst = max(worst, emd_lp(q, whole, dist))
    return worst


def brute_recursive_class(counts, c, l):  # noqa: E741
    r = sorted(counts, reverse=True)
    return len(r) >= l and r[0] < c * sum(r[l - 1:])


def brute_recursive_l(df, qi, sensitive, c):
    """Largest l for which every class is recursive (c, l)-diverse (0 if none)."""
    best = None
    for _, g in df.groupby(qi, dropna=False):
        counts = g[sensitive].value_counts().tolist()
        ok = [lv for lv in range(1, len(counts) + 1) if brute_recursive_class(counts, c, lv)]
        lv = max(ok) if ok else 0
        best = lv if best is None else min(best, lv)
    return best


# -- strategies --------------------------------------------------------------------------
@st.composite
def hierarchies(draw, values):
    """A random tree of height 1..3 over ``values``, with a single root."""
    height = draw(st.integers(1, 3))
    nodes = list(values)
    levels = {v: [] for v in values}
    current = {v: v for v in values}
    for lev in range(1, height):
        distinct = sorted(set(current.values()))
        parent = {n: f"L{lev}_{draw(st.integers(0, max(len(distinct) - 1, 0)))}" for n in distinct}
        for v in nodes:
            current[v] = parent[current[v]]
            levels[v].append(current[v])
    for v in nodes:
        levels[v].append("*")
    return levels


@st.composite
def tables(draw, n_values=(2, 5)):
    m = draw(st.integers(*n_values))
    values = [f"v{i}" for i in range(m)]
    n = draw(st.integers(2, 30))
    cls = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    sens = draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))
    return pd.DataFrame({"q": cls, "s": sens}), values


# -- recursive (c, l)-diversity ---------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(tables(), st.sampled_from([0.5, 1, 1.5, 2, 3, 7.25]))
def test_recursive_l_matches_the_definition(data, c):
    df, _ = data
    assert l_diversity(df, ["q"], "s", kind="recursive", c=c) == brute_recursive_l(
        df, ["q"], "s", c)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=7), st.floats(0.25, 5),
       st.integers(1, 7))
def test_recursive_rule_matches_the_definition(counts, c, l):  # noqa: E741
    hist = np.array([counts])
    expected = sum(counts) > 0 and brute_recursive_class([x for x in counts if x], c, l)
    # the rule keeps a 1e-9 margin on the strict inequality
    r = sorted(counts, reverse=True)
    if abs(r[0] - c * sum(r[l - 1:])) > 1e-6:
        assert bool(recursive_cl_ok(hist, c, l)[0]) == expected


def test_recursive_by_hand():
    # class counts 6, 1, 1: (c, 2) holds for c > 3, (c, 3) for c > 6
    df = pd.DataFrame({"q": 0, "s": ["a"] * 6 + ["b", "c"]})
    assert l_diversity(df, "q", "s", kind="recursive", c=3) == 1
    assert l_diversity(df, "q", "s", kind="recursive", c=3.01) == 2
    assert l_diversity(df, "q", "s", kind="recursive", c=6.01) == 3
    assert l_diversity(df, "q", "s", kind="recursive", c=0.5) == 0  # 6 < 0.5 * 8 fails
    with pytest.raises(ValueError, match="needs `c`"):
        l_diversity(df, "q", "s", kind="recursive")
    with pytest.raises(ValueError, match="only used"):
        l_diversity(df, "q", "s", c=2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(2, 4), st.integers(1, 3)), min_size=1, max_size=4))
def test_recursive_agrees_with_pycanon_on_uniform_classes(spec):
    """Classes holding their values equally often: the increasing sort pycanon
    uses and the decreasing one of the definition give the same ratio."""
    rows = []
    for cls, (distinct, times) in enumerate(spec):
        rows += [(cls, f"v{v}") for v in range(distinct) for _ in range(times)]
    df = pd.DataFrame(rows, columns=["q", "s"])
    c_p, l_p = pycanon.recursive_c_l_diversity(df, ["q"], ["s"])
    assert l_p == l_diversity(df, ["q"], "s")
    # pycanon's c is the smallest integer c with (c, l_p) holding
    assert l_diversity(df, ["q"], "s", kind="recursive", c=c_p) >= l_p
    if c_p > 1:
        assert l_diversity(df, ["q"], "s", kind="recursive", c=c_p - 1) < l_p


def test_recursive_differs_from_pycanon_where_pycanon_sorts_increasingly():
    # one class, counts 6, 1, 1, l = 3 distinct: the definition needs 6 < c * 1
    # (c > 6); pycanon sorts increasingly (1, 1, 6) and computes
    # floor(1 / 6 + 1) = 1
    df = pd.DataFrame({"q": 0, "s": ["a"] * 6 + ["b", "c"]})
    c_p, l_p = pycanon.recursive_c_l_diversity(df, ["q"], ["s"])
    assert (c_p, l_p) == (1, 3)
    assert l_diversity(df, ["q"], "s", kind="recursive", c=c_p) < l_p
    assert l_diversity(df, ["q"], "s", kind="recursive", c=6.5) == 3


# -- t-closeness ------------------------------------------------------------------------
def test_li_et_al_tables_4_and_5():
    """Ordered distance: Li et al.'s 0.375 (Table 4's first class) and 0.167 (Table 5).

    Hierarchical distance on their disease hierarchy, by hand (``r = q - p``
    with ``p`` = 1/9 gastric ulcer, 2/9 gastritis, 2/9 stomach cancer, 1/9 flu,
    2/9 bronchitis, 1/9 pneumonia): Table 4's first class (the three stomach
    diseases, 1/3 each) has ``r`` = -2/9, -1/9, -1/9 under "Stomach
    diseases" and +1/9, +2/9, +1/9 under "Respiratory infection": nothing
    moves inside a node below the root, 4/9 crosses the root (cost 3/3):
    0.444.  Table 5's second class (gastritis, flu, bronchitis) has 1/9
    moving inside "Stomach diseases" and 1/9 inside "Respiratory
    infection" (cost 1/3 each) and 2/9 across the root: 2/27 + 6/27 = 8/27.
    """
    t4 = pd.DataFrame({"q": list("aaabbbccc"), "salary": SALARY, "disease": DISEASE})
    t5 = pd.DataFrame({"q": list("131222313"), "salary": SALARY, "disease": DISEASE})
    # the largest class distance of each table is the one worked out above
    assert t_closeness(t4, ["q"], "salary") == pytest.approx(0.375)
    assert t_closeness(t5, ["q"], "salary") == pytest.approx(1 / 6)
    assert t_closeness(t4, ["q"], "disease", hierarchy=DISEASES) == pytest.approx(4 / 9)
    assert t_closeness(t5, ["q"], "disease", hierarchy=DISEASES) == pytest.approx(8 / 27)
    # and the transport problem agrees on every class
    values = sorted(set(DISEASE))
    dist = hierarchy_distance_matrix(DISEASES, values)
    assert brute_t(t5, ["q"], "disease", dist, values) == pytest.approx(8 / 27)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_hierarchical_emd_is_the_transport_optimum(data):
    df, values = data.draw(tables())
    mapping = data.draw(hierarchies(values))
    dist = hierarchy_distance_matrix(mapping, values)
    assert t_closeness(df, ["q"], "s", hierarchy=mapping) == pytest.approx(
        brute_t(df, ["q"], "s", dist, values), abs=1e-9)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.randoms(use_true_random=False))
def test_ordered_and_equal_emd_are_the_transport_optimum(data, rnd):
    df, values = data
    order = list(values)
    rnd.shuffle(order)
    present = [v for v in order if v in set(df["s"])]
    m = len(present)
    pos = np.arange(m)
    ordered_dist = np.abs(pos[:, None] - pos[None, :]) / max(m - 1, 1)
    equal_dist = 1.0 - np.eye(m)
    assert t_closeness(df, ["q"], "s", ordered=order) == pytest.approx(
        brute_t(df, ["q"], "s", ordered_dist, present), abs=1e-9)
    assert t_closeness(df, ["q"], "s", ordered=False) == pytest.approx(
        brute_t(df, ["q"], "s", equal_dist, present), abs=1e-9)


def test_ordered_list_is_an_ordinal_order_and_agrees_with_pycanon_on_numbers():
    df = pd.DataFrame({"q": [0, 0, 1, 1, 1], "s": ["low", "low", "mid", "high", "high"]})
    # as integers 0 < 1 < 2, pycanon's ordered distance on numbers
    as_num = df.assign(s=df.s.map({"low": 0, "mid": 1, "high": 2}))
    expected = pycanon.t_closeness(as_num, ["q"], ["s"])
    assert t_closeness(df, ["q"], "s", ordered=["low", "mid", "high"]) == pytest.approx(expected)
    assert t_closeness(df, ["q"], "s", ordered=["low", "mid", "high"]) != pytest.approx(
        t_closeness(df, ["q"], "s", ordered=True))  # sorted text: high < low < mid
    with pytest.raises(ValueError, match="not in `ordered`"):
        t_closeness(df, ["q"], "s", ordered=["low", "mid"])
    with pytest.raises(ValueError, match="not leaves"):
        t_closeness(df, ["q"], "s", hierarchy={"low": ["*"], "mid": ["*"]})
    with pytest.raises(ValueError, match="not both"):
        t_closeness(df, ["q"], "s", ordered=True, hierarchy={"low": ["*"]})


def test_hierarchy_of_height_one_is_the_equal_distance():
    df = pd.DataFrame({"q": [0, 0, 1, 1, 1, 2], "s": list("aabccb")})
    flat = {v: ["*"] for v in "abc"}
    assert t_closeness(df, ["q"], "s", hierarchy=flat) == pytest.approx(
        t_closeness(df, ["q"], "s", ordered=False))
    assert t_closeness(df, ["q"], "s", ordered=False) == pytest.approx(
        pycanon.t_closeness(df, ["q"], ["s"]))


def test_hierarchy_distance_node_is_not_confused_across_levels():
    # the same label at two levels is two nodes (ARX: (level, label))
    h = load_hierarchy({"a": ["x", "x", "*"], "b": ["y", "x", "*"], "c": ["z", "w", "*"]})
    d = HierarchyDistance(h)
    # a -> b meet at level 2 of 3
    assert d.emd(np.array([[0.5, -0.5, 0.0]]))[0] == pytest.approx(0.5 * 2 / 3)


# -- k-map ---------------------------------------------------------------------------------
def test_k_map_is_the_inverse_of_the_highest_journalist_risk():
    rng = np.random.default_rng(0)
    pop = pd.DataFrame({"age": rng.integers(20, 60, 400), "sex": rng.choice(["F", "M"], 400)})
    sample = pop.sample(60, random_state=1).reset_index(drop=True)
    released = sample.assign(age=(sample.age // 10 * 10).map(lambda a: f"[{a}, {a + 10})"))
    km = k_map(released, pop, ["age", "sex"])
    assert km == pytest.approx(1 / journalist_risk(released, pop, ["age", "sex"])["max"])
    # by hand: the smallest population count of a released (decade, sex) cell
    cells = pop.assign(age=pop.age // 10 * 10).value_counts(["age", "sex"])
    used = sample.assign(age=sample.age // 10 * 10).value_counts(["age", "sex"]).index
    assert km == cells.loc[used].min()
    assert km >= k_anonymity(released, ["age", "sex"])
    counted = pop.value_counts(["age", "sex"]).rename("n").reset_index()
    assert k_map(released, counted, ["age", "sex"], count_column="n") == km
    with pytest.raises(ValueError, match="non-negative integers"):
        k_map(released, counted.assign(n=-1), ["age", "sex"], count_column="n")


# -- the constraints, checked on the anonymizers' output ----------------------------------
AGE = {str(a): [f"{a // 10 * 10}s", f"{a // 20 * 20}-{a // 20 * 20 + 19}", "*"]
       for a in range(20, 60)}
ZIP = {z: [z[:4] + "*", z[:3] + "**", "*"]
       for z in ["02138", "02139", "02141", "02142", "02150", "02151"]}
SICK = {"flu": ["resp", "*"], "cold": ["resp", "*"], "hiv": ["inf", "*"],
        "hepatitis": ["inf", "*"], "cancer": ["onc", "*"]}


@st.composite
def patients(draw, n=(20, 80)):
    size = draw(st.integers(*n))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(5))
    return pd.DataFrame({
        "age": rng.integers(20, 60, size).astype(str),
        "zip": rng.choice(list(ZIP), size),
        "disease": rng.choice(list(SICK), size, p=probs),
    })


def _released(out, qis):
    """The records not suppressed (suppressed ones are '*' on every QI)."""
    return out[~(out[qis] == "*").all(axis=1)]


MODELS = [
    dict(l=2, l_diversity="recursive", c=2),
    dict(l=3, l_diversity="recursive", c=3),
    dict(t=0.25, t_distance="hierarchical", sensitive_hierarchy=SICK),
    dict(t=0.3, t_distance="ordered"),
    dict(l=1.5, l_diversity="entropy"),
]


def _check_output(out, qis, model):
    released = out
    if model.get("l_diversity") == "recursive":
        assert l_diversity(released, qis, "disease", kind="recursive",
                           c=model["c"]) >= model["l"]
    if model.get("l_diversity") == "entropy":
        assert l_diversity(released, qis, "disease", kind="entropy") >= model["l"]
    if model.get("t_distance") == "hierarchical":
        assert t_closeness(released, qis, "disease", hierarchy=SICK) <= model["t"]
    if model.get("t_distance") == "ordered":
        # FullDomain/Mondrian order text by sorting it; the measure with that order
        order = sorted(set(out["disease"]))
        assert t_closeness(released, qis, "disease", ordered=order) <= model["t"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients(), st.sampled_from(MODELS), st.sampled_from([0.0, 0.1]))
def test_full_domain_output_satisfies_the_models(df, model, limit):
    qis = ["age", "zip"]
    est = FullDomainAnonymizer({"age": AGE, "zip": ZIP}, k=2, sensitive="disease",
                               suppression_limit=limit, **model)
    try:
        out = est.fit_transform(df)
    except ValueError as exc:  # the whole table fails the model: nothing qualifies
        assert "No level vector" in str(exc) or "diverse" in str(exc)
        return
    released = _released(out, qis)
    assert len(df) - len(released) == est.n_suppressed_ <= limit * len(df) + 1e-9
    if not len(released):
        return
    if "t" not in model:
        _check_output(released, qis, model)
        return
    # t: every released class against the whole fitted table (suppressed rows included)
    values = sorted(set(df["disease"]))
    p = df["disease"].value_counts(normalize=True).reindex(values, fill_value=0).to_numpy()
    if model["t_distance"] == "hierarchical":
        dist = hierarchy_distance_matrix(SICK, values)
    else:
        pos = np.arange(len(values))
        dist = np.abs(pos[:, None] - pos[None, :]) / max(len(values) - 1, 1)
    for _, g in released.groupby(qis, observed=True):
        q = g["disease"].value_counts(normalize=True).reindex(values, fill_value=0).to_numpy()
        assert emd_lp(q, p, dist) <= model["t"] + 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients(n=(20, 120)), st.sampled_from(MODELS))
def test_mondrian_output_satisfies_the_models(df, model):
    df = df.assign(age=df.age.astype(int))
    qis = ["age", "zip"]
    est = MondrianAnonymizer(k=2, sensitive="disease", **model)
    try:
        out = est.fit_transform(df)
    except ValueError as exc:
        assert "as a whole" in str(exc)
        return
    _check_output(out, qis, model)
    assert k_anonymity(out, qis) >= 2


# -- FullDomain: the optimum against every level vector ----------------------------------
def _exhaustive(df, hs, model, k, limit, return_qualifying=False):
    """Least discernibility over the lattice, each vector checked class by class
    (or, with ``return_qualifying``, every qualifying level vector)."""
    qis = list(hs)
    n = len(df)
    best = None
    heights = [len(next(iter(h.values()))) for h in hs.values()]
    sens = df["disease"]
    values = sorted(set(sens))
    p = sens.value_counts(normalize=True).reindex(values, fill_value=0).to_numpy()
    dist, qualifying = None, []
    if model.get("t_distance") == "hierarchical":
        dist = hierarchy_distance_matrix(SICK, values)
    elif model.get("t") is not None:
        dist = 1.0 - np.eye(len(values))
    for levels in itertools.product(*[range(h + 1) for h in heights]):
        gen = pd.DataFrame({
            q: df[q].map(lambda v, q=q, lev=lev: v if lev == 0 else hs[q][v][lev - 1])
            for q, lev in zip(qis, levels)})
        suppressed, kept = 0, []
        for _, idx in gen.groupby(qis).groups.items():
            s = sens.loc[idx]
            counts = s.value_counts().tolist()
            ok = len(idx) >= k
            if model.get("l_diversity") == "recursive":
                ok &= brute_recursive_class(counts, model["c"], int(np.ceil(model["l"])))
            if model.get("t") is not None:
                q = s.value_counts(normalize=True).reindex(values, fill_value=0).to_numpy()
                ok &= emd_lp(q, p, dist) <= model["t"] - 1e-9
            if ok:
                kept.append(len(idx))
            else:
                suppressed += len(idx)
        if suppressed > np.floor(limit * n + 1e-9):
            continue
        value = float(np.sum(np.square(kept)) + suppressed * n)
        qualifying.append(levels)
        if best is None or value < best:
            best = value
    return qualifying if return_qualifying else best


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients(n=(15, 40)), st.sampled_from([
    dict(l=2, l_diversity="recursive", c=1.5),
    dict(t=0.2, t_distance="hierarchical", sensitive_hierarchy=SICK),
    dict(t=0.2),
]), st.sampled_from([0.0, 0.15]))
def test_full_domain_optimum_is_the_exhaustive_optimum(df, model, limit):
    """Non-monotone models with suppression are searched without inferring statuses."""
    hs = {"age": AGE, "zip": ZIP}
    expected = _exhaustive(df, hs, model, 2, limit)
    est = FullDomainAnonymizer(hs, k=2, sensitive="disease", suppression_limit=limit,
                               loss="discernibility", **model)
    if expected is None:
        with pytest.raises(ValueError, match="No level vector"):
            est.fit(df)
        return
    est.fit(df)
    assert est.loss_ == pytest.approx(expected)


def _seeded_patients(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 60))
    probs = rng.dirichlet(np.ones(5))
    return pd.DataFrame({"age": rng.integers(20, 60, n).astype(str),
                         "zip": rng.choice(list(ZIP), n),
                         "disease": rng.choice(list(SICK), n, p=probs)})


@pytest.mark.parametrize("seed, model", [
    (21, dict(l=2, l_diversity="recursive", c=1.2)),
    (34, dict(l=2, l_diversity="recursive", c=1.2)),
    (50, dict(t=0.25, t_distance="hierarchical", sensitive_hierarchy=SICK)),
    (50, dict(t=0.25)),
])
@pytest.mark.parametrize("loss", ["loss", "discernibility"])
def test_full_domain_does_not_prune_non_monotone_models(seed, model, loss):
    """Tables where a generalization of a qualifying vector fails (merging a
    failing class into a passing one suppresses more): inferring the status
    of the vectors below a failing one, as for monotone models, would miss
    the optimum here (found by mutating the search: levels (1, 2) instead
    of (3, 0) or (2, 0))."""
    df = _seeded_patients(seed)
    hs = {"age": AGE, "zip": ZIP}
    est = FullDomainAnonymizer(hs, k=2, sensitive="disease", suppression_limit=0.2,
                               loss=loss, **model).fit(df)
    exhaustive = FullDomainAnonymizer(hs, k=2, sensitive="disease", suppression_limit=0.2,
                                      loss="discernibility", **model).fit(df)
    assert exhaustive.loss_ == pytest.approx(_exhaustive(df, hs, model, 2, 0.2))
    if loss == "discernibility":
        assert est.loss_ == exhaustive.loss_
    else:  # ARX's loss (suppression not charged): the least over the qualifying vectors
        qualifying = _exhaustive(df, hs, model, 2, 0.2, return_qualifying=True)
        assert tuple(est.levels_.values()) in qualifying
        assert est.loss_ == pytest.approx(min(_arx_loss(df, hs, lv) for lv in qualifying))


def _arx_loss(df, hs, levels):
    """ARX's Loss metric of a level vector (see FullDomainAnonymizer's ``loss``)."""
    n, result = len(df), 1.0
    for (col, h), lev in zip(hs.items(), levels):
        domain = len(h)
        labels = pd.Series({v: (v if lev == 0 else path[lev - 1]) for v, path in h.items()})
        share = labels.map(labels.value_counts()) / domain
        total = float(share.loc[df[col]].sum())
        low = n / domain
        loss = np.floor(max(0.0, (total - low) / (n - low)) * 1e10) / 1e10
        result *= (1 + loss) ** (1 / len(hs))
    return result - 1


def test_full_domain_k_map_against_a_population():
    rng = np.random.default_rng(3)
    pop = pd.DataFrame({"age": rng.integers(20, 60, 2000).astype(str),
                        "zip": rng.choice(list(ZIP), 2000)})
    sample = pop.sample(150, random_state=2).reset_index(drop=True)
    sample["disease"] = rng.choice(list(SICK), len(sample))
    hs = {"age": AGE, "zip": ZIP}
    plain = FullDomainAnonymizer(hs, k=2).fit(sample)
    for km in (5, 40, 150):
        est = FullDomainAnonymizer(hs, k=2, k_map=km, sensitive="disease",
                                   suppression_limit=0.05)
        out = est.fit_transform(sample, population=pop)
        released = _released(out, ["age", "zip"])
        assert k_map(released, pop, ["age", "zip"], hierarchies=hs) >= km
        assert journalist_risk(released, pop, ["age", "zip"], hierarchies=hs)["max"] <= 1 / km
        assert sum(est.levels_.values()) >= sum(plain.levels_.values())
    # the same with a table of counts
    counts = pop.value_counts(["age", "zip"]).rename("people").reset_index()
    a = FullDomainAnonymizer(hs, k=2, k_map=40, sensitive="disease").fit(sample, population=pop)
    b = FullDomainAnonymizer(hs, k=2, k_map=40, population_counts="people",
                             sensitive="disease").fit(sample, population=counts)
    assert a.levels_ == b.levels_ and a.loss_ == b.loss_
    with pytest.raises(ValueError, match="needs the population"):
        FullDomainAnonymizer(hs, k=2, k_map=3).fit(sample)
    with pytest.raises(ValueError, match="`k_map` is not set"):
        FullDomainAnonymizer(hs, k=2).fit(sample, population=pop)
    # the population is not a parameter: neither the repr nor a pickle holds it
    import pickle

    marker = pop.assign(zip=pop["zip"].where(pop.index > 0, "99999"))  # one unknown value
    fitted = FullDomainAnonymizer(hs, k=2, k_map=40).fit(sample, population=marker)
    assert "99999" not in repr(fitted) and b"99999" not in pickle.dumps(fitted)


def test_parameter_combinations_are_checked():
    df = pd.DataFrame({"age": [20, 21, 30, 31], "disease": ["flu", "cold", "flu", "hiv"]})
    for est, match in [
        (MondrianAnonymizer(k=2, l=2, l_diversity="recursive", sensitive="disease"), "needs `c`"),
        (MondrianAnonymizer(k=2, l=2, c=2, sensitive="disease"), "only used"),
        (MondrianAnonymizer(k=2, t=0.5, t_distance="hierarchical", sensitive="disease"),
         "needs `sensitive_hierarchy`"),
        (MondrianAnonymizer(k=2, t=0.5, t_distance="equal", sensitive_hierarchy=SICK,
                            sensitive="disease"), "only used with"),
        (MondrianAnonymizer(k=2, t=0.5, sensitive_hierarchy={"flu": ["*"]},
                            sensitive="disease"), "not leaves"),
    ]:
        with pytest.raises(ValueError, match=match):
            est.fit(df)
    # regions_hold (the engines' extension point) uses the same rule
    est = MondrianAnonymizer(k=1, l=2, l_diversity="recursive", c=2, sensitive="disease")
    assert est.regions_hold(np.array([[3, 1, 0], [2, 2, 0], [1, 1, 1]])).tolist() == [
        False, True, True]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**16), st.sampled_from([2, 8, 40]), st.booleans())
def test_mondrian_k_map_against_a_population(seed, km, with_hierarchy):
    rng = np.random.default_rng(seed)
    pop = pd.DataFrame({"age": rng.integers(20, 60, 1500),
                        "zip": rng.choice(list(ZIP), 1500),
                        "disease": rng.choice(list(SICK), 1500)})
    sample = pop.sample(int(rng.integers(40, 200)), random_state=seed).reset_index(drop=True)
    hs = {"zip": ZIP} if with_hierarchy else None
    est = MondrianAnonymizer(k=2, l=2, sensitive="disease", k_map=km, hierarchies=hs)
    out = est.fit_transform(sample, population=pop)
    assert k_map(out, pop, ["age", "zip"], hierarchies=hs) >= km
    assert (est.population_sizes_ >= km).all()
    assert k_anonymity(out, ["age", "zip"]) >= 2 and l_diversity(out, ["age", "zip"],
                                                                 "disease") >= 2
    # the regions only merge: never more of them than without k-map
    plain = MondrianAnonymizer(k=2, l=2, sensitive="disease", hierarchies=hs).fit(sample)
    assert est.n_partitions_ <= plain.n_partitions_
    # transform of the fitted rows routes them to the same (merged) regions
    assert est.transform(sample).equals(out)


def test_mondrian_k_map_counts_table_and_errors():
    rng = np.random.default_rng(0)
    pop = pd.DataFrame({"age": rng.integers(20, 60, 800), "sex": rng.choice(["F", "M"], 800)})
    sample = pop.iloc[:100]
    counts = pop.value_counts(["age", "sex"]).rename("people").reset_index()
    a = MondrianAnonymizer(k=2, k_map=25).fit(sample, population=pop)
    b = MondrianAnonymizer(k=2, k_map=25, population_counts="people").fit(
        sample, population=counts)
    assert a.regions_.equals(b.regions_)
    with pytest.raises(ValueError, match="even the whole table"):
        MondrianAnonymizer(k=2, k_map=801).fit(sample, population=pop)
    with pytest.raises(ValueError, match="needs the population"):
        MondrianAnonymizer(k=2, k_map=3).fit(sample)
    # in a Pipeline the population is a fit parameter of the step
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("anon", MondrianAnonymizer(k=2, k_map=25))])
    assert pipe.fit_transform(sample, anon__population=pop).equals(a.transform(sample))
    # not a parameter: the repr and the pickle of the fitted anonymizer do not hold it
    import pickle

    marker = pd.concat([pop, pd.DataFrame({"age": [33], "sex": ["SECRET-MARKER"]})])
    fitted = MondrianAnonymizer(k=2, k_map=25).fit(sample, population=marker)
    assert "SECRET" not in repr(fitted) and b"SECRET-MARKER" not in pickle.dumps(fitted)
