"""Shared helpers: scenarios built from the shipped tiny world, with scripted states."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import yaml

from game.model import GeoModel
from game.scenario import Scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
# Debian's chromium, driven by Playwright (its own browser download fails offline).
CHROMIUM = os.environ.get("HIGHFENCE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
CONFIGS = ROOT / "configs"
_TINY = yaml.safe_load((CONFIGS / "tiny.yaml").read_text())


def tiny_data(scripted: bool = True, **changes) -> dict:
    """The tiny scenario as a dict; with `scripted`, no state moves unless scripted."""
    data = copy.deepcopy(_TINY)
    if scripted:
        for st in data["states"].values():
            st["strategy"] = {"kind": "scripted", "params": {"accept_proposals": True, "concede": False}}
    data.update(changes)
    return data


def tiny(scripted: bool = True, script: list | None = None, **changes) -> Scenario:
    data = tiny_data(scripted, **changes)
    if script is not None:
        data["script"] = script
    return scenario_from_dict(data, "tiny-test")


def play(scenario: Scenario, rounds: int, seed: int = 0, **kw) -> GeoModel:
    model = GeoModel(scenario, seed=seed, rounds=rounds, **kw)
    model.run()
    return model


def idx(model: GeoModel, state: str | None = None, sector: str | None = None):
    out = []
    if state is not None:
        out.append(model.world.states.names.index(state))
    if sector is not None:
        out.append(model.world.sectors.names.index(sector))
    return out[0] if len(out) == 1 else tuple(out)


@pytest.fixture
def tiny_scenario() -> Scenario:
    return tiny()


def check_server_log(log: str, port: int) -> None:
    """A served page's log: it said where it serves and logged no error."""
    assert f"serving on http://127.0.0.1:{port}/" in log, log
    assert "Traceback" not in log, f"the server logged an error:\n{log}"


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium under Playwright, one per test module. No skip when it is
    missing: `make test` installs it, and a skip would hide that."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
