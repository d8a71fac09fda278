"""Population uniqueness estimated from a sample.

A record unique in the released sample may or may not be unique in the
population it was drawn from; what matters for re-identification is how
many people are unique in the *population* on the quasi-identifiers
(Dankar et al. 2012).  The population is not at hand, so its uniques are
estimated from the sample's frequency-of-frequencies (how many keys occur
once, twice, ... in the sample) and the sampling fraction:

* ``"pitman"`` -- the Pitman sampling formula (Hoshino 2001): the key
  frequencies are a sample from a two-parameter Poisson-Dirichlet
  population; ``(theta, alpha)`` are fitted by maximum likelihood on the
  sample and the expected number of population uniques is Hoshino's
  ``Gamma(theta + 1) / Gamma(theta + alpha) * N**alpha`` (what ARX
  reports), the large-``N`` form of the expected number of singletons in
  ``N`` draws of the process, ``N (theta + alpha)^(N-1) / (theta +
  1)^(N-1)`` (rising factorials; also returned).
* ``"zayatz"`` -- Zayatz (1991): the population's class sizes are taken
  to be distributed like the sample's, and the probability that a sample
  unique comes from a population unique follows from hypergeometric
  sampling.

* :func:`population_uniqueness` -- the estimate, with the fitted
  parameters.
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import optimize, special, stats

from ._tables import check_table, class_codes
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Sequence
    from .._typing import ArrayLike

__all__ = ["population_uniqueness"]

_METHODS = ("pitman", "zayatz")


def _pitman_fit(f_of_f, n):
    """Maximum-likelihood ``(theta, alpha)`` of the Pitman sampling formula.

    ``f_of_f``: ``{class size: number of classes}`` of the sample, ``n``
    the sample size.  Log-likelihood (Hoshino 2001, eq. 3; constant terms
    dropped), with ``u`` classes of sizes ``f_j``:
    ``sum_{i=1}^{u-1} log(theta + i alpha) - sum_{i=1}^{n-1} log(theta + i)
    + sum_j sum_{k=1}^{f_j - 1} log(k - alpha)`` (the last sum with
    log-gamma functions); ``theta = -alpha + exp(t)``, ``alpha =
    sigmoid(a)`` keep the parameters in ``alpha in (0, 1), theta > -alpha``.
    """
    sizes = np.array(sorted(f_of_f), dtype=float)
    counts = np.array([f_of_f[s] for s in sorted(f_of_f)], dtype=float)
    u = counts.sum()
    i_u = np.arange(1.0, u)  # 1 .. u-1
    i_n = np.arange(1.0, n)  # 1 .. n-1
    # summed directly (O(n) per step): the log-gamma closed forms lose every
    # digit when theta / alpha is large (alpha near 0, Ewens' limit)

    def unpack(x):
        alpha = special.expit(x[1])
        return -alpha + math.exp(x[0]), alpha

    def neg_loglik(x):
        theta, alpha = unpack(x)
        a_terms = theta + i_u * alpha
        n_terms = theta + i_n
        value = -(np.sum(np.log(a_terms)) - np.sum(np.log(n_terms))
                  + np.sum(counts * (special.gammaln(sizes - alpha) - special.gammaln(1 - alpha))))
        d_theta = np.sum(1.0 / a_terms) - np.sum(1.0 / n_terms)
        d_alpha = (np.sum(i_u / a_terms)
                   - np.sum(counts * (special.digamma(sizes - alpha) - special.digamma(1 - alpha))))
        # through the reparametrization theta = -alpha + exp(t), alpha = expit(a)
        g_t = d_theta * (theta + alpha)
        g_a = (d_alpha - d_theta) * alpha * (1 - alpha)
        return value, -np.array([g_t, g_a])

    starts = [(1.0, 0.5)]
    # ARX's moment-type starting point (ModelPitman.java), when it is admissible
    c1, c2 = float(f_of_f.get(1, 0)), float(f_of_f.get(2, 0)) or 1.0
    c = c1 * (c1 - 1) / c2
    denom = 2 * c1 * u + c1 * c - n * c
    if denom != 0:
        t0 = (n * u * c - c1 * (n - 1) * (2 * u + c)) / denom
        a0 = (t0 * (c1 - n) + (n - 1) * c1) / (n * u)
        if 0 < a0 < 1 and t0 > -a0:
            starts.insert(0, (t0, a0))
    best = None
    for theta0, alpha0 in starts:
        x0 = np.array([math.log(theta0 + alpha0), special.logit(alpha0)])
        with np.errstate(all="ignore"):
            res = optimize.minimize(neg_loglik, x0, jac=True, method="L-BFGS-B",
                                    bounds=[(-30, 30), (-30, 30)])
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
        if res.success and np.isfinite(res.fun):
            break  # the first start converged: no second opinion needed
    return unpack(best.x)


def _pitman_uniques(theta, alpha, population_size):
    """Expected number of singletons among ``N`` draws of the Pitman process.

    ``N (theta + alpha)^(N-1) / (theta + 1)^(N-1)`` (rising factorials), which
    tends to Hoshino's ``Gamma(theta+1)/Gamma(theta+alpha) N^alpha`` as
    ``N`` grows (ARX uses that limit); the finite form stays right when
    ``theta`` is not small against ``N``.
    """
    big_n = float(population_size)
    log_value = (math.log(big_n)
                 + special.gammaln(theta + alpha + big_n - 1) - special.gammaln(theta + alpha)
                 - special.gammaln(theta + big_n) + special.gammaln(theta + 1))
    return float(min(math.exp(min(log_value, 700.0)), big_n))


def _zayatz_uniques(f_of_f, n, population_size):
    """Zayatz's estimate of the population uniques; also P(pop. unique | sample unique)."""
    sizes = np.array(sorted(f_of_f), dtype=np.int64)
    counts = np.array([f_of_f[s] for s in sorted(f_of_f)], dtype=float)
    u = counts.sum()
    big_n = int(round(population_size))
    pmf = stats.hypergeom.pmf(1, big_n, sizes, n)  # one of a class of size j drawn in n
    denom = np.sum(counts / u * pmf)
    u1 = float(f_of_f.get(1, 0))
    if u1 == 0 or denom == 0:
        return 0.0, 0.0
    p_cond = (u1 / u * stats.hypergeom.pmf(1, big_n, 1, n)) / denom
    return float(u1 * p_cond * population_size / n), float(p_cond)


def population_uniqueness(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    *,
    sampling_fraction: float | None = None,
    population_size: int | None = None,
    method: Literal["pitman", "zayatz"] = "pitman",
) -> dict[Any, Any]:
    """Estimated share of the population that is unique on the quasi-identifiers.

    ``X`` is a simple random sample of a population of ``N`` people; the
    number of population uniques is estimated from the sample's frequency
    of frequencies (the number of keys seen once, twice, ...) by a model
    of the population's key sizes.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The sample.
    quasi_identifiers : str or list of str
        The key variables.
    sampling_fraction : float in (0, 1] or None, default=None
        ``n / N``; give it or ``population_size`` (the models need one of
        them: the same sample says very different things about a
        population ten or a thousand times its size).
    population_size : int or None, default=None
        ``N`` (at least the number of sample records).
    method : {"pitman", "zayatz"}, default="pitman"
        The model: the Pitman sampling formula fitted by maximum likelihood
        (Hoshino 2001), or Zayatz's hypergeometric estimate (1991).  Dankar
        et al. (2012) found Pitman the most accurate for sampling
        fractions up to about 10%, and Zayatz (or the SNB model) for larger
        ones.

    Returns
    -------
    estimate : dict
        ``population_uniqueness`` (estimated share of the population that
        is unique, in [0, 1]), ``population_uniques`` (estimated number),
        ``sample_uniqueness`` (share of the sample's records that are
        unique, for comparison), ``sample_uniques``, ``population_size``,
        ``sampling_fraction``, ``method`` and ``parameters`` (``theta`` and
        ``alpha`` for Pitman, and ``finite_uniqueness``, the share by the
        exact expectation for ``N`` draws of the fitted process;
        ``p_unique_given_sample_unique`` for Zayatz).
        With every sample record unique, the Pitman likelihood has no
        maximum: the estimate is NaN and a ``UserWarning`` says so.

    Notes
    -----
    Assumptions: the sample is a simple random sample without replacement
    of the population, the sampling fraction (or ``N``) is known, and the
    key frequencies follow the model -- a Pitman (two-parameter
    Poisson-Dirichlet) population, or for Zayatz a population whose class
    sizes are distributed like the sample's.  Neither model sees weights,
    strata or clusters.  The estimate is for the whole population; the
    share of *sample* records that are population unique is about the
    same under simple random sampling.  NaN is a value of its own.

    Both models expect the long tail of key frequencies real
    quasi-identifiers have.  A population spread evenly over a bounded
    number of keys (independent uniform columns) violates them: on 72
    ages x 300 ZIP codes uniform over 100,000 people (1% unique), a 5%
    sample gives Pitman 22% and Zayatz 65%.  On Adult as the population
    (8 quasi-identifiers, 46.5% unique), Pitman gives 46.9% from a 5%
    sample, 46.3% from 10% and 47.8% from 30%, but nothing usable from a
    1% sample (302 records, 96% of them unique: 24%; ARX's solver returns
    0 there) (``benchmarks/bench_record_risk.py``).

    References
    ----------
    .. [1] Hoshino, N. (2001). Applying Pitman's sampling formula to
       microdata disclosure risk assessment. Journal of Official Statistics
       17(4), 499-520.
    .. [2] Zayatz, L. (1991). Estimation of the percent of unique population
       elements on a microdata file using the sample. Statistical Research
       Division Report Number Census/SRD/RR-91/08, US Census Bureau.
    .. [3] Dankar, F. K., El Emam, K., Neisa, A. and Roffey, T. (2012).
       Estimating the re-identification risk of clinical data sets. BMC
       Medical Informatics and Decision Making 12, 66.
    .. [4] ARX, ``src/main/org/deidentifier/arx/risk/ModelPitman.java`` (the
       likelihood equations and ``getResult``) and ``ModelZayatz.java``,
       https://github.com/arx-deidentifier/arx (commit aacd487).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import population_uniqueness
    >>> rng = np.random.default_rng(0)
    >>> population = pd.DataFrame({"age": rng.integers(18, 90, 50_000),
    ...                            "zip": rng.zipf(1.2, 50_000) % 5000})
    >>> sample = population.sample(frac=0.05, random_state=0)
    >>> est = population_uniqueness(sample, ["age", "zip"], sampling_fraction=0.05)
    >>> true = float((population.groupby(["age", "zip"]).size() == 1).sum() / 50_000)
    >>> round(true, 2), round(est["population_uniqueness"], 2), round(est["sample_uniqueness"], 2)
    (0.35, 0.34, 0.61)
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    frame, qis, _ = check_table(X, quasi_identifiers)
    n = len(frame)
    if (sampling_fraction is None) == (population_size is None):
        raise ValueError("Give exactly one of sampling_fraction and population_size.")
    if sampling_fraction is not None:
        if (isinstance(sampling_fraction, bool) or not isinstance(sampling_fraction, Real)
                or not 0 < sampling_fraction <= 1):
            raise ValueError(f"sampling_fraction must be in (0, 1], got {sampling_fraction!r}.")
        big_n = n / float(sampling_fraction)
    else:
        if (isinstance(population_size, bool) or not isinstance(population_size, Integral)
                or population_size < n):
            raise ValueError(
                f"population_size must be an integer >= the sample size ({n}), "
                f"got {population_size!r}."
            )
        big_n = float(population_size)
    _, sizes = class_codes(frame, qis)
    values, counts = np.unique(sizes, return_counts=True)
    f_of_f = {int(v): int(c) for v, c in zip(values, counts)}
    u1 = f_of_f.get(1, 0)
    out = {
        "method": method,
        "population_size": big_n,
        "sampling_fraction": n / big_n,
        "sample_uniques": int(u1),
        "sample_uniqueness": u1 / n,
    }
    if method == "pitman":
        if u1 == n and n > 1:
            warnings.warn("population_uniqueness: every sample record is unique; the Pitman "
                          "model has no maximum-likelihood fit (estimate is NaN).",
                          UserWarning, stacklevel=2)
            uniques, params = float("nan"), {"theta": float("nan"), "alpha": float("nan")}
        elif u1 == 0:
            uniques, params = 0.0, {"theta": float("nan"), "alpha": float("nan")}
        else:
            theta, alpha = _pitman_fit(f_of_f, n)
            asymptotic = math.exp(min(special.gammaln(theta + 1) - special.gammaln(theta + alpha)
                                      + alpha * math.log(big_n), 700.0))
            uniques = float(min(asymptotic, big_n))
            params = {"theta": float(theta), "alpha": float(alpha),
                      "finite_uniqueness": _pitman_uniques(theta, alpha, big_n) / big_n}
    else:
        uniques, p_cond = _zayatz_uniques(f_of_f, n, big_n)
        params = {"p_unique_given_sample_unique": p_cond}
    out["population_uniques"] = uniques
    out["population_uniqueness"] = uniques / big_n if not math.isnan(uniques) else uniques
    out["parameters"] = params
    return out
