"""The sealed data dictionary of a :class:`~sklearn_anon.ColumnObfuscator`.

:func:`write_dictionary` writes the owner's map from opaque column names
back to the real ones (and optional descriptions) as JSON, encrypted with
the hand-over encryption of :mod:`._crypto` (AES-256-GCM, ``key``) or
:mod:`._age` (age, ``recipients`` or ``passphrase``); :func:`read_dictionary`
opens it.  These functions live in the command-line package because the
encryption does, and the rule of the house is that no technique imports
the CLI: the estimator only builds the plain dictionary
(:meth:`~sklearn_anon.ColumnObfuscator.data_dictionary`), and this layer,
which may import the estimators, seals it.
"""

from __future__ import annotations

import io
import json

from ._crypto import CryptoError
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..identifiers import ColumnObfuscator
    from typing import Any, Mapping, Sequence
    from .._typing import PathLike

__all__ = ["read_dictionary", "write_dictionary"]

#: the ``format`` field of the dictionary (as ColumnObfuscator writes it)
DICTIONARY_FORMAT = "sklearn-anon/column-dictionary/v1"


def _aes_key(key):
    """32 raw key bytes, or the key read from ``"env:NAME"`` / ``"file:PATH"``."""
    from ._crypto import KEY_SIZE, load_key

    if isinstance(key, (bytes, bytearray)) and len(key) == KEY_SIZE:
        return bytes(key)
    return load_key(key)


def _encryption(key, recipients, passphrase):
    given = [n for n, v in (("key", key), ("recipients", recipients), ("passphrase", passphrase))
             if v is not None]
    if len(given) != 1:
        raise CryptoError("the dictionary is sealed with exactly one of `key` (AES-256-GCM: 32 "
                          "bytes, 'env:NAME' or 'file:PATH'), `recipients` (age public keys) "
                          f"or `passphrase` (age); got {len(given)}")
    if key is not None:
        return _aes_key(key)
    from ._age import AgeEncryption

    if recipients is not None:
        if isinstance(recipients, str):
            recipients = [recipients]
        return AgeEncryption(list(recipients))
    return AgeEncryption(passphrase=passphrase)


def write_dictionary(
    obfuscator: ColumnObfuscator,
    path: PathLike,
    *,
    key: bytes | str | None = None,
    recipients: str | Sequence[str] | None = None,
    passphrase: str | None = None,
    descriptions: Mapping[Any, str] | None = None,
) -> str:
    """Write the sealed data dictionary of a fitted :class:`~sklearn_anon.ColumnObfuscator`.

    The file is the JSON of :meth:`ColumnObfuscator.data_dictionary`
    (``names``: opaque -> original, ``descriptions``, the key's
    fingerprint), encrypted, written atomically (mode 0600).  It never
    holds the obfuscator's key.

    Parameters
    ----------
    obfuscator : ColumnObfuscator
        Fitted.
    path : str or path-like
        The file to write.
    key : bytes of length 32, "env:NAME" or "file:PATH", optional
        AES-256-GCM key (sklearn-anon's format, as ``sklearn-anon encrypt
        --key``; ``sklearn-anon keygen`` makes one).
    recipients : str or list of str, optional
        age public keys (``age1...`` or SSH): opened with the ``age`` tool.
    passphrase : str, optional
        age with a passphrase.
    descriptions : dict of {column: str}, optional
        Text per original column, sealed with the names.

    Returns
    -------
    path : str
        The path written.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from sklearn_anon import ColumnObfuscator
    >>> from sklearn_anon.cli import read_dictionary, write_dictionary
    >>> key = os.urandom(32)
    >>> obf = ColumnObfuscator(key=b"secret", length=8).fit(pd.DataFrame({"age": [34]}))
    >>> path = os.path.join(tempfile.mkdtemp(), "columns.json.enc")
    >>> _ = write_dictionary(obf, path, key=key, descriptions={"age": "years"})
    >>> read_dictionary(path, key=key)["names"]
    {'c_0a20b8bd': 'age'}
    """
    from ._crypto import atomic_output, encrypt_bytes

    encryption = _encryption(key, recipients, passphrase)
    document = obfuscator.data_dictionary(descriptions)
    data = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    sealed = encrypt_bytes(data, encryption)
    with atomic_output(path) as fh:
        fh.write(sealed)
    return str(path)


def read_dictionary(
    path: PathLike,
    *,
    key: bytes | str | None = None,
    identity: PathLike | None = None,
    passphrase: str | None = None,
) -> dict[Any, Any]:
    """Open a data dictionary written by :func:`write_dictionary`.

    Parameters
    ----------
    path : str or path-like
        The sealed file.
    key : bytes of length 32, "env:NAME" or "file:PATH", optional
        For sklearn-anon's AES-256-GCM format.
    identity : str or path-like, optional
        An age identity file (``AGE-SECRET-KEY-1...``), for a file sealed to
        recipients.
    passphrase : str, optional
        For a file sealed with an age passphrase.

    Returns
    -------
    dictionary : dict
        ``names`` (opaque -> original), ``descriptions`` (opaque -> text),
        ``key_fingerprint`` and the obfuscator's parameters.

    Raises
    ------
    CryptoError
        A wrong key, identity or passphrase, a modified file, or a file that
        is not a data dictionary (the message names the file, never a secret).

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from sklearn_anon import ColumnObfuscator
    >>> from sklearn_anon.cli import read_dictionary, write_dictionary
    >>> key = os.urandom(32)
    >>> frame = pd.DataFrame({"age": [34], "zip": ["75001"]})
    >>> obf = ColumnObfuscator(key=b"secret", length=8).fit(frame)
    >>> path = write_dictionary(obf, os.path.join(tempfile.mkdtemp(), "columns.json.enc"),
    ...                         key=key, descriptions={"zip": "5-digit postcode"})
    >>> document = read_dictionary(path, key=key)
    >>> sorted(document["names"].values()), list(document["descriptions"].values())
    (['age', 'zip'], ['5-digit postcode'])
    """
    from ._age import AGE_FORMAT, decrypt_age_stream, read_identity_file
    from ._crypto import decrypt_bytes, encryption_format

    name = f"'{path}'"
    fmt = encryption_format(path)
    with open(path, "rb") as fh:
        data = fh.read()
    if fmt == AGE_FORMAT:
        if (identity is None) == (passphrase is None):
            raise CryptoError(f"{name} is an age file: give `identity` (an identity file) or "
                              "`passphrase`")
        identities = read_identity_file(identity) if identity is not None else None
        out = io.BytesIO()
        decrypt_age_stream(io.BytesIO(data), out, identities=identities, passphrase=passphrase,
                           name=name, head=data[:1 << 16])
        plain = out.getvalue()
    elif fmt is not None:
        if key is None:
            raise CryptoError(f"{name} is in sklearn-anon's AES-GCM format: give `key`")
        plain = decrypt_bytes(data, _aes_key(key), name=name)
    else:
        raise CryptoError(f"{name} is not an encrypted file (neither age nor sklearn-anon's "
                          "format)")
    try:
        document = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = None
    if not isinstance(document, dict) or document.get("format") != DICTIONARY_FORMAT:
        raise CryptoError(f"{name} decrypts, but is not a column dictionary of sklearn-anon")
    return document
