"""DateGeneralizer: dates to year, month, decade or an age band, and its date parsing."""

from __future__ import annotations

import datetime
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._compat import StrOptions
from .._labels import band_labels
from .._text import categorical_from_codes, label_bytes
from ..base import (
    SUPPRESSED,
    ColumnAnonymizer,
    _column_label,
    is_numeric,
    values_hidden,
)
from ._common import (
    _checked_edges,
    _checked_labels,
    _factorize,
    _present,
    _shared_docs,
    _spread,
    bin_codes,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date
    from typing import Any, Literal, Sequence
    from .._typing import ArrayLike


_DATE_UNITS = ("year", "month", "decade", "age")


#: one mean Gregorian year in nanoseconds (age bands as birth-date intervals)
_YEAR_NS = 365.2425 * 86400 * 1e9

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
        unit: Literal["year", "month", "decade", "age"] = "year",
        reference_date: str | date | None = None,
        bins: ArrayLike | None = None,
        labels: Sequence[str] | None = None,
        right: bool = False,
        format: str | None = None,
        epoch_unit: Literal["s", "ms", "us", "D"] = "s",
        columns: Sequence[str | int] | None = None,
    ) -> None:
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
            labels = band_labels(edges, self.right, 3)
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

    def label_bounds(self) -> dict[Any, Any]:
        """The birth-date interval behind each age band, per column (``unit="age"``).

        What the measures read to cost and to match the labels (NCP, the
        linkage attack).  An age band ``[a, b)`` covers the birth dates
        between ``reference_date_ - b`` and ``reference_date_ - a`` years
        (mean Gregorian years); columns of the other units have no entry.

        Returns
        -------
        bounds : dict of {column: dict of {label: (lo, hi)}}
            In nanoseconds since the epoch (may be infinite).
        """
        check_is_fitted(self, "states_")
        if self.reference_date_ is None:
            return {}
        ref_ns = float(pd.Timestamp(self.reference_date_).tz_localize(None).as_unit("ns").value)
        out = {}
        for col, state in self.states_.items():
            if state[0] != "age":
                continue
            _, edges, labels, _ = state
            edges = np.asarray(edges, dtype=np.float64)
            out[col] = {str(lab): (ref_ns - edges[i + 1] * _YEAR_NS, ref_ns - edges[i] * _YEAR_NS)
                        for i, lab in enumerate(labels)}
        return out

    @property
    def categories_(self) -> dict[Any, list[str]]:
        return {name: state[-1] for name, state in self.states_.items()}

    def _transform_column(self, column, name, state, rng):
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
