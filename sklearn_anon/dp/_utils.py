"""Parameter and data helpers shared by the DP estimators of :mod:`sklearn_anon.dp`.

Per-column epsilon, clipping bounds (given, or learnt from the data with a
:class:`PrivacyLeakWarning`) and numeric values.  Category codes and the
declared-or-learnt category domain are in :mod:`sklearn_anon._categories`
(shared with :class:`~sklearn_anon.sdc.PRAM`).
"""

import math
import warnings
from numbers import Real

import numpy as np

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


def _numeric_values(column, name, who):
    require_numeric(column, name, who)
    with values_hidden(name, "could not convert to float"):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
