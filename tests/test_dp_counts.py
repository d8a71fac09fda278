"""DP counts per group: dp_histogram and DPCountEncoder (sklearn_anon.dp._counts)."""

import math
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_anon import DPCountEncoder, PrivacyLeakWarning, dp_histogram, privacy_budget
from sklearn_anon._compat import BudgetAccountant
from sklearn_anon.dp import _sampling as _s
from diffprivlib.utils import BudgetError  # noqa: E402  (test-only)

SECRET = "ZqSECRETqZ"


def _many_cells(n_cells=2000, seed=0):
    """A table whose cell ``c{i}`` holds ``i % 7`` rows, and the exact counts."""
    exact = np.arange(n_cells) % 7
    cats = [f"c{i}" for i in range(n_cells)]
    values = np.repeat(cats, exact)
    frame = pd.DataFrame({"g": np.random.default_rng(seed).permutation(values)})
    return frame, cats, exact


def _noise(epsilon, seeds, *, mechanism="laplace", delta=None, max_contributions=1):
    frame, cats, exact = _many_cells()
    out = []
    for seed in seeds:
        h = dp_histogram(frame, "g", epsilon=epsilon, categories={"g": cats}, mechanism=mechanism,
                         delta=delta, max_contributions=max_contributions, random_state=seed,
                         accountant=BudgetAccountant())
        out.append(h["count"].to_numpy() - exact)
    return np.concatenate(out), h


# -- the noise, measured -------------------------------------------------------------------------
@pytest.mark.parametrize("epsilon, m", [(1.0, 1), (0.5, 1), (1.0, 3)])
def test_discrete_laplace_noise_mean_and_variance(epsilon, m):
    # 20 seeds x 2000 cells; variance 2a/(1-a)^2 with a = exp(-epsilon/m)
    noise, h = _noise(epsilon, range(20), max_contributions=m)
    a = math.exp(-epsilon / m)
    var = 2 * a / (1 - a) ** 2
    n = noise.size
    assert np.all(noise == np.rint(noise))  # integer noise
    assert abs(noise.mean()) < 4 * math.sqrt(var / n)
    # the sample variance of a discrete Laplace: relative SE sqrt((kurtosis - 1) / n) < 2 %
    assert noise.var() == pytest.approx(var, rel=0.06)
    assert h.attrs["std"] == pytest.approx(math.sqrt(var))
    assert h.attrs["scale"] == m / epsilon


def test_discrete_laplace_pmf_matches():
    noise, _ = _noise(1.0, range(20))
    a = math.exp(-1.0)
    for k in (0, 1, -1, 2, -3):
        p = (1 - a) / (1 + a) * a ** abs(k)
        got = np.mean(noise == k)
        assert abs(got - p) < 4 * math.sqrt(p * (1 - p) / noise.size)


def test_gaussian_noise_variance_and_delta_charged():
    acc = BudgetAccountant()
    noise, h = _noise(1.0, range(10), mechanism="gaussian", delta=1e-5)
    sigma = _s.analytic_gaussian_sigma(1.0, 1e-5, 1.0)
    assert h.attrs["scale"] == pytest.approx(sigma)
    assert abs(noise.mean()) < 4 * sigma / math.sqrt(noise.size)
    assert noise.var() == pytest.approx(sigma**2 + 1 / 12, rel=0.05)
    frame, cats, _ = _many_cells(50)
    dp_histogram(frame, "g", epsilon=0.3, delta=1e-6, mechanism="gaussian", categories={"g": cats},
                 accountant=acc, random_state=0)
    assert acc.total() == pytest.approx((0.3, 1e-6))


@pytest.mark.parametrize("mechanism, delta, confidence", [
    ("laplace", None, 0.95), ("laplace", None, 0.8), ("gaussian", 1e-5, 0.9)])
def test_interval_coverage(mechanism, delta, confidence):
    frame, cats, exact = _many_cells()
    covered, n = 0, 0
    for seed in range(10):
        h = dp_histogram(frame, "g", epsilon=0.7, categories={"g": cats}, mechanism=mechanism, delta=delta,
                         confidence=confidence, random_state=seed, accountant=BudgetAccountant())
        covered += int(((h["lower"] <= exact) & (exact <= h["upper"])).sum())
        n += len(h)
    k, scale = h.attrs["half_width"], h.attrs["scale"]
    if mechanism == "laplace":
        a = math.exp(-1 / scale)
        exact_cov = 1 - 2 * a ** (k + 1) / (1 + a)
        smaller = 1 - 2 * a**k / (1 + a)
    else:
        exact_cov = 2 * norm.cdf((k + 0.5) / scale) - 1
        smaller = 2 * norm.cdf((k - 0.5) / scale) - 1
    assert exact_cov >= confidence > smaller  # the smallest interval at that level
    rate = covered / n
    assert abs(rate - exact_cov) < 4 * math.sqrt(exact_cov * (1 - exact_cov) / n)
    assert (h["upper"] - h["lower"] == 2 * k).all()


# -- the release -----------------------------------------------------------------------------------
def test_full_domain_with_zero_cells_and_multiindex():
    df = pd.DataFrame({"zip": ["A", "A", "B"] * 50, "sex": ["F", "M", "F"] * 50})
    h = dp_histogram(df, ["zip", "sex"], epsilon=50.0, random_state=0,
                     categories={"zip": ["A", "B", "C"], "sex": ["F", "M"]}, accountant=BudgetAccountant())
    assert len(h) == 6
    assert list(h.index.names) == ["zip", "sex"]
    assert h.loc[("C", "F"), "count"] == pytest.approx(0, abs=1)  # a declared, unobserved cell
    assert h.loc[("A", "F"), "count"] == pytest.approx(50, abs=1)
    assert h.loc[("B", "M"), "count"] == pytest.approx(0, abs=1)
    assert list(h.columns) == ["count", "lower", "upper"] and (h.dtypes == np.int64).all()


def test_clip_is_post_processing():
    frame, cats, exact = _many_cells(300)
    raw = dp_histogram(frame, "g", epsilon=0.2, categories={"g": cats}, random_state=3,
                       accountant=BudgetAccountant())
    clipped = dp_histogram(frame, "g", epsilon=0.2, categories={"g": cats}, random_state=3, clip=True,
                           accountant=BudgetAccountant())
    assert (raw["count"] < 0).any() and (clipped["count"] >= 0).all()
    np.testing.assert_array_equal(clipped["count"], np.maximum(raw["count"], 0))
    np.testing.assert_array_equal(clipped["lower"], np.maximum(raw["lower"], 0))


def test_person_bounds_contributions():
    # person p0 has 100 rows in cell A; with max_contributions=2 only 2 of them count
    df = pd.DataFrame({"pid": ["p0"] * 100 + [f"q{i}" for i in range(30)],
                       "zip": ["A"] * 100 + ["B"] * 30})
    h = dp_histogram(df, "zip", epsilon=100.0, person="pid", max_contributions=2,
                     categories={"zip": ["A", "B"]}, random_state=0, accountant=BudgetAccountant())
    assert h["count"].tolist() == pytest.approx([2, 30], abs=1)
    assert h.attrs["scale"] == pytest.approx(2 / 100.0)


def test_learnt_domain_warns_and_categorical_dtype_is_no_declaration():
    df = pd.DataFrame({"c": pd.Series(["x", "y", "x"]).astype("category")})
    with pytest.warns(PrivacyLeakWarning, match="'c'"):
        dp_histogram(df, "c", epsilon=1.0, random_state=0, accountant=BudgetAccountant())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dp_histogram(df, "c", epsilon=1.0, categories={"c": ["x", "y"]}, random_state=0,
                     accountant=BudgetAccountant())


def test_budget_checked_before_and_spent_once():
    frame, cats, _ = _many_cells(10)
    acc = BudgetAccountant(epsilon=1.0)
    dp_histogram(frame, "g", epsilon=0.75, categories={"g": cats}, accountant=acc, random_state=0)
    assert acc.total() == (0.75, 0.0)
    with pytest.raises(BudgetError):
        dp_histogram(frame, "g", epsilon=0.5, categories={"g": cats}, accountant=acc, random_state=0)
    assert acc.total() == (0.75, 0.0)


def test_seeds_and_secure():
    frame, cats, exact = _many_cells(200)
    kw = dict(epsilon=1.0, categories={"g": cats}, accountant=BudgetAccountant())
    a = dp_histogram(frame, "g", random_state=7, **kw)
    b = dp_histogram(frame, "g", random_state=7, **kw)
    c = dp_histogram(frame, "g", random_state=8, **kw)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    s = dp_histogram(frame, "g", random_state="secure", **kw)
    assert np.abs(s["count"].to_numpy() - exact).max() < 30
    enc = DPCountEncoder(epsilon=1.0, categories={"g": cats}, random_state="secure",
                         accountant=BudgetAccountant()).fit(frame)
    assert np.abs(enc.counts_["g"].to_numpy() - exact).max() < 30


@pytest.mark.parametrize("kwargs, match", [
    ({"epsilon": 0}, "epsilon"),
    ({"epsilon": 1.0, "mechanism": "gaussian"}, "delta"),
    ({"epsilon": 1.0, "delta": 1e-5}, "delta"),
    ({"epsilon": 1.0, "max_contributions": 0}, "max_contributions"),
    ({"epsilon": 1.0, "confidence": 1.0}, "confidence"),
    ({"epsilon": 1.0, "mechanism": "uniform"}, "mechanism"),
])
def test_parameter_errors(kwargs, match):
    df = pd.DataFrame({"g": ["a", "b"]})
    with pytest.raises(ValueError, match=match):
        dp_histogram(df, "g", categories={"g": ["a", "b"]}, accountant=BudgetAccountant(), **kwargs)


def test_errors_name_the_column_never_a_cell():
    df = pd.DataFrame({"pid": [SECRET, None], "g": [SECRET, "b"]})
    with pytest.raises(ValueError) as info:
        dp_histogram(df, "g", epsilon=1.0, person="pid", categories={"g": ["b"]},
                     accountant=BudgetAccountant())
    assert "'pid'" in str(info.value) and SECRET not in str(info.value)
    with pytest.raises(ValueError, match="nope") as info:
        dp_histogram(df, "nope", epsilon=1.0, accountant=BudgetAccountant())
    mixed = pd.DataFrame({"g": pd.Series([SECRET, 3, b"x"], dtype=object)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            DPCountEncoder(accountant=BudgetAccountant()).fit(mixed)
    except (TypeError, ValueError) as exc:
        assert "'g'" in str(exc) and SECRET not in str(exc)


# -- the encoder -----------------------------------------------------------------------------------
def _enc_data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"zip": rng.choice(["A", "B", "C"], n, p=[0.6, 0.3, 0.1]),
                         "sex": rng.choice(["F", "M"], n), "age": rng.integers(18, 90, n)})


CATS = {"zip": ["A", "B", "C", "D"], "sex": ["F", "M"]}


def test_encoder_transform_counts_names_and_fill_value():
    X = _enc_data()
    enc = DPCountEncoder(columns=["zip", "sex"], epsilon=2.0, categories=CATS, random_state=0,
                         fill_value=-1.0, accountant=BudgetAccountant())
    out = enc.fit_transform(X)
    assert list(out.columns) == ["zip_count", "sex_count"] == list(enc.get_feature_names_out())
    assert out.index.equals(X.index) and (out.dtypes == np.float64).all()
    assert list(enc.counts_["zip"].index) == ["A", "B", "C", "D"]
    np.testing.assert_array_equal(out["zip_count"], enc.counts_["zip"].loc[X["zip"]].to_numpy())
    true = X["zip"].value_counts()
    assert abs(enc.counts_["zip"]["A"] - true["A"]) <= 15
    # unseen and missing values: the declared fill value, never a count of their own
    new = X.head(3).copy()
    new.loc[0, "zip"] = SECRET
    new.loc[1, "zip"] = None
    got = enc.transform(new)
    assert got["zip_count"].iloc[:2].tolist() == [-1.0, -1.0]
    assert set(enc.intervals_["zip"].columns) == {"lower", "upper"}
    k = enc.intervals_["zip"]["upper"] - enc.counts_["zip"]
    assert (k == k.iloc[0]).all() and k.iloc[0] > 0
    # budget split over the two columns
    assert enc.epsilon_per_column_ == 1.0
    a = math.exp(-1.0)
    assert enc.noise_std_ == pytest.approx(math.sqrt(2 * a) / (1 - a))


def test_encoder_normalize_and_numpy_set_output():
    X = _enc_data()
    enc = DPCountEncoder(columns=["zip"], epsilon=5.0, categories=CATS, normalize=True, random_state=0,
                         accountant=BudgetAccountant())
    out = enc.fit_transform(X)
    freq = np.maximum(enc.counts_["zip"].to_numpy(), 0) / np.maximum(enc.counts_["zip"].to_numpy(), 0).sum()
    np.testing.assert_allclose(np.unique(out["zip_count"]), np.unique(freq[:3]))
    arr = DPCountEncoder(epsilon=1.0, random_state=0, accountant=BudgetAccountant())
    with pytest.warns(PrivacyLeakWarning):
        res = arr.fit_transform(X[["zip"]].to_numpy())
    assert isinstance(res, np.ndarray) and res.shape == (len(X), 1)
    arr.set_output(transform="pandas")
    assert list(arr.transform(X[["zip"]].to_numpy()).columns) == ["x0_count"]


def test_encoder_budget_once_per_fit_and_privacy_budget():
    X, y = _enc_data(), np.arange(400) % 2
    acc = BudgetAccountant()
    pipe = Pipeline([
        ("ct", ColumnTransformer([("counts", DPCountEncoder(epsilon=0.8, categories=CATS, accountant=acc,
                                                            random_state=0), ["zip", "sex"])])),
        ("clf", LogisticRegression()),
    ]).fit(X, y)
    assert acc.total() == pytest.approx((0.8, 0.0))
    pipe.predict(X)  # transform spends nothing
    assert acc.total() == pytest.approx((0.8, 0.0))
    budget = privacy_budget(pipe)
    assert budget.central_epsilon == pytest.approx(0.8) and budget.epsilon == pytest.approx(0.8)
    assert budget.steps[0]["name"] == "ct__counts" and budget.steps[0]["kind"] == "central"
    g = DPCountEncoder(epsilon=1.0, delta=1e-6, mechanism="gaussian", categories=CATS, columns=["zip"],
                       accountant=acc, random_state=0).fit(X)
    assert privacy_budget(g).delta == pytest.approx(1e-6)
    assert acc.total() == pytest.approx((1.8, 1e-6))


def test_encoder_accountant_survives_clone_and_grid_search():
    X, y = _enc_data(), np.arange(400) % 2
    acc = BudgetAccountant()
    enc = DPCountEncoder(columns=["zip"], epsilon=0.5, categories=CATS, accountant=acc, random_state=0)
    for _ in range(3):
        clone(enc).fit(X)
    assert acc.total() == pytest.approx((1.5, 0.0))
    assert clone(enc).accountant is acc
    acc2 = BudgetAccountant()
    pipe = make_pipeline(DPCountEncoder(columns=["zip"], categories=CATS, accountant=acc2, random_state=0),
                         LogisticRegression())
    search = GridSearchCV(pipe, {"dpcountencoder__epsilon": [0.5, 1.0]}, cv=2).fit(X, y)
    spent = acc2.total()[0]
    assert spent == pytest.approx(2 * (0.5 + 1.0) + search.best_params_["dpcountencoder__epsilon"])
    assert privacy_budget(search).central_epsilon == pytest.approx(spent)


def test_encoder_pickle_holds_no_generator_and_same_seed_same_counts():
    X = _enc_data()
    kw = dict(columns=["zip", "sex"], categories=CATS, accountant=BudgetAccountant())
    a = DPCountEncoder(random_state=5, **kw).fit(X)
    b = DPCountEncoder(random_state=5, **kw).fit(X)
    pd.testing.assert_series_equal(a.counts_["zip"], b.counts_["zip"])
    gen = DPCountEncoder(random_state=np.random.default_rng(1), **kw).fit(X)
    loaded = pickle.loads(pickle.dumps(gen))
    assert loaded.random_state is None
    assert not any(isinstance(v, np.random.Generator) for v in vars(loaded).values())
    pd.testing.assert_frame_equal(loaded.transform(X), gen.transform(X))


def test_encoder_learnt_domain_warns():
    X = _enc_data()
    with pytest.warns(PrivacyLeakWarning, match="'sex'"):
        DPCountEncoder(columns=["zip", "sex"], categories={"zip": CATS["zip"]},
                       accountant=BudgetAccountant()).fit(X)


def test_encoder_in_a_pipeline_on_adult(adult_dir):
    df = pd.read_csv(adult_dir / "adult.csv", sep=";")
    y = (df["salary-class"] != "<=50K").to_numpy().astype(int)
    cols = ["native-country", "occupation"]
    # the domains as published in the dataset's documentation (ARX's hierarchy files list them)
    cats = {c: pd.read_csv(adult_dir / f"adult_hierarchy_{c}.csv", sep=";", header=None)[0].tolist()
            for c in cols}
    acc = BudgetAccountant()
    pipe = Pipeline([
        ("features", ColumnTransformer([
            ("counts", DPCountEncoder(epsilon=1.0, categories=cats, normalize=True, accountant=acc,
                                      random_state=0), cols),
            ("age", "passthrough", ["age"]),
        ])),
        ("scale", StandardScaler()),
        ("clf", LogisticRegression(max_iter=1000)),
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyLeakWarning)  # declared domain: no leak warning
        pipe.fit(df, y)
    dp_score = pipe.score(df, y)
    # the same model on the exact (non-private) frequencies: the noise costs little accuracy
    exact = pd.DataFrame({c: df[c].map(df[c].value_counts(normalize=True)) for c in cols})
    exact["age"] = df["age"]
    exact_score = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(exact, y).score(exact, y)
    # (frequencies are a weak linear feature: both models sit near the majority rate, 0.75)
    assert abs(dp_score - exact_score) < 0.01, (dp_score, exact_score)
    enc = pipe.named_steps["features"].named_transformers_["counts"]
    true = df["native-country"].value_counts()
    assert abs(enc.counts_["native-country"]["United-States"] - true["United-States"]) <= 20
    assert len(enc.counts_["native-country"]) == len(cats["native-country"])
    assert acc.total() == pytest.approx((1.0, 0.0))
    assert privacy_budget(pipe).epsilon == pytest.approx(1.0)


def test_encoder_delta_ignored_by_laplace_and_search_over_mechanism():
    X = _enc_data()
    acc = BudgetAccountant()
    enc = DPCountEncoder(columns=["zip"], categories=CATS, delta=1e-6, accountant=acc, random_state=0).fit(X)
    assert acc.total() == pytest.approx((1.0, 0.0)) and privacy_budget(enc).delta == 0.0
    with pytest.raises(ValueError, match="delta"):
        DPCountEncoder(columns=["zip"], categories=CATS, mechanism="gaussian",
                       accountant=BudgetAccountant()).fit(X)


def test_dask_fit_refused_and_transform_partitionwise():
    dd = pytest.importorskip("dask.dataframe")
    from sklearn_anon.dask import fit_dask, transform_dask

    X = _enc_data()
    ddf = dd.from_pandas(X, npartitions=3)
    with pytest.raises(TypeError, match="DPCountEncoder"):
        fit_dask(DPCountEncoder(columns=["zip"], categories=CATS, accountant=BudgetAccountant()), ddf)
    enc = DPCountEncoder(columns=["zip"], categories=CATS, accountant=BudgetAccountant(), random_state=0).fit(X)
    got = transform_dask(enc, ddf).compute()
    pd.testing.assert_frame_equal(got, enc.transform(X))


def test_encoder_noise_measured_with_the_budget_split_over_columns():
    # two columns at epsilon=2: each column's counts carry discrete Laplace noise of
    # epsilon 1 (variance 2e^-1/(1-e^-1)^2 = 1.84), not epsilon 2 (0.52): a fit that
    # gave the full epsilon to every column fails here
    frame, cats, exact = _many_cells()
    X = pd.DataFrame({"g": frame["g"], "h": frame["g"]})
    noise = []
    for seed in range(10):
        enc = DPCountEncoder(epsilon=2.0, categories={"g": cats, "h": cats}, random_state=seed,
                             accountant=BudgetAccountant()).fit(X)
        noise += [enc.counts_["g"].to_numpy() - exact, enc.counts_["h"].to_numpy() - exact]
    noise = np.concatenate(noise)
    a = math.exp(-1.0)
    assert noise.var() == pytest.approx(2 * a / (1 - a) ** 2, rel=0.06)
    assert abs(noise.mean()) < 4 * math.sqrt(2 * a / (1 - a) ** 2 / noise.size)
