"""`highfence discover`: scenario discovery on a sweep (PRIM boxes, feature scores) and an
export in the EMA Workbench's experiments/outcomes format."""

from __future__ import annotations

import json
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("discover", help="scenario discovery on a sweep: PRIM boxes and feature scores (EMA Workbench)",
                       description="Which factor ranges make an outcome fall below (or rise above) a value? "
                                   "PRIM boxes (factor ranges, coverage, density) and extra-trees feature scores, "
                                   "from the EMA Workbench (the analysis extra).")
    p.add_argument("dir", type=Path, help="results directory written by `highfence sweep`")
    p.add_argument("--outcome", required=True, metavar="METRIC", help="a final outcome of the sweep")
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument("--below", type=float, metavar="X", help="runs of interest: METRIC < X")
    side.add_argument("--above", type=float, metavar="X", help="runs of interest: METRIC > X")
    p.add_argument("--threshold", type=float, default=0.8,
                   help="density a box should reach (default 0.8): the box shown is the one of highest coverage "
                        "at least this dense on PRIM's peeling trajectory")
    p.add_argument("--mass-min", type=float, default=0.05, help="smallest share of runs in a box (default 0.05)")
    p.add_argument("--boxes", type=int, default=1, help="boxes to find, one after the other (default 1)")
    p.add_argument("--max-rows", type=int, default=100_000,
                   help="runs PRIM and the feature scores see (default 100,000, picked by run id); the boxes' "
                        "statistics are recomputed over every run")
    p.add_argument("--export", type=Path, metavar="DIR",
                   help="also write DIR/<sweep>.tar.gz in EMA's format (ema_workbench.load_results reads it)")
    p.add_argument("--json", type=Path, help="write the boxes and scores as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from game.errors import HighfenceError
    from game.output import atomic_write_text
    from game.sweep import read_manifest
    from game.sweep.discover import discover, export_ema, format_discovery

    if not 0 < args.threshold <= 1 or not 0 < args.mass_min < 1 or args.boxes < 1 or args.max_rows < 10:
        raise HighfenceError("--threshold: expected 0 < x <= 1; --mass-min: 0 < x < 1; --boxes >= 1; --max-rows >= 10")
    manifest = read_manifest(args.dir)
    d = discover(args.dir, manifest, args.outcome, below=args.below, above=args.above, threshold=args.threshold,
                 mass_min=args.mass_min, boxes=args.boxes, max_rows=args.max_rows)
    print(format_discovery(d))
    if args.json:
        atomic_write_text(args.json, json.dumps(d.as_dict(), indent=1, default=str))
        print(f"wrote {args.json}")
    if args.export:
        print(f"wrote {export_ema(args.dir, manifest, args.export)}")
    return 0
