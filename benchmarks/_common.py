"""Timing helpers shared by the benchmark scripts."""

import os
import platform
import time


def best_time(func, *, repeat=3):
    """Best wall-clock seconds of ``repeat`` calls of ``func()`` (after one warm-up
    when ``repeat`` > 1); returns ``(seconds, last_result)``."""
    result = func() if repeat > 1 else None
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def row(operation, rows, seconds, peer=None, peer_seconds=None, note=""):
    """One result row; ``speedup`` = peer time / our time (> 1: we are faster)."""
    return {
        "operation": operation,
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds if seconds > 0 else float("inf"),
        "peer": peer or "",
        "peer_seconds": peer_seconds,
        "speedup": (peer_seconds / seconds) if peer_seconds else None,
        "note": note,
    }


def machine():
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def format_table(rows):
    """Markdown table: operation, rows, seconds, rows/s, peer, peer seconds, speedup."""
    lines = [
        "| operation | rows | seconds | rows/s | peer | peer seconds | speedup (peer/ours) | note |",
        "|---|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in rows:
        peer_s = f"{r['peer_seconds']:.4f}" if r["peer_seconds"] else ""
        speed = f"{r['speedup']:.2f}x" if r["speedup"] else ""
        lines.append(
            f"| {r['operation']} | {r['rows']:,} | {r['seconds']:.4f} | "
            f"{r['rows_per_s']:,.0f} | {r['peer']} | {peer_s} | {speed} | {r['note']} |"
        )
    return "\n".join(lines)
