"""The documentation site builds with every warning an error (issue 18.1).

A copy of ``doc/`` is built in a temporary folder (``doc/`` itself is left
untouched) with ``python -m sphinx -W --keep-going``, as the docs job
(``.ci/docs``) does, but without running the gallery's scripts
(``plot_gallery=0``): ``tests/test_examples.py`` runs every example already,
and the docs job builds the full site with their output and opens it in a
browser.  What this catches in the test run: a docstring Sphinx or numpydoc
cannot parse, a broken cross-reference, a page missing from a toctree, an
estimator without its API page, an example without its gallery page.

Skipped, with the reason, when Sphinx or one of the site's extensions is not
installed (they are in the ``test`` extra).  ``.ci/run`` runs it once, with
the newest versions (the site users read).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

for _module in ("sphinx", "pydata_sphinx_theme", "sphinx_gallery", "myst_parser", "numpydoc"):
    pytest.importorskip(_module, reason=f"{_module} is in the test and doc extras")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    source = tmp / "doc"
    shutil.copytree(ROOT / "doc", source, ignore=shutil.ignore_patterns(
        "_build", "auto_examples", "generated", "sg_execution_times.rst"))
    shutil.copy(ROOT / "CHANGELOG.md", tmp / "CHANGELOG.md")  # doc/changelog.md includes it
    out = tmp / "html"
    env = dict(os.environ, SKLEARN_ANON_DOC_ROOT=str(ROOT), MPLBACKEND="Agg")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-D", "plot_gallery=0", "-d", str(tmp / "doctrees"), str(source), str(out)],
        env=env, capture_output=True, text=True, timeout=900)
    return proc, out


def test_site_builds_with_warnings_as_errors(site):
    proc, out = site
    assert proc.returncode == 0, f"sphinx -W failed:\n{proc.stderr[-6000:]}"
    assert (out / "index.html").is_file()


def test_every_example_and_estimator_has_its_page(site):
    from sklearn_anon._discovery import all_estimators

    proc, out = site
    if proc.returncode != 0:
        pytest.skip("the build failed (see test_site_builds_with_warnings_as_errors)")
    examples = sorted(p.stem for p in (ROOT / "examples").glob("[a-z]*.py"))
    assert examples
    missing = [e for e in examples if not (out / "auto_examples" / f"{e}.html").is_file()]
    assert not missing, f"no gallery page for {missing}"
    absent = []
    for name, cls in all_estimators():
        link = cls.__new__(cls)._get_doc_link()
        if not (out / "api" / "generated" / link.rsplit("/", 1)[-1]).is_file():
            absent.append(name)
    assert not absent, f"no API page for {absent}"
