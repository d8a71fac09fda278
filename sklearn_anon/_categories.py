"""Category codes and the declared-or-learnt category domain of a column.

Shared by the estimators that release categories: the DP estimators of
:mod:`sklearn_anon.dp` (randomized response, the group encoders, DP counts)
and :class:`~sklearn_anon.sdc.PRAM`.  One rule for all of them
(:func:`category_domain`): only categories given as a parameter are a
declaration; a domain read from the data is learnt, and the caller warns.
"""

import numpy as np
import pandas as pd

from . import _text
from .base import values_hidden

__all__ = ["LEARNT_DOMAIN_HINT", "category_codes", "category_domain", "codes_to_column"]


def category_codes(column, cats, name):
    """Position of each value in ``cats`` (-1 for NaN and values outside it).

    Factorizes the column (one hash pass), then matches its few distinct
    values against ``cats``.
    """
    with values_hidden(name, "values cannot be matched to the categories"):
        fast = _arrow_codes(column, cats)
        if fast is not None:
            return fast
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes, uniques = column.cat.codes.to_numpy(), column.cat.categories
        else:
            codes, uniques = _text.factorize(column, use_na_sentinel=True)
        lookup = np.append(_text.text_indexer(cats, uniques), -1).astype(np.int64)
        return lookup[codes]  # code -1 (missing) picks the trailing -1


def codes_to_column(out, cats, column, name):
    """Codes ``out`` over ``cats`` as a Series of ``column``'s dtype where possible."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical.from_codes(out, categories=cats), index=column.index, name=name)
    labels = np.asarray(list(cats), dtype=object)
    if isinstance(column.dtype, np.dtype):
        try:
            return pd.Series(labels[out].astype(column.dtype), index=column.index, name=name, dtype=column.dtype)
        except (TypeError, ValueError):
            return pd.Series(labels[out], index=column.index, name=name, dtype=object)
    try:
        released = pd.array(labels, dtype=column.dtype).take(out)
    except (TypeError, ValueError):
        released = labels[out]
    return pd.Series(released, index=column.index, name=name)


def _arrow_codes(column, cats):
    """``category_codes`` for pyarrow-backed string columns (one vectorized lookup), else None."""
    to_arrow = getattr(column.array, "__arrow_array__", None)
    if to_arrow is None or not pd.api.types.is_string_dtype(column.dtype):
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = to_arrow()
        value_set = pa.array(list(cats)).cast(arr.type)
        found = pc.index_in(arr, value_set=value_set).fill_null(-1)
    except Exception:  # noqa: BLE001  (any mismatch: use the generic path)
        return None
    return np.asarray(found, dtype=np.int64) if not isinstance(found, pa.ChunkedArray) else (
        found.to_numpy().astype(np.int64, copy=False)
    )


def category_domain(column, given, name):
    """``(categories, learnt)``: the declared domain of a column, or one read from the data.

    The one rule of the package's DP estimators: only ``categories`` given
    as a parameter is a declaration (public knowledge).  A categorical dtype
    is not one: ``astype("category")`` builds its categories from the data,
    so a rare value (a single record's) would be released as part of a
    "public" domain.  Without a declaration the domain is the dtype's
    categories that occur (a categorical column, in the dtype's order; an
    unused category of the dtype is no declaration either, and may name a
    record of another split) or the sorted distinct non-null values, and
    ``learnt`` is True (the caller warns, :class:`PrivacyLeakWarning`).
    """
    if given is not None:
        return _text.text_index(list(given)), False
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Index(column.cat.remove_unused_categories().cat.categories), True
    values = column.dropna()
    cats = _text.text_index(_text.unique(values.to_numpy()))
    with values_hidden(name, "categories of mixed types cannot be sorted"):
        cats = cats.sort_values()
    return cats, True


LEARNT_DOMAIN_HINT = (
    "declare `categories` to avoid it (a categorical dtype is not a declaration: "
    "astype('category') builds its categories from the data)"
)
