"""Privacy-model measures: equivalence classes, k, l, t, discernibility and C_avg.

Every function works on a :class:`pandas.DataFrame` (an ndarray is accepted
and its columns are named ``x0, x1, ...``) and is vectorized: each
quasi-identifier column is factorized once with the cheapest exact method
for its dtype (categorical codes as they are, Arrow-backed text through
pyarrow's ``dictionary_encode``, small-range integers as ``value - min``,
anything else ``pd.factorize``), the codes are combined into one int64 key
per row by mixed radix, the key is counted densely (``np.bincount``) or
hashed when its range is large (all of that in :mod:`._tables`), and the
statistics are ``np.bincount`` reductions over the class ids.  No
``groupby``, nothing cached between calls.  NaN in a quasi-identifier is a
value of its own (it forms its own class, like ``groupby(dropna=False)``).

Definitions
-----------
equivalence class
    The rows sharing the same values on every quasi-identifier.
k-anonymity
    The size of the smallest equivalence class.
distinct l-diversity
    The smallest number of distinct sensitive values in a class.
entropy l-diversity
    ``exp`` of the smallest entropy (natural log) of the sensitive values in
    a class (Machanavajjhala et al. 2007); pycanon returns the integer part
    of the same number.
t-closeness
    The largest Earth Mover's Distance between the sensitive distribution of
    a class and that of the whole table (Li et al. 2007): ordered distance
    for a numeric sensitive column (values sorted, distance between the
    ``i``-th and ``j``-th value ``|i - j| / (m - 1)``), equal distance for a
    categorical one (half the L1 distance).  Same formulas, summed in the
    same order, as pycanon's ``t_closeness``.
discernibility
    The sum over classes of the squared class size (Bayardo & Agrawal 2005).
average class size
    ``C_avg = (n_rows / n_classes) / k`` (LeFevre et al. 2006).

NCP (granularity loss) is a utility measure: :mod:`._ncp`.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from .. import _text
from .._hierarchy import load_hierarchy
from .._sensitive import HierarchyDistance, recursive_l
from .._sensitive import emd as _emd
from ..base import is_numeric, values_hidden
from ._tables import _DENSE_FACTOR, _check_table, _class_sizes, _codes
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Sequence
    from .._typing import ArrayLike, HierarchyLike

__all__ = [
    "average_class_size",
    "discernibility",
    "equivalence_classes",
    "k_anonymity",
    "l_diversity",
    "t_closeness",
]


def equivalence_classes(X: ArrayLike, quasi_identifiers: str | Sequence[str]) -> pd.Series:
    """Equivalence class of each row: the rows sharing every quasi-identifier.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The (anonymized) table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.

    Returns
    -------
    classes : Series of int, indexed like ``X``
        The class id of each row, ``0 .. n_classes - 1`` numbered in order of
        first appearance; named ``"equivalence_class"``.  The class sizes
        per row are ``classes.map(classes.value_counts())``.  NaN is a value
        of its own.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import equivalence_classes
    >>> df = pd.DataFrame({"age": ["[30, 39]", "[30, 39]", "[40, 49]"],
    ...                    "zip": ["130**", "130**", "148**"]})
    >>> equivalence_classes(df, ["age", "zip"]).tolist()
    [0, 0, 1]
    """
    frame, qis = _check_table(X, quasi_identifiers)
    ids, _ = _class_sizes(frame, qis)
    ids, _ = _text.factorize(ids)  # renumber in order of first appearance
    return pd.Series(ids.astype(np.int64), index=frame.index, name="equivalence_class")


def _sizes(X, quasi_identifiers, sensitive=None):
    frame, qis = _check_table(X, quasi_identifiers, sensitive)
    ids, sizes = _class_sizes(frame, qis)
    return frame, ids, sizes


def k_anonymity(X: ArrayLike, quasi_identifiers: str | Sequence[str]) -> int:
    """The k for which ``X`` is k-anonymous: the size of the smallest class.

    Parameters
    ----------
    X : DataFrame or array-like
        The (anonymized) table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.

    Returns
    -------
    k : int
        The size of the smallest equivalence class.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import k_anonymity
    >>> df = pd.DataFrame({"age": ["[30, 39]"] * 3 + ["[40, 49]"] * 2,
    ...                    "sex": ["F"] * 5})
    >>> k_anonymity(df, ["age", "sex"])
    2
    """
    _, _, sizes = _sizes(X, quasi_identifiers)
    return int(sizes.min())


def _class_value_counts(frame, ids, n_classes, sensitive):
    """Dense (n_classes, m) count matrix of the sensitive values per class."""
    s_codes, m = _codes(frame[sensitive])
    counts = np.bincount(ids * m + s_codes, minlength=n_classes * m)
    return counts.reshape(n_classes, m), s_codes, m


def l_diversity(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    sensitive: str,
    kind: Literal["distinct", "entropy", "recursive"] = "distinct",
    *,
    c: float | None = None,
) -> float:
    """The l for which ``X`` is l-diverse on ``sensitive``.

    Parameters
    ----------
    X : DataFrame or array-like
        The (anonymized) table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns (must not include ``sensitive``).
    sensitive : str
        The sensitive column.
    kind : {"distinct", "entropy", "recursive"}, default="distinct"
        ``"distinct"``: the smallest number of distinct sensitive values in a
        class (an int).  ``"entropy"``: ``exp(min over classes of the entropy
        of the sensitive values)`` (a float; pycanon's
        ``entropy_l_diversity`` returns its integer part).
        ``"recursive"``: the largest ``l`` for which every class is
        recursive (c, l)-diverse for the given ``c`` (an int; 0 when a class
        is not even (c, 1)-diverse, which happens for ``c <= 1``):
        with the class's counts sorted decreasingly, ``r_1 < c (r_l + ... +
        r_m)`` (Machanavajjhala et al. 2007; ARX's
        ``RecursiveCLDiversity``).  pycanon's ``recursive_c_l_diversity``
        differs: it sorts the counts increasingly, so its ``r_1`` is the
        *least* frequent value's count (see Notes).
    c : float > 0 or None, default=None
        The ``c`` of recursive (c, l)-diversity (``kind="recursive"`` only).

    Returns
    -------
    l : int or float
        The l of the least diverse class, measured by ``kind`` (an int,
        except for ``kind="entropy"``).

    Notes
    -----
    pycanon 1.3.6's ``recursive_c_l_diversity(data, qi, [s])`` returns
    ``(c, l)`` with ``l`` the distinct l-diversity and ``c = max over classes
    of floor(r_(1) / (r_(l) + ... + r_(m)) + 1)`` with the counts sorted
    *increasingly* (``r_(1)`` the smallest count).  Machanavajjhala et al.
    (and ARX) sort decreasingly.  The two agree when every class holds its
    values equally often, and differ otherwise (a class with counts 6, 1, 1
    and ``l = 2``: pycanon's ratio is ``1 / 7``, the definition's ``6 / 2``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import l_diversity
    >>> df = pd.DataFrame({"age": ["[30, 39]"] * 4,
    ...                    "disease": ["flu", "flu", "cold", "hiv"]})
    >>> l_diversity(df, ["age"], "disease")
    3
    >>> round(l_diversity(df, ["age"], "disease", kind="entropy"), 3)
    2.828

    Recursive (c, l)-diversity: the counts are 2, 1, 1; ``2 < 2 * (1 + 1)``
    holds for ``l = 2``, ``2 < 2 * 1`` fails for ``l = 3``:

    >>> l_diversity(df, ["age"], "disease", kind="recursive", c=2)
    2
    """
    if kind not in ("distinct", "entropy", "recursive"):
        raise ValueError(f"kind must be 'distinct', 'entropy' or 'recursive', got {kind!r}.")
    if kind == "recursive":
        if isinstance(c, bool) or not isinstance(c, Real) or not c > 0:
            raise ValueError("kind='recursive' needs `c`, a number > 0.")
    elif c is not None:
        raise ValueError("`c` is only used with kind='recursive'.")
    frame, ids, sizes = _sizes(X, quasi_identifiers, sensitive)
    if kind == "recursive":
        s_codes, m = _codes(frame[sensitive])
        pairs, counts = _pair_counts(ids * m + s_codes, len(sizes) * m)
        per_class = recursive_l(pairs // m, counts, len(sizes), float(c))
        return int(per_class.min())
    if kind == "distinct":
        s_codes, m = _codes(frame[sensitive])
        n_classes = len(sizes)
        pair = ids * m + s_codes
        if n_classes * m <= max(_DENSE_FACTOR * len(ids), 1 << 16):
            counts = np.bincount(pair, minlength=n_classes * m).reshape(n_classes, m)
            return int(np.count_nonzero(counts, axis=1).min())
        pairs = _text.unique(pair)  # hashed distinct (class, value) pairs
        return int(np.bincount(pairs // m, minlength=n_classes).min())
    counts, _, _ = _class_value_counts(frame, ids, len(sizes), sensitive)
    p = counts / sizes[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
    return float(np.exp(ent.min()))


def t_closeness(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    sensitive: str,
    ordered: bool | Sequence[Any] | None = None,
    *,
    hierarchy: HierarchyLike | None = None,
) -> float:
    """The t for which ``X`` is t-close on ``sensitive`` (largest class EMD).

    Parameters
    ----------
    X : DataFrame or array-like
        The (anonymized) table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns (must not include ``sensitive``).
    sensitive : str
        The sensitive column.
    ordered : bool, list or None, default=None
        ``True``: ordered distance (values sorted, a categorical column in
        its categories' order, an unused category counting as a value; the
        ground distance between the ``i``-th and ``j``-th value is ``|i -
        j| / (m - 1)``).  A list: ordered distance
        along that order of the values (an ordinal attribute: ``["low",
        "medium", "high"]``; the values of the list that occur in ``X``
        count, every value of ``X`` must be in it).  ``False``: equal
        distance (every two values at distance 1).  ``None``: ordered for a
        numeric column, equal otherwise (as pycanon).
    hierarchy : hierarchy or None, default=None
        A generalization hierarchy of ``sensitive`` (anything
        :func:`sklearn_anon._hierarchy.load_hierarchy` reads): the
        hierarchical distance of Li et al. 2007 as ARX's
        ``HierarchicalDistanceTCloseness`` computes it (two values at the
        level of their lowest common node over the hierarchy's height;
        ``EMD = sum over inner nodes N of level(N) / height * min(pos(N),
        neg(N))``).  Every value of ``sensitive`` must be a leaf; ``ordered``
        must then be None.

    Returns
    -------
    t : float
        ``max`` over classes of the EMD to the whole table's distribution;
        0 when the sensitive column has a single value.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import t_closeness
    >>> df = pd.DataFrame({"zip": ["476**"] * 3 + ["479**"] * 3,
    ...                    "salary": [3, 4, 5, 6, 8, 11]})
    >>> round(t_closeness(df, ["zip"], "salary"), 4)
    0.3
    >>> df["disease"] = ["flu", "flu", "cold", "cold", "hiv", "hiv"]
    >>> round(t_closeness(df, ["zip"], "disease"), 4)
    0.3333

    Hierarchical distance: flu and cold are both respiratory (their lowest
    common node is at level 1 of 2), so moving mass between them costs half
    of what the equal distance charges:

    >>> h = {"flu": ["respiratory", "*"], "cold": ["respiratory", "*"],
    ...      "hiv": ["infection", "*"]}
    >>> two = pd.DataFrame({"zip": ["476**"] * 2 + ["479**"] * 2,
    ...                     "disease": ["flu", "flu", "cold", "cold"]})
    >>> t_closeness(two, ["zip"], "disease"), t_closeness(two, ["zip"], "disease", hierarchy=h)
    (0.5, 0.25)
    """
    frame, ids, sizes = _sizes(X, quasi_identifiers, sensitive)
    col = frame[sensitive]
    tree = None
    if hierarchy is not None:
        if ordered is not None:
            raise ValueError("Give either `ordered` or `hierarchy`, not both.")
        h = load_hierarchy(hierarchy, name=sensitive)
        with values_hidden(sensitive, "could not match the values to the hierarchy"):
            s_codes = h.leaf_codes(col)
        bad = int((s_codes < 0).sum())
        if bad:
            raise ValueError(f"Column {sensitive!r}: {bad} value(s) are not leaves of the "
                             "hierarchy (missing values included).")
        present, s_codes = np.unique(s_codes, return_inverse=True)  # the leaves in the data
        tree = HierarchyDistance(h, leaves=present)
        return _worst_emd(ids, sizes, s_codes.ravel().astype(np.int64), len(present),
                          "hierarchical", tree)
    if isinstance(ordered, (list, tuple, np.ndarray, pd.Index)):
        order = pd.Index(list(ordered))
        if not order.is_unique:
            raise ValueError("`ordered` lists a value more than once.")
        with values_hidden(sensitive, "could not match the values to the order"):
            pos = order.get_indexer(col)
        bad = int((pos < 0).sum())
        if bad:
            raise ValueError(f"Column {sensitive!r}: {bad} value(s) are not in `ordered` "
                             "(missing values included).")
        present = np.bincount(pos, minlength=len(order)) > 0
        rank = np.cumsum(present) - 1
        return _worst_emd(ids, sizes, rank[pos].astype(np.int64), int(present.sum()), "ordered")
    if ordered is None:
        ordered = is_numeric(col)
    # codes in sorted order of the values (the ordered distance needs it;
    # pycanon sums in that order too)
    if isinstance(col.dtype, pd.CategoricalDtype):
        s_codes, m = _codes(col)
    else:
        s_codes, uniq = _text.factorize(col, sort=True, use_na_sentinel=False)
        s_codes = s_codes.astype(np.int64)
        m = len(uniq)
    if m < 2:
        return 0.0
    return _worst_emd(ids, sizes, s_codes, m, "ordered" if ordered else "equal")


def _worst_emd(ids, sizes, s_codes, m, distance, tree=None):
    """Largest EMD of a class to the whole table, classes taken in chunks."""
    if m < 2 and tree is None:
        return 0.0
    ordered = distance == "ordered"
    n = len(ids)
    total = np.bincount(s_codes, minlength=m)
    p = total / n
    worst = 0.0
    n_classes = len(sizes)
    step = max(1, 2_000_000 // m)  # bound the dense (classes x m) matrix
    for start in range(0, n_classes, step):
        stop = min(start + step, n_classes)
        sel = (ids >= start) & (ids < stop)
        counts = np.bincount(
            (ids[sel] - start) * m + s_codes[sel], minlength=(stop - start) * m
        ).reshape(stop - start, m)
        if tree is not None:
            worst = max(worst, float(_emd(counts, p, distance="hierarchical", tree=tree).max()))
            continue
        r = counts / sizes[start:stop, None] - p
        if ordered:
            # sequential sums, like pycanon, so the figures agree to the digit
            emd = np.cumsum(np.abs(np.cumsum(r, axis=1)), axis=1)[:, -1]
            emd = 1 / (m - 1) * emd
        else:
            emd = 0.5 * np.cumsum(np.abs(r), axis=1)[:, -1]
        worst = max(worst, float(emd.max()))
    return worst


def _pair_counts(pair, space):
    """Distinct values of ``pair`` (in ``0 .. space - 1``) and their counts."""
    if space <= max(_DENSE_FACTOR * len(pair), 1 << 16):
        counts = np.bincount(pair, minlength=space)
        present = np.flatnonzero(counts)
        return present, counts[present]
    return np.unique(pair, return_counts=True)


def discernibility(X: ArrayLike, quasi_identifiers: str | Sequence[str]) -> int:
    """Discernibility metric: the sum over classes of the squared class size.

    Parameters
    ----------
    X : DataFrame or array-like
        The (anonymized) table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.

    Returns
    -------
    dm : int
        The sum of the squared class sizes (``n_rows`` at best, when every
        record is alone in its class; ``n_rows ** 2`` for a single class).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import discernibility
    >>> discernibility(pd.DataFrame({"a": ["x", "x", "x", "y", "y"]}), ["a"])
    13
    """
    _, _, sizes = _sizes(X, quasi_identifiers)
    return int((sizes.astype(np.int64) ** 2).sum())


def average_class_size(X: ArrayLike, quasi_identifiers: str | Sequence[str], k: int) -> float:
    """Normalized average equivalence class size ``C_avg`` (LeFevre et al. 2006).

    ``C_avg = (n_rows / n_classes) / k``: 1 is the ideal (every class has
    exactly ``k`` rows).

    Parameters
    ----------
    X : DataFrame or array-like
        The (anonymized) table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.
    k : int
        The k the table was anonymized for (>= 1).

    Returns
    -------
    c_avg : float
        ``(n_rows / n_classes) / k``; 1 is ideal.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import average_class_size
    >>> average_class_size(pd.DataFrame({"a": ["x"] * 3 + ["y"] * 3}), ["a"], k=2)
    1.5
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError("k must be an integer >= 1.")
    _, _, sizes = _sizes(X, quasi_identifiers)
    return float(sizes.sum() / len(sizes) / k)
