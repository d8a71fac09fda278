"""What the two encryption formats share: their error, and the key-file mode check.

The bottom of the command line's crypto: :mod:`._crypto` (AES-GCM chunks,
format detection) and :mod:`._age` (the age format) both import it, and
neither imports the other at module level.
"""

import os
import stat
import warnings

__all__ = ["CryptoError", "KeyFilePermissionWarning"]


class CryptoError(ValueError):
    """A key that cannot be loaded, or a file that cannot be decrypted.

    The message names the key reference or the file, never the key.
    """


class KeyFilePermissionWarning(UserWarning):
    """A key file that users other than its owner may read (as ``ssh`` warns)."""


def _check_key_file_mode(path):
    """Warn when a key file may be read by its group or by others (POSIX only)."""
    if os.name != "posix":  # pragma: no cover - no POSIX modes to check
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:  # pragma: no cover - it was just read
        return
    if mode & 0o077:
        warnings.warn(
            f"key file '{path}' is accessible by its group or by others (mode "
            f"{mode:04o}): make it readable by you only, 'chmod 600 {path}'",
            KeyFilePermissionWarning,
            stacklevel=3,
        )
