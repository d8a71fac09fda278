"""The anonymizers inside scikit-learn: ColumnTransformer, Pipeline, GridSearchCV, joblib.

Issue 2's must-show: ``Pipeline([ColumnTransformer(generalizers),
OneHotEncoder, LogisticRegression])`` fits, ``GridSearchCV`` over a
generalizer parameter runs with ``n_jobs=2``, and a joblib dump/load of the
fitted pipeline gives identical ``transform`` and ``predict`` output.
"""

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from sklearn_anon import (
    SUPPRESSED,
    DateGeneralizer,
    IntervalGeneralizer,
    PrefixGeneralizer,
    RareCategoryGrouper,
)
from sklearn_anon._compat import PrivacyLeakWarning
from sklearn_anon.datasets import make_customers

INCOME_BINS = [0, 9000, 25000, 51000, 115000, 500000, np.inf]
INCOME_LABELS = ["Destitute", "Poor", "Working", "Middle", "Affluent", "Rich"]
AGE_BINS = [20, 35, 45, 55, 65]
AGE_LABELS = ["20-34", "35-44", "45-54", "55-64"]
TARGET = "golf"


def make_anonymizer(min_count=10):
    return ColumnTransformer(
        [
            ("age", DateGeneralizer(unit="age", reference_date="2024-01-01",
                                    bins=AGE_BINS), ["birthdate"]),
            ("income", IntervalGeneralizer(bins=INCOME_BINS, labels=INCOME_LABELS,
                                           right=False), ["income"]),
            ("zip3", Pipeline([("prefix", PrefixGeneralizer(n=3, width=5)),
                               ("rare", RareCategoryGrouper(min_count=min_count))]),
             ["zipcode"]),
            ("sex", "passthrough", ["sex"]),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )


def make_model(min_count=10):
    return Pipeline([
        ("anonymize", make_anonymizer(min_count).set_output(transform="pandas")),
        ("encode", OneHotEncoder(handle_unknown="ignore")),
        ("model", LogisticRegression(max_iter=1000)),
    ])


@pytest.fixture(scope="module")
def data():
    df = make_customers(n_samples=3000, random_state=0)
    return df.drop(columns=[TARGET]), df[TARGET]


@pytest.fixture(scope="module")
def new_data():
    """Next month's customers: other people, some unseen ZIP3s and ages."""
    return make_customers(n_samples=1500, random_state=1).drop(columns=[TARGET])


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return make_model().fit(X, y)


def test_pipeline_fits_and_learns(fitted, data, new_data):
    X, y = data
    proba = fitted.predict_proba(X)[:, 1]
    assert proba.shape == (len(X),)
    # golf depends on age, income and sex: generalized features keep signal
    assert roc_auc_score(y, proba) > 0.7
    assert set(np.unique(fitted.predict(new_data))) <= {0, 1}
    # only the generalized quasi-identifiers reach the encoder
    encoder = fitted.named_steps["encode"]
    assert list(encoder.feature_names_in_) == ["birthdate", "income", "zipcode", "sex"]
    n_zip3 = len(fitted.named_steps["anonymize"].named_transformers_["zip3"]
                 .named_steps["rare"].categories_["zipcode"])
    assert len(encoder.get_feature_names_out()) == (
        len(AGE_LABELS) + 1 + len(INCOME_LABELS) + 1 + n_zip3 + 2
    )


def test_no_raw_value_reaches_the_model(fitted, new_data):
    out = fitted.named_steps["anonymize"].transform(new_data)
    assert set(out["birthdate"].cat.categories) == {*AGE_LABELS, SUPPRESSED}
    assert set(out["income"].cat.categories) == {*INCOME_LABELS, SUPPRESSED}
    zip3 = out["zipcode"].astype(str)
    assert zip3.str.fullmatch(r"\d{3}|OTHER|\*").all()
    # ZIP3 groups kept are those with >= 10 training customers
    kept = set(out["zipcode"].cat.categories) - {"OTHER", SUPPRESSED}
    assert all(len(z) == 3 for z in kept)
    # every direct identifier is dropped
    assert not {"name", "ssn", "email", "ip", "mdem"} & set(out.columns)


def test_grid_search_over_generalizer_parameter_n_jobs_2(data):
    X, y = data
    # diffprivlib's "always" filter for PrivacyLeakWarning is pickled into
    # the workers with the other warning filters: this must not break them
    warnings.simplefilter("always", PrivacyLeakWarning)
    grid = {"anonymize__zip3__rare__min_count": [5, 10, 400],
            "anonymize__age__bins": [AGE_BINS, [18, 40, 65, 100]]}
    search = GridSearchCV(make_model(), grid, cv=2, n_jobs=2, scoring="roc_auc",
                          error_score="raise")
    search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 6 and np.isfinite(scores).all()
    assert (scores > 0.6).all()
    assert search.best_params_["anonymize__zip3__rare__min_count"] in (5, 10, 400)
    # the parameter changes the generalization: fewer ZIP3 groups at 400
    best = search.best_estimator_
    coarse = make_model(min_count=400).fit(X, y)
    fine = make_model(min_count=5).fit(X, y)
    n_feat = [len(m.named_steps["encode"].get_feature_names_out()) for m in (coarse, fine)]
    assert n_feat[0] < n_feat[1]
    assert best.named_steps["anonymize"].get_params()["zip3__rare__min_count"] == (
        search.best_params_["anonymize__zip3__rare__min_count"]
    )


def test_joblib_round_trip_identical_transform_and_predict(fitted, new_data, tmp_path):
    path = tmp_path / "pipeline.joblib"
    joblib.dump(fitted, path)
    loaded = joblib.load(path)
    # the anonymized table: same values, same categorical schema
    assert_frame_equal(
        fitted.named_steps["anonymize"].transform(new_data),
        loaded.named_steps["anonymize"].transform(new_data),
    )
    # the encoded features (sparse) and the predictions
    a, b = fitted[:-1].transform(new_data), loaded[:-1].transform(new_data)
    assert a.shape == b.shape and (a != b).nnz == 0
    np.testing.assert_array_equal(fitted.predict(new_data), loaded.predict(new_data))
    np.testing.assert_array_equal(
        fitted.predict_proba(new_data), loaded.predict_proba(new_data)
    )


def test_set_output_pandas_keeps_categorical_dtypes(data, new_data):
    X, _ = data
    ct = make_anonymizer().set_output(transform="pandas").fit(X)
    out, out_new = ct.transform(X), ct.transform(new_data)
    assert list(out.columns) == ["birthdate", "income", "zipcode", "sex"]
    assert list(ct.get_feature_names_out()) == list(out.columns)
    for col in ("birthdate", "income", "zipcode"):
        assert isinstance(out[col].dtype, pd.CategoricalDtype), col
        # the output schema is fixed in fit: same categories on new data
        assert out_new[col].dtype == out[col].dtype, col
    assert pd.api.types.is_string_dtype(out["sex"].dtype)
    assert out.index.equals(X.index) and len(out_new) == len(new_data)
    # income classes equal pd.cut(right=False) value for value
    expected = pd.cut(X["income"], INCOME_BINS, labels=INCOME_LABELS, right=False)
    assert (out["income"].astype(str) == expected.astype(str)).all()
    # without set_output the ColumnTransformer gives an object ndarray
    arr = make_anonymizer().fit(X).transform(X)
    assert isinstance(arr, np.ndarray) and arr.shape == (len(X), 4)
    assert (arr[:, 1] == out["income"].astype(str).to_numpy()).all()
