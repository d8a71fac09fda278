"""Membership inference audit against IBM's Adversarial Robustness Toolbox (ART), same target, same run.

Target: a random forest (100 trees, ``random_state=seed``) on Adult
``adult.data`` (``fnlwgt`` dropped, categories ordinal-encoded with the
codes of the whole file, the public encoding: ART needs numbers), trained on
4,000 random rows (the members).  16,000 other random rows are split in
two: 8,000 are the attacker's shadow data, 8,000 the non-members.  Both
tools attack the same fitted forest with the same data:

* ours: :func:`sklearn_anon.metrics.membership_inference_audit` with
  ``prefit=True``, ``shadow_data=`` the 8,000 shadow rows, 4 shadow models
  (each trained on 4,000 of them, attack classifier a random forest on
  prediction vector + one-hot label + probability and log-loss of the true
  label), and the loss-threshold attack;
* ART 1.20.1: ``ShadowModels`` (4 shadow forests, ``disjoint_datasets=False``:
  each trained on a random half, 4,000 rows, of the same shadow data) and
  ``MembershipInferenceBlackBox(attack_model_type="rf", input_type="prediction")``
  trained on the shadow dataset (its default attack model, a neural
  network, needs PyTorch); and ``MembershipInferenceBlackBoxRuleBased``
  (member when the prediction is correct: Yeom et al.'s 0/1-loss attack).

The scores of every attack are evaluated the same way (AUC; advantage at a
threshold chosen on the other half; 95% bootstrap intervals, 500
resamples; ``sklearn_anon.metrics._membership._evaluate``).  Seconds are
wall-clock and CPU (``time.process_time``) of the attack work after the
target is fitted: for ours, the whole audit (both attacks and their
bootstrap evaluation) and, in brackets, the shadow attack alone without
bootstrap; for ART, the shadow dataset, the attack fit and the inference
(its evaluation is not timed).

ART is not a dependency: it runs when ``import art`` works (for example
``pip install --target DIR adversarial-robustness-toolbox six tqdm`` and
``PYTHONPATH=DIR``), else the peer rows are skipped with a message.

Usage::

    PYTHONPATH=DIR python benchmarks/bench_membership.py [--seeds 0 1 2]
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.preprocessing import OrdinalEncoder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import row  # noqa: E402

from sklearn_anon.datasets import load_adult  # noqa: E402
from sklearn_anon.metrics import membership_inference_audit  # noqa: E402
from sklearn_anon.metrics._membership import _evaluate  # noqa: E402

ADULT_DIR = Path(os.environ.get("SKLEARN_ANON_ADULT_DIR",
                                Path(__file__).resolve().parents[2] / "shared" / "data" / "adult"))
N_TRAIN, N_HOLDOUT, N_BOOTSTRAP = 4_000, 16_000, 500


def _data(seed, n_train=N_TRAIN, n_holdout=N_HOLDOUT):
    pool = load_adult(ADULT_DIR, split="train").drop(columns=["fnlwgt"])
    target = "income"
    cats = [c for c in pool.columns if c != target and not pd.api.types.is_numeric_dtype(pool[c])]
    pool[cats] = OrdinalEncoder(encoded_missing_value=-1).fit_transform(pool[cats].astype(object))
    pool[target] = (pool[target].astype(str) == ">50K").astype(int)
    pool = pool.astype(float).assign(**{target: pool[target].astype(int)})
    perm = np.random.RandomState(seed).permutation(len(pool))
    train = pool.iloc[perm[:n_train]]
    half = n_holdout // 2
    shadow = pool.iloc[perm[n_train:n_train + half]]
    non = pool.iloc[perm[n_train + half:n_train + n_holdout]]
    return train, shadow, non, target


def _clock(func):
    wall, cpu = time.perf_counter(), time.process_time()
    out = func()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def compare(seed, n_train=N_TRAIN, n_holdout=N_HOLDOUT, n_bootstrap=N_BOOTSTRAP):
    """Per attack: AUC, advantage (with intervals), wall and CPU seconds."""
    train, shadow, non, target = _data(seed, n_train, n_holdout)
    forest = RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1)
    X, y = train.drop(columns=[target]), train[target].to_numpy()
    model = forest.fit(X, y)
    out = {}
    audit, wall, cpu = _clock(lambda: membership_inference_audit(
        model, train, non, target=target, prefit=True, shadow_data=shadow, n_shadow=4,
        n_bootstrap=n_bootstrap, random_state=seed))
    for attack, r in audit.summary.iterrows():
        out[f"ours {attack}"] = {**r.to_dict(), "wall": wall, "cpu": cpu}
    # the shadow attack alone, without the evaluation's bootstrap: the work ART's rows time
    _, wall, cpu = _clock(lambda: membership_inference_audit(
        model, train, non, target=target, attacks="shadow", prefit=True, shadow_data=shadow, n_shadow=4,
        n_bootstrap=0, random_state=seed))
    out["ours shadow"].update(wall_attack=wall, cpu_attack=cpu)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from art.attacks.inference.membership_inference import (
                MembershipInferenceBlackBox,
                MembershipInferenceBlackBoxRuleBased,
                ShadowModels,
            )
            from art.estimators.classification import SklearnClassifier
    except ImportError:
        print("ART (adversarial-robustness-toolbox) is not importable: peer skipped.", file=sys.stderr)
        return out
    x_eval = np.vstack([X.to_numpy(), non.drop(columns=[target]).to_numpy()])
    y_eval = np.r_[y, non[target].to_numpy()]
    member = np.r_[np.ones(len(X), bool), np.zeros(len(non), bool)]
    onehot = np.eye(2)[y_eval]
    rng = np.random.RandomState(seed)

    def art_shadow():
        target_art = SklearnClassifier(model)
        # the template is cloned (unfitted, same parameters) for each shadow model;
        # ART needs a fitted one to know the number of classes
        shadows = ShadowModels(SklearnClassifier(model), num_shadow_models=4, disjoint_datasets=False,
                               random_state=seed)
        xs, ys = shadow.drop(columns=[target]).to_numpy(), np.eye(2)[shadow[target].to_numpy()]
        (mx, my, mp), (nx, ny, npred) = shadows.generate_shadow_dataset(xs, ys)
        attack = MembershipInferenceBlackBox(target_art, attack_model_type="rf", input_type="prediction")
        attack.fit(mx, my, nx, ny, mp, npred)
        return attack.infer(x_eval, onehot, probabilities=True)

    def art_rule():
        return MembershipInferenceBlackBoxRuleBased(SklearnClassifier(model)).infer(x_eval, onehot)

    for name, func in (("ART shadow (rf)", art_shadow), ("ART rule-based", art_rule)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores, wall, cpu = _clock(func)
        scores = np.asarray(scores, dtype=float).reshape(len(member), -1)[:, -1]
        out[name] = {**_evaluate(scores, member, rng, n_bootstrap, 0.95), "wall": wall, "cpu": cpu}
    return out


def run(quick=False):
    """Timing rows for ``benchmarks/run.py``: our audit vs ART's shadow attack."""
    if not (ADULT_DIR / "adult.data").exists():
        print(f"Adult not found in {ADULT_DIR}: bench_membership skipped.", file=sys.stderr)
        return []
    n_train, n_holdout = (1_000, 4_000) if quick else (N_TRAIN, N_HOLDOUT)
    res = compare(0, n_train, n_holdout, n_bootstrap=100 if quick else N_BOOTSTRAP)
    ours = res["ours shadow"]
    peer = res.get("ART shadow (rf)")
    return [row("membership audit (loss + shadow, 4 shadow forests), Adult", n_train + n_holdout // 2,
                ours["wall"], "ART ShadowModels + BlackBox(rf)" if peer else None,
                peer["wall"] if peer else None,
                note=f"AUC shadow ours {ours['auc']:.3f}" + (f", ART {peer['auc']:.3f}" if peer else ""))]


def _seconds(r, kind):
    alone = r.get(f"{kind}_attack")
    return f"{r[kind]:.1f}" + (f" ({alone:.1f})" if alone is not None else "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    lines = ["| seed | attack | AUC [95% CI] | advantage [95% CI] | optimistic adv. | wall s | CPU s |",
             "|---|---|---|---|---|---:|---:|"]
    for seed in args.seeds:
        for name, r in compare(seed).items():
            lines.append(
                f"| {seed} | {name} | {r['auc']:.3f} [{r['auc_low']:.3f}, {r['auc_high']:.3f}] | "
                f"{r['advantage']:.3f} [{r['advantage_low']:.3f}, {r['advantage_high']:.3f}] | "
                f"{r['advantage_optimistic']:.3f} | {_seconds(r, 'wall')} | {_seconds(r, 'cpu')} |"
            )
        print("\n".join(lines[-4:]), flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
