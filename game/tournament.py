"""Tournaments: each candidate strategy for one state against the scenario's others.

Every candidate is played on the same seeds (a paired comparison: the seeds' shared luck
cancels in the differences) through the sweep machinery (game.sweep: serial, local
processes or Dask give the same numbers). A run's score is the state's own objective,
as game.score weighs it: welfare change in basis points of GDP, autonomy, technology
level and cohesion in percentage points, weighted by the state's objectives and
averaged over the rounds played (round 0, before any move, left out).

Best responses (game.best_response) are tournaments in turn.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from game.compare import mean_ci
from game.errors import HighfenceError
from game.scenario import Scenario, load_scenario

OBJECTIVE_METRICS = ("welfare_change", "autonomy", "tech_level", "cohesion")
HUMAN_KINDS = ("human",)


@dataclass(frozen=True)
class Entry:
    """One candidate's record: its mean score over the seeds and a 95% t interval."""

    state: str
    strategy: str
    score_mean: float
    ci_low: float
    ci_high: float
    n: int

    def as_record(self) -> dict:
        return asdict(self)


@dataclass
class Result:
    """A ranked tournament: entries best first, and each run's score (for paired differences)."""

    state: str
    entries: list[Entry]
    runs: pd.DataFrame  # columns strategy, seed, score
    rounds: int
    variant: str | None = None
    profile: dict[str, str] = field(default_factory=dict)

    def paired_difference(self, a: str, b: str) -> tuple[float, float, float]:
        """Mean of score(a) - score(b) over the shared seeds, with its 95% t interval."""
        wide = self.runs.pivot(index="seed", columns="strategy", values="score")
        return mean_ci(wide[a].to_numpy() - wide[b].to_numpy())

    def table(self) -> str:
        best = self.entries[0].strategy
        lines = [f"{'rank':>4}  {'strategy':<20}{'score':>9}  {'95% CI':>19}  {'vs best (paired)':>26}  n"]
        for rank, e in enumerate(self.entries, 1):
            if e.strategy == best:
                vs = "-"
            else:
                d, lo, hi = self.paired_difference(e.strategy, best)
                vs = f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}]"
            lines.append(f"{rank:>4}  {e.strategy:<20}{e.score_mean:>9.2f}  [{e.ci_low:>8.2f}, {e.ci_high:>8.2f}]"
                         f"  {vs:>26}  {e.n}")
        return "\n".join(lines)


def objective_weights(scenario: Scenario, state: str) -> np.ndarray:
    from game.world import OBJECTIVES

    obj = scenario.states[state].objectives
    return np.array([getattr(obj, o) for o in OBJECTIVES], dtype=float)


def run_scores(series: pd.DataFrame, state: str, weights: np.ndarray, gdp: float) -> pd.Series:
    """Each run's score for `state` from the sweep's per-round table (index: run_id)."""
    played = series[series["round"] > 0]
    means = played.groupby("run_id")[[f"{m}.{state}" for m in OBJECTIVE_METRICS]].mean()
    points = np.column_stack([
        means[f"welfare_change.{state}"] / gdp * 1e4,  # basis points of GDP
        means[f"autonomy.{state}"] * 100,
        means[f"tech_level.{state}"] * 100,
        means[f"cohesion.{state}"] * 100,
    ])
    return pd.Series(points @ weights, index=means.index, name="score")


def check_state(scenario: Scenario, state: str) -> None:
    if state not in scenario.states:
        raise HighfenceError(f"--state {state!r}: not a state of scenario {scenario.name!r} "
                             f"(states: {', '.join(scenario.states)})")


def check_candidates(candidates: Sequence[str]) -> list[str]:
    from agents.strategies import STATE_STRATEGIES

    out = list(dict.fromkeys(candidates))
    bad = [c for c in out if c not in STATE_STRATEGIES or c in HUMAN_KINDS]
    if bad:
        known = ", ".join(k for k in sorted(STATE_STRATEGIES) if k not in HUMAN_KINDS)
        raise HighfenceError(f"--strategies: unknown or unplayable strategy {', '.join(map(repr, bad))} (known: {known})")
    if not out:
        raise HighfenceError("--strategies: expected at least one strategy")
    return out


def play(scenario_path: str | Path, state: str, candidates: Sequence[str], seeds: int = 10, *,
         rounds: int | None = None, profile: dict[str, str] | None = None, variant: str | None = None,
         executor: str = "local", workers: int | None = None, seed: int = 0, out: str | Path | None = None,
         progress: bool | None = None, overrides: dict | None = None) -> Result:
    """Play every candidate for `state` on the same `seeds` seeds; rank them by the state's score.

    profile: other states' strategy kinds (default parameters) to fix, e.g. a best-response path.
    overrides: further scenario paths to set (e.g. a candidate's parameters).
    out: keep the sweep's Parquet results here (resumable); default a temporary directory.
    """
    from game.sweep import Sweep, SweepSpec, load_results, run_sweep

    scenario = load_scenario(scenario_path)
    check_state(scenario, state)
    candidates = check_candidates(candidates)
    if seeds < 2:
        raise HighfenceError("--seeds: expected at least 2 seeds (a confidence interval needs a spread)")
    fixed: dict = {f"states.{state}.strategy.params": {}}
    for other, kind in (profile or {}).items():
        check_state(scenario, other)
        if other != state:
            fixed[f"states.{other}.strategy.kind"] = kind
            fixed[f"states.{other}.strategy.params"] = {}
    if rounds is not None:
        if rounds < 1:
            raise HighfenceError("--rounds: expected a positive number of rounds")
        fixed["rounds"] = rounds
    fixed.update(overrides or {})
    spec = SweepSpec.model_validate({
        "name": f"tournament-{scenario.name}-{state}",
        "scenario": str(Path(scenario_path).resolve()),
        "fixed": fixed,
        "variant": variant,
        "factors": {f"states.{state}.strategy.kind": candidates},
        "replications": seeds,
        "seed": seed,
        "outcomes": {"finals": [f"welfare_change.{state}"],
                     "series": [f"{m}.{state}" for m in OBJECTIVE_METRICS]},
    })
    sweep = Sweep(spec, Path(scenario_path), source=f"tournament for {state}")
    with tempfile.TemporaryDirectory(prefix="highfence-tournament-") as tmp:
        where = Path(out) if out is not None else Path(tmp) / "runs"
        run_sweep(sweep, where, workers=workers, executor=executor, progress=progress)
        finals = load_results(where)
        series = load_results(where, series=True)
    gdp = float(sweep.scenario.states[state].gdp)
    scores = run_scores(series, state, objective_weights(sweep.scenario, state), gdp)
    factor = f"states.{state}.strategy.kind"
    runs = finals[["run_id", factor, "seed"]].rename(columns={factor: "strategy"})
    runs = runs.assign(score=runs["run_id"].map(scores)).drop(columns="run_id")
    entries = []
    for name, group in runs.groupby("strategy", sort=False):
        m, lo, hi = mean_ci(group["score"].to_numpy())
        entries.append(Entry(state, str(name), m, lo, hi, len(group)))
    entries.sort(key=lambda e: (-e.score_mean, e.strategy))
    return Result(state, entries, runs.sort_values(["strategy", "seed"]).reset_index(drop=True),
                  sweep.scenario.rounds, variant, dict(profile or {}))


def plot(result: Result, path: str | Path, scenario: Scenario) -> Path:
    """Each candidate's mean score with its 95% interval, best at the top, in the state's colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from game.web.palette import state_colour

    colour = state_colour(list(scenario.states).index(result.state))
    entries = result.entries[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(entries) + 1.5))
    y = np.arange(len(entries))
    means = np.array([e.score_mean for e in entries])
    err = np.array([[e.score_mean - e.ci_low for e in entries], [e.ci_high - e.score_mean for e in entries]])
    ax.errorbar(means, y, xerr=err, fmt="o", color=colour, ecolor=colour, capsize=4)
    ax.set_yticks(y, [e.strategy for e in entries])
    ax.set_xlabel(f"{result.state}'s objective score (points; mean over rounds, 95% CI)")
    n = entries[0].n if entries else 0
    ax.set_title(f"{result.state} in {scenario.name}: {n} paired seeds x {result.rounds} rounds")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


__all__ = ["Entry", "Result", "mean_ci", "play", "plot", "run_scores"]
