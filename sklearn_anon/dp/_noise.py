"""Laplace and Gaussian noise on numeric columns (local mechanisms).

:class:`LaplaceNoise` and :class:`GaussianNoise` share
:class:`_NumericMechanism`: values clipped to ``bounds``, missing values
refused, imputed or passed through, noise drawn on a power-of-two grid
(:mod:`sklearn_anon.dp._sampling`).
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
import pandas as pd

from .._compat import Interval, PrivacyLeakWarning, StrOptions
from .._docstring import fill_doc
from . import _sampling as _s
from ._base import _ACCOUNTANT, _BOUNDS, _COLUMNS, _COMMON_DOC, _EPSILON, _RANDOM_STATE, _LocalMechanism
from ._utils import _column_epsilon, _numeric_values, _resolve_bounds
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diffprivlib.accountant import BudgetAccountant
    from typing import Any, Literal, Mapping, Sequence


class _NumericMechanism(_LocalMechanism):
    """A local mechanism on numeric columns clipped to ``bounds``: subclasses
    draw the noise (``_noise(values, state, rng)``) on the clipped float values.

    Missing values follow ``missing``: ``"error"`` refuses them, ``"impute"``
    replaces each by a uniform draw within the bounds before the noise (the
    output is noisy everywhere: missingness is hidden), ``"passthrough"``
    keeps NaN (missingness released exactly, outside the guarantee).
    """

    def _check_params(self, X):
        super()._check_params(X)
        if self.missing == "passthrough":
            warnings.warn(
                f"{type(self).__name__}: missing='passthrough' releases which values are "
                "missing exactly (NaN stays NaN, outside the epsilon guarantee); use "
                "missing='impute' to hide it.",
                PrivacyLeakWarning,
                stacklevel=5,
            )

    def _column_budget(self, column, name, leaked):
        """``(epsilon, lower, upper)`` of one column in ``fit`` (bounds from the data are
        recorded in ``leaked``)."""
        values = _numeric_values(column, name, type(self).__name__)
        eps = _column_epsilon(self.epsilon, name)
        lo, hi = _resolve_bounds(self.bounds, values, name, leaked)
        return eps, lo, hi

    def _transform_column(self, column, name, state, rng):
        values = _numeric_values(column, name, type(self).__name__)
        missing = np.isnan(values)
        n_missing = int(missing.sum())
        if n_missing:
            if self.missing == "error":
                raise ValueError(
                    f"{type(self).__name__}: column {name!r} has {n_missing} missing value(s) "
                    "(NaN); releasing them as NaN would reveal which values are missing. "
                    "Choose missing='impute' (a uniform value within the bounds, then noise) "
                    "or impute them first."
                )
            if self.missing == "impute":
                lo, hi = state["bounds"]
                values = values.copy()
                values[missing] = rng.uniform(lo, hi, n_missing)
        return pd.Series(self._noise(values, state, rng), index=column.index, name=name)

    @property
    def bounds_(self) -> dict[Any, tuple[float, float]]:
        return {c: s["bounds"] for c, s in self.mechanisms_.items()}


_BOUNDS_DOC = """
    bounds : tuple (lower, upper), dict of {column: tuple} or None, default=None
        Clipping bounds, for every column or per column; ``lower < upper``.
        None (or a column missing from the dict) takes the column's training
        minimum and maximum, stored in ``bounds_``, with a
        :class:`PrivacyLeakWarning`.  Values outside the bounds (including
        infinities) are clipped before noise.
    missing : {"error", "impute", "passthrough"}, default="error"
        What ``transform`` does with a missing value (NaN, None, pd.NA).
        ``"error"`` raises a ValueError naming the column and the number of
        missing values (never a value).  ``"impute"`` replaces each missing
        value by a uniform draw within the bounds *before* the noise, so
        every output cell is noisy and which values were missing is hidden
        (the guarantee covers "missing" as one more possible input).
        ``"passthrough"`` keeps NaN: **not private** for missingness, which
        is released exactly (a :class:`PrivacyLeakWarning` at fit); the
        present values get their epsilon as usual.  The accountant is
        charged the same epsilon in every case."""

_LOCAL_PARAMS_DOC = (_BOUNDS_DOC + _COMMON_DOC).strip("\n").lstrip()


@fill_doc(params=_LOCAL_PARAMS_DOC + "\n")
class LaplaceNoise(_NumericMechanism):
    """Clip numeric columns to bounds and add Laplace noise (local epsilon-DP per value).

    Each released value is epsilon-DP for its record: the sensitivity of one
    value clipped to ``[lower, upper]`` is the bound width.  The noise is
    sampled on a power-of-two grid, which makes it immune to the
    floating-point attack on the textbook Laplace sampler (Mironov 2012):

    1. clip ``x`` to ``[lower, upper]`` (width ``w``);
    2. round it to the grid ``Lambda * Z``, ``Lambda = 2**(floor(log2(min(w,
       w / epsilon))) - 20)`` (about a millionth of the scale and the width);
    3. add ``Lambda * K`` with ``K`` discrete Laplace (two-sided geometric,
       ``P(K=k) ∝ exp(-|k| Lambda epsilon / (w + Lambda))``), sampled
       sampled vectorized as a geometric variable with a random sign;
    4. the rounding is counted in the sensitivity (``w + Lambda``), so the
       scale is ``(w + Lambda) / epsilon``, stored in ``scale_``.

    The release takes only grid values whatever the input's low-order bits,
    and is distributed as a continuous Laplace of scale ``scale_`` to within
    the grid resolution (tested against diffprivlib's ``Laplace``).

    Missing values are refused by default (``missing``); ``"impute"``
    hides them.  The output is float64.

    Parameters
    ----------
    epsilon : float or dict of {column: float}, default=1.0
        Privacy budget per value (> 0), for every column or per column.
        A record's cost is the sum over its noised columns.
    {params}
    Attributes
    ----------
    bounds_ : dict of {column: (float, float)}
        Clipping bounds used per column.
    scale_ : dict of {column: float}
        Laplace scale per column, ``(w + Lambda) / epsilon``.
    mechanisms_ : dict of {column: dict}
        Per-column state (epsilon, bounds, scale, grid step).
    accountant_ : BudgetAccountant
        The accountant spent on.
    columns_ : list
        The noised columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    GaussianNoise : (epsilon, delta)-DP with Gaussian noise.
    diffprivlib.mechanisms.Laplace : the same distribution, one scalar per call.

    References
    ----------
    .. [1] Dwork, C., McSherry, F., Nissim, K. and Smith, A. (2006). "Calibrating
       noise to sensitivity in private data analysis". Theory of Cryptography
       Conference (TCC), LNCS 3876, 265-284.
    .. [2] Mironov, I. (2012). "On significance of the least significant bits for
       differential privacy". ACM Conference on Computer and Communications
       Security (CCS), 650-661.
    .. [3] Canonne, C., Kamath, G. and Steinke, T. (2020). "The discrete Gaussian
       for differential privacy". Advances in Neural Information Processing
       Systems (NeurIPS) 33.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import LaplaceNoise
    >>> X = pd.DataFrame({"age": [23, 45, 67, 150]})
    >>> noise = LaplaceNoise(epsilon=1.0, bounds=(0, 100), random_state=0)
    >>> out = noise.fit_transform(X)
    >>> out.dtypes["age"], len(out)
    (dtype('float64'), 4)
    >>> round(noise.scale_["age"], 3)
    100.0
    """

    _parameter_constraints = {
        "epsilon": _EPSILON,
        "bounds": _BOUNDS,
        "missing": [StrOptions({"error", "impute", "passthrough"})],
        "columns": _COLUMNS,
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self,
        *,
        epsilon: float | Mapping[Any, float] = 1.0,
        bounds: tuple[float, float] | Mapping[Any, tuple[float, float]] | None = None,
        missing: Literal["error", "impute", "passthrough"] = "error",
        columns: Sequence[str | int] | None = None,
        random_state: int | np.random.Generator | None = None,
        accountant: BudgetAccountant | None = None,
    ) -> None:
        self.epsilon = epsilon
        self.bounds = bounds
        self.missing = missing
        self.columns = columns
        self.random_state = random_state
        self.accountant = accountant

    def _fit_column(self, column, name, leaked):
        eps, lo, hi = self._column_budget(column, name, leaked)
        step = _s.grid_step((hi - lo) / eps, max(abs(lo), abs(hi)), hi - lo)
        return {"epsilon": eps, "bounds": (lo, hi), "scale": (hi - lo + step) / eps, "step": step}

    def _noise(self, values, state, rng):
        out, _, _ = _s.laplace_on_grid(values, *state["bounds"], state["epsilon"], rng)
        return out

    @property
    def scale_(self) -> dict[Any, float]:
        return {c: s["scale"] for c, s in self.mechanisms_.items()}


@fill_doc(params=_LOCAL_PARAMS_DOC + "\n")
class GaussianNoise(_NumericMechanism):
    """Clip numeric columns to bounds and add analytic Gaussian noise ((epsilon, delta)-DP per value).

    The standard deviation is the analytic Gaussian calibration (Balle &
    Wang 2018), the same value diffprivlib's ``GaussianAnalytic`` computes,
    for sensitivity ``w + Lambda`` (bound width plus grid step).  The clipped
    value is rounded to a power-of-two grid ``Lambda * Z`` (``Lambda`` about
    ``sigma * 2**-20``) and the noise ``Lambda * rint(sigma Z / Lambda)`` is
    added, ``Z`` standard normal.  Since the rounded value lies on the grid,
    the release equals the ideal continuous Gaussian mechanism's output
    rounded to the grid: rounding is post-processing, so the ideal
    mechanism's guarantee carries over, and the input's low-order bits
    never reach the output (no floating-point attack).  What is not
    proven: numpy's floating-point normal sampler gives each grid cell its
    ideal mass only to float resolution (a discrete Gaussian sampler would
    close that gap, much more slowly).

    Missing values are refused by default (``missing``); ``"impute"``
    hides them.  The output is float64.

    Parameters
    ----------
    epsilon : float or dict of {column: float}, default=1.0
        Privacy parameter epsilon per value (> 0).
    delta : float in (0, 1), default=1e-5
        Privacy parameter delta per value.
    {params}
    Attributes
    ----------
    bounds_ : dict of {column: (float, float)}
        Clipping bounds used per column.
    sigma_ : dict of {column: float}
        Noise standard deviation per column.
    mechanisms_ : dict of {column: dict}
        Per-column state.
    accountant_ : BudgetAccountant
        The accountant spent on.
    columns_ : list
        The noised columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    LaplaceNoise : Pure epsilon-DP noise on numeric columns.
    RandomizedResponse : Local DP for categorical columns.
    privacy_budget : The (epsilon, delta) a fitted pipeline spends per record.

    References
    ----------
    .. [1] Balle, B. and Wang, Y.-X. (2018). "Improving the Gaussian mechanism
       for differential privacy: analytical calibration and optimal denoising".
       International Conference on Machine Learning (ICML), 394-403.
    .. [2] Dwork, C. and Roth, A. (2014). "The Algorithmic Foundations of
       Differential Privacy". Foundations and Trends in Theoretical Computer
       Science 9(3-4), 211-407.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_anon import GaussianNoise
    >>> X = np.array([[1.0], [2.0], [3.0]])
    >>> g = GaussianNoise(epsilon=1.0, delta=1e-5, bounds=(0, 4), random_state=0).fit(X)
    >>> round(g.sigma_["x0"], 2)
    14.93
    >>> g.transform(X).shape
    (3, 1)
    """

    _parameter_constraints = {
        "epsilon": _EPSILON,
        "delta": [Interval(Real, 0, 1, closed="neither")],
        "bounds": _BOUNDS,
        "missing": [StrOptions({"error", "impute", "passthrough"})],
        "columns": _COLUMNS,
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self,
        *,
        epsilon: float | Mapping[Any, float] = 1.0,
        delta: float = 1e-5,
        bounds: tuple[float, float] | Mapping[Any, tuple[float, float]] | None = None,
        missing: Literal["error", "impute", "passthrough"] = "error",
        columns: Sequence[str | int] | None = None,
        random_state: int | np.random.Generator | None = None,
        accountant: BudgetAccountant | None = None,
    ) -> None:
        self.epsilon = epsilon
        self.delta = delta
        self.bounds = bounds
        self.missing = missing
        self.columns = columns
        self.random_state = random_state
        self.accountant = accountant

    def _fit_column(self, column, name, leaked):
        eps, lo, hi = self._column_budget(column, name, leaked)
        sigma0 = _s.analytic_gaussian_sigma(eps, self.delta, hi - lo)
        step = _s.grid_step(sigma0, max(abs(lo), abs(hi)), hi - lo)
        sigma = _s.analytic_gaussian_sigma(eps, self.delta, hi - lo + step)
        return {"epsilon": eps, "delta": float(self.delta), "bounds": (lo, hi), "sigma": sigma, "step": step}

    def _noise(self, values, state, rng):
        out, _, _ = _s.gaussian_on_grid(values, *state["bounds"], state["epsilon"], state["delta"], rng)
        return out

    @property
    def sigma_(self) -> dict[Any, float]:
        return {c: s["sigma"] for c, s in self.mechanisms_.items()}
