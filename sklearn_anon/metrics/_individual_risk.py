"""Individual re-identification risk with sampling weights (Benedetti-Franconi).

The risk model of sdcMicro's ``measure_risk`` / ``indivRisk`` and of
mu-Argus: a released table is a *sample* of a population; each record
carries a sampling weight (the inverse of its inclusion probability).  For
the key (the quasi-identifier combination) of a record,

* ``f_k`` is the number of sample records with that key,
* ``F_k`` the estimated number of population records with it, the sum of
  their weights,

and, given ``f_k``, the population frequency is modelled as
``F_k - f_k ~ NegativeBinomial(f_k, p_k)`` with ``p_k = f_k / F_k``
(Benedetti and Franconi 1998).  The risk of a record is the posterior
expectation ``r_k = E[1 / F_k | f_k]``: the probability that an intruder
who matches the record's key against the population picks the right
person.  The *global risk* is the expected number of re-identifications,
``sum r_k`` over the records, and its share of the records.

* :func:`individual_risk` -- ``r_k``, ``f_k`` and ``F_k`` per record.
* :func:`global_risk` -- the expected number of re-identifications, its
  share, and sdcMicro's risk threshold for a target global risk.

Vectorized: one pass over the equivalence classes of :mod:`._tables`, the
formulas applied per class with numpy (no loop over records).
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from ._tables import check_table, class_codes
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Sequence
    from .._typing import ArrayLike

__all__ = ["global_risk", "individual_risk"]

_METHODS = ("approx", "exact")


def _is_label(frame, key):
    try:
        return key in frame.columns
    except TypeError:  # an unhashable key
        return False


def _check_weights(frame, qis, weights):
    """The weights as a float array (or None), checked: finite and >= 1."""
    if weights is None:
        return None
    if isinstance(weights, str) or ((isinstance(weights, tuple) or np.ndim(weights) == 0)
                                    and _is_label(frame, weights)):
        # a column label: a str, or an int / tuple label of the table (read_csv(header=None))
        if not _is_label(frame, weights):
            raise ValueError(f"Weight column {weights!r} not in the table.")
        if weights in qis:
            raise ValueError(f"Column {weights!r} is both the weight and a quasi-identifier.")
        values = frame[weights]
    elif np.ndim(weights) == 0:
        raise ValueError("weights must be a column of the table or one number per row.")
    else:
        values = weights
    if isinstance(values, pd.Series) and (not pd.api.types.is_numeric_dtype(values.dtype)
                                          or pd.api.types.is_bool_dtype(values.dtype)):
        raise ValueError("weights must be numbers (sampling weights).")
    if np.asarray(values).dtype.kind == "b":
        raise ValueError("weights must be numbers (sampling weights).")
    try:
        w = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError("weights must be numbers (sampling weights).") from None
    if w.shape[0] != len(frame):
        raise ValueError(f"weights has {w.shape[0]} values for a table of {len(frame)} rows.")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"weights: {int((~np.isfinite(w)).sum())} value(s) missing or infinite.")
    if np.any(w < 1):
        raise ValueError(
            f"weights: {int((w < 1).sum())} value(s) below 1; a sampling weight is the inverse "
            "of an inclusion probability (>= 1)."
        )
    return w


def _gauss_legendre_graded(levels=40, order=20):
    """Nodes and weights on [0, 1], geometrically graded towards 0.

    Composite Gauss-Legendre on ``[0, 2**-levels], ..., [1/4, 1/2], [1/2, 1]``:
    exact to rounding for the endpoint singularity ``s ** (1 / f)`` of the
    risk integral.
    """
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.concatenate([[0.0], 2.0 ** -np.arange(levels, -1, -1)])
    lo, hi = edges[:-1, None], edges[1:, None]
    nodes = (lo + (hi - lo) * (x + 1) / 2).ravel()
    weights = ((hi - lo) * w / 2).ravel()
    return nodes, weights


_NODES, _WEIGHTS = _gauss_legendre_graded()


def _exact_risk(f, p):
    """``E[1/F | f]`` for ``F - f ~ NegBin(f, p)``, by quadrature (f >= 1, 0 < p < 1).

    ``sum_h 1/h C(h-1, f-1) p^f (1-p)^(h-f)`` equals
    ``(p / f) * integral_0^1 ds / (p + (1 - p) s^(1/f))`` (write ``1/h`` as
    ``integral t^(h-1) dt``, sum the series, substitute twice); the
    integrand lies in ``[1, 1/p]``, so the quadrature is stable for any
    ``f`` where the alternating series sdcMicro evaluates is not.
    """
    out = np.empty(len(f))
    for start in range(0, len(f), 2048):  # bounded memory: classes x nodes
        fs = f[start:start + 2048, None].astype(float)
        ps = p[start:start + 2048, None]
        integrand = 1.0 / (ps + (1.0 - ps) * _NODES[None, :] ** (1.0 / fs))
        out[start:start + 2048] = (ps[:, 0] / fs[:, 0]) * (integrand @ _WEIGHTS)
    return out


def _class_risk(fk, Fk, method):
    """Risk per class from its sample and estimated population frequencies."""
    fk = fk.astype(float)
    pk = fk / Fk
    rk = np.zeros(len(fk))
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = pk / (1.0 - pk)
        log_inv = np.log(1.0 / pk)
        one = fk == 1
        two = fk == 2
        rk[one] = odds[one] * log_inv[one]
        rk[two] = odds[two] - odds[two] ** 2 * log_inv[two]
        more = fk > 2
        if method == "approx":
            rk[more] = pk[more] / (fk[more] - (1.0 - pk[more]))
    census = fk == Fk  # p_k = 1: the whole population is in the sample
    if method == "exact":
        todo = (fk > 2) & ~census
        rk[todo] = _exact_risk(fk[todo], pk[todo])
    rk[census] = 1.0 / fk[census]
    return rk


def _individual(X, quasi_identifiers, weights, method):
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    frame, qis, _ = check_table(X, quasi_identifiers)
    w = _check_weights(frame, qis, weights)
    codes, sizes = class_codes(frame, qis)
    fk = sizes.astype(np.int64)
    if w is None:
        Fk = fk.astype(float)
        rk = 1.0 / Fk
    else:
        Fk = np.bincount(codes, weights=w, minlength=len(sizes))
        rk = _class_risk(fk, Fk, method)
    return frame, codes, rk, fk, Fk


def individual_risk(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    weights: str | ArrayLike | None = None,
    *,
    method: Literal["approx", "exact"] = "approx",
) -> pd.DataFrame:
    """Individual re-identification risk of each record (Benedetti-Franconi).

    For the key of a record (its quasi-identifier values), ``fk`` is the
    number of sample records with that key and ``Fk`` the sum of their
    sampling weights, the estimated number of population records with it.
    Given ``fk``, ``Fk - fk`` is modelled as negative binomial with
    success probability ``pk = fk / Fk``, and the risk is
    ``E[1 / F | fk]``, which sdcMicro (``indivRisk``, ``method="approx"``)
    evaluates as

    * ``fk == 1``: ``pk / (1 - pk) * log(1 / pk)``,
    * ``fk == 2``: ``pk / (1 - pk) - (pk / (1 - pk))**2 * log(1 / pk)``,
    * ``fk > 2``: ``pk / (fk - (1 - pk))`` (an approximation),
    * ``fk == Fk`` (the key's whole population is sampled): ``1 / fk``.

    ``method="exact"`` replaces the approximation for ``fk > 2`` by the
    exact expectation (computed by quadrature of an integral form, stable
    for any ``fk``; sdcMicro's ``method="exact"`` evaluates the same
    quantity by an alternating series).  Without weights the table is the
    population and the risk is ``1 / fk`` (sdcMicro's ``survey = FALSE``;
    :func:`record_risk`).

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released sample.
    quasi_identifiers : str or list of str
        The key variables.
    weights : str, array-like of shape (n_samples,) or None, default=None
        Sampling weights (inverse inclusion probabilities, each >= 1): the
        name of a column of ``X`` (or its label: an int or tuple label of a
        table without string names) or the values.  None: no sampling (the
        table is the population).
    method : {"approx", "exact"}, default="approx"
        How the risk of keys with ``fk > 2`` is computed (see above).

    Returns
    -------
    risk : DataFrame, indexed like ``X``
        ``risk`` (in (0, 1]), ``fk`` (int) and ``Fk`` (float), the columns
        of sdcMicro's ``measure_risk(...)$Res``.

    Notes
    -----
    NaN is a value of its own, as in every measure of the package
    (sdcMicro's ``freqCalc`` instead lets a missing value match any value,
    which raises ``fk`` of the keys it matches).

    References
    ----------
    .. [1] Benedetti, R. and Franconi, L. (1998). Statistical and
       technological solutions for controlled data dissemination.
       Pre-proceedings of New Techniques and Technologies for Statistics.
    .. [2] Franconi, L. and Polettini, S. (2004). Individual risk estimation
       in mu-Argus: a review. Privacy in Statistical Databases, LNCS 3050,
       262-272.
    .. [3] sdcMicro, ``R/indivRisk.R`` (``indivRisk``: the ``approx`` branch,
       lines 107-119, and the ``fk == Fk`` override, lines 121-124) and
       ``R/freqCalc.r`` (line 117: ``fk = .N``, ``Fk = sum(weight)`` per key),
       https://github.com/sdcTools/sdcMicro (commit cf32510).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import individual_risk
    >>> X = pd.DataFrame({"sex": ["F", "F", "M", "M", "M"],
    ...                   "w": [10.0, 30.0, 50.0, 1.0, 1.0]})
    >>> individual_risk(X, "sex", "w").round(4)
         risk  fk    Fk
    0  0.0443   2  40.0
    1  0.0443   2  40.0
    2  0.0280   3  52.0
    3  0.0280   3  52.0
    4  0.0280   3  52.0
    >>> individual_risk(X, "sex")["risk"].tolist()  # no weights: 1 / fk
    [0.5, 0.5, 0.333..., 0.333..., 0.333...]
    """
    frame, codes, rk, fk, Fk = _individual(X, quasi_identifiers, weights, method)
    return pd.DataFrame({"risk": rk[codes], "fk": fk[codes], "Fk": Fk[codes]}, index=frame.index)


def _risk_threshold(risk, max_global_risk):
    """sdcMicro's ``measure_threshold``: the individual-risk threshold for a global risk.

    Records sorted by decreasing risk; the threshold is the first risk
    value ``r`` (where the value changes) such that protecting every record
    above it down to ``r`` brings the expected re-identifications below
    ``max_global_risk * n``: ``sum(risk[j:]) + r * j < max_global_risk * n``.
    Returns None where sdcMicro returns NA (the file is already safe).
    """
    r = np.sort(risk)[::-1]
    n = len(r)
    target = max_global_risk * n
    total = r.sum()
    # "below the target" as in exact arithmetic: a sum equal to the target up
    # to the rounding of n additions is not below it (the cumulative sums here
    # and sdcMicro's running subtraction round differently at such ties)
    below = target - 16 * np.finfo(float).eps * max(n, 1) * max(target, 1.0)
    if total < below:
        return None  # sdcMicro: threshold == unsafe threshold -> NA
    before = np.concatenate([[0.0], np.cumsum(r)[:-1]])  # sum of the j higher risks
    j = np.arange(n)
    change = np.flatnonzero(np.concatenate([[False], r[1:] != r[:-1]]))
    ok = change[(total - before[change]) + r[change] * j[change] < below]
    if len(ok) == 0:
        return 0.0  # no value is low enough: every record is above the threshold
    return float(r[ok[0]])


def global_risk(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    weights: str | ArrayLike | None = None,
    *,
    method: Literal["approx", "exact"] = "approx",
    max_global_risk: float = 0.01,
) -> dict[Any, Any]:
    """Global re-identification risk: the expected number of re-identifications.

    The sum of the individual risks of :func:`individual_risk` over the
    records (sdcMicro's ``global_risk_ER``), its share of the records
    (``global_risk``), and the individual-risk threshold above which
    records must be protected so that the expected share falls below
    ``max_global_risk`` (sdcMicro's ``global_threshold``, the method of the
    mu-Argus 4.1 manual, section 2.3.4.1).

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released sample.
    quasi_identifiers : str or list of str
        The key variables.
    weights : str, array-like of shape (n_samples,) or None, default=None
        Sampling weights (see :func:`individual_risk`).
    method : {"approx", "exact"}, default="approx"
        See :func:`individual_risk`.
    max_global_risk : float in (0, 1), default=0.01
        The target share of re-identified records for the threshold.

    Returns
    -------
    risk : dict
        ``expected_reidentifications`` (float), ``risk`` (share of records,
        in [0, 1]), ``risk_pct``, ``threshold`` (float, or None when the
        table already meets ``max_global_risk``), ``max_global_risk``.

    References
    ----------
    .. [1] sdcMicro, ``R/measure_risk.R`` (``measure_riskWORK``: lines
       251-265, ``global_risk_ER = sum(rk)``, ``global_risk = ER / n``) and
       ``src/Measure_Threshold.h`` (``measure_threshold``, lines 44-172),
       https://github.com/sdcTools/sdcMicro (commit cf32510).
    .. [2] Templ, M., Kowarik, A. and Meindl, B. (2015). Statistical
       Disclosure Control for Micro-Data Using the R Package sdcMicro.
       Journal of Statistical Software 67(4), 1-36.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import global_risk
    >>> X = pd.DataFrame({"sex": ["F", "F", "M", "M", "M"],
    ...                   "w": [10.0, 30.0, 50.0, 1.0, 1.0]})
    >>> res = global_risk(X, "sex", "w")
    >>> round(res["expected_reidentifications"], 4), round(res["risk"], 4)
    (0.1728, 0.0346)
    """
    if (isinstance(max_global_risk, bool) or not isinstance(max_global_risk, Real)
            or not 0 < max_global_risk < 1):
        raise ValueError(f"max_global_risk must be a number in (0, 1), got {max_global_risk!r}.")
    _, codes, rk, _, _ = _individual(X, quasi_identifiers, weights, method)
    risk = rk[codes]
    er = float(risk.sum())
    share = er / len(risk)
    return {
        "expected_reidentifications": er,
        "risk": share,
        "risk_pct": 100.0 * share,
        "threshold": _risk_threshold(risk, float(max_global_risk)),
        "max_global_risk": float(max_global_risk),
    }
