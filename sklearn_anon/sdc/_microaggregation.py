"""Microaggregation with MDAV (sdcMicro's ``microaggregation(method="mdav")``).

:class:`Microaggregator` groups the training rows into groups of at least
``k`` similar records with the Maximum Distance to Average Vector heuristic
(MDAV) and replaces each value by its group's mean or median, so that every
released vector of the anonymized columns is shared by at least ``k`` rows.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.neighbors import KDTree
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions, _fit_context
from .._fit_record import record_fit_output
from ..base import ColumnAnonymizer, require_numeric, values_hidden
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Sequence
    from .._typing import ArrayLike, Self

__all__ = ["Microaggregator"]


class Microaggregator(ColumnAnonymizer):
    """Replace numeric columns by the mean or median of MDAV groups of ``k`` rows.

    Fit partitions the training rows with MDAV (Maximum Distance to Average
    Vector; Domingo-Ferrer & Mateo-Sanz 2002, in the form of
    Domingo-Ferrer & Torra 2005 that sdcMicro implements), on the selected
    columns jointly (``method="mdav"``) or on each column separately
    (``method="univariate"``).  While at least ``3k`` records remain: take
    the record ``r`` farthest from the centroid of the remaining records and
    form a group of ``r`` and its ``k - 1`` nearest records; take the
    remaining record ``s`` farthest from ``r`` and form a group of ``s`` and
    its ``k - 1`` nearest remaining records.  Then, if ``2k`` or more records
    remain, one more group around the record farthest from their centroid,
    and the rest form the last group; with fewer than ``2k`` records left,
    they form the last group.  Every group has between ``k`` and ``2k - 1``
    rows.  Distances are Euclidean, on standardized columns by default.

    Ties are broken by row position: among equally far records the first
    row wins, and among equally near records the first rows join the group.

    ``fit_transform`` writes, for every training row, its group's mean or
    median on each anonymized column: each released vector of those
    columns is shared by at least ``k`` training rows (``k`` is also the
    output's k-anonymity on those columns when they are the
    quasi-identifiers; with ``method="univariate"`` this holds per column,
    not for the columns together).  ``transform`` of any data, training
    rows included, writes the aggregate of the nearest fitted group
    (nearest centroid, on the same scale as the fit); for new rows that is a
    generalization with the training groups' values, **not** a k-anonymous
    release of the new batch (a new batch of one row gets one group value,
    shared with no other row of that batch).  A training row whose nearest
    centroid is not its own group's gets another group's value from
    ``transform``; use ``fit_transform`` for the training release.

    Parameters
    ----------
    columns : list of str/int, str, int or None, default=None
        The numeric columns to microaggregate (names, or positions when no
        column has that name).  None: every column.  Columns not listed
        pass through unchanged (deliberately, because the caller said so).
        A listed column that is not numeric is a ``TypeError``.
    k : int, default=5
        Minimum group size (at least 1 and at most the number of training
        rows).
    method : {"mdav", "univariate"}, default="mdav"
        ``"mdav"``: one MDAV partition on the columns jointly (all columns
        of a row get the values of the same group).  ``"univariate"``: MDAV
        on each column alone (on one column, MDAV groups sorted values from
        both ends; sdcMicro's individual ranking sorts from one end only).
    aggregate : {"mean", "median"}, default="mean"
        The value written for a group on each column.
    standardize : bool, default=True
        Compute distances on columns centred on their mean and divided by
        their standard deviation (a constant column by 1), so that a column
        in large units (income) does not decide the groups alone.  Without
        it, distances are on the raw values.  Has no effect on the groups
        of ``method="univariate"`` (a scale does not change one-dimensional
        order), except through rounding.

    Attributes
    ----------
    columns_ : list
        The microaggregated columns.
    centroids_ : dict of ndarray
        ``{column: values}``: the aggregate (mean or median) of every group
        on that column, in group order.  With ``method="mdav"`` group ``g``
        is the same group in every column.
    group_sizes_ : ndarray of int or dict of ndarray
        Training rows per group (``method="univariate"``: per column).
    k_achieved_ : int
        Smallest group size (>= ``k``).
    center_ : ndarray of shape (len(columns_),)
        Column means used to standardize (zeros without ``standardize``).
    scale_ : ndarray of shape (len(columns_),)
        Column standard deviations used to standardize (ones without
        ``standardize``; 1 for a constant column).
    variance_kept_ : float
        Share of the training variance kept in the ``fit_transform``
        output, averaged over the columns: ``1 - sum((x - x')**2) /
        sum((x - mean(x))**2)`` (1 for a constant column).  For
        ``aggregate="mean"`` this is the between-group share of the
        variance.
    il1s_ : float
        sdcMicro's standardized information loss IL1s of the
        ``fit_transform`` output: ``sum(|x - x'| / (sqrt(2) * S_j)) / (n *
        p)`` over rows and columns, ``S_j`` the training standard deviation
        of column ``j`` (ddof=1; constant columns are left out).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when the input has string column names.

    See Also
    --------
    MondrianAnonymizer : k-anonymous regions that generalize instead of averaging.
    PRAM : Post-randomization of categorical columns.

    Notes
    -----
    Missing values (NaN, None, ``pd.NA``) and infinities in an anonymized
    column are refused with a ``ValueError`` in ``fit`` and in
    ``transform`` that names the column and the number of such cells (fail
    closed: MDAV has no distance to a missing coordinate, and a value
    passed through would leak).  Impute or suppress them first.

    The output columns are float64, whatever the input's numeric dtype.

    Cost: MDAV makes about ``n / k`` passes over the remaining records,
    each a few vectorized numpy operations (``O(n^2 / k)`` in all, no
    Python loop over rows).  Three exact speed-ups keep the groups those of
    the published algorithm (tested against a plain implementation):

    * the remaining records are kept in contiguous per-column arrays from
      which each group is removed by moving the last records into its
      slots (``O(k)``, instead of copying the arrays);
    * the ``k`` nearest records are found among the candidates at or below
      the ``k``-th smallest distance of a strided sample (an upper bound of
      the true ``k``-th smallest) instead of partitioning every distance;
    * the record farthest from the centroid is found among the records
      whose distance to an earlier centroid ``c0`` is at least the largest
      such distance minus twice the centroid's move ``|c - c0|`` (triangle
      inequality); ``c0`` is refreshed when that shell holds more than
      1/32 of the records.  Two full distance passes per pair of groups
      remain (to ``r`` and to ``s``).

    ``transform`` finds nearest centroids with a KD-tree.  100,000 rows x 3
    columns at ``k=5``: about 5 s of CPU (``benchmarks/README.md``, section
    ``sdc``).

    Errors name columns and counts, never a cell value.

    References
    ----------
    .. [1] J. Domingo-Ferrer and J. M. Mateo-Sanz, "Practical data-oriented
       microaggregation for statistical disclosure control", IEEE
       Transactions on Knowledge and Data Engineering 14(1), 2002.
    .. [2] J. Domingo-Ferrer and V. Torra, "Ordinal, continuous and
       heterogeneous k-anonymity through microaggregation", Data Mining and
       Knowledge Discovery 11(2), 2005.
    .. [3] M. Templ, A. Kowarik and B. Meindl, "Statistical disclosure
       control for micro-data using the R package sdcMicro", Journal of
       Statistical Software 67(4), 2015 (``microaggregation``,
       ``dUtility``/IL1s).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.sdc import Microaggregator
    >>> df = pd.DataFrame({"age": [21, 22, 24, 40, 41, 45, 60, 62, 66],
    ...                    "hours": [40, 38, 40, 50, 45, 40, 20, 25, 30],
    ...                    "job": list("abcabcabc")})
    >>> micro = Microaggregator(columns=["age", "hours"], k=3)
    >>> micro.fit_transform(df)
             age      hours job
    0  22.333333  39.333333   a
    1  22.333333  39.333333   b
    2  22.333333  39.333333   c
    3  42.000000  45.000000   a
    4  42.000000  45.000000   b
    5  42.000000  45.000000   c
    6  62.666667  25.000000   a
    7  62.666667  25.000000   b
    8  62.666667  25.000000   c
    >>> micro.group_sizes_.tolist()
    [3, 3, 3]
    >>> micro.transform(pd.DataFrame({"age": [30, 70], "hours": [40, 10],
    ...                               "job": ["a", "b"]}))
             age      hours job
    0  22.333333  39.333333   a
    1  62.666667  25.000000   b
    """

    _parameter_constraints = {
        "columns": ["array-like", str, Integral, None],
        "k": [Interval(Integral, 1, None, closed="left")],
        "method": [StrOptions({"mdav", "univariate"})],
        "aggregate": [StrOptions({"mean", "median"})],
        "standardize": ["boolean"],
    }
    _per_column_params = ()

    def __init__(
        self,
        columns: Sequence[str | int] | str | int | None = None,
        *,
        k: int = 5,
        method: Literal["mdav", "univariate"] = "mdav",
        aggregate: Literal["mean", "median"] = "mean",
        standardize: bool = True,
    ) -> None:
        self.columns = columns
        self.k = k
        self.method = method
        self.aggregate = aggregate
        self.standardize = standardize

    # -- fit ---------------------------------------------------------------
    def _requested_columns(self):
        columns = self.columns
        if isinstance(columns, tuple):
            return list(columns)
        return columns

    def _values(self, frame):
        """The anonymized columns as a float64 array (n, p); refuses NaN/inf."""
        arrays = []
        for name in self.columns_:
            values = _numeric_values(frame[name], name, type(self).__name__)
            bad = int((~np.isfinite(values)).sum())
            if bad:
                raise ValueError(
                    f"Column {name!r}: {bad} missing (NaN) or infinite value(s); "
                    f"{type(self).__name__} needs complete numeric data (impute or "
                    "suppress them first)."
                )
            arrays.append(values)
        return np.column_stack(arrays) if arrays else np.empty((frame.shape[0], 0))

    def _fit_groups(self, X):
        """Fit on the (n, p) array ``X``; return the group label array(s)."""
        n = X.shape[0]
        if isinstance(self.k, (bool, np.bool_)):
            raise TypeError("k must be an int, got a boolean.")
        if self.k > n:
            raise ValueError(
                f"k={self.k} is larger than the number of training rows "
                f"(n_samples = {n}): no group of k rows exists."
            )
        if self.standardize:
            center = X.mean(axis=0)
            scale = X.std(axis=0)
            scale[~(scale > 0)] = 1.0
        else:
            center = np.zeros(X.shape[1])
            scale = np.ones(X.shape[1])
        self.center_, self.scale_ = center, scale
        Z = (X - center) / scale
        if self.method == "mdav":
            labels = mdav_groups(Z, self.k)
            per_column = [labels] * X.shape[1]
        else:
            per_column = [mdav_groups(Z[:, [j]], self.k) for j in range(X.shape[1])]
        self.centroids_ = {}
        sizes = {}
        for j, name in enumerate(self.columns_):
            self.centroids_[name] = _group_aggregate(X[:, j], per_column[j], self.aggregate)
            sizes[name] = np.bincount(per_column[j])
        if self.method == "mdav":
            self.group_sizes_ = sizes[self.columns_[0]]
            self.k_achieved_ = int(self.group_sizes_.min())
        else:
            self.group_sizes_ = sizes
            self.k_achieved_ = int(min(s.min() for s in sizes.values()))
        return per_column

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Group the training rows with MDAV and store the group aggregates.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted microaggregator.
        """
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def _fit(self, X):
        """Validate, fit; return the frame, whether it is pandas, and the training output."""
        frame, is_pandas = self._validate_frame(X, reset=True)
        self.columns_ = self._resolve_columns(frame)
        if not self.columns_:
            raise ValueError("No column to microaggregate: `columns` is empty.")
        values = self._values(frame)
        per_column = self._fit_groups(values)
        out = values.copy()
        for j, name in enumerate(self.columns_):
            out[:, j] = self.centroids_[name][per_column[j]]
        self._loss(values, out)
        return frame, is_pandas, out

    def _loss(self, values, out):
        """``variance_kept_`` and ``il1s_`` of the training output."""
        kept = []
        for j in range(values.shape[1]):
            sst = float(((values[:, j] - values[:, j].mean()) ** 2).sum())
            sse = float(((values[:, j] - out[:, j]) ** 2).sum())
            kept.append(1.0 - sse / sst if sst > 0 else 1.0)
        self.variance_kept_ = float(np.mean(kept))
        n = values.shape[0]
        sd = values.std(axis=0, ddof=1) if n > 1 else np.zeros(values.shape[1])
        ok = sd > 0
        if ok.any():
            self.il1s_ = float((np.abs(values[:, ok] - out[:, ok]) / (np.sqrt(2) * sd[ok])).sum()
                               / (n * values.shape[1]))
        else:
            self.il1s_ = 0.0

    def fit_transform(
        self,
        X: ArrayLike,
        y: ArrayLike | None = None,
        **fit_params: Any,
    ) -> pd.DataFrame | np.ndarray:
        """Fit, and write every training row's own group aggregate.

        Unlike ``fit(X).transform(X)`` (nearest centroid), this is the
        microaggregated release: every released vector of the anonymized
        columns is shared by at least ``k`` rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.
        **fit_params : dict
            Ignored (accepted for scikit-learn compatibility).

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            Same rows in the same order; anonymized columns as float64.
        """
        frame, is_pandas, out = self._fit(X)
        result = self._assemble(frame, is_pandas, out, X)
        record_fit_output(self, X, result)
        return result

    # -- transform -----------------------------------------------------------
    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Write the aggregate of the nearest fitted group on the anonymized columns.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows (training or new) with the columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            Same rows in the same order; anonymized columns as float64,
            other columns unchanged.  Not k-anonymous for a new batch (see
            the class docstring).
        """
        check_is_fitted(self)
        frame, is_pandas = self._validate_frame(X, reset=False)
        values = self._values(frame)
        out = np.empty_like(values)
        if values.shape[0]:
            Z = (values - self.center_) / self.scale_
            if self.method == "mdav":
                cents = np.column_stack([self.centroids_[c] for c in self.columns_])
                group = _nearest(Z, (cents - self.center_) / self.scale_)
                for j, name in enumerate(self.columns_):
                    out[:, j] = self.centroids_[name][group]
            else:
                for j, name in enumerate(self.columns_):
                    cents = (self.centroids_[name][:, None] - self.center_[j]) / self.scale_[j]
                    out[:, j] = self.centroids_[name][_nearest(Z[:, [j]], cents)]
        return self._assemble(frame, is_pandas, out, X)

    def _assemble(self, frame, is_pandas, out, X):
        """The output frame: anonymized columns from ``out``, the rest as given."""
        data = {}
        position = {name: j for j, name in enumerate(self.columns_)}
        for i, name in enumerate(frame.columns):
            if name in position:
                data[i] = pd.Series(out[:, position[name]], index=frame.index, dtype=np.float64)
            else:
                data[i] = frame[name]
        result = pd.DataFrame(data, index=frame.index)
        if not is_pandas:
            result.columns = self.get_feature_names_out()
        elif not hasattr(self, "feature_names_in_") and isinstance(X, pd.DataFrame):
            result.columns = X.columns
        else:
            result.columns = frame.columns
        return self._output(result, is_pandas)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.string = False
        tags.input_tags.categorical = False
        return tags


def _numeric_values(col, name, who):
    """A numeric column as float64 (NaN for missing); an object column of
    real numbers (not strings) is accepted; anything else is a TypeError."""
    if col.dtype == object and not col.map(_is_real, na_action="ignore").all():
        raise TypeError(
            f"{who} needs a numeric column {name!r}: it has dtype object with values "
            "that are not real numbers (each argument must be a real number, not a "
            "string or number-like text)."
        )
    if col.dtype != object:
        require_numeric(col, name, who)
    with values_hidden(name, "could not read the column as numbers"):
        return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _is_real(value):
    return isinstance(value, (Real, np.number)) and not isinstance(value, (bool, np.bool_))


def _group_aggregate(values, labels, aggregate):
    """Mean or median of ``values`` per group label ``0..G-1``."""
    if aggregate == "mean":
        return np.bincount(labels, weights=values) / np.bincount(labels)
    return pd.Series(values).groupby(labels).median().to_numpy(dtype=np.float64)


def _nearest(Z, centroids):
    """Index of the nearest centroid (Euclidean) of every row of ``Z``."""
    tree = KDTree(centroids)
    return tree.query(Z, k=1, return_distance=False)[:, 0]


def mdav_groups(Z, k):
    """MDAV group label of every row of ``Z`` (groups numbered in creation order).

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        Finite float data (already scaled), ``n_samples >= k``.
    k : int
        Minimum group size.

    Returns
    -------
    labels : ndarray of int64 of shape (n_samples,)
        Group of each row; every group has ``k`` to ``2k - 1`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> mdav_groups(np.array([[0.0], [1.0], [10.0], [11.0], [5.0]]), 2).tolist()
    [1, 1, 0, 0, 1]
    """
    Z = np.asarray(Z, dtype=np.float64)
    n, p = Z.shape
    labels = np.empty(n, dtype=np.int64)
    if n < 2 * k:
        labels[:] = 0
        return labels
    X = np.array(Z.T, order="C", copy=True)  # (p, n): per-column contiguous, compacted in place
    idx = np.arange(n)  # original row of every active slot
    d = np.empty(n)
    tmp = np.empty(n)

    def sqdist(point, m):
        dd, t = d[:m], tmp[:m]
        np.subtract(X[0, :m], point[0], out=dd)
        np.multiply(dd, dd, out=dd)
        for j in range(1, p):
            np.subtract(X[j, :m], point[j], out=t)
            np.multiply(t, t, out=t)
            np.add(dd, t, out=dd)
        return dd

    def farthest(dd):
        i = int(dd.argmax())
        ties = np.flatnonzero(dd == dd[i])
        if len(ties) > 1:  # first row among equally far ones
            i = int(ties[idx[ties].argmin()])
        return i

    def nearest(dd, m):
        if m > 16 * k:  # candidates below an upper bound of the k-th smallest distance
            step = max(1, m // int(2 * np.sqrt(k * m)))
            bound = np.partition(dd[::step], k - 1)[k - 1]
            cand = np.flatnonzero(dd <= bound)
        else:
            cand = np.arange(m)
        order = np.lexsort((idx[cand], dd[cand]))  # by distance, then row
        return cand[order[:k]]

    def remove(pos, m):  # move the last active slots into the group's slots (O(k))
        pos = pos.tolist()
        new_m = m - len(pos)
        taken = set(pos)
        holes = [q for q in pos if q < new_m]
        tail = [q for q in range(new_m, m) if q not in taken]
        if holes:
            X[:, holes] = X[:, tail]
            idx[holes] = idx[tail]
            ref_dist[holes] = ref_dist[tail]
        return new_m

    # Farthest record from the centroid, pruned with the triangle inequality:
    # ref_dist holds every active record's distance to an earlier centroid c0.
    # With delta = |c - c0|, the farthest record from c has ref_dist >=
    # max(ref_dist) - 2 * delta, so only those candidates get their exact
    # distance (computed as sqdist computes it: same value, same winner).
    ref_dist = np.empty(n)
    ref_center = [None]

    def farthest_from_centroid(m):
        c = X[:, :m].sum(axis=1) / m
        c0 = ref_center[0]
        if c0 is not None:
            delta = float(np.sqrt(((c - c0) ** 2).sum()))
            top = float(ref_dist[:m].max())
            bound = top - 2 * delta - 1e-9 * (top + 2 * delta)
            cand = np.flatnonzero(ref_dist[:m] >= bound)
            if len(cand) <= max(64, m // 32):
                sub = X[:, cand]
                dd = (sub[0] - c[0]) ** 2
                for j in range(1, p):
                    t = sub[j] - c[j]
                    t *= t
                    dd += t
                i = int(dd.argmax())
                ties = np.flatnonzero(dd == dd[i])
                if len(ties) > 1:
                    i = int(ties[idx[cand[ties]].argmin()])
                return int(cand[i])
        dd = sqdist(c, m)  # refresh the reference centroid
        ref_center[0] = c
        np.sqrt(dd, out=ref_dist[:m])
        return farthest(dd)

    m, g = n, 0
    while m >= 3 * k:
        r = farthest_from_centroid(m)
        dd = sqdist(X[:, r].copy(), m)
        group = nearest(dd, m)
        dd[group] = -np.inf
        s_point = X[:, farthest(dd)].copy()
        labels[idx[group]] = g
        m = remove(group, m)
        group = nearest(sqdist(s_point, m), m)
        labels[idx[group]] = g + 1
        m = remove(group, m)
        g += 2
    if m >= 2 * k:
        r = farthest_from_centroid(m)
        group = nearest(sqdist(X[:, r].copy(), m), m)
        labels[idx[group]] = g
        m = remove(group, m)
        g += 1
    labels[idx[:m]] = g
    return labels
