"""LocalSuppressor on Adult generalized at a middle level, against sdcMicro's rule.

    python benchmarks/bench_local_suppression.py     # the table of cells and times
    python benchmarks/run.py local_suppression       # the timing rows only

Adult (``adult.csv``, 30,162 rows), the 8 QIs sex, age, race, marital-status,
education, native-country, workclass, occupation, generalized with ARX's
hierarchies by :class:`~sklearn_anon.HierarchyGeneralizer` at the levels
``LEVELS`` (age in 10-year bands, the middle level of the others; race and
sex kept).  For k = 5 and 10 it prints, in one run:

* ours: cells suppressed (per column and total), records touched, k with
  wildcards and k with ``"*"`` as its own value, rounds, CPU and wall time;
* whole records: the cells of suppressing every QI of every record below k
  (what record suppression costs, the upper bound of the greedy);
* sdcMicro's rule: the loop of sdcMicro's ``localSuppression``
  (``suppSubset``: problem records by risk, one cell each per pass, in the
  least important column where the record differs from one of its nearest
  records; its reduction step is left out), re-implemented here in
  Python/numpy one record at a time.  R and sdcMicro themselves are not
  installable on this machine (no r-cran-sdcmicro in Debian, CRAN not
  reachable; see ../shared/anchors.md), so this is the peer.
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_time, row  # noqa: E402

from sklearn_anon import HierarchyGeneralizer, LocalSuppressor  # noqa: E402

ADULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "adult"
QI8 = ["sex", "age", "race", "marital-status", "education", "native-country",
       "workclass", "occupation"]
LEVELS = {"sex": 0, "age": 2, "race": 0, "marital-status": 1, "education": 1,
          "native-country": 1, "workclass": 1, "occupation": 1}


def adult_generalized():
    df = pd.read_csv(ADULT / "adult.csv", sep=";")[QI8].astype(str)
    hierarchies = {c: str(ADULT / f"adult_hierarchy_{c}.csv") for c in QI8}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return HierarchyGeneralizer(hierarchies, levels=LEVELS).fit_transform(df)


def _codes(frame):
    return np.stack([pd.factorize(frame[c].astype(str), sort=True)[0] for c in frame.columns],
                    axis=1).astype(float)


def _wildcard_fk(mat):
    """Per row: rows matching it (NaN matches anything), over distinct rows."""
    filled = np.where(np.isnan(mat), -1, mat)
    pats, inv, w = np.unique(filled, axis=0, return_inverse=True, return_counts=True)
    pats = np.where(pats < 0, np.nan, pats)
    fk = np.empty(len(pats))
    for i, p in enumerate(pats):
        ok = np.isnan(p) | np.isnan(pats) | (pats == p)
        fk[i] = w[ok.all(axis=1)].sum()
    return fk[inv.ravel()]


def sdcmicro_rule(mat, k, importance):
    """sdcMicro's ``suppSubset`` loop (alpha=1, without its reduction step).

    ``importance``: larger is suppressed first.  Returns the suppressed matrix.
    """
    mat = mat.copy()
    cols = sorted(range(mat.shape[1]), key=lambda j: (-importance[j], j))
    while True:
        fk = _wildcard_fk(mat)
        problems = [i for i in np.argsort(fk, kind="stable") if fk[i] < k]
        if not problems:
            return mat
        for i in problems:  # one record at a time, as sdcMicro
            diff = ~np.isnan(mat) & ~np.isnan(mat[i]) & (mat != mat[i])
            dist = diff.sum(axis=1)
            positive = dist[dist > 0]
            if len(positive) == 0:
                continue
            ids = dist == positive.min()
            for cc in cols:
                if diff[ids, cc].any():
                    mat[i, cc] = np.nan
                    break


def compare(ks=(5, 10), with_peer=True):
    gen = adult_generalized()
    classes = gen.astype(object).value_counts()
    lines = []
    for k in ks:
        sup = LocalSuppressor(k=k, matching="wildcard")
        cpu0 = time.process_time()
        sup.fit(gen)
        cpu = time.process_time() - cpu0
        wall, _ = best_time(lambda: LocalSuppressor(k=k, matching="wildcard").fit_transform(gen), repeat=3)
        below = int(classes[classes < k].sum())
        result = {
            "k": k, "ours: cells": sup.n_suppressed_, "records touched": sup.n_records_suppressed_,
            "k wildcard / strict": f"{sup.k_achieved_} / {sup.k_strict_}", "rounds": sup.n_rounds_,
            "ours: CPU s": round(cpu, 3), "ours: wall s (best of 3)": round(wall, 3),
            "whole records: cells": below * len(QI8), "records below k": below,
        }
        if with_peer:
            mat = _codes(gen)
            start = time.perf_counter()
            out = sdcmicro_rule(mat, k, [sup.importance_[c] for c in QI8])
            result["sdcMicro rule: cells"] = int(np.isnan(out).sum())
            result["sdcMicro rule: wall s"] = round(time.perf_counter() - start, 2)
            assert _wildcard_fk(out).min() >= k
        result["per column"] = sup.suppressed_
        lines.append(result)
    return lines


def run(quick=False):
    if not (ADULT / "adult.csv").exists():
        return []
    gen = adult_generalized()
    rows = []
    for k in (5, 10):
        seconds, out = best_time(lambda: LocalSuppressor(k=k, matching="wildcard").fit_transform(gen), repeat=1 if quick else 3)
        cells = int((out == "*").to_numpy().sum())
        rows.append(row(f"LocalSuppressor k={k}, Adult 8 QIs generalized", len(gen), seconds,
                        note=f"{cells} cells suppressed"))
    return rows


def main():
    if not (ADULT / "adult.csv").exists():
        print(f"Adult not found in {ADULT}")
        return 1
    for result in compare():
        per_column = result.pop("per column")
        print(" | ".join(f"{key}: {value}" for key, value in result.items()))
        print("   per column:", per_column)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
