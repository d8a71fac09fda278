"""sklearn_anon: data anonymization as scikit-learn estimators.

Every privacy technique is a fit/transform estimator, so it can sit in a
:class:`~sklearn.pipeline.Pipeline` or :class:`~sklearn.compose.ColumnTransformer`
right before model training, be grid-searched against accuracy, and be
pickled to anonymize next month's data the same way.
"""

from . import _compat  # noqa: F401  (makes diffprivlib importable first)
from .base import SUPPRESSED
from .generalize import *  # noqa: F401,F403
from .generalize import __all__ as _generalize_all

__version__ = "0.1.0.dev0"

__all__ = ["SUPPRESSED", *_generalize_all]
