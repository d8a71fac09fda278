"""Seeded synthetic tables shaped like real customer data, and a loader for Adult.

* :func:`make_customers`: a retail CRM table with direct identifiers (name,
  SSN, e-mail, IP), quasi-identifiers (ZIP code, birth date, sex) and
  interests, the table anonymization tutorials start from.
* :func:`make_survey`: a telecom customer survey (demographics, income,
  credit debt with one extreme outlier, data usage, device ownership).
* :func:`load_adult`: the UCI Adult census table read from a folder the
  caller names (UCI's ``adult.data``/``adult.test`` or ARX's ``adult.csv``).
  Nothing is ever downloaded.

The generators are vectorized with numpy (no Python loop per row: a million
customers take a few seconds) and need no extra package (small built-in word
lists instead of Faker).  The same ``random_state`` gives the same frame,
value for value.  The people in them do not exist; any resemblance of a
generated name, address or SSN to a real person's is chance.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from . import _text
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from typing import Any, Literal
    from ._typing import PathLike

__all__ = ["make_customers", "make_survey", "load_adult", "adult_schema"]

#: Birth dates in :func:`make_customers` are drawn as ages on this date, so
#: that a seed gives the same frame whatever day it runs.
CUSTOMERS_REFERENCE_DATE = "2024-01-01"

# --------------------------------------------------------------------------
# word lists
# --------------------------------------------------------------------------
_FEMALE_FIRST = np.array(
    """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen
    Lisa Nancy Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol
    Amanda Melissa Deborah Stephanie Dorothy Rebecca Sharon Laura Cynthia Amy
    Kathleen Angela Shirley Brenda Emma Anna Pamela Nicole Samantha Katherine
    Christine Helen Debra Rachel Carolyn Janet Maria Catherine Heather Diane
    Olivia Julie Joyce Victoria Ruth Virginia Lauren Kelly Christina Joan
    Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline Martha Madison Teresa
    Gloria Sara Janice Ann Kathryn Abigail Sophia Frances Jean Alice Judy
    Isabella Julia Grace Amber Denise Danielle Marilyn Beverly Charlotte
    Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Marie""".split()
)
_MALE_FIRST = np.array(
    """James Robert John Michael David William Richard Joseph Thomas Christopher
    Charles Daniel Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth
    Kevin Brian Timothy Ronald George Jason Edward Jeffrey Ryan Jacob Nicholas
    Gary Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel
    Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron Jose
    Adam Nathan Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy Christian
    Walter Keith Austin Roger Terry Sean Gerald Carl Dylan Harold Jordan Jesse
    Bryan Lawrence Arthur Gabriel Bruce Logan Billy Joe Alan Juan Elijah Willie
    Albert Wayne Randy Mason Vincent Liam Roy Bobby Caleb Bradley Russell""".split()
)
_LAST = np.array(
    """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
    Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin
    Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker
    Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson
    Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans
    Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy
    Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard
    Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray
    Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross
    Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler
    Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson
    Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes
    Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro
    Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells
    Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson
    Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks
    Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren
    Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver
    Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez
    Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong
    Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman
    Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval""".split()
)
_STREETS = np.array(
    """Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Sunset
    Lincoln Jackson Church River Highland Center Spring Ridge Meadow Forest
    Franklin Jefferson Adams Madison Chestnut Willow Dogwood Hickory Birch
    Lakeview Valley Mill Prospect Jefferson Railroad Cherry Laurel Poplar
    Sycamore Magnolia Spruce Lafayette Union School Academy Bridge Wilson
    Central Broad Market Front Water High Green Liberty Locust Court Grove""".split()
)
_STREET_SUFFIXES = np.array(
    ["St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct", "Way", "Pl", "Ter", "Cir"]
)
_STREET_SUFFIX_P = np.array([30, 22, 14, 11, 7, 4, 4, 3, 2, 2, 1], dtype=float)
_EMAIL_DOMAINS = np.array(
    ["gmail.com", "yahoo.com", "hotmail.com", "aol.com", "outlook.com",
     "icloud.com", "comcast.net", "msn.com", "att.net", "verizon.net",
     "live.com", "protonmail.com"]
)
_EMAIL_DOMAIN_P = np.array([40, 16, 10, 6, 8, 6, 4, 2, 3, 2, 2, 1], dtype=float)
_USER_WORDS = np.array(
    """blue red green silver golden happy lucky sunny wild quiet brave swift
    tiger falcon eagle wolf fox bear hawk otter panda raven shark lion dragon
    ninja pilot rider gamer coder chef artist runner surfer skater""".split()
)

# (city, state, ZIP3, relative weight, how many 5-digit ZIPs the city uses).
# ZIP3 prefixes are the real ones for those cities; northeastern and Puerto
# Rican ZIP codes start with 0, so as integers they lose their leading zero
# (Boston 02116 is stored as 2116, San Juan 00901 as 901).  Weights are
# roughly metro sizes, with a tail of small places whose ZIP3 groups stay
# rare even in large samples.
_CITIES = [
    ("New York", "NY", 100, 80, 60), ("Brooklyn", "NY", 112, 50, 40),
    ("Los Angeles", "CA", 900, 70, 60), ("Chicago", "IL", 606, 55, 55),
    ("Houston", "TX", 770, 45, 50), ("Phoenix", "AZ", 850, 32, 40),
    ("Philadelphia", "PA", 191, 30, 40), ("San Antonio", "TX", 782, 28, 35),
    ("San Diego", "CA", 921, 26, 35), ("Dallas", "TX", 752, 26, 35),
    ("San Jose", "CA", 951, 20, 25), ("Austin", "TX", 787, 20, 30),
    ("Jacksonville", "FL", 322, 17, 25), ("Columbus", "OH", 432, 17, 25),
    ("Charlotte", "NC", 282, 16, 25), ("Indianapolis", "IN", 462, 16, 25),
    ("San Francisco", "CA", 941, 16, 25), ("Seattle", "WA", 981, 15, 25),
    ("Denver", "CO", 802, 15, 25), ("Washington", "DC", 200, 14, 20),
    ("Boston", "MA", 21, 14, 30), ("Cambridge", "MA", 21, 4, 5),
    ("Nashville", "TN", 372, 12, 20), ("Detroit", "MI", 482, 12, 20),
    ("Portland", "OR", 972, 12, 20), ("Las Vegas", "NV", 891, 12, 20),
    ("Memphis", "TN", 381, 11, 15), ("Louisville", "KY", 402, 11, 15),
    ("Baltimore", "MD", 212, 11, 15), ("Milwaukee", "WI", 532, 10, 15),
    ("Albuquerque", "NM", 871, 9, 12), ("Tucson", "AZ", 857, 9, 12),
    ("Fresno", "CA", 937, 9, 12), ("Sacramento", "CA", 958, 9, 15),
    ("Kansas City", "MO", 641, 8, 15), ("Atlanta", "GA", 303, 10, 25),
    ("Miami", "FL", 331, 10, 25), ("Omaha", "NE", 681, 7, 12),
    ("Raleigh", "NC", 276, 7, 12), ("Minneapolis", "MN", 554, 7, 15),
    ("Tulsa", "OK", 741, 6, 10), ("Cleveland", "OH", 441, 6, 15),
    ("New Orleans", "LA", 701, 6, 12), ("Tampa", "FL", 336, 6, 12),
    ("Pittsburgh", "PA", 152, 5, 15), ("Cincinnati", "OH", 452, 5, 15),
    ("St. Louis", "MO", 631, 5, 15), ("Salt Lake City", "UT", 841, 4, 10),
    ("Newark", "NJ", 71, 5, 10), ("Jersey City", "NJ", 73, 4, 6),
    ("Providence", "RI", 29, 3, 8), ("Hartford", "CT", 61, 3, 8),
    ("New Haven", "CT", 65, 2.5, 6), ("Worcester", "MA", 16, 2.5, 6),
    ("Springfield", "MA", 11, 2, 6), ("Stamford", "CT", 69, 2, 4),
    ("Paterson", "NJ", 75, 2, 4), ("Trenton", "NJ", 86, 1.5, 4),
    ("Manchester", "NH", 31, 1.5, 4), ("Portland", "ME", 41, 1, 4),
    ("San Juan", "PR", 9, 2, 10), ("Ponce", "PR", 7, 0.6, 3),
    ("Mayaguez", "PR", 6, 0.4, 3), ("Burlington", "VT", 54, 0.6, 3),
    ("Bangor", "ME", 44, 0.4, 2), ("Concord", "NH", 33, 0.4, 2),
    ("Augusta", "ME", 43, 0.25, 2), ("Montpelier", "VT", 56, 0.15, 1),
    ("Holtsville", "NY", 5, 0.05, 2), ("Dover", "DE", 199, 0.5, 3),
    ("Cheyenne", "WY", 820, 0.4, 3), ("Helena", "MT", 596, 0.25, 2),
    ("Bismarck", "ND", 585, 0.3, 2), ("Pierre", "SD", 575, 0.1, 1),
    ("Juneau", "AK", 998, 0.15, 2), ("Carson City", "NV", 897, 0.3, 2),
]

_JOB_CATEGORIES = np.array(
    ["Managerial and Professional", "Sales and Office", "Service",
     "Agricultural and Natural Resources", "Precision Production",
     "Operation, Fabrication, General Labor"]
)

_ADULT_UCI_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num",
    "marital-status", "occupation", "relationship", "race", "sex",
    "capital-gain", "capital-loss", "hours-per-week", "native-country",
    "income",
]
_ADULT_UCI_INT = ["age", "fnlwgt", "education-num", "capital-gain",
                  "capital-loss", "hours-per-week"]
_ADULT_ARX_COLUMNS = [
    "sex", "age", "race", "marital-status", "education", "native-country",
    "workclass", "occupation", "salary-class",
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _check_n_samples(n_samples):
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"n_samples must be an int, got {type(n_samples).__name__}.")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}.")
    return int(n_samples)


def _generator(random_state):
    """A numpy Generator from an int, None, a Generator or a RandomState.

    None draws fresh entropy from the operating system (a different frame on
    every call).
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1, size=4))
    if random_state is None or (
        isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool)
    ):
        return np.random.default_rng(random_state)
    raise TypeError(
        "random_state must be None, an int, a numpy Generator or RandomState, "
        f"got {type(random_state).__name__}."
    )


# numpy >= 2 has the fast ``np.strings`` ufuncs; ``np.char.add`` is a slower
# wrapper there (and the only choice on numpy 1.26)
_str_add = np.strings.add if hasattr(np, "strings") else np.char.add


def _padded(width):
    """Zero-padded strings of 0 .. 10**width - 1 (a lookup table)."""
    return np.char.zfill(np.arange(10**width).astype(f"U{width}"), width)


def _outer(left, sep, right, *, swap=False):
    """Every ``left[i] + sep + right[j]`` (flat, index ``i * len(right) + j``).

    With ``swap=True`` the pieces are written right first:
    ``right[j] + sep + left[i]``, still at index ``i * len(right) + j``.
    Small vocabularies of combined words are built once this way, then
    indexed per row, which is much faster than concatenating per row.
    """
    left = np.asarray(left)[:, None]
    right = np.asarray(right)[None, :]
    if swap:
        return _str_add(_str_add(right, sep), left).ravel()
    return _str_add(_str_add(left, sep), right).ravel()


def _as_strings(arr):
    """A string Series with pandas' default string dtype.

    ``str`` on pandas 3 (built straight from Arrow when that is its storage,
    about twice as fast as going through Python objects), ``object`` on
    pandas 2.
    """
    arr = np.asarray(arr)
    dtype = pd.Series(["a"]).dtype
    if getattr(dtype, "storage", None) == "pyarrow":
        import pyarrow as pa

        return pd.Series(pd.array(pa.array(arr), dtype=dtype))
    return pd.Series(arr.astype(object))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --------------------------------------------------------------------------
# make_customers
# --------------------------------------------------------------------------
def make_customers(
    n_samples: int = 1000,
    random_state: int | np.random.Generator | np.random.RandomState | None = None,
) -> pd.DataFrame:
    """Generate a synthetic retail customer (CRM) table.

    One row per customer, with the columns practitioners meet in real
    customer extracts: direct identifiers, quasi-identifiers and behaviour.
    The values are coherent (ZIP code, city and state agree; e-mail and
    username derive from the name; ``mdem`` is the MD5 of the e-mail) and
    correlated (income rises with age until retirement; the interest flags
    depend on age, income and sex, so they can be predicted from generalized
    quasi-identifiers).

    Columns, in order:

    * ``name`` (str): first and last name, the first name by sex;
    * ``street_address`` (str): ``"1234 Maple Ave"``;
    * ``city``, ``state`` (str): one of ~75 US cities, from metros to tiny
      towns, and its two-letter state;
    * ``zipcode`` (int64): a 5-digit ZIP whose first three digits are the
      city's real ZIP3.  Northeastern and Puerto Rican ZIPs lost their leading
      zero, as in real extracts (Boston ``02116`` is ``2116``, San Juan
      ``00901`` is ``901``).  ZIP3 groups range from big metros to a few
      customers;
    * ``ssn`` (str): ``"NNN-NN-NNNN"`` (area 001-899, never 666);
    * ``income`` (int64): yearly dollars, lognormal, rising with age until
      55 and dropping at retirement, a few above 500,000;
    * ``purchases`` (int64): purchases last year (Poisson, more for richer
      customers and fashion/technology fans);
    * ``sex`` (str): ``"F"`` or ``"M"``;
    * ``birthdate`` (datetime64[ns]): ages 18 to 95 on 2024-01-01
      (``CUSTOMERS_REFERENCE_DATE``), a fixed date so that a seed gives the
      same frame on any day;
    * ``email`` (str): from the name, digits and a domain, mostly unique;
    * ``username`` (str): another handle from the name or two words;
    * ``ip`` (str): an IPv4 address;
    * ``golf``, ``travel``, ``fashion``, ``outdoors``, ``technology``
      (int8): 0/1 interest flags, logistic in age, income and sex;
    * ``mdem`` (str): the MD5 hex digest of ``email``.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of customers (rows).
    random_state : int, numpy Generator or RandomState, or None, default=None
        Seed for reproducible tables: the same int gives the same frame.
        None draws fresh entropy from the operating system.

    Returns
    -------
    customers : pandas.DataFrame of shape (n_samples, 19)
        One customer per row (identifiers, quasi-identifiers, interests).

    See Also
    --------
    make_survey : a telecom survey table.

    Notes
    -----
    Everything is vectorized with numpy except the MD5 digest, which calls
    :func:`hashlib.md5` once per row (no vectorized MD5 exists in numpy);
    1,000,000 rows take a few seconds in all.

    Examples
    --------
    >>> from sklearn_anon.datasets import make_customers
    >>> df = make_customers(n_samples=5, random_state=0)
    >>> df.shape
    (5, 19)
    >>> list(df.columns[:6])
    ['name', 'street_address', 'city', 'state', 'zipcode', 'ssn']
    >>> df.equals(make_customers(n_samples=5, random_state=0))
    True
    >>> import hashlib
    >>> df["mdem"][0] == hashlib.md5(df["email"][0].encode()).hexdigest()
    True
    """
    n = _check_n_samples(n_samples)
    rng = _generator(random_state)

    # -- who: sex, age, name ------------------------------------------------
    male = rng.random(n) < 0.49
    age_years = np.where(
        rng.random(n) < 0.85,
        rng.normal(44, 14, n),  # working-age bulk
        rng.normal(72, 9, n),  # retirees
    )
    age_years = np.clip(age_years, 18, 95.99)
    age = np.floor(age_years).astype(np.int64)

    # first names: the female list then the male list, one index space
    n_female, n_last = len(_FEMALE_FIRST), len(_LAST)
    first_i = np.where(
        male,
        n_female + rng.integers(0, len(_MALE_FIRST), n),
        rng.integers(0, n_female, n),
    )
    # a Zipf-like popularity of last names
    last_p = 1.0 / np.arange(1, n_last + 1) ** 0.6
    last_i = rng.choice(n_last, size=n, p=last_p / last_p.sum())
    first_words = np.concatenate([_FEMALE_FIRST, _MALE_FIRST])
    name = _outer(first_words, " ", _LAST)[first_i * n_last + last_i]

    # birth date: an age on the reference date, a uniform day within that year
    ref = np.datetime64(CUSTOMERS_REFERENCE_DATE, "D")
    days = np.floor((age + rng.random(n) * 0.999) * 365.2425).astype(np.int64)
    birthdate = (ref - days.astype("timedelta64[D]")).astype("datetime64[ns]")
    # ages computed back from the birth date on the reference date
    age = _age_on(birthdate, ref)

    # -- where: city, state, zipcode, street address ------------------------
    city_names = np.array([c[0] for c in _CITIES])
    states = np.array([c[1] for c in _CITIES])
    zip3 = np.array([c[2] for c in _CITIES], dtype=np.int64)
    weight = np.array([c[3] for c in _CITIES], dtype=float)
    n_zips = np.array([c[4] for c in _CITIES], dtype=np.int64)
    city = rng.choice(len(_CITIES), size=n, p=weight / weight.sum())
    # each city uses a few consecutive ZIP codes, the low ones more often
    offset = np.floor(n_zips[city] * rng.random(n) ** 1.5).astype(np.int64) + 1
    zipcode = zip3[city] * 100 + offset

    numbers = np.char.mod("%d", np.arange(1, 20000))
    house = np.clip(np.floor(rng.lognormal(6.0, 1.2, n)), 1, 19999).astype(np.int64)
    streets = _outer(_str_add(" ", _STREETS), " ", _STREET_SUFFIXES)  # " Maple Ave"
    street_code = rng.integers(0, len(_STREETS), n) * len(_STREET_SUFFIXES) + rng.choice(
        len(_STREET_SUFFIXES), size=n, p=_STREET_SUFFIX_P / _STREET_SUFFIX_P.sum()
    )
    street_address = _str_add(numbers[house - 1], streets[street_code])

    # -- SSN: area 001-899 except 666, group 01-99, serial 0001-9999 --------
    area = rng.integers(1, 899, n)
    area[area >= 666] += 1
    area_group = _outer(_padded(3), "-", _str_add(_padded(2), "-"))  # "NNN-NN-"
    ssn = _str_add(
        area_group[area * 100 + rng.integers(1, 100, n)], _padded(4)[rng.integers(1, 10000, n)]
    )

    # -- money: income rises with age until ~55, drops at retirement --------
    log_income = (
        np.log(30000)
        + 0.025 * (np.minimum(age, 55) - 18)
        - 0.35 * (age >= 67)
        + 0.12 * male
        + rng.normal(0, 0.55, n)
    )
    income = np.exp(log_income)
    students = (age < 23) & (rng.random(n) < 0.5)
    income[students] *= rng.uniform(0.05, 0.4, students.sum())
    rich = rng.random(n) < 0.002  # a few very high incomes (Pareto tail)
    income[rich] = 400_000 * (1 + rng.pareto(1.5, rich.sum()))
    income = (np.round(income / 100) * 100).astype(np.int64)

    # -- interests: logistic in age, income and sex --------------------------
    li = np.log(np.maximum(income, 1000) / 50000)
    a = (age - 45) / 10
    f = ~male
    logits = {
        "golf": -1.6 + 0.55 * a + 0.9 * li + 1.0 * male,
        "travel": -0.6 + 1.0 * li + 0.15 * a,
        "fashion": -1.6 + 1.8 * f - 0.5 * a + 0.4 * li,
        "outdoors": -0.5 - 0.3 * a + 0.5 * male,
        "technology": -0.8 - 0.7 * a + 0.9 * male + 0.4 * li,
    }
    flags = {k: (rng.random(n) < _sigmoid(v)).astype(np.int8) for k, v in logits.items()}
    purchases = rng.poisson(
        np.clip(2.0 + 2.5 * flags["fashion"] + 1.5 * flags["technology"] + 1.2 * li, 0.2, None)
    ).astype(np.int64)

    # -- online: email, username, ip -----------------------------------------
    # local parts "first.last", "flast", "first_last", "last.first", then
    # digits and a domain: vocabularies of the combinations, indexed per row
    first_l, last_l = np.char.lower(first_words), np.char.lower(_LAST)
    n_first = len(first_words)
    pair = first_i * n_last + last_i
    locals_ = np.concatenate([
        _outer(first_l, ".", last_l),
        _outer(first_l.astype("U1"), "", last_l),
        _outer(first_l, "_", last_l),
        _outer(first_l, ".", last_l, swap=True),
    ])
    local = locals_[rng.integers(0, 4, n) * (n_first * n_last) + pair]
    digits = np.char.mod("%d", np.arange(10000))
    domain_p = _EMAIL_DOMAIN_P / _EMAIL_DOMAIN_P.sum()
    tails = _outer(digits[:1000], "@", _EMAIL_DOMAINS)  # "904@gmail.com"
    email = _str_add(
        local,
        tails[rng.integers(0, 1000, n) * len(_EMAIL_DOMAINS)
              + rng.choice(len(_EMAIL_DOMAINS), size=n, p=domain_p)],
    )
    # usernames: "firstl" / "lastf" / two words, then digits
    handles = np.concatenate([
        _outer(first_l, "", last_l.astype("U1")),
        _outer(first_l.astype("U1"), "", last_l, swap=True),
        _outer(_USER_WORDS, "", _USER_WORDS),
    ])
    n_pairs, n_words = n_first * n_last, len(_USER_WORDS)
    ustyle = rng.random(n)
    handle = np.where(
        ustyle < 0.4, pair,
        np.where(ustyle < 0.7, n_pairs + pair,
                 2 * n_pairs + rng.integers(0, n_words * n_words, n)),
    )
    username = _str_add(
        handles[handle],
        digits[rng.integers(0, np.where(ustyle < 0.4, 10000, 100))],
    )
    # IPv4: public-looking first octet (not 0, 10, 127 or >= 224)
    octet = np.char.mod("%d", np.arange(256))
    first_octet = rng.integers(1, 224, n)
    first_octet[np.isin(first_octet, (10, 127))] += 1
    head = _outer(octet, ".", _str_add(octet, "."))  # "a.b."
    tail = _outer(octet, ".", octet)  # "c.d"
    ip = _str_add(
        head[first_octet * 256 + rng.integers(0, 256, n)],
        tail[rng.integers(0, 256, n) * 256 + rng.integers(1, 255, n)],
    )
    email_list = email.tolist()
    mdem = np.array([hashlib.md5(e.encode()).hexdigest() for e in email_list], dtype=object)

    data = {
        "name": _as_strings(name),
        "street_address": _as_strings(street_address),
        "city": _as_strings(city_names[city]),
        "state": _as_strings(states[city]),
        "zipcode": zipcode,
        "ssn": _as_strings(ssn),
        "income": income,
        "purchases": purchases,
        "sex": _as_strings(np.where(male, "M", "F")),
        "birthdate": birthdate,
        "email": _as_strings(email),
        "username": _as_strings(username),
        "ip": _as_strings(ip),
        **flags,
        "mdem": _as_strings(mdem),
    }
    return pd.DataFrame(data)


def _age_on(birthdate, ref):
    """Completed years between ``birthdate`` (datetime64 array) and ``ref``."""
    b = pd.DatetimeIndex(birthdate)
    r = pd.Timestamp(ref)
    before = (b.month > r.month) | ((b.month == r.month) & (b.day > r.day))
    return (r.year - b.year - before).to_numpy().astype(np.int64)


# --------------------------------------------------------------------------
# make_survey
# --------------------------------------------------------------------------
def make_survey(
    n_samples: int = 1000,
    random_state: int | np.random.Generator | np.random.RandomState | None = None,
) -> pd.DataFrame:
    """Generate a synthetic telecom customer survey.

    Columns, in order:

    * ``Region`` (int64): sales region 1-5, of unequal sizes;
    * ``Gender`` (str): ``"Female"`` or ``"Male"``;
    * ``Age`` (int64): 18-79;
    * ``EducationYears`` (int64): 6-23 years of schooling;
    * ``JobCategory`` (str): one of six occupation groups, tied to education;
    * ``HouseholdIncome`` (int64): dollars a year, lognormal, rising with
      education and age;
    * ``CreditDebt`` (float64): thousands of dollars, proportional to income;
      exactly one customer owes about 100 times the largest other debt (the
      outlier a top-coder should clip);
    * ``PhoneCoTenure`` (int64): months as a customer (1-72), growing with age;
    * ``DataLastMonth`` (float64): mobile data used last month in GB (0
      without a mobile phone), heavier for the young;
    * ``DataOverTenure`` (float64): mobile data over the whole tenure (GB);
    * ``TVWatchingHours`` (int64): hours a week, more for older and less
      educated respondents;
    * ``OwnsPC``, ``OwnsMobile``, ``OwnsTablet``, ``OwnsGameSystem`` (int8):
      0/1 device ownership (PCs and tablets with education and income, game
      systems with youth).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of respondents (rows).
    random_state : int, numpy Generator or RandomState, or None, default=None
        Seed for reproducible tables.  None draws fresh entropy.

    Returns
    -------
    survey : pandas.DataFrame of shape (n_samples, 15)
        One respondent per row.

    See Also
    --------
    make_customers : a retail CRM table with direct identifiers.

    Examples
    --------
    >>> from sklearn_anon.datasets import make_survey
    >>> df = make_survey(n_samples=500, random_state=0)
    >>> df.shape
    (500, 15)
    >>> debt = df["CreditDebt"].sort_values()
    >>> bool(debt.iloc[-1] > 20 * debt.iloc[-2])  # one extreme outlier
    True
    """
    n = _check_n_samples(n_samples)
    rng = _generator(random_state)

    region = rng.choice(np.arange(1, 6), size=n, p=[0.26, 0.22, 0.2, 0.18, 0.14])
    male = rng.random(n) < 0.5
    age = np.clip(np.round(rng.normal(46, 16, n)), 18, 79).astype(np.int64)
    education = np.clip(np.round(rng.normal(14.5, 3.0, n) - 0.03 * (age - 46)), 6, 23)
    education = education.astype(np.int64)

    # job category: higher education -> managerial/professional
    z = (education - 14.5) / 3.0 + rng.normal(0, 0.8, n)
    job = np.select(
        [z > 0.9, z > 0.2, z > -0.3, z > -0.6, z > -1.1],
        [0, 1, 2, 4, 3],
        default=5,
    )

    log_income = (
        np.log(30000)
        + 0.09 * (education - 12)
        + 0.025 * (np.minimum(age, 55) - 18)
        - 0.3 * (age >= 66)
        + 0.1 * male
        + rng.normal(0, 0.5, n)
    )
    income = (np.round(np.exp(log_income) / 1000) * 1000).clip(9000, None).astype(np.int64)
    credit_debt = np.round(income / 1000 * 0.03 * rng.lognormal(0, 0.9, n), 2)
    outlier = rng.integers(0, n)
    others = np.delete(credit_debt, outlier)
    top = others.max() if others.size else 1.0
    credit_debt[outlier] = np.round(max(top, 1.0) * rng.uniform(90, 110), 2)

    tenure = np.clip(np.round(rng.uniform(1, 72, n) * (0.5 + 0.5 * (age - 18) / 61)),
                     1, 72).astype(np.int64)
    owns_mobile = (rng.random(n) < _sigmoid(2.5 - 0.04 * (age - 40))).astype(np.int8)
    owns_pc = (rng.random(n) < _sigmoid(-0.2 + 0.35 * (education - 12)
                                        + 0.8 * np.log(income / 40000))).astype(np.int8)
    owns_tablet = (rng.random(n) < _sigmoid(-1.0 + 1.0 * np.log(income / 40000)
                                            + 0.8 * owns_pc)).astype(np.int8)
    owns_game = (rng.random(n) < _sigmoid(-0.5 - 0.07 * (age - 35) + 0.6 * male)).astype(np.int8)

    data_last_month = np.where(
        owns_mobile == 1,
        np.round(rng.gamma(2.0, 3.0, n) * np.exp(-0.02 * (age - 30)), 2),
        0.0,
    )
    data_over_tenure = np.round(
        data_last_month * tenure * rng.uniform(0.6, 1.1, n), 2
    )
    tv = np.clip(
        np.round(rng.normal(18 + 0.15 * (age - 46) - 0.6 * (education - 14.5), 4.5)),
        0, 36,
    ).astype(np.int64)

    return pd.DataFrame(
        {
            "Region": region.astype(np.int64),
            "Gender": _as_strings(np.where(male, "Male", "Female")),
            "Age": age,
            "EducationYears": education,
            "JobCategory": _as_strings(_JOB_CATEGORIES[job]),
            "HouseholdIncome": income,
            "CreditDebt": credit_debt,
            "PhoneCoTenure": tenure,
            "DataLastMonth": data_last_month,
            "DataOverTenure": data_over_tenure,
            "TVWatchingHours": tv,
            "OwnsPC": owns_pc,
            "OwnsMobile": owns_mobile,
            "OwnsTablet": owns_tablet,
            "OwnsGameSystem": owns_game,
        }
    )


# --------------------------------------------------------------------------
# load_adult
# --------------------------------------------------------------------------
def _require_file(folder, filename, kind):
    path = folder / filename
    if not path.is_file():
        raise FileNotFoundError(
            f"Adult file {filename!r} (kind={kind!r}) not found in {str(folder)!r}. "
            "load_adult downloads nothing: put UCI's adult.data/adult.test or "
            "ARX's adult.csv in that folder, or name the folder that holds them."
        )
    return path


def _read_uci(path):
    frame = pd.read_csv(
        path,
        header=None,
        names=_ADULT_UCI_COLUMNS,
        sep=",",
        skipinitialspace=True,
        na_values="?",
        comment="|",  # UCI's adult.test opens with "|1x3 Cross validator"
        skip_blank_lines=True,
        dtype={c: "category" for c in _ADULT_UCI_COLUMNS if c not in _ADULT_UCI_INT},
    )
    # adult.test: "<=50K." -> "<=50K"
    frame["income"] = frame["income"].cat.rename_categories(
        lambda label: label.rstrip(".")
    )
    return frame


# Adult's public schema (see adult_schema): the category lists of UCI's
# adult.names, "?" (unknown) read as missing; bounds from the documentation
# and the census field definitions, never from the data.
_ADULT_CATEGORIES: dict[str, list[str | None]] = {
    "workclass": ["Private", "Self-emp-not-inc", "Self-emp-inc", "Federal-gov", "Local-gov",
                  "State-gov", "Without-pay", "Never-worked", None],
    "education": ["Bachelors", "Some-college", "11th", "HS-grad", "Prof-school", "Assoc-acdm",
                  "Assoc-voc", "9th", "7th-8th", "12th", "Masters", "1st-4th", "10th",
                  "Doctorate", "5th-6th", "Preschool"],
    "marital-status": ["Married-civ-spouse", "Divorced", "Never-married", "Separated", "Widowed",
                       "Married-spouse-absent", "Married-AF-spouse"],
    "occupation": ["Tech-support", "Craft-repair", "Other-service", "Sales", "Exec-managerial",
                   "Prof-specialty", "Handlers-cleaners", "Machine-op-inspct", "Adm-clerical",
                   "Farming-fishing", "Transport-moving", "Priv-house-serv", "Protective-serv",
                   "Armed-Forces", None],
    "relationship": ["Wife", "Own-child", "Husband", "Not-in-family", "Other-relative", "Unmarried"],
    "race": ["White", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other", "Black"],
    "sex": ["Female", "Male"],
    "native-country": [
        "United-States", "Cambodia", "England", "Puerto-Rico", "Canada", "Germany",
        "Outlying-US(Guam-USVI-etc)", "India", "Japan", "Greece", "South", "China", "Cuba", "Iran",
        "Honduras", "Philippines", "Italy", "Poland", "Jamaica", "Vietnam", "Mexico", "Portugal",
        "Ireland", "France", "Dominican-Republic", "Laos", "Ecuador", "Taiwan", "Haiti", "Columbia",
        "Hungary", "Guatemala", "Nicaragua", "Scotland", "Thailand", "Yugoslavia", "El-Salvador",
        "Trinadad&Tobago", "Peru", "Hong", "Holand-Netherlands", None,
    ],
    "income": [">50K", "<=50K"],
}
_ADULT_BOUNDS = {
    "age": (17, 90),              # extraction rule age > 16; the census top-codes age at 90
    "fnlwgt": (0, 2_000_000),     # a census weight: a round ceiling
    "education-num": (1, 16),     # the 16 education levels
    "capital-gain": (0, 99_999),  # 5-digit census field (99999 is its top code)
    "capital-loss": (0, 99_999),  # same field width
    "hours-per-week": (1, 99),    # extraction rule hours > 0; 2-digit field
}


def adult_schema() -> dict[Any, Any]:
    """The public schema of the UCI Adult table: declared bounds and categories.

    What a differentially private release of Adult may treat as public
    knowledge, taken from the dataset's documentation and not from its
    values: the category lists of UCI's ``adult.names`` (``None`` stands
    for the unknown value ``"?"``, read as missing by :func:`load_adult`),
    and bounds from the extraction rules and census field widths (age
    17-90, the census top-codes age at 90; hours-per-week 1-99; capital
    gain/loss 0-99,999, a 5-digit field; fnlwgt 0-2,000,000, a round
    ceiling for a census weight; education-num 1-16).  Columns follow
    ``kind="uci"``; pass them as ``bounds=`` / ``categories=`` so that no
    :class:`~diffprivlib.utils.PrivacyLeakWarning` is due.

    Returns
    -------
    schema : dict
        ``{"bounds": {column: (low, high)}, "categories": {column: list}}``,
        fresh copies (safe to modify).

    Examples
    --------
    >>> from sklearn_anon.datasets import adult_schema
    >>> schema = adult_schema()
    >>> schema["bounds"]["age"]
    (17, 90)
    >>> "Holand-Netherlands" in schema["categories"]["native-country"]
    True
    """
    return {
        "bounds": dict(_ADULT_BOUNDS),
        "categories": {col: list(values) for col, values in _ADULT_CATEGORIES.items()},
    }


@overload
def load_adult(
    data_home: PathLike,
    *,
    kind: Literal["uci", "arx"] = ...,
    split: Literal["train", "test", "both"] = ...,
    return_X_y: Literal[False] = ...,
) -> pd.DataFrame: ...


@overload
def load_adult(
    data_home: PathLike,
    *,
    kind: Literal["uci", "arx"] = ...,
    split: Literal["train", "test", "both"] = ...,
    return_X_y: Literal[True],
) -> tuple[pd.DataFrame, pd.Series]: ...


def load_adult(
    data_home: PathLike,
    *,
    kind: Literal["uci", "arx"] = "uci",
    split: Literal["train", "test", "both"] = "train",
    return_X_y: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
    """Load the UCI Adult census table from a local folder.

    Nothing is downloaded: ``data_home`` must hold the files.

    * ``kind="uci"``: UCI's ``adult.data`` (training split, 32,561 rows) and
      ``adult.test`` (16,281 rows), 14 attributes plus the ``income`` label;
      no header, ``", "``-separated, ``"?"`` read as missing, and the
      trailing period of the test labels (``"<=50K."``) removed so that both
      splits share the labels ``"<=50K"`` / ``">50K"``.
    * ``kind="arx"``: ARX's ``adult.csv`` (``;``-separated, 30,162 rows: the
      training split without the rows that have a missing value, 8
      attributes plus the label ``salary-class``), whose column names match
      ARX's ``adult_hierarchy_<column>.csv`` files.

    Integer attributes (age, fnlwgt, ...) are ``int64``; every other column,
    the label included, is a pandas categorical (missing values are NaN).

    Parameters
    ----------
    data_home : str or path-like
        Folder holding the files.
    kind : {"uci", "arx"}, default="uci"
        Which file layout to read.
    split : {"train", "test", "both"}, default="train"
        UCI split; ``"both"`` stacks the training and test rows (48,842 rows,
        in that order, fresh index).  ``kind="arx"`` has only ``"train"``.
    return_X_y : bool, default=False
        Return ``(X, y)`` (the attributes and the label Series) instead of
        one frame.

    Returns
    -------
    frame : pandas.DataFrame
        The attributes and the label (last column).
    (X, y) : tuple of DataFrame and Series
        When ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        When the expected file is not in ``data_home`` (the message names
        the file and the folder).
    ValueError
        For an unknown ``kind``/``split`` or ``kind="arx"`` with a split
        other than ``"train"``.

    Examples
    --------
    >>> from sklearn_anon.datasets import load_adult
    >>> try:
    ...     load_adult("/nonexistent")
    ... except FileNotFoundError as exc:
    ...     print(exc)
    Adult file 'adult.data' (kind='uci') not found in '/nonexistent'. ...

    With the files present (``../shared/data/adult`` in this project's
    checkout)::

        >>> df = load_adult("path/to/adult", kind="arx")  # doctest: +SKIP
        >>> df.shape  # doctest: +SKIP
        (30162, 9)
    """
    if kind not in ("uci", "arx"):
        raise ValueError(f"kind must be 'uci' or 'arx', got {kind!r}.")
    if split not in ("train", "test", "both"):
        raise ValueError(f"split must be 'train', 'test' or 'both', got {split!r}.")
    folder = Path(data_home)

    if kind == "arx":
        if split != "train":
            raise ValueError(
                "ARX's adult.csv holds the training split only: use split='train' "
                "or kind='uci'."
            )
        path = _require_file(folder, "adult.csv", kind)
        frame = pd.read_csv(
            path, sep=";", na_values="?",
            dtype={c: (np.int64 if c == "age" else "category") for c in _ADULT_ARX_COLUMNS},
        )
        missing = [c for c in _ADULT_ARX_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"{path.name} lacks the expected columns {missing}.")
        frame = frame[_ADULT_ARX_COLUMNS]
        label = "salary-class"
    else:
        files = {"train": ["adult.data"], "test": ["adult.test"],
                 "both": ["adult.data", "adult.test"]}[split]
        paths = [_require_file(folder, f, kind) for f in files]
        frame = pd.concat([_read_uci(p) for p in paths], ignore_index=True)
        for col in _ADULT_UCI_INT:
            frame[col] = frame[col].astype(np.int64)
        label = "income"

    for col in frame.columns:  # stacking splits with other categories gives object
        dtype = frame[col].dtype
        if not (pd.api.types.is_integer_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)):
            frame[col] = pd.Series(_text.categorical(frame[col]), index=frame.index, name=col)
    if return_X_y:
        return frame.drop(columns=label), frame[label]
    return frame
