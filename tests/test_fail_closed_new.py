"""Fail closed, for the estimators and functions of the last two sessions.

``test_fail_closed.py`` and ``test_contracts.py`` hold every discovered
transformer to the contracts with its default parameters.  The properties
here reach what those defaults do not:

* **every column kind** -- :class:`LocalSuppressor` writes its marker into
  any column it is given (interval, period, tz-aware, timedelta, nullable,
  Arrow, categorical, mixed object columns): each cell is kept or
  suppressed, rows keep their count, index and order, the release is
  k-anonymous, and an error never quotes a cell;
* **categories are released** -- :class:`FullDomainAnonymizer` lists among
  the output's categories only labels a released fitted record holds: the
  label of a suppressed class (from a hierarchy built from the data) is
  never listed, in ``fit_transform`` nor in a later ``transform``;
* **builders at the edges** -- dates nanoseconds apart are one leaf (they
  match one key), a missing value is no category of
  :func:`ordered_grouping`, and no builder error quotes a value or names a
  phantom ``column None``;
* **labels tell the truth** -- :func:`interval_hierarchy` puts every leaf
  inside the interval its labels name, or refuses (values so far from the
  grid that int64 interval numbers overflowed got the labels of other
  values); numeric hierarchy keys are matched exactly, also beyond 2**53
  (17-digit codes collided through float64);
* **labels of every kind** -- the record-risk functions read a weight
  column given by an int or tuple label as they read one named by a string;
* **every population** -- k-map refuses a population with duplicated
  column names by name;
* **identifiers before punctuation** -- :class:`TextRedactor` masks an IPv4
  address that ends a sentence.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_anon import (
    SUPPRESSED,
    FullDomainAnonymizer,
    HierarchyGeneralizer,
    LocalSuppressor,
    MondrianAnonymizer,
    TextRedactor,
)
from sklearn_anon.generalize import (
    date_hierarchy,
    interval_hierarchy,
    masking_hierarchy,
    ordered_grouping,
)
from sklearn_anon.metrics import global_risk, individual_risk

SECRET = "ZqSECRETqZ"


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


# ---------------------------------------------------------------------------
# LocalSuppressor: every column kind
# ---------------------------------------------------------------------------
KINDS = ["object", "str", "category", "Int64", "Float64", "float", "bool", "boolean",
         "interval", "period", "datetime-tz", "timedelta", "mixed"]


def _column(kind, codes):
    """A column of ``kind`` from small integer codes (-1: missing where it can be)."""
    codes = np.asarray(codes)
    missing = codes < 0
    c = np.abs(codes)
    if kind in ("object", "str", "category", "mixed"):
        text = np.array([f"v{x}" for x in c], dtype=object)
        text[missing] = None
        if kind == "mixed":  # text, numbers and None in one object column
            text[c % 3 == 1] = c[c % 3 == 1].astype(float)
        if kind == "str":
            return pd.Series(text, dtype="string")
        if kind == "category":
            return pd.Series(text, dtype=object).astype("category")
        return pd.Series(text, dtype=object)
    if kind == "Int64":
        return pd.Series(pd.array(np.where(missing, None, c), dtype="Int64"))
    if kind == "Float64":
        return pd.Series(pd.array(np.where(missing, None, c * 0.5), dtype="Float64"))
    if kind == "float":
        return pd.Series(np.where(missing, np.nan, c * 1.5))
    if kind == "bool":
        return pd.Series(c % 2 == 1)
    if kind == "boolean":
        return pd.Series(pd.array(np.where(missing, None, c % 2 == 1), dtype="boolean"))
    if kind == "interval":
        return pd.Series(pd.arrays.IntervalArray.from_arrays(c * 10, c * 10 + 10))
    if kind == "period":
        return pd.Series(pd.PeriodIndex.from_ordinals(c + 400, freq="M"))
    if kind == "datetime-tz":
        out = pd.Series(pd.Timestamp("2001-01-01", tz="Europe/Paris") + pd.to_timedelta(c, unit="D"))
        return out.mask(missing)
    if kind == "timedelta":
        return pd.Series(pd.to_timedelta(c, unit="h")).mask(missing)
    raise AssertionError(kind)


def _is_missing(value):
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@st.composite
def suppression_tables(draw):
    n_cols = draw(st.integers(1, 3))
    n = draw(st.integers(1, 25))
    kinds = [draw(st.sampled_from(KINDS)) for _ in range(n_cols)]
    frame = pd.DataFrame({
        j: _column(kind, draw(st.lists(st.integers(-1, 4), min_size=n, max_size=n)))
        for j, kind in enumerate(kinds)
    })
    if draw(st.booleans()):  # string names instead of the int labels
        frame.columns = [f"c{j}" for j in range(n_cols)]
    if "object" in kinds and draw(st.booleans()):
        frame.iloc[0, kinds.index("object")] = SECRET
    frame.index = pd.RangeIndex(100, 100 + n)[::-1]
    k = draw(st.integers(1, 4))
    marker = draw(st.sampled_from([SUPPRESSED, None]))
    return frame, k, marker


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=suppression_tables())
def test_local_suppressor_writes_into_every_column_kind(data):
    frame, k, marker = data
    est = LocalSuppressor(k=k, suppress_with=marker)
    try:
        out = _quiet(est.fit_transform, frame)
    except (TypeError, ValueError) as exc:
        assert SECRET not in str(exc)
        assert k > len(frame), f"refused {frame.dtypes.tolist()}: {exc}"
        return
    # rows: count, index, order; the caller's labels
    assert out.index.equals(frame.index)
    assert list(out.columns) == list(frame.columns)
    # every cell is kept or suppressed (the marker, or a missing value)
    for col in frame.columns:
        for before, after in zip(frame[col].astype(object), out[col].astype(object)):
            if _is_missing(after) or (isinstance(after, str) and after == SUPPRESSED):
                continue
            assert not _is_missing(before) and after == before, (col, frame[col].dtype)
    # the release is k-anonymous, a suppressed cell a value of its own
    assert est.k_strict_ >= k
    # the same cells whatever the order of the rows
    again = _quiet(est.transform, frame.iloc[::-1])
    pd.testing.assert_frame_equal(again.iloc[::-1], out)


# ---------------------------------------------------------------------------
# FullDomainAnonymizer: no label of a suppressed class among the categories
# ---------------------------------------------------------------------------
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=st.lists(st.integers(1, 6), min_size=2, max_size=6),
    k=st.integers(2, 4),
    limit=st.sampled_from([0.0, 0.1, 0.3, 1.0]),
)
def test_full_domain_categories_hold_released_labels_only(counts, k, limit):
    codes = [f"{i:03d}{i % 2}" for i in range(len(counts))]  # 4-character codes
    zips = np.repeat(codes, counts)
    frame = pd.DataFrame({"zip": zips, "x": np.arange(len(zips))})
    # a hierarchy built from the data: its leaves are the values themselves
    hierarchy = masking_hierarchy(frame["zip"], levels=[1, 2])
    est = FullDomainAnonymizer({"zip": hierarchy}, k=k, suppression_limit=limit)
    try:
        out = _quiet(est.fit_transform, frame)
    except ValueError:
        return  # no qualifying level vector: nothing is released
    released = set(out["zip"].astype(object)) - {SUPPRESSED}
    assert set(out["zip"].cat.categories) <= released | {SUPPRESSED}
    # a later batch (the rare rows alone) lists the same categories
    rare = frame[frame["zip"].map(frame["zip"].value_counts()) < k]
    if len(rare):
        later = est.transform(rare)
        assert list(later["zip"].cat.categories) == list(out["zip"].cat.categories)
        assert set(later["zip"].astype(object)) <= released | {SUPPRESSED}


# ---------------------------------------------------------------------------
# HierarchyGeneralizer: the categories are labels the fitted values reach
# ---------------------------------------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_codes=st.integers(2, 8),
    fitted=st.data(),
    level=st.integers(0, 2),
)
def test_hierarchy_generalizer_lists_only_labels_the_fit_reached(n_codes, fitted, level):
    # a hierarchy built from a whole population; a release of a part of it
    population = pd.Series([f"{i:03d}{i % 3}" for i in range(n_codes)])
    hierarchy = masking_hierarchy(population, levels=[1, 2])
    part = fitted.draw(st.lists(st.sampled_from(list(population)), min_size=1, max_size=10))
    frame = pd.DataFrame({"zip": part})
    est = HierarchyGeneralizer({"zip": hierarchy}, levels=level)
    out = est.fit_transform(frame)
    reached = set(hierarchy.generalize(frame["zip"], level).astype(object))
    assert set(out["zip"].cat.categories) == reached | {SUPPRESSED}
    assert list(out["zip"].astype(object)) == list(
        hierarchy.generalize(frame["zip"], level).astype(object))
    # the rest of the population, later: a label the fit did not reach is "*"
    later = est.transform(pd.DataFrame({"zip": population}))
    assert list(later["zip"].cat.categories) == list(out["zip"].cat.categories)
    expected = [lab if lab in reached else SUPPRESSED
                for lab in hierarchy.generalize(population, level).astype(object)]
    assert list(later["zip"].astype(object)) == expected


# ---------------------------------------------------------------------------
# hierarchy builders: the labels tell the truth
# ---------------------------------------------------------------------------
_INTERVAL = re.compile(r"\[(-?[0-9.e+]+), (-?[0-9.e+]+)\)")


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.one_of(st.integers(-10**6, 10**6).map(float),
                              st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)),
                    min_size=1, max_size=6),
    width=st.integers(1, 1000),
)
def test_interval_hierarchy_labels_contain_their_leaves(values, width):
    try:
        h = interval_hierarchy(values, widths=[width, 2 * width], precision=0)
    except ValueError as exc:
        assert any(why in str(exc) for why in ("2**53", "too small", "same label")), str(exc)
        return
    table = h.to_frame()
    for row in table.itertuples(index=False):
        leaf = float(row[0])
        for label in row[1:-1]:
            m = _INTERVAL.fullmatch(label)
            assert m, label
            assert float(m.group(1)) <= leaf < float(m.group(2)), (leaf, label)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(10**15, 10**18), min_size=1, max_size=6, unique=True))
def test_numeric_keys_are_matched_exactly(codes):
    values = pd.Series(codes, dtype="int64")
    h = masking_hierarchy(values)
    leaves = list(h.leaves)
    assert sorted(leaves) == sorted(str(c) for c in codes)
    for given_values in (values, values.astype("Int64"), values.astype(object), list(codes)):
        found = h.leaf_codes(given_values)
        assert [leaves[i] for i in found] == [str(c) for c in codes]
    # a code that is no leaf is unknown (never another code's leaf)
    others = pd.Series([c + 1 for c in codes if c + 1 not in set(codes)], dtype="int64")
    assert (h.leaf_codes(others) == -1).all()


# ---------------------------------------------------------------------------
# record risk: weights named by any kind of column label
# ---------------------------------------------------------------------------
_LABELS = {
    "int": [0, 1, 2],
    "shifted-int": [10, 11, 12],
    "tuple": pd.MultiIndex.from_tuples([("a", "x"), ("b", "x"), ("w", "x")]),
}


@pytest.mark.parametrize("labels", list(_LABELS))
@pytest.mark.parametrize("func", [individual_risk, global_risk], ids=["individual", "global"])
def test_weights_column_by_any_label(func, labels):
    named = pd.DataFrame({"a": list("xyxyxz"), "b": [1.0, 2, 1, 2, 1, 3],
                          "w": [2.0, 3, 4, 5, 6, 7]})
    expected = func(named, ["a", "b"], "w")
    relabelled = named.set_axis(_LABELS[labels], axis=1)
    cols = list(relabelled.columns)
    got = func(relabelled, cols[:2], cols[2])
    if isinstance(expected, pd.DataFrame):
        np.testing.assert_allclose(got["risk"].to_numpy(), expected["risk"].to_numpy())
    else:
        assert got == pytest.approx(expected)


@pytest.mark.parametrize("weights", [3.0, 7, np.ones(6, dtype=bool), "bool"])
def test_weights_that_are_no_sampling_weights_are_refused(weights):
    frame = pd.DataFrame({0: list("xyxyxz"), 1: [1.0, 2, 1, 2, 1, 3], 2: [2.0] * 6,
                          "bool": [True] * 6})
    with pytest.raises(ValueError, match="weights"):
        individual_risk(frame, [0, 1], weights)


# ---------------------------------------------------------------------------
# k-map: the population's columns
# ---------------------------------------------------------------------------
def _kmap_data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"age": rng.integers(20, 60, 40), "sex": rng.choice(["F", "M"], 40)})
    pop = pd.DataFrame({"age": rng.integers(20, 60, 200), "sex": rng.choice(["F", "M"], 200)})
    hierarchies = {"age": {str(a): [f"{a // 10 * 10}s", "*"] for a in range(20, 60)},
                   "sex": {"F": ["*"], "M": ["*"]}}
    return X, pop, hierarchies


@pytest.mark.parametrize("make", ["full-domain", "mondrian"])
def test_population_with_duplicated_columns_is_refused(make):
    X, pop, hierarchies = _kmap_data()
    pop = pop.assign(extra=pop["sex"])
    pop.columns = ["age", "sex", "sex"]
    est = (FullDomainAnonymizer(hierarchies, k=2, k_map=5) if make == "full-domain"
           else MondrianAnonymizer(k=2, k_map=5))
    with pytest.raises(ValueError, match="population has duplicated column names: column 'sex'"):
        _quiet(est.fit, X, population=pop)


# ---------------------------------------------------------------------------
# TextRedactor: an address that ends a sentence
# ---------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    octets=st.lists(st.integers(0, 255), min_size=4, max_size=4),
    after=st.sampled_from([".", ",", ";", ":", "!", "?", ")", ". Then", ".\n", ""]),
)
def test_ipv4_before_punctuation_is_masked(octets, after):
    ip = ".".join(map(str, octets))
    X = pd.DataFrame({"note": [f"login from {ip}{after}"]})
    out = TextRedactor(kinds=["ip_address"]).fit_transform(X)["note"].iloc[0]
    assert ip not in out
    assert out == f"login from [IP]{after}"
    # five numbers are no address
    kept = TextRedactor(kinds=["ip_address"]).fit_transform(
        pd.DataFrame({"note": [f"version {ip}.7"]}))["note"].iloc[0]
    assert kept == f"version {ip}.7"


# ---------------------------------------------------------------------------
# hierarchy builders: inputs at the edges
# ---------------------------------------------------------------------------
def test_date_hierarchy_dates_sharing_a_leaf_are_one_leaf():
    # nanoseconds apart: one leaf (the key a value matches has microseconds)
    values = pd.Series(pd.to_datetime(["2001-01-01 10:00:00.000000001",
                                       "2001-01-01 10:00:00.000000002"]))
    h = date_hierarchy(values, levels=["month"])
    assert len(h.leaves) == 1
    assert (h.leaf_codes(values) == 0).all()


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, pd.NaT])
def test_ordered_grouping_refuses_a_missing_category(missing):
    with pytest.raises(ValueError, match="missing values"):
        ordered_grouping(["a", missing, "b"], [2])


@pytest.mark.parametrize("build", [
    lambda v: interval_hierarchy(v, widths=[10]),
    lambda v: date_hierarchy(v),
], ids=["interval", "date"])
def test_builder_errors_name_no_value_and_no_phantom_column(build):
    with pytest.raises((TypeError, ValueError)) as info:
        build([1, SECRET])
    assert SECRET not in str(info.value)
    assert "column None" not in str(info.value)
