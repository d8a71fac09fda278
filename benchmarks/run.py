"""Run the benchmarks and print one table.

Usage::

    python benchmarks/run.py                 # every bench_*.py
    python benchmarks/run.py generalize dp   # only those
    python benchmarks/run.py --quick         # smaller sizes, for a smoke run

Each ``benchmarks/bench_<name>.py`` defines ``run(quick=False)`` returning a
list of rows made with ``_common.row``; this script prints them as one
Markdown table (paste it into benchmarks/README.md with the machine line).
"""

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import format_table, machine  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="bench_<name>.py modules to run")
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args(argv)
    names = args.names or sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    rows = []
    for name in names:
        module = importlib.import_module(f"bench_{name}")
        print(f"running bench_{name} ...", file=sys.stderr, flush=True)
        rows.extend(module.run(quick=args.quick))
    print(f"Machine: {machine()}\n")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
