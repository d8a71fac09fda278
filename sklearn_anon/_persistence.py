"""Persistence with :mod:`skops.io`: the types to trust, and pandas-free saved state.

``skops.io`` saves an estimator without pickle, as a tree of plain Python
values and numpy arrays, and refuses to load a type that the caller does not
trust.  It has no support for pandas objects, so an estimator whose fitted
state holds a ``Series``, ``DataFrame`` or ``Index`` saves through
:class:`_PlainState`: its ``__getstate__`` writes each pandas object as
arrays (values, dtype name, index and names) and its ``__setstate__``
rebuilds the same object, for pickle and joblib as well (a pickle written
before keeps loading: a state without converted parts passes unchanged).
"""

import numpy as np
import pandas as pd

__all__ = ["trusted_types"]

# the key that marks a converted pandas object (or a dict whose keys are tuples)
_TAG = "__sklearn_anon_state__"

# types held in the fitted state that are not estimators of the package
_OTHER_TRUSTED = (
    "sklearn_anon._hierarchy.Hierarchy",
    "sklearn_anon.kanonymity._coding.ColumnCoder",
    "diffprivlib.accountant.BudgetAccountant",
    # skops saves a dtype as an empty array that it loads without pickle, yet
    # does not trust it by default (a datetime column's dtype in Mondrian's coders)
    "numpy.dtype",
)


def trusted_types():
    """Types of this package to trust when loading a fitted estimator with :mod:`skops.io`.

    :func:`skops.io.load` refuses to build a type it does not trust (it
    trusts numpy, scipy and scikit-learn's own types).  Pass this list as
    ``trusted=`` to load a fitted estimator of this package, or a pipeline
    holding one; add the names of any other third-party type the pipeline
    holds (``skops.io.get_untrusted_types(file=...)`` lists what a file
    needs).  Never pass ``trusted=True``: it trusts whatever the file names,
    which is as unsafe as unpickling it.

    Returns
    -------
    names : list of str
        Sorted ``"module.Class"`` names: every public estimator of the
        package (under the module that defines it), :class:`Hierarchy`,
        Mondrian's column coder, diffprivlib's ``BudgetAccountant`` (held
        by the DP estimators) and ``numpy.dtype``; with scikit-learn < 1.7
        also the list a fitted ``ColumnTransformer`` keeps its remainder
        columns in (scikit-learn's own type, which skops does not trust by
        default).

    Examples
    --------
    >>> import pandas as pd
    >>> import skops.io as sio
    >>> from sklearn_anon import MondrianAnonymizer, trusted_types
    >>> X = pd.DataFrame({"age": [21, 22, 23, 61, 62, 63]})
    >>> anon = MondrianAnonymizer(k=3).fit(X)
    >>> loaded = sio.loads(sio.dumps(anon), trusted=trusted_types())
    >>> loaded.transform(X)["age"].tolist()
    ['[21, 23]', '[21, 23]', '[21, 23]', '[61, 63]', '[61, 63]', '[61, 63]']
    >>> "sklearn_anon.kanonymity._mondrian.MondrianAnonymizer" in trusted_types()
    True
    """
    from ._discovery import all_estimators

    names = {f"{cls.__module__}.{cls.__name__}" for _, cls in all_estimators()}
    names.update(_OTHER_TRUSTED)
    from sklearn.compose import _column_transformer

    if hasattr(_column_transformer, "_RemainderColsList"):
        # scikit-learn < 1.7: every fitted ColumnTransformer holds one (a list
        # subclass of scikit-learn's own) and skops does not trust it by default
        names.add("sklearn.compose._column_transformer._RemainderColsList")
    return sorted(names)


# -- pandas objects as plain values -------------------------------------------
def _dtype_state(dtype):
    """A dtype as its name (or categories and order); kept as it is when its name is ambiguous."""
    if isinstance(dtype, pd.CategoricalDtype):
        return {"categories": _to_plain(dtype.categories), "ordered": bool(dtype.ordered)}
    name = str(dtype)
    try:
        if pd.api.types.pandas_dtype(name) == dtype:
            return name
    except TypeError:
        pass
    # e.g. a string dtype whose storage differs from the default one: pickle keeps
    # the object; skops.io cannot save it (and says so)
    return dtype


def _dtype_from(state):
    if isinstance(state, dict):
        return pd.CategoricalDtype(_from_plain(state["categories"]), ordered=state["ordered"])
    if isinstance(state, str):
        return pd.api.types.pandas_dtype(state)
    return state


def _values_state(values):
    """A 1-d pandas array (column, Index level) as ``{"dtype", "values"}``."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        data = np.asarray(pd.Categorical(values).codes)
    elif isinstance(dtype, np.dtype):  # object arrays are kept as they are (NaN, None)
        data = np.asarray(values)
    else:  # extension dtypes: Python values, missing as None
        data = np.asarray(pd.array(values, dtype=dtype).to_numpy(dtype=object, na_value=None),
                          dtype=object)
    return {"dtype": _dtype_state(dtype), "values": data}


def _values_from(state):
    """``(values, dtype)`` to build the pandas object with (``dtype=`` given, never inferred)."""
    dtype = _dtype_from(state["dtype"])
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical.from_codes(state["values"], dtype=dtype), dtype
    if isinstance(dtype, np.dtype):
        return np.asarray(state["values"], dtype=dtype), dtype
    return pd.array(list(state["values"]), dtype=dtype), dtype


def _index_from(state, name=None):
    values, dtype = _values_from(state)
    return pd.Index(values, dtype=dtype, name=name, copy=False)


def _to_plain(obj):
    """``obj`` with every pandas object, dtype and tuple-keyed dict in it as plain values."""
    if isinstance(obj, pd.DataFrame):
        return {_TAG: "DataFrame", "index": _to_plain(obj.index), "columns": _to_plain(obj.columns),
                "data": [_values_state(obj.iloc[:, i]) for i in range(obj.shape[1])]}
    if isinstance(obj, pd.Series):
        return {_TAG: "Series", "index": _to_plain(obj.index), "name": _to_plain(obj.name),
                "data": _values_state(obj)}
    if isinstance(obj, pd.RangeIndex):
        return {_TAG: "RangeIndex", "range": [int(obj.start), int(obj.stop), int(obj.step)],
                "name": _to_plain(obj.name)}
    if isinstance(obj, pd.MultiIndex):
        return {_TAG: "MultiIndex", "names": [_to_plain(n) for n in obj.names],
                "levels": [_values_state(obj.get_level_values(i)) for i in range(obj.nlevels)]}
    if isinstance(obj, pd.Index):
        return {_TAG: "Index", "name": _to_plain(obj.name), "data": _values_state(obj)}
    if isinstance(obj, (np.dtype, pd.api.extensions.ExtensionDtype)):
        return {_TAG: "dtype", "dtype": _dtype_state(obj)}
    if type(obj) is dict:
        if any(isinstance(key, tuple) for key in obj) or _TAG in obj:
            return {_TAG: "dict", "items": [[_to_plain(k), _to_plain(v)] for k, v in obj.items()]}
        return {key: _to_plain(value) for key, value in obj.items()}
    if type(obj) in (list, tuple):
        return type(obj)(_to_plain(v) for v in obj)
    return obj


def _from_plain(obj):
    """Inverse of :func:`_to_plain`."""
    if type(obj) is dict:
        kind = obj.get(_TAG)
        if kind is None:
            return {key: _from_plain(value) for key, value in obj.items()}
        if kind == "dtype":
            return _dtype_from(obj["dtype"])
        if kind == "dict":
            return {_from_plain(k): _from_plain(v) for k, v in obj["items"]}
        if kind == "RangeIndex":
            return pd.RangeIndex(*obj["range"], name=_from_plain(obj["name"]))
        if kind == "MultiIndex":
            return pd.MultiIndex.from_arrays([_index_from(v) for v in obj["levels"]],
                                             names=[_from_plain(n) for n in obj["names"]])
        if kind == "Index":
            return _index_from(obj["data"], name=_from_plain(obj["name"]))
        index = _from_plain(obj["index"])
        if kind == "Series":
            values, dtype = _values_from(obj["data"])
            return pd.Series(values, index=index, dtype=dtype, name=_from_plain(obj["name"]), copy=False)
        columns = [pd.Series(values, index=index, dtype=dtype, copy=False)
                   for values, dtype in map(_values_from, obj["data"])]
        frame = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=index)
        frame.columns = _from_plain(obj["columns"])
        return frame
    if type(obj) in (list, tuple):
        return type(obj)(_from_plain(v) for v in obj)
    return obj


class _PlainState:
    """Mixin: the saved state holds no pandas object (so :mod:`skops.io` can save it).

    ``__getstate__`` converts every ``Series`` / ``DataFrame`` / ``Index``,
    dtype (numpy's or pandas') and dict with tuple keys in the instance's state to plain values and
    numpy arrays; ``__setstate__`` rebuilds them.  The live object keeps its
    pandas attributes unchanged.
    """

    def __getstate__(self):
        parent = getattr(super(), "__getstate__", None)
        state = parent() if parent is not None else None
        if state is None:
            state = self.__dict__
        return {key: _to_plain(value) for key, value in state.items()}

    def __setstate__(self, state):
        state = {key: _from_plain(value) for key, value in state.items()}
        parent = getattr(super(), "__setstate__", None)
        if parent is not None:
            parent(state)
        else:
            self.__dict__.update(state)
