"""The `highfence` command line. Each subcommand lives in its own module with a
`register(subparsers)` function; user errors exit with code 2 and one message."""

from __future__ import annotations

import argparse
import sys

from game.errors import exit_code

COMMANDS = ("game.cli.run", "game.cli.compare", "game.cli.chokepoints", "game.cli.schema", "game.cli.serve",
            "game.cli.sweep", "game.cli.summarize", "game.cli.discover", "game.cli.validate", "game.cli.session",
            "game.cli.play", "game.cli.report", "game.cli.tournament")


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
    def command() -> int:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # here, not at exit: a closed pipe is then caught below
        return code

    try:
        return exit_code(command)
    except BrokenPipeError:
        # The reader went away (`highfence run ... | head`): stop quietly, as `yes | head` does.
        _discard_stdout()
        return 141  # 128 + SIGPIPE


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush at exit does not fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (captured in tests): nothing will be flushed to a pipe


if __name__ == "__main__":
    sys.exit(main())
