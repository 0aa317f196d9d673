"""`highfence serve`: watch a run round by round in the browser, fully offline."""

from __future__ import annotations

from pathlib import Path

from game.errors import HighfenceError


def register(sub) -> None:
    p = sub.add_parser("serve", help="watch a run round by round in the browser (offline)")
    p.add_argument("scenario", nargs="?", help="scenario YAML file shown first (default: configs/default.yaml)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.set_defaults(func=serve)


def serve(args) -> int:
    if args.scenario:
        from game.scenario import load_scenario

        if not Path(args.scenario).is_file():
            raise HighfenceError(f"{args.scenario}: no such scenario file")
        load_scenario(args.scenario)  # a broken file is a CLI error, not a broken page
    if not 0 < args.port < 65536:
        raise HighfenceError("--port: expected a port number between 1 and 65535")
    from game.web.server import serve as run_server

    try:
        run_server(host=args.host, port=args.port, scenario=args.scenario)
    except ImportError as exc:
        raise HighfenceError(f"the browser view needs the browser extra: pip install -e '.[browser]' ({exc})") from None
    except OSError as exc:  # e.g. the port is taken
        raise HighfenceError(f"cannot serve on {args.host}:{args.port}: {exc}") from None
    return 0
