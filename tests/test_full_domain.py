"""FullDomainAnonymizer: ARX's optimum on Adult, brute force on small lattices, contracts."""

import itertools
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer

from sklearn_anon.kanonymity import FullDomainAnonymizer
from sklearn_anon._hierarchy import load_hierarchy
from sklearn_anon.base import SUPPRESSED

ADULT_QIS = ["sex", "age", "race", "marital-status", "education", "native-country",
             "workclass", "occupation", "salary-class"]


# -- Adult: ARX 3.9's optimum (figures from /work/shared/anchors.md) ------------------
@pytest.fixture(scope="module")
def adult(adult_dir):
    df = pd.read_csv(adult_dir / "adult.csv", sep=";")
    hierarchies = {c: load_hierarchy(adult_dir / f"adult_hierarchy_{c}.csv", name=c)
                   for c in ADULT_QIS}
    return df, hierarchies


def _classes_of_release(out, qis):
    """Class sizes of the released (not suppressed) rows of a transform output."""
    released = out[~(out[qis] == SUPPRESSED).all(axis=1)]
    return released.groupby(qis, observed=True).size()


@pytest.mark.parametrize(
    "setting, expected_loss, expected_classes",
    [("k5", 0.708, 24), ("k5_supp2", 0.396, 222), ("l3", 0.711, 28)],
)
def test_adult_matches_arx(adult, setting, expected_loss, expected_classes):
    df, hierarchies = adult
    if setting == "k5":
        est = FullDomainAnonymizer(hierarchies, k=5)
    elif setting == "k5_supp2":
        est = FullDomainAnonymizer(hierarchies, k=5, suppression_limit=0.02)
    else:
        hs = {c: h for c, h in hierarchies.items() if c != "occupation"}
        est = FullDomainAnonymizer(hs, k=1, l=3, sensitive="occupation")
    out = est.fit_transform(df)
    # ARX reports its granularity loss rounded to 3 digits
    assert round(est.granularity_, 3) == expected_loss
    assert est.n_classes_ == expected_classes
    assert est.n_suppressed_ <= math.floor(est.suppression_limit * len(df))
    qis = est.quasi_identifiers_
    sizes = _classes_of_release(out, qis)
    assert len(sizes) == expected_classes
    assert sizes.min() >= 5 if est.k == 5 else True
    assert int((out[qis] == SUPPRESSED).all(axis=1).sum()) == est.n_suppressed_
    if setting == "l3":
        released = out[~(out[qis] == SUPPRESSED).all(axis=1)]
        assert released.groupby(qis, observed=True)["occupation"].nunique().min() >= 3
    assert out.index.equals(df.index) and list(out.columns) == list(df.columns)


def test_adult_exact_levels(adult):
    """The level vectors ARX 3.9 returns (checked by brute force over the 12,960 vectors)."""
    df, hierarchies = adult
    est = FullDomainAnonymizer(hierarchies, k=5, suppression_limit=0.02).fit(df)
    assert list(est.levels_.values()) == [0, 3, 0, 2, 2, 1, 1, 2, 0]
    assert est.n_suppressed_ == 506
    assert est.n_nodes_ == 12960 and est.n_evaluated_ < 2000


def test_adult_granularity_beats_arx(adult):
    """Minimizing the reported granularity directly does at least as well as ARX's search."""
    df, hierarchies = adult
    est = FullDomainAnonymizer(hierarchies, k=5, suppression_limit=0.02,
                               loss="granularity").fit(df)
    assert est.loss_ == est.granularity_
    assert est.granularity_ < 0.396
    assert est.n_suppressed_ <= 603


# -- brute force on small lattices -------------------------------------------------
def _tiny(seed, n=60):
    rng = np.random.default_rng(seed)
    ages = np.arange(20, 36)
    age_h = {str(a): [f"{a // 4 * 4}-{a // 4 * 4 + 3}", f"{a // 8 * 8}-{a // 8 * 8 + 7}", "*"]
             for a in ages}
    cities = ["A1", "A2", "B1", "B2", "C1"]
    city_h = {c: [c[0], "*"] for c in cities}
    sex_h = {"F": ["*"], "M": ["*"]}
    df = pd.DataFrame({
        "age": rng.choice(ages, n),
        "city": rng.choice(cities, n, p=[0.4, 0.3, 0.15, 0.1, 0.05]),
        "sex": rng.choice(["F", "M"], n),
        "illness": rng.choice(["flu", "cold", "hiv", "none"], n, p=[0.4, 0.3, 0.1, 0.2]),
    })
    return df, {"age": age_h, "city": city_h, "sex": sex_h}


def _reference(df, hierarchies, *, k, l, t, sensitive, limit, loss):
    """Every level vector measured with plain pandas: ``{levels: value or None}``."""
    qis = list(hierarchies)
    hs = {c: load_hierarchy(h) for c, h in hierarchies.items()}
    n = len(df)
    p = df[sensitive].value_counts(normalize=True) if sensitive else None
    results = {}
    for levels in itertools.product(*[range(hs[c].n_levels) for c in qis]):
        gen = pd.DataFrame({c: np.asarray(hs[c].generalize(df[c], lev), dtype=object)
                            for c, lev in zip(qis, levels)})
        cls = gen.groupby(qis).ngroup().to_numpy()
        sizes = np.bincount(cls)
        bad = sizes < k
        if l is not None:
            bad |= df.groupby(cls)[sensitive].nunique().to_numpy() < l
        if t is not None:
            q = pd.crosstab(cls, df[sensitive], normalize="index")
            tv = 0.5 * (q - p[q.columns].to_numpy()).abs().sum(axis=1).to_numpy()
            bad |= tv > t - 1e-9
        supp = bad[cls]
        if supp.sum() > math.floor(limit * n + 1e-9):
            results[levels] = None
            continue
        if loss == "granularity":
            raw, low = [], []
            for c, lev in zip(qis, levels):
                counts = hs[c].leaf_counts(lev)
                share = gen[c].map(counts).to_numpy(dtype=float) / len(hs[c])
                raw.append(np.where(supp, 1.0, share).mean())
                low.append(1 / len(hs[c]))
            value = (np.mean(raw) - np.mean(low)) / (1 - np.mean(low))
        elif loss == "loss":
            value = 1.0
            for c, lev in zip(qis, levels):
                D = len(hs[c])
                share = gen[c].map(hs[c].leaf_counts(lev)).to_numpy(dtype=float) / D
                per = max(0.0, (share.sum() - n / D) / (n - n / D))
                value *= (math.floor(per * 1e10) / 1e10 + 1) ** (1 / len(qis))
            value -= 1
        elif loss == "discernibility":
            value = float((sizes[~bad] ** 2).sum() + n * sizes[bad].sum())
        elif loss == "entropy":
            value = 0.0
            for c in qis:
                f0 = df[c].map(df[c].value_counts()).to_numpy(dtype=float)
                fl = gen[c].map(gen[c].value_counts()).to_numpy(dtype=float)
                value += np.where(supp, np.log2(n / f0), np.log2(fl / f0)).sum()
        else:
            value = float(loss(dict(zip(qis, levels)), sizes[~bad], int(sizes[bad].sum())))
        results[levels] = value
    return results


def _callable_loss(levels, class_sizes, n_suppressed):
    return sum(levels.values()) + 0.01 * n_suppressed - 0.001 * len(class_sizes)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("loss", ["loss", "granularity", "discernibility", "entropy",
                                  _callable_loss])
@pytest.mark.parametrize("model", [
    dict(k=3, suppression_limit=0.0),
    dict(k=3, suppression_limit=0.1),
    dict(k=2, l=2, sensitive="illness", suppression_limit=0.05),
    dict(k=1, t=0.3, sensitive="illness", suppression_limit=0.1),
    dict(k=1, t=0.3, sensitive="illness"),
])
def test_optimum_by_brute_force(seed, loss, model):
    df, hierarchies = _tiny(seed)
    est = FullDomainAnonymizer(hierarchies, loss=loss, **model).fit(df)
    ref = _reference(df, hierarchies, k=model["k"], l=model.get("l"), t=model.get("t"),
                     sensitive=model.get("sensitive"), limit=model.get("suppression_limit", 0.0),
                     loss=loss)
    feasible = {lv: v for lv, v in ref.items() if v is not None}
    chosen = tuple(est.levels_.values())
    assert chosen in feasible
    best = min(feasible.values())
    assert est.loss_ == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert feasible[chosen] == pytest.approx(best, rel=1e-9, abs=1e-9)
    # ties: the smallest sum of levels, then the lexicographically smallest vector
    ties = [lv for lv, v in feasible.items() if math.isclose(v, best, rel_tol=1e-9, abs_tol=1e-9)]
    assert chosen == min(ties, key=lambda lv: (sum(lv), lv))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("limit", [0.0, 0.05, 0.2])
def test_release_properties(seed, limit):
    df, hierarchies = _tiny(seed, n=200)
    df.index = pd.RangeIndex(1000, 1200)[::-1]
    est = FullDomainAnonymizer(hierarchies, k=4, suppression_limit=limit)
    out = est.fit_transform(df)
    qis = est.quasi_identifiers_
    # rows and order kept, the sensitive column untouched
    assert out.index.equals(df.index)
    pd.testing.assert_series_equal(out["illness"], df["illness"])
    suppressed = (out[qis] == SUPPRESSED).all(axis=1)
    assert suppressed.sum() == est.n_suppressed_ <= math.floor(limit * len(df))
    sizes = _classes_of_release(out, qis)
    assert len(sizes) == est.n_classes_
    assert sizes.min() >= 4
    # transform of the fitted data is the fitted release
    pd.testing.assert_frame_equal(est.transform(df), out)
    # every output column is categorical, its categories fixed by the level
    for c in qis:
        assert isinstance(out[c].dtype, pd.CategoricalDtype)


def test_transform_new_data_does_not_resuppress_by_size():
    df, hierarchies = _tiny(0, n=200)
    est = FullDomainAnonymizer(hierarchies, k=4).fit(df)
    new = df.head(3).copy()
    new.loc[new.index[1], "city"] = "Z9"  # unknown to the hierarchy
    new.loc[new.index[2], "age"] = np.nan
    out = est.transform(new)
    assert len(out) == 3  # three rows, each its own class: nothing is measured
    assert out.loc[new.index[1], "city"] == SUPPRESSED
    assert out.loc[new.index[2], "age"] == SUPPRESSED
    assert out.loc[new.index[0], "city"] != SUPPRESSED or est.levels_["city"] == 2


def test_unknown_training_values_are_suppressed_cells():
    df, hierarchies = _tiny(3, n=80)
    df.loc[df.index[:3], "city"] = None
    est = FullDomainAnonymizer(hierarchies, k=3).fit(df)
    out = est.transform(df)
    assert (out.loc[df.index[:3], "city"] == SUPPRESSED).all()


def test_array_input_and_set_output():
    df, hierarchies = _tiny(0)
    X = df[["age", "city", "sex"]].to_numpy(dtype=object)
    est = FullDomainAnonymizer({0: hierarchies["age"], 1: hierarchies["city"],
                                2: hierarchies["sex"]}, k=3)
    out = est.fit_transform(X)
    assert isinstance(out, np.ndarray) and out.shape == X.shape
    assert list(est.get_feature_names_out()) == ["x0", "x1", "x2"]
    est.set_output(transform="pandas")
    frame = est.fit_transform(X)
    assert list(frame.columns) == ["x0", "x1", "x2"]
    ct = ColumnTransformer([("fd", FullDomainAnonymizer(hierarchies, k=3),
                             ["age", "city", "sex"])], remainder="passthrough",
                           verbose_feature_names_out=False).set_output(transform="pandas")
    res = ct.fit_transform(df)
    assert list(res.columns) == ["age", "city", "sex", "illness"]
    assert isinstance(res["age"].dtype, pd.CategoricalDtype)


@pytest.mark.parametrize("model", [dict(k=3, suppression_limit=0.1),
                                   dict(k=2, l=2, sensitive="illness")])
def test_keys_beyond_int64_are_redensified(monkeypatch, model):
    """The path for key spaces past 2**62 (many tall hierarchies) gives the same result."""
    import sklearn_anon.kanonymity._full_domain as fd

    df, hierarchies = _tiny(4, n=150)
    expected = FullDomainAnonymizer(hierarchies, **model)
    out = expected.fit_transform(df)
    monkeypatch.setattr(fd, "_KEY_LIMIT", 8)
    est = FullDomainAnonymizer(hierarchies, **model)
    pd.testing.assert_frame_equal(est.fit_transform(df), out)
    assert est.levels_ == expected.levels_ and est.n_suppressed_ == expected.n_suppressed_


def test_grid_search_tunes_the_privacy_parameters():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    df, hierarchies = _tiny(2, n=120)
    X, y = df[["age", "city", "sex"]], (df["illness"] == "flu").to_numpy()
    pipe = make_pipeline(FullDomainAnonymizer(hierarchies),
                         OneHotEncoder(handle_unknown="ignore"), LogisticRegression())
    grid = {"fulldomainanonymizer__k": [2, 5],
            "fulldomainanonymizer__suppression_limit": [0.0, 0.1],
            "fulldomainanonymizer__loss": ["loss", "granularity"]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert search.predict(X).shape == (120,)


def test_pickle_and_clone_keep_the_release():
    df, hierarchies = _tiny(1)
    est = FullDomainAnonymizer(hierarchies, k=3, suppression_limit=0.1).fit(df)
    again = pickle.loads(pickle.dumps(est))
    pd.testing.assert_frame_equal(again.transform(df), est.transform(df))
    assert clone(est).get_params() == est.get_params()


def test_errors_name_columns_not_values():
    df, hierarchies = _tiny(0)
    df["illness"] = "SECRET-" + df["illness"]
    with pytest.raises(ValueError, match="sensitive"):
        FullDomainAnonymizer(hierarchies, l=2).fit(df)
    with pytest.raises(ValueError, match="both sensitive and a quasi-identifier"):
        FullDomainAnonymizer(hierarchies, l=2, sensitive="age").fit(df)
    with pytest.raises(ValueError, match="not in the input"):
        FullDomainAnonymizer({"nope": hierarchies["age"]}).fit(df)
    with pytest.raises(ValueError, match="n_samples = 60") as info:
        FullDomainAnonymizer(hierarchies, k=1, l=5, sensitive="illness").fit(df)
    assert "SECRET" not in str(info.value)
    with pytest.raises(ValueError, match="'sex' is numeric"):
        FullDomainAnonymizer(hierarchies).fit(df.assign(sex=(df["sex"] == "F").astype(int)))
    with pytest.raises(TypeError, match="must return a number"):
        FullDomainAnonymizer(hierarchies, k=2, loss=lambda *a: "x").fit(df)


def test_single_hierarchy_for_every_column():
    h = {str(v): [f"{v // 2}x", "*"] for v in range(10)}
    X = pd.DataFrame({"a": np.arange(40) % 10, "b": np.arange(40) % 4, "s": ["u", "v"] * 20})
    est = FullDomainAnonymizer(h, k=4, l=2, sensitive="s").fit(X)
    assert est.quasi_identifiers_ == ["a", "b"]
    assert est.transform(X)["s"].equals(X["s"])


# scikit-learn's estimator checks run on it from tests/test_estimator_checks.py (found
# automatically since it is exported from sklearn_anon.kanonymity)
