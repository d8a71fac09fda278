"""The ``sklearn-anon`` command (also ``python -m sklearn_anon``).

Subcommands::

    sklearn-anon profile DATA [--html FILE] [--suggest-policy FILE]
    sklearn-anon anonymize DATA --policy POLICY -o OUT [--save-pipeline FILE]
                 [--report FILE] [--encrypt-key env:NAME|file:PATH]
    sklearn-anon apply DATA --pipeline FILE -o OUT [--report FILE] [--encrypt-key ...]
    sklearn-anon encrypt FILE -o OUT --key env:NAME|file:PATH
    sklearn-anon decrypt FILE -o OUT --key env:NAME|file:PATH
    sklearn-anon keygen [-o KEYFILE]
    sklearn-anon demo [--output-dir DIR]

DATA is a CSV (``--sep``, ``--encoding``) or Parquet file (by its suffix,
or ``--format``).  Every failure caused by the input (a missing or
malformed file, a wrong policy, a wrong key) is one line on stderr,
``sklearn-anon: error: ...``, and a non-zero exit code (1; 2 for a wrong
command line; 128 + the signal's number after SIGINT, SIGTERM or SIGHUP).
The outputs of a run are written to temporary files (mode 0600) and renamed
together at the end, so a failed or interrupted run leaves none of them; a
symbolic link given as output is written through.  A header naming a column
twice is refused.  Messages name files, columns and policy keys, never a
cell value (an error message of pandas or numpy, which may quote one, is not
shown).  Progress bars appear on stderr when it is a terminal, and never
with ``--quiet``.

A saved pipeline is a joblib (pickle) file: load only pipelines you made
yourself, since unpickling runs code.  It holds key *references*
(``env:NAME``), not keys, and the versions of sklearn_anon, scikit-learn,
pandas and numpy that wrote it.
"""

import argparse
import io
import json
import os
import re
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

__all__ = ["main"]

PROG = "sklearn-anon"
PIPELINE_FORMAT = "sklearn-anon/pipeline"
#: 2: the pipeline is pickled inside the bundle, which records the library versions
PIPELINE_BUNDLE_VERSION = 2
EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 1, 2, 70


class UserError(Exception):
    """A failure the user can fix; printed as one line, no traceback."""


# ==========================================================================
# progress on stderr
# ==========================================================================
class Progress:
    """A minimal progress printer: a bar on a terminal, nothing otherwise."""

    def __init__(self, enabled=None, stream=None, width=28):
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.width = width
        self._start = time.perf_counter()
        self._last = 0.0
        self._shown = False

    def show(self, done, total, label, *, force=False):
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.1 and done < total:
            return
        self._last = now
        frac = 0.0 if total <= 0 else min(1.0, done / total)
        filled = int(round(frac * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {100 * frac:5.1f}%  {label[:40]:<40} "
                          f"{now - self._start:6.1f}s")
        self.stream.flush()
        self._shown = True
        if self not in _ACTIVE:
            _ACTIVE.append(self)

    def stages(self, labels):
        """An iterator helper: call ``next(step)`` before each stage."""
        n = len(labels)
        for i, label in enumerate(labels):
            self.show(i, n, label, force=True)
            yield label
        self.show(n, n, "done", force=True)
        self.close()

    def bytes(self, total, label):
        """A callback ``advance(nbytes)`` for streaming work."""
        seen = [0]

        def advance(n):
            seen[0] += n
            self.show(seen[0], total, label)

        return advance

    def close(self):
        if self.enabled and self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
        if self in _ACTIVE:
            _ACTIVE.remove(self)


#: progress printers with an unfinished line (closed before an error is printed)
_ACTIVE = []


def _close_progress():
    while _ACTIVE:
        _ACTIVE.pop().close()


# ==========================================================================
# reading and writing tables
# ==========================================================================
_CSV_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": ","}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_ENC_SUFFIXES = {".enc", ".aes"}


def _table_format(path, given=None):
    if given:
        return given
    suffixes = [s.lower() for s in Path(path).suffixes]
    while suffixes and suffixes[-1] in _ENC_SUFFIXES:
        suffixes.pop()
    suffix = suffixes[-1] if suffixes else ""
    return "parquet" if suffix in _PARQUET_SUFFIXES else "csv"


def _default_sep(path, sep):
    if sep is not None:
        return sep
    return "\t" if Path(path).suffix.lower() == ".tsv" else ","


def _check_regular(path, what="input"):
    """``path`` as a Path if it is a regular file (or a link to one); UserError otherwise."""
    path = Path(path)
    if not path.exists():
        if path.is_symlink():
            raise UserError(f"{what} '{path}' is a symbolic link to a missing file")
        raise UserError(f"{what} '{path}' does not exist")
    if path.is_dir():
        raise UserError(f"{what} '{path}' is a folder, not a file")
    if not path.is_file():
        raise UserError(f"{what} '{path}' is not a regular file (a device, pipe or socket); "
                        "give the path of a file")
    return path


def _check_input(path, what="input"):
    path = _check_regular(path, what)
    from ._crypto import is_encrypted

    if is_encrypted(path):
        raise UserError(f"{what} '{path}' is encrypted: decrypt it first "
                        f"({PROG} decrypt {path} -o FILE --key env:NAME)")
    return path


def _check_output(path, what="output", inputs=()):
    from ._crypto import OutputError, output_target

    path = Path(path)
    if path.is_dir():
        raise UserError(f"{what} '{path}' is a folder")
    try:
        target = output_target(path)  # a symlink is written through, never replaced
    except OutputError as exc:
        raise UserError(f"{what}: {exc}") from None
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"{what} folder '{parent}' does not exist")
    for other in inputs:
        if other is not None and path.exists() and Path(other).exists() and \
                os.path.samefile(path, other):
            raise UserError(f"{what} '{path}' is also an input: it would be overwritten")
    return path


def _parquet_engine():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UserError("Parquet files need the 'pyarrow' package: pip install pyarrow") from None


def _csv_error(path, exc):
    msg = str(exc)
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if m:
        return UserError(f"input '{path}' is not a well-formed CSV file: line {m.group(2)} has "
                         f"{m.group(3)} fields, the header {m.group(1)} (check --sep and quoting)")
    if "EOF inside string" in msg:
        return UserError(f"input '{path}' is not a well-formed CSV file: a quoted field is "
                         "never closed")
    return UserError(f"input '{path}' is not a well-formed CSV file")


@contextmanager
def _reading_csv(path, encoding):
    """pandas' CSV reading errors as :class:`UserError` naming the file, never a cell."""
    import pandas as pd

    try:
        yield
    except pd.errors.EmptyDataError:
        raise UserError(f"input '{path}' is empty") from None
    except UnicodeDecodeError:
        raise UserError(f"input '{path}' is not valid {encoding} text (give --encoding, "
                        "e.g. --encoding latin-1)") from None
    except pd.errors.ParserError as exc:
        raise _csv_error(path, exc) from None
    except LookupError:
        raise UserError(f"unknown encoding {encoding!r}") from None
    except (ValueError, TypeError):
        raise UserError(f"input '{path}' cannot be read as CSV") from None


def _raw_header(path, fmt, sep, encoding):
    """The column names as written in the file, before pandas renames anything.

    pandas renames a repeated CSV header name (``ssn, ..., ssn`` becomes
    ``ssn`` and ``ssn.1``) and an empty one (``Unnamed: 3``), so that a
    policy rule for ``ssn`` would miss the second column.  The header is read
    here as a data row (``header=None``: same tokenizer, same separator,
    encoding, quoting and blank-line handling, no renaming); for Parquet the
    schema's names.
    """
    import pandas as pd

    if fmt == "parquet":
        _parquet_engine()
        import pyarrow.parquet as pq

        try:
            names = pq.read_schema(path).names
        except Exception:  # pyarrow's errors carry no cell value, but are many
            raise UserError(f"input '{path}' is not a readable Parquet file") from None
        return [str(c) for c in names if not str(c).startswith("__index_level_")]
    with _reading_csv(path, encoding):
        first = pd.read_csv(path, sep=_default_sep(path, sep), encoding=encoding, header=None,
                            nrows=1, dtype=str, keep_default_na=False, na_filter=False)
    return ["" if pd.isna(c) else str(c) for c in first.iloc[0]] if len(first) else []


def read_header(path, *, fmt=None, sep=None, encoding="utf-8"):
    """The column names of a CSV/Parquet file, reading nothing else.

    A header with a repeated or an empty name is refused (:class:`UserError`).
    """
    path = _check_input(path)
    fmt = _table_format(path, fmt)
    columns = _raw_header(path, fmt, sep, encoding)
    if not columns:
        raise UserError(f"input '{path}' is empty")
    _check_names(path, columns)
    return columns


def _check_names(path, columns):
    """Refuse a header with an empty or a repeated name (names the column, a header name)."""
    seen = set()
    for c in columns:
        if not str(c).strip() or re.fullmatch(r"Unnamed: \d+", str(c)):
            raise UserError(f"input '{path}' has a column without a name in its header")
        if c in seen:
            raise UserError(f"input '{path}' has the column name {c!r} more than once in its "
                            "header (rename one: a policy rule must not miss a copy)")
        seen.add(c)


def read_table(path, *, fmt=None, sep=None, encoding="utf-8", dtypes=None):
    """Read a CSV/Parquet file into a DataFrame; :class:`UserError` on bad input.

    ``dtypes`` maps columns to ``"str"``, ``"int"``, ``"float"``,
    ``"datetime"`` or ``"category"`` (from a policy).
    """
    import pandas as pd

    from .. import _text

    path = _check_input(path)
    fmt = _table_format(path, fmt)
    dtypes = dict(dtypes or {})
    header = _raw_header(path, fmt, sep, encoding)  # before pandas renames repeated names
    if header:
        _check_names(path, header)
    if fmt == "parquet":
        _parquet_engine()
        try:
            frame = pd.read_parquet(path)
        except Exception:
            raise UserError(f"input '{path}' is not a readable Parquet file") from None
    else:
        as_text = {c: str for c, d in dtypes.items() if d in ("str", "category")}
        with _reading_csv(path, encoding):
            frame = pd.read_csv(path, sep=_default_sep(path, sep), encoding=encoding,
                                dtype=as_text or None, on_bad_lines="error")
    frame.columns = [str(c) for c in frame.columns]
    _check_names(path, list(frame.columns))
    if fmt != "parquet" and header and list(frame.columns) != header:  # pragma: no cover
        # a renaming not foreseen: refuse rather than let a policy rule miss a column
        raise UserError(f"input '{path}': the column names read differ from the header")
    if len(frame) == 0:
        raise UserError(f"input '{path}' has a header but no rows")
    for column, dtype in dtypes.items():
        if column not in frame.columns or dtype == "str":
            continue
        try:
            if dtype == "category":
                frame[column] = pd.Series(_text.categorical(frame[column]), index=frame.index)
            elif dtype == "datetime":
                frame[column] = pd.to_datetime(frame[column], format="mixed")
            else:
                values = pd.to_numeric(frame[column])
                if dtype == "int":
                    if values.isna().any() or (values != values.round()).any():
                        raise ValueError
                    values = values.astype("int64")
                frame[column] = values.astype("float64") if dtype == "float" else values
        except (ValueError, TypeError, OverflowError):
            raise UserError(f"input '{path}': column {column!r} cannot be read as {dtype} "
                            "(the policy's dtype)") from None
    return frame


def _without_unused_categories(frame):
    """``frame`` with the categories no row uses removed from every categorical column.

    A fitted generalizer's categories are its whole training vocabulary
    (every ZIP3 seen, every Mondrian region label, which may carry a training
    outlier's exact value); Parquet stores the categories of a column, used
    or not, so a file written from new data would reveal the training data's.
    """
    import pandas as pd

    positions = [i for i, dtype in enumerate(frame.dtypes)
                 if isinstance(dtype, pd.CategoricalDtype)]
    if not positions:
        return frame
    frame = frame.copy(deep=False)
    for i in positions:
        frame.isetitem(i, frame.iloc[:, i].cat.remove_unused_categories())
    return frame


def table_bytes(frame, fmt, *, sep=","):
    """Serialize a table to CSV (UTF-8) or Parquet bytes.

    Unused categories are dropped first (:func:`_without_unused_categories`):
    a file holds only the values of its rows.
    """
    frame = _without_unused_categories(frame)
    try:
        if fmt == "parquet":
            _parquet_engine()
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False)
            return buf.getvalue()
        return frame.to_csv(index=False, sep=sep).encode("utf-8")
    except UnicodeError:
        # the encoder's message quotes the character: never passed on (from None)
        bad = _unencodable_columns(frame)
        raise ValueError(
            f"Cannot write the table as {fmt}: column(s) {', '.join(map(repr, bad)) or '(names)'} "
            "hold text that UTF-8 cannot encode (lone surrogates, e.g. from a broken UTF-16 or "
            "JSON decoder); clean or drop those values before writing."
        ) from None


def _unencodable_columns(frame):
    """Names of the columns (or a column name) holding a ``str`` UTF-8 cannot encode."""
    import pandas as pd

    from .. import _text

    def bad(value):
        if not isinstance(value, str):
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False

    out = []
    for i, name in enumerate(frame.columns):
        col = frame.iloc[:, i]
        values = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else col
        if bad(name) or (not pd.api.types.is_numeric_dtype(values.dtype)
                         and any(bad(v) for v in _text.unique(values.to_numpy(dtype=object)))):
            out.append(name)
    return out


def _write_bytes(path, data, outputs=None):
    """Write ``data`` to ``path`` atomically, or stage it in ``outputs`` (an OutputSet)."""
    from ._crypto import OutputSet

    if outputs is None:
        with OutputSet() as own:
            _write_bytes(path, data, own)
        return
    with outputs.open(path) as fh:
        fh.write(data)


def write_table(frame, path, *, fmt=None, sep=None, key=None, outputs=None):
    """Write atomically (mode 0600), encrypted when a key is given.

    With ``outputs`` (a :class:`~sklearn_anon._crypto.OutputSet`) the file is
    only staged: it appears when the set is committed, with the run's other
    outputs.
    """
    from ._crypto import encrypt_bytes

    fmt = _table_format(path, fmt)
    data = table_bytes(frame, fmt, sep=_default_sep(path, sep))
    if key is not None:
        data = encrypt_bytes(data, key)
    _write_bytes(path, data, outputs)
    return len(data)


def _write_text(path, text, outputs=None):
    _write_bytes(path, text.encode("utf-8"), outputs)


def _load_key(spec):
    """The key of ``spec``; a key file others may read gets a warning on stderr (as ssh)."""
    from ._crypto import KeyFilePermissionWarning, load_key

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KeyFilePermissionWarning)
        key = load_key(spec)
    for w in caught:
        if issubclass(w.category, KeyFilePermissionWarning):
            # shown even with --quiet: it is about the key's safety, not progress
            print(f"{PROG}: warning: {' '.join(str(w.message).split())}", file=sys.stderr)
        else:  # pragma: no cover - load_key warns about nothing else
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return key


# ==========================================================================
# reports
# ==========================================================================
def _privacy_report(original, anonymized, qis, policy_report=None, title="Privacy report",
                    anonymizer=None):
    """The report; ``anonymizer`` (the fitted pipeline) lets it read custom labels."""
    from ..metrics import PrivacyReport

    cfg = dict(policy_report or {})
    sensitive = cfg.get("sensitive")
    if sensitive is not None and (sensitive not in anonymized.columns
                                  or sensitive not in original.columns):
        sensitive = None
    kwargs = {k: cfg[k] for k in ("k", "min_k", "max_uniqueness", "max_reidentification")
              if k in cfg}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return PrivacyReport(original, anonymized, qis, sensitive, title=title,
                             anonymizer=anonymizer, **kwargs)


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


# ==========================================================================
# subcommands
# ==========================================================================
def _say(args, *lines):
    if not args.quiet:
        for line in lines:
            print(line)


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
    steps = progress.stages(["reading", "detecting identifiers", "measuring risk", "writing"])
    next(steps)
    frame = read_table(args.data, fmt=args.format, sep=args.sep, encoding=args.encoding)
    next(steps)
    detection = detect_pii(frame)
    if args.quasi_identifiers:
        qis = [q.strip() for q in args.quasi_identifiers.split(",") if q.strip()]
        for q in qis:
            if q not in frame.columns:
                raise UserError(f"--quasi-identifiers: {q!r} is not a column of the data")
    else:
        qis = [c for c in detection.index[detection["role"] == "quasi_identifier"]]
    next(steps)
    summary = risk_summary(frame, qis, k=args.k) if qis else None
    cardinality = column_cardinality(frame)
    next(steps)
    md = _profile_markdown(args.data, frame, detection, qis, summary, cardinality, args.k)
    from ._crypto import OutputSet

    with OutputSet() as outputs:
        if args.html:
            _write_text(args.html, _profile_html(args.data, md), outputs)
        if args.suggest_policy:
            _write_text(args.suggest_policy, suggest_policy(detection, frame.dtypes.to_dict()),
                        outputs)
    next(steps, None)
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
    lines.append("")
    return "\n".join(lines)


def _profile_html(path, markdown):
    import html

    body, table = [], []

    def flush():
        if table:
            head, *rows = table
            body.append("<table><thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head)
                        + "</tr></thead><tbody>")
            body.extend("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                        for r in rows)
            body.append("</tbody></table>")
            table.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if not all(set(c) <= set("-:") for c in cells):
                table.append(cells)
            continue
        flush()
        if line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.strip():
            body.append(f"<p>{html.escape(line)}</p>")
    flush()
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Profile of {html.escape(Path(path).name)}</title><style>{style}</style>"
            "</head><body>" + "\n".join(body) + "</body></html>\n")


#: warnings worth showing: they name columns only, and say what leaks
def _privacy_warning_classes():
    from .._compat import PrivacyLeakWarning
    from ..identifiers import FrequencyAttackWarning

    return (PrivacyLeakWarning, FrequencyAttackWarning)


def _guarded(func, what, notes):
    """Run ``func()``; package errors become UserError, privacy warnings go to ``notes``.

    Other warnings (pandas', numpy's) are not shown: their text may quote data.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func()
        except (ValueError, TypeError) as exc:
            raise _user_error(what, exc) from exc
    kinds = _privacy_warning_classes()
    for w in caught:
        if issubclass(w.category, kinds):
            text = " ".join(str(w.message).split())
            if text not in notes:
                notes.append(text)
    return result


def _fit_transform(ct, frame, notes, what="anonymize"):
    return _guarded(lambda: ct.fit_transform(frame), what, notes)


def _warn(args, notes):
    if not args.quiet:
        for note in notes:
            print(f"{PROG}: warning: {note}", file=sys.stderr)


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_RAISE_CALL = re.compile(r"\s*raise\s+[\w.]+\(")


def _raised_by_package(exc):
    """Whether ``exc`` was raised by a ``raise Error(...)`` statement of sklearn_anon.

    Only those messages are written by the package, which names columns and
    never values.  An error raised inside pandas, numpy or scikit-learn (or
    by their C code called from the package) may quote a cell, e.g.
    ``could not convert string to float: '...'``; so may a bare re-raise.
    """
    import linecache

    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    if module != "sklearn_anon" and not module.startswith("sklearn_anon."):
        return False
    line = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
    return bool(_RAISE_CALL.match(line))


def _user_error(what, exc):
    """A :class:`UserError` from an error of the anonymizers, never quoting a value.

    The package's own messages (which name columns, never values) are shown;
    a message from another library is not, since it may quote a cell.
    """
    if _raised_by_package(exc):
        return UserError(f"{what}: {_first_line(exc)}")
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    source = (tb.tb_frame.f_globals.get("__name__", "") if tb is not None else "").split(".")[0]
    return UserError(f"{what}: {type(exc).__name__} raised in {source or 'a library'} (its "
                     "message is not shown, since it may quote a data value; --debug shows "
                     "the traceback)")


def run_anonymize(data, policy_path, output, *, save_pipeline=None, report_path=None,
                  encrypt_key=None, fmt=None, output_format=None, sep=None, encoding="utf-8",
                  progress=None):
    """What ``sklearn-anon anonymize`` does; returns ``(anonymized, report, info)``."""
    import joblib

    from .. import __version__
    from ..policy import PolicyError, load_policy

    progress = progress or Progress(False)
    # 1. everything checkable without reading data
    try:
        policy = load_policy(policy_path)
    except PolicyError as exc:
        raise UserError(str(exc)) from None
    outputs = [p for p in (output, save_pipeline, report_path) if p]
    for p in outputs:
        _check_output(p, inputs=[data, policy_path])
    if len({str(Path(p).resolve()) for p in outputs}) < len(outputs):
        raise UserError("the output, pipeline and report paths must differ")
    key = _load_key(encrypt_key) if encrypt_key else None
    if _table_format(output, output_format) == "parquet":
        _parquet_engine()
    # 2. the header only
    columns = read_header(data, fmt=fmt, sep=sep, encoding=encoding)
    try:
        unlisted = policy.check_columns(columns)
        ct = policy.build(columns)
    except PolicyError as exc:
        raise UserError(f"policy '{Path(policy_path).name}': {str(exc)[len('policy: '):]}") from None
    steps = progress.stages(["reading", "fitting the anonymizer", "measuring risk", "writing"])
    next(steps)
    frame = read_table(data, fmt=fmt, sep=sep, encoding=encoding, dtypes=policy.read_dtypes())
    next(steps)
    notes = []
    anonymized = _fit_transform(ct, frame, notes)
    next(steps)
    qis = [q for q in policy.quasi_identifiers(list(anonymized.columns))
           if q in anonymized.columns]
    report = None
    if qis:
        try:
            report = _privacy_report(frame, anonymized, qis, policy.report, anonymizer=ct)
        except (ValueError, TypeError) as exc:
            if report_path:
                raise _user_error("report", exc) from exc
            notes.append(f"no risk summary: {_user_error('report', exc)}")
    next(steps)
    from ._crypto import OutputSet

    # every output is staged, then all are renamed together: none or all of them appear
    with OutputSet() as outputs:
        n_bytes = write_table(anonymized, output, fmt=output_format, sep=sep, key=key,
                              outputs=outputs)
        if save_pipeline:
            versions = _library_versions()
            bundle = {
                "format": PIPELINE_FORMAT,
                "version": PIPELINE_BUNDLE_VERSION,
                "sklearn_anon_version": __version__,
                "versions": versions,
                "pipeline": _PicklePayload(ct),
                "input_columns": list(columns),
                "output_columns": list(anonymized.columns),
                "read_dtypes": policy.read_dtypes(),
                "quasi_identifiers": qis,
                "report": dict(policy.report),
                "policy": Path(policy_path).read_text(encoding="utf-8"),
            }
            with outputs.open(save_pipeline) as fh:
                joblib.dump(bundle, fh)
        if report is not None and report_path:
            _write_report(report, report_path, outputs)
    next(steps, None)
    info = {"unlisted": unlisted, "n_rows": len(frame), "bytes": n_bytes, "qis": qis,
            "policy": policy, "warnings": notes}
    return anonymized, report, info


def cmd_anonymize(args):
    progress = Progress(False if args.quiet else None)
    anonymized, report, info = run_anonymize(
        args.data, args.policy, args.output, save_pipeline=args.save_pipeline,
        report_path=args.report, encrypt_key=args.encrypt_key, fmt=args.format,
        output_format=args.output_format, sep=args.sep, encoding=args.encoding,
        progress=progress,
    )
    policy = info["policy"]
    _warn(args, info["warnings"])
    if info["unlisted"]:
        what = {"drop": "dropped", "keep": "kept unchanged"}[policy.unlisted]
        _say(args, f"not in the policy, {what}: {', '.join(info['unlisted'])}")
    _say(args, f"anonymized {info['n_rows']:,} rows: {len(anonymized.columns)} columns written "
               f"({', '.join(anonymized.columns)})")
    if report is not None:
        _say(args, *_risk_lines(report))
    else:
        _say(args, "no quasi-identifier in the output: no risk report (list them in [report])")
    _say(args, f"wrote {args.output}" + (" (encrypted)" if args.encrypt_key else ""))
    if args.save_pipeline:
        _say(args, f"wrote {args.save_pipeline} (fitted pipeline; re-apply with "
                   f"'{PROG} apply DATA --pipeline {args.save_pipeline} -o OUT')")
    if args.report and report is not None:
        _say(args, f"wrote {args.report}")
    return 0


#: the libraries whose versions a saved pipeline records (pickles depend on them)
_RECORDED_LIBRARIES = (("sklearn_anon", "sklearn_anon"), ("scikit-learn", "sklearn"),
                       ("pandas", "pandas"), ("numpy", "numpy"))


def _library_versions():
    """``{"sklearn_anon": "0.1.0", "scikit-learn": "1.9.1", "pandas": ..., "numpy": ...}``."""
    import importlib

    return {name: str(getattr(importlib.import_module(module), "__version__", "unknown"))
            for name, module in _RECORDED_LIBRARIES}


def _minor(version):
    m = re.match(r"(\d+)\.(\d+)", str(version))
    return (int(m.group(1)), int(m.group(2))) if m else None


def _describe_versions(versions):
    return ", ".join(f"{name} {versions[name]}" for name, _ in _RECORDED_LIBRARIES
                     if name in versions)


class _UnloadablePipeline:
    """Stands for a saved pipeline whose pickle failed to load under these versions."""

    def __init__(self, error):
        self.error = error

    def __repr__(self):
        return f"<pipeline that could not be loaded here ({self.error})>"

    def transform(self, X):
        raise RuntimeError(f"this saved pipeline could not be loaded ({self.error}): it was "
                           "written by other library versions (see the bundle's 'versions')")


def _unpickle_pipeline(data):
    """Load the pickled pipeline of a bundle; :class:`_UnloadablePipeline` if it fails.

    Saved pipelines refer to this function by its name: keep its name and
    module.  The bundle around it holds only built-in types, so it always
    loads, and the versions that wrote it can be told when the pipeline
    itself cannot be loaded (a scikit-learn or sklearn_anon class moved or
    changed).
    """
    import pickle

    try:
        return pickle.loads(data)
    except Exception as exc:  # noqa: BLE001 - any failure means "written elsewhere"
        return _UnloadablePipeline(type(exc).__name__)


class _PicklePayload:
    """Pickles ``obj`` as bytes loaded by :func:`_unpickle_pipeline` (see there)."""

    def __init__(self, obj):
        self.obj = obj

    def __reduce__(self):
        import pickle

        return (_unpickle_pipeline, (pickle.dumps(self.obj, protocol=pickle.HIGHEST_PROTOCOL),))


def _writer_version(path):
    """The ``sklearn_anon_version`` of a bundle that cannot be unpickled, read off its opcodes.

    The bundle's small fields come before the pipeline in the pickle stream,
    so they can be read without building any object.  None if the file is
    not a bundle of ours.
    """
    import pickletools

    strings = []
    try:
        with open(path, "rb") as fh:
            for _, arg, _ in pickletools.genops(fh):
                if isinstance(arg, str):
                    strings.append(arg)
                    if len(strings) > 64:
                        break
    except Exception:  # noqa: BLE001 - the end of what can be read
        pass
    if PIPELINE_FORMAT not in strings or "sklearn_anon_version" not in strings:
        return None
    i = strings.index("sklearn_anon_version")
    return strings[i + 1] if i + 1 < len(strings) else None


def load_pipeline(path, notes=None):
    """``(pipeline, bundle)`` from a file written by ``anonymize --save-pipeline``.

    A plain fitted transformer saved with :func:`joblib.dump` is accepted
    too (``bundle`` is then an empty dict).  The bundle records the versions
    of sklearn_anon, scikit-learn, pandas and numpy that wrote it: a pipeline
    that cannot be loaded here is refused naming them, and one written by
    another minor version of sklearn_anon or scikit-learn gets a warning
    (appended to ``notes``).
    """
    import joblib

    path = _check_input(path, "pipeline")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = joblib.load(path)
    except Exception as exc:
        writer = _writer_version(path)
        if writer is not None:  # a bundle of ours, written where its classes differ
            raise UserError(
                f"pipeline '{path}' was written by sklearn_anon {writer} and cannot be loaded "
                f"with {_describe_versions(_library_versions())} ({type(exc).__name__}): "
                f"install that version, or fit it again here with '{PROG} anonymize "
                "--save-pipeline'") from None
        raise UserError(f"pipeline '{path}' is not a pipeline saved by {PROG} "
                        "(joblib could not load it)") from None
    if isinstance(obj, dict) and obj.get("format") == PIPELINE_FORMAT:
        here = _library_versions()
        written = obj.get("versions") or {"sklearn_anon": obj.get("sklearn_anon_version", "?")}
        pipeline = obj.get("pipeline")
        if isinstance(pipeline, _UnloadablePipeline):
            raise UserError(
                f"pipeline '{path}' was written by {_describe_versions(written)} and cannot be "
                f"loaded with {_describe_versions(here)} ({pipeline.error}): install those "
                f"versions, or fit it again here with '{PROG} anonymize --save-pipeline'")
        differ = [name for name in ("sklearn_anon", "scikit-learn")
                  if name in written and _minor(written[name]) != _minor(here[name])]
        if differ and notes is not None:
            notes.append(
                f"pipeline '{path}' was written by {_describe_versions(written)}; this is "
                f"{_describe_versions(here)}: only the same minor versions of sklearn_anon and "
                "scikit-learn are supported, fit it again if in doubt")
        if not hasattr(pipeline, "transform"):
            raise UserError(f"pipeline '{path}' holds no fitted transformer")
        return pipeline, obj
    if hasattr(obj, "transform"):
        return obj, {}
    raise UserError(f"pipeline '{path}' holds no fitted transformer")


def cmd_apply(args):
    progress = Progress(False if args.quiet else None)
    outs = [p for p in (args.output, args.report) if p]
    for p in outs:
        _check_output(p, inputs=[args.data, args.pipeline])
    if len({str(Path(p).resolve()) for p in outs}) < len(outs):
        raise UserError("the output and report paths must differ")
    key = _load_key(args.encrypt_key) if args.encrypt_key else None
    if _table_format(args.output, args.output_format) == "parquet":
        _parquet_engine()
    load_notes = []
    pipeline, bundle = load_pipeline(args.pipeline, load_notes)
    _warn(args, load_notes)  # now: it explains an error that may follow
    columns = read_header(args.data, fmt=args.format, sep=args.sep, encoding=args.encoding)
    needed = bundle.get("input_columns")
    if needed is None:
        needed = [str(c) for c in getattr(pipeline, "feature_names_in_", columns)]
    missing = [c for c in needed if c not in columns]
    if missing:
        raise UserError(f"input '{args.data}': column {missing[0]!r}, which the pipeline was "
                        "fitted with, is missing"
                        + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    steps = progress.stages(["reading", "applying the pipeline", "measuring risk", "writing"])
    next(steps)
    frame = read_table(args.data, fmt=args.format, sep=args.sep, encoding=args.encoding,
                       dtypes=bundle.get("read_dtypes"))
    next(steps)
    notes = []
    out = _guarded(lambda: pipeline.transform(frame[needed]), "apply", notes)
    import pandas as pd

    if not isinstance(out, pd.DataFrame):
        names = getattr(pipeline, "get_feature_names_out", lambda: None)()
        out = pd.DataFrame(out.toarray() if hasattr(out, "toarray") else out,
                           columns=None if names is None else list(names))
    next(steps)
    report = None
    qis = [q for q in bundle.get("quasi_identifiers", []) if q in out.columns]
    if qis and (args.report or not args.quiet):
        try:
            report = _privacy_report(frame, out, qis, bundle.get("report"), anonymizer=pipeline)
        except (ValueError, TypeError) as exc:
            if args.report:
                raise _user_error("report", exc) from exc
            notes.append(f"no risk summary: {_user_error('report', exc)}")
    next(steps)
    from ._crypto import OutputSet

    with OutputSet() as outputs:  # the table and the report appear together, or neither
        write_table(out, args.output, fmt=args.output_format, sep=args.sep, key=key,
                    outputs=outputs)
        if report is not None and args.report:
            _write_report(report, args.report, outputs)
    next(steps, None)
    _warn(args, notes)
    _say(args, f"applied '{args.pipeline}' to {len(frame):,} rows: {out.shape[1]} columns written")
    if report is not None:
        _say(args, *_risk_lines(report))
    _say(args, f"wrote {args.output}" + (" (encrypted)" if key is not None else ""))
    return 0


def _crypt(args, decrypt):
    from ._crypto import decrypt_file, encrypt_file, is_encrypted

    src = _check_regular(args.input)  # /dev/null, a pipe: said so, not "does not exist"
    _check_output(args.output, inputs=[src])
    key = _load_key(args.key)
    if not decrypt and is_encrypted(src) and not args.force:
        raise UserError(f"input '{src}' is already encrypted (use --force to encrypt it again)")
    progress = Progress(False if args.quiet else None)
    advance = progress.bytes(src.stat().st_size, "decrypting" if decrypt else "encrypting")
    try:
        n = (decrypt_file if decrypt else encrypt_file)(src, args.output, key, progress=advance)
    finally:
        progress.close()
    _say(args, f"{'decrypted' if decrypt else 'encrypted'} {n:,} bytes: wrote {args.output}")
    return 0


def cmd_encrypt(args):
    return _crypt(args, decrypt=False)


def cmd_decrypt(args):
    return _crypt(args, decrypt=True)


def cmd_keygen(args):
    from ._crypto import generate_key, write_key_file

    if args.output:
        write_key_file(args.output)
        _say(args, f"wrote a new 256-bit key to {args.output} (mode 0600); use it as "
                   f"--key file:{args.output}")
    else:
        print(generate_key())
    return 0


# -- demo ------------------------------------------------------------------------------------
DEMO_KEY_VARIABLE = "SKLEARN_ANON_DEMO_KEY"
DEMO_POLICY = """\
# The demo's policy: a retailer's customer table prepared for a partner.
[policy]
name = "demo: customers for a marketing partner"
unlisted = "drop"          # city, state, username, ip, street address, mdem... are not written

[keys]
default = "env:SKLEARN_ANON_DEMO_KEY"

[report]
quasi_identifiers = ["zipcode", "birthdate", "sex", "income"]
k = 10

[columns]
name = "drop"
ssn = "drop"
email = { action = "pseudonymize", length = 16 }      # keyed: the retailer can re-join
zipcode = { action = "mondrian" }                     # k-anonymous regions over 4 columns
birthdate = { action = "mondrian", dtype = "datetime" }
sex = { action = "mondrian" }
income = { action = "mondrian" }
purchases = { action = "laplace", epsilon = 1.0, bounds = [0, 40] }   # local DP noise
golf = "keep"

[mondrian.default]
k = 10
"""


def _model_scores(train, test, y_train, y_test):
    """Accuracy and ROC AUC of a logistic regression (one-hot categories, scaled numbers)."""
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in train.columns if pd.api.types.is_numeric_dtype(train[c])
               and not isinstance(train[c].dtype, pd.CategoricalDtype)]
    other = [c for c in train.columns if c not in numeric]
    prep = make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(handle_unknown="ignore", min_frequency=5), other),
    )
    to_text = {c: train[c].astype(str) for c in other}
    train = train.assign(**to_text)
    test = test.assign(**{c: test[c].astype(str) for c in other})
    model = make_pipeline(prep, LogisticRegression(max_iter=2000)).fit(train, y_train)
    proba = model.predict_proba(test)[:, 1]
    return accuracy_score(y_test, proba >= 0.5), roc_auc_score(y_test, proba)


def cmd_demo(args):
    import numpy as np
    import pandas as pd
    from sklearn.model_selection import train_test_split

    from ._crypto import generate_key
    from ..datasets import make_customers

    start = time.perf_counter()
    out_dir = Path(args.output_dir) if args.output_dir else \
        Path(tempfile.mkdtemp(prefix="sklearn_anon_demo_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    if not os.environ.get(DEMO_KEY_VARIABLE):
        os.environ[DEMO_KEY_VARIABLE] = generate_key()
        key_note = f"a fresh random key in ${DEMO_KEY_VARIABLE} (set it to re-join the pseudonyms)"
    else:
        key_note = f"the key in ${DEMO_KEY_VARIABLE}"
    customers = make_customers(n_samples=args.n_samples, random_state=args.random_state)
    train, test = train_test_split(customers, test_size=0.3, random_state=0,
                                   stratify=customers["golf"])
    raw_path, policy_path = out_dir / "customers.csv", out_dir / "policy.toml"
    train.to_csv(raw_path, index=False)
    test.to_csv(out_dir / "customers_next_month.csv", index=False)
    _write_text(policy_path, DEMO_POLICY)
    print(f"sklearn-anon demo: {len(train):,} synthetic customers (make_customers), "
          f"{customers.shape[1]} columns, policy {policy_path.name}")
    progress = Progress(False if args.quiet else None)
    anonymized, report, info = run_anonymize(
        raw_path, policy_path, out_dir / "customers_anonymized.csv",
        save_pipeline=out_dir / "pipeline.joblib", report_path=out_dir / "report.html",
        progress=progress,
    )
    print(f"released columns: {', '.join(anonymized.columns)}; email pseudonymized with "
          f"{key_note}")
    print(f"dropped: {', '.join(c for c in customers.columns if c not in anonymized.columns)}")
    for line in _risk_lines(report):
        print(line)

    # re-apply the fitted pipeline to next month's data
    pipeline, bundle = load_pipeline(out_dir / "pipeline.joblib")
    raw_test = read_table(out_dir / "customers_next_month.csv", dtypes=bundle["read_dtypes"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        anon_test = pipeline.transform(raw_test[bundle["input_columns"]])
    write_table(anon_test, out_dir / "customers_next_month_anonymized.csv")

    # utility: the same model on raw versus anonymized features
    raw_train = pd.read_csv(raw_path)
    features = ["zipcode", "birthdate", "sex", "income", "purchases"]

    def raw_features(frame):
        f = frame[features].copy()
        age = (pd.Timestamp("2024-01-01") - pd.to_datetime(f["birthdate"])).dt.days / 365.25
        f["birthdate"] = age
        f["age2"] = (age - 50) ** 2  # the interests rise and fall with age
        f["income"] = np.log1p(f["income"])
        f["zipcode"] = (f["zipcode"] // 100).astype(str)  # ZIP3 as a category
        return f

    acc_raw, auc_raw = _model_scores(raw_features(raw_train), raw_features(raw_test),
                                     raw_train["golf"], raw_test["golf"])
    acc_anon, auc_anon = _model_scores(anonymized[features], anon_test[features],
                                       raw_train["golf"], raw_test["golf"])
    base = max(raw_test["golf"].mean(), 1 - raw_test["golf"].mean())
    print(f"model predicting 'golf' on {', '.join(features)} "
          f"(logistic regression, {len(raw_test):,} held-out customers):")
    print(f"  trained on raw data:        accuracy {acc_raw:.3f}, ROC AUC {auc_raw:.3f}")
    print(f"  trained on anonymized data: accuracy {acc_anon:.3f}, ROC AUC {auc_anon:.3f}")
    print(f"  (majority class alone: accuracy {base:.3f})")
    print(f"outputs in {out_dir}:")
    for name in ("customers.csv", "policy.toml", "customers_anonymized.csv", "pipeline.joblib",
                 "report.html", "customers_next_month.csv", "customers_next_month_anonymized.csv"):
        print(f"  {out_dir / name}")
    print(f"next: {PROG} anonymize {raw_path} --policy {policy_path} -o OUT.csv "
          f"--report report.md   (needs ${DEMO_KEY_VARIABLE})")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


# ==========================================================================
# argument parsing and the entry point
# ==========================================================================
def _add_input_options(p):
    p.add_argument("--format", choices=["csv", "parquet"], default=None,
                   help="input format (default: from the file suffix; CSV otherwise)")
    p.add_argument("--sep", default=None, help="CSV field separator (default ',', tab for .tsv)")
    p.add_argument("--encoding", default="utf-8", help="CSV text encoding (default utf-8)")


def build_parser():
    from .. import __version__

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bar and no summary on the terminal")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an unexpected error")
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Profile, anonymize (by a TOML policy), re-apply and encrypt tables.",
        epilog=f"Start with: {PROG} demo",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", default=False,
                        help="no progress bar and no summary on the terminal")
    parser.add_argument("--debug", action="store_true", default=False,
                        help="show the traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("profile", parents=[common], help="detect identifiers and measure risk",
                       description="Print the PII/role detection and the re-identification "
                                   "risk of a CSV or Parquet file (Markdown).")
    p.add_argument("data", help="CSV or Parquet file")
    _add_input_options(p)
    p.add_argument("--html", metavar="FILE", help="also write the profile as an HTML page")
    p.add_argument("--suggest-policy", metavar="FILE",
                   help="write a starting policy (TOML) from the detection")
    p.add_argument("--quasi-identifiers", metavar="A,B,...",
                   help="columns to measure the risk on (default: the detected ones)")
    p.add_argument("--k", type=int, default=5, help="class size for 'records in classes < k'")
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("anonymize", parents=[common], help="anonymize a table by a policy",
                       description="Build the ColumnTransformer the policy describes, fit it, "
                                   "write the anonymized table and the before/after report.")
    p.add_argument("data", help="CSV or Parquet file")
    p.add_argument("--policy", required=True, metavar="POLICY", help="the TOML policy")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="anonymized table (.csv or .parquet; a .enc suffix is ignored)")
    p.add_argument("--save-pipeline", metavar="FILE", help="save the fitted pipeline (joblib)")
    p.add_argument("--report", metavar="FILE",
                   help="before/after privacy report (.md, .html or .json)")
    p.add_argument("--encrypt-key", metavar="env:NAME|file:PATH",
                   help="write the output encrypted (AES-256-GCM) with this key")
    p.add_argument("--output-format", choices=["csv", "parquet"], default=None,
                   help="default: from the output suffix")
    _add_input_options(p)
    p.set_defaults(func=cmd_anonymize)

    p = sub.add_parser("apply", parents=[common], help="re-apply a saved fitted pipeline",
                       description="Anonymize new data with a pipeline saved by "
                                   "'anonymize --save-pipeline'.")
    p.add_argument("data", help="CSV or Parquet file with the columns the pipeline was fitted on")
    p.add_argument("--pipeline", required=True, metavar="FILE",
                   help="written by 'anonymize --save-pipeline' (load only files you trust)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="anonymized table")
    p.add_argument("--report", metavar="FILE", help="before/after report (.md, .html, .json)")
    p.add_argument("--encrypt-key", metavar="env:NAME|file:PATH",
                   help="write the output encrypted with this key")
    p.add_argument("--output-format", choices=["csv", "parquet"], default=None,
                   help="default: from the output suffix")
    _add_input_options(p)
    p.set_defaults(func=cmd_apply)

    for name, helptext in (("encrypt", "encrypt a file for transfer (AES-256-GCM)"),
                           ("decrypt", "decrypt a file written by encrypt")):
        p = sub.add_parser(name, parents=[common], help=helptext, description=helptext)
        p.add_argument("input", help="any file")
        p.add_argument("-o", "--output", required=True, help="written atomically")
        p.add_argument("--key", required=True, metavar="env:NAME|file:PATH",
                       help="the key: an environment variable or a key file, never a literal")
        if name == "encrypt":
            p.add_argument("--force", action="store_true",
                           help="encrypt even if the input is already encrypted")
        p.set_defaults(func=cmd_encrypt if name == "encrypt" else cmd_decrypt, force=False)

    p = sub.add_parser("keygen", parents=[common], help="make a new 256-bit key",
                       description="Print a new random key (base64), or write it to a file "
                                   "readable by you only.")
    p.add_argument("-o", "--output", metavar="KEYFILE")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("demo", parents=[common], help="the whole workflow on synthetic data",
                       description="Generate customers, anonymize them with a built-in policy, "
                                   "print the risk before/after and model accuracy.")
    p.add_argument("--output-dir", metavar="DIR",
                   default=os.environ.get("SKLEARN_ANON_OUTPUT_DIR")
                   or os.environ.get("SKLEARN_ANON_OUTPUT"),
                   help="where to write (default: a new temporary folder)")
    p.add_argument("--n-samples", type=int, default=5000)
    p.add_argument("--random-state", type=int, default=0)
    p.set_defaults(func=cmd_demo)
    return parser


def _error(message):
    _close_progress()
    message = " ".join(str(message).split())  # one line
    print(f"{PROG}: error: {message}", file=sys.stderr)


class _Terminated(BaseException):
    """Raised by the SIGTERM/SIGHUP handler, like KeyboardInterrupt for SIGINT.

    A BaseException, so that it unwinds through every ``except Exception``
    and the output files' clean-up runs (no ``.part`` file is left).
    """

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _stop_signals():
    import signal

    return [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


@contextmanager
def _signals_as_exceptions():
    """While running a command, SIGTERM and SIGHUP raise :class:`_Terminated`.

    Only in the main thread (signal handlers can be set only there); the
    previous handlers are restored afterwards.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        for s in _stop_signals():  # a second signal must not interrupt the clean-up
            signal.signal(s, signal.SIG_IGN)
        raise _Terminated(signum)

    previous = {}
    try:
        for s in _stop_signals():
            previous[s] = signal.signal(s, handler)
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)


def main(argv=None):
    """Run the command line; returns the exit code (0 on success).

    SIGINT (Ctrl-C), SIGTERM and SIGHUP stop a run cleanly: the outputs
    being written are removed, one line goes to stderr and the exit code is
    128 + the signal's number (130, 143, 129).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    from ._crypto import CryptoError, remove_temporaries
    from ..policy import PolicyError

    try:
        with _signals_as_exceptions(), warnings.catch_warnings():
            if not getattr(args, "debug", False):
                # other libraries' warnings go to stderr as they are and may quote a value;
                # the privacy warnings are collected and printed by the commands themselves
                warnings.simplefilter("ignore")
            try:
                return int(args.func(args) or 0)
            finally:
                remove_temporaries()  # normally none are left; after a signal, maybe
    except _Terminated as exc:
        import signal

        _error(f"stopped by {signal.Signals(exc.signum).name}; no partial output is left")
        return 128 + exc.signum
    except UserError as exc:
        if getattr(args, "debug", False) and exc.__cause__ is not None:
            raise exc.__cause__
        _error(exc)
        return EXIT_USER
    except (PolicyError, CryptoError) as exc:
        _error(exc)
        return EXIT_USER
    except KeyboardInterrupt:
        _error("interrupted; no partial output is left")
        return 130
    except MemoryError:
        _error("out of memory")
        return EXIT_USER
    except OSError as exc:
        where = f" '{exc.filename}'" if getattr(exc, "filename", None) else ""
        _error(f"{exc.strerror or type(exc).__name__}{where}")
        return EXIT_USER
    except Exception as exc:  # noqa: BLE001
        if getattr(args, "debug", False):
            raise
        # the message of an unexpected error may quote data: it is not printed
        _error(f"unexpected {type(exc).__name__} (a bug; run again with --debug for the "
               "traceback, which may show data values)")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
