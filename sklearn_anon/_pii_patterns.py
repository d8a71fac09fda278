"""Old home of :mod:`sklearn_anon.identifiers._patterns`; kept only for pickles.

An estimator given a literal ``key`` or ``salt`` (:class:`Pseudonymizer`,
:class:`KeyedAssigner`, :class:`FakeReplacer`) holds it wrapped in
``_HiddenStr`` or ``_HiddenBytes``, and a pickle written before the
identifiers became a package names them by this module's path
(``sklearn_anon._pii_patterns._HiddenStr``).  This shim lets such pickles
load.  Import from :mod:`sklearn_anon.identifiers._patterns` instead.
"""

from .identifiers._patterns import _HiddenBytes, _HiddenStr  # noqa: F401
