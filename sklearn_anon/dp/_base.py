"""Differentially private transformers and budget accounting.

Two families:

* **Local (per-value) mechanisms** -- :class:`LaplaceNoise`,
  :class:`GaussianNoise`, :class:`RandomizedResponse`.  ``transform``
  releases each cell with noise; each released record is (epsilon,
  delta)-DP *for that record*, where epsilon sums over the record's noised
  columns (sequential composition).  ``fit`` only learns bounds/categories;
  every ``transform`` call is a release and spends the per-record budget on
  the accountant (conservative when calls cover different records).
* **Central statistics learnt in fit** -- :class:`DPGroupMeanEncoder`,
  :class:`DPKBinsDiscretizer`.  ``fit`` computes DP statistics of the
  training set (spending ``epsilon`` once, checked before the work);
  ``transform`` applies them deterministically.

:func:`privacy_budget` walks a fitted ``Pipeline`` / ``ColumnTransformer``
and reports what it spends per record.  :func:`estimate_frequencies` turns
counts released by randomized response back into unbiased frequencies.

Bounds
    Values are clipped to ``bounds`` before noise.  Given bounds are used as
    is.  Bounds learnt from the data (``bounds=None``) leak the training
    minimum and maximum: they are stored in ``bounds_`` and a
    :class:`PrivacyLeakWarning` (diffprivlib's) is raised.

Randomness
    ``random_state=None`` (the default, and what a release must use) draws a
    fresh 128-bit seed from the operating system's secure source
    (:func:`secrets.randbits`) for every ``fit``/``transform`` call and
    samples with numpy's PCG64 generator (fast and statistically sound, not
    itself a cryptographic generator: its seed is the secret).  No
    generator is stored on an estimator, so none is ever pickled; a numpy
    ``Generator`` given as ``random_state`` is drawn from as given and
    dropped from pickles (the loaded copy has ``random_state=None``).  An
    int makes a run reproducible: the n-th ``transform`` after ``fit``
    draws from the stream seeded by ``(seed, n)``, so two calls and two
    columns get different, independent noise, but a refit replays the same
    noise.  Never release with a fixed seed: the seed is a parameter (it is
    in every pickle), anyone who knows it can replay the noise and remove
    it, and two releases of different data with the same noise can be
    subtracted (the noise cancels and the exact difference appears).

Accounting across copies and processes
    ``clone`` (hence ``GridSearchCV``, ``cross_val_score``) keeps the
    ``accountant`` by reference: every clone spends on the same object.  A
    worker process (``n_jobs=2`` with joblib's loky backend, Dask) gets a
    pickled copy, whose spends the calling process would never see: the DP
    estimators refuse to be fitted there (``RuntimeError``, reported by the
    search) unless the accountant is a :class:`SharedAccountant`, whose
    ledger file the workers append to.  Threads (joblib's threading
    backend) share the objects and need nothing.  A fitted estimator loaded
    from a pickle in another process spends on its own copy
    (``accountant_``): account those releases where they happen.

Missing values
    :class:`LaplaceNoise` and :class:`GaussianNoise` refuse NaN by default
    (``missing``); ``"impute"`` hides missingness, ``"passthrough"``
    releases it.  :class:`RandomizedResponse` replaces NaN (and values
    outside the category set) by a uniform draw over the set.  The central
    steps leave rows with a NaN value out of their statistics (neighbouring
    data sets differ by such a row as by any other); their ``transform`` is
    deterministic (NaN bins stay NaN, NaN groups get the global mean).

Sampling is vectorized and avoids the floating-point attack on the
textbook Laplace sampler (Mironov 2012): see
:mod:`sklearn_anon.dp._sampling` for the construction (clipping, rounding to
a power-of-two grid counted in the sensitivity, discrete Laplace noise on
that grid).
"""

import functools
import math
import os
import tempfile
import threading
import warnings
import weakref
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .. import _text
from .._compat import (
    BudgetAccountant,
    Interval,
    PrivacyLeakWarning,
    StrOptions,
    _fit_context,
    validate_data,
)
from ..base import (
    ColumnAnonymizer,
    check_frame,
    output_container,
    per_column,
    require_numeric,
    values_hidden,
    warn_unused_column_keys,
)
from . import _sampling as _s

__all__ = [
    "DPGroupMeanEncoder",
    "DPKBinsDiscretizer",
    "GaussianNoise",
    "LaplaceNoise",
    "PrivacyBudget",
    "PrivacyLeakWarning",
    "RandomizedResponse",
    "SharedAccountant",
    "estimate_frequencies",
    "privacy_budget",
]

_EPSILON = [Interval(Real, 0, None, closed="neither"), dict]
_BOUNDS = ["array-like", dict, None]
_COLUMNS = ["array-like", str, Integral, None]
#: ``"secure"``: every draw from the OS CSPRNG (base.make_rng, SecureGenerator)
_RANDOM_STATE = ["random_state", np.random.Generator, StrOptions({"secure"})]
_ACCOUNTANT = [BudgetAccountant, None]


# -- parameter helpers -------------------------------------------------------
def _column_epsilon(epsilon, name, what="epsilon"):
    value = per_column(epsilon, name)
    if value is None:
        raise ValueError(f"{what} is a dict without an entry for column {name!r}.")
    if isinstance(value, bool) or not isinstance(value, Real) or not (value > 0) or math.isinf(value):
        raise ValueError(f"{what} for column {name!r} must be a finite number > 0.")
    return float(value)


def _check_bounds(given, name):
    """Validate user bounds ``(lower, upper)`` for one column."""
    arr = np.asarray(given, dtype=np.float64).ravel() if given is not None else None
    if arr is None or arr.size != 2:
        raise ValueError(f"bounds for column {name!r} must be a pair (lower, upper).")
    lo, hi = float(arr[0]), float(arr[1])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"bounds for column {name!r} must be finite.")
    if not lo < hi:
        raise ValueError(f"bounds for column {name!r}: lower must be < upper.")
    return lo, hi


def _resolve_bounds(bounds, values, name, leaked):
    """Given bounds for column ``name``, or bounds from the data (recorded in ``leaked``)."""
    given = per_column(bounds, name)
    if given is not None:
        return _check_bounds(given, name)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise ValueError(f"Column {name!r} has no finite value to take bounds from; give bounds.")
    lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:  # constant column: a unit-wide interval around the value
        lo, hi = lo - 0.5, hi + 0.5
    leaked.append(name)
    return lo, hi


def _warn_leak(leaked, who):
    if leaked:
        warnings.warn(
            f"{who}: bounds taken from the data for {len(leaked)} column(s) "
            f"({', '.join(map(repr, leaked))}); this leaks the training "
            "minimum and maximum. Give `bounds` to avoid it (see `bounds_`).",
            PrivacyLeakWarning,
            stacklevel=3,
        )


def _codes(column, cats, name):
    """Position of each value in ``cats`` (-1 for NaN and values outside it).

    Factorizes the column (one hash pass), then matches its few distinct
    values against ``cats``.
    """
    with values_hidden(name, "values cannot be matched to the categories"):
        fast = _arrow_codes(column, cats)
        if fast is not None:
            return fast
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
        else:
            codes, uniques = _text.factorize(column, use_na_sentinel=True)
        lookup = np.append(_text.text_indexer(cats, uniques), -1).astype(np.int64)
        return lookup[codes]  # code -1 (missing) picks the trailing -1


def _arrow_codes(column, cats):
    """``_codes`` for pyarrow-backed string columns (one vectorized lookup), else None."""
    to_arrow = getattr(column.array, "__arrow_array__", None)
    if to_arrow is None or not pd.api.types.is_string_dtype(column.dtype):
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = to_arrow()
        value_set = pa.array(list(cats)).cast(arr.type)
        found = pc.index_in(arr, value_set=value_set).fill_null(-1)
    except Exception:  # noqa: BLE001  (any mismatch: use the generic path)
        return None
    return np.asarray(found, dtype=np.int64) if not isinstance(found, pa.ChunkedArray) else (
        found.to_numpy().astype(np.int64, copy=False)
    )


def _numeric_values(column, name, who):
    require_numeric(column, name, who)
    with values_hidden(name, "could not convert to float"):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)


# -- categories ----------------------------------------------------------------------
def _domain(column, given, name):
    """``(categories, learnt)``: the declared domain of a column, or one read from the data.

    The one rule of the package's DP estimators: only ``categories`` given
    as a parameter is a declaration (public knowledge).  A categorical dtype
    is not one: ``astype("category")`` builds its categories from the data,
    so a rare value (a single record's) would be released as part of a
    "public" domain.  Without a declaration the domain is the dtype's
    categories that occur (a categorical column, in the dtype's order; an
    unused category of the dtype is no declaration either, and may name a
    record of another split) or the sorted distinct non-null values, and
    ``learnt`` is True (the caller warns, :class:`PrivacyLeakWarning`).
    """
    if given is not None:
        return _text.text_index(list(given)), False
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Index(column.cat.remove_unused_categories().cat.categories), True
    values = column.dropna()
    cats = _text.text_index(_text.unique(values.to_numpy()))
    with values_hidden(name, "categories of mixed types cannot be sorted"):
        cats = cats.sort_values()
    return cats, True


_LEARNT_DOMAIN_HINT = (
    "declare `categories` to avoid it (a categorical dtype is not a declaration: "
    "astype('category') builds its categories from the data)"
)


# -- accountants -------------------------------------------------------------------------
try:  # POSIX advisory locks; elsewhere appends stay atomic, check-then-spend is per process
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

#: SharedAccountant instances of this process, by ledger path (one object per ledger)
_SHARED = weakref.WeakValueDictionary()
_SHARED_LOCK = threading.Lock()


class SharedAccountant(BudgetAccountant):
    """A privacy budget accountant shared by reference across clones, pickles and processes.

    A diffprivlib :class:`~diffprivlib.accountant.BudgetAccountant` whose
    spends live in a ledger file instead of the object.  Every copy of it
    (``clone``, ``copy.deepcopy``, a pickle sent to a joblib/loky or Dask
    worker on the same machine) is the same accountant: a spend made in a
    worker process is appended to the ledger and read back by the calling
    process's object, so ``total()`` after ``GridSearchCV(n_jobs=2)`` is the
    true total of every fit and scoring call.  ``check`` and ``spend`` hold a
    lock on the ledger, so parallel workers cannot overspend the ceiling.

    Use it for any search or cross-validation run in worker processes: the
    DP estimators refuse (``RuntimeError``) to be fitted in another process
    with a plain ``BudgetAccountant`` or the default accountant, because
    those spends would land on a copy the calling process never sees.

    Parameters
    ----------
    epsilon, delta, slack, spent_budget
        As for :class:`~diffprivlib.accountant.BudgetAccountant`.
    path : str, path-like or None, default=None
        The ledger file.  None creates a temporary file, removed when this
        object is garbage-collected in the process that created it.  A
        given path is kept, and spends already recorded in it count: a
        persistent budget across runs.  Workers must see the same file (the
        same machine or a shared filesystem).  A copy unpickled where the
        ledger cannot be opened (another machine, or a saved pipeline loaded
        after the owning process ended) is *detached*, with a warning: it
        starts from the spends recorded at pickling and records its own; a
        DP estimator refuses to be fitted with it in a worker process
        (``RuntimeError``), as with a plain accountant.

    Notes
    -----
    Changing ``slack`` on one copy does not change it on the others.  The
    ledger holds only ``(epsilon, delta)`` pairs, never data.

    Examples
    --------
    >>> import pickle
    >>> import pandas as pd
    >>> from sklearn.base import clone
    >>> from sklearn_anon import LaplaceNoise, SharedAccountant
    >>> acc = SharedAccountant(epsilon=10.0)
    >>> X = pd.DataFrame({"age": [30.0, 40.0, 50.0]})
    >>> noise = LaplaceNoise(epsilon=1.0, bounds=(0, 100), accountant=acc)
    >>> _ = clone(noise).fit_transform(X)
    >>> copy_in_a_worker = pickle.loads(pickle.dumps(noise))
    >>> _ = copy_in_a_worker.fit_transform(X)
    >>> acc.total()
    (epsilon=2.0, delta=0.0)
    """

    def __init__(self, epsilon=float("inf"), delta=1.0, slack=0.0, spent_budget=None, *, path=None):
        owned = path is None
        if owned:
            fd, path = tempfile.mkstemp(prefix="sklearn_anon_budget_", suffix=".ledger")
            os.close(fd)
        self._path = os.fspath(path)
        self._lock = threading.RLock()
        if not owned:
            with open(self._path, "a"):  # create a missing ledger
                pass
        super().__init__(epsilon=epsilon, delta=delta, slack=slack)
        if owned:
            weakref.finalize(self, _remove_ledger, self._path)
        with _SHARED_LOCK:
            _SHARED.setdefault(self._path, self)
        for eps, dlt in spent_budget or ():
            self.spend(eps, dlt)

    @property
    def path(self):
        """The ledger file."""
        return self._path

    @property
    def spent_budget(self):
        """Every spend recorded in the ledger, by any process, as ``(epsilon, delta)``."""
        try:
            with open(self._path, encoding="ascii") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise RuntimeError(
                "SharedAccountant: its ledger file is not reachable from this process "
                "(another machine, or the owning process has ended); spends here would "
                "not reach the calling process's budget."
            ) from None
        spent = []
        for line in data.split("\n")[:-1]:  # a line still being written has no newline yet
            if line:
                eps, dlt = line.split()
                spent.append((float(eps), float(dlt)))
        return spent

    def spend(self, epsilon, delta):
        """Check and record ``(epsilon, delta)`` in the ledger, atomically.

        Parameters
        ----------
        epsilon, delta : float
            The spend.

        Returns
        -------
        self : SharedAccountant
        """
        with self._lock, open(self._path, "a", encoding="ascii") as fh:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self.check(epsilon, delta)
                fh.write(f"{float(epsilon)!r} {float(delta)!r}\n")
                fh.flush()
            finally:
                if fcntl is not None:
                    fcntl.flock(fh, fcntl.LOCK_UN)
        return self

    def __repr__(self):
        try:
            spent = self.spent_budget
        except RuntimeError:
            return f"SharedAccountant(epsilon={self.epsilon}, delta={self.delta}, ledger unreachable)"
        eps, dlt = self.total(spent_budget=spent)
        return (f"SharedAccountant(epsilon={self.epsilon}, delta={self.delta}, "
                f"spent=({eps:.6g}, {dlt:.6g}) in {len(spent)} spends)")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return _attach_shared_accountant, (
            self._path, self.epsilon, self.delta, self.slack, self.spent_budget,
        )


def _remove_ledger(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _attach_shared_accountant(path, epsilon, delta, slack, spent=()):
    """The SharedAccountant of ``path`` in this process (unpickling).

    When the ledger cannot be opened here (the process that owned a
    temporary ledger has ended, e.g. a pipeline saved and loaded later, or
    another machine), the copy is *detached*: a new ledger of this process
    starting from the spends recorded when it was pickled, with a warning.
    A detached accountant counts as a plain copy: fitting a DP estimator
    with it in a worker process is refused.
    """
    with _SHARED_LOCK:
        found = _SHARED.get(path)
    if found is not None:
        return found
    if os.path.exists(path):
        return SharedAccountant(epsilon, delta, slack, path=path)
    warnings.warn(
        "SharedAccountant: its ledger file is not reachable from this process (the "
        "process that created it has ended, or another machine); this copy records "
        "its spends on a ledger of its own, starting from the spends recorded when it "
        "was pickled.",
        UserWarning,
        stacklevel=2,
    )
    detached = SharedAccountant(epsilon, delta, slack, spent_budget=list(spent))
    detached._detached = True
    return detached


class _DPEstimatorMixin:
    """What every DP estimator of this module shares about its accountant and randomness.

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
        state.pop("_rng", None)  # an engine's per-call generator (never pickled)
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
_RELEASE_LOCK = threading.Lock()


class _LocalMechanism(_DPEstimatorMixin, ColumnAnonymizer):
    """Shared machinery of the per-value mechanisms.

    No generator is stored: each ``transform`` resolves one from
    ``random_state`` (:meth:`_call_generator`) and passes it explicitly to
    ``_transform_column``.
    """

    _state_attr = "mechanisms_"

    def _check_params(self, X):
        self.accountant_ = self._resolve_accountant()
        # releases since fit, for int seeds: a list mutated in place (a transform
        # leaves ``__dict__`` unchanged; an int, never generator state, is pickled)
        self._releases = [0]
        self._leaked = []

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and learn per-column bounds (or categories).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        try:
            ColumnAnonymizer.fit.__wrapped__(self, X, y)
            self._report_leak(self._leaked)
        finally:
            self.__dict__.pop("_leaked", None)
        return self

    def _report_leak(self, leaked):
        _warn_leak(leaked, type(self).__name__)

    def _call_generator(self):
        """A generator for one release, resolved from ``random_state`` and never stored.

        None: a fresh PCG64 seeded with 128 bits from the OS.  An int: the
        stream ``(seed, n)`` for the n-th release since ``fit``
        (reproducible, and different for every call).  A Generator (or
        RandomState) is drawn from as given.  An engine may set ``_rng`` on
        a private copy (the Dask partition copies): that generator (None: a
        fresh OS seed) is used instead.
        """
        if "_rng" in self.__dict__:
            given = self.__dict__["_rng"]
            return given if given is not None else _s.make_rng(None)
        rs = self.random_state
        if isinstance(rs, Integral) and not isinstance(rs, bool):
            counter = self.__dict__.setdefault("_releases", [0])
            with _RELEASE_LOCK:
                n = counter[0]
                counter[0] = n + 1
            return np.random.default_rng([int(rs), n])
        return _s.make_rng(rs)

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

    def transform(self, X):
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
        rng = self._call_generator()
        # The base class's transform, on a throw-away view of this estimator
        # whose ``_transform_column`` carries this call's generator: nothing
        # about the call is stored on ``self`` (thread-safe, never pickled).
        call = object.__new__(type(self))
        call.__dict__.update(self.__dict__)
        call.__dict__["_transform_column"] = functools.partial(type(self)._transform_column, call, rng=rng)
        out = ColumnAnonymizer.transform(call, X)
        self.accountant_.spend(eps, delta)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags


class _NumericMechanism(_LocalMechanism):
    """A local mechanism on numeric columns clipped to ``bounds``: subclasses
    draw the noise (``_noise(values, state, rng)``) on the clipped float values.

    Missing values follow ``missing``: ``"error"`` refuses them, ``"impute"``
    replaces each by a uniform draw within the bounds before the noise (the
    output is noisy everywhere: missingness is hidden), ``"passthrough"``
    keeps NaN (missingness released exactly, outside the guarantee).
    """

    def _check_params(self, X):
        super()._check_params(X)
        if self.missing == "passthrough":
            warnings.warn(
                f"{type(self).__name__}: missing='passthrough' releases which values are "
                "missing exactly (NaN stays NaN, outside the epsilon guarantee); use "
                "missing='impute' to hide it.",
                PrivacyLeakWarning,
                stacklevel=5,
            )

    def _transform_column(self, column, name, state, rng=None):
        if rng is None:
            rng = self._call_generator()
        values = _numeric_values(column, name, type(self).__name__)
        missing = np.isnan(values)
        n_missing = int(missing.sum())
        if n_missing:
            if self.missing == "error":
                raise ValueError(
                    f"{type(self).__name__}: column {name!r} has {n_missing} missing value(s) "
                    "(NaN); releasing them as NaN would reveal which values are missing. "
                    "Choose missing='impute' (a uniform value within the bounds, then noise) "
                    "or impute them first."
                )
            if self.missing == "impute":
                lo, hi = state["bounds"]
                values = values.copy()
                values[missing] = rng.uniform(lo, hi, n_missing)
        return pd.Series(self._noise(values, state, rng), index=column.index, name=name)

    @property
    def bounds_(self):
        return {c: s["bounds"] for c, s in self.mechanisms_.items()}


_BOUNDS_DOC = """
    bounds : tuple (lower, upper), dict of {column: tuple} or None, default=None
        Clipping bounds, for every column or per column; ``lower < upper``.
        None (or a column missing from the dict) takes the column's training
        minimum and maximum, stored in ``bounds_``, with a
        :class:`PrivacyLeakWarning`.  Values outside the bounds (including
        infinities) are clipped before noise.
    missing : {"error", "impute", "passthrough"}, default="error"
        What ``transform`` does with a missing value (NaN, None, pd.NA).
        ``"error"`` raises a ValueError naming the column and the number of
        missing values (never a value).  ``"impute"`` replaces each missing
        value by a uniform draw within the bounds *before* the noise, so
        every output cell is noisy and which values were missing is hidden
        (the guarantee covers "missing" as one more possible input).
        ``"passthrough"`` keeps NaN: **not private** for missingness, which
        is released exactly (a :class:`PrivacyLeakWarning` at fit); the
        present values get their epsilon as usual.  The accountant is
        charged the same epsilon in every case."""

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
_LOCAL_PARAMS_DOC = (_BOUNDS_DOC + _COMMON_DOC).strip("\n").lstrip()


class LaplaceNoise(_NumericMechanism):
    """Clip numeric columns to bounds and add Laplace noise (local epsilon-DP per value).

    Each released value is epsilon-DP for its record: the sensitivity of one
    value clipped to ``[lower, upper]`` is the bound width.  The noise is
    sampled on a power-of-two grid, which makes it immune to the
    floating-point attack on the textbook Laplace sampler (Mironov 2012):

    1. clip ``x`` to ``[lower, upper]`` (width ``w``);
    2. round it to the grid ``Lambda * Z``, ``Lambda = 2**(floor(log2(min(w,
       w / epsilon))) - 20)`` (about a millionth of the scale and the width);
    3. add ``Lambda * K`` with ``K`` discrete Laplace (two-sided geometric,
       ``P(K=k) ∝ exp(-|k| Lambda epsilon / (w + Lambda))``), sampled
       sampled vectorized as a geometric variable with a random sign;
    4. the rounding is counted in the sensitivity (``w + Lambda``), so the
       scale is ``(w + Lambda) / epsilon``, stored in ``scale_``.

    The release takes only grid values whatever the input's low-order bits,
    and is distributed as a continuous Laplace of scale ``scale_`` to within
    the grid resolution (tested against diffprivlib's ``Laplace``).

    Missing values are refused by default (``missing``); ``"impute"``
    hides them.  The output is float64.

    Parameters
    ----------
    epsilon : float or dict of {{column: float}}, default=1.0
        Privacy budget per value (> 0), for every column or per column.
        A record's cost is the sum over its noised columns.
    {params}
    Attributes
    ----------
    bounds_ : dict of {{column: (float, float)}}
        Clipping bounds used per column.
    scale_ : dict of {{column: float}}
        Laplace scale per column, ``(w + Lambda) / epsilon``.
    mechanisms_ : dict of {{column: dict}}
        Per-column state (epsilon, bounds, scale, grid step).
    accountant_ : BudgetAccountant
        The accountant spent on.
    columns_ : list
        The noised columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    GaussianNoise : (epsilon, delta)-DP with Gaussian noise.
    diffprivlib.mechanisms.Laplace : the same distribution, one scalar per call.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import LaplaceNoise
    >>> X = pd.DataFrame({{"age": [23, 45, 67, 150]}})
    >>> noise = LaplaceNoise(epsilon=1.0, bounds=(0, 100), random_state=0)
    >>> out = noise.fit_transform(X)
    >>> out.dtypes["age"], len(out)
    (dtype('float64'), 4)
    >>> round(noise.scale_["age"], 3)
    100.0
    """

    _parameter_constraints = {
        "epsilon": _EPSILON,
        "bounds": _BOUNDS,
        "missing": [StrOptions({"error", "impute", "passthrough"})],
        "columns": _COLUMNS,
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self, *, epsilon=1.0, bounds=None, missing="error", columns=None, random_state=None, accountant=None
    ):
        self.epsilon = epsilon
        self.bounds = bounds
        self.missing = missing
        self.columns = columns
        self.random_state = random_state
        self.accountant = accountant

    def _fit_column(self, column, name):
        values = _numeric_values(column, name, type(self).__name__)
        eps = _column_epsilon(self.epsilon, name)
        lo, hi = _resolve_bounds(self.bounds, values, name, self._leaked)
        step = _s.grid_step((hi - lo) / eps, max(abs(lo), abs(hi)), hi - lo)
        return {"epsilon": eps, "bounds": (lo, hi), "scale": (hi - lo + step) / eps, "step": step}

    def _noise(self, values, state, rng):
        out, _, _ = _s.laplace_on_grid(values, *state["bounds"], state["epsilon"], rng)
        return out

    @property
    def scale_(self):
        return {c: s["scale"] for c, s in self.mechanisms_.items()}


LaplaceNoise.__doc__ = LaplaceNoise.__doc__.format(params=_LOCAL_PARAMS_DOC + "\n")


class GaussianNoise(_NumericMechanism):
    """Clip numeric columns to bounds and add analytic Gaussian noise ((epsilon, delta)-DP per value).

    The standard deviation is the analytic Gaussian calibration (Balle &
    Wang 2018), the same value diffprivlib's ``GaussianAnalytic`` computes,
    for sensitivity ``w + Lambda`` (bound width plus grid step).  The clipped
    value is rounded to a power-of-two grid ``Lambda * Z`` (``Lambda`` about
    ``sigma * 2**-20``) and the noise ``Lambda * rint(sigma Z / Lambda)`` is
    added, ``Z`` standard normal.  Since the rounded value lies on the grid,
    the release equals the ideal continuous Gaussian mechanism's output
    rounded to the grid: rounding is post-processing, so the ideal
    mechanism's guarantee carries over, and the input's low-order bits
    never reach the output (no floating-point attack).  What is not
    proven: numpy's floating-point normal sampler gives each grid cell its
    ideal mass only to float resolution (a discrete Gaussian sampler would
    close that gap, much more slowly).

    Missing values are refused by default (``missing``); ``"impute"``
    hides them.  The output is float64.

    Parameters
    ----------
    epsilon : float or dict of {{column: float}}, default=1.0
        Privacy parameter epsilon per value (> 0).
    delta : float in (0, 1), default=1e-5
        Privacy parameter delta per value.
    {params}
    Attributes
    ----------
    bounds_ : dict of {{column: (float, float)}}
        Clipping bounds used per column.
    sigma_ : dict of {{column: float}}
        Noise standard deviation per column.
    mechanisms_ : dict of {{column: dict}}
        Per-column state.
    accountant_ : BudgetAccountant
        The accountant spent on.
    columns_ : list
        The noised columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_anon import GaussianNoise
    >>> X = np.array([[1.0], [2.0], [3.0]])
    >>> g = GaussianNoise(epsilon=1.0, delta=1e-5, bounds=(0, 4), random_state=0).fit(X)
    >>> round(g.sigma_["x0"], 2)
    14.93
    >>> g.transform(X).shape
    (3, 1)
    """

    _parameter_constraints = {
        "epsilon": _EPSILON,
        "delta": [Interval(Real, 0, 1, closed="neither")],
        "bounds": _BOUNDS,
        "missing": [StrOptions({"error", "impute", "passthrough"})],
        "columns": _COLUMNS,
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self,
        *,
        epsilon=1.0,
        delta=1e-5,
        bounds=None,
        missing="error",
        columns=None,
        random_state=None,
        accountant=None,
    ):
        self.epsilon = epsilon
        self.delta = delta
        self.bounds = bounds
        self.missing = missing
        self.columns = columns
        self.random_state = random_state
        self.accountant = accountant

    def _fit_column(self, column, name):
        values = _numeric_values(column, name, type(self).__name__)
        eps = _column_epsilon(self.epsilon, name)
        lo, hi = _resolve_bounds(self.bounds, values, name, self._leaked)
        sigma0 = _s.analytic_gaussian_sigma(eps, self.delta, hi - lo)
        step = _s.grid_step(sigma0, max(abs(lo), abs(hi)), hi - lo)
        sigma = _s.analytic_gaussian_sigma(eps, self.delta, hi - lo + step)
        return {"epsilon": eps, "delta": float(self.delta), "bounds": (lo, hi), "sigma": sigma, "step": step}

    def _noise(self, values, state, rng):
        out, _, _ = _s.gaussian_on_grid(values, *state["bounds"], state["epsilon"], state["delta"], rng)
        return out

    @property
    def sigma_(self):
        return {c: s["sigma"] for c, s in self.mechanisms_.items()}


GaussianNoise.__doc__ = GaussianNoise.__doc__.format(params=_LOCAL_PARAMS_DOC + "\n")


class RandomizedResponse(_LocalMechanism):
    """k-ary randomized response on categorical columns (local epsilon-DP per value).

    Over a category set of size ``k``, each value is kept with probability
    ``e^eps / (e^eps + k - 1)`` and otherwise replaced by one of the other
    ``k - 1`` categories uniformly (Warner 1965; Kairouz et al. 2016).
    The ratio of the probabilities of any output under two different true
    values is at most ``e^eps``.

    The category set should be declared (``categories``): learning it from
    the data releases which categories occur (a rare category can identify
    someone), so a :class:`PrivacyLeakWarning` is raised.  A value outside
    the set, and NaN, is replaced by a uniform draw over the set (its true
    value never reaches the output).  Output: the input's dtype (a
    categorical column stays categorical, over the category set).  Use :func:`estimate_frequencies` to turn released counts
    into unbiased frequency estimates.

    Parameters
    ----------
    epsilon : float or dict of {{column: float}}, default=1.0
        Privacy budget per value (> 0).
    categories : list, dict of {{column: list}} or None, default=None
        The category set, for every column or per column: only this
        parameter declares a domain.  None (or a column missing from the
        dict) takes a categorical column's dtype categories, else the
        sorted distinct non-null training values, with a
        :class:`PrivacyLeakWarning` in both cases (``astype("category")``
        builds its categories from the data).
    {params}
    Attributes
    ----------
    categories_ : dict of {{column: list}}
        The category set per column.
    keep_probability_ : dict of {{column: float}}
        Probability that a value is released unchanged.
    mechanisms_ : dict of {{column: dict}}
        Per-column state.
    accountant_ : BudgetAccountant
        The accountant spent on.
    columns_ : list
        The randomized columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import RandomizedResponse
    >>> X = pd.DataFrame({{"smoker": ["yes", "no", "no", "yes"]}})
    >>> rr = RandomizedResponse(epsilon=2.0, categories=["no", "yes"], random_state=0)
    >>> out = rr.fit_transform(X)
    >>> sorted(set(out["smoker"])) <= ["no", "yes"]
    True
    >>> round(rr.keep_probability_["smoker"], 3)
    0.881
    """

    _parameter_constraints = {
        "epsilon": _EPSILON,
        "categories": ["array-like", dict, None],
        "columns": _COLUMNS,
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(self, *, epsilon=1.0, categories=None, columns=None, random_state=None, accountant=None):
        self.epsilon = epsilon
        self.categories = categories
        self.columns = columns
        self.random_state = random_state
        self.accountant = accountant

    def _fit_column(self, column, name):
        eps = _column_epsilon(self.epsilon, name)
        cats, learnt = _domain(column, per_column(self.categories, name), name)
        if not learnt:
            if cats.size == 0 or cats.has_duplicates or cats.hasnans:
                raise ValueError(
                    f"categories for column {name!r} must be non-empty, unique and without NaN."
                )
            present = column.dropna()
            if len(present) and (_codes(present, cats, name) < 0).all():
                raise ValueError(
                    f"None of the values of column {name!r} is in its declared categories "
                    "(wrong column or category type?)."
                )
        else:
            if cats.size == 0:
                raise ValueError(f"Column {name!r} has no non-null value to learn categories from.")
            self._leaked.append(name)
        k = len(cats)
        return {
            "epsilon": eps,
            "categories": cats,
            "keep_probability": _s.randomized_response_keep_probability(eps, k),
        }

    def _report_leak(self, leaked):
        if leaked:
            warnings.warn(
                f"RandomizedResponse: categories learnt from the data for {len(leaked)} "
                f"column(s) ({', '.join(map(repr, leaked))}); this releases which "
                f"categories occur; {_LEARNT_DOMAIN_HINT}.",
                PrivacyLeakWarning,
                stacklevel=4,
            )

    def _transform_column(self, column, name, state, rng=None):
        if rng is None:
            rng = self._call_generator()
        cats = state["categories"]
        codes = _codes(column, cats, name)
        out = _s.randomized_response_codes(codes, len(cats), state["epsilon"], rng)
        if isinstance(column.dtype, pd.CategoricalDtype):
            return pd.Series(pd.Categorical.from_codes(out, categories=cats), index=column.index, name=name)
        labels = np.asarray(list(cats), dtype=object)
        if isinstance(column.dtype, np.dtype):
            try:
                return pd.Series(labels[out].astype(column.dtype), index=column.index, name=name, dtype=column.dtype)
            except (TypeError, ValueError):
                return pd.Series(labels[out], index=column.index, name=name, dtype=object)
        try:
            released = pd.array(labels, dtype=column.dtype).take(out)
        except (TypeError, ValueError):
            released = labels[out]
        return pd.Series(released, index=column.index, name=name)

    @property
    def categories_(self):
        return {c: list(s["categories"]) for c, s in self.mechanisms_.items()}

    @property
    def keep_probability_(self):
        return {c: s["keep_probability"] for c, s in self.mechanisms_.items()}


RandomizedResponse.__doc__ = RandomizedResponse.__doc__.format(params=_COMMON_DOC.strip("\n").lstrip() + "\n")


def estimate_frequencies(counts, epsilon):
    """Unbiased category frequencies from counts released by k-ary randomized response.

    With keep probability ``p = e^eps / (e^eps + k - 1)`` and ``r = (1 - p)
    / (k - 1)``, a released frequency ``q_j`` has expectation ``p pi_j + r
    (1 - pi_j)``; the estimate is ``(q_j - r) / (p - r)`` (it sums to 1 and
    may fall outside [0, 1] for rare categories: clip and renormalize if
    you need a distribution, at the cost of a small bias).

    Parameters
    ----------
    counts : array-like or Series of shape (k,)
        Released count of every category of the set (zeros included), e.g.
        ``released["col"].value_counts().reindex(categories, fill_value=0)``
        on the output of :class:`RandomizedResponse`.
    epsilon : float
        The epsilon the values were released with.

    Returns
    -------
    frequencies : ndarray or Series of shape (k,)
        Estimated true frequencies (a Series with the same index when
        ``counts`` is one).

    Examples
    --------
    >>> from sklearn_anon import estimate_frequencies
    >>> estimate_frequencies([60, 40], epsilon=1.0).round(3)
    array([0.716, 0.284])
    """
    if not (isinstance(epsilon, Real) and epsilon > 0):
        raise ValueError("epsilon must be a number > 0.")
    index = counts.index if isinstance(counts, pd.Series) else None
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or c.size < 2:
        raise ValueError("counts must hold one count per category (at least 2 categories).")
    if np.any(c < 0) or not np.isfinite(c).all():
        raise ValueError("counts must be finite and >= 0.")
    total = c.sum()
    if total <= 0:
        raise ValueError("counts sum to 0: nothing to estimate.")
    k = c.size
    p = _s.randomized_response_keep_probability(float(epsilon), k)
    r = (1 - p) / (k - 1)
    est = (c / total - r) / (p - r)
    return pd.Series(est, index=index, name="frequency") if index is not None else est


# -- central statistics ----------------------------------------------------------
def _spend_fit(est, epsilon, delta=0.0):
    """Resolve ``est.accountant_`` and check ``(epsilon, delta)`` on it (BudgetError
    before any work); refuse a fit whose spend could not reach the caller's
    accountant (see :class:`SharedAccountant`)."""
    if isinstance(est, _DPEstimatorMixin):
        est.accountant_ = est._resolve_accountant()
    else:
        est.accountant_ = BudgetAccountant.load_default(est.accountant)
    est.accountant_.check(epsilon, delta)


class DPKBinsDiscretizer(_DPEstimatorMixin, ColumnAnonymizer):
    """Bin numeric columns at differentially private quantiles (central epsilon-DP in fit).

    Like :class:`sklearn.preprocessing.KBinsDiscretizer` with
    ``strategy="quantile", encode="ordinal"``, but the inner edges are DP
    quantiles of the training data (exponential mechanism, Smith 2011,
    vectorized with the Gumbel-max trick), so the bins leak at most
    ``epsilon`` about the training set.  ``epsilon`` is the total for the
    fit, split equally over the columns and their ``n_bins - 1`` quantiles
    (sequential composition), checked on the accountant before the work
    and spent after it.  Outer edges are the clipping bounds; values
    outside them fall in the first/last bin.

    Output: float bin codes ``0 .. n_bins - 1``; NaN stays NaN.

    Parameters
    ----------
    n_bins : int, default=5
        Number of bins (>= 2).
    epsilon : float, default=1.0
        Total privacy budget of ``fit`` (> 0).
    bounds : tuple (lower, upper), dict of {column: tuple} or None, default=None
        Range of the data, per column or for all; None takes it from the
        training data (stored in ``bounds_``, with a :class:`PrivacyLeakWarning`).
    columns : list of str or int, or None, default=None
        Columns to bin; the others pass through.
    random_state : int, numpy Generator or None, default=None
        None: secure OS seed (for releases); an int: reproducible fit.
    accountant : BudgetAccountant or None, default=None
        diffprivlib accountant spent on in ``fit``; None: the default one.
        ``clone`` keeps it by reference; a fit in a worker process needs a
        :class:`SharedAccountant` (any other raises ``RuntimeError``).

    Attributes
    ----------
    bin_edges_ : dict of {column: ndarray}
        ``n_bins + 1`` edges per column (bounds outside, DP quantiles inside).
    bounds_ : dict of {column: (float, float)}
        Bounds used per column.
    accountant_ : BudgetAccountant
        The accountant spent on.
    columns_ : list
        The binned columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_anon import DPKBinsDiscretizer
    >>> X = np.random.default_rng(0).uniform(0, 100, size=(1000, 1))
    >>> kb = DPKBinsDiscretizer(n_bins=4, epsilon=1.0, bounds=(0, 100), random_state=0)
    >>> codes = kb.fit_transform(X)
    >>> sorted(np.unique(codes).tolist())
    [0.0, 1.0, 2.0, 3.0]
    >>> len(kb.bin_edges_["x0"])
    5
    """

    _state_attr = "bin_edges_"

    _parameter_constraints = {
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "bounds": _BOUNDS,
        "columns": _COLUMNS,
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(self, *, n_bins=5, epsilon=1.0, bounds=None, columns=None, random_state=None, accountant=None):
        self.n_bins = n_bins
        self.epsilon = epsilon
        self.bounds = bounds
        self.columns = columns
        self.random_state = random_state
        self.accountant = accountant

    def _check_params(self, X):
        if not math.isfinite(self.epsilon):
            raise ValueError("epsilon must be finite.")
        _spend_fit(self, self.epsilon)
        self._fit_rng = _s.make_rng(self.random_state)
        self._eps_each = self.epsilon / (len(self._resolve_columns(X)) * (self.n_bins - 1))
        self._leaked = []
        self._bounds = {}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn DP bin edges (spends ``epsilon`` on the accountant).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted discretizer.
        """
        try:
            ColumnAnonymizer.fit.__wrapped__(self, X, y)
            _warn_leak(self._leaked, type(self).__name__)
            self.bounds_ = self._bounds
            self.accountant_.spend(self.epsilon, 0.0)
        finally:
            for attr in ("_fit_rng", "_eps_each", "_leaked", "_bounds"):
                self.__dict__.pop(attr, None)
        return self

    def _fit_column(self, column, name):
        values = _numeric_values(column, name, type(self).__name__)
        lo, hi = _resolve_bounds(self.bounds, values, name, self._leaked)
        self._bounds[name] = (lo, hi)
        q = np.arange(1, self.n_bins) / self.n_bins
        inner = _s.dp_quantiles(values, q, self._eps_each, lo, hi, self._fit_rng)
        return np.concatenate([[lo], inner, [hi]])

    def _transform_column(self, column, name, edges):
        values = _numeric_values(column, name, type(self).__name__)
        codes = np.searchsorted(edges[1:-1], values, side="right").astype(np.float64)
        codes[np.isnan(values)] = np.nan
        return pd.Series(codes, index=column.index, name=name)

    def _privacy_spend(self):
        return [{"kind": "central", "columns": list(self.columns_), "epsilon": float(self.epsilon), "delta": 0.0}]

    def _candidate_spend(self, params):
        return [{"kind": "central", "columns": list(self.columns_),
                 "epsilon": float(params.get("epsilon", self.epsilon)), "delta": 0.0}]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags


class DPGroupMeanEncoder(_DPEstimatorMixin, ColumnAnonymizer):
    """Encode rows by the differentially private mean of a numeric value in their group.

    Like :class:`sklearn.preprocessing.TargetEncoder`, but private (central
    epsilon-DP on the training set, neighbours differing by one added or
    removed record).  Groups are the combinations of the ``columns`` (one
    or more, typically generalized quasi-identifiers); the value is ``y``
    (``value_column=None``) or a numeric column of ``X``, clipped to
    ``bounds``.  For every group of the declared domain (the product of
    each column's categories, observed or not, so that the released table
    does not reveal which groups occur) ``fit`` releases a noisy sum of the
    centred clipped values and a noisy count (discrete Laplace, epsilon/2
    each; each record is in one group, so groups compose in parallel).  A
    group's mean is ``mid + noisy_sum / noisy_count``, clipped to the
    bounds; groups whose noisy count is below ``min_count`` (and rows whose
    group is outside the domain, or has NaN) get the noisy global mean,
    computed from the same noisy sums and counts (post-processing, no extra
    budget).

    ``transform`` outputs one float column, ``"<value>_group_mean"``.

    Parameters
    ----------
    epsilon : float, default=1.0
        Privacy budget of ``fit`` (> 0), checked on the accountant first.
    bounds : tuple (lower, upper) or None, default=None
        Range of the value; None takes the training range (``bounds_``,
        :class:`PrivacyLeakWarning`).
    columns : list of str or int, or None, default=None
        Group columns.  None: every column of ``X`` except ``value_column``.
    value_column : str, int or None, default=None
        Numeric column of ``X`` averaged; None averages ``y``.
    categories : dict of {column: list} or None, default=None
        Domain of each group column: only this parameter declares a domain
        (public knowledge).  A column not in the dict uses its categorical
        dtype's categories if it has one, else its sorted distinct training
        values, with a :class:`PrivacyLeakWarning` in both cases: a
        categorical dtype built with ``astype("category")`` lists the values
        that occur, so a rare value would be released as "public".
    min_count : float, default=10
        Groups with a noisy count below this get the global mean.
    max_groups : int, default=100_000
        Refuse a domain with more cells than this.
    random_state : int, numpy Generator or None, default=None
        None: secure OS seed (for releases); an int: reproducible fit.
    accountant : BudgetAccountant or None, default=None
        diffprivlib accountant spent on in ``fit``; None: the default one.
        ``clone`` keeps it by reference; a fit in a worker process needs a
        :class:`SharedAccountant` (any other raises ``RuntimeError``).

    Attributes
    ----------
    means_ : Series
        Released mean per group of the domain (MultiIndex over the group
        columns), NaN where the group falls back to the global mean.
    noisy_counts_ : Series
        Released noisy count per group.
    global_mean_ : float
        Released global mean.
    bounds_ : tuple (float, float)
        Bounds of the value.
    categories_ : dict of {column: list}
        Domain of each group column.
    group_columns_ : list
        The group columns.
    accountant_ : BudgetAccountant
        The accountant spent on.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_anon import DPGroupMeanEncoder
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"region": rng.choice(["N", "S"], 2000)})
    >>> y = np.where(X["region"] == "N", 30.0, 70.0)
    >>> enc = DPGroupMeanEncoder(epsilon=1.0, bounds=(0, 100),
    ...                          categories={"region": ["N", "S"]}, random_state=0)
    >>> out = enc.fit_transform(X, y)
    >>> list(out.columns)
    ['y_group_mean']
    >>> enc.means_.round(0).tolist()
    [30.0, 70.0]
    """

    _parameter_constraints = {
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "bounds": ["array-like", None],
        "columns": _COLUMNS,
        "value_column": [str, Integral, None],
        "categories": [dict, None],
        "min_count": [Interval(Real, 0, None, closed="left")],
        "max_groups": [Interval(Integral, 1, None, closed="left")],
        "random_state": _RANDOM_STATE,
        "accountant": _ACCOUNTANT,
    }

    def __init__(
        self,
        *,
        epsilon=1.0,
        bounds=None,
        columns=None,
        value_column=None,
        categories=None,
        min_count=10,
        max_groups=100_000,
        random_state=None,
        accountant=None,
    ):
        self.epsilon = epsilon
        self.bounds = bounds
        self.columns = columns
        self.value_column = value_column
        self.categories = categories
        self.min_count = min_count
        self.max_groups = max_groups
        self.random_state = random_state
        self.accountant = accountant

    def _value_name(self):
        return "y" if self.value_column is None else str(self._value_col_)

    def _cell_index(self, frame):
        """Flat group index of every row (-1 outside the domain or NaN)."""
        codes = []
        for col in self.group_columns_:
            codes.append(_codes(frame[col], _text.text_index(self.categories_[col]), col))
        codes = np.stack(codes) if codes else np.zeros((0, len(frame)), dtype=np.int64)
        shape = tuple(len(self.categories_[c]) for c in self.group_columns_)
        valid = (codes >= 0).all(axis=0)
        cell = np.full(len(frame), -1, dtype=np.int64)
        if valid.any():
            cell[valid] = np.ravel_multi_index(tuple(codes[:, valid]), shape)
        return cell

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Release the noisy group sums and counts (spends ``epsilon``).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Group columns (and the value column if ``value_column`` is set).
        y : array-like of shape (n_samples,) or None
            The value averaged when ``value_column`` is None.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        frame, _ = self._validate_frame(X, reset=True)
        if not math.isfinite(self.epsilon):
            raise ValueError("epsilon must be finite.")
        if self.value_column is None:
            if y is None:
                raise ValueError(
                    "DPGroupMeanEncoder requires y to be passed, but the target y is None "
                    "(or set value_column)."
                )
            y_arr = np.asarray(y)
            if y_arr.ndim != 1 and not (y_arr.ndim == 2 and y_arr.shape[1] == 1):
                raise ValueError("y must be 1-dimensional.")
            y_arr = y_arr.ravel()
            if y_arr.shape[0] != frame.shape[0]:
                raise ValueError(
                    f"X has {frame.shape[0]} rows but y has {y_arr.shape[0]}: inconsistent numbers of samples."
                )
            y_series = pd.Series(y_arr)
            if y_series.dtype == object:
                y_series = y_series.infer_objects()
            if not pd.api.types.is_numeric_dtype(y_series.dtype) or pd.api.types.is_bool_dtype(y_series.dtype):
                raise ValueError(
                    "DPGroupMeanEncoder averages a numeric y; Unknown label type for a "
                    f"y of dtype {y_series.dtype} (encode it as numbers first)."
                )
            value = _numeric_values(y_series, "y", type(self).__name__)
            self._value_col_ = None
            excluded = []
        else:
            col = self.value_column
            if isinstance(col, (int, np.integer)) and col not in frame.columns:
                if not -frame.shape[1] <= col < frame.shape[1]:
                    raise ValueError(f"value_column position {col} is out of range.")
                col = frame.columns[col]
            if col not in frame.columns:
                raise ValueError(f"Unknown value_column {col!r}: not in the input.")
            self._value_col_ = col
            value = _numeric_values(frame[self._value_col_], self._value_col_, type(self).__name__)
            excluded = [self._value_col_]
        if self.columns is None:
            groups = [c for c in frame.columns if c not in excluded]
        else:
            groups = self._resolve_columns(frame)
        if not groups:
            raise ValueError("DPGroupMeanEncoder needs at least one group column.")
        if any(c in excluded for c in groups):
            raise ValueError(
                f"value_column {excluded[0]!r} cannot also be a group column (`columns`): "
                "its group means would encode the value itself."
            )
        self.group_columns_ = groups
        warn_unused_column_keys(self, ("categories",), frame.columns, groups)
        leaked = []
        categories = {}
        for col in groups:
            cats, learnt = _domain(frame[col], (self.categories or {}).get(col), col)
            if learnt:
                leaked.append(col)
            if cats.size == 0 or cats.has_duplicates:
                raise ValueError(f"Group column {col!r} needs a non-empty domain of unique categories.")
            categories[col] = list(cats)
        n_cells = math.prod(len(c) for c in categories.values())
        if n_cells > self.max_groups:
            raise ValueError(
                f"The group domain has {n_cells} cells, more than max_groups={self.max_groups}; "
                "generalize the group columns first."
            )
        bounds_leak = []
        lo, hi = _resolve_bounds(self.bounds, value, self._value_name(), bounds_leak)
        if leaked:
            warnings.warn(
                f"DPGroupMeanEncoder: group categories learnt from the data for {len(leaked)} "
                f"column(s) ({', '.join(map(repr, leaked))}); this releases which "
                f"categories occur; {_LEARNT_DOMAIN_HINT}.",
                PrivacyLeakWarning,
                stacklevel=2,
            )
        _warn_leak(bounds_leak, type(self).__name__)
        _spend_fit(self, self.epsilon)
        self.categories_ = categories
        self.bounds_ = (lo, hi)

        sums, counts = self._group_statistics(frame, value)
        self._release(sums, counts, _s.make_rng(self.random_state))
        self.accountant_.spend(self.epsilon, 0.0)
        return self

    # -- extension points (the one copy of the noisy release; sklearn_anon.dask uses them) --
    def _grid(self):
        """``(lo, hi, mid, step, sensitivity, epsilon_half)`` of the fitted release.

        Values are clipped to ``bounds_``, centred on their midpoint and
        rounded to a power-of-two grid of ``step``; a centred value is at
        most ``sensitivity`` grid steps from 0.  Half of ``epsilon`` goes to
        the sums, half to the counts.
        """
        lo, hi = self.bounds_
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        eps_half = self.epsilon / 2
        step = _s.grid_step(half / eps_half, half, half)
        sens = math.ceil(half / step + 0.5)  # |rint(centred / step)| <= half/step + 1/2
        return lo, hi, mid, step, sens, eps_half

    def _group_statistics(self, frame, value=None):
        """Exact per-cell sums (in grid steps) and counts of ``frame``'s rows.

        Extension point: the statistics of any part of the training data
        (``value`` given, or read from the fitted ``value_column``); sums
        and counts of disjoint parts add up to those of the whole table,
        which is how :func:`sklearn_anon.dask.fit_dask` computes them
        partition by partition before the one :meth:`_release`.
        """
        if value is None:
            value = _numeric_values(frame[self._value_col_], self._value_col_, type(self).__name__)
        lo, hi, mid, step, _, _ = self._grid()
        n_cells = math.prod(len(c) for c in self.categories_.values())
        cell = self._cell_index(frame)
        ok = (cell >= 0) & ~np.isnan(value)
        centred = np.rint((np.clip(value[ok], lo, hi) - mid) / step)
        sums = np.bincount(cell[ok], weights=centred, minlength=n_cells)
        counts = np.bincount(cell[ok], minlength=n_cells).astype(np.float64)
        return sums, counts

    def _release(self, sums, counts, rng):
        """Add the noise to exact ``(sums, counts)`` and set the fitted release.

        Extension point, and the only place the noise is drawn: two-sided
        geometric (discrete Laplace) noise of scale ``sensitivity /
        (epsilon / 2)`` on the sums and ``1 / (epsilon / 2)`` on the counts,
        from ``rng`` in that order; sets ``means_``, ``noisy_counts_`` and
        ``global_mean_``.  Every engine (pandas ``fit``, Dask) calls it once
        per fit with the statistics of the whole training table.
        """
        lo, hi, mid, step, sens, eps_half = self._grid()
        n_cells = len(sums)
        noisy_sums = (sums + _s.two_sided_geometric(rng, sens / eps_half, n_cells)) * step
        noisy_counts = counts + _s.two_sided_geometric(rng, 1 / eps_half, n_cells)
        total_count = noisy_counts.sum()
        glob = mid + noisy_sums.sum() / total_count if total_count >= 1 else mid
        self.global_mean_ = float(np.clip(glob, lo, hi))
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.clip(mid + noisy_sums / noisy_counts, lo, hi)
        means[(noisy_counts < max(self.min_count, 1))] = np.nan
        groups = self.group_columns_
        try:
            index = pd.MultiIndex.from_product([self.categories_[c] for c in groups], names=groups)
        except UnicodeError:  # text Arrow cannot hold (a lone surrogate): object levels
            index = pd.MultiIndex.from_product([_text.object_index(self.categories_[c]) for c in groups],
                                               names=groups)
        if len(groups) == 1:
            index = index.get_level_values(0)
        self.means_ = pd.Series(means, index=index, name=self._value_name() + "_group_mean")
        self.noisy_counts_ = pd.Series(noisy_counts, index=index, name="noisy_count")

    def transform(self, X):
        """Map each row to its group's released mean (deterministic, no budget spent).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the group columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, 1)
            The group mean of each row (the global mean for unknown groups).
        """
        check_is_fitted(self)
        frame, is_pandas = self._validate_frame(X, reset=False)
        cell = self._cell_index(frame)
        table = self.means_.to_numpy()
        out = np.full(len(frame), self.global_mean_)
        known = cell >= 0
        picked = table[cell[known]]
        out[known] = np.where(np.isnan(picked), self.global_mean_, picked)
        result = pd.DataFrame({self.get_feature_names_out()[0]: out}, index=frame.index)
        return output_container(self, result, is_pandas)

    def get_feature_names_out(self, input_features=None):
        """One output feature, ``"<value>_group_mean"``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored beyond the usual consistency check.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray([self._value_name() + "_group_mean"], dtype=object)

    def _privacy_spend(self):
        return [{"kind": "central", "columns": list(self.group_columns_), "epsilon": float(self.epsilon), "delta": 0.0}]

    def _candidate_spend(self, params):
        return [{"kind": "central", "columns": list(self.group_columns_),
                 "epsilon": float(params.get("epsilon", self.epsilon)), "delta": 0.0}]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        tags.target_tags.required = self.value_column is None
        return tags


# -- budget ----------------------------------------------------------------------
@dataclass
class PrivacyBudget:
    """What a fitted pipeline (or a fitted search) spends per record.

    Attributes
    ----------
    epsilon, delta : float
        Total per record: local mechanisms plus central steps (sequential
        composition, a conservative upper bound).  For a search object,
        the composition of every candidate, fold and the refit.
    local_epsilon, local_delta : float
        Spent by the local mechanisms on a record: one ``transform`` for a
        pipeline (its noised columns compose sequentially); for a search,
        every noised transform the record went through.
    central_epsilon, central_delta : float
        Spent on the training set by the central steps (DP statistics and
        DP models learnt in fit); for a search, every fit.
    steps : list of dict
        One entry per DP step (of the refitted best estimator for a
        search): ``name`` (path in the pipeline), ``kind``
        (``"local"``/``"central"``), ``columns``, ``epsilon``, ``delta``.
    search : dict or None
        For a search object: ``candidates``, ``splits``,
        ``releases_per_split`` (noised transforms of a record per candidate
        and split), ``refit`` (True), ``releases`` (noised transforms of a
        record in all: ``candidates * splits * releases_per_split + 1``)
        and ``candidate_epsilon`` (per-record epsilon of one release of
        each candidate).  None otherwise.
    """

    epsilon: float
    delta: float
    local_epsilon: float
    local_delta: float
    central_epsilon: float
    central_delta: float
    steps: list = field(default_factory=list)
    search: dict = None


def _walk(est, path):
    """``(path, leaf estimator)`` for every leaf of a fitted composite."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion, Pipeline

    if hasattr(est, "best_estimator_"):  # a search nested in a pipeline: its refit only
        yield from _walk(est.best_estimator_, path)
    elif isinstance(est, Pipeline):
        for name, step in est.steps:
            if step is not None and not isinstance(step, str):
                yield from _walk(step, [*path, name])
    elif isinstance(est, ColumnTransformer):
        for name, trans, _ in est.transformers_:
            if not isinstance(trans, str):
                yield from _walk(trans, [*path, name])
    elif isinstance(est, FeatureUnion):
        for name, trans in est.transformer_list:
            if not isinstance(trans, str):
                yield from _walk(trans, [*path, name])
    else:
        yield path, est


def _leaf_spends(name, est, params=None):
    """The spend entries of one fitted leaf; ``params`` (a search candidate's
    parameters for this leaf) override its own, when given."""
    if params is not None and hasattr(est, "_candidate_spend"):
        check_is_fitted(est)
        return [{"name": name, **e} for e in est._candidate_spend(params)]
    if hasattr(est, "_privacy_spend"):
        check_is_fitted(est)
        if params and {"epsilon", "delta"} & set(params):
            raise ValueError(
                f"privacy_budget cannot recompute the spend of step {name!r} "
                f"({type(est).__name__}) for the search candidates that change its budget."
            )
        return [{"name": name, **e} for e in est._privacy_spend()]
    if type(est).__module__.startswith("diffprivlib") and hasattr(est, "epsilon"):
        params = params or {}
        return [{
            "name": name,
            "kind": "central",
            "columns": list(getattr(est, "feature_names_in_", [])),
            "epsilon": float(params.get("epsilon", est.epsilon)),
            "delta": float(params.get("delta", getattr(est, "delta", 0.0)) or 0.0),
        }]
    return []


def _pipeline_spends(estimator, params=None):
    """All spend entries of a fitted estimator; ``params`` (``step__param``
    keys, as in a search's candidates) override the leaves' parameters."""
    leaves = list(_walk(estimator, []))
    per_leaf = {}
    if params is not None:
        for key, value in params.items():
            for path, _ in leaves:
                prefix = "__".join(path)
                rest = key[len(prefix) + 2:] if prefix and key.startswith(prefix + "__") else (
                    key if not prefix else None)
                if rest is not None and "__" not in rest:
                    per_leaf.setdefault(prefix, {})[rest] = value
                    break
            else:  # a composite's parameter, or a whole step replaced
                replaces_dp = any(
                    "__".join(path).startswith(key) and _leaf_spends("", est) for path, est in leaves
                )
                if replaces_dp or hasattr(value, "_privacy_spend") or (
                    type(value).__module__.startswith("diffprivlib")
                ):
                    raise ValueError(
                        f"privacy_budget: the search parameter {key!r} replaces a step that "
                        "spends privacy budget (a grid over whole steps), so the candidates' "
                        "spends cannot be recomputed from the fitted best estimator; compose "
                        "them by hand."
                    )
    steps = []
    for path, est in leaves:
        name = "__".join(path) or type(est).__name__
        steps += _leaf_spends(name, est, None if params is None else per_leaf.get("__".join(path), {}))
    return steps


def _sums(steps):
    local = [s for s in steps if s["kind"] == "local"]
    central = [s for s in steps if s["kind"] == "central"]
    return (
        math.fsum(s["epsilon"] for s in local), math.fsum(s["delta"] for s in local),
        math.fsum(s["epsilon"] for s in central), math.fsum(s["delta"] for s in central),
    )


def _search_budget(search):
    """The composition of a fitted GridSearchCV / RandomizedSearchCV / Halving*SearchCV."""
    if not hasattr(search, "best_estimator_"):
        raise ValueError(
            f"privacy_budget needs the {type(search).__name__} fitted with refit=True "
            "(best_estimator_): the candidates' spends are computed on the fitted steps."
        )
    candidates = list(search.cv_results_["params"])
    splits = int(search.n_splits_)
    scorer = getattr(search, "scorer_", None)
    n_scorers = len(scorer) if isinstance(scorer, dict) else 1
    passes = max(n_scorers, 1 + (n_scorers if getattr(search, "return_train_score", False) else 0))
    best = _pipeline_spends(search.best_estimator_)
    le, ld, ce, cd = _sums(best)  # the refit: one fit and one transform of the training set
    cand_eps = []
    for params in candidates:
        c_le, c_ld, c_ce, c_cd = _sums(_pipeline_spends(search.best_estimator_, params))
        cand_eps.append(c_le + c_ce)
        le += splits * passes * c_le
        ld += splits * passes * c_ld
        ce += splits * c_ce
        cd += splits * c_cd
    info = {
        "candidates": len(candidates),
        "splits": splits,
        "releases_per_split": passes,
        "refit": True,
        "releases": len(candidates) * splits * passes + 1,
        "candidate_epsilon": cand_eps,
    }
    return PrivacyBudget(
        epsilon=le + ce, delta=min(ld + cd, 1.0), local_epsilon=le, local_delta=ld,
        central_epsilon=ce, central_delta=cd, steps=best, search=info,
    )


def privacy_budget(estimator):
    """Per-record privacy spend of a fitted estimator, Pipeline, ColumnTransformer or search.

    Local mechanisms (:class:`LaplaceNoise`, :class:`GaussianNoise`,
    :class:`RandomizedResponse`) add up over every column they noise: the
    columns belong to the same record, so they compose sequentially (a
    chain of local mechanisms on one column is also summed, conservatively).
    Central steps (:class:`DPGroupMeanEncoder`, :class:`DPKBinsDiscretizer`,
    diffprivlib models such as ``GaussianNB``) are listed with the epsilon
    they spent in fit, and added to the total.  For a pipeline, the figure
    is one release: every later ``transform`` of the same records spends
    it again.

    **Searches.**  A fitted ``GridSearchCV``, ``RandomizedSearchCV``,
    ``HalvingGridSearchCV`` or ``HalvingRandomSearchCV`` did not make one
    release: every record went through a noised transform for every
    candidate and split (as a training row in ``fit``, or as a test row
    when scored), then once more in the refit, and the best parameters
    were chosen from those outputs.  The reported budget is that
    composition: for each candidate, ``splits * releases_per_split`` times
    its local spend plus ``splits`` times its central spend, plus the
    refit's (``releases_per_split`` is the number of scorers, plus one for
    training rows when ``return_train_score``: a conservative count; a
    callable scorer that returns several scores counts as one).  A
    grid of 4 candidates over 3 folds is 13 releases.  ``steps`` lists the
    refitted best estimator's steps; ``search`` details the composition.
    ``cross_val_score`` / ``cross_validate`` return no object to inspect:
    their cost is ``splits`` times :func:`privacy_budget` of the pipeline
    (per scorer), which you add yourself.

    A search made private would need more than this accounting: choosing
    the best candidate from noisy scores is itself a release about the
    data.  The options are a private selection (the exponential mechanism
    over candidates' scores, or Liu & Talwar 2019 / Papernot & Steinke
    2022 "hyperparameter tuning with Renyi DP", whose cost is a small
    multiple of one candidate's instead of the sum over all), or tuning on
    a separate public or already-released data set and fitting once on the
    private one.  The package implements none of these: the composition
    above is what a plain search costs.

    Parameters
    ----------
    estimator : fitted estimator
        A fitted Pipeline, ColumnTransformer, FeatureUnion, search
        (``refit=True``) or single estimator.

    Returns
    -------
    budget : PrivacyBudget

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.compose import ColumnTransformer
    >>> from sklearn_anon import LaplaceNoise, RandomizedResponse, privacy_budget
    >>> X = pd.DataFrame({"age": [30, 40], "income": [1.0, 2.0], "sex": ["F", "M"]})
    >>> ct = ColumnTransformer([
    ...     ("num", LaplaceNoise(epsilon={"age": 0.5, "income": 0.3},
    ...                          bounds=(0, 100)), ["age", "income"]),
    ...     ("cat", RandomizedResponse(epsilon=0.2, categories=["F", "M"]), ["sex"]),
    ... ]).fit(X)
    >>> budget = privacy_budget(ct)
    >>> round(budget.epsilon, 10), [s["epsilon"] for s in budget.steps]
    (1.0, [0.8, 0.2])
    """
    check_is_fitted(estimator)
    if hasattr(estimator, "cv_results_") and hasattr(estimator, "n_splits_"):
        return _search_budget(estimator)
    steps = _pipeline_spends(estimator)
    le, ld, ce, cd = _sums(steps)
    return PrivacyBudget(
        epsilon=le + ce, delta=min(ld + cd, 1.0), local_epsilon=le, local_delta=ld,
        central_epsilon=ce, central_delta=cd, steps=steps,
    )
