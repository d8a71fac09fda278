"""Tests of the generalization transformers (sklearn_anon.generalize, _hierarchy)."""

import datetime
import ipaddress
import pickle
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_anon import (
    DateGeneralizer,
    HierarchyGeneralizer,
    IntervalGeneralizer,
    PrefixGeneralizer,
    RareCategoryGrouper,
    TopBottomCoder,
)
from sklearn_anon._hierarchy import Hierarchy, load_hierarchy

SECRET = "SECRET-4242-XYZ"
INCOME_EDGES = [0, 9000, 25000, 51000, 115000, 500000, np.inf]
INCOME_LABELS = ["Destitute", "Poor", "Working", "Middle", "Affluent", "Rich"]


def _as_list(series):
    return series.astype(object).tolist()


def _expected_cut(values, bins, labels=None, right=True, include_lowest=False):
    ref = pd.cut(values, bins=bins, labels=labels, right=right, include_lowest=include_lowest)
    return pd.Series(ref).astype(object).where(pd.Series(ref).notna(), "*")


# -- IntervalGeneralizer: income classes and age bands ---------------------------------
def _incomes(n, seed):
    rng = np.random.default_rng(seed)
    x = np.round(rng.lognormal(10.5, 1.2, n))
    # exact edges, negatives, NaN: the boundary cases of a left-closed cut
    x[:7] = [0, 9000, 25000, 51000, 115000, 500000, -1]
    x[7:20] = np.nan
    return x


def test_income_six_classes_equal_pd_cut_left_closed():
    income = _incomes(20_000, 0)
    X = pd.DataFrame({"income": income})
    gen = IntervalGeneralizer(bins=INCOME_EDGES, labels=INCOME_LABELS, right=False)
    out = gen.fit_transform(X)["income"]
    expected = _expected_cut(income, INCOME_EDGES, INCOME_LABELS, right=False)
    assert _as_list(out) == expected.tolist()
    assert out.iloc[1] == "Poor" and out.iloc[5] == "Rich" and out.iloc[6] == "*"
    assert set(out.cat.categories) == {*INCOME_LABELS, "*"}


def test_income_classes_on_make_customers():
    from sklearn_anon import datasets

    make_customers = getattr(datasets, "make_customers", None)
    if make_customers is None:
        pytest.skip("make_customers not available yet")
    df = make_customers(5000, random_state=0)
    gen = IntervalGeneralizer(bins=INCOME_EDGES, labels=INCOME_LABELS, right=False,
                              columns=["income"])
    out = gen.fit_transform(df[["income"]])["income"]
    expected = _expected_cut(df["income"].to_numpy(dtype=float), INCOME_EDGES, INCOME_LABELS, right=False)
    assert _as_list(out) == expected.tolist()


@settings(max_examples=60, deadline=None)
@given(
    edges=st.lists(st.integers(-1000, 1000), min_size=2, max_size=8, unique=True).map(sorted),
    values=st.lists(
        st.one_of(st.integers(-1200, 1200).map(float), st.floats(-1200, 1200), st.just(np.nan)),
        min_size=1,
        max_size=60,
    ),
    right=st.booleans(),
    include_lowest=st.booleans(),
)
def test_interval_generalizer_equals_pd_cut(edges, values, right, include_lowest):
    values = np.asarray(values, dtype=float)
    gen = IntervalGeneralizer(bins=edges, right=right, include_lowest=include_lowest)
    out = gen.fit_transform(pd.DataFrame({"v": values}))["v"]
    labels = gen.labels_["v"]
    expected = _expected_cut(values, edges, labels, right=right, include_lowest=include_lowest)
    assert _as_list(out) == expected.tolist()


def test_ages_outside_20_64_suppressed_bands_kept():
    ages = np.arange(0, 101)
    bands = ["20-34", "35-44", "45-54", "55-64"]
    gen = IntervalGeneralizer(bins=[20, 35, 45, 55, 65], labels=bands, right=False)
    out = _as_list(gen.fit_transform(pd.DataFrame({"age": ages}))["age"])
    for age, label in zip(ages, out):
        if age < 20 or age > 64:
            assert label == "*"
        else:
            lo, hi = map(int, label.split("-"))
            assert lo <= age <= hi
    assert {label for label in out} == {*bands, "*"}


def test_ages_bands_from_birthdates_date_generalizer():
    rng = np.random.default_rng(1)
    ref = datetime.date(2024, 6, 15)
    birth = pd.Series(pd.to_datetime("1930-01-01") + pd.to_timedelta(rng.integers(0, 34000, 3000), "D"))
    birth[:3] = pd.to_datetime(["2004-06-15", "2004-06-16", "1959-06-16"])  # birthday edges
    gen = DateGeneralizer(unit="age", reference_date=ref, bins=[20, 35, 45, 55, 65])
    out = _as_list(gen.fit_transform(birth.to_frame("b"))["b"])
    for b, label in zip(birth.dt.date, out):
        age = ref.year - b.year - ((ref.month, ref.day) < (b.month, b.day))
        if 20 <= age <= 64:
            lo, hi = map(int, label.split("-"))
            assert lo <= age <= hi
        else:
            assert label == "*"
    assert out[:3] == ["20-34", "*", "55-64"]  # 20 today; 19 until tomorrow; 65 tomorrow


# -- ZIP -> ZIP3 -> OTHER ---------------------------------------------------------------
def _zips(n, seed):
    rng = np.random.default_rng(seed)
    common = rng.integers(0, 99999, 30)
    rare = rng.integers(0, 99999, 400)
    zips = np.where(rng.random(n) < 0.8, rng.choice(common, n), rng.choice(rare, n))
    zips[:4] = [582, 501, 2139, 90210]  # lost leading zeros
    return zips


def test_zip_to_zip3_rare_groups_become_other():
    zips = _zips(6000, 2)
    X = pd.DataFrame({"zipcode": zips})
    pipe = Pipeline(
        [("zip3", PrefixGeneralizer(n=3, width=5)), ("rare", RareCategoryGrouper(min_count=10))]
    )
    out = pipe.fit_transform(X)["zipcode"]
    zip3 = pd.Series([f"{z:05d}"[:3] for z in zips])
    counts = zip3.value_counts()
    expected = zip3.where(zip3.map(counts) >= 10, "OTHER")
    assert _as_list(out) == expected.tolist()
    assert out.iloc[0] == "005" or out.iloc[0] == "OTHER"
    kept = out[out != "OTHER"].value_counts()
    assert (kept[kept > 0] >= 10).all()  # every released ZIP3 group has >= k rows
    assert (counts[counts < 10].sum()) == (out == "OTHER").sum()
    # new data: an unseen ZIP3 is grouped, never shown
    new = pipe.transform(pd.DataFrame({"zipcode": [99999 if "999" not in kept.index else 12, np.nan]}))
    assert _as_list(new["zipcode"]) == ["OTHER", "*"]


def test_zip_pipeline_in_column_transformer_with_strings():
    zips = pd.Series([f"{z:05d}" for z in _zips(3000, 3)], dtype="str")
    X = pd.DataFrame({"zip": zips, "other": np.arange(3000)})
    ct = ColumnTransformer(
        [("zip", make_pipeline(PrefixGeneralizer(n=3), RareCategoryGrouper(min_count=10)), ["zip"])],
        remainder="passthrough",
    ).set_output(transform="pandas")
    out = ct.fit_transform(X)
    assert isinstance(out["zip__zip"].dtype, pd.CategoricalDtype)
    assert (out["remainder__other"] == X["other"]).all()


# -- DateGeneralizer ---------------------------------------------------------------------
def test_date_year_month_decade_match_pandas():
    rng = np.random.default_rng(4)
    dates = pd.Series(pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, 25000, 2000), "D"))
    dates[5] = pd.NaT
    X = dates.to_frame("d")
    valid = dates.notna()
    year = _as_list(DateGeneralizer(unit="year").fit_transform(X)["d"])
    month = _as_list(DateGeneralizer(unit="month").fit_transform(X)["d"])
    decade = _as_list(DateGeneralizer(unit="decade").fit_transform(X)["d"])
    assert [y for y, v in zip(year, valid) if v] == dates[valid].dt.year.astype(str).tolist()
    assert [m for m, v in zip(month, valid) if v] == dates[valid].dt.strftime("%Y-%m").tolist()
    assert [d for d, v in zip(decade, valid) if v] == (
        (dates[valid].dt.year // 10 * 10).astype(str) + "s"
    ).tolist()
    assert year[5] == month[5] == decade[5] == "*"
    # the same dates as strings, as python dates, and tz-aware give the same years
    for variant in (
        dates.dt.strftime("%Y-%m-%d"),
        pd.Series(dates.dt.date.astype(object)),
        dates.dt.tz_localize("Europe/Oslo"),
    ):
        out = _as_list(DateGeneralizer(unit="year").fit_transform(variant.to_frame("d"))["d"])
        assert out == year


def test_date_span_categories_fixed_and_outside_coded():
    X = pd.DataFrame({"d": ["1990-05-01", "1992-01-01"]})
    gen = DateGeneralizer(unit="year").fit(X)
    assert gen.categories_["d"] == ["< 1990", "1990", "1991", "1992", "> 1992", "*"]
    new = gen.transform(pd.DataFrame({"d": ["1985-01-01", "1991-03-03", "2030-01-01", "garbage"]}))
    assert _as_list(new["d"]) == ["< 1990", "1991", "> 1992", "*"]
    assert list(new["d"].cat.categories) == gen.categories_["d"]


def test_date_unparseable_is_suppressed_without_leak():
    X = pd.DataFrame({"d": ["2001-02-03", SECRET, None, "2001-13-45"]})
    out = DateGeneralizer(unit="year", format="%Y-%m-%d").fit_transform(X)["d"]
    assert _as_list(out) == ["2001", "*", "*", "*"]


def test_date_epoch_seconds_and_reference_default():
    ts = pd.Timestamp("2020-07-01 12:00").timestamp()
    out = DateGeneralizer(unit="month").fit_transform(pd.DataFrame({"t": [ts, np.nan, np.inf]}))
    assert _as_list(out["t"]) == ["2020-07", "*", "*"]
    gen = DateGeneralizer(unit="age").fit(pd.DataFrame({"b": ["1990-01-01"]}))
    assert gen.reference_date_ == pd.Timestamp.today().normalize()


# -- PrefixGeneralizer --------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3])
def test_ipv4_prefixes_match_ipaddress(n):
    rng = np.random.default_rng(n)
    ints = rng.integers(0, 2**32, 500)
    ips = [str(ipaddress.IPv4Address(int(i))) for i in ints]
    ips += ["256.1.1.1", "1.2.3", SECRET, None]
    out = _as_list(PrefixGeneralizer(mode="ipv4", n=n).fit_transform(pd.DataFrame({"ip": ips}))["ip"])
    expected = [str(ipaddress.ip_network(f"{ip}/{8 * n}", strict=False)) for ip in ips[:500]]
    assert out[:500] == expected
    assert out[500:] == ["*"] * 4
    # integer addresses give the same networks
    out_int = PrefixGeneralizer(mode="ipv4", n=n).fit_transform(pd.DataFrame({"ip": ints}))["ip"]
    assert _as_list(out_int) == expected


def test_prefix_width_short_and_invalid_values():
    X = pd.DataFrame({"z": [582, 2139.0, 123456, 7, np.nan, 94110]})
    out = PrefixGeneralizer(n=3, width=5).fit_transform(X)["z"]
    assert _as_list(out) == ["005", "021", "*", "000", "*", "941"]
    # without width, a value not longer than n would pass whole: suppressed
    out = PrefixGeneralizer(n=3).fit_transform(pd.DataFrame({"s": ["abcd", "abc", "ab", ""]}))["s"]
    assert _as_list(out) == ["abc", "*", "*", "*"]


def test_prefix_unseen_keep_or_suppress():
    train = pd.DataFrame({"z": ["12345", "12399", "54321"]})
    new = pd.DataFrame({"z": ["99999", "12300"]})
    keep = PrefixGeneralizer(unseen="keep").fit(train).transform(new)["z"]
    assert _as_list(keep) == ["999", "123"]
    assert list(keep.cat.categories) == ["123", "543", "999", "*"]
    sup = PrefixGeneralizer().fit(train).transform(new)["z"]  # the default fails closed
    assert _as_list(sup) == ["*", "123"]
    assert list(sup.cat.categories) == ["123", "543", "*"]


# -- RareCategoryGrouper -------------------------------------------------------------------
def test_rare_grouper_counts_frequency_nan_and_unseen():
    X = pd.DataFrame({"c": ["a"] * 50 + ["b"] * 30 + ["c"] * 15 + ["d"] * 5 + [None] * 2})
    g = RareCategoryGrouper(min_count=10).fit(X)
    assert g.categories_["c"] == ["a", "b", "c"]
    g2 = RareCategoryGrouper(min_count=1, min_frequency=0.2).fit(X)
    assert g2.categories_["c"] == ["a", "b"]
    out = g.transform(pd.DataFrame({"c": ["a", "d", "zzz", None, "*"]}))["c"]
    assert _as_list(out) == ["a", "OTHER", "OTHER", "*", "*"]
    assert list(out.cat.categories) == ["a", "b", "c", "OTHER", "*"]


def test_rare_grouper_numeric_and_categorical_inputs_agree():
    values = np.repeat([582, 10001, 7], [12, 11, 2])
    as_int = RareCategoryGrouper(min_count=10).fit_transform(pd.DataFrame({"z": values}))["z"]
    as_str = RareCategoryGrouper(min_count=10).fit_transform(
        pd.DataFrame({"z": pd.Categorical(values.astype(str))})
    )["z"]
    as_float = RareCategoryGrouper(min_count=10).fit_transform(pd.DataFrame({"z": values.astype(float)}))["z"]
    assert _as_list(as_int) == _as_list(as_str) == _as_list(as_float)
    assert _as_list(as_int)[:1] == ["582"] and _as_list(as_int)[-1] == "OTHER"


# -- Hierarchy and HierarchyGeneralizer -------------------------------------------------------
def _adult_hierarchies(adult_dir):
    return {
        p.stem.replace("adult_hierarchy_", ""): p
        for p in sorted(Path(adult_dir).glob("adult_hierarchy_*.csv"))
    }


def test_adult_hierarchy_generalizer_reproduces_table_at_every_level(adult_dir):
    adult = pd.read_csv(Path(adult_dir) / "adult.csv", sep=";")
    paths = _adult_hierarchies(adult_dir)
    assert len(paths) == 9
    for col, path in paths.items():
        table = pd.read_csv(path, sep=";", header=None, dtype=str, keep_default_na=False)
        data = adult[[col]]
        for level in range(table.shape[1]):
            gen = HierarchyGeneralizer(hierarchies={col: str(path)}, levels={col: level})
            out = gen.fit_transform(data)[col]
            mapping = dict(zip(table[0], table[level]))
            expected = data[col].astype(str).map(mapping)
            assert expected.notna().all()
            assert _as_list(out) == expected.tolist(), (col, level)


def test_hierarchy_numeric_keys_and_sources_agree():
    rows = [[str(a), f"{a // 10 * 10}s", "*"] for a in range(1, 101)]
    frame = pd.DataFrame(rows)
    as_dict = {r[0]: r[1:] for r in rows}
    ages = pd.Series([39, 1, 100, 0, 101, np.nan])
    for spec in (frame, as_dict, Hierarchy.from_frame(frame)):
        h = load_hierarchy(spec)
        assert list(h.generalize(ages, 1)) == ["30s", "0s", "100s", "*", "*", "*"]
        # strings match the keys exactly
        assert list(h.generalize(pd.Series(["39", "1", "39.0"]), 1)) == ["30s", "0s", "*"]
    h = load_hierarchy(frame)
    assert list(h.leaf_codes(np.array([39.5, 39.0, -3.0]))) == [-1, 38, -1]
    assert list(h.leaf_codes(pd.Series([39, None], dtype="Int64"))) == [38, -1]
    assert h.n_levels == 3 and h.height == 2
    assert h.leaf_counts(1)["30s"] == 10 and h.ncp(2)["*"] == 1.0
    assert sorted(h.leaves_under(1)["90s"]) == sorted(str(a) for a in range(90, 100))
    assert h.children(1, "30s") == [str(a) for a in range(30, 40)]
    assert h.ancestors(39) == ["39", "30s", "*"]


def test_hierarchy_csv_roundtrip(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("a;x;*\nb;x;*\nc;y;*\n")
    h = load_hierarchy(path)
    assert h == load_hierarchy({"a": ["x", "*"], "b": ["x", "*"], "c": ["y", "*"]})
    assert h.nodes(1) == ["x", "y"]


def test_hierarchy_not_a_tree_or_duplicate_rejected():
    with pytest.raises(ValueError, match="not a tree"):
        load_hierarchy({"a": ["x", "P"], "b": ["x", "Q"]})
    with pytest.raises(ValueError, match="more than once"):
        load_hierarchy(pd.DataFrame([["a", "x"], ["a", "y"]]))



def test_hierarchy_missing_label_rejected_not_written_as_text():
    # regression: from_dict wrote None as the label "None", and from_frame
    # (pandas 2) wrote NaN as "nan", instead of rejecting the empty cell
    with pytest.raises(ValueError, match="empty cells"):
        load_hierarchy({"a": ["ab", None], "b": ["cd", "*"]})
    with pytest.raises(ValueError, match="empty cells"):
        load_hierarchy(pd.DataFrame([["a", "ab", None], ["b", "cd", "*"]], dtype=object))
    with pytest.raises(ValueError, match="empty cells"):
        load_hierarchy(pd.DataFrame({0: ["a", "b"], 1: ["ab", np.nan]}))
    # numbers as keys and labels still work (written as text)
    h = load_hierarchy({1: ["0-4"], 7: ["5-9"]})
    assert list(h.generalize([7, 1.0, 3], 1)) == ["5-9", "0-4", "*"]

def test_column_transformer_grid_search_n_jobs_2_and_joblib(tmp_path):
    rng = np.random.default_rng(5)
    n = 600
    age = rng.integers(18, 90, n)
    X = pd.DataFrame(
        {
            "age": age,
            "income": np.round(rng.lognormal(10.5, 1.0, n)),
            "zipcode": rng.choice([2139, 582, 94110, 10001, 60601], n),
            "birthdate": pd.Timestamp("2024-01-01") - pd.to_timedelta(age * 365.25, "D"),
        }
    )
    y = (age > 45).astype(int)
    hier = pd.DataFrame([[str(a), f"{a // 5 * 5}", f"{a // 20 * 20}", "*"] for a in range(0, 100)])
    ct = ColumnTransformer(
        [
            ("age", HierarchyGeneralizer(hierarchies={"age": hier}), ["age"]),
            ("income", IntervalGeneralizer(bins=INCOME_EDGES, labels=INCOME_LABELS, right=False), ["income"]),
            ("zip", make_pipeline(PrefixGeneralizer(n=3, width=5), RareCategoryGrouper(min_count=10)), ["zipcode"]),
            ("birth", DateGeneralizer(unit="decade"), ["birthdate"]),
        ]
    ).set_output(transform="pandas")
    pipe = Pipeline(
        [("anon", ct), ("ohe", OneHotEncoder(handle_unknown="ignore")), ("clf", LogisticRegression())]
    )
    search = GridSearchCV(pipe, {"anon__age__levels": [1, 2, 3]}, cv=2, n_jobs=2).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    top = clone(ct).set_params(age__levels=3).fit(X)
    assert set(top.transform(X)["age__age"]) == {"*"}  # level 3 is full suppression
    released = search.best_estimator_["anon"].transform(X)
    assert all(isinstance(released[c].dtype, pd.CategoricalDtype) for c in released.columns)
    path = tmp_path / "pipe.joblib"
    joblib.dump(search.best_estimator_, path)
    loaded = joblib.load(path)
    assert (loaded.predict(X) == search.best_estimator_.predict(X)).all()
    assert loaded["anon"].transform(X).equals(released)


# -- bad input: clear errors, no cell value in any message --------------------------------------
def _data_with_secret():
    return pd.DataFrame(
        {
            "num": [1.0, 2.0, np.nan, 4.0],
            "txt": ["a", SECRET, "b", None],
            "date": ["2001-01-01", SECRET, "2002-02-02", None],
        }
    )


BAD_CASES = [
    (IntervalGeneralizer(bins=[0, 1, 2], columns=["nope"]), ValueError, "Unknown column"),
    (IntervalGeneralizer(bins=[0, 1, 2], columns=["txt"]), TypeError, "numeric"),
    (IntervalGeneralizer(bins=[0, 2, 1], columns=["num"]), ValueError, "strictly increasing"),
    (IntervalGeneralizer(bins=[0, 1, 2], labels=["x"], columns=["num"]), ValueError, "one entry per bin"),
    (TopBottomCoder(columns=["txt"]), TypeError, "numeric"),
    (DateGeneralizer(unit="age", bins=[3, 1], columns=["date"]), ValueError, "strictly increasing"),
    (DateGeneralizer(unit="age", bins=[1, 2, 3], labels=["a"], columns=["date"]), ValueError, "one entry"),
    (DateGeneralizer(unit="age", reference_date=SECRET, columns=["date"]), ValueError, "reference_date"),
    (DateGeneralizer(columns=["txt"]), ValueError, "no parseable date"),
    (PrefixGeneralizer(mode="ipv4", n=4, columns=["txt"]), ValueError, "octets"),
    (RareCategoryGrouper(other_label="*", columns=["txt"]), ValueError, "suppression marker"),
    (HierarchyGeneralizer(hierarchies={"nope": {"a": ["*"]}}), ValueError, "Unknown column"),
    (HierarchyGeneralizer(hierarchies={}), ValueError, "empty"),
    (HierarchyGeneralizer(hierarchies={"txt": {"a": ["*"]}}, columns=["num"]), ValueError, "No hierarchy"),
    (HierarchyGeneralizer(hierarchies={"txt": {"a": ["*"]}}, levels=5), ValueError, "above the top level"),
    (HierarchyGeneralizer(hierarchies={"txt": "/no/such/file.csv"}), ValueError, "not found"),
    (HierarchyGeneralizer(hierarchies={"txt": {SECRET: ["x", "P"], "b": ["x", "Q"]}}), ValueError, "not a tree"),
]


@pytest.mark.parametrize("est, exc, match", BAD_CASES, ids=lambda v: type(v).__name__ if hasattr(v, "fit") else None)
def test_bad_input_clear_error_without_cell_value(est, exc, match):
    X = _data_with_secret()
    with pytest.raises(exc, match=match) as info:
        est.fit_transform(X)
    assert SECRET not in str(info.value)
    assert "SECRET" not in repr(info.value)


def test_wrong_dtype_at_transform_and_feature_mismatch_hide_values():
    gen = IntervalGeneralizer(bins=[0, 5]).fit(pd.DataFrame({"num": [1.0]}))
    with pytest.raises(TypeError) as info:
        gen.transform(pd.DataFrame({"num": [SECRET]}))
    assert SECRET not in str(info.value) and "'num'" in str(info.value)
    with pytest.raises(ValueError):
        gen.transform(pd.DataFrame({"other": [1.0]}))


def test_nan_and_unseen_documented_suppression():
    X = _data_with_secret()
    out_num = IntervalGeneralizer(bins=[0, 2, 5], columns=["num"]).fit_transform(X)["num"]
    assert _as_list(out_num) == ["(0, 2]", "(0, 2]", "*", "(2, 5]"]
    h = HierarchyGeneralizer(hierarchies={"txt": {"a": ["A", "*"], "b": ["B", "*"]}}).fit(X)
    out = h.transform(X)["txt"]
    assert _as_list(out) == ["A", "*", "B", "*"]
    assert SECRET not in list(out.cat.categories)
    for est in (PrefixGeneralizer(n=1, columns=["txt"]), RareCategoryGrouper(min_count=1, columns=["txt"])):
        fitted = est.fit(X)
        new = fitted.transform(X.assign(txt=["zz" + SECRET, None, "q", "a"]))["txt"]
        assert not any(SECRET in str(v) for v in new)


def test_pickle_roundtrip_all():
    X = pd.DataFrame({"zip": [2139, 582, 94110] * 5, "d": ["2001-02-03"] * 15})
    for est in (
        PrefixGeneralizer(width=5, columns=["zip"]),
        RareCategoryGrouper(min_count=2, columns=["zip"]),
        DateGeneralizer(columns=["d"]),
        HierarchyGeneralizer(hierarchies={"zip": {"582": ["0xxxx", "*"], "2139": ["0xxxx", "*"]}}),
    ):
        est.fit(X)
        clone = pickle.loads(pickle.dumps(est))
        assert clone.transform(X).equals(est.transform(X))


@pytest.mark.parametrize("cls", [DateGeneralizer, HierarchyGeneralizer, IntervalGeneralizer,
                                 PrefixGeneralizer, RareCategoryGrouper, TopBottomCoder])
def test_pickle_from_before_the_package_loads(cls, monkeypatch):
    # before issue 14.1 every generalizer lived in the module sklearn_anon/generalize.py, so a
    # pickle names the class sklearn_anon.generalize.<name>: the package must still resolve it
    X = pd.DataFrame({"zip": [2139, 582, 94110] * 5, "d": ["2001-02-03"] * 15})
    est = {
        DateGeneralizer: DateGeneralizer(columns=["d"]),
        HierarchyGeneralizer: HierarchyGeneralizer(hierarchies={"zip": {"582": ["0xxxx", "*"]}}),
        IntervalGeneralizer: IntervalGeneralizer(columns=["zip"]),
        PrefixGeneralizer: PrefixGeneralizer(width=5, columns=["zip"]),
        RareCategoryGrouper: RareCategoryGrouper(min_count=2, columns=["zip"]),
        TopBottomCoder: TopBottomCoder(columns=["zip"]),
    }[cls].fit(X)
    monkeypatch.setattr(cls, "__module__", "sklearn_anon.generalize")
    old = pickle.dumps(est, protocol=2)
    monkeypatch.undo()
    assert f"csklearn_anon.generalize\n{cls.__name__}\n".encode() in old
    assert b"sklearn_anon.generalize._" not in old  # fitted state: plain data only
    clone = pickle.loads(old)
    assert type(clone) is cls
    assert clone.transform(X).equals(est.transform(X))


def test_hierarchy_generalizer_ndarray_positions():
    X = np.array([["a", 1], ["b", 2]], dtype=object)
    gen = HierarchyGeneralizer(hierarchies={0: {"a": ["x"], "b": ["y"]}}, levels=1)
    out = gen.fit_transform(X)
    assert out[:, 0].tolist() == ["x", "y"] and out[:, 1].tolist() == [1, 2]


@settings(max_examples=80, deadline=None)
@given(
    texts=st.lists(
        st.one_of(st.text(alphabet="0123456789 -a\u00e9", max_size=8), st.none()), min_size=1, max_size=40
    ),
    n=st.integers(1, 5),
    width=st.one_of(st.none(), st.integers(1, 7)),
)
def test_prefix_fast_paths_agree_with_general_path(texts, n, width):
    # Arrow-backed strings (byte-level fast path) == object strings (general path)
    est = PrefixGeneralizer(n=n, width=width)
    fast = est.fit_transform(pd.DataFrame({"z": pd.Series(texts, dtype="str")}))["z"]
    slow = est.fit_transform(pd.DataFrame({"z": pd.Series(texts, dtype=object)}))["z"]
    assert _as_list(fast) == _as_list(slow)


@settings(max_examples=60, deadline=None)
@given(
    ints=st.lists(st.integers(0, 10**9), min_size=1, max_size=40),
    n=st.integers(1, 5),
    width=st.one_of(st.none(), st.integers(1, 10)),
)
def test_prefix_integer_path_equals_string_path(ints, n, width):
    est = PrefixGeneralizer(n=n, width=width)
    as_int = est.fit_transform(pd.DataFrame({"z": np.array(ints, dtype=np.int64)}))["z"]
    as_str = est.fit_transform(pd.DataFrame({"z": pd.Series([str(i) for i in ints], dtype=object)}))["z"]
    assert _as_list(as_int) == _as_list(as_str)


def test_bytes_values_labelled_by_their_text():
    # regression: bytes were labelled by their repr ("b'02139'" -> prefix "b'0")
    X = pd.DataFrame({"zip": pd.Series([b"02139", "02144", b"94110", None], dtype=object)})
    out = PrefixGeneralizer(n=3).fit_transform(X)["zip"].tolist()
    assert out == ["021", "021", "941", "*"]
    grouped = RareCategoryGrouper(min_count=2).fit_transform(
        pd.DataFrame({"c": pd.Series([b"x", "x", b"\xff", "y"], dtype=object)}))["c"].tolist()
    assert grouped == ["x", "x", "OTHER", "OTHER"]


@pytest.mark.parametrize("dtype", ["float32", "float64", "Float64"])
def test_top_bottom_coder_keeps_float_dtype(dtype):
    # regression: float32 / Float64 columns came out float64
    X = pd.DataFrame({"debt": pd.Series([1.0, 2.0, None, 1000.0], dtype=dtype)})
    out = TopBottomCoder(upper=10).fit_transform(X)["debt"]
    assert out.dtype == X["debt"].dtype
    assert out.iloc[[0, 1, 3]].tolist() == [1.0, 2.0, 10.0]
    assert pd.isna(out.iloc[2])


# -- issue 12.10: numeric columns against text hierarchies, text UTF-8 cannot carry --
def test_numeric_column_with_text_only_hierarchy_is_a_clear_error():
    # regression: IndexError (index 0 is out of bounds) from the numeric key lookup
    text_only = {"low": ["L", "*"], "high": ["H", "*"]}
    for column in (pd.Series([1, 2, 3]), pd.Series([1.5, np.nan, 3.0]), pd.Series([1, None], dtype="Int64"),
                   pd.Series(pd.Categorical([1, 2, 1]))):
        X = pd.DataFrame({"score": column})
        with pytest.raises(ValueError, match="column 'score' is numeric, but no value of its hierarchy") as exc:
            HierarchyGeneralizer({"score": text_only}).fit(X)
        assert "low" not in str(exc.value) and "1.5" not in str(exc.value)
    # the hierarchy object itself suppresses numbers it cannot hold (no IndexError)
    h = load_hierarchy(text_only)
    assert list(h.generalize(np.array([1, 2]), 1)) == ["*", "*"]
    assert list(h.generalize(pd.Series([1.0, 2.5]), 1)) == ["*", "*"]
    assert list(h.generalize(pd.Series([1, "low", 2.5], dtype=object), 1)) == ["*", "L", "*"]
    # numeric keys given as text match numbers by value; a string column matches them as text
    numeric = {"1": ["low", "*"], "2": ["low", "*"], "10": ["high", "*"]}
    gen = HierarchyGeneralizer({"n": numeric, "s": numeric})
    out = gen.fit_transform(pd.DataFrame({"n": [1, 2, 10, 3], "s": ["1", "2.0", "10", "3"]}))
    assert _as_list(out["n"]) == ["low", "low", "high", "*"]
    assert _as_list(out["s"]) == ["low", "*", "high", "*"]
    # fitted on text, given numbers at transform: suppressed, never an IndexError
    fitted = HierarchyGeneralizer({"c": text_only}).fit(pd.DataFrame({"c": ["low", "high"]}))
    assert _as_list(fitted.transform(pd.DataFrame({"c": [1, 2]}))["c"]) == ["*", "*"]


def test_hierarchy_labels_with_lone_surrogates_and_bad_csv(tmp_path):
    h = load_hierarchy({"a\ud800": ["x\udc00", "*"], "b": ["y", "*"], "c": ["y", "*"]})
    assert list(h.generalize(pd.Series(["a\ud800", "b", "\ud800", None], dtype=object), 1)) == ["x\udc00", "y", "*", "*"]
    assert list(h.generalize(["a\ud800", "zz"], 1)) == ["x\udc00", "*"]
    assert h.children(1, "x\udc00") == ["a\ud800"]
    # the tree check works on such labels too
    with pytest.raises(ValueError, match="not a tree"):
        load_hierarchy({"a\ud800": ["x", "P"], "b": ["x", "Q"]})
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a;x;*\n\xff\xfe;y;*\n")
    with pytest.raises(ValueError, match="hierarchy file for 'zip' is not valid UTF-8") as exc:
        HierarchyGeneralizer({"zip": str(path)}).fit(pd.DataFrame({"zip": ["a"]}))
    assert "\\xff" not in str(exc.value)


def test_undecodable_bytes_keep_distinct_labels():
    # regression: b"\xff" and b"\xfe" both became "\ufffd", one category counted twice
    X = pd.DataFrame({"c": pd.Series([b"\xff"] * 3 + [b"\xfe"] * 3 + ["x"] * 4, dtype=object)})
    out = RareCategoryGrouper(min_count=4).fit_transform(X)["c"]
    assert _as_list(out) == ["OTHER"] * 6 + ["x"] * 4
    kept = RareCategoryGrouper(min_count=3).fit(X).categories_["c"]
    assert kept == ["\\xfe", "\\xff", "x"]
    # a prefix of such bytes is a prefix of the escaped text; a surrogate is not an IPv4 address
    assert _as_list(PrefixGeneralizer(n=2).fit_transform(X.iloc[[0, 3]])["c"]) == ["\\x", "\\x"]
    ips = pd.DataFrame({"ip": pd.Series(["10.1.2.3", "10.1.2.\ud800", b"\xff.1.1.1"], dtype=object)})
    assert _as_list(PrefixGeneralizer(mode="ipv4", n=2).fit_transform(ips)["ip"]) == ["10.1.0.0/16", "*", "*"]
    # a kept category holding a lone surrogate is output as such (object categories)
    s = pd.DataFrame({"c": pd.Series(["a\ud800"] * 3 + ["b"], dtype=object)})
    out = RareCategoryGrouper(min_count=2).fit_transform(s)["c"]
    assert _as_list(out) == ["a\ud800"] * 3 + ["OTHER"]


def test_date_object_column_values_parsed_by_their_type():
    # regression: a number in a text date column was read as nanoseconds since 1970
    # (a wrong "1970" bucket, whatever epoch_unit says), and one time-zone aware
    # value among naive ones failed the whole column ("Mixed timezones detected")
    X = pd.DataFrame({"d": pd.Series(
        ["2001-02-03", 1.5e9, pd.Timestamp("2020-01-01 23:00", tz="US/Eastern"),
         datetime.date(1999, 5, 6), b"2003-04-05", True, "garbage", None, "2500-01-01",
         np.datetime64("2262-05-01")], dtype=object)})
    out = DateGeneralizer(unit="year").fit_transform(X)["d"]
    assert _as_list(out) == ["2001", "2017", "2020", "1999", "2003", "*", "*", "*", "2500", "2262"]
    ms = DateGeneralizer(unit="year", epoch_unit="ms").fit_transform(X.iloc[[0, 1]])["d"]
    assert _as_list(ms) == ["2001", "1970"]  # 1.5e9 ms is in January 1970
    # strings with different UTC offsets: each parsed alone (wall time), not a column error
    offsets = pd.DataFrame({"d": ["2020-01-01T23:30+02:00", "2019-12-31T23:30-05:00", "2021-06-01"]})
    assert _as_list(DateGeneralizer(unit="year", format="ISO8601").fit_transform(offsets)["d"]) == [
        "2020", "2019", "2021"]


@pytest.mark.parametrize("kind", ["text", "text with format", "date32[pyarrow]",
                                  "timestamp[s, tz=Europe/Paris][pyarrow]"])
def test_dates_beyond_the_nanosecond_range_by_dtype(kind):
    # regression: pyarrow date/timestamp columns raised "ufunc 'isnat' is only
    # defined for np.datetime64" (any pandas); under pandas 2 text beyond
    # 1677..2262 became "*" (pandas 3 reads it) and a far tz-aware pyarrow
    # column crashed the interpreter (pandas 2 converts it through nanoseconds)
    days = ["1500-03-01", "2020-12-31", "2500-01-01", "3000-12-31", None]
    fmt = None
    if kind.startswith("text"):
        col = pd.Series(days, dtype=object)
        if kind == "text with format":
            col, fmt = col.str.replace("-", "/"), "%Y/%m/%d"
    else:
        pa = pytest.importorskip("pyarrow")
        typ = pa.date32() if kind.startswith("date32") else pa.timestamp("s", tz="Europe/Paris")
        arr = pa.array([None if d is None else datetime.date.fromisoformat(d) for d in days])
        if kind.startswith("timestamp"):  # 23:30 UTC: already the next year in Paris
            arr = pa.array([None if d is None else datetime.datetime.fromisoformat(d + "T23:30")
                            for d in days], type=pa.timestamp("s", tz="UTC")).cast(typ)
        col = pd.Series(arr, dtype=pd.ArrowDtype(arr.type))
    out = DateGeneralizer(unit="year", format=fmt).fit_transform(pd.DataFrame({"d": col}))["d"]
    years = ["1500", "2020", "2500", "3000", "*"]
    if kind.startswith("timestamp"):  # wall time, as for any time-zone aware column
        years = ["1500", "2021", "2500", "3001", "*"]
    assert _as_list(out) == years


@pytest.mark.parametrize("scale", [1e-7, 1e-300, 1e12 + 0.25])
def test_interval_labels_of_distinct_edges_are_distinct(scale):
    """Edges that read the same at ``precision`` decimals get more: every label
    names its own bin (it used to fail with pandas' duplicate-category error,
    or call two bins "[0, 0)")."""
    from sklearn_anon._labels import parse_intervals

    X = pd.DataFrame({"x": scale * np.linspace(1.0, 5.0, 50)})
    gen = IntervalGeneralizer(n_bins=4, precision=3, strategy="uniform").fit(X)
    edges = gen.bin_edges_["x"]
    labels = gen.labels_["x"]
    assert len(set(labels)) == len(labels) == len(edges) - 1
    lo, hi, *_ , ok = parse_intervals(pd.Series(labels[1:-1], dtype=object))
    assert ok.all()
    np.testing.assert_allclose(lo, edges[1:-2], rtol=1e-12)
    np.testing.assert_allclose(hi, edges[2:-1], rtol=1e-12)
    out = gen.transform(X)["x"]
    assert out.notna().all() and not (out == "*").any()
