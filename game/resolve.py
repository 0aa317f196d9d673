"""The resolve phase: wedges -> bottlenecks -> clearing -> accounts -> technology ->
coercion dynamics -> trust, all over whole arrays."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from game import welfare
from game.market import BLAS_CELLS, ClearingParams, clear_markets, sector_blocks
from game.outcomes import Outcomes, state_outcomes
from game.pair_masks import pair_masks
from game.policy_book import RoundContext
from game.rules import accounts, coercion, leakage, technology, trust
from game.rules.supply_chain import draw_stockpiles, mean_quality, usable_capacity
from game.rules.wedges import compute_wedges
from game.scenario import Params
from game.world import World

DISRUPTION = 0.01  # share of spending left unplaced that counts as a supply disruption


def clearing_params(p: Params, eta: float | None = None, iterations: int | None = None,
                    adjust: float | None = None) -> ClearingParams:
    return ClearingParams(
        eta=p.demand_elasticity if eta is None else eta,
        target_utilisation=p.target_utilisation,
        price_floor=p.price_floor,
        price_cap=p.price_cap,
        iterations=p.clearing_iterations if iterations is None else iterations,
        adjust=p.sourcing_adjustment if adjust is None else adjust,
        tolerance=p.clearing_tolerance,
    )


def spread(world: World, amount: np.ndarray) -> np.ndarray:
    """Split (state, sector) amounts across that state's live firms of the sector by capacity."""
    f = world.firms
    if not amount.any():
        return np.zeros(f.n)
    # A tiny floor splits money evenly among firms that have no capacity yet (new champions).
    cap = np.where(f.alive, f.capacity + 1e-9, 0.0)
    total = np.zeros_like(amount)
    np.add.at(total, (f.home, f.sector), cap)
    share = np.divide(cap, total[f.home, f.sector], out=np.zeros_like(cap), where=total[f.home, f.sector] > 0)
    return amount[f.home, f.sector] * share


class Resolver:
    """Owns the reusable pieces of the resolve phase for one world."""

    def __init__(self, world: World, params: Params):
        self.world, self.params = world, params
        self.cp = clearing_params(params)
        self._cps: dict[tuple, ClearingParams] = {}
        self._scratch: tuple[np.ndarray, np.ndarray] | None = None
        # Each bloc's cells of the trust matrix (blocs are fixed for a game).
        self.bloc_cells = [(f"cohesion_{b}", np.ix_(m, m), len(m)) for b, m in world.states.blocs.items()]
        self.reindex()

    def reindex(self) -> None:
        """Recompute the sector blocks and (state, sector) groups after firms are re-sorted."""
        f, n = self.world.firms, self.world.states.n
        self.blocks = sector_blocks(self.world.sector_starts(), f.n)
        self.starts = np.array([b.start for b in self.blocks])
        self.group = f.sector * n + f.home  # firms are sorted by (sector, home)
        self.group_starts = np.flatnonzero(np.r_[True, self.group[1:] != self.group[:-1]])
        self.group_ids = self.group[self.group_starts]
        # Sums over many small groups: a sparse 0/1 indicator product is far cheaper than
        # np.add.reduceat along the firm axis once there are thousands of groups.
        rows = np.cumsum(np.r_[False, self.group[1:] != self.group[:-1]])
        self.indicator = sparse.csr_matrix((np.ones(f.n), (rows, np.arange(f.n))), shape=(len(self.group_starts), f.n))

    def clear(self, usable: np.ndarray, eta: float | None = None, iterations: int | None = None,
              adjust: float | None = None, barriers: leakage.Barriers | None = None):
        w, f = self.world, self.world.firms
        wedges = compute_wedges(w, self.params, usable, barriers)
        plain = eta is None and iterations is None and adjust is None
        cp = self.cp if plain else self._clearing_params(eta, iterations, adjust)
        cleared = clear_markets(
            wedges.weight, wedges.base_price, f.quality, usable, self.sigma_f(), w.sectors.supply_elasticity[f.sector],
            self.blocks,
            w.sectors.sigma, w.market.E0, w.market.P0, f.lam, f.ties, wedges.served, cp, wedges.qty_factor,
            starts=self.starts, sector=f.sector,  # a row's block is its firm's sector (sorted by sector)
        )
        return wedges, cleared

    def _clearing_params(self, eta: float | None, iterations: int | None, adjust: float | None) -> ClearingParams:
        # Made once per set of overrides: calibration asks about 400 times for the same.
        key = (eta, iterations, adjust)
        if key not in self._cps:
            self._cps[key] = clearing_params(self.params, eta, iterations, adjust)
        return self._cps[key]

    def scratch(self, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Two firms x markets work arrays kept from round to round (new when the number of
        firms changes): on big worlds a fresh 8 MB array inside a round often costs several
        times the arithmetic done in it, in page faults."""
        if self._scratch is None or self._scratch[0].shape != shape:
            self._scratch = (np.empty(shape), np.empty(shape))
        return self._scratch

    def sigma_f(self) -> np.ndarray:
        return self.world.sectors.sigma[self.world.firms.sector]

    def by_group(self, flows: np.ndarray, cols: np.ndarray | None = None, weight: np.ndarray | None = None) -> np.ndarray:
        """(S, N supplier, N importer) sums of a firm x market array (times a per-firm `weight`);
        of a firm x column array (F, J) when `cols` names its market columns (the others 0)."""
        n, s = self.world.states.n, self.world.sectors.n
        markets = flows.shape[1] if cols is None else n
        out = np.zeros((s * n, markets))
        if flows.size >= BLAS_CELLS:
            # The weights go into the indicator's entries: the same products, summed in the
            # same order, without a firms x markets array of them.
            sums = (self.indicator if weight is None else self.indicator.multiply(weight[None, :]).tocsr()) @ flows
        else:
            sums = np.add.reduceat(flows if weight is None else flows * weight[:, None], self.group_starts, axis=0)
        if cols is None:
            out[self.group_ids] = sums
        else:
            out[self.group_ids[:, None], cols[None, :]] = sums
        return out.reshape(s, n, markets)

    def run(self, ctx: RoundContext, barriers: leakage.Barriers | None = None) -> Outcomes:
        """Resolve one round. The first call (round 0) also fixes the starting year's
        reference levels that welfare is measured against. `barriers`: the round's
        leakage.in_force, when the firms' decisions already needed it."""
        w, p, f = self.world, self.params, self.world.firms
        st, sec, m = w.states, w.sectors, w.market
        n, s_n = st.n, sec.n
        usable = usable_capacity(w)
        wedges, c = self.clear(usable, barriers=barriers)
        flows = c.flows
        f.lam, f.ties = c.lam, c.shares

        # Flows that got past a control, and the enforcement they slipped past: on the
        # market columns the barriers touch (nothing leaks elsewhere).
        cols = wedges.cols
        if wedges.blocked is not None:
            leaked = flows[:, cols] * wedges.illicit  # (F, J)
            policed = (leaked * wedges.enforce).sum(axis=1)
            # Which hub carried them, valued at the delivered price plus each route's markup.
            plain = leaked * wedges.base_price[:, cols] * c.lam[:, None]
            routes = leakage.leaked_by_route(w, wedges.routes, leaked, plain, columns=True)
        else:
            leaked, policed, routes = None, np.zeros(f.n), None

        factor = np.divide(usable, f.capacity, out=np.ones_like(usable), where=f.capacity > 0)
        rd_sub, cap_sub = spread(w, ctx.rd_subsidy), spread(w, ctx.capacity_subsidy)
        ex_works = f.cost * sec.markup[f.sector] * c.lam
        acc = accounts.settle(w, p, c.sales, c.lam, policed, rd_sub, cap_sub)

        # Bilateral aggregates by (sector, supplier state, importer).
        supply = self.by_group(flows)  # (S, k, j) physical
        spend = self.by_group(c.spend)  # duty-inclusive
        duty = self.by_group(c.spend * wedges.duty) if wedges.duty is not None else np.zeros_like(spend)
        leaked_g = self.by_group(leaked, cols) if leaked is not None else np.zeros_like(supply)
        fob = self.by_group(flows, weight=ex_works)  # at the makers' prices
        received = supply.sum(axis=1).T  # (j, S)
        # Import dependence is measured as trade data measure it: shares of spending by origin.
        spent = spend.sum(axis=1).T  # (j, S)
        supply_share = np.divide(
            spend.transpose(2, 1, 0), spent[:, None, :],
            out=np.zeros((n, n, s_n)), where=spent[:, None, :] > 0,
        )

        # Real consumption: the CES aggregate of quality-adjusted receipts, plus stock drawn
        # to replace purchases that could not be placed.
        starts = self.starts
        # A market barred from some of a firm's tiers gets fewer of its products, of lower quality.
        pref, units = wedges.pref, flows * f.quality[:, None]
        if wedges.available is not None:
            pref = pref.copy()
            pref[:, cols] *= wedges.available
            units[:, cols] *= wedges.mix_quality
        Q = welfare.real_quantity(pref, units, self.sigma_f(), starts, sec.sigma, self.scratch(flows.shape))
        qbar = mean_quality(w)
        owner = np.bincount(f.owner, weights=acc.surplus + rd_sub + cap_sub, minlength=n) + accounts.sale_transfers(f, n)
        duty_in = duty.sum(axis=(0, 1))
        if m.Q0 is None:  # the starting year
            m.Q0, m.spent0, m.qbar0, m.surplus0, m.duty0 = Q.copy(), spent.copy(), qbar, owner, duty_in
        # Access: real receipts against the starting year's at today's average quality, so
        # better goods count for more and general progress does not inflate it.
        reference = np.maximum(m.Q0 * (qbar / m.qbar0)[None, :], 1e-300)
        access = Q / reference
        # When supply is disrupted (purchases could not be placed), stocks are released to
        # bring consumption back to normal.
        disrupted = c.unplaced > DISRUPTION
        draw = draw_stockpiles(w, np.where(disrupted, reference - Q, 0.0))
        consumed = Q + draw
        m.input_access = np.minimum(1.0, consumed / reference)  # stock draws cover inputs too
        buyers = welfare.buyers_surplus(consumed, m.Q0, spent, m.spent0, p.demand_elasticity).sum(axis=1)

        leaked_in = leaked_g.sum(axis=1).T
        g = f.home * s_n + f.sector
        value = np.bincount(g, weights=acc.revenue, minlength=n * s_n).reshape(n, s_n)
        sold = np.bincount(g, weights=c.sales, minlength=n * s_n).reshape(n, s_n)
        cap = np.bincount(g, weights=f.capacity * f.alive, minlength=n * s_n).reshape(n, s_n)
        world_share = value / np.maximum(value.sum(axis=0), 1e-12)
        volume_share = sold / np.maximum(sold.sum(axis=0), 1e-12)
        capacity_share = cap / np.maximum(cap.sum(axis=0), 1e-12)

        # Technology learns from what each state imported, unless the maker keeps patents secret.
        # What is learnt is the quality of the goods actually delivered (a market barred from a
        # maker's leading tier learns from its older ones); secret-patent goods teach nothing.
        real = self.by_group(units)  # (S, k, j) quality-adjusted units delivered
        abroad = pair_masks(n).abroad[None, :, :]
        open_units = real * abroad * ~w.policy.secrecy.T[:, :, None]
        foreign = (supply * abroad).sum(axis=1).T  # (j, S)
        imported_quality = np.divide(open_units.sum(axis=1).T, foreign, out=np.zeros_like(foreign), where=foreign > 0)
        # The quality of the inputs a state's firms could get, where restrictions reach them.
        if m.inputs0 is None:
            m.inputs0 = technology.relative_input_quality(w, real, supply)
        restricted = np.zeros((n, s_n), dtype=bool)
        if wedges.blocked is not None:
            restricted = self.by_group(wedges.blocked.astype(float), cols).sum(axis=1).T > 0
        inputs = technology.input_quality(w, real, supply, restricted, m.inputs0)
        technology.advance(w, p, c.sales, imported_quality, inputs, spread(w, ctx.rd_knowledge))
        coercion.advance_diversification(w, p)
        coercion.advance_supplier_risk(w, p, capacity_share)

        m.P, m.flows, m.received, m.supply_share = c.P, flows, received, supply_share
        # Entity listings bind next round, like every input shortage.
        if wedges.denial is not None:
            f.entity_factor = (1.0 - w.sectors.inputs[f.sector] * wedges.denial).min(axis=1)
        else:
            f.entity_factor = np.ones(f.n)
        # What each supplier sold to entity-listed firms this round (units).
        f.sold_to_listed = (np.zeros(f.n) if wedges.listed_part is None
                            else (flows * wedges.listed_part).sum(axis=1))
        m.usable = usable
        trust.end_of_round(w, p)

        cross = fob * pair_masks(n).abroad[None, :, :]
        tech = np.divide(technology.best_by_state(w), sec.frontier[None, :])
        state = state_outcomes(
            names_n=n, gdp=st.gdp, buyers=buyers, producers=owner - m.surplus0, tariff_revenue=duty_in - m.duty0,
            fiscal=ctx.spent, exports=cross.sum(axis=(0, 2)), imports=cross.sum(axis=(0, 1)),
            supply_share=supply_share, world_share=world_share, tech=tech, crit=sec.criticality,
            same_bloc=st.same_bloc, trust=st.trust, attempts=ctx.attempts, concessions=ctx.conceded,
        )
        revenue_total = acc.revenue.sum()
        world_metrics = {
            "world_welfare_change": float(state[:, 1].sum()),
            "trade_volume": float(cross.sum()),
            "mean_margin": float(acc.profit.sum() / revenue_total) if revenue_total > 0 else 0.0,
            "world_capacity": float(cap.sum()),
            "controls_in_force": int(w.policy.control.sum()),
            "embargoes_in_force": int((w.embargo_active()).sum()),
            "coercion_attempts": int(ctx.attempts.sum()),
            "coercion_conceded": int(ctx.conceded.sum()),
            "leaked": float(leaked_in.sum()),
            "firms_alive": int(f.alive.sum()),
            "mean_frontier": float(sec.frontier.mean()),
            "clearing_passes": c.passes,  # price steps until prices moved less than clearing_tolerance
        }
        for key, cells, k in self.bloc_cells:
            world_metrics[key] = float((st.trust[cells].sum() - k) / max(k * (k - 1), 1))
        outcomes = Outcomes(
            world_share=world_share, volume_share=volume_share, capacity_share=capacity_share, tech=tech,
            price_ratio=c.P / m.P0, received=received, access=access, leaked_in=leaked_in,
            supply_share=supply_share, state=state, world=world_metrics,
            trade_qty=supply, trade_value=spend, trade_duty=duty, trade_leaked=leaked_g, trade_routes=routes,
        )
        f.input_factor = factor  # what firms see of their input shortages next round
        return outcomes
