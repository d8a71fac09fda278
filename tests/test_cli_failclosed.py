"""The command line fails closed (issue 12): headers, signals, files, versions, messages.

Each test is a regression test of one way a raw value or a partial file got
out of ``sklearn-anon``: a duplicated CSV/Parquet header, SIGTERM/SIGHUP in
the middle of writing, training categories in a Parquet file, a full disk
while writing the second output, a symlinked output, a saved pipeline from
other versions, and error messages quoting a cell.
"""

import errno
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from sklearn_anon import cli
from sklearn_anon.cli import _anonymize, _bundle, _crypto, _errors, _io, main
from sklearn_anon.datasets import make_customers

KEY_VAR = "SKLEARN_ANON_TEST_FC_KEY"
CRYPT_VAR = "SKLEARN_ANON_TEST_FC_CRYPT"
CRYPT_KEY = "q0Nq2y0cxqvB0J4Y2wmZ3h0x1oN2kYtT3mP6d8c9a0E="
ROOT = Path(cli.__file__).resolve().parents[2]  # the checkout (cli is a package)

POLICY = f"""
[keys]
default = "env:{KEY_VAR}"

[report]
quasi_identifiers = ["zipcode", "sex"]
k = 3

[columns]
name = "drop"
ssn = "drop"
email = {{ action = "pseudonymize", length = 16 }}
zipcode = {{ action = "generalize", method = "prefix", n = 3, width = 5, min_count = 5 }}
sex = "keep"
golf = "keep"
"""

#: unlisted columns are released as they are: the policy of issue 12.2
KEEP_POLICY = """
[policy]
unlisted = "keep"

[columns]
ssn = "drop"
"""


from test_cli import assert_clean_error, run  # noqa: E402  (the CLI tests' helpers)


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv(KEY_VAR, "fail-closed-test-pseudonym-key")
    monkeypatch.setenv(CRYPT_VAR, CRYPT_KEY)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("failclosed")
    make_customers(n_samples=200, random_state=0).to_csv(folder / "jan.csv", index=False)
    (folder / "policy.toml").write_text(POLICY)
    (folder / "keep.toml").write_text(KEEP_POLICY)
    return folder


def files_in(folder):
    return sorted(p.name for p in Path(folder).iterdir())


# ==========================================================================================
# 12.2 a duplicated header name
# ==========================================================================================
DUP_CSV = "id,ssn,city,ssn\n1,111-22-3333,Oslo,999-88-7777\n2,222-33-4444,Rome,888-77-6666\n"


@pytest.fixture
def pipeline_file(tmp_path, capsys):
    """A pipeline fitted with KEEP_POLICY on a table with one 'ssn' column."""
    folder = tmp_path / "fit"
    folder.mkdir()
    (folder / "clean.csv").write_text("id,ssn,city\n1,111-22-3333,Oslo\n2,222-33-4444,Rome\n")
    (folder / "keep.toml").write_text(KEEP_POLICY)
    code, _, err = run(["anonymize", "--allow-insufficient", folder / "clean.csv", "--policy", folder / "keep.toml",
                        "-o", folder / "clean_anon.csv", "--save-pipeline", folder / "p.joblib",
                        "-q"], capsys)
    assert code == 0, err
    return folder / "p.joblib"


@pytest.mark.parametrize("command", ["anonymize", "--allow-insufficient", "apply", "profile"])
def test_duplicated_csv_header_is_refused_by_every_reader(command, data, tmp_path, capsys,
                                                          pipeline_file):
    src = tmp_path / "dup.csv"
    src.write_text(DUP_CSV)
    out = tmp_path / "out"
    out.mkdir()
    if command == "anonymize":
        argv = ["anonymize", "--allow-insufficient", src, "--policy", data / "keep.toml", "-o", out / "o.csv"]
    elif command == "apply":
        argv = ["apply", "--allow-insufficient", src, "--pipeline", pipeline_file, "-o", out / "o.csv"]
    else:
        argv = ["profile", src, "--suggest-policy", out / "p.toml"]
    code, stdout, err = run(argv, capsys)
    # before the fix, pandas renamed the second 'ssn' to 'ssn.1', which escaped the drop rule
    assert_clean_error(code, err, contains="has the column name 'ssn' more than once",
                       forbidden=["999-88-7777", "888-77-6666", "111-22"])
    assert "999-88" not in stdout
    assert files_in(out) == []


@pytest.mark.parametrize("content, options", [
    # quoted names, a byte order mark, a separator and an encoding given on the command line
    ('"ssn",x,ssn\n1,2,3\n', []),
    ("\ufeffssn,x,ssn\n1,2,3\n", []),
    ("id;ssn;x;ssn\n1;2;3;4\n", ["--sep", ";"]),
    ("\n\nid,ssn,ssn\n1,2,3\n", []),  # blank lines before the header
])
def test_duplicated_header_found_as_pandas_reads_it(content, options, data, tmp_path, capsys):
    src = tmp_path / "dup.csv"
    src.write_text(content, encoding="utf-8")
    code, _, err = run(["anonymize", "--allow-insufficient", src, "--policy", data / "keep.toml", "-o",
                        tmp_path / "o.csv", *options], capsys)
    assert_clean_error(code, err, contains="'ssn' more than once")
    assert not (tmp_path / "o.csv").exists()


def test_duplicated_header_in_another_encoding(data, tmp_path, capsys):
    src = tmp_path / "dup.csv"
    src.write_bytes("pr\u00e9nom,ssn,pr\u00e9nom\nA,1,B\n".encode("latin-1"))
    code, _, err = run(["anonymize", "--allow-insufficient", src, "--policy", data / "keep.toml", "-o",
                        tmp_path / "o.csv", "--encoding", "latin-1"], capsys)
    assert_clean_error(code, err, contains="'pr\u00e9nom' more than once")


def test_names_that_look_renamed_are_not_duplicates(data, tmp_path, capsys):
    src = tmp_path / "ok.csv"
    src.write_text("id,ssn.1,ssn\n1,a,b\n2,c,d\n")
    code, _, err = run(["anonymize", "--allow-insufficient", src, "--policy", data / "keep.toml", "-o",
                        tmp_path / "o.csv", "-q"], capsys)
    assert code == 0, err
    assert pd.read_csv(tmp_path / "o.csv").columns.tolist() == ["id", "ssn.1"]


def test_duplicated_parquet_column_is_refused(data, tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table([pa.array([1, 2]), pa.array(["111", "222"]), pa.array(["999", "888"])],
                     names=["id", "ssn", "ssn"])
    src = tmp_path / "dup.parquet"
    pq.write_table(table, src)
    for argv in (["anonymize", "--allow-insufficient", src, "--policy", data / "keep.toml", "-o", tmp_path / "o.csv"],
                 ["profile", src]):
        code, stdout, err = run(argv, capsys)
        assert_clean_error(code, err, contains="'ssn' more than once", forbidden=["999", "888"])
    assert not (tmp_path / "o.csv").exists()


# ==========================================================================================
# 12.4 SIGTERM / SIGHUP while writing
# ==========================================================================================
#: runs the CLI with os.replace slowed down: when "READY" is printed, the outputs are complete
#: temporary (.part) files holding the plaintext, about to be renamed
SLOW_RENAME = r"""
import os, sys, time
_real_replace = os.replace
def _slow_replace(*args, **kwargs):
    print("READY", flush=True)
    time.sleep(60)
    return _real_replace(*args, **kwargs)
os.replace = _slow_replace
from sklearn_anon.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("command, signame", [
    ("decrypt", "SIGTERM"), ("anonymize", "SIGHUP"), ("apply", "SIGTERM"),
    ("encrypt", "SIGHUP"),
])
def test_a_signal_while_writing_leaves_no_partial_file(command, signame, data, tmp_path,
                                                       capsys):
    sig = getattr(signal, signame)
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    plain = data / "jan.csv"
    if command == "decrypt":
        assert run(["encrypt", plain, "-o", src / "jan.csv.enc", "--key", f"env:{CRYPT_VAR}"],
                   capsys)[0] == 0
        argv = ["decrypt", src / "jan.csv.enc", "-o", out / "jan.csv"]
        argv += ["--key", f"env:{CRYPT_VAR}"]
    elif command == "encrypt":
        argv = ["encrypt", plain, "-o", out / "jan.csv.enc", "--key", f"env:{CRYPT_VAR}"]
    elif command == "anonymize":
        argv = ["anonymize", "--allow-insufficient", plain, "--policy", data / "policy.toml", "-o", out / "a.csv",
                "--save-pipeline", out / "p.joblib", "--report", out / "r.md"]
    else:
        assert run(["anonymize", "--allow-insufficient", plain, "--policy", data / "policy.toml", "-o", src / "a.csv",
                    "--save-pipeline", src / "p.joblib", "-q"], capsys)[0] == 0
        argv = ["apply", "--allow-insufficient", plain, "--pipeline", src / "p.joblib", "-o", out / "b.csv",
                "--report", out / "r.md"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", SLOW_RENAME, *map(str, argv)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        line = proc.stdout.readline()
        assert line.strip() == "READY", proc.stderr.read()
        partial = [p.name for p in out.iterdir()]
        assert partial and all(n.endswith(".part") for n in partial)  # plaintext on disk now
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        watchdog.cancel()
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    assert proc.returncode == 128 + sig, err
    lines = err.strip().splitlines()
    assert lines == [f"sklearn-anon: error: stopped by {signame}; no partial output is left"]
    assert files_in(out) == []  # no .part file, and no output of the run either


def test_keyboard_interrupt_while_writing_removes_the_outputs(data, tmp_path, capsys,
                                                              monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_anonymize, "_write_report", interrupted)
    code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml",
                        "-o", tmp_path / "a.csv", "--report", tmp_path / "r.md"], capsys)
    assert code == 130
    assert err.strip() == "sklearn-anon: error: interrupted; no partial output is left"
    assert files_in(tmp_path) == []


def test_signal_handlers_are_restored(data, tmp_path, capsys):
    before = signal.getsignal(signal.SIGTERM)
    assert run(["encrypt", data / "jan.csv", "-o", tmp_path / "x.enc", "--key",
                f"env:{CRYPT_VAR}"], capsys)[0] == 0
    assert signal.getsignal(signal.SIGTERM) is before


# ==========================================================================================
# 12.5 categories of the training data in a Parquet file
# ==========================================================================================
OUTLIER = 987654


def _incomes(n, low, high, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"income": rng.integers(low, high, n),
                         "age": rng.integers(20, 70, n),
                         "zipcode": rng.choice(["10001", "10002", "94105", "60601"], n)})


def _dictionary_values(path):
    import pyarrow.parquet as pq

    values = []
    for column in pq.read_table(path).columns:
        for chunk in column.chunks:
            if hasattr(chunk, "dictionary"):
                values += [str(v) for v in chunk.dictionary.to_pylist()]
            else:
                values += [str(v) for v in chunk.to_pylist()]
    return values


def test_parquet_output_holds_no_training_category(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    train = _incomes(120, 20000, 60000, 0)
    train.loc[0, "income"] = OUTLIER
    train.loc[0, "zipcode"] = "99501"  # a ZIP3 seen in training only
    train.to_csv(tmp_path / "train.csv", index=False)
    new = _incomes(40, 20000, 26000, 1)  # low incomes: the outlier's region is not used
    new.to_csv(tmp_path / "new.csv", index=False)
    (tmp_path / "p.toml").write_text(
        '[columns]\nincome = { action = "mondrian" }\nage = { action = "mondrian" }\n'
        'zipcode = { action = "generalize", method = "prefix", n = 3 }\n'
        "[mondrian.default]\nk = 5\n")
    code, _, err = run(["anonymize", "--allow-insufficient", tmp_path / "train.csv", "--policy", tmp_path / "p.toml",
                        "-o", tmp_path / "train.parquet", "--save-pipeline",
                        tmp_path / "p.joblib", "-q"], capsys)
    assert code == 0, err
    pipeline = joblib.load(tmp_path / "p.joblib")["pipeline"]
    fitted = pipeline.transform(new)
    # the fitted categories carry the outlier's exact value and the training-only ZIP3 ...
    assert any(str(OUTLIER) in str(c) for c in fitted["income"].cat.categories)
    assert "995" in list(fitted["zipcode"].cat.categories)
    code, _, err = run(["apply", "--allow-insufficient", tmp_path / "new.csv", "--pipeline", tmp_path / "p.joblib",
                        "-o", tmp_path / "new.parquet", "-q"], capsys)
    assert code == 0, err
    # ... the file written from the new data does not
    values = _dictionary_values(tmp_path / "new.parquet")
    assert not any(str(OUTLIER) in v for v in values)
    assert "995" not in values
    written = pd.read_parquet(tmp_path / "new.parquet")
    assert set(written["income"].cat.categories) == set(written["income"].astype(str))
    assert written["income"].astype(str).tolist() == fitted["income"].astype(str).tolist()


def test_table_bytes_drops_unused_categories_of_every_column():
    pytest.importorskip("pyarrow")
    import io

    frame = pd.DataFrame({
        "a": pd.Categorical(["x", "y"], categories=["x", "y", "secret-a"]),
        "b": pd.Categorical(["u", "u"], categories=["secret-b", "u"], ordered=True),
        "c": [1, 2],
    })
    back = pd.read_parquet(io.BytesIO(_io.table_bytes(frame, "parquet")))
    assert list(back["a"].cat.categories) == ["x", "y"]
    assert list(back["b"].cat.categories) == ["u"] and back["b"].cat.ordered
    assert b"secret" not in _io.table_bytes(frame, "parquet")
    assert list(frame["a"].cat.categories) == ["x", "y", "secret-a"]  # the input is untouched


# ==========================================================================================
# 12.12 operations: full disk, symlinks, non-regular files, key file modes, 0600
# ==========================================================================================
class _FullDiskOS:
    """``os`` for _crypto with writes to the temporary file of ``victim`` failing (ENOSPC)."""

    def __init__(self, real, victim):
        self._real, self._victim = real, victim

    def __getattr__(self, name):
        return getattr(self._real, name)

    def fdopen(self, fd, *args, **kwargs):
        fh = self._real.fdopen(fd, *args, **kwargs)
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        return _FullFile(fh) if name.startswith(f".{self._victim}.") else fh


class _FullFile:
    def __init__(self, fh):
        self._fh = fh

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
@pytest.mark.parametrize("victim", ["r.md", "p.joblib", "a.csv"])
def test_a_full_disk_leaves_none_of_the_outputs(victim, data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_crypto, "os", _FullDiskOS(os, victim))
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml",
                        "-o", out / "a.csv", "--save-pipeline", out / "p.joblib",
                        "--report", out / "r.md"], capsys)
    assert_clean_error(code, err, contains=f"cannot write '{out / victim}': No space left")
    assert files_in(out) == []  # before: the release file stayed, with exit 1


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_a_full_disk_in_apply_and_profile(data, tmp_path, capsys, monkeypatch):
    assert run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml", "-o",
                tmp_path / "a.csv", "--save-pipeline", tmp_path / "p.joblib", "-q"], capsys)[0] == 0
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(_crypto, "os", _FullDiskOS(os, "r.html"))
    code, _, err = run(["apply", "--allow-insufficient", data / "jan.csv", "--pipeline", tmp_path / "p.joblib",
                        "-o", out / "b.csv", "--report", out / "r.html"], capsys)
    assert_clean_error(code, err, contains="r.html': No space left")
    code, _, err = run(["profile", data / "jan.csv", "--html", out / "r.html",
                        "--suggest-policy", out / "s.toml"], capsys)
    assert_clean_error(code, err, contains="r.html': No space left")
    assert files_in(out) == []


def test_a_failing_rename_removes_what_was_committed(tmp_path, monkeypatch):
    real = os.replace
    calls = []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(_crypto.OutputError, match="cannot write '.*b.txt'"):
        with _crypto.OutputSet() as outputs:
            for name in ("a.txt", "b.txt"):
                with outputs.open(tmp_path / name) as fh:
                    fh.write(b"x")
    assert files_in(tmp_path) == []


def test_output_through_a_symlink_writes_its_target(data, tmp_path, capsys):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "release.csv"
    target.write_text("old\n")
    link = tmp_path / "release.csv"
    link.symlink_to(target)
    code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml",
                        "-o", link, "-q"], capsys)
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)  # the link is kept
    assert target.read_text().startswith("zipcode,")  # its target holds the release
    # the manifest is written beside the path given (the link), as a regular file
    assert files_in(real_dir) == ["release.csv"] and sorted(files_in(tmp_path)) == [
        "real", "release.csv", "release.csv.manifest.json"]
    # decrypt/encrypt write through a link the same way
    enc_target = real_dir / "x.enc"
    enc_link = tmp_path / "x.enc"
    enc_target.write_bytes(b"")
    enc_link.symlink_to(enc_target)
    assert run(["encrypt", data / "jan.csv", "-o", enc_link, "--key", f"env:{CRYPT_VAR}"],
               capsys)[0] == 0
    assert enc_link.is_symlink() and enc_target.read_bytes()[:8] == b"SKANONE1"


def test_output_symlink_to_a_missing_file_is_refused(data, tmp_path, capsys):
    link = tmp_path / "release.csv"
    link.symlink_to(tmp_path / "nowhere" / "x.csv")
    code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml",
                        "-o", link], capsys)
    assert_clean_error(code, err, contains="symbolic link to a missing file")
    assert link.is_symlink()


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="POSIX")
def test_non_regular_files_are_named_as_such(data, tmp_path, capsys):
    code, _, err = run(["encrypt", "/dev/null", "-o", tmp_path / "x.enc", "--key",
                        f"env:{CRYPT_VAR}"], capsys)
    assert_clean_error(code, err, contains="'/dev/null' is not a regular file")
    assert "does not exist" not in err
    code, _, err = run(["anonymize", "--allow-insufficient", "/dev/null", "--policy", data / "policy.toml", "-o",
                        tmp_path / "x.csv"], capsys)
    assert_clean_error(code, err, contains="'/dev/null' is not a regular file")
    code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml",
                        "-o", "/dev/null"], capsys)
    assert_clean_error(code, err, contains="'/dev/null': it is not a regular file")
    code, _, err = run(["encrypt", tmp_path / "missing", "-o", tmp_path / "x.enc", "--key",
                        f"env:{CRYPT_VAR}"], capsys)
    assert_clean_error(code, err, contains="does not exist")
    assert files_in(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_key_file_others_can_read_gets_a_warning(data, tmp_path, capsys):
    key = tmp_path / "transfer.key"
    assert run(["keygen", "-o", key, "-q"], capsys)[0] == 0
    argv = ["encrypt", data / "jan.csv", "-o", tmp_path / "x.enc", "--key", f"file:{key}", "-q"]
    code, _, err = run(argv, capsys)
    assert code == 0 and err == ""  # 0600: no warning
    key.chmod(0o644)
    code, _, err = run(argv, capsys)
    assert code == 0
    assert err.strip() == (f"sklearn-anon: warning: key file '{key}' is accessible by its group "
                           f"or by others (mode 0644): make it readable by you only, "
                           f"'chmod 600 {key}'")
    key.chmod(0o640)
    code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml", "-o",
                        tmp_path / "y.csv.enc", "--encrypt-key", f"file:{key}", "-q"], capsys)
    assert code == 0 and "mode 0640" in err


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_outputs_are_created_0600(data, tmp_path, capsys):
    old = os.umask(0o022)
    try:
        code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml",
                            "-o", tmp_path / "a.csv", "--save-pipeline", tmp_path / "p.joblib",
                            "--report", tmp_path / "r.json", "-q"], capsys)
    finally:
        os.umask(old)
    assert code == 0, err
    for name in ("a.csv", "p.joblib", "r.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


# ==========================================================================================
# 12.13 saved pipelines record the versions that wrote them
# ==========================================================================================
@pytest.fixture
def saved(data, tmp_path, capsys):
    pipe = tmp_path / "p.joblib"
    code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml",
                        "-o", tmp_path / "a.csv", "--save-pipeline", pipe, "-q"], capsys)
    assert code == 0, err
    return pipe


def test_the_bundle_records_the_library_versions(saved):
    import sklearn

    import sklearn_anon

    bundle = joblib.load(saved)
    assert bundle["versions"] == {"sklearn_anon": sklearn_anon.__version__,
                                  "scikit-learn": sklearn.__version__,
                                  "pandas": pd.__version__, "numpy": np.__version__}
    assert hasattr(bundle["pipeline"], "transform")  # joblib.load gives the pipeline itself


OLD = {"sklearn_anon": "0.0.7", "scikit-learn": "1.2.2", "pandas": "1.5.3", "numpy": "1.24.0"}


def test_other_versions_are_named_with_a_warning(saved, data, tmp_path, capsys):
    bundle = joblib.load(saved)
    bundle["versions"] = dict(OLD)
    bundle["pipeline"] = _bundle._PicklePayload(bundle["pipeline"])
    joblib.dump(bundle, saved)
    code, _, err = run(["apply", "--allow-insufficient", data / "jan.csv", "--pipeline", saved, "-o",
                        tmp_path / "b.csv"], capsys)
    assert code == 0, err
    assert ("sklearn-anon: warning: pipeline '" in err and "was written by sklearn_anon 0.0.7, "
            "scikit-learn 1.2.2, pandas 1.5.3, numpy 1.24.0" in err)
    assert "only the same minor versions of sklearn_anon and scikit-learn" in err


class _Gone:
    """A class that does not exist where the pipeline is loaded (as after an upgrade)."""

    def transform(self, X):  # pragma: no cover
        return X


def test_a_pipeline_that_cannot_be_loaded_names_the_versions(saved, data, tmp_path, capsys,
                                                            monkeypatch):
    import types

    module = types.ModuleType("sklearn_anon_gone_module")
    monkeypatch.setattr(_Gone, "__module__", module.__name__)
    module._Gone = _Gone
    monkeypatch.setitem(sys.modules, module.__name__, module)
    bundle = joblib.load(saved)
    bundle["versions"] = dict(OLD)
    bundle["pipeline"] = _bundle._PicklePayload(_Gone())
    joblib.dump(bundle, saved)
    monkeypatch.delitem(sys.modules, module.__name__)
    code, _, err = run(["apply", "--allow-insufficient", data / "jan.csv", "--pipeline", saved, "-o",
                        tmp_path / "b.csv"], capsys)
    assert_clean_error(code, err, contains="was written by sklearn_anon 0.0.7, scikit-learn "
                       "1.2.2, pandas 1.5.3, numpy 1.24.0 and cannot be loaded with sklearn_anon ")
    assert "ModuleNotFoundError" in err and "not a pipeline saved by" not in err
    assert not (tmp_path / "b.csv").exists()


def test_a_damaged_file_is_still_not_a_pipeline(data, tmp_path, capsys):
    bad = tmp_path / "p.joblib"
    bad.write_bytes(b"not a pickle")
    code, _, err = run(["apply", "--allow-insufficient", data / "jan.csv", "--pipeline", bad, "-o", tmp_path / "b.csv"],
                       capsys)
    assert_clean_error(code, err, contains="is not a pipeline saved by sklearn-anon")


class _RawPickle:
    """Pickled as the given pickle bytes (``pickle.loads(raw)`` when loaded)."""

    def __init__(self, raw):
        self.raw = raw

    def __reduce__(self):
        import pickle

        return (pickle.loads, (self.raw,))


def test_a_bundle_naming_the_old_module_path_loads(saved, data, tmp_path, capsys):
    # every bundle written before the command line became a package (issue 14.1) names
    # sklearn_anon.cli._unpickle_pipeline: a GLOBAL opcode written by hand, as then
    import pickle
    import struct

    bundle = joblib.load(saved)
    inner = pickle.dumps(bundle["pipeline"], protocol=pickle.HIGHEST_PROTOCOL)
    raw = (b"\x80\x03csklearn_anon.cli\n_unpickle_pipeline\n"
           + b"B" + struct.pack("<I", len(inner)) + inner + b"\x85R.")
    assert hasattr(pickle.loads(raw), "transform")
    bundle["pipeline"] = _RawPickle(raw)
    joblib.dump(bundle, saved)
    code, _, err = run(["apply", "--allow-insufficient", data / "jan.csv", "--pipeline", saved, "-o",
                        tmp_path / "b.csv", "-q"], capsys)
    assert code == 0, err
    assert (tmp_path / "b.csv").is_file()


def test_bundles_still_name_the_old_module_path():
    # a bundle written now is the same file as before the split: it loads with the
    # previous release too (where sklearn_anon.cli._bundle does not exist)
    import pickle
    import pickletools

    data = pickle.dumps(_bundle._PicklePayload({"a": 1}), protocol=pickle.HIGHEST_PROTOCOL)
    strings = [arg for _, arg, _ in pickletools.genops(data) if isinstance(arg, str)]
    assert strings[:2] == ["sklearn_anon.cli", "_unpickle_pipeline"]
    assert pickle.loads(data) == {"a": 1}


def test_the_old_crypto_module_path_is_a_shim():
    # examples and benchmarks import sklearn_anon._crypto (moved into the cli package)
    from sklearn_anon import _crypto as old

    assert old.__all__
    for name in old.__all__:
        assert getattr(old, name) is getattr(_crypto, name), name


# ==========================================================================================
# 12.7 (CLI side) another key at apply than at fit
# ==========================================================================================
def test_apply_with_another_key_is_refused(saved, data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(KEY_VAR, "another-key-than-at-fit")
    code, _, err = run(["apply", "--allow-insufficient", data / "jan.csv", "--pipeline", saved, "-o",
                        tmp_path / "b.csv"], capsys)
    assert_clean_error(code, err, contains="key", forbidden=["another-key-than-at-fit",
                                                             "fail-closed-test-pseudonym-key"])
    assert not (tmp_path / "b.csv").exists()


# ==========================================================================================
# 12.3 (CLI side) no message quotes a cell value
# ==========================================================================================
SECRET = "Zz-SECRET-4242"


@pytest.mark.parametrize("content, policy", [
    # a row with one field too many
    (f"id,amount\n1,5\n2,6,{SECRET}\n", '[columns]\namount = "keep"\n'),
    # a quoted field never closed
    (f'id,amount\n1,5\n2,"{SECRET}\n', '[columns]\namount = "keep"\n'),
    # a value that is not of the policy's dtype
    (f"id,amount\n1,5\n2,{SECRET}\n", '[columns]\namount = { action = "keep", dtype = "int" }\n'),
    (f"id,amount\n1,5\n2,{SECRET}\n",
     '[columns]\namount = { action = "keep", dtype = "datetime" }\n'),
    # a text value in a numeric anonymizer's column
    (f"id,amount\n1,5\n2,{SECRET}\n",
     '[columns]\namount = { action = "laplace", epsilon = 1.0, bounds = [0, 10] }\n'),
    (f"id,amount\n1,5\n2,{SECRET}\n",
     '[columns]\namount = { action = "generalize", method = "topcode", upper = 3 }\n'),
])
def test_messages_never_quote_a_planted_value(content, policy, tmp_path, capsys):
    (tmp_path / "in.csv").write_text(content)
    (tmp_path / "p.toml").write_text(policy)
    code, out, err = run(["anonymize", "--allow-insufficient", tmp_path / "in.csv", "--policy", tmp_path / "p.toml",
                          "-o", tmp_path / "o.csv", "--report", tmp_path / "r.md"], capsys)
    assert code == 1
    assert SECRET not in err and SECRET not in out


def test_a_date_out_of_range_is_not_quoted(tmp_path, capsys):
    dates = pd.date_range("1950-01-01", periods=30, freq="400D").strftime("%Y-%m-%d").tolist()
    dates[3] = "2500-01-01"
    pd.DataFrame({"bd": dates, "x": range(30)}).to_csv(tmp_path / "in.csv", index=False)
    (tmp_path / "p.toml").write_text('[columns]\nbd = { action = "mondrian", dtype = "datetime" }'
                                     '\nx = { action = "mondrian" }\n[mondrian.default]\nk = 3\n')
    code, out, err = run(["anonymize", "--allow-insufficient", tmp_path / "in.csv", "--policy", tmp_path / "p.toml",
                          "-o", tmp_path / "o.csv", "-q"], capsys)
    assert code in (0, 1)  # 0 once Mondrian supports the whole datetime range
    assert "2500" not in err


def test_only_the_packages_own_messages_are_shown(capsys):
    from sklearn_anon.cli._crypto import parse_key

    def foreign():
        return pd.Timestamp(SECRET)  # pandas' message quotes the value

    with pytest.raises(cli.UserError) as info:
        _errors._guarded(foreign, "anonymize", [])
    assert SECRET not in str(info.value)
    assert "Error raised in pandas (its message is not shown" in str(info.value)

    # raised by numpy's C code called from the package: the package's frame is not a raise
    from sklearn_anon.generalize import _common as generalize

    if hasattr(generalize, "_checked_edges"):
        with pytest.raises(cli.UserError) as info:
            _errors._guarded(lambda: generalize._checked_edges([0, SECRET], ""), "anonymize", [])
        assert SECRET not in str(info.value)
        assert "ValueError raised in sklearn_anon (its message is not shown" in str(info.value)

    with pytest.raises(cli.UserError, match="anonymize: column 'x' is not a 256-bit key"):
        _errors._guarded(lambda: parse_key(SECRET, where="column 'x'"), "anonymize", [])


# ==========================================================================================
# 12.8 (CLI side) a wrong policy stops the run before the data is even looked at
# ==========================================================================================
@pytest.mark.parametrize("rule, key", [
    ('{ action = "generalize", method = "interval", bins = [0, "x", 1e12] }', "bins"),
    ('{ action = "mondrian", k = true }', "k"),
])
def test_a_wrong_policy_value_is_refused_before_reading_the_data(rule, key, tmp_path, capsys):
    (tmp_path / "p.toml").write_text(f"[columns]\nincome = {rule}\n")
    # the data file does not even exist: the policy is checked first
    code, _, err = run(["anonymize", "--allow-insufficient", tmp_path / "missing.csv", "--policy", tmp_path / "p.toml",
                        "-o", tmp_path / "o.csv"], capsys)
    assert_clean_error(code, err, contains=f"policy 'p.toml': column 'income': key '{key}'")


def test_an_old_bundle_that_cannot_be_loaded_names_its_version(data, tmp_path, capsys,
                                                               monkeypatch):
    # the first bundle format pickled the pipeline directly: when that fails, the version
    # recorded in front of it is still read off the pickle stream
    import types

    module = types.ModuleType("sklearn_anon_gone_module_v1")
    monkeypatch.setattr(_Gone, "__module__", module.__name__)
    module._Gone = _Gone
    monkeypatch.setitem(sys.modules, module.__name__, module)
    pipe = tmp_path / "old.joblib"
    joblib.dump({"format": cli.PIPELINE_FORMAT, "version": 1, "sklearn_anon_version": "0.0.3",
                 "pipeline": _Gone(), "input_columns": ["a"]}, pipe)
    monkeypatch.delitem(sys.modules, module.__name__)
    code, _, err = run(["apply", "--allow-insufficient", data / "jan.csv", "--pipeline", pipe, "-o", tmp_path / "b.csv"],
                       capsys)
    assert_clean_error(code, err, contains="was written by sklearn_anon 0.0.3 and cannot be "
                       "loaded with sklearn_anon ")
