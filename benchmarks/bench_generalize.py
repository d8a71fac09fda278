"""Generalizers vs the plain pandas operation a user would write instead.

Each row times our fitted ``transform`` (the repeated operation: anonymizing
next month's data) and, separately, ``fit_transform``, against the pandas
one-liner on the same 1,000,000-row column in the same run.  The pandas
one-liners are the unguarded versions: they do not suppress NaN/out-of-range
values, do not fix a category set, and pass unseen values through.
"""

import numpy as np
import pandas as pd

from _common import best_time, row

from sklearn_anon import (
    DateGeneralizer,
    HierarchyGeneralizer,
    IntervalGeneralizer,
    PrefixGeneralizer,
    RareCategoryGrouper,
    TopBottomCoder,
)

EDGES = [0, 9000, 25000, 51000, 115000, 500000, np.inf]
LABELS = ["Destitute", "Poor", "Working", "Middle", "Affluent", "Rich"]


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    zips = rng.integers(0, 99999, 40_000)[rng.zipf(1.3, n) % 40_000]
    birth = pd.to_datetime("1930-01-01") + pd.to_timedelta(rng.integers(0, 30000, n), "D")
    ips = pd.Series(
        [f"{a}.{b}.{c}.{d}" for a, b, c, d in rng.integers(0, 256, (min(n, 200_000), 4))],
        dtype="str",
    )
    return {
        "income": pd.Series(np.round(rng.lognormal(10.5, 1.2, n))),
        "age": pd.Series(rng.integers(1, 100, n)),
        "zip_int": pd.Series(zips),
        "zip_str": pd.Series(zips).astype("str").str.zfill(5),
        "birth": pd.Series(birth),
        "birth_str": pd.Series(birth).dt.strftime("%Y-%m-%d").astype("str"),
        "ip": ips.iloc[rng.integers(0, len(ips), n)].reset_index(drop=True),
        "education": pd.Series(
            np.array(["Bachelors", "HS-grad", "Masters", "Some-college", "Doctorate"])[
                rng.integers(0, 5, n)
            ],
            dtype="str",
        ),
    }


def _age_hierarchy():
    return pd.DataFrame(
        [[str(a), f"{a // 5 * 5}-{a // 5 * 5 + 4}", f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"]
         for a in range(0, 101)]
    )


def _cases(d):
    hier = _age_hierarchy()
    age_map = dict(zip(hier[0].astype(int), hier[2]))
    edu = {"Bachelors": ["Higher"], "Masters": ["Higher"], "Doctorate": ["Higher"],
           "HS-grad": ["Secondary"], "Some-college": ["Higher"]}
    edu_map = {k: v[0] for k, v in edu.items()}
    zip3 = d["zip_str"].str[:3]

    def rare_peer(s=zip3):
        vc = s.value_counts()
        return s.where(s.isin(vc.index[vc >= 10]), "OTHER")

    return [
        ("IntervalGeneralizer income 6 classes", "income",
         IntervalGeneralizer(bins=EDGES, labels=LABELS, right=False),
         "pd.cut", lambda: pd.cut(d["income"], EDGES, labels=LABELS, right=False)),
        ("TopBottomCoder q0.99", "income", TopBottomCoder(upper_quantile=0.99),
         "clip(quantile)", lambda: d["income"].clip(upper=d["income"].quantile(0.99))),
        ("PrefixGeneralizer ZIP3 (str)", "zip_str", PrefixGeneralizer(n=3),
         ".str[:3]", lambda: d["zip_str"].str[:3]),
        ("PrefixGeneralizer ZIP3 (int, width=5)", "zip_int", PrefixGeneralizer(n=3, width=5),
         "astype(str).str.zfill(5).str[:3]",
         lambda: d["zip_int"].astype(str).str.zfill(5).str[:3]),
        ("PrefixGeneralizer IPv4 /24", "ip", PrefixGeneralizer(mode="ipv4", n=3),
         '.str.rsplit(".", n=1).str[0]', lambda: d["ip"].str.rsplit(".", n=1).str[0] + ".0/24"),
        ("RareCategoryGrouper ZIP3 k=10", "zip3", RareCategoryGrouper(min_count=10),
         "value_counts+where", rare_peer),
        ("DateGeneralizer year (datetime64)", "birth", DateGeneralizer(unit="year"),
         ".dt.year.astype(str)", lambda: d["birth"].dt.year.astype(str)),
        ("DateGeneralizer month (datetime64)", "birth", DateGeneralizer(unit="month"),
         '.dt.to_period("M").astype(str)', lambda: d["birth"].dt.to_period("M").astype(str)),
        ("DateGeneralizer year (strings)", "birth_str", DateGeneralizer(unit="year", format="%Y-%m-%d"),
         "to_datetime(format).dt.year",
         lambda: pd.to_datetime(d["birth_str"], format="%Y-%m-%d").dt.year),
        ("DateGeneralizer age bands", "birth",
         DateGeneralizer(unit="age", reference_date="2024-01-01", bins=[20, 35, 45, 55, 65]),
         "age via .dt + pd.cut",
         lambda: pd.cut(2024 - d["birth"].dt.year - (d["birth"].dt.dayofyear > 1),
                        [20, 35, 45, 55, 65], right=False)),
        ("HierarchyGeneralizer age level 2 (int)", "age",
         HierarchyGeneralizer(hierarchies={"age": hier}, levels=2),
         ".map(dict)", lambda: d["age"].map(age_map)),
        ("HierarchyGeneralizer education (str)", "education",
         HierarchyGeneralizer(hierarchies={"education": edu}, levels=1),
         ".map(dict)", lambda: d["education"].map(edu_map)),
    ], zip3


def run(quick=False):
    n = 100_000 if quick else 1_000_000
    d = _data(n)
    cases, zip3 = _cases(d)
    d["zip3"] = zip3
    rows = []
    for label, col, est, peer, peer_func in cases:
        repeat = 2 if "IPv4" in label else 5  # best of 5: the machine is shared
        X = d[col].to_frame(col)
        est.fit(X)
        peer_s, _ = best_time(peer_func, repeat=repeat)
        ours_s, out = best_time(lambda: est.transform(X), repeat=repeat)
        assert len(out) == n
        rows.append(row(f"{label}: transform", n, ours_s, peer, peer_s))
        fit_s, _ = best_time(lambda: est.fit_transform(X), repeat=repeat)
        rows.append(row(f"{label}: fit_transform", n, fit_s, peer, peer_s))
    return rows


if __name__ == "__main__":
    from _common import format_table, machine

    print(machine())
    print(format_table(run()))
