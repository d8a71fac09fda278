"""Differential privacy: sklearn_anon.dp against diffprivlib's per-value mechanisms.

diffprivlib's mechanisms take one scalar per call (``Laplace.randomise``);
a user noising a column loops over it.  The loop is timed on 100,000 values
(1/10 of the size) and scaled linearly to 1,000,000 (the per-call cost does
not depend on the size); the note says so.  The package runs on the full
1,000,000 values in the same run.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import best_time, row  # noqa: E402

from sklearn_anon import (  # noqa: E402
    DPGroupMeanEncoder,
    DPKBinsDiscretizer,
    dp_histogram,
    GaussianNoise,
    LaplaceNoise,
    RandomizedResponse,
)
from sklearn_anon import _random  # noqa: E402
from sklearn_anon._compat import dp_mechanisms, dp_tools  # noqa: E402
from sklearn_anon.base import make_rng  # noqa: E402
from sklearn_anon.dp import _sampling as _s  # noqa: E402


def cpu_time(func, *, repeat=3):
    """Best CPU seconds (``time.process_time``) of ``repeat`` calls after one warm-up."""
    import time

    func()
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        func()
        best = min(best, time.process_time() - start)
    return best


def _old_geometric(rng, t, count):
    """The previous sampler, floor(t * E) with numpy's ziggurat exponential (not exact)."""
    g = rng.standard_exponential(count)
    g *= t
    return np.floor(g, out=g)


def sampler_rows(n, n_peer):
    """CPU-time rows: the exact discrete Laplace against diffprivlib's loop, and the secure path."""
    rows = []
    scale = n / n_peer
    x = np.random.default_rng(7).uniform(0, 100, n)
    pcg = make_rng(0)
    ours = cpu_time(lambda: _s.laplace_on_grid(x, 0.0, 100.0, 1.0, pcg))
    peer = dp_mechanisms.Laplace(epsilon=1.0, sensitivity=100.0, random_state=0)
    values = x[:n_peer].tolist()
    peer_s = cpu_time(lambda: _loop(peer, values), repeat=1) * scale
    rows.append(row(
        "exact discrete Laplace on the grid (laplace_on_grid, PCG64)", n, ours,
        "diffprivlib Laplace.randomise loop", peer_s,
        f"CPU time both; peer on {n_peer:,} values x{scale:g}; same run",
    ))
    secure = make_rng("secure")
    source = "ChaCha20 keyed from os.urandom" if _random._chacha20() else "os.urandom only (no cryptography)"
    ours_secure = cpu_time(lambda: _s.laplace_on_grid(x, 0.0, 100.0, 1.0, secure))
    rows.append(row(
        'exact discrete Laplace, random_state="secure"', n, ours_secure,
        "the same with PCG64", ours,
        f"CPU time; secure costs {ours_secure / ours:.2f}x PCG64 (target < 3x); bytes: {source}",
    ))
    rows.append(row(
        'exact discrete Laplace, random_state="secure"', n, ours_secure,
        "diffprivlib Laplace.randomise loop", peer_s, "CPU time both; same run",
    ))
    for label, func in (
        ("Gaussian (gaussian_on_grid)", lambda r: _s.gaussian_on_grid(x, 0.0, 100.0, 1.0, 1e-5, r)),
        ("randomized response k=5 (codes)", lambda r: _s.randomized_response_codes(codes, 5, 1.0, r)),
    ):
        codes = np.random.default_rng(8).integers(0, 5, n)
        base = cpu_time(lambda: func(pcg))
        sec = cpu_time(lambda: func(secure))
        rows.append(row(
            f'{label}, random_state="secure"', n, sec, "the same with PCG64", base,
            f"CPU time; secure costs {sec / base:.2f}x PCG64",
        ))
    t = 2.0**20
    exact = cpu_time(lambda: _s.two_sided_geometric(pcg, t, n))
    old = cpu_time(lambda: _old_geometric(pcg, t, n))
    rows.append(row(
        "two_sided_geometric exact (t = 2**20)", n, exact,
        "previous floor(t * E) ziggurat sampler (not exact; no sign step)", old,
        "CPU time; the price of exactness (speedup < 1 = exact is slower)",
    ))
    u_pcg = cpu_time(lambda: pcg.random(n))
    u_sec = cpu_time(lambda: secure.random(n))
    rows.append(row(
        'uniforms: random_state="secure"', n, u_sec, "PCG64 Generator.random", u_pcg,
        f"CPU time; raw cost of the secure bytes: {u_sec / u_pcg:.1f}x ({source})",
    ))
    return rows


def histogram_rows(n, k=41):
    """dp_histogram against diffprivlib's ``tools.histogram`` on the same data, same epsilon.

    ``n`` rows of one column with ``k`` categories (Adult's native-country has 41).
    diffprivlib takes numbers: both are timed on the integer codes (declared domain
    ``0..k-1``, one bin per code); ours also on the string column (matching the strings
    to the declared domain included).  Wall (best of 3) and CPU (best of 3) seconds.
    Both release every bin with integer noise of scale 1/epsilon (ours: exact discrete
    Laplace; diffprivlib: ``GeometricTruncated``, a loop over the bins).
    """
    rng = np.random.default_rng(11)
    codes = rng.integers(0, k, n)
    frame = pd.DataFrame({"c": codes})
    names = [f"country-{i:02d}" for i in range(k)]
    strings = pd.DataFrame({"c": np.asarray(names, dtype=object)[codes]}).astype("str")
    acc = _random_accountant()

    def ours_codes():
        return dp_histogram(frame, "c", epsilon=1.0, categories={"c": list(range(k))}, accountant=acc)

    def ours_strings():
        return dp_histogram(strings, "c", epsilon=1.0, categories={"c": names}, accountant=acc)

    def peer():
        return dp_tools.histogram(codes, epsilon=1.0, bins=k, range=(-0.5, k - 0.5), accountant=acc)

    rows = []
    peer_wall, _ = best_time(peer)
    peer_cpu = cpu_time(peer)
    for label, func in (("integer codes", ours_codes), ("string column", ours_strings)):
        wall, _ = best_time(func)
        cpu = cpu_time(func)
        rows.append(row(f"dp_histogram, {k} cells, {label} (wall)", n, wall,
                        "diffprivlib tools.histogram on the codes (wall)", peer_wall, "epsilon=1, same data"))
        rows.append(row(f"dp_histogram, {k} cells, {label} (CPU)", n, cpu,
                        "diffprivlib tools.histogram on the codes (CPU)", peer_cpu, "epsilon=1, same data"))
    return rows


def _random_accountant():
    from sklearn_anon._compat import BudgetAccountant

    return BudgetAccountant()  # unlimited, private to the benchmark


def _loop(mech, values):
    randomise = mech.randomise
    return [randomise(v) for v in values]


def run(quick=False):
    n = 100_000 if quick else 1_000_000
    n_peer = n // 10
    scale = n / n_peer
    rng = np.random.default_rng(2024)
    rows = []

    # -- Laplace ---------------------------------------------------------------
    X = pd.DataFrame({"v": rng.uniform(0, 100, n)})
    lap = LaplaceNoise(epsilon=1.0, bounds=(0, 100), random_state=0).fit(X)
    ours, _ = best_time(lambda: lap.transform(X))
    peer = dp_mechanisms.Laplace(epsilon=1.0, sensitivity=100.0, random_state=0)
    peer_values = X["v"].to_numpy()[:n_peer].tolist()
    peer_s, _ = best_time(lambda: _loop(peer, peer_values), repeat=1)
    rows.append(row(
        "LaplaceNoise.transform (grid + discrete Laplace)", n, ours,
        "diffprivlib Laplace.randomise loop", peer_s * scale,
        f"peer timed on {n_peer:,} values x{scale:g}",
    ))
    textbook, _ = best_time(lambda: np.clip(X["v"].to_numpy(), 0, 100) + rng.laplace(0, 100.0, n))
    rows.append(row(
        "LaplaceNoise.transform vs textbook numpy Laplace", n, ours,
        "numpy clip + Generator.laplace (not Mironov-safe)", textbook, "context only",
    ))

    rows.extend(sampler_rows(n, n_peer))

    # -- Gaussian --------------------------------------------------------------
    gau = GaussianNoise(epsilon=1.0, delta=1e-5, bounds=(0, 100), random_state=0).fit(X)
    ours, _ = best_time(lambda: gau.transform(X))
    peer = dp_mechanisms.GaussianAnalytic(epsilon=1.0, delta=1e-5, sensitivity=100.0, random_state=0)
    peer_s, _ = best_time(lambda: _loop(peer, peer_values), repeat=1)
    rows.append(row(
        "GaussianNoise.transform (analytic sigma, grid)", n, ours,
        "diffprivlib GaussianAnalytic.randomise loop", peer_s * scale,
        f"peer timed on {n_peer:,} values x{scale:g}",
    ))

    # -- Randomized response -----------------------------------------------------
    cats = ["Private", "Self-emp", "Gov", "Without-pay", "Never-worked"]
    C = pd.DataFrame({"c": rng.choice(cats, n)})  # pandas' default string dtype
    rr = RandomizedResponse(epsilon=1.0, categories=cats, random_state=0).fit(C)
    ours, _ = best_time(lambda: rr.transform(C))
    rows.append(row(f"RandomizedResponse k={len(cats)}, string column", n, ours, note="target >= 5M values/s"))
    Ccat = C.astype(pd.CategoricalDtype(cats))
    ours_cat, _ = best_time(lambda: rr.transform(Ccat))
    rows.append(row(f"RandomizedResponse k={len(cats)}, categorical column", n, ours_cat))
    B = pd.DataFrame({"b": rng.choice(["no", "yes"], n)})
    rr2 = RandomizedResponse(epsilon=1.0, categories=["no", "yes"], random_state=0).fit(B)
    ours, _ = best_time(lambda: rr2.transform(B))
    peer = dp_mechanisms.Binary(epsilon=1.0, value0="no", value1="yes", random_state=0)
    peer_b = B["b"].to_numpy()[:n_peer].tolist()
    peer_s, _ = best_time(lambda: _loop(peer, peer_b), repeat=1)
    rows.append(row(
        "RandomizedResponse k=2, string column", n, ours,
        "diffprivlib Binary.randomise loop", peer_s * scale,
        f"peer timed on {n_peer:,} values x{scale:g}",
    ))

    # -- central statistics ------------------------------------------------------------
    kb = DPKBinsDiscretizer(n_bins=5, epsilon=1.0, bounds=(0, 100), random_state=0)
    ours, _ = best_time(lambda: kb.fit(X))
    q = [0.2, 0.4, 0.6, 0.8]
    values = X["v"].to_numpy()
    peer_s, _ = best_time(
        lambda: [dp_tools.quantile(values, qq, epsilon=0.25, bounds=(0, 100), random_state=0) for qq in q]
    )
    rows.append(row(
        "DPKBinsDiscretizer.fit (4 DP quantiles)", n, ours,
        "diffprivlib tools.quantile x4", peer_s, "same budget split (eps/4 each)",
    ))
    G = pd.DataFrame({
        "band": pd.Categorical(rng.choice(["<30", "30-45", "45-60", ">60"], n)),
        "sex": pd.Categorical(rng.choice(["F", "M"], n)),
    })
    y = rng.uniform(0, 100, n)
    enc = DPGroupMeanEncoder(epsilon=1.0, bounds=(0, 100), random_state=0)
    ours, _ = best_time(lambda: enc.fit(G, y))
    frame = G.assign(y=y)
    peer_s, _ = best_time(lambda: frame.groupby(["band", "sex"], observed=False)["y"].mean())
    rows.append(row(
        "DPGroupMeanEncoder.fit (2 group columns)", n, ours,
        "pandas groupby mean (not private)", peer_s, "reference: the non-private cost",
    ))
    rows.extend(histogram_rows(n))
    rows.extend(histogram_rows(n, k=5000))
    return rows


if __name__ == "__main__":
    from _common import format_table, machine

    print(f"Machine: {machine()}\n")
    if "--histogram" in sys.argv:  # only the dp_histogram rows
        n_hist = 100_000 if "--quick" in sys.argv else 1_000_000
        print(format_table(histogram_rows(n_hist) + histogram_rows(n_hist, k=5000)))
    else:
        print(format_table(run(quick="--quick" in sys.argv)))
