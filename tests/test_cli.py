"""The command line as a user runs it: real subprocesses, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT


def hf(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game.cli", *args], capture_output=True, text=True, cwd=cwd, check=False)


def test_run_prints_rounds_and_writes_tables(tmp_path):
    r = hf("run", "configs/tiny.yaml", "--rounds", "3", "--seed", "4", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert "round   3" in r.stdout and "final round, per state" in r.stdout
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["seed"] == 4 and manifest["rounds"] == 3 and len(manifest["scenario_hash"]) == 16
    rounds = pd.read_parquet(tmp_path / "out" / "rounds.parquet")
    assert list(rounds.index) == [0, 1, 2, 3]
    events = pd.read_parquet(tmp_path / "out" / "events.parquet")
    assert {"round", "kind", "actor", "text"} <= set(events.columns)


def test_run_csv(tmp_path):
    r = hf("run", "configs/tiny.yaml", "--rounds", "2", "--quiet", "--out", str(tmp_path), "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "states.csv").exists()


def test_compare_writes_json_and_plot(tmp_path):
    r = hf("compare", "configs/tiny.yaml", "--seeds", "3", "--json", str(tmp_path / "c.json"),
           "--plot", str(tmp_path / "c.png"))
    assert r.returncode == 0, r.stderr
    rows = json.loads((tmp_path / "c.json").read_text())
    assert {(x["variant"], x["metric"]) for x in rows} >= {("coordinated", "target_access"), ("no_control", "world_welfare"), ("free_trade", "target_access")}
    assert all(x["ci_low"] <= x["mean"] <= x["ci_high"] for x in rows)
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "target_access" in r.stdout


def test_schema_is_json_schema():
    r = hf("schema")
    schema = json.loads(r.stdout)
    assert schema["title"] == "Scenario" and "states" in schema["properties"]


def test_chokepoints_table():
    r = hf("chokepoints", "configs/default.yaml")
    assert r.returncode == 0, r.stderr
    assert "rare_earths" in r.stdout and "CHN" in r.stdout and "autonomy" in r.stdout


@pytest.mark.parametrize(
    "content, expect",
    [
        ("states: [unclosed\n", "malformed YAML at line"),
        ("name: x\nstates: {A: {gdp: -1}}\nsectors: {}\nfirms: []\n", "states.A.gdp"),
        (("name: x\nstates: {A: {gdp: 1}, B: {gdp: 2}}\nsectors: {s: {demand_share: 0.1}}\n"
          "firms: [{name: f, home: C, sector: s, share: 1}]\n"), "firms.0.home: unknown state 'C'"),
        ("name: x\nstats: {}\n", "stats: Extra inputs are not permitted"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_bad_scenarios_give_one_clear_message_and_exit_2(tmp_path, content, expect):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    r = hf("run", str(path))
    assert r.returncode == 2
    assert expect in r.stderr and str(path) in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_scenario_path():
    r = hf("compare", "configs/nope.yaml")
    assert r.returncode == 2 and "no such scenario file" in r.stderr and "Traceback" not in r.stderr


def test_unknown_strategy_names_the_field(tmp_path):
    text = (ROOT / "configs" / "tiny.yaml").read_text().replace("kind: high_fence", "kind: high_fenc")
    (tmp_path / "s.yaml").write_text(text)
    r = hf("run", str(tmp_path / "s.yaml"))
    assert r.returncode == 2 and "states.ALPHA.strategy: unknown state strategy 'high_fenc'" in r.stderr


def test_bad_out_dir_keeps_nothing_half_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = hf("run", "configs/tiny.yaml", "--rounds", "1", "--quiet", "--out", str(blocker / "sub"))
    assert r.returncode == 2 and "cannot create the directory" in r.stderr
    assert blocker.read_text() == "not a directory"
