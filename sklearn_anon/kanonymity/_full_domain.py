"""Optimal full-domain generalization (ARX's lattice search) as a transformer.

:class:`FullDomainAnonymizer` generalizes every quasi-identifier to one
level of its hierarchy (the same level for every row: *full-domain*
generalization, Samarati 2001; LeFevre et al.'s Incognito; ARX's Flash) and
chooses the level vector of least information loss among those that satisfy
the privacy models once the records of the classes that fail them are
suppressed (at most ``suppression_limit`` of the rows).

The search works on integer codes only: each column is coded once into
hierarchy leaves, each level is a lookup table from leaf codes to node codes,
and the classes of a level vector are counted on combined ``int64`` keys
(``np.bincount`` when the key space is small, ``np.unique`` otherwise),
rolled up from the distinct classes of an already counted lower vector.  No
Python loop runs per row.
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .. import _text
from .._compat import Interval, StrOptions, _fit_context
from .._hierarchy import Hierarchy, load_hierarchy
from ..base import SUPPRESSED, ColumnAnonymizer, values_hidden
from ._coding import _column_name
from ._sensitive_params import check_population, check_sensitive_params, make_sensitive_rule
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Callable, Literal, Mapping
    from .._typing import ArrayLike, HierarchyLike, Self

__all__ = ["FullDomainAnonymizer"]

#: lattices larger than this are refused (the search keeps one status per node)
MAX_LATTICE_NODES = 5_000_000
#: total number of class-table cells kept for roll-ups during one search
_CACHE_CELLS = 4_000_000
_KEY_LIMIT = 1 << 62


def _is_value_dict(obj):
    """A dict ``{value: [levels]}`` (one hierarchy), not ``{column: hierarchy}``."""
    return isinstance(obj, dict) and len(obj) > 0 and all(
        isinstance(v, (list, tuple)) for v in obj.values()
    )


def _floor10(x):
    """ARX's rounding of a per-column loss: keep the first 10 decimals (floor)."""
    return math.floor(x * 1e10) / 1e10


# -- per-column coding ------------------------------------------------------------
class _ColumnCoding:
    """One quasi-identifier coded along its hierarchy.

    Codes: leaf ``i`` of the hierarchy is code ``i``; a value the hierarchy
    does not know (unseen, NaN) is the extra code ``len(h)``.  At level
    ``L`` the node codes are ``0 .. len(h.nodes(L)) - 1`` (first-appearance
    order).  An unknown value is written ``"*"``, so it is in the class of
    the level's ``"*"`` node when the level has one (from then on it
    follows that node up), and in a class of its own, an extra node code,
    below that.
    """

    def __init__(self, hierarchy, leaf, name):
        self.hierarchy = hierarchy
        self.name = name
        n_leaves = len(hierarchy)
        self.domain = n_leaves
        self.n_levels = hierarchy.n_levels
        leaf = np.where(leaf < 0, n_leaves, leaf)
        n = len(leaf)
        f0 = np.bincount(leaf, minlength=n_leaves + 1)
        self.node_of_leaf = []  # per level: leaf code (+ unknown) -> node code
        self.radix = []  # per level: number of node codes
        self.unknown = []  # per level: node code of an unknown value
        self.share = []  # per level: ARX domain share of each node code (extra code: 1)
        self.freq = []  # per level: rows per node code in the fitted data
        self.total_share = []  # per level: sum over rows of the share
        self.entropy = []  # per level: non-uniform entropy sum_rows log2(f_L / f_0)
        base = float(np.where(f0 > 0, f0 * np.log2(np.maximum(f0, 1)), 0.0).sum())
        merged_with = None  # a leaf in the "*" node the unknown joined
        for lev in range(self.n_levels):
            codes, uniques = _text.factorize(hierarchy.level_labels(lev))
            codes = codes.astype(np.int64)
            m = len(uniques)
            counts = np.bincount(codes, minlength=m).astype(np.float64)
            share = counts / n_leaves
            if merged_with is None and lev > 0 and SUPPRESSED in list(uniques):
                merged_with = int(np.flatnonzero(codes == list(uniques).index(SUPPRESSED))[0])
            if merged_with is not None:
                unknown, radix = int(codes[merged_with]), m
            else:
                unknown, radix = m, m + 1
                share = np.append(share, 1.0)
            nol = np.append(codes, unknown)
            self.node_of_leaf.append(nol)
            self.radix.append(radix)
            self.unknown.append(unknown)
            self.share.append(share)
            freq = np.bincount(nol[leaf], minlength=radix)
            self.freq.append(freq)
            self.total_share.append(float(freq @ share))
            self.entropy.append(
                float(np.where(freq > 0, freq * np.log2(np.maximum(freq, 1)), 0.0).sum()) - base)
        self.n = n
        self.leaf = leaf
        # up[a][b]: node code at level a -> node code at level b >= a
        self.up = [[None] * self.n_levels for _ in range(self.n_levels)]
        all_leaves = np.arange(n_leaves + 1)
        for a in range(self.n_levels):
            for b in range(a, self.n_levels):
                table = np.zeros(self.radix[a], dtype=np.int64)
                table[self.node_of_leaf[a][all_leaves]] = self.node_of_leaf[b][all_leaves]
                self.up[a][b] = table

# -- class tables -------------------------------------------------------------------
def _combine(columns, radices):
    """Combined int64 key of code columns, re-densified when it would overflow.

    Returns ``(key, space)``: distinct rows get distinct keys in ``0 .. space - 1``.
    """
    key = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    space = 1
    for col, r in zip(columns, radices):
        if space * r >= _KEY_LIMIT:
            uniq, key = np.unique(key, return_inverse=True)
            key = key.ravel().astype(np.int64)
            space = len(uniq)
        key = key * r + col
        space *= r
    return key, space


class _Classes:
    """Equivalence classes of one level vector: codes, sizes, sensitive histogram.

    The node codes are decoded from the classes' mixed-radix keys only when
    asked for (a table that is neither rolled up from nor released never is).
    """

    __slots__ = ("_codes", "_keys", "_radices", "sizes", "hist")

    def __init__(self, codes, sizes, hist, *, keys=None, radices=None):
        self._codes = codes  # (d, n_classes) int64 node codes, one row per column
        self._keys, self._radices = keys, radices
        self.sizes = sizes  # (n_classes,) int64
        self.hist = hist  # (n_classes, s) float64 counts, or None

    @property
    def codes(self):
        if self._codes is None:
            self._codes = _decode(self._keys, self._radices)
            self._keys = None
        return self._codes


def _decode(keys, radices):
    """Node codes ``(d, len(keys))`` of mixed-radix keys."""
    out = np.empty((len(radices), len(keys)), dtype=np.int64)
    rest = np.asarray(keys, dtype=np.int64)
    for j in range(len(radices) - 1, -1, -1):
        rest, out[j] = np.divmod(rest, radices[j])
    return out


def _group_keys(key, space, sizes, hist):
    """Classes of the rows of ``key`` (weights ``sizes``, histograms ``hist``):
    ``(distinct keys, sizes, histograms)``.

    A dense ``np.bincount`` when the key space is small, else a sort for a
    few rows and a hash table (``pd.factorize``) for many.
    """
    m = len(key)
    if space <= 4 * m + 1024:
        counts = np.bincount(key, weights=sizes, minlength=space)
        uniq = np.flatnonzero(counts)
        new_sizes = counts[uniq].astype(np.int64)
        ids = None
        if hist is not None:
            lut = np.zeros(space, dtype=np.int64)
            lut[uniq] = np.arange(len(uniq))
            ids = lut[key]
    else:
        if m < 4096:  # a small sort costs less than pandas' per-call overhead
            uniq, ids = np.unique(key, return_inverse=True)
            ids = ids.ravel()
        else:
            ids, uniq = _text.factorize(key)  # int64 keys: pandas hash table
            uniq = np.asarray(uniq, dtype=np.int64)
        new_sizes = np.bincount(ids, weights=sizes, minlength=len(uniq)).astype(np.int64)
    new_hist = None
    if hist is not None:
        s = hist.shape[1]
        flat = (ids[:, None] * s + np.arange(s)[None, :]).ravel()
        new_hist = np.bincount(flat, weights=hist.ravel(), minlength=len(uniq) * s)
        new_hist = new_hist.reshape(len(uniq), s)
    return uniq, new_sizes, new_hist


def _group(codes, radices, sizes, hist):
    """Merge the equal columns of ``codes`` (shape ``(d, m)``) into classes."""
    if math.prod(radices) < _KEY_LIMIT:
        key, space = _combine(list(codes), radices)
        uniq, new_sizes, new_hist = _group_keys(key, space, sizes, hist)
        return _Classes(None, new_sizes, new_hist, keys=uniq, radices=radices)
    # a key space beyond int64: re-densified keys, codes taken from a member row
    key, space = _combine(list(codes), radices)
    ids, uniq = _text.factorize(key)  # int64 keys: pandas hash table
    first = np.empty(len(uniq), dtype=np.int64)
    first[ids[::-1]] = np.arange(len(ids) - 1, -1, -1)
    _, new_sizes, new_hist = _group_keys(ids.astype(np.int64), len(uniq), sizes, hist)
    return _Classes(codes[:, first], new_sizes, new_hist)


# -- the search -----------------------------------------------------------------------
class _Search:
    """Lattice of level vectors, class counting with roll-ups, privacy check."""

    def __init__(self, codings, s_codes, n_sensitive, *, k, l, t, limit, rule=None,
                 population=None, k_map=None):
        self.codings = codings
        self.d = len(codings)
        self.heights = np.array([c.n_levels - 1 for c in codings], dtype=np.int64)
        self.n = codings[0].n
        self.k, self.l, self.t = k, l, t
        self.rule = rule  # the sensitive-attribute test (l, t), a SensitiveRule
        # k-map: the population's distinct level-0 tuples (d, P) and their people
        self.population, self.k_map = population, k_map
        self.max_suppressed = math.floor(limit * self.n + 1e-9)
        grids = np.meshgrid(*[np.arange(h + 1) for h in self.heights], indexing="ij")
        self.nodes = np.stack([g.ravel() for g in grids], axis=1).astype(np.int16)
        self.status = np.zeros(len(self.nodes), dtype=np.int8)  # 1 pass, -1 fail, 0 unknown
        sizes = self.heights + 1  # C order: the last column varies fastest
        self.status_nd = self.status.reshape(tuple(int(x) for x in sizes))  # a view
        self.strides = [int(np.prod(sizes[j + 1:])) for j in range(self.d)]
        self.n_checked = 0
        # per column and level: distinct fitted values kept by one more level
        self.merge = []
        for c in codings:
            distinct = [int((f > 0).sum()) for f in c.freq]
            self.merge.append([distinct[i + 1] / distinct[i] for i in range(len(distinct) - 1)])
        self.tables = {}  # node index -> (table, failing mask) of the qualifying vectors counted
        # the bottom class table: distinct level-0 tuples of the fitted rows
        leaf = np.stack([c.node_of_leaf[0][c.leaf] for c in codings])
        hist = None
        if s_codes is not None:
            hist = np.zeros((self.n, n_sensitive), dtype=np.float64)
            hist[np.arange(self.n), s_codes] = 1
            self.p = np.bincount(s_codes, minlength=n_sensitive) / self.n
        bottom = _group(leaf, [c.radix[0] for c in codings], np.ones(self.n), hist)
        self.cache_nodes = np.zeros((64, self.d), dtype=np.int16)
        self.cache_size = [len(bottom.sizes)]
        self.cache_tables = [bottom]
        self.cache_cells = bottom.codes.size

    # -- counting ---------------------------------------------------------
    def classes(self, node):
        """Class table of ``node`` (rolled up from the smallest counted vector below)."""
        used = len(self.cache_tables)
        below = np.flatnonzero((self.cache_nodes[:used] <= node).all(axis=1))
        src_i = below[int(np.argmin(np.asarray(self.cache_size)[below]))]
        src, src_node = self.cache_tables[src_i], self.cache_nodes[src_i]
        if (src_node == node).all():
            return src
        radices = [c.radix[lev] for c, lev in zip(self.codings, node)]
        if math.prod(radices) < _KEY_LIMIT:
            # one gather per column straight into the combined key (weights folded in)
            key = np.zeros(len(src.sizes), dtype=np.int64)
            mult = 1
            for j in range(self.d - 1, -1, -1):
                c = self.codings[j]
                key += (c.up[src_node[j]][node[j]] * mult)[src.codes[j]]
                mult *= radices[j]
            uniq, sizes, hist = _group_keys(key, mult, src.sizes, src.hist)
            table = _Classes(None, sizes, hist, keys=uniq, radices=radices)
        else:
            codes = np.empty_like(src.codes)
            for j, c in enumerate(self.codings):
                codes[j] = c.up[src_node[j]][node[j]][src.codes[j]]
            table = _group(codes, radices, src.sizes, src.hist)
        self.n_checked += 1
        cells = len(table.sizes) * self.d
        if (cells + self.cache_cells <= _CACHE_CELLS
                and len(table.sizes) < 0.7 * len(src.sizes)):
            if used == len(self.cache_nodes):
                grown = np.zeros_like(self.cache_nodes)
                self.cache_nodes = np.concatenate([self.cache_nodes, grown])
            self.cache_nodes[used] = node
            self.cache_size.append(len(table.sizes))
            self.cache_tables.append(table)
            self.cache_cells += cells
        return table

    def failing(self, table, node=None):
        """Boolean per class: does the class fail a privacy model (to be suppressed)?"""
        bad = table.sizes < self.k
        if self.k_map is not None:
            bad |= self.population_sizes(table, node) < self.k_map
        if self.rule is not None:  # l / t on the sensitive column (SensitiveRule)
            bad |= ~self.rule.ok(table.hist)
        return bad

    def population_sizes(self, table, node):
        """People of the population in each class of ``table`` (the classes of ``node``).

        Never below the class size: the population holds the sample (as
        :func:`sklearn_anon.metrics.k_map` counts).
        """
        pop_codes, people = self.population
        codes = table.codes
        radices = [c.radix[lev] for c, lev in zip(self.codings, node)]
        up = np.stack([c.up[0][lev][pop_codes[j]]
                       for j, (c, lev) in enumerate(zip(self.codings, node))])
        both = np.concatenate([codes, up], axis=1)
        key, _ = _combine(list(both), radices)
        cls_key, pop_key = key[:codes.shape[1]], key[codes.shape[1]:]
        uniq, inv = np.unique(pop_key, return_inverse=True)
        total = np.bincount(inv.ravel(), weights=people, minlength=len(uniq))
        pos = np.clip(np.searchsorted(uniq, cls_key), 0, max(len(uniq) - 1, 0))
        found = (uniq[pos] == cls_key) if len(uniq) else np.zeros(len(cls_key), dtype=bool)
        return np.maximum(np.where(found, total[pos] if len(uniq) else 0, 0), table.sizes)

    def evaluate(self, idx, *, monotone):
        """``(passes, table, failing mask)`` of node ``idx``; marks what follows."""
        node = self.nodes[idx]
        table = self.classes(node)
        bad = self.failing(table, node)
        passes = int(table.sizes[bad].sum()) <= self.max_suppressed
        if monotone:
            # every generalization of a passing vector passes, every specialization
            # of a failing one fails: one block of the lattice array each
            block = self.status_nd[self.above(node) if passes else self.below(node)]
            block[block == 0] = 1 if passes else -1
        self.status[idx] = 1 if passes else -1
        if passes:
            self.tables[idx] = (table, bad)
        return passes, table, bad

    @staticmethod
    def above(node):
        """Index of the block of vectors ``>= node`` in the lattice array."""
        return tuple(slice(int(v), None) for v in node)

    @staticmethod
    def below(node):
        """Index of the block of vectors ``<= node`` in the lattice array."""
        return tuple(slice(0, int(v) + 1) for v in node)

    def successors(self, idx):
        """Indices of the vectors one level above ``idx`` (one column generalized once)."""
        node = self.nodes[idx]
        return [idx + int(self.strides[j]) for j in range(self.d) if node[j] < self.heights[j]]

    def decide(self, idx, bound):
        """Status of ``idx`` under monotone models (Flash-style).

        A greedy path up from ``idx`` through undecided vectors (smallest
        loss bound first, or the step that merges fewest fitted values when
        there is no bound), then a binary search on it for the lowest
        qualifying vector.  A failing vector decides every vector below it,
        so the highest failing vector found is pushed further up while its
        most promising undecided successor (the one merging fewest values)
        still fails: on Adult this divides the counted vectors by about 3
        at 0% suppression.
        """
        path = [idx]
        cur = idx
        while True:
            nxt = [s for s in self.successors(cur) if self.status[s] == 0]
            if not nxt:
                break
            if bound is not None:
                cur = min(nxt, key=lambda s: (bound[s], s))
            else:
                cur = min(nxt, key=lambda s, c=cur: (self._merging(c, s), s))
            path.append(cur)
        low, high = 0, len(path) - 1
        top_fail = None
        while low <= high and self.status[idx] == 0:
            mid = (low + high) // 2
            if self.status[path[mid]] == 0:
                self.evaluate(path[mid], monotone=True)
            if self.status[path[mid]] == 1:
                high = mid - 1
            else:
                top_fail = path[mid]
                low = mid + 1
        cur = top_fail
        while cur is not None:
            nxt = [s for s in self.successors(cur) if self.status[s] == 0]
            if not nxt:
                break
            step = min(nxt, key=lambda s, c=cur: (self._merging(c, s), s))
            self.evaluate(step, monotone=True)
            cur = step if self.status[step] == -1 else None
        return self.status[idx]

    def _merging(self, cur, nxt):
        """How much the step ``cur -> nxt`` merges: minus the share of distinct
        fitted values of that column kept at the next level."""
        j = int(np.argmax(self.nodes[nxt] != self.nodes[cur]))
        return -self.merge[j][int(self.nodes[cur][j])]


# -- loss measures --------------------------------------------------------------------
def _arx_loss(codings, nodes):
    """ARX's Loss metric (``Metric.createLossMetric(0)``) of each row of ``nodes``.

    Per column: the sum of the domain shares of all rows (a suppressed row
    counts its generalized share: gs-factor 0), normalized by ARX's
    ``(sum - n / D) / (n - n / D)`` and floored to 10 decimals; then ARX's
    geometric mean ``prod(1 + loss_c) ** (1 / d) - 1``, multiplied in
    column order.
    """
    result = np.ones(len(nodes))
    d = len(codings)
    for j, c in enumerate(codings):
        low = c.n / c.domain
        per_level = np.array([
            _floor10(max(0.0, (tot - low) / (c.n - low))) if c.n > low else 0.0
            for tot in c.total_share])
        result *= np.power(per_level[nodes[:, j]] + 1.0, 1.0 / d)
    return result - 1.0


def _granularity(codings, nodes, table=None, bad=None):
    """ARX's reported granularity loss of each row of ``nodes``.

    Per column the mean share (suppressed rows: 1), averaged over the
    columns, then normalized with the averaged bounds ``1 / D`` and 1.
    Without ``table`` no row is suppressed (a lower bound); with it,
    ``nodes`` is the one vector ``table`` counts.
    """
    n = codings[0].n
    raw = np.zeros(len(nodes))
    for j, c in enumerate(codings):
        total = np.asarray(c.total_share)[nodes[:, j]]
        if table is not None and bad.any():
            supp = table.sizes[bad]
            kept = float(supp @ c.share[nodes[0, j]][table.codes[j, bad]])
            total = total + (float(supp.sum()) - kept)
        raw += total / n
    raw /= len(codings)
    low = sum(1.0 / c.domain for c in codings) / len(codings)
    return (raw - low) / (1.0 - low) if low < 1 else np.zeros(len(nodes))


def _entropy(codings, nodes, table=None, bad=None):
    """Non-uniform entropy (Gionis & Tassa) of each row of ``nodes``: the sum
    over columns and rows of ``log2(f(generalized value) / f(original value))``;
    a suppressed row costs ``log2(n / f(original value))``.  Without
    ``table``: no row suppressed (a lower bound)."""
    n = codings[0].n
    value = np.zeros(len(nodes))
    for j, c in enumerate(codings):
        value += np.asarray(c.entropy)[nodes[:, j]]
        if table is not None and bad.any():
            freq = c.freq[nodes[0, j]][table.codes[j, bad]]
            value += float(table.sizes[bad] @ (np.log2(n) - np.log2(freq)))
    return value


def _discernibility(table, bad):
    """Sum of squared class sizes; a suppressed row costs ``n`` (Bayardo & Agrawal)."""
    sizes = table.sizes.astype(np.float64)
    return float(sizes[~bad] @ sizes[~bad] + sizes[bad].sum() * sizes.sum())


class FullDomainAnonymizer(ColumnAnonymizer):
    """Optimal full-domain generalization along hierarchies (ARX's search).

    Every quasi-identifier is generalized to one level of its hierarchy,
    the same level for every row.  ``fit`` searches the lattice of level
    vectors (one level per quasi-identifier) for the vector of least
    ``loss`` among those that satisfy the privacy models (``k``; ``l``,
    ``t`` on ``sensitive``; ``k_map`` against a population) once the records of every class that fails them
    are suppressed, provided at most ``suppression_limit`` of the rows are
    suppressed.  This is the optimum ARX's Flash algorithm returns; the
    search here is a different, equally exact one (see Notes).

    Parameters
    ----------
    hierarchies : dict of {column: hierarchy} or hierarchy
        Per quasi-identifier, anything
        :func:`sklearn_anon._hierarchy.load_hierarchy` reads: a path to an
        ARX-style CSV table (``;``-separated, no header: value, then one
        column per level), a DataFrame, a dict ``{value: [level1, ...]}``
        or a :class:`~sklearn_anon._hierarchy.Hierarchy`.  Columns are
        named or given by position; the keys are the quasi-identifiers.
        A single hierarchy (not keyed by column) applies to every column
        except ``sensitive``.
    k : int, default=5
        Minimum class size of the released (non-suppressed) records.
    l : float or None, default=None
        l-diversity of every released class on ``sensitive``, of the kind
        ``l_diversity``.
    l_diversity : {"distinct", "entropy", "recursive"}, default="distinct"
        ``"distinct"``: at least ``l`` distinct values of ``sensitive``.
        ``"entropy"``: entropy of the values at least ``log(l)``.
        ``"recursive"``: recursive (c, l)-diversity, ``r_1 < c (r_l + ...
        + r_m)`` with the class's counts sorted decreasingly (``l`` rounded
        up; needs ``c``; ARX's ``RecursiveCLDiversity``).  As in
        :class:`~sklearn_anon.MondrianAnonymizer` and
        :func:`sklearn_anon.metrics.l_diversity`.
    c : float > 0 or None, default=None
        The ``c`` of recursive (c, l)-diversity.
    t : float in [0, 1] or None, default=None
        t-closeness: in every released class the Earth Mover's Distance
        between the distribution of ``sensitive`` and the whole fitted
        table's is at most ``t``, with the ground distance ``t_distance``
        (checked with a 1e-9 margin, as
        :class:`~sklearn_anon.MondrianAnonymizer` does).
    t_distance : {"equal", "ordered", "hierarchical", "auto"}, default="equal"
        ``"equal"``: total-variation distance (ARX's
        ``EqualDistanceTCloseness``).  ``"ordered"``: the values in order
        (numbers sorted, an ordered categorical in its categories' order),
        for ordinal attributes (ARX's ``OrderedDistanceTCloseness``).
        ``"hierarchical"``: along ``sensitive_hierarchy`` (ARX's
        ``HierarchicalDistanceTCloseness``).  ``"auto"``: as Mondrian
        (hierarchical with ``sensitive_hierarchy``, else ordered for a
        numeric column, equal otherwise).  The default stays ``"equal"``,
        what this estimator always used.
    sensitive_hierarchy : hierarchy or None, default=None
        Generalization hierarchy of ``sensitive`` for
        ``t_distance="hierarchical"``; every fitted value of ``sensitive``
        must be one of its leaves.
    sensitive : str, int or None, default=None
        The sensitive column for ``l`` / ``t``; it passes through unchanged.
    k_map : int or None, default=None
        k-map against a population (given to :meth:`fit`: ``fit(X,
        population=pop)``; not stored): every released class is compatible
        with at least ``k_map`` people of the population (its generalized
        values cover them; never fewer than the class's own records).  A
        class that fails is suppressed like one that fails ``k``.  The
        released table then has ``sklearn_anon.metrics.k_map(...) >=
        k_map``, a journalist risk of at most ``1 / k_map``.
    population_counts : str or None, default=None
        Column of the population holding the number of people per row (a
        table of counts per combination of quasi-identifier values).  The
        population's values are raw values (leaves of the hierarchies); a
        value no hierarchy knows counts under ``"*"``.
    suppression_limit : float in [0, 1], default=0.0
        Largest share of the fitted rows that may be suppressed: the records
        of the classes that fail a privacy model are suppressed (all their
        quasi-identifiers written ``"*"``), and a level vector qualifies
        only if they are at most ``floor(suppression_limit * n_samples)``.
    loss : {"loss", "granularity", "discernibility", "entropy"} or callable, \
default="loss"
        What is minimized.

        - ``"loss"``: ARX's Loss metric as ARX's search minimizes it with
          ``Metric.createLossMetric(0)``: per column, the mean domain share
          of the generalized values (a node covering ``m`` of the ``D``
          values of the hierarchy has share ``m / D``; a suppressed record
          counts its generalized share: ARX's gs-factor 0), normalized to
          ``[0, 1]``, floored to 10 decimals, then the geometric mean over
          the columns, ``prod(1 + loss_c) ** (1 / d) - 1``.  It reproduces
          ARX's optimum.
        - ``"granularity"``: ARX's reported granularity loss
          (``getStatistics().getQualityStatistics().getGranularity()``,
          ``1 - getArithmeticMean()``): per column the mean share with
          suppressed cells counting 1, averaged over the columns first and
          normalized afterwards with the averaged bounds ``1 / D`` and 1.
          Minimizing it directly can find a vector with less reported loss
          than ARX's own optimum when records are suppressed.
        - ``"discernibility"``: sum of squared class sizes, a suppressed
          record costing ``n_samples`` (Bayardo & Agrawal's DM).
        - ``"entropy"``: non-uniform entropy, ``sum log2(f(generalized) /
          f(original))`` over columns and rows; a suppressed record costs
          ``log2(n_samples / f(original))``.
        - a callable ``loss(levels, class_sizes, n_suppressed) -> float``:
          ``levels`` a dict ``{column: level}``, ``class_sizes`` the sizes
          of the released classes (ndarray), ``n_suppressed`` an int.  Its
          monotonicity is unknown, so every qualifying vector is evaluated.

        Ties are broken by the smaller sum of levels (as ARX does), then
        by the lexicographically smaller level vector in column order.

    Attributes
    ----------
    levels_ : dict of {column: int}
        The chosen level of each quasi-identifier.
    loss_ : float
        The value of ``loss`` at ``levels_``.
    granularity_ : float
        ARX's reported granularity loss at ``levels_`` (as for
        ``loss="granularity"``), whatever ``loss`` was minimized.
    n_suppressed_ : int
        Fitted records suppressed (their classes fail a privacy model).
    n_classes_ : int
        Equivalence classes of the released (non-suppressed) fitted records.
    quasi_identifiers_ : list
        The generalized columns, in input order.
    sensitive_ : str or None
        The sensitive column.
    hierarchies_ : dict of {column: Hierarchy}
        The loaded hierarchy per quasi-identifier.
    n_nodes_ : int
        Size of the lattice (level vectors).
    n_evaluated_ : int
        Level vectors whose classes were counted (the rest were decided by
        monotonicity or by the loss bound).
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    sklearn_anon.HierarchyGeneralizer : generalize to levels chosen by hand.
    sklearn_anon.MondrianAnonymizer : multidimensional (local) recoding.

    Notes
    -----
    The search, and why it is exact.

    1. *Loss bound.*  For ``"loss"``, ``"granularity"`` and ``"entropy"``
       the value with no record suppressed depends on the level vector only
       (per-column sums computed once); it equals the loss for ``"loss"``
       (suppression is not charged at gs-factor 0) and is a lower bound for
       the other two (a suppressed cell costs at least its generalized
       value).  Vectors are visited in increasing bound (then tie-break)
       order and the search stops once the bound exceeds the best loss
       found, so every vector skipped has a loss no better than the optimum.
    2. *Monotonicity of the privacy models* (as in Flash / OLA), used to
       decide vectors without counting their classes: generalizing one
       column merges classes, so a class that satisfies ``k``, ``k_map``
       (its population class only grows) and distinct ``l`` stays inside
       a class that does, and the set of suppressed records can only
       shrink.  Hence a vector above a qualifying one qualifies and a
       vector below a failing one fails, with any ``suppression_limit``.
       For entropy ``l``, recursive (c, l) and ``t`` (every distance) this
       holds without suppression only: a merge of two classes that satisfy
       them satisfies them (entropy is concave, the EMD convex in the
       class distribution; for recursive (c, l) the merged top count is at
       most the sum of the two and the merged tail at least the sum of
       the two tails, Machanavajjhala et al. 2007), but merging a failing
       class into a passing one can make it fail, so the suppressed
       records can grow.  With one of these and ``suppression_limit > 0``
       every visited vector is counted, no status is inferred.  Undecided
       vectors are decided as in Flash: a greedy path upwards, a binary
       search on it for the lowest qualifying vector, and the highest
       failing vector found pushed further up while it keeps failing.
    3. ``"discernibility"`` and callables have no bound without counting:
       vectors are visited bottom-up; for discernibility the sum of squared
       class sizes of any counted vector bounds every vector above it, which
       is pruned once that bound exceeds the best value.  A callable
       evaluates every qualifying vector.

    Counting rolls up from the distinct classes of the smallest counted
    vector below (``np.bincount`` on combined ``int64`` keys), so vectors
    high in the lattice cost a few microseconds.

    What ``transform`` writes.  Each quasi-identifier becomes its label at
    ``levels_`` (a categorical column whose categories, fixed in ``fit``,
    are the level's labels that a released fitted record holds, in table
    order, then ``"*"``); a value the hierarchy does not know (unseen
    category, NaN) becomes ``"*"`` (in ``fit`` such a value is its own class
    on that column and counts as a suppressed cell in the loss), and so
    does a value whose label no released fitted record holds: neither the
    labels of suppressed classes nor the unused leaves of a hierarchy built
    from the data are listed in the output's categories.  A row whose generalized
    quasi-identifiers form one of the classes suppressed in ``fit`` gets
    ``"*"`` on every quasi-identifier: ``fit_transform`` (and ``transform``
    of the fitted data) therefore releases exactly the table the privacy
    models were checked on.  ``transform`` does **not** measure the class
    sizes of new data and suppresses nothing else: the guarantees hold for
    the fitted data; measure new data again (e.g. with
    :mod:`sklearn_anon.metrics`) or fit on it.  Rows are never dropped and
    keep their order; other columns (``sensitive`` included) pass through.

    Errors name columns and counts, never cell values.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.kanonymity import FullDomainAnonymizer
    >>> age = {str(a): [f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"] for a in range(20, 60)}
    >>> zips = {z: [z[:4] + "*", z[:3] + "**", "*"]
    ...         for z in ["02138", "02139", "02141", "02142", "02150", "02151"]}
    >>> df = pd.DataFrame({"age": [23, 25, 31, 36, 44, 47, 52, 58, 39],
    ...                    "zip": ["02138", "02139", "02141", "02142", "02138",
    ...                            "02139", "02151", "02150", "02150"],
    ...                    "disease": ["flu", "hiv", "flu", "cold", "hiv",
    ...                                "flu", "cold", "flu", "hiv"]})
    >>> anon = FullDomainAnonymizer({"age": age, "zip": zips}, k=2).fit(df)
    >>> anon.levels_, anon.n_classes_
    ({'age': 2, 'zip': 1}, 3)

    Suppressing the one record that has no partner lets the other ages
    stay in decades:

    >>> anon = FullDomainAnonymizer({"age": age, "zip": zips}, k=2,
    ...                             suppression_limit=0.2)
    >>> anon.fit_transform(df)
         age    zip disease
    0  20-29  0213*     flu
    1  20-29  0213*     hiv
    2  30-39  0214*     flu
    3  30-39  0214*    cold
    4  40-49  0213*     hiv
    5  40-49  0213*     flu
    6  50-59  0215*    cold
    7  50-59  0215*     flu
    8      *      *     hiv
    >>> anon.levels_, anon.n_classes_, anon.n_suppressed_
    ({'age': 1, 'zip': 1}, 4, 1)

    New rows get the same levels; an unknown value becomes ``"*"``, and a
    row in a class suppressed in fit is suppressed:

    >>> anon.transform(pd.DataFrame({"age": [33, 99, 38],
    ...                              "zip": ["02141", "02141", "02151"],
    ...                              "disease": ["flu", "flu", "flu"]}))
         age    zip disease
    0  30-39  0214*     flu
    1      *  0214*     flu
    2      *      *     flu
    """

    _parameter_constraints = {
        "hierarchies": [dict, pd.DataFrame, str, os.PathLike, Hierarchy],
        "k": [Interval(Integral, 1, None, closed="left")],
        "l": [Interval(Real, 1, None, closed="left"), None],
        "l_diversity": [StrOptions({"distinct", "entropy", "recursive"})],
        "c": [Interval(Real, 0, None, closed="neither"), None],
        "t": [Interval(Real, 0, 1, closed="both"), None],
        "t_distance": [StrOptions({"auto", "equal", "ordered", "hierarchical"})],
        "sensitive_hierarchy": [dict, pd.DataFrame, str, os.PathLike, Hierarchy, None],
        "sensitive": [str, Integral, tuple, None],
        "k_map": [Interval(Integral, 1, None, closed="left"), None],
        "population_counts": [str, None],
        "suppression_limit": [Interval(Real, 0, 1, closed="both")],
        "loss": [StrOptions({"loss", "granularity", "discernibility", "entropy"}), callable],
    }

    _per_column_params = ()

    def __init__(
        self,
        hierarchies: Mapping[Any, HierarchyLike] | HierarchyLike,
        *,
        k: int = 5,
        l: float | None = None,  # noqa: E741
        l_diversity: Literal["distinct", "entropy", "recursive"] = "distinct",
        c: float | None = None,
        t: float | None = None,
        t_distance: Literal["equal", "ordered", "hierarchical", "auto"] = "equal",
        sensitive_hierarchy: HierarchyLike | None = None,
        sensitive: str | int | None = None,
        k_map: int | None = None,
        population_counts: str | None = None,
        suppression_limit: float = 0.0,
        loss: Literal["loss", "granularity", "discernibility", "entropy"] | Callable[..., Any] = "loss",
    ) -> None:
        self.hierarchies = hierarchies
        self.k = k
        self.l = l
        self.l_diversity = l_diversity
        self.c = c
        self.t = t
        self.t_distance = t_distance
        self.sensitive_hierarchy = sensitive_hierarchy
        self.sensitive = sensitive
        self.k_map = k_map
        self.population_counts = population_counts
        self.suppression_limit = suppression_limit
        self.loss = loss

    # -- fit ---------------------------------------------------------------
    def _resolve(self, frame):
        """``(quasi-identifiers in input order, {qi: hierarchy spec}, sensitive)``."""
        if isinstance(self.k, (bool, np.bool_)):
            raise TypeError("k must be an int, got a boolean.")
        sensitive = self.sensitive
        if sensitive is not None:
            sensitive = _column_name(frame, sensitive, "Sensitive column")
        if (self.l is not None or self.t is not None) and sensitive is None:
            raise ValueError("l-diversity and t-closeness need a `sensitive` column.")
        check_sensitive_params(self)
        if isinstance(self.hierarchies, dict) and not self.hierarchies:
            raise ValueError("hierarchies is empty: give at least one hierarchy.")
        specs = {}
        if isinstance(self.hierarchies, dict) and not _is_value_dict(self.hierarchies):
            for key, spec in self.hierarchies.items():
                name = _column_name(frame, key, "Hierarchy column")
                if name in specs:
                    raise ValueError(f"Column {name!r} has two hierarchies.")
                specs[name] = spec
        else:
            specs = {c: self.hierarchies for c in frame.columns if c != sensitive}
        if sensitive is not None and sensitive in specs:
            raise ValueError(f"Column {sensitive!r} is both sensitive and a quasi-identifier.")
        if not specs:
            raise ValueError("No quasi-identifier column to anonymize.")
        qis = [c for c in frame.columns if c in specs]
        return qis, specs, sensitive

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike | None = None,
        *,
        population: pd.DataFrame | None = None,
    ) -> Self:
        """Search the generalization lattice for the least-loss qualifying levels.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data with the quasi-identifiers (and ``sensitive``).
        y : None
            Ignored.
        population : DataFrame or None, default=None
            The population table for ``k_map`` (required with it, an error
            without it): the quasi-identifier columns, one row per person, or
            one row per combination with ``population_counts``.  Passed to
            ``fit`` rather than stored as a parameter, so that neither the
            anonymizer's repr nor its pickle holds the population (in a
            ``Pipeline``: ``pipe.fit(X, step__population=pop)``).

        Returns
        -------
        self : object
            The fitted anonymizer.
        """
        frame, _ = self._validate_frame(X, reset=True)
        check_population(self, population)
        qis, specs, sensitive = self._resolve(frame)
        codings, hierarchies = [], {}
        for name in qis:
            h = load_hierarchy(specs[name], name=name)
            dtype = frame[name].dtype
            if isinstance(dtype, pd.CategoricalDtype):
                dtype = dtype.categories.dtype
            if (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
                    and not h.has_numeric_keys):
                raise ValueError(
                    f"Column {name!r} is numeric, but no value of its hierarchy reads as a "
                    "number, so every value would be suppressed. Give the hierarchy numeric "
                    "values (\"39\") or convert the column to strings."
                )
            with values_hidden(name, "could not match the values to the hierarchy"):
                leaf = h.leaf_codes(frame[name])
            hierarchies[name] = h
            codings.append(_ColumnCoding(h, leaf, name))
        n_nodes = math.prod(c.n_levels for c in codings)
        if n_nodes > MAX_LATTICE_NODES:
            raise ValueError(
                f"The generalization lattice has {n_nodes} level vectors (more than "
                f"{MAX_LATTICE_NODES}): use fewer quasi-identifiers or shorter hierarchies."
            )
        s_codes, n_sens, rule = None, 0, None
        if sensitive is not None and (self.l is not None or self.t is not None):
            rule = make_sensitive_rule(self, frame[sensitive], sensitive)
            s_codes, n_sens = rule.s_codes, rule.m
        if self.k_map is not None:
            population = self._population_codes(population, codings, qis)
        search = _Search(codings, s_codes, n_sens, k=self.k, l=self.l, t=self.t,
                         limit=self.suppression_limit, rule=rule, population=population,
                         k_map=self.k_map)
        best = self._search(search)
        if best is None:
            raise ValueError(
                f"No level vector satisfies the privacy models with at most "
                f"{search.max_suppressed} suppressed record(s) (n_samples = {search.n}): "
                "lower k / l, raise t or suppression_limit, or give taller hierarchies."
            )
        idx, value, table, bad = best
        node = search.nodes[idx].astype(np.int64)
        self.quasi_identifiers_ = qis
        self.sensitive_ = sensitive
        self.hierarchies_ = hierarchies
        self.levels_ = {name: int(lev) for name, lev in zip(qis, node)}
        self.loss_ = float(value)
        self.granularity_ = float(_granularity(codings, node[None, :], table, bad)[0])
        self.n_suppressed_ = int(table.sizes[bad].sum())
        self.n_classes_ = int((~bad).sum())
        self.n_nodes_ = int(n_nodes)
        self.n_evaluated_ = int(search.n_checked)
        # the suppressed classes, as node codes at levels_ (transform suppresses them)
        self._radices = [c.radix[lev] for c, lev in zip(codings, node)]
        # leaf code (last entry: an unknown value) -> node code at levels_, for transform
        self._node_codes = {c.name: c.node_of_leaf[lev] for c, lev in zip(codings, node)}
        self._suppressed_codes = table.codes[:, bad].T.copy()
        # per column, the node codes a released (not suppressed) fitted record
        # holds: the output's categories.  A label no released record holds (a
        # suppressed class's, a node of a hierarchy built from other data) is
        # written "*", never listed (a categorical's categories are released)
        released = table.codes[:, ~bad]
        self._released_nodes = {
            c.name: np.unique(released[j][released[j] < len(c.hierarchy.nodes(int(lev)))])
            for j, (c, lev) in enumerate(zip(codings, node))}
        return self

    def _population_codes(self, pop, codings, qis):
        """The population's distinct level-0 tuples ``(d, P)`` and people per tuple."""
        if not pop.columns.is_unique:
            dup = pop.columns[pop.columns.duplicated()].unique()
            raise ValueError(
                f"The population has duplicated column names: "
                f"{', '.join(f'column {c!r}' for c in dup)}. Each column must have its own name.")
        missing = [str(q) for q in qis if q not in pop.columns]
        if missing:
            raise ValueError(f"The population lacks the quasi-identifier column(s) "
                             f"{', '.join(missing)}.")
        if self.population_counts is not None:
            if self.population_counts not in pop.columns:
                raise ValueError(f"population_counts {self.population_counts!r} is not a "
                                 "column of the population.")
            people = pd.to_numeric(pop[self.population_counts], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan)
            if (not np.isfinite(people).all() or (people < 0).any()
                    or (people != np.floor(people)).any()):
                raise ValueError(f"population_counts {self.population_counts!r} must hold "
                                 "non-negative integers.")
        else:
            people = np.ones(len(pop))
        codes = []
        for name, c in zip(qis, codings):
            with values_hidden(name, "could not match the population's values to the hierarchy"):
                leaf = c.hierarchy.leaf_codes(pop[name])
            codes.append(c.node_of_leaf[0][np.where(leaf < 0, c.domain, leaf)])
        if not len(pop):
            return np.zeros((len(qis), 0), dtype=np.int64), people
        key, _ = _combine(codes, [c.radix[0] for c in codings])
        _, first, inv = np.unique(key, return_index=True, return_inverse=True)
        weights = np.bincount(inv.ravel(), weights=people, minlength=len(first))
        return np.stack(codes)[:, first], weights

    def _exact(self, search, node, table, bad):
        """The loss of a qualifying vector."""
        loss = self.loss
        one = node[None, :]
        if loss == "loss":
            return float(_arx_loss(search.codings, one)[0])
        if loss == "granularity":
            return float(_granularity(search.codings, one, table, bad)[0])
        if loss == "entropy":
            return float(_entropy(search.codings, one, table, bad)[0])
        if loss == "discernibility":
            return _discernibility(table, bad)
        levels = {c.name: int(lev) for c, lev in zip(search.codings, node)}
        value = loss(levels, table.sizes[~bad].copy(), int(table.sizes[bad].sum()))
        try:
            return float(value)
        except (TypeError, ValueError):
            raise TypeError("The loss callable must return a number.") from None

    def _search(self, search):
        """``(node index, loss, class table, failing mask)`` of the optimum, or None."""
        nodes = search.nodes
        heights = nodes.sum(axis=1, dtype=np.int64)
        # k, distinct l and k-map are monotone with suppression too; entropy l,
        # recursive (c, l) and t (any distance) only without (see Notes)
        monotone = search.max_suppressed == 0 or (
            self.t is None and (self.l is None or self.l_diversity == "distinct"))
        codings = search.codings
        lex = [nodes[:, j] for j in range(search.d - 1, -1, -1)]
        bound = None
        if isinstance(self.loss, str) and self.loss != "discernibility":
            measure = {"loss": _arx_loss, "granularity": _granularity, "entropy": _entropy}
            bound = measure[self.loss](codings, nodes)
            order = np.lexsort(lex + [heights, bound])
        else:
            order = np.lexsort(lex + [heights])
        pruned = np.zeros(len(nodes), dtype=bool)
        pruned_nd = pruned.reshape(search.status_nd.shape)
        best = None
        for idx in order:
            if bound is not None and best is not None and bound[idx] > best[1]:
                break  # every later vector has a larger bound (exact: bound <= loss)
            if pruned[idx] or search.status[idx] == -1:
                continue
            if search.status[idx] == 0 and monotone:
                search.decide(idx, bound)
                if search.status[idx] == -1:
                    continue
            if idx in search.tables:
                table, bad = search.tables[idx]
            else:
                passes, table, bad = search.evaluate(idx, monotone=monotone)
                if self.loss == "discernibility":
                    # squared class sizes bound every vector above (merging only grows them)
                    dm_star = float(table.sizes.astype(np.float64) @ table.sizes)
                    if best is not None and dm_star > best[1]:
                        pruned_nd[search.above(nodes[idx])] = True
                if not passes:
                    continue
            node = nodes[idx].astype(np.int64)
            value = self._exact(search, node, table, bad)
            # visiting order is (bound, sum of levels, lexicographic), so a later vector
            # wins only with a smaller value (or an equal value and a better tie order)
            if best is None or value < best[1] or (
                    value == best[1] and (heights[idx], tuple(node)) < (
                        heights[best[0]], tuple(nodes[best[0]].astype(np.int64)))):
                best = (idx, value, table, bad)
            if self.loss == "loss":
                break  # bound == loss: the first qualifying vector is the optimum
        return best

    # -- transform ---------------------------------------------------------
    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Generalize the quasi-identifiers to ``levels_``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows to anonymize (the fitted rows or new ones), with the
            columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            Same rows in the same order; quasi-identifiers as categorical
            labels of their level (``"*"`` for unknown values and for the
            rows of classes suppressed in fit), other columns unchanged.
        """
        check_is_fitted(self)
        frame, is_pandas = self._validate_frame(X, reset=False)
        n = frame.shape[0]
        codes = np.empty((n, len(self.quasi_identifiers_)), dtype=np.int64)
        for j, name in enumerate(self.quasi_identifiers_):
            h = self.hierarchies_[name]
            with values_hidden(name, "could not match the values to the hierarchy"):
                leaf = h.leaf_codes(frame[name])
            table = self._node_codes[name]
            codes[:, j] = table[np.where(leaf < 0, len(table) - 1, leaf)]
        suppress = np.zeros(n, dtype=bool)
        if len(self._suppressed_codes) and n:
            both = np.concatenate([self._suppressed_codes, codes])
            key, _ = _combine([both[:, j] for j in range(both.shape[1])], self._radices)
            suppress = np.isin(key[len(self._suppressed_codes):], key[:len(self._suppressed_codes)])
        out = {}
        for j, col in enumerate(frame.columns):
            if col not in self.levels_:
                out[j] = frame[col]
                continue
            h, lev = self.hierarchies_[col], self.levels_[col]
            nodes = list(h.nodes(lev))
            keep = getattr(self, "_released_nodes", {}).get(col)
            if keep is None:  # fitted by a release that listed every node
                keep = np.arange(len(nodes))
            labels = [nodes[i] for i in keep]
            if SUPPRESSED in labels:
                sup = labels.index(SUPPRESSED)
            else:
                sup = len(labels)
                labels.append(SUPPRESSED)
            # node code -> position among the categories; others (unknown) -> "*"
            position = np.full(len(nodes) + 1, sup, dtype=np.int64)
            position[keep] = np.arange(len(keep))
            qj = self.quasi_identifiers_.index(col)
            cj = position[np.minimum(codes[:, qj], len(nodes))]
            cj[suppress] = sup
            out[j] = pd.Series(_text.categorical_from_codes(cj, labels), index=frame.index)
        result = pd.DataFrame(out, index=frame.index)
        if not is_pandas:
            result.columns = self.get_feature_names_out()
        elif not hasattr(self, "feature_names_in_"):
            result.columns = X.columns if isinstance(X, pd.DataFrame) else frame.columns
        else:
            result.columns = frame.columns
        return self._output(result, is_pandas)
