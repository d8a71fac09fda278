"""Type aliases of the public signatures.

The modules import these names under ``typing.TYPE_CHECKING`` only (their
annotations are strings, ``from __future__ import annotations``), so this
module costs nothing at run time: ``import sklearn_anon`` and the command
line never import it.

- :data:`ArrayLike`: what an estimator accepts as ``X``: a DataFrame, a
  Series, or anything :func:`numpy.asarray` reads (``numpy.typing.ArrayLike``).
- :data:`PathLike`: a file name, as ``str`` or :class:`os.PathLike`.
- :data:`HierarchyLike`: what :func:`sklearn_anon.generalize.load_hierarchy`
  turns into a :class:`~sklearn_anon.generalize.Hierarchy` (a hierarchy, its
  table as a DataFrame, a ``{leaf: [ancestors]}`` dict, a CSV file or buffer).
- :data:`Self`: the type of ``self`` (``fit`` returns the estimator).
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING, Any, Mapping, Union

import numpy.typing as npt
import pandas as pd

from ._hierarchy import Hierarchy

if sys.version_info >= (3, 11):
    from typing import Self as Self
elif TYPE_CHECKING:
    from typing_extensions import Self as Self
else:  # pragma: no cover - Python 3.10 without typing_extensions
    Self = Any

ArrayLike = Union[npt.ArrayLike, pd.DataFrame, pd.Series]
PathLike = Union[str, "os.PathLike[str]"]
HierarchyLike = Union[Hierarchy, pd.DataFrame, Mapping[Any, Any], PathLike, IO[str]]

__all__ = ["ArrayLike", "HierarchyLike", "PathLike", "Self"]
