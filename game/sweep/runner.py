"""Running a sweep: batches of runs on a serial loop, local processes or Dask, streamed to a Store.

Every executor calls the same pure function, `execute_batch(job, batch)`, and a
run's result depends only on (scenario, seed, variant): serial, local and Dask
sweeps give identical tables. Only a bounded number of batches is in flight,
and each finished batch is committed at once, so memory stays flat and a kill
loses no finished run.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from game.experiment import BASELINE, canonical
from game.model import GeoModel
from game.replications import METRICS, finals, series
from game.scenario import Scenario
from game.sweep.design import Point
from game.sweep.executors import EXECUTORS, run_tasks
from game.sweep.plan import COMPARE_SERIES, Job, RunSpec, Sweep, scenario_for
from game.sweep.spec import VARIANT, SweepError
from game.sweep.store import Store

MAX_BATCH = 16  # runs per task: ~1 s of the default scenario, so task overhead stays small
BATCHES_PER_WORKER = 8  # enough tasks that no worker idles long at the end of a sweep

Batch = list[tuple[RunSpec, Point]]

# -- worker side ------------------------------------------------------------------

_SCENARIOS: dict[tuple[str, str], Scenario] = {}
_SCENARIO_CACHE = 64


def _scenario(job: Job, point: Point) -> Scenario:
    """Per-process cache: the points of a batch often share a scenario (same cell, other variants)."""
    key = (job.key, json.dumps(point.scenario_values, sort_keys=True, default=str))
    if key not in _SCENARIOS:
        if len(_SCENARIOS) >= _SCENARIO_CACHE:
            _SCENARIOS.pop(next(iter(_SCENARIOS)))
        _SCENARIOS[key] = scenario_for(job.base, point.scenario_values, f"design point {point.index}")
    return _SCENARIOS[key]


def _state_value(model: GeoModel, outcome, name: str) -> float:
    metric, _, state = name.rpartition(".")
    return float(outcome.state_metric(metric)[model.world.states.names.index(state)])


def _play(job: Job, scenario: Scenario, seed: int, variant: str | None) -> GeoModel:
    """One run to the end; from a session's round N when the sweep has a prefix."""
    if job.prefix is not None:
        return job.prefix.play(scenario, seed, variant)
    return GeoModel(scenario, seed=seed, variant=variant).run()


def execute_batch(job: Job, batch: Batch) -> tuple[list[dict], list[dict]]:
    """Run a batch; return (one finals row per run, per-round series rows)."""
    finals_rows: list[dict] = []
    series_rows: list[dict] = []
    baselines: dict[tuple[int, int], dict[str, np.ndarray]] = {}
    compare_wanted = any(n in METRICS for n in job.finals) or any(n in COMPARE_SERIES for n in job.series)
    for run, point in batch:
        scenario = _scenario(job, point)
        variant = point.values.get(VARIANT, job.variant)
        model = _play(job, scenario, run.seed, variant)
        history = model.datacollector.outcomes
        values: dict[str, float] = {}
        per_round: dict[str, np.ndarray] = {}
        if compare_wanted and variant is not None:
            mine = series(model)
            key = (run.cell, run.seed)
            if canonical(variant) == BASELINE:
                baselines[key] = mine
            elif key not in baselines:
                # target_access is against the no_control run of the same seed and same other factors.
                baselines[key] = series(_play(job, scenario, run.seed, BASELINE))
            values, per_round = finals(mine, baselines[key], scenario.compare.start_round)
        last = history[-1]
        ids = {"run_id": run.run_id, "point": run.point, "cell": run.cell, "replication": run.replication,
               "seed": run.seed, "sample": point.sample, "block": point.block} | point.labels
        row = dict(ids)
        for name in job.finals:
            if name in values:
                row[name] = values[name]
            elif name in last.world:
                row[name] = float(last.world[name])
            else:
                row[name] = _state_value(model, last, name)
        finals_rows.append(row)
        if job.series:
            cols = {}
            for name in job.series:
                if name in per_round:
                    cols[name] = per_round[name]
                elif name in last.world:
                    cols[name] = [o.world[name] for o in history]
                else:
                    cols[name] = [_state_value(model, o, name) for o in history]
            for r in range(len(history)):
                series_rows.append(ids | {"round": r} | {n: float(c[r]) for n, c in cols.items()})
    return finals_rows, series_rows


# -- orchestration ----------------------------------------------------------------


def batches_of(runs: Iterable[RunSpec], points: list[Point], size: int) -> Iterator[Batch]:
    """Chunks of about `size` runs that never split a (cell, replication): its variants share a baseline."""
    batch: Batch = []
    last = None
    for run in runs:
        group = (run.cell, run.replication)
        if len(batch) >= size and group != last:
            yield batch
            batch = []
        batch.append((run, points[run.point]))
        last = group
    if batch:
        yield batch


@dataclass
class SweepReport:
    out: Path
    total: int
    skipped: int
    ran: int
    seconds: float
    quarantined: list[tuple[Path, str]] = field(default_factory=list)  # damaged parts moved aside, and why

    def __str__(self) -> str:
        rate = self.ran / self.seconds if self.seconds > 0 else float("nan")
        resumed = f" ({self.skipped} already done)" if self.skipped else ""
        line = f"{self.ran} runs in {self.seconds:.1f} s ({rate:.1f} runs/s){resumed}; {self.total} of {self.total} in {self.out}"
        moved = [f"damaged part moved to {p} ({why}); its runs were run again" for p, why in self.quarantined]
        return "\n".join([*moved, line])


def run_sweep(sweep: Sweep, out: str | Path, workers: int | None = None, executor: str = "local",
              scheduler: str | None = None, batch_size: int | None = None,
              progress: bool | None = None) -> SweepReport:
    """Run every run of `sweep` not yet in `out`, committing each finished batch.

    Args:
        sweep: the validated sweep.
        out: results directory (created; resumed when it holds this same sweep).
        workers: worker processes (default: the number of cores).
        executor: "local" (process pool), "dask" (LocalCluster or `scheduler`) or "serial".
        scheduler: address of a running Dask scheduler.
        batch_size: runs per task (default: at most MAX_BATCH, at least 8 tasks per worker).
        progress: show a progress bar (None: only on a terminal).
    """
    if executor not in EXECUTORS:
        raise SweepError(f"--executor: expected one of {', '.join(EXECUTORS)} (got {executor!r})")
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise SweepError("--workers: expected at least 1")
    start = time.perf_counter()
    with Store.open(out, sweep) as store:  # quarantines damaged parts: their runs are run again
        done = store.completed()
        todo = sum(1 for r in sweep.runs() if r.run_id not in done)
        size = batch_size or max(1, min(MAX_BATCH, math.ceil(todo / (workers * BATCHES_PER_WORKER))))
        pending = (r for r in sweep.runs() if r.run_id not in done)
        batches = batches_of(pending, sweep.points, size)
        disable = None if progress is None else not progress
        with tqdm(total=sweep.n_runs, initial=sweep.n_runs - todo, unit="run", desc=sweep.spec.name,
                  disable=disable, smoothing=0.05) as bar:
            if todo:
                for _, (finals_rows, series_rows) in run_tasks(execute_batch, sweep.job, batches, executor, workers,
                                                               scheduler):
                    store.write(finals_rows, series_rows)
                    bar.update(len(finals_rows))
    return SweepReport(Path(out), sweep.n_runs, sweep.n_runs - todo, todo, time.perf_counter() - start,
                       store.quarantined)
