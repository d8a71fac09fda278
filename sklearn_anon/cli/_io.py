"""Reading and writing tables: headers, CSV/Parquet, atomic (and encrypted) outputs, keys.

Every failure caused by the input is a :class:`~sklearn_anon.cli._common.UserError`
naming the file or the column, never a cell value.  The table and crypto
libraries are imported inside the functions that need them (start-up time).
"""

from __future__ import annotations

import io
import os
import re
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

from ._common import PROG, UserError
from typing import TYPE_CHECKING, Literal, overload

if TYPE_CHECKING:
    import pandas as pd
    from typing import Any, Callable, Iterable, Mapping
    from .._typing import PathLike
    from ._age import AgeEncryption
    from ._crypto import OutputSet

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
                        f"({PROG} decrypt {path} -o FILE --identity KEYFILE, or --key env:NAME)")
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


def _use_process_heap():
    """Let pyarrow allocate from the C library's heap, as numpy and pandas do (commands only).

    pyarrow's default allocator (mimalloc or jemalloc) keeps the pages it
    frees for its own later use: after a table is read and its raw text
    columns let go, that memory stays in the process but numpy cannot use
    it.  With one heap, what one library frees the other reuses, and
    :func:`_release_freed_memory` can hand it back to the system.  Called by
    ``anonymize`` and ``apply`` before reading; an explicit
    ``ARROW_DEFAULT_MEMORY_POOL`` in the environment is left alone.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        import pyarrow as pa
    except ImportError:  # pandas without pyarrow: nothing to do
        return
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


def _release_freed_memory():
    """Hand memory freed by the table libraries back to the system (between stages)."""
    try:
        import pyarrow as pa
    except ImportError:
        return
    pa.default_memory_pool().release_unused()


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


def read_header(
    path: PathLike,
    *,
    fmt: str | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
) -> list[str]:
    """The column names of a CSV/Parquet file, reading nothing else.

    A header with a repeated or an empty name is refused (:class:`UserError`).

    Parameters
    ----------
    path : str or path-like
        A CSV or Parquet file (not an encrypted one).
    fmt : {"csv", "parquet"} or None, default=None
        The file's format; None: Parquet for a ``.parquet`` or ``.pq``
        suffix, CSV otherwise.
    sep : str or None, default=None
        The CSV field separator; None: a tab for a ``.tsv`` suffix, a comma
        otherwise.
    encoding : str, default="utf-8"
        The CSV text encoding.

    Returns
    -------
    columns : list of str
        The names, in the file's order, as written (pandas renames none).

    Raises
    ------
    UserError
        A missing, empty, encrypted or unreadable file, a repeated or empty
        name, or a CSV header that reads as one column holding another
        separator.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from sklearn_anon.cli import UserError, read_header
    >>> path = os.path.join(tempfile.mkdtemp(), "people.csv")
    >>> pd.DataFrame({"age": [34, 51], "sex": ["F", "M"]}).to_csv(path, index=False)
    >>> read_header(path)
    ['age', 'sex']
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("ssn,age,ssn\\n1,34,2\\n")
    >>> try:
    ...     read_header(path)
    ... except UserError as exc:
    ...     print(exc)
    input '...people.csv' has the column name 'ssn' more than once in its header (...)
    """
    path = _check_input(path)
    fmt = _table_format(path, fmt)
    columns = _raw_header(path, fmt, sep, encoding)
    if not columns:
        raise UserError(f"input '{path}' is empty")
    if fmt == "csv" and len(columns) == 1:
        used = _default_sep(path, sep)
        others = [s for s in (";", ",", "\t", "|") if s != used and s in str(columns[0])]
        if others:
            shown = {"\t": "\\t"}.get(others[0], others[0])
            raise UserError(f"input '{path}': the header has one column, whose name holds "
                            f"{shown!r}: is the separator {shown!r}? (pass --sep)")
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


#: rows per chunk when a CSV file is read (the text of one chunk is parsed at a time)
_READ_CHUNK_ROWS = 250_000


def _concat_columns(chunks):
    """The frame of row ``chunks`` (equal columns), built one column at a time.

    ``pd.concat(chunks)`` holds every chunk and the whole result at once (twice
    the table); here each column's pieces are released as soon as that column
    is assembled, so the extra memory is one column's worth.  Arrow-backed
    text is joined without copying (a chunked array).
    """
    import pandas as pd

    names = list(chunks[0].columns)
    columns = {}
    for name in names:
        pieces = [c.pop(name) for c in chunks]
        columns[name] = pd.concat(pieces, ignore_index=True)
        del pieces
    chunks.clear()
    return pd.DataFrame(columns, columns=names, copy=False)


def _read_csv_counting(path, sep, encoding, dtype, progress, usecols=None):
    """``pd.read_csv`` in chunks of rows, calling ``progress(n_rows, fraction_of_bytes)``.

    ``usecols`` (names) keeps only those columns: each chunk is parsed whole
    (pandas' own ``usecols`` would let a row with too many fields pass
    silently) and the other columns are let go before the next chunk.  The chunks are concatenated into the
    frame a single read gives, column by column (:func:`_concat_columns`): a
    column that is empty in some chunks (read there as float NaN) takes the
    dtype of its other chunks; when chunks still disagree (mixed types), the
    file is read again in one go, so the result never depends on the chunking.
    """
    import pandas as pd

    def keep(frame):
        return frame if usecols is None else frame[usecols]

    def one_read():
        return keep(pd.read_csv(path, sep=sep, encoding=encoding, dtype=dtype,
                                on_bad_lines="error"))

    size = max(os.path.getsize(path), 1)
    chunks = []
    with open(path, "rb") as fh:
        reader = pd.read_csv(fh, sep=sep, encoding=encoding, dtype=dtype,
                             on_bad_lines="error", chunksize=_READ_CHUNK_ROWS)
        with reader:
            for chunk in reader:
                chunks.append(keep(chunk))
                if progress is not None:
                    progress(len(chunk), fh.tell() / size)
    if not chunks:  # a header and no rows
        return one_read()
    if len(chunks) == 1:
        return chunks[0]
    for name in chunks[0].columns:
        kinds = {str(c[name].dtype) for c in chunks}
        if len(kinds) == 1:
            continue
        filled = [c for c in chunks if c[name].notna().any()]
        target = {str(c[name].dtype) for c in filled}
        if len(target) != 1 or filled[0][name].dtype.kind in "iub":
            if len(target) > 1 or not filled:  # mixed types: as a single read does it
                del chunks
                return one_read()
            continue  # integers/booleans with an empty chunk: concat gives float/object, as one read
        dtype_to = filled[0][name].dtype
        for c in chunks:
            if c[name].dtype != dtype_to:
                c[name] = c[name].astype(dtype_to)
    return _concat_columns(chunks)


def read_table(
    path: PathLike,
    *,
    fmt: str | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
    dtypes: Mapping[str, str] | None = None,
    progress: Callable[..., Any] | None = None,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read a CSV/Parquet file into a DataFrame; :class:`UserError` on bad input.

    ``dtypes`` maps columns to ``"str"``, ``"int"``, ``"float"``,
    ``"datetime"`` or ``"category"`` (from a policy).  ``progress`` (a
    callback ``advance(n_rows, fraction)``) is called as rows are read.
    ``columns`` (names from the header) reads only those columns, in the
    file's order: what a policy drops is never held in memory.  A CSV file
    is always read in chunks of rows (:data:`_READ_CHUNK_ROWS`), assembled
    one column at a time.

    Parameters
    ----------
    path : str or path-like
        A CSV or Parquet file (not an encrypted one).
    fmt : {"csv", "parquet"} or None, default=None
        The file's format; None: Parquet for a ``.parquet`` or ``.pq``
        suffix, CSV otherwise.
    sep : str or None, default=None
        The CSV field separator; None: a tab for a ``.tsv`` suffix, a comma
        otherwise.
    encoding : str, default="utf-8"
        The CSV text encoding.
    dtypes : dict of {column: str} or None, default=None
        The type to read a column as: ``"str"``, ``"int"``, ``"float"``,
        ``"datetime"`` or ``"category"`` (a policy's ``dtype``).  The other
        columns are typed by pandas.
    progress : callable or None, default=None
        Called as ``progress(n_rows, fraction)`` after each chunk of rows
        (``fraction``: the share of the file read; for Parquet, once, with
        all the rows and 1.0).
    columns : list of str or None, default=None
        Read only these columns (names of the header), in the file's order;
        None reads all.

    Returns
    -------
    frame : DataFrame
        The table, with string column names.

    Raises
    ------
    UserError
        A missing, empty, encrypted or malformed file, a repeated or empty
        header name, a missing column of ``columns``, a file with no rows,
        or a column that cannot be read as its ``dtypes`` type.  The
        message names the file and the column, never a cell value.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from sklearn_anon.cli import read_table
    >>> path = os.path.join(tempfile.mkdtemp(), "people.csv")
    >>> pd.DataFrame({"name": ["Ann", "Bob"], "age": [34, 51], "sex": ["F", "M"]}).to_csv(
    ...     path, index=False)
    >>> frame = read_table(path, dtypes={"age": "float", "sex": "category"},
    ...                    columns=["age", "sex"])
    >>> frame.dtypes.astype(str).to_dict()
    {'age': 'float64', 'sex': 'category'}
    """
    import pandas as pd

    from .. import _text

    path = _check_input(path)
    fmt = _table_format(path, fmt)
    dtypes = dict(dtypes or {})
    header = _raw_header(path, fmt, sep, encoding)  # before pandas renames repeated names
    if header:
        _check_names(path, header)
    usecols = None
    if columns is not None:
        wanted = {str(c) for c in columns}
        absent = [c for c in wanted if c not in header]
        if absent:
            raise UserError(f"input '{path}': column {sorted(absent)[0]!r} is missing")
        usecols = [c for c in header if c in wanted]
        header = usecols
        dtypes = {c: d for c, d in dtypes.items() if c in wanted}
    if fmt == "parquet":
        _parquet_engine()
        try:
            frame = pd.read_parquet(path, columns=usecols)
        except Exception:
            raise UserError(f"input '{path}' is not a readable Parquet file") from None
    else:
        as_text = {c: str for c, d in dtypes.items() if d in ("str", "category")}
        with _reading_csv(path, encoding):
            frame = _read_csv_counting(path, _default_sep(path, sep), encoding,
                                       as_text or None, progress, usecols=usecols)
    frame.columns = [str(c) for c in frame.columns]
    _check_names(path, list(frame.columns))
    if fmt != "parquet" and header and list(frame.columns) != header:  # pragma: no cover
        # a renaming not foreseen: refuse rather than let a policy rule miss a column
        raise UserError(f"input '{path}': the column names read differ from the header")
    if len(frame) == 0:
        raise UserError(f"input '{path}' has a header but no rows")
    if progress is not None and fmt == "parquet":
        progress(len(frame), 1.0)
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


def table_bytes(frame: pd.DataFrame, fmt: str, *, sep: str = ",") -> bytes:
    """Serialize a table to CSV (UTF-8) or Parquet bytes (what :func:`write_table` writes).

    Unused categories are dropped first (:func:`_without_unused_categories`):
    a file holds only the values of its rows.

    Parameters
    ----------
    frame : DataFrame
        The table; its index is not written.
    fmt : {"csv", "parquet"}
        The format.
    sep : str, default=","
        The CSV field separator.

    Returns
    -------
    data : bytes
        The file's content: UTF-8 CSV text with a header, or a Parquet file.

    Raises
    ------
    ValueError
        Text UTF-8 cannot encode (the message names the columns, never the
        value).
    UserError
        Parquet without pyarrow installed.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.cli._io import table_bytes
    >>> table_bytes(pd.DataFrame({"age": ["30-39", "40-49"], "n": [3, 5]}), "csv")
    b'age,n\\n30-39,3\\n40-49,5\\n'
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


#: rows per chunk when a CSV file is written (the CSV text of one chunk is held, not the file's)
_WRITE_CHUNK_ROWS = 250_000


def _csv_chunks(frame, sep):
    """The CSV bytes of ``frame`` (UTF-8, header first) in chunks of rows: ``(n_rows, bytes)``.

    Concatenated, the chunks are exactly ``frame.to_csv(index=False)``.
    """
    if len(frame) == 0:
        yield 0, table_bytes(frame, "csv", sep=sep)
        return
    for start in range(0, len(frame), _WRITE_CHUNK_ROWS):
        part = frame.iloc[start:start + _WRITE_CHUNK_ROWS]
        try:
            data = part.to_csv(index=False, header=start == 0, sep=sep).encode("utf-8")
        except UnicodeError:
            table_bytes(part, "csv", sep=sep)  # raises the message naming the columns
            raise  # pragma: no cover
        yield len(part), data


def _write_table(
    frame: pd.DataFrame,
    path: PathLike,
    *,
    fmt: str | None = None,
    sep: str | None = None,
    key: bytes | AgeEncryption | None = None,
    outputs: OutputSet | None = None,
    progress: Callable[[int], object] | None = None,
) -> tuple[int, str]:
    """Write atomically (mode 0600), encrypted when a key is given; ``(size, sha256 hex)``.

    What :func:`write_table` and the commands do.  ``key``: the 32 bytes of
    an AES-256-GCM key or an :class:`~._age.AgeEncryption`.  With
    ``outputs`` the file is only staged: it appears when the set is
    committed, with the run's other outputs.  An unencrypted CSV file is
    written in chunks of rows (the whole file's text is never held in
    memory), calling ``progress(n_rows)`` after each.  The SHA-256 is of
    the bytes written (for the hand-over manifest).
    """
    import hashlib

    from ._crypto import OutputSet, encrypt_bytes

    fmt = _table_format(path, fmt)
    sep = _default_sep(path, sep)
    if outputs is None:
        with OutputSet() as own:
            return _write_table(frame, path, fmt=fmt, sep=sep, key=key, outputs=own,
                                progress=progress)
    if fmt == "csv" and key is None:
        frame = _without_unused_categories(frame)
        sha, n_bytes = hashlib.sha256(), 0
        with outputs.open(path) as fh:
            for n_rows, data in _csv_chunks(frame, sep):
                fh.write(data)
                sha.update(data)
                n_bytes += len(data)
                if progress is not None:
                    progress(n_rows)
        return n_bytes, sha.hexdigest()
    data = table_bytes(frame, fmt, sep=sep)
    if key is not None:
        data = encrypt_bytes(data, key)
    _write_bytes(path, data, outputs)
    if progress is not None:
        progress(len(frame))
    return len(data), hashlib.sha256(data).hexdigest()


@overload
def write_table(
    frame: pd.DataFrame,
    path: PathLike,
    *,
    fmt: str | None = ...,
    sep: str | None = ...,
    key: str | bytes | None = ...,
    digest: Literal[False] = ...,
    progress: Callable[[int], object] | None = ...,
) -> int: ...


@overload
def write_table(
    frame: pd.DataFrame,
    path: PathLike,
    *,
    fmt: str | None = ...,
    sep: str | None = ...,
    key: str | bytes | None = ...,
    digest: Literal[True],
    progress: Callable[[int], object] | None = ...,
) -> tuple[int, str]: ...


@overload
def write_table(
    frame: pd.DataFrame,
    path: PathLike,
    *,
    fmt: str | None = ...,
    sep: str | None = ...,
    key: str | bytes | None = ...,
    digest: bool = ...,
    progress: Callable[[int], object] | None = ...,
) -> int | tuple[int, str]: ...


def write_table(
    frame: pd.DataFrame,
    path: PathLike,
    *,
    fmt: str | None = None,
    sep: str | None = None,
    key: str | bytes | None = None,
    digest: bool = False,
    progress: Callable[[int], object] | None = None,
) -> int | tuple[int, str]:
    """Write a table as the commands do: atomically, mode 0600, encrypted when a key is given.

    The file is written to a temporary file and renamed, so a failure
    leaves none; unused categories are dropped first (a file holds only
    the values of its rows).  An unencrypted CSV file is written in chunks
    of rows (the whole file's text is never held in memory).

    Parameters
    ----------
    frame : DataFrame
        The table; its index is not written.
    path : str or path-like
        The file to write; a symbolic link is written through.
    fmt : {"csv", "parquet"} or None, default=None
        The format; None: Parquet for a ``.parquet`` or ``.pq`` suffix
        (after an ``.enc`` or ``.aes`` one), CSV otherwise.
    sep : str or None, default=None
        The CSV field separator; None: a tab for a ``.tsv`` suffix, a comma
        otherwise.
    key : str, bytes or None, default=None
        Encrypt the file in sklearn-anon's AES-256-GCM format (``sklearn-anon
        decrypt --key`` opens it): a key reference, ``"env:NAME"`` or
        ``"file:PATH"`` (as ``--encrypt-key``; ``sklearn-anon keygen`` makes
        a key), or the key's 32 bytes.  None writes the file as it is.
    digest : bool, default=False
        Also return the SHA-256 of the bytes written (for a manifest).
    progress : callable or None, default=None
        Called as ``progress(n_rows)`` as rows are written.

    Returns
    -------
    n_bytes : int or tuple of (int, str)
        The size of the file written; with ``digest``, ``(size, sha256 hex
        digest)``.

    Raises
    ------
    ValueError
        Text UTF-8 cannot encode (the message names the columns, never the
        value), a key that cannot be loaded (the message names the
        reference, never the key), or encryption without the
        ``cryptography`` package (the ``crypto`` extra).
    UserError
        Parquet without pyarrow installed.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from sklearn_anon.cli import write_table
    >>> path = os.path.join(tempfile.mkdtemp(), "release.csv")
    >>> write_table(pd.DataFrame({"age": ["30-39", "40-49"], "n": [3, 5]}), path)
    22
    >>> print(open(path).read())
    age,n
    30-39,3
    40-49,5
    <BLANKLINE>
    >>> oct(os.stat(path).st_mode & 0o777)
    '0o600'
    >>> size, sha256 = write_table(pd.DataFrame({"n": [1]}), path, digest=True)
    >>> size, sha256[:12]
    (4, '6ff2d84956e5')
    """
    aes_key: bytes | None = None
    if isinstance(key, str):
        from ._crypto import load_key

        aes_key = load_key(key)  # refuses anything but env:NAME and file:PATH
    elif isinstance(key, bytes):
        if len(key) != 32:
            raise ValueError(f"key must be the 32 bytes of an AES-256 key, not {len(key)} bytes")
        aes_key = key
    elif key is not None:
        raise TypeError("key must be a key reference ('env:NAME' or 'file:PATH'), the key's "
                        "32 bytes, or None")
    n_bytes, sha256 = _write_table(frame, path, fmt=fmt, sep=sep, key=aes_key, progress=progress)
    return (n_bytes, sha256) if digest else n_bytes


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
