"""`highfence play` driven through a pseudo-terminal, as two players at one keyboard:
menus, refusals, a kill in the middle of a round, resume, an inject, the final scores."""

from __future__ import annotations

import re
import signal
import sys

import pexpect
import pytest
from conftest import CONFIGS, ROOT

from game.session import SessionStore, open_session

TIMEOUT = 30
# pexpect forks a pty and execs at once, so the forking process's threads do not matter.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


def spawn(*args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "game.cli", "play", *args], cwd=str(ROOT), encoding="utf-8",
                         timeout=TIMEOUT, dimensions=(60, 220))


def test_two_players_at_one_keyboard(tmp_path):
    db = str(tmp_path / "play.sqlite")
    game = spawn(str(CONFIGS / "tiny.yaml"), "--as", "BETA", "--as", "GAMMA", "--rounds", "2", "--db", db)
    game.expect(r"session (\w+) saved in")
    sid = game.match.group(1)
    game.expect("pass the keyboard to BETA")
    game.sendline("")
    game.expect("World market share")
    game.expect(r"BETA \(private\): budget 20.0bn")
    game.expect("choose> ")
    game.sendline("subsidy")
    game.expect(r"sector \(chips/rare_earths\) \[chips\]> ")
    game.sendline("")
    game.expect(r"target \(rd/capacity\) \[rd\]> ")
    game.sendline("capacity")
    game.expect(r"amount \(number > 0\) \[2.0\]> ")
    game.sendline("lots")
    game.expect("expected a number")
    game.sendline("4")
    game.expect("added: BETA paid 4.0bn of capacity subsidies in advanced chips")
    game.expect("choose> ")
    game.sendline("stockpile")  # over budget with the subsidy: refused, not added
    game.expect(r"sector .*> ")
    game.sendline("rare_earths")
    game.expect(r"amount .*> ")
    game.sendline("17")
    game.expect("refused, not added: order 2 .* over the 16.00bn left")
    game.expect("choose> ")
    game.sendline("d")
    game.expect("BETA's orders are sealed")
    game.expect("pass the keyboard to GAMMA")
    # The laptop dies here: BETA's sealed orders were acknowledged, so they must survive.
    game.kill(signal.SIGKILL)
    game.wait()
    s = open_session(SessionStore(db), sid)
    assert s.history() == [] and s.status()["seats"][0]["submitted"]

    game = spawn("--resume", sid, "--db", db)
    game.expect("you play BETA, GAMMA")
    game.expect("pass the keyboard to GAMMA")  # BETA already sealed its orders
    game.sendline("")
    game.expect(r"GAMMA \(private\)")
    game.expect("choose> ")
    game.sendline("? coerce")
    game.expect("coerce: Demand a concession")
    game.expect("choose> ")
    game.sendline("d")
    game.expect("Round 1 adjudicated")
    game.expect("BETA paid 4.0bn of capacity subsidies")
    game.expect("Enter: next round")
    game.sendline("i")
    game.expect(r"inject \(number or kind")
    game.sendline("demand_shock")
    game.expect(r"sector \(chips/rare_earths\) \[-\]> ")
    game.sendline("chips")
    game.expect(r"factor .*> ")
    game.sendline("1.2")
    game.expect(r"state .*> ")
    game.sendline("")
    game.expect("inject for round 2: demand for advanced chips everywhere changed by a factor of 1.2")
    game.expect("Enter: next round")
    game.sendline("")
    for seat in ("BETA", "GAMMA"):
        game.expect(f"pass the keyboard to {seat}")
        game.sendline("")
        game.expect("choose> ")
        game.sendline("d")
    game.expect("Round 2 adjudicated .*that was the last round")
    game.expect("Scores against the scenario's AI-only baseline")
    game.expect(r"BETA \(you\)")
    game.expect(f"highfence report {sid}")
    game.expect(pexpect.EOF)
    game.close()
    assert game.exitstatus == 0
    s = open_session(SessionStore(db), sid)
    assert s.status()["status"] == "ended" and s.check().ok
    hist = s.history()
    assert hist[0]["orders"]["BETA"][0]["amount"] == 4.0 and hist[0]["orders"]["GAMMA"] == []
    assert hist[1]["injects"][0]["factor"] == 1.2


def test_quit_saves_the_game(tmp_path):
    db = str(tmp_path / "play.sqlite")
    game = spawn(str(CONFIGS / "tiny.yaml"), "--as", "ALPHA", "--db", db)
    game.expect(r"session ([0-9a-f]{10}) saved in")
    sid = game.match.group(1)
    game.expect("choose> ")
    game.sendline("q")
    game.expect(f"game saved: highfence play --resume {sid}")
    game.expect(pexpect.EOF)
    game.close()
    assert game.exitstatus == 0
    assert open_session(SessionStore(db), sid).status()["current_round"] == 1


def test_menu_numbers_stay_fixed_cancel_and_compact_menu(tmp_path):
    """Issue 12: a number means the same action every round (an export control in round 1
    opens lift_control in round 2, which used to shift every later number by one), `cancel`
    and Ctrl-C back out of an action, and the menu is not reprinted after every action."""
    db = str(tmp_path / "play.sqlite")
    game = spawn(str(CONFIGS / "tiny.yaml"), "--as", "ALPHA", "--rounds", "2", "--db", db)
    game.expect(r"session (\w+) saved in")
    sid = game.match.group(1)
    game.expect("choose> ")
    menu = game.before
    assert re.search(r"\b5 lift_control\*", menu), "a kind not open now keeps its number, marked"
    assert re.search(r"\b16 stance\b", menu)
    game.sendline("9")  # subsidy
    game.expect(r"subsidy: Pay home firms")
    game.expect(r"sector .*> ")
    game.sendline("cancel")
    game.expect("cancelled: no subsidy order added")
    game.expect("0 orders; choose> ")
    game.sendline("subsidy")
    game.expect(r"sector .*> ")
    game.sendintr()  # Ctrl-C inside an action backs out of it, not out of the game
    game.expect("cancelled: no subsidy order added")
    game.expect("0 orders; choose> ")
    game.sendline("5")
    game.expect("lift_control is not open to you this round: you have no export control in force to lift")
    game.expect("choose> ")
    game.sendline("4")  # export_control, its example's values
    game.expect("export_control: Control exports")
    while game.expect([r"\]> ", "added: ALPHA"]) == 0:  # every field at its example's value
        game.sendline("")
    game.expect("1 order; choose> ")
    assert "set_tariff" not in game.before, "the menu was reprinted after an action"
    game.sendline("?")  # the menu on request, with help
    game.expect(r"1  set_tariff +Set \(or with rate 0")
    game.expect("1 order; choose> ")
    game.sendline("d")
    game.expect("question")  # GAMMA's demand and a proposal (seed 0): Enter leaves each to the stance
    while game.expect(["standing stance> ", "Round 1 adjudicated"]) == 0:
        game.sendline("")
        game.expect("left to your standing stance")
    game.expect("Enter: next round")
    game.sendline("")
    game.expect(r"Orders for ALPHA, round 2")
    game.expect("choose> ")
    assert re.search(r"\b5 lift_control +\d", game.before), "lift_control is open now, with the same number"
    assert re.search(r"\b16 stance\b", game.before)
    game.sendline("16")
    game.expect("stance: A human seat's sealed answers")
    game.expect(r"accept_proposals .*> ")
    game.sendline("cancel")
    game.expect("cancelled: no stance order added")
    game.expect("choose> ")
    game.sendintr()  # Ctrl-C at the menu quits, saved
    game.expect(f"game saved: highfence play --resume {sid}")
    game.expect(pexpect.EOF)
    game.close()
    assert game.exitstatus == 0
    hist = open_session(SessionStore(db), sid).history()
    assert [o["kind"] for o in hist[0]["orders"]["ALPHA"]] == ["export_control"]


@pytest.mark.parametrize("content, message", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # used to end in a RecursionError traceback
    ('["not", "tokens"]', "expected a JSON object"),
    ('{"facilitator_token": "x", "seat_tokens": {}}', "seat_tokens: expected an object"),
    ('{"session_id": "0000000000", "facilitator_token": "x", "seat_tokens": {"ALPHA": "y"}}', "session_id"),
    ("\xff\xfe", "cannot read"),
])
def test_a_bad_tokens_file_is_one_clear_error(tmp_path, capsys, content, message):
    from game.cli import main
    from game.session import create_session

    db = tmp_path / "play.sqlite"
    sid = create_session(SessionStore(db, create=True), CONFIGS / "tiny.yaml", ["ALPHA"]).session_id
    bad = tmp_path / "tokens.json"
    bad.write_bytes(content.encode("latin-1"))
    assert main(["play", "--resume", sid, "--db", str(db), "--tokens", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"--tokens {bad}" in err and message in err and "Traceback" not in err


def test_players_talk_and_answer_the_questions_the_round_asks(tmp_path):
    """ALPHA writes to BETA privately (and backs out of a second message); BETA sees the
    count and reads it. After both seal, GAMMA's demand to ALPHA (seed 0) is put to ALPHA at
    the keyboard, and its answer decides the round (the event log says ALPHA gave way)."""
    db = str(tmp_path / "talk.sqlite")
    game = spawn(str(CONFIGS / "tiny.yaml"), "--as", "ALPHA", "--as", "BETA", "--rounds", "2", "--seed", "0",
                 "--db", db)
    game.expect(r"session (\w+) saved in")
    sid = game.match.group(1)
    game.expect("pass the keyboard to ALPHA")
    game.sendline("")
    game.expect("choose> ")
    game.sendline("m")
    game.expect(r"to \(a state: .*\)> ")
    game.sendline("BETA")
    game.expect("message> ")
    game.sendline("hold the line on chips")
    game.expect("sent to BETA")
    game.expect("choose> ")
    game.sendline("m")
    game.expect(r"to \(a state: .*\)> ")
    game.sendline("cancel")
    game.expect("no message sent")
    game.expect("choose> ")
    game.sendline("d")
    game.expect("pass the keyboard to BETA")
    game.sendline("")
    game.expect(r"1 message\(s\) for BETA so far")
    game.expect("choose> ")
    game.sendline("r")
    game.expect("round 1, ALPHA to BETA: hold the line on chips")
    game.expect("choose> ")
    game.sendline("d")
    game.expect("ALPHA has a decision to make")
    game.sendline("")
    game.expect("GAMMA demands that ALPHA give way")
    game.expect("Enter: leave it to your standing stance> ")
    game.sendline("maybe")
    game.expect("a, r or Enter")
    game.sendline("a")
    game.expect("answered: ")
    game.expect("Enter: next round")
    game.sendline("q")
    game.expect(pexpect.EOF, timeout=60)
    s = open_session(SessionStore(db), sid)
    events = s.history(1, 1)[0]["events"]
    assert any(e["kind"] == "conceded" and e["target"] == "ALPHA" for e in events), events
    assert not any(e["kind"] == "standing" for e in events)  # its own answer, not the stance
    # The message is ALPHA's and BETA's only: the public reads none of it.
    assert s.messages(None) == []
