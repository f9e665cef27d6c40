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

import functools
import hashlib
from collections.abc import Callable
from typing import Any

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


@functools.lru_cache(maxsize=65_536)
def key_of(name: str) -> np.uint64:
    """A stable 64-bit key for a name (a candidate code, a stage, an ally)."""
    return np.uint64(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little"))


def keys_of(names: list[str] | tuple[str, ...]) -> np.ndarray:
    return np.array([key_of(name) for name in names], dtype=np.uint64)


class Streams:
    """The keyed uniforms of one run.

    With ``remember``, what is drawn is kept and handed out again (as a copy) when the same keys are asked for:
    a design runs many points of one scenario on the same replications, one after the other, and most of each
    point's draws are keyed exactly as the last point's were. The stages keep there too what they work out from
    the draws alone (a replication's talks, say), under a tag that holds everything that decides it
    (:meth:`keep`, :meth:`recall`). The numbers are the same either way; only work is saved. Everything kept is
    dropped whenever it would pass ``MEMORY`` bytes.
    """

    MEMORY = 64 << 20

    def __init__(self, seed: int, *, remember: bool = False) -> None:
        self.seed = seed
        self.root = np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0]
        self._kept: dict[Any, Any] | None = {} if remember else None
        self._kept_bytes = 0

    @property
    def remembers(self) -> bool:
        return self._kept is not None

    def recall(self, tag: Any) -> Any:
        """What was kept under ``tag`` (None if nothing is, or nothing is remembered)."""
        return None if self._kept is None else self._kept.get(tag)

    def keep(self, tag: Any, value: Any, nbytes: int) -> None:
        """Keep ``value`` (about ``nbytes`` bytes) under ``tag``, if things are remembered."""
        if self._kept is None:
            return
        if self._kept_bytes + nbytes > self.MEMORY:
            self._kept.clear()
            self._kept_bytes = 0
        self._kept[tag] = value
        self._kept_bytes += nbytes

    def uniforms(self, *keys: np.ndarray | np.uint64 | int) -> np.ndarray:
        """Uniforms in (0, 1), one per element of the broadcast of ``keys``.

        Each key is an array of uint64 laid out for broadcasting, e.g.
        ``reps[:, None]`` and ``candidates[None, :]`` give a (reps, candidates)
        array. The order of the keys is part of the key.
        """
        if self._kept is None:
            return self._draw(keys)
        arrays = [np.asarray(key, dtype=np.uint64) for key in keys]
        return self._array(tuple((a.shape, a.tobytes()) for a in arrays), lambda: self._draw(arrays))

    def quantiles(self, dist: Any, u: np.ndarray) -> np.ndarray:
        """``dist.ppf(u)``, kept like the uniforms when things are remembered (the design's points that leave a
        distribution as the scenario has it draw the same quantiles of the same uniforms)."""
        if self._kept is None:
            return np.asarray(dist.ppf(u))
        u = np.asarray(u, dtype=float)
        return self._array((("ppf", dist.model_dump_json()), (u.shape, u.tobytes())), lambda: dist.ppf(u))

    def _array(self, tag: tuple[Any, ...], compute: Callable[[], np.ndarray]) -> np.ndarray:
        kept = self.recall(tag)
        if kept is None:
            kept = np.asarray(compute())
            self.keep(tag, kept, kept.nbytes)
        return kept.copy()

    def _draw(self, keys: tuple[np.ndarray | np.uint64 | int, ...] | list[np.ndarray]) -> np.ndarray:
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
