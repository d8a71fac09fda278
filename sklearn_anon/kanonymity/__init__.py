"""k-anonymity as transformers: Mondrian (local recoding) and ARX's optimal
full-domain generalization, with l-diversity (distinct, entropy, recursive
(c, l)), t-closeness (equal, ordered or hierarchical distance) and k-map.

:class:`FullDomainAnonymizer` searches the generalization lattice of the
given hierarchies for the level vector of least loss that satisfies k (l, t)
with at most ``suppression_limit`` of the records suppressed, as ARX does.
:class:`MondrianAnonymizer` learns a multidimensional partition of the
training rows on their quasi-identifiers and stores it as a cut tree;
``transform`` routes any row, a training row or a new one, down that tree
and writes the generalization of its region.

What lives where (all modules but this one are private):

* ``_mondrian.py``: the :class:`MondrianAnonymizer` estimator and the
  helpers that write its region labels, midpoints and means.
* ``_coding.py``: the engine's column coding: ``ColumnCoder``,
  ``make_coder`` and the number/datetime conversions.
* ``_cut_tree.py``: the partitioning engine: ``grow_tree`` (with
  ``SensitiveRule`` for l-diversity / t-closeness, which lives in
  ``sklearn_anon/_sensitive.py`` with the measures' definitions) and
  ``route``.
* ``_sensitive_params.py``: the sensitive-attribute parameters (``l``,
  ``l_diversity``, ``c``, ``t``, ``t_distance``, ``sensitive_hierarchy``)
  both estimators share: their checks and the coding of the column.
* ``_kmap.py``: k-map for Mondrian (regions merged into their parents until
  the population holds enough people per region).
* ``_full_domain.py``: :class:`FullDomainAnonymizer` and its pruned lattice
  search.

Engines that hold the data in parts (:mod:`sklearn_anon.dask`) use the
anonymizer's documented extension points, never its private members:
:meth:`MondrianAnonymizer.region_index`,
:meth:`MondrianAnonymizer.regions_hold` and
:meth:`MondrianAnonymizer.collapse_regions`.

``sklearn_anon/_mondrian.py`` (the engine's old path) only re-exports
``ColumnCoder``, so that pickles of the previous release still load.
"""

from ._full_domain import FullDomainAnonymizer
from ._local_suppression import LocalSuppressor
from ._mondrian import MondrianAnonymizer

__all__ = ["FullDomainAnonymizer", "LocalSuppressor", "MondrianAnonymizer"]
