"""``sklearn-anon profile``: detection, risk and a starting policy, as Markdown and HTML."""

import re
from pathlib import Path

from ._common import UserError, _say
from ._io import _check_output, _write_text, read_table
from ._progress import Progress


def cmd_profile(args):
    from ..identifiers import detect_pii
    from ..metrics import column_cardinality, risk_summary
    from ..policy import suggest_policy

    outs = [p for p in (args.html, args.suggest_policy) if p]
    for out in outs:
        _check_output(out, inputs=[args.data])
    if len({str(Path(p).resolve()) for p in outs}) < len(outs):
        raise UserError("--html and --suggest-policy must be different files")
    progress = Progress(False if args.quiet else None)
    # rows as they are read, then each step named with its size (not four ticks of a bar)
    frame = read_table(args.data, fmt=args.format, sep=args.sep, encoding=args.encoding,
                       progress=progress.rows(f"reading {Path(args.data).name}")
                       if progress.enabled else None)
    progress.line(f"detecting identifiers in {frame.shape[1]} columns of {len(frame):,} rows",
                  force=True)
    detection = detect_pii(frame)
    if args.quasi_identifiers:
        qis = [q.strip() for q in args.quasi_identifiers.split(",") if q.strip()]
        for q in qis:
            if q not in frame.columns:
                raise UserError(f"--quasi-identifiers: {q!r} is not a column of the data")
    else:
        qis = [c for c in detection.index[detection["role"] == "quasi_identifier"]]
    progress.line(f"measuring risk on {len(frame):,} rows", force=True)
    summary = risk_summary(frame, qis, k=args.k) if qis else None
    cardinality = column_cardinality(frame)
    if outs:
        progress.line(f"writing {', '.join(Path(p).name for p in outs)}", force=True)
    md = _profile_markdown(args.data, frame, detection, qis, summary, cardinality, args.k)
    from ._crypto import OutputSet

    with OutputSet() as outputs:
        if args.html:
            _write_text(args.html, _profile_html(args.data, md), outputs)
        if args.suggest_policy:
            _write_text(args.suggest_policy, suggest_policy(detection, data=frame),
                        outputs)
    progress.close()
    print(md)
    if args.html:
        _say(args, f"wrote {args.html}")
    if args.suggest_policy:
        _say(args, f"wrote {args.suggest_policy} (a starting policy: review it)")
    return 0


def _profile_markdown(path, frame, detection, qis, summary, cardinality, k):
    import math

    lines = [f"# Profile of '{Path(path).name}'", "",
             f"{len(frame):,} rows, {frame.shape[1]} columns.", "",
             "## Columns", "",
             "| column | dtype | role | kind | evidence | distinct ratio | acts as identifier |",
             "|---|---|---|---|---|---:|---|"]
    for column, row in detection.iterrows():
        kind = row["kind"] if isinstance(row["kind"], str) else ""
        ev = row["evidence"] if isinstance(row["evidence"], str) else ""
        ratio = cardinality.loc[column, "unique_ratio"] if "unique_ratio" in cardinality \
            else row["distinct_ratio"]
        flag = bool(cardinality.loc[column, "likely_identifier"]) \
            if "likely_identifier" in cardinality else False
        ratio_s = "" if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)) \
            else f"{ratio:.3f}"
        name = str(column).replace("|", "\\|")
        lines.append(f"| {name} | {frame[column].dtype} | {row['role']} | {kind} | {ev} | "
                     f"{ratio_s} | {'yes' if flag else ''} |")
    lines += ["", "## Re-identification risk", ""]
    if summary is None:
        lines.append("No quasi-identifier detected (give --quasi-identifiers).")
    else:
        pros = summary["prosecutor"]
        lines += [
            f"Quasi-identifiers: {', '.join(qis)}", "",
            "| measure | value |", "|---|---:|",
            f"| equivalence classes | {summary['n_classes']:,} |",
            f"| smallest class (k) | {summary['smallest_class']:,} |",
            f"| sample uniqueness | {summary['sample_uniqueness']:.2%} |",
            f"| records in classes < {k} | {summary['records_below_k']:.2%} |",
            f"| prosecutor risk, highest | {pros.get('max', float('nan')):.3f} |",
            f"| prosecutor risk, average | {pros.get('mean', float('nan')):.3f} |",
            f"| marketer risk | {summary['marketer']:.3f} |",
        ]
    lines += ["", "## Extreme values", ""]
    extreme = _extreme_values(frame)
    if not extreme:
        lines.append(f"No numeric column has values beyond {EXTREME_IQR:g} IQR of its quartiles.")
    else:
        lines += [
            f"Values beyond {EXTREME_IQR:g} IQR of the quartiles single out their records "
            "(the one customer with a huge debt): top-code them in the policy "
            "(TopBottomCoder) or, for model training, drop the rows before the pipeline "
            "(filter_outlier_rows).", "",
            "| column | rows beyond the fences | share | side |", "|---|---:|---:|---|",
        ]
        for column, count, share, side in extreme:
            name = str(column).replace("|", "\\|")
            lines.append(f"| {name} | {count:,} | {share:.2%} | {side} |")
    lines.append("")
    return "\n".join(lines)


#: IQR multiple beyond which the profile flags a numeric value as extreme
#: (Tukey's "far out" fences)
EXTREME_IQR = 3.0


def _extreme_values(frame):
    """``[(column, count, share, side)]`` of numeric columns with far-out values.

    Counts only: no value (not even a bound) is returned, since a bound
    learnt from the data can be a person's value.  Columns whose middle half
    is a single value (IQR 0, such as flags) are not judged.
    """
    import numpy as np

    from ..base import is_numeric
    from ..generalize import outlier_bounds

    out = []
    for column in frame.columns:
        if not is_numeric(frame[column]):
            continue
        values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        finite = values[np.isfinite(values)]
        if not finite.size:
            continue
        q1, q3 = np.quantile(finite, [0.25, 0.75])
        if q3 == q1:
            continue
        lo, hi = outlier_bounds(finite, "iqr", factor=EXTREME_IQR)
        low, high = int((values < lo).sum()), int((values > hi).sum())  # NaN: neither
        if low + high:
            side = "both" if low and high else ("high" if high else "low")
            out.append((column, low + high, (low + high) / len(values), side))
    return out


def _profile_html(path, markdown):
    """The profile's Markdown (headings, paragraphs, tables) as one HTML page."""
    from .._html import element, page, table

    body, rows = [], []

    def flush():
        if rows:
            head, *cells = rows
            body.extend(table(head, cells))
            rows.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if not all(set(c) <= set("-:") for c in cells):
                rows.append(cells)
            continue
        flush()
        if line.startswith("## "):
            body.append(element("h2", line[3:]))
        elif line.startswith("# "):
            body.append(element("h1", line[2:]))
        elif line.strip():
            body.append(element("p", line))
    flush()
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}")
    return page(f"Profile of {Path(path).name}", body, style=style)
