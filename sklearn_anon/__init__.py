"""sklearn_anon: data anonymization as scikit-learn estimators.

Every privacy technique is a fit/transform estimator, so it can sit in a
:class:`~sklearn.pipeline.Pipeline` or :class:`~sklearn.compose.ColumnTransformer`
right before model training, be grid-searched against accuracy, and be
pickled to anonymize next month's data the same way.

Estimators and functions are importable from the top level
(``from sklearn_anon import IntervalGeneralizer``); measures live in
:mod:`sklearn_anon.metrics` (the membership inference audits are also at
the top level), datasets in :mod:`sklearn_anon.datasets`.

The top-level names are resolved lazily (PEP 562): ``import sklearn_anon``
imports neither scikit-learn nor pandas nor diffprivlib, so that the
``sklearn-anon`` command starts fast (``--help``, ``keygen``); the first
access to a name (``from sklearn_anon import IntervalGeneralizer``,
``sklearn_anon.LaplaceNoise``) imports the subpackage defining it.  Objects
are pickled under the module that defines them, so saved estimators load
the same way.  ``import sklearn_anon`` also makes ``import diffprivlib``
work on scikit-learn >= 1.9 (see :mod:`sklearn_anon._compat`).
"""

import importlib
import sys
from typing import TYPE_CHECKING

__version__ = "0.1.0.dev0"

#: where each public name is defined (the subpackage, imported at first use)
_EXPORTS = {
    "SUPPRESSED": "base",
    "UnusedColumnParameterWarning": "base",
    "trusted_types": "_persistence",
    "DPGroupMeanEncoder": "dp",
    "DPKBinsDiscretizer": "dp",
    "DPLogisticRegression": "dp",
    "GaussianNoise": "dp",
    "LaplaceNoise": "dp",
    "PrivacyBudget": "dp",
    "PrivacyLeakWarning": "dp",
    "RandomizedResponse": "dp",
    "SharedAccountant": "dp",
    "estimate_frequencies": "dp",
    "privacy_budget": "dp",
    "DateGeneralizer": "generalize",
    "Hierarchy": "generalize",
    "HierarchyGeneralizer": "generalize",
    "IntervalGeneralizer": "generalize",
    "PrefixGeneralizer": "generalize",
    "RareCategoryGrouper": "generalize",
    "TopBottomCoder": "generalize",
    "date_hierarchy": "generalize",
    "filter_outlier_rows": "generalize",
    "outlier_bounds": "generalize",
    "interval_hierarchy": "generalize",
    "load_hierarchy": "generalize",
    "masking_hierarchy": "generalize",
    "ordered_grouping": "generalize",
    "ColumnObfuscator": "identifiers",
    "FakeReplacer": "identifiers",
    "FrequencyAttackWarning": "identifiers",
    "KeyedAssigner": "identifiers",
    "PIIDetector": "identifiers",
    "PseudonymCollisionWarning": "identifiers",
    "Pseudonymizer": "identifiers",
    "TextRedactor": "identifiers",
    "detect_pii": "identifiers",
    "FullDomainAnonymizer": "kanonymity",
    "LocalSuppressor": "kanonymity",
    "MondrianAnonymizer": "kanonymity",
    "DPSynthesizer": "synthetic",
    "make_fake_pii": "synthetic",
    "DPCountEncoder": "dp",
    "dp_histogram": "dp",
    "Microaggregator": "sdc",
    "PRAM": "sdc",
    "global_risk": "metrics",
    "individual_risk": "metrics",
    "minimal_sample_uniques": "metrics",
    "population_uniqueness": "metrics",
    "suda_scores": "metrics",
    "dcr_membership_audit": "metrics",
    "membership_inference_audit": "metrics",
}

#: subpackages and modules reachable as attributes after ``import sklearn_anon``
#: (``sklearn_anon.metrics``), imported at first use; ``dask`` (an optional
#: extra) is not among them: import it explicitly
_SUBMODULES = {"base", "sdc", "cli", "datasets", "dp", "dp_models", "generalize", "identifiers",
               "kanonymity", "metrics", "policy", "synthetic"}

if TYPE_CHECKING:  # static analysers and IDEs see the explicit re-exports
    from .sdc import PRAM, Microaggregator  # noqa: F401
    from .dp import DPCountEncoder, dp_histogram  # noqa: F401
    from .base import SUPPRESSED, UnusedColumnParameterWarning  # noqa: F401
    from ._persistence import trusted_types  # noqa: F401  (skops.io persistence)
    from .dp import (  # noqa: F401
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
    from .generalize import (  # noqa: F401
        DateGeneralizer,
        Hierarchy,
        HierarchyGeneralizer,
        IntervalGeneralizer,
        PrefixGeneralizer,
        RareCategoryGrouper,
        TopBottomCoder,
        date_hierarchy,
        filter_outlier_rows,
        outlier_bounds,
        interval_hierarchy,
        load_hierarchy,
        masking_hierarchy,
        ordered_grouping,
    )
    from .identifiers import (  # noqa: F401
        ColumnObfuscator,
        FakeReplacer,
        FrequencyAttackWarning,
        KeyedAssigner,
        PIIDetector,
        PseudonymCollisionWarning,
        Pseudonymizer,
        TextRedactor,
        detect_pii,
    )
    from .kanonymity import FullDomainAnonymizer, LocalSuppressor, MondrianAnonymizer  # noqa: F401
    from .synthetic import DPSynthesizer, make_fake_pii  # noqa: F401
    from .metrics import (  # noqa: F401
        global_risk,
        individual_risk,
        minimal_sample_uniques,
        population_uniqueness,
        suda_scores,
    )
    from .metrics import dcr_membership_audit, membership_inference_audit  # noqa: F401


def __getattr__(name):
    """Import the subpackage defining ``name`` at its first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # resolved once
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)


class _DiffprivlibPatch:
    """Supplies ``sklearn.tree._tree.DOUBLE``/``DTYPE`` before ``import diffprivlib``.

    A meta-path finder that finds nothing: when ``diffprivlib`` is about to be
    imported (by a user, or by :mod:`sklearn_anon._compat`), it adds the two
    names scikit-learn 1.9 removed (see :mod:`sklearn_anon._compat`) and
    leaves the import to the other finders.  It removes itself afterwards.
    ``import sklearn_anon, diffprivlib`` therefore works without the package
    importing scikit-learn or diffprivlib at start-up.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "diffprivlib":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        import numpy as np
        from sklearn.tree import _tree

        for attr, value in (("DOUBLE", np.float64), ("DTYPE", np.float32)):
            if not hasattr(_tree, attr):
                setattr(_tree, attr, value)
        return None


if "diffprivlib" not in sys.modules and not any(
    isinstance(f, _DiffprivlibPatch) or type(f).__name__ == "_DiffprivlibPatch" for f in sys.meta_path
):
    sys.meta_path.insert(0, _DiffprivlibPatch())

__all__ = [
    "SUPPRESSED",
    "UnusedColumnParameterWarning",
    "trusted_types",  # persistence with skops.io
    # generalize
    "DateGeneralizer",
    "Hierarchy",
    "HierarchyGeneralizer",
    "IntervalGeneralizer",
    "PrefixGeneralizer",
    "RareCategoryGrouper",
    "TopBottomCoder",
    "date_hierarchy",
    "filter_outlier_rows",
    "interval_hierarchy",
    "load_hierarchy",
    "masking_hierarchy",
    "ordered_grouping",
    "outlier_bounds",
    # identifiers
    "ColumnObfuscator",
    "FakeReplacer",
    "FrequencyAttackWarning",
    "KeyedAssigner",
    "PIIDetector",
    "PseudonymCollisionWarning",
    "Pseudonymizer",
    "TextRedactor",
    "detect_pii",
    # kanonymity
    "FullDomainAnonymizer",
    "LocalSuppressor",
    "MondrianAnonymizer",
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
    # dp
    "DPCountEncoder",
    "dp_histogram",
    # sdc
    "Microaggregator",
    "PRAM",
    # metrics: record-level risk (sdcMicro's measures)
    "global_risk",
    "individual_risk",
    "minimal_sample_uniques",
    "population_uniqueness",
    "suda_scores",
    # metrics
    "dcr_membership_audit",
    "membership_inference_audit",
]
