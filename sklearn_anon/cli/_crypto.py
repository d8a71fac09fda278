"""Encrypt files for transfer: AES-256-GCM in authenticated chunks (extra ``crypto``).

The ``cryptography`` package is imported only when a file is encrypted or
decrypted (``pip install sklearn-anon[crypto]``).

This format can be read only by this package.  For a partner without it,
files are written in the age format (:mod:`._age`, extra ``age``): the
functions here take, in place of a key, an :class:`~._age.AgeEncryption`
(``encrypt_*``), and :func:`decrypt_file` tells the two formats apart by
their first bytes, so files written in either format stay readable.

File format (version 1)::

    header  = b"SKANONE1" | chunk_size (4 bytes, big endian) | nonce prefix (8 random bytes)
    chunk i = AES-256-GCM(key, nonce = prefix | i (4 bytes, big endian),
                          aad = header | last (1 byte: 1 on the final chunk, else 0))

Every chunk holds ``chunk_size`` plaintext bytes (the last one fewer, maybe
none) followed by its 16-byte tag.  The header is authenticated with every
chunk, and the final chunk is marked, so a truncated, reordered or extended
file fails to decrypt instead of yielding a shorter plaintext (the STREAM
construction of Hoang, Reyhanitabar, Rogaway and Vizár, 2015).  Files of any
size are processed in constant memory.

Keys are 32 random bytes written as URL-safe base64 (44 characters, what
``sklearn-anon keygen`` prints); 64 hexadecimal characters are accepted too.
A key is given as ``"env:NAME"`` (an environment variable) or
``"file:PATH"`` (a key file), never as a literal on a command line, where it
would end up in the shell history and the process list.
"""

import base64
import binascii
import io
import os
import secrets
import struct
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ._keyfiles import CryptoError, KeyFilePermissionWarning, _check_key_file_mode  # noqa: F401

__all__ = [
    "CryptoError",
    "KeyFilePermissionWarning",
    "OutputError",
    "OutputSet",
    "atomic_output",
    "decrypt_bytes",
    "decrypt_file",
    "encrypt_bytes",
    "encrypt_file",
    "generate_key",
    "is_encrypted",
    "load_key",
    "parse_key",
    "write_key_file",
]

MAGIC = b"SKANONE1"
_HEADER = struct.Struct(">8sI8s")
HEADER_SIZE = _HEADER.size  # 20
TAG_SIZE = 16
KEY_SIZE = 32
DEFAULT_CHUNK_SIZE = 1 << 20


class OutputError(OSError):
    """An output that cannot be written; the message names the file."""

    def __init__(self, path, problem, errno=None):
        super().__init__(errno, f"cannot write '{path}': {problem}")
        self.path = str(path)

    def __str__(self):
        return self.strerror


def _aesgcm(key):
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:  # pragma: no cover - depends on the environment
        raise CryptoError(
            "encryption needs the 'cryptography' package: "
            "pip install 'sklearn-anon[crypto]'"
        ) from None
    return AESGCM(key)


# -- keys ---------------------------------------------------------------------------
def generate_key():
    """A fresh random 256-bit key, as URL-safe base64 text (44 characters).

    Examples
    --------
    >>> from sklearn_anon.cli._crypto import generate_key, parse_key
    >>> len(parse_key(generate_key()))
    32
    """
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_SIZE)).decode("ascii")


def parse_key(text, *, where="the key"):
    """The 32 key bytes from base64 (URL-safe or standard) or hexadecimal text."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            text = None
    if text is not None:
        text = text.strip()
        if len(text) == 2 * KEY_SIZE:
            try:
                return bytes.fromhex(text)
            except ValueError:
                pass
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                raw = decode(text.encode("ascii"))
            except (binascii.Error, ValueError, UnicodeEncodeError):
                continue
            if len(raw) == KEY_SIZE:
                return raw
    raise CryptoError(
        f"{where} is not a 256-bit key (32 bytes as base64 or 64 hex characters; "
        "make one with 'sklearn-anon keygen')"
    )


def load_key(spec):
    """Read a key from ``"env:NAME"`` or ``"file:PATH"``.

    Parameters
    ----------
    spec : str
        ``"env:NAME"``: the environment variable ``NAME`` holds the key;
        ``"file:PATH"``: the file holds it.  Anything else is refused, so
        that a key is never typed on a command line.

    Returns
    -------
    key : bytes of length 32

    Examples
    --------
    >>> import os
    >>> from sklearn_anon.cli._crypto import generate_key, load_key
    >>> os.environ["DOCTEST_KEY"] = generate_key()
    >>> len(load_key("env:DOCTEST_KEY"))
    32
    >>> load_key("hunter2")
    Traceback (most recent call last):
    ...
    sklearn_anon.cli._keyfiles.CryptoError: a key must be given as 'env:NAME' or 'file:PATH', ...
    """
    if not isinstance(spec, str):
        raise CryptoError("a key must be given as 'env:NAME' or 'file:PATH'")
    if spec.startswith("env:"):
        name = spec[4:]
        if not name:
            raise CryptoError("key reference 'env:' names no environment variable")
        value = os.environ.get(name)
        if not value:
            raise CryptoError(f"the environment variable {name!r} holding the key is not set")
        return parse_key(value, where=f"the environment variable {name!r}")
    if spec.startswith("file:"):
        path = Path(spec[5:])
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CryptoError(f"key file '{path}' does not exist") from None
        except IsADirectoryError:
            raise CryptoError(f"key file '{path}' is a folder") from None
        except OSError as exc:
            raise CryptoError(f"cannot read key file '{path}': {exc.strerror}") from None
        _check_key_file_mode(path)
        if len(data) == KEY_SIZE:
            return data  # raw binary key
        return parse_key(data, where=f"key file '{path}'")
    raise CryptoError(
        "a key must be given as 'env:NAME' or 'file:PATH', not as a literal "
        "(a key on the command line ends up in the shell history)"
    )


def write_key_file(path, key_text=None):
    """Write a key file readable by its owner only (mode 0600); refuse to overwrite."""
    key_text = key_text or generate_key()
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CryptoError(f"key file '{path}' already exists (not overwritten)") from None
    except OSError as exc:
        raise CryptoError(f"cannot write key file '{path}': {exc.strerror}") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(key_text + "\n")
    return path


# -- atomic output --------------------------------------------------------------------
#: temporary files of outputs not yet committed; removed by :func:`remove_temporaries`
#: (the command line calls it when it stops on a signal)
_TEMPORARIES: set[str] = set()


def remove_temporaries():
    """Remove every temporary output file still pending (for a signal handler)."""
    for tmp in list(_TEMPORARIES):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _TEMPORARIES.discard(tmp)


def output_target(path):
    """The file that writing ``path`` replaces: ``path``, or its target if it is a symlink.

    An output is written to a temporary file in the target's folder and
    renamed over the target, so that a symbolic link is written through
    (its target is replaced, the link is kept), never replaced itself.

    Raises
    ------
    OutputError
        If ``path`` is a symbolic link to a missing file, a folder, or an
        existing non-regular file (a device such as ``/dev/null``, a pipe, a
        socket): a rename would replace it instead of writing to it.
    """
    path = Path(path)
    target = path
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.exists():
            raise OutputError(path, "it is a symbolic link to a missing file")
    if target.is_dir():
        raise OutputError(path, "it is a folder")
    if target.exists() and not target.is_file():
        raise OutputError(path, "it is not a regular file (a device, pipe or socket); "
                                "give the path of a file")
    return target


class OutputSet:
    """All output files of one run, committed together or not at all.

    Each file is written to a hidden temporary file (mode 0600, created by
    :func:`tempfile.mkstemp`) in its target's folder and flushed to disk;
    :meth:`commit` renames them all over their targets.  An error or a
    signal before the commit removes every temporary file (:meth:`abort`),
    so a failed run leaves none of its outputs behind; a failing rename
    during the commit removes the outputs already renamed too.

    Used as a context manager it commits when the block ends normally and
    aborts when it raises.  Write errors are :class:`OutputError` naming
    the output.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_anon.cli._crypto import OutputSet
    >>> folder = tempfile.mkdtemp()
    >>> with OutputSet() as outputs:
    ...     with outputs.open(os.path.join(folder, "a.txt"), "w") as fh:
    ...         _ = fh.write("a")
    ...     with outputs.open(os.path.join(folder, "b.txt"), "w") as fh:
    ...         _ = fh.write("b")
    >>> sorted(os.listdir(folder))
    ['a.txt', 'b.txt']
    """

    def __init__(self):
        self._staged = []  # (temporary, target, name given)

    @contextmanager
    def open(self, path, mode="wb"):
        """A file object writing the temporary file of output ``path``."""
        target = output_target(path)
        directory = target.parent if str(target.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
        except OSError as exc:
            raise OutputError(path, exc.strerror or type(exc).__name__, exc.errno) from None
        _TEMPORARIES.add(tmp)
        self._staged.append((tmp, target, path))
        try:
            with os.fdopen(fd, mode) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())  # a full disk shows here, before any rename
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(path, exc.strerror or type(exc).__name__, exc.errno) from None

    def commit(self):
        """Rename every temporary file over its target."""
        done = []
        try:
            for tmp, target, path in self._staged:
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise OutputError(path, exc.strerror or type(exc).__name__,
                                      exc.errno) from None
                _TEMPORARIES.discard(tmp)
                done.append(target)
        except BaseException:
            for target in done:  # all or nothing
                try:
                    os.unlink(target)
                except OSError:
                    pass
            self.abort()
            raise
        self._staged.clear()

    def abort(self):
        """Remove every temporary file; no target is touched."""
        for tmp, _, _ in self._staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            _TEMPORARIES.discard(tmp)
        self._staged.clear()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.abort()
        return False


@contextmanager
def atomic_output(path, mode="wb"):
    """Write to a temporary file beside ``path`` (mode 0600), renamed over it on success.

    On any exception the temporary file is removed and ``path`` is left as it
    was: a failed run never leaves a half-written file behind.  A symbolic
    link is written through (see :func:`output_target`).
    """
    with OutputSet() as outputs:
        with outputs.open(path, mode) as fh:
            yield fh


# -- formats ---------------------------------------------------------------------------
#: the names :func:`encryption_format` returns (and the manifest records)
AES_GCM_FORMAT = "sklearn-anon/aes-256-gcm-chunked/v1"


def encryption_format(path):
    """The encryption format of a file by its first bytes: AES_GCM_FORMAT, age's, or None.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_anon.cli._crypto import encryption_format
    >>> with tempfile.NamedTemporaryFile(suffix=".age") as fh:
    ...     _ = fh.write(b"age-encryption.org/v1\\n-> X25519 ...")
    ...     fh.flush()
    ...     encryption_format(fh.name)
    'age-encryption.org/v1'
    """
    from ._age import AGE_FORMAT, is_age_header

    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return None
    if head[:8] == MAGIC:
        return AES_GCM_FORMAT
    if is_age_header(head):
        return AGE_FORMAT
    return None


def encryption_record(key):
    """What the manifest records about how an output was encrypted (never a secret).

    ``key``: None (not encrypted), the 32 bytes of an AES-GCM key (its
    format and keyed fingerprint, as the pseudonymization keys'), or an
    :class:`~._age.AgeEncryption` (age and the public recipients).
    """
    if key is None:
        return None
    if hasattr(key, "record"):
        return key.record()
    import hmac

    # same construction and label as sklearn_anon.identifiers' key_fingerprint
    fingerprint = hmac.new(bytes(key), b"sklearn_anon/key-fingerprint/v1", "sha256").hexdigest()
    return {"format": AES_GCM_FORMAT, "key_fingerprint": fingerprint[:16]}


# -- streams ---------------------------------------------------------------------------
def _nonce(prefix, counter):
    if counter >= 1 << 32:  # pragma: no cover - 4 PiB at 1 MiB chunks
        raise CryptoError("file too large for one encryption stream")
    return prefix + struct.pack(">I", counter)


def encrypt_stream(src, dst, key, *, chunk_size=DEFAULT_CHUNK_SIZE, progress=None):
    """Encrypt the binary stream ``src`` into ``dst``; returns the bytes read.

    ``key``: 32 bytes (this module's AES-GCM format), or an
    :class:`~._age.AgeEncryption` (the age format).
    """
    if hasattr(key, "encrypt_stream"):
        return key.encrypt_stream(src, dst, progress=progress)
    aead = _aesgcm(key)
    header = _HEADER.pack(MAGIC, chunk_size, secrets.token_bytes(8))
    dst.write(header)
    prefix = header[12:]
    counter = total = 0
    chunk = src.read(chunk_size)
    while True:
        following = src.read(chunk_size) if len(chunk) == chunk_size else b""
        last = not following
        dst.write(aead.encrypt(_nonce(prefix, counter), chunk, header + (b"\x01" if last else b"\x00")))
        total += len(chunk)
        if progress is not None:
            progress(len(chunk))
        if last:
            return total
        chunk, counter = following, counter + 1


def decrypt_stream(src, dst, key, *, name="input", progress=None):
    """Decrypt ``src`` into ``dst``; :class:`CryptoError` on a wrong key or damage."""
    from cryptography.exceptions import InvalidTag

    aead = _aesgcm(key)
    header = src.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE or header[:8] != MAGIC:
        raise CryptoError(f"{name} is not a file encrypted by sklearn-anon")
    _, chunk_size, prefix = _HEADER.unpack(header)
    if not 0 < chunk_size <= 1 << 30:
        raise CryptoError(f"{name} has a damaged header")
    size = chunk_size + TAG_SIZE
    counter = total = 0
    block = src.read(size)
    while True:
        following = src.read(size) if len(block) == size else b""
        last = not following
        if len(block) < TAG_SIZE:
            raise CryptoError(f"{name} is truncated")
        try:
            plain = aead.decrypt(_nonce(prefix, counter), block, header + (b"\x01" if last else b"\x00"))
        except InvalidTag:
            if counter == 0:
                raise CryptoError(
                    f"cannot decrypt {name}: wrong key, or the file was modified"
                ) from None
            raise CryptoError(f"cannot decrypt {name}: the file was truncated or modified") from None
        dst.write(plain)
        total += len(plain)
        if progress is not None:
            progress(len(block))
        if last:
            return total
        block, counter = following, counter + 1


def encrypt_bytes(data, key, *, chunk_size=DEFAULT_CHUNK_SIZE):
    """Encrypt bytes in memory (same format as the files).

    Examples
    --------
    >>> from sklearn_anon.cli._crypto import decrypt_bytes, encrypt_bytes, generate_key, parse_key
    >>> key = parse_key(generate_key())
    >>> decrypt_bytes(encrypt_bytes(b"hello", key), key)
    b'hello'
    """
    if hasattr(key, "encrypt_bytes"):  # an AgeEncryption
        return key.encrypt_bytes(data)
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, key, chunk_size=chunk_size)
    return out.getvalue()


def decrypt_bytes(data, key, *, name="input"):
    """Decrypt bytes produced by :func:`encrypt_bytes` or :func:`encrypt_file`."""
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(data), out, key, name=name)
    return out.getvalue()


def is_encrypted(path):
    """Whether the file starts with an encryption header (this package's or age's)."""
    return encryption_format(path) is not None


def encrypt_file(src, dst, key, *, chunk_size=DEFAULT_CHUNK_SIZE, progress=None):
    """Encrypt file ``src`` to ``dst`` (written atomically); returns the plaintext size."""
    with open(src, "rb") as fin, atomic_output(dst) as fout:
        return encrypt_stream(fin, fout, key, chunk_size=chunk_size, progress=progress)


def decrypt_file(src, dst, key=None, *, identities=None, passphrase=None, progress=None):
    """Decrypt file ``src`` to ``dst``: nothing is left at ``dst`` when it fails.

    The format is told by the file's first bytes: this module's AES-GCM
    format needs ``key``; an age file needs ``identities`` (from
    :func:`~._age.read_identity_file`) or ``passphrase``.  Returns the
    plaintext size.
    """
    from ._age import AGE_FORMAT, decrypt_age_stream

    name = f"'{src}'"
    fmt = encryption_format(src)
    if fmt == AGE_FORMAT:
        if identities is None and passphrase is None:
            raise CryptoError(f"{name} is an age file: give --identity FILE (or --passphrase), "
                              "not --key")
    elif key is None:
        if fmt == AES_GCM_FORMAT:
            raise CryptoError(f"{name} is in sklearn-anon's AES-GCM format: give --key "
                              "(env:NAME or file:PATH)")
        raise CryptoError(f"{name} is not an encrypted file (neither age nor sklearn-anon's "
                          "format)")
    with open(src, "rb") as fin:
        head = fin.read(1 << 16)
        fin.seek(0)
        with atomic_output(dst) as fout:
            if fmt == AGE_FORMAT:
                return decrypt_age_stream(fin, fout, identities=identities, passphrase=passphrase,
                                          name=name, progress=progress, head=head)
            return decrypt_stream(fin, fout, key, name=name, progress=progress)
