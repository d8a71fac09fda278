"""Generalization hierarchies (ARX-style tables), reusable by every module.

A hierarchy is a table with one row per original value (a *leaf*) and one
column per level: column 0 holds the leaf itself (level 0), column ``L`` the
label the leaf is generalized to at level ``L``.  The last column is usually
the fully suppressed level (``"*"``).  ARX stores such tables as
``;``-separated CSV files without header (``adult_hierarchy_age.csv``)::

    39;35-39;30-39;20-39;*
    Bachelors;Undergraduate;Higher education;*

A node is identified by ``(level, label)``: the same label may appear at two
levels (``"*"``).  Within a hierarchy the table must be a tree: each leaf is
listed once, and two leaves that share a node at level ``L`` share their node
at every level above ``L`` (checked when the hierarchy is built).

API (stable; :mod:`sklearn_anon.kanonymity` builds on it)
---------------------------------------------------------
``load_hierarchy(obj)``
    A :class:`Hierarchy` from a ``Hierarchy``, a DataFrame (columns in level
    order), a dict ``{leaf: [level1, level2, ...]}``, a path to a
    ``;``-separated CSV file or an open text buffer holding one.
``Hierarchy.from_frame / from_dict / from_csv``
    The same, per source.
``h.to_csv(path_or_buffer=None, sep=";")``
    Write ARX's CSV format (no header, one row per leaf); ``load_hierarchy``
    reads it back to an equal hierarchy.
``h.n_levels``
    Number of levels including the leaves (columns of the table); valid
    levels are ``0 .. h.n_levels - 1``.  ``h.height == h.n_levels - 1``.
``h.leaves``
    ndarray (object) of the leaf labels, in table order.
``h.level_labels(L)``
    ndarray (object): the level-``L`` label of each leaf, aligned with
    ``h.leaves``.
``h.nodes(L)``
    list of the distinct labels at level ``L`` (first-appearance order).
``h.leaf_codes(values)``
    Vectorized: position in ``h.leaves`` of each value of an array/Series,
    ``-1`` for a value not in the hierarchy (or NaN).  Numeric input matches
    numeric keys by value (int ``39``, float ``39.0`` and the key ``"39"``
    match); string/categorical input matches the labels exactly.
``h.generalize(values, L, suppressed="*")``
    Vectorized: a :class:`pandas.Categorical` of the level-``L`` labels,
    with categories ``h.nodes(L)`` (plus ``suppressed`` if not among them);
    values not in the hierarchy become ``suppressed``.
``h.leaves_under(L)``
    dict ``{node label: ndarray of leaf labels}`` at level ``L`` (needed for
    NCP / granularity: a node covering ``m`` of ``n`` leaves costs
    ``(m - 1) / (n - 1)``).
``h.leaf_counts(L)`` / ``h.ncp(L)``
    dict ``{node label: number of leaves}`` / ``{node label: NCP}``.
``h.children(L, node)``
    list of the level-``L - 1`` labels under ``node`` at level ``L``
    (top-down specialization, e.g. Mondrian cuts along a hierarchy).
``h.ancestors(value)``
    list ``[leaf, level1 label, ..., top label]`` for one leaf.
``h.to_frame()``
    The table as a DataFrame of strings (columns ``0`` to ``n_levels - 1``).

Public names: :class:`Hierarchy` and :func:`load_hierarchy` are exported by
:mod:`sklearn_anon.generalize`, beside the builders of
:mod:`sklearn_anon.generalize._hierarchy_builders`
(:func:`~sklearn_anon.generalize.interval_hierarchy`,
:func:`~sklearn_anon.generalize.masking_hierarchy`,
:func:`~sklearn_anon.generalize.date_hierarchy`,
:func:`~sklearn_anon.generalize.ordered_grouping`).

Datetime input matches leaves written as ``"YYYY-MM-DD"`` (a value at
midnight) or ``"YYYY-MM-DD HH:MM:SS"`` (with ``".ffffff"`` when it has
microseconds), each value on its own (:func:`datetime_keys`); a
timezone-aware value is matched by its wall-clock time.

Error messages never contain a label from the table or the data.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from . import _text
from ._persistence import _PlainState
from ._text import categorical_from_codes
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, IO
    from ._typing import ArrayLike, HierarchyLike, PathLike

__all__ = ["Hierarchy", "datetime_keys", "load_hierarchy"]


#: from this magnitude on, float64 does not hold every integer
_EXACT_FLOAT = 2.0 ** 53
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")


def _numeric_keys(leaves):
    """Float value of each leaf label (NaN when the label is not a number)."""
    numbers = pd.to_numeric(pd.Series(leaves, dtype=object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    ok = ~np.isnan(numbers)
    if ok.any():
        # pandas < 3 parses some long decimals ("3.03958260179409e-298") a few ulps
        # off; NumPy parses them exactly, so a float written by repr() reads back equal
        try:
            numbers[ok] = np.asarray(np.asarray(leaves, dtype=object)[ok], dtype=str).astype(np.float64)
        except ValueError:
            pass
    return numbers


def datetime_keys(values):
    """The leaf label a datetime value matches: ``"YYYY-MM-DD"`` at midnight,
    else ``"YYYY-MM-DD HH:MM:SS"`` (``".ffffff"`` added for microseconds).

    Decided per value (``DatetimeIndex.astype(str)`` decides for the whole
    index at once).  Timezone-aware values are written in their wall-clock
    time.  NaT gives None.

    Examples
    --------
    >>> import pandas as pd
    >>> datetime_keys(pd.to_datetime(["2020-01-05", "2020-01-06 10:30", None], format="ISO8601"))
    ['2020-01-05', '2020-01-06 10:30:00', None]
    """
    idx = pd.DatetimeIndex(values)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    days = idx.strftime("%Y-%m-%d")
    times = idx.strftime("%Y-%m-%d %H:%M:%S")
    micro = idx.strftime("%Y-%m-%d %H:%M:%S.%f")
    nat = np.asarray(idx.isna())
    fine = np.asarray((idx.microsecond != 0) | (idx.nanosecond != 0))
    timed = np.asarray((idx.hour != 0) | (idx.minute != 0) | (idx.second != 0))
    out = np.where(fine, np.asarray(micro, dtype=object),
                   np.where(timed, np.asarray(times, dtype=object), np.asarray(days, dtype=object)))
    out[nat] = None
    return out.tolist()


def _as_text(table):
    """The object table with every cell a ``str`` (``str(cell)`` where it is not one).

    Not ``astype(str)``: NumPy's fixed-width text drops trailing NUL characters,
    and the round trip through it costs seconds for a million leaves.
    """
    flat = table.ravel()
    other = np.fromiter((type(v) is not str for v in flat), dtype=bool, count=flat.size)
    if other.any():
        flat = flat.copy()
        flat[other] = [str(v) for v in flat[other]]
    return flat.reshape(table.shape)


def _plain_numeric(dtype):
    """Numeric, not boolean, not categorical."""
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not isinstance(dtype, pd.CategoricalDtype)
    )


class Hierarchy(_PlainState):
    """A generalization hierarchy: one row per leaf, one column per level.

    Build it with :func:`load_hierarchy`, the ``from_*`` constructors or a
    builder (:func:`~sklearn_anon.generalize.interval_hierarchy`,
    :func:`~sklearn_anon.generalize.masking_hierarchy`,
    :func:`~sklearn_anon.generalize.date_hierarchy`,
    :func:`~sklearn_anon.generalize.ordered_grouping`); write it in ARX's
    format with :meth:`to_csv`.  :class:`~sklearn_anon.HierarchyGeneralizer`
    and :class:`~sklearn_anon.FullDomainAnonymizer` take it as is.

    Parameters
    ----------
    table : ndarray of shape (n_leaves, n_levels), dtype object
        String labels; column 0 holds the leaves.
    name : str or None, default=None
        Used in error messages only (e.g. the column name).

    Examples
    --------
    >>> from sklearn_anon.generalize import load_hierarchy
    >>> h = load_hierarchy({"Bachelors": ["Undergraduate", "Higher", "*"],
    ...                     "Masters": ["Graduate", "Higher", "*"],
    ...                     "HS-grad": ["High School", "Secondary", "*"]})
    >>> h.n_levels
    4
    >>> list(h.generalize(["Masters", "HS-grad", "PhD"], 2))
    ['Higher', 'Secondary', '*']
    >>> h.children(2, "Higher")
    ['Undergraduate', 'Graduate']
    >>> h.ancestors("Masters")
    ['Masters', 'Graduate', 'Higher', '*']
    >>> h.leaf_counts(2)
    {'Higher': 2, 'Secondary': 1}
    """

    def __init__(self, table: ArrayLike, *, name: str | None = None) -> None:
        table = np.asarray(table, dtype=object)
        where = f" for {name!r}" if name is not None else ""
        if table.ndim != 2 or table.shape[0] < 1 or table.shape[1] < 1:
            raise ValueError(f"A hierarchy{where} needs at least one row and one column.")
        if pd.isna(table).any():
            raise ValueError(f"The hierarchy{where} has empty cells (ragged rows?).")
        table = _as_text(table)
        self.name = name
        self._table = table
        # object, not pandas' Arrow ``str``: a label may hold a lone surrogate
        self._index = pd.Index(table[:, 0], dtype=object)
        if not self._index.is_unique:
            raise ValueError(f"The hierarchy{where} lists a value more than once.")
        self._codes = []  # per level: (codes per leaf, list of node labels)
        for lev in range(table.shape[1]):
            codes, uniques = _text.factorize(table[:, lev])
            self._codes.append((codes.astype(np.int64), list(uniques)))
        # tree check: the level L -> level L + 1 mapping is a function (on codes:
        # no pandas string inference, which fails on lone surrogates)
        for lev in range(1, table.shape[1] - 1):
            node, up = self._codes[lev][0], self._codes[lev + 1][0]
            parent = np.empty(len(self._codes[lev][1]), dtype=np.int64)
            parent[node] = up  # one parent per node (any writer), then check all agree
            if not np.array_equal(parent[node], up):
                raise ValueError(
                    f"The hierarchy{where} is not a tree: a node at level {lev} has "
                    f"two different parents at level {lev + 1}."
                )
        numbers = _numeric_keys(table[:, 0])
        ok = ~np.isnan(numbers)
        # from 2**53 on a float stands for several integers: such keys are
        # matched by their exact text, never through a float (two 17-digit
        # codes would collide and one be written with the other's label)
        big = ok & (np.abs(numbers) >= _EXACT_FLOAT)
        if big.any():  # integer literals only ("1e+20" is a float: matched as one)
            big[big] = [_INTEGER_TEXT.fullmatch(str(v).strip()) is not None
                        for v in table[big, 0]]
        self._big_numbers = bool(big.any())
        ok &= ~big
        num_index = pd.Index(numbers[ok])
        keep = ~num_index.duplicated()
        self._num_index = num_index[keep]
        self._num_pos = np.flatnonzero(ok)[keep]

    # -- construction ----------------------------------------------------
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, name: str | None = None) -> Hierarchy:
        """From a DataFrame whose columns are the levels, leaves first.

        Parameters
        ----------
        frame : DataFrame
            One row per leaf; column 0 holds the leaves, the last the top.
        name : str, optional
            The column the hierarchy is for (named in error messages).

        Returns
        -------
        hierarchy : Hierarchy
            The hierarchy, checked to be a tree.
        """
        # not ``frame.astype(str)``: pandas 2 writes a missing cell as "nan",
        # which would pass the empty-cell check as a label
        return cls(frame.to_numpy(dtype=object), name=name)

    @classmethod
    def from_dict(cls, mapping: Mapping[Any, Any], *, name: str | None = None) -> Hierarchy:
        """From ``{leaf: [level1, level2, ...]}`` (all lists the same length).

        Parameters
        ----------
        mapping : dict
            ``{leaf: [label at level 1, label at level 2, ...]}``.
        name : str, optional
            The column the hierarchy is for (named in error messages).

        Returns
        -------
        hierarchy : Hierarchy
            The hierarchy, checked to be a tree.
        """
        rows = [[key, *(levels if isinstance(levels, (list, tuple)) else [levels])]
                for key, levels in mapping.items()]
        widths = {len(r) for r in rows}
        if len(widths) > 1:
            where = f" for {name!r}" if name is not None else ""
            raise ValueError(f"The hierarchy{where} has rows of different lengths.")
        # no ``.astype(str)`` here: None would become the label "None"
        table = np.empty((len(rows), widths.pop() if widths else 0), dtype=object)
        table[:] = rows
        return cls(table, name=name)

    @classmethod
    def from_csv(
        cls,
        path: PathLike | IO[str],
        *,
        sep: str = ";",
        name: str | None = None,
    ) -> Hierarchy:
        """From an ARX-style CSV file or text buffer (``;``-separated, no header).

        Parameters
        ----------
        path : str, path-like or file-like
            The CSV file, one row per leaf, leaves first.
        sep : str, default=";"
            The field separator (ARX writes ``;``).
        name : str, optional
            The column the hierarchy is for (named in error messages).

        Returns
        -------
        hierarchy : Hierarchy
            The hierarchy, checked to be a tree.
        """
        try:
            frame = pd.read_csv(
                path, sep=sep, header=None, dtype=str, keep_default_na=False, na_values=[]
            )
        except UnicodeDecodeError:  # its message quotes the bytes
            where = f" for {name!r}" if name is not None else ""
            raise ValueError(f"The hierarchy file{where} is not valid UTF-8 text.") from None
        frame = frame.replace("", np.nan)
        return cls(frame.to_numpy(dtype=object), name=name)

    # -- structure -------------------------------------------------------
    @property
    def n_levels(self) -> int:
        """Number of levels including the leaves (level 0)."""
        return self._table.shape[1]

    @property
    def height(self) -> int:
        """Highest level number (``n_levels - 1``)."""
        return self._table.shape[1] - 1

    @property
    def has_numeric_keys(self) -> bool:
        """Whether some leaf label reads as a number (numeric input can match it)."""
        return len(self._num_pos) > 0 or getattr(self, "_big_numbers", False)

    @property
    def leaves(self) -> np.ndarray:
        """The leaf labels (level 0), in table order."""
        return self._table[:, 0].copy()

    def _check_level(self, level):
        if not 0 <= int(level) < self.n_levels:
            where = f" {self.name!r}" if self.name is not None else ""
            raise ValueError(
                f"Level {int(level)} is out of range for hierarchy{where} with "
                f"levels 0..{self.height}."
            )
        return int(level)

    def level_labels(self, level: int) -> np.ndarray:
        """The level-``level`` label of each leaf (aligned with ``leaves``).

        Parameters
        ----------
        level : int
            The level, 0 (the leaves) to ``height``.

        Returns
        -------
        labels : ndarray of object
            One label per leaf, in the order of ``leaves``.
        """
        return self._table[:, self._check_level(level)].copy()

    def nodes(self, level: int) -> list[Any]:
        """Distinct labels at ``level`` in first-appearance order.

        Parameters
        ----------
        level : int
            The level, 0 (the leaves) to ``height``.

        Returns
        -------
        nodes : list
            The labels of the level's nodes.
        """
        return list(self._codes[self._check_level(level)][1])

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame of strings, columns ``0`` to ``n_levels - 1``.

        Returns
        -------
        table : DataFrame
            One row per leaf, one column per level (a copy).
        """
        return pd.DataFrame(self._table.copy())

    def to_csv(
        self,
        path_or_buffer: PathLike | IO[str] | None = None,
        sep: str = ";",
    ) -> str | None:
        """Write the table in ARX's CSV format: no header, one row per leaf.

        ARX reads such a file with ``Hierarchy.create(path, charset, ';')``
        and :func:`load_hierarchy` reads it back to an equal hierarchy.  A
        label holding ``sep``, a quote or a line break is quoted (``"``,
        doubled inside), as ARX's CSV reader expects.

        Parameters
        ----------
        path_or_buffer : str, path-like, text buffer or None, default=None
            Where to write (UTF-8, ``"\\n"`` line ends).  None returns the text.
        sep : str, default=";"
            One-character field separator (ARX's default is ``;``).

        Returns
        -------
        str or None
            The CSV text when ``path_or_buffer`` is None.

        Examples
        --------
        >>> h = load_hierarchy({"Masters": ["Graduate", "*"], "HS-grad": ["Secondary", "*"]})
        >>> print(h.to_csv(), end="")
        Masters;Graduate;*
        HS-grad;Secondary;*
        >>> import io
        >>> load_hierarchy(io.StringIO(h.to_csv())) == h
        True
        """
        if not isinstance(sep, str) or len(sep) != 1 or sep in "\"\r\n":
            raise ValueError("sep must be one character other than a quote or a line break.")
        out = io.StringIO()
        writer = csv.writer(out, delimiter=sep, quotechar='"', lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
        writer.writerows(self._table.tolist())
        text = out.getvalue()
        if path_or_buffer is None:
            return text
        if isinstance(path_or_buffer, (str, os.PathLike)):
            with open(path_or_buffer, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        else:
            path_or_buffer.write(text)
        return None

    def __len__(self):
        return self._table.shape[0]

    def __repr__(self):
        name = f"{self.name!r}, " if self.name is not None else ""
        return f"Hierarchy({name}n_leaves={len(self)}, n_levels={self.n_levels})"

    def __eq__(self, other):
        return isinstance(other, Hierarchy) and np.array_equal(self._table, other._table)

    # unhashable (__eq__ compares the tables); mypy types __hash__ after object.__hash__
    __hash__ = None  # type: ignore[assignment]

    # -- vectorized mapping ---------------------------------------------
    def leaf_codes(self, values: ArrayLike) -> np.ndarray:
        """Position of each value in ``leaves``; -1 when absent or NaN.

        Works on the distinct values only (``pd.factorize`` or categorical
        codes), so the cost per row is one integer lookup.

        Parameters
        ----------
        values : Series, Categorical or array-like
            The values to look up.

        Returns
        -------
        codes : ndarray of int64
            The leaf position of each value, -1 for a value that is no leaf.
        """
        if isinstance(values, pd.Series):
            ser = values
        else:
            if isinstance(values, pd.Categorical):
                ser = pd.Series(values)
            else:
                arr = np.asarray(values)
                # text as object: pandas' Arrow ``str`` cannot hold a lone surrogate
                ser = pd.Series(arr, dtype=object) if arr.dtype.kind in "USO" else pd.Series(arr)
        dtype = ser.dtype
        dense = self._dense_int_lut() if _plain_numeric(dtype) else None
        if dense is not None:
            # integer keys (ages 1..100): index a dense table, no hashing per row
            low, table = dense
            if pd.api.types.is_integer_dtype(dtype) and not ser.hasnans:
                offset = ser.to_numpy(dtype=np.int64) - np.int64(low)
                ok = (offset >= 0) & (offset < len(table))
            else:
                nums = ser.to_numpy(dtype=np.float64, na_value=np.nan) - low
                ok = (nums >= 0) & (nums < len(table)) & (nums == np.floor(nums))
                offset = np.where(ok, nums, 0).astype(np.int64)
            np.clip(offset, 0, len(table) - 1, out=offset)
            codes = table[offset]
            codes[~ok] = -1
            return codes
        if isinstance(dtype, pd.CategoricalDtype):
            codes = ser.cat.codes.to_numpy().astype(np.int64)
            lut = self._lookup(pd.Index(ser.cat.categories))
        else:
            codes, uniques = _text.factorize(ser, use_na_sentinel=True)
            codes = codes.astype(np.int64)
            lut = self._lookup(pd.Index(uniques))
        lut = np.append(lut, -1)  # code -1 (NaN) -> -1
        return lut[codes]

    def _dense_int_lut(self):
        """``(lowest key, table)`` when every numeric key is an integer in a
        span of at most 1,000,000 (cached), else None."""
        cached = getattr(self, "_dense", False)
        if cached is not False:
            return cached
        if getattr(self, "_big_numbers", False):  # matched by text (see __init__)
            self._dense = None
            return None
        keys = np.asarray(self._num_index, dtype=np.float64)
        dense = None
        if keys.size and np.all(keys == np.floor(keys)) and keys.max() - keys.min() < 1_000_000:
            low = keys.min()
            table = np.full(int(keys.max() - low) + 1, -1, dtype=np.int64)
            table[(keys - low).astype(np.int64)] = self._num_pos
            dense = (low, table)
        self._dense = dense
        return dense

    def _lookup(self, uniques):
        """Leaf position of each distinct value (small: one entry per distinct)."""
        if len(uniques) == 0:
            return np.empty(0, dtype=np.int64)
        if pd.api.types.is_bool_dtype(uniques.dtype):
            uniques = uniques.astype(str)
        if isinstance(uniques, pd.DatetimeIndex):
            # per value ("2020-01-05" at midnight), not astype(str)'s per-index format
            uniques = pd.Index(datetime_keys(uniques), dtype=object)
        if pd.api.types.is_numeric_dtype(uniques.dtype):
            out = np.full(len(uniques), -1, dtype=np.int64)  # text-only keys: no number is a leaf
            floats = uniques.astype(np.float64)
            if len(self._num_pos):
                pos = self._num_index.get_indexer(floats)
                out = np.where(pos >= 0, self._num_pos[np.maximum(pos, 0)], -1).astype(np.int64)
            if getattr(self, "_big_numbers", False):
                big = np.abs(np.asarray(floats, dtype=np.float64)) >= _EXACT_FLOAT
                big &= np.isfinite(np.asarray(floats, dtype=np.float64))
                if big.any():
                    # a float that large is an integer: its exact value, as text
                    ints = [int(v) for v in uniques[big]]
                    by_text = self._index.get_indexer(pd.Index([str(v) for v in ints], dtype=object))
                    # an integer matches a float key only when the float is exactly it
                    exact = np.array([int(float(v)) == v for v in ints], dtype=bool)
                    out[big] = np.where(by_text >= 0, by_text, np.where(exact, out[big], -1))
            return out
        if not (pd.api.types.is_string_dtype(uniques.dtype) or uniques.dtype == object):
            uniques = uniques.astype(str)
        pos = self._index.get_indexer(uniques.astype(object))
        if uniques.dtype == object and pd.api.types.infer_dtype(uniques, skipna=True) != "string":
            # mixed object columns: numbers stored as Python objects
            is_num = np.array([isinstance(u, (int, float, np.number)) and not isinstance(u, bool)
                               for u in uniques], dtype=bool)
            if is_num.any():
                sub = self._lookup(pd.Index(np.asarray(uniques[is_num], dtype=np.float64)))
                # a large Python int is matched by its exact text, not its float
                nums = list(uniques[is_num])
                exact = [isinstance(u, (int, np.integer)) and abs(int(u)) >= _EXACT_FLOAT
                         for u in nums]
                if any(exact):
                    texts = pd.Index([str(int(u)) for u, e in zip(nums, exact) if e], dtype=object)
                    sub[np.asarray(exact)] = self._index.get_indexer(texts)
                pos = pos.copy()
                pos[is_num] = sub
        return np.asarray(pos, dtype=np.int64)

    def generalize(self, values: ArrayLike, level: int, *, suppressed: str = "*") -> pd.Categorical:
        """Map values to their level-``level`` labels (a Categorical).

        Values not in the hierarchy (and NaN) become ``suppressed``.
        Categories: ``nodes(level)``, then ``suppressed`` when it is not
        already a node label.

        Parameters
        ----------
        values : Series, Categorical or array-like
            The values to generalize.
        level : int
            The level, 0 (the leaves) to ``height``.
        suppressed : str, default="*"
            The label of values that are no leaf.

        Returns
        -------
        generalized : Categorical
            One label per value.
        """
        level = self._check_level(level)
        leaf = self.leaf_codes(values)
        node_codes, labels = self._codes[level]
        labels = list(labels)
        if suppressed in labels:
            sup_code = labels.index(suppressed)
        else:
            sup_code = len(labels)
            labels.append(suppressed)
        lut = np.append(node_codes, sup_code)
        return categorical_from_codes(lut[leaf], labels)

    # -- node queries ----------------------------------------------------
    def leaves_under(self, level: int) -> dict[Any, Any]:
        """``{node: ndarray of leaf labels}`` for every node at ``level``.

        Parameters
        ----------
        level : int
            The level, 0 (the leaves) to ``height``.

        Returns
        -------
        leaves : dict
            ``{node: ndarray of leaf labels}``.
        """
        codes, labels = self._codes[self._check_level(level)]
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
        leaves = self._table[:, 0]
        return {
            lab: leaves[order[bounds[i]:bounds[i + 1]]] for i, lab in enumerate(labels)
        }

    def leaf_counts(self, level: int) -> dict[Any, Any]:
        """``{node: number of leaves under it}`` at ``level``.

        Parameters
        ----------
        level : int
            The level, 0 (the leaves) to ``height``.

        Returns
        -------
        counts : dict
            ``{node: number of leaves}``.
        """
        codes, labels = self._codes[self._check_level(level)]
        counts = np.bincount(codes, minlength=len(labels))
        return {lab: int(c) for lab, c in zip(labels, counts)}

    def ncp(self, level: int) -> dict[Any, Any]:
        """``{node: (leaves under it - 1) / (n_leaves - 1)}`` (0 for a one-leaf hierarchy).

        Parameters
        ----------
        level : int
            The level, 0 (the leaves) to ``height``.

        Returns
        -------
        ncp : dict
            ``{node: normalized certainty penalty}``.
        """
        n = len(self)
        return {
            lab: (c - 1) / (n - 1) if n > 1 else 0.0
            for lab, c in self.leaf_counts(level).items()
        }

    def children(self, level: int, node: Any) -> list[Any]:
        """List the labels at ``level - 1`` under ``node`` at ``level``.

        Parameters
        ----------
        level : int
            The level, 0 (the leaves) to ``height``.
        node : object
            A label at ``level``.

        Returns
        -------
        children : list
            The labels one level down, in first-appearance order (empty at level 0).
        """
        level = self._check_level(level)
        if level == 0:
            return []
        mask = self._table[:, level] == node
        if not mask.any():
            raise ValueError(f"No such node at level {level} of the hierarchy.")
        return list(_text.unique(self._table[mask, level - 1]))

    def ancestors(self, value: Any) -> list[Any]:
        """``[leaf, level-1 label, ..., top label]`` for one leaf value.

        Parameters
        ----------
        value : object
            A leaf of the hierarchy.

        Returns
        -------
        path : list
            The leaf's label at every level, from the leaf up.
        """
        pos = self.leaf_codes(pd.Series([value], dtype=object if isinstance(value, str) else None))[0]
        if pos < 0:
            raise ValueError("The value is not a leaf of the hierarchy.")
        return list(self._table[pos])


def load_hierarchy(obj: HierarchyLike, *, name: str | None = None, sep: str = ";") -> Hierarchy:
    """A :class:`Hierarchy` from a Hierarchy, DataFrame, dict or CSV path.

    Parameters
    ----------
    obj : Hierarchy, DataFrame, dict, path-like or text buffer
        DataFrame: columns are the levels, leaves first.  dict:
        ``{leaf: [level1, level2, ...]}``.  str / path / buffer: an ARX-style
        CSV file (``sep``-separated, no header), as :meth:`Hierarchy.to_csv`
        writes it.
    name : str or None, default=None
        Name used in error messages (e.g. the column).
    sep : str, default=";"
        Separator of CSV files.

    Returns
    -------
    Hierarchy
        The hierarchy, checked to be a tree.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon.generalize import load_hierarchy
    >>> h = load_hierarchy(pd.DataFrame([["1", "0-4", "*"], ["7", "5-9", "*"]]))
    >>> list(h.generalize([7, 1, 99], 1))
    ['5-9', '0-4', '*']
    """
    if isinstance(obj, Hierarchy):
        return obj
    if isinstance(obj, pd.DataFrame):
        return Hierarchy.from_frame(obj, name=name)
    if isinstance(obj, Mapping):
        return Hierarchy.from_dict(obj, name=name)
    if isinstance(obj, (str, os.PathLike)):
        path = Path(obj)
        if not path.is_file():
            where = f" for {name!r}" if name is not None else ""
            raise ValueError(f"Hierarchy file{where} not found.")
        return Hierarchy.from_csv(path, sep=sep, name=name)
    if hasattr(obj, "read"):
        return Hierarchy.from_csv(obj, sep=sep, name=name)
    raise TypeError(
        "A hierarchy must be a Hierarchy, a DataFrame, a dict {value: [levels]}, "
        f"a CSV path or a text buffer; got {type(obj).__name__}."
    )
