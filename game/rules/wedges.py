"""Demand weights and policy wedges per (exporter, importer, sector), gathered to
firm x market arrays.

Preferences (the Armington share parameter of the supplier state in each market,
the firm's calibrated appeal, home bias and a variety term) are kept apart from
policy wedges, because welfare values what buyers receive with the preference
weights only: a diversification programme or an export control is a cost, not a
change of taste. Tariffs and distance raise delivered prices; import exclusions,
diversification lowers demand weights; supplier risk is an expected-cost premium
on the delivered price (buyers price in the chance of being cut off); export controls and
embargoes block flows, except what leaks through third countries and
circumventing firms.

Speed: pair-level factors (exporter, importer, sector) are laid out sector-major, so
gathering them to firms (sorted by sector, then home) copies whole rows. Barriers touch
only the markets of the states some state stops (`cols`): everything a barrier changes
is computed on those columns and kept as (F, J) column arrays; full (F, N) arrays are
written only where clearing needs them (weights, old relationships served, units per dollar).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.pair_masks import distance_and_bias
from game.rules import leakage, reach
from game.scenario import Params
from game.world import World

EMBARGO_ENFORCEMENT = 0.95  # a state halting its own exports polices them tightly


@dataclass
class Wedges:
    pref: np.ndarray  # (F, N) preference weight (what welfare values)
    weight: np.ndarray  # (F, N) demand weight: preference x policy wedges
    base_price: np.ndarray  # (F, N) delivered duty-inclusive price at lam = 1
    duty: np.ndarray | None  # (F, N) tariff's share of the buyers' spending on each flow, t / (1 + t) (None: no tariffs)
    served: np.ndarray | None  # (F, N) share of an old relationship that still gets through
    # Where barriers are in force, on the market columns `cols` they touch only (F, J):
    blocked: np.ndarray | None  # (F, J) bool, or None when nothing is controlled
    enforce: np.ndarray | None  # (F, J) enforcement of the barrier on each flow
    illicit: np.ndarray | None = None  # (F, J) share of each flow's quantity that passed a barrier illegally
    available: np.ndarray | None = None  # (F, J) share of the firm's products the market can get
    mix_quality: np.ndarray | None = None  # (F, J) quality of the delivered mix against the firm's full mix
    denial: np.ndarray | None = None  # (F, S) share of each input an entity listing denies a firm
    listed_part: np.ndarray | None = None  # (F, N) part of each flow bought by entity-listed firms
    qty_factor: np.ndarray | None = None  # (F, N) units per dollar against the maker's delivered price
    illicit_value: np.ndarray | None = None  # (F, J) share of the buyers' spending on each flow that was illicit
    routes: leakage.Routes | None = None  # the transit routes the leaked goods take
    cols: np.ndarray | None = None  # (J,) the market columns the barriers touch


def active_blocks(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, N, S) masks: controls in force, embargoes in force, and their enforcement."""
    pol = world.policy
    embargo = world.embargo_active()
    enforce = np.where(embargo, np.maximum(pol.enforcement, EMBARGO_ENFORCEMENT), pol.enforcement)
    return pol.control, embargo, enforce


def compute_wedges(world: World, params: Params, usable: np.ndarray,
                   barriers: leakage.Barriers | None = None) -> Wedges:
    """The round's wedges; `barriers` the round's leakage.in_force when the caller has it
    (the firms' exposure was computed from the same barriers)."""
    f, pol, sec = world.firms, world.policy, world.sectors
    home, s = f.home, f.sector
    # Capacity mostly acts on supply (prices rise as lines fill up); it enters demand
    # weakly, as a variety term: a share of the sector's world capacity to the power
    # capacity_weight (bigger firms offer more product lines), so a firm that closes
    # idle lines gets busier instead of losing its customers in proportion.
    # Quality is not here: it enters through the quality-adjusted price (market.py).
    world_usable = np.bincount(s, weights=usable, minlength=sec.n)
    presence = (usable / np.maximum(world_usable[s], 1e-12)) ** params.capacity_weight
    firm_weight = f.appeal * presence

    # Pair-level factors first (N x N x S is small), then one gather to firms x markets.
    distance, bias = distance_and_bias(world.states.trade_agreement, params.distance_cost, params.home_bias)
    price_pair = (1.0 + pol.tariff) * distance[:, :, None]  # (exporter, importer, s)
    # Importer-side: diversification and exclusion are indexed (importer, exporter, s).
    # The risk premium is a shadow cost: buyers act on it but nobody is paid it, so it
    # enters the weight as a price would, (1 + premium)^(1 - sigma), not the price paid.
    buy = (1.0 - pol.diversification) * ~pol.exclusion * (1.0 + pol.risk) ** (1.0 - sec.sigma)

    armington = world.market.armington  # (exporter, importer, s) calibrated share parameters
    # Gathered rows scaled in place: one firms x markets array each (x * y == y * x exactly).
    pref = by_firm(bias[:, :, None] * armington, home, s)
    pref *= firm_weight[:, None]
    base_price = by_firm(price_pair, home, s)
    base_price *= (f.cost * sec.markup[s])[:, None]
    duty = by_firm(pol.tariff / (1.0 + pol.tariff), home, s) if pol.tariff.any() else None
    # No importer-side policy anywhere (the usual case): the weight is the preference weight.
    if (buy == 1.0).all():
        weight = pref
    else:
        weight = by_firm(buy.transpose(1, 0, 2), home, s)
        weight *= pref
    served = (~by_firm(pol.exclusion.transpose(1, 0, 2), home, s)).astype(float) if pol.exclusion.any() else None

    if not (leakage.any_barrier(world) or pol.listings):
        return Wedges(pref, weight, base_price, duty, served, None, None)

    b = leakage.in_force(world, params) if barriers is None else barriers
    content, cover = b.content, b.cover
    # The share of a covered flow that still gets through illicitly, and the markup it
    # travels at; under a licence requirement the approved share passes legally on top.
    leak, markup, routes = leakage.barrier_routes(world, params, b)
    # Product tiers: a control covers the tiers whose quality lies in its band. Each tier
    # weighs in demand by share x relative quality^(sigma - 1) (a CES over tiers). Only the
    # markets of targets some state stops can have covered tiers: work on those columns.
    cols, approval = cover.cols, cover.approval
    # Re-routed goods cost the buyer the route's markup; licensed ones travel as usual. In
    # demand the illicit part of a covered tier weighs leak x markup^(1 - sigma) (a CES term
    # at its own price), so the markup never raises the price of the legal tiers.
    illicit_value = (1.0 - approval) * leak * markup ** (1.0 - sec.sigma[s])[:, None]
    # A licence costs its buyer even when approved (paperwork, months of delay, the risk
    # that spares or re-exports are refused later): a shadow cost like the risk premium,
    # acted on in demand but paid to nobody.
    licensed = approval * (1.0 + params.licence_cost) ** (1.0 - sec.sigma[s])[:, None]
    tiers = tier_cover(f.quality, sec.tier_share[s], sec.tier_quality[s], sec.sigma[s], cover.controlled,
                       cover.embargoed, cover.threshold, cover.cap,
                       licensed + illicit_value, approval + (1.0 - approval) * leak, illicit_value)
    blocked = tiers.covered_weight > 0
    # Off the columns nothing changes (kept 1, nothing illicit): full arrays are copies with
    # the columns rewritten, equal to multiplying by the widened factors.
    weight = weight.copy() if weight is pref else weight
    weight[:, cols] *= tiers.kept
    served = np.ones_like(weight) if served is None else served
    served[:, cols] *= tiers.kept
    # Buyers pay markup x the maker's price for the illicit part: fewer units per dollar.
    per_dollar = 1.0 - tiers.illicit + tiers.illicit / markup
    qty_factor = np.ones_like(weight)
    qty_factor[:, cols] = per_dollar
    illicit = np.divide(tiers.illicit / markup, per_dollar, out=np.zeros_like(per_dollar), where=per_dollar > 0)
    denial = listed_part = None
    if pol.listings:
        weight, served, denial, listed_part = reach.apply_listings(world, params, weight, served, base_price,
                                                                   content)
    return Wedges(pref, weight, base_price, duty, served, blocked, cover.enforce, illicit, tiers.available,
                  tiers.quality, denial, listed_part, qty_factor, tiers.illicit, routes, cols)


def by_firm(pair: np.ndarray, home: np.ndarray, sector: np.ndarray) -> np.ndarray:
    """(F, N) rows of an (exporter, importer, sector) array for each firm's (home, sector):
    the same values as pair[home, :, sector], gathered as whole rows from a sector-major copy."""
    return np.ascontiguousarray(pair.transpose(2, 0, 1))[sector, home]


@dataclass
class TierCover:
    """What a control's tier coverage leaves of each firm's offer in each market (F, N)."""

    kept: np.ndarray  # demand weight kept: open tiers plus what gets through of covered ones
    covered_weight: np.ndarray  # weight share of the covered tiers
    illicit: np.ndarray  # share of the kept weight (spending) that is illicit
    available: np.ndarray  # share of the firm's products (by capacity) the market can get
    quality: np.ndarray  # quality of what the market gets, relative to the firm's full mix


def tier_cover(quality, share, rel, sigma, controlled, embargoed, threshold, cap, demand_through, through,
               illicit_through):
    """Per firm and market: the open and covered parts of the firm's tier mix.

    demand_through: weight a covered tier keeps in demand (licences plus leaks at their markup);
    through: share of a covered tier's goods that gets through (for what the market can get);
    illicit_through: the illicit part of demand_through."""
    tier_weight = share * rel ** (sigma - 1.0)[:, None]  # (F, T)
    full = tier_weight.sum(axis=1)[:, None]
    kept = np.zeros_like(through)
    got = np.zeros_like(through)
    avail = np.zeros_like(through)
    covered_w = np.zeros_like(through)
    illicit_w = np.zeros_like(through)
    for t in range(share.shape[1]):
        covered = reach.covers_tier((quality * rel[:, t])[:, None], controlled, embargoed, threshold, cap)
        tw, ts = tier_weight[:, t, None], share[:, t, None]
        covered_w += np.where(covered, tw, 0.0)
        kept += np.where(covered, tw * demand_through, tw)
        got += np.where(covered, tw * through, tw)
        avail += np.where(covered, ts * through, ts)
        illicit_w += np.where(covered, tw * illicit_through, 0.0)
    mix = np.divide(got / np.maximum(avail, 1e-300), full, out=np.ones_like(got), where=avail > 0)
    return TierCover(
        kept=kept / full, covered_weight=covered_w / full,
        illicit=np.divide(illicit_w, kept, out=np.zeros_like(kept), where=kept > 0),
        available=avail, quality=mix ** (1.0 / (sigma - 1.0))[:, None],
    )
