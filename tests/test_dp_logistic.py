"""DPLogisticRegression (issue 13.10) and the documented diffprivlib import behaviour."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy import optimize
from scipy.special import log_expit

from sklearn_anon._compat import SKLEARN_VERSION, BudgetAccountant, PrivacyLeakWarning
from sklearn_anon.dp import DPLogisticRegression


def _data(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X @ np.array([1.5, -1.0, 0.5]) + 0.3 + rng.logistic(size=n) * 0.5 > 0).astype(int)
    return X, y


def test_large_epsilon_recovers_the_regularized_minimizer():
    """With the noise negligible, coef_ is the minimizer of the stated objective."""
    X, y = _data()
    R, C = 4.0, 1.0
    clf = DPLogisticRegression(epsilon=1e7, data_norm=R, C=C, random_state=0, max_iter=500, tol=1e-10).fit(X, y)
    # the objective written out independently: clip, append 1, mean loss + |w|^2 / (2 C n)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    Xc = np.hstack([X * np.minimum(1, R / norms), np.ones((len(X), 1))])
    ys = 2 * y - 1

    def f(w):
        return -np.mean(log_expit(ys * (Xc @ w))) + (w @ w) / (2 * C * len(X))

    w = optimize.minimize(f, np.zeros(4), method="BFGS", options={"gtol": 1e-10}).x
    np.testing.assert_allclose(np.r_[clf.coef_.ravel(), clf.intercept_], w, atol=2e-3)


def test_noise_shrinks_with_epsilon_and_accuracy():
    X, y = _data()
    spread = {}
    for eps in (0.1, 10.0):
        coefs = np.array([
            DPLogisticRegression(epsilon=eps, data_norm=4.0, random_state=s).fit(X, y).coef_.ravel()
            for s in range(20)
        ])
        spread[eps] = coefs.std(axis=0).mean()
    assert spread[0.1] > 5 * spread[10.0]
    clf = DPLogisticRegression(epsilon=10.0, data_norm=4.0, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.85


def test_clipping_bounds_each_records_influence():
    """A row far outside data_norm has exactly the influence of its clipped version."""
    X, y = _data(500)
    X2 = X.copy()
    X2[0] *= 1e6 / np.linalg.norm(X2[0])
    X3 = X.copy()
    X3[0] *= 1.0 / np.linalg.norm(X3[0])  # the same row clipped to norm 1
    a = DPLogisticRegression(epsilon=1.0, data_norm=1.0, random_state=3).fit(X2, y)
    b = DPLogisticRegression(epsilon=1.0, data_norm=1.0, random_state=3).fit(X3, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6, atol=1e-9)


def test_multiclass_ovr_predict_proba():
    rng = np.random.default_rng(1)
    centers = np.array([[0, 3], [3, 0], [-3, -3]])
    y = rng.integers(0, 3, 3000)
    X = centers[y] + rng.normal(size=(3000, 2))
    clf = DPLogisticRegression(epsilon=5.0, data_norm=6.0, random_state=0).fit(X, np.array(["a", "b", "c"])[y])
    assert clf.coef_.shape == (3, 2)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, np.array(["a", "b", "c"])[y]) > 0.85


def test_accountant_and_leak_warning():
    X, y = _data(300)
    acc = BudgetAccountant()
    DPLogisticRegression(epsilon=0.5, data_norm=3.0, accountant=acc, random_state=0).fit(X, y)
    assert acc.total() == (0.5, 0)
    with pytest.warns(PrivacyLeakWarning, match="data_norm"):
        clf = DPLogisticRegression(epsilon=0.5, random_state=0).fit(X, y)
    assert clf.data_norm is None and clf.data_norm_ == pytest.approx(np.linalg.norm(X, axis=1).max())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DPLogisticRegression(epsilon=0.5, data_norm=3.0, random_state="secure").fit(X, y)


def test_diffprivlib_logistic_regression_still_broken_here():
    """Why the class exists: diffprivlib's own LogisticRegression cannot be built on sklearn >= 1.8."""
    from diffprivlib.models import LogisticRegression

    if SKLEARN_VERSION.release[:2] < (1, 8):
        pytest.skip("diffprivlib's LogisticRegression works before scikit-learn 1.8")
    with pytest.raises(TypeError, match="multi_class"):
        LogisticRegression(epsilon=1.0, data_norm=1.0)


def _fresh(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_import_order_behaviour_is_as_documented():
    """sklearn_anon first: diffprivlib.models imports; diffprivlib alone on sklearn >= 1.9: fails."""
    first = _fresh("import sklearn_anon, diffprivlib.models; print('ok')")
    assert first.returncode == 0 and "ok" in first.stdout, first.stderr
    alone = _fresh("import diffprivlib.models")
    if SKLEARN_VERSION.release[:2] >= (1, 9):
        assert alone.returncode != 0 and "DOUBLE" in alone.stderr
    else:
        assert alone.returncode == 0
