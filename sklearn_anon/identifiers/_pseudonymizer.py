"""Direct identifiers: find them, drop them, or replace them by keyed pseudonyms.

* :func:`detect_pii` profiles a table column by column (by name *and*
  content, on a sample) and suggests a role for each column: direct
  identifier, quasi-identifier, sensitive, other.
* :class:`PIIDetector` runs that detection in ``fit`` and drops the direct
  identifiers in ``transform``.
* :class:`Pseudonymizer` replaces values by keyed, deterministic pseudonyms
  (HMAC-SHA256, keyed BLAKE2b or PBKDF2-HMAC-SHA256) that the data owner can
  recompute with the key, and a partner cannot reverse without it.
* :class:`FakeReplacer` replaces identifiers by realistic fake values of the
  same kind (extra ``fake``: Faker), the same input always giving the same
  surrogate under the same key.
* :class:`KeyedAssigner` assigns each row one of ``choices`` from a keyed
  hash of an id column (reproducible A/B or offer assignment).

Secrets (``key``, ``salt``) are given as bytes, str, or ``"env:NAME"``.  With
a reference only the name is stored, so a pickled pipeline does not hold the
key; it is read from the environment each time ``transform`` runs.  A literal
key is hidden from ``repr`` but is pickled with the estimator (it is one of
its parameters): use a reference for anything you persist.  ``fit`` stores a
keyed fingerprint of the key (``key_fingerprint_``, HMAC-SHA256 of a fixed
label under the key), and every ``transform`` refuses a key that does not
match it (a rotated environment variable, a stale worker process): refit to
change keys.  No key is cached anywhere; worker processes get the resolved
key from the caller for each call.

Missing values (NaN/None) stay missing in every transformer here; empty
strings stay empty strings (there is no identifier to hide in them).
"""

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .. import _text
from .._compat import Interval, StrOptions, _fit_context, dp_check_random_state
from .._text import decode_bytes, encode_text, text_series
from ..base import (
    ColumnAnonymizer,
    anonymizer_tags,
    check_frame,
    make_rng,
    output_container,
    validate_frame,
)
from . import _patterns as P

__all__ = [
    "FakeReplacer",
    "FrequencyAttackWarning",
    "KeyedAssigner",
    "PIIDetector",
    "PseudonymCollisionWarning",
    "Pseudonymizer",
    "detect_pii",
]


class FrequencyAttackWarning(UserWarning):
    """A column given to a deterministic pseudonymizer falls to a frequency attack.

    Deterministic pseudonyms keep each value's frequency: when a column has
    few distinct values, or a few very common ones, anyone who knows the
    distribution (the most common first names, the sexes, the ZIP codes of a
    city) can match pseudonyms to values by rank.  Generalize or drop such a
    column instead, or add noise.
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
    """


# ==========================================================================
# detect_pii
# ==========================================================================
_REPORT_COLUMNS = ["role", "kind", "evidence", "match_share", "distinct_ratio", "n_sampled"]
#: content kinds that also confirm a given name hint (``ip`` named, IPv6 inside)
_COMPATIBLE = {"ipv4": {"ipv6"}, "ipv6": {"ipv4"}, "username": {"email"}, "postal_code": {"zip_plus4"},
               "uuid": {"hash_id"}, "hash_id": {"uuid"}}
#: name-hinted direct kinds acceptable for an integer column
_INTEGER_KINDS = {"phone", "ssn", "credit_card", "iban", "username", "uuid", "record_id"}
#: minimal distinct-value ratio for content kinds that are only weakly specific
_MIN_DISTINCT = {"username": 0.7, "person_name": 0.5, "postal_address": 0.5, "hash_id": 0.5, "phone": 0.5,
                 "url": 0.3}


def _sample_strings(values):
    """String forms of the non-missing values of a sampled column (or None)."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return None
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
        dtype = values.dtype
    if pd.api.types.is_integer_dtype(dtype):
        return values.astype("int64").astype(str)
    if pd.api.types.is_float_dtype(dtype):
        arr = values.to_numpy(dtype=np.float64)
        if np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)) and np.all(np.abs(arr) < 1e18):
            return pd.Series(arr.astype(np.int64), index=values.index).astype(str)
        return None
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return text_series(values).str.strip()
    return None


def _classify(values, name, min_share):
    """One report row for a sampled column (never a cell value)."""
    values = values.dropna()
    n = len(values)
    kind_n, role_n, negative = P.name_hint(name)
    distinct = float(_text.nunique(text_series(values)) / n) if n else float("nan")
    row = dict(role=P.OTHER, kind=None, evidence=None, match_share=float("nan"),
               distinct_ratio=distinct, n_sampled=n)

    def by_name(share=float("nan")):
        row.update(role=role_n, kind=kind_n, evidence="name", match_share=share)
        return row

    if n == 0:
        return by_name() if kind_n else row
    dtype = values.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    binary = pd.api.types.is_bool_dtype(dtype) or (
        numeric and _text.nunique(values) <= 2 and set(_text.unique(values.astype(float))) <= {0.0, 1.0}
    )
    if binary:
        # a 0/1 flag is never a direct identifier (``email_opt_in``)
        if kind_n == "sex" or (kind_n and role_n != P.DIRECT):
            return by_name()
        return row

    # dates ---------------------------------------------------------------
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if P.birth_like(values):
            row.update(role=P.QUASI, kind="date_of_birth", match_share=1.0,
                       evidence="name+content" if kind_n == "date_of_birth" else "content")
            return row
        if kind_n and role_n != P.DIRECT:
            return by_name()
        return row

    strings = _sample_strings(values)
    if strings is None:  # non-integral floats and other dtypes: by name only
        if kind_n and role_n != P.DIRECT:
            return by_name()
        return row

    is_text = not numeric
    content, share = None, float("nan")
    if is_text:
        shares = P.match_shares(strings)
        for kind in P.CONTENT_ORDER:
            if shares[kind] >= min_share and distinct >= _MIN_DISTINCT.get(kind, 0.0):
                content, share = kind, shares[kind]
                break
        if content == "date":
            content = "date_of_birth" if P.birth_like(strings) else None
        elif content == "zip_plus4":
            content = "postal_code"
        elif content == "person_name" and P.city_share(strings) >= 0.5:
            content = "city"
        if content is None:
            if P.sex_like(strings):
                content, share = "sex", 1.0
            elif P.state_like(strings):
                content, share = "state", 1.0
    else:  # integers: only card numbers can be told by content (Luhn)
        long_digits = strings.str.len().between(13, 19).mean() >= min_share
        if long_digits:
            shares = P.match_shares(strings, kinds=("credit_card",))
            if shares["credit_card"] >= min_share:
                content, share = "credit_card", shares["credit_card"]

    if content is not None and negative and content in P.WEAK_CONTENT and content != kind_n:
        content = None  # an order id that looks like a phone number
    if content is not None:
        agrees = kind_n == content or content in _COMPATIBLE.get(kind_n, ())
        if kind_n and role_n != P.DIRECT and content not in P.DIRECT_KINDS and not agrees:
            return by_name(share)  # e.g. a "zipcode" column: the name is more specific
        role = P.DIRECT if content in P.DIRECT_KINDS else P.QUASI
        row.update(role=role, kind=content, evidence="name+content" if agrees else "content",
                   match_share=share)
        return row

    if kind_n is None:
        return row
    if role_n != P.DIRECT:
        return by_name()
    # a direct-identifier name with content that does not contradict it
    if negative:
        return row
    if numeric:
        if kind_n in _INTEGER_KINDS and distinct >= 0.5:
            return by_name()
        return row
    loose = P.loose_share(strings, kind_n)
    if loose >= min_share and distinct >= (0.5 if kind_n == "record_id" else 0.2):
        return by_name(loose)
    return row


def detect_pii(X, *, sample_size=1000, min_share=0.8, random_state=0):
    """Suggest a privacy role for each column of a table, by name and by content.

    Each column is judged on a random sample of ``sample_size`` rows: its
    content is matched against patterns (emails, phone numbers, SSNs, card
    numbers with a Luhn check, IBANs with their mod-97 check, IPv4/IPv6,
    MAC addresses, URLs, UUIDs, hex digests, dates of birth, names,
    postal addresses, user names), and its name against hints (``zip``,
    ``dob``, ``income``, ...).  Content wins over the name: a column called
    ``contact`` full of emails is an email column, a column called
    ``email_opt_in`` holding 0/1 is not.  Name hints such as ``order`` or
    ``sku`` override weakly specific content (an order id that looks like a
    phone number).  The output never contains a cell value.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The table.  ndarray columns are named ``x0, x1, ...``.
    sample_size : int, default=1000
        Rows sampled (all rows when the table is smaller).
    min_share : float in (0, 1], default=0.8
        Share of sampled non-missing values that must match a content
        pattern for the column to be of that kind.
    random_state : int, RandomState instance or None, default=0
        Seed of the row sample (the detection is not a privacy mechanism:
        a fixed seed keeps the report reproducible).

    Returns
    -------
    report : DataFrame
        One row per column (index: the column names), with columns

        - ``role``: ``"direct_identifier"``, ``"quasi_identifier"``,
          ``"sensitive"`` or ``"other"``;
        - ``kind``: ``email``, ``phone``, ``ssn``, ``credit_card``, ``iban``,
          ``ipv4``, ``ipv6``, ``mac_address``, ``url``, ``username``,
          ``person_name``, ``postal_address``, ``hash_id``, ``uuid``,
          ``record_id`` (a customer/patient/account number, by name),
          ``date_of_birth``, ``postal_code``, ``city``, ``state``, ``sex``,
          ``age``, ``demographic``, ``financial``, ``health``, or missing;
        - ``evidence``: ``"name"``, ``"content"`` or ``"name+content"``
          (missing for ``"other"`` columns);
        - ``match_share``: share of sampled values matching the kind's
          pattern (NaN when judged by name only);
        - ``distinct_ratio``: distinct values / non-missing values, in the
          sample;
        - ``n_sampled``: non-missing values sampled.

    See Also
    --------
    PIIDetector : the same detection as a transformer that drops the direct
        identifiers.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import detect_pii
    >>> X = pd.DataFrame({
    ...     "contact": ["ann@example.com", "bob@example.org", "cy@example.net"],
    ...     "email_opt_in": [0, 1, 1],
    ...     "zip": ["02139", "10001", "94105"],
    ...     "income": [52000, 61000, 48000]})
    >>> detect_pii(X)[["role", "kind", "evidence"]]
                               role         kind evidence
    column
    contact       direct_identifier        email  content
    email_opt_in              other          NaN      NaN
    zip            quasi_identifier  postal_code     name
    income                sensitive    financial     name
    """
    frame, _ = check_frame(X)
    if not (isinstance(sample_size, Integral) and sample_size >= 1):
        raise ValueError("sample_size must be a positive integer.")
    if not (isinstance(min_share, Real) and 0 < min_share <= 1):
        raise ValueError("min_share must be in (0, 1].")
    n = frame.shape[0]
    if n > sample_size:
        rng = make_rng(random_state)
        rows = np.sort(rng.choice(n, size=sample_size, replace=False))
        sample = frame.iloc[rows]
    else:
        sample = frame
    records = [_classify(sample.iloc[:, j], name, min_share) for j, name in enumerate(frame.columns)]
    report = pd.DataFrame(records, columns=_REPORT_COLUMNS,
                          index=pd.Index(list(frame.columns), name="column", dtype=object,
                                         tupleize_cols=False))
    report["kind"] = report["kind"].astype(object)
    report["evidence"] = report["evidence"].astype(object)
    return report


# ==========================================================================
# helpers shared by the transformers
# ==========================================================================
def _resolve_names(selection, frame, what):
    """Column names from names/positions (or None → [])."""
    if selection is None:
        return []
    if isinstance(selection, (str, Integral)):
        selection = [selection]
    out = []
    for col in selection:
        if isinstance(col, Integral) and col not in frame.columns:
            if not -frame.shape[1] <= col < frame.shape[1]:
                raise ValueError(f"`{what}`: column position {col} is out of range.")
            col = frame.columns[col]
        if col not in frame.columns:
            raise ValueError(f"`{what}`: unknown column {col!r}.")
        out.append(col)
    return out


def _norm_mode(normalize, column, name):
    """The normalization used for one column ("lower", "strip" or "none")."""
    if normalize != "auto":
        return normalize
    text, _ = P.name_tokens(name)
    if "mail" in text:
        return "lower"
    if pd.api.types.is_string_dtype(column.dtype) or pd.api.types.is_object_dtype(column.dtype):
        sample = column.dropna()
        sample = sample[sample.map(type) == str] if pd.api.types.is_object_dtype(column.dtype) else sample
        sample = text_series(sample.iloc[:1000]).str.strip()
        if len(sample) and P.match_shares(sample, kinds=("email",))["email"] >= 0.5:
            return "lower"
    return "none"


def _is_arrow_string(dtype):
    return pd.api.types.is_string_dtype(dtype) and getattr(dtype, "storage", None) == "pyarrow"


def _factorize_strings(column, name, who, mode="none"):
    """``(codes, texts)``: codes into the list of distinct normalized str values, -1 when missing.

    Numbers, booleans and dates are written as ``str(value)``; bytes are
    decoded as UTF-8, an undecodable byte as a lone surrogate
    (:func:`sklearn_anon._text.decode_bytes`), so distinct bytes values keep
    distinct texts.  Any other object raises a TypeError naming the column
    and the type (never the value).  Arrow-backed string columns are
    normalized with vectorized string kernels before factorizing; other
    columns have their distinct values normalized (two raw values that
    normalize alike then get the same text twice, and the same pseudonym).
    """
    dtype = column.dtype
    if _is_arrow_string(dtype) and mode != "none":
        column = column.str.strip()
        if mode == "lower":
            column = column.str.lower()
        mode = "none"
    codes, texts = _factorize_raw(column, name, who)
    return codes, P.normalize_texts(texts, mode)


#: rows from which a string column is checked for repeats before factorizing
_REPEAT_SAMPLE = 10_000


def _distinct_rows(values, all_str=False):
    """``(codes, texts)`` without factorizing when a random sample of a string
    column holds no repeated value (an id column): factorizing costs about as
    much as hashing, and the rare repeats it would save are hashed twice
    (same pseudonym).  None when the column repeats or is not all str."""
    rng = np.random.default_rng(0)
    sample = values[rng.choice(len(values), size=_REPEAT_SAMPLE, replace=False)]
    sample = [v for v in sample.tolist() if v is not None]
    try:
        if len(set(sample)) != len(sample):
            return None
    except TypeError:  # unhashable objects
        return None
    missing = pd.isna(values)
    texts = values[~missing].tolist()
    if not all_str and not all(type(t) is str for t in texts):
        return None
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[~missing] = np.arange(len(texts))
    return codes, texts


def _factorize_raw(column, name, who):
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    text_like = pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)
    values = column.to_numpy(dtype=object, na_value=None) if text_like else column
    if text_like and len(values) > 2 * _REPEAT_SAMPLE and not isinstance(column.dtype, pd.CategoricalDtype):
        fast = _distinct_rows(values, all_str=not pd.api.types.is_object_dtype(dtype))
        if fast is not None:
            return fast
    try:
        codes, uniques = _text.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable objects (dict, list): slow path, error only
        names = sorted({type(v).__name__ for v in column.dropna() if not isinstance(v, (str, bytes))})
        raise TypeError(
            f"{who}: column {name!r} holds non-string value(s) of type {', '.join(names)}; "
            "convert the column to strings first."
        ) from None
    codes = np.asarray(codes, dtype=np.int64)
    if not text_like:
        return codes, pd.Index(np.asarray(uniques, dtype=object), dtype=object).map(str).tolist()
    objs = np.asarray(uniques, dtype=object)
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return codes, objs.tolist()
    kinds = pd.Series(objs, dtype=object).map(type)
    is_str = kinds.map(lambda t: issubclass(t, str)).to_numpy(dtype=bool)
    if not is_str.all():
        is_bytes = kinds.map(lambda t: issubclass(t, (bytes, bytearray))).to_numpy(dtype=bool)
        bad = ~(is_str | is_bytes)
        if bad.any():
            names = sorted({t.__name__ for t in kinds[bad]})
            raise TypeError(
                f"{who}: column {name!r} holds {int(bad.sum())} distinct non-string "
                f"value(s) of type {', '.join(names)}; convert the column to strings first."
            )
        objs = objs.copy()
        objs[is_bytes] = [decode_bytes(b) for b in objs[is_bytes]]
    return codes, objs.tolist()


def _output_series(texts, codes, column, name, empty=None):
    """A Series of ``texts[codes]`` (missing where code is -1), dtype str-like kept."""
    table = np.empty(len(texts) + 1, dtype=object)
    table[:-1] = texts
    table[-1] = np.nan
    values = table[codes]
    dtype = column.dtype
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype) \
            and not isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(values, index=column.index, name=name, dtype=dtype)
    return pd.Series(values, index=column.index, name=name, dtype=object)


def _frequency_check(column, name, who):
    """Warn when deterministic pseudonyms of ``column`` fall to a frequency attack.

    Returns the number of distinct non-missing values (None when the column
    holds unhashable objects: ``transform`` rejects them).
    """
    try:
        counts = column.value_counts(dropna=True)
    except TypeError:  # unhashable objects: transform will reject them
        return None
    n, n_distinct = int(counts.sum()), len(counts)
    if n == 0:
        return 0
    top_share = counts.iloc[0] / n
    if (n_distinct < 100 and n_distinct < n) or (counts.iloc[0] >= 2 and top_share > 0.05):
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


class _SecretParamsMixin:
    """Keep literal secrets out of ``repr`` (also when nested in a Pipeline)."""

    _secret_params = ("key", "salt")

    def __setattr__(self, attr, value):
        if attr in self._secret_params:
            value = P.hide_secret(value)
        super().__setattr__(attr, value)


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


class _FrameTransformer(TransformerMixin, BaseEstimator):
    """DataFrame/ndarray in, same kind out, for the transformers that are not
    one-to-one (PIIDetector drops columns, KeyedAssigner makes one)."""

    def _frame(self, X, reset):
        return validate_frame(self, X, reset=reset)

    def _input_names(self):
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"x{i}" for i in range(self.n_features_in_)]

    def _output(self, result, is_pandas):
        return output_container(self, result, is_pandas)

    def __sklearn_tags__(self):
        return anonymizer_tags(super().__sklearn_tags__())


# ==========================================================================
# PIIDetector
# ==========================================================================
class PIIDetector(_FrameTransformer):
    """Detect direct identifiers in ``fit`` and drop them in ``transform``.

    ``fit`` runs :func:`detect_pii` on the training table; the columns whose
    suggested role is ``"direct_identifier"`` (plus those forced with
    ``columns``, minus those exempted with ``ignore``) are dropped by
    ``transform``.  The other columns pass through unchanged: use it as the
    ``remainder`` of a ``ColumnTransformer`` to drop whatever identifier the
    other steps do not handle.

    Parameters
    ----------
    columns : list of str or int, or None, default=None
        Columns always dropped, whatever the detection says.
    ignore : list of str or int, or None, default=None
        Columns never dropped (for example an email column that a later
        step pseudonymizes).
    sample_size : int, default=1000
        Rows sampled by the detection.
    min_share : float in (0, 1], default=0.8
        Share of sampled values that must match a content pattern.
    random_state : int, RandomState instance or None, default=0
        Seed of the detection's row sample.

    Attributes
    ----------
    report_ : DataFrame
        The :func:`detect_pii` report of the training table.
    pii_columns_ : list
        The columns dropped by ``transform``.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    detect_pii : the detection itself.
    Pseudonymizer : replace identifiers instead of dropping them.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import PIIDetector
    >>> X = pd.DataFrame({
    ...     "contact": ["ann@example.com", "bob@example.org", "cy@example.net"],
    ...     "ssn": ["123-45-6789", "234-56-7890", "345-67-8901"],
    ...     "purchases": [3, 14, 15]})
    >>> det = PIIDetector().fit(X)
    >>> det.pii_columns_
    ['contact', 'ssn']
    >>> det.transform(X).columns.tolist()
    ['purchases']
    >>> det.get_feature_names_out().tolist()
    ['purchases']
    """

    _parameter_constraints = {
        "columns": ["array-like", str, Integral, None],
        "ignore": ["array-like", str, Integral, None],
        "sample_size": [Interval(Integral, 1, None, closed="left")],
        "min_share": [Interval(Real, 0, 1, closed="right")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, columns=None, ignore=None, sample_size=1000, min_share=0.8, random_state=0):
        self.columns = columns
        self.ignore = ignore
        self.sample_size = sample_size
        self.min_share = min_share
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Detect the direct identifiers of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The training table.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted detector.
        """
        frame, _ = self._frame(X, reset=True)
        forced = _resolve_names(self.columns, frame, "columns")
        ignored = set(_resolve_names(self.ignore, frame, "ignore"))
        self.report_ = detect_pii(frame, sample_size=self.sample_size, min_share=self.min_share,
                                  random_state=self.random_state)
        detected = self.report_.index[self.report_["role"] == P.DIRECT]
        drop = (set(detected) - ignored) | set(forced)
        self.pii_columns_ = [c for c in frame.columns if c in drop]
        return self

    def transform(self, X):
        """Drop the detected direct identifiers.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table, with the columns seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, n_kept)
            The other columns, unchanged, same rows in the same order.
        """
        check_is_fitted(self)
        frame, is_pandas = self._frame(X, reset=False)
        return self._output(frame.drop(columns=self.pii_columns_), is_pandas)

    def get_feature_names_out(self, input_features=None):
        """The names of the columns ``transform`` keeps.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input names; must match ``feature_names_in_`` when it exists.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        names = self._input_names()
        if input_features is not None:
            input_features = [str(f) for f in input_features]
            if len(input_features) != len(names) or (
                hasattr(self, "feature_names_in_") and input_features != names
            ):
                raise ValueError("input_features is not equal to feature_names_in_")
        dropped = set(self.pii_columns_)
        labels = getattr(self, "column_labels_", names)  # pii_columns_ holds these labels
        keep = [i for i, c in enumerate(labels) if c not in dropped]
        chosen = names if input_features is None else input_features
        return np.asarray([chosen[i] for i in keep], dtype=object)

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
    chunks.

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

    _state_attr = "normalize_"

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
        key=None,
        *,
        method="hmac-sha256",
        salt=None,
        iterations=1000,
        normalize="auto",
        encoding="hex",
        length=None,
        digest_size=32,
        n_jobs=None,
        columns=None,
    ):
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

    def transform(self, X):
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

    def _transform_column(self, column, name, mode):
        who = type(self).__name__
        codes, texts = _factorize_strings(column, name, who, mode)
        secret = self._fitted_secret()  # per column: a key rotated meanwhile is refused too
        n_fit = (getattr(self, "n_distinct_", None) or {}).get(name) or 0
        if len(texts) > n_fit and _collision_message(who, name, len(texts), self._bits(), "") is not None:
            # more distinct values than fit saw, and the bound may be crossed: count exactly
            n = len(set(texts) - {""})
            message = _collision_message(who, name, n, self._bits(), "in this batch")
            if n > n_fit and message is not None:
                warnings.warn(message, PseudonymCollisionWarning, stacklevel=4)
        digests = _hash_texts(
            texts, self.method, secret, iterations=self.iterations,
            digest_size=self.digest_size, encoding=self.encoding, length=self.length,
            n_jobs=self.n_jobs,
        )
        if "" in texts:  # nothing to hide in an empty string
            for i in [i for i, t in enumerate(texts) if t == ""]:
                digests[i] = ""
        return _output_series(digests, codes, column, name)


# ==========================================================================
# KeyedAssigner
# ==========================================================================
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

    def __init__(self, choices=None, *, weights=None, key=None, random_state=None, normalize="auto",
                 name="assignment"):
        self.choices = choices
        self.weights = weights
        self.key = key
        self.random_state = random_state
        self.normalize = normalize
        self.name = name

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
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

    def transform(self, X):
        """The assigned choice of each row.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The id column(s) seen in fit.

        Returns
        -------
        X_out : DataFrame or ndarray of shape (n_samples, 1)
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
        codes, texts = None, None
        for j, mode in enumerate(self.normalize_):
            c, t = _factorize_strings(frame.iloc[:, j], frame.columns[j], who, mode)
            if codes is None:
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

    def get_feature_names_out(self, input_features=None):
        """One output column, named ``name``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (kept for the scikit-learn API).

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        return np.asarray([self.name], dtype=object)


# ==========================================================================
# FakeReplacer
# ==========================================================================
_FAKE_KINDS = ("name", "first_name", "last_name", "email", "username", "phone", "address", "city", "ip", "ssn")
#: detect_pii kind -> fake kind
_DETECTED_TO_FAKE = {"person_name": "name", "email": "email", "username": "username", "phone": "phone",
                     "postal_address": "address", "city": "city", "ipv4": "ip", "ssn": "ssn"}
_POOL_SIZE = 1000
_POOLS = {}


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

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import FakeReplacer
    >>> X = pd.DataFrame({"email": ["ann@example.com", "ANN@example.com "]})
    >>> out = FakeReplacer(key=b"secret").fit_transform(X)["email"]
    >>> out[0] == out[1], out[0].endswith("example.com")
    (True, False)
    """

    _state_attr = "kinds_"
    _secret_params = ("key",)

    _parameter_constraints = {
        "key": [bytes, str, None],
        "kind": [StrOptions({"auto", *_FAKE_KINDS}), dict],
        "locale": [str],
        "normalize": [StrOptions({"auto", "lower", "strip", "none"})],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(self, key=None, *, kind="auto", locale="en_US", normalize="auto", columns=None):
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

    def transform(self, X):
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

    def _transform_column(self, column, name, state):
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
