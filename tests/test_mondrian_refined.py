"""MondrianAnonymizer: ``suppression_limit`` (suppressed regions) and ``cuts="refined"``.

Every test checks the privacy guarantee on the released output, not only on
the fitted state.
"""

import pickle

import numpy as np
import pandas as pd
import pytest

from sklearn_anon import MondrianAnonymizer
from sklearn_anon.base import SUPPRESSED
from sklearn_anon.kanonymity._cut_tree import route
from sklearn_anon.metrics import discernibility, k_anonymity, l_diversity, ncp

QI = ["age", "income", "sex", "city"]


def make_table(n=600, seed=0, outliers=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "age": rng.integers(18, 80, n),
        "income": rng.lognormal(10, 0.5, n).round(2),
        "sex": rng.choice(["F", "M"], n),
        "city": rng.choice(["Lyon", "Paris", "Nice", "Lille", "Brest"], n),
        "disease": rng.choice(["flu", "cold", "hiv", "covid"], n),
    })
    if outliers:  # old and rich: far from every other row on two columns
        df.loc[:outliers - 1, "income"] = 1e7 + 1e5 * np.arange(outliers)
        df.loc[:outliers - 1, "age"] = 100 + np.arange(outliers)
    return df


def _all_suppressed(out, qis):
    return np.logical_and.reduce([out[q].astype(object).to_numpy() == SUPPRESSED for q in qis])


def _hierarchy():
    return {"Lyon": ["South", "*"], "Nice": ["South", "*"], "Paris": ["North", "*"],
            "Lille": ["North", "*"], "Brest": ["West", "*"]}


# -- suppression_limit ----------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 5, 20])
@pytest.mark.parametrize("limit", [0.01, 0.05, 0.2])
def test_suppression_keeps_k_and_the_limit(k, limit):
    df = make_table(outliers=3)
    anon = MondrianAnonymizer(k=k, sensitive="disease", suppression_limit=limit)
    out = anon.fit_transform(df)
    assert k_anonymity(out, QI) >= k  # the suppressed rows form one class of >= k, or none
    assert anon.n_suppressed_ <= np.floor(limit * len(df))
    assert anon.n_suppressed_ == 0 or anon.n_suppressed_ >= k
    sup = _all_suppressed(out, QI)
    assert sup.sum() == anon.n_suppressed_  # fail closed: every QI of a suppressed row
    assert anon.k_achieved_ >= k
    assert anon.partition_sizes_.sum() == len(df)
    regions_sup = np.logical_and.reduce(
        [anon.regions_[q].astype(object).to_numpy() == SUPPRESSED for q in QI])
    assert anon.partition_sizes_[regions_sup].sum() == anon.n_suppressed_
    # the regions not suppressed all hold k training rows
    assert anon.partition_sizes_[~regions_sup].min() >= k


def test_suppression_cuts_off_outliers_and_lowers_the_loss():
    df = make_table(outliers=3)
    plain = MondrianAnonymizer(k=5).fit_transform(df[QI])
    anon = MondrianAnonymizer(k=5, suppression_limit=0.02)
    out = anon.fit_transform(df[QI])
    assert anon.n_suppressed_ >= 5
    assert _all_suppressed(out, QI)[:3].all()  # the three incomes of 1e7
    assert ncp(df[QI], out, QI) < ncp(df[QI], plain, QI)


def test_no_suppression_below_k_rows():
    """A budget that cannot reach k suppressed rows suppresses nothing."""
    df = make_table(outliers=1)
    anon = MondrianAnonymizer(k=10, suppression_limit=5 / len(df)).fit(df[QI])
    assert anon.n_suppressed_ == 0
    ref = MondrianAnonymizer(k=10).fit(df[QI])
    pd.testing.assert_frame_equal(anon.transform(df[QI]), ref.transform(df[QI]))


def test_zero_limit_is_the_unsuppressed_fit():
    df = make_table()
    a = MondrianAnonymizer(k=5, suppression_limit=0.0).fit_transform(df)
    b = MondrianAnonymizer(k=5).fit_transform(df)
    pd.testing.assert_frame_equal(a, b)


def test_new_rows_routed_into_a_suppressed_region_are_suppressed():
    df = make_table(outliers=6)
    anon = MondrianAnonymizer(k=5, suppression_limit=0.02).fit(df[QI])
    assert anon.n_suppressed_ > 0
    train_out = anon.transform(df[QI])
    first = int(np.flatnonzero(_all_suppressed(train_out, QI))[0])
    new = pd.concat([df[QI].iloc[[first]], pd.DataFrame(
        {"age": [30, 30], "income": [25000.0, 25000.0], "sex": ["F", "F"],
         "city": ["Lyon", "Atlantis"]})], ignore_index=True)
    out = anon.transform(new)
    assert _all_suppressed(out, QI)[0]  # a new row equal to a suppressed one
    assert not _all_suppressed(out, QI)[1]
    assert out["city"].iloc[2] == SUPPRESSED  # unseen category: still suppressed
    assert out["age"].iloc[2] != SUPPRESSED
    # numeric output: NaN on every numeric QI of a suppressed row
    mid = MondrianAnonymizer(k=5, suppression_limit=0.02, output="midpoint").fit(df[QI])
    o = mid.transform(new)
    assert np.isnan(o["age"].iloc[0]) and np.isnan(o["income"].iloc[0])
    assert o["sex"].iloc[0] == SUPPRESSED


def test_suppression_with_l_diversity():
    df = make_table(outliers=4)
    anon = MondrianAnonymizer(k=3, l=2, sensitive="disease", suppression_limit=0.05)
    out = anon.fit_transform(df)
    assert k_anonymity(out, QI) >= 3
    assert l_diversity(out, QI, "disease") >= 2  # including the class of suppressed rows


def test_suppression_with_a_hierarchy_and_missing_values():
    df = make_table(outliers=3)
    df.loc[df.sample(frac=0.03, random_state=1).index, "age"] = np.nan
    anon = MondrianAnonymizer(k=4, hierarchies={"city": _hierarchy()}, suppression_limit=0.05)
    out = anon.fit_transform(df[QI])
    assert k_anonymity(out, QI) >= 4
    assert _all_suppressed(out, QI).sum() == anon.n_suppressed_


def test_suppressed_tree_routes_training_rows_to_their_regions():
    df = make_table(outliers=3)
    anon = MondrianAnonymizer(k=5, suppression_limit=0.05).fit(df[QI])
    Z = np.stack([c.route_values(df[c.name]) for c in anon.coders_])
    np.testing.assert_array_equal(np.bincount(route(anon.tree_, Z), minlength=anon.n_partitions_),
                                  anon.partition_sizes_)
    np.testing.assert_array_equal(anon.region_index(df[QI]), route(anon.tree_, Z))


def test_pickle_and_a_tree_without_suppression_flags():
    df = make_table(outliers=3)
    anon = MondrianAnonymizer(k=5, suppression_limit=0.05).fit(df[QI])
    again = pickle.loads(pickle.dumps(anon))
    pd.testing.assert_frame_equal(again.transform(df[QI]), anon.transform(df[QI]))
    old = MondrianAnonymizer(k=5).fit(df[QI])
    del old.tree_["suppressed"]  # a tree fitted before suppression existed
    collapsed = old.collapse_regions(np.r_[0, np.full(len(old.tree_["feature"]) - 1, -1)], df[QI])
    assert collapsed.n_suppressed_ == 0 and collapsed.n_partitions_ == 1


@pytest.mark.parametrize("bad", [-0.1, 1.5, "all"])
def test_suppression_limit_is_validated(bad):
    with pytest.raises((ValueError, TypeError)):
        MondrianAnonymizer(suppression_limit=bad).fit(make_table()[QI])


def test_dask_fit_with_suppression():
    dd = pytest.importorskip("dask.dataframe")
    from sklearn_anon.dask import fit_mondrian_dask, k_anonymity_dask, transform_dask

    df = make_table(3000, outliers=5)[QI]
    ddf = dd.from_pandas(df, npartitions=3)
    res = fit_mondrian_dask(MondrianAnonymizer(k=10, suppression_limit=0.02), ddf,
                            sample_rows=1500, sample_k=10)
    out = transform_dask(res.anonymizer, ddf)
    assert k_anonymity_dask(out, QI) >= 10


# -- cuts="refined" -------------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 5, 20, 60])
def test_refined_cuts_keep_k_and_make_more_regions(k):
    df = make_table(1500)
    h = {"city": _hierarchy()}
    ref = MondrianAnonymizer(k=k, hierarchies=h).fit(df[QI])
    anon = MondrianAnonymizer(k=k, hierarchies=h, cuts="refined")
    out = anon.fit_transform(df[QI])
    assert k_anonymity(out, QI) >= k
    assert anon.k_achieved_ >= k
    assert anon.n_partitions_ >= ref.n_partitions_
    assert discernibility(out, QI) <= discernibility(ref.transform(df[QI]), QI)
    # every city label is a hierarchy node, a set of its nodes, or a leaf, and holds the value
    nodes = {"South": {"Lyon", "Nice"}, "North": {"Paris", "Lille"}, "West": {"Brest"},
             "*": set(_hierarchy())}
    for raw, lab in zip(df["city"], out["city"].astype(str)):
        if lab in nodes:
            assert raw in nodes[lab]
        elif lab.startswith("{"):
            covered = set().union(*(nodes.get(m, {m}) for m in lab.strip("{}").split(", ")))
            assert raw in covered
        else:
            assert lab == raw


def test_refined_cuts_with_l_diversity_and_suppression():
    df = make_table(1500, outliers=4)
    anon = MondrianAnonymizer(k=5, l=3, sensitive="disease", cuts="refined",
                              suppression_limit=0.02, hierarchies={"city": _hierarchy()})
    out = anon.fit_transform(df)
    assert k_anonymity(out, QI) >= 5
    assert l_diversity(out, QI, "disease") >= 3


def test_refined_cuts_are_validated():
    with pytest.raises(ValueError):
        MondrianAnonymizer(cuts="widest").fit(make_table()[QI])


def test_refined_cuts_on_adult_beat_median_cuts(adult_dir):
    df = pd.read_csv(adult_dir / "adult.csv", sep=";")
    qis = list(df.columns)
    hier = {c: str(adult_dir / f"adult_hierarchy_{c}.csv") for c in qis if c != "age"}
    base = MondrianAnonymizer(k=10, hierarchies=hier).fit_transform(df)
    anon = MondrianAnonymizer(k=10, hierarchies=hier, cuts="refined")
    out = anon.fit_transform(df)
    assert k_anonymity(out, qis) >= 10
    assert discernibility(out, qis) < discernibility(base, qis)
    assert ncp(df, out, qis, hierarchies=hier) < ncp(df, base, qis, hierarchies=hier)
