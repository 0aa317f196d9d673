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


FRONTIER_BAND = 0.9  # a product tier within 10% of the frontier counts as frontier supply
DE_MINIMIS = 0.25  # the usual de minimis share for a direct-product rule
ANY_CONTENT = 0.05  # a rule with no de minimis (the 2020 FDPR), counting only real use of the technology


def _top(shares: np.ndarray, names: list[str], k: int = 3) -> str:
    order = np.argsort(-shares)[:k]
    return ", ".join(f"{names[i]} {shares[i]:.0%}" for i in order if shares[i] >= 0.005) or "-"


def frontier_table(model: GeoModel) -> pd.DataFrame:
    """Per dual-use sector: who makes the frontier tier, whose technology is in it, and
    which states could deny it to others alone, or with a direct-product rule (reaching
    goods made abroad with more than the de minimis share of their technology)."""
    from game.rules.reach import tech_content

    w = model.world
    f, sec, names = w.firms, w.sectors, w.states.names
    content = tech_content(w)  # (F, N)
    rows = []
    for s in np.flatnonzero(sec.dual_use):
        in_s = (f.sector == s) & f.alive
        level = f.quality[:, None] * sec.tier_quality[s][None, :]
        frontier_cap = (f.capacity[:, None] * sec.tier_share[s][None, :] * (level >= FRONTIER_BAND * sec.frontier[s])).sum(axis=1)
        frontier_cap = np.where(in_s, frontier_cap, 0.0)
        total = frontier_cap.sum()
        if total <= 0:
            continue
        made = np.bincount(f.home, weights=frontier_cap, minlength=len(names)) / total
        origin = (frontier_cap[:, None] * content).sum(axis=0) / total
        def reach(dm: float, cap: np.ndarray = frontier_cap) -> np.ndarray:
            """Share of the frontier tier each state's control would cover with a rule at `dm`."""
            covered = (f.home[:, None] == np.arange(len(names))[None, :]) | (content > dm)
            return (cap[:, None] * covered).sum(axis=0) / cap.sum()

        def deniers(share: np.ndarray) -> str:
            return _top(np.where(share >= 0.5, share, 0.0), names) if (share >= 0.5).any() else "-"

        rows.append({
            "sector": sec.names[s],
            "frontier tier made in": _top(made, names),
            "technology from": _top(origin, names),
            "can deny alone": deniers(made),
            f"with a DPR (de minimis {DE_MINIMIS:.0%})": deniers(reach(DE_MINIMIS)),
            f"with a DPR (de minimis {ANY_CONTENT:.0%})": deniers(reach(ANY_CONTENT)),
        })
    return pd.DataFrame(rows).set_index("sector")


def state_table(model: GeoModel) -> pd.DataFrame:
    """Each state's autonomy, indispensability, dependence and supplier HHI now, by state name."""
    df = model.datacollector.get_agent_vars_dataframe().xs(model.steps, level="Step")
    return df[["autonomy", "indispensability", "dependence", "hhi"]].rename_axis("state")
