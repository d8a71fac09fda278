"""Privacy-model measures (k, l, t, classes, information loss) against pycanon and by hand."""

import numpy as np
import pandas as pd
import pytest

from sklearn_anon.metrics import (
    average_class_size,
    discernibility,
    equivalence_classes,
    k_anonymity,
    l_diversity,
    ncp,
    t_closeness,
)

pycanon = pytest.importorskip("pycanon.anonymity")


@pytest.fixture
def table():
    return pd.DataFrame({
        "zip": ["476**", "476**", "476**", "479**", "479**", "479**", "479**"],
        "age": ["2*", "2*", "2*", ">=40", ">=40", ">=40", ">=40"],
        "salary": [3, 4, 5, 6, 8, 11, 11],
        "disease": ["flu", "flu", "cold", "cold", "hiv", "hiv", "flu"],
    })


def test_equivalence_classes_and_k(table):
    ids = equivalence_classes(table, ["zip", "age"])
    assert ids.tolist() == [0, 0, 0, 1, 1, 1, 1]
    assert ids.index.equals(table.index)
    assert k_anonymity(table, ["zip", "age"]) == 3
    assert k_anonymity(table, "zip") == 3
    assert discernibility(table, ["zip"]) == 9 + 16
    assert average_class_size(table, ["zip"], k=3) == pytest.approx(7 / 2 / 3)


def test_nan_is_a_value_of_its_own():
    df = pd.DataFrame({"a": ["x", np.nan, np.nan, "x"], "b": [1.0, np.nan, np.nan, 1.0]})
    assert equivalence_classes(df, ["a", "b"]).tolist() == [0, 1, 1, 0]
    assert k_anonymity(df, ["a", "b"]) == 2


def test_l_diversity_by_hand(table):
    assert l_diversity(table, ["zip"], "disease") == 2
    # class 476: flu 2/3, cold 1/3
    p = np.array([2 / 3, 1 / 3])
    expected = np.exp(-(p * np.log(p)).sum())
    assert l_diversity(table, ["zip"], "disease", kind="entropy") == pytest.approx(expected)


def test_t_closeness_by_hand(table):
    # equal distance: 476 -> flu 2/3, cold 1/3 vs whole flu 3/7, cold 2/7, hiv 2/7
    p = np.array([2, 3, 2]) / 7  # cold, flu, hiv
    q = np.array([1, 2, 0]) / 3
    assert t_closeness(table, ["zip"], "disease") == pytest.approx(0.5 * np.abs(q - p).sum())
    # forced ordered distance on a categorical column differs
    assert t_closeness(table, ["zip"], "disease", ordered=True) != pytest.approx(
        t_closeness(table, ["zip"], "disease"))


@pytest.mark.parametrize("sensitive", ["disease", "salary"])
def test_agrees_with_pycanon(table, sensitive):
    qi = ["zip", "age"]
    assert k_anonymity(table, qi) == pycanon.k_anonymity(table, qi)
    assert l_diversity(table, qi, sensitive) == pycanon.l_diversity(table, qi, [sensitive])
    assert int(l_diversity(table, qi, sensitive, kind="entropy")) == pycanon.entropy_l_diversity(
        table, qi, [sensitive])
    assert t_closeness(table, qi, sensitive) == pycanon.t_closeness(table, qi, [sensitive])


@pytest.mark.slow
def test_t_closeness_identical_to_pycanon_on_adult(adult_dir):
    df = pd.read_csv(adult_dir / "adult.csv", sep=";")
    qi = ["sex", "race", "marital-status", "workclass"]
    for sens in ["occupation", "age"]:  # categorical and numeric
        ours = t_closeness(df, qi, sens)
        theirs = pycanon.t_closeness(df, qi, [sens])
        assert ours == theirs  # to the last digit
    assert k_anonymity(df, qi) == pycanon.k_anonymity(df, qi)
    assert l_diversity(df, qi, "occupation") == pycanon.l_diversity(df, qi, ["occupation"])


def test_ncp():
    raw = pd.DataFrame({"age": [30, 35, 40, 50], "sex": ["F", "M", "F", "M"]})
    assert ncp(raw, raw) == 0.0
    anon = pd.DataFrame({"age": ["[30, 35]", "[30, 35]", "*", np.nan],
                         "sex": ["{F, M}", "F", "*", "M"]})
    total, per = ncp(raw, anon, return_per_column=True)
    assert per["age"] == pytest.approx((0.25 + 0.25 + 1 + 1) / 4)
    assert per["sex"] == pytest.approx((1 + 0 + 1 + 0) / 4)
    assert total == pytest.approx((per["age"] + per["sex"]) / 2)


def test_ncp_with_hierarchy():
    raw = pd.DataFrame({"edu": ["Bachelors", "Masters", "HS-grad", "Doctorate"]})
    h = {"Bachelors": ["Undergraduate", "Higher"], "Masters": ["Graduate", "Higher"],
         "Doctorate": ["Graduate", "Higher"], "HS-grad": ["Secondary", "Secondary"]}
    anon = pd.DataFrame({"edu": ["Higher", "Graduate", "HS-grad", "{Graduate, Undergraduate}"]})
    # Higher: 3 leaves, Graduate 2, leaf 1, set 2 + 1 -> (2, 1, 0, 2) / 3
    assert ncp(raw, anon, hierarchies={"edu": h}) == pytest.approx((2 + 1 + 0 + 2) / 3 / 4)


def test_ncp_on_date_intervals_by_hand():
    born = pd.to_datetime(["1960-01-01", "1965-06-15", "1970-05-03", "1980-01-01"])
    anon = pd.DataFrame({"born": ["[1960-01-01, 1970-05-03]"] * 3 + ["1980-01-01"]})
    # width 3,775 days (1960-01-01 .. 1970-05-03) over a 7,305-day domain; the plain date costs 0
    expected = 3 * 3775 / 7305 / 4
    assert ncp(pd.DataFrame({"born": born}), anon) == pytest.approx(expected)
    # the unit of the original's datetimes does not matter
    as_seconds = pd.DataFrame({"born": born.astype("datetime64[s]")})
    assert ncp(as_seconds, anon) == pytest.approx(expected)
    # suppression still costs 1, an open bound is clipped to the domain
    anon2 = pd.DataFrame({"born": ["*", "< 1970-05-03", "[1960-01-01, 1980-01-01]", np.nan]})
    assert ncp(pd.DataFrame({"born": born}), anon2) == pytest.approx((1 + 3775 / 7305 + 1 + 1) / 4)


def test_ncp_of_mondrian_regions_on_a_birthdate():
    from sklearn_anon import MondrianAnonymizer
    from sklearn_anon.datasets import make_customers

    raw = make_customers(300, random_state=0)[["birthdate", "sex"]]
    out = MondrianAnonymizer(k=20, quasi_identifiers=["birthdate", "sex"]).fit_transform(raw)
    _, per = ncp(raw, out, return_per_column=True)
    # by hand: parse each region's dates, width / domain, averaged over the rows
    bounds = out["birthdate"].astype(str).str.strip("[]").str.split(", ", expand=True)
    width = pd.to_datetime(bounds[1]) - pd.to_datetime(bounds[0])
    domain = raw["birthdate"].max() - raw["birthdate"].min()
    assert per["birthdate"] == pytest.approx((width / domain).mean())
    assert 0 < per["birthdate"] < 0.5


def test_ncp_of_custom_labels_reads_the_anonymizer():
    from sklearn_anon import DateGeneralizer, IntervalGeneralizer, RareCategoryGrouper

    raw = pd.DataFrame({"income": [5_000, 20_000, 40_000, 70_000, 100_000],
                        "city": ["A", "A", "A", "B", "C"]})
    inc = IntervalGeneralizer(bins=[0, 25_000, 60_000, np.inf], labels=["<25k", "Middle", "Rich"],
                              right=False).fit(raw[["income"]])
    released = inc.transform(raw[["income"]])
    # without the anonymizer the labels say nothing: unknown, not a total loss
    total, per = ncp(raw[["income"]], released, return_per_column=True)
    assert np.isnan(total) and np.isnan(per["income"])
    # with it: the fitted bins clipped to the domain [5k, 100k] (95k wide)
    widths = [25_000 - 5_000, 25_000 - 5_000, 60_000 - 25_000, 100_000 - 60_000, 100_000 - 60_000]
    assert ncp(raw[["income"]], released, anonymizer=inc) == pytest.approx(
        np.mean(widths) / 95_000)
    # OTHER covers the rare cities (B, C): (2 - 1) / (3 - 1) for 2 of 5 rows
    grouper = RareCategoryGrouper(min_count=2).fit(raw[["city"]])
    grouped = grouper.transform(raw[["city"]])
    assert np.isnan(ncp(raw[["city"]], grouped))
    assert ncp(raw[["city"]], grouped, anonymizer=grouper) == pytest.approx(2 * 0.5 / 5)
    # age bands of a birth date: the band's years in time units, clipped to the domain
    born = pd.DataFrame({"born": pd.to_datetime(["1950-06-01", "1980-06-01", "1990-06-01"])})
    ages = DateGeneralizer(unit="age", reference_date="2020-01-01", bins=[0, 35, 100]).fit(born)
    banded = ages.transform(born)
    assert banded["born"].tolist() == ["35-99", "35-99", "0-34"]
    start, ref = pd.Timestamp("1950-06-01"), pd.Timestamp("2020-01-01")
    edge = ref - pd.Timedelta(days=35 * 365.2425)  # born after it: younger than 35
    domain = (pd.Timestamp("1990-06-01") - start).value
    old = (edge - start).value / domain  # [start, edge] inside the domain
    young = (pd.Timestamp("1990-06-01") - edge).value / domain
    assert ncp(born, banded, anonymizer=ages) == pytest.approx((2 * old + young) / 3)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda df: k_anonymity(df, ["nope"]), "not in the table"),
        (lambda df: k_anonymity(df.iloc[:0], ["zip"]), "empty"),
        (lambda df: l_diversity(df, ["zip", "disease"], "disease"), "both"),
        (lambda df: t_closeness(df, ["zip"], "secret_col"), "not in the table"),
        (lambda df: l_diversity(df, ["zip"], "disease", kind="recursive"), "kind"),
        (lambda df: average_class_size(df, ["zip"], k=0), "k must"),
        (lambda df: k_anonymity(df, []), "At least one"),
    ],
)
def test_bad_input(table, call, match):
    with pytest.raises(ValueError, match=match) as info:
        call(table)
    for value in ["476**", "flu", "hiv", "2*"]:
        assert value not in str(info.value)


# -- the fast grouping (per-dtype codes, mixed-radix key, dense or hashed count) --------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _brute_classes(df, qis):
    """Class sizes and first-seen class ids by a Python dict over row tuples."""
    seen, ids = {}, []
    for row in df[qis].astype(object).itertuples(index=False):
        key = tuple("<NA>" if pd.isna(v) else v for v in row)
        ids.append(seen.setdefault(key, len(seen)))
    ids = np.asarray(ids)
    return ids, np.bincount(ids)




@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "ccc", None]),
            st.integers(-3, 3),
            st.sampled_from([0, 2**40, -(2**40)]),
            st.sampled_from([1.5, np.nan, -0.5]),
            st.booleans(),
            st.sampled_from(["x", "yy", None]),
        ),
        min_size=1,
        max_size=40,
    ),
    sens=st.lists(st.sampled_from(["flu", "cold", "hiv", None]), min_size=40, max_size=40),
)
def test_grouping_matches_brute_force_on_every_dtype(data, sens):
    df = pd.DataFrame(data, columns=["s", "small_int", "wide_int", "f", "b", "cat"])
    df["s_obj"] = df["s"].astype(object)
    df["s_str"] = df["s"].astype("string")  # pandas' own StringDtype (python or pyarrow)
    try:
        df["s_arrow"] = df["s"].astype("string[pyarrow]")
    except (ImportError, TypeError):  # pragma: no cover - pyarrow missing
        df["s_arrow"] = df["s"].astype(object)
    df["cat"] = df["cat"].astype("category")
    df["u"] = df["small_int"].abs().astype(np.uint8)
    df["nullable_int"] = df["small_int"].astype("Int64").mask(df["b"])  # pd.NA where b
    df["nullable_bool"] = df["b"].astype("boolean").mask(df["small_int"] > 1)
    df["disease"] = sens[: len(df)]
    qis = ["s_arrow", "small_int", "wide_int", "f", "b", "cat", "u", "s_str", "s_obj",
           "nullable_int", "nullable_bool"]
    ids, sizes = _brute_classes(df, qis)
    assert equivalence_classes(df, qis).tolist() == ids.tolist()
    assert k_anonymity(df, qis) == sizes.min()
    assert discernibility(df, qis) == (sizes.astype(np.int64) ** 2).sum()
    distinct = [len(set(map(str, df["disease"][ids == c]))) for c in range(len(sizes))]
    assert l_diversity(df, qis, "disease") == min(distinct)


def test_grouping_of_chunked_arrow_text():
    pa = pytest.importorskip("pyarrow")
    a = pd.Series(["x", "y", None], dtype="string[pyarrow]")
    b = pd.Series(["y", "z", None, "x"], dtype="string[pyarrow]")
    s = pd.concat([a, b], ignore_index=True)  # two Arrow chunks
    arrow = s.astype(pd.ArrowDtype(pa.large_string()))
    for col in (s, arrow, s.iloc[1:]):
        df = pd.DataFrame({"q": col.reset_index(drop=True)})
        ids, sizes = _brute_classes(df, ["q"])
        assert equivalence_classes(df, ["q"]).tolist() == ids.tolist()
        assert k_anonymity(df, ["q"]) == sizes.min()


def test_grouping_beyond_the_int64_radix():
    # six columns of ~3,000 codes each (3000**6 > 2**62): the key is compressed on the way
    rng = np.random.default_rng(0)
    n = 3000
    df = pd.DataFrame({f"c{i}": rng.integers(0, 2**40, n) for i in range(6)})
    df = pd.concat([df, df.iloc[:10]], ignore_index=True)  # ten classes of two rows
    ids, sizes = _brute_classes(df, list(df.columns))
    assert equivalence_classes(df, list(df.columns)).tolist() == ids.tolist()
    assert k_anonymity(df, list(df.columns)) == 1
    assert np.bincount(sizes).tolist() == [0, n - 10, 10]


def test_distinct_l_with_a_hashed_pair_space():
    # many classes x many sensitive values: the (class, value) pairs are hashed, not dense
    rng = np.random.default_rng(1)
    n = 4000
    df = pd.DataFrame({"q": np.repeat(np.arange(n // 2), 2),
                       "s": rng.permutation(n).astype(str)})
    df.loc[df.index[:2], "s"] = "same"  # class 0 holds one distinct value
    assert l_diversity(df, ["q"], "s") == 1
    assert l_diversity(df.iloc[2:], ["q"], "s") == 2


# -- the NCP scorer costs custom labels through the pipeline's own fitted step ------------


def test_ncp_scorer_reads_custom_labels_through_the_fitted_step():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    from sklearn_anon import IntervalGeneralizer
    from sklearn_anon.metrics import make_privacy_scorer

    X = pd.DataFrame({"age": [21, 25, 33, 38, 52, 57]})
    gen = IntervalGeneralizer(bins=[0, 40, 100], labels=["young", "old"])
    pipe = Pipeline([("anon", gen)]).fit(X)
    assert np.isnan(ncp(X, pipe.transform(X)))  # the labels alone say nothing
    # "young" = [0, 40] clipped to the data [21, 57]: 19/36; "old" [40, 57]: 17/36
    expected = (4 * 19 + 2 * 17) / 6 / 36
    scorer = make_privacy_scorer("ncp", step="anon")
    assert scorer(pipe, X) == pytest.approx(-expected)
    # in a grid search: finite scores, no NaN averaged in silently
    rng = np.random.default_rng(0)
    Xb = pd.DataFrame({"age": rng.integers(18, 90, 200)})
    y = (Xb["age"] > 50).to_numpy().astype(int)
    search = GridSearchCV(
        Pipeline([("anon", IntervalGeneralizer()),
                  ("enc", OneHotEncoder(handle_unknown="ignore")),
                  ("clf", LogisticRegression())]),
        [{"anon__bins": [[0, 40, 120]], "anon__labels": [["young", "old"]]},
         {"anon__bins": [[0, 30, 50, 70, 120]], "anon__labels": [["a", "b", "c", "d"]]}],
        scoring={"acc": "accuracy", "neg_ncp": scorer},
        refit="acc", cv=2, error_score="raise",
    )
    search.fit(Xb, y)
    scores = search.cv_results_["mean_test_neg_ncp"]
    assert np.isfinite(scores).all() and (scores < 0).all()
    assert scores[1] > scores[0]  # finer bins lose less


def test_ncp_scorer_names_the_columns_it_cannot_cost():
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    from sklearn_anon.metrics import make_privacy_scorer

    def labels(frame):  # every known age "adult", a missing one "unknown"
        return pd.DataFrame({"age": np.where(frame["age"].isna(), "unknown", "adult"),
                             "sex": frame["sex"]}, index=frame.index)

    X = pd.DataFrame({"age": [31.0, 47.0, np.nan, 58.0], "sex": ["F", "M", "F", "M"]})
    pipe = Pipeline([("anon", FunctionTransformer(labels))]).fit(X)
    with pytest.raises(ValueError, match=r"NCP cannot cost column\(s\) \['age'\]") as err:
        make_privacy_scorer("ncp", step="anon", quasi_identifiers=["age", "sex"],
                            on="scoring_data")(pipe, X)  # a FunctionTransformer records no release
    for cell in ("31", "47", "58", "adult", "unknown"):
        assert cell not in str(err.value)


def test_measures_read_label_bounds_through_the_method():
    # issue 14.4: the measures read a binning step's labels through label_bounds(),
    # not by unpacking its fitted state: any transformer defining it is costed
    import numpy as np
    import pandas as pd
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.pipeline import Pipeline

    from sklearn_anon import IntervalGeneralizer
    from sklearn_anon.metrics import ncp
    from sklearn_anon.metrics._anonymizer import fitted_bins

    class Bands(TransformerMixin, BaseEstimator):
        def fit(self, X, y=None):
            self.fitted_ = True
            return self

        def transform(self, X):
            return pd.DataFrame({"age": np.where(X["age"] < 40, "young", "old")}, index=X.index)

        def label_bounds(self):
            return {"age": {"young": (20.0, 40.0), "old": (40.0, 60.0)}}

    X = pd.DataFrame({"age": [20.0, 30.0, 45.0, 60.0]})
    pipe = Pipeline([("anon", IntervalGeneralizer(bins=[0, 30, 100]))]).fit(X)
    assert fitted_bins(pipe) == pipe.named_steps["anon"].label_bounds()
    bands = Bands().fit(X)
    assert fitted_bins(bands) == bands.label_bounds()
    # each label covers half of the 40-year domain
    assert ncp(X, bands.transform(X), ["age"], anonymizer=bands) == pytest.approx(0.5)
