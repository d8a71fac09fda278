"""``sklearn-anon anonymize`` (fit a policy's pipeline) and ``apply`` (re-apply a saved one)."""

from __future__ import annotations

from pathlib import Path

from ._bundle import (
    PIPELINE_BUNDLE_VERSION,
    PIPELINE_FORMAT,
    _library_versions,
    _PicklePayload,
    load_pipeline,
)
from ._common import PROG, UserError, _say, _warn
from ._errors import _guarded, _user_error
from ._io import (
    _check_output,
    _release_freed_memory,
    _use_process_heap,
    _write_bytes,
    _parquet_engine,
    _table_format,
    read_header,
    read_table,
    _write_table,
)
from ._encrypt import encryption_note, output_encryption, resolve_output_key
from ._manifest import build_manifest, manifest_bytes, manifest_path
from ._progress import Progress
from ._report import _classes_only, _privacy_report, _risk_lines, _write_report, check_verdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from typing import Any
    from .._typing import PathLike
    from ..metrics import PrivacyReport
    from ._age import AgeEncryption


def _rows(progress, label, total=None):
    """A row counter for :func:`read_table`/:func:`write_table`, or None when nothing is shown."""
    return progress.rows(label, total) if progress.enabled else None


def _used_columns(ct, columns):
    """The header's columns some part of the (unfitted) ColumnTransformer reads, in file order.

    Columns the policy drops are never read: they take no memory.
    """
    used = set()
    for _, _, cols in getattr(ct, "transformers", ()):
        used.update(map(str, [cols] if isinstance(cols, str) else cols))
    return [c for c in map(str, columns) if c in used]


def _measured_columns(frame, report_cfg, qis, pipeline):
    """The raw columns the verdict may read; the others (e.g. e-mails) can be released.

    Kept: the quasi-identifiers, the sensitive column, and every input of a
    part of the fitted ColumnTransformer that releases one of them (the
    report may re-apply that part to the raw table).  Anything but a
    ColumnTransformer with named columns keeps the whole frame.
    """
    wanted = {str(q) for q in qis}
    sensitive = (report_cfg or {}).get("sensitive")
    if sensitive is not None:
        wanted.add(str(sensitive))
    parts = getattr(pipeline, "transformers_", None)
    indices = getattr(pipeline, "output_indices_", None)
    try:
        names = [str(n) for n in pipeline.get_feature_names_out()]
    except Exception:  # noqa: BLE001 - no names: keep everything
        return frame
    if not isinstance(parts, list) or not isinstance(indices, dict):
        return frame
    keep = set(wanted)
    for name, trans, cols in parts:
        if isinstance(trans, str) and trans == "drop":
            continue  # releases nothing (scikit-learn < 1.7 names the remainder by position)
        cols = [cols] if isinstance(cols, str) else list(cols)
        if not all(isinstance(c, str) for c in cols):
            return frame
        released = set(names[indices[name]]) if name in indices else set()
        if released & wanted or not released and name not in indices:
            keep.update(cols)
    return frame[[c for c in frame.columns if c in keep]]


def _fit_transform(ct, frame, notes, what="anonymize", keep=None, on_part=None):
    """``ct.fit_transform(frame)``; with ``keep``, part by part (:func:`_fit_by_parts`).

    With ``keep`` (the raw columns the verdict may read) ``frame`` loses, in
    place, each raw column no part still to be fitted and no measure reads.
    ``on_part(i, n, name)`` is called before part ``i`` of ``n`` is fitted.
    """
    from .._fit_record import paused

    def fit():
        if keep is not None:
            out = _fit_by_parts(ct, frame, keep, on_part)
            if out is not None:
                return out
        return ct.fit_transform(frame)

    with paused():  # no scorer reads this release: keep no reference to the steps' data
        return _guarded(fit, what, notes)


class _Prefitted:
    """A part of a ColumnTransformer fitted already, with its output (see :func:`_fit_by_parts`).

    ``ColumnTransformer.fit_transform`` clones it (``__sklearn_clone__``: itself) and
    takes its output; it never reaches the fitted ColumnTransformer.
    """

    def __init__(self, estimator, output):
        self.estimator = estimator
        self.output = output

    def __sklearn_clone__(self):
        return self

    def get_params(self, deep=True):
        return {}

    def fit(self, X, y=None, **params):
        return self

    def fit_transform(self, X, y=None, **params):
        out, self.output = self.output, None  # handed over once, not held here
        return out

    def transform(self, X):  # pragma: no cover - never called: the part is swapped out
        raise RuntimeError("a _Prefitted part is not a fitted pipeline")


def _fit_then_transform(est, X):
    """``est.fit_transform(X)``; a column anonymizer's as ``fit`` then ``transform``.

    A :class:`~sklearn_anon.base.ColumnAnonymizer` that keeps the base
    class's ``fit_transform`` (``fit(X).transform(X)``, the fit's output
    recorded for the scorers, which :func:`_fit_transform` pauses) is fitted
    and then applied, and the memory its ``fit`` freed (e.g. the
    Pseudonymizer's distinct count of the column) is handed back to the
    system in between, before ``transform`` builds the release.  The result
    is the same.  Anything else: ``fit_transform``.
    """
    from ..base import ColumnAnonymizer

    if isinstance(est, ColumnAnonymizer) and not any(
            "fit_transform" in vars(k) for k in type(est).__mro__[:type(est).__mro__.index(
                ColumnAnonymizer)]):
        est.fit(X)
        _release_freed_memory()
        return est.transform(X)
    return est.fit_transform(X, None)


class _Packed:
    """A raw column held compactly while parts that do not read it are fitted.

    :func:`_pack` makes one, :meth:`unpack` gives the column back, equal
    value for value, with the same dtype, chunks and index: a numpy int64
    column as the smallest integer type holding its range; an Arrow text
    column (pandas' ``str``) chunk by chunk as small integer codes into
    the chunk's own dictionary when the first chunk repeats its values
    (dates, categories: a few bytes per row instead of the text and an
    8-byte offset), else with 4-byte offsets.
    """

    def __init__(self, series, kind, parts):
        self.name, self.index, self.dtype = series.name, series.index, series.dtype
        self.array_type = type(series.array)
        self.kind, self.parts = kind, parts

    def unpack(self):
        import numpy as np
        import pandas as pd

        if self.kind == "int":
            values = self.parts.astype(np.int64)
            return pd.Series(values, index=self.index, name=self.name, dtype=self.dtype, copy=False)
        import pyarrow as pa

        if self.kind == "dict":
            chunks = [dictionary.take(pa.array(codes)) for codes, dictionary in self.parts]
        else:
            chunks = [c.cast(pa.large_string()) for c in self.parts]
        arr = self.array_type(pa.chunked_array(chunks, type=pa.large_string()), dtype=self.dtype)
        return pd.Series(arr, index=self.index, name=self.name, copy=False)


#: rows from which a raw column is worth packing (:func:`_pack`)
_PACK_MIN_ROWS = 100_000


def _pack(series):
    """``series`` as a :class:`_Packed`, or None when it would not be smaller."""
    import numpy as np

    if len(series) < _PACK_MIN_ROWS:
        return None
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype == np.int64:
        values = series.to_numpy()
        lo, hi = int(values.min()), int(values.max())
        for small in (np.int8, np.int16, np.int32):
            info = np.iinfo(small)
            if info.min <= lo and hi <= info.max:
                return _Packed(series, "int", values.astype(small))
        return None
    from .._counting import _arrow_text

    chunks = _arrow_text(series)
    if chunks is None or str(dtype) != "str" or not all(
            str(c.type) == "large_string" for c in chunks):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for i, chunk in enumerate(chunks):
        encoded = pc.dictionary_encode(chunk, null_encoding="encode")  # a missing value: a code
        if i == 0 and len(encoded.dictionary) * 4 > len(chunk):  # few repeats: offsets only
            if any(c.nbytes >= 2**31 for c in chunks):  # 4-byte offsets could not address it
                return None
            return _Packed(series, "text", [c.cast(pa.string()) for c in chunks])
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        m = len(encoded.dictionary)
        codes = codes.astype(np.int8 if m < 2**7 else np.int16 if m < 2**15 else np.int32)
        parts.append((codes, encoded.dictionary))
    return _Packed(series, "dict", parts)


def _fit_by_parts(ct, frame, keep, on_part=None):
    """``ct.fit_transform(frame)``, one part at a time, letting raw columns go on the way.

    Fitting a ColumnTransformer holds the whole raw table and the whole
    release at once.  Here each part is fitted alone (``clone(part)
    .fit_transform(frame[columns])``, as the ColumnTransformer does), and a
    raw column is deleted from ``frame`` (in place) as soon as no part
    still to be fitted and no ``passthrough`` part reads it, unless ``keep``
    names it or the part reading it releases a column ``keep`` names (the
    verdict may re-apply that part).  ColumnTransformer then assembles the
    fitted whole itself: its ``fit_transform`` runs on a table of the same
    columns in which each released column is a placeholder of one byte per
    row, with every fitted part standing in as a :class:`_Prefitted` that
    returns its output; the parts are then put in ``transformers_`` in
    their place.  The result -- the fitted ``ct`` and the release -- is the
    one ``ct.fit_transform(frame)`` gives.

    Returns None, having changed nothing, when ``ct`` is not a
    ColumnTransformer of named columns of ``frame`` with ``remainder="drop"``
    (then fit it whole).
    """
    import numpy as np
    import pandas as pd
    from sklearn.base import clone
    from sklearn.compose import ColumnTransformer

    if type(ct) is not ColumnTransformer or not isinstance(ct.remainder, str) \
            or ct.remainder != "drop" or ct.transformer_weights or not isinstance(frame, pd.DataFrame):
        return None
    parts = []
    for name, trans, selection in ct.transformers:
        cols = [selection] if isinstance(selection, str) else selection
        if not isinstance(cols, (list, tuple)) or not all(isinstance(c, str) for c in cols) \
                or not set(cols) <= set(frame.columns):
            return None
        # a name selects a Series, a list a DataFrame: given to the part as ColumnTransformer does
        parts.append((name, trans, list(cols),
                      selection if isinstance(selection, str) else list(cols)))
    order = list(frame.columns)
    keep = {str(c) for c in keep}
    later = {}  # column -> how many parts still to be fitted read it
    held = set()  # read by a passthrough part: held until the whole is assembled
    for _, trans, cols, _ in parts:
        if isinstance(trans, str):
            if trans == "passthrough":
                held.update(cols)
            continue
        for c in cols:
            later[c] = later.get(c, 0) + 1
    fitted = {}
    to_fit = [name for name, trans, cols, _ in parts if not isinstance(trans, str) and cols]
    packed = {}  # raw columns held compactly until a part reads them (_Packed)

    def unpack(cols):
        for c in cols:
            if c in packed:  # back in its place among the columns
                at = sum(1 for o in order[:order.index(c)] if o in frame.columns)
                frame.insert(at, c, packed.pop(c).unpack())

    first = next((cols for _, trans, cols, _ in parts if not isinstance(trans, str) and cols), [])
    for c in list(frame.columns):
        if c not in first and isinstance(c, str):
            small = _pack(frame[c])
            if small is not None:
                del frame[c]
                packed[c] = small
    if packed:
        _release_freed_memory()
    for name, trans, cols, selection in parts:
        if isinstance(trans, str) or not cols:
            continue  # "drop" and "passthrough": ColumnTransformer's own business
        if on_part is not None:
            on_part(len(fitted) + 1, len(to_fit), name)
        unpack(cols)
        est = clone(trans)
        out = _fit_then_transform(est, frame[selection])
        fitted[name] = _Prefitted(est, out)
        names = set(map(str, getattr(out, "columns", ())))
        keep_inputs = bool((names | set(cols)) & keep) or not hasattr(out, "columns")
        let_go = False
        for c in cols:
            later[c] -= 1
            if keep_inputs:
                keep.add(c)
            if later[c] == 0 and c not in keep and c not in held and c in frame.columns:
                del frame[c]
                let_go = True
        if let_go:
            _release_freed_memory()  # the text's pages, back to the system before the next part
    unpack(list(packed))
    placeholder = np.zeros(len(frame), dtype=np.int8)
    stand_in = pd.DataFrame({c: frame[c] if c in frame.columns else placeholder
                             for c in order}, index=frame.index, copy=False)  # no copy of a column
    given = ct.transformers
    ct.transformers = [(name, fitted.get(name, trans), cols) for name, trans, cols in given]
    try:
        out = ct.fit_transform(stand_in)
    finally:
        ct.transformers = given
    del stand_in
    ct.transformers_ = [(name, trans.estimator if isinstance(trans, _Prefitted) else trans, cols)
                        for name, trans, cols in ct.transformers_]
    return out


def run_anonymize(
    data: PathLike,
    policy_path: PathLike,
    output: PathLike,
    *,
    save_pipeline: PathLike | None = None,
    report_path: PathLike | None = None,
    encrypt_key: str | bytes | None = None,
    fmt: str | None = None,
    output_format: str | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
    progress: bool = False,
    allow_insufficient: bool = False,
) -> tuple[pd.DataFrame, PrivacyReport | None, dict[str, Any]]:
    """What ``sklearn-anon anonymize`` does; returns ``(anonymized, report, info)``.

    Nothing is written when the release fails its verdict (the policy's
    ``[report]`` requirements), unless ``allow_insufficient``
    (:class:`InsufficientRelease`, exit code 3).

    The policy is checked before any data is read, then the header, and
    only the columns the policy uses are read.  The outputs (the table, its
    ``OUTPUT.manifest.json`` hand-over record, and the pipeline and report
    when asked for) are written together at the end, or none of them.

    Parameters
    ----------
    data : str or path-like
        The raw table, a CSV or Parquet file.
    policy_path : str or path-like
        The TOML policy (see :func:`sklearn_anon.policy.load_policy`).
    output : str or path-like
        The anonymized table.
    save_pipeline : str, path-like or None, default=None
        Also save the fitted pipeline there (joblib; see
        :func:`load_pipeline`), for ``sklearn-anon apply``.
    report_path : str, path-like or None, default=None
        Also write the before/after privacy report there (``.md``,
        ``.html`` or ``.json``); information loss is measured only then.
    encrypt_key : str, bytes or None, default=None
        Encrypt the output table (not the report or the pipeline) in
        sklearn-anon's AES-256-GCM format: a key reference, ``"env:NAME"`` or
        ``"file:PATH"`` (as ``--encrypt-key``), or the key's 32 bytes; None
        writes it as it is.
    fmt : {"csv", "parquet"} or None, default=None
        The input's format; None: from its suffix.
    output_format : {"csv", "parquet"} or None, default=None
        The output's format; None: from its suffix.
    sep : str or None, default=None
        The CSV field separator (input and output); None: a tab for
        ``.tsv``, a comma otherwise.
    encoding : str, default="utf-8"
        The input's text encoding.
    progress : bool, default=False
        Show progress on stderr when it is a terminal: the rows read and
        written, the steps between and each measure of the verdict.
    allow_insufficient : bool, default=False
        Write the output even when the verdict fails (a warning in
        ``info["warnings"]``).

    Returns
    -------
    anonymized : DataFrame
        The anonymized table, as written.
    report : PrivacyReport or None
        The release's report (its verdict); None when the output has no
        quasi-identifier (only with ``allow_insufficient``).
    info : dict
        ``n_rows``, ``bytes`` (of the output file), ``qis`` (the
        quasi-identifiers measured), ``unlisted`` (columns the policy does
        not name), ``policy`` (the :class:`~sklearn_anon.policy.Policy`),
        ``warnings`` (privacy warnings, for stderr) and ``encryption``.

    Raises
    ------
    InsufficientRelease
        The release fails its verdict and ``allow_insufficient`` is False:
        nothing was written.
    UserError
        A wrong policy, input or output (one line naming the file, the
        column or the policy key, never a cell value).
    TypeError
        ``output`` is None (the table is always written).

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from sklearn_anon.cli import InsufficientRelease, run_anonymize
    >>> folder = tempfile.mkdtemp()
    >>> data = os.path.join(folder, "people.csv")
    >>> pd.DataFrame({"name": list("abcdefgh"), "age": [23, 27, 34, 38, 45, 49, 52, 58],
    ...               "sex": list("FMFMFMFM")}).to_csv(data, index=False)
    >>> def policy(k):
    ...     path = os.path.join(folder, f"policy_k{k}.toml")
    ...     with open(path, "w") as fh:
    ...         _ = fh.write(f'''
    ... [report]
    ... quasi_identifiers = ["age"]
    ... k = {k}
    ... [columns]
    ... name = "drop"
    ... age = {{ action = "generalize", method = "interval", bins = [0, 30, 40, 50, 100] }}
    ... sex = "keep"
    ... ''')
    ...     return path
    >>> output = os.path.join(folder, "release.csv")
    >>> anonymized, report, info = run_anonymize(data, policy(2), output)
    >>> anonymized["age"].tolist()[:4], report.sufficient_, info["n_rows"]
    (['(0, 30]', '(0, 30]', '(30, 40]', '(30, 40]'], True, 8)
    >>> os.path.exists(output), os.path.exists(output + ".manifest.json")
    (True, True)

    A release that fails its verdict is not written:

    >>> try:
    ...     run_anonymize(data, policy(3), os.path.join(folder, "other.csv"))
    ... except InsufficientRelease as exc:
    ...     print(exc.lines[0])
    k ≥ 3: measured 2: FAIL
    >>> os.path.exists(os.path.join(folder, "other.csv"))
    False
    """
    if isinstance(encrypt_key, str) and not encrypt_key:
        raise ValueError("encrypt_key must be a key reference, 'env:NAME' or 'file:PATH', not ''")
    if isinstance(encrypt_key, bytes) and len(encrypt_key) != 32:
        raise ValueError("encrypt_key must be the 32 bytes of an AES-256 key, not "
                         f"{len(encrypt_key)} bytes")
    if encrypt_key is not None and not isinstance(encrypt_key, (str, bytes)):
        raise TypeError("encrypt_key must be a key reference ('env:NAME' or 'file:PATH'), the "
                        "key's 32 bytes, or None")
    return _run_anonymize(
        data, policy_path, output, save_pipeline=save_pipeline, report_path=report_path,
        encrypt_key=encrypt_key, fmt=fmt, output_format=output_format, sep=sep,
        encoding=encoding, progress=Progress(None if progress else False),
        allow_insufficient=allow_insufficient)


def _run_anonymize(
    data: PathLike,
    policy_path: PathLike,
    output: PathLike,
    *,
    save_pipeline: PathLike | None = None,
    report_path: PathLike | None = None,
    encrypt_key: str | bytes | AgeEncryption | None = None,
    fmt: str | None = None,
    output_format: str | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
    progress: Progress | None = None,
    allow_insufficient: bool = False,
) -> tuple[pd.DataFrame, PrivacyReport | None, dict[str, Any]]:
    """:func:`run_anonymize`, with the command's own progress printer and any encryption.

    ``encrypt_key``: also an :class:`~._age.AgeEncryption` (``--recipient``,
    ``--passphrase``); ``progress``: the command's :class:`~._progress.Progress`.
    """
    if output is None:  # a real bug: Path(None) would fail after the policy was read
        raise TypeError("run_anonymize: output must be a path (the anonymized table is always "
                        "written), not None")
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
    key = resolve_output_key(encrypt_key)  # an env:/file: AES key, or an age encryption
    if _table_format(output, output_format) == "parquet":
        _parquet_engine()
    # 2. the header only
    columns = read_header(data, fmt=fmt, sep=sep, encoding=encoding)
    try:
        unlisted = policy.check_columns(columns)
        ct = policy.build(columns)
    except PolicyError as exc:
        raise UserError(f"policy '{Path(policy_path).name}': {str(exc)[len('policy: '):]}") from None
    used = _used_columns(ct, columns)
    frame = read_table(data, fmt=fmt, sep=sep, encoding=encoding, dtypes=policy.read_dtypes(),
                       progress=_rows(progress, f"reading {Path(data).name}"), columns=used)
    n_rows = len(frame)
    progress.line(f"fitting the anonymizer on {n_rows:,} rows", force=True)
    notes: list[str] = []
    # the raw columns the verdict may read (a superset: the release's columns are not known yet)
    wanted = set(policy.quasi_identifiers(list(used)))
    if (policy.report or {}).get("sensitive") is not None:
        wanted.add(str(policy.report["sensitive"]))
    fitting = f"fitting the anonymizer on {n_rows:,} rows"
    anonymized = _fit_transform(
        ct, frame, notes, keep=wanted,
        on_part=lambda i, n, name: progress.line(f"{fitting}: part {i} of {n} ({name})", force=True))
    progress.line("measuring risk", force=True)
    qis = [q for q in policy.quasi_identifiers(list(anonymized.columns))
           if q in anonymized.columns]
    # from here on only the raw columns the verdict reads are held (not e.g. the e-mails)
    frame = _measured_columns(frame, policy.report, qis, ct)
    _release_freed_memory()
    frame = _classes_only(frame, anonymized, qis, ct, verdict_only=not report_path,
                          progress=progress)
    _release_freed_memory()
    report = None
    if qis:
        try:
            # the verdict's measures always; information loss only for a report file
            report = _privacy_report(frame, anonymized, qis, policy.report, anonymizer=ct,
                                     verdict_only=not report_path, progress=progress)
        except (ValueError, TypeError) as exc:
            if report_path or not allow_insufficient:
                raise _user_error("report", exc) from exc
            notes.append(f"no risk summary: {_user_error('report', exc)}")
    check_verdict(report, allow_insufficient, "anonymize", notes)
    from ._crypto import OutputSet

    # every output is staged, then all are renamed together: none or all of them appear
    with OutputSet() as outputs:
        n_bytes, digest = _write_table(anonymized, output, fmt=output_format, sep=sep, key=key,
                                       outputs=outputs,
                                       progress=_rows(progress, f"writing {Path(output).name}",
                                                     len(anonymized)))
        policy_text = Path(policy_path).read_text(encoding="utf-8")
        _write_bytes(manifest_path(output), manifest_bytes(build_manifest(
            command="anonymize", input_path=data, output_path=output, output_sha256=digest,
            output_format=_table_format(output, output_format), encrypted=key is not None,
            encryption=key,
            n_rows=len(anonymized), columns=anonymized.columns, policy_text=policy_text,
            report=report, pipeline=ct, handover=policy.handover, versions=_library_versions(),
        )), outputs)
        if save_pipeline:
            versions = _library_versions()
            bundle = {
                "format": PIPELINE_FORMAT,
                "version": PIPELINE_BUNDLE_VERSION,
                "sklearn_anon_version": __version__,
                "versions": versions,
                "pipeline": _PicklePayload(ct),
                "input_columns": list(used),  # the columns the pipeline reads
                "output_columns": list(anonymized.columns),
                "read_dtypes": policy.read_dtypes(),
                "quasi_identifiers": qis,
                "report": dict(policy.report),
                "policy": policy_text,
            }
            with outputs.open(save_pipeline) as fh:
                joblib.dump(bundle, fh)
        if report is not None and report_path:
            _write_report(report, report_path, outputs)
    progress.close()
    info = {"unlisted": unlisted, "n_rows": n_rows, "bytes": n_bytes, "qis": qis,
            "policy": policy, "warnings": notes, "encryption": key}
    return anonymized, report, info


def cmd_anonymize(args):
    _use_process_heap()
    progress = Progress(False if args.quiet else None)
    anonymized, report, info = _run_anonymize(
        args.data, args.policy, args.output, save_pipeline=args.save_pipeline,
        report_path=args.report, encrypt_key=output_encryption(args), fmt=args.format,
        output_format=args.output_format, sep=args.sep, encoding=args.encoding,
        progress=progress, allow_insufficient=args.allow_insufficient,
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
    _say(args, f"wrote {args.output}{encryption_note(info.get('encryption'))}")
    if args.save_pipeline:
        _say(args, f"wrote {args.save_pipeline} (fitted pipeline; re-apply with "
                   f"'{PROG} apply DATA --pipeline {args.save_pipeline} -o OUT')")
    if args.report and report is not None:
        _say(args, f"wrote {args.report}")
    return 0


def cmd_apply(args):
    _use_process_heap()
    progress = Progress(False if args.quiet else None)
    outs = [p for p in (args.output, args.report) if p]
    for p in outs:
        _check_output(p, inputs=[args.data, args.pipeline])
    if len({str(Path(p).resolve()) for p in outs}) < len(outs):
        raise UserError("the output and report paths must differ")
    key = output_encryption(args)
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
    frame = read_table(args.data, fmt=args.format, sep=args.sep, encoding=args.encoding,
                       dtypes=bundle.get("read_dtypes"),
                       progress=_rows(progress, f"reading {Path(args.data).name}"),
                       columns=needed)
    n_rows = len(frame)
    progress.line(f"applying the pipeline to {n_rows:,} rows", force=True)
    notes = []
    out = _guarded(lambda: pipeline.transform(frame[needed]), "apply", notes)
    import pandas as pd

    if not isinstance(out, pd.DataFrame):
        names = getattr(pipeline, "get_feature_names_out", lambda: None)()
        out = pd.DataFrame(out.toarray() if hasattr(out, "toarray") else out,
                           columns=None if names is None else list(names))
    progress.line("measuring risk", force=True)
    report = None
    qis = [q for q in bundle.get("quasi_identifiers", []) if q in out.columns]
    frame = _measured_columns(frame, bundle.get("report"), qis, pipeline)  # release the other raw columns
    frame = _classes_only(frame, out, qis, pipeline, verdict_only=not args.report,
                          progress=progress)
    _release_freed_memory()
    if qis:  # the new file is measured against the same requirements
        try:
            report = _privacy_report(frame, out, qis, bundle.get("report"), anonymizer=pipeline,
                                     verdict_only=not args.report, progress=progress)
        except (ValueError, TypeError) as exc:
            if args.report or not args.allow_insufficient:
                raise _user_error("report", exc) from exc
            notes.append(f"no risk summary: {_user_error('report', exc)}")
    check_verdict(report, args.allow_insufficient, "apply", notes)
    from ._crypto import OutputSet

    with OutputSet() as outputs:  # the table, manifest and report appear together, or none
        _, digest = _write_table(out, args.output, fmt=args.output_format, sep=args.sep, key=key,
                                 outputs=outputs,
                                 progress=_rows(progress, f"writing {Path(args.output).name}", len(out)))
        policy_text = bundle.get("policy")
        handover = {}
        if policy_text:
            from ..policy import parse_policy

            handover = parse_policy(policy_text, check_env=False).handover
        _write_bytes(manifest_path(args.output), manifest_bytes(build_manifest(
            command="apply", input_path=args.data, output_path=args.output, output_sha256=digest,
            output_format=_table_format(args.output, args.output_format), encrypted=key is not None,
            encryption=key,
            n_rows=len(out), columns=out.columns, policy_text=policy_text, report=report,
            pipeline=pipeline, handover=handover, versions=_library_versions(),
        )), outputs)
        if report is not None and args.report:
            _write_report(report, args.report, outputs)
    progress.close()
    _warn(args, notes)
    _say(args, f"applied '{args.pipeline}' to {n_rows:,} rows: {out.shape[1]} columns written")
    if report is not None:
        _say(args, *_risk_lines(report))
    _say(args, f"wrote {args.output}{encryption_note(key)}")
    return 0
