"""The `highfence serve` command: its arguments and what it does, in the web layer so
that `python -m game.web.server` runs it without importing the command line
(game.cli.serve only registers it).

Importing this module loads nothing heavy: the session store, Solara and the
server are imported when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from game.errors import HighfenceError, exit_code
from game.paths import scenario_arg

HELP = "watch a run round by round in the browser (offline); --session: play a tabletop session in the browser"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", nargs="?", type=scenario_arg,
                   help="scenario YAML file shown first, or a shipped one's name (default: the shipped "
                        "configs/default.yaml, found from any folder)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--session", action="append", default=[], metavar="ID",
                   help="also serve this tabletop session (from `highfence session new`): a public screen, the "
                        "facilitator's page and one page per seat, each opened by its token; repeat for more")
    p.add_argument("--db", type=Path,
                   help="session database (default: $HIGHFENCE_DB or ./highfence-sessions.sqlite; "
                        "with --links, the file's db)")
    p.add_argument("--links", type=Path, metavar="FILE",
                   help="the JSON of `highfence session new ... --json`: serve its session and print every "
                        "link with its token (the server cannot: tokens are stored hashed)")


def sessions_of(args) -> tuple[list[str], Path | None, dict]:
    """Session ids, database and checked tokens from --session, --db and --links."""
    from game.session import SessionStore, open_session
    from game.web.session_pages import check_links, read_links_file

    ids, db, links = list(args.session), args.db, {}
    data = None
    if args.links is not None:
        data = read_links_file(args.links)
        if not ids:
            ids = [data["session_id"]]
        elif data["session_id"] not in ids:
            raise HighfenceError(f"--links {args.links}: its session {data['session_id']} is not among --session "
                                 f"{', '.join(ids)}")
        if db is None and data.get("db"):
            db = Path(data["db"])
            beside = args.links.parent / db  # a relative db: where it was made, usually beside the file
            if not db.is_absolute() and not db.exists() and beside.exists():
                db = beside
    if not ids:
        if db is not None:
            raise HighfenceError("--db: give --session ID too (the session to serve from that database)")
        return [], None, {}
    store = SessionStore(db, create=False)
    if data is not None:
        links[data["session_id"]] = check_links(open_session(store, data["session_id"]), data, args.links)
    for sid in ids:
        open_session(store, sid)  # an unknown id is a CLI error before anything is bound
    return ids, store.path, links


def serve(args) -> int:
    if args.scenario:
        from game.scenario import load_scenario

        if not Path(args.scenario).is_file():
            raise HighfenceError(f"{args.scenario}: no such scenario file")
        load_scenario(args.scenario)  # a broken file is a CLI error, not a broken page
    if not 0 < args.port < 65536:
        raise HighfenceError("--port: expected a port number between 1 and 65535")
    sessions, db, links = sessions_of(args)
    from game.web.session_pages import network_warning

    warning = network_warning(args.host, args.port)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    from game.web.server import serve as run_server

    try:
        run_server(host=args.host, port=args.port, scenario=args.scenario, sessions=sessions, db=db, links=links)
    except ImportError as exc:
        raise HighfenceError(f"the browser view needs the browser extra: pip install -e '.[browser]' ({exc})") from None
    except OSError as exc:  # e.g. the port is taken
        raise HighfenceError(f"cannot serve on {args.host}:{args.port}: {exc}") from None
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m game.web.server [SCENARIO] [--host] [--port] [--session ID]`: the same as `highfence serve`,
    with the same exit codes (2 and one message for bad input)."""
    parser = argparse.ArgumentParser(prog="python -m game.web.server", description=HELP)
    add_arguments(parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return exit_code(lambda: serve(args))
