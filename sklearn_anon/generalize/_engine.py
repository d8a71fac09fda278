"""What an engine may use of the generalizers' internals (not user API).

An *engine* fits the package's estimators on data held elsewhere than in one
pandas frame (:mod:`sklearn_anon.dask` is one): it computes the statistics
``fit`` learns with its own reductions, and must turn them into the fitted
state exactly as ``fit`` does.  These functions are its documented entry
points, importable from :mod:`sklearn_anon.generalize` (not listed in its
``__all__``).
"""

import numpy as np
import pandas as pd

from .. import _labels
from ._rare import _label_codes


def interval_labels(edges, *, right, precision, open_ends):
    """The labels :class:`~sklearn_anon.IntervalGeneralizer` writes for bin ``edges``.

    Engine extension point: an engine that learnt the edges itself (Dask
    quantiles) labels them as ``fit`` does.

    Parameters
    ----------
    edges : array-like of float
        Increasing bin edges (``-inf`` / ``inf`` allowed at the ends).
    right : bool
        Bins closed on the right (``"(a, b]"``), else on the left.
    precision : int
        Decimals of non-integer edges.
    open_ends : bool
        Write the outer bins as ``"<= b"`` / ``"> a"`` (learnt bins, as
        ``fit`` does), else as intervals.

    Returns
    -------
    labels : list of str
        One label per bin.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_anon.generalize import interval_labels
    >>> interval_labels([-np.inf, 30, 60, np.inf], right=True, precision=3, open_ends=True)
    ['<= 30', '(30, 60]', '> 60']
    """
    return _labels.interval_labels(np.asarray(edges, dtype=np.float64), right, precision, open_ends)


def label_counts(column):
    """Rows per label of a column, as :class:`~sklearn_anon.RareCategoryGrouper` counts them.

    Engine extension point: labels are compared as ``fit`` compares them
    (``"582"`` == ``582`` == ``582.0``), missing values and the suppression
    marker are not counted.  Counts of disjoint parts of a column add up
    (by label) to the counts of the whole column.

    Parameters
    ----------
    column : Series
        One column (or one part of it).

    Returns
    -------
    counts : Series of int64
        Indexed by the labels present (object dtype).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.generalize import label_counts
    >>> label_counts(pd.Series(["a", "b", "a", None])).to_dict()
    {'a': 2, 'b': 1}
    """
    codes, labels = _label_codes(column)
    counts = np.bincount(codes[codes >= 0], minlength=len(labels))
    return pd.Series(counts, index=pd.Index(labels, dtype=object), dtype="int64")
