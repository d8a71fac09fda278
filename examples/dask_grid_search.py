"""Grid-search k and epsilon on a Dask cluster, then anonymize a Dask DataFrame.
=============================================================================

    python examples/dask_grid_search.py [--output-dir DIR] [--n-samples N]

1. A ``distributed.LocalCluster`` (2 worker processes) stands in for a real
   cluster; on one, pass its scheduler address to ``Client`` instead.
2. A Pipeline anonymizes a customer table (Mondrian k-anonymity on ZIP code
   and income, Laplace noise on the purchase count, a pseudonym for the
   e-mail, dropped) in front of a classifier; ``GridSearchCV`` tries every
   ``k`` x ``epsilon`` pair, with its cross-validation fits run on the
   cluster's workers through joblib's Dask backend
   (``joblib.parallel_backend("dask")``).  Accuracy and the k of the
   released quasi-identifiers are scored side by side.  The noise step
   spends on a :class:`~sklearn_anon.SharedAccountant`, so the workers'
   releases reach the budget of this process (a plain or the default
   accountant is refused in worker processes), and
   :func:`~sklearn_anon.privacy_budget` reports the composition of the
   whole search (candidates x folds + refit), not one release.
3. The best pipeline's anonymizing step is applied to next month's table as
   a Dask DataFrame, partition by partition
   (:func:`sklearn_anon.dask.transform_dask`, fresh secure noise in every
   partition), and the k of the release is measured with a distributed
   count (:func:`sklearn_anon.dask.k_anonymity_dask`): new rows routed to
   the regions learnt on the training rows need not reach k (see
   ``benchmarks/bench_dask.py`` for :func:`~sklearn_anon.dask.fit_mondrian_dask`,
   which guarantees k on the full data).
"""

import time

import dask.dataframe as dd
import joblib
import pandas as pd
from _output import parse_args
from distributed import Client, LocalCluster
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_anon import LaplaceNoise, MondrianAnonymizer, SharedAccountant, privacy_budget
from sklearn_anon.dask import k_anonymity_dask, transform_dask
from sklearn_anon.datasets import make_customers
from sklearn_anon.metrics import make_privacy_scorer

QIS = ["zipcode", "income"]
FEATURES = QIS + ["purchases", "sex"]
TARGET = "travel"


def make_pipeline(accountant):
    anon = ColumnTransformer(
        [
            ("mondrian", MondrianAnonymizer(k=5, quasi_identifiers=QIS, output="midpoint"), QIS),
            ("noise", LaplaceNoise(epsilon=1.0, bounds=(0, 20), accountant=accountant), ["purchases"]),
            ("sex", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["sex"]),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return Pipeline([("anon", anon), ("scale", StandardScaler()),
                     ("model", LogisticRegression(max_iter=300))])


def main(argv=None):
    args = parse_args((__doc__ or "").partition("\n")[0], argv, extra=lambda p: p.add_argument(
        "--n-samples", type=int, default=3000))
    start = time.perf_counter()
    data = make_customers(args.n_samples, random_state=0)
    X, y = data[FEATURES], data[TARGET].astype(int)
    grid = {"anon__mondrian__k": [5, 25, 100], "anon__noise__epsilon": [0.5, 2.0, 8.0]}
    scoring = {
        "accuracy": "accuracy",
        "k": make_privacy_scorer("k", step="anon__mondrian", quasi_identifiers=QIS),
    }
    accountant = SharedAccountant()  # worker processes spend on this process's budget
    search = GridSearchCV(make_pipeline(accountant), grid, scoring=scoring, refit="accuracy", cv=3, n_jobs=-1)

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=":0", silence_logs=40) as cluster, Client(cluster) as client:
        print(f"cluster: {len(client.scheduler_info()['workers'])} workers")
        with joblib.parallel_backend("dask"):
            search.fit(X, y)
        res = pd.DataFrame(search.cv_results_)
        table = res[["param_anon__mondrian__k", "param_anon__noise__epsilon",
                     "mean_test_accuracy", "mean_test_k"]].rename(columns=lambda c: c.replace(
                         "param_anon__", "").replace("mondrian__", "").replace("noise__", ""))
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"best: {search.best_params_} accuracy {search.best_score_:.3f}")
        budget = privacy_budget(search)
        print(f"privacy: each record went through {budget.search['releases']} noised releases "
              f"(epsilon {budget.epsilon:.1f} per record); the accountant recorded "
              f"{len(accountant)} transform calls, epsilon {accountant.total()[0]:.1f}")
        table.to_csv(args.output_dir / "dask_grid_search.csv", index=False)

        # next month's table, as a Dask DataFrame, anonymized by the chosen step
        anon = search.best_estimator_.named_steps["anon"]
        next_month = dd.from_pandas(make_customers(args.n_samples, random_state=1)[FEATURES],
                                    npartitions=4)
        released = transform_dask(anon, next_month)  # random_state=None: secure noise per partition
        k = k_anonymity_dask(released, QIS)
        print(f"next month: {len(released)} rows in {released.npartitions} partitions, "
              f"k = {k} (fitted k = {search.best_params_['anon__mondrian__k']} on the training rows)")
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
