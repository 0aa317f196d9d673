"""Tabletop sessions through the Python API (what the CLI and a web page call):
the round's state machine, sealed orders, validation, roles, replay, forks."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import CONFIGS, tiny_data

from game.actions import parse_action
from game.model import GeoModel
from game.scenario import scenario_from_dict
from game.session import (
    Conflict,
    Forbidden,
    IllegalOrder,
    NotFound,
    SessionError,
    SessionStore,
    create_session,
    open_session,
)
from game.session.store import SCHEMA_VERSION

TINY = CONFIGS / "tiny.yaml"
SUBSIDY = {"kind": "subsidy", "sector": "chips", "target": "rd", "amount": 3.0}
TARIFF = {"kind": "set_tariff", "partner": "ALPHA", "sector": "chips", "rate": 0.2}


@pytest.fixture
def game(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    created = create_session(store, TINY, ["BETA", "GAMMA"], seed=5, rounds=4)
    return store, created, open_session(store, created.session_id)


def test_tokens_are_long_random_and_stored_only_as_hashes(game):
    store, created, _ = game
    tokens = [created.facilitator_token, *created.seat_tokens.values()]
    assert len(set(tokens)) == 3 and all(len(t) >= 22 for t in tokens)  # >= 128 bits in base64url
    raw = store.path.read_bytes() + (store.path.with_name(store.path.name + "-wal").read_bytes()
                                     if store.path.with_name(store.path.name + "-wal").exists() else b"")
    assert not any(t.encode() in raw for t in tokens)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_round_closes_when_every_seat_has_submitted(game):
    _, c, s = game
    ack = s.submit("BETA", c.seat_tokens["BETA"], [SUBSIDY])
    assert ack["round"] == 1 and ack["adjudicated"] is None and "R&D subsidies" in ack["effects"][0]
    assert [x["submitted"] for x in s.status()["seats"]] == [True, False]
    ack = s.submit("GAMMA", c.seat_tokens["GAMMA"], [])  # an empty list is a submitted hold
    result = ack["adjudicated"]
    assert result["round"] == 1 and result["closed_by"] == "all seats submitted"
    assert any("BETA paid 3.0bn of R&D subsidies" in e["text"] for e in result["events"])
    assert s.status()["current_round"] == 2


def test_facilitator_closes_a_round_and_seats_without_orders_hold(game):
    _, c, s = game
    s.submit("BETA", c.seat_tokens["BETA"], [TARIFF])
    with pytest.raises(Forbidden):
        s.close_round(c.seat_tokens["BETA"])
    result = s.close_round(c.facilitator_token)
    assert result.closed_by == "facilitator"
    hist = s.history()
    assert hist[0]["orders"] == {"BETA": [parse_action(TARIFF).model_dump(mode="json")]}
    with pytest.raises(Conflict, match="round 1 is not open"):
        s.close_round(c.facilitator_token, round=1)


def test_illegal_orders_are_refused_with_the_reason_and_can_be_corrected(game):
    _, c, s = game
    tok = c.seat_tokens["BETA"]
    with pytest.raises(IllegalOrder, match="over the 20.00bn left"):
        s.submit("BETA", tok, [{**SUBSIDY, "amount": 500.0}])
    with pytest.raises(IllegalOrder, match="unknown sector 'chipz'"):
        s.submit("BETA", tok, [{**SUBSIDY, "sector": "chipz"}])
    with pytest.raises(IllegalOrder, match=r"order 1: subsidy.amount: Input should be greater than 0"):
        s.submit("BETA", tok, [{**SUBSIDY, "amount": -1}])
    with pytest.raises(IllegalOrder, match="unknown kind 'bribe'"):
        s.submit("BETA", tok, ['{"kind": "bribe"}'])
    with pytest.raises(IllegalOrder, match="not valid JSON"):
        s.submit("BETA", tok, ["{kind"])
    with pytest.raises(IllegalOrder, match="over the limit of 4 actions"):
        s.submit("BETA", tok, [{**SUBSIDY, "amount": 1.0}] * 5)
    # Budget is checked over the whole list, as adjudication will spend it.
    with pytest.raises(IllegalOrder, match="order 2 .* over the"):
        s.submit("BETA", tok, [{**SUBSIDY, "amount": 15.0}, {**SUBSIDY, "amount": 15.0}])
    assert s.orders_of("BETA", tok) is None  # nothing refused was stored
    ack = s.submit("BETA", tok, [SUBSIDY])
    assert ack["revision"] == 1 and s.orders_of("BETA", tok) == ack["orders"]


def test_resubmission_replaces_and_append_adds(game):
    _, c, s = game
    tok = c.seat_tokens["BETA"]
    s.submit("BETA", tok, [SUBSIDY])
    ack = s.submit("BETA", tok, [TARIFF])
    assert ack["revision"] == 2 and [o["kind"] for o in ack["orders"]] == ["set_tariff"]
    ack = s.submit("BETA", tok, [SUBSIDY], append=True)
    assert [o["kind"] for o in ack["orders"]] == ["set_tariff", "subsidy"]
    with pytest.raises(IllegalOrder, match="over the limit"):
        s.submit("BETA", tok, [SUBSIDY] * 3, append=True)


def holds(data, value) -> bool:
    """Whether `value` appears anywhere in nested dicts and lists."""
    if isinstance(data, dict):
        return any(holds(v, value) for v in data.values())
    if isinstance(data, (list, tuple)):
        return any(holds(v, value) for v in data)
    return data == value


def test_seats_see_only_their_own_private_briefing_and_orders(game):
    _, c, s = game
    beta, gamma = c.seat_tokens["BETA"], c.seat_tokens["GAMMA"]
    s.submit("BETA", beta, [{**SUBSIDY, "amount": 7.25}])
    mine = s.briefing(beta, "BETA")
    assert mine["role"] == "seat" and mine["private"]["state"] == "BETA" and mine["orders"][0]["amount"] == 7.25
    theirs = s.briefing(gamma, "GAMMA")
    # Look for the order's amount as a value, not as text: a timestamp may contain "7.25".
    assert theirs["orders"] is None and not holds(theirs, 7.25)
    public = s.briefing()
    assert "private" not in public and not holds(public, 7.25)
    for call in (lambda: s.briefing(gamma, "BETA"), lambda: s.briefing(None, "BETA"),
                 lambda: s.submit("BETA", gamma, []), lambda: s.orders_of("BETA", gamma),
                 lambda: s.add_inject(beta, {"kind": "demand_shock", "sector": "chips", "factor": 2.0}),
                 lambda: s.pause(gamma), lambda: s.end(beta), lambda: s.briefing("not-a-token")):
        with pytest.raises(Forbidden) as err:
            call()
        assert err.value.http_status == 403
    with pytest.raises(NotFound):
        s.submit("ALPHA", beta, [])  # ALPHA is played by its AI strategy
    facilitator = s.briefing(c.facilitator_token)
    assert facilitator["pending_orders"]["BETA"][0]["amount"] == 7.25 and facilitator["inject_menu"]


def test_legal_actions_come_with_valid_examples(game):
    _, c, s = game
    legal = s.legal_actions("BETA", c.seat_tokens["BETA"])
    kinds = {a["kind"]: a for a in legal}
    assert set(kinds) == set(__import__("game.actions", fromlist=["ACTION_KINDS"]).ACTION_KINDS)
    assert not kinds["lift_control"]["legal"] and "no export control" in kinds["lift_control"]["reason"]
    examples = [a["example"] for a in legal if a["legal"]]
    assert len(examples) >= 10 and all(a["help"] for a in legal)
    for ex in examples:  # every example passes the same check as a submission
        s.preview("BETA", c.seat_tokens["BETA"], [ex])
    fields = {f["name"]: f for f in kinds["subsidy"]["fields"]}
    assert fields["target"]["choices"] == ["rd", "capacity"] and fields["sector"]["choices"] == ["chips", "rare_earths"]


def test_injects_pause_and_end(game):
    _, c, s = game
    f = c.facilitator_token
    with pytest.raises(IllegalOrder, match="target cannot be the embargoing state"):
        s.add_inject(f, {"kind": "embargo", "state": "GAMMA", "target": "GAMMA", "sector": "chips"})
    with pytest.raises(IllegalOrder, match="unknown state 'JPN'"):
        s.add_inject(f, {"kind": "breakthrough", "state": "JPN", "sector": "chips"})
    ack = s.add_inject(f, {"kind": "demand_shock", "sector": "chips", "factor": 1.5})
    assert ack["round"] == 1 and "factor of 1.5" in ack["effect"]
    s.pause(f)
    with pytest.raises(Conflict, match="paused"):
        s.submit("BETA", c.seat_tokens["BETA"], [])
    with pytest.raises(Conflict, match="paused"):
        s.close_round(f)
    s.add_inject(f, {"kind": "breakthrough", "state": "BETA", "sector": "chips"})  # allowed while paused
    s.unpause(f)
    events = s.close_round(f).events
    assert [e["kind"] for e in events].count("inject") == 2
    s.end(f)
    with pytest.raises(Conflict, match="has ended"):
        s.submit("GAMMA", c.seat_tokens["GAMMA"], [])
    assert s.status()["status"] == "ended" and s.status()["current_round"] is None


def test_the_game_ends_after_its_last_round(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    c = create_session(store, TINY, ["ALPHA"], rounds=2)
    s = open_session(store, c.session_id)
    t = c.seat_tokens["ALPHA"]
    for last in (False, True):
        ack = s.submit("ALPHA", t, [])
        if ack["asking"]:  # the round asks ALPHA something: answer it all
            for d in ack["asking"]["pending"]:
                ack = s.answer("ALPHA", t, d["id"], False)
        assert ack["adjudicated"]["ended"] is last
    assert s.status()["status"] == "ended"


def play_some(s, c, rounds=3):
    beta, gamma, f = c.seat_tokens["BETA"], c.seat_tokens["GAMMA"], c.facilitator_token
    for r in range(1, rounds + 1):
        if r == 2:
            s.add_inject(f, {"kind": "embargo", "state": "GAMMA", "target": "BETA", "sector": "rare_earths"})
        s.submit("BETA", beta, [SUBSIDY, {"kind": "stockpile", "sector": "rare_earths", "amount": 1.0 + r}])
        if r % 2:
            s.submit("GAMMA", gamma, [{"kind": "set_tariff", "partner": "BETA", "sector": "chips", "rate": 0.1 * r}])
        else:
            s.close_round(f)


def test_replay_equals_the_stored_state_and_a_new_process_resumes(game):
    store, c, s = game
    play_some(s, c)
    report = s.check()
    assert report.ok and [r["round"] for r in report.rounds] == [0, 1, 2, 3]
    live = s.model().digest()
    again = open_session(SessionStore(store.path), c.session_id)  # as after a restart
    assert again.resume()["status"]["adjudicated"] == 3 and again.model().digest() == live


def test_replay_by_scenario_script_gives_the_same_world(game):
    """The stored orders and injects, written into the scenario as script and injects,
    rebuild the same world: the session's record is a complete description of the game."""
    _, c, s = game
    play_some(s, c)
    data = tiny_data(scripted=False, rounds=4)
    for seat in ("BETA", "GAMMA"):
        data["states"][seat]["strategy"] = {"kind": "human"}
    hist = s.history()
    data["script"] = [{"round": h["round"], "state": seat, "action": a}
                      for h in hist for seat, acts in h["orders"].items() for a in acts]
    data["injects"] = [{"round": h["round"], "inject": i} for h in hist for i in h["injects"]]
    replay = GeoModel(scenario_from_dict(data), seed=5, rounds=4).run(3)
    assert replay.digest() == s.model().digest()


def test_a_tampered_record_fails_the_check(game):
    store, c, s = game
    play_some(s, c, rounds=2)
    with store.write() as conn:
        conn.execute("UPDATE orders SET actions = ? WHERE round = 1 AND seat = 'BETA'", ('[{"kind": "hold"}]',))
    report = open_session(store, c.session_id).check()
    assert not report.ok and [r["equal"] for r in report.rounds] == [True, False, False]
    with pytest.raises(SessionError, match="replaying round 1 did not rebuild the stored world"):
        open_session(store, c.session_id).resume()


def test_fork_starts_a_new_session_from_round_n(game):
    store, c, s = game
    play_some(s, c)
    fork = s.fork(at_round=1)
    assert fork.session_id != c.session_id and fork.seat_tokens["BETA"] != c.seat_tokens["BETA"]
    f = open_session(store, fork.session_id)
    assert f.status()["adjudicated"] == 1 and f.status()["parent"] == {"session": c.session_id, "round": 1}
    assert f.check().ok and f.history() == s.history(1, 1)
    # The fork plays on differently; the original is untouched.
    f.submit("BETA", fork.seat_tokens["BETA"], [TARIFF])
    f.close_round(fork.facilitator_token)
    assert f.model().digest() != s.history(2, 2)[0]["digest"] and s.check().ok
    with pytest.raises(Forbidden):
        f.submit("BETA", c.seat_tokens["BETA"], [])  # the old tokens do not open the fork
    with pytest.raises(SessionError, match="--at-round 7"):
        s.fork(at_round=7)


def test_creation_errors(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    with pytest.raises(SessionError, match="no such state in tiny"):
        create_session(store, TINY, ["JPN"])
    with pytest.raises(SessionError, match="at least one human seat"):
        create_session(store, TINY, [])
    with pytest.raises(SessionError, match="unknown parameter"):
        create_session(store, TINY, {"BETA": {"bluff": True}})
    with pytest.raises(NotFound):
        open_session(store, "nope")
    with pytest.raises(NotFound, match="no session database"):
        SessionStore(tmp_path / "missing.sqlite", create=False)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("PRAGMA user_version = 99")
    with pytest.raises(SessionError, match="schema version 99"):
        SessionStore(other)


def test_standing_answers_and_scripted_moves_of_seats(tmp_path):
    """A seat's standing answer decides coalition proposals to it; the scenario's scripted
    moves for a seat's state are dropped (the human plays it)."""
    data = tiny_data(scripted=True)
    data["script"] = [{"round": 1, "state": "ALPHA", "action": {"kind": "export_control", "sector": "chips",
                                                                "target": "GAMMA", "coordinated": True,
                                                                "partners": ["BETA"]}},
                      {"round": 1, "state": "BETA", "action": {"kind": "embargo", "target": "GAMMA",
                                                               "sector": "rare_earths"}}]
    store = SessionStore(tmp_path / "s.sqlite")
    c = create_session(store, scenario_from_dict(data), {"BETA": {"accept_proposals": True}}, rounds=3)
    s = open_session(store, c.session_id)
    ack = s.submit("BETA", c.seat_tokens["BETA"], [])
    assert [d["id"] for d in ack["asking"]["pending"]] == ["BETA-proposal-ALPHA-chips-GAMMA"]  # BETA is asked
    events = s.close_round(c.facilitator_token).events  # ... and does not answer: its standing answer applies
    texts = [e["text"] for e in events]
    assert any("BETA joined ALPHA's controls" in t for t in texts)
    assert any(e["kind"] == "standing" and "standing stance applied (join)" in e["text"] for e in events)
    assert not any("BETA halted exports" in t for t in texts)
