"""A whole tabletop session through the command line, as a facilitator's script would
run it: JSON out, exit codes, and seats kept apart.

Most calls run `highfence` in this process (`game.cli.main`, the same parser and
commands: importing the engine costs a subprocess about 1.5 s); the session is
created and checked by real subprocesses, so the console entry point and the
cross-process path are covered too.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys

import pytest
from conftest import CONFIGS, ROOT

from game.cli import main


def hf(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          check=False)


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def ok(*args: str) -> str:
    code, out, err = cli(*args)
    assert code == 0, err
    return out


def refused(*args: str, code: int = 2) -> str:
    got, out, err = cli(*args)
    assert got == code, out + err
    assert err.startswith("highfence: ") and "Traceback" not in err
    return err


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("cli") / "game.sqlite")
    r = hf("session", "new", str(CONFIGS / "tiny.yaml"), "--seat", "BETA", "--seat", "GAMMA:concede",
           "--rounds", "3", "--seed", "2", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    return db, json.loads(r.stdout)


def test_a_whole_session_through_the_cli(session, tmp_path):
    db, new = session
    sid, f = new["session_id"], new["facilitator_token"]
    beta, gamma = new["seat_tokens"]["BETA"], new["seat_tokens"]["GAMMA"]

    brief = json.loads(ok("session", "show", sid, "--seat", "BETA", "--token", beta, "--db", db, "--json"))
    assert brief["private"]["state"] == "BETA" and brief["session"]["current_round"] == 1
    example = next(a["example"] for a in brief["legal_actions"] if a["kind"] == "subsidy")

    # An illegal order is refused with the reason; the seat corrects it.
    err = refused("session", "order", sid, "--seat", "BETA", "--token", beta, "--db", db,
                  "--action", json.dumps({**example, "amount": 900}))
    assert "refused: costs 900.00bn, over the 20.00bn left" in err
    text = ok("session", "order", sid, "--seat", "BETA", "--token", beta, "--db", db,
              "--action", json.dumps(example),
              "--action", '{"kind": "export_control", "sector": "chips", "target": "GAMMA"}')
    assert "BETA's orders for round 1 recorded" in text and "waiting for: GAMMA" in text

    ack = json.loads(ok("session", "inject", sid, "--token", f, "--db", db, "--json",
                        "--inject", '{"kind": "demand_shock", "sector": "rare_earths", "factor": 1.3}'))
    assert ack["round"] == 1

    # The last seat's orders close the round.
    ack = json.loads(ok("session", "order", sid, "--seat", "GAMMA", "--token", gamma, "--db", db, "--json"))
    assert ack["orders"] == [] and ack["adjudicated"]["round"] == 1
    assert any("BETA put export controls on broad exports" in e["text"] for e in ack["adjudicated"]["events"])

    # Round 2: only BETA orders; the facilitator closes it, GAMMA holds.
    ok("session", "order", sid, "--seat", "BETA", "--token", beta, "--db", db, "--action", '{"kind": "hold"}')
    text = ok("session", "close-round", sid, "--token", f, "--db", db)
    assert text.startswith("Round 2 adjudicated (facilitator)")

    text = ok("session", "show", sid, "--db", db)  # the public view
    assert "round 3 of 3 open" in text and "BETA controls advanced chips exports to GAMMA" in text and "private" not in text
    r = hf("session", "check", sid, "--db", db)
    assert r.returncode == 0 and "replay equals the stored state in every round" in r.stdout

    fork = json.loads(ok("session", "fork", sid, "--at-round", "1", "--db", db, "--json"))
    listed = json.loads(ok("session", "list", "--db", db, "--json"))
    assert {r["session"] for r in listed} == {sid, fork["session_id"]}

    ok("session", "pause", sid, "--token", f, "--db", db)
    assert "paused by the facilitator" in refused("session", "order", sid, "--seat", "BETA", "--token", beta,
                                                  "--db", db)
    ok("session", "unpause", sid, "--token", f, "--db", db)
    assert "ended after round 2" in ok("session", "end", sid, "--token", f, "--db", db)

    report = tmp_path / "report.html"
    assert "scored against ai" in ok("report", sid, "--out", str(report), "--db", db)
    page = report.read_text()
    assert page.startswith("<!doctype html>") and "gain over the AI-only baseline run" in page
    # The facilitator names the reference; the report says which, in words.
    free = tmp_path / "free.html"
    assert "scored against free_trade" in ok("report", sid, "--out", str(free), "--against", "free_trade", "--db", db)
    text = free.read_text()
    assert "gain over the free-trade run (every state passive)" in text and "AI-only baseline" not in text
    scores = lambda html: re.findall(r'<td class="(?:pos|neg|)">([+-][0-9.]+)</td>', html)
    assert scores(text) != scores(page)


def test_seats_cannot_read_or_order_for_each_other(session, monkeypatch):
    db, new = session
    sid = new["session_id"]
    beta, gamma = new["seat_tokens"]["BETA"], new["seat_tokens"]["GAMMA"]
    assert "not BETA's seat token" in refused("session", "show", sid, "--seat", "BETA", "--token", gamma, "--db", db)
    assert "needs BETA's seat token" in refused("session", "show", sid, "--seat", "BETA", "--db", db)
    assert "only BETA's own token" in refused("session", "order", sid, "--seat", "BETA", "--token", gamma,
                                               "--db", db, "--action", '{"kind": "hold"}')
    assert "only the facilitator's token can close a round" in refused("session", "close-round", sid,
                                                                       "--token", beta, "--db", db)
    assert "only the facilitator's token can add injects" in refused(
        "session", "inject", sid, "--token", gamma, "--db", db,
        "--inject", '{"kind": "demand_shock", "sector": "chips", "factor": 2}')
    assert "not a seat of session" in refused("session", "show", sid, "--seat", "ALPHA", "--token", beta, "--db", db)
    # A seat's token in the environment works like --token, and only for that seat.
    monkeypatch.setenv("HIGHFENCE_TOKEN", gamma)
    shown = json.loads(ok("session", "show", sid, "--seat", "GAMMA", "--db", db, "--json"))
    assert shown["private"]["state"] == "GAMMA" and shown["private"]["standing_answers"] == {"concede": True}
    assert "not BETA's seat token" in refused("session", "show", sid, "--seat", "BETA", "--db", db)


def test_cli_user_errors(tmp_path):
    db = str(tmp_path / "x.sqlite")
    assert "no such state in tiny" in refused("session", "new", str(CONFIGS / "tiny.yaml"), "--seat", "JPN",
                                              "--db", db)
    assert "unknown standing answer 'bluff'" in refused("session", "new", str(CONFIGS / "tiny.yaml"), "--seat",
                                                        "BETA:bluff", "--db", db)
    assert "no session database" in refused("session", "show", "abc", "--db", str(tmp_path / "none.sqlite"))
    assert "no such scenario file" in refused("session", "new", "nope.yaml", "--seat", "A", "--db", db)
    assert "at least one --as STATE" in refused("play", str(CONFIGS / "tiny.yaml"), "--db", db)
