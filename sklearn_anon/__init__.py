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
from .dp import (
    DPGroupMeanEncoder,
    DPKBinsDiscretizer,
    DPLogisticRegression,
    GaussianNoise,
    LaplaceNoise,
    PrivacyBudget,
    PrivacyLeakWarning,
    RandomizedResponse,
    SharedAccountant,
    estimate_frequencies,
    privacy_budget,
)
from .generalize import (
    DateGeneralizer,
    Hierarchy,
    HierarchyGeneralizer,
    IntervalGeneralizer,
    PrefixGeneralizer,
    RareCategoryGrouper,
    TopBottomCoder,
    date_hierarchy,
    interval_hierarchy,
    load_hierarchy,
    masking_hierarchy,
    ordered_grouping,
)
from .identifiers import (
    FakeReplacer,
    FrequencyAttackWarning,
    KeyedAssigner,
    PIIDetector,
    PseudonymCollisionWarning,
    Pseudonymizer,
    detect_pii,
)
from .kanonymity import FullDomainAnonymizer, LocalSuppressor, MondrianAnonymizer
from .sdc import Microaggregator
from .synthetic import DPSynthesizer, make_fake_pii

__version__ = "0.1.0.dev0"

__all__ = [
    "SUPPRESSED",
    "UnusedColumnParameterWarning",
    # generalize
    "DateGeneralizer",
    "HierarchyGeneralizer",
    "IntervalGeneralizer",
    "PrefixGeneralizer",
    "RareCategoryGrouper",
    "TopBottomCoder",
    "Hierarchy",
    "date_hierarchy",
    "interval_hierarchy",
    "load_hierarchy",
    "masking_hierarchy",
    "ordered_grouping",
    # identifiers
    "FakeReplacer",
    "FrequencyAttackWarning",
    "KeyedAssigner",
    "PIIDetector",
    "PseudonymCollisionWarning",
    "Pseudonymizer",
    "detect_pii",
    # kanonymity
    "FullDomainAnonymizer",
    "LocalSuppressor",
    "MondrianAnonymizer",
    # sdc
    "Microaggregator",
    # dp
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
    # synthetic
    "DPSynthesizer",
    "make_fake_pii",
]
