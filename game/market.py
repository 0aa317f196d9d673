"""Market clearing: CES (Armington) demand split across firms, with capacity.

Every importer j buys a sector s from all firms of that sector. A firm's
expenditure share is its weight (usable capacity x quality^beta x home bias x
policy wedges) times its delivered price to the power 1 - sigma. Prices carry
a factor `lam` per firm that moves along an upward supply curve until each
firm's sales match what it is willing to supply at that price; sales above
usable capacity are rationed. Firms are sorted by sector, so each sector's
firms are one contiguous block and the sums are matrix-vector products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClearingParams:
    eta: float  # price elasticity of real demand
    target_utilisation: float
    price_flex: float  # elasticity of supply: u / u_target = lam ** flex
    price_floor: float
    price_cap: float
    iterations: int


@dataclass
class Cleared:
    flows: np.ndarray  # (F, N) quantities
    lam: np.ndarray  # (F,) price factor
    P: np.ndarray  # (N, S) price index
    demanded: np.ndarray  # (N, S) quantity demanded before rationing
    sales: np.ndarray  # (F,)


def sector_blocks(starts: np.ndarray, n_firms: int) -> list[slice]:
    ends = np.append(starts[1:], n_firms)
    return [slice(int(a), int(b)) for a, b in zip(starts, ends)]


def clear_markets(
    weight: np.ndarray,
    base_price: np.ndarray,
    usable: np.ndarray,
    sigma_f: np.ndarray,
    blocks: list[slice],
    sigma: np.ndarray,
    E0: np.ndarray,
    P0: np.ndarray,
    lam: np.ndarray,
    cp: ClearingParams,
) -> Cleared:
    """Solve prices and flows for every firm x market at once.

    Args:
        weight: (F, N) demand weight of firm f in market j (0 = no access).
        base_price: (F, N) delivered price at lam = 1 (cost, markup, tariffs, markups).
        usable: (F,) usable capacity.
        sigma_f: (F,) substitution elasticity of each firm's sector.
        blocks: per-sector slices of the firm axis.
        sigma, E0, P0: per-sector elasticities, reference spending and price index (N, S).
        lam: (F,) starting price factors (last round's, for a warm start).
    """
    n_sectors = len(blocks)
    n_markets = weight.shape[1]
    # Price-independent parts, computed once: v = wb * lam^(1-sigma), q = ws * lam^-sigma * E/V.
    wb = weight * base_price ** (1.0 - sigma_f)[:, None]
    ws = wb / base_price
    lam = lam.copy()
    damp = 1.0 / (1.0 + sigma_f / cp.price_flex)  # one-step solution of the own-price response
    P = np.empty((n_markets, n_sectors))
    ratio = np.empty((n_sectors, n_markets))  # E / V per sector and market
    sales = np.empty_like(usable)
    supply = cp.target_utilisation * np.maximum(usable, 1e-12)
    for it in range(cp.iterations + 1):
        lam_v = lam ** (1.0 - sigma_f)
        for s, blk in enumerate(blocks):
            V = lam_v[blk] @ wb[blk]
            served = V > 0
            Ps = np.where(served, np.power(V, 1.0 / (1.0 - sigma[s]), where=served, out=np.ones_like(V)), np.inf)
            Ps = np.minimum(Ps, P0[:, s] * cp.price_cap)
            P[:, s] = Ps
            # Spending moves with the price index: quantity demanded falls as P^-eta.
            E = E0[:, s] * (Ps / P0[:, s]) ** (1.0 - cp.eta)
            np.divide(E, V, out=ratio[s], where=served)
            ratio[s][~served] = 0.0
            sales[blk] = ws[blk] @ ratio[s]
        sales *= lam ** (-sigma_f)
        if it == cp.iterations:
            break
        target = np.clip((sales / supply) ** (1.0 / cp.price_flex), cp.price_floor, cp.price_cap)
        lam = np.clip(lam * (target / lam) ** damp, cp.price_floor, cp.price_cap)
    flows = np.empty_like(weight)
    scale = lam ** (-sigma_f)
    for s, blk in enumerate(blocks):
        np.multiply(ws[blk], ratio[s][None, :], out=flows[blk])
        flows[blk] *= scale[blk, None]
    demanded = np.column_stack([flows[b].sum(axis=0) for b in blocks]) if n_sectors else np.zeros((n_markets, 0))
    # Ration firms whose demand exceeds usable capacity even at the capped price.
    over = sales > usable
    if over.any():
        cut = np.where(over, usable / np.maximum(sales, 1e-300), 1.0)
        flows *= cut[:, None]
        sales = np.minimum(sales, usable)
    return Cleared(flows=flows, lam=lam, P=P, demanded=demanded, sales=sales)
