"""`highfence sweep`: many seeded runs over a design, streamed to Parquet, resumable."""

from __future__ import annotations

from pathlib import Path

from game.sweep import Sweep, run_sweep
from game.sweep.runner import EXECUTORS


def register(sub) -> None:
    p = sub.add_parser("sweep", help="run a sweep spec (design x replications) to Parquet; re-run to resume")
    p.add_argument("spec", help="sweep spec YAML (see configs/sweeps/)")
    p.add_argument("--out", type=Path, required=True, help="results directory (resumed if it holds this sweep)")
    p.add_argument("--workers", type=int, help="worker processes (default: number of cores)")
    p.add_argument("--executor", choices=EXECUTORS, default="local",
                   help="local process pool (default), dask, or serial (in this process)")
    p.add_argument("--scheduler", help="Dask scheduler address (default: start a LocalCluster)")
    p.add_argument("--batch-size", type=int, help="runs per task (default: about a second of work)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    sweep = Sweep.from_file(args.spec)
    if args.scheduler and args.executor != "dask":
        args.executor = "dask"
    design = sweep.spec.design
    shape = f"{design.method}" + (f" ({design.samples} samples)" if design.samples else "")
    print(f"{sweep.spec.name}: {len(sweep.points)} design points ({shape}) x {len(sweep.seeds)} replications "
          f"= {sweep.n_runs} runs of {sweep.scenario.name}; spec {sweep.spec_hash}")
    report = run_sweep(sweep, args.out, workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                       batch_size=args.batch_size, progress=False if args.no_progress else None)
    print(report)
    return 0
