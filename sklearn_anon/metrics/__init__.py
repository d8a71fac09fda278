"""Privacy and utility measures: privacy models (k, l, t), re-identification
risk, attacks, information loss, scorers for grid searches, and the report.

Every public name is imported from here (``from sklearn_anon.metrics import
k_anonymity``); the private modules hold them, from the bottom up:

``_tables``
    How every measure reads a table: column checks (``check_table``), the
    equivalence class of each row (``class_codes``), the ``k`` and
    threshold checks.
(The label grammar the measures read released values with -- intervals,
comparisons, sets and ranges -- is the package's :mod:`sklearn_anon._labels`,
beside the code that writes them.)
``_anonymizer``
    Applying a fitted anonymizer to another table, and the bins behind its
    labels (custom labels read through the anonymizer).
``_matching``
    Matching released records to auxiliary records over generalized
    values (``match_records``, ``compatible_counts``).
``_privacy_models``
    :func:`equivalence_classes`, :func:`k_anonymity`, :func:`l_diversity`,
    :func:`t_closeness`, :func:`discernibility`, :func:`average_class_size`.
``_risk``
    :func:`record_risk`, :func:`sample_uniqueness`, :func:`records_below_k`,
    :func:`prosecutor_risk`, :func:`journalist_risk`, :func:`marketer_risk`,
    :func:`column_cardinality`, :func:`risk_summary`.
``_attacks``
    :func:`linkage_attack`, :func:`homogeneity_attack`,
    :func:`frequency_attack`.
``_ncp``
    :func:`ncp`, the normalized certainty penalty (granularity loss).
``_granularity``
    :func:`granularity_loss`, ARX's granularity loss along hierarchies.
``_utility``
    :func:`entropy_loss`, :func:`distribution_distance`,
    :func:`correlation_drift`, :func:`information_loss`.
``_scorers``
    :func:`make_privacy_scorer` and :data:`PRIVACY_MEASURES`.
``_report``
    :class:`PrivacyReport`.
``_synthetic_quality``
    :func:`marginal_tvd`, :func:`pairwise_tvd`, :func:`tstr_score`,
    :func:`exact_match_rate`, :func:`distance_to_closest_record`.
``_membership``
    :func:`membership_inference_audit` (loss-threshold and shadow-model
    attacks on a fitted model), :func:`dcr_membership_audit` (distance to
    the closest synthetic record), :class:`MembershipAudit`.
"""

from ._attacks import frequency_attack, homogeneity_attack, linkage_attack
from ._granularity import granularity_loss
from ._membership import MembershipAudit, dcr_membership_audit, membership_inference_audit
from ._ncp import ncp
from ._privacy_models import (
    average_class_size,
    discernibility,
    equivalence_classes,
    k_anonymity,
    l_diversity,
    t_closeness,
)
from ._report import PrivacyReport
from ._risk import (
    column_cardinality,
    journalist_risk,
    marketer_risk,
    prosecutor_risk,
    record_risk,
    records_below_k,
    risk_summary,
    sample_uniqueness,
)
from ._scorers import PRIVACY_MEASURES, make_privacy_scorer
from ._synthetic_quality import (
    distance_to_closest_record,
    exact_match_rate,
    marginal_tvd,
    pairwise_tvd,
    tstr_score,
)
from ._utility import correlation_drift, distribution_distance, entropy_loss, information_loss

__all__ = [
    "average_class_size",
    "discernibility",
    "equivalence_classes",
    "k_anonymity",
    "l_diversity",
    "granularity_loss",
    "ncp",
    "t_closeness",
    "column_cardinality",
    "journalist_risk",
    "marketer_risk",
    "prosecutor_risk",
    "record_risk",
    "records_below_k",
    "risk_summary",
    "sample_uniqueness",
    "frequency_attack",
    "homogeneity_attack",
    "linkage_attack",
    "correlation_drift",
    "distribution_distance",
    "entropy_loss",
    "information_loss",
    "PRIVACY_MEASURES",
    "make_privacy_scorer",
    "PrivacyReport",
    "distance_to_closest_record",
    "exact_match_rate",
    "marginal_tvd",
    "pairwise_tvd",
    "tstr_score",
    "MembershipAudit",
    "dcr_membership_audit",
    "membership_inference_audit",
]
