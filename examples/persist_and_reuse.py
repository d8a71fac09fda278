"""Fit once, persist, and anonymize next month's data identically in a new process.
================================================================================

    python examples/persist_and_reuse.py [--output-dir DIR]

1. Fit an anonymizing ``ColumnTransformer`` on January's customers: keyed
   pseudonyms for e-mails (the key is an ``env:`` reference) and k-anonymous
   regions (Mondrian, k=10) over ZIP code x birth date x sex x income.
2. Dump the fitted pipeline with joblib; the file holds the *reference* to
   the key, not the key.
3. Start a **new Python process** that loads the file and anonymizes
   February's customers; compare with the output of the fitted pipeline in
   this process: byte-identical.  New customers are routed through the
   regions and bands learnt in January (nothing is re-fitted, no raw value
   passes).
4. Without the key in the environment, the new process fails with a clear
   error naming the variable.

The command-line equivalent is ``sklearn-anon anonymize jan.csv --policy P
-o jan_anon.csv --save-pipeline p.joblib`` then ``sklearn-anon apply
feb.csv --pipeline p.joblib -o feb_anon.csv``.
"""

import os
import subprocess
import sys
import time

import joblib
import pandas as pd
from _output import parse_args
from sklearn.compose import ColumnTransformer

from sklearn_anon import MondrianAnonymizer, Pseudonymizer
from sklearn_anon._crypto import generate_key
from sklearn_anon.datasets import make_customers
from sklearn_anon.metrics import k_anonymity

KEY_VAR = "PERSIST_EXAMPLE_KEY"
COLUMNS = ["email", "zipcode", "birthdate", "sex", "income", "golf"]


def make_anonymizer():
    qis = ["zipcode", "birthdate", "sex", "income"]
    return ColumnTransformer(
        [
            ("email", Pseudonymizer(key=f"env:{KEY_VAR}", length=16), ["email"]),
            ("regions", MondrianAnonymizer(k=10, quasi_identifiers=qis), qis),
            ("label", "passthrough", ["golf"]),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def apply_in_this_process(pipeline_path, data_path, out_path):
    """What the new process runs: load, transform, write."""
    pipeline = joblib.load(pipeline_path)
    data = pd.read_csv(data_path, parse_dates=["birthdate"])
    pipeline.transform(data).to_csv(out_path, index=False)


def main(argv=None):
    if argv is None and len(sys.argv) == 5 and sys.argv[1] == "--apply":
        apply_in_this_process(*sys.argv[2:])
        return
    args = parse_args((__doc__ or "").partition("\n")[0], argv)
    out = args.output_dir
    start = time.perf_counter()
    if not os.environ.get(KEY_VAR):
        os.environ[KEY_VAR] = generate_key()
        print(f"${KEY_VAR} not set: generated a key for this run")

    jan = make_customers(n_samples=4000, random_state=0)[COLUMNS]
    feb = make_customers(n_samples=3000, random_state=1)[COLUMNS]
    feb.to_csv(out / "feb.csv", index=False)
    feb = pd.read_csv(out / "feb.csv", parse_dates=["birthdate"])  # what the new process reads

    anonymizer = make_anonymizer().fit(jan)
    jan_anon = anonymizer.transform(jan)
    qis = ["zipcode", "birthdate", "sex", "income"]
    print(f"fitted on January ({len(jan):,} customers): k = {k_anonymity(jan_anon, qis)} "
          f"on the Mondrian regions; columns {', '.join(jan_anon.columns)}")
    path = out / "anonymizer.joblib"
    joblib.dump(anonymizer, path)
    holds_key = os.environ[KEY_VAR].encode() in path.read_bytes()
    print(f"saved {path} ({path.stat().st_size / 1024:.0f} KiB); holds the key: {holds_key} "
          f"(only 'env:{KEY_VAR}')")

    here = out / "feb_anonymized_here.csv"
    anonymizer.transform(feb).to_csv(here, index=False)
    there = out / "feb_anonymized_new_process.csv"
    cmd = [sys.executable, os.path.abspath(globals().get("__file__") or sys.argv[0]), "--apply", str(path), str(out / "feb.csv"),
           str(there)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"the new process failed:\n{proc.stderr[-2000:]}")
    identical = here.read_bytes() == there.read_bytes()
    feb_anon = pd.read_csv(there, dtype=str)
    print(f"February ({len(feb):,} customers) anonymized in a new process: byte-identical to "
          f"this process: {identical}")
    print(f"k on February's own classes: {k_anonymity(feb_anon, qis)} (new customers are "
          "routed through January's regions: the same generalization, but k is guaranteed for "
          "the fitted data only; re-fit, or check k, before each release)")
    print(feb_anon.head(3).to_string(index=False))

    env = {k: v for k, v in os.environ.items() if k != KEY_VAR}
    proc = subprocess.run(cmd[:-1] + [str(out / "should_not_exist.csv")], capture_output=True,
                          text=True, env=env, timeout=120)
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    print(f"without ${KEY_VAR}: exit code {proc.returncode}: {last}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    if not identical or holds_key or proc.returncode == 0:
        raise SystemExit("a check failed")


if __name__ == "__main__":
    main()
