"""Pickles that name the paths of before the dp package (issue 14.1) still load.

``sklearn_anon.dp`` was one module, ``DPLogisticRegression`` lived in
``sklearn_anon.dp_models`` and ``SecureGenerator`` (until commit c7bae59) in
``sklearn_anon._dp_sampling``.  A pickle names a class (or the function of a
``__reduce__``) by ``module\\nqualname``; these tests write the old names with
protocol 2, whose GLOBAL opcode is plain text, and load them.
"""

import pickle

import numpy as np
import pandas as pd
import pytest

import sklearn_anon
from sklearn_anon import (
    DPGroupMeanEncoder,
    DPKBinsDiscretizer,
    DPLogisticRegression,
    GaussianNoise,
    LaplaceNoise,
    RandomizedResponse,
    SharedAccountant,
)
from sklearn_anon._random import SecureGenerator, make_rng


def _global(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _at_old_path(obj, what, old_module):
    """``pickle.dumps(obj)`` with the class or function ``what`` named at ``old_module``."""
    data = pickle.dumps(obj, protocol=2)
    new = _global(what.__module__, what.__qualname__)
    assert new in data
    old = _global(old_module, what.__qualname__)
    return data.replace(new, old), old


def test_old_public_module_paths_are_the_new_classes():
    from sklearn_anon import dp, dp_models

    assert dp_models.DPLogisticRegression is sklearn_anon.DPLogisticRegression is dp.DPLogisticRegression
    for name in dp.__all__:
        assert getattr(dp, name) is getattr(sklearn_anon, name)


@pytest.mark.parametrize(
    "est, fit_args",
    [
        (LaplaceNoise(epsilon=1.0, bounds=(0, 100), random_state=0), ()),
        (GaussianNoise(epsilon=1.0, bounds=(0, 100), random_state=0), ()),
        (RandomizedResponse(epsilon=1.0, categories=["a", "b"], random_state=0), ()),
        (DPKBinsDiscretizer(n_bins=3, epsilon=1.0, bounds=(0, 100), random_state=0), ()),
        (DPGroupMeanEncoder(epsilon=1.0, bounds=(0, 100), columns=["g"],
                            categories={"g": ["a", "b"]}, random_state=0), ("y",)),
    ],
    ids=["LaplaceNoise", "GaussianNoise", "RandomizedResponse", "DPKBinsDiscretizer", "DPGroupMeanEncoder"],
)
def test_fitted_estimator_pickled_as_sklearn_anon_dp_loads(est, fit_args):
    rng = np.random.default_rng(0)
    if isinstance(est, RandomizedResponse):
        X = pd.DataFrame({"c": rng.choice(["a", "b"], 50)})
    elif isinstance(est, DPGroupMeanEncoder):
        X = pd.DataFrame({"g": rng.choice(["a", "b"], 50)})
    else:
        X = pd.DataFrame({"v": rng.uniform(0, 100, 50)})
    y = rng.uniform(0, 100, 50) if fit_args else None
    est.set_params(accountant=SharedAccountant())
    est.fit(X, y)
    data, old = _at_old_path(est, type(est), "sklearn_anon.dp")
    # the function of the accountant's __reduce__, at its old path too
    attach = type(est.accountant).__reduce__(est.accountant)[0]
    new_attach = _global(attach.__module__, attach.__qualname__)
    assert new_attach in data
    data = data.replace(new_attach, _global("sklearn_anon.dp", attach.__qualname__))
    assert old in data and b"_attach_shared_accountant" in data
    loaded = pickle.loads(data)
    assert type(loaded) is type(est)
    assert loaded.accountant is est.accountant  # the same ledger in this process
    if not isinstance(est, DPGroupMeanEncoder):
        assert loaded.transform(X).shape == X.shape


def test_dp_logistic_regression_pickled_as_dp_models_with_old_secure_generator_loads():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] > 0).astype(int)
    clf = DPLogisticRegression(epsilon=1.0, data_norm=3.0, random_state=make_rng("secure")).fit(X, y)
    data, old = _at_old_path(clf, DPLogisticRegression, "sklearn_anon.dp_models")
    new_gen = _global(SecureGenerator.__module__, "SecureGenerator")
    assert new_gen in data
    data = data.replace(new_gen, _global("sklearn_anon._dp_sampling", "SecureGenerator"))
    assert old in data
    loaded = pickle.loads(data)
    assert type(loaded) is DPLogisticRegression
    assert isinstance(loaded.random_state, SecureGenerator)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
