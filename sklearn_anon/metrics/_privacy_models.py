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

import numpy as np
import pandas as pd

from .. import _text
from ..base import is_numeric
from ._tables import _DENSE_FACTOR, _check_table, _class_sizes, _codes

__all__ = [
    "average_class_size",
    "discernibility",
    "equivalence_classes",
    "k_anonymity",
    "l_diversity",
    "t_closeness",
]


def equivalence_classes(X, quasi_identifiers):
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


def k_anonymity(X, quasi_identifiers):
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


def l_diversity(X, quasi_identifiers, sensitive, kind="distinct"):
    """The l for which ``X`` is l-diverse on ``sensitive``.

    Parameters
    ----------
    X : DataFrame or array-like
        The (anonymized) table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns (must not include ``sensitive``).
    sensitive : str
        The sensitive column.
    kind : {"distinct", "entropy"}, default="distinct"
        ``"distinct"``: the smallest number of distinct sensitive values in a
        class (an int).  ``"entropy"``: ``exp(min over classes of the entropy
        of the sensitive values)`` (a float; pycanon's
        ``entropy_l_diversity`` returns its integer part).

    Returns
    -------
    l : int or float

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
    """
    if kind not in ("distinct", "entropy"):
        raise ValueError(f"kind must be 'distinct' or 'entropy', got {kind!r}.")
    frame, ids, sizes = _sizes(X, quasi_identifiers, sensitive)
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


def t_closeness(X, quasi_identifiers, sensitive, ordered=None):
    """The t for which ``X`` is t-close on ``sensitive`` (largest class EMD).

    Parameters
    ----------
    X : DataFrame or array-like
        The (anonymized) table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns (must not include ``sensitive``).
    sensitive : str
        The sensitive column.
    ordered : bool or None, default=None
        ``True``: ordered distance (values sorted; the ground distance
        between the ``i``-th and ``j``-th value is ``|i - j| / (m - 1)``).
        ``False``: equal distance (every two values at distance 1).
        ``None``: ordered for a numeric column, equal otherwise (as pycanon).

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
    """
    frame, ids, sizes = _sizes(X, quasi_identifiers, sensitive)
    col = frame[sensitive]
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
        r = counts / sizes[start:stop, None] - p
        if ordered:
            # sequential sums, like pycanon, so the figures agree to the digit
            emd = np.cumsum(np.abs(np.cumsum(r, axis=1)), axis=1)[:, -1]
            emd = 1 / (m - 1) * emd
        else:
            emd = 0.5 * np.cumsum(np.abs(r), axis=1)[:, -1]
        worst = max(worst, float(emd.max()))
    return worst


def discernibility(X, quasi_identifiers):
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

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import discernibility
    >>> discernibility(pd.DataFrame({"a": ["x", "x", "x", "y", "y"]}), ["a"])
    13
    """
    _, _, sizes = _sizes(X, quasi_identifiers)
    return int((sizes.astype(np.int64) ** 2).sum())


def average_class_size(X, quasi_identifiers, k):
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
