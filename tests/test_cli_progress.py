"""Progress while the verdict's measures run (``anonymize``, ``apply``).

On millions of rows the measures take seconds: the terminal line names each
one as it starts (``measuring risk: measure 2 of 5: k-anonymity of the
release``) and each raw quasi-identifier as it is coded, on stderr only when
it is a terminal, never with ``--quiet``, never with a cell value.
"""

import io
import re

import numpy as np
import pandas as pd
import pytest

from sklearn_anon.cli import _anonymize, _progress, main
from sklearn_anon.generalize import IntervalGeneralizer
from sklearn_anon.metrics import PrivacyReport

_POLICY = """
[report]
quasi_identifiers = ["zip", "age"]
sensitive = "diagnosis"
k = 2
max_uniqueness = 1.0
max_reidentification = 1.0
[columns]
name = "drop"
zip = { action = "generalize", method = "prefix", n = 2 }
age = { action = "generalize", method = "interval", bins = [0, 40, 120] }
diagnosis = "keep"
"""


class _Tty(io.StringIO):
    def isatty(self):
        return True


def _table(n=60):
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "name": [f"Secretname{i}" for i in range(n)],
        "zip": [f"{z}" for z in rng.choice([97531, 97642, 86420], n)],
        "age": rng.integers(20, 80, n),
        "diagnosis": rng.choice(["Secretflu", "Secretcold"], n),
    })


def _values(frame):
    """Every cell of ``frame`` as text (none may reach the progress line)."""
    return {str(v) for v in frame.to_numpy().ravel()}


def _run(argv, monkeypatch, stream):
    monkeypatch.setattr(_anonymize, "Progress",
                        lambda enabled=None: _progress.Progress(enabled, stream=stream))
    return main([str(a) for a in argv])


def _measures(text):
    """``[(step, n_steps, name)]`` of the measure lines shown."""
    return [(int(i), int(n), name.strip()) for i, n, name in
            re.findall(r"measuring risk: measure (\d+) of (\d+): ([a-z ,-]+?)\s+\d+\.\ds", text)]


@pytest.mark.parametrize("report_file", [False, True])
def test_anonymize_and_apply_name_each_measure_on_a_terminal(tmp_path, monkeypatch, capsys,
                                                             report_file):
    data = _table()
    data.to_csv(tmp_path / "in.csv", index=False)
    (tmp_path / "policy.toml").write_text(_POLICY)
    extra = ["--report", tmp_path / "r.json"] if report_file else []
    for argv in (
        ["anonymize", tmp_path / "in.csv", "--policy", tmp_path / "policy.toml",
         "-o", tmp_path / "out.csv", "--save-pipeline", tmp_path / "p.joblib", *extra],
        ["apply", tmp_path / "in.csv", "--pipeline", tmp_path / "p.joblib",
         "-o", tmp_path / "again.csv", *([] if not report_file else ["--report", tmp_path / "r2.json"])],
    ):
        tty = _Tty()
        assert _run(argv, monkeypatch, tty) == 0, capsys.readouterr().err
        text = tty.getvalue()
        shown = _measures(text)
        assert shown, text
        n = shown[0][1]
        assert [s for s, _, _ in shown] == list(range(1, n + 1))  # every measure, in order
        assert {m for _, m, _ in shown} == {n}
        names = [name for _, _, name in shown]
        assert "k-anonymity, l-diversity, t-closeness of the release" in names
        assert "linkage attack on the release" in names
        assert ("information loss" in names) == report_file  # only measured for a report file
        coded = re.findall(r"coding the raw quasi-identifiers, (\d) of (\d) \((\w+)\)", text)
        if not report_file:  # the verdict reads the raw quasi-identifiers as class codes
            assert [(int(i), c) for i, _, c in coded] == [(1, "zip"), (2, "age")]
        else:  # information loss reads the raw values
            assert coded == []
        leaked = [v for v in _values(data) if len(v) > 2 and v in text]
        assert not leaked  # never a cell value
        assert text.endswith("\n")
        assert "measuring risk" not in capsys.readouterr().err


def test_no_measure_lines_with_quiet_or_off_a_terminal(tmp_path, monkeypatch, capsys):
    _table().to_csv(tmp_path / "in.csv", index=False)
    (tmp_path / "policy.toml").write_text(_POLICY)
    argv = ["anonymize", tmp_path / "in.csv", "--policy", tmp_path / "policy.toml",
            "-o", tmp_path / "out.csv"]
    quiet = _Tty()
    assert _run(argv + ["-q"], monkeypatch, quiet) == 0
    plain = io.StringIO()
    assert _run(argv, monkeypatch, plain) == 0
    assert quiet.getvalue() == "" and plain.getvalue() == ""
    assert "measuring" not in capsys.readouterr().err


def _report_inputs(n=120):
    rng = np.random.default_rng(1)
    raw = pd.DataFrame({"age": rng.integers(18, 90, n).astype(float),
                        "sex": rng.choice(["F", "M"], n),
                        "disease": rng.choice(["flu", "cold", "none"], n),
                        "w": rng.uniform(1, 5, n)})
    gen = IntervalGeneralizer(n_bins=3, columns=["age"]).set_output(transform="pandas")
    anon = gen.fit_transform(raw)
    return raw, anon, gen


@pytest.mark.parametrize("verdict_only, sensitive, with_anonymizer, weights", [
    (True, None, False, None),
    (True, "disease", True, None),
    (False, None, True, None),
    (False, "disease", False, None),
    (True, None, True, "w"),  # the record-level section
])
def test_report_announces_every_measure_once_in_order(verdict_only, sensitive, with_anonymizer,
                                                      weights):
    raw, anon, gen = _report_inputs()
    calls = []
    report = PrivacyReport(raw, anon, ["age", "sex"], sensitive, k=2, verdict_only=verdict_only,
                           anonymizer=gen if with_anonymizer else None, weights=weights,
                           progress=lambda *a: calls.append(a))
    n = len(calls)
    assert [c[0] for c in calls] == list(range(1, n + 1)) and {c[1] for c in calls} == {n}
    names = [c[2] for c in calls]
    assert len(set(names)) == n
    assert ("record-level risk" in names) == (weights is not None)
    assert ("generalizing the original" in names) == with_anonymizer
    assert ("linkage attack on the original" in names) == (not verdict_only)
    assert ("distribution distance" in names) == (not verdict_only)
    assert names[-1] == "identifier columns"
    assert any(("l-diversity" in name) == (sensitive is not None) for name in names)
    # the report keeps no reference to the callback; without one it measures the same
    assert not any(callable(v) and getattr(v, "__name__", "") == "<lambda>"
                   for v in vars(report).values())
    again = PrivacyReport(raw, anon, ["age", "sex"], sensitive, k=2, verdict_only=verdict_only,
                          anonymizer=gen if with_anonymizer else None, weights=weights)
    assert again.to_dict() == report.to_dict()
