"""Statistical disclosure control methods as sdcMicro offers them.

What lives where (all modules but this one are private):

* ``_microaggregation.py``: :class:`Microaggregator` (MDAV
  microaggregation, joint or per column; group mean or median).
"""

from ._microaggregation import Microaggregator

__all__ = ["Microaggregator"]
