"""A seed's runs of every arm, and the numbers `compare` and sweeps report from them.

This is the side of the comparison that worker processes run; the summaries, tables and
plots are in game.compare. The engine (game.model) is imported when a run starts, so a
caller that only sends seeds to workers never imports it (the workers import it in their
fork server: game.sweep.executors.start_local_workers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from game.experiment import BASELINE, VARIANTS
from game.scenario import Scenario

if TYPE_CHECKING:
    from game.model import GeoModel

METRICS = (
    "target_access",
    "target_price",
    "leakage_share",
    "controller_share",
    "allies_share",
    "target_tech_gap",
    "controller_welfare",
    "world_welfare",
)
SERIES = ("target_access", "controller_share", "allies_share", "target_tech_gap")


def replication_seeds(root: int, k: int) -> list[int]:
    """K independent seeds spawned from one root (never root + i)."""
    return [int(s.generate_state(1, np.uint32)[0]) for s in np.random.SeedSequence(root).spawn(k)]


@dataclass
class Run:
    variant: str
    seed: int
    finals: dict[str, float]
    series: dict[str, np.ndarray]


def series(model: GeoModel) -> dict[str, np.ndarray]:
    """Per-round series of a finished run, for the compare: section's roles."""
    c, h = model.spec.compare, model.datacollector
    names, sectors = model.world.states.names, model.world.sectors.names
    tgt, ctrl = names.index(c.target), names.index(c.controller)
    partners = [names.index(p) for p in c.partners]
    secs = [sectors.index(s) for s in c.sectors]
    out = [o for o in h.outcomes]
    share = np.array([o.world_share[:, secs] for o in out])  # (R, N, s)
    tech = np.array([o.tech[:, secs] for o in out])
    best_west = tech[:, [ctrl, *partners], :].max(axis=1)
    return {
        "access": np.array([o.access[tgt, secs].mean() for o in out]),
        "price": np.array([o.price_ratio[tgt, secs].mean() for o in out]),
        "received": np.array([o.received[tgt, secs].sum() for o in out]),
        "leaked": np.array([o.leaked_in[tgt, secs].sum() for o in out]),
        "controller_share": share[:, ctrl, :].mean(axis=1),
        "allies_share": share[:, partners, :].sum(axis=1).mean(axis=1),
        "target_tech_gap": (1.0 - tech[:, tgt, :] / np.maximum(best_west, 1e-12)).mean(axis=1),
        "controller_welfare": np.array([o.state_metric("welfare_change")[ctrl] for o in out]),
        "world_welfare": np.array([o.world["world_welfare_change"] for o in out]),
    }


def run_variant(scenario: Scenario, seed: int, variant: str, rounds: int | None = None) -> dict[str, np.ndarray]:
    from game.model import GeoModel

    model = GeoModel(scenario, seed=seed, variant=variant, rounds=rounds)
    model.run()
    return series(model)


def finals(series: dict[str, np.ndarray], baseline: dict[str, np.ndarray], start: int) -> tuple[dict, dict]:
    """Headline numbers of one run against its seed's no_control run, and per-round series."""
    after = slice(start, None)
    access = series["access"] / np.maximum(baseline["access"], 1e-12)
    received = series["received"][after].sum()
    values = {
        "target_access": float(series["access"][after].mean() / max(baseline["access"][after].mean(), 1e-12)),
        "target_price": float(series["price"][after].mean() / max(baseline["price"][after].mean(), 1e-12)),
        "leakage_share": float(series["leaked"][after].sum() / received) if received > 0 else 0.0,
        "controller_share": float(series["controller_share"][-1]),
        "allies_share": float(series["allies_share"][-1]),
        "target_tech_gap": float(series["target_tech_gap"][-1]),
        "controller_welfare": float(series["controller_welfare"][after].mean()),
        "world_welfare": float(series["world_welfare"][after].mean()),
    }
    per_round = {
        "target_access": access,
        "controller_share": series["controller_share"],
        "allies_share": series["allies_share"],
        "target_tech_gap": series["target_tech_gap"],
    }
    return values, per_round


def run_seed(scenario: Scenario, seed: int, rounds: int | None = None) -> list[Run]:
    """Every arm for one seed."""
    raw = {v: run_variant(scenario, seed, v, rounds) for v in VARIANTS}
    start = scenario.compare.start_round
    runs = []
    for v in VARIANTS:
        values, per_round = finals(raw[v], raw[BASELINE], start)
        runs.append(Run(v, seed, values, per_round))
    return runs


def seed_task(shared: tuple[Scenario, int | None], seed: int) -> list[Run]:
    """One task of `compare`: every arm for one seed (shared: the scenario and rounds)."""
    scenario, rounds = shared
    return run_seed(scenario, seed, rounds)
