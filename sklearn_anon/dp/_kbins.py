"""Binning at differentially private quantiles (central epsilon-DP in fit)."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._compat import Interval
from ..base import ColumnAnonymizer
from . import _sampling as _s
from ._base import _ACCOUNTANT, _BOUNDS, _COLUMNS, _RANDOM_STATE, _CentralStatistic, _spend_fit
from ._utils import _numeric_values, _resolve_bounds, _warn_leak
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diffprivlib.accountant import BudgetAccountant
    from typing import Any, Mapping, Sequence


class DPKBinsDiscretizer(_CentralStatistic, ColumnAnonymizer):
    """Bin numeric columns at differentially private quantiles (central epsilon-DP in fit).

    Like :class:`sklearn.preprocessing.KBinsDiscretizer` with
    ``strategy="quantile", encode="ordinal"``, but the inner edges are DP
    quantiles of the training data (exponential mechanism, Smith 2011,
    vectorized with the Gumbel-max trick), so the bins leak at most
    ``epsilon`` about the training set.  ``epsilon`` is the total for the
    fit, split equally over the columns and their ``n_bins - 1`` quantiles
    (sequential composition), checked on the accountant before the work
    and spent after it.  Outer edges are the clipping bounds; values
    outside them fall in the first/last bin.

    Output: float bin codes ``0 .. n_bins - 1``; NaN stays NaN.

    Parameters
    ----------
    n_bins : int, default=5
        Number of bins (>= 2).
    epsilon : float, default=1.0
        Total privacy budget of ``fit`` (> 0).
    bounds : tuple (lower, upper), dict of {column: tuple} or None, default=None
        Range of the data, per column or for all; None takes it from the
        training data (stored in ``bounds_``, with a :class:`PrivacyLeakWarning`).
    columns : list of str or int, or None, default=None
        Columns to bin; the others pass through.
    random_state : int, numpy Generator or None, default=None
        None: secure OS seed (for releases); an int: reproducible fit.
    accountant : BudgetAccountant or None, default=None
        diffprivlib accountant spent on in ``fit``; None: the default one.
        ``clone`` keeps it by reference; a fit in a worker process needs a
        :class:`SharedAccountant` (any other raises ``RuntimeError``).

    Attributes
    ----------
    bin_edges_ : dict of {column: ndarray}
        ``n_bins + 1`` edges per column (bounds outside, DP quantiles inside).
    bounds_ : dict of {column: (float, float)}
        Bounds used per column.
    accountant_ : BudgetAccountant
        The accountant spent on.
    columns_ : list
        The binned columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    sklearn.preprocessing.KBinsDiscretizer : The non-private discretizer it mirrors.
    IntervalGeneralizer : Bands at declared (public) edges, no budget spent.

    References
    ----------
    .. [1] Smith, A. (2011). "Privacy-preserving statistical estimation with
       optimal convergence rates". ACM Symposium on Theory of Computing (STOC),
       813-822.
    .. [2] Dwork, C. and Roth, A. (2014). "The Algorithmic Foundations of
       Differential Privacy". Foundations and Trends in Theoretical Computer
       Science 9(3-4), 211-407.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_anon import DPKBinsDiscretizer
    >>> X = np.random.default_rng(0).uniform(0, 100, size=(1000, 1))
    >>> kb = DPKBinsDiscretizer(n_bins=4, epsilon=1.0, bounds=(0, 100), random_state=0)
    >>> codes = kb.fit_transform(X)
    >>> sorted(np.unique(codes).tolist())
    [0.0, 1.0, 2.0, 3.0]
    >>> len(kb.bin_edges_["x0"])
    5
    """

    _parameter_constraints = {
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "bounds": _BOUNDS,
        "columns": _COLUMNS,
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self,
        *,
        n_bins: int = 5,
        epsilon: float = 1.0,
        bounds: tuple[float, float] | Mapping[Any, tuple[float, float]] | None = None,
        columns: Sequence[str | int] | None = None,
        random_state: int | np.random.Generator | None = None,
        accountant: BudgetAccountant | None = None,
    ) -> None:
        self.n_bins = n_bins
        self.epsilon = epsilon
        self.bounds = bounds
        self.columns = columns
        self.random_state = random_state
        self.accountant = accountant

    def _check_params(self, X):
        if not math.isfinite(self.epsilon):
            raise ValueError("epsilon must be finite.")
        _spend_fit(self, self.epsilon)  # checked on the accountant before any work

    def _fit_columns(self, frame):
        """DP edges of every column: one generator, and ``epsilon`` split equally
        over the columns and their ``n_bins - 1`` quantiles (sequential composition)."""
        rng = _s.make_rng(self.random_state)
        eps_each = self.epsilon / (len(self.columns_) * (self.n_bins - 1))
        q = np.arange(1, self.n_bins) / self.n_bins
        leaked, bounds, edges = [], {}, {}
        for name in self.columns_:
            values = _numeric_values(frame[name], name, type(self).__name__)
            lo, hi = _resolve_bounds(self.bounds, values, name, leaked)
            bounds[name] = (lo, hi)
            inner = _s.dp_quantiles(values, q, eps_each, lo, hi, rng)
            edges[name] = np.concatenate([[lo], inner, [hi]])
        _warn_leak(leaked, type(self).__name__)
        self.bounds_ = bounds
        return edges

    def _after_fit(self, frame, states):
        self.bin_edges_ = states
        self.accountant_.spend(self.epsilon, 0.0)

    def _fitted_states(self):
        return self.bin_edges_

    def _transform_column(self, column, name, edges, rng):
        values = _numeric_values(column, name, type(self).__name__)
        codes = np.searchsorted(edges[1:-1], values, side="right").astype(np.float64)
        codes[np.isnan(values)] = np.nan
        return pd.Series(codes, index=column.index, name=name)

