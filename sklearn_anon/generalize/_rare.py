"""RareCategoryGrouper: rare categories grouped into ``"OTHER"``."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd

from .. import _text
from .._compat import Interval
from .._text import categorical_from_codes, object_index
from ..base import SUPPRESSED, ColumnAnonymizer
from ._common import _factorize, _labels, _shared_docs, _spread
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Sequence


def _label_codes(column):
    """Row codes over string labels (``"582"`` == ``582`` == ``582.0``), and the labels.

    NaN and the suppression marker get code -1.
    """
    codes, uniques = _factorize(column)
    labels = _labels(uniques)
    lab_codes, lab_uniques = _text.factorize(labels) if len(labels) else (np.empty(0, np.int64), np.empty(0, object))
    lab_codes = np.asarray(lab_codes, dtype=np.int64)
    lab_uniques = np.asarray(lab_uniques, dtype=object)
    marker = np.flatnonzero(lab_uniques == SUPPRESSED)
    if marker.size:
        lab_codes = np.where(lab_codes == marker[0], -1, lab_codes)
    return _spread(codes, lab_codes, -1), lab_uniques


@_shared_docs
class RareCategoryGrouper(ColumnAnonymizer):
    """Group rare categories into ``"OTHER"``.

    A category seen fewer than ``min_count`` times in ``fit`` (or, when
    ``min_frequency`` is given, in a smaller fraction of the rows) becomes
    ``other_label``; so does a category never seen in ``fit``.  The kept
    categories are fixed in ``fit``: the output is a categorical column
    with categories ``kept (sorted), other_label, "*"``, the same for
    every call to ``transform``.

    Values are compared through their text (the int ``582``, the float
    ``582.0`` and the string ``"582"`` are one category, written
    ``"582"``), so numeric codes work, and the categorical output of a
    :class:`PrefixGeneralizer` is valid input (``ZIP -> ZIP3 -> OTHER``
    for small groups, in one Pipeline).

    Suppression: NaN and values already suppressed (``"*"``) stay
    ``"*"``; they are not a category and are not counted.

    Parameters
    ----------
    min_count : int, default=10
        Minimum number of training rows for a category to be kept
        (e.g. the ``k`` of k-anonymity).
    min_frequency : float in (0, 1] or None, default=None
        Minimum fraction of the training rows (NaN included) for a category
        to be kept, in addition to ``min_count``.
    other_label : str, default="OTHER"
        Label of the grouped categories.
    columns : list of str or int, or None, default=None
        Columns to group; the others pass through unchanged.

    Attributes
    ----------
    categories_ : dict of {column: list of str}
        The kept categories per column.
    {fitted_columns:grouped}

    See Also
    --------
    PrefixGeneralizer : Coarser codes (ZIP3) before grouping the rare ones.
    sklearn.preprocessing.OneHotEncoder : ``min_frequency`` groups rare categories for a model only.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import RareCategoryGrouper
    >>> X = pd.DataFrame({"city": ["Oslo"] * 3 + ["Bergen"] * 2 + ["Moss", None]})
    >>> grouper = RareCategoryGrouper(min_count=2).fit(X)
    >>> grouper.categories_["city"]
    ['Bergen', 'Oslo']
    >>> grouper.transform(pd.DataFrame({"city": ["Oslo", "Moss", "Paris", None]}))["city"].tolist()
    ['Oslo', 'OTHER', 'OTHER', '*']
    """

    _parameter_constraints = {
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "min_frequency": [Interval(Real, 0, 1, closed="right"), None],
        "other_label": [str],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(
        self,
        *,
        min_count: int = 10,
        min_frequency: float | None = None,
        other_label: str = "OTHER",
        columns: Sequence[str | int] | None = None,
    ) -> None:
        self.min_count = min_count
        self.min_frequency = min_frequency
        self.other_label = other_label
        self.columns = columns

    def _check_params(self, X):
        if self.other_label == SUPPRESSED:
            raise ValueError(
                f"other_label must differ from the suppression marker {SUPPRESSED!r}."
            )

    def _after_fit(self, frame, states):
        self.categories_ = states

    def _fitted_states(self):
        return self.categories_

    def _fit_column(self, column, name):
        codes, labels = _label_codes(column)
        counts = np.bincount(codes[codes >= 0], minlength=len(labels))
        keep = counts >= self.min_count
        if self.min_frequency is not None:
            keep &= counts >= self.min_frequency * len(codes)
        return sorted(set(labels[keep]) - {self.other_label})

    def _transform_column(self, column, name, kept, rng):
        codes, labels = _label_codes(column)
        categories = [*kept, self.other_label, SUPPRESSED]
        lut = pd.Index(kept, dtype=object).get_indexer(object_index(labels))
        lut[lut < 0] = len(kept)  # unseen or rare -> OTHER
        out = _spread(codes, lut, len(kept) + 1)
        cat = categorical_from_codes(out, categories)
        return pd.Series(cat, index=column.index, name=name)
