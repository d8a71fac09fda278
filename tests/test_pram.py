"""PRAM: transition matrices, invariance, frequency estimation, its link to randomized response.

Statistical checks use fixed seeds and state their tolerance (in standard
errors of the quantity compared); they are deterministic given the seed.
"""

import math
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer

from sklearn_anon import PRAM, PrivacyLeakWarning, RandomizedResponse
from sklearn_anon.sdc._pram import invariant_matrix, matrix_epsilon, pram_codes

CATS = ["a", "b", "c"]


def _fit_quiet(est, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyLeakWarning)
        return est.fit(X)


def _frame(freqs, n, seed=0, name="c"):
    rng = np.random.default_rng(seed)
    values = rng.choice(np.array(list(freqs), dtype=object), size=n, p=list(freqs.values()))
    return pd.DataFrame({name: values})


def _transition_counts(true_codes, released_codes, k):
    counts = np.zeros((k, k))
    np.add.at(counts, (true_codes, released_codes), 1)
    return counts


# -- the invariant matrix ------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.floats(0.01, 100), min_size=1, max_size=12),
    p=st.floats(0, 1),
)
def test_invariant_matrix_is_stochastic_and_keeps_the_frequencies(weights, p):
    pi = np.asarray(weights) / np.sum(weights)
    P = invariant_matrix(pi, p)
    assert (P >= 0).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-12)  # pi' P = pi'
    assert (np.diag(P) >= p - 1e-12).all()  # retention at least p


def test_fitted_matrix_is_the_documented_construction():
    X = pd.DataFrame({"c": ["a"] * 50 + ["b"] * 30 + ["c"] * 20})
    pram = _fit_quiet(PRAM(p=0.7), X)
    P = pram.matrix_["c"]
    assert list(P.index) == list(P.columns) == CATS
    pi = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(P.to_numpy(), 0.7 * np.eye(3) + 0.3 * np.outer(np.ones(3), pi))
    assert pram.invariant_ == {"c": True}


def test_invariant_pram_keeps_the_marginal_statistically():
    freqs = {"a": 0.55, "b": 0.25, "c": 0.15, "d": 0.05}
    n = 200_000
    X = _frame(freqs, n, seed=1)
    pram = _fit_quiet(PRAM(p=0.6, random_state=2), X)
    out = pram.transform(X)
    before = X["c"].value_counts(normalize=True).reindex(list(freqs))
    after = out["c"].value_counts(normalize=True).reindex(list(freqs))
    # variance of a released frequency: at most 1/(4n) per value of the multinomial
    # mixture; 5 standard errors
    assert np.abs(after - before).max() < 5 * math.sqrt(0.25 / n)
    # but values did move: about (1-p)(1 - sum pi^2) of them
    moved = (out["c"] != X["c"]).mean()
    expected = 0.4 * (1 - sum(v * v for v in before))
    assert abs(moved - expected) < 5 * math.sqrt(expected * (1 - expected) / n)


# -- sampling --------------------------------------------------------------------
def test_pram_codes_follow_each_row():
    P = np.array([[0.6, 0.3, 0.1], [0.0, 1.0, 0.0], [0.2, 0.2, 0.6]])
    cum = np.cumsum(P, axis=1)
    cum[:, -1] = np.inf
    n = 60_000
    codes = np.repeat([0, 1, 2], n)
    out = pram_codes(codes, cum, np.random.default_rng(3))
    freq = _transition_counts(codes, out, 3) / n
    # 5 standard errors of a binomial frequency
    se = np.sqrt(P * (1 - P) / n)
    assert (np.abs(freq - P) <= 5 * se + 1e-12).all()
    assert (out[codes == 1] == 1).all()  # a zero-probability cell never occurs


def test_unknown_and_nan_never_pass_through():
    X = pd.DataFrame({"c": ["a", "b", "c"] * 10})
    pram = PRAM(categories=CATS, matrix=np.eye(3), random_state=0).fit(X)
    new = pd.DataFrame({"c": ["a", "secret-value", None, "b"] * 50})
    out = pram.transform(new)
    assert set(out["c"]) <= set(CATS)
    # the identity matrix keeps known values; unknown ones are uniform draws
    assert (out["c"][new["c"] == "a"] == "a").all()
    assert out["c"][new["c"].isna()].nunique() > 1


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.one_of(st.text(max_size=5), st.none()), min_size=1, max_size=40))
def test_output_is_always_in_the_category_set(values):
    X = pd.DataFrame({"c": pd.Series(values, dtype=object)})
    pram = PRAM(categories=["x", "y"], matrix=[[0.5, 0.5], [0.5, 0.5]], random_state=0)
    if not any(v in ("x", "y") for v in values if v is not None) and any(v is not None for v in values):
        with pytest.raises(ValueError, match="None of the values"):
            pram.fit(X)
        return
    out = pram.fit(X).transform(X)
    assert len(out) == len(X) and set(out["c"]) <= {"x", "y"}


# -- frequency estimation ------------------------------------------------------------
def test_estimate_frequencies_is_unbiased():
    P = np.array([[0.7, 0.2, 0.1], [0.15, 0.7, 0.15], [0.1, 0.3, 0.6]])
    X = _frame({"a": 0.6, "b": 0.3, "c": 0.1}, 2_000, seed=4)
    truth = X["c"].value_counts(normalize=True).reindex(CATS).to_numpy()
    pram = PRAM(categories=CATS, matrix=P, random_state=5).fit(X)
    R = 400
    est = np.array([pram.estimate_frequencies(pram.transform(X))["c"].to_numpy() for _ in range(R)])
    np.testing.assert_allclose(est.sum(axis=1), 1.0)
    mean, se = est.mean(axis=0), est.std(axis=0, ddof=1) / math.sqrt(R)
    # the mean of 400 estimates lies within 4 standard errors of the true frequencies
    assert (np.abs(mean - truth) < 4 * se).all(), (mean, truth, se)
    # while the raw released frequencies are biased (towards P' pi)
    raw = pram.transform(X)["c"].value_counts(normalize=True).reindex(CATS).to_numpy()
    assert np.abs(raw - truth).max() > 0.05


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_estimate_frequencies_accepts_only_the_randomized_columns_and_arrays():
    X = pd.DataFrame({"c": ["a", "b"] * 50, "keep": range(100)})
    pram = PRAM(columns=["c"], categories=["a", "b"], matrix=[[0.8, 0.2], [0.3, 0.7]], random_state=0).fit(X)
    out = pram.transform(X)
    a = pram.estimate_frequencies(out[["c"]])["c"]
    b = pram.estimate_frequencies(out.to_numpy())["c"]
    pd.testing.assert_series_equal(a, b)
    assert list(a.index) == ["a", "b"] and list(pram.estimate_frequencies(out)) == ["c"]


def test_singular_matrix_refuses_to_estimate():
    X = pd.DataFrame({"c": ["a", "b", "b"]})
    pram = _fit_quiet(PRAM(p=0.0, random_state=0), X)
    with pytest.raises(ValueError, match="singular"):
        pram.estimate_frequencies(pram.transform(X))
    given = PRAM(categories=["a", "b"], matrix=[[0.5, 0.5], [0.5, 0.5]], random_state=0).fit(X)
    with pytest.raises(ValueError, match="singular"):
        given.estimate_frequencies(X)


# -- epsilon and randomized response ---------------------------------------------------
def test_matrix_epsilon():
    assert matrix_epsilon([[0.9, 0.1], [0.2, 0.8]]) == pytest.approx(math.log(0.8 / 0.1))
    assert matrix_epsilon(np.eye(3)) == math.inf
    assert matrix_epsilon([[1.0]]) == 0.0
    assert matrix_epsilon([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]) == 0.0  # unused output


@pytest.mark.parametrize("k, eps", [(2, 0.5), (3, 1.0), (5, 2.0)])
def test_uniform_pram_is_k_ary_randomized_response(k, eps):
    cats = [f"v{i}" for i in range(k)]
    keep = math.exp(eps) / (math.exp(eps) + k - 1)
    a = (keep * k - 1) / (k - 1)  # keep with prob a, else uniform over all k
    P = a * np.eye(k) + (1 - a) / k * np.ones((k, k))
    n = 40_000
    X = pd.DataFrame({"c": np.repeat(np.array(cats, dtype=object), n)})
    pram = PRAM(categories=cats, matrix=P, random_state=7).fit(X)
    assert pram.epsilon_["c"] == pytest.approx(eps)
    rr = RandomizedResponse(epsilon=eps, categories=cats, random_state=8).fit(X)
    codes = np.repeat(np.arange(k), n)
    lookup = {c: i for i, c in enumerate(cats)}
    got_pram = _transition_counts(codes, pram.transform(X)["c"].map(lookup).to_numpy(), k) / n
    got_rr = _transition_counts(codes, rr.transform(X)["c"].map(lookup).to_numpy(), k) / n
    np.testing.assert_allclose(np.diag(P), keep)
    # each empirical transition probability within 5 standard errors of P, and the two
    # mechanisms within 5 standard errors of their difference
    se = np.sqrt(P * (1 - P) / n)
    assert (np.abs(got_pram - P) < 5 * se).all()
    assert (np.abs(got_rr - P) < 5 * se).all()
    assert (np.abs(got_pram - got_rr) < 5 * math.sqrt(2) * se).all()


def test_invariant_epsilon_is_large_for_rare_categories():
    X = pd.DataFrame({"c": ["a"] * 99 + ["b"]})
    pram = _fit_quiet(PRAM(p=0.8), X)
    assert pram.epsilon_["c"] == pytest.approx(math.log((0.8 + 0.2 * 0.01) / (0.2 * 0.01)))
    assert _fit_quiet(PRAM(p=1.0), X).epsilon_["c"] == math.inf


# -- privacy warnings, validation -------------------------------------------------------
def test_invariant_matrix_warns_that_it_discloses_frequencies():
    X = pd.DataFrame({"c": ["a", "b", "b"]})
    with pytest.warns(PrivacyLeakWarning, match="invariant transition matrix"):
        PRAM(categories=["a", "b"]).fit(X)
    with pytest.warns(PrivacyLeakWarning, match="categories read from the data"):
        PRAM(matrix=[[0.8, 0.2], [0.2, 0.8]]).fit(X)


def test_declared_matrix_does_not_warn():
    X = pd.DataFrame({"c": ["a", "b", "b"]})
    P = pd.DataFrame([[0.8, 0.2], [0.1, 0.9]], index=["b", "a"], columns=["a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pram = PRAM(matrix={"c": P}, random_state=0).fit(X)
    # both axes in the index's category order, every cell follows its labels
    assert pram.categories_ == {"c": ["b", "a"]}
    np.testing.assert_allclose(pram.matrix_["c"].to_numpy(), [[0.2, 0.8], [0.9, 0.1]])
    assert pram.matrix_["c"].loc["a", "b"] == 0.9


@pytest.mark.parametrize(
    "matrix, match",
    [
        ([[0.8, 0.3], [0.2, 0.8]], "sum to 1"),
        ([[1.2, -0.2], [0.2, 0.8]], ">= 0"),
        ([[1.0]], "square"),
        ([[np.nan, 1.0], [0.5, 0.5]], "finite"),
        (pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=["SECRET", "b"], columns=["SECRET", "b"]), "category set"),
    ],
)
def test_invalid_matrices_name_the_column_not_values(matrix, match):
    X = pd.DataFrame({"c": ["SECRET", "b"]})
    with pytest.raises(ValueError, match=match) as err:
        PRAM(categories=["a", "b"], matrix=matrix).fit(X)
    assert "'c'" in str(err.value) and "SECRET" not in str(err.value)


# -- estimator contract ----------------------------------------------------------------
def test_rows_order_index_dtypes_and_passthrough():
    X = pd.DataFrame(
        {
            "cat": pd.Categorical(["x", "y", "x", "z"] * 25),
            "s": pd.Series(["p", "q"] * 50, dtype="string"),
            "n": np.arange(100),
        },
        index=np.arange(100)[::-1],
    )
    pram = _fit_quiet(PRAM(columns=["cat", "s"], p=0.5, random_state=0), X)
    out = pram.transform(X)
    assert list(out.index) == list(X.index) and list(out.columns) == ["cat", "s", "n"]
    assert isinstance(out["cat"].dtype, pd.CategoricalDtype)
    assert out["s"].dtype == X["s"].dtype
    pd.testing.assert_series_equal(out["n"], X["n"])
    assert list(pram.get_feature_names_out()) == ["cat", "s", "n"]


def test_identity_matrix_keeps_every_row_in_order():
    X = pd.DataFrame({"c": list("abcabcbca")})
    out = PRAM(categories=CATS, matrix=np.eye(3), random_state=0).fit_transform(X)
    pd.testing.assert_frame_equal(out, X)


def test_column_transformer_with_pandas_output():
    X = pd.DataFrame({"c": ["a", "b"] * 20, "n": np.arange(40.0)})
    ct = ColumnTransformer(
        [("pram", PRAM(categories=["a", "b"], matrix=[[0.9, 0.1], [0.1, 0.9]], random_state=0), ["c"])],
        remainder="passthrough",
    ).set_output(transform="pandas")
    out = ct.fit_transform(X)
    assert list(out.columns) == ["pram__c", "remainder__n"]
    assert set(out["pram__c"]) <= {"a", "b"}


def test_random_state_int_reproducible_calls_differ_generator_not_pickled():
    X = _frame({"a": 0.5, "b": 0.3, "c": 0.2}, 500)
    a = _fit_quiet(PRAM(p=0.3, random_state=0), X)
    b = _fit_quiet(PRAM(p=0.3, random_state=0), X)
    first = a.transform(X)
    pd.testing.assert_frame_equal(first, b.transform(X))
    assert not first.equals(a.transform(X))  # the next release has fresh draws
    g = _fit_quiet(PRAM(p=0.3, random_state=np.random.default_rng(0)), X)
    assert pickle.loads(pickle.dumps(g)).random_state is None
    secure = _fit_quiet(PRAM(p=0.3, random_state="secure"), X).transform(X)
    assert set(secure["c"]) <= set(CATS)


def test_array_input_and_unseen_column_errors():
    X = np.array([["a", "x"], ["b", "y"], ["a", "y"]], dtype=object)
    pram = _fit_quiet(PRAM(p=0.5, random_state=0), X)
    out = pram.transform(X)
    assert isinstance(out, np.ndarray) and out.shape == X.shape
    assert list(pram.get_feature_names_out()) == ["x0", "x1"]


# -- Adult --------------------------------------------------------------------------------
@pytest.mark.parametrize("column", ["race", "marital-status"])
def test_adult_invariant_pram_keeps_marginals_and_recovers_frequencies(adult_dir, column):
    data = pd.read_csv(adult_dir / "adult.csv", sep=";", usecols=[column])
    n = len(data)
    pram = _fit_quiet(PRAM(p=0.8, random_state=11), data)
    cats = pram.categories_[column]
    truth = data[column].value_counts(normalize=True).reindex(cats).to_numpy()
    out = pram.transform(data)
    released = out[column].value_counts(normalize=True).reindex(cats, fill_value=0).to_numpy()
    # total variation distance between released and true marginal: under invariance the
    # expected TVD is of the order sum_j sqrt(pi_j (1 - pi_j) / n) (about 0.004 here);
    # the tolerance is 3x that bound
    tol = 3 * np.sqrt(truth * (1 - truth) / n).sum()
    assert 0.5 * np.abs(released - truth).sum() < tol
    # values did move: (1 - p)(1 - sum pi^2) of them in expectation, 5 standard errors
    moved, expected = (out[column] != data[column]).mean(), 0.2 * (1 - (truth**2).sum())
    assert abs(moved - expected) < 5 * math.sqrt(expected * (1 - expected) / n)
    # chi-square goodness of fit of the released counts to the true marginal (at the 0.1% level)
    from scipy.stats import chisquare

    counts = released * n
    assert chisquare(counts, truth * n).pvalue > 0.001
    # estimated frequencies recover the truth within 5 standard errors per category
    est = pram.estimate_frequencies(out)[column].to_numpy()
    assert np.abs(est - truth).max() < 5 * np.sqrt(truth * (1 - truth) / n).max() / 0.8
