"""Errors a user can cause and fix: each carries one clear message."""


class HighfenceError(Exception):
    """Base class: the CLI prints the message and exits with code 2."""


class ScenarioError(HighfenceError):
    """A scenario file is missing, malformed, or fails validation."""


class IllegalAction(HighfenceError):
    """An action breaks the rules of the game; the reason goes to the event log."""
