"""Tabletop sessions: human seats with sealed orders, a facilitator, saved every round,
replayable and forkable.

Modules by concern: store (SQLite), tokens, errors (each with its HTTP status),
replay (rebuilding the world), orders (validation and the action menu), briefing
(JSON views), tables (the same as terminal text), session (the state machine),
prefix (a session's first rounds as the base of a sweep), report (after-action HTML).
A round has two steps for humans: sealed orders, then answers to the questions
it asks them (coalition proposals, coercive demands); messages, deadlines, voided
orders and adjudication notes are stored beside them. Plain words for all of it
come from game.words.

The API a CLI, a terminal game or a web page calls is `SessionStore`,
`create_session`, `open_session` and the methods of `Session`; see
game/session/session.py.
"""

from game.session.errors import (
    Conflict,
    Forbidden,
    IllegalOrder,
    NotFound,
    ReplayMismatch,
    SessionError,
)
from game.session.session import (
    Asking,
    CheckReport,
    Created,
    Role,
    RoundResult,
    Session,
    create_session,
    list_sessions,
    open_session,
)
from game.session.store import SessionStore, default_db

__all__ = [
    "Asking", "CheckReport", "Conflict", "Created", "Forbidden", "IllegalOrder", "NotFound", "ReplayMismatch", "Role",
    "RoundResult", "Session", "SessionError", "SessionStore", "create_session", "default_db", "list_sessions",
    "open_session",
]
