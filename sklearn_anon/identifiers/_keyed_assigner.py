"""A keyed, reproducible choice per id: :class:`KeyedAssigner`."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._compat import StrOptions, _fit_context, dp_check_random_state
from .._text import encode_text
from . import _patterns as P
from ._common import _factorize_strings, _FrameTransformer, _norm_mode, _SecretParamsMixin
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Sequence
    from .._typing import ArrayLike, Self


class KeyedAssigner(_SecretParamsMixin, _FrameTransformer):
    """Assign each row one of ``choices`` from a keyed hash of its id.

    The id (the input columns, usually one: a customer id or email) is
    normalized like :class:`Pseudonymizer` does, hashed with HMAC-SHA256,
    and the first 64 bits of the hash give a uniform number in [0, 1) that
    picks a choice (uniformly, or by ``weights``).  So the same id always
    gets the same choice under the same key (in any table, in any run) and
    the owner can recompute the assignment; without the key the choice is
    unpredictable.  Without ``key``, ``fit`` draws a random 256-bit salt
    from ``random_state`` (secure randomness when None), kept in ``salt_``:
    assignments are then stable for that fitted estimator (and reproducible
    with an int seed).

    A row whose id is missing gets a missing assignment.  The output is one
    column named ``name``: categorical with the choices as categories, or
    numeric when every choice is a number.

    Parameters
    ----------
    choices : list
        The options (e.g. offers).  Required, unique.
    weights : array-like of float or None, default=None
        Relative probability of each choice; None: uniform.
    key : bytes, str, "env:NAME" or None, default=None
        Secret key (see :class:`Pseudonymizer`); None uses ``random_state``.
    random_state : int, RandomState instance or None, default=None
        Source of the salt when ``key`` is None.
    normalize : {"auto", "lower", "strip", "none"}, default="auto"
        Normalization of the id before hashing (see :class:`Pseudonymizer`).
    name : str, default="assignment"
        Name of the output column.

    Attributes
    ----------
    choices_ : list
        The choices.
    cum_weights_ : ndarray
        Cumulative normalized weights (upper bounds of each choice's share
        of [0, 1)).
    salt_ : bytes or None
        The random salt used when ``key`` is None.
    key_fingerprint_ : str or None
        Keyed fingerprint of ``key`` at fit (see :class:`Pseudonymizer`);
        ``transform`` refuses a different key.  None without ``key``.
    normalize_ : list of str
        Normalization used per input column.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    Pseudonymizer : A keyed pseudonym of the same identifier.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import KeyedAssigner
    >>> offers = ["BlueElephant", "YellowSeal", "RedMouse", "GreenLemur", "PurpleBear"]
    >>> X = pd.DataFrame({"email": ["ann@example.com", "bob@example.org", "ANN@example.com"]})
    >>> out = KeyedAssigner(choices=offers, key=b"secret", name="offer").fit_transform(X)
    >>> out["offer"].tolist()
    ['GreenLemur', 'PurpleBear', 'GreenLemur']
    """

    _parameter_constraints = {
        "choices": ["array-like", None],
        "weights": ["array-like", None],
        "key": [bytes, str, None],
        "random_state": ["random_state"],
        "normalize": [StrOptions({"auto", "lower", "strip", "none"})],
        "name": [str],
    }
    _secret_params = ("key",)
    salt_: bytes | None  # None when fitted with a key

    def __init__(
        self,
        choices: Sequence[Any] | None = None,
        *,
        weights: ArrayLike | None = None,
        key: bytes | str | None = None,
        random_state: int | np.random.RandomState | None = None,
        normalize: Literal["auto", "lower", "strip", "none"] = "auto",
        name: str = "assignment",
    ) -> None:
        self.choices = choices
        self.weights = weights
        self.key = key
        self.random_state = random_state
        self.normalize = normalize
        self.name = name

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Check the choices and weights; draw a salt when there is no key.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The id column(s).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted assigner.
        """
        who = type(self).__name__
        frame, _ = self._frame(X, reset=True)
        if self.choices is None:
            raise ValueError(f"{who}: `choices` is required.")
        choices = list(self.choices)
        if not choices or len(set(map(repr, choices))) != len(choices):
            raise ValueError(f"{who}: `choices` must be a non-empty list of distinct values.")
        if self.weights is None:
            weights = np.ones(len(choices))
        else:
            weights = np.asarray(self.weights, dtype=np.float64)
            if weights.shape != (len(choices),) or not np.all(np.isfinite(weights)) \
                    or np.any(weights < 0) or weights.sum() <= 0:
                raise ValueError(
                    f"{who}: `weights` must hold one finite non-negative number per choice, "
                    "not all zero."
                )
        self.choices_ = choices
        self.cum_weights_ = np.cumsum(weights / weights.sum())
        self.cum_weights_[-1] = 1.0
        if self.key is None:
            rng = dp_check_random_state(self.random_state, secure=True)
            if isinstance(rng, np.random.RandomState):
                self.salt_ = rng.bytes(32)
            else:
                self.salt_ = rng.getrandbits(256).to_bytes(32, "big")
            self.key_fingerprint_ = None
        else:
            self.key_fingerprint_ = P.key_fingerprint(P.resolve_secret(self.key, what="key", who=who))
            self.salt_ = None
        self.normalize_ = [_norm_mode(self.normalize, frame.iloc[:, j], c) for j, c in enumerate(frame.columns)]
        return self

    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """The assigned choice of each row.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The id column(s) seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, 1)
            The choice assigned to each row.
        """
        check_is_fitted(self)
        who = type(self).__name__
        if (self.key is None) != (getattr(self, "salt_", None) is not None):
            raise ValueError(
                f"{who}: fitted {'without' if self.key is not None else 'with'} a key, now "
                f"{'given one' if self.key is not None else 'without'}: the assignments would not "
                "match the fitted ones. Refit."
            )
        if self.key is None:
            secret = self.salt_
        else:
            secret = P.resolve_secret(self.key, what="key", who=who)
            P.check_key_fingerprint(getattr(self, "key_fingerprint_", None), secret, what="key",
                                    who=who, reference=self.key)
        frame, is_pandas = self._frame(X, reset=False)
        for j, mode in enumerate(self.normalize_):  # at least one column (fit checks)
            c, t = _factorize_strings(frame.iloc[:, j], frame.columns[j], who, mode)
            if j == 0:
                codes, texts = c, t
            else:  # combine ids of several columns: pair codes, then join texts
                missing = (codes < 0) | (c < 0)
                pair = np.where(missing, -1, codes * (len(t) + 1) + c)
                uniq, inv = np.unique(pair[~missing], return_inverse=True)
                new_texts = [texts[p // (len(t) + 1)] + "\x1f" + t[p % (len(t) + 1)] for p in uniq]
                codes = np.full(len(pair), -1, dtype=np.int64)
                codes[~missing] = inv
                texts = new_texts
        digests = P.digest_values([encode_text(s) for s in texts], "hmac-sha256", secret)
        blob = np.frombuffer(b"".join(digests), dtype=">u8").reshape(-1, 4)[:, 0] if digests \
            else np.zeros(0, dtype=np.uint64)
        u = (blob >> np.uint64(11)).astype(np.float64) * 2.0**-53
        idx = np.searchsorted(self.cum_weights_, u, side="right")
        idx = np.minimum(idx, len(self.choices_) - 1)
        row_idx = np.where(codes >= 0, np.append(idx, -1)[codes], -1)
        if all(isinstance(c, (Integral, Real)) and not isinstance(c, bool) for c in self.choices_):
            values = np.append(np.asarray(self.choices_, dtype=np.float64), np.nan)[row_idx]
            if not (row_idx < 0).any() and all(isinstance(c, Integral) for c in self.choices_):
                values = values.astype(np.int64)
            out = pd.Series(values, index=frame.index, name=self.name)
        else:
            out = pd.Series(pd.Categorical.from_codes(row_idx, categories=self.choices_),
                            index=frame.index, name=self.name)
        return self._output(out.to_frame(), is_pandas)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """One output column, named ``name``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (kept for the scikit-learn API).

        Returns
        -------
        feature_names_out : ndarray of str
            The name of the assignment column.
        """
        check_is_fitted(self)
        return np.asarray([self.name], dtype=object)
