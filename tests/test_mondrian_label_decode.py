"""MondrianAnonymizer's categorical region labels: the bit sets of the regions'
codes decoded without a loop over the bits (``_mask_codes``) and one-word sets
keyed directly; the same labels as the reference decode."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_anon import MondrianAnonymizer
from sklearn_anon.kanonymity import _mondrian
from sklearn_anon.metrics import k_anonymity


def _reference(masks, m):
    """The codes of each row, one bit at a time (the decode of before)."""
    out = []
    for row in masks.tolist():
        present = []
        for w, mask in enumerate(row):
            while mask:
                low = mask & -mask
                present.append(w * 63 + low.bit_length() - 1)
                mask ^= low
        if present and present[-1] == m - 1:
            present.pop()
        out.append(present)
    return out


@settings(max_examples=60, deadline=None)
@given(m=st.integers(2, 4 * 63), n_rows=st.integers(0, 40), chunk=st.integers(1, 9),
       seed=st.integers(0, 10_000), density=st.floats(0.0, 1.0))
def test_property_mask_codes_match_bit_loop(m, n_rows, chunk, seed, density):
    rng = np.random.default_rng(seed)
    n_words = -(-m // 63)
    on = rng.random((n_rows, n_words * 63)) < density
    on[:, m:] = False  # no bit beyond the domain (and its missing code m - 1)
    masks = np.zeros((n_rows, n_words), dtype=np.int64)
    for w in range(n_words):
        for b in range(63):
            masks[:, w] |= on[:, w * 63 + b].astype(np.int64) << b
    codes, bounds = _mondrian._mask_codes(masks, m, chunk=chunk)
    got = [codes[bounds[i]:bounds[i + 1]] for i in range(n_rows)]
    assert got == _reference(masks, m)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(4, 300), k=st.integers(1, 6), n_values=st.integers(2, 200),
       seed=st.integers(0, 10_000), nan=st.booleans(), hier=st.booleans())
def test_property_category_labels_match_reference(n, k, n_values, seed, nan, hier):
    """Each region's label is its set of codes labelled by the coder (missing
    cells left out, a region of missing cells only suppressed), whatever the
    domain's size (one to four words), with and without a hierarchy."""
    rng = np.random.default_rng(seed)
    col = pd.Series([f"v{i}" for i in rng.integers(0, n_values, n)], dtype=object)
    if nan:
        col[rng.random(n) < 0.1] = np.nan
    df = pd.DataFrame({"c": col, "x": rng.integers(0, 5, n)})
    hierarchies = None
    if hier:
        hierarchies = {"c": {f"v{i}": [f"g{i // 7}", f"h{i // 28}", "*"]
                             for i in range(n_values)}}
    calls = []
    real = _mondrian._category_labels

    def spy(*args):
        out = real(*args)
        calls.append((args, out.copy()))  # the caller overwrites suppressed regions
        return out

    anon = MondrianAnonymizer(k=min(k, n), quasi_identifiers=["c", "x"], cuts="hybrid",
                              hierarchies=hierarchies)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_mondrian, "_category_labels", spy)
        out = anon.fit_transform(df)
    assert k_anonymity(out, ["c", "x"]) >= min(k, n)
    assert calls
    for (coder, cj, _, leaf_start, n_leaves), got in calls:
        ends = list(leaf_start[1:]) + [len(cj)]
        for i in range(n_leaves):
            present = sorted(set(cj[leaf_start[i]:ends[i]].tolist()) - {coder.missing_code})
            want = coder.set_label(present) if present else _mondrian.SUPPRESSED
            assert got[i] == want


@settings(max_examples=25, deadline=None)
@given(n_leaves=st.integers(1, 60), g1=st.integers(1, 9), g2=st.integers(1, 4),
       seed=st.integers(0, 10_000))
def test_property_hierarchy_codes_remembered_per_object(n_leaves, g1, g2, seed):
    """Coders of one Hierarchy object reuse its prepared codes: the same fields as
    a fresh preparation, each coder with its own copies."""
    from sklearn_anon import load_hierarchy
    from sklearn_anon.kanonymity import _coding

    rng = np.random.default_rng(seed)
    leaves = [f"v{i}" for i in rng.permutation(n_leaves)]
    h = load_hierarchy({v: [f"g{int(v[1:]) // g1}", f"h{int(v[1:]) // (g1 * g2)}", "*"]
                        for v in leaves}, name="c")
    col = pd.Series(rng.choice(leaves, 50), dtype=object)
    first, codes1 = _coding.make_coder(col, "c", categorical=True, hierarchy=h,
                                       return_codes=True)
    assert _coding._hierarchy_prep(h) is not None
    second, codes2 = _coding.make_coder(col, "c", categorical=True, hierarchy=h,
                                        return_codes=True)
    fresh = _coding.ColumnCoder("c", "categorical", hierarchy=h)
    fresh._prepare_hierarchy_codes()
    np.testing.assert_array_equal(codes1, codes2)
    for f in _coding._PREP_FIELDS + ("_table_to_code",):
        a, b = getattr(first, f), getattr(second, f)
        if f != "_table_to_code":
            c = getattr(fresh, f)
            for x, y in zip(a if isinstance(a, list) else [a], c if isinstance(c, list) else [c]):
                np.testing.assert_array_equal(x, y)
        for x, y in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
            np.testing.assert_array_equal(x, y)
            assert not np.shares_memory(x, y)
