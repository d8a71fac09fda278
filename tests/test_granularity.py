"""granularity_loss: ARX's reported loss along hierarchies, on hand-computed cases and Adult."""

import numpy as np
import pandas as pd
import pytest

from sklearn_anon import FullDomainAnonymizer
from sklearn_anon.metrics import granularity_loss, ncp

EDU = {"Bachelors": ["Higher", "*"], "Masters": ["Higher", "*"],
       "HS-grad": ["Secondary", "*"], "11th": ["Secondary", "*"]}


def test_hand_computed_shares_then_normalised():
    a = pd.DataFrame({0: ["x", "y", "z", "w"], 1: ["xy", "xy", "z", "w"], 2: ["*"] * 4})
    b = pd.DataFrame({0: ["1", "2"], 1: ["1-2", "1-2"], 2: ["*", "*"]})
    released = pd.DataFrame({"a": ["xy", "xy", "{z, w}", "*"], "b": ["[1, 2]", "1", "1-2", np.nan]})
    loss, shares = granularity_loss(released, {"a": a, "b": b}, return_per_column=True)
    assert shares.to_dict() == pytest.approx({"a": (2 + 2 + 2 + 4) / 4 / 4,
                                              "b": (2 + 1 + 2 + 2) / 4 / 2})
    low = (1 / 4 + 1 / 2) / 2
    assert loss == pytest.approx(((shares["a"] + shares["b"]) / 2 - low) / (1 - low))


def test_raw_table_scores_zero_and_full_suppression_one():
    raw = pd.DataFrame({"edu": list(EDU)})
    assert granularity_loss(raw, {"edu": EDU}) == 0.0
    assert granularity_loss(pd.DataFrame({"edu": ["*"] * 4}), {"edu": EDU}) == 1.0


def test_numeric_column_reads_values_and_intervals():
    ages = {str(a): [f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"] for a in range(20, 40)}
    released = pd.DataFrame({"age": [25, 31, 20, 39]})
    assert granularity_loss(released, {"age": ages}) == 0.0
    banded = pd.DataFrame({"age": ["[20, 30)", "[30, 40)", "20-29", "[20, 25]"]})
    _, share = granularity_loss(banded, {"age": ages}, return_per_column=True)
    assert share["age"] == pytest.approx((10 + 10 + 10 + 6) / 4 / 20)


def test_unexplained_label_is_refused_without_quoting_it():
    with pytest.raises(ValueError, match="'edu'") as info:
        granularity_loss(pd.DataFrame({"edu": ["PhD-secret"]}), {"edu": EDU})
    assert "PhD-secret" not in str(info.value)
    with pytest.raises(ValueError, match="no hierarchy"):
        granularity_loss(pd.DataFrame({"edu": ["*"], "x": [1]}), {"edu": EDU}, ["edu", "x"])


def test_ncp_uses_a_hierarchy_on_a_numeric_column():
    ages = {str(a): [f"{a // 10 * 10}-{a // 10 * 10 + 9}", "*"] for a in range(20, 40)}
    raw = pd.DataFrame({"age": np.arange(20, 40)})
    released = pd.DataFrame({"age": ["20-29"] * 10 + ["{30-39}"] * 9 + ["*"]})
    # a decade covers 10 of the 20 values: (10 - 1) / (20 - 1) per cell, "*" 1
    assert ncp(raw, released, hierarchies={"age": ages}) == pytest.approx((19 * 9 / 19 + 1) / 20)


@pytest.mark.parametrize("supp", [0.0, 0.02])
def test_equals_full_domain_granularity_on_adult(adult_dir, supp):
    """The release's loss read back from its labels is the search's own figure."""
    data = pd.read_csv(adult_dir / "adult.csv", sep=";")
    qis = ["sex", "age", "race", "marital-status", "education", "native-country",
           "workclass", "occupation", "salary-class"]
    hier = {q: adult_dir / f"adult_hierarchy_{q}.csv" for q in qis}
    est = FullDomainAnonymizer(hier, k=5, suppression_limit=supp)
    out = est.fit_transform(data)
    assert granularity_loss(out, hier, qis) == pytest.approx(est.granularity_, abs=1e-12)
