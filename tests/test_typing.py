"""Type hints of the public API (issue 18): annotated, shipped, checked by mypy.

- every public callable (the names in the ``__all__`` of the package's faces,
  and the public methods and properties their classes define or inherit from
  sklearn_anon) annotates every parameter and its return;
- the package ships the PEP 561 marker ``py.typed``;
- mypy, with the ``[tool.mypy]`` configuration of pyproject.toml, passes on
  the package and on ``tests/typecheck/api_usage.py`` (the public API as a
  user's code calls it, checked strictly).  About 10 s of CPU from a cold
  cache; .ci/run runs it once (with the newest versions: scikit-learn and
  pandas ship no type information, so the oldest-versions pass would repeat it).
"""

import importlib
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from _public_api import public_names

import sklearn_anon

ROOT = Path(__file__).resolve().parents[1]
#: the methods sklearn_anon's classes define with a leading underscore that are public API
DUNDERS = ("__init__", "__call__")


def _function(member):
    if isinstance(member, (classmethod, staticmethod)):
        member = member.__func__
    elif isinstance(member, property):
        member = member.fget
    return inspect.unwrap(member) if inspect.isfunction(member) else None


def _public_callables():
    """``{qualified name: function}`` of every public function, method and property."""
    found = {}
    for _, _, obj in public_names():
        if inspect.isclass(obj):
            for klass in obj.__mro__:
                if not klass.__module__.startswith("sklearn_anon"):
                    continue  # scikit-learn's, diffprivlib's and Python's own
                for attr, member in vars(klass).items():
                    if attr.startswith("_") and attr not in DUNDERS:
                        continue
                    function = _function(member)
                    if function is not None:
                        found.setdefault(f"{function.__module__}.{function.__qualname__}", function)
        elif inspect.isfunction(obj):
            found.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return found


CALLABLES = _public_callables()


def test_public_callables_found():
    # the faces' names reach every family: a broken walk would pass the test below vacuously
    assert len(CALLABLES) >= 200
    families = {qual.split(".")[1] for qual in CALLABLES}
    assert {"generalize", "kanonymity", "dp", "identifiers", "sdc", "synthetic", "metrics",
            "policy", "cli", "datasets", "base"} <= families


def test_every_public_callable_is_annotated():
    missing = {}
    for qual, function in sorted(CALLABLES.items()):
        annotations = function.__annotations__
        params = [p for i, p in enumerate(inspect.signature(function).parameters)
                  if not (i == 0 and p in ("self", "cls"))]
        absent = [p for p in params if p not in annotations]
        if "return" not in annotations:
            absent.append("return")
        if absent:
            missing[qual] = absent
    assert not missing, f"public callables without annotations: {missing}"


def test_py_typed_is_shipped():
    # PEP 561: the marker beside the package, and listed in the package data (the wheel)
    assert (Path(sklearn_anon.__file__).parent / "py.typed").is_file()
    if (ROOT / "pyproject.toml").is_file():
        text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        assert '"sklearn_anon" = ["py.typed"]' in text


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy is not installed (it is in the test extra)")
@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(),
                    reason="needs the source tree (pyproject.toml's [tool.mypy])")
def test_mypy_passes_on_the_public_api():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", "--no-error-summary",
         "--hide-error-context"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, f"mypy failed:\n{result.stdout}{result.stderr}"
