"""Shared column handling for the column-wise anonymizers.

:class:`ColumnAnonymizer` is the base of every transformer that anonymizes a
table column by column (the generalizers, the noise mechanisms, the
pseudonymizer).  It takes care of what every such transformer must do the
same way:

* DataFrame or ndarray in, the same kind out (a DataFrame whenever
  ``set_output(transform="pandas")`` is configured), rows kept in count and
  order, the index kept;
* ``n_features_in_`` / ``feature_names_in_`` recorded in ``fit`` and checked
  in ``transform``; ``get_feature_names_out``; ``set_output``;
* strings, categoricals, datetimes and NaN accepted (no blanket cast to
  float or object);
* an optional ``columns`` parameter: the columns to anonymize, the others
  pass through unchanged (deliberately, because the caller said so);
* errors that name the column and the problem, never a cell value.

A subclass implements two methods, and may override a few hooks; ``fit``
and ``transform`` themselves stay in the base class:

* ``_fit_column(column, name)`` returns the learnt state of one column;
* ``_transform_column(column, name, state, rng)`` returns the anonymized
  column as a :class:`pandas.Series` of the same length (``rng`` is the
  generator of this ``transform`` call, None for anonymizers that draw no
  randomness);
* ``_check_params(X)`` validates what depends on the data, before any
  column is fitted;
* ``_fit_columns(frame)`` fits every selected column (``_fit_column`` in
  turn); override it when the columns share something (one generator, a
  budget split over them, one warning about all of them);
* ``_after_fit(frame, states)`` stores the ``{column: state}`` dictionary
  under the estimator's public name (``self.bins_ = states``) and does the
  work that follows the fit (a privacy spend); by default ``states_``;
* ``_fitted_states()`` returns that dictionary for ``transform`` (by
  default ``states_``);
* ``_call_generator()`` returns the generator of one ``transform`` call
  (None by default), created once per call and passed to every
  ``_transform_column``.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._compat import _fit_context, get_output_config, validate_data
from ._fit_record import pickled_state, record_fit_output
from ._random import make_rng  # noqa: F401  (the one generator factory, re-exported)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Sequence
    from ._typing import ArrayLike, Self

__all__ = ["SUPPRESSED", "ColumnAnonymizer", "UnusedColumnParameterWarning"]

#: the documentation site; ``{version}`` is ``latest`` for a development
#: version (``.dev``) and ``stable`` for a release.  An estimator's API page is
#: ``api/generated/<family>.<Name>.html`` (doc/api/index.rst documents each
#: public name under the family face that exports it).
DOC_URL = "https://sklearn-anon.readthedocs.io/en/{version}/"


def _doc_version(version):
    return "latest" if "dev" in version else "stable"

#: Marker written in place of a suppressed categorical/string value.
#: Suppressed numeric values become NaN.
SUPPRESSED = "*"


def _column_label(name):
    """How a column is named in messages: its name, or its position."""
    return f"column {name!r}"


@contextmanager
def values_hidden(name, problem):
    """Re-raise a ValueError/TypeError from pandas/numpy without its message.

    pandas puts the offending cell value in many of its messages
    (``Unknown datetime string format, unable to parse: <value>``); those
    messages end up in logs.  Inside this context such an error is replaced
    by one that names the column and the problem only.
    """
    try:
        yield
    except (ValueError, TypeError, OverflowError) as exc:
        kind = ValueError if isinstance(exc, (ValueError, OverflowError)) else TypeError
        raise kind(f"{_column_label(name)}: {problem}") from None


class UnusedColumnParameterWarning(UserWarning):
    """A per-column parameter dict names columns the estimator did not see.

    Per-column parameters (``bins``, ``labels``, ``lower``, ``upper``,
    ``bounds``, ``epsilon``, ``categories``, ``levels``, ``kind`` ...) may
    be given as ``{column: value}``; a column without an entry gets the
    default (learnt bins, bounds from the data ...).  A misspelt key
    (``{"incmoe": ...}``) would therefore silently leave the real column
    on the default.

    The rule, checked once per ``fit`` for every such dict: warn when
    **both**

    * some key matches none of the input columns of this ``fit`` (its
      column names; ``x0, x1, ...`` for an ndarray), and
    * some column the estimator anonymizes has no entry in the dict.

    So a dict shared by several ``ColumnTransformer`` branches (each branch
    sees only its own columns, the other keys match nothing there) stays
    silent as long as every column of the branch has its entry, while a
    typo that leaves a column on the default warns.  A branch that
    deliberately leaves one of its columns on the default while sharing a
    dict with other branches also warns: give that branch its own dict, or
    filter this warning class.  One warning per ``fit`` names each
    parameter concerned, its unmatched keys and the columns left on the
    default (column names only, never values).

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from sklearn_anon import IntervalGeneralizer, UnusedColumnParameterWarning
    >>> X = pd.DataFrame({"age": [23, 45, 67]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = IntervalGeneralizer(bins={"agee": [0, 50, 100]}, n_bins=2).fit(X)
    >>> [w.category.__name__ for w in caught]
    ['UnusedColumnParameterWarning']
    """


def per_column(param, name, default=None):
    """A parameter given once for every column, or per column as ``{column: value}``.

    The one reading of per-column parameters (``bins``, ``bounds``,
    ``epsilon``, ``levels`` ...): a dict is looked up by the column's name
    (``default`` when it has no entry), anything else applies to every
    column.  Keys that name no input column are reported by
    :meth:`ColumnAnonymizer.fit` (:class:`UnusedColumnParameterWarning`).
    """
    if isinstance(param, dict):
        return param.get(name, default)
    return param


def warn_unused_column_keys(estimator, params, input_columns, used_columns, *, stacklevel=3):
    """Warn (:class:`UnusedColumnParameterWarning`) about per-column dicts with stray keys.

    ``params`` names the parameters of ``estimator`` that may be
    ``{column: value}`` dicts; ``input_columns`` are the columns ``fit``
    saw and ``used_columns`` those it anonymizes.  See the warning class
    for the rule.  One warning at most per call.
    """
    seen = set(input_columns)
    problems = []
    for param in params:
        value = getattr(estimator, param, None)
        if not isinstance(value, dict) or not value:
            continue
        unmatched = [key for key in value if key not in seen]
        if not unmatched:
            continue
        defaulted = [col for col in used_columns if col not in value]
        if defaulted:
            problems.append(
                f"{param}: key(s) {', '.join(map(repr, unmatched))} match no input "
                f"column, and column(s) {', '.join(map(repr, defaulted))} have no entry"
            )
    if problems:
        warnings.warn(
            f"{type(estimator).__name__}: {'; '.join(problems)}. Those columns get the "
            "default; check the keys for a typo.",
            UnusedColumnParameterWarning,
            stacklevel=stacklevel,
        )


def check_frame(X, *, name="X"):
    """Return ``(frame, is_pandas)`` for a 2D DataFrame/ndarray/list input.

    ndarray columns are named ``x0, x1, ...`` like scikit-learn's
    ``get_feature_names_out`` does for arrays without names.
    """
    if isinstance(X, pd.Series):
        raise ValueError(
            f"Expected 2D input for {name}, got a pandas Series; use "
            "series.to_frame() for a single column."
        )
    if isinstance(X, pd.DataFrame):
        frame, is_pandas = X, True
    else:
        if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
            raise TypeError(
                "Sparse input is not supported by anonymizers: pass a dense "
                "array or a DataFrame."
            )
        if hasattr(X, "to_pandas") and not isinstance(X, np.ndarray):
            # polars and other dataframe libraries that can convert
            frame, is_pandas = X.to_pandas(), True
        else:
            arr = np.asarray(X)
            if arr.ndim != 2:
                raise ValueError(
                    f"Expected 2D array for {name}, got an array with "
                    f"{arr.ndim} dimension(s). Reshape your data either using "
                    "array.reshape(-1, 1) if your data has a single feature or "
                    "array.reshape(1, -1) if it contains a single sample."
                )
            frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
            if arr.dtype == object:
                frame = frame.infer_objects()
            is_pandas = False
    if not frame.columns.is_unique:
        dup = frame.columns[frame.columns.duplicated()].unique()
        raise ValueError(
            f"{name} has duplicated column names: "
            f"{', '.join(_column_label(c) for c in dup)}. Each column must have its own "
            "name (a duplicated name could let one of the two columns escape its rule)."
        )
    for col, dtype in frame.dtypes.items():
        if pd.api.types.is_complex_dtype(dtype):
            raise ValueError(
                f"Complex data not supported ({_column_label(col)})."
            )
    return frame, is_pandas


def _default_labels(n):
    return [f"x{i}" for i in range(n)]


def validate_frame(estimator, X, *, reset):
    """The one input check of every anonymizer: ``(frame, is_pandas)``.

    In ``fit`` (``reset=True``) it records ``n_features_in_`` and, for a
    DataFrame with string column names, ``feature_names_in_`` (scikit-learn's
    ``validate_data``), and the labels the fitted state is keyed by in
    ``column_labels_``: the DataFrame's own column labels, whatever their
    type (strings, ints as from ``pd.read_csv(header=None)``, tuples, a
    MultiIndex), or ``x0, x1, ...`` for an array.

    In ``transform`` (``reset=False``) the returned frame carries exactly
    the fitted labels, so every anonymized column finds its fitted state:

    * a DataFrame with string names is reordered by ``feature_names_in_``
      (``validate_data`` has checked that the names match);
    * a DataFrame with other labels must carry the fitted labels in the
      fitted order when it was fitted on such a DataFrame, else a
      ``ValueError`` names the difference (no column is ever matched to
      another column's state, and none passes through unanonymized);
    * an array, or a DataFrame given to an estimator fitted on an array (or
      the reverse, where scikit-learn only warns), is aligned by position.
    """
    frame, is_pandas = check_frame(X)
    validate_data(estimator, frame if is_pandas else frame.to_numpy(), skip_check_array=True, reset=reset)
    if reset:
        if frame.shape[0] < 1:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={frame.shape}) while a "
                "minimum of 1 is required."
            )
        if frame.shape[1] < 1:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={frame.shape}) while a "
                "minimum of 1 is required."
            )
        estimator.column_labels_ = list(frame.columns)
        return frame, is_pandas
    fitted_names = getattr(estimator, "feature_names_in_", None)
    if fitted_names is not None and is_pandas:
        return frame[list(fitted_names)], is_pandas
    labels = getattr(estimator, "column_labels_", None)
    if labels is None:  # fitted by a release without column_labels_
        labels = list(fitted_names) if fitted_names is not None else _default_labels(frame.shape[1])
    labels = list(labels)
    if list(frame.columns) == labels:
        return frame, is_pandas
    fitted_on_labels = fitted_names is None and labels != _default_labels(len(labels))
    if is_pandas and fitted_on_labels and not _all_strings(frame.columns):
        raise ValueError(
            "The column labels differ from those seen in fit (fitted on "
            f"{len(labels)} columns labelled {_labels_text(labels)}; got "
            f"{_labels_text(frame.columns)}). Pass the same columns in the same order."
        )
    return frame.set_axis(pd.Index(labels, tupleize_cols=False) if _any_tuple(labels)
                          else labels, axis=1), is_pandas


def _all_strings(labels):
    return all(isinstance(c, str) for c in labels)


def _any_tuple(labels):
    return any(isinstance(c, tuple) for c in labels)


def _labels_text(labels, limit=5):
    labels = list(labels)
    shown = ", ".join(repr(c) for c in labels[:limit])
    return f"[{shown}{', ...' if len(labels) > limit else ''}]"


def is_numeric(series):
    """True for numeric (not boolean) columns."""
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )


def require_numeric(series, name, who):
    """Raise a TypeError naming the column if it is not numeric."""
    if not is_numeric(series):
        raise TypeError(
            f"{who} needs a numeric {_column_label(name)}, got dtype "
            f"{series.dtype}."
        )


class DocLinkMixin:
    """Link an estimator's HTML diagram (in a notebook) to its API page.

    scikit-learn (>= 1.6) draws the "?" of an estimator's diagram as a link
    made from ``_doc_link_template``, for classes whose module is under
    ``_doc_link_module``; ``{estimator_module}`` is the module path up to its
    first private part (``sklearn_anon.generalize`` for
    ``sklearn_anon.generalize._interval``), the family face the API
    reference documents the class under.  Every estimator base class of the
    package (:class:`ColumnAnonymizer`, the frame-wise transformers, the DP
    estimators) puts this mixin before ``BaseEstimator``.

    Examples
    --------
    >>> from sklearn_anon import IntervalGeneralizer
    >>> IntervalGeneralizer()._get_doc_link()  # doctest: +ELLIPSIS
    'https://sklearn-anon.readthedocs.io/en/.../api/generated/sklearn_anon.generalize.IntervalGeneralizer.html'
    """

    _doc_link_module = "sklearn_anon"

    # a property, as in scikit-learn's mixin (and skrub's base transformer), so
    # that a template set on an instance still wins
    @property
    def _doc_link_template(self):
        from . import __version__

        return getattr(self, "__doc_link_template",
                       DOC_URL.format(version=_doc_version(__version__))
                       + "api/generated/{estimator_module}.{estimator_name}.html")

    @_doc_link_template.setter
    def _doc_link_template(self, value):
        setattr(self, "__doc_link_template", value)


class ColumnAnonymizer(DocLinkMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Base class for column-wise anonymizers (not meant to be used directly).

    Subclasses define ``_fit_column`` and ``_transform_column``; a subclass
    that keeps its fitted ``{column: state}`` dictionary under another name
    than ``states_`` assigns it in ``_after_fit`` and returns it from
    ``_fitted_states`` (see the module docstring for every hook).  The
    ``columns`` parameter (when a subclass exposes it) selects the columns
    to anonymize; by default every column is anonymized.

    See Also
    --------
    DocLinkMixin : Links the estimator's HTML diagram to its API page.
    sklearn_anon.generalize.IntervalGeneralizer : An anonymizer built on this base.

    Examples
    --------
    A transformer that suppresses every value of the selected columns:

    >>> import pandas as pd
    >>> from sklearn_anon.base import SUPPRESSED, ColumnAnonymizer
    >>> class Suppressor(ColumnAnonymizer):
    ...     def _fit_column(self, column, name):
    ...         return None
    ...     def _transform_column(self, column, name, state, rng):
    ...         return pd.Series(SUPPRESSED, index=column.index, name=name, dtype=object)
    >>> Suppressor().fit_transform(pd.DataFrame({"ssn": ["078-05-1120", "219-09-9999"]}))
      ssn
    0   *
    1   *
    """

    #: subclasses list their parameters here (an empty default lets a
    #: minimal subclass use the inherited ``fit``)
    _parameter_constraints: dict = {}

    #: names of the parameters that may be ``{column: value}`` dicts, whose
    #: keys ``fit`` checks against the input columns
    #: (:class:`UnusedColumnParameterWarning`).  None: every parameter whose
    #: ``_parameter_constraints`` admit a dict.
    _per_column_params: Sequence[str] | None = None

    # -- hooks -------------------------------------------------------------
    def _check_params(self, X):
        """Validate parameters that depend on the data.

        Called by ``fit`` after the input checks, before the columns are
        resolved and fitted; ``X`` is the validated DataFrame.
        """

    def _fit_column(self, column, name):  # pragma: no cover - abstract
        """The learnt state of one column (any picklable value)."""
        raise NotImplementedError

    def _fit_columns(self, frame):
        """``{column: state}`` for every column in ``columns_``.

        Calls ``_fit_column`` on each in turn.  Override it when the
        columns share something during the fit (one generator, a budget
        split over them, one warning naming all of them), and keep such
        per-fit values local to it rather than on ``self``.
        """
        states = {}
        for name in self.columns_:
            states[name] = self._fit_column(frame[name], name)
        return states

    def _after_fit(self, frame, states):
        """Store the fitted ``{column: state}`` dictionary; the last step of ``fit``.

        The default stores it in ``states_``.  A subclass that exposes it
        under another public name assigns it here (``self.bins_ = states``),
        returns it from :meth:`_fitted_states`, and does here whatever must
        follow a successful fit (a privacy spend).
        """
        self.states_ = states

    def _fitted_states(self):
        """The ``{column: state}`` dictionary ``transform`` applies (``states_`` by default)."""
        return self.states_

    def _call_generator(self):
        """The random generator of one ``transform`` call, or None.

        ``transform`` calls it once per call and passes the result to every
        ``_transform_column``.  None (the default): the anonymizer draws no
        randomness.
        """
        return None

    def _transform_column(self, column, name, state, rng):  # pragma: no cover
        """The anonymized column (a Series of the same length).

        ``rng`` is this call's generator (:meth:`_call_generator`), None
        for an anonymizer that draws no randomness.
        """
        raise NotImplementedError

    # -- shared machinery --------------------------------------------------
    def _validate_frame(self, X, *, reset):
        """Record/check feature names and counts; return ``(frame, is_pandas)``."""
        return validate_frame(self, X, reset=reset)

    def _check_column_keys(self, input_columns):
        """Warn about per-column dict keys that match no input column (see
        :class:`UnusedColumnParameterWarning`); needs ``columns_``."""
        params = self._per_column_params
        if params is None:
            params = [name for name, rules in self._parameter_constraints.items() if dict in rules]
        warn_unused_column_keys(self, params, input_columns, self.columns_, stacklevel=5)

    def _requested_columns(self):
        """The columns asked for (names/positions), None for all (hook)."""
        return getattr(self, "columns", None)

    def resolve_columns(self, frame: pd.DataFrame) -> list[Any]:
        """The names of the columns of ``frame`` this estimator anonymizes.

        The ``columns`` parameter (names or positions) resolved against
        ``frame``'s columns, every column when it is None.  An extension
        point for engines that fit on another frame type (the Dask engine
        resolves against a Dask frame's empty pandas schema).

        Parameters
        ----------
        frame : DataFrame
            A frame (rows are not read) with the input columns.

        Returns
        -------
        columns : list
            Column labels, in the order of ``columns`` (or of ``frame``).
        """
        return self._resolve_columns(frame)

    def _resolve_columns(self, frame):
        """The list of column names this estimator anonymizes."""
        columns = self._requested_columns()
        if columns is None:
            return list(frame.columns)
        if isinstance(columns, (str, int, np.integer)):
            columns = [columns]
        resolved = []
        for col in columns:
            if isinstance(col, (int, np.integer)) and col not in frame.columns:
                if not -frame.shape[1] <= col < frame.shape[1]:
                    raise ValueError(
                        f"Column position {col} is out of range for input with "
                        f"{frame.shape[1]} columns."
                    )
                col = frame.columns[col]
            if col not in frame.columns:
                raise ValueError(f"Unknown column {col!r}: not in the input.")
            resolved.append(col)
        if len(set(resolved)) != len(resolved):
            raise ValueError("The same column is named twice in `columns`.")
        return resolved

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Learn the per-column state from ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        frame, _ = self._validate_frame(X, reset=True)
        self._check_params(frame)
        self.columns_ = self._resolve_columns(frame)
        self._check_column_keys(frame.columns)
        states = self._fit_columns(frame)
        self._after_fit(frame, states)
        return self

    def fit_transform(
        self,
        X: ArrayLike,
        y: ArrayLike | None = None,
        **fit_params: Any,
    ) -> pd.DataFrame | np.ndarray:
        """Fit to ``X``, then anonymize it.

        The output is also remembered (by reference, in this process) as
        this step's release, which
        :func:`~sklearn_anon.metrics.make_privacy_scorer` measures; a
        pickled copy carries only its class-size histogram (see
        :meth:`__getstate__`).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data.
        y : None
            Ignored.
        **fit_params : dict
            Passed to ``fit``.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            As :meth:`transform`.
        """
        out = super().fit_transform(X, y, **fit_params)
        record_fit_output(self, X, out)
        return out

    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Anonymize ``X`` with the fitted state.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data, with the columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            A DataFrame when ``X`` is one (or when pandas output is
            configured), else an ndarray.  Same rows, same order.
        """
        check_is_fitted(self)
        rng = self._call_generator()  # one per call, passed to every column
        input_columns = X.columns if isinstance(X, pd.DataFrame) else None
        frame, is_pandas = self._validate_frame(X, reset=False)
        states = self._fitted_states()
        out = {}
        for name in frame.columns:
            if name in states:
                col = self._transform_column(frame[name], name, states[name], rng)
                col.index = frame.index
                out[name] = col
            else:
                out[name] = frame[name]
        result = pd.DataFrame(dict(enumerate(out.values())), index=frame.index)
        if not is_pandas:
            result.columns = self.get_feature_names_out()
        elif not hasattr(self, "feature_names_in_") and input_columns is not None:
            result.columns = input_columns  # the caller's labels (ints, tuples, a MultiIndex)
        else:
            result.columns = frame.columns
        return self._output(result, is_pandas)

    def _output(self, result, is_pandas):
        """Return ``result`` as the caller's container kind."""
        return output_container(self, result, is_pandas)

    def __getstate__(self):
        """The pickled state, with the fit token and the release summary.

        When this process recorded the estimator's ``fit_transform``, the
        state also carries ``_fit_token`` (the random id of that fit) and
        ``_release_summary`` (the equivalence-class size histogram of its
        output, no values: what the class-size privacy scorers need, so a
        copy scored in another process, e.g. under joblib's Dask backend,
        measures the release it made).  Estimators with an ``epsilon``
        parameter get no summary, and nothing is added inside
        ``sklearn_anon._fit_record.paused()``.  The live estimator is not
        changed.

        Returns
        -------
        state : dict
            The instance's state.
        """
        return pickled_state(self, super().__getstate__())

    def __sklearn_tags__(self):
        return anonymizer_tags(super().__sklearn_tags__())


def anonymizer_tags(tags):
    """The tags every anonymizer shares: strings, categories and NaN accepted,
    output dtype not the input's (labels, pseudonyms, noisy floats)."""
    tags.input_tags.string = True
    tags.input_tags.categorical = True
    tags.input_tags.allow_nan = True
    tags.transformer_tags.preserves_dtype = []
    return tags


def output_container(estimator, result, is_pandas):
    """``result`` (a DataFrame) as the caller's container kind.

    A DataFrame when the input was one or when ``estimator`` has a
    ``set_output`` container configured, else an ndarray
    (:func:`frame_to_array`).
    """
    if is_pandas or get_output_config("transform", estimator)["dense"] != "default":
        return result
    return frame_to_array(result)


def frame_to_array(frame):
    """DataFrame to ndarray: float when every column is numeric, object otherwise."""
    if all(is_numeric(frame[c]) for c in frame.columns):
        return frame.to_numpy(dtype=np.float64, na_value=np.nan)
    arr = np.empty(frame.shape, dtype=object)
    for j, col in enumerate(frame.columns):
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s.dtype):
            arr[:, j] = s.astype(object).to_numpy()
        else:
            arr[:, j] = s.to_numpy()
    return arr
