"""The privacy report: is this release good enough to share?

:class:`PrivacyReport` puts side by side the raw and the anonymized table:
privacy models (k, l, t), re-identification risk, a linkage attack that uses
the raw quasi-identifiers as the attacker's auxiliary table, the homogeneity
attack, information loss, and identifier-like columns left in the release.
It gives a verdict against thresholds and renders as a dict, Markdown or a
self-contained HTML page (plots embedded as PNG when matplotlib is
installed: ``pip install sklearn-anon[plot]``).

On request (``weights=``, ``sampling_fraction=``, ``suda=``,
``max_global_risk=``) it adds sdcMicro's record-level risk: the individual
risk with sampling weights and the expected number of re-identifications,
the population uniqueness estimated from the sample (Pitman), and SUDA's
special uniques.

With the fitted anonymizer (``anonymizer=``) the linkage attack generalizes
the raw quasi-identifiers the way the release did and NCP reads custom
labels from the fitted bins; without it, columns whose labels cannot be
interpreted are named in the report, which then calls its linkage figures a
lower bound and their NCP unknown.

The report names columns and shows aggregate figures only; no cell value of
either table appears in it.
"""

from __future__ import annotations

import base64
import io
import math
import warnings as _warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .._html import element, escape, table
from .._html import page as html_page
from ._anonymizer import Precomputed, generalize_with
from ._attacks import homogeneity_attack, linkage_attack
from ._individual_risk import _check_weights, _risk_threshold, individual_risk
from ._population import population_uniqueness
from ._privacy_models import l_diversity, t_closeness
from ._risk import column_cardinality
from ._suda import suda_scores
from ._tables import _check_k, _check_threshold, check_table, class_row_sizes
from ._utility import distribution_distance, entropy_loss, information_loss
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from sklearn.base import BaseEstimator
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from typing import Any, Callable, Mapping, Sequence
    from .._typing import ArrayLike, HierarchyLike, PathLike

__all__ = ["PrivacyReport"]


def _fmt(value, digits=4):
    """A figure for Markdown/HTML: ints with separators, floats rounded."""
    if value is None:
        return "n/a"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real):
        if math.isnan(value):
            return "n/a"
        if math.isinf(value):
            return "inf"
        return f"{float(value):.{digits}g}" if abs(value) < 1e4 else f"{float(value):,.0f}"
    return str(value)


def _pct(value):
    return "n/a" if value is None else f"{100 * float(value):.2f}%"


def _pct_or(limit, measure):
    """A limit as a share (uniqueness, rates) or as a number (t)."""
    return _fmt(limit) if measure == "t" else _pct(limit)



def _linkage_on_own_classes(anon, orig, qis, cached, row_sizes):
    """The linkage figures on the release, without the join, when it is the generalized original.

    When ``cached`` (the anonymizer, with its output on ``orig`` precomputed)
    generalizes the original to the release itself, row for row, a
    record's candidates are its own equivalence class (what
    :func:`~sklearn_anon.metrics.linkage_attack` finds through
    ``match_records``): its count is its class size ``row_sizes`` and a
    unique record matches itself, its true identity.  Returns the three
    figures :func:`linkage_attack` would give, or None when the tables
    differ (then the attack is run).
    """
    from ._matching import _same_values

    generalized = generalize_with(cached, orig, list(qis), as_objects=False)
    if len(generalized) != len(anon) or not _same_values(anon, generalized, list(qis)):
        return None
    rate = float(np.mean(row_sizes == 1))
    return {"unique_match_rate": rate, "reidentification_rate": rate,
            "mean_candidates": float(row_sizes.mean())}


class PrivacyReport:
    """Privacy and utility report of an anonymized table, with a verdict.

    Parameters
    ----------
    original : DataFrame
        The raw table.
    anonymized : DataFrame
        The anonymized table: the same records in the same order (what an
        anonymizer's ``transform`` returns), with the quasi-identifier
        columns (and ``sensitive`` when given).
    quasi_identifiers : list of str
        The columns an attacker may know about a person.
    sensitive : str or None, default=None
        The sensitive column, for l-diversity, t-closeness and the
        homogeneity attack.
    k : int, default=5
        Class size a record should at least hide in: records in smaller
        classes are counted (``records_below_k``).
    risk_threshold : float in (0, 1], default=0.2
        Prosecutor risk above which a record is *at risk*.
    max_uniqueness : float in (0, 1], default=0.05
        The release is insufficient when more than this share of its
        records are unique on the quasi-identifiers.
    max_reidentification : float in (0, 1], default=0.05
        The release is insufficient when the linkage attack (raw
        quasi-identifiers plus an identity per record as auxiliary table)
        re-identifies more than this share of its records.
    min_k : int or None, default=None
        The release is insufficient when its k is below it; None requires
        ``k`` itself (a k=1 release is never sufficient by default).
    min_l : int or None, default=None
        If set (needs ``sensitive``), the release is insufficient when its
        distinct l-diversity is below it.
    max_t : float in (0, 1] or None, default=None
        If set (needs ``sensitive``), the release is insufficient when its
        t-closeness is above it.
    max_homogeneity : float in [0, 1] or None, default=None
        If set (needs ``sensitive``), the release is insufficient when the
        homogeneity attack discloses the sensitive value of more than this
        share of the records.
    allowed_identifiers : list of str or None, default=None
        Columns outside the quasi-identifiers that may have nearly one value
        per record (e.g. a keyed pseudonym the data owner re-joins on).  Any
        other such column makes the release insufficient: it acts as an
        identifier.
    hierarchies : dict or None, default=None
        ``{column: hierarchy}`` for quasi-identifiers released as hierarchy
        nodes (linkage matching, NCP, distribution distance).
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, callable or None, default=None
        The fitted anonymizer that produced ``anonymized``.  With it the
        linkage attack generalizes the raw quasi-identifiers the way the
        release did and joins on equal generalized values (a realistic
        attacker knows the public generalization scheme), and NCP reads
        what custom labels (``"Middle"``, ``"OTHER"``, ``"35-44"`` age bands
        of a birth date) cover from the fitted bins.  Without it, columns
        whose released labels the report cannot interpret (neither raw
        values, nor intervals, sets, ``"*"`` or hierarchy nodes) are left
        out of the linkage matching, listed in ``linkage_interpretation``
        (with ``lower_bound: True``: the linkage figures then understate
        the risk), in the rendered report and in a ``UserWarning``; their
        NCP is reported as unknown, not as a total loss.
    title : str, default="Privacy report"
        Heading of the rendered report.
    verdict_only : bool, default=False
        Measure only what the verdict and the before/after privacy figures
        need: no information loss (NCP, discernibility, entropy loss,
        distribution distance, correlation drift, per column) and no linkage
        attack on the original table, none of which enters the verdict.
        Seconds instead of minutes on millions of rows (what
        ``sklearn-anon anonymize`` does when no report file is asked for);
        the figures left out are ``None`` in :attr:`results_` and "n/a" in
        a rendered report.
    weights : str, array-like of shape (n_samples,) or None, default=None
        Sampling weights of the records (a column of ``original`` or the
        values, each >= 1).  Asks for the record-level risk section: the
        individual risk of :func:`individual_risk` (Benedetti-Franconi)
        and the expected number of re-identifications of
        :func:`global_risk`, for both tables; the sampling fraction is
        then ``n / sum(weights)`` unless given.  Without weights (but with
        another record-level option) the tables count as the population
        and the individual risk is ``1 / class size``.
    sampling_fraction : float in (0, 1] or None, default=None
        Share of the population the records are.  Asks for the
        record-level risk section with the population uniqueness of
        :func:`population_uniqueness` (Pitman model), which needs it (or
        ``weights``), and sets the DIS-SUDA sampling fraction.
    suda : bool or int, default=False
        Add SUDA's special uniques (:func:`suda_scores`) to the
        record-level section: the share of records with a minimal sample
        unique, with one of a single column, the highest SUDA and DIS-SUDA
        scores.  An int is the largest MSU searched (the search grows with
        the number of quasi-identifiers, hence off by default).
    max_global_risk : float in (0, 1) or None, default=None
        If set, the release is insufficient when its global risk (the
        expected share of re-identified records, sdcMicro's
        ``global_risk``) is above it; also the target of the reported risk
        threshold (sdcMicro's default 0.01 otherwise).
    progress : callable or None, default=None
        Called as ``progress(step, n_steps, name)`` before each measure
        (``step`` from 1; ``name`` names the measure, e.g. ``"linkage attack
        on the release"``, never a value), to show how far a report on
        millions of rows has come.  The report does not keep it.

    Attributes
    ----------
    results_ : dict
        Everything measured (what :meth:`to_dict` returns), computed when the
        report is built.
    sufficient_ : bool
        The verdict: every requirement passed.
    requirements_ : list of dict
        Every requirement with its measured value: ``{"name", "measure",
        "limit", "measured", "passed"}`` (also in ``results_["verdict"]``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import PrivacyReport
    >>> raw = pd.DataFrame({"age": [23, 27, 34, 38, 45, 49],
    ...                     "sex": ["F", "M", "F", "M", "F", "M"]})
    >>> anon = pd.DataFrame({"age": ["[20, 30)"] * 2 + ["[30, 40)"] * 2 + ["[40, 50)"] * 2,
    ...                      "sex": ["*"] * 6})
    >>> report = PrivacyReport(raw, anon, ["age", "sex"], k=2)
    >>> report.sufficient_
    True
    >>> report.to_dict()["anonymized"]["k"], report.to_dict()["original"]["k"]
    (2, 1)
    >>> print(report.to_markdown().splitlines()[0])
    # Privacy report
    """

    def __init__(
        self,
        original: pd.DataFrame,
        anonymized: pd.DataFrame,
        quasi_identifiers: Sequence[str],
        sensitive: str | None = None,
        *,
        k: int = 5,
        risk_threshold: float = 0.2,
        max_uniqueness: float = 0.05,
        max_reidentification: float = 0.05,
        min_k: int | None = None,
        min_l: float | None = None,
        max_t: float | None = None,
        max_homogeneity: float | None = None,
        allowed_identifiers: Sequence[str] | None = None,
        hierarchies: Mapping[Any, HierarchyLike] | None = None,
        anonymizer: BaseEstimator | Callable[..., Any] | None = None,
        title: str = "Privacy report",
        verdict_only: bool = False,
        weights: str | ArrayLike | None = None,
        sampling_fraction: float | None = None,
        suda: bool | int = False,
        max_global_risk: float | None = None,
        progress: Callable[[int, int, str], object] | None = None,
    ) -> None:
        self.original = original
        self.anonymized = anonymized
        self.quasi_identifiers = quasi_identifiers
        self.sensitive = sensitive
        self.k = k
        self.risk_threshold = risk_threshold
        self.max_uniqueness = max_uniqueness
        self.max_reidentification = max_reidentification
        self.min_k = min_k
        self.min_l = min_l
        self.max_t = max_t
        self.max_homogeneity = max_homogeneity
        self.allowed_identifiers = allowed_identifiers
        self.hierarchies = hierarchies
        self.anonymizer = anonymizer
        self.title = title
        self.verdict_only = verdict_only
        self.weights = weights
        self.sampling_fraction = sampling_fraction
        self.suda = suda
        self.max_global_risk = max_global_risk
        self._compute(progress)  # the callback is not kept (a report pickles without it)

    # -- computing -----------------------------------------------------------------
    def _privacy(self, frame, qis):
        # each row's class size (int32 below 2**31 rows: held by the report), sorted
        # rather than hashed when nearly every row is its own class
        row_sizes, n_classes = class_row_sizes(frame, qis)
        n_rows = len(row_sizes)
        risk = 1.0 / row_sizes
        out = {
            "n_classes": int(n_classes),
            "k": int(row_sizes.min()),
            "sample_uniqueness": float(np.mean(row_sizes == 1)),
            "records_below_k": float(np.mean(row_sizes < self.k)),
            "prosecutor_max": float(risk.max()),
            "prosecutor_mean": float(risk.mean()),
            "records_at_risk": float(np.mean(risk > self.risk_threshold)),
            "marketer": float(n_classes / n_rows),
        }
        if self.sensitive is not None:
            s = self.sensitive
            out["l_distinct"] = int(l_diversity(frame, qis, s))
            out["l_entropy"] = float(l_diversity(frame, qis, s, kind="entropy"))
            out["t"] = float(t_closeness(frame, qis, s))
            out["homogeneity"] = float(homogeneity_attack(frame, qis, s))
        return out, row_sizes

    def _check_record_params(self):
        """Validate the record-level options; True when the section is asked for."""
        if self.sampling_fraction is not None and (
            isinstance(self.sampling_fraction, bool) or not isinstance(self.sampling_fraction, Real)
            or not 0 < self.sampling_fraction <= 1
        ):
            raise ValueError("sampling_fraction must be a number in (0, 1].")
        if not isinstance(self.suda, (bool, np.bool_)) and (
            not isinstance(self.suda, Integral) or self.suda < 1
        ):
            raise ValueError("suda must be True, False or an integer >= 1 (largest MSU).")
        if self.max_global_risk is not None and (
            isinstance(self.max_global_risk, bool) or not isinstance(self.max_global_risk, Real)
            or not 0 < self.max_global_risk < 1
        ):
            raise ValueError("max_global_risk must be a number in (0, 1).")
        return (self.weights is not None or self.sampling_fraction is not None
                or bool(self.suda) or self.max_global_risk is not None)

    def _record_risk(self, orig, anon, qis):
        """sdcMicro's record-level figures for both tables (None when not asked for)."""
        weights = _check_weights(orig, qis, self.weights)
        n = len(orig)
        fraction = self.sampling_fraction
        if fraction is None and weights is not None:
            fraction = min(1.0, n / float(weights.sum()))
        target = 0.01 if self.max_global_risk is None else float(self.max_global_risk)
        suda_size = None if isinstance(self.suda, (bool, np.bool_)) else int(self.suda)
        out = {"weights": weights is not None,
               "sampling_fraction": None if fraction is None else float(fraction),
               "max_global_risk": target,
               "suda": bool(self.suda), "suda_max_size": suda_size}
        for name, frame in (("original", orig), ("anonymized", anon)):
            risk = individual_risk(frame, qis, weights)["risk"].to_numpy()
            fig = {
                "individual_risk_max": float(risk.max()),
                "global_risk": float(risk.mean()),
                "expected_reidentifications": float(risk.sum()),
                "risk_threshold": _risk_threshold(risk, target),
            }
            if fraction is not None:
                with _warnings.catch_warnings():
                    _warnings.simplefilter("ignore", UserWarning)
                    pop = population_uniqueness(frame, qis, sampling_fraction=fraction)
                value = pop["population_uniqueness"]
                fig["population_uniqueness"] = None if math.isnan(value) else float(value)
            if self.suda:
                dis_fraction = 0.01 if fraction is None else min(float(fraction), 1 - 1e-9)
                scores = suda_scores(frame, qis, max_size=suda_size, dis_fraction=dis_fraction)
                fig["special_uniques"] = float(np.mean(scores["n_msu"] > 0))
                fig["msu_of_one_column"] = float(np.mean(scores["min_msu_size"] == 1))
                fig["suda_score_max"] = float(scores["score"].max())
                fig["dis_suda_max"] = float(scores["dis_score"].max())
            out[name] = fig
        return out

    def _steps(self, record_asked, with_anonymizer):
        """The names of the measures :meth:`_compute` takes, in order (for ``progress``)."""
        also = ", l-diversity, t-closeness" if self.sensitive is not None else ""
        steps = ["record-level risk"] if record_asked else []
        steps += [f"k-anonymity{also} of the original", f"k-anonymity{also} of the release"]
        if with_anonymizer:
            steps.append("generalizing the original")
        if not self.verdict_only:
            steps.append("linkage attack on the original")
        steps.append("linkage attack on the release")
        if not self.verdict_only:
            steps += ["information loss", "entropy loss", "distribution distance"]
        steps.append("identifier columns")
        return steps

    def _compute(self, progress=None):
        self.k = _check_k(self.k)
        self.risk_threshold = _check_threshold(self.risk_threshold, "risk_threshold")
        _check_threshold(self.max_uniqueness, "max_uniqueness")
        _check_threshold(self.max_reidentification, "max_reidentification")
        min_k = self.k if self.min_k is None else _check_k(self.min_k)
        if self.min_l is not None:
            _check_k(self.min_l)
        if self.max_t is not None:
            _check_threshold(self.max_t, "max_t")
        if self.max_homogeneity is not None and not (
            isinstance(self.max_homogeneity, Real) and 0 <= self.max_homogeneity <= 1
        ):
            raise ValueError("max_homogeneity must be a number in [0, 1].")
        record_asked = self._check_record_params()
        needs_sensitive = [n for n in ("min_l", "max_t", "max_homogeneity") if getattr(self, n) is not None]
        if needs_sensitive and self.sensitive is None:
            raise ValueError(f"{', '.join(needs_sensitive)} need(s) the sensitive column: pass sensitive=...")
        orig, qis, sens = check_table(
            self.original, self.quasi_identifiers, self.sensitive, name="original"
        )
        anon, _, _ = check_table(self.anonymized, qis, sens, name="anonymized")
        if len(orig) != len(anon):
            raise ValueError(
                "original and anonymized must hold the same records in the same "
                f"order: {len(orig)} and {len(anon)} rows."
            )
        orig = orig.reset_index(drop=True)
        anon = anon.reset_index(drop=True)
        self._qis, self._sensitive = qis, sens
        steps = self._steps(record_asked, self.anonymizer is not None)

        def step(index):
            if progress is not None:
                progress(index + 1, len(steps), steps[index])

        at = iter(range(len(steps)))  # each measure announces the next step
        if record_asked:
            step(next(at))
        record = self._record_risk(orig, anon, qis) if record_asked else None
        step(next(at))
        privacy_orig, sizes_orig = self._privacy(orig, qis)
        step(next(at))
        privacy_anon, sizes_anon = self._privacy(anon, qis)
        self._sizes = {"original": sizes_orig, "anonymized": sizes_anon}

        # linkage: the attacker holds the raw quasi-identifiers of everyone
        # (and, with the anonymizer, the public generalization scheme)
        truth = np.arange(len(orig), dtype=np.int32 if len(orig) < 2**31 else np.int64)
        linkage = {}
        cached = None
        if self.anonymizer is not None:  # generalize the original once, for linkage and NCP
            step(next(at))
            cached = Precomputed(self.anonymizer,
                                 generalize_with(self.anonymizer, orig, qis, name="original",
                                                 as_objects=False))
        linkage["original"] = dict.fromkeys(
            ("unique_match_rate", "reidentification_rate", "mean_candidates"))
        for name, frame in (("original", orig), ("anonymized", anon)):
            if name == "original" and self.verdict_only:
                continue  # a "before" figure only, not in the verdict
            step(next(at))
            anonymizer = cached if name == "anonymized" else None
            if anonymizer is not None:
                own = _linkage_on_own_classes(anon, orig, qis, anonymizer, sizes_anon)
                if own is not None:  # the release is the generalized original: no join
                    linkage[name] = own
                    interpretation = {"anonymizer": True, "uninterpreted_columns": [],
                                      "ignored_columns": [], "unread_share": {},
                                      "lower_bound": False}
                    continue
            # the auxiliary table is the original itself: every raw value is in
            # it, so a released value matching nothing is a label, not an
            # absent person -> the column is left out ("ignore")
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore", UserWarning)
                res = linkage_attack(
                    frame[qis], orig if anonymizer is not None else orig[qis], qis, truth=truth,
                    hierarchies=self.hierarchies, anonymizer=anonymizer, unread="ignore",
                )
            linkage[name] = {
                "unique_match_rate": res["unique_match_rate"],
                "reidentification_rate": res["reidentification_rate"],
                "mean_candidates": res["mean_candidates"],
            }
            if name == "anonymized":
                interpretation = {
                    "anonymizer": self.anonymizer is not None,
                    "uninterpreted_columns": [str(c) for c in res["uninterpreted_columns"]],
                    "ignored_columns": [str(c) for c in res["ignored_columns"]],
                    "unread_share": {str(c): float(v) for c, v in res["unread_share"].items()},
                    "lower_bound": bool(res["lower_bound"]),
                }
        res = None
        del res, truth  # per-record arrays: not held through what follows
        privacy_orig.update({f"linkage_{k}": v for k, v in linkage["original"].items()})
        privacy_anon.update({f"linkage_{k}": v for k, v in linkage["anonymized"].items()})

        if not self.verdict_only:
            step(next(at))
            loss = information_loss(orig, anon, qis, k=self.k, hierarchies=self.hierarchies,
                                    anonymizer=cached)
            step(next(at))
            entropy = entropy_loss(orig, anon, qis)
            step(next(at))
            distance = distribution_distance(orig, anon, qis, hierarchies=self.hierarchies,
                                             anonymizer=cached)
            per_column = pd.DataFrame(
                {
                    "ncp": pd.Series(loss["ncp_per_column"]),
                    "entropy_loss": entropy["loss"],
                    "distance_measure": distance["measure"],
                    "distance": distance["normalized"],
                    "suppressed": distance["suppressed"],
                    "unreadable": distance["unreadable"],
                }
            )
        else:  # not measured (verdict_only): none of it enters the verdict
            loss = {"ncp": None, "ncp_per_column": {}, "ncp_unknown_columns": [],
                    "discernibility": None, "average_class_size": None, "entropy_loss": None,
                    "distribution_distance": None, "distribution_distance_unknown_columns": [],
                    "correlation_drift": None}
            per_column = pd.DataFrame(columns=["ncp", "entropy_loss", "distance_measure", "distance",
                                               "suppressed", "unreadable"])
        per_column.index = per_column.index.map(str)
        step(next(at))
        cardinality = column_cardinality(anon)
        identifiers = [str(c) for c in cardinality.index[cardinality["likely_identifier"]]
                       if c not in qis and c != sens]
        allowed = {str(c) for c in (self.allowed_identifiers or ())}

        requirements = self._requirements(privacy_anon, min_k, identifiers, allowed)
        if self.max_global_risk is not None:
            measured = record["anonymized"]["global_risk"]
            requirements.append({
                "name": f"global risk \u2264 {_pct(self.max_global_risk)}", "measure": "global_risk",
                "limit": float(self.max_global_risk), "measured": measured,
                "passed": bool(measured <= self.max_global_risk),
                "reason": f"the expected share of re-identified records (global risk) is "
                          f"{_pct(measured)}, above {_pct(self.max_global_risk)}"})
        reasons = [req["reason"] for req in requirements if not req["passed"]]
        warnings = [
            f"column {c!r} has nearly one value per record: it acts as an identifier "
            "(allowed by allowed_identifiers)"
            for c in identifiers if c in allowed
        ]
        notes = []
        if interpretation["lower_bound"]:
            cols = ", ".join(repr(c) for c in interpretation["uninterpreted_columns"])
            notes.append(
                f"could not interpret the released labels of column(s) {cols}: they are left "
                "out of the linkage attack, so its figures are a lower bound (pass the "
                "fitted anonymizer to the report)"
            )
        if loss["ncp_unknown_columns"]:
            cols = ", ".join(repr(c) for c in loss["ncp_unknown_columns"])
            notes.append(
                f"NCP of column(s) {cols} is unknown (custom labels; pass the fitted "
                "anonymizer to the report)"
            )
        for note in notes:
            _warnings.warn(f"PrivacyReport: {note}.", UserWarning, stacklevel=3)
        warnings += notes
        self.sufficient_ = not reasons
        self.requirements_ = [{k: v for k, v in req.items() if k != "reason"} for req in requirements]
        self._per_column = per_column
        self.results_ = {
            "title": str(self.title),
            "n_records": int(len(orig)),
            "quasi_identifiers": [str(q) for q in qis],
            "sensitive": None if sens is None else str(sens),
            "verdict": {
                "sufficient": self.sufficient_,
                "label": "sufficient" if self.sufficient_ else "insufficient",
                "reasons": reasons,
                "warnings": warnings,
                "requirements": self.requirements_,
                "thresholds": {
                    "max_uniqueness": float(self.max_uniqueness),
                    "max_reidentification": float(self.max_reidentification),
                    "min_k": min_k,
                    "min_l": self.min_l,
                    "max_t": self.max_t,
                    "max_homogeneity": self.max_homogeneity,
                    "k": self.k,
                    "risk_threshold": self.risk_threshold,
                    "max_global_risk": self.max_global_risk,
                },
            },
            "original": privacy_orig,
            "anonymized": privacy_anon,
            "information_loss": {
                k: (None if isinstance(v, float) and math.isnan(v) else
                    {c: (None if math.isnan(x) else x) for c, x in v.items()}
                    if k == "ncp_per_column" else v)
                for k, v in loss.items()
            },
            "linkage_interpretation": interpretation,
            "per_column": {
                c: {k: (v if isinstance(v, str) else None if pd.isna(v) else float(v))
                    for k, v in row.items()}
                for c, row in per_column.to_dict(orient="index").items()
            },
            "identifier_columns": identifiers,
            "record_risk": record,
        }

    def _requirements(self, measured, min_k, identifiers, allowed):
        """Every requirement of the verdict, measured: name, limit, value, pass/fail."""
        def req(name, measure, op, limit, value, reason):
            passed = bool(value >= limit) if op == ">=" else bool(value <= limit)
            sign = "\u2265" if op == ">=" else "\u2264"  # no < or > to escape in Markdown/HTML
            return {"name": f"{name} {sign} {_fmt(limit) if op == '>=' else _pct_or(limit, measure)}",
                    "measure": measure, "limit": limit, "measured": value, "passed": passed,
                    "reason": reason}

        out = [
            req("k", "k", ">=", min_k, measured["k"],
                f"k = {measured['k']} is below the required {min_k}"),
            req("sample uniqueness", "sample_uniqueness", "<=", float(self.max_uniqueness),
                measured["sample_uniqueness"],
                f"sample uniqueness {_pct(measured['sample_uniqueness'])} is above "
                f"{_pct(self.max_uniqueness)}"),
            req("linkage re-identification", "linkage_reidentification_rate", "<=",
                float(self.max_reidentification), measured["linkage_reidentification_rate"],
                f"the linkage attack re-identifies {_pct(measured['linkage_reidentification_rate'])} "
                f"of the records, above {_pct(self.max_reidentification)}"),
        ]
        if self.min_l is not None:
            out.append(req("l (distinct)", "l_distinct", ">=", int(self.min_l), measured["l_distinct"],
                           f"l-diversity {measured['l_distinct']} is below the required {self.min_l}"))
        if self.max_t is not None:
            out.append(req("t", "t", "<=", float(self.max_t), measured["t"],
                           f"t-closeness {_fmt(measured['t'])} is above the allowed {_fmt(self.max_t)}"))
        if self.max_homogeneity is not None:
            out.append(req("homogeneity disclosure", "homogeneity", "<=", float(self.max_homogeneity),
                           measured["homogeneity"],
                           f"the homogeneity attack discloses the sensitive value of "
                           f"{_pct(measured['homogeneity'])} of the records, above "
                           f"{_pct(self.max_homogeneity)}"))
        unexpected = [c for c in identifiers if c not in allowed]
        out.append({"name": "no identifying column", "measure": "identifier_columns", "limit": 0,
                    "measured": len(unexpected), "passed": not unexpected,
                    "reason": f"column(s) {', '.join(map(repr, unexpected))} have nearly one value per "
                              "record: they act as identifiers (drop them, or list them in "
                              "allowed_identifiers if they are pseudonyms you mean to release)"})
        return out

    def _requirement_rows(self):
        return [(r["name"], _fmt(r["measured"]) if r["measure"] in ("k", "l_distinct", "t", "identifier_columns")
                 else _pct(r["measured"]), "pass" if r["passed"] else "FAIL")
                for r in self.results_["verdict"]["requirements"]]

    # -- rendering -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything measured, as plain Python types (JSON-serializable).

        Returns
        -------
        results : dict
            A deep copy of :attr:`results_`: the original and anonymized
            tables' measures, the information loss, the record-level risk
            (when asked for) and the ``verdict``.
        """
        import copy

        return copy.deepcopy(self.results_)

    _ROWS = [
        ("k", "k (smallest class)"),
        ("n_classes", "equivalence classes"),
        ("sample_uniqueness", "sample uniqueness"),
        ("records_below_k", "records in classes < k"),
        ("prosecutor_max", "prosecutor risk, highest"),
        ("prosecutor_mean", "prosecutor risk, average"),
        ("records_at_risk", "records at risk"),
        ("marketer", "marketer risk"),
        ("linkage_unique_match_rate", "linkage: matched to one identity"),
        ("linkage_reidentification_rate", "linkage: correctly re-identified"),
        ("linkage_mean_candidates", "linkage: identities per record"),
        ("l_distinct", "l-diversity (distinct)"),
        ("l_entropy", "l-diversity (entropy)"),
        ("t", "t-closeness (largest EMD)"),
        ("homogeneity", "homogeneity attack: disclosed"),
    ]
    _PCT = {
        "sample_uniqueness", "records_below_k", "records_at_risk",
        "linkage_unique_match_rate", "linkage_reidentification_rate", "homogeneity",
    }

    def _privacy_rows(self):
        r = self.results_
        rows = []
        for key, label in self._ROWS:
            if key not in r["anonymized"]:
                continue
            fmt = _pct if key in self._PCT else _fmt
            if key == "records_below_k":
                label = f"records in classes < {self.k}"
            if key == "records_at_risk":
                label = f"records at risk (> {_fmt(self.risk_threshold)})"
            rows.append((label, fmt(r["original"][key]), fmt(r["anonymized"][key])))
        return rows

    def _record_rows(self):
        """Rows of the record-level section (sdcMicro's measures); [] when not asked for."""
        rec = self.results_["record_risk"]
        if rec is None:
            return []
        threshold_label = f"risk threshold for a global risk of {_pct(rec['max_global_risk'])}"
        rows = [
            ("individual_risk_max", "individual risk, highest", _fmt),
            ("global_risk", "global risk (expected share re-identified)", _pct),
            ("expected_reidentifications", "expected re-identifications", _fmt),
            ("risk_threshold", threshold_label, lambda v: "none needed" if v is None else _fmt(v)),
        ]
        if rec["sampling_fraction"] is not None:
            rows.append(("population_uniqueness",
                         f"population uniqueness (Pitman, sampling fraction "
                         f"{_fmt(rec['sampling_fraction'])})", _pct))
        if rec["suda"]:
            rows += [
                ("special_uniques", "special uniques (records with an MSU)", _pct),
                ("msu_of_one_column", "records unique on one column", _pct),
                ("suda_score_max", "SUDA score, highest", _fmt),
                ("dis_suda_max", "DIS-SUDA score, highest", _fmt),
            ]
        return [(label, fmt(rec["original"][key]), fmt(rec["anonymized"][key]))
                for key, label, fmt in rows]

    def _record_line(self):
        rec = self.results_["record_risk"]
        if rec["weights"]:
            return ("Individual risk: Benedetti-Franconi with the sampling weights "
                    "(sdcMicro's measure_risk).")
        return ("Individual risk without sampling weights: the table is taken as the population "
                "(1 / class size).")

    def _loss_rows(self):
        loss = self.results_["information_loss"]
        return [
            ("NCP (granularity loss)", "unknown" if loss["ncp"] is None else _fmt(loss["ncp"])),
            ("discernibility", _fmt(loss["discernibility"])),
            (f"average class size (C_avg, k={self.k})", _fmt(loss["average_class_size"])),
            ("entropy loss (mean share)", _fmt(loss["entropy_loss"])),
            ("distribution distance (mean)", _fmt(loss["distribution_distance"])),
            ("correlation drift (max)", _fmt(loss["correlation_drift"])),
        ]

    def _column_rows(self):
        def unknown(v):
            return "unknown" if v is None else _fmt(v)

        return [
            (
                str(c),
                unknown(row["ncp"]),
                _fmt(row["entropy_loss"]),
                f"{unknown(row['distance'])} ({row['distance_measure']})",
                _pct(row["suppressed"]),
                _pct(row.get("unreadable")),
            )
            for c, row in self.results_["per_column"].items()
        ]

    def _interpretation_line(self):
        """One sentence on how the linkage attack read the released labels."""
        li = self.results_["linkage_interpretation"]
        if li["anonymizer"]:
            return ("Linkage attack: the raw quasi-identifiers were generalized with the fitted "
                    "anonymizer and joined on equal generalized values.")
        if li["lower_bound"]:
            cols = ", ".join(li["uninterpreted_columns"])
            return (f"Linkage attack: could not interpret the released labels of {cols}; "
                    "these columns were left out of the matching, so the linkage figures are "
                    "a lower bound (pass anonymizer= to the report).")
        return ("Linkage attack: every released value was read as a raw value, an interval, "
                "a set, a hierarchy node or \"*\".")

    def to_markdown(self) -> str:
        """The report as Markdown (GitHub tables).

        Returns
        -------
        text : str
            The title, the verdict, then the before/after tables.
        """
        r = self.results_
        v = r["verdict"]
        esc = _md_escape
        lines = [f"# {esc(r['title'])}", ""]
        lines.append(
            f"**Verdict: {v['label'].upper()}** "
            f"({r['n_records']:,} records; quasi-identifiers: "
            f"{', '.join(esc(q) for q in r['quasi_identifiers'])}"
            + (f"; sensitive: {esc(r['sensitive'])}" if r["sensitive"] else "")
            + ")"
        )
        lines.append("")
        for reason in v["reasons"]:
            lines.append(f"- {esc(reason)}")
        for warning in v["warnings"]:
            lines.append(f"- warning: {esc(warning)}")
        if v["reasons"] or v["warnings"]:
            lines.append("")
        lines += ["| requirement | measured | |", "|---|---:|---|"]
        lines += [f"| {esc(a)} | {b} | {c} |" for a, b, c in self._requirement_rows()]
        lines += ["", "## Privacy", "", "| measure | original | anonymized |", "|---|---:|---:|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in self._privacy_rows()]
        lines += ["", esc(self._interpretation_line())]
        if self.results_["record_risk"] is not None:
            lines += ["", "## Record-level risk", "", "| measure | original | anonymized |",
                      "|---|---:|---:|"]
            lines += [f"| {a} | {b} | {c} |" for a, b, c in self._record_rows()]
            lines += ["", esc(self._record_line())]
        lines += ["", "## Information loss", "", "| measure | value |", "|---|---:|"]
        lines += [f"| {a} | {b} |" for a, b in self._loss_rows()]
        lines += [
            "",
            "## Per column",
            "",
            "| column | NCP | entropy loss | distribution distance | suppressed | unreadable |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        lines += [f"| {esc(a)} | {b} | {c} | {d} | {e} | {f} |"
                  for a, b, c, d, e, f in self._column_rows()]
        lines.append("")
        return "\n".join(lines)

    # -- plots ----------------------------------------------------------------------
    def _plots(self):
        """``{name: base64 PNG}``; empty when matplotlib is not installed."""
        try:
            from matplotlib.figure import Figure
        except ImportError:
            return {}
        out = {}

        def encode(fig):
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
            return base64.b64encode(buf.getvalue()).decode("ascii")

        colors = {"original": "#c0392b", "anonymized": "#2471a3"}
        # class sizes per record
        fig = Figure(figsize=(6, 3.2))
        ax = fig.subplots()
        top = max(int(s.max()) for s in self._sizes.values())
        bins = np.unique(np.round(np.geomspace(1, top + 1, 30)).astype(int))
        if len(bins) < 2:
            bins = np.array([1, 2])
        for name, sizes in self._sizes.items():
            ax.hist(sizes, bins=bins, alpha=0.6, label=name, color=colors[name])
        ax.set_xscale("log")
        ax.set_xlabel("size of the record's equivalence class")
        ax.set_ylabel("records")
        ax.axvline(self.k, color="black", linestyle="--", linewidth=1, label=f"k = {self.k}")
        ax.legend()
        ax.set_title("Class sizes")
        out["class_sizes"] = encode(fig)
        # risk distribution
        fig = Figure(figsize=(6, 3.2))
        ax = fig.subplots()
        edges = np.linspace(0, 1, 21)
        for name, sizes in self._sizes.items():
            ax.hist(1.0 / sizes, bins=edges, alpha=0.6, label=name, color=colors[name])
        ax.axvline(self.risk_threshold, color="black", linestyle="--", linewidth=1,
                   label="risk threshold")
        ax.set_xlabel("prosecutor risk of the record (1 / class size)")
        ax.set_ylabel("records")
        ax.legend()
        ax.set_title("Re-identification risk")
        out["risk"] = encode(fig)
        # per-column distortion
        fig = Figure(figsize=(6, 0.5 + 0.45 * len(self._per_column) + 1))
        ax = fig.subplots()
        cols = list(self._per_column.index)
        y = np.arange(len(cols))
        h = 0.27
        for i, (key, label) in enumerate(
            [("ncp", "NCP"), ("entropy_loss", "entropy loss"), ("distance", "distribution distance")]
        ):
            ax.barh(y + (i - 1) * h, self._per_column[key].to_numpy(dtype=float), height=h,
                    label=label)
        ax.set_yticks(y, cols)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("loss (0 = unchanged, 1 = nothing left)")
        ax.legend(loc="lower right", fontsize="small")
        ax.set_title("Distortion per quasi-identifier")
        out["distortion"] = encode(fig)
        return out

    def to_html(self, path: PathLike | None = None, *, plots: bool = True) -> str:
        """The report as one self-contained HTML page.

        Parameters
        ----------
        path : str, path-like or None, default=None
            If given, the page is also written there (UTF-8).
        plots : bool, default=True
            Embed the plots (class-size histogram, risk distribution,
            per-column distortion) as base64 PNG images.  Needs matplotlib;
            without it the page has no plots and says so.

        Returns
        -------
        page : str
            The HTML page (also written to ``path`` when given).
        """
        r = self.results_
        v = r["verdict"]
        e = escape
        images = self._plots() if plots else {}
        ok = v["sufficient"]
        parts = [
            element("h1", r["title"]),
            f'<p class="meta">{r["n_records"]:,} records &middot; quasi-identifiers: '
            f"{e(', '.join(r['quasi_identifiers']))}"
            + (f" &middot; sensitive: {e(r['sensitive'])}" if r["sensitive"] else "")
            + "</p>",
            f'<div class="verdict {"ok" if ok else "bad"}" id="verdict">'
            f"<strong>Verdict: {e(v['label'])}</strong><ul>",
        ]
        parts += [element("li", reason) for reason in v["reasons"]]
        parts += [element("li", f"warning: {w}", class_="warn") for w in v["warnings"]]
        parts.append("</ul>")
        requirements = self._requirement_rows()
        parts += table(["requirement", "measured", ""], requirements, id="requirements",
                       row_classes=["ok" if c == "pass" else "bad" for _, _, c in requirements])
        parts.append("</div>")
        parts.append(element("h2", "Privacy"))
        parts += table(["measure", "original", "anonymized"], self._privacy_rows(), id="privacy")
        li = r["linkage_interpretation"]
        parts.append(element("p", self._interpretation_line(), id="interpretation",
                             class_="warn" if li["lower_bound"] else "meta"))
        if r["record_risk"] is not None:
            parts.append(element("h2", "Record-level risk"))
            parts += table(["measure", "original", "anonymized"], self._record_rows(),
                           id="record-risk")
            parts.append(element("p", self._record_line(), class_="meta"))
        parts.append(element("h2", "Information loss"))
        parts += table(["measure", "value"], self._loss_rows(), id="loss")
        parts.append(element("h2", "Per column"))
        parts += table(["column", "NCP", "entropy loss", "distribution distance", "suppressed",
                        "unreadable"], self._column_rows(), id="columns")
        parts.append('<h2>Plots</h2><div class="plots">')
        if images:
            titles = {"class_sizes": "Class sizes", "risk": "Re-identification risk",
                      "distortion": "Distortion per quasi-identifier"}
            for name, data in images.items():
                parts.append(
                    f'<figure><img id="plot-{name}" alt="{e(titles[name])}" '
                    f'src="data:image/png;base64,{data}"><figcaption>{e(titles[name])}'
                    "</figcaption></figure>"
                )
        elif plots:
            parts.append('<p class="meta">Plots need matplotlib '
                         "(<code>pip install sklearn-anon[plot]</code>).</p>")
        else:
            parts.append('<p class="meta">Plots left out.</p>')
        parts.append("</div>")
        page = html_page(r["title"], parts, style=_CSS)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(page)
        return page

    def _repr_html_(self):
        return self.to_html()

    # -- the privacy/utility frontier of a grid search ----------------------------
    def plot_privacy_utility(
        self,
        search: GridSearchCV | RandomizedSearchCV,
        **kwargs: Any,
    ) -> Axes:
        """Plot a grid search's privacy/utility frontier, marking this release.

        :func:`~sklearn_anon.metrics.plot_privacy_utility` (same keyword
        arguments), plus a vertical line at this report's measured ``k``
        when the searched privacy parameter is ``k`` (the release the
        report describes, on the frontier it was chosen from).

        Parameters
        ----------
        search : fitted GridSearchCV or RandomizedSearchCV
            The search the anonymizer was tuned with.
        **kwargs
            Passed to :func:`~sklearn_anon.metrics.plot_privacy_utility`
            (``y``, ``param``, ``score``, ``privacy_score``, ``baseline``,
            ``logx``, ``ax``).

        Returns
        -------
        ax : matplotlib Axes
            As :func:`~sklearn_anon.metrics.plot_privacy_utility`; the
            release's line has the gid ``"release"``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np, pandas as pd
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.model_selection import GridSearchCV
        >>> from sklearn.pipeline import Pipeline
        >>> from sklearn_anon import MondrianAnonymizer
        >>> from sklearn_anon.metrics import PrivacyReport
        >>> rng = np.random.default_rng(0)
        >>> X = pd.DataFrame({"age": rng.integers(18, 90, 200)})
        >>> y = (X["age"] > 45).astype(int)
        >>> pipe = Pipeline([("anon", MondrianAnonymizer(output="midpoint")),
        ...                  ("clf", LogisticRegression())])
        >>> search = GridSearchCV(pipe, {"anon__k": [2, 5, 20]}, cv=3).fit(X, y)
        >>> anon = MondrianAnonymizer(k=search.best_params_["anon__k"])
        >>> report = PrivacyReport(X, anon.fit_transform(X), ["age"], k=2)
        >>> ax = report.plot_privacy_utility(search, y=y)
        >>> [line.get_gid() for line in ax.get_lines()]
        ['utility', 'baseline', 'release']
        """
        from ._plots import _legend, _privacy_param, _results, plot_privacy_utility

        ax = plot_privacy_utility(search, **kwargs)
        param = _privacy_param(_results(search), kwargs.get("param"))
        measured = self.results_["anonymized"]["k"]
        if param.rsplit("__", 1)[-1] == "k" and measured is not None:
            line = ax.axvline(measured, color="black", linestyle=":", linewidth=1,
                              label=f"this release (k = {measured})")
            line.set_gid("release")
            _legend(ax)
        return ax

    def __repr__(self):
        r = self.results_
        return (
            f"PrivacyReport({r['n_records']} records, k={r['anonymized']['k']}, "
            f"uniqueness={_pct(r['anonymized']['sample_uniqueness'])}, "
            f"verdict={r['verdict']['label']!r})"
        )


def _md_escape(text):
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:60em;color:#1c2833;padding:0 1em}
h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #d5d8dc}
.meta{color:#566573}
.verdict{padding:.8em 1.2em;border-radius:6px;margin:1em 0}
.verdict.ok{background:#e9f7ef;border-left:6px solid #1e8449}
.verdict.bad{background:#fdedec;border-left:6px solid #b03a2e}
.verdict ul{margin:.4em 0 0 0}.warn{color:#9a7d0a}
table{border-collapse:collapse;margin:.5em 0}
th,td{padding:.3em .9em;border-bottom:1px solid #eaecee;text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{background:#f4f6f7}
.plots{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0}figure img{max-width:100%;border:1px solid #eaecee}
figcaption{color:#566573;font-size:.9em;text-align:center}
"""
