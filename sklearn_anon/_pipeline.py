"""Walking a fitted composite estimator (Pipeline, ColumnTransformer, FeatureUnion, search).

One walker for the package: the DP budget (:func:`sklearn_anon.dp.privacy_budget`),
the CLI's hand-over manifest (key fingerprints), the Dask engine (its randomized
steps), the privacy scorers (the named step and the data it receives) and the
metrics' view of a fitted anonymizer (label bounds, auxiliary tables) read the
same structure:

* :func:`children` -- the parts one composite holds, ``(name, estimator,
  columns)`` in order (``columns``: a ColumnTransformer part's column
  selection, else None).  A :func:`functools.singledispatch` function: a new
  composite class registers its parts with ``children.register``;
* :func:`unwrap` -- a search object seen through its refit estimator;
* :func:`leaves` -- ``(path, leaf)`` for every leaf;
* :func:`select_columns` / :func:`column_names` -- a ColumnTransformer part's
  columns of a table / by name.

Nothing here imports the rest of the package.
"""

import functools
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion, Pipeline

__all__ = [
    "children",
    "column_names",
    "is_composite",
    "is_estimator",
    "leaves",
    "select_columns",
    "unwrap",
]


def unwrap(est):
    """``est``, or the refit estimator of a search (``best_estimator_``), repeatedly."""
    while hasattr(est, "best_estimator_"):
        est = est.best_estimator_
    return est


def is_estimator(part):
    """False for the placeholders a composite may hold (None, ``"drop"``, ``"passthrough"``)."""
    return part is not None and not isinstance(part, str)


@functools.singledispatch
def children(est):
    """The parts one composite holds: a list of ``(name, part, columns)``, in order.

    ``part`` may be a placeholder (None, ``"drop"``, ``"passthrough"``; see
    :func:`is_estimator`); ``columns`` is a ColumnTransformer part's column
    selection (fitted ``transformers_``, the remainder included), None for the
    other composites.  Estimators that hold no steps (and a ColumnTransformer
    that is not fitted) have none.  Dispatched on the class: a new composite
    registers its parts with ``children.register``.

    Examples
    --------
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> children(Pipeline([("scale", StandardScaler()), ("skip", "passthrough")]))
    [('scale', StandardScaler(), None), ('skip', 'passthrough', None)]
    >>> children(StandardScaler())
    []
    """
    return []


@children.register(Pipeline)
def _pipeline_children(est):
    return [(name, step, None) for name, step in est.steps]


@children.register(ColumnTransformer)
def _column_transformer_children(est):
    return [(name, trans, cols) for name, trans, cols in getattr(est, "transformers_", [])]


@children.register(FeatureUnion)
def _feature_union_children(est):
    return [(name, trans, None) for name, trans in est.transformer_list]


def is_composite(est):
    """True when :func:`children` knows ``est``'s class (a registered composite)."""
    return children.dispatch(type(est)) is not children.dispatch(object)


def leaves(est, path=()):
    """``(path, leaf estimator)`` for every leaf of a fitted composite.

    ``path`` is the list of step names from the top; a search object
    (``best_estimator_``) is walked through its refit estimator; ``"drop"``,
    ``"passthrough"`` and None steps are skipped.  The order is the
    composites' order (depth first).

    Examples
    --------
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> [(p, type(e).__name__) for p, e in leaves(Pipeline([("scale", StandardScaler())]))]
    [(['scale'], 'StandardScaler')]
    """
    path = list(path)
    est = unwrap(est)  # a search nested in a pipeline: its refit only
    if not is_composite(est):
        yield path, est
        return
    for name, part, _ in children(est):
        if is_estimator(part):
            yield from leaves(part, [*path, name])


def column_names(ct, columns):
    """Names of the columns one part of a fitted ColumnTransformer selects (None: unknown).

    A callable or a slice selection is unknown; integer and boolean
    selections are read against the transformer's ``feature_names_in_``.
    """
    names = np.asarray(getattr(ct, "feature_names_in_", []), dtype=object)
    if isinstance(columns, str):
        return [columns]
    if callable(columns) or isinstance(columns, slice):
        return None
    columns = list(columns)
    if all(isinstance(c, str) for c in columns):
        return columns
    arr = np.asarray(columns)
    if names.size and arr.dtype.kind == "b" and arr.size == names.size:
        return list(names[arr])
    if names.size and arr.dtype.kind in "iu":
        return list(names[arr])
    return None


def select_columns(X, columns):
    """The columns of ``X`` a ColumnTransformer hands to one of its parts."""
    if callable(columns):
        columns = columns(X)
    if isinstance(X, pd.DataFrame):
        if isinstance(columns, (str, Integral)) and not isinstance(columns, bool):
            if isinstance(columns, str):
                return X[[columns]] if columns in X.columns else X[columns]
            return X.iloc[:, [columns]]
        if isinstance(columns, slice):
            if isinstance(columns.start, str) or isinstance(columns.stop, str):
                return X.loc[:, columns]
            return X.iloc[:, columns]
        cols = list(columns)
        if cols and all(isinstance(c, (bool, np.bool_)) for c in cols):
            return X.loc[:, np.asarray(cols, dtype=bool)]
        if cols and all(isinstance(c, (Integral, np.integer)) for c in cols):
            return X.iloc[:, cols]
        return X[cols]
    arr = np.asarray(X)
    if isinstance(columns, (Integral, np.integer)):
        return arr[:, [columns]]
    return arr[:, columns]
