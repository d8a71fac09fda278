"""Where the examples write: ``--output-dir``, else ``$SKLEARN_ANON_OUTPUT_DIR`` or
``$SKLEARN_ANON_OUTPUT``, else ``examples/output/`` (git-ignored)."""

import argparse
import os
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent / "output"


def parse_args(description, argv=None, extra=None):
    """The examples' command line: ``--output-dir DIR`` (and ``extra(parser)``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--output-dir",
        default=os.environ.get("SKLEARN_ANON_OUTPUT_DIR") or os.environ.get("SKLEARN_ANON_OUTPUT"),
        help="where files are written (default: examples/output/)",
    )
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    args.output_dir = Path(args.output_dir or DEFAULT)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    return args
