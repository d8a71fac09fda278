"""``sklearn-anon encrypt``, ``decrypt`` and ``keygen``, and the encryption options of the commands.

Two formats (see :mod:`._crypto` and :mod:`._age`):

- age (``--recipient age1...``, ``--recipients-file FILE``, ``--passphrase``):
  the partner decrypts with the ``age`` tool, ``age -d -i key.txt FILE``,
  without this package (extra ``age``, pyrage);
- sklearn-anon's AES-256-GCM chunked format (``--key`` / ``--encrypt-key``
  ``env:NAME|file:PATH``): read by this package only (extra ``crypto``).

``decrypt`` tells them apart by the file's first bytes, so files written in
either format stay readable.  Secrets (keys, identities, passphrases) are
never taken as literals on the command line, never shown in a message and
never written to a manifest.
"""

import sys
import warnings

from ._common import PROG, UserError, _say
from ._io import _check_output, _check_regular, _load_key
from ._progress import Progress

#: the help texts of the age options (shared by encrypt, anonymize and apply)
_HELP_RECIPIENT = ("encrypt in the age format to this X25519 public key (age1..., from "
                   "'keygen --age' or age-keygen) or SSH public key; repeatable. The partner "
                   "decrypts with 'age -d -i key.txt FILE' (no Python needed)")
_HELP_RECIPIENTS_FILE = ("age format: encrypt to every recipient listed in FILE (one per line, "
                         "'#' comments), as 'age -R'")
_HELP_PASSPHRASE = ("age format with a passphrase (scrypt) instead of recipients: read from "
                    "env:NAME or file:PATH, or asked on the terminal when given without a "
                    "value; never a literal. The file is held in memory")


def add_age_output_options(p):
    """Add ``--recipient``, ``--recipients-file`` and ``--passphrase`` to a subparser."""
    p.add_argument("--recipient", action="append", default=[], metavar="age1...",
                   help=_HELP_RECIPIENT)
    p.add_argument("--recipients-file", action="append", default=[], metavar="FILE",
                   help=_HELP_RECIPIENTS_FILE)
    add_passphrase_option(p, _HELP_PASSPHRASE)


def add_passphrase_option(p, helptext):
    from ._age import ASK

    p.add_argument("--passphrase", nargs="?", const=ASK, default=None,
                   metavar="env:NAME|file:PATH", help=helptext)


def _with_key_warnings(fn, *args, **kwargs):
    """Call ``fn``; a key file readable by others is warned about on stderr (as ssh does)."""
    from ._crypto import KeyFilePermissionWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KeyFilePermissionWarning)
        result = fn(*args, **kwargs)
    for w in caught:
        if issubclass(w.category, KeyFilePermissionWarning):
            # shown even with --quiet: it is about the key's safety, not progress
            print(f"{PROG}: warning: {' '.join(str(w.message).split())}", file=sys.stderr)
        else:  # pragma: no cover - nothing else warns here
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result


def output_encryption(args, key_option="encrypt_key"):
    """How an output is encrypted, from the command's options.

    Returns None (not encrypted), the 32 bytes of an AES-GCM key
    (``--encrypt-key`` / ``--key``, named by ``key_option``) or an
    :class:`~._age.AgeEncryption` (``--recipient``, ``--recipients-file``,
    ``--passphrase``).  Both are accepted wherever a key is by
    :func:`~._io.write_table` and :mod:`._crypto`.  Raises
    :class:`UserError` for a combination age or this package cannot write.
    """
    key_spec = getattr(args, key_option, None)
    recipients = list(getattr(args, "recipient", None) or [])
    files = list(getattr(args, "recipients_file", None) or [])
    passphrase = getattr(args, "passphrase", None)
    age_given = bool(recipients or files or passphrase is not None)
    flag = "--" + key_option.replace("_", "-")
    if key_spec and age_given:
        raise UserError(f"give either {flag} (sklearn-anon's format) or age's --recipient, "
                        "--recipients-file or --passphrase, not both")
    if key_spec:
        return _load_key(key_spec)
    if not age_given:
        return None
    from ._age import AgeEncryption, _pyrage, parse_recipient, read_passphrase, read_recipients_file

    _pyrage()  # the missing extra is said before a passphrase is asked for
    if passphrase is not None:
        if recipients or files:
            raise UserError("--passphrase cannot be combined with --recipient or "
                            "--recipients-file (age allows no mix of the two in one file)")
        return AgeEncryption(passphrase=_with_key_warnings(read_passphrase, passphrase,
                                                           confirm=True))
    texts, parsed = [], []
    for i, text in enumerate(recipients, 1):
        texts.append(text.strip())
        parsed.append(parse_recipient(text, where=f"--recipient #{i}"))
    for path in files:
        for text, recipient in read_recipients_file(path):
            texts.append(text)
            parsed.append(recipient)
    seen, unique = set(), []
    for text, recipient in zip(texts, parsed):
        if text not in seen:
            seen.add(text)
            unique.append((text, recipient))
    return AgeEncryption([t for t, _ in unique], parsed=[r for _, r in unique])


def resolve_output_key(spec):
    """An output's encryption from a key reference (``env:NAME``, ``file:PATH``) or as given.

    None stays None; an :class:`~._age.AgeEncryption` (or the bytes of a key
    already loaded) is returned as it is.
    """
    if spec is None or spec == "":
        return None
    if isinstance(spec, str):
        return _load_key(spec)
    return spec


def _describe(encryption):
    return encryption.describe() if hasattr(encryption, "describe") else "AES-256-GCM"


def encryption_note(encryption):
    """``" (encrypted: age, 2 recipients)"`` for the terminal; ``""`` when not encrypted."""
    return "" if encryption is None else f" (encrypted: {_describe(encryption)})"


def _decryption_secrets(args):
    """``(key, identities, passphrase)`` for ``decrypt``: exactly one of them is given."""
    given = [name for name, value in (("--key", args.key), ("--identity", args.identity),
                                      ("--passphrase", args.passphrase)) if value]
    if not given:
        raise UserError("give --identity FILE or --passphrase (age files), or --key "
                        "env:NAME|file:PATH (files written by 'encrypt --key')")
    if len(given) > 1:
        raise UserError(f"give one of {' and '.join(given)}, not both")
    if args.key:
        return _load_key(args.key), None, None
    from ._age import _pyrage, read_identity_file, read_passphrase

    _pyrage()
    if args.identity:
        identities = []
        for path in args.identity:
            identities.extend(_with_key_warnings(read_identity_file, path))
        return None, identities, None
    return None, None, _with_key_warnings(read_passphrase, args.passphrase)


def _check_format_options(src, args):
    """Say which option the file's format needs before any secret is read."""
    from ._age import AGE_FORMAT
    from ._crypto import AES_GCM_FORMAT, encryption_format

    fmt = encryption_format(src)
    if fmt == AGE_FORMAT and args.key and not (args.identity or args.passphrase):
        raise UserError(f"input '{src}' is an age file: give --identity FILE (or --passphrase), "
                        "not --key")
    if fmt == AES_GCM_FORMAT and not args.key and (args.identity or args.passphrase):
        raise UserError(f"input '{src}' is in sklearn-anon's AES-GCM format: give --key "
                        "env:NAME|file:PATH, not an age identity or passphrase")


def cmd_encrypt(args):
    from ._crypto import encrypt_file, is_encrypted

    src = _check_regular(args.input)  # /dev/null, a pipe: said so, not "does not exist"
    _check_output(args.output, inputs=[src])
    if not args.force and is_encrypted(src):
        raise UserError(f"input '{src}' is already encrypted (use --force to encrypt it again)")
    key = output_encryption(args, key_option="key")
    if key is None:
        raise UserError("give --recipient age1..., --recipients-file FILE or --passphrase "
                        "(age format: the partner decrypts with 'age -d'), or --key "
                        "env:NAME|file:PATH (sklearn-anon's format)")
    progress = Progress(False if args.quiet else None)
    advance = progress.bytes(src.stat().st_size, "encrypting")
    try:
        n = encrypt_file(src, args.output, key, progress=advance)
    finally:
        progress.close()
    _say(args, f"encrypted {n:,} bytes ({_describe(key)}): wrote {args.output}")
    return 0


def cmd_decrypt(args):
    from ._crypto import decrypt_file

    src = _check_regular(args.input)
    _check_output(args.output, inputs=[src])
    _check_format_options(src, args)
    key, identities, passphrase = _decryption_secrets(args)
    progress = Progress(False if args.quiet else None)
    advance = progress.bytes(src.stat().st_size, "decrypting")
    try:
        n = decrypt_file(src, args.output, key, identities=identities, passphrase=passphrase,
                         progress=advance)
    finally:
        progress.close()
    _say(args, f"decrypted {n:,} bytes: wrote {args.output}")
    return 0


def cmd_keygen(args):
    if getattr(args, "age", False):
        return _keygen_age(args)
    from ._crypto import generate_key, write_key_file

    if args.output:
        write_key_file(args.output)
        _say(args, f"wrote a new 256-bit key to {args.output} (mode 0600); use it as "
                   f"--key file:{args.output}")
    else:
        print(generate_key())
    return 0


def _keygen_age(args):
    """``keygen --age``: an X25519 identity file (0600); the public recipient on stdout."""
    from ._age import generate_identity, write_identity_file

    if not args.output:
        text, _ = generate_identity()
        sys.stdout.write(text)  # as age-keygen: the identity file on stdout
        return 0
    recipient = write_identity_file(args.output)
    _say(args, f"wrote a new age identity to {args.output} (mode 0600; keep it secret, "
               f"decrypt with --identity {args.output} or 'age -d -i {args.output}'); "
               "its public key, to give to senders as --recipient:")
    print(recipient)  # even with --quiet: it is the result
    return 0
