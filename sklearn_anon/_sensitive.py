"""Privacy models on a sensitive attribute, computed from per-class histograms.

One implementation of each definition, shared by the measures
(:mod:`sklearn_anon.metrics`) and the constraints of the anonymizers
(:class:`~sklearn_anon.MondrianAnonymizer`,
:class:`~sklearn_anon.kanonymity.FullDomainAnonymizer`).  Everything works on
a ``(n_classes, m)`` matrix of counts: row ``i`` counts the sensitive codes
``0 .. m - 1`` of class ``i``.

Definitions
-----------
recursive (c, l)-diversity (Machanavajjhala et al. 2007, Def. 4.3)
    With the counts of a class sorted in decreasing order ``r_1 >= r_2 >=
    ... >= r_m``, the class is (c, l)-diverse when ``r_1 < c * (r_l +
    r_{l+1} + ... + r_m)``; a class with fewer than ``l`` distinct values is
    not.  ARX's ``RecursiveCLDiversity`` tests the same inequality (``l``
    rounded up).
Earth Mover's Distance (Li, Li & Venkatasubramanian 2007)
    Between a class's distribution ``q`` and the whole table's ``p``, with
    ``r = q - p``:

    * equal distance: ``sum |r_i| / 2``;
    * ordered distance (values in a fixed order): ``sum_i |r_1 + ... + r_i|
      / (m - 1)``;
    * hierarchical distance along a generalization hierarchy of height
      ``H`` (the ground distance of two leaves is the level of their lowest
      common node over ``H``): ``sum over inner nodes N of level(N) / H *
      min(pos(N), neg(N))``, where ``pos(N)`` / ``neg(N)`` sum the positive /
      negative net differences ``extra(C)`` of the children ``C`` of ``N``,
      and ``extra`` of a node is the sum of ``r`` over the leaves under it.
      This is ARX's ``HierarchicalDistanceTCloseness`` (``H`` is the
      hierarchy's number of levels minus one, the leaves are level 0).
"""

import math

import numpy as np

__all__ = [
    "HierarchyDistance",
    "SensitiveRule",
    "emd",
    "recursive_cl_ok",
    "recursive_l",
]

#: margin of the constraint checks against float noise: a class within it of a
#: bound is rejected, so an exact check (or a peer) never finds a released
#: class over the bound
MARGIN = 1e-9


class HierarchyDistance:
    """The tree of a generalization hierarchy over the sensitive codes.

    Parameters
    ----------
    hierarchy : Hierarchy
        The hierarchy of the sensitive attribute; code ``i`` is its ``i``-th
        leaf (``hierarchy.leaf_codes``).
    leaves : array-like of int or None, default=None
        Only these leaves (positions in the hierarchy): code ``i`` is then
        ``leaves[i]``.  Leaves that hold no row in the table and the class
        move no mass, so leaving them out changes no distance; the height
        stays the hierarchy's.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_anon._hierarchy import load_hierarchy
    >>> h = load_hierarchy({"a": ["x", "*"], "b": ["x", "*"], "c": ["y", "*"]})
    >>> d = HierarchyDistance(h)
    >>> float(d.emd(np.array([[1.0, -1.0, 0.0]]))[0])  # a -> b: one level of two
    0.5
    >>> float(d.emd(np.array([[1.0, 0.0, -1.0]]))[0])  # a -> c: through the root
    1.0
    """

    def __init__(self, hierarchy, leaves=None):
        keep = np.arange(len(hierarchy)) if leaves is None else np.asarray(leaves, dtype=np.int64)
        self.m = len(keep)
        self.height = hierarchy.height
        # per level L >= 1: parent (node code at L) of each node code at L - 1
        self.parents = []
        prev = np.arange(self.m, dtype=np.int64)  # level 0: the leaves themselves
        for lev in range(1, hierarchy.n_levels):
            labels = hierarchy.level_labels(lev)[keep]
            _, codes = np.unique(labels.astype(str), return_inverse=True)
            codes = codes.ravel().astype(np.int64)
            parent = np.zeros(int(prev.max()) + 1, dtype=np.int64)
            parent[prev] = codes  # a tree: one parent per node
            self.parents.append((parent, int(codes.max()) + 1))
            prev = codes

    def emd(self, r):
        """Hierarchical EMD of each row of ``r`` (differences ``q - p``)."""
        r = np.asarray(r, dtype=np.float64)
        cost = np.zeros(r.shape[0])
        if self.height == 0:
            return cost
        net = r
        for lev, (parent, n_nodes) in enumerate(self.parents, start=1):
            pos = _sum_columns(np.maximum(net, 0.0), parent, n_nodes)
            neg = _sum_columns(np.maximum(-net, 0.0), parent, n_nodes)
            cost += (lev / self.height) * np.minimum(pos, neg).sum(axis=1)
            net = pos - neg
        return cost


def _sum_columns(values, group, n_groups):
    """``out[:, g] = values[:, group == g].sum(axis=1)`` for every ``g``."""
    n = values.shape[0]
    flat = (np.arange(n)[:, None] * n_groups + group[None, :]).ravel()
    return np.bincount(flat, weights=values.ravel(), minlength=n * n_groups).reshape(n, n_groups)


def emd(counts, p, *, distance="equal", tree=None):
    """EMD of each row of ``counts`` (class histograms) to the distribution ``p``.

    ``distance`` is ``"equal"``, ``"ordered"`` (codes in order) or
    ``"hierarchical"`` (``tree``: a :class:`HierarchyDistance`).  An empty
    row has distance 0 to nothing meaningful: it is computed as all zeros.
    """
    counts = np.asarray(counts, dtype=np.float64)
    size = counts.sum(axis=1)
    r = counts / np.maximum(size, 1)[:, None] - p
    m = counts.shape[1]
    if distance == "hierarchical":
        return tree.emd(r)
    if m < 2:
        return np.zeros(counts.shape[0])
    if distance == "ordered":
        return np.abs(np.cumsum(r, axis=1)).sum(axis=1) / (m - 1)
    return 0.5 * np.abs(r).sum(axis=1)


def recursive_cl_ok(counts, c, l):  # noqa: E741
    """Boolean per row of ``counts``: is the class recursive (c, l)-diverse?

    ``l`` is rounded up (as ARX does); the strict inequality keeps a margin
    of ``MARGIN`` against float noise.
    """
    counts = np.asarray(counts)
    need = max(int(math.ceil(l - MARGIN)), 1)
    m = counts.shape[1]
    total = counts.sum(axis=1).astype(np.float64)
    if need > m:
        return np.zeros(counts.shape[0], dtype=bool)
    top = counts.max(axis=1).astype(np.float64) if m else np.zeros(counts.shape[0])
    if need == 1:
        tail = total
    else:  # the l - 1 largest counts leave the tail r_l + ... + r_m
        largest = np.partition(counts, m - (need - 1), axis=1)[:, m - (need - 1):]
        tail = total - largest.sum(axis=1)
    return (total > 0) & (top < c * tail - MARGIN)


def recursive_l(cls, cnt, n_classes, c):
    """Largest ``l`` per class for which it is recursive (c, l)-diverse.

    ``cls`` / ``cnt``: the class and the count of every present (class,
    value) pair.  0 for a class that is not even (c, 1)-diverse.
    """
    cls = np.asarray(cls, dtype=np.int64)
    cnt = np.asarray(cnt, dtype=np.float64)
    order = np.lexsort((-cnt, cls))
    cls, cnt = cls[order], cnt[order]
    sizes = np.bincount(cls, weights=cnt, minlength=n_classes)
    n_vals = np.bincount(cls, minlength=n_classes)
    starts = np.cumsum(n_vals) - n_vals
    csum = np.cumsum(cnt)
    before = csum - cnt  # sum of the larger counts of the same class, plus earlier classes
    prefix = before - (csum[starts] - cnt[starts])[cls]  # r_1 + ... + r_{j} (exclusive)
    tail = sizes[cls] - prefix  # r_{j+1} + ... + r_m for the element at rank j
    top = cnt[starts][cls]
    return np.bincount(cls, weights=(top < c * tail), minlength=n_classes).astype(np.int64)


class SensitiveRule:
    """l-diversity / t-closeness test on per-side histograms of sensitive codes.

    Parameters
    ----------
    s_codes : ndarray of int64
        The sensitive code of every row (``0 .. m - 1``).
    m : int
        Number of codes.
    l : float or None
        Diversity threshold.
    l_kind : {"distinct", "entropy", "recursive"}
    c : float or None
        The ``c`` of recursive (c, l)-diversity.
    t : float or None
        Closeness threshold.
    ordered : bool
        Ordered distance (codes in order) rather than equal distance.
    tree : HierarchyDistance or None
        Hierarchical distance along this tree (overrides ``ordered``).
    """

    def __init__(self, s_codes, m, *, l=None, l_kind="distinct", c=None, t=None,  # noqa: E741
                 ordered=False, tree=None):
        self.s_codes = s_codes
        self.m = m
        self.l = l
        self.l_kind = l_kind
        self.c = c
        self.t = t
        self.ordered = ordered
        self.tree = tree
        self.p = np.bincount(s_codes, minlength=m) / max(len(s_codes), 1)

    @property
    def distance(self):
        if self.tree is not None:
            return "hierarchical"
        return "ordered" if self.ordered else "equal"

    def ok(self, hist):
        """Boolean per row of ``hist`` (n, m) of counts: does the side pass?"""
        size = hist.sum(axis=1)
        good = size > 0
        if self.l is not None:
            if self.l_kind == "distinct":
                good &= (hist > 0).sum(axis=1) >= self.l
            elif self.l_kind == "recursive":
                good &= recursive_cl_ok(hist, self.c, self.l)
            else:
                q = hist / np.maximum(size, 1)[:, None]
                with np.errstate(divide="ignore", invalid="ignore"):
                    ent = -np.where(q > 0, q * np.log(q), 0.0).sum(axis=1)
                # a margin, so that float noise never lets a side below l (pycanon
                # floors exp(entropy): 2.9999999 would read as 2)
                good &= ent >= np.log(self.l) + MARGIN
        if self.t is not None and (self.m > 1 or self.tree is not None):
            good &= emd(hist, self.p, distance=self.distance, tree=self.tree) <= self.t - MARGIN
        return good
