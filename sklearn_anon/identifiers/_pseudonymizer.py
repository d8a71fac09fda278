"""Keyed, deterministic pseudonyms: :class:`Pseudonymizer` and its warnings.

:class:`FrequencyAttackWarning` and :class:`PseudonymCollisionWarning` are
raised by :class:`Pseudonymizer` only; they are importable from
:mod:`sklearn_anon.identifiers` and :mod:`sklearn_anon`.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions
from .._counting import value_counts_array
from ..base import ColumnAnonymizer
from . import _patterns as P
from ._common import (
    _factorize_strings,
    _is_arrow_string,
    _norm_mode,
    _output_series,
    _SecretParamsMixin,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Literal, Sequence
    from .._typing import ArrayLike


class FrequencyAttackWarning(UserWarning):
    """A column given to a deterministic pseudonymizer falls to a frequency attack.

    Deterministic pseudonyms keep each value's frequency: when a column has
    few distinct values, or a few very common ones, anyone who knows the
    distribution (the most common first names, the sexes, the ZIP codes of a
    city) can match pseudonyms to values by rank.  Generalize or drop such a
    column instead, or add noise.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from sklearn_anon import Pseudonymizer
    >>> X = pd.DataFrame({"sex": ["F", "M"] * 50})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = Pseudonymizer(key=b"k" * 32).fit(X)
    >>> [w.category.__name__ for w in caught]
    ['FrequencyAttackWarning']
    """


class PseudonymCollisionWarning(UserWarning):
    """Pseudonyms short enough that distinct values are likely to share one.

    A pseudonym cut to ``length`` characters (or a small BLAKE2b
    ``digest_size``) keeps ``b`` bits of the hash, and ``n`` distinct values
    hashed into ``2**b`` outputs collide as in the birthday problem: the
    expected number of colliding pairs is ``n (n - 1) / 2 / 2**b``.  Two
    values that collide get the same pseudonym, so any join or count on the
    pseudonymized column merges them.  :class:`Pseudonymizer` warns when
    that expectation reaches ``0.01`` (about a 1% chance that at least two
    values collide), at ``fit`` and again at ``transform`` when a batch holds
    more distinct values than ``fit`` saw; the message gives the counts and
    the expected share of colliding values, never a value.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from sklearn_anon import Pseudonymizer
    >>> X = pd.DataFrame({"id": [str(i) for i in range(2000)]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = Pseudonymizer(key=b"k" * 32, length=2).fit(X)
    >>> [w.category.__name__ for w in caught]
    ['PseudonymCollisionWarning']
    """


def _frequency_check(column, name, who):
    """Warn when deterministic pseudonyms of ``column`` fall to a frequency attack.

    Returns the number of distinct non-missing values (None when the column
    holds unhashable objects: ``transform`` rejects them).
    """
    counts = value_counts_array(column)  # Arrow text: exact, without a table of the values
    if counts is None:
        try:
            counts = column.value_counts(dropna=True).to_numpy()
        except TypeError:  # unhashable objects: transform will reject them
            return None
    n, n_distinct = int(counts.sum()), len(counts)
    if n == 0:
        return 0
    top = int(counts.max())
    top_share = top / n
    if (n_distinct < 100 and n_distinct < n) or (top >= 2 and top_share > 0.05):
        warnings.warn(
            f"{who}: column {name!r} has {n_distinct} distinct value(s), the most frequent "
            f"holding {top_share:.1%} of the rows; its deterministic pseudonyms can be "
            "re-identified by a frequency attack. Generalize or drop it instead.",
            FrequencyAttackWarning,
            stacklevel=4,
        )
    return n_distinct


#: expected colliding pairs from which Pseudonymizer warns (about a 1% chance
#: that two distinct values share a pseudonym); see PseudonymCollisionWarning
_COLLISION_WARN_PAIRS = 0.01


def _collision_message(who, name, n_distinct, bits, what):
    """The PseudonymCollisionWarning text, or None below the threshold (counts only)."""
    pairs, share = P.expected_collisions(n_distinct, bits)
    if pairs < _COLLISION_WARN_PAIRS:
        return None
    return (
        f"{who}: column {name!r} has {n_distinct:,} distinct value(s) {what} for {bits}-bit "
        f"pseudonyms: about {pairs:.3g} colliding pair(s) expected, {share:.3g} of the distinct "
        "values sharing their pseudonym with another (birthday bound). Values that collide "
        "are merged by any join; raise `length` (or `digest_size`)."
    )


#: fewest distinct values worth sending to worker processes
_PARALLEL_MIN, _PARALLEL_MIN_PBKDF2 = 50_000, 64


def _hash_texts(texts, method, key, *, iterations=1000, digest_size=32, encoding="hex",
                length=None, n_jobs=None):
    """Pseudonyms of a list of distinct str values, in parallel chunks when worth it."""
    n_workers = effective_n_jobs(n_jobs) if n_jobs is not None else 1
    threshold = _PARALLEL_MIN_PBKDF2 if method == "pbkdf2-sha256" else _PARALLEL_MIN
    args = (method, key, iterations, digest_size, encoding, length)
    if n_workers <= 1 or len(texts) < threshold:
        return P.hash_chunk(texts, *args)
    width = P.encoded_width(method, digest_size, encoding, length)
    bounds = np.linspace(0, len(texts), n_workers + 1).astype(int)
    chunks = [texts[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    parts = Parallel(n_jobs=n_workers)(
        delayed(P.hash_blob)("".join(c), np.fromiter(map(len, c), dtype=np.int64, count=len(c)), *args)
        for c in chunks
    )
    blob = "".join(parts)
    return [blob[i:i + width] for i in range(0, len(blob), width)]


#: rows hashed at a time in a long Arrow string column (bounds the Python
#: strings alive while hashing: about 100,000 values and their pseudonyms)
_CHUNK_ROWS = 100_000


def _chunkable(column):
    """Whether ``column`` is hashed in chunks of rows: a long Arrow-backed string
    column, whose output keeps that dtype (object or categorical input is
    hashed in one pass: its output is an object column of Python strings anyway)."""
    return len(column) > 2 * _CHUNK_ROWS and _is_arrow_string(column.dtype)


# ==========================================================================
# Pseudonymizer
# ==========================================================================
class Pseudonymizer(_SecretParamsMixin, ColumnAnonymizer):
    """Keyed, deterministic pseudonyms that the key holder can recompute.

    Each value is replaced by a keyed hash of its (normalized) text, so the
    same value always gets the same pseudonym under the same key (joins
    survive), a partner without the key cannot reverse or recompute it, and
    the owner can recompute it to re-join results to customers.  Each
    distinct value is hashed once (the column is factorized first; a column
    of more than 20,000 rows whose random sample of 10,000 holds no repeat is
    hashed row by row instead, as factorizing an id column would cost as much
    as hashing it), and with ``n_jobs`` the values are hashed in parallel
    chunks.  A long Arrow-backed string column (pandas' ``str``) is hashed
    100,000 rows at a time, so that only one chunk's values and pseudonyms
    are Python objects at once (a value in two chunks is hashed twice: same
    pseudonym, same output).

    Methods:

    - ``"hmac-sha256"`` (default): ``hmac.new(key, value, "sha256")`` on the
      UTF-8 bytes of the normalized value;
    - ``"blake2b"``: ``hashlib.blake2b(value, key=key,
      digest_size=digest_size)`` (keys up to 64 bytes), the fastest;
    - ``"pbkdf2-sha256"``: ``hashlib.pbkdf2_hmac("sha256", value, salt,
      iterations)`` for owners who already compute ids that way (the hex
      output equals that value).  The salt is ``salt`` when given, else the
      key: it is the secret of this method.

    Missing values stay missing, empty strings stay empty.  Numbers,
    booleans and dates are hashed as ``str(value)``; bytes as their UTF-8
    text; any other object in a column is a TypeError naming the column.
    Text is hashed as UTF-8, a lone surrogate (``"\\ud800"``) as its code
    point (``"surrogatepass"``), and a byte that is not UTF-8 is read as
    Python reads such file names (``b"\\xff"`` is the text ``"\\udcff"``):
    every distinct value keeps a distinct hash input, and no value is an
    encoding error.

    The key is fingerprinted at ``fit`` (``key_fingerprint_``: HMAC-SHA256
    of a fixed label under the key, 64 bits; never the key nor an unkeyed
    hash of it).  Every ``transform`` resolves the key again (an
    ``"env:NAME"`` reference is read from the environment at that moment)
    and refuses, with a ValueError, a key whose fingerprint differs: a
    rotated or mistyped key cannot silently produce pseudonyms that do not
    join with the fitted data's.  Refit to change the key.

    Parameters
    ----------
    key : bytes, str or "env:NAME"
        The secret key.  ``"env:NAME"`` stores only the reference and reads
        the variable at each ``fit``/``transform`` (a missing variable is a
        ValueError naming it); a literal key is hidden from ``repr`` but is
        pickled with the estimator.  Required: None raises in ``fit``
        (except with ``method="pbkdf2-sha256"`` and a ``salt``), since a
        random key would silently break re-joining.
    method : {"hmac-sha256", "blake2b", "pbkdf2-sha256"}, default="hmac-sha256"
        The keyed hash.
    salt : bytes, str, "env:NAME" or None, default=None
        PBKDF2's salt (``method="pbkdf2-sha256"`` only); None uses the key.
    iterations : int, default=1000
        PBKDF2 iterations.
    normalize : {"auto", "lower", "strip", "none"}, default="auto"
        ``"lower"`` strips surrounding spaces and lower-cases, ``"strip"``
        only strips; ``"auto"`` is ``"lower"`` for email columns (by name or
        content) and ``"none"`` otherwise.
    encoding : {"hex", "base64", "base64url"}, default="hex"
        Text form of the digest (``"base64url"`` has no padding).
    length : int or None, default=None
        Keep only the first ``length`` characters (shorter ids, more
        collisions: 16 hex characters are 64 bits, a base64 character 6
        bits).  A :class:`PseudonymCollisionWarning` gives the expected
        collisions when they become likely.
    digest_size : int in [1, 64], default=32
        BLAKE2b digest size in bytes (``method="blake2b"`` only).
    n_jobs : int or None, default=None
        Processes hashing chunks of distinct values (joblib; -1: all
        cores).  Used when there are at least 50,000 distinct values (64
        for PBKDF2).
    columns : list of str or int, or None, default=None
        Columns to pseudonymize; the others pass through.  None: all.

    Attributes
    ----------
    normalize_ : dict of {column: str}
        The normalization used per column.
    key_fingerprint_ : str
        Keyed fingerprint of the secret used at fit (16 hex digits), checked
        at every ``transform``.
    n_distinct_ : dict of {column: int}
        Distinct non-missing values per column at fit (before
        normalization), for the collision warning.
    columns_ : list
        The pseudonymized columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    Warns
    -----
    FrequencyAttackWarning
        In ``fit``, for a column with fewer than 100 distinct values that
        repeat, or whose most frequent value holds more than 5% of the rows.
    PseudonymCollisionWarning
        When ``length`` or ``digest_size`` leave so few bits that at least
        0.01 colliding pairs are expected (birthday bound), in ``fit``, and
        in ``transform`` for a batch with more distinct values than ``fit``
        saw.

    See Also
    --------
    FakeReplacer : realistic surrogates instead of hex strings.
    KeyedAssigner : a keyed, reproducible choice per id.

    Examples
    --------
    >>> import hmac
    >>> import pandas as pd
    >>> from sklearn_anon import Pseudonymizer
    >>> X = pd.DataFrame({"email": [" Ann@Example.com", "bob@example.org"]})
    >>> ps = Pseudonymizer(key=b"secret", length=12)
    >>> ps.fit_transform(X)["email"].tolist()
    ['beac5748fe88', 'cdbd317b5495']
    >>> hmac.new(b"secret", b"ann@example.com", "sha256").hexdigest()[:12]
    'beac5748fe88'
    >>> ps
    Pseudonymizer(key=b'<hidden>', length=12)
    """

    _parameter_constraints = {
        "key": [bytes, str, None],
        "method": [StrOptions({"hmac-sha256", "blake2b", "pbkdf2-sha256"})],
        "salt": [bytes, str, None],
        "iterations": [Interval(Integral, 1, None, closed="left")],
        "normalize": [StrOptions({"auto", "lower", "strip", "none"})],
        "encoding": [StrOptions({"hex", "base64", "base64url"})],
        "length": [Interval(Integral, 1, None, closed="left"), None],
        "digest_size": [Interval(Integral, 1, 64, closed="both")],
        "n_jobs": [Integral, None],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(
        self,
        key: bytes | str | None = None,
        *,
        method: Literal["hmac-sha256", "blake2b", "pbkdf2-sha256"] = "hmac-sha256",
        salt: bytes | str | None = None,
        iterations: int = 1000,
        normalize: Literal["auto", "lower", "strip", "none"] = "auto",
        encoding: Literal["hex", "base64", "base64url"] = "hex",
        length: int | None = None,
        digest_size: int = 32,
        n_jobs: int | None = None,
        columns: Sequence[str | int] | None = None,
    ) -> None:
        self.key = key
        self.method = method
        self.salt = salt
        self.iterations = iterations
        self.normalize = normalize
        self.encoding = encoding
        self.length = length
        self.digest_size = digest_size
        self.n_jobs = n_jobs
        self.columns = columns

    def _secret_param(self):
        """``(name, value)`` of the parameter holding the hashing secret."""
        if self.method == "pbkdf2-sha256" and self.salt is not None:
            return "salt", self.salt
        return "key", self.key

    def _secret(self):
        who = type(self).__name__
        what, value = self._secret_param()
        if self.method != "pbkdf2-sha256" and self.salt is not None:
            raise ValueError(f"{who}: `salt` is only used with method='pbkdf2-sha256'.")
        secret = P.resolve_secret(value, what=what, who=who)
        if self.method == "blake2b" and len(secret) > 64:
            raise ValueError(f"{who}: BLAKE2b keys are at most 64 bytes.")
        return secret

    def _fitted_secret(self):
        """The secret, resolved now, checked against the fingerprint taken at fit."""
        secret = self._secret()
        what, value = self._secret_param()
        P.check_key_fingerprint(getattr(self, "key_fingerprint_", None), secret, what=what,
                                who=type(self).__name__, reference=value)
        return secret

    def _bits(self):
        return P.output_bits(self.method, self.digest_size, self.encoding, self.length)

    def _check_params(self, X):
        self.key_fingerprint_ = P.key_fingerprint(self._secret())
        self.n_distinct_ = {}

    def _after_fit(self, frame, states):
        self.normalize_ = states

    def _fitted_states(self):
        return self.normalize_

    def _fit_column(self, column, name):
        who = type(self).__name__
        n_distinct = _frequency_check(column, name, who)
        mode = _norm_mode(self.normalize, column, name)
        self.n_distinct_[name] = n_distinct
        if n_distinct is not None and _collision_message(who, name, n_distinct, self._bits(), "") is not None:
            # the raw count is an upper bound: count the normalized texts hashed
            try:
                _, texts = _factorize_strings(column, name, who, mode)
            except TypeError:  # transform will say which types the column holds
                texts = None
            if texts is not None:
                n = len(set(texts) - {""})
                message = _collision_message(who, name, n, self._bits(), "at fit")
                if message is not None:
                    warnings.warn(message, PseudonymCollisionWarning, stacklevel=4)
        return mode

    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Replace the values of the selected columns by their pseudonyms.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data, with the columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            Pseudonymized columns are strings (the input's string dtype when
            it has one, else object); missing values stay missing.
        """
        check_is_fitted(self)
        self._fitted_secret()  # a clear error before any work when the key is gone or changed
        return super().transform(X)

    def _transform_column(self, column, name, mode, rng):
        who = type(self).__name__
        secret = self._fitted_secret()  # per column: a key rotated meanwhile is refused too
        if _chunkable(column) and _collision_message(who, name, len(column), self._bits(), "") is None:
            # even as many distinct values as rows cannot reach the collision
            # warning, so no distinct count is needed: hash chunk by chunk
            return self._transform_chunks(column, name, mode, secret)
        codes, texts = _factorize_strings(column, name, who, mode)
        n_fit = (getattr(self, "n_distinct_", None) or {}).get(name) or 0
        if len(texts) > n_fit and _collision_message(who, name, len(texts), self._bits(), "") is not None:
            # more distinct values than fit saw, and the bound may be crossed: count exactly
            n = len(set(texts) - {""})
            message = _collision_message(who, name, n, self._bits(), "in this batch")
            if n > n_fit and message is not None:
                warnings.warn(message, PseudonymCollisionWarning, stacklevel=4)
        return _output_series(self._digests(texts, secret), codes, column, name)

    def _digests(self, texts, secret):
        """Pseudonyms of the distinct normalized ``texts`` (an empty text stays empty)."""
        digests = _hash_texts(
            texts, self.method, secret, iterations=self.iterations,
            digest_size=self.digest_size, encoding=self.encoding, length=self.length,
            n_jobs=self.n_jobs,
        )
        if "" in texts:  # nothing to hide in an empty string
            for i in [i for i, t in enumerate(texts) if t == ""]:
                digests[i] = ""
        return digests

    def _transform_chunks(self, column, name, mode, secret):
        """The pseudonymized column, hashed :data:`_CHUNK_ROWS` rows at a time.

        Only one chunk's values and pseudonyms are Python strings at any
        moment; the output is assembled from Arrow chunks in the column's
        string dtype.  A value repeated in two chunks is hashed twice (the
        same pseudonym), so the output equals the one-pass result.
        """
        who = type(self).__name__
        parts = []
        for start in range(0, len(column), _CHUNK_ROWS):
            chunk = column.iloc[start:start + _CHUNK_ROWS]
            codes, texts = _factorize_strings(chunk, name, who, mode)
            parts.append(_output_series(self._digests(texts, secret), codes, chunk, name))
        out = pd.concat(parts, ignore_index=True)
        out.index = column.index
        return out
