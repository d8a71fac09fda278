"""MondrianAnonymizer on Adult and on 1,000,000 synthetic rows, against pycanon / anjana / ARX.

    python benchmarks/bench_kanonymity.py          # everything, prints the tables
    python benchmarks/run.py kanonymity            # the timing table only
    python benchmarks/bench_kanonymity.py arx      # Mondrian vs ARX local recoding (bench_arx.py)
    python benchmarks/bench_kanonymity.py curve    # cost curve 10k .. 3 M rows
    python benchmarks/bench_kanonymity.py ab OTHER [runs] [rows]
        # 1 M rows x 5 QIs at k=10, this checkout and the one at OTHER (e.g. main)
        # alternately, each run in a fresh process: CPU medians and load averages

Sections printed by ``main()``:

1. Adult (adult.csv, 30,162 rows, 8 QIs) for k in 2..100: k by our metric and
   by pycanon, discernibility, C_avg, partitions, fit time.
2. l=3 (occupation) and t=0.2 (occupation) on the 7 other QIs, confirmed by pycanon.
3. Granularity loss (NCP) with all 9 attributes as QIs vs ARX's local recoding.
4. The same work as ARX's local recoding (``same_work_vs_arx``): Mondrian
   along ARX's hierarchies, all 9 attributes, k = 2..100, median / refined
   cuts / refined with 1% suppression, ARX's figures measured in the same
   run through ``bench_arx.py`` (when a JDK and ARX's sources are there).
5. Cost curve (``cost_curve``): 10k / 100k / 1 M / 3 M rows x 5 QIs, k=10,
   wall and CPU time, peak memory over the input frame's.
6. ML utility: RandomForest / LogisticRegression trained on the k-anonymized
   70/30 split of adult.csv, tested on the test part transformed by the same
   fitted anonymizer, beside raw and Slijepcevic et al. (2021).
7. Timing rows (``run()``): 1 M rows x 5 QIs at k=10; Adult k=5 against
   anjana (ARX hierarchies) and pycanon's k check.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_time, format_table, row  # noqa: E402

from sklearn_anon import MondrianAnonymizer  # noqa: E402
from sklearn_anon.metrics import (  # noqa: E402
    average_class_size,
    discernibility,
    k_anonymity,
    l_diversity,
    ncp,
    t_closeness,
)

ADULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "adult"
QI8 = ["sex", "age", "race", "marital-status", "education", "native-country",
       "workclass", "occupation"]
QI9 = QI8 + ["salary-class"]
ARX_LOCAL = {2: (0.034, 1.860), 5: (0.068, 4.012), 10: (0.095, 6.015), 50: (0.175, 14.427)}
ARX_DM = {5: 237_496, 10: 432_254, 50: 1_930_054}  # shared/anchors.md
SLIJEPCEVIC_RF = {"raw": 82.82, 2: 82.25, 5: 81.98, 10: 81.73, 50: 81.58, 100: 81.05}


def load_adult():
    return pd.read_csv(ADULT / "adult.csv", sep=";")


def _fresh(frame, cols):
    return frame.astype({c: str for c in cols}).reset_index(drop=True)


def synthetic(n, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(17, 91, n),
        "zip": rng.integers(10000, 99999, n),
        "income": rng.lognormal(10, 1, n).round(2),
        "sex": rng.choice(["F", "M"], n),
        "education": rng.choice([f"edu{i:02d}" for i in range(16)], n),
    })


def adult_sweep(df, ks=(2, 5, 10, 20, 50, 100), repeat=3):
    from pycanon import anonymity as pc

    out_rows = []
    for k in ks:
        anon = MondrianAnonymizer(k=k, quasi_identifiers=QI8)
        fit_s, _ = best_time(lambda: anon.fit(df), repeat=repeat)
        tr_s, out = best_time(lambda: anon.transform(df), repeat=repeat)
        out_rows.append({
            "k": k,
            "k (ours)": k_anonymity(out, QI8),
            "k (pycanon)": pc.k_anonymity(_fresh(out, QI8), QI8),
            "partitions": anon.n_partitions_,
            "discernibility": discernibility(out, QI8),
            "C_avg": average_class_size(out, QI8, k),
            "NCP": ncp(df, out, QI8),
            "fit s": fit_s,
            "transform s": tr_s,
        })
    return pd.DataFrame(out_rows)


def adult_l_t(df):
    from pycanon import anonymity as pc

    qi = [q for q in QI8 if q != "occupation"]
    rows = []
    for label, params in [("l=3 distinct", {"l": 3}), ("l=3 entropy", {"l": 3, "l_diversity": "entropy"}),
                          ("t=0.2", {"t": 0.2})]:
        anon = MondrianAnonymizer(k=2, sensitive="occupation", quasi_identifiers=qi, **params)
        fit_s, _ = best_time(lambda: anon.fit(df), repeat=3)
        out = anon.transform(df)
        fresh = _fresh(out, qi)
        rows.append({
            "constraint": label,
            "k": k_anonymity(out, qi),
            "l distinct (ours / pycanon)": f"{l_diversity(out, qi, 'occupation')} / "
                                           f"{pc.l_diversity(fresh, qi, ['occupation'])}",
            "l entropy (ours / pycanon)": f"{l_diversity(out, qi, 'occupation', kind='entropy'):.3f} / "
                                          f"{pc.entropy_l_diversity(fresh, qi, ['occupation'])}",
            "t (ours / pycanon)": f"{t_closeness(out, qi, 'occupation'):.6g} / "
                                  f"{pc.t_closeness(fresh, qi, ['occupation']):.6g}",
            "partitions": anon.n_partitions_,
            "NCP": ncp(df, out, qi),
            "fit s": fit_s,
        })
    return pd.DataFrame(rows)


def arx_hierarchies(columns):
    return {c: str(ADULT / f"adult_hierarchy_{c}.csv") for c in columns}


def ncp_vs_arx(df, ks=(2, 5, 10, 50)):
    cats = [c for c in QI9 if c != "age"]
    hier = arx_hierarchies(cats)
    rows = []
    for k in ks:
        for mode, params, h in [("sets", {}, None), ("ARX hierarchies", {"hierarchies": hier}, hier)]:
            anon = MondrianAnonymizer(k=k, quasi_identifiers=QI9, **params)
            secs, out = best_time(lambda: anon.fit_transform(df), repeat=3)
            arx_loss, arx_s = ARX_LOCAL.get(k, (None, None))
            rows.append({
                "k": k, "categorical cuts": mode,
                "NCP (ours)": ncp(df, out, QI9, hierarchies=h),
                "NCP ARX local recoding": arx_loss,
                "classes": anon.n_partitions_,
                "discernibility": discernibility(out, QI9),
                "fit+transform s": secs,
                "ARX s": arx_s,
                "time ratio ARX/ours": (arx_s / secs) if arx_s else None,
            })
    return pd.DataFrame(rows)


#: MondrianAnonymizer variants compared with ARX's local recoding (issue 16.4)
ARX_VARIANTS = {
    "median cuts": {},
    "refined": {"cuts": "refined"},
    "refined + 1% suppression": {"cuts": "refined", "suppression_limit": 0.01},
}


def same_work_vs_arx(ks=(2, 5, 10, 50, 100), variants=ARX_VARIANTS, runs=3, arx_runs=1):
    """Mondrian along ARX's hierarchies (all 9 attributes, age too) against ARX's
    local recoding, ARX measured in the same run by ``bench_arx.py``.

    The loss (ARX's granularity), discernibility (a suppressed record costs
    n), classes and suppressed records of both sides come from the same
    function (``bench_arx.table_figures``) applied to each released table.
    Without ``bench_arx`` (or without a JDK / ARX's sources) ARX's figures
    are those of ``shared/anchors.md`` and the table says so.  Returns a
    DataFrame, one row per k and variant.
    """
    import os
    import tempfile

    try:
        import bench_arx
    except ImportError:
        print("bench_arx.py not found: nothing measured", file=sys.stderr)
        return pd.DataFrame()
    reason = bench_arx.skip_reason()
    df = bench_arx.load_adult()
    qis = bench_arx.QIS
    rows = []
    with tempfile.TemporaryDirectory(prefix="sklearn_anon_mond_") as tmp:
        for k in ks:
            if reason is None:
                out_dir = Path(tmp) / f"k{k}"
                out_dir.mkdir()
                (arx,) = bench_arx.run_arx([f"local:k={k}"], runs=arx_runs, warmup=1,
                                           out_dir=out_dir)
                arx_out = pd.read_csv(arx["output_csv"], sep=";", dtype=str,
                                      keep_default_na=False)
                a = bench_arx.table_figures(arx_out, qis, bench_arx.hierarchy_paths(qis))
                a.update(time_ms=arx["time_ms"], cpu_ms=arx["cpu_ms"], source="same run")
            else:
                loss, secs = ARX_LOCAL.get(k, (None, None))
                a = {"loss": loss, "discernibility": ARX_DM.get(k), "classes": None,
                     "suppressed": None, "time_ms": secs * 1000 if secs else None,
                     "cpu_ms": None, "source": f"anchors.md ({reason})"}
            for name, params in variants.items():
                o = bench_arx.ours_mondrian(df, k, runs=runs, warmup=1, params=params)
                rows.append({
                    "k": k, "Mondrian": name,
                    "loss": o["loss"], "ARX loss": a["loss"],
                    "discernibility": o["discernibility"], "ARX disc.": a["discernibility"],
                    "classes": o["classes"], "ARX classes": a["classes"],
                    "suppressed %": 100 * o["suppressed"] / len(df),
                    "ARX suppressed %": (100 * a["suppressed"] / len(df)
                                         if a["suppressed"] is not None else None),
                    "ms": o["time_ms"], "CPU ms": o["cpu_ms"],
                    "ARX ms": a["time_ms"], "ARX CPU ms": a["cpu_ms"],
                    "CPU ratio ARX/ours": (a["cpu_ms"] / o["cpu_ms"]) if a["cpu_ms"] else None,
                    "load": os.getloadavg()[0], "ARX figures": a["source"],
                })
    return pd.DataFrame(rows)


def cost_curve(ns=(10_000, 100_000, 1_000_000, 3_000_000), k=10, memory=True):
    """fit_transform of ``synthetic(n)`` (5 QIs) at ``k``: wall and CPU seconds,
    and (a second, traced run) the peak memory allocated over the input frame's."""
    import time
    import tracemalloc

    rows = []
    for n in ns:
        frame = synthetic(n)
        anon = MondrianAnonymizer(k=k)
        c0, t0 = time.process_time(), time.perf_counter()
        out = anon.fit_transform(frame)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert k_anonymity(out, list(frame.columns)) >= k
        del out
        rec = {"rows": n, "regions": anon.n_partitions_, "wall s": wall, "CPU s": cpu,
               "input MB": frame.memory_usage(deep=True).sum() / 1e6}
        if memory:
            tracemalloc.start()
            MondrianAnonymizer(k=k).fit_transform(frame)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rec["peak MB"] = peak / 1e6
            rec["peak / input"] = peak / 1e6 / rec["input MB"]
        rows.append(rec)
    return pd.DataFrame(rows)


_AB_CHILD = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, os.path.join(sys.argv[1], "benchmarks"))
from bench_kanonymity import synthetic
import sklearn_anon
from sklearn_anon import MondrianAnonymizer
root = os.path.dirname(os.path.dirname(os.path.abspath(sklearn_anon.__file__)))
assert os.path.samefile(root, sys.argv[1]), "sklearn_anon imported from another checkout"
frame = synthetic(int(sys.argv[2]))
MondrianAnonymizer(k=10).fit_transform(frame.iloc[:10_000])  # imports, first calls
load = os.getloadavg()[0]
c0, t0 = time.process_time(), time.perf_counter()
MondrianAnonymizer(k=10).fit_transform(frame)
print(time.process_time() - c0, time.perf_counter() - t0, load)
"""


def alternate(other, runs=5, n=1_000_000):
    """``MondrianAnonymizer(k=10).fit_transform(synthetic(n))`` of this checkout and
    of the checkout at ``other``, alternately (``runs`` each, a fresh process per
    run, the package imported from each checkout): CPU and wall seconds per run,
    the 1-minute load average before each timed call."""
    import subprocess

    here = str(Path(__file__).resolve().parents[1])
    rows = []
    for i in range(runs):
        for side, root in (("this checkout", here), ("other", str(Path(other).resolve()))):
            done = subprocess.run([sys.executable, "-c", _AB_CHILD, root, str(n)],
                                  capture_output=True, text=True, check=True)
            cpu, wall, load = (float(v) for v in done.stdout.split())
            rows.append({"run": i + 1, "side": side, "CPU s": cpu, "wall s": wall, "load": load})
    table = pd.DataFrame(rows)
    summary = table.groupby("side", sort=False).agg(
        runs=("CPU s", "size"), cpu_median=("CPU s", "median"), cpu_min=("CPU s", "min"),
        cpu_max=("CPU s", "max"), wall_median=("wall s", "median"), load_min=("load", "min"),
        load_max=("load", "max")).reset_index()
    return table, summary


def ml_utility(df, ks=(5, 10, 50, 100), seed=0):
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X = df[QI8]
    y = (df["salary-class"] == ">50K").astype(int)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)

    def encoder():
        return make_column_transformer(
            (StandardScaler(), make_column_selector(dtype_include="number")),
            (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
        )

    models = {
        "RandomForest": lambda: RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=2),
        "LogisticRegression": lambda: LogisticRegression(max_iter=1000),
    }
    rows = []
    for k in ["raw", *ks]:
        rec = {"k": k}
        for name, model in models.items():
            steps = [] if k == "raw" else [MondrianAnonymizer(k=k, output="midpoint")]
            pipe = make_pipeline(*steps, encoder(), model())
            pipe.fit(X_tr, y_tr)
            rec[name] = 100 * pipe.score(X_te, y_te)
        rec["Slijepcevic RF"] = SLIJEPCEVIC_RF.get(k)
        rows.append(rec)
    res = pd.DataFrame(rows)
    for name in models:
        res[f"{name} loss (points)"] = res[name].iloc[0] - res[name]
    res["Slijepcevic loss (points)"] = SLIJEPCEVIC_RF["raw"] - res["Slijepcevic RF"]
    return res


def _anjana_adult(df, k):
    """anjana's k-anonymity (ARX hierarchies, 0% suppression) on Adult.

    anjana (and its beartype hints) wants numpy arrays, not pandas 3's Arrow
    strings: run it with string inference off and object-typed frames.
    Returns the anonymized frame.
    """
    import warnings

    from anjana.anonymity import k_anonymity as anjana_k

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pd.option_context("future.infer_string", False):
            data = df.astype(str).astype(object)
            hier = {q: dict(pd.read_csv(ADULT / f"adult_hierarchy_{q}.csv", sep=";",
                                        header=None, dtype=object)) for q in QI8}
            return anjana_k(data, [], QI8, k, 0, hier)


def run(quick=False):
    """Timing rows: 1 M x 5 QIs at k=10, Adult k=5 vs anjana and pycanon's k check."""
    rows = []
    n_big = 100_000 if quick else 1_000_000
    big = synthetic(n_big)
    anon = MondrianAnonymizer(k=10)
    secs, out = best_time(lambda: anon.fit_transform(big), repeat=1 if not quick else 3)
    assert k_anonymity(out, list(big.columns)) >= 10
    rows.append(row(f"MondrianAnonymizer fit+transform, {n_big:,} x 5 QIs, k=10", n_big, secs,
                    note=f"{anon.n_partitions_:,} regions; target < 3 s for 1 M"))
    if not ADULT.exists():
        return rows
    df = load_adult()
    anon = MondrianAnonymizer(k=5, quasi_identifiers=QI8)
    secs, out = best_time(lambda: anon.fit_transform(df), repeat=5)
    peer, peer_s = None, None
    if not quick:
        try:
            peer_s, peer_out = best_time(lambda: _anjana_adult(df, 5), repeat=1)
            from pycanon import anonymity as pc

            k_anjana = pc.k_anonymity(peer_out.reset_index(drop=True), QI8)
            peer = f"anjana 1.2.3 (ARX hierarchies, 0% suppression; its output k={k_anjana})"
        except ImportError:
            pass
    rows.append(row("MondrianAnonymizer fit+transform, Adult 8 QIs, k=5", len(df), secs,
                    peer, peer_s, note=f"{anon.n_partitions_:,} regions; target < 0.4 s"))
    from pycanon import anonymity as pc

    fresh = _fresh(out, QI8)
    ours_s, k_ours = best_time(lambda: k_anonymity(out, QI8), repeat=3)
    pc_s, k_pc = best_time(lambda: pc.k_anonymity(fresh, QI8), repeat=3)
    assert k_ours == k_pc
    rows.append(row("k_anonymity check, Adult output, 8 QIs", len(df), ours_s,
                    "pycanon k_anonymity", pc_s, note=f"k={k_ours} (both)"))
    return rows


def to_markdown(frame, digits=4):
    """Markdown table without the optional ``tabulate`` dependency."""
    def cell(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, (float, np.floating)):
            return f"{v:.{digits}g}" if abs(v) < 1e4 else f"{v:,.0f}"
        if isinstance(v, (int, np.integer)):
            return f"{v:,}"
        return str(v)
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "---|" * frame.shape[1]]
    for rec in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in rec) + " |")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["arx"]:  # python bench_kanonymity.py arx [k ...]
        ks = tuple(int(v) for v in argv[1:]) or (2, 5, 10, 50, 100)
        print(to_markdown(same_work_vs_arx(ks=ks)))
        return
    if argv[:1] == ["ab"]:  # python bench_kanonymity.py ab OTHER_CHECKOUT [runs] [rows]
        runs = int(argv[2]) if len(argv) > 2 else 5
        n = int(argv[3]) if len(argv) > 3 else 1_000_000
        table, summary = alternate(argv[1], runs, n)
        print(to_markdown(table))
        print()
        print(to_markdown(summary))
        return
    if argv[:1] == ["curve"]:  # python bench_kanonymity.py curve [rows ...]
        ns = tuple(int(v) for v in argv[1:]) or (10_000, 100_000, 1_000_000, 3_000_000)
        print(to_markdown(cost_curve(ns)))
        return
    df = load_adult()
    pd.set_option("display.width", 200)
    print("## Adult sweep (8 QIs)\n")
    print(to_markdown(adult_sweep(df)))
    print("\n## l-diversity / t-closeness (sensitive occupation, 7 QIs, k=2)\n")
    print(to_markdown(adult_l_t(df)))
    print("\n## NCP vs ARX local recoding (9 QIs)\n")
    print(to_markdown(ncp_vs_arx(df)))
    print("\n## Same work as ARX's local recoding (ARX's hierarchies, ARX's loss)\n")
    print(to_markdown(same_work_vs_arx()))
    print("\n## Cost curve, 5 QIs, k=10\n")
    print(to_markdown(cost_curve()))
    print("\n## ML utility (70/30 split of adult.csv)\n")
    print(to_markdown(ml_utility(df)))
    print("\n## Timings\n")
    print(format_table(run()))


if __name__ == "__main__":
    main()
