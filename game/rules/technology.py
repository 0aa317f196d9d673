"""Technology: R&D, learning-by-doing, alliance spillovers, diffusion through
trade (unless patents are kept secret), and a frontier that moves with the best."""

from __future__ import annotations

import numpy as np

from game.scenario import Params
from game.world import World

MAX_GROWTH = 0.5  # most a firm's quality can grow in one round, before spillovers


def input_quality(world: World, real: np.ndarray, supply: np.ndarray, restricted: np.ndarray,
                  mean0: np.ndarray) -> np.ndarray:
    """(N, S) quality of the inputs each state's firms of each sector could get, against
    the starting year, where export restrictions reach the state's purchases of an input
    (1 elsewhere, so nobody's progress slows because someone else innovates).

    For every input, the mean quality of the units the state received relative to the
    sector's capacity-weighted mean quality, against the same ratio in the starting year
    (mean0, (N, S)); averaged over inputs by need (geometric); 1 for sectors with no inputs.
    real, supply: (S, N origin, N importer) quality-adjusted and physical units delivered.
    restricted: (N, S) bool, some of the state's purchases of the input were covered.
    """
    sec = world.sectors
    rel = relative_input_quality(world, real, supply)
    rel = np.where(restricted, np.clip(rel / mean0, 1e-6, 1.0), 1.0)  # (j, r)
    needs = sec.inputs  # (s, r)
    weight = np.divide(needs, needs.sum(axis=1, keepdims=True), out=np.zeros_like(needs),
                       where=needs.sum(axis=1, keepdims=True) > 0)
    return np.exp(np.log(rel) @ weight.T)  # (j, s)


def relative_input_quality(world: World, real: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """(N, S) mean quality of what each state received of each sector, over the sector's
    capacity-weighted mean quality."""
    f, s_n = world.firms, world.sectors.n
    q_units = real.sum(axis=1).T  # (j, r) quality-adjusted units received
    physical = supply.sum(axis=1).T
    cap = f.capacity * f.alive
    qbar = np.bincount(f.sector, weights=f.quality * cap, minlength=s_n) / np.maximum(
        np.bincount(f.sector, weights=cap, minlength=s_n), 1e-300)
    return np.divide(q_units, physical * qbar[None, :], out=np.ones_like(q_units), where=physical > 0)


def sector_mean(world: World, per_firm: np.ndarray) -> np.ndarray:
    """(S,) mean of a per-firm value over each sector's live firms."""
    f, s_n = world.firms, world.sectors.n
    count = np.bincount(f.sector, weights=f.alive.astype(float), minlength=s_n)
    total = np.bincount(f.sector, weights=per_firm * f.alive, minlength=s_n)
    return np.divide(total, count, out=np.ones(s_n), where=count > 0)


def best_by_state(world: World) -> np.ndarray:
    """(N, S) best absolute quality among each state's live firms (0 if none)."""
    f = world.firms
    best = np.zeros((world.states.n, world.sectors.n))
    np.maximum.at(best, (f.home, f.sector), np.where(f.alive, f.quality, 0.0))
    return best


def advance(world: World, params: Params, sales: np.ndarray, imported_quality: np.ndarray,
            input_quality: np.ndarray, knowledge: np.ndarray) -> None:
    """Move every firm's quality one round and push the frontier. Mutates firms and sectors.

    imported_quality: (N, S) mean quality of the unprotected foreign goods each
    state bought this round (what its firms can learn from).
    input_quality: (N, S) quality of the inputs each state's firms of a sector could get,
    against the inputs' frontier (1 = frontier inputs or no inputs needed).
    knowledge: (F,) R&D a firm benefits from without paying for it (joint programmes'
    spillovers), in $bn.
    """
    f, sec, pol = world.firms, world.sectors, world.policy
    s, home = f.sector, f.home
    frontier = sec.frontier[s]
    relq = f.quality / frontier
    # R&D intensity against the revenue the firm's capacity earns in a normal year ...
    normal_revenue = f.cost * sec.markup[s] * params.target_utilisation * np.maximum(f.capacity, 1e-9)
    if sec.rd_scale is None:
        sec.rd_scale = sector_mean(world, normal_revenue)
    # ... blended with the sector's starting-year average firm: the cost of a step of
    # quality is partly common to all makers, so a firm with a bigger market (more
    # revenue to fund R&D) innovates faster (market size and innovation: Acemoglu and
    # Linn 2004; Dubois et al. 2015). rd_scale_effect 0 = scale-invariant R&D.
    theta = params.rd_scale_effect
    normal_revenue = normal_revenue ** (1.0 - theta) * sec.rd_scale[s] ** theta
    # A firm can only absorb so much R&D money: intensity beyond rd_absorption x the
    # reference adds nothing (a big subsidy to a small firm does not buy the frontier).
    effective_rd = np.maximum(f.rd_spend, 0.0) + knowledge
    intensity = np.minimum(effective_rd / normal_revenue / params.rd_intensity_ref, params.rd_absorption)
    rd_term = np.sqrt(intensity)
    utilisation = sales / (params.target_utilisation * np.maximum(f.capacity, 1e-9))
    lbd = np.minimum(utilisation, 1.5) * (1.0 - params.patent_secrecy_cost * pol.secrecy[home, s])
    growth = sec.frontier_growth[s] * (params.rd_weight * rd_term + params.lbd_weight * lbd)
    growth *= 1.0 + params.catch_up * (1.0 - np.minimum(relq, 1.0))
    # A firm cannot make better goods than its inputs allow: chips from older tools.
    growth *= input_quality[home, s] ** params.input_dependence
    # No maker improves its goods by more than half in a year (never binding at measured
    # frontier growth; it keeps a thousand-round run at extreme legal parameters finite).
    growth = np.minimum(growth, MAX_GROWTH)

    best = best_by_state(world)
    # Best quality among tech-sharing partners, per state and sector.
    allied = np.where(world.states.tech_sharing[:, :, None], best[None, :, :], 0.0).max(axis=1)
    spill = params.alliance_spillover * np.maximum(allied[home, s] - f.quality, 0.0)
    diffuse = params.trade_diffusion * np.maximum(imported_quality[home, s] - f.quality, 0.0)

    f.quality = np.where(f.alive, f.quality * (1.0 + growth) + spill + diffuse, f.quality)
    top = np.zeros(sec.n)
    np.maximum.at(top, s, np.where(f.alive, f.quality, 0.0))
    sec.frontier = np.maximum(sec.frontier, top)
