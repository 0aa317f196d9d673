"""The Solara page: controls, the world map, charts by round, the event log and
the compare view.

Every browser tab renders its own `Page`, and `Page` keeps its own Tab
(`solara.use_memo`), so two tabs never share or disturb a model. Serve it with
`highfence serve`, which keeps every asset local (game.web.server).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import solara

from game.experiment import VARIANTS
from game.web import charts, compare_view, eventlog, network
from game.web.svg import esc
from game.web.tab import Settings, Tab, default_scenario, scenario_files

PLAY_INTERVAL = 0.6  # seconds between rounds while playing
CHART_WIDTH = 440

CSS = """
.hf-page { padding: 12px 16px; font-size: 14px; color: #222; }
.hf-header { display: flex; align-items: baseline; gap: 18px; flex-wrap: wrap; margin-bottom: 8px; }
.hf-title { font-size: 22px; font-weight: 700; }
.hf-desc { color: #555; max-width: 900px; }
.hf-round { font-size: 20px; font-weight: 600; padding: 2px 12px; border-radius: 6px; background: #eef3fa; }
.hf-controls { width: 290px; min-width: 290px; }
.hf-controls .v-input { margin-top: 4px; }
.hf-slider-label { font-size: 12px; color: #666; margin-top: 6px; }
.hf-note { color: #8a5a00; font-size: 12px; }
.hf-error { color: #b00020; font-weight: 600; white-space: pre-wrap; }
.hf-grid { display: grid; grid-template-columns: repeat(auto-fill, 456px); gap: 10px; }
.hf-panel { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 6px; }
.hf-top { display: flex; gap: 12px; flex-wrap: wrap; align-items: flex-start; margin-bottom: 10px; }
.hf-view-log { flex: 1; min-width: 340px; max-width: 720px; }
.hf-log { max-height: 460px; overflow-y: auto; }
.hf-log-head { font-weight: 600; margin-bottom: 6px; }
.hf-log ul { list-style: none; padding-left: 0; margin: 0; }
.hf-log li { padding: 3px 0; border-bottom: 1px solid #f0f0f0; line-height: 1.35; }
.hf-tag { display: inline-block; min-width: 64px; text-align: center; color: #fff; font-size: 11px;
          border-radius: 3px; padding: 0 4px; margin-right: 4px; }
.hf-quiet { color: #777; font-style: italic; }
.hf-compare-table { border-collapse: collapse; margin: 6px 0 10px 0; }
.hf-compare-table th, .hf-compare-table td { padding: 3px 10px; border-bottom: 1px solid #e6e6e6; text-align: right; }
.hf-compare-table td:first-child, .hf-compare-table th:first-child { text-align: left; }
.hf-diff { font-weight: 600; }
"""


def _default_sector(session: Tab) -> str:
    m = session.model
    if m is None:
        return ""
    if m.spec.compare:
        return m.spec.compare.sectors[0]
    sec = m.world.sectors
    dual = [n for n, d in zip(sec.names, sec.dual_use) if d]
    return (dual or sec.names)[0]


def _override(value, default):
    """None when a control is back at the scenario's own value, so Reset has nothing to change."""
    return None if value == default else value


@solara.component
def Svg(svg: str, name: str = ""):
    """An inline SVG (or HTML) block in a panel; `name` gives it the class hf-view-<name>."""
    return solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["hf-panel", f"hf-view-{name}"] if name else ["hf-panel"])


@solara.component
def Slider(label: str, value: float, lo: float, hi: float, step: float, on_value):
    """A slider with its label above it (Solara's own puts the label beside a narrow slider)."""
    with solara.Column(gap="0px"):
        solara.HTML(tag="div", unsafe_innerHTML=label, classes=["hf-slider-label"])
        solara.SliderFloat("", value=value, min=lo, max=hi, step=step, on_value=on_value)


@solara.component
def Controls(session: Tab, draft: Settings, set_draft, rebuild, step, playing: bool, set_playing,
             sector: str, set_sector, routine: bool, set_routine, tick: int):
    """Scenario, Reset / Step / Play, the sector shown, and the parameters applied on Reset."""
    files = scenario_files()
    labels = {p.stem: str(p) for p in files}
    current = Path(session.settings.scenario).stem

    def pick_scenario(stem: str):
        if labels.get(stem) and labels[stem] != session.settings.scenario:
            rebuild(session.settings.with_scenario(labels[stem]))

    spec = session.scenario
    params = spec.params if spec else None
    with solara.Column(classes=["hf-controls"], gap="4px"):
        solara.Select("Scenario", values=list(labels), value=current, on_value=pick_scenario, classes=["hf-scenario"])
        with solara.Row(gap="6px"):
            solara.Button("Reset", on_click=lambda: rebuild(draft), classes=["hf-reset"], outlined=True)
            solara.Button("Step", on_click=step, disabled=session.done or playing, color="primary", classes=["hf-step"])
            solara.Button("Pause" if playing else "Play", on_click=lambda: set_playing(not playing),
                          disabled=session.done and not playing, color="primary", outlined=True, classes=["hf-play"])
        if session.model is not None:
            names = session.model.world.sectors.names
            labels_s = dict(zip(session.model.world.sectors.labels, names))
            by_name = dict(zip(names, session.model.world.sectors.labels))
            solara.Select("Sector shown", values=list(labels_s), value=by_name.get(sector, by_name[names[0]]),
                          on_value=lambda lab: set_sector(labels_s[lab]), classes=["hf-sector"])
        solara.Checkbox(label="show subsidies and refused orders", value=routine, on_value=set_routine)

        solara.HTML(tag="div", unsafe_innerHTML="<b>Parameters</b> (applied on Reset)", style="margin-top:8px")
        solara.InputInt("Seed", value=draft.seed, on_value=lambda v: set_draft(replace(draft, seed=v or 0)),
                        classes=["hf-seed"])
        solara.InputInt("Rounds", value=draft.rounds or (spec.rounds if spec else 20),
                        on_value=lambda v: set_draft(replace(draft, rounds=_override(
                            max(1, min(v or 1, 200)), spec.rounds if spec else None))),
                        classes=["hf-rounds"])
        if spec is not None and spec.compare is not None:
            Slider("Enforcement of the compared controls",
                   draft.enforcement if draft.enforcement is not None else spec.compare.enforcement,
                   0.0, 1.0, 0.05, lambda v: set_draft(replace(draft, enforcement=_override(v, spec.compare.enforcement))))
        if params is not None:
            Slider("Leakage through third countries",
                   draft.leakage if draft.leakage is not None else params.third_country_leakage,
                   0.0, 1.0, 0.05, lambda v: set_draft(replace(draft, leakage=_override(v, params.third_country_leakage))))
            Slider("Diversification speed after an embargo",
                   draft.diversification if draft.diversification is not None else params.diversification_speed,
                   0.0, 0.5, 0.01, lambda v: set_draft(replace(draft, diversification=_override(
                       v, params.diversification_speed))))
        if draft != session.settings:
            solara.HTML(tag="div", unsafe_innerHTML="Changed: press Reset to rebuild the run with these.",
                        classes=["hf-note"])


@solara.component
def RunView(session: Tab, sector_i: int, routine: bool, tick: int):
    """The map, the event log and the charts; `tick` changes whenever the run does."""
    m = session.model
    with solara.Div(classes=["hf-top"]):
        Svg(network.world_map(m, sector_i, uid="run"), name="map")
        Svg(eventlog.event_log(m.datacollector.events, m.steps, routine=routine), name="log")
    with solara.Div(classes=["hf-grid", "hf-charts"]):
        for key, svg in charts.run_charts(m, sector_i, width=CHART_WIDTH):
            Svg(svg, name=f"chart-{key}")


@solara.component
def CompareView(session: Tab, pick_variants, tick: int):
    """Variants A and B of the compare experiment, stepping with the run."""
    if session.pair is None:
        solara.HTML(tag="div", unsafe_innerHTML="This scenario has no <code>compare:</code> section to compare.",
                    classes=["hf-quiet"])
        return
    a, b = session.pair
    secs = a.world.sectors.names
    sector_i = secs.index(a.spec.compare.sectors[0])
    with solara.Div(classes=["hf-compare"]):
        solara.HTML(tag="div", unsafe_innerHTML=esc(compare_view.describe(a)), classes=["hf-desc"])
        with solara.Row(gap="12px", style="align-items:center; max-width:560px"):
            solara.Select("Variant A", values=list(VARIANTS), value=session.settings.variant_a,
                          on_value=lambda v: pick_variants(v, session.settings.variant_b), classes=["hf-variant-a"])
            solara.Select("Variant B", values=list(VARIANTS), value=session.settings.variant_b,
                          on_value=lambda v: pick_variants(session.settings.variant_a, v), classes=["hf-variant-b"])
        Svg(compare_view.compare_table(a, b), name="compare-table")
        with solara.Div(classes=["hf-top"]):
            for tag, mod in (("a", a), ("b", b)):
                Svg(network.world_map(mod, sector_i, width=480, height=430, uid=f"cmp{tag}",
                                      prefix=mod.treatment.variant), name=f"compare-map-{tag}")
        with solara.Div(classes=["hf-grid", "hf-compare-charts"]):
            for key, svg in compare_view.compare_charts(a, b, width=CHART_WIDTH):
                Svg(svg, name=f"compare-{key}")


@solara.component
def Page():
    session: Tab = solara.use_memo(lambda: Tab(Settings(default_scenario())), [])
    ticks = solara.use_memo(lambda: itertools.count(1), [])
    version, set_version = solara.use_state(0)
    draft, set_draft = solara.use_state(session.settings)
    sector, set_sector = solara.use_state(_default_sector(session))
    view, set_view = solara.use_state("Run")
    playing, set_playing = solara.use_state(False)
    routine, set_routine = solara.use_state(False)

    def refresh():
        set_version(next(ticks))

    def step():
        session.step()
        refresh()

    def rebuild(settings: Settings):
        set_playing(False)
        session.build(settings)
        set_draft(session.settings)
        if session.model is not None and sector not in session.model.world.sectors.names:
            set_sector(_default_sector(session))
        refresh()

    def pick_variants(va: str, vb: str):
        """New variants replay to the current round, so the run itself is kept."""
        with session.lock:
            at = session.round
            session.build(replace(session.settings, variant_a=va, variant_b=vb))
            while session.round < at and session.step():
                pass
        set_draft(replace(draft, variant_a=va, variant_b=vb))
        refresh()

    def play(cancel):
        if not playing:
            return
        while not cancel.is_set():
            if not session.step():
                set_playing(False)
                return
            refresh()
            cancel.wait(PLAY_INTERVAL)

    solara.use_thread(play, dependencies=[playing], intrusive_cancel=False)

    solara.Title("highfence")
    solara.Style(CSS)
    with solara.Column(classes=["hf-page"], gap="6px"):
        with solara.Div(classes=["hf-header"]):
            solara.HTML(tag="span", unsafe_innerHTML="highfence", classes=["hf-title"])
            if session.model is not None:
                solara.HTML(tag="span", classes=["hf-round"],
                            unsafe_innerHTML=f"Round <b>{session.round}</b> of {session.last_round}"
                            + (" (finished)" if session.done else ""))
                solara.HTML(tag="span", classes=["hf-desc"],
                            unsafe_innerHTML=esc(f"{session.scenario.name}: {session.scenario.description}"))
        if session.error:
            solara.HTML(tag="div", unsafe_innerHTML=esc(session.error), classes=["hf-error"])
        with solara.Row(gap="16px", style="align-items:flex-start; flex-wrap:nowrap"):
            Controls(session, draft, set_draft, rebuild, step, playing, set_playing, sector, set_sector,
                     routine, set_routine, version)
            if session.model is not None:
                with solara.Column(gap="6px", style="flex:1; min-width:0"):
                    solara.ToggleButtonsSingle(value=view, values=["Run", "Compare"], on_value=set_view,
                                               classes=["hf-views"])
                    with session.lock:
                        if view == "Run":
                            names = session.model.world.sectors.names
                            RunView(session, names.index(sector) if sector in names else 0, routine, version)
                        else:
                            CompareView(session, pick_variants, version)
