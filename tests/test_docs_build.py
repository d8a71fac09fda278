"""The documentation site builds with every warning an error (issue 18.1).

A copy of ``doc/`` is built in a temporary folder (``doc/`` itself is left
untouched) with ``python -m sphinx -W --keep-going``, as the docs job
(``.ci/docs``) does, gallery included: sphinx-gallery runs every script of
``examples/`` and renders its tables and plots (their files go to a temporary
folder; the Adult example reads ``$SKLEARN_ANON_ADULT_DIR`` or falls back to
synthetic data).  What this catches in the test run: a docstring Sphinx or
numpydoc cannot parse, a broken cross-reference, a page missing from a
toctree, an example that fails under the gallery, an estimator without its
API page, an example without its gallery page.  The docs job also opens the
built pages in a headless browser (``tests/test_docs_browser.py``).

Skipped, with the reason, when Sphinx or one of the site's extensions is not
installed (they are in the ``test`` extra).  ``.ci/run`` runs it once, with
the newest versions (the site users read); about 45 s on an idle 2-core
machine.
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
    env = dict(os.environ, SKLEARN_ANON_DOC_ROOT=str(ROOT), MPLBACKEND="Agg",
               SKLEARN_ANON_OUTPUT_DIR=str(tmp / "examples-output"))
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp / "doctrees"), str(source), str(out)],
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
