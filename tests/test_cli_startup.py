"""The command line starts fast and works from any folder: subcommands register
without their heavy modules (benchmarks/bench_startup.py times it), the web layer
never imports the CLI, and shipped configs are found from the package."""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys

from conftest import CONFIGS, ROOT

from game.cli import build_parser, main

HEAVY = ("numpy", "scipy", "pandas", "mesa", "pydantic", "matplotlib", "pyarrow", "networkx", "tqdm", "yaml")


def subcommands() -> list[str]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def run_cli(args: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game.cli", *args], capture_output=True, text=True, cwd=cwd,
                          check=False)


def test_help_lists_every_subcommand(tmp_path):
    names = subcommands()
    assert {"run", "compare", "chokepoints", "validate", "serve", "schema", "sweep", "summarize", "session",
            "play", "report"} <= set(names)
    r = run_cli(["--help"], tmp_path)
    assert r.returncode == 0, r.stderr
    listed = set(r.stdout.split())
    assert [n for n in names if n not in listed] == []
    for name in names:
        r = run_cli([name, "--help"], tmp_path)
        assert r.returncode == 0 and "usage: highfence " + name in r.stdout, r.stderr


def test_registering_the_commands_imports_nothing_heavy():
    code = ("import sys, json; from game.cli import build_parser; build_parser(); "
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(r.stdout) == []


def test_choices_spelled_out_for_start_up_agree_with_the_code():
    from game.arms import ALIASES, VARIANTS
    from game.cli.sweep import EXECUTORS
    from game.experiment import ALIASES as A2
    from game.experiment import VARIANTS as V2
    from game.sweep.runner import EXECUTORS as E2

    assert (EXECUTORS, VARIANTS, ALIASES) == (E2, V2, A2)


def test_the_web_layer_never_imports_the_cli():
    for path in sorted((ROOT / "game" / "web").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n == "game.cli" or n.startswith("game.cli.")], path.name
    code = ("import sys, game.web.server as s\n"
            "try:\n    s.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert not [m for m in sys.modules if m.startswith('game.cli')], 'game.cli imported'")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.returncode == 0 and "--session" in r.stdout, r.stderr


def test_web_server_main_reports_bad_input_like_the_cli(tmp_path, capsys):
    from game.web.server import main as server_main

    assert server_main([str(tmp_path / "missing.yaml")]) == 2
    assert "no such scenario file" in capsys.readouterr().err
    assert server_main(["--port", "0"]) == 2


def test_commands_work_from_any_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # Shipped cases by name (and the coercion base rate's shipped worlds) from outside the repository.
    assert main(["validate", "chips_2022", "--seeds", "1", "--json", "rows.json"]) in (0, 1)
    rows = json.loads((tmp_path / "rows.json").read_text())
    assert {r["case"] for r in rows} == {"chips_2022", "coercion_base_rate"}
    assert main(["validate", "chips_2022.yaml", "--seeds", "1", "--no-base-rate"]) in (0, 1)
    assert main(["validate", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no such case (known: chips_2022" in err
    # Shipped scenarios and sweep specs by name.
    assert main(["run", "tiny", "--rounds", "1", "--quiet"]) == 0
    assert main(["chokepoints", "tiny"]) == 0
    from game.paths import SWEEPS, sweep_arg

    assert sweep_arg("tiny") == str(SWEEPS / "tiny.yaml")


def test_a_relative_path_is_relative_to_the_current_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(CONFIGS / "tiny.yaml", tmp_path / "mine.yaml")
    assert main(["run", "mine.yaml", "--rounds", "1", "--quiet"]) == 0
    assert "tiny: 3 states" in capsys.readouterr().out
    # A folder path is the user's: never looked up among the shipped configs.
    assert main(["run", "configs/tiny.yaml", "--rounds", "1"]) == 2
    assert "configs/tiny.yaml: no such scenario file" in capsys.readouterr().err
    # A file here of a shipped name wins over the shipped one.
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    (tmp_path / "sub" / "tiny.yaml").write_text("name: mine\nstates: {}\n")
    assert main(["run", "tiny.yaml"]) == 2
    assert "tiny.yaml" in capsys.readouterr().err


def test_a_caller_that_sends_runs_to_workers_never_imports_the_engine():
    # The pool's fork server imports the engine while `highfence compare` imports and loads
    # (game.sweep.executors.start_local_workers); that overlap is lost if loading a scenario
    # or importing the comparison pulls in Mesa again.
    code = ("import sys, json; import game.sweep.executors, game.compare; from game.scenario import load_scenario; "
            "from game.paths import DEFAULT_SCENARIO; load_scenario(DEFAULT_SCENARIO); "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('mesa', 'pandas', 'pyarrow') "
            "or m in ('game.model', 'game.sweep.runner'))))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(r.stdout) == []
    # The executors import nothing heavy, so a command can start the workers first.
    code = ("import sys, json; import game.sweep.executors; "
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(r.stdout) == []
