"""Special uniques: minimal sample uniques (MSUs) and SUDA scores.

A *sample unique* on a set of quasi-identifiers is a record no other
record shares those values with; a *minimal sample unique* (MSU) of a
record is a set of its quasi-identifiers on which it is unique while it is
not unique on any proper subset.  A record with small MSUs (unique on its
age and occupation alone) is a *special unique*: an intruder needs to know
little to single it out, and it is more likely to be unique in the
population too (Elliot et al. 2002).

* :func:`minimal_sample_uniques` -- every MSU of every record, up to a
  maximum size.
* :func:`suda_scores` -- sdcMicro's ``suda2`` scores per record: the SUDA
  score (MSUs weighted by their size), the DIS-SUDA score (the score
  calibrated to a probability of a correct match, Elliot et al. 2005), the
  number and smallest size of the record's MSUs and, on request, the
  contribution of each quasi-identifier.

The search (:func:`_search`) is level-wise (breadth-first) over subsets
of the quasi-identifiers and uses the properties SUDA2 (Manning et al.
2008) is built on: only records unique on *all* quasi-identifiers can have
an MSU (the others are never candidates); a record unique on a set is not
examined on any superset of it (no superset is minimal); and a record is
examined on a set of size ``s`` only when it is non-unique on each of the
``s`` subsets of size ``s - 1``, which is also the minimality test, so a
record unique on a set it is examined on has found an MSU.  A set is
counted only when some candidate is examined on it (Apriori's candidate
generation), and only on the rows that share the values of such a
candidate on the set's prefix -- SUDA2's subtables, taken for all
candidates of a set at once -- when those are fewer than half of the
table.  Each count is one vectorized pass (mixed-radix key,
``np.bincount``); the loop runs over sets, never over records.

``method="suda2"`` runs SUDA2's recursive search instead
(:func:`_search_suda2`): the same MSUs, found through subtables, one
recursion step per column prefix with all the prefix's values at once.  It
searches fewer sub-problems (127 column prefixes against 255 sets on
Adult's 8 quasi-identifiers) but checks each subtable's MSUs for a
support row in the parent subtable, and those checks outnumber the sets
the level-wise search counts: on Adult it takes 1.2-2.4 times the CPU of
the level-wise search, which stays the default.

The level-wise search is not SUDA2's item-by-item search.  On tables
such as Adult, where some record stays non-unique on almost every set, nearly all
``2**M - 1`` sets are counted, on nearly all rows: the time is then that
of an exhaustive enumeration with one vectorized count per set (about 0.5 s
for Adult's 8 quasi-identifiers and 30,162 rows, 20 s for 12 attributes on
32,561 rows, on a loaded 2-core machine; ``benchmarks/bench_record_risk.py``).
The pruning pays on tables whose records become unique on few columns, and
``max_size`` bounds the work to the sets of at most that many columns.
"""

from __future__ import annotations

import itertools
import math
from numbers import Integral, Real

import numpy as np
import pandas as pd

from ._tables import _codes, _compress, check_table, combine_codes
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Literal, Sequence
    from .._typing import ArrayLike

__all__ = ["minimal_sample_uniques", "suda_scores"]


def _qi_codes(frame, qis):
    """Codes (n, M), cardinalities (M,) and missing mask (n, M) of the QIs."""
    n, m = len(frame), len(qis)
    codes = np.empty((n, m), dtype=np.int64)
    cards = np.empty(m, dtype=np.int64)
    missing = np.empty((n, m), dtype=bool)
    for j, q in enumerate(qis):
        codes[:, j], cards[j] = _codes(frame[q])
        missing[:, j] = frame[q].isna().to_numpy()
    return codes, cards, missing


def _group_ids(codes, cards, cols, rows=None, *, column_major=False):
    """Group id of each row (of ``rows``, default all) on the columns ``cols``.

    Returns ``(ids, sizes)``: ids 0..g-1 and the size of each group, counted
    over those rows only.  ``codes`` is row-major (n, M) or, with
    ``column_major``, (M, n), faster to gather from.
    """
    col = (lambda c: codes[c]) if column_major else (lambda c: codes[:, c])
    return combine_codes(
        (col(c) if rows is None else col(c)[rows], int(cards[c])) for c in cols
    )


def _subset_sizes(codes, cards, cols):
    """Size of each row's class on the columns ``cols`` (one count of all rows)."""
    ids, sizes = _group_ids(codes, cards, cols)
    return sizes[ids]


def _check_max_size(max_size, m):
    if max_size is None:
        return m
    if isinstance(max_size, bool) or not isinstance(max_size, Integral) or max_size < 1:
        raise ValueError(f"max_size must be an integer >= 1 or None, got {max_size!r}.")
    return min(int(max_size), m)


def _check_method(method):
    """The search function of ``method``."""
    searches = {"levelwise": _search, "suda2": _search_suda2}
    if not isinstance(method, str) or method not in searches:
        raise ValueError(f"method must be one of {sorted(searches)}, got {method!r}.")
    return searches[method]


def _search(codes, cards, missing, max_size):
    """Every MSU of up to ``max_size`` columns.

    Returns ``(candidates, found, n_examined)``: the rows unique on all
    columns (the only rows that can have an MSU), a list of
    ``(subset, positions)`` -- the column positions of an MSU and the
    positions (into ``candidates``) of the records it is an MSU of -- and
    the number of subsets whose rows were counted.

    State kept for each subset ``T`` on which some candidate is still
    *alive* (has no missing value in ``T`` and is not unique on it): the
    alive candidates (a mask over ``candidates``) and ``rows[T]``, the rows
    that share the ``T`` values of an alive candidate -- the union of the
    candidates' subtables.  An extension ``S = T + (j,)`` is counted on
    ``rows[T]`` only: every row that shares a candidate's ``S`` values shares
    its ``T`` values.
    """
    n, m = codes.shape
    full = _subset_sizes(codes, cards, list(range(m)))
    candidates = np.flatnonzero(full == 1)
    found = []
    examined = 0
    if len(candidates) == 0:
        return candidates, found, examined
    cand_missing = missing[candidates]
    codes = np.ascontiguousarray(codes.T)  # column-major: one gather per column

    def count(key, card, rows, eligible):
        """Uniques among the eligible candidates; the still-alive mask and their rows.

        ``key`` identifies each counted row's values on the set (below
        ``card``); ``rows`` (sorted) are the counted rows, None for all.
        A key space up to 16 times the rows counted is counted densely
        (``np.bincount``, no renumbering), a larger one hashed.
        """
        if card > max(16 * len(key), 1 << 16):
            key, sizes = _compress(key, card)
            card = len(sizes)
        else:
            sizes = np.bincount(key, minlength=card)
        pos = np.flatnonzero(eligible)
        # where the eligible candidates sit among the counted rows
        where = candidates[pos] if rows is None else np.searchsorted(rows, candidates[pos])
        cand_keys = key[where]
        unique = sizes[cand_keys] == 1
        still = np.zeros(len(candidates), dtype=bool)
        still[pos[~unique]] = True
        keep_groups = np.zeros(card, dtype=bool)
        keep_groups[cand_keys[~unique]] = True
        kept = keep_groups[key]
        alive_rows = np.flatnonzero(kept) if rows is None else rows[kept]
        return pos[unique], still, alive_rows

    # level 1: every candidate is non-unique on the empty set (an MSU has >= 1 column)
    alive = {}
    for a in range(m):
        examined += 1
        eligible = ~cand_missing[:, a]  # an MSU never holds a missing value (as in SUDA2)
        if not eligible.any():
            continue
        uniq, still, alive_rows = count(codes[a], int(cards[a]), None, eligible)
        if len(uniq):
            found.append(((a,), uniq))
        if still.any():
            alive[(a,)] = (still, alive_rows)
    for size in range(2, max_size + 1):
        level = {}
        for subset in sorted(alive):
            prefix_ids = None
            for j in range(subset[-1] + 1, m):
                cand = subset + (j,)
                # minimality: non-unique on every subset one column smaller
                eligible = None
                for drop in range(size):
                    state = alive.get(cand[:drop] + cand[drop + 1:])
                    if state is None:
                        eligible = None
                        break
                    eligible = state[0] if eligible is None else eligible & state[0]
                if eligible is None or not eligible.any():
                    continue
                examined += 1
                if prefix_ids is None:  # the prefix's groups, once for all its extensions
                    rows = alive[subset][1]
                    # a restriction to most of the table costs more than it saves
                    rows = rows if 2 * len(rows) <= n else None
                    prefix_ids, prefix_sizes = _group_ids(codes, cards, list(subset), rows,
                                                          column_major=True)
                    prefix_card = len(prefix_sizes)
                column = codes[j] if rows is None else codes[j][rows]
                uniq, still, alive_rows = count(prefix_ids * int(cards[j]) + column,
                                                prefix_card * int(cards[j]), rows, eligible)
                if len(uniq):
                    found.append((cand, uniq))
                if still.any():
                    level[cand] = (still, alive_rows)
        alive = level
        if not alive:
            break
    return candidates, found, examined


def _search_suda2(codes, cards, missing, max_size):
    """Every MSU of up to ``max_size`` columns, by SUDA2's recursive search.

    Same return as :func:`_search`; ``n_examined`` is the number of
    sub-problems (prefixes) searched.

    SUDA2 (Manning et al. 2008; sdcMicro's ``suda2`` is an
    implementation) orders the columns and finds the MSUs of a table as
    follows: a value ``v`` of column ``c`` held by one row is an MSU of
    size 1; otherwise the MSUs that contain ``v`` as their first item are
    ``{v} + U`` for each MSU ``U`` (on the columns after ``c``) of the
    *subtable* of the rows that hold ``v`` -- the recursion -- for which
    ``U`` is not unique in the table itself: some row outside the subtable
    (a *support row*) shares ``U``.  That is the whole minimality test:
    dropping an item of ``U`` leaves a set not unique in the subtable
    (``U`` is minimal there) and dropping ``v`` leaves ``U``.  A row unique
    on the subtable's remaining columns is the only kind that can have an
    MSU in it; a subtable without such a row is not searched.  A value of
    the subtable whose rows in the parent table all lie in the subtable has
    no support row: it is left out of the subtable's MSUs (as a missing
    value is).  With the columns in a fixed order, a record unique only on
    all ``M`` columns is searched in ``M`` sub-problems, not in the
    ``2**M - 1`` subsets.  The columns with most distinct values come first
    (their subtables are the smallest); the MSUs are given back in the
    caller's columns, in :func:`_search`'s order.

    Vectorized: one recursion step handles *every* value of a column at
    once (all subtables with the same column prefix are one array of rows
    with a group id per subtable), so the Python recursion runs over column
    prefixes, never over values or rows.
    """
    n, m = codes.shape
    full = _subset_sizes(codes, cards, list(range(m)))
    candidates = np.flatnonzero(full == 1)
    examined = [0]
    if len(candidates) == 0:
        return candidates, [], 0
    # the columns with most values first: their subtables are the smallest
    order = np.argsort(-cards, kind="stable")
    codes = np.ascontiguousarray(codes[:, order].T)  # column-major: one gather per column
    missing_t = np.ascontiguousarray(missing[:, order].T)
    cards = cards[order]

    def solve(first, rows, gid, gcard, live, budget, blocked, parent_counts):
        """MSUs inside subtables: groups ``gid`` of ``rows`` over columns >= ``first``.

        ``rows`` (global, sorted) hold whole subtables (group ids ``gid``
        below ``gcard``); ``live`` marks their rows unique on the prefix and
        the columns from ``first`` on (the only ones that can have an MSU
        here) and free of missing values on the prefix; ``blocked`` (columns
        x rows) the values that can be in no MSU that lifts to the table;
        ``parent_counts`` (column -> per row) the count of each row's value
        in the parent subtable, None at the top.  Returns
        ``{columns: global rows}``: the sets of at most ``budget`` columns
        minimal unique for those rows within their subtable.
        """
        examined[0] += 1
        out = {}
        if first >= m:
            return out
        cols = range(first, m)
        # uniqueness on (prefix, c, columns after c), for every c: suffix keys, last first
        suffix_unique = {}
        if budget >= 2:
            key, card = gid, gcard
            for c in reversed(cols):
                if card * int(cards[c]) >= 2**62:
                    key, sizes = _compress(key, card)
                    card = len(sizes)
                key = key * int(cards[c]) + codes[c][rows]
                card *= int(cards[c])
                key, sizes = _compress(key, card)
                card = len(sizes)
                suffix_unique[c] = sizes[key] == 1
        items = {}

        def item_ids(c):
            """Subtable-and-value id of each row for column ``c``, and the counts."""
            if c not in items:
                item, sizes = _compress(gid * int(cards[c]) + codes[c][rows],
                                        gcard * int(cards[c]))
                items[c] = item, sizes
                if parent_counts is not None:
                    # a value all of whose rows of the parent subtable are in this one
                    # has no support row there: no MSU of this subtable with it lifts
                    blocked[c] |= sizes[item] == parent_counts[c]
            return items[c]

        pending = {}  # the MSUs of the children: U -> [(column, rows)]
        for c in cols:
            item, sizes = item_ids(c)
            ok = live & ~missing_t[c][rows] & ~blocked[c]
            if not ok.any():
                continue
            count = sizes[item]
            single = ok & (count == 1)
            if single.any():
                out[(c,)] = rows[single]
            if budget < 2 or c == m - 1:
                continue
            child_live = ok & (count > 1) & suffix_unique[c]
            if not child_live.any():
                continue
            keep_items = np.zeros(len(sizes), dtype=bool)
            keep_items[item[child_live]] = True
            keep = keep_items[item]
            sub_item, sub_sizes = _compress(item[keep], len(sizes))
            counts = {d: item_ids(d)[1][item_ids(d)[0][keep]] for d in range(c + 1, m)}
            found = solve(c + 1, rows[keep], sub_item, len(sub_sizes), child_live[keep],
                          budget - 1, blocked[:, keep], counts)
            for cols_u, urows in found.items():
                pending.setdefault(cols_u, []).append((c, urows))
        # support rows: U must be shared in the parent subtable (outside the child).
        # One count per distinct U, in lexicographic order so that each count
        # extends the one of its prefix (a stack of the prefixes' groups).
        stack = []
        for cols_u in sorted(pending):
            while stack and cols_u[:len(stack[-1][0])] != stack[-1][0]:
                stack.pop()
            if not stack:
                stack.append(((cols_u[0],),) + item_ids(cols_u[0]))
            while len(stack[-1][0]) < len(cols_u):
                prefix, ids, sizes = stack[-1]
                u = cols_u[len(prefix)]
                ids, sizes = _compress(ids * int(cards[u]) + codes[u][rows],
                                       len(sizes) * int(cards[u]))
                stack.append((prefix + (u,), ids, sizes))
            _, ids, sizes = stack[-1]
            for c, urows in pending[cols_u]:
                ok_u = sizes[ids[np.searchsorted(rows, urows)]] > 1
                if ok_u.any():
                    out[(c,) + cols_u] = urows[ok_u]
        return out

    result = solve(0, np.arange(n), np.zeros(n, dtype=np.int64), 1,
                   full == 1, max_size, np.zeros((m, n), dtype=bool), None)
    # back to the caller's column positions, each set in increasing order
    result = {tuple(sorted(int(order[c]) for c in cols)): r for cols, r in result.items()}
    found = [(cols, np.searchsorted(candidates, result[cols]))
             for cols in sorted(result, key=lambda s: (len(s), s))]
    return candidates, found, examined[0]


def minimal_sample_uniques(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    *,
    max_size: int | None = None,
    method: Literal["levelwise", "suda2"] = "levelwise",
) -> pd.DataFrame:
    """Minimal sample uniques (MSUs) of every record, up to ``max_size`` columns.

    An MSU of a record is a set of quasi-identifiers on which the record
    is unique in the table while it is not unique on any proper subset of
    it.  A missing value is never part of an MSU (as in sdcMicro's SUDA2);
    otherwise NaN is a value like any other.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The table.
    quasi_identifiers : str or list of str
        The key variables.
    max_size : int >= 1 or None, default=None
        Largest MSU searched; None searches every size (sdcMicro's
        ``suda2`` always does).
    method : {"levelwise", "suda2"}, default="levelwise"
        The search; both find the same MSUs.  ``"levelwise"``: column
        subsets by size, pruned as Apriori (:func:`_search`);
        ``"suda2"``: SUDA2's recursive search over subtables (Manning et
        al. 2008), vectorized per column prefix.  The level-wise search is
        the faster on Adult (``benchmarks/bench_record_risk.py``).

    Returns
    -------
    msus : DataFrame
        One row per (record, MSU), ordered by record then size: ``row``
        (the record's index label in ``X``), ``size`` and ``columns`` (a
        tuple of quasi-identifier names, in the order given).  No cell
        value is in it.

    See Also
    --------
    suda_scores : the SUDA and DIS-SUDA scores built on the MSUs.

    References
    ----------
    .. [1] Elliot, M. J., Manning, A. M. and Ford, R. W. (2002). A
       computational algorithm for handling the special uniques problem.
       International Journal of Uncertainty, Fuzziness and Knowledge-Based
       Systems 10(5), 493-509.
    .. [2] Manning, A. M., Haglin, D. J. and Keane, J. A. (2008). A
       recursive search algorithm for statistical disclosure assessment.
       Data Mining and Knowledge Discovery 16, 165-196.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import minimal_sample_uniques
    >>> X = pd.DataFrame({"age": [30, 30, 30, 41],
    ...                   "sex": ["F", "M", "F", "F"],
    ...                   "zip": ["750", "750", "751", "751"]})
    >>> minimal_sample_uniques(X, ["age", "sex", "zip"])
       row  size     columns
    0    0     2  (sex, zip)
    1    1     1      (sex,)
    2    2     2  (age, zip)
    3    3     1      (age,)
    """
    frame, qis, _ = check_table(X, quasi_identifiers)
    codes, cards, missing = _qi_codes(frame, qis)
    max_size = _check_max_size(max_size, len(qis))
    candidates, found, _ = _check_method(method)(codes, cards, missing, max_size)
    row_parts: list[np.ndarray] = []
    size_parts: list[np.ndarray] = []
    subset_parts: list[np.ndarray] = []
    names = [tuple(qis[c] for c in subset) for subset, _ in found]
    for (subset, pos), name in zip(found, names):
        row_parts.append(candidates[pos])
        size_parts.append(np.full(len(pos), len(subset)))
        subset_parts.append(np.full(len(pos), len(subset_parts)))
    if not row_parts:
        return pd.DataFrame({"row": pd.Series([], dtype=frame.index.dtype),
                             "size": pd.Series([], dtype=np.int64),
                             "columns": pd.Series([], dtype=object)})
    rows = np.concatenate(row_parts)
    sizes = np.concatenate(size_parts)
    subsets = np.concatenate(subset_parts)
    order = np.lexsort((subsets, sizes, rows))
    lookup = np.empty(len(names), dtype=object)
    lookup[:] = names
    return pd.DataFrame({
        "row": frame.index.to_numpy()[rows[order]],
        "size": sizes[order].astype(np.int64),
        "columns": lookup[subsets[order]],
    })


def _score_weights(m, original_scores):
    """Weight of an MSU of each size 1..m (sdcMicro's ``g_ab``)."""
    sizes = np.arange(1, m + 1)
    if original_scores:  # Elliot et al.: prod_{j=s}^{m-1} (m - j) = (m - s)!
        return np.array([float(math.factorial(m - s)) for s in sizes])
    # the IHSN program's weights: (2^(m-s) - 1) * s! * (m-s)! / m!
    return np.array([(2.0 ** (m - s) - 1) * math.factorial(s) * math.factorial(m - s)
                     / math.factorial(m) for s in sizes])


def suda_scores(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    *,
    max_size: int | None = None,
    dis_fraction: float = 0.01,
    original_scores: bool = True,
    contributions: bool = False,
    method: Literal["levelwise", "suda2"] = "levelwise",
) -> pd.DataFrame:
    """SUDA and DIS-SUDA scores of each record, as sdcMicro's ``suda2``.

    Each MSU of a record (see :func:`minimal_sample_uniques`) adds a weight
    that falls with its size: ``(M - size)!`` with ``M`` the number of
    quasi-identifiers (Elliot et al. 2002; sdcMicro's default
    ``original_scores=TRUE``), so an MSU of one column weighs most.  A
    record without MSU (not unique on all quasi-identifiers) scores 0.

    The DIS-SUDA score turns the scores into the probability that a
    match of the record against the population is correct (Elliot et al.
    2005), with ``u`` the number of sample uniques on all
    quasi-identifiers, ``d`` the number of records in pairs (keys shared
    by exactly two records), ``p = dis_fraction`` and
    ``Q = 1 + (8 - M) / 20``:
    ``dis = 1 / (1 + (d (1 - p) / p) / (score**Q * sum(score**-Q)))``,
    the sum over the records with a positive score.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released sample.
    quasi_identifiers : str or list of str
        The key variables.
    max_size : int >= 1 or None, default=None
        Largest MSU searched; None: all sizes (sdcMicro's only choice).
        Smaller values are faster and give a lower bound of the score:
        larger MSUs, which weigh least, are left out.
    dis_fraction : float in (0, 1), default=0.01
        Sampling fraction of the release (sdcMicro's ``DisFraction``), for
        the DIS-SUDA score.
    original_scores : bool, default=True
        True: Elliot's weights ``(M - size)!``; False: the weights of the
        IHSN program, ``(2**(M - size) - 1) * size! * (M - size)! / M!``
        (sdcMicro's ``original_scores=FALSE``).
    contributions : bool, default=False
        Add one column per quasi-identifier, ``<name>_contribution``: the
        summed weights of the record's MSUs that contain it, divided by the
        record's score (sdcMicro's ``contributionPercent``; a row sums to
        the weighted mean MSU size, not to 1).
    method : {"levelwise", "suda2"}, default="levelwise"
        The MSU search (see :func:`minimal_sample_uniques`); the scores do
        not depend on it.

    Returns
    -------
    scores : DataFrame, indexed like ``X``
        ``score`` (float), ``dis_score`` (float in [0, 1]), ``n_msu`` (int)
        and ``min_msu_size`` (int, 0 when the record has no MSU), and the
        contribution columns when asked.

    Notes
    -----
    As sdcMicro, tables with fewer than 3 quasi-identifiers are scored as
    if constant columns completed them to 3 (``M = 3``; sdcMicro adds
    dummy columns and warns).  sdcMicro writes the DIS factor as
    ``u / Dis - u`` with ``Dis = u p / (u p + d (1 - p))`` and ``u`` the
    number of sample uniques; ``u`` cancels out, which is the form used
    here.  (sdcMicro's C++ code counts ``u`` only over the uniques alone in
    their 16-bit hash bucket, ``Suda2.h`` line 1182, an undercount that
    the cancellation hides unless it finds none, where its scores become
    NaN; and it computes ``Dis`` in single precision.)

    References
    ----------
    .. [1] Elliot, M. J., Manning, A. M. and Ford, R. W. (2002). A
       computational algorithm for handling the special uniques problem.
       International Journal of Uncertainty, Fuzziness and Knowledge-Based
       Systems 10(5), 493-509.
    .. [2] Elliot, M. J., Skinner, C. J. and Dale, A. (1998). Special
       uniques, random uniques and sticky populations: some
       counterintuitive effects of geographical detail on disclosure risk.
       Research in Official Statistics 1(2), 53-67; DIS: Skinner, C. J. and
       Elliot, M. J. (2002). A measure of disclosure risk for microdata.
       JRSS B 64(4), 855-867.
    .. [3] sdcMicro, ``src/Suda2.h``: the weights ``g_ab`` (lines
       1028-1064), the score (lines 1240-1288), the DIS-SUDA score (lines
       1235-1236 and 1335-1350); ``R/suda2.R`` (``suda2WORK``, dummy
       columns for fewer than 3 variables),
       https://github.com/sdcTools/sdcMicro (commit cf32510).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import suda_scores
    >>> X = pd.DataFrame({"age": [30, 30, 30, 41],
    ...                   "sex": ["F", "M", "F", "F"],
    ...                   "zip": ["750", "750", "751", "751"]})
    >>> suda_scores(X, ["age", "sex", "zip"])[["score", "n_msu", "min_msu_size"]]
       score  n_msu  min_msu_size
    0    1.0      1             2
    1    2.0      1             1
    2    1.0      1             2
    3    2.0      1             1
    """
    if (isinstance(dis_fraction, bool) or not isinstance(dis_fraction, Real)
            or not 0 < dis_fraction < 1):
        raise ValueError(f"dis_fraction must be a number in (0, 1), got {dis_fraction!r}.")
    frame, qis, _ = check_table(X, quasi_identifiers)
    codes, cards, missing = _qi_codes(frame, qis)
    n, m = codes.shape
    max_size = _check_max_size(max_size, m)
    candidates, found, _ = _check_method(method)(codes, cards, missing, max_size)
    m_eff = max(m, 3)
    weights = _score_weights(m_eff, bool(original_scores))

    c = len(candidates)
    n_msu = np.zeros(c, dtype=np.int64)
    min_size = np.zeros(c, dtype=np.int64)
    cand_score = np.zeros(c)
    contrib = np.zeros((c, m)) if contributions else None
    for subset, pos in found:  # a loop over subsets; ``pos`` holds each record once
        s = len(subset)
        n_msu[pos] += 1
        cand_score[pos] += weights[s - 1]
        min_size[pos] = np.where(min_size[pos] == 0, s, np.minimum(min_size[pos], s))
        if contrib is not None:
            contrib[np.ix_(pos, list(subset))] += weights[s - 1]

    score = np.zeros(n)
    score[candidates] = cand_score
    # DIS-SUDA: d records in pairs on all quasi-identifiers (u cancels out)
    full = _subset_sizes(codes, cards, list(range(m)))
    d = float(np.sum(full == 2))
    p = float(dis_fraction)
    q = 1.0 + (8.0 - m_eff) / 20.0
    dis = np.zeros(n)
    positive = score > 0
    if positive.any():
        powered = score[positive] ** q
        adj = np.sum(1.0 / powered)
        dis[positive] = 1.0 / (1.0 + (d * (1.0 - p) / p) / (powered * adj))
    out = pd.DataFrame({"score": score, "dis_score": dis}, index=frame.index)
    full_n = np.zeros(n, dtype=np.int64)
    full_n[candidates] = n_msu
    full_min = np.zeros(n, dtype=np.int64)
    full_min[candidates] = min_size
    out["n_msu"] = full_n
    out["min_msu_size"] = full_min
    if contrib is not None:
        shares = np.zeros((n, m))
        with np.errstate(divide="ignore", invalid="ignore"):
            shares[candidates] = np.where(cand_score[:, None] > 0,
                                          contrib / cand_score[:, None], 0.0)
        for j, qname in enumerate(qis):
            out[f"{qname}_contribution"] = shares[:, j]
    return out
