"""Local suppression to k-anonymity (sdcMicro's ``localSuppression``) as a transformer.

:class:`LocalSuppressor` takes data whose quasi-identifiers are already
generalized (by :class:`~sklearn_anon.HierarchyGeneralizer`,
:class:`~sklearn_anon.FullDomainAnonymizer`, interval binning ...) and
suppresses single cells, not whole records, until every record shares its
quasi-identifiers with at least ``k - 1`` others, a suppressed cell matching
any value (sdcMicro's definition of k-anonymity with missing values).

Everything runs on integer codes of the distinct rows (*patterns*) with
their row counts; a round is a fixed number of numpy group operations over
the patterns (no Python loop over rows or patterns).  Match counts with
wildcards are computed per pair of *wildcard masks* (which columns are
suppressed): two patterns match when they are equal on the columns where
neither is suppressed, so for one pair of masks the count is a group sum on
the projection to those columns.
"""

from __future__ import annotations

import itertools
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .. import _text
from .._compat import Interval, StrOptions, _fit_context
from .._fit_record import record_fit_output
from ..base import SUPPRESSED, ColumnAnonymizer, is_numeric, values_hidden
from ._coding import _column_name
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Mapping, Sequence
    from .._typing import ArrayLike, Self

__all__ = ["LocalSuppressor"]

_KEY_LIMIT = 1 << 62
#: booleans per block of the nearest-neighbour comparison (memory bound)
_BLOCK = 4_000_000
#: more violating patterns than this in a round: no waiting (pairwise comparison)
_MAX_WAIT = 5_000


# -- counting with wildcards ------------------------------------------------------
def _row_keys(matrix):
    """One int64 key per row of a non-negative int matrix (equal rows, equal keys)."""
    n, d = matrix.shape
    key = np.zeros(n, dtype=np.int64)
    space = 1
    for j in range(d):
        col = matrix[:, j]
        r = int(col.max()) + 1 if n else 1
        if space * r >= _KEY_LIMIT:
            _, key = np.unique(key, return_inverse=True)
            key = key.ravel().astype(np.int64)
            space = int(key.max()) + 1 if n else 1
        key = key * r + col
        space *= r
    return key


def _mask_groups(codes):
    """``(group id per row, mask matrix of each group)``: rows grouped by which
    columns are known (non-negative codes)."""
    known = codes >= 0
    _, first, ids = np.unique(_row_keys(known.astype(np.int64)), return_index=True,
                              return_inverse=True)
    return ids.ravel(), known[first]


def _match_sums(query, data, weights):
    """Sum of ``weights`` of the ``data`` rows that match each ``query`` row.

    Rows are integer codes, negative for a wildcard; two rows match when
    they are equal on every column where both are known.  One group sum per
    pair of wildcard masks (query mask, data mask), on the columns known in
    both.
    """
    out = np.zeros(len(query), dtype=np.float64)
    if len(query) == 0 or len(data) == 0:
        return out
    q_ids, q_masks = _mask_groups(query)
    d_ids, d_masks = _mask_groups(data)
    q_rows = [np.flatnonzero(q_ids == a) for a in range(len(q_masks))]
    d_rows = [np.flatnonzero(d_ids == b) for b in range(len(d_masks))]
    for a, qa in enumerate(q_masks):
        qi = q_rows[a]
        for b, db in enumerate(d_masks):
            di = d_rows[b]
            cols = np.flatnonzero(qa & db)
            both = _row_keys(np.concatenate([query[np.ix_(qi, cols)], data[np.ix_(di, cols)]]))
            group = np.unique(both, return_inverse=True)[1].ravel()
            sums = np.bincount(group[len(qi):], weights=weights[di], minlength=int(group.max()) + 1)
            out[qi] += sums[group[:len(qi)]]
    return out


def _nearest_columns(rows, patterns):
    """For each of ``rows``: the columns where it differs from one of its nearest
    patterns at a positive distance (sdcMicro's ``cpp_calcSuppInds``), and that
    distance.

    The distance counts the columns where both are known and differ.
    """
    m, d = patterns.shape
    out = np.zeros((len(rows), d), dtype=bool)
    nearest_dist = np.zeros(len(rows), dtype=np.int64)
    step = max(1, _BLOCK // max(1, m * d))
    p_known = patterns >= 0
    for start in range(0, len(rows), step):
        r = rows[start:start + step]
        diff = (r[:, None, :] != patterns[None, :, :]) & (r >= 0)[:, None, :] & p_known[None, :, :]
        dist = diff.sum(axis=2)
        dist[dist == 0] = d + 1
        low = dist.min(axis=1, keepdims=True)
        out[start:start + step] = (diff & (dist == low)[:, :, None]).any(axis=1)
        nearest_dist[start:start + step] = low[:, 0]
    return out, nearest_dist


def _rescued(vp, after, w, own, prio, heading_dist, k):
    """Which violating patterns the steps of the patterns before them bring to ``k``.

    Pattern ``p`` (``vp[p]``, becoming ``after[p]``) helps a later pattern
    ``q`` when ``after[p]`` matches ``q`` and ``vp[p]`` did not, or when ``q``
    is one of the nearest patterns ``p`` keeps moving towards
    (``heading_dist[p]``: the distance of its nearest patterns, 0 when ``p``
    reaches ``k`` this round and stops).  Pairs of violating patterns are
    compared in blocks.
    """
    n_v, d = vp.shape
    helped = np.zeros(n_v, dtype=np.float64)
    known = vp >= 0
    after_known = after >= 0
    step = max(1, _BLOCK // max(1, n_v * d))
    for start in range(0, n_v, step):
        p = slice(start, start + step)
        both = known[p, None, :] & known[None, :, :]
        dist = ((vp[p, None, :] != vp[None, :, :]) & both).sum(axis=2)
        now = ((after[p, None, :] != vp[None, :, :]) & after_known[p, None, :]
               & known[None, :, :]).any(axis=2)
        helps = (~now & (dist > 0)) | (dist == heading_dist[p, None])
        helps &= prio[p, None] < prio[None, :]
        helped += w[p] @ helps
    return own + helped >= k


def _suppress_codes(codes, k, order, *, wait=True):
    """Greedy local suppression on integer codes (negative: wildcard).

    ``order[j]`` is the suppression rank of column ``j`` (0: suppressed
    first).  Returns ``(codes, fk per row, rounds)``; see
    :class:`LocalSuppressor` (Notes) for the rule.
    """
    n, d = codes.shape
    shifted = codes + 1  # wildcard -> 0 for the pattern key
    _, first, inv = np.unique(_row_keys(shifted), return_index=True, return_inverse=True)
    inv = inv.ravel()
    pats = codes[first]
    w = np.bincount(inv, minlength=len(first)).astype(np.float64)
    rank = np.asarray(order, dtype=np.int64)
    rounds = 0
    while True:
        fk = _match_sums(pats, pats, w)
        bad = np.flatnonzero(fk < k)
        if len(bad) == 0:
            break
        rounds += 1
        vp = pats[bad]
        own = fk[bad]
        # fk of each violating pattern with one more column suppressed
        gain = np.full((len(bad), d), -1.0)
        for j in range(d):
            avail = np.flatnonzero(vp[:, j] >= 0)
            if len(avail):
                q = vp[avail].copy()
                q[:, j] = -1
                gain[avail, j] = _match_sums(q, pats, w)
        reach = gain >= k
        useful = gain > own[:, None]
        stuck = np.flatnonzero(~useful.any(axis=1))
        heading = np.ones(len(bad), dtype=np.int64)  # distance of the nearest patterns
        if len(stuck):
            useful[stuck], heading[stuck] = _nearest_columns(vp[stuck], pats)
        # the least important column that reaches k; else, among the columns
        # towards the nearest patterns, the largest gain, then the least important
        larger = (gain[:, None, :] > gain[:, :, None]).sum(axis=2)  # columns gaining more
        tier = np.where(reach, 0, np.where(useful, 1 + larger, 1 + d))
        score = np.where(vp >= 0, tier * d + rank[None, :], (2 + d) * d)
        choice = score.argmin(axis=1)
        commit = np.ones(len(bad), dtype=bool)
        if wait and 1 < len(bad) <= _MAX_WAIT:
            # a violating pattern waits when the steps of the patterns before it
            # bring it to k (priority: fewest matches, farthest from the others,
            # most wildcards, fewest rows)
            prio = np.empty(len(bad), dtype=np.int64)
            n_wild = (vp < 0).sum(axis=1)
            prio[np.lexsort([np.arange(len(bad)), w[bad], -n_wild, -heading, own])] = np.arange(len(bad))
            after = vp.copy()
            after[np.arange(len(bad)), choice] = -1
            heading = np.where(reach[np.arange(len(bad)), choice], -1, heading)  # done this round
            commit = ~_rescued(vp, after, w[bad], own, prio, heading, k)
            commit[np.argmin(prio)] = True
        idx = bad[commit]
        pats[idx, choice[commit]] = -1
        # merge patterns that became equal
        _, first, pinv = np.unique(_row_keys(pats + 1), return_index=True, return_inverse=True)
        pinv = pinv.ravel()
        w = np.bincount(pinv, weights=w, minlength=len(first))
        pats = pats[first]
        inv = pinv[inv]
    return pats[inv], fk[inv], rounds


def _strict_k(codes):
    """Smallest class size when a wildcard (-1) and a missing cell (-2) are values of their own."""
    if len(codes) == 0:
        return 0
    counts = np.unique(_row_keys(codes + 2), return_counts=True)[1]
    return int(counts.min())


def _complete_strict(codes, k, tiebreak=None):
    """Whole-record suppression after the wildcard pass, until every class of
    the released values has ``k`` records or more.

    ``codes``: -1 a suppressed cell, -2 a missing one, else a value code.
    Records of classes below ``k`` get every cell suppressed; when the class
    of fully suppressed records is then smaller than ``k``, records of the
    classes with more than ``k`` records join it (their surplus), else the
    smallest class does, until it reaches ``k``.  Returns the new codes.

    Which surplus records join is decided by ``tiebreak`` (one number per
    record, e.g. a hash of its index label; default: the row position), not
    by the row order, so a batch gives the same cells whatever its order.
    """
    out = codes.copy()
    n = len(out)
    if tiebreak is None:
        tiebreak = np.arange(n)
    while True:
        _, inv, counts = np.unique(_row_keys(out + 2), return_inverse=True, return_counts=True)
        inv = inv.ravel()
        size = counts[inv]
        gone = (out == -1).all(axis=1)
        bad = (size < k) & ~gone
        if bad.any():
            out[bad] = -1
            continue
        n_gone = int(gone.sum())
        if n_gone == 0 or n_gone >= k or n_gone == n:
            return out
        need = k - n_gone
        order = np.lexsort((np.arange(n), tiebreak, inv))  # by class, then tie-break
        starts = np.searchsorted(inv[order], inv[order])
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n) - starts  # position of each record in its class
        spare = np.flatnonzero(~gone & (rank < size - k))
        spare = spare[np.lexsort((spare, tiebreak[spare]))]
        if len(spare) >= need:
            out[spare[:need]] = -1
        else:
            out[spare] = -1
            sizes = np.where(gone | (rank < size - k), n + 1, size)
            smallest = inv[sizes == sizes.min()].min()  # classes are numbered by value
            out[inv == smallest] = -1


class LocalSuppressor(ColumnAnonymizer):
    """Suppress the fewest cells that make already-generalized data k-anonymous.

    sdcMicro's ``localSuppression`` (``kAnon``): single quasi-identifier
    cells are replaced by a marker until every record matches at least
    ``k`` records (itself included) on its quasi-identifiers, where a
    suppressed cell matches **any** value.  Records are never dropped.
    Use it after a generalization step that leaves a few rare
    combinations: suppressing a handful of cells costs less than
    generalizing a whole column one level further.

    Parameters
    ----------
    quasi_identifiers : list of str/int, str, int or None, default=None
        The columns to consider (by name, or by position when no column has
        that name).  None: every column.  Other columns pass through
        unchanged.
    k : int, default=5
        Each record must match at least ``k`` records (itself included).
    importance : dict, list or None, default=None
        sdcMicro's ``importance``: one number per quasi-identifier (a dict
        ``{column: number}`` naming each of them, or a list in the order of
        ``quasi_identifiers``).  The column with the **largest** number is
        suppressed first, the one with the smallest is kept whenever
        possible; ties go to the column listed first.  None: as sdcMicro,
        the column with the most distinct values in the fitted data is
        suppressed first (ties: the later column first).
    combs : int, list of int or None, default=None
        sdcMicro's ``combs``: make every combination of that many
        quasi-identifiers k-anonymous, for each size in turn (``[3, 2]``:
        all triples, then all pairs), instead of the whole set.  The whole
        set is then not guaranteed unless its size is listed.  None: the
        whole set.  Each combination is one run of the algorithm below on
        its columns, with the suppressions of the runs before.
    missing_matches : {"any", "own"}, default="any"
        What a missing value of the input (NaN, None, ``pd.NA``, NaT), or a
        cell that already holds the ``"*"`` marker or ``suppress_with``, is.
        ``"any"``: a suppressed cell, matching any value (sdcMicro).
        ``"own"``: a value of its own, matching only missing values; the
        output then is k-anonymous under both readings.  Such cells are not
        counted in ``suppressed_``.
    matching : {"strict", "wildcard"}, default="strict"
        What the output must satisfy.  ``"strict"``: k-anonymity of the
        released values, a suppressed cell being a value of its own (the
        reading of :func:`sklearn_anon.metrics.k_anonymity` and of a
        release gate): after the wildcard pass, records still in classes
        below ``k`` are suppressed whole, and the class of fully suppressed
        records is made to hold ``k`` records or none.  ``"wildcard"``:
        sdcMicro's definition only, a suppressed cell matching any value;
        fewer cells, but a record or a value met once can stay visible
        (see Notes).
    suppress_with : str or None, default="*"
        What a suppressed cell becomes in a text, categorical or boolean
        column (a categorical column gets it as a category; a boolean,
        interval or period column becomes an object column, a period
        column keeps its dtype with NaT when ``suppress_with`` is None).  Numeric and datetime columns
        always get NaN / NaT (an integer column becomes float64, a nullable
        one keeps its dtype with ``pd.NA``).  None: the missing value in
        every column.

    Attributes
    ----------
    quasi_identifiers_ : list
        The quasi-identifiers, in input order.
    importance_ : dict of {column: int}
        The importance used (``importance`` as given, or the default from
        the fitted data): the column with the largest number is suppressed
        first.
    suppressed_ : dict of {column: int}
        Cells suppressed in each quasi-identifier of the fitted data (not
        counting cells missing already), as sdcMicro's ``supps``.
    n_suppressed_ : int
        Their total.
    n_records_suppressed_ : int
        Fitted records with at least one suppressed cell.
    k_achieved_ : int
        Smallest number of matching records in the output of the fitted
        data, a suppressed cell matching any value (``>= k``); with
        ``combs``, the smallest over the combinations.
    k_strict_ : int
        Smallest class size of the same output, on all quasi-identifiers,
        when a suppressed cell is a value of its own (``"*"`` equals only
        ``"*"``), the reading of :func:`sklearn_anon.metrics.k_anonymity`
        and of most tools: ``>= k`` with ``matching="strict"`` (unless the
        batch has fewer than ``k`` rows), usually smaller with
        ``"wildcard"``.
    n_rounds_ : int
        Rounds of the greedy algorithm on the fitted data (summed over the
        combinations with ``combs``).
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    sklearn_anon.FullDomainAnonymizer : generalization with record suppression.
    sklearn_anon.MondrianAnonymizer : local recoding, no suppression needed.

    Notes
    -----
    Fit and transform.  Suppression depends on the whole batch (a record
    is safe because others look like it), so ``transform`` suppresses on
    the rows it is given, as sdcMicro does: ``transform`` of the fitted
    data returns what ``fit_transform`` returns, and ``transform`` of
    another batch makes that batch k-anonymous on its own.  ``fit`` learns
    only the column order (``importance_``) and measures what suppressing
    the fitted data takes (``suppressed_`` ...); ``transform`` sets no
    attribute.  Rows keep their number and order.  A batch of fewer than
    ``k`` rows cannot be made k-anonymous: every quasi-identifier cell is
    suppressed and a warning says so.

    What the guarantee means.  With wildcard matching (sdcMicro's
    definition) a record counts every record whose suppressed cells could
    hide its values.  This is weaker than k-anonymity read on the released
    values (``k_strict_``, and :func:`sklearn_anon.metrics.k_anonymity`,
    where ``"*"`` is a value like any other): once ``k - 1`` records have
    every quasi-identifier suppressed, any other record matches them, so a
    record, or a value met once, can stay visible.  That is why the
    default, ``matching="strict"``, completes the wildcard pass with
    whole-record suppression until the released values themselves are
    k-anonymous (``k_strict_ >= k``).  A record with one suppressed cell is
    often alone under that reading, so on real data strict matching mostly
    suppresses the records below ``k`` whole (on Adult generalized to 2,095
    combinations, k=5: 2,348 records, against 1,542 cells with wildcards).
    Use it on generalized data where few records are below ``k``, and look
    at ``n_records_suppressed_`` before a release.
    A categorical column keeps only the categories it still holds (and the
    marker), so an unused or emptied category is not released.

    The algorithm (a greedy heuristic, like sdcMicro's, not an exact
    minimum).  Rounds, until every record matches ``k`` records:

    1. count, for every distinct row (pattern), the records it matches;
    2. every pattern below ``k`` chooses one more column to suppress: the
       least important (``importance_``) of the columns whose suppression
       alone brings it to ``k``; if there is none, one of the columns where
       it differs from one of its nearest patterns (the fewest differing
       known columns: sdcMicro's rule), the one that gains the most
       matches, then the least important;
    3. patterns are served by priority: fewest matches first (sdcMicro's
       highest-risk-first order), then the farthest from its nearest
       patterns, then the most cells suppressed already, then fewest rows.  A pattern waits a round when the
       patterns before it bring it to ``k``: those whose chosen step makes
       them match it, and those that keep moving towards it (it is one of
       their nearest patterns).  sdcMicro suppresses in both;
    4. the chosen cell is suppressed in every record of the pattern.

    A record whose every quasi-identifier is suppressed matches all rows,
    so the loop ends, and only records below ``k`` at the start are ever
    touched, at most once per column: the result never suppresses more
    cells than suppressing the whole quasi-identifier part of every record
    below ``k``.  On 120 random tables of 4 to 6 rows (k = 2, 3) it
    suppresses 1.22 times the exact minimum in total, sdcMicro's rule 1.62
    times (``tests/test_local_suppression.py``); on Adult generalized at a
    middle level, k=5, 1,542 cells against 2,652 for sdcMicro's rule and
    18,784 for whole records (``benchmarks/bench_local_suppression.py``).

    Cost: one round is ``1 + columns`` match counts, each a numpy group
    sum per pair of distinct wildcard masks (which columns are suppressed)
    over the distinct patterns, plus, for patterns without a neighbour at
    distance one, a comparison with every pattern (``patterns x patterns x
    columns`` booleans, in blocks), and the priority rule compares the
    patterns below ``k`` pairwise (skipped, all of them suppressing at
    once as sdcMicro does, when there are more than 5,000).  No Python loop
    runs over rows or patterns.  Rounds were 2 to 4 on Adult.  It is meant
    for generalized data (few distinct patterns, few wildcard masks): on
    Adult's 8 quasi-identifiers generalized at a middle level (2,095
    distinct rows) a fit takes about 0.4 s CPU; ungeneralized (21,977
    records below k=5) 4.7 s and 24,630 cells: generalize first.

    Errors and warnings name columns and counts, never cell values.

    References
    ----------
    Templ, M., Kowarik, A., Meindl, B. (2015). Statistical Disclosure
    Control for Micro-Data Using the R Package sdcMicro. *Journal of
    Statistical Software* 67(4).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.kanonymity import LocalSuppressor
    >>> df = pd.DataFrame({"age": ["30-39"] * 3 + ["40-49"] * 3 + ["30-39", "50-59"],
    ...                    "sex": ["F", "F", "F", "M", "M", "M", "M", "F"],
    ...                    "zip": ["021**"] * 6 + ["021**", "022**"]})
    >>> sup = LocalSuppressor(k=3, matching="wildcard")
    >>> sup.fit_transform(df)
         age sex    zip
    0  30-39   F  021**
    1  30-39   F  021**
    2  30-39   F  021**
    3  40-49   M  021**
    4  40-49   M  021**
    5  40-49   M  021**
    6      *   M  021**
    7      *   F      *
    >>> sup.suppressed_, sup.k_achieved_, sup.k_strict_
    ({'age': 2, 'sex': 0, 'zip': 1}, 4, 1)

    One cell made record 6 match records 3 to 5 (``age``, the column with
    the most distinct values, goes first); record 7 needed two.
    Suppressing whole records would have cost six cells.  ``k_strict_``
    reads ``"*"`` as a value of its own, under which records 6 and 7 are
    alone.  The default, strict matching, suppresses them whole; two fully
    suppressed records would be a class of two, so a whole class of three
    joins them and the released values are 3-anonymous (on so small a
    table, generalizing further costs less):

    >>> strict = LocalSuppressor(k=3).fit(df)
    >>> strict.k_strict_, strict.n_records_suppressed_
    (3, 5)
    """

    _parameter_constraints = {
        "quasi_identifiers": ["array-like", str, Integral, None],
        "k": [Interval(Integral, 1, None, closed="left")],
        "importance": [dict, list, tuple, None],
        "combs": ["array-like", Integral, None],
        "missing_matches": [StrOptions({"any", "own"})],
        "matching": [StrOptions({"strict", "wildcard"})],
        "suppress_with": [str, None],
    }

    _per_column_params = ()

    def __init__(
        self,
        quasi_identifiers: Sequence[str | int] | str | int | None = None,
        *,
        k: int = 5,
        importance: Mapping[Any, float] | Sequence[Any] | None = None,
        combs: int | Sequence[int] | None = None,
        missing_matches: Literal["any", "own"] = "any",
        matching: Literal["strict", "wildcard"] = "strict",
        suppress_with: str | None = SUPPRESSED,
    ) -> None:
        self.quasi_identifiers = quasi_identifiers
        self.k = k
        self.importance = importance
        self.combs = combs
        self.missing_matches = missing_matches
        self.matching = matching
        self.suppress_with = suppress_with

    # -- fit ---------------------------------------------------------------
    def _resolve(self, frame):
        if isinstance(self.k, (bool, np.bool_)):
            raise TypeError("k must be an int, got a boolean.")
        given = self.quasi_identifiers
        if given is None:
            qis = list(frame.columns)
        else:
            single = isinstance(given, (str, Integral)) or (
                isinstance(given, tuple) and given in frame.columns)
            given = [given] if single else list(given)
            names = [_column_name(frame, q, "Quasi-identifier") for q in given]
            if len(set(names)) != len(names):
                raise ValueError("A quasi-identifier is named twice.")
            qis = [c for c in frame.columns if c in set(names)]
        if not qis:
            raise ValueError("No quasi-identifier column to anonymize.")
        n = frame.shape[0]
        if self.k > n:
            raise ValueError(
                f"k={self.k} is larger than the number of rows (n_samples = {n}): "
                "no k-anonymous table exists."
            )
        return qis

    def _resolve_importance(self, frame, qis, codes):
        """``{column: importance}``; the largest is suppressed first."""
        imp = self.importance
        if imp is None:
            distinct = [len(np.unique(codes[:, j][codes[:, j] >= 0])) for j in range(len(qis))]
            order = np.argsort(distinct, kind="stable")  # fewest distinct values: 1
            values = np.empty(len(qis), dtype=np.int64)
            values[order] = np.arange(1, len(qis) + 1)
            return {c: int(v) for c, v in zip(qis, values)}
        if isinstance(imp, dict):
            names = {}
            for key, value in imp.items():
                name = _column_name(frame, key, "importance column")
                if name not in qis:
                    raise ValueError(f"Column {name!r} (importance) is not a quasi-identifier.")
                names[name] = value
            missing = [c for c in qis if c not in names]
            if missing:
                raise ValueError(
                    f"importance has no entry for quasi-identifier(s) "
                    f"{', '.join(map(repr, missing))}.")
            values = [names[c] for c in qis]
        else:
            values = list(imp)
            if len(values) != len(qis):
                raise ValueError(
                    f"importance has {len(values)} entries for {len(qis)} quasi-identifiers.")
        for v in values:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, Real) or not np.isfinite(v):
                raise ValueError("importance values must be finite numbers.")
        return {c: v for c, v in zip(qis, values)}

    def _order(self, qis):
        """Suppression rank of each quasi-identifier (0: suppressed first)."""
        values = np.array([self.importance_[c] for c in qis], dtype=np.float64)
        order = np.lexsort([np.arange(len(qis)), -values])
        rank = np.empty(len(qis), dtype=np.int64)
        rank[order] = np.arange(len(qis))
        return rank

    def _column_sets(self, d):
        """The column sets (index arrays) to make k-anonymous, in order."""
        if self.combs is None:
            return [np.arange(d)]
        sizes = [self.combs] if isinstance(self.combs, Integral) else list(self.combs)
        if not sizes:
            raise ValueError("combs is empty: give at least one size, or None.")
        sets = []
        for size in sizes:
            if isinstance(size, (bool, np.bool_)) or not isinstance(size, Integral) or not 1 <= size <= d:
                raise ValueError(
                    f"combs must hold sizes between 1 and the number of quasi-identifiers ({d}).")
            sets.extend(np.array(c) for c in itertools.combinations(range(d), int(size)))
        return sets

    def _codes(self, frame, qis):
        """``(codes, already missing mask)``: integer codes of the quasi-identifiers."""
        n = frame.shape[0]
        codes = np.empty((n, len(qis)), dtype=np.int64)
        missing = np.zeros((n, len(qis)), dtype=bool)
        markers = [SUPPRESSED] + ([self.suppress_with] if self.suppress_with is not None else [])
        for j, name in enumerate(qis):
            col = frame[name]
            with values_hidden(name, "could not encode the values"):
                c, uniques = _text.factorize(col, sort=True)
            c = np.asarray(c, dtype=np.int64)
            n_uniques = len(uniques)
            miss = c < 0
            if n_uniques and not is_numeric(col) and not pd.api.types.is_datetime64_any_dtype(col.dtype):
                # a cell that already holds a marker is a suppressed cell
                marked = np.array([isinstance(u, str) and u in markers
                                   for u in np.asarray(uniques, dtype=object)], dtype=bool)
                if marked.any():
                    miss |= marked[np.maximum(c, 0)] & (c >= 0)
            missing[:, j] = miss
            codes[:, j] = np.where(miss, n_uniques if self.missing_matches == "own" else -1, c)
        return codes, missing

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Learn the column order and measure the suppression ``X`` needs.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Generalized data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted suppressor.
        """
        self._fit(X)
        return self

    def _fit(self, X):
        frame, is_pandas = self._validate_frame(X, reset=True)
        qis = self._resolve(frame)
        codes, missing = self._codes(frame, qis)
        self.quasi_identifiers_ = qis
        self.importance_ = self._resolve_importance(frame, qis, codes)
        out, stats = self._apply(frame, is_pandas, codes, missing, warn=False)
        self.suppressed_ = stats["suppressed"]
        self.n_suppressed_ = int(sum(stats["suppressed"].values()))
        self.n_records_suppressed_ = stats["records"]
        self.k_achieved_ = stats["k"]
        self.k_strict_ = stats["k_strict"]
        self.n_rounds_ = stats["rounds"]
        return out

    def fit_transform(
        self,
        X: ArrayLike,
        y: ArrayLike | None = None,
        **fit_params: Any,
    ) -> pd.DataFrame | np.ndarray:
        """Fit to ``X`` and return ``X`` with its cells suppressed (one pass).

        The output is also remembered (by reference, in this process, not
        pickled) as this step's release, which
        :func:`~sklearn_anon.metrics.make_privacy_scorer` measures.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Generalized data.
        y : None
            Ignored.
        **fit_params : dict
            Ignored (accepted for the scikit-learn signature).

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            As :meth:`transform`; the same as ``fit(X).transform(X)``.
        """
        out = self._fit_transform(X)
        record_fit_output(self, X, out)
        return out

    @_fit_context(prefer_skip_nested_validation=True)
    def _fit_transform(self, X):
        return self._fit(X)

    # -- transform ---------------------------------------------------------
    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Suppress cells of ``X`` until it is k-anonymous (wildcard matching).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Generalized data with the columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            Same rows in the same order; suppressed quasi-identifier cells
            hold ``suppress_with`` (text, categorical, boolean columns) or
            NaN / NaT (numeric, datetime columns); other columns unchanged.
        """
        check_is_fitted(self)
        frame, is_pandas = self._validate_frame(X, reset=False)
        codes, missing = self._codes(frame, self.quasi_identifiers_)
        out, _ = self._apply(frame, is_pandas, codes, missing, warn=True, original=X)
        return out

    def _apply(self, frame, is_pandas, codes, missing, *, warn, original=None):
        qis = self.quasi_identifiers_
        n = frame.shape[0]
        rounds = 0
        if n == 0:
            new = np.zeros_like(missing)
            fk = np.zeros(0)
        elif n < self.k:
            if warn:
                warnings.warn(
                    f"LocalSuppressor: the batch has {n} rows, fewer than k={self.k}; every "
                    "quasi-identifier cell is suppressed and the batch is still not "
                    "k-anonymous.", UserWarning, stacklevel=3)
            new = ~missing
            fk = np.full(n, float(n))
        else:
            order = self._order(qis)
            done = codes.copy()
            sets = self._column_sets(len(qis))
            for cols in sets:  # sdcMicro's combs: one column set after the other
                sub_order = np.argsort(np.argsort(order[cols], kind="stable"), kind="stable")
                done[:, cols], fk, steps = _suppress_codes(done[:, cols], self.k, sub_order)
                rounds += steps
            if len(sets) > 1:  # later sets only add wildcards: earlier counts only grow
                fk = np.min([_match_sums(done[:, cols], done[:, cols], np.ones(n)) for cols in sets],
                            axis=0)
            new = (done < 0) & (codes >= 0)
            if self.matching == "strict":
                released = np.where(new, -1, np.where(missing, -2, codes))
                # ties among identical records are broken by the index labels'
                # hashes, not the row order (same cells for a reordered batch)
                tiebreak = pd.util.hash_pandas_object(frame.index, index=False).to_numpy()
                completed = _complete_strict(released, self.k, tiebreak)
                # a missing cell of a record suppressed whole gets the marker too
                new = (completed == -1) & ((codes >= 0) | missing)
                # (more wildcards never lower a record's matches: fk stays a bound)
        stats = {
            "suppressed": {c: int(new[:, j].sum()) for j, c in enumerate(qis)},
            "records": int(new.any(axis=1).sum()),
            "k": int(fk.min()) if n else 0,
            "k_strict": _strict_k(np.where(new, -1, np.where(missing, -2, codes))),
            "rounds": int(rounds),
        }
        cols = {}
        for j, col in enumerate(frame.columns):
            if col in qis:
                cols[j] = self._write(frame[col], new[:, qis.index(col)])
            else:
                cols[j] = frame[col]
        result = _text.text_frame(cols, index=frame.index)
        if not is_pandas:
            result.columns = self.get_feature_names_out()
        elif not hasattr(self, "feature_names_in_") and isinstance(original, pd.DataFrame):
            result.columns = original.columns
        else:
            result.columns = frame.columns
        return self._output(result, is_pandas), stats

    def _write(self, column, mask):
        """``column`` with the cells of ``mask`` suppressed (dtype rules of the docstring)."""
        dtype = column.dtype
        marker = self.suppress_with
        if isinstance(dtype, pd.CategoricalDtype):
            # categories of the output: the values it holds (an unused category
            # of the input, or one emptied here, is not released), then the marker
            out = column.copy()
            if mask.any():
                out[mask] = np.nan
            out = out.cat.remove_unused_categories()
            if marker is not None and marker not in out.cat.categories:
                out = out.cat.add_categories([marker])
            if mask.any():
                out[mask] = marker if marker is not None else np.nan
            return out
        if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
            out = column.copy()
            out[mask] = pd.NaT
            return out
        if is_numeric(column):
            if isinstance(dtype, np.dtype):
                out = column.astype(np.float64)
                out[mask] = np.nan
            else:  # nullable extension dtype
                out = column.copy()
                out[mask] = pd.NA
            return out
        if isinstance(dtype, pd.PeriodDtype) and marker is None:
            out = column.copy()
            out[mask] = pd.NaT
            return out
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
            out = column.copy()
        else:
            # booleans, intervals, periods ... cannot hold the marker: an object column
            out = column.astype(object)
        if mask.any():
            if isinstance(dtype, pd.StringDtype) and marker is None:
                out[mask] = pd.NA
            else:
                out[mask] = marker if marker is not None else np.nan
        return out
