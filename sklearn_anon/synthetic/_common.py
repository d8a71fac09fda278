"""Helpers shared by the modules of :mod:`sklearn_anon.synthetic`."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ..base import make_rng

__all__ = []


def _generator(random_state):
    """A numpy Generator: :func:`~sklearn_anon.base.make_rng` (secure OS seed
    for None), except that an int seeds through a ``RandomState`` as it always
    has here, so that seeded results stay what they were."""
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        rs = check_random_state(random_state)
        return np.random.default_rng(rs.randint(0, 2**32 - 1, size=4, dtype=np.uint64))
    return make_rng(random_state)
