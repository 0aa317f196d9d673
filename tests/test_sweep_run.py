"""Running sweeps: real worker processes, streaming parts, resume after a kill, refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml
from conftest import CONFIGS, ROOT

from game.sweep import Sweep, SweepError, load_results, read_manifest, run_sweep
from game.sweep.store import Store

TINY_SPEC = CONFIGS / "sweeps" / "tiny.yaml"


def table(out) -> pd.DataFrame:
    return load_results(out).sort_values("run_id").reset_index(drop=True)


def series(out) -> pd.DataFrame:
    return load_results(out, series=True).sort_values(["run_id", "round"]).reset_index(drop=True)


def hf(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "game.cli", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "out"
    run_sweep(Sweep.from_file(TINY_SPEC), out, executor="serial", progress=False)
    return out


def test_results_are_one_tidy_table(serial):
    df = pd.read_parquet(serial)  # the README's one-liner
    manifest = read_manifest(serial)
    assert len(df) == 36 and df["run_id"].is_unique
    assert set(df["run_id"]) == set(manifest["run_ids"])
    assert {"variant", "compare.partners", "compare.enforcement", "seed", "target_access"} <= set(df.columns)
    assert set(df["compare.partners"]) == {"alone", "BETA"}
    assert set(df["seed"]) == set(manifest["replication_seeds"])
    assert (df.loc[df["variant"] == "none", "target_access"] == 1.0).all()
    assert manifest["spec_hash"] and manifest["scenario_hash"] and manifest["highfence_version"]
    s = series(serial)
    assert len(s) == 36 * 6 and set(s["round"]) == set(range(6))
    assert {"run_id", "variant", "seed", "target_access", "world_welfare_change"} <= set(s.columns)


def test_local_workers_equal_serial(serial, tmp_path):
    report = run_sweep(Sweep.from_file(TINY_SPEC), tmp_path / "out", workers=2, batch_size=4, progress=False)
    assert report.ran == 36
    pd.testing.assert_frame_equal(table(tmp_path / "out"), table(serial), check_exact=True)
    pd.testing.assert_frame_equal(series(tmp_path / "out"), series(serial), check_exact=True)


def test_rerun_runs_only_what_is_missing(serial, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(serial, out)
    assert run_sweep(Sweep.from_file(TINY_SPEC), out, executor="serial").ran == 0
    gone = sorted(out.glob("part-*.parquet"))[:2]
    lost = sum(len(pd.read_parquet(p)) for p in gone)
    for p in gone:
        p.unlink()
    # A kill can leave a temporary file and a series part whose finals were never committed.
    (out / ".part-x.parquet.tmp").write_bytes(b"half a file")
    report = run_sweep(Sweep.from_file(TINY_SPEC), out, executor="serial")
    assert (report.ran, report.skipped) == (lost, 36 - lost)
    assert not list(out.glob(".*.tmp"))
    pd.testing.assert_frame_equal(table(out), table(serial), check_exact=True)
    pd.testing.assert_frame_equal(series(out), series(serial), check_exact=True)


def _kill_spec(tmp_path) -> str:
    path = tmp_path / "kill.yaml"
    spec = yaml.safe_load(TINY_SPEC.read_text())
    spec["scenario"] = str(CONFIGS / "tiny.yaml")
    spec["replications"] = 15  # 180 runs: a few seconds, long enough to kill mid-sweep
    path.write_text(yaml.safe_dump(spec))
    return str(path)


def _wait_for_parts(out, n: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if len(list(out.glob("part-*.parquet"))) >= n:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    raise AssertionError("no parts written")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_sweep_resumes_without_loss_or_duplicates(tmp_path, sig):
    spec, out = _kill_spec(tmp_path), tmp_path / "out"
    args = ("sweep", spec, "--out", str(out), "--workers", "2", "--batch-size", "2", "--no-progress")
    proc = hf(*args)
    _wait_for_parts(out, 5, proc)
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode == (-9 if sig == signal.SIGKILL else 130)
    done_before = set(pd.read_parquet(out)["run_id"])
    planned = read_manifest(out)["run_ids"]
    assert 0 < len(done_before) < len(planned), "the kill came too late to test a resume"

    proc = hf(*args)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert f"({len(done_before)} already done)" in stdout
    ids = pd.read_parquet(out)["run_id"]
    assert ids.is_unique and sorted(ids) == sorted(planned)
    s = pd.read_parquet(out / "_series")
    assert s.groupby("run_id").size().eq(6).all() and set(s["run_id"]) == set(planned)

    ref = tmp_path / "ref"
    run_sweep(Sweep.from_file(spec), ref, executor="serial")
    pd.testing.assert_frame_equal(table(out), table(ref), check_exact=True)


def test_other_spec_over_existing_dir_is_refused(serial, tmp_path):
    path = tmp_path / "other.yaml"
    spec = yaml.safe_load(TINY_SPEC.read_text())
    spec["scenario"] = str(CONFIGS / "tiny.yaml")
    spec["replications"] = 4
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SweepError, match="holds results of sweep 'tiny'.*not of this spec"):
        run_sweep(Sweep.from_file(path), serial, executor="serial")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not empty"):
        run_sweep(Sweep.from_file(path), tmp_path / "junk", executor="serial")


def test_moving_the_spec_keeps_the_sweep_resumable(serial, tmp_path):
    spec = yaml.safe_load(TINY_SPEC.read_text())
    spec["scenario"] = str(CONFIGS / "tiny.yaml")  # same content, other path
    (tmp_path / "moved.yaml").write_text(yaml.safe_dump(spec))
    assert Sweep.from_file(tmp_path / "moved.yaml").spec_hash == read_manifest(serial)["spec_hash"]


def test_a_second_writer_is_locked_out(tmp_path):
    sweep = Sweep.from_file(TINY_SPEC)
    with Store.open(tmp_path / "out", sweep), pytest.raises(SweepError, match="another sweep"):
        Store.open(tmp_path / "out", sweep)
    Store.open(tmp_path / "out", sweep).close()


def test_no_lock_is_left_behind(serial, tmp_path):
    from game.sweep.store import LOCK, _still_there

    assert not (serial / LOCK).exists()  # a finished sweep
    sweep, out = Sweep.from_file(TINY_SPEC), tmp_path / "out"
    with Store.open(out, sweep):
        assert (out / LOCK).exists()
        stale = os.open(out / LOCK, os.O_RDWR)  # a second sweep that opened the file before the first ended
    assert not (out / LOCK).exists()
    try:
        assert not _still_there(stale, out / LOCK)  # so its flock on the removed file is not taken for the lock
    finally:
        os.close(stale)
    other = Sweep.from_file(CONFIGS / "sweeps" / "lhs_example.yaml")
    with pytest.raises(SweepError, match="holds results of sweep"):
        Store.open(out, other)
    assert not (out / LOCK).exists()  # nor after a refusal


@pytest.mark.parametrize(("name", "samples"), [("lhs_example", 4), ("sobol_example", 2)])
def test_example_specs_run(name, samples, tmp_path):
    """The shipped Latin hypercube and Sobol examples, shrunk to a few short runs."""
    spec = yaml.safe_load((CONFIGS / "sweeps" / f"{name}.yaml").read_text())
    spec["scenario"] = str((CONFIGS / "sweeps" / spec["scenario"]).resolve())
    spec["design"]["samples"], spec["replications"], spec["fixed"]["rounds"] = samples, 1, 3
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    sweep = Sweep.from_file(tmp_path / "spec.yaml")
    report = run_sweep(sweep, tmp_path / "out", executor="serial", progress=False)
    assert report.ran == sweep.n_runs <= 16
    df = load_results(tmp_path / "out")
    ranges = [f for f, v in spec["factors"].items() if isinstance(v, dict) and "low" in v]
    for f in ranges:
        lo, hi = spec["factors"][f]["low"], spec["factors"][f]["high"]
        assert df[f].between(lo, hi).all() and df[f].nunique() > 1
    from game.sweep.summary import summarize

    summary = summarize(df, read_manifest(tmp_path / "out"))
    assert bool(summary["sensitivity"]) == (name == "sobol_example")


def test_summarize_cli(serial, tmp_path):
    r = subprocess.run([sys.executable, "-m", "game.cli", "summarize", str(serial), "--by", "compare.partners",
                        "--json", str(tmp_path / "s.json"), "--plots", str(tmp_path / "plots")],
                       check=False, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "by compare.partners (and variant)" in r.stdout
    assert "coordinated minus unilateral" in r.stdout
    summary = json.loads((tmp_path / "s.json").read_text())
    gain = {(g["factor"], g["level"], g["outcome"]): g for g in summary["coordination_gain"]}
    # Alone, a "coordinated" control is a unilateral one: the paired difference is exactly zero.
    alone = gain[("compare.partners", "alone", "target_access")]
    assert alone["mean"] == alone["ci_low"] == alone["ci_high"] == 0.0
    # With BETA in, coordination cuts GAMMA's access to chips.
    assert gain[("compare.partners", "BETA", "target_access")]["ci_high"] < 0
    effects = [e for e in summary["main_effects"] if e["factor"] == "compare.partners"]
    assert {e["variant"] for e in effects} == {"none", "unilateral", "coordinated"}
    assert all(e["ci_low"] <= e["mean"] <= e["ci_high"] for e in effects)
    for png in ("main_effects.png", "coordination_gain.png"):
        assert (tmp_path / "plots" / png).read_bytes()[:4] == b"\x89PNG"


def test_summarize_rejects_unknown_factor(serial):
    r = subprocess.run([sys.executable, "-m", "game.cli", "summarize", str(serial), "--by", "compare.enforcment",
                        "--no-plots"], check=False, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "did you mean compare.enforcement" in r.stderr
