"""Shared docstring text: the package's one docstring-templating mechanism.

A docstring holds markers ``{name}`` or ``{name:arg}`` where shared text
goes; :func:`fill_doc` replaces the markers whose ``name`` it is given (a
string, or a function of ``arg`` returning one) and leaves every other
brace alone (numpydoc's ``{"a", "b"}`` option sets, ``{column: value}``
dicts, dict literals in Examples), so no brace needs doubling.  Used as
imbalanced-learn uses its ``Substitution``: the generalizers' fitted
``columns_`` block, the local DP mechanisms' shared parameters.  A bottom
module: it imports nothing of the package.
"""

import re

__all__ = ["fill_doc"]

_MARKER = re.compile(r"\{(\w+)(?::(\w+))?\}")


def fill_doc(**snippets):
    """Decorator filling the ``{name}`` / ``{name:arg}`` markers of a docstring.

    Parameters
    ----------
    **snippets : str or callable
        The text for marker ``{name}``; a callable is called with the
        marker's ``arg`` (None without one).  A snippet's lines after the
        first carry their own indentation (the marker's line gives the
        first line's).

    Returns
    -------
    decorate : callable
        Fills the docstring of the class or function it is applied to (in
        place; a docstring stripped by ``python -OO`` stays None) and
        returns it.

    Examples
    --------
    >>> @fill_doc(verb=lambda arg: f"The {arg} columns.")
    ... def f():
    ...     '''Returns {verb:noised}; a dict {column: value} stays.'''
    >>> f.__doc__
    'Returns The noised columns.; a dict {column: value} stays.'
    """

    def replace(match):
        name, arg = match.group(1), match.group(2)
        if name not in snippets:
            return match.group(0)
        value = snippets[name]
        return value(arg) if callable(value) else value

    def decorate(obj):
        if obj.__doc__:  # None under python -OO
            obj.__doc__ = _MARKER.sub(replace, obj.__doc__)
        return obj

    return decorate
