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


DISTRESS_UTILISATION = 0.5  # half a firm's lines idle: its plant is worth less than it cost
BID_COOLDOWN = 4  # rounds before a refused bidder bids for the same firm again


def distressed(world: World) -> np.ndarray:
    """Live, still home-owned firms a foreign rival could buy cheaply: losing money on their
    operations with debts for two rounds, or running below half their capacity on a business
    that has shrunk (controls on their inputs or their markets, an embargo or a subsidised
    rival have idled their lines; a new entrant still filling its order book is growing, at
    the largest revenue it has had, and not distressed)."""
    f = world.firms
    utilisation = f.sales / np.maximum(f.capacity, 1e-12)
    broke = (f.cash < 0) & (f.loss_rounds >= 2)
    idle = (f.capacity > 0) & (utilisation < DISTRESS_UTILISATION) & (f.revenue < f.sized_for)
    return np.flatnonzero(f.alive & (f.owner == f.home) & (broke | idle))


def pick_bidder(candidates: np.ndarray, cash: np.ndarray, u: np.ndarray) -> int:
    """One bidder among `candidates`, with odds in proportion to its cash (deeper pockets bid
    more often), drawn with each firm's own uniform `u` (Gumbel-max: deterministic per seed)."""
    score = np.log(cash[candidates]) - np.log(-np.log(np.clip(u[candidates], 1e-300, 1.0 - 1e-16)))
    return int(candidates[np.argmax(score)])


def acquisitions(world: World, params: Params, u: np.ndarray,
                 recent: dict | None = None) -> list[tuple[int, int, bool]]:
    """(buyer, target, blocked) firm index pairs: a foreign firm of the sector able to pay bids
    for each distressed firm (odds in proportion to its cash; `u` one uniform per firm);
    screening blocks buyers from outside the bloc. When the bid is refused, a bidder the host
    would clear (an ally, or anyone where the host does not screen) may step in, as Vishay
    bought Newport Wafer Fab once the UK had made Nexperia sell it (2022-24).

    recent: (buyer id, target id) -> round of a blocked bid; the same bidder waits
    BID_COOLDOWN rounds before trying again (updated here)."""
    f, st, pol = world.firms, world.states, world.policy
    deals = []
    for t in distressed(world):
        rivals = np.flatnonzero(f.alive & (f.sector == f.sector[t]) & (f.home != f.home[t]) & (f.cash > 0))
        # A buyer pays for the plant (half its replacement cost) and takes on the debts.
        price = 0.5 * params.capex * f.cost[t] * f.capacity[t] - f.cash[t]
        rivals = rivals[f.cash[rivals] >= price]
        if len(rivals) == 0:
            continue
        host = f.home[t]
        cleared = ~pol.screening[host] | st.same_bloc[host, f.home[rivals]]
        buyer = pick_bidder(rivals, f.cash, u)
        if cleared[rivals == buyer][0]:
            deals.append((buyer, int(t), False))
            continue
        key = (int(f.ids[buyer]), int(f.ids[t]))
        if recent is None or world.round - recent.get(key, -BID_COOLDOWN) >= BID_COOLDOWN:
            deals.append((buyer, int(t), True))
            if recent is not None:
                recent[key] = world.round
        if cleared.any():
            deals.append((pick_bidder(rivals[cleared], f.cash, u), int(t), False))
    return deals


def champion_quality(world: World, params: Params, s: int) -> float:
    return params.champion_quality * float(world.sectors.frontier[s])
