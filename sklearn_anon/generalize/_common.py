"""Generalization and statistical-disclosure-control transformers.

Each transformer here is column-wise (see :class:`sklearn_anon.base.ColumnAnonymizer`):
it anonymizes the columns named in ``columns`` (all by default), keeps rows
in count and order, and never lets a raw value through by accident: a value
the fitted state cannot generalize (NaN, out of range, unseen) is
suppressed, written as ``"*"`` in a categorical column or NaN in a numeric
one.
"""

import datetime
import functools
import os
import re
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .. import _text
from .._compat import Interval, StrOptions
from .._hierarchy import Hierarchy, load_hierarchy
from .._text import categorical_from_codes, label_bytes, object_index
from ..base import (
    SUPPRESSED,
    ColumnAnonymizer,
    _column_label,
    is_numeric,
    per_column,
    require_numeric,
    values_hidden,
)

__all__ = [
    "DateGeneralizer",
    "HierarchyGeneralizer",
    "IntervalGeneralizer",
    "PrefixGeneralizer",
    "RareCategoryGrouper",
    "TopBottomCoder",
]


def _shared_docs(cls):
    """Fill the ``{fitted_columns:<verb>}`` marker of a docstring (shared text)."""
    if not cls.__doc__:  # python -OO
        return cls
    cls.__doc__ = re.sub(
        r"    \{fitted_columns:(\w+)\}\n",
        lambda m: (
            f"    columns_ : list\n        The {m.group(1)} columns.\n"
            "    n_features_in_ : int\n        Number of columns seen in fit.\n"
            "    feature_names_in_ : ndarray of str\n"
            "        Column names seen in fit (DataFrame input only).\n"
        ),
        cls.__doc__,
    )
    return cls


#: kept under its old name: :mod:`sklearn_anon.dask` imports it
_per_column = per_column


def _fmt(x, precision):
    """Format a bin edge: integers without decimals, others rounded."""
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.{precision}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _interval_labels(edges, right, precision, open_ends):
    """Labels ``"[a, b)"`` / ``"(a, b]"``; open outer bins as ``"< b"`` / ``">= a"``."""
    lo_br, hi_br = ("(", "]") if right else ("[", ")")
    labels = []
    n = len(edges) - 1
    for i in range(n):
        a, b = _fmt(edges[i], precision), _fmt(edges[i + 1], precision)
        if open_ends and i == 0 and n > 1:
            labels.append(f"<= {b}" if right else f"< {b}")
        elif open_ends and i == n - 1 and n > 1:
            labels.append(f"> {a}" if right else f">= {a}")
        else:
            labels.append(f"{lo_br}{a}, {b}{hi_br}")
    return labels


def _checked_edges(given, where):
    """``given`` as strictly increasing float edges, or a ValueError naming ``where``."""
    edges = np.asarray(given, dtype=np.float64)
    if edges.ndim != 1 or edges.size < 2:
        raise ValueError(f"bins{where} must hold at least 2 edges.")
    if np.isnan(edges).any() or np.any(np.diff(edges) <= 0):
        raise ValueError(f"bins{where} must be strictly increasing.")
    return edges


def _checked_labels(labels, n_bins, where):
    """``labels`` as strings, one per bin, unique, not the suppression marker."""
    labels = [str(label) for label in labels]
    if len(labels) != n_bins:
        raise ValueError(
            f"labels{where} must have one entry per bin: {n_bins} bins, "
            f"{len(labels)} labels."
        )
    if len(set(labels)) != len(labels) or SUPPRESSED in labels:
        raise ValueError(
            f"labels{where} must be unique and must not be the suppression "
            f"marker {SUPPRESSED!r}."
        )
    return labels


def bin_codes(values, edges, *, right, include_lowest=False):
    """Index of the bin of each value (``pd.cut`` semantics), -1 when outside or NaN.

    Parameters
    ----------
    values : ndarray of float
    edges : ndarray of float, strictly increasing
    right : bool
        Bins are ``(a, b]`` when True, ``[a, b)`` when False.
    include_lowest : bool
        With ``right=True``, the first bin also holds its left edge.

    Returns
    -------
    codes : ndarray of int64
    """
    side = "left" if right else "right"
    codes = np.searchsorted(edges, values, side=side).astype(np.int64) - 1
    n_bins = len(edges) - 1
    if right and include_lowest:
        codes[values == edges[0]] = 0
    codes[(codes < 0) | (codes >= n_bins) | np.isnan(values)] = -1
    return codes


@_shared_docs
class IntervalGeneralizer(ColumnAnonymizer):
    """Generalize numbers to intervals (age bands, income classes).

    With explicit ``bins`` (and optionally ``labels``) it follows
    :func:`pandas.cut` value for value: bins are ``(a, b]`` when
    ``right=True`` and ``[a, b)`` when ``right=False``.  Without ``bins`` it
    learns ``n_bins`` edges per column in ``fit`` (``strategy="uniform"`` or
    ``"quantile"``); learnt outer bins are open-ended (``"< 30"``,
    ``">= 60"``), so the release shows neither the training minimum nor the
    maximum and new data outside the training range is still generalized.

    Suppression: NaN and values outside explicit bins become ``"*"``.
    The output column is a pandas categorical whose categories are the
    labels followed by ``"*"`` (the same schema for every call to
    ``transform``).

    Parameters
    ----------
    bins : array-like of float, dict of {column: array-like} or None, default=None
        Strictly increasing bin edges, for every column or per column.
        ``-np.inf`` / ``np.inf`` edges are allowed.  None learns the edges.
    labels : list of str, dict of {column: list} or None, default=None
        One label per bin (``len(bins) - 1``), unique, not ``"*"``.  None
        writes interval labels.
    right : bool, default=True
        Whether bins include their right edge, as in :func:`pandas.cut`.
    include_lowest : bool, default=False
        With ``right=True``, whether the first bin includes its left edge.
    n_bins : int, default=5
        Number of bins learnt when ``bins`` is None.
    strategy : {"quantile", "uniform"}, default="quantile"
        How learnt edges are placed: equal-frequency or equal-width.
        Repeated quantiles are merged, so fewer bins may result.
    precision : int, default=3
        Decimals kept in interval labels for non-integer edges.
    columns : list of str or int, or None, default=None
        Columns to generalize; the others pass through unchanged.  None
        generalizes every column.

    Attributes
    ----------
    bins_ : dict of {column: (ndarray, list of str)}
        The fitted edges and labels per column.
    bin_edges_ : dict of {column: ndarray}
        The edges used for each generalized column.
    labels_ : dict of {column: list of str}
        The label of each bin.
    {fitted_columns:generalized}

    See Also
    --------
    pandas.cut : the same binning, without a fitted state.
    TopBottomCoder : clip outliers instead of binning.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import IntervalGeneralizer
    >>> X = pd.DataFrame({"income": [500, 12000, 60000, 900000]})
    >>> gen = IntervalGeneralizer(
    ...     bins=[0, 9000, 25000, 51000, 115000, 500000],
    ...     labels=["Destitute", "Poor", "Working", "Middle", "Affluent"],
    ...     right=False)
    >>> gen.fit_transform(X)["income"].tolist()
    ['Destitute', 'Poor', 'Middle', '*']
    """

    _state_attr = "bins_"

    _parameter_constraints = {
        "bins": ["array-like", dict, None],
        "labels": ["array-like", dict, None],
        "right": ["boolean"],
        "include_lowest": ["boolean"],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"quantile", "uniform"})],
        "precision": [Interval(Integral, 0, None, closed="left")],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(
        self,
        *,
        bins=None,
        labels=None,
        right=True,
        include_lowest=False,
        n_bins=5,
        strategy="quantile",
        precision=3,
        columns=None,
    ):
        self.bins = bins
        self.labels = labels
        self.right = right
        self.include_lowest = include_lowest
        self.n_bins = n_bins
        self.strategy = strategy
        self.precision = precision
        self.columns = columns

    def _fit_column(self, column, name):
        require_numeric(column, name, type(self).__name__)
        given = per_column(self.bins, name)
        if given is not None:
            edges = _checked_edges(given, f" for column {name!r}")
            open_ends = False
        else:
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            finite = values[np.isfinite(values)]
            if finite.size == 0:
                raise ValueError(
                    f"Column {name!r} has no finite value to learn bins from."
                )
            if self.strategy == "uniform":
                edges = np.linspace(finite.min(), finite.max(), self.n_bins + 1)
            else:
                edges = np.quantile(finite, np.linspace(0, 1, self.n_bins + 1))
            edges = np.unique(edges)
            if edges.size < 2:  # constant column: one bin around the value
                edges = np.array([edges[0], edges[0]])
            edges[0], edges[-1] = -np.inf, np.inf
            open_ends = True
        labels = per_column(self.labels, name)
        if labels is None:
            labels = _interval_labels(edges, self.right, self.precision, open_ends)
        else:
            labels = _checked_labels(labels, len(edges) - 1, f" for column {name!r}")
        return edges, labels

    @property
    def bin_edges_(self):
        return {name: edges for name, (edges, _) in self.bins_.items()}

    @property
    def labels_(self):
        return {name: labels for name, (_, labels) in self.bins_.items()}

    def _transform_column(self, column, name, state):
        require_numeric(column, name, type(self).__name__)
        edges, labels = state
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        codes = bin_codes(values, edges, right=self.right, include_lowest=self.include_lowest)
        codes[codes < 0] = len(labels)
        cat = categorical_from_codes(codes, [*labels, SUPPRESSED])
        return pd.Series(cat, index=column.index, name=name)


@_shared_docs
class TopBottomCoder(ColumnAnonymizer):
    """Top- and bottom-code numeric columns: clip outliers instead of dropping rows.

    A value above the upper bound is replaced by the bound (likewise below
    the lower bound), so an extreme record (the one customer with a credit
    debt of 100 million) no longer stands out, and the row stays.
    Bounds are given, or learnt in ``fit`` as quantiles of the training data.

    NaN stays NaN (the numeric suppression marker).  The output is float:
    a float column keeps its dtype (``float32``, ``Float64``), any other
    numeric column becomes ``float64``.

    Parameters
    ----------
    lower, upper : float, dict of {column: float} or None, default=None
        Given bounds.  A given bound takes precedence over the quantile.
    lower_quantile : float in [0, 1] or None, default=None
        Quantile learnt as lower bound when ``lower`` is not given; None
        leaves the low side unclipped.
    upper_quantile : float in [0, 1] or None, default=0.99
        Quantile learnt as upper bound when ``upper`` is not given; None
        leaves the high side unclipped.
    columns : list of str or int, or None, default=None
        Columns to code; the others pass through unchanged.

    Attributes
    ----------
    bounds_ : dict of {column: (float, float)}
        Lower and upper bound used per column (``-inf`` / ``inf`` when a
        side is not clipped).
    {fitted_columns:coded}

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import TopBottomCoder
    >>> X = pd.DataFrame({"debt": [1.0, 2.0, 3.0, 1000.0]})
    >>> TopBottomCoder(upper=10).fit_transform(X)["debt"].tolist()
    [1.0, 2.0, 3.0, 10.0]
    """

    _state_attr = "bounds_"

    _parameter_constraints = {
        "lower": [Real, dict, None],
        "upper": [Real, dict, None],
        "lower_quantile": [Interval(Real, 0, 1, closed="both"), None],
        "upper_quantile": [Interval(Real, 0, 1, closed="both"), None],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(
        self, *, lower=None, upper=None, lower_quantile=None, upper_quantile=0.99, columns=None
    ):
        self.lower = lower
        self.upper = upper
        self.lower_quantile = lower_quantile
        self.upper_quantile = upper_quantile
        self.columns = columns

    def _fit_column(self, column, name):
        require_numeric(column, name, type(self).__name__)
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = values[np.isfinite(values)]
        bounds = []
        for given, q, default in (
            (per_column(self.lower, name), self.lower_quantile, -np.inf),
            (per_column(self.upper, name), self.upper_quantile, np.inf),
        ):
            if given is not None:
                bounds.append(float(given))
            elif q is not None and finite.size:
                bounds.append(float(np.quantile(finite, q)))
            else:
                bounds.append(default)
        lo, hi = bounds
        if lo > hi:
            raise ValueError(
                f"Column {name!r}: the lower bound is above the upper bound."
            )
        return lo, hi

    def _transform_column(self, column, name, bounds):
        require_numeric(column, name, type(self).__name__)
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        out = pd.Series(np.clip(values, *bounds), index=column.index, name=name)
        if pd.api.types.is_float_dtype(column.dtype):
            out = out.astype(column.dtype)  # float32 / Float64 stay as they were
        return out


# -- helpers shared by the categorical generalizers ---------------------------
def _factorize(column):
    """``(codes, uniques)``: codes are -1 for NaN; categoricals reuse their codes.

    Everything the categorical generalizers compute is computed on
    ``uniques`` (one entry per distinct value), then spread to the rows by
    indexing with ``codes``: the cost per row is one integer lookup.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64, copy=False)
        return codes, pd.Index(column.cat.categories)
    codes, uniques = _text.factorize(column, use_na_sentinel=True)
    return codes.astype(np.int64, copy=False), pd.Index(uniques)


def _scalar_label(value):
    if isinstance(value, (bytes, bytearray)):
        # the text, not the repr "b'...'"; a byte that is not UTF-8 as an escape
        # ("\\xff"), so two distinct bytes values keep two distinct labels
        return label_bytes(value)
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (Integral, np.integer)):
        return str(int(value))
    if isinstance(value, (Real, np.floating)):
        value = float(value)
        if np.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return str(value)
    return str(value)


def _labels(uniques):
    """String label of each distinct value: integral numbers without ``.0``.

    So that the int ``582``, the float ``582.0`` and the string ``"582"``
    get the same label.  Runs on distinct values only.
    """
    idx = pd.Index(uniques)
    if len(idx) == 0:
        return np.empty(0, dtype=object)
    if is_numeric(idx):
        values = idx.to_numpy(dtype=np.float64, na_value=np.nan)
        out = np.asarray(idx.astype(str), dtype=object)
        whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2**53)
        out[whole] = np.asarray(pd.Index(values[whole].astype(np.int64)).astype(str), dtype=object)
        return out
    if (pd.api.types.is_string_dtype(idx.dtype) and idx.dtype != object) or (
        pd.api.types.infer_dtype(idx, skipna=True) == "string"
    ):
        return np.asarray(idx, dtype=object)
    return np.array([_scalar_label(v) for v in idx], dtype=object)  # mixed objects only


def _present(codes, size):
    """Which of ``size`` codes occur in ``codes`` (-1 entries ignored)."""
    return np.bincount(codes + 1, minlength=size + 1)[1:] > 0


def _spread(codes, lut, fill):
    """Row codes from per-distinct codes ``lut``; NaN rows (code -1) get ``fill``.

    The result has the smallest integer dtype that holds the codes (the
    dtype pandas keeps for categorical codes), so that building the
    categorical does not copy them again.
    """
    lut = np.append(np.asarray(lut, dtype=np.int64), fill)
    return lut.astype(_code_dtype(int(lut.max(initial=0))))[codes]


def _code_dtype(top):
    """Smallest signed integer dtype holding codes up to ``top`` (and -1)."""
    for dtype in (np.int8, np.int16, np.int32):
        if top < np.iinfo(dtype).max:
            return dtype
    return np.int64


# -- DateGeneralizer -------------------------------------------------------------
_DATE_UNITS = ("year", "month", "decade", "age")


def _epoch_to_datetime64(numbers, epoch_unit):
    """Unix timestamps (float array, ``epoch_unit``) as ``datetime64[us]``; NaT outside years ~1-9900."""
    scale = {"s": 1e6, "ms": 1e3, "us": 1.0, "D": 86400e6}[epoch_unit]
    raw = np.asarray(numbers, dtype=np.float64) * scale
    ok = np.isfinite(raw) & (np.abs(raw) < 2.5e17)  # about years 1 to 9900
    micros = np.where(ok, raw, 0).astype(np.int64)
    values = micros.astype("datetime64[us]")
    values[~ok] = np.datetime64("NaT")
    return values


def _parse_date_strings(texts, fmt):
    """``datetime64[us]`` of date strings (NaT when unparseable), wall time for offsets.

    One vectorized :func:`pandas.to_datetime`; when it refuses the batch as
    a whole (strings with different UTC offsets, or offsets beside naive
    dates) each string is parsed alone, so one odd string cannot fail the
    column.  Runs inside :func:`values_hidden` (the caller's).
    """
    if not texts:
        return np.empty(0, dtype="datetime64[us]")
    try:
        parsed = pd.to_datetime(pd.Index(texts, dtype=object), errors="coerce", format=fmt)
        if parsed.dtype == object:  # pandas 2, mixed offsets: aware objects, not wall time
            raise ValueError("mixed time zones")
        if getattr(parsed, "tz", None) is not None:
            parsed = parsed.tz_localize(None)
        out = np.asarray(parsed, dtype="datetime64[us]")
    except (ValueError, TypeError, OverflowError):  # mixed time zones
        out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[us]")
        for i, text in enumerate(texts):
            out[i] = _one_datetime(pd.to_datetime(text, errors="coerce", format=fmt))
    for i in np.flatnonzero(np.isnat(out)):
        out[i] = _far_date_string(texts[i], fmt)
    return out


#: the range of datetime64[ns], all pandas 2 parses text into
_NS_RANGE = (np.datetime64(pd.Timestamp.min.value, "ns").astype("datetime64[us]"),
             np.datetime64(pd.Timestamp.max.value, "ns").astype("datetime64[us]"))


def _far_date_string(text, fmt):
    """``datetime64[us]`` (wall time) of a date string beyond the nanosecond range.

    pandas 2 reads text only into nanoseconds (years 1677-2262) and gives NaT
    beyond; pandas 3 reads it in coarser units.  Python reads such a string
    (ISO 8601, or ``fmt`` with :func:`datetime.datetime.strptime`), so both
    agree.  NaT for anything else (a date pandas refused within the range
    stays refused).
    """
    try:
        text = text.strip()
        when = (datetime.datetime.fromisoformat(text) if fmt is None
                else datetime.datetime.strptime(text, fmt))
        value = np.datetime64(when.replace(tzinfo=None), "us")
    except (ValueError, TypeError, OverflowError):
        return np.datetime64("NaT")
    if _NS_RANGE[0] <= value <= _NS_RANGE[1]:
        return np.datetime64("NaT")
    return value


def _one_datetime(value):
    """One datetime-like object as ``datetime64[us]`` (wall time), NaT when it cannot be."""
    try:
        ts = pd.Timestamp(value)
        if pd.isna(ts):
            return np.datetime64("NaT")
        if ts.tz is not None:
            ts = ts.tz_localize(None)
        return np.datetime64(ts.as_unit("us").asm8, "us")
    except (ValueError, TypeError, OverflowError):  # out of range of datetime64[us]
        return np.datetime64("NaT")


def _to_datetime64(column, name, fmt, epoch_unit):
    """``(codes, datetime64 values of the distinct entries)``: NaT when unparseable.

    Datetime columns are used as they are and numbers are Unix timestamps
    in ``epoch_unit`` (codes None: one value per row); strings, categoricals
    and objects are parsed once per distinct value, each by its type:
    strings (and bytes, by their text) with :func:`pandas.to_datetime`,
    numbers as Unix timestamps in ``epoch_unit`` (as in a numeric column),
    ``date``/``datetime``/``datetime64`` objects as they are (wall time when
    time-zone aware); anything else (booleans, other objects) is NaT.  Parse
    errors never show the value.
    """
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise TypeError(
            f"DateGeneralizer needs a datetime, string or numeric {_column_label(name)}, "
            f"got dtype {dtype}."
        )
    if isinstance(dtype, pd.ArrowDtype) and dtype.kind == "M":
        # pyarrow dates/timestamps: in their own unit (no numpy detour through
        # nanoseconds, which pandas 2 takes and which fails beyond 1677..2262)
        # and pyarrow's own wall time (pandas 2.2's .dt.tz_localize(None) keeps UTC)
        import pyarrow as pa
        import pyarrow.compute as pc

        arrow = dtype.pyarrow_dtype
        unit = getattr(arrow, "unit", "s")  # date32: whole days, in seconds
        if unit not in ("s", "ms", "us", "ns"):
            unit = "ms" if str(arrow) == "date64[ms]" else "s"
        with values_hidden(name, "could not read the column as dates"):
            arr = pa.array(column.array)
            if getattr(arrow, "tz", None) is not None:
                arr = pc.local_timestamp(arr)
            arr = arr.cast(pa.timestamp(unit)).to_numpy(zero_copy_only=False)
            return None, np.asarray(arr, dtype=f"datetime64[{unit}]")
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            column = column.dt.tz_localize(None)
        return None, column.to_numpy()
    if is_numeric(column):
        return None, _epoch_to_datetime64(column.to_numpy(dtype=np.float64, na_value=np.nan), epoch_unit)
    codes, uniques = _factorize(column)
    with values_hidden(name, "could not be parsed as dates (check `format`)"), warnings.catch_warnings():
        # pandas' format-inference warnings may quote a value: keep them out of logs
        warnings.simplefilter("ignore", UserWarning)
        if pd.api.types.is_string_dtype(uniques.dtype) and uniques.dtype != object:
            return codes, _parse_date_strings(list(uniques), fmt)
        objs = np.asarray(uniques, dtype=object)
        values = np.full(len(objs), np.datetime64("NaT"), dtype="datetime64[us]")
        is_text = np.array([isinstance(v, (str, bytes, bytearray)) for v in objs], dtype=bool)
        is_number = np.array([isinstance(v, (Real, np.number)) and not isinstance(v, (bool, np.bool_))
                              for v in objs], dtype=bool)
        is_date = np.array([isinstance(v, (datetime.date, np.datetime64)) for v in objs], dtype=bool)
        if is_text.any():
            texts = [v if isinstance(v, str) else label_bytes(v) for v in objs[is_text]]
            values[is_text] = _parse_date_strings(texts, fmt)
        if is_number.any():
            values[is_number] = _epoch_to_datetime64(objs[is_number].astype(np.float64), epoch_unit)
        for i in np.flatnonzero(is_date):
            values[i] = _one_datetime(objs[i])
    return codes, values


_MAX_DAY_SPAN = 4_000_000


def _per_day(values, func):
    """``(func(values), nat)`` with ``func`` computed once per calendar day.

    ``func`` maps a ``datetime64[D]`` array without NaT to numbers.  When
    the rows span fewer days than there are rows (birthdates, order
    dates), ``func`` runs on the day range and the rows index into it.
    """
    nat = np.isnat(values)
    days = values.astype("datetime64[D]").view(np.int64)
    if nat.all():
        return np.zeros(len(values), dtype=np.int64), nat
    lo = int(days.min(where=~nat, initial=np.iinfo(np.int64).max))
    hi = int(days.max(where=~nat, initial=np.iinfo(np.int64).min))
    if hi - lo < min(_MAX_DAY_SPAN, len(values)):
        lut = func(np.arange(lo, hi + 1, dtype=np.int64).astype("datetime64[D]"))
        return lut[np.where(nat, 0, days - lo)], nat
    return func(np.where(nat, 0, days).astype("datetime64[D]")), nat


def _period_index(values, unit):
    """Integer period of each datetime64 (year, month count, decade), and the NaT mask."""

    def period(day):
        if unit == "month":
            return day.astype("datetime64[M]").astype(np.int64) + 1970 * 12
        years = day.astype("datetime64[Y]").astype(np.int64) + 1970
        return years // 10 if unit == "decade" else years

    return _per_day(values, period)


def _period_label(period, unit):
    if unit == "year":
        return str(period)
    if unit == "decade":
        return f"{period * 10}s"
    return f"{period // 12:04d}-{period % 12 + 1:02d}"


def _whole_years(values, reference):
    """Age in whole years at ``reference`` of each datetime64 (NaN for NaT)."""

    def age(day):
        months = day.astype("datetime64[M]")
        year = months.astype(np.int64) // 12 + 1970
        month = months.astype(np.int64) % 12 + 1
        dom = (day - months.astype("datetime64[D]")).astype(np.int64) + 1
        not_yet = (month > reference.month) | ((month == reference.month) & (dom > reference.day))
        return (reference.year - year - not_yet).astype(np.float64)

    ages, nat = _per_day(values, age)
    ages = ages.astype(np.float64)
    ages[nat] = np.nan
    return ages


def _age_labels(edges, right, precision):
    """``"20-34"`` labels for whole-year bins; interval labels for fractional edges."""
    finite = edges[np.isfinite(edges)]
    if not np.all(finite == np.round(finite)):
        return _interval_labels(edges, right, precision, open_ends=False)
    labels = []
    for a, b in zip(edges[:-1], edges[1:]):
        lo = a + 1 if right else a  # first whole year in the bin
        hi = b if right else b - 1  # last whole year in the bin
        if np.isinf(b):
            labels.append(f"{_fmt(lo, 0)}+")
        elif np.isinf(a):
            labels.append(f"<= {_fmt(hi, 0)}")
        elif lo == hi:
            labels.append(_fmt(lo, 0))
        else:
            labels.append(f"{_fmt(lo, 0)}-{_fmt(hi, 0)}")
    return labels


@_shared_docs
class DateGeneralizer(ColumnAnonymizer):
    """Generalize dates to year, month, decade, or an age band.

    Accepts datetime columns (naive or time-zone aware: the local wall time
    is used), date strings (parsed once per distinct string with
    :func:`pandas.to_datetime`, ``format`` if given, else inferred), Python
    ``date``/``datetime`` objects, and numbers taken as Unix timestamps in
    ``epoch_unit``.  In an object column each distinct value is read by its
    type (a number there is a timestamp too, bytes are read as text, a
    boolean or other object is suppressed), and one time-zone aware value
    among naive ones does not stop the column.

    * ``unit="year"`` / ``"month"`` / ``"decade"``: labels ``"1987"``,
      ``"1987-03"``, ``"1980s"``.  The category set is fixed in ``fit``:
      every period from the first to the last one seen in training, plus
      ``"< first"`` and ``"> last"`` for dates outside the training span
      (they are coded, not shown), plus ``"*"``.
    * ``unit="age"``: age in whole years at ``reference_date`` (a birthday
      not reached yet that year does not count), then banded by ``bins`` as
      in :class:`IntervalGeneralizer` (labels like ``"20-34"``).  Ages
      outside the bins are suppressed.

    Suppression: NaT, NaN, and strings that cannot be parsed become
    ``"*"``; the parse error is never raised with the value in it.  The
    output is a categorical column with the categories fixed in ``fit``.

    Parameters
    ----------
    unit : {"year", "month", "decade", "age"}, default="year"
        The generalization.
    reference_date : str, date, datetime or None, default=None
        Date at which ages are computed (``unit="age"``).  None takes the
        date of the call to ``fit`` (stored in ``reference_date_``), so a
        fitted estimator keeps computing ages at the same date.
    bins : array-like of float or None, default=None
        Strictly increasing age edges (``unit="age"``); ``np.inf`` allowed.
        None uses ten-year bands ``0-9, 10-19, ..., 110-119``.
    labels : list of str or None, default=None
        One label per age bin.  None writes ``"20-34"``-style labels.
    right : bool, default=False
        Whether age bins include their right edge (``False``: ``[a, b)``,
        so ``bins=[20, 35]`` holds ages 20 to 34).
    format : str or None, default=None
        ``strftime`` format of date strings (``"%d/%m/%Y"``), or
        ``"ISO8601"`` / ``"mixed"``; None lets pandas infer it.
    epoch_unit : {"s", "ms", "us", "D"}, default="s"
        Unit of numeric input (Unix timestamps).
    columns : list of str or int, or None, default=None
        Columns to generalize; the others pass through unchanged.

    Attributes
    ----------
    states_ : dict of {column: tuple}
        Per column: the fitted span and categories (periods) or the edges
        and labels (ages).
    categories_ : dict of {column: list of str}
        The output categories per column.
    reference_date_ : pandas.Timestamp or None
        The date ages are computed at (``unit="age"``).
    {fitted_columns:generalized}

    See Also
    --------
    IntervalGeneralizer : the same banding for numeric ages.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import DateGeneralizer
    >>> X = pd.DataFrame({"birthdate": ["1987-03-14", "1992-11-02", "not a date"]})
    >>> DateGeneralizer(unit="decade").fit_transform(X)["birthdate"].tolist()
    ['1980s', '1990s', '*']
    >>> DateGeneralizer(unit="month").fit_transform(X)["birthdate"].tolist()
    ['1987-03', '1992-11', '*']
    >>> gen = DateGeneralizer(unit="age", reference_date="2024-03-14",
    ...                       bins=[20, 35, 45, 55, 65])
    >>> gen.fit_transform(X)["birthdate"].tolist()
    ['35-44', '20-34', '*']
    """

    _parameter_constraints = {
        "unit": [StrOptions(set(_DATE_UNITS))],
        "reference_date": [str, datetime.date, np.datetime64, None],
        "bins": ["array-like", None],
        "labels": ["array-like", None],
        "right": ["boolean"],
        "format": [str, None],
        "epoch_unit": [StrOptions({"s", "ms", "us", "D"})],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(
        self,
        *,
        unit="year",
        reference_date=None,
        bins=None,
        labels=None,
        right=False,
        format=None,
        epoch_unit="s",
        columns=None,
    ):
        self.unit = unit
        self.reference_date = reference_date
        self.bins = bins
        self.labels = labels
        self.right = right
        self.format = format
        self.epoch_unit = epoch_unit
        self.columns = columns

    def _check_params(self, X):
        self.reference_date_ = None
        if self.unit != "age":
            return
        if self.reference_date is None:
            self.reference_date_ = pd.Timestamp.today().normalize()
        else:
            try:
                ref = pd.Timestamp(self.reference_date)
            except (ValueError, TypeError, OverflowError):
                raise ValueError("reference_date could not be parsed as a date.") from None
            if pd.isna(ref):
                raise ValueError("reference_date must be a date, not NaT.")
            self.reference_date_ = ref
        if self.bins is None:
            edges = np.arange(0, 130, 10, dtype=np.float64)
        else:
            edges = _checked_edges(self.bins, "")
        if self.labels is None:
            labels = _age_labels(edges, self.right, 3)
        else:
            labels = _checked_labels(self.labels, len(edges) - 1, "")
        self._age_bins = (edges, labels)

    def _fit_column(self, column, name):
        if self.unit == "age":
            edges, labels = self._age_bins
            return "age", edges, labels, [*labels, SUPPRESSED]
        codes, values = _to_datetime64(column, name, self.format, self.epoch_unit)
        period, nat = _period_index(values, self.unit)
        if codes is not None:  # only distinct values that occur in the rows
            seen = _present(codes, len(values))
            nat = nat | ~seen
        if nat.all():
            raise ValueError(
                f"{_column_label(name)} has no parseable date to learn the "
                f"{self.unit} span from."
            )
        first, last = int(period[~nat].min()), int(period[~nat].max())
        inner = [_period_label(p, self.unit) for p in range(first, last + 1)]
        categories = [f"< {inner[0]}", *inner, f"> {inner[-1]}", SUPPRESSED]
        return "period", first, last, categories

    @property
    def categories_(self):
        return {name: state[-1] for name, state in self.states_.items()}

    def _transform_column(self, column, name, state):
        codes, values = _to_datetime64(column, name, self.format, self.epoch_unit)
        categories = state[-1]
        suppressed = len(categories) - 1
        if state[0] == "age":
            _, edges, _labels_, _ = state
            ages = _whole_years(values, self.reference_date_)
            out = bin_codes(ages, edges, right=self.right)
            out[out < 0] = suppressed
        else:
            _, first, last, _ = state
            period, nat = _period_index(values, self.unit)
            out = np.clip(period - first + 1, 0, last - first + 2)
            out[nat] = suppressed
        if codes is not None:
            out = _spread(codes, out, suppressed)
        cat = categorical_from_codes(out, categories)
        return pd.Series(cat, index=column.index, name=name)


# -- PrefixGeneralizer ------------------------------------------------------------


@_shared_docs
class PrefixGeneralizer(ColumnAnonymizer):
    """Keep the first characters of a code: ZIP3 from ZIP codes, IPv4 prefixes.

    ``mode="prefix"`` keeps the first ``n`` characters (``"02139"`` ->
    ``"021"``).  ZIP codes stored as integers lose their leading zeros
    (``582`` for ``00582``): with ``width=5``, integers and digit-only
    strings are zero-padded to 5 characters before cutting, so ``582`` ->
    ``"005"``; an integer longer than ``width`` is invalid.  Numbers are
    written without a trailing ``.0``; other floats as ``str(x)``.

    ``mode="ipv4"`` keeps the first ``n`` octets (1, 2 or 3, i.e. a /8, /16
    or /24 network) and writes the network in CIDR notation:
    ``"192.168.1.77"`` -> ``"192.168.1.0/24"`` (``n=3``), ``"192.168.0.0/16"``
    (``n=2``), ``"192.0.0.0/8"`` (``n=1``).  Integers in ``[0, 2**32)`` are
    read as IPv4 addresses too.

    Suppression (``"*"``): NaN, values that are not valid for the mode
    (not an IPv4 address; an integer longer than ``width``), and values not
    longer than ``n`` characters (their prefix would be the whole value).
    A prefix never seen in ``fit`` is suppressed by default
    (``unseen="suppress"``: the output categories are exactly those fixed
    in ``fit``, so no text of a value the fitted state never saw reaches
    the output, even when a column of names or notes is given by mistake).
    ``unseen="keep"`` writes it after the fitted categories instead (for
    codes such as ZIPs, where a new prefix reveals no more than its
    training counterparts).  Chain a :class:`RareCategoryGrouper` to group
    rare prefixes.

    Parameters
    ----------
    n : int, default=3
        Characters kept (``mode="prefix"``) or octets kept (``mode="ipv4"``,
        1 to 3).
    mode : {"prefix", "ipv4"}, default="prefix"
        Character prefix or IPv4 network.
    width : int or None, default=None
        Zero-pad integers and digit-only strings to this width first
        (``mode="prefix"``).
    unseen : {"suppress", "keep"}, default="suppress"
        What becomes of a prefix not seen in fit. Before 0.1.0 the
        default was ``"keep"``.
    columns : list of str or int, or None, default=None
        Columns to generalize; the others pass through unchanged.

    Attributes
    ----------
    categories_ : dict of {column: list of str}
        The prefixes seen in fit per column (sorted; IPv4 networks in
        address order).
    states_ : dict of {column: (list of str, ndarray or None)}
        The categories, and for IPv4 the network numbers behind them.
    {fitted_columns:generalized}

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import PrefixGeneralizer
    >>> X = pd.DataFrame({"zip": [2139, 582, 94110, None]})
    >>> PrefixGeneralizer(n=3, width=5).fit_transform(X)["zip"].tolist()
    ['021', '005', '941', '*']
    >>> ips = pd.DataFrame({"ip": ["192.168.1.77", "10.0.3.4", "999.1.1.1"]})
    >>> PrefixGeneralizer(mode="ipv4", n=2).fit_transform(ips)["ip"].tolist()
    ['192.168.0.0/16', '10.0.0.0/16', '*']
    """

    _state_attr = "states_"

    _parameter_constraints = {
        "n": [Interval(Integral, 1, None, closed="left")],
        "mode": [StrOptions({"prefix", "ipv4"})],
        "width": [Interval(Integral, 1, None, closed="left"), None],
        "unseen": [StrOptions({"keep", "suppress"})],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(self, *, n=3, mode="prefix", width=None, unseen="suppress", columns=None):
        self.n = n
        self.mode = mode
        self.width = width
        self.unseen = unseen
        self.columns = columns

    def _check_params(self, X):
        if self.mode == "ipv4" and self.n > 3:
            raise ValueError("With mode='ipv4', n is the number of octets kept: 1, 2 or 3.")

    def _prefixes(self, uniques):
        """Prefix of each distinct value (object ndarray, None when invalid)."""
        idx = pd.Index(uniques)
        if len(idx) == 0:
            return np.empty(0, dtype=object)
        if pd.api.types.is_bool_dtype(idx.dtype):
            return np.full(len(idx), None, dtype=object)
        text = pd.Series(_labels(idx), dtype=object).str.strip()
        valid = text.str.len() > 0
        if self.width is not None:
            digits = text.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
            text = text.where(~digits, text.str.zfill(self.width))
            valid &= ~(digits & (text.str.len() > self.width).to_numpy(dtype=bool))
        valid &= text.str.len() > self.n
        out = np.array(text.str[: self.n].to_numpy(dtype=object), dtype=object)
        out[~valid.to_numpy(dtype=bool)] = None
        return out

    def _ipv4_nets(self, column):
        """``(codes, nets)``: network number (address >> host bits), -1 when invalid.

        For text columns ``nets`` is per distinct value and ``codes`` maps
        rows to it (-1: NaN); for numeric columns ``codes`` is None and
        ``nets`` is per row.
        """
        shift = np.int64(32 - 8 * self.n)
        if is_numeric(column):
            codes = None
            addresses = _ipv4_from_numbers(column.to_numpy(dtype=np.float64, na_value=np.nan))
        else:
            codes, uniques = _factorize(column)
            addresses = _ipv4_from_values(uniques)
        return codes, np.where(addresses >= 0, addresses >> shift, -1)

    def _net_labels(self, nets):
        """CIDR labels ``"a.b.c.0/24"`` of distinct network numbers."""
        if len(nets) == 0:
            return []
        addresses = np.asarray(nets, dtype=np.int64) << np.int64(32 - 8 * self.n)
        out = pd.Series(addresses >> 24).astype(str)
        for k in range(1, 4):
            part = pd.Series((addresses >> (24 - 8 * k)) & 255).astype(str) if k < self.n else "0"
            out = out + "." + part
        return (out + f"/{8 * self.n}").tolist()

    def _row_codes(self, column):
        """``(row codes, labels)``: each row's index into ``labels`` (-1: NaN).

        ``labels`` holds the prefix of each code (None when invalid).  Digit
        prefixes of integers and of Arrow-backed digit strings are computed
        arithmetically (no hashing of the rows); everything else goes
        through ``pd.factorize`` and :meth:`_prefixes` on distinct values.
        """
        key = None
        if self.mode == "prefix" and self.n <= _FAST_DIGITS:
            if is_numeric(column):
                key = self._int_prefix_keys(column)
            else:
                key = _arrow_digit_keys(column, self.n, self.width)
        if key is None:
            codes, uniques = _factorize(column)
            return codes, self._prefixes(uniques)
        dense = _digit_labels(self.n)
        rest = key < 0
        if not rest.any():
            return key, dense
        sub_codes, sub_uniques = _factorize(column[rest])
        key = key.copy()
        key[rest] = np.where(sub_codes >= 0, sub_codes + len(dense), -1)
        return key, np.concatenate([dense, self._prefixes(sub_uniques)])

    def _int_prefix_keys(self, column):
        """Integer prefix of whole non-negative numbers; -1 where the general path decides."""
        n = self.n
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = np.isfinite(values) & (values >= 0) & (values < 2**53) & (values == np.floor(values))
        ints = np.where(whole, values, 0).astype(np.int64)
        if self.width is not None:
            ok = whole & (ints < 10 ** min(self.width, 18)) & (self.width > n)
            key = ints // 10 ** max(self.width - n, 0)
        else:
            ok = whole & (ints >= 10**n)
            n_digits = np.searchsorted(_POW10, ints, side="right")
            key = ints // _POW10[np.maximum(n_digits - n, 0)]
        key[~ok] = -1
        return key

    def _fit_column(self, column, name):
        if self.mode == "ipv4":
            codes, nets = self._ipv4_nets(column)
            if codes is not None:
                nets = nets[_present(codes, len(nets))]
            keys = np.unique(nets[nets >= 0])
            return self._net_labels(keys), keys
        codes, labels = self._row_codes(column)
        seen = _present(codes, len(labels))
        kept = set(labels[seen & ~pd.isna(labels)]) - {SUPPRESSED}
        return sorted(kept), None

    @property
    def categories_(self):
        return {name: list(state[0]) for name, state in self.states_.items()}

    def _transform_ipv4(self, column, categories, keys):
        row_codes, nets = self._ipv4_nets(column)
        if row_codes is not None:  # only distinct values that occur make new categories
            nets = np.where(_present(row_codes, len(nets)), nets, -1)
        pos = np.searchsorted(keys, nets)
        hit = (nets >= 0) & (keys[np.minimum(pos, max(len(keys) - 1, 0))] == nets) if len(keys) else np.zeros(len(nets), bool)
        codes = np.where(hit, pos, -1)
        categories = list(categories)
        missing = (nets >= 0) & ~hit
        if self.unseen == "keep" and missing.any():
            new = np.unique(nets[missing])
            codes[missing] = len(categories) + np.searchsorted(new, nets[missing])
            categories += self._net_labels(new)
        categories.append(SUPPRESSED)
        codes[codes < 0] = len(categories) - 1
        if row_codes is not None:
            return _spread(row_codes, codes, len(categories) - 1), categories
        return codes, categories

    def _transform_column(self, column, name, state):
        categories, keys = state
        if self.mode == "ipv4":
            out, categories = self._transform_ipv4(column, categories, keys)
            out = out.astype(_code_dtype(len(categories)))
            cat = categorical_from_codes(out, categories)
            return pd.Series(cat, index=column.index, name=name)
        codes, labels = self._row_codes(column)
        lookup = np.where(pd.isna(labels), SUPPRESSED, labels)
        categories = list(categories)
        pos = pd.Index(categories, dtype=object).get_indexer(object_index(lookup))
        if self.unseen == "keep":
            present = _present(codes, len(labels))
            new = sorted(set(lookup[present & (pos < 0)]) - {SUPPRESSED})
            if new:
                categories += new
                pos = pd.Index(categories, dtype=object).get_indexer(object_index(lookup))
        categories.append(SUPPRESSED)
        pos[pos < 0] = len(categories) - 1
        out = _spread(codes, pos, len(categories) - 1)
        cat = categorical_from_codes(out, categories)
        return pd.Series(cat, index=column.index, name=name)


_FAST_DIGITS = 4  # digit prefixes up to 4 characters use a dense table of 10**n labels
_POW10 = 10 ** np.arange(19, dtype=np.int64)


@functools.lru_cache(maxsize=8)
def _digit_labels(n):
    """``["000", "001", ..., "999"]`` for ``n=3`` (cached; never mutated)."""
    labels = np.array([f"{i:0{n}d}" for i in range(10**n)], dtype=object)
    labels.flags.writeable = False
    return labels


def _arrow_buffers(column):
    """``(offsets, data, null mask or None)`` of an Arrow-backed string column, or None."""
    if column.dtype == object or not pd.api.types.is_string_dtype(column.dtype):
        return None
    if not hasattr(column.array, "__arrow_array__"):
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas without pyarrow
        return None
    try:
        arr = pa.array(column.array)
    except UnicodeError:  # Python-backed strings holding a lone surrogate: the general path
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type == pa.string():
        off_dtype = np.int32
    elif arr.type == pa.large_string():
        off_dtype = np.int64
    else:
        return None
    _, offsets, data = arr.buffers()
    offsets = np.frombuffer(offsets, dtype=off_dtype)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    nulls = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else None
    return offsets, data, nulls


def _arrow_digit_keys(column, n, width):
    """Integer value of the first ``n`` characters when they are ASCII digits.

    Read straight from the Arrow buffers: -1 for rows the general path must
    decide (NaN, too short, leading/trailing space or non-ASCII at the
    end, a length that ``width`` would pad or reject).
    """
    buffers = _arrow_buffers(column)
    if buffers is None:
        return None
    offsets, data, nulls = buffers
    if data.size == 0:
        return None
    # few, small temporaries: fresh pages are expensive at a million rows
    starts, ends = offsets[:-1], offsets[1:]
    lengths = (ends - starts).astype(np.int32)
    ok = (lengths > n) if width is None else ((lengths == width) & (width > n))
    del lengths
    if nulls is not None:
        ok &= ~nulls
    idx = ends - 1  # last byte: ASCII, not a space (33..127 -> 0..94)
    np.clip(idx, 0, data.size - 1, out=idx)
    byte = data[idx]
    byte -= np.uint8(33)
    ok &= byte < 95
    key = np.zeros(len(starts), dtype=np.int16 if n <= 4 else np.int32)
    for k in range(n):  # n characters, not rows
        np.add(starts, k, out=idx)
        np.minimum(idx, data.size - 1, out=idx)
        np.take(data, idx, out=byte)
        byte -= np.uint8(48)  # wraps below '0'
        ok &= byte < 10
        key *= 10
        key += byte
    return np.where(ok, key, np.int16(-1) if key.dtype == np.int16 else -1)


def _ipv4_from_numbers(values):
    """IPv4 addresses given as numbers: int64, -1 unless a whole number in [0, 2**32)."""
    ok = np.isfinite(values) & (values >= 0) & (values < 2**32) & (values == np.floor(values))
    return np.where(ok, values, -1).astype(np.int64)


def _ipv4_from_values(uniques):
    """IPv4 address (int64, -1 when invalid) of each distinct value."""
    idx = pd.Index(uniques)
    if len(idx) == 0 or pd.api.types.is_bool_dtype(idx.dtype):
        return np.full(len(idx), -1, dtype=np.int64)
    if is_numeric(idx):
        return _ipv4_from_numbers(idx.to_numpy(dtype=np.float64, na_value=np.nan))
    if pd.api.types.is_string_dtype(idx.dtype) and idx.dtype != object:
        text = pd.Series(idx.array)  # Arrow-backed strings stay in Arrow
    else:
        text = pd.Series(_labels(idx), dtype=object)
    octets, ok = _ipv4_octets(text)
    address = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
    return np.where(ok, address, -1).astype(np.int64)


def _ipv4_octets(text):
    """Four int arrays and a validity mask for IPv4 strings (distinct values)."""
    pattern = r"^\s*(?P<a>\d{1,3})\.(?P<b>\d{1,3})\.(?P<c>\d{1,3})\.(?P<d>\d{1,3})\s*$"
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pandas without pyarrow
        pa = None
    if pa is not None:
        if hasattr(text.array, "__arrow_array__") and text.dtype != object:
            arr = pa.array(text.array)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
        else:
            values = text.to_numpy(dtype=object)
            try:
                arr = pa.array(values, type=pa.large_string(), from_pandas=True)
            except UnicodeError:  # a lone surrogate: not an address, and not storable in Arrow
                values = np.array([v if not isinstance(v, str) or v.isascii() else "" for v in values], dtype=object)
                arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        parts = pc.extract_regex(arr, pattern)
        matched = parts.is_valid()
        octets = [
            pc.cast(pc.if_else(matched, parts.field(k), "0"), pa.int64()).to_numpy(zero_copy_only=False)
            for k in range(4)
        ]
        ok = matched.to_numpy(zero_copy_only=False).astype(bool)
    else:
        parts = text.str.extract(pattern)
        ok = parts.notna().all(axis=1).to_numpy()
        octets = [pd.to_numeric(parts[c].where(ok, "0")).to_numpy(np.int64) for c in parts.columns]
    for octet in octets:
        ok &= octet <= 255
    return octets, ok


# -- RareCategoryGrouper ------------------------------------------------------------
def _label_codes(column):
    """Row codes over string labels (``"582"`` == ``582`` == ``582.0``), and the labels.

    NaN and the suppression marker get code -1.
    """
    codes, uniques = _factorize(column)
    labels = _labels(uniques)
    lab_codes, lab_uniques = _text.factorize(labels) if len(labels) else (np.empty(0, np.int64), np.empty(0, object))
    lab_codes = np.asarray(lab_codes, dtype=np.int64)
    lab_uniques = np.asarray(lab_uniques, dtype=object)
    marker = np.flatnonzero(lab_uniques == SUPPRESSED)
    if marker.size:
        lab_codes = np.where(lab_codes == marker[0], -1, lab_codes)
    return _spread(codes, lab_codes, -1), lab_uniques


@_shared_docs
class RareCategoryGrouper(ColumnAnonymizer):
    """Group rare categories into ``"OTHER"``.

    A category seen fewer than ``min_count`` times in ``fit`` (or, when
    ``min_frequency`` is given, in a smaller fraction of the rows) becomes
    ``other_label``; so does a category never seen in ``fit``.  The kept
    categories are fixed in ``fit``: the output is a categorical column
    with categories ``kept (sorted), other_label, "*"``, the same for
    every call to ``transform``.

    Values are compared through their text (the int ``582``, the float
    ``582.0`` and the string ``"582"`` are one category, written
    ``"582"``), so numeric codes work, and the categorical output of a
    :class:`PrefixGeneralizer` is valid input (``ZIP -> ZIP3 -> OTHER``
    for small groups, in one Pipeline).

    Suppression: NaN and values already suppressed (``"*"``) stay
    ``"*"``; they are not a category and are not counted.

    Parameters
    ----------
    min_count : int, default=10
        Minimum number of training rows for a category to be kept
        (e.g. the ``k`` of k-anonymity).
    min_frequency : float in (0, 1] or None, default=None
        Minimum fraction of the training rows (NaN included) for a category
        to be kept, in addition to ``min_count``.
    other_label : str, default="OTHER"
        Label of the grouped categories.
    columns : list of str or int, or None, default=None
        Columns to group; the others pass through unchanged.

    Attributes
    ----------
    categories_ : dict of {column: list of str}
        The kept categories per column.
    {fitted_columns:grouped}

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import RareCategoryGrouper
    >>> X = pd.DataFrame({"city": ["Oslo"] * 3 + ["Bergen"] * 2 + ["Moss", None]})
    >>> grouper = RareCategoryGrouper(min_count=2).fit(X)
    >>> grouper.categories_["city"]
    ['Bergen', 'Oslo']
    >>> grouper.transform(pd.DataFrame({"city": ["Oslo", "Moss", "Paris", None]}))["city"].tolist()
    ['Oslo', 'OTHER', 'OTHER', '*']
    """

    _state_attr = "categories_"

    _parameter_constraints = {
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "min_frequency": [Interval(Real, 0, 1, closed="right"), None],
        "other_label": [str],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(self, *, min_count=10, min_frequency=None, other_label="OTHER", columns=None):
        self.min_count = min_count
        self.min_frequency = min_frequency
        self.other_label = other_label
        self.columns = columns

    def _check_params(self, X):
        if self.other_label == SUPPRESSED:
            raise ValueError(
                f"other_label must differ from the suppression marker {SUPPRESSED!r}."
            )

    def _fit_column(self, column, name):
        codes, labels = _label_codes(column)
        counts = np.bincount(codes[codes >= 0], minlength=len(labels))
        keep = counts >= self.min_count
        if self.min_frequency is not None:
            keep &= counts >= self.min_frequency * len(codes)
        return sorted(set(labels[keep]) - {self.other_label})

    def _transform_column(self, column, name, kept):
        codes, labels = _label_codes(column)
        categories = [*kept, self.other_label, SUPPRESSED]
        lut = pd.Index(kept, dtype=object).get_indexer(object_index(labels))
        lut[lut < 0] = len(kept)  # unseen or rare -> OTHER
        out = _spread(codes, lut, len(kept) + 1)
        cat = categorical_from_codes(out, categories)
        return pd.Series(cat, index=column.index, name=name)


# -- HierarchyGeneralizer --------------------------------------------------------------
def _is_value_dict(obj):
    """A dict ``{value: [levels]}`` (one hierarchy), not ``{column: hierarchy}``."""
    return isinstance(obj, dict) and len(obj) > 0 and all(
        isinstance(v, (list, tuple)) for v in obj.values()
    )


@_shared_docs
class HierarchyGeneralizer(ColumnAnonymizer):
    """Generalize columns along ARX-style hierarchy tables.

    A hierarchy has one row per original value and one column per level:
    column 0 is the value itself (level 0), column ``L`` its label at level
    ``L`` (ARX's ``adult_hierarchy_age.csv``: ``39;35-39;30-39;20-39;*``).
    Each column is replaced by its labels at ``levels[column]``.  A grid
    search can tune ``levels`` (``{"gen__levels": [1, 2, 3]}`` or a list of
    per-column dicts).  See :mod:`sklearn_anon._hierarchy` for the
    hierarchy object itself.

    Numeric columns match numeric keys by value: the int ``39`` and the
    float ``39.0`` both match the key ``"39"`` (and ``"39.0"``); a numeric
    column whose hierarchy has no numeric key at all is a ValueError in
    ``fit`` naming the column (every value would be suppressed).  String
    and categorical columns match the keys exactly, as text (the string
    ``"39"`` matches the key ``"39"``, not ``"39.0"``).  Labels may hold any
    text, lone surrogates included; bytes values are not keys (suppressed).

    Suppression: a value not in the hierarchy (unseen, NaN) becomes
    ``"*"``.  The output is a categorical column whose categories are the
    labels of the level (in table order), then ``"*"``, fixed in ``fit``.

    Parameters
    ----------
    hierarchies : dict of {column: hierarchy} or hierarchy
        Per column, a :class:`pandas.DataFrame` (levels as columns, values
        first), a dict ``{value: [level1, level2, ...]}``, a path to a
        ``;``-separated CSV file without header, or a
        :class:`~sklearn_anon._hierarchy.Hierarchy`.  Columns may be given
        by name or position.  A single hierarchy (not a dict keyed by
        column) applies to every generalized column.
    levels : int or dict of {column: int}, default=1
        The level to generalize to, for every column or per column (a
        column missing from the dict gets level 1).  0 keeps the value
        (as the hierarchy's label); the hierarchy's last level is usually
        full suppression.
    columns : list of str or int, or None, default=None
        Columns to generalize; the others pass through unchanged.  None
        takes the keys of ``hierarchies`` (or every column for a single
        hierarchy).

    Attributes
    ----------
    hierarchies_ : dict of {column: Hierarchy}
        The loaded hierarchy per column.
    levels_ : dict of {column: int}
        The level used per column.
    categories_ : dict of {column: list of str}
        The output categories per column.
    states_ : dict of {column: (Hierarchy, int)}
        Both of the above.
    {fitted_columns:generalized}

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import HierarchyGeneralizer
    >>> age = pd.DataFrame([[str(a), f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"]
    ...                     for a in range(18, 91)])
    >>> edu = {"Bachelors": ["Undergraduate", "Higher"],
    ...        "Masters": ["Graduate", "Higher"],
    ...        "HS-grad": ["High School", "Secondary"]}
    >>> X = pd.DataFrame({"age": [39, 52, 17], "edu": ["Masters", "HS-grad", "PhD"]})
    >>> gen = HierarchyGeneralizer(hierarchies={"age": age, "edu": edu},
    ...                            levels={"age": 1, "edu": 2})
    >>> out = gen.fit_transform(X)
    >>> out["age"].tolist(), out["edu"].tolist()
    (['30-39', '50-59', '*'], ['Higher', 'Secondary', '*'])
    """

    _parameter_constraints = {
        "hierarchies": [dict, pd.DataFrame, str, os.PathLike, Hierarchy],
        "levels": [Interval(Integral, 0, None, closed="left"), dict],
        "columns": ["array-like", str, Integral, None],
    }

    #: only ``levels`` is checked for stray keys: ``hierarchies`` may be one
    #: hierarchy given as ``{value: [levels]}``, and a column without one errors
    _per_column_params = ("levels",)

    def __init__(self, hierarchies, *, levels=1, columns=None):
        self.hierarchies = hierarchies
        self.levels = levels
        self.columns = columns

    def _per_column_map(self):
        """``{column key: spec}`` or None for a single hierarchy."""
        if isinstance(self.hierarchies, dict) and not _is_value_dict(self.hierarchies):
            return self.hierarchies
        return None

    def _requested_columns(self):
        mapping = self._per_column_map()
        if self.columns is None and mapping is not None:
            return list(mapping)
        return self.columns

    def _spec_for(self, name):
        mapping = self._per_column_map()
        if mapping is None:
            return self.hierarchies
        if name in mapping:
            return mapping[name]
        names = list(
            self.feature_names_in_
            if hasattr(self, "feature_names_in_")
            else [f"x{i}" for i in range(self.n_features_in_)]
        )
        if name in names and names.index(name) in mapping:
            return mapping[names.index(name)]
        raise ValueError(f"No hierarchy given for {_column_label(name)}.")

    def _check_params(self, X):
        if isinstance(self.hierarchies, dict) and not self.hierarchies:
            raise ValueError("hierarchies is empty: give at least one hierarchy.")

    def _fit_column(self, column, name):
        hierarchy = load_hierarchy(self._spec_for(name), name=name)
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            dtype = dtype.categories.dtype
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        if numeric and not hierarchy.has_numeric_keys:
            raise ValueError(
                f"HierarchyGeneralizer: {_column_label(name)} is numeric, but no value of its "
                "hierarchy reads as a number, so every value would be suppressed. Give the "
                "hierarchy numeric values (\"39\") or convert the column to strings."
            )
        level = per_column(self.levels, name, default=1)
        if not isinstance(level, (Integral, np.integer)) or isinstance(level, bool) or level < 0:
            raise ValueError(f"levels for {_column_label(name)} must be a non-negative integer.")
        if level > hierarchy.height:
            raise ValueError(
                f"levels for {_column_label(name)} is {int(level)}, above the top level "
                f"{hierarchy.height} of its hierarchy."
            )
        return hierarchy, int(level)

    @property
    def hierarchies_(self):
        return {name: h for name, (h, _) in self.states_.items()}

    @property
    def levels_(self):
        return {name: lev for name, (_, lev) in self.states_.items()}

    @property
    def categories_(self):
        return {
            name: list(h.generalize([], lev, suppressed=SUPPRESSED).categories)
            for name, (h, lev) in self.states_.items()
        }

    def _transform_column(self, column, name, state):
        hierarchy, level = state
        cat = hierarchy.generalize(column, level, suppressed=SUPPRESSED)
        return pd.Series(cat, index=column.index, name=name)
