"""The label grammar: how a released (generalized) value is written, and read back.

One module owns both directions, so what the anonymizers write is what the
measures parse (a property test checks the round trip,
``tests/test_label_grammar.py``).  A bottom module: it imports no family.

Writing (:mod:`sklearn_anon.generalize`, :mod:`sklearn_anon.kanonymity`):

* numbers: :func:`fmt_number` / :func:`fmt_numbers` (shortest exact text,
  integers without decimals), :func:`round_sig` (significant digits,
  rounded outwards for region bounds), :func:`format_edge` (a bin edge at
  a precision);
* intervals: :func:`interval_labels` -- ``"[a, b)"`` / ``"(a, b]"``, open
  outer bins ``"< b"`` / ``"<= b"`` / ``">= a"`` / ``"> a"``; a closed
  region ``"[lo, hi]"`` (or its single value) of Mondrian;
* whole-number bands: :func:`band_labels` -- ``"20-34"``, ``"80+"``,
  ``"<= 17"`` (age bands);
* sets: :func:`format_set` -- ``"{a, b}"``;
* dates: :func:`format_datetime` -- ``"2020-01-31"`` or
  ``"2020-01-31 12:00:00"``.

Reading (:mod:`sklearn_anon.metrics`: matching, NCP, utility):

* an interval ``"[35, 45)"``, ``"(35, 45]"``, ``"[35, 45]"`` (bounds may be
  ``inf``/``-inf``, or dates for a datetime column) or a comparison
  ``"< 30"``, ``"<= 30"``, ``"> 60"``, ``">= 60"``: :func:`parse_intervals`;
* a set ``"{A, B}"``: :func:`parse_sets`;
* an ARX-style range ``"35-44"`` of a numeric column: ``RANGE_RE``.

The suppression marker ``"*"`` is :data:`sklearn_anon.base.SUPPRESSED`.
"""

import re
import warnings
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

import numpy as np
import pandas as pd

from . import _text
from ._frames import datetime_ns

__all__ = [
    "RANGE_RE",
    "SET_RE",
    "band_labels",
    "fmt_number",
    "fmt_numbers",
    "format_datetime",
    "format_edge",
    "format_set",
    "interval_labels",
    "parse_intervals",
    "parse_sets",
    "region_labels",
    "round_sig",
    "to_number",
]


# -- writing -------------------------------------------------------------------
def fmt_numbers(values):
    """:func:`fmt_number` over an array (vectorized): object array of text."""
    values = np.asarray(values, dtype=np.float64)
    text = values.astype(str).astype(object)
    ints = np.isfinite(values) & (np.round(values) == values) & (np.abs(values) < 1e15)
    text[ints] = values[ints].astype(np.int64).astype(str).astype(object)
    # numpy writes 1e+20 / 1e-07 in scientific notation: redo those one by one
    odd = ~ints & (np.char.find(values.astype(str), "e") >= 0)
    for i in np.flatnonzero(odd):
        text[i] = fmt_number(values[i])
    return text


def fmt_number(x):
    """Shortest exact text of a number; integers without decimals."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return np.format_float_positional(x, trim="-")


_ROUNDING = {"down": ROUND_FLOOR, "up": ROUND_CEILING, "nearest": ROUND_HALF_EVEN}


def round_sig(x, digits, direction):
    """Text of ``x`` rounded to ``digits`` significant digits.

    ``direction`` is ``"down"`` (towards -inf), ``"up"`` (towards +inf) or
    ``"nearest"``.  Exact decimal arithmetic on the shortest text of the
    float, so ``float(round_sig(x, d, "down")) <= x <= float(round_sig(x, d,
    "up"))`` always holds.
    """
    x = float(x)
    if x == 0 or not np.isfinite(x):
        return fmt_number(x)
    d = Decimal(repr(x))
    quantum = Decimal(1).scaleb(d.adjusted() - int(digits) + 1)
    text = format(d.quantize(quantum, rounding=_ROUNDING[direction]), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_edge(x, precision):
    """Format a bin edge: integers without decimals, others rounded."""
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.{precision}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _distinct_edge_texts(edges, precision):
    """Edges as text with ``precision`` decimals, more where two distinct edges
    would read the same (``1e-7`` and ``2e-7`` are both ``"0"`` at 3 decimals):
    a label never names a different interval than its bin."""
    distinct = len(set(map(float, edges)))
    for digits in range(int(precision), 21):
        texts = [format_edge(x, digits) for x in edges]
        if len(set(texts)) == distinct:
            return texts
    return [format_edge(x, 0) if np.isinf(x) else fmt_number(x) for x in edges]


def interval_labels(edges, right, precision, open_ends):
    """Labels ``"[a, b)"`` / ``"(a, b]"``; open outer bins as ``"< b"`` / ``">= a"``."""
    lo_br, hi_br = ("(", "]") if right else ("[", ")")
    texts = _distinct_edge_texts(edges, precision)
    labels = []
    n = len(edges) - 1
    for i in range(n):
        a, b = texts[i], texts[i + 1]
        if open_ends and i == 0 and n > 1:
            labels.append(f"<= {b}" if right else f"< {b}")
        elif open_ends and i == n - 1 and n > 1:
            labels.append(f"> {a}" if right else f">= {a}")
        else:
            labels.append(f"{lo_br}{a}, {b}{hi_br}")
    return labels


def band_labels(edges, right, precision):
    """``"20-34"`` labels for whole-year bins; interval labels for fractional edges.

    A bin holding one whole year is that year; open outer bins are
    ``"<= b"`` and ``"a+"``.
    """
    finite = edges[np.isfinite(edges)]
    if not np.all(finite == np.round(finite)):
        return interval_labels(edges, right, precision, open_ends=False)
    labels = []
    for a, b in zip(edges[:-1], edges[1:]):
        lo = a + 1 if right else a  # first whole year in the bin
        hi = b if right else b - 1  # last whole year in the bin
        if np.isinf(b):
            labels.append(f"{format_edge(lo, 0)}+")
        elif np.isinf(a):
            labels.append(f"<= {format_edge(hi, 0)}")
        elif lo == hi:
            labels.append(format_edge(lo, 0))
        else:
            labels.append(f"{format_edge(lo, 0)}-{format_edge(hi, 0)}")
    return labels


def region_labels(lo_texts, hi_texts):
    """``"[lo, hi]"`` per region from the texts of its bounds, the single value when they are equal.

    Vectorized (object arrays or Series of text); the bounds' texts come
    from :func:`fmt_numbers`, :func:`round_sig` or :func:`format_datetime`.
    """
    lo_s = pd.Series(np.asarray(lo_texts, dtype=object), dtype=object)
    hi_s = pd.Series(np.asarray(hi_texts, dtype=object), dtype=object)
    lab = ("[" + lo_s + ", " + hi_s + "]").to_numpy(dtype=object)
    return np.where(lo_s.to_numpy() == hi_s.to_numpy(), lo_s.to_numpy(dtype=object), lab)


def format_set(members):
    """``"{a, b}"``: a generalized value standing for several values (``str`` of each)."""
    return "{" + ", ".join(str(m) for m in members) + "}"


def format_datetime(x, unit):
    """A date or time, ``x`` a count of ``unit`` (``"s"``, ``"ms"``, ``"us"``, ``"ns"``) since the epoch.

    ``"2020-01-31"`` at midnight, else ``"2020-01-31 12:00:00"``; beyond
    Python's years 1..9999, numpy's ISO text (same two forms).  Read back by
    :func:`parse_intervals` with ``kind="datetime"``.
    """
    d64 = np.datetime64(int(round(x)), unit)
    try:
        ts = pd.Timestamp(d64)
        return str(ts.date()) if ts == ts.normalize() else str(ts)
    except (ValueError, OverflowError, NotImplementedError):
        text = np.datetime_as_string(d64)
        day, _, time = text.partition("T")
        return day if not time.strip("0:.") else f"{day} {time}"


# -- reading -------------------------------------------------------------------
_NUM = r"[^,\[\]\(\)\{\}<>=]+?"
_INTERVAL_RE = re.compile(rf"^\s*([\[\(])\s*({_NUM})\s*,\s*({_NUM})\s*([\]\)])\s*$")
_COMPARE_RE = re.compile(rf"^\s*(<=|>=|<|>)\s*({_NUM})\s*$")
SET_RE = re.compile(r"^\s*\{(.*)\}\s*$", re.DOTALL)
#: an ARX-style range ``lo-hi`` of numbers (read by NCP)
RANGE_RE = r"^\s*(-?[\d.]+)\s*-\s*(-?[\d.]+)\s*$"


def to_number(texts, kind):
    """Float value of strings for a numeric/datetime column (NaN when not one)."""
    texts = pd.Series(texts, dtype=object)
    if kind == "datetime":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stamps = pd.to_datetime(texts, errors="coerce")
        return datetime_ns(stamps)
    stripped = texts.str.strip()
    numbers = pd.to_numeric(stripped, errors="coerce")
    values = np.array(numbers.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    ok = ~np.isnan(values)
    if ok.any():
        # the exact value of each number pandas recognized: pandas < 3 rounds long
        # decimals ("0.30000000000000004", "0.000000000000000012345"), which
        # fmt_number writes for the exact bounds of a region
        try:
            values[ok] = stripped.to_numpy(dtype=object)[ok].astype(str).astype(np.float64)
        except ValueError:  # a form numpy does not read: keep pandas' value
            pass
    return values


def parse_intervals(texts, kind="numeric"):
    """Parse interval strings: ``(lo, hi, lo_closed, hi_closed, is_interval)`` arrays.

    Understands ``"[a, b)"``-style brackets and ``"< b"``, ``"<= b"``,
    ``"> a"``, ``">= a"``; bounds may be ``inf``/``-inf``.  For a datetime
    column the bounds are parsed as dates (float nanoseconds).
    """
    texts = _text.text_series(pd.Series(texts, dtype=object))
    n = len(texts)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    lo_closed = np.zeros(n, dtype=bool)
    hi_closed = np.zeros(n, dtype=bool)
    ok = np.zeros(n, dtype=bool)
    if n == 0:
        return lo, hi, lo_closed, hi_closed, ok
    brackets = texts.str.extract(_INTERVAL_RE)
    has = brackets[0].notna().to_numpy()
    if has.any():
        a = to_number(brackets.loc[has, 1], kind)
        b = to_number(brackets.loc[has, 2], kind)
        lo[has], hi[has] = a, b
        lo_closed[has] = (brackets.loc[has, 0] == "[").to_numpy()
        hi_closed[has] = (brackets.loc[has, 3] == "]").to_numpy()
        ok[has] = ~np.isnan(a) & ~np.isnan(b)
    compare = texts.str.extract(_COMPARE_RE)
    has = compare[0].notna().to_numpy() & ~ok
    if has.any():
        op = compare.loc[has, 0].to_numpy()
        bound = to_number(compare.loc[has, 1], kind)
        upper = (op == "<") | (op == "<=")
        lo[has] = np.where(upper, -np.inf, bound)
        hi[has] = np.where(upper, bound, np.inf)
        lo_closed[has] = op == ">="
        hi_closed[has] = op == "<="
        ok[has] = ~np.isnan(bound)
    return lo, hi, lo_closed, hi_closed, ok


def parse_sets(texts):
    """Members of set strings ``"{A, B}"``: a long frame ``(position, member)``."""
    texts = _text.text_series(pd.Series(texts, dtype=object))
    inner = texts.str.extract(SET_RE)[0]
    inner = inner[inner.notna()]
    if inner.empty:
        return pd.DataFrame({"pos": np.empty(0, dtype=np.int64), "member": []})
    members = inner.str.split(",").explode().str.strip()
    members = members[members.notna() & (members != "")]
    return _text.text_frame(
        {"pos": members.index.to_numpy(dtype=np.int64), "member": members.to_numpy(dtype=object)}
    )
