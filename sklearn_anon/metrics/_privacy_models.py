"""Privacy-model measures: equivalence classes, k, l, t, and information loss.

Every function works on a :class:`pandas.DataFrame` (an ndarray is accepted
and its columns are named ``x0, x1, ...``) and is vectorized: each
quasi-identifier column is factorized once with the cheapest exact method
for its dtype (categorical codes as they are, Arrow-backed text through
pyarrow's ``dictionary_encode``, small-range integers as ``value - min``,
anything else ``pd.factorize``), the codes are combined into one int64 key
per row by mixed radix, the key is counted densely (``np.bincount``) or
hashed when its range is large, and the statistics are ``np.bincount``
reductions over the class ids.  No ``groupby``, nothing cached between
calls.  NaN in a quasi-identifier is a value of its own (it forms its own
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

import warnings

import numpy as np
import pandas as pd

from .. import _text
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


#: a mixed-radix key space up to this many times the row count is counted
#: densely (``np.bincount``) instead of hashed
_DENSE_FACTOR = 4


def _arrow_strings(series):
    """The column as a pyarrow string array when it is Arrow-backed text, else None."""
    dtype = series.dtype
    if not hasattr(series.array, "__arrow_array__") or not pd.api.types.is_string_dtype(dtype):
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - Arrow-backed columns imply pyarrow
        return None
    try:
        arr = pa.array(series.array)  # zero-copy for Arrow-backed text
    except (UnicodeError, pa.ArrowException):
        return None  # Python-backed text Arrow cannot hold (a lone surrogate): factorized
    if isinstance(arr, pa.ChunkedArray):  # one dictionary for the whole column
        if arr.num_chunks == 0:
            return None
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    t = arr.type
    if not (pa.types.is_string(t) or pa.types.is_large_string(t)
            or getattr(pa.types, "is_string_view", lambda _: False)(t)):
        return None
    return arr


def _codes(series, *, value_range=False):
    """Integer codes of a column, NaN its own code; returns ``(codes, m)``.

    ``0 <= codes < m``.  The cheapest exact method for the dtype:
    categorical codes as they are; Arrow-backed text through pyarrow's
    ``dictionary_encode`` (no Python objects); with ``value_range`` an
    integer column with a small range as ``value - min`` (no hashing; then
    some of the ``m`` codes may be unused); anything else ``pd.factorize``.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        m = len(series.cat.categories)
        if (codes < 0).any():
            codes = np.where(codes < 0, m, codes)
            m += 1
        return codes, max(m, 1)
    numpy_dtype = isinstance(series.dtype, np.dtype)  # not nullable Int64/boolean/Arrow
    if numpy_dtype and series.dtype.kind == "b":  # numpy bool: no missing values
        return series.to_numpy().astype(np.int64), 2
    if value_range and numpy_dtype and series.dtype.kind in "iu" and len(series):
        values = series.to_numpy()
        lo, hi = values.min(), values.max()
        if int(hi) - int(lo) < max(_DENSE_FACTOR * len(values), 1 << 16):
            return (values - lo).astype(np.int64), int(hi) - int(lo) + 1
    arr = _arrow_strings(series)
    if arr is not None:
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(arr, null_encoding="encode")
        codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        return codes, max(len(enc.dictionary), 1)
    codes, uniques = _text.factorize(series, use_na_sentinel=False)
    return codes.astype(np.int64), max(len(uniques), 1)


def _compress(key, card):
    """Renumber a key in ``[0, card)`` to class ids 0..c-1; returns ``(ids, sizes)``.

    Ids follow the order of the key values (not of first appearance).  A
    small key space is counted densely, a large one hashed.
    """
    if card <= max(_DENSE_FACTOR * len(key), 1 << 16):
        counts = np.bincount(key, minlength=card)
        present = counts > 0
        lut = np.cumsum(present, dtype=np.int64) - 1
        return lut[key], counts[present]
    ids, uniques = _text.factorize(key)
    ids = ids.astype(np.int64)
    return ids, np.bincount(ids, minlength=len(uniques))


def _class_sizes(frame, qis):
    """``(ids, sizes)``: class id 0..n_classes-1 per row and the class sizes.

    Each quasi-identifier is factorized once (:func:`_codes`), the codes are
    combined into one int64 key by mixed radix (compressed first when the
    radix would overflow) and the key is counted (:func:`_compress`).  Class
    ids follow the key order, not the order of first appearance.
    """
    key = None
    card = 1
    for q in qis:
        codes, m = _codes(frame[q], value_range=True)
        if key is None:
            key, card = codes, m
            continue
        if card * m >= 2**62:  # keep the mixed-radix number inside int64
            key, sizes = _compress(key, card)
            card = len(sizes)
        key = key * m + codes
        card *= m
    return _compress(key, card)


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


# -- NCP / granularity ---------------------------------------------------
def _label_widths_numeric(labels, kind, domain_values):
    """Width (hi - lo) of each distinct anonymized label of a numeric/datetime column.

    A number (or a date) is a width-0 cell, an interval string ``[lo, hi]`` /
    ``[lo, hi)`` / ``"< hi"`` its width (dates in nanoseconds), a range
    ``lo-hi`` (ARX style, numbers only) its width; the suppression marker
    and NaN are +inf (full loss).  A string that is none of these, or a
    number written as a string that is no value of the original column
    (``"Middle"``, ``"35-44"`` on a birth date, a ZIP3 ``"021"``), is NaN:
    unknown.
    """
    from ._attacks import parse_intervals  # deferred: _attacks imports this module

    n = len(labels)
    widths = np.full(n, np.nan)
    texts = []
    for i, lab in enumerate(labels):  # distinct labels only
        if lab is None or (isinstance(lab, float) and np.isnan(lab)) or lab is pd.NaT:
            widths[i] = np.inf
        elif isinstance(lab, (int, float, np.number, pd.Timestamp, np.datetime64)) and not isinstance(lab, bool):
            widths[i] = 0.0
        elif str(lab).strip() == SUPPRESSED:
            widths[i] = np.inf
        else:
            texts.append(i)
    if not texts:
        return widths
    idx = np.asarray(texts)
    text = pd.Series([str(labels[i]).strip() for i in idx], dtype=object)
    lo, hi, _, _, ok = parse_intervals(text, kind)
    lo = np.maximum(lo, domain_values.min()) if domain_values.size else lo
    hi = np.minimum(hi, domain_values.max()) if domain_values.size else hi
    widths[idx[ok]] = np.maximum(hi[ok] - lo[ok], 0.0)
    rest = ~ok
    if rest.any():
        if kind == "datetime":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stamps = pd.to_datetime(text[rest], errors="coerce")
            values = stamps.astype("datetime64[ns]").astype("int64").to_numpy(dtype=np.float64)
            values[stamps.isna().to_numpy()] = np.nan
        else:
            values = pd.to_numeric(text[rest], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan)
        known = np.isin(values, domain_values)
        widths[idx[rest][known]] = 0.0
        if kind == "numeric":
            ranges = text[rest].str.extract(r"^\s*(-?[\d.]+)\s*-\s*(-?[\d.]+)\s*$")
            r_lo = pd.to_numeric(ranges[0], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            r_hi = pd.to_numeric(ranges[1], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            is_range = ~known & np.isfinite(r_lo) & np.isfinite(r_hi)
            widths[idx[rest][is_range]] = (r_hi - r_lo)[is_range]
    return widths


def _label_leaves_categorical(labels, hierarchy, domain=None):
    """Number of original values covered by each distinct anonymized label.

    ``{a, b, c}`` covers 3 (a member that is a hierarchy node: its leaves),
    a hierarchy node its leaves, a plain value 1;
    the suppression marker and NaN cover the whole domain (returned as
    +inf, turned into a loss of 1 by the caller).  With ``domain`` (the
    original values as strings), a plain label that is neither an original
    value nor a hierarchy node (``"OTHER"``) is NaN: unknown.
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
        text = _text.to_text(lab)  # bytes read as the domain reads them
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
        elif domain is not None and text not in domain:
            out[i] = np.nan
    return out


def _datetime_ns(series):
    """A datetime column as float nanoseconds (NaN for NaT), whatever its unit."""
    s = series
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    values = s.astype("datetime64[ns]").astype("int64").to_numpy(dtype=np.float64)
    values[s.isna().to_numpy()] = np.nan
    return values


def _learnt_costs(q, kind, o_vals, generalized, labels, unknown, bins, lo, hi):
    """Fill unknown label widths (numbers) or covers (categories) from the anonymizer.

    Numbers: the fitted bin of the label clipped to the domain when the
    anonymizer holds one (IntervalGeneralizer, DateGeneralizer ages), else
    the span of the original values the anonymizer maps to the label.
    Categories: the number of distinct original values mapped to the label.
    Labels the anonymizer never writes for the original stay unknown.
    """
    out = np.full(len(labels), np.nan)
    texts = [str(lab) for lab in labels]
    col_bins = bins.get(q, {})
    # labels and values are factorized exactly (_text.factorize), then grouped by integer code
    lab_codes, lab_uni = _text.factorize(_text.text_series(generalized.astype(object)).to_numpy(),
                                         use_na_sentinel=False)
    if kind == "other":
        val_codes, _ = _text.factorize(np.asarray(o_vals, dtype=object), use_na_sentinel=False)
        width = int(val_codes.max()) + 1 if len(val_codes) else 1
        pairs = np.unique(lab_codes.astype(np.int64) * width + val_codes)
        per_label = np.bincount(pairs // width, minlength=len(lab_uni)).astype(float)
    else:
        per_label = (pd.Series(o_vals).groupby(lab_codes, sort=False).agg(lambda v: v.max() - v.min())
                     .reindex(range(len(lab_uni))).to_numpy(dtype=float))
    spans = pd.Series(per_label, index=_text.object_index(lab_uni))
    for i in np.flatnonzero(unknown):  # distinct unknown labels only
        if kind != "other" and texts[i] in col_bins:
            b_lo, b_hi = col_bins[texts[i]]
            out[i] = max(min(b_hi, hi) - max(b_lo, lo), 0.0)
        elif texts[i] in spans.index and pd.notna(spans[texts[i]]):
            out[i] = float(spans[texts[i]])
    return out


def ncp(original, anonymized, quasi_identifiers=None, *, hierarchies=None,
        anonymizer=None, return_per_column=False):
    """Normalized certainty penalty (granularity loss) of an anonymized table.

    Per cell: ``(width of the generalized value) / (width of the column's
    domain)`` for a numeric column, where a width is ``hi - lo`` of an
    interval (``"[35, 44]"``, ``"[35, 45)"``, ``"35-44"``; a plain number
    has width 0) and the domain is ``max - min`` of the original column;
    a datetime column the same in time units (``"[1960-01-01, 1970-05-03]"``
    is 3,775 days wide; open bounds are clipped to the domain);
    ``(values covered - 1) / (distinct values - 1)`` for a categorical
    column, where a set ``"{a, b}"`` covers its members, a hierarchy node
    (``hierarchies``) its leaves and a plain value itself.  Suppressed
    cells (``"*"``, NaN) cost 1.  The result is the mean over all cells of
    the quasi-identifiers (ARX's *granularity* / GenILoss when each column's
    domain is the set of its distinct values, which holds for integer ages).

    Custom labels (``"Middle"``, ``"<25k"``, ``"OTHER"``, an age band
    ``"35-44"`` of a birth date, a ZIP3 ``"021"`` of a numeric ZIP) say
    nothing by themselves about what they cover.  With ``anonymizer`` their
    cost is read from it: the fitted bin of the label
    (:class:`~sklearn_anon.IntervalGeneralizer`'s ``bin_edges_``, the age
    bands of :class:`~sklearn_anon.DateGeneralizer` turned into birth-date
    spans), else the original values the anonymizer maps to the label
    (their span, or their number of distinct values).  Without it, such a
    column's loss is *unknown* (NaN in ``per_column``), never 1, and so is
    the total (NaN): a mean over the other columns would misstate it.

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
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, callable or None, default=None
        The anonymizer that produced ``anonymized``, to read what custom
        labels cover (see above).  It is applied to ``original``.
    return_per_column : bool, default=False
        Also return a Series with the mean loss of each column.

    Returns
    -------
    loss : float
        In [0, 1]; 0 when nothing is generalized; NaN when the loss of a
        column is unknown (custom labels without ``anonymizer``).
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

    Dates are measured in time units; custom labels need the anonymizer:

    >>> born = pd.DataFrame({"born": pd.to_datetime(["1960-01-01", "1970-01-01"])})
    >>> ncp(born, pd.DataFrame({"born": ["[1960-01-01, 1965-01-01]"] * 2}))
    0.5...
    >>> from sklearn_anon import IntervalGeneralizer
    >>> gen = IntervalGeneralizer(bins=[0, 40, 100], labels=["young", "old"]).fit(raw[["age"]])
    >>> ncp(raw[["age"]], gen.transform(raw[["age"]]), anonymizer=gen)  # [30, 40]: 10/20
    0.5
    >>> ncp(raw[["age"]], gen.transform(raw[["age"]]))  # unknown without it
    nan
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
    generalized = bins = None
    if anonymizer is not None:
        from ._anonymizer import fitted_bins, generalize_with

        generalized = generalize_with(anonymizer, orig, qis, name="original")
        bins = fitted_bins(anonymizer)
    losses = {}
    for q in qis:
        o = orig[q]
        a = anon[q]
        codes, labels = _text.factorize(a.astype(object), use_na_sentinel=False)
        labels = np.asarray(labels, dtype=object)
        if is_numeric(o) or pd.api.types.is_datetime64_any_dtype(o.dtype):
            kind = "numeric" if is_numeric(o) else "datetime"
            vals = (o.to_numpy(dtype=np.float64, na_value=np.nan) if kind == "numeric"
                    else _datetime_ns(o))
            finite = np.unique(vals[np.isfinite(vals)])
            lo, hi = (finite.min(), finite.max()) if finite.size else (np.nan, np.nan)
            domain = hi - lo
            widths = _label_widths_numeric(labels, kind, finite)
            unknown = np.isnan(widths)
            if unknown.any() and generalized is not None:
                learnt = _learnt_costs(q, kind, vals, generalized[q], labels, unknown, bins, lo, hi)
                widths = np.where(unknown, learnt, widths)
            if domain > 0:
                cost = np.minimum(widths / domain, 1.0)
            else:
                cost = np.where(np.isnan(widths), np.nan, np.where(np.isfinite(widths), 0.0, 1.0))
        else:
            h = load_hierarchy(hierarchies[q], name=q) if q in hierarchies else None
            n_dom = _text.nunique(o, dropna=False)
            domain_text = set(_text.unique(_text.text_series(o.astype(object))))
            covered = _label_leaves_categorical(labels, h, domain_text)
            unknown = np.isnan(covered)
            if unknown.any() and generalized is not None:
                learnt = _learnt_costs(q, "other", o.astype(object).to_numpy(), generalized[q],
                                       labels, unknown, {}, None, None)
                covered = np.where(unknown, learnt, covered)
            if n_dom > 1:
                cost = np.minimum((covered - 1) / (n_dom - 1), 1.0)
            else:
                cost = np.where(np.isnan(covered), np.nan,
                                np.where(np.isfinite(covered), 0.0, 1.0))
        counts = np.bincount(codes, minlength=len(labels))
        used = counts > 0
        losses[q] = (np.nan if np.isnan(cost[used]).any()
                     else float(counts[used] @ cost[used] / len(codes)))
    per_column = pd.Series(losses, name="ncp", dtype=np.float64)
    total = float(per_column.mean(skipna=False))  # NaN when a column's loss is unknown
    if return_per_column:
        return total, per_column
    return total
