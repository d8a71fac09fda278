"""Names every part of the command line shares: its name, exit codes, errors, output."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Iterable

PROG = "sklearn-anon"
EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 1, 2, 70
#: ``anonymize``/``apply``: the verdict failed, nothing was written
EXIT_INSUFFICIENT = 3


class UserError(Exception):
    """A failure the user can fix; printed as one line, no traceback."""


class InsufficientRelease(UserError):
    """The verdict failed (or could not be reached): nothing is written.

    ``lines`` are the measured requirements (aggregates, never a cell value),
    printed after the one-line message.
    """

    def __init__(self, message: str, lines: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.lines = list(lines)


def _say(args, *lines):
    if not args.quiet:
        for line in lines:
            print(line)


def _warn(args, notes):
    """Warnings go to stderr in one format, with or without ``--quiet``: ``-q``
    silences progress and information, never a privacy warning."""
    for note in notes:
        print(f"{PROG}: warning: {note}", file=sys.stderr)
