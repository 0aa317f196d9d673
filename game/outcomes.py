"""Outcomes of a round, per state x sector, per state and for the world (MODEL.md, Outcomes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.pair_masks import pair_masks

STATE_METRICS = (
    "welfare",
    "welfare_change",
    "trade_volume",
    "autonomy",
    "indispensability",
    "dependence",
    "hhi",
    "tech_level",
    "cohesion",
    "fiscal_cost",
    "coercion_attempts",
    "concessions",
    "welfare_pct_gdp",
    "buyers_surplus",
    "producers_surplus",
    "tariff_revenue",
)
# The welfare decomposition (welfare table): parts that add up to welfare_change.
WELFARE_PARTS = ("buyers_surplus", "producers_surplus", "tariff_revenue", "fiscal")


@dataclass
class Outcomes:
    """One round's results. (N, S) arrays are indexed (state, sector)."""

    world_share: np.ndarray  # value share of world sales by home state
    volume_share: np.ndarray  # quantity share of world sales by home state
    capacity_share: np.ndarray
    tech: np.ndarray  # best relative quality of the state's firms
    price_ratio: np.ndarray  # P / P0: the quality-adjusted CES price index in the state's market
    received: np.ndarray  # physical quantity bought
    access: np.ndarray  # real (quality-adjusted) quantity received against the start, 1 at the start
    leaked_in: np.ndarray  # physical quantity that reached the state past a control or embargo
    supply_share: np.ndarray  # (N importer, N supplier, S) value shares of what each state bought, by origin
    state: np.ndarray  # (N, len(STATE_METRICS))
    world: dict[str, float]
    # Bilateral trade, (S, N exporter, N importer): the flows table.
    trade_qty: np.ndarray | None = None  # physical quantity
    trade_value: np.ndarray | None = None  # buyers' duty-inclusive spending, $bn
    trade_duty: np.ndarray | None = None  # tariff collected by the importer, $bn
    trade_leaked: np.ndarray | None = None  # physical quantity that passed a control or embargo
    # The hubs that carried the leaked goods: rows (sector, exporter, importer, hub, quantity, value $bn),
    # indices as floats, one per route with a positive quantity (game.rules.leakage.leaked_by_route).
    trade_routes: np.ndarray | None = None

    def state_metric(self, name: str) -> np.ndarray:
        return self.state[:, STATE_METRICS.index(name)]


def crit_mean(values: np.ndarray, crit: np.ndarray) -> np.ndarray:
    """Criticality-weighted mean over the sector axis (last)."""
    w = crit if crit.sum() > 0 else np.ones_like(crit)
    return (values * w).sum(axis=-1) / w.sum()


def state_outcomes(
    *,
    names_n: int,
    gdp: np.ndarray,
    buyers: np.ndarray,
    producers: np.ndarray,
    tariff_revenue: np.ndarray,
    fiscal: np.ndarray,
    exports: np.ndarray,
    imports: np.ndarray,
    supply_share: np.ndarray,
    world_share: np.ndarray,
    tech: np.ndarray,
    crit: np.ndarray,
    same_bloc: np.ndarray,
    trust: np.ndarray,
    attempts: np.ndarray,
    concessions: np.ndarray,
) -> np.ndarray:
    """Per-state metrics. Welfare parts are changes against the starting year, $bn per
    round (game.welfare); fiscal is the round's policy outlay (a positive cost)."""
    change = buyers + producers + tariff_revenue - fiscal
    n = names_n
    home = pair_masks(n).home
    own_or_ally = same_bloc | home
    autonomy = crit_mean((supply_share * own_or_ally[:, :, None]).sum(axis=1), crit)
    foreign = np.where(home[:, :, None], 0.0, supply_share)
    dependence = crit_mean(foreign.max(axis=1), crit)
    hhi = crit_mean((supply_share**2).sum(axis=1), crit)
    partners = same_bloc.sum(axis=1)
    others = np.where(home, 0.0, trust)
    cohesion = np.where(
        partners > 0,
        (trust * same_bloc).sum(axis=1) / np.maximum(partners, 1),
        others.sum(axis=1) / max(n - 1, 1),
    )
    return np.stack(  # one column per metric (np.column_stack's result, fewer calls)
        [
            gdp + change,
            change,
            exports + imports,
            autonomy,
            crit_mean(world_share, crit),
            dependence,
            hhi,
            crit_mean(tech, crit),
            cohesion,
            fiscal,
            attempts,
            concessions,
            100.0 * change / gdp,
            buyers,
            producers,
            tariff_revenue,
        ],
        axis=1,
    )
