"""Re-identification risk measures (sklearn_anon.metrics._risk)."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_anon.metrics import (
    column_cardinality,
    journalist_risk,
    k_anonymity,
    l_diversity,
    marketer_risk,
    prosecutor_risk,
    record_risk,
    records_below_k,
    risk_summary,
    sample_uniqueness,
    t_closeness,
)

ADULT_QIS = ["sex", "age", "race", "marital-status", "education", "native-country",
             "workclass", "occupation"]


@pytest.fixture(scope="module")
def adult(adult_dir):
    return pd.read_csv(adult_dir / "adult.csv", sep=";")


def _sizes_by_hand(frame, qis):
    """Class size of each row, the slow obvious way (tuples in a dict)."""
    keys = [tuple("<NA>" if pd.isna(v) else v for v in row) for row in frame[qis].itertuples(index=False)]
    counts = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return np.array([counts[key] for key in keys])


def test_hand_computed_values():
    X = pd.DataFrame({"age": [30, 30, 30, 41, 41, 52], "sex": ["F", "F", "F", "M", "M", "M"]})
    qis = ["age", "sex"]
    assert sample_uniqueness(X, qis) == pytest.approx(1 / 6)
    assert records_below_k(X, qis, 2) == pytest.approx(1 / 6)
    assert records_below_k(X, qis, 3) == pytest.approx(3 / 6)
    assert records_below_k(X, qis, 3, normalize=False) == 3
    assert records_below_k(X, qis, 1) == 0.0
    risk = prosecutor_risk(X, qis, threshold=0.4)
    assert risk["max"] == 1.0
    assert risk["mean"] == pytest.approx((3 * 1 / 3 + 2 * 1 / 2 + 1) / 6)
    assert risk["share_above_threshold"] == pytest.approx(3 / 6)  # 1/2 and 1 are above 0.4
    assert marketer_risk(X, qis) == pytest.approx(3 / 6)
    assert record_risk(X, qis).tolist() == pytest.approx([1 / 3] * 3 + [1 / 2] * 2 + [1.0])
    summary = risk_summary(X, qis, k=3)
    assert summary["n_classes"] == 3 and summary["smallest_class"] == 1
    assert summary["records_below_k"] == pytest.approx(0.5)


frames = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from([1.0, 2.0, np.nan]), min_size=n, max_size=n),
        st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n),
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
    )
)


@settings(max_examples=40, deadline=None)
@given(frames, st.integers(1, 5))
def test_measures_match_a_brute_force_count(cols, k):
    X = pd.DataFrame({"a": cols[0], "b": cols[1], "c": cols[2]})
    X["b"] = X["b"].astype("category")
    qis = ["a", "b", "c"]
    sizes = _sizes_by_hand(X, qis)
    assert sample_uniqueness(X, qis) == pytest.approx(np.mean(sizes == 1))
    assert records_below_k(X, qis, k) == pytest.approx(np.mean(sizes < k))
    risk = prosecutor_risk(X, qis)
    assert risk["max"] == pytest.approx((1 / sizes).max())
    assert risk["mean"] == pytest.approx((1 / sizes).mean())
    assert risk["share_above_threshold"] == pytest.approx(np.mean(1 / sizes > 0.2))
    assert marketer_risk(X, qis) == pytest.approx(risk["mean"])
    assert k_anonymity(X, qis) == sizes.min()
    np.testing.assert_allclose(record_risk(X, qis).to_numpy(), 1 / sizes)


def test_journalist_risk_against_a_population():
    sample = pd.DataFrame({"age": [30, 30, 41], "sex": ["F", "F", "M"]})
    population = pd.DataFrame({"age": [30] * 4 + [41] * 2 + [55] * 3,
                               "sex": ["F"] * 4 + ["M"] * 2 + ["F"] * 3})
    risk = journalist_risk(sample, population, ["age", "sex"])
    assert risk["max"] == pytest.approx(1 / 2)
    assert risk["mean"] == pytest.approx((1 / 4 + 1 / 4 + 1 / 2) / 3)
    assert risk["share_above_threshold"] == 1.0  # 1/4 and 1/2 are above 0.2
    assert journalist_risk(sample, population, ["age", "sex"], threshold=0.3)[
        "share_above_threshold"
    ] == pytest.approx(1 / 3)
    # the population is smaller than the sample's class: the sample size counts
    tiny = pd.DataFrame({"age": [30], "sex": ["F"]})
    assert journalist_risk(sample, tiny, ["age", "sex"])["max"] == 1.0
    # marketer risk with a population: mean of 1/F
    assert marketer_risk(sample, ["age", "sex"], population=population) == pytest.approx(risk["mean"])


def test_journalist_risk_of_a_generalized_release():
    sample = pd.DataFrame({"age": ["[30, 40)", "[30, 40)", ">= 40"], "zip": ["75*", "75*", "*"]})
    population = pd.DataFrame({"age": [31, 39, 40, 35, 61, 70],
                               "zip": ["75*", "75*", "75*", "76*", "75*", "12*"]})
    risk = journalist_risk(sample, population, ["age", "zip"])
    # [30, 40) & 75*: 31, 39 -> F = 2;  >= 40 & *: 40, 61, 70 -> F = 3
    assert risk["max"] == pytest.approx(1 / 2)
    assert risk["mean"] == pytest.approx((1 / 2 + 1 / 2 + 1 / 3) / 3)


def test_column_cardinality_flags_identifiers():
    rng = np.random.default_rng(0)
    n = 500
    X = pd.DataFrame({
        "customer_id": np.arange(n),
        "email": [f"user{i}@example.org" for i in range(n)],
        "signup": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**9, n), unit="s"),
        "sex": rng.choice(["F", "M"], n),
        "age": rng.integers(18, 90, n),
    })
    profile = column_cardinality(X)
    assert profile.loc["customer_id", "n_unique"] == n
    assert profile["likely_identifier"].to_dict() == {
        "customer_id": True, "email": True, "signup": True, "sex": False, "age": False,
    }
    assert profile.loc["sex", "singleton_share"] == 0.0
    assert profile.loc["email", "singleton_share"] == 1.0
    assert list(column_cardinality(X, ["sex"]).index) == ["sex"]


def test_adult_raw_uniqueness(adult):
    u = sample_uniqueness(adult, ADULT_QIS)
    sizes = adult.groupby(ADULT_QIS).size()
    assert u == pytest.approx((sizes == 1).sum() / len(adult))
    assert 0.3 < u < 0.6


def _check_against_pycanon(frame, qis, sensitive):
    from pycanon import anonymity

    frame = frame.reset_index(drop=True)
    assert k_anonymity(frame, qis) == anonymity.k_anonymity(frame, qis)
    assert l_diversity(frame, qis, sensitive) == anonymity.l_diversity(frame, qis, [sensitive])
    # pycanon returns the integer part of the entropy l
    ours = l_diversity(frame, qis, sensitive, kind="entropy")
    assert math.floor(ours + 1e-9) == anonymity.entropy_l_diversity(frame, qis, [sensitive])
    assert t_closeness(frame, qis, sensitive) == anonymity.t_closeness(frame, qis, [sensitive])


@pytest.mark.slow
def test_k_l_t_agree_with_pycanon_on_raw_adult(adult):
    pytest.importorskip("pycanon")
    from pycanon import anonymity

    # k and distinct l on the whole table; entropy l and t (pycanon takes
    # minutes on 30,000 raw rows) on the first 1,000 rows
    qis7 = ADULT_QIS[:-1]
    assert k_anonymity(adult, ADULT_QIS) == anonymity.k_anonymity(adult, ADULT_QIS) == 1
    assert l_diversity(adult, qis7, "occupation") == anonymity.l_diversity(
        adult, qis7, ["occupation"]
    )
    _check_against_pycanon(adult.iloc[:1000], ADULT_QIS, "salary-class")


@pytest.mark.slow
def test_k_l_t_agree_with_pycanon_after_mondrian(adult):
    pytest.importorskip("pycanon")
    from sklearn_anon import MondrianAnonymizer

    anon = MondrianAnonymizer(k=10, quasi_identifiers=ADULT_QIS).fit_transform(adult)
    assert k_anonymity(anon, ADULT_QIS) >= 10
    assert sample_uniqueness(anon, ADULT_QIS) == 0.0
    assert records_below_k(anon, ADULT_QIS, 10) == 0.0
    assert prosecutor_risk(anon, ADULT_QIS)["max"] <= 0.1
    _check_against_pycanon(anon, ADULT_QIS, "salary-class")
    qis7 = ADULT_QIS[:-1]
    anon7 = MondrianAnonymizer(
        k=10, quasi_identifiers=qis7, sensitive="occupation", l=2
    ).fit_transform(adult[ADULT_QIS])
    from pycanon import anonymity

    anon7 = anon7.reset_index(drop=True)
    assert l_diversity(anon7, qis7, "occupation") == anonymity.l_diversity(
        anon7, qis7, ["occupation"]
    )


# -- bad input ---------------------------------------------------------------------

SECRET = "Zebulon-Quartermaine-4412"


@pytest.fixture
def secret_table():
    return pd.DataFrame({"name": [SECRET, "b", "c"], "age": [1, 2, 3], "zip": ["x", "y", "z"]})


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda X: sample_uniqueness(X, ["age", "nope"]), "nope"),
        (lambda X: sample_uniqueness(X, []), "quasi-identifier"),
        (lambda X: sample_uniqueness(X.iloc[:0], ["age"]), "empty"),
        (lambda X: records_below_k(X, ["age"], 0), "k must be"),
        (lambda X: prosecutor_risk(X, ["age"], threshold=2), "threshold"),
        (lambda X: journalist_risk(X, X[["age"]], ["age", "zip"]), "population"),
        (lambda X: column_cardinality(X, ["nope"]), "nope"),
        (lambda X: column_cardinality(X.iloc[:0]), "empty"),
        (lambda X: l_diversity(X, ["age", "name"], "name"), "both"),
    ],
)
def test_bad_input_errors_name_columns_not_values(secret_table, call, match):
    with pytest.raises(ValueError, match=match) as info:
        call(secret_table)
    assert SECRET not in str(info.value)


def test_sensitive_column_cannot_be_a_quasi_identifier(secret_table):
    from sklearn_anon.metrics._tables import check_table

    with pytest.raises(ValueError, match="both"):
        check_table(secret_table, ["age", "zip"], "zip")
    frame, qis, sens = check_table(secret_table.to_numpy(), ["x1"], ["x2"])
    assert qis == ["x1"] and sens == "x2"
