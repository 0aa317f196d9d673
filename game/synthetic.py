"""Synthetic worlds of any size, for benchmarks and stress tests."""

from __future__ import annotations

import numpy as np

from game.scenario import Scenario, scenario_from_dict

STATE_STRATEGY_MIX = ("free_trader", "high_fence", "coalition_builder", "coercer", "hedger", "tit_for_tat")


def synthetic_scenario(n_states: int, n_sectors: int, n_firms: int, seed: int = 0, rounds: int = 20) -> Scenario:
    """A random but well-formed world: three blocs, chained input links, firms spread
    over states and sectors with skewed shares, a mix of AI strategies."""
    rng = np.random.default_rng(seed)
    states = [f"S{i:03d}" for i in range(n_states)]
    sectors = [f"sec{i:02d}" for i in range(n_sectors)]
    gdp = np.round(rng.lognormal(6.0, 1.2, n_states) + 10.0, 1)
    bloc_of = rng.integers(0, 3, n_states)
    state_data = {}
    for i, name in enumerate(states):
        rivals = [states[j] for j in rng.choice(n_states, size=min(2, n_states - 1), replace=False)
                  if j != i and bloc_of[j] != bloc_of[i]]
        state_data[name] = {
            "gdp": float(gdp[i]),
            "rivals": rivals,
            "strategy": {"kind": STATE_STRATEGY_MIX[i % len(STATE_STRATEGY_MIX)]},
        }
    sector_data = {}
    for k, name in enumerate(sectors):
        spec = {
            "demand_share": float(rng.uniform(0.0005, 0.003)),
            "sigma": float(rng.uniform(2.0, 6.0)),
            "criticality": float(rng.uniform(0.2, 1.0)),
            "dual_use": bool(k % 2 == 0),
        }
        if k > 0 and k % 3 != 0:
            spec["inputs"] = {sectors[k - 1]: float(rng.uniform(0.1, 0.5))}
        sector_data[name] = spec
    # Every sector gets at least one firm; the rest land where GDP is.
    homes = np.concatenate([rng.choice(n_states, n_sectors), rng.choice(n_states, n_firms - n_sectors, p=gdp / gdp.sum())])
    secs = np.concatenate([np.arange(n_sectors), rng.integers(0, n_sectors, n_firms - n_sectors)])
    firms = [
        {"name": f"F{j:06d}", "home": states[homes[j]], "sector": sectors[secs[j]],
         "share": float(rng.pareto(1.5) + 0.1), "quality": float(rng.uniform(0.5, 1.0)),
         "cost": float(rng.uniform(0.8, 1.3)), "compliance": float(rng.uniform(0.2, 0.95))}
        for j in range(n_firms)
    ]
    blocs = {f"B{b}": {"members": [s for s, x in zip(states, bloc_of) if x == b], "tech_sharing": True}
             for b in range(3) if (bloc_of == b).sum() >= 2}
    data = {"name": f"synthetic-{n_states}x{n_sectors}x{n_firms}", "rounds": rounds, "states": state_data,
            "sectors": sector_data, "firms": firms, "blocs": blocs}
    # A generated world is as big as asked (tens of thousands of firms): no file-size limit.
    return scenario_from_dict(data, "synthetic", max_values=10**9)
