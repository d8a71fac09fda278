"""The public API as the faces list it, for the tests that walk all of it
(tests/test_docstrings.py: numpydoc validation; tests/test_typing.py: annotations)."""

import importlib

#: every face: the family packages and the top-level public modules
FACES = ["generalize", "kanonymity", "dp", "identifiers", "sdc", "synthetic", "metrics",
         "policy", "cli", "dask", "datasets", "base"]


def public_names():
    """Yield ``(face, name, object)`` for every name in every face's ``__all__``.

    A face whose optional extra is absent (dask) is left out.
    """
    for face in FACES:
        try:
            module = importlib.import_module(f"sklearn_anon.{face}")
        except ImportError:
            continue
        for name in module.__all__:
            yield face, name, getattr(module, name)
