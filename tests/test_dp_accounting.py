"""Privacy accounting that survives clone, grid search, worker processes and pickling
(issue 13.1, 13.2, 13.5) and fitted DP estimators that can be displayed (issue 12.11)."""

import copy
import os
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_anon import (
    DPGroupMeanEncoder,
    DPKBinsDiscretizer,
    GaussianNoise,
    LaplaceNoise,
    PrivacyLeakWarning,
    RandomizedResponse,
    SharedAccountant,
    privacy_budget,
)
from sklearn_anon._compat import BudgetAccountant
from sklearn_anon._discovery import all_estimators
from diffprivlib.utils import BudgetError  # noqa: E402  (test-only: the accountant's error class)

EPS = (0.5, 2.0)  # the grid of LaplaceNoise epsilons
CV = 3


def _data(n=300, seed=5):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"age": rng.uniform(18, 90, n), "hours": rng.uniform(0, 80, n)})
    y = (X["age"] > 50).astype(int).to_numpy()
    return X, y


def _pipe(accountant):
    return Pipeline([
        ("noise", LaplaceNoise(bounds={"age": (18, 90), "hours": (0, 80)}, accountant=accountant)),
        ("scale", StandardScaler()),
        ("clf", LogisticRegression()),
    ])


def _search_total():
    """What a 2-candidate, 3-fold search spends on the accountant: per candidate and fold
    one fit_transform and one scoring transform (2 columns each), then the refit's fit_transform."""
    return CV * sum(2 * 2 * e for e in EPS) + 2 * max(EPS)


# -- 13.1: clone keeps the accountant ----------------------------------------------------------
@pytest.mark.parametrize("cls", [LaplaceNoise, GaussianNoise, RandomizedResponse, DPKBinsDiscretizer])
def test_clones_spend_on_the_same_accountant(cls):
    # regression: clone deep-copied the accountant, five cloned releases left acc.total() at 0
    acc = BudgetAccountant()
    X = pd.DataFrame({"a": np.arange(20.0)})
    kw = {"categories": list(np.arange(20.0))} if cls is RandomizedResponse else {"bounds": (0, 20)}
    est = cls(epsilon=0.5, accountant=acc, random_state=0, **kw)
    for _ in range(5):
        c = clone(est)
        assert c.accountant is acc
        c.fit_transform(X)
    assert acc.total()[0] == pytest.approx(2.5)
    nested = clone(Pipeline([("dp", est)]))
    assert nested.named_steps["dp"].accountant is acc


def test_accountant_limit_holds_across_clones():
    acc = BudgetAccountant(epsilon=1.0)
    X = pd.DataFrame({"a": np.arange(5.0)})
    est = LaplaceNoise(epsilon=0.4, bounds=(0, 5), accountant=acc)
    clone(est).fit_transform(X)
    clone(est).fit_transform(X)
    with pytest.raises(BudgetError):
        clone(est).fit_transform(X)


def test_grid_search_n_jobs_1_charges_the_users_accountant():
    X, y = _data()
    acc = BudgetAccountant()
    GridSearchCV(_pipe(acc), {"noise__epsilon": list(EPS)}, cv=CV, n_jobs=1).fit(X, y)
    assert acc.total()[0] == pytest.approx(_search_total())
    cross_val_score(_pipe(acc), X, y, cv=CV)
    assert acc.total()[0] == pytest.approx(_search_total() + CV * 2 * 2 * 1.0)


def test_grid_search_threading_backend_shares_the_accountant():
    X, y = _data()
    acc = BudgetAccountant()
    with joblib.parallel_backend("threading"):
        GridSearchCV(_pipe(acc), {"noise__epsilon": list(EPS)}, cv=CV, n_jobs=2).fit(X, y)
    assert acc.total()[0] == pytest.approx(_search_total())


@pytest.mark.parametrize("make_acc", [BudgetAccountant, lambda: None], ids=["plain", "default"])
def test_grid_search_in_worker_processes_refuses_a_plain_or_default_accountant(make_acc):
    # regression: with n_jobs=2 the workers spent on copies (only the refit was recorded)
    X, y = _data()
    acc = make_acc()
    default = BudgetAccountant.load_default(None)
    before = default.total()
    search = GridSearchCV(_pipe(acc), {"noise__epsilon": list(EPS)}, cv=CV, n_jobs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FitFailedWarning, one per fit
        with pytest.raises(ValueError, match="fits failed") as info:
            search.fit(X, y)
    assert "SharedAccountant" in str(info.value)
    if acc is not None:
        assert acc.spent_budget == []  # nothing recorded that did not happen here
    assert default.total() == before


def test_grid_search_in_worker_processes_with_shared_accountant_true_total():
    X, y = _data()
    acc = SharedAccountant()
    search = GridSearchCV(_pipe(acc), {"noise__epsilon": list(EPS)}, cv=CV, n_jobs=2).fit(X, y)
    assert acc.total()[0] == pytest.approx(_search_total())
    assert search.best_estimator_.named_steps["noise"].accountant_ is acc


def test_shared_accountant_is_one_budget_in_every_copy_and_process():
    acc = SharedAccountant(epsilon=3.0)
    assert copy.deepcopy(acc) is acc and pickle.loads(pickle.dumps(acc)) is acc
    X = pd.DataFrame({"a": np.arange(5.0)})
    est = LaplaceNoise(epsilon=1.0, bounds=(0, 5), accountant=acc).fit(X)

    def release(e):
        return e.transform(X).shape

    joblib.Parallel(n_jobs=2, backend="loky")(joblib.delayed(release)(est) for _ in range(2))
    assert acc.total()[0] == pytest.approx(2.0)  # spent in two worker processes
    est.transform(X)
    with pytest.raises(BudgetError):  # the ceiling counts the workers' spends
        est.transform(X)
    assert len(acc) == 3


def test_shared_accountant_persistent_ledger(tmp_path):
    path = tmp_path / "budget.ledger"
    SharedAccountant(epsilon=5.0, path=path).spend(1.5, 0.0)
    again = SharedAccountant(epsilon=5.0, path=path)
    assert again.total()[0] == pytest.approx(1.5)  # a persistent budget across runs
    assert open(path).read() == "1.5 0.0\n"  # (epsilon, delta) pairs only


def test_pipeline_with_shared_accountant_loads_after_its_ledger_is_gone():
    import gc

    X = pd.DataFrame({"a": np.arange(5.0)})
    acc = SharedAccountant(epsilon=10.0)
    mech = LaplaceNoise(epsilon=1.0, bounds=(0, 5), accountant=acc).fit(X)
    mech.transform(X)
    data = pickle.dumps(mech)
    del mech, acc  # the owning accountant is collected: its temporary ledger is removed
    gc.collect()
    with pytest.warns(UserWarning, match="not reachable"):
        loaded = pickle.loads(data)
    loaded.transform(X)  # a saved pipeline applied later still works ...
    assert loaded.accountant_.total()[0] == pytest.approx(2.0)  # ... counting from the snapshot
    state = loaded.__getstate__()
    state["_pickled_pid"] = -1  # as if pickled by another process
    foreign = LaplaceNoise.__new__(LaplaceNoise)
    foreign.__setstate__(state)
    with pytest.raises(RuntimeError, match="process other than the one"):
        foreign.fit(X)  # a detached copy is refused in a worker, as a plain one


def test_refit_after_load_in_another_process_is_refused_unless_accountant_set():
    est = LaplaceNoise(epsilon=1.0, bounds=(0, 5))
    state = est.__getstate__()
    state["_pickled_pid"] = -1  # as if pickled by another process
    foreign = LaplaceNoise.__new__(LaplaceNoise)
    foreign.__setstate__(state)
    X = pd.DataFrame({"a": np.arange(5.0)})
    with pytest.raises(RuntimeError, match="process other than the one"):
        foreign.fit(X)
    with pytest.raises(RuntimeError, match="process other than the one"):
        clone(foreign).fit(X)  # the clone is the same foreign estimator
    acc = BudgetAccountant()
    foreign.set_params(accountant=acc).fit_transform(X)  # an accountant of this process
    assert acc.total()[0] == pytest.approx(1.0)


# -- 13.2: privacy_budget of search objects ------------------------------------------------------
def test_privacy_budget_of_a_search_is_the_composition():
    X, y = _data()
    acc = BudgetAccountant()
    pipe = Pipeline([
        ("noise", LaplaceNoise(bounds=(0, 90), columns=["age"], accountant=acc)),
        ("bins", DPKBinsDiscretizer(bounds=(0, 80), columns=["hours"], accountant=acc, random_state=0)),
        ("clf", LogisticRegression()),
    ])
    grid = {"noise__epsilon": [0.5, 1.0], "bins__epsilon": [0.1, 0.2], "clf__C": [1.0]}
    search = GridSearchCV(pipe, grid, cv=CV).fit(X, y)
    budget = privacy_budget(search)
    local = CV * 2 * (0.5 + 1.0) + search.best_params_["noise__epsilon"]
    central = CV * 2 * (0.1 + 0.2) + search.best_params_["bins__epsilon"]
    assert budget.local_epsilon == pytest.approx(local)
    assert budget.central_epsilon == pytest.approx(central)
    assert budget.epsilon == pytest.approx(local + central)
    assert budget.search["releases"] == 4 * CV + 1
    rand = RandomizedSearchCV(pipe, grid, n_iter=2, cv=2, random_state=0).fit(X, y)
    cands = rand.cv_results_["params"]
    expected = 2 * sum(p["noise__epsilon"] + p["bins__epsilon"] for p in cands) + sum(
        rand.best_params_[k] for k in ("noise__epsilon", "bins__epsilon"))
    assert privacy_budget(rand).epsilon == pytest.approx(expected)


def test_privacy_budget_search_counts_train_scores_and_scorers():
    X, y = _data()
    search = GridSearchCV(_pipe(BudgetAccountant()), {"noise__epsilon": list(EPS)}, cv=CV,
                          scoring=["accuracy", "roc_auc"], refit="accuracy",
                          return_train_score=True).fit(X, y)
    budget = privacy_budget(search)
    assert budget.search["releases_per_split"] == 3  # fit + 2 train scorings (test: 2)
    assert budget.epsilon == pytest.approx(3 * CV * sum(2 * e for e in EPS) + 2 * max(EPS))


def test_privacy_budget_of_a_halving_search_counts_every_iteration():
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    X, y = _data(600)
    search = HalvingGridSearchCV(_pipe(BudgetAccountant()), {"noise__epsilon": [0.1, 0.5, 1.0, 2.0]},
                                 cv=CV, random_state=0).fit(X, y)
    cands = search.cv_results_["params"]
    assert len(cands) > 4  # candidates re-evaluated in later iterations count again
    budget = privacy_budget(search)
    assert budget.search["releases_per_split"] == 2  # return_train_score defaults to True here
    expected = CV * 2 * sum(2 * p["noise__epsilon"] for p in cands) + 2 * search.best_params_["noise__epsilon"]
    assert budget.epsilon == pytest.approx(expected)


def test_privacy_budget_search_without_refit_or_over_steps_refuses():
    X, y = _data()
    search = GridSearchCV(_pipe(BudgetAccountant()), {"noise__epsilon": list(EPS)}, cv=2, refit=False).fit(X, y)
    with pytest.raises(ValueError, match="refit=True"):
        privacy_budget(search)
    steps = GridSearchCV(
        _pipe(BudgetAccountant()),
        {"noise": [LaplaceNoise(bounds=(0, 90), epsilon=9.0), "passthrough"]}, cv=2,
    ).fit(X, y)
    with pytest.raises(ValueError, match="replaces a step"):
        privacy_budget(steps)


# -- 13.5: no generator state in pickles ---------------------------------------------------------
def test_pickle_holds_no_generator_state():
    # regression: the seeded generator was pickled in ``_rng`` with its state, so the
    # noise of past releases could be replayed (PCG64 can be stepped back) from the pickle
    X = pd.DataFrame({"a": np.zeros(50)})
    gen = np.random.default_rng(5)
    mech = LaplaceNoise(bounds=(0, 1), random_state=gen).fit(X)
    mech.transform(X)
    data = pickle.dumps(mech)
    for marker in (b"PCG64", b"Generator", b"bit_generator"):
        assert marker not in data
    loaded = pickle.loads(data)
    assert loaded.random_state is None  # the generator stays with its owner
    parents_next = mech.transform(X)["a"].to_numpy()
    assert not np.allclose(loaded.transform(X)["a"].to_numpy(), parents_next)
    assert not np.allclose(loaded.transform(X)["a"].to_numpy(), parents_next)
    seeded = LaplaceNoise(bounds=(0, 1), random_state=3).fit(X)
    seeded.transform(X)
    assert b"PCG64" not in pickle.dumps(seeded)  # only the seed (documented: replayable)
    for cls in (DPKBinsDiscretizer, DPGroupMeanEncoder):
        assert b"PCG64" not in pickle.dumps(cls(random_state=np.random.default_rng(1)))


def test_no_generator_stored_on_the_estimator():
    X = pd.DataFrame({"a": np.zeros(5)})
    mech = LaplaceNoise(bounds=(0, 1), random_state=np.random.default_rng(0)).fit(X)
    mech.transform(X)
    stored = [k for k, v in vars(mech).items() if isinstance(v, np.random.Generator) and k != "random_state"]
    assert stored == []


def test_int_seed_reproducible_per_release():
    X = pd.DataFrame({"a": np.zeros(100)})
    a = LaplaceNoise(bounds=(0, 1), random_state=7).fit(X)
    b = LaplaceNoise(bounds=(0, 1), random_state=7).fit(X)
    first, second = a.transform(X), a.transform(X)
    assert first.equals(b.transform(X)) and second.equals(b.transform(X))
    assert not first.equals(second)
    a.fit(X)  # a refit restarts the sequence (documented: the seed replays the noise)
    assert a.transform(X).equals(first)


# -- 12.11: fitted estimators can be displayed -------------------------------------------------
def _fitted_estimators():
    from test_estimator_checks import INIT_PARAMS

    X = pd.DataFrame(np.random.default_rng(0).integers(0, 5, (60, 3)).astype(float), columns=["x0", "x1", "x2"])
    y = np.arange(60) % 2
    for name, cls in all_estimators():
        yield name, cls(**INIT_PARAMS.get(name, {})), X, y
    yield "Pipeline(LaplaceNoise)", Pipeline([("noise", LaplaceNoise(bounds=(0, 5))), ("clf", LogisticRegression())]), X, y


@pytest.mark.parametrize("name,est,X,y", list(_fitted_estimators()), ids=lambda v: v if isinstance(v, str) else "")
def test_repr_html_and_dir_after_fit_and_transform(name, est, X, y):
    # regression: after a noise transform, _repr_html_() and dir() raised KeyError (_call_rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
        assert "<" in est._repr_html_() and dir(est)
        for _ in range(2):
            if hasattr(est, "transform"):
                est.transform(X)
            elif hasattr(est, "predict"):
                est.predict(X)
            elif hasattr(est, "sample"):
                est.sample(5)
        html = est._repr_html_()
    assert "<" in html and "KeyError" not in html
    assert len(dir(est)) > 0
    repr(est)

