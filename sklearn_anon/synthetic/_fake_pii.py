"""Fake identities for test systems: :func:`make_fake_pii`.

Needs the extra ``fake`` (``pip install sklearn-anon[fake]``); Faker is
imported when the function is called, not with the package.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from ._common import _generator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Mapping, Sequence
    from .._typing import PathLike

__all__ = ["make_fake_pii"]


#: ISO 3166 alpha-2 country code -> Faker locale (others: a Faker locale
#: ending in ``_<CODE>``, or a locale name given directly).
COUNTRY_LOCALES = {
    "AT": "de_AT", "AU": "en_AU", "BE": "nl_BE", "BR": "pt_BR", "CA": "en_CA",
    "CH": "de_CH", "CN": "zh_CN", "CZ": "cs_CZ", "DE": "de_DE", "DK": "da_DK",
    "ES": "es_ES", "FI": "fi_FI", "FR": "fr_FR", "GB": "en_GB", "GR": "el_GR",
    "IE": "en_IE", "IN": "en_IN", "IT": "it_IT", "JP": "ja_JP", "MX": "es_MX",
    "NL": "nl_NL", "NO": "no_NO", "NZ": "en_NZ", "PL": "pl_PL", "PT": "pt_PT",
    "RO": "ro_RO", "SE": "sv_SE", "UK": "en_GB", "US": "en_US",
}

_TITLES = (
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Dipl\.-Ing|Dipl\.-Kfm|Ing|Mag|"
    r"Univ\.Prof|Mme|Mlle|M|Sr|Sra|Srta|Dott|Dott\.ssa|Sig|Sig\.ra|Don|Dña|Pan|Pani|"
    r"Hr|Fr|Drs|Ir|Mevr|Dhr"
)
_TITLE_RE = re.compile(rf"^(?:(?:{_TITLES})\.?\s+)+")
_SUFFIX_RE = re.compile(r",?\s+(?:Jr|Sr|I{{2,3}}|IV|V|MD|DDS|DVM|PhD|B\.?Sc|M\.?Sc|MBA)\.?$".replace("{{", "{").replace("}}", "}"))
#: addresses a fake identity must not have: post-office boxes, military mail
BAD_ADDRESS_RE = re.compile(
    r"\b(?:P\.?\s*O\.?\s*Box|Post\s*Office\s*Box|Postfach|Postbus|Apartado|Casella\s+postale|"
    r"Bo[iî]te\s+postale|BP\s*\d+|CP\s+\d+|Skrytka|Box\s+\d+|PSC\s+\d+|USNS|USNV|USS|USCGC|"
    r"APO|FPO|DPO)\b",
    re.IGNORECASE,
)


def _faker_class():
    try:
        from faker import Faker
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "make_fake_pii needs the Faker package: pip install sklearn-anon[fake]"
        ) from None
    return Faker


#: country names (upper case, as normalised by :func:`_country_key`) ->
#: ISO 3166 alpha-2 code; only what request files commonly hold, no
#: guessing beyond it
COUNTRY_NAMES = {
    "ARGENTINA": "AR", "ARMENIA": "AM", "AUSTRALIA": "AU", "AUSTRIA": "AT",
    "AZERBAIJAN": "AZ", "BANGLADESH": "BD", "BELGIUM": "BE", "BOSNIA AND HERZEGOVINA": "BA",
    "BRAZIL": "BR", "BULGARIA": "BG", "CANADA": "CA", "CHILE": "CL", "CHINA": "CN",
    "PEOPLE'S REPUBLIC OF CHINA": "CN", "COLOMBIA": "CO", "CROATIA": "HR", "CYPRUS": "CY",
    "CZECH REPUBLIC": "CZ", "CZECHIA": "CZ", "DENMARK": "DK", "EGYPT": "EG", "ESTONIA": "EE",
    "FINLAND": "FI", "FRANCE": "FR", "GEORGIA": "GE", "GERMANY": "DE", "GHANA": "GH",
    "GREECE": "GR", "HUNGARY": "HU", "ICELAND": "IS", "INDIA": "IN", "INDONESIA": "ID",
    "IRAN": "IR", "IRELAND": "IE", "ISRAEL": "IL", "ITALY": "IT", "JAPAN": "JP",
    "JORDAN": "JO", "KENYA": "KE", "SOUTH KOREA": "KR", "KOREA": "KR",
    "REPUBLIC OF KOREA": "KR", "LATVIA": "LV", "LIECHTENSTEIN": "LI", "LITHUANIA": "LT",
    "LUXEMBOURG": "LU", "MALTA": "MT", "MEXICO": "MX", "NEPAL": "NP", "NETHERLANDS": "NL",
    "THE NETHERLANDS": "NL", "HOLLAND": "NL", "NEW ZEALAND": "NZ", "NIGERIA": "NG",
    "NORTH MACEDONIA": "MK", "NORWAY": "NO", "PAKISTAN": "PK", "PHILIPPINES": "PH",
    "POLAND": "PL", "PORTUGAL": "PT", "ROMANIA": "RO", "RUSSIA": "RU",
    "RUSSIAN FEDERATION": "RU", "SAUDI ARABIA": "SA", "SLOVAKIA": "SK", "SLOVENIA": "SI",
    "SOUTH AFRICA": "ZA", "SPAIN": "ES", "SRI LANKA": "LK", "SWEDEN": "SE",
    "SWITZERLAND": "CH", "TAIWAN": "TW", "THAILAND": "TH", "TURKEY": "TR", "TURKIYE": "TR",
    "UKRAINE": "UA", "UNITED ARAB EMIRATES": "AE", "UNITED KINGDOM": "GB",
    "GREAT BRITAIN": "GB", "BRITAIN": "GB", "ENGLAND": "GB", "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US", "AMERICA": "US", "UZBEKISTAN": "UZ",
    "VENEZUELA": "VE", "VIETNAM": "VN", "VIET NAM": "VN",
}

#: ISO 3166 alpha-3 code -> alpha-2 code, for the countries Faker has a locale for
ALPHA3 = {
    "ARE": "AE", "ALB": "AL", "ARM": "AM", "ARG": "AR", "AUT": "AT", "AUS": "AU", "AZE": "AZ",
    "BIH": "BA", "BGD": "BD", "BEL": "BE", "BGR": "BG", "BHR": "BH", "BRA": "BR", "CAN": "CA",
    "CHE": "CH", "CHL": "CL", "CHN": "CN", "COL": "CO", "CYP": "CY", "CZE": "CZ", "DEU": "DE",
    "DNK": "DK", "DZA": "DZ", "EST": "EE", "EGY": "EG", "ESP": "ES", "ETH": "ET", "FIN": "FI",
    "FRA": "FR", "GBR": "GB", "GEO": "GE", "GHA": "GH", "GRC": "GR", "HRV": "HR", "HUN": "HU",
    "IDN": "ID", "IRL": "IE", "ISR": "IL", "IND": "IN", "IRN": "IR", "ISL": "IS", "ITA": "IT",
    "JOR": "JO", "JPN": "JP", "KEN": "KE", "KOR": "KR", "LIE": "LI", "LKA": "LK", "LTU": "LT",
    "LUX": "LU", "LVA": "LV", "MKD": "MK", "MLT": "MT", "MEX": "MX", "NGA": "NG", "NLD": "NL",
    "NOR": "NO", "NPL": "NP", "NZL": "NZ", "PHL": "PH", "PAK": "PK", "POL": "PL", "PSE": "PS",
    "PRT": "PT", "ROU": "RO", "RUS": "RU", "SAU": "SA", "SWE": "SE", "SVN": "SI", "SVK": "SK",
    "THA": "TH", "TUR": "TR", "TWN": "TW", "UKR": "UA", "USA": "US", "UZB": "UZ", "VEN": "VE",
    "VNM": "VN", "ZAF": "ZA",
}


def _country_key(country):
    """Upper case, no dots, single spaces, ``&`` as ``AND`` (``U.S.A.`` -> ``USA``)."""
    key = unicodedata.normalize("NFKD", str(country)).encode("ascii", "ignore").decode()
    key = key.upper().replace(".", "").replace("&", " AND ").replace("_", " ")
    return re.sub(r"\s+", " ", key).strip()


def _locale_for(country):
    """Faker locale for a country given as locale, ISO alpha-2/alpha-3 code or name."""
    from faker.config import AVAILABLE_LOCALES

    key = str(country).strip()
    if key in AVAILABLE_LOCALES:
        return key
    norm = _country_key(key)
    code = COUNTRY_NAMES.get(norm) or ALPHA3.get(norm) or norm
    if code in COUNTRY_LOCALES:
        return COUNTRY_LOCALES[code]
    if re.fullmatch(r"[A-Z]{2}", code):
        matches = sorted(
            loc for loc in AVAILABLE_LOCALES if loc.upper().endswith("_" + code)
        )
        if matches:
            return matches[0]
    raise ValueError(
        "No Faker locale for this country: give an ISO 3166 alpha-2 or alpha-3 "
        "code, an English country name (RUSSIA, Russian Federation, UNITED STATES, "
        "...) or a Faker locale name such as 'de_DE'."
    )


#: accepted spellings of the request columns (compared in lower case)
_REQUEST_COLUMNS = {
    "country": ("country",),
    "year": ("year",),
    "n": ("n", "records", "count", "n_records"),
}


def _request_table(requests):
    """The requests as a DataFrame with columns ``country``, ``year``, ``n``."""
    from pathlib import Path

    if isinstance(requests, (str, Path)):
        req = pd.read_csv(requests, skipinitialspace=True)
    elif isinstance(requests, pd.DataFrame):
        req = requests
    else:
        rows = list(requests)
        if rows and not isinstance(rows[0], dict):
            rows = [dict(zip(("country", "year", "n"), r)) for r in rows]
        req = pd.DataFrame(rows, columns=None if rows else ["country", "year", "n"])
    found = {}
    for column in req.columns:
        low = str(column).strip().lower()
        for target, names in _REQUEST_COLUMNS.items():
            if low in names:
                if target in found:
                    raise ValueError(
                        f"requests has two columns for {target!r}: "
                        f"{found[target]!r} and {column!r}."
                    )
                found[target] = column
    missing = [c for c in _REQUEST_COLUMNS if c not in found]
    if missing:
        raise ValueError(
            "requests needs the columns country, year, n (or Records; any case) "
            f"(missing: {missing})."
        )
    return pd.DataFrame({t: req[c].to_numpy() for t, c in found.items()})


#: locales whose national number is not Faker's ``ssn()`` (which there
#: falls back to the generic US-like pattern)
_NATIONAL_ID_METHOD = {"de_DE": "rvnr", "es_ES": "nif"}


def _national_id_method(fake, locale):
    """Name of the Faker method making the locale's national id, or None.

    None when the locale's ssn provider is the fallback of another locale or
    the generic base pattern.
    """
    if locale in _NATIONAL_ID_METHOD:
        return _NATIONAL_ID_METHOD[locale]
    provs = [p for p in fake.providers if ".ssn" in type(p).__module__]
    if not provs or not type(provs[0]).__module__.endswith("." + locale):
        return None
    owner = next(c for c in type(provs[0]).__mro__ if "ssn" in c.__dict__)
    return None if owner.__module__ == "faker.providers.ssn" else "ssn"


def _clean_name(name):
    return _SUFFIX_RE.sub("", _TITLE_RE.sub("", name)).strip()


#: scripts that a letter-by-letter transliteration turns into nonsense
#: (kanji read as Chinese): such names get Faker's own user name instead
_NO_TRANSLIT_RE = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _transliterator(fake):
    """Faker's transliteration of the locale (``Иванова`` -> ``Ivanova``), or None."""
    for provider in fake.providers:
        if hasattr(provider, "_to_ascii") and hasattr(provider, "replacements"):
            return provider._to_ascii
    return None  # pragma: no cover - every Faker locale has an internet provider


def _email(first, last, fake):
    def ascii_part(text):
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        if not re.search(r"[A-Za-z]", plain) and not _NO_TRANSLIT_RE.search(text):
            translit = _transliterator(fake)  # Cyrillic, Greek, ...
            plain = translit(text) if translit is not None else plain
        return re.sub(r"[^a-z0-9]", "", plain.lower())

    f, l = ascii_part(first), ascii_part(last)
    local = f"{f}.{l}" if f and l else (f or l or fake.user_name())
    if fake.random.random() < 0.5:
        local += str(fake.random.randint(1, 99))
    return f"{local}@{fake.free_email_domain()}"


def _clean_address(fake, max_tries=100):
    for _ in range(max_tries):
        text = re.sub(r"\s*\n\s*", ", ", fake.address())
        if not BAD_ADDRESS_RE.search(text):
            return text
    raise RuntimeError("Faker kept producing P.O. box / military addresses.")  # pragma: no cover


def _draw_ages(age_distribution, n, rng):
    if age_distribution is None:
        return rng.integers(18, 91, size=n)
    if isinstance(age_distribution, dict):
        age_distribution = pd.Series(age_distribution, dtype=float)
    if not isinstance(age_distribution, pd.Series):
        raise TypeError("age_distribution must be a dict or Series {age: weight}, or None.")
    ages = np.asarray(age_distribution.index, dtype=np.int64)
    weights = age_distribution.to_numpy(dtype=np.float64)
    if (ages < 0).any() or (weights < 0).any() or not weights.sum() > 0:
        raise ValueError("age_distribution needs non-negative ages and weights with a positive sum.")
    return ages[rng.choice(ages.size, size=n, p=weights / weights.sum())]


def make_fake_pii(
    requests: pd.DataFrame | PathLike | Sequence[Mapping[str, Any] | tuple[Any, ...]],
    random_state: int | np.random.RandomState | None = None,
    age_distribution: Mapping[Any, Any] | pd.Series | None = None,
) -> pd.DataFrame:
    """Fake identities in bulk, per country and year, for test systems.

    For each request row (country, year, n) it makes ``n`` identities with
    the country's Faker locale: name (without person titles such as Mr.,
    Dr., Herr), gender, birth date, postal address (no P.O. boxes, no
    military addresses such as APO/FPO/DPO or USNS/USS ships), phone,
    email (built from the name; Cyrillic and Greek names transliterated
    by Faker, ``Иванова`` -> ``ivanova``; CJK names get a Faker user name)
    and a national identification number where Faker has a generator for
    the locale (the US SSN, the French NIR, the Italian codice fiscale,
    ...; missing otherwise).  Nothing is derived
    from real people: these are surrogates to fill test databases.

    Needs the extra ``fake`` (``pip install sklearn-anon[fake]``).

    Parameters
    ----------
    requests : DataFrame, path of a CSV file, or list of dicts / tuples
        Columns ``country``, ``year`` (int) and ``n`` (number of records),
        with names in any case; ``Records`` (or ``count``) is accepted for
        ``n``, so a request file such as ``Country,Year,Records`` /
        ``RUSSIA,2023,150`` is read as it is.  A country is an ISO 3166
        alpha-2 or alpha-3 code, an English name in any case (``RUSSIA``,
        ``Russian Federation``, ``UNITED STATES``, ``U.S.A.``; from a fixed
        table, :data:`COUNTRY_NAMES`), or a Faker locale name such as
        ``"de_DE"``.  An unknown country raises a ValueError naming the
        request row (counted from 0); it is never guessed.
        ``year`` is the year the records are as of: the age reached that
        year is ``year - birth year``.
    random_state : int, RandomState instance or None, default=None
        An int gives the same identities on every call.  Faker is seeded
        once per request row from it.
    age_distribution : dict or Series of {age: weight}, or None, default=None
        Distribution of the ages reached in the request year
        (``year - birth year``).  None: uniform over 18-90.  Birth dates are
        uniform within the birth year.

    Returns
    -------
    identities : DataFrame
        One row per identity, in request order (the ``country`` column holds
        the country as the request gave it), with columns ``country``,
        ``year``, ``locale``, ``first_name``, ``last_name``, ``name``,
        ``gender`` (``"F"`` / ``"M"``; surnames take the
        gendered form where the locale has one, Russian ``Ivanova`` for a
        woman and ``Ivanov`` for a man), ``birth_date``, ``age``,
        ``address``, ``phone``, ``email``, ``national_id``.

    Examples
    --------
    >>> from sklearn_anon import make_fake_pii
    >>> people = make_fake_pii([("US", 2024, 3), ("DE", 2023, 2)], random_state=0)
    >>> people.groupby(["country", "year"]).size().to_dict()
    {('DE', 2023): 2, ('US', 2024): 3}
    >>> people.columns.tolist()
    ['country', 'year', 'locale', 'first_name', 'last_name', 'name', 'gender', 'birth_date', 'age', 'address', 'phone', 'email', 'national_id']
    """
    Faker = _faker_class()
    req = _request_table(requests)
    rng = _generator(random_state)
    fakers, frames = {}, []
    for i, (country, year, n) in enumerate(zip(req["country"], req["year"], req["n"])):
        if not float(n).is_integer() or n < 0:
            raise ValueError(f"requests row {i}: n must be a non-negative integer.")
        if not float(year).is_integer():
            raise ValueError(f"requests row {i}: year must be an integer.")
        n, year = int(n), int(year)
        try:
            locale = _locale_for(country)
        except ValueError as exc:
            raise ValueError(f"requests row {i}: {exc}") from None
        if locale not in fakers:
            fake = Faker(locale)
            fakers[locale] = (fake, _national_id_method(fake, locale))
        fake, id_method = fakers[locale]
        fake.seed_instance(int(rng.integers(2**63)))  # once per request row
        gender = np.where(rng.random(n) < 0.5, "F", "M")
        ages = _draw_ages(age_distribution, n, rng)
        birth_year = year - ages
        starts = pd.to_datetime(pd.DataFrame({"year": birth_year, "month": 1, "day": 1}))
        days = np.where(
            (birth_year % 4 == 0) & ((birth_year % 100 != 0) | (birth_year % 400 == 0)), 366, 365
        )
        birth = starts + pd.to_timedelta(np.floor(rng.random(n) * days), unit="D")
        first = [
            _clean_name(fake.first_name_female() if g == "F" else fake.first_name_male())
            for g in gender
        ]
        # gendered surnames where the locale has them (ru_RU Ivanova / Ivanov,
        # pl_PL Kowalska / Kowalski, cs_CZ ...); last_name() elsewhere
        last = [
            _clean_name(fake.last_name_female() if g == "F" else fake.last_name_male())
            for g in gender
        ]
        frames.append(pd.DataFrame({
            "country": [str(country)] * n,
            "year": np.full(n, year, dtype=np.int64),
            "locale": [locale] * n,
            "first_name": first,
            "last_name": last,
            "name": [f"{a} {b}" for a, b in zip(first, last)],
            "gender": gender,
            "birth_date": birth.to_numpy(),
            "age": ages.astype(np.int64),
            "address": [_clean_address(fake) for _ in range(n)],
            "phone": [fake.phone_number() for _ in range(n)],
            "email": [_email(a, b, fake) for a, b in zip(first, last)],
            "national_id": (
                [getattr(fake, id_method)() for _ in range(n)] if id_method else [None] * n
            ),
        }))
    if not frames:
        return pd.DataFrame(columns=[
            "country", "year", "locale", "first_name", "last_name", "name", "gender",
            "birth_date", "age", "address", "phone", "email", "national_id",
        ])
    return pd.concat(frames, ignore_index=True)
