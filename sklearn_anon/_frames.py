"""pandas conversions the families share (a bottom module: imports no family).

* :func:`as_frame` -- what ``transform`` returned, as a DataFrame named by
  the estimator's output features (the metrics, the scorers and the Dask
  engine read any estimator's output through it);
* :func:`datetime_ns` -- a datetime column as float nanoseconds since the
  epoch (UTC), NaN for missing: the one conversion behind every measure
  and fit that treats dates as numbers.
"""

import numpy as np
import pandas as pd

__all__ = ["as_frame", "datetime_ns"]


def as_frame(out, estimator, index=None, *, dtype=None):
    """The output of ``estimator.transform`` as a DataFrame.

    A DataFrame is returned as it is.  An array (a sparse matrix is made
    dense) gets the columns ``estimator.get_feature_names_out()`` (``x0,
    x1, ...`` when the estimator cannot name them) and ``index``.

    Parameters
    ----------
    out : DataFrame, ndarray or sparse matrix
        What ``transform`` returned.
    estimator : estimator
        The fitted estimator that returned it.
    index : Index or None, default=None
        The rows' index (None: a RangeIndex).
    dtype : dtype or None, default=None
        The array's dtype (None: as it is); ``object`` keeps strings and
        numbers as the estimator wrote them.

    Returns
    -------
    frame : DataFrame

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import StandardScaler
    >>> scaler = StandardScaler().fit(np.array([[0.0], [2.0]]))
    >>> as_frame(scaler.transform(np.array([[0.0], [2.0]])), scaler)
        x0
    0 -1.0
    1  1.0
    """
    if isinstance(out, pd.DataFrame):
        return out
    if hasattr(out, "toarray"):
        out = out.toarray()
    out = np.asarray(out, dtype=dtype)
    try:
        names = list(estimator.get_feature_names_out())
    except (AttributeError, ValueError, TypeError):  # names are a nicety
        names = [f"x{i}" for i in range(out.shape[1])]
    return pd.DataFrame(out, columns=names, index=index)


def datetime_ns(values):
    """A datetime column as float nanoseconds since the epoch, NaN for NaT.

    Any unit; a timezone-aware column is converted to UTC first, so two
    columns in different zones compare by instant.

    Parameters
    ----------
    values : Series or array-like of datetimes

    Returns
    -------
    ns : ndarray of float64

    Examples
    --------
    >>> import pandas as pd
    >>> datetime_ns(pd.Series(pd.to_datetime(["1970-01-01 00:00:01", None])))
    array([1.e+09,    nan])
    >>> datetime_ns(pd.Series(pd.to_datetime(["1970-01-01 01:00:00+01:00"])))
    array([0.])
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = s.astype("datetime64[ns]")
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = s.to_numpy(dtype="datetime64[ns]")
    out = ns.astype(np.int64).astype(np.float64)
    out[np.isnat(ns)] = np.nan
    return out
