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
    from sklearn_anon._mondrian import route

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
