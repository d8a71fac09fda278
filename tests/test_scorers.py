"""Privacy scorers in grid searches (metrics._scorers)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_anon import IntervalGeneralizer, MondrianAnonymizer
from sklearn_anon.metrics import (
    PRIVACY_MEASURES,
    k_anonymity,
    make_privacy_scorer,
    sample_uniqueness,
)

QIS = ["age", "hours", "sex"]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame({
        "age": rng.integers(18, 80, n),
        "hours": rng.integers(10, 70, n),
        "sex": rng.choice(["F", "M"], n),
    })
    logit = 0.05 * (X["age"] - 45) + 0.04 * (X["hours"] - 40) + (X["sex"] == "M") * 0.5
    y = (logit + rng.normal(0, 1, n) > 0).astype(int).to_numpy()
    return X, y


def _pipe(k=5):
    return Pipeline([
        ("preprocess", Pipeline([
            ("mondrian", MondrianAnonymizer(k=k, quasi_identifiers=QIS)),
            ("encode", OneHotEncoder(handle_unknown="ignore")),
        ])),
        ("clf", LogisticRegression(max_iter=500)),
    ])


def test_grid_search_reports_accuracy_and_privacy(data):
    X, y = data
    scoring = {
        "accuracy": "accuracy",
        "k": make_privacy_scorer("k", step="preprocess__mondrian", quasi_identifiers=QIS),
        "neg_uniqueness": make_privacy_scorer(
            "uniqueness", step="preprocess__mondrian", quasi_identifiers=QIS
        ),
    }
    search = GridSearchCV(
        _pipe(), {"preprocess__mondrian__k": [2, 10, 40], "clf__C": [0.1, 1.0]},
        scoring=scoring, refit="accuracy", cv=3,
    ).fit(X, y)
    res = pd.DataFrame(search.cv_results_)
    for name in ("accuracy", "k", "neg_uniqueness"):
        assert f"mean_test_{name}" in res and res[f"mean_test_{name}"].notna().all()
    assert (res["mean_test_accuracy"] > 0.5).all()
    # privacy scores follow k; uniqueness is reported negated (greater is better)
    by_k = res.groupby("param_preprocess__mondrian__k")[["mean_test_k", "mean_test_neg_uniqueness"]].mean()
    assert by_k["mean_test_k"].is_monotonic_increasing
    assert by_k["mean_test_neg_uniqueness"].is_monotonic_increasing
    assert (res["mean_test_neg_uniqueness"] <= 0).all()
    assert by_k.loc[40, "mean_test_neg_uniqueness"] == 0.0  # classes of 40 rows, test fold of 200
    # a fitted search is scored through its best estimator; the scorer pickles
    assert scoring["k"](search, X, y) >= 2
    import pickle

    assert pickle.loads(pickle.dumps(scoring["k"]))(search, X, y) == scoring["k"](search, X, y)


def test_scorer_value_is_the_measure_of_the_step_output(data):
    X, y = data
    pipe = _pipe(k=10).fit(X, y)
    released = pipe.named_steps["preprocess"].named_steps["mondrian"].transform(X)
    k = make_privacy_scorer("k", step="preprocess__mondrian", quasi_identifiers=QIS)
    u = make_privacy_scorer("uniqueness", step="preprocess__mondrian", quasi_identifiers=QIS)
    assert k(pipe, X, y) == k_anonymity(released, QIS) >= 10
    # the release is the fitted data, whatever the scoring data
    assert u(pipe, X.iloc[:50], y[:50]) == -sample_uniqueness(released, QIS) == 0.0
    u_new = make_privacy_scorer("uniqueness", step="preprocess__mondrian", quasi_identifiers=QIS,
                                on="scoring_data")
    assert u_new(pipe, X.iloc[:50], y[:50]) == -sample_uniqueness(
        pipe.named_steps["preprocess"].named_steps["mondrian"].transform(X.iloc[:50]), QIS
    ) < 0
    assert "on='scoring_data'" in repr(u_new) and "on=" not in repr(u)
    # quasi_identifiers default: the step's output columns that were input columns
    assert make_privacy_scorer("k", step="preprocess__mondrian")(pipe, X) == k(pipe, X)
    assert "greater_is_better" not in repr(k) and "greater_is_better=False" in repr(u)


def test_scorer_finds_a_column_transformer_sub_transformer(data):
    X, y = data
    X = X.assign(other=np.arange(len(X)) % 7)
    ct = ColumnTransformer([
        ("gen", IntervalGeneralizer(bins=[0, 30, 50, 100]), ["age"]),
        ("mondrian", MondrianAnonymizer(k=25), ["hours", "sex"]),
        ("rest", "passthrough", ["other"]),
    ])
    pipe = Pipeline([
        ("ct", ct),
        ("encode", OneHotEncoder(handle_unknown="ignore")),
        ("clf", LogisticRegression(max_iter=300)),
    ]).fit(X, y)
    k = make_privacy_scorer("k", step="ct__mondrian")(pipe, X)
    assert k >= 25
    assert make_privacy_scorer("k", step="ct__gen")(pipe, X) == k_anonymity(
        IntervalGeneralizer(bins=[0, 30, 50, 100]).fit_transform(X[["age"]]), ["age"]
    )
    ncp = make_privacy_scorer("ncp", step="ct__mondrian")(pipe, X)
    assert -1 <= ncp < 0
    reid = make_privacy_scorer("reidentification", step="ct__mondrian")(pipe, X)
    assert reid == 0.0


def test_sensitive_measures_and_sign_conventions(data):
    X, y = data
    Xs = X.assign(disease=np.random.default_rng(1).choice(["a", "b", "c"], len(X)))
    anon = MondrianAnonymizer(k=10, sensitive="disease", l=2, quasi_identifiers=QIS).fit(Xs)
    scores = {
        m: make_privacy_scorer(m, sensitive="disease", quasi_identifiers=QIS, k=10)(anon, Xs)
        for m in PRIVACY_MEASURES
    }
    assert scores["k"] >= 10 and scores["l"] >= 2 and scores["l_entropy"] > 1
    for name in ("t", "uniqueness", "records_below_k", "prosecutor_max", "prosecutor_mean",
                 "marketer", "homogeneity", "discernibility", "average_class_size", "ncp",
                 "entropy_loss", "reidentification", "prosecutor_share"):
        assert scores[name] <= 0, name
    assert scores["prosecutor_max"] >= -0.1
    assert scores["homogeneity"] == 0.0
    assert make_privacy_scorer("uniqueness", greater_is_better=True)(anon, Xs) >= 0
    custom = make_privacy_scorer(lambda rel, orig, q, **kw: float(len(rel)))
    assert custom(anon, Xs) == len(Xs)


def test_bad_scorer_arguments(data):
    X, y = data
    pipe = _pipe().fit(X, y)
    with pytest.raises(ValueError, match="Unknown privacy measure"):
        make_privacy_scorer("accuracy", step="preprocess__mondrian")
    with pytest.raises(ValueError, match="sensitive"):
        make_privacy_scorer("l", step="preprocess__mondrian")
    with pytest.raises(TypeError, match="step"):
        make_privacy_scorer("k", step=3)
    with pytest.raises(ValueError, match="preprocess__nope"):
        make_privacy_scorer("k", step="preprocess__nope")(pipe, X)
    with pytest.raises(ValueError, match="holds no named steps"):
        make_privacy_scorer("k", step="clf__x")(pipe, X)
    with pytest.raises(ValueError, match="not found|nope"):
        make_privacy_scorer("k", step="preprocess__mondrian", quasi_identifiers=["nope"])(pipe, X)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_search_k_scorer_measures_the_release(data, n_jobs):
    # issue 15.3: the k of the anonymized training fold, at least the k asked
    # for; the held-out measure (on="scoring_data") is reported apart
    X, y = data
    scoring = {
        "k": make_privacy_scorer("k", step="preprocess__mondrian", quasi_identifiers=QIS),
        "k_new": make_privacy_scorer("k", step="preprocess__mondrian", quasi_identifiers=QIS,
                                     on="scoring_data"),
    }
    search = GridSearchCV(_pipe(), {"preprocess__mondrian__k": [5, 20, 100]}, scoring=scoring,
                          refit="k", cv=3, n_jobs=n_jobs).fit(X, y)
    res = pd.DataFrame(search.cv_results_)
    for k, row in zip(res["param_preprocess__mondrian__k"], res.itertuples()):
        for split in range(3):
            assert getattr(row, f"split{split}_test_k") >= k
    assert (res["mean_test_k_new"] < res["param_preprocess__mondrian__k"].astype(float)).all()
    # the refit search measures its own release (the whole X)
    mondrian = search.best_estimator_.named_steps["preprocess"].named_steps["mondrian"]
    assert scoring["k"](search, X, y) == k_anonymity(mondrian.transform(X), QIS) >= 5


def test_release_scorer_follows_the_last_fit_and_refuses_an_unpickled_step(data):
    import pickle

    X, y = data
    scorer = make_privacy_scorer("k", quasi_identifiers=QIS)
    step = MondrianAnonymizer(k=25, quasi_identifiers=QIS)
    step.fit_transform(X)
    assert scorer(step, X.iloc[:10]) >= 25
    step.fit(X.iloc[:300])  # fit alone: the release is its output on those 300 rows
    assert scorer(step, X) == k_anonymity(step.transform(X.iloc[:300]), QIS) >= 25
    loaded = pickle.loads(pickle.dumps(step))
    with pytest.raises(ValueError, match="not fitted in this process.*on='scoring_data'"):
        scorer(loaded, X)
    assert make_privacy_scorer("k", quasi_identifiers=QIS, on="scoring_data")(loaded, X) >= 1
    with pytest.raises(ValueError, match="on must be"):
        make_privacy_scorer("k", on="test")


def test_recording_can_be_paused(data):
    # the command line fits without keeping references to the steps' data (memory)
    from sklearn_anon._fit_record import fit_input, fit_output, paused

    X, _ = data
    step = MondrianAnonymizer(k=25, quasi_identifiers=QIS)
    with paused():
        step.fit_transform(X)
    assert fit_input(step) is None and fit_output(step) is None
    step.fit_transform(X)
    assert fit_input(step) is X and fit_output(step) is not None
