"""IntervalGeneralizer: numbers to intervals (age bands, income classes)."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions
from .._labels import interval_labels
from .._text import categorical_from_codes
from ..base import SUPPRESSED, ColumnAnonymizer, per_column, require_numeric
from ._common import (
    _checked_edges,
    _checked_labels,
    _shared_docs,
    bin_codes,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Mapping, Sequence
    from .._typing import ArrayLike


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
        bins: ArrayLike | Mapping[Any, ArrayLike] | None = None,
        labels: Sequence[str] | Mapping[Any, Sequence[Any]] | None = None,
        right: bool = True,
        include_lowest: bool = False,
        n_bins: int = 5,
        strategy: Literal["quantile", "uniform"] = "quantile",
        precision: int = 3,
        columns: Sequence[str | int] | None = None,
    ) -> None:
        self.bins = bins
        self.labels = labels
        self.right = right
        self.include_lowest = include_lowest
        self.n_bins = n_bins
        self.strategy = strategy
        self.precision = precision
        self.columns = columns

    def _after_fit(self, frame, states):
        self.bins_ = states

    def _fitted_states(self):
        return self.bins_

    def label_bounds(self) -> dict[Any, Any]:
        """The numeric interval behind each released label, per column.

        What the measures read to cost and to match the labels (NCP, the
        linkage attack), instead of unpacking ``bins_``.

        Returns
        -------
        bounds : dict of {column: dict of {label: (lo, hi)}}
            Bin edges as floats (the outer ones may be infinite).

        Examples
        --------
        >>> import pandas as pd
        >>> est = IntervalGeneralizer(bins=[0, 30, 120]).fit(pd.DataFrame({"age": [25, 40]}))
        >>> est.label_bounds()["age"]
        {'(0, 30]': (0.0, 30.0), '(30, 120]': (30.0, 120.0)}
        """
        check_is_fitted(self, "bins_")
        out = {}
        for col, (edges, labels) in self.bins_.items():
            edges = np.asarray(edges, dtype=np.float64)
            out[col] = {str(lab): (float(edges[i]), float(edges[i + 1])) for i, lab in enumerate(labels)}
        return out

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
            labels = interval_labels(edges, self.right, self.precision, open_ends)
        else:
            labels = _checked_labels(labels, len(edges) - 1, f" for column {name!r}")
        return edges, labels

    @property
    def bin_edges_(self) -> dict[Any, np.ndarray]:
        return {name: edges for name, (edges, _) in self.bins_.items()}

    @property
    def labels_(self) -> dict[Any, list[str]]:
        return {name: labels for name, (_, labels) in self.bins_.items()}

    def _transform_column(self, column, name, state, rng):
        require_numeric(column, name, type(self).__name__)
        edges, labels = state
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        codes = bin_codes(values, edges, right=self.right, include_lowest=self.include_lowest)
        codes[codes < 0] = len(labels)
        cat = categorical_from_codes(codes, [*labels, SUPPRESSED])
        return pd.Series(cat, index=column.index, name=name)
