"""Statistical disclosure control methods (as in sdcMicro).

* :class:`PRAM` -- post-randomization of categorical columns with a
  Markov transition matrix (given, or invariant PRAM built from the data),
  with unbiased frequency estimation from the release.
"""

from ._pram import PRAM

__all__ = ["PRAM"]
