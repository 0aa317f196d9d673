"""Build a world's arrays from a scenario and calibrate its starting market."""

from __future__ import annotations

import numpy as np

from agents.strategies import FIRM_STRATEGIES, FIRM_STRATEGY_ORDER
from game.errors import ScenarioError
from game.rng import RootSeed, keys_from
from game.scenario import Scenario
from game.world import (
    MarketState,
    World,
    build_sectors,
    build_states,
    empty_policy,
    new_firm_arrays,
)

START_CASH = 0.3  # firms start with this many rounds' worth of capacity cost in cash


def sort_firms(world: World) -> None:
    """Keep firms sorted by (sector, home, id): sector blocks and groups stay contiguous."""
    f = world.firms
    order = np.lexsort((f.ids, f.home, f.sector))
    if not np.array_equal(order, np.arange(f.n)):
        f.take(order)


def build_world(sc: Scenario, seeds: RootSeed) -> World:
    states, sectors = build_states(sc), build_sectors(sc)
    st_index = {n: i for i, n in enumerate(states.names)}
    sec_index = {n: i for i, n in enumerate(sectors.names)}
    f = new_firm_arrays(len(sc.firms))
    for i, spec in enumerate(sc.firms):
        if spec.strategy not in FIRM_STRATEGIES:
            raise ScenarioError(
                f"firms.{i}.strategy: unknown firm strategy {spec.strategy!r} "
                f"(known: {', '.join(FIRM_STRATEGY_ORDER)})"
            )
    f.names = [x.name for x in sc.firms]
    f.home = np.array([st_index[x.home] for x in sc.firms], dtype=np.int64)
    f.owner = f.home.copy()
    f.sector = np.array([sec_index[x.sector] for x in sc.firms], dtype=np.int64)
    f.capacity = np.array([x.share for x in sc.firms], dtype=float)
    f.quality = np.array([x.quality for x in sc.firms], dtype=float)
    f.cost = np.array([x.cost for x in sc.firms], dtype=float)
    f.compliance = np.array([x.compliance for x in sc.firms], dtype=float)
    f.strategy = np.array([FIRM_STRATEGY_ORDER.index(x.strategy) for x in sc.firms], dtype=np.int64)
    f.key = keys_from(seeds.firms.spawn(f.n))
    f.tech_fixed = np.full((f.n, states.n), np.nan)
    for k, spec in enumerate(sc.firms):
        if spec.tech_content:
            total = sum(spec.tech_content.values())
            f.tech_fixed[k] = [spec.tech_content.get(name, 0.0) / total for name in states.names]
    world = World(states=states, sectors=sectors, firms=f, policy=empty_policy(states.n, sectors.n))
    world.policy.screening[:] = [spec.screening for spec in sc.states.values()]
    world.next_firm_id = f.n
    sort_firms(world)
    calibrate_capacity(world, sc)
    return world


def demand_matrix(sc: Scenario, gdp: np.ndarray) -> np.ndarray:
    """(N, S) spending per round: world spending split by demand_split, the rest by GDP."""
    names = list(sc.states)
    out = np.empty((len(names), len(sc.sectors)))
    for s, spec in enumerate(sc.sectors.values()):
        world = spec.demand_share * gdp.sum()
        listed = np.array([spec.demand_split.get(n, np.nan) for n in names])
        rest = np.isnan(listed)
        left = 1.0 - np.nansum(listed)
        by_gdp = gdp * rest / gdp[rest].sum() * left if rest.any() else 0.0
        out[:, s] = world * np.where(rest, by_gdp, listed)
    return out


def calibrate_capacity(world: World, sc: Scenario) -> None:
    """Turn capacity shares into quantities so the world market starts near target utilisation,
    and set the reference demand of every market (quantity at the reference price)."""
    p, st, sec, f = sc.params, world.states, world.sectors, world.firms
    sec.frontier = np.maximum(1.0, np.array([f.quality[f.sector == s].max() for s in range(sec.n)]))
    spend = demand_matrix(sc, st.gdp)  # (N, S) $bn per round
    p_ref = np.array([np.average(f.cost[f.sector == s], weights=f.capacity[f.sector == s]) * sec.markup[s]
                      for s in range(sec.n)])
    world_qty = spend.sum(axis=0) / p_ref
    share_total = np.bincount(f.sector, weights=f.capacity, minlength=sec.n)
    f.capacity = f.capacity / share_total[f.sector] * world_qty[f.sector] / p.target_utilisation
    f.cash = START_CASH * f.cost * f.capacity
    n, s = st.n, sec.n
    f.ties = np.zeros((f.n, n))  # set to the starting equilibrium's shares by the calibration
    world.market = MarketState(
        E0=spend,
        X0=spend / p_ref[None, :],
        P0=np.ones((n, s)),
        p_ref=p_ref,
        armington=np.ones((n, n, s)),
        flows=np.zeros((f.n, n)),
        P=np.ones((n, s)),
        received=spend / p_ref[None, :],
        input_access=np.ones((n, s)),
        usable=f.capacity.copy(),
    )
