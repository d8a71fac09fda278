"""Keyed opaque column names: :class:`ColumnObfuscator`.

The sealed (encrypted) data dictionary is written and read by
:func:`sklearn_anon.cli.write_dictionary` and
:func:`sklearn_anon.cli.read_dictionary`: the hand-over encryption lives in
the command-line package, and no technique imports the CLI, so the estimator
only builds the dictionary (:meth:`ColumnObfuscator.data_dictionary`).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .._compat import Interval, _fit_context
from . import _patterns as P
from ._common import _FrameTransformer, _SecretParamsMixin
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Mapping
    from .._typing import ArrayLike, Self

#: domain-separation label of the hashed column names: an opaque name is never
#: the pseudonym a Pseudonymizer under the same key gives a cell value
_NAME_LABEL = "sklearn_anon/column-name/v1\x1f"

#: the ``format`` field of the data dictionary
DICTIONARY_FORMAT = "sklearn-anon/column-dictionary/v1"


def _labels_text(labels, limit=5):
    shown = ", ".join(repr(str(c)) for c in list(labels)[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


class ColumnObfuscator(_SecretParamsMixin, _FrameTransformer):
    """Rename columns to keyed opaque names (and optionally shuffle their order).

    Internal teams who build models on a table need its values, not what
    its columns mean.  Each column name is replaced by ``prefix`` followed
    by the first ``length`` hexadecimal digits of
    ``HMAC-SHA256(key, "sklearn_anon/column-name/v1\\x1f" + str(name))``
    (the keyed hashing of :class:`Pseudonymizer`, with a label of its own,
    so that an opaque name never equals the pseudonym of a cell value
    under the same key).  The names are deterministic under the key: next
    month's file, fitted with the same key, gets the same opaque name for
    every column it shares with this month's.  With ``permute=True`` the
    columns are also put in a keyed order (sorted by their opaque names),
    so that the position of a column tells nothing either.

    The values and the rows are left unchanged (same dtypes, same row
    order): combine with the anonymizers for the values.

    ``fit`` learns the mapping (``mapping_``) and refuses two columns that
    get the same opaque name (raise ``length``).  ``transform`` needs no key
    (the names were learnt in fit), and refuses a table whose columns are
    not those seen in fit, in the order seen in fit (the message counts and
    names the missing and unexpected columns: names, never values).  The fitted estimator holds the mapping
    back to the real names: it is the owner's object, like the sealed data
    dictionary (:meth:`data_dictionary`, written encrypted by
    :func:`sklearn_anon.cli.write_dictionary`); hand over the transformed
    data only.  :meth:`restore_names` maps results back.

    Parameters
    ----------
    key : bytes, str or "env:NAME"
        The secret key, as for :class:`Pseudonymizer`: ``"env:NAME"``
        stores only the reference and reads the variable in ``fit`` (a
        missing variable is a ValueError naming it); a literal key is
        hidden from ``repr`` but is pickled with the estimator.  Required:
        None raises in ``fit``, since a random key would give next month's
        file other names.
    prefix : str, default="c_"
        Start of every opaque name.
    length : int in [4, 64], default=12
        Hexadecimal digits of the keyed hash kept (12 digits: 48 bits).
    permute : bool, default=False
        Put the output columns in a keyed order (sorted by opaque name)
        instead of the input order.

    Attributes
    ----------
    mapping_ : dict of {column: str}
        Original column label -> opaque name, in input order.
    columns_out_ : list of str
        Opaque names in output order.
    order_ : ndarray of int
        Input position of each output column.
    key_fingerprint_ : str
        Keyed fingerprint of the key used at fit (see :class:`Pseudonymizer`),
        also written into the data dictionary.
    column_labels_ : list
        Column labels seen in fit.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    Pseudonymizer : keyed pseudonyms for the values of identifier columns.
    sklearn_anon.cli.write_dictionary : the sealed data dictionary.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import ColumnObfuscator
    >>> X = pd.DataFrame({"age": [34, 51], "income": [41_000.0, 72_500.0]})
    >>> obf = ColumnObfuscator(key=b"secret", length=8)
    >>> out = obf.fit_transform(X)
    >>> list(out.columns)
    ['c_0a20b8bd', 'c_0c709f34']
    >>> out["c_0a20b8bd"].tolist()
    [34, 51]
    >>> obf.restore_names(out).equals(X)
    True
    >>> obf
    ColumnObfuscator(key=b'<hidden>', length=8)
    """

    _parameter_constraints = {
        "key": [bytes, str, None],
        "prefix": [str],
        "length": [Interval(Integral, 4, 64, closed="both")],
        "permute": ["boolean"],
    }
    _secret_params = ("key",)

    def __init__(
        self,
        key: bytes | str | None = None,
        *,
        prefix: str = "c_",
        length: int = 12,
        permute: bool = False,
    ) -> None:
        self.key = key
        self.prefix = prefix
        self.length = length
        self.permute = permute

    def _opaque_names(self, labels, secret):
        texts = [_NAME_LABEL + str(c) for c in labels]
        digests = P.hash_chunk(texts, "hmac-sha256", secret, 1000, 32, "hex", self.length)
        return [self.prefix + d for d in digests]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Learn the opaque name of every column.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table (only its column names are used).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted obfuscator.
        """
        who = type(self).__name__
        self._frame(X, reset=True)
        secret = P.resolve_secret(self.key, what="key", who=who)
        labels = list(self.column_labels_)
        if len({str(c) for c in labels}) != len(labels):
            raise ValueError(
                f"{who}: two column labels have the same text (e.g. 1 and '1'); the opaque "
                "names are computed from the text of a label. Rename one of them."
            )
        names = self._opaque_names(labels, secret)
        if len(set(names)) != len(names):
            n = len(names) - len(set(names))
            raise ValueError(
                f"{who}: {n} opaque name(s) collide with another column's at length="
                f"{self.length}; raise `length`."
            )
        self.key_fingerprint_ = P.key_fingerprint(secret)
        self.mapping_ = dict(zip(labels, names))
        order = np.argsort(names, kind="stable") if self.permute else np.arange(len(names))
        self.order_ = np.asarray(order, dtype=np.intp)
        self.columns_out_ = [names[i] for i in self.order_]
        return self

    def _columns_problem(self, X):
        """What differs between a DataFrame's columns and those seen in fit (None: nothing)."""
        if not isinstance(X, pd.DataFrame) or not hasattr(self, "column_labels_"):
            return None
        fitted, got = list(self.column_labels_), list(X.columns)
        got_set, fitted_set = set(got), set(fitted)
        missing = [c for c in fitted if c not in got_set]
        unseen = [c for c in got if c not in fitted_set]
        parts = []
        if missing:
            parts.append(f"{len(missing)} column(s) seen in fit are missing ({_labels_text(missing)})")
        if unseen:
            parts.append(f"{len(unseen)} column(s) were not seen in fit ({_labels_text(unseen)})")
        if not parts:
            return None
        return (f"{type(self).__name__}: {'; '.join(parts)}. Pass the columns seen in fit, or "
                "refit (with the same key, shared columns keep their opaque names).")

    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """The same table with opaque column names (in keyed order with ``permute``).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            Values, dtypes and rows unchanged; columns renamed (and reordered).
        """
        check_is_fitted(self)
        try:
            frame, is_pandas = self._frame(X, reset=False)
        except ValueError as exc:
            problem = self._columns_problem(X)
            if problem is None:
                raise
            raise ValueError(f"{problem} {exc}") from None
        out = frame.iloc[:, self.order_].copy()
        out.columns = pd.Index(self.columns_out_, dtype=object)
        return self._output(out, is_pandas)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """The opaque names, in output order.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            The input names; when given, they must be ``feature_names_in_``
            (or, after an array, as many as the columns seen in fit).

        Returns
        -------
        feature_names_out : ndarray of str
            The opaque column names, in output order.
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features)
        return np.asarray(self.columns_out_, dtype=object)

    def inverse_mapping(self) -> dict[Any, Any]:
        """Opaque name -> original column label.

        Returns
        -------
        mapping : dict
            ``{opaque name: real name}``.
        """
        check_is_fitted(self)
        return {v: k for k, v in self.mapping_.items()}

    def restore_names(self, X: pd.DataFrame) -> pd.DataFrame:
        """Give a table (or a subset of its columns) back its original names.

        Parameters
        ----------
        X : DataFrame
            Columns with opaque names (all or some of them, in any order),
            e.g. the transformed table or results computed on it.

        Returns
        -------
        X_restored : DataFrame
            The original column labels, in their original relative order;
            values and rows unchanged.
        """
        check_is_fitted(self)
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"{type(self).__name__}.restore_names takes a DataFrame.")
        inverse = self.inverse_mapping()
        unknown = [c for c in X.columns if c not in inverse]
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: {len(unknown)} column(s) are not opaque names of this "
                f"estimator ({_labels_text(unknown)})."
            )
        position = {name: i for i, name in enumerate(self.mapping_.values())}
        cols = sorted(X.columns, key=position.__getitem__)
        out = X[cols].copy()
        out.columns = [inverse[c] for c in cols]
        return out

    def data_dictionary(self, descriptions: Mapping[Any, str] | None = None) -> dict[Any, Any]:
        """The data dictionary: each opaque name's original column (JSON-ready).

        Write it encrypted with :func:`sklearn_anon.cli.write_dictionary`.

        Parameters
        ----------
        descriptions : dict of {column: str} or None, default=None
            Optional text per original column.

        Returns
        -------
        dictionary : dict
            ``{"format", "key_fingerprint", "prefix", "length", "permute",
            "names": {opaque: original}, "descriptions": {opaque: text}}``;
            ``names`` in input order (original labels as text).
        """
        check_is_fitted(self)
        descriptions = dict(descriptions or {})
        unknown = [c for c in descriptions if c not in self.mapping_]
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: descriptions name {len(unknown)} column(s) not seen "
                f"in fit ({_labels_text(unknown)})."
            )
        return {
            "format": DICTIONARY_FORMAT,
            "key_fingerprint": self.key_fingerprint_,
            "prefix": self.prefix,
            "length": int(self.length),
            "permute": bool(self.permute),
            "names": {v: str(k) for k, v in self.mapping_.items()},
            "descriptions": {self.mapping_[k]: str(t) for k, t in descriptions.items()},
        }
