"""Exact counts of distinct text values without a table of the values.

``Series.value_counts`` or pyarrow's ``dictionary_encode`` on a column of
millions of distinct strings (e-mails, pseudonyms, ids) builds a hash table
holding every distinct value: about 180 bytes per value on top of the column
(0.9 GB for 5 M e-mails).  :func:`value_counts_array` counts the same values
from 64-bit hashes computed with numpy straight from the Arrow buffers (8
bytes per row), sorts the hashes, and then checks every group of equal hashes
by comparing its members' text with the group's first member, so a hash
collision can never merge two different values: the counts are exact.
"""

import numpy as np

#: text bytes hashed per step (bounds the temporary uint64 arrays to 8x this)
_STEP_BYTES = 1 << 20
#: rows compared per step when equal hashes are checked
_CHECK_ROWS = 1 << 20
#: at most this many distinct values: counted through pyarrow's table of the values
#: (small then), which needs no check of equal hashes
_DICTIONARY_MAX = 1 << 16

_MULT = np.uint64(0x100000001B3)  # FNV-1 64-bit prime, as the position weight's base


def _arrow_text(series):
    """The column as one list of pyarrow string chunks, or None (not Arrow-backed text)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas' Arrow strings need pyarrow
        return None
    data = getattr(series, "array", None)
    arr = getattr(data, "_pa_array", None)  # ArrowStringArray / ArrowExtensionArray storage
    if arr is None or not isinstance(arr, (pa.Array, pa.ChunkedArray)):
        return None
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    return arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]


def _powers(n):
    out = np.ones(max(n, 1), dtype=np.uint64)
    if n > 1:
        with np.errstate(over="ignore"):
            out[1:] = _MULT
            out = np.multiply.accumulate(out)  # wraps modulo 2**64, as intended
    return out


def _mix(h):
    """splitmix64's finalizer (in place): every input bit reaches every output bit."""
    with np.errstate(over="ignore"):
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def _hash_chunk(chunk, out):
    """64-bit hashes of the strings of one Arrow chunk into ``out`` (nulls hash as "")."""
    n = len(chunk)
    if n == 0:
        return
    bufs = chunk.buffers()
    width = np.int64 if chunk.type.id == _large_string_id() else np.int32
    offsets = np.frombuffer(bufs[1], dtype=width)[chunk.offset:chunk.offset + n + 1].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    powers = _powers(int(lengths.max()) + 1)
    start = 0
    while start < n:  # steps of about _STEP_BYTES of text (at least one string)
        stop = int(np.searchsorted(offsets, offsets[start] + _STEP_BYTES, side="right")) - 1
        stop = min(max(stop, start + 1), n)
        lo, hi = int(offsets[start]), int(offsets[stop])
        lens = lengths[start:stop]
        with np.errstate(over="ignore"):
            h = (lens.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
            if hi > lo:
                starts = offsets[start:stop] - lo
                pos = np.arange(hi - lo, dtype=np.int64) - np.repeat(starts, lens)
                weighted = (data[lo:hi].astype(np.uint64) + np.uint64(1)) * powers[pos]
                nonempty = lens > 0
                sums = np.add.reduceat(weighted, starts[nonempty])
                h[nonempty] += sums
        out[start:stop] = _mix(h)
        start = stop


def _large_string_id():
    import pyarrow as pa

    return pa.large_string().id


def value_counts_array(series):
    """Exact counts of the distinct non-missing values of an Arrow-backed text column.

    Parameters
    ----------
    series : pandas Series
        A column of pandas' Arrow-backed strings (``str`` / ``string[pyarrow]``).

    Returns
    -------
    counts : ndarray of int64, or None
        One count per distinct non-missing value (in no particular order);
        ``None`` when the column is not Arrow-backed text (count it with
        ``value_counts``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_anon._counting import value_counts_array
    >>> s = pd.Series(["a", "b", "a", None, "c", "a"], dtype="string[pyarrow]")
    >>> sorted(value_counts_array(s).tolist())
    [1, 1, 3]
    >>> value_counts_array(pd.Series([1, 2])) is None
    True
    """
    chunks = _arrow_text(series)
    if chunks is None:
        return None
    chunks = [c for c in chunks if len(c)]
    n = sum(len(c) for c in chunks)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    hashes = np.empty(n, dtype=np.uint64)
    at = 0
    for c in chunks:
        _hash_chunk(c, hashes[at:at + len(c)])
        at += len(c)
    positions = None  # row of each counted hash, when some rows are missing
    if sum(c.null_count for c in chunks):  # only the non-missing values are counted
        valid = np.concatenate([c.is_valid().to_numpy(zero_copy_only=False) for c in chunks])
        positions = np.flatnonzero(valid)
        hashes = hashes[positions]
        del valid
    ordered = np.sort(hashes)
    same = ordered[1:] == ordered[:-1]  # a row's hash equals the previous row's
    if len(ordered) - int(same.sum()) <= _DICTIONARY_MAX:  # few values: a small, exact table
        return _counts_by_dictionary(chunks)
    repeated = np.unique(ordered[1:][same])  # the hashes held by more than one row, sorted
    del ordered
    counts = _run_lengths(same)
    del same
    # equal hashes: the group's texts must be one value (else a 64-bit collision)
    if len(repeated) and not _groups_hold_one_value(chunks, hashes, repeated, positions):
        return _counts_by_dictionary(chunks)
    return counts


#: elements per step of :func:`_run_lengths` (bounds its temporary array)
_RUN_STEP = 1 << 20


def _run_lengths(same):
    """Lengths of the runs of a sorted array, from ``same[i] = a[i + 1] == a[i]`` (int64).

    The run starts are turned into lengths in place, a step at a time: one
    array of the runs' size, not two.
    """
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    n = len(same) + 1
    for i in range(0, len(starts) - 1, _RUN_STEP):  # left to right: reads starts not yet rewritten
        j = min(i + _RUN_STEP, len(starts) - 1)
        starts[i:j] = starts[i + 1:j + 1] - starts[i:j]
    if len(starts):
        starts[-1] = n - starts[-1]
    return starts


def _groups_hold_one_value(chunks, hashes, repeated, positions):
    """Whether the rows sharing each hash in ``repeated`` hold one text (no collision).

    ``hashes`` are the counted rows' hashes (``positions`` their rows, None
    for all rows), in row order.  Each row of a repeated hash is compared with
    the first row holding that hash.
    """
    # rows holding a repeated hash (``repeated`` is sorted), found in steps of rows
    found = []
    for i in range(0, len(hashes), _CHECK_ROWS):
        part = hashes[i:i + _CHECK_ROWS]
        at = np.minimum(np.searchsorted(repeated, part), len(repeated) - 1)
        found.append(np.flatnonzero(repeated[at] == part) + i)
    rows = np.concatenate(found)
    h = hashes[rows]
    if positions is not None:
        rows = positions[rows]
    order = np.argsort(h, kind="stable")
    rows, h = rows[order], h[order]
    lead = np.empty(len(h), dtype=bool)
    lead[0] = True
    np.not_equal(h[1:], h[:-1], out=lead[1:])
    leader = rows[lead][np.cumsum(lead) - 1]  # the first row of each row's hash group
    check = np.flatnonzero(~lead)
    bounds = np.cumsum([0] + [len(c) for c in chunks])
    for i in range(0, len(check), _CHECK_ROWS):
        part = check[i:i + _CHECK_ROWS]
        if not _all_equal(_take(chunks, bounds, rows[part]), _take(chunks, bounds, leader[part])):
            return False
    return True


def _take(chunks, bounds, rows):
    """The values at ``rows`` (in that order), taken chunk by chunk.

    A ``take`` on the chunked array would first join the chunks into one copy
    of the column.
    """
    import pyarrow as pa

    order = np.argsort(rows, kind="stable")
    ordered = rows[order]
    which = np.searchsorted(bounds, ordered, side="right") - 1
    pieces = []
    for k in np.unique(which):
        inside = ordered[which == k] - bounds[k]
        pieces.append(chunks[k].take(pa.array(inside)))
    values = pa.concat_arrays(pieces)  # in the order of ``ordered``
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return values.take(pa.array(back))


def _all_equal(a, b):
    import pyarrow.compute as pc

    return bool(pc.all(pc.equal(a, b)).as_py())


def _counts_by_dictionary(chunks):
    """The exact counts through a table of the values (only after a 64-bit hash collision)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.drop_null(pa.chunked_array(chunks))
    return np.asarray(pc.value_counts(values).field("counts"), dtype=np.int64)
