"""PrivacyReport: verdict, dict/Markdown/HTML rendering (metrics._report)."""

import base64
import importlib.util
import json
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_anon import MondrianAnonymizer
from sklearn_anon.datasets import make_customers
from sklearn_anon.metrics import PrivacyReport, k_anonymity, sample_uniqueness

QIS = ["zipcode", "sex", "birthdate", "income"]
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "render_report.py"


@pytest.fixture(scope="module")
def customers():
    table = make_customers(1500, random_state=0)
    raw = table[QIS + ["purchases"]]
    anon = MondrianAnonymizer(k=10, quasi_identifiers=QIS).fit_transform(raw)
    return table, raw, anon


@pytest.fixture(scope="module")
def report(customers):
    _, raw, anon = customers
    return PrivacyReport(raw, anon, QIS, sensitive="purchases", k=10)


class _Structure(HTMLParser):
    """Tags, ids, table rows and external references of a page."""

    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.external, self.images = [], set(), [], []
        self.rows = {}
        self._table = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "table":
            self._table = attrs.get("id")
            self.rows[self._table] = 0
        if tag == "tr" and self._table is not None:
            self.rows[self._table] += 1
        for key in ("src", "href"):
            value = attrs.get(key)
            if value and not value.startswith("data:"):
                self.external.append(value)
        if tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        self.text.append(data)


def test_verdicts_raw_insufficient_anonymized_sufficient(customers, report):
    _, raw, anon = customers
    raw_report = PrivacyReport(raw, raw, QIS, sensitive="purchases", k=10)
    assert not raw_report.sufficient_
    assert any("uniqueness" in r for r in raw_report.to_dict()["verdict"]["reasons"])
    assert any("linkage" in r for r in raw_report.to_dict()["verdict"]["reasons"])
    assert report.sufficient_
    d = report.to_dict()
    assert d["verdict"]["label"] == "sufficient" and d["verdict"]["reasons"] == []
    assert d["anonymized"]["k"] == k_anonymity(anon, QIS) >= 10
    assert d["anonymized"]["sample_uniqueness"] == sample_uniqueness(anon, QIS) == 0.0
    assert d["original"]["sample_uniqueness"] == sample_uniqueness(raw, QIS) > 0.9
    assert d["anonymized"]["linkage_reidentification_rate"] == 0.0
    assert d["original"]["linkage_reidentification_rate"] == pytest.approx(
        d["original"]["sample_uniqueness"]
    )
    assert d["anonymized"]["l_distinct"] >= 1 and 0 <= d["anonymized"]["t"] <= 1
    assert 0 < d["information_loss"]["ncp"] <= 1
    assert set(d["per_column"]) == set(QIS)
    json.dumps(d)  # plain Python types
    # stricter thresholds turn the verdict
    strict = PrivacyReport(raw, anon, QIS, k=10, min_k=50)
    assert not strict.sufficient_ and "below the required 50" in strict.to_dict()["verdict"]["reasons"][0]


def test_identifier_columns_in_the_release_fail_the_verdict_unless_allowed(customers):
    table, raw, anon = customers
    released = anon.assign(email=table["email"].to_numpy())
    base = PrivacyReport(raw, anon, QIS, k=10)
    assert base.sufficient_
    rep = PrivacyReport(raw.assign(email=table["email"]), released, QIS, k=10)
    assert rep.to_dict()["identifier_columns"] == ["email"]
    assert not rep.sufficient_ and "'email'" in rep.to_dict()["verdict"]["reasons"][0]
    failed = [r for r in rep.requirements_ if not r["passed"]]
    assert [r["measure"] for r in failed] == ["identifier_columns"]
    allowed = PrivacyReport(raw.assign(email=table["email"]), released, QIS, k=10,
                            allowed_identifiers=["email"])
    assert allowed.sufficient_ and "email" in allowed.to_dict()["verdict"]["warnings"][0]
    assert "warning" in allowed.to_markdown() and "| no identifying column | 0 | pass |" in allowed.to_markdown()


def test_the_verdict_lists_every_declared_requirement(customers):
    # issue 15.1: k, l, t, uniqueness, linkage and homogeneity each enter the
    # verdict with their measured value; k defaults to the report's k (a k=1
    # release is never "sufficient")
    table, raw, anon = customers
    raw = raw.assign(purchases=table["purchases"].to_numpy())
    anon = anon.assign(purchases=table["purchases"].to_numpy())
    loose = PrivacyReport(raw, anon, QIS, "purchases", k=10)
    assert [r["measure"] for r in loose.requirements_] == [
        "k", "sample_uniqueness", "linkage_reidentification_rate", "identifier_columns"]
    measured = loose.to_dict()["anonymized"]
    strict = PrivacyReport(raw, anon, QIS, "purchases", k=10, min_l=measured["l_distinct"] + 1,
                           max_t=measured["t"] / 2, max_homogeneity=0.0)
    by_measure = {r["measure"]: r for r in strict.requirements_}
    assert not by_measure["l_distinct"]["passed"] and by_measure["l_distinct"]["measured"] == measured["l_distinct"]
    assert not by_measure["t"]["passed"] and by_measure["t"]["measured"] == measured["t"]
    assert by_measure["homogeneity"]["passed"] == (measured["homogeneity"] == 0.0)
    assert by_measure["k"]["passed"] and not strict.sufficient_
    assert len(strict.to_dict()["verdict"]["reasons"]) == sum(not r["passed"] for r in strict.requirements_)
    md = strict.to_markdown()
    assert "| l (distinct) \u2265 " in md and "| t \u2264 " in md and "FAIL" in md
    # the raw table itself: k=1, never sufficient, whatever the uniqueness limit
    raw_rep = PrivacyReport(raw, raw, QIS, k=5, max_uniqueness=1.0, max_reidentification=1.0)
    assert raw_rep.to_dict()["anonymized"]["k"] == 1 and not raw_rep.sufficient_
    with pytest.raises(ValueError, match="need.*sensitive"):
        PrivacyReport(raw, anon, QIS, k=10, min_l=2)


def test_markdown(report):
    md = report.to_markdown()
    lines = md.splitlines()
    assert lines[0] == "# Privacy report"
    assert "**Verdict: SUFFICIENT**" in md
    for section in ("## Privacy", "## Information loss", "## Per column"):
        assert section in lines
    table = [ln for ln in lines if ln.startswith("| k (smallest class)")]
    assert table and table[0].count("|") == 4
    assert all(f"| {q} |" in md for q in QIS)


def test_html_is_self_contained_with_plots(customers, report, tmp_path):
    table, _, _ = customers
    path = tmp_path / "report.html"
    page = report.to_html(path)
    assert path.read_text(encoding="utf-8") == page
    parsed = _Structure()
    parsed.feed(page)
    assert parsed.external == []  # no link, script or image fetched from elsewhere
    assert "script" not in parsed.tags
    assert {"verdict", "privacy", "loss", "columns"} <= parsed.ids
    assert parsed.rows["columns"] == len(QIS) + 1
    assert parsed.rows["privacy"] >= 12
    assert len(parsed.images) == 3
    for src in parsed.images:
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # aggregate figures only: no cell value of the tables appears
    for value in table["name"].head(50).tolist() + table["email"].head(50).tolist():
        assert value not in page
    assert report._repr_html_() == page


def test_html_without_matplotlib(report, monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    page = report.to_html()
    parsed = _Structure()
    parsed.feed(page)
    assert parsed.images == []
    assert "Plots need matplotlib" in page
    assert {"verdict", "privacy", "loss", "columns"} <= parsed.ids
    assert "<img" not in report.to_html(plots=False)


def test_html_escapes_column_names():
    raw = pd.DataFrame({"<b>age</b>": [20, 21, 22, 23], "sex": ["F", "F", "M", "M"]})
    anon = raw.assign(**{"<b>age</b>": ["[20, 22)"] * 2 + ["[22, 24)"] * 2})
    page = PrivacyReport(raw, anon, ["<b>age</b>", "sex"], k=2, title="<script>x</script>").to_html(
        plots=False
    )
    assert "<b>age</b>" not in page and "&lt;b&gt;age&lt;/b&gt;" in page
    assert "<script>" not in page


def test_report_renders_in_headless_chromium(tmp_path):
    spec = importlib.util.spec_from_file_location("render_report", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if module.find_chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    _, _, report = module.build_report(rows=800, k=10)
    html_path = tmp_path / "report.html"
    report.to_html(html_path)
    png = tmp_path / "report.png"
    assert module.screenshot(html_path, png, height=1800)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1100, 1800)
    # the page is not blank: the screenshot holds many distinct colours
    pytest.importorskip("matplotlib")
    import matplotlib.image as mpimg

    pixels = mpimg.imread(png)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1])[::97], axis=0)) > 20


def test_bad_input(customers):
    _, raw, anon = customers
    with pytest.raises(ValueError, match="nope"):
        PrivacyReport(raw, anon, QIS + ["nope"])
    with pytest.raises(ValueError, match="empty"):
        PrivacyReport(raw.iloc[:0], anon.iloc[:0], QIS)
    with pytest.raises(ValueError, match="both"):
        PrivacyReport(raw, anon, QIS, sensitive="sex")
    with pytest.raises(ValueError, match="same records"):
        PrivacyReport(raw, anon.iloc[:10], QIS)
    with pytest.raises(ValueError, match="max_uniqueness"):
        PrivacyReport(raw, anon, QIS, max_uniqueness=0)
    with pytest.raises(ValueError, match="k must be"):
        PrivacyReport(raw, anon, QIS, k=0)


# -- the utility measures the report is made of ----------------------------------------


def test_entropy_loss_by_hand():
    from sklearn_anon.metrics import entropy_loss

    raw = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["x", "x", "y", "y"]})
    same = entropy_loss(raw, raw)
    assert same["lost_bits"].tolist() == [0.0, 0.0]
    assert same["entropy_bits"].tolist() == [2.0, 1.0]
    everything = entropy_loss(raw, pd.DataFrame({"a": ["*"] * 4, "b": ["*"] * 4}))
    assert everything["loss"].tolist() == [1.0, 1.0]
    halves = entropy_loss(raw[["a"]], pd.DataFrame({"a": ["lo", "lo", "hi", "hi"]}))
    assert halves.loc["a", "lost_bits"] == pytest.approx(1.0)


def test_distribution_distance():
    from scipy.stats import wasserstein_distance

    from sklearn_anon.metrics import distribution_distance

    rng = np.random.default_rng(0)
    age = rng.integers(20, 60, 400)
    city = rng.choice(["A", "B", "C", "D"], 400, p=[0.4, 0.3, 0.2, 0.1])
    raw = pd.DataFrame({"age": age, "city": city})
    lo = age // 10 * 10
    anon = pd.DataFrame({
        "age": [f"[{a}, {a + 10})" for a in lo],
        "city": np.where(np.isin(city, ["A", "B"]), "{A, B}", city),
    })
    d = distribution_distance(raw, anon)
    assert d.loc["age", "measure"] == "wasserstein"
    assert d.loc["age", "distance"] == pytest.approx(wasserstein_distance(age, lo + 5))
    assert d.loc["age", "normalized"] == pytest.approx(d.loc["age", "distance"] / np.ptp(age))
    # {A, B} spreads its records evenly over A and B: TVD = |p_A - (p_A + p_B) / 2|
    p = pd.Series(city).value_counts(normalize=True)
    assert d.loc["city", "distance"] == pytest.approx(abs(p["A"] - (p["A"] + p["B"]) / 2))
    assert distribution_distance(raw, raw)["distance"].tolist() == [0.0, 0.0]
    hierarchy = {"A": ["AB"], "B": ["AB"], "C": ["CD"], "D": ["CD"]}
    nodes = raw.assign(city=np.where(np.isin(city, ["A", "B"]), "AB", "CD"))
    h = distribution_distance(raw, nodes, ["city"], hierarchies={"city": hierarchy})
    assert h.loc["city", "distance"] == pytest.approx(
        abs(p["A"] - p["B"]) / 2 + abs(p["C"] - p["D"]) / 2
    )


def test_correlation_drift():
    from sklearn_anon.metrics import correlation_drift

    rng = np.random.default_rng(0)
    x = rng.normal(size=500)
    raw = pd.DataFrame({"x": x, "y": 2 * x + rng.normal(scale=0.1, size=500), "s": "a"})
    assert correlation_drift(raw, raw)["max"] == 0.0
    shuffled = raw.assign(y=rng.permutation(raw["y"].to_numpy()))
    drift = correlation_drift(raw, shuffled)
    assert drift["max"] > 0.8 and list(drift["difference"].columns) == ["x", "y"]
    with pytest.raises(ValueError, match="same records"):
        correlation_drift(raw, raw.iloc[:3])


# -- custom labels: income classes, ZIP3 / OTHER, age bands from the birth date ------------


@pytest.fixture(scope="module")
def custom_release():
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline

    from sklearn_anon import DateGeneralizer, IntervalGeneralizer, PrefixGeneralizer, RareCategoryGrouper

    table = make_customers(400, random_state=5)
    raw = table[QIS + ["purchases"]]
    ct = ColumnTransformer(
        [
            ("income", IntervalGeneralizer(bins=[0, 25_000, 60_000, 120_000, np.inf],
                                           labels=["<25k", "Lower", "Middle", "Upper"],
                                           right=False), ["income"]),
            ("zip", make_pipeline(PrefixGeneralizer(n=3, width=5),
                                  RareCategoryGrouper(min_count=10)), ["zipcode"]),
            ("age", DateGeneralizer(unit="age", reference_date="2024-01-01",
                                    bins=[18, 30, 45, 60, 75, 120]), ["birthdate"]),
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    anon = ct.fit_transform(raw)[raw.columns]
    return raw, anon, ct


def test_report_without_the_anonymizer_lists_what_it_could_not_read(custom_release):
    raw, anon, _ = custom_release
    with pytest.warns(UserWarning, match="lower bound"):
        rep = PrivacyReport(raw, anon, QIS, k=5)
    d = rep.to_dict()
    li = d["linkage_interpretation"]
    assert li["anonymizer"] is False and li["lower_bound"] is True
    assert set(li["uninterpreted_columns"]) == {"zipcode", "birthdate", "income"}
    assert any("lower bound" in w for w in d["verdict"]["warnings"])
    # the labels are not counted as suppression, nor as a total loss
    for col in ("zipcode", "birthdate", "income"):
        assert d["per_column"][col]["ncp"] is None
        assert d["per_column"][col]["suppressed"] == 0.0
    assert d["per_column"]["income"]["unreadable"] == 1.0
    assert d["information_loss"]["ncp"] is None
    assert set(d["information_loss"]["ncp_unknown_columns"]) == {"zipcode", "birthdate", "income"}
    md = rep.to_markdown()
    assert "lower bound" in md and "could not interpret" in md
    assert "| income | unknown |" in md
    page = rep.to_html(plots=False)
    parsed = _Structure()
    parsed.feed(page)
    assert "interpretation" in parsed.ids and "lower bound" in page
    json.dumps(d)


def test_report_with_the_anonymizer_links_on_generalized_values(custom_release):
    raw, anon, ct = custom_release
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # everything interpreted: no warning
        rep = PrivacyReport(raw, anon, QIS, k=5, anonymizer=ct)
    d = rep.to_dict()
    assert d["linkage_interpretation"]["anonymizer"] is True
    assert d["linkage_interpretation"]["lower_bound"] is False
    # the attacker holds every raw record: the records unique on the
    # generalized QIs are exactly the ones re-identified
    unique = anon.groupby(QIS, observed=True)["sex"].transform("size").to_numpy() == 1
    assert d["anonymized"]["linkage_reidentification_rate"] == pytest.approx(unique.mean())
    assert d["anonymized"]["linkage_reidentification_rate"] == pytest.approx(
        d["anonymized"]["sample_uniqueness"])
    assert d["anonymized"]["linkage_reidentification_rate"] > 0
    # NCP of the income classes from the fitted bins, clipped to the domain
    lo, hi = raw["income"].min(), raw["income"].max()
    edges = np.array([0, 25_000, 60_000, 120_000, np.inf])
    b = np.searchsorted(edges, raw["income"].to_numpy(), side="right") - 1
    width = np.minimum(edges[b + 1], hi) - np.maximum(edges[b], lo)
    assert d["per_column"]["income"]["ncp"] == pytest.approx(np.mean(width / (hi - lo)))
    for col in QIS:
        assert 0 <= d["per_column"][col]["ncp"] < 1
    assert 0 < d["information_loss"]["ncp"] < 1
    assert "generalized with the fitted anonymizer" in rep.to_markdown()


# -- distribution distance: labels of numeric columns, open interval ends ------------------


def _zip3(table):
    """A ZIP3 generalizer as a callable anonymizer: 2139 -> "021"."""
    return pd.DataFrame({"zip": table["zip"].astype(str).str.zfill(5).str[:3]},
                        index=table.index)


def test_distribution_distance_of_zip3_labels_is_categorical_or_unknown():
    from sklearn_anon.metrics import distribution_distance, information_loss

    raw = pd.DataFrame({"zip": [2139, 2139, 2140, 2141, 85001, 85002]})
    anon = _zip3(raw)  # "021" x 4, "850" x 2: not numbers 21 and 850
    unknown = distribution_distance(raw, anon)
    assert unknown.loc["zip", "measure"] == "tvd"
    assert np.isnan(unknown.loc["zip", "distance"]) and np.isnan(unknown.loc["zip", "normalized"])
    assert unknown.loc["zip", "unreadable"] == 1.0 and unknown.loc["zip", "suppressed"] == 0.0
    # with the anonymizer: "021" spreads 4/6 over {2139, 2140, 2141} (2/9 each),
    # "850" 2/6 over {85001, 85002} (1/6 each); original 2/6, 1/6, 1/6, 1/6, 1/6
    known = distribution_distance(raw, anon, anonymizer=_zip3)
    expected = 0.5 * (abs(2 / 6 - 2 / 9) + 2 * abs(1 / 6 - 2 / 9))
    assert expected == pytest.approx(1 / 9)
    assert known.loc["zip", "measure"] == "tvd"
    assert known.loc["zip", "distance"] == pytest.approx(expected)
    assert known.loc["zip", "unreadable"] == 0.0
    # the summary is unknown without the anonymizer, not a mean over the other columns
    loss = information_loss(raw.assign(s=["a"] * 6), anon.assign(s=["a"] * 6), ["zip", "s"])
    assert np.isnan(loss["distribution_distance"])
    assert loss["distribution_distance_unknown_columns"] == ["zip"]
    loss = information_loss(raw, anon, ["zip"], anonymizer=_zip3)
    assert loss["distribution_distance"] == pytest.approx(expected)
    assert loss["distribution_distance_unknown_columns"] == []


def test_distribution_distance_reads_text_numbers_of_the_domain_as_numbers():
    from sklearn_anon.metrics import distribution_distance

    raw = pd.DataFrame({"age": [30, 40, 50]})
    # "30" and "50" are values of the column; "[35, 45)" reads at 40
    d = distribution_distance(raw, pd.DataFrame({"age": ["30", "[35, 45)", "50"]}))
    assert d.loc["age", "measure"] == "wasserstein" and d.loc["age", "distance"] == 0.0
    # "030" (leading zero) and "31" (no value of the column) are labels
    for label in ("030", "31"):
        d = distribution_distance(raw, pd.DataFrame({"age": [label, "[35, 45)", "50"]}))
        assert np.isnan(d.loc["age", "distance"])
        assert d.loc["age", "unreadable"] == pytest.approx(1 / 3)


def test_distribution_distance_clips_open_intervals_to_the_observed_range():
    from sklearn_anon.metrics import distribution_distance

    raw = pd.DataFrame({"income": [10, 20, 70, 90]})
    anon = pd.DataFrame({"income": ["< 30", "(-inf, 30]", ">= 60", "[60, inf)"]})
    # read as [10, 30] -> 20 twice and [60, 90] -> 75 twice (not 30 / 60 or infinities):
    # sorted |10-20| + |20-20| + |70-75| + |90-75| = 30 over 4 records
    d = distribution_distance(raw, anon)
    assert d.loc["income", "distance"] == pytest.approx(7.5)
    assert d.loc["income", "normalized"] == pytest.approx(7.5 / 80)
    # an open interval wholly outside the data reads at its finite bound
    beyond = pd.DataFrame({"income": ["< 30", "< 30", ">= 100", "[100, inf)"]})
    far = distribution_distance(raw, beyond)
    # 20, 20, 100, 100 against 10, 20, 70, 90: (10 + 0 + 30 + 10) / 4
    assert far.loc["income", "distance"] == pytest.approx(12.5)


def test_distribution_distance_with_the_fitted_anonymizer(custom_release):
    from sklearn_anon.metrics import distribution_distance

    raw, anon, ct = custom_release
    without = distribution_distance(raw, anon, ["zipcode", "income", "sex"])
    assert np.isnan(without.loc["zipcode", "distance"])
    assert np.isnan(without.loc["income", "distance"])
    with_ = distribution_distance(raw, anon, ["zipcode", "income", "sex"], anonymizer=ct)
    # brute force: each label's records spread evenly over the raw values mapped to it
    for col in ("zipcode", "income"):
        labels = anon[col].astype(str).to_numpy()
        mapped = ct.transform(raw)[col].astype(str).to_numpy()
        values = raw[col].to_numpy()
        p = pd.Series(values).value_counts(normalize=True)
        q = pd.Series(0.0, index=p.index)
        for lab, share in pd.Series(labels).value_counts(normalize=True).items():
            members = np.unique(values[mapped == lab])
            q[members] += share / len(members)
        assert with_.loc[col, "measure"] == "tvd"
        assert with_.loc[col, "distance"] == pytest.approx(0.5 * (p - q).abs().sum())
        assert 0 < with_.loc[col, "distance"] < 1
    assert with_.loc["sex", "distance"] == without.loc["sex", "distance"] == 0.0


def test_report_per_column_distance_uses_the_anonymizer():
    """A numeric column released as custom labels: unknown without the
    anonymizer, a real distance (equal to distribution_distance's) with it."""
    import warnings

    from sklearn.compose import ColumnTransformer

    from sklearn_anon import IntervalGeneralizer
    from sklearn_anon.datasets import make_customers
    from sklearn_anon.metrics import PrivacyReport, distribution_distance

    df = make_customers(500, random_state=0)[["income", "sex"]]
    ct = ColumnTransformer(
        [
            ("inc", IntervalGeneralizer(bins=[0, 25000, 50000, np.inf],
                                        labels=["low", "mid", "high"], right=False), ["income"]),
            ("sex", "passthrough", ["sex"]),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas").fit(df)
    anon = ct.transform(df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        blind = PrivacyReport(df, anon, quasi_identifiers=["income", "sex"]).to_dict()
        seen = PrivacyReport(df, anon, quasi_identifiers=["income", "sex"], anonymizer=ct).to_dict()
        expected = distribution_distance(df, anon, ["income"], anonymizer=ct)["normalized"]["income"]
    assert blind["per_column"]["income"]["distance"] is None
    assert seen["per_column"]["income"]["unreadable"] == 0.0
    assert seen["per_column"]["income"]["distance"] == pytest.approx(expected)
    assert 0 < seen["per_column"]["income"]["distance"] < 1
