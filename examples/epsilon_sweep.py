"""Privacy/utility trade-off: sweep epsilon on Adult and read accuracy off a table and a plot.
===========================================================================================

Three DP pipelines, each given a *per-record* budget epsilon (what
:func:`sklearn_anon.privacy_budget` reports for the fitted pipeline):

* ``local Laplace + LogReg``: :class:`~sklearn_anon.LaplaceNoise` on the 5
  numeric Adult attributes (age, education-num, capital-gain, capital-loss,
  hours-per-week), epsilon split equally over them, then a (non-private)
  LogisticRegression trained on the noised data.  Local DP: every released
  value is noised, so the data itself can be shared; train *and* test rows
  pass through the noise, as they would in a deployed pipeline.
* ``local Laplace + RR + LogReg``: the same plus
  :class:`~sklearn_anon.RandomizedResponse` on ``sex`` and ``relationship``
  (declared category sets), epsilon split over the 7 columns.
* ``central GaussianNB (diffprivlib)``: diffprivlib's DP GaussianNB on the
  raw 5 numeric attributes (central DP: only the model is private), the
  setting of diffprivlib's own notebooks.

Non-private references (same features) are printed beside them, and the
majority-class baseline: the accuracy of always predicting the most frequent
label of the test set (a model below it has learnt nothing).  Accuracy is
on UCI ``adult.test``; mean and standard deviation over 5 seeds.  The seeds
make this experiment reproducible; a real release uses ``random_state=None``
(fresh operating-system randomness): with a fixed seed the noise can be
replayed and subtracted.

Data: UCI ``adult.data`` / ``adult.test`` from ``--data-dir`` (default: the
environment variable ``SKLEARN_ANON_ADULT_DIR``, else ``../shared/data/adult``
beside the project root).  Without them the script falls back to
:func:`sklearn_anon.datasets.make_customers` (predicting the ``technology``
interest flag from income, purchases and age, plus sex).

Outputs (in ``--output-dir``, default ``$SKLEARN_ANON_OUTPUT_DIR`` or
``examples/output/``): ``epsilon_sweep.csv``, ``epsilon_sweep.md`` and
``epsilon_sweep.png`` (skipped with a message when matplotlib is missing).

Usage::

    python examples/epsilon_sweep.py [--data-dir DIR] [--output-dir DIR] [--seeds 5]
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_anon import LaplaceNoise, RandomizedResponse, privacy_budget
from sklearn_anon._compat import dp_models  # diffprivlib, imported through the package's shim

# the documentation gallery runs this file without ``__file__`` (it sets ``sys.argv[0]``)
ROOT = Path(globals().get("__file__") or sys.argv[0]).resolve().parents[1]
EPSILONS = [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0, 30.0, 100.0]

# Public codebook ranges of the Adult attributes (not read from the data).
ADULT_BOUNDS = {
    "age": (17, 90),
    "education-num": (1, 16),
    "capital-gain": (0, 99999),
    "capital-loss": (0, 4356),
    "hours-per-week": (1, 99),
}
ADULT_CATEGORIES = {
    "sex": ["Female", "Male"],
    "relationship": ["Husband", "Not-in-family", "Other-relative", "Own-child", "Unmarried", "Wife"],
}


def load_data(data_dir):
    """``(X_train, y_train, X_test, y_test, numeric bounds, categories, source)``."""
    data_dir = Path(data_dir)
    if (data_dir / "adult.data").exists() and (data_dir / "adult.test").exists():
        from sklearn_anon.datasets import load_adult

        Xtr, ytr = load_adult(data_dir, split="train", return_X_y=True)
        Xte, yte = load_adult(data_dir, split="test", return_X_y=True)
        cols = [*ADULT_BOUNDS, *ADULT_CATEGORIES]
        prep = lambda X: X[cols].astype({c: object for c in ADULT_CATEGORIES})  # noqa: E731
        return (
            prep(Xtr), (ytr == ">50K").to_numpy(int), prep(Xte), (yte == ">50K").to_numpy(int),
            ADULT_BOUNDS, ADULT_CATEGORIES, f"UCI Adult ({data_dir})",
        )
    from sklearn_anon.datasets import make_customers

    print(f"Adult files not found in {data_dir}: falling back to make_customers.", file=sys.stderr)
    df = make_customers(30_000, random_state=0)
    df["age"] = (pd.Timestamp("2024-01-01") - df["birthdate"]).dt.days / 365.25
    bounds = {"income": (0, 500_000), "purchases": (0, 30), "age": (18, 96)}
    cats = {"sex": ["F", "M"]}
    X = df[[*bounds, *cats]].astype({"sex": object})
    y = df["technology"].to_numpy(int)
    cut = 20_000
    return X[:cut], y[:cut], X[cut:], y[cut:], bounds, cats, "make_customers(30000) (Adult absent)"


def pipelines(eps, seed, bounds, cats):
    """The DP pipelines at per-record budget ``eps``."""
    num, cat = list(bounds), list(cats)
    per_num = {c: eps / len(num) for c in num}
    local = Pipeline([
        ("pre", ColumnTransformer([
            ("noise", LaplaceNoise(epsilon=per_num, bounds=bounds, random_state=seed), num),
        ])),
        ("scale", StandardScaler()),
        ("clf", LogisticRegression(max_iter=300, tol=1e-3)),
    ])
    share = eps / (len(num) + len(cat))
    mixed = Pipeline([
        ("pre", ColumnTransformer([
            ("num", Pipeline([
                ("noise", LaplaceNoise(epsilon=share, bounds=bounds, random_state=seed)),
                ("scale", StandardScaler()),
            ]), num),
            ("cat", Pipeline([
                ("rr", RandomizedResponse(epsilon=share, categories=cats, random_state=seed + 1000)),
                ("onehot", OneHotEncoder(handle_unknown="ignore")),
            ]), cat),
        ])),
        ("clf", LogisticRegression(max_iter=300, tol=1e-3)),
    ])
    lows = [bounds[c][0] for c in num]
    highs = [bounds[c][1] for c in num]
    central = Pipeline([
        ("pre", ColumnTransformer([("num", "passthrough", num)])),
        ("clf", dp_models.GaussianNB(epsilon=eps, bounds=(lows, highs), random_state=seed)),
    ])
    return {
        "local Laplace + LogReg": local,
        "local Laplace + RR + LogReg": mixed,
        "central GaussianNB (diffprivlib)": central,
    }


def non_private(Xtr, ytr, Xte, yte, bounds):
    num = list(bounds)
    out = {}
    for name, clf in (
        ("LogReg", Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=300, tol=1e-3))])),
        ("GaussianNB", GaussianNB()),
    ):
        out[name] = clf.fit(Xtr[num], ytr).score(Xte[num], yte)
    return out


def sweep(Xtr, ytr, Xte, yte, bounds, cats, seeds, epsilons=EPSILONS):
    rows = []
    for eps in epsilons:
        for seed in range(seeds):
            for name, pipe in pipelines(eps, seed, bounds, cats).items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # diffprivlib's convergence/leak notes
                    pipe.fit(Xtr, ytr)
                    acc = pipe.score(Xte, yte)
                spent = privacy_budget(pipe).epsilon
                assert abs(spent - eps) < 1e-9 * max(1, eps), (name, spent, eps)
                rows.append({"model": name, "epsilon": eps, "seed": seed, "accuracy": acc})
    return pd.DataFrame(rows)


def summarize(results):
    table = results.groupby(["epsilon", "model"])["accuracy"].agg(["mean", "std"]).unstack("model")
    return table


def majority_share(y):
    """Share of the most frequent label: the accuracy of always predicting it."""
    return float(pd.Series(y).value_counts(normalize=True).iloc[0])


def to_markdown(table, baselines, source, majority=None):
    models = list(table["mean"].columns)
    lines = [f"Data: {source}. Test accuracy, mean ± std over the seeds.", ""]
    lines.append("| epsilon | " + " | ".join(models) + " |")
    lines.append("|---:|" + "---:|" * len(models))
    for eps in table.index:
        cells = [f"{table['mean'].loc[eps, m]:.4f} ± {table['std'].loc[eps, m]:.4f}" for m in models]
        lines.append(f"| {eps:g} | " + " | ".join(cells) + " |")
    base = ", ".join(f"{k} {v:.4f}" for k, v in baselines.items())
    lines += ["", f"Non-private, same features: {base}."]
    if majority is not None:
        lines.append(f"Majority-class baseline (always the most frequent test label): {majority:.4f}.")
    return "\n".join(lines)


def draw(ax, table, baselines, majority=None):
    """Accuracy against epsilon per model, the non-private references and the majority class."""
    for model in table["mean"].columns:
        mean, std = table["mean"][model], table["std"][model]
        ax.errorbar(table.index, mean, yerr=std, marker="o", capsize=3, label=model)
    for (name, acc), style in zip(baselines.items(), ("--", ":")):
        ax.axhline(acc, color="grey", linestyle=style, label=f"non-private {name}")
    if majority is not None:
        ax.axhline(majority, color="black", linestyle="-.", linewidth=1,
                   label=f"majority class ({majority:.3f})", gid="majority")
    ax.set_xscale("log")
    ax.set_xlabel("epsilon per record")
    ax.set_ylabel("test accuracy")
    ax.set_title("Privacy/utility trade-off")
    ax.legend(fontsize=8)
    return ax


def plot(table, baselines, path, majority=None):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot written (pip install matplotlib).")
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    draw(ax, table, baselines, majority)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    # left open: the documentation gallery shows the open figures of an example
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("SKLEARN_ANON_ADULT_DIR", ROOT.parent / "shared" / "data" / "adult"),
    )
    parser.add_argument(
        "--output-dir", default=os.environ.get("SKLEARN_ANON_OUTPUT_DIR", ROOT / "examples" / "output")
    )
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    Xtr, ytr, Xte, yte, bounds, cats, source = load_data(args.data_dir)
    baselines = non_private(Xtr, ytr, Xte, yte, bounds)
    results = sweep(Xtr, ytr, Xte, yte, bounds, cats, args.seeds)
    table = summarize(results)
    majority = majority_share(yte)
    text = to_markdown(table, baselines, source, majority)
    print(text)
    results.to_csv(out_dir / "epsilon_sweep.csv", index=False)
    (out_dir / "epsilon_sweep.md").write_text(text + "\n")
    png = plot(table, baselines, out_dir / "epsilon_sweep.png", majority)
    print(f"\nWrote {out_dir / 'epsilon_sweep.csv'}, {out_dir / 'epsilon_sweep.md'}"
          + (f", {png}" if png else "") + f" in {time.perf_counter() - start:.1f} s.")
    return 0


if __name__ == "__main__":
    # exit only on failure: the documentation gallery runs this file in its own process
    status = main()
    if status:
        raise SystemExit(status)
