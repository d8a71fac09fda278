"""diffprivlib must import and work on every supported scikit-learn."""

import numpy as np
import pytest

from sklearn_anon import _compat


def test_tree_names_supplied_only_when_missing():
    from sklearn.tree import _tree

    assert _tree.DOUBLE is np.float64 or _tree.DOUBLE == np.float64
    assert np.dtype(_tree.DTYPE) == np.float32
    if _compat.SKLEARN_VERSION.release[:2] < (1, 9):
        assert "DOUBLE" not in _compat.PATCHED_TREE_NAMES


def test_mechanisms_and_accountant_work():
    acc = _compat.BudgetAccountant()
    mech = _compat.dp_mechanisms.Laplace(epsilon=1.0, sensitivity=1.0, random_state=0)
    draws = np.array([mech.randomise(0.0) for _ in range(2000)])
    # Laplace(0, 1): mean 0, variance 2
    assert abs(draws.mean()) < 0.15
    assert 1.6 < draws.var() < 2.4
    acc.spend(0.5, 0)
    acc.spend(0.25, 0)
    assert acc.total() == (0.75, 0)


def test_tools_work():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 10_000)
    m = _compat.dp_tools.mean(x, epsilon=1.0, bounds=(0, 10), random_state=0)
    assert abs(m - 5) < 0.1


def test_gaussian_nb_fits_and_predicts():
    from diffprivlib.models import GaussianNB

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (500, 2)), rng.normal(3, 1, (500, 2))])
    y = np.repeat([0, 1], 500)
    clf = GaussianNB(epsilon=5.0, bounds=([-4, -4], [7, 7]), random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.85


def test_random_forest_imports_and_fits():
    from diffprivlib.models import RandomForestClassifier

    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (200, 2))
    y = (X[:, 0] > 0.5).astype(int)
    clf = RandomForestClassifier(
        n_estimators=5, epsilon=5.0, bounds=([0, 0], [1, 1]), classes=[0, 1], random_state=0
    ).fit(X, y)
    assert clf.predict(X).shape == (200,)


def test_privacy_leak_warning_is_diffprivlib_class():
    import diffprivlib.utils

    assert _compat.PrivacyLeakWarning is diffprivlib.utils.PrivacyLeakWarning
    with pytest.warns(_compat.PrivacyLeakWarning):
        _compat.dp_tools.mean(np.arange(10.0), epsilon=1.0)
