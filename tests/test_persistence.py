"""Fitted estimators and pipelines round-trip through ``skops.io`` (no pickle).

Every public estimator (found as in test_estimator_checks.py) is fitted,
saved with :func:`skops.io.dumps`, loaded with ``trusted=trusted_types()``
(never ``trusted=True``), and must give the same output as the original.

What "the same output" needs, per kind of estimator:

* deterministic estimators (generalizers, Mondrian, keyed pseudonyms): nothing;
* randomized ones (noise, randomized response, PRAM, the synthesizer's
  ``sample``) are built with an int ``random_state`` and compared on their
  first release after the save: an int seed is saved as a parameter (and
  PRAM's release counter with it), whereas a generator passed as
  ``random_state`` is never saved (``None`` after loading, by design: its
  state would let anyone replay the noise).
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_anon import trusted_types
from sklearn_anon._discovery import all_estimators
from sklearn_anon._persistence import _from_plain, _to_plain

sio = pytest.importorskip("skops.io", reason="skops is not installed (pip install 'sklearn-anon[skops]')")

_HIERARCHY = {v: [f"{v}{v}", "*"] for v in ("x", "y", "z")}
INIT = {
    "Pseudonymizer": {"key": "test-key"},
    "KeyedAssigner": {"choices": [0, 1, 2], "key": "test-key"},
    "FakeReplacer": {"key": "test-key", "kind": "ip"},
    "ColumnObfuscator": {"key": "test-key"},
    "HierarchyGeneralizer": {"hierarchies": _HIERARCHY},
    "FullDomainAnonymizer": {"hierarchies": _HIERARCHY, "k": 2},
    "MondrianAnonymizer": {"k": 3, "sensitive": "s"},
    "RareCategoryGrouper": {"min_count": 5},
    "PrefixGeneralizer": {"n": 3},
    "DPGroupMeanEncoder": {"bounds": (0.0, 1.0)},
}
# which training frame each estimator is fitted on (numbers by default)
DATA = {
    "DateGeneralizer": "dates",
    "PrefixGeneralizer": "zips",
    "HierarchyGeneralizer": "strings",
    "FullDomainAnonymizer": "strings",
    "RareCategoryGrouper": "strings",
    "RandomizedResponse": "strings",
    "PRAM": "strings",
    "MondrianAnonymizer": "mixed",
    "PIIDetector": "people",
    "TextRedactor": "notes",
}


def _frames(n=80):
    rng = np.random.default_rng(0)
    return {
        "numbers": pd.DataFrame({"a": rng.integers(0, 50, n).astype(float),
                                 "b": rng.normal(10, 3, n)}),
        "strings": pd.DataFrame({"a": rng.choice(["x", "y", "z"], n).astype(object),
                                 "b": rng.choice(["x", "y"], n).astype(object)}),
        "dates": pd.DataFrame({"a": pd.Timestamp("2020-01-01")
                               + pd.to_timedelta(rng.integers(0, 900, n), unit="D")}),
        "zips": pd.DataFrame({"a": rng.choice(["75001", "75002", "69003", "13008"], n).astype(object)}),
        "mixed": pd.DataFrame({"age": rng.integers(18, 90, n),
                               "sex": rng.choice(["F", "M"], n).astype(object),
                               "s": rng.choice(["flu", "cold", "hiv"], n).astype(object)}),
        "people": pd.DataFrame({"email": [f"user{i}@example.org" for i in range(n)],
                                "age": rng.integers(18, 90, n)}),
        "notes": pd.DataFrame({"a": [f"call Anna on +44 20 7946 {i:04d} or anna{i}@example.org"
                                     for i in range(n)]}),
    }


def _fitted(name, cls):
    est = cls(**INIT.get(name, {}))
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    X = _frames()[DATA.get(name, "numbers")]
    y = (np.arange(len(X)) % 3 == 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PrivacyLeakWarning: bounds / domains read from the data
        est.fit(X, y)
    return est, X


def _output(est, X):
    if hasattr(est, "transform"):
        return est.transform(X)
    if hasattr(est, "predict"):
        return est.predict(X)
    return est.sample(25, random_state=0)


def _assert_same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b, exact=True)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _assert_same(a[key], b[key])
    else:
        np.testing.assert_array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))


def _fitted_pandas_attributes(est):
    """Public fitted attributes that hold pandas objects (directly or in a dict)."""
    out = {}
    for attr in dir(type(est)) + list(vars(est)):
        if attr.endswith("_") and not attr.startswith("_") and not attr.endswith("__"):
            try:
                value = getattr(est, attr)
            except AttributeError:
                continue
            values = value.values() if isinstance(value, dict) else [value]
            if any(isinstance(v, (pd.DataFrame, pd.Series, pd.Index)) for v in values):
                out[attr] = value
    return out


ESTIMATORS = all_estimators()


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[name for name, _ in ESTIMATORS])
def test_skops_round_trip(name, cls):
    est, X = _fitted(name, cls)
    data = sio.dumps(est)
    # the file names no type outside the documented list
    assert set(sio.get_untrusted_types(data=data)) <= set(trusted_types())
    loaded = sio.loads(data, trusted=trusted_types())
    assert type(loaded) is cls
    assert loaded.get_params(deep=False).keys() == est.get_params(deep=False).keys()
    _assert_same(_output(est, X), _output(loaded, X))
    # fitted pandas attributes come back identical (dtypes, index, names)
    before = _fitted_pandas_attributes(est)
    after = _fitted_pandas_attributes(loaded)
    assert before.keys() == after.keys()
    for attr in before:
        _assert_same(before[attr], after[attr])


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[name for name, _ in ESTIMATORS])
def test_pickle_unchanged_by_plain_state(name, cls):
    """joblib / pickle users see the same fitted pandas attributes after loading."""
    est, X = _fitted(name, cls)
    loaded = pickle.loads(pickle.dumps(est))
    before, after = _fitted_pandas_attributes(est), _fitted_pandas_attributes(loaded)
    assert before.keys() == after.keys()
    for attr in before:
        _assert_same(before[attr], after[attr])


def test_mondrian_regions_stored_as_arrays():
    from sklearn_anon import MondrianAnonymizer

    X = _frames()["mixed"]
    anon = MondrianAnonymizer(k=3, sensitive="s").fit(X)
    assert not any(isinstance(v, (pd.DataFrame, pd.Series)) for v in vars(anon).values())
    regions = anon.regions_
    assert list(regions.columns) == ["age", "sex", "size", "n_sensitive"]
    assert regions["size"].sum() == len(X)
    assert not hasattr(MondrianAnonymizer(k=3), "regions_")  # unfitted: no attribute


def test_plain_state_round_trip_keeps_pandas_details():
    idx = pd.MultiIndex.from_arrays([["a", "b", "b"], pd.array([1, None, 3], dtype="Int64")],
                                    names=["g", None])
    objects = {
        "frame": pd.DataFrame({"c": pd.Categorical(["x", "y", "x"], categories=["y", "x"], ordered=True),
                               "n": [1.5, np.nan, 2.0], "o": ["p", None, "q"],
                               "s": pd.array(["u", None, "w"], dtype="string"),
                               "d": pd.to_datetime(["2020-01-01", None, "2021-05-06"]),
                               "i": pd.array([1, None, 2], dtype="Int64")}, index=idx),
        "series": pd.Series([1, 2], index=pd.RangeIndex(5, 7, name="r"), name=("t", 1)),
        "index": pd.Index([3.5, 1.0], name="f"),
        "nested": [{("a", "b"): np.arange(3)}, (pd.Index(["k"], dtype=object),)],
    }
    plain = _to_plain(objects)
    data = sio.dumps(plain)  # plain values only: skops saves them
    back = _from_plain(sio.loads(data, trusted=sio.get_untrusted_types(data=data)))
    pd.testing.assert_frame_equal(back["frame"], objects["frame"])
    pd.testing.assert_series_equal(back["series"], objects["series"])
    pd.testing.assert_index_equal(back["index"], objects["index"], exact=True)
    assert list(back["nested"][0]) == [("a", "b")]
    pd.testing.assert_index_equal(back["nested"][1][0], objects["nested"][1][0], exact=True)


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_plain_state_keeps_string_storage_under_pickle(storage):
    pytest.importorskip("pyarrow")
    index = pd.Index(["a", None, "b"], dtype=pd.StringDtype(storage))
    back = _from_plain(pickle.loads(pickle.dumps(_to_plain(index))))
    pd.testing.assert_index_equal(back, index, exact=True)
    assert back.dtype == index.dtype


def test_trusted_types_lists_every_estimator():
    names = trusted_types()
    assert names == sorted(set(names))
    for _, cls in ESTIMATORS:
        assert f"{cls.__module__}.{cls.__name__}" in names


def _customers(n=300):
    from sklearn_anon.datasets import make_customers

    return make_customers(n, random_state=0)


def test_skops_round_trip_policy_pipeline(monkeypatch):
    """The CLI demo's policy pipeline (pseudonyms, Mondrian over 4 columns, Laplace noise)."""
    from sklearn_anon.cli._demo import DEMO_KEY_VARIABLE, DEMO_POLICY
    from sklearn_anon.policy import parse_policy

    monkeypatch.setenv(DEMO_KEY_VARIABLE, "a-test-key-of-some-length")
    data = _customers()
    policy = parse_policy(DEMO_POLICY)
    pipeline = policy.build(list(data.columns))
    # the policy's noise draws from the OS (random_state=None, as a release should);
    # an int seed makes two releases comparable
    pipeline.set_params(purchases__random_state=0)
    for column, dtype in policy.read_dtypes().items():
        if dtype == "datetime":
            data[column] = pd.to_datetime(data[column])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline.fit(data)
    blob = sio.dumps(pipeline)
    assert set(sio.get_untrusted_types(data=blob)) <= set(trusted_types())
    loaded = sio.loads(blob, trusted=trusted_types())
    new = _customers(120)
    for column, dtype in policy.read_dtypes().items():
        if dtype == "datetime":
            new[column] = pd.to_datetime(new[column])
    # the Laplace step draws its noise per call from its int seed: same seed, same noise
    pd.testing.assert_frame_equal(pipeline.transform(new), loaded.transform(new))
    # the key is stored as its env: reference, never as the key
    assert b"a-test-key-of-some-length" not in blob


def test_skops_round_trip_model_pipeline():
    """ColumnTransformer of anonymizers + one-hot encoding + a model."""
    from sklearn_anon import IntervalGeneralizer, LaplaceNoise, MondrianAnonymizer, RandomizedResponse

    rng = np.random.default_rng(1)
    n = 300
    X = pd.DataFrame({"age": rng.integers(18, 90, n), "zip": rng.choice(["75001", "69003"], n),
                      "income": rng.normal(3000, 800, n), "sex": rng.choice(["F", "M"], n),
                      "hours": rng.integers(10, 60, n).astype(float)})
    y = (X["income"] > 3000).astype(int)
    anonymize = ColumnTransformer([
        ("regions", MondrianAnonymizer(k=10, output="midpoint"), ["age", "zip"]),
        ("income", IntervalGeneralizer(n_bins=4), ["income"]),
        ("sex", RandomizedResponse(epsilon=2.0, categories=["F", "M"], random_state=0), ["sex"]),
        ("hours", LaplaceNoise(epsilon=1.0, bounds=(0, 80), random_state=0), ["hours"]),
    ], verbose_feature_names_out=False).set_output(transform="pandas")
    model = Pipeline([
        ("anonymize", anonymize),
        ("encode", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), ["zip", "income", "sex"])],
                                     remainder="passthrough")),
        ("model", LogisticRegression(max_iter=500)),
    ]).fit(X, y)
    blob = sio.dumps(model)
    loaded = sio.loads(blob, trusted=trusted_types())
    np.testing.assert_array_equal(model.predict_proba(X), loaded.predict_proba(X))
    pd.testing.assert_frame_equal(model[0].transform(X), loaded[0].transform(X))
