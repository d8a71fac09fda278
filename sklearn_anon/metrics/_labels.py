"""The label grammar: what a released (generalized) value says it covers.

Anonymizers write generalized values as text; every measure that reads a
release back (the matching of :mod:`._matching`, NCP in :mod:`._ncp`, the
utility measures of :mod:`._utility`) parses them here:

* an interval ``"[35, 45)"``, ``"(35, 45]"``, ``"[35, 45]"`` (bounds may be
  ``inf``/``-inf``, or dates for a datetime column) or a comparison
  ``"< 30"``, ``"<= 30"``, ``"> 60"``, ``">= 60"``: :func:`parse_intervals`;
* a set ``"{A, B}"``: :func:`parse_sets`;
* an ARX-style range ``"35-44"`` of a numeric column: ``_RANGE_RE``.

The suppression marker ``"*"`` is :data:`sklearn_anon.base.SUPPRESSED`.  The
labels themselves are written by the anonymizers (:mod:`sklearn_anon.generalize`,
:mod:`sklearn_anon.kanonymity`), not here.
"""

import re
import warnings

import numpy as np
import pandas as pd

from .. import _text
from .._frames import datetime_ns

__all__ = []

_NUM = r"[^,\[\]\(\)\{\}<>=]+?"
_INTERVAL_RE = re.compile(rf"^\s*([\[\(])\s*({_NUM})\s*,\s*({_NUM})\s*([\]\)])\s*$")
_COMPARE_RE = re.compile(rf"^\s*(<=|>=|<|>)\s*({_NUM})\s*$")
_SET_RE = re.compile(r"^\s*\{(.*)\}\s*$", re.DOTALL)
#: an ARX-style range ``lo-hi`` of numbers (read by NCP)
_RANGE_RE = r"^\s*(-?[\d.]+)\s*-\s*(-?[\d.]+)\s*$"


def _to_number(texts, kind):
    """Float value of strings for a numeric/datetime column (NaN when not one)."""
    texts = pd.Series(texts, dtype=object)
    if kind == "datetime":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stamps = pd.to_datetime(texts, errors="coerce")
        return datetime_ns(stamps)
    numbers = pd.to_numeric(texts.str.strip(), errors="coerce")
    return np.array(numbers.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


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
        a = _to_number(brackets.loc[has, 1], kind)
        b = _to_number(brackets.loc[has, 2], kind)
        lo[has], hi[has] = a, b
        lo_closed[has] = (brackets.loc[has, 0] == "[").to_numpy()
        hi_closed[has] = (brackets.loc[has, 3] == "]").to_numpy()
        ok[has] = ~np.isnan(a) & ~np.isnan(b)
    compare = texts.str.extract(_COMPARE_RE)
    has = compare[0].notna().to_numpy() & ~ok
    if has.any():
        op = compare.loc[has, 0].to_numpy()
        bound = _to_number(compare.loc[has, 1], kind)
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
    inner = texts.str.extract(_SET_RE)[0]
    inner = inner[inner.notna()]
    if inner.empty:
        return pd.DataFrame({"pos": np.empty(0, dtype=np.int64), "member": []})
    members = inner.str.split(",").explode().str.strip()
    members = members[members.notna() & (members != "")]
    return _text.text_frame(
        {"pos": members.index.to_numpy(dtype=np.int64), "member": members.to_numpy(dtype=object)}
    )
