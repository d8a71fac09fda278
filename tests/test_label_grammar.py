"""The label grammar (sklearn_anon._labels): what is written is what is read back."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_anon import _labels
from sklearn_anon._labels import (
    band_labels,
    fmt_numbers,
    format_datetime,
    format_set,
    interval_labels,
    parse_intervals,
    parse_sets,
    region_labels,
    round_sig,
)

# edges the generalizers write: whole numbers and decimals of at most 3 digits
_EDGE = st.one_of(
    st.integers(-10**9, 10**9).map(float),
    st.decimals(-10**6, 10**6, places=3, allow_nan=False, allow_infinity=False).map(float),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_EDGE, min_size=2, max_size=8, unique=True), st.booleans(), st.booleans(),
       st.booleans())
def test_interval_labels_round_trip(edges, right, open_ends, infinite):
    edges = np.sort(np.asarray(edges, dtype=np.float64))
    if infinite:
        edges[0], edges[-1] = -np.inf, np.inf
    labels = interval_labels(edges, right, 3, open_ends)
    lo, hi, lo_closed, hi_closed, ok = parse_intervals(labels)
    assert ok.all()
    n = len(labels)
    for i in range(n):
        first, last = open_ends and i == 0 and n > 1, open_ends and i == n - 1 and n > 1
        want_lo = -np.inf if first else edges[i]
        want_hi = np.inf if last else edges[i + 1]
        assert lo[i] == want_lo and hi[i] == want_hi
        if first:  # "< b" / "<= b"
            assert hi_closed[i] == right
        elif last:  # ">= a" / "> a"
            assert lo_closed[i] == (not right)
        else:
            assert (lo_closed[i], hi_closed[i]) == ((False, True) if right else (True, False))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e12, 1e12), st.floats(-1e12, 1e12)), min_size=1,
                max_size=10),
       st.integers(1, 6))
def test_region_labels_round_trip(pairs, digits):
    pairs = np.sort(np.asarray(pairs, dtype=np.float64), axis=1)
    lo, hi = pairs[:, 0], pairs[:, 1]
    lo_t = [round_sig(v, digits, "down") for v in lo]
    hi_t = [round_sig(v, digits, "up") for v in hi]
    labels = region_labels(lo_t, hi_t)
    p_lo, p_hi, lo_closed, hi_closed, ok = parse_intervals(labels)
    is_interval = np.array([t != h for t, h in zip(lo_t, hi_t)])
    assert (ok == is_interval).all()  # a single value is written (and read) as itself
    assert (p_lo[ok] <= lo[ok]).all() and (p_hi[ok] >= hi[ok]).all()  # rounded outwards
    assert lo_closed[ok].all() and hi_closed[ok].all()
    exact = region_labels(fmt_numbers(lo), fmt_numbers(hi))
    e_lo, e_hi, _, _, e_ok = parse_intervals(exact)
    assert (e_lo[e_ok] == lo[e_ok]).all() and (e_hi[e_ok] == hi[e_ok]).all()


_MEMBER = st.text(st.characters(blacklist_characters=",{}", blacklist_categories=("Cs", "Z", "C")),
                  min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_MEMBER, min_size=2, max_size=5, unique=True), min_size=1, max_size=5))
def test_set_labels_round_trip(sets):
    labels = [format_set(members) for members in sets]
    parsed = parse_sets(labels)
    for pos, members in enumerate(sets):
        assert parsed.loc[parsed["pos"] == pos, "member"].tolist() == members


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                    max_value=pd.Timestamp("2200-01-01").to_pydatetime()),
       st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                    max_value=pd.Timestamp("2200-01-01").to_pydatetime()))
def test_datetime_region_round_trip(a, b):
    a, b = sorted([pd.Timestamp(a).floor("s"), pd.Timestamp(b).floor("s")])
    lo_t, hi_t = format_datetime(a.value // 10**9, "s"), format_datetime(b.value // 10**9, "s")
    label = region_labels([lo_t], [hi_t])
    lo, hi, _, _, ok = parse_intervals(label, kind="datetime")
    if a == b:
        assert not ok[0] and label[0] == lo_t
    else:
        assert ok[0] and lo[0] == a.value and hi[0] == b.value


def test_band_labels_are_ranges_the_measures_read():
    labels = band_labels(np.array([-np.inf, 18, 30, 31, 65, np.inf]), False, 3)
    assert labels == ["<= 17", "18-29", "30", "31-64", "65+"]
    ranges = pd.Series(labels[1:4]).str.extract(_labels.RANGE_RE)
    assert ranges.iloc[[0, 2]].astype(float).to_numpy().tolist() == [[18, 29], [31, 64]]
    lo, hi, _, hi_closed, ok = parse_intervals(labels[:1])
    assert ok[0] and hi[0] == 17 and hi_closed[0]
