"""PrefixGeneralizer: leading characters of codes (ZIP3) and IPv4 networks."""

from __future__ import annotations

import functools
from numbers import Integral

import numpy as np
import pandas as pd

from .._compat import Interval, StrOptions
from .._text import categorical_from_codes, object_index
from ..base import SUPPRESSED, ColumnAnonymizer, is_numeric
from ._common import (
    _code_dtype,
    _factorize,
    _labels,
    _present,
    _shared_docs,
    _spread,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Literal, Sequence


@_shared_docs
class PrefixGeneralizer(ColumnAnonymizer):
    """Keep the first characters of a code: ZIP3 from ZIP codes, IPv4 prefixes.

    ``mode="prefix"`` keeps the first ``n`` characters (``"02139"`` ->
    ``"021"``).  ZIP codes stored as integers lose their leading zeros
    (``582`` for ``00582``): with ``width=5``, integers and digit-only
    strings are zero-padded to 5 characters before cutting, so ``582`` ->
    ``"005"``; an integer longer than ``width`` is invalid.  Numbers are
    written without a trailing ``.0``; other floats as ``str(x)``.

    ``mode="ipv4"`` keeps the first ``n`` octets (1, 2 or 3, i.e. a /8, /16
    or /24 network) and writes the network in CIDR notation:
    ``"192.168.1.77"`` -> ``"192.168.1.0/24"`` (``n=3``), ``"192.168.0.0/16"``
    (``n=2``), ``"192.0.0.0/8"`` (``n=1``).  Integers in ``[0, 2**32)`` are
    read as IPv4 addresses too.

    Suppression (``"*"``): NaN, values that are not valid for the mode
    (not an IPv4 address; an integer longer than ``width``), and values not
    longer than ``n`` characters (their prefix would be the whole value).
    A prefix never seen in ``fit`` is suppressed by default
    (``unseen="suppress"``: the output categories are exactly those fixed
    in ``fit``, so no text of a value the fitted state never saw reaches
    the output, even when a column of names or notes is given by mistake).
    ``unseen="keep"`` writes it after the fitted categories instead (for
    codes such as ZIPs, where a new prefix reveals no more than its
    training counterparts).  Chain a :class:`RareCategoryGrouper` to group
    rare prefixes.

    Parameters
    ----------
    n : int, default=3
        Characters kept (``mode="prefix"``) or octets kept (``mode="ipv4"``,
        1 to 3).
    mode : {"prefix", "ipv4"}, default="prefix"
        Character prefix or IPv4 network.
    width : int or None, default=None
        Zero-pad integers and digit-only strings to this width first
        (``mode="prefix"``).
    unseen : {"suppress", "keep"}, default="suppress"
        What becomes of a prefix not seen in fit. Before 0.1.0 the
        default was ``"keep"``.
    columns : list of str or int, or None, default=None
        Columns to generalize; the others pass through unchanged.

    Attributes
    ----------
    categories_ : dict of {column: list of str}
        The prefixes seen in fit per column (sorted; IPv4 networks in
        address order).
    states_ : dict of {column: (list of str, ndarray or None)}
        The categories, and for IPv4 the network numbers behind them.
    {fitted_columns:generalized}

    See Also
    --------
    RareCategoryGrouper : Group prefixes seen fewer than ``min_count`` times.
    masking_hierarchy : Every prefix length as a hierarchy, for a level search.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon import PrefixGeneralizer
    >>> X = pd.DataFrame({"zip": [2139, 582, 94110, None]})
    >>> PrefixGeneralizer(n=3, width=5).fit_transform(X)["zip"].tolist()
    ['021', '005', '941', '*']
    >>> ips = pd.DataFrame({"ip": ["192.168.1.77", "10.0.3.4", "999.1.1.1"]})
    >>> PrefixGeneralizer(mode="ipv4", n=2).fit_transform(ips)["ip"].tolist()
    ['192.168.0.0/16', '10.0.0.0/16', '*']
    """

    _parameter_constraints = {
        "n": [Interval(Integral, 1, None, closed="left")],
        "mode": [StrOptions({"prefix", "ipv4"})],
        "width": [Interval(Integral, 1, None, closed="left"), None],
        "unseen": [StrOptions({"keep", "suppress"})],
        "columns": ["array-like", str, Integral, None],
    }

    def __init__(
        self,
        *,
        n: int = 3,
        mode: Literal["prefix", "ipv4"] = "prefix",
        width: int | None = None,
        unseen: Literal["suppress", "keep"] = "suppress",
        columns: Sequence[str | int] | None = None,
    ) -> None:
        self.n = n
        self.mode = mode
        self.width = width
        self.unseen = unseen
        self.columns = columns

    def _check_params(self, X):
        if self.mode == "ipv4" and self.n > 3:
            raise ValueError("With mode='ipv4', n is the number of octets kept: 1, 2 or 3.")

    def _prefixes(self, uniques):
        """Prefix of each distinct value (object ndarray, None when invalid)."""
        idx = pd.Index(uniques)
        if len(idx) == 0:
            return np.empty(0, dtype=object)
        if pd.api.types.is_bool_dtype(idx.dtype):
            return np.full(len(idx), None, dtype=object)
        text = pd.Series(_labels(idx), dtype=object).str.strip()
        valid = text.str.len() > 0
        if self.width is not None:
            digits = text.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
            text = text.where(~digits, text.str.zfill(self.width))
            valid &= ~(digits & (text.str.len() > self.width).to_numpy(dtype=bool))
        valid &= text.str.len() > self.n
        out = np.array(text.str[: self.n].to_numpy(dtype=object), dtype=object)
        out[~valid.to_numpy(dtype=bool)] = None
        return out

    def _ipv4_nets(self, column):
        """``(codes, nets)``: network number (address >> host bits), -1 when invalid.

        For text columns ``nets`` is per distinct value and ``codes`` maps
        rows to it (-1: NaN); for numeric columns ``codes`` is None and
        ``nets`` is per row.
        """
        shift = np.int64(32 - 8 * self.n)
        if is_numeric(column):
            codes = None
            addresses = _ipv4_from_numbers(column.to_numpy(dtype=np.float64, na_value=np.nan))
        else:
            codes, uniques = _factorize(column)
            addresses = _ipv4_from_values(uniques)
        return codes, np.where(addresses >= 0, addresses >> shift, -1)

    def _net_labels(self, nets):
        """CIDR labels ``"a.b.c.0/24"`` of distinct network numbers."""
        if len(nets) == 0:
            return []
        addresses = np.asarray(nets, dtype=np.int64) << np.int64(32 - 8 * self.n)
        out = pd.Series(addresses >> 24).astype(str)
        for k in range(1, 4):
            part = pd.Series((addresses >> (24 - 8 * k)) & 255).astype(str) if k < self.n else "0"
            out = out + "." + part
        return (out + f"/{8 * self.n}").tolist()

    def _row_codes(self, column):
        """``(row codes, labels)``: each row's index into ``labels`` (-1: NaN).

        ``labels`` holds the prefix of each code (None when invalid).  Digit
        prefixes of integers and of Arrow-backed digit strings are computed
        arithmetically (no hashing of the rows); everything else goes
        through ``pd.factorize`` and :meth:`_prefixes` on distinct values.
        """
        key = None
        if self.mode == "prefix" and self.n <= _FAST_DIGITS:
            if is_numeric(column):
                key = self._int_prefix_keys(column)
            else:
                key = _arrow_digit_keys(column, self.n, self.width)
        if key is None:
            codes, uniques = _factorize(column)
            return codes, self._prefixes(uniques)
        dense = _digit_labels(self.n)
        rest = key < 0
        if not rest.any():
            return key, dense
        sub_codes, sub_uniques = _factorize(column[rest])
        key = key.copy()
        key[rest] = np.where(sub_codes >= 0, sub_codes + len(dense), -1)
        return key, np.concatenate([dense, self._prefixes(sub_uniques)])

    def _int_prefix_keys(self, column):
        """Integer prefix of whole non-negative numbers; -1 where the general path decides."""
        n = self.n
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = np.isfinite(values) & (values >= 0) & (values < 2**53) & (values == np.floor(values))
        ints = np.where(whole, values, 0).astype(np.int64)
        if self.width is not None:
            ok = whole & (ints < 10 ** min(self.width, 18)) & (self.width > n)
            key = ints // 10 ** max(self.width - n, 0)
        else:
            ok = whole & (ints >= 10**n)
            n_digits = np.searchsorted(_POW10, ints, side="right")
            key = ints // _POW10[np.maximum(n_digits - n, 0)]
        key[~ok] = -1
        return key

    def _fit_column(self, column, name):
        if self.mode == "ipv4":
            codes, nets = self._ipv4_nets(column)
            if codes is not None:
                nets = nets[_present(codes, len(nets))]
            keys = np.unique(nets[nets >= 0])
            return self._net_labels(keys), keys
        codes, labels = self._row_codes(column)
        seen = _present(codes, len(labels))
        kept = set(labels[seen & ~pd.isna(labels)]) - {SUPPRESSED}
        return sorted(kept), None

    @property
    def categories_(self) -> dict[Any, list[str]]:
        return {name: list(state[0]) for name, state in self.states_.items()}

    def _transform_ipv4(self, column, categories, keys):
        row_codes, nets = self._ipv4_nets(column)
        if row_codes is not None:  # only distinct values that occur make new categories
            nets = np.where(_present(row_codes, len(nets)), nets, -1)
        pos = np.searchsorted(keys, nets)
        hit = (nets >= 0) & (keys[np.minimum(pos, max(len(keys) - 1, 0))] == nets) if len(keys) else np.zeros(len(nets), bool)
        codes = np.where(hit, pos, -1)
        categories = list(categories)
        missing = (nets >= 0) & ~hit
        if self.unseen == "keep" and missing.any():
            new = np.unique(nets[missing])
            codes[missing] = len(categories) + np.searchsorted(new, nets[missing])
            categories += self._net_labels(new)
        categories.append(SUPPRESSED)
        codes[codes < 0] = len(categories) - 1
        if row_codes is not None:
            return _spread(row_codes, codes, len(categories) - 1), categories
        return codes, categories

    def _transform_column(self, column, name, state, rng):
        categories, keys = state
        if self.mode == "ipv4":
            out, categories = self._transform_ipv4(column, categories, keys)
            out = out.astype(_code_dtype(len(categories)))
            cat = categorical_from_codes(out, categories)
            return pd.Series(cat, index=column.index, name=name)
        codes, labels = self._row_codes(column)
        lookup = np.where(pd.isna(labels), SUPPRESSED, labels)
        categories = list(categories)
        pos = pd.Index(categories, dtype=object).get_indexer(object_index(lookup))
        if self.unseen == "keep":
            present = _present(codes, len(labels))
            new = sorted(set(lookup[present & (pos < 0)]) - {SUPPRESSED})
            if new:
                categories += new
                pos = pd.Index(categories, dtype=object).get_indexer(object_index(lookup))
        categories.append(SUPPRESSED)
        pos[pos < 0] = len(categories) - 1
        out = _spread(codes, pos, len(categories) - 1)
        cat = categorical_from_codes(out, categories)
        return pd.Series(cat, index=column.index, name=name)


_FAST_DIGITS = 4  # digit prefixes up to 4 characters use a dense table of 10**n labels
_POW10 = 10 ** np.arange(19, dtype=np.int64)


@functools.lru_cache(maxsize=8)
def _digit_labels(n):
    """``["000", "001", ..., "999"]`` for ``n=3`` (cached; never mutated)."""
    labels = np.array([f"{i:0{n}d}" for i in range(10**n)], dtype=object)
    labels.flags.writeable = False
    return labels


def _arrow_buffers(column):
    """``(offsets, data, null mask or None)`` of an Arrow-backed string column, or None."""
    if column.dtype == object or not pd.api.types.is_string_dtype(column.dtype):
        return None
    if not hasattr(column.array, "__arrow_array__"):
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas without pyarrow
        return None
    try:
        arr = pa.array(column.array)
    except UnicodeError:  # Python-backed strings holding a lone surrogate: the general path
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type == pa.string():
        off_dtype = np.int32
    elif arr.type == pa.large_string():
        off_dtype = np.int64
    else:
        return None
    _, offsets, data = arr.buffers()
    offsets = np.frombuffer(offsets, dtype=off_dtype)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    nulls = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else None
    return offsets, data, nulls


def _arrow_digit_keys(column, n, width):
    """Integer value of the first ``n`` characters when they are ASCII digits.

    Read straight from the Arrow buffers: -1 for rows the general path must
    decide (NaN, too short, leading/trailing space or non-ASCII at the
    end, a length that ``width`` would pad or reject).
    """
    buffers = _arrow_buffers(column)
    if buffers is None:
        return None
    offsets, data, nulls = buffers
    if data.size == 0:
        return None
    # few, small temporaries: fresh pages are expensive at a million rows
    starts, ends = offsets[:-1], offsets[1:]
    lengths = (ends - starts).astype(np.int32)
    ok = (lengths > n) if width is None else ((lengths == width) & (width > n))
    del lengths
    if nulls is not None:
        ok &= ~nulls
    idx = ends - 1  # last byte: ASCII, not a space (33..127 -> 0..94)
    np.clip(idx, 0, data.size - 1, out=idx)
    byte = data[idx]
    byte -= np.uint8(33)
    ok &= byte < 95
    key = np.zeros(len(starts), dtype=np.int16 if n <= 4 else np.int32)
    for k in range(n):  # n characters, not rows
        np.add(starts, k, out=idx)
        np.minimum(idx, data.size - 1, out=idx)
        np.take(data, idx, out=byte)
        byte -= np.uint8(48)  # wraps below '0'
        ok &= byte < 10
        key *= 10
        key += byte
    return np.where(ok, key, np.int16(-1) if key.dtype == np.int16 else -1)


def _ipv4_from_numbers(values):
    """IPv4 addresses given as numbers: int64, -1 unless a whole number in [0, 2**32)."""
    ok = np.isfinite(values) & (values >= 0) & (values < 2**32) & (values == np.floor(values))
    return np.where(ok, values, -1).astype(np.int64)


def _ipv4_from_values(uniques):
    """IPv4 address (int64, -1 when invalid) of each distinct value."""
    idx = pd.Index(uniques)
    if len(idx) == 0 or pd.api.types.is_bool_dtype(idx.dtype):
        return np.full(len(idx), -1, dtype=np.int64)
    if is_numeric(idx):
        return _ipv4_from_numbers(idx.to_numpy(dtype=np.float64, na_value=np.nan))
    if pd.api.types.is_string_dtype(idx.dtype) and idx.dtype != object:
        text = pd.Series(idx.array)  # Arrow-backed strings stay in Arrow
    else:
        text = pd.Series(_labels(idx), dtype=object)
    octets, ok = _ipv4_octets(text)
    address = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
    return np.where(ok, address, -1).astype(np.int64)


def _ipv4_octets(text):
    """Four int arrays and a validity mask for IPv4 strings (distinct values)."""
    pattern = r"^\s*(?P<a>\d{1,3})\.(?P<b>\d{1,3})\.(?P<c>\d{1,3})\.(?P<d>\d{1,3})\s*$"
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pandas without pyarrow
        pa = None
    if pa is not None:
        if hasattr(text.array, "__arrow_array__") and text.dtype != object:
            arr = pa.array(text.array)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
        else:
            values = text.to_numpy(dtype=object)
            try:
                arr = pa.array(values, type=pa.large_string(), from_pandas=True)
            except UnicodeError:  # a lone surrogate: not an address, and not storable in Arrow
                values = np.array([v if not isinstance(v, str) or v.isascii() else "" for v in values], dtype=object)
                arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        parts = pc.extract_regex(arr, pattern)
        matched = parts.is_valid()
        octets = [
            pc.cast(pc.if_else(matched, parts.field(k), "0"), pa.int64()).to_numpy(zero_copy_only=False)
            for k in range(4)
        ]
        ok = matched.to_numpy(zero_copy_only=False).astype(bool)
    else:
        parts = text.str.extract(pattern)
        ok = parts.notna().all(axis=1).to_numpy()
        octets = [pd.to_numeric(parts[c].where(ok, "0")).to_numpy(np.int64) for c in parts.columns]
    for octet in octets:
        ok &= octet <= 255
    return octets, ok
