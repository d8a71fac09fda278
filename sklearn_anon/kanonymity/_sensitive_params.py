"""The sensitive-attribute parameters shared by Mondrian and the lattice search.

``l``, ``l_diversity``, ``c``, ``t``, ``t_distance`` and
``sensitive_hierarchy`` mean the same in
:class:`~sklearn_anon.MondrianAnonymizer` and
:class:`~sklearn_anon.kanonymity.FullDomainAnonymizer`; this module checks
their combinations and codes the sensitive column for the test
(:class:`sklearn_anon._sensitive.SensitiveRule`).
"""

import numpy as np
import pandas as pd

from .. import _text
from .._hierarchy import load_hierarchy
from .._sensitive import HierarchyDistance, SensitiveRule
from ..base import is_numeric, values_hidden

__all__ = ["check_population", "check_sensitive_params", "make_sensitive_rule",
           "sensitive_distance"]


def check_sensitive_params(est):
    """Raise ``ValueError`` on combinations of the parameters that do not go together."""
    kind = getattr(est, "l_diversity", "distinct")
    c = getattr(est, "c", None)
    if kind == "recursive" and est.l is not None and c is None:
        raise ValueError("l_diversity='recursive' needs `c` (recursive (c, l)-diversity).")
    if c is not None and kind != "recursive":
        raise ValueError("`c` is only used with l_diversity='recursive'.")
    distance = getattr(est, "t_distance", "auto")
    hierarchy = getattr(est, "sensitive_hierarchy", None)
    if distance == "hierarchical" and hierarchy is None:
        raise ValueError("t_distance='hierarchical' needs `sensitive_hierarchy`.")
    if hierarchy is not None and distance in ("equal", "ordered"):
        raise ValueError(f"`sensitive_hierarchy` is only used with t_distance='hierarchical' "
                         f"(or 'auto'), got t_distance={distance!r}.")


def check_population(est, population):
    """``k_map`` and the ``population`` given to ``fit`` go together."""
    if est.k_map is not None and population is None:
        raise ValueError("k_map needs the population: fit(X, population=...).")
    if est.k_map is None and population is not None:
        raise ValueError("A population was given to fit, but `k_map` is not set.")
    if est.population_counts is not None and est.k_map is None:
        raise ValueError("`population_counts` is only used with `k_map`.")
    if population is not None and not isinstance(population, pd.DataFrame):
        raise TypeError("The population must be a DataFrame.")


def sensitive_distance(est, column):
    """The ground distance the estimator's ``t`` uses on ``column``."""
    distance = getattr(est, "t_distance", "auto")
    if distance != "auto":
        return distance
    if getattr(est, "sensitive_hierarchy", None) is not None:
        return "hierarchical"
    return "ordered" if is_numeric(column) else "equal"


def make_sensitive_rule(est, column, name):
    """A :class:`SensitiveRule` for ``column`` under the estimator's parameters.

    Codes: the hierarchy's leaves for the hierarchical distance (every
    value must be a leaf), else the distinct values sorted (numbers by
    value, an ordered categorical by its categories, text as text).
    """
    distance = sensitive_distance(est, column) if est.t is not None else "equal"
    tree = None
    if distance == "hierarchical" or (est.t is None and est.sensitive_hierarchy is not None):
        h = load_hierarchy(est.sensitive_hierarchy, name=name)
        with values_hidden(name, "could not match the values to the hierarchy"):
            codes = h.leaf_codes(column)
        bad = int((codes < 0).sum())
        if bad:
            raise ValueError(f"Column {name!r}: {bad} sensitive value(s) are not leaves of "
                             "`sensitive_hierarchy` (missing values included).")
        present, codes = np.unique(codes, return_inverse=True)  # only the leaves in the data
        codes, m = codes.ravel(), len(present)
        if distance == "hierarchical":
            tree = HierarchyDistance(h, leaves=present)
    else:
        with values_hidden(name, "could not encode the sensitive column"):
            if isinstance(column.dtype, pd.CategoricalDtype):
                column = column.cat.remove_unused_categories()
            codes, uniq = _text.factorize(column, sort=True, use_na_sentinel=False)
        m = len(uniq)
    return SensitiveRule(np.asarray(codes, dtype=np.int64), m, l=est.l,
                         l_kind=getattr(est, "l_diversity", "distinct"),
                         c=getattr(est, "c", None), t=est.t,
                         ordered=distance == "ordered", tree=tree)
