"""The HTML privacy report in a real headless browser: a non-blank screenshot, no console error.

Runs with whichever browser is installed and skips with the reason otherwise
(no browser is downloaded: ``apt-get install chromium`` or ``firefox-esr``):

* Chromium (``chromium``, ``chromium-browser``, ``google-chrome``) driven by
  Playwright (``pip install playwright``; its own browser downloads are not
  needed: the system binary is launched): console messages of level error,
  uncaught page errors and failed requests are collected, every image must
  decode, the verdict must be visible;
* Chromium's command line (``--screenshot``; also run when Playwright is
  installed), with console messages read from its log (the report has no
  script, so any console message is a failure);
* Firefox: its command line (``--screenshot``) with a fresh profile that
  writes console messages to standard output.

The screenshot must be a PNG of the page that is not blank: many distinct
colours (text, tables, the embedded plots) and a share of non-white pixels.
``SKLEARN_ANON_SCREENSHOT_DIR`` keeps the screenshots for a person to look at.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from sklearn_anon import MondrianAnonymizer
from sklearn_anon.datasets import make_customers
from sklearn_anon.metrics import PrivacyReport

QIS = ["zipcode", "sex", "birthdate", "income"]
WIDTH, HEIGHT = 1100, 1600
CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FIREFOXES = ("firefox", "firefox-esr")
# chromium: through Playwright when it is installed; chromium-cli: its command line
KINDS = ["chromium", "chromium-cli", "firefox"]


def _which(names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    """The HTML report of a Mondrian release, with its plots (needs matplotlib)."""
    pytest.importorskip("matplotlib", reason="the report's plots need matplotlib (the plot extra)")
    table = make_customers(800, random_state=0)[QIS + ["purchases"]]
    released = MondrianAnonymizer(k=10, quasi_identifiers=QIS).fit_transform(table)
    report = PrivacyReport(table, released, QIS, sensitive="purchases", k=10,
                           title="Customers, Mondrian k=10")
    path = tmp_path_factory.mktemp("report") / "report.html"
    page = report.to_html(path)
    assert page.count("data:image/png;base64,") == 3  # the plots are in the page
    return path


def _keep(png):
    out = os.environ.get("SKLEARN_ANON_SCREENSHOT_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(out) / png.name)


def _assert_not_blank(png):
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG"
    import matplotlib.image as mpimg

    pixels = mpimg.imread(png)[..., :3]
    height, width = pixels.shape[:2]
    assert width >= 800 and height >= 600, (width, height)
    flat = pixels.reshape(-1, 3)
    # text, coloured verdict, tables and three plots: many colours, not a white page
    assert len(np.unique(flat[::7], axis=0)) > 50
    non_white = (flat < 0.95).any(axis=1).mean()
    assert 0.02 < non_white < 0.95, f"{non_white:.1%} of the pixels are not white"


# -- Chromium through Playwright ---------------------------------------------------
def _chromium_playwright(browser_path, html_path, png):
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}")
                    if m.type in ("error", "warning", "assert") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:80]}"))
            page.goto(html_path.resolve().as_uri(), wait_until="load")
            images = page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => [i.id, i.complete && i.naturalWidth > 0])")
            verdict_visible = page.is_visible("#verdict")
            title = page.title()
            page.screenshot(path=str(png), full_page=True)
        finally:
            browser.close()
    return problems, images, verdict_visible, title


# -- command lines ------------------------------------------------------------------
def _chromium_cli(browser_path, html_path, png):
    cmd = [browser_path, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--enable-logging=stderr", "--v=0", f"--window-size={WIDTH},{HEIGHT}",
           f"--screenshot={png}", html_path.resolve().as_uri()]
    proc = subprocess.run(cmd, timeout=120, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the report has no script: any console line (error, uncaught exception) is a failure
    return [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]


# Firefox's own components log to the same output ("console.error: services.settings: ...",
# failing update checks without a network); the page's messages are quoted values
# and its uncaught errors name the page
_FIREFOX_PREFS = (
    'user_pref("devtools.console.stdout.content", true);\n'
    'user_pref("javascript.options.showInConsole", true);\n'
    'user_pref("browser.dom.window.dump.enabled", true);\n'
)


def _firefox_cli(browser_path, html_path, png, profile):
    profile.mkdir()
    (profile / "user.js").write_text(_FIREFOX_PREFS)
    uri = html_path.resolve().as_uri()
    cmd = [browser_path, "--headless", "--no-remote", "--profile", str(profile),
           "--window-size", f"{WIDTH},{HEIGHT}", "--screenshot", str(png), uri]
    env = {**os.environ, "MOZ_HEADLESS": "1"}
    proc = subprocess.run(cmd, timeout=180, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    output = (proc.stdout + proc.stderr).splitlines()
    return [line for line in output
            if re.match(r"console\.(error|warn|assert): (?![\w.]+: )", line)
            or re.match(rf"JavaScript (error|warning): {re.escape(uri)}", line)]


def _problems(kind, browser, html_path, png, tmp_path):
    """Console errors of the page in ``browser`` (and Playwright's extra checks, or None)."""
    if kind == "firefox":
        return _firefox_cli(browser, html_path, png, tmp_path / "profile"), None
    if kind == "chromium-cli":
        return _chromium_cli(browser, html_path, png), None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return _chromium_cli(browser, html_path, png), None
    problems, images, visible, title = _chromium_playwright(browser, html_path, png)
    return problems, {"images": images, "verdict_visible": visible, "title": title}


# -- the tests ----------------------------------------------------------------------
def _browser(kind):
    names = FIREFOXES if kind == "firefox" else CHROMIUMS
    path = _which(names)
    if path is None:
        pkg = "firefox-esr" if kind == "firefox" else "chromium"
        pytest.skip(f"no {pkg} installed (looked for {', '.join(names)}; apt-get install {pkg})")
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_report_in_headless_browser(kind, report_page, tmp_path):
    browser = _browser(kind)
    png = tmp_path / f"report-{kind}.png"
    problems, extra = _problems(kind, browser, report_page, png, tmp_path)
    assert problems == []
    if extra is not None:  # Playwright: every plot decoded, the verdict shown
        assert len(extra["images"]) == 3 and all(ok for _, ok in extra["images"]), extra["images"]
        assert extra["verdict_visible"]
        assert extra["title"] == "Customers, Mondrian k=10"
    _assert_not_blank(png)
    _keep(png)


@pytest.mark.parametrize("kind", KINDS)
def test_the_harness_sees_console_errors(kind, tmp_path):
    """A page with a console.error and an uncaught exception is caught (the check is not vacuous)."""
    browser = _browser(kind)
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><h1>broken</h1><script>"
                    "console.error('planted'); notDefinedAnywhere();</script></body></html>")
    problems, _ = _problems(kind, browser, page, tmp_path / "broken.png", tmp_path)
    text = "\n".join(problems)
    assert "planted" in text
    assert "notDefinedAnywhere" in text
