"""The headline comparison: free trade, no control, unilateral and coordinated, over seeds.

Every seed runs every arm (common random numbers). `target_access` is the real
(quality-adjusted) quantity of the controlled goods the target receives against
the `no_control` run of the same seed; `target_price` is its price index against
that run, reported beside it; `leakage_share` is the physical quantity that got
past the control over the quantity received.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from game.experiment import BASELINE, VARIANTS
from game.model import GeoModel
from game.scenario import Scenario

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


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    if len(x) < 2:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def summarise(runs: list[Run]) -> list[dict]:
    """Records {variant, metric, mean, ci_low, ci_high, n} for every variant and metric."""
    rows = []
    for v in VARIANTS:
        mine = [r for r in runs if r.variant == v]
        for metric in METRICS:
            m, lo, hi = mean_ci(np.array([r.finals[metric] for r in mine]))
            rows.append({"variant": v, "metric": metric, "mean": m, "ci_low": lo, "ci_high": hi, "n": len(mine)})
    return rows


def _seed_task(shared: tuple[Scenario, int | None], seed: int) -> list[Run]:
    scenario, rounds = shared
    return run_seed(scenario, seed, rounds)


def compare(scenario: Scenario, seeds: list[int], rounds: int | None = None, progress=None,
            executor: str = "serial", workers: int | None = None, scheduler: str | None = None) -> list[Run]:
    """Every arm for every seed, in seed order whatever the executor.

    executor: "serial" (this process), "local" (a process pool of `workers`) or "dask"
    (a LocalCluster, or the running cluster at `scheduler`): the sweep executors
    (game.sweep.executors). A seed's runs depend only on (scenario, seed, rounds), so
    every executor gives the same numbers bit for bit."""
    if scenario.compare is None:
        from game.errors import ScenarioError

        raise ScenarioError(f"scenario {scenario.name!r} has no compare: section to compare")
    from game.sweep.executors import run_tasks

    by_seed: dict[int, list[Run]] = {}
    for i, runs in run_tasks(_seed_task, (scenario, rounds), seeds, executor, workers, scheduler):
        by_seed[i] = runs
        if progress:
            progress()
    return [run for i in range(len(seeds)) for run in by_seed[i]]


def format_table(rows: list[dict]) -> str:
    by = {(r["variant"], r["metric"]): r for r in rows}
    head = f"{'metric':<18}" + "".join(f"{v:>27}" for v in VARIANTS)
    lines = [head, "-" * len(head)]
    for metric in METRICS:
        cells = []
        for v in VARIANTS:
            r = by[(v, metric)]
            cells.append(f"{r['mean']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]".rjust(27))
        lines.append(f"{metric:<18}" + "".join(cells))
    return "\n".join(lines)


def plot(runs: list[Run], path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    for ax, metric in zip(axes.ravel(), SERIES):
        for v in VARIANTS:
            data = np.array([r.series[metric] for r in runs if r.variant == v])
            mean = data.mean(axis=0)
            rounds = np.arange(len(mean))
            ax.plot(rounds, mean, label=v)
            if len(data) > 1:
                sd = data.std(axis=0, ddof=1) / np.sqrt(len(data))
                ax.fill_between(rounds, mean - 1.96 * sd, mean + 1.96 * sd, alpha=0.2)
        ax.set_title(metric.replace("_", " "))
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("round")
    axes[0, 0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
