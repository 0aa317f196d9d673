"""`highfence tournament`: candidate strategies for one state, ranked with 95% CIs on paired
seeds; or, with --best-response, best-response passes over every AI state and the test
of whether the allies' coordinated control survives as incentives."""

from __future__ import annotations

import json
from pathlib import Path

from game.cli.sweep import EXECUTORS
from game.paths import scenario_arg

# agents.strategies.states.POSTURES and the other AI strategies, spelled out so that
# registering the command loads no engine (tests/test_tournament.py checks they agree).
DEFAULT_CANDIDATES = ("free_trader", "hedger", "high_fence", "coalition_builder", "broad_decoupler", "tit_for_tat",
                      "coercer", "adaptive_learner", "passive")


def register(sub) -> None:
    p = sub.add_parser("tournament", help="rank strategies for a state (paired seeds, 95%% CIs), or best responses")
    p.add_argument("scenario", type=scenario_arg, help="scenario YAML file, or a shipped one's name (default, tiny)")
    p.add_argument("--state", help="the state whose strategy is in question (not with --best-response)")
    p.add_argument("--strategies", help="comma-separated candidates (default: every AI strategy; with "
                                        "--best-response the postures)")
    p.add_argument("--seeds", type=int, default=10, help="paired seeds per candidate (default 10)")
    p.add_argument("--rounds", type=int, help="rounds per run (default: the scenario's)")
    p.add_argument("--seed", type=int, default=0, help="root seed the paired seeds are spawned from (default 0)")
    p.add_argument("--executor", choices=EXECUTORS, default="local",
                   help="the sweep executor: local process pool (default), dask or serial")
    p.add_argument("--workers", type=int, help="worker processes (default: number of cores)")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the records here as JSON")
    p.add_argument("--plot", type=Path, metavar="PNG",
                   help="the ranking chart (default: tournament-STATE.png beside --json, else in the current folder)")
    p.add_argument("--best-response", action="store_true",
                   help="each AI state in turn switches to its best posture against the others' current choices")
    p.add_argument("--rounds-of-play", type=int, default=3, metavar="N",
                   help="with --best-response: at most N passes over the states (default 3)")
    p.set_defaults(func=run)


def _candidates(text: str | None, default) -> list[str]:
    if text is None:
        return list(default)
    return [c.strip() for c in text.split(",") if c.strip()]


def run(args) -> int:
    from game.errors import HighfenceError

    if args.executor == "local" and args.workers != 1:
        from game.sweep.executors import start_local_workers

        start_local_workers("game.sweep.runner")  # the workers import the engine while this process loads
    if args.best_response:
        if args.state:
            raise HighfenceError("--state: not with --best-response (every AI state takes its turn)")
        return _best_response(args)
    if not args.state:
        raise HighfenceError("--state: which state's strategies to rank (or --best-response)")
    return _tournament(args)


def _write_json(path: Path, data) -> None:
    from game.errors import HighfenceError
    from game.output import atomic_write_text

    try:
        atomic_write_text(path, json.dumps(data, indent=1))
    except OSError as exc:
        raise HighfenceError(f"--json {path}: cannot write ({exc.strerror})") from None
    print(f"wrote {path}")


def _tournament(args) -> int:
    from game import tournament
    from game.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    tournament.check_state(scenario, args.state)
    cands = tournament.check_candidates(_candidates(args.strategies, DEFAULT_CANDIDATES))
    rounds = args.rounds or scenario.rounds
    print(f"{scenario.name}: {args.state} plays {len(cands)} strategies against the others' own, "
          f"{args.seeds} paired seeds x {rounds} rounds = {len(cands) * args.seeds} runs ({args.executor})")
    result = tournament.play(args.scenario, args.state, cands, args.seeds, rounds=args.rounds,
                             executor=args.executor, workers=args.workers, seed=args.seed)
    print(f"\n{args.state}'s score: its objectives' weights on welfare (basis points of GDP), autonomy, "
          "technology and cohesion (points), mean over rounds 1..end")
    print(result.table())
    png = args.plot or (args.json.with_name(f"tournament-{args.state}.png") if args.json
                        else Path(f"tournament-{args.state}.png"))
    print(f"wrote {tournament.plot(result, png, scenario)}")
    if args.json:
        _write_json(args.json, [e.as_record() for e in result.entries])
    return 0


def _best_response(args) -> int:
    from game import best_response
    from game.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    cands = _candidates(args.strategies, best_response.DEFAULT_POSTURES)
    print(f"{scenario.name}: best responses over {', '.join(cands)}; {args.seeds} paired seeds per tournament, "
          f"at most {args.rounds_of_play} passes ({args.executor})")
    dyn = best_response.best_responses(args.scenario, cands, args.seeds, args.rounds_of_play, rounds=args.rounds,
                                       executor=args.executor, workers=args.workers, seed=args.seed)
    print(best_response.report(dyn))
    if args.json:
        _write_json(args.json, dyn.as_record())
    return 0
