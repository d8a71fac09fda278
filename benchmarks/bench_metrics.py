"""Benchmark the privacy measures against pycanon on the same data.

Two tables of 1,000,000 rows x 5 quasi-identifiers plus a 10-valued
sensitive column:

* ``coarse``: generalized QIs (age band, sex, ZIP region as an interval,
  education group, race), about 2,000 equivalence classes: pycanon's
  per-class loops finish on it, so k, distinct l, entropy l and t are
  compared (with 37,000 classes on 100,000 rows pycanon already needs 21 s
  for l, 112 s for entropy l and 251 s for t);
* the coarse table again with ``category`` columns (k, uniqueness, distinct
  l): the class codes are read, not computed;
* ``raw``: raw QIs (age, sex, 5-digit ZIP, education, race), nearly every
  row its own class: sample uniqueness and k, pycanon's k beside ours.

Also times the linkage attack (1,000,000 released rows against an auxiliary
table of 100,000 identities) and the whole PrivacyReport on 100,000 rows.

Run: ``python benchmarks/run.py metrics`` (``--quick``: 100,000 rows).
"""

import numpy as np
import pandas as pd

from _common import best_time, row

from sklearn_anon.metrics import (
    PrivacyReport,
    k_anonymity,
    l_diversity,
    linkage_attack,
    sample_uniqueness,
    t_closeness,
)

QIS = ["age", "sex", "zip", "education", "race"]
SENSITIVE = "disease"
#: the coarse table's education groups, as a hierarchy (for the linkage attack)
EDUCATION = {f"edu-{i}": [["low", "mid", "high", "top"][i // 4]] for i in range(16)}


def _zip_intervals(zipcode):
    lo = pd.Series(zipcode // 10000 * 10000)
    return ("[" + lo.astype(str) + ", " + (lo + 10000).astype(str) + ")").to_numpy()


def make_tables(n, seed=0):
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 91, n)
    sex = rng.choice(["F", "M"], n)
    zipcode = rng.integers(10000, 99999, n)
    education = rng.choice([f"edu-{i}" for i in range(16)], n)
    race = rng.choice(["a", "b", "c", "d", "e"], n, p=[0.7, 0.1, 0.1, 0.05, 0.05])
    disease = rng.choice([f"d{i}" for i in range(10)], n)
    raw = pd.DataFrame({"age": age, "sex": sex, "zip": zipcode, "education": education,
                        "race": race, SENSITIVE: disease})
    coarse = pd.DataFrame({
        "age": pd.cut(age, [0, 30, 40, 50, 60, 70, 200], right=False).astype(str),
        "sex": sex,
        "zip": _zip_intervals(zipcode),
        "education": np.array(["low", "mid", "high", "top"])[
            np.char.replace(education.astype(str), "edu-", "").astype(int) // 4
        ],
        "race": race,
        SENSITIVE: disease,
    })
    return raw, coarse


def _pycanon():
    try:
        from pycanon import anonymity
    except ImportError:  # pragma: no cover
        return None
    return anonymity


def run(quick=False):
    n = 100_000 if quick else 1_000_000
    raw, coarse = make_tables(n)
    anonymity = _pycanon()
    peer = "pycanon 1.x"
    rows = []
    n_classes = coarse.groupby(QIS).ngroups
    note_c = f"{n_classes:,} classes"

    def compare(table, label, measures):
        """Time our measures and pycanon's on ``table``; check the values agree."""
        cases = {
            "k-anonymity": (lambda: k_anonymity(table, QIS),
                            lambda: anonymity.k_anonymity(table, QIS)),
            "sample uniqueness": (lambda: sample_uniqueness(table, QIS), None),
            "l-diversity (distinct)": (lambda: l_diversity(table, QIS, SENSITIVE),
                                       lambda: anonymity.l_diversity(table, QIS, [SENSITIVE])),
            "l-diversity (entropy)": (
                lambda: l_diversity(table, QIS, SENSITIVE, kind="entropy"),
                lambda: anonymity.entropy_l_diversity(table, QIS, [SENSITIVE])),
            "t-closeness": (lambda: t_closeness(table, QIS, SENSITIVE),
                            lambda: anonymity.t_closeness(table, QIS, [SENSITIVE])),
        }
        for name in measures:
            ours, theirs = cases[name]
            seconds, value = best_time(ours)
            peer_seconds, agree = None, ""
            if theirs is not None and anonymity is not None:
                peer_seconds, peer_value = best_time(theirs, repeat=1)
                if name == "l-diversity (entropy)":  # pycanon: the integer part
                    same = int(np.floor(value + 1e-9)) == peer_value
                else:
                    same = value == peer_value
                agree = f"; same value as pycanon: {same}"
            rows.append(row(f"{name}, 5 QIs ({label})", n, seconds, peer if theirs else None,
                            peer_seconds, f"{note_c}{agree}"))

    # -- coarse table: k, l, entropy l, t against pycanon -------------------------------
    compare(coarse, "coarse", ["k-anonymity", "sample uniqueness", "l-diversity (distinct)",
                               "l-diversity (entropy)", "t-closeness"])
    # -- the same coarse table held as categoricals (codes read directly) -------------------
    compare(coarse.astype("category"), "coarse, category dtype",
            ["k-anonymity", "sample uniqueness", "l-diversity (distinct)"])

    # -- raw table: uniqueness and k -----------------------------------------------------
    n_raw = raw.groupby(QIS).ngroups
    seconds, u = best_time(lambda: sample_uniqueness(raw, QIS))
    rows.append(row("sample uniqueness, 5 raw QIs", n, seconds, None, None,
                    f"{n_raw:,} classes; uniqueness {u:.3f}"))
    seconds, k = best_time(lambda: k_anonymity(raw, QIS))
    peer_seconds = None
    if anonymity is not None:
        peer_seconds, pk = best_time(lambda: anonymity.k_anonymity(raw, QIS), repeat=1)
    rows.append(row("k-anonymity, 5 raw QIs", n, seconds, peer if anonymity else None,
                    peer_seconds, f"{n_raw:,} classes; k = {k}"))

    # -- linkage attack and report ---------------------------------------------------------
    aux = raw.iloc[: n // 10][QIS].reset_index(drop=True)
    seconds, res = best_time(lambda: linkage_attack(raw[QIS], aux, QIS), repeat=1)
    rows.append(row("linkage attack, raw release vs 10% auxiliary (hash join)", n, seconds,
                    None, None, f"unique match rate {res['unique_match_rate']:.3f}"))
    seconds, res = best_time(
        lambda: linkage_attack(coarse[QIS].iloc[: n // 10], aux, QIS,
                               hierarchies={"education": EDUCATION}),
        repeat=1,
    )
    rows.append(row("linkage attack, generalized release vs 10% auxiliary (bitsets)", n // 10,
                    seconds, None, None,
                    f"{len(aux):,} identities; mean candidates {res['mean_candidates']:.1f}"))
    m = n // 10
    seconds, _ = best_time(
        lambda: PrivacyReport(raw.iloc[:m], coarse.iloc[:m], QIS, sensitive=SENSITIVE,
                              hierarchies={"education": EDUCATION}).to_html(plots=False),
        repeat=1,
    )
    rows.append(row("PrivacyReport (all measures, HTML without plots)", m, seconds))
    return rows
