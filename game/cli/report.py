"""`highfence report ID --out report.html`: a session's after-action report, one
self-contained HTML file."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("report", help="a tabletop session's after-action report as one self-contained HTML file")
    p.add_argument("id", help="session id")
    p.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    p.add_argument("--against", choices=("ai", "free_trade", "no_control"), default="ai",
                   help="the reference run the scores are measured against: ai (the scenario's AI strategies "
                        "alone, default), free_trade (every state passive) or no_control (the compare: arm)")
    p.add_argument("--db", type=Path, help="session database (default: $HIGHFENCE_DB or ./highfence-sessions.sqlite)")
    p.set_defaults(func=run)


def run(args) -> int:
    from game.errors import HighfenceError
    from game.output import atomic_write_text
    from game.session import SessionStore, open_session
    from game.session.report import build_report

    session = open_session(SessionStore(args.db, create=False), args.id)
    try:
        page = build_report(session, args.against)
    except ValueError as exc:
        raise HighfenceError(f"--against {args.against}: {exc}") from None
    try:
        atomic_write_text(args.out, page)
    except OSError as exc:
        raise HighfenceError(f"--out {args.out}: cannot write ({exc.strerror})") from None
    print(f"wrote {args.out} ({len(page) // 1024} KiB): session {session.id}, {session.row.round} round(s), "
          f"scored against {args.against}")
    return 0
