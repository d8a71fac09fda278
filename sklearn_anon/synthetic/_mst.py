"""Private numerical helpers of :class:`sklearn_anon.DPSynthesizer`.

* zero-concentrated DP accounting (Bun & Steinke 2016) and its conversion
  to (epsilon, delta) (Canonne, Kamath & Steinke 2020, the conversion MST
  uses);
* the Gaussian mechanism on count vectors, the exponential mechanism
  (vectorized, Gumbel-max);
* post-processing of noisy marginals: projection onto the simplex,
  iterative proportional fitting (raking) to consistent margins;
* vectorized sampling from conditional probability tables (one
  ``searchsorted`` per column, no loop per row).

Everything here is post-processing or a textbook mechanism; the privacy
argument is written once, in :class:`sklearn_anon.DPSynthesizer`'s docstring.
"""

import math

import numpy as np

from ..dp import dp_quantiles as dp_quantiles_each

__all__ = []


# --------------------------------------------------------------------------
# accounting
# --------------------------------------------------------------------------
def cdp_delta(rho, eps):
    """Smallest delta such that rho-zCDP implies (eps, delta)-DP.

    Canonne, Kamath & Steinke (2020), Proposition 12 (optimised over the
    Renyi order alpha by bisection; any alpha gives a valid bound, so an
    imprecise search only makes delta larger, never invalid).
    """
    if rho < 0 or eps < 0:
        raise ValueError("rho and eps must be non-negative.")
    if rho == 0:
        return 0.0
    amin, amax = 1.01, (eps + 1) / (2 * rho) + 2
    for _ in range(200):
        alpha = (amin + amax) / 2
        derivative = (2 * alpha - 1) * rho - eps + math.log1p(-1.0 / alpha)
        if derivative < 0:
            amin = alpha
        else:
            amax = alpha
    alpha = (amin + amax) / 2
    delta = math.exp(
        (alpha - 1) * (alpha * rho - eps) + alpha * math.log1p(-1 / alpha)
    ) / (alpha - 1.0)
    return min(delta, 1.0)


def _bisect(lo, hi, below, steps=200):
    """``(lo, hi)`` around the boundary of a monotone predicate on ``[lo, hi]``:
    ``below(mid)`` true moves ``lo`` up to ``mid``, false moves ``hi`` down."""
    for _ in range(steps):
        mid = (lo + hi) / 2
        if below(mid):
            lo = mid
        else:
            hi = mid
    return lo, hi


def cdp_rho(eps, delta):
    """Largest rho (up to bisection precision) with ``cdp_delta(rho, eps) <= delta``."""
    if eps < 0 or delta <= 0:
        raise ValueError("eps must be >= 0 and delta > 0.")
    if delta >= 1:
        return float("inf")
    lo, _ = _bisect(0.0, eps + 1.0, lambda rho: cdp_delta(rho, eps) <= delta)
    return lo


def cdp_eps(rho, delta):
    """Smallest eps such that rho-zCDP implies (eps, delta)-DP (bisection)."""
    if rho == 0:
        return 0.0
    hi = rho + 2 * math.sqrt(rho * math.log(1 / delta)) + 1e-12
    _, hi = _bisect(0.0, hi, lambda eps: not cdp_delta(rho, eps) <= delta)
    return hi


# --------------------------------------------------------------------------
# mechanisms
# --------------------------------------------------------------------------
def gaussian_counts(counts, sigma, rng):
    """Gaussian mechanism on a count vector (L2 sensitivity 1 under add/remove).

    The noisy counts are rounded to integers: the released values carry no
    low-order floating-point bits from which the true count could be
    recovered (the attack of Mironov 2012 on textbook floating-point noise);
    rounding is post-processing.
    """
    counts = np.asarray(counts, dtype=np.float64)
    return np.rint(counts + rng.normal(0.0, sigma, size=counts.shape))


def exponential_mechanism(scores, epsilon, sensitivity, rng):
    """Index drawn with probability proportional to ``exp(eps * score / (2 * sens))``.

    Gumbel-max trick (exactly the exponential mechanism's distribution),
    vectorized.  It is ``epsilon``-DP and ``epsilon**2 / 8``-zCDP
    (Cesar & Rogers 2021, bounded range).
    """
    scores = np.asarray(scores, dtype=np.float64)
    logits = epsilon * scores / (2.0 * sensitivity)
    return int(np.argmax(logits + rng.gumbel(size=scores.shape)))


# --------------------------------------------------------------------------
# post-processing
# --------------------------------------------------------------------------
def project_simplex(values, total):
    """Euclidean projection of ``values`` onto ``{x >= 0, sum(x) = total}``.

    Noise on empty cells is mostly removed (they are cut to zero), unlike
    clipping negatives, which keeps all positive noise and inflates rare
    cells.  ``total <= 0`` gives the uniform vector of sum ``max(total, 0)``.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    if total <= 0 or v.size == 0:
        return np.full(values.shape, max(total, 0.0) / max(v.size, 1))
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - total
    idx = np.arange(1, v.size + 1)
    cond = u - css / idx > 0
    r = idx[cond][-1]
    theta = css[r - 1] / r
    return np.maximum(v - theta, 0.0).reshape(np.shape(values))


def rake(table, targets, *, n_iter=30):
    """Iterative proportional fitting of a non-negative ``table`` to margins.

    Parameters
    ----------
    table : ndarray
    targets : list of (axes_kept, ndarray)
        Each target is the wanted sum of ``table`` over the axes not in
        ``axes_kept`` (a tuple, in increasing order).

    Cells of a margin whose current sum is zero stay zero (their mass is
    lost, which the caller handles by renormalizing).
    """
    table = np.asarray(table, dtype=np.float64).copy()
    nd = table.ndim
    for _ in range(n_iter):
        for axes, target in targets:
            other = tuple(a for a in range(nd) if a not in axes)
            current = table.sum(axis=other, keepdims=True)
            shape = [table.shape[a] if a in axes else 1 for a in range(nd)]
            tgt = np.asarray(target, dtype=np.float64).reshape(shape)
            ratio = np.divide(tgt, current, out=np.zeros_like(current), where=current > 0)
            table *= ratio
    return table


def conditional(table, fallback):
    """Rows of ``table`` (parents x child) normalized to probabilities.

    A row with zero mass gets ``fallback`` (the child's marginal).
    """
    table = np.asarray(table, dtype=np.float64)
    sums = table.sum(axis=1, keepdims=True)
    out = np.divide(table, sums, out=np.zeros_like(table), where=sums > 0)
    empty = sums[:, 0] <= 0
    if empty.any():
        out[empty] = fallback
    return out


def sample_conditional(cond, parent_index, rng):
    """One child code per row from ``cond[parent_index[i]]``, vectorized.

    Inverse-CDF over all rows at once: row ``r`` of the table occupies the
    interval ``(r, r + 1]`` of one concatenated, increasing CDF, and a row
    with parent ``p`` searches ``p + u`` with ``u ~ U[0, 1)``.
    """
    n_parents, d = cond.shape
    cdf = np.cumsum(cond, axis=1)
    cdf /= cdf[:, -1:]
    cdf[:, -1] = 1.0
    flat = (cdf + np.arange(n_parents)[:, None]).ravel()
    u = rng.random(parent_index.shape[0])
    pos = np.searchsorted(flat, parent_index + u, side="right")
    codes = pos - parent_index * d
    return np.clip(codes, 0, d - 1)


def dp_quantiles(values, quantiles, epsilon, bounds, rng):
    """DP quantiles spending ``epsilon`` in total, split evenly over the quantiles.

    The exponential mechanism of Smith (2011) as ``diffprivlib.tools.quantile``
    computes it (sequential composition over the quantiles): a thin wrapper
    of :func:`sklearn_anon.dp.dp_quantiles`, which takes the
    epsilon of each quantile.  Result sorted (post-processing).
    """
    quantiles = np.atleast_1d(np.asarray(quantiles, dtype=np.float64))
    return dp_quantiles_each(
        values, quantiles, epsilon / quantiles.size, float(bounds[0]), float(bounds[1]), rng
    )
