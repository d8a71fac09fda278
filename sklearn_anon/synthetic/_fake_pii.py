"""Fake identities for test systems: :func:`make_fake_pii`.

Needs the extra ``fake`` (``pip install sklearn-anon[fake]``); Faker is
imported when the function is called, not with the package.
"""

import re
import unicodedata

import numpy as np
import pandas as pd

from ._common import _generator

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


def _locale_for(country):
    from faker.config import AVAILABLE_LOCALES

    key = str(country).strip()
    if key in AVAILABLE_LOCALES:
        return key
    code = key.upper()
    if code in COUNTRY_LOCALES:
        return COUNTRY_LOCALES[code]
    matches = sorted(loc for loc in AVAILABLE_LOCALES if loc.upper().endswith("_" + code))
    if matches:
        return matches[0]
    raise ValueError(
        f"No Faker locale for country {key!r}: give an ISO 3166 alpha-2 code "
        "or a Faker locale name such as 'de_DE'."
    )


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


def _email(first, last, fake):
    def ascii_part(text):
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]", "", text.lower())

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


def make_fake_pii(requests, random_state=None, age_distribution=None):
    """Fake identities in bulk, per country and year, for test systems.

    For each request row (country, year, n) it makes ``n`` identities with
    the country's Faker locale: name (without person titles such as Mr.,
    Dr., Herr), gender, birth date, postal address (no P.O. boxes, no
    military addresses such as APO/FPO/DPO or USNS/USS ships), phone,
    email (built from the name) and a national identification number where
    Faker has a generator for the locale (the US SSN, the French NIR, the
    Italian codice fiscale, ...; missing otherwise).  Nothing is derived
    from real people: these are surrogates to fill test databases.

    Needs the extra ``fake`` (``pip install sklearn-anon[fake]``).

    Parameters
    ----------
    requests : DataFrame, or list of dicts / tuples
        Columns ``country`` (ISO 3166 alpha-2 code, or a Faker locale name
        such as ``"de_DE"``), ``year`` (int) and ``n`` (number of records).
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
        One row per identity, in request order, with columns ``country``,
        ``year``, ``locale``, ``first_name``, ``last_name``, ``name``,
        ``gender`` (``"F"`` / ``"M"``), ``birth_date``, ``age``,
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
    if isinstance(requests, pd.DataFrame):
        req = requests
    else:
        rows = list(requests)
        if rows and not isinstance(rows[0], dict):
            rows = [dict(zip(("country", "year", "n"), r)) for r in rows]
        req = pd.DataFrame(rows, columns=None if rows else ["country", "year", "n"])
    missing = {"country", "year", "n"} - set(req.columns)
    if missing:
        raise ValueError(f"requests needs the columns country, year, n (missing: {sorted(missing)}).")
    rng = _generator(random_state)
    fakers, frames = {}, []
    for i, (country, year, n) in enumerate(zip(req["country"], req["year"], req["n"])):
        if not float(n).is_integer() or n < 0:
            raise ValueError(f"requests row {i}: n must be a non-negative integer.")
        if not float(year).is_integer():
            raise ValueError(f"requests row {i}: year must be an integer.")
        n, year = int(n), int(year)
        locale = _locale_for(country)
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
        last = [_clean_name(fake.last_name()) for _ in range(n)]
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
