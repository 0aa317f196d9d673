"""Session errors a user can cause and fix. Each carries the HTTP status a web page
would answer with; the CLI prints the message and exits with code 2."""

from __future__ import annotations

from game.errors import HighfenceError


class SessionError(HighfenceError):
    """A request the session cannot carry out as given."""

    http_status = 400


class NotFound(SessionError):
    http_status = 404


class Forbidden(SessionError):
    """A token that does not grant what was asked (another seat's briefing, closing a round)."""

    http_status = 403


class Conflict(SessionError):
    """The session is not in a state that allows the request (paused, ended, round already closed)."""

    http_status = 409


class IllegalOrder(SessionError):
    """An order or inject that fails validation or the rules; the message says why."""

    http_status = 422


class ReplayMismatch(SessionError):
    """Replaying the stored orders and injects did not rebuild the stored world."""

    http_status = 500
