"""Firm accounts: revenue, costs, fines, profit, investment, and exit (bankruptcy or closure)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.scenario import Params
from game.world import FirmArrays, World


@dataclass
class Accounts:
    revenue: np.ndarray
    surplus: np.ndarray  # operating surplus: revenue less variable and fixed costs and fines
    profit: np.ndarray  # surplus less the firm's own R&D
    fines: np.ndarray
    rd_spend: np.ndarray
    capacity_spend: np.ndarray


def settle(
    world: World,
    params: Params,
    sales: np.ndarray,
    lam: np.ndarray,
    policed_sales: np.ndarray,
    rd_subsidy: np.ndarray,
    capacity_subsidy: np.ndarray,
) -> Accounts:
    """Book one round for every firm and grow or shrink its capacity. Mutates firms."""
    f = world.firms
    ex_works = f.cost * world.sectors.markup[f.sector] * lam
    revenue = sales * ex_works
    # Expected fines on sales that passed a control: policed_sales is their quantity
    # times the enforcement they slipped past, so detection rises with enforcement.
    fines = params.circumvention_fine * policed_sales * ex_works
    # R&D is a budget line out of revenue (firms keep researching through a bad year,
    # but lost markets mean less of it); capacity is built from what profit is left.
    own_rd = f.rd_share * revenue
    operating = revenue - sales * f.cost - params.fixed_cost * f.cost * f.capacity - fines
    if world.market.Q0 is None:
        # The starting year is an equilibrium: a firm's overhead takes at most half of its
        # operating margin then (thin-margin sectors run leaner organisations).
        margin = np.divide(operating, revenue, out=np.zeros_like(revenue), where=revenue > 0)
        f.overhead_rate = np.clip(0.5 * margin, 0.0, params.overhead)
    # The organisation a firm has built costs the same whether its lines run or stand idle;
    # it grows with revenue at once and is cut back only gradually.
    f.sized_for = np.maximum(revenue, (1.0 - params.overhead_adjust) * f.sized_for)
    surplus = operating - f.overhead_rate * f.sized_for
    profit = surplus - own_rd
    # Firms expand only when their lines are busy: idle capacity calls for no new plant.
    utilisation = sales / np.maximum(f.capacity, 1e-12)
    # Expansion starts 0.75 utilisation (or 10 points below a lower target) and is full at target.
    lower = min(0.75, params.target_utilisation - 0.1)
    will = np.clip((utilisation - lower) / (params.target_utilisation - lower), 0.0, 1.5)
    invest = params.reinvest * np.maximum(profit, 0.0) * will
    rd_spend = own_rd + rd_subsidy
    capacity_spend = invest + capacity_subsidy
    # Capacity takes time to build: growth per round is capped (fabs and mines take
    # years), with a floor tied to the sector's size so a new champion can start.
    world_cap = np.bincount(f.sector, weights=f.capacity * f.alive, minlength=world.sectors.n)
    room = params.max_capacity_growth * f.capacity + 0.01 * world_cap[f.sector]
    added = np.minimum(capacity_spend / (params.capex * f.cost), room)
    # Firms retire part of their idle capacity (closing lines that stand empty).
    idle = np.maximum(f.capacity - sales / params.target_utilisation, 0.0)
    f.capacity = (f.capacity * (1.0 - params.depreciation) - params.idle_retirement * idle + added) * f.alive
    f.cash = f.cash + profit - invest
    # A loss is an operating loss: a firm that covers its costs but not its research budget
    # is not failing (it can cut research); one that cannot cover its costs is.
    f.loss_rounds = np.where(surplus < 0, f.loss_rounds + 1, 0)
    f.revenue, f.profit, f.sales, f.rd_spend = revenue, profit, sales, rd_spend
    return Accounts(revenue, surplus, profit, fines, rd_spend, capacity_spend)


def exits(world: World, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Live firms that leave this round after `bankruptcy_rounds` operating losses in a row:
    (bankrupt, closing) index arrays. Bankrupt: debts beyond a year's capacity cost. Closing:
    not broke, but its business has shrunk below `exit_scale` of what its organisation was
    built for, so carrying on is worth less than closing (its owners keep the cash left)."""
    f = world.firms
    failing = f.alive & (f.loss_rounds >= params.bankruptcy_rounds)
    broke = f.cash < -f.cost * f.capacity
    shrunk = f.revenue < params.exit_scale * f.sized_for
    return np.flatnonzero(failing & broke), np.flatnonzero(failing & ~broke & shrunk)


def sale_transfers(f: FirmArrays, n: int) -> np.ndarray:
    """(N,) what each state's owners receive (+) or pay (-) a round for firms sold abroad:
    the sellers were paid the price, held as a yearly annuity (price / deal_multiple) that the
    buyers pay, so a sale moves the firm's profit to its buyers without making its sellers
    poorer (they sold at a premium over its value)."""
    sold = f.seller >= 0
    if not sold.any():
        return np.zeros(n)
    income = f.sale_income[sold]
    return np.bincount(f.seller[sold], weights=income, minlength=n) - np.bincount(f.owner[sold], weights=income, minlength=n)
