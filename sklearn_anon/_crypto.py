"""Old path of :mod:`sklearn_anon.cli._crypto` (file encryption, atomic outputs).

The module moved into the command-line package (issue 14.1).  This shim
stays because code outside the command line imports it from here: the
examples (``examples/ttt_campaign.py``, ``examples/persist_and_reuse.py``),
the benchmarks (``benchmarks/bench_cli.py``) and scripts written after them.
New code imports from :mod:`sklearn_anon.cli._crypto`.
"""

from .cli._crypto import (
    CryptoError,
    KeyFilePermissionWarning,
    OutputError,
    OutputSet,
    atomic_output,
    decrypt_bytes,
    decrypt_file,
    encrypt_bytes,
    encrypt_file,
    generate_key,
    is_encrypted,
    load_key,
    parse_key,
    write_key_file,
)
from .cli._crypto import __all__ as _moved_all

__all__ = list(_moved_all)
