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


REFERENCES = ("ai", "free_trade", "no_control")
REFERENCE_NAMES = {
    "ai": "the AI-only baseline run (the scenario's strategies, no scripted moves, human seats as free traders)",
    "free_trade": "the free-trade run (every state passive)",
    "no_control": "the scenario's baseline arm (compare: no_control, the compared control not imposed)",
}


def reference_model(model: GeoModel, reference: str = "ai") -> GeoModel:
    """The reference run, with the model's seed and rounds, played to the end."""
    if reference not in REFERENCES:
        raise ValueError(f"unknown reference {reference!r} (known: {', '.join(REFERENCES)})")
    if reference == "free_trade":
        base = GeoModel(model.spec, seed=model.seed, rounds=model.steps, variant="free_trade")
    elif reference == "no_control":
        if model.spec.compare is None:
            raise ValueError(f"scenario {model.spec.name!r} has no compare: section, so no baseline arm "
                             "(use ai or free_trade)")
        base = GeoModel(model.spec, seed=model.seed, rounds=model.steps, variant="no_control")
    else:
        base = GeoModel(baseline_scenario(model.spec), seed=model.seed, rounds=model.steps)
    return base.run()


def score_against_baseline(model: GeoModel, reference: str = "ai") -> pd.DataFrame:
    """Play the reference run with the same seed and rounds, then score the model against it.

    reference: "ai", the scenario as its AI strategies alone would play it (no scripted
    moves, human seats played by free traders); "free_trade", every state passive; or
    "no_control", the compare: experiment's baseline arm.
    """
    return scores(model, reference_model(model, reference))


def zero_reasons(table: pd.DataFrame, model: GeoModel, reference: str) -> list[str]:
    """Why a column of the score table is all zero, in words (never a silent column of zeros)."""
    zero = [c for c in table.columns if (table[c].abs() < 1e-9).all()]
    if not zero:
        return []
    if len(zero) == len(table.columns):
        if reference == "ai" and not model.spec.script and all(
                st.strategy.kind != "human" for st in model.spec.states.values()):
            return [("every column is zero: this run is its own reference (no state is scripted or human, so "
                     "the AI-only baseline is the same game with the same seed); score --against free_trade or "
                     "no_control")]
        return ["every column is zero: this run and the reference played out identically"]
    why = {
        "cohesion": "no coalition or bloc control differed between the two runs",
        "technology": "no state's technology level differed (the same R&D, controls and secrecy in both)",
        "security": "no state's autonomy differed (the same suppliers in both)",
        "welfare": "no state's welfare differed",
    }
    return [f"{c} is zero for every state: {why.get(c, 'identical in both runs')}" for c in zero]


__all__ = ["REFERENCES", "REFERENCE_NAMES", "baseline_scenario", "reference_model", "score_against_baseline",
           "scores", "zero_reasons"]
