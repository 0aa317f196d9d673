"""The explore view's pieces without a browser: past rounds on the map, the picker's
scenarios from any folder, one colour per state, and the compare over seeds."""

from __future__ import annotations

import re

import numpy as np
from conftest import CONFIGS

from game.paths import CASES
from game.web import charts, compare_view, eventlog, network
from game.web.palette import STATE_COLOURS, state_colour, state_colours
from game.web.svg import neutral
from game.web.tab import Settings, Tab, picker_label, scenario_files


def test_picker_lists_every_shipped_scenario_and_case_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no configs/ here: found from the package
    monkeypatch.delenv("HIGHFENCE_SCENARIO", raising=False)
    labels = {picker_label(p) for p in scenario_files()}
    assert {"default", "tiny"} <= labels
    assert {f"{p.stem} (case)" for p in CASES.glob("*.yaml")} <= labels


def test_map_draws_any_past_round():
    tab = Tab(Settings(str(CONFIGS / "default.yaml")))
    for _ in range(3):
        tab.step()
    assert [f.round for f in tab.frames] == [0, 1, 2, 3]
    m = tab.model
    tools = m.world.sectors.names.index("chip_tools")
    for r in (0, 1, 3):
        svg = network.world_map(m, tools, tab.frame(r))
        assert f'aria-label="World network, chipmaking tools, round {r}"' in svg
        assert svg.count('class="hf-control"') == int(tab.frames[r].control[:, :, tools].sum())
    assert tab.frame(0).control.sum() == 0 < tab.frame(3).control.sum()
    # A frame is a copy: later rounds do not change it.
    before = tab.frame(1).control.copy()
    tab.step()
    assert np.array_equal(tab.frame(1).control, before)
    every = network.world_map(m, None, tab.frame(1))
    assert "all sectors, round 1" in every and f"{int(tab.frames[1].control.sum())} export controls" in every


def test_one_colour_per_state_on_map_charts_and_log():
    tab = Tab(Settings(str(CONFIGS / "default.yaml")))
    tab.step()
    m = tab.model
    names = m.world.states.names
    svg = network.world_map(m, 0)
    for i, name in enumerate(names):
        assert re.search(rf'data-state="{name}" data-colour="{state_colour(i)}"', svg)
    welfare = dict(charts.run_charts(m, 0))["welfare"]
    strokes = re.findall(r'<polyline [^>]*stroke="(#[0-9A-Fa-f]{6})"', welfare)
    assert strokes == [state_colour(i) for i in range(len(names))]
    log = eventlog.event_log(m.datacollector.events, 1, colours=state_colours(names))
    for actor, style in re.findall(r'data-actor="(\w+)"><span class="hf-dot" style="background:(#\w+)"', log):
        assert style == state_colour(names.index(actor))
    # Blocs in the charts are never a state's colour nor a solid line.
    for k in range(6):
        colour, dash = neutral(k)
        assert colour not in STATE_COLOURS and dash


def test_compare_over_seeds_gives_intervals_progress_and_stops():
    tab = Tab(Settings(str(CONFIGS / "tiny.yaml")))
    seen = []
    result = compare_view.run_seeds(tab.scenario, 0, 3, progress=lambda done, k: seen.append((done, k)))
    assert seen == [(1, 3), (2, 3), (3, 3)] and len(result.seeds) == 3
    table = compare_view.seeds_table(result, "unilateral", "coordinated")
    assert "Over 3 seeds" in table and "(paired)" in table
    cells = re.findall(r"([-\d.]+) <span class=\"hf-ci\">\[([-\d.]+), ([-\d.]+)\]", table)
    assert cells and all(float(lo) <= float(m) <= float(hi) for m, lo, hi in cells)
    bands = "".join(svg for _, svg in compare_view.seeds_charts(result, "unilateral", "coordinated"))
    assert bands.count('class="hf-band"') == 8
    assert compare_view.run_seeds(tab.scenario, 0, 3, cancelled=lambda: True) is None
    # The seeds play on the local pool; in this process, one after another, the numbers are the same.
    alone = compare_view.run_seeds(tab.scenario, 0, 3, executor="serial")
    assert [(r.variant, r.seed, r.finals) for r in alone.runs] == [(r.variant, r.seed, r.finals) for r in result.runs]
    stopped = []
    assert compare_view.run_seeds(tab.scenario, 0, 6, progress=lambda done, k: stopped.append(done),
                                  cancelled=lambda: len(stopped) >= 1) is None
    assert stopped == [1]  # stops at the first finished seed; the rest are dropped
