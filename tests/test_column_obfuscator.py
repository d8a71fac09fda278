"""ColumnObfuscator (issue 17.6) and its sealed data dictionary (sklearn_anon.cli)."""

import hmac
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import sklearn_anon
from sklearn_anon import ColumnObfuscator, Pseudonymizer
from sklearn_anon.cli import read_dictionary, write_dictionary
from sklearn_anon.cli._crypto import CryptoError

KEY = b"owner-secret-key"


def _month(seed, n=50, extra=False):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "income": rng.normal(50_000, 10_000, n),
        "zip": rng.choice(["10115", "80331", "20095"], n),
        "churned": rng.integers(0, 2, n),
    })
    if extra:
        X["tenure"] = rng.integers(0, 20, n)
    return X


def test_names_are_the_documented_keyed_hash():
    X = _month(0)
    obf = ColumnObfuscator(key=KEY).fit(X)
    for col, name in obf.mapping_.items():
        digest = hmac.new(KEY, ("sklearn_anon/column-name/v1\x1f" + col).encode(), "sha256").hexdigest()
        assert name == "c_" + digest[:12]
    # domain separated from the pseudonyms of cell values under the same key
    cells = Pseudonymizer(key=KEY, length=12).fit_transform(pd.DataFrame({"v": list(X.columns)}))
    assert not set("c_" + cells["v"]) & set(obf.mapping_.values())


def test_next_months_file_gets_the_same_names_under_the_key():
    this = ColumnObfuscator(key=KEY, permute=True).fit(_month(0))
    nxt_X = _month(1, n=80, extra=True)[["tenure", "zip", "churned", "income", "age"]]
    nxt = ColumnObfuscator(key=KEY, permute=True).fit(nxt_X)
    for col, name in this.mapping_.items():
        assert nxt.mapping_[col] == name
    # refitting the same estimator on the same columns: the same output
    again = ColumnObfuscator(key=KEY, permute=True).fit(_month(2))
    assert list(again.get_feature_names_out()) == list(this.get_feature_names_out())


def test_different_keys_give_different_names():
    X = _month(0)
    a = ColumnObfuscator(key=KEY).fit(X).mapping_
    b = ColumnObfuscator(key=b"another key").fit(X).mapping_
    assert not set(a.values()) & set(b.values())


def test_transform_keeps_values_rows_and_dtypes():
    X = _month(0)
    X.index = X.index[::-1]
    obf = ColumnObfuscator(key=KEY, prefix="f", length=16)
    out = obf.fit_transform(X)
    assert list(out.columns) == list(obf.get_feature_names_out())
    assert all(c.startswith("f") and len(c) == 17 for c in out.columns)
    assert out.index.equals(X.index)
    for col, name in obf.mapping_.items():
        pd.testing.assert_series_equal(out[name], X[col], check_names=False)
    assert obf.transform(X).equals(out)


def test_permute_is_a_keyed_order_and_round_trips():
    X = pd.DataFrame(np.arange(60).reshape(3, 20), columns=[f"col{i:02d}" for i in range(20)])
    obf = ColumnObfuscator(key=KEY, permute=True)
    out = obf.fit_transform(X)
    assert list(out.columns) == sorted(out.columns)
    assert [obf.inverse_mapping()[c] for c in out.columns] != list(X.columns)
    assert list(X.columns[obf.order_]) == [obf.inverse_mapping()[c] for c in out.columns]
    restored = obf.restore_names(out)
    pd.testing.assert_frame_equal(restored, X)
    # a subset of the columns, in any order (e.g. results), gets its names back in input order
    part = obf.restore_names(out[list(out.columns[:3])[::-1]])
    assert list(part.columns) == [c for c in X.columns if c in set(part.columns)]


def test_unseen_or_missing_columns_are_refused_by_name_and_count():
    X = _month(0)
    obf = ColumnObfuscator(key=KEY).fit(X)
    with pytest.raises(ValueError, match=r"1 column\(s\) seen in fit are missing \('zip'\)"):
        obf.transform(X.drop(columns="zip"))
    with pytest.raises(ValueError, match=r"1 column\(s\) were not seen in fit \('extra'\)"):
        obf.transform(X.assign(extra=1))
    with pytest.raises(ValueError, match="same order"):  # scikit-learn's rule
        obf.transform(X[X.columns[::-1]])
    with pytest.raises(ValueError, match="not opaque names"):
        obf.restore_names(X)


def test_key_is_required_hidden_and_resolved_from_the_environment(monkeypatch):
    X = _month(0)
    with pytest.raises(ValueError, match="`key` is required"):
        ColumnObfuscator().fit(X)
    obf = ColumnObfuscator(key="literal-secret").fit(X)
    assert "literal-secret" not in repr(obf)
    monkeypatch.setenv("OBF_KEY", KEY.decode())
    by_env = ColumnObfuscator(key="env:OBF_KEY").fit(X)
    assert by_env.mapping_ == ColumnObfuscator(key=KEY).fit(X).mapping_
    assert by_env.key_fingerprint_ == ColumnObfuscator(key=KEY).fit(X).key_fingerprint_
    blob = pickle.dumps(by_env)
    assert KEY not in blob  # only the reference is pickled
    monkeypatch.delenv("OBF_KEY")
    with pytest.raises(ValueError, match="'OBF_KEY'") as info:
        ColumnObfuscator(key="env:OBF_KEY").fit(X)
    assert KEY.decode() not in str(info.value)
    # transform needs no key: the names were learnt in fit
    loaded = pickle.loads(blob)
    assert loaded.transform(X).equals(by_env.transform(X))


def test_colliding_names_are_refused():
    X = pd.DataFrame(np.zeros((1, 2000)), columns=[f"v{i}" for i in range(2000)])
    with pytest.raises(ValueError, match=r"collide .* raise `length`"):
        ColumnObfuscator(key=KEY, length=4).fit(X)


def test_arrays_and_set_output():
    X = np.arange(12.0).reshape(4, 3)
    obf = ColumnObfuscator(key=KEY, permute=True)
    out = obf.fit_transform(X)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, X[:, obf.order_])
    assert set(obf.mapping_) == {"x0", "x1", "x2"}
    frame = ColumnObfuscator(key=KEY, permute=True).set_output(transform="pandas").fit_transform(X)
    assert list(frame.columns) == list(obf.get_feature_names_out())


def test_inside_column_transformer_and_pipeline():
    X = _month(0, n=200)
    y = X.pop("churned")
    ct = ColumnTransformer(
        [("obf", ColumnObfuscator(key=KEY), ["age", "income"])],
        remainder="drop", verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    out = ct.fit_transform(X)
    obf = ct.named_transformers_["obf"]
    assert list(out.columns) == list(obf.get_feature_names_out())
    assert not {"age", "income"} & set(out.columns)
    model = make_pipeline(ColumnObfuscator(key=KEY, permute=True), LogisticRegression(max_iter=500))
    model.fit(X[["age", "income"]], y)
    assert list(model[-1].feature_names_in_) == list(model[0].get_feature_names_out())
    assert model.predict(X[["age", "income"]]).shape == (200,)


def test_sealed_dictionary_round_trip_with_a_key(tmp_path, monkeypatch):
    X = _month(0)
    obf = ColumnObfuscator(key=KEY, permute=True).fit(X)
    aes = bytes(range(32))
    path = tmp_path / "columns.json.enc"
    write_dictionary(obf, path, key=aes, descriptions={"income": "yearly gross, EUR"})
    raw = path.read_bytes()
    assert b"income" not in raw and b"EUR" not in raw
    doc = read_dictionary(path, key=aes)
    assert doc["names"] == {v: k for k, v in obf.mapping_.items()}
    assert doc["descriptions"] == {obf.mapping_["income"]: "yearly gross, EUR"}
    assert doc["key_fingerprint"] == obf.key_fingerprint_
    # the owner maps a partner's result back with the dictionary alone
    assert obf.transform(X).rename(columns=doc["names"])[list(X.columns)].equals(X)
    with pytest.raises(CryptoError, match="wrong key"):
        read_dictionary(path, key=bytes(32))
    with pytest.raises(CryptoError, match="give `key`"):
        read_dictionary(path)
    # keys by reference, as on the command line
    from sklearn_anon.cli._crypto import generate_key, parse_key

    text = generate_key()
    monkeypatch.setenv("DICT_KEY", text)
    write_dictionary(obf, path, key="env:DICT_KEY")
    assert read_dictionary(path, key=parse_key(text))["names"] == doc["names"]
    with pytest.raises(CryptoError, match="exactly one"):
        write_dictionary(obf, path, key=aes, passphrase="x")
    with pytest.raises(ValueError, match="not seen in fit"):
        write_dictionary(obf, path, key=aes, descriptions={"nope": "?"})


def test_sealed_dictionary_with_age(tmp_path):
    pytest.importorskip("pyrage", reason="the 'age' extra (pyrage) is not installed")
    from sklearn_anon.cli._age import generate_identity

    obf = ColumnObfuscator(key=KEY).fit(_month(0))
    text, recipient = generate_identity()
    identity = tmp_path / "key.txt"
    identity.write_text(text)
    identity.chmod(0o600)
    path = tmp_path / "columns.json.age"
    write_dictionary(obf, path, recipients=[recipient])
    assert path.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert read_dictionary(path, identity=identity)["names"] == obf.inverse_mapping()
    other_text, _ = generate_identity()
    other = tmp_path / "other.txt"
    other.write_text(other_text)
    other.chmod(0o600)
    with pytest.raises(CryptoError, match="none of the identities"):
        read_dictionary(path, identity=other)


def test_exports():
    assert sklearn_anon.ColumnObfuscator is ColumnObfuscator
    assert ColumnObfuscator.__module__ == "sklearn_anon.identifiers._column_obfuscator"
    assert "ColumnObfuscator" in sklearn_anon.__all__
    assert {"read_dictionary", "write_dictionary"} <= set(sklearn_anon.cli.__all__)
