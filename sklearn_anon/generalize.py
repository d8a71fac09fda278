"""Generalization and statistical-disclosure-control transformers.

Each transformer here is column-wise (see :class:`sklearn_anon.base.ColumnAnonymizer`):
it anonymizes the columns named in ``columns`` (all by default), keeps rows
in count and order, and never lets a raw value through by accident: a value
the fitted state cannot generalize (NaN, out of range, unseen) is
suppressed, written as ``"*"`` in a categorical column or NaN in a numeric
one.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd

from ._compat import Interval, StrOptions
from .base import SUPPRESSED, ColumnAnonymizer, require_numeric

__all__ = ["IntervalGeneralizer", "TopBottomCoder"]


def _per_column(param, name, default=None):
    """A parameter given once for all columns, or as ``{column: value}``."""
    if isinstance(param, dict):
        return param.get(name, default)
    return param


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
    columns_ : list
        The generalized columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

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
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        given = _per_column(self.bins, name)
        if given is not None:
            edges = np.asarray(given, dtype=np.float64)
            if edges.ndim != 1 or edges.size < 2:
                raise ValueError(f"bins for column {name!r} must hold at least 2 edges.")
            if np.isnan(edges).any() or np.any(np.diff(edges) <= 0):
                raise ValueError(f"bins for column {name!r} must be strictly increasing.")
            open_ends = False
        else:
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
        labels = _per_column(self.labels, name)
        if labels is None:
            labels = _interval_labels(edges, self.right, self.precision, open_ends)
        else:
            labels = [str(label) for label in labels]
            if len(labels) != len(edges) - 1:
                raise ValueError(
                    f"labels for column {name!r} must have one entry per bin: "
                    f"{len(edges) - 1} bins, {len(labels)} labels."
                )
            if len(set(labels)) != len(labels) or SUPPRESSED in labels:
                raise ValueError(
                    f"labels for column {name!r} must be unique and must not be "
                    f"the suppression marker {SUPPRESSED!r}."
                )
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
        cat = pd.Categorical.from_codes(codes, categories=[*labels, SUPPRESSED])
        return pd.Series(cat, index=column.index, name=name)


class TopBottomCoder(ColumnAnonymizer):
    """Top- and bottom-code numeric columns: clip outliers instead of dropping rows.

    A value above the upper bound is replaced by the bound (likewise below
    the lower bound), so an extreme record (the one customer with a credit
    debt of 100 million) no longer stands out, and the row stays.
    Bounds are given, or learnt in ``fit`` as quantiles of the training data.

    NaN stays NaN (the numeric suppression marker).  The output is float.

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
    columns_ : list
        The coded columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

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
            (_per_column(self.lower, name), self.lower_quantile, -np.inf),
            (_per_column(self.upper, name), self.upper_quantile, np.inf),
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
        return pd.Series(np.clip(values, *bounds), index=column.index, name=name)
