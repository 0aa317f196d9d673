"""GeoModel in Mesa's own SolaraViz, in a real browser (Debian's chromium under Playwright):
the page renders from the local server alone, Mesa's Step advances the model, and Mesa's
Reset rebuilds it from the inputs (another scenario), which passes a Mesa scenario
object into GeoModel's `scenario=`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_recorder import Recorder
from playwright.sync_api import expect

from game.web.server import free_port, stop

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mesa_server():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "game.web.mesa_viz", "--port", str(port)], cwd=ROOT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            raise RuntimeError(proc.stdout.read())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.3)
    yield f"http://127.0.0.1:{port}"
    log = stop(proc)
    assert "Mesa SolaraViz on http://127.0.0.1:" in log and "Traceback" not in log, log


def test_solaraviz_renders_offline_steps_and_resets(browser, mesa_server, tmp_path):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    ctx.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)  # a step of the default world on a busy 2-core machine
    try:
        _drive(ctx.new_page(), mesa_server, tmp_path)
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the other modules
        ctx.close()


def _drive(page, mesa_server, tmp_path):
    rec = Recorder(mesa_server)
    rec.attach(page)
    page.goto(mesa_server + "/")

    expect(page.get_by_text("Time: 0.0")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("highfence on Mesa SolaraViz")).to_be_visible()
    expect(page.locator(".hf-mesa-map svg")).to_contain_text("USA")
    expect(page.locator(".hf-mesa-map")).to_contain_text("round 0")
    assert page.locator("img").count() >= 2  # the two matplotlib plots
    for k in (1, 2):
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_text(f"Time: {k}.0")).to_be_visible()
    expect(page.locator(".hf-mesa-map")).to_contain_text("round 2")
    page.screenshot(path=str(tmp_path / "stepped.png"))

    # Another scenario in Mesa's input, then Mesa's Reset: a new GeoModel from a GeoScenario.
    page.get_by_label("Scenario").click(force=True)
    page.get_by_role("option", name="tiny", exact=True).click()
    page.get_by_role("button", name="Reset").click()
    expect(page.get_by_text("Time: 0.0")).to_be_visible()
    expect(page.locator(".hf-mesa-map svg")).to_contain_text("ALPHA")
    expect(page.locator(".hf-mesa-map")).to_contain_text("round 0")
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Time: 1.0")).to_be_visible()
    expect(page.locator(".hf-mesa-map")).to_contain_text("round 1")
    expect(page.get_by_text("error in")).to_have_count(0)  # Mesa shows a failed step or reset as "error in ..."
    page.screenshot(path=str(tmp_path / "reset.png"))

    rec.check()
