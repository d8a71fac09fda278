"""Quality of a synthetic table: utility (TSTR, total variation distance) and
privacy (exact copies, distance to the closest real record)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .. import _text
from .._frames import datetime_ns
from ..base import check_frame
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator
    from typing import Any, Callable
    from .._typing import ArrayLike

__all__ = [
    "distance_to_closest_record",
    "exact_match_rate",
    "marginal_tvd",
    "pairwise_tvd",
    "tstr_score",
]


def _frames(real, synthetic):
    real, _ = check_frame(real, name="real")
    synthetic, _ = check_frame(synthetic, name="synthetic")
    if list(real.columns) != list(synthetic.columns):
        missing = set(map(str, real.columns)) ^ set(map(str, synthetic.columns))
        raise ValueError(
            f"real and synthetic must have the same columns in the same order "
            f"({len(missing)} column name(s) differ)."
        )
    return real, synthetic


def _is_continuous(series):
    dtype = series.dtype
    return (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ) or pd.api.types.is_datetime64_any_dtype(dtype)


def _as_float(series):
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return datetime_ns(series)
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _joint_codes(real, synthetic, n_bins):
    """Per column, integer codes shared by both tables (NaN has its own code).

    Continuous columns with more than ``n_bins`` distinct values are cut at
    the real table's quantiles (outer bins open), the others are compared
    value by value.
    """
    n_real = len(real)
    out_real, out_syn, sizes = [], [], []
    for col in real.columns:
        r, s = real[col], synthetic[col]
        if _is_continuous(r) and _is_continuous(s):
            xr, xs = _as_float(r), _as_float(s)
            finite = xr[np.isfinite(xr)]
            if np.unique(finite).size > n_bins:
                inner = np.unique(np.quantile(finite, np.linspace(0, 1, n_bins + 1)[1:-1]))
                both = np.concatenate([xr, xs])
                codes = np.searchsorted(inner, both, side="right").astype(np.int64)
                codes[np.isnan(both)] = inner.size + 1
            else:
                codes, _ = _text.factorize(np.concatenate([xr, xs]), use_na_sentinel=False)
        else:
            both = np.concatenate([r.astype(object).to_numpy(), s.astype(object).to_numpy()])
            both = _text.text_series(pd.Series(both, dtype=object).where(pd.notna(both), None)).to_numpy()
            codes, _ = _text.factorize(both, use_na_sentinel=False)
        codes = np.asarray(codes, dtype=np.int64)
        out_real.append(codes[:n_real])
        out_syn.append(codes[n_real:])
        sizes.append(int(codes.max()) + 1 if codes.size else 1)
    return out_real, out_syn, sizes


def _tvd(a, b, size):
    p = np.bincount(a, minlength=size) / max(a.size, 1)
    q = np.bincount(b, minlength=size) / max(b.size, 1)
    return 0.5 * float(np.abs(p - q).sum())


def marginal_tvd(real: ArrayLike, synthetic: ArrayLike, *, n_bins: int = 10) -> pd.Series:
    """Total variation distance between each column's distribution in two tables.

    ``TVD = 1/2 * sum |p(v) - q(v)|`` over the column's values: 0 for the
    same distribution, 1 for disjoint supports.  Continuous columns
    (numeric, datetime) are compared on ``n_bins`` quantile bins of the real
    table; NaN is a value of its own.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n, n_features)
        Two tables with the same columns (any numbers of rows).
    n_bins : int, default=10
        Bins of a continuous column.

    Returns
    -------
    tvd : Series
        One value per column.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import marginal_tvd
    >>> real = pd.DataFrame({"sex": ["F", "F", "M", "M"]})
    >>> synth = pd.DataFrame({"sex": ["F", "F", "F", "M"]})
    >>> marginal_tvd(real, synth)
    sex    0.25
    dtype: float64
    """
    real, synthetic = _frames(real, synthetic)
    cr, cs, sizes = _joint_codes(real, synthetic, n_bins)
    return pd.Series(
        [_tvd(a, b, d) for a, b, d in zip(cr, cs, sizes)], index=real.columns, dtype=float
    )


def pairwise_tvd(real: ArrayLike, synthetic: ArrayLike, *, n_bins: int = 10) -> pd.Series:
    """Total variation distance between the two-way distributions of every column pair.

    Same discretization as :func:`marginal_tvd`; the distance of a pair is
    computed on the joint distribution of the two columns.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n, n_features)
        Two tables with the same columns.
    n_bins : int, default=10
        Bins of a continuous column.

    Returns
    -------
    tvd : Series
        Indexed by ``(column_a, column_b)`` pairs (a before b in column order).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import pairwise_tvd
    >>> real = pd.DataFrame({"a": [0, 0, 1, 1], "b": [0, 0, 1, 1]})
    >>> synth = pd.DataFrame({"a": [0, 0, 1, 1], "b": [1, 1, 0, 0]})
    >>> pairwise_tvd(real, synth).tolist()
    [1.0]
    """
    real, synthetic = _frames(real, synthetic)
    cr, cs, sizes = _joint_codes(real, synthetic, n_bins)
    index, values = [], []
    for i, j in itertools.combinations(range(len(sizes)), 2):
        index.append((real.columns[i], real.columns[j]))
        values.append(_tvd(cr[i] * sizes[j] + cr[j], cs[i] * sizes[j] + cs[j], sizes[i] * sizes[j]))
    return pd.Series(values, index=pd.MultiIndex.from_tuples(index) if index else None, dtype=float)


def _categorical_for_hgb(train, test):
    """String / object / boolean columns as categoricals sharing one category list."""
    train, test = train.copy(), test.copy()
    for col in train.columns:
        a, b = train[col], test[col]
        if _is_continuous(a) and _is_continuous(b):
            if pd.api.types.is_datetime64_any_dtype(a.dtype):
                train[col], test[col] = _as_float(a), _as_float(b)
            continue
        values = _text.text_series(pd.concat([a.astype(object), b.astype(object)]).dropna())
        cats = _text.text_index(sorted(_text.unique(values)))
        train[col] = pd.Categorical(_text.text_series(a.astype(object).where(a.notna(), None)).where(a.notna()),
                                    categories=cats)
        test[col] = pd.Categorical(_text.text_series(b.astype(object).where(b.notna(), None)).where(b.notna()),
                                   categories=cats)
    return train, test


def tstr_score(
    synthetic: pd.DataFrame,
    real: pd.DataFrame,
    target: str,
    *,
    estimator: BaseEstimator | None = None,
    scoring: Callable[..., Any] | None = None,
) -> float:
    """Train on synthetic, test on real (TSTR): a synthetic table's utility.

    The score (accuracy by default) a model learnt from the synthetic table
    reaches on real data.  Compare with the same model trained on real
    training data (train on real, test on real) to read the utility lost to
    synthesis.

    Parameters
    ----------
    synthetic : DataFrame
        The synthetic table, with the ``target`` column.  Rows whose target
        is missing are dropped.
    real : DataFrame
        Real test rows (not used to fit the synthesizer), same columns.
    target : str
        The label column.
    estimator : classifier or None, default=None
        Fitted (a clone) on the synthetic rows.  None: scikit-learn's
        ``HistGradientBoostingClassifier(categorical_features="from_dtype",
        random_state=0)``.  String / object / boolean feature columns are
        given to it as categoricals sharing one category list across both
        tables (datetimes as nanoseconds).
    scoring : callable or None, default=None
        ``scoring(y_true, y_pred)``; None is accuracy.

    Returns
    -------
    score : float
        ``scoring`` (accuracy by default) on ``real`` of the model fitted on
        ``synthetic``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_anon.metrics import tstr_score
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=400)
    >>> real = pd.DataFrame({"x": x, "y": np.where(x > 0, "yes", "no")})
    >>> synth = real.sample(frac=1.0, random_state=0)
    >>> tstr_score(synth, real, "y") > 0.95
    True
    """
    if not isinstance(synthetic, pd.DataFrame) or not isinstance(real, pd.DataFrame):
        raise TypeError("tstr_score needs DataFrames (the target is named by its column).")
    if target not in synthetic.columns or target not in real.columns:
        raise ValueError(f"target {target!r} is not a column of both tables.")
    synthetic = synthetic[synthetic[target].notna()]
    real = real[real[target].notna()]
    features = [c for c in real.columns if c != target]
    Xs, Xr = synthetic[features], real[features]
    ys = _text.text_series(synthetic[target].astype(object)).to_numpy()
    yr = _text.text_series(real[target].astype(object)).to_numpy()
    if estimator is None:
        from sklearn.ensemble import HistGradientBoostingClassifier

        estimator = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    else:
        from sklearn.base import clone

        estimator = clone(estimator)
    Xs, Xr = _categorical_for_hgb(Xs, Xr)
    estimator.fit(Xs, ys)
    pred = estimator.predict(Xr)
    if scoring is None:
        return float(np.mean(pred == yr))
    return float(scoring(yr, pred))


def _row_codes(X, reference):
    """Per column, codes shared by both tables (NaN == NaN); as a 2D array."""
    X, reference = _frames(reference, X)[::-1]
    n = len(X)
    cols = []
    for col in X.columns:
        a, b = X[col], reference[col]
        if _is_continuous(a) and _is_continuous(b):
            both = np.concatenate([_as_float(a), _as_float(b)])
        else:
            both = np.concatenate([a.astype(object).to_numpy(), b.astype(object).to_numpy()])
            both = _text.text_series(pd.Series(both, dtype=object).where(pd.notna(both), None)).to_numpy()
        codes, _ = _text.factorize(both, use_na_sentinel=False)
        cols.append(codes)
    codes = np.column_stack(cols) if cols else np.zeros((n + len(reference), 0), dtype=np.int64)
    return codes[:n], codes[n:]


def exact_match_rate(X: ArrayLike, reference: ArrayLike) -> float:
    """Fraction of the rows of ``X`` that are exact copies of a row of ``reference``.

    All columns must be equal (NaN equals NaN; numbers compared as floats,
    other values as strings).  Rows are hashed, so the cost is linear in the
    two sizes.  For a synthetic table, compare the rate against the training
    table with the rate of an independent real sample against it: a
    synthesizer that does not copy records should not do more than chance.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n, n_features)
        Rows to check (for example the synthetic rows).
    reference : DataFrame or array-like of shape (m, n_features)
        Rows to compare with (for example the training rows), same columns.

    Returns
    -------
    rate : float
        In [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import exact_match_rate
    >>> train = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    >>> synth = pd.DataFrame({"a": [1, 2, 9, 9], "b": ["x", "z", "z", "x"]})
    >>> exact_match_rate(synth, train)
    0.25
    """
    cx, cr = _row_codes(X, reference)
    if cx.shape[0] == 0:
        return 0.0
    hx = pd.util.hash_pandas_object(pd.DataFrame(cx), index=False).to_numpy()
    hr = pd.util.hash_pandas_object(pd.DataFrame(cr), index=False).to_numpy()
    return float(np.isin(hx, hr).mean())


def distance_to_closest_record(
    X: ArrayLike,
    reference: ArrayLike,
    *,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Gower distance of each row of ``X`` to its closest row in ``reference``.

    The distance of two rows is the mean over columns of ``|a - b| / range``
    for continuous columns (range of ``reference``; NaN vs NaN is 0, NaN vs
    a number is 1, counted as half a mismatch on the value and half on the
    missing flag) and of ``a != b`` for the others.  0 means an exact copy.
    Computed with :class:`sklearn.neighbors.NearestNeighbors` (Manhattan
    distance on the scaled, one-hot encoded rows): cost grows with
    ``len(X) * len(reference)``; subsample ``X`` for large tables.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n, n_features)
        Rows to check (for example synthetic rows).
    reference : DataFrame or array-like of shape (m, n_features)
        Rows to compare with (for example the training rows), same columns.
    n_jobs : int or None, default=None
        Passed to NearestNeighbors.

    Returns
    -------
    distances : ndarray of shape (n,)
        In [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import distance_to_closest_record
    >>> train = pd.DataFrame({"age": [20, 40, 60], "sex": ["F", "M", "F"]})
    >>> synth = pd.DataFrame({"age": [20, 50], "sex": ["F", "F"]})
    >>> distance_to_closest_record(synth, train).round(3).tolist()
    [0.0, 0.125]
    """
    from sklearn.neighbors import NearestNeighbors

    reference, X = _frames(reference, X)
    parts_x: list[np.ndarray] = []
    parts_r: list[np.ndarray] = []
    for col in X.columns:
        a, b = X[col], reference[col]
        if _is_continuous(a) and _is_continuous(b):
            xa, xb = _as_float(a), _as_float(b)
            finite = xb[np.isfinite(xb)]
            low = float(finite.min()) if finite.size else 0.0
            span = float(finite.max() - low) if finite.size else 1.0
            span = span if span > 0 else 1.0
            for x, parts in ((xa, parts_x), (xb, parts_r)):
                nan = np.isnan(x)
                # a NaN sits mid-range plus a flag: NaN vs number costs <= 1
                parts.append(np.where(nan, 0.5, (x - low) / span)[:, None])
                parts.append(0.5 * nan[:, None].astype(float))
        else:
            n = len(a)
            both = np.concatenate([a.astype(object).to_numpy(), b.astype(object).to_numpy()])
            both = _text.text_series(pd.Series(both, dtype=object).where(pd.notna(both), None)).to_numpy()
            codes, uniques = _text.factorize(both, use_na_sentinel=False)
            onehot = np.zeros((codes.size, len(uniques)))
            onehot[np.arange(codes.size), codes] = 0.5
            parts_x.append(onehot[:n])
            parts_r.append(onehot[n:])
    ex, er = np.hstack(parts_x), np.hstack(parts_r)
    nn = NearestNeighbors(n_neighbors=1, metric="manhattan", n_jobs=n_jobs).fit(er)
    dist, _ = nn.kneighbors(ex)
    return np.minimum(dist[:, 0] / X.shape[1], 1.0)
