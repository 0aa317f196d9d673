"""Market clearing: CES (Armington) demand split across firms, with capacity.

Every importer j buys a sector s from all firms of that sector. A firm's
expenditure share is its weight (usable capacity x quality^beta x home bias x
policy wedges) times its delivered price to the power 1 - sigma. Prices carry
a factor `lam` per firm that moves along an upward supply curve until each
firm's sales match what it is willing to supply at that price; sales above
usable capacity are rationed. Firms are sorted by sector, so each sector's
firms are one contiguous block and all per-sector sums are one `np.add.reduceat`.
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
    starts = np.array([b.start for b in blocks])
    sector = np.repeat(np.arange(len(blocks)), [b.stop - b.start for b in blocks])
    # Price-independent parts, computed once: v = wb * lam^(1-sigma), q = ws * lam^-sigma * E/V.
    wb = weight * base_price ** (1.0 - sigma_f)[:, None]
    ws = wb / base_price
    lam = lam.copy()
    damp = 1.0 / (1.0 + sigma_f / cp.price_flex)  # one-step solution of the own-price response
    supply = cp.target_utilisation * np.maximum(usable, 1e-12)
    inv = (1.0 / (1.0 - sigma))[:, None]
    E0t, P0t = E0.T, P0.T  # (S, N)
    for it in range(cp.iterations + 1):
        # Per-sector sums over contiguous firm blocks: one reduceat for all sectors.
        V = np.add.reduceat(wb * (lam ** (1.0 - sigma_f))[:, None], starts, axis=0)  # (S, N)
        served = V > 0
        P = np.minimum(np.where(served, np.power(V, inv, where=served, out=np.ones_like(V)), np.inf),
                       P0t * cp.price_cap)
        # Spending moves with the price index: quantity demanded falls as P^-eta.
        E = E0t * (P / P0t) ** (1.0 - cp.eta)
        ratio = np.divide(E, V, out=np.zeros_like(V), where=served)
        sales = np.einsum("fj,fj->f", ws, ratio[sector]) * lam ** (-sigma_f)
        if it == cp.iterations:
            break
        target = np.clip((sales / supply) ** (1.0 / cp.price_flex), cp.price_floor, cp.price_cap)
        lam = np.clip(lam * (target / lam) ** damp, cp.price_floor, cp.price_cap)
    flows = ws * ratio[sector]
    flows *= (lam ** (-sigma_f))[:, None]
    demanded = np.add.reduceat(flows, starts, axis=0).T  # (N, S)
    # Ration firms whose demand exceeds usable capacity even at the capped price.
    over = sales > usable
    if over.any():
        cut = np.where(over, usable / np.maximum(sales, 1e-300), 1.0)
        flows *= cut[:, None]
        sales = np.minimum(sales, usable)
    P = P.T
    return Cleared(flows=flows, lam=lam, P=P, demanded=demanded, sales=sales)
