"""sklearn_anon.sdc: the family's face, and its two estimators side by side in one pipeline.

Each estimator has its own tests (tests/test_microaggregation.py, tests/test_pram.py).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer

import sklearn_anon
from sklearn_anon import sdc
from sklearn_anon.dp import PrivacyLeakWarning


def test_face_lists_the_family_and_matches_the_top_level():
    assert sorted(sdc.__all__) == ["Microaggregator", "PRAM"]
    for name in sdc.__all__:
        assert getattr(sdc, name) is getattr(sklearn_anon, name)
        assert name in sklearn_anon.__all__


def test_microaggregation_and_pram_in_one_column_transformer():
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame({
        "age": rng.integers(18, 90, n).astype(float),
        "income": rng.lognormal(10, 0.5, n),
        "race": rng.choice(["A", "B", "C", "D"], n, p=[0.6, 0.2, 0.15, 0.05]),
    })
    ct = ColumnTransformer(
        [("micro", sdc.Microaggregator(k=5), ["age", "income"]),
         ("pram", sdc.PRAM(p=0.8, categories={"race": ["A", "B", "C", "D"]}, random_state=0),
          ["race"])],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    with pytest.warns(PrivacyLeakWarning):  # the invariant matrix is built from the frequencies
        out = ct.fit_transform(X)
    assert list(out.index) == list(X.index)
    # microaggregated pairs: every released (age, income) vector is shared by >= 5 rows
    assert out.groupby(["age", "income"]).size().min() >= 5
    assert set(out["race"]) <= {"A", "B", "C", "D"}
    moved = (out["race"].to_numpy() != X["race"].to_numpy()).mean()
    assert 0.05 < moved < 0.35  # about (1 - p) * (1 - share of the drawn value)
