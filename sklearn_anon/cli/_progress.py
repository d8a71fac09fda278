"""Progress on stderr (only on a terminal, never with ``--quiet``).

Long commands report rows: ``reading customers.csv: 1,500,000 rows (31%)``,
``writing out.csv: 2,000,000 of 5,000,000 rows (40%)``, and name the steps
between (fitting, measuring risk) on the same line; short ones show a bar.
Updates are throttled to ten a second.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Callable, Iterable, Iterator, TextIO


class Progress:
    """A minimal progress printer: a bar on a terminal, nothing otherwise."""

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
        """Show ``text`` (one line, replaced by the next; throttled unless ``force``)."""
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

    def stages(self, labels: Iterable[str]) -> Iterator[str]:
        """An iterator helper: call ``next(step)`` before each stage."""
        n = len(labels)
        for i, label in enumerate(labels):
            self.show(i, n, label, force=True)
            yield label
        self.show(n, n, "done", force=True)
        self.close()

    def bytes(self, total: int, label: str) -> Callable[[int], None]:
        """A callback ``advance(nbytes)`` for streaming work."""
        seen = [0]

        def advance(n):
            seen[0] += n
            self.show(seen[0], total, label)

        return advance

    def close(self) -> None:
        if self.enabled and self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
            self._width_shown = 0
        if self in _ACTIVE:
            _ACTIVE.remove(self)


#: progress printers with an unfinished line (closed before an error is printed)
_ACTIVE = []


def _close_progress():
    while _ACTIVE:
        _ACTIVE.pop().close()
