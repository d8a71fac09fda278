"""MondrianAnonymizer with ``cuts="hybrid"``: refined cuts on large partitions, the
lookahead below, then sibling regions re-cut into three (``_refine.split_pairs``).

Every test checks the privacy guarantee on the released output, not only on
the fitted state; the property test over random tables (k, l, t, suppression,
new rows) runs for every scored search in tests/test_mondrian_best.py.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _mondrian_tables import CITIES, QI, make_table
from sklearn_anon import MondrianAnonymizer
from sklearn_anon.kanonymity import _cut_tree
from sklearn_anon.kanonymity._coding import make_coder
from sklearn_anon.kanonymity._refine import split_pairs
from sklearn_anon.metrics import (discernibility, granularity_loss, k_anonymity, l_diversity,
                                  t_closeness)


@pytest.mark.parametrize("k", [1, 2, 5, 20, 60, 800])
def test_hybrid_cuts_keep_k_and_route_the_training_rows(k):
    df = make_table()
    anon = MondrianAnonymizer(k=k, hierarchies={"city": CITIES}, cuts="hybrid")
    out = anon.fit_transform(df[QI])
    assert k_anonymity(out, QI) >= k
    assert anon.k_achieved_ >= k
    assert anon.partition_sizes_.sum() == len(df)
    assert anon.partition_sizes_.min() >= k
    # the training rows routed down the stored tree land in their own regions
    pd.testing.assert_frame_equal(anon.transform(df[QI]), out)
    again = pickle.loads(pickle.dumps(anon))
    pd.testing.assert_frame_equal(again.transform(df[QI]), out)


def test_hybrid_with_l_diversity_t_closeness_and_suppression():
    df = make_table()
    out = MondrianAnonymizer(k=5, l=3, sensitive="disease", cuts="hybrid").fit_transform(df)
    assert k_anonymity(out, QI) >= 5 and l_diversity(out, QI, "disease") >= 3
    out = MondrianAnonymizer(k=4, t=0.15, sensitive="disease", cuts="hybrid").fit_transform(df)
    assert k_anonymity(out, QI) >= 4 and t_closeness(out, QI, "disease") <= 0.15 + 1e-12
    anon = MondrianAnonymizer(k=3, cuts="hybrid", suppression_limit=0.01)
    out = anon.fit_transform(df[QI])
    assert anon.n_suppressed_ <= 8
    assert k_anonymity(out, QI) >= 3


def _objective(g, k, weight=0.5):
    """Loss (rows x label share, all columns) + weight * discernibility / k of the regions."""
    node, start, size, sup = g._leaf_arrays()
    offs, seg, pos, rows, mn, mx, _ = g._bounds(start, size)
    return float(size @ g.cost.total(mn, mx) + weight * (size.astype(float) ** 2).sum() / k)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(20, 400), k=st.integers(1, 12), seed=st.integers(0, 10_000),
       n_values=st.integers(2, 12), cats=st.booleans())
def test_property_split_pairs_keeps_k_and_a_routable_tree(n, k, seed, n_values, cats):
    """The post-pass alone, on random tables with many duplicates: every region keeps
    k rows, the regions still partition the rows, loss + discernibility / 2k does
    not rise, and every training row routed down the new tree lands in its region."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"c{j}": rng.integers(0, n_values, n) for j in range(3)})
    if cats:
        df["c0"] = df["c0"].map(lambda v: f"v{v}")
    coders = [make_coder(df[c], c, categorical=c == "c0" and cats) for c in df.columns]
    codes = np.stack([cd.fit_codes(df[c]) for cd, c in zip(coders, df.columns)])
    g = _cut_tree._Grower(codes, coders, k, None, 0, "k_multiple", True, "hybrid")
    g.grow(np.array([0]), np.array([0]), np.array([n]))
    before = _objective(g, k)
    split_pairs(g, 0.5)
    node, start, size, sup = g._leaf_arrays()
    assert size.sum() == n and (size >= k).all() and not sup.any()
    rows = np.concatenate([g.perm[a:a + b] for a, b in zip(start, size)])
    assert np.array_equal(np.sort(rows), np.arange(n))
    assert _objective(g, k) <= before + 1e-9
    tree, perm, leaf_start, leaf_size = g.finish()
    leaf_of_row = np.empty(n, dtype=np.int64)
    for i, (a, b) in enumerate(zip(leaf_start, leaf_size)):
        leaf_of_row[perm[a:a + b]] = i
    Z = np.stack([cd.route_values(df[c]) for cd, c in zip(coders, df.columns)])
    assert np.array_equal(_cut_tree.route(tree, Z), leaf_of_row)


def test_split_pairs_cuts_two_siblings_into_three():
    """Two siblings of 1.5k rows each become three regions of k rows when the parent
    can be cut so (lower discernibility, no higher loss)."""
    k = 10
    x = np.repeat(np.arange(6), 5)  # 30 rows, values 0..5
    df = pd.DataFrame({"x": x})
    coders = [make_coder(df["x"], "x", categorical=False)]
    codes = coders[0].fit_codes(df["x"])[None, :]
    g = _cut_tree._Grower(codes, coders, k, None, 0, "k_multiple", True, "best")
    # the parent cut at 15 rows: x <= 2 | x > 2 (both sides final, 15 rows < 2k)
    left, right = g._new_nodes(np.array([0]), np.array([0]), np.array([2]))
    g.perm = np.argsort(codes[0], kind="stable").astype(g.perm.dtype)
    g.leaves = [(np.array([left[0], right[0]]), np.array([0, 15]), np.array([15, 15]),
                 np.zeros(2, dtype=bool))]
    assert split_pairs(g, 0.5) == 1
    node, start, size, sup = g._leaf_arrays()
    assert sorted(size.tolist()) == [10, 10, 10]


@pytest.mark.slow
def test_hybrid_cuts_on_adult(adult_dir):
    """All 9 attributes along ARX's hierarchies: a lower loss than cuts="lookahead" at
    k=10 and k=50, and a lower discernibility at k=50."""
    df = pd.read_csv(adult_dir / "adult.csv", sep=";")
    qis = list(df.columns)
    hier = {c: str(adult_dir / f"adult_hierarchy_{c}.csv") for c in qis}
    for k in (10, 50):
        look = MondrianAnonymizer(k=k, hierarchies=hier, cuts="lookahead").fit_transform(df)
        out = MondrianAnonymizer(k=k, hierarchies=hier, cuts="hybrid").fit_transform(df)
        assert k_anonymity(out, qis) >= k
        assert granularity_loss(out, hier, qis) < granularity_loss(look, hier, qis)
        if k == 50:
            assert discernibility(out, qis) < discernibility(look, qis)
