"""Anonymize Dask DataFrames: partition-wise transform, Dask fits, Mondrian at scale.

Importing :mod:`sklearn_anon` never imports Dask; this module does (extra
``dask``: ``pip install "sklearn-anon[dask]"``).

* :func:`transform_dask` applies a *fitted* transformer of the package (or a
  fitted ``Pipeline`` / ``ColumnTransformer`` / ``FeatureUnion`` of them) to
  a Dask DataFrame with ``map_partitions``: the same rows in the same order
  as ``estimator.transform`` on the whole pandas frame.  Randomized steps
  (:class:`~sklearn_anon.LaplaceNoise`, :class:`~sklearn_anon.GaussianNoise`,
  :class:`~sklearn_anon.RandomizedResponse`) draw independent noise in every
  partition: with an int ``random_state`` each partition's generator is
  seeded from ``np.random.SeedSequence(random_state).spawn(npartitions)``
  (reproducible), with ``None`` from the operating system's secure source.
* :func:`fit_dask` fits an estimator on a Dask DataFrame with Dask
  reductions (counts, minimum/maximum, quantiles, distinct values, sums),
  never collecting the rows, and sets the same fitted attributes as the
  pandas ``fit`` would.
* :func:`fit_mondrian_dask` grows Mondrian's cut tree on an in-memory
  sample, counts every region on the full data in one distributed pass and
  merges regions below ``k`` (or not l-diverse / t-close) into their parent
  along the tree; rows with a value the tree cannot place are suppressed
  whole (with the smallest regions when fewer than ``k``), so that the whole
  output is k-anonymous.
  :func:`k_anonymity_dask` checks a released Dask DataFrame with a
  distributed count.

The engine reaches the estimators only through their public parameters,
fitted attributes and documented extension points (engines other than
Dask can use the same): :func:`sklearn_anon.dp.is_local_mechanism` and
:func:`sklearn_anon.dp.spend_release`, :func:`sklearn_anon.generalize.label_counts`
and :func:`sklearn_anon.generalize.interval_labels`,
:meth:`~sklearn_anon.DPGroupMeanEncoder.group_statistics` and
:meth:`~sklearn_anon.DPGroupMeanEncoder.release_statistics` (the one copy of
the encoder's noisy release), :meth:`~sklearn_anon.MondrianAnonymizer.region_index`,
:meth:`~sklearn_anon.LaplaceNoise.as_release_part` (the local
mechanisms' per-partition copies: their own stream, their spend not counted
twice), :meth:`~sklearn_anon.MondrianAnonymizer.regions_hold` and
:meth:`~sklearn_anon.MondrianAnonymizer.collapse_regions`.  :func:`fit_dask`
is a :func:`functools.singledispatch` function: a new estimator registers
its Dask fit with ``fit_dask.register``.  Compositions are walked by the
package's one walker, ``sklearn_anon._pipeline.leaves`` (a new composite
class registers its parts with ``sklearn_anon._pipeline.children.register``).

The per-call privacy accounting of the local mechanisms is kept: one
:func:`transform_dask` call is one release (each record is in one
partition), so the per-record budget is checked and spent once on each
mechanism's accountant when the call builds the graph.  Computing the same
result twice with ``random_state=None`` draws new noise: a second release.
"""

from __future__ import annotations

import copy
import functools
import math
import warnings
from dataclasses import dataclass
from numbers import Integral

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from . import _text
from ._frames import as_frame
from ._pipeline import leaves
from .base import SUPPRESSED, per_column, require_numeric
from .dp import (
    DPGroupMeanEncoder,
    GaussianNoise,
    LaplaceNoise,
    RandomizedResponse,
    is_local_mechanism,
    spend_release,
)
from .generalize import (
    DateGeneralizer,
    HierarchyGeneralizer,
    IntervalGeneralizer,
    PrefixGeneralizer,
    RareCategoryGrouper,
    TopBottomCoder,
    interval_labels,
    label_counts,
)
from .identifiers import FakeReplacer, KeyedAssigner, PIIDetector, Pseudonymizer
from .kanonymity import MondrianAnonymizer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator
    from typing import Literal, Sequence

__all__ = [
    "MondrianDaskResult",
    "fit_dask",
    "fit_mondrian_dask",
    "k_anonymity_dask",
    "partition_seeds",
    "transform_dask",
]


def _randomized_steps(est):
    """The per-call randomized steps (local DP mechanisms) of a fitted estimator."""
    return [s for _, s in leaves(est) if is_local_mechanism(s)]


def partition_seeds(
    random_state: int | None,
    n_partitions: int,
) -> list[np.random.SeedSequence] | None:
    """One independent :class:`numpy.random.SeedSequence` per partition.

    Parameters
    ----------
    random_state : int or None
        An int gives reproducible, independent per-partition streams
        (``SeedSequence(random_state).spawn(n_partitions)``).  None returns
        None: every partition then seeds itself from the operating system's
        secure source (what a release should use).
    n_partitions : int
        Number of partitions.

    Returns
    -------
    seeds : list of SeedSequence or None
        One seed per partition; None entries draw from secure randomness.

    Examples
    --------
    >>> from sklearn_anon.dask import partition_seeds
    >>> seeds = partition_seeds(0, 3)
    >>> len(seeds), seeds[0].spawn_key, seeds[2].spawn_key
    (3, (0,), (2,))
    >>> partition_seeds(None, 3) is None
    True
    """
    if random_state is None:
        return None
    if isinstance(random_state, bool) or not isinstance(random_state, Integral):
        raise TypeError(
            "random_state must be an int or None (a Generator cannot be shared "
            f"across partitions), got {type(random_state).__name__}."
        )
    return np.random.SeedSequence(int(random_state)).spawn(int(n_partitions))


def _partition_copy(est, seed):
    """A copy of fitted ``est`` whose randomized steps draw from ``seed``.

    The copy's mechanisms spend on a fresh (unlimited) accountant: the
    release is accounted once, on the original, by :func:`transform_dask`.
    Each randomized step gets its own child stream of ``seed`` (None: a
    secure seed per call, the mechanisms' own default).
    """
    if not _randomized_steps(est):
        return est  # deterministic transforms do not change the estimator
    local = copy.deepcopy(est)
    steps = _randomized_steps(local)
    children = seed.spawn(len(steps)) if seed is not None else [None] * len(steps)
    for step, child in zip(steps, children):
        # The partition's stream is the copy's ``random_state`` (None: a fresh secure
        # seed per transform call); each transform draws its generator from it once
        # (``_call_generator``) and passes it to every column.
        step.as_release_part(None if child is None else np.random.default_rng(child))
    return local


def _transform_partition(part, est, seeds, partition_info=None):
    number = partition_info["number"] if partition_info is not None else 0
    seed = seeds[number] if seeds is not None else None
    local = _partition_copy(est, seed)
    out = as_frame(local.transform(part), local, part.index)
    if not out.index.equals(part.index):
        out.index = part.index
    return out


def _meta_of(est, ddf):
    """Output schema: the transform of an empty frame, else of a fake two-row frame."""
    local = _partition_copy(est, np.random.SeedSequence(0))
    for sample in (ddf._meta, ddf._meta_nonempty):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = as_frame(local.transform(sample), local, sample.index)
            return out.iloc[:0]
        except (ValueError, TypeError, KeyError, IndexError):
            continue  # an empty or fake frame this estimator rejects: try the next
    head = ddf.head(1)
    out = as_frame(local.transform(head), local, head.index)
    return out.iloc[:0]


def transform_dask(
    estimator: BaseEstimator,
    ddf: dd.DataFrame,
    *,
    random_state: int | None = None,
    meta: pd.DataFrame | None = None,
) -> dd.DataFrame:
    """Apply a fitted transformer to a Dask DataFrame, partition by partition.

    Parameters
    ----------
    estimator : fitted transformer, Pipeline, ColumnTransformer or FeatureUnion
        Fitted on pandas data (or with :func:`fit_dask`).  An ndarray output
        is turned into a DataFrame named by ``get_feature_names_out``.
    ddf : dask.dataframe.DataFrame
        The data, with the columns seen in fit.
    random_state : int or None, default=None
        Seeds the randomized steps (local DP mechanisms): an int gives each
        partition, and each randomized step in it, an independent stream
        from ``np.random.SeedSequence(random_state)`` (reproducible for a
        fixed partitioning); None draws a secure seed in every partition
        (use it for releases).  The steps' own ``random_state`` is not used.
    meta : DataFrame or None, default=None
        The output schema; None computes it by transforming an empty frame
        with the input's dtypes (falling back to a fake two-row frame, then
        to the first row of ``ddf``).

    Returns
    -------
    ddf_out : dask.dataframe.DataFrame
        Lazy; the same rows, in the same order and with the same index, as
        ``estimator.transform(ddf.compute())`` (the same values for the
        deterministic steps, the same distribution for the noisy ones).

    Notes
    -----
    Every local mechanism's per-record budget is checked and spent once on
    its accountant when this function is called (one call is one release).

    Dask converts ``str`` / object columns to Arrow-backed strings by
    default (``dataframe.convert-string``); the output equals the pandas
    ``transform`` of the data as Dask holds it (``ddf.compute()``).

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> from sklearn_anon import IntervalGeneralizer
    >>> from sklearn_anon.dask import transform_dask
    >>> df = pd.DataFrame({"age": [23, 37, 41, 58, 62, 70]})
    >>> gen = IntervalGeneralizer(bins=[0, 40, 60, 120]).fit(df)
    >>> out = transform_dask(gen, dd.from_pandas(df, npartitions=2))
    >>> out.compute(scheduler="sync")["age"].tolist()
    ['(0, 40]', '(0, 40]', '(40, 60]', '(40, 60]', '(60, 120]', '(60, 120]']
    """
    check_is_fitted(estimator)
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"transform_dask needs a dask DataFrame, got {type(ddf).__name__}.")
    seeds = partition_seeds(random_state, ddf.npartitions)
    if meta is None:
        meta = _meta_of(estimator, ddf)
    for step in _randomized_steps(estimator):
        spend_release(step)
    # one copy of the estimator in the graph (a dependency of every partition),
    # not one embedded in each task
    est = dask.delayed(estimator, pure=True)
    return ddf.map_partitions(_transform_partition, est, seeds, meta=meta,
                              align_dataframes=False)


# -- fitting with Dask reductions ----------------------------------------------------------
def _sum_partitions(ddf, func, *args, split_every=8):
    """Sum of ``func(partition, *args)`` (numpy arrays of one shape) over the partitions.

    A tree reduction of the per-partition arrays (``split_every`` at a time):
    no worker ever holds more than ``split_every`` of them, the client only
    the total.
    """
    parts = [dask.delayed(func, pure=True)(part, *args) for part in ddf.to_delayed()]
    while len(parts) > 1:
        parts = [dask.delayed(_add_all, pure=True)(*parts[i:i + split_every])
                 for i in range(0, len(parts), split_every)]
    return np.asarray(dask.compute(parts[0])[0])


def _add_all(*arrays):
    total = np.array(arrays[0], copy=True)
    for a in arrays[1:]:
        total += a
    return total


def _selected_columns(est, ddf):
    """The columns a ColumnAnonymizer works on, resolved against the Dask schema."""
    return est.resolve_columns(ddf._meta)


def _proxy_frame(ddf, values):
    """A small pandas frame with ``ddf``'s columns and dtypes.

    ``values`` maps a column to the values it must hold (distinct values,
    minimum and maximum, ...); shorter lists are repeated cyclically.  The
    other columns take values of Dask's fake non-empty frame.
    """
    n = max([len(v) for v in values.values()] + [1])
    base = ddf._meta_nonempty
    proxy = base.iloc[np.arange(n) % len(base)].reset_index(drop=True)
    for col, vals in values.items():
        vals = list(vals)
        if not vals:
            vals = [np.nan]
        cyc = [vals[i % len(vals)] for i in range(n)]
        dtype = ddf._meta[col].dtype
        try:
            proxy[col] = pd.Series(cyc, dtype=dtype)
        except (TypeError, ValueError):
            proxy[col] = pd.Series(cyc)
    return proxy


def _finite(series):
    s = series
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype("float64")
        return s.where(np.isfinite(s))
    return s


def _min_max(ddf, cols, who):
    """``{col: [min, max]}`` of the finite values (one Dask pass for all columns)."""
    if not cols:
        return {}
    for c in cols:
        require_numeric(ddf._meta[c], c, who)
    finite = {c: _finite(ddf[c]) for c in cols}
    mins, maxs = dask.compute([finite[c].min() for c in cols], [finite[c].max() for c in cols])
    out = {}
    for c, lo, hi in zip(cols, mins, maxs):
        out[c] = [] if pd.isna(lo) else [float(lo), float(hi)]
    return out


def _distinct(ddf, cols):
    """``{col: distinct non-missing values}`` computed with Dask."""
    if not cols:
        return {}
    uniques = dask.compute(*[ddf[c].dropna().unique() for c in cols])
    return {c: list(_text.unique(np.asarray(u, dtype=object))) for c, u in zip(cols, uniques)}


def _value_counts_partition(col):
    return col.value_counts(dropna=True)


def _quantiles(ddf, col, qs, method):
    """Quantiles ``qs`` of the finite values of one column.

    ``"exact"``: from the column's value counts (a Dask reduction; exact,
    numpy's linear interpolation, for columns with few distinct values such
    as ages).  ``"approximate"``: Dask's partition-wise percentile merge.
    """
    s = _finite(ddf[col]).dropna()
    qs = np.asarray(qs, dtype=float)
    if method == "approximate":
        return np.asarray(s.quantile(list(qs)).compute(), dtype=float)
    counts = s.map_partitions(_value_counts_partition, meta=pd.Series(dtype="int64")).compute()
    counts = counts.groupby(level=0).sum().sort_index()
    if counts.empty:
        return np.full(len(qs), np.nan)
    values = counts.index.to_numpy(dtype=float)
    cum = np.cumsum(counts.to_numpy())
    n = cum[-1]
    h = (n - 1) * qs
    lo_pos, hi_pos = np.floor(h).astype(np.int64), np.ceil(h).astype(np.int64)
    lo_v = values[np.searchsorted(cum, lo_pos, side="right")]
    hi_v = values[np.searchsorted(cum, hi_pos, side="right")]
    # the same interpolation as np.quantile on two sorted values
    return np.array([np.quantile([a, b], f) if a != b else a
                     for a, b, f in zip(lo_v, hi_v, h - lo_pos)], dtype=float)


# One Dask fit per estimator class, found by ``functools.singledispatch`` over
# the estimator's class (its MRO: a subclass gets its parent's fit unless it
# registers its own).  Every registered function takes ``(estimator, ddf, *,
# quantiles, sample_rows)``, fits the estimator in place and returns it.
@functools.singledispatch
def _fit_on_dask(estimator, ddf, *, quantiles, sample_rows):
    raise TypeError(
        f"fit_dask has no Dask fit for {type(estimator).__name__}: fit it on a pandas sample "
        "and apply it with transform_dask (or register one with fit_dask.register)."
    )


# -- scikit-learn compositions
@_fit_on_dask.register(Pipeline)
def _fit_pipeline(est, ddf, *, quantiles, sample_rows):
    data = ddf
    for i, (_, step) in enumerate(est.steps):
        if step is None or step == "passthrough":
            continue
        fit_dask(step, data, quantiles=quantiles, sample_rows=sample_rows)
        if i < len(est.steps) - 1:
            data = transform_dask(step, data)  # noisy steps: secure per-partition noise
    return est


# -- generalize
@_fit_on_dask.register(IntervalGeneralizer)
def _fit_interval(est, ddf, *, quantiles, sample_rows):
    cols = _selected_columns(est, ddf)
    learnt = [c for c in cols if per_column(est.bins, c) is None]
    bounds = _min_max(ddf, learnt, type(est).__name__)
    est.fit(_proxy_frame(ddf, bounds))
    if est.strategy == "quantile":
        qs = np.linspace(0, 1, est.n_bins + 1)
        for c in learnt:
            edges = np.unique(_quantiles(ddf, c, qs, quantiles))
            if edges.size < 2:
                edges = np.array([edges[0], edges[0]])
            edges[0], edges[-1] = -np.inf, np.inf
            labels = per_column(est.labels, c)
            if labels is None:
                labels = interval_labels(edges, right=est.right, precision=est.precision,
                                         open_ends=True)
            else:
                labels = est.bins_[c][1]  # checked against the same bin count below
                if len(labels) != len(edges) - 1:
                    raise ValueError(f"labels for column {c!r} do not match the learnt bins.")
            est.bins_[c] = (edges, labels)
    return est


@_fit_on_dask.register(TopBottomCoder)
def _fit_top_bottom(est, ddf, *, quantiles, sample_rows):
    cols = _selected_columns(est, ddf)
    est.fit(_proxy_frame(ddf, _min_max(ddf, cols, type(est).__name__)))
    for c in cols:
        lo, hi = est.bounds_[c]
        wanted = [(i, q) for i, (given, q) in enumerate(
            ((per_column(est.lower, c), est.lower_quantile), (per_column(est.upper, c), est.upper_quantile)))
            if given is None and q is not None]
        if wanted:
            got = _quantiles(ddf, c, [q for _, q in wanted], quantiles)
            pair = [lo, hi]
            for (i, _), v in zip(wanted, got):
                if not np.isnan(v):
                    pair[i] = float(v)
            if pair[0] > pair[1]:
                raise ValueError(f"Column {c!r}: the lower bound is above the upper bound.")
            est.bounds_[c] = tuple(pair)
    return est


@_fit_on_dask.register(RareCategoryGrouper)
def _fit_rare(est, ddf, *, quantiles, sample_rows):
    cols = _selected_columns(est, ddf)
    est.fit(_proxy_frame(ddf, {}))
    n_rows = len(ddf)
    parts = dask.compute(*[
        ddf[c].map_partitions(label_counts, meta=pd.Series(dtype="int64", index=pd.Index([], dtype=object)))
        for c in cols])
    for c, per_part in zip(cols, parts):
        counts = per_part.groupby(level=0).sum()
        keep = counts >= est.min_count
        if est.min_frequency is not None:
            keep &= counts >= est.min_frequency * n_rows
        est.categories_[c] = sorted(set(counts.index[keep.to_numpy()]) - {est.other_label})
    return est


@_fit_on_dask.register(PrefixGeneralizer)
@_fit_on_dask.register(DateGeneralizer)
@_fit_on_dask.register(HierarchyGeneralizer)
@_fit_on_dask.register(RandomizedResponse)
def _fit_by_distinct(est, ddf, *, quantiles, sample_rows):
    """Estimators that learn the distinct values of their columns."""
    return est.fit(_proxy_frame(ddf, _distinct(ddf, _selected_columns(est, ddf))))


# -- dp
@_fit_on_dask.register(LaplaceNoise)
@_fit_on_dask.register(GaussianNoise)
def _fit_by_bounds(est, ddf, *, quantiles, sample_rows):
    """Numeric mechanisms: the minimum and maximum of the columns without given bounds."""
    cols = _selected_columns(est, ddf)
    learnt = [c for c in cols if per_column(est.bounds, c) is None]
    return est.fit(_proxy_frame(ddf, _min_max(ddf, learnt, type(est).__name__)))


def _group_stats_partition(part, est):
    """One partition's exact per-group sums and counts (the encoder's extension point)."""
    return np.stack(est.group_statistics(part))


@_fit_on_dask.register(DPGroupMeanEncoder)
def _fit_group_mean(est, ddf, *, quantiles, sample_rows):
    """DPGroupMeanEncoder: noisy sums and counts from Dask reductions.

    The encoder is fitted on a proxy frame (the declared or distinct group
    categories, the value's bounds) so that it validates its parameters,
    resolves its domain and spends ``epsilon`` once; then the per-cell
    sums and counts are computed with Dask (the encoder's
    :meth:`~sklearn_anon.DPGroupMeanEncoder.group_statistics` per partition)
    and released by the encoder's own
    :meth:`~sklearn_anon.DPGroupMeanEncoder.release_statistics`: the noise
    is drawn by the same code from the same generator as in ``fit``.
    """
    if est.value_column is None:
        raise ValueError("fit_dask(DPGroupMeanEncoder) needs value_column (y is not a Dask column).")
    value_col = est.value_column
    if isinstance(value_col, Integral) and value_col not in ddf.columns:
        value_col = ddf.columns[value_col]
    groups = ([c for c in ddf.columns if c != value_col] if est.columns is None
              else _selected_columns(est, ddf))
    undeclared = [c for c in groups if (est.categories or {}).get(c) is None
                  and not isinstance(ddf._meta[c].dtype, pd.CategoricalDtype)]
    values = _distinct(ddf, undeclared)
    for c in groups:
        if c not in values:
            given = (est.categories or {}).get(c)
            values[c] = list(given) if given is not None else list(ddf._meta[c].cat.categories)
    if est.bounds is None:
        values.update(_min_max(ddf, [value_col], type(est).__name__))
    else:
        values[value_col] = list(np.asarray(est.bounds, dtype=float).ravel())
    est.fit(_proxy_frame(ddf, values))
    sums, counts = _sum_partitions(ddf, _group_stats_partition, dask.delayed(est, pure=True))
    # the one noisy release of DPGroupMeanEncoder, from the generator its fit draws from
    return est.release_statistics(sums, counts)


# -- identifiers
@_fit_on_dask.register(Pseudonymizer)
@_fit_on_dask.register(KeyedAssigner)
@_fit_on_dask.register(FakeReplacer)
@_fit_on_dask.register(PIIDetector)
def _fit_on_head(est, ddf, *, quantiles, sample_rows):
    """Estimators that learn dtypes / kinds, not values: fitted on the first rows."""
    return est.fit(ddf.head(sample_rows, npartitions=-1))


# -- kanonymity
@_fit_on_dask.register(MondrianAnonymizer)
def _refuse_mondrian(est, ddf, *, quantiles, sample_rows):
    raise TypeError("Use fit_mondrian_dask for MondrianAnonymizer (sample fit + distributed merge).")


def fit_dask(
    estimator: BaseEstimator,
    ddf: dd.DataFrame,
    *,
    quantiles: Literal["approximate", "exact"] = "approximate",
    sample_rows: int = 10_000,
) -> BaseEstimator:
    """Fit an estimator on a Dask DataFrame with Dask reductions.

    The statistics the pandas ``fit`` learns are computed with Dask (the
    rows are never collected), then the estimator is fitted exactly as
    ``fit`` on the whole table would be:

    ===========================================  ==========================================
    estimator                                    what Dask computes
    ===========================================  ==========================================
    RareCategoryGrouper                          category counts (exact)
    IntervalGeneralizer, TopBottomCoder          minimum/maximum (exact), quantiles
    LaplaceNoise, GaussianNoise                  minimum/maximum when ``bounds`` is None
    RandomizedResponse, PrefixGeneralizer,       distinct values
    DateGeneralizer, HierarchyGeneralizer
    DPGroupMeanEncoder (``value_column`` set)    per-group sums and counts, then the
                                                 same noise as ``fit`` (same generator)
    Pseudonymizer, KeyedAssigner, FakeReplacer,  fitted on the first ``sample_rows`` rows
    PIIDetector                                  (they learn dtypes / kinds, not values)
    Pipeline                                     each step in turn, on the previous
                                                 steps' :func:`transform_dask` output
    ===========================================  ==========================================

    For MondrianAnonymizer use :func:`fit_mondrian_dask`.

    The Dask fit is chosen by the estimator's class
    (:func:`functools.singledispatch`): a new estimator registers its own
    with ``@fit_dask.register(MyEstimator)`` on a function
    ``(estimator, ddf, *, quantiles, sample_rows)`` that fits the estimator
    in place and returns it (``fit_dask.registry`` lists the registered
    classes).  It should reach the estimator only through its public
    parameters, fitted attributes and documented extension points (such as
    :meth:`~sklearn_anon.DPGroupMeanEncoder.group_statistics`), so that its
    result equals the pandas ``fit`` on the same data.

    Parameters
    ----------
    estimator : estimator
        Unfitted (it is fitted in place, like ``fit``).
    ddf : dask.dataframe.DataFrame
        Training data.
    quantiles : {"approximate", "exact"}, default="approximate"
        How learnt quantiles are computed: ``"approximate"`` with Dask's
        partition-wise percentile merge (close to, not equal to, numpy's
        quantile when there are several partitions); ``"exact"`` from the
        column's value counts, equal to ``np.quantile`` (linear), fine when
        the column has few distinct values (ages, years, rounded amounts).
    sample_rows : int, default=10_000
        Rows read for the estimators fitted on a sample.

    Returns
    -------
    estimator : estimator
        The estimator given, fitted (the same fitted attributes as a pandas ``fit``).

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> from sklearn_anon import RareCategoryGrouper
    >>> from sklearn_anon.dask import fit_dask
    >>> df = pd.DataFrame({"city": ["Oslo"] * 3 + ["Bergen"] * 2 + ["Moss"]})
    >>> g = fit_dask(RareCategoryGrouper(min_count=2), dd.from_pandas(df, npartitions=2))
    >>> g.categories_["city"]
    ['Bergen', 'Oslo']
    """
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"fit_dask needs a dask DataFrame, got {type(ddf).__name__}.")
    if quantiles not in ("approximate", "exact"):
        raise ValueError("quantiles must be 'approximate' or 'exact'.")
    return _fit_on_dask(estimator, ddf, quantiles=quantiles, sample_rows=sample_rows)


# the registry of Dask fits, reachable from the public function (attributes set on a
# function: mypy types a def without them)
fit_dask.register = _fit_on_dask.register  # type: ignore[attr-defined]
fit_dask.dispatch = _fit_on_dask.dispatch  # type: ignore[attr-defined]
fit_dask.registry = _fit_on_dask.registry  # type: ignore[attr-defined]


# -- Mondrian at scale ----------------------------------------------------------------------
@dataclass
class MondrianDaskResult:
    """What :func:`fit_mondrian_dask` returns.

    Each parameter is an attribute of the same name.

    Parameters
    ----------
    anonymizer : MondrianAnonymizer
        Fitted; its cut tree has the merged regions as leaves, so
        ``transform`` (or :func:`transform_dask`) writes the merged regions.
    n_rows : int
        Rows of the full data.
    sample_rows : int
        Rows of the sample the cut tree was grown on.
    sample_k : int
        The ``k`` used on the sample.
    n_regions_sample : int
        Regions of the tree grown on the sample.
    n_regions : int
        Regions after merging.
    n_merged : int
        Sample regions merged away (``n_regions_sample - n_regions``).
    region_counts : ndarray
        Full-data rows per final region (index = region number) that the
        region keeps (written with its labels; the rows suppressed whole are
        in ``n_suppressed``).
    k_achieved : int
        The k of the output of :func:`transform_dask`: its smallest
        equivalence class on the full data (>= k; regions with the same
        labels, and the fully suppressed rows, count as one class).
    n_suppressed : int
        Full-data rows written ``"*"`` on every quasi-identifier (NaN in
        numeric ``"midpoint"`` / ``"mean"`` output): the rows with a value
        the tree cannot place where their region's label is not ``"*"``,
        and the rows of suppressed regions; 0 or at least ``k`` (and
        l-diverse / t-close with ``l`` / ``t``).

    Examples
    --------
    >>> import numpy as np, pandas as pd, dask.dataframe as dd
    >>> from sklearn_anon import MondrianAnonymizer
    >>> from sklearn_anon.dask import fit_mondrian_dask
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"age": rng.integers(18, 90, 2000)})
    >>> res = fit_mondrian_dask(MondrianAnonymizer(k=10), dd.from_pandas(df, npartitions=2),
    ...                         sample_rows=400)
    >>> res.n_rows, res.sample_k, res.k_achieved >= 10
    (2000, 4, True)
    >>> res.n_regions == res.n_regions_sample - res.n_merged == len(res.region_counts)
    True
    """

    anonymizer: object
    n_rows: int
    sample_rows: int
    sample_k: int
    n_regions_sample: int
    n_regions: int
    n_merged: int
    region_counts: np.ndarray
    k_achieved: int
    n_suppressed: int = 0


def _unplaced_cells(part, anon):
    """``(n_rows, n_qis)`` bool: the quasi-identifier cells the fitted tree cannot place."""
    out = np.zeros((len(part), len(anon.quasi_identifiers_)), dtype=bool)
    for j, (name, coder) in enumerate(zip(anon.quasi_identifiers_, anon.coders_)):
        out[:, j] = ~np.asarray(coder.placeable(part[name])[1], dtype=bool)
    return out


class _Router:
    """Picklable: the node of the sample tree that counts each row (see ``__call__``)."""

    def __init__(self, anon, node_star):
        tree = anon.tree_
        left, right, leaf = tree["left"], tree["right"], tree["leaf"]
        self.n_nodes = len(leaf)
        self.parent = np.full(self.n_nodes, -1, dtype=np.int64)
        internal = np.flatnonzero(tree["feature"] >= 0)
        self.parent[left[internal]] = internal
        self.parent[right[internal]] = internal
        self.leaf_node = np.empty(int(leaf.max()) + 1, dtype=np.int64)
        self.leaf_node[leaf[leaf >= 0]] = np.flatnonzero(leaf >= 0)
        self.node_star = node_star  # (n_nodes, n_qis): a sample row of the subtree is "*" there
        self.anon = anon

    def __call__(self, part):
        """Per row: the deepest node on its path whose sample rows are unplaceable on
        every column where the row is (its cells there are "*" in that node's region
        anyway), ``n_nodes`` when none is.  A final region counts the rows of such
        nodes in its subtree: exactly the rows the returned anonymizer writes with
        the region's labels."""
        node = self.leaf_node[self.anon.region_index(part)]
        unplaced = _unplaced_cells(part, self.anon)
        idx = np.flatnonzero(unplaced.any(axis=1))
        cur, u = node[idx], unplaced[idx]
        while idx.size:
            fits = ~(u & ~self.node_star[cur]).any(axis=1)
            node[idx[fits]] = cur[fits]
            idx, cur, u = idx[~fits], self.parent[cur[~fits]], u[~fits]
            top = cur < 0
            node[idx[top]] = self.n_nodes
            idx, cur, u = idx[~top], cur[~top], u[~top]
        return node


def _node_counts_partition(part, router, s_codes_of=None, m=1):
    """Rows per (counting node, sensitive code) of one partition, as a flat count vector.

    The last ``m`` entries count the rows that no region of the tree keeps
    (suppressed on every quasi-identifier by the fitted anonymizer).
    """
    node = router(part)
    key = node if s_codes_of is None else node * m + s_codes_of(part)
    return np.bincount(key, minlength=(router.n_nodes + 1) * m).astype(np.int64)


def _node_star(anon, sample):
    """Per node of the sample tree and quasi-identifier: does a sample row of its subtree
    hold a value the tree cannot place (missing), so that its region writes "*" there?"""
    tree = anon.tree_
    n_nodes = len(tree["leaf"])
    star = np.zeros((n_nodes, len(anon.quasi_identifiers_)), dtype=bool)
    leaf_star = np.zeros((anon.n_partitions_, star.shape[1]), dtype=bool)
    np.logical_or.at(leaf_star, anon.region_index(sample), _unplaced_cells(sample, anon))
    is_leaf = tree["leaf"] >= 0
    star[is_leaf] = leaf_star[tree["leaf"][is_leaf]]
    return _subtree_sums(tree, star.astype(np.int64)) > 0


def _subtree_sums(tree, own):
    """Per node: the sum of ``own`` over its subtree."""
    feature, left, right = tree["feature"], tree["left"], tree["right"]
    hist = np.array(own, copy=True)
    for node in range(len(feature) - 1, -1, -1):  # children are numbered after their parent
        if feature[node] >= 0:
            hist[node] += hist[left[node]] + hist[right[node]]
    return hist


class _SensitiveCodes:
    """Picklable map of the sensitive column to codes of a fixed, sorted domain."""

    def __init__(self, column, domain):
        self.column, self.domain = column, pd.Index(domain)

    def __call__(self, part):
        codes = self.domain.get_indexer(part[self.column].astype(object))
        codes[codes < 0] = len(self.domain)  # missing / unseen: a value of its own
        return codes


def _merge_regions(tree, node_hist, holds):
    """Collapse every internal node with a child that is non-empty and does not hold.

    Returns the new leaf number of every node (-1 for internal and
    unreachable nodes), numbered in the order of the sample tree's leaves
    (a merged region takes the place of its first leaf): without a merge,
    every region keeps its number.
    """
    feature, left, right = tree["feature"], tree["left"], tree["right"]
    n_nodes = len(feature)
    total = node_hist.reshape(n_nodes, -1).sum(axis=1)
    bad = (total > 0) & ~holds
    region_node = np.zeros(n_nodes, dtype=bool)
    reachable = np.zeros(n_nodes, dtype=bool)
    reachable[0] = True
    for node in range(n_nodes):  # parents before children
        if not reachable[node]:
            continue
        f = feature[node]
        if f < 0 or bad[left[node]] or bad[right[node]]:
            region_node[node] = True
        else:
            reachable[left[node]] = reachable[right[node]] = True
    first_leaf = np.where(tree["leaf"] >= 0, tree["leaf"], np.iinfo(np.int64).max)
    for node in range(n_nodes - 1, -1, -1):  # children are numbered after their parent
        if feature[node] >= 0:
            first_leaf[node] = min(first_leaf[left[node]], first_leaf[right[node]])
    regions = np.flatnonzero(region_node)
    new_leaf = np.full(n_nodes, -1, dtype=np.int64)
    new_leaf[regions[np.argsort(first_leaf[regions], kind="stable")]] = np.arange(len(regions))
    return new_leaf


def fit_mondrian_dask(
    anonymizer: MondrianAnonymizer,
    ddf: dd.DataFrame,
    *,
    sample_rows: int = 200_000,
    sample_k: int | None = None,
    random_state: int = 0,
) -> MondrianDaskResult:
    """Mondrian k-anonymity on data that does not fit in memory.

    1. Grow the cut tree on a random sample held in memory (``sample_rows``
       rows, drawn with Dask), with ``k = sample_k``.
    2. Route every row of the full data down the tree in ``map_partitions``
       and count the rows of every region (and, with ``l`` / ``t``, of every
       region and sensitive value), without the rows step 4 suppresses:
       one distributed pass; the per-partition counts are summed.
    3. Merge along the tree: a node whose child holds fewer than ``k`` rows
       (or is not l-diverse / t-close on the full data) becomes a region
       (its two children merged into it), from the root down, so that every
       final region holds on the full data.  A region of the sample tree is
       never split further.
    4. A row with a quasi-identifier value the tree cannot place (missing,
       a category never seen in the sample, ...) on a column where its
       region's label is not ``"*"`` (a region whose sample rows had a
       missing value there writes ``"*"`` for all its rows) is not counted
       in step 2 and is suppressed on *every* quasi-identifier (``"*"``;
       NaN / NaT in numeric output) by the returned anonymizer, with the
       rows of suppressed regions (``suppression_limit``): one class.  When it
       holds fewer than ``k`` rows (or is not l-diverse / t-close), the
       smallest regions are suppressed too until it holds.  So the output
       of :func:`transform_dask` on ``ddf`` is k-anonymous (l-diverse /
       t-close) by construction, with ``k_achieved`` its k.

    Parameters
    ----------
    anonymizer : MondrianAnonymizer
        Unfitted; its ``k``, ``l``, ``t`` and other parameters are used (a
        fitted copy is returned, the argument is not modified).
    ddf : dask.dataframe.DataFrame
        The full data.
    sample_rows : int, default=200_000
        Approximate sample size (a Bernoulli sample of fraction
        ``sample_rows / len(ddf)``).
    sample_k : int or None, default=None
        ``k`` of the sample tree.  None: ``ceil(2 k sample_rows / n_rows)``
        (at least 1): a sample region then stands for about ``2k`` rows of
        the full data, fine regions that the merge coarsens where needed.
        Give ``anonymizer.k`` for a conservative tree (few merges).
    random_state : int, default=0
        Seed of the sample.

    Returns
    -------
    result : MondrianDaskResult
        The fitted anonymizer (apply it with :func:`transform_dask`), the
        full-data region counts and the number of merged regions.

    Raises
    ------
    ValueError
        When the suppressed rows cannot reach ``k`` (or ``l`` / ``t``) even
        with every region suppressed (the message gives counts only).
    RuntimeError
        When the merged regions' ``"*"`` labels differ from those the count
        assumed (a safeguard: the release would not be k-anonymous).

    Notes
    -----
    Labels (interval bounds, category sets, midpoints, means) are those of
    the sample rows in each region: a full-data value outside its region's
    sample range gets its region's label, as for any new row (see
    :class:`~sklearn_anon.MondrianAnonymizer`).  Unlike an anonymizer
    fitted in memory, which suppresses a value it cannot place cell by
    cell, the returned anonymizer suppresses the whole record where its
    region's label is not ``"*"`` (step 4): its regions were counted
    without such rows.  This is fitted state
    (kept by pickling, dropped by ``clone`` and by a new ``fit``).  The
    guarantee holds for the data that was counted: another table
    transformed with the same anonymizer is not checked (measure it with
    :func:`k_anonymity_dask`).  A missing quasi-identifier value therefore
    costs the whole record unless the sample had a missing value on that
    column in the row's region.

    Examples
    --------
    >>> import numpy as np, pandas as pd, dask.dataframe as dd
    >>> from sklearn_anon import MondrianAnonymizer
    >>> from sklearn_anon.dask import fit_mondrian_dask, transform_dask, k_anonymity_dask
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"age": rng.integers(18, 90, 5000), "zip": rng.integers(0, 999, 5000)})
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> res = fit_mondrian_dask(MondrianAnonymizer(k=10), ddf, sample_rows=500)
    >>> out = transform_dask(res.anonymizer, ddf)
    >>> k_anonymity_dask(out, ["age", "zip"]) == res.k_achieved >= 10
    True
    """
    if not isinstance(anonymizer, MondrianAnonymizer):
        raise TypeError("fit_mondrian_dask needs a MondrianAnonymizer.")
    n_rows = int(len(ddf))
    k = int(anonymizer.k)
    if n_rows < k:
        raise ValueError(f"k={k} is larger than the number of rows ({n_rows}).")
    frac = min(1.0, sample_rows / n_rows)
    sample = ddf.sample(frac=frac, random_state=random_state).compute() if frac < 1 else ddf.compute()
    sample = sample.reset_index(drop=True)
    if sample_k is None:
        sample_k = max(1, math.ceil(2 * k * len(sample) / n_rows))
    sample_k = min(int(sample_k), len(sample))
    anon = clone(anonymizer).set_params(k=sample_k)
    if anon.l is not None or anon.t is not None:
        anon.set_params(l=None, t=None)  # l / t are enforced on the full data by the merge
    anon._tree_only = True  # cuts="hybrid": no region outside the cut tree (it is collapsed)
    anon.fit(sample)
    del anon._tree_only
    anon.set_params(k=anonymizer.k, l=anonymizer.l, t=anonymizer.t)
    n_leaves = anon.n_partitions_

    sens = anonymizer.sensitive
    check_s = sens is not None and (anonymizer.l is not None or anonymizer.t is not None)
    if check_s:
        domain = sorted(_distinct(ddf, [sens])[sens], key=lambda v: (str(type(v)), v))
        codes_of, m = _SensitiveCodes(sens, domain), len(domain) + 1
    else:
        codes_of, m = None, 1
    node_star = _node_star(anon, sample)
    router = _Router(anon, node_star)
    counts = _sum_partitions(ddf, _node_counts_partition, dask.delayed(router, pure=True), codes_of, m)
    counts = counts.reshape(router.n_nodes + 1, m)
    whole = counts.sum(axis=0)  # every row, the reference of t-closeness
    node_hist = _subtree_sums(anon.tree_, counts[:-1])
    ordered = check_s and pd.api.types.is_numeric_dtype(ddf._meta[sens].dtype)
    # k (and l / t against the full data's sensitive distribution) on the rows each node keeps
    holds = anon.regions_hold(node_hist, whole=whole, ordered=ordered)
    new_leaf = _merge_regions(anon.tree_, node_hist, holds)
    # Mondrian's leaf collapse: the merged regions become leaves, labelled from the sample
    fitted = anon.collapse_regions(new_leaf, sample)
    region_hist = np.zeros((fitted.n_partitions_, m), dtype=np.int64)
    region_hist[new_leaf[new_leaf >= 0]] = node_hist[new_leaf >= 0]
    unplaced_hist = whole - region_hist.sum(axis=0)  # rows no final region keeps
    # The suppressed rows ("*" on every quasi-identifier): the rows with a cell the tree
    # cannot place, and the rows of suppressed regions (suppression_limit).  Together
    # they hold none or at least k rows (and are l-diverse / t-close): else the
    # smallest regions are suppressed too.
    sup = _suppressed_leaves(fitted)
    sup_hist = unplaced_hist + region_hist[sup].sum(axis=0)
    added = False
    while sup_hist.sum() > 0 and not anon.regions_hold(sup_hist[None, :], whole=whole,
                                                       ordered=ordered)[0]:
        candidates = np.flatnonzero(~sup & (region_hist.sum(axis=1) > 0))
        if not candidates.size:
            raise ValueError(
                f"The {int(unplaced_hist.sum())} row(s) with a quasi-identifier value the "
                f"sample's tree cannot place (missing or never seen in the sample), with "
                f"the {int(region_hist[sup].sum())} row(s) of suppressed regions, do not "
                f"satisfy k={k}" + ("" if not check_s else " / l / t") + " even with every "
                "region suppressed: use a larger sample.")
        smallest = candidates[np.argmin(region_hist[candidates].sum(axis=1))]
        sup[smallest] = True
        sup_hist = sup_hist + region_hist[smallest]
        added = True
    if added:  # relabel: the suppressed regions are "*" on every quasi-identifier
        tree = dict(fitted.tree_)
        leaf = tree["leaf"]
        flags = np.zeros(len(leaf), dtype=bool)
        flags[leaf >= 0] = sup[leaf[leaf >= 0]]
        tree["suppressed"] = flags
        fitted.tree_ = tree
        fitted = fitted.collapse_regions(leaf, sample)
    # fail closed: the regions write "*" exactly where the count assumed they do
    star = (fitted.regions_[list(fitted.quasi_identifiers_)].astype(object) == SUPPRESSED).to_numpy()
    region_node = np.empty(fitted.n_partitions_, dtype=np.int64)
    region_node[new_leaf[new_leaf >= 0]] = np.flatnonzero(new_leaf >= 0)
    if not (star[~sup] == node_star[region_node[~sup]]).all():
        raise RuntimeError("fit_mondrian_dask: the regions' suppressed labels differ from the "
                           "counted ones; the release would not be k-anonymous.")
    fitted._whole_row_suppression = True  # fitted state: see _Router
    region_counts = region_hist.sum(axis=1)
    return_k = _output_k(fitted, region_counts, int(unplaced_hist.sum()))
    return MondrianDaskResult(
        anonymizer=fitted,
        n_rows=n_rows,
        sample_rows=len(sample),
        sample_k=sample_k,
        n_regions_sample=n_leaves,
        n_regions=fitted.n_partitions_,
        n_merged=n_leaves - fitted.n_partitions_,
        region_counts=region_counts,
        k_achieved=return_k,
        n_suppressed=int(sup_hist.sum()),
    )


def _output_k(fitted, region_counts, n_unplaced):
    """Smallest class of the output: regions with the same labels form one class, and
    the rows suppressed on every quasi-identifier join the regions labelled "*" on all."""
    labels = fitted.regions_[list(fitted.quasi_identifiers_)].astype(object)
    keys = [tuple(row) for row in labels.itertuples(index=False, name=None)]
    sizes = {}
    for key, n in zip(keys, region_counts):
        sizes[key] = sizes.get(key, 0) + int(n)
    if n_unplaced:
        star = (SUPPRESSED,) * labels.shape[1]
        sizes[star] = sizes.get(star, 0) + n_unplaced
    nonempty = [n for n in sizes.values() if n > 0]
    return int(min(nonempty)) if nonempty else 0


def _suppressed_leaves(anon):
    """Boolean per region of a fitted MondrianAnonymizer: is it a suppressed region?"""
    out = np.zeros(anon.n_partitions_, dtype=bool)
    flags = anon.tree_.get("suppressed")
    if flags is not None:
        leaf = anon.tree_["leaf"]
        out[leaf[leaf >= 0]] = np.asarray(flags, dtype=bool)[leaf >= 0]
    return out


def _text_key(value):
    """A hashable key equal for equal values: text as tagged bytes (pandas
    hashes those with Python's hash; an all-``str`` column it would hash as C
    strings, merging values at a NUL or a lone surrogate)."""
    if isinstance(value, str):
        return b"s" + _text.encode_text(value)
    if isinstance(value, (bytes, bytearray)):
        return b"b" + bytes(value)
    return value


def _class_keys_partition(part, columns):
    """Counts of the combinations of ``columns`` in one partition (one row each)."""
    sub = part[columns].astype(object).fillna(SUPPRESSED)
    codes = []
    keys = {}
    for col in columns:
        c, uniques = _text.factorize(sub[col].to_numpy(dtype=object), use_na_sentinel=False)
        codes.append(c)
        keys[col] = np.array([_text_key(u) for u in uniques], dtype=object)  # distinct values only
    if not len(sub):
        return pd.DataFrame({**{c: pd.Series([], dtype=object) for c in columns},
                             "n": pd.Series([], dtype="int64")})
    rows, counts = np.unique(np.stack(codes, axis=1), axis=0, return_counts=True)
    out = {col: keys[col][rows[:, j]] for j, col in enumerate(columns)}
    out["n"] = counts.astype("int64")
    return pd.DataFrame(out)


def _class_codes_partition(part, columns, categories):
    """Distinct rows of the category codes of ``columns`` in one partition, with their counts."""
    codes = np.empty((len(part), len(columns)), dtype=np.int32)
    for j, (col, cats) in enumerate(zip(columns, categories)):
        column = part[col]
        if not column.cat.categories.equals(cats):
            raise ValueError(f"Column {col!r} has different categories in different partitions.")
        codes[:, j] = column.cat.codes.to_numpy()
    if not len(codes):
        return codes, np.zeros(0, dtype=np.int64)
    rows, counts = np.unique(codes, axis=0, return_counts=True)
    return rows, counts.astype(np.int64)


def _merge_class_counts(*parts):
    """Merge ``(rows, counts)`` pairs: the counts of equal rows are added."""
    rows = np.concatenate([r for r, _ in parts])
    counts = np.concatenate([c for _, c in parts])
    if not len(rows):
        return rows, counts
    uniq, inverse = np.unique(rows, axis=0, return_inverse=True)
    return uniq, np.bincount(inverse.ravel(), weights=counts, minlength=len(uniq)).astype(np.int64)


def dd_has_unknown(categories):
    """True when Dask does not know a categorical column's categories."""
    return "__UNKNOWN_CATEGORIES__" in set(map(str, categories))


def k_anonymity_dask(ddf: dd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """Measure the k of a released Dask DataFrame (smallest class size, a distributed count).

    Every partition counts its combinations of the quasi-identifier values;
    the counts are summed per combination across partitions and the minimum
    is taken.  When every quasi-identifier is categorical with known
    categories (the output of this package's generalizers and of
    :func:`transform_dask`), the combinations are rows of category codes,
    merged by a tree reduction; otherwise a Dask groupby-sum on the values.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The released (anonymized) data.
    quasi_identifiers : list of str
        The quasi-identifier columns.

    Returns
    -------
    k : int
        Size of the smallest equivalence class (0 for an empty frame).

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> from sklearn_anon.dask import k_anonymity_dask
    >>> df = pd.DataFrame({"age": ["[20, 30]"] * 3 + ["[31, 40]"] * 2})
    >>> k_anonymity_dask(dd.from_pandas(df, npartitions=2), ["age"])
    2
    """
    columns = list(quasi_identifiers)
    dtypes = [ddf._meta[c].dtype for c in columns]
    categories = [getattr(d, "categories", None) for d in dtypes]
    if all(isinstance(d, pd.CategoricalDtype) and c is not None and not dd_has_unknown(c)
           for d, c in zip(dtypes, categories)):
        # fixed categories (the output schema of our transformers): count the
        # distinct rows of category codes per partition, merge by a tree reduction
        parts = [dask.delayed(_class_codes_partition, pure=True)(part, columns, categories)
                 for part in ddf.to_delayed()]
        while len(parts) > 1:
            parts = [dask.delayed(_merge_class_counts, pure=True)(*parts[i:i + 8])
                     for i in range(0, len(parts), 8)]
        _, counts = dask.compute(parts[0])[0]
        return int(counts.min()) if len(counts) else 0
    meta = pd.DataFrame({**{c: pd.Series([], dtype=object) for c in columns},
                         "n": pd.Series([], dtype="int64")})
    per_part = ddf.map_partitions(_class_keys_partition, columns, meta=meta)
    sizes = per_part.groupby(columns, dropna=False, sort=False)["n"].sum()
    smallest = sizes.min().compute()
    return 0 if pd.isna(smallest) else int(smallest)
