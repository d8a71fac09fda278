"""Parameter and data helpers shared by the DP estimators of :mod:`sklearn_anon.dp`.

Per-column epsilon, clipping bounds (given, or learnt from the data with a
:class:`PrivacyLeakWarning`), numeric values, category codes and the
declared-or-learnt category domain.
"""

import math
import warnings
from numbers import Real

import numpy as np
import pandas as pd

from .. import _text
from .._compat import PrivacyLeakWarning
from ..base import per_column, require_numeric, values_hidden


# -- parameter helpers -------------------------------------------------------
def _column_epsilon(epsilon, name, what="epsilon"):
    value = per_column(epsilon, name)
    if value is None:
        raise ValueError(f"{what} is a dict without an entry for column {name!r}.")
    if isinstance(value, bool) or not isinstance(value, Real) or not (value > 0) or math.isinf(value):
        raise ValueError(f"{what} for column {name!r} must be a finite number > 0.")
    return float(value)


def _check_bounds(given, name):
    """Validate user bounds ``(lower, upper)`` for one column."""
    arr = np.asarray(given, dtype=np.float64).ravel() if given is not None else None
    if arr is None or arr.size != 2:
        raise ValueError(f"bounds for column {name!r} must be a pair (lower, upper).")
    lo, hi = float(arr[0]), float(arr[1])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"bounds for column {name!r} must be finite.")
    if not lo < hi:
        raise ValueError(f"bounds for column {name!r}: lower must be < upper.")
    return lo, hi


def _resolve_bounds(bounds, values, name, leaked):
    """Given bounds for column ``name``, or bounds from the data (recorded in ``leaked``)."""
    given = per_column(bounds, name)
    if given is not None:
        return _check_bounds(given, name)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise ValueError(f"Column {name!r} has no finite value to take bounds from; give bounds.")
    lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:  # constant column: a unit-wide interval around the value
        lo, hi = lo - 0.5, hi + 0.5
    leaked.append(name)
    return lo, hi


def _warn_leak(leaked, who):
    if leaked:
        warnings.warn(
            f"{who}: bounds taken from the data for {len(leaked)} column(s) "
            f"({', '.join(map(repr, leaked))}); this leaks the training "
            "minimum and maximum. Give `bounds` to avoid it (see `bounds_`).",
            PrivacyLeakWarning,
            stacklevel=3,
        )


def _codes(column, cats, name):
    """Position of each value in ``cats`` (-1 for NaN and values outside it).

    Factorizes the column (one hash pass), then matches its few distinct
    values against ``cats``.
    """
    with values_hidden(name, "values cannot be matched to the categories"):
        fast = _arrow_codes(column, cats)
        if fast is not None:
            return fast
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
        else:
            codes, uniques = _text.factorize(column, use_na_sentinel=True)
        lookup = np.append(_text.text_indexer(cats, uniques), -1).astype(np.int64)
        return lookup[codes]  # code -1 (missing) picks the trailing -1


def _as_column(out, cats, column, name):
    """Codes ``out`` over ``cats`` as a Series of ``column``'s dtype where possible."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical.from_codes(out, categories=cats), index=column.index, name=name)
    labels = np.asarray(list(cats), dtype=object)
    if isinstance(column.dtype, np.dtype):
        try:
            return pd.Series(labels[out].astype(column.dtype), index=column.index, name=name, dtype=column.dtype)
        except (TypeError, ValueError):
            return pd.Series(labels[out], index=column.index, name=name, dtype=object)
    try:
        released = pd.array(labels, dtype=column.dtype).take(out)
    except (TypeError, ValueError):
        released = labels[out]
    return pd.Series(released, index=column.index, name=name)


def _arrow_codes(column, cats):
    """``_codes`` for pyarrow-backed string columns (one vectorized lookup), else None."""
    to_arrow = getattr(column.array, "__arrow_array__", None)
    if to_arrow is None or not pd.api.types.is_string_dtype(column.dtype):
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = to_arrow()
        value_set = pa.array(list(cats)).cast(arr.type)
        found = pc.index_in(arr, value_set=value_set).fill_null(-1)
    except Exception:  # noqa: BLE001  (any mismatch: use the generic path)
        return None
    return np.asarray(found, dtype=np.int64) if not isinstance(found, pa.ChunkedArray) else (
        found.to_numpy().astype(np.int64, copy=False)
    )


def _numeric_values(column, name, who):
    require_numeric(column, name, who)
    with values_hidden(name, "could not convert to float"):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)


# -- categories ----------------------------------------------------------------------
def _domain(column, given, name):
    """``(categories, learnt)``: the declared domain of a column, or one read from the data.

    The one rule of the package's DP estimators: only ``categories`` given
    as a parameter is a declaration (public knowledge).  A categorical dtype
    is not one: ``astype("category")`` builds its categories from the data,
    so a rare value (a single record's) would be released as part of a
    "public" domain.  Without a declaration the domain is the dtype's
    categories that occur (a categorical column, in the dtype's order; an
    unused category of the dtype is no declaration either, and may name a
    record of another split) or the sorted distinct non-null values, and
    ``learnt`` is True (the caller warns, :class:`PrivacyLeakWarning`).
    """
    if given is not None:
        return _text.text_index(list(given)), False
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Index(column.cat.remove_unused_categories().cat.categories), True
    values = column.dropna()
    cats = _text.text_index(_text.unique(values.to_numpy()))
    with values_hidden(name, "categories of mixed types cannot be sorted"):
        cats = cats.sort_values()
    return cats, True


_LEARNT_DOMAIN_HINT = (
    "declare `categories` to avoid it (a categorical dtype is not a declaration: "
    "astype('category') builds its categories from the data)"
)
