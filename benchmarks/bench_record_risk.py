"""Record-level risk like sdcMicro, on Adult: individual risk, SUDA, population uniqueness.

Wall time, best of 3 (the population rows: best of 5), all in the same run.
R and sdcMicro are not installable on this machine (no R; the package
registries reachable here have no sdcMicro), so the peers are:

* individual risk (Benedetti-Franconi) -- the same formulas written as a
  pandas user would (``groupby(...).transform`` for ``fk`` and ``Fk``, then
  the formulas on every record); the values are checked equal.  Weights:
  Adult's ``fnlwgt`` (the CPS final weight, a real sampling weight) on
  ``adult.data``'s 32,561 rows.
* SUDA -- SUDA2's recursive search (``method="suda2"``) against the
  default level-wise search, and both against an exhaustive enumeration
  of every subset of the quasi-identifiers (the reference the tests use, here vectorized with the
  same counting primitive, so the ratio isolates the search's pruning); the
  MSU sets are checked equal.  On ``adult.csv`` (30,162 rows, the usual 8
  quasi-identifiers) and on ``adult.data`` with 12 attributes.
* population uniqueness -- ARX 3.9's ``RiskModelPopulationUniqueness``
  (Pitman, Zayatz, SNB, Dankar's rule), built from source by
  ``benchmarks/arx/build.sh`` (needs ``ARX_SRC`` and a JDK; the ARX rows
  are left out otherwise), on the same samples of Adult treated as the
  population, and the true population uniqueness.  ARX's time is the best
  in-JVM time of its estimation (no JVM start-up).

Run: ``python benchmarks/run.py record_risk`` (timing rows) or
``python benchmarks/bench_record_risk.py`` (also prints the accuracy tables).
"""

import atexit
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import best_time, row  # noqa: E402

ADULT = Path(os.environ.get("SKLEARN_ANON_ADULT_DIR", HERE.parents[1] / "shared" / "data" / "adult"))
QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
       "occupation"]
DATA_COLS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
             "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
             "hours-per-week", "native-country", "salary"]
WIDE_QIS = ["age", "workclass", "education", "marital-status", "occupation", "relationship",
            "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country"]


def cpu_time(func):
    """CPU seconds (this process, ``time.process_time``) of one call of ``func()``."""
    import time

    start = time.process_time()
    func()
    return time.process_time() - start


def _load():
    try:
        return "load %.1f" % os.getloadavg()[0]
    except OSError:  # pragma: no cover
        return ""


def _adult():
    return pd.read_csv(ADULT / "adult.csv", sep=";")


def _adult_data():
    return pd.read_csv(ADULT / "adult.data", header=None, names=DATA_COLS, skipinitialspace=True)


# -- peers --------------------------------------------------------------------------------------
def pandas_individual_risk(frame, qis, weights):
    """sdcMicro's indivRisk ("approx") written with pandas, per record."""
    g = frame.assign(_w=weights).groupby(qis, dropna=False, sort=False)["_w"]
    fk = g.transform("size").to_numpy(dtype=float)
    Fk = g.transform("sum").to_numpy()
    pk = fk / Fk
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = pk / (1 - pk)
        rk = np.where(fk == 1, odds * np.log(1 / pk),
                      np.where(fk == 2, odds - odds ** 2 * np.log(1 / pk), pk / (fk - (1 - pk))))
    return np.where(fk == Fk, 1 / fk, rk)


def exhaustive_msus(frame, qis, max_size=None):
    """Every MSU by enumerating all subsets of the columns (no pruning)."""
    from sklearn_anon.metrics._suda import _qi_codes, _subset_sizes

    codes, cards, missing = _qi_codes(frame, qis)
    n, m = codes.shape
    prev = {(): np.zeros(n, dtype=bool)}  # unique on the subset (no missing value in it)
    out = set()
    for size in range(1, (max_size or m) + 1):
        level = {}
        for cols in itertools.combinations(range(m), size):
            uniq = (_subset_sizes(codes, cards, list(cols)) == 1) & ~missing[:, list(cols)].any(axis=1)
            minimal = uniq.copy()
            for drop in range(size):
                minimal &= ~prev[cols[:drop] + cols[drop + 1:]]
            out |= {(int(r), cols) for r in np.flatnonzero(minimal)}
            level[cols] = uniq
        prev = level
    return out


def ours_msus(frame, qis, max_size=None, method="levelwise"):
    from sklearn_anon.metrics._suda import _check_method, _qi_codes

    codes, cards, missing = _qi_codes(frame, qis)
    search = _check_method(method)
    candidates, found, examined = search(codes, cards, missing, max_size or len(qis))
    return {(int(candidates[p]), subset) for subset, pos in found for p in pos}, examined


# -- ARX ----------------------------------------------------------------------------------------
def _arx_classpath():
    """ARX's class path plus the compiled RiskDriver, or None (with the reason) when unavailable."""
    try:
        import bench_arx
    except ImportError as exc:  # pragma: no cover
        return None, str(exc)
    try:
        cp = bench_arx.build_arx()
    except bench_arx.ArxUnavailable as exc:
        return None, str(exc)
    out = Path(tempfile.mkdtemp(prefix="risk_driver_"))
    atexit.register(shutil.rmtree, out, True)  # the compiled driver, removed at exit
    proc = subprocess.run(["javac", "-nowarn", "-d", str(out), "-cp", cp,
                           str(HERE / "arx" / "RiskDriver.java")], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, f"RiskDriver did not compile: {proc.stderr[-500:]}"
    return f"{out}{os.pathsep}{cp}", None


def arx_population(classpath, sample, qis, fraction, runs=5):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.csv"
        sample[qis].to_csv(path, sep=";", index=False)
        proc = subprocess.run(["java", "-cp", classpath, "RiskDriver", str(path), repr(fraction),
                               ",".join(qis), str(runs)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-1000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- the benchmark ------------------------------------------------------------------------------
def run(quick=False, report=None):
    from sklearn_anon.metrics import individual_risk, population_uniqueness, suda_scores

    rows = []
    repeat = 1 if quick else 3
    data = _adult_data()
    if quick:
        data = data.head(5000)
    w = data["fnlwgt"].to_numpy(dtype=float)
    load = _load()

    # individual risk with sampling weights
    t_ours, ours = best_time(lambda: individual_risk(data, QIS, w)["risk"].to_numpy(), repeat=repeat)
    t_pd, peer = best_time(lambda: pandas_individual_risk(data, QIS, w), repeat=repeat)
    np.testing.assert_allclose(ours, peer, rtol=1e-12)
    rows.append(row("individual_risk (fnlwgt weights, 8 QIs)", len(data), t_ours,
                    "pandas groupby + formulas", t_pd, f"equal values; {load}"))
    t_exact, _ = best_time(lambda: individual_risk(data, QIS, w, method="exact"), repeat=repeat)
    rows.append(row("individual_risk method='exact'", len(data), t_exact, note=load))

    # SUDA: MSU search against exhaustive enumeration
    adult = _adult() if not quick else _adult().head(5000)
    all14 = [c for c in DATA_COLS if c != "salary"]
    for name, frame, qis, size in (("adult.csv, 8 QIs", adult, QIS, None),
                                   ("adult.data, 12 QIs", data, WIDE_QIS, None),
                                   ("adult.data, 14 attributes, max_size=3", data, all14, 3)):
        if quick and len(qis) > 8:
            continue
        total = sum(math.comb(len(qis), k) for k in range(1, (size or len(qis)) + 1))
        t_s, (msus, examined) = best_time(lambda: ours_msus(frame, qis, size),
                                          repeat=1 if len(qis) > 8 else repeat)
        t_e, ref = best_time(lambda: exhaustive_msus(frame, qis, size), repeat=1)
        assert msus == ref, "MSU sets differ"
        cpu_s = cpu_time(lambda: ours_msus(frame, qis, size))
        cpu_e = cpu_time(lambda: exhaustive_msus(frame, qis, size))
        rows.append(row(f"MSU search ({name})", len(frame), t_s, "exhaustive enumeration", t_e,
                        f"{len(msus):,} MSUs, equal sets; {examined:,} of {total:,} "
                        f"subsets counted; CPU {cpu_s:.2f} s / {cpu_e:.2f} s; {load}"))
        # SUDA2's recursive search (method="suda2") against the level-wise search
        t_r, (msus_r, nodes) = best_time(lambda: ours_msus(frame, qis, size, "suda2"),
                                         repeat=1 if len(qis) > 8 else repeat)
        assert msus_r == ref, "SUDA2's MSU sets differ"
        cpu_r = cpu_time(lambda: ours_msus(frame, qis, size, "suda2"))
        rows.append(row(f"MSU search method='suda2' ({name})", len(frame), t_r,
                        "level-wise search (default)", t_s,
                        f"equal sets; {nodes:,} sub-problems (column prefixes); "
                        f"CPU {cpu_r:.2f} s / {cpu_s:.2f} s; {load}"))
        if len(qis) <= 8:
            t_score, _ = best_time(lambda: suda_scores(frame, qis), repeat=repeat)
            rows.append(row(f"suda_scores ({name})", len(frame), t_score, note=load))

    # population uniqueness: Adult as the population
    classpath, why = _arx_classpath()
    population = _adult()
    truth = float(np.mean(population.groupby(QIS, dropna=False)[QIS[0]].transform("size") == 1))
    accuracy = []
    for fraction in ((0.05, 0.1) if quick else (0.01, 0.05, 0.1, 0.3)):
        sample = population.sample(frac=fraction, random_state=0)
        t_p, est = best_time(lambda: population_uniqueness(sample, QIS, sampling_fraction=fraction),
                             repeat=5)
        zay = population_uniqueness(sample, QIS, sampling_fraction=fraction, method="zayatz")
        arx = arx_population(classpath, sample, QIS, fraction) if classpath else None
        rows.append(row(f"population_uniqueness pitman (Adult as population, {fraction:.0%} sample)",
                        len(sample), t_p, "ARX 3.9 (in-JVM)" if arx else "",
                        arx["best_ms"] / 1000 if arx else None,
                        f"truth {truth:.4f}, ours {est['population_uniqueness']:.4f}"
                        + (f", ARX {arx['pitman']:.4f}" if arx else f" (ARX: {why})")))
        accuracy.append({
            "sample": f"{fraction:.0%} ({len(sample):,} rows)",
            "ours seconds": t_p,
            "ARX seconds": arx["best_ms"] / 1000 if arx else None,
            "true": truth,
            "sample uniqueness": est["sample_uniqueness"],
            "ours pitman": est["population_uniqueness"],
            "ours pitman (finite N)": est["parameters"]["finite_uniqueness"],
            "ours zayatz": zay["population_uniqueness"],
            "ARX pitman": arx["pitman"] if arx else None,
            "ARX zayatz": arx["zayatz"] if arx else None,
            "ARX SNB": arx["snb"] if arx else None,
            "ARX Dankar": arx["dankar"] if arx else None,
        })
    if report is not None:
        report["accuracy"] = accuracy
    return rows


if __name__ == "__main__":
    from _common import format_table, machine

    extra = {}
    result = run(quick="--quick" in sys.argv, report=extra)
    print(f"Machine: {machine()}\n")
    print(format_table(result))
    print()
    acc = pd.DataFrame(extra["accuracy"]).set_index("sample")
    cells = acc.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.4f}")
    print("| sample | " + " | ".join(cells.columns) + " |")
    print("|---|" + "---:|" * len(cells.columns))
    for label, values in cells.iterrows():
        print(f"| {label} | " + " | ".join(values) + " |")
