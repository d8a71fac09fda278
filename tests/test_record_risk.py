"""Record-level risk like sdcMicro: individual risk (Benedetti-Franconi), SUDA
special uniques, population uniqueness (sklearn_anon.metrics._individual_risk,
_suda, _population)."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

import sklearn_anon
from sklearn_anon.metrics import (
    global_risk,
    individual_risk,
    minimal_sample_uniques,
    population_uniqueness,
    record_risk,
    suda_scores,
)
from sklearn_anon.metrics._individual_risk import _exact_risk, _risk_threshold
from sklearn_anon.metrics._suda import _qi_codes, _search

ADULT_QIS = ["sex", "age", "race", "marital-status", "education", "native-country",
             "workclass", "occupation"]


@pytest.fixture(scope="module")
def adult(adult_dir):
    return pd.read_csv(adult_dir / "adult.csv", sep=";")


# -- reference implementations: sdcMicro's R code, line for line ---------------------------
def _sdcmicro_indivrisk(fk, Fk, method="approx"):
    """R/indivRisk.R (survey = TRUE), one record at a time, as the R loop does."""
    fk = np.asarray(fk, dtype=float)
    Fk = np.asarray(Fk, dtype=float)
    pk = fk / Fk
    rk = np.zeros(len(fk))
    for k in range(len(fk)):
        f, p = fk[k], pk[k]
        if f == Fk[k]:
            continue
        if f > 2:
            if method == "approx":
                rk[k] = p / (f - (1 - p))
            else:  # the "exact" branch: A, B, BB as in the R code
                A = (p ** (1 - f) - 1) / (f - 1)

                def B(i):
                    return ((f - 1 - i) ** 2 / ((i + 1) * (f - 2 - i))
                            * (p ** (i + 2 - f) - 1) / (p ** (i + 1 - f) - 1))

                bb = 0.0
                for m in range(int(f) - 2):
                    b = 1.0
                    for m2 in range(m + 1):
                        b *= B(m2)
                    bb += (-1) ** (m + 1) * b
                rk[k] = (p / (1 - p)) ** f * (A * (1 + bb) + (-1) ** f * math.log(p))
        if f == 2:
            rk[k] = p / (1 - p) - (p / (1 - p)) ** 2 * math.log(1 / p)
        if f == 1:
            rk[k] = p / (1 - p) * math.log(1 / p)
    census = fk == Fk
    rk[census] = 1 / fk[census]
    return rk


def _sdcmicro_threshold(risk, global_risk_target):
    """src/Measure_Threshold.h, the C++ loop, on risks sorted decreasingly."""
    r = sorted(risk, reverse=True)
    n = len(r)
    er = global_risk_target * n
    sum_risk = sum(r)
    current = r[0]
    threshold = 0.0
    sum_freq = 0
    if sum_risk < er:
        threshold = current
    else:
        for risk_j in r:
            if risk_j != current:
                if sum_risk + risk_j * sum_freq < er:
                    threshold = risk_j
                    break
                current = risk_j
            sum_freq += 1
            sum_risk -= risk_j
    return None if current == threshold else threshold  # R: NA when unsafe == threshold


def _brute_msus(frame, qis, max_size):
    """Every MSU by enumeration of all subsets: {(row position, subset of positions)}."""
    codes, _, missing = _qi_codes(frame, qis)
    n, m = codes.shape

    def unique_on(cols):
        if not cols:
            return np.zeros(n, dtype=bool)  # an MSU has at least one column
        keys = [tuple(r) for r in codes[:, list(cols)]]
        counts = {}
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
        return np.array([counts[k] == 1 for k in keys]) & ~missing[:, list(cols)].any(axis=1)

    out = set()
    for size in range(1, max_size + 1):
        for cols in itertools.combinations(range(m), size):
            uniq = unique_on(cols)
            minimal = uniq.copy()
            for drop in range(size):
                minimal &= ~unique_on(cols[:drop] + cols[drop + 1:])
            out |= {(int(r), cols) for r in np.flatnonzero(minimal)}
    return out


def _our_msus(frame, qis, max_size):
    codes, cards, missing = _qi_codes(frame, qis)
    candidates, found, _ = _search(codes, cards, missing, max_size)
    return {(int(candidates[p]), subset) for subset, pos in found for p in pos}


# -- individual risk --------------------------------------------------------------------------
def test_individual_risk_matches_sdcmicro_formulas():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.integers(0, 4, 300), "b": rng.integers(0, 3, 300),
                      "w": rng.uniform(1, 60, 300)})
    X.loc[:9, "w"] = 1.0  # a few keys whose whole population is sampled
    res = individual_risk(X, ["a", "b"], "w")
    by_hand_f = X.groupby(["a", "b"])["w"].transform("size").to_numpy()
    by_hand_F = X.groupby(["a", "b"])["w"].transform("sum").to_numpy()
    assert res["fk"].tolist() == by_hand_f.tolist()
    np.testing.assert_allclose(res["Fk"], by_hand_F)
    np.testing.assert_allclose(res["risk"], _sdcmicro_indivrisk(by_hand_f, by_hand_F), rtol=1e-12)


def test_individual_risk_small_f_and_census_cases():
    # fk = 1, 2 and 3 with known weights, and a key entirely in the sample (fk == Fk)
    X = pd.DataFrame({"k": ["a", "b", "b", "c", "c", "c", "d"],
                      "w": [4.0, 5.0, 5.0, 10.0, 10.0, 10.0, 1.0]})
    r = individual_risk(X, "k", "w")["risk"].to_numpy()
    p1, p2, p3 = 1 / 4, 2 / 10, 3 / 30
    assert r[0] == pytest.approx(p1 / (1 - p1) * math.log(1 / p1))
    assert r[1] == pytest.approx(p2 / (1 - p2) - (p2 / (1 - p2)) ** 2 * math.log(1 / p2))
    assert r[3] == pytest.approx(p3 / (3 - (1 - p3)))
    assert r[6] == 1.0
    # without weights: the table is the population, risk = 1 / fk
    assert individual_risk(X, "k")["risk"].tolist() == pytest.approx(record_risk(X, "k").tolist())


@pytest.mark.parametrize("f", [3, 4, 5, 6, 8])
@pytest.mark.parametrize("p", [0.05, 0.3, 0.7])
def test_exact_risk_matches_sdcmicro_exact_series(f, p):
    ours = _exact_risk(np.array([f]), np.array([p]))[0]
    assert ours == pytest.approx(_sdcmicro_indivrisk([f], [f / p], method="exact")[0], rel=1e-7)


def test_exact_risk_is_the_negative_binomial_expectation():
    # E[1/F | f] for F - f ~ NegBin(f, p), summed term by term
    for f, p in [(1, 0.3), (2, 0.05), (7, 0.01), (50, 0.2), (1000, 0.9)]:
        h = np.arange(f, f + 400_000)
        logp = gammaln(h) - gammaln(f) - gammaln(h - f + 1) + f * np.log(p) + (h - f) * np.log1p(-p)
        assert _exact_risk(np.array([f]), np.array([p]))[0] == pytest.approx(
            np.sum(np.exp(logp) / h), rel=1e-9)


def test_approx_is_close_to_exact_for_large_f():
    X = pd.DataFrame({"k": ["a"] * 40 + ["b"] * 12, "w": [25.0] * 40 + [3.0] * 12})
    approx = individual_risk(X, "k", "w")["risk"].to_numpy()
    exact = individual_risk(X, "k", "w", method="exact")["risk"].to_numpy()
    np.testing.assert_allclose(approx, exact, rtol=0.05)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=40),
       st.floats(0.001, 0.999))
def test_threshold_matches_sdcmicro_loop(risk, target):
    risk = np.round(np.array(risk), 2)  # ties, as in real risk vectors
    # Where a candidate's expected re-identifications equal the target exactly
    # (e.g. 0.11 + 6 * 0.11 = 0.77 = 0.07 * 11), the strict "<" is decided by
    # float rounding, which differs between sdcMicro's running subtraction and
    # a cumulative sum: such ties are left out (exact arithmetic below).
    r = sorted((Fraction(str(v)) for v in risk), reverse=True)
    goal = Fraction(target) * len(r)
    rest = sum(r)
    for j, v in enumerate(r):
        assume(abs(float(rest + v * j - goal)) > 1e-9)
        rest -= v
    assume(abs(float(sum(r) - goal)) > 1e-9)
    assert _risk_threshold(risk, target) == _sdcmicro_threshold(list(risk), target)


def test_threshold_at_an_exact_tie_is_not_below():
    # 0.11 + 6 * 0.11 = 0.77 is not below 0.07 * 11: the threshold moves on
    # to the next value (0.0), as in exact arithmetic
    risk = np.array([0, 0, 0, 0, 1, 1, 1, 0.5, 0.25, 0.31, 0.11])
    assert _risk_threshold(risk, 0.07) == 0.0


def test_global_risk_is_the_sum_of_individual_risks():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"a": rng.integers(0, 6, 500), "b": rng.integers(0, 5, 500)})
    w = rng.uniform(1, 20, 500)
    res = global_risk(X, ["a", "b"], w, max_global_risk=0.05)
    ind = individual_risk(X, ["a", "b"], w)["risk"]
    assert res["expected_reidentifications"] == pytest.approx(ind.sum())
    assert res["risk"] == pytest.approx(ind.mean())
    assert res["risk_pct"] == pytest.approx(100 * ind.mean())
    assert res["threshold"] == _sdcmicro_threshold(list(ind), 0.05)


def test_individual_risk_errors_name_no_value():
    X = pd.DataFrame({"k": ["secret-a", "secret-b"], "w": [0.5, 3.0]})
    with pytest.raises(ValueError, match="below 1") as exc:
        individual_risk(X, "k", "w")
    assert "secret" not in str(exc.value)
    with pytest.raises(ValueError, match="2 rows"):
        individual_risk(X, "k", [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="not in the table"):
        individual_risk(X, "k", "weight")
    with pytest.raises(ValueError, match="method"):
        individual_risk(X, "k", method="fast")
    with pytest.raises(ValueError, match="max_global_risk"):
        global_risk(X, "k", max_global_risk=1.0)
    with pytest.raises(ValueError, match="missing or infinite"):
        individual_risk(X, "k", [1.0, np.nan])


# -- SUDA ---------------------------------------------------------------------------------------
@st.composite
def small_tables(draw):
    m = draw(st.integers(1, 5))
    n = draw(st.integers(1, 25))
    cols = {}
    for j in range(m):
        card = draw(st.integers(1, 4))
        values = draw(st.lists(st.integers(0, card - 1) | st.none(), min_size=n, max_size=n))
        cols[f"q{j}"] = pd.Series([np.nan if v is None else float(v) for v in values])
    return pd.DataFrame(cols)


@settings(max_examples=150, deadline=None)
@given(small_tables(), st.integers(1, 5))
def test_msus_match_brute_force(frame, max_size):
    qis = list(frame.columns)
    max_size = min(max_size, len(qis))
    assert _our_msus(frame, qis, max_size) == _brute_msus(frame, qis, max_size)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_msus_match_brute_force_wider_tables(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(20, 120)), int(rng.integers(4, 8))
    frame = pd.DataFrame({f"q{j}": rng.integers(0, int(rng.integers(2, 6)), n) for j in range(m)})
    assert _our_msus(frame, list(frame.columns), m) == _brute_msus(frame, list(frame.columns), m)


def test_msus_of_a_hand_table():
    X = pd.DataFrame({"age": [30, 30, 30, 41], "sex": ["F", "M", "F", "F"],
                      "zip": ["750", "750", "751", "751"]}, index=list("wxyz"))
    msus = minimal_sample_uniques(X, ["age", "sex", "zip"])
    assert list(zip(msus["row"], msus["columns"])) == [
        ("w", ("sex", "zip")), ("x", ("sex",)), ("y", ("age", "zip")), ("z", ("age",))]
    assert minimal_sample_uniques(X, ["age", "sex", "zip"], max_size=1)["row"].tolist() == ["x", "z"]
    none = minimal_sample_uniques(pd.DataFrame({"a": [1, 1]}), "a")
    assert len(none) == 0 and list(none.columns) == ["row", "size", "columns"]


def test_missing_value_is_never_part_of_an_msu():
    X = pd.DataFrame({"a": [1.0, 1.0, np.nan], "b": [2.0, 3.0, 3.0]})
    msus = minimal_sample_uniques(X, ["a", "b"])
    assert all("a" not in cols for row, cols in zip(msus["row"], msus["columns"]) if row == 2)


def _scores_by_hand(frame, qis, dis_fraction=0.01):
    """sdcMicro's scoring from the brute-force MSUs (Suda2.h, original_scores)."""
    m = max(len(qis), 3)
    msus = _brute_msus(frame, qis, len(qis))
    score = np.zeros(len(frame))
    for row, cols in msus:
        score[row] += math.factorial(m - len(cols))
    sizes = frame.groupby(qis, dropna=False)[qis[0]].transform("size").to_numpy()
    u, d = np.sum(sizes == 1), np.sum(sizes == 2)
    p = dis_fraction
    dis_total = u * p / (u * p + d * (1 - p))
    q = 1 + (8 - m) / 20
    adj = sum(1 / s ** q for s in score if s)
    dis = np.array([1 / (1 + (u / dis_total - u) / (s ** q * adj)) if s else 0.0 for s in score])
    return score, dis


def test_suda_scores_match_sdcmicro_scoring_on_random_tables():
    rng = np.random.default_rng(5)
    for _ in range(5):
        frame = pd.DataFrame({f"q{j}": rng.integers(0, 3, 60) for j in range(5)})
        qis = list(frame.columns)
        res = suda_scores(frame, qis, dis_fraction=0.1)
        score, dis = _scores_by_hand(frame, qis, dis_fraction=0.1)
        np.testing.assert_allclose(res["score"], score)
        np.testing.assert_allclose(res["dis_score"], dis, rtol=1e-12)
        assert ((res["score"] > 0) == (res["n_msu"] > 0)).all()


def test_suda_weights_contributions_and_options():
    X = pd.DataFrame({"age": [30, 30, 30, 41], "sex": ["F", "M", "F", "F"],
                      "zip": ["750", "750", "751", "751"]})
    res = suda_scores(X, ["age", "sex", "zip"], contributions=True)
    # M = 3: an MSU of size 1 weighs 2! = 2, of size 2 weighs 1! = 1
    assert res["score"].tolist() == [1.0, 2.0, 1.0, 2.0]
    assert res["min_msu_size"].tolist() == [2, 1, 2, 1]
    assert res.loc[0, ["age_contribution", "sex_contribution", "zip_contribution"]].tolist() == [0, 1, 1]
    assert res.loc[1, "sex_contribution"] == 1.0
    # IHSN weights: (2^(M-s) - 1) s! (M-s)! / M!
    ihsn = suda_scores(X, ["age", "sex", "zip"], original_scores=False)
    assert ihsn.loc[1, "score"] == pytest.approx(3 * 1 * 2 / 6)
    assert ihsn.loc[0, "score"] == pytest.approx(1 * 2 * 1 / 6)
    lower = suda_scores(X, ["age", "sex", "zip"], max_size=1)
    assert lower["score"].tolist() == [0.0, 2.0, 0.0, 2.0]
    with pytest.raises(ValueError, match="dis_fraction"):
        suda_scores(X, ["age"], dis_fraction=0)
    with pytest.raises(ValueError, match="max_size"):
        suda_scores(X, ["age"], max_size=0)


def test_suda_search_prunes_on_adult(adult):
    frame = adult.head(3000)
    codes, cards, missing = _qi_codes(frame, ADULT_QIS)
    candidates, found, examined = _search(codes, cards, missing, len(ADULT_QIS))
    assert examined < 2 ** len(ADULT_QIS) - 1  # not every subset was counted
    res = suda_scores(frame, ADULT_QIS)
    assert (res["score"] > 0).sum() == len(candidates)
    assert res["dis_score"].between(0, 1).all()


# -- population uniqueness ----------------------------------------------------------------------
def _pitman_population(n, theta, alpha, rng):
    """A population of n people drawn from the Pitman (Chinese restaurant) process."""
    labels = np.empty(n, dtype=np.int64)
    sizes = []
    for i in range(n):
        k = len(sizes)
        if rng.random() < (theta + k * alpha) / (theta + i) or i == 0:
            sizes.append(1)
            labels[i] = k
        else:
            w = np.asarray(sizes, dtype=float) - alpha
            j = int(np.searchsorted(np.cumsum(w), rng.random() * w.sum()))
            sizes[j] += 1
            labels[i] = j
    return labels


def test_pitman_recovers_a_pitman_population():
    rng = np.random.default_rng(7)
    labels = _pitman_population(20_000, 300.0, 0.6, rng)
    population = pd.DataFrame({"key": labels})
    true = float(np.mean(population.groupby("key")["key"].transform("size") == 1))
    sample = population.sample(frac=0.1, random_state=1)
    est = population_uniqueness(sample, "key", sampling_fraction=0.1)
    assert est["parameters"]["alpha"] == pytest.approx(0.6, abs=0.1)
    assert est["population_uniqueness"] == pytest.approx(true, rel=0.25)


def test_population_uniqueness_on_adult_as_the_population(adult):
    qis = ADULT_QIS
    true = float(np.mean(adult.groupby(qis, dropna=False)[qis[0]].transform("size") == 1))
    sample = adult.sample(frac=0.1, random_state=3)
    pitman = population_uniqueness(sample, qis, sampling_fraction=0.1)
    zayatz = population_uniqueness(sample, qis, population_size=len(adult), method="zayatz")
    # far closer to the truth than the sample's own uniqueness
    assert abs(pitman["population_uniqueness"] - true) < 0.1
    assert abs(pitman["population_uniqueness"] - true) < abs(pitman["sample_uniqueness"] - true) / 3
    assert abs(zayatz["population_uniqueness"] - true) < abs(zayatz["sample_uniqueness"] - true)


def test_population_uniqueness_edges_and_errors():
    X = pd.DataFrame({"a": [1, 1, 2, 2]})
    res = population_uniqueness(X, "a", sampling_fraction=0.5)
    assert res["population_uniques"] == 0.0 and res["sample_uniques"] == 0
    with pytest.warns(UserWarning, match="every sample record is unique"):
        res = population_uniqueness(pd.DataFrame({"a": [1, 2, 3]}), "a", sampling_fraction=0.1)
    assert math.isnan(res["population_uniqueness"])
    with pytest.raises(ValueError, match="exactly one"):
        population_uniqueness(X, "a")
    with pytest.raises(ValueError, match="population_size"):
        population_uniqueness(X, "a", population_size=3)
    with pytest.raises(ValueError, match="sampling_fraction"):
        population_uniqueness(X, "a", sampling_fraction=1.5)
    with pytest.raises(ValueError, match="method"):
        population_uniqueness(X, "a", sampling_fraction=0.5, method="snb")


def test_public_names():
    for name in ("individual_risk", "global_risk", "minimal_sample_uniques", "suda_scores",
                 "population_uniqueness"):
        assert getattr(sklearn_anon, name) is getattr(sklearn_anon.metrics, name)


# -- PrivacyReport ------------------------------------------------------------------------------
def _report_tables():
    rng = np.random.default_rng(11)
    raw = pd.DataFrame({"age": rng.integers(20, 70, 400), "sex": rng.choice(["F", "M"], 400),
                        "zip": rng.choice(["750", "751", "752", "753"], 400),
                        "w": rng.uniform(5, 50, 400)})
    anon = raw.assign(age=(raw["age"] // 10 * 10).map(lambda a: f"[{a}, {a + 10})"), zip="*")
    return raw, anon


def test_report_has_no_record_section_unless_asked():
    from sklearn_anon.metrics import PrivacyReport

    raw, anon = _report_tables()
    rep = PrivacyReport(raw, anon, ["age", "sex", "zip"], k=2)
    assert rep.results_["record_risk"] is None
    assert "Record-level risk" not in rep.to_markdown()
    assert "record-risk" not in rep.to_html(plots=False)


def test_report_record_section_matches_the_functions():
    from sklearn_anon.metrics import PrivacyReport

    raw, anon = _report_tables()
    qis = ["age", "sex", "zip"]
    rep = PrivacyReport(raw, anon, qis, k=2, weights="w", suda=True, max_global_risk=0.5)
    rec = rep.results_["record_risk"]
    assert rec["sampling_fraction"] == pytest.approx(400 / raw["w"].sum())
    for name, frame in (("original", raw), ("anonymized", anon)):
        g = global_risk(frame, qis, raw["w"].to_numpy(), max_global_risk=0.5)
        assert rec[name]["global_risk"] == pytest.approx(g["risk"])
        assert rec[name]["expected_reidentifications"] == pytest.approx(g["expected_reidentifications"])
        assert rec[name]["risk_threshold"] == g["threshold"]
        pop = population_uniqueness(frame, qis, sampling_fraction=rec["sampling_fraction"])
        assert rec[name]["population_uniqueness"] == pytest.approx(pop["population_uniqueness"])
        s = suda_scores(frame, qis, dis_fraction=rec["sampling_fraction"])
        assert rec[name]["special_uniques"] == pytest.approx(np.mean(s["n_msu"] > 0))
        assert rec[name]["dis_suda_max"] == pytest.approx(s["dis_score"].max())
    assert rec["anonymized"]["global_risk"] < rec["original"]["global_risk"]
    assert any(r["measure"] == "global_risk" and r["passed"] for r in rep.requirements_)
    md = rep.to_markdown()
    assert "## Record-level risk" in md and "DIS-SUDA score, highest" in md
    assert 'id="record-risk"' in rep.to_html(plots=False)
    import json

    json.dumps(rep.to_dict())  # plain types
    strict = PrivacyReport(raw, anon, qis, k=2, max_global_risk=0.001)
    assert not strict.sufficient_
    assert any("global risk" in reason for reason in strict.results_["verdict"]["reasons"])
    assert strict.results_["record_risk"]["weights"] is False
    assert "population_uniqueness" not in strict.results_["record_risk"]["original"]


def test_report_record_options_are_checked():
    from sklearn_anon.metrics import PrivacyReport

    raw, anon = _report_tables()
    for kwargs, match in (({"sampling_fraction": 0}, "sampling_fraction"),
                          ({"suda": 0}, "suda"), ({"suda": "yes"}, "suda"),
                          ({"max_global_risk": 1}, "max_global_risk"),
                          ({"weights": "nope"}, "not in the table")):
        with pytest.raises(ValueError, match=match):
            PrivacyReport(raw, anon, ["age", "sex"], k=2, **kwargs)


@pytest.mark.parametrize("fraction, arx_pitman, arx_zayatz", [
    (0.05, 0.4686, 0.7679), (0.1, 0.4634, 0.6394), (0.3, 0.4776, 0.5025)])
def test_population_uniqueness_agrees_with_arx(adult, fraction, arx_pitman, arx_zayatz):
    # ARX 3.9's RiskModelPopulationUniqueness on the same samples (benchmarks/bench_record_risk.py,
    # benchmarks/arx/RiskDriver.java), recorded to 4 digits
    sample = adult.sample(frac=fraction, random_state=0)
    pitman = population_uniqueness(sample, ADULT_QIS, sampling_fraction=fraction)
    zayatz = population_uniqueness(sample, ADULT_QIS, sampling_fraction=fraction, method="zayatz")
    assert pitman["population_uniqueness"] == pytest.approx(arx_pitman, abs=1e-4)
    assert zayatz["population_uniqueness"] == pytest.approx(arx_zayatz, abs=1e-4)


def test_weights_forms():
    X = pd.DataFrame({"k": ["a", "a", "b"], "w": pd.array([2.0, 3.0, 4.0], dtype="Float64")})
    by_name = individual_risk(X, "k", "w")
    assert by_name["Fk"].tolist() == [5.0, 5.0, 4.0]
    by_series = individual_risk(X, "k", pd.Series([2.0, 3.0, 4.0], index=[9, 8, 7]))  # positional
    assert by_series["Fk"].tolist() == [5.0, 5.0, 4.0]
    with pytest.raises(ValueError, match="numbers"):
        individual_risk(X.assign(w=["x", "y", "z"]), "k", "w")
    with pytest.raises(ValueError, match="missing or infinite"):
        individual_risk(X.assign(w=pd.array([2.0, None, 4.0], dtype="Float64")), "k", "w")
    with pytest.raises(ValueError, match="both the weight"):
        individual_risk(X, ["k", "w"], "w")
