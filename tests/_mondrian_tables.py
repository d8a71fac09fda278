"""The small table and city hierarchy shared by the tests of Mondrian's scored cut searches
(``cuts="best"``, ``"lookahead"``, ``"hybrid"``)."""

import numpy as np
import pandas as pd

QI = ["age", "income", "sex", "city"]
CITIES = {"Lyon": ["South", "*"], "Nice": ["South", "*"], "Paris": ["North", "*"],
          "Lille": ["North", "*"], "Brest": ["West", "*"]}


def make_table(n=800, seed=0):
    """``n`` rows: age, income (log-normal), sex, city, and a sensitive ``disease``."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 80, n),
        "income": rng.lognormal(10, 0.5, n).round(-2),
        "sex": rng.choice(["F", "M"], n),
        "city": rng.choice(list(CITIES), n),
        "disease": rng.choice(["flu", "cold", "hiv", "covid"], n),
    })
