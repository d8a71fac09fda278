"""The ``sklearn-anon`` command: every subcommand, its errors and exit codes.

Most tests call :func:`sklearn_anon.cli.main` in-process; two run the
installed console script / ``python -m sklearn_anon`` in a subprocess.
"""

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import joblib
import pandas as pd
import pytest

from sklearn_anon import cli
from sklearn_anon.cli import _anonymize, _main, _parser, _progress
from sklearn_anon.cli._crypto import decrypt_bytes, load_key
from sklearn_anon.cli import main
from sklearn_anon.datasets import make_customers
from sklearn_anon.metrics import k_anonymity, l_diversity

KEY_VAR = "SKLEARN_ANON_TEST_CLI_KEY"
CRYPT_VAR = "SKLEARN_ANON_TEST_CLI_CRYPT"

#: deterministic policy (no noise), so that runs can be compared byte for byte
POLICY = f"""
[keys]
default = "env:{KEY_VAR}"

[report]
quasi_identifiers = ["zipcode", "birthdate", "sex", "income"]
k = 3

[columns]
name = "drop"
ssn = "drop"
email = {{ action = "pseudonymize", length = 16 }}
zipcode = {{ action = "generalize", method = "prefix", n = 3, width = 5, min_count = 10 }}
birthdate = {{ action = "generalize", method = "age", reference_date = "2024-01-01", bins = [18, 35, 50, 65, 120] }}
income = {{ action = "generalize", method = "interval", bins = [0, 25000, 50000, 100000, 1e12], right = false }}
sex = "keep"
golf = "keep"
"""


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv(KEY_VAR, "cli-test-pseudonym-key")
    monkeypatch.setenv(CRYPT_VAR, "q0Nq2y0cxqvB0J4Y2wmZ3h0x1oN2kYtT3mP6d8c9a0E=")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Two months of customers as CSV, plus the policy."""
    folder = tmp_path_factory.mktemp("cli")
    make_customers(n_samples=300, random_state=0).to_csv(folder / "jan.csv", index=False)
    make_customers(n_samples=200, random_state=1).to_csv(folder / "feb.csv", index=False)
    (folder / "policy.toml").write_text(POLICY)
    return folder


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_error(code, err, *, contains, forbidden=()):
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sklearn-anon: error: "), err
    assert contains in lines[0], err
    assert "Traceback" not in err
    for value in forbidden:
        assert str(value) not in err


def no_leftovers(folder, allowed):
    """Only the expected files are in the folder (no temporary/partial file)."""
    names = {p.name for p in Path(folder).iterdir()}
    assert names <= set(allowed), names - set(allowed)


# -- anonymize / apply / encrypt / decrypt: the must-show chain -------------------------------------
def test_anonymize_apply_encrypt_decrypt_round_trip(data, tmp_path, capsys):
    out = tmp_path / "jan_anon.csv"
    pipe = tmp_path / "pipeline.joblib"
    report = tmp_path / "report.md"
    code, stdout, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml",
                             "-o", out, "--save-pipeline", pipe, "--report", report], capsys)
    assert code == 0, err
    # not a terminal: no progress bar; the failed verdict (k=1 on 300 rows) is one warning line
    assert err.startswith("sklearn-anon: warning: anonymize: the release fails its verdict")
    assert err.count("\n") == 1 and "written anyway (--allow-insufficient)" in err
    assert "not in the policy, dropped: street_address" in stdout
    assert "verdict:" in stdout and "k (smallest class)" in stdout
    anon = pd.read_csv(out, dtype=str)
    raw = pd.read_csv(data / "jan.csv", dtype=str)
    assert list(anon.columns) == ["zipcode", "income", "sex", "birthdate", "email", "golf"]
    assert len(anon) == len(raw)
    assert not set(anon["email"]) & set(raw["email"])
    assert anon["zipcode"].str.fullmatch(r"\d{3}|OTHER|\*").all()
    assert report.read_text().startswith("# Privacy report")
    bundle = joblib.load(pipe)
    assert bundle["format"] == cli.PIPELINE_FORMAT
    assert "cli-test-pseudonym-key" not in repr(bundle["pipeline"])  # only the reference

    # apply to the same month: identical to anonymize; to next month: same pipeline
    again = tmp_path / "jan_again.csv"
    code, stdout, err = run(["apply", "--allow-insufficient", data / "jan.csv", "--pipeline", pipe, "-o", again], capsys)
    assert code == 0, err
    assert again.read_bytes() == out.read_bytes()
    feb = tmp_path / "feb_anon.csv"
    code, stdout, err = run(["apply", "--allow-insufficient", data / "feb.csv", "--pipeline", pipe, "-o", feb,
                             "--report", tmp_path / "feb.html"], capsys)
    assert code == 0, err
    feb_anon = pd.read_csv(feb, dtype=str)
    expected = bundle["pipeline"].transform(
        cli.read_table(data / "feb.csv", dtypes=bundle["read_dtypes"])[bundle["input_columns"]])
    assert (feb_anon.to_numpy() == expected.astype(str).to_numpy()).all()
    assert (tmp_path / "feb.html").read_text().startswith("<!DOCTYPE html>")

    # encrypt / decrypt: byte-identical plaintext
    enc, dec = tmp_path / "feb.csv.enc", tmp_path / "feb_dec.csv"
    code, stdout, err = run(["encrypt", feb, "-o", enc, "--key", f"env:{CRYPT_VAR}"], capsys)
    assert code == 0, err
    assert enc.read_bytes()[:8] == b"SKANONE1"
    assert b"zipcode" not in enc.read_bytes()
    code, stdout, err = run(["decrypt", enc, "-o", dec, "--key", f"env:{CRYPT_VAR}"], capsys)
    assert code == 0, err
    assert dec.read_bytes() == feb.read_bytes()

    # a wrong key fails cleanly and writes nothing
    wrong = tmp_path / "keyfile"
    assert run(["keygen", "-o", wrong], capsys)[0] == 0
    before = {p.name for p in tmp_path.iterdir()}
    code, stdout, err = run(["decrypt", enc, "-o", tmp_path / "bad.csv", "--key", f"file:{wrong}"],
                            capsys)
    assert_clean_error(code, err, contains="wrong key")
    assert {p.name for p in tmp_path.iterdir()} == before


def test_anonymize_writes_encrypted_output_directly(data, tmp_path, capsys):
    plain, enc = tmp_path / "plain.csv", tmp_path / "out.csv.enc"
    base = ["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml", "-q"]
    assert run(base + ["-o", plain], capsys)[0] == 0
    code, stdout, err = run(base + ["-o", enc, "--encrypt-key", f"env:{CRYPT_VAR}"], capsys)
    assert code == 0, err
    assert stdout == ""  # --quiet: no information, only warnings (issue 15.7)
    assert all(line.startswith("sklearn-anon: warning: ") for line in err.strip().splitlines())
    assert decrypt_bytes(enc.read_bytes(), load_key(f"env:{CRYPT_VAR}")) == plain.read_bytes()
    no_leftovers(tmp_path, {"plain.csv", "out.csv.enc", "plain.csv.manifest.json",
                            "out.csv.enc.manifest.json"})
    # an encrypted file is not read as data
    code, _, err = run(["anonymize", "--allow-insufficient", enc, "--policy", data / "policy.toml", "-o",
                        tmp_path / "x.csv"], capsys)
    assert_clean_error(code, err, contains="is encrypted: decrypt it first")


def test_parquet_in_and_out(data, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    src = tmp_path / "jan.parquet"
    make_customers(n_samples=300, random_state=0).to_parquet(src)
    out = tmp_path / "anon.parquet"
    code, _, err = run(["anonymize", "--allow-insufficient", src, "--policy", data / "policy.toml", "-o", out, "-q"],
                       capsys)
    assert code == 0, err
    anon = pd.read_parquet(out)
    assert list(anon.columns) == ["zipcode", "income", "sex", "birthdate", "email", "golf"]
    assert len(anon) == 300
    csv_out = tmp_path / "anon.csv"
    assert run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml", "-o", csv_out,
                "-q"], capsys)[0] == 0
    # same anonymization whatever the container (birthdate typed in Parquet, text in CSV)
    pd.testing.assert_frame_equal(anon.astype(str), pd.read_csv(csv_out, dtype=str).astype(str))


# -- bad input: one clear line, non-zero exit, nothing half-written --------------------------------
BAD_INPUTS = {
    "malformed.csv": (b"zipcode,income,sex\n2116,52000,F\n10001,61000,M,extra\n94105,48000,F\n",
                      "line 3 has 4 fields, the header 3"),
    "empty.csv": (b"", "is empty"),
    "latin1.csv": ("zipcode,income,sex,name\n2116,52000,F,Ren\u00e9e\n".encode("latin-1"),
                   "is not valid utf-8 text"),
    "header_only.csv": (b"zipcode,income,sex\n", "has a header but no rows"),
    "unclosed_quote.csv": (b'zipcode,income,sex\n2116,"52000,F\n', "a quoted field is never closed"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_files(name, tmp_path, capsys):
    content, message = BAD_INPUTS[name]
    (tmp_path / name).write_bytes(content)
    (tmp_path / "p.toml").write_text('[columns]\nzipcode = "keep"\n')
    out = tmp_path / "out.csv"
    out.write_text("previous run\n")
    code, stdout, err = run(["anonymize", "--allow-insufficient", tmp_path / name, "--policy", tmp_path / "p.toml",
                             "-o", out], capsys)
    assert_clean_error(code, err, contains=message, forbidden=["52000", "Ren", "extra"])
    assert out.read_text() == "previous run\n"  # untouched
    no_leftovers(tmp_path, {name, "p.toml", "out.csv"})


def test_policy_naming_a_missing_column(data, tmp_path, capsys):
    (tmp_path / "p.toml").write_text('[columns]\nzipcode = "keep"\nincome_band = "keep"\n')
    out = tmp_path / "out.csv"
    code, _, err = run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", tmp_path / "p.toml", "-o", out],
                       capsys)
    assert_clean_error(code, err, contains="policy 'p.toml': column 'income_band': not found in the data")
    assert not out.exists()
    no_leftovers(tmp_path, {"p.toml"})


@pytest.mark.parametrize(
    "policy, message",
    [
        ('[columns]\nincome = { action = "generalize", method = "interval", binz = 3 }',
         "column 'income': unknown parameter 'binz' for action 'generalize'"),
        ('[columns]\nincome = { action = "laplace", epsilon = "big" }',
         "column 'income': The 'epsilon' parameter of action 'laplace' must be"),
        ('[columns]\nemail = { action = "pseudonymize", key = "hunter2" }',
         "column 'email': key 'key' must be a reference"),
        ("[columns\n", "not valid TOML"),
    ],
)
def test_wrong_policy_is_refused_before_the_data_is_read(policy, message, tmp_path, capsys):
    (tmp_path / "p.toml").write_text(policy)
    # the data file does not even exist: the policy is checked first
    code, _, err = run(["anonymize", "--allow-insufficient", tmp_path / "missing.csv", "--policy", tmp_path / "p.toml",
                        "-o", tmp_path / "o.csv"], capsys)
    assert_clean_error(code, err, contains=message)


def test_errors_of_the_anonymizers_are_clean(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("income,x\nabout 4921,1\nplenty,2\n")
    (tmp_path / "p.toml").write_text(
        '[columns]\nincome = { action = "laplace", epsilon = 1.0, bounds = [0, 10] }\n')
    code, _, err = run(["anonymize", "--allow-insufficient", tmp_path / "d.csv", "--policy", tmp_path / "p.toml", "-o",
                        tmp_path / "o.csv"], capsys)
    assert_clean_error(code, err, contains="anonymize: ", forbidden=["4921", "plenty"])
    assert "'income'" in err
    (tmp_path / "q.toml").write_text('[columns]\nx = { action = "keep", dtype = "int" }\nbirthdate = "drop"\n')
    (tmp_path / "e.csv").write_text("birthdate,x\n1990-01-01,12abc\n")
    code, _, err = run(["anonymize", "--allow-insufficient", tmp_path / "e.csv", "--policy", tmp_path / "q.toml", "-o",
                        tmp_path / "o.csv"], capsys)
    assert_clean_error(code, err, contains="column 'x' cannot be read as int", forbidden=["12abc"])
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["anonymize", "--allow-insufficient", "{d}/nope.csv", "--policy", "{d}/policy.toml", "-o", "{t}/o.csv"],
         "does not exist"),
        (["anonymize", "--allow-insufficient", "{d}/jan.csv", "--policy", "{d}/nope.toml", "-o", "{t}/o.csv"],
         "policy: file"),
        (["anonymize", "--allow-insufficient", "{d}/jan.csv", "--policy", "{d}/policy.toml", "-o", "{t}/no/dir/o.csv"],
         "output folder"),
        (["anonymize", "--allow-insufficient", "{d}/jan.csv", "--policy", "{d}/policy.toml", "-o", "{d}/jan.csv"],
         "is also an input"),
        (["anonymize", "--allow-insufficient", "{d}/jan.csv", "--policy", "{d}/policy.toml", "-o", "{t}/o.csv",
          "--encrypt-key", "s3cr3t-literal"], "not as a literal"),
        (["anonymize", "--allow-insufficient", "{d}/jan.csv", "--policy", "{d}/policy.toml", "-o", "{t}/o.csv",
          "--encrypt-key", "env:SKLEARN_ANON_SURELY_UNSET"], "'SKLEARN_ANON_SURELY_UNSET'"),
        (["apply", "--allow-insufficient", "{d}/jan.csv", "--pipeline", "{d}/policy.toml", "-o", "{t}/o.csv"],
         "is not a pipeline saved by sklearn-anon"),
        (["encrypt", "{d}/nope.csv", "-o", "{t}/o.enc", "--key", "env:" + CRYPT_VAR],
         "does not exist"),
        (["encrypt", "{d}/jan.csv", "-o", "{t}/o.enc", "--key", "hunter2"], "not as a literal"),
        (["encrypt", "{d}/jan.csv", "-o", "{t}/o.enc", "--key", "file:{d}/policy.toml"],
         "is not a 256-bit key"),
        (["decrypt", "{d}/jan.csv", "-o", "{t}/o.csv", "--key", "env:" + CRYPT_VAR],
         "is not a file encrypted by sklearn-anon"),
        (["profile", "{d}/nope.csv"], "does not exist"),
        (["profile", "{d}/jan.csv", "--quasi-identifiers", "zipcode,shoe_size"],
         "'shoe_size' is not a column"),
    ],
)
def test_user_errors(argv, message, data, tmp_path, capsys):
    argv = [a.format(d=data, t=tmp_path) for a in argv]
    code, _, err = run(argv, capsys)
    assert_clean_error(code, err, contains=message, forbidden=["cli-test-pseudonym-key"])
    no_leftovers(tmp_path, set())


def test_apply_with_a_missing_column(data, tmp_path, capsys):
    pipe = tmp_path / "p.joblib"
    assert run(["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml", "-o",
                tmp_path / "a.csv", "--save-pipeline", pipe, "-q"], capsys)[0] == 0
    pd.read_csv(data / "feb.csv").drop(columns=["zipcode"]).to_csv(tmp_path / "feb.csv", index=False)
    code, _, err = run(["apply", "--allow-insufficient", tmp_path / "feb.csv", "--pipeline", pipe, "-o", tmp_path / "o.csv"],
                       capsys)
    assert_clean_error(code, err, contains="column 'zipcode', which the pipeline was fitted with")
    assert not (tmp_path / "o.csv").exists()


def test_apply_accepts_a_plain_joblib_transformer(tmp_path, capsys):
    from sklearn_anon import IntervalGeneralizer

    frame = pd.DataFrame({"age": [23, 35, 47, 61]})
    est = IntervalGeneralizer(bins=[0, 30, 50, 120]).set_output(transform="pandas").fit(frame)
    joblib.dump(est, tmp_path / "est.joblib")
    frame.to_csv(tmp_path / "d.csv", index=False)
    code, _, err = run(["apply", "--allow-insufficient", tmp_path / "d.csv", "--pipeline", tmp_path / "est.joblib", "-o",
                        tmp_path / "o.csv", "-q"], capsys)
    assert code == 0, err
    assert pd.read_csv(tmp_path / "o.csv")["age"].tolist() == ["(0, 30]", "(30, 50]", "(30, 50]",
                                                               "(50, 120]"]


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["anonymize", "--allow-insufficient", "x.csv"]) == 2  # --policy and -o missing
    assert "required" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2
    assert main(["--version"]) == 0
    assert "sklearn-anon" in capsys.readouterr().out


def test_unexpected_errors_hide_their_message(monkeypatch, capsys, tmp_path):
    def boom(args):
        raise RuntimeError("cell value 123-45-6789")

    monkeypatch.setattr(_parser, "cmd_keygen", boom)  # build_parser looks it up
    code, _, err = run(["keygen"], capsys)
    assert code == cli.EXIT_INTERNAL
    assert "RuntimeError" in err and "123-45-6789" not in err
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(RuntimeError):
        main(["keygen", "--debug"])


# -- profile, keygen, demo -------------------------------------------------------------------------
def test_profile(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKLEARN_ANON_KEY", "the key the suggested policy refers to")
    html, suggestion = tmp_path / "profile.html", tmp_path / "policy.toml"
    code, out, err = run(["profile", data / "jan.csv", "--html", html, "--suggest-policy",
                          suggestion], capsys)
    assert code == 0, err
    assert out.startswith("# Profile of 'jan.csv'")
    assert "| ssn | str | direct_identifier | ssn |" in out.replace("object", "str")
    assert "| sample uniqueness | 100.00% |" in out
    raw = pd.read_csv(data / "jan.csv", dtype=str)
    for column in ("name", "email", "ssn", "zipcode"):  # no cell value is printed
        assert not any(v in out or v in html.read_text() for v in raw[column].head(20))
    assert html.read_text().startswith("<!DOCTYPE html>")
    # the suggested policy runs as it is
    code, _, err = run(["anonymize", data / "jan.csv", "--policy", suggestion, "-o",
                        tmp_path / "o.csv", "-q"], capsys)
    assert code == 0, err
    written = pd.read_csv(tmp_path / "o.csv", dtype=str)
    assert "ssn" not in written.columns and "name" not in written.columns
    code, out, _ = run(["profile", data / "jan.csv", "--quasi-identifiers", "sex,golf"], capsys)
    assert code == 0 and "Quasi-identifiers: sex, golf" in out


def test_keygen(tmp_path, capsys, monkeypatch):
    code, out, _ = run(["keygen"], capsys)
    assert code == 0
    monkeypatch.setenv("SKLEARN_ANON_TEST_NEW_KEY", out.strip())
    assert len(load_key("env:SKLEARN_ANON_TEST_NEW_KEY")) == 32
    path = tmp_path / "k"
    assert run(["keygen", "-o", path], capsys)[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(load_key(f"file:{path}")) == 32
    code, _, err = run(["keygen", "-o", path], capsys)
    assert_clean_error(code, err, contains="already exists")


def test_demo(tmp_path, capsys):
    code, out, err = run(["demo", "--output-dir", tmp_path, "--n-samples", "800"], capsys)
    assert code == 0, err
    assert "k (smallest class)" in out
    assert "trained on raw data:" in out and "trained on anonymized data:" in out
    assert f"outputs in {tmp_path}" in out
    for name in ("customers_anonymized.csv", "pipeline.joblib", "report.html", "policy.toml"):
        assert (tmp_path / name).is_file()
    anon = pd.read_csv(tmp_path / "customers_anonymized.csv")
    assert "ssn" not in anon and "name" not in anon
    # the built-in policy is k-anonymous (Mondrian, k=10) and passes its own verdict
    assert k_anonymity(anon, ["zipcode", "birthdate", "sex", "income"]) >= 10
    assert "verdict: sufficient" in out
    # next month through last month's regions is measured too, and withheld when it fails
    assert "next month's" in out
    next_file = tmp_path / "customers_next_month_anonymized.csv"
    assert ("verdict insufficient" in out) != next_file.exists()


def test_demo_next_command_works(tmp_path, capsys, monkeypatch):
    # issue 15: the printed next: command needs the key, which the demo saves (mode 0600)
    monkeypatch.delenv("SKLEARN_ANON_DEMO_KEY", raising=False)
    code, out, err = run(["demo", "--output-dir", tmp_path, "--n-samples", "800"], capsys)
    assert code == 0, err
    key_file = tmp_path / "demo.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    line = next(x for x in out.splitlines() if x.startswith("next: "))
    assert f"SKLEARN_ANON_DEMO_KEY=$(cat {key_file})" in line
    monkeypatch.setenv("SKLEARN_ANON_DEMO_KEY", key_file.read_text().strip())
    argv = line.split(") ", 1)[1].split()[1:]  # after the key assignment and the program name
    code, out, err = run([a.replace("OUT.csv", str(tmp_path / "again.csv"))
                          .replace("report.md", str(tmp_path / "again.md")) for a in argv], capsys)
    assert code == 0, err
    assert (tmp_path / "again.csv").is_file()


# -- the verdict gate (issue 15.1) -----------------------------------------------------------------
def test_an_insufficient_release_is_not_written(data, tmp_path, capsys):
    out = tmp_path / "o.csv"
    code, stdout, err = run(["anonymize", data / "jan.csv", "--policy", data / "policy.toml",
                             "-o", out, "--report", tmp_path / "r.md", "--save-pipeline",
                             tmp_path / "p.joblib"], capsys)
    assert code == cli.EXIT_INSUFFICIENT == 3
    assert not out.exists() and not (tmp_path / "r.md").exists() and not (tmp_path / "p.joblib").exists()
    lines = err.strip().splitlines()
    assert lines[0].startswith("sklearn-anon: error: anonymize: the release fails its verdict")
    assert "k ≥ 3: measured 1: FAIL" in err and "no identifying column: measured 1: FAIL" in err
    raw = pd.read_csv(data / "jan.csv", dtype=str)
    assert not any(v in err for v in raw["email"].head(20))
    # the override writes it, with the failed verdict as a warning
    code, _, err = run(["anonymize", data / "jan.csv", "--policy", data / "policy.toml", "-o", out,
                        "--allow-insufficient"], capsys)
    assert code == 0 and out.exists() and "written anyway" in err


def test_every_declared_requirement_enters_the_gate(data, tmp_path, capsys):
    policy = tmp_path / "p.toml"
    policy.write_text("""
[report]
quasi_identifiers = ["zipcode", "birthdate", "sex", "income"]
sensitive = "golf"
k = 10
min_l = 3

[columns]
zipcode = { action = "mondrian" }
birthdate = { action = "mondrian", dtype = "datetime" }
sex = { action = "mondrian" }
income = { action = "mondrian" }
golf = "keep"

[mondrian.default]
k = 10
""")
    code, _, err = run(["anonymize", data / "jan.csv", "--policy", policy, "-o", tmp_path / "o.csv"],
                       capsys)
    assert code == 3, err  # golf is 0/1: no class can hold 3 distinct values
    assert "k ≥ 10: measured" in err and ": pass" in err and "l (distinct) ≥ 3: measured" in err
    assert not (tmp_path / "o.csv").exists()
    policy.write_text(policy.read_text().replace("min_l = 3", "min_l = 2"))
    code, _, err = run(["anonymize", data / "jan.csv", "--policy", policy, "-o", tmp_path / "o.csv",
                        "--save-pipeline", tmp_path / "p.joblib"], capsys)
    assert code in (0, 3), err
    if code == 0:  # then apply re-measures next month against the same requirements
        code, _, err = run(["apply", data / "feb.csv", "--pipeline", tmp_path / "p.joblib", "-o",
                            tmp_path / "feb.csv"], capsys)
        assert code == 3 and "k ≥ 10: measured 1: FAIL" in err and not (tmp_path / "feb.csv").exists()


def test_no_quasi_identifier_means_no_verdict(data, tmp_path, capsys):
    policy = tmp_path / "p.toml"
    policy.write_text('[columns]\nsex = "keep"\ngolf = "keep"\n')
    code, _, err = run(["anonymize", data / "jan.csv", "--policy", policy, "-o", tmp_path / "o.csv"],
                       capsys)
    assert code == 3 and "no verdict" in err and not (tmp_path / "o.csv").exists()


# -- progress ----------------------------------------------------------------------------------------
class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_terminal():
    tty = _Tty()
    progress = _progress.Progress(stream=tty)
    list(progress.stages(["reading", "fitting"]))
    assert "[" in tty.getvalue() and "100.0%" in tty.getvalue()
    plain = io.StringIO()
    progress = _progress.Progress(stream=plain)
    list(progress.stages(["reading", "fitting"]))
    advance = progress.bytes(10, "encrypting")
    advance(10)
    assert plain.getvalue() == ""
    quiet = _Tty()
    list(_progress.Progress(False, stream=quiet).stages(["reading"]))
    assert quiet.getvalue() == ""


# -- the installed command -----------------------------------------------------------------------------
def _script():
    found = Path(sys.executable).with_name("sklearn-anon")
    return str(found) if found.exists() else shutil.which("sklearn-anon")


def test_console_script_and_module(tmp_path):
    script = _script()
    if script is None:
        pytest.skip("the sklearn-anon console script is not installed (pip install -e .)")
    env = {**os.environ, CRYPT_VAR: "q0Nq2y0cxqvB0J4Y2wmZ3h0x1oN2kYtT3mP6d8c9a0E="}
    (tmp_path / "plain.txt").write_bytes(b"hello\n")
    proc = subprocess.run([script, "encrypt", "plain.txt", "-o", "p.enc", "--key",
                           f"env:{CRYPT_VAR}"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "sklearn_anon", "decrypt", "p.enc", "-o",
                           "out.txt", "--key", "env:SKLEARN_ANON_SURELY_UNSET"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "sklearn-anon: error: the environment variable 'SKLEARN_ANON_SURELY_UNSET' holding the "
        "key is not set"]
    assert not (tmp_path / "out.txt").exists()


def test_adult_with_hierarchies_and_l_diversity(adult_dir, tmp_path, capsys):
    """Real data: ';'-separated Adult, ARX hierarchies, a k=5 / l=2 Mondrian group."""
    group = ["sex", "age", "marital-status", "education"]
    policy = tmp_path / "adult.toml"
    policy.write_text(f"""
[columns]
sex = "mondrian"
age = "mondrian"
marital-status = {{ action = "mondrian", hierarchy = "{adult_dir}/adult_hierarchy_marital-status.csv" }}
education = {{ action = "mondrian", hierarchy = "{adult_dir}/adult_hierarchy_education.csv" }}
native-country = {{ action = "generalize", method = "hierarchy", hierarchy = "{adult_dir}/adult_hierarchy_native-country.csv", level = 1 }}
salary-class = "keep"
[mondrian.default]
k = 5
l = 2
sensitive = "salary-class"
""")
    out = tmp_path / "adult_anon.csv"
    code, stdout, err = run(["anonymize", "--allow-insufficient", adult_dir / "adult.csv", "--sep", ";", "--policy", policy,
                             "-o", out, "-q"], capsys)
    assert code == 0, err
    anon = pd.read_csv(out, sep=";", dtype=str)
    raw = pd.read_csv(adult_dir / "adult.csv", sep=";", dtype=str)
    assert len(anon) == len(raw) == 30162
    assert k_anonymity(anon, group) >= 5
    assert l_diversity(anon, group, "salary-class") >= 2
    level1 = set(pd.read_csv(adult_dir / "adult_hierarchy_native-country.csv", sep=";",
                             header=None)[1])
    assert set(anon["native-country"]) <= level1 | {"*"}
    assert (anon["salary-class"] == raw["salary-class"]).all()  # the sensitive column passes



def test_privacy_warnings_are_shown_on_stderr(data, tmp_path, capsys):
    (tmp_path / "p.toml").write_text(f"""
[columns]
purchases = {{ action = "laplace", epsilon = 1.0 }}
sex = {{ action = "pseudonymize", key = "env:{KEY_VAR}" }}
""")
    argv = ["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", tmp_path / "p.toml", "-o", tmp_path / "o.csv"]
    code, _, err = run(argv, capsys)
    assert code == 0, err
    lines = err.strip().splitlines()
    assert any(line.startswith("sklearn-anon: warning: LaplaceNoise: bounds taken from the data")
               for line in lines), err
    assert any("'sex'" in line and "frequency attack" in line for line in lines), err
    code, out, err = run(argv + ["-q"], capsys)  # -q silences information, never a warning
    assert code == 0 and out == "" and err.strip().splitlines() == lines


def test_an_error_ends_the_progress_line_first(monkeypatch):
    tty = _Tty()
    progress = _progress.Progress(stream=tty)
    steps = progress.stages(["reading", "fitting"])
    next(steps)
    monkeypatch.setattr(sys, "stderr", tty)
    _main._error("input 'x.csv' is empty")
    assert tty.getvalue().endswith("\nsklearn-anon: error: input 'x.csv' is empty\n")
    assert _progress._ACTIVE == []


def test_a_failing_report(data, tmp_path, capsys, monkeypatch):
    from sklearn_anon.cli._crypto import parse_key

    def fail(*args, **kwargs):
        # an error raised by the package's own code (whose messages are shown)
        parse_key("?", where="column 'zipcode'")

    monkeypatch.setattr(_anonymize, "_privacy_report", fail)
    base = ["anonymize", "--allow-insufficient", data / "jan.csv", "--policy", data / "policy.toml"]
    code, _, err = run(base + ["-o", tmp_path / "a.csv", "--report", tmp_path / "r.md"], capsys)
    assert_clean_error(code, err, contains="report: column 'zipcode' is not a 256-bit key")
    no_leftovers(tmp_path, set())  # nothing written when the asked-for report fails
    code, out, err = run(base + ["-o", tmp_path / "b.csv"], capsys)
    assert code == 0
    assert "sklearn-anon: warning: no risk summary: report: column 'zipcode'" in err
    assert (tmp_path / "b.csv").exists()


# -- messages (issue 15.7) -------------------------------------------------------------------------
def test_quiet_keeps_privacy_warnings(data, tmp_path, capsys):
    code, out, err = run(["anonymize", data / "jan.csv", "--policy", data / "policy.toml", "-o",
                          tmp_path / "o.csv", "-q", "--allow-insufficient"], capsys)
    assert code == 0 and out == ""
    assert err.startswith("sklearn-anon: warning: ") and "fails its verdict" in err


def test_a_wrong_separator_is_named(tmp_path, capsys):
    (tmp_path / "semi.csv").write_text("age;sex\n73519;F\n")
    (tmp_path / "p.toml").write_text('[columns]\nage = "keep"\n')
    code, _, err = run(["anonymize", tmp_path / "semi.csv", "--policy", tmp_path / "p.toml", "-o",
                        tmp_path / "o.csv"], capsys)
    assert_clean_error(code, err, contains="the header has one column", forbidden=["73519"])
    assert "is the separator ';'? (pass --sep)" in err
    code, _, err = run(["anonymize", tmp_path / "semi.csv", "--sep", ";", "--policy",
                        tmp_path / "p.toml", "-o", tmp_path / "o.csv", "--allow-insufficient"], capsys)
    assert code == 0, err


def test_misspelt_policy_words_get_a_suggestion(data, tmp_path, capsys):
    for text, hint in (('[columns]\nsex = "kep"\n', "did you mean 'keep'?"),
                       ('[columns]\nsex = "keep"\n[reprot]\nk = 3\n', "did you mean 'report'?"),
                       ('[columns]\nsex = { action = "generalize", method = "rare", min_cont = 3 }\n',
                        "did you mean 'min_count'?")):
        (tmp_path / "p.toml").write_text(text)
        code, _, err = run(["anonymize", data / "jan.csv", "--policy", tmp_path / "p.toml", "-o",
                            tmp_path / "o.csv"], capsys)
        assert_clean_error(code, err, contains=hint)


# -- the hand-over manifest and verify (issue 15.4) ------------------------------------------------
def test_a_release_carries_a_manifest_that_verify_checks(data, tmp_path, capsys):
    import hashlib
    import json

    policy = tmp_path / "p.toml"
    policy.write_text((data / "policy.toml").read_text().replace("k = 3", "k = 1") + """
[handover]
recipient = "partner analytics team"
purpose = "campaign measurement"
retention = "90 days"
""")
    out = tmp_path / "o.csv"
    code, _, err = run(["anonymize", data / "jan.csv", "--policy", policy, "-o", out,
                        "--allow-insufficient"], capsys)
    assert code == 0, err
    manifest_file = tmp_path / "o.csv.manifest.json"
    manifest = json.loads(manifest_file.read_text())
    assert manifest["format"] == "sklearn-anon/manifest"
    assert manifest["output"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["input"]["sha256"] == hashlib.sha256((data / "jan.csv").read_bytes()).hexdigest()
    assert manifest["policy"]["sha256"] == hashlib.sha256(policy.read_bytes()).hexdigest()
    assert manifest["output"]["rows"] == 300 and "email" in manifest["output"]["columns"]
    assert {r["measure"] for r in manifest["verdict"]["requirements"]} >= {"k", "sample_uniqueness"}
    assert manifest["handover"]["recipient"] == "partner analytics team"
    assert list(manifest["key_fingerprints"]) == ["email"]
    text = manifest_file.read_text()
    assert "cli-test-pseudonym-key" not in text  # a fingerprint, never the key
    raw = pd.read_csv(data / "jan.csv", dtype=str)
    assert not any(v in text for v in raw["email"].head(50))  # no cell value
    assert {"scikit-learn", "pandas", "numpy", "sklearn_anon"} <= set(manifest["versions"])
    code, stdout, err = run(["verify", out, "--data", data / "jan.csv"], capsys)
    assert code == 0, err
    assert "output checksum: ok" in stdout and "input checksum: ok" in stdout
    assert "k ≥ 1: measured" in stdout
    # a changed release, or the wrong raw input, is caught
    code, _, err = run(["verify", out, "--data", data / "feb.csv"], capsys)
    assert code == 1 and "input checksum" in err
    out.write_text(out.read_text().replace("F", "M", 1))
    code, _, err = run(["verify", out], capsys)
    assert code == 1 and "output checksum" in err
    # an unknown [handover] key is refused with a suggestion
    policy.write_text(policy.read_text().replace("retention =", "retension ="))
    code, _, err = run(["anonymize", data / "jan.csv", "--policy", policy, "-o", tmp_path / "x.csv"],
                       capsys)
    assert_clean_error(code, err, contains="did you mean 'retention'?")
