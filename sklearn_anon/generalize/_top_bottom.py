"""TopBottomCoder: top- and bottom-coding of numeric columns."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._compat import Interval
from ..base import ColumnAnonymizer, per_column, require_numeric
from ._common import _shared_docs
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence


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

    See Also
    --------
    IntervalGeneralizer : Bands with open outer bins.
    filter_outlier_rows : Drop outlier rows before a pipeline instead.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import TopBottomCoder
    >>> X = pd.DataFrame({"debt": [1.0, 2.0, 3.0, 1000.0]})
    >>> TopBottomCoder(upper=10).fit_transform(X)["debt"].tolist()
    [1.0, 2.0, 3.0, 10.0]
    """

    _parameter_constraints = {
        "lower": [Real, dict, None],
        "upper": [Real, dict, None],
        "lower_quantile": [Interval(Real, 0, 1, closed="both"), None],
        "upper_quantile": [Interval(Real, 0, 1, closed="both"), None],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(
        self,
        *,
        lower: float | Mapping[Any, float] | None = None,
        upper: float | Mapping[Any, float] | None = None,
        lower_quantile: float | None = None,
        upper_quantile: float | None = 0.99,
        columns: Sequence[str | int] | None = None,
    ) -> None:
        self.lower = lower
        self.upper = upper
        self.lower_quantile = lower_quantile
        self.upper_quantile = upper_quantile
        self.columns = columns

    def _after_fit(self, frame, states):
        self.bounds_ = states

    def _fitted_states(self):
        return self.bounds_

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

    def _transform_column(self, column, name, bounds, rng):
        require_numeric(column, name, type(self).__name__)
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        out = pd.Series(np.clip(values, *bounds), index=column.index, name=name)
        if pd.api.types.is_float_dtype(column.dtype):
            out = out.astype(column.dtype)  # float32 / Float64 stay as they were
        return out
