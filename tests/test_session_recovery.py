"""Nothing acknowledged is lost when the process dies: SIGKILL a process holding a
session, then resume from the database alone."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
from conftest import CONFIGS, ROOT

from game.session import SessionStore, create_session, open_session

HOLD_OPEN = """
import json, sys, time
from game.session import SessionStore, open_session
db, sid, token = sys.argv[1:4]
s = open_session(SessionStore(db), sid)
ack = s.submit("BETA", token, [{"kind": "stockpile", "sector": "rare_earths", "amount": 2.5}])
print("ACK", json.dumps(ack), flush=True)
# Still working: a second write is half done (never acknowledged) when the kill comes.
conn = s.store.conn
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE sessions SET status = 'ended' WHERE id = ?", (sid,))
print("BUSY", flush=True)
time.sleep(120)
"""

BUSY_LOOP = """
import json, sys
from game.session import SessionStore, open_session
db, sid, f, beta, gamma = sys.argv[1:6]
s = open_session(SessionStore(db), sid)
r = s.status()["current_round"]
while s.status()["status"] == "open":
    a = s.submit("BETA", beta, [{"kind": "subsidy", "sector": "chips", "target": "rd", "amount": 1.0 + r}])
    print("ORDER", json.dumps([r, "BETA", a["orders"]]), flush=True)
    i = s.add_inject(f, {"kind": "demand_shock", "sector": "chips", "factor": 1.01})
    print("INJECT", json.dumps([r, i["seq"], i["inject"]]), flush=True)
    a = s.submit("GAMMA", gamma, [])
    print("ROUND", json.dumps([r, a["adjudicated"]["digest"]]), flush=True)
    r += 1
"""


def spawn(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def kill(p: subprocess.Popen) -> None:
    p.send_signal(signal.SIGKILL)
    p.wait(10)
    assert p.returncode == -signal.SIGKILL


@pytest.fixture
def game(tmp_path):
    db = tmp_path / "s.sqlite"
    c = create_session(SessionStore(db), CONFIGS / "tiny.yaml", ["BETA", "GAMMA"], seed=4, rounds=30)
    return db, c


def test_sigkill_after_an_acknowledged_order_loses_nothing(game):
    db, c = game
    p = spawn(HOLD_OPEN, str(db), c.session_id, c.seat_tokens["BETA"])
    line = p.stdout.readline()
    assert line.startswith("ACK"), p.stderr.read()
    ack = json.loads(line[4:])
    assert p.stdout.readline().strip() == "BUSY"
    kill(p)

    s = open_session(SessionStore(db), c.session_id)
    out = s.resume()
    assert out["status"]["status"] == "open"  # the half-done write never happened
    assert s.orders_of("BETA", c.seat_tokens["BETA"]) == ack["orders"]
    # The database is not left locked: the game goes on and the order takes effect.
    result = s.submit("GAMMA", c.seat_tokens["GAMMA"], [])["adjudicated"]
    assert any("BETA bought a 2.5bn stockpile" in e["text"] for e in result["events"])
    assert s.check().ok


@pytest.mark.parametrize("acks", [5, 11])
def test_sigkill_at_any_moment_keeps_every_acknowledged_write(game, acks):
    db, c = game
    p = spawn(BUSY_LOOP, str(db), c.session_id, c.facilitator_token, c.seat_tokens["BETA"], c.seat_tokens["GAMMA"])
    seen = []
    while len(seen) < acks:
        line = p.stdout.readline()
        assert line, p.stderr.read()
        seen.append(line.split(" ", 1))
    kill(p)  # the loop is somewhere in its next write: checking, committing or adjudicating

    store = SessionStore(db)
    s = open_session(store, c.session_id)
    s.resume()  # replays (checking every digest) and finishes a round whose seats had all submitted
    with store.read() as conn:
        orders = {(o.round, o.seat): o.actions for o in store.orders(conn, c.session_id)}
        injects = {(i.round, i.seq): i.inject for i in store.injects(conn, c.session_id)}
        rounds = {r.round: r.digest for r in store.rounds(conn, c.session_id)}
    for kind, data in seen:
        data = json.loads(data)
        if kind == "ORDER":
            assert orders[(data[0], data[1])] == data[2]
        elif kind == "INJECT":
            assert injects[(data[0], data[1])] == data[2]
        else:
            assert rounds[data[0]] == data[1]
    assert s.check().ok
    # And play carries on from there.
    before = s.status()["adjudicated"]
    s.close_round(c.facilitator_token)
    assert s.status()["adjudicated"] == before + 1 and s.check().ok
