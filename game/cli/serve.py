"""`highfence serve`: watch a run round by round in the browser, fully offline; with
`--session ID`, also a tabletop session's public screen, facilitator page and seat pages.

The command lives in game.web.command (the web layer never imports the CLI, and
`python -m game.web.server` runs the same command); this registers it.
"""

from __future__ import annotations


def register(sub) -> None:
    from game.web.command import HELP, add_arguments, serve

    p = sub.add_parser("serve", help=HELP)
    add_arguments(p)
    p.set_defaults(func=serve)
