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
