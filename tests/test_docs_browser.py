"""The built documentation site in a real headless browser: pages render, links resolve.

Four pages of the Sphinx build (the index, a user-guide page, an API page and
a gallery page) are opened from the files, as a reader who downloaded the
site would:

* in Chromium driven by Playwright (``pip install playwright``; the system
  binary is launched, no browser is downloaded): the title, a visible
  heading, no uncaught script error, no console error and no failed request
  of the site's own files, every image of the site decoded, the theme's
  header laid out, a first screen that is not blank, and a full-page
  screenshot; and the "?" links of a pipeline's HTML diagram (as a notebook
  shows it; and of the gallery's diagrams, when a page shows one) open the
  API pages of this build;
* in Firefox, through its command line (``--screenshot``): no console error
  of the page, and a screenshot that is not blank.

Requests to other hosts are not made (the test runs offline, as CI does):
they are aborted and listed, never a failure; a console error they cause
does not count either.

The site is ``$SKLEARN_ANON_DOC_HTML`` (``.ci/docs`` sets it to the site it
has just built: there, a missing site is a failure), or ``doc/_build/html``
(``python -m sphinx -W --keep-going -b html doc doc/_build/html``); without
it, or without a browser, the tests skip with the reason.
``SKLEARN_ANON_SCREENSHOT_DIR`` keeps the screenshots for a person to look at.
"""

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest

from test_report_browser import CHROMIUMS, FIREFOXES, _firefox_cli, _keep, _which

ROOT = Path(__file__).resolve().parents[1]
#: page (relative to the site) -> text its title must hold
PAGES = {
    "index.html": "sklearn_anon",
    "user_guide/kanonymity.html": "k-anonymity",
    "api/generated/sklearn_anon.kanonymity.MondrianAnonymizer.html": "MondrianAnonymizer",
    "auto_examples/epsilon_sweep.html": "sweep epsilon",
}
WIDTH, HEIGHT = 1280, 900
#: the href of the "?" of an estimator's HTML diagram (scikit-learn's class name)
_DOC_LINK = re.compile(r'<a[^>]*class="[^"]*sk-estimator-doc-link[^"]*"[^>]*href="([^"]+)"'
                       r'|<a[^>]*href="([^"]+)"[^>]*class="[^"]*sk-estimator-doc-link')


@pytest.fixture(scope="module")
def site():
    given = os.environ.get("SKLEARN_ANON_DOC_HTML")
    path = Path(given) if given else ROOT / "doc" / "_build" / "html"
    if not (path / "index.html").is_file():
        if given:  # the docs job built it: its absence is a failure, not a skip
            pytest.fail(f"SKLEARN_ANON_DOC_HTML={given} holds no built site (no index.html)")
        pytest.skip(f"the documentation is not built at {path} (python -m sphinx -W "
                    "--keep-going -b html doc doc/_build/html, or set SKLEARN_ANON_DOC_HTML)")
    missing = [page for page in PAGES if not (path / page).is_file()]
    assert not missing, f"pages absent from the build at {path}: {missing}"
    return path


def _browser(names, package):
    path = _which(names)
    if path is None:
        pytest.skip(f"no {package} installed (looked for {', '.join(names)}; "
                    f"apt-get install {package})")
    return path


def _local_target(site, href):
    """The file of the build a diagram's doc link names: ``.../api/generated/X.html``."""
    path = unquote(urlsplit(href).path)
    marker = "/api/generated/"
    if marker not in path:
        return None
    return site / "api" / "generated" / path.rsplit(marker, 1)[1]


def _doc_links(site):
    """``{gallery page: [href, ...]}`` of every estimator diagram in the gallery."""
    found = {}
    for page in sorted((site / "auto_examples").glob("*.html")):
        hrefs = [a or b for a, b in _DOC_LINK.findall(page.read_text(encoding="utf-8"))]
        if hrefs:
            found[page.relative_to(site).as_posix()] = hrefs
    return found


def _assert_not_blank(png):
    """A PNG of at least 800 x 600 pixels with text on it, not a white (or a black) page."""
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG"
    mpimg = pytest.importorskip("matplotlib.image", reason="reading the PNG needs matplotlib")
    pixels = (mpimg.imread(png)[..., :3] * 255).astype(np.int64)
    height, width = pixels.shape[:2]
    assert width >= 800 and height >= 600, (width, height)
    rgb = (pixels[..., 0] << 16 | pixels[..., 1] << 8 | pixels[..., 2]).ravel()
    # the theme's header and navigation, headings, text: several colours
    assert len(np.unique(rgb)) > 20
    non_white = (pixels < 242).any(axis=-1).mean()
    assert 0.01 < non_white < 0.95, f"{non_white:.1%} of the pixels are not white"


# -- Chromium through Playwright --------------------------------------------------------
@pytest.fixture(scope="module")
def chromium():
    executable = _browser(CHROMIUMS, "chromium")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright drives Chromium (pip install playwright)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def _is_local(url):
    return url.startswith(("file:", "data:", "blob:", "about:"))


def _open(browser, path):
    """Open a file; ``(page, problems, remote)``: what went wrong, and the URLs not asked."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    problems, remote = [], []

    def route(r):
        if _is_local(r.request.url):
            r.continue_()
        else:  # offline, as in CI: never a failure, but listed
            remote.append(r.request.url)
            r.abort()

    def console(message):
        url = (message.location or {}).get("url", "")
        if message.type in ("error", "assert") and (not url or _is_local(url)) and \
                not any(u in message.text for u in remote):
            problems.append(f"console.{message.type}: {message.text} ({url})")

    def failed(request):
        if _is_local(request.url):
            problems.append(f"request failed: {request.url} ({request.failure})")

    page.route("**/*", route)
    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", failed)
    page.goto(Path(path).resolve().as_uri(), wait_until="load")
    return page, problems, remote


# every image of the site decoded (lazy ones are asked for first); remote ones are listed
_IMAGES = """async () => {
    const images = Array.from(document.images);
    images.forEach(img => { img.loading = "eager"; });
    return Promise.all(images.map(img => img.decode().then(
        () => [img.currentSrc || img.src, img.naturalWidth > 0],
        () => [img.currentSrc || img.src, false])));
}"""


@pytest.mark.parametrize("page_path", list(PAGES))
def test_page_renders_in_chromium(page_path, site, chromium, tmp_path):
    page, problems, _ = _open(chromium, site / page_path)
    try:
        title = page.title()
        heading = page.locator("h1").first
        heading_visible = heading.is_visible()
        images = page.evaluate(_IMAGES)
        # the theme's style sheet applied: the header bar is laid out at the top
        header = page.evaluate("""() => {
            const h = document.querySelector('header, .bd-header, nav.navbar');
            if (!h) return null;
            const r = h.getBoundingClientRect();
            return [r.top, r.height];
        }""")
        # the first screen is checked; the whole page is kept for a person to look at
        first = tmp_path / "first-screen.png"
        page.screenshot(path=str(first))
        png = tmp_path / (page_path.replace("/", "_").replace(".html", "") + "-chromium.png")
        page.screenshot(path=str(png), full_page=True)
        page.wait_for_timeout(100)  # late console messages of the page's scripts
    finally:
        page.close()
    assert problems == [], problems
    assert PAGES[page_path] in title, title
    assert "sklearn_anon" in title, title
    assert heading_visible
    assert header is not None and header[0] <= 1 and 30 <= header[1] <= 200, header
    local = [(src, ok) for src, ok in images if _is_local(src)]
    assert all(ok for _, ok in local), [src[:100] for src, ok in local if not ok]
    if page_path.startswith("auto_examples/"):
        assert local, "a gallery page without its figures"
    _assert_not_blank(first)
    assert png.stat().st_size > first.stat().st_size / 2
    _keep(png)


def test_the_harness_sees_what_breaks_a_page(site, chromium, tmp_path):
    """Planted faults are caught (the checks are not vacuous); a remote file is only listed."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><html><head><title>broken</title><script src='missing.js'></script>"
        "</head><body><h1>broken</h1><img src='missing.png'>"
        "<img src='https://example.invalid/remote.png'>"
        "<script>console.error('planted'); notDefinedAnywhere();</script></body></html>")
    page, problems, remote = _open(chromium, broken)
    try:
        images = page.evaluate(_IMAGES)
    finally:
        page.close()
    text = "\n".join(problems)
    for fault in ("planted", "notDefinedAnywhere", "missing.js", "missing.png"):
        assert fault in text, (fault, problems)
    assert "example.invalid" not in text
    assert remote == ["https://example.invalid/remote.png"]
    assert [ok for src, ok in images if _is_local(src)] == [False]


def _check_diagram(browser, path, site):
    """The "?" links of the diagrams of a page: shown, and each names a page of ``site``.

    Returns the local API pages they name; the first one is opened.
    """
    page, problems, _ = _open(browser, path)
    try:
        links = page.locator("a.sk-estimator-doc-link")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        ours = [h for h in hrefs if _local_target(site, h) is not None]
        assert ours, f"no diagram link to this package's API pages in {path}: {hrefs}"
        first = links.nth(hrefs.index(ours[0]))
        first.scroll_into_view_if_needed()
        assert first.is_visible()
    finally:
        page.close()
    assert problems == [], problems
    targets = [_local_target(site, h) for h in ours]
    absent = [h for h, t in zip(ours, targets) if not t.is_file()]
    assert not absent, f"diagram links without a page in this build: {absent}"
    page, problems, _ = _open(browser, targets[0])
    try:
        title = page.title()
    finally:
        page.close()
    assert problems == [], problems
    name = targets[0].name[:-len(".html")].rsplit(".", 1)[-1]
    assert name in title, (name, title)
    return targets


def test_estimator_diagram_links_to_a_page_of_this_build(site, chromium, tmp_path):
    """A pipeline's HTML diagram (as a notebook shows it) links each estimator to its page here."""
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.utils import estimator_html_repr

    from sklearn_anon import IntervalGeneralizer, LaplaceNoise, MondrianAnonymizer

    pipeline = make_pipeline(
        make_column_transformer((IntervalGeneralizer(bins=[0, 30, 100]), ["age"]),
                                (LaplaceNoise(epsilon=1.0, bounds=(0, 10)), ["visits"])),
        MondrianAnonymizer(k=5),
    )
    page = tmp_path / "diagram.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>diagram</title>"
                    f"</head><body>{estimator_html_repr(pipeline)}</body></html>",
                    encoding="utf-8")
    targets = _check_diagram(chromium, page, site)
    assert sorted(t.name for t in targets) == [
        "sklearn_anon.dp.LaplaceNoise.html",
        "sklearn_anon.generalize.IntervalGeneralizer.html",
        "sklearn_anon.kanonymity.MondrianAnonymizer.html",
    ]


def test_gallery_diagrams_link_to_pages_of_this_build(site, chromium):
    links = _doc_links(site)
    if not links:
        pytest.skip("no gallery page shows an estimator HTML diagram in this build")
    for page_path in links:
        _check_diagram(chromium, site / page_path, site)


# -- Firefox, its command line ---------------------------------------------------------------
@pytest.mark.parametrize("page_path", ["index.html", "auto_examples/epsilon_sweep.html"])
def test_page_renders_in_firefox(page_path, site, tmp_path):
    browser = _browser(FIREFOXES, "firefox-esr")
    png = tmp_path / (page_path.replace("/", "_").replace(".html", "") + "-firefox.png")
    problems = _firefox_cli(browser, site / page_path, png, tmp_path / "profile")
    assert problems == [], problems
    _assert_not_blank(png)
    _keep(png)
