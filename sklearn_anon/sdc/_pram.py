"""PRAM: post-randomization of categorical columns with a Markov transition matrix."""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._categories import LEARNT_DOMAIN_HINT, category_codes, category_domain, codes_to_column
from .._compat import Interval, PrivacyLeakWarning, StrOptions
from .._persistence import _PlainState
from .._random import release_generator
from ..base import ColumnAnonymizer, per_column
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Mapping, Sequence
    from .._typing import ArrayLike

__all__ = ["PRAM"]

#: tolerance on the row sums of a given transition matrix
_ROW_SUM_TOL = 1e-9
#: a matrix whose condition number exceeds this is treated as singular
_MAX_CONDITION = 1e12



class PRAM(_PlainState, ColumnAnonymizer):
    r"""Post-randomization (PRAM) of categorical columns.

    Each value of a column with category set ``c_0, ..., c_{k-1}`` is
    replaced by a draw from row ``i`` of a ``k x k`` Markov transition
    matrix ``P`` when it is ``c_i``: ``P[i, j]`` is the probability that
    ``c_i`` is released as ``c_j`` (rows sum to 1).  Rows are kept in
    number and order; every output value is a category of the set.

    The matrix is either given (``matrix``) or built in ``fit`` as an
    *invariant* PRAM matrix (Kooiman, Willenborg & Gouweleeuw 1997): with
    ``pi`` the training frequencies of the categories,

    .. math:: P = p I + (1 - p) \mathbf{1} \pi^T,

    that is, keep the value with probability ``p`` and otherwise replace it
    by a draw from the fitted marginal distribution (so ``P[i, i] = p + (1
    - p) pi_i >= p``).  Then ``pi^T P = pi^T``: the released column has, in
    expectation, the same frequencies as the training data, and marginal
    tables stay unbiased without any correction.  The eigenvalues of ``P``
    are 1 and ``p``, so it is invertible for every ``p > 0``.  (sdcMicro's
    ``pram`` builds its invariant matrix differently, as ``R = P Q`` from a
    random-diagonal ``P`` and its Bayes reverse ``Q``, mixed with the
    identity by ``alpha``; both keep ``pi``.)

    Frequency estimation
        For any matrix the released frequencies ``q`` satisfy ``E[q] = P^T
        pi``, so :meth:`estimate_frequencies` returns the unbiased
        ``P^{-T} q`` (and refuses a singular ``P``).

    Relation to randomized response and differential privacy
        PRAM with the uniform matrix ``P = a I + (1 - a) J / k`` (keep with
        probability ``a``, else draw uniformly from the set) is exactly
        k-ary randomized response (:class:`~sklearn_anon.RandomizedResponse`)
        with keep probability ``a + (1 - a) / k = e^eps / (e^eps + k - 1)``.
        Any PRAM matrix is epsilon-local-DP per value with

        .. math:: \varepsilon = \max_j \log \frac{\max_i P[i, j]}{\min_i P[i, j]}

        (infinite when a column of ``P`` has both a zero and a non-zero
        entry: that output rules some true values out).  ``epsilon_``
        reports it per column; the guarantee holds for a matrix that does
        not depend on the data.  An **invariant** matrix does: it is built
        from the training frequencies, so ``P`` itself (in every pickle of
        the fitted estimator, in ``matrix_``) discloses them, and a
        :class:`PrivacyLeakWarning` is raised as for categories read from
        the data.  Its ``epsilon_`` bounds what one released value reveals
        about its true value given ``P``; it is large for rare categories
        (``log((p + (1 - p) pi_j) / ((1 - p) pi_j))``).  PRAM, like any
        per-value mechanism, does not hide who a record is: the columns
        that are not randomized still identify it.

    Values outside the category set and NaN are replaced by a uniform draw
    over the set, as in :class:`~sklearn_anon.RandomizedResponse` (their
    true value never reaches the output).  Output: the input's dtype (a
    categorical column stays categorical, over the category set).

    Parameters
    ----------
    columns : list of str or int, or None, default=None
        Columns to randomize; the others pass through unchanged.  None
        randomizes every column.
    matrix : DataFrame, array-like, dict of {column: DataFrame or array-like} or None, default=None
        The transition matrix, for every column or per column.  A
        DataFrame is indexed by the true category and has the released
        categories as columns (the same labels; its index is the category
        set, a declaration).  An array's rows and columns follow
        ``categories`` (declared, or read from the data with a
        :class:`PrivacyLeakWarning`); its size must match.  Entries must be
        finite and >= 0 and every row must sum to 1 (within ``1e-9``).
        None (or a column missing from the dict): invariant PRAM with
        retention ``p``, built from the training frequencies.
    p : float in [0, 1] or dict of {column: float}, default=0.8
        Retention probability of invariant PRAM (ignored for a column with
        a given matrix).  ``p=1`` releases the data unchanged; ``p=0``
        replaces every value by a draw from the marginal (its matrix is
        singular: no frequency estimate).
    categories : list, dict of {column: list} or None, default=None
        The category set, for every column or per column.  None (or a
        column missing from the dict) takes the index of a DataFrame
        ``matrix``, else the categories read from the data (the dtype's
        categories that occur, or the sorted distinct values), with a
        :class:`PrivacyLeakWarning`.
    random_state : int, numpy Generator, "secure" or None, default=None
        None draws a fresh 128-bit seed from the operating system for every
        ``transform`` call (use it for releases); ``"secure"`` draws every
        number from the OS CSPRNG.  An int makes runs reproducible (the
        n-th ``transform`` after ``fit`` uses the stream ``(seed, n)``), and
        lets anyone who knows it replay the randomization: for experiments
        only.  A Generator is drawn from as given and is not pickled.

    Attributes
    ----------
    categories_ : dict of {column: list}
        The category set per column.
    matrix_ : dict of {column: DataFrame}
        The transition matrix per column (index: true category, columns:
        released category).
    epsilon_ : dict of {column: float}
        Local DP epsilon of each column's matrix (``inf`` when a matrix
        column mixes zero and non-zero entries).
    invariant_ : dict of {column: bool}
        Whether the column's matrix was built from the data.
    columns_ : list
        The randomized columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    sklearn_anon.RandomizedResponse : k-ary randomized response (PRAM with
        a uniform matrix) with a declared epsilon and budget accounting.

    References
    ----------
    .. [1] Kooiman, P., Willenborg, L. and Gouweleeuw, J. (1997). PRAM: a
       method for disclosure limitation of microdata. Statistics
       Netherlands, research paper 9705.
    .. [2] Gouweleeuw, J., Kooiman, P., Willenborg, L. and de Wolf, P.-P.
       (1998). Post randomisation for statistical disclosure control:
       theory and implementation. Journal of Official Statistics 14(4),
       463-478.
    .. [3] Templ, M., Kowarik, A. and Meindl, B. (2015). Statistical
       disclosure control for micro-data using the R package sdcMicro.
       Journal of Statistical Software 67(4) (function ``pram``).
    .. [4] Kairouz, P., Oh, S. and Viswanath, P. (2016). Extremal
       mechanisms for local differential privacy. JMLR 17.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from sklearn_anon import PRAM
    >>> X = pd.DataFrame({"smoker": ["no"] * 60 + ["yes"] * 40})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the invariant matrix discloses the frequencies
    ...     pram = PRAM(p=0.8, random_state=0).fit(X)
    >>> pram.matrix_["smoker"].round(2)
           no   yes
    no   0.92  0.08
    yes  0.12  0.88
    >>> out = pram.transform(X)
    >>> len(out), sorted(set(out["smoker"]))
    (100, ['no', 'yes'])
    >>> round(pram.epsilon_["smoker"], 3)
    2.398
    >>> pram.estimate_frequencies(out)["smoker"].round(2).tolist()
    [0.6, 0.4]

    A given matrix (a DataFrame declares the categories: no warning):

    >>> P = pd.DataFrame([[0.9, 0.1], [0.2, 0.8]], index=["no", "yes"], columns=["no", "yes"])
    >>> round(PRAM(matrix=P, random_state=0).fit(X).epsilon_["smoker"], 3)
    2.079
    """

    _parameter_constraints = {
        "columns": ["array-like", str, Integral, None],
        "matrix": ["array-like", dict, None],
        "p": [Interval(Real, 0, 1, closed="both"), dict],
        "categories": ["array-like", dict, None],
        "random_state": ["random_state", np.random.Generator, StrOptions({"secure"})],
    }
    _per_column_params = ["matrix", "p", "categories"]

    def __init__(
        self,
        *,
        columns: Sequence[str | int] | None = None,
        matrix: ArrayLike | Mapping[Any, ArrayLike] | None = None,
        p: float | Mapping[Any, float] = 0.8,
        categories: Sequence[Any] | Mapping[Any, Sequence[Any]] | None = None,
        random_state: int | np.random.Generator | Literal["secure"] | None = None,
    ) -> None:
        self.columns = columns
        self.matrix = matrix
        self.p = p
        self.categories = categories
        self.random_state = random_state

    # -- fit -------------------------------------------------------------------
    def _column_matrix(self, name):
        if isinstance(self.matrix, dict):
            return self.matrix.get(name)
        return self.matrix

    def _fit_columns(self, frame):
        learnt, built = [], []
        states = {}
        for name in self.columns_:
            states[name] = self._fit_one(frame[name], name, learnt, built)
        self._report_leak(learnt, built)
        return states

    def _fit_one(self, column, name, learnt, built):
        given = self._column_matrix(name)
        declared = per_column(self.categories, name)
        if isinstance(given, pd.DataFrame) and declared is None:
            declared = list(given.index)
        cats, from_data = category_domain(column, declared, name)
        if from_data:
            if cats.size == 0:
                raise ValueError(f"Column {name!r} has no non-null value to learn categories from.")
            learnt.append(name)
        elif cats.size == 0 or cats.has_duplicates or cats.hasnans:
            raise ValueError(f"categories for column {name!r} must be non-empty, unique and without NaN.")
        k = len(cats)
        codes = category_codes(column, cats, name)
        if not from_data and (codes < 0).all() and column.notna().any():
            raise ValueError(
                f"None of the values of column {name!r} is in its declared categories "
                "(wrong column or category type?)."
            )
        if given is not None:
            P = _check_matrix(given, cats, name)
            invariant = False
        else:
            p = per_column(self.p, name)
            if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p <= 1:
                raise ValueError(f"p for column {name!r} must be a number in [0, 1].")
            counts = np.bincount(codes[codes >= 0], minlength=k).astype(np.float64)
            if counts.sum() == 0:
                raise ValueError(
                    f"Column {name!r} has no value in its categories to build an invariant matrix from."
                )
            P = invariant_matrix(counts / counts.sum(), float(p))
            invariant = True
            built.append(name)
        cum = np.cumsum(P, axis=1)
        cum[:, -1] = np.inf  # u < 1 always lands in the last category at worst
        return {"categories": cats, "matrix": P, "cumulative": cum, "invariant": invariant}

    def _report_leak(self, learnt, built):
        parts = []
        if learnt:
            parts.append(
                f"categories read from the data for {len(learnt)} column(s) "
                f"({', '.join(map(repr, learnt))}) release which categories occur; {LEARNT_DOMAIN_HINT}"
            )
        if built:
            parts.append(
                f"the invariant transition matrix of {len(built)} column(s) "
                f"({', '.join(map(repr, built))}) is built from the training frequencies, "
                "which it discloses (matrix_, pickles); give `matrix` to avoid it"
            )
        if parts:
            warnings.warn(f"PRAM: {'; '.join(parts)}.", PrivacyLeakWarning, stacklevel=4)

    def _after_fit(self, frame, states):
        self.states_ = states
        self._releases = [0]

    # -- transform -----------------------------------------------------------
    def _call_generator(self):
        return release_generator(self)

    def _transform_column(self, column, name, state, rng):
        cats = state["categories"]
        codes = category_codes(column, cats, name)
        out = pram_codes(codes, state["cumulative"], rng)
        return codes_to_column(out, cats, column, name)

    def __getstate__(self):
        state = dict(super().__getstate__())
        if isinstance(state.get("random_state"), (np.random.Generator, np.random.RandomState)):
            state["random_state"] = None  # generator state would let anyone replay the draws
        return state

    # -- estimation --------------------------------------------------------------
    def estimate_frequencies(self, X: ArrayLike) -> dict[Any, pd.Series]:
        """Unbiased frequencies of the true categories from a PRAM release.

        With ``q`` the released frequencies of a column and ``P`` its
        matrix, ``E[q] = P^T pi``, so ``pi_hat = P^{-T} q`` is unbiased.
        It sums to 1 and may fall outside [0, 1] for rare categories (clip
        and renormalize if you need a distribution, at the cost of a small
        bias).  For an invariant matrix ``q`` itself is already unbiased;
        ``pi_hat`` is too, with a larger variance.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Output of :meth:`transform` (a DataFrame may hold only the
            randomized columns).  Values outside the category set and NaN
            are not counted.

        Returns
        -------
        frequencies : dict of {column: Series}
            Per randomized column, the estimated frequency of each category
            (indexed by the category set).

        Raises
        ------
        ValueError
            When a column's matrix is singular (e.g. invariant PRAM with
            ``p=0``: the release carries no information about single
            frequencies), or a column has no value in its category set.
        """
        check_is_fitted(self)
        if (isinstance(X, pd.DataFrame) and X.columns.is_unique
                and all(c in X.columns for c in self.columns_)):
            frame = X
        else:
            frame, _ = self._validate_frame(X, reset=False)
        result = {}
        for name in self.columns_:
            state = self.states_[name]
            cats, P = state["categories"], state["matrix"]
            codes = category_codes(frame[name], cats, name)
            counts = np.bincount(codes[codes >= 0], minlength=len(cats)).astype(np.float64)
            if counts.sum() == 0:
                raise ValueError(f"Column {name!r} has no released value in its categories.")
            if np.linalg.cond(P) > _MAX_CONDITION:
                raise ValueError(
                    f"The transition matrix of column {name!r} is singular (e.g. p=0): "
                    "frequencies cannot be estimated from its release."
                )
            est = np.linalg.solve(P.T, counts / counts.sum())
            result[name] = pd.Series(est, index=pd.Index(cats), name="frequency")
        return result

    # -- fitted views ------------------------------------------------------------
    @property
    def categories_(self) -> dict[Any, list[Any]]:
        return {c: list(s["categories"]) for c, s in self.states_.items()}

    @property
    def matrix_(self) -> dict[Any, pd.DataFrame]:
        return {
            c: pd.DataFrame(s["matrix"], index=pd.Index(s["categories"]), columns=pd.Index(s["categories"]))
            for c, s in self.states_.items()
        }

    @property
    def epsilon_(self) -> dict[Any, float]:
        return {c: matrix_epsilon(s["matrix"]) for c, s in self.states_.items()}

    @property
    def invariant_(self) -> dict[Any, bool]:
        return {c: s["invariant"] for c, s in self.states_.items()}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags


# -- helpers ---------------------------------------------------------------------
def invariant_matrix(frequencies, p):
    """The invariant PRAM matrix ``p I + (1 - p) 1 pi^T`` for frequencies ``pi``.

    Keep with probability ``p``, otherwise draw from ``pi``; ``pi^T P =
    pi^T`` (``frequencies`` must sum to 1).
    """
    pi = np.asarray(frequencies, dtype=np.float64)
    k = pi.size
    P = np.tile((1.0 - p) * pi, (k, 1))
    P[np.diag_indices(k)] += p
    return P


def matrix_epsilon(P):
    """Local DP epsilon of a transition matrix: ``max_j log(max_i P[i,j] / min_i P[i,j])``.

    A column of zeros (an output that never occurs) constrains nothing; a
    column mixing zero and non-zero entries gives ``inf``.  A 1x1 matrix
    gives 0.
    """
    P = np.asarray(P, dtype=np.float64)
    hi, lo = P.max(axis=0), P.min(axis=0)
    used = hi > 0
    if np.any(lo[used] <= 0):
        return math.inf
    if not used.any():
        return 0.0
    return float(np.max(np.log(hi[used]) - np.log(lo[used])))


def _check_matrix(given, cats, name):
    """A given matrix as a float ndarray over ``cats`` (rows: true, columns: released)."""
    k = len(cats)
    if isinstance(given, pd.DataFrame):
        index, columns = pd.Index(given.index), pd.Index(given.columns)
        if (
            len(index) != k or len(columns) != k
            or not index.is_unique or not columns.is_unique
            or set(index) != set(cats) or set(columns) != set(cats)
        ):
            raise ValueError(
                f"matrix for column {name!r}: its index and columns must both be the "
                f"column's category set ({k} categories)."
            )
        given = given.loc[list(cats), list(cats)]
    try:
        P = np.array(given, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"matrix for column {name!r} must be numeric.") from None
    if P.shape != (k, k):
        raise ValueError(
            f"matrix for column {name!r} must be square over its {k} categories, got shape {P.shape}."
        )
    if not np.isfinite(P).all() or (P < 0).any():
        raise ValueError(f"matrix for column {name!r} must hold finite probabilities >= 0.")
    sums = P.sum(axis=1)
    if np.any(np.abs(sums - 1.0) > _ROW_SUM_TOL):
        raise ValueError(f"matrix for column {name!r}: every row must sum to 1.")
    return P / sums[:, None]


def pram_codes(codes, cumulative, rng):
    """Draw a released code for every true code from its row of the transition matrix.

    ``cumulative`` holds the row-wise cumulative sums (last column ``inf``).
    Values are grouped by true code (a stable argsort, a radix sort on
    16-bit codes when ``k < 32767``); each group takes its own slice of one
    array of uniforms (i.i.d., so which uniform goes to which value does not
    matter) and looks it up in its row with ``np.searchsorted``.  Codes
    outside ``0..k-1`` (unknown values, NaN) get a uniform draw over the
    ``k`` codes.
    """
    codes = np.asarray(codes)
    k = cumulative.shape[0]
    n = codes.shape[0]
    out = np.empty(n, dtype=np.int64)
    if n == 0:
        return out
    known = (codes >= 0) & (codes < k)
    keyed = np.where(known, codes, k).astype(np.int16 if k < 2**15 - 1 else np.int64)  # unknown last
    order = np.argsort(keyed, kind="stable")
    bounds = np.searchsorted(keyed[order], np.arange(k + 1), side="left")
    u = rng.random(int(bounds[k]))
    drawn = np.empty(n, dtype=np.int64)
    for i in range(k):
        lo, hi = bounds[i], bounds[i + 1]
        if hi > lo:
            drawn[lo:hi] = np.searchsorted(cumulative[i], u[lo:hi], side="right")
    if bounds[k] < n:
        drawn[bounds[k]:] = rng.integers(0, k, n - int(bounds[k]))
    out[order] = drawn
    return out
