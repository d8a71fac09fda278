"""Old path of the Mondrian engine, kept only so that old pickles load.

Up to the release before issue 14.1, the engine of
:class:`~sklearn_anon.MondrianAnonymizer` lived in this module, so a pickled
fitted anonymizer of that release names ``sklearn_anon._mondrian.ColumnCoder``
(the objects in its ``coders_``).  The engine is now in
``sklearn_anon/kanonymity/_coding.py`` and ``_cut_tree.py``; this shim
re-exports the classes such a pickle can reference (``ColumnCoder`` is the
only one: ``SensitiveRule`` and the functions are never stored in a fitted
estimator).  Do not import from here in new code.
"""

from .kanonymity._coding import ColumnCoder

__all__ = ["ColumnCoder"]
