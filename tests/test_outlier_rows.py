"""filter_outlier_rows (drops rows before a pipeline) and the profile's extreme values."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from sklearn_anon import TopBottomCoder, filter_outlier_rows
from sklearn_anon.cli import main
from sklearn_anon.cli._profile import _extreme_values
from sklearn_anon.datasets import make_customers


def _frame(seed=0, n=200):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "debt": rng.normal(1000, 100, n),
        "age": rng.integers(20, 60, n).astype(float),
        "city": rng.choice(list("abc"), n),
    }, index=pd.RangeIndex(100, 100 + n))
    X.loc[105, "debt"] = 1e8        # the one customer with a huge debt
    X.loc[110, "age"] = -500.0      # an impossible age, low side
    X.loc[120, "debt"] = np.nan     # NaN is not an outlier
    return X


@pytest.mark.parametrize("method", ["iqr", "quantile", "zscore"])
def test_removes_the_extreme_rows_with_y_alongside(method):
    X = _frame()
    y = pd.Series(np.arange(len(X)), index=X.index)
    kwargs = {"lower_quantile": 0.001, "upper_quantile": 0.999} if method == "quantile" else {}
    X_kept, y_kept, removed = filter_outlier_rows(X, y, method=method, **kwargs)
    assert {105, 110} <= set(removed)
    assert 120 in X_kept.index                      # NaN row kept
    assert X_kept.index.equals(y_kept.index)        # X and y stay aligned
    assert len(X_kept) + len(removed) == len(X)
    assert X_kept.index.intersection(removed).empty
    assert (X_kept.columns == X.columns).all()


def test_columns_mask_and_arrays():
    X = _frame()
    X_kept, removed = filter_outlier_rows(X, columns="age", method="zscore")
    assert list(removed) == [110]                   # debt not checked
    _, mask = filter_outlier_rows(X, columns=["debt"], method="zscore", return_mask=True)
    assert mask.dtype == bool and mask.shape == (len(X),) and X.index[mask].tolist() == [105]
    arr = X[["debt", "age"]].to_numpy()
    kept, y_kept, pos = filter_outlier_rows(arr, np.arange(len(arr)), method="zscore")
    assert sorted(pos) == [5, 10] and kept.shape == (len(arr) - 2, 2)
    assert 5 not in y_kept and 10 not in y_kept
    # a huge factor removes nothing
    assert len(filter_outlier_rows(X, columns="age", factor=1e9)[1]) == 0


def test_bad_arguments():
    X = _frame()
    with pytest.raises(TypeError, match="numeric"):
        filter_outlier_rows(X, columns=["city"])
    with pytest.raises(ValueError, match="not in X"):
        filter_outlier_rows(X, columns=["nope"])
    with pytest.raises(ValueError, match="method"):
        filter_outlier_rows(X, method="mad")
    with pytest.raises(ValueError, match="y has"):
        filter_outlier_rows(X, pd.Series([1, 2]))
    with pytest.raises(ValueError, match="lower_quantile"):
        filter_outlier_rows(X, method="quantile", lower_quantile=0.9, upper_quantile=0.1)
    with pytest.raises(ValueError, match="factor"):
        filter_outlier_rows(X, factor=-1)


def test_used_before_a_pipeline_not_in_it():
    X = _frame()[["debt", "age"]].fillna(1000.0)
    y = X["age"] * 2.0
    X_kept, y_kept, removed = filter_outlier_rows(X, y)
    model = make_pipeline(TopBottomCoder(upper_quantile=0.99), LinearRegression()).fit(X_kept, y_kept)
    assert model.predict(X).shape == (len(X),)      # the fitted pipeline still takes every row
    assert not hasattr(filter_outlier_rows, "fit")  # a function, not a transformer


def test_profile_flags_extreme_values_without_printing_them(tmp_path, capsys):
    frame = make_customers(n_samples=300, random_state=0)
    frame["debt"] = np.linspace(100.0, 400.0, len(frame)).round(2)
    frame.loc[7, "debt"] = 98765432.1
    frame["flag"] = 0
    frame.loc[3, "flag"] = 1                          # IQR 0: not judged
    path = tmp_path / "c.csv"
    frame.to_csv(path, index=False)
    assert main(["profile", str(path), "-q"]) == 0
    out = capsys.readouterr().out
    assert "## Extreme values" in out
    assert "| debt | 1 | 0.33% | high |" in out
    assert "TopBottomCoder" in out and "filter_outlier_rows" in out
    assert "| flag |" not in out.split("## Extreme values")[1]
    assert "98765432" not in out and "9.8765" not in out
    calm = _extreme_values(pd.DataFrame({"x": np.arange(50.0), "s": ["a"] * 50}))
    assert calm == []
