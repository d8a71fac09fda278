"""Realistic fake values of the same kind: :class:`FakeReplacer`.

The word pools are drawn from Faker (extra ``fake``) once per locale and
kept in ``_POOLS``; the fakes are made from keyed hashes, vectorized.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._compat import StrOptions
from .._text import encode_text
from ..base import ColumnAnonymizer
from . import _patterns as P
from ._common import _factorize_strings, _norm_mode, _output_series, _SecretParamsMixin
from ._detect import detect_pii
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Mapping, Sequence
    from .._typing import ArrayLike


_FAKE_KINDS = ("name", "first_name", "last_name", "email", "username", "phone", "address", "city", "ip", "ssn")
#: detect_pii kind -> fake kind
_DETECTED_TO_FAKE = {"person_name": "name", "email": "email", "username": "username", "phone": "phone",
                     "postal_address": "address", "city": "city", "ipv4": "ip", "ssn": "ssn"}
_POOL_SIZE = 1000
_POOLS: dict[str, dict[str, np.ndarray]] = {}  # locale -> {pool name: words}


def _faker():
    """Import Faker lazily, with an ImportError naming the extra."""
    try:
        import faker
    except ImportError:  # pragma: no cover - exercised by monkeypatching in the tests
        raise ImportError(
            "FakeReplacer needs the optional package Faker: pip install sklearn-anon[fake]"
        ) from None
    return faker


def _pools(locale):
    """Word pools drawn once per locale from a Faker seeded with 0 (deterministic)."""
    if locale in _POOLS:
        return _POOLS[locale]
    faker = _faker()
    try:
        fake = faker.Faker(locale)
    except AttributeError:
        raise ValueError(f"FakeReplacer: unknown Faker locale {locale!r}.") from None
    fake.seed_instance(0)

    def draw(method, size=_POOL_SIZE):
        return np.asarray(list(dict.fromkeys(method() for _ in range(size))), dtype=object)

    pools = {
        "first_name": draw(fake.first_name),
        "last_name": draw(fake.last_name),
        "domain": draw(fake.free_email_domain, 200),
        "phone": draw(fake.phone_number),
        "address": draw(lambda: fake.street_address()),
        "city": draw(fake.city),
        "ssn": draw(fake.ssn, 200),
    }
    _POOLS[locale] = pools
    return pools


def _mix(words, j):
    """A 64-bit pseudo-random number per row from its hash words and a position (splitmix64)."""
    with np.errstate(over="ignore"):
        z = (words[:, j % 8].astype(np.uint64) << np.uint64(32)) | words[:, (j + 3) % 8].astype(np.uint64)
        z = z + np.uint64((0x9E3779B97F4A7C15 * (j + 1)) % 2**64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _pick(pool, words, j):
    return pool[(_mix(words, j) % np.uint64(len(pool))).astype(np.int64)]


def _scramble_digits(values, words, keep=0):
    """Replace every digit after the first ``keep`` digits by a keyed pseudo-random digit."""
    width = max(1, max(len(v) for v in values))
    arr = np.asarray(values, dtype=f"U{width}")
    chars = arr.view(np.uint32).reshape(len(arr), width).copy()
    is_digit = (chars >= 48) & (chars <= 57)
    rank = np.cumsum(is_digit, axis=1)
    for j in range(width):
        col = is_digit[:, j] & (rank[:, j] > keep)
        if col.any():
            chars[col, j] = 48 + (_mix(words[col], j + 11) % np.uint64(10)).astype(np.uint32)
    return chars.view(f"U{width}").ravel().astype(object)


def _slug(values):
    s = pd.Series(values, dtype=object).str.lower().str.normalize("NFKD")
    s = s.str.encode("ascii", "ignore").str.decode("ascii").str.replace(r"[^a-z0-9]", "", regex=True)
    return s.where(s.str.len() > 0, "user")


def _make_fakes(kind, words, locale):
    """Fake values of ``kind``, one per row of ``words`` (uint32 hash words), vectorized."""
    pools = _pools(locale)
    n = len(words)
    if kind == "first_name":
        return _pick(pools["first_name"], words, 0)
    if kind == "last_name":
        return _pick(pools["last_name"], words, 1)
    if kind == "name":
        first = pd.Series(_pick(pools["first_name"], words, 0), dtype=object)
        return (first + " " + pd.Series(_pick(pools["last_name"], words, 1), dtype=object)).to_numpy()
    if kind in ("email", "username"):
        first = _slug(_pick(pools["first_name"], words, 0))
        last = _slug(_pick(pools["last_name"], words, 1))
        style = (_mix(words, 2) % np.uint64(4)).astype(np.int64)
        number = pd.Series((_mix(words, 3) % np.uint64(1000)).astype(np.int64)).astype(str)
        user = np.select(
            [style == 0, style == 1, style == 2],
            [(first + "." + last).to_numpy(), (first.str[:1] + last + number).to_numpy(),
             (first + last.str[:1] + number).to_numpy()],
            (last + first.str[:1] + number).to_numpy(),
        )
        if kind == "username":
            return user
        domain = pd.Series(_pick(pools["domain"], words, 4), dtype=object)
        return (pd.Series(user, dtype=object) + "@" + domain).to_numpy()
    if kind == "phone":
        return _scramble_digits(_pick(pools["phone"], words, 5), words, keep=1)
    if kind == "address":
        return _scramble_digits(_pick(pools["address"], words, 6), words)
    if kind == "city":
        return _pick(pools["city"], words, 7)
    if kind == "ip":
        public = np.array([a for a in range(1, 224) if a not in (10, 100, 127, 169, 172, 192, 198, 203)])
        octets = [public[(_mix(words, 8) % np.uint64(len(public))).astype(np.int64)]]
        octets += [(_mix(words, 9 + k) % np.uint64(256)).astype(np.int64) for k in range(2)]
        octets.append(1 + (_mix(words, 12) % np.uint64(254)).astype(np.int64))
        parts = [pd.Series(o).astype(str) for o in octets]
        return (parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3]).to_numpy(dtype=object)
    if kind == "ssn":
        if locale == "en_US":
            area = 1 + (_mix(words, 13) % np.uint64(899)).astype(np.int64)
            area = np.where(area == 666, 667, area)
            group = 1 + (_mix(words, 14) % np.uint64(99)).astype(np.int64)
            serial = 1 + (_mix(words, 15) % np.uint64(9999)).astype(np.int64)
            s = (pd.Series(area).astype(str).str.zfill(3) + "-" + pd.Series(group).astype(str).str.zfill(2)
                 + "-" + pd.Series(serial).astype(str).str.zfill(4))
            return s.to_numpy(dtype=object)
        return _scramble_digits(_pick(pools["ssn"], words, 13), words)
    raise ValueError(f"unknown fake kind {kind!r}")  # pragma: no cover - validated in fit


class FakeReplacer(_SecretParamsMixin, ColumnAnonymizer):
    """Replace identifiers by realistic fake values of the same kind, consistently.

    Each distinct value gets a keyed hash (HMAC-SHA256 of its normalized
    text and the kind) that indexes pools of fake words drawn from Faker
    (first names, last names, e-mail domains, streets, cities, phone
    formats, for the ``locale``) and fills fresh digits (phone numbers,
    house numbers, SSNs, IP addresses).  The same input under the same key
    always gets the same surrogate, in any table and any run (with the same
    Faker version), so joins survive; a fake never equals its original
    (compared case-insensitively; the value is re-drawn when it would).
    Distinct inputs may share a surrogate (a collision), rarely for emails,
    usernames, phones, addresses, SSNs and IPs, often for cities and first
    names.  The generation is vectorized; Faker is only asked for the word
    pools, once per locale.

    Needs the optional package Faker (``pip install sklearn-anon[fake]``),
    imported when the estimator is fitted.  Missing values stay missing,
    empty strings stay empty.

    Parameters
    ----------
    key : bytes, str or "env:NAME"
        Secret key (see :class:`Pseudonymizer`).  Required.
    kind : str or dict of {column: str}, default="auto"
        One of ``"name"``, ``"first_name"``, ``"last_name"``, ``"email"``,
        ``"username"``, ``"phone"``, ``"address"``, ``"city"``, ``"ip"``,
        ``"ssn"``; ``"auto"`` detects it from the column (name and content,
        see :func:`detect_pii`) and raises when it cannot.
    locale : str, default="en_US"
        Faker locale of the word pools.
    normalize : {"auto", "lower", "strip", "none"}, default="auto"
        Normalization before hashing (see :class:`Pseudonymizer`).
    columns : list of str or int, or None, default=None
        Columns to replace; the others pass through.  None: all.

    Attributes
    ----------
    kinds_ : dict of {column: (str, str)}
        Fake kind and normalization used per column.
    key_fingerprint_ : str
        Keyed fingerprint of ``key`` at fit (see :class:`Pseudonymizer`);
        ``transform`` refuses a different key.
    columns_ : list
        The replaced columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    Pseudonymizer : Keyed opaque pseudonyms instead of realistic fakes.
    make_fake_pii : Fake identities with no real data behind them.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import FakeReplacer
    >>> X = pd.DataFrame({"email": ["ann@example.com", "ANN@example.com "]})
    >>> out = FakeReplacer(key=b"secret").fit_transform(X)["email"]
    >>> out[0] == out[1], out[0].endswith("example.com")
    (True, False)
    """

    _secret_params = ("key",)

    _parameter_constraints = {
        "key": [bytes, str, None],
        "kind": [StrOptions({"auto", *_FAKE_KINDS}), dict],
        "locale": [str],
        "normalize": [StrOptions({"auto", "lower", "strip", "none"})],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(
        self,
        key: bytes | str | None = None,
        *,
        kind: str | Mapping[Any, str] = "auto",
        locale: str = "en_US",
        normalize: Literal["auto", "lower", "strip", "none"] = "auto",
        columns: Sequence[str | int] | None = None,
    ) -> None:
        self.key = key
        self.kind = kind
        self.locale = locale
        self.normalize = normalize
        self.columns = columns

    def _check_params(self, X):
        _faker()
        self.key_fingerprint_ = P.key_fingerprint(P.resolve_secret(self.key, what="key", who=type(self).__name__))
        _pools(self.locale)

    def _fitted_key(self):
        """The key, resolved now, checked against the fingerprint taken at fit."""
        who = type(self).__name__
        key = P.resolve_secret(self.key, what="key", who=who)
        P.check_key_fingerprint(getattr(self, "key_fingerprint_", None), key, what="key", who=who,
                                reference=self.key)
        return key

    def _after_fit(self, frame, states):
        self.kinds_ = states

    def _fitted_states(self):
        return self.kinds_

    def _fit_column(self, column, name):
        kind = self.kind.get(name, "auto") if isinstance(self.kind, dict) else self.kind
        if kind == "auto":
            detected = detect_pii(column.to_frame(name))["kind"].iloc[0]
            kind = _DETECTED_TO_FAKE.get(detected)
            if kind is None:
                raise ValueError(
                    f"FakeReplacer: cannot tell which kind of fake value to make for column "
                    f"{name!r}; pass kind={{{name!r}: ...}} (one of {', '.join(_FAKE_KINDS)})."
                )
        elif kind not in _FAKE_KINDS:
            raise ValueError(f"FakeReplacer: unknown kind for column {name!r}; use one of {_FAKE_KINDS}.")
        return kind, _norm_mode(self.normalize, column, name)

    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
        """Replace the selected columns by fake values.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data, with the columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_features)
            Replaced columns are strings; missing values stay missing.
        """
        check_is_fitted(self)
        self._fitted_key()
        return super().transform(X)

    def _transform_column(self, column, name, state, rng):
        kind, mode = state
        who = type(self).__name__
        key = self._fitted_key()
        codes, texts = _factorize_strings(column, name, who, mode)
        originals = pd.Series(texts, dtype=object).str.strip().str.lower().to_numpy()
        fakes = np.empty(len(texts), dtype=object)
        todo = np.arange(len(texts))
        for attempt in range(20):
            if not len(todo):
                break
            prefix = f"{kind}\x1f{attempt}\x1f".encode()
            digests = P.digest_values([prefix + encode_text(texts[i]) for i in todo], "hmac-sha256", key)
            words = np.frombuffer(b"".join(digests), dtype="<u4").reshape(-1, 8)
            fakes[todo] = _make_fakes(kind, words, self.locale)
            same = pd.Series(fakes[todo], dtype=object).str.lower().to_numpy() == originals[todo]
            todo = todo[same]
        if len(todo):  # pragma: no cover - 20 draws equal to the original
            raise ValueError(f"{who}: could not draw a fake different from the original in column {name!r}.")
        fakes = [f if t != "" else "" for f, t in zip(fakes, texts)]
        return _output_series(fakes, codes, column, name)
