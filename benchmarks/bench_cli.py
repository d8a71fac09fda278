"""The command's overheads: start-up, policy anonymization end to end, file encryption.

* start-up: ``sklearn-anon --help`` and ``sklearn-anon keygen`` in a fresh
  interpreter (best of 5 each; the package imports its heavy libraries
  lazily, so neither loads pandas or scikit-learn);

* ``anonymize`` (read CSV, fit the policy's ColumnTransformer, before/after
  report, write CSV) against the I/O floor a user cannot go below: pandas
  reading and writing the same CSV.
* scale (``python benchmarks/bench_cli.py [--rows N] [--csv FILE] [--before TREE]``, not part
  of ``run.py``: minutes): ``anonymize`` on 5 M rows x 7 columns of
  ``make_customers`` (keyed pseudonyms, ZIP3 with rare prefixes suppressed,
  age bands, income and purchase classes, one column dropped; the verdict
  measured, no report file) against the same work as pandas one-liners
  (``read_csv``, ``hmac`` per e-mail, ``.str[:3]`` + value counts,
  ``pd.cut``, ``to_csv``), both as child processes in the same run: wall,
  CPU and peak RSS (``os.wait4``), and peak RSS over the CSV's size;
  ``pd.read_csv`` of the file alone as the memory floor of reading it in
  one go (``--no-read-floor`` skips it, ``--no-startup`` the start-up
  timings, ``--csv FILE`` reuses a file written by :func:`write_scale_csv`);
* chunked AES-256-GCM file encryption/decryption (``sklearn_anon._crypto``,
  1 MiB authenticated chunks, constant memory) against one-shot AES-GCM of
  the whole file in memory with ``cryptography`` (the same cipher, no
  chunking).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import best_time, row

from sklearn_anon import cli
from sklearn_anon._crypto import decrypt_file, encrypt_file, generate_key, parse_key
from sklearn_anon.datasets import make_customers

POLICY = Path(__file__).resolve().parents[1] / "examples" / "policy_customers.toml"


ROOT = Path(__file__).resolve().parents[1]


def _env(root=ROOT):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _child(argv, stdout=subprocess.DEVNULL, root=ROOT):
    """Run ``argv`` as a child process: ``(wall s, CPU s, peak RSS bytes, exit code)``.

    The child's own resource usage (``os.wait4``), not the benchmark's;
    ``root`` is the source tree it imports ``sklearn_anon`` from.
    """
    start = time.perf_counter()
    # cwd=root: ``python -m`` puts the working directory first on sys.path, so a
    # child started elsewhere (e.g. in another worktree) would import that tree
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=_env(root),
                            cwd=str(root))
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode not in (0,):
        print(err, file=sys.stderr)
    # ru_maxrss is in KiB on Linux
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, proc.returncode


def startup_times(repeat=5):
    """Best wall seconds of ``sklearn-anon --help`` and ``keygen`` in fresh interpreters."""
    out = {}
    for name, argv in (("--help", ["--help"]), ("keygen", ["keygen"])):
        out[name] = min(_child([sys.executable, "-m", "sklearn_anon.cli", *argv])[0]
                        for _ in range(repeat))
    return out


def run(quick=False):
    rows = _startup_rows()
    rows.extend(_run_small(quick))
    return rows


def _startup_rows():
    times = startup_times()
    return [row(f"sklearn-anon {name} (fresh interpreter, best of 5)", 1, t, "", None,
                "target < 1 s; lazy imports") for name, t in times.items()]


def _run_small(quick=False):
    n = 20_000 if quick else 100_000
    size = (8 if quick else 64) << 20
    rows = []
    os.environ.setdefault("SKLEARN_ANON_KEY", generate_key())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "customers.csv"
        make_customers(n_samples=n, random_state=0).to_csv(src, index=False)

        def ours():
            return cli.run_anonymize(src, POLICY, tmp / "out.csv", report_path=tmp / "r.md")

        def floor():
            pd.read_csv(src).to_csv(tmp / "copy.csv", index=False)

        t, _ = best_time(ours, repeat=2)
        t_peer, _ = best_time(floor, repeat=2)
        rows.append(row("cli anonymize (policy_customers.toml, report)", n, t,
                        "pandas read_csv + to_csv (I/O only)", t_peer,
                        "speedup < 1 expected: the floor does no anonymization"))

        key = parse_key(generate_key())
        blob = tmp / "blob.bin"
        blob.write_bytes(os.urandom(size))

        def enc():
            encrypt_file(blob, tmp / "blob.enc", key)

        def one_shot():
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            data = blob.read_bytes()
            (tmp / "blob.one").write_bytes(AESGCM(key).encrypt(os.urandom(12), data, None))

        def dec():
            decrypt_file(tmp / "blob.enc", tmp / "blob.dec", key)

        t, _ = best_time(enc)
        t_peer, _ = best_time(one_shot)
        mib = size >> 20
        rows.append(row(f"encrypt_file {mib} MiB (1 MiB GCM chunks)", size, t,
                        "cryptography AESGCM one shot", t_peer, "rows = bytes"))
        t, _ = best_time(dec)
        rows.append(row(f"decrypt_file {mib} MiB", size, t, "", None, "rows = bytes"))
        assert (tmp / "blob.dec").read_bytes() == blob.read_bytes()
    return rows


# -- 5 M rows x 7 columns: the command against the same work as pandas one-liners ----------
SCALE_POLICY = """
[policy]
name = "customers, 7 columns"
unlisted = "error"

[keys]
default = "env:SKLEARN_ANON_KEY"

[report]
quasi_identifiers = ["zipcode", "birthdate", "sex", "income"]
k = 5
allowed_identifiers = ["email"]

[columns]
email = { action = "pseudonymize", method = "hmac-sha256", length = 16 }
zipcode = { action = "generalize", method = "prefix", n = 3, width = 5, min_count = 30 }
birthdate = { action = "generalize", method = "age", reference_date = "2024-01-01", bins = [18, 35, 50, 65, 120] }
sex = "keep"
income = { action = "generalize", method = "interval", bins = [0, 25000, 50000, 100000, 1e12], labels = ["<25k", "25k-50k", "50k-100k", ">=100k"], right = false }
purchases = { action = "generalize", method = "interval", bins = [0, 5, 10, 20, 1e9], right = false }
city = "drop"
"""

#: the same work as pandas one-liners: read, keyed hash, ZIP3 with rare prefixes
#: suppressed, age bands, income and purchase classes, drop, write
PANDAS_BASELINE = """
import hashlib, hmac, os, sys
import pandas as pd
src, dst = sys.argv[1], sys.argv[2]
key = os.environ["SKLEARN_ANON_KEY"].encode()
df = pd.read_csv(src)
df["email"] = df["email"].map(lambda v: hmac.new(key, v.encode(), hashlib.sha256).hexdigest()[:16])
z = df["zipcode"].astype(str).str.zfill(5).str[:3]
df["zipcode"] = z.where(z.map(z.value_counts()) >= 30, "*")
age = (pd.Timestamp("2024-01-01") - pd.to_datetime(df["birthdate"])).dt.days / 365.2425
df["birthdate"] = pd.cut(age, [18, 35, 50, 65, 120], right=False)
df["income"] = pd.cut(df["income"], [0, 25000, 50000, 100000, 1e12], right=False,
                      labels=["<25k", "25k-50k", "50k-100k", ">=100k"])
df["purchases"] = pd.cut(df["purchases"], [0, 5, 10, 20, 1e9], right=False)
df.drop(columns="city").to_csv(dst, index=False)
"""

_SCALE_COLUMNS = ["email", "zipcode", "birthdate", "sex", "income", "purchases", "city"]


def write_scale_csv(path, n, chunk=500_000):
    """``n`` rows x 7 columns of :func:`make_customers` (seeded chunks) as CSV."""
    with open(path, "w", encoding="utf-8") as fh:
        for i, start in enumerate(range(0, n, chunk)):
            df = make_customers(n_samples=min(chunk, n - start), random_state=1000 + i)[_SCALE_COLUMNS]
            df["birthdate"] = df["birthdate"].dt.strftime("%Y-%m-%d")
            df.to_csv(fh, index=False, header=i == 0)


#: pandas reading the file and nothing else: the floor of any in-memory tool
PANDAS_READ = """
import sys
import pandas as pd
pd.read_csv(sys.argv[1])
"""


def run_scale(n=5_000_000, folder=None, src=None, read_floor=True, before=None):
    """``anonymize`` on ``n`` x 7 and the pandas one-liners, same run; returns a dict of figures.

    With ``read_floor``, also ``pd.read_csv`` of the file alone (peak RSS of
    reading it in one go).  ``n`` is the number of rows written when no
    ``src`` is given; with ``src`` the rows are counted from the file.
    ``before`` (another source tree, e.g. a checkout of ``main``) also runs
    that tree's ``anonymize`` in the same run, first, for a before/after
    comparison; its output must equal this tree's byte for byte (checked).
    """
    os.environ.setdefault("SKLEARN_ANON_KEY", generate_key())
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        tmp = Path(tmp).resolve()  # the children run in the source tree they import
        if src is None:
            src = tmp / "customers.csv"
            write_scale_csv(src, n)
        else:
            src = Path(src).resolve()
            with open(src, "rb") as fh:
                n = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b"")) - 1
        policy = tmp / "policy.toml"
        policy.write_text(SCALE_POLICY, encoding="utf-8")
        size = Path(src).stat().st_size
        load_before = os.getloadavg()

        def anonymize(out, root=ROOT):
            return _child([sys.executable, "-m", "sklearn_anon.cli", "anonymize", str(src),
                           "--policy", str(policy), "-o", str(out), "--allow-insufficient", "-q"],
                          root=root)

        other = anonymize(tmp / "before.csv", before) if before else None
        ours = anonymize(tmp / "out.csv")
        same = None
        if before:
            same = _same_file(tmp / "before.csv", tmp / "out.csv")
        peer = _child([sys.executable, "-c", PANDAS_BASELINE, str(src), str(tmp / "peer.csv")])
        floor = (_child([sys.executable, "-c", PANDAS_READ, str(src)]) if read_floor else None)
        load_after = os.getloadavg()
        return {"rows": n, "csv_bytes": size, "ours": ours, "pandas": peer, "read": floor,
                "load": (load_before, load_after), "before": other, "same_output": same}


def _same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 24), fb.read(1 << 24)
            if x != y:
                return False
            if not x:
                return True


def _print_scale(res):
    (w, c, rss, rc), (pw, pc, prss, prc) = res["ours"], res["pandas"]
    mb = res["csv_bytes"] / 1e6
    print(f"{res['rows']:,} rows x 7 columns, CSV {mb:,.0f} MB; load average "
          f"{res['load'][0][0]:.1f} before, {res['load'][1][0]:.1f} after (1 min)")
    print("| run | wall s | CPU s | peak RSS MB | RSS / CSV size | exit |")
    print("|---|---:|---:|---:|---:|---:|")
    if res.get("before") is not None:
        bw, bc, brss, brc = res["before"]
        print(f"| before ({res['before_name']}), sklearn-anon anonymize | {bw:.1f} | {bc:.1f} | "
              f"{brss / 1e6:,.0f} | {brss / res['csv_bytes']:.2f}x | {brc} |")
    print(f"| sklearn-anon anonymize (verdict, no report file) | {w:.1f} | {c:.1f} | {rss / 1e6:,.0f} | "
          f"{rss / res['csv_bytes']:.2f}x | {rc} |")
    print(f"| pandas one-liners (read, hmac, str slice, pd.cut, write) | {pw:.1f} | {pc:.1f} | "
          f"{prss / 1e6:,.0f} | {prss / res['csv_bytes']:.2f}x | {prc} |")
    if res.get("read") is not None:
        fw, fc, frss, frc = res["read"]
        print(f"| pandas read_csv of the file alone | {fw:.1f} | {fc:.1f} | {frss / 1e6:,.0f} | "
              f"{frss / res['csv_bytes']:.2f}x | {frc} |")
    print(f"ratio ours / pandas: wall {w / pw:.2f}x, CPU {c / pc:.2f}x, peak RSS {rss / prss:.2f}x")
    if res.get("same_output") is not None:
        print(f"before and after wrote the same file: {res['same_output']}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--csv", help="an existing CSV written by write_scale_csv (skips generating)")
    parser.add_argument("--no-read-floor", action="store_true",
                        help="skip timing pandas' read_csv of the file alone")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up timings")
    parser.add_argument("--before", metavar="TREE",
                        help="another source tree (e.g. a checkout of main) whose anonymize runs "
                             "first in the same run, for before/after figures")
    args = parser.parse_args()
    if not args.no_startup:
        for name, t in startup_times().items():
            print(f"sklearn-anon {name}: {t:.3f} s (best of 5, fresh interpreter)")
    res = run_scale(args.rows, src=args.csv, read_floor=not args.no_read_floor, before=Path(args.before).resolve() if args.before else None)
    res["before_name"] = args.before
    _print_scale(res)
