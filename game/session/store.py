"""SQLite storage of tabletop sessions: one file, WAL mode, a busy timeout.

Every write runs in its own `BEGIN IMMEDIATE` transaction and is committed
before the caller acknowledges it, so a kill of the process at any moment loses
nothing acknowledged. `synchronous=FULL` makes a commit survive a power cut
too (the laptop that dies), not only a killed process.

Tables (schema version in `PRAGMA user_version`; a version-1 file is migrated
in place to version 2 when opened, a file of any other version is refused):

    sessions  one row per session: the scenario as YAML text (the session
              survives edits to the file), seed, rounds, status, rounds
              adjudicated, the facilitator token's hash, fork parent
    seats     one row per human seat: its token's hash, the strategy the
              scenario gave the state (for counterfactuals and sweeps) and the
              seat's standing answers
    orders    one row per (session, round, seat): the seat's order list for the
              round. Submitting again before adjudication replaces the list
              (`revision` counts submissions); an empty list is a submitted hold
    injects   the facilitator's injects by (session, round, seq)
    rounds    one row per adjudicated round: world digest, who closed it, when,
              and the round's event log
    decisions (v2) what a round asks a human seat once orders are sealed (a
              coalition proposal to join, a coercive demand to concede to) and
              its answer; replay hands the answers to the engine
    messages  (v2) private messages between seats and public statements, with
              their round; who may read one is decided by the Session API
    voids     (v2) orders the facilitator voided, with the reason (the order is
              taken out of the seat's stored list, so replay needs nothing more)
    notes     (v2) the facilitator's adjudication notes by round

The sessions table gained in v2: `phase` (orders / answers) and the round's
deadline (`deadline_at`, and `deadline_s` applied to each new round).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from game.session.errors import NotFound, SessionError

SCHEMA_VERSION = 2
DEFAULT_DB = "highfence-sessions.sqlite"
DB_ENV = "HIGHFENCE_DB"
BUSY_TIMEOUT_S = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id               TEXT PRIMARY KEY,
    created_at       TEXT NOT NULL,
    scenario_name    TEXT NOT NULL,
    scenario_source  TEXT NOT NULL,
    scenario_yaml    TEXT NOT NULL,
    scenario_hash    TEXT NOT NULL,
    seed             INTEGER NOT NULL,
    rounds           INTEGER NOT NULL CHECK (rounds >= 1),
    status           TEXT NOT NULL CHECK (status IN ('open', 'paused', 'ended')),
    round            INTEGER NOT NULL DEFAULT 0,
    facilitator_hash TEXT NOT NULL,
    auto_close       INTEGER NOT NULL DEFAULT 1,
    parent_id        TEXT,
    parent_round     INTEGER,
    engine_version   TEXT NOT NULL,
    phase            TEXT NOT NULL DEFAULT 'orders',
    deadline_at      TEXT,
    deadline_s       INTEGER
);
CREATE TABLE IF NOT EXISTS seats (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    state       TEXT NOT NULL,
    position    INTEGER NOT NULL,
    token_hash  TEXT NOT NULL,
    strategy    TEXT NOT NULL,
    seat_params TEXT NOT NULL,
    PRIMARY KEY (session_id, state)
);
CREATE TABLE IF NOT EXISTS orders (
    session_id   TEXT NOT NULL,
    round        INTEGER NOT NULL,
    seat         TEXT NOT NULL,
    actions      TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    revision     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (session_id, round, seat),
    FOREIGN KEY (session_id, seat) REFERENCES seats(session_id, state)
);
CREATE TABLE IF NOT EXISTS injects (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    round      INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    inject     TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (session_id, round, seq)
);
CREATE TABLE IF NOT EXISTS rounds (
    session_id     TEXT NOT NULL REFERENCES sessions(id),
    round          INTEGER NOT NULL,
    digest         TEXT NOT NULL,
    closed_by      TEXT NOT NULL,
    adjudicated_at TEXT NOT NULL,
    events         TEXT NOT NULL,
    PRIMARY KEY (session_id, round)
);
CREATE TABLE IF NOT EXISTS decisions (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    round       INTEGER NOT NULL,
    id          TEXT NOT NULL,
    seat        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    target      TEXT,
    sector      TEXT NOT NULL,
    text        TEXT NOT NULL,
    answer      INTEGER,
    answered_at TEXT,
    PRIMARY KEY (session_id, round, id)
);
CREATE TABLE IF NOT EXISTS messages (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    seq         INTEGER NOT NULL,
    round       INTEGER NOT NULL,
    sender      TEXT NOT NULL,
    recipients  TEXT NOT NULL,
    text        TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE IF NOT EXISTS voids (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    round       INTEGER NOT NULL,
    seat        TEXT NOT NULL,
    action      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    voided_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    seq         INTEGER NOT NULL,
    round       INTEGER NOT NULL,
    text        TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def default_db() -> Path:
    """$HIGHFENCE_DB, else a file in the working directory."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


@dataclass(frozen=True)
class SessionRow:
    id: str
    created_at: str
    scenario_name: str
    scenario_source: str
    scenario_yaml: str
    scenario_hash: str
    seed: int
    rounds: int
    status: str
    round: int
    facilitator_hash: str
    auto_close: bool
    parent_id: str | None
    parent_round: int | None
    engine_version: str
    phase: str = "orders"  # orders: seats seal orders; answers: seats answer what the round asks them
    deadline_at: str | None = None  # when the open round closes by itself (ISO, UTC)
    deadline_s: int | None = None  # seconds each new round gets (None: no deadline)


@dataclass(frozen=True)
class SeatRow:
    state: str
    token_hash: str
    strategy: dict  # the scenario's strategy spec for this state: {kind, params}
    seat_params: dict  # HumanSeat's standing answers


@dataclass(frozen=True)
class OrderRow:
    round: int
    seat: str
    actions: list[dict]
    submitted_at: str
    revision: int


@dataclass(frozen=True)
class InjectRow:
    round: int
    seq: int
    inject: dict
    added_at: str


@dataclass(frozen=True)
class DecisionRow:
    round: int
    id: str
    seat: str
    kind: str  # proposal / demand
    source: str  # the proposer or the coercer
    target: str | None  # a proposal's target
    sector: str
    text: str
    answer: bool | None  # None: not answered (yet)
    answered_at: str | None


@dataclass(frozen=True)
class MessageRow:
    seq: int
    round: int
    sender: str  # a seat or "facilitator"
    recipients: list[str]  # empty: a public statement
    text: str
    sent_at: str


@dataclass(frozen=True)
class VoidRow:
    round: int
    seat: str
    action: dict
    reason: str
    voided_at: str


@dataclass(frozen=True)
class NoteRow:
    seq: int
    round: int
    text: str
    added_at: str


@dataclass(frozen=True)
class RoundRow:
    round: int
    digest: str
    closed_by: str
    adjudicated_at: str
    events: list[dict]


class SessionStore:
    """One SQLite file of sessions. Safe to share between threads (one connection
    per thread) and between processes (SQLite's locking, WAL, busy timeout).

    A damaged file is one clear SessionError, from opening it or from any read or
    write: a file that is not SQLite, a truncated one (SQLite's quick_check runs when an
    existing database is opened), a zero-byte one where a database is expected (refused,
    not silently taken for an empty database), a stored record that is not JSON."""

    def __init__(self, path: str | Path | None = None, busy_timeout: float = BUSY_TIMEOUT_S, create: bool = True):
        self.path = Path(path) if path is not None else default_db()
        self.busy_timeout = busy_timeout
        if self.path.exists() and not self.path.is_file():
            raise SessionError(f"--db {self.path}: not a file (expected a session database)")
        if not create and not self.path.is_file():
            raise NotFound(f"--db {self.path}: no session database here (create one with `highfence session new`)")
        if not create and self.path.stat().st_size == 0:
            # SQLite would take it for a new, empty database: every session "unknown". (Creating one,
            # `session new`, may start from an empty file: another process may be creating it right now.)
            raise SessionError(f"--db {self.path}: the file is empty (0 bytes), not a session database (truncated?); "
                               "restore it from a backup, or give `highfence session new` this --db to start anew")
        self._local = threading.local()
        self._init()

    def damaged(self, exc: Exception) -> SessionError:
        """The one message for a database SQLite cannot read."""
        what = "not a session database, or a damaged one" if "not a database" in str(exc) else \
            "the session database is damaged"
        return SessionError(f"--db {self.path}: {what} ({exc}); restore it from a backup "
                            f"(or try `sqlite3 {self.path} .recover`), or use another --db")

    def _db_error(self, exc: Exception) -> SessionError:
        if isinstance(exc, sqlite3.OperationalError):
            text = str(exc)
            if "locked" in text or "busy" in text:
                return SessionError(f"--db {self.path}: the database stayed locked ({text})")
            if "malformed" not in text and "not a database" not in text:
                return SessionError(f"--db {self.path}: {text}")
        if isinstance(exc, json.JSONDecodeError):
            return self.damaged(f"a stored record is not JSON: {exc.msg}")
        return self.damaged(exc)

    # -- connections ------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        except sqlite3.OperationalError as exc:
            raise SessionError(f"--db {self.path}: cannot open the session database ({exc})") from None
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = self._local.conn = self._connect()
            except sqlite3.DatabaseError as exc:
                raise self._db_error(exc) from None
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _init(self) -> None:
        if self.path.parent and not self.path.parent.exists():
            raise SessionError(f"--db {self.path}: the directory {self.path.parent} does not exist")
        conn = self.conn
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise SessionError(f"--db {self.path}: an SQLite database of something else (it holds tables but "
                                   "no highfence schema version); use another --db")
            if version == 0:
                # WAL is a property of the file: set once, outside any transaction.
                conn.execute("PRAGMA journal_mode = WAL")
                with self.write() as c:
                    if c.execute("PRAGMA user_version").fetchone()[0] == 0:
                        for stmt in SCHEMA.split(";"):
                            if stmt.strip():
                                c.execute(stmt)
                        c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                version = SCHEMA_VERSION
            elif version in (1, SCHEMA_VERSION):
                # A truncated or overwritten file often opens fine and fails later, query by
                # query: check its pages once now (milliseconds for a session database).
                rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(3)").fetchall()]
                if rows != ["ok"]:
                    lines = [ln.strip() for r in rows for ln in r.splitlines() if ln.strip() and "***" not in ln]
                    raise self.damaged("; ".join(lines[:2]) or "quick_check failed")
                if version == 1:
                    version = self._migrate_v1(conn)
        except sqlite3.OperationalError as exc:
            raise self._db_error(exc) from None
        except sqlite3.DatabaseError as exc:
            raise self.damaged(exc) from None
        if version != SCHEMA_VERSION:
            raise SessionError(
                f"--db {self.path}: session database schema version {version}; this highfence reads "
                f"version {SCHEMA_VERSION} (use the highfence that made it, or another --db)"
            )

    def _migrate_v1(self, conn: sqlite3.Connection) -> int:
        """Version 1 -> 2 in one transaction: the sessions table gains its phase and
        deadline columns, the new tables are created; every stored row is kept."""
        with self.write() as c:
            if c.execute("PRAGMA user_version").fetchone()[0] == 1:  # another process may have just done it
                c.execute("ALTER TABLE sessions ADD COLUMN phase TEXT NOT NULL DEFAULT 'orders'")
                c.execute("ALTER TABLE sessions ADD COLUMN deadline_at TEXT")
                c.execute("ALTER TABLE sessions ADD COLUMN deadline_s INTEGER")
                for stmt in SCHEMA.split(";"):
                    if stmt.strip():
                        c.execute(stmt)
                c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return SCHEMA_VERSION

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: taken at once (BEGIN IMMEDIATE), committed on exit."""
        with self._transaction("BEGIN IMMEDIATE") as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot across several queries."""
        with self._transaction("BEGIN") as conn:
            yield conn

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        """A transaction opened with `begin`, committed on exit, rolled back on any error;
        a damaged database becomes one clear SessionError."""
        conn = self.conn
        try:
            conn.execute(begin)
        except sqlite3.DatabaseError as exc:
            raise self._db_error(exc) from None
        try:
            yield conn
        except (sqlite3.DatabaseError, json.JSONDecodeError) as exc:
            self._rollback(conn)
            raise self._db_error(exc) from None
        except BaseException:
            self._rollback(conn)
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._rollback(conn)
            raise self._db_error(exc) from None

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # no transaction left to roll back (SQLite ended it on the error)

    # -- reads ------------------------------------------------------------------
    @staticmethod
    def session(conn: sqlite3.Connection, session_id: str) -> SessionRow:
        row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise NotFound(f"no session {session_id!r} in this database")
        d = dict(row)
        d["auto_close"] = bool(d["auto_close"])
        return SessionRow(**d)

    @staticmethod
    def sessions(conn: sqlite3.Connection) -> list[SessionRow]:
        rows = conn.execute("SELECT id FROM sessions ORDER BY created_at").fetchall()
        return [SessionStore.session(conn, r["id"]) for r in rows]

    @staticmethod
    def seats(conn: sqlite3.Connection, session_id: str) -> list[SeatRow]:
        rows = conn.execute("SELECT * FROM seats WHERE session_id = ? ORDER BY position", (session_id,))
        return [SeatRow(r["state"], r["token_hash"], json.loads(r["strategy"]), json.loads(r["seat_params"]))
                for r in rows]

    @staticmethod
    def orders(conn: sqlite3.Connection, session_id: str, first: int = 1, last: int | None = None) -> list[OrderRow]:
        last = 1 << 30 if last is None else last
        rows = conn.execute(
            "SELECT o.* FROM orders o JOIN seats s ON s.session_id = o.session_id AND s.state = o.seat "
            "WHERE o.session_id = ? AND o.round BETWEEN ? AND ? ORDER BY o.round, s.position",
            (session_id, first, last))
        return [OrderRow(r["round"], r["seat"], json.loads(r["actions"]), r["submitted_at"], r["revision"])
                for r in rows]

    @staticmethod
    def injects(conn: sqlite3.Connection, session_id: str, first: int = 1, last: int | None = None) -> list[InjectRow]:
        last = 1 << 30 if last is None else last
        rows = conn.execute(
            "SELECT * FROM injects WHERE session_id = ? AND round BETWEEN ? AND ? ORDER BY round, seq",
            (session_id, first, last))
        return [InjectRow(r["round"], r["seq"], json.loads(r["inject"]), r["added_at"]) for r in rows]

    @staticmethod
    def rounds(conn: sqlite3.Connection, session_id: str, first: int = 1, last: int | None = None) -> list[RoundRow]:
        last = 1 << 30 if last is None else last
        rows = conn.execute(
            "SELECT * FROM rounds WHERE session_id = ? AND round BETWEEN ? AND ? ORDER BY round",
            (session_id, first, last))
        return [RoundRow(r["round"], r["digest"], r["closed_by"], r["adjudicated_at"], json.loads(r["events"]))
                for r in rows]

    # -- writes (inside `write()`) ------------------------------------------------
    @staticmethod
    def insert_session(conn: sqlite3.Connection, row: SessionRow, seats: list[SeatRow]) -> None:
        d = dict(row.__dict__)
        d["auto_close"] = int(d["auto_close"])
        conn.execute(f"INSERT INTO sessions ({', '.join(d)}) VALUES ({', '.join('?' * len(d))})", tuple(d.values()))
        for k, s in enumerate(seats):
            conn.execute(
                "INSERT INTO seats (session_id, state, position, token_hash, strategy, seat_params) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (row.id, s.state, k, s.token_hash, json.dumps(s.strategy), json.dumps(s.seat_params)))

    @staticmethod
    def put_orders(conn: sqlite3.Connection, session_id: str, round_: int, seat: str, actions: list[dict]) -> int:
        """Insert or replace a seat's order list for a round; return its revision number."""
        row = conn.execute(
            "INSERT INTO orders (session_id, round, seat, actions, submitted_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (session_id, round, seat) DO UPDATE SET actions = excluded.actions, "
            "submitted_at = excluded.submitted_at, revision = revision + 1 RETURNING revision",
            (session_id, round_, seat, json.dumps(actions), now())).fetchone()
        return int(row[0])

    @staticmethod
    def add_inject(conn: sqlite3.Connection, session_id: str, round_: int, inject: dict) -> int:
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM injects WHERE session_id = ? AND round = ?",
                           (session_id, round_)).fetchone()[0]
        conn.execute("INSERT INTO injects (session_id, round, seq, inject, added_at) VALUES (?, ?, ?, ?, ?)",
                     (session_id, round_, seq, json.dumps(inject), now()))
        return int(seq)

    @staticmethod
    def add_round(conn: sqlite3.Connection, session_id: str, round_: int, digest: str, closed_by: str,
                  events: list[dict]) -> None:
        conn.execute("INSERT INTO rounds (session_id, round, digest, closed_by, adjudicated_at, events) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (session_id, round_, digest, closed_by, now(), json.dumps(events)))

    @staticmethod
    def update_session(conn: sqlite3.Connection, session_id: str, **fields) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        conn.execute(f"UPDATE sessions SET {sets} WHERE id = ?", (*fields.values(), session_id))

    @staticmethod
    def copy_rounds(conn: sqlite3.Connection, source: str, dest: str, last: int) -> None:
        """Copy rounds 0..last (orders, injects, results) of one session into another, as stored."""
        conn.execute("INSERT INTO orders SELECT ?, round, seat, actions, submitted_at, revision FROM orders "
                     "WHERE session_id = ? AND round <= ?", (dest, source, last))
        conn.execute("INSERT INTO injects SELECT ?, round, seq, inject, added_at FROM injects "
                     "WHERE session_id = ? AND round <= ?", (dest, source, last))
        conn.execute("INSERT INTO rounds SELECT ?, round, digest, closed_by, adjudicated_at, events FROM rounds "
                     "WHERE session_id = ? AND round <= ?", (dest, source, last))
        for table, cols in (("decisions", "round, id, seat, kind, source, target, sector, text, answer, answered_at"),
                            ("messages", "seq, round, sender, recipients, text, sent_at"),
                            ("voids", "round, seat, action, reason, voided_at"),
                            ("notes", "seq, round, text, added_at")):
            conn.execute(f"INSERT INTO {table} (session_id, {cols}) SELECT ?, {cols} FROM {table} "
                         "WHERE session_id = ? AND round <= ?", (dest, source, last))

    # -- decisions, messages, voids, notes (v2) -------------------------------------
    @staticmethod
    def decisions(conn: sqlite3.Connection, session_id: str, first: int = 1, last: int | None = None) -> list[DecisionRow]:
        last = 1 << 30 if last is None else last
        rows = conn.execute(
            "SELECT d.* FROM decisions d JOIN seats s ON s.session_id = d.session_id AND s.state = d.seat "
            "WHERE d.session_id = ? AND d.round BETWEEN ? AND ? ORDER BY d.round, s.position, d.id",
            (session_id, first, last))
        return [DecisionRow(r["round"], r["id"], r["seat"], r["kind"], r["source"], r["target"], r["sector"],
                            r["text"], None if r["answer"] is None else bool(r["answer"]), r["answered_at"])
                for r in rows]

    @staticmethod
    def put_decisions(conn: sqlite3.Connection, session_id: str, round_: int, decisions: list[DecisionRow]) -> None:
        """The open round's decisions become exactly `decisions`; answers already given to
        decisions that are still asked are kept."""
        kept = {d.id: d for d in SessionStore.decisions(conn, session_id, round_, round_)}
        conn.execute("DELETE FROM decisions WHERE session_id = ? AND round = ?", (session_id, round_))
        for d in decisions:
            old = kept.get(d.id)
            answer = None if old is None or old.answer is None else int(old.answer)
            conn.execute("INSERT INTO decisions (session_id, round, id, seat, kind, source, target, sector, text, "
                         "answer, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (session_id, round_, d.id, d.seat, d.kind, d.source, d.target, d.sector, d.text, answer,
                          old.answered_at if old else None))

    @staticmethod
    def answer_decision(conn: sqlite3.Connection, session_id: str, round_: int, decision_id: str, yes: bool) -> None:
        conn.execute("UPDATE decisions SET answer = ?, answered_at = ? WHERE session_id = ? AND round = ? AND id = ?",
                     (int(yes), now(), session_id, round_, decision_id))

    @staticmethod
    def messages(conn: sqlite3.Connection, session_id: str) -> list[MessageRow]:
        rows = conn.execute("SELECT * FROM messages WHERE session_id = ? ORDER BY seq", (session_id,))
        return [MessageRow(r["seq"], r["round"], r["sender"], json.loads(r["recipients"]), r["text"], r["sent_at"])
                for r in rows]

    @staticmethod
    def add_message(conn: sqlite3.Connection, session_id: str, round_: int, sender: str, recipients: list[str],
                    text: str) -> MessageRow:
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE session_id = ?",
                           (session_id,)).fetchone()[0]
        row = MessageRow(int(seq), round_, sender, list(recipients), text, now())
        conn.execute("INSERT INTO messages (session_id, seq, round, sender, recipients, text, sent_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (session_id, row.seq, round_, sender, json.dumps(row.recipients), text, row.sent_at))
        return row

    @staticmethod
    def voids(conn: sqlite3.Connection, session_id: str, first: int = 1, last: int | None = None) -> list[VoidRow]:
        last = 1 << 30 if last is None else last
        rows = conn.execute("SELECT * FROM voids WHERE session_id = ? AND round BETWEEN ? AND ? ORDER BY rowid",
                            (session_id, first, last))
        return [VoidRow(r["round"], r["seat"], json.loads(r["action"]), r["reason"], r["voided_at"]) for r in rows]

    @staticmethod
    def add_void(conn: sqlite3.Connection, session_id: str, round_: int, seat: str, action: dict, reason: str,
                 remaining: list[dict]) -> None:
        """Record a void and take the order out of the seat's stored list (replay plays the rest)."""
        conn.execute("INSERT INTO voids (session_id, round, seat, action, reason, voided_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (session_id, round_, seat, json.dumps(action), reason, now()))
        conn.execute("UPDATE orders SET actions = ? WHERE session_id = ? AND round = ? AND seat = ?",
                     (json.dumps(remaining), session_id, round_, seat))

    @staticmethod
    def notes(conn: sqlite3.Connection, session_id: str) -> list[NoteRow]:
        rows = conn.execute("SELECT * FROM notes WHERE session_id = ? ORDER BY seq", (session_id,))
        return [NoteRow(r["seq"], r["round"], r["text"], r["added_at"]) for r in rows]

    @staticmethod
    def add_note(conn: sqlite3.Connection, session_id: str, round_: int, text: str) -> NoteRow:
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM notes WHERE session_id = ?",
                           (session_id,)).fetchone()[0]
        row = NoteRow(int(seq), round_, text, now())
        conn.execute("INSERT INTO notes (session_id, seq, round, text, added_at) VALUES (?, ?, ?, ?, ?)",
                     (session_id, row.seq, round_, text, row.added_at))
        return row
