"""sklearn_anon.dask: partition-wise transform, Dask fits, Mondrian at scale.

Every test that computes runs on a real ``distributed.LocalCluster`` with two
worker processes (module-scoped, closed at the end): the estimators are
pickled to the workers, as they are in production.
"""

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from sklearn.base import clone  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from sklearn_anon import (  # noqa: E402
    DateGeneralizer,
    DPGroupMeanEncoder,
    DPKBinsDiscretizer,
    FakeReplacer,
    GaussianNoise,
    HierarchyGeneralizer,
    IntervalGeneralizer,
    KeyedAssigner,
    LaplaceNoise,
    MondrianAnonymizer,
    PIIDetector,
    PrefixGeneralizer,
    Pseudonymizer,
    RandomizedResponse,
    RareCategoryGrouper,
    TopBottomCoder,
)
from sklearn_anon._compat import BudgetAccountant, PrivacyLeakWarning  # noqa: E402
from sklearn_anon.dask import (  # noqa: E402
    fit_dask,
    fit_mondrian_dask,
    k_anonymity_dask,
    partition_seeds,
    transform_dask,
)
from sklearn_anon.metrics import k_anonymity, l_diversity, t_closeness  # noqa: E402

N = 4000
CITIES = ["Oslo", "Bergen", "Trondheim", "Stavanger", "Moss", "Hamar", "Narvik"]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=":0", silence_logs=40)
    cl = distributed.Client(cluster)
    try:
        yield cl
    finally:
        cl.close()
        cluster.close()


def make_frame(n=N, seed=0):
    rng = np.random.default_rng(seed)
    city_p = np.array([40, 25, 15, 10, 6, 3, 1], dtype=float)
    return pd.DataFrame({
        "age": rng.integers(17, 91, n),
        "income": np.round(rng.lognormal(10, 1, n), 2),
        "city": rng.choice(CITIES, n, p=city_p / city_p.sum()),
        "zip": rng.integers(10000, 99999, n),
        "birth": pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 20000, n), unit="D"),
        "sex": rng.choice(["F", "M"], n),
        "email": [f"user{i}@example.com" for i in rng.integers(0, 10**6, n)],
        "score": rng.uniform(0, 100, n),
    })


@pytest.fixture(scope="module")
def ddf():
    return dd.from_pandas(make_frame(), npartitions=4)


@pytest.fixture(scope="module")
def df(ddf):
    # the data as Dask holds it (Dask may convert str columns to Arrow strings)
    return ddf.compute(scheduler="sync")


SEX_HIERARCHY = {"F": ["F", "*"], "M": ["M", "*"]}

DETERMINISTIC = {
    "interval_quantile": (IntervalGeneralizer(n_bins=4, columns=["age", "income"]), None),
    "interval_bins": (IntervalGeneralizer(bins=[0, 30, 60, 120], labels=["young", "mid", "old"],
                                          columns=["age"]), None),
    "date": (DateGeneralizer(unit="year", columns=["birth"]), None),
    "prefix": (PrefixGeneralizer(n=2, columns=["zip"]), None),
    "rare": (RareCategoryGrouper(min_count=100, columns=["city"]), None),
    "top_bottom": (TopBottomCoder(lower_quantile=0.05, upper_quantile=0.95,
                                  columns=["income", "score"]), None),
    "hierarchy": (HierarchyGeneralizer(hierarchies={"sex": SEX_HIERARCHY}, columns=["sex"]), None),
    "pseudonymizer": (Pseudonymizer(key=b"k", columns=["email"]), None),
    "keyed_assigner": (KeyedAssigner(choices=["A", "B", "C"], key=b"k"), ["email"]),
    "fake": (FakeReplacer(key=b"k", kind="email", columns=["email"]), None),
    "pii_detector": (PIIDetector(), None),
    "mondrian": (MondrianAnonymizer(k=20, quasi_identifiers=["age", "zip", "sex"]), None),
    "dp_group_mean": (DPGroupMeanEncoder(epsilon=1.0, bounds=(0, 100), value_column="score",
                                         columns=["sex", "city"], random_state=0), None),
    "dp_kbins": (DPKBinsDiscretizer(n_bins=4, epsilon=1.0, bounds=(0, 100), columns=["score"],
                                    random_state=0), None),
}


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_transform_dask_equals_pandas(client, df, ddf, name):
    est, cols = DETERMINISTIC[name]
    data, ddata = (df, ddf) if cols is None else (df[cols], ddf[cols])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = clone(est).fit(data)
        expected = fitted.transform(data)
        lazy = transform_dask(fitted, ddata)
    got = lazy.compute()
    assert lazy.npartitions == 4
    pd.testing.assert_frame_equal(got, expected)
    # the announced schema is the computed one
    assert list(lazy.columns) == list(got.columns)
    assert dict(lazy.dtypes) == dict(got.dtypes)


def _column_transformer():
    return ColumnTransformer([
        ("ids", Pseudonymizer(key=b"k"), ["email"]),
        ("age", IntervalGeneralizer(bins=[0, 30, 60, 120]), ["age"]),
        ("city", RareCategoryGrouper(min_count=100), ["city"]),
        ("noise", LaplaceNoise(epsilon=1.0, bounds=(0, 100), random_state=0), ["score"]),
    ], remainder="drop", verbose_feature_names_out=False).set_output(transform="pandas")


def test_column_transformer_and_pipeline(client, df, ddf):
    ct = _column_transformer().fit(df)
    expected = ct.transform(df)
    got = transform_dask(ct, ddf, random_state=1).compute()
    assert list(got.columns) == list(expected.columns)
    assert got.index.equals(expected.index)
    exact = ["email", "age", "city"]
    pd.testing.assert_frame_equal(got[exact], expected[exact])
    # noise: same distribution of (output - input), not the same draws
    d_got, d_exp = got["score"] - df["score"], expected["score"] - df["score"]
    assert not np.allclose(d_got, d_exp)
    assert stats.ks_2samp(d_got, d_exp).pvalue > 1e-3

    # an ndarray-output pipeline comes back as a DataFrame named by the output names
    pipe = Pipeline([("gen", IntervalGeneralizer(bins=[0, 50, 120], columns=[0])),
                     ("top", TopBottomCoder(upper=50.0, columns=[1]))]).fit(df[["age", "score"]].to_numpy())
    arr = pipe.transform(df[["age", "score"]].to_numpy())
    got = transform_dask(pipe, dd.from_pandas(pd.DataFrame(df[["age", "score"]].to_numpy(),
                                                           columns=["x0", "x1"]), npartitions=4)).compute()
    assert got.shape == arr.shape
    assert (got.to_numpy() == arr).all()


NOISY = {
    "laplace": (LaplaceNoise(epsilon=1.0, bounds=(0, 100), columns=["score"]), "score"),
    "gaussian": (GaussianNoise(epsilon=1.0, delta=1e-5, bounds=(0, 100), columns=["score"]), "score"),
    "rr": (RandomizedResponse(epsilon=1.0, categories=CITIES, columns=["city"]), "city"),
}


@pytest.mark.parametrize("name", sorted(NOISY))
def test_noisy_transform_in_distribution(client, df, ddf, name):
    est, col = NOISY[name]
    fitted = clone(est).set_params(random_state=3).fit(df)
    expected = fitted.transform(df)
    got = transform_dask(fitted, ddf, random_state=7).compute()
    assert got.index.equals(df.index)
    untouched = [c for c in df.columns if c != col]
    pd.testing.assert_frame_equal(got[untouched], df[untouched])
    if col == "score":
        d_got, d_exp = got[col] - df[col], expected[col] - df[col]
        assert stats.ks_2samp(d_got, d_exp).pvalue > 1e-3
        assert not np.allclose(d_got, d_exp)
    else:
        # released category frequencies: chi-square homogeneity of the two releases
        table = pd.crosstab(np.r_[np.zeros(N), np.ones(N)],
                            np.r_[got[col].astype(str), expected[col].astype(str)])
        assert stats.chi2_contingency(table)[1] > 1e-3
        # and the same keep rate as pandas' release
        keep_got = (got[col].astype(str) == df[col]).mean()
        keep_exp = (expected[col].astype(str) == df[col]).mean()
        assert abs(keep_got - keep_exp) < 0.05


def test_partitions_draw_independent_noise(client):
    # four identical partitions: any reuse of a seed shows as repeated noise
    block = pd.DataFrame({"v": np.full(500, 50.0)})
    frame = pd.concat([block] * 4, ignore_index=True)
    ddf4 = dd.from_pandas(frame, npartitions=4)
    assert ddf4.npartitions == 4
    lap = LaplaceNoise(epsilon=1.0, bounds=(0, 100)).fit(frame)
    a = transform_dask(lap, ddf4, random_state=11).compute()["v"].to_numpy().reshape(4, -1)
    b = transform_dask(lap, ddf4, random_state=11).compute()["v"].to_numpy().reshape(4, -1)
    c = transform_dask(lap, ddf4, random_state=None).compute()["v"].to_numpy().reshape(4, -1)
    d = transform_dask(lap, ddf4, random_state=None).compute()["v"].to_numpy().reshape(4, -1)
    assert np.array_equal(a, b)  # an int seed is reproducible
    for x in (a, c):
        for i in range(4):
            for j in range(i + 1, 4):
                assert not np.allclose(x[i], x[j])
                # independent partitions: uncorrelated noise
                assert abs(np.corrcoef(x[i], x[j])[0, 1]) < 0.2
    assert not np.allclose(c, d)  # secure seeds: fresh noise per call
    assert not np.allclose(a, c)
    # the whole release has the Laplace noise distribution of the pandas release
    ref = LaplaceNoise(epsilon=1.0, bounds=(0, 100), random_state=0).fit(frame).transform(frame)["v"]
    assert stats.ks_2samp(a.ravel(), ref).pvalue > 1e-3


def test_budget_spent_once_per_call(client, df, ddf):
    acc = BudgetAccountant(epsilon=2.5)
    lap = LaplaceNoise(epsilon=1.0, bounds=(0, 100), columns=["score"], accountant=acc).fit(df)
    transform_dask(lap, ddf, random_state=0).compute()
    assert tuple(acc.total()) == (1.0, 0.0)
    transform_dask(lap, ddf, random_state=0)
    assert tuple(acc.total()) == (2.0, 0.0)
    with pytest.raises(Exception, match="[Bb]udget"):
        transform_dask(lap, ddf, random_state=0)


def test_partition_seeds():
    seeds = partition_seeds(5, 4)
    assert [s.spawn_key for s in seeds] == [(0,), (1,), (2,), (3,)]
    assert partition_seeds(None, 4) is None
    with pytest.raises(TypeError, match="int or None"):
        partition_seeds(np.random.default_rng(0), 4)


# -- fit_dask --------------------------------------------------------------------------
def _assert_same_state(a, b, attr):
    sa, sb = getattr(a, attr), getattr(b, attr)
    assert sa.keys() == sb.keys()
    for key in sa:
        x, y = sa[key], sb[key]
        if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], np.ndarray):
            np.testing.assert_array_equal(x[0], y[0])
            assert list(x[1]) == list(y[1])
        elif isinstance(x, dict):
            assert x.keys() == y.keys()
            for kk in x:
                if isinstance(x[kk], pd.Index):
                    assert x[kk].equals(y[kk])
                else:
                    assert x[kk] == y[kk], kk
        else:
            assert x == y


EXACT_FITS = {
    "rare": (RareCategoryGrouper(min_count=150, columns=["city"]), "categories_"),
    "rare_frequency": (RareCategoryGrouper(min_count=1, min_frequency=0.05, columns=["city", "sex"]),
                       "categories_"),
    "interval_uniform": (IntervalGeneralizer(n_bins=6, strategy="uniform", columns=["age", "income"]), "bins_"),
    "interval_exact_quantile": (IntervalGeneralizer(n_bins=4, columns=["age"]), "bins_"),
    "top_bottom_exact": (TopBottomCoder(lower_quantile=0.1, upper_quantile=0.9, columns=["age"]), "bounds_"),
    "top_bottom_given": (TopBottomCoder(lower=0, upper=50, columns=["score"]), "bounds_"),
    "laplace": (LaplaceNoise(epsilon=1.0, columns=["score", "income"]), "mechanisms_"),
    "gaussian": (GaussianNoise(epsilon=1.0, bounds={"score": (0, 100)}, columns=["score", "age"]),
                 "mechanisms_"),
    "rr": (RandomizedResponse(epsilon=1.0, columns=["city"]), "mechanisms_"),
    "prefix": (PrefixGeneralizer(n=2, columns=["zip"]), "categories_"),
    "date": (DateGeneralizer(unit="year", columns=["birth"]), "categories_"),
    "hierarchy": (HierarchyGeneralizer(hierarchies={"sex": SEX_HIERARCHY}, columns=["sex"]), "categories_"),
}


@pytest.mark.parametrize("name", sorted(EXACT_FITS))
def test_fit_dask_equals_pandas_fit(client, df, ddf, name):
    est, attr = EXACT_FITS[name]
    with warnings.catch_warnings(record=True) as pandas_warns:
        warnings.simplefilter("always")
        ref = clone(est).fit(df)
    with warnings.catch_warnings(record=True) as dask_warns:
        warnings.simplefilter("always")
        got = fit_dask(clone(est), ddf, quantiles="exact")
    _assert_same_state(got, ref, attr)
    assert got.columns_ == ref.columns_
    assert list(got.feature_names_in_) == list(ref.feature_names_in_)
    # the same privacy-leak warnings as the pandas fit
    leak = [w for w in pandas_warns if issubclass(w.category, PrivacyLeakWarning)]
    leak_d = [w for w in dask_warns if issubclass(w.category, PrivacyLeakWarning)]
    assert len(leak) == len(leak_d)
    if not isinstance(ref, (LaplaceNoise, GaussianNoise, RandomizedResponse)):
        # and the same output, on the Dask data
        pd.testing.assert_frame_equal(transform_dask(got, ddf).compute(), ref.transform(df))


def test_fit_dask_float_quantiles(client, df, ddf):
    """Exact quantiles on a float column equal numpy's; approximate ones are close."""
    ref = IntervalGeneralizer(n_bins=5, columns=["income"]).fit(df)
    exact = fit_dask(IntervalGeneralizer(n_bins=5, columns=["income"]), ddf, quantiles="exact")
    np.testing.assert_allclose(exact.bin_edges_["income"], ref.bin_edges_["income"], rtol=1e-12)
    approx = fit_dask(IntervalGeneralizer(n_bins=5, columns=["income"]), ddf)
    inner_ref, inner = ref.bin_edges_["income"][1:-1], approx.bin_edges_["income"][1:-1]
    assert len(inner) == len(inner_ref)
    # approximate (Dask merges per-partition percentiles): every inner edge
    # within 5 percentile points of the exact one on 4 partitions of 1000 rows
    ranks = np.searchsorted(np.sort(df["income"]), inner) / N
    assert np.all(np.abs(ranks - np.array([0.2, 0.4, 0.6, 0.8])) < 0.05)
    tb = fit_dask(TopBottomCoder(upper_quantile=0.9, columns=["income"]), ddf)
    assert abs((df["income"] <= tb.bounds_["income"][1]).mean() - 0.9) < 0.05


def test_fit_dask_group_mean_equals_pandas(client, df, ddf):
    kwargs = dict(epsilon=1.0, bounds=(0, 100), value_column="score", columns=["sex", "city"],
                  categories={"sex": ["F", "M"], "city": CITIES}, random_state=4)
    acc_ref, acc = BudgetAccountant(), BudgetAccountant()
    ref = DPGroupMeanEncoder(accountant=acc_ref, **kwargs).fit(df)
    got = fit_dask(DPGroupMeanEncoder(accountant=acc, **kwargs), ddf)
    pd.testing.assert_series_equal(got.means_, ref.means_)
    pd.testing.assert_series_equal(got.noisy_counts_, ref.noisy_counts_)
    assert got.global_mean_ == ref.global_mean_
    assert tuple(acc.total()) == tuple(acc_ref.total()) == (1.0, 0.0)  # epsilon spent once
    # undeclared domain and bounds: learnt with Dask, with the same warnings
    kw = dict(kwargs, bounds=None, categories=None)
    with pytest.warns(PrivacyLeakWarning):
        ref = DPGroupMeanEncoder(accountant=BudgetAccountant(), **kw).fit(df)
    with pytest.warns(PrivacyLeakWarning):
        got = fit_dask(DPGroupMeanEncoder(accountant=BudgetAccountant(), **kw), ddf)
    pd.testing.assert_series_equal(got.means_, ref.means_)
    assert got.bounds_ == ref.bounds_


def test_fit_dask_pipeline_and_sample_fitted(client, df, ddf):
    pipe = Pipeline([("top", TopBottomCoder(upper=60, columns=["age"])),
                     ("gen", IntervalGeneralizer(n_bins=3, strategy="uniform", columns=["age"])),
                     ("rare", RareCategoryGrouper(min_count=200, columns=["city"]))])
    got = fit_dask(clone(pipe), ddf[["age", "city"]])
    ref = clone(pipe).fit(df[["age", "city"]])
    for name in ("gen", "rare"):
        attr = "bins_" if name == "gen" else "categories_"
        _assert_same_state(got.named_steps[name], ref.named_steps[name], attr)
    pd.testing.assert_frame_equal(transform_dask(got, ddf[["age", "city"]]).compute(),
                                  ref.transform(df[["age", "city"]]))
    ps = fit_dask(Pseudonymizer(key=b"k", columns=["email"]), ddf)
    assert ps.transform(df)["email"].equals(Pseudonymizer(key=b"k", columns=["email"]).fit(df)
                                            .transform(df)["email"])


def test_bad_input(client, df, ddf):
    with pytest.raises(TypeError, match="dask DataFrame"):
        fit_dask(RareCategoryGrouper(), df)
    with pytest.raises(TypeError, match="dask DataFrame"):
        transform_dask(RareCategoryGrouper().fit(df), df)
    with pytest.raises(TypeError, match="fit_mondrian_dask"):
        fit_dask(MondrianAnonymizer(k=5), ddf)
    with pytest.raises(TypeError, match="no Dask fit for DPKBinsDiscretizer"):
        fit_dask(DPKBinsDiscretizer(bounds=(0, 100)), ddf[["score"]])
    with pytest.raises(ValueError, match="quantiles"):
        fit_dask(IntervalGeneralizer(), ddf[["age"]], quantiles="median")
    # a wrong column type: the estimator's own message, naming the column, no value
    with pytest.raises(TypeError, match="'city'") as info:
        fit_dask(IntervalGeneralizer(columns=["city"]), ddf)
    assert not any(c in str(info.value) for c in CITIES)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 300), nparts=st.integers(1, 6), seed=st.integers(0, 2**16),
       min_count=st.integers(1, 40))
def test_fit_and_transform_dask_property(n, nparts, seed, min_count):
    """Any size and partitioning: the Dask fit and transform equal pandas'."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "city": pd.Series(rng.choice(CITIES + [None], n), dtype=object),
        "age": rng.integers(0, 100, n).astype(float),
    })
    frame.loc[rng.random(n) < 0.1, "age"] = np.nan
    ddn = dd.from_pandas(frame, npartitions=nparts)
    data = ddn.compute(scheduler="sync")
    with dask.config.set(scheduler="sync"):
        for est, attr in ((RareCategoryGrouper(min_count=min_count, columns=["city"]), "categories_"),
                          (IntervalGeneralizer(n_bins=3, strategy="uniform", columns=["age"]), "bins_"),
                          (TopBottomCoder(lower_quantile=0.25, upper_quantile=0.75, columns=["age"]), "bounds_")):
            if data["age"].notna().sum() == 0 and attr != "categories_":
                continue
            ref = clone(est).fit(data)
            got = fit_dask(clone(est), ddn, quantiles="exact")
            _assert_same_state(got, ref, attr) if attr != "bounds_" else np.testing.assert_allclose(
                got.bounds_["age"], ref.bounds_["age"], rtol=1e-12)
            pd.testing.assert_frame_equal(transform_dask(ref, ddn).compute(), ref.transform(data))


# -- one seed, two engines: the pandas fit and the Dask fit agree -------------------------
def _assert_same(a, b, where):
    """Recursive equality of fitted state (arrays, pandas objects, containers, plain objects)."""
    if isinstance(a, (pd.DataFrame, pd.Series)):
        assert type(a) is type(b), where
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=where)
        else:
            pd.testing.assert_series_equal(a, b, check_exact=True, obj=where)
    elif isinstance(a, pd.Index):
        assert a.equals(b) and a.dtype == b.dtype, where
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    elif hasattr(a, "__dict__") and not isinstance(a, type) and type(a).__eq__ is object.__eq__:
        assert type(a) is type(b), where
        _assert_same(vars(a), vars(b), f"{where}.__dict__")
    else:
        assert a == b, where


def _assert_same_fit(got, ref, where):
    """Every public fitted attribute (``name_``) equal; the accountant is the caller's."""
    if isinstance(ref, Pipeline):
        for (name, step_got), (_, step_ref) in zip(got.steps, ref.steps):
            _assert_same_fit(step_got, step_ref, f"{where}.{name}")
        return
    fitted = sorted(k for k in vars(ref) if k.endswith("_") and not k.startswith("_")
                    and k != "accountant_")
    assert fitted, where
    assert fitted == sorted(k for k in vars(got) if k.endswith("_") and not k.startswith("_")
                            and k != "accountant_"), where
    for key in fitted:
        _assert_same(getattr(got, key), getattr(ref, key), f"{where}.{key}")


SEED = 3

#: One estimator per class with a registered Dask fit (``fit_dask.registry``):
#: fitted on pandas and with Dask under the same ``random_state``, on data
#: whose statistics the Dask fit computes exactly (``quantiles="exact"``).
SEEDED_FITS = {
    RareCategoryGrouper: RareCategoryGrouper(min_count=1, min_frequency=0.05, columns=["city", "sex"]),
    IntervalGeneralizer: IntervalGeneralizer(n_bins=4, columns=["age"]),
    TopBottomCoder: TopBottomCoder(lower_quantile=0.1, upper=50, columns=["age", "score"]),
    PrefixGeneralizer: PrefixGeneralizer(n=2, columns=["zip"]),
    DateGeneralizer: DateGeneralizer(unit="year", columns=["birth"]),
    HierarchyGeneralizer: HierarchyGeneralizer(hierarchies={"sex": SEX_HIERARCHY}, columns=["sex"]),
    LaplaceNoise: LaplaceNoise(epsilon=1.0, columns=["score", "income"], random_state=SEED),
    GaussianNoise: GaussianNoise(epsilon=1.0, bounds={"score": (0, 100)}, columns=["score", "age"],
                                 random_state=SEED),
    RandomizedResponse: RandomizedResponse(epsilon=1.0, columns=["city"], random_state=SEED),
    DPGroupMeanEncoder: DPGroupMeanEncoder(epsilon=1.0, value_column="score", columns=["sex", "city"],
                                           random_state=SEED),
    Pseudonymizer: Pseudonymizer(key=b"k", columns=["email"]),
    KeyedAssigner: KeyedAssigner(choices=["A", "B", "C"], key=b"k"),
    FakeReplacer: FakeReplacer(key=b"k", kind="email", columns=["email"]),
    PIIDetector: PIIDetector(),
    Pipeline: Pipeline([("top", TopBottomCoder(upper=60, columns=["age"])),
                        ("gen", IntervalGeneralizer(n_bins=3, columns=["age"])),
                        ("noise", LaplaceNoise(epsilon=1.0, bounds=(0, 100), columns=["score"],
                                               random_state=SEED))]),
}


def _package_classes(registry):
    return {cls for cls in registry
            if cls is not object and cls.__module__.startswith(("sklearn_anon", "sklearn."))}


def test_every_dask_fit_has_a_seeded_case():
    # a class registered for fit_dask without a case below fails here
    assert _package_classes(fit_dask.registry) - {MondrianAnonymizer} == set(SEEDED_FITS)


def _fresh(est):
    est = clone(est)
    for key in est.get_params():
        if key.endswith("accountant"):
            est.set_params(**{key: BudgetAccountant()})
    return est


@pytest.mark.parametrize("cls", sorted(SEEDED_FITS, key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_pandas_and_dask_fits_agree_under_one_seed(client, df, ddf, cls):
    est = SEEDED_FITS[cls]
    if cls is KeyedAssigner:  # it assigns from every column it is given
        df, ddf = df[["email"]], ddf[["email"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyLeakWarning)
        ref = _fresh(est).fit(df)
        got = fit_dask(_fresh(est), ddf, quantiles="exact")
        assert fit_dask.dispatch(cls) is fit_dask.dispatch(type(got))
        # the same fitted attributes, the DP releases included (means_, noisy_counts_, ...)
        _assert_same_fit(got, ref, cls.__name__)
        # and the same output: for the local mechanisms, the same noise, since the n-th
        # transform after a fit with an int random_state draws the same stream
        pd.testing.assert_frame_equal(got.transform(df), ref.transform(df))


def test_group_mean_release_is_the_fits(df):
    """The encoder's extension points rebuild the pandas fit's release exactly."""
    kwargs = dict(epsilon=1.0, bounds=(0, 100), value_column="score", columns=["sex", "city"],
                  categories={"sex": ["F", "M"], "city": CITIES}, random_state=SEED)
    ref = DPGroupMeanEncoder(accountant=BudgetAccountant(), **kwargs).fit(df)
    enc = DPGroupMeanEncoder(accountant=BudgetAccountant(), **kwargs).fit(df)
    parts = [enc.group_statistics(df.iloc[i::3]) for i in range(3)]
    sums = sum(p[0] for p in parts)
    counts = sum(p[1] for p in parts)
    np.testing.assert_array_equal(np.stack([sums, counts]), np.stack(enc.group_statistics(df)))
    assert enc.release_statistics(sums, counts) is enc
    pd.testing.assert_series_equal(enc.means_, ref.means_)
    pd.testing.assert_series_equal(enc.noisy_counts_, ref.noisy_counts_)
    # another generator: another release of the same statistics
    enc.release_statistics(sums, counts, np.random.default_rng(SEED + 1))
    assert not enc.noisy_counts_.equals(ref.noisy_counts_)
    with pytest.raises(ValueError, match="one entry per group"):
        enc.release_statistics(sums[:-1], counts[:-1])
    with pytest.raises(ValueError, match="value_column"):
        DPGroupMeanEncoder(bounds=(0, 100), categories={"sex": ["F", "M"]}, columns=["sex"],
                           random_state=0).fit(df[["sex"]], df["score"]).group_statistics(df)


def test_mondrian_dask_fit_without_sampling_or_merging_is_the_pandas_fit(client, df, ddf):
    # the whole table as the "sample" and the same k: no region merged, so the
    # collapsed anonymizer is the pandas fit
    for est in (MondrianAnonymizer(k=20, quasi_identifiers=["age", "zip", "sex"]),
                MondrianAnonymizer(k=10, l=2, sensitive="city", quasi_identifiers=["age", "sex"])):
        ref = clone(est).fit(df)
        res = fit_mondrian_dask(clone(est), ddf, sample_rows=N, sample_k=est.k)
        assert res.n_merged == 0
        _assert_same_fit(res.anonymizer, ref, "MondrianAnonymizer")
        pd.testing.assert_frame_equal(res.anonymizer.transform(df), ref.transform(df))


def test_mondrian_extension_points(df):
    anon = MondrianAnonymizer(k=50, quasi_identifiers=["age", "zip"]).fit(df)
    region = anon.region_index(df)
    np.testing.assert_array_equal(np.bincount(region, minlength=anon.n_partitions_),
                                  anon.partition_sizes_)
    assert anon.regions_hold(anon.partition_sizes_).all()
    assert not anon.regions_hold(np.full(anon.n_partitions_, 49)).any()
    # collapsing every leaf into the root: one region, the whole table
    root = np.full(len(anon.tree_["feature"]), -1)
    root[0] = 0
    one = anon.collapse_regions(root, df)
    assert one.n_partitions_ == 1 and one.partition_sizes_.tolist() == [N]
    assert anon.n_partitions_ > 1  # the original is not modified
    assert one.transform(df)[["age", "zip"]].drop_duplicates().shape[0] == 1
    sens = MondrianAnonymizer(k=2, l=2, sensitive="sex")
    assert sens.regions_hold(np.array([[3, 0], [1, 1], [0, 0]])).tolist() == [False, True, False]
    with pytest.raises(ValueError, match="2-diverse"):
        sens.regions_hold(np.array([[3, 0]]))


def test_a_new_estimator_registers_its_dask_fit(client, df, ddf):
    class TopCoded(TopBottomCoder):
        pass

    # a subclass gets its parent's Dask fit until it registers its own
    assert fit_dask.dispatch(TopCoded) is fit_dask.dispatch(TopBottomCoder)
    calls = []

    @fit_dask.register(TopCoded)
    def _fit(est, ddf, *, quantiles, sample_rows):
        calls.append(quantiles)
        return est.fit(ddf.head(sample_rows, npartitions=-1))

    got = fit_dask(TopCoded(upper=50, columns=["age"]), ddf, quantiles="exact")
    assert calls == ["exact"] and got.bounds_["age"][1] == 50


# -- Mondrian at scale -----------------------------------------------------------------
def _skewed(n, seed):
    """Dense center, sparse tails: a sample tree has regions that are empty-ish on the full data."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": np.clip(rng.normal(45, 12, n).round(), 17, 90).astype(np.int64),
        "zip": rng.integers(0, 500, n),
        "sex": rng.choice(["F", "M"], n),
        "disease": rng.choice(["flu", "cold", "hiv", "none"], n, p=[0.4, 0.3, 0.1, 0.2]),
    })


def test_mondrian_at_scale_is_k_anonymous(client):
    ddf8 = dd.from_pandas(_skewed(20000, 1), npartitions=4)
    frame = ddf8.compute(scheduler="sync")
    k = 10
    res = fit_mondrian_dask(MondrianAnonymizer(k=k, quasi_identifiers=["age", "zip", "sex"]),
                            ddf8, sample_rows=4000, random_state=0)
    assert res.n_rows == 20000
    assert res.n_merged > 0  # fine sample regions had to be merged
    assert res.n_regions == res.n_regions_sample - res.n_merged
    assert res.region_counts.sum() == 20000
    assert res.k_achieved >= k
    out = transform_dask(res.anonymizer, ddf8)
    qis = ["age", "zip", "sex"]
    k_dist = k_anonymity_dask(out, qis)
    released = out.compute()
    assert k_dist == k_anonymity(released.reset_index(drop=True), qis) >= k
    # rows and order kept, sensitive column untouched
    assert released.index.equals(frame.index)
    assert released["disease"].equals(frame["disease"])
    # the merged tree routes the full data as the count said
    assert res.anonymizer.transform(frame).equals(released)

    # without merging (the sample tree as is), the full data would not be 10-anonymous
    raw = MondrianAnonymizer(k=res.sample_k, quasi_identifiers=qis).fit(
        ddf8.sample(frac=res.sample_rows / 20000, random_state=0).compute().reset_index(drop=True))
    assert k_anonymity(raw.transform(frame).reset_index(drop=True), qis) < k


def test_mondrian_at_scale_l_diversity(client):
    frame = _skewed(12000, 2)
    ddf4 = dd.from_pandas(frame, npartitions=4)
    qis = ["age", "zip", "sex"]
    res = fit_mondrian_dask(MondrianAnonymizer(k=5, l=3, sensitive="disease", quasi_identifiers=qis),
                            ddf4, sample_rows=3000, random_state=1)
    released = transform_dask(res.anonymizer, ddf4).compute().reset_index(drop=True)
    assert k_anonymity(released, qis) >= 5
    assert l_diversity(released, qis, "disease") >= 3
    # t-closeness on the full data's distribution
    res = fit_mondrian_dask(MondrianAnonymizer(k=5, t=0.15, sensitive="disease", quasi_identifiers=qis),
                            ddf4, sample_rows=3000, random_state=1)
    released = transform_dask(res.anonymizer, ddf4).compute().reset_index(drop=True)
    assert k_anonymity(released, qis) >= 5
    assert t_closeness(released, qis, "disease") <= 0.15
    assert res.n_merged > 0
    with pytest.raises(TypeError, match="MondrianAnonymizer"):
        fit_mondrian_dask(RareCategoryGrouper(), ddf4)


def test_k_anonymity_dask_counts_across_partitions(client):
    # a class split over two partitions counts once, with its full size
    frame = pd.DataFrame({"a": ["x", "x", "y", "x", "y", "z"], "b": ["1", "1", "2", "1", "2", None]})
    assert k_anonymity_dask(dd.from_pandas(frame, npartitions=3), ["a", "b"]) == 1
    assert k_anonymity_dask(dd.from_pandas(frame.iloc[:5], npartitions=3), ["a", "b"]) == 2


def test_import_sklearn_anon_does_not_import_dask():
    code = "import sys, sklearn_anon; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_mondrian_at_scale_with_lookahead_cuts(client):
    # the sample tree of any cut search is merged up to k on the full data
    ddf8 = dd.from_pandas(_skewed(8000, 3), npartitions=4)
    frame = ddf8.compute(scheduler="sync")
    qis = ["age", "zip", "sex"]
    res = fit_mondrian_dask(MondrianAnonymizer(k=10, quasi_identifiers=qis, cuts="lookahead"),
                            ddf8, sample_rows=2000, random_state=0)
    assert res.k_achieved >= 10
    released = transform_dask(res.anonymizer, ddf8).compute()
    assert k_anonymity(released.reset_index(drop=True), qis) >= 10
    assert res.anonymizer.transform(frame).equals(released)
