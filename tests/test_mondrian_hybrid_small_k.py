"""MondrianAnonymizer ``cuts="hybrid"`` below k=20: the cheaper search (unscored
k-multiple cuts on the widest column for partitions of at least
``_HYBRID_PLAIN_ABOVE * k`` rows, the scored search below one level ahead, no
lookahead at k <= 2).  The released tables keep every guarantee; k >= 20 keeps
the search of before.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_anon import MondrianAnonymizer
from sklearn_anon.kanonymity import _cut_tree
from sklearn_anon.kanonymity._coding import make_coder
from sklearn_anon.metrics import k_anonymity, l_diversity

HIER = {"city": {"Lyon": ["South", "*"], "Nice": ["South", "*"], "Paris": ["North", "*"],
                 "Lille": ["North", "*"], "Brest": ["West", "*"]}}


def _table(n, n_values, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(20, 20 + n_values, n),
        "city": rng.choice(list(HIER["city"]), n),
        "score": rng.integers(0, n_values, n).astype(float),
        "note": np.arange(n),
    })


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 400), k=st.integers(1, 22), seed=st.integers(0, 10_000),
       n_values=st.integers(2, 40), plain=st.sampled_from([1, 2, 4, 16]),
       hier=st.booleans())
def test_property_small_k_search_keeps_k_order_and_routing(n, k, seed, n_values, plain, hier):
    """Whatever the size from which the unscored cuts take over: k-anonymous output,
    rows in order, every training row routed to its own region (also after pickling)."""
    k = min(k, n)
    df = _table(n, n_values, seed)
    qi = ["age", "city", "score"]
    anon = MondrianAnonymizer(k=k, quasi_identifiers=qi, cuts="hybrid",
                              hierarchies=HIER if hier else None)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_cut_tree, "_HYBRID_PLAIN_ABOVE", plain)
        mp.setattr(_cut_tree, "_HYBRID_TINY_PLAIN_ABOVE", plain)  # k <= 2
        out = anon.fit_transform(df)
    assert k_anonymity(out, qi) >= k
    assert out.index.equals(df.index)
    assert out["note"].tolist() == df["note"].tolist()
    assert anon.partition_sizes_.sum() == n and anon.partition_sizes_.min() >= k
    pd.testing.assert_frame_equal(anon.transform(df), out)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(anon)).transform(df), out)


@pytest.mark.parametrize("k, depth, lookahead, plain", [
    (1, 1, 0, 8), (2, 1, 0, 8), (3, 1, 3, 16), (9, 1, 3, 16),
    (10, 1, 3, 16), (19, 1, 3, 16), (20, 2, 3, None), (50, 2, 3, None)])
def test_configuration_by_k(k, depth, lookahead, plain):
    df = _table(50, 5, 0)
    coders = [make_coder(df[c], c, categorical=False) for c in ("age", "score")]
    codes = np.stack([cd.fit_codes(df[c]) for cd, c in zip(coders, ("age", "score"))])
    g = _cut_tree._Grower(codes, coders, k, None, 0, "k_multiple", True, "hybrid")
    assert (g.lookahead_depth, g.lookahead, g.plain_above) == (depth, lookahead, plain)
    g = _cut_tree._Grower(codes, coders, k, None, 0, "k_multiple", True, "lookahead")
    assert (g.lookahead_depth, g.plain_above) == (2, None)  # "lookahead" as before


@pytest.mark.parametrize("k", [2, 5, 10])
def test_scored_search_sees_no_large_partition(monkeypatch, k):
    """The scored search (the sibling post-pass's too) is asked about no partition of
    ``_HYBRID_PLAIN_ABOVE * k`` rows or more; those are cut all the same."""
    monkeypatch.setattr(_cut_tree, "_HYBRID_PLAIN_ABOVE", 4)
    monkeypatch.setattr(_cut_tree, "_HYBRID_TINY_PLAIN_ABOVE", 4)  # k <= 2
    seen = []
    score = _cut_tree._Grower._score_cuts

    def spy(self, size, offs, seg, rows, mn, mx, cand_p, want="best"):
        seen.append(int(np.max(size[cand_p], initial=0)))
        return score(self, size, offs, seg, rows, mn, mx, cand_p, want)

    monkeypatch.setattr(_cut_tree._Grower, "_score_cuts", spy)
    df = _table(600, 30, 1)
    qi = ["age", "city", "score"]
    anon = MondrianAnonymizer(k=k, quasi_identifiers=qi, cuts="hybrid")
    out = anon.fit_transform(df)
    assert k_anonymity(out, qi) >= k
    assert anon.partition_sizes_.max() < 4 * k  # the large partitions were cut
    assert seen and max(seen) < 4 * k


def test_small_k_with_l_diversity():
    df = _table(300, 8, 3)
    df["disease"] = np.random.default_rng(3).choice(["a", "b", "c", "d"], len(df))
    qi = ["age", "city", "score"]
    out = MondrianAnonymizer(k=3, l=2, quasi_identifiers=qi, sensitive="disease",
                             cuts="hybrid").fit_transform(df)
    assert k_anonymity(out, qi) >= 3 and l_diversity(out, qi, "disease") >= 2
