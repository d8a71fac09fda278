"""Differentially private counts per group: :func:`dp_histogram` and :class:`DPCountEncoder`.

Central DP on the training set (neighbours: one *person* added or removed,
a person contributing at most ``max_contributions`` rows).  The noisy
release exists once, in :func:`_release_counts`, which both the function
and the encoder call: integer noise on every cell of the declared domain
(observed or not: releasing only the groups that occur would reveal which
occur), and the exact half-width of a confidence interval computed from the
noise distribution.

Mechanisms
    ``"laplace"``: the discrete Laplace (two-sided geometric) distribution,
    ``P(K = k) ∝ exp(-|k| epsilon / m)`` with ``m = max_contributions``
    (the L1 sensitivity of the histogram), drawn by the package's exact
    sampler (:func:`sklearn_anon.dp._sampling.two_sided_geometric`): pure
    epsilon-DP, with no floating-point caveat (the counts and the noise are
    integers).  ``"gaussian"``: ``rint(sigma Z)`` with ``Z`` standard normal
    and ``sigma`` the analytic Gaussian calibration (Balle & Wang 2018) for
    sensitivity ``m`` (the L2 sensitivity is at most ``m``: a person's rows
    may all fall in one cell); this is ``gaussian_on_grid``'s construction
    on the grid of step 1 (a count is an integer, so rounding the noisy
    count is post-processing of the continuous Gaussian mechanism), with the
    caveat that module states about numpy's floating-point normal sampler.
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.utils.validation import check_is_fitted

from .. import _text
from .._categories import LEARNT_DOMAIN_HINT, category_codes, category_domain
from .._compat import BudgetAccountant, Interval, PrivacyLeakWarning, StrOptions
from .._persistence import _PlainState
from ..base import ColumnAnonymizer, check_frame, output_container, values_hidden
from . import _sampling as _s
from ._base import _ACCOUNTANT, _COLUMNS, _RANDOM_STATE, _DPEstimatorMixin, _spend_fit
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Mapping, Sequence
    from .._typing import ArrayLike

__all__ = ["DPCountEncoder", "dp_histogram"]

_MECHANISMS = ("laplace", "gaussian")


# -- the one noisy release -------------------------------------------------------------
def _noise_parameters(mechanism, epsilon, delta, max_contributions):
    """``(scale, delta_charged)``: the discrete Laplace ``t`` or the Gaussian sigma."""
    if mechanism == "laplace":
        return max_contributions / epsilon, 0.0
    return _s.analytic_gaussian_sigma(epsilon, delta, float(max_contributions)), float(delta)


def _half_width(mechanism, scale, confidence):
    """The smallest integer ``k`` with ``P(|noise| <= k) >= confidence``, exactly.

    Discrete Laplace with ``a = exp(-1 / t)``: ``P(|K| > k) = 2 a**(k + 1) / (1 + a)``.
    Rounded Gaussian ``rint(sigma Z)``: ``P(|rint(sigma Z)| <= k) = 2 Phi((k + 1/2) / sigma) - 1``
    (ties have probability 0).  So ``[noisy - k, noisy + k]`` covers the true count
    with probability at least ``confidence`` (at most one lattice step more).
    """
    if mechanism == "laplace":
        t = math.nextafter(float(scale), math.inf)  # the t the sampler uses
        log_a = -1.0 / t
        a = math.exp(log_a)
        target = math.log((1.0 - confidence) * (1.0 + a) / 2.0)
        k = max(0, math.ceil(target / log_a) - 1)
        while 2.0 * math.exp(log_a * (k + 1)) / (1.0 + a) > 1.0 - confidence:  # float guard
            k += 1
        return k
    k = max(0, math.ceil(scale * norm.ppf((1.0 + confidence) / 2.0) - 0.5))
    while 2.0 * norm.cdf((k + 0.5) / scale) - 1.0 < confidence:  # float guard
        k += 1
    return k


def _release_counts(counts, mechanism, scale, rng):
    """Exact integer ``counts`` (one per cell) plus the mechanism's integer noise.

    The only place :func:`dp_histogram` and :class:`DPCountEncoder` draw
    noise.  Returns float64 integers.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if mechanism == "laplace":
        noise = _s.two_sided_geometric(rng, scale, counts.shape)
    else:
        noise = np.rint(scale * rng.standard_normal(counts.shape))
    return counts + noise


def _check_release_params(epsilon, mechanism, delta, max_contributions, confidence, *, strict_delta=True):
    if isinstance(epsilon, bool) or not isinstance(epsilon, Real) or not (0 < epsilon < math.inf):
        raise ValueError("epsilon must be a finite number > 0.")
    if mechanism not in _MECHANISMS:
        raise ValueError(f"mechanism must be one of {_MECHANISMS}, got {mechanism!r}.")
    if mechanism == "gaussian":
        if delta is None or isinstance(delta, bool) or not isinstance(delta, Real) or not 0 < delta < 1:
            raise ValueError("mechanism='gaussian' needs delta in (0, 1).")
    elif strict_delta and delta not in (None, 0, 0.0):
        raise ValueError("delta is only used by mechanism='gaussian' (the discrete Laplace is pure epsilon-DP).")
    if isinstance(max_contributions, bool) or not isinstance(max_contributions, Integral) or max_contributions < 1:
        raise ValueError("max_contributions must be an integer >= 1.")
    if isinstance(confidence, bool) or not isinstance(confidence, Real) or not 0 < confidence < 1:
        raise ValueError("confidence must be in (0, 1).")


def _domains(frame, columns, categories, who, stacklevel):
    """``{column: categories}``: declared, or read from the data with a PrivacyLeakWarning."""
    domain, leaked = {}, []
    for col in columns:
        cats, learnt = category_domain(frame[col], (categories or {}).get(col), col)
        if cats.size == 0 or cats.has_duplicates:
            raise ValueError(f"Column {col!r} needs a non-empty domain of unique categories.")
        if learnt:
            leaked.append(col)
        domain[col] = list(cats)
    if leaked:
        warnings.warn(
            f"{who}: categories learnt from the data for {len(leaked)} column(s) "
            f"({', '.join(map(repr, leaked))}); this releases which categories occur; "
            f"{LEARNT_DOMAIN_HINT}.",
            PrivacyLeakWarning,
            stacklevel=stacklevel,
        )
    return domain


def _cell_index(frame, columns, categories):
    """Flat cell of every row over the product of the domains (-1: outside it or NaN)."""
    cell, invalid = None, None
    for col in columns:  # row-major flat index, one column at a time
        codes = category_codes(frame[col], _text.text_index(categories[col]), col)
        if cell is None:
            cell, invalid = codes.copy(), codes < 0
        else:
            cell *= len(categories[col])
            cell += codes
            invalid |= codes < 0
    cell[invalid] = -1
    return cell


def _domain_index(columns, categories):
    levels = [categories[c] for c in columns]
    try:
        index = pd.MultiIndex.from_product(levels, names=columns)
    except UnicodeError:  # text Arrow cannot hold (a lone surrogate): object levels
        index = pd.MultiIndex.from_product([_text.object_index(v) for v in levels], names=columns)
    return index.get_level_values(0) if len(columns) == 1 else index


def _bounded_rows(frame, person, max_contributions):
    """Boolean mask keeping at most ``max_contributions`` rows of each person (their first ones)."""
    column = frame[person]
    with values_hidden(person, "person identifiers cannot be grouped"):
        codes, _ = _text.factorize(column, use_na_sentinel=True)
    if (codes < 0).any():
        raise ValueError(f"The person column {person!r} has missing values: every row needs its person.")
    rank = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    return rank < max_contributions


def dp_histogram(
    X: ArrayLike,
    by: str | int | Sequence[str | int],
    *,
    epsilon: float,
    categories: Mapping[Any, Sequence[Any]] | None = None,
    max_contributions: int = 1,
    person: str | int | None = None,
    mechanism: Literal["laplace", "gaussian"] = "laplace",
    delta: float | None = None,
    confidence: float = 0.95,
    clip: bool = False,
    random_state: Literal["secure"] | int | np.random.Generator | None = None,
    accountant: BudgetAccountant | None = None,
) -> pd.DataFrame:
    """Differentially private counts of the rows of ``X`` per group of ``by``.

    Releases one noisy count for every cell of the declared domain (the
    cross product of each ``by`` column's ``categories``), zero cells
    included: releasing only the groups that occur would reveal which occur.
    Rows with a missing or undeclared value in a ``by`` column are not
    counted (they are in no cell).  Central DP: neighbouring data sets
    differ by one person, who contributes at most ``max_contributions``
    rows; the noise is integer (``mechanism``) with scale proportional to
    ``max_contributions``.  The cells are disjoint, so one person's rows
    change the histogram by at most ``max_contributions`` in L1 (and L2)
    norm, and the whole table costs ``epsilon`` (and ``delta``) once.

    Each count comes with an interval ``[lower, upper]`` that covers the
    true count with probability at least ``confidence`` (per cell, not
    simultaneously), computed from the exact noise distribution: for the
    discrete Laplace of scale ``t = max_contributions / epsilon``, with
    ``a = exp(-1/t)``, ``P(|K| > k) = 2 a**(k+1) / (1 + a)``; for the
    Gaussian, ``2 Phi((k + 1/2) / sigma) - 1``.  The half-width ``k`` is the
    same for every cell; it depends only on the public parameters.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The rows to count (arrays get columns ``x0, x1, ...``).
    by : str, int or list of them
        Group columns.
    epsilon : float
        Privacy budget (> 0), checked on the accountant first.
    categories : dict of {column: list} or None, default=None
        Declared domain of each ``by`` column (public knowledge).  A column
        not declared takes its distinct training values (or the used
        categories of a categorical dtype, which is no declaration either),
        with a :class:`PrivacyLeakWarning`: that releases which values occur.
    max_contributions : int, default=1
        Rows one person may contribute.  With ``person`` given, each
        person's rows beyond their first ``max_contributions`` (in the order
        of ``X``) are dropped before counting.  Without it, every row is
        assumed to be a different person, or the caller guarantees that no
        person has more than ``max_contributions`` rows (not checked: if it
        is false the guarantee does not hold).
    person : str, int or None, default=None
        Column identifying the person of each row (not released).
    mechanism : {"laplace", "gaussian"}, default="laplace"
        ``"laplace"``: exact discrete Laplace, pure ``epsilon``-DP.
        ``"gaussian"``: rounded analytic Gaussian, ``(epsilon, delta)``-DP.
    delta : float in (0, 1) or None, default=None
        Required for ``"gaussian"``; must be None for ``"laplace"``.
    confidence : float in (0, 1), default=0.95
        Coverage of the per-cell interval.
    clip : bool, default=False
        Clip the released counts (and the interval's lower end) at 0:
        post-processing (no budget), and the interval keeps its coverage,
        but the clipped counts are biased upwards near 0.  The unclipped
        counts are unbiased.
    random_state : int, numpy Generator, "secure" or None, default=None
        None: a fresh 128-bit OS seed (use it for releases); ``"secure"``:
        every draw from the OS CSPRNG; an int: reproducible (experiments
        only: whoever knows the seed can remove the noise).
    accountant : BudgetAccountant or None, default=None
        diffprivlib accountant checked before and spent on after the
        release; None: diffprivlib's default accountant.

    Returns
    -------
    histogram : DataFrame
        One row per cell of the domain (index: the ``by`` values, a
        MultiIndex for several columns), columns ``count``, ``lower`` and
        ``upper`` (int64).  ``histogram.attrs`` holds ``epsilon``,
        ``delta``, ``mechanism``, ``max_contributions``, ``confidence``,
        ``scale`` (the discrete Laplace ``t`` or the Gaussian sigma),
        ``half_width`` and ``std`` (the noise's standard deviation).

    Raises
    ------
    BudgetError
        When the accountant cannot afford the release (nothing is drawn).

    See Also
    --------
    DPCountEncoder : the same counts as a model feature.

    References
    ----------
    .. [1] C. Canonne, G. Kamath and T. Steinke, "The Discrete Gaussian for
       Differential Privacy", NeurIPS 2020 (exact discrete Laplace and
       Gaussian sampling).
    .. [2] A. Ghosh, T. Roughgarden and M. Sundararajan, "Universally
       utility-maximizing privacy mechanisms", STOC 2009 (the geometric
       mechanism for counts).
    .. [3] B. Balle and Y.-X. Wang, "Improving the Gaussian mechanism for
       differential privacy: analytical calibration and optimal denoising",
       ICML 2018.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon._compat import BudgetAccountant
    >>> from sklearn_anon.dp import dp_histogram
    >>> df = pd.DataFrame({"zip": ["10115"] * 60 + ["10117"] * 40})
    >>> acc = BudgetAccountant()
    >>> hist = dp_histogram(df, "zip", epsilon=1.0, accountant=acc, random_state=0,
    ...                     categories={"zip": ["10115", "10117", "10119"]})
    >>> list(hist.index), list(hist.columns)
    (['10115', '10117', '10119'], ['count', 'lower', 'upper'])
    >>> hist.attrs["half_width"]  # the 95% interval is count +- 3 at epsilon=1
    3
    >>> bool((hist["count"] - [60, 40, 0]).abs().max() <= 10)
    True
    >>> acc.total()
    (epsilon=1.0, delta=0.0)
    """
    frame, _ = check_frame(X)
    # int as well: mypy does not know that int is a (virtual) numbers.Integral
    by = [by] if isinstance(by, (str, int, Integral)) else list(by)
    if not by:
        raise ValueError("dp_histogram needs at least one `by` column.")
    by = [_resolve_label(frame, c, "by") for c in by]
    if len(set(by)) != len(by):
        raise ValueError("The same column is named twice in `by`.")
    _check_release_params(epsilon, mechanism, delta, max_contributions, confidence)
    if not isinstance(clip, (bool, np.bool_)):
        raise ValueError("clip must be True or False.")
    if categories is not None and not isinstance(categories, dict):
        raise ValueError("categories must be a dict of {column: list} or None.")
    if person is not None:
        person = _resolve_label(frame, person, "person")
        if person in by:
            raise ValueError(f"The person column {person!r} cannot also be a `by` column.")
    scale, delta_charged = _noise_parameters(mechanism, epsilon, delta, max_contributions)
    acc = BudgetAccountant.load_default(accountant)
    acc.check(epsilon, delta_charged)

    domain = _domains(frame, by, categories, "dp_histogram", stacklevel=3)
    cell = _cell_index(frame, by, domain)
    if person is not None:
        cell = cell[_bounded_rows(frame, person, max_contributions)]
    n_cells = math.prod(len(domain[c]) for c in by)
    exact = np.bincount(cell[cell >= 0], minlength=n_cells)
    noisy = _release_counts(exact, mechanism, scale, _s.make_rng(random_state))
    acc.spend(epsilon, delta_charged)
    k = _half_width(mechanism, scale, confidence)
    lower, upper = noisy - k, noisy + k
    if clip:
        noisy, lower, upper = np.maximum(noisy, 0), np.maximum(lower, 0), np.maximum(upper, 0)
    out = pd.DataFrame(
        {"count": noisy.astype(np.int64), "lower": lower.astype(np.int64), "upper": upper.astype(np.int64)},
        index=_domain_index(by, domain),
    )
    out.attrs.update({
        "epsilon": float(epsilon), "delta": delta_charged, "mechanism": mechanism,
        "max_contributions": int(max_contributions), "confidence": float(confidence),
        "scale": float(scale), "half_width": int(k), "std": _noise_std(mechanism, scale),
    })
    return out


def _noise_std(mechanism, scale):
    if mechanism == "laplace":
        a = math.exp(-1.0 / scale)
        return math.sqrt(2.0 * a) / (1.0 - a)
    return float(scale)  # (the rounding adds at most 1/12 to the variance)


def _resolve_label(frame, col, what):
    if isinstance(col, Integral) and not isinstance(col, bool) and col not in frame.columns:
        if not -frame.shape[1] <= col < frame.shape[1]:
            raise ValueError(f"{what} position {col} is out of range for input with {frame.shape[1]} columns.")
        return frame.columns[col]
    if col not in frame.columns:
        raise ValueError(f"Unknown {what} column {col!r}: not in the input.")
    return col


class DPCountEncoder(_PlainState, _DPEstimatorMixin, ColumnAnonymizer):
    """Encode each category by its differentially private count (central DP in fit).

    A count (frequency) encoder, like category_encoders' ``CountEncoder``,
    whose counts are released with DP: ``fit`` releases a noisy count of
    every declared category of each column (zero-count categories
    included; see :func:`dp_histogram`), ``transform`` maps each row's
    category to its released count (deterministic, no budget).  Use it in
    a ``Pipeline`` before a model, as :class:`DPGroupMeanEncoder`: rare
    quasi-identifier values (a ZIP code, a native country) become a
    "how common is this value" feature without revealing the exact counts.

    Budget: ``epsilon`` (and ``delta``) is the total of ``fit``, split
    equally over the columns (sequential composition: a person is counted
    in every column's histogram); within a column the categories are
    disjoint (parallel composition).  The noise of a column has scale
    ``max_contributions / epsilon_column`` (discrete Laplace) or the
    analytic Gaussian sigma for sensitivity ``max_contributions``.
    ``max_contributions`` is the number of training rows one person may
    have; it is the caller's guarantee (not checked: for bounding by a
    person column, count with :func:`dp_histogram` and its ``person``).

    Output: one float column ``"<column>_count"`` per encoded column (the
    other columns are not output: keep them with a ``ColumnTransformer``).
    A value outside the domain, or missing, gets ``fill_value``, never a
    count of its own.

    Parameters
    ----------
    columns : list of str or int, or None, default=None
        Columns to encode.  None: every column.
    epsilon : float, default=1.0
        Total privacy budget of ``fit`` (> 0).
    categories : dict of {column: list} or None, default=None
        Declared domain of each column (public knowledge).  A column not
        declared takes its distinct training values (or its categorical
        dtype's used categories: a dtype is not a declaration), with a
        :class:`PrivacyLeakWarning`.
    max_contributions : int, default=1
        Training rows one person may contribute (sensitivity of a count).
    mechanism : {"laplace", "gaussian"}, default="laplace"
        Exact discrete Laplace (pure epsilon-DP) or rounded analytic
        Gaussian ((epsilon, delta)-DP).
    delta : float in (0, 1) or None, default=None
        Total delta of ``fit``, required for ``"gaussian"`` (split over the
        columns like ``epsilon``); ignored (and not charged) by
        ``"laplace"``, so that a search may vary ``mechanism``.
    normalize : bool, default=False
        Output frequencies: each released count divided by the column's
        released total (post-processing; the counts are clipped at 0 first).
    clip : bool, default=False
        Clip the released counts at 0 (post-processing).
    fill_value : float, default=0.0
        Output for a value outside the domain or missing.
    confidence : float in (0, 1), default=0.95
        Coverage of the intervals in ``intervals_``.
    random_state : int, numpy Generator, "secure" or None, default=None
        None: a fresh OS seed (for releases); ``"secure"``: every draw from
        the OS CSPRNG; an int: reproducible fit (experiments only).
    accountant : BudgetAccountant or None, default=None
        diffprivlib accountant spent on in ``fit``; None: the default one.
        ``clone`` keeps it by reference; a fit in a worker process needs a
        :class:`SharedAccountant` (any other raises ``RuntimeError``).

    Attributes
    ----------
    counts_ : dict of {column: Series}
        Released count per category (int64, clipped if ``clip``).
    intervals_ : dict of {column: DataFrame}
        Per category, ``lower`` and ``upper`` of the interval covering the
        true count with probability at least ``confidence``.
    categories_ : dict of {column: list}
        Domain of each column.
    epsilon_per_column_ : float
        ``epsilon / len(columns_)``.
    noise_std_ : float
        Standard deviation of the noise on each count.
    columns_ : list
        The encoded columns.
    accountant_ : BudgetAccountant
        The accountant spent on.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    dp_histogram : the noisy counts over a product of columns, with intervals.
    DPGroupMeanEncoder : DP mean of a value per group.

    References
    ----------
    .. [1] C. Canonne, G. Kamath and T. Steinke, "The Discrete Gaussian for
       Differential Privacy", NeurIPS 2020.
    .. [2] B. Balle and Y.-X. Wang, "Improving the Gaussian mechanism for
       differential privacy", ICML 2018.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_anon import DPCountEncoder
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"country": rng.choice(["US", "MX", "DE"], 1000, p=[.8, .15, .05])})
    >>> y = (X["country"] == "US").to_numpy().astype(int)
    >>> enc = DPCountEncoder(epsilon=1.0, categories={"country": ["DE", "MX", "US", "FR"]},
    ...                      random_state=0)
    >>> enc.fit_transform(X).columns.tolist()
    ['country_count']
    >>> enc.counts_["country"].index.tolist()   # FR is released too (count near 0)
    ['DE', 'MX', 'US', 'FR']
    >>> model = make_pipeline(enc, LogisticRegression()).fit(X, y)
    >>> float(model.score(X, y))
    1.0
    """

    _parameter_constraints = {
        "columns": _COLUMNS,
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "categories": [dict, None],
        "max_contributions": [Interval(Integral, 1, None, closed="left")],
        "mechanism": [StrOptions(set(_MECHANISMS))],
        "delta": [Interval(Real, 0, 1, closed="neither"), None],
        "normalize": ["boolean"],
        "clip": ["boolean"],
        "fill_value": [Real],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self,
        *,
        columns: Sequence[str | int] | None = None,
        epsilon: float = 1.0,
        categories: Mapping[Any, Sequence[Any]] | None = None,
        max_contributions: int = 1,
        mechanism: Literal["laplace", "gaussian"] = "laplace",
        delta: float | None = None,
        normalize: bool = False,
        clip: bool = False,
        fill_value: float = 0.0,
        confidence: float = 0.95,
        random_state: int | np.random.Generator | Literal["secure"] | None = None,
        accountant: BudgetAccountant | None = None,
    ) -> None:
        self.columns = columns
        self.epsilon = epsilon
        self.categories = categories
        self.max_contributions = max_contributions
        self.mechanism = mechanism
        self.delta = delta
        self.normalize = normalize
        self.clip = clip
        self.fill_value = fill_value
        self.confidence = confidence
        self.random_state = random_state
        self.accountant = accountant

    def _delta_charged(self):
        return float(self.delta) if self.mechanism == "gaussian" else 0.0

    def _check_params(self, X):
        _check_release_params(self.epsilon, self.mechanism, self.delta, self.max_contributions, self.confidence,
                              strict_delta=False)
        _spend_fit(self, self.epsilon, self._delta_charged())  # before any work

    def _fit_columns(self, frame):
        """Every column's domain, then one generator and one release per column."""
        n_cols = len(self.columns_)
        eps_col = self.epsilon / n_cols
        delta_col = self.delta / n_cols if self.mechanism == "gaussian" else None
        scale, _ = _noise_parameters(self.mechanism, eps_col, delta_col, self.max_contributions)
        domain = _domains(frame, self.columns_, self.categories, type(self).__name__, stacklevel=6)
        rng = _s.make_rng(self.random_state)
        k = _half_width(self.mechanism, scale, self.confidence)
        counts, intervals = {}, {}
        for col in self.columns_:
            cell = _cell_index(frame, [col], domain)
            exact = np.bincount(cell[cell >= 0], minlength=len(domain[col]))
            noisy = _release_counts(exact, self.mechanism, scale, rng)
            lower, upper = noisy - k, noisy + k
            if self.clip:
                noisy, lower, upper = np.maximum(noisy, 0), np.maximum(lower, 0), np.maximum(upper, 0)
            index = _domain_index([col], domain)
            counts[col] = pd.Series(noisy.astype(np.int64), index=index, name=f"{col}_count")
            intervals[col] = pd.DataFrame(
                {"lower": lower.astype(np.int64), "upper": upper.astype(np.int64)}, index=index)
        self.categories_ = domain
        self.epsilon_per_column_ = eps_col
        self.noise_std_ = _noise_std(self.mechanism, scale)
        self.intervals_ = intervals
        return counts

    def _after_fit(self, frame, states):
        self.counts_ = states
        self.accountant_.spend(self.epsilon, self._delta_charged())

    def _fitted_states(self):
        return self.counts_

    def _encoding(self, col):
        values = self.counts_[col].to_numpy(dtype=np.float64)
        if self.normalize:
            values = np.maximum(values, 0.0)
            total = values.sum()
            values = values / total if total > 0 else np.zeros_like(values)
        return values

    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Map each row's category to its released count (deterministic, no budget spent).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data, with the columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_encoded_columns)
            One float column ``"<column>_count"`` per encoded column
            (``fill_value`` for values outside the domain and missing values).
        """
        check_is_fitted(self)
        frame, is_pandas = self._validate_frame(X, reset=False)
        out = {}
        for col, name in zip(self.columns_, self.get_feature_names_out()):
            cell = _cell_index(frame, [col], self.categories_)
            table = self._encoding(col)
            values = np.full(len(frame), float(self.fill_value))
            known = cell >= 0
            values[known] = table[cell[known]]
            out[name] = values
        result = pd.DataFrame(out, index=frame.index)
        return output_container(self, result, is_pandas)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """``"<column>_count"`` for every encoded column.

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
        return np.asarray([f"{c}_count" for c in self.columns_], dtype=object)

    def _privacy_spend(self):
        return [{"kind": "central", "columns": list(self.columns_), "epsilon": float(self.epsilon),
                 "delta": self._delta_charged()}]

    def _candidate_spend(self, params):
        mechanism = params.get("mechanism", self.mechanism)
        delta = float(params.get("delta", self.delta) or 0.0) if mechanism == "gaussian" else 0.0
        return [{"kind": "central", "columns": list(self.columns_),
                 "epsilon": float(params.get("epsilon", self.epsilon)), "delta": delta}]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags
