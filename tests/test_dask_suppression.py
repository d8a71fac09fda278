"""fit_mondrian_dask: rows the sample's tree cannot place never form classes below k."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

dd = pytest.importorskip("dask.dataframe")

from sklearn.base import clone  # noqa: E402

from sklearn_anon import MondrianAnonymizer  # noqa: E402
from sklearn_anon.dask import fit_mondrian_dask, k_anonymity_dask, transform_dask  # noqa: E402
from sklearn_anon.metrics import k_anonymity, l_diversity  # noqa: E402

QIS = ["age", "zip", "job"]


def _table(n, seed, p_missing, p_rare):
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, n).astype(float)
    age[rng.random(n) < p_missing] = np.nan
    job = rng.choice(["a", "b", "c", "d"], n).astype(object)
    rare = rng.random(n) < p_rare
    job[rare] = [f"r{i}" for i in range(int(rare.sum()))]  # one row each: never in a sample
    job[rng.random(n) < p_missing] = None
    return pd.DataFrame({"age": age, "zip": rng.integers(0, 999, n), "job": job,
                         "s": np.array(["x", "y", "z"])[np.arange(n) % 3]})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(60, 400), seed=st.integers(0, 2**16), p_missing=st.sampled_from([0.0, 0.005, 0.05]),
       p_rare=st.sampled_from([0.0, 0.005, 0.03]), k=st.integers(2, 8),
       cuts=st.sampled_from(["median", "hybrid"]), l=st.sampled_from([None, 2]))
def test_k_achieved_is_the_k_of_the_output(n, seed, p_missing, p_rare, k, cuts, l):
    frame = _table(n, seed, p_missing, p_rare)
    ddf = dd.from_pandas(frame, npartitions=2)
    est = MondrianAnonymizer(k=k, cuts=cuts, quasi_identifiers=QIS, l=l,
                             sensitive="s" if l else None)
    with __import__("dask").config.set(scheduler="sync"):
        res = fit_mondrian_dask(est, ddf, sample_rows=max(n // 3, 10), random_state=seed)
        out = transform_dask(res.anonymizer, ddf)
        k_out = k_anonymity_dask(out, QIS)
        released = out.compute().reset_index(drop=True)
    assert res.k_achieved == k_out >= k
    assert res.n_suppressed == 0 or res.n_suppressed >= k
    if l:
        assert l_diversity(released, QIS, "s") >= l


def test_unplaceable_rows_are_suppressed_on_every_quasi_identifier():
    frame = _table(3000, 0, 0.01, 0.003)
    ddf = dd.from_pandas(frame, npartitions=3)
    for cuts in ("median", "hybrid"):
        res = fit_mondrian_dask(MondrianAnonymizer(k=5, cuts=cuts, quasi_identifiers=QIS), ddf,
                                sample_rows=600)
        out = transform_dask(res.anonymizer, ddf).compute(scheduler="sync")
        assert res.k_achieved == k_anonymity(out.reset_index(drop=True), QIS) >= 5
        starred = (out[QIS].astype(object) == "*").all(axis=1)
        assert starred.sum() == res.n_suppressed >= 5
        # the rows the count left out, and no other row, are fully suppressed
        assert res.region_counts.sum() + res.n_suppressed == len(frame)
        # in-memory transform of the same fitted anonymizer (the data as Dask holds it)
        assert res.anonymizer.transform(ddf.compute(scheduler="sync")).equals(out)


def test_fewer_than_k_unplaceable_rows_take_the_smallest_regions_with_them():
    frame = _table(2000, 1, 0.0, 0.0)
    frame.loc[[3, 700], "job"] = ["new1", "new2"]  # 2 rows the sample never saw (k=10)
    ddf = dd.from_pandas(frame, npartitions=2)
    with __import__("dask").config.set(scheduler="sync"):
        res = fit_mondrian_dask(MondrianAnonymizer(k=10, quasi_identifiers=QIS), ddf,
                                sample_rows=len(frame), random_state=0)
        # the sample is the whole table here: the unseen categories are in it, nothing to suppress
        assert res.n_suppressed == 0
        res = fit_mondrian_dask(MondrianAnonymizer(k=10, quasi_identifiers=QIS),
                                ddf, sample_rows=1000, random_state=0)
        out = transform_dask(res.anonymizer, ddf).compute()
    assert res.k_achieved == k_anonymity(out.reset_index(drop=True), QIS) >= 10
    starred = (out[QIS].astype(object) == "*").all(axis=1)
    assert starred.sum() == res.n_suppressed
    # 2 rows never seen in this sample: the smallest region(s) are suppressed with them
    assert res.n_suppressed >= 10 and res.anonymizer.n_suppressed_ > 0


def test_whole_row_suppression_is_fitted_state():
    frame = _table(1500, 2, 0.02, 0.01)
    ddf = dd.from_pandas(frame, npartitions=2)
    with __import__("dask").config.set(scheduler="sync"):
        res = fit_mondrian_dask(MondrianAnonymizer(k=5, quasi_identifiers=QIS), ddf,
                                sample_rows=500)
    anon = res.anonymizer
    ref = anon.transform(frame)
    # pickling keeps it
    assert pickle.loads(pickle.dumps(anon)).transform(frame).equals(ref)
    # clone and refit: an ordinary in-memory anonymizer (cell-by-cell "*")
    sample = frame.dropna().iloc[:500]
    refit = clone(anon).fit(sample)
    again = anon.fit(sample)  # refitting the returned anonymizer clears it too
    plain = MondrianAnonymizer(k=5, quasi_identifiers=QIS).fit(sample)
    assert refit.transform(frame).equals(plain.transform(frame))
    assert again.transform(frame).equals(plain.transform(frame))
    assert not (plain.transform(frame)[QIS].astype(object) == "*").all(axis=1).all()


def test_missing_values_in_regions_that_write_star_there_stay_in_their_region():
    # the whole table as the sample: every missing value is in a region whose sample
    # rows had it, so its row keeps its region ("*" on that column only)
    frame = _table(1200, 3, 0.03, 0.0)
    ddf = dd.from_pandas(frame, npartitions=2)
    with __import__("dask").config.set(scheduler="sync"):
        res = fit_mondrian_dask(MondrianAnonymizer(k=5, quasi_identifiers=QIS), ddf,
                                sample_rows=len(frame), sample_k=5)
        out = transform_dask(res.anonymizer, ddf).compute()
    assert res.n_suppressed == 0 and res.region_counts.sum() == len(frame)
    assert res.k_achieved == k_anonymity(out.reset_index(drop=True), QIS) >= 5
    assert (out[QIS].astype(object) == "*").any(axis=1).any()
