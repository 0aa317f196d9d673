"""The Solara page: controls, the world map, charts by round, the event log and
the compare view.

Every browser tab renders its own `Page`, and `Page` keeps its own Tab
(`solara.use_memo`), so two tabs never share or disturb a model. A round slider
shows any round played so far on the map and in the event log, and on both
maps of the compare tab, which steps two variants with the run and plays the experiment over a few seeds for
95% intervals in a background thread. Serve it with `highfence serve`, which
keeps every asset local (game.web.server).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import solara

from game.experiment import VARIANTS
from game.web import charts, compare_view, eventlog, network
from game.web.palette import state_colours
from game.web.svg import esc
from game.web.tab import Settings, Tab, default_scenario, picker_label, scenario_files

# Play speed: seconds between rounds while playing.
SPEEDS = {"slow": 1.5, "normal": 0.6, "fast": 0.15}
CHART_WIDTH = 440
ALL_SECTORS = "All sectors"  # the sector picker's entry for the all-sectors map
SEEDS_DEFAULT, SEEDS_MAX = 4, 30  # few by default: a seed plays all four arms (about 1-3 s)

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
.hf-log { max-height: max(460px, 62vh); overflow-y: auto; }
/* The run's map grows with the window (its SVG scales by its viewBox): 560 px on a laptop,
   up to 860 px on a 1920 px projector, the event log beside it. */
.hf-run-map { flex: 1 1 560px; min-width: 560px; max-width: 860px; }
.hf-run-map svg { width: 100%; height: auto; display: block; }
.hf-log-head { font-weight: 600; margin-bottom: 6px; }
.hf-log ul { list-style: none; padding-left: 0; margin: 0; }
.hf-log li { padding: 3px 0; border-bottom: 1px solid #f0f0f0; line-height: 1.35; }
.hf-tag { display: inline-block; min-width: 64px; text-align: center; color: #fff; font-size: 11px;
          border-radius: 3px; padding: 0 4px; margin-right: 4px; }
.hf-quiet { color: #777; font-style: italic; }
.hf-compare-table { border-collapse: collapse; margin: 6px 0 10px 0; }
.hf-compare-table th, .hf-compare-table td { padding: 3px 10px; border-bottom: 1px solid #e6e6e6; text-align: right; }
.hf-compare-table td:first-child, .hf-compare-table th:first-child { text-align: left; }
.hf-compare-table caption { text-align: left; color: #555; padding-bottom: 4px; }
.hf-diff { font-weight: 600; }
.hf-ci { color: #666; font-weight: 400; font-size: 12px; white-space: nowrap; }
.hf-seeds-k { max-width: 110px !important; flex: 0 0 110px !important; }
.hf-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 5px;
          border: 1px solid #333; vertical-align: baseline; }
.hf-dot-none { background: transparent; border-color: #bbb; }
.hf-round-slider { max-width: 860px; }
.hf-seeds { margin: 10px 0; padding: 8px; border: 1px solid #e2e2e2; border-radius: 6px; background: #fafafa; }
.hf-seeds-status { color: #555; }
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


def slider_text(label: str, value: float, step: float) -> str:
    """A slider's label with its value, to the slider's precision."""
    places = max(0, -int(f"{step:e}".split("e")[1]))
    return f"{label}: <b class='hf-slider-value'>{value:.{places}f}</b>"


@solara.component
def Slider(label: str, value: float, lo: float, hi: float, step: float, on_value, name: str = ""):
    """A slider with its label and current value above it, its ends below
    (Solara's own shows the value only while dragging)."""
    with solara.Column(gap="0px", classes=["hf-slider"] + ([f"hf-slider-{name}"] if name else [])):
        solara.HTML(tag="div", unsafe_innerHTML=slider_text(label, value, step), classes=["hf-slider-label"])
        solara.SliderFloat("", value=value, min=lo, max=hi, step=step, on_value=on_value, tick_labels="end_points")


@solara.component
def Controls(session: Tab, draft: Settings, set_draft, rebuild, step, playing: bool, set_playing,
             speed: str, set_speed, sector: str, set_sector, routine: bool, set_routine, tick: int):
    """Scenario, Reset / Step / Play and its speed, the sector shown, and the parameters applied on Reset."""
    files = scenario_files()
    labels = {picker_label(p): str(p) for p in files}
    current = next((lab for lab, path in labels.items() if path == session.settings.scenario),
                   Path(session.settings.scenario).stem)

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
        solara.HTML(tag="div", classes=["hf-slider-label"],
                    unsafe_innerHTML=f"Play speed: <b class='hf-speed-value'>a round every {SPEEDS[speed]:g} s</b>")
        solara.ToggleButtonsSingle(value=speed, values=list(SPEEDS), on_value=set_speed, classes=["hf-speed"])
        if session.model is not None:
            names = session.model.world.sectors.names
            labels_s = {ALL_SECTORS: ALL_SECTORS} | dict(zip(session.model.world.sectors.labels, names))
            by_name = {ALL_SECTORS: ALL_SECTORS} | dict(zip(names, session.model.world.sectors.labels))
            solara.Select("Sector on the map", values=list(labels_s), value=by_name.get(sector, by_name[names[0]]),
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
                   0.0, 1.0, 0.05, lambda v: set_draft(replace(draft, enforcement=_override(v, spec.compare.enforcement))),
                   name="enforcement")
        if params is not None:
            Slider("Leakage through third countries",
                   draft.leakage if draft.leakage is not None else params.third_country_leakage,
                   0.0, 1.0, 0.05, lambda v: set_draft(replace(draft, leakage=_override(v, params.third_country_leakage))),
                   name="leakage")
            Slider("Diversification speed after an embargo",
                   draft.diversification if draft.diversification is not None else params.diversification_speed,
                   0.0, 0.5, 0.01, lambda v: set_draft(replace(draft, diversification=_override(
                       v, params.diversification_speed))), name="diversification")
        if draft != session.settings:
            solara.HTML(tag="div", unsafe_innerHTML="Changed: press Reset to rebuild the run with these.",
                        classes=["hf-note"])


def shown_round(session: Tab, shown: int | None) -> int:
    """The round the views show: the slider's, or the newest while it follows the run."""
    latest = session.round
    return latest if shown is None or shown > latest else shown


def round_slider(session: Tab, shown: int | None, set_shown, what: str) -> None:
    """The round slider both views share; at the newest round it follows the run. A plain
    function rendered inside its view (not a component of its own, which would not re-render
    as the run steps: its arguments do not change)."""
    latest, r = session.round, shown_round(session, shown)

    def pick(v: int):
        set_shown(None if v >= session.round else int(v))

    with solara.Column(gap="0px", classes=["hf-round-slider"]):
        solara.HTML(tag="div", classes=["hf-slider-label"], unsafe_innerHTML=(
            f"Round shown {what}: <b class='hf-slider-value'>{r}</b> of {latest} played"
            + (" (following the run)" if r == latest else " (a past round)")))
        solara.SliderInt("", value=r, min=0, max=max(latest, 1), on_value=pick, disabled=latest == 0,
                         tick_labels="end_points")


@solara.component
def RunView(session: Tab, sector_i: int | None, routine: bool, shown: int | None, set_shown, tick: int):
    """The round slider, the map and event log of the round it shows, and the charts
    (marked at that round); `tick` changes whenever the run does."""
    m = session.model
    latest, r = session.round, shown_round(session, shown)
    round_slider(session, shown, set_shown, "on the map and in the log")
    frame = session.frame(r)
    with solara.Div(classes=["hf-top"]):
        solara.HTML(tag="div", unsafe_innerHTML=network.world_map(m, sector_i, frame, uid="run"),
                    classes=["hf-panel", "hf-view-map", "hf-run-map"])
        Svg(eventlog.event_log(m.datacollector.events, r, routine=routine,
                               colours=state_colours(m.world.states.names), latest=latest), name="log")
    chart_sector = sector_i if sector_i is not None else _sector_index(session, _default_sector(session))
    with solara.Div(classes=["hf-grid", "hf-charts"]):
        for key, svg in charts.run_charts(m, chart_sector, width=CHART_WIDTH, shown_round=None if r == latest else r):
            Svg(svg, name=f"chart-{key}")


def _sector_index(session: Tab, sector: str) -> int | None:
    """The sector's index in the run, None for all sectors."""
    names = session.model.world.sectors.names
    return None if sector == ALL_SECTORS else names.index(sector) if sector in names else 0


@solara.component
def SeedsPanel(session: Tab, seeds_job, set_seeds_job, progress: tuple[int, int], tick: int):
    """The experiment over a few seeds: mean and 95% interval of every arm, and bands by round."""
    k, set_k = solara.use_state(SEEDS_DEFAULT)
    running = seeds_job is not None
    va, vb = session.settings.variant_a, session.settings.variant_b
    with solara.Column(classes=["hf-seeds"], gap="4px"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            "<b>Over several seeds</b>: one seed is one draw of chance; play every arm over a few seeds "
            f"(spawned from seed {session.settings.seed}) to see 95% intervals."))
        with solara.Row(gap="8px", style="align-items:center"):
            solara.InputInt("Seeds", value=k, on_value=lambda v: set_k(max(2, min(v or 2, SEEDS_MAX))),
                            classes=["hf-seeds-k"], disabled=running)
            if running:
                solara.Button("Stop", on_click=lambda: set_seeds_job(None), classes=["hf-seeds-stop"], outlined=True)
            else:
                solara.Button(f"Run over {k} seeds", on_click=lambda: set_seeds_job((k, next(_JOBS))),
                              classes=["hf-seeds-run"], color="primary", outlined=True)
        if running:
            done, total = progress
            solara.ProgressLinear(value=100 * done / max(total, 1), classes=["hf-seeds-progress"])
            solara.HTML(tag="div", classes=["hf-seeds-status"],
                        unsafe_innerHTML=f"playing seed {min(done + 1, total)} of {total} (every arm)...")
        result = session.seed_runs
        if result is not None:
            Svg(compare_view.seeds_table(result, va, vb), name="seeds-table")
            with solara.Div(classes=["hf-grid", "hf-seeds-charts"]):
                for key, svg in compare_view.seeds_charts(result, va, vb, width=CHART_WIDTH):
                    Svg(svg, name=f"seeds-{key}")


_JOBS = itertools.count(1)


@solara.component
def CompareView(session: Tab, pick_variants, seeds_job, set_seeds_job, seeds_progress, shown: int | None,
                set_shown, tick: int):
    """Variants A and B of the compare experiment, stepping with the run (their maps at the
    round the slider shows), and the experiment over several seeds."""
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
        SeedsPanel(session, seeds_job, set_seeds_job, seeds_progress, tick)
        round_slider(session, shown, set_shown, "on both maps")
        r = shown_round(session, shown)
        with solara.Div(classes=["hf-top"]):
            for k, (tag, mod) in enumerate((("a", a), ("b", b))):
                Svg(network.world_map(mod, sector_i, session.frame(r, variant=k), width=480, height=430,
                                      uid=f"cmp{tag}", prefix=mod.treatment.variant), name=f"compare-map-{tag}")
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
    speed, set_speed = solara.use_state("normal")
    routine, set_routine = solara.use_state(False)
    shown, set_shown = solara.use_state(None)  # the round on the map and in the log; None: the latest
    seeds_job, set_seeds_job = solara.use_state(None)  # (seeds, job number) while a run over seeds is wanted
    seeds_progress, set_seeds_progress = solara.use_state((0, 0))

    def refresh():
        set_version(next(ticks))

    def step():
        session.step()
        refresh()

    def rebuild(settings: Settings):
        set_playing(False)
        set_seeds_job(None)  # a run over seeds of the old settings stops
        set_shown(None)
        session.build(settings)
        set_draft(session.settings)
        if session.model is not None and sector not in session.model.world.sectors.names:
            set_sector(_default_sector(session))
        refresh()

    def pick_variants(va: str, vb: str):
        """New variants replay to the current round, so the run itself is kept."""
        with session.lock:
            at, over_seeds_kept = session.round, session.seed_runs  # every arm is in it: still valid
            session.build(replace(session.settings, variant_a=va, variant_b=vb))
            while session.round < at and session.step():
                pass
            session.seed_runs = over_seeds_kept
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
            cancel.wait(SPEEDS[speed])

    solara.use_thread(play, dependencies=[playing, speed], intrusive_cancel=False)

    def over_seeds(cancel):
        """Every arm over the wanted seeds, off the page's thread; kept only if the settings held."""
        if seeds_job is None:
            return
        with session.lock:
            scenario, settings = session.scenario, session.settings
        set_seeds_progress((0, seeds_job[0]))
        result = compare_view.run_seeds(scenario, settings.seed, seeds_job[0], settings.rounds,
                                        progress=lambda done, k: set_seeds_progress((done, k)),
                                        cancelled=cancel.is_set)
        if result is not None and not cancel.is_set():
            with session.lock:
                if session.settings == settings:
                    session.seed_runs = result
            set_seeds_job(None)
            refresh()

    solara.use_thread(over_seeds, dependencies=[seeds_job], intrusive_cancel=False)

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
            Controls(session, draft, set_draft, rebuild, step, playing, set_playing, speed, set_speed,
                     sector, set_sector, routine, set_routine, version)
            if session.model is not None:
                with solara.Column(gap="6px", style="flex:1; min-width:0"):
                    solara.ToggleButtonsSingle(value=view, values=["Run", "Compare"], on_value=set_view,
                                               classes=["hf-views"])
                    with session.lock:
                        if view == "Run":
                            RunView(session, _sector_index(session, sector), routine, shown, set_shown, version)
                        else:
                            CompareView(session, pick_variants, seeds_job, set_seeds_job, seeds_progress, shown,
                                        set_shown, version)
