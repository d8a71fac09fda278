"""The median cut tree (``cuts="median"``) against a brute-force Mondrian (issue 16.5).

The grower works level by level on packed sort keys built from int32 codes
(gathered once per level, each partition's keys spanning its own code range).
A plain recursive strict Mondrian written here, one partition at a time
with Python sorts, must give the same regions on varied inputs: few and
many distinct values, missing values, unordered categories, and codes near
the int32 limit (a domain of 2**31 - 3 values); int32 and int64 codes must
give the same tree.
"""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_anon import MondrianAnonymizer
from sklearn_anon.kanonymity._coding import make_coder
from sklearn_anon.kanonymity._cut_tree import _normalized_span, _sort_keys, grow_tree


def _reference_regions(codes, coders, k):
    """Strict Mondrian, recursively: widest normalized span first, median cut
    ``code <= med`` or ``code < med`` (the more balanced allowed one first)."""
    d, n = codes.shape
    out = []

    def span_of(rows):
        c = codes[:, rows]
        mn, mx = c.min(axis=1), c.max(axis=1)
        distinct = {j: len(set(c[j].tolist())) for j, cd in enumerate(coders)
                    if cd.kind == "categorical" and cd.hierarchy is None and cd.n_values + 1 <= 62}
        return _normalized_span(coders, mn[None, :].astype(np.int64),
                                mx[None, :].astype(np.int64), distinct)[0]

    def cut(rows):
        size = len(rows)
        if size < 2 * k:
            return None
        span = span_of(rows)
        if span.max() <= 0:
            return None
        for j in np.argsort(-span, kind="stable"):
            if span[j] <= 0:
                continue
            c = sorted(int(v) for v in codes[j, rows])
            goal = size / 2
            med = c[max(math.ceil(goal) - 1, 0)]
            left = {thr: sum(v <= thr for v in c) for thr in (med, med - 1)}
            ok = {thr: thr >= 0 and left[thr] >= k and size - left[thr] >= k
                  for thr in (med, med - 1)}
            tries = ((med, med - 1) if abs(left[med] - goal) <= abs(left[med - 1] - goal)
                     else (med - 1, med))
            for thr in tries:
                if ok[thr]:
                    return j, thr
        return None

    stack = [np.arange(n)]
    while stack:
        rows = stack.pop()
        found = cut(rows)
        if found is None:
            out.append(frozenset(rows.tolist()))
            continue
        j, thr = found
        on_left = codes[j, rows] <= thr
        stack += [rows[on_left], rows[~on_left]]
    return set(out)


def _tree_regions(codes, coders, k):
    tree, perm, start, size = grow_tree(codes, coders, k)
    return tree, {frozenset(perm[a:a + b].tolist()) for a, b in zip(start, size)}


def _same_tree(t1, t2):
    for key in ("feature", "code", "left", "right", "leaf"):
        np.testing.assert_array_equal(t1[key], t2[key])
    np.testing.assert_array_equal(t1["threshold"], t2["threshold"])


@st.composite
def tables(draw):
    n = draw(st.integers(12, 160))
    n_cols = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    cols, cats = {}, []
    for i in range(n_cols):
        kind = draw(st.sampled_from(["few", "many", "float", "cat", "cat_many"]))
        if kind == "few":
            v = rng.integers(0, draw(st.integers(1, 6)), n).astype(float)
        elif kind == "many":  # (nearly) every value distinct, wide gaps
            v = rng.integers(-10**12, 10**12, n).astype(float)
        elif kind == "float":
            v = rng.lognormal(10, 2, n).round(draw(st.integers(0, 3)))
        elif kind == "cat":
            v = rng.choice([f"c{m}" for m in range(draw(st.integers(1, 5)))], n).astype(object)
        else:  # 40 categories: bit masks beyond 32 bits
            v = rng.choice([f"c{m:02d}" for m in range(40)], n).astype(object)
        if draw(st.booleans()):
            miss = rng.random(n) < 0.15
            v = v.astype(object) if kind.startswith("cat") else v
            v[miss] = None if kind.startswith("cat") else np.nan
        cols[f"x{i}"] = v
        if kind.startswith("cat"):
            cats.append(f"x{i}")
    return pd.DataFrame(cols), cats, draw(st.integers(1, 8))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_median_tree_matches_brute_force(table):
    df, cats, k = table
    coders, rows = [], []
    for name in df.columns:
        coder, codes = make_coder(df[name], name, categorical=name in cats, return_codes=True)
        coders.append(coder)
        rows.append(codes)
    codes64 = np.stack(rows).astype(np.int64)
    codes32 = codes64.astype(np.int32)
    expected = _reference_regions(codes64, coders, k)
    tree32, got32 = _tree_regions(codes32, coders, k)
    tree64, got64 = _tree_regions(codes64, coders, k)
    assert got32 == expected
    assert got64 == expected
    _same_tree(tree32, tree64)
    # the estimator: the same regions, each row written with its region's labels
    anon = MondrianAnonymizer(k=k, categorical=cats)
    out = anon.fit_transform(df)
    assert anon.n_partitions_ == len(expected)
    pd.testing.assert_frame_equal(out, anon.transform(df))


class _HugeDomain:
    """A categorical coder with a domain of ``n_values`` codes (nothing stored)."""

    kind = "categorical"
    hierarchy = None
    values = None

    def __init__(self, n_values):
        self.n_values = n_values
        self.missing_code = n_values

    def threshold(self, code):
        return np.asarray(code, dtype=np.float64) + 0.5


@settings(max_examples=40, deadline=None)
@given(n=st.integers(12, 200), d=st.integers(1, 3), k=st.integers(1, 6),
       seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([2, 50, 2**20, 2**31 - 4]))
def test_codes_near_the_int32_limit(n, d, k, seed, spread):
    rng = np.random.default_rng(seed)
    top = 2**31 - 3  # the largest domain whose codes (and missing code) fit int32
    codes64 = top - 1 - rng.integers(0, spread, (d, n))
    codes64 = np.clip(codes64, 0, top - 1)
    coders = [_HugeDomain(top) for _ in range(d)]
    codes32 = codes64.astype(np.int32)
    assert (codes32.astype(np.int64) == codes64).all()
    expected = _reference_regions(codes64, coders, k)
    tree32, got32 = _tree_regions(codes32, coders, k)
    tree64, got64 = _tree_regions(codes64, coders, k)
    assert got32 == expected == got64
    _same_tree(tree32, tree64)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 300), bits=st.integers(1, 62), seed=st.integers(0, 2**32 - 1))
def test_sort_keys_packed_or_not_is_a_stable_argsort(n, bits, seed):
    # keys of up to 62 bits: packed with their position when both fit 62 bits, else argsort
    rng = np.random.default_rng(seed)
    bound = 2**bits
    key = rng.integers(0, bound, n, dtype=np.int64)
    if n and rng.random() < 0.5:  # ties, and the largest key
        key[rng.integers(0, n, n // 2 + 1)] = bound - 1
    order, srt = _sort_keys(key.copy(), bound)
    expected = np.argsort(key, kind="stable")
    np.testing.assert_array_equal(order, expected)
    np.testing.assert_array_equal(srt, key[expected])


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_hierarchy_tree_same_with_int32_and_int64_codes(dtype):
    rng = np.random.default_rng(3)
    city = rng.choice(["Lyon", "Nice", "Paris", "Lille", "Brest"], 400)
    h = {"Lyon": ["South", "*"], "Nice": ["South", "*"], "Paris": ["North", "*"],
         "Lille": ["North", "*"], "Brest": ["West", "*"]}
    from sklearn_anon._hierarchy import load_hierarchy

    coder_c, cc = make_coder(pd.Series(city), "city", categorical=True,
                             hierarchy=load_hierarchy(h, name="city"), return_codes=True)
    coder_a, ca = make_coder(pd.Series(rng.integers(18, 90, 400)), "age", categorical=False,
                             return_codes=True)
    codes = np.stack([cc, ca])
    base_tree, base = _tree_regions(codes.astype(np.int64), [coder_c, coder_a], 5)
    tree, got = _tree_regions(codes.astype(dtype), [coder_c, coder_a], 5)
    assert got == base
    _same_tree(tree, base_tree)
