"""Entry of subsidised champions, exit of bankrupt firms, friend-shoring
relocations and foreign acquisitions (blocked by investment screening)."""

from __future__ import annotations

import numpy as np

from game.scenario import Params
from game.world import World


def relocation_targets(world: World, movers: np.ndarray) -> np.ndarray:
    """For each moving firm, the bloc partner with the best access to its sector's inputs
    (-1 when no partner is better than home by a clear margin)."""
    st, f = world.states, world.firms
    needs = world.sectors.inputs
    access = world.market.input_access
    factor = (1.0 - needs[None, :, :] * (1.0 - access[:, None, :])).min(axis=2)  # (state, sector)
    out = np.full(len(movers), -1)
    for n, i in enumerate(movers):
        home, s = f.home[i], f.sector[i]
        partners = np.flatnonzero(st.same_bloc[home])
        if len(partners) == 0:
            continue
        best = partners[np.argmax(factor[partners, s])]
        if factor[best, s] > factor[home, s] + 0.1:
            out[n] = best
    return out


def acquisitions(world: World, params: Params) -> list[tuple[int, int, bool]]:
    """(buyer, target, blocked) firm index pairs: the richest foreign firm of the sector
    bids for each distressed, still home-owned firm; screening blocks buyers from outside the bloc."""
    f, st, pol = world.firms, world.states, world.policy
    distressed = np.flatnonzero(f.alive & (f.cash < 0) & (f.loss_rounds >= 2) & (f.owner == f.home))
    deals = []
    for t in distressed:
        rivals = np.flatnonzero(f.alive & (f.sector == f.sector[t]) & (f.home != f.home[t]) & (f.cash > 0))
        if len(rivals) == 0:
            continue
        buyer = rivals[np.argmax(f.cash[rivals])]
        # A buyer pays for the plant (half its replacement cost) and takes on the debts.
        price = 0.5 * params.capex * f.cost[t] * f.capacity[t] - f.cash[t]
        if f.cash[buyer] < price:
            continue
        blocked = bool(pol.screening[f.home[t]] and not st.same_bloc[f.home[t], f.home[buyer]])
        deals.append((int(buyer), int(t), blocked))
    return deals


def champion_quality(world: World, params: Params, s: int) -> float:
    return params.champion_quality * float(world.sectors.frontier[s])
