"""Find every public estimator of the package (for the common checks)."""

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator

# Modules whose import needs an optional extra are skipped when it is absent.
_OPTIONAL_MODULES = {"sklearn_anon.dask", "sklearn_anon.cli", "sklearn_anon.__main__"}


def all_estimators():
    """Return ``[(name, class)]`` for every public estimator class, sorted by name.

    Walks every public module of ``sklearn_anon`` (and subpackages), so a new
    estimator is found the day it is added, whether or not it is re-exported.

    Examples
    --------
    >>> from sklearn_anon._discovery import all_estimators
    >>> names = [name for name, _ in all_estimators()]
    >>> "IntervalGeneralizer" in names
    True
    """
    import sklearn_anon

    found = {}
    for info in pkgutil.walk_packages(sklearn_anon.__path__, prefix="sklearn_anon."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]) or "tests" in parts:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            if info.name in _OPTIONAL_MODULES:
                continue
            raise
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and cls.__module__.startswith("sklearn_anon")
                and not name.startswith("_")
                and not inspect.isabstract(cls)
                and name != "ColumnAnonymizer"
            ):
                found[name] = cls
    return sorted(found.items())
