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
