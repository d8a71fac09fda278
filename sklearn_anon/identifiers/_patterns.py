"""Private helpers of :mod:`sklearn_anon.identifiers`.

* content patterns and column-name hints used by ``detect_pii``;
* vectorized checks (Luhn, IBAN mod-97, dates of birth);
* secret resolution (``"env:NAME"`` references) and a str/bytes wrapper whose
  ``repr`` hides the secret;
* keyed hashing of a list of values (HMAC-SHA256 with the padded keys hashed
  once, keyed BLAKE2b, PBKDF2-HMAC-SHA256), chunked for joblib.

Nothing here ever formats a cell value into a message.
"""

import base64
import hashlib
import hmac
import math
import os
import re

import numpy as np
import pandas as pd

from .. import _text
from .._text import encode_text

# --------------------------------------------------------------------------
# Roles and kinds
# --------------------------------------------------------------------------
DIRECT = "direct_identifier"
QUASI = "quasi_identifier"
SENSITIVE = "sensitive"
OTHER = "other"

#: kinds whose column is a direct identifier
DIRECT_KINDS = (
    "email",
    "uuid",
    "mac_address",
    "ipv4",
    "ipv6",
    "iban",
    "credit_card",
    "url",
    "ssn",
    "hash_id",
    "phone",
    "postal_address",
    "person_name",
    "username",
    # seed 001's list
    "msisdn",
    "imei",
    "passport_number",
    "drivers_license",
    "account_number",
    "cookie_id",
    # a free-text column with identifiers inside (names, e-mails, phones, ...)
    "free_text",
)

# --------------------------------------------------------------------------
# Content patterns (full match on the stripped string form of a value)
# --------------------------------------------------------------------------
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_STREET_NUMBER = r"\d{1,6}[A-Za-z]?"
CONTENT_PATTERNS = {
    "email": r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
    "uuid": r"\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?",
    "mac_address": r"(?:[0-9A-Fa-f]{2}[:\-]){5}[0-9A-Fa-f]{2}|(?:[0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}",
    "ipv4": rf"{_OCTET}(?:\.{_OCTET}){{3}}",
    "ipv6": r"(?=[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:)(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3})",
    "iban": r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}",
    "credit_card": r"\d{13,19}|\d{4}(?:[ \-]\d{4}){2}[ \-]\d{1,7}|\d{4}[ \-]\d{6}[ \-]\d{5}",
    "url": r"(?:https?|ftp)://[^\s/$.?#][^\s]*|www\.[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?:/[^\s]*)?",
    "ssn": r"(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}",
    "hash_id": r"[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128}"
    r"|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64}",
    "phone": r"(?:\+\d{1,3}[\s.\-]?|00\d{1,3}[\s.\-]?|001-)?(?:\(\d{2,4}\)[\s.\-]?|\d{2,4}[\s.\-])\d{3,4}[\s.\-]?\d{3,4}"
    r"(?:\s*(?:x|ext\.?)\s*\d{1,5})?|\+\d{7,14}",
    "date": r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]00:00(?::00)?)?|\d{1,2}/\d{1,2}/\d{4}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}",
    "postal_address": rf"{_STREET_NUMBER}\s+[A-Za-z][A-Za-z.'\-]*(?:[\s,]+[A-Za-z0-9.'#\-]+){{1,14}}",
    "person_name": r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+)?[A-Z][a-zA-Z'\-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-zA-Z'\-]+){1,2}"
    r"(?:,?\s+(?:Jr\.?|Sr\.?|II|III|IV|MD|PhD|DDS|DVM))?|[A-Z][a-zA-Z'\-]+,\s+[A-Z][a-zA-Z'\-]+",
    "username": r"@?[a-z][a-z0-9._\-]{3,29}",
    "zip_plus4": r"\d{5}-\d{4}",
    # an E.164 number written without separators (+4915123456789)
    "msisdn": r"\+[1-9]\d{7,14}",
    # 15 digits with a Luhn check digit (TAC 8, serial 6, check 1), plain or grouped
    "imei": r"\d{15}|\d{2}[ \-]\d{6}[ \-]\d{6}[ \-]\d|\d{8}[ \-]\d{6}[ \-]\d",
    # Google Analytics' client id (random.timestamp, optionally "GA1.2." before)
    "cookie_id": r"(?:GA\d\.\d\.)?\d{8,10}\.1\d{9}",
}
#: priority when several content patterns match (most specific first)
CONTENT_ORDER = (
    "email", "uuid", "mac_address", "ipv4", "ipv6", "iban", "imei", "credit_card", "url", "cookie_id",
    "ssn", "hash_id", "zip_plus4", "date", "msisdn", "phone", "postal_address", "person_name", "username",
)
#: content kinds a name hint such as "order" or "sku" overrides (an order id
#: that looks like a phone number is not a phone number, a version "1.2.3.4"
#: is not an IP address)
WEAK_CONTENT = {"ipv4", "uuid", "ssn", "hash_id", "phone", "postal_address", "person_name", "username", "date"}

_COMPILED = {k: re.compile(v) for k, v in CONTENT_PATTERNS.items()}

#: loose content checks confirming a name hint (a column *named* phone must
#: at least hold phone-like characters)
LOOSE_PATTERNS = {
    "email": r"[^\s@]+@[^\s@]+",
    "phone": r"[\d\s+().\-x]{6,}",
    "ssn": r"\d{3}-?\d{2}-?\d{4}",
    "credit_card": r"[\d \-]{12,23}",
    "iban": r"[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{10,34}",
    "ipv4": r"[\d.]{7,15}",
    "ipv6": r"[0-9A-Fa-f:.]{2,45}",
    "mac_address": r"[0-9A-Fa-f:.\-]{12,17}",
    "url": r"\S+\.\S+",
    "hash_id": r"[0-9A-Fa-f]{16,128}",
    "uuid": r"[0-9A-Fa-f\-{}]{32,38}",
    "person_name": r".*[A-Za-z].*",
    "postal_address": r".*[A-Za-z].*",
    "username": r"\S+",
    "postal_code": r"[A-Za-z0-9 \-]{3,10}",
    "record_id": r"\S+",
    "msisdn": r"\+?[\d \-]{8,18}",
    "imei": r"[\d \-]{14,19}",
    "passport_number": r"[A-Za-z0-9 \-]{5,12}",
    "drivers_license": r"[A-Za-z0-9 \-*]{4,20}",
    "account_number": r"[A-Za-z0-9 \-]{4,40}",
    "cookie_id": r"\S{4,}",
}

# --------------------------------------------------------------------------
# Column-name hints (on the snake_case, lower-case form of the name)
# --------------------------------------------------------------------------
_B = r"(?:^|_)"  # token start
_E = r"(?:$|_)"  # token end
_NAME_HINT_SOURCES = [  # (kind, role, regex); first match wins
    ("email", DIRECT, rf"{_B}e?_?mail(?:_?address|_?addr)?{_E}|email"),
    ("ipv4", DIRECT, rf"{_B}ip(?:_?address|_?addr|v4|v6)?{_E}"),
    ("mac_address", DIRECT, rf"{_B}mac(?:_?address|_?addr)?{_E}"),
    ("iban", DIRECT, rf"{_B}iban{_E}"),
    ("account_number", DIRECT, rf"bank_?account|account_?(?:number|num|no|nr){_E}|{_B}acct(?:_?(?:number|num|no))?{_E}"
     rf"|{_B}bban{_E}"),
    ("msisdn", DIRECT, rf"msisdn|{_B}e164{_E}"),
    ("imei", DIRECT, rf"{_B}imei(?:_?sv)?{_E}"),
    ("passport_number", DIRECT, r"passport"),
    ("drivers_license", DIRECT, rf"drivers?_?licen[cs]e|driving_?licen[cs]e|licen[cs]e_?(?:number|num|no|nr|id){_E}"
     rf"|{_B}dl_?(?:number|num|no|nr){_E}"),
    ("cookie_id", DIRECT, r"cookie"),
    ("credit_card", DIRECT, rf"credit_?card|card_?(?:number|no|num){_E}|{_B}cc_?(?:number|num|no)?{_E}|{_B}pan{_E}"),
    ("ssn", DIRECT, rf"{_B}ssn{_E}|social_?security|national_?id|{_B}nin(?:o)?{_E}|tax_?id|{_B}sin{_E}"),
    ("phone", DIRECT, rf"phone|{_B}tel(?:ephone)?{_E}|mobile|{_B}cell{_E}|{_B}fax{_E}"),
    ("url", DIRECT, rf"{_B}url{_E}|website|homepage|web_?page|{_B}link{_E}"),
    ("username", DIRECT, rf"user_?name|{_B}login{_E}|{_B}handle{_E}|screen_?name|nickname|{_B}user(?:_?id)?{_E}"),
    ("uuid", DIRECT, rf"uuid|guid|device_?id|visitor_?id|tracking_?id|session_?id|client_?id"),
    ("hash_id", DIRECT, rf"{_B}(?:md5|sha1|sha256|hash|hashed|digest)(?:_|$)"),
    ("record_id", DIRECT, rf"{_B}(?:customer|client|patient|member|person|employee|account|citizen|"
     rf"subscriber|student|voter)_?(?:id|no|number|key)s?{_E}"),
    ("person_name", DIRECT, rf"{_B}(?:full_?|first_?|last_?|given_?|family_?|middle_?|customer_?|patient_?|"
     rf"maiden_?|f|l)?name{_E}|surname|{_B}(?:fname|lname){_E}"),
    ("postal_address", DIRECT, rf"street|{_B}addr(?:ess)?(?:_?line)?(?:_?\d)?{_E}|residence"),
    ("date_of_birth", QUASI, rf"birth|{_B}dob{_E}|{_B}born{_E}"),
    ("postal_code", QUASI, rf"{_B}zip|postal|post_?code|{_B}plz{_E}"),
    ("city", QUASI, rf"{_B}(?:city|town|municipality){_E}"),
    ("state", QUASI, rf"{_B}(?:state|province|region|county|country){_E}"),
    ("sex", QUASI, rf"{_B}(?:sex|gender){_E}"),
    ("age", QUASI, rf"{_B}age(?:_?years)?{_E}"),
    ("demographic", QUASI, rf"{_B}(?:race|ethnic(?:ity)?|marital(?:_?status)?|occupation|education|job|"
     rf"nationality|native_?country|relationship|religion){_E}"),
    ("financial", SENSITIVE, rf"income|salary|wage|purchase|spend|spent|revenue|balance|debt|loan|"
     rf"credit_?score|net_?worth|capital_?(?:gain|loss)"),
    ("health", SENSITIVE, rf"diagnos|disease|medical|health|treatment|medication|illness|disorder"),
]
NAME_HINTS = [(kind, role, re.compile(rx)) for kind, role, rx in _NAME_HINT_SOURCES]

#: name tokens saying "this is not a person's identifier" (or a flag about one)
#: tokens after which "cell" is a radio cell, not a cell phone (cell_tower_id)
_NOT_PHONE = {"tower", "site", "sector", "antenna", "station", "id", "cluster", "lac", "area", "grid", "count",
              "size", "type", "ci", "cgi", "ecgi", "global", "neighbour", "neighbor", "serving", "coverage"}
NEGATIVE_TOKENS = {
    "opt", "optin", "opted", "in", "out", "consent", "flag", "is", "has", "count", "n", "num",
    "domain", "type", "verified", "valid", "sku", "order", "orders", "product", "item",
    "color", "colour", "version", "build", "commit", "checksum", "etag", "invoice", "txn",
    "transaction", "batch", "file", "company", "brand", "store", "shop", "campaign", "bounced",
    "length", "len", "provider", "status", "category", "code_type",
}
#: tokens that turn "name" into something else than a person's name
_NOT_PERSON_NAME = {
    "product", "company", "file", "city", "street", "brand", "item", "store", "country",
    "state", "user", "host", "domain", "campaign", "project", "team", "display", "column",
    "field", "table", "app", "device", "server", "business", "shop", "sku",
}

_SEX_VALUES = {"m", "f", "male", "female", "man", "woman", "x", "other", "nonbinary", "non-binary",
               "u", "unknown", "diverse"}
_US_STATES = set(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP".split()
)
_CITY_PREFIX = r"(?:North|South|East|West|New|Lake|Port|San|Santa|Los|Las|Fort|Saint|St\.|Mount|El)\s"
_CITY_SUFFIX = (r"(?:ville|burgh|burg|borough|town|land|berg|bury|view|port|mouth|stad|furt|chester|"
                r"fort|haven|side|shire|field|ford|polis|wood)")
_CITY_LIKE = re.compile(rf"{_CITY_PREFIX}.*|.*{_CITY_SUFFIX}")


def name_tokens(name):
    """snake_case lower tokens of a column name (camelCase is split)."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name))
    text = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()
    return text, [t for t in text.split("_") if t]


def name_hint(name):
    """``(kind, role, negative)`` suggested by a column name alone."""
    text, tokens = name_tokens(name)
    negative = bool(NEGATIVE_TOKENS.intersection(tokens)) or text.endswith("_id") and (
        {"order", "product", "sku", "item", "invoice", "transaction"}.intersection(tokens)
    )
    for kind, role, rx in NAME_HINTS:
        if rx.search(text):
            if kind == "person_name" and _NOT_PERSON_NAME.intersection(tokens):
                continue
            if kind == "phone" and "cell" in tokens and _NOT_PHONE.intersection(tokens) and not re.search(
                    r"phone|mobile|tel|fax|msisdn", text):
                continue
            return kind, role, negative
    return None, None, negative


# --------------------------------------------------------------------------
# Vectorized content checks
# --------------------------------------------------------------------------
def luhn_valid(digits):
    """Luhn check of a Series of digit-only strings (vectorized)."""
    if len(digits) == 0:
        return np.zeros(0, dtype=bool)
    padded = digits.str.zfill(19).str[-19:]
    # a non-ASCII digit (``\d`` matches "\u0663") becomes "?" (one byte per
    # character, so the rows keep their width) and fails the check
    arr = np.frombuffer("".join(padded.tolist()).encode("ascii", "replace"), dtype=np.uint8)
    arr = arr.reshape(-1, 19).astype(np.int64) - 48
    not_digit = ((arr < 0) | (arr > 9)).any(axis=1)
    doubled = arr[:, -2::-2] * 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = arr[:, -1::-2].sum(axis=1) + doubled.sum(axis=1)
    return (total % 10 == 0) & ~not_digit


def iban_valid(values):
    """ISO 13616 mod-97 check of a Series of IBAN strings (vectorized over rows)."""
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    s = values.str.replace(" ", "", regex=False).str.upper()
    s = s.str[4:] + s.str[:4]
    width = 34
    lengths = s.str.len().to_numpy()
    padded = s.str.pad(width, side="right", fillchar="\0").str[:width]
    # a character outside Latin-1 becomes "?" (one byte each) and fails the check
    arr = np.frombuffer("".join(padded.tolist()).encode("latin-1", "replace"), dtype=np.uint8).reshape(-1, width)
    rem = np.zeros(len(s), dtype=np.int64)
    bad = np.zeros(len(s), dtype=bool)
    for j in range(width):
        c = arr[:, j].astype(np.int64)
        active = j < lengths
        is_digit = (c >= 48) & (c <= 57)
        is_alpha = (c >= 65) & (c <= 90)
        rem = np.where(active & is_digit, (rem * 10 + c - 48) % 97, rem)
        rem = np.where(active & is_alpha, (rem * 100 + c - 55) % 97, rem)
        bad |= active & ~(is_digit | is_alpha)
    return (rem == 1) & ~bad


def match_shares(strings, kinds=CONTENT_ORDER):
    """Share of values fully matching each content pattern."""
    n = len(strings)
    out = {}
    if n == 0:
        return {k: 0.0 for k in kinds}
    for kind in kinds:
        hit = strings.str.fullmatch(_COMPILED[kind]).to_numpy(dtype=bool, na_value=False).copy()
        if kind == "credit_card" and hit.any():
            digits = strings[hit].str.replace(r"[ \-]", "", regex=True)
            ok = luhn_valid(digits)
            hit[np.flatnonzero(hit)[~ok]] = False
        elif kind == "imei" and hit.any():
            digits = strings[hit].str.replace(r"[ \-]", "", regex=True)
            # Luhn, and not an American Express number (15 digits from 34/37)
            ok = luhn_valid(digits) & ~digits.str[:2].isin(["34", "37"]).to_numpy(dtype=bool)
            hit[np.flatnonzero(hit)[~ok]] = False
        elif kind == "phone":
            hit |= phone_like(strings)
        elif kind == "iban" and hit.any():
            ok = iban_valid(strings[hit])
            hit[np.flatnonzero(hit)[~ok]] = False
        out[kind] = float(hit.mean())
    return out


_PHONE_SHAPE = re.compile(r"(?:\+|00)?[\d(][\d\s().\-/]{5,24}\d(?:\s*(?:x|ext\.?)\s*\d{1,5})?")
_DATE_SHAPE = re.compile(r"\d{4}[\-/.]\d{1,2}[\-/.]\d{1,2}|\d{1,2}[\-/.]\d{1,2}[\-/.]\d{2,4}")


def phone_like(strings):
    """Phone numbers of any country's format (vectorized): 7-15 digits with a
    ``+``/``00`` prefix, separators or brackets, or a national number written
    bare with its leading 0 (10-11 digits); never a date, nor a bare number
    without a leading 0 (an id)."""
    shaped = strings.str.fullmatch(_PHONE_SHAPE).to_numpy(dtype=bool, na_value=False)
    if not shaped.any():
        return shaped
    core = strings.str.split(r"\s*(?:x|ext\.?)\s*\d", n=1, regex=True).str[0]
    digits = core.str.count(r"\d").to_numpy()
    marked = strings.str.contains(r"^(?:\+|00)|[\s().\-/]", regex=True).to_numpy(dtype=bool, na_value=False)
    national = strings.str.fullmatch(r"0\d{9,10}").to_numpy(dtype=bool, na_value=False)
    date = strings.str.fullmatch(_DATE_SHAPE).to_numpy(dtype=bool, na_value=False)
    return shaped & (digits >= 7) & (digits <= 15) & (marked | national) & ~date


def loose_share(strings, kind):
    rx = LOOSE_PATTERNS.get(kind)
    if rx is None or len(strings) == 0:
        return float("nan")
    return float(strings.str.fullmatch(rx).to_numpy(dtype=bool, na_value=False).mean())


def birth_like(dates):
    """Whether a sample of dates looks like dates of birth (ages 0-110, spread out, no time)."""
    dates = pd.to_datetime(pd.Series(dates), errors="coerce").dropna()
    if len(dates) < 5:
        return False
    if (dates.dt.normalize() != dates).mean() > 0.05:
        return False
    now = pd.Timestamp.now(tz=dates.dt.tz)
    years = ((now - dates).dt.days / 365.25).to_numpy()
    if np.nanmin(years) < 0 or np.nanmax(years) > 115:
        return False
    q10, q50, q90 = np.nanquantile(years, [0.1, 0.5, 0.9])
    return 16 <= q50 <= 90 and q90 - q10 >= 10


def sex_like(strings):
    values = set(_text.unique(strings.str.strip().str.lower()).tolist())
    return 2 <= len(values) <= 4 and values <= _SEX_VALUES


def state_like(strings):
    return float(strings.str.strip().isin(_US_STATES).mean()) >= 0.9


def city_share(strings):
    return float(strings.str.fullmatch(_CITY_LIKE).to_numpy(dtype=bool, na_value=False).mean())


# --------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------
class _HiddenStr(str):
    """A str whose repr hides it (a key given as a literal)."""

    __slots__ = ()

    def __repr__(self):
        return "'<hidden>'"

    def __reduce__(self):
        return (_HiddenStr, (str(self),))


class _HiddenBytes(bytes):
    """A bytes object whose repr hides it (a key given as a literal)."""

    def __repr__(self):
        return "b'<hidden>'"

    def __reduce__(self):
        return (_HiddenBytes, (bytes(self),))


def hide_secret(value):
    """Wrap a literal secret so that ``repr`` (also nested in a Pipeline) hides it.

    ``"env:NAME"`` references are not secret and stay as they are.
    """
    if isinstance(value, (_HiddenStr, _HiddenBytes)):
        return value
    if isinstance(value, str) and not value.startswith("env:"):
        return _HiddenStr(value)
    if isinstance(value, (bytes, bytearray)):
        return _HiddenBytes(value)
    return value


def is_env_reference(value):
    return isinstance(value, str) and value.startswith("env:")


def _secret_bytes(text, errors):
    """UTF-8 bytes of a secret given as text; never an error quoting a character of it."""
    try:
        return text.encode("utf-8", errors)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


#: domain-separation label of key fingerprints (changing it invalidates every
#: stored fingerprint)
_FINGERPRINT_LABEL = b"sklearn_anon/key-fingerprint/v1"


def key_fingerprint(secret):
    """A keyed fingerprint of a secret: ``HMAC-SHA256(secret, label)``, 16 hex digits.

    Stored by the keyed estimators at fit (``key_fingerprint_``) to recognise
    a different key at transform.  It is neither the key nor an unkeyed hash
    of it: it is what the key makes of a fixed public label (64 bits), so it
    tells no more about the key than one pseudonym of a known value does (a
    guessable key can be tested against either; use a random key).
    """
    return hmac.new(secret, _FINGERPRINT_LABEL, "sha256").hexdigest()[:16]


def check_key_fingerprint(expected, secret, *, what, who, reference=None):
    """Raise a ValueError when ``secret`` is not the secret fingerprinted at fit.

    ``expected`` None (fitted before fingerprints existed, or no key) checks
    nothing.  The message names the parameter and the environment variable
    of an ``"env:NAME"`` reference, never key material.
    """
    if expected is None:
        return
    if not hmac.compare_digest(str(expected), key_fingerprint(secret)):
        where = ""
        if is_env_reference(reference):
            where = f" (read from the environment variable {reference[4:]!r})"
        raise ValueError(
            f"{who}: the {what}{where} differs from the {what} used at fit (its keyed "
            "fingerprint does not match `key_fingerprint_`): the output would not match the "
            f"fitted data's. Restore the {what} used at fit, or refit with the new one."
        )


def resolve_secret(value, *, what, who):
    """Bytes of a secret given as bytes, str or ``"env:NAME"``; errors never show it."""
    if value is None:
        raise ValueError(f"{who}: `{what}` is required (None given).")
    if is_env_reference(value):
        var = value[4:]
        if not var:
            raise ValueError(f"{who}: `{what}` 'env:' reference names no environment variable.")
        secret = os.environ.get(var)
        if not secret:
            raise ValueError(
                f"{who}: the environment variable {var!r} holding the {what} is not set "
                "(or is empty)."
            )
        # POSIX reads environment bytes with surrogateescape: give them back as they were
        return _secret_bytes(secret, "surrogateescape")
    if isinstance(value, str):
        secret = _secret_bytes(value, "surrogatepass")
    elif isinstance(value, (bytes, bytearray)):
        secret = bytes(value)
    else:
        raise TypeError(
            f"{who}: `{what}` must be bytes, str or 'env:NAME', got {type(value).__name__}."
        )
    if not secret:
        raise ValueError(f"{who}: `{what}` is empty.")
    return secret


# --------------------------------------------------------------------------
# Keyed hashing
# --------------------------------------------------------------------------
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def _hmac_sha256_pair(key):
    """The inner/outer SHA-256 states of HMAC (RFC 2104), computed once per key."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


def digest_values(values, method, key, *, iterations=1000, digest_size=32):
    """Keyed digests (bytes) of a list of bytes values, in order.

    Identical to ``hmac.new(key, v, "sha256").digest()`` for ``"hmac-sha256"``,
    ``hashlib.blake2b(v, key=key, digest_size=digest_size).digest()`` for
    ``"blake2b"`` and ``hashlib.pbkdf2_hmac("sha256", v, key, iterations)``
    for ``"pbkdf2-sha256"`` (where ``key`` is the salt).
    """
    out = []
    append = out.append
    if method == "hmac-sha256":
        inner, outer = _hmac_sha256_pair(key)
        icopy, ocopy = inner.copy, outer.copy
        for v in values:
            i = icopy()
            i.update(v)
            o = ocopy()
            o.update(i.digest())
            append(o.digest())
    elif method == "blake2b":
        base = hashlib.blake2b(key=key, digest_size=digest_size)
        bcopy = base.copy
        for v in values:
            h = bcopy()
            h.update(v)
            append(h.digest())
    elif method == "pbkdf2-sha256":
        pbkdf2 = hashlib.pbkdf2_hmac
        for v in values:
            append(pbkdf2("sha256", v, key, iterations))
    else:  # pragma: no cover - validated before
        raise ValueError(f"unknown method {method!r}")
    return out


def normalize_texts(texts, mode):
    """Apply a normalization ("lower", "strip" or "none") to a list of str."""
    if mode == "lower":
        return [t.strip().lower() for t in texts]
    if mode == "strip":
        return [t.strip() for t in texts]
    return texts


def output_bits(method, digest_size, encoding, length):
    """Bits of hash that distinguish two pseudonyms (``length`` cuts them)."""
    n_bits = 8 * (digest_size if method == "blake2b" else 32)
    if length is None:
        return n_bits
    per_char = 4 if encoding == "hex" else 6
    return min(n_bits, per_char * length)


def expected_collisions(n_distinct, bits):
    """Birthday bound for ``n_distinct`` values hashed uniformly to ``2**bits`` outputs.

    Returns ``(pairs, share)``: the expected number of colliding pairs
    ``n (n - 1) / 2 / 2**bits`` and the expected share of the distinct
    values that share their output with at least one other
    ``1 - (1 - 2**-bits) ** (n - 1)``.

    Examples
    --------
    >>> pairs, share = expected_collisions(100_000, 16)
    >>> round(pairs), round(share, 3)
    (76293, 0.783)
    """
    n = int(n_distinct)
    if n < 2:
        return 0.0, 0.0
    pairs = n * (n - 1) / 2 / 2.0**bits
    share = -math.expm1((n - 1) * math.log1p(-(2.0**-bits)))
    return pairs, share


def encoded_width(method, digest_size, encoding, length):
    """Number of characters of every pseudonym (they all have the same width)."""
    n_bytes = digest_size if method == "blake2b" else 32
    width = {"hex": 2 * n_bytes, "base64": 4 * ((n_bytes + 2) // 3),
             "base64url": (4 * n_bytes + 2) // 3}[encoding]
    return width if length is None else min(width, length)


def hash_chunk(texts, method, key, iterations, digest_size, encoding, length):
    """UTF-8 encode, hash and format a list of str values (a joblib task).

    Text is encoded by :func:`sklearn_anon._text.encode_text` (lone
    surrogates as their code points), inlined in the two common loops.
    """
    if method == "hmac-sha256" and encoding == "hex":  # the common case, in one loop
        inner, outer = _hmac_sha256_pair(key)
        icopy, ocopy = inner.copy, outer.copy
        out = []
        append = out.append
        end = length  # cut in the loop: never a list of full-width digests beside the cut ones
        for t in texts:
            i = icopy()
            i.update(t.encode("utf-8", "surrogatepass"))
            o = ocopy()
            o.update(i.digest())
            append(o.hexdigest()[:end])
        return out
    elif method == "blake2b" and encoding == "hex":
        bcopy = hashlib.blake2b(key=key, digest_size=digest_size).copy
        out = []
        append = out.append
        end = length
        for t in texts:
            h = bcopy()
            h.update(t.encode("utf-8", "surrogatepass"))
            append(h.hexdigest()[:end])
        return out
    else:
        encoded = [encode_text(t) for t in texts]
        digests = digest_values(encoded, method, key, iterations=iterations, digest_size=digest_size)
        if encoding == "hex":
            out = [d.hex() for d in digests]
        elif encoding == "base64":
            b64 = base64.b64encode
            out = [b64(d).decode("ascii") for d in digests]
        else:  # base64url, no padding
            b64 = base64.urlsafe_b64encode
            out = [b64(d).decode("ascii").rstrip("=") for d in digests]
    if length is not None:
        out = [t[:length] for t in out]
    return out


def hash_blob(blob, lengths, *args):
    """joblib task: the values arrive as one str and their lengths (cheap to
    send to a worker process); the fixed-width pseudonyms return as one str."""
    ends = np.cumsum(lengths).tolist()
    starts = [0, *ends[:-1]]
    texts = [blob[a:b] for a, b in zip(starts, ends)]
    return "".join(hash_chunk(texts, *args))
