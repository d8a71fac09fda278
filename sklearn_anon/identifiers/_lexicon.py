"""The person-name lexicon (package data, read lazily once per process).

``data/names.txt.gz`` holds the single-word first and last names of every
locale of Faker (MIT licence, notice in the file), case-folded, generated
by ``tools/build_name_lexicon.py``.  Reading it needs no Faker: name
detection works offline and without the optional extra.

Each name carries flags: ``f`` first name, ``l`` last name, ``w`` also a
common word ("rose", "may", "long"), which callers trust only next to
another name or after a title.
"""

import gzip
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

_RESOURCE = "names.txt.gz"


class NameLexicon:
    """Case-folded name sets: ``first``, ``last``, ``names`` (either), ``words``
    (names that are also common words), ``strong`` (names that are not)."""

    def __init__(self, flags):
        self.first = frozenset(n for n, f in flags.items() if "f" in f)
        self.last = frozenset(n for n, f in flags.items() if "l" in f)
        self.words = frozenset(n for n, f in flags.items() if "w" in f)
        self.names = self.first | self.last
        self.strong = self.names - self.words

    def __len__(self):
        return len(self.names)

    def contains(self, tokens, which="names"):
        """Boolean array: which case-folded ``tokens`` are in the set ``which``."""
        table = getattr(self, which)
        return np.fromiter((t.casefold() in table for t in tokens), dtype=bool, count=len(tokens))


def _read(text):
    flags = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, f = line.partition("\t")
        flags[name] = f
    return flags


@lru_cache(maxsize=1)
def name_lexicon():
    """The lexicon, read from the package data on first use (cached).

    Examples
    --------
    >>> from sklearn_anon.identifiers._lexicon import name_lexicon
    >>> lex = name_lexicon()
    >>> "maria" in lex.first, "müller" in lex.last, "rose" in lex.words
    (True, True, True)
    """
    data = resources.files(__package__).joinpath("data", _RESOURCE).read_bytes()
    return NameLexicon(_read(gzip.decompress(data).decode("utf-8")))


def token_share(strings, which="names"):
    """Per value of a Series of str: the share of its word tokens in the lexicon set (NaN: no word)."""
    lex = name_lexicon()
    table = getattr(lex, which)
    tokens = strings.str.casefold().str.findall(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
    flat = tokens.explode().dropna()
    if flat.empty:
        return pd.Series(np.nan, index=strings.index)
    hit = pd.Series(np.fromiter((t in table for t in flat.tolist()), dtype=bool, count=len(flat)),
                    index=flat.index)
    return hit.groupby(level=0).mean().reindex(strings.index)
