"""PRAM (sklearn_anon.sdc) on a 10-category column of 1,000,000 values.

Peers, in the same run on the same data:

* ``RandomizedResponse`` at the same epsilon as a uniform PRAM matrix (the
  two are the same mechanism; RR has a closed-form sampler);
* the plain numpy one-liner a user would write for PRAM: one uniform per
  value compared with its row of the cumulative matrix,
  ``(u[:, None] > cum[codes]).sum(1)`` (an n x k temporary).

Both wall-clock (``time.perf_counter``) and CPU (``time.process_time``)
seconds are reported, best of 3 after a warm-up.  sdcMicro's ``pram`` (R)
is not installed here, so it is not timed.
"""

import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import best_time, row  # noqa: E402

from sklearn_anon import PRAM, PrivacyLeakWarning, RandomizedResponse  # noqa: E402


def cpu_time(func, *, repeat=3):
    """Best CPU seconds (``time.process_time``) of ``repeat`` calls after one warm-up."""
    func()
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        func()
        best = min(best, time.process_time() - start)
    return best


def _data(n, k=10, seed=0):
    rng = np.random.default_rng(seed)
    cats = [f"cat{i}" for i in range(k)]
    weights = 1.0 / np.arange(1, k + 1)  # Zipf-like frequencies
    codes = rng.choice(k, size=n, p=weights / weights.sum())
    frame = pd.DataFrame({"c": pd.Series(np.asarray(cats, dtype=object)[codes], dtype="str")})
    return frame, cats, codes


def run(quick=False):
    n = 100_000 if quick else 1_000_000
    k = 10
    X, cats, codes = _data(n, k)
    load = " ".join(f"{x:.2f}" for x in (__import__("os").getloadavg()))
    note_load = f"load avg {load}; 2 cores shared with other jobs"
    rows = []

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyLeakWarning)
        inv = PRAM(p=0.8, categories=cats, random_state=0)
        fit_s, _ = best_time(lambda: inv.fit(X))
        fit_cpu = cpu_time(lambda: inv.fit(X))
    rows.append(row("PRAM invariant fit (p=0.8)", n, fit_s, note=f"CPU {fit_cpu:.3f} s; {note_load}"))

    t_s, _ = best_time(lambda: inv.transform(X))
    t_cpu = cpu_time(lambda: inv.transform(X))

    # the plain numpy one-liner over the same matrix
    cum = np.cumsum(inv.matrix_["c"].to_numpy(), axis=1)
    labels = np.asarray(cats, dtype=object)
    rng = np.random.default_rng(1)

    def plain():
        u = rng.random(n)
        out = np.minimum((u[:, None] >= cum[codes]).sum(axis=1), k - 1)
        return pd.Series(labels[out], dtype="str")

    p_s, _ = best_time(plain)
    p_cpu = cpu_time(plain)
    rows.append(row(
        "PRAM invariant transform", n, t_s, "numpy (u > cum[codes]).sum(1)", p_s,
        note=f"CPU ours {t_cpu:.3f} s / peer {p_cpu:.3f} s; k={k}",
    ))

    # uniform matrix = k-ary randomized response at the same epsilon
    eps = 1.0
    keep = math.exp(eps) / (math.exp(eps) + k - 1)
    a = (keep * k - 1) / (k - 1)
    P = a * np.eye(k) + (1 - a) / k * np.ones((k, k))
    uni = PRAM(matrix=P, categories=cats, random_state=0).fit(X)
    rr = RandomizedResponse(epsilon=eps, categories=cats, random_state=0).fit(X)
    u_s, _ = best_time(lambda: uni.transform(X))
    u_cpu = cpu_time(lambda: uni.transform(X))
    r_s, _ = best_time(lambda: rr.transform(X))
    r_cpu = cpu_time(lambda: rr.transform(X))
    rows.append(row(
        "PRAM uniform matrix transform (eps=1)", n, u_s, "RandomizedResponse(eps=1)", r_s,
        note=f"CPU ours {u_cpu:.3f} s / peer {r_cpu:.3f} s; same mechanism",
    ))
    return rows


if __name__ == "__main__":
    from _common import format_table, machine

    print(f"Machine: {machine()}\n")
    print(format_table(run(quick="--quick" in sys.argv)))
