"""Privacy-model measures: equivalence classes, k, l, t, and information loss.

Every function works on a :class:`pandas.DataFrame` (an ndarray is accepted
and its columns are named ``x0, x1, ...``) and is vectorized: each
quasi-identifier column is factorized once, the codes are combined into one
class id per row, and the statistics are ``np.bincount`` reductions over
those ids.  NaN in a quasi-identifier is a value of its own (it forms its own
class, like ``groupby(dropna=False)``).

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
NCP (granularity loss)
    Per cell, ``(generalized width - 1 leaf) / (domain - 1)``, averaged over
    cells; see :func:`ncp`.
"""

import re

import numpy as np
import pandas as pd

from ..base import SUPPRESSED, check_frame, is_numeric

__all__ = [
    "average_class_size",
    "discernibility",
    "equivalence_classes",
    "k_anonymity",
    "l_diversity",
    "ncp",
    "t_closeness",
]


# -- shared input handling -------------------------------------------------
def _as_list(cols):
    if cols is None:
        return None
    if isinstance(cols, (str, int, np.integer)) or not np.iterable(cols):
        return [cols]
    return list(cols)


def _check_table(X, quasi_identifiers, sensitive=None):
    """Return ``(frame, qi_list)`` after checking names, emptiness and overlap."""
    frame, _ = check_frame(X)
    qis = _as_list(quasi_identifiers)
    if qis is None:
        qis = [c for c in frame.columns if c != sensitive]
    if len(qis) == 0:
        raise ValueError("At least one quasi-identifier column is needed.")
    if len(set(qis)) != len(qis):
        raise ValueError("A quasi-identifier column is named twice.")
    missing = [q for q in qis if q not in frame.columns]
    if missing:
        raise ValueError(
            f"Quasi-identifier column(s) {missing!r} not in the table "
            f"(it has {frame.shape[1]} columns)."
        )
    if sensitive is not None:
        if sensitive not in frame.columns:
            raise ValueError(f"Sensitive column {sensitive!r} not in the table.")
        if sensitive in qis:
            raise ValueError(
                f"Column {sensitive!r} is both the sensitive column and a "
                "quasi-identifier."
            )
    if frame.shape[0] == 0:
        raise ValueError("The table is empty (0 rows).")
    return frame, qis


def _codes(series):
    """Integer codes (0..m-1) of a column, NaN its own code; returns (codes, m)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        m = len(series.cat.categories)
        if (codes < 0).any():
            codes = np.where(codes < 0, m, codes)
            m += 1
        return codes, max(m, 1)
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return codes.astype(np.int64), max(len(uniques), 1)


def _class_ids(frame, qis):
    """``(ids, n_classes)``: class id 0..n_classes-1 per row (first-seen order)."""
    ids = np.zeros(frame.shape[0], dtype=np.int64)
    card = 1
    for q in qis:
        codes, m = _codes(frame[q])
        if card * m >= 2**62:  # keep the mixed-radix number inside int64
            ids, _ = pd.factorize(ids)
            ids = ids.astype(np.int64)
            card = int(ids.max()) + 1
        ids = ids * m + codes
        card *= m
    ids, uniques = pd.factorize(ids)
    return ids.astype(np.int64), len(uniques)


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
    ids, _ = _class_ids(frame, qis)
    return pd.Series(ids, index=frame.index, name="equivalence_class")


def _sizes(X, quasi_identifiers, sensitive=None):
    frame, qis = _check_table(X, quasi_identifiers, sensitive)
    ids, n_classes = _class_ids(frame, qis)
    return frame, ids, np.bincount(ids, minlength=n_classes)


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
        pairs = np.unique(ids * m + s_codes)
        return int(np.bincount(pairs // m, minlength=len(sizes)).min())
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
        s_codes, uniq = pd.factorize(col, sort=True, use_na_sentinel=False)
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


# -- NCP / granularity ---------------------------------------------------
_INTERVAL = re.compile(r"^\s*[\[\(]\s*([^,\]\)]+?)\s*,\s*([^,\]\)]+?)\s*[\]\)]\s*$")


def _parse_number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return np.nan


def _label_widths_numeric(labels, originals_num):
    """Width (hi - lo) of each distinct anonymized label of a numeric column.

    A number is a width-0 cell, an interval string ``[lo, hi]`` /
    ``[lo, hi)`` its width, a range ``lo-hi`` (ARX style) its width; the
    suppression marker, NaN and anything unreadable are +inf (full loss).
    """
    widths = np.full(len(labels), np.inf)
    for i, lab in enumerate(labels):
        if lab is None or (isinstance(lab, float) and np.isnan(lab)):
            continue
        if isinstance(lab, (int, float, np.number)) and not isinstance(lab, bool):
            widths[i] = 0.0
            continue
        text = str(lab)
        if text == SUPPRESSED:
            continue
        m = _INTERVAL.match(text)
        if m:
            lo, hi = _parse_number(m.group(1)), _parse_number(m.group(2))
            if np.isfinite(lo) and np.isfinite(hi):
                widths[i] = hi - lo
            continue
        val = _parse_number(text)
        if np.isfinite(val):
            widths[i] = 0.0
            continue
        parts = re.match(r"^\s*(-?[\d.]+)\s*-\s*(-?[\d.]+)\s*$", text)
        if parts:
            widths[i] = _parse_number(parts.group(2)) - _parse_number(parts.group(1))
    return widths


def _label_leaves_categorical(labels, hierarchy):
    """Number of original values covered by each distinct anonymized label.

    ``{a, b, c}`` covers 3 (a member that is a hierarchy node: its leaves),
    a hierarchy node its leaves, a plain value 1;
    the suppression marker and NaN cover the whole domain (returned as
    +inf, turned into a loss of 1 by the caller).
    """
    node_counts = {}
    if hierarchy is not None:
        for level in range(1, hierarchy.n_levels):
            for lab, cnt in hierarchy.leaf_counts(level).items():
                node_counts.setdefault(lab, cnt)
    leaves = set(map(str, hierarchy.leaves)) if hierarchy is not None else set()
    out = np.ones(len(labels))
    for i, lab in enumerate(labels):
        if lab is None or (isinstance(lab, float) and np.isnan(lab)):
            out[i] = np.inf
            continue
        text = str(lab)
        if text == SUPPRESSED:
            out[i] = np.inf
        elif text.startswith("{") and text.endswith("}"):
            inner = text[1:-1].strip()
            members = inner.split(", ") if inner else [""]
            out[i] = sum(1 if (mem in leaves or mem not in node_counts) else node_counts[mem]
                         for mem in members)
        elif text in leaves:
            out[i] = 1
        elif text in node_counts:
            out[i] = node_counts[text]
    return out


def ncp(original, anonymized, quasi_identifiers=None, *, hierarchies=None,
        return_per_column=False):
    """Normalized certainty penalty (granularity loss) of an anonymized table.

    Per cell: ``(width of the generalized value) / (width of the column's
    domain)`` for a numeric column, where a width is ``hi - lo`` of an
    interval (``"[35, 44]"``, ``"[35, 45)"``, ``"35-44"``; a plain number
    has width 0) and the domain is ``max - min`` of the original column;
    ``(values covered - 1) / (distinct values - 1)`` for a categorical
    column, where a set ``"{a, b}"`` covers its members, a hierarchy node
    (``hierarchies``) its leaves and a plain value itself.  Suppressed
    cells (``"*"``, NaN) cost 1.  The result is the mean over all cells of
    the quasi-identifiers (ARX's *granularity* / GenILoss when each column's
    domain is the set of its distinct values, which holds for integer ages).

    Parameters
    ----------
    original : DataFrame
        The raw table (defines each column's domain and type).
    anonymized : DataFrame
        The anonymized table, same rows and columns (interval output of
        :class:`~sklearn_anon.MondrianAnonymizer`, or any generalization in
        the formats above).
    quasi_identifiers : list of str or None, default=None
        Columns to measure; all columns when None.
    hierarchies : dict or None, default=None
        ``{column: hierarchy}`` (anything :func:`load_hierarchy` reads) for
        columns whose generalized values are hierarchy node labels.
    return_per_column : bool, default=False
        Also return a Series with the mean loss of each column.

    Returns
    -------
    loss : float
        In [0, 1]; 0 when nothing is generalized.
    per_column : Series
        Only when ``return_per_column`` is True.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import ncp
    >>> raw = pd.DataFrame({"age": [30, 35, 40, 50], "sex": ["F", "M", "F", "M"]})
    >>> anon = pd.DataFrame({"age": ["[30, 35]", "[30, 35]", "[40, 50]", "[40, 50]"],
    ...                      "sex": ["{F, M}", "{F, M}", "{F, M}", "{F, M}"]})
    >>> ncp(raw, anon)  # age (5/20 + 10/20) / 2, sex 1
    0.6875
    """
    from .._hierarchy import load_hierarchy

    orig, _ = check_frame(original, name="original")
    anon, _ = check_frame(anonymized, name="anonymized")
    qis = _as_list(quasi_identifiers) or list(orig.columns)
    for q in qis:
        if q not in orig.columns or q not in anon.columns:
            raise ValueError(f"Column {q!r} is not in both tables.")
    if len(orig) != len(anon):
        raise ValueError("original and anonymized must have the same number of rows.")
    if len(orig) == 0:
        raise ValueError("The table is empty (0 rows).")
    hierarchies = hierarchies or {}
    losses = {}
    for q in qis:
        o = orig[q]
        a = anon[q]
        codes, labels = pd.factorize(a.astype(object), use_na_sentinel=False)
        labels = np.asarray(labels, dtype=object)
        if is_numeric(o) or pd.api.types.is_datetime64_any_dtype(o.dtype):
            vals = o.to_numpy(dtype=np.float64, na_value=np.nan) if is_numeric(o) else (
                o.astype("int64").to_numpy(dtype=np.float64))
            lo, hi = np.nanmin(vals), np.nanmax(vals)
            domain = hi - lo
            widths = _label_widths_numeric(labels, vals)
            if domain > 0:
                cost = np.minimum(widths / domain, 1.0)
            else:
                cost = np.where(np.isfinite(widths), 0.0, 1.0)
        else:
            h = load_hierarchy(hierarchies[q], name=q) if q in hierarchies else None
            n_dom = o.nunique(dropna=False)
            covered = _label_leaves_categorical(labels, h)
            if n_dom > 1:
                cost = np.minimum((covered - 1) / (n_dom - 1), 1.0)
            else:
                cost = np.where(np.isfinite(covered), 0.0, 1.0)
        losses[q] = float(np.bincount(codes, minlength=len(labels)) @ cost / len(codes))
    per_column = pd.Series(losses, name="ncp")
    total = float(per_column.mean())
    if return_per_column:
        return total, per_column
    return total
