"""The entry point: run a command, turn SIGTERM/SIGHUP into a clean stop, report errors."""

from __future__ import annotations

import sys
import warnings
from contextlib import contextmanager

from ._common import EXIT_INSUFFICIENT, EXIT_INTERNAL, EXIT_USAGE, EXIT_USER, PROG, InsufficientRelease, UserError
from ._parser import build_parser
from ._progress import _close_progress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Sequence


def _error(message):
    _close_progress()
    message = " ".join(str(message).split())  # one line
    print(f"{PROG}: error: {message}", file=sys.stderr)


class _Terminated(BaseException):
    """Raised by the SIGTERM/SIGHUP handler, like KeyboardInterrupt for SIGINT.

    A BaseException, so that it unwinds through every ``except Exception``
    and the output files' clean-up runs (no ``.part`` file is left).
    """

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _stop_signals():
    import signal

    return [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


@contextmanager
def _signals_as_exceptions():
    """While running a command, SIGTERM and SIGHUP raise :class:`_Terminated`.

    Only in the main thread (signal handlers can be set only there); the
    previous handlers are restored afterwards.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        for s in _stop_signals():  # a second signal must not interrupt the clean-up
            signal.signal(s, signal.SIG_IGN)
        raise _Terminated(signum)

    previous = {}
    try:
        for s in _stop_signals():
            previous[s] = signal.signal(s, handler)
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)


class _NeverRaised(Exception):
    """Stands for an exception class whose module no command has imported."""


def _policy_error():
    """:class:`~sklearn_anon.policy.PolicyError`, without importing the policy module.

    Importing it means importing scikit-learn (seconds); a command that never
    read a policy (``--help``, ``keygen``) cannot have raised one.  Called in
    the ``except`` clause, so it sees the module a command imported.
    """
    policy = sys.modules.get("sklearn_anon.policy")
    return _NeverRaised if policy is None else policy.PolicyError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 on success).

    SIGINT (Ctrl-C), SIGTERM and SIGHUP stop a run cleanly: the outputs
    being written are removed, one line goes to stderr and the exit code is
    128 + the signal's number (130, 143, 129).

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments, without the program's name; None reads
        :data:`sys.argv`.

    Returns
    -------
    code : int
        0 on success; :data:`EXIT_USER` (1) for a failure caused by the
        input (one line on stderr, ``sklearn-anon: error: ...``);
        :data:`EXIT_USAGE` (2) for a wrong command line;
        :data:`EXIT_INSUFFICIENT` (3) when the release fails its verdict
        and nothing was written; :data:`EXIT_INTERNAL` (70) for a bug; 128
        + the signal's number after a signal.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from sklearn_anon.cli import main
    >>> folder = tempfile.mkdtemp()
    >>> data = os.path.join(folder, "people.csv")
    >>> policy = os.path.join(folder, "policy.toml")
    >>> pd.DataFrame({"name": list("abcdefgh"), "age": [23, 27, 34, 38, 45, 49, 52, 58]}
    ...              ).to_csv(data, index=False)
    >>> with open(policy, "w") as fh:
    ...     _ = fh.write('''
    ... [report]
    ... quasi_identifiers = ["age"]
    ... k = 2
    ... [columns]
    ... name = "drop"
    ... age = { action = "generalize", method = "interval", bins = [0, 30, 40, 50, 100] }
    ... ''')
    >>> main(["anonymize", data, "--policy", policy, "-o", os.path.join(folder, "out.csv"),
    ...       "--quiet"])
    0
    >>> sorted(os.listdir(folder))
    ['out.csv', 'out.csv.manifest.json', 'people.csv', 'policy.toml']
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    from ._crypto import CryptoError, remove_temporaries

    try:
        with _signals_as_exceptions(), warnings.catch_warnings():
            if not getattr(args, "debug", False):
                # other libraries' warnings go to stderr as they are and may quote a value;
                # the privacy warnings are collected and printed by the commands themselves
                warnings.simplefilter("ignore")
            try:
                return int(args.func(args) or 0)
            finally:
                remove_temporaries()  # normally none are left; after a signal, maybe
    except _Terminated as exc:
        import signal

        _error(f"stopped by {signal.Signals(exc.signum).name}; no partial output is left")
        return 128 + exc.signum
    except InsufficientRelease as exc:
        _error(exc)
        for line in exc.lines:
            print(f"  {line}", file=sys.stderr)
        return EXIT_INSUFFICIENT
    except UserError as exc:
        if getattr(args, "debug", False) and exc.__cause__ is not None:
            raise exc.__cause__
        _error(exc)
        return EXIT_USER
    except (_policy_error(), CryptoError) as exc:  # evaluated when matching
        _error(exc)
        return EXIT_USER
    except KeyboardInterrupt:
        _error("interrupted; no partial output is left")
        return 130
    except MemoryError:
        _error("out of memory")
        return EXIT_USER
    except OSError as exc:
        where = f" '{exc.filename}'" if getattr(exc, "filename", None) else ""
        _error(f"{exc.strerror or type(exc).__name__}{where}")
        return EXIT_USER
    except Exception as exc:  # noqa: BLE001
        if getattr(args, "debug", False):
            raise
        # the message of an unexpected error may quote data: it is not printed
        _error(f"unexpected {type(exc).__name__} (a bug; run again with --debug for the "
               "traceback, which may show data values)")
        return EXIT_INTERNAL
