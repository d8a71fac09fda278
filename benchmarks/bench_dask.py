"""Dask at scale: Mondrian k=10 beyond worker memory, ColumnTransformer throughput.

    python benchmarks/bench_dask.py                                  # 20,000,000 rows
    python benchmarks/bench_dask.py --rows 4000000 --pandas-rows 4000000
    python benchmarks/run.py dask --quick                            # small smoke run

The data is generated partition by partition *inside* the workers
(``dd.from_map``: each partition draws its rows from its own seed), so the
full table never exists in the client nor in any one worker.  The cluster is
a ``distributed.LocalCluster`` with 2 worker processes of one thread, each
capped at ``--memory-limit`` (default 500 MB: both together hold less than
the table's in-memory size, printed at the start).

1. Mondrian k=10 on 5 quasi-identifiers: :func:`sklearn_anon.dask.fit_mondrian_dask`
   (cut tree grown on a 100,000-row sample, one distributed pass counting
   every region, merge along the tree), then :func:`transform_dask` and
   :func:`k_anonymity_dask` (a distributed count of the released classes)
   verify that the whole output is 10-anonymous.  Peak worker memory is the
   workers' maximum resident set size (``getrusage``).  Beside it:
   ``MondrianAnonymizer(k=10).fit_transform`` in one pandas process on
   ``--pandas-rows`` rows (the largest size run in memory here).
2. Throughput of a fitted ColumnTransformer (Pseudonymizer on a customer id,
   IntervalGeneralizer on age, PrefixGeneralizer on ZIP, LaplaceNoise on
   income): rows/s on the cluster (generation included, and generation
   subtracted) against pandas in one process on ``--pandas-rows`` rows.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import format_table, machine, row  # noqa: E402

QIS = ["age", "zip", "income", "sex", "edu"]


def generate(part, rows_per_part, seed=0):
    """Partition ``part`` of the synthetic table (its own seed: reproducible)."""
    rng = np.random.default_rng([seed, part])
    n = rows_per_part
    return pd.DataFrame({
        "customer_id": pd.Series(rng.integers(0, 10**9, n)).astype(str).radd("C").astype("string[pyarrow]"),
        "age": np.clip(rng.normal(42, 14, n).round(), 17, 95).astype(np.int64),
        "zip": rng.integers(10000, 99999, n),
        "income": np.round(rng.lognormal(10.5, 0.8, n), -2),
        "sex": pd.Categorical.from_codes(rng.integers(0, 2, n), ["F", "M"]),
        "edu": rng.integers(0, 16, n),
        "disease": pd.Categorical.from_codes(rng.integers(0, 5, n), ["a", "b", "c", "d", "e"]),
    }, index=pd.RangeIndex(part * n, (part + 1) * n))


def dask_frame(n_rows, rows_per_part, seed=0):
    import dask.dataframe as dd

    n_parts = max(1, n_rows // rows_per_part)
    meta = generate(0, 0, seed)
    return dd.from_map(generate, range(n_parts), rows_per_part=rows_per_part, seed=seed,
                       meta=meta, divisions=[i * rows_per_part for i in range(n_parts)]
                       + [n_parts * rows_per_part - 1])


def pandas_frame(n_rows, rows_per_part, seed=0):
    n_parts = max(1, n_rows // rows_per_part)
    return pd.concat([generate(p, rows_per_part, seed) for p in range(n_parts)])


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def column_transformer():
    from sklearn.compose import ColumnTransformer

    from sklearn_anon import IntervalGeneralizer, LaplaceNoise, PrefixGeneralizer, Pseudonymizer

    return ColumnTransformer([
        ("id", Pseudonymizer(key=b"benchmark-key", length=16), ["customer_id"]),
        ("age", IntervalGeneralizer(bins=[0, 25, 35, 45, 55, 65, 120]), ["age"]),
        ("zip", PrefixGeneralizer(n=3), ["zip"]),
        ("noise", LaplaceNoise(epsilon=1.0, bounds=(0, 500_000)), ["income"]),
    ], remainder="drop", verbose_feature_names_out=False).set_output(transform="pandas")


def _count_rows(part):
    return pd.DataFrame({"n": [len(part)]})


def run(quick=False, rows=None, pandas_rows=None, memory_limit="500MB", rows_per_part=250_000,
        sample_rows=100_000, verbose=True):
    import dask
    from distributed import Client, LocalCluster

    from sklearn_anon import MondrianAnonymizer
    from sklearn_anon.dask import fit_mondrian_dask, k_anonymity_dask, transform_dask

    rows = rows or (400_000 if quick else 20_000_000)
    pandas_rows = pandas_rows or (200_000 if quick else 4_000_000)
    rows_per_part = min(rows_per_part, rows, pandas_rows)
    say = print if verbose else (lambda *a, **k: None)
    one = generate(0, rows_per_part)
    bytes_per_row = one.memory_usage(deep=True).sum() / len(one)
    say(f"table: {rows:,} rows, {bytes_per_row * rows / 1e6:,.0f} MB in memory "
        f"({bytes_per_row:.0f} B/row); workers: 2 x {memory_limit}", flush=True)
    out = []
    k = 10
    # A worker over 80% of its limit pauses until memory is freed; one whose
    # memory is the imports plus the fitted estimator never frees it, and the
    # run hangs.  No pausing: the limit stays a hard cap (the nanny kills a
    # worker at 95% of it), which is what the benchmark must survive.
    with dask.config.set({"distributed.worker.memory.pause": False}), \
            LocalCluster(n_workers=2, processes=True, threads_per_worker=1, memory_limit=memory_limit,
                         dashboard_address=":0", silence_logs=40) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("sklearn_anon.dask"))
        base_rss = max(client.run(_peak_rss_mb).values())
        ddf = dask_frame(rows, rows_per_part)
        # generation alone (the floor of every pass)
        t0 = time.perf_counter()
        n = int(ddf.map_partitions(_count_rows, meta={"n": "int64"})["n"].sum().compute())
        t_gen = time.perf_counter() - t0
        say(f"generation pass: {t_gen:.1f} s ({n:,} rows)", flush=True)

        # 1. Mondrian at scale
        t0 = time.perf_counter()
        res = fit_mondrian_dask(MondrianAnonymizer(k=k, quasi_identifiers=QIS), ddf,
                                sample_rows=sample_rows, random_state=0)
        t_fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        released = transform_dask(res.anonymizer, ddf)
        k_out = k_anonymity_dask(released, QIS)
        t_check = time.perf_counter() - t0
        peak = max(client.run(_peak_rss_mb).values())
        say(f"Mondrian k={k}: fit (sample {res.sample_rows:,}, sample_k {res.sample_k}, count pass, merge) "
            f"{t_fit:.1f} s; transform + distributed k check {t_check:.1f} s; "
            f"regions {res.n_regions_sample:,} -> {res.n_regions:,} ({res.n_merged:,} merged); "
            f"k on the full output = {k_out}; peak worker RSS {peak:.0f} MB "
            f"(idle worker {base_rss:.0f} MB)", flush=True)
        assert k_out >= k

        # 2. ColumnTransformer throughput
        ct = column_transformer().fit(generate(0, 10_000, seed=1))
        t0 = time.perf_counter()
        n_ct = int(transform_dask(ct, ddf).map_partitions(_count_rows, meta={"n": "int64"})["n"]
                   .sum().compute())
        t_ct = time.perf_counter() - t0
        peak = max(peak, max(client.run(_peak_rss_mb).values()))
        say(f"ColumnTransformer on Dask: {t_ct:.1f} s for {n_ct:,} rows "
            f"({n_ct / t_ct:,.0f} rows/s; {n_ct / max(t_ct - t_gen, 1e-9):,.0f} rows/s without generation)",
            flush=True)

    # pandas, one process, the largest size run in memory here
    frame = pandas_frame(pandas_rows, rows_per_part)
    t0 = time.perf_counter()
    anon = MondrianAnonymizer(k=k, quasi_identifiers=QIS)
    pd_out = anon.fit_transform(frame)
    t_pd = time.perf_counter() - t0
    t0 = time.perf_counter()
    column_transformer().fit(generate(0, 10_000, seed=1)).transform(frame)
    t_pd_ct = time.perf_counter() - t0
    say(f"pandas, one process, {pandas_rows:,} rows: Mondrian fit_transform {t_pd:.1f} s "
        f"({anon.n_partitions_:,} regions); ColumnTransformer {t_pd_ct:.1f} s "
        f"({pandas_rows / t_pd_ct:,.0f} rows/s); client peak RSS {_peak_rss_mb():.0f} MB", flush=True)
    del pd_out, frame

    note = f"2 workers x {memory_limit}, peak worker RSS {peak:.0f} MB, {res.n_merged:,} regions merged, k={k_out}"
    out.append(row(f"Mondrian k=10, 5 QIs, Dask (fit on sample + count + merge + transform + k check)",
                   rows, t_fit + t_check, note=note))
    out.append(row("Mondrian k=10, 5 QIs, pandas one process (fit_transform)", pandas_rows, t_pd,
                   note="in memory, one process"))
    out.append(row("ColumnTransformer (pseudonym+interval+prefix+Laplace), Dask incl. generation",
                   rows, t_ct, note=f"generation alone {t_gen:.1f} s"))
    out.append(row("ColumnTransformer, pandas one process", pandas_rows, t_pd_ct))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--pandas-rows", type=int, default=4_000_000)
    parser.add_argument("--memory-limit", default="500MB")
    parser.add_argument("--sample-rows", type=int, default=100_000)
    parser.add_argument("--rows-per-part", type=int, default=250_000)
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}", flush=True)
    rows = run(rows=args.rows, pandas_rows=args.pandas_rows, memory_limit=args.memory_limit,
               rows_per_part=args.rows_per_part, sample_rows=args.sample_rows)
    print(format_table(rows))


if __name__ == "__main__":
    main()
