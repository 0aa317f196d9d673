"""Welfare in levels: real consumption and equivalent variation against the starting year.

Each state's buyers value a sector's goods through the CES aggregate of the
quality-adjusted quantities they receive, weighted by preferences only (policy
wedges are costs, not tastes):

    Q_js = ( sum_f w_fj^(1/sigma) (a_f x_fj)^((sigma-1)/sigma) )^(sigma/(sigma-1))

Unrationed and at the target shares this is E_js / P_js. Preferences over
sectors are quasi-linear with a constant-elasticity demand for each composite,
Q = Q0 (P / P0)^(-eta), so the equivalent variation of buyers in (j, s) is exact:

    EV_js = u(Q_js) - u(Q0_js) - (spent_js - E0_js)
    u(Q) - u(Q0) = E0 ln(Q / Q0)                                    (eta = 1)
                 = E0 eta / (eta - 1) [ (Q / Q0)^((eta - 1)/eta) - 1 ]  (otherwise)

with Q0 and E0 the starting year's real consumption and spending.

A state's welfare change is EV of its buyers + the change in the operating
surplus of the firms it owns (subsidies received included) + the change in its
tariff revenue - its policy outlays. Subsidies are transfers: they appear once
as outlays and once as producers' income, and net out in the round they are paid.
"""

from __future__ import annotations

import numpy as np

Q_FLOOR = 1e-3  # real consumption below 0.1% of the starting year counts as 0.1%


def real_quantity(pref: np.ndarray, units: np.ndarray, sigma_f: np.ndarray, starts: np.ndarray,
                  sigma: np.ndarray, scratch: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """(N, S) CES aggregate of quality-adjusted flows (F, N: physical units x quality),
    per importer and sector. `scratch`: two arrays of the flows' shape to work in (their
    contents are overwritten), so a caller that keeps them saves two fresh allocations."""
    rho = (sigma_f - 1.0) / sigma_f
    terms, weights = (None, None) if scratch is None else scratch
    # In place on one buffer (the same products: x * y == y * x exactly).
    terms = np.maximum(units, 0.0, out=terms)
    np.power(terms, rho[:, None], out=terms)
    terms *= np.power(pref, (1.0 / sigma_f)[:, None], out=weights)
    total = np.add.reduceat(terms, starts, axis=0)  # (S, N)
    return (total ** (sigma / (sigma - 1.0))[:, None]).T


def utility_gain(Q: np.ndarray, Q0: np.ndarray, E0: np.ndarray, eta: float) -> np.ndarray:
    """u(Q) - u(Q0) in $bn for the quasi-linear constant-elasticity demand of each composite."""
    ratio = np.maximum(np.divide(Q, Q0, out=np.ones_like(Q), where=Q0 > 0), Q_FLOOR)
    if abs(eta - 1.0) < 1e-9:
        return E0 * np.log(ratio)
    k = (eta - 1.0) / eta
    return E0 * (ratio**k - 1.0) / k


def buyers_surplus(Q: np.ndarray, Q0: np.ndarray, spent: np.ndarray, spent0: np.ndarray, eta: float) -> np.ndarray:
    """(N, S) equivalent variation of each state's buyers of each sector, $bn per round.
    The utility scale is the starting year's spending (a demand shock moves demand, not
    the yardstick)."""
    return utility_gain(Q, Q0, spent0, eta) - (spent - spent0)
