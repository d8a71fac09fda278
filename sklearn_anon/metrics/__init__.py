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
    :func:`prosecutor_risk`, :func:`journalist_risk`, :func:`k_map`, :func:`marketer_risk`,
    :func:`column_cardinality`, :func:`risk_summary`.
``_individual_risk``
    :func:`individual_risk`, :func:`global_risk`: sdcMicro's individual
    risk with sampling weights (Benedetti-Franconi) and the expected number
    of re-identifications.
``_suda``
    :func:`minimal_sample_uniques`, :func:`suda_scores`: special uniques
    (SUDA2's minimal sample uniques, SUDA and DIS-SUDA scores).
``_population``
    :func:`population_uniqueness`: population uniques estimated from a
    sample (Pitman, Zayatz).
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
``_plots``
    :func:`plot_privacy_utility` and :func:`privacy_utility_frontier`, the
    privacy/utility frontier of a grid search (matplotlib optional).
``_synthetic_quality``
    :func:`marginal_tvd`, :func:`pairwise_tvd`, :func:`tstr_score`,
    :func:`exact_match_rate`, :func:`distance_to_closest_record`.
``_membership``
    :func:`membership_inference_audit` (loss-threshold and shadow-model
    attacks on a fitted model), :func:`dcr_membership_audit` (distance to
    the closest synthetic record), :class:`MembershipAudit`.
"""

# Extension points for a caller that measures its own release (the CLI):
# documented where they are defined, not user API (not in __all__).
from ._anonymizer import released_anonymizer  # noqa: F401
from ._tables import class_code_columns  # noqa: F401
# ... and for k-map in the anonymizers (kanonymity/_kmap.py).
from ._risk import expand_counts, population_counts  # noqa: F401
from ._attacks import frequency_attack, homogeneity_attack, linkage_attack
from ._granularity import granularity_loss
from ._individual_risk import global_risk, individual_risk
from ._membership import MembershipAudit, dcr_membership_audit, membership_inference_audit
from ._ncp import ncp
from ._population import population_uniqueness
from ._privacy_models import (
    average_class_size,
    discernibility,
    equivalence_classes,
    k_anonymity,
    l_diversity,
    t_closeness,
)
from ._plots import plot_privacy_utility, privacy_utility_frontier
from ._report import PrivacyReport
from ._risk import (
    column_cardinality,
    journalist_risk,
    k_map,
    marketer_risk,
    prosecutor_risk,
    record_risk,
    records_below_k,
    risk_summary,
    sample_uniqueness,
)
from ._scorers import PRIVACY_MEASURES, make_privacy_scorer, without_release_record
from ._suda import minimal_sample_uniques, suda_scores
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
    "k_map",
    "marketer_risk",
    "prosecutor_risk",
    "record_risk",
    "records_below_k",
    "risk_summary",
    "sample_uniqueness",
    "global_risk",
    "individual_risk",
    "minimal_sample_uniques",
    "population_uniqueness",
    "suda_scores",
    "frequency_attack",
    "homogeneity_attack",
    "linkage_attack",
    "correlation_drift",
    "distribution_distance",
    "entropy_loss",
    "information_loss",
    "PRIVACY_MEASURES",
    "make_privacy_scorer",
    "without_release_record",
    "PrivacyReport",
    "plot_privacy_utility",
    "privacy_utility_frontier",
    "distance_to_closest_record",
    "exact_match_rate",
    "marginal_tvd",
    "pairwise_tvd",
    "tstr_score",
    "MembershipAudit",
    "dcr_membership_audit",
    "membership_inference_audit",
]
