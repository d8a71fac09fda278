"""The defects mypy found once the function bodies were type-checked (pyproject's
``[tool.mypy]``: every family but kanonymity and cli).  Each test failed before its fix."""

import types

import numpy as np
import pandas as pd
import pytest

from sklearn_anon import filter_outlier_rows
from sklearn_anon.dp import DPLogisticRegression
from sklearn_anon.generalize import Hierarchy, load_hierarchy
from sklearn_anon.identifiers import PIIDetector


def test_load_hierarchy_reads_any_mapping():
    # HierarchyLike admits a Mapping; only a dict was read (TypeError otherwise)
    table = {"1": ["0-4", "*"], "7": ["5-9", "*"]}
    h = load_hierarchy(types.MappingProxyType(table))
    assert isinstance(h, Hierarchy)
    assert h == load_hierarchy(table)
    assert list(h.generalize(["7", "1"], 1)) == ["5-9", "0-4"]


def test_dp_logistic_has_no_empty_n_iter():
    # n_iter_ was an always-empty list; the iteration count depends on the data and is
    # not covered by the guarantee, so the fitted model does not carry one
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] > 0).astype(int)
    clf = DPLogisticRegression(epsilon=1.0, data_norm=3.0, random_state=0).fit(X, y)
    assert not hasattr(clf, "n_iter_")


def test_filter_outlier_rows_rejects_a_scalar_y():
    # a scalar y (ArrayLike admits one) raised a bare TypeError from len()
    X = pd.DataFrame({"debt": [1.0, 2.0, 3.0, 2.5, 1000.0]})
    with pytest.raises(ValueError, match="y has 0 rows, X has 5"):
        filter_outlier_rows(X, 3)
    # a list y is still read by its length
    X_kept, y_kept, removed = filter_outlier_rows(X, [0, 1, 0, 1, 1])
    assert len(X_kept) == len(y_kept) == 4 and removed.tolist() == [4]


def test_pii_detector_names_out_reads_one_str_as_one_name():
    # input_features="age" was compared character by character (["a", "g", "e"])
    X = pd.DataFrame({"a": [1, 2], "g": [3, 4], "e": [5, 6]})
    det = PIIDetector().fit(X)
    with pytest.raises(ValueError, match="input_features"):
        det.get_feature_names_out("age")
    assert list(det.get_feature_names_out(["a", "g", "e"])) == ["a", "g", "e"]
