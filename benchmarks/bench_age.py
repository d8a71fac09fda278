"""Hand-over encryption: the age format (pyrage) against the AES-GCM chunked format.

Wall time, best of 3, on one ~48 MiB random file, all in the same run:

* ``encrypt_file`` / ``decrypt_file`` of ``sklearn_anon.cli._crypto`` in the
  age format (one X25519 recipient; pyrage's ``encrypt_io``/``decrypt_io``
  streaming through Python file objects) against the same functions in the
  older AES-256-GCM chunked format (1 MiB chunks, ``cryptography``);
* the floors of the age path: ``pyrage.encrypt_file``/``decrypt_file`` (Rust
  reading and writing the files itself) and, when installed, the ``age``
  tool (Go), which is what the partner runs;
* a passphrase (scrypt, in memory; the time is mostly the key derivation,
  calibrated by age to about a second).

Rows are bytes: "rows/s" is bytes per second.  Needs the ``age`` and
``crypto`` extras; rows whose tool is missing are left out.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from _common import best_time, row


def _load():
    try:
        return "load average %.1f" % os.getloadavg()[0]
    except OSError:  # pragma: no cover
        return ""


def run(quick=False):
    import pyrage

    from sklearn_anon.cli._age import AgeEncryption
    from sklearn_anon.cli._crypto import decrypt_file, encrypt_file, generate_key, parse_key

    size = (8 if quick else 48) << 20
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        blob = tmp / "blob.bin"
        blob.write_bytes(os.urandom(size))
        identity = pyrage.x25519.Identity.generate()
        recipient = str(identity.to_public())
        key_file = tmp / "key.txt"
        key_file.write_text(f"{identity}\n")
        age = AgeEncryption([recipient])
        aes = parse_key(generate_key())
        load_before = _load()

        t_age_enc, _ = best_time(lambda: encrypt_file(blob, tmp / "b.age", age))
        t_aes_enc, _ = best_time(lambda: encrypt_file(blob, tmp / "b.enc", aes))
        t_age_dec, _ = best_time(lambda: decrypt_file(tmp / "b.age", tmp / "b1",
                                                      identities=[identity]))
        t_aes_dec, _ = best_time(lambda: decrypt_file(tmp / "b.enc", tmp / "b2", aes))
        assert (tmp / "b1").read_bytes() == (tmp / "b2").read_bytes() == blob.read_bytes()
        t_rs_enc, _ = best_time(lambda: pyrage.encrypt_file(str(blob), str(tmp / "r.age"),
                                                            [identity.to_public()]))
        t_rs_dec, _ = best_time(lambda: pyrage.decrypt_file(str(tmp / "r.age"), str(tmp / "r.out"),
                                                            [identity]))
        mib = size >> 20
        note = f"rows = bytes; wall; {load_before}, 2 shared cores (other sessions running)"
        rows.append(row(f"encrypt_file {mib} MiB, age (1 X25519 recipient, streamed)", size,
                        t_age_enc, "encrypt_file AES-GCM chunked (older format)", t_aes_enc, note))
        rows.append(row(f"decrypt_file {mib} MiB, age (identity file)", size, t_age_dec,
                        "decrypt_file AES-GCM chunked (older format)", t_aes_dec, note))
        rows.append(row(f"encrypt_file {mib} MiB, age", size, t_age_enc,
                        "pyrage.encrypt_file (Rust does the file I/O)", t_rs_enc,
                        "cost of streaming through Python file objects"))
        rows.append(row(f"decrypt_file {mib} MiB, age", size, t_age_dec,
                        "pyrage.decrypt_file (Rust does the file I/O)", t_rs_dec, ""))
        tool = shutil.which("age")
        if tool:
            version = subprocess.run([tool, "--version"], capture_output=True,
                                     text=True).stdout.strip()

            def go_enc():
                subprocess.run([tool, "-r", recipient, "-o", str(tmp / "g.age"), str(blob)],
                               check=True)

            def go_dec():
                subprocess.run([tool, "-d", "-i", str(key_file), "-o", str(tmp / "g.out"),
                                str(tmp / "b.age")], check=True)

            t_go_enc, _ = best_time(go_enc)
            t_go_dec, _ = best_time(go_dec)
            assert (tmp / "g.out").read_bytes() == blob.read_bytes()
            rows.append(row(f"encrypt_file {mib} MiB, age", size, t_age_enc,
                            f"age {version} CLI (Go; a process start included)", t_go_enc, ""))
            rows.append(row(f"decrypt_file {mib} MiB, age (our file)", size, t_age_dec,
                            f"age -d {version} (what the partner runs)", t_go_dec, ""))
        pp = AgeEncryption(passphrase="bench-passphrase-not-secret")
        t_pp, _ = best_time(lambda: encrypt_file(blob, tmp / "p.age", pp), repeat=1)
        rows.append(row(f"encrypt_file {mib} MiB, age passphrase (in memory)", size, t_pp,
                        "", None, f"scrypt key derivation included; load after: {_load()}"))
    return rows


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import format_table, machine

    print(f"Machine: {machine()}\n")
    print(format_table(run(quick="--quick" in sys.argv)))
