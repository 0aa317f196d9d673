"""`highfence play` driven through a pseudo-terminal, as two players at one keyboard:
menus, refusals, a kill in the middle of a round, resume, an inject, the final scores."""

from __future__ import annotations

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
