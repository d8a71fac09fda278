"""Private engine of :class:`sklearn_anon.MondrianAnonymizer`.

Three parts:

* :func:`encode_column` / :class:`ColumnCoder`: every quasi-identifier is
  turned once into integer codes (the rank of the value in the column's
  domain: sorted values for numbers and datetimes, the given order, the
  hierarchy's subtree-contiguous leaf order or the sorted labels for
  categories; missing values get the last code).
* :func:`grow_tree`: the Mondrian partitioning, breadth-first, one level of
  the cut tree at a time, vectorized over all the partitions of a level
  (segments of one permutation array; medians from one sort per level;
  minima/maxima with ``np.minimum.reduceat``; l-diversity/t-closeness of the
  candidate sides from ``np.bincount`` of the sensitive codes).
* :func:`route`: rows go down the stored tree one depth at a time.
"""

import datetime as _dt
import warnings
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

import numpy as np
import pandas as pd

from .. import _text
from ..base import values_hidden

#: nanoseconds per unit of the datetime64 resolutions pandas supports
_NS_PER = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}

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


class ColumnCoder:
    """How one quasi-identifier is encoded, routed and labelled.

    Attributes
    ----------
    kind : {"numeric", "datetime", "categorical"}
    values : ndarray of float (numeric/datetime)
        The sorted distinct finite values seen in fit; code ``i`` is
        ``values[i]``; missing values have code ``len(values)``.
    labels : ndarray of object (categorical)
        The domain in code order; missing values have code ``len(labels)``.
    hierarchy : Hierarchy or None
    level_codes : list of ndarray or None
        With a hierarchy: node id of each leaf code at each level.
    split_level : ndarray or None
        With a hierarchy: for each code ``c``, the lowest level at which
        ``c`` and ``c + 1`` share a node (the cut between them is allowed
        in a region whose lowest common node is at that level).
    """

    def __init__(self, name, kind, *, values=None, labels=None, hierarchy=None,
                 datetime_dtype=None):
        self.name = name
        self.kind = kind
        self.values = values
        self.labels = labels
        self.hierarchy = hierarchy
        self.datetime_dtype = datetime_dtype
        self.level_codes = None
        self.split_level = None
        self.node_labels = None
        if hierarchy is not None:
            self._prepare_hierarchy()

    # -- construction ---------------------------------------------------
    @property
    def n_values(self):
        return len(self.values) if self.kind != "categorical" else len(self.labels)

    @property
    def missing_code(self):
        return self.n_values

    def _prepare_hierarchy(self):
        h = self.hierarchy
        top = h.n_levels - 1
        self.level_codes = []
        self.node_labels = []
        for lev in range(h.n_levels):
            node, uniq = _text.factorize(pd.Series(h.level_labels(lev)))
            self.level_codes.append(node.astype(np.int64))
            self.node_labels.append(np.asarray(uniq, dtype=object))
        # subtree-contiguous leaf order: sort by node ids from the top level down
        order = np.lexsort(tuple(self.level_codes[lev] for lev in range(0, top + 1)))
        self.labels = np.asarray(h.leaves[order], dtype=object)
        self.level_codes = [lc[order] for lc in self.level_codes]
        n = len(order)
        split = np.full(max(n - 1, 0), top + 1, dtype=np.int64)
        for lev in range(top, -1, -1):
            same = self.level_codes[lev][:-1] == self.level_codes[lev][1:]
            split[same] = lev
        # the missing code (after the last leaf) shares no node with any leaf:
        # a region holding both is cut there only at the top
        self.split_level = np.append(split, top + 1)
        # first / last leaf code of the node holding each code, per level
        idx = np.arange(n)
        self.node_first, self.node_last = [], []
        for lc in self.level_codes:
            start = np.r_[True, lc[1:] != lc[:-1]] if n else np.zeros(0, bool)
            end = np.r_[lc[1:] != lc[:-1], True] if n else np.zeros(0, bool)
            self.node_first.append(np.maximum.accumulate(np.where(start, idx, 0)))
            self.node_last.append(np.minimum.accumulate(np.where(end, idx, n - 1)[::-1])[::-1])

    def hierarchy_width(self, lo, hi):
        """Leaves covered by the children of the lowest common node of codes lo..hi
        (minus one), per region: the loss of the region's label."""
        n = self.n_values
        top = len(self.level_codes)
        lo_c, hi_c = np.minimum(lo, n - 1), np.minimum(hi, n - 1)
        lev = np.full(len(lo), top, dtype=np.int64)
        for L in range(top - 1, -1, -1):
            lev[self.level_codes[L][lo_c] == self.level_codes[L][hi_c]] = L
        child = np.maximum(lev - 1, 0)
        first = np.stack(self.node_first)[child, lo_c]
        last = np.stack(self.node_last)[child, hi_c]
        width = np.where(lev == 0, 0, last - first)
        return np.where((hi >= n) & (lo < hi), n, width)

    # -- encoding ---------------------------------------------------------
    def placeable(self, column):
        """``(values, ok)``: routing value of each cell and whether the tree can place it.

        Numbers/datetimes: the value (in the fitted unit for datetimes),
        +inf where it cannot be placed (missing, non-finite, unparseable,
        not of the fitted kind).  Categories: the code, ``ok`` False for
        missing and unseen values.
        """
        if self.kind == "categorical":
            codes = self.category_codes(column)
            return codes.astype(np.float64), (codes >= 0) & (codes != self.missing_code)
        v = self.float_values(column)
        ok = ~np.isnan(v)
        return np.where(ok, v, np.inf), ok

    def route_values(self, column):
        """Float value of each cell used to route it down the tree.

        Numbers/datetimes: the value (missing or unplaceable: +inf).
        Categories: the code (missing: the missing code; unseen: -1).
        """
        return self.placeable(column)[0]

    def float_values(self, column):
        """Numbers/datetimes: float value of each cell, NaN where missing or unplaceable."""
        if self.kind == "datetime":
            return datetime_to_float(column, self.unit, self.name)
        return numbers_to_float(column, self.name)

    def category_codes(self, column):
        """Codes of a categorical column: -1 unseen, ``missing_code`` for NaN."""
        with values_hidden(self.name, "could not encode the column's categories"):
            return self._category_codes(column)

    def _category_codes(self, column):
        ser = pd.Series(column)
        if isinstance(ser.dtype, pd.CategoricalDtype):
            fcodes = ser.cat.codes.to_numpy().astype(np.int64)
            uniq = pd.Index(ser.cat.categories)
        else:
            fcodes, uniq = _text.factorize(ser, use_na_sentinel=True)
            fcodes = fcodes.astype(np.int64)
            uniq = _text.text_index(uniq)
        if self.hierarchy is not None:
            pos = self.hierarchy.leaf_codes(pd.Series(uniq, dtype=uniq.dtype))  # table order
            lut = np.where(pos >= 0, self._table_to_code[np.maximum(pos, 0)], -1)
        else:
            lut = _text.text_indexer(self.labels, _as_object(uniq))
        lut = np.append(np.asarray(lut, dtype=np.int64), -1)
        codes = lut[fcodes]  # code -1 of factorize (NaN) -> last entry
        return np.where(fcodes < 0, self.missing_code, codes).astype(np.int64)

    def fit_codes(self, column):
        """Codes of the training column (every value is in the domain)."""
        if self.kind == "categorical":
            return self.category_codes(column)
        v = self.float_values(column)
        codes = np.searchsorted(self.values, v)
        return np.where(np.isnan(v), self.missing_code, codes).astype(np.int64)

    def threshold(self, code):
        """Routing thresholds (array) of the cuts ``code <= c`` goes left."""
        code = np.asarray(code, dtype=np.int64)
        if self.kind == "categorical":
            return code + 0.5
        vals = self.values
        a = vals[code]
        nxt = np.minimum(code + 1, len(vals) - 1)
        b = vals[nxt]
        mid = a + (b - a) / 2
        # next code is the missing one (+inf): threshold at the last value
        return np.where((code + 1 >= len(vals)) | (mid >= b), a, mid)

    # -- labels ------------------------------------------------------------
    def format_value(self, x):
        if self.kind == "datetime":
            # UTC wall time for tz-aware columns, in the fitted unit (no ns overflow)
            d64 = np.datetime64(int(round(x)), self.unit)
            try:
                ts = pd.Timestamp(d64)
                return str(ts.date()) if ts == ts.normalize() else str(ts)
            except (ValueError, OverflowError, NotImplementedError):
                # beyond Python's years 1..9999: numpy's ISO text
                text = np.datetime_as_string(d64)
                day, _, time = text.partition("T")
                return day if not time.strip("0:.") else f"{day} {time}"
        return fmt_number(x)

    @property
    def unit(self):
        """Resolution of the datetime values (``"s"``, ``"ms"``, ``"us"``, ``"ns"``)."""
        return getattr(self, "_unit", "ns")  # "ns": coders pickled before units existed

    def interval_label(self, lo, hi):
        """Label of a numeric/datetime region holding codes ``lo..hi``."""
        if lo == hi:
            return self.format_value(self.values[lo])
        return f"[{self.format_value(self.values[lo])}, {self.format_value(self.values[hi])}]"

    def set_label(self, present):
        """Label of a categorical region holding the codes ``present`` (sorted)."""
        if len(present) == 1:
            return str(self.labels[present[0]])
        if self.hierarchy is None:
            return "{" + ", ".join(str(self.labels[c]) for c in present) + "}"
        lo, hi = present[0], present[-1]
        top = len(self.level_codes)
        lev = int(self.split_level[lo:hi].max()) if hi > lo else 0
        if lev >= top:  # no common node: list the top-level nodes present
            child_level, whole = top - 1, False
        else:
            child_level = lev - 1
            node = self.level_codes[lev][lo]
            n_children = len(np.unique(self.level_codes[child_level][self.level_codes[lev] == node]))
            n_present = len(np.unique(self.level_codes[child_level][present]))
            whole = n_present == n_children
            if whole:
                return str(self.node_labels[lev][node])
        names = self.node_labels[child_level]
        seen = dict.fromkeys(self.level_codes[child_level][present].tolist())
        return "{" + ", ".join(str(names[c]) for c in seen) + "}"

def _as_object(column):
    """Object values as labels: booleans as their text (as in fit on a bool column)."""
    s = pd.Series(column)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(str).astype(object)
    was_object = s.dtype == object
    s = s.astype(object)
    if was_object and len(s):  # booleans among objects: True must match a fitted "True"
        vals = s.to_numpy()
        flags = np.fromiter((isinstance(v, (bool, np.bool_)) for v in vals), dtype=bool,
                            count=len(vals))
        if flags.any():
            vals = vals.copy()
            vals[flags] = [str(v) for v in vals[flags]]
            s = pd.Series(vals, dtype=object, index=s.index)
    return s


def is_date_objects(column):
    """True for an object column whose present values are all dates/datetimes."""
    if column.dtype != object:
        return False
    return pd.api.types.infer_dtype(column, skipna=True) in ("date", "datetime", "datetime64")


def _as_datetime64(column, name):
    """Naive (UTC wall time) datetime64 Series of any unit; NaT where a cell
    is missing, unparseable or not a date."""
    s = pd.Series(column)
    with values_hidden(name, "could not read the column as dates"):
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            if isinstance(s.dtype, pd.ArrowDtype):
                arrow = s.dtype.pyarrow_dtype
                unit = getattr(arrow, "unit", "s")  # date32/date64: whole days, in seconds
                if unit not in _NS_PER:
                    unit = "ms" if str(arrow) == "date64[ms]" else "s"
                if getattr(arrow, "tz", None) is not None:
                    s = s.dt.tz_convert("UTC").dt.tz_localize(None)
                return s.astype(f"datetime64[{unit}]")
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
            return s
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
            # numbers, booleans, durations: not dates, nothing to place
            return pd.Series(np.full(len(s), np.datetime64("NaT", "s")))
        obj = s.astype(object).to_numpy()
        dated = np.fromiter((isinstance(v, (str, _dt.date, np.datetime64)) for v in obj),
                            dtype=bool, count=len(obj))
        obj = np.where(dated, obj, None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "could not infer format" and the like
            out = pd.to_datetime(pd.Series(obj, dtype=object), errors="coerce", utc=True)
            # naive UTC wall time as a numpy array: assigning into a tz-aware
            # Series would make it object under pandas 2
            arr = out.dt.tz_localize(None).to_numpy()
            retry = np.flatnonzero(np.isnat(arr) & dated)
            if len(retry):  # formats differing from the first value's: one by one
                again = pd.to_datetime(pd.Series(obj[retry], dtype=object), errors="coerce",
                                       utc=True, format="mixed")
                again = again.dt.tz_localize(None).to_numpy()
                arr = _merge_datetimes(arr, retry, again)
                retry = retry[np.isnat(again)]
        if len(retry):
            # beyond what this pandas places (pandas 2: the nanosecond range,
            # 1677..2262): dates, datetimes and ISO 8601 text, read by Python
            far = np.array([_far_datetime(v) for v in obj[retry]], dtype="datetime64[us]")
            if (~np.isnat(far)).any():
                arr = _merge_datetimes(arr, retry, far)
        return pd.Series(arr, index=s.index)


def _as_unit(arr, unit):
    """``arr`` (datetime64 of any unit) in ``unit``; NaT where it does not fit."""
    src = np.datetime_data(arr.dtype)[0]
    if src == unit:
        return arr
    if _NS_PER[src] > _NS_PER[unit]:  # finer: check the range first
        secs = arr.astype("datetime64[s]").view(np.int64)
        limit = np.iinfo(np.int64).max // (10**9 // _NS_PER[unit])
        bad = ~np.isnat(arr) & (np.abs(secs) >= limit)
        out = arr.astype(f"datetime64[{unit}]")
        out[bad] = np.datetime64("NaT")
        return out
    return arr.astype(f"datetime64[{unit}]")


def _merge_datetimes(arr, rows, values):
    """``arr`` with ``values`` at ``rows`` where they are not NaT, in a unit both fit.

    Equal units: kept.  Otherwise microseconds, whose range (years
    -290,000..294,000) holds every Python date; values not fitting it are NaT.
    """
    ua, uv = np.datetime_data(arr.dtype)[0], np.datetime_data(values.dtype)[0]
    unit = ua if ua == uv else "us"
    arr, values = _as_unit(arr, unit).copy(), _as_unit(values, unit)
    ok = ~np.isnat(values)
    arr[rows[ok]] = values[ok]
    return arr


def _far_datetime(v):
    """datetime64[us] of one date-like cell (UTC wall time); NaT if it is none."""
    try:
        if isinstance(v, str):
            v = _dt.datetime.fromisoformat(v.strip())
        if isinstance(v, pd.Timestamp):
            if v.tz is not None:
                v = v.tz_convert("UTC").tz_localize(None)
            return _as_unit(np.array([v.to_datetime64()]), "us")[0]
        if isinstance(v, _dt.datetime):
            if v.tzinfo is not None:
                v = v.astimezone(_dt.timezone.utc).replace(tzinfo=None)
            return np.datetime64(v, "us")
        if isinstance(v, _dt.date):
            return np.datetime64(v, "D").astype("datetime64[us]")
        if isinstance(v, np.datetime64):
            if np.datetime_data(v.dtype)[0] in _NS_PER:
                return _as_unit(np.array([v]), "us")[0]
            v = v.astype(object)  # days, minutes ...: a Python date(time) if in years 1..9999
            if isinstance(v, _dt.date):
                return _far_datetime(v)
    except (ValueError, TypeError, OverflowError):
        pass
    return np.datetime64("NaT", "us")


def datetime_to_float(column, unit, name):
    """Float value of each cell in ``unit`` since the epoch (UTC wall time);
    NaN where missing or unplaceable.  Works in the input's own resolution,
    so dates outside the nanosecond range (before 1677, after 2262) are kept."""
    s = _as_datetime64(column, name)
    src = np.datetime_data(s.dtype)[0]
    arr = s.to_numpy()
    out = arr.view(np.int64).astype(np.float64)
    if src != unit:
        a, b = _NS_PER[src], _NS_PER[unit]
        out = out * (a // b) if a >= b else out / (b // a)
    out[np.isnat(arr)] = np.nan
    return out


def numbers_to_float(column, name):
    """Float value of each cell; NaN where missing, non-finite or not a number."""
    s = pd.Series(column)
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.is_timedelta64_dtype(s.dtype):
        return np.full(len(s), np.nan)  # not numbers: nothing to place
    with values_hidden(name, "could not read the column as numbers"):
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    v = np.array(v, dtype=np.float64)
    v[~np.isfinite(v)] = np.nan
    return v


def make_coder(column, name, *, categorical, order=None, hierarchy=None):
    """Fit a :class:`ColumnCoder` on the training column."""
    if hierarchy is not None:
        coder = ColumnCoder(name, "categorical", hierarchy=hierarchy)
        # position in the table -> code in subtree order
        h = hierarchy
        table_pos = h.leaf_codes(pd.Series(coder.labels, dtype=object))
        inv = np.empty(len(table_pos), dtype=np.int64)
        inv[table_pos] = np.arange(len(table_pos))
        coder._table_to_code = inv
        return coder
    if categorical:
        s = column
        if order is not None:
            labels = np.asarray(list(order), dtype=object)
            with values_hidden(name, "the given order is not a list of categories"):
                n_unique = len(_text.unique(labels))
            if n_unique != len(labels):
                raise ValueError(f"The order given for column {name!r} repeats a value.")
        elif isinstance(s.dtype, pd.CategoricalDtype) and s.dtype.ordered:
            labels = np.asarray(s.cat.categories, dtype=object)
        else:
            with values_hidden(name, "could not list the column's categories"):
                uniq = _text.unique(_as_object(s.dropna()))
                try:
                    labels = np.asarray(sorted(uniq), dtype=object)
                except TypeError:  # mixed types: sort by text
                    labels = np.asarray(sorted(uniq, key=str), dtype=object)
        return ColumnCoder(name, "categorical", labels=labels)
    text_dates = False
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        # declared not categorical: numbers, else dates, else an error
        with values_hidden(name, "could not read the column as numbers"):
            parsed = pd.to_numeric(column, errors="coerce")
        present = ~pd.isna(column).to_numpy()
        bad = int((pd.isna(parsed).to_numpy() & present).sum())
        if bad and not is_date_objects(column):
            bad_dates = int((_as_datetime64(column, name).isna().to_numpy() & present).sum())
            if bad_dates:
                raise ValueError(
                    f"Column {name!r} is cut as numbers or dates (not categorical), but "
                    f"{min(bad, bad_dates)} value(s) are neither: list it in `categorical` "
                    "or clean it."
                )
            text_dates = True
    if pd.api.types.is_datetime64_any_dtype(column.dtype) or is_date_objects(column) or text_dates:
        as_dates = _as_datetime64(column, name)
        unit = np.datetime_data(as_dates.dtype)[0]  # the column's own resolution
        v = datetime_to_float(as_dates, unit, name)
        coder = ColumnCoder(name, "datetime", values=np.unique(v[~np.isnan(v)]),
                            datetime_dtype=column.dtype)
        coder._unit = unit
        return coder
    v = numbers_to_float(column, name)
    return ColumnCoder(name, "numeric", values=np.unique(v[~np.isnan(v)]))


# -- sensitive-side checks ---------------------------------------------------
class SensitiveRule:
    """l-diversity / t-closeness test on per-side histograms of sensitive codes."""

    def __init__(self, s_codes, m, *, l=None, l_kind="distinct", t=None, ordered=False):
        self.s_codes = s_codes
        self.m = m
        self.l = l
        self.l_kind = l_kind
        self.t = t
        self.ordered = ordered
        self.p = np.bincount(s_codes, minlength=m) / len(s_codes)

    def ok(self, hist):
        """Boolean per row of ``hist`` (n, m) of counts: does the side pass?"""
        size = hist.sum(axis=1)
        good = size > 0
        if self.l is not None:
            if self.l_kind == "distinct":
                good &= (hist > 0).sum(axis=1) >= self.l
            else:
                q = hist / np.maximum(size, 1)[:, None]
                with np.errstate(divide="ignore", invalid="ignore"):
                    ent = -np.where(q > 0, q * np.log(q), 0.0).sum(axis=1)
                # a margin, so that float noise never lets a side below l (pycanon
                # floors exp(entropy): 2.9999999 would read as 2)
                good &= ent >= np.log(self.l) + 1e-9
        if self.t is not None and self.m > 1:
            r = hist / np.maximum(size, 1)[:, None] - self.p
            if self.ordered:
                emd = np.abs(np.cumsum(r, axis=1)).sum(axis=1) / (self.m - 1)
            else:
                emd = 0.5 * np.abs(r).sum(axis=1)
            good &= emd <= self.t - 1e-9  # margin against float noise
        return good


# -- the partitioning --------------------------------------------------------
def _popcount(x):
    """Number of set bits of each int64."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x).astype(np.int64)
    b = x.astype(np.uint64).view(np.uint8).reshape(-1, 8)
    return np.unpackbits(b, axis=1).sum(axis=1).astype(np.int64)


def _normalized_span(coders, mn, mx, distinct):
    """(P, d) normalized width of each partition on each dimension.

    The width is the partition's information loss on that dimension, as in
    NCP: ``(max - min) / (domain max - domain min)`` for numbers and
    datetimes, ``(distinct categories - 1) / (domain size - 1)`` for
    unordered categories (``distinct[j]``, when known), the span of codes
    in the (hierarchy or given) order otherwise.  A partition mixing
    missing and present values is wider than any other.
    """
    P, d = mn.shape
    out = np.zeros((P, d))
    for j, c in enumerate(coders):
        lo, hi = mn[:, j], mx[:, j]
        if c.kind == "categorical":
            denom = max(c.n_values - 1, 1)
            if distinct.get(j) is not None:
                out[:, j] = (distinct[j] - 1) / denom
            elif c.hierarchy is not None:
                out[:, j] = c.hierarchy_width(lo, hi) / denom
            else:
                out[:, j] = (hi - lo) / denom
        else:
            vals = c.values
            if len(vals) == 0:
                continue
            full = vals[-1] - vals[0]
            lo_v = vals[np.minimum(lo, len(vals) - 1)]
            hi_v = vals[np.minimum(hi, len(vals) - 1)]
            w = (hi_v - lo_v) / full if full > 0 else np.zeros(P)
            # a partition holding both numbers and missing values: widest
            w = np.where(hi == c.missing_code, np.where(lo == hi, 0.0, 1.0 + w), w)
            out[:, j] = w
    return out


def grow_tree(codes, coders, k, rule=None, verbose=0):
    """Mondrian partitioning of the code matrix.

    Parameters
    ----------
    codes : ndarray (d, n) of int64
    coders : list of ColumnCoder
    k : int
    rule : SensitiveRule or None
    verbose : int

    Returns
    -------
    tree : dict of arrays ``feature``, ``code``, ``threshold``, ``left``,
        ``right`` (per node; feature -1 for a leaf), ``leaf`` (leaf number
        of a node, -1 internal), ``depth``
    perm, leaf_start, leaf_size : the rows of each leaf are
        ``perm[leaf_start[i]:leaf_start[i] + leaf_size[i]]``
    """
    d, n = codes.shape
    M = int(max(c.n_values for c in coders)) + 2
    perm = np.arange(n, dtype=np.int64)
    feature, code_thr, left, right = (np.full(1, -1, dtype=np.int64) for _ in range(4))
    act_node = np.array([0], dtype=np.int64)
    act_start = np.array([0], dtype=np.int64)
    act_size = np.array([n], dtype=np.int64)
    leaves_node, leaves_start, leaves_size = [], [], []
    depth = 0
    hier = [c.split_level if c.hierarchy is not None else None for c in coders]
    count_distinct = [c.kind == "categorical" and c.hierarchy is None and c.n_values + 1 <= 62
                      for c in coders]
    while len(act_node):
        P = len(act_node)
        offs = np.concatenate(([0], np.cumsum(act_size)[:-1]))
        total = int(act_size.sum())
        seg = np.repeat(np.arange(P), act_size)
        pos = act_start[seg] + (np.arange(total) - offs[seg])
        rows = perm[pos]
        mn = np.empty((P, d), dtype=np.int64)
        mx = np.empty((P, d), dtype=np.int64)
        distinct = {}
        for j in range(d):
            cj = codes[j][rows]
            mn[:, j] = np.minimum.reduceat(cj, offs)
            mx[:, j] = np.maximum.reduceat(cj, offs)
            if count_distinct[j]:
                bits = np.bitwise_or.reduceat(np.left_shift(np.int64(1), cj), offs)
                distinct[j] = _popcount(bits)
        span = _normalized_span(coders, mn, mx, distinct)
        dim_order = np.argsort(-span, axis=1, kind="stable")
        undecided = (act_size >= 2 * k) & (span.max(axis=1) > 0)
        cut_dim = np.full(P, -1, dtype=np.int64)
        cut_code = np.full(P, -1, dtype=np.int64)
        cut_left = np.zeros(P, dtype=np.int64)
        for r in range(d):
            jr = dim_order[:, r]
            cand = undecided & (span[np.arange(P), jr] > 0)
            if not cand.any():
                break
            sub = np.flatnonzero(cand)
            _try_cuts(sub, jr[sub], seg, offs, act_size, rows, pos, codes, coders, hier,
                      k, rule, M, perm, cut_dim, cut_code, cut_left, undecided)
        # new nodes
        split = cut_dim >= 0
        n_nodes = len(feature)
        n_split = int(split.sum())
        new_left = n_nodes + 2 * np.arange(n_split)
        new_right = new_left + 1
        grow = np.full(2 * n_split, -1, dtype=np.int64)
        feature = np.concatenate([feature, grow])
        code_thr = np.concatenate([code_thr, grow])
        left = np.concatenate([left, grow])
        right = np.concatenate([right, grow])
        parents = act_node[split]
        feature[parents] = cut_dim[split]
        code_thr[parents] = cut_code[split]
        left[parents] = new_left
        right[parents] = new_right
        stop = ~split
        leaves_node.append(act_node[stop])
        leaves_start.append(act_start[stop])
        leaves_size.append(act_size[stop])
        if verbose:
            print(f"[MondrianAnonymizer] depth {depth}: {P} partitions, "
                  f"{n_split} cut, {int(stop.sum())} final", flush=True)
        sp = np.flatnonzero(split)
        act_node = np.stack([new_left, new_right], axis=1).ravel()
        act_start = np.stack([act_start[sp], act_start[sp] + cut_left[sp]], axis=1).ravel()
        act_size = np.stack([cut_left[sp], act_size[sp] - cut_left[sp]], axis=1).ravel()
        depth += 1
    leaf_node = np.concatenate(leaves_node)
    leaf_start = np.concatenate(leaves_start)
    leaf_size = np.concatenate(leaves_size)
    order = np.argsort(leaf_start, kind="stable")
    leaf_node, leaf_start, leaf_size = leaf_node[order], leaf_start[order], leaf_size[order]
    feature = np.asarray(feature, dtype=np.int64)
    leaf_of_node = np.full(len(feature), -1, dtype=np.int64)
    leaf_of_node[leaf_node] = np.arange(len(leaf_node))
    code_thr = np.asarray(code_thr, dtype=np.int64)
    threshold = np.full(len(feature), np.nan)
    for j, coder in enumerate(coders):
        nodes = np.flatnonzero(feature == j)
        if len(nodes):
            threshold[nodes] = coder.threshold(code_thr[nodes])
    tree = {
        "feature": feature,
        "code": code_thr,
        "threshold": threshold,
        "left": np.asarray(left, dtype=np.int64),
        "right": np.asarray(right, dtype=np.int64),
        "leaf": leaf_of_node,
        "max_depth": depth,
    }
    return tree, perm, leaf_start, leaf_size


def _try_cuts(sub, dims, seg, offs, sizes, rows, pos, codes, coders, hier, k, rule, M,
              perm, cut_dim, cut_code, cut_left, undecided):
    """Median cuts of the partitions ``sub`` on their dimensions ``dims``.

    The partitions' rows are sorted by the chosen dimension's code; the cut
    ``code <= med`` (ties left) and ``code < med`` (ties right) are tried,
    the more balanced allowed one first.  For a hierarchical dimension the
    cut snaps to the nearest boundary between children of the region's
    lowest common node.  Accepted cuts reorder ``perm`` in place.
    """
    P = len(sizes)
    local = np.full(P, -1, dtype=np.int64)
    local[sub] = np.arange(len(sub))
    mask = local[seg] >= 0
    rsel = rows[mask]
    psel = pos[mask]
    lseg = local[seg[mask]]
    dim_row = dims[lseg]
    c = codes[dim_row, rsel]
    key = lseg * M + c
    o = np.argsort(key)  # any order within equal codes is fine
    key = key[o]
    c_sorted = c[o]
    rsel = rsel[o]
    psel_sorted = np.sort(psel)  # the segments' positions in perm, in order
    sub_sizes = sizes[sub]
    sub_offs = np.concatenate(([0], np.cumsum(sub_sizes)[:-1]))
    med = c_sorted[sub_offs + (sub_sizes - 1) // 2]
    thr_a = med.copy()          # left: code <= med
    thr_b = med - 1             # left: code < med
    for j in np.unique(dims):
        if hier[j] is None:
            continue
        w = np.flatnonzero(dims == j)
        lo = c_sorted[sub_offs[w]]
        hi = c_sorted[sub_offs[w] + sub_sizes[w] - 1]
        split_level = hier[j]
        # level of the region's lowest common node: max split level inside
        lev = np.array([split_level[a:b].max() if b > a else 0 for a, b in zip(lo, hi)])
        ta, tb = np.empty(len(w), dtype=np.int64), np.empty(len(w), dtype=np.int64)
        for i, (lv, m_, a, b) in enumerate(zip(lev, med[w], lo, hi)):
            allowed = np.flatnonzero(split_level[a:b] == lv) + a  # cut after code
            above = allowed[allowed >= m_]
            below = allowed[allowed < m_]
            ta[i] = above[0] if len(above) else -1
            tb[i] = below[-1] if len(below) else -1
        thr_a[w], thr_b[w] = ta, tb
    base = np.arange(len(sub)) * M
    left_a = np.searchsorted(key, base + thr_a, side="right") - sub_offs
    left_b = np.searchsorted(key, base + thr_b, side="right") - sub_offs
    ok_a = (thr_a >= 0) & (left_a >= k) & (sub_sizes - left_a >= k)
    ok_b = (thr_b >= 0) & (left_b >= k) & (sub_sizes - left_b >= k)
    half = sub_sizes / 2
    a_first = np.abs(left_a - half) <= np.abs(left_b - half)
    first_ok = np.where(a_first, ok_a, ok_b)
    second_ok = np.where(a_first, ok_b, ok_a)
    first_thr = np.where(a_first, thr_a, thr_b)
    second_thr = np.where(a_first, thr_b, thr_a)
    first_left = np.where(a_first, left_a, left_b)
    second_left = np.where(a_first, left_b, left_a)
    if rule is not None:
        s_sorted = rule.s_codes[rsel]
        seg_sorted = np.repeat(np.arange(len(sub)), sub_sizes)
        within = np.arange(len(key)) - sub_offs[seg_sorted]
        m = rule.m
        # partitions per chunk, so the dense (partitions x m) histograms stay small
        step = max(1, 4_000_000 // m)

        def passes(left_n, ok):
            out = ok.copy()
            for a in range(0, len(sub), step):
                b = min(a + step, len(sub))
                if not ok[a:b].any():
                    continue
                r0 = sub_offs[a]
                r1 = sub_offs[b - 1] + sub_sizes[b - 1]
                sg, sv = seg_sorted[r0:r1] - a, s_sorted[r0:r1]
                tot = np.bincount(sg * m + sv, minlength=(b - a) * m).reshape(-1, m)
                is_left = within[r0:r1] < left_n[a:b][sg]
                hl = np.bincount(sg[is_left] * m + sv[is_left],
                                 minlength=(b - a) * m).reshape(-1, m)
                out[a:b] &= rule.ok(hl) & rule.ok(tot - hl)
            return out

        first_ok = passes(first_left, first_ok)
        need = ~first_ok & second_ok
        if need.any():
            second_ok = passes(second_left, second_ok & need)
    chosen_thr = np.where(first_ok, first_thr, second_thr)
    chosen_left = np.where(first_ok, first_left, second_left)
    accept = first_ok | second_ok
    if not accept.any():
        return
    acc = sub[accept]
    cut_dim[acc] = dims[accept]
    cut_code[acc] = chosen_thr[accept]
    cut_left[acc] = chosen_left[accept]
    undecided[acc] = False
    # write the sorted order back into perm for the accepted partitions
    seg_sorted = np.repeat(np.arange(len(sub)), sub_sizes)
    keep = accept[seg_sorted]
    perm[psel_sorted[keep]] = rsel[keep]


def route(tree, Z):
    """Leaf number of each row of ``Z`` (d, n) of routing values."""
    n = Z.shape[1]
    node = np.zeros(n, dtype=np.int64)
    feature, threshold = tree["feature"], tree["threshold"]
    left, right = tree["left"], tree["right"]
    active = np.flatnonzero(feature[node] >= 0)
    while len(active):
        nd = node[active]
        f = feature[nd]
        go_left = Z[f, active] <= threshold[nd]
        node[active] = np.where(go_left, left[nd], right[nd])
        active = active[feature[node[active]] >= 0]
    return tree["leaf"][node]
