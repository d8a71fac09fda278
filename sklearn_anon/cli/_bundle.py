"""The pipeline bundle written by ``anonymize --save-pipeline`` and read by ``apply``.

A bundle is a joblib file holding a dict of built-in types (format, the
library versions that wrote it, columns, dtypes, the policy) and the fitted
pipeline pickled as bytes inside it, so that the versions can be told even
when the pipeline itself no longer loads.
"""

from __future__ import annotations

import re
import warnings

from ._common import PROG, UserError
from ._io import _check_input
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any
    from .._typing import PathLike

PIPELINE_FORMAT = "sklearn-anon/pipeline"
#: 2: the pipeline is pickled inside the bundle, which records the library versions
PIPELINE_BUNDLE_VERSION = 2


#: the libraries whose versions a saved pipeline records (pickles depend on them)
_RECORDED_LIBRARIES = (("sklearn_anon", "sklearn_anon"), ("scikit-learn", "sklearn"),
                       ("pandas", "pandas"), ("numpy", "numpy"))


def _library_versions():
    """``{"sklearn_anon": "0.1.0", "scikit-learn": "1.9.1", "pandas": ..., "numpy": ...}``."""
    import importlib

    return {name: str(getattr(importlib.import_module(module), "__version__", "unknown"))
            for name, module in _RECORDED_LIBRARIES}


def _minor(version):
    m = re.match(r"(\d+)\.(\d+)", str(version))
    return (int(m.group(1)), int(m.group(2))) if m else None


def _describe_versions(versions):
    return ", ".join(f"{name} {versions[name]}" for name, _ in _RECORDED_LIBRARIES
                     if name in versions)


class _UnloadablePipeline:
    """Stands for a saved pipeline whose pickle failed to load under these versions."""

    def __init__(self, error):
        self.error = error

    def __repr__(self):
        return f"<pipeline that could not be loaded here ({self.error})>"

    def transform(self, X):
        raise RuntimeError(f"this saved pipeline could not be loaded ({self.error}): it was "
                           "written by other library versions (see the bundle's 'versions')")


def _unpickle_pipeline(data):
    """Load the pickled pipeline of a bundle; :class:`_UnloadablePipeline` if it fails.

    Saved pipelines refer to this function by its name: keep its name and
    module.  The bundle around it holds only built-in types, so it always
    loads, and the versions that wrote it can be told when the pipeline
    itself cannot be loaded (a scikit-learn or sklearn_anon class moved or
    changed).
    """
    import pickle

    try:
        return pickle.loads(data)
    except Exception as exc:  # noqa: BLE001 - any failure means "written elsewhere"
        return _UnloadablePipeline(type(exc).__name__)


# Bundles name this function by the path it had before the command line became a package,
# sklearn_anon.cli._unpickle_pipeline (re-exported there): bundles written now are the same
# files as before, and load with the previous release too.
_unpickle_pipeline.__module__ = "sklearn_anon.cli"


class _PicklePayload:
    """Pickles ``obj`` as bytes loaded by :func:`_unpickle_pipeline` (see there)."""

    def __init__(self, obj):
        self.obj = obj

    def __reduce__(self):
        import pickle

        return (_unpickle_pipeline, (pickle.dumps(self.obj, protocol=pickle.HIGHEST_PROTOCOL),))


def _writer_version(path):
    """The ``sklearn_anon_version`` of a bundle that cannot be unpickled, read off its opcodes.

    The bundle's small fields come before the pipeline in the pickle stream,
    so they can be read without building any object.  None if the file is
    not a bundle of ours.
    """
    import pickletools

    strings = []
    try:
        with open(path, "rb") as fh:
            for _, arg, _ in pickletools.genops(fh):
                if isinstance(arg, str):
                    strings.append(arg)
                    if len(strings) > 64:
                        break
    except Exception:  # noqa: BLE001 - the end of what can be read
        pass
    if PIPELINE_FORMAT not in strings or "sklearn_anon_version" not in strings:
        return None
    i = strings.index("sklearn_anon_version")
    return strings[i + 1] if i + 1 < len(strings) else None


def load_pipeline(path: PathLike, notes: list[str] | None = None) -> tuple[Any, dict[str, Any]]:
    """``(pipeline, bundle)`` from a file written by ``anonymize --save-pipeline``.

    A plain fitted transformer saved with :func:`joblib.dump` is accepted
    too (``bundle`` is then an empty dict).  The bundle records the versions
    of sklearn_anon, scikit-learn, pandas and numpy that wrote it: a pipeline
    that cannot be loaded here is refused naming them, and one written by
    another minor version of sklearn_anon or scikit-learn gets a warning
    (appended to ``notes``).

    The file is unpickled: load only pipelines you saved yourself.

    Parameters
    ----------
    path : str or path-like
        The saved pipeline.
    notes : list or None, default=None
        Where to append the warnings (one line each); None drops them.

    Returns
    -------
    pipeline : transformer
        The fitted pipeline (a ColumnTransformer for a saved bundle).
    bundle : dict
        The bundle: ``format``, ``versions`` (of the libraries that wrote
        it), ``input_columns``, ``output_columns``, ``read_dtypes``,
        ``quasi_identifiers``, ``report`` (the policy's requirements) and
        ``policy`` (its text), among others; empty for a plain transformer.

    Raises
    ------
    UserError
        A missing file, a file that is not a saved pipeline, or one that
        cannot be loaded with these library versions (named).

    Examples
    --------
    >>> import os, tempfile
    >>> import joblib
    >>> import pandas as pd
    >>> from sklearn_anon import IntervalGeneralizer
    >>> from sklearn_anon.cli import load_pipeline
    >>> path = os.path.join(tempfile.mkdtemp(), "pipeline.joblib")
    >>> gen = IntervalGeneralizer(bins=[0, 30, 100]).fit(pd.DataFrame({"age": [23, 45]}))
    >>> _ = joblib.dump(gen, path)
    >>> pipeline, bundle = load_pipeline(path)
    >>> pipeline.transform(pd.DataFrame({"age": [51]}))["age"].tolist(), bundle
    (['(30, 100]'], {})
    """
    import joblib

    path = _check_input(path, "pipeline")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = joblib.load(path)
    except Exception as exc:
        writer = _writer_version(path)
        if writer is not None:  # a bundle of ours, written where its classes differ
            raise UserError(
                f"pipeline '{path}' was written by sklearn_anon {writer} and cannot be loaded "
                f"with {_describe_versions(_library_versions())} ({type(exc).__name__}): "
                f"install that version, or fit it again here with '{PROG} anonymize "
                "--save-pipeline'") from None
        raise UserError(f"pipeline '{path}' is not a pipeline saved by {PROG} "
                        "(joblib could not load it)") from None
    if isinstance(obj, dict) and obj.get("format") == PIPELINE_FORMAT:
        here = _library_versions()
        written = obj.get("versions") or {"sklearn_anon": obj.get("sklearn_anon_version", "?")}
        pipeline = obj.get("pipeline")
        if isinstance(pipeline, _UnloadablePipeline):
            raise UserError(
                f"pipeline '{path}' was written by {_describe_versions(written)} and cannot be "
                f"loaded with {_describe_versions(here)} ({pipeline.error}): install those "
                f"versions, or fit it again here with '{PROG} anonymize --save-pipeline'")
        differ = [name for name in ("sklearn_anon", "scikit-learn")
                  if name in written and _minor(written[name]) != _minor(here[name])]
        if differ and notes is not None:
            notes.append(
                f"pipeline '{path}' was written by {_describe_versions(written)}; this is "
                f"{_describe_versions(here)}: only the same minor versions of sklearn_anon and "
                "scikit-learn are supported, fit it again if in doubt")
        if not hasattr(pipeline, "transform"):
            raise UserError(f"pipeline '{path}' holds no fitted transformer")
        return pipeline, obj
    if hasattr(obj, "transform"):
        return obj, {}
    raise UserError(f"pipeline '{path}' holds no fitted transformer")
