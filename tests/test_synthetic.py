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
from sklearn_anon import _mst
from sklearn_anon._compat import BudgetAccountant, PrivacyLeakWarning, dp_tools
from sklearn_anon.metrics import (
    distance_to_closest_record,
    exact_match_rate,
    marginal_tvd,
    pairwise_tvd,
    tstr_score,
)
from sklearn_anon.synthetic import BAD_ADDRESS_RE, _clean_name

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
        warnings.simplefilter("ignore", PrivacyLeakWarning)
        synth = DPSynthesizer(epsilon=3.0, target="income", random_state=0).fit(train)
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

    monkeypatch.setattr(DPSynthesizer, "_encode", no_work)
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
