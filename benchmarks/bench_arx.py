"""ARX 3.9 and sklearn_anon on the same work, measured in the same run.

    ARX_SRC=/path/to/arx python benchmarks/bench_arx.py            # every setting
    ARX_SRC=/path/to/arx python benchmarks/bench_arx.py --ks 5 10  # local recoding k=5, 10 only
    ARX_SRC=/path/to/arx python benchmarks/run.py arx              # the timing rows

Runs only when a JDK (``java`` and ``javac``), ARX's sources (``ARX_SRC``:
an ARX checkout or a bare git mirror of github.com/arx-deidentifier/arx)
and Adult (``SKLEARN_ANON_ADULT_DIR``) are present; otherwise it says which
is missing and does nothing.  ARX is compiled from source by
``benchmarks/arx/build.sh`` into a cache outside the repository (once per
ARX revision) and driven by ``benchmarks/arx/Driver.java``, which prints
one JSON object per setting.

The work, on Adult ``adult.csv`` (30,162 rows) with ARX's own hierarchies:

* full-domain generalization (ARX's lattice search, search metric
  ``Metric.createLossMetric(0)``) against
  :class:`~sklearn_anon.kanonymity.FullDomainAnonymizer` with ``loss="loss"``:
  k=5 with 0% and 2% suppression (all 9 attributes as quasi-identifiers),
  distinct 3-diversity and t=0.2 closeness (equal distance, 2% suppression)
  on occupation (the 8 others as quasi-identifiers); recursive
  (3,2)-diversity (ARX's ``RecursiveCLDiversity``) and t=0.2 closeness with
  the hierarchical distance along ARX's occupation hierarchy
  (``HierarchicalDistanceTCloseness``), each with 0% and 2% suppression;
* local recoding (ARX: ``KAnonymity(k)``, suppression limit 1,
  ``createLossMetric(0)``, then ``result.optimizeIterativeFast(output,
  0.01)``, as in ARX's Example54) against
  :class:`~sklearn_anon.MondrianAnonymizer` cut along the same hierarchies
  (all 9 attributes, age included), for k = 2, 5, 10, 50, 100.

One loss definition for both sides, ARX's reported *granularity*
(``StatisticsQuality.getGranularity()``): per cell the share of the
column's domain that the released value covers (hierarchy leaves under the
label / leaves of the hierarchy; a suppressed cell 1), averaged per column,
the column means averaged, and the result normalised as ``(mean - m) / (1 -
m)`` with ``m`` the mean of ``1 / domain size``.  It is computed here from
the released tables by :func:`arx_granularity`, for ARX's output and ours
alike, and the run checks that it reproduces the figure ARX reports for
its own output (column "check": our function on ARX's table minus ARX's
figure).  The plain per-cell loss on the same domains
(:func:`per_cell_loss`: ``(leaves - 1) / (leaves of the hierarchy - 1)``
averaged over all cells) is shown beside it, not as the headline: the two
differ because ARX averages unnormalised shares, which weighs a column by
``1 - 1 / domain size`` (sex and salary-class count half).  Both use the
hierarchy's leaves as the domain (age: 100 values 1-100, workclass 8), as
ARX does; :func:`sklearn_anon.metrics.ncp` uses the distinct values of the
original column instead and cannot read hierarchy labels on a numeric column
(it returns NaN for Mondrian's age labels), so it is not used here.

Discernibility: the sum of squared class sizes, a suppressed record costing
the number of rows (ARX's and Bayardo & Agrawal's), through
:func:`sklearn_anon.metrics.discernibility` on the records not suppressed.

Categories released as sets (``MondrianAnonymizer`` without
``hierarchies``, "categories as sets") are not restricted to the
hierarchies: any subset of a column's values can form a region, which is a
different, less constrained task than ARX's local recoding, so those rows
are not compared with ARX here.

Times are wall-clock medians of ``--runs`` runs after ``--warmup`` untimed
ones (ARX: in one warm JVM, ``anonymize`` plus ``optimizeIterativeFast``;
ours: ``fit`` for full-domain, ``fit_transform`` for Mondrian), with the
CPU time of the same runs (ARX: the JVM process, all threads; ours:
``time.process_time``).  Both sides run one after the other in the same
invocation; the load average is printed with the table.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import machine, row  # noqa: E402

ADULT = Path(os.environ.get("SKLEARN_ANON_ADULT_DIR",
                            HERE.parents[1] / "shared" / "data" / "adult"))
ARX_DIR = HERE / "arx"
QIS = ["sex", "age", "race", "marital-status", "education", "native-country",
       "workclass", "occupation", "salary-class"]
LOCAL_KS = (2, 5, 10, 50, 100)

#: full-domain settings: name -> (ARX driver setting, FullDomainAnonymizer parameters)
FULL_DOMAIN = {
    "k=5, 0% suppression": ("full:k=5,supp=0", dict(k=5)),
    "k=5, 2% suppression": ("full:k=5,supp=0.02", dict(k=5, suppression_limit=0.02)),
    "distinct 3-diversity (occupation), 0%": (
        "full:l=3,sensitive=occupation,supp=0", dict(k=1, l=3, sensitive="occupation")),
    "t=0.2 closeness (occupation, equal distance), 2%": (
        "full:t=0.2,sensitive=occupation,supp=0.02",
        dict(k=1, t=0.2, sensitive="occupation", suppression_limit=0.02)),
    "recursive (3,2)-diversity (occupation), 0%": (
        "full:l=2,c=3,sensitive=occupation,supp=0",
        dict(k=1, l=2, l_diversity="recursive", c=3, sensitive="occupation")),
    "recursive (3,2)-diversity (occupation), 2%": (
        "full:l=2,c=3,sensitive=occupation,supp=0.02",
        dict(k=1, l=2, l_diversity="recursive", c=3, sensitive="occupation",
             suppression_limit=0.02)),
    "t=0.2 closeness (occupation, hierarchical distance), 0%": (
        "full:t=0.2,tdist=hierarchical,sensitive=occupation,supp=0",
        dict(k=1, t=0.2, t_distance="hierarchical", sensitive_hierarchy="occupation",
             sensitive="occupation")),
    "t=0.2 closeness (occupation, hierarchical distance), 2%": (
        "full:t=0.2,tdist=hierarchical,sensitive=occupation,supp=0.02",
        dict(k=1, t=0.2, t_distance="hierarchical", sensitive_hierarchy="occupation",
             sensitive="occupation", suppression_limit=0.02)),
}


class ArxUnavailable(RuntimeError):
    """ARX cannot be run here (no JDK, no sources, no data, or the build failed)."""


# -- availability and the ARX side ----------------------------------------------------
def skip_reason():
    """Why the ARX comparison cannot run here, or None when it can."""
    missing = [tool for tool in ("java", "javac") if shutil.which(tool) is None]
    if missing:
        return f"no JDK: {' and '.join(missing)} not on PATH"
    src = os.environ.get("ARX_SRC")
    if not src:
        return ("ARX sources not given: set ARX_SRC to an ARX checkout or a bare git mirror "
                "of https://github.com/arx-deidentifier/arx")
    if not Path(src).exists():
        return "ARX_SRC does not exist"
    if not (ADULT / "adult.csv").exists():
        return f"Adult data not found at {ADULT} (set SKLEARN_ANON_ADULT_DIR)"
    return None


def build_arx():
    """Compile ARX and the driver (cached, idempotent); the Java class path."""
    reason = skip_reason()
    if reason:
        raise ArxUnavailable(reason)
    proc = subprocess.run(["sh", str(ARX_DIR / "build.sh")], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ArxUnavailable(f"ARX build failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return proc.stdout.strip().splitlines()[-1]


def run_arx(settings, *, runs=5, warmup=1, out_dir=None, java_opts=("-Xmx4g",)):
    """Run the driver on ``settings`` (driver setting strings); one dict per setting.

    With ``out_dir``, each dict's ``output_csv`` is ARX's released table.
    """
    classpath = build_arx()
    cmd = ["java", *java_opts, "-cp", classpath, "Driver",
           "--data", str(ADULT / "adult.csv"), "--hierarchies", str(ADULT),
           "--runs", str(runs), "--warmup", str(warmup)]
    if out_dir is not None:
        cmd += ["--out-dir", str(out_dir)]
    proc = subprocess.run(cmd + list(settings), capture_output=True, text=True)
    if proc.returncode != 0:
        raise ArxUnavailable(f"ARX driver failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


# -- the one loss definition, for both sides ---------------------------------------------
def _leaf_counts(table):
    """``{label: leaves under it}`` of an ARX hierarchy table (a leaf: 1)."""
    counts = {}
    for level in range(table.shape[1] - 1, 0, -1):
        counts.update(table[level].value_counts().astype(float).to_dict())
    counts.update({leaf: 1.0 for leaf in table[0]})
    return counts


def _hierarchy_table(path):
    return pd.read_csv(path, sep=";", header=None, dtype=str, keep_default_na=False)


def _label_leaves(label, counts, numeric_leaves):
    """Hierarchy leaves a released label covers: a node or leaf, ``{a, b}`` (its
    members' leaves), an interval ``[lo, hi]`` / ``[lo, hi)`` of a numeric hierarchy
    (the leaves inside it), or the suppression marker ``*`` (every leaf)."""
    text = str(label).strip()
    if text in counts:
        return counts[text]
    if text.startswith("{") and text.endswith("}"):
        members = [m for m in text[1:-1].split(", ")]
        return float(sum(counts[m] for m in members))
    if text[:1] in "[(" and text[-1:] in "])" and numeric_leaves is not None:
        lo, hi = (float(x) for x in text[1:-1].split(","))
        inside = (numeric_leaves > lo) | ((numeric_leaves == lo) & (text[0] == "["))
        inside &= (numeric_leaves < hi) | ((numeric_leaves == hi) & (text[-1] == "]"))
        return float(inside.sum())
    raise ValueError("a released label is neither a hierarchy node, a set nor an interval")


def _cell_leaves(released, hierarchies, columns):
    """``{column: (leaves covered per row, leaves of the hierarchy)}``."""
    out = {}
    for col in columns:
        table = _hierarchy_table(hierarchies[col])
        counts = _leaf_counts(table)
        numeric = pd.to_numeric(table[0], errors="coerce").to_numpy(dtype=float)
        numeric = None if np.isnan(numeric).any() else numeric
        codes, labels = pd.factorize(released[col].astype(str), use_na_sentinel=False)
        leaves = np.array([_label_leaves(lab, counts, numeric) for lab in labels])
        out[col] = (leaves[codes], len(table))
    return out


def arx_granularity(released, hierarchies, columns=None, *, return_shares=False):
    """ARX's reported granularity loss of a released table: the package's
    :func:`sklearn_anon.metrics.granularity_loss` (the harness checks it
    against ARX's own figure on ARX's own output).  ``return_shares`` also
    returns ``{column: mean share of leaves}``."""
    from sklearn_anon.metrics import granularity_loss

    columns = list(columns or hierarchies)
    loss, shares = granularity_loss(released, {col: hierarchies[col] for col in columns}, columns,
                                    return_per_column=True)
    return (loss, shares.to_dict()) if return_shares else loss


def per_cell_loss(released, hierarchies, columns=None):
    """The plain per-cell loss on the same domains: ``(leaves - 1) / (leaves of the
    hierarchy - 1)`` per cell (suppressed: 1), averaged over all cells."""
    columns = list(columns or hierarchies)
    cells = _cell_leaves(released, hierarchies, columns)
    return float(np.mean([((leaves - 1) / (size - 1)).mean() for leaves, size in cells.values()]))


def _suppressed_rows(released, columns):
    return (released[columns].astype(str) == "*").all(axis=1).to_numpy()


def table_figures(released, columns, hierarchies):
    """Loss (ARX's definition), per-cell loss, discernibility, classes, suppressed:
    the same functions for either side's released table."""
    from sklearn_anon.metrics import discernibility

    supp = _suppressed_rows(released, columns)
    kept = released.loc[~supp, columns].astype(str)
    n = len(released)
    n_classes = int(kept.drop_duplicates().shape[0]) if len(kept) else 0
    disc = (discernibility(kept, columns) if len(kept) else 0) + int(supp.sum()) * n
    released_text = released[columns].astype(str)
    return {
        "loss": arx_granularity(released_text, hierarchies, columns),
        "per_cell": per_cell_loss(released_text, hierarchies, columns),
        "discernibility": int(disc),
        "classes": n_classes,
        "suppressed": int(supp.sum()),
    }


# -- our side -------------------------------------------------------------------------
def _median_timed(func, runs, warmup):
    for _ in range(warmup):
        func()
    wall, cpu, result = [], [], None
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        result = func()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, result


def load_adult():
    return pd.read_csv(ADULT / "adult.csv", sep=";")


def hierarchy_paths(columns=QIS):
    return {c: str(ADULT / f"adult_hierarchy_{c}.csv") for c in columns}


def ours_full_domain(df, name, *, runs=5, warmup=1):
    from sklearn_anon._hierarchy import load_hierarchy
    from sklearn_anon.kanonymity import FullDomainAnonymizer

    _, params = FULL_DOMAIN[name]
    qis = [c for c in QIS if c != params.get("sensitive")]
    paths = hierarchy_paths(qis)
    hs = {c: load_hierarchy(paths[c], name=c) for c in qis}
    if isinstance(params.get("sensitive_hierarchy"), str):  # a column's ARX hierarchy file
        col = params["sensitive_hierarchy"]
        params = dict(params, sensitive_hierarchy=load_hierarchy(
            hierarchy_paths([col])[col], name=col))
    est = FullDomainAnonymizer(hs, loss="loss", **params)
    wall, cpu, _ = _median_timed(lambda: est.fit(df), runs, warmup)
    out = est.transform(df)
    figures = table_figures(out, qis, paths)
    figures.update(time_ms=wall, cpu_ms=cpu, levels=[int(v) for v in est.levels_.values()],
                   granularity_attr=est.granularity_, qis=qis)
    return figures


def ours_mondrian(df, k, *, runs=5, warmup=1, params=None):
    from sklearn_anon import MondrianAnonymizer

    paths = hierarchy_paths(QIS)
    est = MondrianAnonymizer(k=k, quasi_identifiers=QIS, hierarchies=paths, **(params or {}))
    wall, cpu, out = _median_timed(lambda: est.fit_transform(df), runs, warmup)
    figures = table_figures(out, QIS, paths)
    figures.update(time_ms=wall, cpu_ms=cpu, qis=QIS)
    return figures


# -- the comparison -------------------------------------------------------------------
def compare(*, full=tuple(FULL_DOMAIN), ks=LOCAL_KS, runs=5, warmup=1, local_runs=None,
            mondrian_params=None, also_params=(), verbose=True):
    """Both sides on every setting; one dict per setting (raises ArxUnavailable).

    ``mondrian_params``: extra keyword arguments of ``MondrianAnonymizer``
    (beside ``k``, ``quasi_identifiers`` and ``hierarchies``).  ``also_params``:
    further such dicts, each measured right after on every local-recoding
    setting (``"also"`` of the setting's dict: one figures dict per entry)."""
    df = load_adult()
    local_runs = runs if local_runs is None else local_runs
    results = []
    with tempfile.TemporaryDirectory(prefix="sklearn_anon_arx_") as tmp:
        jobs = [(name, FULL_DOMAIN[name][0], runs) for name in full]
        jobs += [(f"local recoding k={k}", f"local:k={k}", local_runs) for k in ks]
        for name, setting, n_runs in jobs:
            if verbose:
                print(f"ARX: {name} ...", file=sys.stderr, flush=True)
            out_dir = Path(tmp) / f"s{len(results)}"
            out_dir.mkdir()
            (arx,) = run_arx([setting], runs=n_runs, warmup=warmup, out_dir=out_dir)
            arx_out = pd.read_csv(arx["output_csv"], sep=";", dtype=str, keep_default_na=False)
            qis = arx["qis"]
            arx_fig = table_figures(arx_out, qis, hierarchy_paths(qis))
            if verbose:
                print(f"ours: {name} ...", file=sys.stderr, flush=True)
            if setting.startswith("full:"):
                ours = ours_full_domain(df, name, runs=n_runs, warmup=warmup)
            else:
                ours = ours_mondrian(df, int(setting.split("k=")[1]), runs=n_runs, warmup=warmup,
                                     params=mondrian_params)
            also = []
            if not setting.startswith("full:"):
                for extra in also_params:
                    if verbose:
                        print(f"ours ({extra}): {name} ...", file=sys.stderr, flush=True)
                    also.append(ours_mondrian(df, int(setting.split("k=")[1]), runs=n_runs,
                                              warmup=warmup, params=extra))
            results.append({"setting": name, "arx": arx, "arx_table": arx_fig, "ours": ours,
                            "also": also, "load": os.getloadavg()})
    return results


def _fmt_int(v):
    return f"{v:,.0f}"


def format_comparison(results):
    """Markdown: both sides' figures per setting, ARX's from this run."""
    lines = [
        "| setting | loss ARX | loss ours | per-cell ARX | per-cell ours | discernibility ARX "
        "| ours | classes ARX | ours | suppressed ARX | ours | ARX ms | ours ms | ARX CPU ms "
        "| ours CPU ms | time ratio ARX/ours (wall / CPU) | check |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        a, t, o = r["arx"], r["arx_table"], r["ours"]
        check = t["loss"] - a["granularity"]
        lines.append(
            f"| {r['setting']} | {a['granularity']:.4f} | {o['loss']:.4f} | {t['per_cell']:.4f} "
            f"| {o['per_cell']:.4f} | {_fmt_int(a['discernibility'])} | {_fmt_int(o['discernibility'])} "
            f"| {a['classes']:,} | {o['classes']:,} | {a['suppressed']:,} | {o['suppressed']:,} "
            f"| {a['time_ms']:,.0f} | {o['time_ms']:,.0f} | {a['cpu_ms']:,.0f} | {o['cpu_ms']:,.0f} "
            f"| {a['time_ms'] / o['time_ms']:.1f}x / {a['cpu_ms'] / max(o['cpu_ms'], 1e-9):.1f}x "
            f"| {check:+.1e} |")
    return "\n".join(lines)


def format_also(results, also_params):
    """Markdown: the further Mondrian variants of the run beside ARX's figures."""
    lines = ["| setting | variant | loss | ARX | discernibility | ARX | classes | CPU ms "
             "| ARX CPU ms | CPU ratio ARX/ours |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        a = r["arx"]
        for params, o in zip(also_params, r.get("also", ())):
            lines.append(
                f"| {r['setting']} | {json.dumps(params)} | {o['loss']:.4f} | {a['granularity']:.4f} "
                f"| {_fmt_int(o['discernibility'])} | {_fmt_int(a['discernibility'])} "
                f"| {o['classes']:,} | {o['cpu_ms']:,.0f} | {a['cpu_ms']:,.0f} "
                f"| {a['cpu_ms'] / max(o['cpu_ms'], 1e-9):.1f}x |")
    return "\n".join(lines)


def format_checks(results, tol=1e-9):
    """The definition checks of the run, one line each."""
    arx = max(abs(r["arx_table"]["loss"] - r["arx"]["granularity"]) for r in results)
    cell = max(abs(r["arx_table"]["per_cell"] - r["arx"]["per_cell_loss"]) for r in results)
    own = [abs(r["ours"]["loss"] - r["ours"]["granularity_attr"]) for r in results
           if "granularity_attr" in r["ours"]]
    lines = [
        f"- `arx_granularity` on ARX's output vs ARX's reported loss: max difference {arx:.1e} "
        f"({'ok' if arx < tol else 'FAILED'})",
        f"- per-cell loss on ARX's output, Python vs the driver: max difference {cell:.1e} "
        f"({'ok' if cell < tol else 'FAILED'})",
    ]
    if own:
        lines.append(f"- `arx_granularity` on FullDomainAnonymizer's output vs its `granularity_`: "
                     f"max difference {max(own):.1e} ({'ok' if max(own) < tol else 'FAILED'})")
    return "\n".join(lines)


def format_levels(results):
    lines = ["| setting | ARX levels | our levels | quasi-identifiers |", "|---|---|---|---|"]
    for r in results:
        if "levels" in r["arx"]:
            lines.append(f"| {r['setting']} | {r['arx']['levels']} | {r['ours']['levels']} "
                         f"| {', '.join(r['arx']['qis'])} |")
    return "\n".join(lines)


def run(quick=False):
    """Timing rows for ``benchmarks/run.py`` (ARX measured in the same run as the peer)."""
    reason = skip_reason()
    if reason:
        print(f"bench_arx skipped: {reason}", file=sys.stderr)
        return []
    full = ("k=5, 0% suppression",) if quick else tuple(FULL_DOMAIN)
    ks = (5,) if quick else LOCAL_KS
    rows = []
    for r in compare(full=full, ks=ks, runs=1 if quick else 5, warmup=1, verbose=False):
        a, o = r["arx"], r["ours"]
        what = ("FullDomainAnonymizer.fit" if "levels" in a
                else "MondrianAnonymizer.fit_transform (ARX hierarchies)")
        rows.append(row(f"{what}, Adult {r['setting']}", a["rows"], o["time_ms"] / 1000,
                        peer="ARX 3.9 (same run)", peer_seconds=a["time_ms"] / 1000,
                        note=f"loss {o['loss']:.3f} (ARX {a['granularity']:.3f}), "
                             f"{o['classes']:,} classes (ARX {a['classes']:,})"))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per setting (median)")
    parser.add_argument("--local-runs", type=int, default=None,
                        help="timed runs for local recoding (default: --runs)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    parser.add_argument("--ks", type=int, nargs="*", default=list(LOCAL_KS),
                        help="k of the local-recoding rows (none: skip them)")
    parser.add_argument("--no-full", action="store_true", help="skip the full-domain rows")
    parser.add_argument("--full-matching", metavar="TEXT", nargs="*", default=None,
                        help="only the full-domain settings whose name contains one of TEXT")
    parser.add_argument("--mondrian-params", metavar="JSON", type=json.loads, default=None,
                        help='extra MondrianAnonymizer parameters, e.g. \'{"suppression_limit": 0.01}\'')
    parser.add_argument("--also-params", metavar="JSON", type=json.loads, action="append",
                        default=[], help="a further MondrianAnonymizer variant measured on the "
                        "local-recoding rows in the same run (repeatable)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE")
    args = parser.parse_args(argv)
    reason = skip_reason()
    if reason:
        print(f"ARX comparison skipped: {reason}.")
        return 0
    load_before = os.getloadavg()
    try:
        full = () if args.no_full else tuple(
            name for name in FULL_DOMAIN
            if args.full_matching is None or any(t in name for t in args.full_matching))
        results = compare(full=full, ks=tuple(args.ks),
                          runs=args.runs, warmup=args.warmup, local_runs=args.local_runs,
                          mondrian_params=args.mondrian_params, also_params=args.also_params)
    except ArxUnavailable as exc:
        print(f"ARX comparison skipped: {exc}")
        return 0
    load_after = os.getloadavg()
    print(f"Machine: {machine()}; load average (1/5/15 min) before "
          f"{'/'.join(f'{x:.2f}' for x in load_before)}, after "
          f"{'/'.join(f'{x:.2f}' for x in load_after)}")
    import sklearn_anon

    print(f"sklearn_anon from {Path(sklearn_anon.__file__).parent}")
    print("ARX 3.9 built from source (benchmarks/arx/build.sh), measured in this run; "
          f"MondrianAnonymizer extra parameters: {args.mondrian_params or 'none'}.\n")
    print(format_comparison(results))
    print()
    if args.also_params and any(r.get("also") for r in results):
        print("\nFurther Mondrian variants, same run:\n")
        print(format_also(results, args.also_params))
        print()
    print(format_checks(results))
    levels = format_levels(results)
    if levels.count("\n") > 1:
        print("\nFull-domain level vectors:\n")
        print(levels)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
