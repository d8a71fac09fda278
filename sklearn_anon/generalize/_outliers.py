"""filter_outlier_rows: drop outlier rows before a pipeline (not a transformer)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import is_numeric, require_numeric
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Sequence
    from .._typing import ArrayLike

__all__ = ["filter_outlier_rows", "outlier_bounds"]

_DEFAULT_FACTOR = {"iqr": 1.5, "zscore": 3.0}


def outlier_bounds(
    values: ArrayLike,
    method: Literal["iqr", "quantile", "zscore"] = "iqr",
    *,
    factor: float | None = None,
    lower_quantile: float = 0.01,
    upper_quantile: float = 0.99,
) -> tuple[float, float]:
    """Lower and upper bound outside which a value counts as an outlier.

    Parameters
    ----------
    values : array-like of float
        The column; NaN and infinite values are ignored when learning.
    method : {"iqr", "quantile", "zscore"}, default="iqr"
        See :func:`filter_outlier_rows`.
    factor : float or None, default=None
        IQR multiple (``"iqr"``, default 1.5) or number of standard
        deviations (``"zscore"``, default 3).
    lower_quantile, upper_quantile : float in [0, 1], default=0.01, 0.99
        Quantiles used by ``"quantile"``.

    Returns
    -------
    bounds : tuple of (float, float)
        ``(-inf, inf)`` when the column has no finite value.

    See Also
    --------
    filter_outlier_rows : Drop the rows outside these bounds.
    TopBottomCoder : Top- and bottom-code values instead of dropping rows.

    Examples
    --------
    >>> from sklearn_anon.generalize import outlier_bounds
    >>> outlier_bounds([1, 2, 3, 4, 100])
    (-1.0, 7.0)
    >>> outlier_bounds([1, 2, 3, 4, 100], "quantile", lower_quantile=0, upper_quantile=0.5)
    (1.0, 3.0)
    """
    if method not in ("iqr", "quantile", "zscore"):
        raise ValueError("method must be 'iqr', 'quantile' or 'zscore'.")
    if method == "quantile" and not 0 <= lower_quantile <= upper_quantile <= 1:
        raise ValueError("Need 0 <= lower_quantile <= upper_quantile <= 1.")
    if factor is None:
        factor = _DEFAULT_FACTOR.get(method)
    elif method != "quantile" and not factor >= 0:
        raise ValueError("factor must be non-negative.")
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return -np.inf, np.inf
    if method == "iqr":
        q1, q3 = np.quantile(finite, [0.25, 0.75])
        return float(q1 - factor * (q3 - q1)), float(q3 + factor * (q3 - q1))
    if method == "quantile":
        lo, hi = np.quantile(finite, [lower_quantile, upper_quantile])
        return float(lo), float(hi)
    mean, std = finite.mean(), finite.std()
    return float(mean - factor * std), float(mean + factor * std)


def filter_outlier_rows(
    X: ArrayLike,
    y: ArrayLike | None = None,
    *,
    columns: Sequence[str | int] | str | int | None = None,
    method: Literal["iqr", "quantile", "zscore"] = "iqr",
    factor: float | None = None,
    lower_quantile: float = 0.01,
    upper_quantile: float = 0.99,
    return_mask: bool = False,
) -> tuple[Any, ...]:
    """Drop the rows holding an outlier, and say which rows were dropped.

    A row is removed when, in any of ``columns``, its value lies outside the
    bounds learnt from ``X`` (strictly below the lower or above the upper
    bound).  NaN is not an outlier: such rows stay.

    This is a function, **not a transformer**, on purpose: a scikit-learn
    :class:`~sklearn.pipeline.Pipeline` passes every row of ``X`` through
    every step and cannot drop rows (``y`` would no longer match ``X``).
    Call it before the pipeline, on ``X`` and ``y`` together, and fit the
    pipeline on what it returns::

        X_kept, y_kept, removed = filter_outlier_rows(X, y, columns=["debt"])
        pipeline.fit(X_kept, y_kept)

    Rows are dropped only from training data; to keep every row of a
    release and only hide extreme values, use :class:`TopBottomCoder`
    (top- and bottom-coding) inside the pipeline instead.  The bounds are
    statistics of the data (like the quantiles :class:`TopBottomCoder`
    learns): they are not differentially private, and the list of removed
    rows says who the extreme people are; do not publish either.

    Parameters
    ----------
    X : DataFrame or 2-D array
        The rows to filter.
    y : Series, 1-D or 2-D array, DataFrame or None, default=None
        Targets, filtered alongside ``X`` (same number of rows, by position).
    columns : list of str or int, str, int or None, default=None
        Columns to check (numeric ones); None checks every numeric column.
    method : {"iqr", "quantile", "zscore"}, default="iqr"
        ``"iqr"``: outside ``[Q1 - factor * IQR, Q3 + factor * IQR]``
        (Tukey's fences, factor 1.5 by default; 3 for "far out").
        ``"quantile"``: below the ``lower_quantile`` or above the
        ``upper_quantile`` quantile.  ``"zscore"``: more than ``factor``
        standard deviations (default 3) from the mean.
    factor : float or None, default=None
        See ``method``.
    lower_quantile, upper_quantile : float in [0, 1], default=0.01, 0.99
        Used by ``method="quantile"`` (0 and 1 leave a side unchecked).
    return_mask : bool, default=False
        Return a boolean array (True for a removed row, in the order of
        ``X``) instead of the index labels of the removed rows.

    Returns
    -------
    X_kept : DataFrame or ndarray
        ``X`` without the removed rows (index labels kept for a DataFrame).
    y_kept : same type as ``y``
        Only when ``y`` is given.
    removed : Index or ndarray of bool
        Index labels of the removed rows (positions for an array ``X``), or
        the boolean mask when ``return_mask=True``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import filter_outlier_rows
    >>> X = pd.DataFrame({"debt": [1.0, 2.0, 3.0, 2.5, 1000.0], "city": list("abcde")})
    >>> y = pd.Series([0, 1, 0, 1, 1])
    >>> X_kept, y_kept, removed = filter_outlier_rows(X, y)
    >>> removed.tolist(), len(X_kept), len(y_kept)
    ([4], 4, 4)
    """
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    if frame.ndim != 2:  # pragma: no cover - DataFrame is always 2-D
        raise ValueError("X must be 2-D.")
    if columns is None:
        cols = [c for c in frame.columns if is_numeric(frame[c])]
    else:
        cols = [columns] if isinstance(columns, (str, int, np.integer)) else list(columns)
        unknown = [c for c in cols if c not in frame.columns]
        if unknown:
            raise ValueError(f"columns not in X: {unknown}")
        for c in cols:
            require_numeric(frame[c], c, "filter_outlier_rows")
    removed = np.zeros(len(frame), dtype=np.bool_)
    for c in cols:
        values = frame[c].to_numpy(dtype=np.float64, na_value=np.nan)
        lo, hi = outlier_bounds(values, method, factor=factor, lower_quantile=lower_quantile,
                                upper_quantile=upper_quantile)
        with np.errstate(invalid="ignore"):
            removed |= (values < lo) | (values > hi)
    n_y = None if y is None else np.shape(y)[0] if np.ndim(y) else 0  # a scalar y has no rows
    if n_y is not None and n_y != len(frame):
        raise ValueError(f"y has {n_y} rows, X has {len(frame)}.")
    keep = ~removed
    if isinstance(X, pd.DataFrame):
        X_kept = X.loc[keep]
        labels = X.index[removed]
    else:
        X_kept = np.asarray(X)[keep]
        labels = np.flatnonzero(removed)
    out = [X_kept]
    if y is not None:
        out.append(y.iloc[keep] if isinstance(y, (pd.Series, pd.DataFrame))
                   else np.asarray(y)[keep])
    out.append(removed if return_mask else labels)
    return tuple(out)
