"""Sphinx configuration of the sklearn_anon documentation.

Build (from the project root; every warning is an error)::

    pip install -e ".[doc]"
    python -m sphinx -W --keep-going -b html doc doc/_build/html

The gallery runs every script of ``examples/`` (about two minutes on two
cores); files they write go to a temporary folder.  Nothing is downloaded:
no intersphinx, and the Adult example reads ``$SKLEARN_ANON_ADULT_DIR`` (or
falls back to synthetic data).
"""

import os
import os
import re
import sys
import tempfile
from pathlib import Path

# the checkout documented: this file's, unless the sources were copied elsewhere
# to be built (tests/test_docs_build.py builds a copy, leaving doc/ untouched)
ROOT = Path(os.environ.get("SKLEARN_ANON_DOC_ROOT") or Path(__file__).resolve().parents[1])
# document the checkout this file belongs to, whatever is installed
sys.path.insert(0, str(ROOT))
# the examples import their helper module ``_output`` from their own folder
sys.path.insert(0, str(ROOT / "examples"))

import sklearn_anon  # noqa: E402

# -- project -----------------------------------------------------------------
project = "sklearn_anon"
author = "sklearn_anon developers"
copyright = "2026, sklearn_anon developers"
release = sklearn_anon.__version__
version = ".".join(release.split(".")[:2])

# -- general -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.py",
                    "auto_examples/*.ipynb", "auto_examples/*.zip", "auto_examples/*.json"]
default_role = "literal"   # `x` in the user guide is code, as in the README
root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
# the user guide and the changelog are Markdown, as the README they came from
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]
suppress_warnings = ["myst.header"]  # CHANGELOG.md starts its entries at level 2

autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False, "inherited-members": False}
autodoc_typehints = "none"          # the numpydoc Parameters section says it
add_module_names = False

# numpydoc: the class page lists its methods through the autosummary template
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# docstring validation runs as a test (tests/test_docstrings.py) with an
# explicit exemption list, so that the build and the check cannot disagree
numpydoc_validation_checks = set()

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_anon {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "changelog": []}
# light or dark as the reader's system, said explicitly: left empty, the
# theme's script logs "Got invalid theme mode" on a reader's first visit
# (tests/test_docs_browser.py opens the pages with a fresh profile)
html_context = {"default_mode": "auto"}
html_show_sourcelink = False

# -- gallery -----------------------------------------------------------------
_gallery_out = Path(tempfile.mkdtemp(prefix="sklearn_anon_gallery_"))
os.environ.setdefault("SKLEARN_ANON_OUTPUT_DIR", str(_gallery_out))
os.environ.setdefault("MPLBACKEND", "Agg")

sphinx_gallery_conf = {
    "examples_dirs": [str(ROOT / "examples")],
    "gallery_dirs": ["auto_examples"],
    # every example is a script for the command line and a gallery page
    "filename_pattern": r"/[a-z][a-z_]*\.py$",
    "ignore_pattern": r"(^|[\\/])_",      # _output.py is a helper, not an example
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "plot_gallery": "True",
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "show_memory": False,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "min_reported_time": 1,
}


# -- docstring hooks -----------------------------------------------------------
_FIELD = re.compile(r"^(\s*\w+\s+:\s+)(.+)$")
_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")
_INHERITED_NOTE = (
    "Inherited from scikit-learn's :class:`{cls}`; see scikit-learn's "
    "documentation of ``{name}``."
)


def _escape_type_underscores(text):
    """``ndarray of shape (n_features_in_,)``: a trailing ``_`` is no link."""
    parts = _LITERAL.split(text)
    for i in range(0, len(parts), 2):  # outside literals and roles only
        parts[i] = re.sub(r"(?<=\w)_(?=[\s,)\]\"']|$)", r"\\_", parts[i])
    return "".join(parts)


def _process_docstring(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if what in ("method", "attribute", "property") and module.split(".")[0] == "sklearn":
        # scikit-learn's own docstrings cite labels of scikit-learn's site
        owner = getattr(obj, "__qualname__", name).split(".")[0]
        lines[:] = [_INHERITED_NOTE.format(cls=f"{module}.{owner}", name=name.split(".")[-1]), ""]
        return
    for i, line in enumerate(lines):
        match = _FIELD.match(line)
        if match:
            lines[i] = match.group(1) + _escape_type_underscores(match.group(2))


def setup(app):
    # before numpydoc (priority 500) turns the sections into reST
    app.connect("autodoc-process-docstring", _process_docstring, priority=400)
