"""Helpers shared by several estimators of :mod:`sklearn_anon.identifiers`.

* :func:`_norm_mode`: the normalization of a column (``normalize="auto"``);
* :func:`_factorize_strings`: a column as codes into its distinct texts,
  normalized (bytes decoded, other objects refused by type, never by value);
* :func:`_output_series`: a column of texts mapped back to the rows;
* :class:`_SecretParamsMixin`: literal ``key``/``salt`` hidden from ``repr``;
* :class:`_FrameTransformer`: the base of the transformers that are not
  one-to-one (:class:`PIIDetector`, :class:`KeyedAssigner`).
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from .. import _text
from .._text import decode_bytes, text_series
from ..base import DocLinkMixin, anonymizer_tags, output_container, validate_frame
from . import _patterns as P


def _norm_mode(normalize, column, name):
    """The normalization used for one column ("lower", "strip" or "none")."""
    if normalize != "auto":
        return normalize
    text, _ = P.name_tokens(name)
    if "mail" in text:
        return "lower"
    if pd.api.types.is_string_dtype(column.dtype) or pd.api.types.is_object_dtype(column.dtype):
        sample = column.dropna()
        sample = sample[sample.map(type) == str] if pd.api.types.is_object_dtype(column.dtype) else sample
        sample = text_series(sample.iloc[:1000]).str.strip()
        if len(sample) and P.match_shares(sample, kinds=("email",))["email"] >= 0.5:
            return "lower"
    return "none"


def _is_arrow_string(dtype):
    return pd.api.types.is_string_dtype(dtype) and getattr(dtype, "storage", None) == "pyarrow"


def _factorize_strings(column, name, who, mode="none"):
    """``(codes, texts)``: codes into the list of distinct normalized str values, -1 when missing.

    Numbers, booleans and dates are written as ``str(value)``; bytes are
    decoded as UTF-8, an undecodable byte as a lone surrogate
    (:func:`sklearn_anon._text.decode_bytes`), so distinct bytes values keep
    distinct texts.  Any other object raises a TypeError naming the column
    and the type (never the value).  Arrow-backed string columns are
    normalized with vectorized string kernels before factorizing; other
    columns have their distinct values normalized (two raw values that
    normalize alike then get the same text twice, and the same pseudonym).
    """
    dtype = column.dtype
    if _is_arrow_string(dtype) and mode != "none":
        column = column.str.strip()
        if mode == "lower":
            column = column.str.lower()
        mode = "none"
    codes, texts = _factorize_raw(column, name, who)
    return codes, P.normalize_texts(texts, mode)


#: rows from which a string column is checked for repeats before factorizing
_REPEAT_SAMPLE = 10_000


def _distinct_rows(values, all_str=False):
    """``(codes, texts)`` without factorizing when a random sample of a string
    column holds no repeated value (an id column): factorizing costs about as
    much as hashing, and the rare repeats it would save are hashed twice
    (same pseudonym).  None when the column repeats or is not all str."""
    rng = np.random.default_rng(0)
    sample = values[rng.choice(len(values), size=_REPEAT_SAMPLE, replace=False)]
    sample = [v for v in sample.tolist() if v is not None]
    try:
        if len(set(sample)) != len(sample):
            return None
    except TypeError:  # unhashable objects
        return None
    missing = pd.isna(values)
    texts = values[~missing].tolist()
    if not all_str and not all(type(t) is str for t in texts):
        return None
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[~missing] = np.arange(len(texts))
    return codes, texts


def _factorize_raw(column, name, who):
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    text_like = pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)
    values = column.to_numpy(dtype=object, na_value=None) if text_like else column
    if text_like and len(values) > 2 * _REPEAT_SAMPLE and not isinstance(column.dtype, pd.CategoricalDtype):
        fast = _distinct_rows(values, all_str=not pd.api.types.is_object_dtype(dtype))
        if fast is not None:
            return fast
    try:
        codes, uniques = _text.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable objects (dict, list): slow path, error only
        names = sorted({type(v).__name__ for v in column.dropna() if not isinstance(v, (str, bytes))})
        raise TypeError(
            f"{who}: column {name!r} holds non-string value(s) of type {', '.join(names)}; "
            "convert the column to strings first."
        ) from None
    codes = np.asarray(codes, dtype=np.int64)
    if not text_like:
        return codes, pd.Index(np.asarray(uniques, dtype=object), dtype=object).map(str).tolist()
    objs = np.asarray(uniques, dtype=object)
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return codes, objs.tolist()
    kinds = pd.Series(objs, dtype=object).map(type)
    is_str = kinds.map(lambda t: issubclass(t, str)).to_numpy(dtype=bool)
    if not is_str.all():
        is_bytes = kinds.map(lambda t: issubclass(t, (bytes, bytearray))).to_numpy(dtype=bool)
        bad = ~(is_str | is_bytes)
        if bad.any():
            names = sorted({t.__name__ for t in kinds[bad]})
            raise TypeError(
                f"{who}: column {name!r} holds {int(bad.sum())} distinct non-string "
                f"value(s) of type {', '.join(names)}; convert the column to strings first."
            )
        objs = objs.copy()
        objs[is_bytes] = [decode_bytes(b) for b in objs[is_bytes]]
    return codes, objs.tolist()


def _output_series(texts, codes, column, name, empty=None):
    """A Series of ``texts[codes]`` (missing where code is -1), dtype str-like kept."""
    table = np.empty(len(texts) + 1, dtype=object)
    table[:-1] = texts
    table[-1] = np.nan
    values = table[codes]
    dtype = column.dtype
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype) \
            and not isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(values, index=column.index, name=name, dtype=dtype)
    return pd.Series(values, index=column.index, name=name, dtype=object)


class _SecretParamsMixin:
    """Keep literal secrets out of ``repr`` (also when nested in a Pipeline)."""

    _secret_params: tuple[str, ...] = ("key", "salt")

    def __setattr__(self, attr, value):
        if attr in self._secret_params:
            value = P.hide_secret(value)
        super().__setattr__(attr, value)


class _FrameTransformer(DocLinkMixin, TransformerMixin, BaseEstimator):
    """DataFrame/ndarray in, same kind out, for the transformers that are not
    one-to-one (PIIDetector drops columns, KeyedAssigner makes one)."""

    def _frame(self, X, reset):
        return validate_frame(self, X, reset=reset)

    def _input_names(self):
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"x{i}" for i in range(self.n_features_in_)]

    def _output(self, result, is_pandas):
        return output_container(self, result, is_pandas)

    def __sklearn_tags__(self):
        return anonymizer_tags(super().__sklearn_tags__())
