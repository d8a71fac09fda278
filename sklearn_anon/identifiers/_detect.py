"""Find direct identifiers: :func:`detect_pii` and :class:`PIIDetector`.

:func:`detect_pii` profiles a table column by column (by name *and*
content, on a sample) and suggests a role for each column;
:class:`PIIDetector` runs that detection in ``fit`` and drops the direct
identifiers in ``transform``.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .. import _text
from .._compat import Interval, _fit_context
from .._persistence import _PlainState
from .._text import text_series
from ..base import check_frame, make_rng
from . import _patterns as P
from ._common import _FrameTransformer
from ._lexicon import name_lexicon
from ._text_redactor import _UPPER as _UP
from ._text_redactor import pii_in_texts
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Sequence
    from .._typing import ArrayLike, Self

_NAME_WORD = rf"[{_UP}][^\W\d_]*(?:['’\-][^\W\d_]+)*"
#: a person's name: titles (any short abbreviation with a dot: "Dr.",
#: "Sig.ra", "Yrd. Doç."), one to five capitalized words with lower-case
#: particles between them ("van den", "de la"), degrees after them
_NAME_SHAPE = (rf"(?:(?:[^\W\d_]{{1,5}}\.(?:[^\W\d_]{{1,4}}\.?)?|[^\W\d_]-[^\W\d_]{{1,2}}|Mr|Mrs|Ms|Miss|Mx|Dr"
               rf"|Herr|Frau|Mme|pan|pani|Dipl\.-Ing\.?)\s+)*"
               rf"(?:{_NAME_WORD}|{_NAME_WORD},)(?:\s+(?:[^\W\d_A-Z]{{1,4}}\s+){{0,2}}"
               rf"(?:{_NAME_WORD}\.?|[{_UP}]\.)){{0,4}}"
               r"(?:,?\s+(?:Jr\.?|Sr\.?|II|III|IV|V|MD|PhD|DDS|DVM|MBA\.?|[BM]\.\s?(?:Sc|A|Eng)\.|Dipl\.-\w+\.?))*")


# ==========================================================================
# detect_pii
# ==========================================================================
_REPORT_COLUMNS = ["role", "kind", "evidence", "match_share", "distinct_ratio", "n_sampled"]
#: content kinds that also confirm a given name hint (``ip`` named, IPv6 inside)
_COMPATIBLE = {"ipv4": {"ipv6"}, "ipv6": {"ipv4"}, "username": {"email"}, "postal_code": {"zip_plus4"},
               "uuid": {"hash_id"}, "hash_id": {"uuid"}, "phone": {"msisdn"}, "msisdn": {"phone"},
               "account_number": {"iban"}, "cookie_id": {"uuid", "hash_id"}, "imei": {"credit_card"}}
#: name-hinted direct kinds acceptable for an integer column
_INTEGER_KINDS = {"phone", "ssn", "credit_card", "iban", "username", "uuid", "record_id", "msisdn", "imei",
                  "passport_number", "drivers_license", "account_number", "cookie_id"}
#: a text column whose values hold this many words (median) is free text
_FREE_TEXT_WORDS = 4
#: share of free-text values with an identifier inside that makes the column one
_FREE_TEXT_MIN_SHARE = 0.1
#: minimal distinct-value ratio for content kinds that are only weakly specific
_MIN_DISTINCT = {"username": 0.7, "person_name": 0.3, "postal_address": 0.5, "hash_id": 0.5, "phone": 0.5,
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


def _name_share(strings):
    """Share of values that look like a person's name.

    A value is shaped like a name when it is one to five capitalized words
    (titles, lower-case particles and degrees allowed).  A column of
    several-word values counts its shaped values when at least half of them
    hold a name of the lexicon that is not also a common word (so a rare
    name passes with its column, and "Red Lamp", "Blue Widget" do not); a
    column of single words counts only the lexicon's names.
    """
    lex = name_lexicon()
    n = len(strings)
    shaped = strings.str.fullmatch(_NAME_SHAPE).to_numpy(dtype=bool, na_value=False)
    if not n or not shaped.any():
        return 0.0
    words = strings[shaped].str.findall(_NAME_WORD).tolist()
    n_words = np.fromiter((len(ws) for ws in words), dtype=np.int64, count=len(words))
    known = np.fromiter((any(w.casefold() in lex.strong for w in ws) for ws in words), dtype=bool,
                        count=len(words))
    multi = n_words >= 2
    if multi.sum() >= (~multi).sum():
        if known[multi].mean() >= 0.5:
            return float(multi.sum() / n)
        return float((known & multi).sum() / n)
    return float((known & (n_words == 1)).sum() / n)


def _is_free_text(strings):
    """Whether a text column holds sentences rather than values (median words)."""
    counts = strings.str.count(r"\s+") + 1
    return bool(len(counts)) and float(counts.median()) >= _FREE_TEXT_WORDS


def _pii_share(strings):
    """Share of texts with at least one identifier inside (the redactor's finder)."""
    return float(pii_in_texts(strings.tolist()).mean()) if len(strings) else 0.0


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
        shares["person_name"] = _name_share(strings)
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
        if content is None and _is_free_text(strings):
            pii = _pii_share(strings)
            if pii >= _FREE_TEXT_MIN_SHARE:
                content, share = "free_text", pii
        if content is None:
            if P.sex_like(strings):
                content, share = "sex", 1.0
            elif P.state_like(strings):
                content, share = "state", 1.0
    else:  # integers: only IMEIs and card numbers can be told by content (Luhn)
        long_digits = strings.str.len().between(13, 19).mean() >= min_share
        if long_digits:
            shares = P.match_shares(strings, kinds=("imei", "credit_card"))
            for kind in ("imei", "credit_card"):
                if shares[kind] >= min_share:
                    content, share = kind, shares[kind]
                    break

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


def detect_pii(
    X: ArrayLike,
    *,
    sample_size: int = 1000,
    min_share: float = 0.8,
    random_state: int | np.random.RandomState | None = 0,
) -> pd.DataFrame:
    """Suggest a privacy role for each column of a table, by name and by content.

    Each column is judged on a random sample of ``sample_size`` rows: its
    content is matched against patterns (emails, phone numbers of any
    country's format, E.164 MSISDNs, SSNs, card numbers with a Luhn check,
    IMEIs with theirs, IBANs with their mod-97 check, IPv4/IPv6, MAC
    addresses, URLs, UUIDs, hex digests, Google Analytics client ids, dates
    of birth, postal addresses, user names), person names are recognised
    with a lexicon of first and last names (Faker's lists for every locale,
    shipped with the package: no Faker needed, nothing leaves the machine),
    free text is searched for identifiers inside it (the finder of
    :class:`TextRedactor`), and the column name is matched against hints
    (``zip``, ``dob``, ``income``, ``passport``, ``driver_license``,
    ``account_number``, ``cookie``, ...).  Identifiers without a content
    signature (passport, driver's licence and account numbers, numeric
    cookie ids) are found by their name only; a radio-cell column
    (``cell_tower_id``, ``cell_id``) is not a cell phone.  Content wins over the name: a column called
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
        - ``kind``: ``email``, ``phone``, ``msisdn``, ``ssn``,
          ``credit_card``, ``imei``, ``iban``, ``account_number``,
          ``passport_number``, ``drivers_license``, ``cookie_id``,
          ``ipv4``, ``ipv6``, ``mac_address``, ``url``, ``username``,
          ``person_name``, ``postal_address``, ``hash_id``, ``uuid``,
          ``free_text`` (text with identifiers inside: redact it with
          :class:`TextRedactor`), ``record_id`` (a customer/patient/member
          number, by name),
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
    TextRedactor : masks the identifiers inside a free-text column.

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
    for column in ("kind", "evidence"):
        # Missing entries are NaN under every pandas (2.2 would keep None).
        values = report[column].astype(object)
        report[column] = values.where(values.notna(), np.nan)
    return report


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


# ==========================================================================
# PIIDetector
# ==========================================================================
class PIIDetector(_PlainState, _FrameTransformer):
    """Detect direct identifiers in ``fit`` and drop them in ``transform``.

    ``fit`` runs :func:`detect_pii` on the training table; the columns whose
    suggested role is ``"direct_identifier"`` (plus those forced with
    ``columns``, minus those exempted with ``ignore``) are dropped by
    ``transform``.  The other columns pass through unchanged: use it as the
    ``remainder`` of a ``ColumnTransformer`` to drop whatever identifier the
    other steps do not handle.  A free-text column with identifiers inside
    (kind ``"free_text"``) is dropped too; to keep its text, ``ignore`` it
    here and mask it with :class:`TextRedactor`.

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

    def __init__(
        self,
        *,
        columns: Sequence[str | int] | None = None,
        ignore: Sequence[str | int] | None = None,
        sample_size: int = 1000,
        min_share: float = 0.8,
        random_state: int | np.random.RandomState | None = 0,
    ) -> None:
        self.columns = columns
        self.ignore = ignore
        self.sample_size = sample_size
        self.min_share = min_share
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
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

    def transform(self, X: ArrayLike) -> pd.DataFrame | np.ndarray:
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

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """The names of the columns ``transform`` keeps.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input names; must match ``feature_names_in_`` when it exists.

        Returns
        -------
        feature_names_out : ndarray of str
            The input names without the detected PII columns, in input order.
        """
        check_is_fitted(self)
        names = self._input_names()
        if input_features is not None:
            input_features = [str(f) for f in np.asarray(input_features, dtype=object).ravel()]
            if len(input_features) != len(names) or (
                hasattr(self, "feature_names_in_") and input_features != names
            ):
                raise ValueError("input_features is not equal to feature_names_in_")
        dropped = set(self.pii_columns_)
        labels = getattr(self, "column_labels_", names)  # pii_columns_ holds these labels
        keep = [i for i, c in enumerate(labels) if c not in dropped]
        chosen = names if input_features is None else input_features
        return np.asarray([chosen[i] for i in keep], dtype=object)
