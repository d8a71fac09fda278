"""k-ary randomized response on categorical columns, and its frequency estimator."""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
import pandas as pd

from .._categories import LEARNT_DOMAIN_HINT, category_codes, category_domain, codes_to_column
from .._compat import PrivacyLeakWarning
from .._docstring import fill_doc
from .._persistence import _PlainState
from ..base import per_column
from . import _sampling as _s
from ._base import _ACCOUNTANT, _COLUMNS, _COMMON_DOC, _EPSILON, _RANDOM_STATE, _LocalMechanism
from ._utils import _column_epsilon
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diffprivlib.accountant import BudgetAccountant
    from typing import Any, Mapping, Sequence
    from .._typing import ArrayLike


@fill_doc(params=_COMMON_DOC.strip("\n").lstrip() + "\n")
class RandomizedResponse(_PlainState, _LocalMechanism):
    """Apply k-ary randomized response to categorical columns (local epsilon-DP per value).

    Over a category set of size ``k``, each value is kept with probability
    ``e^eps / (e^eps + k - 1)`` and otherwise replaced by one of the other
    ``k - 1`` categories uniformly (Warner 1965; Kairouz et al. 2016).
    The ratio of the probabilities of any output under two different true
    values is at most ``e^eps``.

    The category set should be declared (``categories``): learning it from
    the data releases which categories occur (a rare category can identify
    someone), so a :class:`PrivacyLeakWarning` is raised.  A value outside
    the set, and NaN, is replaced by a uniform draw over the set (its true
    value never reaches the output).  Output: the input's dtype (a
    categorical column stays categorical, over the category set).  Use :func:`estimate_frequencies` to turn released counts
    into unbiased frequency estimates.

    Parameters
    ----------
    epsilon : float or dict of {column: float}, default=1.0
        Privacy budget per value (> 0).
    categories : list, dict of {column: list} or None, default=None
        The category set, for every column or per column: only this
        parameter declares a domain.  None (or a column missing from the
        dict) takes a categorical column's dtype categories, else the
        sorted distinct non-null training values, with a
        :class:`PrivacyLeakWarning` in both cases (``astype("category")``
        builds its categories from the data).
    {params}
    Attributes
    ----------
    categories_ : dict of {column: list}
        The category set per column.
    keep_probability_ : dict of {column: float}
        Probability that a value is released unchanged.
    mechanisms_ : dict of {column: dict}
        Per-column state.
    accountant_ : BudgetAccountant
        The accountant spent on.
    columns_ : list
        The randomized columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    estimate_frequencies : Unbiased category frequencies from the released counts.
    PRAM : Post-randomization with any transition matrix.
    LaplaceNoise : Local DP for numeric columns.

    References
    ----------
    .. [1] Warner, S. L. (1965). "Randomized response: a survey technique for
       eliminating evasive answer bias". Journal of the American Statistical
       Association 60(309), 63-69.
    .. [2] Kairouz, P., Oh, S. and Viswanath, P. (2016). "Extremal mechanisms for
       local differential privacy". Journal of Machine Learning Research 17(17),
       1-51.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import RandomizedResponse
    >>> X = pd.DataFrame({"smoker": ["yes", "no", "no", "yes"]})
    >>> rr = RandomizedResponse(epsilon=2.0, categories=["no", "yes"], random_state=0)
    >>> out = rr.fit_transform(X)
    >>> sorted(set(out["smoker"])) <= ["no", "yes"]
    True
    >>> round(rr.keep_probability_["smoker"], 3)
    0.881
    """

    _parameter_constraints = {
        "epsilon": _EPSILON,
        "categories": ["array-like", dict, None],
        "columns": _COLUMNS,
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self,
        *,
        epsilon: float | Mapping[Any, float] = 1.0,
        categories: Sequence[Any] | Mapping[Any, Sequence[Any]] | None = None,
        columns: Sequence[str | int] | None = None,
        random_state: int | np.random.Generator | None = None,
        accountant: BudgetAccountant | None = None,
    ) -> None:
        self.epsilon = epsilon
        self.categories = categories
        self.columns = columns
        self.random_state = random_state
        self.accountant = accountant

    def _fit_column(self, column, name, leaked):
        eps = _column_epsilon(self.epsilon, name)
        cats, learnt = category_domain(column, per_column(self.categories, name), name)
        if not learnt:
            if cats.size == 0 or cats.has_duplicates or cats.hasnans:
                raise ValueError(
                    f"categories for column {name!r} must be non-empty, unique and without NaN."
                )
            present = column.dropna()
            if len(present) and (category_codes(present, cats, name) < 0).all():
                raise ValueError(
                    f"None of the values of column {name!r} is in its declared categories "
                    "(wrong column or category type?)."
                )
        else:
            if cats.size == 0:
                raise ValueError(f"Column {name!r} has no non-null value to learn categories from.")
            leaked.append(name)
        k = len(cats)
        return {
            "epsilon": eps,
            "categories": cats,
            "keep_probability": _s.randomized_response_keep_probability(eps, k),
        }

    def _report_leak(self, leaked):
        if leaked:
            warnings.warn(
                f"RandomizedResponse: categories learnt from the data for {len(leaked)} "
                f"column(s) ({', '.join(map(repr, leaked))}); this releases which "
                f"categories occur; {LEARNT_DOMAIN_HINT}.",
                PrivacyLeakWarning,
                stacklevel=4,
            )

    def _transform_column(self, column, name, state, rng):
        cats = state["categories"]
        codes = category_codes(column, cats, name)
        out = _s.randomized_response_codes(codes, len(cats), state["epsilon"], rng)
        return codes_to_column(out, cats, column, name)

    @property
    def categories_(self) -> dict[Any, list[Any]]:
        return {c: list(s["categories"]) for c, s in self.mechanisms_.items()}

    @property
    def keep_probability_(self) -> dict[Any, float]:
        return {c: s["keep_probability"] for c, s in self.mechanisms_.items()}


def estimate_frequencies(counts: ArrayLike, epsilon: float) -> np.ndarray | pd.Series:
    """Unbiased category frequencies from counts released by k-ary randomized response.

    With keep probability ``p = e^eps / (e^eps + k - 1)`` and ``r = (1 - p)
    / (k - 1)``, a released frequency ``q_j`` has expectation ``p pi_j + r
    (1 - pi_j)``; the estimate is ``(q_j - r) / (p - r)`` (it sums to 1 and
    may fall outside [0, 1] for rare categories: clip and renormalize if
    you need a distribution, at the cost of a small bias).

    Parameters
    ----------
    counts : array-like or Series of shape (k,)
        Released count of every category of the set (zeros included), e.g.
        ``released["col"].value_counts().reindex(categories, fill_value=0)``
        on the output of :class:`RandomizedResponse`.
    epsilon : float
        The epsilon the values were released with.

    Returns
    -------
    frequencies : ndarray or Series of shape (k,)
        Estimated true frequencies (a Series with the same index when
        ``counts`` is one).

    Examples
    --------
    >>> from sklearn_anon import estimate_frequencies
    >>> estimate_frequencies([60, 40], epsilon=1.0).round(3)
    array([0.716, 0.284])
    """
    if not (isinstance(epsilon, Real) and epsilon > 0):
        raise ValueError("epsilon must be a number > 0.")
    index = counts.index if isinstance(counts, pd.Series) else None
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or c.size < 2:
        raise ValueError("counts must hold one count per category (at least 2 categories).")
    if np.any(c < 0) or not np.isfinite(c).all():
        raise ValueError("counts must be finite and >= 0.")
    total = c.sum()
    if total <= 0:
        raise ValueError("counts sum to 0: nothing to estimate.")
    k = c.size
    p = _s.randomized_response_keep_probability(float(epsilon), k)
    r = (1 - p) / (k - 1)
    est = (c / total - r) / (p - r)
    return pd.Series(est, index=index, name="frequency") if index is not None else est
