"""`highfence run`: play one scenario and print a per-round summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from game.arms import ALIASES, VARIANTS
from game.errors import HighfenceError
from game.paths import scenario_arg

if TYPE_CHECKING:
    from game.model import GeoModel


def register(sub) -> None:
    p = sub.add_parser("run", help="play a scenario round by round")
    p.add_argument("scenario", type=scenario_arg, help="scenario YAML file, or a shipped one's name (default, tiny)")
    p.add_argument("--rounds", type=int, help="number of rounds (default: the scenario's)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--variant", choices=(*VARIANTS, *ALIASES),
                   help="play one arm: free_trade (every state passive), or of the scenario's compare: "
                        "experiment no_control / unilateral / coordinated")
    p.add_argument("--out", type=Path, help="write the round table, state table and event log here")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--quiet", action="store_true", help="no per-round lines")
    p.add_argument("--score", action="store_true",
                   help="score each state against a reference run (see --against)")
    p.add_argument("--against", choices=("ai", "free_trade", "no_control"), default="ai",
                   help="the reference for --score: ai (AI strategies only, no scripted moves; default), "
                        "free_trade (every state passive) or no_control (the scenario's compare: baseline arm)")
    p.set_defaults(func=run)


def summary_line(model: GeoModel) -> str:
    w = model.outcomes.world
    events = model.last_events
    notable = [e for e in events if e.kind not in ("subsidy", "refused")]
    head = (
        f"round {model.steps:>3}  world welfare {w['world_welfare_change']:+9.1f}bn  "
        f"trade {w['trade_volume']:8.1f}bn  controls {w['controls_in_force']:>2}  "
        f"embargoes {w['embargoes_in_force']:>2}  coercion {w['coercion_conceded']}/{w['coercion_attempts']}"
    )
    lines = [head] + [f"           {e.text}" for e in notable[:6]]
    if len(notable) > 6:
        more = len(notable) - 6
        lines.append(f"           ... and {more} more event{'s' if more > 1 else ''}")
    return "\n".join(lines)


def run(args) -> int:
    from game.model import GeoModel
    from game.output import write_run
    from game.scenario import load_scenario

    if args.rounds is not None and args.rounds < 1:
        raise HighfenceError("--rounds: expected a positive number of rounds")
    scenario = load_scenario(args.scenario)
    if args.score and args.against == "no_control" and scenario.compare is None:
        raise HighfenceError(f"--against no_control: scenario {scenario.name!r} has no compare: section, so no "
                             "baseline arm (use ai or free_trade)")
    model = GeoModel(scenario, seed=args.seed, variant=args.variant, rounds=args.rounds)
    print(f"{scenario.name}: {len(scenario.states)} states, {len(scenario.sectors)} sectors, "
          f"{len(scenario.firms)} firms, {model.rounds} rounds, seed {args.seed}")
    while model.running and model.steps < model.rounds:
        model.step()
        if not args.quiet:
            print(summary_line(model))
    final = model.datacollector.get_agent_vars_dataframe().xs(model.steps, level="Step")
    print("\nfinal round, per state:")
    print(final[["welfare_change", "autonomy", "indispensability", "tech_level", "cohesion", "fiscal_cost"]]
          .rename_axis("state").round(3).to_string())
    if args.score:
        from game.score import REFERENCE_NAMES, score_against_baseline, zero_reasons

        try:
            table = score_against_baseline(model, args.against)
        except ValueError as exc:
            raise HighfenceError(f"--against {args.against}: {exc}") from None
        print(f"\nscore against {REFERENCE_NAMES[args.against]}, same seed and rounds "
              "(points; welfare in basis points of GDP):")
        print(table.rename_axis("state").round(2).to_string())
        for line in zero_reasons(table, model, args.against):
            print(f"note: {line}")
    if args.out:
        paths = write_run(model, args.out, args.format, scenario_path=args.scenario)
        print(f"\nwrote {', '.join(str(p) for p in paths)}")
    return 0
