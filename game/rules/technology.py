"""Technology: R&D, learning-by-doing, alliance spillovers, diffusion through
trade (unless patents are kept secret), and a frontier that moves with the best."""

from __future__ import annotations

import numpy as np

from game.scenario import Params
from game.world import World


def best_by_state(world: World) -> np.ndarray:
    """(N, S) best absolute quality among each state's live firms (0 if none)."""
    f = world.firms
    best = np.zeros((world.states.n, world.sectors.n))
    np.maximum.at(best, (f.home, f.sector), np.where(f.alive, f.quality, 0.0))
    return best


def advance(world: World, params: Params, sales: np.ndarray, imported_quality: np.ndarray) -> None:
    """Move every firm's quality one round and push the frontier. Mutates firms and sectors.

    imported_quality: (N, S) mean quality of the unprotected foreign goods each
    state bought this round (what its firms can learn from).
    """
    f, sec, pol = world.firms, world.sectors, world.policy
    s, home = f.sector, f.home
    frontier = sec.frontier[s]
    relq = f.quality / frontier
    # R&D intensity against the revenue the firm's capacity earns in a normal year.
    normal_revenue = f.cost * sec.markup[s] * params.target_utilisation * np.maximum(f.capacity, 1e-9)
    # A firm can only absorb so much R&D money: intensity beyond rd_absorption x the
    # reference adds nothing (a big subsidy to a small firm does not buy the frontier).
    intensity = np.minimum(np.maximum(f.rd_spend, 0.0) / normal_revenue / params.rd_intensity_ref, params.rd_absorption)
    rd_term = np.sqrt(intensity)
    utilisation = sales / (params.target_utilisation * np.maximum(f.capacity, 1e-9))
    lbd = np.minimum(utilisation, 1.5) * (1.0 - params.patent_secrecy_cost * pol.secrecy[home, s])
    growth = sec.frontier_growth[s] * (params.rd_weight * rd_term + params.lbd_weight * lbd)
    growth *= 1.0 + params.catch_up * (1.0 - np.minimum(relq, 1.0))

    best = best_by_state(world)
    # Best quality among tech-sharing partners, per state and sector.
    allied = np.where(world.states.tech_sharing[:, :, None], best[None, :, :], 0.0).max(axis=1)
    spill = params.alliance_spillover * np.maximum(allied[home, s] - f.quality, 0.0)
    diffuse = params.trade_diffusion * np.maximum(imported_quality[home, s] - f.quality, 0.0)

    f.quality = np.where(f.alive, f.quality * (1.0 + growth) + spill + diffuse, f.quality)
    top = np.zeros(sec.n)
    np.maximum.at(top, s, np.where(f.alive, f.quality, 0.0))
    sec.frontier = np.maximum(sec.frontier, top)
