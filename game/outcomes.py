"""Outcomes of a round, per state x sector, per state and for the world (MODEL.md, Outcomes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
)


@dataclass
class Outcomes:
    """One round's results. (N, S) arrays are indexed (state, sector)."""

    world_share: np.ndarray  # value share of world sales by home state
    volume_share: np.ndarray  # quantity share of world sales by home state
    capacity_share: np.ndarray
    tech: np.ndarray  # best relative quality of the state's firms
    price_ratio: np.ndarray  # P / P0 in the state's market
    received: np.ndarray  # quantity bought
    access: np.ndarray  # real quantity index of what was bought, 1 at the start
    leaked_in: np.ndarray  # quantity that reached the state past a control or embargo
    supply_share: np.ndarray  # (N importer, N supplier, S)
    state: np.ndarray  # (N, len(STATE_METRICS))
    world: dict[str, float]

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
    E0: np.ndarray,
    P_ratio: np.ndarray,
    demanded: np.ndarray,
    received: np.ndarray,
    home_profit: np.ndarray,
    tariff_revenue: np.ndarray,
    fiscal: np.ndarray,
    welfare0: np.ndarray,
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
    # Real income: GDP less the consumer cost of dearer goods (log price index, first
    # order) and of unmet demand, plus home firms' profits and tariff revenue, less
    # what policy cost the budget.
    consumer_loss = (E0 * np.log(P_ratio)).sum(axis=1)
    filled = np.divide(received, demanded, out=np.ones_like(demanded), where=demanded > 0)
    shortage = (E0 * np.clip(1.0 - filled, 0.0, 1.0)).sum(axis=1)
    welfare = gdp - consumer_loss - shortage + home_profit + tariff_revenue - fiscal
    n = names_n
    own_or_ally = same_bloc | np.eye(n, dtype=bool)
    autonomy = crit_mean((supply_share * own_or_ally[:, :, None]).sum(axis=1), crit)
    foreign = np.where(np.eye(n, dtype=bool)[:, :, None], 0.0, supply_share)
    dependence = crit_mean(foreign.max(axis=1), crit)
    hhi = crit_mean((supply_share**2).sum(axis=1), crit)
    partners = same_bloc.sum(axis=1)
    others = np.where(np.eye(n, dtype=bool), 0.0, trust)
    cohesion = np.where(
        partners > 0,
        (trust * same_bloc).sum(axis=1) / np.maximum(partners, 1),
        others.sum(axis=1) / max(n - 1, 1),
    )
    return np.column_stack(
        [
            welfare,
            welfare - welfare0,
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
        ]
    )
