"""Errors a user can cause and fix: each carries one clear message."""

import sys
from collections.abc import Callable


class HighfenceError(Exception):
    """Base class: the CLI prints the message and exits with code 2."""


class ScenarioError(HighfenceError):
    """A scenario file is missing, malformed, or fails validation."""


class SweepError(HighfenceError):
    """A sweep spec, or a sweep output directory, that cannot be used as given."""


class IllegalAction(HighfenceError):
    """An action breaks the rules of the game; the reason goes to the event log."""


def exit_code(command: Callable[[], int | None]) -> int:
    """Run a command the way every entry point does: bad input is one message on stderr and
    exit code 2, Ctrl-C a short note and 130; otherwise the command's own code."""
    try:
        return int(command() or 0)
    except HighfenceError as exc:
        print(f"highfence: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("highfence: interrupted", file=sys.stderr)
        return 130
