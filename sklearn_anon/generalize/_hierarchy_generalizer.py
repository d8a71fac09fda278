"""HierarchyGeneralizer: columns generalized along ARX-style hierarchy tables.

The hierarchy object itself is :mod:`sklearn_anon._hierarchy` (public as
:class:`sklearn_anon.generalize.Hierarchy`; shared with
k-anonymity and the metrics).
"""

from __future__ import annotations

import os
from numbers import Integral

import numpy as np
import pandas as pd

from .._compat import Interval
from .._hierarchy import Hierarchy, load_hierarchy
from ..base import SUPPRESSED, ColumnAnonymizer, _column_label, per_column
from ._common import _shared_docs
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence
    from .._typing import HierarchyLike


def _is_value_dict(obj):
    """A dict ``{value: [levels]}`` (one hierarchy), not ``{column: hierarchy}``."""
    return isinstance(obj, dict) and len(obj) > 0 and all(
        isinstance(v, (list, tuple)) for v in obj.values()
    )


@_shared_docs
class HierarchyGeneralizer(ColumnAnonymizer):
    """Generalize columns along ARX-style hierarchy tables.

    A hierarchy has one row per original value and one column per level:
    column 0 is the value itself (level 0), column ``L`` its label at level
    ``L`` (ARX's ``adult_hierarchy_age.csv``: ``39;35-39;30-39;20-39;*``).
    Each column is replaced by its labels at ``levels[column]``.  A grid
    search can tune ``levels`` (``{"gen__levels": [1, 2, 3]}`` or a list of
    per-column dicts).  See :class:`~sklearn_anon.generalize.Hierarchy` for
    the hierarchy object itself, and the builders
    :func:`~sklearn_anon.generalize.interval_hierarchy`,
    :func:`~sklearn_anon.generalize.masking_hierarchy`,
    :func:`~sklearn_anon.generalize.date_hierarchy` and
    :func:`~sklearn_anon.generalize.ordered_grouping` to make one.

    Numeric columns match numeric keys by value: the int ``39`` and the
    float ``39.0`` both match the key ``"39"`` (and ``"39.0"``); a numeric
    column whose hierarchy has no numeric key at all is a ValueError in
    ``fit`` naming the column (every value would be suppressed).  String
    and categorical columns match the keys exactly, as text (the string
    ``"39"`` matches the key ``"39"``, not ``"39.0"``).  Labels may hold any
    text, lone surrogates included; bytes values are not keys (suppressed).

    Suppression: a value not in the hierarchy (unseen, NaN) becomes
    ``"*"``.  The output is a categorical column whose categories, fixed in
    ``fit``, are the labels of the level that the fitted values reach (in
    table order), then ``"*"``; a value whose label no fitted value reached
    becomes ``"*"`` too.  The categories of a categorical are released with
    it (a Parquet schema lists them), so the labels of a hierarchy built
    from other data (a whole population's ZIP codes) that this data does not
    hold are never listed.

    Parameters
    ----------
    hierarchies : dict of {column: hierarchy} or hierarchy
        Per column, a :class:`pandas.DataFrame` (levels as columns, values
        first), a dict ``{value: [level1, level2, ...]}``, a path to a
        ``;``-separated CSV file without header, or a
        :class:`~sklearn_anon.generalize.Hierarchy` (what the builders
        return).  Columns may be given
        by name or position.  A single hierarchy (not a dict keyed by
        column) applies to every generalized column.
    levels : int or dict of {column: int}, default=1
        The level to generalize to, for every column or per column (a
        column missing from the dict gets level 1).  0 keeps the value
        (as the hierarchy's label); the hierarchy's last level is usually
        full suppression.
    columns : list of str or int, or None, default=None
        Columns to generalize; the others pass through unchanged.  None
        takes the keys of ``hierarchies`` (or every column for a single
        hierarchy).

    Attributes
    ----------
    hierarchies_ : dict of {column: Hierarchy}
        The loaded hierarchy per column.
    levels_ : dict of {column: int}
        The level used per column.
    categories_ : dict of {column: list of str}
        The output categories per column: the labels the fitted values
        reach, then ``"*"``.
    states_ : dict of {column: (Hierarchy, int, list of str)}
        The three above.
    {fitted_columns:generalized}

    See Also
    --------
    FullDomainAnonymizer : Searches the levels that reach k-anonymity at least loss.
    interval_hierarchy : Build a hierarchy of nested intervals.
    load_hierarchy : Read a hierarchy in ARX's CSV format.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import HierarchyGeneralizer
    >>> age = pd.DataFrame([[str(a), f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"]
    ...                     for a in range(18, 91)])
    >>> edu = {"Bachelors": ["Undergraduate", "Higher"],
    ...        "Masters": ["Graduate", "Higher"],
    ...        "HS-grad": ["High School", "Secondary"]}
    >>> X = pd.DataFrame({"age": [39, 52, 17], "edu": ["Masters", "HS-grad", "PhD"]})
    >>> gen = HierarchyGeneralizer(hierarchies={"age": age, "edu": edu},
    ...                            levels={"age": 1, "edu": 2})
    >>> out = gen.fit_transform(X)
    >>> out["age"].tolist(), out["edu"].tolist()
    (['30-39', '50-59', '*'], ['Higher', 'Secondary', '*'])
    """

    _parameter_constraints = {
        "hierarchies": [dict, pd.DataFrame, str, os.PathLike, Hierarchy],
        "levels": [Interval(Integral, 0, None, closed="left"), dict],
        "columns": ["array-like", str, Integral, None],
    }

    #: only ``levels`` is checked for stray keys: ``hierarchies`` may be one
    #: hierarchy given as ``{value: [levels]}``, and a column without one errors
    _per_column_params = ("levels",)

    def __init__(
        self,
        hierarchies: Mapping[Any, HierarchyLike] | HierarchyLike,
        *,
        levels: int | Mapping[Any, int] = 1,
        columns: Sequence[str | int] | None = None,
    ) -> None:
        self.hierarchies = hierarchies
        self.levels = levels
        self.columns = columns

    def _per_column_map(self):
        """``{column key: spec}`` or None for a single hierarchy."""
        if isinstance(self.hierarchies, dict) and not _is_value_dict(self.hierarchies):
            return self.hierarchies
        return None

    def _requested_columns(self):
        mapping = self._per_column_map()
        if self.columns is None and mapping is not None:
            return list(mapping)
        return self.columns

    def _spec_for(self, name):
        mapping = self._per_column_map()
        if mapping is None:
            return self.hierarchies
        if name in mapping:
            return mapping[name]
        names = list(
            self.feature_names_in_
            if hasattr(self, "feature_names_in_")
            else [f"x{i}" for i in range(self.n_features_in_)]
        )
        if name in names and names.index(name) in mapping:
            return mapping[names.index(name)]
        raise ValueError(f"No hierarchy given for {_column_label(name)}.")

    def _check_params(self, X):
        if isinstance(self.hierarchies, dict) and not self.hierarchies:
            raise ValueError("hierarchies is empty: give at least one hierarchy.")

    def _fit_column(self, column, name):
        hierarchy = load_hierarchy(self._spec_for(name), name=name)
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            dtype = dtype.categories.dtype
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        if numeric and not hierarchy.has_numeric_keys:
            raise ValueError(
                f"HierarchyGeneralizer: {_column_label(name)} is numeric, but no value of its "
                "hierarchy reads as a number, so every value would be suppressed. Give the "
                "hierarchy numeric values (\"39\") or convert the column to strings."
            )
        level = per_column(self.levels, name, default=1)
        if not isinstance(level, (Integral, np.integer)) or isinstance(level, bool) or level < 0:
            raise ValueError(f"levels for {_column_label(name)} must be a non-negative integer.")
        if level > hierarchy.height:
            raise ValueError(
                f"levels for {_column_label(name)} is {int(level)}, above the top level "
                f"{hierarchy.height} of its hierarchy."
            )
        # the labels the fitted values reach (table order), then "*": the
        # output's categories.  A label no fitted value reaches (a node of a
        # hierarchy built from other data) is never listed: a categorical's
        # categories are released with it (a Parquet schema, a CSV of codes)
        cat = hierarchy.generalize(column, int(level), suppressed=SUPPRESSED)
        codes = np.asarray(cat.codes)
        reached = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(cat.categories)))
        labels = [cat.categories[i] for i in reached if cat.categories[i] != SUPPRESSED]
        return hierarchy, int(level), labels + [SUPPRESSED]

    @property
    def hierarchies_(self) -> dict[Any, Hierarchy]:
        return {name: state[0] for name, state in self.states_.items()}

    @property
    def levels_(self) -> dict[Any, int]:
        return {name: state[1] for name, state in self.states_.items()}

    @property
    def categories_(self) -> dict[Any, list[str]]:
        return {name: list(state[2]) for name, state in self.states_.items()}

    def _transform_column(self, column, name, state, rng):
        hierarchy, level, categories = state
        cat = hierarchy.generalize(column, level, suppressed=SUPPRESSED)
        # a label the fitted values did not reach becomes "*" (not listed)
        cat = cat.set_categories(categories).fillna(SUPPRESSED)
        return pd.Series(cat, index=column.index, name=name)
