"""FullDomainAnonymizer (optimal full-domain generalization) on Adult, beside ARX 3.9.

    python benchmarks/bench_full_domain.py       # the comparison table
    python benchmarks/run.py full_domain         # the timing rows only

Adult ``adult.csv`` (30,162 rows), all 9 attributes as quasi-identifiers on
ARX's own hierarchies (``adult_hierarchy_*.csv``); for l-diversity,
occupation is sensitive and the other 8 are quasi-identifiers.  Our time is
``fit`` only (data frame and hierarchies already loaded), median of 5 warm
runs.

ARX's figures are NOT measured in this run: they are copied from
``shared/anchors.md`` (ARX 3.9 built from source, warm JVM, median of 5, on
this kind of machine, 2 cores).  Machines are shared and loaded, so compare
the ratio with care.  ARX measured in the same run: ``bench_arx.py``.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, row  # noqa: E402

from sklearn_anon.kanonymity import FullDomainAnonymizer  # noqa: E402
from sklearn_anon._hierarchy import load_hierarchy  # noqa: E402

ADULT = Path(os.environ.get("SKLEARN_ANON_ADULT_DIR",
                            Path(__file__).resolve().parents[2] / "shared" / "data" / "adult"))
QIS = ["sex", "age", "race", "marital-status", "education", "native-country",
       "workclass", "occupation", "salary-class"]

#: ARX 3.9 on the same settings, from shared/anchors.md (not measured here):
#: (time in ms, granularity loss, classes)
ARX_ANCHORS = {
    "k=5, 0% suppression": (97, 0.708, 24),
    "k=5, 2% suppression": (1175, 0.396, 222),
    "distinct 3-diversity (occupation), 0%": (45, 0.711, 28),
    "t=0.2 closeness (occupation, equal distance), 2%": (1791, 0.816, 6),
}


def _settings(hierarchies):
    eight = {c: h for c, h in hierarchies.items() if c != "occupation"}
    return {
        "k=5, 0% suppression": (hierarchies, dict(k=5)),
        "k=5, 2% suppression": (hierarchies, dict(k=5, suppression_limit=0.02)),
        "distinct 3-diversity (occupation), 0%": (
            eight, dict(k=1, l=3, sensitive="occupation")),
        "t=0.2 closeness (occupation, equal distance), 2%": (
            eight, dict(k=1, t=0.2, sensitive="occupation", suppression_limit=0.02)),
    }


def _load():
    df = pd.read_csv(ADULT / "adult.csv", sep=";")
    hierarchies = {c: load_hierarchy(ADULT / f"adult_hierarchy_{c}.csv", name=c) for c in QIS}
    return df, hierarchies


def _median_fit(est, df, repeat):
    est.fit(df)  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        est.fit(df)
        times.append(time.perf_counter() - start)
    return statistics.median(times), est


def measure(repeat=5, losses=("loss", "granularity"), skip_slow=False):
    """One dict per (setting, loss): our time and figures beside ARX's anchors."""
    df, hierarchies = _load()
    out = []
    for name, (hs, params) in _settings(hierarchies).items():
        if skip_slow and "t=0.2" in name:
            continue
        for loss in losses:
            seconds, est = _median_fit(FullDomainAnonymizer(hs, loss=loss, **params), df, repeat)
            arx_ms, arx_loss, arx_classes = ARX_ANCHORS[name]
            out.append({
                "setting": name, "loss": loss, "ms": seconds * 1000,
                "granularity": est.granularity_, "classes": est.n_classes_,
                "suppressed": est.n_suppressed_, "levels": list(est.levels_.values()),
                "evaluated": est.n_evaluated_, "nodes": est.n_nodes_,
                "arx_ms": arx_ms, "arx_loss": arx_loss, "arx_classes": arx_classes,
            })
    return out


def run(quick=False):
    """Timing rows for ``benchmarks/run.py`` (ARX's time from anchors.md as the peer)."""
    if not (ADULT / "adult.csv").exists():
        return []
    rows = []
    for r in measure(repeat=1 if quick else 5, losses=("loss",), skip_slow=quick):
        rows.append(row(f"FullDomainAnonymizer Adult {r['setting']}", 30162, r["ms"] / 1000,
                        peer="ARX 3.9 (anchors.md, not this run)",
                        peer_seconds=r["arx_ms"] / 1000,
                        note=f"granularity {r['granularity']:.3f} (ARX {r['arx_loss']}), "
                             f"{r['classes']} classes (ARX {r['arx_classes']})"))
    return rows


def main():
    if not (ADULT / "adult.csv").exists():
        print(f"Adult data not found at {ADULT} (set SKLEARN_ANON_ADULT_DIR); nothing to do.")
        return
    print(f"Machine: {machine()}")
    print("ARX columns: copied from shared/anchors.md (ARX 3.9, warm JVM, median of 5), "
          "not measured in this run.\n")
    print("| setting | loss minimized | ours ms (median of 5) | ARX ms | ours granularity | ARX "
          "| ours classes | ARX | suppressed | levels | vectors counted / lattice |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in measure():
        print(f"| {r['setting']} | {r['loss']} | {r['ms']:.0f} | {r['arx_ms']} | "
              f"{r['granularity']:.4f} | {r['arx_loss']} | {r['classes']} | {r['arx_classes']} | "
              f"{r['suppressed']} | {r['levels']} | {r['evaluated']} / {r['nodes']} |")


if __name__ == "__main__":
    main()
