"""Information loss and utility: what the anonymization cost the analyst.

* :func:`entropy_loss` -- per column, the information (bits per record) the
  release hides about the original values: the conditional entropy
  ``H(original | released)`` (the non-uniform entropy measure of de Waal &
  Willenborg), and its share of ``H(original)``.
* :func:`distribution_distance` -- per column, how far the released
  distribution is from the original one: the total variation distance for
  categories, the Wasserstein distance (normalized by the original range)
  for numbers.  Generalized values are read back as an analyst would: an
  interval at its midpoint, a set ``"{A, B}"`` (or a hierarchy node) spread
  evenly over its members, ``"*"`` spread over the whole domain.
* :func:`correlation_drift` -- how much the correlations between numeric
  columns moved.
* :func:`information_loss` -- the above with NCP, discernibility and the
  average class size of :mod:`sklearn_anon.metrics` in one dict.

The tables must hold the same records in the same order (anonymizers keep
rows): each measure compares column ``c`` of ``original`` with column ``c`` of
``anonymized``.
"""

import numpy as np
import pandas as pd
from scipy.stats import wasserstein_distance

from ..base import SUPPRESSED, check_frame, is_numeric
from ._attacks import parse_intervals, parse_sets
from ._privacy_models import _as_list, average_class_size, discernibility, ncp

__all__ = [
    "correlation_drift",
    "distribution_distance",
    "entropy_loss",
    "information_loss",
]


def _check_pair(original, anonymized, columns):
    """Validate two aligned tables; return ``(orig, anon, columns)``."""
    orig, _ = check_frame(original, name="original")
    anon, _ = check_frame(anonymized, name="anonymized")
    if len(orig) == 0:
        raise ValueError("original is empty (0 rows): nothing to measure.")
    if len(orig) != len(anon):
        raise ValueError(
            "original and anonymized must hold the same records in the same "
            f"order: {len(orig)} and {len(anon)} rows."
        )
    if columns is None:
        columns = [c for c in orig.columns if c in anon.columns]
    else:
        columns = _as_list(columns)
    missing = [c for c in columns if c not in orig.columns or c not in anon.columns]
    if missing:
        raise ValueError(f"Column(s) {missing!r} are not in both tables.")
    if not columns:
        raise ValueError("No column to compare.")
    return orig.reset_index(drop=True), anon.reset_index(drop=True), columns


def _entropy(counts):
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def entropy_loss(original, anonymized, columns=None):
    """Entropy-based information loss per column.

    For each column, ``H(original | released)`` in bits per record: how much
    an analyst who sees the released value still does not know about the
    original one (0 when the release keeps the column as it was; ``H(X)``
    when the release says nothing, e.g. everything suppressed).

    Parameters
    ----------
    original : DataFrame
        The raw table.
    anonymized : DataFrame
        The anonymized table: same records, same order.
    columns : list of str or None, default=None
        Columns to measure; None takes the columns present in both.

    Returns
    -------
    loss : DataFrame, one row per column
        ``entropy_bits`` (``H(original)``), ``lost_bits``
        (``H(original | released)``) and ``loss`` (their ratio, in [0, 1];
        0 for a constant column).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import entropy_loss
    >>> raw = pd.DataFrame({"age": [31, 35, 42, 47]})
    >>> anon = pd.DataFrame({"age": ["[30, 40)", "[30, 40)", "[40, 50)", "[40, 50)"]})
    >>> entropy_loss(raw, anon)
         entropy_bits  lost_bits  loss
    age           2.0        1.0   0.5
    """
    orig, anon, columns = _check_pair(original, anonymized, columns)
    rows = []
    for col in columns:
        o_codes, o_uni = pd.factorize(orig[col], use_na_sentinel=False)
        a_codes, a_uni = pd.factorize(anon[col].astype(object), use_na_sentinel=False)
        joint = np.bincount(a_codes * len(o_uni) + o_codes, minlength=len(a_uni) * len(o_uni))
        h_x = _entropy(np.bincount(o_codes))
        h_joint = _entropy(joint)
        h_y = _entropy(np.bincount(a_codes))
        lost = max(h_joint - h_y, 0.0)
        rows.append(
            {"entropy_bits": h_x, "lost_bits": lost, "loss": lost / h_x if h_x > 0 else 0.0}
        )
    return pd.DataFrame(rows, index=pd.Index(columns))


def _column_numbers(series):
    """A numeric or datetime column as floats (datetimes in nanoseconds), NaN for missing."""
    if is_numeric(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    out = series.astype("datetime64[ns]").astype("int64").to_numpy(dtype=np.float64)
    out[series.isna().to_numpy()] = np.nan
    return out


def _released_numbers(values, kind):
    """Numbers an analyst reads from released cells: value, interval midpoint.

    Open-ended intervals (``"< 30"``) read as their finite bound; ``"*"``,
    NaN and unreadable cells as NaN (left out of the comparison).
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    uniques = pd.Series(uniques, dtype=object)
    out = pd.to_numeric(uniques, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    out = np.array(out, dtype=np.float64)
    is_str = uniques.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if is_str.any():
        lo, hi, _, _, ok = parse_intervals(uniques[is_str], kind)
        mid = np.where(
            np.isfinite(lo) & np.isfinite(hi),
            (lo + hi) / 2,
            np.where(np.isfinite(lo), lo, hi),
        )
        sub = out[is_str]
        sub[ok] = mid[ok]
        out[is_str] = sub
    return out[codes]


def _spread_categories(orig, anon, hierarchy):
    """Released category distribution spread back over the original values."""
    from .._hierarchy import load_hierarchy

    o_codes, o_uni = pd.factorize(orig, use_na_sentinel=False)
    domain = pd.Index(pd.Series(o_uni, dtype=object).astype(str))
    m = len(domain)
    a_codes, a_uni = pd.factorize(anon.astype(object), use_na_sentinel=False)
    weights = np.bincount(a_codes, minlength=len(a_uni)).astype(np.float64)
    a_text = pd.Series(a_uni, dtype=object)
    # members of each released value, as (released position, original position)
    pos, member = [], []
    direct = domain.get_indexer(a_text.astype(str))
    hit = direct >= 0
    pos.append(np.flatnonzero(hit))
    member.append(direct[hit])
    sets = parse_sets(a_text.where(~hit, ""))
    if not sets.empty:
        idx = domain.get_indexer(sets["member"].astype(str))
        pos.append(sets["pos"].to_numpy()[idx >= 0])
        member.append(idx[idx >= 0])
    if hierarchy is not None:
        h = load_hierarchy(hierarchy)
        leaf_pos = h.leaf_codes(pd.Series(o_uni, dtype=object))
        levels = range(1, h.n_levels)
        nodes = pd.DataFrame(
            {
                "node": np.concatenate([h.level_labels(lev) for lev in levels]).astype(str)
                if len(levels) else np.empty(0, dtype=str),
                "leaf": np.tile(np.arange(len(h)), len(levels)),
            }
        ).drop_duplicates()
        rel = pd.DataFrame({"node": a_text.astype(str), "pos": np.arange(len(a_text))})[~hit]
        dom = pd.DataFrame({"leaf": leaf_pos, "member": np.arange(m)})
        merged = rel.merge(nodes, on="node").merge(dom[dom["leaf"] >= 0], on="leaf")
        pos.append(merged["pos"].to_numpy())
        member.append(merged["member"].to_numpy())
    pos = np.concatenate(pos).astype(np.int64)
    member = np.concatenate(member).astype(np.int64)
    keys = np.unique(pos * m + member)
    pos, member = keys // m, keys % m
    n_members = np.bincount(pos, minlength=len(a_uni))
    released = np.zeros(m)
    np.add.at(released, member, weights[pos] / n_members[pos])
    # "*", NaN and unreadable values: spread over the whole domain
    unknown = n_members == 0
    released += weights[unknown].sum() / m
    original = np.bincount(o_codes, minlength=m).astype(np.float64)
    marker = a_text.isna().to_numpy() | (a_text.astype(str).str.strip() == SUPPRESSED).to_numpy()
    unreadable = float(weights[unknown & ~marker].sum() / weights.sum())
    return original / original.sum(), released / released.sum(), unreadable


def distribution_distance(original, anonymized, columns=None, *, hierarchies=None):
    """Per-column distance between the original and the released distribution.

    Categorical columns: total variation distance (half the L1 distance, in
    [0, 1]) between the original value frequencies and the released ones
    spread back over the original values (a set or hierarchy node evenly
    over its members, ``"*"`` over the whole domain).  Numeric columns:
    Wasserstein (earth mover's) distance between the original values and
    the released numbers (interval midpoints), also divided by the original
    range so that columns compare (``normalized``).

    Parameters
    ----------
    original : DataFrame
        The raw table.
    anonymized : DataFrame
        The anonymized table: same records, same order.
    columns : list of str or None, default=None
        Columns to compare; None takes the columns present in both.
    hierarchies : dict of {column: hierarchy} or None, default=None
        Hierarchies for categorical columns released as hierarchy nodes.

    Returns
    -------
    distance : DataFrame, one row per column
        ``measure`` (``"tvd"`` or ``"wasserstein"``), ``distance`` and
        ``normalized`` (in [0, 1] for TVD; Wasserstein over the range).
        ``suppressed`` gives the share of released cells that are ``"*"`` or
        missing; ``unreadable`` the share of cells that are neither a value,
        an interval, a set nor a hierarchy node (custom labels such as
        ``"Middle"`` or ``"OTHER"``): numeric ones are left out of the
        Wasserstein distance (a numeric column with no readable cell but
        custom labels has an unknown distance, NaN, not 1), categorical ones
        are spread over the whole domain like ``"*"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import distribution_distance
    >>> raw = pd.DataFrame({"sex": ["F", "F", "M", "M"], "age": [30, 34, 40, 44]})
    >>> anon = pd.DataFrame({"sex": ["F", "F", "M", "*"],
    ...                      "age": ["[30, 35)", "[30, 35)", "[40, 45)", "[40, 45)"]})
    >>> distribution_distance(raw, anon)[["measure", "distance"]]
             measure  distance
    sex          tvd     0.125
    age  wasserstein     2.000
    """
    orig, anon, columns = _check_pair(original, anonymized, columns)
    hierarchies = hierarchies or {}
    rows = []
    for col in columns:
        o, a = orig[col], anon[col]
        if is_numeric(o) or pd.api.types.is_datetime64_any_dtype(o.dtype):
            kind = "numeric" if is_numeric(o) else "datetime"
            o_num = _column_numbers(o)
            if is_numeric(a) or pd.api.types.is_datetime64_any_dtype(a.dtype):
                a_num = _column_numbers(a)
            else:
                a_num = _released_numbers(a, kind)
            o_ok, a_ok = o_num[np.isfinite(o_num)], a_num[np.isfinite(a_num)]
            a_obj = a.astype(object)
            marker = (a_obj.isna() | (a_obj.astype(str).str.strip() == SUPPRESSED)).to_numpy()
            suppressed = float(np.mean(marker))
            unreadable = float(np.mean(~np.isfinite(a_num) & ~marker))
            if o_ok.size == 0 or a_ok.size == 0:
                # nothing released to read: all suppressed is a full loss,
                # custom labels an unknown one
                dist, norm = np.nan, (np.nan if unreadable > 0 else 1.0)
            else:
                dist = float(wasserstein_distance(o_ok, a_ok))
                span = float(o_ok.max() - o_ok.min())
                norm = min(dist / span, 1.0) if span > 0 else float(dist > 0)
            rows.append(
                {"measure": "wasserstein", "distance": dist, "normalized": norm,
                 "suppressed": suppressed, "unreadable": unreadable}
            )
        else:
            p, q, unreadable = _spread_categories(o, a, hierarchies.get(col))
            tvd = float(0.5 * np.abs(p - q).sum())
            a_obj = a.astype(object)
            suppressed = float(np.mean(a_obj.isna() | (a_obj == SUPPRESSED)))
            rows.append(
                {"measure": "tvd", "distance": tvd, "normalized": tvd, "suppressed": suppressed,
                 "unreadable": unreadable}
            )
    return pd.DataFrame(rows, index=pd.Index(columns))


def _numeric_view(frame, columns):
    """Numbers an analyst reads from each column (NaN when unreadable)."""
    out = {}
    for col in columns:
        s = frame[col]
        if is_numeric(s):
            out[col] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            out[col] = _released_numbers(s, "numeric")
    return pd.DataFrame(out)


def correlation_drift(original, anonymized, columns=None, *, method="pearson"):
    """How much the correlations between numeric columns moved.

    Released intervals are read at their midpoints.  Only columns numeric in
    ``original`` take part.

    Parameters
    ----------
    original : DataFrame
        The raw table.
    anonymized : DataFrame
        The anonymized table: same records, same order.
    columns : list of str or None, default=None
        Columns to consider; None takes the numeric columns of ``original``
        present in both tables.
    method : {"pearson", "spearman"}, default="pearson"
        Correlation coefficient.

    Returns
    -------
    drift : dict
        ``max`` and ``mean`` absolute change over the pairs of columns (0
        when fewer than two numeric columns), and ``difference``: the matrix
        of changes (released minus original), a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import correlation_drift
    >>> raw = pd.DataFrame({"age": [20, 30, 40, 50], "income": [1, 2, 3, 5]})
    >>> correlation_drift(raw, raw)["max"]
    0.0
    """
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method must be 'pearson' or 'spearman', got {method!r}.")
    orig, anon, columns = _check_pair(original, anonymized, columns)
    numeric = [c for c in columns if is_numeric(orig[c])]
    if len(numeric) < 2:
        empty = pd.DataFrame(index=numeric, columns=numeric, dtype=float)
        return {"max": 0.0, "mean": 0.0, "difference": empty}
    before = _numeric_view(orig, numeric).corr(method=method)
    after = _numeric_view(anon, numeric).corr(method=method)
    diff = after - before
    upper = np.triu_indices(len(numeric), k=1)
    values = np.abs(diff.to_numpy()[upper])
    # a released column without variance has no correlation: count it as lost
    values = np.where(np.isnan(values), np.abs(before.to_numpy()[upper]), values)
    values = values[~np.isnan(values)]
    return {
        "max": float(values.max()) if values.size else 0.0,
        "mean": float(values.mean()) if values.size else 0.0,
        "difference": diff,
    }


def information_loss(original, anonymized, quasi_identifiers, *, k=None, hierarchies=None,
                     anonymizer=None):
    """Information-loss summary of an anonymized table.

    Parameters
    ----------
    original : DataFrame
        The raw table.
    anonymized : DataFrame
        The anonymized table: same records, same order.
    quasi_identifiers : list of str
        The generalized quasi-identifier columns.
    k : int or None, default=None
        The k the release targets, for the normalized average class size;
        None uses the achieved k (smallest class).
    hierarchies : dict or None, default=None
        ``{column: hierarchy}`` for columns released as hierarchy nodes.
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, callable or None, default=None
        The anonymizer that produced ``anonymized``, so that NCP can read
        what custom labels cover (see :func:`~sklearn_anon.metrics.ncp`).

    Returns
    -------
    loss : dict
        ``ncp`` (granularity loss, in [0, 1]; NaN when a column's loss is
        unknown), ``ncp_per_column`` (dict; NaN when unknown),
        ``ncp_unknown_columns`` (columns with custom labels NCP could not
        read),
        ``discernibility``, ``average_class_size`` (C_avg),
        ``entropy_loss`` (mean share of the QIs' entropy lost),
        ``distribution_distance`` (mean normalized distance over the QIs),
        ``correlation_drift`` (max absolute change).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import information_loss
    >>> raw = pd.DataFrame({"age": [31, 35, 42, 47]})
    >>> anon = pd.DataFrame({"age": ["[30, 40)", "[30, 40)", "[40, 50)", "[40, 50)"]})
    >>> information_loss(raw, anon, ["age"])["discernibility"]
    8
    """
    orig, anon, qis = _check_pair(original, anonymized, quasi_identifiers)
    from ._risk import class_codes

    _, sizes = class_codes(anon, qis)
    k_ref = int(sizes.min()) if k is None else k
    total, per_column = ncp(orig, anon, qis, hierarchies=hierarchies, anonymizer=anonymizer,
                            return_per_column=True)
    ent = entropy_loss(orig, anon, qis)
    dist = distribution_distance(orig, anon, qis, hierarchies=hierarchies)
    return {
        "ncp": float(total),
        "ncp_per_column": {str(c): float(v) for c, v in per_column.items()},
        "ncp_unknown_columns": [str(c) for c, v in per_column.items() if np.isnan(v)],
        "discernibility": int(discernibility(anon, qis)),
        "average_class_size": float(average_class_size(anon, qis, k_ref)),
        "entropy_loss": float(ent["loss"].mean()),
        "distribution_distance": float(dist["normalized"].mean()),
        "correlation_drift": float(correlation_drift(orig, anon, qis)["max"]),
    }
