"""Start-up, row-level progress, chunked reading/writing and the verdict-only report (issue 15.6).

Timings live in ``benchmarks/bench_cli.py``; these tests check behaviour only:
what ``import sklearn_anon`` loads, that the chunked paths give the same
bytes and frames as the one-shot ones, and that the verdict does not depend
on whether information loss is measured.
"""

import io
import re
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import sklearn_anon
from sklearn_anon import cli
from sklearn_anon.cli import _io, _progress
from sklearn_anon.datasets import make_customers
from sklearn_anon.metrics import PrivacyReport, linkage_attack

HEAVY = ["pandas", "sklearn", "scipy", "diffprivlib", "joblib", "pyarrow", "numpy"]


def _fresh(code):
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


# -- lazy imports ------------------------------------------------------------------------------
def test_import_and_cli_entry_load_no_heavy_library():
    out = _fresh(f"""
        import sys
        import sklearn_anon, sklearn_anon.cli
        from sklearn_anon.cli import main
        assert main(["keygen"]) == 0
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert out.splitlines()[-1] == "[]"


def test_help_loads_no_heavy_library():
    out = _fresh(f"""
        import contextlib, io, sys
        from sklearn_anon.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["--help"]) == 0
            assert main(["anonymize", "--help"]) == 0
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert out == "[]"


def test_public_names_resolve_lazily():
    assert set(sklearn_anon.__all__) == set(sklearn_anon._EXPORTS)
    assert set(sklearn_anon.__all__) <= set(dir(sklearn_anon))
    for name in sklearn_anon.__all__:
        assert getattr(sklearn_anon, name) is not None
    assert sklearn_anon.IntervalGeneralizer.__module__.startswith("sklearn_anon.generalize")
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        sklearn_anon.NoSuchThing  # noqa: B018
    assert not hasattr(sklearn_anon, "NoSuchThing")


def test_star_import_and_submodule_attributes_in_a_fresh_interpreter():
    out = _fresh("""
        import sklearn_anon
        print(sklearn_anon.metrics.__name__, sklearn_anon.datasets.__name__)
        ns = {}
        exec("from sklearn_anon import *", ns)
        print(sorted(k for k in ns if not k.startswith("__")) == sorted(sklearn_anon.__all__))
        import diffprivlib.models  # works after import sklearn_anon, on every scikit-learn
        print("ok")
    """)
    assert out.splitlines() == ["sklearn_anon.metrics sklearn_anon.datasets", "True", "ok"]


def test_a_pickled_estimator_loads_in_a_fresh_interpreter(tmp_path):
    X = pd.DataFrame({"income": [12_000.0, 48_000.0, 51_000.0, 90_000.0]})
    est = sklearn_anon.IntervalGeneralizer(bins={"income": [0, 25_000, 60_000, 1e9]}).fit(X)
    path = tmp_path / "est.pkl"
    path.write_bytes(pickle.dumps(est))
    out = _fresh(f"""
        import pickle
        import pandas as pd
        est = pickle.loads(open({str(path)!r}, "rb").read())
        X = pd.DataFrame({{"income": [12_000.0, 90_000.0]}})
        print(est.transform(X)["income"].astype(str).tolist())
    """)
    assert out == str(est.transform(X.iloc[[0, 3]])["income"].astype(str).tolist())


# -- progress --------------------------------------------------------------------------------------
class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_counts_rows_on_a_terminal_only():
    tty = _Tty()
    progress = _progress.Progress(stream=tty)
    advance = progress.rows("writing out.csv", total=1_000)
    advance(400)
    advance(600)
    reading = progress.rows("reading in.csv")
    reading(250, 0.5)
    progress.close()
    text = tty.getvalue()
    assert "writing out.csv: 1,000 of 1,000 rows (100%)" in text
    progress._last = 0.0
    quiet = _Tty()
    silent = _progress.Progress(False, stream=quiet)
    silent.rows("reading", None)(10, 0.1)
    silent.line("fitting", force=True)
    assert quiet.getvalue() == ""
    plain = io.StringIO()
    _progress.Progress(stream=plain).rows("reading")(5)
    assert plain.getvalue() == ""


def test_anonymize_shows_rows_read_and_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SKLEARN_ANON_TEST_SCALE_KEY", "scale-test-key")
    make_customers(n_samples=400, random_state=0).to_csv(tmp_path / "in.csv", index=False)
    (tmp_path / "policy.toml").write_text(textwrap.dedent("""
        [keys]
        default = "env:SKLEARN_ANON_TEST_SCALE_KEY"
        [policy]
        unlisted = "drop"
        [report]
        quasi_identifiers = ["sex", "income"]
        k = 2
        [columns]
        sex = "keep"
        income = { action = "generalize", method = "interval", bins = [0, 50000, 1e12], right = false }
    """))
    tty = _Tty()
    monkeypatch.setattr(_io, "_READ_CHUNK_ROWS", 150)
    monkeypatch.setattr(_io, "_WRITE_CHUNK_ROWS", 150)
    monkeypatch.setattr(sys, "stderr", tty)  # progress=True: on stderr when it is a terminal
    cli.run_anonymize(tmp_path / "in.csv", tmp_path / "policy.toml", tmp_path / "out.csv",
                      progress=True)
    text = tty.getvalue()
    assert "reading in.csv: 400 rows (100%)" in text
    assert "fitting the anonymizer on 400 rows" in text
    # one line per part of the policy fitted (sex is kept, income generalized)
    parts = re.findall(r"fitting the anonymizer on 400 rows: part (\d) of (\d) \(([^)]*)\)", text)
    assert parts and [int(i) for i, _, _ in parts] == list(range(1, int(parts[0][1]) + 1))
    assert any("income" in name for _, _, name in parts)
    assert "measuring risk" in text
    assert "writing out.csv: 400 of 400 rows (100%)" in text
    assert text.endswith("\n")
    assert pd.read_csv(tmp_path / "out.csv").shape == (400, 2)


# -- chunked reading and writing ----------------------------------------------------------------
def test_chunked_read_gives_the_one_shot_frame(tmp_path, monkeypatch):
    n = 60
    df = pd.DataFrame({
        "a": np.arange(n),
        # empty in the first chunks (read there as float NaN), text later
        "notes": [None] * 40 + [f"note {i}" for i in range(20)],
        "x": [1.5] * n,
        # integers, then an empty chunk: float, as a single read gives
        "n": list(range(20)) + [None] * 20 + list(range(20)),
    })
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    whole = _io.read_table(path)
    monkeypatch.setattr(_io, "_READ_CHUNK_ROWS", 20)
    seen = []
    chunked = _io.read_table(path, progress=lambda n_rows, fraction: seen.append((n_rows, fraction)))
    pd.testing.assert_frame_equal(chunked, whole)
    assert sum(n for n, _ in seen) == n and seen[-1][1] == pytest.approx(1.0)


def test_mixed_types_across_chunks_fall_back_on_one_read(tmp_path, monkeypatch):
    path = tmp_path / "m.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(20))
                    + "".join(f"{i},x{i}\n" for i in range(20)))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = _io.read_table(path)
        monkeypatch.setattr(_io, "_READ_CHUNK_ROWS", 10)
        chunked = _io.read_table(path, progress=lambda *a: None)
    pd.testing.assert_frame_equal(chunked, whole)


@pytest.mark.parametrize("n_rows", [0, 1, 7, 25])
def test_chunked_csv_is_the_one_shot_csv(tmp_path, monkeypatch, n_rows):
    df = make_customers(n_samples=max(n_rows, 1), random_state=0).iloc[:n_rows]
    df["zip3"] = pd.Categorical(df["zipcode"].astype(str).str[:3])
    expected = _io.table_bytes(df, "csv")
    monkeypatch.setattr(_io, "_WRITE_CHUNK_ROWS", 4)
    written = []
    size, digest = _io.write_table(df, tmp_path / "o.csv", digest=True,
                                   progress=written.append)
    data = (tmp_path / "o.csv").read_bytes()
    assert data == expected and size == len(data)
    import hashlib

    assert digest == hashlib.sha256(data).hexdigest()
    assert sum(written) == n_rows


# -- the verdict without information loss ---------------------------------------------------------
def test_verdict_only_report_gives_the_same_verdict():
    raw = make_customers(n_samples=2_000, random_state=3)
    qis = ["zipcode", "sex", "income"]
    anon = raw[qis].assign(zipcode=raw["zipcode"] // 1000,
                           income=pd.cut(raw["income"], [0, 50_000, 1e12], right=False).astype(str))
    full = PrivacyReport(raw, anon, qis, k=5)
    fast = PrivacyReport(raw, anon, qis, k=5, verdict_only=True)
    assert fast.sufficient_ == full.sufficient_
    assert fast.requirements_ == full.requirements_
    assert fast.results_["anonymized"] == full.results_["anonymized"]
    assert fast.results_["information_loss"]["ncp"] is None
    assert fast.results_["original"]["linkage_reidentification_rate"] is None
    assert "n/a" in fast.to_markdown()  # renders


def test_linkage_on_generalized_values_counts_duplicates_and_missing():
    from sklearn.compose import ColumnTransformer

    from sklearn_anon import IntervalGeneralizer, Pseudonymizer

    raw = pd.DataFrame({"income": [12_000.0, 48_000.0, 51_000.0, 90_000.0, np.nan, 13_000.0],
                        "sex": ["F", "M", "F", "M", "F", None],
                        "email": [f"p{i}@example.com" for i in range(6)]})
    gen = IntervalGeneralizer(bins={"income": [0, 25_000, 60_000, 1e9]},
                              labels={"income": ["low", "mid", "high"]})
    ct = ColumnTransformer([("income", gen, ["income"]), ("sex", "passthrough", ["sex"]),
                            ("email", Pseudonymizer(key="k", length=8), ["email"])],
                           verbose_feature_names_out=False).set_output(transform="pandas")
    released = ct.fit_transform(raw)
    res = linkage_attack(released, raw.assign(name=list("abcdef")), ["income", "sex"],
                         identity="name", anonymizer=ct, truth=list("abcdef"))
    # low/F: a; mid/M: b; mid/F: c; high/M: d; suppressed/F: e; low/None: f -- all unique
    assert res["candidates"].tolist() == [1, 1, 1, 1, 1, 1]
    assert res["identities"].tolist() == list("abcdef")
    assert res["reidentification_rate"] == 1.0
    twice = pd.concat([raw, raw], ignore_index=True)
    res = linkage_attack(pd.concat([released, released], ignore_index=True), twice,
                         ["income", "sex"], anonymizer=ct, truth=np.arange(12))
    assert res["candidates"].tolist() == [2] * 12 and res["reidentification_rate"] == 0.0


def test_generalize_with_skips_parts_that_release_no_wanted_column(monkeypatch):
    from sklearn.compose import ColumnTransformer

    from sklearn_anon import IntervalGeneralizer, Pseudonymizer
    from sklearn_anon.metrics._anonymizer import generalize_with

    raw = pd.DataFrame({"income": [12_000.0, 48_000.0], "email": ["a@x.org", "b@x.org"]})
    ct = ColumnTransformer([("income", IntervalGeneralizer(bins={"income": [0, 25_000, 1e9]}),
                             ["income"]),
                            ("email", Pseudonymizer(key="k", length=8), ["email"])],
                           verbose_feature_names_out=False).set_output(transform="pandas")
    expected = ct.fit_transform(raw)
    calls = []
    monkeypatch.setattr(Pseudonymizer, "transform", lambda self, X: calls.append(1) / 0)
    out = generalize_with(ct, raw, ["income"])
    assert calls == []
    assert out["income"].tolist() == expected["income"].astype(object).tolist()
