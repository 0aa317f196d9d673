"""Random streams. One root seed; SeedSequence.spawn gives every agent its own.

Firms decide together over arrays, so each firm's stream is counter-based: a
64-bit key from its spawned SeedSequence, hashed with the round and a purpose
tag (splitmix64). A firm's draws depend only on its key, never on other firms.
"""

from __future__ import annotations

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MASK = (1 << 64) - 1
_M1_INT, _M2_INT, _GOLDEN_INT = int(_M1), int(_M2), int(_GOLDEN)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def _splitmix64_int(x: int) -> int:
    """_splitmix64 of one value in Python integers (the same bits, without numpy's per-call cost)."""
    x = (x + _GOLDEN_INT) & _MASK
    x = ((x ^ (x >> 30)) * _M1_INT) & _MASK
    x = ((x ^ (x >> 27)) * _M2_INT) & _MASK
    return x ^ (x >> 31)


def uniforms(keys: np.ndarray, round_: int, purpose: int) -> np.ndarray:
    """One U[0,1) draw per key for (round, purpose), vectorised. uint64 arithmetic on
    arrays wraps around without a warning, as the hash wants."""
    salt = np.uint64(_splitmix64_int((round_ * 1_000_003 + purpose) & _MASK))
    bits = _splitmix64(keys ^ salt)
    return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def keys_from(seeds: list[np.random.SeedSequence]) -> np.ndarray:
    return np.array([s.generate_state(1, np.uint64)[0] for s in seeds], dtype=np.uint64)


class RootSeed:
    """Splits one root seed into independent streams for states, firms, entrants and the model."""

    def __init__(self, seed: int | np.random.SeedSequence):
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self.states, self.firms, self.entrants, self.model = self.root.spawn(4)

    def new_firm_key(self) -> np.uint64:
        return keys_from(self.entrants.spawn(1))[0]
