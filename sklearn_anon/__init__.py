"""sklearn_anon: data anonymization as scikit-learn estimators.

Every privacy technique is a fit/transform estimator, so it can sit in a
:class:`~sklearn.pipeline.Pipeline` or :class:`~sklearn.compose.ColumnTransformer`
right before model training, be grid-searched against accuracy, and be
pickled to anonymize next month's data the same way.

Estimators and functions are importable from the top level
(``from sklearn_anon import IntervalGeneralizer``); measures live in
:mod:`sklearn_anon.metrics`, datasets in :mod:`sklearn_anon.datasets`.
"""

from . import _compat  # noqa: F401  (makes diffprivlib importable first)
from .base import SUPPRESSED, UnusedColumnParameterWarning
from .dp import *  # noqa: F401,F403
from .dp import __all__ as _dp_all
from .dp_models import DPLogisticRegression
from .generalize import (
    DateGeneralizer,
    HierarchyGeneralizer,
    IntervalGeneralizer,
    PrefixGeneralizer,
    RareCategoryGrouper,
    TopBottomCoder,
)
from .identifiers import *  # noqa: F401,F403
from .identifiers import __all__ as _identifiers_all
from .kanonymity import *  # noqa: F401,F403
from .kanonymity import __all__ as _kanonymity_all
from .synthetic import *  # noqa: F401,F403
from .synthetic import __all__ as _synthetic_all

__version__ = "0.1.0.dev0"

__all__ = [
    "SUPPRESSED",
    "UnusedColumnParameterWarning",
    "DateGeneralizer",
    "HierarchyGeneralizer",
    "IntervalGeneralizer",
    "PrefixGeneralizer",
    "RareCategoryGrouper",
    "TopBottomCoder",
    *_identifiers_all,
    *_kanonymity_all,
    *_dp_all,
    "DPLogisticRegression",
    *_synthetic_all,
]
