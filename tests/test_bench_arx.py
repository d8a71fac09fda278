"""The same-run ARX harness (benchmarks/bench_arx.py, benchmarks/arx/).

Without a JDK or ARX's sources it skips with a reason; with them (``ARX_SRC``
set, ``java``/``javac`` on PATH, Adult present) a tiny run reproduces ARX's
known optimum (full-domain k=5, 0% suppression: granularity loss 0.708, 24
classes) and the loss function of the harness reproduces ARX's own figure
(marked ``slow``; it only runs when ``ARX_SRC`` is set).
"""

import importlib
import os
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench_arx():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("bench_arx")
    finally:
        sys.path.remove(str(BENCH))


def test_skips_without_jdk(bench_arx, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no java, no javac
    monkeypatch.setenv("ARX_SRC", str(tmp_path))
    assert "no JDK" in bench_arx.skip_reason()
    assert bench_arx.main([]) == 0
    assert "skipped: no JDK" in capsys.readouterr().out
    assert bench_arx.run(quick=True) == []
    with pytest.raises(bench_arx.ArxUnavailable, match="no JDK"):
        bench_arx.build_arx()


def test_skips_without_sources(bench_arx, monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("ARX_SRC", raising=False)
    if bench_arx.shutil.which("java") and bench_arx.shutil.which("javac"):
        assert "ARX_SRC" in bench_arx.skip_reason()
    monkeypatch.setenv("ARX_SRC", str(tmp_path / "absent"))
    reason = bench_arx.skip_reason()
    assert reason is not None
    assert bench_arx.main(["--ks"]) == 0
    assert "skipped" in capsys.readouterr().out


def test_build_rejects_a_folder_without_arx(bench_arx, tmp_path):
    """build.sh says why, instead of compiling nothing."""
    import subprocess

    env = dict(os.environ, ARX_SRC=str(tmp_path), ARX_CACHE=str(tmp_path / "cache"))
    proc = subprocess.run(["sh", str(BENCH / "arx" / "build.sh")], env=env,
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "ARX_SRC" in proc.stderr or "javac" in proc.stderr


def test_arx_granularity_definition(bench_arx, tmp_path):
    """Shares averaged per column, then normalised: a hand-computed case."""
    (tmp_path / "h_a.csv").write_text("x;xy;*\ny;xy;*\nz;z;*\nw;w;*\n")  # 4 leaves
    (tmp_path / "h_b.csv").write_text("1;1-2;*\n2;1-2;*\n")  # 2 leaves, numeric
    released = pd.DataFrame({"a": ["xy", "xy", "{z, w}", "*"], "b": ["[1, 2]", "1", "1-2", "*"]})
    paths = {"a": tmp_path / "h_a.csv", "b": tmp_path / "h_b.csv"}
    loss, shares = bench_arx.arx_granularity(released, paths, return_shares=True)
    assert shares == pytest.approx({"a": (2 + 2 + 2 + 4) / 4 / 4, "b": (2 + 1 + 2 + 2) / 4 / 2})
    low = (1 / 4 + 1 / 2) / 2
    assert loss == pytest.approx(((shares["a"] + shares["b"]) / 2 - low) / (1 - low))
    with pytest.raises(ValueError, match="neither"):
        bench_arx.arx_granularity(pd.DataFrame({"a": ["q"]}), {"a": paths["a"]})


@pytest.mark.slow  # a JVM start and one ARX run (~10 s), plus a one-time build (~1 min)
def test_arx_full_domain_k5(bench_arx):
    """ARX's known optimum, and our loss function on ARX's own output gives ARX's figure."""
    reason = bench_arx.skip_reason()
    if reason:
        pytest.skip(reason)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        (res,) = bench_arx.run_arx(["full:k=5,supp=0"], runs=1, warmup=0, out_dir=tmp)
        released = pd.read_csv(res["output_csv"], sep=";", dtype=str, keep_default_na=False)
    assert round(res["granularity"], 3) == 0.708
    assert res["classes"] == res["arx_classes"] == 24
    assert res["suppressed"] == 0
    paths = bench_arx.hierarchy_paths(res["qis"])
    assert bench_arx.arx_granularity(released, paths, res["qis"]) == pytest.approx(
        res["granularity"], abs=1e-12)
    assert res["granularity_check"] == pytest.approx(res["granularity"], abs=1e-12)


@pytest.mark.slow  # two ARX runs (~15 s each under load), plus the one-time build
@pytest.mark.parametrize("name", [
    "recursive (3,2)-diversity (occupation), 0%",
    "t=0.2 closeness (occupation, hierarchical distance), 0%",
])
def test_arx_recursive_and_hierarchical_t_same_optimum(bench_arx, name):
    """ARX's RecursiveCLDiversity / HierarchicalDistanceTCloseness and ours: same levels."""
    reason = bench_arx.skip_reason()
    if reason:
        pytest.skip(reason)
    setting, _ = bench_arx.FULL_DOMAIN[name]
    (arx,) = bench_arx.run_arx([setting], runs=1, warmup=0)
    ours = bench_arx.ours_full_domain(bench_arx.load_adult(), name, runs=1, warmup=0)
    assert list(arx["levels"]) == ours["levels"]
    assert arx["classes"] == ours["classes"] and arx["suppressed"] == ours["suppressed"]
    assert arx["granularity"] == pytest.approx(ours["loss"], abs=1e-9)


def test_format_checks_flags_a_mismatch(bench_arx):
    row = {"arx": {"granularity": 0.5, "per_cell_loss": 0.4},
           "arx_table": {"loss": 0.5, "per_cell": 0.4},
           "ours": {"loss": 0.3, "granularity_attr": 0.3}}
    assert "FAILED" not in bench_arx.format_checks([row])
    bad = {**row, "arx_table": {"loss": 0.6, "per_cell": 0.4}}
    assert "FAILED" in bench_arx.format_checks([row, bad])
