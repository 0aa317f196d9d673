"""The "know" view: where world supply is concentrated and who depends on it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from game.model import GeoModel

CHOKEPOINT_SHARE = 0.5  # one state holding this much of world supply makes a chokepoint


def sector_table(model: GeoModel) -> pd.DataFrame:
    """Per sector: leading state and its share, state HHI, top-3 firms' share, dependants."""
    w, o = model.world, model.outcomes
    f = w.firms
    rows = []
    for s, name in enumerate(w.sectors.names):
        share = o.capacity_share[:, s]
        top = int(np.argmax(share))
        in_s = (f.sector == s) & f.alive
        caps = np.sort(f.capacity[in_s])[::-1]
        dependants = [
            f"{w.states.names[j]} {o.supply_share[j, top, s]:.0%}"
            for j in np.argsort(-o.supply_share[:, top, s])
            if j != top and o.supply_share[j, top, s] >= 0.3
        ]
        rows.append({
            "sector": name,
            "criticality": w.sectors.criticality[s],
            "leader": w.states.names[top],
            "leader_share": share[top],
            "state_hhi": float((share**2).sum()),
            "top3_firms_share": float(caps[:3].sum() / caps.sum()) if caps.sum() > 0 else 0.0,
            "chokepoint": bool(share[top] >= CHOKEPOINT_SHARE),
            "dependants (share from leader)": ", ".join(dependants) or "-",
        })
    return pd.DataFrame(rows).set_index("sector")


def state_table(model: GeoModel) -> pd.DataFrame:
    df = model.datacollector.get_agent_vars_dataframe().xs(model.steps, level="Step")
    return df[["autonomy", "indispensability", "dependence", "hhi"]]
