"""The browser view in a real browser: Debian's chromium driven by Playwright.

The server runs as `highfence serve` in a subprocess on a free local port.
Every request, failed request and console message of every page is recorded;
a test fails on any request to another host, any failed request or any
console error. Screenshots of each view are kept under the test's tmp dir.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import check_server_log
from playwright.sync_api import Page, expect

from game.web.server import free_port, spawn, stop

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]

TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = spawn(port, "configs/default.yaml", cwd=ROOT)
    yield f"http://127.0.0.1:{port}"
    check_server_log(stop(proc), port)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


class Recorder:
    """Every request, failure and console error of the pages of one browser context."""

    def __init__(self, origin: str):
        self.origin = urlsplit(origin).netloc
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []

    def attach(self, page: Page) -> Page:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on("websocket", lambda ws: self.requests.append(ws.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page

    def check(self) -> None:
        foreign = [u for u in self.requests
                   if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != self.origin]
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.errors, f"console errors: {self.errors}"
        assert self.requests, "no request was recorded"


@pytest.fixture
def open_page(browser, server):
    """Open pages in a fresh browser context; check every request when the test ends."""
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    ctx.set_default_timeout(TIMEOUT_MS)
    rec = Recorder(server)

    def open_() -> Page:
        page = rec.attach(ctx.new_page())
        page.goto(server + "/")
        expect(page.locator(".hf-round")).to_contain_text("Round 0 of", timeout=60_000)
        expect(page.locator(".hf-view-map svg")).to_be_visible()
        return page

    yield open_
    try:
        rec.check()
    finally:
        ctx.close()


def round_is(page: Page, r: int) -> None:
    expect(page.locator(".hf-round")).to_contain_text(f"Round {r} of")


def current_round(page: Page) -> int:
    return int(page.locator(".hf-round b").inner_text())


def step(page: Page, times: int = 1) -> None:
    for _ in range(times):
        r = current_round(page)
        page.locator(".hf-step").click()
        round_is(page, r + 1)


def pick(page: Page, select: str, option: str) -> None:
    """Choose `option` in the Vuetify select with class `select`."""
    page.locator(f"{select}").click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()


def test_page_loads_and_steps(open_page, shots):
    page = open_page()
    charts = page.locator(".hf-charts")
    expect(charts.locator("svg.hf-chart")).to_have_count(7)
    before = charts.inner_html()
    expect(page.locator(".hf-view-map .hf-state")).to_have_count(8)
    step(page, 3)
    round_is(page, 3)
    expect(page.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, chipmaking tools, round 3")
    expect(page.locator(".hf-view-log")).to_contain_text("Round 3:")
    assert charts.inner_html() != before, "the charts did not change after three rounds"
    # Every chart now draws lines, not just the starting points.
    assert charts.locator("polyline").count() >= 7
    assert page.locator(".hf-view-map .hf-control").count() > 0, "the default run has controls by round 3"
    page.mouse.move(0, 0)  # no hover or focus highlight in the screenshots
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.set_viewport_size({"width": 1500, "height": 1720})  # the app scrolls inside: show it all
    page.wait_for_timeout(300)
    page.screenshot(path=shots / "page.png")
    page.set_viewport_size({"width": 1500, "height": 1100})
    page.locator(".hf-view-map").screenshot(path=shots / "map.png")
    page.locator(".hf-view-log").screenshot(path=shots / "events.png")
    charts.screenshot(path=shots / "charts.png")
    if os.environ.get("HIGHFENCE_README_SHOT"):  # refresh docs/screenshot.png on request
        shutil.copy(shots / "page.png", ROOT / "docs" / "screenshot.png")


def test_play_then_pause_advances(open_page):
    page = open_page()
    page.locator(".hf-play").click()
    expect(page.locator(".hf-play")).to_contain_text("Pause")
    page.wait_for_function("Number(document.querySelector('.hf-round b').innerText) >= 2", timeout=TIMEOUT_MS)
    page.locator(".hf-play").click()
    expect(page.locator(".hf-play")).to_contain_text("Play")
    paused_at = current_round(page)
    assert paused_at >= 2
    page.wait_for_timeout(1500)  # more than two play intervals
    assert current_round(page) == paused_at, "the run kept playing after Pause"
    step(page)  # Step works again after a pause
    round_is(page, paused_at + 1)


def test_scenario_switch_and_reset_rebuild(open_page):
    page = open_page()
    step(page, 2)
    pick(page, ".hf-scenario", "tiny")
    round_is(page, 0)
    expect(page.locator(".hf-round")).to_contain_text("of 10")
    expect(page.locator(".hf-view-map .hf-state")).to_have_count(3)
    step(page, 2)
    welfare = page.locator(".hf-view-chart-welfare").inner_html()
    # A new seed applies on Reset, and Reset goes back to round 0.
    seed = page.locator(".hf-seed input")
    seed.fill("7")
    seed.press("Enter")
    expect(page.locator(".hf-note")).to_be_visible()
    page.locator(".hf-reset").click()
    round_is(page, 0)
    expect(page.locator(".hf-note")).to_have_count(0)
    expect(page.locator(".hf-view-map .hf-state")).to_have_count(3)
    step(page, 2)
    assert page.locator(".hf-view-chart-welfare").inner_html() != welfare, "seed 7 replayed seed 0"
    pick(page, ".hf-scenario", "default")
    round_is(page, 0)
    expect(page.locator(".hf-view-map .hf-state")).to_have_count(8)


def test_compare_view_steps_both(open_page, shots):
    page = open_page()
    page.locator(".hf-views button", has_text="Compare").click()
    table = page.locator(".hf-compare-table")
    expect(table).to_contain_text("round 0")
    expect(table).to_contain_text("unilateral")
    expect(table).to_contain_text("coordinated")
    step(page, 4)
    expect(table).to_contain_text("round 4")
    for tag in ("a", "b"):
        expect(page.locator(f".hf-view-compare-map-{tag} svg")).to_have_attribute(
            "aria-label", "World network, chipmaking tools, round 4")
    # Coordinated controls have partners by round 4; unilateral ones do not.
    assert page.locator(".hf-view-compare-map-a .hf-coalition").count() == 0
    assert page.locator(".hf-view-compare-map-b .hf-coalition").count() > 0
    expect(page.locator(".hf-compare-charts svg.hf-chart")).to_have_count(6)
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.set_viewport_size({"width": 1500, "height": 1500})
    page.wait_for_timeout(300)
    page.screenshot(path=shots / "compare.png")
    # Back on the run view, the run is at the same round.
    page.locator(".hf-views button", has_text="Run").click()
    expect(page.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, chipmaking tools, round 4")


def test_two_tabs_stay_independent(open_page):
    first = open_page()
    second = open_page()  # same browser context: same session cookie, still its own model
    step(first, 3)
    round_is(first, 3)
    round_is(second, 0)
    step(second)
    round_is(second, 1)
    first.bring_to_front()
    round_is(first, 3)
    step(first)
    round_is(first, 4)
    round_is(second, 1)


def test_serve_command_line(tmp_path):
    from game.cli import build_parser, main

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.scenario) == ("127.0.0.1", 8765, None)
    assert main(["serve", str(tmp_path / "missing.yaml")]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nstates: {}\n")
    assert main(["serve", str(bad)]) == 2
