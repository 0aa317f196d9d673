"""The `highfence` command line. Each subcommand lives in its own module with a
`register(subparsers)` function; user errors exit with code 2 and one message."""

from __future__ import annotations

import argparse
import sys

from game.errors import HighfenceError

COMMANDS = ("game.cli.run", "game.cli.compare", "game.cli.chokepoints", "game.cli.schema", "game.cli.serve", "game.cli.sweep", "game.cli.summarize", "game.cli.validate", "game.cli.session", "game.cli.play", "game.cli.report")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="highfence",
        description="A multi-agent geoeconomic game: export controls, subsidies and coercion, alone or with allies.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except HighfenceError as exc:
        print(f"highfence: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("highfence: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
