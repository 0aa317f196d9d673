"""`highfence summarize`: main effects, coordination gain and Sobol indices of a sweep."""

from __future__ import annotations

import json
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("summarize", help="summarise a sweep directory: means and 95%% CIs by factor level")
    p.add_argument("dir", type=Path, help="results directory written by `highfence sweep`")
    p.add_argument("--by", nargs="+", metavar="FACTOR", help="factors to break down by (default: all)")
    p.add_argument("--outcome", nargs="+", metavar="NAME", help="outcomes to show (default: all kept)")
    p.add_argument("--json", type=Path, help="write every record (main effects, gain, indices) as JSON")
    p.add_argument("--plots", type=Path, help="directory for PNG plots (default: DIR/_plots)")
    p.add_argument("--no-plots", action="store_true", help="write no plots")
    p.set_defaults(func=run)


def run(args) -> int:
    from game.output import atomic_write_text
    from game.sweep import read_manifest
    from game.sweep.summary import format_summary, plot_main_effects, summarize

    manifest = read_manifest(args.dir)
    summary = summarize(args.dir, manifest, by=args.by, outcomes=args.outcome)  # read out of core (DuckDB)
    print(format_summary(summary))
    if args.json:
        atomic_write_text(args.json, json.dumps(summary, indent=1, default=str))
        print(f"wrote {args.json}")
    if not args.no_plots:
        # `_plots` is skipped by Parquet readers, so the results directory stays one table.
        plots = args.plots or args.dir / "_plots"
        plots.mkdir(parents=True, exist_ok=True)
        plot_main_effects(summary, plots / "main_effects.png")
        written = [plots / "main_effects.png"]
        if summary["coordination_gain"]:
            plot_main_effects(summary, plots / "coordination_gain.png", gain=True)
            written.append(plots / "coordination_gain.png")
        print("wrote " + ", ".join(map(str, written)))
    return 0
