"""Hierarchy builders (issue 16.2) and ARX's CSV format (Hierarchy.to_csv / load_hierarchy)."""

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_anon import FullDomainAnonymizer, HierarchyGeneralizer, PrivacyLeakWarning
from sklearn_anon.generalize import (
    Hierarchy,
    date_hierarchy,
    interval_hierarchy,
    load_hierarchy,
    masking_hierarchy,
    ordered_grouping,
)

SECRET = "s3cr3t-value-4711"


def assert_nested(h):
    """Every level is a coarsening of the one below: each node has one parent, and
    the top level is "*"."""
    table = h.to_frame()
    for lev in range(1, h.n_levels):
        parents = table.groupby(lev - 1, sort=False)[lev].nunique()
        assert (parents == 1).all(), lev
    assert set(table[h.n_levels - 1]) == {"*"}


def _interval_of(label):
    """(lo, hi) of a builder label: "[a, b)", "< b", ">= a"."""
    if label.startswith("<"):
        return -np.inf, float(label[1:].strip())
    if label.startswith(">="):
        return float(label[2:].strip()), np.inf
    a, b = label[1:-1].split(",")
    return float(a), float(b)


def assert_intervals_nested(h):
    """Each leaf lies in its interval, and each interval inside its parent's."""
    table = h.to_frame()
    leaves = table[0].astype(float).to_numpy()
    for lev in range(1, h.n_levels - 1):
        bounds = np.array([_interval_of(lab) for lab in table[lev]])
        assert np.all(bounds[:, 0] <= leaves) and np.all(leaves < bounds[:, 1])
        if lev > 1:
            below = np.array([_interval_of(lab) for lab in table[lev - 1]])
            assert np.all(bounds[:, 0] <= below[:, 0]) and np.all(below[:, 1] <= bounds[:, 1])


def round_trip(h, tmp_path=None, sep=";"):
    if tmp_path is not None:
        path = tmp_path / "h.csv"
        h.to_csv(path, sep=sep)
        return load_hierarchy(path, sep=sep)
    buf = io.StringIO()
    h.to_csv(buf, sep=sep)
    buf.seek(0)
    return load_hierarchy(buf, sep=sep)


# -- interval_hierarchy ----------------------------------------------------------------
def test_interval_fixed_widths_labels_and_coding():
    h = interval_hierarchy(range(0, 100), widths=[5, 10, 20], bounds=(0, 90))
    assert h.n_levels == 5 and len(h) == 100
    assert h.ancestors(37) == ["37", "[35, 40)", "[30, 40)", "[20, 40)", "*"]
    # the last interval is cut at the upper bound; values at or above it are top-coded
    assert h.ancestors(85) == ["85", "[85, 90)", "[80, 90)", "[80, 90)", "*"]
    assert h.ancestors(90) == ["90", ">= 90", ">= 90", ">= 90", "*"]
    assert_nested(h)
    assert_intervals_nested(h)


def test_interval_bottom_coding_and_arx_labels():
    h = interval_hierarchy([-3, 2, 7, 12], widths=[5], bounds=(0, 10), labels="arx")
    assert h.to_frame()[1].tolist() == ["<0", "[0, 5[", "[5, 10[", ">=10"]


def test_interval_without_bounds_is_a_grid_from_zero_and_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = interval_hierarchy([17, 23.5, 90], widths=[10, 50])
    assert h.to_frame()[1].tolist() == ["[10, 20)", "[20, 30)", "[90, 100)"]
    assert h.to_frame()[2].tolist() == ["[0, 50)", "[0, 50)", "[50, 100)"]
    assert h.to_frame()[0].tolist() == ["17", "23.5", "90"]


def test_interval_range_labels_need_integers():
    h = interval_hierarchy(range(1, 101), widths=[5, 10], labels="range")
    assert h.ancestors(39) == ["39", "35-39", "30-39", "*"]
    with pytest.raises(ValueError, match="integer"):
        interval_hierarchy([1.5, 2.5], widths=[1], labels="range")


def test_interval_callable_labels():
    h = interval_hierarchy([1, 6], widths=[5], labels=lambda a, b: f"{a:g} to {b:g}")
    assert h.nodes(1) == ["0 to 5", "5 to 10"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, "exactly one"),
        ({"widths": [5], "n_bins": [4]}, "exactly one"),
        ({"widths": [5, 7]}, "multiple"),
        ({"widths": [10, 5]}, "multiple"),
        ({"widths": [0]}, "positive"),
        ({"n_bins": [8, 3]}, "dividing"),
        ({"n_bins": [1]}, ">= 2"),
        ({"widths": [5], "bounds": (10, 0)}, "low < high"),
        ({"widths": [5], "labels": "nope"}, "labels"),
    ],
)
def test_interval_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        interval_hierarchy([1, 2, 3], **kwargs)


def test_interval_quantiles_warn_nest_and_hide_extremes():
    rng = np.random.default_rng(0)
    x = rng.normal(40, 12, 2000).round(1)
    with pytest.warns(PrivacyLeakWarning, match="quantile"):
        h = interval_hierarchy(x, n_bins=[8, 4, 2])
    assert [len(h.nodes(lev)) for lev in (1, 2, 3)] == [8, 4, 2]
    assert_nested(h)
    assert_intervals_nested(h)
    # open outer intervals: neither the minimum nor the maximum is written
    labels = set(h.nodes(1))
    assert not any(str(x.min()) in lab or str(x.max()) in lab for lab in labels)
    # level 2 keeps every second cut of level 1
    cuts1 = sorted(_interval_of(lab)[1] for lab in h.nodes(1) if not lab.startswith(">="))
    cuts2 = sorted(_interval_of(lab)[1] for lab in h.nodes(2) if not lab.startswith(">="))
    assert cuts2 == cuts1[1::2]


def test_interval_quantiles_with_bounds_and_ties():
    x = [1] * 50 + [2] * 50 + [3, 4, 5, 6]
    with pytest.warns(PrivacyLeakWarning):
        h = interval_hierarchy(x, n_bins=[4, 2], bounds=(0, 10))
    assert_nested(h)
    assert all(not lab.startswith(("<", ">")) for lab in h.nodes(1))


def test_interval_errors_never_quote_values():
    with pytest.raises((TypeError, ValueError)) as err:
        interval_hierarchy([SECRET, "x"], widths=[5], name="age")
    assert SECRET not in str(err.value) and "'age'" in str(err.value)
    with pytest.raises(TypeError) as err:
        interval_hierarchy(pd.Series([SECRET]), widths=[5])
    assert SECRET not in str(err.value)


# -- masking_hierarchy -----------------------------------------------------------------
def test_masking_zip_codes():
    h = masking_hierarchy(["02139", "02141", "10001"])
    assert h.ancestors("02139") == ["02139", "0213*", "021**", "02***", "0****", "*"]
    assert h.nodes(3) == ["02***", "10***"]
    assert_nested(h)


def test_masking_alignment_padding_and_order():
    h = masking_hierarchy([2139, 10001], alignment="right", padding="0")
    assert h.ancestors(2139)[:3] == ["2139", "0213*", "021**"]
    h = masking_hierarchy(["12", "1234"])  # ARX's default: aligned left, padded with the mask
    assert h.ancestors("12")[:3] == ["12", "12***"[:4], "12**"]
    h = masking_hierarchy(["12", "1234"], order="left", alignment="right", padding="_")
    assert h.ancestors("12")[1:4] == ["*_12", "**12", "***2"]
    h = masking_hierarchy(["AB-12"], mask="#", levels=[2, 4])
    assert h.ancestors("AB-12") == ["AB-12", "AB-##", "A####", "*"]


def test_masking_enumerated_domain():
    h = masking_hierarchy(length=3)
    assert len(h) == 1000 and h.leaves[0] == "000" and h.leaves[-1] == "999"
    h = masking_hierarchy(length=2, alphabet="AB")
    assert h.leaves.tolist() == ["AA", "AB", "BA", "BB"]
    assert h.nodes(1) == ["A*", "B*"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"values": None}, "values or length"),
        ({"values": ["123"], "levels": [0]}, "levels"),
        ({"values": ["123"], "levels": [2, 1]}, "levels"),
        ({"values": ["123"], "levels": [3]}, "levels"),
        ({"values": ["123"], "padding": "ab"}, "single character"),
        ({"values": ["123"], "alignment": "middle"}, "alignment"),
        ({"values": [1.5]}, "integers"),
        ({"values": None, "length": 12}, "more than"),
    ],
)
def test_masking_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        masking_hierarchy(**kwargs)


def test_masking_too_long_names_a_count_not_a_value():
    with pytest.raises(ValueError, match="1 value") as err:
        masking_hierarchy(["123", SECRET], length=5)
    assert SECRET not in str(err.value)


# -- date_hierarchy --------------------------------------------------------------------
def test_date_levels_and_labels():
    h = date_hierarchy(["2021-03-15", "1999-12-31"], levels=["month", "quarter", "year", "decade", "century"])
    assert h.ancestors("2021-03-15") == [
        "2021-03-15", "2021-03", "2021-Q1", "2021", "[2020, 2030)", "[2000, 2100)", "*"]
    h = date_hierarchy(["1999-12-31"], levels="decade", labels="arx")
    assert h.nodes(1) == ["[1990, 2000["]
    assert_nested(date_hierarchy(start="1990-01-01", end="2021-12-31"))


def test_date_declared_range_and_datetime_matching():
    h = date_hierarchy(start="2020-01-01", end="2020-12-31", levels=["month", "year"])
    assert len(h) == 366
    col = pd.to_datetime(pd.Series(["2020-02-29", None, "2020-07-04", "2021-01-01"]))
    assert list(h.generalize(col, 1)) == ["2020-02", "*", "2020-07", "*"]
    # a timestamp with a time of day is matched by its full text, per value
    h = date_hierarchy(["2020-01-01 10:30", "2020-01-02"], levels=["day", "year"])
    assert h.leaves.tolist() == ["2020-01-01 10:30:00", "2020-01-02"]
    col = pd.Series(pd.to_datetime(["2020-01-02", "2020-01-01 10:30"], format="ISO8601"))
    assert list(h.generalize(col, 1)) == ["2020-01-02", "2020-01-01"]
    tz = col.dt.tz_localize("Europe/Berlin")
    assert list(h.generalize(tz, 2)) == ["2020", "2020"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"values": ["2020-01-01"], "levels": ["year", "month"]}, "increasing"),
        ({"values": ["2020-01-01"], "levels": ["week"]}, "among"),
        ({"values": None}, "start and end"),
        ({"start": "2020-02-01", "end": "2020-01-01"}, "before"),
        ({"values": ["2020-01-01"], "labels": "x"}, "labels"),
    ],
)
def test_date_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        date_hierarchy(**kwargs)


def test_date_unparsable_values_are_not_quoted():
    with pytest.raises(ValueError) as err:
        date_hierarchy(["2020-01-01", SECRET], name="born")
    assert SECRET not in str(err.value) and "'born'" in str(err.value)


# -- ordered_grouping ------------------------------------------------------------------
EDU = ["Preschool", "1st-4th", "5th-6th", "7th-8th", "HS-grad", "Bachelors"]


def test_ordered_grouping_sizes_count_groups_of_the_level_below():
    h = ordered_grouping(EDU, [2, 2])
    assert h.nodes(1) == ["{Preschool, 1st-4th}", "{5th-6th, 7th-8th}", "{HS-grad, Bachelors}"]
    assert h.nodes(2) == ["{Preschool, 1st-4th, 5th-6th, 7th-8th}", "{HS-grad, Bachelors}"]
    assert_nested(h)


def test_ordered_grouping_cycles_and_labels():
    h = ordered_grouping(EDU, [[1, 2], 2], labels="interval")
    assert h.nodes(1) == ["[Preschool, Preschool]", "[1st-4th, 5th-6th]", "[7th-8th, 7th-8th]",
                          "[HS-grad, Bachelors]"]
    h = ordered_grouping(EDU, [3], labels=lambda members: f"{len(members)} levels from {members[0]}")
    assert h.nodes(1) == ["3 levels from Preschool", "3 levels from 7th-8th"]


def test_ordered_grouping_errors():
    with pytest.raises(ValueError, match="distinct"):
        ordered_grouping([SECRET, SECRET], [1])
    with pytest.raises(ValueError, match="positive"):
        ordered_grouping(EDU, [0])
    with pytest.raises(TypeError):
        ordered_grouping("abc", [1])
    with pytest.raises(ValueError, match="same label"):
        ordered_grouping(["a", "b"], [1], labels=lambda m: "x")


# -- usable as is by the estimators -----------------------------------------------------
def _frame():
    rng = np.random.default_rng(1)
    n = 300
    return pd.DataFrame({
        "age": rng.integers(17, 91, n),
        "zip": rng.choice(["02139", "02141", "02142", "10001", "10002"], n),
        "born": pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 20000, n), unit="D"),
        "edu": rng.choice(EDU, n),
    })


def _builders(df):
    return {
        "age": interval_hierarchy(range(0, 120), widths=[5, 10, 20, 40], bounds=(0, 120)),
        "zip": masking_hierarchy(df["zip"]),
        "born": date_hierarchy(start="1950-01-01", end="2010-12-31", levels=["month", "year", "decade"]),
        "edu": ordered_grouping(EDU, [2, 3]),
    }


def test_builders_feed_hierarchy_generalizer():
    df = _frame()
    hs = _builders(df)
    out = HierarchyGeneralizer(hierarchies=hs, levels={"age": 2, "zip": 2, "born": 2, "edu": 1}).fit_transform(df)
    assert "*" not in set(out["age"].astype(str)) | set(out["zip"].astype(str))
    assert "*" not in set(out["born"].astype(str)) | set(out["edu"].astype(str))
    assert out["age"].iloc[0] == hs["age"].generalize([df["age"].iloc[0]], 2)[0]


def test_builders_feed_full_domain_anonymizer():
    df = _frame()
    anon = FullDomainAnonymizer(_builders(df), k=5).fit(df)
    out = anon.transform(df)
    assert anon.n_suppressed_ == 0
    assert out.groupby(list(out.columns), observed=True).size().min() >= 5
    anon = FullDomainAnonymizer(_builders(df), k=5, suppression_limit=0.05).fit(df)
    assert min(anon.levels_.values()) < max(anon.levels_.values())
    for col, h in anon.hierarchies_.items():
        assert isinstance(h, Hierarchy)


# -- ARX's CSV format -----------------------------------------------------------------
def test_to_csv_is_arx_format(tmp_path):
    h = interval_hierarchy([1, 2, 7], widths=[5], labels="range")
    assert h.to_csv() == "1;0-4;*\n2;0-4;*\n7;5-9;*\n"
    assert round_trip(h, tmp_path) == h
    assert round_trip(h, sep=",") == h
    h = Hierarchy.from_dict({'a;b': ['x "y"', "*"], "line\nbreak": ["z", "*"]})
    assert round_trip(h, tmp_path) == h
    with pytest.raises(ValueError, match="sep"):
        h.to_csv(sep=";;")


_label = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029")
    | st.sampled_from([";", '"', ",", " "]),
    min_size=1, max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.integers(-500, 500), st.floats(-500, 500, allow_nan=False)),
                    min_size=1, max_size=40),
    base=st.sampled_from([0.5, 1, 2, 5, 10]),
    factors=st.lists(st.integers(2, 4), max_size=3),
    bounded=st.booleans(),
)
def test_interval_round_trip_and_nesting(values, base, factors, bounded):
    widths = [base]
    for f in factors:
        widths.append(widths[-1] * f)
    bounds = (-100, 300) if bounded else None
    h = interval_hierarchy(values, widths=widths, bounds=bounds)
    assert len(h) == len(set(float(v) for v in values))
    assert h.n_levels == len(widths) + 2
    assert_nested(h)
    assert_intervals_nested(h)
    back = round_trip(h)
    assert back == h
    assert_nested(back)
    # numbers match their leaves after the round trip
    assert (back.leaf_codes(np.asarray(values, dtype=float)) >= 0).all()


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(0, 100), min_size=1, max_size=200),
    n_bins=st.sampled_from([[2], [4, 2], [8, 4], [12, 6, 3], [16, 8, 4, 2]]),
)
def test_interval_quantile_round_trip_and_nesting(values, n_bins):
    with pytest.warns(PrivacyLeakWarning):
        h = interval_hierarchy(values, n_bins=n_bins)
    assert_nested(h)
    assert_intervals_nested(h)
    assert round_trip(h) == h


@settings(max_examples=40, deadline=None)
@given(
    codes=st.lists(st.text("0123456789AZ", min_size=1, max_size=6), min_size=1, max_size=30),
    alignment=st.sampled_from(["left", "right"]),
    order=st.sampled_from(["left", "right"]),
)
def test_masking_round_trip_and_nesting(codes, alignment, order):
    h = masking_hierarchy(codes, alignment=alignment, order=order, padding="0")
    length = max(len(c) for c in codes)
    assert h.n_levels == length + 1
    assert_nested(h)
    assert round_trip(h) == h


@settings(max_examples=40, deadline=None)
@given(
    cats=st.lists(_label.filter(lambda s: s != "*"), min_size=1, max_size=20, unique=True),
    sizes=st.lists(st.one_of(st.integers(1, 4), st.lists(st.integers(1, 3), min_size=1, max_size=3)),
                   min_size=1, max_size=3),
)
def test_ordered_grouping_round_trip_and_nesting(cats, sizes):
    h = ordered_grouping(cats, sizes, labels=lambda m: "|".join(map(repr, m)))
    assert h.leaves.tolist() == cats
    assert_nested(h)
    assert round_trip(h) == h


@settings(max_examples=30, deadline=None)
@given(days=st.lists(st.dates(min_value=pd.Timestamp("1700-01-01").date(),
                              max_value=pd.Timestamp("2200-12-31").date()), min_size=1, max_size=30))
def test_date_round_trip_and_nesting(days):
    h = date_hierarchy(pd.to_datetime(pd.Series(days)),
                       levels=["day", "month", "quarter", "year", "decade", "century"])
    assert_nested(h)
    assert round_trip(h) == h
    assert (h.leaf_codes(pd.to_datetime(pd.Series(days))) >= 0).all()


# -- real data ------------------------------------------------------------------------
def _adult(adult_dir):
    return pd.read_csv(adult_dir / "adult.csv", sep=";")


def test_adult_age_builder_reaches_k(adult_dir):
    df = _adult(adult_dir)
    qis = ["age", "sex", "race"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # declared bounds and widths: nothing read from the data
        age = interval_hierarchy(range(0, 120), widths=[5, 10, 20, 40], bounds=(0, 120), name="age")
    hierarchies = {"age": age}
    for col in ("sex", "race"):
        hierarchies[col] = load_hierarchy(adult_dir / f"adult_hierarchy_{col}.csv")
    for k in (5, 50):
        anon = FullDomainAnonymizer(hierarchies, k=k, suppression_limit=0.01)
        out = anon.fit_transform(df[qis])
        released = out[~(out == "*").all(axis=1)]
        assert len(out) - len(released) <= 0.01 * len(df)
        assert released.groupby(qis, observed=True).size().min() >= k
        assert 1 <= anon.levels_["age"] <= 3


def test_adult_age_quantile_builder_reaches_k(adult_dir):
    df = _adult(adult_dir)
    with pytest.warns(PrivacyLeakWarning):
        age = interval_hierarchy(df["age"], n_bins=[16, 8, 4, 2], name="age")
    assert_nested(age)
    anon = FullDomainAnonymizer({"age": age, "sex": load_hierarchy(adult_dir / "adult_hierarchy_sex.csv")},
                                k=10).fit(df[["age", "sex"]])
    out = anon.transform(df[["age", "sex"]])
    assert out.groupby(["age", "sex"], observed=True).size().min() >= 10


def test_adult_arx_age_hierarchy_rebuilt(adult_dir):
    """ARX's adult_hierarchy_age.csv is a fixed-width hierarchy: widths 5, 10, 20, then
    "*".  Its groups are the integers 1-5, 6-10, ... (grid anchored at 1), while its
    labels name 0-4, 5-9, ... (age 5 is in "0-4", 40 in "35-39", 100 in "95-99"):
    the builder reproduces the partition with bounds (1, 101), and the file itself
    with a callable writing ARX's (shifted) labels."""
    arx = load_hierarchy(adult_dir / "adult_hierarchy_age.csv")
    built = interval_hierarchy(range(1, 101), widths=[5, 10, 20], bounds=(1, 101), labels="range")
    assert built.n_levels == arx.n_levels == 5
    a, b = arx.to_frame(), built.to_frame()
    assert a[0].tolist() == b[0].tolist()
    for lev in range(1, 5):  # same groups at every level
        assert (pd.factorize(a[lev])[0] == pd.factorize(b[lev])[0]).all(), lev
    assert b.iloc[4].tolist() == ["5", "1-5", "1-10", "1-20", "*"]
    assert a.iloc[4].tolist() == ["5", "0-4", "0-9", "0-19", "*"]
    same_file = interval_hierarchy(range(1, 101), widths=[5, 10, 20], bounds=(1, 101),
                                   labels=lambda lo, hi: f"{lo - 1:g}-{hi - 2:g}")
    assert same_file == arx
    text = (adult_dir / "adult_hierarchy_age.csv").read_bytes().decode("utf-8")
    assert same_file.to_csv() == text.replace("\r\n", "\n") + ("" if text.endswith("\n") else "\n")
    # the file itself round-trips through to_csv byte for byte (ARX's format)
    text = (adult_dir / "adult_hierarchy_age.csv").read_text()
    assert arx.to_csv() == text.replace("\r\n", "\n") + ("" if text.endswith("\n") else "\n")
    # and every Adult hierarchy reads back equal after writing
    for path in sorted(adult_dir.glob("adult_hierarchy_*.csv")):
        h = load_hierarchy(path)
        assert round_trip(h) == h, path.name


def test_readme_hierarchy_snippet_runs(tmp_path, monkeypatch):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("### Hierarchies in ARX's format", 1)[1]
    snippet = re.findall(r"```py\n(.*?)```", section, flags=re.S)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(snippet, "README.md", "exec"), {})
    assert (tmp_path / "age.csv").read_text().startswith("0;[0, 5);[0, 10);[0, 40);*\n")


def test_hierarchy_keeps_labels_exact():
    # cells are kept as str (NumPy's fixed-width text would drop a trailing NUL)
    h = Hierarchy.from_dict({"a\x00": ["x", "*"], "a": ["x", "*"], 7: [1.5, "*"]})
    assert h.leaves.tolist() == ["a\x00", "a", "7"]
    assert h.level_labels(1).tolist() == ["x", "x", "1.5"]
    with pytest.raises(ValueError, match="not a tree"):
        Hierarchy.from_dict({"a": ["x", "p"], "b": ["x", "q"], "c": ["y", "q"]})
