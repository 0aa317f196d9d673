"""Policy wedges per (exporter, importer, sector), gathered to firm x market arrays.

Tariffs and distance raise delivered prices; import exclusions and
diversification lower demand weights; export controls and embargoes block
flows, except what leaks through third countries and circumventing firms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.scenario import Params
from game.world import World

EMBARGO_ENFORCEMENT = 0.95  # a state halting its own exports polices them tightly


@dataclass
class Wedges:
    weight: np.ndarray  # (F, N)
    base_price: np.ndarray  # (F, N) at lam = 1
    blocked: np.ndarray | None  # (F, N) bool, or None when nothing is controlled
    enforce: np.ndarray | None  # (F, N) enforcement of the barrier on each flow


def active_blocks(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, N, S) masks: controls in force, embargoes in force, and their enforcement."""
    pol = world.policy
    embargo = world.embargo_active()
    enforce = np.where(embargo, np.maximum(pol.enforcement, EMBARGO_ENFORCEMENT), pol.enforcement)
    return pol.control, embargo, enforce


def third_country_share(world: World, stopped: np.ndarray) -> np.ndarray:
    """(N target, S): share of the rest of the world's demand in states that do not stop flows
    to the target, i.e. how many routes a transshipment can take."""
    X0 = world.market.E0  # (N, S) spending as the weight of each route
    n = world.states.n
    # A third state k is an open route to target j in sector s if k itself does not stop j.
    not_stopping = ~stopped  # (k, j, s)
    eye = np.eye(n, dtype=bool)[:, :, None]
    routes = np.where(eye, 0.0, not_stopping * X0[:, None, :]).sum(axis=0)  # (j, s)
    total = np.where(eye, 0.0, X0[:, None, :]).sum(axis=0)
    return np.divide(routes, total, out=np.zeros_like(routes), where=total > 0)


def compute_wedges(world: World, params: Params, usable: np.ndarray) -> Wedges:
    f, pol, sec = world.firms, world.policy, world.sectors
    n = world.states.n
    home, s = f.home, f.sector
    relq = f.quality / sec.frontier[s]
    # Capacity mostly acts on supply (prices rise as lines fill up); it enters demand
    # weakly, as a share of the sector's world capacity to the power capacity_weight
    # (bigger firms are present in more markets), so a firm that closes idle lines
    # gets busier instead of losing its customers in proportion.
    world_usable = np.bincount(s, weights=usable, minlength=sec.n)
    presence = (usable / np.maximum(world_usable[s], 1e-12)) ** params.capacity_weight
    firm_weight = f.appeal * presence * relq**params.quality_weight

    # Pair-level factors first (N x N x S is small), then one gather to firms x markets.
    # Trade agreements halve the cost of distance between members.
    agreement = world.states.trade_agreement.astype(float)
    distance = 1.0 + params.distance_cost * (1.0 - np.eye(n)) * (1.0 - 0.5 * agreement)
    price_pair = (1.0 + pol.tariff) * distance[:, :, None]  # (exporter, importer, s)
    bias = np.where(np.eye(n, dtype=bool), params.home_bias, 1.0)
    # Importer-side: diversification and exclusion are indexed (importer, exporter, s).
    buy = (1.0 - pol.diversification) * (1.0 - pol.risk) * ~pol.exclusion
    weight_pair = buy.transpose(1, 0, 2) * bias[:, :, None]  # -> (exporter, importer, s)

    base_price = (f.cost * params.markup)[:, None] * price_pair[home, :, s]
    weight = firm_weight[:, None] * weight_pair[home, :, s]

    control, embargo, enforce = active_blocks(world)
    if not (control.any() or embargo.any()):
        return Wedges(weight, base_price, None, None)

    threshold = np.where(
        np.isnan(pol.control_fixed), pol.control_share * sec.frontier[None, None, :], pol.control_fixed
    )
    threshold = np.where(pol.control_broad, 0.0, threshold)
    blocked = embargo[home, :, s] | (control[home, :, s] & (f.quality[:, None] >= threshold[home, :, s]))
    open_share = third_country_share(world, control | embargo)  # (target, s)
    leak_open = open_share.T[s]  # (F, N): by the importer (target) and the firm's sector
    e = enforce[home, :, s]
    via_third = params.third_country_leakage * leak_open
    via_firm = np.minimum(1.0, 0.5 + 0.5 * leak_open)
    # The share of a blocked flow that still gets through.
    leak = (1.0 - e) * np.where(f.circumvent[:, None], via_firm, via_third)
    weight = np.where(blocked, weight * leak, weight)
    base_price = np.where(blocked, base_price * params.circumvention_markup, base_price)
    return Wedges(weight, base_price, blocked, e)
