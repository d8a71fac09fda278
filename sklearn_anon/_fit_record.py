"""What an estimator was last fitted on, for the privacy scorers.

:func:`sklearn_anon.metrics.make_privacy_scorer` measures, by default, the
*release*: the anonymized data the step was fitted on, not the held-out
fold pushed through its fitted regions (which measures something else: a
Mondrian with k=100 gives k=1 on new data).  To find that data without
keeping it in the estimator, every ``fit`` of the package
(:func:`sklearn_anon._compat._fit_context`) records a *reference* to its
input here, and ``fit_transform`` of the column anonymizers records its
output, in weak-keyed tables: nothing is copied, nothing is pickled or
cloned with the estimator, and both are forgotten with it.

The references keep the recorded frames alive as long as the fitted
estimator lives (a fitted ColumnTransformer keeps its column subsets and
its steps' outputs).  Code that never scores a release and cares about
memory turns recording off with :func:`paused` (the command line does).

Nothing here imports the rest of the package.
"""

import contextlib
import threading
import weakref

__all__ = ["fit_input", "fit_output", "paused", "record_fit_input", "record_fit_output"]

_INPUTS = weakref.WeakKeyDictionary()
_OUTPUTS = weakref.WeakKeyDictionary()
_STATE = threading.local()


@contextlib.contextmanager
def paused():
    """Record nothing inside this block (in this thread).

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


def record_fit_input(estimator, X):
    """Remember (by reference) the data ``estimator`` was just fitted on."""
    if not _recording():
        return
    try:
        _OUTPUTS.pop(estimator, None)
        _INPUTS[estimator] = X
    except TypeError:  # not weakly referenceable or not hashable: nothing recorded
        pass


def record_fit_output(estimator, X, output):
    """Remember the output of ``fit_transform(X)`` when ``X`` is the recorded fit input."""
    if not _recording():
        return
    try:
        if _INPUTS.get(estimator) is X:
            _OUTPUTS[estimator] = output
    except TypeError:
        pass


def fit_input(estimator):
    """The data ``estimator`` was last fitted on in this process, or None."""
    try:
        return _INPUTS.get(estimator)
    except TypeError:
        return None


def fit_output(estimator):
    """The output of the ``fit_transform`` that fitted ``estimator``, or None."""
    try:
        return _OUTPUTS.get(estimator)
    except TypeError:
        return None
