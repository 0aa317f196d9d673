"""Leakage: how much of a controlled or embargoed flow still reaches the target, through
which transit hub, and at what markup.

Every state is a possible route for goods that a supplier's state controls or embargoes
to a target: its traders buy from the supplier (a legal export to them) and resell to the
target, unless the state itself stops the target in that sector or the supplier's state
stops exports to it. A route h has a re-export capacity `cap_h` (a share of the sector's
world market per round), a cost `r_h` and a policing level `d_h` (how far the controller's
enforcement `e` reaches re-exports there). States without a `transit:` spec are ordinary
routes with the params' defaults.

A shipment through h is caught with probability `kappa_h = e d_h`: caught goods never
arrive, and the traders price that risk in, so the route's markup over the delivered price
is

    m_h = (1 + r_h) / (1 - e d_h)

Per (supplier state k, target j, sector s), the covered goods are offered to the open
routes in proportion to `cap_h m_h^-sigma` (bigger and cheaper routes draw more); each
route takes at most its capacity, `a_h = min(1, cap_h x world market / goods offered to
it)` (rationed in proportion, counted before prices cut demand because buyers keep most of
their orders within the year); and the share of the offered flow that gets through is
`R = sum_h rho_h a_h (1 - kappa_h)`. A circumventing firm offers its whole covered flow;
a compliant one only what intermediaries divert unawares (`params.third_country_leakage`).
The leaked goods carry the quantity-weighted mean markup of the routes that carry them.
Enforcement thus cuts leakage twice, through seizures and through the price of the risk:
an ordinary route (policing 1) keeps (1 - e) of the goods at a markup 1.15 / (1 - e), and
nothing at e = 1.

Arrays are firm x market; only the markets of targets that some state stops are computed
(their columns), so the cost grows with the number of targets, not of states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from game.pair_masks import distance_and_bias, pair_masks
from game.scenario import Params
from game.world import World

if TYPE_CHECKING:  # reach imports this module
    from game.rules.reach import Cover


@dataclass
class Routes:
    """Routes per (supplier state k, target j, sector s) triple that may need them: every
    supplier state with live firms in s, for every target some state stops in s."""

    cols: np.ndarray  # (J,) the targets some state stops in some sector (market columns computed)
    k: np.ndarray  # (C,) supplier state
    j: np.ndarray  # (C,) target
    s: np.ndarray  # (C,) sector
    cid: np.ndarray  # (N, N, S) index of the triple, -1 where none
    through: np.ndarray  # (C,) share of the offered flow that gets through (capacity, seizures)
    volume: np.ndarray  # (C,) quantity delivered per unit offered at the routes' prices: sum rho a (1-kappa) m^-sigma
    markup: np.ndarray  # (C,) quantity-weighted mean markup of the routes used (1 when none)
    carried: np.ndarray  # (C, N) rho a (1-kappa) m^-sigma per hub: quantity weights of the hubs
    priced: np.ndarray  # (C, N) rho a (1-kappa) m^(1-sigma) per hub: value weights of the hubs

    def gather(self, world: World) -> tuple[np.ndarray, np.ndarray]:
        """(F, J) triple index of each firm's flow to each target column (0 where none),
        and where there is one."""
        f = world.firms
        c = self.cid[f.home[:, None], self.cols[None, :], f.sector[:, None]]
        return np.where(c >= 0, c, 0), c >= 0

    def at(self, values: np.ndarray, c: np.ndarray, valid: np.ndarray, default: float) -> np.ndarray:
        """(F, J) a per-triple array gathered to firms x target columns, `default` where none."""
        if len(values) == 0:
            return np.full(c.shape, default)
        return np.where(valid, values[c], default)


def transit(world: World, params: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N,) each state's route capacity, cost and policing."""
    st, n = world.states, world.states.n
    cap = st.transit_capacity if st.transit_capacity is not None else np.full(n, params.transit_capacity)
    cost = st.transit_cost if st.transit_cost is not None else np.full(n, params.transit_cost)
    pol = st.transit_policing if st.transit_policing is not None else np.full(n, params.transit_policing)
    return cap, cost, pol


def _demand(world: World, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """What each firm would sell in each market with no barrier and no premium on it: its
    CES share of the market's reference spending at reference prices (preference weight,
    quality, tariffs and distance as in the wedges), in physical units, factored as
    firm (F,) x (supplier state, market, sector) (N, N, S)."""
    f, sec, m, st, pol = world.firms, world.sectors, world.market, world.states, world.policy
    n, s = st.n, f.sector
    cap = f.capacity * f.alive
    world_cap = np.bincount(s, weights=cap, minlength=sec.n)
    presence = (cap / np.maximum(world_cap[s], 1e-300)) ** params.capacity_weight
    unit = f.cost * sec.markup[s]  # ex-works price at reference utilisation
    # Quality against the sector's best: the CES share is scale-free in quality, and this
    # keeps the power finite however far the frontier has moved.
    best = np.full(sec.n, 1e-300)
    np.maximum.at(best, s, f.quality)
    firm = f.appeal * presence * (unit / (f.quality / best[s])) ** (1.0 - sec.sigma[s])
    distance, bias = distance_and_bias(st.trade_agreement, params.distance_cost, params.home_bias)
    wedge = distance[:, :, None] * (1.0 + pol.tariff)  # (k, j, S) delivered price over ex-works
    pair = bias[:, :, None] * m.armington * wedge ** (1.0 - sec.sigma)[None, None, :]
    by_state = np.bincount(f.home * sec.n + s, weights=firm, minlength=n * sec.n).reshape(n, sec.n)
    total = np.einsum("ks,kjs->js", by_state, pair)  # (j, S) the CES denominator
    per = np.divide(pair * m.E0[None, :, :], total[None, :, :] * wedge,
                    out=np.zeros_like(pair), where=total[None, :, :] > 0)
    return firm / unit, per


def potential(world: World, params: Params, cols: np.ndarray | None = None, demand=None) -> np.ndarray:
    """(F, N) what each firm would sell in each market with no barrier (only the market
    columns `cols` if given), physical units. `demand`: `_demand`'s result if the caller has it."""
    f, n = world.firms, world.states.n
    cols = np.arange(n) if cols is None else cols
    firm, per = _demand(world, params) if demand is None else demand
    # per[home, cols, sector] as whole rows of a sector-major copy (a 3-index gather is slower).
    rows = np.ascontiguousarray(per[:, cols, :].transpose(2, 0, 1))[f.sector, f.home]
    return firm[:, None] * rows


def covered_share(world: World, cover) -> np.ndarray:
    """(F, J) share of each firm's products (by capacity) that the controls and embargoes
    in force cover in each barred market (the cover's columns): the wedges' tier rule on
    their cover (game.rules.reach: an embargo covers every tier, a control the tiers whose
    quality lies between its threshold and its cap, goods made abroad too under a
    direct-product rule)."""
    from game.rules.reach import covers_tier  # reach imports this module

    f, sec = world.firms, world.sectors
    share, rel = sec.tier_share[f.sector], sec.tier_quality[f.sector]
    cov = np.zeros((f.n, len(cover.cols)))
    for t in range(share.shape[1]):
        covered = covers_tier((f.quality * rel[:, t])[:, None], cover.controlled, cover.embargoed,
                              cover.threshold, cover.cap)
        cov += np.where(covered, share[:, t, None], 0.0)
    return cov


def _cover_in_force(world: World):
    """(N, N, S) stopped, their cover on the barred markets (game.rules.reach.Cover), and
    the firms' technology content when a direct-product rule needs it (else None)."""
    from game.rules import reach  # these modules import this one
    from game.rules.wedges import active_blocks

    control, embargo, enforce = active_blocks(world)
    content = reach.tech_content(world) if reach.needs_content(world) else None
    return control | embargo, reach.state_cover(world, control, embargo, enforce, content), content


@dataclass
class Barriers:
    """The controls and embargoes in force as a round sees them, and everything that follows
    from them alone, not from which firms circumvent: built once a round (`in_force`) and
    shared by the firms' exposure and the wedges, which see the same barriers."""

    stopped: np.ndarray  # (N, N, S) controls or embargoes in force
    cover: Cover  # on the barred columns
    content: np.ndarray | None  # (F, N) technology content, when a direct-product rule needs it
    share: np.ndarray  # (F, J) covered share of each firm's products (covered_share)
    demand: tuple  # _demand: firm (F,) x (supplier, market, sector) (N, N, S)
    potential: np.ndarray  # (F, J) what each firm would sell in each barred market with no barrier
    net: Network  # the route network


def any_barrier(world: World) -> bool:
    """Whether some control or embargo is in force (what leakage and exposure are about)."""
    return bool(world.policy.control.any() or world.embargo_active().any())


def in_force(world: World, params: Params) -> Barriers:
    """The barriers in force now (see Barriers)."""
    stopped, cover, content = _cover_in_force(world)
    demand = _demand(world, params)
    net = network(world, params, stopped, cover.enforce)
    return Barriers(stopped, cover, content, covered_share(world, cover), demand,
                    potential(world, params, net.cols, demand), net)


def targets(stopped: np.ndarray) -> np.ndarray:
    """The states some state stops in some sector: the market columns leakage computes."""
    return np.flatnonzero(stopped.any(axis=(0, 2)))


def _by_group(world: World, values: np.ndarray, reduce=np.add) -> np.ndarray:
    """(N, J, S) from an (F, J) firm x column array, reduced over each (home, sector) group."""
    f, n, s_n = world.firms, world.states.n, world.sectors.n
    out = np.zeros((n, values.shape[1], s_n))
    if f.n == 0:
        return out
    g = f.sector * n + f.home
    starts = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))  # np.r_ costs more than the sum
    part = reduce.reduceat(values, starts, axis=0)  # (G, J)
    idx = (f.home[starts][:, None], np.arange(values.shape[1])[None, :], f.sector[starts][:, None])
    if (g[1:] >= g[:-1]).all():  # sorted by (sector, home), as the world keeps them: each group once
        out[idx] = part
    else:
        reduce.at(out, idx, part)
    return out


def _columns(values: np.ndarray, have: np.ndarray, want: np.ndarray) -> np.ndarray:
    """The columns `want` of an (F, len(have)) array over the sorted market columns `have`
    (zeros for a market it has no column for)."""
    out = np.zeros((values.shape[0], len(want)))
    at = np.minimum(np.searchsorted(have, want), max(len(have) - 1, 0))
    found = (at < len(have)) & (have[at] == want) if len(have) else np.zeros(len(want), dtype=bool)
    out[:, found] = values[:, at[found]]
    return out


@dataclass
class Network:
    """The transit routes open to every (supplier state k, target j, sector s) triple that may
    need them, and what each route charges and seizes: everything about the routes that does
    not depend on how much is offered to them."""

    cols: np.ndarray  # (J,) the targets some state stops (market columns computed)
    k: np.ndarray  # (C,) supplier state
    j: np.ndarray  # (C,) target
    s: np.ndarray  # (C,) sector
    cid: np.ndarray  # (N, N, S) index of the triple, -1 where none
    col: np.ndarray  # (C,) each triple's target column
    caught: np.ndarray  # (C, N) share of a shipment through each hub that is seized
    z: np.ndarray  # (C, N) 1 / each route's markup (0 where every shipment is caught)
    zs: np.ndarray  # (C, N) z^sigma: demand at the route's price against none
    rho: np.ndarray  # (C, N) share of the offered goods each route draws


def network(world: World, params: Params, stopped: np.ndarray, enforcement: np.ndarray) -> Network:
    """The route network for every barred (target, sector), from the barriers in force.

    stopped: (N, N, S) controls or embargoes in force, (controller, target, sector).
    enforcement: (F, J) enforcement of the barrier on each firm's flow to each target column
        (J = `targets(stopped)`).
    """
    f, sec, st = world.firms, world.sectors, world.states
    n, s_n = st.n, sec.n
    cols = targets(stopped)
    has = np.zeros((n, s_n), dtype=bool)
    has[f.home[f.alive], f.sector[f.alive]] = True
    barred = stopped.any(axis=0)  # (j, s): some state stops target j in s
    k, j, s = np.nonzero(has[:, None, :] & barred[None, :, :] & ~pair_masks(n).home[:, :, None])
    c_n = len(k)
    cid = np.full((n, n, s_n), -1, dtype=np.int64)
    cid[k, j, s] = np.arange(c_n)
    col = np.searchsorted(cols, j)  # each triple's target column
    if c_n == 0:
        z = np.zeros((0, n))
        return Network(cols, k, j, s, cid, col, z, z, z, z)

    cap, cost, policing = transit(world, params)
    e = _by_group(world, enforcement, np.maximum)[k, col, s]  # the strongest enforcement on the triple
    sigma = sec.sigma[s][:, None]
    rows = np.arange(c_n)
    # Route h is open to (k, j, s) if h does not stop j and k does not stop h, and h is a third state.
    open_ = ~stopped[:, j, s].T & ~stopped[k, :, s] & (cap > 0)[None, :]
    open_[rows, j] = False
    open_[rows, k] = False
    caught = np.clip(e[:, None] * policing[None, :], 0.0, 1.0)
    z = (1.0 - caught) / (1.0 + cost[None, :])  # 1 / markup: 0 where every shipment is caught
    zs = z**sigma  # demand at the route's price against none
    attract = np.where(open_, cap[None, :] * zs, 0.0)
    total = attract.sum(axis=1, keepdims=True)
    rho = np.divide(attract, total, out=np.zeros_like(attract), where=total > 0)
    return Network(cols, k, j, s, cid, col, caught, z, zs, rho)


def routes(world: World, params: Params, net: Network, covered: np.ndarray, unbarred: np.ndarray) -> Routes:
    """What the route network carries, given which firms circumvent.

    covered: (F, J) covered share of each firm's products in each target column, for the
        load on the hubs; unbarred: (F, J) what each firm would sell there with no barrier
        (`potential`).
    """
    f, sec, n = world.firms, world.sectors, world.states.n
    s_n, c_n, s = sec.n, len(net.k), net.s
    if c_n == 0:
        z = np.zeros(0)
        return Routes(net.cols, net.k, net.j, s, net.cid, z, z, z, np.zeros((0, n)), np.zeros((0, n)))
    cap = transit(world, params)[0]
    sigma = sec.sigma[s][:, None]
    # Capacity: the goods offered to each hub against what it can re-export. Buyers keep most
    # of their orders in the short run (sluggish sourcing), so the load is counted before the
    # route's price cuts demand: what is shipped, caught or not.
    diversion = np.where(f.circumvent, 1.0, params.third_country_leakage)  # share of a covered flow offered
    offered = unbarred * covered * diversion[:, None]
    load = _by_group(world, offered)[net.k, net.col, s]  # (C,)
    # Sum over the triples of each sector (a bincount: np.add.at is several times slower).
    cell = (s[:, None] * n + np.arange(n)[None, :]).ravel()
    hub_load = np.bincount(cell, weights=(load[:, None] * net.rho).ravel(), minlength=s_n * n).reshape(s_n, n)
    room = cap[None, :] * world.market.X0.sum(axis=0)[:, None]  # (S, N) physical units per round
    fill = np.divide(room, hub_load, out=np.ones_like(hub_load), where=hub_load > room)
    arrive = net.rho * fill[s] * (1.0 - net.caught)  # caught shipments never arrive

    carried = arrive * net.zs
    priced = arrive * net.z ** (sigma - 1.0)
    volume = carried.sum(axis=1)
    markup = np.divide(priced.sum(axis=1), volume, out=np.ones(c_n), where=volume > 0)
    return Routes(net.cols, net.k, net.j, s, net.cid, arrive.sum(axis=1), volume, markup, carried, priced)


def illicit_routes(world: World, params: Params, stopped: np.ndarray, enforcement: np.ndarray):
    """Per firm and target column (F, J; J = `targets(stopped)`): the share of a covered flow
    that gets through illicitly, and the price markup it carries (the mean markup of the
    routes that carry it); and the routes themselves (for `leaked_by_route`).

    stopped: (N, N, S) controls or embargoes in force, (controller, target, sector).
    enforcement: (F, J) enforcement of the barrier on each firm's flow to each target column.
    The goods offered to the hubs are those the barriers in force cover (`barrier_routes` does
    the same for the barriers in force themselves, from the round's `Barriers`).
    """
    net = network(world, params, stopped, enforcement)
    _, cover, _ = _cover_in_force(world)
    covered = _columns(covered_share(world, cover), cover.cols, net.cols)
    return _through(world, params, net, covered, potential(world, params, net.cols))


def barrier_routes(world: World, params: Params, b: Barriers):
    """`illicit_routes` for the barriers in force, from the round's Barriers."""
    return _through(world, params, b.net, b.share, b.potential)


def _through(world: World, params: Params, net: Network, covered: np.ndarray, unbarred: np.ndarray):
    """Leak, markup and routes (as `illicit_routes` returns them) on a route network."""
    f = world.firms
    r = routes(world, params, net, covered, unbarred)
    c, valid = r.gather(world)
    diversion = np.where(f.circumvent, 1.0, params.third_country_leakage)
    leak = diversion[:, None] * r.at(r.through, c, valid, 0.0)
    return leak, r.at(r.markup, c, valid, 1.0), r


def leaked_by_route(world: World, r: Routes, leaked: np.ndarray, plain: np.ndarray,
                    columns: bool = False) -> np.ndarray:
    """Which hub carried the leaked goods: rows (sector, exporter, importer, hub, quantity,
    value) with a positive quantity, indices as floats. `r` the round's routes; `leaked`
    each flow's illicit quantity (F, N); `plain` its value at the delivered price before
    the routes' markup, which each hub then adds to its part. With `columns`, `leaked` and
    `plain` are already the target columns r.cols (F, J)."""
    c, valid = r.gather(world)
    if not columns:
        leaked, plain = leaked[:, r.cols], plain[:, r.cols]
    valid &= leaked > 0
    if not valid.any():
        return np.zeros((0, 6))
    c_n = len(r.k)
    qty = np.bincount(c[valid], weights=leaked[valid], minlength=c_n)
    base = np.bincount(c[valid], weights=plain[valid], minlength=c_n)
    vol = np.maximum(r.volume, 1e-300)[:, None]
    q = qty[:, None] * r.carried / vol
    v = base[:, None] * r.priced / vol
    cc, h = np.nonzero(q > 0)
    return np.column_stack([r.s[cc], r.k[cc], r.j[cc], h, q[cc, h], v[cc, h]]).astype(float)


@dataclass
class Exposure:
    """What each firm has at stake under the barriers in force (F,): shares of the revenue
    it would earn with no barrier."""

    blocked_share: np.ndarray  # share of its potential sales that a control or embargo covers
    enforcement: np.ndarray  # mean enforcement on them (weighted by those sales)
    stake: np.ndarray  # operating margin on the extra sales circumventing would carry
    fines: np.ndarray  # expected fines on those sales


def exposure(world: World, params: Params, barriers: Barriers | None = None) -> Exposure:
    """Each firm's stake in circumventing the barriers in force now, before it decides: the
    covered part of the sales it would make with no barrier (`potential`), the extra share
    of them that its own re-routing would get to the targets over what intermediaries divert
    anyway (1 - third_country_leakage of the routes' availability, times the fall in demand
    at the routes' markup), its margin on them at last round's prices, and the expected
    fines (circumvention_fine x enforcement on each unit, as the accounts charge them).
    `barriers`: the round's `in_force` when the caller has it."""
    f = world.firms
    zero = np.zeros(f.n)
    if f.n == 0 or not any_barrier(world):
        return Exposure(zero, zero, zero, zero.copy())
    b = in_force(world, params) if barriers is None else barriers
    e = b.cover.enforce
    firm, per = b.demand
    total = firm * per.sum(axis=1)[f.home, f.sector]  # all markets
    covered = b.potential * b.share
    r = routes(world, params, b.net, b.share, b.potential)
    c, valid = r.gather(world)
    extra = covered * r.at(r.volume, c, valid, 0.0) * (1.0 - params.third_country_leakage)
    price = f.cost * world.sectors.markup[f.sector] * f.lam
    margin = 1.0 - np.divide(f.cost, price, out=np.ones(f.n), where=price > 0)

    def per_revenue(x: np.ndarray) -> np.ndarray:
        return np.divide(x, total, out=np.zeros(f.n), where=total > 0)

    blocked = covered.sum(axis=1)
    return Exposure(
        blocked_share=per_revenue(blocked),
        enforcement=np.divide((covered * e).sum(axis=1), blocked, out=np.zeros(f.n), where=blocked > 0),
        stake=margin * per_revenue(extra.sum(axis=1)),
        fines=params.circumvention_fine * per_revenue((extra * e).sum(axis=1)),
    )
