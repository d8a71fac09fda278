"""Text of cell values, total over every str and bytes value.

Two kinds of values break the obvious conversions:

* a *lone surrogate* (``"\\ud800"``: what a broken UTF-16 or JSON decoder
  leaves behind) is a valid Python ``str`` that UTF-8 cannot encode, so
  ``s.encode()`` raises, and so does pandas 3 whenever it infers its
  Arrow-backed ``str`` dtype from such values (``pd.Series(list)``,
  ``pd.Index(array)``, ``.astype(str)``);
* *invalid UTF-8 bytes* (``b"\\xff"``) cannot be decoded.

The rules of the package (one place, used by the identifiers and the
generalizers):

* for hashing, text is encoded as UTF-8 with lone surrogates written as
  their code points (:func:`encode_text`, the ``"surrogatepass"`` error
  handler).  This is injective: two distinct strings never give the same
  bytes, so they never share a pseudonym;
* bytes are read as UTF-8, an undecodable byte as Python reads file names
  (:func:`decode_bytes`, ``"surrogateescape"``: ``b"\\xff"`` is the text
  ``"\\udcff"``).  This is injective too, and valid UTF-8 bytes read as the
  same text as their ``str``;
* for labels that a person reads or a file stores (generalizer output),
  undecodable bytes are written as escapes (:func:`label_bytes`:
  ``b"\\xff"`` -> ``"\\\\xff"``);
* a text column is converted with :func:`text_series`: pandas' own
  ``astype(str)`` (Arrow) when it can, an object column of ``str``
  otherwise, never an exception carrying the value;
* distinct values are found with :func:`factorize`, :func:`unique` and
  :func:`nunique`, never ``pd.factorize``/``pd.unique``/``Series.nunique``
  on text directly: pandas 2.2 hashes an all-``str`` object array as C
  strings, so ``"a\\x00b"`` and ``"a\\x00c"`` (cut at the NUL), and any two
  strings with a lone surrogate at the same place, are counted as *one*
  value, which merges distinct planted values into one category or one
  pseudonym.  ``tests/test_text_inputs.py`` checks that no module of the
  package calls them.

Nothing here formats a value into a message.
"""

import numpy as np
import pandas as pd

__all__ = [
    "categorical_from_codes", "decode_bytes", "encode_text", "factorize", "label_bytes", "nunique",
    "object_index", "categorical", "text_frame", "text_index", "text_indexer", "text_series", "to_text", "unique",
]


def encode_text(text):
    """UTF-8 bytes of ``text``; a lone surrogate is encoded as its code point.

    Examples
    --------
    >>> encode_text("ab")
    b'ab'
    >>> encode_text("\\ud800")
    b'\\xed\\xa0\\x80'
    """
    return text.encode("utf-8", "surrogatepass")


def decode_bytes(data):
    """The text of ``data``: UTF-8, an undecodable byte as a lone surrogate.

    Examples
    --------
    >>> decode_bytes(b"caf\\xc3\\xa9")
    'café'
    >>> decode_bytes(b"\\xff") == "\\udcff"
    True
    """
    return bytes(data).decode("utf-8", "surrogateescape")


def label_bytes(data):
    """The text of ``data`` for a label: UTF-8, an undecodable byte escaped.

    Examples
    --------
    >>> label_bytes(b"\\xff")
    '\\\\xff'
    """
    return bytes(data).decode("utf-8", "backslashreplace")


def to_text(value):
    """``str`` of one value: str kept, bytes by :func:`decode_bytes`, others ``str(value)``."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return decode_bytes(value)
    return str(value)


def text_series(values):
    """The values of a Series as text (missing values dropped first by the caller).

    pandas' ``astype(str)`` (Arrow-backed, fast kernels) when every value
    can be stored there; an object Series of ``str`` (see :func:`to_text`)
    when a value holds a lone surrogate or undecodable bytes.
    """
    try:
        return values.astype(str)
    except (UnicodeError, ValueError, TypeError):
        # pandas/pyarrow raise UnicodeEncodeError / UnicodeDecodeError (value in
        # the message): never re-raised, the object route below always works
        arr = values.to_numpy(dtype=object)
        out = np.empty(len(arr), dtype=object)
        out[:] = [to_text(v) for v in arr]
        return pd.Series(out, index=values.index, name=values.name, dtype=object)


def object_index(values):
    """``pd.Index(values, dtype=object)``: no Arrow ``str`` inference (which
    fails on lone surrogates)."""
    if isinstance(values, pd.Index) and values.dtype == object:
        return values
    return pd.Index(np.asarray(values, dtype=object) if not isinstance(values, pd.Index) else values,
                    dtype=object)


def text_index(values):
    """``pd.Index(values)``: pandas' inference (Arrow ``str`` for text) when it
    can, an object Index of the same values when a value holds a lone
    surrogate (never an encoding error quoting it).

    Examples
    --------
    >>> import pandas as pd
    >>> text_index(["a", "b"]).equals(pd.Index(["a", "b"]))
    True
    >>> text_index(["a", "\\ud800"]).dtype == object
    True
    """
    try:
        return pd.Index(values)
    except UnicodeError:
        return object_index(values)


def text_indexer(categories, values):
    """Position of each of ``values`` in the distinct ``categories`` (-1: absent).

    ``pd.Index(categories).get_indexer(values)`` through Arrow text when both
    can be stored there, through object Indexes otherwise.

    Examples
    --------
    >>> text_indexer(["a", "\\ud800"], np.array(["\\ud800", "b"])).tolist()
    [1, -1]
    """
    try:
        return pd.Index(categories).get_indexer(values)
    except UnicodeError:
        return object_index(categories).get_indexer(object_index(values))


def text_frame(columns, index=None):
    """``pd.DataFrame(columns, index=index)`` whose text columns may hold any text.

    ``columns`` is a dict of 1-d arrays or Series.  pandas infers its Arrow
    ``str`` dtype for text (fast kernels) when it can; when a value holds a
    lone surrogate every array and non-numeric Series column is kept as an
    object column instead (same values), rather than raising an encoding
    error that quotes the value.

    Examples
    --------
    >>> text_frame({"k": np.array(["a", "\\ud800"], dtype=object), "n": [1, 2]}).dtypes.tolist()
    [dtype('O'), dtype('int64')]
    """
    try:
        return pd.DataFrame(columns, index=index)
    except UnicodeError:
        pass

    def _column(values):
        if isinstance(values, pd.Series):
            if values.dtype.kind in "biufcmM":
                return values
            return pd.Series(values.to_numpy(dtype=object), index=values.index, name=values.name, dtype=object)
        arr = np.asarray(values)
        if arr.dtype.kind in "biufcmM":
            return arr
        return pd.Series(arr.astype(object), index=index, dtype=object)

    return pd.DataFrame({name: _column(values) for name, values in columns.items()}, index=index)


def categorical_from_codes(codes, categories):
    """``pd.Categorical.from_codes`` whose categories may hold any text.

    pandas stores string categories in Arrow when it can; categories holding
    a lone surrogate are kept in an object Index instead (same values, same
    codes) rather than raising an encoding error that would quote them.
    """
    try:
        return pd.Categorical.from_codes(codes, categories=categories, validate=False)
    except UnicodeError:
        return pd.Categorical.from_codes(codes, categories=object_index(list(categories)), validate=False)


_OBJECT_KEY = object()  # not a str: pandas then hashes with Python's hash and ==


def _needs_python_hash(values):
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        return True
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "python"
    return dtype == object or (isinstance(dtype, np.dtype) and dtype.kind in "US")


def factorize(values, *, sort=False, use_na_sentinel=True):
    """``pd.factorize(values)``, exact for every str and bytes value.

    Object, NumPy text and Python-backed ``string`` values are factorized with
    Python's own hash and equality (a non-text key is appended before
    ``pd.factorize`` and removed after), so two distinct strings are never one
    code; other dtypes go to ``pd.factorize`` unchanged.  ``uniques`` is a
    NumPy array for array input and an object ``Index`` for a Series or an
    Index of text.

    Examples
    --------
    >>> codes, uniques = factorize(np.array(["a\\x00b", "a\\x00c", "a\\x00b"], dtype=object))
    >>> codes.tolist(), len(uniques)
    ([0, 1, 0], 2)
    >>> factorize(np.array(["b", "a", None], dtype=object), sort=True)[0].tolist()
    [1, 0, -1]
    """
    if not _needs_python_hash(values):
        return pd.factorize(values, sort=sort, use_na_sentinel=use_na_sentinel)
    as_index = isinstance(values, (pd.Series, pd.Index))
    arr = values.to_numpy(dtype=object) if as_index else np.asarray(values, dtype=object).ravel()
    n = len(arr)
    keyed = np.empty(n + 1, dtype=object)
    keyed[:n] = arr
    keyed[n] = _OBJECT_KEY
    codes, uniques = pd.factorize(keyed, use_na_sentinel=use_na_sentinel)
    codes, uniques = codes[:n], np.asarray(uniques, dtype=object)[:-1]
    if sort and len(uniques) > 1:
        try:
            order = np.argsort(uniques, kind="stable")
        except TypeError:  # str and bytes (or numbers) mixed: by type name, then value
            order = np.array(sorted(range(len(uniques)), key=lambda i: (type(uniques[i]).__name__, uniques[i])))
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        uniques = uniques[order]
        codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], codes)
    return codes, (object_index(uniques) if as_index else uniques)


def unique(values):
    """``pd.unique(values)`` (in order of appearance, NaN kept), exact for text.

    Examples
    --------
    >>> unique(np.array(["\\ud800x", "\\udcffx", "\\ud800x"], dtype=object)).tolist() == ["\\ud800x", "\\udcffx"]
    True
    """
    return np.asarray(factorize(values, use_na_sentinel=False)[1], dtype=object) if _needs_python_hash(values) \
        else pd.unique(values)


def nunique(values, dropna=True):
    """``Series.nunique(dropna)``, exact for text.

    Examples
    --------
    >>> nunique(pd.Series(["a\\x00b", "a\\x00c", None], dtype=object))
    2
    """
    return len(factorize(values, use_na_sentinel=dropna)[1])


def categorical(values):
    """``values.astype("category")`` (sorted categories), exact for text.

    Examples
    --------
    >>> categorical(pd.Series(["b", "a\\x00c", "a\\x00b"], dtype=object)).codes.tolist()
    [2, 1, 0]
    """
    if not _needs_python_hash(values):
        return pd.Categorical(values)
    codes, uniques = factorize(values, sort=True)
    return categorical_from_codes(codes, uniques)
