"""Errors and warnings of the anonymizers, turned into what the command line shows.

A message written by the package (which names columns, never values) is
shown; one from pandas, numpy or scikit-learn is not, since it may quote a
cell.  Privacy warnings are collected to be printed by the commands.
"""

import re
import warnings

from ._common import UserError


#: warnings worth showing: they name columns only, and say what leaks
def _privacy_warning_classes():
    from .._compat import PrivacyLeakWarning
    from ..identifiers import FrequencyAttackWarning

    return (PrivacyLeakWarning, FrequencyAttackWarning)


def _guarded(func, what, notes):
    """Run ``func()``; package errors become UserError, privacy warnings go to ``notes``.

    Other warnings (pandas', numpy's) are not shown: their text may quote data.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func()
        except (ValueError, TypeError) as exc:
            raise _user_error(what, exc) from exc
    kinds = _privacy_warning_classes()
    for w in caught:
        if issubclass(w.category, kinds):
            text = " ".join(str(w.message).split())
            if text not in notes:
                notes.append(text)
    return result


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_RAISE_CALL = re.compile(r"\s*raise\s+[\w.]+\(")


def _raised_by_package(exc):
    """Whether ``exc`` was raised by a ``raise Error(...)`` statement of sklearn_anon.

    Only those messages are written by the package, which names columns and
    never values.  An error raised inside pandas, numpy or scikit-learn (or
    by their C code called from the package) may quote a cell, e.g.
    ``could not convert string to float: '...'``; so may a bare re-raise.
    """
    import linecache

    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    if module != "sklearn_anon" and not module.startswith("sklearn_anon."):
        return False
    line = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
    return bool(_RAISE_CALL.match(line))


def _user_error(what, exc):
    """A :class:`UserError` from an error of the anonymizers, never quoting a value.

    The package's own messages (which name columns, never values) are shown;
    a message from another library is not, since it may quote a cell.
    """
    if _raised_by_package(exc):
        return UserError(f"{what}: {_first_line(exc)}")
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    source = (tb.tb_frame.f_globals.get("__name__", "") if tb is not None else "").split(".")[0]
    return UserError(f"{what}: {type(exc).__name__} raised in {source or 'a library'} (its "
                     "message is not shown, since it may quote a data value; --debug shows "
                     "the traceback)")
