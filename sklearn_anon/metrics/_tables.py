"""Reading a table the way every measure of the package reads it.

The bottom of :mod:`sklearn_anon.metrics`: it imports nothing else from the
package, and every measure goes through it.

* :func:`check_table` / :func:`_check_table` -- the table as a DataFrame and
  its quasi-identifier (and sensitive) column names, checked: emptiness,
  names not in the table, a name given twice, a sensitive column that is
  also a quasi-identifier.  Messages name columns only, never cell values.
* :func:`class_codes` / :func:`_class_sizes` -- the equivalence class of each
  row and the class sizes: each quasi-identifier column is factorized once
  with the cheapest exact method for its dtype (:func:`_codes`), the codes
  are combined into one int64 key per row by mixed radix, and the key is
  counted densely (``np.bincount``) or hashed when its range is large
  (:func:`_compress`).  NaN is a value of its own.
* :func:`_check_k`, :func:`_check_threshold` -- the ``k`` and risk threshold
  parameters shared by the risk measures and the report.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd

from .. import _text
from ..base import check_frame

__all__ = []


# -- shared input handling -------------------------------------------------
def _as_list(cols):
    if cols is None:
        return None
    if isinstance(cols, (str, int, np.integer)) or not np.iterable(cols):
        return [cols]
    return list(cols)


def _check_table(X, quasi_identifiers, sensitive=None):
    """Return ``(frame, qi_list)`` after checking names, emptiness and overlap."""
    frame, _ = check_frame(X)
    qis = _as_list(quasi_identifiers)
    if qis is None:
        qis = [c for c in frame.columns if c != sensitive]
    if len(qis) == 0:
        raise ValueError("At least one quasi-identifier column is needed.")
    if len(set(qis)) != len(qis):
        raise ValueError("A quasi-identifier column is named twice.")
    missing = [q for q in qis if q not in frame.columns]
    if missing:
        raise ValueError(
            f"Quasi-identifier column(s) {missing!r} not in the table "
            f"(it has {frame.shape[1]} columns)."
        )
    if sensitive is not None:
        if sensitive not in frame.columns:
            raise ValueError(f"Sensitive column {sensitive!r} not in the table.")
        if sensitive in qis:
            raise ValueError(
                f"Column {sensitive!r} is both the sensitive column and a "
                "quasi-identifier."
            )
    if frame.shape[0] == 0:
        raise ValueError("The table is empty (0 rows).")
    return frame, qis


def check_table(X, quasi_identifiers, sensitive=None, *, name="X"):
    """Validate a table and its quasi-identifier / sensitive column names.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The table (an ndarray's columns are named ``x0, x1, ...``).
    quasi_identifiers : str, list of str or None
        Quasi-identifier columns of ``X``; None takes every column but
        ``sensitive``.
    sensitive : str or None, default=None
        The sensitive column of ``X``; it may not be a quasi-identifier.
    name : str, default="X"
        How the table is called in error messages.

    Returns
    -------
    frame : DataFrame
    quasi_identifiers : list
    sensitive : str or None

    Raises
    ------
    ValueError
        Empty table, no quasi-identifier, a name not in the table, a name
        given twice, or a sensitive column that is also a quasi-identifier.
        Messages name columns only, never cell values.
    """
    if sensitive is not None and not isinstance(sensitive, str) and np.iterable(sensitive):
        sensitive = list(sensitive)
        if len(sensitive) != 1:
            raise ValueError("sensitive must name one column.")
        sensitive = sensitive[0]
    try:
        frame, qis = _check_table(X, quasi_identifiers, sensitive)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    return frame, qis, sensitive


def _check_threshold(threshold, name="threshold"):
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, Real)
        or not 0 < float(threshold) <= 1
    ):
        raise ValueError(f"{name} must be a number in (0, 1], got {threshold!r}.")
    return float(threshold)


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}.")
    return int(k)


# -- equivalence classes ---------------------------------------------------
#: a mixed-radix key space up to this many times the row count is counted
#: densely (``np.bincount``) instead of hashed
_DENSE_FACTOR = 4


def _arrow_strings(series):
    """The column as a pyarrow string array when it is Arrow-backed text, else None."""
    dtype = series.dtype
    if not hasattr(series.array, "__arrow_array__") or not pd.api.types.is_string_dtype(dtype):
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - Arrow-backed columns imply pyarrow
        return None
    try:
        arr = pa.array(series.array)  # zero-copy for Arrow-backed text
    except (UnicodeError, pa.ArrowException):
        return None  # Python-backed text Arrow cannot hold (a lone surrogate): factorized
    if isinstance(arr, pa.ChunkedArray):  # one dictionary for the whole column
        if arr.num_chunks == 0:
            return None
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    t = arr.type
    if not (pa.types.is_string(t) or pa.types.is_large_string(t)
            or getattr(pa.types, "is_string_view", lambda _: False)(t)):
        return None
    return arr


def _codes(series, *, value_range=False):
    """Integer codes of a column, NaN its own code; returns ``(codes, m)``.

    ``0 <= codes < m``.  The cheapest exact method for the dtype:
    categorical codes as they are; Arrow-backed text through pyarrow's
    ``dictionary_encode`` (no Python objects); with ``value_range`` an
    integer column with a small range as ``value - min`` (no hashing; then
    some of the ``m`` codes may be unused); anything else ``pd.factorize``.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        m = len(series.cat.categories)
        if (codes < 0).any():
            codes = np.where(codes < 0, m, codes)
            m += 1
        return codes, max(m, 1)
    numpy_dtype = isinstance(series.dtype, np.dtype)  # not nullable Int64/boolean/Arrow
    if numpy_dtype and series.dtype.kind == "b":  # numpy bool: no missing values
        return series.to_numpy().astype(np.int64), 2
    if value_range and numpy_dtype and series.dtype.kind in "iu" and len(series):
        values = series.to_numpy()
        lo, hi = values.min(), values.max()
        if int(hi) - int(lo) < max(_DENSE_FACTOR * len(values), 1 << 16):
            return (values - lo).astype(np.int64), int(hi) - int(lo) + 1
    arr = _arrow_strings(series)
    if arr is not None:
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(arr, null_encoding="encode")
        codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        return codes, max(len(enc.dictionary), 1)
    codes, uniques = _text.factorize(series, use_na_sentinel=False)
    return codes.astype(np.int64), max(len(uniques), 1)


def _compress(key, card):
    """Renumber a key in ``[0, card)`` to class ids 0..c-1; returns ``(ids, sizes)``.

    Ids follow the order of the key values (not of first appearance).  A
    small key space is counted densely, a large one hashed.
    """
    if card <= max(_DENSE_FACTOR * len(key), 1 << 16):
        counts = np.bincount(key, minlength=card)
        present = counts > 0
        lut = np.cumsum(present, dtype=np.int64) - 1
        return lut[key], counts[present]
    ids, uniques = _text.factorize(key)
    ids = ids.astype(np.int64, copy=False)
    return ids, np.bincount(ids, minlength=len(uniques))


def _class_sizes(frame, qis):
    """``(ids, sizes)``: class id 0..n_classes-1 per row and the class sizes.

    Each quasi-identifier is factorized once (:func:`_codes`), the codes are
    combined into one int64 key by mixed radix (compressed first when the
    radix would overflow) and the key is counted (:func:`_compress`).  Class
    ids follow the key order, not the order of first appearance.
    """
    return combine_codes(_codes(frame[q], value_range=True) for q in qis)


def combine_codes(columns):
    """``(ids, sizes)`` of the rows' combinations of per-column codes.

    ``columns`` yields ``(codes, m)`` per column (codes in ``0..m-1``).  The
    codes of a row are combined into one int64 key by mixed radix,
    renumbered (:func:`_compress`) whenever the radix would overflow, and
    the key is counted: ids ``0..n-1`` in key order and the count of each.
    """
    return _compress(*_combined_key(columns))


def _combined_key(columns):
    """``(key, card)``: the mixed-radix int64 key of :func:`combine_codes`, not yet counted."""
    key = None
    card = 1
    owned = False  # whether ``key`` is an array made here (then updated in place)
    for codes, m in columns:
        if key is None:
            key, card = codes, m
            continue
        if card * m >= 2**62:  # keep the mixed-radix number inside int64
            key, sizes = _compress(key, card)
            card = len(sizes)
            owned = True
        if owned:  # in place: one key array alive, not three
            key *= m
        else:
            key = key * m
            owned = True
        key += codes
        card *= m
    return key, card


def class_row_sizes(frame, quasi_identifiers):
    """``(row_sizes, n_classes)``: the size of each row's equivalence class.

    ``row_sizes[i]`` is the number of rows sharing row ``i``'s
    quasi-identifier values (int32 below 2**31 rows, else int64), the
    values of ``sizes[codes]`` from :func:`class_codes`.  A large key space
    (say every row its own class) is counted by sorting the rows' keys
    instead of hashing them: no hash table of the distinct keys (about a
    third of the memory on millions of distinct rows).
    """
    key, card = _combined_key(_codes(frame[q], value_range=True)
                              for q in list(quasi_identifiers))
    if key is None:  # no quasi-identifier: one class of every row
        n = len(frame)
        return np.full(n, n, dtype=np.int32 if n < 2**31 else np.int64), int(n > 0)
    small = np.int32 if len(key) < 2**31 else np.int64
    if card <= max(_DENSE_FACTOR * len(key), 1 << 16):  # dense: counted with bincount
        ids, sizes = _compress(key, card)
        del key
        return sizes.astype(small)[ids], len(sizes)
    n = len(key)
    order = np.argsort(key)
    key = key[order]  # sorted: each class is a run of equal keys
    starts = np.empty(n, dtype=bool)
    starts[:1] = True
    np.not_equal(key[1:], key[:-1], out=starts[1:])
    del key
    bounds = np.flatnonzero(starts)
    del starts
    sizes = np.diff(bounds, append=n).astype(small)
    del bounds
    row_sizes = np.empty(n, dtype=small)
    row_sizes[order] = np.repeat(sizes, sizes)
    return row_sizes, len(sizes)


def class_codes(frame, quasi_identifiers):
    """Equivalence-class id of each row and the size of each class.

    Returns ``(codes, sizes)``: ``codes[i]`` is the class of row ``i``
    (0 .. n_classes - 1, in no particular order), ``sizes[c]`` the number of
    rows in class ``c``.  NaN is a value of its own.
    """
    return _class_sizes(frame, list(quasi_identifiers))


def class_code_columns(frame, columns):
    """``frame`` with each of ``columns`` replaced by its class codes, a small categorical.

    The codes are those every measure computes from the column
    (:func:`_codes`: the same classes, a missing value its own class), so a
    measure that reads a column for its equivalence classes alone gives the
    same result on the codes, at a few bytes per row instead of a text or
    int64 column.  Categorical columns and columns absent from ``frame`` are
    left as they are; the input is not modified.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import class_code_columns
    >>> out = class_code_columns(pd.DataFrame({"zip": ["02139", None, "02139"]}), ["zip"])
    >>> out["zip"].tolist(), str(out["zip"].cat.codes.dtype)
    ([0, 1, 0], 'int8')
    """
    out = frame.copy(deep=False)
    for q in columns:
        if q not in out.columns or isinstance(out[q].dtype, pd.CategoricalDtype):
            continue
        codes, m = _codes(out[q], value_range=True)
        small = codes.astype(
            "int8" if m < 2**7 else "int16" if m < 2**15 else "int32" if m < 2**31 else "int64")
        del codes
        out[q] = pd.Categorical.from_codes(small, categories=pd.RangeIndex(m))
    return out
