"""Eight seats submitting at once against one SQLite file (WAL, busy timeout): every
order recorded once, the round adjudicated once, the record replays to the same world."""

from __future__ import annotations

import json
import multiprocessing
import runpy
import sqlite3
import threading

import pytest
from conftest import CONFIGS

from game.cli import COMMANDS
from game.session import SessionStore, create_session, open_session

DEFAULT = CONFIGS / "default.yaml"
STATES = ("USA", "JPN", "CHN", "EU", "KOR", "TWN", "IND", "ROW")

# One seat's process: waits for the others, then an ordinary `highfence session order`.
# Run by path (runpy), so the fork server needs nothing from the tests directory.
CHILD = """
import contextlib, io
from game.cli import main
out, err = io.StringIO(), io.StringIO()
barrier.wait()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = main(argv)
results.put((code, out.getvalue(), err.getvalue()))
"""


def order_for(state: str, k: int) -> dict:
    return {"kind": "stockpile", "sector": "rare_earths", "amount": round(0.01 * (k + 1), 2)}


def recorded(db) -> tuple[list[tuple], list[tuple]]:
    conn = sqlite3.connect(db)
    orders = conn.execute("SELECT seat, round, revision, actions FROM orders ORDER BY seat").fetchall()
    rounds = conn.execute("SELECT round, closed_by FROM rounds ORDER BY round").fetchall()
    return orders, rounds


def check_outcome(db, session_id: str) -> None:
    orders, rounds = recorded(db)
    assert sorted(o[0] for o in orders) == sorted(STATES)  # each seat's order recorded once
    assert all(o[1] == 1 and o[2] == 1 for o in orders)
    for seat, _, _, actions in orders:
        assert json.loads(actions)[0]["amount"] == order_for(seat, STATES.index(seat))["amount"]
    assert rounds == [(0, "start"), (1, "all seats submitted")]  # adjudicated exactly once
    assert open_session(SessionStore(db), session_id).check().ok


def test_eight_processes_submit_at_once(tmp_path):
    """Eight real processes, each with its own SQLite connection, released together by a
    barrier. A fork server imports the engine once (a clean process, no threads), so the
    eight do not each pay for it."""
    db = tmp_path / "eight.sqlite"
    c = create_session(SessionStore(db), DEFAULT, list(STATES), rounds=3)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["game.cli", *COMMANDS, "game.session.session"])  # if not running yet
    barrier, results = ctx.Barrier(len(STATES)), ctx.Queue()
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    procs = [ctx.Process(target=runpy.run_path, args=(str(script),), kwargs={"init_globals": {
        "barrier": barrier, "results": results, "argv": [
            "session", "order", c.session_id, "--seat", s, "--token", c.seat_tokens[s], "--db", str(db), "--json",
            "--action", json.dumps(order_for(s, k))]}}) for k, s in enumerate(STATES)]
    for p in procs:
        p.start()
    outs = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert all(p.exitcode == 0 for p in procs) and all(o[0] == 0 for o in outs), [o[2] for o in outs]
    acks = [json.loads(o[1]) for o in outs]
    assert sorted(a["seat"] for a in acks) == sorted(STATES) and {a["round"] for a in acks} == {1}
    assert sum(a["adjudicated"] is not None for a in acks) == 1  # one process adjudicated, the others saw it done
    check_outcome(db, c.session_id)


@pytest.mark.parametrize("shared", [False, True], ids=["one-session-per-thread", "one-shared-session"])
def test_eight_threads_submit_at_once(tmp_path, shared):
    """As a web server would: threads, with their own Session objects or one shared."""
    db = tmp_path / "threads.sqlite"
    store = SessionStore(db)
    c = create_session(store, DEFAULT, list(STATES), rounds=3)
    common = open_session(store, c.session_id)
    barrier = threading.Barrier(len(STATES))
    acks, errors = {}, []

    def seat(k: int, state: str) -> None:
        try:
            s = common if shared else open_session(SessionStore(db), c.session_id)
            s.model()  # warm up before the race
            barrier.wait()
            acks[state] = s.submit(state, c.seat_tokens[state], [order_for(state, k)])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=seat, args=(k, s)) for k, s in enumerate(STATES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sum(a["adjudicated"] is not None for a in acks.values()) == 1
    check_outcome(db, c.session_id)
