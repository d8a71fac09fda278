"""Private engine of :class:`~sklearn_anon.MondrianAnonymizer`: the cut tree.

Two parts (the column coding they work on is in ``_coding.py``):

* :func:`grow_tree`: the Mondrian partitioning, breadth-first, one level of
  the cut tree at a time, vectorized over all the partitions of a level
  (segments of one permutation array; medians from one sort per level;
  minima/maxima with ``np.minimum.reduceat``; l-diversity/t-closeness of the
  candidate sides from ``np.bincount`` of the sensitive codes, tested by
  :class:`SensitiveRule`).
* :func:`route`: rows go down the stored tree one depth at a time.
"""

import numpy as np


# -- sensitive-side checks ---------------------------------------------------
class SensitiveRule:
    """l-diversity / t-closeness test on per-side histograms of sensitive codes."""

    def __init__(self, s_codes, m, *, l=None, l_kind="distinct", t=None, ordered=False):
        self.s_codes = s_codes
        self.m = m
        self.l = l
        self.l_kind = l_kind
        self.t = t
        self.ordered = ordered
        self.p = np.bincount(s_codes, minlength=m) / len(s_codes)

    def ok(self, hist):
        """Boolean per row of ``hist`` (n, m) of counts: does the side pass?"""
        size = hist.sum(axis=1)
        good = size > 0
        if self.l is not None:
            if self.l_kind == "distinct":
                good &= (hist > 0).sum(axis=1) >= self.l
            else:
                q = hist / np.maximum(size, 1)[:, None]
                with np.errstate(divide="ignore", invalid="ignore"):
                    ent = -np.where(q > 0, q * np.log(q), 0.0).sum(axis=1)
                # a margin, so that float noise never lets a side below l (pycanon
                # floors exp(entropy): 2.9999999 would read as 2)
                good &= ent >= np.log(self.l) + 1e-9
        if self.t is not None and self.m > 1:
            r = hist / np.maximum(size, 1)[:, None] - self.p
            if self.ordered:
                emd = np.abs(np.cumsum(r, axis=1)).sum(axis=1) / (self.m - 1)
            else:
                emd = 0.5 * np.abs(r).sum(axis=1)
            good &= emd <= self.t - 1e-9  # margin against float noise
        return good


# -- the partitioning --------------------------------------------------------
def _popcount(x):
    """Number of set bits of each int64."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x).astype(np.int64)
    b = x.astype(np.uint64).view(np.uint8).reshape(-1, 8)
    return np.unpackbits(b, axis=1).sum(axis=1).astype(np.int64)


def _normalized_span(coders, mn, mx, distinct):
    """(P, d) normalized width of each partition on each dimension.

    The width is the partition's information loss on that dimension, as in
    NCP: ``(max - min) / (domain max - domain min)`` for numbers and
    datetimes, ``(distinct categories - 1) / (domain size - 1)`` for
    unordered categories (``distinct[j]``, when known), the span of codes
    in the (hierarchy or given) order otherwise.  A partition mixing
    missing and present values is wider than any other.
    """
    P, d = mn.shape
    out = np.zeros((P, d))
    for j, c in enumerate(coders):
        lo, hi = mn[:, j], mx[:, j]
        if c.kind == "categorical":
            denom = max(c.n_values - 1, 1)
            if distinct.get(j) is not None:
                out[:, j] = (distinct[j] - 1) / denom
            elif c.hierarchy is not None:
                out[:, j] = c.hierarchy_width(lo, hi) / denom
            else:
                out[:, j] = (hi - lo) / denom
        else:
            vals = c.values
            if len(vals) == 0:
                continue
            full = vals[-1] - vals[0]
            lo_v = vals[np.minimum(lo, len(vals) - 1)]
            hi_v = vals[np.minimum(hi, len(vals) - 1)]
            w = (hi_v - lo_v) / full if full > 0 else np.zeros(P)
            # a partition holding both numbers and missing values: widest
            w = np.where(hi == c.missing_code, np.where(lo == hi, 0.0, 1.0 + w), w)
            out[:, j] = w
    return out


def grow_tree(codes, coders, k, rule=None, verbose=0):
    """Mondrian partitioning of the code matrix.

    Parameters
    ----------
    codes : ndarray (d, n) of int64
    coders : list of ColumnCoder
    k : int
    rule : SensitiveRule or None
    verbose : int

    Returns
    -------
    tree : dict of arrays ``feature``, ``code``, ``threshold``, ``left``,
        ``right`` (per node; feature -1 for a leaf), ``leaf`` (leaf number
        of a node, -1 internal), ``depth``
    perm, leaf_start, leaf_size : the rows of each leaf are
        ``perm[leaf_start[i]:leaf_start[i] + leaf_size[i]]``
    """
    d, n = codes.shape
    M = int(max(c.n_values for c in coders)) + 2
    perm = np.arange(n, dtype=np.int64)
    feature, code_thr, left, right = (np.full(1, -1, dtype=np.int64) for _ in range(4))
    act_node = np.array([0], dtype=np.int64)
    act_start = np.array([0], dtype=np.int64)
    act_size = np.array([n], dtype=np.int64)
    leaves_node, leaves_start, leaves_size = [], [], []
    depth = 0
    hier = [c.split_level if c.hierarchy is not None else None for c in coders]
    count_distinct = [c.kind == "categorical" and c.hierarchy is None and c.n_values + 1 <= 62
                      for c in coders]
    while len(act_node):
        P = len(act_node)
        offs = np.concatenate(([0], np.cumsum(act_size)[:-1]))
        total = int(act_size.sum())
        seg = np.repeat(np.arange(P), act_size)
        pos = act_start[seg] + (np.arange(total) - offs[seg])
        rows = perm[pos]
        mn = np.empty((P, d), dtype=np.int64)
        mx = np.empty((P, d), dtype=np.int64)
        distinct = {}
        for j in range(d):
            cj = codes[j][rows]
            mn[:, j] = np.minimum.reduceat(cj, offs)
            mx[:, j] = np.maximum.reduceat(cj, offs)
            if count_distinct[j]:
                bits = np.bitwise_or.reduceat(np.left_shift(np.int64(1), cj), offs)
                distinct[j] = _popcount(bits)
        span = _normalized_span(coders, mn, mx, distinct)
        dim_order = np.argsort(-span, axis=1, kind="stable")
        undecided = (act_size >= 2 * k) & (span.max(axis=1) > 0)
        cut_dim = np.full(P, -1, dtype=np.int64)
        cut_code = np.full(P, -1, dtype=np.int64)
        cut_left = np.zeros(P, dtype=np.int64)
        for r in range(d):
            jr = dim_order[:, r]
            cand = undecided & (span[np.arange(P), jr] > 0)
            if not cand.any():
                break
            sub = np.flatnonzero(cand)
            _try_cuts(sub, jr[sub], seg, offs, act_size, rows, pos, codes, coders, hier,
                      k, rule, M, perm, cut_dim, cut_code, cut_left, undecided)
        # new nodes
        split = cut_dim >= 0
        n_nodes = len(feature)
        n_split = int(split.sum())
        new_left = n_nodes + 2 * np.arange(n_split)
        new_right = new_left + 1
        grow = np.full(2 * n_split, -1, dtype=np.int64)
        feature = np.concatenate([feature, grow])
        code_thr = np.concatenate([code_thr, grow])
        left = np.concatenate([left, grow])
        right = np.concatenate([right, grow])
        parents = act_node[split]
        feature[parents] = cut_dim[split]
        code_thr[parents] = cut_code[split]
        left[parents] = new_left
        right[parents] = new_right
        stop = ~split
        leaves_node.append(act_node[stop])
        leaves_start.append(act_start[stop])
        leaves_size.append(act_size[stop])
        if verbose:
            print(f"[MondrianAnonymizer] depth {depth}: {P} partitions, "
                  f"{n_split} cut, {int(stop.sum())} final", flush=True)
        sp = np.flatnonzero(split)
        act_node = np.stack([new_left, new_right], axis=1).ravel()
        act_start = np.stack([act_start[sp], act_start[sp] + cut_left[sp]], axis=1).ravel()
        act_size = np.stack([cut_left[sp], act_size[sp] - cut_left[sp]], axis=1).ravel()
        depth += 1
    leaf_node = np.concatenate(leaves_node)
    leaf_start = np.concatenate(leaves_start)
    leaf_size = np.concatenate(leaves_size)
    order = np.argsort(leaf_start, kind="stable")
    leaf_node, leaf_start, leaf_size = leaf_node[order], leaf_start[order], leaf_size[order]
    feature = np.asarray(feature, dtype=np.int64)
    leaf_of_node = np.full(len(feature), -1, dtype=np.int64)
    leaf_of_node[leaf_node] = np.arange(len(leaf_node))
    code_thr = np.asarray(code_thr, dtype=np.int64)
    threshold = np.full(len(feature), np.nan)
    for j, coder in enumerate(coders):
        nodes = np.flatnonzero(feature == j)
        if len(nodes):
            threshold[nodes] = coder.threshold(code_thr[nodes])
    tree = {
        "feature": feature,
        "code": code_thr,
        "threshold": threshold,
        "left": np.asarray(left, dtype=np.int64),
        "right": np.asarray(right, dtype=np.int64),
        "leaf": leaf_of_node,
        "max_depth": depth,
    }
    return tree, perm, leaf_start, leaf_size


def _try_cuts(sub, dims, seg, offs, sizes, rows, pos, codes, coders, hier, k, rule, M,
              perm, cut_dim, cut_code, cut_left, undecided):
    """Median cuts of the partitions ``sub`` on their dimensions ``dims``.

    The partitions' rows are sorted by the chosen dimension's code; the cut
    ``code <= med`` (ties left) and ``code < med`` (ties right) are tried,
    the more balanced allowed one first.  For a hierarchical dimension the
    cut snaps to the nearest boundary between children of the region's
    lowest common node.  Accepted cuts reorder ``perm`` in place.
    """
    P = len(sizes)
    local = np.full(P, -1, dtype=np.int64)
    local[sub] = np.arange(len(sub))
    mask = local[seg] >= 0
    rsel = rows[mask]
    psel = pos[mask]
    lseg = local[seg[mask]]
    dim_row = dims[lseg]
    c = codes[dim_row, rsel]
    key = lseg * M + c
    o = np.argsort(key)  # any order within equal codes is fine
    key = key[o]
    c_sorted = c[o]
    rsel = rsel[o]
    psel_sorted = np.sort(psel)  # the segments' positions in perm, in order
    sub_sizes = sizes[sub]
    sub_offs = np.concatenate(([0], np.cumsum(sub_sizes)[:-1]))
    med = c_sorted[sub_offs + (sub_sizes - 1) // 2]
    thr_a = med.copy()          # left: code <= med
    thr_b = med - 1             # left: code < med
    for j in np.unique(dims):
        if hier[j] is None:
            continue
        w = np.flatnonzero(dims == j)
        lo = c_sorted[sub_offs[w]]
        hi = c_sorted[sub_offs[w] + sub_sizes[w] - 1]
        split_level = hier[j]
        # level of the region's lowest common node: max split level inside
        lev = np.array([split_level[a:b].max() if b > a else 0 for a, b in zip(lo, hi)])
        ta, tb = np.empty(len(w), dtype=np.int64), np.empty(len(w), dtype=np.int64)
        for i, (lv, m_, a, b) in enumerate(zip(lev, med[w], lo, hi)):
            allowed = np.flatnonzero(split_level[a:b] == lv) + a  # cut after code
            above = allowed[allowed >= m_]
            below = allowed[allowed < m_]
            ta[i] = above[0] if len(above) else -1
            tb[i] = below[-1] if len(below) else -1
        thr_a[w], thr_b[w] = ta, tb
    base = np.arange(len(sub)) * M
    left_a = np.searchsorted(key, base + thr_a, side="right") - sub_offs
    left_b = np.searchsorted(key, base + thr_b, side="right") - sub_offs
    ok_a = (thr_a >= 0) & (left_a >= k) & (sub_sizes - left_a >= k)
    ok_b = (thr_b >= 0) & (left_b >= k) & (sub_sizes - left_b >= k)
    half = sub_sizes / 2
    a_first = np.abs(left_a - half) <= np.abs(left_b - half)
    first_ok = np.where(a_first, ok_a, ok_b)
    second_ok = np.where(a_first, ok_b, ok_a)
    first_thr = np.where(a_first, thr_a, thr_b)
    second_thr = np.where(a_first, thr_b, thr_a)
    first_left = np.where(a_first, left_a, left_b)
    second_left = np.where(a_first, left_b, left_a)
    if rule is not None:
        s_sorted = rule.s_codes[rsel]
        seg_sorted = np.repeat(np.arange(len(sub)), sub_sizes)
        within = np.arange(len(key)) - sub_offs[seg_sorted]
        m = rule.m
        # partitions per chunk, so the dense (partitions x m) histograms stay small
        step = max(1, 4_000_000 // m)

        def passes(left_n, ok):
            out = ok.copy()
            for a in range(0, len(sub), step):
                b = min(a + step, len(sub))
                if not ok[a:b].any():
                    continue
                r0 = sub_offs[a]
                r1 = sub_offs[b - 1] + sub_sizes[b - 1]
                sg, sv = seg_sorted[r0:r1] - a, s_sorted[r0:r1]
                tot = np.bincount(sg * m + sv, minlength=(b - a) * m).reshape(-1, m)
                is_left = within[r0:r1] < left_n[a:b][sg]
                hl = np.bincount(sg[is_left] * m + sv[is_left],
                                 minlength=(b - a) * m).reshape(-1, m)
                out[a:b] &= rule.ok(hl) & rule.ok(tot - hl)
            return out

        first_ok = passes(first_left, first_ok)
        need = ~first_ok & second_ok
        if need.any():
            second_ok = passes(second_left, second_ok & need)
    chosen_thr = np.where(first_ok, first_thr, second_thr)
    chosen_left = np.where(first_ok, first_left, second_left)
    accept = first_ok | second_ok
    if not accept.any():
        return
    acc = sub[accept]
    cut_dim[acc] = dims[accept]
    cut_code[acc] = chosen_thr[accept]
    cut_left[acc] = chosen_left[accept]
    undecided[acc] = False
    # write the sorted order back into perm for the accepted partitions
    seg_sorted = np.repeat(np.arange(len(sub)), sub_sizes)
    keep = accept[seg_sorted]
    perm[psel_sorted[keep]] = rsel[keep]


def route(tree, Z):
    """Leaf number of each row of ``Z`` (d, n) of routing values."""
    n = Z.shape[1]
    node = np.zeros(n, dtype=np.int64)
    feature, threshold = tree["feature"], tree["threshold"]
    left, right = tree["left"], tree["right"]
    active = np.flatnonzero(feature[node] >= 0)
    while len(active):
        nd = node[active]
        f = feature[nd]
        go_left = Z[f, active] <= threshold[nd]
        node[active] = np.where(go_left, left[nd], right[nd])
        active = active[feature[node[active]] >= 0]
    return tree["leaf"][node]

