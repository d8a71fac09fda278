"""``python -m sklearn_anon.cli``: the ``sklearn-anon`` command."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
