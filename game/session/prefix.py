"""A session's first N rounds as the common start of counterfactual runs
(`highfence sweep SPEC --from-session ID --at-round N`).

Each run of such a sweep replays rounds 1..N exactly as the session played them
(the session's seed, the seats' recorded orders, the facilitator's injects), so
every run starts from the session's own world at round N. Then the seats are
handed to AI strategies (the scenario's, or a sweep factor's, e.g.
`states.JPN.strategy.kind`), every random stream is re-drawn from the run's
replication seed, and the game plays on to the last round.

A SessionPrefix is plain data, so it pickles to local workers and Dask.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from game.model import GeoModel
from game.scenario import Scenario
from game.session.replay import hand_over, parse_round, play_round, with_seats


@dataclass(frozen=True)
class SessionPrefix:
    session_id: str
    at_round: int
    seed: int  # the session's: the prefix replays its world exactly
    seats: dict[str, dict]  # seat -> standing answers while human
    orders: tuple[dict[str, list[dict]], ...]  # rounds 1..at_round
    injects: tuple[list[dict], ...]
    scenario: dict  # the session's scenario, seats with their scenario strategies
    digest: str  # the session's world digest at round at_round

    def key(self) -> str:
        blob = json.dumps({k: v for k, v in self.__dict__.items() if k != "scenario"}, sort_keys=True, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def describe(self) -> dict:
        return {"session": self.session_id, "at_round": self.at_round, "seed": self.seed,
                "seats": sorted(self.seats), "digest": self.digest, "key": self.key()}

    def play(self, scenario: Scenario, seed: int, variant: str | None = None, rounds: int | None = None) -> GeoModel:
        """Replay the prefix on `scenario` (seats human), hand the seats to the strategies
        `scenario` gives them, re-seed from `seed`, and play to the end."""
        model = GeoModel(with_seats(scenario, self.seats), seed=self.seed, variant=variant, rounds=rounds)
        for orders, injects in zip(self.orders, self.injects):
            play_round(model, *parse_round(orders, injects))
        hand_over(model, {s: scenario.states[s].strategy.model_dump() for s in self.seats})
        model.reseed(seed)
        model.run()
        return model


def session_prefix(session, at_round: int) -> SessionPrefix:
    """The prefix of a session (game.session.Session) up to `at_round`, checked: the
    session's world is replayed to that round and must match its stored digest."""
    from game.session.errors import SessionError

    row = session.refresh()
    if not 0 <= at_round <= row.round:
        raise SessionError(f"--at-round {at_round}: session {session.id} has adjudicated rounds 0..{row.round}")
    if at_round >= row.rounds:
        raise SessionError(f"--at-round {at_round}: the session's scenario ends at round {row.rounds}; "
                           "nothing is left to sweep")
    history = session.history(1, at_round)
    model = session._fresh_model()
    session._advance(model, at_round)  # raises ReplayMismatch if the engine no longer rebuilds it
    return SessionPrefix(
        session_id=session.id, at_round=at_round, seed=row.seed,
        seats={s: dict(r.seat_params) for s, r in session.seat_rows.items()},
        orders=tuple(h["orders"] for h in history), injects=tuple(h["injects"] for h in history),
        scenario=session.scenario.model_dump(mode="json"), digest=model.digest(),
    )
