"""Entry of subsidised champions, exit of bankrupt firms, friend-shoring
relocations and foreign acquisitions of distressed firms and of firms with better
technology (blocked by investment screening)."""

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


def refusal_codes(world: World, refused: set | None) -> np.ndarray:
    """The remembered refusals, (bidder firm id, host) coded as id x N + host and sorted, for
    knows_refused."""
    pairs = np.array(list(refused or ()), dtype=np.int64).reshape(-1, 2)
    return np.sort(pairs[:, 0] * world.states.n + pairs[:, 1])


def knows_refused(world: World, codes: np.ndarray, bidders, hosts) -> np.ndarray:
    """Whether each bidder remembers a refusal by each host (firm indices and states, broadcast
    together; `codes` from refusal_codes), so it does not bid there while the host screens: a
    refusal tells a bidder where the host stands (Chinese bids for US and German chip firms all
    but stopped after 2016-17)."""
    hosts = np.asarray(hosts)
    code = world.firms.ids[bidders] * world.states.n + hosts
    at = np.minimum(np.searchsorted(codes, code), max(len(codes) - 1, 0))
    known = codes[at] == code if len(codes) else np.zeros(np.shape(code), dtype=bool)
    return known & world.policy.screening[hosts]


def cleared(world: World, bidders, hosts) -> np.ndarray:
    """Whether each host would clear each bidder (firm indices and states, broadcast together):
    it does not screen, or the bidder's home is in a bloc with it."""
    hosts = np.asarray(hosts)
    return ~world.policy.screening[hosts] | world.states.same_bloc[hosts, world.firms.home[bidders]]


def screen(world: World, buyer: int, target: int, refused: set | None) -> bool:
    """Whether the target's host blocks `buyer` (see `cleared`); a refused bidder remembers it
    in `refused` (firm id, host)."""
    host = world.firms.home[target]
    blocked = not bool(cleared(world, buyer, host))
    if blocked and refused is not None:
        refused.add((int(world.firms.ids[buyer]), int(host)))
    return blocked


def acquisitions(world: World, params: Params, u: np.ndarray,
                 refused: set | None = None) -> list[tuple[int, int, bool]]:
    """(buyer, target, blocked) firm index pairs: a foreign firm of the sector able to pay bids
    for each distressed firm (odds in proportion to its cash; `u` one uniform per firm);
    screening blocks buyers from outside the bloc. When the bid is refused, a bidder the host
    would clear (an ally, or anyone where the host does not screen) may step in, as Vishay
    bought Newport Wafer Fab once the UK had made Nexperia sell it (2022-24). There is no
    competition test here: a failing firm's sale is the guidelines' failing-firm defence.

    refused: (bidder firm id, host) pairs of past refusals (see knows_refused; updated here)."""
    f = world.firms
    deals = []
    for t in distressed(world):
        rivals = np.flatnonzero(f.alive & (f.sector == f.sector[t]) & (f.home != f.home[t]) & (f.cash > 0))
        # A buyer pays for the plant (half its replacement cost) and takes on the debts.
        price = 0.5 * params.capex * f.cost[t] * f.capacity[t] - f.cash[t]
        host = f.home[t]
        rivals = rivals[(f.cash[rivals] >= price) & ~knows_refused(world, refusal_codes(world, refused), rivals, host)]
        if len(rivals) == 0:
            continue
        buyer = pick_bidder(rivals, f.cash, u)
        blocked = screen(world, buyer, t, refused)
        deals.append((buyer, int(t), blocked))
        allowed = cleared(world, rivals, host)
        if blocked and allowed.any():
            deals.append((pick_bidder(rivals[allowed], f.cash, u), int(t), False))
    return deals


# Competition authorities' structural test (US Merger Guidelines 2023, section 2.1): a merger
# that leaves a market's HHI above 1,800 and raises it by more than 100 is presumed to lessen
# competition, so the bid is not made (as Applied Materials and Tokyo Electron gave up in 2015).
HHI_CONCENTRATED, HHI_RISE = 1800.0, 100.0
BIDDER_POOL = 16  # the deepest pockets of a sector that look for deals (all of them in small worlds)
# A bid must beat the owners' price by more than rounding: calibrated premiums put the best
# starting-year bid exactly at the price.
OUTBID = 1.0 + 1e-9


def sale_price(world: World, params: Params) -> np.ndarray:
    """What each firm's owners would sell it for: its value (`multiple x` yearly profit, at
    least the resale value of its plant) plus a control premium and the owners' own
    reservation premium (`FirmArrays.reserve`, calibrated by `calibrate_deals`)."""
    f = world.firms
    plant = 0.5 * params.capex * f.cost * f.capacity
    value = np.maximum(params.deal_multiple * np.maximum(f.profit, 0.0), plant)
    reserve = f.reserve if np.isfinite(f.reserve).all() else np.nan_to_num(f.reserve)  # the wrapper costs 7 us
    return (1.0 + params.control_premium) * (1.0 + reserve) * value


class Offers:
    """Who could bid for whom, every sector at once: each sector's deepest pockets (`bidders`, at
    most BIDDER_POOL, in sectors with two live firms or more) against each of its home-owned
    firms, as pairs (`bidder`, `target`: firm indices, sector by sector, targets in firm order,
    bidders by means). `value` is each pair's worth to the bidder, `means` what the bidder could
    pay for that target, `eligible` the pairs where the target's technology is better, the two
    are from different states and ownership groups, and the merger of their groups passes the
    competition test."""

    def __init__(self, world: World, params: Params):
        f, s_n = world.firms, world.sectors.n
        self.firm_means = f.cash + params.deal_leverage * np.maximum(f.profit, 0.0) * f.alive  # cash plus borrowing
        sector_revenue = np.bincount(f.sector, weights=f.revenue * f.alive, minlength=s_n)
        share = f.revenue * f.alive / np.maximum(sector_revenue[f.sector], 1e-300)
        # Competition authorities count a buyer's earlier acquisitions as part of it: shares
        # are of ownership groups (a group lies within a sector: bids are within one), and the
        # HHI sums s_f x (its group's share), which is the sum of the groups' squared shares.
        group = f.group()
        held = np.bincount(group, weights=share)[group]  # the share of each firm's group (ids are small)
        hhi = np.bincount(f.sector, weights=1e4 * (share * held), minlength=s_n)
        live = np.bincount(f.sector, weights=f.alive, minlength=s_n)
        open_ = f.alive & (live >= 2)[f.sector]
        # Each sector's live firms by means, most first (ties in firm order), and the first
        # BIDDER_POOL of each.
        order = np.lexsort((-self.firm_means, f.sector))
        order = order[open_[order]]
        in_sector = f.sector[order]
        rank = np.arange(len(order)) - np.searchsorted(in_sector, in_sector)
        self.bidders = order[rank < BIDDER_POOL]
        targets = np.flatnonzero(open_ & (f.owner == f.home))
        targets = targets[np.argsort(f.sector[targets], kind="stable")]
        # Every target against every bidder of its sector.
        of_sector = f.sector[self.bidders]
        lo = np.searchsorted(of_sector, f.sector[targets])
        count = np.searchsorted(of_sector, f.sector[targets], side="right") - lo
        self.target = np.repeat(targets, count)
        within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        self.bidder = self.bidders[np.repeat(lo, count) + within]
        b, t = self.bidder, self.target
        self.profit_t = np.maximum(f.profit[t], 0.0)
        gain = f.revenue[b] * (f.quality[t] / f.quality[b] - 1.0)
        self.value = params.deal_multiple * (gain + self.profit_t)
        self.means = self.firm_means[b] + params.deal_leverage * self.profit_t
        rise = 2e4 * held[b] * held[t]
        self.eligible = ((f.quality[t] > f.quality[b]) & (f.home[b] != f.home[t]) & (group[b] != group[t])
                         & ((hhi[f.sector[t]] + rise <= HHI_CONCENTRATED) | (rise <= HHI_RISE)))

    def affordable(self, price: np.ndarray) -> np.ndarray:
        """Eligible pairs whose bidder can pay the target's `price`."""
        return self.eligible & (self.means >= price[self.target])

    def worth_making(self, price: np.ndarray) -> np.ndarray:
        """Eligible pairs whose worth to the bidder beats the price."""
        return self.eligible & (self.value > OUTBID * price[self.target])


def calibrate_deals(world: World, params: Params, refused: set | None = None) -> None:
    """Take the starting year's ownership as given, for firms with no reservation premium yet
    (nan). Each such firm's premium is set so that no bid that could be made and cleared is
    worth making: the data show who owns whom, so whatever kept those deals from happening
    (owners not for sale, cross-holdings, integration costs) is taken as given, as calibrated
    appeal takes the starting shares as given. Bidders to whom a firm would then be worth its
    price but whose bid its host would refuse know that already, whether or not they could
    pay yet (added to `refused`: the screening regimes predate the game). A deal or a refusal
    then needs something to change: a control or an embargo that cuts a target's profit, a
    bidder that grows, gains the means or falls further behind, a host that starts
    screening. Entrants have no premium."""
    f = world.firms
    todo = np.isnan(f.reserve)
    if not todo.any():
        return
    reserve = np.zeros(f.n)
    o = Offers(world, params)
    price = sale_price(world, params)  # premium 0 where nan
    open_ = o.affordable(price) & cleared(world, o.bidder, f.home[o.target])
    ratio = np.where(open_, o.value / np.maximum(price[o.target], 1e-300), 0.0)
    np.maximum.at(reserve, o.target, ratio)  # the best open bid for each target (0 if none)
    reserve = np.maximum(reserve - 1.0, 0.0)
    f.reserve = np.where(todo, reserve, f.reserve)
    if refused is None:
        return
    price = sale_price(world, params)
    blocked = o.worth_making(price) & ~cleared(world, o.bidder, f.home[o.target])
    refused.update(zip(f.ids[o.bidder[blocked]].tolist(), f.home[o.target[blocked]].tolist()))


def technology_bids(world: World, params: Params, u: np.ndarray, refused: set | None = None,
                    busy: set[int] | frozenset = frozenset()) -> list[tuple[int, int, bool]]:
    """(buyer, target, blocked): bids for healthy foreign firms with better technology, the
    motive behind Tsinghua Unigroup for Micron (2015), Fujian Grand Chip for Aixtron (2016) and
    Canyon Bridge for Lattice (2017), which built today's screening regimes.

    Prices are per unit of quality (7.2), so with the target's technology the buyer's output is
    worth q_t / q_b more per unit: a yearly gain `G = revenue_b (q_t / q_b - 1)` at its present
    sales. The target's owners sell at `sale_price`. A firm bids when the gain and the profit
    it takes over are worth more than that (`multiple x (G + profit_t) > price`), when its cash
    and borrowing (up to `deal_leverage` times the two firms' yearly profit) cover the price,
    and when the merger passes the competition test above. Among a target's bidders one bids,
    with odds in proportion to its means; screening blocks bidders from outside the host's
    blocs, and a refused bidder does not bid there again while the host screens (`refused`,
    see knows_refused). Firms in `busy` (already in a deal this round) neither bid nor are bid
    for; each firm is in at most one bid a round."""
    f = world.firms
    price = sale_price(world, params)
    o = Offers(world, params)
    ok = np.flatnonzero(o.worth_making(price) & o.affordable(price))
    ok = ok[~knows_refused(world, refusal_codes(world, refused), o.bidder[ok], f.home[o.target[ok]])]
    odds = np.zeros(f.n)  # each bidder's own means: its odds of being the one that bids
    odds[o.bidders] = np.maximum(o.firm_means[o.bidders], 1e-12)
    free = np.ones(f.n, dtype=bool)
    free[list(busy)] = False
    deals = []
    bidder, target_of = o.bidder[ok], o.target[ok]  # the bids that could be made, in order
    while True:  # targets in order, each with the bidders not yet in a deal this round
        open_ = np.flatnonzero(free[bidder] & free[target_of])
        if len(open_) == 0:
            break
        target = int(target_of[open_[0]])
        buyer = pick_bidder(bidder[open_[target_of[open_] == target]], odds, u)
        blocked = screen(world, buyer, target, refused)
        free[[buyer, target]] = False
        deals.append((buyer, target, blocked))
    return deals


def champion_quality(world: World, params: Params, s: int) -> float:
    return params.champion_quality * float(world.sectors.frontier[s])
