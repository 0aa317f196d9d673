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

import pytest
from browser_recorder import Recorder
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
    # The round slider moves both maps to a past round (before the control), and back.
    slider_to(page, ".hf-round-slider", "Home")
    for tag in ("a", "b"):
        expect(page.locator(f".hf-view-compare-map-{tag} svg")).to_have_attribute(
            "aria-label", "World network, chipmaking tools, round 0")
    expect(page.locator(".hf-view-compare-map-b .hf-coalition")).to_have_count(0)
    slider_to(page, ".hf-round-slider", "End")
    expect(page.locator(".hf-view-compare-map-b svg")).to_have_attribute(
        "aria-label", "World network, chipmaking tools, round 4")
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


# -- issue 12: the explore view readable at a glance, at a laptop's and a projector's size ----------------

SIZES = [pytest.param((1280, 720), id="1280x720"), pytest.param((1920, 1080), id="1920x1080")]


@pytest.fixture
def sized_page(browser, server, request):
    """The page in a fresh context at the test's window size; every request checked at the end."""
    width, height = request.param
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.set_default_timeout(TIMEOUT_MS)
    rec = Recorder(server)
    page = rec.attach(ctx.new_page())
    page.goto(server + "/")
    expect(page.locator(".hf-round")).to_contain_text("Round 0 of", timeout=60_000)
    expect(page.locator(".hf-view-map svg")).to_be_visible()
    yield page
    try:
        rec.check()
    finally:
        ctx.close()


def slider_to(page: Page, slider: str, *keys: str) -> None:
    """Move a Vuetify slider inside `slider` with the keyboard, as a user can."""
    thumb = page.locator(f"{slider} [role=slider]")
    thumb.focus()
    for key in keys:
        thumb.press(key)


def fits_width(page: Page) -> None:
    """Nothing sticks out sideways: no horizontal scrolling at this window size."""
    over = page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
                         " - window.innerWidth")
    assert over <= 1, f"the page is {over}px wider than the window"


@pytest.mark.parametrize("sized_page", SIZES, indirect=True)
def test_explore_sliders_rounds_sectors_palette(sized_page, shots, request):
    from game.web.palette import state_colour
    from game.web.tab import Settings, Tab, default_scenario

    page = sized_page
    size = request.node.callspec.id
    expected = Tab(Settings(default_scenario()))  # the same run, in this process, for what the map must show
    for _ in range(3):
        expected.step()
    names = expected.model.world.states.names

    # Sliders show their values, and the value follows the slider.
    leak = expected.scenario.params.third_country_leakage
    value = page.locator(".hf-slider-leakage .hf-slider-value")
    expect(value).to_have_text(f"{leak:.2f}")
    slider_to(page, ".hf-slider-leakage", "ArrowRight")
    expect(value).to_have_text(f"{leak + 0.05:.2f}")
    expect(page.locator(".hf-note")).to_be_visible()
    expect(page.locator(".hf-slider-enforcement .hf-slider-value")).to_have_text(
        f"{expected.scenario.compare.enforcement:.2f}")

    # Play speed.
    page.locator(".hf-speed button", has_text="fast").click()
    expect(page.locator(".hf-speed-value")).to_contain_text("0.15 s")

    # One state, one colour: the map's fills and the event log's dots are the palette's, by state index.
    for i, name in enumerate(names):
        expect(page.locator(f'.hf-view-map .hf-state[data-state="{name}"] circle').last).to_have_attribute(
            "fill", state_colour(i))
    step(page, 3)
    welfare_lines = page.locator(".hf-view-chart-welfare polyline")
    expect(welfare_lines.first).to_have_attribute("stroke", state_colour(0))

    # The round slider shows a past round's map and event log; the run goes on underneath.
    tools = expected.model.world.sectors.names.index("chip_tools")
    slider_to(page, ".hf-round-slider", "Home")
    expect(page.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, chipmaking tools, round 0")
    expect(page.locator(".hf-view-map .hf-control")).to_have_count(int(expected.frames[0].control[:, :, tools].sum()))
    slider_to(page, ".hf-round-slider", "ArrowRight")
    expect(page.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, chipmaking tools, round 1")
    expect(page.locator(".hf-view-map .hf-control")).to_have_count(int(expected.frames[1].control[:, :, tools].sum()))
    expect(page.locator(".hf-view-log .hf-log-head")).to_contain_text("Round 1:")
    expect(page.locator(".hf-view-log .hf-log-head")).to_contain_text("a past round")
    r1 = [e.text for e in expected.model.datacollector.events if e.round == 1 and e.kind not in ("subsidy", "refused")]
    expect(page.locator(".hf-view-log .hf-event")).to_have_count(len(r1))
    expect(page.locator(".hf-view-log")).to_contain_text(r1[0])
    dots = page.locator(".hf-view-log .hf-event")
    for k in range(dots.count()):
        actor = dots.nth(k).get_attribute("data-actor")
        if actor in names:
            style = dots.nth(k).locator(".hf-dot").get_attribute("style")
            assert state_colour(names.index(actor)).lower() in style.lower()
    expect(page.locator(".hf-view-chart-welfare .hf-mark")).to_have_count(1)
    page.locator(".hf-step").click()
    round_is(page, 4)
    expect(page.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, chipmaking tools, round 1")

    # All sectors at once: every control in force that round.
    pick(page, ".hf-sector", "All sectors")
    expect(page.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, all sectors, round 1")
    expect(page.locator(".hf-view-map svg")).to_contain_text(
        f"{int(expected.frames[1].control.sum())} export controls")
    slider_to(page, ".hf-round-slider", "End")
    expect(page.locator(".hf-view-map svg")).to_have_attribute("aria-label", "World network, all sectors, round 4")
    expect(page.locator(".hf-view-log .hf-log-head")).not_to_contain_text("a past round")
    fits_width(page)
    page.mouse.move(0, 0)
    page.screenshot(path=shots / f"explore-{size}.png")


@pytest.mark.parametrize("sized_page", SIZES, indirect=True)
def test_picker_offers_every_shipped_scenario_and_case(sized_page):
    from game.paths import CASES, CONFIGS
    from game.scenario import load_scenario

    page = sized_page
    page.locator(".hf-scenario").click()
    options = page.locator(".menuable__content__active .v-list-item")
    expect(options.first).to_be_visible()
    shown = set(options.all_inner_texts())
    wanted = {p.stem for p in CONFIGS.glob("*.yaml")} | {f"{p.stem} (case)" for p in CASES.glob("*.yaml")}
    assert wanted <= {t.strip() for t in shown}, f"missing from the picker: {wanted - shown}"
    page.keyboard.press("Escape")
    pick(page, ".hf-scenario", "chips_2022 (case)")
    case = load_scenario(CASES / "chips_2022.yaml")
    expect(page.locator(".hf-round")).to_contain_text(f"Round 0 of {case.rounds}")
    expect(page.locator(".hf-view-map .hf-state")).to_have_count(len(case.states))
    step(page, 2)
    expect(page.locator(".hf-view-log .hf-log-head")).to_contain_text("Round 2:")
    fits_width(page)


@pytest.mark.parametrize("sized_page", SIZES, indirect=True)
def test_compare_over_seeds_shows_intervals(sized_page, shots, request):
    page = sized_page
    page.locator(".hf-views button", has_text="Compare").click()
    expect(page.locator(".hf-compare-table").first).to_contain_text("round 0")
    seeds = page.locator(".hf-seeds-k input")
    seeds.fill("3")
    seeds.press("Enter")
    page.locator(".hf-seeds-run").click()
    expect(page.locator(".hf-seeds-status")).to_contain_text("of 3")  # progress while it plays
    expect(page.locator(".hf-step")).to_be_enabled()
    step(page)  # the page still answers while the seeds play
    table = page.locator(".hf-seeds-table")
    expect(table).to_contain_text("Over 3 seeds", timeout=120_000)
    expect(page.locator(".hf-seeds-status")).to_have_count(0)
    # Every arm's target access has a mean inside a 95% interval; coordination's is a real interval.
    row = table.locator("tr", has_text="Target access")
    cells = row.locator("td").all_inner_texts()
    header = table.locator("th").all_inner_texts()
    coordinated = cells[header.index("coordinated")]
    mean, lo, hi = (float(x) for x in coordinated.replace("[", " ").replace("]", " ").replace(",", " ").split())
    assert lo <= mean <= hi and lo < hi, coordinated
    assert "(paired)" in header[-1]
    expect(page.locator(".hf-seeds-charts svg.hf-chart")).to_have_count(4)
    expect(page.locator(".hf-seeds-charts .hf-band")).to_have_count(8)  # two variants x four charts
    fits_width(page)
    page.mouse.move(0, 0)
    page.screenshot(path=shots / f"compare-seeds-{request.node.callspec.id}.png", full_page=True)
