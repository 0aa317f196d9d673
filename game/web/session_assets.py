"""The session pages' static files: one stylesheet and one script under
game/web/static/session/, served by name from a fixed list (nothing else in the
folder, no path from the request, is ever read)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC = Path(__file__).parent / "static" / "session"
URL_PREFIX = "/_highfence/static/"
ASSETS = {"session.css": "text/css; charset=utf-8", "session.js": "text/javascript; charset=utf-8"}
POLL_MS = 1500  # the pages' status poll (in session.js)


@cache
def asset(name: str) -> bytes:
    """A static file's bytes; KeyError for a name not in ASSETS."""
    if name not in ASSETS:
        raise KeyError(name)
    return (STATIC / name).read_bytes()
