"""Names every part of the command line shares: its name, exit codes, errors, output."""

import sys

PROG = "sklearn-anon"
EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 1, 2, 70


class UserError(Exception):
    """A failure the user can fix; printed as one line, no traceback."""


def _say(args, *lines):
    if not args.quiet:
        for line in lines:
            print(line)


def _warn(args, notes):
    if not args.quiet:
        for note in notes:
            print(f"{PROG}: warning: {note}", file=sys.stderr)
