"""`highfence compare`: free trade, no control, unilateral and coordinated controls over seeds."""

from __future__ import annotations

import json
from pathlib import Path

from game.arms import VARIANTS
from game.cli.sweep import EXECUTORS
from game.errors import HighfenceError
from game.paths import scenario_arg


def register(sub) -> None:
    p = sub.add_parser("compare", help="compare no, unilateral and coordinated controls over seeds")
    p.add_argument("scenario", type=scenario_arg,
                   help="scenario YAML file with a compare: section, or a shipped one's name (default, tiny)")
    p.add_argument("--seeds", type=int, default=20, help="number of seeds (default 20)")
    p.add_argument("--seed", type=int, default=0, help="root seed the replication seeds are spawned from")
    p.add_argument("--rounds", type=int, help="number of rounds (default: the scenario's)")
    p.add_argument("--workers", type=int, help="worker processes (default: number of cores)")
    p.add_argument("--executor", choices=EXECUTORS, default="local",
                   help="local process pool (default), dask, or serial (in this process); same numbers on each")
    p.add_argument("--scheduler", help="Dask scheduler address (implies --executor dask)")
    p.add_argument("--json", type=Path, help="write records {variant, metric, mean, ci_low, ci_high}")
    p.add_argument("--plot", type=Path, help="write a PNG of the key metrics by round")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.seeds < 1:
        raise HighfenceError("--seeds: expected at least 1")
    from game.sweep.executors import command_executor

    executor = command_executor(args.executor, args.workers, args.scheduler, "game.replications",
                                one_task=args.seeds == 1)
    from tqdm import tqdm

    from game.compare import compare, format_table, plot, replication_seeds, summarise
    from game.output import atomic_write_text
    from game.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    c = scenario.compare
    if c is None:
        raise HighfenceError(f"{args.scenario}: no compare: section (controller, target, sectors, partners)")
    print(f"{scenario.name}: {c.controller} controls {', '.join(c.sectors)} to {c.target} "
          f"({c.scope}, enforcement {c.enforcement:.0%}) from round {c.start_round}; "
          f"partners {', '.join(c.partners)}; {args.seeds} seeds x {len(VARIANTS)} arms")
    seeds = replication_seeds(args.seed, args.seeds)
    with tqdm(total=len(seeds), desc="seeds", unit="seed", disable=None) as bar:
        runs = compare(scenario, seeds, args.rounds, progress=lambda: bar.update(1), executor=executor,
                       workers=args.workers, scheduler=args.scheduler)
    rows = summarise(runs)
    print("mean [95% CI] over seeds; target_access (real quantity received) and target_price are against the "
          "no_control run of the same seed; welfare is $bn a round against the starting year")
    print(format_table(rows))
    if args.json:
        atomic_write_text(args.json, json.dumps(rows, indent=2))
        print(f"wrote {args.json}")
    if args.plot:
        plot(runs, str(args.plot), f"{scenario.name}: {c.controller} controls on {', '.join(c.sectors)} to {c.target}")
        print(f"wrote {args.plot}")
    return 0
