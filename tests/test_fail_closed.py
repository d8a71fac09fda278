"""Fail closed whatever the input's shape: column labels, dtypes, planted values.

Every transformer of the package is found automatically
(``sklearn_anon._discovery``) and held to:

* **labels** -- a DataFrame whose column labels are not strings (ints as
  from ``pd.read_csv(header=None)`` or ``pd.DataFrame(array)``, tuples, a
  MultiIndex) is anonymized exactly as the same frame with string names:
  same output cells, the caller's labels kept.  Before this, every
  column-wise anonymizer returned such columns raw;
* **must change** -- where a transformer's contract is to replace every
  value (pseudonyms, labels, noise), no output cell equals its input cell;
* **property test** (hypothesis) -- for random tables of every supported
  dtype under every kind of column label, the output keeps rows and order,
  generalizers and Mondrian write only values of the category set fixed in
  ``fit``, and a planted value never reaches an error message or warning.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.compose import ColumnTransformer

from sklearn_anon import SUPPRESSED
from sklearn_anon._discovery import all_estimators

SECRET = "ZqSECRETqZ"

_HIERARCHY = {
    **{v: [f"{v}{v}", "*"] for v in ("x", "y", "z")},
    **{str(v): ["0-4", "*"] for v in range(5)},
}
# Constructor arguments that make each estimator anonymize every column.
INIT = {
    "Pseudonymizer": {"key": "test-key"},
    "KeyedAssigner": {"choices": [0, 1, 2], "key": "test-key"},
    "FakeReplacer": {"key": "test-key", "kind": "ip"},
    "ColumnObfuscator": {"key": "test-key"},
    # level 1: every known value is replaced by its parent
    "HierarchyGeneralizer": {"hierarchies": _HIERARCHY, "levels": 1},
    "FullDomainAnonymizer": {"hierarchies": _HIERARCHY, "k": 2},
    "MondrianAnonymizer": {"k": 3},
    "RareCategoryGrouper": {"min_count": 1},
    "LaplaceNoise": {"epsilon": 0.1, "bounds": (0, 5)},
    "GaussianNoise": {"epsilon": 0.1, "bounds": (0, 5)},
    "IntervalGeneralizer": {"bins": [0, 2, 5]},
}

# Transformers whose contract is to replace every value of the columns they
# anonymize (numbers or strings of the test frames), with the reason.
MUST_CHANGE = {
    "Pseudonymizer": "keyed hex pseudonyms",
    "FakeReplacer": "fake IP addresses",
    "HierarchyGeneralizer": "level 1 of the hierarchy ('0-4', 'xx', ...)",
    "IntervalGeneralizer": "interval labels for numbers",
    "LaplaceNoise": "continuous noise (scale 50 here)",
    "GaussianNoise": "continuous noise",
}

# Estimators whose output has columns of their own (not one per input column).
_FRAME_OUTPUT = {"DPCountEncoder", "DPGroupMeanEncoder", "KeyedAssigner"}

# Estimators that write values from a category set fixed in fit.
FIXED_CATEGORIES = {
    "FullDomainAnonymizer",
    "HierarchyGeneralizer",
    "IntervalGeneralizer",
    "MondrianAnonymizer",
    "PrefixGeneralizer",
    "RareCategoryGrouper",
    "DateGeneralizer",
}

TRANSFORMERS = [(n, c) for n, c in all_estimators() if hasattr(c, "transform")]
IDS = [n for n, _ in TRANSFORMERS]


def _make(name, cls):
    est = cls(**INIT.get(name, {}))
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    return est


def _frames(n=40, seed=0):
    rng = np.random.default_rng(seed)
    numbers = pd.DataFrame(
        {"a": rng.integers(0, 5, n).astype(float), "b": rng.integers(0, 5, n).astype(float)}
    )
    strings = pd.DataFrame(
        {"a": rng.choice(["x", "y", "z"], n).astype(object), "b": rng.choice(["x", "y"], n).astype(object)}
    )
    return {"numbers": numbers, "strings": strings}


LABELS = {
    "int": lambda cols: list(range(len(cols))),
    "shifted-int": lambda cols: [10 + i for i in range(len(cols))],
    "tuple": lambda cols: pd.Index([(c, "x") for c in cols], tupleize_cols=False),
    "multiindex": lambda cols: pd.MultiIndex.from_tuples([(c, "x") for c in cols]),
}


def _quiet(func, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args)


def _fit_transform(est, frame):
    y = np.arange(len(frame), dtype=float) % 7
    return _quiet(lambda: est.fit(frame, y).transform(frame))


def _cells(out):
    frame = out if isinstance(out, pd.DataFrame) else pd.DataFrame(out)
    return frame.astype(object).to_numpy()


def _equal_cell(x, y):
    if pd.isna(x) or pd.isna(y):
        return bool(pd.isna(x) and pd.isna(y))
    try:
        return bool(x == y)
    except (TypeError, ValueError):
        return False


def _equal_cells(a, b):
    """Elementwise equality of two object arrays (NaN/NA equal to each other)."""
    a, b = _cells(a), _cells(b)
    assert a.shape == b.shape
    return np.array([_equal_cell(x, y) for x, y in zip(a.ravel(), b.ravel())],
                    dtype=bool).reshape(a.shape)


def _same_cells(a, b):
    return bool(_equal_cells(a, b).all())


@pytest.mark.parametrize("labels", list(LABELS))
@pytest.mark.parametrize("name, cls", TRANSFORMERS, ids=IDS)
def test_non_string_labels_anonymized_like_string_names(name, cls, labels):
    for kind, named in _frames().items():
        est = _make(name, cls)
        try:
            expected = _fit_transform(clone(est), named)
        except (TypeError, ValueError):
            continue  # the estimator refuses this dtype; test_contracts covers refusals
        relabelled = named.set_axis(LABELS[labels](named.columns), axis=1)
        got = _fit_transform(clone(est), relabelled)
        assert isinstance(got, pd.DataFrame)
        assert _same_cells(got, expected), f"{name} on {labels} labels ({kind}) differs"
        if name not in _FRAME_OUTPUT and name not in ("PIIDetector", "ColumnObfuscator"):
            assert list(got.columns) == list(relabelled.columns)


@pytest.mark.parametrize("labels", list(LABELS))
@pytest.mark.parametrize("name", sorted(MUST_CHANGE))
def test_must_change_changes_every_cell(name, labels):
    cls = dict(TRANSFORMERS)[name]
    frames = _frames()
    frame = frames["strings" if name in ("FakeReplacer",) else "numbers"]
    if name == "HierarchyGeneralizer":
        frame = frame.astype(int).astype(str)
    frame = frame.set_axis(LABELS[labels](frame.columns), axis=1)
    out = _fit_transform(_make(name, cls), frame)
    same = _equal_cells(out, frame)
    assert not same.any(), f"{name} passed {int(same.sum())} cell(s) unchanged ({labels} labels)"


@pytest.mark.parametrize("selector", [[0], [1], [0, 1]])
@pytest.mark.parametrize("name", ["Pseudonymizer", "LaplaceNoise", "IntervalGeneralizer"])
def test_column_transformer_with_positions_on_int_labels(name, selector):
    frame = _frames()["numbers"].set_axis([0, 1], axis=1)
    ct = ColumnTransformer([("anon", _make(name, dict(TRANSFORMERS)[name]), selector)],
                           remainder="drop")
    out = _quiet(ct.fit_transform, frame)
    raw = frame.iloc[:, selector].to_numpy(dtype=object)
    assert not (np.asarray(out, dtype=object) == raw).any()
    # a fitted ColumnTransformer applies the same way to new data
    again = _quiet(ct.transform, frame)
    if name != "LaplaceNoise":
        assert _same_cells(pd.DataFrame(again), pd.DataFrame(out))


@pytest.mark.parametrize("name, cls", TRANSFORMERS, ids=IDS)
def test_other_labels_at_transform_are_refused(name, cls):
    frame = _frames()["numbers"].set_axis([0, 1], axis=1)
    est = _make(name, cls)
    try:
        _quiet(est.fit, frame, np.arange(len(frame)) % 7)
    except (TypeError, ValueError):
        pytest.skip(f"{name} does not take numbers")
    with pytest.raises(ValueError, match="column labels differ"):
        _quiet(est.transform, frame.set_axis([1, 0], axis=1))


@pytest.mark.parametrize("name, cls", TRANSFORMERS, ids=IDS)
def test_duplicated_column_names_are_refused(name, cls):
    frame = _frames()["strings"]
    frame.columns = ["ssn", "ssn"]
    with pytest.raises(ValueError, match="duplicated column names: column 'ssn'"):
        _quiet(_make(name, cls).fit, frame, np.arange(len(frame)) % 7)


# ---------------------------------------------------------------------------
# property test: random tables of every supported dtype and label kind
# ---------------------------------------------------------------------------
DTYPES = ["float", "int", "Int64", "object", "string", "category", "datetime", "bool"]


def _column(dtype, codes):
    """A column of ``dtype`` from small integer codes (-1: missing)."""
    codes = np.asarray(codes)
    missing = codes < 0
    if dtype == "float":
        return pd.Series(np.where(missing, np.nan, codes * 1.5))
    if dtype == "int":
        return pd.Series(np.abs(codes) * 3, dtype=np.int64)
    if dtype == "Int64":
        return pd.Series(pd.array(np.where(missing, None, codes), dtype="Int64"))
    text = np.array([f"v{c}" for c in codes], dtype=object)
    text[missing] = None
    if dtype == "object":
        return pd.Series(text, dtype=object)
    if dtype == "string":
        return pd.Series(text, dtype="string")
    if dtype == "category":
        return pd.Series(text).astype("category")
    if dtype == "datetime":
        days = pd.to_timedelta(np.abs(codes) * 40, unit="D")
        out = pd.Series(pd.Timestamp("2001-01-01") + days)
        return out.mask(missing)
    if dtype == "bool":
        return pd.Series(np.abs(codes) % 2 == 1)
    raise AssertionError(dtype)


@st.composite
def tables(draw):
    n_cols = draw(st.integers(1, 3))
    n_train = draw(st.integers(8, 30))
    dtypes = [draw(st.sampled_from(DTYPES)) for _ in range(n_cols)]
    code = st.integers(-1, 5)
    train = pd.DataFrame({
        f"c{j}": _column(d, draw(st.lists(code, min_size=n_train, max_size=n_train)))
        for j, d in enumerate(dtypes)
    })
    n_test = draw(st.integers(1, 12))
    test = pd.DataFrame({
        f"c{j}": _column(d, draw(st.lists(st.integers(-1, 9), min_size=n_test, max_size=n_test)))
        for j, d in enumerate(dtypes)
    })
    labels = draw(st.sampled_from(["str", *LABELS]))
    if labels != "str":
        train = train.set_axis(LABELS[labels](train.columns), axis=1)
        test = test.set_axis(LABELS[labels](test.columns), axis=1)
    # a planted value in one test cell (where the dtype can hold text)
    j = draw(st.integers(0, n_cols - 1))
    if dtypes[j] in ("object",):
        test.iloc[0, j] = SECRET
    test.index = pd.RangeIndex(100, 100 + n_test)[::-1]
    return train, test, dtypes


def _leaks(text):
    return SECRET in text


@pytest.mark.parametrize("name, cls", TRANSFORMERS, ids=IDS)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=tables())
def test_property_rows_categories_and_messages(name, cls, data):
    train, test, dtypes = data
    est = _make(name, cls)
    y = np.arange(len(train), dtype=float) % 7
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(train, y)
        except (TypeError, ValueError) as exc:
            assert not _leaks(str(exc))
            return
        try:
            fitted_out = est.transform(train)
            out = est.transform(test)
        except (TypeError, ValueError) as exc:
            assert not _leaks(str(exc)), f"{name} error quotes a cell value: {exc}"
            return
    for w in caught:
        assert not _leaks(str(w.message)), f"{name} warning quotes a cell value"
    # (a) rows kept: count, index and order
    assert len(out) == len(test)
    assert out.index.equals(test.index)
    if not est.__sklearn_tags__().non_deterministic:
        reversed_out = _quiet(est.transform, test.iloc[::-1])
        assert _same_cells(reversed_out.iloc[::-1], out)
    # (b) the planted value never reaches the output of an anonymizer
    # values pass through by design (TextRedactor keeps the words that are no identifier)
    if name not in ("PIIDetector", "ColumnObfuscator", "TextRedactor"):
        text = repr(_cells(out).tolist())
        assert SECRET not in text, f"{name} released the planted value"
    # (c) generalizers write only values of the category set fixed in fit
    if name in FIXED_CATEGORIES:
        for col in out.columns:
            allowed = set(pd.Series(fitted_out[col]).dropna().astype(str))
            s = out[col]
            if isinstance(s.dtype, pd.CategoricalDtype):
                assert list(s.cat.categories) == list(fitted_out[col].cat.categories)
                allowed = set(map(str, fitted_out[col].cat.categories))
            if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(s.dtype)):
                got = set(s.dropna().astype(str))
                assert got <= allowed | {SUPPRESSED}, (
                    f"{name} wrote values outside the fitted set: {sorted(got - allowed)[:5]}"
                )
