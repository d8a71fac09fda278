"""Statistical disclosure control methods as sdcMicro offers them.

What lives where (all modules but this one are private):

* ``_microaggregation.py``: :class:`Microaggregator` (MDAV
  microaggregation, joint or per column; group mean or median).
* ``_pram.py``: :class:`PRAM` -- post-randomization of categorical columns
  with a Markov transition matrix (given, or invariant PRAM built from the
  data), with unbiased frequency estimation from the release.
"""

from ._microaggregation import Microaggregator
from ._pram import PRAM

__all__ = ["Microaggregator", "PRAM"]
