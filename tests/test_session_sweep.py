"""`highfence sweep --from-session ID --at-round N`: counterfactuals from a session's round N.
Every run replays the session's first N rounds exactly, then the seats play AI strategies
(the scenario's or a factor's) and the replications differ only afterwards."""

from __future__ import annotations

import contextlib
import io

import pytest
import yaml
from conftest import CONFIGS
from test_session_api import play_some

from game.cli import main
from game.session import SessionStore, create_session, open_session
from game.session.prefix import session_prefix
from game.sweep import Sweep, SweepError, load_results, read_manifest, run_sweep


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("from_session")
    store = SessionStore(tmp / "s.sqlite")
    c = create_session(store, CONFIGS / "tiny.yaml", ["BETA", "GAMMA"], seed=5, rounds=6)
    s = open_session(store, c.session_id)
    play_some(s, c, rounds=3)
    spec = tmp / "spec.yaml"
    spec.write_text(yaml.safe_dump({
        "name": "what_if_beta", "scenario": str(CONFIGS / "tiny.yaml"),
        "factors": {"states.BETA.strategy.kind": ["adaptive_learner", "free_trader"]},
        "replications": 2, "seed": 1,
        "outcomes": {"finals": ["world_welfare_change", "welfare_change.BETA"],
                     "series": ["world_welfare_change", "welfare_change.BETA"]},
    }))
    return tmp, store, s, spec


def test_every_run_starts_from_the_sessions_world_at_round_n(played):
    tmp, _, s, spec = played
    n = 2
    prefix = session_prefix(s, n)
    assert prefix.digest == s.history(n, n)[0]["digest"]
    report = run_sweep(Sweep.from_file(spec, prefix=prefix), tmp / "out", executor="serial", progress=False)
    assert report.ran == 4
    series = load_results(tmp / "out", series=True)
    wide = series.pivot(index="round", columns="run_id", values="world_welfare_change")
    session_world = s.model().datacollector.get_model_vars_dataframe()["world_welfare_change"]
    for r in range(n + 1):  # the prefix: identical in every run, and equal to the session's
        assert wide.loc[r].nunique() == 1 and wide.loc[r].iloc[0] == pytest.approx(session_world[r], abs=1e-12)
    after = wide.loc[n + 1:]
    # After N the strategies diverge, and so do the learner's replications (it samples its
    # postures); the free trader's two coincide: nothing in that world draws a random number.
    assert after.T.drop_duplicates().shape[0] == 3
    manifest = read_manifest(tmp / "out")
    assert manifest["from_session"]["session"] == s.id and manifest["from_session"]["at_round"] == n


def test_the_cli_option(played):
    tmp, store, s, spec = played
    out, err = io.StringIO(), io.StringIO()
    def argv(n: int) -> list[str]:
        return ["sweep", str(spec), "--out", str(tmp / "cli"), "--from-session", s.id, "--at-round", str(n),
                "--db", str(store.path), "--executor", "serial", "--no-progress"]

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(argv(3)) == 0, err.getvalue()
    assert f"from session {s.id} at round 3" in out.getvalue() and "4 runs" in out.getvalue()
    # Another round N is another sweep: the directory refuses it rather than mixing results.
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(argv(1)) == 2
    assert "holds results of sweep" in err.getvalue()
    for bad, message in ((["--at-round", "2"], "--at-round needs --from-session"),
                         (["--from-session", s.id], "--from-session needs --at-round"),
                         (["--from-session", s.id, "--at-round", "9"], "has adjudicated rounds 0..3")):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            assert main(["sweep", str(spec), "--out", str(tmp / "bad"), "--db", str(store.path), *bad]) == 2
        assert message in err.getvalue()


def test_the_scenario_must_go_on_after_round_n(played):
    tmp, _, s, spec = played
    data = yaml.safe_load(spec.read_text()) | {"fixed": {"rounds": 2}}
    short = tmp / "short.yaml"
    short.write_text(yaml.safe_dump(data))
    with pytest.raises(SweepError, match="ends at round 2, not after --at-round 2"):
        Sweep.from_file(short, prefix=session_prefix(s, 2))
