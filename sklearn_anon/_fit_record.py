"""What an estimator was last fitted on, for the privacy scorers.

:func:`sklearn_anon.metrics.make_privacy_scorer` measures, by default, the
*release*: the anonymized data the step was fitted on, not the held-out
fold pushed through its fitted regions (which measures something else: a
Mondrian with k=100 gives k=1 on new data).  Two records serve it.

In the fitting process, by reference
    Every ``fit`` of the package (:func:`sklearn_anon._compat._fit_context`)
    records a *reference* to its input here, and ``fit_transform`` of the
    column anonymizers records its output, in weak-keyed tables: nothing is
    copied, and both are forgotten with the estimator.  Every measure can be
    computed from them.  Each fit also draws a random *fit token* (a hex
    string, no data in it): a copy of the estimator made in this process
    (``pickle.loads(pickle.dumps(est))``, ``copy.deepcopy``, a cached
    pipeline step) carries the token, and finds the record of its original
    through it while the original lives.

With the estimator, as a summary
    A copy made in another process (joblib's Dask backend returns a
    ColumnTransformer's parts as deserialized copies; a worker, a cache on
    disk) cannot reach those references.  So when a column anonymizer whose
    release is recorded here is pickled (or deep-copied), its pickled state
    carries the token and a *release summary*
    (:func:`pickled_state`): for each of at most three column sets (every
    output column, the estimator's ``quasi_identifiers_``, its
    ``columns_``), the equivalence-class size histogram of the release (the
    distinct class sizes and how many classes have each), the number of
    rows and the column names.  That is all the class-size measures need
    (``k``, uniqueness, records below k, prosecutor and marketer risk,
    discernibility, average class size); the others (l, t, homogeneity,
    linkage, NCP, entropy loss, a custom measure) need the released table
    and are computed in the fitting process only: elsewhere the scorer
    fails closed (a ValueError that says so), it never falls back on the
    held-out data.

What the summary reveals
    Nothing about any person that the release itself does not: it is a
    function of the release alone (post-processing), and holds no value,
    no class label, no row order and no link between a class size and the
    region or values of that class.  Beyond the smallest class size (the k
    the scorer reports) it tells the number of training rows and how many
    classes have each size: counts of groups, each of at least k rows in a
    k-anonymous release, which the fitted anonymizers already keep in
    another form (a Mondrian's ``partition_sizes_`` are the sizes of its
    regions, labelled with their bounds).  Two kinds of steps get no
    summary: estimators with an ``epsilon`` parameter (the DP mechanisms:
    the exact class sizes of the training data would undo the guarantee of
    a DP-fitted model that is shared), and anything fitted or pickled
    inside :func:`paused` (the command line; or ``with paused():
    joblib.dump(pipe, path)`` to hand over a pipeline without it).

Nothing here imports a family of the package (only the shared helpers
:mod:`sklearn_anon._frames` and :mod:`sklearn_anon._text`, when a summary is
made).
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import weakref
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from ._typing import ArrayLike

__all__ = [
    "CLASS_SIZE_KEY",
    "TOKEN_KEY",
    "fit_input",
    "fit_output",
    "fit_token",
    "paused",
    "pickled_state",
    "record_fit_input",
    "record_fit_output",
    "release_summary",
]

#: the names under which a pickled estimator carries its token and its summary
TOKEN_KEY = "_fit_token"
CLASS_SIZE_KEY = "_release_summary"

_INPUTS: weakref.WeakKeyDictionary[object, ArrayLike] = weakref.WeakKeyDictionary()
_OUTPUTS: weakref.WeakKeyDictionary[object, tuple[ArrayLike, pd.Index | None]] = weakref.WeakKeyDictionary()
#: estimator -> the token of its last recorded fit
_TOKENS: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()
#: token -> the estimator fitted with it
_BY_TOKEN: weakref.WeakValueDictionary[str, object] = weakref.WeakValueDictionary()
#: estimator -> its release summary, once made
_SUMMARIES: weakref.WeakKeyDictionary[object, dict[str, object]] = weakref.WeakKeyDictionary()
_STATE = threading.local()

#: at most this many column sets per summary (every output column, the
#: quasi-identifiers, the anonymized columns)
_MAX_SETS = 3


@contextlib.contextmanager
def paused():
    """Record nothing, and pickle no release summary, inside this block (in this thread).

    Examples
    --------
    >>> with paused():
    ...     _recording()
    False
    >>> _recording()
    True
    """
    previous = getattr(_STATE, "paused", False)
    _STATE.paused = True
    try:
        yield
    finally:
        _STATE.paused = previous


def _recording():
    return not getattr(_STATE, "paused", False)


def _forget(estimator):
    """Drop every record of a previous fit of ``estimator`` (and a carried token/summary)."""
    try:
        _INPUTS.pop(estimator, None)
        _OUTPUTS.pop(estimator, None)
        _SUMMARIES.pop(estimator, None)
        old = _TOKENS.pop(estimator, None)
    except TypeError:  # not weakly referenceable or not hashable
        old = None
    if old is not None and _BY_TOKEN.get(old) is estimator:
        del _BY_TOKEN[old]
    carried = getattr(estimator, "__dict__", None)
    if isinstance(carried, dict):  # a copy unpickled with another fit's token and summary
        carried.pop(TOKEN_KEY, None)
        carried.pop(CLASS_SIZE_KEY, None)


def record_fit_input(estimator, X):
    """Remember (by reference) the data ``estimator`` was just fitted on; draw its fit token.

    Whatever was recorded for an earlier fit of ``estimator`` is forgotten,
    also inside :func:`paused` (where nothing new is recorded).
    """
    _forget(estimator)
    if not _recording():
        return
    try:
        _INPUTS[estimator] = X
    except TypeError:  # not weakly referenceable or not hashable: nothing recorded
        return
    token = secrets.token_hex(16)
    _TOKENS[estimator] = token
    _BY_TOKEN[token] = estimator


def record_fit_output(estimator, X, output):
    """Remember the output of ``fit_transform(X)`` when ``X`` is the recorded fit input.

    The column labels of a DataFrame are remembered with it: scikit-learn
    >= 1.8's ColumnTransformer renames its parts' output columns in place
    before stacking them (:func:`fit_output` then gives a shallow copy with
    the labels the step wrote).
    """
    if not _recording():
        return
    try:
        if _INPUTS.get(estimator) is X:
            _OUTPUTS[estimator] = (output, getattr(output, "columns", None))
    except TypeError:
        pass


def fit_token(estimator):
    """The token of the fit ``estimator`` carries: drawn in this process, or pickled with it."""
    try:
        token = _TOKENS.get(estimator)
    except TypeError:
        token = None
    if token is None:
        token = getattr(estimator, "__dict__", {}).get(TOKEN_KEY)
    return token


def _original(estimator):
    """The estimator whose records ``estimator`` may use: itself, or the live original of a copy."""
    try:
        if estimator in _INPUTS:
            return estimator
    except TypeError:
        return None
    token = getattr(estimator, "__dict__", {}).get(TOKEN_KEY)
    if not isinstance(token, str):
        return None
    original = _BY_TOKEN.get(token)
    if original is None or original is estimator:
        return None
    return original


def fit_input(estimator):
    """The data ``estimator`` (or the original it was copied from) was last fitted on, or None.

    Only what this process recorded: an estimator fitted (or whose original
    was fitted) in another process gives None.
    """
    original = _original(estimator)
    return None if original is None else _INPUTS.get(original)


def fit_output(estimator):
    """The output of the ``fit_transform`` that fitted ``estimator`` (or its original), or None."""
    original = _original(estimator)
    return None if original is None else _output_of(original)


def _output_of(estimator):
    """The recorded output of ``estimator`` with the column labels it was written with."""
    output, columns = _OUTPUTS.get(estimator, (None, None))
    if columns is not None and output.columns is not columns:  # renamed since (a ColumnTransformer)
        output = output.copy(deep=False)
        output.columns = columns
    return output


# -- the release summary that travels with a pickled estimator ---------------------------


def _label(c):
    """A column label as plain Python (str or int), for a portable pickle."""
    if isinstance(c, (bool, np.bool_)):
        return str(c)
    if isinstance(c, (int, np.integer)):
        return int(c)
    return c if isinstance(c, str) else str(c)


def _codes(series):
    """Class codes of one column, NaN a value of its own (the metrics' classes)."""
    import pandas as pd

    from . import _text

    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        m = len(series.cat.categories)
        if (codes < 0).any():
            codes = np.where(codes < 0, m, codes)
            m += 1
        return codes, max(m, 1)
    codes, uniques = _text.factorize(series, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), max(len(uniques), 1)


def _histogram(frame, columns):
    """``(sizes, counts)``: the distinct class sizes over ``columns``, how many classes of each."""
    key, card = None, 1
    for col in columns:
        codes, m = _codes(frame[col])
        if key is None:
            key, card = codes, m
            continue
        if card * m >= 2**62:  # keep the mixed-radix key inside int64
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64).ravel()
            card = int(key.max()) + 1 if len(key) else 1
        key = key * m + codes
        card *= m
    if key is None or not len(key):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    _, class_sizes = np.unique(key, return_counts=True)
    sizes, counts = np.unique(class_sizes, return_counts=True)
    return sizes.astype(np.int64), counts.astype(np.int64)


def _column_sets(estimator, outputs):
    """The column sets a summary covers: all outputs, ``quasi_identifiers_``, ``columns_``."""
    sets = [list(outputs)]
    for attr in ("quasi_identifiers_", "columns_"):
        cols = getattr(estimator, attr, None)
        if cols is None or isinstance(cols, str):
            continue
        try:
            cols = list(cols)
        except TypeError:
            continue
        if cols and all(c in outputs for c in cols) and all(set(cols) != set(s) for s in sets):
            sets.append(cols)
    return sets[:_MAX_SETS]


def _summarizable(estimator):
    """False for the DP mechanisms (an ``epsilon`` parameter): no exact counts beside a DP model."""
    try:
        return "epsilon" not in estimator.get_params(deep=False)
    except Exception:  # noqa: BLE001 - not an estimator scikit-learn can read
        return False


def _make_summary(estimator):
    """The release summary of ``estimator``'s recorded ``fit_transform`` output, or None."""
    try:
        output = _output_of(estimator)
        data = _INPUTS.get(estimator)
        token = _TOKENS.get(estimator)
    except TypeError:
        return None
    if output is None or token is None or not _summarizable(estimator):
        return None
    from ._frames import as_frame

    try:
        frame = as_frame(output, estimator)
    except Exception:  # noqa: BLE001 - an output the scorer could not read either
        return None
    outputs = list(frame.columns)
    if len(set(outputs)) != len(outputs):
        return None
    inputs = getattr(data, "columns", None)
    inputs = list(inputs) if inputs is not None else outputs[: np.shape(data)[1]]
    classes = []
    for cols in _column_sets(estimator, outputs):
        sizes, counts = _histogram(frame, cols)
        classes.append({"columns": [_label(c) for c in cols], "sizes": sizes, "counts": counts})
    return {
        "token": token,
        "n_rows": int(len(frame)),
        "output_columns": [_label(c) for c in outputs],
        "input_columns": [_label(c) for c in inputs],
        "classes": classes,
    }


def release_summary(estimator):
    """The release summary of ``estimator``'s last fit, or None.

    Made from this process's record (once, then kept while the estimator
    lives), or the one a pickled copy carries when its token is the one it
    was pickled with.  See the module docstring for its content.
    """
    try:
        if estimator in _SUMMARIES:
            return _SUMMARIES[estimator]
        recorded = estimator in _TOKENS
    except TypeError:
        return None
    if recorded:
        summary = _make_summary(estimator)
        if summary is not None:
            _SUMMARIES[estimator] = summary
        return summary
    carried = getattr(estimator, "__dict__", {})
    summary = carried.get(CLASS_SIZE_KEY)
    if isinstance(summary, dict) and summary.get("token") == carried.get(TOKEN_KEY):
        return summary
    return None


def pickled_state(estimator, state):
    """``state`` (from ``__getstate__``) with the fit token and release summary of ``estimator``.

    Called by :meth:`sklearn_anon.base.ColumnAnonymizer.__getstate__`.  A
    copy of the state is returned, the estimator is not changed.  Inside
    :func:`paused` both are left out (also those a copy carried).
    """
    state = dict(state)
    if not _recording():
        state.pop(TOKEN_KEY, None)
        state.pop(CLASS_SIZE_KEY, None)
        return state
    try:
        token = _TOKENS.get(estimator)
    except TypeError:
        return state
    if token is None:  # not fitted in this process: keep what a copy carries
        return state
    state[TOKEN_KEY] = token
    summary = release_summary(estimator)
    if summary is None:
        state.pop(CLASS_SIZE_KEY, None)
    else:
        state[CLASS_SIZE_KEY] = summary
    return state
