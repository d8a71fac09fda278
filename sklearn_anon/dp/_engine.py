"""Extension points of the DP family: what engines and other DP estimators use (not user API).

An *engine* runs the package's estimators on data held elsewhere than in
one pandas frame: :mod:`sklearn_anon.dask` is one.  It must account a
release exactly as ``transform`` does, without reading the mechanisms'
private members: :func:`is_local_mechanism` and :func:`spend_release` are
its entry points.

A *DP estimator defined outside this family* (the DP synthesizer of
:mod:`sklearn_anon.synthetic`, or a user's) keeps the package's accounting
contract with :class:`DPEstimatorMixin` (the accountant kept by reference
under ``clone``, no generator in a pickle, no silent spend in a worker
process), checks its budget with :func:`spend_fit` before any work,
declares ``random_state`` with :data:`RANDOM_STATE_CONSTRAINT`, and draws
DP quantiles with :func:`dp_quantiles`, the package's one implementation.

All are importable from :mod:`sklearn_anon.dp` (not listed in its
``__all__``).
"""

from ._base import _RANDOM_STATE, _DPEstimatorMixin, _LocalMechanism, _spend_fit
from ._sampling import dp_quantiles

__all__ = [
    "DPEstimatorMixin",
    "RANDOM_STATE_CONSTRAINT",
    "dp_quantiles",
    "is_local_mechanism",
    "spend_fit",
    "spend_release",
]

#: The mixin every DP estimator of the package inherits (see the module docstring).
DPEstimatorMixin = _DPEstimatorMixin

#: ``_parameter_constraints["random_state"]`` of a DP estimator: None, an int,
#: a numpy ``Generator`` or ``"secure"``.
RANDOM_STATE_CONSTRAINT = _RANDOM_STATE


def spend_fit(estimator, epsilon, delta=0.0):
    """Resolve a DP estimator's ``accountant_`` and check its fit's budget, before any work.

    Extension point for a DP estimator outside :mod:`sklearn_anon.dp`: call
    it first in ``fit``; it sets ``estimator.accountant_`` (the
    ``accountant`` parameter, or diffprivlib's default accountant) and
    raises ``BudgetError`` when ``(epsilon, delta)`` does not fit in what is
    left (nothing is spent: spend on ``accountant_`` once the release is
    computed).  A :class:`DPEstimatorMixin` estimator that was pickled and
    is fitted in another process refuses with ``RuntimeError`` unless its
    accountant is a :class:`~sklearn_anon.dp.SharedAccountant`.

    Parameters
    ----------
    estimator : estimator with an ``accountant`` parameter
    epsilon, delta : float
        What the fit will spend.

    Returns
    -------
    accountant : BudgetAccountant
        ``estimator.accountant_``.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from sklearn_anon._compat import BudgetAccountant
    >>> from sklearn_anon.dp import DPEstimatorMixin, spend_fit
    >>> class MyRelease(DPEstimatorMixin, BaseEstimator):
    ...     def __init__(self, epsilon=1.0, accountant=None):
    ...         self.epsilon = epsilon
    ...         self.accountant = accountant
    >>> acc = BudgetAccountant(epsilon=1.0)
    >>> spend_fit(MyRelease(epsilon=0.5, accountant=acc), 0.5) is acc
    True
    >>> spend_fit(MyRelease(epsilon=2.0, accountant=acc), 2.0)
    Traceback (most recent call last):
    ...
    diffprivlib.utils.BudgetError: ...
    """
    _spend_fit(estimator, epsilon, delta)
    return estimator.accountant_


def is_local_mechanism(estimator):
    """Whether ``estimator`` is a local (per-value) mechanism.

    Engine extension point: :class:`~sklearn_anon.LaplaceNoise`,
    :class:`~sklearn_anon.GaussianNoise` and
    :class:`~sklearn_anon.RandomizedResponse` (and any subclass) draw new
    noise at every ``transform``: an engine that splits the rows must give
    every part its own generator and account the release once.

    Parameters
    ----------
    estimator : object
        Any estimator.

    Returns
    -------
    bool

    Examples
    --------
    >>> from sklearn_anon import IntervalGeneralizer, LaplaceNoise
    >>> from sklearn_anon.dp import is_local_mechanism
    >>> is_local_mechanism(LaplaceNoise()), is_local_mechanism(IntervalGeneralizer())
    (True, False)
    """
    return isinstance(estimator, _LocalMechanism)


def spend_release(mechanism):
    """Check and spend one release of a fitted local mechanism on its accountant.

    Engine extension point: what ``transform`` spends per call, the
    per-record ``(epsilon, delta)`` summed over the mechanism's columns.
    An engine that releases all rows in one call (every record in one
    part) calls it once, before the parts are transformed by copies whose
    own spending is not counted (see the mechanisms' ``as_release_part``).

    Parameters
    ----------
    mechanism : fitted LaplaceNoise, GaussianNoise or RandomizedResponse

    Returns
    -------
    spent : tuple (float, float)
        The ``(epsilon, delta)`` spent.

    Raises
    ------
    BudgetError
        When the accountant's budget does not allow the release (nothing
        is spent).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import LaplaceNoise
    >>> from sklearn_anon._compat import BudgetAccountant
    >>> from sklearn_anon.dp import spend_release
    >>> acc = BudgetAccountant()
    >>> noise = LaplaceNoise(epsilon=0.5, bounds=(0, 10), accountant=acc)
    >>> noise = noise.fit(pd.DataFrame({"x": [1.0, 2.0]}))
    >>> spend_release(noise)
    (0.5, 0.0)
    >>> acc.total()
    (epsilon=0.5, delta=0.0)
    """
    eps, delta = mechanism._spend_per_record()
    mechanism.accountant_.check(eps, delta)
    mechanism.accountant_.spend(eps, delta)
    return eps, delta
