"""The argument parser of ``sklearn-anon``: one subparser per command."""

from __future__ import annotations

import argparse
import os

from ._anonymize import cmd_anonymize, cmd_apply
from ._manifest import cmd_verify
from ._common import PROG
from ._demo import cmd_demo
from ._encrypt import (
    add_age_output_options,
    add_passphrase_option,
    cmd_decrypt,
    cmd_encrypt,
    cmd_keygen,
)
from ._profile import cmd_profile


def _add_input_options(p):
    p.add_argument("--format", choices=["csv", "parquet"], default=None,
                   help="input format (default: from the file suffix; CSV otherwise)")
    p.add_argument("--sep", default=None, help="CSV field separator (default ',', tab for .tsv)")
    p.add_argument("--encoding", default="utf-8", help="CSV text encoding (default utf-8)")


def _add_verdict_option(p):
    p.add_argument("--allow-insufficient", action="store_true",
                   help="write the output even when the verdict fails (exit code 3 otherwise, "
                        "and nothing is written)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sklearn-anon``, one subcommand per command.

    Nothing heavy is imported: ``sklearn-anon --help`` starts in a fraction
    of a second.

    Returns
    -------
    parser : argparse.ArgumentParser
        Its ``parse_args`` sets ``command`` (the subcommand's name), the
        options, and ``func``, the function that runs the command (it takes
        the parsed arguments and returns the exit code).

    Examples
    --------
    >>> from sklearn_anon.cli import build_parser
    >>> parser = build_parser()
    >>> args = parser.parse_args(["anonymize", "people.csv", "--policy", "policy.toml",
    ...                           "-o", "release.csv"])
    >>> args.command, args.data, args.policy, args.output, args.allow_insufficient
    ('anonymize', 'people.csv', 'policy.toml', 'release.csv', False)
    """
    from .. import __version__

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bar and no summary on the terminal")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an unexpected error")
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Profile, anonymize (by a TOML policy), re-apply and encrypt tables.",
        epilog=f"Start with: {PROG} demo",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", default=False,
                        help="no progress bar and no summary on the terminal")
    parser.add_argument("--debug", action="store_true", default=False,
                        help="show the traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("profile", parents=[common], help="detect identifiers and measure risk",
                       description="Print the PII/role detection and the re-identification "
                                   "risk of a CSV or Parquet file (Markdown).")
    p.add_argument("data", help="CSV or Parquet file")
    _add_input_options(p)
    p.add_argument("--html", metavar="FILE", help="also write the profile as an HTML page")
    p.add_argument("--suggest-policy", metavar="FILE",
                   help="write a starting policy (TOML) from the detection")
    p.add_argument("--quasi-identifiers", metavar="A,B,...",
                   help="columns to measure the risk on (default: the detected ones)")
    p.add_argument("--k", type=int, default=5, help="class size for 'records in classes < k'")
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("anonymize", parents=[common], help="anonymize a table by a policy",
                       description="Build the ColumnTransformer the policy describes, fit it, "
                                   "write the anonymized table and the before/after report.")
    p.add_argument("data", help="CSV or Parquet file")
    p.add_argument("--policy", required=True, metavar="POLICY", help="the TOML policy")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="anonymized table (.csv or .parquet; a .enc suffix is ignored)")
    p.add_argument("--save-pipeline", metavar="FILE", help="save the fitted pipeline (joblib)")
    p.add_argument("--report", metavar="FILE",
                   help="before/after privacy report (.md, .html or .json)")
    p.add_argument("--encrypt-key", metavar="env:NAME|file:PATH",
                   help="write the output encrypted (AES-256-GCM) with this key; only this "
                        "package decrypts it (for a partner, use --recipient: age format)")
    add_age_output_options(p)
    p.add_argument("--output-format", choices=["csv", "parquet"], default=None,
                   help="default: from the output suffix")
    _add_verdict_option(p)
    _add_input_options(p)
    p.set_defaults(func=cmd_anonymize)

    p = sub.add_parser("apply", parents=[common], help="re-apply a saved fitted pipeline",
                       description="Anonymize new data with a pipeline saved by "
                                   "'anonymize --save-pipeline'.")
    p.add_argument("data", help="CSV or Parquet file with the columns the pipeline was fitted on")
    p.add_argument("--pipeline", required=True, metavar="FILE",
                   help="written by 'anonymize --save-pipeline' (load only files you trust)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="anonymized table")
    p.add_argument("--report", metavar="FILE", help="before/after report (.md, .html, .json)")
    p.add_argument("--encrypt-key", metavar="env:NAME|file:PATH",
                   help="write the output encrypted (AES-256-GCM) with this key")
    add_age_output_options(p)
    p.add_argument("--output-format", choices=["csv", "parquet"], default=None,
                   help="default: from the output suffix")
    _add_verdict_option(p)
    _add_input_options(p)
    p.set_defaults(func=cmd_apply)

    p = sub.add_parser("verify", parents=[common], help="check a release against its manifest",
                       description="Re-check the checksums of a release (and of its raw input, "
                                   "with --data) and re-measure, on the released table, the "
                                   "requirements of the verdict recorded in its manifest.")
    p.add_argument("output", help="the released file")
    p.add_argument("--manifest", metavar="FILE", help="default: OUTPUT.manifest.json")
    p.add_argument("--data", metavar="RAW", help="the raw input, to check its checksum")
    _add_input_options(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser(
        "encrypt", parents=[common], help="encrypt a file for transfer (age, or AES-256-GCM)",
        description="Encrypt a file in the age format, which the partner opens with the age "
                    "tool and no Python ('age -d -i key.txt FILE > OUT'): to public keys "
                    "(--recipient, --recipients-file) or with a passphrase; or, with --key, "
                    "in sklearn-anon's AES-256-GCM format, which only this package reads.")
    p.add_argument("input", help="any file")
    p.add_argument("-o", "--output", required=True, help="written atomically")
    add_age_output_options(p)
    p.add_argument("--key", metavar="env:NAME|file:PATH",
                   help="sklearn-anon's AES-256-GCM format with this key: an environment "
                        "variable or a key file, never a literal")
    p.add_argument("--force", action="store_true",
                   help="encrypt even if the input is already encrypted")
    p.set_defaults(func=cmd_encrypt)

    p = sub.add_parser(
        "decrypt", parents=[common], help="decrypt an age or sklearn-anon file",
        description="Decrypt a file written by 'encrypt', by anonymize/apply with an "
                    "encryption option, or by age; the format is told by the file's first "
                    "bytes.  A wrong key, a modified or a truncated file is one line and exit "
                    "code 1, and leaves no output.")
    p.add_argument("input", help="an encrypted file")
    p.add_argument("-o", "--output", required=True, help="written atomically")
    p.add_argument("-i", "--identity", action="append", default=[], metavar="FILE",
                   help="age: an identity file (AGE-SECRET-KEY-1..., from 'keygen --age' or "
                        "age-keygen) or an unencrypted SSH private key; repeatable")
    add_passphrase_option(p, "age: the passphrase, from env:NAME or file:PATH, or asked on "
                             "the terminal when given without a value")
    p.add_argument("--key", metavar="env:NAME|file:PATH",
                   help="sklearn-anon's AES-256-GCM format: the key, an environment "
                        "variable or a key file, never a literal")
    p.set_defaults(func=cmd_decrypt)

    p = sub.add_parser("keygen", parents=[common], help="make a new key (or an age identity)",
                       description="Print a new random 256-bit key (base64) for --key, or "
                                   "write it to a file readable by you only.  With --age: a "
                                   "new age X25519 identity (the secret key, as age-keygen "
                                   "writes it); its public key (age1...), printed on stdout, "
                                   "is what senders give as --recipient.")
    p.add_argument("-o", "--output", metavar="KEYFILE",
                   help="write the key (identity) to this file, mode 0600; never overwritten")
    p.add_argument("--age", action="store_true",
                   help="an age identity instead of an AES key")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("demo", parents=[common], help="the whole workflow on synthetic data",
                       description="Generate customers, anonymize them with a built-in policy, "
                                   "print the risk before/after and model accuracy.")
    p.add_argument("--output-dir", metavar="DIR",
                   default=os.environ.get("SKLEARN_ANON_OUTPUT_DIR")
                   or os.environ.get("SKLEARN_ANON_OUTPUT"),
                   help="where to write (default: a new temporary folder)")
    p.add_argument("--n-samples", type=int, default=5000)
    p.add_argument("--random-state", type=int, default=0)
    p.set_defaults(func=cmd_demo)
    return parser
