"""The ``sklearn-anon`` command (also ``python -m sklearn_anon``).

Subcommands::

    sklearn-anon profile DATA [--html FILE] [--suggest-policy FILE]
    sklearn-anon anonymize DATA --policy POLICY -o OUT [--save-pipeline FILE]
                 [--report FILE] [--recipient age1... | --passphrase [env:NAME]
                 | --encrypt-key env:NAME|file:PATH]
    sklearn-anon apply DATA --pipeline FILE -o OUT [--report FILE] [--recipient ...]
    sklearn-anon encrypt FILE -o OUT (--recipient age1... [--recipient ...]
                 | --recipients-file FILE | --passphrase [env:NAME|file:PATH]
                 | --key env:NAME|file:PATH)
    sklearn-anon decrypt FILE -o OUT (-i IDENTITY_FILE | --passphrase [...] | --key ...)
    sklearn-anon keygen [--age] [-o KEYFILE]
    sklearn-anon demo [--output-dir DIR]

DATA is a CSV (``--sep``, ``--encoding``) or Parquet file (by its suffix,
or ``--format``).  Every failure caused by the input (a missing or
malformed file, a wrong policy, a wrong key) is one line on stderr,
``sklearn-anon: error: ...``, and a non-zero exit code (1; 2 for a wrong
command line; 128 + the signal's number after SIGINT, SIGTERM or SIGHUP).
The outputs of a run are written to temporary files (mode 0600) and renamed
together at the end, so a failed or interrupted run leaves none of them; a
symbolic link given as output is written through.  A header naming a column
twice is refused.  Messages name files, columns and policy keys, never a
cell value (an error message of pandas or numpy, which may quote one, is not
shown).  Progress appears on stderr when it is a terminal, and never with
``--quiet`` (warnings always do): ``anonymize`` and ``apply`` count the rows
read and written and name the steps between, each measure of the verdict
too (``measuring risk: measure 2 of 5: k-anonymity of the release``).  The verdict's measures run on
every ``anonymize``/``apply`` (the release gate); information loss only when
a report file is asked for (``--report``).

A saved pipeline is a joblib (pickle) file: load only pipelines you made
yourself, since unpickling runs code.  It holds key *references*
(``env:NAME``), not keys, and the versions of sklearn_anon, scikit-learn,
pandas and numpy that wrote it.

The command line is a package of private modules; this module re-exports
its public names:

- ``_main``: :func:`main` (signals, error reporting, exit codes);
- ``_parser``: :func:`build_parser`;
- ``_anonymize``: ``anonymize`` and ``apply`` (:func:`run_anonymize`);
- ``_profile``, ``_encrypt`` (``encrypt``, ``decrypt``, ``keygen``), ``_demo``:
  the other commands;
- ``_io``: :func:`read_header`, :func:`read_table`, :func:`write_table`
  (the public ones), and the plumbing of the commands: ``table_bytes``,
  ``_write_table`` (staged in an ``OutputSet``, age keys), keys;
- ``_bundle``: the saved pipeline bundle, :func:`load_pipeline`;
- ``_report``: the before/after privacy report; ``_errors``: library errors
  and warnings turned into one-line messages; ``_progress``:
  ``Progress``, the terminal's progress line; ``_common``: :class:`UserError`, exit codes;
- ``_crypto``: AES-256-GCM file encryption, format detection and the atomic
  ``OutputSet``; ``_age``: the age format (pyrage), which a partner opens
  with the ``age`` tool.
- ``_keyfiles``: what both formats share (``CryptoError``, the key-file
  mode check), so that neither imports the other at module level.
- ``_dictionary``: :func:`write_dictionary` and :func:`read_dictionary`, the
  sealed data dictionary of a :class:`~sklearn_anon.ColumnObfuscator` (here,
  beside the encryption, since no technique imports the CLI).

Heavy libraries (pandas, scikit-learn, joblib, pyarrow, cryptography, pyrage,
and the package's own estimators) are imported inside the functions that use
them, and ``import sklearn_anon`` resolves its names lazily, so that
``sklearn-anon --help`` and ``keygen`` start in a fraction of a second.
"""

from ._anonymize import run_anonymize
from ._bundle import PIPELINE_BUNDLE_VERSION, PIPELINE_FORMAT, load_pipeline

# Saved pipeline bundles (every release before the package split, and still now, see
# _bundle._unpickle_pipeline) name this function as sklearn_anon.cli._unpickle_pipeline:
# it must stay importable here, or no saved pipeline loads.
from ._bundle import _unpickle_pipeline  # noqa: F401
from ._common import EXIT_INSUFFICIENT, EXIT_INTERNAL, EXIT_USAGE, EXIT_USER, InsufficientRelease, UserError
from ._dictionary import read_dictionary, write_dictionary
from ._io import read_header, read_table, write_table
from ._main import main
from ._parser import build_parser

__all__ = [
    "EXIT_INSUFFICIENT",
    "EXIT_INTERNAL",
    "EXIT_USAGE",
    "EXIT_USER",
    "PIPELINE_BUNDLE_VERSION",
    "PIPELINE_FORMAT",
    "InsufficientRelease",
    "UserError",
    "build_parser",
    "load_pipeline",
    "main",
    "read_dictionary",
    "read_header",
    "read_table",
    "run_anonymize",
    "write_dictionary",
    "write_table",
]
