"""Tests for sklearn_anon.datasets: the synthetic tables and the Adult loader."""

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from sklearn_anon.datasets import load_adult, make_customers, make_survey

CUSTOMER_COLUMNS = [
    "name", "street_address", "city", "state", "zipcode", "ssn", "income",
    "purchases", "sex", "birthdate", "email", "username", "ip", "golf",
    "travel", "fashion", "outdoors", "technology", "mdem",
]
STRING_COLUMNS = ["name", "street_address", "city", "state", "ssn", "sex",
                  "email", "username", "ip", "mdem"]
FLAGS = ["golf", "travel", "fashion", "outdoors", "technology"]
SURVEY_COLUMNS = [
    "Region", "Gender", "Age", "EducationYears", "JobCategory",
    "HouseholdIncome", "CreditDebt", "PhoneCoTenure", "DataLastMonth",
    "DataOverTenure", "TVWatchingHours", "OwnsPC", "OwnsMobile", "OwnsTablet",
    "OwnsGameSystem",
]


@pytest.fixture(scope="module")
def customers():
    return make_customers(n_samples=4000, random_state=0)


@pytest.fixture(scope="module")
def survey():
    return make_survey(n_samples=3000, random_state=0)


def _age(birthdate, ref=pd.Timestamp("2024-01-01")):
    b = pd.DatetimeIndex(birthdate)
    before = (b.month > ref.month) | ((b.month == ref.month) & (b.day > ref.day))
    return np.asarray(ref.year - b.year - before)


# --------------------------------------------------------------------------
# make_customers
# --------------------------------------------------------------------------
def test_customers_same_seed_same_frame():
    a = make_customers(n_samples=300, random_state=42)
    b = make_customers(n_samples=300, random_state=42)
    assert_frame_equal(a, b)
    c = make_customers(n_samples=300, random_state=43)
    assert not a["email"].equals(c["email"])
    assert not a["income"].equals(c["income"])


def test_customers_generator_and_none_seeds():
    a = make_customers(n_samples=50, random_state=np.random.default_rng(7))
    b = make_customers(n_samples=50, random_state=np.random.default_rng(7))
    assert_frame_equal(a, b)
    # None draws fresh entropy: two calls differ (2**-many chance of equality)
    assert not make_customers(50)["ssn"].equals(make_customers(50)["ssn"])
    make_customers(5, random_state=np.random.RandomState(0))


def test_customers_columns_and_dtypes(customers):
    assert list(customers.columns) == CUSTOMER_COLUMNS
    assert customers.shape == (4000, 19)
    assert customers.index.equals(pd.RangeIndex(4000))
    for col in STRING_COLUMNS:
        assert pd.api.types.is_string_dtype(customers[col].dtype), col
        assert customers[col].notna().all(), col
    for col in ("zipcode", "income", "purchases"):
        assert customers[col].dtype == np.int64, col
    assert pd.api.types.is_datetime64_any_dtype(customers["birthdate"].dtype)
    for col in FLAGS:
        assert set(np.unique(customers[col])) == {0, 1}, col
    assert set(customers["sex"]) == {"F", "M"}


def test_customers_mdem_is_md5_of_email(customers):
    expected = [hashlib.md5(e.encode()).hexdigest() for e in customers["email"]]
    assert customers["mdem"].tolist() == expected


def test_customers_zipcodes_lost_leading_zeros_and_are_coherent(customers):
    zips = customers["zipcode"]
    assert (zips < 10000).any()  # northeastern ZIPs stored without their 0
    assert zips.between(100, 99999).all()
    zip3 = zips // 100
    # a city (with its state) has one ZIP3; a city name belongs to one state
    # per ZIP3 (two Portlands exist: OR and ME)
    assert customers.groupby(["city", "state"])["zipcode"].agg(
        lambda z: (z // 100).nunique()
    ).eq(1).all()
    assert customers.groupby(zip3)["state"].nunique().eq(1).all()
    assert customers.loc[zips < 10000, "state"].isin(
        ["MA", "RI", "CT", "NJ", "NH", "ME", "VT", "PR", "NY"]
    ).all()


def test_customers_zip3_groups_vary_in_size(customers):
    sizes = (customers["zipcode"] // 100).value_counts()
    assert sizes.max() > 200  # big metros
    assert (sizes < 10).any()  # rare ZIP3 groups a k=10 release must merge
    assert sizes.size > 40


def test_customers_identifier_formats(customers):
    assert customers["ssn"].str.fullmatch(r"\d{3}-\d{2}-\d{4}").all()
    area = customers["ssn"].str[:3].astype(int)
    assert area.between(1, 899).all() and not (area == 666).any()
    assert customers["email"].str.fullmatch(r"[a-z._]+\d*@[a-z]+\.[a-z]+").all()
    assert customers["email"].nunique() > 0.97 * len(customers)
    octets = customers["ip"].str.split(".", expand=True).astype(int)
    assert octets.shape[1] == 4
    assert ((octets >= 0) & (octets <= 255)).all().all()
    assert not octets[0].isin([0, 10, 127]).any()
    assert customers["street_address"].str.fullmatch(r"\d+ [A-Za-z]+ [A-Za-z]+").all()
    # the email derives from the name
    last = customers["name"].str.split(" ").str[-1].str.lower()
    assert all(ln in e for ln, e in zip(last, customers["email"]))


def test_customers_ages_income_and_signal(customers):
    age = _age(customers["birthdate"])
    assert age.min() >= 18 and age.max() <= 96
    outside = (age < 20) | (age > 64)
    assert 0.05 < outside.mean() < 0.4  # ages a 20-64 banding suppresses
    income = customers["income"]
    assert (income > 0).all()
    assert income.mean() > income.median()  # right-skewed
    assert (income >= 500_000).any()  # a few very high incomes
    assert (income >= 500_000).mean() < 0.02
    working = (age >= 20) & (age <= 55)
    assert np.corrcoef(age[working], np.log(income[working]))[0, 1] > 0.2
    # interest flags are learnable from age, income and sex
    X = np.column_stack([age, np.log(income), customers["sex"].eq("M")])
    for flag in ("golf", "fashion", "technology"):
        y = customers[flag]
        proba = LogisticRegression().fit(X, y).predict_proba(X)[:, 1]
        assert roc_auc_score(y, proba) > 0.65, flag
    assert customers["purchases"].ge(0).all()


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 120), seed=st.integers(0, 2**32 - 1))
def test_customers_invariants_for_any_seed_and_size(n, seed):
    df = make_customers(n, random_state=seed)
    assert df.shape == (n, 19) and list(df.columns) == CUSTOMER_COLUMNS
    assert df["mdem"].tolist() == [hashlib.md5(e.encode()).hexdigest() for e in df["email"]]
    assert df["ssn"].str.fullmatch(r"\d{3}-\d{2}-\d{4}").all()
    assert df["zipcode"].between(100, 99999).all()
    age = _age(df["birthdate"])
    assert ((age >= 18) & (age <= 96)).all()
    s = make_survey(n, random_state=seed)
    assert s.shape == (n, 15)
    assert (s["CreditDebt"] > 0).all() and s["Region"].between(1, 5).all()
    if n > 1:
        debt = np.sort(s["CreditDebt"].to_numpy())
        assert debt[-1] > 50 * debt[-2]


def test_customers_birthdate_reference_is_fixed():
    # ages are drawn on 2024-01-01, so the frame does not depend on today
    df = make_customers(2000, random_state=3)
    assert df["birthdate"].max() <= pd.Timestamp("2006-01-01")


def test_customers_one_row_and_bad_sizes():
    assert make_customers(1, random_state=0).shape == (1, 19)
    with pytest.raises(ValueError, match="n_samples"):
        make_customers(0)
    with pytest.raises(TypeError, match="n_samples"):
        make_customers(10.5)
    with pytest.raises(TypeError, match="random_state"):
        make_customers(10, random_state="seed")


# --------------------------------------------------------------------------
# make_survey
# --------------------------------------------------------------------------
def test_survey_columns_dtypes_and_seed(survey):
    assert list(survey.columns) == SURVEY_COLUMNS
    assert survey.shape == (3000, 15)
    assert_frame_equal(survey, make_survey(n_samples=3000, random_state=0))
    assert not survey.equals(make_survey(n_samples=3000, random_state=1))
    assert pd.api.types.is_string_dtype(survey["Gender"].dtype)
    assert pd.api.types.is_string_dtype(survey["JobCategory"].dtype)
    assert set(survey["Region"]) == {1, 2, 3, 4, 5}
    assert survey["Age"].between(18, 79).all()
    assert survey["EducationYears"].between(6, 23).all()
    assert survey["TVWatchingHours"].between(0, 36).all()
    for col in ("OwnsPC", "OwnsMobile", "OwnsTablet", "OwnsGameSystem"):
        assert set(np.unique(survey[col])) == {0, 1}, col
    assert survey["JobCategory"].nunique() == 6


def test_survey_credit_debt_has_one_extreme_outlier(survey):
    debt = survey["CreditDebt"].sort_values(ascending=False).to_numpy()
    assert debt[0] > 50 * debt[1]  # one customer owes vastly more
    assert debt[1] < 100 * np.median(debt)  # the rest is merely skewed
    assert (debt > 0).all()
    # exactly one value beyond 10x the 99.9th percentile
    assert (debt > 10 * np.quantile(debt, 0.999)).sum() == 1


def test_survey_correlations(survey):
    corr = survey.corr(method="spearman", numeric_only=True)
    assert corr.loc["EducationYears", "HouseholdIncome"] > 0.2
    assert corr.loc["Age", "DataLastMonth"] < -0.2
    assert corr.loc["Age", "TVWatchingHours"] > 0.2
    assert corr.loc["DataLastMonth", "DataOverTenure"] > 0.5
    no_mobile = survey["OwnsMobile"] == 0
    assert no_mobile.any() and (survey.loc[no_mobile, "DataLastMonth"] == 0).all()


def test_survey_small_sizes():
    assert make_survey(1, random_state=0).shape == (1, 15)
    assert make_survey(2, random_state=0)["CreditDebt"].max() > 0


# --------------------------------------------------------------------------
# load_adult
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind, split, rows, n_cols, label",
    [
        ("uci", "train", 32561, 15, "income"),
        ("uci", "test", 16281, 15, "income"),
        ("uci", "both", 48842, 15, "income"),
        ("arx", "train", 30162, 9, "salary-class"),
    ],
)
def test_load_adult_row_counts(adult_dir, kind, split, rows, n_cols, label):
    df = load_adult(adult_dir, kind=kind, split=split)
    assert df.shape == (rows, n_cols)
    assert df.columns[-1] == label
    assert set(df[label].cat.categories) == {"<=50K", ">50K"}
    assert df["age"].dtype == np.int64
    assert df.index.equals(pd.RangeIndex(rows))
    for col in df.columns:
        if col not in ("age", "fnlwgt", "education-num", "capital-gain",
                       "capital-loss", "hours-per-week"):
            assert isinstance(df[col].dtype, pd.CategoricalDtype), col


def test_load_adult_uci_details(adult_dir):
    train = load_adult(adult_dir)
    assert train["workclass"].isna().sum() > 0  # "?" read as missing
    assert "?" not in train["workclass"].cat.categories
    # ARX's adult.csv is the training split without rows that miss a value
    assert len(train.dropna()) == len(load_adult(adult_dir, kind="arx"))
    test = load_adult(adult_dir, split="test")
    assert not test["income"].astype(str).str.endswith(".").any()
    assert test["income"].value_counts()[">50K"] == 3846
    X, y = load_adult(adult_dir, return_X_y=True)
    assert X.shape == (32561, 14) and y.name == "income"


def test_load_adult_reads_original_uci_layout(tmp_path):
    # UCI's own adult.test opens with "|1x3 Cross validator" and ends with a
    # blank line; labels end with a period
    rows = [
        "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, "
        "Not-in-family, White, Male, 2174, 0, 40, United-States, <=50K",
        "50, ?, 83311, Bachelors, 13, Married-civ-spouse, ?, Husband, White, "
        "Male, 0, 0, 13, United-States, >50K",
    ]
    (tmp_path / "adult.data").write_text("\n".join(rows) + "\n")
    (tmp_path / "adult.test").write_text(
        "|1x3 Cross validator\n" + "\n".join(r + "." for r in rows) + "\n\n"
    )
    both = load_adult(tmp_path, split="both")
    assert both.shape == (4, 15)
    assert both["income"].tolist() == ["<=50K", ">50K", "<=50K", ">50K"]
    assert both["age"].tolist() == [39, 50, 39, 50]
    assert both["workclass"].isna().tolist() == [False, True, False, True]
    assert both["capital-gain"].dtype == np.int64


def test_load_adult_missing_files_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="adult.data") as info:
        load_adult(tmp_path)
    assert str(tmp_path) in str(info.value)
    with pytest.raises(FileNotFoundError, match="adult.test"):
        load_adult(tmp_path, split="test")
    with pytest.raises(FileNotFoundError, match="adult.csv"):
        load_adult(tmp_path, kind="arx")
    with pytest.raises(FileNotFoundError):
        load_adult(tmp_path / "no" / "such" / "folder")


def test_load_adult_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        load_adult(tmp_path, kind="kaggle")
    with pytest.raises(ValueError, match="split"):
        load_adult(tmp_path, split="validation")
    with pytest.raises(ValueError, match="training split only"):
        load_adult(tmp_path, kind="arx", split="test")
