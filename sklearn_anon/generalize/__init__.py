"""Generalization and statistical-disclosure-control transformers.

The estimators live in private modules and are imported from here.
"""

from ._common import (
    DateGeneralizer,
    HierarchyGeneralizer,
    IntervalGeneralizer,
    PrefixGeneralizer,
    RareCategoryGrouper,
    TopBottomCoder,
)

__all__ = [
    "DateGeneralizer",
    "HierarchyGeneralizer",
    "IntervalGeneralizer",
    "PrefixGeneralizer",
    "RareCategoryGrouper",
    "TopBottomCoder",
]
