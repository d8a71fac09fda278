"""Differentially private group means (central epsilon-DP in fit)."""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .. import _text
from .._categories import LEARNT_DOMAIN_HINT, category_codes, category_domain
from .._compat import Interval, PrivacyLeakWarning, _fit_context
from .._persistence import _PlainState
from ..base import ColumnAnonymizer, output_container, warn_unused_column_keys
from . import _sampling as _s
from ._base import _ACCOUNTANT, _COLUMNS, _RANDOM_STATE, _CentralStatistic, _spend_fit
from ._utils import _numeric_values, _resolve_bounds, _warn_leak
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diffprivlib.accountant import BudgetAccountant
    from typing import Any, Mapping, Sequence
    from .._typing import ArrayLike, Self


class DPGroupMeanEncoder(_PlainState, _CentralStatistic, ColumnAnonymizer):
    """Encode rows by the differentially private mean of a numeric value in their group.

    Like :class:`sklearn.preprocessing.TargetEncoder`, but private (central
    epsilon-DP on the training set, neighbours differing by one added or
    removed record).  Groups are the combinations of the ``columns`` (one
    or more, typically generalized quasi-identifiers); the value is ``y``
    (``value_column=None``) or a numeric column of ``X``, clipped to
    ``bounds``.  For every group of the declared domain (the product of
    each column's categories, observed or not, so that the released table
    does not reveal which groups occur) ``fit`` releases a noisy sum of the
    centred clipped values and a noisy count (discrete Laplace, epsilon/2
    each; each record is in one group, so groups compose in parallel).  A
    group's mean is ``mid + noisy_sum / noisy_count``, clipped to the
    bounds; groups whose noisy count is below ``min_count`` (and rows whose
    group is outside the domain, or has NaN) get the noisy global mean,
    computed from the same noisy sums and counts (post-processing, no extra
    budget).

    ``transform`` outputs one float column, ``"<value>_group_mean"``.

    Parameters
    ----------
    epsilon : float, default=1.0
        Privacy budget of ``fit`` (> 0), checked on the accountant first.
    bounds : tuple (lower, upper) or None, default=None
        Range of the value; None takes the training range (``bounds_``,
        :class:`PrivacyLeakWarning`).
    columns : list of str or int, or None, default=None
        Group columns.  None: every column of ``X`` except ``value_column``.
    value_column : str, int or None, default=None
        Numeric column of ``X`` averaged; None averages ``y``.
    categories : dict of {column: list} or None, default=None
        Domain of each group column: only this parameter declares a domain
        (public knowledge).  A column not in the dict uses its categorical
        dtype's categories if it has one, else its sorted distinct training
        values, with a :class:`PrivacyLeakWarning` in both cases: a
        categorical dtype built with ``astype("category")`` lists the values
        that occur, so a rare value would be released as "public".
    min_count : float, default=10
        Groups with a noisy count below this get the global mean.
    max_groups : int, default=100_000
        Refuse a domain with more cells than this.
    random_state : int, numpy Generator or None, default=None
        None: secure OS seed (for releases); an int: reproducible fit.
    accountant : BudgetAccountant or None, default=None
        diffprivlib accountant spent on in ``fit``; None: the default one.
        ``clone`` keeps it by reference; a fit in a worker process needs a
        :class:`SharedAccountant` (any other raises ``RuntimeError``).

    Attributes
    ----------
    means_ : Series
        Released mean per group of the domain (MultiIndex over the group
        columns), NaN where the group falls back to the global mean.
    noisy_counts_ : Series
        Released noisy count per group.
    global_mean_ : float
        Released global mean.
    bounds_ : tuple (float, float)
        Bounds of the value.
    categories_ : dict of {column: list}
        Domain of each group column.
    group_columns_ : list
        The group columns.
    accountant_ : BudgetAccountant
        The accountant spent on.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    sklearn.preprocessing.TargetEncoder : The non-private encoder it mirrors.
    DPCountEncoder : Noisy counts per category as a feature.
    MondrianAnonymizer : k-anonymous groups to encode over.

    References
    ----------
    .. [1] Dwork, C., McSherry, F., Nissim, K. and Smith, A. (2006). "Calibrating
       noise to sensitivity in private data analysis". Theory of Cryptography
       Conference (TCC), LNCS 3876, 265-284.
    .. [2] Dwork, C. and Roth, A. (2014). "The Algorithmic Foundations of
       Differential Privacy". Foundations and Trends in Theoretical Computer
       Science 9(3-4), 211-407.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_anon import DPGroupMeanEncoder
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"region": rng.choice(["N", "S"], 2000)})
    >>> y = np.where(X["region"] == "N", 30.0, 70.0)
    >>> enc = DPGroupMeanEncoder(epsilon=1.0, bounds=(0, 100),
    ...                          categories={"region": ["N", "S"]}, random_state=0)
    >>> out = enc.fit_transform(X, y)
    >>> list(out.columns)
    ['y_group_mean']
    >>> enc.means_.round(0).tolist()
    [30.0, 70.0]
    """

    _parameter_constraints = {
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "bounds": ["array-like", None],
        "columns": _COLUMNS,
        "value_column": [str, Integral, None],
        "categories": [dict, None],
        "min_count": [Interval(Real, 0, None, closed="left")],
        "max_groups": [Interval(Integral, 1, None, closed="left")],
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self,
        *,
        epsilon: float = 1.0,
        bounds: tuple[float, float] | None = None,
        columns: Sequence[str | int] | None = None,
        value_column: str | int | None = None,
        categories: Mapping[Any, Sequence[Any]] | None = None,
        min_count: float = 10,
        max_groups: int = 100_000,
        random_state: int | np.random.Generator | None = None,
        accountant: BudgetAccountant | None = None,
    ) -> None:
        self.epsilon = epsilon
        self.bounds = bounds
        self.columns = columns
        self.value_column = value_column
        self.categories = categories
        self.min_count = min_count
        self.max_groups = max_groups
        self.random_state = random_state
        self.accountant = accountant

    def _value_name(self):
        return "y" if self.value_column is None else str(self._value_col_)

    def _cell_index(self, frame):
        """Flat group index of every row (-1 outside the domain or NaN)."""
        codes = []
        for col in self.group_columns_:
            codes.append(category_codes(frame[col], _text.text_index(self.categories_[col]), col))
        codes = np.stack(codes) if codes else np.zeros((0, len(frame)), dtype=np.int64)
        shape = tuple(len(self.categories_[c]) for c in self.group_columns_)
        valid = (codes >= 0).all(axis=0)
        cell = np.full(len(frame), -1, dtype=np.int64)
        if valid.any():
            cell[valid] = np.ravel_multi_index(tuple(codes[:, valid]), shape)
        return cell

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Release the noisy group sums and counts (spends ``epsilon``).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Group columns (and the value column if ``value_column`` is set).
        y : array-like of shape (n_samples,) or None
            The value averaged when ``value_column`` is None.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        frame, _ = self._validate_frame(X, reset=True)
        if not math.isfinite(self.epsilon):
            raise ValueError("epsilon must be finite.")
        if self.value_column is None:
            if y is None:
                raise ValueError(
                    "DPGroupMeanEncoder requires y to be passed, but the target y is None "
                    "(or set value_column)."
                )
            y_arr = np.asarray(y)
            if y_arr.ndim != 1 and not (y_arr.ndim == 2 and y_arr.shape[1] == 1):
                raise ValueError("y must be 1-dimensional.")
            y_arr = y_arr.ravel()
            if y_arr.shape[0] != frame.shape[0]:
                raise ValueError(
                    f"X has {frame.shape[0]} rows but y has {y_arr.shape[0]}: inconsistent numbers of samples."
                )
            y_series = pd.Series(y_arr)
            if y_series.dtype == object:
                y_series = y_series.infer_objects()
            if not pd.api.types.is_numeric_dtype(y_series.dtype) or pd.api.types.is_bool_dtype(y_series.dtype):
                raise ValueError(
                    "DPGroupMeanEncoder averages a numeric y; Unknown label type for a "
                    f"y of dtype {y_series.dtype} (encode it as numbers first)."
                )
            value = _numeric_values(y_series, "y", type(self).__name__)
            self._value_col_ = None
            excluded = []
        else:
            col = self.value_column
            if isinstance(col, (int, np.integer)) and col not in frame.columns:
                if not -frame.shape[1] <= col < frame.shape[1]:
                    raise ValueError(f"value_column position {col} is out of range.")
                col = frame.columns[col]
            if col not in frame.columns:
                raise ValueError(f"Unknown value_column {col!r}: not in the input.")
            self._value_col_ = col
            value = _numeric_values(frame[self._value_col_], self._value_col_, type(self).__name__)
            excluded = [self._value_col_]
        if self.columns is None:
            groups = [c for c in frame.columns if c not in excluded]
        else:
            groups = self._resolve_columns(frame)
        if not groups:
            raise ValueError("DPGroupMeanEncoder needs at least one group column.")
        if any(c in excluded for c in groups):
            raise ValueError(
                f"value_column {excluded[0]!r} cannot also be a group column (`columns`): "
                "its group means would encode the value itself."
            )
        self.group_columns_ = groups
        warn_unused_column_keys(self, ("categories",), frame.columns, groups)
        leaked = []
        categories = {}
        for col in groups:
            cats, learnt = category_domain(frame[col], (self.categories or {}).get(col), col)
            if learnt:
                leaked.append(col)
            if cats.size == 0 or cats.has_duplicates:
                raise ValueError(f"Group column {col!r} needs a non-empty domain of unique categories.")
            categories[col] = list(cats)
        n_cells = math.prod(len(c) for c in categories.values())
        if n_cells > self.max_groups:
            raise ValueError(
                f"The group domain has {n_cells} cells, more than max_groups={self.max_groups}; "
                "generalize the group columns first."
            )
        bounds_leak: list[str] = []
        lo, hi = _resolve_bounds(self.bounds, value, self._value_name(), bounds_leak)
        if leaked:
            warnings.warn(
                f"DPGroupMeanEncoder: group categories learnt from the data for {len(leaked)} "
                f"column(s) ({', '.join(map(repr, leaked))}); this releases which "
                f"categories occur; {LEARNT_DOMAIN_HINT}.",
                PrivacyLeakWarning,
                stacklevel=2,
            )
        _warn_leak(bounds_leak, type(self).__name__)
        _spend_fit(self, self.epsilon)
        self.categories_ = categories
        self.bounds_ = (lo, hi)

        sums, counts = self._group_statistics(frame, value)
        self._release(sums, counts, _s.make_rng(self.random_state))
        self.accountant_.spend(self.epsilon, 0.0)
        return self

    # -- extension points (the one copy of the noisy release; sklearn_anon.dask uses them) --
    def _grid(self):
        """``(lo, hi, mid, step, sensitivity, epsilon_half)`` of the fitted release.

        Values are clipped to ``bounds_``, centred on their midpoint and
        rounded to a power-of-two grid of ``step``; a centred value is at
        most ``sensitivity`` grid steps from 0.  Half of ``epsilon`` goes to
        the sums, half to the counts.
        """
        lo, hi = self.bounds_
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        eps_half = self.epsilon / 2
        step = _s.grid_step(half / eps_half, half, half)
        sens = math.ceil(half / step + 0.5)  # |rint(centred / step)| <= half/step + 1/2
        return lo, hi, mid, step, sens, eps_half

    def _group_statistics(self, frame, value=None):
        """Exact per-cell sums (in grid steps) and counts of ``frame``'s rows.

        Extension point: the statistics of any part of the training data
        (``value`` given, or read from the fitted ``value_column``); sums
        and counts of disjoint parts add up to those of the whole table,
        which is how :func:`sklearn_anon.dask.fit_dask` computes them
        partition by partition before the one :meth:`_release`.
        """
        if value is None:
            value = _numeric_values(frame[self._value_col_], self._value_col_, type(self).__name__)
        lo, hi, mid, step, _, _ = self._grid()
        n_cells = math.prod(len(c) for c in self.categories_.values())
        cell = self._cell_index(frame)
        ok = (cell >= 0) & ~np.isnan(value)
        centred = np.rint((np.clip(value[ok], lo, hi) - mid) / step)
        sums = np.bincount(cell[ok], weights=centred, minlength=n_cells)
        counts = np.bincount(cell[ok], minlength=n_cells).astype(np.float64)
        return sums, counts

    def _release(self, sums, counts, rng):
        """Add the noise to exact ``(sums, counts)`` and set the fitted release.

        Extension point, and the only place the noise is drawn: two-sided
        geometric (discrete Laplace) noise of scale ``sensitivity /
        (epsilon / 2)`` on the sums and ``1 / (epsilon / 2)`` on the counts,
        from ``rng`` in that order; sets ``means_``, ``noisy_counts_`` and
        ``global_mean_``.  Every engine (pandas ``fit``, Dask) calls it once
        per fit with the statistics of the whole training table.
        """
        lo, hi, mid, step, sens, eps_half = self._grid()
        n_cells = len(sums)
        noisy_sums = (sums + _s.two_sided_geometric(rng, sens / eps_half, n_cells)) * step
        noisy_counts = counts + _s.two_sided_geometric(rng, 1 / eps_half, n_cells)
        total_count = noisy_counts.sum()
        glob = mid + noisy_sums.sum() / total_count if total_count >= 1 else mid
        self.global_mean_ = float(np.clip(glob, lo, hi))
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.clip(mid + noisy_sums / noisy_counts, lo, hi)
        means[(noisy_counts < max(self.min_count, 1))] = np.nan
        groups = self.group_columns_
        try:
            index = pd.MultiIndex.from_product([self.categories_[c] for c in groups], names=groups)
        except UnicodeError:  # text Arrow cannot hold (a lone surrogate): object levels
            index = pd.MultiIndex.from_product([_text.object_index(self.categories_[c]) for c in groups],
                                               names=groups)
        if len(groups) == 1:
            index = index.get_level_values(0)
        self.means_ = pd.Series(means, index=index, name=self._value_name() + "_group_mean")
        self.noisy_counts_ = pd.Series(noisy_counts, index=index, name="noisy_count")

    # -- the documented engine extension points (sklearn_anon.dask, any other engine) --
    def group_statistics(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Exact per-group sums and counts of the rows of ``X`` (no noise, no budget).

        Engine extension point.  An engine that holds the training data in
        parts (:func:`sklearn_anon.dask.fit_dask`: one Dask partition each)
        fits the encoder first (on a frame with the domain and bounds, which
        spends ``epsilon`` and fixes the cells), then calls this method on
        every part, adds the results and passes the totals once to
        :meth:`release_statistics`.  Sums and counts of disjoint parts add
        up to those of the whole table, so the release equals the pandas
        ``fit``'s under the same ``random_state``.  The values are clipped
        to ``bounds_`` and counted in grid steps, as ``fit`` does; rows
        outside the domain or with a missing value are left out.

        Parameters
        ----------
        X : DataFrame
            Rows with the group columns and ``value_column`` (the value
            must be a column: ``value_column`` set).

        Returns
        -------
        sums : ndarray of shape (n_groups,)
            Per group (in the order of ``means_``): the sum of the centred,
            clipped values, in grid steps.
        counts : ndarray of shape (n_groups,)
            Per group: the number of rows (float).
        """
        check_is_fitted(self)
        if self.value_column is None:
            raise ValueError("group_statistics needs value_column (the value is a column of X).")
        return self._group_statistics(X)

    def release_statistics(
        self,
        sums: np.ndarray,
        counts: np.ndarray,
        rng: np.random.Generator | None = None,
    ) -> Self:
        """Add the noise to exact whole-table ``(sums, counts)`` and set the release.

        Engine extension point, the one copy of the noisy release (``fit``
        draws it by the same code): sets ``means_``, ``noisy_counts_`` and
        ``global_mean_``.  Call it once per fit, after the fit that spent
        the budget, with the totals of :meth:`group_statistics` over all the
        parts of the training data.

        Parameters
        ----------
        sums, counts : ndarray of shape (n_groups,)
            Totals of :meth:`group_statistics` over the whole training table.
        rng : numpy Generator or None, default=None
            None: the generator ``fit`` draws from (from ``random_state``;
            an int seed replays the pandas ``fit``'s noise).

        Returns
        -------
        self : object
            The encoder, with the released statistics.
        """
        check_is_fitted(self, "categories_")
        n_cells = math.prod(len(c) for c in self.categories_.values())
        sums, counts = np.asarray(sums, dtype=np.float64), np.asarray(counts, dtype=np.float64)
        if sums.shape != (n_cells,) or counts.shape != (n_cells,):
            raise ValueError(f"sums and counts must hold one entry per group ({n_cells}).")
        self._release(sums, counts, _s.make_rng(self.random_state) if rng is None else rng)
        return self

    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Map each row to its group's released mean (deterministic, no budget spent).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the group columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, 1)
            The group mean of each row (the global mean for unknown groups).
        """
        check_is_fitted(self)
        frame, is_pandas = self._validate_frame(X, reset=False)
        cell = self._cell_index(frame)
        table = self.means_.to_numpy()
        out = np.full(len(frame), self.global_mean_)
        known = cell >= 0
        picked = table[cell[known]]
        out[known] = np.where(np.isnan(picked), self.global_mean_, picked)
        result = pd.DataFrame({self.get_feature_names_out()[0]: out}, index=frame.index)
        return output_container(self, result, is_pandas)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """One output feature, ``"<value>_group_mean"``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored beyond the usual consistency check.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The output column names.
        """
        check_is_fitted(self)
        return np.asarray([self._value_name() + "_group_mean"], dtype=object)

    def _spent_columns(self):
        return self.group_columns_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = self.value_column is None
        return tags
