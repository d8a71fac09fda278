"""Privacy scorers: privacy beside accuracy in one grid search.

:func:`make_privacy_scorer` returns a scorer ``scorer(estimator, X, y)``
that finds the fitted anonymizing step inside the estimator (a step of a
:class:`~sklearn.pipeline.Pipeline`, possibly nested, e.g.
``"preprocess__mondrian"`` for a transformer inside a
:class:`~sklearn.compose.ColumnTransformer`) and measures what it released:

* ``on="release"`` (default): the anonymized data the step was fitted on,
  i.e. the training fold in a grid search, as the step wrote it
  (``fit_transform``; recorded by reference in this process, see
  :mod:`sklearn_anon._fit_record`).  This is the table a data owner would
  hand over, so ``k`` of a Mondrian with ``k=5`` is at least 5.  A copy of
  the step made in another process (joblib's Dask backend returns a
  ColumnTransformer's parts as copies) carries the class-size histogram of
  its release, enough for the measures computed from class sizes alone
  (``CLASS_SIZE_MEASURES``); any other measure of such a copy raises a
  ValueError (NaN in a search), never falls back on the held-out data.
* ``on="scoring_data"``: the scoring data (the held-out fold) fed to the
  fitted step the way the pipeline would (through the steps before it, and
  the columns the column transformer gives it).  This measures how the
  fitted regions or bins generalize *new* records, which is a different
  question: a Mondrian fitted with ``k=100`` can give ``k=1`` on new data,
  because nothing forces new records to fill its regions.

::

    GridSearchCV(
        pipe,
        {"anon__k": [5, 10, 50], "clf__C": [0.1, 1.0]},
        scoring={
            "accuracy": "accuracy",
            "k": make_privacy_scorer("k", step="anon", quasi_identifiers=QIS),
            "neg_uniqueness": make_privacy_scorer("uniqueness", step="anon",
                                                  quasi_identifiers=QIS),
        },
        refit="accuracy",
    )

Sign convention (scikit-learn's): a scorer is maximized.  Measures where
greater is better (``k``, ``l``) are returned as they are; measures where
smaller is better (uniqueness, risks, ``t``, information loss) are returned
negated, like scikit-learn's ``neg_mean_squared_error``; name them
``neg_...`` in the ``scoring`` dict.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from .._fit_record import fit_input, fit_output, paused, release_summary
from .._frames import as_frame
from .._pipeline import children, is_composite, is_estimator, select_columns, unwrap
from ._anonymizer import Precomputed
from ._attacks import homogeneity_attack, linkage_attack
from ._ncp import ncp
from ._privacy_models import (
    average_class_size,
    discernibility,
    k_anonymity,
    l_diversity,
    t_closeness,
)
from ._risk import (
    marketer_risk,
    prosecutor_risk,
    records_below_k,
    sample_uniqueness,
)
from ._tables import check_table
from ._utility import entropy_loss
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Callable, Literal, Mapping, Sequence
    from .._typing import HierarchyLike

__all__ = ["PRIVACY_MEASURES", "make_privacy_scorer", "without_release_record"]


def _needs_sensitive(kwargs):
    if kwargs.get("sensitive") is None:
        raise ValueError("This measure needs the sensitive column: pass sensitive=...")
    return kwargs["sensitive"]


def _reidentification(released, original, qis, **kw):
    aux = original[qis].reset_index(drop=True)
    res = linkage_attack(
        released.reset_index(drop=True), aux, qis, truth=np.arange(len(aux)),
        hierarchies=kw.get("hierarchies"),
    )
    return res["reidentification_rate"]


def _ncp(released, original, qis, **kw):
    """NCP of the step's output, reading custom labels through the fitted step.

    ``kw["anonymizer"]`` is the scored pipeline's own fitted anonymizing
    step (its output on this data already computed), so that custom labels
    (``"Middle"``, a ZIP3 ``"021"``) are costed from what the step maps to
    them.  A column NCP still cannot cost raises a ValueError naming it: a
    grid search must not average NaN scores silently.
    """
    total, per_column = ncp(original, released, qis, hierarchies=kw.get("hierarchies"),
                            anonymizer=kw.get("anonymizer"), return_per_column=True)
    unknown = [str(c) for c, v in per_column.items() if np.isnan(v)]
    if unknown:
        raise ValueError(
            f"NCP cannot cost column(s) {unknown!r}: their released labels are neither "
            "values, intervals nor sets, and the anonymizing step does not say what they "
            "cover. Pass hierarchies={column: hierarchy} for hierarchy labels, or use an "
            "anonymizer that writes intervals or sets."
        )
    return total


#: name -> (function(released, original, quasi_identifiers, **kw), greater_is_better)
PRIVACY_MEASURES: dict[str, tuple[Callable[..., float], bool]] = {
    "k": (lambda rel, orig, q, **kw: k_anonymity(rel, q), True),
    "l": (lambda rel, orig, q, **kw: l_diversity(rel, q, _needs_sensitive(kw)), True),
    "l_entropy": (
        lambda rel, orig, q, **kw: l_diversity(rel, q, _needs_sensitive(kw), kind="entropy"),
        True,
    ),
    "t": (lambda rel, orig, q, **kw: t_closeness(rel, q, _needs_sensitive(kw)), False),
    "uniqueness": (lambda rel, orig, q, **kw: sample_uniqueness(rel, q), False),
    "records_below_k": (
        lambda rel, orig, q, **kw: records_below_k(rel, q, kw.get("k") or 5),
        False,
    ),
    "prosecutor_max": (
        lambda rel, orig, q, **kw: prosecutor_risk(rel, q)["max"], False
    ),
    "prosecutor_mean": (
        lambda rel, orig, q, **kw: prosecutor_risk(rel, q)["mean"], False
    ),
    "prosecutor_share": (
        lambda rel, orig, q, **kw: prosecutor_risk(
            rel, q, threshold=kw.get("threshold") or 0.2
        )["share_above_threshold"],
        False,
    ),
    "marketer": (lambda rel, orig, q, **kw: marketer_risk(rel, q), False),
    "homogeneity": (
        lambda rel, orig, q, **kw: homogeneity_attack(rel, q, _needs_sensitive(kw)),
        False,
    ),
    "reidentification": (_reidentification, False),
    "discernibility": (lambda rel, orig, q, **kw: discernibility(rel, q), False),
    "average_class_size": (
        lambda rel, orig, q, **kw: average_class_size(
            rel, q, kw.get("k") or k_anonymity(rel, q)
        ),
        False,
    ),
    "ncp": (_ncp, False),
    "entropy_loss": (
        lambda rel, orig, q, **kw: float(entropy_loss(orig, rel, q)["loss"].mean()),
        False,
    ),
}

#: the measures computed from the equivalence-class sizes alone: those a step
#: copied to another process can still be scored on (its pickled release summary)
CLASS_SIZE_MEASURES = frozenset({
    "k", "uniqueness", "records_below_k", "prosecutor_max", "prosecutor_mean",
    "prosecutor_share", "marketer", "discernibility", "average_class_size",
})

# -- finding the fitted step and its input ------------------------------------------


def find_step(estimator, step, X, *, transform=True):
    """Fitted sub-estimator named by ``step`` (``"a__b"``) and the data it receives.

    Walks Pipelines (transforming ``X`` through the steps before the named
    one, unless ``transform`` is False), ColumnTransformers (selecting the
    columns of the named transformer; fitted ``transformers_``) and
    FeatureUnions.
    """
    parts = step.split("__")
    current, data = estimator, X
    walked = []
    for name in parts:
        walked.append(name)
        current = unwrap(current)
        held = children(current)
        names = [n for n, _, _ in held]
        if isinstance(current, ColumnTransformer) and not hasattr(current, "transformers_"):
            raise ValueError(f"The ColumnTransformer holding {step!r} is not fitted.")
        if not is_composite(current):
            raise ValueError(
                f"Cannot find step {step!r}: {type(current).__name__} holds no named steps."
            )
        if name not in names:
            where = "__".join(walked)
            if isinstance(current, Pipeline):
                raise ValueError(f"No step {where!r} in the pipeline (steps: {names!r}).")
            if isinstance(current, ColumnTransformer):
                raise ValueError(
                    f"No transformer {where!r} in the ColumnTransformer (transformers: {names!r})."
                )
            raise ValueError(f"No transformer {where!r} in the {type(current).__name__}.")
        pos = names.index(name)
        _, part, columns = held[pos]
        if transform and isinstance(current, Pipeline):  # through the steps before it
            for _, prev, _ in held[:pos]:
                if is_estimator(prev):
                    data = prev.transform(data)
        elif transform and columns is not None:  # the columns the transformer is given
            data = select_columns(data, columns)
        current = part
        if not is_estimator(current):
            raise ValueError(f"Step {step!r} is {current!r}: there is no transformer to score.")
    return current, data


class _PrivacyScorer:
    """Callable ``scorer(estimator, X, y=None)`` made by :func:`make_privacy_scorer`."""

    def __init__(self, measure, step, quasi_identifiers, greater_is_better, kwargs, on="release"):
        self.measure = measure
        self.step = step
        self.on = on
        self.quasi_identifiers = quasi_identifiers
        self.greater_is_better = greater_is_better
        self.kwargs = kwargs
        self._sign = 1 if greater_is_better else -1

    def __repr__(self):
        name = self.measure if isinstance(self.measure, str) else getattr(
            self.measure, "__name__", "measure"
        )
        sign = "" if self.greater_is_better else ", greater_is_better=False"
        on = "" if self.on == "release" else f", on={self.on!r}"
        return f"make_privacy_scorer({name!r}, step={self.step!r}{sign}{on})"

    def _step(self, estimator, X, *, transform):
        if self.step is None:
            return (unwrap(estimator) if not transform else estimator), X
        return find_step(estimator, self.step, X, transform=transform)

    def _name(self, step):
        return self.step or type(step).__name__

    def released(self, estimator, X, *, return_step=False):
        """The step's released table and its input (and the step).

        ``on="release"``: the output of the step on the data it was fitted
        on, as this process recorded it (a ValueError when it did not);
        ``on="scoring_data"``: its output on ``X``.
        """
        release = self.on == "release"
        step, data = self._step(estimator, X, transform=not release)
        if release:
            data, out = fit_input(step), fit_output(step)
            if data is None:
                raise ValueError(self._unknown_release(step))
            if out is None:  # fitted by fit() alone (e.g. the last step of a pipeline)
                out = step.transform(data)
        else:
            out = step.transform(data)
        out = as_frame(out, step)
        if not isinstance(data, pd.DataFrame):
            data = pd.DataFrame(np.asarray(data), columns=list(out.columns)[: np.shape(data)[1]])
        if return_step:
            return out.reset_index(drop=True), data.reset_index(drop=True), step
        return out.reset_index(drop=True), data.reset_index(drop=True)

    def _unknown_release(self, step, reason=None):
        reason = reason or (
            "it was not fitted in this process and carries no release summary (it was "
            "unpickled after a fit() without fit_transform, or it is a DP mechanism, or it "
            "was fitted or pickled inside sklearn_anon.metrics.without_release_record(), or fitted "
            "outside sklearn_anon's estimators)")
        return (
            f"The release of step {self._name(step)!r} cannot be measured here: {reason}. "
            "Pass on='scoring_data' to measure the scoring data pushed through the fitted "
            "step instead (a different question), or fit and score in one process.")

    def _class_sizes(self, step):
        """The release's class sizes as one-column table, from the summary a copy carries."""
        summary = release_summary(step)
        if summary is None:
            raise ValueError(self._unknown_release(step))
        if callable(self.measure) or self.measure not in CLASS_SIZE_MEASURES:
            name = getattr(self.measure, "__name__", "measure") if callable(self.measure) \
                else self.measure
            raise ValueError(self._unknown_release(step, (
                f"the measure {name!r} needs the released table, which is known only in "
                "the process that fitted the step, and this step is a copy made elsewhere "
                "(e.g. a ColumnTransformer's part under joblib's Dask backend); a copy "
                "carries the class sizes of its release only, enough for the measures "
                f"{sorted(CLASS_SIZE_MEASURES)!r}")))
        outputs, inputs = summary["output_columns"], summary["input_columns"]
        qis = self.quasi_identifiers
        if qis is None:
            sensitive = self.kwargs.get("sensitive")
            qis = [c for c in outputs if c != sensitive and c in inputs]
        qis = [qis] if isinstance(qis, str) else list(qis)
        missing = [q for q in qis if q not in outputs]
        if missing:
            raise ValueError(f"the anonymized release: column(s) {missing!r} not found.")
        if not qis:
            raise ValueError("the anonymized release: no quasi-identifier to measure.")
        for entry in summary["classes"]:
            if set(entry["columns"]) == set(qis) and len(entry["columns"]) == len(qis):
                sizes = np.asarray(entry["sizes"], dtype=np.int64)
                counts = np.asarray(entry["counts"], dtype=np.int64)
                if not len(sizes):
                    raise ValueError("the anonymized release: the table is empty.")
                # one row per released row, one value per class: the measures see the
                # same classes (no value of the release is in the summary)
                classes = np.repeat(np.arange(int(counts.sum())), np.repeat(sizes, counts))
                return pd.DataFrame({"class": classes}), ["class"]
        covered = [entry["columns"] for entry in summary["classes"]]
        raise ValueError(self._unknown_release(step, (
            f"it is a copy made in another process, and the class sizes it carries are over "
            f"the column sets {covered!r}, not over {qis!r}; score those quasi-identifiers "
            "(the step's quasi-identifiers or all its columns)")))

    def __call__(self, estimator, X, y=None, **kwargs):
        if self.on == "release":
            step, _ = self._step(estimator, X, transform=False)
            if fit_input(step) is None:  # a copy fitted in another process
                table, qis = self._class_sizes(step)
                value = PRIVACY_MEASURES[self.measure][0](table, None, qis, **self.kwargs)
                return self._sign * float(value)
        released, original, step = self.released(estimator, X, return_step=True)
        kw = self.kwargs
        if self.measure == "ncp":  # NCP reads custom labels through the fitted step itself
            kw = {**kw, "anonymizer": Precomputed(step, released)}
        qis = self.quasi_identifiers
        sensitive = self.kwargs.get("sensitive")
        if qis is None:
            qis = [c for c in released.columns if c != sensitive and c in original.columns]
        check_table(released, qis, sensitive, name="the anonymized scoring data")
        if callable(self.measure):
            value = self.measure(released, original, qis, **kw)
        else:
            value = PRIVACY_MEASURES[self.measure][0](released, original, qis, **kw)
        return self._sign * float(value)


def without_release_record() -> AbstractContextManager[None]:
    """Fit and pickle anonymizers without keeping a record of their release.

    Inside this block (in this thread) a fit records nothing for
    :func:`make_privacy_scorer` (``on="release"``) and a pickled column
    anonymizer carries no release summary (the class-size histogram of its
    training release that lets a copy scored in another process report
    ``k``).  Use it to hand a fitted pipeline over with nothing in it but
    its fitted parameters; the command line fits inside it.

    Returns
    -------
    context : contextlib.AbstractContextManager
        A context manager for a ``with`` block.

    See Also
    --------
    make_privacy_scorer : The scorer that reads the records.

    Examples
    --------
    >>> import pickle
    >>> import pandas as pd
    >>> from sklearn_anon import MondrianAnonymizer
    >>> from sklearn_anon.metrics import without_release_record
    >>> X = pd.DataFrame({"age": range(40)})
    >>> with without_release_record():
    ...     est = MondrianAnonymizer(k=5).fit(X)
    ...     est.fit_transform(X).shape
    ...     blob = pickle.dumps(est)
    (40, 1)
    >>> hasattr(pickle.loads(blob), "_release_summary")
    False
    """
    return paused()


def make_privacy_scorer(
    measure: str | Callable[..., Any],
    *,
    step: str | None = None,
    quasi_identifiers: Sequence[str] | None = None,
    sensitive: str | None = None,
    greater_is_better: bool | None = None,
    k: int | None = None,
    threshold: float | None = None,
    hierarchies: Mapping[Any, HierarchyLike] | None = None,
    on: Literal["release", "scoring_data"] = "release",
) -> Callable[..., Any]:
    """Make a scorer that measures the privacy of a pipeline's anonymizing step.

    The scorer takes a fitted estimator (typically a Pipeline), finds its
    fitted step ``step`` and returns the measure of what the step released:
    by default the anonymized data it was fitted on (the training fold of a
    grid search), or, with ``on="scoring_data"``, the output of its
    ``transform`` on the scoring data (after the steps before it, and on the
    columns a ColumnTransformer gives it).  Use it in ``scoring={...}`` of
    :class:`~sklearn.model_selection.GridSearchCV` to see privacy beside
    accuracy in ``cv_results_``.

    Parameters
    ----------
    measure : str or callable
        One of ``PRIVACY_MEASURES``: ``"k"``, ``"l"``, ``"l_entropy"``,
        ``"t"`` (the last three need ``sensitive``), ``"uniqueness"``,
        ``"records_below_k"``, ``"prosecutor_max"``, ``"prosecutor_mean"``,
        ``"prosecutor_share"``, ``"marketer"``, ``"homogeneity"`` (needs
        ``sensitive``), ``"reidentification"`` (linkage attack with the
        step's raw input as the auxiliary table), ``"discernibility"``,
        ``"average_class_size"``, ``"ncp"`` (custom labels costed through
        the fitted step; a ValueError names any column it still cannot
        cost), ``"entropy_loss"``.  Or a
        callable ``measure(released, original, quasi_identifiers, **kw)``
        returning a float (``greater_is_better`` then defaults to True).
    step : str or None, default=None
        Name of the anonymizing step; nested names use ``__``
        (``"preprocess__mondrian"``).  None scores the estimator itself (an
        anonymizer fitted on its own).
    quasi_identifiers : list of str or None, default=None
        Columns of the step's output to measure; None takes every output
        column that is also an input column, except ``sensitive``.
    sensitive : str or None, default=None
        Sensitive column of the step's output (for l, t, homogeneity).
    greater_is_better : bool or None, default=None
        Sign of the score.  None uses the measure's own convention: True for
        ``k``, ``l``, ``l_entropy``, False (negated scores) for the others.
    k : int or None, default=None
        For ``records_below_k`` (default 5) and ``average_class_size``
        (default: the achieved k).
    threshold : float or None, default=None
        Risk threshold for ``prosecutor_share`` (default 0.2).
    hierarchies : dict or None, default=None
        ``{column: hierarchy}`` for ``ncp`` and ``reidentification``.
    on : {"release", "scoring_data"}, default="release"
        What is measured.  ``"release"``: the step's output on the data it
        was fitted on, as ``fit_transform`` wrote it (a step fitted by
        ``fit`` alone, such as the last step of a pipeline, is run on that
        data again); this is the table a data owner would hand over, and
        the measure a grid search over ``k`` should report.  The fitted data
        is found by reference in the fitting process (also from a copy made
        there, through the fit's random token), never stored in the
        estimator.  A copy made in another process (a ColumnTransformer's
        part under joblib's Dask backend, a pipeline unpickled elsewhere)
        carries, if it is a column anonymizer fitted by ``fit_transform``,
        the equivalence-class size histogram of its release over all its
        columns, its ``quasi_identifiers_`` and its ``columns_`` (no value;
        none for the DP mechanisms): the class-size measures (``k``,
        ``uniqueness``, ``records_below_k``, ``prosecutor_*``,
        ``marketer``, ``discernibility``, ``average_class_size``) of those
        column sets are computed from it, with the same values.  Anything
        else cannot be measured on such a copy and raises a ValueError that
        says why (a grid search scores NaN with a warning): the scorer fails
        closed, it never measures the scoring data instead.  The Dask user
        guide says what the histogram reveals (nothing about a person that
        the release does not).  ``"scoring_data"``: the step's output on the
        scoring data ``X`` (the held-out fold), i.e. how the fitted regions
        or bins generalize new records; for a Mondrian this is usually far
        below its ``k``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn_anon import IntervalGeneralizer
    >>> from sklearn_anon.metrics import make_privacy_scorer
    >>> X = pd.DataFrame({"age": [21, 25, 33, 38, 52, 57]})
    >>> pipe = Pipeline([("anon", IntervalGeneralizer(bins=[0, 30, 40, 100]))]).fit(X)
    >>> make_privacy_scorer("k", step="anon")(pipe, X)
    2.0
    >>> make_privacy_scorer("uniqueness", step="anon")(pipe, X)
    -0.0
    >>> new = pd.DataFrame({"age": [22, 41]})  # one record per bin: k of the new data is 1
    >>> make_privacy_scorer("k", step="anon", on="scoring_data")(pipe, new)
    1.0
    >>> make_privacy_scorer("k", step="anon")(pipe, new)  # the release: the fitted data
    2.0
    """
    if callable(measure):
        gib = True if greater_is_better is None else bool(greater_is_better)
    elif isinstance(measure, str) and measure in PRIVACY_MEASURES:
        gib = PRIVACY_MEASURES[measure][1] if greater_is_better is None else bool(greater_is_better)
    else:
        raise ValueError(
            f"Unknown privacy measure {measure!r}; use a callable or one of "
            f"{sorted(PRIVACY_MEASURES)!r}."
        )
    if step is not None and not isinstance(step, str):
        raise TypeError("step must be the name of a pipeline step (a str) or None.")
    if on not in ("release", "scoring_data"):
        raise ValueError(f"on must be 'release' or 'scoring_data', got {on!r}.")
    if measure in ("l", "l_entropy", "t", "homogeneity") and sensitive is None:
        raise ValueError(f"The measure {measure!r} needs sensitive=<column>.")
    kwargs = {"sensitive": sensitive, "k": k, "threshold": threshold, "hierarchies": hierarchies}
    return _PrivacyScorer(measure, step, quasi_identifiers, gib, kwargs, on=on)
