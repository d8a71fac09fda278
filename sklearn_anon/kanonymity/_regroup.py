"""Private pre-pass of ``cuts="hybrid"``: groups of identical rows released as they are.

A cut tree never separates identical rows, so a group of ``c >= k``
identical training rows always shares its region with whatever rows lie
around it, and where it sits between them on every dimension no cut can
take it out (at k=2 on Adult, 1,684 regions of at least ``2 k`` rows are
such a group plus fewer than ``k`` others).  :func:`peel_grow` takes every
such group out first (*peels* it): the group becomes a region of its own,
released with its exact values (no loss), and the cut tree is grown on the
other rows only, which then find their own, tighter regions.  Regions may
now overlap: a region of the tree can contain the point of a peeled group.
The release is still k-anonymous (every region holds at least ``k``
training rows, every peeled group ``c >= k``), and routing stays a function
of a row's values (:func:`route_exact`):

* a row equal on every quasi-identifier to a peeled group (the same
  routing value on every column, none missing) goes to that group's region;
* any other row goes down the cut tree, as with the other cuts (so a new row
  that fits no peeled group gets a region of the tree: a coarser label).

Training rows land where fit put them (the rows left for the tree never
equal a peeled group, since identical rows are peeled together), so
``fit_transform`` equals ``fit().transform()``.  Groups with a missing
value are never peeled.  If fewer than ``k`` rows would be left for the tree
(but some), the smallest groups are kept in the tree until ``k`` are.

On Adult (ARX's hierarchies, all 9 attributes) this lowers both the loss and
the discernibility of ``cuts="hybrid"`` at k=2, 5 and 10 and fits in about
the same time; at k=50 and 100 no group of ``k`` identical rows exists and
nothing changes (see ``benchmarks/README.md``).
"""

import numpy as np

from ._cut_tree import _identical_runs

#: routing values are matched in chunks of this many rows (bounded memory)
_CHUNK = 1 << 18


def identical_groups(codes, coders, k):
    """The groups of at least ``k`` identical rows with no missing code.

    Parameters
    ----------
    codes : ndarray of shape (d, n)
        The code matrix.
    coders : list of ColumnCoder
    k : int

    Returns
    -------
    rows : ndarray of int64
        The rows of the groups, group after group (each group's rows in row
        order; groups in the lexicographic order of their codes).
    sizes : ndarray of int64
        Rows per group.
    first : ndarray of int64
        One row of each group.
    """
    d, n = codes.shape
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order, srt, new = _identical_runs(codes)  # each group's rows in row order
    starts = np.flatnonzero(new)
    sizes = np.diff(np.r_[starts, n])
    ok = sizes >= k
    for j, coder in enumerate(coders):
        ok &= srt[j, starts] != coder.missing_code
    group = np.cumsum(new) - 1
    keep = ok[group]
    return (order[keep].astype(np.int64), sizes[ok].astype(np.int64),
            order[starts[ok]].astype(np.int64))


def peel_grow(codes, coders, k, grow):
    """Peel the groups of at least ``k`` identical rows, grow the cut tree on the rest.

    Parameters
    ----------
    codes : ndarray of shape (d, n)
        The code matrix of all training rows.
    coders : list of ColumnCoder
    k : int
    grow : callable
        ``grow(codes) -> (tree, perm, leaf_start, leaf_size)``, the cut
        tree of a code matrix (:func:`._cut_tree.grow_tree` with the fit's
        other arguments).

    Returns
    -------
    tree, perm, leaf_start, leaf_size
        As ``grow`` returns them for all rows: the tree's regions first
        (numbered as ``grow`` numbers them), then one region per peeled
        group.  ``tree`` gains ``exact_value`` (the peeled groups' routing
        values, shape (groups, d)) and ``exact_leaf`` (their region
        numbers), read by :func:`route_exact`.
    """
    d, n = codes.shape
    rows, sizes, first = identical_groups(codes, coders, k)
    rest_n = n - int(sizes.sum())
    if len(sizes) and rest_n < k:
        # keep the smallest groups in the tree until it has k rows (or every group)
        by_size = np.argsort(sizes, kind="stable")
        need = np.cumsum(sizes[by_size]) + rest_n
        n_back = int(np.searchsorted(need, k)) + 1
        back = np.zeros(len(sizes), dtype=bool)
        back[by_size[:n_back]] = True
        rows = rows[~np.repeat(back, sizes)]
        sizes, first = sizes[~back], first[~back]
        rest_n = n - int(sizes.sum())
    if not len(sizes):
        return grow(codes)
    peeled = np.zeros(n, dtype=bool)
    peeled[rows] = True
    rest = np.flatnonzero(~peeled)
    tree, perm, leaf_start, leaf_size = grow(np.ascontiguousarray(codes[:, rest]))
    n_tree = len(leaf_size)
    perm = np.concatenate([rest[perm], rows])
    leaf_start = np.concatenate([np.asarray(leaf_start, dtype=np.int64),
                                 rest_n + np.r_[0, np.cumsum(sizes)[:-1]]])
    leaf_size = np.concatenate([np.asarray(leaf_size, dtype=np.int64), sizes])
    value = np.empty((len(sizes), d))
    for j, coder in enumerate(coders):
        cj = codes[j, first].astype(np.int64)
        value[:, j] = cj if coder.kind == "categorical" else np.asarray(coder.values)[cj]
    tree["exact_value"] = value
    tree["exact_leaf"] = n_tree + np.arange(len(sizes), dtype=np.int64)
    return tree, perm, leaf_start, leaf_size


def _row_keys(a):
    """One opaque key per row of the float matrix ``a`` (n, d): equal rows, equal keys."""
    a = np.ascontiguousarray(a, dtype=np.float64) + 0.0  # -0.0 as 0.0
    return a.view(np.dtype((np.void, 8 * a.shape[1]))).ravel()


def route_exact(tree, Z, leaf):
    """The region of each row: its peeled group's where its routing values equal one.

    Parameters
    ----------
    tree : dict
        A cut tree with ``exact_value`` / ``exact_leaf`` (:func:`peel_grow`).
    Z : ndarray of shape (d, n)
        Routing values (missing: +inf or the missing code, never a peeled
        group's value).
    leaf : ndarray of int64 of shape (n,)
        The regions the cut tree gives; changed in place and returned.

    Returns
    -------
    leaf : ndarray of int64
    """
    value = tree["exact_value"]
    n = Z.shape[1]
    if not len(value) or not n:
        return leaf
    keys = _row_keys(value)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    exact_leaf = np.asarray(tree["exact_leaf"])[order]
    for a in range(0, n, _CHUNK):
        zk = _row_keys(Z[:, a:a + _CHUNK].T)
        pos = np.minimum(np.searchsorted(keys, zk), len(keys) - 1)
        hit = keys[pos] == zk
        leaf[a + np.flatnonzero(hit)] = exact_leaf[pos[hit]]
    return leaf
