"""The headline comparison: free trade, no control, unilateral and coordinated, over seeds.

Every seed runs every arm (common random numbers). `target_access` is the real
(quality-adjusted) quantity of the controlled goods the target receives against
the `no_control` run of the same seed; `target_price` is its price index against
that run, reported beside it; `leakage_share` is the physical quantity that got
past the control over the quantity received.

The runs themselves (a seed's arms, the headline numbers of each) are game.replications,
what the workers import; this module summarises, tabulates and plots them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

from game.experiment import VARIANTS
from game.replications import METRICS, SERIES, Run, replication_seeds, seed_task, series  # noqa: F401 (re-exported)
from game.scenario import Scenario


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


def compare(scenario: Scenario, seeds: list[int], rounds: int | None = None, progress=None,
            executor: str = "serial", workers: int | None = None, scheduler: str | None = None,
            cancelled: Callable[[], bool] = lambda: False) -> list[Run] | None:
    """Every arm for every seed, in seed order whatever the executor (`progress()` as each
    seed finishes; None once `cancelled()` says so: seeds not yet started are dropped).

    executor: "serial" (this process), "local" (a process pool of `workers`) or "dask"
    (a LocalCluster, or the running cluster at `scheduler`): the sweep executors
    (game.sweep.executors). A seed's runs depend only on (scenario, seed, rounds), so
    every executor gives the same numbers bit for bit."""
    if scenario.compare is None:
        from game.errors import ScenarioError

        raise ScenarioError(f"scenario {scenario.name!r} has no compare: section to compare")
    from game.sweep.executors import run_tasks

    by_seed: dict[int, list[Run]] = {}
    done = run_tasks(seed_task, (scenario, rounds), seeds, executor, workers, scheduler)
    try:
        for i, runs in done:
            by_seed[i] = runs
            if progress:
                progress()
            if cancelled():
                return None
    finally:
        done.close()  # stops the pool (and drops its queued seeds) on a stop, too
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
