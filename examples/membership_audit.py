"""Membership inference audit on Adult: what does a model trained on the data reveal?
==================================================================================

Seed 003 asks to inspect what a model trained on customer data gives away
about the customers in it.  This example trains the same model three ways on
the same training rows and attacks each one with
:func:`sklearn_anon.metrics.membership_inference_audit`:

* ``raw``: a random forest on the raw rows (ordinal-encoded categories);
* ``mondrian_k10``: the same forest behind
  :class:`~sklearn_anon.MondrianAnonymizer` (``k=10``, every attribute a
  quasi-identifier, ``output="midpoint"``) in one pipeline;
* ``dp_synthetic_eps1``: the same forest trained on a synthetic table of
  the same size sampled from :class:`~sklearn_anon.DPSynthesizer`
  (``epsilon=1``, ``target="income"``, Adult's public schema declared, so
  the whole pipeline is (1, 1e-9)-DP), wrapped as one estimator so that the shadow
  attack can retrain it.

Attacks: the loss-threshold attack (Yeom et al. 2018) and the shadow-model
attack (Shokri et al. 2017; 4 shadow copies of the whole pipeline, trained
on half of the holdout), each with its AUC and its membership advantage
(``TPR - FPR`` at a threshold chosen on the other half of the records) and
95% bootstrap intervals; for the synthetic table also the
distance-to-closest-record attack of
:func:`sklearn_anon.metrics.dcr_membership_audit`.  Members are the
training rows, non-members the other half of the holdout: both are random
rows of ``adult.data``.  Accuracy is on rows of ``adult.test``.

The default is a quick run (1,000 training rows, 4,000 holdout rows, 3,000
test rows, 30 trees, 100 bootstrap resamples: about 6 s of CPU);
``--full`` is the run recorded in ``benchmarks/README.md`` (4,000 training
rows, 16,000 holdout rows, all 16,281 test rows, 100 trees, 500 resamples).
The seeds (``--seed``, default 0) drive the split, the forest, the
synthesizer and the audit; a real release uses fresh randomness.

Data: UCI ``adult.data`` / ``adult.test`` from ``--data-dir`` (default: the
environment variable ``SKLEARN_ANON_ADULT_DIR``, else ``../shared/data/adult``
beside the project root).  Without them the script falls back to
:func:`sklearn_anon.datasets.make_survey` (predicting ``OwnsPC``), so that
it always runs.

Outputs (in ``--output-dir``, default ``$SKLEARN_ANON_OUTPUT_DIR`` or
``examples/output/``): ``membership_audit.csv`` and ``membership_audit.md``.

Usage::

    python examples/membership_audit.py [--data-dir DIR] [--output-dir DIR] [--full] [--seed 0]
"""

import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

# the documentation gallery runs this file without ``__file__`` (it sets ``sys.argv[0]``)
HERE = Path(globals().get("__file__") or sys.argv[0]).resolve().parent
sys.path.insert(0, str(HERE))
from _output import parse_args  # noqa: E402

from sklearn_anon import DPSynthesizer, MondrianAnonymizer  # noqa: E402
from sklearn_anon.metrics import dcr_membership_audit, membership_inference_audit  # noqa: E402

ROOT = HERE.parent
SIZES = {  # training rows, holdout rows (half shadow data, half non-members), test rows, trees, resamples
    "quick": (1_000, 4_000, 3_000, 30, 100),
    "full": (4_000, 16_000, None, 100, 500),
}


class TrainOnSynthetic(ClassifierMixin, BaseEstimator):
    """A classifier trained on a synthetic table sampled from a synthesizer fitted on ``X, y``.

    The synthesizer sees the training rows; the model sees only synthetic
    rows (as many as the training rows, sampled with ``random_state``).  As
    one estimator, the whole procedure can be cloned and retrained by the
    shadow-model attack.
    """

    def __init__(self, synthesizer=None, model=None, target="label", random_state=None):
        self.synthesizer = synthesizer
        self.model = model
        self.target = target
        self.random_state = random_state

    def fit(self, X, y):
        frame = X.assign(**{self.target: np.asarray(y)})
        self.synthesizer_ = clone(self.synthesizer).fit(frame)
        self.synthetic_ = self.synthesizer_.sample(len(frame), random_state=self.random_state)
        y_syn = self.synthetic_[self.target].astype(str)
        self.model_ = clone(self.model).fit(self.synthetic_.drop(columns=[self.target]), y_syn)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.model_.predict(X)


def load(data_dir, n_train, n_holdout, n_test, seed):
    """``(train, holdout, test, target, bounds, categories, source)``; labels as strings."""
    data_dir = Path(data_dir)
    if (data_dir / "adult.data").exists() and (data_dir / "adult.test").exists():
        from sklearn_anon.datasets import adult_schema, load_adult

        # fnlwgt is a survey weight, not an attribute of the person
        pool = load_adult(data_dir, split="train").drop(columns=["fnlwgt"])
        test = load_adult(data_dir, split="test").drop(columns=["fnlwgt"])
        schema = adult_schema()
        bounds = {c: b for c, b in schema["bounds"].items() if c in pool.columns}
        cats = {c: v for c, v in schema["categories"].items() if c in pool.columns}
        target, source = "income", f"UCI Adult ({data_dir}): adult.data for train/holdout, adult.test for accuracy"
    else:
        from sklearn_anon.datasets import make_survey

        print(f"Adult files not found in {data_dir}: falling back to make_survey.", file=sys.stderr)
        survey = make_survey(n_train + n_holdout + (n_test or 5_000), random_state=seed)
        survey = survey[["Region", "Gender", "Age", "EducationYears", "JobCategory", "HouseholdIncome",
                         "TVWatchingHours", "OwnsPC"]]
        survey["OwnsPC"] = survey["OwnsPC"].map({0: "no", 1: "yes"})
        pool, test = survey[: n_train + n_holdout], survey[n_train + n_holdout:]
        bounds, cats = None, None  # read from the data (PrivacyLeakWarning silenced below)
        target, source = "OwnsPC", "make_survey (Adult absent)"
    pool = pool.assign(**{target: pool[target].astype(str)})
    test = test.assign(**{target: test[target].astype(str)})
    perm = np.random.RandomState(seed).permutation(len(pool))
    train = pool.iloc[perm[:n_train]]
    holdout = pool.iloc[perm[n_train:n_train + n_holdout]]
    if n_test is not None and n_test < len(test):
        test = test.sample(n_test, random_state=seed)
    return train, holdout, test, target, bounds, cats, source


def pipelines(target, bounds, cats, n_trees, seed):
    def encoded_forest():
        encode = make_column_transformer(
            ("passthrough", make_column_selector(dtype_include="number")),
            (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2),
             make_column_selector(dtype_exclude="number")),
        )
        return make_pipeline(encode, RandomForestClassifier(n_estimators=n_trees, random_state=seed, n_jobs=1))

    return {
        "raw": encoded_forest(),
        "mondrian_k10": make_pipeline(MondrianAnonymizer(k=10, output="midpoint"), encoded_forest()),
        "dp_synthetic_eps1": TrainOnSynthetic(
            DPSynthesizer(epsilon=1.0, target=target, bounds=bounds, categories=cats, random_state=seed),
            encoded_forest(), target=target, random_state=seed,
        ),
    }


def _ci(row, name):
    return f"{row[name]:.3f} [{row[name + '_low']:.3f}, {row[name + '_high']:.3f}]"


def main(argv=None):
    def extra(parser):
        parser.add_argument(
            "--data-dir",
            default=os.environ.get("SKLEARN_ANON_ADULT_DIR", ROOT.parent / "shared" / "data" / "adult"),
            help="folder with adult.data and adult.test",
        )
        parser.add_argument("--full", action="store_true", help="the benchmark run (larger, slower)")
        parser.add_argument("--seed", type=int, default=0, help="seed of split, model, synthesizer and audit")

    args = parse_args((__doc__ or "").partition("\n")[0], argv, extra)
    mode = "full" if args.full else "quick"
    n_train, n_holdout, n_test, n_trees, n_bootstrap = SIZES[mode]
    train, holdout, test, target, bounds, cats, source = load(args.data_dir, n_train, n_holdout, n_test, args.seed)
    print(f"data: {source}")
    print(f"mode: {mode}; split (seed {args.seed}): {len(train)} training rows (members), {len(holdout)} "
          f"holdout rows (half shadow data, half non-members), {len(test)} test rows for accuracy")
    print(f"model: RandomForestClassifier(n_estimators={n_trees}, random_state={args.seed}) on ordinal-encoded "
          f"columns; audit: random_state={args.seed}, {n_bootstrap} bootstrap resamples, 95% intervals\n")

    X_test, y_test = test.drop(columns=[target]), test[target].to_numpy()
    rows = []
    for name, pipe in pipelines(target, bounds, cats, n_trees, args.seed).items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the fallback's PrivacyLeakWarning (domain read from data)
            pipe.fit(train.drop(columns=[target]), train[target].to_numpy())
            accuracy = float(np.mean(pipe.predict(X_test) == y_test))
            audit = membership_inference_audit(pipe, train, holdout, target=target, prefit=True,
                                               n_bootstrap=n_bootstrap, random_state=args.seed)
        print(f"== {name}: accuracy {accuracy:.4f}")
        print(audit)
        row = {"setting": name, "accuracy": accuracy}
        for attack, r in audit.summary.iterrows():
            row[f"{attack}_auc"] = _ci(r, "auc")
            row[f"{attack}_advantage"] = _ci(r, "advantage")
        if isinstance(pipe, TrainOnSynthetic):
            dcr = dcr_membership_audit(pipe.synthetic_, train, holdout, max_records=len(train),
                                       n_bootstrap=n_bootstrap, random_state=args.seed)
            print(dcr)
            r = dcr.summary.loc["dcr"]
            row["dcr_auc"], row["dcr_advantage"] = _ci(r, "auc"), _ci(r, "advantage")
        else:
            row["dcr_auc"] = row["dcr_advantage"] = "n/a"
        row["seconds"] = round(time.perf_counter() - start, 1)
        rows.append(row)
        print()

    table = pd.DataFrame(rows).set_index("setting")
    print("Summary (AUC and advantage with 95% bootstrap intervals):")
    print(table.to_string())
    table.to_csv(args.output_dir / "membership_audit.csv")
    header = "| setting | " + " | ".join(table.columns) + " |"
    lines = [header, "|" + "---|" * (len(table.columns) + 1)]
    for name, r in table.iterrows():
        cells = [f"{v:.4f}" if isinstance(v, float) and k == "accuracy" else str(v) for k, v in r.items()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    (args.output_dir / "membership_audit.md").write_text("\n".join(lines) + "\n")
    print(f"\nwrote {args.output_dir / 'membership_audit.csv'} and membership_audit.md")


if __name__ == "__main__":
    main()
