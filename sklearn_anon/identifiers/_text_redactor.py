"""Mask identifiers inside free text: :class:`TextRedactor`.

The built-in engine is one regular expression with a named group per kind,
scanned once over each text; a match is checked before it is masked (Luhn
for card numbers, mod-97 for IBANs, 7 to 15 digits for phone numbers, the
name lexicon for names).  Names are recognised in runs of capitalized words
(any script with capitals): a word of the lexicon (:mod:`._lexicon`, Faker's
first and last names of every locale) is masked alone unless it is also a
common word ("Rose", "May", "Long"); a common-word name is masked next to
another name or after a title; a capitalized word right after a first name
(a surname missing from the lexicon) or after a title is masked too.

Nothing here formats a cell value into a message.
"""

from __future__ import annotations

import re
from functools import lru_cache
from numbers import Integral

import numpy as np
import pandas as pd

from .. import _text
from .._compat import StrOptions
from .._persistence import _PlainState
from .._text import decode_bytes
from ..base import ColumnAnonymizer
from ._lexicon import name_lexicon
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Literal, Sequence

#: every kind the redactor knows, in the order of the combined pattern
KINDS = ("email", "url", "iban", "credit_card", "ip_address", "ssn", "phone", "person_name")
#: the default kinds (URLs are left: they are rarely personal and often the point of a text)
DEFAULT_KINDS = ("email", "iban", "credit_card", "ip_address", "ssn", "phone", "person_name")
_LABELS = {"email": "EMAIL", "url": "URL", "iban": "IBAN", "credit_card": "CARD", "ip_address": "IP",
           "ssn": "SSN", "phone": "PHONE", "person_name": "NAME"}

# --------------------------------------------------------------------------
# The patterns, one pass per family
# --------------------------------------------------------------------------
# Each pass runs only on the texts a cheap test admits ("@" for e-mails, a
# digit for numbers, a capital for names), and each pattern starts with a
# character class so that the regular-expression engine skips ahead fast.
# A masked identifier becomes one sentinel character of Unicode's private
# use plane (one per kind), which no later pass matches, and the sentinels
# become the labels at the end.
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
def _upper_class():
    """Every upper-case or title-case letter of the Basic Multilingual Plane, as
    character-class ranges (``re`` has no ``\\p{Lu}``): Latin, Greek,
    Cyrillic, Armenian, Georgian, ..."""
    ranges, start, prev = [], None, None
    for code in range(0x10000):
        ch = chr(code)
        if ch.isupper() or ch.istitle():
            if start is None:
                start = code
            prev = code
        elif start is not None:
            ranges.append((start, prev))
            start = None
    if start is not None:
        ranges.append((start, prev))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


_UPPER = _upper_class()
_CAP = rf"[{_UPPER}][^\W\d_]*(?:['’\-][^\W\d_]+)*(?!\w)"
_H = "[0-9A-Fa-f]{1,4}"
_IPV6 = ("(?:"
         + "|".join([f"(?:{_H}:){{7}}{_H}", f"(?:{_H}:){{1,7}}:", f"(?:{_H}:){{1,6}}:{_H}"]
                    + [f"(?:{_H}:){{1,{6 - i}}}(?::{_H}){{1,{i + 1}}}" for i in range(1, 6)]
                    + [f":(?::{_H}){{1,7}}"])
         + ")(?![0-9A-Fa-f:])")
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "mme", "mlle",
           "sr", "sra", "srta", "sig", "pan", "pani"}
#: capitalized words that open a sentence or a greeting before a surname
#: ("Dear Smith", "Contact Miller"): not taken for a first name
_LEAD_WORDS = {"the", "a", "an", "dear", "hi", "hello", "hey", "please", "thanks", "thank", "contact", "call",
               "ask", "tell", "email", "mail", "from", "to", "for", "with", "and", "or", "by", "cc", "attn",
               "re", "fw", "fwd", "per", "via", "team", "family", "client", "customer", "patient", "user",
               "mister", "madam", "doctor", "professor", "our", "your", "my", "his", "her", "their", "this",
               "that", "if", "when", "then", "but", "so", "as", "at", "on", "in", "of", "is", "was", "see"}
_PARTICLE = r"(?:van|von|der|den|de|da|del|della|di|du|la|le|dos|das|bin|ibn|al|el|ter|zu)"

_EMAIL_RX = re.compile(r"(?<![A-Za-z0-9._%+'\-])[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_URL_RX = re.compile(r"(?:https?|ftp)://[^\s<>\"']+|www\.[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?:/[^\s<>\"']*)?")
_IBAN_RX = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])")
_NUMBER_PIECES = {
    "credit_card": r"\d{4}(?:[ \-]\d{4}){2}[ \-]\d{1,7}(?![\d\-])|\d{4}[ \-]\d{6}[ \-]\d{5}(?![\d\-])"
    r"|\d{13,19}(?![\d\-])",
    # a dot after the address ends a sentence unless a digit follows (10.0.0.1.5 is no IP)
    "ip_address": rf"{_OCTET}(?:\.{_OCTET}){{3}}(?!\d|\.\d)",
    "ssn": r"(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d\-])",
    "phone": r"(?:\+|00)?(?:\(\d{1,5}\)[\s.\-]?)?\d(?:[\s.\-/]?\(?\d\)?){5,40}(?:\s*(?:x|ext\.?)\s*\d{1,5})?(?!\w)",
}
_IPV6_RX = re.compile(_IPV6)
_TITLE = r"(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Srta|Sra|Sr|Sig|Pani|Pan)"
_NAME_RX = re.compile(rf"(?<![\w.])(?:{_TITLE}\.?[ \t]+)?{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_CAP}){{0,4}}")
_DIGIT = re.compile(r"\d")
_CAPITAL = re.compile(f"[{_UPPER}]")
_IBAN_HINT = re.compile(r"[A-Z]{2}\d\d")
_DATE_LIKE = re.compile(r"\d{4}[\-/.]\d{1,2}[\-/.]\d{1,2}|\d{1,2}[\-/.]\d{1,2}[\-/.]\d{2,4}")
_CAP_RX = re.compile(_CAP)
_NON_DIGIT = re.compile(r"\D")
_LOCAL_PHONE = re.compile(r"\d{3}[\s.\-]\d{4}|0\d{1,4}[\s.\-/]\d{4,8}|0\d(?:[\s.]\d\d){3,4}")
_SMALL_NUMBERS = re.compile(r"\d{1,3}(?:[\s,]\d{3})+|(?:19|20)\d\d\s?[\-/]\s?(?:19|20)\d\d")
#: one private-use character per kind while a text is being redacted
_SENTINEL = {k: chr(0xF0000 + i) for i, k in enumerate(KINDS)}


@lru_cache(maxsize=16)
def _number_rx(kinds):
    """The pattern of the number kinds among ``kinds`` (None when there is none)."""
    pieces = [f"(?P<{k}>{_NUMBER_PIECES[k]})" for k in ("credit_card", "ip_address", "ssn", "phone")
              if k in kinds or (k == "phone" and "credit_card" in kinds)]
    # never starting inside a word or a number (each digit of a long number
    # would start a new attempt)
    return re.compile(r"(?<![\w.+\-])(?=[\d+(])(?:" + "|".join(pieces) + ")") if pieces else None


def _luhn(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_ok(text):
    s = text.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def _phone_ok(text):
    if _DATE_LIKE.fullmatch(text):
        return False
    core = re.split(r"\s*(?:x|ext\.?)\s*\d", text, maxsplit=1)[0]
    n = len(_NON_DIGIT.sub("", core))
    if not 7 <= n <= 15:
        return False
    if text.startswith(("+", "00", "(")):
        return True
    if n >= 10:
        # not a list of small numbers ("100 200 300 400") nor a range of years
        return not _SMALL_NUMBERS.fullmatch(core)
    # 7-9 digits: only a local number's shape (555-0143, 030 1234567)
    return bool(_LOCAL_PHONE.fullmatch(core))


def _phones(text):
    """``text`` with each phone number in it masked: the whole when it is one,
    else split at spaces (two numbers side by side: the longest valid head
    first, then the rest)."""
    if _phone_ok(text):
        return _SENTINEL["phone"]
    cuts = list(re.finditer(r"\s+", text))
    if not cuts:
        return text
    for m in reversed(cuts):
        if _phone_ok(text[:m.start()]):
            return _SENTINEL["phone"] + m.group() + _phones(text[m.end():])
    first = cuts[0]
    return text[:first.end()] + _phones(text[first.end():])


def _starts_word(match, extra=""):
    """Whether a match starts a word (not inside a longer word or number)."""
    i = match.start()
    if i == 0:
        return True
    prev = match.string[i - 1]
    return not (prev.isalnum() or prev == "_" or prev in extra)


def _name_spans(text, lex):
    """``[(a, b)]`` positions (in ``text``) to mask in a run of capitalized words."""
    tokens = [(m.start(), m.end(), m.group().casefold()) for m in _CAP_RX.finditer(text)]
    tokens = [t for t in tokens if text[t[0]].isupper()]
    title = bool(tokens) and tokens[0][2] in _TITLES and len(tokens) > 1
    if title:
        tokens = tokens[1:]
    n = len(tokens)
    if not n:
        return []
    if title:
        masked = [True] * n
    else:
        known = [t[2] in lex.names for t in tokens]
        masked = [known[i] and (tokens[i][2] in lex.strong or (i > 0 and known[i - 1])
                                or (i + 1 < n and known[i + 1])) for i in range(n)]
        for i in range(1, n):  # a surname the lexicon lacks, after a first name
            prev = tokens[i - 1][2]
            if not masked[i] and masked[i - 1] and prev in lex.first and prev in lex.strong:
                masked[i] = True
        for i in range(n - 2, -1, -1):  # a first name the lexicon lacks, before a surname
            nxt = tokens[i + 1][2]
            if (not masked[i] and masked[i + 1] and nxt in lex.last and nxt in lex.strong
                    and tokens[i][2] not in _LEAD_WORDS):
                masked[i] = True
    spans = []
    for i in range(n):
        if masked[i]:
            a, b = tokens[i][0], tokens[i][1]
            if i > 0 and masked[i - 1]:
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
    return spans


def _redact_one_pass(texts, todo, rx, replace):
    sub = rx.sub
    for i in todo:
        new = sub(replace, texts[i])
        if new != texts[i]:
            texts[i] = new


def _sentinel_texts(texts, kinds):
    """Copies of ``texts`` with each identifier of ``kinds`` replaced by its sentinel."""
    out = list(texts)
    idx = range(len(out))
    S = _SENTINEL
    if "email" in kinds:
        _redact_one_pass(out, [i for i in idx if "@" in out[i]], _EMAIL_RX, lambda m: S["email"])
    if "url" in kinds:
        _redact_one_pass(out, [i for i in idx if "://" in out[i] or "www." in out[i]], _URL_RX,
                         lambda m: S["url"])
    if "iban" in kinds:
        def iban(m):
            return S["iban"] if _starts_word(m) and _iban_ok(m.group()) else m.group()
        _redact_one_pass(out, [i for i in idx if _IBAN_HINT.search(out[i])], _IBAN_RX, iban)
    rx = _number_rx(kinds)
    if rx is not None:
        def number(m):
            kind, text = m.lastgroup, m.group()
            if not _starts_word(m, "+-." if kind != "phone" else "+"):
                return text
            if kind == "credit_card":
                if _luhn(_NON_DIGIT.sub("", text)):
                    return S["credit_card"]
                kind = "phone"
            if kind == "phone":
                return _phones(text) if "phone" in kinds else text
            return S[kind]
        _redact_one_pass(out, [i for i in idx if _DIGIT.search(out[i])], rx, number)
    if "ip_address" in kinds:
        def ipv6(m):
            return S["ip_address"] if _starts_word(m, ":") else m.group()
        _redact_one_pass(out, [i for i in idx if out[i].count(":") >= 2], _IPV6_RX, ipv6)
    if "person_name" in kinds:
        lex = name_lexicon()

        strong = lex.strong

        def name(m):
            text = m.group()
            if " " not in text and "\t" not in text:  # one word (the common case)
                return S["person_name"] if text.casefold() in strong else text
            spans = _name_spans(text, lex)
            if not spans:
                return text
            parts, last = [], 0
            for a, b in spans:
                parts.append(text[last:a])
                parts.append(S["person_name"])
                last = b
            parts.append(text[last:])
            return "".join(parts)
        _redact_one_pass(out, [i for i in idx if _CAPITAL.search(out[i])], _NAME_RX, name)
    return out


def redact_texts(texts, kinds=DEFAULT_KINDS, labels=None):
    """Redacted copies of a list of str (the built-in engine).

    Examples
    --------
    >>> from sklearn_anon.identifiers._text_redactor import redact_texts
    >>> redact_texts(["Mail ann@example.com or call Maria Schmidt on +49 30 1234567."])
    ['Mail [EMAIL] or call [NAME] on [PHONE].']
    """
    labels = {k: f"[{_LABELS[k]}]" for k in KINDS} if labels is None else labels
    pairs = [(_SENTINEL[k], labels[k]) for k in KINDS]
    out = _sentinel_texts(texts, tuple(kinds))
    # only the texts that changed hold sentinels (a sentinel character already
    # in an unchanged text stays as it was)
    for i, (new, old) in enumerate(zip(out, texts)):
        if new is not old and new != old:
            for sentinel, label in pairs:
                if sentinel in new:
                    new = new.replace(sentinel, label)
            out[i] = new
    return out


def pii_in_texts(texts, kinds=DEFAULT_KINDS):
    """Boolean array: which texts hold at least one identifier of ``kinds``."""
    out = _sentinel_texts(texts, tuple(kinds))
    return np.fromiter((o != t for o, t in zip(out, texts)), dtype=bool, count=len(texts))


# --------------------------------------------------------------------------
# Presidio backend (optional)
# --------------------------------------------------------------------------
_PRESIDIO_ENTITIES = {"email": "EMAIL_ADDRESS", "url": "URL", "iban": "IBAN_CODE", "credit_card": "CREDIT_CARD",
                      "ip_address": "IP_ADDRESS", "ssn": "US_SSN", "phone": "PHONE_NUMBER",
                      "person_name": "PERSON"}


def _presidio_available():
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _presidio_engine():
    try:
        from presidio_analyzer import AnalyzerEngine
    except ImportError:
        raise ImportError(
            "TextRedactor(backend='presidio') needs the optional package presidio-analyzer "
            "(pip install presidio-analyzer, and a spaCy model for names); "
            "backend='builtin' needs nothing."
        ) from None
    return AnalyzerEngine()


def _redact_presidio(texts, kinds, labels, language):
    engine = _presidio_engine()
    back = {v: k for k, v in _PRESIDIO_ENTITIES.items()}
    entities = [_PRESIDIO_ENTITIES[k] for k in kinds]
    out = []
    for text in texts:
        results = engine.analyze(text=text, language=language, entities=entities)
        # overlapping results merge into one span (labelled by the first to
        # start); spans are replaced from the end so positions stay valid
        spans = sorted(((r.start, r.end, back.get(r.entity_type)) for r in results if r.entity_type in back),
                       key=lambda s: (s[0], -s[1]))
        merged = []
        for a, b, kind in spans:
            if merged and a < merged[-1][1]:
                if b > merged[-1][1]:
                    merged[-1] = (merged[-1][0], b, merged[-1][2])
                continue
            merged.append((a, b, kind))
        for a, b, kind in reversed(merged):
            text = text[:a] + labels[kind] + text[b:]
        out.append(text)
    return out


# --------------------------------------------------------------------------
# TextRedactor
# --------------------------------------------------------------------------
def _text_values(column, name, who, on_non_text):
    """``(values, missing)``: the column as a list of str (missing rows: "") and a mask.

    A value that is not text (a number, a date, a bool) raises a TypeError
    naming the column and the types, never the value, unless
    ``on_non_text="convert"``, which writes it as ``str(value)``.
    """
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        column = column.astype(object)
        dtype = column.dtype
    missing = column.isna().to_numpy(dtype=bool)
    text_dtype = pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype)
    if text_dtype:
        values = column.to_numpy(dtype=object, na_value="")
        return list(values), missing
    arr = column.to_numpy(dtype=object)
    if not pd.api.types.is_object_dtype(dtype):
        if on_non_text == "error":
            raise TypeError(
                f"{who}: column {name!r} is not text (dtype {dtype}); redact text columns only, "
                "or pass on_non_text='convert' to redact the values' text form."
            )
    values = arr.copy()
    values[missing] = ""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":  # all str: one C pass
        return list(values), missing
    kinds = pd.Series(values, dtype=object).map(type)
    is_str = kinds.map(lambda t: issubclass(t, str)).to_numpy(dtype=bool)
    if not is_str.all():
        is_bytes = kinds.map(lambda t: issubclass(t, (bytes, bytearray))).to_numpy(dtype=bool)
        bad = ~(is_str | is_bytes)
        if bad.any() and on_non_text == "error":
            names = sorted({t.__name__ for t in kinds[bad]})
            raise TypeError(
                f"{who}: column {name!r} holds {int(bad.sum())} non-text value(s) of type "
                f"{', '.join(names)}; convert the column to strings first, or pass "
                "on_non_text='convert'."
            )
        values[is_bytes] = [decode_bytes(b) for b in values[is_bytes]]
        values[bad] = [str(v) for v in values[bad]]
    return list(values), missing


class TextRedactor(_PlainState, ColumnAnonymizer):
    """Mask e-mails, phone numbers, card numbers, IPs and names inside free text.

    Each text keeps its words; every identifier found in it is replaced by a
    label (``[EMAIL]``, ``[PHONE]``, ``[CARD]``, ``[IP]``, ``[NAME]``,
    ``[IBAN]``, ``[SSN]``, ``[URL]``).  Rows are never dropped nor
    reordered; missing values stay missing.

    The built-in engine is offline and needs no extra: one regular
    expression per text, with checks (Luhn for card numbers, mod-97 for
    IBANs, 7-15 digits for phone numbers) and a lexicon of first and last
    names (Faker's, every locale, shipped with the package) for names in
    runs of capitalized words.  A name that is also a common word ("Rose",
    "May") is masked only next to another name or after a title ("Dr.",
    "Mrs"); a capitalized word right after a first name is masked as a
    surname.  Names in lower case, or in scripts without capitals, are not
    found: pass ``backend="presidio"`` (an NER model) when that matters.

    Redaction is a filter, not a guarantee: what no pattern describes (a
    street name, a nickname, a rare name the lexicon lacks, written alone)
    passes through.  Measure it on your own texts before a release.

    Parameters
    ----------
    kinds : list of str or None, default=None
        Kinds to mask, among ``"email"``, ``"phone"``, ``"credit_card"``,
        ``"ip_address"``, ``"person_name"``, ``"iban"``, ``"ssn"``,
        ``"url"``.  None: every kind but ``"url"``.
    replacement : str, default="[{label}]"
        What replaces an identifier; ``{label}`` becomes the kind's label
        (``EMAIL``, ``PHONE``, ``CARD``, ``IP``, ``NAME``, ``IBAN``,
        ``SSN``, ``URL``).  For example ``"***"`` masks every kind alike.
    backend : {"builtin", "presidio"}, default="builtin"
        ``"presidio"`` runs Microsoft Presidio's ``AnalyzerEngine``
        (optional package ``presidio-analyzer`` with a spaCy model; about a
        thousand times slower) and masks the entities of ``kinds`` it finds.
    language : str, default="en"
        Language passed to Presidio (the built-in engine ignores it).
    on_non_text : {"error", "convert"}, default="error"
        A column (or a value) that is not text -- numbers, dates, booleans
        -- raises a TypeError naming the column, never the value (fail
        closed: a number is no free text, and a phone number stored as an
        integer would otherwise pass).  ``"convert"`` redacts the value's
        text form ``str(value)`` instead; the output is then text.
    columns : list of str or int, or None, default=None
        Columns to redact (names or positions); the others pass through
        unchanged.  None: every column.

    Attributes
    ----------
    kinds_ : tuple of str
        The kinds masked.
    columns_ : list
        The redacted columns.
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of str
        Column names seen in fit (DataFrame input only).

    See Also
    --------
    detect_pii : finds the columns to redact (kind ``"free_text"``).
    PIIDetector : drops whole identifier columns instead.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import TextRedactor
    >>> X = pd.DataFrame({"note": [
    ...     "Call Maria Schmidt on +49 30 1234567 or maria@example.org",
    ...     "Card 4111 1111 1111 1111 declined, IP 192.168.0.12",
    ...     None]})
    >>> TextRedactor().fit_transform(X)["note"].tolist()
    ['Call [NAME] on [PHONE] or [EMAIL]', 'Card [CARD] declined, IP [IP]', nan]
    >>> TextRedactor(kinds=["email"], replacement="***").fit_transform(X)["note"].iloc[0]
    'Call Maria Schmidt on +49 30 1234567 or ***'
    """

    _parameter_constraints = {
        "kinds": ["array-like", None],
        "replacement": [str],
        "backend": [StrOptions({"builtin", "presidio"})],
        "language": [str],
        "on_non_text": [StrOptions({"error", "convert"})],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(
        self,
        *,
        kinds: Sequence[str] | None = None,
        replacement: str = "[{label}]",
        backend: Literal["builtin", "presidio"] = "builtin",
        language: str = "en",
        on_non_text: Literal["error", "convert"] = "error",
        columns: Sequence[str | int] | None = None,
    ) -> None:
        self.kinds = kinds
        self.replacement = replacement
        self.backend = backend
        self.language = language
        self.on_non_text = on_non_text
        self.columns = columns

    def _check_params(self, X):
        kinds = DEFAULT_KINDS if self.kinds is None else list(self.kinds)
        unknown = [k for k in kinds if k not in KINDS]
        if unknown or not kinds:
            raise ValueError(f"TextRedactor: `kinds` must be a non-empty list among {', '.join(KINDS)}.")
        try:
            self.replacement.format(label="X")
        except (KeyError, IndexError, ValueError):
            raise ValueError("TextRedactor: `replacement` may only use the field {label}.") from None
        if self.backend == "presidio":
            _presidio_engine()  # an ImportError naming the package, at fit
        self.kinds_ = tuple(k for k in KINDS if k in kinds)

    def _fit_column(self, column, name):
        # fail at fit on a column that is not text (checked again at transform)
        _text_values(column, name, type(self).__name__, self.on_non_text)
        return column.dtype

    def _labels(self):
        return {k: self.replacement.format(label=_LABELS[k]) for k in KINDS}

    def _transform_column(self, column, name, state, rng):
        values, missing = _text_values(column, name, type(self).__name__, self.on_non_text)
        # each distinct text is redacted once (templated notes repeat); the
        # package's factorize keeps "a\x00b" and "a\x00c" apart (pandas' own may not)
        codes, uniques = _text.factorize(np.asarray(values, dtype=object))
        uniques = list(uniques)
        if self.backend == "presidio":
            out = _redact_presidio(uniques, self.kinds_, self._labels(), self.language)
        else:
            out = redact_texts(uniques, self.kinds_, self._labels())
        result = np.asarray(out, dtype=object)[codes] if len(codes) else np.empty(0, dtype=object)
        result[missing] = np.nan
        dtype = column.dtype
        if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype) \
                and not isinstance(dtype, pd.CategoricalDtype):
            return pd.Series(result, index=column.index, name=name, dtype=dtype)
        return pd.Series(result, index=column.index, name=name, dtype=object)

