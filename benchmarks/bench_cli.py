"""The command's overheads: policy anonymization end to end, and file encryption.

* ``anonymize`` (read CSV, fit the policy's ColumnTransformer, before/after
  report, write CSV) against the I/O floor a user cannot go below: pandas
  reading and writing the same CSV.
* chunked AES-256-GCM file encryption/decryption (``sklearn_anon._crypto``,
  1 MiB authenticated chunks, constant memory) against one-shot AES-GCM of
  the whole file in memory with ``cryptography`` (the same cipher, no
  chunking).
"""

import os
import tempfile
from pathlib import Path

import pandas as pd
from _common import best_time, row

from sklearn_anon import cli
from sklearn_anon._crypto import decrypt_file, encrypt_file, generate_key, parse_key
from sklearn_anon.datasets import make_customers

POLICY = Path(__file__).resolve().parents[1] / "examples" / "policy_customers.toml"


def run(quick=False):
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
