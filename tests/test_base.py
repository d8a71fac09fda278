"""The ColumnAnonymizer contract (sklearn_anon.base), checked through small subclasses."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer

from sklearn_anon.base import (
    SUPPRESSED,
    ColumnAnonymizer,
    check_frame,
    frame_to_array,
    values_hidden,
)

SECRET = "SECRET-777"


class Upper(ColumnAnonymizer):
    """Test double: upper-cases text columns, doubles numeric ones; remembers fit state."""

    def __init__(self, *, columns=None):
        self.columns = columns

    def _fit_column(self, column, name):
        return len(column)

    def _transform_column(self, column, name, state, rng):
        if pd.api.types.is_numeric_dtype(column.dtype):
            return column * 2
        return column.str.upper().astype("category")


def _frame():
    return pd.DataFrame(
        {
            "num": [1.5, np.nan, 3.0],
            "int": pd.array([1, 2, None], dtype="Int64"),
            "txt": pd.Series(["a", "b", None], dtype="str", index=[10, 20, 30]),
            "cat": pd.Categorical(["x", "y", "x"]),
            "when": pd.to_datetime(["2020-01-01", None, "2021-05-05"]),
        },
        index=[10, 20, 30],
    )


def test_dataframe_in_out_index_dtypes_and_rows_kept():
    X = _frame()
    out = Upper(columns=["num", "txt"]).fit_transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.index) == [10, 20, 30] and list(out.columns) == list(X.columns)
    # untouched columns keep their dtype; anonymized ones are what the subclass returned
    for col in ("int", "cat", "when"):
        assert out[col].dtype == X[col].dtype
        assert out[col].equals(X[col])
    assert out["num"].tolist()[0] == 3.0 and np.isnan(out["num"].tolist()[1])
    assert isinstance(out["txt"].dtype, pd.CategoricalDtype)
    assert out["txt"].tolist()[:2] == ["A", "B"]


def test_ndarray_in_ndarray_out():
    X = np.array([[1.0, 2.0], [3.0, np.nan]])
    est = Upper().fit(X)
    out = est.transform(X)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_array_equal(out, X * 2)
    assert list(est.get_feature_names_out()) == ["x0", "x1"]
    assert est.n_features_in_ == 2 and not hasattr(est, "feature_names_in_")
    obj = np.array([["a", 1], ["b", 2]], dtype=object)
    out = Upper().fit_transform(obj)
    assert out.dtype == object and out[:, 0].tolist() == ["A", "B"] and out[:, 1].tolist() == [2, 4]


def test_set_output_pandas_with_ndarray_input():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    out = Upper().set_output(transform="pandas").fit_transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["x0", "x1"]
    np.testing.assert_array_equal(out.to_numpy(), X * 2)


def test_columns_param_names_ints_and_negative():
    X = _frame()
    by_name = Upper(columns=["txt"]).fit(X)
    by_pos = Upper(columns=[2]).fit(X)
    by_neg = Upper(columns=-3).fit(X)
    assert by_name.columns_ == by_pos.columns_ == by_neg.columns_ == ["txt"]
    assert by_pos.transform(X).equals(by_name.transform(X))
    with pytest.raises(ValueError, match="out of range"):
        Upper(columns=[9]).fit(X)
    with pytest.raises(ValueError, match="Unknown column"):
        Upper(columns=["nope"]).fit(X)
    with pytest.raises(ValueError, match="twice"):
        Upper(columns=["txt", 2]).fit(X)


def test_feature_name_mismatch_is_an_error():
    X = _frame()
    est = Upper().fit(X)
    with pytest.raises(ValueError, match="[Ff]eature names"):
        est.transform(X.rename(columns={"num": "renamed"}))
    with pytest.raises(ValueError):
        est.transform(X[["num", "txt"]])


def test_reordered_columns_are_realigned():
    X = _frame()
    est = Upper(columns=["txt"]).fit(X)
    with pytest.raises(ValueError):  # scikit-learn refuses a different order
        est.transform(X[list(reversed(X.columns))])


def test_array_after_dataframe_fit_is_still_anonymized():
    # fit on names, transform on a bare array (scikit-learn only warns):
    # the columns are matched by position, never passed through raw
    est = Upper().fit(pd.DataFrame({"a": [1.0, 2.0]}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = est.transform(np.array([[5.0], [7.0]]))
    np.testing.assert_array_equal(out, [[10.0], [14.0]])
    est = Upper().fit(np.array([[1.0], [2.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = est.transform(pd.DataFrame({"a": [5.0, 7.0]}))
    assert list(out.columns) == ["a"] and out["a"].tolist() == [10.0, 14.0]


def test_rows_kept_on_large_random_frame():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"v": rng.normal(size=1000)}, index=rng.permutation(1000))
    out = Upper().fit_transform(X)
    assert out.index.equals(X.index)
    np.testing.assert_array_equal(out["v"].to_numpy(), X["v"].to_numpy() * 2)


def test_column_transformer_keeps_categorical_dtype():
    X = _frame()
    ct = ColumnTransformer([("up", Upper(), ["txt"])], remainder="drop").set_output(transform="pandas")
    out = ct.fit_transform(X)
    assert isinstance(out["up__txt"].dtype, pd.CategoricalDtype)


def test_input_checks():
    with pytest.raises(ValueError, match="Series"):
        check_frame(pd.Series([1, 2]))
    with pytest.raises(ValueError, match="2D"):
        check_frame(np.arange(3))
    with pytest.raises(ValueError, match="0 sample"):
        Upper().fit(pd.DataFrame({"a": []}))
    with pytest.raises(ValueError, match="Complex"):
        check_frame(np.array([[1 + 2j]]))


def test_values_hidden_drops_the_message():
    with pytest.raises(ValueError) as info:
        with values_hidden("col", "bad dates"):
            pd.to_datetime(pd.Series([SECRET]), format="%Y-%m-%d")
    assert SECRET not in str(info.value) and "'col'" in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_frame_to_array_kinds():
    frame = pd.DataFrame({"a": [1, 2], "b": pd.Categorical(["x", SUPPRESSED])})
    arr = frame_to_array(frame)
    assert arr.dtype == object and arr[:, 1].tolist() == ["x", "*"]
    assert frame_to_array(frame[["a"]]).dtype == np.float64


# -- per-column dicts: keys that name no input column --------------------------------
def _people(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 90, size=n).astype(float),
        "income": np.round(rng.uniform(1000, 99999, size=n), 2),
    })


def _unused_warnings(fit, others=None):
    """Run ``fit()`` and return the UnusedColumnParameterWarning messages it
    emitted (the categories of the other warnings are appended to ``others``)."""
    from sklearn_anon import UnusedColumnParameterWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    if others is not None:
        others.extend(w.category for w in caught if not issubclass(w.category, UnusedColumnParameterWarning))
    return [str(w.message) for w in caught if issubclass(w.category, UnusedColumnParameterWarning)]


def _no_cell_value(message, X):
    for col in X.columns:
        for v in X[col].head(20):
            assert str(v) not in message and f"{v:g}" not in message, message


def test_typo_in_interval_generalizer_bins_warns_and_names_the_keys():
    from sklearn_anon import IntervalGeneralizer, UnusedColumnParameterWarning

    assert issubclass(UnusedColumnParameterWarning, UserWarning)
    X = _people()
    gen = IntervalGeneralizer(bins={"age": [0, 40, 120], "incmoe": [0, 50000, 1e6]})
    msgs = _unused_warnings(lambda: gen.fit(X))
    assert len(msgs) == 1, msgs
    assert "bins" in msgs[0] and "'incmoe'" in msgs[0] and "'income'" in msgs[0]
    assert "'age'" not in msgs[0]  # age has its entry
    _no_cell_value(msgs[0], X)
    # what the warning is about: income silently got learnt bins
    assert np.isinf(gen.bin_edges_["income"][0]) and gen.bin_edges_["age"].tolist() == [0, 40, 120]
    # the same dict with the right key: silent
    assert _unused_warnings(lambda: IntervalGeneralizer(
        bins={"age": [0, 40, 120], "income": [0, 50000, 1e6]}).fit(X)) == []


def test_typo_in_laplace_bounds_warns():
    from sklearn_anon import LaplaceNoise, PrivacyLeakWarning

    X = _people()
    noise = LaplaceNoise(epsilon=1.0, bounds={"age": (0, 120), "incmoe": (0, 1e5)}, random_state=0)
    others = []
    msgs = _unused_warnings(lambda: noise.fit(X), others)
    assert PrivacyLeakWarning in others  # income's bounds were read from the data
    assert len(msgs) == 1 and "bounds" in msgs[0] and "'incmoe'" in msgs[0] and "'income'" in msgs[0]
    _no_cell_value(msgs[0], X)
    assert _unused_warnings(lambda: LaplaceNoise(
        epsilon=1.0, bounds={"age": (0, 120), "income": (0, 1e5)}, random_state=0).fit(X)) == []


def test_one_warning_per_fit_names_every_parameter():
    from sklearn_anon import TopBottomCoder

    X = _people()
    coder = TopBottomCoder(lower={"agee": 18}, upper={"incmoe": 50000})
    msgs = _unused_warnings(lambda: coder.fit(X))
    assert len(msgs) == 1
    assert "lower" in msgs[0] and "'agee'" in msgs[0] and "upper" in msgs[0] and "'incmoe'" in msgs[0]


def test_partial_dict_with_matching_keys_is_silent():
    from sklearn_anon import IntervalGeneralizer

    # only age has explicit bins and labels: income is deliberately left to the
    # default, and no key is stray -> nothing to warn about
    X = _people()
    gen = IntervalGeneralizer(bins={"age": [0, 40, 120]}, labels={"age": ["young", "old"]})
    assert _unused_warnings(lambda: gen.fit(X)) == []
    # a stray key for a column NOT anonymized here, all anonymized columns covered
    gen = IntervalGeneralizer(bins={"age": [0, 40, 120], "zip": [0, 1]}, columns=["age"])
    assert _unused_warnings(lambda: gen.fit(X)) == []


def test_dict_shared_across_column_transformer_branches():
    from sklearn_anon import IntervalGeneralizer, LaplaceNoise

    X = _people()
    bins = {"age": [0, 40, 120], "income": [0, 50000, 1e6]}
    bounds = {"age": (0, 120), "income": (0, 1e5)}
    ct = ColumnTransformer([
        ("age", IntervalGeneralizer(bins=bins), ["age"]),  # sees only age: "income" matches nothing
        ("income", IntervalGeneralizer(bins=bins), ["income"]),
        ("noise", LaplaceNoise(epsilon=1.0, bounds=bounds, random_state=0), ["age"]),
    ])
    assert _unused_warnings(lambda: ct.fit(X)) == []
    # the other side: a typo in the shared dict leaves the income branch on
    # learnt bins, and only that branch warns (the age branch has its entry)
    typo = {"age": [0, 40, 120], "incmoe": [0, 50000, 1e6]}
    ct = ColumnTransformer([
        ("age", IntervalGeneralizer(bins=typo), ["age"]),
        ("income", IntervalGeneralizer(bins=typo), ["income"]),
    ])
    msgs = _unused_warnings(lambda: ct.fit(X))
    assert len(msgs) == 1 and "'incmoe'" in msgs[0] and "'income'" in msgs[0]


def test_unused_keys_on_ndarray_input_and_hierarchies():
    from sklearn_anon import HierarchyGeneralizer, IntervalGeneralizer

    A = _people().to_numpy()
    # an ndarray's columns are x0, x1: an int key is not read by per-column lookup
    assert _unused_warnings(lambda: IntervalGeneralizer(bins={"x0": [0, 40, 120], "x1": [0, 1e6]}).fit(A)) == []
    msgs = _unused_warnings(lambda: IntervalGeneralizer(bins={0: [0, 40, 120]}).fit(A))
    assert len(msgs) == 1 and "0" in msgs[0] and "'x0'" in msgs[0]
    # HierarchyGeneralizer: one hierarchy as {value: [levels]} is not a per-column dict ...
    X = pd.DataFrame({"edu": ["BSc", "MSc", "BSc"], "job": ["a", "b", "a"]})
    one = {"BSc": ["Higher"], "MSc": ["Higher"]}
    assert _unused_warnings(lambda: HierarchyGeneralizer(one, columns=["edu"]).fit(X)) == []
    # ... but a misspelt `levels` key is reported
    gen = HierarchyGeneralizer({"edu": one}, levels={"eud": 0})
    msgs = _unused_warnings(lambda: gen.fit(X))
    assert len(msgs) == 1 and "levels" in msgs[0] and "'eud'" in msgs[0]
    assert gen.levels_ == {"edu": 1}  # the default level applied
