"""``sklearn-anon demo``: the whole workflow on synthetic customers, with a built-in policy."""

import os
import tempfile
import time
import warnings
from pathlib import Path

from ._anonymize import _run_anonymize
from ._bundle import load_pipeline
from ._common import PROG
from ._io import _write_text, read_table, write_table
from ._progress import Progress
from ._report import _privacy_report, _risk_lines

DEMO_KEY_VARIABLE = "SKLEARN_ANON_DEMO_KEY"
DEMO_POLICY = """\
# The demo's policy: a retailer's customer table prepared for a partner.
[policy]
name = "demo: customers for a marketing partner"
unlisted = "drop"          # city, state, username, ip, street address, mdem... are not written

[keys]
default = "env:SKLEARN_ANON_DEMO_KEY"

[report]
quasi_identifiers = ["zipcode", "birthdate", "sex", "income"]
k = 10
# one value per record, released on purpose: email is a keyed pseudonym (the retailer
# re-joins the partner's results on it), purchases carries local DP noise (epsilon 1)
allowed_identifiers = ["email", "purchases"]

[columns]
name = "drop"
ssn = "drop"
email = { action = "pseudonymize", length = 16 }      # keyed: the retailer can re-join
zipcode = { action = "mondrian" }                     # k-anonymous regions over 4 columns
birthdate = { action = "mondrian", dtype = "datetime" }
sex = { action = "mondrian" }
income = { action = "mondrian" }
purchases = { action = "laplace", epsilon = 1.0, bounds = [0, 40] }   # local DP noise
golf = "keep"

[mondrian.default]
k = 10
"""


def _model_scores(train, test, y_train, y_test):
    """Accuracy and ROC AUC of a logistic regression (one-hot categories, scaled numbers)."""
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in train.columns if pd.api.types.is_numeric_dtype(train[c])
               and not isinstance(train[c].dtype, pd.CategoricalDtype)]
    other = [c for c in train.columns if c not in numeric]
    prep = make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(handle_unknown="ignore", min_frequency=5), other),
    )
    to_text = {c: train[c].astype(str) for c in other}
    train = train.assign(**to_text)
    test = test.assign(**{c: test[c].astype(str) for c in other})
    model = make_pipeline(prep, LogisticRegression(max_iter=2000)).fit(train, y_train)
    proba = model.predict_proba(test)[:, 1]
    return accuracy_score(y_test, proba >= 0.5), roc_auc_score(y_test, proba)


def cmd_demo(args):
    import numpy as np
    import pandas as pd
    from sklearn.model_selection import train_test_split

    from ._crypto import generate_key
    from ..datasets import make_customers

    start = time.perf_counter()
    out_dir = Path(args.output_dir) if args.output_dir else \
        Path(tempfile.mkdtemp(prefix="sklearn_anon_demo_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    key_file = out_dir / "demo.key"
    if not os.environ.get(DEMO_KEY_VARIABLE):
        os.environ[DEMO_KEY_VARIABLE] = generate_key()
        _write_text(key_file, os.environ[DEMO_KEY_VARIABLE] + "\n")  # mode 0600, for the next: line
        key_note = f"a fresh random key, saved in {key_file.name} (it re-joins the pseudonyms)"
    else:
        key_file = None
        key_note = f"the key in ${DEMO_KEY_VARIABLE}"
    customers = make_customers(n_samples=args.n_samples, random_state=args.random_state)
    train, test = train_test_split(customers, test_size=0.3, random_state=0,
                                   stratify=customers["golf"])
    raw_path, policy_path = out_dir / "customers.csv", out_dir / "policy.toml"
    train.to_csv(raw_path, index=False)
    test.to_csv(out_dir / "customers_next_month.csv", index=False)
    _write_text(policy_path, DEMO_POLICY)
    print(f"sklearn-anon demo: {len(train):,} synthetic customers (make_customers), "
          f"{customers.shape[1]} columns, policy {policy_path.name}")
    progress = Progress(False if args.quiet else None)
    anonymized, report, info = _run_anonymize(
        raw_path, policy_path, out_dir / "customers_anonymized.csv",
        save_pipeline=out_dir / "pipeline.joblib", report_path=out_dir / "report.html",
        progress=progress,
    )
    print(f"released columns: {', '.join(anonymized.columns)}; email pseudonymized with "
          f"{key_note}")
    print(f"dropped: {', '.join(c for c in customers.columns if c not in anonymized.columns)}")
    for line in _risk_lines(report):
        print(line)

    # re-apply the fitted pipeline to next month's data
    pipeline, bundle = load_pipeline(out_dir / "pipeline.joblib")
    raw_test = read_table(out_dir / "customers_next_month.csv", dtypes=bundle["read_dtypes"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        anon_test = pipeline.transform(raw_test[bundle["input_columns"]])
    # next month is measured against the same requirements, as `apply` does: fitted
    # regions do not make new records k-anonymous, so the release may be withheld
    next_report = _privacy_report(raw_test, anon_test, bundle["quasi_identifiers"], bundle["report"],
                                  anonymizer=pipeline)
    next_verdict = next_report.to_dict()["verdict"]
    next_name = "customers_next_month_anonymized.csv"
    if next_report.sufficient_:
        write_table(anon_test, out_dir / next_name)
        print(f"next month's {len(raw_test):,} customers through the saved pipeline: verdict "
              f"sufficient (k = {next_report.to_dict()['anonymized']['k']})")
    else:
        print(f"next month's {len(raw_test):,} customers through the saved pipeline: verdict "
              f"insufficient ({'; '.join(next_verdict['reasons'])}); not written, as "
              f"'{PROG} apply' would refuse it: re-fit on the new month with '{PROG} anonymize'")

    # utility: the same model on raw versus anonymized features
    raw_train = pd.read_csv(raw_path)
    features = ["zipcode", "birthdate", "sex", "income", "purchases"]

    def raw_features(frame):
        f = frame[features].copy()
        age = (pd.Timestamp("2024-01-01") - pd.to_datetime(f["birthdate"])).dt.days / 365.25
        f["birthdate"] = age
        f["age2"] = (age - 50) ** 2  # the interests rise and fall with age
        f["income"] = np.log1p(f["income"])
        f["zipcode"] = (f["zipcode"] // 100).astype(str)  # ZIP3 as a category
        return f

    acc_raw, auc_raw = _model_scores(raw_features(raw_train), raw_features(raw_test),
                                     raw_train["golf"], raw_test["golf"])
    acc_anon, auc_anon = _model_scores(anonymized[features], anon_test[features],
                                       raw_train["golf"], raw_test["golf"])
    base = max(raw_test["golf"].mean(), 1 - raw_test["golf"].mean())
    print(f"model predicting 'golf' on {', '.join(features)} "
          f"(logistic regression, {len(raw_test):,} held-out customers):")
    print(f"  trained on raw data:        accuracy {acc_raw:.3f}, ROC AUC {auc_raw:.3f}")
    print(f"  trained on anonymized data: accuracy {acc_anon:.3f}, ROC AUC {auc_anon:.3f}")
    print(f"  (majority class alone: accuracy {base:.3f})")
    print(f"outputs in {out_dir}:")
    for name in ("customers.csv", "policy.toml", "customers_anonymized.csv", "pipeline.joblib",
                 "report.html", "customers_next_month.csv", next_name, "demo.key"):
        if (out_dir / name).is_file():
            print(f"  {out_dir / name}")
    key_env = (f"{DEMO_KEY_VARIABLE}=$(cat {key_file}) " if key_file is not None else "")
    print(f"next: {key_env}{PROG} anonymize {raw_path} --policy {policy_path} -o OUT.csv "
          f"--report report.md")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0
