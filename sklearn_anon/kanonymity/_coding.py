"""Private engine of :class:`~sklearn_anon.MondrianAnonymizer`: the column coding.

:func:`make_coder` / :class:`ColumnCoder`: every quasi-identifier is
turned once into integer codes (the rank of the value in the column's
domain: sorted values for numbers and datetimes, the given order, the
hierarchy's subtree-contiguous leaf order or the sorted labels for
categories; missing values get the last code).  The coder also routes new
values (:meth:`ColumnCoder.placeable`) and writes the labels of regions.
The number and datetime conversions (``numbers_to_float``,
``datetime_to_float``) live here too (the label texts are written with the
package's label grammar, :mod:`sklearn_anon._labels`, whose number
formatting is re-exported here for the estimator); the cut tree built on
the codes is in ``_cut_tree.py``.
"""

import datetime as _dt
from numbers import Integral
import warnings
import weakref

import numpy as np
import pandas as pd

from .. import _text
from .._labels import fmt_number, format_datetime, format_set
from ..base import values_hidden

#: nanoseconds per unit of the datetime64 resolutions pandas supports
_NS_PER = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}

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
        """The hierarchy's codes (see the class docstring), remembered per
        :class:`Hierarchy` object (immutable; a fit from cached files reuses
        them) and copied into each coder."""
        prep = _hierarchy_prep(self.hierarchy)
        if prep is None:
            self._prepare_hierarchy_codes()
            prep = _remember_prep(self.hierarchy, {f: getattr(self, f) for f in _PREP_FIELDS})
        for f in _PREP_FIELDS:
            setattr(self, f, _copied(prep[f]))

    def _prepare_hierarchy_codes(self):
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
        if len(v) > 50_000 and len(self.values) > 10_000:
            # many values: look them up in sorted order (sequential, cache-friendly)
            order = np.argsort(v)
            codes = np.empty(len(v), dtype=np.int64)
            codes[order] = np.searchsorted(self.values, v[order])
        else:
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
            return format_datetime(x, self.unit)
        return fmt_number(x)

    @property
    def unit(self):
        """Resolution of the datetime values (``"s"``, ``"ms"``, ``"us"``, ``"ns"``)."""
        return getattr(self, "_unit", "ns")  # "ns": coders pickled before units existed

    def set_label(self, present, children=None):
        """Label of a categorical region holding the codes ``present`` (sorted).

        ``children``: a dict the caller keeps across calls, remembering how
        many children each hierarchy node has and the hierarchy's tables as
        lists (the labels of many regions).
        """
        if len(present) == 1:
            return str(self.labels[present[0]])
        if self.hierarchy is None:
            return format_set(self.labels[c] for c in present)
        if children is None:
            children = {}
        tables = children.get("tables")
        if tables is None:  # plain lists: many small look-ups per label
            tables = children["tables"] = (self.split_level.tolist(),
                                           [lc.tolist() for lc in self.level_codes])
        split, level_codes = tables
        lo, hi = present[0], present[-1]
        top = len(level_codes)
        lev = max(split[lo:hi]) if hi > lo else 0
        if lev >= top:  # no common node: list the top-level nodes present
            child_level, whole = top - 1, False
        else:
            child_level = lev - 1
            node = level_codes[lev][lo]
            n_children = children.get((lev, node))
            if n_children is None:
                n_children = len(np.unique(
                    self.level_codes[child_level][self.level_codes[lev] == node]))
                children[(lev, node)] = n_children
            kid_codes = level_codes[child_level]
            kids = [kid_codes[c] for c in present]
            whole = len(set(kids)) == n_children
            if whole:
                return str(self.node_labels[lev][node])
        names = children.get(("names", child_level))
        if names is None:
            names = [str(x) for x in self.node_labels[child_level]]
            children[("names", child_level)] = names
        if lev >= top:
            kid_codes = level_codes[child_level]
            kids = [kid_codes[c] for c in present]
        return format_set(names[c] for c in dict.fromkeys(kids))

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


# the prepared codes of each Hierarchy object: id -> (weak reference, fields)
_PREP_FIELDS = ("labels", "level_codes", "node_labels", "split_level", "node_first",
                "node_last")
_PREP_CACHE: dict[int, tuple[weakref.ref, dict]] = {}


def _hierarchy_prep(h):
    """The fields remembered for the Hierarchy ``h`` (a dict), or None."""
    got = _PREP_CACHE.get(id(h))
    if got is None or got[0]() is not h:
        return None
    return got[1]


def _remember_prep(h, fields):
    """Remember ``fields`` for ``h`` (dropped when ``h`` is); returns ``fields``."""
    key = id(h)

    def forget(ref, key=key):
        entry = _PREP_CACHE.get(key)
        if entry is not None and entry[0] is ref:
            _PREP_CACHE.pop(key, None)

    try:
        ref = weakref.ref(h, forget)
    except TypeError:  # not weakly referenceable: not remembered
        return fields
    _PREP_CACHE[key] = (ref, fields)
    return fields


def _copied(value):
    """A copy of an array or of a list of arrays (each coder owns its fields)."""
    if isinstance(value, list):
        return [v.copy() for v in value]
    return value.copy()


def make_coder(column, name, *, categorical, order=None, hierarchy=None, return_codes=False):
    """Fit a :class:`ColumnCoder` on the training column.

    With ``return_codes``: ``(coder, codes)``, the codes of the column as
    :meth:`ColumnCoder.fit_codes` gives them (numbers and dates: computed
    with the values, not looked up again).
    """
    if hierarchy is not None:
        coder = ColumnCoder(name, "categorical", hierarchy=hierarchy)
        # position in the table -> code in subtree order (remembered with the codes)
        h = hierarchy
        prep = _hierarchy_prep(h)
        inv = prep.get("_table_to_code") if prep is not None else None
        if inv is None:
            table_pos = h.leaf_codes(pd.Series(coder.labels, dtype=object))
            inv = np.empty(len(table_pos), dtype=np.int64)
            inv[table_pos] = np.arange(len(table_pos))
            if prep is not None:
                prep["_table_to_code"] = inv
        coder._table_to_code = inv.copy()
        return (coder, coder.fit_codes(column)) if return_codes else coder
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
                present = s.dropna()
                if present.dtype != object:
                    # string / categorical / boolean dtypes: the distinct values first, so
                    # that only those become Python objects (not one per row)
                    present = pd.Series(_text.unique(present))
                uniq = _text.unique(_as_object(present))
                try:
                    labels = np.asarray(sorted(uniq), dtype=object)
                except TypeError:  # mixed types: sort by text
                    labels = np.asarray(sorted(uniq, key=str), dtype=object)
        coder = ColumnCoder(name, "categorical", labels=labels)
        return (coder, coder.fit_codes(column)) if return_codes else coder
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
        values, codes = _distinct_codes(v)
        coder = ColumnCoder(name, "datetime", values=values, datetime_dtype=column.dtype)
        coder._unit = unit
        return (coder, codes) if return_codes else coder
    values, codes = _distinct_codes(numbers_to_float(column, name))
    coder = ColumnCoder(name, "numeric", values=values)
    return (coder, codes) if return_codes else coder


def _distinct_codes(v):
    """``(values, codes)`` of float values ``v`` (NaN: missing).

    ``values``: the sorted distinct present values (``np.unique``); ``codes``
    (int64): each value's index in ``values``, ``len(values)`` where missing
    (what :meth:`ColumnCoder.fit_codes` gives).  Whole numbers spanning
    fewer values than there are rows are placed by a table over their range
    (no sort, and the table smaller than the column); other values by one
    ``np.unique`` with the inverse.
    """
    n = len(v)
    present = ~np.isnan(v)
    n_present = int(present.sum())
    if n_present:
        lo, hi = float(np.min(v, where=present, initial=np.inf)), float(
            np.max(v, where=present, initial=-np.inf))
        span = hi - lo
        whole = (span < n and abs(lo) < 2.0 ** 52 and abs(hi) < 2.0 ** 52
                 and bool(np.all(np.floor(v, where=present, out=np.zeros(n)) == np.where(present, v, 0))))
        if whole:
            off = np.where(present, v - lo, 0).astype(np.int64)
            seen = np.zeros(int(span) + 1, dtype=bool)
            seen[off[present]] = True
            at = np.flatnonzero(seen)
            rank = np.cumsum(seen, dtype=np.int64) - 1
            codes = rank[off]
            codes[~present] = len(at)
            return at + lo, codes
    values, codes = np.unique(v, return_inverse=True)  # NaN (one, equal_nan) sorts last
    codes = codes.ravel().astype(np.int64, copy=False)
    if n_present < n:
        values = values[:-1]
    return values, codes


def _column_name(frame, col, what):
    """The name of column ``col`` (a name, or a position when no column has that name)."""
    try:
        if col in frame.columns:
            return col
    except TypeError:  # unhashable
        raise ValueError(f"{what} must be a column name or position.") from None
    if isinstance(col, Integral) and not isinstance(col, (bool, np.bool_)):
        if -frame.shape[1] <= col < frame.shape[1]:
            return frame.columns[col]
    raise ValueError(f"{what} {col!r} is not in the input.")
