"""Each state's score against the scenario's baseline run, weighted by its objectives
(for tabletop debriefs): welfare in basis points of GDP, security (strategic autonomy),
technology and cohesion in percentage points, all as means over the rounds played."""

from __future__ import annotations

import copy

import pandas as pd

from game.model import GeoModel
from game.scenario import Scenario
from game.world import OBJECTIVES

COMPONENTS = {"welfare": "welfare_change", "security": "autonomy", "technology": "tech_level", "cohesion": "cohesion"}


def baseline_scenario(sc: Scenario) -> Scenario:
    """The scenario as its AI strategies alone would play it: no scripted moves, and every
    human seat played by the strategy the scenario gives as its fallback (free trader)."""
    base = copy.deepcopy(sc)
    base.script = []
    for st in base.states.values():
        if st.strategy.kind == "human":
            st.strategy.kind, st.strategy.params = "free_trader", {}
    return base


def _means(model: GeoModel) -> pd.DataFrame:
    df = model.datacollector.get_agent_vars_dataframe()
    df = df[df.index.get_level_values("Step") > 0]
    return df.groupby(level="AgentID", sort=False)[list(COMPONENTS.values())].mean()


def scores(model: GeoModel, baseline: GeoModel) -> pd.DataFrame:
    """Per state: each component's gain over the baseline, in points, and the weighted score."""
    run, base = _means(model), _means(baseline)
    gdp = pd.Series(model.world.states.gdp, index=model.world.states.names)
    gain = pd.DataFrame(index=run.index)
    gain["welfare"] = (run["welfare_change"] - base["welfare_change"]) / gdp * 1e4
    for obj in ("security", "technology", "cohesion"):
        col = COMPONENTS[obj]
        gain[obj] = (run[col] - base[col]) * 100
    weights = pd.DataFrame(model.world.states.objectives, index=model.world.states.names, columns=OBJECTIVES)
    gain["score"] = (gain[list(OBJECTIVES)] * weights).sum(axis=1)
    return gain


REFERENCES = ("ai", "free_trade")


def score_against_baseline(model: GeoModel, reference: str = "ai") -> pd.DataFrame:
    """Play the reference run with the same seed and rounds, then score the model against it.

    reference: "ai", the scenario as its AI strategies alone would play it (no scripted
    moves, human seats played by free traders); or "free_trade", every state passive.
    """
    if reference not in REFERENCES:
        raise ValueError(f"unknown reference {reference!r} (known: {', '.join(REFERENCES)})")
    if reference == "free_trade":
        base = GeoModel(model.spec, seed=model.seed, rounds=model.steps, variant="free_trade")
    else:
        base = GeoModel(baseline_scenario(model.spec), seed=model.seed, rounds=model.steps)
    base.run()
    return scores(model, base)


__all__ = ["baseline_scenario", "score_against_baseline", "scores"]
