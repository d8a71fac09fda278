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
    """A failure the user can fix; printed as one line, no traceback.

    Raised for a missing or malformed input, a wrong policy or key, an
    output that cannot be written.  The message names files, columns and
    policy keys, never a cell value.  :func:`main` prints it as
    ``sklearn-anon: error: MESSAGE`` and returns :data:`EXIT_USER`.

    Examples
    --------
    >>> from sklearn_anon.cli import UserError, read_header
    >>> try:
    ...     read_header("no-such-file.csv")
    ... except UserError as exc:
    ...     print(exc)
    input 'no-such-file.csv' does not exist
    """


class InsufficientRelease(UserError):
    """The verdict failed (or could not be reached): nothing is written.

    Raised by :func:`run_anonymize` (``anonymize`` and ``apply``) unless
    ``allow_insufficient``; :func:`main` prints the message, then each of
    ``lines``, and returns :data:`EXIT_INSUFFICIENT` (3).

    Parameters
    ----------
    message : str
        One line: what failed.
    lines : iterable of str, default=()
        The measured requirements (aggregates, never a cell value), printed
        after the message.

    Attributes
    ----------
    lines : list of str
        The ``lines`` given.

    Examples
    --------
    >>> from sklearn_anon.cli import InsufficientRelease, UserError
    >>> exc = InsufficientRelease("the release fails its verdict", ["k: 1 (at least 5)"])
    >>> isinstance(exc, UserError), str(exc), exc.lines
    (True, 'the release fails its verdict', ['k: 1 (at least 5)'])
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
