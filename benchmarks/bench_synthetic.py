"""DPSynthesizer and make_fake_pii: speed, and utility / privacy on UCI Adult.

Timing rows (``run``):

* ``DPSynthesizer.fit`` on Adult adult.data (32,561 x 15) at epsilon 1,
  public schema declared; peer: smartnoise-synth's MST with the same
  declared bounds when it is importable (it lives in a separate venv,
  never a dependency: ``/tmp/snvenv`` or ``SMARTNOISE_PYTHON`` set to that
  venv's python), else no peer.
* ``DPSynthesizer.sample(1_000_000)``; peer: ``DataFrame.sample(replace=True)``
  of the real rows (a non-private bootstrap: the cheapest way to get a
  table of that size, a floor for the cost of building a DataFrame).
* ``make_fake_pii`` for 5 countries x 1,000 rows; peer: a plain Faker loop
  (``fake.name()``, ``fake.address()``, ... per value, without cleaning).

Quality (``quality``, printed by ``python benchmarks/bench_synthetic.py``):
TSTR accuracy (HistGradientBoosting, categorical from dtype, fit on the
synthetic table of 32,561 rows, tested on adult.test's 16,281 rows) at
epsilon 0.3 / 1 / 3 / 10 (delta 1e-9) beside train-on-real, mean one-way
and two-way TVD, exact-copy rates, for plain MST and for the
target-conditioned tree (``target="income"``); mean over seeds 0, 1, 2
(the same seed for ``fit`` and ``sample``), under two schemas:

* ``public`` (the headline): categories from UCI's documentation
  (``adult.names``; "?" = missing) and declared bounds (``ADULT_BOUNDS``),
  so ``epsilon`` is the budget of the whole pipeline; the run checks that no
  ``PrivacyLeakWarning`` is raised.
* ``data``: bounds and category lists read from adult.data, which is NOT
  ``epsilon``-DP for the whole pipeline (the domain is released exactly);
  the ``PrivacyLeakWarning`` is caught and the columns it names are printed.

smartnoise-synth's MST (peer) runs only when its venv exists
(``SMARTNOISE_PYTHON``); it reads its bounds from the data with 0.1 of its
epsilon (``preprocessor_eps``), and its categories from the data.
"""

import itertools
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_time, row  # noqa: E402

from sklearn_anon import DPSynthesizer, make_fake_pii  # noqa: E402
from sklearn_anon.datasets import adult_schema  # noqa: E402
from sklearn_anon._compat import PrivacyLeakWarning  # noqa: E402
from sklearn_anon.metrics import (  # noqa: E402
    exact_match_rate,
    marginal_tvd,
    pairwise_tvd,
    tstr_score,
)

ADULT_DIR = Path(
    os.environ.get(
        "SKLEARN_ANON_ADULT_DIR",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "adult",
    )
)
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]

# Adult's public schema: the category lists of UCI's adult.names and bounds
# declared from the documentation (sklearn_anon.datasets.adult_schema).
_SCHEMA = adult_schema()
ADULT_CATEGORIES, ADULT_BOUNDS = _SCHEMA["categories"], _SCHEMA["bounds"]
SCHEMAS = {
    "public": {"bounds": ADULT_BOUNDS, "categories": ADULT_CATEGORIES},
    "data": {},
}

SMARTNOISE_SCRIPT = r"""
import sys, time, json, warnings
warnings.simplefilter("ignore")
import pandas as pd
from snsynth import Synthesizer
cols = %r
# "?" (missing) stays a category: smartnoise's encoders reject None
train = pd.read_csv(sys.argv[1], names=cols, skipinitialspace=True)
eps = float(sys.argv[2])
bounds = json.loads(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] else None
numeric = [c for c in cols if pd.api.types.is_numeric_dtype(train[c])]
t0 = time.perf_counter()
synth = Synthesizer.create("mst", epsilon=eps, verbose=False)
if bounds is None:  # bounds estimated with DP, from 0.1 of epsilon
    synth.fit(train, preprocessor_eps=0.1 * eps,
              categorical_columns=[c for c in cols if c not in numeric],
              continuous_columns=numeric)
else:  # declared bounds: the whole epsilon goes to MST (categories still from the data)
    from snsynth.transform import BinTransformer
    synth.fit(train, preprocessor_eps=0.0,
              transformer={c: BinTransformer(bins=10, lower=lo, upper=hi)
                           for c, (lo, hi) in bounds.items()},
              categorical_columns=[c for c in cols if c not in numeric],
              continuous_columns=[])
fit_s = time.perf_counter() - t0
t0 = time.perf_counter()
sample = synth.sample(int(sys.argv[3]))
sample_s = time.perf_counter() - t0
sample.to_csv(sys.argv[4], index=False)
print(json.dumps({"fit": fit_s, "sample": sample_s}))
"""


def load_adult():
    if not (ADULT_DIR / "adult.data").exists():
        return None, None
    kw = dict(names=COLUMNS, skipinitialspace=True, na_values="?")
    train = pd.read_csv(ADULT_DIR / "adult.data", **kw)
    test = pd.read_csv(ADULT_DIR / "adult.test", skiprows=1, **kw)
    test["income"] = test["income"].str.rstrip(".")
    return train, test


def _fit(train, schema="public", **kw):
    """Fit under a schema; return the synthesizer and the columns whose domain was read from the data."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PrivacyLeakWarning)
        synth = DPSynthesizer(**SCHEMAS[schema], **kw).fit(train)
    leaked = [str(w.message) for w in caught if issubclass(w.category, PrivacyLeakWarning)]
    for w in caught:
        if not issubclass(w.category, PrivacyLeakWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if schema == "public" and leaked:
        raise AssertionError(f"public schema incomplete: {leaked}")
    if schema == "data" and not leaked:
        raise AssertionError("data schema expected a PrivacyLeakWarning")
    return synth


def smartnoise(train_path, eps, n_sample, out_path, bounds=None):
    """Run smartnoise-synth's MST in its own venv; None when unavailable.

    ``bounds``: declared bounds of the numeric columns (all of the budget
    goes to MST); None: smartnoise estimates them with 0.1 of epsilon.
    """
    python = os.environ.get("SMARTNOISE_PYTHON", "/tmp/snvenv/bin/python")
    if not Path(python).exists():
        return None
    try:
        done = subprocess.run(
            [python, "-c", SMARTNOISE_SCRIPT % (COLUMNS,), str(train_path), str(eps),
             str(n_sample), str(out_path), json.dumps(bounds) if bounds else ""],
            capture_output=True, text=True, timeout=1800,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick=False):
    rows = []
    train, test = load_adult()
    if train is not None:
        repeat = 1 if quick else 3
        secs, synth = best_time(lambda: _fit(train, epsilon=1.0, random_state=0), repeat=repeat)
        peer = None if quick else smartnoise(ADULT_DIR / "adult.data", 1.0, len(train),
                                             "/tmp/sn_sample.csv", ADULT_BOUNDS)
        rows.append(row(
            "DPSynthesizer.fit (Adult, eps=1)", len(train), secs,
            "smartnoise-synth MST (bounds declared)" if peer else "", peer["fit"] if peer else None,
            "32,561 x 15; MST; target=None; public schema declared",
        ))
        secs_t, _ = best_time(lambda: _fit(train, epsilon=1.0, target="income", random_state=0),
                              repeat=repeat)
        rows.append(row("DPSynthesizer.fit (Adult, eps=1, target=income)", len(train), secs_t,
                        note="target-conditioned tree"))
        n = 100_000 if quick else 1_000_000
        secs, _ = best_time(lambda: synth.sample(n, random_state=0), repeat=repeat)
        peer_s, _ = best_time(lambda: train.sample(n, replace=True, random_state=0), repeat=repeat)
        rows.append(row(
            f"DPSynthesizer.sample({n:,})", n, secs, "DataFrame.sample(replace=True)", peer_s,
            "peer is a non-private bootstrap (DataFrame-building floor)",
        ))
        if peer:
            rows.append(row("smartnoise MST sample", len(train), peer["sample"],
                            note="measured in the same run, separate venv"))

    counts = [("US", 2024), ("DE", 2024), ("FR", 2024), ("GB", 2024), ("IT", 2024)]
    per = 100 if quick else 1000
    requests = pd.DataFrame({"country": [c for c, _ in counts], "year": [y for _, y in counts],
                             "n": per})
    secs, _ = best_time(lambda: make_fake_pii(requests, random_state=0), repeat=2)

    def faker_loop():
        from faker import Faker

        out = []
        for country in requests["country"]:
            fake = Faker({"US": "en_US", "DE": "de_DE", "FR": "fr_FR", "GB": "en_GB",
                          "IT": "it_IT"}[country])
            fake.seed_instance(0)
            for _ in range(per):
                out.append((fake.name(), fake.address(), fake.phone_number(), fake.email(),
                            fake.ssn(), fake.date_of_birth()))
        return out

    peer_s, _ = best_time(faker_loop, repeat=2)
    rows.append(row("make_fake_pii (5 countries)", 5 * per, secs, "plain Faker loop", peer_s,
                    "peer does no cleaning and no age control"))
    return rows


def quality(epsilons=(0.3, 1.0, 3.0, 10.0), seeds=(0, 1, 2), smartnoise_epsilons=(1.0, 3.0),
            schemas=("public", "data")):
    """Markdown table of TSTR / TVD / exact copies on Adult, per schema (see the module docstring)."""
    from threadpoolctl import threadpool_limits

    train, test = load_adult()
    if train is None:
        return "Adult data not found."
    lines = [
        "| model | schema | epsilon | TSTR accuracy | mean 1-way TVD | mean 2-way TVD | exact copies of train rows |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    with threadpool_limits(limits=1):
        real_acc = tstr_score(train, test, "income")
        lines.append(f"| train on real | - | - | {real_acc:.3f} | - | - | "
                     f"{exact_match_rate(test, train):.4f} (adult.test rows) |")
        for schema, target, eps in itertools.product(schemas, (None, "income"), epsilons):
            accs, t1, t2, copies = [], [], [], []
            for seed in seeds:
                synth = _fit(train, schema, epsilon=eps, target=target, random_state=seed)
                S = synth.sample(len(train), random_state=seed)
                accs.append(tstr_score(S, test, "income"))
                t1.append(marginal_tvd(train, S).mean())
                t2.append(pairwise_tvd(train, S).mean())
                copies.append(exact_match_rate(S, train))
            name = "MST" if target is None else "MST, target=income"
            lines.append(
                f"| {name} | {schema} | {eps:g} | {np.mean(accs):.3f} (±{np.std(accs):.3f}) | "
                f"{np.mean(t1):.3f} | {np.mean(t2):.3f} | {np.mean(copies):.4f} |"
            )
            print(lines[-1], file=sys.stderr, flush=True)
        for eps, declared in itertools.product(smartnoise_epsilons, (True, False)):
            out = f"/tmp/sn_sample_{eps:g}.csv"
            peer = smartnoise(ADULT_DIR / "adult.data", eps, len(train), out,
                              ADULT_BOUNDS if declared else None)
            if peer is None:
                continue
            sn_schema = ("declared bounds, categories from data" if declared
                         else "DP bounds (0.1 eps), categories from data")
            S = pd.read_csv(out, na_values="?")[COLUMNS]
            for c in COLUMNS:  # smartnoise writes its own dtypes: align on train's
                if pd.api.types.is_numeric_dtype(train[c]):
                    S[c] = pd.to_numeric(S[c], errors="coerce")
                else:
                    S[c] = S[c].astype(train[c].dtype)
            lines.append(
                f"| smartnoise-synth MST (peer, 1 seed, fit {peer['fit']:.0f} s) | {sn_schema} | {eps:g} | "
                f"{tstr_score(S, test, 'income'):.3f} | {marginal_tvd(train, S).mean():.3f} | "
                f"{pairwise_tvd(train, S).mean():.3f} | {exact_match_rate(S, train):.4f} |"
            )
            print(lines[-1], file=sys.stderr, flush=True)
    if not Path(os.environ.get("SMARTNOISE_PYTHON", "/tmp/snvenv/bin/python")).exists():
        lines.append("")
        lines.append("(smartnoise-synth not available in this run: see shared/anchors.md for its figures)")
    return "\n".join(lines)


if __name__ == "__main__":
    start = time.perf_counter()
    if "--smartnoise-only" in sys.argv:
        print(quality(epsilons=(), schemas=()))
    else:
        print(quality())
    print(f"\n({time.perf_counter() - start:.0f} s)")
