"""Tests of sklearn_anon.dp: distributions, empirical privacy audits, budget, pipelines."""

import math
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_anon import (
    DPGroupMeanEncoder,
    DPKBinsDiscretizer,
    GaussianNoise,
    LaplaceNoise,
    PrivacyLeakWarning,
    RandomizedResponse,
    SharedAccountant,
    estimate_frequencies,
    privacy_budget,
)
from sklearn_anon._compat import BudgetAccountant, dp_mechanisms, dp_models
from sklearn_anon.dp import _sampling as s
from diffprivlib.utils import BudgetError  # noqa: E402  (test-only: the accountant's error class)

N_KS = 200_000


def _noise_column(n, lo=0.0, hi=10.0, seed=12345):
    return pd.DataFrame({"v": np.random.default_rng(seed).uniform(lo, hi, n)})


# -- distribution against diffprivlib ---------------------------------------------
def test_laplace_matches_diffprivlib_ks():
    X = _noise_column(N_KS)
    mech = LaplaceNoise(epsilon=1.0, bounds=(0, 10), random_state=0).fit(X)
    ours = (mech.transform(X)["v"].to_numpy() - X["v"].to_numpy()) / mech.scale_["v"]
    peer = dp_mechanisms.Laplace(epsilon=1.0, sensitivity=10.0, random_state=1)
    theirs = np.array([peer.randomise(0.0) for _ in range(N_KS)]) / 10.0
    assert stats.ks_2samp(ours, theirs).pvalue > 0.01
    # a deliberately mis-scaled mechanism (epsilon 1.1 sold as 1.0) fails the same test
    bad = LaplaceNoise(epsilon=1.1, bounds=(0, 10), random_state=0).fit(X)
    bad_noise = (bad.transform(X)["v"].to_numpy() - X["v"].to_numpy()) / mech.scale_["v"]
    assert stats.ks_2samp(bad_noise, theirs).pvalue < 0.01


def test_analytic_sigma_equals_diffprivlib():
    for eps, delta, sens in [(0.1, 1e-5, 1.0), (1.0, 1e-6, 3.5), (5.0, 1e-3, 100.0), (0.5, 0.1, 0.01)]:
        peer = dp_mechanisms.GaussianAnalytic(epsilon=eps, delta=delta, sensitivity=sens)
        assert s.analytic_gaussian_sigma(eps, delta, sens) == pytest.approx(peer._scale, rel=1e-12)


def test_gaussian_matches_diffprivlib_ks():
    X = _noise_column(N_KS)
    mech = GaussianNoise(epsilon=1.0, delta=1e-5, bounds=(0, 10), random_state=0).fit(X)
    peer = dp_mechanisms.GaussianAnalytic(epsilon=1.0, delta=1e-5, sensitivity=10.0, random_state=1)
    # the grid step adds 2**-20 of the scale to the sensitivity, nothing more
    assert mech.sigma_["v"] == pytest.approx(peer._scale, rel=1e-5)
    ours = (mech.transform(X)["v"].to_numpy() - X["v"].to_numpy()) / mech.sigma_["v"]
    theirs = np.array([peer.randomise(0.0) for _ in range(N_KS)]) / peer._scale
    assert stats.ks_2samp(ours, theirs).pvalue > 0.01
    bad = GaussianNoise(epsilon=1.2, delta=1e-5, bounds=(0, 10), random_state=0).fit(X)
    bad_noise = (bad.transform(X)["v"].to_numpy() - X["v"].to_numpy()) / mech.sigma_["v"]
    assert stats.ks_2samp(bad_noise, theirs).pvalue < 0.01


def test_release_lives_on_the_grid_whatever_the_low_bits():
    """Mironov's attack needs input-dependent output sets: ours is a fixed grid."""
    x = np.array([[3.0], [3.0 + 1e-12], [np.nextafter(3.0, 4.0)], [7.123456789]])
    mech = LaplaceNoise(epsilon=0.5, bounds=(0, 10), random_state=0).fit(x)
    step = mech.mechanisms_["x0"]["step"]
    assert step == 2.0 ** math.floor(math.log2(step))  # a power of two
    out = np.concatenate([mech.transform(x) for _ in range(50)]).ravel()
    assert np.array_equal(out / step, np.rint(out / step))
    g = GaussianNoise(epsilon=0.5, bounds=(0, 10), random_state=0).fit(x)
    gout = g.transform(x).ravel()
    gstep = g.mechanisms_["x0"]["step"]
    assert np.array_equal(gout / gstep, np.rint(gout / gstep))


@settings(max_examples=40, deadline=None)
@given(
    lo=st.floats(-1e6, 1e6),
    width=st.floats(1e-3, 1e6),
    eps=st.floats(1e-3, 1e3),
    values=st.lists(st.floats(-1e7, 1e7) | st.just(float("nan")), min_size=1, max_size=30),
)
def test_laplace_release_properties(lo, width, eps, values):
    """Any bounds/epsilon/values: rows kept, NaN kept (passthrough), release on the grid, noise of the right size."""
    hi = lo + width
    X = pd.DataFrame({"v": values})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyLeakWarning)  # missing='passthrough' warns
        mech = LaplaceNoise(epsilon=eps, bounds=(lo, hi), missing="passthrough", random_state=0).fit(X)
    out = mech.transform(X)["v"].to_numpy()
    state = mech.mechanisms_["v"]
    assert out.shape == (len(values),)
    assert np.array_equal(np.isnan(out), X["v"].isna().to_numpy())
    imputed = LaplaceNoise(epsilon=eps, bounds=(lo, hi), missing="impute", random_state=0).fit(X)
    assert not np.isnan(imputed.transform(X)["v"].to_numpy()).any()
    ok = ~np.isnan(out)
    assert np.array_equal(out[ok] / state["step"], np.rint(out[ok] / state["step"]))
    assert state["scale"] == pytest.approx(width / eps, rel=2e-6)
    # |noise| <= 40 scales except with probability about e^-40
    clipped = np.clip(X["v"].to_numpy()[ok], lo, hi)
    assert np.all(np.abs(out[ok] - clipped) <= 40 * state["scale"] + state["step"])


def test_two_sided_geometric_pmf():
    rng = np.random.default_rng(2024)
    t = 2.0
    k = s.two_sided_geometric(rng, t, 400_000)
    a = math.exp(-1 / t)
    values, counts = np.unique(k, return_counts=True)
    for v in range(-4, 5):
        expected = (1 - a) / (1 + a) * a ** abs(v)
        observed = counts[values == v][0] / k.size
        assert observed == pytest.approx(expected, abs=4 * math.sqrt(expected / k.size) + 1e-4)


# -- empirical privacy audit ---------------------------------------------------------
def _max_excess_log_ratio(out_a, out_b, edges, eps, min_count=1000, z=4.5):
    """max over well-populated bins of |log(pa/pb)| minus statistical slack, minus eps."""
    ca, _ = np.histogram(out_a, edges)
    cb, _ = np.histogram(out_b, edges)
    ok = (ca >= min_count) & (cb >= min_count)
    assert ok.sum() >= 3, "audit has too few populated bins"
    ca, cb = ca[ok].astype(float), cb[ok].astype(float)
    log_ratio = np.abs(np.log((ca / out_a.size) / (cb / out_b.size)))
    slack = z * np.sqrt(1 / ca + 1 / cb)
    return float(np.max(log_ratio - slack - eps))


def _audit_numeric(cls, claimed_eps, actual_eps, n=300_000, **kw):
    lo, hi = 0.0, 1.0
    X = pd.DataFrame({"v": np.r_[np.full(n, lo), np.full(n, hi)]})
    mech = cls(epsilon=actual_eps, bounds=(lo, hi), random_state=42, **kw).fit(X)
    out = mech.transform(X)["v"].to_numpy()
    spread = 1.0 / claimed_eps
    edges = np.linspace(lo - 6 * spread, hi + 6 * spread, 61)
    return _max_excess_log_ratio(out[:n], out[n:], edges, claimed_eps)


@pytest.mark.parametrize("eps", [0.25, 1.0, 2.0])
def test_laplace_privacy_audit(eps):
    assert _audit_numeric(LaplaceNoise, eps, eps) <= 0
    # the same audit flags a mechanism whose scale is halved (it really spends 2 eps)
    assert _audit_numeric(LaplaceNoise, eps, 2 * eps) > 0


@pytest.mark.parametrize("eps", [0.5, 2.0])
def test_randomized_response_privacy_audit(eps):
    n, cats = 200_000, ["a", "b", "c", "d"]

    def excess(actual):
        X = pd.DataFrame({"c": ["a"] * n + ["b"] * n})
        rr = RandomizedResponse(epsilon=actual, categories=cats, random_state=7).fit(X)
        out = rr.transform(X)["c"].to_numpy()
        ca = pd.Series(out[:n]).value_counts().reindex(cats, fill_value=0).to_numpy(float)
        cb = pd.Series(out[n:]).value_counts().reindex(cats, fill_value=0).to_numpy(float)
        log_ratio = np.abs(np.log(ca / cb))
        return float(np.max(log_ratio - 4.5 * np.sqrt(1 / ca + 1 / cb) - eps))

    assert excess(eps) <= 0
    assert excess(2 * eps) > 0


def test_gaussian_audit_within_its_privacy_loss():
    """Gaussian: bins where the privacy loss of the ideal mechanism is <= eps pass the eps check."""
    eps, delta, n = 1.0, 1e-5, 300_000
    X = pd.DataFrame({"v": np.r_[np.zeros(n), np.ones(n)]})
    g = GaussianNoise(epsilon=eps, delta=delta, bounds=(0, 1), random_state=3).fit(X)
    out = g.transform(X)["v"].to_numpy()
    sigma = g.sigma_["v"]
    # the loss at y is |(2y - 1) / (2 sigma^2)|; keep the bins where it is <= eps
    half = eps * sigma**2
    edges = np.linspace(0.5 - half, 0.5 + half, 31)
    assert _max_excess_log_ratio(out[:n], out[n:], edges, eps) <= 0
    # a sigma halved is flagged on the same bins
    g2 = GaussianNoise(epsilon=eps * 4, delta=delta, bounds=(0, 1), random_state=3).fit(X)
    out2 = g2.transform(X)["v"].to_numpy()
    assert _max_excess_log_ratio(out2[:n], out2[n:], np.linspace(0.5 - 3, 0.5 + 3, 61), eps, min_count=300) > 0


# -- randomized response and frequency estimation -----------------------------------------
@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("eps", [0.5, 3.0])
def test_randomized_response_output_distribution(k, eps):
    """Given a true category, the release follows p / (1-p)/(k-1) exactly (chi-square)."""
    n = 100_000
    cats = [f"c{i}" for i in range(k)]
    X = pd.DataFrame({"c": ["c0"] * n})
    out = RandomizedResponse(epsilon=eps, categories=cats, random_state=11).fit_transform(X)["c"]
    counts = out.value_counts().reindex(cats, fill_value=0).to_numpy()
    p = math.exp(eps) / (math.exp(eps) + k - 1)
    expected = n * np.r_[p, np.full(k - 1, (1 - p) / (k - 1))]
    assert stats.chisquare(counts, expected).pvalue > 0.001
    wrong_p = math.exp(1.1 * eps) / (math.exp(1.1 * eps) + k - 1)
    wrong = n * np.r_[wrong_p, np.full(k - 1, (1 - wrong_p) / (k - 1))]
    assert stats.chisquare(counts, wrong).pvalue < 0.001


def test_estimate_frequencies_recovers_truth():
    rng = np.random.default_rng(2024)
    cats = ["a", "b", "c"]
    truth = np.array([0.6, 0.3, 0.1])
    X = pd.DataFrame({"c": rng.choice(cats, 200_000, p=truth)})
    rr = RandomizedResponse(epsilon=1.0, categories=cats, random_state=0).fit(X)
    released = rr.transform(X)["c"]
    counts = released.value_counts().reindex(cats, fill_value=0)
    raw = counts.to_numpy() / counts.sum()
    assert np.abs(raw - truth).max() > 0.1  # the release itself is far from the truth
    est = estimate_frequencies(counts, epsilon=1.0)
    assert list(est.index) == cats
    np.testing.assert_allclose(est.to_numpy(), truth, atol=0.01)


@settings(max_examples=50, deadline=None)
@given(
    eps=st.floats(0.05, 8.0),
    freqs=st.lists(st.integers(0, 1000), min_size=2, max_size=8).filter(lambda f: sum(f) > 0),
)
def test_estimate_frequencies_inverts_expected_counts(eps, freqs):
    truth = np.asarray(freqs, float) / sum(freqs)
    k = truth.size
    p = s.randomized_response_keep_probability(eps, k)
    expected = p * truth + (1 - p) / (k - 1) * (1 - truth)
    np.testing.assert_allclose(estimate_frequencies(expected * 1000, eps), truth, atol=1e-9)


def test_estimate_frequencies_bad_input():
    for counts, eps in (([1, 2], 0), ([1, 2], -1.0), ([5], 1.0), ([0, 0], 1.0), ([-1, 3], 1.0)):
        with pytest.raises(ValueError):
            estimate_frequencies(counts, eps)


def test_privacy_budget_needs_a_fitted_estimator():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        privacy_budget(Pipeline([("noise", LaplaceNoise(bounds=(0, 1)))]))


def test_randomized_response_keeps_dtype_and_unknowns_are_random():
    X = pd.DataFrame({"c": pd.Series(["a", "b", "zzz-secret", None] * 500, dtype="object")})
    rr = RandomizedResponse(epsilon=50.0, categories=["a", "b"], random_state=0).fit(X)
    out = rr.transform(X)["c"]
    assert set(out.unique()) <= {"a", "b"}  # the unknown value never leaves
    assert (out.iloc[::4] == "a").all()  # eps=50: known values kept
    cat = X.astype({"c": pd.CategoricalDtype(["a", "b", "zzz-secret"])})
    out_cat = RandomizedResponse(epsilon=1.0, categories=["a", "b"], random_state=0).fit_transform(cat)
    assert isinstance(out_cat["c"].dtype, pd.CategoricalDtype)
    assert list(out_cat["c"].cat.categories) == ["a", "b"]


def test_randomized_response_rejects_unrelated_categories():
    X = pd.DataFrame({"zip": [12345, 67890]})
    with pytest.raises(ValueError, match="column 'zip'") as info:
        RandomizedResponse(categories=["a", "b"]).fit(X)
    assert "12345" not in str(info.value)


def test_randomized_response_learnt_categories_warn():
    X = pd.DataFrame({"c": ["x", "y", "x"]})
    with pytest.warns(PrivacyLeakWarning, match="categories learnt"):
        rr = RandomizedResponse(random_state=0).fit(X)
    assert rr.categories_ == {"c": ["x", "y"]}
    assert rr.categories is None


# -- bounds, parameters, randomness ------------------------------------------------------
def test_bounds_from_data_warn_and_params_untouched():
    X = pd.DataFrame({"a": [1.0, 5.0, 3.0], "b": [10, 20, 30]})
    mech = LaplaceNoise(bounds={"a": (0, 10)}, random_state=0)
    with pytest.warns(PrivacyLeakWarning, match="'b'"):
        mech.fit(X)
    assert mech.bounds == {"a": (0, 10)}
    assert mech.bounds_ == {"a": (0.0, 10.0), "b": (10.0, 30.0)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LaplaceNoise(bounds=(0, 100)).fit(X)  # given bounds: no warning


def test_clipping_and_pandas_roundtrip():
    idx = pd.Index([10, 11, 12], name="id")
    X = pd.DataFrame({"a": [-1e9, 5.0, np.inf], "s": ["x", "y", "z"]}, index=idx)
    mech = LaplaceNoise(epsilon=1e6, bounds=(0, 10), columns=["a"], random_state=0)
    out = mech.fit_transform(X)
    assert out.index.equals(idx) and list(out.columns) == ["a", "s"]
    assert out["a"].dtype == np.float64 and out["s"].equals(X["s"])
    np.testing.assert_allclose(out["a"], [0, 5, 10], atol=1e-3)
    arr = LaplaceNoise(bounds=(0, 1), random_state=0).fit(np.zeros((4, 2))).transform(np.zeros((4, 2)))
    assert isinstance(arr, np.ndarray) and arr.shape == (4, 2)
    pdout = LaplaceNoise(bounds=(0, 1)).set_output(transform="pandas").fit_transform(np.zeros((4, 2)))
    assert list(pdout.columns) == ["x0", "x1"]


@pytest.mark.parametrize("cls", [LaplaceNoise, GaussianNoise])
def test_missing_values_error_by_default_naming_column_and_count(cls):
    # regression (issue 13.4): NaN went through unchanged while epsilon was charged
    X = pd.DataFrame({"a": [1.0, np.nan, 3.0, np.nan], "n": pd.array([1, None, 3, 4], dtype="Int64")})
    acc = BudgetAccountant()
    mech = cls(bounds=(0, 5), accountant=acc, random_state=0).fit(X)
    with pytest.raises(ValueError, match="column 'a' has 2 missing value") as info:
        mech.transform(X)
    assert "1.0" not in str(info.value) and "3.0" not in str(info.value)
    assert acc.spent_budget == []  # nothing released, nothing charged
    out = mech.transform(X.fillna({"a": 2.0, "n": 2}))
    assert not out.isna().any().any()


@pytest.mark.parametrize("cls", [LaplaceNoise, GaussianNoise])
def test_missing_impute_hides_missingness(cls):
    n = 20_000
    X = pd.DataFrame({"a": np.r_[np.full(n, np.nan), np.full(n, 5.0)]})
    mech = cls(epsilon=2.0, bounds=(0, 10), missing="impute", random_state=0).fit(X)
    out = mech.transform(X)["a"].to_numpy()
    assert not np.isnan(out).any()  # noisy everywhere
    # a missing value is released as the mechanism applied to a uniform value in the bounds:
    # its mean is the bounds' midpoint (5) and its spread that of the noise plus U(0, 10)
    missing_part, present = out[:n], out[n:]
    assert abs(missing_part.mean() - 5.0) < 0.2
    noise_var = present.var()
    assert missing_part.var() == pytest.approx(noise_var + 100 / 12, rel=0.1)


def test_missing_passthrough_warns_and_keeps_nan():
    X = pd.DataFrame({"a": [1.0, np.nan, 3.0], "n": pd.array([1, None, 3], dtype="Int64")})
    for cls in (LaplaceNoise, GaussianNoise):
        with pytest.warns(PrivacyLeakWarning, match="missing='passthrough'"):
            mech = cls(bounds=(0, 5), missing="passthrough", random_state=0).fit(X)
        out = mech.transform(X)
        assert out.isna().to_numpy().tolist() == [[False, False], [True, True], [False, False]]


def test_missing_param_validated():
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="missing"):
        LaplaceNoise(bounds=(0, 1), missing="drop").fit(pd.DataFrame({"a": [0.5]}))


def test_other_dp_estimators_hide_or_drop_missing_values():
    """The other DP estimators are fail-closed on NaN: randomized response draws a
    uniform category, the central ones leave NaN rows out of the statistics."""
    X = pd.DataFrame({"c": ["a", None] * 2000})
    out = RandomizedResponse(epsilon=50.0, categories=["a", "b"], random_state=0).fit_transform(X)["c"]
    assert out.notna().all()
    assert (out.iloc[1::2] == "b").mean() == pytest.approx(0.5, abs=0.05)  # missing -> uniform
    v = pd.DataFrame({"g": ["x", "y"] * 500, "v": np.r_[np.full(500, np.nan), np.full(500, 10.0)]})
    enc = DPGroupMeanEncoder(epsilon=5.0, value_column="v", bounds=(0, 20), min_count=1,
                             categories={"g": ["x", "y"]}, random_state=0).fit(v)
    assert enc.noisy_counts_.sum() == pytest.approx(500, abs=20)  # NaN rows not counted
    assert not enc.transform(v).isna().any().any()


def test_random_state_reproducible_and_independent():
    X = pd.DataFrame({"a": np.zeros(2000), "b": np.zeros(2000)})

    def fitted(rs):
        return LaplaceNoise(bounds=(0, 1), random_state=rs).fit(X)

    first, second = fitted(0), fitted(0)
    a1, a2 = first.transform(X), first.transform(X)
    assert a1.equals(second.transform(X))  # an int reproduces the run
    assert not np.allclose(a1, a2)  # but two calls get different noise
    assert abs(np.corrcoef(a1["a"], a1["b"])[0, 1]) < 0.1  # columns independent
    assert abs(np.corrcoef(a1["a"], a2["a"])[0, 1]) < 0.1  # calls independent
    n1, n2 = fitted(None).transform(X), fitted(None).transform(X)
    assert not np.allclose(n1, n2)  # None: fresh OS randomness each time
    assert s.make_rng(None).integers(0, 2**62) != s.make_rng(None).integers(0, 2**62)


def test_numpy_generator_accepted_as_random_state():
    X = pd.DataFrame({"a": np.zeros(5)})
    gen = np.random.default_rng(1)
    out1 = LaplaceNoise(bounds=(0, 1), random_state=gen).fit_transform(X)
    out2 = LaplaceNoise(bounds=(0, 1), random_state=np.random.default_rng(1)).fit_transform(X)
    assert out1.equals(out2)


def test_concurrent_transforms_of_one_fitted_estimator():
    from concurrent.futures import ThreadPoolExecutor

    X = pd.DataFrame({"a": np.zeros(20_000)})
    mech = LaplaceNoise(bounds=(0, 1)).fit(X)
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: mech.transform(X)["a"].to_numpy(), range(8)))
    assert all(o.shape == (20_000,) for o in outs)
    assert len({o[:5].tobytes() for o in outs}) == 8  # independent noise per call


def test_pickle_keeps_fitted_state_but_no_generator():
    X = pd.DataFrame({"a": np.arange(10.0)})
    mech = LaplaceNoise(bounds=(0, 10), random_state=3).fit(X)
    loaded = pickle.loads(pickle.dumps(mech))
    assert loaded.mechanisms_ == mech.mechanisms_ and loaded.bounds_ == mech.bounds_
    out = loaded.transform(X)["a"].to_numpy()
    assert np.all((out != X["a"].to_numpy()))


# -- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [LaplaceNoise, GaussianNoise, RandomizedResponse])
@pytest.mark.parametrize("eps", [0, -1.0])
def test_epsilon_must_be_positive(cls, eps):
    X = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match="epsilon"):
        cls(epsilon=eps, bounds=(0, 3)).fit(X) if cls is not RandomizedResponse else cls(epsilon=eps).fit(X)
    with pytest.raises(ValueError, match="epsilon for column 'a'"):
        cls(epsilon={"a": eps}).fit(X)


@pytest.mark.parametrize("bounds", [(5, 5), (6, 1), (0, np.inf), (1, 2, 3)])
def test_bad_bounds(bounds):
    X = pd.DataFrame({"income": [1.0, 2.0]})
    for cls in (LaplaceNoise, GaussianNoise, DPKBinsDiscretizer):
        with pytest.raises(ValueError, match="bounds for column 'income'"):
            cls(bounds=bounds).fit(X)


def test_non_numeric_column_rejected_without_values():
    X = pd.DataFrame({"age": [30, 40], "email": ["alice@secret.org", "bob@secret.org"]})
    for cls in (LaplaceNoise, GaussianNoise, DPKBinsDiscretizer):
        with pytest.raises(TypeError, match="'email'") as info:
            cls(bounds=(0, 100)).fit(X)
        assert "secret" not in str(info.value)
    mech = LaplaceNoise(bounds=(0, 100)).fit(X[["age"]])
    with pytest.raises(TypeError, match="'age'") as info:
        mech.transform(pd.DataFrame({"age": ["alice@secret.org", "x"]}))
    assert "secret" not in str(info.value)


# -- accountant and budget --------------------------------------------------------------------
def test_accountant_resolved_in_fit_and_spent_per_release():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]})
    mech = LaplaceNoise(epsilon={"a": 0.3, "b": 0.2}, bounds=(0, 3))
    assert mech.accountant is None
    acc = BudgetAccountant(epsilon=1.0)
    mech.set_params(accountant=acc).fit(X)
    assert mech.accountant_ is acc and acc.spent_budget == []
    mech.transform(X)
    mech.transform(X)
    assert acc.total() == pytest.approx((1.0, 0.0))
    with pytest.raises(BudgetError):
        mech.transform(X)
    default = LaplaceNoise(bounds=(0, 3)).fit(X)
    assert default.accountant_ is BudgetAccountant.load_default(None)


def test_central_steps_check_budget_before_work():
    X = pd.DataFrame({"a": np.arange(100.0)})
    acc = BudgetAccountant(epsilon=0.5)
    kb = DPKBinsDiscretizer(epsilon=1.0, bounds=(0, 100), accountant=acc)
    with pytest.raises(BudgetError):
        kb.fit(X)
    assert not hasattr(kb, "bin_edges_") and acc.spent_budget == []
    DPKBinsDiscretizer(epsilon=0.4, bounds=(0, 100), accountant=acc, random_state=0).fit(X)
    assert acc.total()[0] == pytest.approx(0.4)


def test_privacy_budget_three_columns():
    X = pd.DataFrame({"age": [30.0, 40, 50], "income": [1.0, 2, 3], "hours": [20.0, 40, 60], "y": [0, 1, 0]})
    ct = ColumnTransformer([
        ("age", LaplaceNoise(epsilon=0.5, bounds=(0, 100)), ["age"]),
        ("income", GaussianNoise(epsilon=0.3, delta=1e-6, bounds=(0, 10)), ["income"]),
        ("hours", LaplaceNoise(epsilon=0.2, bounds=(0, 99)), ["hours"]),
    ])
    pipe = Pipeline([("noise", ct), ("clf", LogisticRegression())]).fit(X.drop(columns="y"), X["y"])
    budget = privacy_budget(pipe)
    assert budget.epsilon == pytest.approx(1.0, abs=1e-12)
    assert budget.local_epsilon == pytest.approx(1.0) and budget.central_epsilon == 0
    assert budget.delta == pytest.approx(1e-6)
    assert [st_["name"] for st_ in budget.steps] == ["noise__age", "noise__income", "noise__hours"]
    # the same with one transformer and per-column epsilons
    one = LaplaceNoise(epsilon={"age": 0.5, "income": 0.3, "hours": 0.2}, bounds=(0, 100)).fit(X.drop(columns="y"))
    assert privacy_budget(one).epsilon == pytest.approx(1.0)


def test_privacy_budget_lists_central_steps():
    rng = np.random.default_rng(2024)
    X = pd.DataFrame({"a": rng.uniform(0, 10, 300), "b": rng.uniform(0, 10, 300)})
    y = (X["a"] > 5).astype(int)
    pipe = Pipeline([
        ("noise", LaplaceNoise(epsilon=0.5, bounds=(0, 10), columns=["a"], random_state=0)),
        ("bins", DPKBinsDiscretizer(epsilon=0.25, bounds=(0, 10), columns=["b"], random_state=0)),
        ("nb", dp_models.GaussianNB(epsilon=0.75, bounds=([0, 0], [10, 10]), random_state=0)),
    ]).fit(X, y)
    budget = privacy_budget(pipe)
    kinds = {st_["name"]: (st_["kind"], st_["epsilon"]) for st_ in budget.steps}
    assert kinds == {"noise": ("local", 0.5), "bins": ("central", 0.25), "nb": ("central", 0.75)}
    assert budget.epsilon == pytest.approx(1.5)


# -- pipelines and grid search -------------------------------------------------------------------
def _mixed_data(n=600, seed=777):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "age": rng.uniform(18, 90, n),
        "hours": rng.uniform(0, 80, n),
        "sector": rng.choice(["public", "private", "self"], n),
    })
    y = ((X["age"] > 45) | (X["sector"] == "self")).astype(int).to_numpy()
    return X, y


def test_grid_search_over_epsilon_pickles():
    X, y = _mixed_data()
    acc = SharedAccountant()  # worker processes (n_jobs=2) spend on it
    pre = ColumnTransformer([
        ("num", Pipeline([
            ("noise", LaplaceNoise(bounds={"age": (18, 90), "hours": (0, 80)}, random_state=0, accountant=acc)),
            ("scale", StandardScaler()),
        ]), ["age", "hours"]),
        ("cat", Pipeline([
            ("rr", RandomizedResponse(categories=["public", "private", "self"], random_state=0, accountant=acc)),
            ("onehot", OneHotEncoder(handle_unknown="ignore")),
        ]), ["sector"]),
    ])
    pipe = Pipeline([("pre", pre), ("clf", LogisticRegression())])
    grid = GridSearchCV(
        pipe,
        {"pre__num__noise__epsilon": [0.05, 20.0], "pre__cat__rr__epsilon": [0.05, 20.0]},
        cv=3, n_jobs=2,
    ).fit(X, y)
    # the workers' spends reached the shared accountant: per candidate and fold, one
    # fit_transform and one scoring transform of each mechanism, then the refit's fit_transform
    per_fold = sum(2 * (2 * e_num + e_cat) for e_num in (0.05, 20.0) for e_cat in (0.05, 20.0))
    assert acc.total()[0] == pytest.approx(3 * per_fold + 60.0)
    best = grid.best_params_
    assert best == {"pre__num__noise__epsilon": 20.0, "pre__cat__rr__epsilon": 20.0}
    scores = grid.cv_results_["mean_test_score"]
    assert scores.max() - scores.min() > 0.1  # epsilon matters
    loaded = pickle.loads(pickle.dumps(grid.best_estimator_))
    np.testing.assert_array_equal(loaded.predict(X), grid.best_estimator_.predict(X))
    # regression (issue 13.2): each record went through 4 candidates x 3 folds + the refit,
    # not one release of the best candidate (60)
    budget = privacy_budget(grid)
    per_candidate = sorted(2 * e_num + e_cat for e_num in (0.05, 20.0) for e_cat in (0.05, 20.0))
    assert sorted(budget.search["candidate_epsilon"]) == pytest.approx(per_candidate)
    assert budget.search["releases"] == 13
    assert budget.epsilon == pytest.approx(3 * sum(per_candidate) + 60.0) == pytest.approx(420.9)
    assert [st_["epsilon"] for st_ in budget.steps] == pytest.approx([40.0, 20.0])  # the refit
    assert privacy_budget(grid.best_estimator_).epsilon == pytest.approx(60.0)  # one more release


def test_grid_search_with_diffprivlib_gaussian_nb():
    X, y = _mixed_data()
    X = X[["age", "hours"]]
    y = (X["age"] > 45).astype(int).to_numpy()
    pipe = Pipeline([
        ("noise", LaplaceNoise(bounds={"age": (18, 90), "hours": (0, 80)}, random_state=0,
                               accountant=SharedAccountant())),
        ("nb", dp_models.GaussianNB(bounds=([18, 0], [90, 80]), random_state=0)),
    ])
    grid = GridSearchCV(
        pipe, {"noise__epsilon": [0.05, 10.0], "nb__epsilon": [0.05, 10.0]}, cv=3, n_jobs=2
    ).fit(X, y)
    assert grid.best_params_["noise__epsilon"] == 10.0
    assert grid.best_score_ > 0.8
    loaded = pickle.loads(pickle.dumps(grid.best_estimator_))
    np.testing.assert_array_equal(loaded.predict(X), grid.best_estimator_.predict(X))
    budget = privacy_budget(grid.best_estimator_)
    assert budget.epsilon == pytest.approx(2 * grid.best_params_["noise__epsilon"] + grid.best_params_["nb__epsilon"])


# -- central statistics ----------------------------------------------------------------------------------
def test_group_mean_encoder_close_to_truth_and_falls_back():
    rng = np.random.default_rng(2024)
    n = 20_000
    X = pd.DataFrame({"band": rng.choice(["<30", "30-60", ">60"], n), "sex": rng.choice(["F", "M"], n)})
    truth = {"<30": 20.0, "30-60": 50.0, ">60": 80.0}
    y = X["band"].map(truth).to_numpy() + rng.normal(0, 5, n)
    cats = {"band": ["<30", "30-60", ">60", "unused"], "sex": ["F", "M"]}
    enc = DPGroupMeanEncoder(epsilon=1.0, bounds=(0, 100), categories=cats, random_state=0).fit(X, y)
    assert enc.means_.shape == (8,)
    assert enc.means_.loc[("unused", "F")] != enc.means_.loc[("unused", "F")]  # NaN: fallback
    for band, mean in truth.items():
        assert enc.means_.loc[(band, "F")] == pytest.approx(mean, abs=1.0)
    new = pd.DataFrame({"band": ["<30", "unused", "never-seen", None], "sex": ["F", "M", "F", "M"]})
    out = enc.transform(new)
    assert list(out.columns) == ["y_group_mean"]
    assert out.iloc[0, 0] == pytest.approx(20, abs=1.0)
    assert (out.iloc[1:, 0] == enc.global_mean_).all()
    assert enc.global_mean_ == pytest.approx(np.mean(y), abs=2.0)


def test_group_mean_encoder_value_column_budget_and_errors():
    X = pd.DataFrame({"g": ["a", "b"] * 50, "v": np.arange(100.0)})
    acc = BudgetAccountant(epsilon=1.0)
    with pytest.warns(PrivacyLeakWarning):
        enc = DPGroupMeanEncoder(epsilon=0.6, value_column="v", accountant=acc, random_state=0).fit(X)
    assert enc.bounds_ == (0.0, 99.0) and enc.bounds is None and enc.group_columns_ == ["g"]
    assert acc.total()[0] == pytest.approx(0.6)
    with pytest.raises(BudgetError):
        DPGroupMeanEncoder(epsilon=0.6, value_column="v", bounds=(0, 99), categories={"g": ["a", "b"]},
                           accountant=acc).fit(X)
    big = pd.DataFrame({"x": np.arange(1000), "z": np.arange(1000)})
    with pytest.raises(ValueError, match="max_groups"), warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyLeakWarning)
        DPGroupMeanEncoder(bounds=(0, 1), max_groups=1000).fit(big, np.zeros(1000))


def test_dp_kbins_close_to_quantiles():
    rng = np.random.default_rng(2025)
    X = pd.DataFrame({"a": rng.normal(50, 10, 20_000), "b": rng.uniform(0, 1, 20_000)})
    X.loc[0, "a"] = np.nan
    kb = DPKBinsDiscretizer(n_bins=4, epsilon=2.0, bounds={"a": (0, 100), "b": (0, 1)}, random_state=0)
    out = kb.fit_transform(X)
    for col, (lo, hi) in kb.bounds_.items():
        edges = kb.bin_edges_[col]
        assert edges[0] == lo and edges[-1] == hi and np.all(np.diff(edges) >= 0)
        true = np.nanquantile(X[col], [0.25, 0.5, 0.75])
        np.testing.assert_allclose(edges[1:-1], true, atol=0.02 * (hi - lo))
    assert np.isnan(out.loc[0, "a"])
    counts = out["b"].value_counts(normalize=True).sort_index()
    np.testing.assert_allclose(counts, 0.25, atol=0.02)


def test_group_mean_value_column_cannot_be_a_group_column():
    # regression: the value column was accepted among the group columns, so
    # every row got the (noisy) mean of its own value
    X = pd.DataFrame({"g": ["a", "b"] * 50, "v": np.arange(100.0) % 5})
    with pytest.raises(ValueError, match="value_column 'v' cannot also be a group column"):
        DPGroupMeanEncoder(value_column="v", columns=["g", "v"], bounds=(0, 5)).fit(X)
    enc = DPGroupMeanEncoder(value_column="v", columns=["g"], bounds=(0, 5), random_state=0).fit(X)
    assert enc.group_columns_ == ["g"]


def test_group_mean_encoder_typo_in_categories_key_warns():
    import warnings

    from sklearn_anon import DPGroupMeanEncoder, UnusedColumnParameterWarning

    X = pd.DataFrame({"zip3": ["021", "100", "021", "100"] * 10})
    y = np.arange(40.0)
    enc = DPGroupMeanEncoder(epsilon=1.0, bounds=(0, 40), categories={"zpi3": ["021", "100"]},
                             random_state=0)
    with pytest.warns(UnusedColumnParameterWarning, match="'zpi3'.*'zip3'"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # learnt-categories leak warning
            warnings.simplefilter("always", category=UnusedColumnParameterWarning)
            enc.fit(X, y)


# -- categorical dtypes are not declared domains (issue 13.3) ------------------------------
def test_group_mean_encoder_warns_on_categorical_dtype_built_from_data():
    # regression: astype("category") categories were trusted as public without a warning,
    # so a single record's rare value was released as part of the "public" domain
    X = pd.DataFrame({"country": ["US"] * 40 + ["Holand-Netherlands"]}).astype("category")
    y = np.zeros(41)
    with pytest.warns(PrivacyLeakWarning, match="'country'.*categorical dtype is not a declaration"):
        enc = DPGroupMeanEncoder(bounds=(0, 1), random_state=0).fit(X, y)
    assert enc.categories_["country"] == ["Holand-Netherlands", "US"]  # the dtype's categories
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)  # declared: silent
        DPGroupMeanEncoder(bounds=(0, 1), categories={"country": ["US", "NL"]}, random_state=0).fit(X, y)


def test_randomized_response_same_rule_for_categorical_dtype():
    X = pd.DataFrame({"c": pd.Categorical(["x", "y", "x"], categories=["x", "y", "z"])})
    with pytest.warns(PrivacyLeakWarning, match="categorical dtype is not a declaration"):
        rr = RandomizedResponse(random_state=0).fit(X)
    # read from the data: the categories that occur, never an unused one of the dtype
    # (it may name a record of another split: test_contracts' category-unused-in-fit)
    assert rr.categories_ == {"c": ["x", "y"]}
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)
        RandomizedResponse(categories=["x", "y", "z"], random_state=0).fit(X)


def test_policy_passes_missing_to_the_noise_steps():
    from sklearn_anon.policy import parse_policy

    policy = parse_policy('[columns]\nincome = { action = "laplace", epsilon = 1.0, bounds = [0, 10], '
                          'missing = "impute" }\n')
    ct = policy.build(["income"])
    out = ct.fit_transform(pd.DataFrame({"income": [1.0, np.nan, 3.0]}))
    assert not np.isnan(np.asarray(out, dtype=float)).any()
    with pytest.raises(Exception, match="missing"):
        parse_policy('[columns]\nincome = { action = "laplace", bounds = [0, 1], missing = "drop" }\n')
