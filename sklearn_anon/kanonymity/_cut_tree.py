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

import itertools

import numpy as np

from .._sensitive import SensitiveRule  # noqa: F401  (the per-side test, in _sensitive)


# -- the partitioning --------------------------------------------------------
# search="lookahead" (cuts="lookahead"): the _LOOKAHEAD best cuts of each partition
# are scored with their sides' best cuts _LOOKAHEAD_DEPTH levels deep, the
# discernibility term weighted _LOOKAHEAD_DISC (tuned on Adult, see benchmarks/README.md)
_LOOKAHEAD = 3
_LOOKAHEAD_DEPTH = 2
_LOOKAHEAD_DISC = 0.5
# search="hybrid" (cuts="hybrid"): refined cuts on partitions of at least _HYBRID_ABOVE
# times k rows, the lookahead below, then sibling regions re-cut into three where that
# pays (_refine.split_pairs, weight _HYBRID_SPLIT_WEIGHT); tuned on Adult
_HYBRID_ABOVE = 64
_HYBRID_SPLIT_WEIGHT = 0.5
# below k = _HYBRID_SMALL_K a cheaper search (the time of k=2, 5 and 10 against ARX,
# issue 16.4): partitions of at least _HYBRID_PLAIN_ABOVE times k rows get the k-multiple cut
# on their widest column (no scores), the scored search below looks _HYBRID_SMALL_DEPTH
# levels ahead, none at k <= _HYBRID_NO_LOOKAHEAD_K (plain "best" scores); tuned on Adult
_HYBRID_SMALL_K = 20
_HYBRID_PLAIN_ABOVE = 16
_HYBRID_SMALL_DEPTH = 1
_HYBRID_NO_LOOKAHEAD_K = 2
# at k <= _HYBRID_NO_LOOKAHEAD_K the unscored cuts reach down to _HYBRID_TINY_PLAIN_ABOVE
# times k rows and the sibling post-pass is skipped (the time of k=2 against ARX)
_HYBRID_TINY_PLAIN_ABOVE = 8
# and from k = _REPLAN_MIN_K on, the small subtrees planned anew (_replan.replan: the
# _REPLAN_WIDTH best cuts of each partition searched to the leaves, discernibility weight
# _REPLAN_WEIGHT, work budget min(k, _REPLAN_BUDGET) times the rows); tuned on Adult
_REPLAN_MIN_K = 20
_REPLAN_WIDTH = 3
_REPLAN_WEIGHT = 0.5
_REPLAN_BUDGET = 60

#: 1 << c as int64 for the codes of small categorical domains (a look-up, whatever
#: the codes' dtype: numpy 1.x would shift int32 codes in int32)
_BIT = np.left_shift(np.int64(1), np.arange(64, dtype=np.int64))


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


class _HierarchyCuts:
    """Where a hierarchical dimension may be cut: between two children of the
    region's lowest common node, found by table look-ups (no loop per region).
    """

    def __init__(self, coder):
        split = np.asarray(coder.split_level, dtype=np.int64)  # len n_values + 1
        n = len(split)
        self.levels = np.stack(coder.level_codes) if coder.level_codes else np.zeros((0, n - 1))
        self.n = n  # leaf codes 0 .. n - 1; code n is the missing one
        top = int(split.max()) if n else 0
        idx = np.arange(n)
        # next_ge[L][c]: first c' >= c with split[c'] >= L (n if none);
        # prev_ge[L][c]: last c' <= c with split[c'] >= L (-1 if none)
        self.next_ge = np.empty((top + 1, n + 1), dtype=np.int64)
        self.prev_ge = np.empty((top + 1, n + 1), dtype=np.int64)
        for L in range(top + 1):
            ok = split >= L
            nxt = np.where(ok, idx, n)
            self.next_ge[L, :n] = np.minimum.accumulate(nxt[::-1])[::-1]
            self.next_ge[L, n] = n
            prv = np.where(ok, idx, -1)
            self.prev_ge[L, :n] = np.maximum.accumulate(prv)
            self.prev_ge[L, n] = self.prev_ge[L, n - 1] if n else -1
        self.top = top

    def lca_level(self, lo, hi):
        """Level of the lowest common node of codes lo..hi (``top`` when none)."""
        n = self.n
        lev = np.full(len(lo), self.top, dtype=np.int64)
        lo_c, hi_c = np.minimum(lo, max(n - 1, 0)), np.minimum(hi, max(n - 1, 0))
        for L in range(len(self.levels) - 1, 0, -1):
            lev[self.levels[L][lo_c] == self.levels[L][hi_c]] = L
        return np.where(hi >= n, self.top, lev)

    def snap(self, lo, hi, med):
        """Nearest allowed cuts ``code <= thr`` at or above / below ``med`` (-1: none)."""
        lev = self.lca_level(lo, hi)
        ta = self.next_ge[lev, med]
        ta = np.where(ta < hi, ta, -1)
        tb = self.prev_ge[lev, np.maximum(med - 1, 0)]
        tb = np.where((med >= 1) & (tb >= lo) & (tb < hi), tb, -1)
        return ta, tb


class _RegionCost:
    """Loss of a region from its per-dimension minimum / maximum codes.

    Per dimension, the share of the domain the region's label covers,
    beyond a single value: ``(leaves under the label - 1) / leaves`` on a
    hierarchy (ARX's granularity, up to a constant), ``(code span) /
    categories`` for other categorical columns, ``(max - min) / (domain max
    - domain min)`` for numbers and datetimes (a partition mixing missing
    and present values costs more than any other).  Small domains are read
    from a table of every (min, max) pair.
    """

    def __init__(self, coders):
        self.coders = coders
        self.tables = []
        for c in coders:
            m = c.n_values + 1
            if m > 256:
                self.tables.append(None)
                continue
            lo, hi = (a.ravel() for a in np.meshgrid(np.arange(m), np.arange(m), indexing="ij"))
            w = _normalized_span([c], lo[:, None], hi[:, None], {})[:, 0]
            if c.kind == "categorical":
                w = w * (max(c.n_values - 1, 1) / max(c.n_values, 1))
            self.tables.append(np.where(lo <= hi, w, 0.0).reshape(m, m))

    def dim(self, j, lo, hi):
        """Cost of dimension ``j`` for the minimum / maximum codes ``lo`` / ``hi`` (1-d):
        the term :meth:`total` adds for it."""
        tab = self.tables[j]
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.asarray(hi, dtype=np.int64)
        if tab is not None:
            flat = lo * tab.shape[1]
            flat += hi
            return tab.ravel().take(flat)
        return _normalized_span([self.coders[j]], lo[:, None], hi[:, None], {})[:, 0]

    def total(self, mn, mx):
        """Summed cost of each region (rows of ``mn`` / ``mx``, shape (R, d))."""
        out = np.zeros(mn.shape[0])
        for j, (c, tab) in enumerate(zip(self.coders, self.tables)):
            if tab is not None:  # flat look-up: min * m + max
                flat = mn[:, j] * tab.shape[1]
                flat += mx[:, j]
                out += tab.ravel().take(flat)
            else:
                out += _normalized_span([c], mn[:, j:j + 1], mx[:, j:j + 1], {})[:, 0]
        return out


def _identical_runs(codes):
    """``(order, sorted codes, new)`` for a (d, n) code matrix with ``n > 0``: the
    rows in lexicographic order of their codes (stable: each group of identical
    rows in row order), the codes in that order, and where each group starts."""
    order = np.lexsort(codes[::-1])
    srt = codes[:, order]
    new = np.r_[True, (srt[:, 1:] != srt[:, :-1]).any(axis=0)]
    return order, srt, new


def _duplicates(codes, return_first=False):
    """Per row, how many rows have the same codes on every dimension; with
    ``return_first``, also per row whether it is the first of its group."""
    d, n = codes.shape
    if n == 0:
        out = np.zeros(0, dtype=np.int64)
        return (out, np.zeros(0, dtype=bool)) if return_first else out
    order, _, new = _identical_runs(codes)
    group = np.cumsum(new) - 1
    counts = np.bincount(group)
    out = np.empty(n, dtype=np.int64)
    out[order] = counts[group]
    if not return_first:
        return out
    first = np.zeros(n, dtype=bool)
    first[order[new]] = True  # lexsort is stable: the lowest row number of the group
    return out, first


def _disc_bound(big_sq, small, k):
    """Lower bound of the discernibility of a side: ``big_sq`` the sum of the squared
    sizes of its groups of at least ``k`` identical rows, ``small`` its other rows
    (grouped in classes of k to 2k - 1 rows, or, if fewer than k, added to a group)."""
    small = np.asarray(small, dtype=np.float64)
    grouped = small * k + np.mod(small, k) * (k + 1)
    merged = np.where(big_sq > 0, 2 * k * small + small ** 2, 0.0)
    return big_sq + np.where(small >= k, grouped, np.where(small > 0, merged, 0.0))


def _sort_keys(key, bound):
    """``(order, sorted keys)`` of int64 ``key`` (values below ``bound``).

    When the key and the position fit in 63 bits together, one in-place
    ``sort`` of ``key << b | position`` (about half the time of an
    ``argsort`` on a million keys, and no gather of the keys); else an
    ``argsort``; below ``2**16`` a radix ``argsort`` of the keys as uint16.
    Equal keys come in position order.  ``key`` is consumed.
    """
    n = len(key)
    if bound <= 1 << 16:  # a stable radix sort of 16-bit keys: 3-4x faster still
        o = np.argsort(key.astype(np.uint16), kind="stable")
        return o, key[o]
    b = max(int(n - 1).bit_length(), 1)
    if int(max(bound - 1, 1)).bit_length() + b > 62:
        o = np.argsort(key, kind="stable")
        return o, key[o]
    key <<= b
    key |= np.arange(n, dtype=np.int64)
    key.sort()
    o = key & ((1 << b) - 1)
    key >>= b
    return o, key


def _stable_order(key, bound):
    """Stable ``argsort`` of non-negative int ``key`` (values below ``bound``) in the
    narrowest dtype: a radix sort below 2**16, else a merge sort that runs of
    ascending keys make fast (the scored searches' keys ascend by partition)."""
    if bound <= 1 << 16:
        return np.argsort(key.astype(np.uint16), kind="stable")
    if bound < 1 << 31:
        return np.argsort(key.astype(np.int32), kind="stable")
    return np.argsort(key, kind="stable")


def grow_tree(codes, coders, k, rule=None, verbose=0, cut_at="median", relax=False,
              max_suppressed=0, search="median"):
    """Mondrian partitioning of the code matrix.

    Parameters
    ----------
    codes : ndarray (d, n) of int64
    coders : list of ColumnCoder
    k : int
    rule : SensitiveRule or None
    verbose : int
    cut_at : {"median", "k_multiple"}
        Where a partition is cut: at its median, or (``"k_multiple"``) so
        that the left side holds ``floor(p / 2)`` of the ``p = size // k``
        regions of ``k`` rows the partition could hold (the median when
        ``p`` is 2), then, on every dimension, the median where that cut is
        not allowed.
    relax : bool
        The refined cuts: each partition is first cut on the dimension whose
        allowed cut lowers the loss on that dimension most (rows x normalized
        width; every dimension tried), not on the widest one; and where no
        cut is allowed, hierarchical dimensions are cut between any two
        leaves (a last round): the sides are labelled with the children of
        their lowest common node they touch, so they may share a label on
        that dimension while other dimensions then separate them.
    search : {"median", "best", "lookahead"}
        ``"best"``: each partition is cut where the loss drops most over
        every allowed cut (every dimension, every boundary between two
        codes, hierarchical dimensions between any two leaves), the loss
        being the rows times the summed share of each dimension's domain
        that the side's label covers (all dimensions, not only the cut
        one), minus a discernibility term (see :meth:`_Grower._cut_best`);
        the ``cut_at`` / ``relax`` rounds then only serve the partitions
        whose best cut breaks ``rule``.  ``"lookahead"``: as ``"best"``, but
        the three best cuts of each partition (the best per dimension) are
        compared by their score plus the best scores of their sides' own
        cuts, two levels deep (:meth:`_Grower._lookahead`), with half the
        discernibility term.
    max_suppressed : int
        Rows that may be suppressed.  When positive, once no cut is allowed
        the regions whose loss drops most by cutting off the rows at one end
        of one dimension (fewer than ``k`` rows, the rest keeping ``k``) are
        cut there, the cut-off side becoming a *suppressed* region, and the
        kept sides are partitioned again; repeated while the budget lasts
        and the loss drops.  The suppressed regions hold either no row or at
        least ``k`` rows together (and are l-diverse / t-close together),
        else nothing is suppressed.

    Returns
    -------
    tree : dict of arrays ``feature``, ``code``, ``threshold``, ``left``,
        ``right`` (per node; feature -1 for a leaf), ``leaf`` (leaf number
        of a node, -1 internal), ``suppressed`` (per node: a suppressed
        region), ``max_depth``
    perm, leaf_start, leaf_size : the rows of each leaf are
        ``perm[leaf_start[i]:leaf_start[i] + leaf_size[i]]``
    """
    d, n = codes.shape
    g = _grown(codes, coders, k, rule, verbose, cut_at, relax, search)
    if max_suppressed > 0:
        budget = int(max_suppressed)
        for _ in range(8):
            used = g.suppress_pass(budget)
            if not used:
                break
            budget -= used
        total = len(g.suppressed_rows())
        if 0 < total < k and budget >= k - total:
            # fewer than k suppressed rows would be a class below k: suppress the
            # cheapest further ends, kept only if the loss is still lower than without
            loss = g.total_loss()
            g.suppress_pass(budget, need=k - total)
            plain = _grown(codes, coders, k, rule, 0, cut_at, relax, search)
            if g.total_loss() >= plain.total_loss() or loss is None:
                g = plain
        sup_rows = g.suppressed_rows()
        if 0 < len(sup_rows) < k or (rule is not None and len(sup_rows) and not rule.ok(
                np.bincount(rule.s_codes[sup_rows], minlength=rule.m)[None, :])[0]):
            return grow_tree(codes, coders, k, rule, verbose, cut_at, relax, 0, search)
    return g.finish()


def _grown(codes, coders, k, rule, verbose, cut_at, relax, search):
    """A :class:`_Grower` after the partitioning of all rows (and, for
    ``search="hybrid"``, the sibling post-pass of ``_refine``)."""
    g = _Grower(codes, coders, k, rule, verbose, cut_at, relax, search)
    g.grow(np.array([0]), np.array([0]), np.array([codes.shape[1]]))
    if search == "hybrid":
        from ._refine import split_pairs

        if k > _HYBRID_NO_LOOKAHEAD_K:
            split_pairs(g, _HYBRID_SPLIT_WEIGHT)
        if k >= _REPLAN_MIN_K:
            from ._replan import replan

            replan(g, _REPLAN_WEIGHT, width=_REPLAN_WIDTH, budget=min(k, _REPLAN_BUDGET))
    return g


class _Grower:
    """The breadth-first partitioning, resumable from any set of partitions."""

    def __init__(self, codes, coders, k, rule, verbose, cut_at, relax, search="median"):
        self.codes, self.coders, self.k, self.rule = codes, coders, k, rule
        self.verbose, self.cut_at, self.relax = verbose, cut_at, relax
        # "lookahead": "best" with the sides' next cuts counted; "hybrid": refined cuts
        # on large partitions, "lookahead" below
        self.lookahead = _LOOKAHEAD if search in ("lookahead", "hybrid") else 0
        self.lookahead_depth = _LOOKAHEAD_DEPTH
        self.scored_below = _HYBRID_ABOVE if search == "hybrid" else None
        # "hybrid" below k=_HYBRID_SMALL_K: partitions of at least plain_above * k rows
        # left to the unscored k-multiple cut on the widest column
        self.plain_above = None
        if search == "hybrid" and k < _HYBRID_SMALL_K:
            self.plain_above = _HYBRID_PLAIN_ABOVE
            self.lookahead_depth = _HYBRID_SMALL_DEPTH
            if k <= _HYBRID_NO_LOOKAHEAD_K:
                self.lookahead = 0
                self.plain_above = _HYBRID_TINY_PLAIN_ABOVE
        search = "best" if search in ("lookahead", "hybrid") else search
        self.search = search
        if search == "best":
            self.cost = _RegionCost(coders)
            self.combo, self.combo_first = _duplicates(codes, return_first=True)
        d, n = codes.shape
        self.M = int(max(c.n_values for c in coders)) + 2
        # row numbers and partition numbers as int32 below 2**31 rows: half the memory
        self.idx_dtype = np.int32 if n < np.iinfo(np.int32).max else np.int64
        self.perm = np.arange(n, dtype=self.idx_dtype)
        self.feature, self.code_thr, self.left, self.right = (
            np.full(1, -1, dtype=np.int64) for _ in range(4))
        self.leaves = []  # (node, start, size, suppressed) arrays
        self.depth = 0
        self.hier = [_HierarchyCuts(c) if c.hierarchy is not None else None for c in coders]
        self.count_distinct = [c.kind == "categorical" and c.hierarchy is None
                               and c.n_values + 1 <= 62 for c in coders]
        self._gather_src = None  # per column, the codes in the smallest dtype (_gather_sources)
        self._memo = None  # the scores of the partitions seen (_score_cuts)

    def _gather_sources(self):
        """Per column, its codes in the smallest unsigned dtype holding them
        (uint8 / uint16; the codes' own row otherwise), cached: the median
        path's per-level gathers read 1-2 bytes per row instead of 4 or 8."""
        if self._gather_src is None:
            self._gather_src = []
            for j, c in enumerate(self.coders):
                top = int(c.n_values)  # the largest code: the missing one
                dt = np.uint8 if top <= 255 else np.uint16 if top <= 65_535 else None
                cj = self.codes[j]
                self._gather_src.append(cj.astype(dt) if dt is not None and cj.dtype != dt
                                        else cj)
        return self._gather_src

    def _new_nodes(self, parents, dims, thr):
        """Two children per parent; returns (left ids, right ids)."""
        n_nodes = len(self.feature)
        m = len(parents)
        new_left = n_nodes + 2 * np.arange(m)
        grow = np.full(2 * m, -1, dtype=np.int64)
        self.feature = np.concatenate([self.feature, grow])
        self.code_thr = np.concatenate([self.code_thr, grow])
        self.left = np.concatenate([self.left, grow])
        self.right = np.concatenate([self.right, grow])
        self.feature[parents] = dims
        self.code_thr[parents] = thr
        self.left[parents] = new_left
        self.right[parents] = new_left + 1
        return new_left, new_left + 1

    def _bounds(self, act_start, act_size, keep_codes=False):
        """Rows of the partitions and their per-dimension min/max codes and spans.

        Returns ``(offs, seg, pos, rows, mn, mx, span)``; with ``keep_codes``
        an eighth item, the codes of ``rows`` (a list, one array per column,
        in the smallest dtype), gathered once for :func:`_try_cuts` too.
        """
        d = self.codes.shape[0]
        P = len(act_start)
        offs = np.concatenate(([0], np.cumsum(act_size)[:-1])).astype(np.int64)
        total = int(act_size.sum())
        seg = np.repeat(np.arange(P, dtype=self.idx_dtype), act_size)
        pos = np.arange(total, dtype=self.idx_dtype)
        pos += (np.asarray(act_start, dtype=np.int64) - offs).astype(self.idx_dtype)[seg]
        rows = self.perm[pos]
        mn = np.empty((P, d), dtype=np.int64)
        mx = np.empty((P, d), dtype=np.int64)
        gathered = [] if keep_codes else None
        source = self._gather_sources() if keep_codes else self.codes
        distinct = {}
        for j in range(d):
            cj = np.take(source[j], rows, mode="clip")  # rows are valid: no check
            mn[:, j] = np.minimum.reduceat(cj, offs)
            mx[:, j] = np.maximum.reduceat(cj, offs)
            if self.count_distinct[j]:
                distinct[j] = _popcount(np.bitwise_or.reduceat(_BIT[cj], offs))
            if keep_codes:
                gathered.append(cj)
            del cj
        span = _normalized_span(self.coders, mn, mx, distinct)
        if keep_codes:
            return offs, seg, pos, rows, mn, mx, span, gathered
        return offs, seg, pos, rows, mn, mx, span

    def grow(self, act_node, act_start, act_size):
        k = self.k
        o = np.argsort(np.asarray(act_start), kind="stable")  # partitions in perm order
        act_node, act_start, act_size = (np.asarray(a, dtype=np.int64)[o]
                                         for a in (act_node, act_start, act_size))
        depth = 0
        while len(act_node):
            P = len(act_node)
            cut_dim = np.full(P, -1, dtype=np.int64)
            cut_code = np.full(P, -1, dtype=np.int64)
            cut_left = np.zeros(P, dtype=np.int64)
            # partitions below 2k rows are final: their rows are not read at all
            big = np.flatnonzero(act_size >= 2 * k)
            if len(big) == P:
                self._cut_level(act_start, act_size, cut_dim, cut_code, cut_left)
            elif len(big):
                b_dim, b_code, b_left = cut_dim[big], cut_code[big], cut_left[big]
                self._cut_level(act_start[big], act_size[big], b_dim, b_code, b_left)
                cut_dim[big], cut_code[big], cut_left[big] = b_dim, b_code, b_left
            split = cut_dim >= 0
            new_left, new_right = self._new_nodes(act_node[split], cut_dim[split],
                                                  cut_code[split])
            stop = ~split
            self.leaves.append((act_node[stop], act_start[stop], act_size[stop],
                                np.zeros(int(stop.sum()), dtype=bool)))
            if self.verbose:
                print(f"[MondrianAnonymizer] depth {depth}: {P} partitions, "
                      f"{int(split.sum())} cut, {int(stop.sum())} final", flush=True)
            sp = np.flatnonzero(split)
            act_node = np.stack([new_left, new_right], axis=1).ravel()
            act_start = np.stack([act_start[sp], act_start[sp] + cut_left[sp]], axis=1).ravel()
            act_size = np.stack([cut_left[sp], act_size[sp] - cut_left[sp]], axis=1).ravel()
            depth += 1
        self.depth = max(self.depth, depth)

    def _cut_level(self, act_start, act_size, cut_dim, cut_code, cut_left):
        """Choose the cuts of one level's partitions (in ``perm`` order, each of at
        least ``2k`` rows): fills ``cut_dim`` / ``cut_code`` / ``cut_left`` (-1 /
        -1 / 0 where a partition is final) and reorders ``perm`` for the cut ones."""
        codes, coders, k, rule, hier = self.codes, self.coders, self.k, self.rule, self.hier
        d = codes.shape[0]
        cut_at, M, perm = self.cut_at, self.M, self.perm
        P = len(act_start)
        # the codes of the level's rows, gathered once for the bounds and the cuts
        # (not for the scored search, which reads its own)
        offs, seg, pos, rows, mn, mx, span, *gathered = self._bounds(
            act_start, act_size, keep_codes=self.search != "best")
        gathered = gathered[0] if gathered else None
        dim_order = np.argsort(-span, axis=1, kind="stable")
        undecided = (act_size >= 2 * k) & (span.max(axis=1) > 0)
        # (target, relaxed hierarchy cuts, min size in k); refined: the target cut was
        # tried on every dimension by _cut_by_gain
        rounds = [] if self.relax else [(cut_at, False, 2)]
        if cut_at != "median":  # the median where the k-multiple cut is not allowed
            rounds.append(("median", False, 3))
        if self.relax and any(h is not None for h in hier):
            rounds.append((cut_at, True, 2))
        hier_dims = [j for j, h in enumerate(hier) if h is not None]
        if self.search == "best":  # every allowed cut, the one lowering the loss most
            self._cut_best(act_size, offs, seg, pos, rows, mn, mx, undecided,
                           cut_dim, cut_code, cut_left)
        elif self.relax:  # refined: first the dimension whose cut lowers the loss most
            self._cut_by_gain(act_size, span, seg, offs, rows, pos, undecided,
                              cut_dim, cut_code, cut_left)
        for r_at, r_relax, r_min in rounds:
            for r in range(d):
                jr = dim_order[:, r]
                cand = undecided & (span[np.arange(P), jr] > 0) & (act_size >= r_min * k)
                if r_relax:
                    cand &= np.isin(jr, hier_dims)
                if not cand.any():
                    continue
                sub = np.flatnonzero(cand)
                _try_cuts(sub, jr[sub], seg, offs, act_size, rows, pos, codes, coders,
                          hier, k, rule, M, perm, cut_dim, cut_code, cut_left, undecided,
                          r_at, r_relax, gathered=gathered, bounds=(mn, mx))

    def _cut_by_gain(self, act_size, span, seg, offs, rows, pos, undecided,
                     cut_dim, cut_code, cut_left):
        """Cut each partition on the dimension where its allowed cut lowers the
        loss (rows x normalized width on that dimension) most."""
        codes, coders, k, d = self.codes, self.coders, self.k, self.codes.shape[0]
        P = len(act_size)
        best_gain = np.zeros(P)
        best_dim = np.full(P, -1, dtype=np.int64)
        infos = {}
        for j in range(d):
            cand = undecided & (span[:, j] > 0)
            if not cand.any():
                continue
            sub = np.flatnonzero(cand)
            info = {}
            _try_cuts(sub, np.full(len(sub), j), seg, offs, act_size, rows, pos, codes, coders,
                      self.hier, k, self.rule, self.M, self.perm, cut_dim, cut_code, cut_left,
                      undecided, self.cut_at, False, dry=info)
            m = act_size[sub]
            left = info["left"]
            acc = info["accept"]
            # the sides' widths on the cut dimension (a cut also narrows others, but
            # scoring on this one alone gave the lower loss on Adult)
            one = [coders[j]]
            w_l = _normalized_span(one, info["lo_l"][:, None], info["hi_l"][:, None], {})[:, 0]
            w_r = _normalized_span(one, info["lo_r"][:, None], info["hi_r"][:, None], {})[:, 0]
            gain = m * span[sub, j] - (left * w_l + (m - left) * w_r)
            better = acc & (gain > best_gain[sub])
            best_gain[sub[better]] = gain[better]
            best_dim[sub[better]] = j
            infos[j] = (sub, info)
        for j in np.unique(best_dim[best_dim >= 0]):  # apply: the dry run's order, no new sort
            sub, info = infos[j]
            take = best_dim[sub] == j
            acc = sub[take]
            cut_dim[acc] = j
            cut_code[acc] = info["thr"][take]
            cut_left[acc] = info["left"][take]
            undecided[acc] = False
            keep = np.repeat(take, act_size[sub])
            self.perm[info["pos"][keep]] = info["rows"][keep]

    def _narrow_codes(self):
        """The codes in the narrowest int dtype that holds them (int16 below 2**15
        codes), cached: the scored searches gather them many times per level."""
        c = getattr(self, "_codes_narrow", None)
        if c is None:
            c = self.codes.astype(np.int16 if self.M < 1 << 15 else np.int32)
            self._codes_narrow = c
        return c

    def _packed_counts(self):
        """Per row: its group's size (identical rows) ``<< 32``, plus the same
        size again when it is below ``k`` (the weighted scores' two counts in
        one int64); cached."""
        w = getattr(self, "_packed_c", None)
        if w is None:
            c = self.combo.astype(np.int64)
            w = self._packed_c = (c << 32) | np.where(c < self.k, c, 0)
        return w

    def _dup_weights(self, weighted=False):
        """Per row: the size of its group of identical rows when at least ``k``
        (float, else 0), and whether that group is below ``k`` (int); cached.
        ``weighted``: the sums of these over the row's group (a row standing
        for its group)."""
        name = "_dup_w_group" if weighted else "_dup_w"
        w = getattr(self, name, None)
        if w is None:
            c, k = self.combo, self.k
            m = c if weighted else 1
            w = (np.where(c >= k, c * m, 0).astype(np.float64),
                 np.where(c < k, m, 0).astype(np.int64))
            setattr(self, name, w)
        return w

    def _score_cuts(self, size, offs, seg, rows, mn, mx, cand_p, want="best"):
        """:meth:`_score_cuts_raw`, remembered per partition for ``want="best"``.

        The scores of a partition depend on its set of rows only (not on
        their order nor on the other partitions of the call), and the
        lookahead scores the same partitions again one level later (the
        sides of the chosen cuts, and their sides): a partition is known by
        its size, its per-dimension minima and maxima and the sum (mod
        2**64) of a random 64-bit tag of each of its rows; only the
        partitions not seen before are scored.  The sums are looked up in a
        dict, the rest of the key compared with the stored one (a partition
        whose sum was stored for another is scored again).
        """
        if want != "best" or not cand_p.any():
            return self._score_cuts_raw(size, offs, seg, rows, mn, mx, cand_p, want)
        P, d = mn.shape
        idx = np.flatnonzero(cand_p)
        if not self.lookahead:  # nothing scored twice: no look-up, nothing kept
            return self._score_new(size, offs, seg, rows, mn, mx, P, d, idx,
                                   np.zeros(len(idx), dtype=bool))
        memo = self._memo
        if memo is None:
            rng = np.random.default_rng(0x5EED)
            tags = rng.integers(0, np.iinfo(np.int64).max, self.codes.shape[1],
                                dtype=np.int64, endpoint=True).view(np.uint64)
            tags[~self.combo_first] = 0  # the same sum over the first rows of the groups only
            memo = self._memo = {"tags": tags, "index": {}, "n": 0, "level": 0, "kept": 0,
                                 "gen": np.empty(0, dtype=np.int64),
                                 "K": np.empty((0, 1 + 2 * d), dtype=np.int64),
                                 "S": np.empty((0, d)), "T": np.empty((0, d), dtype=np.int64),
                                 "L": np.empty((0, d), dtype=np.int64)}
        tag = np.add.reduceat(memo["tags"][rows], offs) if len(rows) else np.zeros(P, np.uint64)
        key = np.empty((len(idx), 1 + 2 * d), dtype=np.int64)
        key[:, 0] = size[idx]
        key[:, 1:1 + d] = mn[idx]
        key[:, 1 + d:] = mx[idx]
        tag_list = tag[idx].tolist()
        index = memo["index"]
        at = np.fromiter(map(index.get, tag_list, itertools.repeat(-1, len(tag_list))),
                         dtype=np.int64, count=len(tag_list))
        hit = at >= 0
        if hit.any():
            hit[hit] = (memo["K"][at[hit]] == key[hit]).all(axis=1)
        S, T, Lf, pm, Sm, Tm, Lm = self._score_new(size, offs, seg, rows, mn, mx, P, d, idx,
                                                   hit, memo=memo, at=at)
        if pm is None:
            return S, T, Lf
        # remember the new ones
        miss = ~hit
        new_tags = tag[idx[miss]].tolist()
        n0 = memo["n"]
        n1 = n0 + len(pm)
        if n1 > len(memo["S"]):
            cap = max(2 * len(memo["S"]), n1, 1024)
            for name in ("S", "T", "L", "gen", "K"):
                grown = np.empty((cap,) + memo[name].shape[1:], dtype=memo[name].dtype)
                grown[:n0] = memo[name][:n0]
                memo[name] = grown
        memo["S"][n0:n1], memo["T"][n0:n1], memo["L"][n0:n1] = Sm, Tm, Lm
        memo["K"][n0:n1] = key[miss]
        memo["gen"][n0:n1] = memo["level"]
        index.update(zip(new_tags, range(n0, n1)))
        memo["n"] = n1
        return S, T, Lf

    def _score_new(self, size, offs, seg, rows, mn, mx, P, d, idx, hit, memo=None, at=None):
        """The scores (P, d) of :meth:`_score_cuts`: the partitions ``idx[hit]``
        from ``memo`` (rows ``at[hit]``), the others by :meth:`_score_cuts_raw`.
        Without ``memo``: ``(S, T, Lf)``; with it also the new partitions and
        their scores ``(pm, Sm, Tm, Lm)`` (``pm`` None when all were known)."""
        S = np.full((P, d), -np.inf)
        T = np.full((P, d), -1, dtype=np.int64)
        Lf = np.zeros((P, d), dtype=np.int64)
        if hit.any():
            ph, ah = idx[hit], at[hit]
            S[ph], T[ph], Lf[ph] = memo["S"][ah], memo["T"][ah], memo["L"][ah]
            memo["gen"][ah] = memo["level"]
        if hit.all():
            return (S, T, Lf) if memo is None else (S, T, Lf, None, None, None, None)
        miss_p = np.zeros(P, dtype=bool)
        miss_p[idx[~hit]] = True
        pm = np.flatnonzero(miss_p)
        size_m = np.asarray(size[pm], dtype=np.int64)
        # identical rows are never separated: a partition is scored on the first row of
        # each of its groups of identical rows, weighted by the group's size
        mask = miss_p[seg]
        mask &= self.combo_first[rows]
        rows_m = rows[mask]
        seg_m = (np.cumsum(miss_p) - 1)[seg[mask]]
        n_m = np.bincount(seg_m, minlength=len(pm))
        offs_m = np.concatenate(([0], np.cumsum(n_m)[:-1])).astype(np.int64)
        if self.codes.shape[1] < 1 << 31 and (n_m > 0).all() and np.array_equal(np.add.reduceat(self.combo[rows_m], offs_m),
                                              size_m):
            Sm, Tm, Lm = self._score_cuts_raw(size_m, offs_m, seg_m.astype(seg.dtype), rows_m,
                                              mn[pm], mx[pm], np.ones(len(pm), dtype=bool),
                                              weighted=True)
        else:  # not reached (a cut never separates identical rows): every row
            mask = miss_p[seg]
            rows_m = rows[mask]
            seg_m = (np.cumsum(miss_p) - 1)[seg[mask]].astype(seg.dtype)
            offs_m = np.concatenate(([0], np.cumsum(size_m)[:-1])).astype(np.int64)
            Sm, Tm, Lm = self._score_cuts_raw(size_m, offs_m, seg_m, rows_m, mn[pm], mx[pm],
                                              np.ones(len(pm), dtype=bool))
        S[pm], T[pm], Lf[pm] = Sm, Tm, Lm
        return (S, T, Lf) if memo is None else (S, T, Lf, pm, Sm, Tm, Lm)

    def _memo_next_level(self):
        """A new level of the tree: the remembered scores not used in the last
        two levels are dropped once they are many (a partition's scores are
        looked up at most two levels after they were computed), so that the
        memory stays proportional to a few levels' partitions."""
        memo = self._memo
        if memo is None:
            return
        memo["level"] += 1
        n = memo["n"]
        if n <= 2 * memo["kept"] + 65_536:
            return
        keep = memo["gen"][:n] >= memo["level"] - 2
        new_pos = np.cumsum(keep) - 1
        new_pos[~keep] = -1
        pos_list = new_pos.tolist()
        memo["index"] = {key: pos_list[at] for key, at in memo["index"].items()
                         if pos_list[at] >= 0}
        for name in ("S", "T", "L", "gen", "K"):
            memo[name] = memo[name][:n][keep].copy()
        memo["n"] = memo["kept"] = int(keep.sum())

    def _score_cuts_raw(self, size, offs, seg, rows, mn, mx, cand_p, want="best",
                        weighted=False):
        """Best cut of each partition ``cand_p`` on each dimension (see :meth:`_cut_best`).

        ``weighted``: ``rows`` (``offs``, ``seg``) hold one row of each group
        of identical rows of the partitions (of ``size`` rows), standing for
        the group's ``combo`` rows.

        Returns ``(score, thr, left)``, each (P, d): the score of the best
        allowed cut on that dimension (-inf: none), its threshold (left side:
        ``code <= thr``) and the rows on its left.  ``want="cost"`` adds a
        fourth (P, d) array: the summed cost (rows x label share) of the two
        sides of that cut.  ``want="all"``: every allowed cut instead, as a
        dict of flat arrays ``part``, ``dim``, ``thr``, ``left``, ``cost_left``,
        ``cost_right`` (partitions in order within each dimension).
        """
        k = self.k
        codes = self._narrow_codes()
        P = len(size)
        d = codes.shape[0]
        S = np.full((P, d), -np.inf)
        T = np.full((P, d), -1, dtype=np.int64)
        Lf = np.zeros((P, d), dtype=np.int64)
        GC = np.zeros((P, d))
        every = {key: [] for key in ("part", "dim", "thr", "left", "cost_left", "cost_right")}

        def result():
            if want == "all":
                return {key: np.concatenate(v) if v else np.zeros(0) for key, v in every.items()}
            return (S, T, Lf, GC) if want == "cost" else (S, T, Lf)

        if not cand_p.any():
            return result()
        seg64 = seg.astype(np.int64)
        size = size.astype(np.int64)
        parent = size * self.cost.total(mn, mx)
        big_w, small_w = self._dup_weights(weighted)
        # sums of squared group sizes stay below n**2: exact in float64 below 2**53,
        # so an int64 cumulative sum (several times faster) gives the same floats
        big_i = None
        if self.codes.shape[1] ** 2 < 1 << 53:
            big_i = getattr(self, "_big_int" + ("_w" if weighted else ""), None)
            if big_i is None:
                big_i = big_w.astype(np.int64)
                setattr(self, "_big_int" + ("_w" if weighted else ""), big_i)
        big_r, small_r = big_w[rows], small_w[rows]
        n_entries = np.diff(np.r_[offs, len(rows)]).astype(np.int64) if weighted else size
        tot_big = np.add.reduceat(big_r, offs) if len(rows) else np.zeros(P)
        tot_small = np.add.reduceat(small_r, offs) if len(rows) else np.zeros(P, dtype=np.int64)
        bound = _disc_bound(tot_big, tot_small, k)
        for j in range(d):
            psel = cand_p & (mn[:, j] < mx[:, j])
            if not psel.any():
                continue
            if psel.all():
                r_sub, s_sub = rows, seg64
            else:
                mask = psel[seg]
                r_sub, s_sub = rows[mask], seg64[mask]
            Mj = int(self.coders[j].n_values) + 1  # codes 0 .. n_values (the missing one)
            key_dt = np.int32 if P * Mj < 1 << 31 else np.int64
            o = _stable_order(s_sub.astype(key_dt) * Mj + codes[j][r_sub], P * Mj)
            rs = r_sub[o]  # s_sub ascends: unchanged by the sort
            del o, r_sub
            start = np.zeros(P, dtype=np.int64)
            start[psel] = np.concatenate(([0], np.cumsum(n_entries[psel])[:-1]))
            cj = codes[j][rs]
            N = len(rs)
            # groups: runs of one code within one partition (a cut falls between two)
            brk = np.empty(N, dtype=bool)
            brk[0] = True
            np.not_equal(s_sub[1:], s_sub[:-1], out=brk[1:])
            brk[1:] |= cj[1:] != cj[:-1]
            gs = np.flatnonzero(brk)
            ge = np.empty_like(gs)
            ge[:-1] = gs[1:] - 1  # last row of each group
            ge[-1] = N - 1
            g_seg = s_sub[gs]
            G = len(gs)
            if weighted:  # rows up to the group's end within the partition
                # one cumulative sum of (rows << 32 | small-group rows), both below 2**31
                cpk = np.cumsum(self._packed_counts()[rs])
                g_start = start[g_seg]
                cw_end = cpk[ge] >> 32
                left = cw_end - np.where(g_start > 0, cpk[np.maximum(g_start - 1, 0)] >> 32, 0)
                del g_start, cw_end
            else:
                left = ge + 1 - start[g_seg]
            ok = np.zeros(G, dtype=bool)
            ok[:-1] = g_seg[1:] == g_seg[:-1]
            ok &= (left >= k) & (size[g_seg] - left >= k)
            t = np.flatnonzero(ok)  # cut after group t
            if not len(t):
                continue
            sg = g_seg[t]
            L = left[t]
            R = size[sg] - L
            # the two sides' cost: per dimension, their minima / maxima from prefix /
            # suffix bounds over the groups of the partitions varying on it
            nt = len(t)
            both = self._sides_cost(j, cj, rs, gs, g_seg, t, sg, start,
                                    n_entries, mn, mx, P)
            c_l = L * both[:nt]
            c_r = R * both[nt:]
            del both
            if want == "all":
                for key, v in zip(every, (sg, np.full(len(t), j), cj[ge[t]], L, c_l, c_r)):
                    every[key].append(v)
                continue
            gain = parent[sg] - c_l - c_r
            # discernibility bound of the sides (duplicates never separated)
            te = ge[t]
            base = start[sg] - 1
            if big_i is not None:  # the same integers, from an int64 cumulative sum
                cbig = np.cumsum(big_i[rs])
                lb_big = (cbig[te] - np.where(base >= 0, cbig[np.maximum(base, 0)], 0)
                          ).astype(np.float64)
            else:
                cbig = np.cumsum(big_w[rs])
                lb_big = cbig[te] - np.where(base >= 0, cbig[np.maximum(base, 0)], 0.0)
            if weighted:
                low = np.int64(0xFFFFFFFF)
                lb_small = (cpk[te] & low) - np.where(base >= 0, cpk[np.maximum(base, 0)] & low, 0)
            else:
                csmall = np.cumsum(small_w[rs])
                lb_small = csmall[te] - np.where(base >= 0, csmall[np.maximum(base, 0)], 0)
            rise = (_disc_bound(lb_big, lb_small, k)
                    + _disc_bound(tot_big[sg] - lb_big, tot_small[sg] - lb_small, k) - bound[sg])
            score = gain - (_LOOKAHEAD_DISC if self.lookahead else 1.0) * rise / k
            # the best candidate of each partition (candidates are in partition order)
            first = np.flatnonzero(np.r_[True, sg[1:] != sg[:-1]])
            top = np.maximum.reduceat(score, first)
            at = np.flatnonzero(score == np.repeat(top, np.diff(np.r_[first, len(t)])))
            at = at[np.r_[True, sg[at][1:] != sg[at][:-1]]]
            pg = sg[at]
            S[pg, j] = score[at]
            T[pg, j] = cj[ge[t[at]]]
            Lf[pg, j] = L[at]
            GC[pg, j] = c_l[at] + c_r[at]
        return result()

    def _sides_cost(self, j, cj, rs, gs, g_seg, t, sg, start, n_entries, mn, mx, P):
        """Summed cost (:class:`_RegionCost`) of the two sides of each candidate cut on
        dimension ``j`` (the left sides, then the right), the same floats as
        ``cost.total`` on their minima / maxima.

        ``rs``: the entries sorted by partition and code ``cj``; ``gs`` /
        ``g_seg``: the first entry and the partition of each run of one code;
        ``t``: the runs a candidate cuts after, ``sg`` their partitions; ``start``
        / ``n_entries``: each partition's first entry and entries.  Only the
        partitions holding a candidate are read, on the dimensions varying in
        one of them: their runs' minima / maxima, then prefix / suffix bounds
        within each partition (running maxima over ascending offsets).
        """
        cost, codes, M = self.cost, self._narrow_codes(), self.M
        d = codes.shape[0]
        nt = len(t)
        ge = np.empty_like(gs)
        ge[:-1] = gs[1:] - 1
        ge[-1] = len(rs) - 1
        te = ge[t]
        first_of = start[sg]
        out = np.zeros(2 * nt)
        hasc = np.zeros(P, dtype=bool)
        hasc[sg] = True
        ng = np.bincount(g_seg, minlength=P)
        gfirst = np.cumsum(ng) - ng
        shift_unit = 2 * (M + 1)
        wide = int(g_seg[-1]) * shift_unit + shift_unit >= np.iinfo(np.int32).max
        dt = np.int64 if wide else np.int32
        var = [i for i in range(d) if i != j and (hasc & (mn[:, i] < mx[:, i])).any()]
        lo_all = np.empty((d, 2 * nt), dtype=np.int64)
        hi_all = np.empty((d, 2 * nt), dtype=np.int64)
        lo_all[j, :nt], lo_all[j, nt:] = cj[first_of], cj[te + 1]
        hi_all[j, :nt], hi_all[j, nt:] = cj[te], cj[first_of + n_entries[sg] - 1]
        for i in range(d):
            if i != j and i not in var:
                lo_all[i, :nt] = lo_all[i, nt:] = hi_all[i, :nt] = hi_all[i, nt:] = mn[sg, i]
        if var:
            if hasc[g_seg].all():
                r_i, gs_i, gseg_i, t_i = rs, gs, g_seg, t
            else:  # the entries and runs of the partitions holding a candidate
                gk = hasc[g_seg]
                ne = np.where(hasc, n_entries, 0)
                st_i = np.cumsum(ne) - ne
                kp = np.flatnonzero(hasc)
                pos = np.repeat(start[kp] - st_i[kp], ne[kp])
                pos += np.arange(len(pos))
                r_i = rs[pos]
                gseg_i = g_seg[gk]
                gs_i = gs[gk] - start[gseg_i] + st_i[gseg_i]
                ngi = np.where(hasc, ng, 0)
                t_i = t - gfirst[sg] + (np.cumsum(ngi) - ngi)[sg]
        if var:
            C = codes[var].take(r_i, axis=1)
            gmx = np.maximum.reduceat(C, gs_i, axis=1).astype(dt)
            gmn = np.minimum.reduceat(C, gs_i, axis=1).astype(dt)
            del C
            G_i = len(gs_i)
            shift = (gseg_i * shift_unit).astype(dt)
            A = gmx + shift
            np.maximum.accumulate(A, axis=1, out=A)
            hi_all[var, :nt] = A[:, t_i] - shift[t_i]
            np.subtract(shift, gmn, out=A)
            np.maximum.accumulate(A, axis=1, out=A)
            lo_all[var, :nt] = shift[t_i] - A[:, t_i]
            rsh = ((gseg_i[-1] - gseg_i[::-1]) * shift_unit).astype(dt)
            np.add(gmx[:, ::-1], rsh, out=A)
            np.maximum.accumulate(A, axis=1, out=A)
            tr = G_i - 2 - t_i
            hi_all[var, nt:] = A[:, tr] - rsh[tr]
            np.subtract(rsh, gmn[:, ::-1], out=A)
            np.maximum.accumulate(A, axis=1, out=A)
            lo_all[var, nt:] = rsh[tr] - A[:, tr]
            del A, gmx, gmn
        for i in range(d):
            out += cost.dim(i, lo_all[i], hi_all[i])
        return out

    def _lookahead(self, size, offs, rows, S, T, Lf, depth=1):
        """Scores (P, d) of the ``lookahead`` best cuts of each partition (the best
        per dimension, highest first; -inf for the others) plus the best scores
        of their two sides' own next cuts (0 when a side is final), these
        scored ``depth - 1`` levels deeper in turn."""
        codes, k = self._narrow_codes(), self.k
        d = codes.shape[0]
        P = S.shape[0]
        m = min(int(self.lookahead), d)
        top = np.argsort(-S, axis=1, kind="stable")[:, :m]
        cp = np.repeat(np.arange(P), m)
        cj = top.ravel()
        live = np.isfinite(S[cp, cj])
        cp, cj = cp[live], cj[live]
        out = np.full_like(S, -np.inf)
        # a cut whose two sides are below 2k rows is final: its own score
        Lc = Lf[cp, cj]
        deeper = (Lc >= 2 * k) | (size[cp] - Lc >= 2 * k)
        out[cp[~deeper], cj[~deeper]] = S[cp[~deeper], cj[~deeper]]
        cp, cj = cp[deeper], cj[deeper]
        if not len(cp):
            return out
        C = len(cp)
        csize = size[cp].astype(np.int64)
        # the partitions' entries in ``rows``: every row, or (from _cut_best) the first
        # row of each group of identical rows
        ecount = np.diff(np.r_[offs, len(rows)]).astype(np.int64)[cp]
        cstart = np.concatenate(([0], np.cumsum(ecount)[:-1]))
        rep = np.repeat(np.arange(C), ecount)
        within = np.arange(int(ecount.sum())) - cstart[rep]
        r = rows[offs[cp][rep] + within]
        del within
        # the cut dimension's code of each entry: one flat take (not a 2-d fancy index)
        is_right = codes.ravel().take(cj[rep] * codes.shape[1] + r) > T[cp, cj][rep]
        side = rep.astype(np.int64) * 2 + is_right
        Lc = Lf[cp, cj]
        sizes_all = np.stack([Lc, csize - Lc], axis=1).ravel()
        # only the sides of at least 2k rows can be cut again (the others add 0)
        need = sizes_all >= 2 * k
        keep = need[side]
        r, side = r[keep], side[keep]
        del rep, is_right, keep
        ecount2 = np.bincount(side, minlength=2 * C)[need]
        o = _stable_order(side, 2 * C)
        r = r[o]
        del o, side
        sizes2 = sizes_all[need]
        n2 = len(sizes2)
        offs2 = np.concatenate(([0], np.cumsum(ecount2)[:-1])).astype(np.int64)
        seg2 = np.repeat(np.arange(n2, dtype=self.idx_dtype), ecount2)
        mn2 = np.empty((n2, d), dtype=np.int64)
        mx2 = np.empty((n2, d), dtype=np.int64)
        for i in range(d):
            ci = codes[i][r]
            mn2[:, i] = np.minimum.reduceat(ci, offs2) if n2 else ci[:0]
            mx2[:, i] = np.maximum.reduceat(ci, offs2) if n2 else ci[:0]
        cand2 = (mn2 < mx2).any(axis=1)
        S2, T2, L2 = self._score_cuts(sizes2, offs2, seg2, r, mn2, mx2, cand2)
        if depth > 1:
            S2 = self._lookahead(sizes2, offs2, r, S2, T2, L2, depth - 1)
        best2 = np.zeros(2 * C)
        best2[need] = np.maximum(S2.max(axis=1), 0.0) if n2 else 0.0
        S2 = best2
        out[cp, cj] = S[cp, cj] + S2[0::2] + S2[1::2]
        return out

    def _cut_best(self, act_size, offs, seg, pos, rows, mn, mx, undecided,
                  cut_dim, cut_code, cut_left):
        """Cut each undecided partition where its loss drops most, over every allowed cut.

        Per dimension, the rows of the partitions that are not constant on it
        are sorted by it once; every boundary between two distinct codes
        with at least ``k`` rows on either side is a candidate (on a
        hierarchical dimension too, between any two leaves).  The prefix
        and suffix minima / maxima of every dimension give each side's
        label, hence its cost (:class:`_RegionCost`: rows times the summed
        share of the domains the labels cover).  The score of a cut is the
        cost it removes minus the rise of a lower bound of the final
        discernibility (:func:`_disc_bound`: identical rows are never
        separated, so a side holding fewer than ``k`` rows of small
        duplicate groups must merge them into a larger group), over ``k``.
        With ``lookahead``, the best cuts of each partition (the best one
        per dimension, the ``lookahead`` highest) are scored again with the
        best scores of their sides' own next cuts added.
        The best cut of each partition is kept if the sides pass ``rule``;
        a partition without any allowed cut is final; one whose best cut
        breaks ``rule`` is left to the other rounds.
        """
        codes = self.codes
        P = len(act_size)
        self._memo_next_level()
        cand_p = undecided.copy()
        if not cand_p.any():
            return
        seg64 = seg.astype(np.int64)
        if self.plain_above is not None:  # large: left to _cut_level's unscored rounds
            cand_p &= act_size < self.plain_above * self.k
            if not cand_p.any():
                return
        if self.scored_below is not None:  # "hybrid": refined cuts on the large partitions
            big = cand_p & (act_size >= self.scored_below * self.k)
            if big.any():
                span = _normalized_span(self.coders, mn, mx, {})
                self._cut_by_gain(act_size, span, seg, offs, rows, pos, big.copy(),
                                  cut_dim, cut_code, cut_left)
                undecided[big & (cut_dim >= 0)] = False
                cand_p &= ~big
                if not cand_p.any():
                    return
        # scored on the first row of each group of identical rows (a cut never separates
        # them; the scores count each group's rows)
        first = self.combo_first[rows]
        s_rows, s_seg = rows[first], seg[first]
        entries = np.bincount(s_seg, minlength=P)
        if (entries > 0).all():
            s_offs = np.concatenate(([0], np.cumsum(entries)[:-1])).astype(np.int64)
        else:  # not reached: every row
            s_rows, s_seg, s_offs = rows, seg, offs
        del first, entries
        S, T, Lf = self._score_cuts(act_size, s_offs, s_seg, s_rows, mn, mx, cand_p)
        if self.lookahead:
            S = self._lookahead(act_size, s_offs, s_rows, S, T, Lf, self.lookahead_depth)
        del s_rows, s_seg, s_offs
        b_dim = np.argmax(S, axis=1)
        ar = np.arange(P)
        b_dim = np.where(np.isfinite(S[ar, b_dim]), b_dim, -1)
        b_thr = T[ar, np.maximum(b_dim, 0)]
        b_left = Lf[ar, np.maximum(b_dim, 0)]
        found = b_dim >= 0
        undecided[cand_p & ~found] = False  # no allowed cut at all
        if not found.any():
            return
        in_cut = found[seg]
        sg, rr = seg64[in_cut], rows[in_cut]
        is_left = codes.ravel().take(b_dim[sg] * codes.shape[1] + rr) <= b_thr[sg]
        if self.rule is not None:  # the best cut must keep both sides l-diverse / t-close
            rule = self.rule
            idx = np.flatnonzero(found)
            local = np.searchsorted(idx, sg)
            sv = rule.s_codes[rr]
            tot = np.bincount(local * rule.m + sv, minlength=len(idx) * rule.m).reshape(-1, rule.m)
            hl = np.bincount(local[is_left] * rule.m + sv[is_left],
                             minlength=len(idx) * rule.m).reshape(-1, rule.m)
            passes = np.zeros(P, dtype=bool)
            passes[idx] = rule.ok(hl) & rule.ok(tot - hl)
            found &= passes
            keep = found[sg]
            sg, rr, is_left = sg[keep], rr[keep], is_left[keep]
            in_cut &= found[seg]
            if not found.any():
                return
        o = _stable_order(sg * 2 + ~is_left, 2 * P)  # stable: row order kept per side
        self.perm[pos[in_cut]] = rr[o]
        cut_dim[found] = b_dim[found]
        cut_code[found] = b_thr[found]
        cut_left[found] = b_left[found]
        undecided[found] = False

    def _leaf_arrays(self):
        node, start, size, sup = (np.concatenate([lv[i] for lv in self.leaves])
                                  for i in range(4))
        return node, start, size, sup

    def suppressed_rows(self):
        node, start, size, sup = self._leaf_arrays()
        return np.concatenate([self.perm[a:a + b] for a, b in zip(start[sup], size[sup])]
                              + [np.empty(0, dtype=np.int64)])

    def total_loss(self):
        """Sum over rows and dimensions of the normalized widths (suppressed: 1)."""
        node, start, size, sup = self._leaf_arrays()
        d = self.codes.shape[0]
        kept = ~sup
        span = self._bounds(start[kept], size[kept])[-1] if kept.any() else np.zeros((0, d))
        return float(size[kept] @ span.sum(axis=1) + d * size[sup].sum())

    def suppress_pass(self, budget, need=0):
        """Cut off and suppress the ends of the regions where the loss drops most.

        Per region and dimension, the rows beyond a cut near the low or the
        high end (between two values, or between two children of the lowest
        common hierarchy node; the rest keeping ``k`` rows) are a candidate; its gain is the region's loss (sum
        over rows and dimensions of the normalized widths, categories by
        their code range) minus the loss of the rest and of the suppressed
        rows (1 per dimension).  The best candidate of each region, by gain
        per suppressed row, is taken while ``budget`` lasts.  With ``need``,
        candidates of any gain are taken, best first, until ``need`` rows
        are suppressed.  Returns the number of rows suppressed (0: nothing
        done).
        """
        k, codes, coders = self.k, self.codes, self.coders
        d = codes.shape[0]
        node, start, size, sup = self._leaf_arrays()
        live = np.flatnonzero(~sup & (size > k))
        if not len(live) or budget < 1:
            return 0
        offs, seg, pos, rows, mn, mx, _ = self._bounds(start[live], size[live])
        m = size[live]
        span = _normalized_span(coders, mn, mx, {})
        before = m * span.sum(axis=1)
        best_gain = np.full(len(live), 0.0 if not need else -np.inf)
        best = np.full((len(live), 3), -1, dtype=np.int64)  # dim, threshold, cut rows
        best_low = np.zeros(len(live), dtype=bool)
        M = self.M
        n_rows = len(rows)
        within = np.arange(n_rows) - offs[seg]  # position in the region
        for j in range(d):
            cand_j = span[:, j] > 0
            if not cand_j.any():
                continue
            o = np.argsort(seg.astype(np.int64) * M + codes[j][rows], kind="stable")
            r_sorted = rows[o]
            cj = codes[j][r_sorted]
            # prefix / suffix bounds of every dimension within each region
            pre_mn, pre_mx, suf_mn, suf_mx = (np.empty((n_rows, d), dtype=np.int64)
                                              for _ in range(4))
            seg64 = seg.astype(np.int64)
            shift = seg64 * (2 * M)
            rsh = (seg64[-1] - seg64[::-1]) * (2 * M) if n_rows else shift
            for i in range(d):
                ci = codes[i][r_sorted]
                pre_mx[:, i] = np.maximum.accumulate(ci + shift) - shift
                pre_mn[:, i] = -(np.maximum.accumulate(-ci + shift) - shift)
                # reversed, the segments descend: offset them upwards
                suf_mn[:, i] = -(np.maximum.accumulate(-ci[::-1] + rsh) - rsh)[::-1]
                suf_mx[:, i] = (np.maximum.accumulate(ci[::-1] + rsh) - rsh)[::-1]
            # a cut after sorted position t (0-based) of the region: t + 1 rows below it
            nxt = np.r_[cj[1:], -1]
            same_seg = np.r_[seg[1:] == seg[:-1], False]
            boundary = same_seg & (nxt != cj)
            if self.hier[j] is not None:
                h = self.hier[j]
                lev = h.lca_level(mn[:, j], mx[:, j])[seg]
                boundary &= h.prev_ge[lev, np.maximum(nxt - 1, 0)] >= cj
            below = within + 1
            above = m[seg] - below
            # low end: suppress the rows below (below < k... and above >= k)
            for low in (True, False):
                cut_n = below if low else above
                keep_n = above if low else below
                ok = boundary & cand_j[seg] & (cut_n >= 1) & (keep_n >= k)
                if not ok.any():
                    continue
                t = np.flatnonzero(ok)
                if low:  # kept: the suffix after t
                    kmn, kmx = suf_mn[t + 1], suf_mx[t + 1]
                else:
                    kmn, kmx = pre_mn[t], pre_mx[t]
                after = keep_n[t] * _normalized_span(coders, kmn, kmx, {}).sum(axis=1)
                gain = before[seg[t]] - after - cut_n[t] * d
                rate = gain / cut_n[t]
                keep_c = (gain > 0) | (need > 0)
                t, rate = t[keep_c], rate[keep_c]
                if not len(t):
                    continue
                # best position per region
                o2 = np.lexsort((-rate, seg[t]))
                t, rate = t[o2], rate[o2]
                first = np.r_[True, seg[t][1:] != seg[t][:-1]]
                t, rate = t[first], rate[first]
                rg = seg[t]
                better = rate > best_gain[rg]
                rg, t, rate = rg[better], t[better], rate[better]
                best_gain[rg] = rate
                best[rg, 0] = j
                best[rg, 1] = cj[t]  # cut: code <= cj[t] on the left
                best[rg, 2] = cut_n[t]
                best_low[rg] = low
        cand = np.flatnonzero(best[:, 0] >= 0)
        if self.rule is not None and len(cand):  # the rest must stay l-diverse / t-close
            cand = cand[self._rest_passes(cand, best, best_low, offs, seg, rows, m)]
        if not len(cand):
            return 0
        cand = cand[np.argsort(-best_gain[cand], kind="stable")]
        cum = np.cumsum(best[cand, 2])
        take = cand[cum <= budget]
        if need:
            take = take[:int(np.searchsorted(cum, need)) + 1]
            if not len(take) or best[take, 2].sum() < need:
                return 0
        if not len(take):
            return 0
        # reorder the rows of each taken region: the side code <= threshold first
        pick = np.zeros(len(live), dtype=bool)
        pick[take] = True
        in_pick = pick[seg]
        dims_row = best[seg[in_pick], 0]
        left_row = codes[dims_row, rows[in_pick]] <= best[seg[in_pick], 1]
        o = np.lexsort((~left_row, seg[in_pick]))
        p_pos = pos[in_pick]
        self.perm[p_pos] = rows[in_pick][o]  # p_pos: the regions' positions, region by region
        # new nodes: the taken leaves become internal, with a suppressed child
        leaf_idx = live[take]
        parents = node[leaf_idx]
        n_left = np.where(best_low[take], best[take, 2], m[take] - best[take, 2])
        new_l, new_r = self._new_nodes(parents, best[take, 0], best[take, 1])
        low = best_low[take]
        sup_node = np.where(low, new_l, new_r)
        kept_node = np.where(low, new_r, new_l)
        st = start[leaf_idx]
        sup_start = np.where(low, st, st + n_left)
        kept_start = np.where(low, st + n_left, st)
        cut_rows = best[take, 2]
        keep_leaf = np.ones(len(node), dtype=bool)
        keep_leaf[leaf_idx] = False
        self.leaves = [(node[keep_leaf], start[keep_leaf], size[keep_leaf], sup[keep_leaf]),
                       (sup_node, sup_start, cut_rows, np.ones(len(take), dtype=bool))]
        self.grow(kept_node, kept_start, m[take] - cut_rows)
        return int(cut_rows.sum())

    def _rest_passes(self, cand, best, best_low, offs, seg, rows, m):
        """Whether the kept side of each candidate region passes the sensitive rule."""
        rule = self.rule
        mask = np.isin(seg, cand)
        sg = seg[mask]
        j = best[sg, 0]
        cj = self.codes[j, rows[mask]]
        cut_off = np.where(best_low[sg], cj <= best[sg, 1], cj > best[sg, 1])
        local = np.searchsorted(cand, sg)
        sv = rule.s_codes[rows[mask]]
        hist = np.bincount(local[~cut_off] * rule.m + sv[~cut_off],
                           minlength=len(cand) * rule.m).reshape(len(cand), rule.m)
        return rule.ok(hist)

    def finish(self):
        node, start, size, sup = self._leaf_arrays()
        order = np.argsort(start, kind="stable")
        node, start, size, sup = node[order], start[order], size[order], sup[order]
        feature = np.asarray(self.feature, dtype=np.int64)
        leaf_of_node = np.full(len(feature), -1, dtype=np.int64)
        leaf_of_node[node] = np.arange(len(node))
        suppressed = np.zeros(len(feature), dtype=bool)
        suppressed[node[sup]] = True
        code_thr = np.asarray(self.code_thr, dtype=np.int64)
        threshold = np.full(len(feature), np.nan)
        for j, coder in enumerate(self.coders):
            nodes = np.flatnonzero(feature == j)
            if len(nodes):
                threshold[nodes] = coder.threshold(code_thr[nodes])
        tree = {
            "feature": feature,
            "code": code_thr,
            "threshold": threshold,
            "left": np.asarray(self.left, dtype=np.int64),
            "right": np.asarray(self.right, dtype=np.int64),
            "leaf": leaf_of_node,
            "suppressed": suppressed,
            "max_depth": self.depth,
        }
        return tree, self.perm, start, size


def _try_cuts(sub, dims, seg, offs, sizes, rows, pos, codes, coders, hier, k, rule, M,
              perm, cut_dim, cut_code, cut_left, undecided, cut_at="median", relaxed=False, dry=None,
              gathered=None, bounds=None):
    """Median (or k-multiple) cuts of the partitions ``sub`` on their dimensions ``dims``.

    The partitions' rows are sorted by the chosen dimension's code; the cut
    ``code <= med`` (ties left) and ``code < med`` (ties right) are tried,
    the more balanced allowed one first.  For a hierarchical dimension the
    cut snaps to the nearest boundary between children of the region's
    lowest common node (``relaxed``: it does not).  Accepted cuts reorder
    ``perm`` in place.

    ``gathered``: the codes of ``rows`` when already read (one array per
    column; else they are read from ``codes``); ``bounds``: the partitions' (P, d)
    minimum / maximum codes, which make the sort keys smaller (each
    partition's keys span its own code range, not ``M``).
    """
    P = len(sizes)
    n_sel = len(sub)
    if n_sel == P:  # every partition (the first dimension tried): no copies
        rsel, psel, lseg, mask = rows, pos, seg, None
    else:
        local = np.full(P, -1, dtype=np.int64)
        local[sub] = np.arange(n_sel)
        mask = local[seg] >= 0
        rsel = rows[mask]
        psel = pos[mask]
        lseg = local[seg[mask]]
    # sort key of a row: off[its partition] + its code, the partitions' key ranges
    # disjoint and ascending (int64 throughout: the codes may be int32)
    if bounds is not None:
        lo_s = bounds[0][sub, dims]
        width = bounds[1][sub, dims] - lo_s + 1
    else:
        lo_s = np.zeros(n_sel, dtype=np.int64)
        width = np.full(n_sel, int(M), dtype=np.int64)
    base = np.cumsum(width) - width
    off = base - lo_s
    key_bound = int(base[-1] + width[-1]) if n_sel else 1
    key = off[lseg]
    udims = np.unique(dims)
    if len(udims) == 1:
        j = udims[0]
        if gathered is None:
            key += codes[j][rsel]
        else:
            key += gathered[j] if mask is None else gathered[j][mask]
    elif gathered is not None:  # each partition's column, read where it is chosen
        dim_row = dims[lseg]
        for j in udims:
            cj = gathered[j] if mask is None else gathered[j][mask]
            np.add(key, cj, out=key, where=dim_row == j)
        del dim_row, cj
    else:
        dim_row = dims[lseg]
        for j in udims:
            on = dim_row == j
            key[on] += codes[j][rsel[on]]
        del dim_row, on
    del lseg, mask
    o, key = _sort_keys(key, key_bound)  # any order within equal codes is fine
    rsel = rsel[o]
    del o
    sub_sizes = sizes[sub]
    sub_offs = np.concatenate(([0], np.cumsum(sub_sizes)[:-1])).astype(np.int64)
    ar = np.arange(n_sel)

    def code_at(i, s=ar):
        """Code at sorted position ``i`` of partition ``s`` (positions within it)."""
        return key[i] - off[s]

    psel_sorted = psel  # the segments' positions in perm, in order (partitions are)
    if cut_at == "median":
        goal = sub_sizes / 2
    else:
        # p regions of k rows fit: floor(p / 2) of them on the left, the rest on the right
        p = np.maximum(sub_sizes // k, 2)
        goal = sub_sizes * (p // 2) / p
    med = code_at(sub_offs + np.maximum(np.ceil(goal).astype(np.int64) - 1, 0))
    thr_a = med.copy()          # left: code <= med
    thr_b = med - 1             # left: code < med
    for j in (udims if not relaxed else ()):
        if hier[j] is None:
            continue
        w = np.flatnonzero(dims == j)
        lo = code_at(sub_offs[w], w)
        hi = code_at(sub_offs[w] + sub_sizes[w] - 1, w)
        thr_a[w], thr_b[w] = hier[j].snap(lo, hi, med[w])
    # rows with code <= thr: a threshold outside the partition's code range is
    # clipped to just below / at its top (0 / all rows, as unclipped)
    lo_k, hi_k = off + lo_s, off + lo_s + width - 1  # the partition's key range
    left_a = np.searchsorted(key, np.clip(off + thr_a, lo_k - 1, hi_k), side="right") - sub_offs
    left_b = np.searchsorted(key, np.clip(off + thr_b, lo_k - 1, hi_k), side="right") - sub_offs
    ok_a = (thr_a >= 0) & (left_a >= k) & (sub_sizes - left_a >= k)
    ok_b = (thr_b >= 0) & (left_b >= k) & (sub_sizes - left_b >= k)
    a_first = np.abs(left_a - goal) <= np.abs(left_b - goal)
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
    if dry is not None:  # report the cuts (and the sides' code ranges), change nothing
        last = sub_offs + sub_sizes - 1
        cl = np.maximum(chosen_left, 1)
        dry.update(accept=accept, left=chosen_left, thr=chosen_thr, rows=rsel, pos=psel_sorted,
                   lo_l=code_at(sub_offs), hi_l=code_at(sub_offs + cl - 1),
                   lo_r=code_at(np.minimum(sub_offs + cl, last)), hi_r=code_at(last))
        return
    if not accept.any():
        return
    acc = sub[accept]
    cut_dim[acc] = dims[accept]
    cut_code[acc] = chosen_thr[accept]
    cut_left[acc] = chosen_left[accept]
    undecided[acc] = False
    # write the sorted order back into perm for the accepted partitions
    if accept.all():
        perm[psel_sorted] = rsel
        return
    keep = np.repeat(accept, sub_sizes)
    perm[psel_sorted[keep]] = rsel[keep]


def route(tree, Z, exact=True):
    """Leaf number of each row of ``Z`` (d, n) of routing values; with ``exact`` (and a
    tree of ``_regroup.peel_grow``), rows equal to a peeled group go to its region."""
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
    leaf = tree["leaf"][node]
    if exact and "exact_leaf" in tree:
        from ._regroup import route_exact

        leaf = route_exact(tree, Z, leaf)
    return leaf

