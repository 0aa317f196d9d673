"""`highfence validate`: the historical cases of FACTS.md against their bands."""

from __future__ import annotations

import json
from pathlib import Path

from game.cli.sweep import EXECUTORS
from game.errors import HighfenceError
from game.paths import case_arg


def register(sub) -> None:
    p = sub.add_parser("validate", help="run the historical cases and check their bands")
    p.add_argument("cases", nargs="*", type=case_arg,
                   help="case names (from configs/cases, found from any folder) or case files (default: every "
                        "shipped case)")
    p.add_argument("--seeds", type=int, default=20, help="seeds per case (default 20)")
    p.add_argument("--seed", type=int, default=0, help="root seed")
    p.add_argument("--no-base-rate", action="store_true", help="skip the coercion base-rate check")
    p.add_argument("--json", type=Path, help="write the rows as JSON")
    p.add_argument("--plot", type=Path, metavar="PNG", help="write a PNG of every check in its band")
    p.add_argument("--workers", type=int, help="worker processes (default: number of cores)")
    p.add_argument("--executor", choices=EXECUTORS, default="local",
                   help="local process pool (default), dask, or serial (in this process); same rows on each")
    p.add_argument("--scheduler", help="Dask scheduler address (implies --executor dask)")
    p.set_defaults(func=run)


def fmt_band(lo: float, hi: float) -> str:
    return f"[{lo:g}, {hi:g}]"  # every band has two ends (game.scenario.CaseCheck)


def run(args) -> int:
    if args.seeds < 1:
        raise HighfenceError("--seeds: expected at least 1")
    from game.sweep.executors import command_executor

    executor = command_executor(args.executor, args.workers, args.scheduler, "game.validation")
    from tqdm import tqdm

    from game.compare import replication_seeds
    from game.output import atomic_write_text
    from game.validation import (
        BASE_RATE_WORLDS,
        case_paths,
        coercion_base_rate,
        plot_bands,
        validate_cases,
    )

    paths = case_paths(args.cases)
    seeds = replication_seeds(args.seed, args.seeds)
    base_seeds = seeds[: max(3, len(seeds) // 4)]
    how = {"executor": executor, "workers": args.workers, "scheduler": args.scheduler}
    steps = len(paths) * len(seeds) + (0 if args.no_base_rate else BASE_RATE_WORLDS * len(base_seeds))
    with tqdm(total=steps, desc="runs", disable=None) as bar:
        rows = validate_cases(paths, seeds, progress=bar.update, **how)
        if not args.no_base_rate:
            rows.append(coercion_base_rate(base_seeds, progress=bar.update, **how))
    cis = [f"{r['mean']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]" for r in rows]
    bands = [fmt_band(r["min"], r["max"]) for r in rows]
    case_w = max([len("case"), *(len(r["case"]) for r in rows)]) + 2
    metric_w = max([len("metric"), *(len(r["metric"]) for r in rows)]) + 2
    ci_w, band_w = max([len("mean [95% CI]"), *map(len, cis)]), max([len("band"), *map(len, bands)]) + 2
    print(f"{'case':<{case_w}}{'metric':<{metric_w}}{'mean [95% CI]':>{ci_w}}  {'band':<{band_w}}result")
    for r, ci, band in zip(rows, cis, bands):
        print(f"{r['case']:<{case_w}}{r['metric']:<{metric_w}}{ci:>{ci_w}}  {band:<{band_w}}"
              f"{'pass' if r['pass'] else 'FAIL'}")
    failed = [r for r in rows if not r["pass"]]
    print(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed")
    if args.json:
        atomic_write_text(args.json, json.dumps(rows, indent=2))
    if args.plot:
        print(f"wrote {plot_bands(rows, args.plot, f'highfence validate, {args.seeds} seeds a case')}")
    return 1 if failed else 0
