"""The command line's Python face: public names take public types only.

``sklearn_anon.cli`` exports what a user needs to read and write tables as the
commands do (:func:`read_header`, :func:`read_table`, :func:`write_table`) and
to run them (:func:`run_anonymize`, :func:`main`); the plumbing (the progress
printer, the staged output sets, age encryption objects, ``table_bytes``)
stays in the private modules.
"""

import hashlib

import pandas as pd
import pytest

from sklearn_anon import cli
from sklearn_anon.cli import _crypto, _io

_POLICY = """
[report]
quasi_identifiers = ["age"]
k = 2
[columns]
name = "drop"
age = { action = "generalize", method = "interval", bins = [0, 30, 40, 50, 100] }
sex = "keep"
"""


def _frame():
    return pd.DataFrame({"age": ["30-39", "40-49"], "n": [3, 5]})


@pytest.mark.parametrize("name", ["Progress", "table_bytes"])
def test_plumbing_is_not_on_the_face(name):
    assert name not in cli.__all__
    assert not hasattr(cli, name)


def test_write_table_digest_is_the_sha256_of_the_file(tmp_path):
    path = tmp_path / "out.csv"
    assert cli.write_table(_frame(), path) == path.stat().st_size
    size, digest = cli.write_table(_frame(), path, digest=True)
    data = path.read_bytes()
    assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())
    assert data == _io.table_bytes(_frame(), "csv")


def test_write_table_encrypts_with_a_key_reference_or_its_bytes(tmp_path, monkeypatch):
    key_text = _crypto.generate_key()
    key = _crypto.parse_key(key_text)
    monkeypatch.setenv("SKLEARN_ANON_TEST_API_KEY", key_text)
    plain = _io.table_bytes(_frame(), "csv")
    for given in ("env:SKLEARN_ANON_TEST_API_KEY", key):
        path = tmp_path / "out.csv.enc"
        size, digest = cli.write_table(_frame(), path, key=given, digest=True)
        data = path.read_bytes()
        assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())
        assert plain not in data
        assert _crypto.decrypt_bytes(data, key) == plain
        path.unlink()


def test_write_table_refuses_a_wrong_key_and_writes_nothing(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(ValueError, match="32 bytes") as info:
        cli.write_table(_frame(), path, key=b"0123456789abcdef")  # AES-128: not the format's
    assert "0123" not in str(info.value)  # the key is never shown
    with pytest.raises(ValueError, match="env:NAME"):
        cli.write_table(_frame(), path, key="hunter2")  # a literal is never a key
    with pytest.raises(TypeError, match="key"):
        cli.write_table(_frame(), path, key=object())  # e.g. an age encryption: the commands'
    assert list(tmp_path.iterdir()) == []


def _inputs(folder):
    data, policy = folder / "people.csv", folder / "policy.toml"
    pd.DataFrame({"name": list("abcdefgh"), "age": [23, 27, 34, 38, 45, 49, 52, 58],
                  "sex": list("FMFMFMFM")}).to_csv(data, index=False)
    policy.write_text(_POLICY)
    return data, policy


def test_run_anonymize_refuses_no_output(tmp_path):
    # before the fix the annotation allowed None, and Path(None) failed after the policy was read
    data, policy = _inputs(tmp_path)
    with pytest.raises(TypeError, match="output must be a path"):
        cli.run_anonymize(data, policy, None)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.csv", "policy.toml"]


def test_run_anonymize_takes_public_types(tmp_path, monkeypatch):
    data, policy = _inputs(tmp_path)
    key_text = _crypto.generate_key()
    monkeypatch.setenv("SKLEARN_ANON_TEST_API_KEY", key_text)
    with pytest.raises(ValueError, match="32 bytes"):
        cli.run_anonymize(data, policy, tmp_path / "a.csv", encrypt_key=b"short")
    with pytest.raises(ValueError, match="not ''"):
        cli.run_anonymize(data, policy, tmp_path / "a.csv", encrypt_key="")  # never unencrypted
    with pytest.raises(TypeError, match="encrypt_key"):
        cli.run_anonymize(data, policy, tmp_path / "a.csv", encrypt_key=object())
    assert not (tmp_path / "a.csv").exists()
    out = tmp_path / "b.csv.enc"
    anonymized, report, info = cli.run_anonymize(
        data, policy, out, encrypt_key="env:SKLEARN_ANON_TEST_API_KEY", progress=False)
    assert report is not None and report.sufficient_
    clear = _crypto.decrypt_bytes(out.read_bytes(), _crypto.parse_key(key_text))
    assert clear == _io.table_bytes(anonymized, "csv")
