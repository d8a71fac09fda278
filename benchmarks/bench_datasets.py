"""make_customers / make_survey against Faker building the same columns row by row.

Faker is what a user reaches for to fake a customer table; it produces one
value per call.  Both run on the same number of rows in the same run (Faker
on a smaller count, since it is slow); ``make_customers`` also runs alone on
1,000,000 rows.
"""

import hashlib

from _common import best_time, row

from sklearn_anon.datasets import load_adult, make_customers, make_survey


def _faker_customers(n, seed=0):
    """The same 19 columns with Faker, one call per value (what users write)."""
    import pandas as pd
    from faker import Faker

    fake = Faker("en_US")
    Faker.seed(seed)
    rng = fake.random
    rows = []
    for _ in range(n):
        sex = rng.choice("FM")
        first = fake.first_name_female() if sex == "F" else fake.first_name_male()
        last = fake.last_name()
        email = f"{first.lower()}.{last.lower()}{rng.randint(0, 999)}@{fake.free_email_domain()}"
        rows.append({
            "name": f"{first} {last}",
            "street_address": fake.street_address(),
            "city": fake.city(),
            "state": fake.state_abbr(),
            "zipcode": int(fake.zipcode()),
            "ssn": fake.ssn(),
            "income": int(rng.lognormvariate(10.9, 0.6)),
            "purchases": rng.randint(0, 10),
            "sex": sex,
            "birthdate": fake.date_of_birth(minimum_age=18, maximum_age=95),
            "email": email,
            "username": fake.user_name(),
            "ip": fake.ipv4_public(),
            **{k: rng.randint(0, 1) for k in ("golf", "travel", "fashion", "outdoors",
                                               "technology")},
            "mdem": hashlib.md5(email.encode()).hexdigest(),
        })
    return pd.DataFrame(rows)


def run(quick=False):
    results = []
    n_peer = 2_000 if quick else 20_000
    ours, _ = best_time(lambda: make_customers(n_peer, random_state=0), repeat=3)
    try:
        peer, _ = best_time(lambda: _faker_customers(n_peer), repeat=1)
    except ImportError:
        peer = None
    results.append(row("make_customers (19 columns)", n_peer, ours,
                       "Faker, row by row" if peer else "", peer))
    n_big = 100_000 if quick else 1_000_000
    big, _ = best_time(lambda: make_customers(n_big, random_state=0), repeat=1)
    results.append(row("make_customers (19 columns)", n_big, big, note="no peer at this size"))
    survey, _ = best_time(lambda: make_survey(n_big, random_state=0), repeat=1)
    results.append(row("make_survey (15 columns)", n_big, survey))
    try:
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from conftest import ADULT_DIR

        import pandas as pd

        uci = ["age", "workclass", "fnlwgt", "education", "education-num",
               "marital-status", "occupation", "relationship", "race", "sex",
               "capital-gain", "capital-loss", "hours-per-week", "native-country",
               "income"]
        t, frame = best_time(lambda: load_adult(ADULT_DIR, split="both"), repeat=3)
        p, _ = best_time(lambda: pd.concat([
            pd.read_csv(ADULT_DIR / f, header=None, names=uci, skipinitialspace=True,
                        na_values="?") for f in ("adult.data", "adult.test")]), repeat=3)
        results.append(row("load_adult(split='both'), dtypes set", len(frame), t,
                           "pd.read_csv x2 (no dtypes, labels unfixed)", p))
    except FileNotFoundError:
        pass
    return results
