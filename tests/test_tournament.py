"""Tournaments and best responses, on the sweep executors, with paired seeds."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from agents.strategies import STATE_STRATEGIES
from agents.strategies.states import POSTURES
from game import tournament
from game.best_response import DEFAULT_POSTURES, best_responses, report
from game.cli.tournament import DEFAULT_CANDIDATES
from game.compare import replication_seeds
from game.model import GeoModel
from game.scenario import load_scenario
from tests.conftest import ROOT

TINY = str(ROOT / "configs" / "tiny.yaml")


@pytest.fixture(scope="module")
def ranked():
    return tournament.play(TINY, "ALPHA", ["high_fence", "free_trader", "passive"], seeds=3, rounds=6,
                           executor="serial")


def test_candidates_are_ranked_with_intervals_on_the_same_seeds(ranked):
    means = [e.score_mean for e in ranked.entries]
    assert means == sorted(means, reverse=True)
    assert all(e.ci_low <= e.score_mean <= e.ci_high and e.n == 3 for e in ranked.entries)
    seeds = ranked.runs.groupby("strategy")["seed"].apply(lambda s: sorted(s))
    assert all(s == sorted(replication_seeds(0, 3)) for s in seeds)  # paired: same seeds for each


def test_a_run_score_is_the_state_objective_of_that_game(ranked):
    """Recompute one run by hand: the mean over rounds 1..6 of the weighted objective."""
    seed = replication_seeds(0, 3)[0]
    sc = load_scenario(TINY)
    sc.states["ALPHA"].strategy.kind, sc.states["ALPHA"].strategy.params = "free_trader", {}
    m = GeoModel(sc, seed=seed, rounds=6).run()
    df = m.datacollector.get_agent_vars_dataframe().xs("ALPHA", level="AgentID")
    df = df[df.index > 0].mean()
    w = tournament.objective_weights(sc, "ALPHA")
    want = (w[0] * df["welfare_change"] / sc.states["ALPHA"].gdp * 1e4 + 100 * (
        w[1] * df["autonomy"] + w[2] * df["tech_level"] + w[3] * df["cohesion"]))
    got = ranked.runs.query("strategy == 'free_trader' and seed == @seed")["score"].item()
    assert got == pytest.approx(want, rel=1e-9)


def test_paired_difference_is_the_mean_of_per_seed_differences(ranked):
    wide = ranked.runs.pivot(index="seed", columns="strategy", values="score")
    d, lo, hi = ranked.paired_difference("passive", "high_fence")
    assert d == pytest.approx((wide["passive"] - wide["high_fence"]).mean())
    assert lo < d < hi


def test_local_processes_give_the_serial_scores(ranked):
    local = tournament.play(TINY, "ALPHA", ["high_fence", "free_trader", "passive"], seeds=3, rounds=6,
                            executor="local", workers=2)
    assert np.array_equal(local.runs.sort_values(["strategy", "seed"])["score"].to_numpy(),
                          ranked.runs.sort_values(["strategy", "seed"])["score"].to_numpy())


def test_cli_writes_records_and_a_plot(tmp_path):
    out = tmp_path / "t.json"
    r = subprocess.run([sys.executable, "-m", "game.cli", "tournament", "tiny", "--state", "GAMMA",
                        "--strategies", "coercer,passive", "--seeds", "2", "--rounds", "4", "--executor", "serial",
                        "--json", str(out)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.returncode == 0, r.stderr
    records = json.loads(out.read_text())
    assert [set(x) for x in records] == [{"state", "strategy", "score_mean", "ci_low", "ci_high", "n"}] * 2
    assert {x["strategy"] for x in records} == {"coercer", "passive"} and all(x["n"] == 2 for x in records)
    png = tmp_path / "tournament-GAMMA.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "rank  strategy" in r.stdout and "95% CI" in r.stdout


@pytest.mark.parametrize(("args", "needle"), [
    (["--state", "OMEGA"], "--state 'OMEGA': not a state of scenario 'tiny'"),
    (["--state", "ALPHA", "--strategies", "high_fenc"], "unknown or unplayable strategy 'high_fenc'"),
    (["--state", "ALPHA", "--seeds", "1"], "--seeds: expected at least 2"),
    ([], "--state: which state"),
])
def test_cli_bad_input_is_one_clear_error(args, needle):
    r = subprocess.run([sys.executable, "-m", "game.cli", "tournament", "tiny", *args], capture_output=True,
                       text=True, cwd=ROOT, check=False)
    assert r.returncode == 2 and needle in r.stderr, r.stderr


def test_the_cli_candidates_spelled_out_for_start_up_are_real_strategies():
    assert set(DEFAULT_CANDIDATES) <= set(STATE_STRATEGIES)
    assert set(POSTURES) <= set(DEFAULT_CANDIDATES) and set(DEFAULT_POSTURES) <= set(DEFAULT_CANDIDATES)


def test_best_responses_print_a_path_a_profile_and_the_coalition_test():
    lines = []
    dyn = best_responses(TINY, ["high_fence", "free_trader", "coalition_builder"], seeds=2, passes=2, rounds=5,
                         executor="serial", say=lines.append)
    assert len(lines) == len(dyn.steps) >= 3 and all(s.state in ("ALPHA", "BETA", "GAMMA") for s in dyn.steps)
    for s in dyn.steps:  # a state moves only to a strategy clearly better on the same seeds
        assert (s.after != s.before) == (s.gain_low > 0)
        if s.moved:
            assert s.after in ("high_fence", "free_trader", "coalition_builder")
    assert dyn.converged or dyn.passes == 2
    assert [p.partner for p in dyn.partners] == ["BETA"]
    text = report(dyn)
    assert "final profile" in text and "coalition test" in text
    assert "coordinated control survives" in text if dyn.survives else "does not survive" in text
    rec = dyn.as_record()
    assert rec["final"] == dyn.profile and rec["partners"][0]["verdict"] in ("joins", "free-rides", "indifferent")


def test_dask_gives_the_serial_scores(ranked):
    """The tournament runs on the sweep's Dask executor (a real LocalCluster) with the same numbers."""
    pytest.importorskip("distributed")
    on_dask = tournament.play(TINY, "ALPHA", ["high_fence", "free_trader", "passive"], seeds=3, rounds=6,
                              executor="dask", workers=2)
    assert np.array_equal(on_dask.runs.sort_values(["strategy", "seed"])["score"].to_numpy(),
                          ranked.runs.sort_values(["strategy", "seed"])["score"].to_numpy())
