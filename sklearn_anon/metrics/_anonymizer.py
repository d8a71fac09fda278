"""Run a fitted anonymizer on a table the attacker (or the ruler) holds.

An attacker who knows the (public) generalization scheme generalizes his own
auxiliary table with it and joins on the generalized values; the loss
measures read the fitted bins to know what a custom label (``"Middle"``,
``"35-44"``, ``"OTHER"``) covers.  Both need the same two helpers:

* :func:`generalize_with` -- the generalized quasi-identifiers of a table,
  through a fitted transformer, :class:`~sklearn.pipeline.Pipeline`,
  :class:`~sklearn.compose.ColumnTransformer` or a plain callable;
* :func:`fitted_bins` -- the numeric bins behind the labels of the package's
  binning transformers found inside a fitted anonymizer.

:class:`Precomputed` stands for an anonymizer whose output on one table is
already known; :func:`released_anonymizer` (importable from
:mod:`sklearn_anon.metrics`, not in its ``__all__``) makes one for a caller
that has just released that output (the CLI).
"""

import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags

from .._frames import as_frame
from .._pipeline import children, column_names, leaves

__all__ = []


def _part_outputs(ct, name):
    """Output column names of part ``name`` of a fitted ColumnTransformer (None: unknown)."""
    try:
        return [str(c) for c in ct.get_feature_names_out()[ct.output_indices_[name]]]
    except Exception:  # noqa: BLE001 - names are a nicety: the part is then applied
        return None


def _by_parts(ct, table, columns, *, only_wanted=False):
    """Apply the parts of a ColumnTransformer that read only columns present in ``table``.

    With ``only_wanted``, parts none of whose outputs is in ``columns`` are
    skipped too (a pseudonymized e-mail is not a quasi-identifier: hashing
    millions of them again would only cost time).
    """
    wanted = {str(c) for c in columns}
    pieces = []
    for name, trans, cols in children(ct):
        if isinstance(trans, str) and trans == "drop":
            continue
        if only_wanted:
            outputs = _part_outputs(ct, name)
            if outputs is not None and not any(
                    o in wanted or any(o.endswith(f"__{w}") for w in wanted) for o in outputs):
                continue
        inputs = column_names(ct, cols)
        if not inputs or any(c not in table.columns for c in inputs):
            continue
        part = table[inputs]
        if isinstance(trans, str):  # passthrough
            pieces.append(part)
            continue
        out = as_frame(trans.transform(part), trans, table.index, dtype=object)
        pieces.append(out)
    if not pieces:
        return None
    frame = pd.concat(pieces, axis=1)
    return frame.loc[:, ~frame.columns.duplicated()]


def _column(frame, col):
    """Column ``col`` of an anonymizer's output (also found as ``prefix__col``)."""
    if col in frame.columns:
        return frame[col]
    suffix = f"__{col}"
    hits = [c for c in frame.columns if str(c).endswith(suffix)]
    if len(hits) == 1:
        return frame[hits[0]]
    raise ValueError(f"The anonymizer's output has no column {col!r}.")


def generalize_with(anonymizer, table, columns, *, name="auxiliary", as_objects=True):
    """The ``columns`` of ``table`` as the fitted ``anonymizer`` releases them.

    Parameters
    ----------
    anonymizer : fitted transformer, Pipeline, ColumnTransformer, or callable
        Something with ``transform`` (fitted), or a function taking the
        table and returning the generalized table (DataFrame).
    table : DataFrame
        The table to generalize (an attacker's auxiliary table, the original).
    columns : list
        The columns wanted (the quasi-identifiers).
    name : str, default="auxiliary"
        How the table is called in error messages.
    as_objects : bool, default=True
        Hand categorical and string columns over as object columns (the
        values as released, one Python object per row).  False keeps their
        dtype (categorical codes, Arrow strings: no Python object per row),
        for callers that only factorize them (the exact linkage join).

    Returns
    -------
    generalized : DataFrame
        The generalized ``columns``, same rows and index as ``table``.

    Notes
    -----
    When the anonymizer was fitted on columns ``table`` does not hold (an
    auxiliary table with the quasi-identifiers only), a ColumnTransformer
    applies just its parts that read present columns; any other anonymizer
    receives the missing columns as missing values.  A ColumnTransformer
    applies only the parts that release one of ``columns`` (the others'
    work, e.g. hashing identifiers, is skipped).  The transform must
    generalize deterministically for the exact join of the linkage attack
    to hold (generalization, Mondrian routing, grouping, suppression of
    unseen values do; noise does not).
    """
    if hasattr(anonymizer, "transform"):
        needed = getattr(anonymizer, "feature_names_in_", None)
        out = None
        if needed is not None:
            needed = list(needed)
            if any(c not in table.columns for c in needed):
                if hasattr(anonymizer, "transformers_"):
                    try:
                        out = _by_parts(anonymizer, table, columns)
                    except Exception:  # noqa: BLE001 - fall back on the whole transform
                        out = None
                if out is None:
                    frame = table.reindex(columns=needed)
                else:
                    frame = None
            else:
                frame = table[needed]
                if hasattr(anonymizer, "transformers_"):  # only the parts releasing `columns`
                    try:
                        out = _by_parts(anonymizer, table, columns, only_wanted=True)
                    except Exception:  # noqa: BLE001 - fall back on the whole transform
                        out = None
                    if out is not None and any(c not in out.columns and not any(
                            str(o).endswith(f"__{c}") for o in out.columns) for c in columns):
                        out = None
        else:
            frame = table
        if out is None:
            try:
                out = anonymizer.transform(frame)
            except Exception as exc:  # the message may quote a cell: name the type only
                raise ValueError(
                    f"The anonymizer could not transform the {name} table "
                    f"({type(exc).__name__}); give it every column the anonymizer "
                    "was fitted with, or pass a callable."
                ) from None
        out = as_frame(out, anonymizer, table.index, dtype=object)
    elif callable(anonymizer):
        out = anonymizer(table)
        if not isinstance(out, pd.DataFrame):
            raise TypeError("An anonymizer given as a callable must return a DataFrame.")
    else:
        raise TypeError(
            "anonymizer must be a fitted transformer (with transform), a Pipeline, "
            "a ColumnTransformer, or a callable returning a DataFrame."
        )
    if len(out) != len(table):
        raise ValueError(f"The anonymizer changed the number of rows of the {name} table.")
    data = {}
    for c in columns:  # each column converted once (two copies of a text column are costly)
        col = _column(out, c)
        if not as_objects and (isinstance(col.dtype, pd.CategoricalDtype)
                               or (pd.api.types.is_string_dtype(col.dtype)
                                   and not pd.api.types.is_object_dtype(col.dtype))):
            data[c] = col.array  # dtype kept: no Python object per row
        elif isinstance(col.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(col.dtype):
            data[c] = col.astype(object).to_numpy()  # categorical / string values as released
        else:
            data[c] = col.to_numpy()
    return pd.DataFrame(data, index=table.index)


class Precomputed:
    """An anonymizer whose output on one table is already known (computed once, reused).

    Calling it returns ``output`` (for the table it was computed on);
    :func:`fitted_bins` looks through it at ``estimator``.
    """

    def __init__(self, estimator, output):
        self.estimator = estimator
        self.output = output

    def __call__(self, table):
        if len(table) != len(self.output):
            raise ValueError("Precomputed output does not match the table.")
        return self.output.set_axis(table.index)


def fitted_bins(anonymizer):
    """Numeric bins behind the labels of the binning transformers inside ``anonymizer``.

    Read through each fitted step's ``label_bounds()`` method (the binning
    generalizers define it; no fitted state is unpacked here).

    Returns
    -------
    bins : dict of {column: dict of {label: (lo, hi)}}
        ``lo``/``hi`` in the column's units: the value for an
        :class:`~sklearn_anon.IntervalGeneralizer`, nanoseconds since the
        epoch for a :class:`~sklearn_anon.DateGeneralizer` with
        ``unit="age"`` (an age band ``[a, b)`` is the birth dates between
        ``reference - b`` and ``reference - a`` years).  Bounds may be
        infinite.
    """
    out = {}
    while isinstance(anonymizer, Precomputed):  # a report may wrap a precomputed output again
        anonymizer = anonymizer.estimator
    if anonymizer is None or not hasattr(anonymizer, "transform"):
        return out
    for _, est in leaves(anonymizer):
        bounds = getattr(est, "label_bounds", None)
        if callable(bounds):
            try:
                out.update(bounds())
            except NotFittedError:
                continue
    return out


def released_anonymizer(pipeline, anonymized, qis):
    """The anonymizer to give :class:`PrivacyReport` when its output is already at hand.

    Extension point for a caller that has just released ``anonymized =
    pipeline.transform(original)`` (the CLI) and measures the release with
    ``PrivacyReport(original, anonymized, ..., anonymizer=...)``: pass
    ``anonymizer=released_anonymizer(pipeline, anonymized, qis)``.

    The report's linkage attack generalizes the raw quasi-identifiers with the
    fitted pipeline.  ``anonymized`` is that pipeline's output on the same
    rows, so when every part releasing a quasi-identifier is deterministic
    (no noise: scikit-learn's ``non_deterministic`` tag) the generalized
    table is ``anonymized[qis]`` and need not be computed again (seconds and
    a copy of the table on millions of rows).  Otherwise the pipeline itself
    is returned and the report transforms the table.

    Parameters
    ----------
    pipeline : fitted ColumnTransformer (or any fitted anonymizer)
    anonymized : pandas.DataFrame
        ``pipeline``'s output on the original table, row for row.
    qis : list of str
        The quasi-identifiers the report measures.

    Returns
    -------
    anonymizer : Precomputed or the pipeline
        A :class:`Precomputed` wrapper around ``anonymized[qis]`` when that
        is what the pipeline computes for the original table, else
        ``pipeline``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.compose import ColumnTransformer
    >>> from sklearn_anon import IntervalGeneralizer, LaplaceNoise
    >>> from sklearn_anon.metrics import released_anonymizer
    >>> df = pd.DataFrame({"age": [23.0, 37.0, 41.0, 58.0]})
    >>> ct = ColumnTransformer([("age", IntervalGeneralizer(bins=[0, 40, 100]), ["age"])],
    ...                        verbose_feature_names_out=False).set_output(transform="pandas")
    >>> out = ct.fit_transform(df)
    >>> type(released_anonymizer(ct, out, ["age"])).__name__
    'Precomputed'
    >>> noisy = ColumnTransformer([("age", LaplaceNoise(bounds=(0, 100), random_state=0), ["age"])],
    ...                           verbose_feature_names_out=False).set_output(transform="pandas")
    >>> out = noisy.fit_transform(df)
    >>> released_anonymizer(noisy, out, ["age"]) is noisy
    True
    """
    parts = getattr(pipeline, "transformers_", None)
    if not isinstance(parts, list) or any(q not in anonymized.columns for q in qis):
        return pipeline
    wanted = set(map(str, qis))
    for name, trans, _ in parts:
        if isinstance(trans, str):
            continue  # passthrough / drop
        outputs = _part_outputs(pipeline, name)
        if outputs is None:
            return pipeline
        if not wanted.intersection(outputs):
            continue
        for _, est in leaves(trans):
            try:
                if get_tags(est).non_deterministic:
                    return pipeline
            except Exception:  # noqa: BLE001 - not an estimator scikit-learn can read
                return pipeline
    return Precomputed(pipeline, anonymized[list(qis)])
