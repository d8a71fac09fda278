"""What the DP estimators of :mod:`sklearn_anon.dp` share.

Parameter constraints, :class:`_DPEstimatorMixin` (the accountant kept by
reference on clone, no generator pickled, no spend on a worker's copy),
:func:`_spend_fit` (the fit-time check of the central steps) and
:class:`_LocalMechanism` (the per-value mechanisms: one release, and one
spend, per ``transform``).
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._compat import BudgetAccountant, Interval, StrOptions
from .._random import release_generator
from ..base import ColumnAnonymizer, DocLinkMixin
from ._accounting import SharedAccountant
from ._utils import _column_epsilon, _warn_leak
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from .._typing import ArrayLike, Self

_EPSILON = [Interval(Real, 0, None, closed="neither"), dict]
_BOUNDS = ["array-like", dict, None]
_COLUMNS = ["array-like", str, Integral, None]
#: ``"secure"``: every draw from the OS CSPRNG (base.make_rng, SecureGenerator)
_RANDOM_STATE = ["random_state", np.random.Generator, StrOptions({"secure"})]
_ACCOUNTANT = [BudgetAccountant, None]


class _DPEstimatorMixin(DocLinkMixin):
    """What every DP estimator of this package shares about its accountant and randomness.

    * ``clone`` keeps the accountant **by reference** (scikit-learn's clone
      would deep-copy it, so every clone inside ``GridSearchCV`` or
      ``cross_val_score`` would spend on a private copy).
    * Pickling drops generator state: a numpy ``Generator`` given as
      ``random_state`` is not pickled (the loaded copy has
      ``random_state=None``), and no generator is ever stored.
    * An estimator pickled in one process and fitted in another (a joblib
      or Dask worker) refuses to spend on its copy of a plain accountant:
      fitting raises ``RuntimeError`` unless the accountant is a
      :class:`SharedAccountant` or was set in the fitting process.
    """

    def __sklearn_clone__(self):
        new = super().__sklearn_clone__()
        new.accountant = self.accountant  # the same object, not a deep copy
        for attr in ("_pickled_pid", "_unpickled_accountant"):
            if attr in self.__dict__:
                new.__dict__[attr] = self.__dict__[attr]
        return new

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_unpickled_accountant", None)
        if isinstance(state.get("random_state"), (np.random.Generator, np.random.RandomState)):
            state["random_state"] = None  # generator state would let anyone replay the noise
        state["_pickled_pid"] = os.getpid()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__["_unpickled_accountant"] = self.__dict__.get("accountant")

    def _resolve_accountant(self):
        """``accountant_`` for a fit in this process, or a RuntimeError when the
        spend could not reach the accountant of the process that sent us here."""
        acc = self.accountant
        pid = self.__dict__.get("_pickled_pid")
        if (
            pid is not None
            and pid != os.getpid()
            and not (isinstance(acc, SharedAccountant) and not getattr(acc, "_detached", False))
            and acc is self.__dict__.get("_unpickled_accountant")
        ):
            which = "the default accountant" if acc is None else "a copy of its accountant"
            raise RuntimeError(
                f"{type(self).__name__} is being fitted in a process other than the one that "
                "sent it (e.g. a joblib worker of GridSearchCV(n_jobs=2) or cross_val_score"
                f"(n_jobs=2)): its privacy spend would be recorded on {which}, which the "
                "calling process never sees. Pass accountant=SharedAccountant(...) (spends "
                "from worker processes reach it), run with n_jobs=1 or joblib's threading "
                "backend, or set an accountant of this process (set_params(accountant=acc); "
                "BudgetAccountant.load_default(None) is the default one)."
            )
        return BudgetAccountant.load_default(acc)


# -- local mechanisms ----------------------------------------------------------
#: Serializes the release counter of int-seeded mechanisms across threads.


class _LocalMechanism(_DPEstimatorMixin, ColumnAnonymizer):
    """Shared machinery of the per-value mechanisms.

    The base class's ``fit`` and ``transform``, through its hooks:

    * ``_check_params`` resolves the accountant (before any work);
    * ``_fit_columns`` gives each mechanism's ``_fit_column(column, name,
      leaked)`` the list where it records a column whose domain (bounds,
      categories) came from the data, and reports them once
      (:meth:`_report_leak`);
    * ``_after_fit`` stores ``mechanisms_`` and restarts the release count;
    * no generator is stored: each ``transform`` resolves one from
      ``random_state`` (:meth:`_call_generator`, once per call) and the base
      class passes it explicitly to every ``_transform_column``.
    """

    def _check_params(self, X):
        self.accountant_ = self._resolve_accountant()

    def _fit_columns(self, frame):
        leaked = []  # columns whose bounds/categories were learnt from the data
        states = {}
        for name in self.columns_:
            states[name] = self._fit_column(frame[name], name, leaked)
        self._report_leak(leaked)
        return states

    def _after_fit(self, frame, states):
        self.mechanisms_ = states
        # releases since fit, for int seeds: a list mutated in place (a transform
        # leaves ``__dict__`` unchanged; an int, never generator state, is pickled)
        self._releases = [0]

    def _fitted_states(self):
        return self.mechanisms_

    def _report_leak(self, leaked):
        _warn_leak(leaked, type(self).__name__)

    def _call_generator(self):
        """A generator for one release, resolved from ``random_state`` and never stored.

        None: a fresh PCG64 seeded with 128 bits from the OS.  An int: the
        stream ``(seed, n)`` for the n-th release since ``fit``
        (reproducible, and different for every call).  A Generator (or
        RandomState) is drawn from as given.  An engine that needs a stream
        of its own per partition (:mod:`sklearn_anon.dask`) sets
        ``random_state`` on a private copy of the fitted estimator (a
        Generator, or None for a fresh OS seed per call; see
        :meth:`as_release_part`): the generator then takes the same path.
        """
        return release_generator(self)

    def as_release_part(self, random_state: np.random.Generator | None) -> Self:
        """Make this copy of a fitted mechanism release one part of a larger release.

        Engine extension point: an engine that splits the rows of one release
        into parts (:func:`sklearn_anon.dask.transform_dask`'s partitions)
        transforms each part with a private copy of the fitted mechanism and
        accounts the whole release once on the original (with
        :func:`sklearn_anon.dp.spend_release`).  Called on such a copy, this
        method makes it draw its noise from ``random_state`` and spend on an
        accountant of its own (a fresh, unlimited one), so the part is not
        counted a second time; the copy's fitted mechanisms are kept.  Never
        call it on the estimator that accounts the release.

        Parameters
        ----------
        random_state : numpy Generator or None
            The part's stream (each ``transform`` of the copy draws its
            generator from it); None: a fresh seed from the operating
            system's secure source for every ``transform`` call.

        Returns
        -------
        self : object
            This copy.

        Examples
        --------
        >>> import copy
        >>> import numpy as np, pandas as pd
        >>> from sklearn_anon import LaplaceNoise
        >>> from sklearn_anon._compat import BudgetAccountant
        >>> acc = BudgetAccountant()
        >>> X = pd.DataFrame({"x": [1.0, 2.0]})
        >>> noise = LaplaceNoise(epsilon=0.5, bounds=(0, 10), accountant=acc).fit(X)
        >>> part = copy.deepcopy(noise).as_release_part(np.random.default_rng(1))
        >>> part.transform(X).shape, acc.spent_budget  # the original's accountant: untouched
        ((2, 1), [])
        """
        check_is_fitted(self)
        self.set_params(random_state=random_state)
        self.accountant_ = BudgetAccountant()
        return self

    def _spend_per_record(self):
        """``(epsilon, delta)`` one release costs each record (sum over columns)."""
        eps = math.fsum(s["epsilon"] for s in self.mechanisms_.values())
        delta = math.fsum(s.get("delta", 0.0) for s in self.mechanisms_.values())
        return eps, delta

    def _privacy_spend(self):
        eps, delta = self._spend_per_record()
        return [{
            "kind": "local",
            "columns": list(self.columns_),
            "epsilon": eps,
            "delta": delta,
            "per_column": {c: (s["epsilon"], s.get("delta", 0.0)) for c, s in self.mechanisms_.items()},
        }]

    def _candidate_spend(self, params):
        """The per-record spend with the fitted columns and ``params`` overriding
        this estimator's parameters (a search candidate; see :func:`privacy_budget`)."""
        epsilon = params.get("epsilon", self.epsilon)
        eps = math.fsum(_column_epsilon(epsilon, c) for c in self.columns_)
        delta = float(params.get("delta", getattr(self, "delta", 0.0))) * len(self.columns_)
        return [{"kind": "local", "columns": list(self.columns_), "epsilon": eps, "delta": delta}]

    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Release ``X`` with fresh noise (one release: spends the per-record budget).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data, with the columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            The noised data, same rows in the same order; columns not
            selected by ``columns`` pass through unchanged.
        """
        check_is_fitted(self)
        eps, delta = self._spend_per_record()
        self.accountant_.check(eps, delta)
        # The base class draws this call's generator once (``_call_generator``) and
        # passes it to every ``_transform_column``: nothing about the call is stored
        # on ``self`` (thread-safe, never pickled).
        out = super().transform(X)
        self.accountant_.spend(eps, delta)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags


_COMMON_DOC = """
    columns : list of str or int, or None, default=None
        Columns to noise; the others pass through unchanged.  None noises
        every column.
    random_state : int, numpy Generator or None, default=None
        None draws a fresh 128-bit seed from the operating system's secure
        source for every ``transform`` call: use it for releases.  An int
        makes runs reproducible: the n-th ``transform`` after ``fit`` draws
        from the stream seeded by ``(seed, n)``, so every call and every
        column gets independent noise, but **anyone who knows the seed can
        replay the noise and remove it** (the seed is a parameter: it is in
        every pickle of the estimator).  For experiments only.  A Generator
        is drawn from as given; it is never pickled (a loaded copy has
        ``random_state=None``).  No generator state is stored or pickled.
    accountant : BudgetAccountant or None, default=None
        diffprivlib accountant that each ``transform`` call spends on (the
        per-record epsilon/delta, checked before the noise is drawn).
        None uses diffprivlib's default accountant, resolved in ``fit``.
        ``clone`` keeps the same accountant (by reference).  Fitting in a
        worker process (``GridSearchCV(n_jobs=2)``) needs a
        :class:`SharedAccountant`; with any other accountant it raises
        ``RuntimeError`` rather than spend on a copy.
"""


# -- central statistics ----------------------------------------------------------
class _CentralStatistic(_DPEstimatorMixin):
    """A DP statistic learnt in ``fit``: ``epsilon`` spent once, over its input columns.

    Gives the spend protocol of :func:`sklearn_anon.privacy_budget`
    (``_privacy_spend``, ``_candidate_spend``) from ``_spent_columns()``,
    and the non-deterministic tag.
    """

    def _spent_columns(self):
        return self.columns_

    def _spend_entry(self, epsilon):
        return [{"kind": "central", "columns": list(self._spent_columns()),
                 "epsilon": float(epsilon), "delta": 0.0}]

    def _privacy_spend(self):
        return self._spend_entry(self.epsilon)

    def _candidate_spend(self, params):
        return self._spend_entry(params.get("epsilon", self.epsilon))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags


def _spend_fit(est, epsilon, delta=0.0):
    """Resolve ``est.accountant_`` and check ``(epsilon, delta)`` on it (BudgetError
    before any work); refuse a fit whose spend could not reach the caller's
    accountant (see :class:`SharedAccountant`)."""
    if isinstance(est, _DPEstimatorMixin):
        est.accountant_ = est._resolve_accountant()
    else:
        est.accountant_ = BudgetAccountant.load_default(est.accountant)
    est.accountant_.check(epsilon, delta)
