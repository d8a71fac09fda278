"""MondrianAnonymizer ``cuts="hybrid"``: the small subtrees planned anew (``_replan.replan``).

Every test checks the regions themselves (each keeps ``k`` rows, together they
partition the rows) and the cut tree (the training rows routed down it land in
their own regions), on random tables with many duplicates.
"""

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _mondrian_tables import CITIES, QI, make_table
from sklearn_anon import MondrianAnonymizer
from sklearn_anon.kanonymity import _cut_tree, _replan
from sklearn_anon.kanonymity._coding import make_coder
from sklearn_anon.metrics import discernibility, granularity_loss, k_anonymity


def _table(n, seed, n_values, cats):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"c{j}": rng.integers(0, n_values, n) for j in range(3)})
    if cats:
        df["c0"] = df["c0"].map(lambda v: f"v{v}")
    coders = [make_coder(df[c], c, categorical=c == "c0" and cats) for c in df.columns]
    codes = np.stack([cd.fit_codes(df[c]) for cd, c in zip(coders, df.columns)])
    return df, coders, codes


def _objective(g, k, weight):
    """Loss (rows x label share, all columns) + weight * discernibility / k of the regions."""
    node, start, size, sup = g._leaf_arrays()
    offs, seg, pos, rows, mn, mx, _ = g._bounds(start, size)
    return float(size @ g.cost.total(mn, mx) + weight * (size.astype(float) ** 2).sum() / k)


def _check_regions_and_routing(g, df, coders, n, k):
    node, start, size, sup = g._leaf_arrays()
    assert size.sum() == n and (size >= k).all() and not sup.any()
    rows = np.concatenate([g.perm[a:a + b] for a, b in zip(start, size)])
    assert np.array_equal(np.sort(rows), np.arange(n))
    tree, perm, leaf_start, leaf_size = g.finish()
    leaf_of_row = np.empty(n, dtype=np.int64)
    for i, (a, b) in enumerate(zip(leaf_start, leaf_size)):
        leaf_of_row[perm[a:a + b]] = i
    Z = np.stack([cd.route_values(df[c]) for cd, c in zip(coders, df.columns)])
    assert np.array_equal(_cut_tree.route(tree, Z), leaf_of_row)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(20, 500), k=st.integers(1, 12), seed=st.integers(0, 10_000),
       n_values=st.integers(2, 12), cats=st.booleans(), bound=st.sampled_from([3, 6, 16, 64]),
       width=st.integers(1, 4), weight=st.sampled_from([0.0, 0.5, 2.0]))
def test_property_replan_keeps_k_and_a_routable_tree(n, k, seed, n_values, cats, bound, width,
                                                     weight):
    """The post-pass alone: every region keeps k rows, the regions still partition
    the rows, loss + weight * discernibility / k does not rise, and every training
    row routed down the new tree lands in its region."""
    df, coders, codes = _table(n, seed, n_values, cats)
    g = _cut_tree._Grower(codes, coders, k, None, 0, "k_multiple", True, "hybrid")
    g.grow(np.array([0]), np.array([0]), np.array([n]))
    before = _objective(g, k, weight)
    one = copy.deepcopy(g)
    _replan.replan(g, weight, bound=bound, width=width)
    assert _objective(g, k, weight) <= before + 1e-9 * max(before, 1.0)
    # searched one subtree at a time (bounded memory on large tables): the same regions
    _replan.replan(one, weight, bound=bound, width=width, batch=1)
    assert np.array_equal(one.perm, g.perm)
    assert all(np.array_equal(a, b) for a, b in zip(one.finish()[2:], g.finish()[2:]))
    _check_regions_and_routing(g, df, coders, n, k)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(40, 400), k=st.integers(1, 8), seed=st.integers(0, 10_000),
       n_values=st.integers(2, 8), modulus=st.sampled_from([211, 1009, 4099]))
def test_property_replan_with_colliding_keys_never_breaks_k(n, k, seed, n_values, modulus):
    """Partitions of the search told apart by 64-bit keys: with keys made to collide
    (different partitions taken for one), the plans that would not hold k rows per
    region are not applied, and the tree stays routable."""
    df, coders, codes = _table(n, seed, n_values, False)
    g = _cut_tree._Grower(codes, coders, k, None, 0, "k_multiple", True, "hybrid")
    g.grow(np.array([0]), np.array([0]), np.array([n]))
    real = _replan._keys
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_replan, "_keys", lambda *a: real(*a) % np.uint64(modulus))
        _replan.replan(g, 0.5, bound=64, width=3)
    _check_regions_and_routing(g, df, coders, n, k)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.integers(2, 40), seed=st.integers(0, 10_000), n=st.integers(100, 600))
def test_property_hybrid_with_replan_is_k_anonymous_routable_and_picklable(k, seed, n):
    """The estimator with the post-pass switched on at every k: the released table is
    k-anonymous, new rows (here the training rows again) are routed to the fitted
    rows' regions, and a pickled copy releases the same table."""
    df = make_table(n, seed)[QI]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_cut_tree, "_REPLAN_MIN_K", 1)
        anon = MondrianAnonymizer(k=k, hierarchies={"city": CITIES}, cuts="hybrid")
        out = anon.fit_transform(df)
    assert k_anonymity(out, QI) >= k
    assert anon.partition_sizes_.min() >= k and anon.partition_sizes_.sum() == n
    pd.testing.assert_frame_equal(anon.transform(df), out)
    again = pickle.loads(pickle.dumps(anon))
    pd.testing.assert_frame_equal(again.transform(df), out)


def test_replan_is_skipped_with_l_diversity_and_keeps_suppression():
    """With a sensitive rule the post-pass does nothing (the plans would need the rule
    again); with suppression the suppressed region is kept apart."""
    df = make_table()
    k = 25
    plain = MondrianAnonymizer(k=k, l=2, sensitive="disease", cuts="hybrid").fit(df)
    assert plain.partition_sizes_.min() >= k
    anon = MondrianAnonymizer(k=k, cuts="hybrid", suppression_limit=0.02)
    out = anon.fit_transform(df[QI])
    assert anon.n_suppressed_ <= 16
    assert k_anonymity(out, QI) >= k


def test_replan_finds_more_regions_than_the_greedy_cuts():
    """Four runs of k rows on a line, cut greedily into two regions of 2k rows: the
    plan of the whole subtree makes the four regions of k rows."""
    k = 10
    x = np.repeat(np.arange(8), 5)  # 40 rows, values 0..7
    df = pd.DataFrame({"x": x})
    coders = [make_coder(df["x"], "x", categorical=False)]
    codes = coders[0].fit_codes(df["x"])[None, :]
    g = _cut_tree._Grower(codes, coders, k, None, 0, "k_multiple", True, "best")
    g.perm = np.argsort(codes[0], kind="stable").astype(g.perm.dtype)
    left, right = g._new_nodes(np.array([0]), np.array([0]), np.array([3]))
    g.leaves = [(np.array([left[0], right[0]]), np.array([0, 20]), np.array([20, 20]),
                 np.zeros(2, dtype=bool))]
    assert _replan.replan(g, 0.5, bound=8, width=1) == 1
    node, start, size, sup = g._leaf_arrays()
    assert sorted(size.tolist()) == [10, 10, 10, 10]
    _check_regions_and_routing(g, df, coders, 40, k)


@pytest.mark.slow
def test_replan_on_adult_lowers_loss_and_discernibility(adult_dir, monkeypatch):
    """All 9 attributes along ARX's hierarchies at k=100: the post-pass lowers both
    the granularity loss and the discernibility of the released table."""
    df = pd.read_csv(adult_dir / "adult.csv", sep=";")
    qis = list(df.columns)
    hier = {c: str(adult_dir / f"adult_hierarchy_{c}.csv") for c in qis}
    out = MondrianAnonymizer(k=100, hierarchies=hier, cuts="hybrid").fit_transform(df)
    with monkeypatch.context() as m:
        m.setattr(_cut_tree, "_REPLAN_MIN_K", 10 ** 9)
        before = MondrianAnonymizer(k=100, hierarchies=hier, cuts="hybrid").fit_transform(df)
    assert k_anonymity(out, qis) >= 100
    assert granularity_loss(out, hier, qis) < granularity_loss(before, hier, qis)
    assert discernibility(out, qis) < discernibility(before, qis)
