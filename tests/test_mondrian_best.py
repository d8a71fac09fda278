"""MondrianAnonymizer with ``cuts="best"``: every allowed cut scored by the loss it removes.

Every test checks the privacy guarantee on the released output, not only on
the fitted state.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.linear_model import LogisticRegression

from _mondrian_tables import CITIES, QI, make_table
from sklearn_anon import MondrianAnonymizer
from sklearn_anon.base import SUPPRESSED
from sklearn_anon.kanonymity._cut_tree import _disc_bound, _duplicates
from sklearn_anon.metrics import (discernibility, granularity_loss, k_anonymity, l_diversity,
                                  t_closeness)

NODES = {"South": {"Lyon", "Nice"}, "North": {"Paris", "Lille"}, "West": {"Brest"},
         "*": set(CITIES)}


def _covers(raw, label):
    """Whether a released city label (leaf, node, or set of nodes) holds the raw city."""
    if label in NODES:
        return raw in NODES[label]
    if label.startswith("{"):
        return raw in set().union(*(NODES.get(m, {m}) for m in label.strip("{}").split(", ")))
    return label == raw


@pytest.mark.parametrize("k", [1, 2, 5, 20, 60])
def test_best_cuts_keep_k_and_label_along_the_hierarchy(k):
    df = make_table()
    anon = MondrianAnonymizer(k=k, hierarchies={"city": CITIES}, cuts="best")
    out = anon.fit_transform(df[QI])
    assert k_anonymity(out, QI) >= k
    assert anon.k_achieved_ >= k
    assert anon.partition_sizes_.sum() == len(df)
    assert anon.partition_sizes_.min() >= k
    assert all(_covers(r, lab) for r, lab in zip(df["city"], out["city"].astype(str)))
    # the training rows routed down the stored tree land in their own regions
    pd.testing.assert_frame_equal(anon.transform(df[QI]), out)


@pytest.mark.parametrize("k", [2, 5, 20])
def test_best_cuts_lower_discernibility_than_median_cuts(k):
    df = make_table(1500)
    h = {"city": CITIES}
    median = MondrianAnonymizer(k=k, hierarchies=h).fit_transform(df[QI])
    best = MondrianAnonymizer(k=k, hierarchies=h, cuts="best").fit_transform(df[QI])
    assert discernibility(best, QI) < discernibility(median, QI)


def test_best_cuts_with_l_diversity_t_closeness_and_suppression():
    df = make_table(1500)
    anon = MondrianAnonymizer(k=5, l=3, sensitive="disease", cuts="best",
                              hierarchies={"city": CITIES})
    out = anon.fit_transform(df)
    assert k_anonymity(out, QI) >= 5
    assert l_diversity(out, QI, "disease") >= 3
    out = MondrianAnonymizer(k=4, t=0.15, sensitive="disease", cuts="best").fit_transform(df)
    assert t_closeness(out, QI, "disease") <= 0.15 + 1e-12
    assert k_anonymity(out, QI) >= 4
    df.loc[:2, "income"] = 1e9  # three outliers: cut off and suppressed
    anon = MondrianAnonymizer(k=3, cuts="best", suppression_limit=0.01)
    out = anon.fit_transform(df[QI])
    assert k_anonymity(out, QI) >= 3
    assert anon.n_suppressed_ == 0 or anon.n_suppressed_ >= 3
    assert anon.n_suppressed_ <= 15


def test_best_cuts_in_a_grid_search_and_pickled():
    df = make_table(600)
    y = (df["income"] > df["income"].median()).astype(int)
    X = df[["age", "sex", "city"]]
    pipe = make_pipeline(MondrianAnonymizer(k=5), OneHotEncoder(handle_unknown="ignore"),
                         LogisticRegression(max_iter=200))
    grid = {"mondriananonymizer__cuts": ["median", "refined", "best"],
            "mondriananonymizer__k": [5, 20]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert search.best_params_["mondriananonymizer__cuts"] in ("median", "refined", "best")
    anon = MondrianAnonymizer(k=5, cuts="best").fit(X)
    again = pickle.loads(pickle.dumps(anon))
    pd.testing.assert_frame_equal(again.transform(X), anon.transform(X))


def test_duplicates_and_the_discernibility_bound():
    codes = np.array([[0, 0, 1, 0, 2], [1, 1, 1, 1, 0]])
    assert _duplicates(codes).tolist() == [3, 3, 1, 3, 1]
    # k=2: groups of >= 2 identical rows counted alone, 4 other rows in 2 pairs
    assert _disc_bound(np.array([9.0]), np.array([4]), 2).tolist() == [9 + 8]
    # 5 other rows: one class of 3 (9) and one of 2 (4)
    assert _disc_bound(np.array([0.0]), np.array([5]), 2).tolist() == [13]
    # 1 other row joins a group of identical rows: (3 + 1) ** 2 - 9 >= 2 * 2 * 1 + 1
    assert _disc_bound(np.array([9.0]), np.array([1]), 2).tolist() == [9 + 5]


@pytest.mark.parametrize("cuts", ["best", "lookahead", "hybrid"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 80), k_frac=st.floats(0.0, 1.0), seed=st.integers(0, 10_000),
       n_values=st.integers(1, 6), sensitive=st.sampled_from([None, "l", "t"]),
       limit=st.sampled_from([0.0, 0.05]))
def test_property_scored_cuts_k_anonymous(cuts, n, k_frac, seed, n_values, sensitive, limit):
    """Random tables (numbers, dates, plain and hierarchical categories, missing values,
    many duplicates), random k: the output is k-anonymous (l-diverse / t-close when
    asked) and new rows get only fitted labels or the suppression marker."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "num": rng.integers(0, n_values * 3, n).astype(float),
        "cat": rng.choice([f"c{i}" for i in range(n_values)], n),
        "city": rng.choice(list(CITIES), n),
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
        "s": rng.choice(["a", "b", "c"], n),
    })
    df.loc[rng.random(n) < 0.1, "num"] = np.nan
    k = max(1, int(round(k_frac * n)))
    params = dict(k=k, cuts=cuts, hierarchies={"city": CITIES}, sensitive="s",
                  suppression_limit=limit)
    if sensitive == "l":
        params["l"] = min(2, df["s"].nunique())
    elif sensitive == "t":
        params["t"] = 0.3
    anon = MondrianAnonymizer(**params)
    out = anon.fit_transform(df)
    qis = ["num", "cat", "city", "when"]
    assert k_anonymity(out, qis) >= k
    assert anon.partition_sizes_.sum() == n
    if sensitive == "l":
        assert l_diversity(out, qis, "s") >= params["l"]
    if sensitive == "t":
        assert t_closeness(out, qis, "s") <= 0.3 + 1e-12
    new = pd.DataFrame({
        "num": rng.normal(0, 50, 10).round(),
        "cat": rng.choice(["c0", "zz", None], 10),
        "city": rng.choice(["Lyon", "Rome"], 10),
        "when": pd.Timestamp("2023-06-01") + pd.to_timedelta(rng.integers(0, 400, 10), unit="D"),
        "s": "a",
    })
    out_new = anon.transform(new)
    for col in qis:
        allowed = set(anon.regions_[col].astype(str)) | {SUPPRESSED}
        assert set(out_new[col].astype(str)) <= allowed


@pytest.mark.slow
def test_best_cuts_on_adult(adult_dir):
    """All 9 attributes along ARX's hierarchies: fewer, smaller classes than the refined
    cuts (lower discernibility) at k=10 and k=50, and a lower loss at k=50."""
    df = pd.read_csv(adult_dir / "adult.csv", sep=";")
    qis = list(df.columns)
    hier = {c: str(adult_dir / f"adult_hierarchy_{c}.csv") for c in qis}
    for k in (10, 50):
        ref = MondrianAnonymizer(k=k, hierarchies=hier, cuts="refined").fit_transform(df)
        out = MondrianAnonymizer(k=k, hierarchies=hier, cuts="best").fit_transform(df)
        assert k_anonymity(out, qis) >= k
        assert discernibility(out, qis) < discernibility(ref, qis)
        if k == 50:
            assert granularity_loss(out, hier, qis) < granularity_loss(ref, hier, qis)
