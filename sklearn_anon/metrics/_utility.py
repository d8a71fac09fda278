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

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import wasserstein_distance

from .. import _text
from .._frames import datetime_ns
from .._hierarchy import load_hierarchy
from .._labels import parse_intervals, parse_sets
from ..base import SUPPRESSED, check_frame, is_numeric
from ._anonymizer import generalize_with
from ._ncp import ncp
from ._privacy_models import average_class_size, discernibility
from ._tables import _as_list, class_codes
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator
    from typing import Any, Callable, Literal, Mapping, Sequence
    from .._typing import HierarchyLike

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


def entropy_loss(
    original: pd.DataFrame,
    anonymized: pd.DataFrame,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
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
        o_codes, o_uni = _text.factorize(orig[col], use_na_sentinel=False)
        a_codes, a_uni = _text.factorize(anon[col].astype(object), use_na_sentinel=False)
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
    return datetime_ns(series)


def _released_numbers(values, kind, domain=None):
    """Numbers an analyst reads from released cells: value, interval midpoint.

    Returns ``(numbers, custom)`` per cell.  Intervals read at their
    midpoint, an open end (``"< 30"``, ``">= 60"``, ``"(-inf, 30]"``) first
    replaced by ``domain``'s observed minimum or maximum (without
    ``domain``, an open interval reads as its finite bound); ``"*"``, NaN
    and custom labels read as NaN.  With ``domain`` (the finite original values) a number written as
    text counts only when it is one of them and has no leading zero:
    ``"021"`` (a ZIP3 of a numeric ZIP), ``"850"`` are labels, not numbers.
    ``custom`` marks text cells that are neither a number, an interval,
    ``"*"`` nor NaN.
    """
    codes, uniques = _text.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    uniques = pd.Series(uniques, dtype=object)
    out = pd.to_numeric(uniques, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    out = np.array(out, dtype=np.float64)
    custom = np.zeros(len(uniques), dtype=bool)
    is_str = uniques.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if is_str.any():
        text = uniques[is_str].str.strip()
        lo, hi, _, _, ok = parse_intervals(text, kind)
        if domain is not None and domain.size:
            d_lo, d_hi = float(domain.min()), float(domain.max())
            # open ends only: a bounded interval keeps its stated midpoint
            c_lo = np.where(np.isneginf(lo), d_lo, lo)
            c_hi = np.where(np.isposinf(hi), d_hi, hi)
            # an open interval wholly outside the data reads at its finite bound
            outside = c_lo > c_hi
            bound = np.where(np.isneginf(lo), hi, lo)
            lo, hi = np.where(outside, bound, c_lo), np.where(outside, bound, c_hi)
        mid = np.where(
            np.isfinite(lo) & np.isfinite(hi),
            (lo + hi) / 2,
            np.where(np.isfinite(lo), lo, hi),
        )
        sub = out[is_str]
        if domain is not None:
            plain = ~ok & np.isfinite(sub)
            leading_zero = text.str.match(r"^[+-]?0\d").to_numpy(dtype=bool)
            foreign = plain & (leading_zero | ~np.isin(sub, domain))
            sub[foreign] = np.nan
        sub[ok] = mid[ok]
        out[is_str] = sub
        marker = (text == SUPPRESSED).to_numpy()
        custom[is_str] = ~np.isfinite(sub) & ~marker & ~ok
    return out[codes], custom[codes]


def _spread_categories(orig, anon, hierarchy, mapping=None):
    """Released category distribution spread back over the original values.

    A released value covers: the original value written the same way, the
    members of a set ``"{a, b}"``, the leaves of a hierarchy node, and (with
    ``mapping``, the anonymizer's output for each original row) the
    original values the anonymizer turns into it.  Its weight is spread
    evenly over what it covers; a value covering nothing (``"*"``, NaN, an
    unreadable label) over the whole domain.
    """
    o_codes, o_uni = _text.factorize(orig, use_na_sentinel=False)
    domain = _text.text_index(_text.text_series(pd.Series(o_uni, dtype=object)))
    m = len(domain)
    a_codes, a_uni = _text.factorize(anon.astype(object), use_na_sentinel=False)
    weights = np.bincount(a_codes, minlength=len(a_uni)).astype(np.float64)
    a_text = pd.Series(a_uni, dtype=object)
    a_str = _text.text_index(_text.text_series(a_text))  # the released values as text
    # members of each released value, as (released position, original position)
    pos, member = [], []
    direct = domain.get_indexer(a_str)
    hit = direct >= 0
    pos.append(np.flatnonzero(hit))
    member.append(direct[hit])
    sets = parse_sets(a_text.where(~hit, ""))
    if not sets.empty:
        idx = domain.get_indexer(_text.text_index(_text.text_series(sets["member"])))
        pos.append(sets["pos"].to_numpy()[idx >= 0])
        member.append(idx[idx >= 0])
    if hierarchy is not None:
        h = load_hierarchy(hierarchy)
        leaf_pos = h.leaf_codes(pd.Series(o_uni, dtype=object))
        levels = range(1, h.n_levels)
        node_text = (np.concatenate([h.level_labels(lev) for lev in levels]).astype(str)
                     if len(levels) else np.empty(0, dtype=str))
        # nodes and released values matched on integer codes (text pandas' merge
        # cannot re-infer as Arrow, a lone surrogate, then joins too)
        node_codes, node_uni = _text.factorize(node_text.astype(object))
        nodes = pd.DataFrame({"node": node_codes, "leaf": np.tile(np.arange(len(h)), len(levels))}).drop_duplicates()
        rel_node = _text.object_index(node_uni).get_indexer(a_str.astype(object))
        rel = pd.DataFrame({"node": rel_node, "pos": np.arange(len(a_text))})[~hit & (rel_node >= 0)]
        dom = pd.DataFrame({"leaf": leaf_pos, "member": np.arange(m)})
        merged = rel.merge(nodes, on="node").merge(dom[dom["leaf"] >= 0], on="leaf")
        pos.append(merged["pos"].to_numpy())
        member.append(merged["member"].to_numpy())
    if mapping is not None:
        # (label, original value) pairs the anonymizer produces on the original
        label_pos = a_str.get_indexer(_text.text_index(_text.text_series(pd.Series(mapping, dtype=object))))
        seen = label_pos >= 0
        pos.append(label_pos[seen])
        member.append(o_codes[seen])
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
    marker = a_text.isna().to_numpy() | (_text.text_series(a_text).str.strip() == SUPPRESSED).to_numpy()
    unreadable = float(weights[unknown & ~marker].sum() / weights.sum())
    return original / original.sum(), released / released.sum(), unreadable


def distribution_distance(
    original: pd.DataFrame,
    anonymized: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    hierarchies: Mapping[Any, HierarchyLike] | None = None,
    anonymizer: BaseEstimator | Callable[..., Any] | None = None,
) -> pd.DataFrame:
    """Per-column distance between the original and the released distribution.

    Categorical columns: total variation distance (half the L1 distance, in
    [0, 1]) between the original value frequencies and the released ones
    spread back over the original values (a set or hierarchy node evenly
    over its members, ``"*"`` over the whole domain).  Numeric columns:
    Wasserstein (earth mover's) distance between the original values and
    the released numbers (interval midpoints), also divided by the original
    range so that columns compare (``normalized``).  Open interval ends
    (``"< 30"``, ``">= 60"``, ``"(-inf, 30]"``) are clipped to the original
    column's observed range before taking the midpoint.

    A numeric column released as text labels that are not intervals (a
    ZIP3 ``"021"`` of a numeric ZIP, income classes ``"Middle"``; a number
    written as text that is no value of the original column is such a
    label) has no numbers to compare: with ``anonymizer`` it is compared as
    categories (TVD, each released label spread evenly over the original
    values the anonymizer maps to it); without, its distance is unknown
    (NaN), never a number read off the label text.  With ``anonymizer``,
    custom labels of categorical columns (``"OTHER"``) are spread the same
    way instead of over the whole domain.  This TVD is over the original
    values: on a column whose values are nearly all distinct (birth dates,
    exact incomes) spreading a label evenly over its members reproduces the
    original closely, so the distance stays near 0 whatever the grouping;
    :func:`~sklearn_anon.metrics.ncp` measures the granularity lost.

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
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, callable or None, default=None
        The anonymizer that produced ``anonymized``, to read what custom
        labels cover; it is applied to ``original``.

    Returns
    -------
    distance : DataFrame, one row per column
        ``measure`` (``"tvd"`` or ``"wasserstein"``), ``distance`` and
        ``normalized`` (in [0, 1] for TVD; Wasserstein over the range; NaN
        when unknown, see above).
        ``suppressed`` gives the share of released cells that are ``"*"`` or
        missing; ``unreadable`` the share of cells that are neither a value,
        an interval, a set nor a hierarchy node (custom labels such as
        ``"Middle"``, ``"OTHER"`` or ``"021"``), and that the anonymizer, when
        given, does not produce from the original either: in a numeric
        column they make the distance unknown (NaN, not 1) unless the
        anonymizer is given; in a categorical one they are spread over the
        whole domain like ``"*"``.

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
    generalized = None
    if anonymizer is not None:
        generalized = generalize_with(anonymizer, orig, columns, name="original")
        generalized = generalized.reset_index(drop=True)
    rows = []
    for col in columns:
        o, a = orig[col], anon[col]
        mapping = None if generalized is None else generalized[col]
        a_obj = a.astype(object)
        if is_numeric(o) or pd.api.types.is_datetime64_any_dtype(o.dtype):
            kind = "numeric" if is_numeric(o) else "datetime"
            o_num = _column_numbers(o)
            o_ok = o_num[np.isfinite(o_num)]
            if is_numeric(a) or pd.api.types.is_datetime64_any_dtype(a.dtype):
                a_num, custom = _column_numbers(a), np.zeros(len(a), dtype=bool)
            else:
                a_num, custom = _released_numbers(a, kind, np.unique(o_ok))
            marker = (a_obj.isna() | (_text.text_series(a_obj).str.strip() == SUPPRESSED)).to_numpy()
            suppressed = float(np.mean(marker))
            if custom.any():
                # labels, not numbers: categories over the anonymizer's mapping, or unknown
                if mapping is None:
                    rows.append({"measure": "tvd", "distance": np.nan, "normalized": np.nan,
                                 "suppressed": suppressed, "unreadable": float(np.mean(custom))})
                    continue
                p, q, unreadable = _spread_categories(o, a, None, mapping)
                tvd = float(0.5 * np.abs(p - q).sum())
                rows.append({"measure": "tvd", "distance": tvd, "normalized": tvd,
                             "suppressed": suppressed, "unreadable": unreadable})
                continue
            a_ok = a_num[np.isfinite(a_num)]
            unreadable = float(np.mean(~np.isfinite(a_num) & ~marker))
            if o_ok.size == 0 or a_ok.size == 0:
                # nothing released to read: all suppressed is a full loss
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
            p, q, unreadable = _spread_categories(o, a, hierarchies.get(col), mapping)
            tvd = float(0.5 * np.abs(p - q).sum())
            suppressed = float(np.mean(a_obj.isna() | (a_obj == SUPPRESSED)))
            rows.append(
                {"measure": "tvd", "distance": tvd, "normalized": tvd, "suppressed": suppressed,
                 "unreadable": unreadable}
            )
    return pd.DataFrame(rows, index=pd.Index(columns))


def _numeric_view(frame, columns, reference=None):
    """Numbers an analyst reads from each column (NaN when unreadable).

    ``reference`` (the original table) gives each column's domain: text
    numbers outside it are labels, open intervals are clipped to it.
    """
    out = {}
    for col in columns:
        s = frame[col]
        if is_numeric(s):
            out[col] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            domain = None
            if reference is not None:
                ref = reference[col].to_numpy(dtype=np.float64, na_value=np.nan)
                domain = np.unique(ref[np.isfinite(ref)])
            out[col] = _released_numbers(s, "numeric", domain)[0]
    return pd.DataFrame(out)


def correlation_drift(
    original: pd.DataFrame,
    anonymized: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    method: Literal["pearson", "spearman"] = "pearson",
) -> dict[Any, Any]:
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
    after = _numeric_view(anon, numeric, orig).corr(method=method)
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


def information_loss(
    original: pd.DataFrame,
    anonymized: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    *,
    k: int | None = None,
    hierarchies: Mapping[Any, HierarchyLike] | None = None,
    anonymizer: BaseEstimator | Callable[..., Any] | None = None,
) -> dict[Any, Any]:
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
        The anonymizer that produced ``anonymized``, so that NCP and the
        distribution distance can read what custom labels cover (see
        :func:`~sklearn_anon.metrics.ncp`, :func:`distribution_distance`).

    Returns
    -------
    loss : dict
        ``ncp`` (granularity loss, in [0, 1]; NaN when a column's loss is
        unknown), ``ncp_per_column`` (dict; NaN when unknown),
        ``ncp_unknown_columns`` (columns with custom labels NCP could not
        read),
        ``discernibility``, ``average_class_size`` (C_avg),
        ``entropy_loss`` (mean share of the QIs' entropy lost),
        ``distribution_distance`` (mean normalized distance over the QIs;
        NaN when one is unknown), ``distribution_distance_unknown_columns``,
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
    _, sizes = class_codes(anon, qis)
    k_ref = int(sizes.min()) if k is None else k
    total, per_column = ncp(orig, anon, qis, hierarchies=hierarchies, anonymizer=anonymizer,
                            return_per_column=True)
    ent = entropy_loss(orig, anon, qis)
    dist = distribution_distance(orig, anon, qis, hierarchies=hierarchies, anonymizer=anonymizer)
    return {
        "ncp": float(total),
        "ncp_per_column": {str(c): float(v) for c, v in per_column.items()},
        "ncp_unknown_columns": [str(c) for c, v in per_column.items() if np.isnan(v)],
        "discernibility": int(discernibility(anon, qis)),
        "average_class_size": float(average_class_size(anon, qis, k_ref)),
        "entropy_loss": float(ent["loss"].mean()),
        # NaN when a column's distance is unknown: a mean over the others would misstate it
        "distribution_distance": float(dist["normalized"].mean(skipna=False)),
        "distribution_distance_unknown_columns": [
            str(c) for c, v in dist["normalized"].items() if np.isnan(v)],
        "correlation_drift": float(correlation_drift(orig, anon, qis)["max"]),
    }
