"""Membership inference audits: leakage found where there is some, none where there is none."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, RidgeClassifier
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

import sklearn_anon
from sklearn_anon import MondrianAnonymizer
from sklearn_anon.metrics import MembershipAudit, dcr_membership_audit, membership_inference_audit
from sklearn_anon.metrics._membership import _auc, _roc


class FixedLogistic(ClassifierMixin, BaseEstimator):
    """A classifier that ignores its training data: P(y=1 | x) = sigmoid(x0)."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-np.asarray(X, dtype=float)[:, 0]))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def _noisy(n, seed, n_features=2):
    """Features and a label that is mostly noise (so a model can only memorize)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    flip = rng.random(n) < 0.4
    y = np.where(flip, 1 - (X[:, 0] > 0), X[:, 0] > 0).astype(int)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    frame["y"] = y
    return frame


def _covers(summary, attack, low, high, value):
    return summary.loc[attack, low] <= value <= summary.loc[attack, high]


# -- leakage where there is some -------------------------------------------------------


@pytest.mark.parametrize("model", [KNeighborsClassifier(n_neighbors=1), DecisionTreeClassifier(random_state=0)],
                         ids=["1nn", "deep_tree"])
def test_memorizing_models_leak(model):
    data = _noisy(900, 0)
    audit = membership_inference_audit(model, data[:300], data[300:], target="y", random_state=0)
    assert isinstance(audit, MembershipAudit)
    assert audit.summary.index.tolist() == ["loss", "shadow"]
    for attack in ("loss", "shadow"):
        assert audit.summary.loc[attack, "auc_low"] > 0.6
        assert audit.summary.loc[attack, "advantage_low"] > 0.2
    # held-out advantage never above the optimistic one by more than noise
    assert (audit.summary["advantage"] <= audit.summary["advantage_optimistic"] + 0.05).all()


def test_loss_attack_on_1nn_matches_the_arithmetic():
    """1-NN remembers every training label; on non-members it is right ~60% of the time
    (the label agrees with its neighbour's when both or neither flip): AUC = 1 - P(right)/2."""
    data = _noisy(4000, 1, n_features=1)
    audit = membership_inference_audit(KNeighborsClassifier(n_neighbors=1), data[:2000], data[2000:],
                                       target="y", attacks="loss", n_bootstrap=50, random_state=0)
    s = audit.scores["loss"]
    right = (s.loc[~s["member"], "score"] > -1).mean()
    assert audit.summary.loc["loss", "auc"] == pytest.approx(1 - right / 2, abs=1e-9)
    assert audit.summary.loc["loss", "advantage_optimistic"] == pytest.approx(1 - right, abs=1e-9)


def test_anonymizing_pipeline_is_audited_on_raw_records():
    rng = np.random.default_rng(3)
    n = 600
    data = pd.DataFrame({"age": rng.integers(18, 90, n), "sex": rng.choice(["F", "M"], n),
                         "y": rng.integers(0, 2, n)})
    encode = make_column_transformer(("passthrough", make_column_selector(dtype_include="number")),
                                     (OneHotEncoder(handle_unknown="ignore"),
                                      make_column_selector(dtype_exclude="number")))
    raw = make_pipeline(encode, DecisionTreeClassifier(random_state=0))
    anon = make_pipeline(MondrianAnonymizer(k=50, output="midpoint"), encode,
                         DecisionTreeClassifier(random_state=0))
    leak = membership_inference_audit(raw, data[:200], data[200:], target="y", attacks=("loss",),
                                      n_bootstrap=50, random_state=0).summary
    safer = membership_inference_audit(anon, data[:200], data[200:], target="y", attacks=("loss",),
                                       n_bootstrap=50, random_state=0).summary
    assert safer.loc["loss", "auc"] < leak.loc["loss", "auc"]


# -- none where there is none ----------------------------------------------------------


@pytest.mark.parametrize("model", [FixedLogistic(), DummyClassifier(strategy="prior")], ids=["fixed", "prior"])
def test_a_model_that_ignores_the_data_leaks_nothing(model):
    data = _noisy(1500, 2)
    audit = membership_inference_audit(model, data[:500], data[500:], target="y", random_state=1)
    for attack in ("loss", "shadow"):
        assert _covers(audit.summary, attack, "auc_low", "auc_high", 0.5)
        assert _covers(audit.summary, attack, "advantage_low", "advantage_high", 0.0)
        assert audit.summary.loc[attack, "auc_high"] - audit.summary.loc[attack, "auc_low"] < 0.2


# -- synthetic data: distance to the closest record ------------------------------------


def _mixed(n, rng):
    return pd.DataFrame({"age": rng.integers(18, 90, n), "sex": rng.choice(["F", "M"], n),
                         "city": rng.choice(list("ABCDEFGH"), n),
                         "income": rng.normal(50_000, 15_000, n).round()})


def test_dcr_catches_a_synthesizer_that_copies_its_training_rows():
    rng = np.random.default_rng(0)
    real = _mixed(800, rng)
    train, holdout = real[:400], real[400:]
    copied = train.sample(frac=1.0, random_state=0).reset_index(drop=True)
    audit = dcr_membership_audit(copied, train, holdout, n_bootstrap=50, random_state=0)
    assert audit.summary.loc["dcr", "auc"] > 0.99
    assert audit.summary.loc["dcr", "advantage"] > 0.95
    # a copy with small noise on the numbers is caught too
    jitter = copied.assign(income=copied["income"] + rng.normal(0, 200, len(copied)))
    audit = dcr_membership_audit(jitter, train, holdout, n_bootstrap=50, random_state=0)
    assert audit.summary.loc["dcr", "auc_low"] > 0.9


def test_dcr_finds_nothing_in_fresh_records_of_the_same_distribution():
    rng = np.random.default_rng(1)
    real = _mixed(800, rng)
    fresh = _mixed(400, rng)
    audit = dcr_membership_audit(fresh, real[:400], real[400:], random_state=0)
    assert _covers(audit.summary, "dcr", "auc_low", "auc_high", 0.5)
    assert _covers(audit.summary, "dcr", "advantage_low", "advantage_high", 0.0)
    assert audit.info["n_synthetic"] == 400


# -- the evaluation itself -------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=2, max_size=60))
def test_auc_and_best_advantage_agree_with_scikit_learn(pairs):
    scores = np.array([p[0] for p in pairs], dtype=float)
    member = np.array([p[1] for p in pairs])
    if member.all() or not member.any():
        return
    fpr, tpr, _ = _roc(scores, member)
    assert _auc(fpr, tpr) == pytest.approx(roc_auc_score(member, scores))
    sk_fpr, sk_tpr, _ = roc_curve(member, scores)
    assert np.max(tpr - fpr) == pytest.approx(np.max(sk_tpr - sk_fpr))


def test_reproducible_and_max_records():
    data = _noisy(600, 4)
    kwargs = dict(target="y", attacks=("loss", "shadow"), n_bootstrap=30, random_state=7)
    a = membership_inference_audit(DecisionTreeClassifier(random_state=0), data[:200], data[200:], **kwargs)
    b = membership_inference_audit(DecisionTreeClassifier(random_state=0), data[:200], data[200:], **kwargs)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    c = membership_inference_audit(DecisionTreeClassifier(random_state=0), data[:200], data[200:],
                                   max_records=50, **kwargs)
    assert c.summary["n_members"].tolist() == [50, 50]
    assert c.summary["n_non_members"].tolist() == [50, 50]
    assert a.info["shadow_source"] == "half of holdout" and a.info["n_shadow_rows"] == 200


def test_prefit_model_is_used_as_given():
    data = _noisy(600, 5)
    fitted = KNeighborsClassifier(n_neighbors=1).fit(data[:200][["x0", "x1"]], data[:200]["y"])
    a = membership_inference_audit(fitted, data[:200], data[200:], target="y", attacks="loss",
                                   prefit=True, n_bootstrap=0, random_state=0)
    b = membership_inference_audit(KNeighborsClassifier(n_neighbors=1), data[:200], data[200:],
                                   target="y", attacks="loss", n_bootstrap=0, random_state=0)
    np.testing.assert_array_equal(a.scores["loss"]["score"], b.scores["loss"]["score"])
    assert np.isnan(a.summary.loc["loss", "auc_low"])  # no bootstrap, no interval
    assert "n/a" in repr(a)


def test_shadow_data_given_explicitly_and_string_labels():
    data = _noisy(900, 6)
    data["y"] = np.where(data["y"] == 1, "yes", "no")
    data["y"] = data["y"].astype("category")
    audit = membership_inference_audit(KNeighborsClassifier(n_neighbors=1), data[:200], data[200:400],
                                       target="y", shadow_data=data[400:], n_shadow=2, n_bootstrap=20,
                                       random_state=0)
    assert audit.info["shadow_source"] == "shadow_data"
    assert audit.info["shadow_in"] == 200
    assert audit.summary.loc["shadow", "n_non_members"] == 200
    assert audit.summary.loc["shadow", "auc"] > 0.6


def test_labels_that_differ_only_after_a_nul_stay_apart():
    from sklearn_anon.metrics._membership import _positions

    assert _positions(np.array(["x\x00a", "x\x00b"], dtype=object),
                      np.array(["x\x00b", "x\x00a", "x\x00c", None], dtype=object)).tolist() == [1, 0, -1, -1]
    assert _positions(np.array([0, 1]), np.array([1.0, 0, 2])).tolist() == [1, 0, -1]
    assert _positions(np.array(["a"]), np.array([None, np.nan], dtype=object)).tolist() == [-1, -1]
    data = _noisy(600, 12)
    data["y"] = np.where(data["y"] == 1, "x\x00b", "x\x00a").astype(object)
    audit = membership_inference_audit(KNeighborsClassifier(n_neighbors=1), data[:200], data[200:],
                                       target="y", n_bootstrap=20, random_state=0)
    assert (audit.summary["auc"] > 0.6).all()


def test_regressor_and_classifier_without_proba_and_an_unseen_label():
    rng = np.random.default_rng(8)
    reg = pd.DataFrame({"x": rng.normal(size=400)})
    reg["y"] = reg["x"] + rng.normal(size=400)
    audit = membership_inference_audit(LinearRegression(), reg[:200], reg[200:], target="y",
                                       n_bootstrap=20, random_state=0)
    assert audit.summary["auc"].between(0.3, 0.7).all()
    data = _noisy(600, 9)
    audit = membership_inference_audit(RidgeClassifier(), data[:200], data[200:], target="y",
                                       n_bootstrap=20, random_state=0)
    assert audit.summary["auc"].between(0.3, 0.7).all()
    holdout = data[200:].copy()
    holdout.loc[holdout.index[:5], "y"] = 2  # a class the model never saw: finite (maximal) loss
    audit = membership_inference_audit(DecisionTreeClassifier(random_state=0), data[:200], holdout,
                                       target="y", n_bootstrap=0, random_state=0)
    assert np.isfinite(audit.scores["loss"]["score"]).all()


def test_result_prints_and_exports():
    data = _noisy(300, 10)
    audit = membership_inference_audit(DecisionTreeClassifier(random_state=0), data[:100], data[100:],
                                       target="y", n_bootstrap=10, random_state=0)
    text = repr(audit)
    assert "loss" in text and "shadow" in text and "advantage" in text and "optimistic" in text
    assert "members: 100 of 100 training rows" in text
    assert str(audit) == text
    frame = audit.to_frame()
    frame.loc["loss", "auc"] = -1
    assert audit.summary.loc["loss", "auc"] != -1
    assert sklearn_anon.membership_inference_audit is membership_inference_audit
    assert sklearn_anon.dcr_membership_audit is dcr_membership_audit


def test_errors_never_quote_cell_values():
    data = _noisy(100, 11)
    data["secret"] = "SECRET-VALUE"
    model = DecisionTreeClassifier()
    cases = [
        (dict(attacks=("loss", "nope")), ValueError, "attacks"),
        (dict(attacks=()), ValueError, "attacks"),
        (dict(n_shadow=0), ValueError, "n_shadow"),
        (dict(n_bootstrap=-1), ValueError, "n_bootstrap"),
        (dict(confidence=1.0), ValueError, "confidence"),
        (dict(max_records=1), ValueError, "max_records"),
        (dict(target="nope"), ValueError, "target"),
    ]
    for kwargs, error, match in cases:
        kwargs = {"target": "y", **kwargs}
        with pytest.raises(error, match=match) as info:
            membership_inference_audit(model, data[:50], data[50:], **kwargs)
        assert "SECRET" not in str(info.value)
    with pytest.raises(TypeError, match="DataFrame"):
        membership_inference_audit(model, data[:50].to_numpy(), data[50:], target="y")
    with pytest.raises(ValueError, match="same columns"):
        membership_inference_audit(model, data[:50], data[50:].drop(columns="secret"), target="y")
    missing = data.copy()
    missing.loc[3, "y"] = np.nan
    with pytest.raises(ValueError, match="missing target") as info:
        membership_inference_audit(model, missing[:50], data[50:], target="y")
    assert "SECRET" not in str(info.value)
    reg = LinearRegression().fit(data[["x0", "x1"]], data["x0"])
    text_target = data[["x0", "x1", "secret"]]
    with pytest.raises(ValueError, match="must be numeric") as info:
        membership_inference_audit(reg, text_target[:50], text_target[50:], target="secret", prefit=True,
                                   attacks="loss")
    assert "SECRET" not in str(info.value)
    with pytest.raises(ValueError, match="same columns"):
        dcr_membership_audit(data, data[:50], data[50:].drop(columns="secret"))
    with pytest.raises(ValueError, match="column name"):
        dcr_membership_audit(data.drop(columns="secret"), data[:50], data[50:])


# -- real and realistic tables ---------------------------------------------------------


def _encoded_forest():
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.preprocessing import OrdinalEncoder

    encode = make_column_transformer(
        ("passthrough", make_column_selector(dtype_include="number")),
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2),
         make_column_selector(dtype_exclude="number")),
    )
    return make_pipeline(encode, RandomForestClassifier(n_estimators=30, random_state=0, n_jobs=1))


def test_adult_forest_leaks_and_mondrian_leaks_less(adult_dir):
    from sklearn_anon.datasets import load_adult

    pool = load_adult(adult_dir, split="train").drop(columns=["fnlwgt"])
    pool["income"] = pool["income"].astype(str)
    pool = pool.sample(3_000, random_state=0)
    train, holdout = pool[:1_000], pool[1_000:]
    kwargs = dict(target="income", attacks="loss", n_bootstrap=100, random_state=0)
    raw = membership_inference_audit(_encoded_forest(), train, holdout, **kwargs).summary.loc["loss"]
    anon = make_pipeline(MondrianAnonymizer(k=10, output="midpoint"), _encoded_forest())
    k10 = membership_inference_audit(anon, train, holdout, **kwargs).summary.loc["loss"]
    assert raw["auc_low"] > 0.55
    assert k10["auc"] < raw["auc_low"]


def test_survey_dcr_of_a_released_copy_and_of_a_dp_synthesizer():
    from sklearn_anon import DPSynthesizer
    from sklearn_anon.datasets import make_survey

    survey = make_survey(1_200, random_state=0)[["Region", "Gender", "Age", "JobCategory", "HouseholdIncome"]]
    train, holdout = survey[:600], survey[600:]
    copy = dcr_membership_audit(train, train, holdout, n_bootstrap=50, random_state=0)
    assert copy.summary.loc["dcr", "auc"] > 0.95
    with pytest.warns(sklearn_anon.PrivacyLeakWarning):  # domain read from the data: fine for a test
        synth = DPSynthesizer(epsilon=1.0, random_state=0).fit(train).sample(600, random_state=0)
    audit = dcr_membership_audit(synth, train, holdout, n_bootstrap=100, random_state=0)
    assert _covers(audit.summary, "dcr", "auc_low", "auc_high", 0.5)
