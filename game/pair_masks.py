"""The (N, N) state-pair masks and trade-cost factors every round uses.

`home` is True on the diagonal (a state and itself); `abroad` is 1.0 off it and 0.0 on it,
the same numbers as `1.0 - np.eye(n)`. They are made once per number of states and the
params-only parts of `distance_and_bias` once per params, all read only: each round used to
build them several times over, which on the default world cost more than the arithmetic
done with them.
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


@lru_cache(maxsize=16)  # bounded: a sweep over distance_cost or home_bias makes one per design point
def _params_pairs(n: int, distance_cost: float, home_bias: float) -> tuple[np.ndarray, np.ndarray]:
    off_diagonal = distance_cost * pair_masks(n).abroad
    bias = np.where(pair_masks(n).home, home_bias, 1.0)
    off_diagonal.flags.writeable = bias.flags.writeable = False
    return off_diagonal, bias


def distance_and_bias(trade_agreement: np.ndarray, distance_cost: float, home_bias: float) -> tuple[np.ndarray, np.ndarray]:
    """(N, N) delivered price over ex-works from distance (trade agreements halve the cost
    between members), and the demand weight of home bias (home_bias on the diagonal, 1 off it)."""
    off_diagonal, bias = _params_pairs(len(trade_agreement), distance_cost, home_bias)
    return 1.0 + off_diagonal * (1.0 - 0.5 * trade_agreement), bias
