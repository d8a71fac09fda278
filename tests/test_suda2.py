"""SUDA2's recursive MSU search (method="suda2") against brute force and level-wise search."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_anon.metrics import minimal_sample_uniques, suda_scores
from sklearn_anon.metrics._suda import _qi_codes, _search, _search_suda2

# the brute-force reference (every subset enumerated) of the level-wise search's tests
from test_record_risk import _brute_msus  # noqa: E402

ADULT_QIS = ["sex", "age", "race", "marital-status", "education", "native-country",
             "workclass", "occupation"]


def _as_set(result):
    candidates, found, _ = result
    return {(int(candidates[p]), subset) for subset, pos in found for p in pos}


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
def test_suda2_matches_brute_force(frame, max_size):
    qis = list(frame.columns)
    max_size = min(max_size, len(qis))
    codes, cards, missing = _qi_codes(frame, qis)
    assert _as_set(_search_suda2(codes, cards, missing, max_size)) == _brute_msus(
        frame, qis, max_size)


def _random_table(rng):
    n, m = int(rng.integers(1, 200)), int(rng.integers(1, 9))
    cols = {}
    for j in range(m):
        values = rng.integers(0, int(rng.integers(1, 12)), n).astype(float)
        values[rng.random(n) < rng.uniform(0, 0.2)] = np.nan
        cols[f"q{j}"] = values
    return pd.DataFrame(cols)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_suda2_matches_levelwise_search_on_random_tables(seed):
    rng = np.random.default_rng(seed)
    frame = _random_table(rng)
    codes, cards, missing = _qi_codes(frame, list(frame.columns))
    m = codes.shape[1]
    for max_size in sorted({1, int(rng.integers(1, m + 1)), m}):
        old = _search(codes, cards, missing, max_size)
        new = _search_suda2(codes, cards, missing, max_size)
        np.testing.assert_array_equal(old[0], new[0])
        # the same MSUs, listed in the same order (by size, then columns)
        assert [s for s, _ in old[1]] == [s for s, _ in new[1]]
        for (_, a), (_, b) in zip(old[1], new[1]):
            np.testing.assert_array_equal(np.sort(a), np.sort(b))


def test_public_functions_give_the_same_results_with_either_method():
    rng = np.random.default_rng(7)
    X = pd.DataFrame({"a": rng.integers(0, 5, 300), "b": rng.integers(0, 3, 300),
                      "c": rng.choice(["x", "y", "z", None], 300), "d": rng.integers(0, 9, 300)},
                     index=np.arange(300) * 3)
    qis = ["a", "b", "c", "d"]
    pd.testing.assert_frame_equal(minimal_sample_uniques(X, qis),
                                  minimal_sample_uniques(X, qis, method="suda2"))
    for kwargs in ({}, {"contributions": True, "original_scores": False}, {"max_size": 2}):
        pd.testing.assert_frame_equal(suda_scores(X, qis, **kwargs),
                                      suda_scores(X, qis, method="suda2", **kwargs))


def test_unknown_method_is_refused():
    X = pd.DataFrame({"a": [1, 2, 2]})
    with pytest.raises(ValueError, match="method must be one of"):
        minimal_sample_uniques(X, ["a"], method="SUDA2")
    with pytest.raises(ValueError, match="method must be one of"):
        suda_scores(X, ["a"], method=None)


def test_suda2_on_adult_matches_levelwise(adult_dir):
    frame = pd.read_csv(adult_dir / "adult.csv", sep=";").head(3000)
    codes, cards, missing = _qi_codes(frame, ADULT_QIS)
    old = _search(codes, cards, missing, len(ADULT_QIS))
    new = _search_suda2(codes, cards, missing, len(ADULT_QIS))
    assert _as_set(old) == _as_set(new)
    assert new[2] < 2 ** len(ADULT_QIS) - 1  # fewer sub-problems than subsets
