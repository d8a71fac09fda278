"""A churn model on a telecom table, with a differentially private group feature.
==============================================================================

    python examples/telecom_dp_features.py [--output-dir DIR] [--n-samples N]

Subscribers are a make_customers table plus a simulated average call
duration (minutes) that depends on where (ZIP3) and how old (age band) a
subscriber is, and a churn flag that depends on the call duration.

* identifiers (name, SSN, e-mail, IP, ...) are dropped;
* ZIP codes become ZIP3 (rare ZIP3 grouped as ``OTHER``), birth dates age
  bands;
* the **DP mean call duration per ZIP3 x age band**
  (:class:`~sklearn_anon.DPGroupMeanEncoder`: noisy sums and counts per
  cell, epsilon-DP on the training set) becomes a model feature, in place of
  each subscriber's own duration;
* the model (one-hot bands + the DP feature, logistic regression) is scored
  for several epsilons against the same model without the feature and with
  the exact (non-private) group mean; :func:`~sklearn_anon.privacy_budget`
  reads the budget the fitted pipeline spent.
"""

import time
import warnings

import numpy as np
import pandas as pd
from _output import parse_args
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

from sklearn_anon import (
    DateGeneralizer,
    DPGroupMeanEncoder,
    PrefixGeneralizer,
    RareCategoryGrouper,
    privacy_budget,
)
from sklearn_anon.datasets import make_customers

REFERENCE_DATE = "2024-01-01"
AGE_BINS = [18, 30, 45, 60, 75, 120]
BOUNDS = (0.0, 60.0)  # declared range of the call duration (minutes): not taken from the data
EPSILONS = [0.1, 0.5, 1.0, 5.0]


def make_subscribers(n, seed=0):
    """make_customers plus a call duration and a churn flag (simulated)."""
    rng = np.random.default_rng(seed)
    subs = make_customers(n_samples=n, random_state=seed)
    age = (pd.Timestamp(REFERENCE_DATE) - subs["birthdate"]).dt.days / 365.25
    zip3 = subs["zipcode"] // 100
    # each ZIP3 has its own habits, which differ by age (an interaction a one-hot
    # model of the bands cannot learn additively)
    region = pd.Series(rng.normal(0, 1, 1000))[zip3 % 1000].to_numpy()
    minutes = 18 + 0.12 * (age - 45) + 5 * region * np.sign(age - 45) + rng.normal(0, 4, n)
    subs["call_minutes"] = np.clip(minutes, 0, 60).round(1)
    churn_logit = -0.8 - 0.25 * (subs["call_minutes"] - 18) + rng.normal(0, 0.5, n)
    subs["churn"] = (rng.random(n) < 1 / (1 + np.exp(-churn_logit))).astype(int)
    return subs


def make_anonymizer():
    """Identifiers dropped; ZIP3 and age bands; the duration kept for the DP encoder only."""
    zip3 = Pipeline([("prefix", PrefixGeneralizer(n=3, width=5)),
                     ("rare", RareCategoryGrouper(min_count=40))])
    return ColumnTransformer(
        [
            ("zip3", zip3, ["zipcode"]),
            ("age_band", DateGeneralizer(unit="age", reference_date=REFERENCE_DATE, bins=AGE_BINS),
             ["birthdate"]),
            ("minutes", "passthrough", ["call_minutes"]),
        ],
        remainder="drop",  # name, SSN, e-mail, IP, street address, income, ...
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def exact_group_mean(X):
    """The non-private reference: the true mean per ZIP3 x age band (leaks!)."""
    return X.groupby(["zipcode", "birthdate"], observed=True)["call_minutes"].transform("mean") \
        .to_frame("call_minutes_group_mean")


def make_model(group_feature):
    parts = [("bands", OneHotEncoder(handle_unknown="ignore"), ["zipcode", "birthdate"])]
    if group_feature == "exact":
        parts.append(("group_mean", FunctionTransformer(exact_group_mean),
                      ["zipcode", "birthdate", "call_minutes"]))
    elif group_feature is not None:
        encoder = DPGroupMeanEncoder(epsilon=group_feature, bounds=BOUNDS,
                                     columns=["zipcode", "birthdate"], value_column="call_minutes",
                                     min_count=10, random_state=0)
        parts.append(("dp_group_mean", encoder, ["zipcode", "birthdate", "call_minutes"]))
    features = ColumnTransformer(parts, remainder="drop")  # the own duration is not a feature
    return Pipeline([("anonymize", make_anonymizer()), ("features", features),
                     ("model", LogisticRegression(max_iter=2000))])


def main(argv=None):
    args = parse_args((__doc__ or "").partition("\n")[0], argv,
                      lambda p: p.add_argument("--n-samples", type=int, default=6000))
    start = time.perf_counter()
    subs = make_subscribers(args.n_samples)
    X, y = subs.drop(columns=["churn"]), subs["churn"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0,
                                                        stratify=y)
    print(f"{len(subs):,} subscribers ({y.mean():.1%} churn); mean call duration "
          f"{subs['call_minutes'].mean():.1f} min")
    released = make_anonymizer().fit(X_train).transform(X_train)
    print(f"released columns: {', '.join(released.columns)} (the duration feeds the DP "
          f"encoder only); {released['zipcode'].nunique()} ZIP3 groups x "
          f"{released['birthdate'].nunique()} age bands")

    rows = []
    for feature in [None, *EPSILONS, "exact"]:
        model = make_model(feature)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # categories come from the fitted bands' dtypes
            model.fit(X_train, y_train)
        auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
        if feature is None:
            label, spent = "bands only", "0"
        elif feature == "exact":
            label, spent = "exact group mean (not private)", "inf"
        else:
            budget = privacy_budget(model)
            label = f"DP group mean, epsilon={feature:g}"
            spent = f"{budget.epsilon:g}" if hasattr(budget, "epsilon") else str(budget)
        rows.append({"feature": label, "epsilon_spent": spent, "roc_auc": round(auc, 4)})
        if feature == 1.0:
            encoder = model.named_steps["features"].named_transformers_["dp_group_mean"]
            exact = exact_group_mean(released).groupby(
                [released["zipcode"], released["birthdate"]], observed=True).first()
            print(f"DP means (epsilon=1) vs exact, over the {len(exact)} observed cells: mean "
                  f"absolute error {_cell_error(encoder, released, exact):.2f} min")
    table = pd.DataFrame(rows)
    print("\nchurn model, held-out ROC AUC:")
    print(table.to_string(index=False))
    path = args.output_dir / "telecom_dp_features.csv"
    table.to_csv(path, index=False)
    print(f"\nwrote {path}; done in {time.perf_counter() - start:.1f} s")


def _cell_error(encoder, released, exact):
    """Mean absolute difference between the encoder's cell means and the exact ones."""
    cells = exact.reset_index()[["zipcode", "birthdate"]]
    cells["call_minutes"] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dp = encoder.transform(cells).iloc[:, 0].to_numpy()
    return float(np.mean(np.abs(dp - exact.iloc[:, 0].to_numpy())))


if __name__ == "__main__":
    main()
