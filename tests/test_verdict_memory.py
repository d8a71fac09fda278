"""The verdict's measures with less memory (branch mem20): same figures, fewer temporaries.

* each row's class size counted by sorting the keys when the key space is
  large (:func:`~sklearn_anon.metrics._tables.class_row_sizes`) equals
  ``sizes[codes]`` of :func:`~sklearn_anon.metrics.class_codes`;
* the linkage figures on a release that *is* the generalized original,
  read from its own class sizes, equal those of the attack;
* a column anonymizer fitted then applied (memory handed back between)
  gives what ``fit_transform`` gives.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_anon.metrics import PrivacyReport, released_anonymizer
from sklearn_anon.metrics import _report as report_module
from sklearn_anon.metrics._anonymizer import Precomputed
from sklearn_anon.metrics._tables import class_codes, class_row_sizes


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(["a", "b", None]),
                          st.integers(0, 60), st.integers(-5, 5)), min_size=1, max_size=80),
       st.booleans())
def test_class_row_sizes_equal_class_codes(rows, as_category):
    frame = pd.DataFrame(rows, columns=["x", "s", "y", "z"])
    # distinct values spread apart: a key space over 2**16 (sorted), or a small one (bincount)
    frame["x"] = frame["x"] * 10**9
    frame["y"] = frame["y"].astype(float) * 10**9
    if as_category:
        frame["z"] = frame["z"].astype("category")
    for qis in (["x", "s", "y", "z"], ["s"], ["s", "z"]):
        codes, sizes = class_codes(frame, qis)
        got, n_classes = class_row_sizes(frame, qis)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, sizes[codes])
        assert n_classes == len(sizes)


def test_class_row_sizes_sorts_a_large_key_space():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.integers(0, 300, 5000) * 7919,
                          "b": pd.array(rng.choice(["F", "M", None], 5000), dtype="str"),
                          "c": rng.normal(size=5000).round(1)})
    codes, sizes = class_codes(frame, list(frame))
    got, n_classes = class_row_sizes(frame, list(frame))
    np.testing.assert_array_equal(got, sizes[codes])
    assert n_classes == len(sizes)


def _release(noise=False):
    from sklearn.compose import ColumnTransformer

    from sklearn_anon import IntervalGeneralizer, LaplaceNoise, PrefixGeneralizer
    from sklearn_anon.datasets import make_customers

    raw = make_customers(n_samples=400, random_state=5)[["zipcode", "sex", "income"]]
    income = (LaplaceNoise(bounds=(0, 300_000), epsilon=1.0, random_state=0) if noise
              else IntervalGeneralizer(bins=[0, 30_000, 60_000, 1e12], right=False))
    ct = ColumnTransformer([("zip", PrefixGeneralizer(n=2, width=5), ["zipcode"]),
                            ("sex", "passthrough", ["sex"]),
                            ("income", income, ["income"])],
                           verbose_feature_names_out=False).set_output(transform="pandas")
    return raw, ct, ct.fit_transform(raw)


@pytest.mark.parametrize("noise", [False, True])
@pytest.mark.parametrize("verdict_only", [True, False])
def test_linkage_on_own_classes_is_the_attack(monkeypatch, noise, verdict_only):
    raw, ct, out = _release(noise)
    qis = ["zipcode", "sex", "income"]

    def report():
        return PrivacyReport(raw, out, qis, k=2, verdict_only=verdict_only,
                             anonymizer=released_anonymizer(ct, out, qis)).to_dict()

    calls = []
    real = report_module._linkage_on_own_classes

    def spy(*args):
        calls.append(real(*args))
        return calls[-1]

    monkeypatch.setattr(report_module, "_linkage_on_own_classes", spy)
    got = report()
    assert calls and (calls[0] is None) == noise  # the shortcut only for the deterministic release
    monkeypatch.setattr(report_module, "_linkage_on_own_classes", lambda *args: None)
    assert got == report()


def test_linkage_on_own_classes_refuses_a_table_that_differs():
    raw, ct, out = _release()
    qis = ["zipcode", "sex", "income"]
    sizes, _ = class_row_sizes(out, qis)
    other = out.copy()
    other.loc[3, "sex"] = "M" if other.loc[3, "sex"] == "F" else "F"
    assert report_module._linkage_on_own_classes(
        out, raw, qis, Precomputed(ct, other[qis]), sizes) is None
    own = report_module._linkage_on_own_classes(out, raw, qis, Precomputed(ct, out[qis]), sizes)
    assert own["unique_match_rate"] == own["reidentification_rate"] == float(np.mean(sizes == 1))


def test_fit_then_transform_is_fit_transform(monkeypatch):
    from sklearn.preprocessing import FunctionTransformer

    from sklearn_anon import Pseudonymizer
    from sklearn_anon.cli import _anonymize
    from sklearn_anon.datasets import make_customers
    from sklearn_anon.metrics import without_release_record

    raw = make_customers(n_samples=300, random_state=1)[["email"]]
    released = []
    monkeypatch.setattr(_anonymize, "_release_freed_memory", lambda: released.append(1))
    with without_release_record():
        plain = Pseudonymizer(key="k" * 16, length=8)
        expected = plain.fit_transform(raw)
        split = Pseudonymizer(key="k" * 16, length=8)
        got = _anonymize._fit_then_transform(split, raw)
        pd.testing.assert_frame_equal(got, expected)
        assert pickle.dumps(split) == pickle.dumps(plain)
    assert released == [1]  # memory handed back between fit and transform

    class Own(Pseudonymizer):  # its own fit_transform: called as it is
        def fit_transform(self, X, y=None, **params):
            return "own"

    assert _anonymize._fit_then_transform(Own(key="k" * 16), raw) == "own"
    assert _anonymize._fit_then_transform(FunctionTransformer(), raw) is raw
    assert released == [1]


# -- raw columns held packed until a part reads them --------------------------------------------
def _arrow_text(values, splits=()):
    pa = pytest.importorskip("pyarrow")
    bounds = [0, *splits, len(values)]
    chunks = [pa.array(values[a:b], type=pa.large_string()) for a, b in zip(bounds, bounds[1:])]
    arr = pa.chunked_array(chunks, type=pa.large_string())
    try:
        dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    except TypeError:  # pragma: no cover - pandas < 2.3 has no str dtype
        pytest.skip("no Arrow-backed str dtype in this pandas")
    return pd.Series(pd.arrays.ArrowStringArray(arr, dtype=dtype)
                     if "dtype" in pd.arrays.ArrowStringArray.__init__.__code__.co_varnames
                     else arr, name="t")


@pytest.mark.parametrize("values, kind", [
    (np.arange(-3, 300, dtype=np.int64) * 97, "int"),
    (np.array([2**40, -(2**40)] * 10, dtype=np.int64), None),  # no smaller type holds it
])
def test_pack_integers_unpacks_equal(monkeypatch, values, kind):
    from sklearn_anon.cli import _anonymize

    monkeypatch.setattr(_anonymize, "_PACK_MIN_ROWS", 0)
    s = pd.Series(values, index=pd.RangeIndex(5, 5 + len(values)), name="n")
    small = _anonymize._pack(s)
    assert (small is None) == (kind is None)
    if small is not None:
        assert small.parts.itemsize < 8
        pd.testing.assert_series_equal(small.unpack(), s)


@pytest.mark.parametrize("repeats", [True, False])
def test_pack_text_unpacks_equal(monkeypatch, repeats):
    from sklearn_anon.cli import _anonymize

    monkeypatch.setattr(_anonymize, "_PACK_MIN_ROWS", 0)
    values = ([["F", "M", None, "é", ""][i % 5] for i in range(400)] if repeats
              else [f"v{i}" if i % 7 else None for i in range(400)])
    s = _arrow_text(values, splits=(100, 250))
    if str(s.dtype) != "str":
        pytest.skip("str is not Arrow-backed here")
    small = _anonymize._pack(s)
    assert small.kind == ("dict" if repeats else "text")
    back = small.unpack()
    pd.testing.assert_series_equal(back, s)
    assert back.array._pa_array.num_chunks == 3
    assert back.array._pa_array.equals(s.array._pa_array)


def test_fit_by_parts_with_packed_columns_is_the_plain_fit(monkeypatch):
    from sklearn.compose import ColumnTransformer

    from sklearn_anon import IntervalGeneralizer, PrefixGeneralizer, Pseudonymizer
    from sklearn_anon.cli import _anonymize
    from sklearn_anon.datasets import make_customers
    from sklearn_anon.metrics import without_release_record

    def ct():
        return ColumnTransformer([
            ("email", Pseudonymizer(key="parts-key", length=8), ["email"]),
            ("zip", PrefixGeneralizer(n=2, width=5), ["zipcode"]),
            ("sex", "passthrough", ["sex"]),
            ("money", IntervalGeneralizer(bins=[0, 50_000, 1e12], right=False),
             ["income", "purchases"]),
        ], verbose_feature_names_out=False).set_output(transform="pandas")

    raw = make_customers(n_samples=300, random_state=4)[
        ["email", "zipcode", "sex", "income", "purchases", "city"]]
    monkeypatch.setattr(_anonymize, "_PACK_MIN_ROWS", 0)
    packed = []
    real = _anonymize._pack
    monkeypatch.setattr(_anonymize, "_pack",
                        lambda s: packed.append(s.name) or real(s))
    plain, parts = ct(), ct()
    with without_release_record():
        expected = plain.fit_transform(raw.copy())
        frame = raw.copy()
        out = _anonymize._fit_by_parts(parts, frame, {"zipcode", "sex", "income"})
        pd.testing.assert_frame_equal(out, expected)
        assert pickle.dumps(parts) == pickle.dumps(plain)
    assert packed == ["zipcode", "sex", "income", "purchases", "city"]  # all but the first part's
    # the raw columns kept are back, equal and in their places
    assert list(frame.columns) == ["zipcode", "sex", "income", "purchases", "city"]
    pd.testing.assert_frame_equal(frame, raw[list(frame.columns)])
