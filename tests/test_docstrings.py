"""numpydoc validation of every public callable.

Every name in the ``__all__`` of the package's faces (classes, functions and
the public methods a class defines itself) is checked with
``numpydoc.validate``.  Checks left out for everyone, with the reason:

- ``ES01`` (extended summary): optional; short docstrings say enough.
- ``RT02`` (a name in Returns): the house style, as scikit-learn's, names
  what is returned (``X_out : DataFrame``).
- ``SA03``/``SA04`` (See Also descriptions' punctuation and presence): style.
- ``PR08`` (a parameter description starting with a capital): descriptions
  often start with a literal (````None````, ````{column: value}````).
- ``EX01`` and ``SA01`` for methods: the class's Examples and See Also cover them.

``SA01`` (See Also) is required of every estimator and of no other object;
``EX01`` (Examples) of every class and function.  Every DP estimator
(:mod:`sklearn_anon.dp`, and any estimator with the DP estimators' accountant
rules) needs a References section too (custom code ``RF01``).

What does not pass is listed in :data:`EXEMPT`, one entry per object
with its codes and the reason: an explicit list that only shrinks (today
only a class re-exported from diffprivlib, whose docstring is not ours).  Fixing a docstring
without removing its entry fails (``test_exemptions_still_needed``), so the
list stays true.
"""

import inspect

import pytest
from _public_api import public_names
from sklearn.base import BaseEstimator

numpydoc_validate = pytest.importorskip(
    "numpydoc.validate", reason="numpydoc is in the test and doc extras")

IGNORED = {"ES01", "RT02", "SA03", "SA04", "PR08"}
METHOD_IGNORED = IGNORED | {"EX01", "SA01"}

#: {object: {codes}} still failing, with the reason.  Remove an entry when its
#: docstring is fixed (the test says when).
EXEMPT = {
    # diffprivlib's class, re-exported: its docstring is diffprivlib's
    "sklearn_anon.dp.PrivacyLeakWarning": {"EX01", "GL02", "GL03"},
}


def _public_objects():
    """``{qualified name: (object, kind)}``, kind in class/estimator/function/method."""
    found = {}
    for face, name, obj in public_names():
        qual = f"sklearn_anon.{face}.{name}"
        if inspect.isclass(obj):
            kind = "estimator" if issubclass(obj, BaseEstimator) else "class"
            found[qual] = (obj, kind)
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and (
                    inspect.isfunction(member) or isinstance(member, (classmethod, staticmethod))
                ):
                    found[f"{qual}.{attr}"] = (getattr(obj, attr), "method")
        elif callable(obj):
            found[qual] = (obj, "function")
    return found


def _is_dp_estimator(obj):
    from sklearn_anon.dp._base import _DPEstimatorMixin

    return issubclass(obj, _DPEstimatorMixin) or obj.__module__.startswith("sklearn_anon.dp.")


def _errors(qual, obj, kind):
    result = numpydoc_validate.validate(qual)
    ignored = METHOD_IGNORED if kind == "method" else IGNORED
    codes = {code for code, _ in result["errors"]} - ignored
    if kind != "estimator":
        codes.discard("SA01")
    if kind == "estimator" and _is_dp_estimator(obj) and "References" not in (obj.__doc__ or ""):
        codes.add("RF01")
    return codes


OBJECTS = _public_objects()


@pytest.mark.parametrize("qual", sorted(OBJECTS))
def test_docstring_is_valid(qual):
    obj, kind = OBJECTS[qual]
    errors = _errors(qual, obj, kind) - EXEMPT.get(qual, set())
    assert not errors, f"{qual}: {sorted(errors)} (see numpydoc.validate.ERROR_MSGS)"


def test_exemptions_still_needed():
    stale = {}
    for qual, codes in EXEMPT.items():
        if qual not in OBJECTS:
            stale[qual] = "no such public object"
            continue
        fixed = codes - _errors(qual, *OBJECTS[qual])
        if fixed:
            stale[qual] = sorted(fixed)
    assert not stale, f"remove these from EXEMPT (fixed): {stale}"


def test_every_estimator_has_see_also_and_dp_ones_references():
    # the two rules of issue 18, stated on their own (EXEMPT aside)
    missing = {}
    for qual, (obj, kind) in OBJECTS.items():
        if kind != "estimator":
            continue
        doc = obj.__doc__ or ""
        need = ["See Also"] + (["References"] if _is_dp_estimator(obj) else [])
        absent = [section for section in need if f"\n    {section}\n" not in doc]
        if absent and not ({"SA01", "RF01"} & EXEMPT.get(qual, set())):
            missing[qual] = absent
    assert not missing
