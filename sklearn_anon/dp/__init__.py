"""Differential privacy: DP transformers, a DP model and budget accounting.

The estimators live in private modules of this package (see
:mod:`sklearn_anon.dp._base` for the family's documentation); import them
from here or from :mod:`sklearn_anon`.
"""

from .._compat import PrivacyLeakWarning
from ._base import (
    DPGroupMeanEncoder,
    DPKBinsDiscretizer,
    GaussianNoise,
    LaplaceNoise,
    PrivacyBudget,
    RandomizedResponse,
    SharedAccountant,
    estimate_frequencies,
    privacy_budget,
)

# Pickles written before the package existed reference
# ``sklearn_anon.dp._attach_shared_accountant`` (SharedAccountant.__reduce__): keep it importable here.
from ._base import _attach_shared_accountant  # noqa: F401
from ._logistic import DPLogisticRegression

__all__ = [
    "DPGroupMeanEncoder",
    "DPKBinsDiscretizer",
    "DPLogisticRegression",
    "GaussianNoise",
    "LaplaceNoise",
    "PrivacyBudget",
    "PrivacyLeakWarning",
    "RandomizedResponse",
    "SharedAccountant",
    "estimate_frequencies",
    "privacy_budget",
]
