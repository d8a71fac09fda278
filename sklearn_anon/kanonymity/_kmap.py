"""k-map for :class:`~sklearn_anon.MondrianAnonymizer`: merge regions until it holds.

A region satisfies k-map when at least ``k_map`` people of the population
table are compatible with its released labels (the count
:func:`sklearn_anon.metrics.k_map` and :func:`~sklearn_anon.metrics.journalist_risk`
make, through the same function).  After the tree is grown, every region
that fails is merged into its parent node (Mondrian's leaf collapse, the
documented extension point :meth:`MondrianAnonymizer.collapse_regions`),
the labels are recomputed and the check repeated.  Merging only widens
labels, so the population classes only grow, and a merge of regions that
are k-anonymous, l-diverse or t-close stays so (every model of the
estimator is kept by a merge).
"""

import numpy as np

__all__ = ["enforce_k_map", "population_people"]


def population_people(population, counts_column):
    """The population as one row per person (``counts_column`` expanded)."""
    if not population.columns.is_unique:
        dup = population.columns[population.columns.duplicated()].unique()
        raise ValueError(
            f"The population has duplicated column names: "
            f"{', '.join(f'column {c!r}' for c in dup)}. Each column must have its own name.")
    if counts_column is None:
        return population
    from ..metrics import expand_counts  # metrics sits above kanonymity

    return expand_counts(population, counts_column)


def _parents(tree):
    left, right = tree["left"], tree["right"]
    parent = np.full(len(left), -1, dtype=np.int64)
    inner = np.flatnonzero(tree["feature"] >= 0)
    parent[left[inner]] = inner
    parent[right[inner]] = inner
    return parent


def _new_leaves(tree, targets):
    """``region_of_node`` making the topmost ``targets`` leaves, other leaves kept."""
    left, right, feature = tree["left"], tree["right"], tree["feature"]
    region = np.full(len(feature), -1, dtype=np.int64)
    is_target = np.zeros(len(feature), dtype=bool)
    is_target[targets] = True
    stack, count = [0], 0
    while stack:
        node = stack.pop()
        if is_target[node] or feature[node] < 0:
            region[node] = count
            count += 1
        else:
            stack.extend((int(right[node]), int(left[node])))
    return region


def enforce_k_map(est, X, population, k_map, hierarchies):
    """The fitted ``est`` with regions merged until each has ``k_map`` people."""
    from ..metrics import population_counts  # metrics sits above kanonymity

    qis = list(est.quasi_identifiers_)
    missing = [str(q) for q in qis if q not in population.columns]
    if missing:
        raise ValueError(f"The population lacks the quasi-identifier column(s) "
                         f"{', '.join(missing)}.")
    fitted = est
    while True:
        regions = fitted.regions_[qis].reset_index(drop=True)
        people = population_counts(regions, qis, population, hierarchies)
        people = np.maximum(people, fitted.partition_sizes_)
        bad = np.flatnonzero(people < k_map)
        if not len(bad):
            fitted.population_sizes_ = people
            return fitted
        tree = fitted.tree_
        node_of_region = np.empty(fitted.n_partitions_, dtype=np.int64)
        leaves = np.flatnonzero(tree["leaf"] >= 0)
        node_of_region[tree["leaf"][leaves]] = leaves
        parent = _parents(tree)[node_of_region[bad]]
        if (parent < 0).any():
            raise ValueError(
                f"k_map={k_map}: even the whole table is compatible with fewer people of "
                "the population: lower `k_map` or give a larger population.")
        fitted = fitted.collapse_regions(_new_leaves(tree, np.unique(parent)), X)
