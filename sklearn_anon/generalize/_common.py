"""Helpers shared by the generalizers of :mod:`sklearn_anon.generalize`.

The ``{fitted_columns:<verb>}`` docstring marker, bin edges
(:class:`~sklearn_anon.IntervalGeneralizer` and the age bands of
:class:`~sklearn_anon.DateGeneralizer`; their labels are written by the
label grammar, :mod:`sklearn_anon._labels`), and the factorize-then-spread
helpers of the categorical generalizers (date, prefix, rare categories).
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd

from .. import _text
from .._docstring import fill_doc
from .._text import label_bytes
from ..base import SUPPRESSED, is_numeric


def _fitted_columns_doc(verb):
    """The ``{fitted_columns:<verb>}`` block: ``columns_`` and the input names seen in fit."""
    return (
        f"columns_ : list\n        The {verb} columns.\n"
        "    n_features_in_ : int\n        Number of columns seen in fit.\n"
        "    feature_names_in_ : ndarray of str\n"
        "        Column names seen in fit (DataFrame input only)."
    )


#: Fills the ``{fitted_columns:<verb>}`` marker of a generalizer's docstring.
_shared_docs = fill_doc(fitted_columns=_fitted_columns_doc)


def _checked_edges(given, where):
    """``given`` as strictly increasing float edges, or a ValueError naming ``where``."""
    edges = np.asarray(given, dtype=np.float64)
    if edges.ndim != 1 or edges.size < 2:
        raise ValueError(f"bins{where} must hold at least 2 edges.")
    if np.isnan(edges).any() or np.any(np.diff(edges) <= 0):
        raise ValueError(f"bins{where} must be strictly increasing.")
    return edges


def _checked_labels(labels, n_bins, where):
    """``labels`` as strings, one per bin, unique, not the suppression marker."""
    labels = [str(label) for label in labels]
    if len(labels) != n_bins:
        raise ValueError(
            f"labels{where} must have one entry per bin: {n_bins} bins, "
            f"{len(labels)} labels."
        )
    if len(set(labels)) != len(labels) or SUPPRESSED in labels:
        raise ValueError(
            f"labels{where} must be unique and must not be the suppression "
            f"marker {SUPPRESSED!r}."
        )
    return labels


def bin_codes(values, edges, *, right, include_lowest=False):
    """Index of the bin of each value (``pd.cut`` semantics), -1 when outside or NaN.

    Parameters
    ----------
    values : ndarray of float
    edges : ndarray of float, strictly increasing
    right : bool
        Bins are ``(a, b]`` when True, ``[a, b)`` when False.
    include_lowest : bool
        With ``right=True``, the first bin also holds its left edge.

    Returns
    -------
    codes : ndarray of int64
    """
    side = "left" if right else "right"
    codes = np.searchsorted(edges, values, side=side).astype(np.int64) - 1
    n_bins = len(edges) - 1
    if right and include_lowest:
        codes[values == edges[0]] = 0
    codes[(codes < 0) | (codes >= n_bins) | np.isnan(values)] = -1
    return codes


# -- helpers shared by the categorical generalizers ---------------------------
def _factorize(column):
    """``(codes, uniques)``: codes are -1 for NaN; categoricals reuse their codes.

    Everything the categorical generalizers compute is computed on
    ``uniques`` (one entry per distinct value), then spread to the rows by
    indexing with ``codes``: the cost per row is one integer lookup.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64, copy=False)
        return codes, pd.Index(column.cat.categories)
    codes, uniques = _text.factorize(column, use_na_sentinel=True)
    return codes.astype(np.int64, copy=False), pd.Index(uniques)


def _scalar_label(value):
    if isinstance(value, (bytes, bytearray)):
        # the text, not the repr "b'...'"; a byte that is not UTF-8 as an escape
        # ("\\xff"), so two distinct bytes values keep two distinct labels
        return label_bytes(value)
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (Integral, np.integer)):
        return str(int(value))
    if isinstance(value, (Real, np.floating)):
        value = float(value)
        if np.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return str(value)
    return str(value)


def _labels(uniques):
    """String label of each distinct value: integral numbers without ``.0``.

    So that the int ``582``, the float ``582.0`` and the string ``"582"``
    get the same label.  Runs on distinct values only.
    """
    idx = pd.Index(uniques)
    if len(idx) == 0:
        return np.empty(0, dtype=object)
    if is_numeric(idx):
        values = idx.to_numpy(dtype=np.float64, na_value=np.nan)
        out = np.asarray(idx.astype(str), dtype=object)
        whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2**53)
        out[whole] = np.asarray(pd.Index(values[whole].astype(np.int64)).astype(str), dtype=object)
        return out
    if (pd.api.types.is_string_dtype(idx.dtype) and idx.dtype != object) or (
        pd.api.types.infer_dtype(idx, skipna=True) == "string"
    ):
        return np.asarray(idx, dtype=object)
    return np.array([_scalar_label(v) for v in idx], dtype=object)  # mixed objects only


def _present(codes, size):
    """Which of ``size`` codes occur in ``codes`` (-1 entries ignored)."""
    return np.bincount(codes + 1, minlength=size + 1)[1:] > 0


def _spread(codes, lut, fill):
    """Row codes from per-distinct codes ``lut``; NaN rows (code -1) get ``fill``.

    The result has the smallest integer dtype that holds the codes (the
    dtype pandas keeps for categorical codes), so that building the
    categorical does not copy them again.
    """
    lut = np.append(np.asarray(lut, dtype=np.int64), fill)
    return lut.astype(_code_dtype(int(lut.max(initial=0))))[codes]


def _code_dtype(top):
    """Smallest signed integer dtype holding codes up to ``top`` (and -1)."""
    for dtype in (np.int8, np.int16, np.int32):
        if top < np.iinfo(dtype).max:
            return dtype
    return np.int64
