"""Leakage: how much of a controlled or embargoed flow still reaches the target, and
at what markup, through third countries and circumventing firms."""

from __future__ import annotations

import numpy as np

from game.scenario import Params
from game.world import World


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


def illicit_routes(world: World, params: Params, stopped: np.ndarray, enforcement: np.ndarray):
    """Per firm and market (F, N): the share of a covered flow that gets through illicitly,
    and the price markup it carries.

    stopped: (N, N, S) controls or embargoes in force, (controller, target, sector).
    enforcement: (F, N) enforcement of the barrier on each firm's flow to each market.
    """
    f = world.firms
    open_share = third_country_share(world, stopped)  # (target, s)
    leak_open = open_share.T[f.sector]  # (F, N): by the importer (target) and the firm's sector
    via_third = params.third_country_leakage * leak_open
    via_firm = np.minimum(1.0, 0.5 + 0.5 * leak_open)
    leak = (1.0 - enforcement) * np.where(f.circumvent[:, None], via_firm, via_third)
    return leak, params.circumvention_markup
