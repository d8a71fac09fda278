"""What an engine may use of the local DP mechanisms (not user API).

An *engine* runs the package's estimators on data held elsewhere than in
one pandas frame: :mod:`sklearn_anon.dask` is one.  It must account a
release exactly as ``transform`` does, without reading the mechanisms'
private members; these functions are its documented entry points.  They
are importable from :mod:`sklearn_anon.dp` (not listed in its
``__all__``).
"""

from ._base import _LocalMechanism


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
