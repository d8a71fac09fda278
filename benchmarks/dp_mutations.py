"""Mutation check of the DP audit (issue 13.8): each deliberate privacy bug must be caught.

For each mutation, a temporary copy of the package is patched textually and
``tests/test_dp_audit.py`` runs against it (``PYTHONPATH`` = the copy).  The
unmutated copy must pass; every mutant must fail at least one audit test.
Prints a markdown table; exits 1 if a mutant survives or the baseline fails.

    python benchmarks/dp_mutations.py             # the audit only (about 1 min)
    python benchmarks/dp_mutations.py --old-suite # also tests/test_dp.py and
                                                  # tests/test_synthetic.py per mutant
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (name, file, old text, new text)
MUTATIONS = [
    (
        "DPGroupMeanEncoder: full epsilon to both sums and counts",
        "sklearn_anon/dp/_group_mean.py",
        "        eps_half = self.epsilon / 2\n",
        "        eps_half = self.epsilon\n",
    ),
    (
        "DPKBinsDiscretizer: epsilon not split over quantiles",
        "sklearn_anon/dp/_kbins.py",
        "eps_each = self.epsilon / (len(self.columns_) * (self.n_bins - 1))",
        "eps_each = self.epsilon / len(self.columns_)",
    ),
    (
        "DPSynthesizer: a third of the noise (in the Gaussian measurement)",
        "sklearn_anon/synthetic/_mst.py",
        "rng.normal(0.0, sigma, size=counts.shape)",
        "rng.normal(0.0, sigma / 3, size=counts.shape)",
    ),
    (
        "DPSynthesizer: a third of the noise (sigma1 and sigma_ both divided)",
        "sklearn_anon/synthetic/_synthesizer.py",
        "sigma1 = np.sqrt(k1 / (2 * rho1))",
        "sigma1 = np.sqrt(k1 / (2 * rho1)) / 3",
    ),
    (
        "DPSynthesizer: 3x epsilon in tree selection",
        "sklearn_anon/synthetic/_synthesizer.py",
        "eps_sel = np.sqrt(8 * rho_sel / (r - 1))",
        "eps_sel = 3 * np.sqrt(8 * rho_sel / (r - 1))",
    ),
]

AUDIT = ["tests/test_dp_audit.py"]
OLD_SUITE = ["tests/test_dp.py", "tests/test_synthetic.py"]


def _copy_tree(dest):
    shutil.copytree(ROOT / "sklearn_anon", dest / "sklearn_anon", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", dest / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")


def _run(dest, tests):
    """(passed, failed, names of failed tests) of pytest over ``tests`` in the copy."""
    env = {**__import__("os").environ, "PYTHONPATH": str(dest)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", *tests],
        cwd=dest, env=env, capture_output=True, text=True,
    )
    out = proc.stdout
    failed = sorted({m.split("::")[-1] for m in re.findall(r"^FAILED (\S+)", out, re.M)})
    counts = dict((k, int(v)) for v, k in re.findall(r"(\d+) (passed|failed|error)", out))
    return counts.get("passed", 0), counts.get("failed", 0) + counts.get("error", 0), failed


def main(old_suite=False):
    rows, ok = [], True
    cases = [("(none: baseline)", None, None, None)] + MUTATIONS
    for name, path, old, new in cases:
        with tempfile.TemporaryDirectory(prefix="dpmut-") as tmp:
            dest = Path(tmp)
            _copy_tree(dest)
            if path is not None:
                text = (dest / path).read_text()
                if text.count(old) < 1:
                    rows.append((name, path, "PATTERN NOT FOUND", "", ""))
                    ok = False
                    continue
                (dest / path).write_text(text.replace(old, new))
            passed, failed, names = _run(dest, AUDIT)
            old_result = ""
            if old_suite:
                op, of, _ = _run(dest, OLD_SUITE)
                old_result = f"{op} passed, {of} failed"
        if path is None:
            verdict = "baseline passes" if failed == 0 else "BASELINE FAILS"
            ok &= failed == 0
        else:
            verdict = "caught" if failed else "MISSED"
            ok &= failed > 0
        rows.append((name, path or "", verdict, f"{passed} passed, {failed} failed: " + ", ".join(names), old_result))
    header = "| mutation | file | audit verdict | audit tests |" + (" old suite (test_dp + test_synthetic) |" if old_suite else "")
    print(header)
    print("|---|---|---|---|" + ("---|" if old_suite else ""))
    for name, path, verdict, detail, old_result in rows:
        print(f"| {name} | {path} | {verdict} | {detail} |" + (f" {old_result} |" if old_suite else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(old_suite="--old-suite" in sys.argv))
