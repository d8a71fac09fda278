"""Matching released records to auxiliary records over generalized values.

The engine behind :func:`~sklearn_anon.metrics.linkage_attack` and
:func:`~sklearn_anon.metrics.journalist_risk` /
:func:`~sklearn_anon.metrics.marketer_risk` with a population:
:func:`match_records` and :func:`compatible_counts` count, for each released
record, the auxiliary records it could be.  Released labels are read with
the grammar of :mod:`sklearn_anon._labels`.

Matching generalized values
---------------------------
A released cell matches an auxiliary cell when it *covers* it:

* the same value (numbers compare by value: ``39``, ``39.0`` and ``"39"``);
* an interval string ``"[35, 45)"``, ``"(35, 45]"``, ``"[35, 45]"``,
  ``"< 30"``, ``"<= 30"``, ``"> 60"``, ``">= 60"`` covers the numbers (or
  dates, for a datetime column) it contains;
* a set string ``"{A, B}"`` covers each of its members;
* ``"*"`` and a missing value (the suppression markers) cover anything;
* with a hierarchy for the column, a node label (``"35-39"``,
  ``"Higher education"``) covers every leaf under it.

The matching works on distinct values per column and combines columns with
bitsets over the auxiliary rows (or a hash join when every released value
matches at most one auxiliary value), so no Python loop runs over rows.

Custom labels
-------------
Labels such as ``"Middle"``, ``"<25k"``, ``"OTHER"``, an age band ``"35-44"``
of a birth date or a ZIP3 ``"021"`` of a numeric ZIP say nothing by
themselves about the values they cover.  A realistic attacker knows the
(public) generalization scheme: give the fitted anonymizer
(``anonymizer=``) and the auxiliary table is generalized with it, then
joined to the release on equal generalized values (one vectorized join),
whatever the label style.  Without it, a released string that matches no
auxiliary value and has none of the forms above is *unread*; its column is
reported (``uninterpreted_columns``, a ``UserWarning``) and, by default,
left out of the matching when the auxiliary column is numeric or datetime
(there a label cannot be a raw value), so that the figures are a lower
bound rather than a silent "no match"; see ``unread`` in
:func:`~sklearn_anon.metrics.linkage_attack`.
"""

import warnings

import numpy as np
import pandas as pd

from .. import _text
from .._hierarchy import load_hierarchy
from .._labels import SET_RE, parse_intervals, parse_sets, to_number
from ..base import SUPPRESSED
from ._anonymizer import generalize_with
from ._tables import class_codes, combine_codes

__all__ = []

# bound of one chunk of dense work (booleans or uint64 words)
_CHUNK_CELLS = 1 << 23


# -- compatible distinct values of one column ------------------------------------------


def _kind_of(series):
    """'numeric', 'datetime' or 'other' for a column."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "other"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "other"


def _aux_numbers(values, kind):
    """Float value of auxiliary distinct values (NaN for missing/non-numbers)."""
    if kind == "datetime":
        return to_number(values, kind)
    out = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.array(out, dtype=np.float64)


def _expand_ranges(starts, lengths):
    """Concatenation of ``arange(s, s + l)`` for each pair, vectorized."""
    lengths = np.maximum(lengths, 0)
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total)


def _exact_pairs(rel_keys, rel_pos, aux_keys):
    """Pairs (released position, aux position) whose keys are equal (NaN never)."""
    try:
        return _merge_pairs(rel_keys, rel_pos, aux_keys)
    except UnicodeError:
        # a key pandas cannot store as Arrow text (a lone surrogate; pandas' merge
        # re-infers its str dtype even from object keys): merge on joint codes
        rel_keys = np.asarray(rel_keys, dtype=object)
        codes, _ = _text.factorize(np.concatenate([rel_keys, np.asarray(aux_keys, dtype=object)]))
        codes = np.where(codes < 0, np.nan, codes.astype(np.float64))
        return _merge_pairs(codes[: len(rel_keys)], rel_pos, codes[len(rel_keys):])


def _merge_pairs(rel_keys, rel_pos, aux_keys):
    left = pd.DataFrame({"key": rel_keys, "r": rel_pos})
    right = pd.DataFrame({"key": aux_keys, "a": np.arange(len(aux_keys))})
    left = left[left["key"].notna()]
    right = right[right["key"].notna()]
    if left.empty or right.empty:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    if left["key"].dtype != right["key"].dtype:
        left = left.astype({"key": object})
        right = right.astype({"key": object})
    merged = left.merge(right, on="key", how="inner")
    return merged["r"].to_numpy(dtype=np.int64), merged["a"].to_numpy(dtype=np.int64)


def _as_text(values):
    """String form of values (numbers written without a trailing ``.0``)."""
    out = []
    for v in values:  # distinct values only
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return np.asarray(out, dtype=object)


def column_pairs(rel_values, aux_values, kind, hierarchy=None):
    """Compatible pairs between distinct released and distinct auxiliary values.

    Parameters
    ----------
    rel_values : array-like
        Distinct released values (may be generalized; NaN allowed).
    aux_values : array-like
        Distinct auxiliary values.
    kind : {"numeric", "datetime", "other"}
        Kind of the auxiliary column.
    hierarchy : Hierarchy or None
        Optional hierarchy of the column.

    Returns
    -------
    r, a : ndarray of int64
        Positions in ``rel_values`` and ``aux_values`` of each compatible pair
        (no duplicates).
    """
    rel = pd.Series(np.asarray(rel_values, dtype=object), dtype=object)
    aux = pd.Series(np.asarray(aux_values, dtype=object), dtype=object)
    n_r, n_a = len(rel), len(aux)
    rs, as_ = [], []
    if n_r == 0 or n_a == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)

    missing = rel.isna().to_numpy()
    is_str = np.fromiter((isinstance(v, str) for v in rel), dtype=bool, count=n_r)
    text = pd.Series(np.where(is_str, rel.to_numpy(), ""), dtype=object)
    wildcard = missing | (is_str & (text.str.strip() == SUPPRESSED).to_numpy())
    if wildcard.any():
        w = np.flatnonzero(wildcard)
        rs.append(np.repeat(w, n_a))
        as_.append(np.tile(np.arange(n_a), len(w)))

    positions = np.arange(n_r)
    aux_text = _as_text(aux.to_numpy())
    rel_text = _as_text(rel.to_numpy())
    # the same value (as text, e.g. already generalized auxiliary values)
    r, a = _exact_pairs(np.where(missing, None, rel_text), positions, np.where(aux.isna(), None, aux_text))
    rs.append(r)
    as_.append(a)

    if kind in ("numeric", "datetime"):
        aux_num = _aux_numbers(aux.to_numpy(), kind)
        # the same number (39 == 39.0 == "39")
        if kind == "numeric":
            rel_num = to_number(rel_text, kind)
        else:
            rel_num = _aux_numbers(rel.to_numpy(), kind)
        rel_num[missing] = np.nan
        r, a = _exact_pairs(rel_num, positions, aux_num)
        rs.append(r)
        as_.append(a)
        # intervals
        cand = np.flatnonzero(is_str & ~wildcard)
        if cand.size:
            lo, hi, lo_c, hi_c, ok = parse_intervals(text.iloc[cand], kind)
            if ok.any():
                cand, lo, hi, lo_c, hi_c = cand[ok], lo[ok], hi[ok], lo_c[ok], hi_c[ok]
                valid = np.flatnonzero(~np.isnan(aux_num))
                order = valid[np.argsort(aux_num[valid], kind="stable")]
                sorted_vals = aux_num[order]
                start = np.where(
                    lo_c,
                    np.searchsorted(sorted_vals, lo, side="left"),
                    np.searchsorted(sorted_vals, lo, side="right"),
                )
                stop = np.where(
                    hi_c,
                    np.searchsorted(sorted_vals, hi, side="right"),
                    np.searchsorted(sorted_vals, hi, side="left"),
                )
                lengths = np.maximum(stop - start, 0)
                rs.append(np.repeat(cand, lengths))
                as_.append(order[_expand_ranges(start, lengths)])

    # sets of values
    sets = parse_sets(text.where(is_str & ~wildcard, ""))
    if not sets.empty:
        members = sets["member"].to_numpy(dtype=object)
        r, a = _exact_pairs(members, sets["pos"].to_numpy(), np.where(aux.isna(), None, aux_text))
        rs.append(r)
        as_.append(a)
        if kind in ("numeric", "datetime"):
            member_num = to_number(members, kind)
            r, a = _exact_pairs(member_num, sets["pos"].to_numpy(), aux_num)
            rs.append(r)
            as_.append(a)

    # hierarchy nodes
    if hierarchy is not None:
        leaf_of_aux = hierarchy.leaf_codes(aux)
        levels = range(1, hierarchy.n_levels)
        nodes = np.concatenate([hierarchy.level_labels(lev) for lev in levels]) if len(levels) else np.empty(0, dtype=object)
        leaves = np.tile(np.arange(len(hierarchy)), len(levels))
        # nodes and released values matched on integer codes (text pandas' merge
        # cannot re-infer as Arrow, a lone surrogate, then joins too)
        node_codes, node_uni = _text.factorize(nodes.astype(str).astype(object))
        node_pairs = pd.DataFrame({"node": node_codes, "leaf": leaves}).drop_duplicates()
        rel_node = _text.object_index(node_uni).get_indexer(_text.object_index(rel_text))
        rel_frame = pd.DataFrame({"node": rel_node, "r": positions})[is_str & ~wildcard & (rel_node >= 0)]
        aux_frame = pd.DataFrame({"leaf": leaf_of_aux, "a": np.arange(n_a)})
        aux_frame = aux_frame[aux_frame["leaf"] >= 0]
        merged = rel_frame.merge(node_pairs, on="node").merge(aux_frame, on="leaf")
        rs.append(merged["r"].to_numpy(dtype=np.int64))
        as_.append(merged["a"].to_numpy(dtype=np.int64))

    r = np.concatenate(rs).astype(np.int64)
    a = np.concatenate(as_).astype(np.int64)
    key = np.unique(r * n_a + a)
    return key // n_a, key % n_a


# -- the matching engine ---------------------------------------------------------------


def _popcount(words):
    """Number of set bits per row of a uint64 matrix."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words).sum(axis=1, dtype=np.int64)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    return table[words.view(np.uint8)].reshape(words.shape[0], -1).sum(axis=1)


def _distinct(series):
    """``(codes, uniques)`` of a column, NaN as a value of its own."""
    codes, uniques = _text.factorize(series, use_na_sentinel=False)
    uniques = np.asarray(pd.Series(uniques).astype(object).to_numpy(), dtype=object)
    return codes.astype(np.int64), uniques


def _load_hierarchies(hierarchies, on):
    if hierarchies is None:
        return {}
    if not isinstance(hierarchies, dict):
        raise TypeError("hierarchies must be a dict {column: hierarchy} or None.")
    unknown = [c for c in hierarchies if c not in on]
    if unknown:
        raise ValueError(f"hierarchies given for columns not matched on: {unknown!r}.")
    return {c: load_hierarchy(h, name=c) for c, h in hierarchies.items()}


_UNREAD_MODES = ("auto", "ignore", "no_match")


def _unread_values(rel_values, r, kind, hierarchy):
    """Distinct released values the matching could not read (bool per value).

    A value is *unread* when it is a string, not a suppression marker, matches
    no auxiliary value, and has none of the generalized forms (interval for a
    numeric or datetime column, set, hierarchy node): a custom label such as
    ``"Middle"``, ``"35-44"`` on a date, ``"OTHER"`` or a ZIP3 on a ZIP column.
    Non-string values are raw values and are never unread.
    """
    rel = pd.Series(np.asarray(rel_values, dtype=object), dtype=object)
    n = len(rel)
    is_str = np.fromiter((isinstance(v, str) for v in rel), dtype=bool, count=n)
    text = pd.Series(np.where(is_str, rel.to_numpy(), ""), dtype=object).str.strip()
    matched = np.zeros(n, dtype=bool)
    matched[r] = True
    cand = np.flatnonzero(is_str & ~matched & (text != SUPPRESSED).to_numpy() & (text != "").to_numpy())
    unread = np.zeros(n, dtype=bool)
    if cand.size == 0:
        return unread
    texts = text.iloc[cand]
    form = np.array(texts.str.match(SET_RE).fillna(False).to_numpy(dtype=bool), copy=True)
    if kind in ("numeric", "datetime"):
        form |= parse_intervals(texts, kind)[4]
    if hierarchy is not None:
        nodes = set()
        for lev in range(1, hierarchy.n_levels):
            nodes.update(map(str, hierarchy.level_labels(lev)))
        form |= texts.isin(nodes).to_numpy(dtype=bool)
    unread[cand[~form]] = True
    return unread


def _match(released, auxiliary, on, hierarchies=None, unread="auto"):
    """``(counts, match, unread_share, ignored)``; see :func:`match_records`."""
    if unread not in _UNREAD_MODES:
        raise ValueError(f"unread must be one of {_UNREAD_MODES}, got {unread!r}.")
    hier = _load_hierarchies(hierarchies, on)
    n_aux = len(auxiliary)
    rel_codes, aux_codes, pair_maps = [], [], []
    unread_share, ignored = {}, []
    exact_like = True
    for col in on:
        rc, ru = _distinct(released[col])
        ac, au = _distinct(auxiliary[col])
        kind = _kind_of(auxiliary[col])
        r, a = column_pairs(ru, au, kind, hier.get(col))
        bad = _unread_values(ru, r, kind, hier.get(col))
        if bad.any():
            unread_share[col] = float(np.mean(bad[rc]))
            if unread == "ignore" or (unread == "auto" and kind != "other"):
                ignored.append(col)
                continue  # uninformative: the column constrains nothing
        rel_codes.append(rc)
        aux_codes.append(ac)
        pair_maps.append((len(ru), len(au), r, a))
        if np.bincount(r, minlength=len(ru)).max(initial=0) > 1:
            exact_like = False

    if not rel_codes:  # every column left out: each record is compatible with everyone
        counts = np.full(len(released), n_aux, dtype=np.int64)
        match = np.full(len(released), 0 if n_aux == 1 else -1, dtype=np.int64)
        return counts, match, unread_share, ignored

    # distinct released combinations
    rel_frame = pd.DataFrame({i: c for i, c in enumerate(rel_codes)})
    cls, cls_sizes = class_codes(rel_frame, list(rel_frame.columns))
    first = np.unique(cls, return_index=True)[1]
    cls_codes = rel_frame.to_numpy()[first]  # (n_classes, n_columns)

    if exact_like:
        counts, match = _match_exact(cls_codes, aux_codes, pair_maps)
    else:
        counts, match = _match_bitsets(cls_codes, aux_codes, pair_maps, n_aux)
    return counts[cls], match[cls], unread_share, ignored


def _shared_codes(released, generalized):
    """Codes of two columns in one code space, values compared as objects.

    Each column is factorized on its own (categorical codes, Arrow
    dictionaries: no Python object per row), then only the distinct values
    of both are factorized together as objects (NaN equal to NaN, ``39`` and
    ``39.0`` alike).  Returns ``(released_codes, generalized_codes, m)``.
    """
    rel_codes, rel_uniques = _text.factorize(released, use_na_sentinel=False)
    gen_codes, gen_uniques = _text.factorize(generalized, use_na_sentinel=False)
    uniques = np.concatenate([np.asarray(rel_uniques, dtype=object),
                              np.asarray(gen_uniques, dtype=object)])
    shared, values = _text.factorize(uniques, use_na_sentinel=False)
    shared = shared.astype(np.int64)
    n_rel = len(rel_uniques)
    return (shared[:n_rel][rel_codes], shared[n_rel:][gen_codes], max(len(values), 1))


def _same_values(a, b, on):
    """Whether columns ``on`` of ``a`` and ``b`` hold the same values, row for row (same dtype)."""
    for col in on:
        x, y = a[col], b[col]
        if x.dtype != y.dtype or not x.reset_index(drop=True).equals(y.reset_index(drop=True)):
            return False  # (equals: NaN in the same place counts as equal)
    return True


def _match_generalized(released, generalized, on):
    """Exact join of released records with generalized auxiliary records.

    Each column's released and generalized values are coded together
    (:func:`_shared_codes`), the codes of a record are combined into one
    key (mixed radix, renumbered when it would overflow), and the auxiliary
    keys are counted: ``(counts, match)`` as in :func:`match_records`, in
    linear time (no join of the two tables).

    When the generalized auxiliary table *is* the release, row for row (a
    report on a deterministic anonymizer's output: the attacker generalizes
    the original exactly as it was released), record ``i``'s candidates
    are its own equivalence class, so the counts are the class sizes and a
    unique record matches itself: the same result without coding both
    tables together (half the memory on millions of rows).
    """
    if len(released) == len(generalized) and _same_values(released, generalized, on):
        ids, sizes = class_codes(released, on)
        counts = sizes[ids].astype(np.int64, copy=False)
        del ids
        match = np.full(len(released), -1, dtype=np.int64)
        alone = np.flatnonzero(counts == 1)
        match[alone] = alone  # a unique record matches itself
        return counts, match
    n_rel = len(released)

    def columns():
        for col in on:
            rel, gen, m = _shared_codes(released[col], generalized[col])
            yield np.concatenate([rel, gen]), m

    ids, _ = combine_codes(columns())
    rel_ids, aux_ids = ids[:n_rel], ids[n_rel:]
    n_ids = int(ids.max()) + 1 if len(ids) else 0
    per_key = np.bincount(aux_ids, minlength=n_ids)
    first = np.full(n_ids, -1, dtype=np.int64)
    first[aux_ids] = np.arange(len(aux_ids), dtype=np.int64)  # read only where the key is unique
    counts = per_key[rel_ids].astype(np.int64)
    match = np.where(counts == 1, first[rel_ids], -1).astype(np.int64)
    return counts, match


def _count_join(left_codes, aux_codes, keep=None):
    """``(counts, match)`` of the rows of ``left_codes`` against the auxiliary rows.

    Both are lists of code columns (one per column joined on); ``counts``
    is the number of auxiliary rows with a left row's codes, ``match`` the
    auxiliary row when exactly one has them (else -1).  Rows outside
    ``keep`` (a boolean mask; None keeps all) match nothing.
    """
    n_left = len(left_codes[0])
    keys = list(range(len(aux_codes)))
    aux = pd.DataFrame({j: c for j, c in enumerate(aux_codes)})
    aux["row"] = np.arange(len(aux))
    grouped = aux.groupby(keys, sort=False).agg(count=("row", "size"), first=("row", "first"))
    left = pd.DataFrame({j: c for j, c in enumerate(left_codes)})
    left["pos"] = np.arange(n_left)
    if keep is not None:
        left = left[keep]
    merged = left.merge(grouped.reset_index(), on=keys, how="inner")
    counts = np.zeros(n_left, dtype=np.int64)
    match = np.full(n_left, -1, dtype=np.int64)
    pos = merged["pos"].to_numpy()
    counts[pos] = merged["count"].to_numpy()
    one = merged["count"].to_numpy() == 1
    match[pos[one]] = merged["first"].to_numpy()[one]
    return counts, match


def match_records(released, auxiliary, on, *, hierarchies=None, anonymizer=None, unread="auto",
                  return_unread=False):
    """Count the auxiliary records compatible with each released record.

    Parameters
    ----------
    released, auxiliary : DataFrame
        Validated tables holding the ``on`` columns.
    on : list
        Columns to match on.
    hierarchies : dict or None
        ``{column: hierarchy-like}``.
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, callable or None
        When given, the auxiliary table is generalized with it and records
        match on equal generalized values (``hierarchies`` and ``unread``
        are then not used).
    unread : {"auto", "ignore", "no_match"}, default="auto"
        What to do with a column holding labels the matching cannot read
        (see the module doc).
    return_unread : bool, default=False
        Also return ``unread_share`` (``{column: share of released cells
        unread}``) and ``ignored`` (columns left out of the matching).

    Returns
    -------
    counts : ndarray of int64, one per released row
        Number of compatible auxiliary rows.
    match : ndarray of int64, one per released row
        Position of the auxiliary row when ``counts == 1``, else -1.
    """
    if anonymizer is not None:
        generalized = generalize_with(anonymizer, auxiliary, list(on), as_objects=False)
        counts, match = _match_generalized(released, generalized.reset_index(drop=True), list(on))
        unread_share, ignored = {}, []
    else:
        counts, match, unread_share, ignored = _match(
            released, auxiliary, on, hierarchies=hierarchies, unread=unread
        )
    if return_unread:
        return counts, match, unread_share, ignored
    return counts, match


def _warn_unread(unread_share, ignored, what="linkage"):
    if not unread_share:
        return
    cols = ", ".join(repr(c) for c in unread_share)
    how = (
        f"left out of the matching: {', '.join(repr(c) for c in ignored)}"
        if ignored else "their unread values match no auxiliary record"
    )
    warnings.warn(
        f"{what}: could not interpret released values of column(s) {cols} (custom "
        f"labels, or raw values absent from the other table); {how}. The risk is a lower bound: pass the fitted "
        "anonymizer (anonymizer=...) to match on generalized values.",
        UserWarning,
        stacklevel=3,
    )


def _match_exact(cls_codes, aux_codes, pair_maps):
    """Hash join: every released value matches at most one auxiliary value."""
    mapped = np.empty_like(cls_codes)
    for j, (n_r, _, r, a) in enumerate(pair_maps):
        lut = np.full(n_r, -1, dtype=np.int64)
        lut[r] = a
        mapped[:, j] = lut[cls_codes[:, j]]
    return _count_join([mapped[:, j] for j in range(mapped.shape[1])], aux_codes,
                       keep=(mapped >= 0).all(axis=1))


def _bitsets(n_r, aux_code, r, a, n_aux, words):
    """uint64 bitsets (n_r, words): bit i of row v set when aux row i matches value v."""
    out = np.zeros((n_r, words), dtype=np.uint64)
    if r.size == 0:
        return out
    # auxiliary rows grouped by their distinct value
    order = np.argsort(aux_code, kind="stable")
    sizes = np.bincount(aux_code, minlength=int(a.max()) + 1)
    starts = np.cumsum(sizes) - sizes
    pair_sorted = np.argsort(r, kind="stable")
    r, a = r[pair_sorted], a[pair_sorted]
    rows_per_value = np.bincount(r, weights=sizes[a], minlength=n_r).astype(np.int64)
    step = max(1, _CHUNK_CELLS // max(n_aux, 1))
    for lo in range(0, n_r, step):  # chunks of distinct released values
        hi = min(n_r, lo + step)
        sel = (r >= lo) & (r < hi)
        if not sel.any() or rows_per_value[lo:hi].sum() == 0:
            continue
        rr, aa = r[sel], a[sel]
        dense = np.zeros((hi - lo, words * 64), dtype=bool)
        rows = order[_expand_ranges(starts[aa], sizes[aa])]
        dense[np.repeat(rr - lo, sizes[aa]), rows] = True
        out[lo:hi] = np.packbits(dense, axis=1, bitorder="little").view(np.uint64)
    return out


def _match_bitsets(cls_codes, aux_codes, pair_maps, n_aux):
    """AND of per-column bitsets over the auxiliary rows, per released class."""
    n_cls, n_cols = cls_codes.shape
    words = max(1, -(-n_aux // 64))
    sets = [
        _bitsets(n_r, aux_codes[j], r, a, n_aux, words)
        for j, (n_r, _, r, a) in enumerate(pair_maps)
    ]
    counts = np.zeros(n_cls, dtype=np.int64)
    match = np.full(n_cls, -1, dtype=np.int64)
    step = max(1, _CHUNK_CELLS // words)
    for lo in range(0, n_cls, step):
        hi = min(n_cls, lo + step)
        acc = sets[0][cls_codes[lo:hi, 0]].copy()
        for j in range(1, n_cols):
            acc &= sets[j][cls_codes[lo:hi, j]]
        c = _popcount(acc)
        counts[lo:hi] = c
        one = np.flatnonzero(c == 1)
        if one.size:
            sub = acc[one]
            word = np.argmax(sub != 0, axis=1)
            value = sub[np.arange(one.size), word]
            bit = np.log2(value.astype(np.float64)).astype(np.int64)
            match[lo + one] = word * 64 + bit
    return counts, match


def compatible_counts(released, auxiliary, on, *, hierarchies=None, anonymizer=None,
                      unread="auto"):
    """Number of auxiliary records each released record could be (see the module doc).

    Warns (``UserWarning``) when a column holds labels it could not read.
    """
    counts, _, unread_share, ignored = match_records(
        released, auxiliary, on, hierarchies=hierarchies, anonymizer=anonymizer,
        unread=unread, return_unread=True,
    )
    _warn_unread(unread_share, ignored, "journalist risk")
    return counts
