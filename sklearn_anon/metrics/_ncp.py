"""Normalized certainty penalty (NCP): the granularity an anonymization costs.

NCP (granularity loss)
    Per cell, ``(generalized width - 1 leaf) / (domain - 1)``, averaged over
    cells; see :func:`ncp`.

A utility measure: it reads the released labels (:mod:`sklearn_anon._labels`) against
the original column's domain and, with the fitted anonymizer
(:mod:`._anonymizer`), custom labels through what the anonymizer maps to
them.  :func:`~sklearn_anon.metrics.information_loss` reports it with the
other information-loss measures.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .. import _text
from .._frames import datetime_ns
from .._hierarchy import load_hierarchy
from .._labels import RANGE_RE, parse_intervals
from ..base import SUPPRESSED, check_frame, is_numeric
from ._anonymizer import fitted_bins, generalize_with
from ._tables import _as_list
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator
    from typing import Any, Callable, Literal, Mapping, Sequence
    from .._typing import HierarchyLike

__all__ = ["ncp"]


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
            values = datetime_ns(stamps)
        else:
            values = pd.to_numeric(text[rest], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan)
        known = np.isin(values, domain_values)
        widths[idx[rest][known]] = 0.0
        if kind == "numeric":
            ranges = text[rest].str.extract(RANGE_RE)
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


@overload
def ncp(
    original: pd.DataFrame,
    anonymized: pd.DataFrame,
    quasi_identifiers: Sequence[str] | None = ...,
    *,
    hierarchies: Mapping[Any, HierarchyLike] | None = ...,
    anonymizer: BaseEstimator | Callable[..., Any] | None = ...,
    return_per_column: Literal[False] = ...,
) -> float: ...


@overload
def ncp(
    original: pd.DataFrame,
    anonymized: pd.DataFrame,
    quasi_identifiers: Sequence[str] | None = ...,
    *,
    hierarchies: Mapping[Any, HierarchyLike] | None = ...,
    anonymizer: BaseEstimator | Callable[..., Any] | None = ...,
    return_per_column: Literal[True],
) -> tuple[float, pd.Series]: ...


def ncp(
    original: pd.DataFrame,
    anonymized: pd.DataFrame,
    quasi_identifiers: Sequence[str] | None = None,
    *,
    hierarchies: Mapping[Any, HierarchyLike] | None = None,
    anonymizer: BaseEstimator | Callable[..., Any] | None = None,
    return_per_column: bool = False,
) -> float | tuple[float, pd.Series]:
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
    the quasi-identifiers.  A column with a hierarchy (numeric ones too) is
    read along it: a node covers its leaves.  This is the per-cell loss,
    not the figure ARX reports, which normalises per-column shares of the
    hierarchies' leaves: for that, use
    :func:`~sklearn_anon.metrics.granularity_loss`.

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
        generalized = generalize_with(anonymizer, orig, qis, name="original")
        bins = fitted_bins(anonymizer)
    losses = {}
    for q in qis:
        o = orig[q]
        a = anon[q]
        codes, labels = _text.factorize(a.astype(object), use_na_sentinel=False)
        labels = np.asarray(labels, dtype=object)
        if q not in hierarchies and (is_numeric(o) or pd.api.types.is_datetime64_any_dtype(o.dtype)):
            # (a numeric column with a hierarchy is read along it, as a categorical one)
            kind = "numeric" if is_numeric(o) else "datetime"
            vals = (o.to_numpy(dtype=np.float64, na_value=np.nan) if kind == "numeric"
                    else datetime_ns(o))
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
