"""The public API as a user's code calls it, checked by mypy (tests/test_typing.py).

Nothing here runs: mypy reads these functions (``[tool.mypy]`` in
pyproject.toml checks this file strictly: every call must reach an annotated
function, every ``assert_type`` must hold).  pytest imports the module while
collecting doctests, so it holds only definitions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from typing_extensions import assert_type

    from sklearn_anon import (
        PRAM,
        ColumnObfuscator,
        DateGeneralizer,
        DPCountEncoder,
        DPGroupMeanEncoder,
        DPKBinsDiscretizer,
        DPLogisticRegression,
        DPSynthesizer,
        FakeReplacer,
        FullDomainAnonymizer,
        GaussianNoise,
        Hierarchy,
        HierarchyGeneralizer,
        IntervalGeneralizer,
        KeyedAssigner,
        LaplaceNoise,
        LocalSuppressor,
        Microaggregator,
        MondrianAnonymizer,
        PIIDetector,
        PrefixGeneralizer,
        PrivacyBudget,
        Pseudonymizer,
        RandomizedResponse,
        RareCategoryGrouper,
        SharedAccountant,
        TextRedactor,
        TopBottomCoder,
        date_hierarchy,
        detect_pii,
        dp_histogram,
        estimate_frequencies,
        filter_outlier_rows,
        interval_hierarchy,
        load_hierarchy,
        make_fake_pii,
        masking_hierarchy,
        ordered_grouping,
        outlier_bounds,
        privacy_budget,
    )
    from sklearn_anon import cli, dask, datasets, metrics, policy


def generalize(X: pd.DataFrame, ages: np.ndarray) -> None:
    gen = IntervalGeneralizer(n_bins=4, strategy="uniform", columns=["age"])
    assert_type(gen.fit(X), IntervalGeneralizer)
    out = gen.fit_transform(X)
    assert_type(out, "pd.DataFrame | np.ndarray")
    assert_type(gen.bin_edges_, "dict[Any, np.ndarray]")
    DateGeneralizer(unit="age", reference_date="2024-01-01").fit(X).transform(X)
    PrefixGeneralizer(n=3, mode="prefix", unseen="keep").fit_transform(X)
    RareCategoryGrouper(min_count=5, other_label="OTHER").fit_transform(X)
    TopBottomCoder(lower={"age": 18.0}, upper_quantile=0.99).fit_transform(X)
    hierarchy = interval_hierarchy(ages, widths=[5, 10], labels="arx")
    assert_type(hierarchy, Hierarchy)
    assert_type(hierarchy.n_levels, int)
    assert_type(hierarchy.generalize(ages, 1), "pd.Categorical")
    masking_hierarchy(["02139", "02141"], levels=[1, 2])
    date_hierarchy(start="2020-01-01", end="2021-01-01", levels=("month", "year"))
    ordered_grouping(["low", "mid", "high"], [2, 1])
    load_hierarchy({"a": ["x", "*"]}, name="letters")
    HierarchyGeneralizer({"zip": hierarchy}, levels={"zip": 1}).fit(X)
    assert_type(outlier_bounds(ages, method="iqr"), "tuple[float, float]")
    filter_outlier_rows(X, columns=["age"], method="zscore", factor=3.0)


def kanonymity(X: pd.DataFrame, hierarchies: dict[str, Hierarchy]) -> None:
    mondrian = MondrianAnonymizer(k=5, l=2, quasi_identifiers=["age", "zip"], sensitive="disease")
    assert_type(mondrian.fit(X), MondrianAnonymizer)
    assert_type(mondrian.regions_, "pd.DataFrame")
    mondrian.transform(X)
    FullDomainAnonymizer(hierarchies, k=3, suppression_limit=0.05, loss="granularity").fit_transform(X)
    LocalSuppressor(["age", "zip"], k=2, importance={"age": 1.0}).fit_transform(X)


def dp(X: pd.DataFrame, y: np.ndarray, counts: np.ndarray) -> None:
    budget = SharedAccountant(epsilon=3.0)
    LaplaceNoise(epsilon=1.0, bounds=(0.0, 100.0), accountant=budget).fit_transform(X)
    GaussianNoise(epsilon={"age": 0.5}, delta=1e-6, missing="impute").fit_transform(X)
    RandomizedResponse(epsilon=2.0, categories=["a", "b"], random_state=0).fit_transform(X)
    DPKBinsDiscretizer(n_bins=4, bounds={"age": (0.0, 100.0)}).fit_transform(X)
    DPCountEncoder(columns=["zip"], epsilon=1.0, random_state="secure").fit_transform(X)
    DPGroupMeanEncoder(epsilon=1.0, bounds=(0.0, 1.0), columns=["zip"]).fit(X, y).transform(X)
    clf = DPLogisticRegression(epsilon=1.0, data_norm=5.0).fit(X, y)
    assert_type(clf, DPLogisticRegression)
    assert_type(clf.predict_proba(X), "np.ndarray")
    assert_type(privacy_budget(clf), PrivacyBudget)
    assert_type(dp_histogram(X, "zip", epsilon=1.0), "pd.DataFrame")
    estimate_frequencies(counts, 1.0)


def identifiers(X: pd.DataFrame) -> None:
    Pseudonymizer(key="env:KEY", method="blake2b", length=16, columns=["name"]).fit_transform(X)
    KeyedAssigner(["A", "B"], key=b"k" * 32).fit(X).transform(X)
    FakeReplacer(key="env:KEY", kind={"name": "name"}).fit_transform(X)
    TextRedactor(kinds=["EMAIL"], on_non_text="convert").fit_transform(X)
    names = ColumnObfuscator(key="env:KEY").fit(X).get_feature_names_out()
    assert_type(names, "np.ndarray")
    PIIDetector(ignore=["id"]).fit_transform(X)
    assert_type(detect_pii(X, sample_size=100), "pd.DataFrame")


def sdc_synthetic(X: pd.DataFrame) -> None:
    Microaggregator(columns=["age"], k=3, method="univariate").fit_transform(X)
    pram = PRAM(columns=["zip"], p=0.8, random_state=0).fit(X)
    assert_type(pram.estimate_frequencies(X), "dict[Any, pd.Series]")
    synth = DPSynthesizer(epsilon=1.0, random_state=0).fit(X)
    assert_type(synth.sample(100), "pd.DataFrame | np.ndarray")
    make_fake_pii([{"name": "x"}], random_state=0)


def measures(X: pd.DataFrame, released: pd.DataFrame) -> None:
    assert_type(metrics.k_anonymity(released, ["age", "zip"]), int)
    assert_type(metrics.l_diversity(released, "age", "disease", kind="entropy"), float)
    assert_type(metrics.record_risk(released, ["age"]), "pd.Series")
    assert_type(metrics.ncp(X, released, ["age"]), float)
    assert_type(metrics.ncp(X, released, ["age"], return_per_column=True),
                "tuple[float, pd.Series]")
    assert_type(metrics.granularity_loss(released, {"age": "age.csv"}), float)
    assert_type(metrics.granularity_loss(released, {"age": "age.csv"}, return_per_column=True),
                "tuple[float, pd.Series]")
    metrics.risk_summary(released, ["age"], k=5)
    metrics.suda_scores(released, ["age", "zip"], max_size=2)
    scorer = metrics.make_privacy_scorer("k_anonymity", quasi_identifiers=["age"])
    report = metrics.PrivacyReport(X, released, ["age"], sensitive="disease", k=5)
    assert_type(report.to_markdown(), str)
    assert_type(report.to_dict(), "dict[str, Any]")
    audit = metrics.dcr_membership_audit(released, X, X, n_bootstrap=10)
    assert_type(audit.to_frame(), "pd.DataFrame")
    del scorer


def faces(X: pd.DataFrame) -> None:
    pol = policy.load_policy("policy.toml")
    assert_type(pol, policy.Policy)
    assert_type(pol.output_columns(["a", "b"]), "list[str]")
    assert_type(datasets.make_customers(100, random_state=0), "pd.DataFrame")
    assert_type(datasets.load_adult("adult"), "pd.DataFrame")
    assert_type(datasets.load_adult("adult", return_X_y=True), "tuple[pd.DataFrame, pd.Series]")
    assert_type(cli.main(["--version"]), int)
    # the return follows the digest flag (overloads), the key is a reference or its bytes
    assert_type(cli.write_table(X, "out.csv"), int)
    assert_type(cli.write_table(X, "out.csv", key="env:KEY", digest=True), "tuple[int, str]")
    anonymized, report, info = cli.run_anonymize("in.csv", "policy.toml", "out.csv", progress=True)
    assert_type(report, "metrics.PrivacyReport | None")
    assert_type(dask.partition_seeds(0, 4), "list[np.random.SeedSequence] | None")
