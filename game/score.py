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


def _seats_as_free_traders(sc: Scenario) -> Scenario:
    """The scenario with every human seat played by its fallback, the free trader."""
    if all(st.strategy.kind != "human" for st in sc.states.values()):
        return sc
    out = copy.deepcopy(sc)
    for st in out.states.values():
        if st.strategy.kind == "human":
            st.strategy.kind, st.strategy.params = "free_trader", {}
    return out


def baseline_scenario(sc: Scenario) -> Scenario:
    """The scenario as its AI strategies alone would play it: no scripted moves, and every
    human seat played by the strategy the scenario gives as its fallback (free trader)."""
    base = copy.deepcopy(sc)
    base.script = []
    return _seats_as_free_traders(base)


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


REFERENCE_SHORT = {"ai": "the AI-only baseline", "free_trade": "the free-trade run", "no_control": "the no-control arm"}


def reference_run(spec: Scenario, seed: int, rounds: int, steps: int, reference: str = "ai") -> GeoModel:
    """The reference run of a scenario of `rounds` rounds with `seed`, played for `steps`
    rounds: "ai", the scenario as its AI strategies alone would play it (no scripted moves,
    human seats played by free traders); "free_trade", every state passive; or
    "no_control", the compare: experiment's baseline arm (human seats as free traders)."""
    if reference not in REFERENCES:
        raise ValueError(f"unknown reference {reference!r} (known: {', '.join(REFERENCES)})")
    if reference == "no_control" and spec.compare is None:
        raise ValueError(f"scenario {spec.name!r} has no compare: section, so no baseline arm "
                         "(use ai or free_trade)")
    if reference == "ai":
        sc, variant = baseline_scenario(spec), None
    else:
        sc, variant = _seats_as_free_traders(spec), reference
    return GeoModel(sc, seed=seed, rounds=rounds, variant=variant).run(steps)


def reference_model(model: GeoModel, reference: str = "ai") -> GeoModel:
    """The reference run for a model, with its seed, over the rounds it has played."""
    return reference_run(model.spec, model.seed, model.rounds, model.steps, reference)


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


__all__ = ["REFERENCES", "REFERENCE_NAMES", "REFERENCE_SHORT", "baseline_scenario", "reference_model", "reference_run",
           "score_against_baseline", "scores", "zero_reasons"]
