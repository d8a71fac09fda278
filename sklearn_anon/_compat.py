"""The one place that touches scikit-learn's private names and imports diffprivlib.

Every other module imports from here, so that a change in a private
scikit-learn API, or a new diffprivlib/scikit-learn incompatibility, is
mended in one file.

diffprivlib 0.6.6 imports ``DOUBLE`` and ``DTYPE`` from
``sklearn.tree._tree`` (in ``diffprivlib.models.forest``); scikit-learn 1.9
removed those two names, so ``import diffprivlib`` fails there.  They were
plain aliases of ``numpy.float64`` and ``numpy.float32``; we supply them,
only when missing, before importing diffprivlib.
"""

from __future__ import annotations

import functools

import numpy as np
import sklearn
from sklearn.base import _fit_context as _sklearn_fit_context
from sklearn.utils._param_validation import (  # noqa: F401  (private, re-exported)
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)
from sklearn.utils._set_output import _get_output_config as get_output_config  # noqa: F401
from sklearn.utils.fixes import parse_version
from sklearn.utils.validation import validate_data  # noqa: F401  (public since 1.6)

from ._fit_record import record_fit_input
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar

    #: a decorated ``fit`` keeps its signature (and returns ``Self``)
    _F = TypeVar("_F", bound=Callable[..., Any])

SKLEARN_VERSION = parse_version(parse_version(sklearn.__version__).base_version)


def _patch_sklearn_tree_for_diffprivlib():
    """Supply ``sklearn.tree._tree.DOUBLE``/``DTYPE`` when scikit-learn lacks them.

    Returns the list of names that were added (empty on scikit-learn < 1.9).
    """
    from sklearn.tree import _tree

    added = []
    for name, value in (("DOUBLE", np.float64), ("DTYPE", np.float32)):
        if not hasattr(_tree, name):
            setattr(_tree, name, value)
            added.append(name)
    return added


PATCHED_TREE_NAMES = _patch_sklearn_tree_for_diffprivlib()

import diffprivlib  # noqa: E402
from diffprivlib import mechanisms as dp_mechanisms  # noqa: E402,F401
from diffprivlib import models as dp_models  # noqa: E402,F401
from diffprivlib import tools as dp_tools  # noqa: E402,F401
from diffprivlib.accountant import BudgetAccountant  # noqa: E402,F401
from diffprivlib.utils import PrivacyLeakWarning  # noqa: E402,F401
from diffprivlib.utils import check_random_state as dp_check_random_state  # noqa: E402,F401

DIFFPRIVLIB_VERSION = diffprivlib.__version__

# diffprivlib installs ``warnings.simplefilter("always", PrivacyLeakWarning)``
# at import.  scikit-learn >= 1.7 pickles the parent's warning filters into
# every joblib worker (GridSearchCV(n_jobs=2)), so a worker unpickling
# ``diffprivlib.utils.PrivacyLeakWarning`` would run ``import diffprivlib``
# before this module could patch scikit-learn, and fail on scikit-learn 1.9
# (BrokenProcessPool).  Pickling the class by reference to this module makes
# the worker import sklearn_anon._compat (patch first, then diffprivlib).
PrivacyLeakWarning.__module__ = __name__

def _fit_context(*, prefer_skip_nested_validation: bool) -> Callable[[_F], _F]:
    """scikit-learn's ``_fit_context`` (parameter validation, config), which
    also records a reference to the fitted data for the privacy scorers
    (:mod:`sklearn_anon._fit_record`; nothing is copied or pickled)."""
    validate = _sklearn_fit_context(prefer_skip_nested_validation=prefer_skip_nested_validation)

    def decorator(fit_method):
        validated = validate(fit_method)

        @functools.wraps(fit_method)
        def fit(estimator, *args, **kwargs):
            result = validated(estimator, *args, **kwargs)
            if hasattr(estimator, "transform"):  # a release to measure (not a model or a sampler)
                record_fit_input(estimator, args[0] if args else kwargs.get("X"))
            return result

        return fit

    return decorator


__all__ = [
    "BudgetAccountant",
    "DIFFPRIVLIB_VERSION",
    "HasMethods",
    "Hidden",
    "Interval",
    "InvalidParameterError",
    "Options",
    "PATCHED_TREE_NAMES",
    "PrivacyLeakWarning",
    "SKLEARN_VERSION",
    "StrOptions",
    "_fit_context",
    "dp_check_random_state",
    "get_output_config",
    "dp_mechanisms",
    "dp_models",
    "dp_tools",
    "validate_data",
    "validate_parameter_constraints",
    "validate_params",
]
