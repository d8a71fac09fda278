"""CONTRIBUTING.md stays true: its one-file anonymizer runs, passes scikit-learn's
estimator checks and the package's fail-closed contract."""

import doctest
import re
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import check_estimator

DOC = Path(__file__).resolve().parents[1] / "CONTRIBUTING.md"


@pytest.fixture(scope="module")
def example():
    code = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)[0]
    module = types.ModuleType("contributing_example")
    exec(compile(code, str(DOC), "exec"), module.__dict__)
    sys.modules[module.__name__] = module  # importable, so that the checks can pickle it
    yield module
    del sys.modules[module.__name__]


def test_the_example_passes_scikit_learns_checks(example):
    check_estimator(example.RoundingGeneralizer())


def test_the_example_docstring_runs(example):
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(example.RoundingGeneralizer, "RoundingGeneralizer", globs=dict(example.__dict__)):
        runner.run(test)
    assert runner.failures == 0 and runner.tries >= 1


def test_the_example_fails_closed(example):
    est = example.RoundingGeneralizer(step=10)
    frame = pd.DataFrame({0: [31.0, 47.0, 58.0], 1: [1.0, 2.0, 3.0]})  # integer column labels
    out = est.fit_transform(frame)
    assert list(out.columns) == [0, 1] and out[0].tolist() == [30.0, 40.0, 50.0]
    with pytest.raises(TypeError, match="'name'") as err:
        example.RoundingGeneralizer().fit(pd.DataFrame({"name": ["alice", "bob"]}))
    assert "alice" not in str(err.value)
    assert np.isnan(est.transform(pd.DataFrame({0: [np.nan], 1: [1.0]}))[0].iloc[0])
