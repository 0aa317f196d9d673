"""`highfence sweep`: many seeded runs over a design, streamed to Parquet, resumable."""

from __future__ import annotations

from pathlib import Path

from game.paths import sweep_arg

# game.sweep.runner.EXECUTORS, spelled out so that registering the command loads no
# sweep machinery (tests/test_cli_startup.py checks the two agree).
EXECUTORS = ("local", "dask", "serial")


def register(sub) -> None:
    p = sub.add_parser("sweep", help="run a sweep spec (design x replications) to Parquet; re-run to resume")
    p.add_argument("spec", type=sweep_arg,
                   help="sweep spec YAML, or a shipped one's name (see configs/sweeps/: e.g. tiny, lhs_example)")
    p.add_argument("--out", type=Path, required=True, help="results directory (resumed if it holds this sweep)")
    p.add_argument("--workers", type=int, help="worker processes (default: number of cores)")
    p.add_argument("--executor", choices=EXECUTORS, default="local",
                   help="local process pool (default), dask, or serial (in this process)")
    p.add_argument("--scheduler", help="Dask scheduler address (default: start a LocalCluster)")
    p.add_argument("--batch-size", type=int, help="runs per task (default: about a second of work)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--from-session", metavar="ID",
                   help="start every run from a tabletop session's round --at-round: the session's scenario, "
                        "seed, orders and injects to that round, then its seats play AI strategies")
    p.add_argument("--at-round", type=int, metavar="N", help="with --from-session: the round to start from")
    p.add_argument("--db", type=Path, help="with --from-session: the session database (default: $HIGHFENCE_DB "
                                           "or ./highfence-sessions.sqlite)")
    p.set_defaults(func=run)


def _prefix(args):
    from game.errors import HighfenceError

    if args.from_session is None:
        if args.at_round is not None:
            raise HighfenceError("--at-round needs --from-session ID")
        return None
    if args.at_round is None:
        raise HighfenceError("--from-session needs --at-round N")
    from game.session import SessionStore, open_session
    from game.session.prefix import session_prefix

    return session_prefix(open_session(SessionStore(args.db, create=False), args.from_session), args.at_round)


def run(args) -> int:
    if args.executor == "local" and args.workers != 1 and not args.scheduler:
        from game.sweep.executors import start_local_workers

        start_local_workers("game.sweep.runner")  # the workers import the engine while this process loads
    from game.sweep import Sweep, run_sweep

    prefix = _prefix(args)
    sweep = Sweep.from_file(args.spec, prefix=prefix)
    if prefix is not None:
        print(f"from session {prefix.session_id} at round {prefix.at_round} (seed {prefix.seed}): "
              f"seats {', '.join(sorted(prefix.seats))} replay their orders to round {prefix.at_round}, "
              "then play the scenario's strategies (or the sweep's)")
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
