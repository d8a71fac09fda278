"""Private post-pass of the scored Mondrian searches: small subtrees planned anew.

After the top-down partitioning (and :func:`._refine.split_pairs`), each
maximal subtree of the cut tree holding at most ``bound * k`` rows (the
largest ``bound`` whose estimated work fits a budget) is searched again,
this time down to its regions and on the exact figures: every partition of
the search is either a final region, worth ``rows x label share`` (the
loss, as in the search) ``+ weight * rows**2 / k`` (its discernibility),
or cut by one of its ``width`` best scored cuts
(:meth:`_Grower._score_cuts`, one per dimension), worth the best worth of
its two sides.  The search runs level by level over a batch of subtrees at
once; partitions reached along several paths (cut ``a`` then ``b``, or
``b`` then ``a``) are searched once.  A subtree whose best plan is worth
less than its current regions is replaced by the plan.  The result is
still a binary cut tree: the subtree's root is cut anew, its old
descendants become unreachable nodes, new rows are routed as before, and
every region keeps at least ``k`` rows.
"""

import numpy as np

from ._cut_tree import _stable_order

_BOUNDS = (8, 12, 16, 24, 32, 48, 64, 96, 128)


def replan(g, weight=0.5, bound=8, width=3, max_parts=400_000, budget=None, batch=1 << 23):
    """Plan the small subtrees of a grown scored partitioning anew where that pays.

    Parameters
    ----------
    g : _Grower
        A grown scored partitioning (``search="best"``); changed in place.
    weight : float
        Weight of the discernibility: a region of ``m`` rows is worth its
        loss plus ``weight * m**2 / k``.
    bound : float
        Subtrees of at most ``bound * k`` rows are planned anew.
    width : int
        Cuts tried per partition (the best scored one of as many dimensions).
    max_parts : int
        The search stops expanding partitions beyond this many (those not
        expanded stay one region in the plans).
    budget : float or None
        When given, ``bound`` is the largest of ``_BOUNDS`` whose subtrees'
        estimated work, the sum over them of ``rows * (rows / 2k) ** 1.585``
        (``width=3`` cuts, each about halving the rows: ``3 ** depth``
        times the rows), is at most ``budget`` times the rows of the table
        (the smallest one otherwise).
    batch : float
        The subtrees are searched in batches of at most this estimated work
        (the search's memory is about 30 bytes per unit): on large tables
        the memory stays bounded, the time linear in the rows.

    Returns
    -------
    int
        Subtrees replaced.
    """
    if g.rule is not None or g.search != "best":
        return 0
    k = g.k
    node, start, size, sup = g._leaf_arrays()
    t_start, t_size, t_sup, t_cost, parent = _subtree_figures(g, node, start, size, sup, weight)
    has_parent = parent >= 0
    n = g.codes.shape[1]
    for b in ([bound] if budget is None else sorted(_BOUNDS, reverse=True)):
        small = (t_size <= b * k) & (t_size >= 2 * k) & ~t_sup
        par_small = np.zeros_like(small)
        par_small[has_parent] = small[parent[has_parent]]
        roots = np.flatnonzero(small & ~par_small)
        z = t_size[roots].astype(np.float64)
        work = z * (z / (2 * k)) ** 1.585
        if budget is None or work.sum() <= budget * n:
            break
    if not len(roots):
        return 0
    # batches of consecutive subtrees (disjoint: each batch reads the regions anew)
    cut_at = np.flatnonzero(np.diff(np.floor(np.cumsum(work) / batch))) + 1
    done = 0
    for part in np.split(np.arange(len(roots)), cut_at):
        if not len(part):
            continue
        rt = roots[part]
        if done:
            node, start, size, sup = g._leaf_arrays()
        done += _replan_roots(g, rt, t_start[rt], t_size[rt], t_cost[rt], node, start, size,
                              sup, weight, width, max_parts)
    return done


def _subtree_figures(g, node, start, size, sup, weight):
    """Per tree node (reachable or not): first position, rows, whether it holds a
    suppressed region, the worth of its regions, and its parent (-1: none)."""
    n_nodes = len(g.feature)
    k = g.k
    t_start = np.full(n_nodes, np.iinfo(np.int64).max, dtype=np.int64)
    t_end = np.zeros(n_nodes, dtype=np.int64)
    t_size = np.zeros(n_nodes, dtype=np.int64)
    t_sup = np.zeros(n_nodes, dtype=bool)
    t_cost = np.zeros(n_nodes)
    parent = np.full(n_nodes, -1, dtype=np.int64)
    # the reachable nodes, level by level from the root
    levels = []
    cur = np.array([0], dtype=np.int64)
    while len(cur):
        levels.append(cur)
        inner = cur[g.feature[cur] >= 0]
        kids = np.concatenate([g.left[inner], g.right[inner]])
        parent[kids] = np.concatenate([inner, inner])
        cur = kids
    mn, mx = _region_bounds(g, start, size)
    t_start[node] = start
    t_end[node] = start + size
    t_size[node] = size
    t_sup[node] = sup
    t_cost[node] = size * g.cost.total(mn, mx) + weight * size.astype(np.float64) ** 2 / k
    for lv in levels[:0:-1]:  # deepest first: add each level into its parents
        p = parent[lv]
        np.minimum.at(t_start, p, t_start[lv])
        np.maximum.at(t_end, p, t_end[lv])
        np.add.at(t_size, p, t_size[lv])
        np.logical_or.at(t_sup, p, t_sup[lv])
        np.add.at(t_cost, p, t_cost[lv])
    # a subtree whose rows are not one run of ``perm`` is never replaced (not reached:
    # every cut lays its sides one after the other)
    t_sup |= t_end - t_start != t_size
    return t_start, t_size, t_sup, t_cost, parent


def _region_bounds(g, start, size):
    """Per-dimension minimum and maximum codes of the regions ``perm[start:start+size]``."""
    offs = np.concatenate(([0], np.cumsum(size)[:-1])).astype(np.int64)
    seg = np.repeat(np.arange(len(size)), size)
    rows = g.perm[np.arange(int(size.sum())) - offs[seg] + start[seg]]
    return _bounds_of(g.codes, rows, offs, len(size))


def _bounds_of(codes, rows, offs, P):
    d = codes.shape[0]
    mn = np.empty((P, d), dtype=np.int64)
    mx = np.empty((P, d), dtype=np.int64)
    if not P:
        return mn, mx
    for i in range(d):
        ci = codes[i][rows]
        mn[:, i] = np.minimum.reduceat(ci, offs)
        mx[:, i] = np.maximum.reduceat(ci, offs)
    return mn, mx


def _replan_roots(g, roots, r_start, r_size, r_cost, node, start, size, sup, weight, width,
                  max_parts):
    k = g.k
    codes = g._narrow_codes()
    d = codes.shape[0]
    # the entries of the search: the first row of each group of identical rows
    R = len(roots)
    offs = np.concatenate(([0], np.cumsum(r_size)[:-1])).astype(np.int64)
    seg = np.repeat(np.arange(R), r_size)
    rows_all = g.perm[np.arange(int(r_size.sum())) - offs[seg] + r_start[seg]]
    first = g.combo_first[rows_all]
    ent, ent_seg = rows_all[first], seg[first]
    cnt = np.bincount(ent_seg, minlength=R)
    e_offs = np.concatenate(([0], np.cumsum(cnt)[:-1])).astype(np.int64)
    tags = g._memo["tags"] if g._memo is not None else _tags(g)
    # search nodes: size, worth as one region, and per tried cut (dim, thr, left, right child)
    worth = []
    cuts = []  # per level: (node ids, dim, thr, left child id, right child id)
    n_nodes = R
    lvl_ids = np.arange(R)
    lvl_size = np.asarray(r_size, dtype=np.int64)
    lvl_ent, lvl_offs = ent, e_offs
    mn, mx = _bounds_of(codes, lvl_ent, lvl_offs, R)
    seen_keys = _keys(tags, lvl_ent, lvl_offs, lvl_size)
    o = np.argsort(seen_keys, kind="stable")
    seen_keys, seen_ids = seen_keys[o], np.arange(R)[o]
    worth.append(lvl_size * g.cost.total(mn, mx) + weight * lvl_size.astype(np.float64) ** 2 / k)
    while len(lvl_ids):
        P = len(lvl_ids)
        cand = (lvl_size >= 2 * k) & (mn < mx).any(axis=1)
        if not cand.any() or n_nodes > max_parts:
            break
        lseg = np.repeat(np.arange(P, dtype=g.idx_dtype), np.diff(np.r_[lvl_offs, len(lvl_ent)]))
        S, T, L = g._score_cuts(lvl_size, lvl_offs, lseg, lvl_ent, mn, mx, cand)
        m = min(width, d)
        top = np.argsort(-S, axis=1, kind="stable")[:, :m]
        cp = np.repeat(np.arange(P), m)
        cj = top.ravel()
        live = np.isfinite(S[cp, cj])
        cp, cj = cp[live], cj[live]
        if not len(cp):
            break
        C = len(cp)
        thr = T[cp, cj]
        Lc = L[cp, cj]
        # the entries of both sides of every tried cut
        ecount = np.diff(np.r_[lvl_offs, len(lvl_ent)])[cp]
        cstart = np.concatenate(([0], np.cumsum(ecount)[:-1]))
        rep = np.repeat(np.arange(C), ecount)
        r = lvl_ent[lvl_offs[cp][rep] + np.arange(int(ecount.sum())) - cstart[rep]]
        side = rep.astype(np.int64) * 2 + (codes[cj[rep], r] > thr[rep])
        del rep
        o = _stable_order(side, 2 * C)
        r, side = r[o], side[o]
        ch_cnt = np.bincount(side, minlength=2 * C)
        ch_offs = np.concatenate(([0], np.cumsum(ch_cnt)[:-1])).astype(np.int64)
        ch_size = np.stack([Lc, lvl_size[cp] - Lc], axis=1).ravel()
        ch_keys = _keys(tags, r, ch_offs, ch_size)
        # known sides (reached along another path) keep their number; new ones get one
        uk, first_at, inv = np.unique(ch_keys, return_index=True, return_inverse=True)
        at = np.searchsorted(seen_keys, uk)
        at_c = np.minimum(at, len(seen_keys) - 1)
        known = (at < len(seen_keys)) & (seen_keys[at_c] == uk) if len(seen_keys) else \
            np.zeros(len(uk), dtype=bool)
        uid = np.where(known, seen_ids[at_c] if len(seen_keys) else 0, -1)
        fresh = np.flatnonzero(~known)
        fresh = fresh[np.argsort(first_at[fresh], kind="stable")]  # numbered as they come
        uid[fresh] = n_nodes + np.arange(len(fresh))
        n_nodes += len(fresh)
        ch_id = uid[inv.ravel()]
        new = np.zeros(2 * C, dtype=bool)
        new[first_at[fresh]] = True
        seen_keys = np.concatenate([seen_keys, uk[fresh]])
        seen_ids = np.concatenate([seen_ids, uid[fresh]])
        o = np.argsort(seen_keys, kind="stable")
        seen_keys, seen_ids = seen_keys[o], seen_ids[o]
        cuts.append((lvl_ids[cp], cj, thr, ch_id[0::2], ch_id[1::2]))
        # the next level: the new sides
        nw = np.flatnonzero(new)
        keep = new[side]
        r = r[keep]
        lvl_ids = ch_id[nw]
        lvl_size = ch_size[nw]
        lvl_offs = np.concatenate(([0], np.cumsum(ch_cnt[nw])[:-1])).astype(np.int64)
        lvl_ent = r
        mn, mx = _bounds_of(codes, lvl_ent, lvl_offs, len(nw))
        worth.append(lvl_size * g.cost.total(mn, mx)
                     + weight * lvl_size.astype(np.float64) ** 2 / k)
    if not cuts:
        return 0
    alone = np.concatenate(worth)
    c_node = np.concatenate([c[0] for c in cuts])
    c_dim = np.concatenate([c[1] for c in cuts])
    c_thr = np.concatenate([c[2] for c in cuts])
    c_l = np.concatenate([c[3] for c in cuts])
    c_r = np.concatenate([c[4] for c in cuts])
    # best worth of every search node, relaxed until no worth falls (a side is smaller than
    # its partition: at most as many rounds as the longest chain of cuts, at most R / k)
    val = alone.copy()
    for _ in range(int(r_size.max()) // max(k, 1) + 2):
        via = val[c_l] + val[c_r]
        best = alone.copy()
        np.minimum.at(best, c_node, via)
        if np.array_equal(best, val):
            break
        val = best
    via = val[c_l] + val[c_r]
    # the chosen cut of each node: the first cut reaching its best worth (if below alone)
    tol = 1e-9 * np.maximum(np.abs(val[c_node]), 1.0)
    hit = (via <= val[c_node] + tol) & (via < alone[c_node] - tol)
    first = np.full(n_nodes, len(c_node), dtype=np.int64)
    np.minimum.at(first, c_node[hit], np.flatnonzero(hit))
    choice = np.where(first < len(c_node), first, -1)
    gain = r_cost - val[:R]
    take = np.flatnonzero(gain > 1e-9 * np.maximum(np.abs(r_cost), 1.0))
    if not len(take):
        return 0
    return _apply(g, roots[take], take, r_start[take], r_size[take], choice, c_dim, c_thr, c_l,
                  c_r, node, start, size, sup)


def _tags(g):
    rng = np.random.default_rng(0x5EED)
    tags = rng.integers(0, np.iinfo(np.int64).max, g.codes.shape[1], dtype=np.int64,
                        endpoint=True).view(np.uint64)
    tags[~g.combo_first] = 0
    return tags


def _keys(tags, ent, offs, size):
    """Key of each partition (entries ``ent`` from ``offs``): the sum of its rows'
    random 64-bit tags plus its size times an odd constant (mod 2**64)."""
    if not len(size):
        return np.zeros(0, dtype=np.uint64)
    t = np.add.reduceat(tags[ent], offs) if len(ent) else np.zeros(len(size), np.uint64)
    return t + np.asarray(size, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


def _apply(g, tree_roots, search_roots, r_start, r_size, choice, c_dim, c_thr, c_l, c_r,
           node, start, size, sup):
    """Cut the chosen subtrees' roots anew along their plans; their regions replaced.

    Returns the number of subtrees replaced: a plan whose regions, counted on
    the rows themselves, would not all hold ``k`` rows (two partitions of the
    search taken for one, a 64-bit key collision) is not applied.
    """
    codes = g.codes
    tree_roots = np.asarray(tree_roots, dtype=np.int64)
    saved = [a[tree_roots].copy() for a in (g.feature, g.code_thr, g.left, g.right)]
    # the plans, level by level: tree node <- search node
    t_nodes, s_nodes = tree_roots, np.asarray(search_roots)
    n_leaves = 0
    while len(t_nodes):
        ch = choice[s_nodes]
        cut = ch >= 0
        n_leaves += int((~cut).sum())
        if not cut.any():
            break
        tn, c = t_nodes[cut], ch[cut]
        nl, nr = g._new_nodes(tn, c_dim[c], c_thr[c])
        t_nodes = np.concatenate([nl, nr])
        s_nodes = np.concatenate([c_l[c], c_r[c]])
    # the rows of each replaced subtree routed down its new nodes, in depth-first leaf order
    R = len(tree_roots)
    offs = np.concatenate(([0], np.cumsum(r_size)[:-1])).astype(np.int64)
    seg = np.repeat(np.arange(R), r_size)
    pos = np.arange(int(r_size.sum())) - offs[seg] + r_start[seg]
    rows = g.perm[pos]
    at = tree_roots[seg]
    path = np.zeros(len(rows), dtype=np.int64)  # the turns taken, first turn highest
    depth = 0
    inner = g.feature[at] >= 0
    while inner.any():
        i = np.flatnonzero(inner)
        nd = at[i]
        right = codes[g.feature[nd], rows[i]] > g.code_thr[nd]
        at[i] = np.where(right, g.right[nd], g.left[nd])
        path *= 2
        path[i] += right
        depth += 1
        inner = g.feature[at] >= 0
    o = np.lexsort((path, seg))
    seg_o, at_o, rows_o = seg[o], at[o], rows[o]
    brk = np.r_[True, (seg_o[1:] != seg_o[:-1]) | (at_o[1:] != at_o[:-1])]
    b = np.flatnonzero(brk)
    new_size = np.diff(np.r_[b, len(rows)])
    # a plan's regions must each hold k rows (and be as many as its leaves)
    ok = np.ones(R, dtype=bool)
    ok[seg_o[b[new_size < g.k]]] = False
    ok &= np.bincount(seg_o[b], minlength=R) > 0
    if len(b) != n_leaves:
        ok[:] = False
    for a, v in zip((g.feature, g.code_thr, g.left, g.right), saved):
        a[tree_roots[~ok]] = v[~ok]
    if not ok.any():
        return 0
    keep = ok[seg_o]
    g.perm[pos[keep]] = rows_o[keep]  # pos: ascending within each subtree
    kb = ok[seg_o[b]]
    new_node, new_start, new_size = at_o[b][kb], pos[b][kb], new_size[kb]
    # drop the old regions inside the replaced ranges
    lo = np.sort(r_start[ok])
    hi = np.sort(r_start[ok] + r_size[ok])
    i = np.searchsorted(lo, start, side="right") - 1
    inside = (i >= 0) & (start < hi[np.maximum(i, 0)])
    g.leaves = [(node[~inside], start[~inside], size[~inside], sup[~inside]),
                (new_node, new_start, new_size, np.zeros(len(new_node), dtype=bool))]
    g.depth += depth
    return int(ok.sum())
