"""The age file format (https://age-encryption.org/v1) through ``pyrage`` (extra ``age``).

A file encrypted here is opened by the partner with the ``age`` tool (or
any implementation of the format: rage, typage, ...), no Python needed::

    age -d -i key.txt release.csv.age > release.csv

Recipients are X25519 public keys (``age1...``, what ``sklearn-anon keygen
--age`` or ``age-keygen`` prints) or SSH public keys (``ssh-ed25519``,
``ssh-rsa``); a file may be encrypted to several.  Instead of recipients, a
passphrase (age's scrypt recipient) may be used; age allows no mix of the
two in one file.  Identities (the secret keys) are read from identity
files: ``AGE-SECRET-KEY-1...`` lines (comments ``#`` and blank lines
allowed), as ``age-keygen`` writes them, or an unencrypted SSH private key.

``pyrage`` is imported only when a file is encrypted or decrypted
(``pip install 'sklearn-anon[age]'``).  Files encrypted to recipients are
streamed in both directions (age's 64 KiB chunks: constant memory).
pyrage offers the passphrase (scrypt) recipient for bytes in memory only, so
a file encrypted or decrypted with a passphrase is held in memory (about 3x
its size at the peak); for large files prefer recipients.

Secrets (identities, passphrases) never appear in a message, a repr or the
manifest; recipients are public keys and are recorded in the manifest.
"""

import datetime
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from ._keyfiles import CryptoError, _check_key_file_mode

__all__ = [
    "AGE_FORMAT",
    "AgeEncryption",
    "decrypt_age_stream",
    "generate_identity",
    "is_age_header",
    "read_identity_file",
    "read_passphrase",
    "read_recipients_file",
    "parse_recipient",
    "write_identity_file",
]

#: the format's name, as in the first line of every age file
AGE_FORMAT = "age-encryption.org/v1"
AGE_MAGIC = b"age-encryption.org/v1\n"
AGE_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"
#: how much of a file is read to find the kinds of its header's stanzas
_HEADER_PEEK = 1 << 16


def _pyrage():
    try:
        import pyrage
    except ImportError:
        raise CryptoError(
            "age encryption needs the 'pyrage' package: pip install 'sklearn-anon[age]'"
        ) from None
    return pyrage


def is_age_header(head):
    """Whether the bytes ``head`` (a file's first bytes) start an age file, binary or armored.

    Examples
    --------
    >>> from sklearn_anon.cli._age import is_age_header
    >>> is_age_header(b"age-encryption.org/v1\\n-> X25519 ...")
    True
    >>> is_age_header(b"SKANONE1...")
    False
    """
    return head.startswith(AGE_MAGIC) or head.lstrip().startswith(AGE_ARMOR)


# -- recipients ---------------------------------------------------------------------
def parse_recipient(text, *, where="the recipient"):
    """A pyrage recipient from its text: ``age1...`` (X25519) or an SSH public key.

    ``where`` names the recipient in messages; the text itself is never
    quoted (a secret key pasted by mistake must not reach a log).
    """
    pyrage = _pyrage()
    text = text.strip()
    if text.upper().startswith("AGE-SECRET-KEY-"):
        raise CryptoError(f"{where} is a secret key (AGE-SECRET-KEY-1...), not a recipient: "
                          "give its public key (age1...), which 'keygen --age' prints")
    if text.upper().startswith("AGE-PLUGIN-") or (text.startswith("age1") and text.rfind("1") > 3):
        # bech32's separator is the last "1": "age1yubikey1...", "age1pq1..." are not X25519
        raise CryptoError(f"{where} is a plugin or post-quantum recipient, which is not "
                          "supported (X25519 'age1...' or SSH public keys only)")
    try:
        if text.startswith("ssh-"):
            return pyrage.ssh.Recipient.from_str(text)
        if text.startswith("age1"):
            return pyrage.x25519.Recipient.from_str(text)
    except pyrage.RecipientError:
        pass
    raise CryptoError(f"{where} is not an age recipient (an X25519 public key 'age1...' "
                      "or an SSH public key 'ssh-ed25519 ...')")


def _recipient_lines(path, what):
    """``(line number, text)`` of the non-comment lines of a recipients/identity file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CryptoError(f"{what} '{path}' does not exist") from None
    except IsADirectoryError:
        raise CryptoError(f"{what} '{path}' is a folder") from None
    except OSError as exc:
        raise CryptoError(f"cannot read {what} '{path}': {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CryptoError(f"{what} '{path}' is not a text file") from None
    return [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")], data


def read_recipients_file(path):
    """The recipients of an age recipients file: ``[(text, recipient), ...]``.

    One recipient per line (``age1...`` or an SSH public key); lines starting
    with ``#`` and blank lines are ignored, as ``age -R`` does.
    """
    lines, _ = _recipient_lines(path, "recipients file")
    if not lines:
        raise CryptoError(f"recipients file '{path}' holds no recipient")
    return [(text, parse_recipient(text, where=f"recipients file '{path}' line {i}"))
            for i, text in lines]


# -- identities -------------------------------------------------------------------
def read_identity_file(path):
    """The identities (secret keys) of an age identity file, as pyrage objects.

    An age identity file holds ``AGE-SECRET-KEY-1...`` lines (``#`` comments
    and blank lines allowed), as ``age-keygen`` and ``keygen --age`` write
    it; an unencrypted OpenSSH private key (``ssh-ed25519``, ``ssh-rsa``) is
    accepted too, as ``age -i`` does.  A file readable by its group or by
    others gets a :class:`~sklearn_anon.cli._keyfiles.KeyFilePermissionWarning`.
    """
    pyrage = _pyrage()
    lines, data = _recipient_lines(path, "identity file")
    _check_key_file_mode(path)
    if b"-----BEGIN" in data and b"PRIVATE KEY-----" in data:
        try:
            return [pyrage.ssh.Identity.from_buffer(data)]
        except pyrage.IdentityError:
            raise CryptoError(f"identity file '{path}' is an SSH private key that cannot be "
                              "used (protected by a passphrase, or of an unsupported type)"
                              ) from None
    if is_age_header(data):
        raise CryptoError(f"identity file '{path}' is itself encrypted, which is not supported: "
                          "decrypt it with age first")
    identities = []
    for i, text in lines:
        if text.upper().startswith("AGE-PLUGIN-"):
            raise CryptoError(f"identity file '{path}' line {i} is a plugin identity, which is "
                              "not supported")
        try:
            identities.append(pyrage.x25519.Identity.from_str(text))
        except pyrage.IdentityError:
            raise CryptoError(f"identity file '{path}' line {i} is not an age identity "
                              "(AGE-SECRET-KEY-1...)") from None
    if not identities:
        raise CryptoError(f"identity file '{path}' holds no identity")
    return identities


def generate_identity():
    """A new X25519 identity: ``(identity file text, public recipient)``.

    The text is what ``age-keygen`` writes: two comment lines (creation time
    and public key) and the ``AGE-SECRET-KEY-1...`` line.
    """
    pyrage = _pyrage()
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    text = f"# created: {created}\n# public key: {recipient}\n{identity}\n"
    return text, recipient


def write_identity_file(path):
    """Write a new identity file readable by its owner only (0600); returns the recipient.

    An existing file is never overwritten.
    """
    text, recipient = generate_identity()
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CryptoError(f"identity file '{path}' already exists (not overwritten)") from None
    except OSError as exc:
        raise CryptoError(f"cannot write identity file '{path}': {exc.strerror}") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    return recipient


# -- passphrases ------------------------------------------------------------------
#: ``--passphrase`` given without a value: ask on the terminal
ASK = "\0ask"  # no command-line argument can hold a NUL: only const= gives it


def _ask(confirm):
    import getpass

    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise CryptoError("no terminal to ask the passphrase on: give --passphrase env:NAME "
                          "or --passphrase file:PATH")
    try:
        first = getpass.getpass("passphrase: ", stream=sys.stderr)
        if confirm and getpass.getpass("passphrase (again): ", stream=sys.stderr) != first:
            raise CryptoError("the two passphrases typed differ")
    except EOFError:
        raise CryptoError("no passphrase was typed") from None
    return first


def read_passphrase(spec, *, confirm=False):
    """The passphrase of ``spec``: ``"env:NAME"``, ``"file:PATH"`` or :data:`ASK`.

    :data:`ASK` asks on the terminal (twice when ``confirm``); a passphrase
    file's trailing line end is dropped.  Anything else is refused without
    being quoted: a passphrase on the command line ends up in the shell
    history and the process list.

    Examples
    --------
    >>> import os
    >>> from sklearn_anon.cli._age import read_passphrase
    >>> os.environ["DOCTEST_PASSPHRASE"] = "correct horse battery staple"
    >>> read_passphrase("env:DOCTEST_PASSPHRASE")
    'correct horse battery staple'
    >>> read_passphrase("hunter2")
    Traceback (most recent call last):
    ...
    sklearn_anon.cli._keyfiles.CryptoError: a passphrase must be given as 'env:NAME' or 'file:PATH' ...
    """
    if spec == ASK:
        value = _ask(confirm)
    elif isinstance(spec, str) and spec.startswith("env:"):
        name = spec[4:]
        if not name:
            raise CryptoError("passphrase reference 'env:' names no environment variable")
        value = os.environ.get(name)
        if value is None:
            raise CryptoError(f"the environment variable {name!r} holding the passphrase "
                              "is not set")
    elif isinstance(spec, str) and spec.startswith("file:"):
        path = Path(spec[5:])
        try:
            value = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CryptoError(f"passphrase file '{path}' does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CryptoError(f"cannot read passphrase file '{path}': "
                              f"{getattr(exc, 'strerror', None) or 'not UTF-8 text'}") from None
        _check_key_file_mode(path)
        value = value[:-2] if value.endswith("\r\n") else value[:-1] if value.endswith("\n") \
            else value
    else:
        raise CryptoError("a passphrase must be given as 'env:NAME' or 'file:PATH' (or "
                          "--passphrase alone, to be asked), not as a literal (a passphrase on "
                          "the command line ends up in the shell history)")
    if not value:
        raise CryptoError("the passphrase is empty")
    return value


# -- streams ----------------------------------------------------------------------
class _StopRequested(BaseException):
    """Raised by a :class:`_Pipe` to make pyrage stop when a stop signal arrived."""


@contextmanager
def _signals_around_pyrage(*pipes):
    """Stop signals (SIGINT, SIGTERM, SIGHUP) during a pyrage call, handled after it.

    A Python signal handler runs at the next Python instruction, which during
    pyrage's streaming is the start of a :class:`_Pipe` method, outside any
    ``try``: its exception would reach pyrage, which turns it into an error
    of its own ("EncryptError: ...") or, in its last flush, drops it.  So
    while pyrage runs, a stop signal is only recorded; the pipes then raise
    :class:`_StopRequested` (pyrage stops within one 64 KiB block), and the
    handler that was installed (the command line's, or Ctrl-C's
    ``KeyboardInterrupt``) is called once pyrage has returned: the run stops
    with the signal's own exception, and the outputs are removed as after
    any stop.  Only in the main thread, and only over Python handlers.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending = []

    def record(signum, frame):
        pending.append(signum)
        for pipe in pipes:
            pipe.stop = True

    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and callable(signal.getsignal(signum)):
            previous[signum] = signal.signal(signum, record)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if pending:
            previous[pending[0]](pending[0], None)  # raises: KeyboardInterrupt, the CLI's stop
            # reached only if the handler returns (the CLI's and Ctrl-C's raise)
            raise CryptoError("interrupted by a signal")


class _Pipe:
    """A file object pyrage reads or writes through, which keeps the first exception.

    pyrage turns an exception raised by a Python ``read``/``write`` into an
    I/O error of its own, and swallows one raised while it flushes its
    buffer at the end: the exception kept here (a full disk, a signal turned
    into an exception by the command line) is raised again afterwards.
    """

    def __init__(self, fh, progress=None):
        self._fh = fh
        self._progress = progress
        self.error = None
        self.count = 0
        self.stop = False  # set by _signals_around_pyrage

    def read(self, size=-1):
        try:
            if self.stop:
                raise _StopRequested
            data = self._fh.read(size)
            self.count += len(data)
            if self._progress is not None and data:
                self._progress(len(data))
            return data
        except BaseException as exc:  # a signal may arrive anywhere in here
            self.error = self.error or exc
            raise

    def write(self, data):
        try:
            if self.stop:
                raise _StopRequested
            n = self._fh.write(data)
            self.count += len(data)
            return len(data) if n is None else n
        except BaseException as exc:
            self.error = self.error or exc
            raise

    def flush(self):
        try:
            self._fh.flush()
        except BaseException as exc:
            self.error = self.error or exc
            raise

    def readable(self):
        return True

    def writable(self):
        return True

    def seekable(self):
        return False

    def raise_kept(self):
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class AgeEncryption:
    """Where an output is encrypted to: age recipients, or a passphrase.

    Parameters
    ----------
    recipients : list of str
        Public keys (``age1...`` or SSH public keys).
    passphrase : str, optional
        Instead of recipients: age's scrypt recipient (never shown in a
        repr, a message or the manifest).

    Examples
    --------
    >>> import pyrage  # doctest: +SKIP
    >>> from sklearn_anon.cli._age import AgeEncryption, generate_identity
    >>> text, recipient = generate_identity()  # doctest: +SKIP
    >>> AgeEncryption([recipient]).encrypt_bytes(b"hello")[:22]  # doctest: +SKIP
    b'age-encryption.org/v1\\n'
    """

    format = AGE_FORMAT

    def __init__(self, recipients=(), passphrase=None, *, parsed=None):
        recipients = [str(r).strip() for r in recipients]
        if bool(recipients) == (passphrase is not None):
            raise CryptoError("age encryption needs recipients or a passphrase (not both: "
                              "age allows no mix of the two in one file)")
        self.recipients = recipients
        self._passphrase = passphrase
        self._parsed = parsed if parsed is not None else [
            parse_recipient(r, where=f"recipient #{i}") for i, r in enumerate(recipients, 1)]

    def __repr__(self):
        if self._passphrase is not None:
            return "AgeEncryption(passphrase=<hidden>)"
        return f"AgeEncryption({len(self.recipients)} recipient(s))"

    def record(self):
        """What the manifest records: the format and the public recipients, never a secret."""
        return {"format": AGE_FORMAT,
                "recipients": list(self.recipients),
                "passphrase": self._passphrase is not None}

    def describe(self):
        """A few words for the terminal: ``"age, 2 recipients"``."""
        if self._passphrase is not None:
            return "age, passphrase"
        n = len(self.recipients)
        return f"age, {n} recipient{'s' if n != 1 else ''}"

    def encrypt_bytes(self, data):
        """The age file of ``data`` (bytes)."""
        pyrage = _pyrage()
        try:
            if self._passphrase is not None:
                return pyrage.passphrase.encrypt(bytes(data), self._passphrase)
            return pyrage.encrypt(bytes(data), self._parsed)
        except pyrage.EncryptError:  # pragma: no cover - pyrage only fails on I/O here
            raise CryptoError("age encryption failed") from None

    def encrypt_stream(self, src, dst, *, progress=None):
        """Encrypt the binary stream ``src`` into ``dst``; returns the bytes read.

        Streamed for recipients; with a passphrase ``src`` is read whole
        (pyrage has no streaming scrypt recipient).
        """
        pyrage = _pyrage()
        if self._passphrase is not None:
            data = src.read()
            if progress is not None:
                progress(len(data))
            dst.write(self.encrypt_bytes(data))
            return len(data)
        reader, writer = _Pipe(src, progress), _Pipe(dst)
        with _signals_around_pyrage(reader, writer):
            try:
                pyrage.encrypt_io(reader, writer, self._parsed)
            except BaseException:
                reader.raise_kept()
                writer.raise_kept()
                raise
            reader.raise_kept()
            writer.raise_kept()
        return reader.count


def stanza_types(head):
    """The recipient types (``X25519``, ``scrypt``, ``ssh-ed25519``, ...) of an age header.

    ``head`` holds the file's first bytes (binary or armored); ``None`` when
    the header cannot be read from them.

    Examples
    --------
    >>> from sklearn_anon.cli._age import stanza_types
    >>> stanza_types(b"age-encryption.org/v1\\n-> X25519 abc\\nxyz\\n--- mac\\n...")
    ['X25519']
    """
    import base64
    import binascii

    if head.lstrip().startswith(AGE_ARMOR):
        body = []
        for line in head.lstrip().splitlines()[1:]:
            if line.strip().startswith(b"-----"):
                break
            body.append(line.strip())
        body = b"".join(body)
        try:
            head = base64.b64decode(body[:len(body) // 4 * 4])
        except (binascii.Error, ValueError):
            return None
    if not head.startswith(AGE_MAGIC):
        return None
    types = []
    for line in head[len(AGE_MAGIC):].split(b"\n"):
        if line.startswith(b"---"):
            return types
        if line.startswith(b"-> "):
            parts = line[3:].split(b" ")
            types.append(parts[0].decode("ascii", "replace") if parts else "")
    return None  # header longer than the bytes read


def _decrypt_error(name, message):
    """A one-line :class:`CryptoError` for pyrage's message (which holds no secret)."""
    message = str(message)
    if "No matching keys" in message:
        return CryptoError(f"cannot decrypt {name}: none of the identities given opens it "
                           "(wrong identity file, or its header was modified)")
    if message in ("Decryption failed",) or "passphrase" in message.lower():
        return CryptoError(f"cannot decrypt {name}: wrong passphrase, or its header was "
                           "modified")
    if "fill whole buffer" in message or "Incomplete header" in message \
            or "unexpected end" in message.lower():
        return CryptoError(f"cannot decrypt {name}: the file is truncated (its header is "
                           "incomplete)")
    if "truncated" in message.lower():
        return CryptoError(f"cannot decrypt {name}: the file is truncated")
    if "Header MAC" in message or "header" in message.lower() or "Unknown age format" in message:
        return CryptoError(f"cannot decrypt {name}: its header was modified or is damaged")
    if "decryption error" in message or "chunk" in message.lower():
        return CryptoError(f"cannot decrypt {name}: the file was truncated or modified")
    if "work factor" in message.lower():
        return CryptoError(f"cannot decrypt {name}: its passphrase work factor is too high")
    return CryptoError(f"cannot decrypt {name}: not a valid age file")


def decrypt_age_stream(src, dst, *, identities=None, passphrase=None, name="input",
                       progress=None, head=None):
    """Decrypt the age stream ``src`` into ``dst``; :class:`CryptoError` on any failure.

    ``identities`` (pyrage objects, from :func:`read_identity_file`) or
    ``passphrase``.  ``head``, the file's first bytes when known, tells which
    of the two the file needs (a clear message instead of age's "no
    matching keys").  With identities the file is streamed; with a passphrase
    it is read whole.  Plaintext may have been written to ``dst`` when it
    fails (write to a temporary file, as :func:`decrypt_file` does).
    """
    pyrage = _pyrage()
    if head is None:
        head = src.peek(_HEADER_PEEK)[:_HEADER_PEEK] if hasattr(src, "peek") else b""
    types = stanza_types(head) if head else None
    if types is not None:
        if passphrase is not None and "scrypt" not in types:
            raise CryptoError(f"{name} is encrypted to recipients (public keys), not with a "
                              "passphrase: give --identity FILE")
        if passphrase is None and "scrypt" in types:
            raise CryptoError(f"{name} is encrypted with a passphrase: give --passphrase")
    if passphrase is not None:
        data = src.read()
        try:
            plain = pyrage.passphrase.decrypt(data, passphrase)
        except pyrage.DecryptError as exc:
            raise _decrypt_error(name, exc) from None
        dst.write(plain)
        if progress is not None:
            progress(len(data))
        return len(plain)
    reader, writer = _Pipe(src, progress), _Pipe(dst)
    with _signals_around_pyrage(reader, writer):
        try:
            pyrage.decrypt_io(reader, writer, list(identities))
        except (pyrage.DecryptError, OSError) as exc:
            reader.raise_kept()
            writer.raise_kept()
            raise _decrypt_error(name, exc) from None
        except BaseException:
            reader.raise_kept()
            writer.raise_kept()
            raise
        reader.raise_kept()
        writer.raise_kept()
    return writer.count
