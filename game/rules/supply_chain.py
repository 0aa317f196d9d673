"""Input bottlenecks and stockpiles, in real (quality-adjusted) quantities.

A firm's usable capacity is limited by its home state's access to the inputs its
sector needs (last round's access: a one-round lag). Access is what the state
consumed of the input, stock draws included, against what it consumed in the
starting year scaled to today's average quality of the sector, so better inputs
count for more and general progress does not inflate access.
"""

from __future__ import annotations

import numpy as np

from game.world import World


def usable_capacity(world: World) -> np.ndarray:
    """(F,) capacity x the tightest input factor of the firm's home and sector."""
    f, needs = world.firms, world.sectors.inputs  # needs: (S, S) sector x input
    access = world.market.input_access  # (N, S input)
    # factor[j, s] = min over inputs r of 1 - need[s, r] * (1 - access[j, r])
    factor = (1.0 - needs[None, :, :] * (1.0 - access[:, None, :])).min(axis=2)
    return f.capacity * np.minimum(factor[f.home, f.sector], f.entity_factor) * f.alive


def draw_stockpiles(world: World, lost: np.ndarray) -> np.ndarray:
    """(N, S) real units drawn from stockpiles to replace purchases that could not be
    placed this round (relationships cut by controls or embargoes, rationing).
    Mutates the stockpiles."""
    stock = world.policy.stockpile
    draw = np.minimum(stock, np.maximum(lost, 0.0))
    stock -= draw
    return draw


def mean_quality(world: World) -> np.ndarray:
    """(S,) capacity-weighted mean quality of each sector's live firms."""
    f, s_n = world.firms, world.sectors.n
    cap = f.capacity * f.alive
    total = np.bincount(f.sector, weights=cap, minlength=s_n)
    q = np.bincount(f.sector, weights=f.quality * cap, minlength=s_n)
    return np.divide(q, total, out=np.ones(s_n), where=total > 0)
