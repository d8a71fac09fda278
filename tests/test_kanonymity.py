"""MondrianAnonymizer: k-anonymity, l-diversity, t-closeness, routing of new rows."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_anon import MondrianAnonymizer
from sklearn_anon.base import SUPPRESSED
from sklearn_anon.metrics import k_anonymity, l_diversity, ncp, t_closeness

ADULT_QI = ["sex", "age", "race", "marital-status", "education", "native-country",
            "workclass", "occupation"]


def make_table(n=400, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 80, n),
        "income": rng.lognormal(10, 0.5, n).round(2),
        "sex": rng.choice(["F", "M"], n),
        "city": rng.choice(["Lyon", "Paris", "Nice", "Lille", "Brest"], n),
        "disease": rng.choice(["flu", "cold", "hiv", "covid"], n),
    })


@pytest.fixture(scope="module")
def adult(adult_dir):
    return pd.read_csv(adult_dir / "adult.csv", sep=";")


def _fresh(frame, cols):
    """pycanon indexes by position and wants plain strings."""
    return frame.astype({c: str for c in cols}).reset_index(drop=True)


# -- core properties ---------------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 7, 50])
def test_output_is_k_anonymous(k):
    df = make_table()
    anon = MondrianAnonymizer(k=k, sensitive="disease")
    out = anon.fit_transform(df)
    qi = ["age", "income", "sex", "city"]
    assert k_anonymity(out, qi) >= k
    assert anon.k_achieved_ >= k
    assert anon.partition_sizes_.sum() == len(df)
    assert anon.n_partitions_ == len(anon.partition_sizes_) == len(anon.regions_)
    assert (out["disease"] == df["disease"]).all()  # sensitive passes through
    assert out.index.equals(df.index)
    assert all(isinstance(out[c].dtype, pd.CategoricalDtype) for c in qi)
    if k <= 7:
        assert anon.n_partitions_ > 1


def test_training_rows_get_their_own_region():
    df = make_table()
    anon = MondrianAnonymizer(k=5, sensitive="disease").fit(df)
    out = anon.transform(df)
    pd.testing.assert_frame_equal(out, anon.fit_transform(df))
    # every interval label contains the raw value of its row
    for col in ["age", "income"]:
        labels = out[col].astype(str)
        bounds = labels.str.strip("[]").str.split(", ", expand=True)
        lo = pd.to_numeric(bounds[0])
        hi = pd.to_numeric(bounds[1]) if 1 in bounds else lo
        hi = hi.fillna(lo)
        assert ((df[col] >= lo) & (df[col] <= hi)).all()
    for raw, lab in zip(df["city"], out["city"].astype(str)):
        assert raw == lab or raw in lab.strip("{}").split(", ")
    # the region table matches the output's classes
    sizes = out.groupby(["age", "income", "sex", "city"], observed=True).size()
    assert sizes.sum() == len(df) and sizes.min() >= 5


@pytest.mark.parametrize("seed", [0, 1])
def test_routing_training_rows_reproduces_the_partition(seed):
    from sklearn_anon.kanonymity._cut_tree import route

    df = make_table(500, seed=seed)
    df.loc[df.sample(frac=0.05, random_state=seed).index, "income"] = np.nan
    anon = MondrianAnonymizer(k=4, sensitive="disease").fit(df)
    Z = np.stack([c.route_values(df[c.name]) for c in anon.coders_])
    leaf = route(anon.tree_, Z)
    np.testing.assert_array_equal(np.bincount(leaf, minlength=anon.n_partitions_),
                                  anon.partition_sizes_)
    # and each row's labels are its region's labels
    out = anon.transform(df)
    for col in ["age", "sex", "city"]:
        np.testing.assert_array_equal(out[col].astype(str).to_numpy(),
                                      anon.regions_[col].astype(str).to_numpy()[leaf])


def test_new_rows_unseen_out_of_range_and_missing():
    df = make_table()
    anon = MondrianAnonymizer(k=10, sensitive="disease").fit(df)
    new = pd.DataFrame({"age": [200, -5, np.nan, 40], "income": [1e9, 1.0, 5e4, np.nan],
                        "sex": ["F", "X", None, "M"], "city": ["Paris", "Tokyo", "Nice", None],
                        "disease": ["flu"] * 4})
    out = anon.transform(new)
    assert out.loc[1, "sex"] == SUPPRESSED and out.loc[2, "sex"] == SUPPRESSED
    assert out.loc[1, "city"] == SUPPRESSED and out.loc[3, "city"] == SUPPRESSED
    assert out.loc[2, "age"] == SUPPRESSED and out.loc[3, "income"] == SUPPRESSED
    fitted = anon.regions_
    for col in ["age", "income", "sex", "city"]:
        allowed = set(fitted[col]) | {SUPPRESSED}
        assert set(out[col].astype(str)) <= allowed
    # out of range goes to the extreme region: same as the largest training value
    rows = df.iloc[:30].copy()
    high, top = rows.copy(), rows.copy()
    high["age"], top["age"] = 500, df["age"].max()
    pd.testing.assert_frame_equal(anon.transform(high), anon.transform(top))
    low, bottom = rows.copy(), rows.copy()
    low["income"], bottom["income"] = -1e9, df["income"].min()
    pd.testing.assert_frame_equal(anon.transform(low), anon.transform(bottom))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 60),
    k_frac=st.floats(0.0, 1.0),
    seed=st.integers(0, 10_000),
    n_values=st.integers(1, 6),
)
def test_property_k_anonymous_and_no_raw_value(n, k_frac, seed, n_values):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "num": rng.integers(0, n_values * 3, n).astype(float),
        "cat": rng.choice([f"c{i}" for i in range(n_values)], n),
        "flt": rng.normal(size=n).round(1),
        "flag": rng.random(n) < 0.3,
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
    })
    df.loc[rng.random(n) < 0.1, "num"] = np.nan
    k = max(1, int(round(k_frac * n)))
    anon = MondrianAnonymizer(k=k)
    out = anon.fit_transform(df)
    assert k_anonymity(out, list(df.columns)) >= k
    new = pd.DataFrame({
        "num": rng.normal(0, 50, 20).round(),
        "cat": rng.choice(["c0", "c1", "zz", None], 20),
        "flt": rng.normal(0, 5, 20),
        "flag": rng.random(20) < 0.5,
        "when": pd.Timestamp("2023-06-01") + pd.to_timedelta(rng.integers(0, 400, 20), unit="D"),
    })
    out_new = anon.transform(new)
    for col in df.columns:
        allowed = set(anon.regions_[col].astype(str)) | {SUPPRESSED}
        assert set(out_new[col].astype(str)) <= allowed


# -- l-diversity / t-closeness ----------------------------------------------
@pytest.mark.parametrize("kind, l", [("distinct", 3), ("entropy", 2.5)])
def test_l_diversity(kind, l):
    df = make_table(600)
    qi = ["age", "income", "sex", "city"]
    anon = MondrianAnonymizer(k=3, l=l, l_diversity=kind, sensitive="disease")
    out = anon.fit_transform(df)
    assert l_diversity(out, qi, "disease", kind=kind) >= l - 1e-9
    assert k_anonymity(out, qi) >= 3
    plain = MondrianAnonymizer(k=3, sensitive="disease").fit(df)
    assert plain.n_partitions_ >= anon.n_partitions_


@pytest.mark.parametrize("sensitive", ["disease", "income"])
def test_t_closeness(sensitive):
    df = make_table(600)
    qi = [c for c in ["age", "income", "sex", "city", "disease"] if c != sensitive]
    out = MondrianAnonymizer(k=3, t=0.15, sensitive=sensitive).fit_transform(df)
    assert t_closeness(out, qi, sensitive) <= 0.15 + 1e-12


# -- output modes, types ------------------------------------------------------
def test_midpoint_and_mean():
    df = make_table()
    qi = ["age", "income", "sex", "city"]
    inter = MondrianAnonymizer(k=8, sensitive="disease").fit(df)
    mid = MondrianAnonymizer(k=8, sensitive="disease", output="midpoint").fit_transform(df)
    mean = MondrianAnonymizer(k=8, sensitive="disease", output="mean").fit_transform(df)
    assert mid["age"].dtype == np.float64 and mean["income"].dtype == np.float64
    groups = inter.transform(df)[qi].astype(str).agg("|".join, axis=1)
    # mean output = mean of the training values of the region
    expected = df.groupby(groups)["age"].transform("mean")
    np.testing.assert_allclose(mean["age"], expected)
    assert (mid["city"].astype(str) == inter.transform(df)["city"].astype(str)).all()
    assert k_anonymity(mid, qi) >= 8


def test_datetime_and_ndarray_input():
    rng = np.random.default_rng(1)
    dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 700, 200), unit="D")
    df = pd.DataFrame({"when": dates, "x": rng.normal(size=200)})
    out = MondrianAnonymizer(k=10).fit_transform(df)
    assert k_anonymity(out, ["when", "x"]) >= 10
    assert out["when"].astype(str).str.startswith("[2020").any()
    mid = MondrianAnonymizer(k=10, output="midpoint").fit_transform(df)
    assert pd.api.types.is_datetime64_any_dtype(mid["when"])
    arr = rng.normal(size=(100, 3))
    res = MondrianAnonymizer(k=5, output="midpoint").fit_transform(arr)
    assert isinstance(res, np.ndarray) and res.shape == (100, 3) and res.dtype == np.float64
    assert k_anonymity(pd.DataFrame(res), [0, 1, 2]) >= 5


def test_many_ties():
    n = 300
    df = pd.DataFrame({"a": np.r_[np.zeros(280), np.arange(20)], "b": np.repeat([1, 2, 3], 100)})
    anon = MondrianAnonymizer(k=15).fit(df)
    assert k_anonymity(anon.transform(df), ["a", "b"]) >= 15
    assert anon.n_partitions_ > 3
    assert anon.partition_sizes_.sum() == n


def test_hierarchy_cuts_follow_the_tree():
    h = {"Bachelors": ["Undergrad", "Higher"], "Some-college": ["Undergrad", "Higher"],
         "Masters": ["Graduate", "Higher"], "Doctorate": ["Graduate", "Higher"],
         "HS-grad": ["School", "Basic"], "11th": ["School", "Basic"],
         "Preschool": ["Early", "Basic"]}
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"edu": rng.choice(list(h), 700), "age": rng.integers(20, 60, 700)})
    anon = MondrianAnonymizer(k=20, hierarchies={"edu": h}).fit(df)
    out = anon.transform(df)
    assert k_anonymity(out, ["edu", "age"]) >= 20
    nodes = {"Undergrad", "Graduate", "School", "Early", "Higher", "Basic", *h}
    for label in set(out["edu"].astype(str)):
        members = label.strip("{}").split(", ")
        assert set(members) <= nodes, label
    assert set(out["edu"].astype(str)) & {"Higher", "Basic", "Undergrad", "Graduate", "School"}
    assert ncp(df, out, ["edu"], hierarchies={"edu": h}) < 1


def test_categorical_order():
    df = pd.DataFrame({"size": ["S", "M", "L", "XL"] * 25, "v": np.arange(100)})
    out = MondrianAnonymizer(k=20, categorical={"size": ["S", "M", "L", "XL"]}).fit_transform(df)
    labels = set(out["size"].astype(str))
    assert any(lab.startswith("{S, M") for lab in labels) or "{S, M, L, XL}" in labels


def test_verbose(capsys):
    MondrianAnonymizer(k=5, verbose=1).fit(make_table(100))
    assert "depth 0" in capsys.readouterr().out


# -- in a pipeline -------------------------------------------------------------
def test_grid_search_over_k_and_joblib_round_trip(tmp_path):
    df = make_table(500)
    y = (df["income"] > df["income"].median()).astype(int)
    X = df[["age", "sex", "city"]]
    pipe = make_pipeline(
        MondrianAnonymizer(k=5),
        OneHotEncoder(handle_unknown="ignore"),
        LogisticRegression(max_iter=200),
    )
    search = GridSearchCV(pipe, {"mondriananonymizer__k": [2, 10, 50]}, cv=3).fit(X, y)
    assert search.best_params_["mondriananonymizer__k"] in (2, 10, 50)
    path = tmp_path / "pipe.joblib"
    joblib.dump(search.best_estimator_, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), search.best_estimator_.predict_proba(X))
    anon = search.best_estimator_[0]
    again = pickle.loads(pickle.dumps(anon))
    pd.testing.assert_frame_equal(again.transform(X), anon.transform(X))


def test_pickle_of_the_previous_release_loads():
    # Before issue 14.1 the engine was sklearn_anon/_mondrian.py and the
    # estimator sklearn_anon/kanonymity.py: a pickled fitted anonymizer names
    # sklearn_anon._mondrian.ColumnCoder (its coders_), which the shim keeps.
    from sklearn_anon._mondrian import ColumnCoder as OldPathCoder
    from sklearn_anon.kanonymity._coding import ColumnCoder

    assert OldPathCoder is ColumnCoder
    assert pickle.loads(b"csklearn_anon._mondrian\nColumnCoder\n.") is ColumnCoder
    df = make_table(200)
    df["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(df["age"] * 7, unit="D")
    anon = MondrianAnonymizer(k=5, l=2, sensitive="disease").fit(df)
    old_paths = {ColumnCoder: "sklearn_anon._mondrian",
                 MondrianAnonymizer: "sklearn_anon.kanonymity"}
    saved = {cls: cls.__module__ for cls in old_paths}
    try:  # pickle as the previous release wrote it
        for cls, module in old_paths.items():
            cls.__module__ = module
        data = pickle.dumps(anon)
    finally:
        for cls, module in saved.items():
            cls.__module__ = module
    assert b"sklearn_anon._mondrian" in data and b"kanonymity._coding" not in data
    again = pickle.loads(data)
    assert all(type(c) is ColumnCoder for c in again.coders_)
    pd.testing.assert_frame_equal(again.transform(df), anon.transform(df))


def test_in_column_transformer():
    df = make_table(200)
    ct = ColumnTransformer([("anon", MondrianAnonymizer(k=5, output="midpoint"), ["age", "income"])],
                           remainder="passthrough").set_output(transform="pandas")
    out = ct.fit_transform(df)
    assert k_anonymity(out, ["anon__age", "anon__income"]) >= 5


# -- bad input -----------------------------------------------------------------
SECRET = "Zanzibar-1234"


@pytest.mark.parametrize(
    "params, match",
    [
        ({"k": 0}, "k"),
        ({"k": 1000}, "larger than the number of training rows"),
        ({"k": 2, "l": 9, "sensitive": "disease"}, "not 9-diverse"),
        ({"k": 2, "sensitive": "nope"}, "not in the input"),
        ({"k": 2, "l": 2}, "need a `sensitive`"),
        ({"k": 2, "sensitive": "disease", "quasi_identifiers": ["disease", "age"]}, "both"),
        ({"k": 2, "quasi_identifiers": ["nope"]}, "not in the input"),
        ({"k": 2, "hierarchies": {"city": {"Paris": ["FR"]}}}, "not in the given"),
    ],
)
def test_bad_input(params, match):
    df = make_table(50)
    df.loc[0, "city"] = SECRET
    with pytest.raises(ValueError, match=match) as info:
        MondrianAnonymizer(**params).fit(df)
    assert SECRET not in str(info.value)


def test_constant_and_all_missing_qi_documented():
    df = make_table(100)
    df["const"] = 7
    df["empty"] = np.nan
    anon = MondrianAnonymizer(k=5, sensitive="disease").fit(df)
    out = anon.transform(df)
    assert (out["const"].astype(str) == "7").all()
    assert (out["empty"].astype(str) == SUPPRESSED).all()
    assert k_anonymity(out, ["age", "income", "sex", "city", "const", "empty"]) >= 5


# -- Adult (light version; the full sweep is in benchmarks/bench_kanonymity.py) -
@pytest.mark.parametrize("k", [5, 50])
def test_adult_k_confirmed_by_pycanon(adult, k):
    pycanon = pytest.importorskip("pycanon.anonymity")
    anon = MondrianAnonymizer(k=k, quasi_identifiers=ADULT_QI)
    out = anon.fit_transform(adult)
    ours = k_anonymity(out, ADULT_QI)
    assert ours >= k
    assert pycanon.k_anonymity(_fresh(out, ADULT_QI), ADULT_QI) == ours


def test_adult_l_and_t_confirmed_by_pycanon(adult):
    pycanon = pytest.importorskip("pycanon.anonymity")
    qi = [q for q in ADULT_QI if q != "occupation"]
    out = MondrianAnonymizer(k=5, l=3, sensitive="occupation",
                             quasi_identifiers=qi).fit_transform(adult)
    assert l_diversity(out, qi, "occupation") >= 3
    assert pycanon.l_diversity(_fresh(out, qi), qi, ["occupation"]) >= 3
    out = MondrianAnonymizer(k=5, t=0.2, sensitive="occupation",
                             quasi_identifiers=qi).fit_transform(adult)
    t = t_closeness(out, qi, "occupation")
    assert t <= 0.2
    assert pycanon.t_closeness(_fresh(out, qi), qi, ["occupation"]) == t


@pytest.mark.parametrize("output", ["midpoint", "mean"])
@pytest.mark.parametrize("dtype", ["datetime64[us]", "datetime64[s, Europe/Paris]", "datetime64[ns]"])
def test_numeric_output_keeps_the_datetime_dtype(output, dtype):
    # regression: datetime midpoints/means came out as datetime64[ns] whatever
    # the input's resolution
    df = pd.DataFrame({"d": pd.Series(pd.date_range("2020-01-01", periods=8)).astype(
        "datetime64[ns]").dt.tz_localize("Europe/Paris" if "Paris" in dtype else None).astype(dtype)})
    out = MondrianAnonymizer(k=2, output=output).fit_transform(df)
    assert out["d"].dtype == df["d"].dtype
    assert out["d"].iloc[0] == pd.Timestamp("2020-01-01 12:00", tz="Europe/Paris" if "Paris" in dtype else None)


def test_hierarchy_keyed_by_a_non_qi_column_is_an_error():
    """A misspelled hierarchy key must not silently leave the real column
    cut by its natural order."""
    df = pd.DataFrame({"age": np.arange(40) % 20 + 20,
                       "sex": np.where(np.arange(40) % 2, "F", "M")})
    with pytest.raises(ValueError, match="'sxe'.*not a quasi-identifier"):
        MondrianAnonymizer(k=5, hierarchies={"sxe": {"F": ["*"], "M": ["*"]}}).fit(df)


# -- issue 12: fail closed -----------------------------------------------------
import datetime as _dt  # noqa: E402
import re  # noqa: E402
import warnings  # noqa: E402

FAR_DATES = ["1500-03-01", "1999-12-31", "2020-01-01", "2020-06-15", "2262-04-12",
             "2500-01-01", "2800-07-04", "3000-12-31"]


def _far_column(kind):
    days = [np.datetime64(d, "D") for d in FAR_DATES]
    if kind == "date objects":
        return pd.Series([d.astype(_dt.date) for d in days], dtype=object)
    if kind == "datetime objects":
        return pd.Series([_dt.datetime.fromisoformat(str(d)) for d in days], dtype=object)
    if "pyarrow" in kind:
        pa = pytest.importorskip("pyarrow")
        typ = pa.date32() if kind.startswith("date32") else pa.timestamp("s", tz="Europe/Paris")
        return pd.Series(pa.array([d.astype(_dt.date) for d in days]).cast(typ),
                         dtype=pd.ArrowDtype(typ))
    return pd.Series(np.array(days).astype(kind))


@pytest.mark.parametrize("kind", ["datetime64[s]", "datetime64[ms]", "datetime64[us]",
                                  "date objects", "datetime objects", "date32[pyarrow]",
                                  "timestamp[s, tz=Europe/Paris][pyarrow]"])
def test_dates_outside_the_nanosecond_range(kind):
    # regression (12.3): 2500-01-01 raised "Out of bounds nanosecond timestamp:
    # 2500-01-01" (a cell value in the message) in fit
    df = pd.DataFrame({"when": _far_column(kind), "x": np.arange(8)})
    anon = MondrianAnonymizer(k=2, quasi_identifiers=["when"]).fit(df)
    assert anon.coders_[0].kind == "datetime"
    out = anon.transform(df)
    assert k_anonymity(out, ["when"]) >= 2
    labels = list(anon.regions_["when"])
    assert labels == ["[1500-03-01, 1999-12-31]", "[2020-01-01, 2020-06-15]",
                      "[2262-04-12, 2500-01-01]", "[2800-07-04, 3000-12-31]"]
    # new far dates route like any others: past the last cut, to the last region
    # (no .to_numpy(): pandas 2.2 crashes converting far arrow timestamps with a tz)
    new = pd.DataFrame({"when": _far_column(kind).iloc[[7, 0, 5]].reset_index(drop=True),
                        "x": [0, 1, 2]})
    new.loc[0, "when"] = new.loc[0, "when"]  # same dtype
    assert list(anon.transform(new)["when"].astype(str)) == [labels[3], labels[0], labels[2]]
    mid = MondrianAnonymizer(k=2, output="midpoint", quasi_identifiers=["when"]).fit_transform(df)
    # the dtype, not the Series: pandas 2.2 says False for a date32[pyarrow] Series
    assert pd.api.types.is_datetime64_any_dtype(mid["when"].dtype)
    assert str(mid["when"].iloc[6])[:10] == "2900-10-02"
    if kind.startswith(("datetime64", "date32", "timestamp")):
        assert mid["when"].dtype == df["when"].dtype


def test_far_text_and_aware_objects_fit_and_unplaceable_ones_suppressed():
    # regression (pandas 2): text and tz-aware datetimes beyond 1677..2262 were
    # NaT, so a text date column beyond the range was refused as "neither
    # numbers nor dates", and the Series merging the two parses became object
    # ("Can only use .dt accessor"); a datetime64 beyond the microsecond range
    # must be suppressed, never wrapped around into some region
    paris = _dt.timezone(_dt.timedelta(hours=1))
    text = pd.Series(FAR_DATES, dtype=object)
    text.iloc[1] = _dt.datetime(2000, 1, 1, 0, 30, tzinfo=paris)  # 1999-12-31 23:30 UTC
    text.iloc[6] = _dt.datetime(2800, 7, 4, 1, 0, tzinfo=paris)  # 2800-07-04 00:00 UTC
    df = pd.DataFrame({"when": text, "x": np.arange(8)})
    anon = MondrianAnonymizer(k=2, quasi_identifiers=["when"], categorical=[]).fit(df)
    assert anon.coders_[0].kind == "datetime"
    assert list(anon.regions_["when"]) == [
        "[1500-03-01, 1999-12-31 23:30:00]", "[2020-01-01, 2020-06-15]",
        "[2262-04-12, 2500-01-01]", "[2800-07-04, 3000-12-31]"]
    huge = np.datetime64(300_000 * 366 * 86_400, "s")  # about the year 302,000
    new = pd.DataFrame({"when": pd.Series([huge, "2900-01-01", "garbage", huge.astype("datetime64[D]")],
                                          dtype=object), "x": np.arange(4)})
    assert anon.transform(new)["when"].astype(str).tolist() == [
        SUPPRESSED, "[2800-07-04, 3000-12-31]", SUPPRESSED, SUPPRESSED]


def test_far_dates_given_to_a_nanosecond_fit():
    # fitted on datetime64[ns]; new data in datetime64[s] beyond 2262 and before 1677
    df = pd.DataFrame({"when": pd.date_range("2020-01-01", periods=20, freq="7D")})
    anon = MondrianAnonymizer(k=5).fit(df)
    far = pd.DataFrame({"when": np.array(["2500-01-01", "1000-01-01", "2020-01-01"],
                                         dtype="datetime64[s]")})
    out = anon.transform(far)["when"].astype(str).tolist()
    labels = anon.regions_["when"].tolist()
    assert out == [labels[-1], labels[0], labels[0]]
    # as text or date objects, too (and text that is no date is suppressed)
    text = pd.DataFrame({"when": ["2500-01-01", "garbage", _dt.date(1000, 1, 1), "2020-01-01 00:00"]},
                        dtype=object)
    assert anon.transform(text)["when"].astype(str).tolist() == [
        labels[-1], SUPPRESSED, labels[0], labels[0]]


@pytest.mark.parametrize("target", ["to_datetime", "to_numeric", "factorize"])
def test_pandas_errors_never_carry_a_cell_value(monkeypatch, target):
    # every pandas call that reads cells is wrapped: a message of pandas that
    # quotes a cell is replaced by one naming the column only (12.3 audit)
    df = pd.DataFrame({"num": np.arange(12.0), "cat": list("abc") * 4,
                       "when": pd.date_range("2020-01-01", periods=12).astype(object),
                       "s": list("xy") * 6})
    df["when"] = df["when"].map(lambda t: t.isoformat())  # text dates: parsed
    real = getattr(pd, target)

    def leaky(*args, **kwargs):
        raise ValueError(f"cannot parse {SECRET} at position 3")

    anon = MondrianAnonymizer(k=3, l=2, sensitive="s", categorical=["cat"])

    def raised(call):
        monkeypatch.setattr(pd, target, leaky)
        try:
            call()
        except (ValueError, TypeError) as exc:
            return exc
        finally:
            monkeypatch.setattr(pd, target, real)
        return None

    errors = [raised(lambda: anon.fit(df))]
    anon.fit(df)
    assert anon.coders_[2].kind == "datetime"  # text dates, declared not categorical
    errors.append(raised(lambda: anon.transform(df)))
    errors = [e for e in errors if e is not None]
    assert errors
    for exc in errors:
        assert SECRET not in str(exc)
        assert re.search(r"[cC]olumn '(num|cat|when|s)'", str(exc)), str(exc)


def test_numeric_declared_text_column_names_the_column_only():
    df = make_table(50)
    df["code"] = [str(i) for i in range(50)]
    df.loc[3, "code"] = SECRET
    with pytest.raises(ValueError, match="'code'.*1 value.*neither") as info:
        MondrianAnonymizer(k=5, categorical=["sex", "city", "disease"]).fit(df)
    assert SECRET not in str(info.value)
    # all numbers: cut as numbers
    df.loc[3, "code"] = "3"
    anon = MondrianAnonymizer(k=5, categorical=["sex", "city", "disease"]).fit(df)
    assert anon.coders_[list(df.columns).index("code")].kind == "numeric"


def test_sensitive_of_mixed_types():
    df = make_table(60)
    df["disease"] = df["disease"].astype(object)
    df.loc[0, "disease"] = 7  # an int among strings: sorting them raised TypeError
    out = MondrianAnonymizer(k=3, l=2, sensitive="disease").fit_transform(df)
    assert l_diversity(out, ["age", "income", "sex", "city"], "disease") >= 2


# -- 12.5: rounding of interval ends ---------------------------------------------
def test_precision_hides_an_outliers_exact_value():
    df = pd.DataFrame({"income": [20000, 21000, 22000, 987654.32]})
    exact = MondrianAnonymizer(k=2).fit(df)
    assert "[22000, 987654.32]" in set(exact.regions_["income"])  # the default: exact ends
    anon = MondrianAnonymizer(k=2, precision=2).fit(df)
    assert list(anon.regions_["income"]) == ["[20000, 21000]", "[22000, 990000]"]
    out = anon.transform(df)
    assert not out["income"].astype(str).str.contains("987654").any()
    assert "987654" not in " ".join(out["income"].cat.categories)
    mid = MondrianAnonymizer(k=2, precision=2, output="midpoint").fit_transform(df)
    assert mid["income"].tolist() == [20500.0, 20500.0, 506000.0, 506000.0]
    mean = MondrianAnonymizer(k=2, precision=2, output="mean").fit_transform(df)
    assert mean["income"].tolist() == [20000.0, 20000.0, 500000.0, 500000.0]
    # one value: an interval around it
    one = MondrianAnonymizer(k=1, precision=3).fit(pd.DataFrame({"v": [1.23456, 9.0]}))
    assert list(one.regions_["v"]) == ["[1.23, 1.24]", "9"]


def test_precision_per_column_and_bad_values():
    df = pd.DataFrame({"a": [1.2345, 2.3456, 3.4567, 4.5678], "b": [111.1, 222.2, 333.3, 444.4],
                       "c": list("xyxy"), "d": pd.date_range("2020-01-01", periods=4)})
    anon = MondrianAnonymizer(k=2, precision={"a": 1}, quasi_identifiers=["a", "b"]).fit(df)
    assert set(anon.regions_["a"]) == {"[1, 3]", "[3, 5]"}
    assert set(anon.regions_["b"]) == {"[111.1, 222.2]", "[333.3, 444.4]"}
    # an int applies to numeric columns only
    both = MondrianAnonymizer(k=2, precision=1).fit(df)
    assert set(both.regions_["c"]) <= {"x", "y", "{x, y}"}
    for bad, exc, match in [({"c": 2}, ValueError, "'c'.*not numeric"),
                            ({"d": 2}, ValueError, "'d'.*not numeric"),
                            ({"zz": 2}, ValueError, "'zz'.*not a quasi-identifier"),
                            ({"a": True}, ValueError, "positive int"),
                            ({"a": 0}, ValueError, "positive int"),
                            (0, ValueError, "precision"),
                            ("2", ValueError, "precision")]:
        with pytest.raises(exc, match=match):
            MondrianAnonymizer(k=2, precision=bad).fit(df)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
                    | st.integers(-10**6, 10**6).map(float), min_size=2, max_size=40),
    k=st.integers(1, 5),
    digits=st.integers(1, 4),
)
def test_property_rounded_labels_contain_their_values(values, k, digits):
    df = pd.DataFrame({"v": values})
    k = min(k, len(df))
    anon = MondrianAnonymizer(k=k, precision=digits).fit(df)
    out = anon.transform(df)["v"].astype(str)
    assert k_anonymity(anon.transform(df), ["v"]) >= k
    for x, label in zip(values, out):
        ends = label.strip("[]").split(", ")
        lo, hi = float(ends[0]), float(ends[-1])
        assert lo <= x <= hi, (x, label)
        for end in ends:  # at most `digits` significant digits
            assert len(end.lstrip("-").replace(".", "").strip("0")) <= digits, label


# -- 12.6: whatever the fitted tree cannot place is suppressed --------------------
def _suppression_cases():
    n = 12
    num = np.arange(n, dtype=float)
    return {
        "float": (pd.Series(num), pd.Series(["garbage", np.inf, -np.inf, np.nan, 5.0],
                                             dtype=object), [True, True, True, True, False]),
        "float inf": (pd.Series(num), pd.Series([np.inf, np.nan, 5.0]), [True, True, False]),
        "Int64": (pd.Series(np.arange(n), dtype="Int64"),
                  pd.Series([pd.NA, 3, 99], dtype="Int64"), [True, False, False]),
        "numbers as dates": (pd.Series(num), pd.Series(pd.to_datetime(["2020-01-01", None])),
                             [True, True]),
        "datetime": (pd.Series(pd.date_range("2020-01-01", periods=n)),
                     pd.Series(["garbage", "2020-01-03", None, 17, 3.5, True], dtype=object),
                     [True, False, True, True, True, True]),
        "datetime given numbers": (pd.Series(pd.date_range("2020-01-01", periods=n)),
                                   pd.Series([1, 2], dtype="int64"), [True, True]),
        "category": (pd.Series(list("abc") * 4, dtype="category"),
                     pd.Series(["a", "zz", None], dtype="category"), [False, True, True]),
        "string": (pd.Series(list("abc") * 4, dtype="str"),
                   pd.Series(["b", "zz", None], dtype="str"), [False, True, True]),
        "object": (pd.Series(list("abc") * 4, dtype=object),
                   pd.Series(["c", 5, None, "zz"], dtype=object), [False, True, True, True]),
        "bool": (pd.Series([True] * n), pd.Series([True, False, None], dtype=object),
                 [False, True, True]),
        "boolean": (pd.Series([True, False] * 6, dtype="boolean"),
                    pd.Series([True, pd.NA], dtype="boolean"), [False, True]),
    }


@pytest.mark.parametrize("case", list(_suppression_cases()))
def test_unplaceable_values_are_suppressed(case):
    train, new, expected = _suppression_cases()[case]
    df = pd.DataFrame({"q": train, "x": np.arange(len(train))})
    anon = MondrianAnonymizer(k=3).fit(df)
    fresh = pd.DataFrame({"q": new, "x": np.arange(len(new))})
    out = anon.transform(fresh)
    got = (out["q"].astype(str) == SUPPRESSED).tolist()
    assert got == expected
    allowed = set(anon.regions_["q"].astype(str)) | {SUPPRESSED}
    assert set(out["q"].astype(str)) <= allowed
    if anon.coders_[0].kind != "categorical":
        mid = MondrianAnonymizer(k=3, output="midpoint").fit(df).transform(fresh)
        assert mid["q"].isna().tolist() == expected


def test_value_outside_the_hierarchy_is_suppressed():
    h = {"a": ["A", "*"], "b": ["A", "*"], "c": ["C", "*"], "d": ["C", "*"]}
    df = pd.DataFrame({"e": list("abcd") * 5, "x": np.arange(20)})
    anon = MondrianAnonymizer(k=2, hierarchies={"e": h}).fit(df)
    out = anon.transform(pd.DataFrame({"e": ["a", "zz", None, 3], "x": [1, 2, 3, 4]}, dtype=object))
    assert out["e"].astype(str).tolist()[1:] == [SUPPRESSED] * 3
    assert out["e"].astype(str).iloc[0] != SUPPRESSED


# -- 12.10: hierarchy and a missing value -------------------------------------------
@pytest.mark.parametrize("n_missing", [1, 3, 8])
def test_hierarchy_with_missing_values(n_missing):
    # regression: "zero-size array to reduction operation maximum" in fit
    h = {"Bachelors": ["Undergrad", "Higher"], "Masters": ["Graduate", "Higher"],
         "Doctorate": ["Graduate", "Higher"], "HS-grad": ["School", "Basic"],
         "11th": ["School", "Basic"]}
    rng = np.random.default_rng(n_missing)
    df = pd.DataFrame({"edu": rng.choice(list(h), 60).astype(object), "age": rng.integers(20, 60, 60)})
    df.loc[rng.choice(60, n_missing, replace=False), "edu"] = None
    anon = MondrianAnonymizer(k=4, hierarchies={"edu": h})
    out = anon.fit_transform(df)
    assert k_anonymity(out, ["edu", "age"]) >= 4
    edu = out["edu"].astype(str)
    assert (edu[df["edu"].isna()] == SUPPRESSED).all()  # missing: never a node label
    # the same rows at transform: same output; a new missing value is suppressed
    pd.testing.assert_frame_equal(anon.transform(df), out)
    one = anon.transform(pd.DataFrame({"edu": [None], "age": [30]}, dtype=object))
    assert one["edu"].astype(str).iloc[0] == SUPPRESSED
    nodes = {"Undergrad", "Graduate", "School", "Higher", "Basic", *h}
    for label in set(edu) - {SUPPRESSED}:
        assert set(label.strip("{}").split(", ")) <= nodes, label


# -- 12.1: quasi-identifiers by position ---------------------------------------------
def test_quasi_identifiers_by_position_are_names_after_fit():
    df = make_table(120)
    by_name = MondrianAnonymizer(k=5, quasi_identifiers=["age", "sex"], sensitive="disease",
                                 l=2).fit(df)
    by_pos = MondrianAnonymizer(k=5, quasi_identifiers=[0, 2], sensitive=4, l=2).fit(df)
    assert by_pos.quasi_identifiers_ == ["age", "sex"] and by_pos.sensitive_ == "disease"
    pd.testing.assert_frame_equal(by_pos.transform(df), by_name.transform(df))
    assert by_pos.get_params()["quasi_identifiers"] == [0, 2]  # the parameter is kept verbatim
    # a single position, a negative one
    one = MondrianAnonymizer(k=5, quasi_identifiers=-2, sensitive="disease").fit(df)
    assert one.quasi_identifiers_ == ["city"]
    with pytest.raises(ValueError, match="Quasi-identifier 9 is not in the input"):
        MondrianAnonymizer(k=5, quasi_identifiers=[9]).fit(df)


# -- property test over mixed dtypes ----------------------------------------------------
def _mixed_frame(rng, n, secret=None):
    days = rng.integers(-200_000, 300_000, n)  # about 1422 to 2791: beyond the ns range
    frame = pd.DataFrame({
        "num": rng.integers(0, 8, n).astype(float),
        "nint": pd.array(rng.integers(0, 5, n), dtype="Int64"),
        "cat": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        "text": pd.Series(rng.choice(["x", "y", "z", "w"], n), dtype="str"),
        "flag": rng.random(n) < 0.5,
        "far": (np.datetime64("1970-01-01", "D") + days).astype("datetime64[s]"),
        "day": pd.Series([_dt.date(2000, 1, 1) + _dt.timedelta(int(d)) for d in
                          rng.integers(0, 3000, n)], dtype=object),
    })
    miss = rng.random(n) < 0.1
    frame.loc[miss, "num"] = np.nan
    frame.loc[rng.random(n) < 0.1, "nint"] = pd.NA
    if secret is not None:  # a planted value of the wrong kind in every column
        frame = frame.astype(object)
        for col in frame.columns:
            frame.loc[rng.integers(0, n), col] = secret
    return frame


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 40), k_frac=st.floats(0.0, 1.0), seed=st.integers(0, 10_000),
       precision=st.sampled_from([None, 2]), output=st.sampled_from(["interval", "midpoint"]))
def test_property_mixed_dtypes(n, k_frac, seed, precision, output):
    rng = np.random.default_rng(seed)
    df = _mixed_frame(rng, n)
    df.index = rng.permutation(n) + 100  # a shuffled index must be kept as is
    k = max(1, int(round(k_frac * n)))
    anon = MondrianAnonymizer(k=k, precision=precision, output=output)
    out = anon.fit_transform(df)
    # (a) rows and order kept
    assert out.index.equals(df.index) and list(out.columns) == list(df.columns)
    # (b) k-anonymous on the training data
    assert k_anonymity(out, list(df.columns)) >= k
    # (c) new data (with values of the wrong kind and a planted value in every
    # column): only fitted labels or the suppression marker
    new = _mixed_frame(rng, 15, secret=SECRET)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            labels = MondrianAnonymizer(k=k, precision=precision).fit(df)
            out_new = labels.transform(new)
        except (ValueError, TypeError) as exc:  # (d) an error never shows the value
            assert SECRET not in str(exc)
            raise
    # (d) fitting on the planted values, with the columns declared numbers/dates
    with warnings.catch_warnings(record=True) as caught_fit:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="neither") as info:
            MondrianAnonymizer(k=1, categorical=["cat", "text", "flag"]).fit(new)
    assert SECRET not in str(info.value)
    assert not any(SECRET in str(w.message) for w in caught + caught_fit)
    for col in df.columns:
        allowed = set(labels.regions_[col].astype(str)) | {SUPPRESSED}
        assert set(out_new[col].astype(str)) <= allowed, col
        assert not out_new[col].astype(str).str.contains(SECRET).any()


def test_boolean_k_is_refused():
    # k=True would silently be k=1 (no anonymity at all)
    with pytest.raises(TypeError, match="k must be an int"):
        MondrianAnonymizer(k=True).fit(make_table(20))
