"""Privacy scorers in grid searches (metrics._scorers)."""

import gc
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_anon import IntervalGeneralizer, MondrianAnonymizer, RareCategoryGrouper
from sklearn_anon.metrics import (
    PRIVACY_MEASURES,
    k_anonymity,
    make_privacy_scorer,
    sample_uniqueness,
)
from sklearn_anon._fit_record import fit_input
from sklearn_anon.metrics._scorers import CLASS_SIZE_MEASURES

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


def test_grid_search_k_scorer_measures_the_release(data):
    # (worker processes, n_jobs=2: test_loky_workers_give_the_same_release_scores_as_one_process)
    # issue 15.3: the k of the anonymized training fold, at least the k asked
    # for; the held-out measure (on="scoring_data") is reported apart
    X, y = data
    scoring = {
        "k": make_privacy_scorer("k", step="preprocess__mondrian", quasi_identifiers=QIS),
        "k_new": make_privacy_scorer("k", step="preprocess__mondrian", quasi_identifiers=QIS,
                                     on="scoring_data"),
    }
    search = GridSearchCV(_pipe(), {"preprocess__mondrian__k": [5, 20, 100]}, scoring=scoring,
                          refit="k", cv=3).fit(X, y)
    res = pd.DataFrame(search.cv_results_)
    for k, row in zip(res["param_preprocess__mondrian__k"], res.itertuples()):
        for split in range(3):
            assert getattr(row, f"split{split}_test_k") >= k
    assert (res["mean_test_k_new"] < res["param_preprocess__mondrian__k"].astype(float)).all()
    # the refit search measures its own release (the whole X)
    mondrian = search.best_estimator_.named_steps["preprocess"].named_steps["mondrian"]
    assert scoring["k"](search, X, y) == k_anonymity(mondrian.transform(X), QIS) >= 5


def test_release_scorer_follows_the_last_fit_and_refuses_an_unknown_release(data):
    X, y = data
    scorer = make_privacy_scorer("k", quasi_identifiers=QIS)
    step = MondrianAnonymizer(k=25, quasi_identifiers=QIS)
    step.fit_transform(X)
    assert scorer(step, X.iloc[:10]) >= 25
    step.fit(X.iloc[:300])  # fit alone: the release is its output on those 300 rows
    assert scorer(step, X) == k_anonymity(step.transform(X.iloc[:300]), QIS) >= 25
    loaded = pickle.loads(pickle.dumps(step))
    # a copy made in this process finds its original's record through the fit token
    assert scorer(loaded, X) == scorer(step, X)
    del step
    gc.collect()
    # fitted by fit() alone, so no release summary travelled: fail closed, never the scoring data
    with pytest.raises(ValueError, match="not fitted in this process.*on='scoring_data'"):
        scorer(loaded, X)
    assert make_privacy_scorer("k", quasi_identifiers=QIS, on="scoring_data")(loaded, X) >= 1
    with pytest.raises(ValueError, match="on must be"):
        make_privacy_scorer("k", on="test")


def _ct_pipe(k=5, qis=("age", "hours")):
    qis = list(qis)
    return Pipeline([
        ("anon", ColumnTransformer(
            [("mondrian", MondrianAnonymizer(k=k, quasi_identifiers=qis, output="midpoint"), qis),
             ("sex", OneHotEncoder(sparse_output=False), ["sex"])],
            verbose_feature_names_out=False).set_output(transform="pandas")),
        ("clf", LogisticRegression(max_iter=300)),
    ])


def _copy_from_elsewhere(est):
    """``est`` as another process receives it (the caller then drops the original)."""
    return pickle.loads(pickle.dumps(est))


def test_release_summary_travels_with_a_pickled_step(data):
    # issue 15.3: under joblib's Dask backend a ColumnTransformer's parts come back as
    # copies; the class sizes of their release travel with them (no value of the release)
    X, y = data
    qis = ["age", "hours"]
    pipe = _ct_pipe(k=7).fit(X, y)
    step = "anon__mondrian"
    here = {m: make_privacy_scorer(m, step=step, quasi_identifiers=qis)(pipe, X)
            for m in sorted(CLASS_SIZE_MEASURES)}
    assert here["k"] >= 7
    copy = _copy_from_elsewhere(pipe)
    del pipe
    gc.collect()
    for m, value in here.items():
        scorer = make_privacy_scorer(m, step=step, quasi_identifiers=qis)
        assert scorer(copy, X.iloc[:20]) == value, m
    assert make_privacy_scorer("k", step=step)(copy, X) == here["k"]  # default QIs: its columns
    summary = vars(copy.named_steps["anon"].named_transformers_["mondrian"])["_release_summary"]
    assert set(summary) == {"token", "n_rows", "output_columns", "input_columns", "classes"}
    assert all(set(c) == {"columns", "sizes", "counts"} for c in summary["classes"])
    assert not any(isinstance(v, (pd.DataFrame, pd.Series)) for v in summary.values())
    # what does not travel fails closed, with the reason, never the held-out measure
    with pytest.raises(ValueError, match="needs the released table.*on='scoring_data'"):
        make_privacy_scorer("ncp", step=step)(copy, X)
    with pytest.raises(ValueError, match=r"column sets \[\['age', 'hours'\]\], not over \['age'\]"):
        make_privacy_scorer("k", step=step, quasi_identifiers=["age"])(copy, X)
    with pytest.raises(ValueError, match="not found"):
        make_privacy_scorer("k", step=step, quasi_identifiers=["nope"])(copy, X)
    # a refit drops the token and summary a copy carried and records its own release
    part = copy.named_steps["anon"].named_transformers_["mondrian"]
    part.set_params(k=30).fit(X[qis].iloc[:300])
    assert "_release_summary" not in vars(part) and "_fit_token" not in vars(part)
    assert make_privacy_scorer("k", quasi_identifiers=qis)(part, X) >= 30
    copy.set_params(anon__mondrian__k=40).fit(X.iloc[:300], y[:300])
    assert make_privacy_scorer("k", step=step, quasi_identifiers=qis)(copy, X) >= 40


def test_release_summary_is_left_out_for_dp_steps_and_inside_paused(data):
    from sklearn_anon import LaplaceNoise
    from sklearn_anon._fit_record import paused

    X, _ = data
    k = make_privacy_scorer("k", quasi_identifiers=["age"])
    noise = LaplaceNoise(bounds=(0, 100), epsilon=1.0, random_state=0)
    noise.fit_transform(X[["age"]])
    assert k(noise, X) == 1.0
    copy = _copy_from_elsewhere(noise)
    del noise
    gc.collect()
    with pytest.raises(ValueError, match="carries no release summary"):
        k(copy, X)
    mondrian = MondrianAnonymizer(k=25, quasi_identifiers=QIS)
    mondrian.fit_transform(X)
    with paused():  # hand a step over without its summary
        blob = pickle.dumps(mondrian)
    assert "_release_summary" not in vars(pickle.loads(blob))
    del mondrian
    gc.collect()
    with pytest.raises(ValueError, match="carries no release summary"):
        make_privacy_scorer("k")(pickle.loads(blob), X)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None, "a\x00b", "a\x00c"]),
                          st.sampled_from([1, 2, np.nan]),
                          st.sampled_from([0, 1])), min_size=1, max_size=30),
       st.booleans())
def test_summary_class_sizes_are_the_metrics_classes(rows, categorical):
    # the histogram a copy carries gives every class-size measure its in-process value
    from sklearn_anon.metrics import discernibility, equivalence_classes

    frame = pd.DataFrame(rows, columns=["t", "f", "i"])
    if categorical:
        frame["t"] = frame["t"].astype("category")
    anon = RareCategoryGrouper(min_count=1, columns=["t"])  # groups nothing: the release is `frame`
    released = anon.fit_transform(frame)
    copy = _copy_from_elsewhere(anon)
    del anon
    if fit_input(copy) is not None:  # the original is not freed yet: the summary is what is tested
        gc.collect()
    assert fit_input(copy) is None
    for cols in (["t", "f", "i"], ["t"]):  # every output column; the anonymized columns
        sizes = equivalence_classes(released, cols).value_counts()
        for m, expected in (("k", sizes.min()), ("discernibility", -discernibility(released, cols)),
                            ("uniqueness", -float((sizes == 1).sum()) / len(frame))):
            scorer = make_privacy_scorer(m, quasi_identifiers=cols)
            assert scorer(copy, frame) == expected, (m, cols)


def test_loky_workers_give_the_same_release_scores_as_one_process(data):
    # joblib's process-based backend (loky) with n_jobs=2: each worker fits and scores
    X, y = data
    scoring = {"k": make_privacy_scorer("k", step="anon__mondrian",
                                        quasi_identifiers=["age", "hours"]),
               "u": make_privacy_scorer("uniqueness", step="anon__mondrian")}
    grid = {"anon__mondrian__k": [5, 20, 60]}
    results = [pd.DataFrame(GridSearchCV(_ct_pipe(), grid, scoring=scoring, refit=False, cv=3,
                                         n_jobs=n_jobs, error_score="raise").fit(X, y).cv_results_)
               for n_jobs in (1, 2)]
    cols = [c for c in results[0] if c.startswith("split")]
    pd.testing.assert_frame_equal(results[0][cols], results[1][cols])
    for split in range(3):
        assert (results[1][f"split{split}_test_k"]
                >= results[1]["param_anon__mondrian__k"].astype(float)).all()


@pytest.mark.slow
def test_dask_backend_scores_the_release_of_a_column_transformer_part(data):
    # issue 15.3: GridSearchCV under joblib's Dask backend (it ignores n_jobs=1, so the
    # ColumnTransformer's parts are fitted as separate tasks and come back as copies)
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    import joblib

    X, y = data
    qis = ["age", "hours"]
    scoring = {"k": make_privacy_scorer("k", step="anon__mondrian", quasi_identifiers=qis),
               "neg_uniqueness": make_privacy_scorer("uniqueness", step="anon__mondrian")}
    search = GridSearchCV(_ct_pipe(), {"anon__mondrian__k": [5, 20, 60]}, scoring=scoring,
                          refit=False, cv=3, error_score="raise")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0", silence_logs=40) as cluster, \
            distributed.Client(cluster), joblib.parallel_backend("dask"):
        search.fit(X, y)
    res = pd.DataFrame(search.cv_results_)
    ks = res["param_anon__mondrian__k"].astype(float)
    for split in range(3):
        assert (res[f"split{split}_test_k"] >= ks).all()
    assert res["mean_test_k"].nunique() == 3 and res["mean_test_k"].is_monotonic_increasing
    assert (res["mean_test_neg_uniqueness"] == 0.0).all()
    reference = pd.DataFrame(GridSearchCV(_ct_pipe(), {"anon__mondrian__k": [5, 20, 60]},
                                          scoring=scoring, refit=False, cv=3).fit(X, y).cv_results_)
    cols = [c for c in res if c.startswith("split")]
    pd.testing.assert_frame_equal(res[cols], reference[cols])


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
