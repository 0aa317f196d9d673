"""The (N, N) state-pair masks every round uses, made once per number of states.

`home` is True on the diagonal (a state and itself); `abroad` is 1.0 off it and 0.0 on it,
the same numbers as `1.0 - np.eye(n)`. Both are read only: each round used to build them
several times over, which on the default world cost more than the arithmetic done with them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np


class PairMasks(NamedTuple):
    home: np.ndarray  # (N, N) bool
    abroad: np.ndarray  # (N, N) float


@lru_cache(maxsize=8)
def pair_masks(n: int) -> PairMasks:
    home, abroad = np.eye(n, dtype=bool), 1.0 - np.eye(n)
    home.flags.writeable = abroad.flags.writeable = False
    return PairMasks(home, abroad)
