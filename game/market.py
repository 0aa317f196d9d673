"""Market clearing: Armington (CES) demand over firms, sluggish sourcing, upward supply.

Every importer j buys sector s from the firms of that sector. Quality is an
absolute efficiency level a_f: one unit of a better good delivers more units of
service, so the quality-adjusted price of firm f in market j is p_fj / a_f and
the CES price index is

    P_js = ( sum_f w_fj (p_fj / a_f)^(1 - sigma) )^(1 / (1 - sigma))

where w_fj is the demand weight (Armington share parameter x firm appeal x
variety x policy wedges). The long-run (target) expenditure share of f is
s*_fj = w_fj (p_fj / a_f)^(1 - sigma) / P_js^(1 - sigma). Buyers move only a
fraction `adjust` of their purchases to the target shares in one round (supplier
relationships take time): the realised share is

    r_fj = (1 - adjust) * c_fj * g_fj + adjust * s*_fj

with c_fj last round's realised shares and g_fj the part of an old relationship
that still gets through this round (0 when a control or embargo cuts it, the
leak when it leaks). Spending on relationships that were cut is not placed
elsewhere this round: the buyer goes without, which is what makes an embargo
bite in the round it starts.

Firm prices carry a factor `lam` that moves along an upward supply curve,
utilisation / target = lam ** (the sector's supply elasticity), until sales match: price
steps repeat until the largest relative step is at most `tolerance` (or `iterations`
steps, a guard), and the number of steps taken is reported. Sales above usable
capacity are rationed. Firms are sorted by sector, so each sector's firms are
one contiguous block and every per-sector sum is one `np.add.reduceat`.

Speed: the price steps need only each firm's sales, and with the realised share written
out, sales_f = (sum_j A_fj E_sj + lam_f^(1-sigma) sum_j B_fj E_sj / V_sj) / lam_f, where
A = kept x units-per-dollar and B = adjust x w x units-per-dollar do not move with
prices. So a step is two matrix-vector products per sector (V_s = lam^(1-sigma) . w and
B . (E / V)), and the full flow arrays are built once, at the final prices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLAS_CELLS = 50_000  # firm x market cells from which price steps use per-sector matrix-vector products


@dataclass(frozen=True)
class ClearingParams:
    eta: float  # price elasticity of the sector composite (1 = fixed spending shares)
    target_utilisation: float
    price_floor: float
    price_cap: float
    iterations: int  # most price steps (a guard: clearing stops earlier once converged)
    adjust: float  # share of purchases re-sourced toward the target mix in one round
    tolerance: float = 0.0  # stop once no firm's price factor moves by more than this (relative)


@dataclass
class Cleared:
    flows: np.ndarray  # (F, N) physical quantities delivered
    spend: np.ndarray  # (F, N) buyers' duty-inclusive spending on each flow
    lam: np.ndarray  # (F,) price factor
    P: np.ndarray  # (N, S) CES price index (quality-adjusted, delivered)
    E: np.ndarray  # (N, S) spending the buyers set out to make
    unplaced: np.ndarray  # (N, S) share of spending left unplaced (cut relationships, rationing)
    sales: np.ndarray  # (F,)
    shares: np.ndarray  # (F, N) realised value shares (next round's relationships)
    passes: int = 0  # price steps taken
    step: float = 0.0  # largest relative price step of the last pass (<= tolerance when converged)


def _by_sector(ufunc, x: np.ndarray, table: np.ndarray, blocks: list[slice], sector: np.ndarray,
               out: np.ndarray) -> np.ndarray:
    """ufunc(x, table[sector]) into `out`, for an (S, N) per-sector table: block by block on
    big worlds, so the table is never gathered to a firms x markets array (same values)."""
    if x.size >= BLAS_CELLS:
        for k, b in enumerate(blocks):
            ufunc(x[b], table[k], out=out[b])
    else:
        ufunc(x, table[sector], out=out)
    return out


def sector_blocks(starts: np.ndarray, n_firms: int) -> list[slice]:
    ends = np.append(starts[1:], n_firms)
    return [slice(int(a), int(b)) for a, b in zip(starts, ends)]


def clear_markets(
    weight: np.ndarray,
    base_price: np.ndarray,
    quality: np.ndarray,
    usable: np.ndarray,
    sigma_f: np.ndarray,
    flex_f: np.ndarray,
    blocks: list[slice],
    sigma: np.ndarray,
    E0: np.ndarray,
    P0: np.ndarray,
    lam: np.ndarray,
    ties: np.ndarray,
    served: np.ndarray | None,
    cp: ClearingParams,
    qty_factor: np.ndarray | None = None,
    starts: np.ndarray | None = None,
    sector: np.ndarray | None = None,
) -> Cleared:
    """Solve prices and flows for every firm x market at once.

    Args:
        weight: (F, N) demand weight of firm f in market j (0 = no access).
        base_price: (F, N) delivered duty-inclusive price at lam = 1.
        quality: (F,) absolute quality (efficiency units per physical unit).
        usable: (F,) usable capacity.
        sigma_f: (F,) substitution elasticity of each firm's sector.
        flex_f: (F,) supply elasticity of each firm's sector: utilisation / target = lam ** flex.
        blocks: per-sector slices of the firm axis.
        sigma, E0, P0: per-sector elasticities, reference spending and price index (N, S).
        lam: (F,) starting price factors (last round's, for a warm start).
        ties: (F, N) last round's realised value shares (columns sum to 1 per sector block).
        served: (F, N) share of an old relationship that still gets through (None = all).
        qty_factor: (F, N) units bought per dollar against the delivered price (below 1 where
            part of a flow is re-routed at a markup; None = 1).
        starts, sector: each block's first row and each row's block, when the caller keeps
            them (made from `blocks` otherwise).
    """
    if starts is None:
        starts = np.array([b.start for b in blocks])
    if sector is None:
        sector = np.repeat(np.arange(len(blocks)), [b.stop - b.start for b in blocks])
    # Price-independent parts, computed once: v = wb * lam^(1-sigma) is f's CES term.
    # Quality against each sector's best: CES terms depend only on relative quality-adjusted
    # prices, and this keeps (p / a)^(1 - sigma) finite however far the frontier has moved
    # (quality 1e5 at sigma 50 would overflow). The index is rescaled back below.
    scale = np.maximum.reduceat(quality, starts)  # (S,)
    # In place on one buffer: each F x N temporary costs a pass over memory on big worlds.
    # A firm whose quality underflows against the best (a dead firm left far behind) has an
    # infinite quality-adjusted price and no demand: the division by zero is the right limit.
    with np.errstate(divide="ignore"):
        wb = np.divide(base_price, (quality / scale[sector])[:, None])
    np.power(wb, (1.0 - sigma_f)[:, None], out=wb)
    wb *= weight
    # Each (sector, market) column of terms is scaled by its largest, and the index scaled
    # back: shares are unchanged, and neither the sums nor spending over them under- or
    # overflow however extreme weights and prices get (a tariff at sigma 50 makes terms of
    # 1e-300, and spending over their sum 0 x inf).
    colmax = np.maximum.reduceat(wb, starts, axis=0)  # (S, N)
    colmax = np.where(colmax > 0, colmax, 1.0)
    _by_sector(np.divide, wb, colmax, blocks, sector, out=wb)
    if served is None:
        kept = ties * (1.0 - cp.adjust)
    else:
        kept = ties * served
        kept *= 1.0 - cp.adjust  # (1 - adjust) x (ties x served): one array, not two
    lam = lam.copy()
    damp = 1.0 / (1.0 + sigma_f / flex_f)  # one-step solution of the own-price response
    supply = cp.target_utilisation * np.maximum(usable, 1e-12)
    inv = (1.0 / (1.0 - sigma))[:, None]
    E0t, P0t = E0.T, P0.T  # (S, N)
    # Fixed across price steps: the columns' scale back, the cap on the index.
    col_scale, top, by_scale = colmax ** inv, P0t * cp.price_cap, scale[:, None]

    def index(V: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CES price index and spending (S, N) from the sums V, and where markets are open."""
        open_ = V > 0
        level = np.power(V, inv, where=open_, out=np.ones_like(V)) * col_scale
        P = np.minimum(np.where(open_, level, np.inf) / by_scale, top)
        # At eta = 1 spending does not move with prices ((P / P0)^0 = 1 whatever P is).
        E = E0t.copy() if cp.eta == 1.0 else E0t * (P / P0t) ** (1.0 - cp.eta)
        return P, E, open_

    passes, step, A, B = 0, 0.0, None, None
    if cp.iterations > 0:
        per_dollar = 1.0 / base_price if qty_factor is None else qty_factor / base_price
        B = np.multiply(wb, cp.adjust)
        B *= per_dollar
        A = np.multiply(kept, per_dollar, out=per_dollar)
        fixed_E = cp.eta == 1.0  # spending does not move with prices: sum_j A E is fixed
        AE = None
        # Per-sector BLAS products pay off on big blocks; on small worlds one whole-array
        # pass costs fewer calls. Same sums either way, up to rounding; the choice depends
        # only on the world's size, so a world always takes the same path.
        blas = weight.size >= BLAS_CELLS
        exponent, inv_flex = 1.0 - sigma_f, 1.0 / flex_f
        while passes < cp.iterations:
            lam_pow = lam ** exponent
            if blas:
                V = np.stack([lam_pow[b] @ wb[b] for b in blocks])  # (S, N)
            else:
                V = np.add.reduceat(wb * lam_pow[:, None], starts, axis=0)
            if fixed_E:  # the steps need spending only, and it is fixed: no index until the end
                E, open_ = E0t, V > 0
            else:
                P, E, open_ = index(V)
            R = E / np.where(open_, V, 1.0)
            if AE is None or not fixed_E:
                AE = (np.concatenate([A[b] @ E[k] for k, b in enumerate(blocks)]) if blas
                      else np.einsum("fj,fj->f", A, E[sector]))
            BR = (np.concatenate([B[b] @ R[k] for k, b in enumerate(blocks)]) if blas
                  else np.einsum("fj,fj->f", B, R[sector]))
            sales = (AE + lam_pow * BR) / lam
            # Clipped to [floor, cap] as min(max(.)): np.clip's wrapper costs more than the work here.
            goal = np.minimum(np.maximum((sales / supply) ** inv_flex, cp.price_floor), cp.price_cap)
            new = np.minimum(np.maximum(lam * (goal / lam) ** damp, cp.price_floor), cp.price_cap)
            step = float(np.abs(new / lam - 1.0).max()) if len(lam) else 0.0
            lam, passes = new, passes + 1
            if step <= cp.tolerance:
                break
    # The full arrays, once, at the final prices; in place where the values allow, reusing the
    # price steps' buffers (the same operations in the same order as written out: target, then
    # share = kept + adjust x target). Fresh firms x markets arrays are costly on big worlds:
    # each is a pass over memory and, from the allocator, page faults.
    v = np.multiply(wb, (lam ** (1.0 - sigma_f))[:, None], out=wb)
    V = np.add.reduceat(v, starts, axis=0)  # (S, N)
    P, E, open_ = index(V)
    spend = _by_sector(np.divide, v, np.where(open_, V, 1.0), blocks, sector, out=v)  # target share
    spend *= cp.adjust
    spend += kept  # share
    _by_sector(np.multiply, spend, E, blocks, sector, out=spend)
    price = np.multiply(base_price, lam[:, None], out=B)
    if qty_factor is None:
        flows = np.divide(spend, price, out=price)
    else:
        flows = np.multiply(spend, qty_factor)
        flows /= price
    sales = flows.sum(axis=1)
    # Ration firms whose demand still exceeds usable capacity after the price steps.
    over = sales > usable
    if over.any():
        cut = np.where(over, usable / np.maximum(sales, 1e-300), 1.0)
        flows *= cut[:, None]
        spend *= cut[:, None]
        sales = np.minimum(sales, usable)
    placed = np.add.reduceat(spend, starts, axis=0)  # (S, N)
    unplaced = 1.0 - np.divide(placed, E, out=np.ones_like(E), where=E > 0)
    shares = _by_sector(np.divide, spend, np.where(placed > 0, placed, 1.0), blocks, sector,
                        out=np.empty_like(spend) if A is None else A)
    unplaced = np.minimum(np.maximum(unplaced.T, 0.0), 1.0)  # clipped (1 - x / y is never -0.0)
    return Cleared(flows=flows, spend=spend, lam=lam, P=P.T, E=E.T, unplaced=unplaced,
                   sales=sales, shares=shares, passes=passes, step=step)
