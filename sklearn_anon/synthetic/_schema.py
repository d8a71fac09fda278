"""The table schema of :class:`~sklearn_anon.DPSynthesizer`: column kinds,
domains, and the discretization of columns into codes and back.

* column kinds (``"num"``, ``"dt"``, ``"cat"``) and the float view of
  numbers and datetimes;
* domains: declared bounds and category lists, or read from the data (then
  reported as leaked), near-unique undeclared columns refused;
* :func:`_encode_columns` cuts every column into codes (DP quantile bins for
  numbers and datetimes, category positions otherwise);
* :func:`_decode_column` turns sampled codes back into values of the
  column's dtype (uniform within a bin).
"""

import numpy as np
import pandas as pd

from .. import _text
from .._frames import datetime_ns
from ..base import values_hidden
from . import _mst

__all__ = []


def _column_kind(series):
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return "cat"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "dt"
    if pd.api.types.is_numeric_dtype(dtype):
        return "num"
    return "cat"


def _to_float_bound(value, kind):
    if kind == "dt":
        return float(datetime_ns(pd.Series([pd.Timestamp(value)]))[0])
    return float(value)


#: a column whose domain is read from the data is refused when it has at
#: least this many distinct values ...
_NEAR_UNIQUE_MIN = 20
#: ... and more distinct values than this share of its non-missing rows
_NEAR_UNIQUE_SHARE = 0.5


def _refuse_near_unique(name, n_values, col):
    """Refuse a column whose undeclared domain is (nearly) one value per record.

    Reading such a domain from the data would publish most records' values
    with certainty (SSNs, e-mails, names): no noise on the counts can hide a
    value that the category list itself releases.
    """
    n_present = int(col.notna().sum())
    if n_values >= _NEAR_UNIQUE_MIN and n_values > _NEAR_UNIQUE_SHARE * n_present:
        raise ValueError(
            f"Column {name!r} looks like an identifier: its {n_values} categories, read "
            f"from the data, number more than {_NEAR_UNIQUE_SHARE:.0%} of its "
            f"{n_present} non-missing values, so the category list itself would "
            "release most records' values. Drop the column (or generalize it "
            "first), or declare its public domain in `categories`."
        )


def _category_codes(col, values):
    """Position of each value of ``col`` in ``values`` (-1 for NaN / not listed).

    Works on the column's distinct values as Python objects (one hash pass),
    so values that Arrow-backed strings cannot hold (lone surrogates, bytes)
    and intervals are matched like any other hashable value.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, uniques = col.cat.codes.to_numpy(), col.cat.categories.to_numpy(dtype=object)
    else:
        codes, uniques = _text.factorize(col.to_numpy(dtype=object), use_na_sentinel=True)
    index = pd.Index(values, dtype=object)
    lookup = np.append(index.get_indexer(pd.Index(uniques, dtype=object)), -1).astype(np.int64)
    return lookup[codes]  # code -1 (missing) picks the trailing -1


def _sorted_unique(values):
    uniq = _text.unique(pd.Series(values, dtype=object).dropna())
    try:
        return sorted(uniq)
    except TypeError:
        return sorted(uniq, key=lambda v: (type(v).__name__, str(v)))


def _encode_columns(frame, rng, eps_col, *, bounds, categories, n_bins):
    """Discretize every column; return (codes, metas, leaked columns).

    Parameters
    ----------
    frame : DataFrame
        The private table.
    rng : numpy.random.Generator
        Randomness of the DP quantiles (and of the stand-in category of a
        value outside a declared domain without missing value).
    eps_col : float
        Pure epsilon of the DP quantile bins of each numeric / datetime
        column (0: equal-width bins).
    bounds, categories, n_bins
        The parameters of :class:`~sklearn_anon.DPSynthesizer`.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_features), dtype int64
    metas : list of dict
        Per column: name, kind, dtype, domain (``edges`` or ``values``),
        whether missing is a value (``nan``) and the domain ``size``.
    leaked : list
        The columns whose domain was read from the data.
    """
    bounds = bounds or {}
    categories = categories or {}
    codes = np.empty(frame.shape, dtype=np.int64)
    metas, leaked = [], []
    for param, given, kinds in (("bounds", bounds, ("num", "dt")), ("categories", categories, ("cat",))):
        for name in given:
            if name not in frame.columns:
                raise ValueError(f"{param} names column {name!r}, which is not in X.")
            if _column_kind(frame[name]) not in kinds:
                raise TypeError(
                    f"{param} given for column {name!r}, whose dtype "
                    f"{frame[name].dtype} does not take {param}."
                )
    for j, name in enumerate(frame.columns):
        col = frame[name]
        kind = _column_kind(col)
        meta = {"name": name, "kind": kind, "dtype": col.dtype}
        if kind in ("num", "dt"):
            if kind == "dt":
                meta["tz"] = getattr(col.dt, "tz", None)
                x = datetime_ns(col)
            else:
                with values_hidden(name, "cannot be read as numbers"):
                    x = col.to_numpy(dtype=np.float64, na_value=np.nan)
            integer = kind == "num" and (
                pd.api.types.is_integer_dtype(col.dtype)
            )
            meta["integer"] = integer
            meta["nan"] = not (
                isinstance(col.dtype, np.dtype) and col.dtype.kind in "iu"
            )
            finite = x[np.isfinite(x)]
            if name in bounds:
                if len(bounds[name]) != 2:
                    raise ValueError(f"bounds for column {name!r} must be a (low, high) pair.")
                lo, hi = (_to_float_bound(b, kind) for b in bounds[name])
                if not lo <= hi:
                    raise ValueError(f"bounds for column {name!r} must satisfy low <= high.")
            else:
                leaked.append(name)
                lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            if integer:
                lo, hi = np.floor(lo), np.ceil(hi)
            # Bins are half-open [e_i, e_i+1).  Integer columns end at the
            # edge hi + 1, so that the last bin holds hi and no other
            # bin spans two integers by accident (a 0/1 column has the
            # bins {0} and {1}); a float column's last bin is closed.
            top = hi + 1 if integer else hi
            # the lower bound is a bin of its own (an atom): zero-inflated
            # amounts keep their mass at the bound instead of spreading it
            atom = lo + 1 if integer else np.nextafter(lo, np.inf)
            if integer and hi - lo + 1 <= n_bins:
                inner = np.arange(lo + 1, hi + 1)  # one bin per integer
            elif eps_col > 0 and hi > lo:
                qs = np.linspace(0, 1, n_bins)[1:-1]
                inner = _mst.dp_quantiles(finite, qs, eps_col, (lo, hi), rng) if qs.size else qs
            else:
                inner = np.linspace(lo, hi, n_bins)[1:-1]
            if integer:
                inner = np.rint(inner)
            inner = inner[(inner > atom) & (inner < top)]
            edges = np.unique(np.concatenate([[lo], [atom] if atom < top else [], inner, [top]]))
            if edges.size == 1:
                edges = np.array([lo, hi])
            n_b = edges.size - 1
            c = np.searchsorted(edges[1:-1], np.clip(x, lo, hi), side="right")
            if meta["nan"]:
                c[np.isnan(x)] = n_b
            meta["edges"] = edges
            meta["size"] = n_b + int(meta["nan"])
        else:
            nullable = not (isinstance(col.dtype, np.dtype) and col.dtype.kind == "b")
            if name in categories:
                declared = list(categories[name])
                values = [v for v in declared if not (pd.api.types.is_scalar(v) and pd.isna(v))]
                has_nan = nullable and len(values) < len(declared)
                with values_hidden(name, "declared categories must be hashable"):
                    if not pd.Index(values, dtype=object).is_unique:
                        raise ValueError(f"categories for column {name!r} must be unique.")
            elif isinstance(col.dtype, pd.CategoricalDtype):
                # a categorical dtype's categories are built from the data
                # (``astype("category")``): not a public domain; an unused
                # category is not even that (it may name a record of another split)
                leaked.append(name)
                col = col.cat.remove_unused_categories()
                values, has_nan = list(col.dtype.categories), True
                _refuse_near_unique(name, len(values), col)
            elif pd.api.types.is_bool_dtype(col.dtype):
                values, has_nan = [False, True], nullable
            else:
                leaked.append(name)
                with values_hidden(name, "values cannot be compared as categories"):
                    values = _sorted_unique(col.to_numpy(dtype=object))
                _refuse_near_unique(name, len(values), col)
                has_nan = bool(col.isna().any())
            meta["values"] = values
            meta["nan"] = has_nan
            if not values and not has_nan:
                raise ValueError(f"Column {name!r} has no category.")
            if isinstance(col.dtype, pd.CategoricalDtype) and name not in categories:
                c = col.cat.codes.to_numpy().astype(np.int64)
            else:
                with values_hidden(name, "values cannot be matched to the categories"):
                    c = _category_codes(col, values)
            outside = c < 0
            if has_nan:
                c[outside] = len(values)
            elif outside.any():
                # no missing value in the declared domain: a data-independent
                # (uniformly random) category stands for it
                c[outside] = rng.integers(0, len(values), size=int(outside.sum()))
            meta["size"] = len(values) + int(has_nan)
        codes[:, j] = c
        metas.append(meta)
    return codes, metas, leaked


def _decode_column(c, meta, rng):
    """Values of the column described by ``meta`` for the sampled codes ``c``."""
    n = c.size
    dtype = meta["dtype"]
    if meta["kind"] == "cat":
        values = meta["values"]
        is_nan = c >= len(values)
        if isinstance(dtype, pd.CategoricalDtype):
            # the released categories are the domain (declared, or the used
            # ones), never the input dtype's: those may list private values
            cat_codes = np.where(is_nan, -1, c)
            released = pd.CategoricalDtype(values, ordered=dtype.ordered)
            return pd.Series(pd.Categorical.from_codes(cat_codes, dtype=released))
        vals = np.empty(len(values) + 1, dtype=object)
        vals[: len(values)] = values
        vals[len(values)] = np.nan
        if isinstance(dtype, np.dtype) and dtype.kind == "b":
            return pd.Series(vals[c].astype(bool))
        # build the few distinct values in the output dtype once, then
        # take; a dtype that cannot hold the missing value (intervals of
        # integers) gets it by ``where`` (which upcasts), a dtype that
        # cannot hold the values at all (declared categories of another
        # type) falls back to object
        try:
            lookup = pd.Series(vals[: len(values)], dtype=dtype)
        except (TypeError, ValueError):
            return pd.Series(vals[c], dtype=object)
        if not len(values):  # only missing values in the domain
            try:
                return pd.Series(vals[c], dtype=dtype)
            except (TypeError, ValueError):
                return pd.Series(vals[c], dtype=object)
        out = lookup.take(np.minimum(c, len(values) - 1)).reset_index(drop=True)
        return out.where(~is_nan) if is_nan.any() else out
    edges = meta["edges"]
    n_b = edges.size - 1
    is_nan = c >= n_b
    b = np.minimum(c, n_b - 1)
    lo = edges[b]
    width = edges[b + 1] - lo
    u = rng.random(n)
    if meta["integer"]:
        x = lo + np.floor(u * width)  # integer bins are [e_i, e_i+1)
        x = np.minimum(x, edges[-1] - 1)
    else:
        x = np.where(width <= np.spacing(np.abs(lo)), lo, lo + u * width)
    x[is_nan] = np.nan
    if meta["kind"] == "dt":
        ns = np.where(is_nan, 0, np.rint(x)).astype(np.int64).view("datetime64[ns]").copy()
        ns[is_nan] = np.datetime64("NaT")
        s = pd.Series(ns)
        if meta["tz"] is not None:
            s = s.dt.tz_localize("UTC").dt.tz_convert(meta["tz"])
        return s.astype(dtype)
    if isinstance(dtype, np.dtype):
        return pd.Series(x.astype(dtype))
    return pd.Series(x).astype(dtype)
