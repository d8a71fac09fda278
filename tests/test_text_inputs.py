"""Text that UTF-8 cannot carry: lone surrogates and undecodable bytes.

A lone surrogate (``"\\ud800"``, what a broken UTF-16/JSON decoder leaves) is a
valid Python ``str`` that ``str.encode()`` and pandas 3's Arrow-backed ``str``
dtype refuse; ``b"\\xff"`` cannot be decoded as UTF-8.  Every public
estimator (found automatically) either handles a column holding both, with
no planted value in its output where it must change it, or refuses with one
ValueError/TypeError naming the column; never a raw ``UnicodeError`` (whose
message quotes the character).
"""

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sklearn_anon

from sklearn_anon import _text
from sklearn_anon._discovery import all_estimators

PLANTED_STR = "SECRET\ud800X"
PLANTED_BYTES = b"SECRET\xffX"
_NORMAL = ["alpha", "beta", "gamma", "delta"]

_HIERARCHY = {v: [v[:1], "*"] for v in _NORMAL}
INIT = {
    "Pseudonymizer": {"key": "test-key"},
    "KeyedAssigner": {"choices": [0, 1, 2], "key": "test-key"},
    "ColumnObfuscator": {"key": "test-key"},
    "FakeReplacer": {"key": "test-key", "kind": "username"},
    "HierarchyGeneralizer": {"hierarchies": _HIERARCHY, "levels": 0},
    "FullDomainAnonymizer": {"hierarchies": _HIERARCHY, "k": 2},
    "MondrianAnonymizer": {"k": 3},
    "RareCategoryGrouper": {"min_count": 2},
    "PrefixGeneralizer": {"n": 3},
    # a declared domain: the planted values are outside it and must be replaced (with
    # categories read from the data PRAM keeps any value, planted or not, with probability >= p)
    "PRAM": {"categories": _NORMAL},
}

# {estimator: {variant: reason}}: estimators that still raise a raw UnicodeError
# (strict xfails; none left since issue 12.10)
XFAIL = {}
# estimators whose contract does not change every value: not checked for the planted value
# (ColumnObfuscator renames columns and leaves every value as it is; TextRedactor
# keeps the words of a text that are no identifier)
PASS_THROUGH = {"PIIDetector", "ColumnObfuscator", "TextRedactor"}


VARIANTS = ("surrogate", "bytes", "string-dtype", "nul")


def _frame(variant):
    """Four common values, then two planted ones (rows -2 and -1)."""
    if variant == "surrogate":  # str only: pandas would infer its Arrow str dtype
        col = pd.Series([*_NORMAL * 6, PLANTED_STR, "SECRET\udcffX"], dtype=object)
    elif variant == "bytes":  # str and bytes mixed, one of them not UTF-8
        col = pd.Series([*_NORMAL * 6, PLANTED_BYTES, PLANTED_STR], dtype=object)
    elif variant == "nul":  # distinct only after a NUL (pandas 2.2 hashed them as one C string)
        col = pd.Series([*_NORMAL * 6, "SECRET\x00X", "SECRET\x00Y"], dtype=object)
    else:  # pandas' Python-backed string dtype holds surrogates
        col = pd.Series([*_NORMAL * 6, PLANTED_STR, "SECRET\udcffX"], dtype="string[python]")
    return pd.DataFrame({"name": col})


def _planted(value):
    text = value if isinstance(value, str) else None
    if text is not None and text.startswith("{") and text.endswith("}") and ", " in text:
        return False  # a set of several values (Mondrian's generalization of categories)
    return value in (PLANTED_STR, PLANTED_BYTES, "SECRET\udcffX") or (
        text is not None and "SECRET" in text and len(text) > 3
    )


def _cases():
    for name, cls in all_estimators():
        for variant in VARIANTS:
            reason = XFAIL.get(name, {}).get(variant)
            marks = [pytest.mark.xfail(reason=reason, raises=UnicodeError, strict=True)] if reason else []
            yield pytest.param(name, cls, variant, id=f"{name}-{variant}", marks=marks)


@pytest.mark.parametrize("name, cls, variant", list(_cases()))
def test_lone_surrogates_and_undecodable_bytes(name, cls, variant):
    X = _frame(variant)
    est = cls(**INIT.get(name, {}))
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    y = np.arange(len(X)) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est.fit(X, y)
            out = est.sample(len(X)) if not hasattr(est, "transform") else est.transform(X)
        except UnicodeError:
            raise
        except (ValueError, TypeError) as exc:
            message = str(exc)
            assert "'name'" in message, f"{name}: the error does not name the column: {message}"
            assert "SECRET" not in message and "\ud800" not in message
            return
    if not hasattr(est, "transform") or name in PASS_THROUGH:
        return
    assert len(out) == len(X)
    out = pd.DataFrame(out)
    for j in range(out.shape[1]):
        cells = out.iloc[-2:, j].astype(object).tolist()
        assert not any(_planted(v) for v in cells), f"{name} passed a planted value through"
        if isinstance(out.iloc[:, j].dtype, pd.CategoricalDtype):
            assert not any(_planted(c) for c in out.iloc[:, j].cat.categories)


def test_the_check_can_fail():
    # the planted values are recognised (a test that cannot fail is a defect)
    assert _planted(PLANTED_STR) and _planted(PLANTED_BYTES) and _planted("SECRET\udcffX")
    assert not _planted("SEC") and not _planted("*") and not _planted("{SECRET\ud800X, alpha}")
    assert _planted("{SECRET\ud800X}")


def test_text_helpers_are_injective_and_total():
    values = ["a", "\ud800", "\udcff", "\ud83d\ude00", "\U0001f600", "é", ""]
    encoded = [_text.encode_text(v) for v in values]
    assert len(set(encoded)) == len(values)
    assert _text.encode_text("é") == "é".encode()
    raw = [b"\xff", b"\xfe", b"\xff\xfe", b"\xc3\xa9", b"\xed\xa0\x80", b""]
    decoded = [_text.decode_bytes(b) for b in raw]
    assert len(set(decoded)) == len(raw) and decoded[3] == "é"
    assert [_text.label_bytes(b) for b in (b"\xff", b"\xc3\xa9")] == ["\\xff", "é"]
    s = pd.Series(["a", "\ud800", b"\xff", 1], dtype=object)
    assert _text.text_series(s).tolist() == ["a", "\ud800", "\udcff", "1"]
    assert _text.text_series(pd.Series(["a", "b"], dtype=object)).tolist() == ["a", "b"]
    cat = _text.categorical_from_codes(np.array([0, 1, 1]), ["\ud800", "*"])
    assert list(cat) == ["\ud800", "*", "*"]


_TRICKY = ["a", "b", "\x00", "\ud800", "\udcff", "é"]
_CELLS = st.one_of(st.text(alphabet=st.sampled_from(_TRICKY), max_size=4),
                   st.binary(max_size=3), st.none())


@settings(max_examples=200, deadline=None)
@given(values=st.lists(_CELLS, max_size=30), sort=st.booleans())
def test_factorize_is_exact_on_any_text(values, sort):
    # two cells share a code exactly when they are equal (pandas 2.2's own
    # factorize cut all-str columns at a NUL and merged lone surrogates)
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    codes, uniques = _text.factorize(arr, sort=sort)
    for i, a in enumerate(values):
        assert (codes[i] == -1) == (a is None)
        if a is not None:
            assert uniques[codes[i]] == a and type(uniques[codes[i]]) is type(a)
    assert len(uniques) == len({(type(v), v) for v in values if v is not None})
    assert _text.nunique(pd.Series(arr, dtype=object)) == len(uniques)
    if sort and all(isinstance(v, str) for v in uniques):
        assert list(uniques) == sorted(uniques)


def test_no_module_hashes_text_through_pandas_directly():
    # the whole family: every distinct-value count of the package goes
    # through _text (factorize, unique, nunique, categorical)
    root = Path(sklearn_anon.__file__).parent
    pattern = re.compile(r"\bpd\.(factorize|unique)\(|(?<!_text)\.nunique\(|astype\(\"category\"\)")
    offenders = [
        f"{path.relative_to(root)}:{i}"
        for path in sorted(root.rglob("*.py")) if path.name != "_text.py"
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line.split("#")[0]) and ">>>" not in line and "``" not in line
    ]
    assert offenders == []


def test_dask_k_anonymity_counts_values_distinct_after_a_nul():
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    from sklearn_anon.dask import k_anonymity_dask

    frame = pd.DataFrame({"name": pd.Series(["x\x00a", "x\x00b", "x\x00a", "x\x00b", "\ud800", "\udcff"] * 2,
                                            dtype=object)})
    with dask.config.set({"dataframe.convert-string": False}):  # Arrow cannot hold a lone surrogate
        assert k_anonymity_dask(dd.from_pandas(frame, npartitions=2), ["name"]) == 2
        frame.loc[0, "name"] = "x\x00c"
        assert k_anonymity_dask(dd.from_pandas(frame, npartitions=2), ["name"]) == 1
