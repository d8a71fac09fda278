"""plot_privacy_utility: the drawn data is cv_results_ (checked on the Agg backend)."""

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline

from sklearn_anon import LaplaceNoise, MondrianAnonymizer
from sklearn_anon.metrics import (
    PrivacyReport,
    make_privacy_scorer,
    plot_privacy_utility,
    privacy_utility_frontier,
)

matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed (the plot extra)")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"age": rng.integers(18, 90, n), "hours": rng.integers(1, 60, n)})
    # imbalanced labels: the majority share is not 0.5
    y = ((X["age"] > 70) | (rng.random(n) < 0.05)).astype(int)
    return X, y


@pytest.fixture(scope="module")
def k_search():
    X, y = _data()
    pipe = Pipeline([("anon", MondrianAnonymizer(output="midpoint")),
                     ("clf", LogisticRegression(max_iter=300))])
    search = GridSearchCV(
        pipe, {"anon__k": [2, 5, 20, 60], "clf__C": [0.01, 1.0]},
        scoring={"accuracy": "accuracy",
                 "neg_uniqueness": make_privacy_scorer("uniqueness", step="anon"),
                 "k": make_privacy_scorer("k", step="anon")},
        refit="accuracy", cv=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return search, X, y


@pytest.fixture(scope="module")
def eps_search():
    X, y = _data(seed=1)
    X = X.astype(float)
    pipe = Pipeline([("noise", LaplaceNoise(bounds={"age": (18, 90), "hours": (1, 60)}, random_state=0)),
                     ("clf", LogisticRegression(max_iter=300))])
    search = GridSearchCV(pipe, {"noise__epsilon": [0.01, 0.1, 1.0, 10.0]}, cv=3).fit(X, y)
    return search, X, y


def _line(axes, gid):
    found = [line for ax in axes.figure.axes for line in ax.get_lines() if line.get_gid() == gid]
    assert len(found) == 1, f"{len(found)} lines with gid {gid!r}"
    return found[0]


def _best_per_value(results, param, score):
    """The expected frontier, computed directly from cv_results_."""
    values = np.asarray(results[f"param_{param}"], dtype=float)
    scores = np.asarray(results[f"mean_test_{score}"])
    xs = np.unique(values)
    rows = [np.flatnonzero(values == x)[np.argmax(scores[values == x])] for x in xs]
    return xs, np.array(rows)


def test_k_frontier_drawn_from_cv_results(k_search):
    search, X, y = k_search
    ax = plot_privacy_utility(search, y=y)
    results = search.cv_results_
    xs, rows = _best_per_value(results, "anon__k", "accuracy")
    utility = _line(ax, "utility")
    np.testing.assert_array_equal(utility.get_xdata(), xs)
    np.testing.assert_array_equal(utility.get_ydata(), results["mean_test_accuracy"][rows])
    # the first privacy scorer of the search (uniqueness, un-negated) on the twin axis
    privacy = _line(ax, "privacy")
    np.testing.assert_array_equal(privacy.get_xdata(), xs)
    np.testing.assert_allclose(privacy.get_ydata(), -results["mean_test_neg_uniqueness"][rows])
    assert (privacy.get_ydata() >= 0).all()
    # the majority-class baseline: share of the most frequent label of y
    baseline = _line(ax, "baseline")
    share = max(np.mean(y == 0), np.mean(y == 1))
    assert share > 0.6  # imbalanced: the line is not a trivial 0.5
    np.testing.assert_allclose(baseline.get_ydata(), [share, share])
    assert "majority class in y" in baseline.get_label()
    assert ax.get_xlabel() == "k (anon__k)"
    assert ax.get_xscale() == "log"  # 2..60 spans more than a factor 10


def test_named_privacy_score_and_param(k_search):
    search, _, _ = k_search
    ax = plot_privacy_utility(search, param="k", privacy_score="k", baseline=0.5)
    results = search.cv_results_
    xs, rows = _best_per_value(results, "anon__k", "accuracy")
    privacy = _line(ax, "privacy")
    np.testing.assert_array_equal(privacy.get_ydata(), results["mean_test_k"][rows])
    assert (privacy.get_ydata() >= xs).all()  # the released k is at least the asked k
    np.testing.assert_allclose(_line(ax, "baseline").get_ydata(), [0.5, 0.5])
    assert "given" in _line(ax, "baseline").get_label()


def test_epsilon_single_metric_and_no_baseline(eps_search):
    search, X, y = eps_search
    fig, given = plt.subplots()
    ax = plot_privacy_utility(search, ax=given)
    assert ax is given
    results = search.cv_results_
    utility = _line(ax, "utility")
    np.testing.assert_array_equal(utility.get_xdata(), results["param_noise__epsilon"].astype(float))
    np.testing.assert_array_equal(utility.get_ydata(), results["mean_test_score"])
    assert [line.get_gid() for line in ax.get_lines()] == ["utility"]  # no y: no baseline
    assert len(fig.axes) == 1  # no privacy scorer: no twin axis
    assert ax.get_xlabel() == "epsilon (noise__epsilon)"


def test_randomized_search(eps_search):
    _, X, y = eps_search
    pipe = Pipeline([("noise", LaplaceNoise(bounds={"age": (18, 90), "hours": (1, 60)}, random_state=0)),
                     ("clf", LogisticRegression(max_iter=300))])
    search = RandomizedSearchCV(pipe, {"noise__epsilon": [0.1, 1.0, 10.0], "clf__C": [0.1, 1.0]},
                                n_iter=4, cv=3, random_state=0).fit(X, y)
    frontier = privacy_utility_frontier(search)
    results = search.cv_results_
    xs, rows = _best_per_value(results, "noise__epsilon", "score")
    np.testing.assert_array_equal(frontier["param"].astype(float), xs)
    np.testing.assert_array_equal(frontier["score"], results["mean_test_score"][rows])
    assert frontier["params"].tolist() == [results["params"][i] for i in rows]
    ax = plot_privacy_utility(search, y=y, logx=False)
    assert ax.get_xscale() == "linear"


def test_report_method_marks_the_release(k_search):
    search, X, y = k_search
    anon = MondrianAnonymizer(k=5)
    report = PrivacyReport(X, anon.fit_transform(X), ["age", "hours"], k=5)
    ax = report.plot_privacy_utility(search, y=y)
    release = _line(ax, "release")
    assert release.get_xdata()[0] == report.results_["anonymized"]["k"]
    np.testing.assert_array_equal(_line(ax, "utility").get_xdata(), [2, 5, 20, 60])


def test_errors(k_search, eps_search):
    search, X, y = k_search
    with pytest.raises(ValueError, match="not a searched parameter"):
        plot_privacy_utility(search, param="epsilon")
    with pytest.raises(ValueError, match="no 'mean_test_nope'"):
        plot_privacy_utility(search, score="nope")
    both = GridSearchCV(Pipeline([("anon", MondrianAnonymizer(output="midpoint")),
                                  ("clf", LogisticRegression())]), {"anon__k": [2, 5]}, cv=2)
    with pytest.raises(ValueError, match="not fitted"):
        plot_privacy_utility(both)
    plain = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2).fit(X, y)
    with pytest.raises(ValueError, match="no privacy parameter"):
        plot_privacy_utility(plain)


def test_clear_error_without_matplotlib(k_search, monkeypatch):
    search, _, y = k_search
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails
    with pytest.raises(ImportError, match=r"needs matplotlib.*sklearn-anon\[plot\]"):
        plot_privacy_utility(search, y=y)


def test_epsilon_sweep_example_draws_the_majority_line():
    path = Path(__file__).resolve().parents[1] / "examples" / "epsilon_sweep.py"
    spec = importlib.util.spec_from_file_location("epsilon_sweep_example", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    results = pd.DataFrame({"model": ["a", "a", "b", "b"], "epsilon": [0.1, 1.0, 0.1, 1.0],
                            "seed": 0, "accuracy": [0.70, 0.80, 0.72, 0.81]})
    y_test = np.array([0, 0, 0, 1, 1, 0, 0, 0])
    majority = example.majority_share(y_test)
    assert majority == 0.75
    _, ax = plt.subplots()
    example.draw(ax, example.summarize(results), {"LogReg": 0.85}, majority)
    line = _line(ax, "majority")
    np.testing.assert_allclose(line.get_ydata(), [0.75, 0.75])
    text = example.to_markdown(example.summarize(results), {"LogReg": 0.85}, "test", majority)
    assert "Majority-class baseline (always the most frequent test label): 0.7500." in text
