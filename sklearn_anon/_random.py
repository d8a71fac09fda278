"""Random generators for randomness that protects privacy.

The bottom of the package's randomness (it imports nothing of the
package): :func:`make_rng`, the one reading of a ``random_state``
parameter, and :class:`SecureGenerator`, the generator behind
``random_state="secure"``.  :mod:`sklearn_anon.base` and
:mod:`sklearn_anon.dp._sampling` re-export both.
"""

import math
import os
import secrets
import threading
from numbers import Integral

import numpy as np

__all__ = ["SecureGenerator", "make_rng", "release_generator"]


def make_rng(random_state):
    """A :class:`numpy.random.Generator` from a ``random_state`` parameter.

    The package's one reading of ``random_state`` for randomness that
    protects privacy (noise, salts, samples, synthetic rows).  ``None``
    seeds a fresh PCG64 generator with 128 bits from the operating system's
    secure source (:func:`secrets.randbits`); an int seeds it reproducibly;
    a ``Generator`` is used as is; a ``RandomState`` seeds a new Generator
    from its stream; ``"secure"`` returns a
    :class:`SecureGenerator`, whose every draw
    comes from ``os.urandom``.

    PCG64 is a statistical generator, not a cryptographically secure one:
    seeding it with 128 OS-random bits makes the seed unguessable, but its
    state can be recovered from enough of its outputs, after which every
    draw (so every noise value) is known.  Use ``random_state="secure"``
    for releases where an adversary may see many noisy outputs: it costs
    1.4-2.3x the PCG64 path in the noise samplers with the ``cryptography``
    extra (ChaCha20 keyed from ``os.urandom``), 2.0-3.1x on
    ``os.urandom`` alone (``benchmarks/bench_dp.py``), and supports the
    sampling methods the package uses (others raise ``TypeError``).

    Examples
    --------
    >>> from sklearn_anon.base import make_rng
    >>> make_rng(0).integers(0, 10, 3)
    array([8, 6, 5])
    >>> make_rng("secure")
    SecureGenerator(OS CSPRNG)
    """
    if random_state is None:
        return np.random.default_rng(secrets.randbits(128))
    if isinstance(random_state, str) and random_state == "secure":
        return SecureGenerator()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**63 - 1, dtype=np.int64))
    if isinstance(random_state, Integral):
        return np.random.default_rng(int(random_state))
    raise ValueError(
        "random_state must be None, an int, a numpy generator or 'secure', "
        f"got {type(random_state).__name__}."
    )


_RELEASE_LOCK = threading.Lock()


def release_generator(estimator):
    """A generator for one release by a fitted randomizing estimator, never stored.

    The per-call stream of the mechanisms that draw new randomness at every
    ``transform`` (the local DP mechanisms, PRAM).  An int ``random_state``
    gives the stream ``(seed, n)`` for the n-th release since ``fit``
    (reproducible, and different for every call: two releases never share
    their noise); the count lives in ``estimator._releases`` (a one-item
    list the estimator resets in ``fit``), advanced under a lock so that
    threads never draw the same stream.  Anything else is
    :func:`make_rng`'s reading of ``random_state``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from sklearn_anon._random import release_generator
    >>> est = SimpleNamespace(random_state=0)
    >>> a, b = release_generator(est).random(), release_generator(est).random()
    >>> a != b, est._releases
    (True, [2])
    """
    rs = estimator.random_state
    if isinstance(rs, Integral) and not isinstance(rs, bool):
        counter = estimator.__dict__.setdefault("_releases", [0])
        with _RELEASE_LOCK:
            n = counter[0]
            counter[0] = n + 1
        return np.random.default_rng([int(rs), n])
    return make_rng(rs)


# -- random_state="secure" -------------------------------------------------------------
def _chacha20():
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
    except ImportError:  # the optional "crypto" extra
        return None
    return Cipher, algorithms.ChaCha20


def _secure_bytes(length):
    """``length`` bytes from a CSPRNG: the OS's, or ChaCha20 keyed by 256 fresh OS bits.

    Small requests read ``os.urandom`` directly.  Large ones, when the
    ``cryptography`` package is installed, take the ChaCha20 keystream under a
    key and nonce drawn from ``os.urandom`` for this call alone (the
    construction of the Linux kernel's own CSPRNG; about 10x faster than
    ``os.urandom`` here); without it, ``os.urandom``.
    """
    length = int(length)
    chacha = _chacha20() if length > 4096 else None
    if chacha is None:
        return os.urandom(length)
    cipher, algorithm = chacha
    # 4-byte block counter from 0 (no wrap below 256 GB), then a 12-byte random nonce
    enc = cipher(algorithm(os.urandom(32), b"\x00" * 4 + os.urandom(12)), mode=None).encryptor()
    return enc.update(bytes(length))


def _secure_words(count):
    """``count`` uniform 64-bit words from :func:`_secure_bytes`."""
    return np.frombuffer(_secure_bytes(8 * int(count)), dtype="<u8").copy()


def _size_count(size):
    if size is None:
        return None, 1
    shape = (int(size),) if isinstance(size, Integral) else tuple(int(s) for s in size)
    return shape, math.prod(shape)


def _shaped(values, shape):
    return values[0] if shape is None else values.reshape(shape)


class SecureGenerator(np.random.Generator):
    """A :class:`numpy.random.Generator` whose every draw comes from the OS's CSPRNG.

    ``make_rng("secure")`` returns one.  numpy's PCG64 (what ``random_state=None``
    and an int give) is a fast statistical generator, **not** a
    cryptographically secure one: its state can be recovered from enough
    consecutive outputs (Bouillaguet, Martinez and Sauvage 2020), after which
    the noise of every past and future draw is known and can be subtracted.
    Seeding it with 128 bits from the OS does not change that.  This class
    draws each uniform word from the operating system's CSPRNG
    (``os.urandom``: ``getrandom(2)`` on Linux), or, for large requests
    when ``cryptography`` is installed, from a ChaCha20 keystream under a
    256-bit key drawn from ``os.urandom`` for that request alone; so no
    output reveals another.

    The methods the package uses are implemented on those words: ``bytes``,
    ``integers`` (exact: masked rejection), ``random``, ``uniform``,
    ``standard_normal``/``normal``/``lognormal`` (Box-Muller),
    ``standard_exponential``/``exponential``, ``gumbel``, ``laplace``,
    ``choice``, ``permutation``, ``shuffle``.  Every other sampling method
    raises ``TypeError`` (never a silent fallback to PCG64), and so does
    ``bit_generator``.  Not reproducible by design; it pickles (and copies)
    as a fresh ``SecureGenerator``, carrying no state.
    """

    def __init__(self):
        # the parent needs a bit generator; none of its output is ever used
        super().__init__(np.random.PCG64(int.from_bytes(os.urandom(32), "little")))

    def __reduce__(self):
        # no state to save or leak: a pickle (or a deepcopy, or a clone) is a fresh one
        return (SecureGenerator, ())

    def __repr__(self):
        return "SecureGenerator(OS CSPRNG)"

    @property
    def bit_generator(self):
        raise TypeError("random_state='secure' has no bit generator: draws come from os.urandom.")

    def spawn(self, n_children):
        return [SecureGenerator() for _ in range(int(n_children))]

    # -- uniform bits ------------------------------------------------------------------
    def bytes(self, length):
        return _secure_bytes(length)

    def _bounded(self, r, count):
        """``count`` exact uniform draws in ``[0, r)`` for an int ``1 <= r <= 2**64``."""
        if r == 2**64:
            return _secure_words(count)
        mask = np.uint64((1 << (r - 1).bit_length()) - 1)
        out = _secure_words(count) & mask
        redo = np.flatnonzero(out >= np.uint64(r))
        while redo.size:  # acceptance > 1/2 per round
            out[redo] = _secure_words(redo.size) & mask
            redo = redo[out[redo] >= np.uint64(r)]
        return out

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        if high is None:
            low, high = 0, low
        if np.ndim(low) or np.ndim(high):
            raise TypeError("random_state='secure': integers() takes scalar bounds.")
        low, high = int(low), int(high)
        r = high - low + (1 if endpoint else 0)
        if r < 1:
            raise ValueError("high <= low")
        if r > 2**64:
            raise ValueError("random_state='secure': integer range above 2**64.")
        shape, count = _size_count(size)
        draws = self._bounded(r, count)
        dtype = np.dtype(dtype)
        if dtype == np.uint64:
            out = draws + np.uint64(low)
        else:
            out = (draws.astype(np.int64) + low).astype(dtype)
        return int(out[0]) if shape is None else out.reshape(shape)

    def random(self, size=None, dtype=np.float64, out=None):
        shape, count = _size_count(size if out is None else out.shape)
        u = (_secure_words(count) >> np.uint64(11)).astype(np.float64)
        u *= 2.0**-53  # [0, 1), the same construction as numpy's
        if out is not None:
            out[...] = u.reshape(out.shape)
            return out
        u = u.astype(dtype, copy=False)
        return float(u[0]) if shape is None else u.reshape(shape)

    def _open_unit(self, count):
        """Uniforms in ``(0, 1]``."""
        u = (_secure_words(count) >> np.uint64(11)).astype(np.float64)
        u += 1.0
        u *= 2.0**-53
        return u

    def uniform(self, low=0.0, high=1.0, size=None):
        if size is None and (np.ndim(low) or np.ndim(high)):
            size = np.broadcast(low, high).shape
        shape, count = _size_count(size)
        u = self.random(count)
        return _shaped(np.asarray(low + (np.asarray(high) - low) * u.reshape(shape or (1,))).ravel(), shape)

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        shape, count = _size_count(size if out is None else out.shape)
        half = (count + 1) // 2
        r = self._open_unit(half)
        np.log(r, out=r)
        r *= -2.0
        np.sqrt(r, out=r)
        theta = self.random(half)
        theta *= 2.0 * np.pi
        z = np.empty(2 * half)
        np.cos(theta, out=z[:half])
        np.sin(theta, out=z[half:])
        z[:half] *= r
        z[half:] *= r
        z = z[:count]
        if out is not None:
            out[...] = z.reshape(out.shape)
            return out
        z = z.astype(dtype, copy=False)
        return float(z[0]) if shape is None else z.reshape(shape)

    def normal(self, loc=0.0, scale=1.0, size=None):
        if size is None and (np.ndim(loc) or np.ndim(scale)):
            size = np.broadcast(loc, scale).shape
        shape, count = _size_count(size)
        z = self.standard_normal(count).reshape(shape or (1,))
        return _shaped(np.asarray(loc + np.asarray(scale) * z).ravel(), shape)

    def lognormal(self, mean=0.0, sigma=1.0, size=None):
        return np.exp(self.normal(mean, sigma, size))

    def standard_exponential(self, size=None, dtype=np.float64, method="inv", out=None):
        shape, count = _size_count(size if out is None else out.shape)
        e = -np.log(self._open_unit(count))
        if out is not None:
            out[...] = e.reshape(out.shape)
            return out
        e = e.astype(dtype, copy=False)
        return float(e[0]) if shape is None else e.reshape(shape)

    def exponential(self, scale=1.0, size=None):
        if size is None and np.ndim(scale):
            size = np.shape(scale)
        shape, count = _size_count(size)
        e = self.standard_exponential(count).reshape(shape or (1,))
        return _shaped(np.asarray(np.asarray(scale) * e).ravel(), shape)

    def gumbel(self, loc=0.0, scale=1.0, size=None):
        if size is None and (np.ndim(loc) or np.ndim(scale)):
            size = np.broadcast(loc, scale).shape
        shape, count = _size_count(size)
        u = self._open_unit(count)
        u[u == 1.0] = 0.5  # (0, 1): -log(-log(1)) is infinite; 2**-53 of the mass
        g = -np.log(-np.log(u)).reshape(shape or (1,))
        return _shaped(np.asarray(loc + np.asarray(scale) * g).ravel(), shape)

    def laplace(self, loc=0.0, scale=1.0, size=None):
        if size is None and (np.ndim(loc) or np.ndim(scale)):
            size = np.broadcast(loc, scale).shape
        shape, count = _size_count(size)
        e = self.standard_exponential(count)
        e[np.frombuffer(_secure_bytes(count), dtype=np.uint8) & 1 == 1] *= -1
        return _shaped(np.asarray(loc + np.asarray(scale) * e.reshape(shape or (1,))).ravel(), shape)

    def permutation(self, x, axis=0):
        if isinstance(x, Integral):
            return np.argsort(_secure_words(int(x)), kind="stable")
        arr = np.asarray(x)
        return np.take(arr, np.argsort(_secure_words(arr.shape[axis]), kind="stable"), axis=axis)

    def shuffle(self, x, axis=0):
        order = np.argsort(_secure_words(len(x) if axis == 0 else np.shape(x)[axis]), kind="stable")
        if isinstance(x, np.ndarray):
            x[...] = np.take(x, order, axis=axis)
        else:
            x[:] = [x[i] for i in order]

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        pop = np.arange(int(a)) if isinstance(a, Integral) else np.asarray(a)
        n = pop.shape[axis]
        shape, count = _size_count(size)
        if p is not None:
            cdf = np.cumsum(np.asarray(p, dtype=np.float64))
            cdf /= cdf[-1]
            if not replace:
                raise TypeError("random_state='secure': choice(p=..., replace=False) is not supported.")
            idx = np.minimum(np.searchsorted(cdf, self.random(count), side="right"), n - 1)
        elif replace:
            idx = self.integers(0, n, size=count)
        else:
            if count > n:
                raise ValueError("Cannot take a larger sample than population when replace=False")
            idx = self.permutation(n)[:count]
        out = np.take(pop, idx, axis=axis)
        if shape is None:
            return out[0] if axis == 0 else np.take(pop, idx[0], axis=axis)
        return out.reshape(shape) if axis == 0 and pop.ndim == 1 else out


def _unsupported(name):
    def method(self, *args, **kwargs):
        raise TypeError(
            f"random_state='secure' does not support Generator.{name}() (no os.urandom-driven "
            "implementation); use an int or None, or ask for it to be added."
        )

    method.__name__ = name
    return method


for _name in dir(np.random.Generator):
    if not _name.startswith("_") and _name not in SecureGenerator.__dict__ and callable(
        getattr(np.random.Generator, _name)
    ):
        setattr(SecureGenerator, _name, _unsupported(_name))
del _name
