"""Smoke test: every ``examples/*.py`` runs to the end as a script.

Each example runs in a subprocess, as a user would start it, with its files
written to a temporary folder (examples read ``$SKLEARN_ANON_OUTPUT_DIR``
or ``--output-dir``).  Examples are meant to finish in under 30 seconds; the
timeout is wider because the test machine is shared.
"""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.py") if not p.name.startswith("_"))
TIMEOUT = 180


def _check_quickstart(stdout, out_dir):
    assert "predictions identical: True" in stdout
    assert "anonymized table identical: True" in stdout
    assert (out_dir / "quickstart_pipeline.joblib").is_file()
    # the released table holds generalized values only, no direct identifier
    released = pd.read_csv(out_dir / "next_month_anonymized.csv", dtype=str)
    assert list(released.columns) == ["birthdate", "income", "zipcode", "sex"]
    assert released["zipcode"].str.fullmatch(r"\d{3}|OTHER|\*").all()
    assert released["income"].isin(
        ["Destitute", "Poor", "Working", "Middle", "Affluent", "Rich", "*"]
    ).all()


#: extra checks of an example's output: {script stem: check(stdout, out_dir)}
CHECKS = {"quickstart": _check_quickstart}


def test_examples_exist():
    assert any(p.name == "quickstart.py" for p in EXAMPLES)


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    env = {**os.environ, "SKLEARN_ANON_OUTPUT_DIR": str(tmp_path),
           "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,  # anything written relative to the cwd lands here too
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, (
        f"{script.name} exited with {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
    )
    assert proc.stdout.strip(), f"{script.name} printed nothing"
    if script.stem in CHECKS:
        CHECKS[script.stem](proc.stdout, tmp_path)
