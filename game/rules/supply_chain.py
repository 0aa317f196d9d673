"""Input bottlenecks: a firm's usable capacity is limited by its home state's
access to the inputs its sector needs (last round's access: a one-round lag)."""

from __future__ import annotations

import numpy as np

from game.world import World


def usable_capacity(world: World) -> np.ndarray:
    """(F,) capacity x the tightest input factor of the firm's home and sector."""
    f, needs = world.firms, world.sectors.inputs  # needs: (S, S) sector x input
    access = world.market.input_access  # (N, S input)
    # factor[j, s] = min over inputs r of 1 - need[s, r] * (1 - access[j, r])
    factor = (1.0 - needs[None, :, :] * (1.0 - access[:, None, :])).min(axis=2)
    return f.capacity * factor[f.home, f.sector] * f.alive


def update_input_access(world: World, received: np.ndarray) -> np.ndarray:
    """Access to each sector's goods as an input next round, drawing stockpiles to
    cover a shortfall against the reference demand. Mutates the stockpiles."""
    X0, stock = world.market.X0, world.policy.stockpile
    shortfall = np.maximum(X0 - received, 0.0)
    draw = np.minimum(stock, shortfall)
    stock -= draw
    return np.minimum(1.0, np.divide(received + draw, X0, out=np.ones_like(X0), where=X0 > 0))
