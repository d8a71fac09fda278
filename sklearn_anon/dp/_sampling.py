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
       ``t = (w + Lambda) / (Lambda * epsilon)`` (rounded up to the next
       double by ``two_sided_geometric``, so that the ratio below is at most
       ``exp(epsilon)`` exactly):
       an exactly geometric ``G`` with a fair random sign, "-0" rejected and
       redrawn (see ``two_sided_geometric`` and ``geometric_exact``);
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
    What is proven: pure epsilon-DP, for the sampler as implemented.  The
    geometric draw is ``floor(-t ln V)`` for a uniform real ``V`` whose bits
    are read until the floor is decided (float64 decides all but about
    ``t 2**-40`` of the draws, with a margin that assumes only that
    ``numpy.log`` errs by less than ``2**-44`` relative; the rest, and every
    draw with ``V < 2**-10``, are decided with correctly rounded decimal
    logarithms, reading more random bits as needed).  So the support is every
    integer, with no gap and no tail cut-off (the previous sampler,
    ``floor(t * E)`` with numpy's ziggurat exponential, had gaps beyond
    about 30 scales and nothing beyond about 44).  Vectorized: about 20 ms
    per million values (``benchmarks/bench_dp.py`` times it against
    diffprivlib's loop in the same run).

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
    interval of width ``Lambda / sigma`` (about 2**-20): numpy's ziggurat
    normal is built from 53-bit uniforms, so the same kind of issue as the
    old Laplace sampler applies (each grid point's mass is right to a
    relative error of about ``2**-30``, and the tail beyond the ziggurat's
    reach, some 40 sigma, has probability below ``1e-300``).  For the
    Gaussian this is absorbed by the ``delta`` the mechanism is charged
    anyway (the missing mass is far below any ``delta`` used), but the
    ``epsilon`` holds only up to that ``2**-30`` relative error per point.
    The exact analogue is the discrete Gaussian of Canonne, Kamath and
    Steinke (2020), not implemented here.
"""

import math
from numbers import Integral

import numpy as np
from scipy.special import erf

from .._random import SecureGenerator, make_rng  # noqa: F401  (re-exported)

__all__ = [
    "SecureGenerator",
    "analytic_gaussian_sigma",
    "dp_quantiles",
    "gaussian_on_grid",
    "geometric_exact",
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


def _uniform_words(rng, count):
    """``count`` independent uniform 64-bit words (uint64) from the generator's raw bytes.

    Full-range ``integers`` (numpy's raw 64-bit output, no rejection), which a
    :class:`numpy.random.Generator` and the package's ``random_state="secure"``
    generator (``os.urandom``) both serve.
    """
    return rng.integers(0, 2**64 - 1, size=count, dtype=np.uint64, endpoint=True)


#: Conservative bound on the relative error of ``numpy.log`` for float64
#: (libm and numpy's SIMD logs are within a few ulp, 2**-50; this allows 2**6 times more).
_LOG_REL_ERR = 2.0**-44


def _geometric_words_exact(words, t, rng):
    """Decide ``floor(-t ln V)`` exactly for ``V`` uniform in ``[w 2**-64, (w + 1) 2**-64)``.

    The slow path for the rare words whose float64 evaluation is too close to
    an integer (or ``w == 0``): interval evaluation with :mod:`decimal`, whose
    ``ln`` is correctly rounded, refining ``V`` with 64 more random bits from
    ``rng`` until the whole interval maps to one integer.  Terminates with
    probability 1 (each round leaves the decision open with probability about
    ``t * 2**-64 / V``).
    """
    from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

    t_dec = Decimal(float(t))  # exact: a float is a dyadic rational
    t_digits = max(1, len(str(int(t_dec))))
    out = np.empty(len(words), dtype=np.float64)
    for i, w in enumerate(words):
        num, bits = int(w), 64
        while True:
            with localcontext() as ctx:
                ctx.prec = 30 + t_digits + (bits * 31) // 100
                ulp = Decimal(10) ** (3 + t_digits - ctx.prec)
                denom = Decimal(2) ** bits  # exact at this precision

                def y_at(m):
                    # -t ln(m / 2**bits) with an error bound (each step rounded to 1/2 ulp)
                    if m == 0:
                        return None
                    if m == 2**bits:
                        return Decimal(0)
                    return -t_dec * (Decimal(m) / denom).ln()

                y_lo_end = y_at(num + 1)  # V at the interval's top: the smallest y
                y_hi_end = y_at(num)
                if y_hi_end is not None:
                    err = (abs(y_hi_end) + 1) * ulp
                    # V < 1, so y > 0: a floor below 0 is the rounding margin only
                    a = max(0, int((y_lo_end - err).to_integral_value(rounding=ROUND_FLOOR)))
                    b = int((y_hi_end + err).to_integral_value(rounding=ROUND_CEILING))
                    if b - a <= 1:
                        out[i] = a
                        break
            num = (num << 64) | int(_uniform_words(rng, 1)[0])  # more bits of the same V
            bits += 64
    return out


def geometric_exact(rng, t, count):
    """Exact geometric draws: ``P(G >= m) = exp(-m / t)`` for every integer ``m >= 0``.

    Inverse-CDF sampling, made exact by deciding each draw on an interval.
    ``V`` is a uniform real in ``(0, 1)``; ``G = floor(-t ln V)`` is then
    exactly geometric (``G >= m`` iff ``V <= exp(-m/t)``).  We draw the first
    64 bits of ``V`` (a word ``w``).  Tier 1 uses its top 53 bits ``m``:
    ``V`` lies in ``I = [m, m + 1) 2**-53``; we evaluate ``y = -t ln v`` in
    float64 at the midpoint ``v``.  For ``m >= 2**43``, over ``I`` the exact
    ``-t ln V`` moves from ``-t ln v`` by less than ``t 2**-44``, and the
    float64 evaluation errs by at most ``2**-44 y`` (numpy's ``log`` is
    accurate to a few ulp, ``2**-50``; we assume only ``2**-44``) plus
    conversions and roundings below ``t 2**-52 + 2**-51 y``; as ``y < 6.94
    t`` there, ``h = t 2**-40`` is above the sum of these bounds.  If ``h <= y -
    floor(y) < 1 - h`` then every ``V`` in ``I`` gives ``G = floor(y)``,
    released without looking at the remaining bits of ``V``.  Otherwise
    (probability about ``2 h``, roughly ``t 2**-40`` per draw, and
    ``2**-10`` for ``m < 2**43``) tier 2 repeats the test with all 64 bits
    (``V`` in ``[w, w + 1) 2**-64``, margin ``2**-43 y + t 2**-47`` for ``w >=
    2**48``), and what is still open (``w < 2**48`` or near an integer) is
    decided exactly by :func:`_geometric_words_exact`, which reads more bits
    of the same ``V`` and evaluates with correctly rounded decimal
    logarithms.  So every draw equals ``floor(-t ln V)`` for one uniform
    ``V``: the distribution is the ideal geometric one, with no gaps and no
    tail cut-off (``w = 0`` goes on to more bits).  The only assumption is the
    ``2**-44`` relative accuracy of ``numpy.log`` (tested against
    :mod:`decimal`).  Returns float64 integers.
    """
    words = _uniform_words(rng, int(count))
    # tier 1: the top 53 bits m of the word, V in [m, m + 1) 2**-53, for m >= 2**43
    y = (words >> np.uint64(11)).view(np.int64).astype(np.float64)  # exact
    y += 0.5
    y *= 2.0**-53  # v: the interval's midpoint, >= 2**-10 when m >= 2**43
    np.log(y, out=y)
    y *= -t  # y = -t ln v, in [0, 6.94 t] when m >= 2**43
    g = np.empty_like(y)
    np.modf(y, y, g)  # y: fractional part, g: floor (y >= 0)
    # error bound, for m >= 2**43: the interval, t ln(1 + 2**-44) < t 2**-44; the log,
    # 2**-44 y; the conversions and roundings, below t 2**-52 + 2**-51 y; with
    # y < 6.94 t all together below t 2**-40.9: h = t 2**-40 + 2**-43 covers it
    h = t * 2.0**-40 + 2.0**-43
    y -= 0.5
    np.abs(y, out=y)
    slow = y > 0.5 - h  # fractional part within h of an integer
    slow |= words < np.uint64(2**54)  # m < 2**43
    slow = np.flatnonzero(slow)
    if slow.size:
        g[slow] = _geometric_words_64(words[slow], t, rng)
    return g


def _geometric_words_64(words, t, rng):
    """Tier 2 of :func:`geometric_exact`: all 64 bits of each word, then exact decimal."""
    y = words.astype(np.float64)
    y *= 2.0**-64  # v = w 2**-64, the interval's left end (relative error 2**-53)
    with np.errstate(divide="ignore", invalid="ignore"):  # w = 0: infinite, decided below
        np.log(y, out=y)
        y *= -t
        g = np.floor(y)
        y -= g
        # for w >= 2**48: the interval, t ln(1 + 2**-48); conversion t 2**-53; log 2**-44 y
        h = g * 2.0**-43
        h += t * 2.0**-47 + 2.0**-43
        slow = y < h
        y += h
        slow |= y >= 1.0
    slow |= words < np.uint64(2**48)
    slow = np.flatnonzero(slow)
    if slow.size:
        g[slow] = _geometric_words_exact(words[slow], t, rng)
    return g


def two_sided_geometric(rng, t, size):
    """Exact discrete Laplace draws: ``P(K = k) ∝ exp(-|k| / t)`` (float64 integers).

    ``G`` exactly geometric (:func:`geometric_exact`), ``P(G = m) = (1 - a)
    a**m`` with ``a = exp(-1/t)``; a fair random sign gives ``±G``, and the
    draws "-0" are rejected and redrawn (probability about ``1 / (2t)``
    each), which leaves exactly ``P(K = k) = (1 - a) / (1 + a) a**|k|`` for
    every integer ``k`` (no gaps, no tail cut-off: the discrete Laplace of
    Canonne, Kamath and Steinke 2020, here sampled by exact inverse CDF
    instead of their Bernoulli loops, vectorized).
    """
    shape = (int(size),) if isinstance(size, Integral) else tuple(size)
    count = math.prod(shape)
    # callers pass t = sensitivity / epsilon computed in floating point, which may
    # undershoot the exact quotient by half an ulp: rounding up keeps exp(sens / t) <= e**eps
    t = math.nextafter(float(t), math.inf)
    g = geometric_exact(rng, t, count)
    neg = _random_bits(rng, count)
    redo = np.flatnonzero((g == 0) & (neg == 1))
    while redo.size:
        g[redo] = geometric_exact(rng, t, redo.size)
        neg[redo] = _random_bits(rng, redo.size)
        redo = redo[(g[redo] == 0) & (neg[redo] == 1)]
    np.copysign(g, 0.5 - neg, out=g)  # (no zero is left with a negative sign)
    return g.reshape(shape)


def laplace_on_grid(values, lo, hi, epsilon, rng):
    """Clip ``values`` to ``[lo, hi]`` and add grid-safe Laplace noise.

    NaN stays NaN.  Returns ``(released, scale, step)`` where ``scale`` is
    the Laplace scale actually used, ``(hi - lo + step) / epsilon``.
    """
    width = hi - lo
    step = grid_step(width / epsilon, max(abs(lo), abs(hi)), width)
    sensitivity = width + step
    t = sensitivity / (step * epsilon)  # (two_sided_geometric rounds it up)
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
