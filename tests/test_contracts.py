"""Contracts every column-wise anonymizer keeps, checked over all of them.

The estimators are found automatically (``sklearn_anon._discovery``), so a
new anonymizer is held to these contracts the day it is added:

* a secret planted in a value the fitted state never saw (an unseen
  category, an out-of-range number, a value of the wrong type, bytes, an
  unused category of a categorical dtype, a pandas nullable/Arrow dtype)
  never reaches the output, an error message or a warning;
* rows keep their count, order and index;
* ``set_output(transform="pandas")`` works with ndarray input and names the
  columns by ``get_feature_names_out``.
"""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sklearn_anon._discovery import all_estimators

SECRET = "ZqSECRETqZ"
SECRET_NUMBER = 987654321.125
# what would betray the secret number in any text form (987654321, 9.87654e+08, ...)
_NUMBER_TRACES = ("987654321", "98765432", "9.8765", "2187-06")

# Estimators that are not column-wise anonymizers: not held to "no raw value
# passes", with the reason.
NOT_COLUMNWISE = {
    # a generator: sample() draws new rows, transform does not exist
    "DPSynthesizer": "synthesizer (no transform)",
    # drops the detected identifier columns; the others pass through by design
    "PIIDetector": "drops columns, passes the others through by design",
    # a classifier (predict, no transform); its output is labels it was trained on
    "DPLogisticRegression": "classifier (no transform)",
}
# Anonymizers that pass values through by design (not held to "no planted value
# passes"; the other contracts hold), with the reason.
KEEPS_VALUES = {
    # LocalSuppressor keeps values only with matching="wildcard" (sdcMicro's
    # definition, documented); its default, strict matching, is tested here
    "ColumnObfuscator": "renames the columns; every value passes through by design",
    # a redactor masks the identifiers it finds inside a text and keeps the
    # other words: a planted word that is no identifier passes by design
    "TextRedactor": "masks identifiers inside texts, keeps the other words by design",
}

# Constructor arguments that make the estimator anonymize every column of the
# test frames (the test frames have columns "a" and "b").
_HIERARCHY = {
    **{v: [f"{v}{v}", "*"] for v in ("x", "y", "z")},
    **{str(v): ["0-4", "*"] for v in range(5)},
}
INIT = {
    "Pseudonymizer": {"key": "test-key"},
    "KeyedAssigner": {"choices": [0, 1, 2], "key": "test-key"},
    "FakeReplacer": {"key": "test-key", "kind": "ip"},
    "ColumnObfuscator": {"key": "test-key"},
    # level 0 keeps known values as themselves: the strictest case for unseen ones
    "HierarchyGeneralizer": {"hierarchies": _HIERARCHY, "levels": 0},
    "FullDomainAnonymizer": {"hierarchies": _HIERARCHY, "k": 2},
    "MondrianAnonymizer": {"k": 3},
    "RareCategoryGrouper": {"min_count": 1},
}
_RANDOM = {"random_state": 0}


def _anonymizers():
    for name, cls in all_estimators():
        if name not in NOT_COLUMNWISE:
            yield name, cls


def _make(name, cls):
    est = cls(**INIT.get(name, {}))
    params = est.get_params()
    if "random_state" in params:
        est.set_params(**_RANDOM)
    return est


def _train_frames(n=60):
    rng = np.random.default_rng(0)
    numbers = pd.DataFrame(
        {"a": rng.integers(0, 5, n).astype(float), "b": rng.integers(0, 5, n).astype(float)}
    )
    strings = pd.DataFrame(
        {"a": rng.choice(["x", "y", "z"], n).astype(object), "b": rng.choice(["x", "y"], n).astype(object)}
    )
    return numbers, strings


def _cases():
    """``(case id, training frame, transform frame with the secret in row 3)``."""
    numbers, strings = _train_frames()

    def planted(frame, value, dtype=None):
        out = frame.copy() if dtype is None else frame.astype(dtype)
        if dtype is None:
            out = out.astype(object)
        out.loc[3, "a"] = value
        return out

    yield "number-out-of-range", numbers, planted(numbers.astype(float), SECRET_NUMBER, float)
    yield "string-unseen", strings, planted(strings, SECRET)
    yield "string-in-number-column", numbers, planted(numbers, SECRET)
    yield "number-in-string-column", strings, planted(strings, SECRET_NUMBER)
    yield "bytes-in-string-column", strings, planted(strings, SECRET.encode())
    yield "empty-and-secret", strings, planted(strings, " " + SECRET + " ")
    yield "Int64-out-of-range", numbers.astype("Int64"), planted(numbers, 987654321, "Int64")
    str_train = strings.astype("string")
    yield "string-dtype-unseen", str_train, planted(strings, SECRET, "string")
    try:
        import pyarrow  # noqa: F401

        arrow_train = strings.astype("string[pyarrow]")
        yield "arrow-unseen", arrow_train, planted(strings, SECRET, "string[pyarrow]")
    except ImportError:  # pragma: no cover - pyarrow is installed with pandas 3
        pass
    dates = pd.DataFrame({
        "a": pd.date_range("2001-01-01", periods=len(numbers), freq="7D"),
        "b": pd.date_range("2003-01-01", periods=len(numbers), freq="5D"),
    })
    yield "date-unparsable", dates, planted(dates.astype(str), SECRET)
    yield "date-far-future", dates, planted(dates, pd.Timestamp("2187-06-05"), "datetime64[ns]")
    tz = dates.apply(lambda c: c.dt.tz_localize("Europe/Paris"))
    yield "tz-date-unparsable", tz, planted(tz, SECRET)
    cat_train = strings.astype("category")
    cat_test = cat_train.copy()
    cat_test["a"] = cat_test["a"].cat.add_categories([SECRET])
    cat_test.loc[3, "a"] = SECRET
    yield "category-unseen", cat_train, cat_test
    # the secret is an unused category of the *training* dtype: it must not
    # reach the output's categories either
    unused_train = strings.copy()
    unused_train["a"] = pd.Categorical(unused_train["a"], categories=["x", "y", "z", SECRET])
    yield "category-unused-in-fit", unused_train, unused_train.copy()


CASES = list(_cases())


def _leaks(text):
    return SECRET in text or any(trace in text for trace in _NUMBER_TRACES)


def _output_text(out):
    """Every cell and every category of the output, as text."""
    frame = out if isinstance(out, pd.DataFrame) else pd.DataFrame(np.asarray(out, dtype=object))
    parts = [repr(frame.dtypes.tolist())]
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            parts.append(repr(list(s.cat.categories)))
        parts.append(repr(s.astype(object).tolist()))
    return "\n".join(parts)


def _fit(est, frame):
    y = np.arange(len(frame), dtype=float) % 7
    return est.fit(frame, y)


_HIDING = [(n, c) for n, c in _anonymizers() if n not in KEEPS_VALUES]


@pytest.mark.parametrize("case_id, train, test", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("name, cls", _HIDING, ids=[n for n, _ in _HIDING])
def test_planted_secret_never_in_output(name, cls, case_id, train, test):
    est = _make(name, cls)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            _fit(est, train)
        except (TypeError, ValueError) as exc:
            # a clean refusal of the training dtype (not the planted value's
            # business, but its message must be clean too)
            assert not _leaks(str(exc)), str(exc)
            pytest.skip(f"{name} does not take this training dtype")
        try:
            out = est.transform(test)
        except (TypeError, ValueError) as exc:
            # refusing a value of the wrong type is fine; naming it is not
            assert not _leaks(str(exc)), f"{name} error quotes the value: {exc}"
            return
    for w in caught:
        assert not _leaks(str(w.message)), f"{name} warning quotes the value: {w.message}"
    assert len(out) == len(test)
    text = _output_text(out)
    assert not _leaks(text), f"{name} lets the planted value through ({case_id})"


_TRANSFORMERS = [(n, c) for n, c in all_estimators() if hasattr(c, "transform")]


@pytest.mark.parametrize("name, cls", _TRANSFORMERS, ids=[n for n, _ in _TRANSFORMERS])
def test_rows_index_and_pandas_output_kept(name, cls):
    numbers, strings = _train_frames()
    est = _make(name, cls)
    for frame in (numbers, strings):
        frame = frame.set_axis(pd.Index(np.arange(len(frame))[::-1] * 3 + 100, name="id"))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = _fit(clone(est), frame).transform(frame)
        except (TypeError, ValueError):
            continue
        assert out.index.equals(frame.index)
        # rows in the same order: transforming reversed rows gives reversed output
        # for deterministic estimators
        if not clone(est).__sklearn_tags__().non_deterministic:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitted = _fit(clone(est), frame)
                a = fitted.transform(frame)
                b = fitted.transform(frame.iloc[::-1])
            pd.testing.assert_frame_equal(a.iloc[::-1], b)
        # ndarray in, set_output(transform="pandas"): a DataFrame named like get_feature_names_out
        arr_est = clone(est).set_output(transform="pandas")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = _fit(arr_est, frame.to_numpy()).transform(frame.to_numpy())
        assert isinstance(got, pd.DataFrame)
        assert list(got.columns) == list(arr_est.get_feature_names_out())
        assert len(got) == len(frame)


def test_secret_pattern_is_detectable():
    # the helper itself must see the planted values (a test that cannot fail is a defect)
    assert _leaks(_output_text(pd.DataFrame({"a": [SECRET]})))
    assert _leaks(_output_text(pd.DataFrame({"a": [SECRET_NUMBER]})))
    assert _leaks(_output_text(pd.DataFrame({"a": pd.Categorical(["x"], categories=["x", SECRET])})))


_KEYED = [(n, c) for n, c in _anonymizers() if "key" in inspect.signature(c).parameters]


@pytest.mark.parametrize("name, cls", _KEYED, ids=[n for n, _ in _KEYED])
def test_env_key_is_not_pickled_nor_shown(name, cls, monkeypatch):
    import pickle

    key_text = "contract-test-key-material-7f3a"
    monkeypatch.setenv("SKLEARN_ANON_CONTRACT_KEY", key_text)
    params = {**INIT.get(name, {}), "key": "env:SKLEARN_ANON_CONTRACT_KEY"}
    _, strings = _train_frames()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = cls(**params).fit(strings)
        before = est.transform(strings)
    blob = pickle.dumps(est)
    assert key_text.encode() not in blob
    assert key_text not in repr(est)
    # the reloaded estimator reads the key again from the environment
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        after = pickle.loads(blob).transform(strings)
    pd.testing.assert_frame_equal(pd.DataFrame(before), pd.DataFrame(after))
    # a literal key is hidden from repr (it is pickled, as documented)
    literal = cls(**{**params, "key": key_text})
    assert key_text not in repr(literal)
