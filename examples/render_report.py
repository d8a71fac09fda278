"""Render a PrivacyReport of a k-anonymized customer table and screenshot it.
==========================================================================

Builds a synthetic customer table (``make_customers``), k-anonymizes its
quasi-identifiers with Mondrian, writes the privacy report as a
self-contained HTML page and, when Chromium is installed, takes a
screenshot of the page in headless Chromium::

    python examples/render_report.py                 # writes into examples/output/report/
    python examples/render_report.py --out /tmp/r --k 10 --rows 5000

Chromium on Debian: ``apt-get install -y chromium``.  Without it the HTML
is still written and the script says the screenshot was skipped.

The Markdown of the same report is printed on standard output (the README
shows it).
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sklearn_anon import MondrianAnonymizer
from sklearn_anon.datasets import make_customers
from sklearn_anon.metrics import PrivacyReport

QUASI_IDENTIFIERS = ["zipcode", "sex", "birthdate", "income"]
SENSITIVE = "purchases"


def find_chromium():
    """Path of a Chromium/Chrome binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html_path, png_path, *, width=1100, height=2400, timeout=120):
    """Screenshot ``html_path`` with headless Chromium; return True on success."""
    browser = find_chromium()
    if browser is None:
        return False
    cmd = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        f"--window-size={width},{height}", f"--screenshot={png_path}",
        Path(html_path).resolve().as_uri(),
    ]
    subprocess.run(cmd, check=True, timeout=timeout, capture_output=True)
    return Path(png_path).is_file() and Path(png_path).stat().st_size > 0


def build_report(rows=2000, k=10, random_state=0):
    """The raw table, its Mondrian release and their PrivacyReport."""
    customers = make_customers(rows, random_state=random_state)
    table = customers[QUASI_IDENTIFIERS + [SENSITIVE]]
    released = MondrianAnonymizer(k=k, quasi_identifiers=QUASI_IDENTIFIERS).fit_transform(table)
    report = PrivacyReport(table, released, QUASI_IDENTIFIERS, sensitive=SENSITIVE, k=k,
                           title=f"Customers, Mondrian k={k}")
    return table, released, report


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument(
        "--out",
        default=os.path.join(
            os.environ.get("SKLEARN_ANON_OUTPUT_DIR") or os.path.join(os.path.dirname(globals().get("__file__") or sys.argv[0]), "output"),
            "report",
        ),
        help="output folder (default: $SKLEARN_ANON_OUTPUT_DIR/report or examples/output/report)",
    )
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _, _, report = build_report(args.rows, args.k)
    html_path = out / "privacy_report.html"
    report.to_html(html_path)
    print(report.to_markdown())
    png_path = out / "privacy_report.png"
    if screenshot(html_path, png_path):
        print(f"wrote {html_path} and {png_path}", file=sys.stderr)
    else:
        print(f"wrote {html_path}; no Chromium found, screenshot skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    # exit only on failure: the documentation gallery runs this file in its own process
    status = main()
    if status:
        raise SystemExit(status)
