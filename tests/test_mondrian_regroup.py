"""MondrianAnonymizer ``cuts="hybrid"``: groups of at least k identical rows released as
they are (``kanonymity/_regroup.py``), the cut tree grown on the other rows.

Every test checks the privacy guarantee on the released output, not only on the
fitted state.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_anon import MondrianAnonymizer
from sklearn_anon.kanonymity import _regroup
from sklearn_anon.kanonymity._cut_tree import route
from sklearn_anon.metrics import k_anonymity

HIER = {"city": {"Lyon": ["South", "*"], "Nice": ["South", "*"], "Paris": ["North", "*"],
                 "Lille": ["North", "*"], "Brest": ["West", "*"]}}


def _table(n, n_values, seed, missing=False):
    """Three small-domain columns (many identical rows) and a passenger column."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "age": rng.integers(20, 20 + n_values, n),
        "city": rng.choice(list(HIER["city"])[:max(2, min(5, n_values))], n),
        "score": rng.integers(0, n_values, n).astype(float),
        "note": np.arange(n),
    })
    if missing:
        df.loc[rng.random(n) < 0.1, "score"] = np.nan
    return df


def _routing(anon, X):
    return np.stack([c.route_values(X[name])
                     for name, c in zip(anon.quasi_identifiers_, anon.coders_)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 300), k=st.integers(1, 15), seed=st.integers(0, 10_000),
       n_values=st.integers(1, 6), missing=st.booleans(), hier=st.booleans())
def test_property_peeled_groups_keep_k_order_and_routing(n, k, seed, n_values, missing, hier):
    k = min(k, n)
    df = _table(n, n_values, seed, missing)
    qi = ["age", "city", "score"]
    anon = MondrianAnonymizer(k=k, quasi_identifiers=qi, cuts="hybrid",
                              hierarchies=HIER if hier else None)
    out = anon.fit_transform(df)
    # the released table is k-anonymous, rows in order, other columns untouched
    assert k_anonymity(out, qi) >= k
    assert out.index.equals(df.index)
    assert out["note"].tolist() == df["note"].tolist()
    assert anon.partition_sizes_.sum() == n and anon.partition_sizes_.min() >= k
    # fit_transform == fit().transform() == after a pickle round trip
    pd.testing.assert_frame_equal(anon.transform(df), out)
    again = pickle.loads(pickle.dumps(anon))
    pd.testing.assert_frame_equal(again.transform(df), out)
    # every group of >= k identical rows without a missing value has a region of its own
    tree = anon.tree_
    counts = df.groupby(qi, dropna=False)["note"].transform("size")
    peelable = (counts >= k) & df["score"].notna()
    if "exact_leaf" in tree:
        leaf = anon.region_index(df)  # the tree's regions
        n_tree = len(anon.partition_sizes_) - len(tree["exact_leaf"])
        assert (leaf < n_tree).all()
        peeled = route(tree, _routing(anon, df)) >= n_tree
        assert not (peeled & ~peelable).any()
        # peeled rows are released exactly as they are
        for col in qi:
            assert (out.loc[peeled, col].astype(str)
                    == df.loc[peeled, col].map(lambda v: f"{v:g}" if isinstance(v, float)
                                               else str(v))).all()
    # new rows: to a peeled group whose routing values equal theirs, else down the tree
    new = _table(50, n_values + 2, seed + 1, missing=True)
    Z = _routing(anon, new)
    got = route(tree, Z)
    plain = route(tree, Z, exact=False)
    moved = got != plain
    if moved.any():
        n_tree = len(anon.partition_sizes_) - len(tree["exact_leaf"])
        idx = got[moved] - n_tree
        assert (idx >= 0).all()
        assert np.array_equal(tree["exact_value"][idx], Z[:, moved].T)
    anon.transform(new)  # well defined for any row


def test_peeling_lowers_discernibility_and_keeps_rows_of_big_groups_exact():
    # 6 identical rows between two lone rows: no cut can take the group out at k=2
    df = pd.DataFrame({"x": [1, 5, 5, 5, 5, 5, 5, 9], "y": [0, 3, 3, 3, 3, 3, 3, 7]})
    out = MondrianAnonymizer(k=2, cuts="hybrid").fit_transform(df)
    assert out["x"].tolist() == ["[1, 9]", "5", "5", "5", "5", "5", "5", "[1, 9]"]
    assert out["y"].tolist() == ["[0, 7]", "3", "3", "3", "3", "3", "3", "[0, 7]"]
    lookahead = MondrianAnonymizer(k=2, cuts="lookahead").fit_transform(df)
    assert lookahead["x"].nunique() == 1  # one region of 8 rows


def test_too_few_rows_left_keep_the_smallest_group_in_the_tree():
    # every row in a group of >= k: the smallest group is kept for the tree
    df = pd.DataFrame({"x": [1, 1, 1, 2, 2, 3, 3, 3, 3]})
    anon = MondrianAnonymizer(k=2, cuts="hybrid").fit(df)
    assert sorted(anon.partition_sizes_.tolist()) == [2, 3, 4]
    assert k_anonymity(anon.transform(df), ["x"]) >= 2
    one = pd.DataFrame({"x": [4, 4, 4]})
    assert MondrianAnonymizer(k=3, cuts="hybrid").fit(one).partition_sizes_.tolist() == [3]


def test_route_exact_in_chunks(monkeypatch):
    df = _table(200, 3, 0)
    qi = ["age", "city", "score"]
    anon = MondrianAnonymizer(k=3, quasi_identifiers=qi, cuts="hybrid").fit(df)
    assert "exact_leaf" in anon.tree_
    whole = anon.transform(df)
    monkeypatch.setattr(_regroup, "_CHUNK", 7)
    pd.testing.assert_frame_equal(anon.transform(df), whole)


@pytest.mark.parametrize("params", [dict(l=2, sensitive="note"), dict(suppression_limit=0.05)])
def test_no_peeling_with_l_or_suppression(params):
    df = _table(200, 3, 1)
    anon = MondrianAnonymizer(k=3, quasi_identifiers=["age", "city", "score"], cuts="hybrid",
                              **params).fit(df)
    assert "exact_leaf" not in anon.tree_


def test_engine_extension_points_see_the_cut_tree_only():
    """region_index gives the tree's regions (an engine counts rows per tree node) and
    collapse_regions drops the peeled groups: their rows follow the tree, still k."""
    df = _table(300, 3, 2)
    qi = ["age", "city", "score"]
    anon = MondrianAnonymizer(k=4, quasi_identifiers=qi, cuts="hybrid").fit(df)
    tree = anon.tree_
    assert "exact_leaf" in tree
    leaf = anon.region_index(df)
    n_tree = int((tree["leaf"] >= 0).sum())
    assert leaf.max() < n_tree
    collapsed = anon.collapse_regions(tree["leaf"], df)
    assert "exact_leaf" not in collapsed.tree_
    assert collapsed.n_partitions_ == n_tree
    assert k_anonymity(collapsed.transform(df), qi) >= 4


@pytest.mark.slow
def test_peeling_on_adult_at_k2(adult_dir):
    """All 9 attributes along ARX's hierarchies at k=2: the groups of identical rows
    peeled, a lower loss and discernibility than cuts="lookahead" (which cannot take
    a group of identical rows out of the rows around it)."""
    from sklearn_anon.metrics import discernibility, granularity_loss

    df = pd.read_csv(adult_dir / "adult.csv", sep=";")
    qis = list(df.columns)
    hier = {c: str(adult_dir / f"adult_hierarchy_{c}.csv") for c in qis}
    anon = MondrianAnonymizer(k=2, hierarchies=hier, cuts="hybrid")
    out = anon.fit_transform(df)
    assert k_anonymity(out, qis) >= 2
    assert "exact_leaf" in anon.tree_
    look = MondrianAnonymizer(k=2, hierarchies=hier, cuts="lookahead").fit_transform(df)
    assert granularity_loss(out, hier, qis) < granularity_loss(look, hier, qis)
    assert discernibility(out, qis) < discernibility(look, qis)
