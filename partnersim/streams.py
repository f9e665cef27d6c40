"""Random numbers keyed by meaning, drawn for many replications at once.

Every uniform the engine uses is a pure function of the run's seed and a key
that says what it is for: (replication, candidate, stage, ally, slot). So
replication *i* sees the same numbers whether it runs alone, in a chunk, or on
another worker; two scenarios run with the same seed share their random
numbers (common random numbers); and editing one ally or adding a candidate
leaves every other draw as it was.

NumPy's generators are sequential streams, one object per key, which would
mean a generator per (replication, candidate, stage) and no vectorisation
across replications. Instead the key is hashed with the SplitMix64 finaliser,
a well-studied 64-bit mixer, applied once per key level, all in vectorised
NumPy. The root key comes from ``numpy.random.SeedSequence(seed)``.
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(n) for n in (30, 27, 31, 11))
_TO_UNIT = 2.0**-53


def _mix(x: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser, in place on ``x`` (a fresh array the caller owns)."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def key_of(name: str) -> np.uint64:
    """A stable 64-bit key for a name (a candidate code, a stage, an ally)."""
    return np.uint64(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little"))


def keys_of(names: list[str] | tuple[str, ...]) -> np.ndarray:
    return np.array([key_of(name) for name in names], dtype=np.uint64)


class Streams:
    """The keyed uniforms of one run."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.root = np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0]

    def uniforms(self, *keys: np.ndarray | np.uint64 | int) -> np.ndarray:
        """Uniforms in (0, 1), one per element of the broadcast of ``keys``.

        Each key is an array of uint64 laid out for broadcasting, e.g.
        ``reps[:, None]`` and ``candidates[None, :]`` give a (reps, candidates)
        array. The order of the keys is part of the key.
        """
        with np.errstate(over="ignore"):
            h = np.asarray(self.root, dtype=np.uint64)
            for key in keys:
                k = np.asarray(key, dtype=np.uint64)
                h = _mix(h ^ _mix(k + _GOLDEN))  # both operands are fresh arrays
        h >>= _S11
        u = h.astype(np.float64)
        u += 0.5
        u *= _TO_UNIT
        return u
