"""Privacy accounting: :class:`SharedAccountant` and :func:`privacy_budget`.

:class:`SharedAccountant` is a budget accountant whose spends live in a
ledger file, so that clones, pickles and worker processes spend on the same
budget.  :func:`privacy_budget` walks a fitted ``Pipeline`` /
``ColumnTransformer`` / search and reports what it spends per record
(:class:`PrivacyBudget`).
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
import warnings
import weakref
from dataclasses import dataclass, field

from sklearn.utils.validation import check_is_fitted

from .._compat import BudgetAccountant
from .._pipeline import leaves as _walk
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator
    from typing import Sequence
    from .._typing import PathLike, Self


# -- accountants -------------------------------------------------------------------------
try:  # POSIX advisory locks; elsewhere appends stay atomic, check-then-spend is per process
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # mypy checks for one platform, where fcntl exists

#: SharedAccountant instances of this process, by ledger path (one object per ledger)
_SHARED: weakref.WeakValueDictionary[str, SharedAccountant] = weakref.WeakValueDictionary()
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
    epsilon : float, default=inf
        The epsilon budget, as for :class:`~diffprivlib.accountant.BudgetAccountant`.
    delta : float, default=1.0
        The delta budget.
    slack : float, default=0.0
        The slack allowed when composing spends (advanced composition).
    spent_budget : list of tuple, optional
        Spends ``(epsilon, delta)`` already made.
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

    def __init__(
        self,
        epsilon: float = float("inf"),
        delta: float = 1.0,
        slack: float = 0.0,
        spent_budget: Sequence[tuple[float, float]] | None = None,
        *,
        path: PathLike | None = None,
    ) -> None:
        owned = path is None
        if path is None:
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
    def path(self) -> str:
        """The ledger file."""
        return self._path

    @property
    def spent_budget(self) -> list[tuple[float, float]]:
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

    def spend(self, epsilon: float, delta: float) -> Self:
        """Check and record ``(epsilon, delta)`` in the ledger, atomically.

        Parameters
        ----------
        epsilon, delta : float
            The spend.

        Returns
        -------
        self : SharedAccountant
            The accountant, with the spend recorded in the shared ledger.
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


# -- budget ----------------------------------------------------------------------
@dataclass
class PrivacyBudget:
    """What a fitted pipeline (or a fitted search) spends per record.

    Returned by :func:`privacy_budget`; each parameter is an attribute of
    the same name.

    Parameters
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

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import LaplaceNoise, privacy_budget
    >>> X = pd.DataFrame({"age": [30, 40]})
    >>> budget = privacy_budget(LaplaceNoise(epsilon=0.5, bounds=(0, 100)).fit(X))
    >>> budget.epsilon, budget.local_epsilon, budget.central_epsilon
    (0.5, 0.5, 0.0)
    >>> [(step["name"], step["kind"], step["epsilon"]) for step in budget.steps]
    [('LaplaceNoise', 'local', 0.5)]
    """

    epsilon: float
    delta: float
    local_epsilon: float
    local_delta: float
    central_epsilon: float
    central_delta: float
    steps: list = field(default_factory=list)
    search: dict | None = None


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


def privacy_budget(estimator: BaseEstimator) -> PrivacyBudget:
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
        The per-record epsilon and delta, with the steps that spend them.

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
