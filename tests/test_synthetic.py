"""Tests of sklearn_anon.synthetic (DPSynthesizer, make_fake_pii), its private
helpers (_mst) and the synthetic-quality metrics."""

import math
import re
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier

from sklearn_anon import DPSynthesizer, make_fake_pii, privacy_budget
from sklearn_anon.datasets import adult_schema
from sklearn_anon._compat import BudgetAccountant, PrivacyLeakWarning, dp_tools
from sklearn_anon.metrics import (
    distance_to_closest_record,
    exact_match_rate,
    marginal_tvd,
    pairwise_tvd,
    tstr_score,
)
from sklearn_anon.synthetic import _mst
from sklearn_anon.synthetic._fake_pii import BAD_ADDRESS_RE, _clean_name

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]


def _mixed_frame(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, size=n)
    income = np.round(rng.lognormal(10, 0.5, size=n), 2)
    income[rng.random(n) < 0.1] = np.nan
    city = rng.choice(["Lyon", "Nice", "Paris"], size=n, p=[0.2, 0.3, 0.5])
    return pd.DataFrame({
        "age": age,
        "senior": np.where(age > 60, "yes", "no"),
        "income": income,
        "city": pd.Categorical(city, categories=["Lyon", "Nice", "Paris", "Brest"]),
        "kids": pd.array(np.where(rng.random(n) < 0.05, None, rng.integers(0, 4, size=n)), dtype="Int64"),
        "member": rng.random(n) < 0.3,
        "note": pd.Series(rng.choice(["a", "b", None], size=n), dtype=object),
        "joined": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, size=n), unit="D"),
    })


@pytest.fixture(autouse=True)
def _one_thread():
    """HistGradientBoosting's OpenMP threads thrash on a shared 2-core machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


FAST_HGB = HistGradientBoostingClassifier(max_iter=40, categorical_features="from_dtype", random_state=0)

SCHEMA = {
    "bounds": {
        "age": (0, 100), "income": (0, 200_000), "kids": (0, 10),
        "joined": (pd.Timestamp("2019-01-01"), pd.Timestamp("2025-01-01")),
    },
    "categories": {
        "senior": ["no", "yes"], "note": ["a", "b", None],
        "city": ["Lyon", "Nice", "Paris", "Brest", None],
    },
}


# ---------------------------------------------------------------- accounting
@pytest.mark.parametrize("eps, delta", [(0.3, 1e-9), (1.0, 1e-9), (3.0, 1e-6), (10.0, 1e-5)])
def test_cdp_conversion_is_valid_and_tighter_than_classic(eps, delta):
    rho = _mst.cdp_rho(eps, delta)
    assert _mst.cdp_delta(rho, eps) <= delta
    assert _mst.cdp_delta(rho * 1.01, eps) > delta  # (nearly) the largest
    # classic conversion eps = rho + 2 sqrt(rho log(1/delta)) (Bun & Steinke)
    classic = (math.sqrt(math.log(1 / delta) + eps) - math.sqrt(math.log(1 / delta))) ** 2
    assert rho >= classic * 0.999
    assert _mst.cdp_eps(rho, delta) == pytest.approx(eps, rel=1e-6)


def test_fit_spends_exactly_the_budget():
    X = _mixed_frame(500)
    synth = DPSynthesizer(epsilon=1.0, delta=1e-7, random_state=0, **SCHEMA).fit(X)
    p = X.shape[1]
    s1, s2 = synth.sigma_
    eps_sel = math.sqrt(8 * (synth.rho_ / 3) / (p - 1))
    rho_total = p / (2 * s1**2) + (p - 1) * eps_sel**2 / 8 + (p - 1) / (2 * s2**2)
    assert rho_total == pytest.approx(synth.rho_, rel=1e-9)
    # zCDP part converted to (eps - eps_quantiles, delta), quantiles pure DP
    assert synth.quantile_epsilon_ == pytest.approx(0.1)
    assert _mst.cdp_delta(synth.rho_, 1.0 - synth.quantile_epsilon_) <= 1e-7
    budget = privacy_budget(synth)
    assert (budget.epsilon, budget.delta) == (1.0, 1e-7)
    assert synth.privacy_spent_ == (1.0, 1e-7)


def test_gaussian_noise_has_the_calibrated_scale():
    rng = np.random.default_rng(0)
    noisy = _mst.gaussian_counts(np.full(200_000, 50.0), 7.0, rng)
    assert np.all(noisy == np.rint(noisy))
    assert abs(noisy.mean() - 50) < 0.1
    assert noisy.std() == pytest.approx(7.0, rel=0.02)


def test_exponential_mechanism_distribution():
    rng = np.random.default_rng(1)
    scores = np.array([0.0, 1.0, 2.0, 4.0])
    eps = 1.0
    draws = np.array([_mst.exponential_mechanism(scores, eps, 1.0, rng) for _ in range(20_000)])
    expected = np.exp(eps * scores / 2)
    expected /= expected.sum()
    observed = np.bincount(draws, minlength=4)
    assert stats.chisquare(observed, expected * observed.sum()).pvalue > 1e-3


def test_dp_quantiles_match_diffprivlib_distribution():
    data = np.random.default_rng(2).normal(50, 10, size=200)
    rng = np.random.default_rng(3)
    ours = np.array([_mst.dp_quantiles(data, [0.5], 0.5, (0, 100), rng)[0] for _ in range(300)])
    rs = np.random.RandomState(4)
    theirs = np.array([
        dp_tools.quantile(data, 0.5, epsilon=0.5, bounds=(0, 100), random_state=rs,
                          accountant=BudgetAccountant())
        for _ in range(300)
    ])
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-3
    # and they are noisy medians, not arbitrary numbers
    assert abs(np.median(ours) - np.median(data)) < 5


# ------------------------------------------------------------ post-processing
@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=30), st.floats(0.5, 100))
def test_project_simplex_is_the_euclidean_projection(values, total):
    v = np.array(values)
    x = _mst.project_simplex(v, total)
    assert np.all(x >= 0)
    assert x.sum() == pytest.approx(total, rel=1e-9, abs=1e-9)
    # KKT: x = max(v - theta, 0) for one theta; positive cells share it
    pos = x > 0
    theta = (v - x)[pos]
    assert np.allclose(theta, theta[0])
    assert np.all(v[~pos] <= theta[0] + 1e-9)
    # idempotent
    assert np.allclose(_mst.project_simplex(x, total), x)


def test_rake_matches_both_margins():
    rng = np.random.default_rng(0)
    table = rng.random((4, 5, 2)) + 0.01
    a = rng.random((4, 2))
    b = rng.random((5, 2))
    b *= a.sum(axis=0) / b.sum(axis=0)  # consistent on the shared axis
    out = _mst.rake(table, [((0, 2), a), ((1, 2), b)], n_iter=200)
    assert np.allclose(out.sum(axis=1), a, atol=1e-6)
    assert np.allclose(out.sum(axis=0), b, atol=1e-6)


def test_sample_conditional_follows_the_table():
    rng = np.random.default_rng(5)
    cond = np.array([[0.0, 0.2, 0.8, 0.0], [0.5, 0.0, 0.0, 0.5], [0.0, 0.0, 0.0, 1.0]])
    parents = rng.integers(0, 3, size=60_000)
    codes = _mst.sample_conditional(cond, parents, rng)
    for p in range(3):
        got = np.bincount(codes[parents == p], minlength=4)
        assert np.all(got[cond[p] == 0] == 0)
        nz = cond[p] > 0
        if nz.sum() > 1:
            assert stats.chisquare(got[nz], cond[p][nz] * got.sum()).pvalue > 1e-3


# --------------------------------------------------------------- synthesizer
def test_sample_keeps_dtypes_domains_and_nan():
    X = _mixed_frame()
    synth = DPSynthesizer(epsilon=20.0, random_state=0, **SCHEMA).fit(X)
    S = synth.sample(4000, random_state=1)
    assert list(S.columns) == list(X.columns)
    assert (S.dtypes == X.dtypes).all(), (S.dtypes, X.dtypes)
    assert S["age"].between(0, 100).all()
    assert set(S["senior"]) <= {"no", "yes"}
    assert set(S["city"].dropna()) <= {"Lyon", "Nice", "Paris", "Brest"}
    assert S["income"].isna().mean() == pytest.approx(0.1, abs=0.03)
    assert S["kids"].isna().mean() == pytest.approx(0.05, abs=0.03)
    assert S["joined"].min() >= pd.Timestamp("2019-01-01")
    assert S["joined"].max() <= pd.Timestamp("2025-01-01")
    assert S["member"].mean() == pytest.approx(0.3, abs=0.04)
    assert S["note"].isna().mean() == pytest.approx(1 / 3, abs=0.05)


def test_timezone_aware_datetimes_keep_their_zone():
    when = pd.Series(pd.date_range("2024-01-01", periods=200, freq="h", tz="Europe/Paris"))
    X = pd.DataFrame({"when": when, "n": np.arange(200)})
    bounds = {"when": (when.min(), when.max()), "n": (0, 199)}
    S = DPSynthesizer(epsilon=5.0, bounds=bounds, random_state=0).fit(X).sample(300, random_state=0)
    assert S["when"].dtype == X["when"].dtype
    # NaT is in the domain of a datetime column with declared bounds (the
    # dtype can hold it): only noise puts a little mass there
    assert S["when"].isna().mean() < 0.05
    assert S["when"].dropna().between(when.min(), when.max()).all()


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(1, 60),
    seed=st.integers(0, 2**16),
    with_nan=st.booleans(),
)
def test_any_table_round_trips_its_schema(n, seed, with_nan):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "i": rng.integers(-5, 5, n),
        "f": rng.normal(size=n),
        "s": rng.choice(["u", "v", "w"], n),
        "c": pd.Categorical(rng.choice(["p", "q"], n)),
    })
    if with_nan:
        X.loc[0, "f"] = np.nan
        X.loc[0, "s"] = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyLeakWarning)
        synth = DPSynthesizer(epsilon=1.0, random_state=seed).fit(X)
    S = synth.sample(50, random_state=seed)
    assert (S.dtypes == X.dtypes).all()
    assert S["i"].between(X["i"].min(), X["i"].max()).all()
    f = S["f"].dropna()
    if X["f"].notna().any():  # an all-NaN column has no data bounds (0, 1 used)
        assert f.between(X["f"].min(), X["f"].max()).all()
    assert set(S["s"].dropna()) <= set(X["s"].dropna())
    if not with_nan:  # missing is a value only when the data-read domain had it
        assert S["s"].notna().all()


def test_high_epsilon_reproduces_marginals_and_the_strongest_dependence():
    X = _mixed_frame()
    synth = DPSynthesizer(epsilon=50.0, random_state=0, **SCHEMA).fit(X)
    S = synth.sample(6000, random_state=0)
    tvd1 = marginal_tvd(X, S)
    assert tvd1.max() < 0.08, tvd1
    # senior is a function of age: the tree must join them
    assert ("age", "senior") in synth.tree_ or ("senior", "age") in synth.tree_
    assert ((S["age"] > 60) == (S["senior"] == "yes")).mean() > 0.95
    assert pairwise_tvd(X, S).loc[("age", "senior")] < 0.1


def test_low_epsilon_is_noisier_than_high_epsilon():
    X = _mixed_frame()
    tvds = []
    for eps in (0.05, 50.0):
        S = DPSynthesizer(epsilon=eps, random_state=0, **SCHEMA).fit(X).sample(6000, random_state=0)
        tvds.append(pairwise_tvd(X, S).mean())
    assert tvds[0] > tvds[1]


def test_reproducible_for_fixed_random_states():
    X = _mixed_frame(800)
    a = DPSynthesizer(random_state=3, **SCHEMA).fit(X).sample(300, random_state=7)
    b = DPSynthesizer(random_state=3, **SCHEMA).fit(X).sample(300, random_state=7)
    c = DPSynthesizer(random_state=3, **SCHEMA).fit(X).sample(300, random_state=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_target_mode_keeps_the_label_relation():
    rng = np.random.default_rng(0)
    n = 4000
    X = pd.DataFrame({
        "a": rng.integers(0, 10, n), "b": rng.choice(list("xyz"), n), "c": rng.normal(size=n),
    })
    X["label"] = np.where((X["a"] > 6) | (X["b"] == "x"), "pos", "neg")
    train, test = X.iloc[:3000], X.iloc[3000:]
    bounds = {"a": (0, 9), "c": (-5, 5)}
    cats = {"b": list("xyz"), "label": ["neg", "pos"]}
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)  # full schema given: no warning
        synth = DPSynthesizer(epsilon=2.0, target="label", bounds=bounds, categories=cats,
                              random_state=0).fit(train)
    S = synth.sample(3000, random_state=0)
    majority = (test["label"] == "neg").mean()
    assert tstr_score(S, test, "label", estimator=FAST_HGB) > max(majority, 0.9)


def test_ndarray_in_ndarray_out_and_edge_sizes():
    X = np.random.default_rng(0).normal(size=(50, 3))
    synth = DPSynthesizer(random_state=0)
    with pytest.warns(PrivacyLeakWarning):
        synth.fit(X)
    S = synth.sample(10)
    assert isinstance(S, np.ndarray) and S.shape == (10, 3)
    assert synth.sample(0).shape == (0, 3)
    with pytest.warns(PrivacyLeakWarning):
        by_position = DPSynthesizer(target=-1, random_state=0).fit(X)
    assert all("x2" not in edge for edge in by_position.tree_)  # the target is outside the tree
    one = DPSynthesizer(random_state=0, bounds={"x": (0, 1)}).fit(pd.DataFrame({"x": [0.5] * 5}))
    assert one.sample(50)["x"].dropna().between(0, 1).all()  # NaN: float dtype can hold it


def test_sampling_is_vectorized_enough():
    X = _mixed_frame(500)
    synth = DPSynthesizer(random_state=0, **SCHEMA).fit(X)
    S = synth.sample(200_000, random_state=0)  # would take minutes with a per-row loop
    assert len(S) == 200_000


def test_errors_name_the_column_never_a_value():
    X = pd.DataFrame({"email": ["jane.doe@example.com", "john@example.org"], "age": [31, 47]})
    cases = [
        (DPSynthesizer(bounds={"email": (0, 1)}), TypeError, "email"),
        (DPSynthesizer(categories={"age": [1, 2]}), TypeError, "age"),
        (DPSynthesizer(bounds={"zip": (0, 1)}), ValueError, "zip"),
        (DPSynthesizer(target="label"), ValueError, "label"),
        (DPSynthesizer(bounds={"age": (50, 10)}), ValueError, "age"),
        (DPSynthesizer(bounds={"age": (0, 10, 20)}), ValueError, "age"),
    ]
    for est, kind, col in cases:
        with pytest.raises(kind) as info:
            est.fit(X)
        msg = str(info.value)
        assert col in msg
        assert "jane" not in msg and "john" not in msg and "31" not in msg and "47" not in msg
    with pytest.raises(ValueError, match="n_samples"):
        DPSynthesizer(random_state=0, bounds={"age": (0, 99)}).fit(X[["age"]]).sample(-1)


# ------------------------------------------------------------------- metrics
def test_tvd_extremes_and_dependence():
    real = pd.DataFrame({"a": [0, 0, 1, 1] * 25, "b": [0, 0, 1, 1] * 25})
    assert marginal_tvd(real, real).eq(0).all()
    flipped = real.assign(b=1 - real["b"])
    assert marginal_tvd(real, flipped).eq(0).all()  # same one-way distributions
    assert pairwise_tvd(real, flipped).iloc[0] == 1.0  # opposite dependence
    other = pd.DataFrame({"a": [5] * 100, "b": [7] * 100})
    assert marginal_tvd(real, other).eq(1).all()


def test_exact_match_rate_and_dcr_against_brute_force():
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(size=60), "c": rng.choice(list("abc"), 60)})
    ref.loc[3, "x"] = np.nan
    X = pd.concat([ref.iloc[:10], pd.DataFrame({"x": rng.normal(size=20), "c": rng.choice(list("abcd"), 20)})],
                  ignore_index=True)
    assert exact_match_rate(X, ref) == pytest.approx(10 / 30)
    d = distance_to_closest_record(X, ref)
    assert np.all(d[:10] == 0) and np.all(d[10:] > 0)
    # brute-force Gower distance (a NaN sits mid-range, plus half a mismatch)
    low, span = ref["x"].min(), ref["x"].max() - ref["x"].min()
    enc_ref = np.where(ref["x"].isna(), 0.5, (ref["x"] - low) / span)
    for i in range(10, 30):
        num = np.abs((X.loc[i, "x"] - low) / span - enc_ref) + 0.5 * ref["x"].isna()
        gower = (num + (X.loc[i, "c"] != ref["c"])) / 2
        assert d[i] == pytest.approx(min(gower.min(), 1.0), abs=1e-9)


def test_tstr_score_reads_the_signal():
    rng = np.random.default_rng(0)
    x = rng.normal(size=600)
    real = pd.DataFrame({"x": x, "g": rng.choice(["u", "v"], 600), "y": np.where(x > 0, "p", "n")})
    assert tstr_score(real.iloc[:300], real.iloc[300:], "y", estimator=FAST_HGB) > 0.95
    shuffled = real.assign(y=rng.permutation(real["y"].to_numpy()))
    assert tstr_score(shuffled.iloc[:300], real.iloc[300:], "y", estimator=FAST_HGB) < 0.75


# --------------------------------------------------------------------- Adult
def _read_adult(adult_dir):
    kw = dict(names=ADULT_COLUMNS, skipinitialspace=True, na_values="?")
    train = pd.read_csv(adult_dir / "adult.data", **kw)
    test = pd.read_csv(adult_dir / "adult.test", skiprows=1, **kw)
    test["income"] = test["income"].str.rstrip(".")
    return train, test


def test_adult_no_more_copies_than_an_independent_sample(adult_dir):
    train, test = _read_adult(adult_dir)
    synth = DPSynthesizer(epsilon=1.0, target="income", random_state=0)
    with pytest.warns(PrivacyLeakWarning):
        synth.fit(train)
    S = synth.sample(len(train), random_state=0)
    synthetic_rate = exact_match_rate(S, train)
    holdout_rate = exact_match_rate(test, train)
    assert synthetic_rate <= holdout_rate
    # distance to closest record: synthetic rows are not closer to the
    # training rows than independent real rows are
    rng = np.random.default_rng(0)
    idx_s = rng.choice(len(S), 200, replace=False)
    idx_t = rng.choice(len(test), 200, replace=False)
    dcr_s = distance_to_closest_record(S.iloc[idx_s], train)
    dcr_t = distance_to_closest_record(test.iloc[idx_t], train)
    assert np.median(dcr_s) >= np.median(dcr_t)
    assert (dcr_s == 0).mean() <= (dcr_t == 0).mean()


def test_adult_tstr_close_to_real(adult_dir):
    train, test = _read_adult(adult_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)  # public schema: epsilon covers all
        synth = DPSynthesizer(epsilon=3.0, target="income", bounds=ADULT_BOUNDS,
                              categories=ADULT_CATEGORIES, random_state=0).fit(train)
    S = synth.sample(8000, random_state=0)
    # train-on-real: 0.871 (full HistGradientBoosting); small model for speed
    assert tstr_score(S, test.iloc[:8000], "income", estimator=FAST_HGB) > 0.82
    assert marginal_tvd(train, S).mean() < 0.05


# ---------------------------------------------------------------- fake PII
REQUESTS = pd.DataFrame({
    "country": ["US", "DE", "FR", "US", "JP", "IT"],
    "year": [2024, 2023, 2024, 2020, 2024, 2022],
    "n": [400, 60, 50, 100, 20, 0],
})
TITLE_RE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Herr|Frau|Mme|Mlle|Dott|Sig)\b\.?")
MILITARY_OR_BOX_RE = re.compile(r"\b(?:APO|FPO|DPO|USNS|USS|USNV|USCGC|PSC|P\.?\s?O\.? Box|Postfach)\b", re.I)


def test_fake_pii_counts_patterns_and_reproducibility():
    pytest.importorskip("faker")  # extra "fake"
    people = make_fake_pii(REQUESTS, random_state=0)
    counts = people.groupby(["country", "year"]).size()
    for country, year, n in REQUESTS.itertuples(index=False):
        assert counts.get((country, year), 0) == n
    assert len(people) == REQUESTS["n"].sum()
    assert not people["name"].str.contains(TITLE_RE).any()
    assert not people["address"].str.contains(MILITARY_OR_BOX_RE).any()
    assert people["email"].str.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]+").all()
    assert set(people["gender"]) == {"F", "M"}
    # age = request year - birth year
    assert (people["year"] - people["birth_date"].dt.year == people["age"]).all()
    assert people.loc[people["country"] == "US", "national_id"].str.fullmatch(r"\d{3}-\d{2}-\d{4}").all()
    assert people.loc[people["country"] == "JP", "national_id"].isna().all()
    assert people.loc[people["country"] == "DE", "locale"].eq("de_DE").all()
    again = make_fake_pii(REQUESTS, random_state=0)
    pd.testing.assert_frame_equal(people, again)
    other = make_fake_pii(REQUESTS, random_state=1)
    assert not people["name"].equals(other["name"])


def test_fake_pii_follows_the_age_distribution():
    pytest.importorskip("faker")  # extra "fake"
    dist = {25: 0.5, 40: 0.3, 70: 0.2}
    people = make_fake_pii([("GB", 2024, 600)], random_state=1, age_distribution=dist)
    observed = people["age"].value_counts().reindex(list(dist), fill_value=0)
    assert set(people["age"]) <= set(dist)
    assert stats.chisquare(observed.to_numpy(), np.array(list(dist.values())) * 600).pvalue > 1e-3
    born = people["birth_date"]
    assert (born.dt.year == 2024 - people["age"]).all()


def test_the_address_filter_is_needed_and_works():
    # Faker's en_US address() gives military addresses about 1 time in 10
    faker = pytest.importorskip("faker")  # extra "fake"

    fake = faker.Faker("en_US")
    fake.seed_instance(0)
    raw = [fake.address() for _ in range(300)]
    assert any(BAD_ADDRESS_RE.search(a) for a in raw)
    assert not BAD_ADDRESS_RE.search("12 Main Street, Springfield, IL 62701")
    assert BAD_ADDRESS_RE.search("PSC 1234, Box 5678, APO AA 12345")
    assert BAD_ADDRESS_RE.search("P.O. Box 12, Springfield")
    assert _clean_name("Dr. Jane Doe") == "Jane Doe"
    assert _clean_name("Mrs. Ann Lee MD") == "Ann Lee"


def test_fake_pii_bad_requests_and_missing_faker(monkeypatch):
    pytest.importorskip("faker")  # extra "fake"
    with pytest.raises(ValueError, match="country"):
        make_fake_pii(pd.DataFrame({"country": ["US"], "n": [1]}))
    with pytest.raises(ValueError, match="locale"):
        make_fake_pii([("Atlantis", 2024, 1)])
    with pytest.raises(ValueError, match="non-negative"):
        make_fake_pii([("US", 2024, -1)])
    monkeypatch.setitem(sys.modules, "faker", None)
    with pytest.raises(ImportError, match=r"pip install sklearn-anon\[fake\]"):
        make_fake_pii([("US", 2024, 1)])


# -- budget accountant --------------------------------------------------------------
def _small_schema_frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 90, size=n),
        "city": pd.Series(rng.choice(["Lyon", "Nice"], size=n), dtype=object),
    })


_SMALL_SCHEMA = {"bounds": {"age": (0, 100)}, "categories": {"city": ["Lyon", "Nice"]}}


@pytest.mark.parametrize("budget", [(0.5, 1e-6), (10.0, 0.0)], ids=["epsilon", "delta"])
def test_too_small_budget_raises_before_any_work(budget, monkeypatch):
    from diffprivlib.utils import BudgetError  # test-only: the accountant's error class

    def no_work(*args, **kwargs):
        raise AssertionError("the synthesizer worked before checking the budget")

    monkeypatch.setattr("sklearn_anon.synthetic._synthesizer._encode_columns", no_work)
    monkeypatch.setattr(DPSynthesizer, "_fit_model", no_work)
    acc = BudgetAccountant(*budget)
    synth = DPSynthesizer(epsilon=1.0, delta=1e-7, accountant=acc, random_state=0, **_SMALL_SCHEMA)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even the schema PrivacyLeakWarning
        with pytest.raises(BudgetError):
            synth.fit(_small_schema_frame())
    assert acc.spent_budget == []
    assert not hasattr(synth, "privacy_spent_")


def test_fit_spends_privacy_spent_on_the_accountant():
    X = _small_schema_frame()
    acc = BudgetAccountant(epsilon=2.0, delta=1e-6)
    synth = DPSynthesizer(epsilon=0.7, delta=1e-7, accountant=acc, random_state=0, **_SMALL_SCHEMA)
    synth.fit(X)
    assert synth.accountant_ is acc and synth.accountant is acc
    assert tuple(acc.total()) == pytest.approx(synth.privacy_spent_)
    assert synth.privacy_spent_ == (0.7, 1e-7)
    budget = privacy_budget(synth)
    assert (budget.epsilon, budget.delta) == synth.privacy_spent_
    synth.sample(100, random_state=0)  # post-processing: no spend
    assert tuple(acc.total()) == pytest.approx((0.7, 1e-7))
    synth.fit(X)  # a second fit spends again (sequential composition) ...
    assert tuple(acc.total()) == pytest.approx((1.4, 2e-7))
    with pytest.raises(Exception, match="(?i)budget"):  # ... until the budget runs out
        synth.fit(X)
    assert tuple(acc.total()) == pytest.approx((1.4, 2e-7))


def test_clones_spend_on_the_same_accountant():
    # sklearn's clone deep-copied the accountant: five cloned fits left it at 0
    from sklearn.base import clone

    acc = BudgetAccountant()
    synth = DPSynthesizer(epsilon=0.3, delta=1e-9, accountant=acc, random_state=0, **_SMALL_SCHEMA)
    X = _small_schema_frame()
    for _ in range(5):
        copy = clone(synth)
        assert copy.accountant is acc
        copy.fit(X)
    assert acc.total()[0] == pytest.approx(1.5)


def test_a_pickled_synthesizer_spends_on_its_own_copy_only_in_this_process():
    import pickle

    acc = BudgetAccountant()
    synth = DPSynthesizer(epsilon=0.3, delta=1e-9, accountant=acc, random_state=0, **_SMALL_SCHEMA)
    loaded = pickle.loads(pickle.dumps(synth))
    assert "Generator" not in repr(loaded.__dict__)
    loaded.fit(_small_schema_frame())  # same process: its copy is an accountant of this process
    assert loaded.accountant_.total()[0] == pytest.approx(0.3)


def test_a_pickle_of_before_the_synthetic_package_loads():
    # Until issue 14.1 DPSynthesizer lived in the module sklearn_anon.synthetic,
    # so older pickles name it there (protocol 2 writes GLOBAL as plain text).
    # A fitted synthesizer's pickle names no other class of the package (its
    # model is dicts, tuples and arrays): the old sklearn_anon._mst needs no shim.
    import pickle
    import pickletools

    synth = DPSynthesizer(epsilon=1.0, random_state=0, **_SMALL_SCHEMA).fit(_small_schema_frame())
    data = pickle.dumps(synth, protocol=2)
    named = {arg for op, arg, _ in pickletools.genops(data) if op.name == "GLOBAL"}
    assert {g for g in named if g.startswith("sklearn_anon")} == {
        "sklearn_anon.synthetic._synthesizer DPSynthesizer"
    }
    old = data.replace(
        b"csklearn_anon.synthetic._synthesizer\nDPSynthesizer\n",
        b"csklearn_anon.synthetic\nDPSynthesizer\n",
    )
    assert old != data
    loaded = pickle.loads(old)
    assert type(loaded) is DPSynthesizer
    pd.testing.assert_frame_equal(loaded.sample(50, random_state=1), synth.sample(50, random_state=1))


def test_default_accountant_is_resolved_in_fit():
    default = BudgetAccountant.load_default(None)
    before = default.total()[0]
    synth = DPSynthesizer(epsilon=0.25, delta=1e-9, random_state=0, **_SMALL_SCHEMA)
    assert synth.get_params()["accountant"] is None
    synth.fit(_small_schema_frame())
    assert synth.get_params()["accountant"] is None  # the parameter is never overwritten
    assert synth.accountant_ is default
    assert default.total()[0] == pytest.approx(before + 0.25)


def test_object_and_str_text_columns_keep_their_dtype():
    # pandas 3 infers `str` for new text columns: an object input column must
    # still come out as object (and a `str` one as `str`), with or without a
    # declared category list, with or without missing values
    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame({
        "obj": pd.Series(rng.choice(["a", "b", "c"], size=n), dtype=object),
        "obj_nan": pd.Series(rng.choice(["a", "b", None], size=n), dtype=object),
        "text": pd.Series(rng.choice(["u", "v"], size=n), dtype="str"),
    })
    for categories in ({}, {"obj": ["a", "b", "c"], "obj_nan": ["a", "b", None], "text": ["u", "v"]}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PrivacyLeakWarning)
            synth = DPSynthesizer(epsilon=5.0, random_state=0, categories=categories).fit(X)
        S = synth.sample(200, random_state=0)
        assert S["obj"].dtype == object and S["obj_nan"].dtype == object
        assert S["text"].dtype == X["text"].dtype
        assert set(S["obj"]) <= {"a", "b", "c"}
        assert all(isinstance(v, str) for v in S["obj"])
    # an object ndarray comes back as an object ndarray
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyLeakWarning)
        A = DPSynthesizer(epsilon=5.0, random_state=0).fit(X[["obj"]].to_numpy()).sample(20, random_state=0)
    assert isinstance(A, np.ndarray) and A.dtype == object and set(A[:, 0]) <= {"a", "b", "c"}


# -- integer bins, one-way marginals at a high epsilon (issue 13.7) ------------------
def test_integer_columns_keep_their_proportions():
    # a 0/1 column was sampled 50/50 whatever its real share, and a 0-4 column
    # merged its top two values: the last integer bin spanned two integers
    rng = np.random.default_rng(0)
    n = 20_000
    X = pd.DataFrame({
        "golf": (rng.random(n) < 0.35).astype(np.int8),
        "level": rng.choice(5, size=n, p=[0.4, 0.3, 0.15, 0.1, 0.05]),
        "flag": pd.array(rng.random(n) < 0.8, dtype="Int64"),  # nullable 0/1 integer
    })
    bounds = {"golf": (0, 1), "level": (0, 4), "flag": (0, 1)}
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)  # full schema declared
        synth = DPSynthesizer(epsilon=100.0, bounds=bounds, random_state=0).fit(X)
    S = synth.sample(100_000, random_state=0)
    assert S["golf"].mean() == pytest.approx(X["golf"].mean(), abs=0.01)
    real = X["level"].value_counts(normalize=True).sort_index()
    synthetic = S["level"].value_counts(normalize=True).reindex(real.index, fill_value=0)
    assert np.abs(real - synthetic).max() < 0.01, (real, synthetic)
    assert set(S["level"]) == set(range(5))
    assert S["flag"].mean() == pytest.approx(0.8, abs=0.01)
    np.testing.assert_array_equal(synth.bin_edges_["golf"], [0, 1, 2])  # {0}, {1}
    np.testing.assert_array_equal(synth.bin_edges_["level"], [0, 1, 2, 3, 4, 5])


@settings(max_examples=20, deadline=None)
@given(lo=st.integers(-50, 50), width=st.integers(0, 40), n_bins=st.integers(2, 20),
       seed=st.integers(0, 2**16))
def test_integer_bins_cover_the_bounds_exactly(lo, width, n_bins, seed):
    # every integer of [lo, hi] is in exactly one bin and can be sampled; nothing outside
    hi = lo + width
    X = pd.DataFrame({"v": np.arange(lo, hi + 1).repeat(3)})
    synth = DPSynthesizer(epsilon=5.0, n_bins=n_bins, bounds={"v": (lo, hi)},
                          random_state=seed).fit(X)
    edges = synth.bin_edges_["v"]
    assert edges[0] == lo and edges[-1] == hi + 1
    assert np.all(np.diff(edges) >= 1) and np.all(edges == np.rint(edges))
    if width + 1 <= n_bins:
        np.testing.assert_array_equal(edges, np.arange(lo, hi + 2))
    S = synth.sample(2000, random_state=seed)["v"]
    assert S.between(lo, hi).all()


# make_customers' public schema: its direct identifiers are dropped (they are
# refused as near-unique anyway); ZIP codes are codes, so they are released as
# ZIP3 strings over the public domain "000".."999"; city and state lists are the
# generator's documented lists; bounds are round declared values.
def _customers_public(n=5000):
    from sklearn_anon.datasets import _CITIES, make_customers

    X = make_customers(n, random_state=0).drop(
        columns=["name", "street_address", "ssn", "email", "username", "ip", "mdem"]
    )
    X["zipcode"] = (X["zipcode"] // 100).map("{:03d}".format)
    flags = ["golf", "travel", "fashion", "outdoors", "technology"]
    schema = {
        "bounds": {
            "income": (0, 5_000_000), "purchases": (0, 50),
            "birthdate": (pd.Timestamp("1900-01-01"), pd.Timestamp("2024-01-01")),
            **{f: (0, 1) for f in flags},
        },
        "categories": {
            "zipcode": [f"{i:03d}" for i in range(1000)],
            "city": sorted({c[0] for c in _CITIES}), "state": sorted({c[1] for c in _CITIES}),
            "sex": ["F", "M"],
        },
    }
    return X, schema


# Adult's public schema: the category lists of UCI's adult.names ("?" = unknown
# -> missing), bounds from the documentation, not from the data.
ADULT_CATEGORIES = adult_schema()["categories"]
ADULT_BOUNDS = adult_schema()["bounds"]


def test_make_customers_one_way_marginals_at_high_epsilon():
    X, schema = _customers_public()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)  # the schema is declared
        # 64 bins: purchases (0-50) gets one bin per integer, income finer quantiles
        synth = DPSynthesizer(epsilon=100.0, n_bins=64, random_state=0, **schema).fit(X)
    S = synth.sample(200_000, random_state=0)
    tvd = marginal_tvd(X, S)
    assert tvd.max() < 0.02, tvd.sort_values().tail()
    for flag in ("golf", "travel", "fashion", "outdoors", "technology"):
        assert S[flag].mean() == pytest.approx(X[flag].mean(), abs=0.01)


def test_adult_one_way_marginals_at_high_epsilon(adult_dir):
    from sklearn_anon.datasets import load_adult

    A = load_adult(adult_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)  # public schema: no leak warning
        # 100 bins: hours-per-week (1-99, 47% at 40) gets one bin per integer
        synth = DPSynthesizer(epsilon=100.0, n_bins=100, bounds=ADULT_BOUNDS,
                              categories=ADULT_CATEGORIES, random_state=0).fit(A)
    S = synth.sample(200_000, random_state=0)
    tvd = marginal_tvd(A, S)
    assert tvd.max() < 0.02, tvd.sort_values().tail()
    assert (S.dtypes == A.dtypes).all()


# -- schema read from the data (issue 13.3) -------------------------------------------
def _rare_value_frame(with_rare, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    country = rng.choice(["US", "Mexico", "Canada"], size=n, p=[0.9, 0.07, 0.03]).astype(object)
    if with_rare:
        country[17] = "Holand-Netherlands"
    return pd.DataFrame({
        "age": rng.integers(17, 91, size=n),
        "country": pd.Series(country).astype("category"),  # categories built from the data
    })


def test_categorical_dtype_is_not_a_public_domain():
    # astype("category") builds the categories from the values: a single record's
    # rare value then sits in the domain, and shows in the synthetic table, only
    # when that record is present
    bounds = {"age": (17, 90)}
    for with_rare in (True, False):
        X = _rare_value_frame(with_rare)
        with pytest.warns(PrivacyLeakWarning, match="country"):
            synth = DPSynthesizer(epsilon=1.0, bounds=bounds, random_state=0).fit(X)
        assert ("Holand-Netherlands" in synth.categories_["country"]) is with_rare
    # declared categories: no warning, and the domain does not depend on the record
    declared = {"country": ["US", "Mexico", "Canada", "Holand-Netherlands"]}
    domains = []
    for with_rare in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("error", PrivacyLeakWarning)
            synth = DPSynthesizer(epsilon=1.0, bounds=bounds, categories=declared,
                                  random_state=0).fit(_rare_value_frame(with_rare))
        domains.append(synth.categories_["country"])
        S = synth.sample(500, random_state=0)
        assert isinstance(S["country"].dtype, pd.CategoricalDtype)
    assert domains[0] == domains[1]


@pytest.mark.parametrize("as_category", [False, True])
def test_near_unique_column_is_refused(as_category):
    from sklearn_anon.datasets import make_customers

    X = make_customers(500, random_state=0)[["ssn", "sex", "income"]]
    if as_category:
        X = X.assign(ssn=X["ssn"].astype("category"))
    with pytest.raises(ValueError, match="'ssn'") as info:
        DPSynthesizer(random_state=0, bounds={"income": (0, 10**6)},
                      categories={"sex": ["F", "M"]}).fit(X)
    msg = str(info.value)
    assert "identifier" in msg and "categories" in msg
    assert not any(v in msg for v in X["ssn"].astype(str))
    # the rule: >= 20 distinct values and more than half of the non-missing ones
    ok = pd.DataFrame({"c": [f"v{i % 19}" for i in range(30)]})  # 19 distinct: warned only
    with pytest.warns(PrivacyLeakWarning):
        DPSynthesizer(random_state=0).fit(ok)
    many = pd.DataFrame({"c": [f"v{i % 20}" for i in range(41)]})  # 20 of 41: kept
    with pytest.warns(PrivacyLeakWarning):
        DPSynthesizer(random_state=0).fit(many)
    with pytest.raises(ValueError, match="'c'"):
        DPSynthesizer(random_state=0).fit(many.iloc[:39])  # 20 of 39: refused
    # declared, the same domain is public: accepted without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)
        DPSynthesizer(random_state=0, categories={"c": [f"v{i}" for i in range(20)]}).fit(many.iloc[:39])


# -- hooks to observe the noise (issue 13.8) ------------------------------------------
def _noise_frame(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 6, size=n)
    return pd.DataFrame({
        "a": a,
        "b": np.where(rng.random(n) < 0.7, a % 3, rng.integers(0, 3, size=n)),
        "c": pd.Series(rng.choice(["x", "y", "z", "w"], size=n), dtype=object),
        "d": rng.integers(0, 4, size=n),
    })


_NOISE_SCHEMA = {"bounds": {"a": (0, 5), "b": (0, 2), "d": (0, 3)},
                 "categories": {"c": ["w", "x", "y", "z"]}}


def _true_codes(X):
    """Domain codes of _noise_frame under _NOISE_SCHEMA (one bin per integer)."""
    return {
        "a": X["a"].to_numpy(), "b": X["b"].to_numpy(), "d": X["d"].to_numpy(),
        "c": pd.Index(["w", "x", "y", "z"]).get_indexer(X["c"]),
    }


def test_noisy_tables_have_the_spread_of_sigma():
    # (noisy table - true table) / sigma_ over all measured cells and several fits
    # is N(0, 1) up to rounding: a mechanism adding a third of the noise (or any
    # other scale than the one accounted for) fails the chi-square test below
    X = _noise_frame()
    codes = _true_codes(X)
    sizes = {"a": 6, "b": 3, "c": 4, "d": 4}
    z1, z2 = [], []
    for seed in range(8):
        synth = DPSynthesizer(epsilon=0.5, compress=False, quantile_fraction=0.0,
                              random_state=seed, **_NOISE_SCHEMA).fit(X)
        s1, s2 = synth.sigma_
        assert s1 > 3 and s2 > 3  # rounding (variance 1/12) is then negligible
        for key, noisy in synth.noisy_marginals_.items():
            if len(key) == 1:
                true = np.bincount(codes[key[0]], minlength=sizes[key[0]])
                z1.append((noisy - true) / s1)
            else:
                a, b = key
                assert synth.compressed_domains_[a] == [[i] for i in range(sizes[a])]
                true = np.bincount(codes[a] * sizes[b] + codes[b], minlength=sizes[a] * sizes[b])
                z2.append((noisy.ravel() - true) / s2)
        assert len(synth.noisy_marginals_) == 4 + 3
    for z in (np.concatenate(z1), np.concatenate(z2)):
        # sum of z**2 ~ chi2(len(z)); two-sided
        p = stats.chi2.cdf((z**2).sum(), df=z.size)
        assert 1e-4 < p < 1 - 1e-4, (z.size, (z**2).mean())
        assert abs(z.mean()) < 4 / np.sqrt(z.size)  # unbiased


def test_budget_split_attributes_add_up_and_are_the_ones_used(monkeypatch):
    X = _noise_frame(1000)
    used = {"exp": [], "gauss": []}
    real_exp, real_gauss = _mst.exponential_mechanism, _mst.gaussian_counts

    def spy_exp(scores, epsilon, sensitivity, rng):
        used["exp"].append((epsilon, sensitivity))
        return real_exp(scores, epsilon, sensitivity, rng)

    def spy_gauss(counts, sigma, rng):
        used["gauss"].append(sigma)
        return real_gauss(counts, sigma, rng)

    monkeypatch.setattr(_mst, "exponential_mechanism", spy_exp)
    monkeypatch.setattr(_mst, "gaussian_counts", spy_gauss)
    for target in (None, "c"):
        used["exp"].clear()
        used["gauss"].clear()
        synth = DPSynthesizer(epsilon=1.0, target=target, random_state=0, **_NOISE_SCHEMA).fit(X)
        k = 4 if target is None else 3  # columns besides the target
        split = synth.rho_split_
        assert sum(split.values()) == pytest.approx(synth.rho_, rel=1e-12)
        assert (k - 1) * synth.selection_epsilon_**2 / 8 == pytest.approx(split["selection"])
        assert synth.sigma_[0] == pytest.approx(math.sqrt(k / (2 * split["one_way"])))
        assert synth.sigma_[1] == pytest.approx(math.sqrt((k - 1) / (2 * split["two_way"])))
        # what the mechanisms actually received
        assert used["exp"] == [(pytest.approx(synth.selection_epsilon_), 1.0)] * (k - 1)
        assert used["gauss"] == [synth.sigma_[0]] * k + [synth.sigma_[1]] * (k - 1)
        shapes = {key: v.shape for key, v in synth.noisy_marginals_.items()}
        if target is not None:
            assert all(key[-1] == "c" and shape[-1] == 4 for key, shape in shapes.items())


# -- odd value types (issue 12.10) ----------------------------------------------------
def test_interval_columns_are_categories():
    rng = np.random.default_rng(0)
    n = 600
    idx = pd.IntervalIndex.from_breaks([0, 20, 50, 100])
    X = pd.DataFrame({
        "age": rng.integers(0, 100, size=n),
        "band_int": pd.Series(idx[rng.integers(0, 3, size=n)]),            # interval[int64]
        "band_cut": pd.cut(rng.integers(0, 100, size=n), [0, 20, 50, 100], include_lowest=True),
    })
    assert X["band_int"].dtype == "interval[int64, right]"
    cats = {"band_int": list(idx), "band_cut": list(X["band_cut"].cat.categories)}
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)
        synth = DPSynthesizer(epsilon=5.0, bounds={"age": (0, 99)}, categories=cats,
                              random_state=0).fit(X)
    S = synth.sample(300, random_state=0)
    assert (S.dtypes == X.dtypes).all()
    assert set(S["band_int"]) <= set(idx) and set(S["band_cut"]) <= set(cats["band_cut"])
    # missing declared for a dtype that cannot hold it: the output upcasts, no crash
    with_nan = dict(cats, band_int=list(idx) + [None])
    S = DPSynthesizer(epsilon=0.05, bounds={"age": (0, 99)}, categories=with_nan,
                      random_state=0).fit(X).sample(3000, random_state=0)
    assert set(S["band_int"].dropna()) <= set(idx)
    # undeclared: read from the data, with the warning
    with pytest.warns(PrivacyLeakWarning, match="band_int"):
        S = DPSynthesizer(random_state=0, bounds={"age": (0, 99)}).fit(X).sample(50, random_state=0)
    assert S["band_int"].dtype == X["band_int"].dtype


def test_lone_surrogates_and_bytes_in_text_columns():
    rng = np.random.default_rng(0)
    n = 400
    odd = ["ok", "bad\ud800", "caf\udce9"]  # lone surrogates (e.g. from surrogateescape)
    raw = [b"ok", b"\xff\xfe", b"caf\xe9"]  # invalid UTF-8 bytes
    X = pd.DataFrame({
        "text": pd.Series(rng.choice(np.array(odd, dtype=object), size=n), dtype=object),
        "blob": pd.Series(rng.choice(np.array(raw, dtype=object), size=n), dtype=object),
    })
    for categories in ({"text": odd, "blob": raw}, {}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore" if not categories else "error", PrivacyLeakWarning)
            synth = DPSynthesizer(epsilon=5.0, categories=categories, random_state=0).fit(X)
        S = synth.sample(500, random_state=0)
        assert set(S["text"]) <= set(odd) and set(S["blob"]) <= set(raw)
        assert S["text"].dtype == object and S["blob"].dtype == object
        assert (S["text"] == "bad\ud800").any()
    # a value that cannot be hashed is one clear error naming the column, no value
    values = X["text"].tolist()
    values[0] = {"x": "secret"}
    bad = X.assign(text=pd.Series(values, dtype=object))
    with pytest.raises(TypeError, match="'text'") as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PrivacyLeakWarning)
            DPSynthesizer(random_state=0).fit(bad)
    assert "secret" not in str(info.value)


def test_adult_rare_country_is_in_the_domain_only_when_declared_or_present(adult_dir):
    from sklearn_anon.datasets import load_adult

    A = load_adult(adult_dir)  # categorical dtypes, categories built from the data
    rare = A["native-country"] == "Holand-Netherlands"
    assert rare.sum() == 1
    without = A[~rare].copy()
    without["native-country"] = without["native-country"].cat.remove_unused_categories()
    domains = []
    for frame in (A, without):
        with pytest.warns(PrivacyLeakWarning, match="native-country"):
            synth = DPSynthesizer(epsilon=1.0, bounds=ADULT_BOUNDS, random_state=0).fit(frame)
        domains.append("Holand-Netherlands" in synth.categories_["native-country"])
    assert domains == [True, False]  # the domain reveals the record: hence the warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)
        synth = DPSynthesizer(epsilon=1.0, bounds=ADULT_BOUNDS, categories=ADULT_CATEGORIES,
                              random_state=0).fit(without)
    assert "Holand-Netherlands" in synth.categories_["native-country"]  # public, record or not
