"""Attacks: linkage over generalized values, homogeneity, frequency (metrics._attacks)."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_anon.metrics import (
    frequency_attack,
    homogeneity_attack,
    k_anonymity,
    linkage_attack,
    sample_uniqueness,
)
from sklearn_anon.metrics._matching import match_records

ADULT_QIS = ["sex", "age", "race", "marital-status", "education", "native-country",
             "workclass", "occupation"]


# -- a slow, obvious reference matcher ---------------------------------------------------


def _covers(released, value):
    """Does one released cell cover one raw value? (Python, cell by cell)."""
    if released is None or (isinstance(released, float) and np.isnan(released)):
        return True
    if isinstance(released, str):
        text = released.strip()
        if text == "*":
            return True
        m = re.match(r"^([\[\(])\s*(\S+)\s*,\s*(\S+)\s*([\]\)])$", text)
        if m and isinstance(value, (int, float, np.integer, np.floating)):
            lo, hi = float(m.group(2)), float(m.group(3))
            ok_lo = value >= lo if m.group(1) == "[" else value > lo
            ok_hi = value <= hi if m.group(4) == "]" else value < hi
            return bool(ok_lo and ok_hi)
        m = re.match(r"^(<=|>=|<|>)\s*(\S+)$", text)
        if m and isinstance(value, (int, float, np.integer, np.floating)):
            b = float(m.group(2))
            return {"<": value < b, "<=": value <= b, ">": value > b, ">=": value >= b}[m.group(1)]
        if text.startswith("{") and text.endswith("}"):
            return str(value) in [p.strip() for p in text[1:-1].split(",")]
        return text == str(value)
    return released == value


def _reference_counts(released, auxiliary, on):
    counts = []
    for _, rrow in released[on].iterrows():
        c = 0
        for _, arow in auxiliary[on].iterrows():
            c += all(_covers(rrow[col], arow[col]) for col in on)
        counts.append(c)
    return np.array(counts)


def _generalize_age(age, how):
    if how == 0:
        return age
    if how == 1:
        lo = (age // 10) * 10
        return f"[{lo}, {lo + 10})"
    if how == 2:
        lo = (age // 5) * 5
        return f"({lo - 1}, {lo + 4}]"
    if how == 3:
        return "< 30" if age < 30 else ">= 30"
    return "*"


def _generalize_city(city, how):
    if how == 0:
        return city
    if how == 1:
        return "{A, B}" if city in ("A", "B") else "{C, D}"
    return "*"


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(18, 60), st.sampled_from("ABCD")), min_size=1, max_size=25),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 2)), min_size=1, max_size=25),
)
def test_linkage_counts_match_a_cell_by_cell_reference(rows, hows):
    aux = pd.DataFrame(rows, columns=["age", "city"])
    hows = (hows * len(rows))[: len(rows)]
    released = pd.DataFrame(
        {
            "age": [_generalize_age(a, h) for (a, _), (h, _) in zip(rows, hows)],
            "city": [_generalize_city(c, h) for (_, c), (_, h) in zip(rows, hows)],
        },
        dtype=object,
    )
    counts, match = match_records(released, aux, ["age", "city"])
    expected = _reference_counts(released, aux, ["age", "city"])
    np.testing.assert_array_equal(counts, expected)
    # every released record covers its own raw record
    assert (counts >= 1).all()
    # a unique match is a record whose values the released cell covers
    for i in np.flatnonzero(counts == 1):
        assert all(_covers(released.iloc[i][c], aux.iloc[match[i]][c]) for c in ["age", "city"])


def test_exact_and_bitset_paths_agree():
    rng = np.random.default_rng(1)
    aux = pd.DataFrame({"age": rng.integers(18, 30, 300), "city": rng.choice(list("ABC"), 300)})
    raw_counts, raw_match = match_records(aux, aux, ["age", "city"])  # exact path
    star = aux.astype({"age": object}).copy()
    star.loc[0, "age"] = "*"  # one wildcard forces the bitset path
    counts, match = match_records(star, aux, ["age", "city"])
    np.testing.assert_array_equal(counts[1:], raw_counts[1:])
    np.testing.assert_array_equal(match[1:], raw_match[1:])
    assert counts[0] == (aux["city"] == aux.loc[0, "city"]).sum()
    by_hand = aux.groupby(["age", "city"])["age"].transform("size").to_numpy()
    np.testing.assert_array_equal(raw_counts, by_hand)


def test_linkage_on_interval_strings_of_all_styles():
    aux = pd.DataFrame({"name": list("abcdef"), "age": [20, 29, 30, 45, 60, 61]})
    released = pd.DataFrame({"age": ["[20, 30)", "(29, 45]", "< 21", ">= 60", "<= 20", "> 60",
                                     "[-inf, 25)", "*"]})
    res = linkage_attack(released, aux, "age", identity="name")
    assert res["candidates"].tolist() == [2, 2, 1, 2, 1, 1, 1, 6]
    assert res["identities"].tolist()[2] == "a"
    assert res["identities"].tolist()[5] == "f"


def test_linkage_with_a_hierarchy():
    hierarchy = {"Bachelors": ["Undergraduate", "Higher"], "Masters": ["Graduate", "Higher"],
                 "HS-grad": ["High School", "Secondary"]}
    aux = pd.DataFrame({"edu": ["Bachelors", "Masters", "HS-grad", "Masters"], "id": [1, 2, 3, 4]})
    released = pd.DataFrame({"edu": ["Higher", "Graduate", "Secondary", "Bachelors", "Undergraduate"]})
    res = linkage_attack(released, aux, ["edu"], identity="id", hierarchies={"edu": hierarchy})
    assert res["candidates"].tolist() == [3, 2, 1, 1, 1]
    assert res["identities"].tolist()[2:] == [3, 1, 1]
    # without the hierarchy, node labels match nothing
    plain = linkage_attack(released, aux, ["edu"], identity="id")
    assert plain["candidates"].tolist() == [0, 0, 0, 1, 0]


def test_linkage_on_datetime_intervals():
    aux = pd.DataFrame({"born": pd.to_datetime(["1980-05-01", "1980-07-01", "1990-01-01"])})
    released = pd.DataFrame({"born": ["[1980-01-01, 1980-12-31]", "[1990-01-01, 1990-01-01]"]})
    res = linkage_attack(released, aux, ["born"])
    assert res["candidates"].tolist() == [2, 1]
    assert res["identities"].tolist()[1] == 2


@pytest.fixture(scope="module")
def adult_with_names(adult_dir):
    adult = pd.read_csv(adult_dir / "adult.csv", sep=";")
    aux = adult[ADULT_QIS].copy()
    aux["name"] = [f"person-{i:05d}" for i in range(len(adult))]
    return adult, aux


def test_linkage_reidentifies_the_unique_raw_adult_records(adult_with_names):
    adult, aux = adult_with_names
    res = linkage_attack(adult, aux, ADULT_QIS, identity="name", truth=aux["name"])
    unique = adult.groupby(ADULT_QIS)["age"].transform("size").to_numpy() == 1
    # exactly the unique records are matched to one identity, and rightly
    assert res["unique_match_rate"] == pytest.approx(unique.mean())
    assert res["reidentification_rate"] == pytest.approx(sample_uniqueness(adult, ADULT_QIS))
    np.testing.assert_array_equal(res["candidates"].to_numpy() == 1, unique)
    assert (res["identities"][unique] == aux["name"][unique]).all()
    assert res["no_match_rate"] == 0.0


def test_no_adult_record_matches_one_identity_after_mondrian(adult_with_names):
    from sklearn_anon import MondrianAnonymizer

    adult, aux = adult_with_names
    anon = MondrianAnonymizer(k=10, quasi_identifiers=ADULT_QIS).fit_transform(adult)
    assert k_anonymity(anon, ADULT_QIS) >= 10
    res = linkage_attack(anon, aux, ADULT_QIS, identity="name", truth=aux["name"])
    assert res["unique_match_rate"] == 0.0
    assert res["reidentification_rate"] == 0.0
    # every released record covers at least its class's 10 raw records
    assert res["candidates"].min() >= 10
    assert res["identities"].isna().all()


# -- custom labels: the attacker knows the generalization scheme ------------------------

CUSTOMER_QIS = ["zipcode", "sex", "birthdate", "income"]


def _customer_anonymizer():
    """Income classes, ZIP3 with rare ZIP3s grouped into OTHER, age bands from the birth date."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline

    from sklearn_anon import DateGeneralizer, IntervalGeneralizer, PrefixGeneralizer, RareCategoryGrouper

    return ColumnTransformer(
        [
            ("income", IntervalGeneralizer(bins=[0, 25_000, 60_000, 120_000, np.inf],
                                           labels=["<25k", "Lower", "Middle", "Upper"],
                                           right=False), ["income"]),
            ("zip", make_pipeline(PrefixGeneralizer(n=3, width=5),
                                  RareCategoryGrouper(min_count=8)), ["zipcode"]),
            ("age", DateGeneralizer(unit="age", reference_date="2024-01-01",
                                    bins=[18, 30, 45, 60, 75, 120]), ["birthdate"]),
            ("sex", "passthrough", ["sex"]),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


@pytest.fixture(scope="module")
def customers_released():
    from sklearn_anon.datasets import make_customers

    table = make_customers(300, random_state=3)
    ct = _customer_anonymizer().fit(table)
    released = ct.transform(table.iloc[:200])  # the release: customers 0..199
    # the attacker's file: customers 100..299 with their names and raw QIs
    aux = table.iloc[100:][CUSTOMER_QIS + ["name"]].reset_index(drop=True)
    return table, ct, released, aux


def test_linkage_with_the_anonymizer_agrees_with_a_brute_force_count(customers_released):
    from collections import Counter

    table, ct, released, aux = customers_released
    truth = table["name"].iloc[:200].to_numpy()
    res = linkage_attack(released, aux, CUSTOMER_QIS, identity="name", truth=truth, anonymizer=ct)
    # independent reference: generalize the full attacker rows, count tuples in plain Python
    gen_aux = ct.transform(table.iloc[100:])[CUSTOMER_QIS].astype(str)
    counts = Counter(map(tuple, gen_aux.to_numpy().tolist()))
    rel_keys = list(map(tuple, released[CUSTOMER_QIS].astype(str).to_numpy().tolist()))
    expected = np.array([counts.get(k, 0) for k in rel_keys])
    np.testing.assert_array_equal(res["candidates"].to_numpy(), expected)
    assert res["uninterpreted_columns"] == [] and res["lower_bound"] is False
    # re-identified: exactly the released people present in the attacker's file
    # whose generalized QIs are unique there
    in_aux = np.isin(truth, aux["name"].to_numpy())
    unique_there = expected == 1
    correct = (res["identities"].to_numpy() == truth)
    np.testing.assert_array_equal(correct, in_aux & unique_there)
    assert res["reidentification_rate"] == pytest.approx(np.mean(in_aux & unique_there))
    assert 0 < res["reidentification_rate"] < 0.5  # a real, partial risk
    # everyone present in the file is a candidate of his own released record
    assert (expected[in_aux] >= 1).all()
    # a callable doing the same generalization gives the same answer
    same = linkage_attack(released, table.iloc[100:], CUSTOMER_QIS, identity="name", truth=truth,
                          anonymizer=lambda df: ct.transform(df))
    np.testing.assert_array_equal(same["candidates"].to_numpy(), expected)


def test_linkage_without_the_anonymizer_says_what_it_could_not_read(customers_released):
    table, ct, released, aux = customers_released
    truth = table["name"].iloc[:200].to_numpy()
    with pytest.warns(UserWarning, match="lower bound") as record:
        blind = linkage_attack(released, aux, CUSTOMER_QIS, identity="name", truth=truth)
    message = str(record[0].message)
    assert all(c in message for c in ("zipcode", "birthdate", "income"))
    assert blind["uninterpreted_columns"] == ["zipcode", "birthdate", "income"]
    assert blind["lower_bound"] is True
    # numeric / datetime columns with labels are left out (uninformative), not "no match"
    assert blind["ignored_columns"] == ["zipcode", "birthdate", "income"]
    assert blind["no_match_rate"] < 1.0
    # leaving columns out only adds candidates: a lower bound on the risk
    informed = linkage_attack(released, aux, CUSTOMER_QIS, identity="name", truth=truth,
                              anonymizer=ct)
    assert (blind["candidates"].to_numpy() >= informed["candidates"].to_numpy()).all()
    assert blind["reidentification_rate"] <= informed["reidentification_rate"]
    # only sex is left: candidates are the people of the same sex
    by_sex = aux["sex"].value_counts()
    np.testing.assert_array_equal(blind["candidates"].to_numpy(),
                                  by_sex.reindex(released["sex"]).to_numpy())


def test_journalist_risk_with_the_anonymizer(customers_released):
    from collections import Counter

    from sklearn_anon.metrics import journalist_risk

    table, ct, released, _ = customers_released
    population = table[CUSTOMER_QIS]  # everyone, released or not
    risk = journalist_risk(released, population, CUSTOMER_QIS, anonymizer=ct, threshold=0.2)
    gen = ct.transform(table)[CUSTOMER_QIS].astype(str)
    f = Counter(map(tuple, gen.to_numpy().tolist()))
    keys = list(map(tuple, released[CUSTOMER_QIS].astype(str).to_numpy().tolist()))
    in_release = Counter(keys)
    inv = np.array([1 / max(f[k], in_release[k]) for k in keys])
    assert risk["max"] == pytest.approx(inv.max())
    assert risk["mean"] == pytest.approx(inv.mean())
    assert risk["share_above_threshold"] == pytest.approx(np.mean(inv > 0.2))
    from sklearn_anon.metrics import marketer_risk

    assert marketer_risk(released, CUSTOMER_QIS, population=population,
                         anonymizer=ct) == pytest.approx(inv.mean())
    with pytest.warns(UserWarning, match="lower bound"):
        blind = journalist_risk(released, population, CUSTOMER_QIS)
    assert blind["mean"] < risk["mean"]


def test_anonymizer_join_agrees_with_interval_matching_on_mondrian_regions():
    from sklearn_anon import MondrianAnonymizer
    from sklearn_anon.datasets import make_customers

    table = make_customers(600, random_state=1)[CUSTOMER_QIS]
    mondrian = MondrianAnonymizer(k=4, quasi_identifiers=CUSTOMER_QIS).fit(table)
    released = mondrian.transform(table.iloc[:300])
    by_join = linkage_attack(released, table, CUSTOMER_QIS, anonymizer=mondrian)
    by_cover = linkage_attack(released, table, CUSTOMER_QIS)  # regions partition the space
    assert by_cover["uninterpreted_columns"] == []
    np.testing.assert_array_equal(by_join["candidates"].to_numpy(),
                                  by_cover["candidates"].to_numpy())
    assert by_join["candidates"].min() >= 1


def test_unread_labels_modes():
    aux = pd.DataFrame({"income": [10, 50, 90], "city": ["A", "B", "C"], "id": [1, 2, 3]})
    released = pd.DataFrame({"income": ["low", "mid", "high"], "city": ["A", "B", "OTHER"]})
    with pytest.warns(UserWarning):
        auto = linkage_attack(released, aux, ["income", "city"], identity="id")
    # numeric column with labels: left out; categorical: unread values match nothing
    assert auto["ignored_columns"] == ["income"]
    assert auto["candidates"].tolist() == [1, 1, 0]
    assert auto["unread_share"] == {"income": 1.0, "city": pytest.approx(1 / 3)}
    with pytest.warns(UserWarning):
        ignore = linkage_attack(released, aux, ["income", "city"], identity="id", unread="ignore")
    assert ignore["candidates"].tolist() == [3, 3, 3]  # both columns left out
    with pytest.warns(UserWarning):
        strict = linkage_attack(released, aux, ["income", "city"], identity="id", unread="no_match")
    assert strict["candidates"].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="unread"):
        linkage_attack(released, aux, ["income"], unread="guess")
    # intervals, sets, "*" and raw values are read: no warning, nothing listed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok = linkage_attack(pd.DataFrame({"income": ["[0, 60)", "*"], "city": ["{A, B}", "C"]}),
                            aux, ["income", "city"])
    assert ok["uninterpreted_columns"] == [] and ok["candidates"].tolist() == [2, 1]


def test_anonymizer_errors_name_no_value(customers_released):
    table, ct, released, aux = customers_released
    with pytest.raises(TypeError, match="anonymizer"):
        linkage_attack(released, aux, CUSTOMER_QIS, anonymizer="not an anonymizer")

    class Broken:
        feature_names_in_ = np.array(CUSTOMER_QIS, dtype=object)

        def transform(self, X):
            raise ValueError(f"bad value {X.iloc[0, 0]!r}")

    with pytest.raises(ValueError, match="could not transform") as info:
        linkage_attack(released, aux, CUSTOMER_QIS, anonymizer=Broken())
    assert str(aux.iloc[0, 0]) not in str(info.value)


# -- homogeneity -----------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["x", "y", None])), min_size=1,
                max_size=30))
def test_homogeneity_matches_a_groupby(rows):
    X = pd.DataFrame(rows, columns=["qi", "s"])
    expected = X.groupby("qi")["s"].transform(lambda s: s.nunique(dropna=False)).to_numpy() == 1
    assert homogeneity_attack(X, ["qi"], "s") == pytest.approx(expected.mean())


def test_homogeneity_on_l_diverse_output_is_zero(adult_dir):
    from sklearn_anon import MondrianAnonymizer

    adult = pd.read_csv(adult_dir / "adult.csv", sep=";").iloc[:5000]
    qis = ADULT_QIS[:-1]
    assert homogeneity_attack(adult, qis, "occupation") > 0.3
    anon = MondrianAnonymizer(k=5, l=2, sensitive="occupation", quasi_identifiers=qis)
    out = anon.fit_transform(adult[ADULT_QIS])
    assert homogeneity_attack(out, qis, "occupation") == 0.0


# -- frequency ---------------------------------------------------------------------------


def _pseudonymize(values):
    try:
        from sklearn_anon import Pseudonymizer
    except ImportError:  # pragma: no cover - identifiers module missing
        import hashlib
        import hmac

        return [hmac.new(b"k", str(v).encode(), hashlib.sha256).hexdigest() for v in values]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pd.DataFrame({"v": pd.Series(values, dtype=object).astype(str)})
        return Pseudonymizer(key=b"secret-key").fit_transform(frame)["v"].tolist()


def test_frequency_attack_recovers_a_skewed_low_cardinality_column():
    rng = np.random.default_rng(0)
    categories = [f"cat-{i}" for i in range(10)]
    p = 0.5 ** np.arange(1, 11)
    p /= p.sum()
    original = rng.choice(categories, 5000, p=p)
    tokens = _pseudonymize(original)
    assert len(set(tokens)) == 10 and not set(tokens) & set(categories)
    res = frequency_attack(tokens, original)
    assert res["recovered"] > 0.99
    # with only a public sample of the same population as reference
    public = rng.choice(categories, 2000, p=p)
    res = frequency_attack(tokens, public, truth=original)
    assert res["recovered"] > 0.9
    assert res["values_recovered"] >= 0.5
    assert res["n_pseudonyms"] == 10


def test_frequency_attack_fails_on_unique_emails():
    emails = [f"user{i}.{i * 7919 % 1000}@example.org" for i in range(3000)]
    tokens = _pseudonymize(emails)
    res = frequency_attack(tokens, emails)
    assert res["recovered"] < 0.01
    assert res["n_pseudonyms"] == 3000


# -- bad input ---------------------------------------------------------------------------

SECRET = "Zebulon-Quartermaine-4412"


def test_bad_input_errors():
    X = pd.DataFrame({"name": [SECRET, "b"], "age": [1, 2]})
    with pytest.raises(ValueError, match="released") as info:
        linkage_attack(X, X, ["age", "zip"])
    assert SECRET not in str(info.value)
    with pytest.raises(ValueError, match="auxiliary"):
        linkage_attack(X, X[["name"]], ["age"])
    with pytest.raises(ValueError, match="empty"):
        linkage_attack(X.iloc[:0], X, ["age"])
    with pytest.raises(ValueError, match="identity"):
        linkage_attack(X, X, ["age"], identity="nope")
    with pytest.raises(ValueError, match="identity"):
        linkage_attack(X, X, ["age"], identity="age")
    with pytest.raises(ValueError, match="truth"):
        linkage_attack(X, X, ["age"], truth=[1, 2, 3])
    with pytest.raises(ValueError, match="both"):
        homogeneity_attack(X, ["age", "name"], "name")
    with pytest.raises(ValueError, match="same length"):
        frequency_attack(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="empty"):
        frequency_attack([], [])
    with pytest.raises(ValueError, match="not matched on"):
        linkage_attack(X, X, ["age"], hierarchies={"name": {"a": ["b"]}})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from([1.0, 2.0, np.nan])),
                min_size=1, max_size=25),
       st.integers(0, 30))
def test_matching_a_release_against_itself_is_the_join(rows, changed):
    """The shortcut for "the generalized auxiliary table is the release" (class sizes,
    a unique record matches itself) gives what the general join gives, and a table that
    differs in one cell takes the join."""
    from sklearn_anon.metrics._matching import _match_generalized

    released = pd.DataFrame(rows, columns=["s", "x"]).astype({"s": object})
    on = ["s", "x"]
    tuples = [tuple("NaN" if pd.isna(v) else v for v in r) for r in released[on].itertuples(index=False)]

    def brute(aux_tuples):
        counts = np.array([sum(a == t for a in aux_tuples) for t in tuples])
        match = np.array([aux_tuples.index(t) if c == 1 else -1 for t, c in zip(tuples, counts)])
        return counts, match

    counts, match = _match_generalized(released, released.copy(), on)
    want_counts, want_match = brute(tuples)
    np.testing.assert_array_equal(counts, want_counts)
    np.testing.assert_array_equal(match, want_match)

    other = released.copy()
    i = changed % len(other)
    other.loc[i, "s"] = "zz"  # a value the release does not hold: the general join
    aux = list(tuples)
    aux[i] = ("zz", aux[i][1])
    counts, match = _match_generalized(released, other, on)
    want_counts, want_match = brute(aux)
    np.testing.assert_array_equal(counts, want_counts)
    np.testing.assert_array_equal(match, want_match)
