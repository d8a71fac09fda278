"""Private post-pass of the scored Mondrian searches: sibling regions cut into three.

After the top-down partitioning, two sibling regions (the two leaves under
one node) holding together at least ``3 k`` rows could often be three
regions instead of two: the parent is cut again, its larger side being at
least ``2 k`` rows, and that side cut once more.  :func:`split_pairs`
searches every allowed first cut of such a parent (every dimension, every
boundary between two codes; :meth:`_Grower._score_cuts` with
``want="all"``) and the best second cut of its larger side (the same scored
search), and replaces the two regions by the three that lower most
``loss + weight * discernibility / k``, if any does (loss: rows x share of
the domains the labels cover, all columns, as in the search; discernibility:
the sum of squared region sizes, exact here).  The result is still a binary cut tree: new rows are routed
as before (the old children become unreachable nodes), and every region
still holds at least ``k`` rows.
"""

import numpy as np


def split_pairs(g, weight=0.5, passes=4):
    """Replace sibling regions by three where that lowers loss + weight * discernibility / k.

    Parameters
    ----------
    g : _Grower
        A grown scored partitioning (``search="best"``); changed in place.
    weight : float
        Weight of the discernibility: a replacement is taken when ``loss drop
        + weight * discernibility drop / k`` is positive, the largest one per
        parent.
    passes : int
        Rounds over the new sibling pairs (a replacement makes a new pair).

    Returns
    -------
    int
        Parents replaced.
    """
    if g.rule is not None:  # the three regions would need the sensitive rule again
        return 0
    done = 0
    for _ in range(passes):
        n = _split_pass(g, weight)
        done += n
        if not n:
            break
    return done


def _split_pass(g, weight):
    k, codes = g.k, g.codes
    d = codes.shape[0]
    node, start, size, sup = g._leaf_arrays()
    leaf_of = np.full(len(g.feature), -1, dtype=np.int64)
    leaf_of[node] = np.arange(len(node))
    internal = np.flatnonzero(g.feature >= 0)
    li, ri = leaf_of[g.left[internal]], leaf_of[g.right[internal]]
    ok = (li >= 0) & (ri >= 0)
    ok[ok] = ~sup[li[ok]] & ~sup[ri[ok]]
    par, li, ri = internal[ok], li[ok], ri[ok]
    m = size[li] + size[ri]
    sel = (m >= 3 * k) & (start[ri] == start[li] + size[li])
    par, li, ri, m = par[sel], li[sel], ri[sel], m[sel]
    if not len(par):
        return 0
    o = np.argsort(start[li], kind="stable")
    par, li, ri, m = par[o], li[o], ri[o], m[o]
    pstart = start[li]
    Q = len(par)
    # the two current regions: loss and discernibility
    a, b = size[li], size[ri]
    mn_l, mx_l = _leaf_bounds(g, start[li], a)
    mn_r, mx_r = _leaf_bounds(g, start[ri], b)
    old_loss = a * g.cost.total(mn_l, mx_l) + b * g.cost.total(mn_r, mx_r)
    old_disc = (a.astype(np.float64) ** 2 + b.astype(np.float64) ** 2)
    # every allowed first cut of the parents
    offs, seg, pos, rows, mn, mx, _ = g._bounds(pstart, m)
    allc = g._score_cuts(m, offs, seg, rows, mn, mx, np.ones(Q, dtype=bool), want="all")
    c_p = allc["part"].astype(np.int64)
    if not len(c_p):
        return 0
    c_j = allc["dim"].astype(np.int64)
    c_thr = allc["thr"].astype(np.int64)
    c_L = allc["left"].astype(np.int64)
    c_R = m[c_p] - c_L
    big_left = (c_L >= 2 * k) & (c_L >= c_R)
    keep = big_left | (c_R >= 2 * k)
    c_p, c_j, c_thr, c_L, c_R, big_left = (x[keep] for x in (c_p, c_j, c_thr, c_L, c_R, big_left))
    small_cost = np.where(big_left, allc["cost_right"][keep], allc["cost_left"][keep])
    C = len(c_p)
    if not C:
        return 0
    # the larger side of each candidate: a partition of its own, searched once more
    csize = m[c_p]
    rep = np.repeat(np.arange(C), csize)
    within = np.arange(int(csize.sum())) - np.repeat(np.cumsum(csize) - csize, csize)
    r = rows[offs[c_p][rep] + within]
    del within
    on_left = codes[c_j[rep], r] <= c_thr[rep]
    in_big = on_left == big_left[rep]
    r2, rep2 = r[in_big], rep[in_big]
    del r, rep, on_left, in_big
    sizes2 = np.bincount(rep2, minlength=C).astype(np.int64)
    offs2 = np.concatenate(([0], np.cumsum(sizes2)[:-1]))
    mn2 = np.empty((C, d), dtype=np.int64)
    mx2 = np.empty((C, d), dtype=np.int64)
    for i in range(d):
        ci = codes[i][r2]
        mn2[:, i] = np.minimum.reduceat(ci, offs2)
        mx2[:, i] = np.maximum.reduceat(ci, offs2)
    cand2 = (sizes2 >= 2 * k) & (mn2 < mx2).any(axis=1)
    S2, T2, L2, GC2 = g._score_cuts(sizes2, offs2, rep2.astype(g.idx_dtype), r2, mn2, mx2,
                                    cand2, want="cost")
    b2 = np.argmax(S2, axis=1)
    ar = np.arange(C)
    valid = np.isfinite(S2[ar, b2])
    new_loss = small_cost + GC2[ar, b2]
    small = np.where(big_left, c_R, c_L).astype(np.float64)
    l2 = L2[ar, b2].astype(np.float64)
    new_disc = small ** 2 + l2 ** 2 + (sizes2 - l2) ** 2
    d_loss = old_loss[c_p] - new_loss
    d_disc = old_disc[c_p] - new_disc
    better = valid & (d_loss + weight * d_disc / k > 0)
    if not better.any():
        return 0
    score = np.where(better, d_loss + weight * d_disc / k, -np.inf)
    # the best candidate of each parent
    order = np.lexsort((-score, c_p))
    first = order[np.r_[True, c_p[order][1:] != c_p[order][:-1]]]
    take = first[better[first]]
    q = c_p[take]
    # rows of each parent: first-cut left side, then right; the larger side split again
    pick = np.zeros(Q, dtype=bool)
    pick[q] = True
    cand_of = np.full(Q, -1, dtype=np.int64)
    cand_of[q] = take
    in_p = pick[seg]
    sg = seg[in_p].astype(np.int64)
    rr = rows[in_p]
    cc = cand_of[sg]
    right1 = codes[c_j[cc], rr] > c_thr[cc]
    in_big = right1 != big_left[cc]
    j2, t2 = b2[cc], T2[cc, b2[cc]]
    right2 = in_big & (codes[j2, rr] > t2)
    o = np.lexsort((right2, right1, sg))
    g.perm[pos[in_p]] = rr[o]
    # the tree: each parent cut anew, its larger side cut once more
    j1, thr1 = c_j[take], c_thr[take]
    nl, nr = g._new_nodes(par[q], j1, thr1)
    bl = big_left[take]
    big_node = np.where(bl, nl, nr)
    small_node = np.where(bl, nr, nl)
    bj, bt = b2[take], T2[take, b2[take]]
    gl, gr = g._new_nodes(big_node, bj, bt)
    L1 = c_L[take]
    st = pstart[q]
    big_start = np.where(bl, st, st + L1)
    small_start = np.where(bl, st + L1, st)
    big_n = sizes2[take]
    left2 = L2[take, bj]
    small_n = m[q] - big_n
    drop = np.zeros(len(node), dtype=bool)
    drop[li[q]] = True
    drop[ri[q]] = True
    new_nodes = np.concatenate([small_node, gl, gr])
    new_start = np.concatenate([small_start, big_start, big_start + left2])
    new_size = np.concatenate([small_n, left2, big_n - left2])
    g.leaves = [(node[~drop], start[~drop], size[~drop], sup[~drop]),
                (new_nodes, new_start, new_size, np.zeros(len(new_nodes), dtype=bool))]
    g.depth += 1
    return len(take)


def _leaf_bounds(g, start, size):
    """Per-dimension minimum and maximum codes of the regions ``perm[start:start+size]``."""
    offs = np.concatenate(([0], np.cumsum(size)[:-1]))
    seg = np.repeat(np.arange(len(size)), size)
    rows = g.perm[np.arange(int(size.sum())) - offs[seg] + start[seg]]
    d = g.codes.shape[0]
    mn = np.empty((len(size), d), dtype=np.int64)
    mx = np.empty((len(size), d), dtype=np.int64)
    for i in range(d):
        ci = g.codes[i][rows]
        mn[:, i] = np.minimum.reduceat(ci, offs)
        mx[:, i] = np.maximum.reduceat(ci, offs)
    return mn, mx
