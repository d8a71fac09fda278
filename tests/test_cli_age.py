"""Hand-over encryption a partner opens without this package: the age format (issue 15.5).

``encrypt``/``anonymize``/``apply`` write age files (X25519 recipients, SSH
recipients, a passphrase) through pyrage; ``decrypt`` reads age files and the
older AES-GCM files alike; every failure is one line, exit 1, nothing left.
Interoperability is checked against independent implementations when they
are on the machine: the ``age`` tool (Go) and typage (``age-encryption`` on
npm, TypeScript, by age's author).
"""

import errno
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sklearn_anon.cli import _age, _crypto, main
from sklearn_anon.datasets import make_customers

from test_cli import POLICY, assert_clean_error, no_leftovers  # noqa: E402
from test_cli_failclosed import ROOT, SLOW_RENAME, files_in  # noqa: E402

pyrage = pytest.importorskip("pyrage", reason="the 'age' extra (pyrage) is not installed")

KEY_VAR = "SKLEARN_ANON_TEST_CLI_KEY"  # the pseudonym key of test_cli.POLICY
CRYPT_VAR = "SKLEARN_ANON_TEST_AGE_AES"
PASS_VAR = "SKLEARN_ANON_TEST_AGE_PASS"
PASSPHRASE = "orbit-velvet-lantern-quarry"
PLAIN = (b"id,zip,income\n" + b"".join(b"%d,%05d,%d\n" % (i, 10000 + i % 977, 1000 * i)
                                        for i in range(20000)))  # ~380 KB: 6 age chunks


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv(KEY_VAR, "cli-test-pseudonym-key")
    monkeypatch.setenv(CRYPT_VAR, "q0Nq2y0cxqvB0J4Y2wmZ3h0x1oN2kYtT3mP6d8c9a0E=")
    monkeypatch.setenv(PASS_VAR, PASSPHRASE)


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """Two identity files made by ``keygen --age``, with their recipients."""
    folder = tmp_path_factory.mktemp("age-keys")
    out = {}
    for name in ("alice", "bob"):
        path = folder / f"{name}.txt"
        assert main(["keygen", "--age", "-o", str(path), "-q"]) == 0
        text = path.read_text()
        recipient = next(line.split(": ")[1] for line in text.splitlines()
                         if line.startswith("# public key: "))
        out[name] = (path, recipient)
    return out


@pytest.fixture
def plain(tmp_path):
    path = tmp_path / "release.csv"
    path.write_bytes(PLAIN)
    return path


def age_encrypt(plain, out, recipient, capsys):
    code, stdout, err = run(["encrypt", plain, "-o", out, "--recipient", recipient], capsys)
    assert code == 0, err
    return stdout


# -- pyrage level ------------------------------------------------------------------------------
def test_pyrage_round_trip_streamed_and_in_memory():
    text, recipient = _age.generate_identity()
    identity = pyrage.x25519.Identity.from_str(text.splitlines()[-1])
    enc = _age.AgeEncryption([recipient])
    blob = enc.encrypt_bytes(PLAIN)
    assert blob.startswith(b"age-encryption.org/v1\n-> X25519 ")
    assert pyrage.decrypt(blob, [identity]) == PLAIN

    src, dst, seen = io.BytesIO(PLAIN), io.BytesIO(), []
    assert enc.encrypt_stream(src, dst, progress=seen.append) == len(PLAIN)
    assert sum(seen) == len(PLAIN) and len(seen) > 1  # read in blocks, not whole
    back = io.BytesIO()
    assert _age.decrypt_age_stream(io.BytesIO(dst.getvalue()), back,
                                   identities=[identity]) == len(PLAIN)
    assert back.getvalue() == PLAIN
    assert "AGE-SECRET" not in repr(enc) and enc.record() == {
        "format": "age-encryption.org/v1", "recipients": [recipient], "passphrase": False}


@pytest.mark.slow
def test_pyrage_passphrase_round_trip():
    enc = _age.AgeEncryption(passphrase=PASSPHRASE)
    assert PASSPHRASE not in repr(enc) and PASSPHRASE not in json.dumps(enc.record())
    blob = enc.encrypt_bytes(b"hello")
    assert b"-> scrypt " in blob
    out = io.BytesIO()
    _age.decrypt_age_stream(io.BytesIO(blob), out, passphrase=PASSPHRASE, head=blob)
    assert out.getvalue() == b"hello"


class _Failing(io.BytesIO):
    def __init__(self, exc, after):
        super().__init__()
        self.exc, self.after = exc, after

    def write(self, data):
        if self.tell() + len(data) > self.after:
            raise self.exc
        return super().write(data)


@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"),
                                 KeyboardInterrupt()])
def test_an_error_of_the_output_is_raised_as_it_was(exc):
    # pyrage turns a Python write error into an I/O error of its own (or swallows it when
    # flushing): the disk-full error or the interrupt must come out, not "file modified"
    text, recipient = _age.generate_identity()
    blob = _age.AgeEncryption([recipient]).encrypt_bytes(PLAIN)
    identity = pyrage.x25519.Identity.from_str(text.splitlines()[-1])
    with pytest.raises(type(exc)) as info:
        _age.decrypt_age_stream(io.BytesIO(blob), _Failing(exc, 100_000), identities=[identity])
    assert info.value is exc
    with pytest.raises(type(exc)):  # the last, buffered block too
        _age.decrypt_age_stream(io.BytesIO(blob), _Failing(exc, len(PLAIN) - 10),
                                identities=[identity])


class _FailingReader(io.BytesIO):
    def read(self, size=-1):
        if self.tell() > 100_000:
            raise KeyboardInterrupt
        return super().read(size)


def test_an_interrupt_while_reading_is_raised_as_it_was():
    text, recipient = _age.generate_identity()
    enc = _age.AgeEncryption([recipient])
    with pytest.raises(KeyboardInterrupt):
        enc.encrypt_stream(_FailingReader(PLAIN), io.BytesIO())
    identity = pyrage.x25519.Identity.from_str(text.splitlines()[-1])
    with pytest.raises(KeyboardInterrupt):
        _age.decrypt_age_stream(_FailingReader(enc.encrypt_bytes(PLAIN)), io.BytesIO(),
                                identities=[identity])


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("command", ["decrypt", "encrypt"])
@pytest.mark.parametrize("signame, code, message", [
    ("SIGINT", 130, "interrupted; no partial output is left"),
    ("SIGTERM", 143, "stopped by SIGTERM; no partial output is left"),
])
def test_a_signal_in_the_middle_of_an_age_stream_stops_it_cleanly(command, signame, code,
                                                                   message, keys, plain,
                                                                   tmp_path, capsys,
                                                                   monkeypatch):
    # the signal arrives while pyrage streams (plaintext already in the .part file): the run
    # stops with the signal's own exit code and message, not as "EncryptError", and nothing
    # is left
    enc = tmp_path / "x.age"
    age_encrypt(plain, enc, keys["alice"][1], capsys)
    real_write, sent = _age._Pipe.write, []

    def write(self, data):
        if self.count > 100_000 and not sent:
            sent.append(True)
            os.kill(os.getpid(), getattr(signal, signame))
        return real_write(self, data)

    monkeypatch.setattr(_age._Pipe, "write", write)
    if command == "decrypt":
        argv = ["decrypt", enc, "-o", tmp_path / "out.csv", "-i", keys["alice"][0]]
    else:
        argv = ["encrypt", plain, "-o", tmp_path / "y.age", "--recipient", keys["alice"][1]]
    got, _, err = run(argv, capsys)
    assert sent
    assert (got, err.strip()) == (code, f"sklearn-anon: error: {message}")
    no_leftovers(tmp_path, {"release.csv", "x.age"})


# -- keygen --age ------------------------------------------------------------------------------
def test_keygen_age_writes_a_private_identity_file_and_prints_the_recipient(tmp_path, capsys):
    path = tmp_path / "key.txt"
    code, out, err = run(["keygen", "--age", "-o", path], capsys)
    assert code == 0, err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    recipient = out.strip().splitlines()[-1]
    assert recipient.startswith("age1") and len(recipient) == 62
    lines = path.read_text().splitlines()
    assert lines[1] == f"# public key: {recipient}"
    assert lines[2].startswith("AGE-SECRET-KEY-1") and lines[2] not in out
    identity = pyrage.x25519.Identity.from_str(lines[2])
    assert str(identity.to_public()) == recipient
    # -q: the recipient alone (for R=$(sklearn-anon keygen --age -o k.txt -q))
    code, out, _ = run(["keygen", "--age", "-o", tmp_path / "k2.txt", "-q"], capsys)
    assert code == 0 and out.strip().startswith("age1") and len(out.strip().splitlines()) == 1
    # never overwritten
    code, _, err = run(["keygen", "--age", "-o", path], capsys)
    assert_clean_error(code, err, contains="already exists")
    # no -o: the identity file on stdout, as age-keygen
    code, out, _ = run(["keygen", "--age"], capsys)
    assert code == 0 and out.splitlines()[2].startswith("AGE-SECRET-KEY-1")


# -- encrypt / decrypt -------------------------------------------------------------------------
def test_encrypt_to_recipients_and_decrypt_with_each_identity(keys, plain, tmp_path, capsys):
    (alice, ra), (bob, rb) = keys["alice"], keys["bob"]
    rfile = tmp_path / "recipients.txt"
    rfile.write_text(f"# the partner's team\n{rb}\n\n")
    out = tmp_path / "release.csv.age"
    code, stdout, err = run(["encrypt", plain, "-o", out, "--recipient", ra,
                             "--recipients-file", rfile], capsys)
    assert code == 0, err
    assert "age, 2 recipients" in stdout
    blob = out.read_bytes()
    assert blob.startswith(b"age-encryption.org/v1\n") and b"income" not in blob
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    for ident in (alice, bob):
        dec = tmp_path / f"dec-{ident.stem}.csv"
        code, _, err = run(["decrypt", out, "-o", dec, "-i", ident], capsys)
        assert code == 0, err
        assert dec.read_bytes() == PLAIN
    # an age file is refused as data, and refused for encryption again without --force
    code, _, err = run(["encrypt", out, "-o", tmp_path / "twice.age", "--recipient", ra], capsys)
    assert_clean_error(code, err, contains="already encrypted")


@pytest.mark.slow
def test_passphrase_from_environment_and_file(plain, tmp_path, capsys):
    out, dec = tmp_path / "p.age", tmp_path / "p.csv"
    code, _, err = run(["encrypt", plain, "-o", out, "--passphrase", f"env:{PASS_VAR}"], capsys)
    assert code == 0, err
    assert b"-> scrypt " in out.read_bytes()
    pfile = tmp_path / "pass.txt"
    pfile.write_text(PASSPHRASE + "\n")
    pfile.chmod(0o600)
    code, _, err = run(["decrypt", out, "-o", dec, "--passphrase", f"file:{pfile}"], capsys)
    assert code == 0, err
    assert dec.read_bytes() == PLAIN
    # a wrong passphrase: one line, nothing left
    os.environ[PASS_VAR] = "not-the-passphrase"
    code, _, err = run(["decrypt", out, "-o", tmp_path / "w.csv", "--passphrase",
                        f"env:{PASS_VAR}"], capsys)
    assert_clean_error(code, err, contains="wrong passphrase", forbidden=[PASSPHRASE])
    no_leftovers(tmp_path, {"release.csv", "p.age", "p.csv", "pass.txt"})


def test_passphrase_is_asked_on_the_terminal_twice(plain, tmp_path, capsys, monkeypatch):
    import getpass

    answers = iter(["first-try", "second-try"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="", stream=None: next(answers))
    monkeypatch.setattr(sys, "stdin", type("TTY", (io.StringIO,), {"isatty": lambda s: True})())
    monkeypatch.setattr(sys, "stderr", type("TTY", (io.StringIO,), {"isatty": lambda s: True})())
    code = main(["encrypt", str(plain), "-o", str(tmp_path / "x.age"), "--passphrase"])
    assert code == 1
    assert "the two passphrases typed differ" in sys.stderr.getvalue()
    assert not (tmp_path / "x.age").exists()


@pytest.mark.parametrize("argv, message", [
    (["--passphrase", PASSPHRASE], "not as a literal"),
    (["--passphrase", "env:SKLEARN_ANON_SURELY_UNSET"], "'SKLEARN_ANON_SURELY_UNSET'"),
    (["--passphrase"], "no terminal to ask the passphrase on"),
    (["--recipient", "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"],
     "is a secret key"),
    (["--recipient", "age1notarecipient"], "--recipient #1 is not an age recipient"),
    (["--recipient", "age1yubikey1qwertyuiop"], "plugin or post-quantum recipient"),
    (["--recipients-file", "{t}/missing.txt"], "recipients file"),
    (["--passphrase", f"env:{PASS_VAR}", "--recipient", "{r}"], "cannot be combined"),
    (["--key", f"env:{CRYPT_VAR}", "--recipient", "{r}"], "not both"),
    ([], "give --recipient"),
])
def test_encrypt_option_errors_are_one_line(argv, message, keys, plain, tmp_path, capsys,
                                            monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # no terminal
    argv = [a.replace("{t}", str(tmp_path)).replace("{r}", keys["alice"][1]) for a in argv]
    code, _, err = run(["encrypt", plain, "-o", tmp_path / "x.age", *argv], capsys)
    assert_clean_error(code, err, contains=message,
                       forbidden=[PASSPHRASE, "QQQQQQQQ", "notarecipient"])
    no_leftovers(tmp_path, {"release.csv"})


def test_identity_file_errors_name_the_file_and_line_never_the_secret(keys, plain, tmp_path,
                                                                     capsys):
    out = tmp_path / "x.age"
    age_encrypt(plain, out, keys["alice"][1], capsys)
    bad = tmp_path / "bad.txt"
    bad.write_text("# comment\nAGE-SECRET-KEY-1NOTAKEYATALLXX\n")
    bad.chmod(0o600)
    code, _, err = run(["decrypt", out, "-o", tmp_path / "o.csv", "-i", bad], capsys)
    assert_clean_error(code, err, contains="line 2 is not an age identity",
                       forbidden=["NOTAKEY"])
    # a key file others may read: a warning, as ssh gives (and it still works)
    readable = tmp_path / "readable.txt"
    shutil.copy(keys["alice"][0], readable)
    readable.chmod(0o644)
    code, _, err = run(["decrypt", out, "-o", tmp_path / "o.csv", "-i", readable], capsys)
    assert code == 0, err
    assert "sklearn-anon: warning: key file" in err and "chmod 600" in err


# -- failures: one line, exit 1, nothing left behind, for both formats --------------------------
def _damage(blob, how):
    if how == "truncated":
        return blob[:-1000]
    if how == "truncated at a chunk boundary":
        header = blob.index(b"\n", blob.index(b"\n---") + 1) + 1 + 16  # header, nonce
        return blob[:header + 65536 + 16]  # exactly one full chunk
    if how == "truncated header":
        return blob[:60]
    if how == "payload modified":
        b = bytearray(blob)
        b[len(b) // 2] ^= 1
        return bytes(b)
    if how == "header modified":
        b = bytearray(blob)
        b[blob.index(b"\n---") + 5] ^= 1  # the header's MAC
        return bytes(b)
    if how == "header damaged":
        b = bytearray(blob)
        b[blob.index(b"\n---") + 8] ^= 1  # no longer base64
        return bytes(b)
    raise AssertionError(how)


@pytest.mark.parametrize("how, message", [
    ("truncated", "truncated or modified"),
    ("truncated at a chunk boundary", "the file is truncated"),
    ("truncated header", "truncated"),
    ("payload modified", "truncated or modified"),
    ("header modified", "header was modified"),
    ("header damaged", "header was modified or is damaged"),
])
def test_damaged_age_file_fails_closed(how, message, keys, plain, tmp_path, capsys):
    good = tmp_path / "good.age"
    age_encrypt(plain, good, keys["alice"][1], capsys)
    bad = tmp_path / "bad.age"
    bad.write_bytes(_damage(good.read_bytes(), how))
    code, _, err = run(["decrypt", bad, "-o", tmp_path / "out.csv", "-i", keys["alice"][0]],
                       capsys)
    assert_clean_error(code, err, contains=message)
    no_leftovers(tmp_path, {"release.csv", "good.age", "bad.age"})  # no out.csv, no .part


def test_wrong_identity_fails_closed(keys, plain, tmp_path, capsys):
    enc = tmp_path / "x.age"
    age_encrypt(plain, enc, keys["alice"][1], capsys)
    code, _, err = run(["decrypt", enc, "-o", tmp_path / "out.csv", "-i", keys["bob"][0]],
                       capsys)
    assert_clean_error(code, err, contains="none of the identities given opens it")
    no_leftovers(tmp_path, {"release.csv", "x.age"})


@pytest.mark.parametrize("how, message", [
    ("truncated", "modified"),  # one chunk (< 1 MiB): "wrong key, or the file was modified"
    ("truncated to the header", "truncated"),
    ("modified", "modified"),
    ("wrong key", "wrong key"),
])
def test_files_in_the_older_aes_gcm_format_still_decrypt_and_fail_closed(how, message, plain,
                                                                         tmp_path, capsys):
    enc = tmp_path / "x.enc"
    code, _, err = run(["encrypt", plain, "-o", enc, "--key", f"env:{CRYPT_VAR}"], capsys)
    assert code == 0, err
    assert enc.read_bytes()[:8] == b"SKANONE1"
    code, _, err = run(["decrypt", enc, "-o", tmp_path / "ok.csv", "--key", f"env:{CRYPT_VAR}"],
                       capsys)
    assert code == 0 and (tmp_path / "ok.csv").read_bytes() == PLAIN
    blob = enc.read_bytes()
    key = f"env:{CRYPT_VAR}"
    if how == "truncated":
        blob = blob[:-100]
    elif how == "truncated to the header":
        blob = blob[:30]
    elif how == "modified":
        blob = blob[:5000] + bytes([blob[5000] ^ 1]) + blob[5001:]
    else:
        os.environ["SKLEARN_ANON_TEST_AGE_OTHER"] = _crypto.generate_key()
        key = "env:SKLEARN_ANON_TEST_AGE_OTHER"
    bad = tmp_path / "bad.enc"
    bad.write_bytes(blob)
    code, _, err = run(["decrypt", bad, "-o", tmp_path / "out.csv", "--key", key], capsys)
    assert_clean_error(code, err, contains=message)
    no_leftovers(tmp_path, {"release.csv", "x.enc", "ok.csv", "bad.enc"})


def test_the_format_is_told_by_the_header(keys, plain, tmp_path, capsys):
    age_file, aes_file = tmp_path / "a.age", tmp_path / "b.enc"
    age_encrypt(plain, age_file, keys["alice"][1], capsys)
    assert run(["encrypt", plain, "-o", aes_file, "--key", f"env:{CRYPT_VAR}"], capsys)[0] == 0
    assert _crypto.encryption_format(age_file) == "age-encryption.org/v1"
    assert _crypto.encryption_format(aes_file) == _crypto.AES_GCM_FORMAT
    assert _crypto.encryption_format(plain) is None
    for src, argv, message in [
        (age_file, ["--key", f"env:{CRYPT_VAR}"], "is an age file: give --identity"),
        (aes_file, ["-i", keys["alice"][0]], "AES-GCM format: give --key"),
        (age_file, ["--passphrase", f"env:{PASS_VAR}"], "not with a passphrase: give --identity"),
        (plain, ["-i", keys["alice"][0]], "not an encrypted file"),
        (age_file, [], "give --identity FILE or --passphrase"),
    ]:
        code, _, err = run(["decrypt", src, "-o", tmp_path / "o.csv", *argv], capsys)
        assert_clean_error(code, err, contains=message)
    # an age file is not read as data either
    code, _, err = run(["profile", age_file], capsys)
    assert_clean_error(code, err, contains="is encrypted: decrypt it first")


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("command, signame", [("decrypt", "SIGTERM"), ("encrypt", "SIGHUP")])
def test_a_signal_while_writing_an_age_file_leaves_nothing(command, signame, keys, plain,
                                                           tmp_path, capsys):
    sig = getattr(signal, signame)
    out = tmp_path / "out"
    out.mkdir()
    if command == "decrypt":
        src = tmp_path / "x.age"
        age_encrypt(plain, src, keys["alice"][1], capsys)
        argv = ["decrypt", src, "-o", out / "x.csv", "-i", keys["alice"][0]]
    else:
        argv = ["encrypt", plain, "-o", out / "x.age", "--recipient", keys["alice"][1]]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", SLOW_RENAME, *map(str, argv)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read()
        assert all(n.endswith(".part") for n in files_in(out)) and files_in(out)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        watchdog.cancel()
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    assert proc.returncode == 128 + sig, err
    assert err.strip().splitlines() == [
        f"sklearn-anon: error: stopped by {signame}; no partial output is left"]
    assert files_in(out) == []


# -- anonymize / apply straight to age, and the manifest ----------------------------------------
@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("age-data")
    make_customers(n_samples=300, random_state=0).to_csv(folder / "jan.csv", index=False)
    (folder / "policy.toml").write_text(POLICY)
    return folder


def test_anonymize_and_apply_write_age_and_the_manifest_records_recipients(keys, data, tmp_path,
                                                                           capsys):
    (alice, ra), (_, rb) = keys["alice"], keys["bob"]
    base = ["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml"]
    plain = tmp_path / "plain.csv"
    assert run(base + ["-o", plain, "-q", "--save-pipeline", tmp_path / "p.joblib"],
               capsys)[0] == 0
    enc = tmp_path / "release.csv.age"
    code, out, err = run(base + ["-o", enc, "--recipient", ra, "--recipient", rb], capsys)
    assert code == 0, err
    assert f"wrote {enc} (encrypted: age, 2 recipients)" in out
    assert pyrage.decrypt(enc.read_bytes(), [pyrage.x25519.Identity.from_str(
        alice.read_text().splitlines()[-1])]) == plain.read_bytes()
    manifest = json.loads((tmp_path / "release.csv.age.manifest.json").read_text())
    assert manifest["output"]["encrypted"] is True
    assert manifest["output"]["encryption"] == {
        "format": "age-encryption.org/v1", "recipients": [ra, rb], "passphrase": False}
    text = (tmp_path / "release.csv.age.manifest.json").read_text()
    assert "AGE-SECRET-KEY" not in text.upper()

    # apply, with a passphrase
    enc2 = tmp_path / "feb.csv.age"
    code, out, err = run(["apply", "--allow-insufficient", data / "jan.csv", "--pipeline",
                          tmp_path / "p.joblib", "-o", enc2, "--passphrase", f"env:{PASS_VAR}"],
                         capsys)
    assert code == 0, err
    assert pyrage.passphrase.decrypt(enc2.read_bytes(), PASSPHRASE) == plain.read_bytes()
    text = (tmp_path / "feb.csv.age.manifest.json").read_text()
    assert json.loads(text)["output"]["encryption"]["passphrase"] is True
    assert PASSPHRASE not in text

    # the older format: its fingerprint, never the key
    enc3 = tmp_path / "release.csv.enc"
    assert run(base + ["-o", enc3, "-q", "--encrypt-key", f"env:{CRYPT_VAR}"], capsys)[0] == 0
    record = json.loads((tmp_path / "release.csv.enc.manifest.json").read_text())["output"]
    assert record["encryption"]["format"] == _crypto.AES_GCM_FORMAT
    assert len(record["encryption"]["key_fingerprint"]) == 16
    assert os.environ[CRYPT_VAR] not in json.dumps(record)
    # verify checks an encrypted release's checksum as written
    code, out, err = run(["verify", enc], capsys)
    assert code == 0, err
    assert "output checksum: ok" in out and "not re-measured (the release is encrypted)" in out
    enc.write_bytes(enc.read_bytes()[:-1])
    code, _, err = run(["verify", enc], capsys)
    assert_clean_error(code, err, contains="output checksum")
    # not encrypted: None
    plain_record = json.loads((tmp_path / "plain.csv.manifest.json").read_text())["output"]
    assert plain_record["encrypted"] is False and plain_record["encryption"] is None


def test_anonymize_with_a_bad_recipient_writes_nothing(data, tmp_path, capsys):
    code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy",
                        data / "policy.toml", "-o", tmp_path / "x.csv.age", "--recipient",
                        "age1bad"], capsys)
    assert_clean_error(code, err, contains="--recipient #1 is not an age recipient")
    assert files_in(tmp_path) == []


# -- without pyrage ----------------------------------------------------------------------------
def test_without_pyrage_a_one_line_error_names_the_extra(keys, plain, tmp_path, capsys,
                                                         monkeypatch):
    enc = tmp_path / "x.age"
    age_encrypt(plain, enc, keys["alice"][1], capsys)
    monkeypatch.setitem(sys.modules, "pyrage", None)  # import pyrage -> ImportError
    for argv in (["encrypt", plain, "-o", tmp_path / "y.age", "--recipient", keys["alice"][1]],
                 ["encrypt", plain, "-o", tmp_path / "y.age", "--passphrase"],
                 ["decrypt", enc, "-o", tmp_path / "y.csv", "-i", keys["alice"][0]],
                 ["keygen", "--age", "-o", tmp_path / "k.txt"]):
        code, _, err = run(argv, capsys)
        assert_clean_error(code, err, contains="pip install 'sklearn-anon[age]'")
    no_leftovers(tmp_path, {"release.csv", "x.age"})
    # the older format needs no pyrage
    assert run(["encrypt", plain, "-o", tmp_path / "z.enc", "--key", f"env:{CRYPT_VAR}"],
               capsys)[0] == 0


# -- interoperability with independent implementations -----------------------------------------
@pytest.mark.skipif(shutil.which("age") is None,
                    reason="the age tool is not installed (apt-get install age)")
def test_the_age_tool_opens_our_files_and_we_open_its_files(keys, plain, tmp_path, capsys):
    alice, ra = keys["alice"]
    enc = tmp_path / "ours.age"
    age_encrypt(plain, enc, ra, capsys)
    proc = subprocess.run(["age", "-d", "-i", str(alice), str(enc)], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == PLAIN
    # age encrypts (binary and armored) to our recipient; we decrypt
    for extra in ([], ["-a"]):
        theirs = tmp_path / f"theirs{''.join(extra)}.age"
        subprocess.run(["age", *extra, "-r", ra, "-o", str(theirs), str(plain)], check=True)
        dec = tmp_path / "theirs.csv"
        code, _, err = run(["decrypt", theirs, "-o", dec, "-i", alice], capsys)
        assert code == 0, err
        assert dec.read_bytes() == PLAIN
    # an identity made by age-keygen works here
    if shutil.which("age-keygen"):
        key = tmp_path / "agekey.txt"
        subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
        recipient = subprocess.run(["age-keygen", "-y", str(key)], check=True,
                                   capture_output=True, text=True).stdout.strip()
        enc2 = tmp_path / "to-age-keygen.age"
        age_encrypt(plain, enc2, recipient, capsys)
        proc = subprocess.run(["age", "-d", "-i", str(key), str(enc2)], capture_output=True)
        assert proc.returncode == 0 and proc.stdout == PLAIN


TYPAGE_SCRIPT = r"""
import * as age from "age-encryption"
import { readFileSync, writeFileSync } from "node:fs"

const [mode, secret, input, output] = process.argv.slice(2)
if (mode === "keygen") {
    const identity = await age.generateX25519Identity()
    console.log(identity)
    console.log(await age.identityToRecipient(identity))
} else if (mode === "decrypt") {
    const d = new age.Decrypter()
    for (const line of readFileSync(secret, "utf8").split("\n")) {
        if (line.startsWith("AGE-SECRET-KEY-")) d.addIdentity(line.trim())
    }
    writeFileSync(output, await d.decrypt(readFileSync(input)))
} else if (mode === "encrypt") {
    const e = new age.Encrypter()
    e.addRecipient(secret)
    writeFileSync(output, await e.encrypt(readFileSync(input)))
} else if (mode === "encrypt-passphrase") {
    const e = new age.Encrypter()
    e.setScryptWorkFactor(12)
    e.setPassphrase(secret)
    writeFileSync(output, await e.encrypt(readFileSync(input)))
}
"""


@pytest.fixture(scope="module")
def typage(tmp_path_factory):
    """A folder where ``node`` imports typage (npm package ``age-encryption`` 0.3.x).

    ``SKLEARN_ANON_TYPAGE_DIR`` may name a folder where it is installed;
    otherwise it is installed with npm into a temporary folder (never into the
    repository).  Skipped when node or npm is missing or the install fails.
    """
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the typage interoperability test needs it")
    folder = os.environ.get("SKLEARN_ANON_TYPAGE_DIR")
    if folder:
        folder = Path(folder)
    else:
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot install typage (age-encryption)")
        folder = tmp_path_factory.mktemp("typage")
        try:
            proc = subprocess.run([npm, "install", "--prefix", str(folder), "--no-audit",
                                   "--no-fund", "age-encryption@0.3"],
                                  capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            pytest.skip("installing typage (npm age-encryption) timed out")
        if proc.returncode != 0:
            pytest.skip("npm could not install typage (age-encryption): "
                        + " ".join(proc.stderr.split()[-12:]))
    if not (folder / "node_modules" / "age-encryption").is_dir():
        pytest.skip(f"typage (age-encryption) is not installed in {folder}")
    script = folder / "typage_cli.mjs"
    script.write_text(TYPAGE_SCRIPT)

    def call(*args):
        proc = subprocess.run([node, str(script), *map(str, args)], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    return call


def test_typage_opens_our_files_and_we_open_typage_files(typage, keys, plain, tmp_path, capsys):
    alice, ra = keys["alice"]
    # ours -> typage, with our identity file
    enc = tmp_path / "ours.age"
    age_encrypt(plain, enc, ra, capsys)
    typage("decrypt", alice, enc, tmp_path / "by-typage.csv")
    assert (tmp_path / "by-typage.csv").read_bytes() == PLAIN
    # typage -> ours, to our recipient
    theirs = tmp_path / "theirs.age"
    typage("encrypt", ra, plain, theirs)
    code, _, err = run(["decrypt", theirs, "-o", tmp_path / "t.csv", "-i", alice], capsys)
    assert code == 0, err
    assert (tmp_path / "t.csv").read_bytes() == PLAIN
    # typage's identity and recipient work here
    identity, recipient = typage("keygen").split()
    key = tmp_path / "typage-key.txt"
    key.write_text(identity + "\n")
    key.chmod(0o600)
    enc2 = tmp_path / "to-typage.age"
    age_encrypt(plain, enc2, recipient, capsys)
    typage("decrypt", key, enc2, tmp_path / "t2.csv")
    assert (tmp_path / "t2.csv").read_bytes() == PLAIN
    code, _, err = run(["decrypt", enc2, "-o", tmp_path / "t3.csv", "-i", key], capsys)
    assert code == 0 and (tmp_path / "t3.csv").read_bytes() == PLAIN
    # a passphrase file made by typage (scrypt work factor 12)
    pp = tmp_path / "pp.age"
    typage("encrypt-passphrase", PASSPHRASE, plain, pp)
    code, _, err = run(["decrypt", pp, "-o", tmp_path / "pp.csv", "--passphrase",
                        f"env:{PASS_VAR}"], capsys)
    assert code == 0, err
    assert (tmp_path / "pp.csv").read_bytes() == PLAIN
