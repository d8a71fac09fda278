"""The before/after privacy report of ``anonymize`` and ``apply`` (and its summary lines)."""

import json
import warnings
from pathlib import Path

from ._io import _write_text


def _privacy_report(original, anonymized, qis, policy_report=None, title="Privacy report",
                    anonymizer=None, verdict_only=False, progress=None):
    """The report; ``anonymizer`` (the fitted pipeline) lets it read custom labels.

    ``verdict_only=True`` measures the verdict's requirements only (no
    information loss): what a run without a report file needs.  ``progress``
    (a :class:`~._progress.Progress`) shows each measure as it starts.
    """
    from ..metrics import PrivacyReport, released_anonymizer

    cfg = dict(policy_report or {})
    sensitive = cfg.get("sensitive")
    if sensitive is not None and (sensitive not in anonymized.columns
                                  or sensitive not in original.columns):
        sensitive = None
    kwargs = {k: cfg[k] for k in ("k", "min_k", "max_uniqueness", "max_reidentification", "min_l",
                                  "max_t", "max_homogeneity", "allowed_identifiers")
              if k in cfg}
    if sensitive is None:  # requirements on a sensitive column that is not released
        for key in ("min_l", "max_t", "max_homogeneity"):
            kwargs.pop(key, None)
    if anonymizer is not None:
        anonymizer = released_anonymizer(anonymizer, anonymized, qis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return PrivacyReport(original, anonymized, qis, sensitive, title=title,
                             anonymizer=anonymizer, verdict_only=verdict_only,
                             progress=_measure_line(progress), **kwargs)


def _measure_line(progress):
    """The report's ``progress(step, n, name)`` as a line ``measuring risk: measure 2 of 5: ...``.

    None when nothing is shown (no printer, ``--quiet``, not a terminal).
    """
    if progress is None or not progress.enabled:
        return None

    def show(step, n_steps, name):
        progress.line(f"measuring risk: measure {step} of {n_steps}: {name}", force=True)

    return show


def _classes_only(original, anonymized, qis, pipeline, verdict_only, progress=None):
    """``original`` with its quasi-identifiers replaced by integer class codes, when that is exact.

    A verdict-only report reads the raw quasi-identifiers for their
    equivalence classes alone (the "before" k and uniqueness) when the
    release stands for the generalized original
    (:func:`~sklearn_anon.metrics.released_anonymizer` returns a ``Precomputed``):
    the linkage attack then joins on released values and no measure reads a
    raw value (information loss, which does, is only measured for a report
    file).  Each raw column is replaced by the codes the report's own
    :func:`~sklearn_anon.metrics.class_codes` would compute from it (same
    classes, a missing value its own class), as a categorical of a few bytes
    per row instead of a text or int64 column.  The sensitive column is
    left as it is (l, t and homogeneity read its values).  Otherwise
    ``original`` is returned unchanged.

    The columns are replaced in ``original`` itself, one at a time, each
    raw column let go (and its memory handed back) before the next is
    coded: the caller's table is the one returned.  ``progress`` (a
    :class:`~._progress.Progress`) shows each column as it is coded.
    """
    from ..metrics import class_code_columns, released_anonymizer

    from ._io import _release_freed_memory

    if not verdict_only or released_anonymizer(pipeline, anonymized, qis) is pipeline:
        return original
    coded = [q for q in qis if q in original.columns]
    for i, q in enumerate(coded, 1):
        if progress is not None:
            progress.line(f"measuring risk: coding the raw quasi-identifiers, {i} of "
                          f"{len(coded)} ({q})", force=True)
        original[q] = class_code_columns(original[[q]], [q])[q]
        _release_freed_memory()
    return original


def _write_report(report, path, outputs=None):
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        _write_text(path, report.to_html(), outputs)
    elif suffix == ".json":
        _write_text(path, json.dumps(report.to_dict(), indent=2, default=str), outputs)
    else:
        _write_text(path, report.to_markdown(), outputs)


def _risk_lines(report):
    r = report.to_dict()
    o, a = r["original"], r["anonymized"]
    rows = [
        ("k (smallest class)", f"{o['k']}", f"{a['k']}"),
        ("equivalence classes", f"{o['n_classes']:,}", f"{a['n_classes']:,}"),
        ("sample uniqueness", f"{o['sample_uniqueness']:.1%}", f"{a['sample_uniqueness']:.1%}"),
        (f"records in classes < {report.k}", f"{o['records_below_k']:.1%}",
         f"{a['records_below_k']:.1%}"),
        ("prosecutor risk, average", f"{o['prosecutor_mean']:.3f}", f"{a['prosecutor_mean']:.3f}"),
    ]
    lines = [f"risk on {', '.join(r['quasi_identifiers'])} "
             f"({r['n_records']:,} records):",
             f"  {'measure':<28} {'before':>10} {'after':>10}"]
    lines += [f"  {a_:<28} {b:>10} {c:>10}" for a_, b, c in rows]
    lines.append(f"verdict: {r['verdict']['label']}"
                 + ("" if not r["verdict"]["reasons"] else
                    " (" + "; ".join(r["verdict"]["reasons"]) + ")"))
    for w in r["verdict"]["warnings"]:
        lines.append(f"warning: {w}")
    return lines


def _requirement_lines(report):
    """One line per requirement of the verdict: name, measured value, pass/FAIL."""
    return [f"{name}: measured {value}: {verdict}" for name, value, verdict in report._requirement_rows()]


def check_verdict(report, allow_insufficient, what, notes):
    """Stop the run (nothing written) unless the release passes its verdict.

    ``report`` is None when no verdict could be reached (no quasi-identifier,
    or the report failed); that stops the run too.  ``--allow-insufficient``
    turns the stop into a warning.
    """
    from ._common import InsufficientRelease

    if report is not None and report.sufficient_:
        return
    if report is None:
        message = (f"{what}: no verdict (the output has no quasi-identifier to measure: list them "
                   "in the policy's [report] quasi_identifiers); nothing was written")
        lines = []
    else:
        reasons = report.to_dict()["verdict"]["reasons"]
        message = (f"{what}: the release fails its verdict ({'; '.join(reasons)}); "
                   "nothing was written")
        lines = _requirement_lines(report)
    if not allow_insufficient:
        raise InsufficientRelease(message + " (--allow-insufficient writes it anyway)", lines)
    notes.append(message.replace("; nothing was written", "") + ": written anyway (--allow-insufficient)")
