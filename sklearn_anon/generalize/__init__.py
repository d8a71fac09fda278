"""Generalization and statistical-disclosure-control transformers.

Each transformer here is column-wise (see :class:`sklearn_anon.base.ColumnAnonymizer`):
it anonymizes the columns named in ``columns`` (all by default), keeps rows
in count and order, and never lets a raw value through by accident: a value
the fitted state cannot generalize (NaN, out of range, unseen) is
suppressed, written as ``"*"`` in a categorical column or NaN in a numeric
one.

What lives where (private modules; import from here or from :mod:`sklearn_anon`):

- ``_interval.py``: :class:`IntervalGeneralizer` (numbers to intervals);
- ``_top_bottom.py``: :class:`TopBottomCoder` (top- and bottom-coding);
- ``_outliers.py``: :func:`filter_outlier_rows` (drops outlier rows of
  ``X`` and ``y`` before a pipeline: a function, not a transformer, since
  a pipeline cannot drop rows);
- ``_date.py``: :class:`DateGeneralizer` (year, month, decade, age band)
  and its date parsing;
- ``_prefix.py``: :class:`PrefixGeneralizer` (ZIP3, IPv4 networks);
- ``_rare.py``: :class:`RareCategoryGrouper` (rare categories to ``"OTHER"``);
- ``_hierarchy_generalizer.py``: :class:`HierarchyGeneralizer` (ARX-style
  hierarchy tables; the hierarchy object itself, :class:`Hierarchy` and
  :func:`load_hierarchy`, is in :mod:`sklearn_anon._hierarchy`, shared with
  k-anonymity and the metrics, and exported here);
- ``_hierarchy_builders.py``: hierarchies built from a rule, in ARX's
  format: :func:`interval_hierarchy` (fixed widths or quantiles, nested),
  :func:`masking_hierarchy` (``02139 -> 0213* -> ...``),
  :func:`date_hierarchy` (day, month, year, decade ...),
  :func:`ordered_grouping` (runs of ordered categories);
- ``_common.py``: helpers several of them share (docstring text, bin
  edges and labels, factorizing and spreading codes);
- ``_engine.py``: what an engine (:mod:`sklearn_anon.dask`, or any other)
  uses to fit the generalizers on its own statistics:
  :func:`interval_labels`, :func:`label_counts` (importable from here, not
  in ``__all__``).
"""

from .._hierarchy import Hierarchy, load_hierarchy
from ._date import DateGeneralizer

# Engine extension points (documented, not user API: not in __all__).
from ._engine import interval_labels, label_counts  # noqa: F401
from ._hierarchy_builders import (
    date_hierarchy,
    interval_hierarchy,
    masking_hierarchy,
    ordered_grouping,
)
from ._hierarchy_generalizer import HierarchyGeneralizer
from ._interval import IntervalGeneralizer
from ._outliers import filter_outlier_rows, outlier_bounds
from ._prefix import PrefixGeneralizer
from ._rare import RareCategoryGrouper
from ._top_bottom import TopBottomCoder

__all__ = [
    "DateGeneralizer",
    "Hierarchy",
    "HierarchyGeneralizer",
    "IntervalGeneralizer",
    "PrefixGeneralizer",
    "RareCategoryGrouper",
    "TopBottomCoder",
    "date_hierarchy",
    "filter_outlier_rows",
    "outlier_bounds",
    "interval_hierarchy",
    "load_hierarchy",
    "masking_hierarchy",
    "ordered_grouping",
]
