"""Microaggregator (MDAV) against a plain numpy implementation of the published MDAV.

    python benchmarks/bench_sdc.py        # timings, and Adult's information loss
    python benchmarks/run.py sdc          # the timing rows only

* 100,000 rows x 3 columns (standard normal, seed 0) at k=5:
  ``Microaggregator(k=5).fit_transform`` wall and CPU seconds; the plain
  MDAV is timed on 20,000 rows of the same data (at 100,000 rows it takes
  minutes), and ours on the same 20,000 rows in the same run.
* Adult (``adult.data``, 32,561 rows; SKLEARN_ANON_ADULT_DIR or
  ../shared/data/adult), the six numeric columns age, fnlwgt,
  education-num, capital-gain, capital-loss, hours-per-week, standardized,
  k=5: IL1s (sdcMicro's ``dUtility``), share of variance kept, k of the
  output and the groups of ours and of the plain MDAV, in one run.

The plain MDAV (``plain_mdav``) is MDAV as published (Domingo-Ferrer &
Torra 2005): per step one numpy pass over all rows with a boolean mask of
the remaining ones, ``argmax`` for the farthest record and a stable
``argsort`` for the k nearest (ties to the first row, as ours).  R and
sdcMicro are not installable on this machine, so it stands in for
sdcMicro's ``mdav``.
"""

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import row  # noqa: E402

from sklearn_anon.sdc import Microaggregator  # noqa: E402

ADULT = Path(os.environ.get("SKLEARN_ANON_ADULT_DIR",
                            Path(__file__).resolve().parents[2] / "shared" / "data" / "adult"))
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
COLUMNS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
           "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
           "hours-per-week", "native-country", "salary"]


def plain_mdav(Z, k):
    """Published MDAV, one masked numpy pass per step; returns group labels."""
    n = Z.shape[0]
    labels = np.full(n, -1)
    alive = np.ones(n, dtype=bool)
    g = 0

    def farthest(point):
        return int(np.argmax(np.where(alive, ((Z - point) ** 2).sum(axis=1), -np.inf)))

    def take_around(i):
        nonlocal g
        d = np.where(alive, ((Z - Z[i]) ** 2).sum(axis=1), np.inf)
        group = np.argsort(d, kind="stable")[:k]
        labels[group] = g
        alive[group] = False
        g += 1

    while alive.sum() >= 3 * k:
        r = farthest(Z[alive].mean(axis=0))
        take_around(r)
        take_around(farthest(Z[r]))
    if alive.sum() >= 2 * k:
        take_around(farthest(Z[alive].mean(axis=0)))
    labels[alive] = g
    return labels


def il1s(X, X_anon):
    sd = X.std(axis=0, ddof=1)
    return float((np.abs(X - X_anon) / (np.sqrt(2) * sd)).sum() / X.size)


def variance_kept(X, X_anon):
    sse = ((X - X_anon) ** 2).sum(axis=0)
    sst = ((X - X.mean(axis=0)) ** 2).sum(axis=0)
    return float(np.mean(1 - sse / sst))


def output_k(X_anon):
    return int(pd.DataFrame(X_anon).value_counts().min())


def timed(func):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def run(quick=False):
    n = 20_000 if quick else 100_000
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(n, 3)), columns=["a", "b", "c"])
    rows = []
    wall, cpu, _ = timed(lambda: Microaggregator(k=5).fit_transform(X))
    rows.append(row(f"Microaggregator k=5, {n:,} x 3", n, wall,
                    note=f"CPU {cpu:.2f} s; load: other jobs on the 2 cores"))
    small = X.iloc[:20_000]
    wall, cpu, _ = timed(lambda: Microaggregator(k=5).fit_transform(small))
    Z = ((small - small.mean()) / small.std(ddof=0)).to_numpy()
    pwall, pcpu, _ = timed(lambda: plain_mdav(Z, 5))
    rows.append(row("Microaggregator k=5, 20,000 x 3", len(small), wall, peer="plain MDAV",
                    peer_seconds=pwall, note=f"CPU ours {cpu:.2f} s, plain {pcpu:.2f} s"))
    return rows


def adult_comparison(k=5):
    adult = pd.read_csv(ADULT / "adult.data", header=None, names=COLUMNS, skipinitialspace=True)
    X = adult[NUMERIC].astype(float)
    micro = Microaggregator(k=k)
    wall, cpu, out = timed(lambda: micro.fit_transform(X))
    Z = (X.to_numpy() - micro.center_) / micro.scale_
    pwall, pcpu, labels = timed(lambda: plain_mdav(Z, k))
    ref = X.groupby(labels).mean().to_numpy()[labels]
    Xv, ov = X.to_numpy(), out.to_numpy()
    return pd.DataFrame({
        "implementation": ["Microaggregator", "plain MDAV"],
        "IL1s": [il1s(Xv, ov), il1s(Xv, ref)],
        "variance kept": [variance_kept(Xv, ov), variance_kept(Xv, ref)],
        "k of output": [output_k(ov), output_k(ref)],
        "groups": [len(micro.group_sizes_), int(labels.max()) + 1],
        "same output rows": [float((np.abs(ov - ref) < 1e-9).all(axis=1).mean()), 1.0],
        "wall s": [wall, pwall],
        "CPU s": [cpu, pcpu],
    })


if __name__ == "__main__":
    from _common import format_table, machine

    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.2f} at start\n")
    print(format_table(run()))
    if (ADULT / "adult.data").exists():
        print()
        table = adult_comparison()
        print("| " + " | ".join(table.columns) + " |")
        print("|" + "---|" * len(table.columns))
        for values in table.itertuples(index=False):
            print("| " + " | ".join(f"{v:.6g}" if isinstance(v, float) else str(v)
                                    for v in values) + " |")
    else:
        print(f"\nAdult not found at {ADULT}: comparison skipped")
    print(f"\nload average {os.getloadavg()[0]:.2f} at end")
