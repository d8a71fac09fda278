"""Progress on stderr (only on a terminal, never with ``--quiet``).

Long commands report rows: ``reading customers.csv: 1,500,000 rows (31%)``,
``writing out.csv: 2,000,000 of 5,000,000 rows (40%)``, and name the steps
between (fitting part by part, each measure of the verdict) on the same
line; short ones show a bar.
Updates are throttled to ten a second.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Callable, Iterator, Sequence, TextIO


class Progress:
    """A minimal progress printer: a bar on a terminal, nothing otherwise.

    Each update rewrites one line (``\\r``) with the time since the printer
    was made; updates are throttled to ten a second.  The commands make one
    per run, disabled by ``--quiet``.

    Parameters
    ----------
    enabled : bool or None, default=None
        Whether anything is printed; None: only when ``stream`` is a
        terminal.
    stream : file-like or None, default=None
        Where to print; None is :data:`sys.stderr`.
    width : int, default=28
        Characters of the bar.

    Examples
    --------
    >>> import io
    >>> from sklearn_anon.cli._progress import Progress
    >>> stream = io.StringIO()
    >>> progress = Progress(enabled=True, stream=stream)
    >>> advance = progress.rows("reading people.csv", total=4)
    >>> advance(4)
    >>> progress.close()
    >>> print(stream.getvalue().strip())
    reading people.csv: 4 of 4 rows (100%) ...s
    >>> Progress(stream=io.StringIO()).enabled  # not a terminal
    False
    """

    def __init__(
        self,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        width: int = 28,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.width = width
        self._start = time.perf_counter()
        self._last = 0.0
        self._shown = False
        self._width_shown = 0

    def show(self, done: float, total: float, label: str, *, force: bool = False) -> None:
        """Show a bar at ``done`` of ``total``, with ``label``.

        Parameters
        ----------
        done : int or float
            The work done.
        total : int or float
            The whole work (0 shows an empty bar).
        label : str
            What is being done (its first 40 characters are shown).
        force : bool, default=False
            Show it even within a tenth of a second of the last update.
        """
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.1 and done < total:
            return
        self._last = now
        frac = 0.0 if total <= 0 else min(1.0, done / total)
        filled = int(round(frac * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {100 * frac:5.1f}%  {label[:40]:<40} "
                          f"{now - self._start:6.1f}s")
        self.stream.flush()
        self._shown = True
        if self not in _ACTIVE:
            _ACTIVE.append(self)

    def line(self, text: str, *, force: bool = False) -> None:
        """Show ``text`` (one line, replaced by the next; throttled unless ``force``).

        Parameters
        ----------
        text : str
            One line (e.g. ``"fitting the anonymizer on 1,000 rows"``).
        force : bool, default=False
            Show it even within a tenth of a second of the last update.
        """
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        text = f"{text}  {now - self._start:6.1f}s"
        pad = max(0, self._width_shown - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width_shown = len(text)
        self._shown = True
        if self not in _ACTIVE:
            _ACTIVE.append(self)

    def rows(self, label: str, total: int | None = None) -> Callable[..., None]:
        """A callback ``advance(n_rows, fraction=None)`` for work counted in rows.

        Shows ``label: N rows``, ``of TOTAL`` when the total is known, and a
        percentage (of ``total``, or the ``fraction`` the caller estimates,
        e.g. the share of the file's bytes read).

        Parameters
        ----------
        label : str
            What is counted (e.g. ``"reading people.csv"``).
        total : int or None, default=None
            The number of rows expected, when known.

        Returns
        -------
        advance : callable
            ``advance(n_rows, fraction=None)``: ``n_rows`` more rows are
            done; the line is shown when the total (or a ``fraction`` of 1)
            is reached, throttled otherwise.
        """
        seen = [0]

        def advance(n, fraction=None):
            seen[0] += n
            done = seen[0]
            if total:
                text = f"{label}: {done:,} of {total:,} rows ({100 * min(1.0, done / total):.0f}%)"
            else:
                text = f"{label}: {done:,} rows"
                if fraction is not None:
                    text += f" ({100 * min(1.0, fraction):.0f}%)"
            # the last update always shows (a total reached, or the whole input read)
            self.line(text, force=(done >= total) if total else (fraction or 0) >= 1)

        return advance

    def stages(self, labels: Sequence[str]) -> Iterator[str]:
        """An iterator helper: call ``next(step)`` before each stage.

        The bar advances one stage per label; after the last one it shows
        ``done`` and the printer is closed.

        Parameters
        ----------
        labels : list of str
            The stages, in order.

        Yields
        ------
        label : str
            Each of ``labels``, as its stage starts.
        """
        n = len(labels)
        for i, label in enumerate(labels):
            self.show(i, n, label, force=True)
            yield label
        self.show(n, n, "done", force=True)
        self.close()

    def bytes(self, total: int, label: str) -> Callable[[int], None]:
        """A callback ``advance(nbytes)`` for streaming work.

        Parameters
        ----------
        total : int
            The number of bytes expected.
        label : str
            What is being done (e.g. ``"encrypting"``).

        Returns
        -------
        advance : callable
            ``advance(nbytes)``: ``nbytes`` more bytes are done (the bar
            moves, throttled).
        """
        seen = [0]

        def advance(n):
            seen[0] += n
            self.show(seen[0], total, label)

        return advance

    def close(self) -> None:
        """End the line shown (a newline), so that the next output starts a line."""
        if self.enabled and self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
            self._width_shown = 0
        if self in _ACTIVE:
            _ACTIVE.remove(self)


#: progress printers with an unfinished line (closed before an error is printed)
_ACTIVE: list[Progress] = []


def _close_progress():
    while _ACTIVE:
        _ACTIVE.pop().close()
