"""The measures on text that UTF-8 cannot carry (issue 12, item 10).

A lone surrogate (``"\\ud800"``) is a valid Python ``str`` that pandas 3's
Arrow-backed ``str`` dtype refuses; ``b"\\xff"`` is not UTF-8.  Every measure
of :mod:`sklearn_anon.metrics` run on a table holding them either works
(distinct values stay distinct) or refuses with one ValueError/TypeError
naming the column, never a raw ``UnicodeError`` (whose message quotes the
character) and never a message holding the planted value.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_anon import metrics
from sklearn_anon.metrics._matching import compatible_counts, match_records

SURROGATE = "SECRET\ud800X"
OTHER = "SECRET\udcffX"
RAW_BYTES = b"SECRET\xffX"
_NORMAL = ["alpha", "beta", "gamma", "delta"]

VARIANTS = ("surrogate", "bytes", "string-dtype", "nul")
NUL_A, NUL_B = "SECRET\x00X", "SECRET\x00Y"  # pandas 2.2 hashed all-str columns as C strings: one value


def _column(variant, n_normal=6):
    """Four common values (``n_normal`` times each), then two planted ones."""
    if variant == "surrogate":  # str only: pandas would infer its Arrow str dtype
        return pd.Series([*_NORMAL * n_normal, SURROGATE, OTHER], dtype=object)
    if variant == "bytes":  # str and bytes mixed, one of them not UTF-8
        return pd.Series([*_NORMAL * n_normal, RAW_BYTES, SURROGATE], dtype=object)
    if variant == "nul":  # distinct after a NUL
        return pd.Series([*_NORMAL * n_normal, NUL_A, NUL_B], dtype=object)
    return pd.Series([*_NORMAL * n_normal, SURROGATE, OTHER], dtype="string[python]")


def _table(variant):
    name = _column(variant)
    n = len(name)
    return pd.DataFrame({
        "name": name,
        "age": np.arange(n) % 5 + 30,
        "disease": _column(variant).iloc[::-1].reset_index(drop=True),
    })


def _clean(message):
    return "SECRET" not in message and "\ud800" not in message and "\udcff" not in message


def _run(call):
    """``call()``; a ValueError/TypeError must name a column and no value.

    Returns the result, or None when the call refused cleanly.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return call()
        except UnicodeError:
            raise
        except (ValueError, TypeError) as exc:
            message = str(exc)
            assert _clean(message), "the error message quotes a planted value"
            assert "'name'" in message or "'disease'" in message, f"no column named: {message}"
            return None


def _generalized(X):
    """The released table: age as intervals, name and disease kept (a worst case)."""
    out = X.copy()
    out["age"] = np.where(X["age"] < 32, "[30, 32)", "[32, 35)")
    return out


QI = ["name", "age"]


# -- privacy models -----------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_privacy_models(variant):
    X = _table(variant)
    # each planted value is a class of its own: k = 1, and every value counts distinct
    assert _run(lambda: metrics.k_anonymity(X, ["name"])) == 1
    assert _run(lambda: metrics.k_anonymity(X, ["name", "age"])) == 1
    classes = _run(lambda: metrics.equivalence_classes(X, ["name"]))
    assert classes is not None and classes.nunique() == 6
    assert _run(lambda: metrics.l_diversity(X, ["age"], "disease")) >= 1
    t = _run(lambda: metrics.t_closeness(X, ["age"], "disease"))
    assert t is not None and 0 <= t <= 1
    assert _run(lambda: metrics.discernibility(X, ["name"])) == 4 * 6 ** 2 + 2


@pytest.mark.parametrize("variant", VARIANTS)
def test_distinct_planted_values_stay_distinct(variant):
    X = pd.DataFrame({"name": _column(variant, n_normal=1)})
    # SECRET\ud800X and SECRET\udcffX (or b"SECRET\xffX") must not merge into one class
    assert _run(lambda: metrics.k_anonymity(X, ["name"])) == 1
    assert _run(lambda: metrics.equivalence_classes(X, ["name"])).nunique() == 6


# -- risk -------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_risk_measures(variant):
    X = _table(variant)
    risk = _run(lambda: metrics.record_risk(X, QI))
    assert risk is not None and len(risk) == len(X)
    assert _run(lambda: metrics.sample_uniqueness(X, ["name"])) == pytest.approx(2 / len(X))
    assert _run(lambda: metrics.prosecutor_risk(X, QI)) is not None
    population = pd.concat([X, X], ignore_index=True)
    assert _run(lambda: metrics.journalist_risk(X, population, QI)) is not None
    assert _run(lambda: metrics.marketer_risk(X, QI, population=population)) is not None
    assert _run(lambda: metrics.column_cardinality(X)) is not None
    assert _run(lambda: metrics.risk_summary(X, QI, k=2, population=population)) is not None


# -- attacks ----------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_linkage_attack(variant):
    X = _table(variant)
    released = _generalized(X)
    aux = X.assign(person=[f"p{i}" for i in range(len(X))])
    result = _run(lambda: metrics.linkage_attack(released, aux, QI, identity="person"))
    if result is not None:
        # the planted names are unique in both tables: both rows are re-identified, each
        # to its own record (a merged surrogate would link both rows to two records)
        matches = _run(lambda: match_records(released, aux, QI))
        assert matches is not None
    assert _run(lambda: metrics.homogeneity_attack(released, QI, "disease")) is not None


@pytest.mark.parametrize("variant", VARIANTS)
def test_linkage_attack_links_planted_rows_to_themselves(variant):
    X = pd.DataFrame({"name": _column(variant, n_normal=2)})
    aux = X.assign(person=[f"p{i}" for i in range(len(X))])
    counts = _run(lambda: compatible_counts(X, aux, ["name"]))
    if counts is not None:
        # each common value matches its 2 copies, each planted value only itself
        assert list(np.asarray(counts)[-2:]) == [1, 1]
        assert list(np.asarray(counts)[:-2]) == [2] * (len(X) - 2)


@pytest.mark.parametrize("variant", VARIANTS)
def test_frequency_attack(variant):
    pseudonyms = _column(variant)
    reference = _column(variant)
    result = _run(lambda: metrics.frequency_attack(pseudonyms.rename("name"), reference.rename("name"),
                                                   truth=reference.rename("name")))
    assert result is not None


# -- information loss, utility -----------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_information_loss(variant):
    X = _table(variant)
    released = _generalized(X)
    released.loc[len(X) - 1, "name"] = "*"
    loss = _run(lambda: metrics.ncp(X, released, QI))
    assert loss is not None and 0 <= loss <= 1
    assert _run(lambda: metrics.information_loss(X, released, QI, k=2)) is not None
    assert _run(lambda: metrics.entropy_loss(X, released, ["name"])) is not None


@pytest.mark.parametrize("variant", VARIANTS)
def test_distribution_distance(variant):
    X = _table(variant)
    same = _run(lambda: metrics.distribution_distance(X, X, ["name", "disease"]))
    assert same is not None
    # a table compared with itself is at distance 0: the planted values matched themselves
    assert np.allclose(same["distance"].to_numpy(dtype=float), 0.0)
    released = X.copy()
    released.loc[len(X) - 1, "name"] = "*"
    moved = _run(lambda: metrics.distribution_distance(X, released, ["name"]))
    assert moved is not None and float(moved["distance"].iloc[0]) > 0


# -- report -----------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_privacy_report(variant):
    X = _table(variant)
    released = _generalized(X)

    def build():
        report = metrics.PrivacyReport(X, released, QI, "disease", k=2)
        return report.to_dict(), report.to_markdown(), report.to_html(plots=False)

    out = _run(build)
    if out is not None:
        # a report is a file a person reads: it may hold released values, never crash
        assert isinstance(out[1], str) and isinstance(out[2], str)


# -- synthetic quality ---------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_synthetic_quality(variant):
    real = _table(variant)
    synth = real.iloc[::-1].reset_index(drop=True)
    tvd = _run(lambda: metrics.marginal_tvd(real, synth))
    assert tvd is not None and np.allclose(np.asarray(tvd, dtype=float), 0.0)
    pair = _run(lambda: metrics.pairwise_tvd(real, synth))
    assert pair is not None
    # every synthetic row is a real row: exact matches 1, distance 0
    assert _run(lambda: metrics.exact_match_rate(synth, real)) == pytest.approx(1.0)
    dcr = _run(lambda: metrics.distance_to_closest_record(synth, real))
    assert dcr is not None and np.allclose(np.asarray(dcr, dtype=float), 0.0)
    # a text target and text features holding the planted values
    score = _run(lambda: metrics.tstr_score(synth, real, "disease"))
    assert score is not None and 0 <= score <= 1


@pytest.mark.parametrize("variant", VARIANTS)
def test_synthetic_quality_keeps_planted_values_distinct(variant):
    real = pd.DataFrame({"name": _column(variant, n_normal=1)})
    # the synthetic table swaps the two planted values for one of them twice
    synth = real.copy()
    synth.iloc[-1, 0] = synth.iloc[-2, 0]
    tvd = _run(lambda: metrics.marginal_tvd(real, synth))
    assert tvd is not None and float(np.asarray(tvd, dtype=float).max()) == pytest.approx(1 / 6)
    assert _run(lambda: metrics.exact_match_rate(synth, real)) == pytest.approx(1.0)
    assert _run(lambda: metrics.exact_match_rate(real, synth)) == pytest.approx(5 / 6)


# -- writing a release (Python API: a frame the CLI never read) ----------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("variant", ["surrogate", "string-dtype", "categorical"])
def test_table_bytes_refuses_unencodable_text_naming_the_column(fmt, variant, tmp_path):
    from sklearn_anon.cli import write_table
    from sklearn_anon.cli._io import table_bytes

    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    col = _column("string-dtype" if variant == "string-dtype" else "surrogate")
    if variant == "categorical":
        col = pd.Series(pd.Categorical(pd.Index(col.to_numpy(dtype=object), dtype=object)))
    frame = pd.DataFrame({"age": np.arange(len(col)), "name": col})
    with pytest.raises(ValueError, match="'name'") as info:
        table_bytes(frame, fmt)
    message = str(info.value)
    assert _clean(message) and "'age'" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__  # no UnicodeError chained
    path = tmp_path / f"out.{fmt}"
    with pytest.raises(ValueError, match="'name'"):
        write_table(frame, path)
    assert not path.exists()
    # undecodable bytes are written (CSV: as Python writes bytes); ordinary text unchanged
    ok = pd.DataFrame({"name": pd.Series([*_NORMAL, RAW_BYTES], dtype=object)})
    assert table_bytes(ok, "csv").decode("utf-8").splitlines()[1:5] == _NORMAL


@pytest.mark.parametrize("variant", ["surrogate", "string-dtype"])
def test_hierarchy_nodes_match_text_arrow_cannot_hold(variant):
    # released values: hierarchy nodes ("a", "S") and a planted value kept; the node
    # "S" covers exactly the planted leaf SECRET\ud800X
    hierarchies = {"name": {v: [v[:1], "*"] for v in [*_NORMAL, SURROGATE]}}
    X = pd.DataFrame({"name": _column(variant, n_normal=3)})
    released = X.astype(object)
    released.iloc[:4, 0] = ["a", "b", "g", "d"]
    released.iloc[-2, 0] = "S"
    aux = X.assign(person=[f"p{i}" for i in range(len(X))])
    counts = _run(lambda: compatible_counts(released, aux, ["name"], hierarchies=hierarchies))
    assert list(np.asarray(counts)) == [3] * 12 + [1, 1]
    result = _run(lambda: metrics.linkage_attack(released, aux, ["name"], identity="person",
                                                 hierarchies=hierarchies))
    assert result["unique_match_rate"] == pytest.approx(2 / 14)
    dist = _run(lambda: metrics.distribution_distance(X, released, ["name"], hierarchies=hierarchies))
    assert float(dist["distance"].iloc[0]) == pytest.approx(0.0)
    assert _run(lambda: metrics.ncp(X, released, ["name"], hierarchies=hierarchies)) == pytest.approx(0.0)
