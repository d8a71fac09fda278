"""``sklearn-anon encrypt``, ``decrypt`` and ``keygen`` (AES-256-GCM, see :mod:`._crypto`)."""

from ._common import UserError, _say
from ._io import _check_output, _check_regular, _load_key
from ._progress import Progress


def _crypt(args, decrypt):
    from ._crypto import decrypt_file, encrypt_file, is_encrypted

    src = _check_regular(args.input)  # /dev/null, a pipe: said so, not "does not exist"
    _check_output(args.output, inputs=[src])
    key = _load_key(args.key)
    if not decrypt and is_encrypted(src) and not args.force:
        raise UserError(f"input '{src}' is already encrypted (use --force to encrypt it again)")
    progress = Progress(False if args.quiet else None)
    advance = progress.bytes(src.stat().st_size, "decrypting" if decrypt else "encrypting")
    try:
        n = (decrypt_file if decrypt else encrypt_file)(src, args.output, key, progress=advance)
    finally:
        progress.close()
    _say(args, f"{'decrypted' if decrypt else 'encrypted'} {n:,} bytes: wrote {args.output}")
    return 0


def cmd_encrypt(args):
    return _crypt(args, decrypt=False)


def cmd_decrypt(args):
    return _crypt(args, decrypt=True)


def cmd_keygen(args):
    from ._crypto import generate_key, write_key_file

    if args.output:
        write_key_file(args.output)
        _say(args, f"wrote a new 256-bit key to {args.output} (mode 0600); use it as "
                   f"--key file:{args.output}")
    else:
        print(generate_key())
    return 0
