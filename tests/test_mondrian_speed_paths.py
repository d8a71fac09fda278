"""Speed paths of MondrianAnonymizer: region labels of categorical columns from bit
sets (up to 63 * _LABEL_WORDS codes, no loop over the regions) equal the per-region
labels; hierarchy files remembered across fits are read again once changed."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_anon import MondrianAnonymizer
from sklearn_anon._hierarchy import Hierarchy
from sklearn_anon.kanonymity import _mondrian
from sklearn_anon.kanonymity._coding import make_coder


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_cats=st.integers(1, 300), n_rows=st.integers(1, 400), n_regions=st.integers(1, 40),
       missing=st.booleans(), hier=st.booleans(), seed=st.integers(0, 10_000))
def test_bit_set_labels_match_the_per_region_labels(n_cats, n_rows, n_regions, missing, hier,
                                                    seed):
    rng = np.random.default_rng(seed)
    cats = [f"c{i}" for i in range(n_cats)]
    values = np.asarray(cats, dtype=object)[rng.integers(0, n_cats, n_rows)]
    if missing:
        values[rng.random(n_rows) < 0.2] = None
    column = pd.Series(values, dtype=object)
    hierarchy = None
    if hier:  # two levels of groups above the leaves
        table = [[c, f"g{i // 7}", f"h{i // 28}", "*"] for i, c in enumerate(cats)]
        hierarchy = Hierarchy(np.asarray(table, dtype=object))
    coder, codes = make_coder(column, "x", categorical=True, hierarchy=hierarchy,
                              return_codes=True)
    n_regions = min(n_regions, n_rows)
    cuts = np.sort(rng.choice(np.arange(1, n_rows), n_regions - 1, replace=False)) \
        if n_regions > 1 else np.zeros(0, dtype=np.int64)
    leaf_start = np.r_[0, cuts].astype(np.int64)
    leaf_size = np.diff(np.r_[leaf_start, n_rows])
    leaf_of_pos = np.repeat(np.arange(n_regions), leaf_size)
    cj = np.asarray(codes)[rng.permutation(n_rows)]
    bits = _mondrian._category_labels(coder, cj, leaf_of_pos, leaf_start, n_regions)
    pairs = _mondrian._category_labels_pairs(coder, cj, leaf_of_pos, n_regions)
    assert list(bits) == list(pairs)


def test_hierarchy_file_read_again_once_changed(tmp_path):
    df = pd.DataFrame({"c": ["a", "b", "c", "d"] * 5, "x": np.arange(20) % 3})
    path = tmp_path / "h.csv"
    path.write_text("a;ab;*\nb;ab;*\nc;cd;*\nd;cd;*\n")
    est = MondrianAnonymizer(k=10, quasi_identifiers=["c"], hierarchies={"c": str(path)})
    first = set(est.fit_transform(df)["c"])
    again = set(est.fit_transform(df)["c"])
    path.write_text("a;ABX;*\nb;ABX;*\nc;CDX;*\nd;CDX;*\n")  # other labels, other size
    changed = set(est.fit_transform(df)["c"])
    assert first == again == {"ab", "cd"}
    assert changed == {"ABX", "CDX"}
