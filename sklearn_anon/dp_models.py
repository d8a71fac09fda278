"""Public path of :class:`DPLogisticRegression` (kept for compatibility).

The class lives in :mod:`sklearn_anon.dp._logistic`; import it from
:mod:`sklearn_anon.dp` or :mod:`sklearn_anon`.  This module stays because
``from sklearn_anon.dp_models import DPLogisticRegression`` is a documented
import, and pickles written before the move reference
``sklearn_anon.dp_models.DPLogisticRegression``.
"""

from .dp._logistic import DPLogisticRegression

__all__ = ["DPLogisticRegression"]
