"""Vectorized noise samplers for :mod:`sklearn_anon.dp` (private).

Why not ``x + rng.laplace(scale)``?  Mironov (2012, "On significance of the
least significant bits for differential privacy") showed that the textbook
floating-point Laplace mechanism leaks its input: the set of doubles that
``x + noise`` can take depends on ``x`` (the low-order bits), so an
observer can sometimes tell two neighbouring inputs apart with certainty.
Every sampler here releases values that live on a fixed grid
``Lambda * Z`` where ``Lambda`` is a power of two chosen from the noise
scale and the bounds (never from the values released): the input enters only as an integer shift
on that grid, so the support of the output does not depend on the input's
low-order bits.

Constructions
-------------
Laplace (``laplace_on_grid``)
    1. clip ``x`` to ``[lo, hi]`` (width ``w``);
    2. ``n = rint(x / Lambda)`` (exact: ``Lambda`` is a power of two);
    3. draw ``K`` from the discrete Laplace (two-sided geometric)
       distribution ``P(K = k) ∝ exp(-|k| / t)`` with
       ``t = (w + Lambda) / (Lambda * epsilon)``: a geometric variable
       ``floor(t * E)`` (``E`` standard exponential, so ``P(floor(tE) >= m)
       = exp(-m/t)`` exactly for the ideal exponential) with a fair random
       sign, "-0" rejected and redrawn (see ``two_sided_geometric``);
    4. release ``(n + K) * Lambda``, exact in float64 because
       ``|n + K| < 2**53`` (``Lambda`` is enlarged when the bounds are huge).
    Rounding moves ``x`` by at most ``Lambda / 2``, so two records'
    rounded values differ by at most ``w + Lambda`` (a multiple of
    ``Lambda``): the sensitivity counts the rounding, and the ratio of
    output probabilities is at most ``exp(epsilon * (w + Lambda) / (w +
    Lambda)) = exp(epsilon)``.  ``Lambda = 2**(floor(log2(min(w, w / epsilon)))
    - 20)``: about a millionth of the scale and of the width, so the output is
    indistinguishable from a continuous Laplace of scale ``(w + Lambda) /
    epsilon`` for any practical use (and KS-tested against diffprivlib).
    What is proven: pure epsilon-DP for the ideal geometric sampler.  The
    implementation's only gap is numpy's floating-point exponential
    sampler (ziggurat, 53-bit uniforms): each grid point gets the mass of
    an interval of width ``1/t`` (about ``2**-20``) of that sampler, which
    is the ideal mass to a relative error of about ``2**-30`` (an epsilon
    inflated by that much at worst), and the sampler's tail ends near 44
    (probability ``e**-44 < 2**-60`` of being needed), a delta of that
    order at worst.  No gap depends on the input's low-order bits.

Gaussian (``gaussian_on_grid``)
    ``(n + rint(sigma * Z / Lambda)) * Lambda`` with ``Z`` standard normal
    and ``sigma`` the analytic Gaussian calibration (Balle & Wang 2018) for
    sensitivity ``w + Lambda``.  Because ``n * Lambda`` is on the grid, the
    output equals ``Lambda * rint((n * Lambda + sigma * Z) / Lambda)``:
    the grid rounding is post-processing of the ideal continuous Gaussian
    mechanism applied to the rounded value, so the (epsilon, delta)
    guarantee of the ideal mechanism carries over; the input's low bits
    never reach the output.  What is not proven: that numpy's
    floating-point normal sampler puts exactly the ideal mass on each
    interval of width ``Lambda / sigma`` (about 2**-20); as for the
    Laplace, the relative error is of the order of ``2**-30``.  A discrete Gaussian sampler (Canonne, Kamath,
    Steinke 2020) would remove that gap at a large speed cost.
"""

import math
from numbers import Integral

import numpy as np
from scipy.special import erf

from .base import make_rng  # noqa: F401  (re-exported: the package's one generator factory)

__all__ = [
    "analytic_gaussian_sigma",
    "dp_quantiles",
    "gaussian_on_grid",
    "grid_step",
    "laplace_on_grid",
    "make_rng",
    "randomized_response_codes",
    "two_sided_geometric",
]

#: Bits of resolution of the grid below the noise scale.
GRID_BITS = 20
#: Largest |integer| (in grid steps) a released value may need: well below 2**53.
_MAX_STEPS = 2.0**50


def grid_step(scale, magnitude=0.0, width=None):
    """The power-of-two grid step for a noise ``scale`` and values up to ``magnitude``.

    ``2**(floor(log2(min(scale, width))) - GRID_BITS)``: a millionth of the
    noise scale (the output is continuous for any practical purpose) and of
    the bound width (the rounding adds at most ``2**-20`` to the
    sensitivity), enlarged if needed so that ``magnitude / step`` stays
    below ``2**50`` (exact float64 integers).
    """
    ref = scale if width is None else min(scale, width)
    exp = max(math.floor(math.log2(ref)) - GRID_BITS, -1000)  # stay a normal double
    if magnitude > 0:
        exp = max(exp, math.ceil(math.log2(magnitude)) - 50)
    return math.ldexp(1.0, exp)


def _random_bits(rng, count):
    """``count`` independent fair bits (uint8 0/1) from the generator's raw bytes."""
    return np.frombuffer(rng.bytes(count), dtype=np.uint8) & 1


def two_sided_geometric(rng, t, size):
    """Discrete Laplace draws: ``P(K = k) ∝ exp(-|k| / t)`` (float64 integers).

    ``G = floor(t * E)`` with ``E`` standard exponential is geometric,
    ``P(G = m) = (1 - a) a**m`` with ``a = exp(-1/t)``; a fair random sign
    gives ``±G``, and the draws "-0" are rejected and redrawn (probability
    about ``1 / (2t)`` each), which leaves exactly ``P(K = k) = (1 - a) /
    (1 + a) a**|k|``.  One exponential and one random bit per value.
    """
    shape = (int(size),) if isinstance(size, Integral) else tuple(size)
    count = math.prod(shape)
    g = rng.standard_exponential(count)
    g *= t
    np.floor(g, out=g)
    neg = _random_bits(rng, count)
    redo = np.flatnonzero((g == 0) & (neg == 1))
    while redo.size:
        g[redo] = np.floor(rng.standard_exponential(redo.size) * t)
        neg[redo] = _random_bits(rng, redo.size)
        redo = redo[(g[redo] == 0) & (neg[redo] == 1)]
    g *= 1.0 - 2.0 * neg
    return g.reshape(shape)


def laplace_on_grid(values, lo, hi, epsilon, rng):
    """Clip ``values`` to ``[lo, hi]`` and add grid-safe Laplace noise.

    NaN stays NaN.  Returns ``(released, scale, step)`` where ``scale`` is
    the Laplace scale actually used, ``(hi - lo + step) / epsilon``.
    """
    width = hi - lo
    step = grid_step(width / epsilon, max(abs(lo), abs(hi)), width)
    sensitivity = width + step
    t = sensitivity / (step * epsilon)
    n = np.clip(values, lo, hi)
    n *= 1.0 / step  # exact: step is a power of two
    np.rint(n, out=n)
    n += two_sided_geometric(rng, t, n.shape)
    n *= step  # exact: |n| < 2**53
    return n, sensitivity / epsilon, step


def analytic_gaussian_sigma(epsilon, delta, sensitivity):
    """Noise standard deviation of the analytic Gaussian mechanism (Balle & Wang 2018).

    The same bisection as diffprivlib's ``GaussianAnalytic``, so the same
    sigma (checked to 1e-12 relative in the tests).
    """
    if sensitivity == 0:
        return 0.0

    def phi(val):
        return (1 + erf(val / np.sqrt(2))) / 2

    def b_plus(val):
        return phi(np.sqrt(epsilon * val)) - np.exp(epsilon) * phi(-np.sqrt(epsilon * (val + 2))) - delta

    def b_minus(val):
        return phi(-np.sqrt(epsilon * val)) - np.exp(epsilon) * phi(-np.sqrt(epsilon * (val + 2))) - delta

    delta_0 = b_plus(0)
    target = b_plus if delta_0 < 0 else b_minus
    left, right = 0, 1
    while target(left) * target(right) > 0:
        left = right
        right *= 2
    old = (right - left) * 2
    while old > right - left:
        old = right - left
        middle = (right + left) / 2
        if target(middle) * target(left) <= 0:
            right = middle
        if target(middle) * target(right) <= 0:
            left = middle
    alpha = np.sqrt(1 + (left + right) / 4) + (-1 if delta_0 < 0 else 1) * np.sqrt((left + right) / 4)
    return float(alpha * sensitivity / np.sqrt(2 * epsilon))


def gaussian_on_grid(values, lo, hi, epsilon, delta, rng):
    """Clip ``values`` to ``[lo, hi]`` and add grid-rounded analytic Gaussian noise.

    NaN stays NaN.  Returns ``(released, sigma, step)``.
    """
    width = hi - lo
    magnitude = max(abs(lo), abs(hi))
    sigma0 = analytic_gaussian_sigma(epsilon, delta, width)
    step = grid_step(sigma0, magnitude, width)
    sigma = analytic_gaussian_sigma(epsilon, delta, width + step)
    n = np.clip(values, lo, hi)
    n *= 1.0 / step
    np.rint(n, out=n)
    z = rng.standard_normal(n.shape)
    z *= sigma / step
    np.rint(z, out=z)
    n += z
    n *= step
    return n, sigma, step


def randomized_response_codes(codes, k, epsilon, rng):
    """k-ary randomized response on integer codes ``0..k-1``.

    Keeps the true code with probability ``p = e^eps / (e^eps + k - 1)``,
    otherwise releases one of the ``k - 1`` other codes uniformly.  One
    uniform ``u`` per value decides both: ``u < p`` keeps the code, else
    the code moves by ``1 + floor((u - p) / (1 - p) * (k - 1))`` (mod k),
    uniform over the other codes given ``u >= p`` (up to float
    resolution).  Codes outside ``0..k-1`` (unknown values, NaN: marked
    ``-1``) are replaced by a uniform draw over all ``k`` codes, which
    reveals nothing about them.
    """
    codes = np.asarray(codes)
    size = codes.shape[0]
    if k == 1:
        return np.zeros(size, dtype=np.int64)
    keep_p = randomized_response_keep_probability(epsilon, k)
    out = codes.astype(np.int64)
    if keep_p < 1:  # (epsilon so large that p rounds to 1: every value is kept)
        u = rng.random(size)
        u -= keep_p
        u *= (k - 1) / (1 - keep_p)
        np.clip(u, -1.0, k - 2, out=u)  # kept values land in [-1, 0): shift 0 below
        shift = np.floor(u).astype(np.int64)
        shift += 1
        out += shift
        out[out >= k] -= k
    unknown = (codes < 0) | (codes >= k)
    if unknown.any():
        out[unknown] = rng.integers(0, k, int(unknown.sum()))
    return out


def randomized_response_keep_probability(epsilon, k):
    """Probability that k-ary randomized response keeps the true category."""
    if k == 1:
        return 1.0
    e = math.exp(min(epsilon, 700.0))
    return e / (e + k - 1)


def dp_quantiles(values, quantiles, epsilon, lo, hi, rng):
    """Differentially private quantiles by the exponential mechanism (Smith 2011).

    ``values`` (NaN removed) are clipped to ``[lo, hi]`` and sorted; the
    ``n + 1`` gaps between consecutive values (bounds included) are the
    candidates.  For quantile ``q`` gap ``i`` has utility ``-|i - q n|``
    (sensitivity 1) and is drawn with probability proportional to
    ``length_i * exp(epsilon * utility / 2)``; the release is uniform inside
    the gap.  Each quantile spends ``epsilon`` (the caller splits its
    budget).  The same algorithm as ``diffprivlib.tools.quantile``, each
    quantile one vectorized Gumbel-max draw in log space (no overflow; one
    array of ``n + 1`` at a time, whatever the number of quantiles).  Result
    sorted (post-processing).  The one implementation for the package
    (:class:`~sklearn_anon.DPKBinsDiscretizer` and the DP synthesizer's bins).
    """
    values = np.asarray(values, dtype=np.float64)
    x = np.sort(np.clip(values[~np.isnan(values)], lo, hi))
    n = x.size
    edges = np.concatenate([[lo], x, [hi]])
    lengths = np.diff(edges)
    idx = np.arange(n + 1, dtype=np.float64)
    quantiles = np.atleast_1d(np.asarray(quantiles, dtype=np.float64))
    with np.errstate(divide="ignore"):
        log_len = np.log(lengths)
    out = np.empty(quantiles.size)
    for j, q in enumerate(quantiles):  # a loop over quantiles, not rows
        logits = -epsilon * np.abs(idx - q * n) / 2 + log_len
        choice = int(np.argmax(logits + rng.gumbel(size=logits.shape)))
        out[j] = edges[choice] + rng.random() * lengths[choice]
    return np.sort(out)
