"""Hierarchy builders: ARX-style generalization hierarchies from a rule.

Each builder returns a :class:`~sklearn_anon.generalize.Hierarchy` (one row
per leaf value, one column per level, the top level ``"*"``) that
:class:`~sklearn_anon.HierarchyGeneralizer` and
:class:`~sklearn_anon.FullDomainAnonymizer` take as is, and that
:meth:`~sklearn_anon.generalize.Hierarchy.to_csv` writes in ARX's CSV
format (read back with :func:`~sklearn_anon.generalize.load_hierarchy`).

- :func:`interval_hierarchy`: numbers to intervals, fixed widths or
  quantiles per level (ARX's ``HierarchyBuilderIntervalBased``);
- :func:`masking_hierarchy`: codes masked character by character from the
  right (ARX's ``HierarchyBuilderRedactionBased``);
- :func:`date_hierarchy`: dates to day, month, quarter, year, decade,
  century (ARX's ``HierarchyBuilderDate``);
- :func:`ordered_grouping`: ordered categories grouped in runs (ARX's
  ``HierarchyBuilderOrderBased``).

Every level is a coarsening of the one below it (each node has one parent):
the builders choose their parameters so that it holds and
:class:`~sklearn_anon.generalize.Hierarchy` checks it again.  Errors name
parameters and counts, never a value.
"""

from __future__ import annotations

import itertools
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .. import _text
from .._compat import PrivacyLeakWarning
from .._hierarchy import Hierarchy, datetime_keys
from ..base import SUPPRESSED
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date
    from typing import Any, Callable, Literal, Sequence
    from .._typing import ArrayLike

__all__ = ["date_hierarchy", "interval_hierarchy", "masking_hierarchy", "ordered_grouping"]

#: largest table a builder makes (leaves enumerated from ``length`` / dates)
MAX_LEAVES = 2_000_000


def _where(name):
    return f" for {name!r}" if name is not None else ""


@contextmanager
def _values_hidden(what, name):
    """pandas / numpy errors about the values, re-raised without them (they
    may quote a value); ``what`` says what could not be done."""
    try:
        yield
    except (ValueError, TypeError, OverflowError) as exc:
        kind = TypeError if isinstance(exc, TypeError) else ValueError
        raise kind(f"{what}{_where(name)}.") from None


def _finish(levels, leaves, name):
    """A Hierarchy from leaf labels and per-level labels, ``"*"`` on top."""
    table = np.empty((len(leaves), len(levels) + 2), dtype=object)
    table[:, 0] = leaves
    for j, labels in enumerate(levels, start=1):
        table[:, j] = labels
    table[:, -1] = SUPPRESSED
    return Hierarchy(table, name=name)


def _check_labels_unique(keys, labels, name, what):
    """Distinct nodes must get distinct labels (else two nodes would merge)."""
    pairs = pd.DataFrame({"k": pd.Series(keys, dtype=object), "l": pd.Series(labels, dtype=object)})
    pairs = pairs.drop_duplicates()
    if pairs["l"].duplicated().any():
        raise ValueError(
            f"Two different {what}{_where(name)} get the same label; "
            "raise `precision` or give `labels` as a callable."
        )


# -- numbers ---------------------------------------------------------------------
def _numbers_text(values):
    """Leaf labels of numbers: ``"39"`` for integers, else NumPy's shortest
    round-tripping repr (``"23.5"``, ``"1e-300"``)."""
    out = np.empty(len(values), dtype=object)
    whole = (values == np.floor(values)) & (np.abs(values) < 2**53)
    out[whole] = values[whole].astype(np.int64).astype(str).astype(object)
    out[~whole] = values[~whole].astype(str).astype(object)
    return out


def _edge_text(x, precision):
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    x = float(x)
    if x.is_integer():
        return str(int(x))  # exact, however large
    text = f"{x:.{precision}f}"
    if "." in text:  # trailing zeros of the decimals only ("100" stays "100")
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _numeric_values(values, name):
    if not isinstance(values, (pd.Series, pd.Index)):
        # a list or an array: None in a list is a missing value, as NaN
        try:
            values = pd.Series(np.asarray(values, dtype=object).ravel()).infer_objects()
        except (TypeError, ValueError):
            raise TypeError(f"interval_hierarchy{_where(name)} needs numeric values.") from None
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        if not (pd.api.types.is_object_dtype(dtype) and pd.Series(values).isna().all()):
            raise TypeError(f"interval_hierarchy{_where(name)} needs numeric values.")
    with _values_hidden("interval_hierarchy needs numeric values", name):
        arr = pd.Series(values).astype(np.float64).to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(arr).any():
        raise ValueError(f"interval_hierarchy{_where(name)}: values must be finite (or NaN, dropped).")
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        raise ValueError(f"interval_hierarchy{_where(name)} needs at least one value.")
    return arr


def _checked_bounds(bounds, name):
    if bounds is None:
        return None, None
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"bounds{_where(name)} must be a pair (low, high) of numbers.") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"bounds{_where(name)} must be finite with low < high.")
    return lo, hi


def _checked_widths(widths, name):
    ws = list(widths) if not isinstance(widths, Real) else [widths]
    if not ws:
        raise ValueError(f"widths{_where(name)} must hold at least one width.")
    out = []
    for w in ws:
        if isinstance(w, bool) or not isinstance(w, Real) or not np.isfinite(w) or w <= 0:
            raise ValueError(f"widths{_where(name)} must be positive finite numbers.")
        out.append(float(w))
    factors = [1]
    for prev, w in zip(out, out[1:]):
        ratio = w / prev
        m = round(ratio)
        if m < 2 or abs(ratio - m) > 1e-9 * m:
            raise ValueError(
                f"widths{_where(name)} must increase, each a whole multiple of the one "
                "before (5, 10, 20, ...), so that every level nests the previous one."
            )
        factors.append(int(m))
    return out, factors


def _checked_n_bins(n_bins, name):
    ns = list(n_bins) if not isinstance(n_bins, Integral) else [n_bins]
    if not ns or any(isinstance(n, bool) or not isinstance(n, Integral) or n < 2 for n in ns):
        raise ValueError(f"n_bins{_where(name)} must be integers >= 2.")
    ns = [int(n) for n in ns]
    for prev, n in zip(ns, ns[1:]):
        if n >= prev or prev % n:
            raise ValueError(
                f"n_bins{_where(name)} must decrease, each dividing the one before "
                "(16, 8, 4, 2, ...), so that every level nests the previous one."
            )
    return ns


def _interval_label_fn(labels, precision, name, integral):
    if callable(labels):
        def fn(a, b):
            text = labels(float(a), float(b))
            if not isinstance(text, str) or not text:
                raise ValueError(f"labels{_where(name)} must return a non-empty str.")
            return text
        return fn
    if labels not in ("interval", "arx", "range"):
        raise ValueError(f"labels{_where(name)} must be 'interval', 'arx', 'range' or a callable.")
    if labels == "range" and not integral:
        raise ValueError(
            f"labels='range'{_where(name)} needs integer values and interval edges "
            "('a-b' covers the integers a..b); use 'interval' or 'arx'."
        )
    gap = "" if labels == "arx" else " "

    def fn(a, b):
        if np.isinf(a) and np.isinf(b):
            return SUPPRESSED
        if np.isinf(a):
            return f"<{gap}{_edge_text(b, precision)}"
        if np.isinf(b):
            return f">={gap}{_edge_text(a, precision)}"
        if labels == "range":
            return f"{_edge_text(a, precision)}-{_edge_text(b - 1, precision)}"
        close = "[" if labels == "arx" else ")"
        return f"[{_edge_text(a, precision)}, {_edge_text(b, precision)}{close}"
    return fn


def interval_hierarchy(
    values: ArrayLike,
    *,
    widths: Sequence[float] | None = None,
    n_bins: Sequence[int] | None = None,
    bounds: tuple[float, float] | None = None,
    labels: Literal["interval", "arx", "range"] | Callable[..., Any] = "interval",
    precision: int = 3,
    name: str | None = None,
) -> Hierarchy:
    """Hierarchy of nested intervals for a numeric column.

    The leaves are the distinct values of ``values`` (a column, or a
    declared domain such as ``range(0, 120)``); level ``j`` maps each leaf
    to its interval, every interval of level ``j`` lies inside one interval
    of level ``j + 1`` (checked), and the top level is ``"*"``.  Intervals
    are half-open, ``[a, b)``, as ARX's ``[a, b[``.

    Parameters
    ----------
    values : array-like of numbers
        The leaf values; NaN is dropped.  With ``n_bins`` the quantiles are
        taken over ``values`` as given (repeats count), so pass the column.
    widths : sequence of float, optional
        Fixed widths, one per level, increasing, each a whole multiple of the
        previous one (``[5, 10, 20]``).  Intervals are ``[a + i * w, a + (i
        + 1) * w)`` with ``a = bounds[0]``, or ``a = 0`` without bounds.
    n_bins : sequence of int, optional
        Quantile-based levels: the number of bins per level, decreasing,
        each dividing the previous one (``[16, 8, 4]``).  Level 1 cuts at
        the ``1/n, 2/n, ...`` quantiles of ``values`` (rounded to
        ``precision`` decimals; equal cuts merge); level ``j`` keeps every
        ``n_1 / n_j``-th cut of level 1, so it nests level 1.  The cuts are
        read from the data: a :class:`~sklearn_anon.PrivacyLeakWarning` is
        raised.  Without ``bounds`` the outer intervals are open
        (``"< a"``, ``">= b"``), so the minimum and maximum are not written.
        Give exactly one of ``widths`` and ``n_bins``.
    bounds : (float, float) or None, default=None
        Declared public range ``[low, high)``.  A value below ``low`` is
        bottom-coded (``"< low"`` at every level below the top), a value at
        or above ``high`` top-coded (``">= high"``), as ARX does; the last
        interval of a level is cut at ``high``.  The bounds are never read
        from the data: without them the width grid starts at 0 and is
        unbounded, and quantile levels have open ends.
    labels : {"interval", "arx", "range"} or callable, default="interval"
        ``"interval"``: ``"[20, 25)"`` (the package's label grammar, which
        :mod:`sklearn_anon.metrics` reads); ``"arx"``: ARX's ``"[20, 25["``
        (``"<20"``, ``">=100"`` for the coded ends); ``"range"``: ``"20-24"``,
        the integers covered, as in ARX's Adult files (integer values and
        edges only); a callable ``(low, high) -> str`` (``low`` / ``high``
        may be infinite).
    precision : int, default=3
        Decimals of the edges in labels (and of the quantile cuts).
    name : str or None, default=None
        Name of the hierarchy (the column), used in messages.

    Returns
    -------
    Hierarchy
        Leaves in increasing order, ``len(widths or n_bins) + 2`` levels.

    Warns
    -----
    PrivacyLeakWarning
        With ``n_bins``: the quantile cuts are computed from ``values``.

    See Also
    --------
    sklearn_anon.IntervalGeneralizer : one level of intervals, as a transformer.

    Notes
    -----
    ARX's builder repeats a list of user intervals and groups ``m``
    intervals of one level into the next; fixed widths that are multiples
    give the same nesting.  Differences: ARX errors on values outside its
    "minimum/maximum" range and has separate snap/coding bounds, here
    ``bounds`` is the one coding range; ARX adds ``"*"`` only when the last
    level has more than one node, here ``"*"`` is always the top.

    Examples
    --------
    >>> from sklearn_anon.generalize import interval_hierarchy
    >>> h = interval_hierarchy(range(0, 100), widths=[5, 10, 20], bounds=(0, 90))
    >>> h.ancestors(37)
    ['37', '[35, 40)', '[30, 40)', '[20, 40)', '*']
    >>> h.ancestors(93)
    ['93', '>= 90', '>= 90', '>= 90', '*']
    >>> interval_hierarchy(range(1, 101), widths=[5, 10], labels="range").ancestors(39)
    ['39', '35-39', '30-39', '*']
    """
    if (widths is None) == (n_bins is None):
        raise ValueError(f"interval_hierarchy{_where(name)}: give exactly one of widths and n_bins.")
    if isinstance(precision, bool) or not isinstance(precision, Integral) or precision < 0:
        raise ValueError("precision must be a non-negative integer.")
    x = _numeric_values(values, name)
    leaves = np.unique(x)
    lo, hi = _checked_bounds(bounds, name)
    n = len(leaves)
    inside = np.ones(n, dtype=bool)
    if lo is not None:
        inside = (leaves >= lo) & (leaves < hi)
    v = leaves[inside]
    level_bounds = []  # per level: (a, b) arrays for the leaves inside
    if widths is not None:
        ws, factors = _checked_widths(widths, name)
        anchor = 0.0 if lo is None else lo
        steps = (v - anchor) / ws[0]
        if v.size and not np.all(np.abs(steps) < 2.0 ** 53):
            # int64 interval numbers would overflow (or lose their unit):
            # wrong labels, never an error, without this check
            raise ValueError(
                f"interval_hierarchy{_where(name)}: the values lie more than 2**53 widths "
                "from the grid's origin; give larger widths or bounds."
            )
        k = np.floor(steps).astype(np.int64)
        # the division may round a value onto the next edge: fix k so that
        # anchor + k * w <= v < anchor + (k + 1) * w holds in floating point
        k -= (anchor + k * ws[0] > v).astype(np.int64)
        k += (anchor + (k + 1) * ws[0] <= v).astype(np.int64)
        for w, m in zip(ws, factors):
            k = k // m  # integer nesting: no float drift between levels
            a = anchor + k * w
            b = a + w
            if hi is not None:
                b = np.minimum(b, hi)
            if not (np.all(a <= v) and np.all(v < b)):
                # far from the origin the float grid is coarser than the width
                raise ValueError(
                    f"interval_hierarchy{_where(name)}: the widths are too small for values "
                    "this large (the interval edges are not exact in floating point); give "
                    "larger widths or bounds."
                )
            level_bounds.append((a, b))
        edges_all = np.concatenate([np.concatenate(p) for p in level_bounds]) if v.size else np.empty(0)
    else:
        ns = _checked_n_bins(n_bins, name)
        warnings.warn(
            f"interval_hierarchy{_where(name)}: the quantile cuts are read from the data; "
            "they appear in the labels. Give widths (and bounds) to avoid it.",
            PrivacyLeakWarning,
            stacklevel=2,
        )
        sample = x if lo is None else x[(x >= lo) & (x < hi)]
        if sample.size == 0:
            sample = np.array([lo])
        cuts = np.round(np.quantile(sample, np.arange(1, ns[0]) / ns[0]), precision)
        outer_lo = -np.inf if lo is None else lo
        outer_hi = np.inf if hi is None else hi
        for nb in ns:
            step = ns[0] // nb
            inner = np.unique(cuts[step - 1::step])
            inner = inner[(inner > outer_lo) & (inner < outer_hi)]
            edges = np.concatenate([[outer_lo], inner, [outer_hi]])
            pos = np.searchsorted(edges, v, side="right") - 1
            level_bounds.append((edges[pos], edges[pos + 1]))
        edges_all = np.concatenate([np.concatenate(p) for p in level_bounds]) if v.size else np.empty(0)
    finite = edges_all[np.isfinite(edges_all)]
    integral = bool(np.all(leaves == np.floor(leaves))) and bool(np.all(finite == np.floor(finite)))
    fn = _interval_label_fn(labels, precision, name, integral)
    gap = "" if labels == "arx" else " "
    below = f"<{gap}{_edge_text(lo, precision)}" if lo is not None else None
    above = f">={gap}{_edge_text(hi, precision)}" if hi is not None else None
    level_labels = []
    for a, b in level_bounds:
        # within a level the lower edge names the interval (the levels partition the line)
        codes, lows = _text.factorize(a)
        first = np.unique(codes, return_index=True)[1] if len(codes) else np.empty(0, dtype=np.int64)
        texts = [fn(lo_, hi_) for lo_, hi_ in zip(lows.tolist(), b[first].tolist())]
        _check_labels_unique(list(range(len(texts))), texts, name, "intervals")
        names = set(texts)
        col = np.empty(n, dtype=object)
        col[inside] = np.array(texts, dtype=object)[codes] if len(codes) else []
        if lo is not None:
            col[leaves < lo] = below
            col[leaves >= hi] = above
            if set(names) & {below, above}:
                raise ValueError(f"labels{_where(name)} must not repeat the coding labels.")
        level_labels.append(col)
    leaf_labels = _numbers_text(leaves)
    return _finish(level_labels, leaf_labels, name)


# -- codes -------------------------------------------------------------------------
def _one_char(value, what):
    if not isinstance(value, str) or len(value) != 1:
        raise ValueError(f"{what} must be a single character.")
    return value


def masking_hierarchy(
    values: ArrayLike | None = None,
    *,
    length: int | None = None,
    alphabet: str = "0123456789",
    levels: Sequence[int] | None = None,
    alignment: Literal["left", "right"] = "left",
    padding: str = "*",
    mask: str = "*",
    order: Literal["right", "left"] = "right",
    name: str | None = None,
) -> Hierarchy:
    """Hierarchy that masks codes one character at a time (ZIP codes, ICD codes).

    ``02139 -> 0213* -> 021** -> 02*** -> 0**** -> *``: level ``j`` masks
    ``j`` characters from the right (ARX's ``HierarchyBuilderRedactionBased``
    with its defaults), the top level is ``"*"``.  Codes shorter than the
    longest are first padded to ``length`` (ARX's alignment).

    Parameters
    ----------
    values : array-like or None, default=None
        The codes (leaves); numbers are written as integers (``2139`` is the
        code ``"2139"``, which ``alignment="right", padding="0"`` turns into
        ``"02139"`` at level 1).  NaN is dropped, repeats are merged.  None
        enumerates every code of ``length`` characters of ``alphabet``
        (a declared domain: nothing is read from data).
    length : int or None, default=None
        Length codes are padded to.  None: the longest value (read from the
        values).  Required when ``values`` is None.
    alphabet : str, default="0123456789"
        Characters of the enumerated codes (``values=None`` only).
    levels : sequence of int or None, default=None
        Numbers of masked characters, one per level, increasing, below
        ``length`` (``[2, 3]`` gives ZIP3 and ZIP2 only); ``"*"`` is always
        added on top.  None: ``1, 2, ..., length - 1``.
    alignment : {"left", "right"}, default="left"
        Where shorter codes sit: ``"left"`` pads on the right (ARX's
        ``LEFT_TO_RIGHT``), ``"right"`` pads on the left (numbers that lost
        their leading zeros, with ``padding="0"``).
    padding : str, default="*"
        The padding character.
    mask : str, default="*"
        The masking character.
    order : {"right", "left"}, default="right"
        Mask from the right (``0213*``, ARX's ``RIGHT_TO_LEFT``) or from the
        left (``*2139``).
    name : str or None, default=None
        Name of the hierarchy (the column), used in messages.

    Returns
    -------
    Hierarchy
        One level per masked character, up to ``"*"``.

    Notes
    -----
    ARX's top level is the fully masked code (``"*****"``); here it is
    ``"*"``, the package's suppression marker, which
    :class:`~sklearn_anon.FullDomainAnonymizer` also gives unknown values.
    Leaves are sorted (ARX keeps the data order).

    Examples
    --------
    >>> from sklearn_anon.generalize import masking_hierarchy
    >>> h = masking_hierarchy(["02139", "02141", "10001"])
    >>> h.ancestors("02139")
    ['02139', '0213*', '021**', '02***', '0****', '*']
    >>> h = masking_hierarchy([2139, 10001], alignment="right", padding="0", levels=[2])
    >>> h.ancestors(2139)
    ['2139', '021**', '*']
    >>> len(masking_hierarchy(length=3))
    1000
    """
    padding = _one_char(padding, "padding")
    mask = _one_char(mask, "mask")
    if alignment not in ("left", "right"):
        raise ValueError("alignment must be 'left' or 'right'.")
    if order not in ("left", "right"):
        raise ValueError("order must be 'left' or 'right'.")
    if length is not None and (isinstance(length, bool) or not isinstance(length, Integral)
                               or length < 1):
        raise ValueError("length must be a positive integer.")
    if values is None:
        if length is None:
            raise ValueError("masking_hierarchy needs values or length.")
        if not isinstance(alphabet, str) or not alphabet or len(set(alphabet)) != len(alphabet):
            raise ValueError("alphabet must be a non-empty str of distinct characters.")
        if len(alphabet) ** length > MAX_LEAVES:
            raise ValueError(
                f"alphabet and length give more than {MAX_LEAVES} codes; pass the values instead."
            )
        chars = np.array(list(alphabet), dtype="U1")
        digits = np.stack(np.unravel_index(np.arange(len(alphabet) ** length),
                                           (len(alphabet),) * length), axis=1)
        # (the values' branch builds a list of str first)
        codes: np.ndarray | list[str] = np.ascontiguousarray(chars[digits]).view(f"U{length}").ravel().astype(object)
    else:
        ser = pd.Series(values) if not isinstance(values, pd.Series) else values
        ser = ser.dropna()
        if pd.api.types.is_integer_dtype(ser.dtype):
            # exact: a float round trip would change codes beyond 2**53
            codes = [str(int(c)) for c in ser.tolist()]
        elif pd.api.types.is_numeric_dtype(ser.dtype) and not pd.api.types.is_bool_dtype(ser.dtype):
            arr = ser.to_numpy(dtype=np.float64)
            if not np.all(arr == np.floor(arr)) or np.isinf(arr).any():
                raise ValueError(f"masking_hierarchy{_where(name)}: numeric codes must be integers.")
            codes = [str(int(c)) for c in arr]
        else:
            codes = [str(c) for c in ser.tolist()]
        codes = sorted(set(codes))
        if not codes:
            raise ValueError(f"masking_hierarchy{_where(name)} needs at least one value.")
        longest = max(len(c) for c in codes)
        if length is None:
            length = longest
        elif longest > length:
            n_long = sum(len(c) > length for c in codes)
            raise ValueError(f"masking_hierarchy{_where(name)}: {n_long} value(s) are longer than length.")
        if length == 0:
            raise ValueError(f"masking_hierarchy{_where(name)}: the values are empty strings.")
        codes = np.array(codes, dtype=object)
    if levels is None:
        levels = list(range(1, length))
    else:
        levels = list(levels)
        if any(isinstance(j, bool) or not isinstance(j, Integral) for j in levels) or \
                any(not 1 <= j < length for j in levels) or \
                any(b <= a for a, b in zip(levels, levels[1:])):
            raise ValueError(
                f"levels{_where(name)} must be increasing numbers of masked characters "
                f"in 1..{length - 1} (the fully masked level '*' is added)."
            )
    texts = np.array(codes.tolist(), dtype=f"U{length}")
    if alignment == "left":
        padded = np.char.ljust(texts, length, padding)
    else:
        padded = np.char.rjust(texts, length, padding)
    grid = np.ascontiguousarray(padded).view("U1").reshape(len(texts), length)
    level_labels = []
    for j in levels:
        keep = length - j
        if order == "right":
            part = np.ascontiguousarray(grid[:, :keep]).view(f"U{keep}").ravel()
            out = np.char.add(part, mask * j)
        else:
            part = np.ascontiguousarray(grid[:, j:]).view(f"U{keep}").ravel()
            out = np.char.add(mask * j, part)
        level_labels.append(out.astype(object))
    return _finish(level_labels, codes, name)


# -- dates -------------------------------------------------------------------------
_DATE_UNITS = ("day", "month", "quarter", "year", "decade", "century")


def date_hierarchy(
    values: ArrayLike | None = None,
    *,
    start: str | date | np.datetime64 | None = None,
    end: str | date | np.datetime64 | None = None,
    levels: Sequence[str] = ("month", "year", "decade"),
    labels: Literal["interval", "arx"] = "interval",
    name: str | None = None,
) -> Hierarchy:
    """Hierarchy of calendar periods for a date / datetime column.

    Level by level a date becomes its day (``"2021-03-15"``), month
    (``"2021-03"``), quarter (``"2021-Q1"``), year (``"2021"``), decade
    (``"[2020, 2030)"``) or century (``"[2000, 2100)"``); the top level is
    ``"*"``.

    Parameters
    ----------
    values : array-like of dates or None, default=None
        The leaf values (datetime64, Timestamps or date strings; NaT is
        dropped).  Leaves are written ``"YYYY-MM-DD"`` (at midnight) or
        ``"YYYY-MM-DD HH:MM:SS"``, which is how a datetime column is matched
        against them.  None: every day from ``start`` to ``end``.
    start, end : date-like or None, default=None
        A declared range of days (both included) used when ``values`` is
        None: nothing is read from the data.
    levels : sequence of str, default=("month", "year", "decade")
        Increasing among ``"day"``, ``"month"``, ``"quarter"``, ``"year"``,
        ``"decade"``, ``"century"`` (each nests the previous one; ISO weeks
        would not, and are not offered).
    labels : {"interval", "arx"}, default="interval"
        How decades and centuries are written: ``"[2020, 2030)"`` (the
        package's label grammar) or ARX's ``"[2020, 2030["``.
    name : str or None, default=None
        Name of the hierarchy (the column), used in messages.

    Returns
    -------
    Hierarchy
        One level per unit, from the dates up to ``"*"``.

    Notes
    -----
    ARX formats periods with Java patterns (``"MM/yyyy"``, ``"QQQ yyyy"``)
    and allows non-nested granularities (week day, week); here labels are
    ISO-like and every level nests the previous one.  ARX adds no ``"*"``
    level; here it is the top.  Timezone-aware values are taken in their
    wall-clock time.

    Examples
    --------
    >>> from sklearn_anon.generalize import date_hierarchy
    >>> h = date_hierarchy(["2021-03-15", "1999-12-31"], levels=["month", "quarter", "decade"])
    >>> h.ancestors("2021-03-15")
    ['2021-03-15', '2021-03', '2021-Q1', '[2020, 2030)', '*']
    >>> len(date_hierarchy(start="2020-01-01", end="2020-12-31"))
    366
    """
    levels = [levels] if isinstance(levels, str) else list(levels)
    if not levels or any(lv not in _DATE_UNITS for lv in levels):
        raise ValueError(f"levels must be among {', '.join(_DATE_UNITS)}.")
    ranks = [_DATE_UNITS.index(lv) for lv in levels]
    if any(b <= a for a, b in zip(ranks, ranks[1:])):
        raise ValueError(f"levels must be increasing, in the order {', '.join(_DATE_UNITS)}.")
    if labels not in ("interval", "arx"):
        raise ValueError("labels must be 'interval' or 'arx'.")
    if values is None:
        if start is None or end is None:
            raise ValueError("date_hierarchy needs values, or start and end.")
        with _values_hidden("date_hierarchy: start / end could not be read as dates", name):
            lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        if hi < lo:
            raise ValueError("date_hierarchy: end is before start.")
        if (hi - lo).days + 1 > MAX_LEAVES:
            raise ValueError(f"date_hierarchy: start..end spans more than {MAX_LEAVES} days.")
        idx = pd.date_range(lo.normalize(), hi.normalize(), freq="D")
    else:
        with _values_hidden("date_hierarchy could not read the values as dates", name), \
                warnings.catch_warnings():
            # pandas' format-inference warnings may quote a value: keep them out of logs
            warnings.simplefilter("ignore", UserWarning)
            ser = pd.Series(values).dropna()
            try:
                idx = pd.DatetimeIndex(pd.to_datetime(ser))
            except ValueError:  # strings in several formats ("2020-01-02", "2020-01-01 10:30")
                idx = pd.DatetimeIndex(pd.to_datetime(ser, format="mixed"))
        if idx.tz is not None:
            idx = idx.tz_localize(None)
        idx = idx.unique().sort_values()
        if len(idx) == 0:
            raise ValueError(f"date_hierarchy{_where(name)} needs at least one date.")
        # the leaf a value matches is its key (microseconds): dates that share
        # a key (nanoseconds apart) are one leaf, not a repeated value
        keys = pd.Index(datetime_keys(idx), dtype=object)
        idx = idx[~keys.duplicated()]
    years = idx.year.to_numpy()
    close = "[" if labels == "arx" else ")"
    level_labels = []
    for unit in levels:
        if unit == "day":
            out = idx.strftime("%Y-%m-%d")
        elif unit == "month":
            out = idx.strftime("%Y-%m")
        elif unit == "quarter":
            out = pd.Index([f"{y:04d}-Q{q}" for y, q in zip(years, idx.quarter)])
        elif unit == "year":
            out = pd.Index([f"{y:04d}" for y in years])
        else:
            span = 10 if unit == "decade" else 100
            low = years // span * span
            out = pd.Index([f"[{a}, {a + span}{close}" for a in low])
        level_labels.append(np.asarray(out, dtype=object))
    leaves = np.array(datetime_keys(idx), dtype=object)
    return _finish(level_labels, leaves, name)


# -- ordered categories ---------------------------------------------------------------
def _is_missing(value):
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is no missing value
        return False


def _checked_sizes(sizes):
    sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
    out = []
    for s in sizes:
        cycle = [s] if isinstance(s, Integral) else list(s)
        if not cycle or any(isinstance(c, bool) or not isinstance(c, Integral) or c < 1 for c in cycle):
            raise ValueError("sizes must hold positive integers (or lists of them), one entry per level.")
        out.append([int(c) for c in cycle])
    if not out:
        raise ValueError("sizes must hold at least one level.")
    return out


def ordered_grouping(
    categories: Sequence[Any],
    sizes: Sequence[int] | Sequence[Sequence[int]],
    *,
    labels: Literal["set", "interval"] | Callable[..., Any] = "set",
    name: str | None = None,
) -> Hierarchy:
    """Hierarchy that groups ordered categories into runs of neighbours.

    Level 1 groups ``sizes[0]`` consecutive categories, level 2 groups
    ``sizes[1]`` consecutive level-1 groups, and so on (ARX's
    ``HierarchyBuilderOrderBased``: group sizes count the groups of the
    level below, so every level nests the previous one); the top level is
    ``"*"``.

    Parameters
    ----------
    categories : sequence
        The categories in their order (e.g. education from lowest to
        highest), distinct; written as str.
    sizes : sequence of int or of list of int
        One entry per level.  An int is the size of every group; a list is
        cycled (``[2, 3]``: groups of 2, 3, 2, 3, ...), as ARX's per-level
        group lists.  The last group of a level may be smaller.
    labels : {"set", "interval"} or callable, default="set"
        ``"set"``: ``"{HS-grad, Some-college}"`` (the package's set grammar,
        read by :mod:`sklearn_anon.metrics`); ``"interval"``: ARX's interval
        of the first and last member, ``"[HS-grad, Some-college]"``; a
        callable ``list of categories -> str``.
    name : str or None, default=None
        Name of the hierarchy (the column), used in messages.

    Returns
    -------
    Hierarchy
        Leaves in the given order.

    Examples
    --------
    >>> from sklearn_anon.generalize import ordered_grouping
    >>> edu = ["Preschool", "1st-4th", "5th-6th", "7th-8th", "HS-grad", "Bachelors"]
    >>> h = ordered_grouping(edu, [2, 2])
    >>> h.ancestors("5th-6th")
    ['5th-6th', '{5th-6th, 7th-8th}', '{Preschool, 1st-4th, 5th-6th, 7th-8th}', '*']
    >>> h.nodes(2)
    ['{Preschool, 1st-4th, 5th-6th, 7th-8th}', '{HS-grad, Bachelors}']
    >>> ordered_grouping(edu, [3], labels="interval").nodes(1)
    ['[Preschool, 5th-6th]', '[7th-8th, Bachelors]']
    """
    if isinstance(categories, (str, bytes)):
        raise TypeError("categories must be a sequence of categories, not one string.")
    categories = list(categories)
    if any(_is_missing(c) for c in categories):
        raise ValueError(f"ordered_grouping{_where(name)}: categories must not hold missing values "
                         "(None, NaN, pd.NA); a missing value is suppressed, not grouped.")
    cats = [str(c) for c in categories]
    if not cats:
        raise ValueError(f"ordered_grouping{_where(name)} needs at least one category.")
    if len(set(cats)) != len(cats):
        raise ValueError(f"ordered_grouping{_where(name)}: categories must be distinct.")
    cycles = _checked_sizes(sizes)
    if callable(labels):
        def fn(members):
            text = labels(list(members))
            if not isinstance(text, str) or not text:
                raise ValueError(f"labels{_where(name)} must return a non-empty str.")
            return text
    elif labels == "set":
        def fn(members):
            return "{" + ", ".join(members) + "}"
    elif labels == "interval":
        def fn(members):
            return f"[{members[0]}, {members[-1]}]"
    else:
        raise ValueError("labels must be 'set', 'interval' or a callable.")
    n = len(cats)
    group = np.arange(n)  # node of each leaf at the level below
    n_nodes = n
    level_labels = []
    for cycle in cycles:
        # node i of the level below -> group index at this level
        starts = np.cumsum([0] + list(itertools.islice(itertools.cycle(cycle), n_nodes)))
        parent = np.searchsorted(starts, np.arange(n_nodes), side="right") - 1
        group = parent[group]
        n_nodes = int(group.max()) + 1
        texts = [fn([cats[i] for i in np.flatnonzero(group == g)]) for g in range(n_nodes)]
        _check_labels_unique(list(range(n_nodes)), texts, name, "groups")
        level_labels.append(np.array(texts, dtype=object)[group])
    return _finish(level_labels, np.array(cats, dtype=object), name)
