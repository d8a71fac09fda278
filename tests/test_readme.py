"""The README stays true: its two commands come first, its quickstart runs."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(), flags=re.S)


def test_two_commands_first():
    text = README.read_text()
    first_two = re.findall(r"```(\w*)\n(.*?)```", text, flags=re.S)[:2]
    assert [lang for lang, _ in first_two] == ["bash", "bash"]
    main_job, tests = (body.strip() for _, body in first_two)
    assert main_job == "pip install . && sklearn-anon demo"
    assert "[test]" in tests and "pytest" in tests
    # .ci/run extracts and runs this very line
    ci = (README.parent / ".ci" / "run").read_text()
    assert "README.md" in ci and "eval" in ci


def test_quickstart_runs(tmp_path):
    quickstart = _blocks("python")[0]
    proc = subprocess.run(
        [sys.executable, "-c", quickstart], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "min_count" in proc.stdout
    assert (tmp_path / "pipeline.joblib").exists()


def test_grid_search_snippet_names_real_measures():
    from sklearn_anon.metrics import PRIVACY_MEASURES

    snippet = _blocks("python")[1]
    for measure in re.findall(r'make_privacy_scorer\("(\w+)"', snippet):
        assert measure in PRIVACY_MEASURES, measure
