"""Coercion's lasting effects: diversification programmes move importers'
purchases away from a supplier over several rounds."""

from __future__ import annotations

import numpy as np

from game.scenario import Params
from game.world import World


def advance_diversification(world: World, params: Params) -> None:
    """Each (importer, supplier, sector) programme closes part of its gap every round."""
    pol = world.policy
    gap = pol.diversify_target - pol.diversification
    pol.diversification += params.diversification_speed * np.maximum(gap, 0.0)


def advance_supplier_risk(world: World, params: Params, capacity_share: np.ndarray) -> None:
    """Buyers everywhere discount suppliers whose export restrictions could cut them off,
    as far as unrestricted suppliers exist to switch to ("designing out" a supplier).

    capacity_share: (N, S) each state's share of world capacity. When every major
    supplier restricts alike, there is nowhere to go and the discount stays small.
    """
    pol = world.policy
    restricting = (pol.control | world.embargo_active()).any(axis=1)  # (supplier, s)
    free_share = (capacity_share * ~restricting).sum(axis=0)  # (s,) capacity of unrestricted states
    target = params.reliability_aversion * restricting * free_share[None, :]  # (supplier, s)
    target = np.broadcast_to(target[None, :, :], pol.risk.shape).copy()
    np.einsum("iis->is", target)[:] = 0.0  # nobody discounts its own firms
    pol.risk += params.diversification_speed * (target - pol.risk)


def firm_requests(world: World, params: Params, wants: np.ndarray) -> None:
    """Firms short of inputs ask for other suppliers: a state's programme away from each
    supplier that restricts an input it needs grows with the share of its downstream
    capacity that asked."""
    f, needs, pol = world.firms, world.sectors.inputs, world.policy
    n, s_n = world.states.n, world.sectors.n
    asked = np.zeros((n, s_n))
    np.add.at(asked, (f.home[wants], f.sector[wants]), f.capacity[wants])
    total = np.zeros((n, s_n))
    np.add.at(total, (f.home, f.sector), f.capacity)
    frac = np.divide(asked, total, out=np.zeros_like(asked), where=total > 0)  # (state, downstream sector)
    pressure = frac @ needs  # (state j, input r)
    barred = (pol.control | world.embargo_active()).transpose(1, 0, 2)  # (j, supplier k, r)
    step = 0.5 * params.diversification_speed * pressure[:, None, :] * barred
    pol.diversify_target[:] = np.minimum(params.diversification_max, pol.diversify_target + step)
