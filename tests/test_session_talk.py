"""Seats are asked, talk, and meet deadlines; the facilitator voids orders and writes
notes. Through the Session API, the command line and HTTP on a real server, with a
real SQLite file: questions and answers, privacy of messages through every interface,
deadlines with standing stances, voids and notes replayed, a version-1 database
migrated in place.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import time
import urllib.error
import urllib.request

import pytest
from conftest import CONFIGS, ROOT, check_server_log

from game.cli import main
from game.session import (
    Asking,
    Conflict,
    Forbidden,
    IllegalOrder,
    NotFound,
    SessionStore,
    create_session,
    open_session,
)
from game.web.server import free_port, spawn, stop

TINY = CONFIGS / "tiny.yaml"
DEMAND = "ALPHA-demand-GAMMA-rare_earths"  # seed 0: GAMMA coerces ALPHA in round 1
COALITION = {"kind": "export_control", "sector": "chips", "target": "GAMMA", "coordinated": True,
             "partners": ["ALPHA"], "min_partners": 1}


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def events_of(s, r: int) -> list[dict]:
    return s.history(r, r)[0]["events"]


# -- pending decisions ----------------------------------------------------------------


def test_a_seat_is_asked_and_its_own_answer_decides(tmp_path):
    db = tmp_path / "s.sqlite"
    outcomes = {}
    for accept in (True, False):
        c = create_session(SessionStore(db), TINY, ["ALPHA"], seed=0, rounds=3)
        s, t = open_session(SessionStore(db), c.session_id), c.seat_tokens["ALPHA"]
        ack = s.submit("ALPHA", t, [])
        assert ack["adjudicated"] is None and DEMAND in [d["id"] for d in ack["asking"]["pending"]]
        assert s.status()["phase"] == "answers" and s.status()["seats"][0]["answering"]
        with pytest.raises(Conflict, match="sealed"):
            s.submit("ALPHA", t, [])  # orders are sealed once the seats are asked
        # The command line lists the pending decisions with their ids, and takes the answer.
        code, out, err = cli("session", "show", c.session_id, "--seat", "ALPHA", "--token", t, "--db", db, "--json")
        assert code == 0, err
        pending = json.loads(out)["pending"]
        assert {d["id"] for d in pending} == {d["id"] for d in ack["asking"]["pending"]}
        demand = next(d for d in pending if d["id"] == DEMAND)
        assert "GAMMA demands that ALPHA give way" in demand["question"] and not demand["answered"]
        for d in pending:
            flag = "--accept" if (accept if d["id"] == DEMAND else False) else "--reject"
            code, out, err = cli("session", "answer", c.session_id, "--seat", "ALPHA", "--token", t,
                                 "--decision", d["id"], flag, "--db", db)
            assert code == 0, err
        assert "adjudicated (all seats answered)" in out
        texts = [e["text"] for e in events_of(s, 1)]
        outcomes[accept] = texts
        assert any(("ALPHA conceded to GAMMA" if accept else "ALPHA resisted GAMMA") in x for x in texts)
        assert not any(e["kind"] == "standing" for e in events_of(s, 1))  # every question was answered
        assert [d["answer"] for d in s.history(1, 1)[0]["decisions"] if d["id"] == DEMAND] == \
            ["concede" if accept else "resist"]
        assert s.check().ok  # replay hands the stored answers to the engine: the same world
        assert open_session(SessionStore(db), c.session_id).model().digest() == s.model().digest()
    assert outcomes[True] != outcomes[False]


def test_another_seat_cannot_answer_or_read_the_questions(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    c = create_session(store, TINY, ["ALPHA", "BETA"], seed=0)
    s = open_session(store, c.session_id)
    a, b = c.seat_tokens["ALPHA"], c.seat_tokens["BETA"]
    s.submit("BETA", b, [COALITION])
    ask = s.submit("ALPHA", a, [])["asking"]
    ids = {d["id"] for d in ask["pending"]}
    assert "ALPHA-proposal-BETA-chips-GAMMA" in ids  # a human seat's proposal to another human seat
    with pytest.raises(Forbidden):
        s.pending(b, "ALPHA")
    with pytest.raises(Forbidden):
        s.answer("ALPHA", b, "ALPHA-proposal-BETA-chips-GAMMA", True)
    with pytest.raises(Forbidden):
        s.pending(None, "ALPHA")
    with pytest.raises(NotFound, match="no pending decision"):
        s.answer("BETA", b, "ALPHA-proposal-BETA-chips-GAMMA", True)
    assert s.pending(c.facilitator_token) == s.pending(a, "ALPHA") + s.pending(b, "BETA")
    s.answer("ALPHA", a, "ALPHA-proposal-BETA-chips-GAMMA", True)
    result = s.close_round(c.facilitator_token)  # the rest unanswered: standing stances, said in the log
    texts = [e["text"] for e in result.events]
    assert any("ALPHA joined BETA's controls on advanced chips to GAMMA" in x for x in texts)
    assert any(e["kind"] == "standing" and e["actor"] == "ALPHA" and "standing stance applied" in e["text"]
               for e in result.events)
    assert s.check().ok


def test_close_round_asks_first_then_applies_standing_stances(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    c = create_session(store, TINY, ["ALPHA"], seed=0, auto_close=False)
    s, f = open_session(store, c.session_id), c.facilitator_token
    first = s.close_round(f)
    assert isinstance(first, Asking) and DEMAND in [d["id"] for d in first.pending]
    code, out, err = cli("session", "close-round", c.session_id, "--token", f, "--db", store.path)
    assert code == 0, err
    assert "Round 1 adjudicated (facilitator)" in out and "did not answer GAMMA's demand" in out


# -- deadlines ----------------------------------------------------------------------------


def test_the_deadline_closes_the_round_with_standing_orders_and_stances(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    c = create_session(store, TINY, ["ALPHA", "BETA"], seed=0, deadline=2)
    s = open_session(store, c.session_id)
    st = s.status()
    assert st["deadline_s"] == 2 and 0 < st["seconds_left"] <= 2
    s.submit("ALPHA", c.seat_tokens["ALPHA"], [])  # BETA never orders
    time.sleep(2.2)
    st = s.status()  # any read closes a round whose deadline has passed
    assert st["adjudicated"] == 1 and st["current_round"] == 2 and 0 < st["seconds_left"] <= 2
    last = s.history(1, 1)[0]
    assert last["closed_by"] == "deadline"
    # The facilitator changes the deadline, or clears it.
    assert s.set_deadline(c.facilitator_token, 600)["seconds_left"] > 590
    assert s.set_deadline(c.facilitator_token, None)["seconds_left"] is None
    with pytest.raises(Forbidden):
        s.set_deadline(c.seat_tokens["ALPHA"], 5)
    code, _, err = cli("session", "deadline", c.session_id, "--token", c.facilitator_token, "--seconds", "0",
                         "--db", store.path)
    assert code == 2 and "--deadline: expected whole seconds" in err
    assert s.check().ok


def test_the_deadline_in_the_answers_step_applies_standing_stances(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    c = create_session(store, TINY, ["ALPHA"], seed=0, deadline=2)
    s = open_session(store, c.session_id)
    assert s.submit("ALPHA", c.seat_tokens["ALPHA"], [])["asking"]
    time.sleep(2.2)
    assert s.status()["adjudicated"] == 1
    events = events_of(s, 1)
    assert any(e["kind"] == "standing" and "did not answer GAMMA's demand" in e["text"] for e in events)
    assert any("ALPHA resisted GAMMA" in e["text"] for e in events)  # the default stance: resist


# -- messages ------------------------------------------------------------------------------


def _three_seats(tmp_path):
    db = tmp_path / "talk.sqlite"
    c = create_session(SessionStore(db), TINY, ["ALPHA", "BETA", "GAMMA"], seed=1)
    s = open_session(SessionStore(db), c.session_id)
    t = c.seat_tokens
    s.send_message(t["ALPHA"], "ALPHA to BETA: secret", to=["BETA"])
    s.send_message(t["BETA"], "BETA to GAMMA: secret", to=["GAMMA"], seat="BETA")
    s.send_message(t["GAMMA"], "GAMMA to all: we trade")
    s.send_message(c.facilitator_token, "Facilitator to ALPHA: a hint", to=["ALPHA"])
    return db, c, s


READS = {"ALPHA": {"ALPHA to BETA: secret", "GAMMA to all: we trade", "Facilitator to ALPHA: a hint"},
         "BETA": {"ALPHA to BETA: secret", "BETA to GAMMA: secret", "GAMMA to all: we trade"},
         "GAMMA": {"BETA to GAMMA: secret", "GAMMA to all: we trade"}}
EVERY = {"ALPHA to BETA: secret", "BETA to GAMMA: secret", "GAMMA to all: we trade", "Facilitator to ALPHA: a hint"}


def test_messages_are_read_only_by_their_pair_and_the_facilitator(tmp_path):
    db, c, s = _three_seats(tmp_path)
    t = c.seat_tokens
    for seat, expected in READS.items():
        assert {m["text"] for m in s.messages(t[seat], seat)} == expected
        assert {m["text"] for m in s.messages(t[seat])} == expected
        # The command line, in another store object, says the same.
        code, out, err = cli("session", "messages", c.session_id, "--seat", seat, "--token", t[seat], "--db", db,
                             "--json")
        assert code == 0, err
        assert {m["text"] for m in json.loads(out)} == expected
        code, out, err = cli("session", "messages", c.session_id, "--seat", seat, "--token", t[seat], "--db", db)
        assert all(x in out for x in expected) and not any(x in out for x in EVERY - expected)
    assert {m["text"] for m in s.messages(c.facilitator_token)} == EVERY
    assert {m["text"] for m in s.messages(None)} == {"GAMMA to all: we trade"}
    assert s.messages(None)[0]["round"] == 1
    for bad in (lambda: s.messages(t["GAMMA"], "ALPHA"), lambda: s.messages("hf_wrong"),
                lambda: s.send_message(t["GAMMA"], "as ALPHA", seat="ALPHA"),
                lambda: s.send_message(None, "anonymous")):
        with pytest.raises(Forbidden):
            bad()
    code, _, err = cli("session", "messages", c.session_id, "--seat", "ALPHA", "--token", t["GAMMA"], "--db", db)
    assert code == 2 and "not ALPHA's seat token" in err
    with pytest.raises(IllegalOrder, match="not a seat"):
        s.send_message(t["ALPHA"], "to the computer", to=["DELTA"])
    with pytest.raises(IllegalOrder, match="at most"):
        s.send_message(t["ALPHA"], "x" * 5000)
    code, out, err = cli("session", "message", c.session_id, "--seat", "BETA", "--token", t["BETA"], "--to", "ALPHA",
                         "--text", "BETA to ALPHA: by the CLI", "--db", db)
    assert code == 0 and "to ALPHA sent" in out, err
    assert "BETA to ALPHA: by the CLI" in {m["text"] for m in s.messages(t["ALPHA"], "ALPHA")}
    assert "BETA to ALPHA: by the CLI" not in {m["text"] for m in s.messages(t["GAMMA"], "GAMMA")}


def _http(port, method, path, token=None, data=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=None if data is None else json.dumps(data).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_messages_and_answers_over_http_keep_pairs_apart(tmp_path):
    db, c, _ = _three_seats(tmp_path)
    t, sid = c.seat_tokens, c.session_id
    port = free_port()
    proc = spawn(port, sessions=[sid], db=db, cwd=ROOT)
    try:
        api = f"/api/session/{sid}"
        for seat, expected in READS.items():
            status, text = _http(port, "GET", f"{api}/messages?seat={seat}", t[seat])
            assert status == 200 and {m["text"] for m in json.loads(text)} == expected
            status, page = _http(port, "GET", f"/session/{sid}/seat/{seat}?token={t[seat]}")
            assert status == 200
            assert all(x in page for x in expected) and not any(x in page for x in EVERY - expected), seat
        status, text = _http(port, "GET", f"{api}/messages")
        assert status == 200 and {m["text"] for m in json.loads(text)} == {"GAMMA to all: we trade"}
        status, page = _http(port, "GET", f"/session/{sid}/public")
        assert "GAMMA to all: we trade" in page and "secret" not in page
        status, page = _http(port, "GET", f"/session/{sid}/facilitator?token={c.facilitator_token}")
        assert all(x in page for x in EVERY)
        for method, path, token, data in (
            ("GET", f"{api}/messages?seat=ALPHA", t["GAMMA"], None),
            ("GET", f"{api}/messages", "hf_wrong", None),
            ("POST", f"{api}/messages?seat=ALPHA", t["GAMMA"], {"text": "as ALPHA", "to": ["BETA"]}),
            ("POST", f"{api}/messages", None, {"text": "anonymous"}),
            ("GET", f"{api}/pending?seat=ALPHA", t["GAMMA"], None),
            ("GET", f"{api}/pending", None, None),
            ("POST", f"{api}/seat/ALPHA/answer", t["GAMMA"], {"decision": "x", "accept": True}),
            ("POST", f"{api}/deadline", t["ALPHA"], {"seconds": 60}),
            ("POST", f"{api}/void", t["ALPHA"], {"seat": "BETA", "order": 1, "reason": "no"}),
            ("POST", f"{api}/notes", t["ALPHA"], {"text": "a ruling"}),
        ):
            status, text = _http(port, method, path, token, data)
            assert status == 403, (method, path, status, text)
            assert "secret" not in text
        status, text = _http(port, "POST", f"{api}/messages?seat=ALPHA", t["ALPHA"], {"text": 7})
        assert status == 400
        status, text = _http(port, "POST", f"{api}/messages?seat=ALPHA", t["ALPHA"],
                             {"text": "<script>alert(1)</script>", "to": ["BETA"]})
        assert status == 200
        status, page = _http(port, "GET", f"/session/{sid}/seat/BETA?token={t['BETA']}")
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    finally:
        log = stop(proc)
    check_server_log(log, port)


# -- the facilitator's rulings ---------------------------------------------------------------


def test_void_and_notes_are_stored_shown_and_replayed(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    c = create_session(store, TINY, ["BETA", "GAMMA"], seed=3, auto_close=False)
    s, f, b = open_session(store, c.session_id), c.facilitator_token, c.seat_tokens["BETA"]
    s.submit("BETA", b, [{"kind": "subsidy", "sector": "chips", "amount": 2},
                         {"kind": "stockpile", "sector": "rare_earths", "amount": 1}])
    with pytest.raises(Forbidden):
        s.void_order(b, "BETA", 1, "mine")
    with pytest.raises(IllegalOrder, match="reason"):
        s.void_order(f, "BETA", 1, " ")
    with pytest.raises(IllegalOrder, match="from 1 to 2"):
        s.void_order(f, "BETA", 3, "no such order")
    code, out, err = cli("session", "void", c.session_id, "--token", f, "--seat", "BETA", "--order", "1",
                         "--reason", "no subsidies while the summit lasts", "--db", store.path)
    assert code == 0 and "BETA spends $2bn on new capacity in advanced chips" in out, err
    assert s.orders_of("BETA", b) == [{"kind": "stockpile", "sector": "rare_earths", "amount": 1.0}]
    assert s.briefing(b, "BETA")["voided"][0]["reason"] == "no subsidies while the summit lasts"
    s.add_note(f, "The summit froze subsidies for a round.")
    assert s.notes(None) == []  # the open round's notes are the facilitator's until adjudicated
    result = s.close_round(f)
    while isinstance(result, Asking):
        result = s.close_round(f)
    h = s.history(1, 1)[0]
    assert h["voided"] == [{"seat": "BETA", "order": {"kind": "subsidy", "sector": "chips", "target": "capacity",
                                                      "amount": 2.0}, "reason": "no subsidies while the summit lasts"}]
    assert h["notes"][0]["text"] == "The summit froze subsidies for a round."
    assert not any("subsidies" in e["text"] and e["actor"] == "BETA" for e in h["events"])
    assert s.notes(None)[0]["round"] == 1
    assert s.check().ok
    fork = open_session(store, s.fork(at_round=1).session_id)
    assert fork.check().ok and fork.history(1, 1)[0]["voided"] == h["voided"]


# -- the database ----------------------------------------------------------------------------


def test_a_version_1_database_is_migrated_in_place(tmp_path):
    db = tmp_path / "old.sqlite"
    c = create_session(SessionStore(db), TINY, ["BETA", "GAMMA"], seed=3)
    s = open_session(SessionStore(db), c.session_id)
    s.submit("BETA", c.seat_tokens["BETA"], [])
    s.close_round(c.facilitator_token)
    digest = s.model().digest()
    s.store.close()
    with sqlite3.connect(db) as conn:  # back to version 1, as an older highfence wrote it
        for table in ("decisions", "messages", "voids", "notes"):
            conn.execute(f"DROP TABLE {table}")
        for col in ("phase", "deadline_at", "deadline_s"):
            conn.execute(f"ALTER TABLE sessions DROP COLUMN {col}")
        conn.execute("PRAGMA user_version = 1")
    store = SessionStore(db, create=False)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    s = open_session(store, c.session_id)
    assert s.check().ok and s.model().digest() == digest
    assert s.status()["phase"] == "orders" and s.messages(None) == []
    s.send_message(c.seat_tokens["BETA"], "after the migration")
    assert s.messages(None)[0]["text"] == "after the migration"


def test_the_web_layer_never_imports_the_cli():
    import subprocess
    import sys

    code = ("import sys, game.web.server, game.web.session_pages, game.web.session_html, game.web.command; "
            "bad = sorted(m for m in sys.modules if m == 'game.cli' or m.startswith('game.cli.')); "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_templates_autoescape_and_assets_are_files():
    from game.web import session_assets, session_html

    env = session_html.templates().env
    assert env.autoescape is True
    page = session_html.error_page(404, "<img src=x onerror=alert(1)>")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    for name in session_assets.ASSETS:
        assert (session_assets.STATIC / name).is_file() and session_assets.asset(name)
    with pytest.raises(KeyError):
        session_assets.asset("../session_html.py")


ANSWER_THEN_DIE = """
import json, sys, time
from game.session import SessionStore, open_session
db, sid, token = sys.argv[1:4]
s = open_session(SessionStore(db), sid)
print("ASK", json.dumps(s.submit("ALPHA", token, [])["asking"]), flush=True)
print("ACK", json.dumps(s.answer("ALPHA", token, "ALPHA-demand-GAMMA-rare_earths", True)), flush=True)
print("MSG", json.dumps(s.send_message(token, "ALPHA: we give way this once")), flush=True)
time.sleep(120)
"""


def test_sigkill_after_an_acknowledged_answer_and_message_loses_nothing(tmp_path):
    import signal
    import subprocess
    import sys

    db = tmp_path / "s.sqlite"
    c = create_session(SessionStore(db), TINY, ["ALPHA"], seed=0, rounds=3)
    t = c.seat_tokens["ALPHA"]
    p = subprocess.Popen([sys.executable, "-c", ANSWER_THEN_DIE, str(db), c.session_id, t], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [p.stdout.readline() for _ in range(3)]
    assert [x.split(" ", 1)[0] for x in lines] == ["ASK", "ACK", "MSG"], p.stderr.read()
    p.send_signal(signal.SIGKILL)
    p.wait(10)

    s = open_session(SessionStore(db), c.session_id)
    assert s.resume()["adjudicated"] is None  # still waiting for ALPHA's other answer
    answered = {d["id"]: d["answer"] for d in s.pending(t, "ALPHA")}
    assert answered[DEMAND] == "concede" and list(answered.values()).count(None) == 1
    assert [m["text"] for m in s.messages(None)] == ["ALPHA: we give way this once"]
    other = next(k for k, v in answered.items() if v is None)
    result = s.answer("ALPHA", t, other, False)["adjudicated"]
    assert any("ALPHA conceded to GAMMA" in e["text"] for e in result["events"])
    assert s.check().ok
