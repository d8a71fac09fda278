"""Microaggregator: MDAV groups against a plain reference MDAV, output k, information loss."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_anon import Microaggregator
from sklearn_anon.sdc._microaggregation import mdav_groups

ADULT_NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "salary",
]


# -- the reference: published MDAV, written as plainly as possible ----------------
def reference_mdav(Z, k):
    """MDAV (Domingo-Ferrer & Torra 2005) with Python loops; ties to the first row."""
    n, p = Z.shape
    labels = np.full(n, -1)
    remaining = list(range(n))

    def dist(i, point):
        return sum((Z[i, j] - point[j]) ** 2 for j in range(p))

    def farthest(point):
        return max(remaining, key=lambda i: (dist(i, point), -i))

    def group_around(i):
        return sorted(remaining, key=lambda q: (dist(q, Z[i]), q))[:k]

    g = 0

    def take(group):
        nonlocal g
        for q in group:
            labels[q] = g
            remaining.remove(q)
        g += 1

    while len(remaining) >= 3 * k:
        r = farthest(Z[remaining].mean(axis=0))
        take(group_around(r))
        s = farthest(Z[r])
        take(group_around(s))
    if len(remaining) >= 2 * k:
        r = farthest(Z[remaining].mean(axis=0))
        take(group_around(r))
    take(list(remaining))
    return labels


def reference_mdav_numpy(Z, k):
    """The same MDAV with one numpy pass per step (boolean mask, stable argsort)."""
    n = Z.shape[0]
    labels = np.full(n, -1)
    alive = np.ones(n, dtype=bool)
    g = 0

    def sq(point):
        return ((Z - point) ** 2).sum(axis=1)

    def farthest(point):
        d = np.where(alive, sq(point), -np.inf)
        return int(np.argmax(d))  # first row among ties

    def take_around(i):
        nonlocal g
        d = np.where(alive, sq(Z[i]), np.inf)
        group = np.argsort(d, kind="stable")[:k]
        labels[group] = g
        alive[group] = False
        g += 1

    while alive.sum() >= 3 * k:
        r = farthest(Z[alive].mean(axis=0))
        take_around(r)
        take_around(farthest(Z[r]))
    if alive.sum() >= 2 * k:
        take_around(farthest(Z[alive].mean(axis=0)))
    labels[alive] = g
    return labels


def il1s(X, X_anon):
    """sdcMicro's IL1s: mean of |x - x'| / (sqrt(2) * sd), over rows and columns."""
    X, X_anon = np.asarray(X, float), np.asarray(X_anon, float)
    sd = X.std(axis=0, ddof=1)
    return float((np.abs(X - X_anon) / (np.sqrt(2) * sd)).sum() / X.size)


def variance_kept(X, X_anon):
    X, X_anon = np.asarray(X, float), np.asarray(X_anon, float)
    sse = ((X - X_anon) ** 2).sum(axis=0)
    sst = ((X - X.mean(axis=0)) ** 2).sum(axis=0)
    return float(np.mean(1 - sse / sst))


def check_output_k(out, columns, k):
    """Every released vector of ``columns`` is shared by at least k rows."""
    counts = out.groupby(list(columns)).size()
    assert counts.min() >= k


# -- exact equality with the reference ----------------------------------------------
small_int_data = st.integers(1, 3).flatmap(
    lambda p: arrays(np.int64, st.tuples(st.integers(1, 70), st.just(p)),
                     elements=st.integers(0, 6)))


@settings(max_examples=150, deadline=None)
@given(small_int_data, st.integers(1, 6))
def test_mdav_equals_reference(Z, k):
    if k > len(Z):
        k = len(Z)
    Z = Z.astype(float)
    got = mdav_groups(Z, k)
    assert got.tolist() == reference_mdav(Z, k).tolist()
    sizes = np.bincount(got)
    assert sizes.min() >= k and (len(Z) < 2 * k or sizes.max() <= 2 * k - 1)


@settings(max_examples=40, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(100, 260), st.just(2)), elements=st.integers(0, 40)),
       st.integers(2, 4))
def test_mdav_equals_reference_large_active_set(Z, k):
    """Enough rows for the sampled candidate bound (more than 16k active rows)."""
    Z = Z.astype(float)
    assert mdav_groups(Z, k).tolist() == reference_mdav_numpy(Z, k).tolist()


def test_reference_implementations_agree():
    Z = np.random.default_rng(1).integers(0, 5, size=(90, 3)).astype(float)
    assert reference_mdav(Z, 4).tolist() == reference_mdav_numpy(Z, 4).tolist()


def test_float_data_equals_reference():
    rng = np.random.default_rng(0)
    for seed in range(5):
        Z = np.random.default_rng(seed).normal(size=(400, 3))
        assert mdav_groups(Z, 5).tolist() == reference_mdav_numpy(Z, 5).tolist()
    assert rng is not None


@settings(max_examples=60, deadline=None)
@given(small_int_data, st.integers(1, 5), st.sampled_from(["mean", "median"]))
def test_estimator_output_k_and_groups(Z, k, aggregate):
    k = min(k, len(Z))
    df = pd.DataFrame(Z, columns=[f"c{j}" for j in range(Z.shape[1])])
    micro = Microaggregator(k=k, aggregate=aggregate, standardize=False)
    out = micro.fit_transform(df)
    check_output_k(out, df.columns, k)
    assert micro.group_sizes_.min() >= k
    if len(df) >= 2 * k:
        assert micro.group_sizes_.max() <= 2 * k - 1
    labels = reference_mdav(df.to_numpy(float), k)
    agg = df.astype(float).groupby(labels).agg(aggregate)
    np.testing.assert_allclose(out.to_numpy(), agg.to_numpy()[labels])


@settings(max_examples=40, deadline=None)
@given(small_int_data, st.integers(1, 5))
def test_univariate_groups_each_column(Z, k):
    k = min(k, len(Z))
    df = pd.DataFrame(Z, columns=[f"c{j}" for j in range(Z.shape[1])])
    micro = Microaggregator(k=k, method="univariate", standardize=False)
    out = micro.fit_transform(df)
    for j, col in enumerate(df.columns):
        check_output_k(out, [col], k)
        labels = reference_mdav(df[[col]].to_numpy(float), k)
        expected = df[col].astype(float).groupby(labels).mean().to_numpy()[labels]
        np.testing.assert_allclose(out[col].to_numpy(), expected)
        assert micro.group_sizes_[col].min() >= k


def test_standardized_groups_are_reference_on_scaled_data():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"income": rng.lognormal(10, 1, 300), "age": rng.integers(18, 90, 300)})
    micro = Microaggregator(k=4)
    out = micro.fit_transform(df)
    Z = (df.to_numpy(float) - micro.center_) / micro.scale_
    labels = reference_mdav_numpy(Z, 4)
    np.testing.assert_allclose(out.to_numpy(), df.groupby(labels).mean().to_numpy()[labels])
    assert micro.il1s_ == pytest.approx(il1s(df, out))
    assert micro.variance_kept_ == pytest.approx(variance_kept(df, out))


# -- estimator behaviour ------------------------------------------------------------
def test_transform_new_rows_nearest_centroid():
    df = pd.DataFrame({"a": [0, 1, 2, 10, 11, 12, 20, 21, 22]})
    micro = Microaggregator(k=3, standardize=False).fit(df)
    out = micro.transform(pd.DataFrame({"a": [-5, 9, 100]}))
    assert out["a"].tolist() == [1.0, 11.0, 21.0]
    assert sorted(micro.centroids_["a"].tolist()) == [1.0, 11.0, 21.0]


def test_columns_pass_through_order_index_and_dtypes():
    df = pd.DataFrame({"job": list("abcdef"), "age": [20, 21, 22, 50, 51, 52],
                       "hours": [40, 40, 38, 20, 25, 30]}, index=[5, 3, 9, 1, 0, 2])
    out = Microaggregator(columns=["age", "hours"], k=3).fit_transform(df)
    assert list(out.columns) == ["job", "age", "hours"]
    assert out.index.tolist() == [5, 3, 9, 1, 0, 2]
    assert out["job"].tolist() == list("abcdef")
    assert out["age"].dtype == np.float64
    assert out["age"].tolist() == [21.0] * 3 + [51.0] * 3


def test_ndarray_in_out_and_set_output():
    X = np.arange(12, dtype=float).reshape(6, 2)
    micro = Microaggregator(k=3)
    out = micro.fit_transform(X)
    assert isinstance(out, np.ndarray) and out.shape == (6, 2)
    assert micro.get_feature_names_out().tolist() == ["x0", "x1"]
    out = micro.set_output(transform="pandas").fit_transform(X)
    assert list(out.columns) == ["x0", "x1"]


def test_median_aggregate():
    df = pd.DataFrame({"a": [1, 2, 100, 200, 201, 202]})
    out = Microaggregator(k=3, aggregate="median", standardize=False).fit_transform(df)
    assert out["a"].tolist() == [2.0] * 3 + [201.0] * 3


def test_missing_values_refused_without_values_in_message():
    df = pd.DataFrame({"secret": [123456.5, np.nan, 3.0, 4.0], "b": [1, 2, 3, 4]})
    with pytest.raises(ValueError, match="'secret': 1 missing") as info:
        Microaggregator(k=2).fit(df)
    assert "123456" not in str(info.value)
    micro = Microaggregator(k=2).fit(df.fillna(0))
    with pytest.raises(ValueError, match="'b': 1 missing"):
        micro.transform(pd.DataFrame({"secret": [1.0], "b": [np.inf]}))


def test_non_numeric_column_refused():
    df = pd.DataFrame({"name": ["Ann Smith", "Bob", "Cy"], "a": [1, 2, 3]})
    with pytest.raises(TypeError, match="'name'") as info:
        Microaggregator(k=2).fit(df)
    assert "Ann" not in str(info.value)
    assert Microaggregator(columns="a", k=2).fit_transform(df)["name"].tolist() == ["Ann Smith", "Bob", "Cy"]


def test_k_larger_than_rows():
    with pytest.raises(ValueError, match="k=5 is larger"):
        Microaggregator(k=5).fit(pd.DataFrame({"a": [1, 2, 3]}))


def test_fewer_than_2k_rows_one_group():
    out = Microaggregator(k=3).fit_transform(pd.DataFrame({"a": [1.0, 2.0, 3.0, 10.0, 20.0]}))
    assert out["a"].nunique() == 1


def test_pickle_roundtrip():
    import pickle

    df = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) ** 2})
    micro = Microaggregator(k=4).fit(df)
    again = pickle.loads(pickle.dumps(micro))
    pd.testing.assert_frame_equal(again.transform(df), micro.transform(df))


# -- Adult ----------------------------------------------------------------------------
def test_adult_information_loss_equals_reference(adult_dir):
    adult = pd.read_csv(adult_dir / "adult.data", header=None, names=ADULT_COLUMNS,
                        skipinitialspace=True, nrows=6000)
    X = adult[ADULT_NUMERIC]
    micro = Microaggregator(k=5)
    out = micro.fit_transform(X)
    check_output_k(out, ADULT_NUMERIC, 5)
    assert micro.k_achieved_ >= 5 and micro.group_sizes_.max() <= 9
    Z = (X.to_numpy(float) - micro.center_) / micro.scale_
    labels = reference_mdav_numpy(Z, 5)
    ref = X.astype(float).groupby(labels).mean().to_numpy()[labels]
    np.testing.assert_allclose(out.to_numpy(), ref, rtol=1e-12)
    assert micro.il1s_ == pytest.approx(il1s(X, ref), rel=1e-9)
    assert micro.variance_kept_ == pytest.approx(variance_kept(X, ref), rel=1e-9)
    assert 0 < micro.il1s_ < 0.2 and 0.5 < micro.variance_kept_ < 1


def test_input_not_modified():
    Z = np.array([[1.0], [0.0], [1.0], [5.0]])
    before = Z.copy()
    mdav_groups(Z, 1)
    np.testing.assert_array_equal(Z, before)


def test_empty_columns_refused():
    with pytest.raises(ValueError, match="No column"):
        Microaggregator(columns=[], k=1).fit(pd.DataFrame({"a": [1.0, 2.0]}))


def test_integer_column_labels_kept():
    df = pd.DataFrame({0: [1.0, 2.0, 3.0, 10.0], 1: ["a", "b", "c", "d"]})
    out = Microaggregator(columns=[0], k=2).fit_transform(df)
    assert list(out.columns) == [0, 1] and out[0].tolist() == [1.5, 1.5, 6.5, 6.5]
