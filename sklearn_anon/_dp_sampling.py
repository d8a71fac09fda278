"""Old path of :class:`~sklearn_anon._random.SecureGenerator`, for pickles only.

The samplers moved to :mod:`sklearn_anon.dp._sampling` and the generator to
:mod:`sklearn_anon._random`.  Until commit c7bae59 ``SecureGenerator`` was
defined here, and ``SecureGenerator.__reduce__`` pickles the class by that
path: a ``DPLogisticRegression(random_state=make_rng("secure"))`` pickled
then holds ``sklearn_anon._dp_sampling.SecureGenerator``.  This shim keeps
such pickles loadable; import nothing else from it.
"""

from ._random import SecureGenerator

__all__ = ["SecureGenerator"]
