"""Attacks on a released table: what an adversary actually learns.

* :func:`linkage_attack` -- join the release with an auxiliary table that
  holds identities (a voter list, a leaked customer file) on the
  quasi-identifiers; released values may be generalized.
* :func:`homogeneity_attack` -- classes whose sensitive value is the same for
  every member disclose it without re-identifying anyone.
* :func:`frequency_attack` -- deterministic pseudonyms keep the frequency of
  the values they replace; ranking both by frequency undoes them.

How a released value matches an auxiliary one (intervals, sets, ``"*"``,
hierarchy nodes, custom labels read through the fitted anonymizer) is
described in :mod:`._matching`, which :func:`linkage_attack` shares with
the journalist and marketer risks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _text
from ._matching import _warn_unread, match_records
from ._tables import _as_list, check_table, class_codes
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator
    from typing import Any, Callable, Literal, Mapping, Sequence
    from .._typing import ArrayLike, HierarchyLike

__all__ = ["frequency_attack", "homogeneity_attack", "linkage_attack"]


# -- public attacks ---------------------------------------------------------------------


def linkage_attack(
    released: pd.DataFrame,
    auxiliary: pd.DataFrame,
    on: str | Sequence[str],
    *,
    identity: str | None = None,
    truth: str | ArrayLike | None = None,
    hierarchies: Mapping[Any, HierarchyLike] | None = None,
    anonymizer: BaseEstimator | Callable[..., Any] | None = None,
    unread: Literal["auto", "ignore", "no_match"] = "auto",
) -> dict[Any, Any]:
    """Link released records to identities through an auxiliary table.

    The attacker holds a table with names (or any identity) and the same
    quasi-identifiers, raw or generalized, and matches each released record
    to the auxiliary records it is compatible with (see
    :mod:`sklearn_anon.metrics._matching` for how generalized values match: intervals cover the numbers they contain,
    sets their members, ``"*"`` anything, hierarchy nodes their leaves).  A
    released record compatible with exactly one auxiliary record is
    re-identified, rightly or wrongly.

    A realistic attacker knows the (public) generalization scheme.  Give the
    fitted anonymizer (``anonymizer=``) and the attack generalizes the
    auxiliary quasi-identifiers with it and joins on equal generalized
    values, which handles every label style (``"Middle"``, ``"<25k"``,
    ``"OTHER"``, ``"35-44"`` age bands of a birth date, ZIP3 prefixes).
    Without it, released labels the attack cannot read are handled as
    ``unread`` says, listed in ``uninterpreted_columns``, and a
    ``UserWarning`` says the rates are then a lower bound.

    Parameters
    ----------
    released : DataFrame
        The released (possibly anonymized) table.
    auxiliary : DataFrame
        The attacker's table: the ``on`` columns and the identity.
    on : str or list of str
        The quasi-identifiers present in both tables.
    identity : str or None, default=None
        Column of ``auxiliary`` holding the identity; None uses the index
        of ``auxiliary``.
    truth : str, array-like or None, default=None
        The true identity of each released record (a column of ``released``
        or an array aligned with its rows), to score the re-identifications.
        None when unknown.
    hierarchies : dict of {column: hierarchy} or None, default=None
        Generalization hierarchies (ARX-style tables, dicts, DataFrames or
        :class:`~sklearn_anon._hierarchy.Hierarchy`) so that released
        hierarchy nodes match the leaves under them.
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, callable or None, default=None
        The anonymizer that produced ``released`` (one of the package's
        fitted transformers, or a Pipeline / ColumnTransformer of them), or
        a function mapping a table to its generalized version.  When given,
        ``auxiliary`` is generalized with it (a ColumnTransformer fitted on
        more columns than ``auxiliary`` holds applies only its parts that
        read present columns) and records match on equal generalized
        values; ``hierarchies`` and ``unread`` are not used.  It must
        generalize deterministically (noise on a quasi-identifier does not
        match exactly).
    unread : {"auto", "ignore", "no_match"}, default="auto"
        Without ``anonymizer``: what a column holding labels the attack
        cannot read (a string that matches no auxiliary value and is not an
        interval, a set, ``"*"`` or a hierarchy node) does.  ``"ignore"``
        leaves the column out of the matching (uninformative: it constrains
        nothing, so the rates are a lower bound); ``"no_match"`` lets the
        unread values match nothing (records holding one are never
        linked); ``"auto"`` ignores such numeric and datetime columns (a
        string label there cannot be a raw value) and uses ``"no_match"``
        for categorical ones (an unread category may be a raw value absent
        from ``auxiliary``).  Either way the columns are reported.

    Returns
    -------
    result : dict
        ``n_released``, ``n_auxiliary``;
        ``unique_match_rate``: share of released records compatible with
        exactly one auxiliary record; ``no_match_rate``; ``mean_candidates``:
        average number of compatible auxiliary records;
        ``reidentification_rate``: share of released records matched to
        exactly one identity that is their true one (None without
        ``truth``); ``candidates``: Series of counts per released record;
        ``identities``: Series with the linked identity of uniquely matched
        records (missing elsewhere); ``uninterpreted_columns``: columns
        holding released labels the attack could not read (empty with
        ``anonymizer``); ``unread_share``: ``{column: share of released
        cells unread}``; ``ignored_columns``: the columns left out of the
        matching; ``lower_bound``: True when some column was not
        interpreted, so that the rates understate the risk.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import linkage_attack
    >>> released = pd.DataFrame({"age": ["[30, 40)", "[30, 40)", ">= 40"],
    ...                          "zip": ["75*", "75*", "751"]})
    >>> voters = pd.DataFrame({"name": ["Ann", "Bob", "Eve"],
    ...                        "age": [34, 38, 52], "zip": ["75*", "75*", "751"]})
    >>> res = linkage_attack(released, voters, ["age", "zip"], identity="name",
    ...                      truth=["Ann", "Bob", "Eve"])
    >>> res["unique_match_rate"], res["reidentification_rate"]
    (0.333..., 0.333...)
    >>> res["identities"].tolist()
    [nan, nan, 'Eve']

    Custom labels: the attacker generalizes his table with the public scheme.

    >>> from sklearn_anon import IntervalGeneralizer
    >>> raw = pd.DataFrame({"income": [12_000, 48_000, 51_000, 90_000]})
    >>> gen = IntervalGeneralizer(bins={"income": [0, 25_000, 60_000, 1e9]},
    ...                           labels={"income": ["low", "mid", "high"]}).fit(raw)
    >>> released = gen.transform(raw)
    >>> aux = raw.assign(name=["Ann", "Bob", "Cy", "Dee"])
    >>> linkage_attack(released, aux, "income", identity="name",
    ...                anonymizer=gen)["identities"].tolist()
    ['Ann', nan, nan, 'Dee']
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     blind = linkage_attack(released, aux, "income", identity="name")
    >>> blind["uninterpreted_columns"], blind["lower_bound"]
    (['income'], True)
    """
    on = _as_list(on)
    rel, on, _ = check_table(released, on, name="released")
    aux, _, _ = check_table(auxiliary, on, name="auxiliary")
    if identity is None:
        ids = aux.index  # identities are taken at the matched positions only (no object per row)
    else:
        if isinstance(identity, (list, tuple, np.ndarray)) or identity not in aux.columns:
            raise ValueError("identity must name one column of auxiliary (or be None).")
        if identity in on:
            raise ValueError("The identity column cannot also be a column matched on.")
        ids = aux[identity]
    if truth is not None:
        if isinstance(truth, str) and truth in rel.columns:
            truth_values = rel[truth].astype(object).to_numpy()
        else:
            truth_values = np.asarray(truth)
            if truth_values.dtype.kind not in "iub":  # numbers stay numbers (compared below)
                truth_values = np.asarray(truth, dtype=object)
            if truth_values.ndim != 1 or len(truth_values) != len(rel):
                raise ValueError(
                    "truth must be a column of released or hold one identity per "
                    f"released record ({len(rel)})."
                )
    counts, match, unread_share, ignored = match_records(
        rel, aux, on, hierarchies=hierarchies, anonymizer=anonymizer, unread=unread,
        return_unread=True,
    )
    _warn_unread(unread_share, ignored)
    unique = counts == 1
    linked = np.full(len(rel), np.nan, dtype=object)
    linked[unique] = np.asarray(ids.take(match[unique]), dtype=object)
    if truth is None:
        rate = None
    else:
        correct = np.zeros(len(rel), dtype=bool)
        correct[unique] = pd.Series(linked[unique]).to_numpy() == truth_values[unique]
        rate = float(correct.mean())
    return {
        "n_released": int(len(rel)),
        "n_auxiliary": int(len(aux)),
        "unique_match_rate": float(unique.mean()),
        "no_match_rate": float(np.mean(counts == 0)),
        "mean_candidates": float(counts.mean()),
        "reidentification_rate": rate,
        "candidates": pd.Series(counts, index=rel.index, name="candidates"),
        "identities": pd.Series(linked, index=rel.index, name="identity"),
        "uninterpreted_columns": [c for c in on if c in unread_share],
        "unread_share": dict(unread_share),
        "ignored_columns": list(ignored),
        "lower_bound": bool(unread_share),
    }


def homogeneity_attack(
    X: ArrayLike,
    quasi_identifiers: str | Sequence[str],
    sensitive: str,
) -> float:
    """Share of records whose sensitive value is disclosed by a homogeneous class.

    When every record of an equivalence class has the same sensitive value,
    anyone who places a person in that class learns the value, however large
    the class (the attack that motivates l-diversity).

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The released table.
    quasi_identifiers : str or list of str
        The quasi-identifier columns.
    sensitive : str
        The sensitive column (not a quasi-identifier).  Missing values count
        as a value of their own.

    Returns
    -------
    disclosed : float in [0, 1]
        Share of records in classes with a single sensitive value.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.metrics import homogeneity_attack
    >>> X = pd.DataFrame({"zip": ["750", "750", "751", "751"],
    ...                   "disease": ["flu", "flu", "flu", "cancer"]})
    >>> homogeneity_attack(X, ["zip"], "disease")
    0.5
    """
    if not isinstance(sensitive, str) and np.iterable(sensitive):
        raise ValueError("homogeneity_attack takes one sensitive column.")
    frame, qis, sens = check_table(X, quasi_identifiers, sensitive)
    codes, _ = class_codes(frame, qis)
    s_codes, _ = _text.factorize(frame[sens], use_na_sentinel=False)
    pairs = np.unique(codes * (int(s_codes.max()) + 1) + s_codes)
    distinct = np.bincount(pairs // (int(s_codes.max()) + 1), minlength=int(codes.max()) + 1)
    return float(np.mean(distinct[codes] == 1))


def _ranked(values):
    """Distinct values ranked by decreasing frequency (ties by text, deterministic)."""
    counts = pd.Series(values, dtype=object).value_counts(dropna=False)
    frame = _text.text_frame({"value": counts.index.to_numpy(dtype=object), "count": counts.to_numpy()})
    frame["text"] = _text.text_series(frame["value"])
    try:
        return frame.sort_values(["count", "text"], ascending=[False, True], kind="stable")
    except UnicodeError:  # text Arrow cannot hold (pandas re-infers it): sort by its rank
        rank = np.empty(len(frame), dtype=np.int64)
        rank[np.argsort(frame["text"].to_numpy(dtype=object), kind="stable")] = np.arange(len(frame))
        frame["text"] = rank
        return frame.sort_values(["count", "text"], ascending=[False, True], kind="stable")


def frequency_attack(
    pseudonyms: ArrayLike,
    reference: ArrayLike,
    *,
    truth: ArrayLike | None = None,
) -> dict[Any, Any]:
    """Undo deterministic pseudonyms by matching value frequencies.

    A deterministic pseudonym (a hash, a keyed HMAC, an encrypted value)
    replaces each value by the same token everywhere, so token frequencies
    are value frequencies: if 15% of the records say ``"Smith"`` and 15% of
    the tokens are ``"a91f..."``, the token is Smith.  The attacker ranks the
    tokens and the reference values by decreasing frequency and pairs them
    rank by rank.  Skewed low-cardinality columns fall; unique values
    (e-mails) survive, since all their frequencies tie.

    Parameters
    ----------
    pseudonyms : array-like of shape (n_samples,)
        The pseudonymized column as released.
    reference : array-like
        Values whose frequencies the attacker knows (the original column, a
        public sample of the same population).
    truth : array-like of shape (n_samples,) or None, default=None
        The original value behind each pseudonym, to score the attack.  None
        takes ``reference`` as the truth, row by row (it must then be aligned
        with ``pseudonyms``).

    Returns
    -------
    result : dict
        ``recovered``: share of records whose original value the attack
        guesses right; ``values_recovered``: share of distinct pseudonyms
        mapped to their true value (by majority of their records);
        ``n_pseudonyms``: distinct pseudonyms; ``guesses``: Series of the
        guessed value per record (missing when the reference has fewer
        distinct values than there are pseudonyms).

    Examples
    --------
    >>> from sklearn_anon.metrics import frequency_attack
    >>> original = ["Smith"] * 5 + ["Jones"] * 3 + ["Brown"] * 2
    >>> tokens = {"Smith": "a9", "Jones": "3c", "Brown": "f0"}
    >>> released = [tokens[v] for v in original]
    >>> frequency_attack(released, original)["recovered"]
    1.0
    """
    pseud = _as_1d(pseudonyms, "pseudonyms")
    ref = _as_1d(reference, "reference")
    if len(pseud) == 0 or len(ref) == 0:
        raise ValueError("pseudonyms and reference must not be empty.")
    if truth is None:
        if len(ref) != len(pseud):
            raise ValueError(
                "Without truth, reference is taken as the true value of each "
                f"pseudonym and must have the same length ({len(pseud)} "
                f"pseudonyms, {len(ref)} reference values)."
            )
        true = ref
    else:
        true = _as_1d(truth, "truth")
        if len(true) != len(pseud):
            raise ValueError("truth must hold one value per pseudonym.")
    p_rank = _ranked(pseud)
    r_rank = _ranked(ref)
    n = min(len(p_rank), len(r_rank))
    mapping = pd.Series(
        r_rank["value"].to_numpy()[:n], index=pd.Index(p_rank["value"].to_numpy()[:n], dtype=object),
        dtype=object,
    )
    codes, uniques = _text.factorize(pd.Series(pseud, dtype=object), use_na_sentinel=False)
    guess_of_unique = mapping.reindex(pd.Index(uniques, dtype=object)).to_numpy(dtype=object)
    guesses = guess_of_unique[codes]
    hit = _equal(guesses, true)
    per_value = np.bincount(codes, weights=hit, minlength=len(uniques)) / np.bincount(codes)
    try:
        guesses = pd.Series(guesses, name="guess")
    except UnicodeError:  # a guess Arrow cannot hold (a lone surrogate): kept as objects
        guesses = pd.Series(guesses, name="guess", dtype=object)
    return {
        "recovered": float(hit.mean()),
        "values_recovered": float(np.mean(per_value > 0.5)),
        "n_pseudonyms": int(len(uniques)),
        "guesses": guesses,
    }


def _as_1d(values, name):
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(f"{name} must be one column.")
        values = values.iloc[:, 0]
    arr = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, dtype=object)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional.")
    return arr


def _equal(a, b):
    """Element-wise equality of object arrays, missing values equal to each other."""
    a = pd.Series(a, dtype=object)
    b = pd.Series(b, dtype=object)
    same = (a == b).to_numpy(dtype=bool)
    return same | (a.isna() & b.isna()).to_numpy(dtype=bool)
