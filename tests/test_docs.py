"""The documentation stays complete: API reference, doc links, project files.

The Sphinx build itself (warnings as errors, the gallery run) is ``.ci/docs``;
these checks need no Sphinx.
"""

import importlib
import re
from pathlib import Path

import pytest
from _public_api import FACES  # the faces the API reference documents
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_html_repr

import sklearn_anon
from sklearn_anon._discovery import all_estimators
from sklearn_anon.base import DOC_URL

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "doc" / "api" / "index.rst"


def _api_sections():
    """``{module: [names]}`` of the autosummary lists in doc/api/index.rst."""
    sections, module = {}, None
    for line in API.read_text().splitlines():
        if line.startswith(".. currentmodule:: "):
            module = line.split()[-1]
            sections.setdefault(module, [])
        elif module and re.fullmatch(r"   [A-Za-z_]\w*", line):
            sections[module].append(line.strip())
    return sections


@pytest.mark.parametrize("face", FACES)
def test_api_reference_lists_every_public_name(face):
    if face == "dask":
        pytest.importorskip("dask")
    module = importlib.import_module(f"sklearn_anon.{face}")
    listed = _api_sections().get(module.__name__, [])
    assert sorted(listed) == sorted(module.__all__)


def test_every_top_level_name_has_an_api_page():
    documented = {name for names in _api_sections().values() for name in names}
    assert set(sklearn_anon.__all__) <= documented


def _expected_link(cls):
    module = cls.__module__.split("._")[0]
    # the API page is under the face that exports the class
    assert cls.__name__ in importlib.import_module(module).__all__, (cls, module)
    version = "latest" if "dev" in sklearn_anon.__version__ else "stable"
    return (DOC_URL.format(version=version)
            + f"api/generated/{module}.{cls.__name__}.html")


@pytest.mark.parametrize("name, cls", all_estimators(), ids=[n for n, _ in all_estimators()])
def test_doc_link_points_to_the_api_page(name, cls):
    est = cls.__new__(cls)  # the link depends on the class only
    assert est._get_doc_link() == _expected_link(cls)


def test_html_diagram_links_to_the_api_pages():
    from sklearn_anon import IntervalGeneralizer, LaplaceNoise, PIIDetector

    pipe = make_pipeline(PIIDetector(), IntervalGeneralizer(), LaplaceNoise(bounds=(0, 1)))
    html = estimator_html_repr(pipe)
    for cls in (PIIDetector, IntervalGeneralizer, LaplaceNoise):
        assert f'href="{_expected_link(cls)}"' in html


def test_no_link_for_a_users_subclass():
    from sklearn_anon.base import ColumnAnonymizer

    class MyAnonymizer(ColumnAnonymizer):
        pass

    # defined outside the package: no page of ours to link to
    assert MyAnonymizer()._get_doc_link() == ""


def test_license_ships_and_agrees_with_pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "BSD-3-Clause"
    assert meta["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "sklearn_anon developers" in text


def test_changelog_names_the_coming_release():
    text = (ROOT / "CHANGELOG.md").read_text()
    version = sklearn_anon.__version__
    release = version.split(".dev")[0]
    assert f"## [{release}]" in text
    for group in ("### Added", "### Changed", "### Fixed", "### Security"):
        assert group in text


def test_doc_link_template_can_be_overridden_on_an_instance():
    from sklearn_anon import IntervalGeneralizer

    est = IntervalGeneralizer()
    est._doc_link_template = "https://example.invalid/{estimator_name}.html"
    assert est._get_doc_link() == "https://example.invalid/IntervalGeneralizer.html"
    assert IntervalGeneralizer()._get_doc_link().startswith(DOC_URL.split("{")[0])
