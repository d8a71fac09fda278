"""The package's one walker over composite estimators (sklearn_anon._pipeline)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_anon import IntervalGeneralizer, LaplaceNoise
from sklearn_anon._pipeline import (
    children,
    column_names,
    is_composite,
    leaves,
    select_columns,
    unwrap,
)
from sklearn_anon.metrics._anonymizer import fitted_bins
from sklearn_anon.metrics._scorers import find_step


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"age": rng.integers(18, 90, 40).astype(float),
                         "income": rng.normal(50, 10, 40), "y": rng.integers(0, 2, 40)})


def _fitted(frame):
    ct = ColumnTransformer([
        ("bands", IntervalGeneralizer(bins=[0, 40, 60, 120]), ["age"]),
        ("noise", LaplaceNoise(epsilon=1.0, bounds=(0, 100), random_state=0), [1]),
        ("gone", "drop", ["y"]),
    ])
    return Pipeline([("prep", ct), ("skip", "passthrough")]).fit(frame)


def test_leaves_paths_and_order(frame):
    pipe = _fitted(frame)
    got = [(p, type(e).__name__) for p, e in leaves(pipe)]
    assert got == [(["prep", "bands"], "IntervalGeneralizer"), (["prep", "noise"], "LaplaceNoise")]


def test_search_is_seen_through_its_refit_estimator(frame):
    pipe = Pipeline([("bands", IntervalGeneralizer()), ("keep", "passthrough")])
    search = GridSearchCV(pipe, {"bands__n_bins": [2, 3]}, cv=2, scoring=lambda *a: 0.0)
    search.fit(frame[["age"]])
    assert unwrap(search) is search.best_estimator_
    assert [p for p, _ in leaves(search)] == [["bands"]]
    assert "age" in fitted_bins(search)  # the metrics' view walks searches too


def test_children_of_compositions(frame):
    pipe = _fitted(frame)
    names = [(n, c) for n, _, c in children(pipe.named_steps["prep"])]
    assert names[:3] == [("bands", ["age"]), ("noise", [1]), ("gone", ["y"])]
    assert children(StandardScaler()) == [] and not is_composite(StandardScaler())
    assert children(ColumnTransformer([("a", "drop", ["x"])])) == []  # not fitted: no parts
    union = FeatureUnion([("a", StandardScaler()), ("b", "drop")])
    assert [n for n, _, _ in children(union)] == ["a", "b"]
    assert [p for p, _ in leaves(union)] == [["a"]]


def test_column_subsets(frame):
    ct = _fitted(frame).named_steps["prep"]
    assert column_names(ct, [1]) == ["income"]
    assert column_names(ct, "age") == ["age"]
    assert column_names(ct, slice(0, 1)) is None
    assert list(select_columns(frame, [1]).columns) == ["income"]
    assert list(select_columns(frame, "age").columns) == ["age"]
    assert select_columns(frame.to_numpy(), 0).shape == (40, 1)


def test_find_step_uses_the_walker(frame):
    pipe = _fitted(frame)
    step, data = find_step(pipe, "prep__noise", frame)
    assert isinstance(step, LaplaceNoise) and list(data.columns) == ["income"]
    with pytest.raises(ValueError, match="No transformer 'prep__nope' in the ColumnTransformer"):
        find_step(pipe, "prep__nope", frame)
    with pytest.raises(ValueError, match="No step 'nope' in the pipeline"):
        find_step(pipe, "nope", frame)
    with pytest.raises(ValueError, match="no transformer to score"):
        find_step(pipe, "skip", frame)
    with pytest.raises(ValueError, match="holds no named steps"):
        find_step(pipe, "prep__bands__x", frame)


def test_a_new_composite_registers_its_parts():
    class Pair:
        def __init__(self, a, b):
            self.a, self.b = a, b

    @children.register(Pair)
    def _pair_children(est):
        return [("a", est.a, None), ("b", est.b, None)]

    got = [p for p, _ in leaves(Pair(StandardScaler(), Pair(StandardScaler(), None)))]
    assert got == [["a"], ["b", "a"]]
