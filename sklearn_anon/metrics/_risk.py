"""Re-identification risk measures.

Every measure here looks at a table through its *quasi-identifiers* (QIs):
records that share the same QI values form an *equivalence class*, and an
attacker who knows a person's QIs can single that person out of a class of
size ``f`` with probability ``1 / f`` (the prosecutor model).

* :func:`sample_uniqueness` -- share of records alone in their class.
* :func:`records_below_k` -- share of records in classes smaller than ``k``.
* :func:`record_risk` -- the per-record risk ``1 / f``.
* :func:`prosecutor_risk` -- highest and average ``1 / f``, share of records
  above a risk threshold.
* :func:`journalist_risk` -- the same against a population table (the
  attacker does not know whether the person is in the release).
* :func:`k_map` -- the k of k-map: the smallest population class of a
  released record (``1 / k_map`` is the journalist risk's ``max``).
* :func:`marketer_risk` -- the expected share of records re-identified when
  the attacker tries to match everyone.
* :func:`column_cardinality` -- distinct values per column and a flag for
  columns that act as identifiers (ids, full timestamps, hashes).

All of them are vectorized (the equivalence classes of
:mod:`._tables`: one factorization per column, a mixed-radix key,
``np.bincount``; no ``groupby``), treat NaN as a value of its own, and never
put a cell value in an error message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._counting import value_counts_array
from ..base import check_frame
from ._matching import compatible_counts
from ._tables import _as_list, _check_k, _check_threshold, _codes, check_table, class_codes
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator
    from typing import Any, Callable, Mapping, Sequence
    from .._typing import ArrayLike, HierarchyLike

__all__ = [
    "column_cardinality",
    "journalist_risk",
    "k_map",
    "marketer_risk",
    "prosecutor_risk",
    "record_risk",
    "records_below_k",
    "risk_summary",
    "sample_uniqueness",
]


def row_class_sizes(frame, quasi_identifiers):
    """Size of the equivalence class of each row (ndarray of int64)."""
    codes, sizes = class_codes(frame, quasi_identifiers)
    return sizes[codes]


def _risk_stats(risk, threshold):
    return {
        "max": float(risk.max()),
        "mean": float(risk.mean()),
        "share_above_threshold": float(np.mean(risk > threshold)),
    }


# -- public measures ------------------------------------------------------------


def record_risk(X: ArrayLike, quasi_identifiers: str | Sequence[str]) -> pd.Series:
    """Prosecutor re-identification risk of each record: ``1 / class size``.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released table.
    quasi_identifiers : str or list of str
        The columns an attacker may know about a person.

    Returns
    -------
    risk : Series of float, indexed like ``X``
        Values in (0, 1]; 1 for a record unique on its quasi-identifiers.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import record_risk
    >>> X = pd.DataFrame({"age": [30, 30, 41], "zip": ["750", "750", "751"]})
    >>> record_risk(X, ["age", "zip"]).tolist()
    [0.5, 0.5, 1.0]
    """
    frame, qis, _ = check_table(X, quasi_identifiers)
    sizes = row_class_sizes(frame, qis)
    return pd.Series(1.0 / sizes, index=frame.index, name="risk")


def sample_uniqueness(X: ArrayLike, quasi_identifiers: str | Sequence[str]) -> float:
    """Share of records that are unique on their quasi-identifiers.

    A unique record is re-identified by anyone who knows the person's
    quasi-identifiers and that the person is in the table.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.

    Returns
    -------
    uniqueness : float in [0, 1]
        The share of records alone in their equivalence class.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import sample_uniqueness
    >>> X = pd.DataFrame({"age": [30, 30, 41, 52], "sex": ["F", "F", "M", "M"]})
    >>> sample_uniqueness(X, ["age", "sex"])
    0.5
    """
    frame, qis, _ = check_table(X, quasi_identifiers)
    return float(np.mean(row_class_sizes(frame, qis) == 1))


def records_below_k(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    k: int,
    *,
    normalize: bool = True,
) -> float:
    """Count the records in equivalence classes smaller than ``k``.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.
    k : int >= 1
        The class size a k-anonymous release would guarantee.
    normalize : bool, default=True
        Return the share of records (True) or their number (False).

    Returns
    -------
    below : float or int
        0 exactly when the table is k-anonymous.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import records_below_k
    >>> X = pd.DataFrame({"age": [30, 30, 30, 41, 41]})
    >>> records_below_k(X, "age", 3)
    0.4
    >>> records_below_k(X, "age", 3, normalize=False)
    2
    """
    k = _check_k(k)
    frame, qis, _ = check_table(X, quasi_identifiers)
    below = row_class_sizes(frame, qis) < k
    return float(below.mean()) if normalize else int(below.sum())


def prosecutor_risk(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    *,
    threshold: float = 0.2,
) -> dict[Any, Any]:
    """Prosecutor re-identification risk: the attacker knows the person is in the table.

    The risk of a record is ``1 / f`` where ``f`` is the size of its
    equivalence class.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.
    threshold : float in (0, 1], default=0.2
        A record is *at risk* when its risk is strictly above this value
        (0.2: classes smaller than 5).

    Returns
    -------
    risk : dict
        ``max`` (highest risk, 1 / smallest class), ``mean`` (average risk
        over records, which is also the marketer risk: number of classes /
        number of records) and ``share_above_threshold``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import prosecutor_risk
    >>> X = pd.DataFrame({"age": [30, 30, 30, 30, 30, 41]})
    >>> prosecutor_risk(X, "age")
    {'max': 1.0, 'mean': 0.333..., 'share_above_threshold': 0.166...}
    """
    threshold = _check_threshold(threshold)
    frame, qis, _ = check_table(X, quasi_identifiers)
    return _risk_stats(1.0 / row_class_sizes(frame, qis), threshold)


def population_counts(frame, qis, population, hierarchies, anonymizer=None):
    """Number of population records compatible with each released record.

    Extension point (importable from :mod:`sklearn_anon.metrics`, not in its
    ``__all__``): the count behind :func:`journalist_risk`, :func:`k_map` and
    the k-map constraint of :class:`~sklearn_anon.MondrianAnonymizer`.
    """
    pop, _, _ = check_table(population, qis, name="population")
    counts = compatible_counts(frame, pop, qis, hierarchies=hierarchies, anonymizer=anonymizer)
    sizes = row_class_sizes(frame, qis)
    # the population holds every sampled person: a class is never smaller
    # than its count in the sample
    return np.maximum(counts, sizes)


def journalist_risk(
    X: ArrayLike,
    population: pd.DataFrame,
    quasi_identifiers: str | Sequence[str],
    *,
    threshold: float = 0.2,
    hierarchies: Mapping[Any, HierarchyLike] | None = None,
    anonymizer: BaseEstimator | Callable[..., Any] | None = None,
) -> dict[Any, Any]:
    """Journalist re-identification risk: risk against a population table.

    The attacker does not know whether a person is in the release; a record
    can only be linked to one of the ``F`` people of the population who share
    its quasi-identifiers, so its risk is ``1 / F``.  Released values may be
    generalized: an interval (``"[35, 45)"``), a set (``"{A, B}"``), ``"*"`` or
    a hierarchy node covers every population value it contains (the matching
    rules of :func:`linkage_attack`).  ``F`` is never taken below the
    record's class size in the release (the population holds the sample).

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released table (a sample of the population).
    population : DataFrame
        The population table (e.g. a census extract, a voter list) holding
        at least the quasi-identifier columns, raw or generalized like ``X``.
    quasi_identifiers : str or list of str
        The quasi-identifier columns, present in both tables.
    threshold : float in (0, 1], default=0.2
        Records with a risk strictly above it count as at risk.
    hierarchies : dict of {column: hierarchy} or None, default=None
        Generalization hierarchies (anything
        :func:`sklearn_anon._hierarchy.load_hierarchy` reads) so that a
        released hierarchy node matches the population values under it.
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, callable or None, default=None
        The anonymizer that produced ``X``: the population is generalized
        with it and ``F`` counts the population records with the same
        generalized values (needed for custom labels such as ``"Middle"``
        or ``"OTHER"``; see :func:`linkage_attack`).  Without it, a column
        whose released labels cannot be read raises a ``UserWarning`` and
        the risk is a lower bound.

    Returns
    -------
    risk : dict
        ``max``, ``mean`` and ``share_above_threshold`` of ``1 / F``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import journalist_risk
    >>> sample = pd.DataFrame({"age": ["[30, 40)", "[40, 50)"]})
    >>> population = pd.DataFrame({"age": [31, 35, 38, 39, 44]})
    >>> journalist_risk(sample, population, "age")
    {'max': 1.0, 'mean': 0.625, 'share_above_threshold': 1.0}
    """
    threshold = _check_threshold(threshold)
    frame, qis, _ = check_table(X, quasi_identifiers)
    counts = population_counts(frame, qis, population, hierarchies, anonymizer)
    return _risk_stats(1.0 / counts, threshold)


def k_map(
    X: ArrayLike,
    population: pd.DataFrame,
    quasi_identifiers: str | Sequence[str],
    *,
    hierarchies: Mapping[Any, HierarchyLike] | None = None,
    anonymizer: BaseEstimator | Callable[..., Any] | None = None,
    count_column: str | None = None,
) -> int:
    """The k for which ``X`` satisfies k-map against a population table.

    k-map (Sweeney's k-map; El Emam & Dankar 2008; ARX's ``KMap`` with a
    population table): every released record must be compatible with at
    least ``k`` people of the *population* (not of the release).  A record's
    population class ``F`` is counted as in :func:`journalist_risk` (a
    generalized value covers every population value it contains; ``F`` is
    never below the record's class size in the release, since the
    population holds the sample), so ``k_map(...) == 1 / journalist_risk(...)
    ["max"]``: a release satisfies k-map for ``k`` exactly when its highest
    journalist risk is at most ``1 / k``.  k-anonymity of the release
    implies k-map (``F`` is at least the class size); the converse does not
    hold.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released table (a sample of the population).
    population : DataFrame
        The population: one row per person, or, with ``count_column``, one
        row per combination of quasi-identifier values and the number of
        people who have it.  Raw or generalized like ``X``.
    quasi_identifiers : str or list of str
        The quasi-identifier columns, present in both tables.
    hierarchies : dict of {column: hierarchy} or None, default=None
        See :func:`journalist_risk`.
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, callable or None, default=None
        See :func:`journalist_risk`.
    count_column : str or None, default=None
        Column of ``population`` holding the number of people per row
        (non-negative integers); the rows are expanded into that many
        people before matching.

    Returns
    -------
    k : int
        The smallest population class of a released record.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import journalist_risk, k_map
    >>> sample = pd.DataFrame({"age": ["[30, 40)", "[40, 50)"]})
    >>> population = pd.DataFrame({"age": [31, 35, 38, 39, 44, 45]})
    >>> k_map(sample, population, "age")
    2
    >>> journalist_risk(sample, population, "age")["max"]
    0.5
    >>> counts = pd.DataFrame({"age": [35, 44], "people": [120, 80]})
    >>> k_map(sample, counts, "age", count_column="people")
    80
    """
    frame, qis, _ = check_table(X, quasi_identifiers)
    if count_column is not None:
        population = expand_counts(population, count_column)
    counts = population_counts(frame, qis, population, hierarchies, anonymizer)
    return int(counts.min()) if len(counts) else 0


def expand_counts(population, count_column):
    """One row per person of a table of (values, number of people).

    Extension point (importable from :mod:`sklearn_anon.metrics`, not in its
    ``__all__``), used by the k-map constraint of the anonymizers.
    """
    if not isinstance(population, pd.DataFrame) or count_column not in population.columns:
        raise ValueError(f"count_column {count_column!r} is not a column of the population.")
    raw = population[count_column]
    with np.errstate(invalid="ignore"):
        weights = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(weights).all() or (weights < 0).any() or (weights != np.floor(weights)).any():
        raise ValueError(f"count_column {count_column!r} must hold non-negative integers.")
    rest = population.drop(columns=[count_column])
    return rest.loc[rest.index.repeat(weights.astype(np.int64))].reset_index(drop=True)


def marketer_risk(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    *,
    population: pd.DataFrame | None = None,
    hierarchies: Mapping[Any, HierarchyLike] | None = None,
    anonymizer: BaseEstimator | Callable[..., Any] | None = None,
) -> float:
    """Marketer risk: expected share of records re-identified when matching everyone.

    Without a population table it is the number of equivalence classes over
    the number of records (an attacker who links every record re-identifies
    one per class); with one, it is the average of ``1 / F`` over the
    records, ``F`` the number of compatible population records (see
    :func:`journalist_risk`).

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.
    population : DataFrame or None, default=None
        Population table; None takes the release as the population.
    hierarchies : dict of {column: hierarchy} or None, default=None
        See :func:`journalist_risk`.
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, callable or None, default=None
        With a population: the anonymizer that produced ``X``, to generalize
        the population with (see :func:`journalist_risk`).

    Returns
    -------
    risk : float in (0, 1]
        The expected share of records re-identified.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import marketer_risk
    >>> X = pd.DataFrame({"age": [30, 30, 30, 41]})
    >>> marketer_risk(X, "age")
    0.5
    """
    frame, qis, _ = check_table(X, quasi_identifiers)
    if population is None:
        codes, sizes = class_codes(frame, qis)
        return float(len(sizes) / len(codes))
    counts = population_counts(frame, qis, population, hierarchies, anonymizer)
    return float(np.mean(1.0 / counts))


def column_cardinality(
    X: ArrayLike,
    columns: Sequence[str] | None = None,
    *,
    identifier_threshold: float = 0.9,
) -> pd.DataFrame:
    """Distinct values per column, flagging columns that act as identifiers.

    A column whose values are (nearly) all different, such as a customer id,
    a full timestamp, an e-mail address or a hash, identifies records on its
    own: it must be dropped or pseudonymized, never released as a
    quasi-identifier.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The table.
    columns : list of str or None, default=None
        Columns to profile; None profiles every column.
    identifier_threshold : float in (0, 1], default=0.9
        A column is flagged when its number of distinct non-missing values
        over its number of non-missing values reaches this ratio (and it has
        at least two distinct values).  On a tiny table every column looks
        unique: read the flag on tables of a realistic size.

    Returns
    -------
    profile : DataFrame, one row per column
        ``dtype``, ``n_unique`` (distinct non-missing values), ``unique_ratio``,
        ``singleton_share`` (share of records whose value occurs once) and
        ``likely_identifier`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import column_cardinality
    >>> X = pd.DataFrame({"id": range(10), "sex": ["F", "M"] * 5})
    >>> column_cardinality(X)[["n_unique", "likely_identifier"]]
         n_unique  likely_identifier
    id         10               True
    sex         2              False
    """
    threshold = _check_threshold(identifier_threshold, "identifier_threshold")
    frame, _ = check_frame(X)
    if frame.shape[0] == 0:
        raise ValueError("X is empty (0 rows): nothing to measure.")
    columns = list(frame.columns) if columns is None else _as_list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"columns not found in X: {missing!r}.")
    rows = []
    for col in columns:
        s = frame[col]
        # Arrow text (e-mails, pseudonyms): exact counts from verified 64-bit hashes, with
        # no table of the distinct values (for an id column as large as the column, and
        # pyarrow's hash table is 5x that); otherwise counted on integer codes
        counts = value_counts_array(s)
        if counts is None:
            codes, m = _codes(s)
            valid = s.notna().to_numpy()
            counts = np.bincount(codes[valid], minlength=m)
            n_valid = int(valid.sum())
        else:
            n_valid = int(counts.sum())
        n_unique = int((counts > 0).sum())
        ratio = n_unique / n_valid if n_valid else 0.0
        rows.append(
            {
                "dtype": str(s.dtype),
                "n_unique": n_unique,
                "unique_ratio": ratio,
                "singleton_share": float(counts[counts == 1].sum() / len(s)),
                "likely_identifier": bool(n_unique >= 2 and ratio >= threshold),
            }
        )
    return pd.DataFrame(rows, index=pd.Index(columns, name=None))


def risk_summary(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    *,
    k: int = 5,
    threshold: float = 0.2,
    population: pd.DataFrame | None = None,
    hierarchies: Mapping[Any, HierarchyLike] | None = None,
) -> dict[Any, Any]:
    """All the risk measures of this module in one dict.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.
    k : int, default=5
        For ``records_below_k``.
    threshold : float in (0, 1], default=0.2
        Risk threshold of the ``share_above_threshold`` entries.
    population : DataFrame or None, default=None
        When given, the journalist risk is added.
    hierarchies : dict or None, default=None
        See :func:`journalist_risk`.

    Returns
    -------
    summary : dict
        ``n_records``, ``n_classes``, ``smallest_class``,
        ``sample_uniqueness``, ``records_below_k``, ``prosecutor`` (dict),
        ``marketer`` and, with a population, ``journalist`` (dict).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import risk_summary
    >>> X = pd.DataFrame({"age": [30, 30, 41]})
    >>> risk_summary(X, "age", k=2)["sample_uniqueness"]
    0.333...
    """
    k = _check_k(k)
    threshold = _check_threshold(threshold)
    frame, qis, _ = check_table(X, quasi_identifiers)
    codes, sizes = class_codes(frame, qis)
    row_sizes = sizes[codes]
    out = {
        "n_records": int(len(codes)),
        "n_classes": int(len(sizes)),
        "smallest_class": int(sizes.min()),
        "sample_uniqueness": float(np.mean(row_sizes == 1)),
        "records_below_k": float(np.mean(row_sizes < k)),
        "prosecutor": _risk_stats(1.0 / row_sizes, threshold),
        "marketer": float(len(sizes) / len(codes)),
    }
    if population is not None:
        counts = population_counts(frame, qis, population, hierarchies)
        out["journalist"] = _risk_stats(1.0 / counts, threshold)
        out["marketer"] = float(np.mean(1.0 / counts))
    return out
