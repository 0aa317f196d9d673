"""A tabletop session: human seats with sealed orders, a facilitator, saved every round.

Each round: briefing (public world state plus each seat's private data), orders
(sealed and simultaneous), adjudication (when every seat has submitted, or when
the facilitator closes the round; a seat without orders holds its policies),
debrief (the round's results and events).

The database is the truth; the in-memory model is a cache rebuilt by replay.
Every write is one transaction committed before the call returns, and every
write checks, under the database's write lock, that the round it was meant for
is still the open one: two processes (or threads, or a CLI call and a web
page) can act on one session at once and nothing is recorded twice or for the
wrong round.

Python API (what the CLI and a web page call):

    store = SessionStore("games.sqlite")
    created = create_session(store, "configs/default.yaml", ["JPN", "USA"], seed=1)
    s = open_session(store, created.session_id)
    s.briefing(token=created.seat_tokens["JPN"], seat="JPN")   # public + JPN's private + legal actions
    s.submit("JPN", token, [{"kind": "hold"}])                  # validated, stored, acknowledged
    s.add_inject(created.facilitator_token, {"kind": "demand_shock", "sector": "chips", "factor": 1.2})
    s.close_round(created.facilitator_token)                   # adjudicate now
    s.pause(f_token); s.unpause(f_token); s.end(f_token)
    s.history(); s.check(); s.resume(); s.fork(at_round=2)
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agents.strategies import make_state_strategy
from game.errors import HighfenceError
from game.model import GeoModel
from game.output import package_version
from game.scenario import Scenario, load_scenario, scenario_from_dict
from game.session import orders as order_rules
from game.session.briefing import event_dict, private_briefing, public_briefing
from game.session.errors import (
    Conflict,
    Forbidden,
    IllegalOrder,
    NotFound,
    ReplayMismatch,
    SessionError,
)
from game.session.replay import (
    parse_round,
    play_round,
    scenario_from_yaml,
    scenario_yaml,
    with_seats,
)
from game.session.store import DecisionRow, SeatRow, SessionRow, SessionStore, now
from game.session.tokens import hash_token, matches, new_session_id, new_token
from game.words import Labels, answer_text, decision_text

FACILITATOR, SEAT, PUBLIC = "facilitator", "seat", "public"
CLOSED_BY_SEATS = "all seats submitted"
CLOSED_BY_ANSWERS = "all seats answered"
CLOSED_BY_FACILITATOR = "facilitator"
CLOSED_BY_DEADLINE = "deadline"
ORDERS, ANSWERS = "orders", "answers"
MAX_MESSAGE = 2000  # characters in one message or note
MAX_DEADLINE_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Created:
    """A new session's id and its tokens (shown once: only their hashes are stored)."""

    session_id: str
    facilitator_token: str
    seat_tokens: dict[str, str]
    db: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Role:
    kind: str  # facilitator / seat / public
    seat: str | None = None


@dataclass
class RoundResult:
    """One adjudicated round: its digest, who closed it, its events."""

    round: int
    digest: str
    closed_by: str
    events: list[dict]
    ended: bool

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Asking:
    """Orders are sealed and the round now waits for the seats' answers (see `Session.pending`)."""

    round: int
    pending: list[dict]
    phase: str = ANSWERS
    adjudicated: None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _decision_dict(d: DecisionRow) -> dict:
    return {"id": d.id, "round": d.round, "seat": d.seat, "kind": d.kind, "from": d.source, "target": d.target,
            "sector": d.sector, "question": d.text,
            "answer": None if d.answer is None else answer_text(d.kind, d.answer), "answered": d.answer is not None,
            "accepted": d.answer}


def _deadline(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    return (datetime.now(UTC) + timedelta(seconds=int(seconds))).isoformat(timespec="milliseconds")


def seconds_left(deadline_at: str | None) -> float | None:
    if not deadline_at:
        return None
    return max(0.0, (datetime.fromisoformat(deadline_at) - datetime.now(UTC)).total_seconds())


@dataclass
class CheckReport:
    session_id: str
    rounds: list[dict] = field(default_factory=list)  # {round, stored, replayed, equal}

    @property
    def ok(self) -> bool:
        return all(r["equal"] for r in self.rounds)

    def as_dict(self) -> dict:
        return {"session": self.session_id, "ok": self.ok, "rounds": self.rounds}


def _seat_map(scenario: Scenario, seats: Mapping[str, dict] | Sequence[str]) -> dict[str, dict]:
    seats = dict(seats) if isinstance(seats, Mapping) else {s: {} for s in seats}
    if not seats:
        raise SessionError("a session needs at least one human seat (--seat STATE)")
    for state, params in seats.items():
        if state not in scenario.states:
            raise SessionError(f"--seat {state}: no such state in {scenario.name} "
                               f"(states: {', '.join(scenario.states)})")
        try:
            make_state_strategy("human", params)
        except ValueError as exc:
            raise SessionError(f"--seat {state}: {exc}") from None
    return seats


def create_session(store: SessionStore, scenario: Scenario | str | Path, seats: Mapping[str, dict] | Sequence[str],
                   seed: int = 0, rounds: int | None = None, auto_close: bool = True,
                   source: str | None = None, deadline: int | None = None) -> Created:
    """Create a session: the scenario with `seats` played by humans, every other state
    by its scenario strategy. `seats` is a list of states, or a mapping state ->
    standing answers ({"accept_proposals": bool, "concede": bool}). With `deadline`
    (seconds), every round closes by itself that long after it opens."""
    _check_deadline(deadline)
    if not isinstance(scenario, Scenario):
        source = source or str(scenario)
        scenario = load_scenario(scenario)
    if rounds is not None:
        if rounds < 1:
            raise SessionError("--rounds: expected a positive number of rounds")
        scenario = scenario_from_dict({**scenario.model_dump(mode="json"), "rounds": rounds}, source or scenario.name)
    seat_params = _seat_map(scenario, seats)
    # Build once now: a scenario the engine refuses is a creation error, not a broken session.
    model = GeoModel(with_seats(scenario, seat_params), seed=seed)
    tokens = {state: new_token() for state in seat_params}
    facilitator = new_token()
    row = SessionRow(
        id=new_session_id(), created_at=now(), scenario_name=scenario.name,
        scenario_source=source or "<python>", scenario_yaml=scenario_yaml(scenario),
        scenario_hash=scenario.digest(), seed=int(seed), rounds=scenario.rounds, status="open", round=0,
        facilitator_hash=hash_token(facilitator), auto_close=auto_close, parent_id=None, parent_round=None,
        engine_version=package_version(), deadline_at=_deadline(deadline), deadline_s=deadline,
    )
    seat_rows = [SeatRow(state, hash_token(tokens[state]), scenario.states[state].strategy.model_dump(mode="json"),
                         dict(params)) for state, params in seat_params.items()]
    with store.write() as conn:
        store.insert_session(conn, row, seat_rows)
        store.add_round(conn, row.id, 0, model.digest(), "start", [])
    return Created(row.id, facilitator, tokens, str(store.path))


def _check_deadline(seconds) -> None:
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)
                                or not 1 <= seconds <= MAX_DEADLINE_S):
        raise SessionError(f"--deadline: expected whole seconds from 1 to {MAX_DEADLINE_S}, got {seconds!r}")


def open_session(store: SessionStore, session_id: str) -> Session:
    return Session(store, session_id)


class Session:
    """One session in a store. Cheap to create; every call reads the stored state first,
    so several Session objects (in several processes) can work on one session."""

    def __init__(self, store: SessionStore, session_id: str):
        self.store = store
        self.id = session_id
        self._lock = threading.RLock()
        self._model: GeoModel | None = None
        with store.read() as conn:
            self.row = store.session(conn, session_id)
            self.seat_rows = {s.state: s for s in store.seats(conn, session_id)}
        self.scenario = scenario_from_yaml(self.row.scenario_yaml, f"session {session_id}")
        self.seat_scenario = with_seats(self.scenario, {s: r.seat_params for s, r in self.seat_rows.items()})

    @property
    def lock(self) -> threading.RLock:
        """Held while the live model changes (adjudication); hold it to read the model safely."""
        return self._lock

    # -- reading --------------------------------------------------------------------
    @property
    def seats(self) -> list[str]:
        return list(self.seat_rows)

    def refresh(self) -> SessionRow:
        with self.store.read() as conn:
            self.row = self.store.session(conn, self.id)
        return self.row

    def role(self, token: str | None, seat: str | None = None) -> Role:
        """Who a token belongs to. With `seat`, the token must be that seat's (or the
        facilitator's, who may read any briefing)."""
        if seat is not None and seat not in self.seat_rows:
            raise NotFound(f"{seat} is not a seat of session {self.id} (seats: {', '.join(self.seats)})")
        if token is None:
            if seat is not None:
                raise Forbidden(f"reading {seat}'s briefing needs {seat}'s seat token")
            return Role(PUBLIC)
        if matches(token, self.row.facilitator_hash):
            return Role(FACILITATOR, seat)
        if seat is not None:
            if matches(token, self.seat_rows[seat].token_hash):
                return Role(SEAT, seat)
            raise Forbidden(f"this token is not {seat}'s seat token")
        for name, r in self.seat_rows.items():
            if matches(token, r.token_hash):
                return Role(SEAT, name)
        raise Forbidden("this token belongs to no seat of this session and is not its facilitator's")

    def _require_facilitator(self, token: str | None, what: str) -> None:
        if not matches(token, self.row.facilitator_hash):
            raise Forbidden(f"only the facilitator's token can {what}")

    def _require_seat(self, seat: str, token: str | None) -> None:
        if seat not in self.seat_rows:
            raise NotFound(f"{seat} is not a seat of session {self.id} (seats: {', '.join(self.seats)})")
        if not matches(token, self.seat_rows[seat].token_hash):
            raise Forbidden(f"this token is not {seat}'s seat token: only {seat}'s own token submits its orders")

    # -- the model (a cache rebuilt by replay) ---------------------------------------------
    def _fresh_model(self) -> GeoModel:
        return GeoModel(self.seat_scenario, seed=self.row.seed, rounds=self.row.rounds)

    def _advance(self, model: GeoModel, target: int, verify: bool = True) -> GeoModel:
        """Replay stored rounds model.steps+1 .. target, checking each stored digest."""
        if target <= model.steps:
            return model
        with self.store.read() as conn:
            orders = self.store.orders(conn, self.id, model.steps + 1, target)
            injects = self.store.injects(conn, self.id, model.steps + 1, target)
            decisions = self.store.decisions(conn, self.id, model.steps + 1, target)
            digests = {r.round: r.digest for r in self.store.rounds(conn, self.id, model.steps + 1, target)}
        for r in range(model.steps + 1, target + 1):
            acts, injs = parse_round({o.seat: o.actions for o in orders if o.round == r},
                                     [i.inject for i in injects if i.round == r])
            play_round(model, acts, injs, _answers([d for d in decisions if d.round == r]))
            if verify and model.digest() != digests.get(r):
                self._model = None
                raise ReplayMismatch(
                    f"session {self.id}: replaying round {r} did not rebuild the stored world (stored digest "
                    f"{str(digests.get(r))[:12]}, replayed {model.digest()[:12]}); the session was made by "
                    f"highfence {self.row.engine_version}, this is {package_version()}. "
                    f"`highfence session check {self.id}` lists every round")
        return model

    def model(self) -> GeoModel:
        """The world after the last adjudicated round (replayed and verified as needed)."""
        with self._lock:
            target = self.refresh().round
            if self._model is None or self._model.steps > target:
                self._model = self._fresh_model()
            return self._advance(self._model, target)

    # -- views --------------------------------------------------------------------
    def _pending(self, round_: int) -> tuple[dict[str, list[dict]], list[dict]]:
        with self.store.read() as conn:
            orders = {o.seat: o.actions for o in self.store.orders(conn, self.id, round_, round_)}
            injects = [i.inject for i in self.store.injects(conn, self.id, round_, round_)]
        return orders, injects

    def status(self) -> dict:
        """Public facts: where the game is, who has submitted and who is still answering
        (not what), the round's deadline. Closes the round first if its deadline has passed."""
        self.tick()
        row = self.refresh()
        orders, _ = self._pending(row.round + 1)
        with self.store.read() as conn:
            open_q = {d.seat for d in self.store.decisions(conn, self.id, row.round + 1, row.round + 1)
                      if d.answer is None} if row.phase == ANSWERS else set()
        return {
            "session": self.id, "scenario": row.scenario_name, "seed": row.seed, "status": row.status,
            "rounds": row.rounds, "adjudicated": row.round,
            "current_round": row.round + 1 if row.status != "ended" else None,
            "phase": row.phase if row.status != "ended" else None,
            "deadline_at": row.deadline_at if row.status != "ended" else None,
            "seconds_left": seconds_left(row.deadline_at) if row.status != "ended" else None,
            "deadline_s": row.deadline_s,
            "seats": [{"state": s, "submitted": s in orders, "answering": s in open_q}
                      for s in self.seat_rows],
            # Who the computer plays, never how: a strategy label would tell players how an opponent behaves.
            "ai_states": {n: "computer" for n in self.scenario.states if n not in self.seat_rows},
            "auto_close": row.auto_close,  # not the pending injects: they are the facilitator's until adjudicated
            "parent": {"session": row.parent_id, "round": row.parent_round} if row.parent_id else None,
            "created_at": row.created_at,
        }

    def briefing(self, token: str | None = None, seat: str | None = None) -> dict:
        """The view a token is entitled to: public for anyone; plus a seat's private
        data, its own orders this round and its legal actions (with examples) for that
        seat's token; plus everyone's pending orders and injects for the facilitator."""
        role = self.role(token, seat)
        self.tick()
        with self._lock:
            model = self.model()
            out = {"role": role.kind, "session": self.status(), "public": public_briefing(model),
                   "last_round": self.history(self.row.round, self.row.round)[0] if self.row.round else None}
            orders, injects = self._pending(self.row.round + 1)
            if role.seat is not None:
                out["seat"] = role.seat
                out["private"] = private_briefing(model, role.seat, self.seat_rows[role.seat].seat_params)
                out["orders"] = orders.get(role.seat)
                out["legal_actions"] = order_rules.legal_actions(model, role.seat)
                out["pending"] = self._decisions(self.row.round + 1, role.seat)
                out["voided"] = self._voids(self.row.round + 1, role.seat)
            if role.kind == FACILITATOR:
                out["pending_orders"] = orders
                out["pending_injects"] = injects
                out["inject_menu"] = order_rules.inject_menu(model)
                out["pending"] = self._decisions(self.row.round + 1)
                out["voided"] = self._voids(self.row.round + 1)
                out["notes"] = self.notes(token)
                out["ai_strategies"] = {n: st.strategy.kind for n, st in self.scenario.states.items()
                                        if n not in self.seat_rows}
        return out

    def legal_actions(self, seat: str, token: str) -> list[dict]:
        self.role(token, seat)
        with self._lock:
            return order_rules.legal_actions(self.model(), seat)

    def history(self, first: int = 1, last: int | None = None) -> list[dict]:
        """Adjudicated rounds: each seat's orders (public once adjudicated), the injects,
        who closed the round, its events and world digest."""
        with self.store.read() as conn:
            row = self.store.session(conn, self.id)
            last = row.round if last is None else min(last, row.round)
            rounds = self.store.rounds(conn, self.id, first, last)
            orders = self.store.orders(conn, self.id, first, last)
            injects = self.store.injects(conn, self.id, first, last)
            decisions = self.store.decisions(conn, self.id, first, last)
            voids = self.store.voids(conn, self.id, first, last)
            notes = [n for n in self.store.notes(conn, self.id) if first <= n.round <= last]
        return [{
            "round": r.round, "closed_by": r.closed_by, "adjudicated_at": r.adjudicated_at, "digest": r.digest,
            "orders": {o.seat: o.actions for o in orders if o.round == r.round},
            "injects": [i.inject for i in injects if i.round == r.round],
            "events": r.events,
            "decisions": [_decision_dict(d) for d in decisions if d.round == r.round],
            "voided": [{"seat": v.seat, "order": v.action, "reason": v.reason} for v in voids if v.round == r.round],
            "notes": [{"text": n.text, "added_at": n.added_at} for n in notes if n.round == r.round],
        } for r in rounds if r.round >= 1]

    # -- writing ---------------------------------------------------------------------
    def _open_round(self, row: SessionRow, expected: int | None, what: str, allow_paused: bool = False) -> int:
        if row.status == "ended":
            raise Conflict(f"session {self.id} has ended: no more {what}")
        if row.status == "paused" and not allow_paused:
            raise Conflict(f"session {self.id} is paused by the facilitator: {what} wait until it resumes")
        current = row.round + 1
        if expected is not None and expected != current:
            raise Conflict(f"round {expected} is not open (round {current} is): read the new briefing first")
        return current

    def submit(self, seat: str, token: str | None, actions: Sequence[Any], append: bool = False,
               round: int | None = None) -> dict:
        """Record a seat's sealed orders for the open round, after checking them against
        the rules; acknowledge only once committed.

        `actions` are dicts, JSON strings or typed actions; an empty list is a hold.
        A later submission for the same round replaces the list (with `append`, adds
        to it). `round` pins the round the seat was briefed on. When this completes
        the set of seats (and the session closes rounds itself), the round is
        adjudicated and the result is under "adjudicated".
        """
        self._require_seat(seat, token)
        parsed = order_rules.parse_orders(actions)
        with self._lock:
            model = self.model()
            expected = round if round is not None else model.steps + 1
            with self.store.write() as conn:
                row = self.store.session(conn, self.id)
                r = self._open_round(row, expected, "orders")
                if row.phase == ANSWERS:
                    raise Conflict(f"round {r}'s orders are sealed: the round is waiting for the seats' answers "
                                   "to what it asks them (`highfence session show` lists them)")
                if row.round != model.steps:  # adjudicated since the model was read
                    raise Conflict(f"round {expected} was adjudicated while this order was being checked: "
                                   "read the new briefing and submit again")
                if append:
                    held = self.store.orders(conn, self.id, r, r)
                    prior = [o.actions for o in held if o.seat == seat]
                    parsed = order_rules.parse_orders(prior[0] if prior else []) + parsed
                effects = order_rules.check_orders(model, seat, parsed)
                stored = [a.model_dump(mode="json") for a in parsed]
                revision = self.store.put_orders(conn, self.id, r, seat, stored)
            self.row = row
        ack = {"session": self.id, "round": r, "seat": seat, "orders": stored, "effects": effects,
               "revision": revision, "adjudicated": None}
        if row.auto_close:
            result = self._close_if_complete(r)
            ack["adjudicated"] = result.as_dict() if isinstance(result, RoundResult) else None
            ack["asking"] = result.as_dict() if isinstance(result, Asking) else None
        return ack

    def preview(self, seat: str, token: str | None, actions: Sequence[Any]) -> list[str]:
        """Check orders as `submit` would, without recording them: what each would do,
        or IllegalOrder with the reason (for forms that validate as the player types)."""
        self._require_seat(seat, token)
        parsed = order_rules.parse_orders(actions)
        with self._lock:
            return order_rules.check_orders(self.model(), seat, parsed)

    def orders_of(self, seat: str, token: str | None) -> list[dict] | None:
        """A seat's own orders for the open round (None: not submitted)."""
        self.role(token, seat)
        orders, _ = self._pending(self.refresh().round + 1)
        return orders.get(seat)

    def _close_if_complete(self, round_: int) -> RoundResult | Asking | None:
        """With every seat's orders in: ask the seats what the round asks them, or (nothing
        to ask, or every question answered) adjudicate."""
        row = self.refresh()
        try:
            if row.phase == ANSWERS:
                if any(d["answer"] is None for d in self._decisions(round_)):
                    return None
                return self._adjudicate(round_, CLOSED_BY_ANSWERS)
            orders, _ = self._pending(round_)
            if not set(self.seat_rows) <= set(orders):
                return None
            return self._ask_or_adjudicate(round_, CLOSED_BY_SEATS)
        except Conflict:  # paused or ended meanwhile: the facilitator decides
            return None

    def close_round(self, token: str | None, round: int | None = None) -> RoundResult | Asking:
        """The facilitator closes the open round. While seats are sealing orders: seats
        without orders hold, and if the round asks a seat something (a coalition
        proposal, a coercive demand) the seats are asked first (an `Asking` comes back);
        while seats are answering: unanswered questions get the standing stance."""
        self._require_facilitator(token, "close a round")
        row = self.refresh()
        r = self._open_round(row, round, "rounds to close")
        if row.phase == ANSWERS:
            result = self._adjudicate(r, CLOSED_BY_FACILITATOR)
        else:
            result = self._ask_or_adjudicate(r, CLOSED_BY_FACILITATOR)
        if result is None:
            raise Conflict(f"round {r} was adjudicated by another request just now")
        return result

    def _questions(self, model: GeoModel, round_: int) -> list[DecisionRow]:
        """What the open round would ask the human seats, from a dry run of the round on a
        copy of the world with the orders and injects as stored now."""
        orders, injects = self._pending(round_)
        scratch = copy.deepcopy(model)
        asked = play_round(scratch, *parse_round(orders, injects))
        labels = Labels.of(model)
        out, seen = [], set()
        for q in asked:
            did = "-".join(x for x in (q["seat"], q["kind"], q["source"], q["sector"], q["target"]) if x)
            if did in seen:
                continue
            seen.add(did)
            out.append(DecisionRow(round_, did, q["seat"], q["kind"], q["source"], q["target"], q["sector"],
                                   decision_text(q["kind"], q["seat"], q["source"], q["sector"], q["target"], labels),
                                   None, None))
        return out

    def _ask_or_adjudicate(self, round_: int, closed_by: str) -> RoundResult | Asking | None:
        """Orders are in: if the round asks the human seats anything, store the questions
        and wait for answers; else adjudicate."""
        with self._lock:
            model = self.model()
            if model.steps != round_ - 1:
                return None
            questions = self._questions(model, round_)
            if not questions:
                return self._adjudicate(round_, closed_by)
            with self.store.write() as conn:
                row = self.store.session(conn, self.id)
                if row.round != round_ - 1 or row.phase != ORDERS:
                    return None
                self._open_round(row, round_, "rounds to close")
                self.store.put_decisions(conn, self.id, round_, questions)
                self.store.update_session(conn, self.id, phase=ANSWERS)
            self.refresh()
        return Asking(round_, self._decisions(round_))

    def _decisions(self, round_: int, seat: str | None = None) -> list[dict]:
        with self.store.read() as conn:
            rows = self.store.decisions(conn, self.id, round_, round_)
        return [_decision_dict(d) for d in rows if seat is None or d.seat == seat]

    def _voids(self, round_: int, seat: str | None = None) -> list[dict]:
        with self.store.read() as conn:
            rows = self.store.voids(conn, self.id, round_, round_)
        return [{"seat": v.seat, "order": v.action, "reason": v.reason, "voided_at": v.voided_at}
                for v in rows if seat is None or v.seat == seat]

    def _adjudicate(self, round_: int, closed_by: str) -> RoundResult | None:
        """Adjudicate `round_` if it is still the open round; None if another request did."""
        with self._lock:
            model = self.model()
            if model.steps != round_ - 1:
                return None
            try:
                with self.store.write() as conn:
                    row = self.store.session(conn, self.id)
                    if row.round != round_ - 1:
                        return None
                    self._open_round(row, round_, "rounds to close")
                    orders = {o.seat: o.actions for o in self.store.orders(conn, self.id, round_, round_)}
                    injects = [i.inject for i in self.store.injects(conn, self.id, round_, round_)]
                    decisions = self.store.decisions(conn, self.id, round_, round_)
                    play_round(model, *parse_round(orders, injects), _answers(decisions))
                    digest, events = model.digest(), [event_dict(e) for e in model.last_events]
                    self.store.add_round(conn, self.id, round_, digest, closed_by, events)
                    ended = round_ >= row.rounds
                    self.store.update_session(conn, self.id, round=round_, phase=ORDERS,
                                              deadline_at=None if ended else _deadline(row.deadline_s),
                                              **({"status": "ended"} if ended else {}))
            except BaseException:
                # The model may have stepped past what the database holds: rebuild it next time.
                self._model = None
                raise
            self.refresh()
        return RoundResult(round_, digest, closed_by, events, ended)

    # -- answers ------------------------------------------------------------------------
    def pending(self, token: str | None, seat: str | None = None) -> list[dict]:
        """The open round's questions to `seat` (its token), or to every seat (the
        facilitator's token, no seat): id, who asks, the question, the answer so far."""
        role = self.role(token, seat)
        if role.kind == PUBLIC:
            raise Forbidden("pending decisions are read with a seat's token (or the facilitator's)")
        self.tick()
        return self._decisions(self.refresh().round + 1, role.seat)

    def answer(self, seat: str, token: str | None, decision_id: str, accept: bool) -> dict:
        """A seat answers one of the open round's questions (again: the new answer
        replaces the old). When every question is answered the round is adjudicated."""
        self._require_seat(seat, token)
        if not isinstance(accept, bool):
            raise IllegalOrder("answer: expected accept true or false")
        self.tick()
        with self.store.write() as conn:
            row = self.store.session(conn, self.id)
            r = self._open_round(row, None, "answers")
            if row.phase != ANSWERS:
                raise Conflict(f"round {r} is not asking for answers yet: seats are still sealing orders")
            mine = {d.id: d for d in self.store.decisions(conn, self.id, r, r) if d.seat == seat}
            if decision_id not in mine:
                raise NotFound(f"no pending decision {decision_id!r} for {seat} in round {r} "
                               f"(pending: {', '.join(mine) or 'none'})")
            self.store.answer_decision(conn, self.id, r, decision_id, accept)
        d = mine[decision_id]
        ack = {"session": self.id, "round": r, "seat": seat, "decision": decision_id,
               "answer": answer_text(d.kind, accept), "adjudicated": None}
        result = self._close_if_complete(r)
        ack["adjudicated"] = result.as_dict() if isinstance(result, RoundResult) else None
        return ack

    # -- deadlines -------------------------------------------------------------------------
    def set_deadline(self, token: str | None, seconds: int | None, every_round: bool = True) -> dict:
        """The facilitator sets (or with None clears) the open round's deadline, `seconds`
        from now; with `every_round`, each later round gets as long."""
        self._require_facilitator(token, "set the deadline")
        _check_deadline(seconds)
        with self.store.write() as conn:
            row = self.store.session(conn, self.id)
            self._open_round(row, None, "deadlines", allow_paused=True)
            fields = {"deadline_at": _deadline(seconds)}
            if every_round:
                fields["deadline_s"] = seconds
            self.store.update_session(conn, self.id, **fields)
        return self.status()

    def tick(self) -> RoundResult | None:
        """Close the open round if its deadline has passed: seats without orders hold,
        unanswered questions get the standing stance (and the event log says so).
        Every read of the session calls this, and the web server calls it every second."""
        row = self.refresh()
        if row.status != "open" or not row.deadline_at or seconds_left(row.deadline_at) > 0:
            return None
        try:
            return self._adjudicate(row.round + 1, CLOSED_BY_DEADLINE)
        except Conflict:
            return None

    # -- messages --------------------------------------------------------------------------
    def send_message(self, token: str | None, text: str, to: Sequence[str] | None = None,
                     seat: str | None = None) -> dict:
        """A private message from a seat (its token; `seat` if given must be its own) or
        the facilitator to the seats in `to`, or a public statement (`to` empty/None)."""
        role = self.role(token, seat)
        if role.kind == PUBLIC:
            raise Forbidden("sending a message needs a seat's token (or the facilitator's)")
        sender = role.seat if role.kind == SEAT else FACILITATOR
        if role.kind == FACILITATOR and seat is not None:
            raise Forbidden("the facilitator's token sends as the facilitator, not as a seat")
        if not isinstance(text, str) or not text.strip():
            raise IllegalOrder("message: expected some text")
        if len(text) > MAX_MESSAGE:
            raise IllegalOrder(f"message: at most {MAX_MESSAGE} characters (got {len(text)})")
        recipients = list(dict.fromkeys(to or []))
        for r in recipients:
            if not isinstance(r, str) or r not in self.seat_rows:
                ai = " (played by the computer: it reads no messages)" if r in self.scenario.states else ""
                raise IllegalOrder(f"message to {r!r}: not a seat of this session{ai} (seats: {', '.join(self.seats)})")
            if r == sender:
                raise IllegalOrder("message: a seat does not write to itself")
        with self.store.write() as conn:
            row = self.store.session(conn, self.id)
            if row.status == "ended":
                raise Conflict(f"session {self.id} has ended: no more messages")
            msg = self.store.add_message(conn, self.id, row.round + 1, sender, recipients, text.strip())
        return _message_dict(msg)

    def messages(self, token: str | None, seat: str | None = None) -> list[dict]:
        """The messages a token may read: public statements, and private messages it sent
        or received; the facilitator reads all. Never another pair's private messages."""
        role = self.role(token, seat)
        with self.store.read() as conn:
            rows = self.store.messages(conn, self.id)
        return [_message_dict(m) for m in rows if _may_read(role, m)]

    def all_messages(self) -> list[dict]:
        """Every message, private ones included: for whoever holds the database file (the
        after-action report); no page or API call reaches this."""
        with self.store.read() as conn:
            return [_message_dict(m) for m in self.store.messages(conn, self.id)]

    # -- the facilitator's rulings -----------------------------------------------------------
    def void_order(self, token: str | None, seat: str, index: int, reason: str) -> dict:
        """The facilitator voids one of a seat's sealed orders for the open round (by its
        position, from 1) with a reason: it is taken out of the orders that will be played,
        and the seat sees which and why. Replay plays what remains."""
        self._require_facilitator(token, "void an order")
        if seat not in self.seat_rows:
            raise NotFound(f"{seat} is not a seat of session {self.id} (seats: {', '.join(self.seats)})")
        if not isinstance(reason, str) or not reason.strip():
            raise IllegalOrder("void: give a reason (the seat sees it)")
        if len(reason) > MAX_MESSAGE:
            raise IllegalOrder(f"void: a reason of at most {MAX_MESSAGE} characters")
        with self._lock:
            with self.store.write() as conn:
                row = self.store.session(conn, self.id)
                r = self._open_round(row, None, "voids", allow_paused=True)
                held = {o.seat: o.actions for o in self.store.orders(conn, self.id, r, r)}
                if seat not in held:
                    raise NotFound(f"{seat} has sealed no orders for round {r}")
                acts = held[seat]
                if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= len(acts):
                    raise IllegalOrder(f"void: order number from 1 to {len(acts)} expected, got {index!r}"
                                       if acts else f"void: {seat} sealed a hold, nothing to void")
                action = acts[index - 1]
                self.store.add_void(conn, self.id, r, seat, action, reason.strip(), acts[:index - 1] + acts[index:])
            if row.phase == ANSWERS:  # the questions may change with the orders: ask again, answers kept
                with self._lock:
                    model = self.model()
                    questions = self._questions(model, r)
                    with self.store.write() as conn:
                        self.store.put_decisions(conn, self.id, r, questions)
                        if not questions:
                            self.store.update_session(conn, self.id, phase=ORDERS)
        return {"session": self.id, "round": r, "seat": seat, "voided": action, "reason": reason.strip()}

    def add_note(self, token: str | None, text: str, round: int | None = None) -> dict:
        """The facilitator's adjudication note for a round (default: the open one, or the
        last one once the game has ended). Seats read notes once their round is adjudicated."""
        self._require_facilitator(token, "add an adjudication note")
        if not isinstance(text, str) or not text.strip():
            raise IllegalOrder("note: expected some text")
        if len(text) > MAX_MESSAGE:
            raise IllegalOrder(f"note: at most {MAX_MESSAGE} characters")
        with self.store.write() as conn:
            row = self.store.session(conn, self.id)
            last_open = row.round if row.status == "ended" else row.round + 1
            r = last_open if round is None else round
            if isinstance(r, bool) or not isinstance(r, int) or not 1 <= r <= last_open:
                raise IllegalOrder(f"note: round from 1 to {last_open} expected, got {r!r}")
            note = self.store.add_note(conn, self.id, r, text.strip())
        return {"session": self.id, "round": note.round, "text": note.text, "added_at": note.added_at}

    def notes(self, token: str | None = None) -> list[dict]:
        """Adjudication notes: all for the facilitator, those of adjudicated rounds for anyone."""
        role = self.role(token)
        with self.store.read() as conn:
            row = self.store.session(conn, self.id)
            rows = self.store.notes(conn, self.id)
        return [{"round": n.round, "text": n.text, "added_at": n.added_at} for n in rows
                if role.kind == FACILITATOR or n.round <= row.round]

    def add_inject(self, token: str | None, inject: Any, round: int | None = None) -> dict:
        """The facilitator adds an inject (a dict, JSON or typed) to the open round,
        checked against the world first; allowed while paused."""
        self._require_facilitator(token, "add injects")
        inj = order_rules.parse_inject_data(inject)
        with self._lock:
            model = self.model()
            with self.store.write() as conn:
                row = self.store.session(conn, self.id)
                r = self._open_round(row, round if round is not None else model.steps + 1, "injects",
                                     allow_paused=True)
                if row.round != model.steps:
                    raise Conflict(f"round {r - 1} was adjudicated while the inject was being checked: add it again")
                effect = order_rules.check_inject(model, inj)
                stored = inj.model_dump(mode="json")
                seq = self.store.add_inject(conn, self.id, r, stored)
        return {"session": self.id, "round": r, "seq": seq, "inject": stored, "effect": effect}

    def _set_status(self, token: str | None, verb: str, allowed: tuple[str, ...], new: str) -> dict:
        self._require_facilitator(token, f"{verb} the session")
        with self.store.write() as conn:
            row = self.store.session(conn, self.id)
            if row.status not in allowed:
                raise Conflict(f"session {self.id} is {row.status}: cannot {verb} it")
            self.store.update_session(conn, self.id, status=new)
        return self.status()

    def pause(self, token: str | None) -> dict:
        return self._set_status(token, "pause", ("open",), "paused")

    def unpause(self, token: str | None) -> dict:
        self._set_status(token, "unpause", ("paused",), "open")
        if self.row.auto_close or self.row.phase == ANSWERS:
            self._close_if_complete(self.row.round + 1)
        return self.status()

    def end(self, token: str | None) -> dict:
        return self._set_status(token, "end", ("open", "paused"), "ended")

    # -- recovery, checks, forks -----------------------------------------------------------
    def resume(self) -> dict:
        """Carry on after a crash: rebuild the world by replay (checking every stored
        digest), then finish what a kill may have interrupted: a round whose seats had
        all submitted but was not yet adjudicated."""
        with self._lock:
            self._model = None
            self.model()
            row = self.row
            adjudicated = None
            if row.status == "open" and (row.auto_close or row.phase == ANSWERS):
                result = self._close_if_complete(row.round + 1)
                adjudicated = result.as_dict() if isinstance(result, RoundResult) else None
        return {"status": self.status(), "adjudicated": adjudicated}

    def check(self) -> CheckReport:
        """Replay the whole history from scenario + seed + orders + injects and compare
        the world digest of every round with the stored one."""
        report = CheckReport(self.id)
        with self.store.read() as conn:
            rounds = self.store.rounds(conn, self.id, 0)
        model = self._fresh_model()
        for stored in rounds:
            if stored.round > 0:
                self._advance(model, stored.round, verify=False)
            got = model.digest()
            report.rounds.append({"round": stored.round, "stored": stored.digest, "replayed": got,
                                  "equal": got == stored.digest})
        return report

    def fork(self, at_round: int, auto_close: bool | None = None) -> Created:
        """A new session that starts from this one's round `at_round`: same scenario,
        seed and seats (new tokens), the orders, injects and results of rounds
        1..at_round copied. The original is not touched."""
        row = self.refresh()
        if not 0 <= at_round <= row.round:
            raise SessionError(f"--at-round {at_round}: session {self.id} has adjudicated rounds 0..{row.round}")
        tokens = {s: new_token() for s in self.seat_rows}
        facilitator = new_token()
        new = SessionRow(**{**asdict(row), "id": new_session_id(), "created_at": now(), "round": at_round,
                            "status": "ended" if at_round >= row.rounds else "open",
                            "facilitator_hash": hash_token(facilitator), "phase": ORDERS,
                            "deadline_at": _deadline(row.deadline_s),
                            "auto_close": row.auto_close if auto_close is None else auto_close,
                            "parent_id": self.id, "parent_round": at_round})
        seats = [SeatRow(s, hash_token(tokens[s]), r.strategy, r.seat_params) for s, r in self.seat_rows.items()]
        with self.store.write() as conn:
            self.store.insert_session(conn, new, seats)
            self.store.copy_rounds(conn, self.id, new.id, at_round)
        return Created(new.id, facilitator, tokens, str(self.store.path))


def _answers(decisions: Sequence[DecisionRow]) -> dict[str, dict[tuple, bool]]:
    """Stored answers as play_round takes them: seat -> {(kind, source, target, sector): yes}."""
    out: dict[str, dict[tuple, bool]] = {}
    for d in decisions:
        if d.answer is not None:
            out.setdefault(d.seat, {})[(d.kind, d.source, d.target, d.sector)] = d.answer
    return out


def _message_dict(m) -> dict:
    return {"seq": m.seq, "round": m.round, "from": m.sender, "to": list(m.recipients), "public": not m.recipients,
            "text": m.text, "sent_at": m.sent_at}


def _may_read(role: Role, m) -> bool:
    if role.kind == FACILITATOR or not m.recipients:
        return True
    return role.kind == SEAT and (m.sender == role.seat or role.seat in m.recipients)


def list_sessions(store: SessionStore) -> list[dict]:
    with store.read() as conn:
        rows = store.sessions(conn)
        seats = {r.id: [s.state for s in store.seats(conn, r.id)] for r in rows}
    return [{"session": r.id, "scenario": r.scenario_name, "status": r.status, "adjudicated": r.round,
             "rounds": r.rounds, "seats": seats[r.id], "created_at": r.created_at,
             "parent": r.parent_id} for r in rows]


__all__ = ["Asking", "CheckReport", "Created", "HighfenceError", "IllegalOrder", "Role", "RoundResult", "Session",
           "create_session", "list_sessions", "open_session"]
