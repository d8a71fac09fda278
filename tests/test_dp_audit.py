"""End-to-end audit of the central DP mechanisms: measure the noise actually added (issue 13.8).

Each test fits the public estimator many times (seeds) on fixed data and
compares the spread of what it releases with the spread the claimed epsilon
implies, computed here independently of the implementation.  A mechanism
that spends more epsilon than it reports (less noise) fails; so does one
whose reported noise parameter (``sigma_``) is not the one used.
``benchmarks/dp_mutations.py`` applies four such bugs and shows each is caught.
"""

import math

import numpy as np
import pandas as pd
import pytest

from sklearn_anon import DPGroupMeanEncoder, DPKBinsDiscretizer, DPSynthesizer
from sklearn_anon.synthetic import _mst
from sklearn_anon._compat import dp_tools


def _ratio_bounds(n_samples, kurtosis_excess=3.0, z=4.5):
    """Acceptance band for (sample variance / true variance) from n_samples draws."""
    sd = math.sqrt((2 + kurtosis_excess) / n_samples)
    return 1 - z * sd, 1 + z * sd


def _discrete_laplace_var(t):
    a = math.exp(-1 / t)
    return 2 * a / (1 - a) ** 2


# -- DPGroupMeanEncoder: epsilon/2 to the sums, epsilon/2 to the counts ---------------------
GROUPS = list("abcd")
N_PER_GROUP = 300


def _group_fits(epsilon, seeds):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"g": pd.Categorical(np.repeat(GROUPS, N_PER_GROUP), categories=GROUPS)})
    y = rng.uniform(0, 100, len(X))
    true_counts = np.full(len(GROUPS), N_PER_GROUP, dtype=float)
    true_sums = pd.Series(y - 50.0).groupby(X["g"].to_numpy()).sum().reindex(GROUPS).to_numpy()
    count_noise, sum_noise = [], []
    for seed in seeds:
        enc = DPGroupMeanEncoder(
            epsilon=epsilon, bounds=(0, 100), categories={"g": GROUPS}, random_state=seed
        ).fit(X, y)
        counts = enc.noisy_counts_.reindex(GROUPS).to_numpy()
        means = enc.means_.reindex(GROUPS).to_numpy()
        count_noise.append(counts - true_counts)
        sum_noise.append((means - 50.0) * counts - true_sums)  # noisy centred sum - true
    return np.concatenate(count_noise), np.concatenate(sum_noise)


@pytest.mark.parametrize("epsilon", [0.5, 2.0])
def test_group_mean_encoder_noise_matches_epsilon_split(epsilon):
    count_noise, sum_noise = _group_fits(epsilon, range(400))
    lo, hi = _ratio_bounds(count_noise.size)
    # counts: discrete Laplace of scale 1 / (epsilon / 2)
    expected = _discrete_laplace_var(2 / epsilon)
    assert lo <= count_noise.var() / expected <= hi, count_noise.var() / expected
    # sums: Laplace of scale (half width) / (epsilon / 2) (grid rounding: relative 2**-20)
    expected = 2 * (50.0 / (epsilon / 2)) ** 2
    ratio = sum_noise.var() / expected
    assert lo <= ratio <= hi, ratio
    assert abs(count_noise.mean()) < 4.5 * math.sqrt(count_noise.var() / count_noise.size)


# -- DPKBinsDiscretizer: epsilon / (n_bins - 1) per quantile --------------------------------
def test_kbins_edge_spread_matches_diffprivlib_quantile():
    n_bins, epsilon, seeds = 5, 1.0, range(300)
    values = np.random.default_rng(1).uniform(0, 100, 300)
    X = pd.DataFrame({"v": values})
    ours = np.array([
        DPKBinsDiscretizer(n_bins=n_bins, epsilon=epsilon, bounds=(0, 100), random_state=s)
        .fit(X).bin_edges_["v"][1:-1]
        for s in seeds
    ])
    q = np.arange(1, n_bins) / n_bins
    per_quantile = epsilon / (n_bins - 1)
    peer = np.array([
        [dp_tools.quantile(values, qq, epsilon=per_quantile, bounds=(0, 100), random_state=s) for qq in q]
        for s in seeds
    ])
    true = np.quantile(values, q)
    # spread (root mean squared error around the true quantile), per quantile
    ours_rmse = np.sqrt(((ours - true) ** 2).mean(axis=0))
    peer_rmse = np.sqrt(((peer - true) ** 2).mean(axis=0))
    ratio = ours_rmse / peer_rmse
    assert np.all((ratio > 0.7) & (ratio < 1.45)), ratio
    # and the pooled ratio is tight
    pooled = math.sqrt(((ours - true) ** 2).mean() / ((peer - true) ** 2).mean())
    assert 0.8 < pooled < 1.25, pooled


# -- DPSynthesizer: Gaussian tables at sigma_, selection at its zCDP share -------------------
def _synth_data():
    rng = np.random.default_rng(2)
    cats = {c: list("xyz") for c in "abcd"}
    a = rng.choice(3, 600)
    frame = pd.DataFrame({
        "a": a,
        "b": (a + rng.choice([0, 1], 600, p=[0.8, 0.2])) % 3,
        "c": rng.choice(3, 600),
        "d": rng.choice(3, 600),
    })
    frame = frame.apply(lambda s: pd.Categorical(np.array(list("xyz"))[s], categories=list("xyz")))
    return frame, cats


def _spy(monkeypatch):
    calls = {"gauss": [], "select": []}
    gaussian_counts, exponential_mechanism = _mst.gaussian_counts, _mst.exponential_mechanism

    def gauss_spy(counts, sigma, rng):
        out = gaussian_counts(counts, sigma, rng)
        calls["gauss"].append((np.asarray(counts, dtype=float).ravel(), np.asarray(out).ravel(), sigma))
        return out

    def select_spy(scores, epsilon, sensitivity, rng):
        calls["select"].append((epsilon, sensitivity))
        return exponential_mechanism(scores, epsilon, sensitivity, rng)

    monkeypatch.setattr(_mst, "gaussian_counts", gauss_spy)
    monkeypatch.setattr(_mst, "exponential_mechanism", select_spy)
    return calls


@pytest.mark.parametrize("epsilon", [0.3, 3.0])
def test_synthesizer_noise_matches_sigma_and_budget(monkeypatch, epsilon):
    frame, cats = _synth_data()
    delta = 1e-6
    calls = _spy(monkeypatch)
    residuals = {0: [], 1: []}
    for seed in range(12):
        calls["gauss"].clear()
        calls["select"].clear()
        synth = DPSynthesizer(epsilon=epsilon, delta=delta, categories=cats, random_state=seed).fit(frame)
        sigma1, sigma2 = synth.sigma_
        r = frame.shape[1]
        # the reported sigmas are the ones the zCDP budget split implies
        rho = _mst.cdp_rho(epsilon, delta)
        assert synth.rho_ == pytest.approx(rho, rel=1e-9)
        assert sigma1 == pytest.approx(math.sqrt(r / (2 * rho / 3)), rel=1e-9)
        assert sigma2 == pytest.approx(math.sqrt((r - 1) / (2 * rho / 3)), rel=1e-9)
        # r one-way tables and r - 1 tree tables were measured
        assert len(calls["gauss"]) == 2 * r - 1
        for counts, out, _ in calls["gauss"][:r]:
            residuals[0].append(out - counts)
        for counts, out, _ in calls["gauss"][r:]:
            residuals[1].append(out - counts)
        # the r - 1 selection rounds together spend exactly the selection share of rho
        assert len(calls["select"]) == r - 1
        spent = sum(eps**2 / 8 for eps, _ in calls["select"])
        assert spent == pytest.approx(rho / 3, rel=1e-9)
        assert all(sens == 1.0 for _, sens in calls["select"])
    # the noise actually added has variance sigma**2 (+ 1/12 for the rounding to integers)
    for which, sigma in ((0, sigma1), (1, sigma2)):
        res = np.concatenate(residuals[which])
        lo, hi = _ratio_bounds(res.size, kurtosis_excess=0.0)
        ratio = res.var() / (sigma**2 + 1 / 12)
        assert lo <= ratio <= hi, (which, ratio)


def test_exponential_mechanism_selection_law():
    """The selection primitive draws index i with probability ∝ exp(eps * score_i / 2)."""
    rng = np.random.default_rng(4)
    scores = np.array([0.0, 1.0, 2.0, 4.0])
    eps, n = 1.0, 40_000
    picks = np.bincount([_mst.exponential_mechanism(scores, eps, 1.0, rng) for _ in range(n)], minlength=4)
    p = np.exp(eps * scores / 2)
    p /= p.sum()
    from scipy import stats

    assert stats.chisquare(picks, p * n).pvalue > 1e-4
