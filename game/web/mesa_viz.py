"""GeoModel in Mesa's own SolaraViz: Mesa's Step, Play/Pause and Reset controls, its model
parameter inputs, and plots drawn from `model.datacollector` (a real mesa.DataCollector).

    python -m game.web.mesa_viz [--port 8766]     # served offline, like `highfence serve`
    solara run game.web.mesa_viz                  # Solara's own runner (loads assets from a CDN)

Mesa's Reset rebuilds the model as `GeoModel(scenario=GeoScenario(config=...), seed=...)`
(game.model.GeoScenario); the `config` input (a shipped scenario) is carried across it.
Plots are matplotlib (Mesa's make_mpl_plot_component and one of our own), so nothing needs
altair's vega scripts from a CDN. Each browser tab builds its own model (solara.use_memo).
"""

from __future__ import annotations

import argparse
import os
import sys

APP = "game.web.mesa_viz:Page"
CHART_STATES = 8  # states drawn by name in the welfare chart; the rest are summed as "others"


def shipped_configs() -> list[str]:
    """The shipped scenarios and cases by name (what GeoScenario's `config` accepts)."""
    from game.paths import CASES, CONFIGS

    return [p.stem for p in sorted(CONFIGS.glob("*.yaml"))] + [p.stem for p in sorted(CASES.glob("*.yaml"))]


def model_params() -> dict:
    """SolaraViz's inputs: the scenario (a Mesa scenario parameter, carried across Reset)
    and the seed and variant (GeoModel's own arguments)."""
    return {
        "config": {"type": "Select", "value": "default", "values": shipped_configs(), "label": "Scenario"},
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed"},
    }


def WelfarePlot(model):
    """Each state's welfare change by round, in the palette's colours (states' own order)."""
    import solara
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
    from mesa.visualization.utils import update_counter

    from game.web.palette import state_colour

    update_counter.get()  # redraw after every step
    df = model.datacollector.get_agent_vars_dataframe()["welfare_change"].unstack("AgentID")
    names = model.world.states.names
    fig = Figure(figsize=(6, 3.2))
    ax = fig.subplots()
    for i, name in enumerate(names[:CHART_STATES]):
        ax.plot(df.index, df[name], color=state_colour(i), label=name, lw=1.6)
    if len(names) > CHART_STATES:
        ax.plot(df.index, df[names[CHART_STATES:]].sum(axis=1), color="#999999", label="others", lw=1.2)
    ax.axhline(0, color="#888888", lw=0.6)
    ax.set_xlabel("Step (round)")
    ax.set_ylabel("welfare change ($bn)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="best", fontsize=7, ncol=2)
    fig.tight_layout()
    solara.FigureMatplotlib(fig, format="png")


def MapView(model):
    """The network map of the browser view (game.web.network), for the scenario's first
    dual-use sector: states, trade, controls, embargoes and coalitions this round."""
    import solara
    from mesa.visualization.utils import update_counter

    from game.web import network

    update_counter.get()
    sec = model.world.sectors
    dual = [k for k, d in enumerate(sec.dual_use) if d]
    svg = network.world_map(model, dual[0] if dual else 0, uid="mesa")
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["hf-mesa-map"])


def components() -> list:
    from mesa.visualization.components.matplotlib_components import make_mpl_plot_component

    from game.web.palette import state_colour

    return [
        (MapView, 0),
        (WelfarePlot, 0),
        make_mpl_plot_component({"world_welfare_change": state_colour(0)}),
    ]


def _page():
    import solara
    from mesa.visualization import SolaraViz

    from game.model import GeoModel, GeoScenario

    @solara.component
    def Page():
        # One model per browser tab: built once for this tab, replaced by Mesa's Reset.
        model = solara.use_memo(lambda: GeoModel(scenario=GeoScenario(config="default"), seed=0), [])
        SolaraViz(model, components=components(), model_params=model_params(), name="highfence on Mesa SolaraViz")

    return Page


def __getattr__(name: str):
    # `Page` is built on first use, so importing this module (e.g. for its docstring) loads no Solara.
    if name == "Page":
        page = _page()
        globals()["Page"] = page
        return page
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> int:
    """Serve the Mesa SolaraViz page offline (every asset from this server) on 127.0.0.1."""
    parser = argparse.ArgumentParser(prog="python -m game.web.mesa_viz", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from game.web.server import HostGuard, allowed_hosts, check_assets, offline_environment

    offline_environment()
    import warnings

    # As `highfence serve`: Solara's note on samesite cookies over plain http to 127.0.0.1 is noise here.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    os.environ["SOLARA_APP"] = APP  # the same offline set-up as `highfence serve`, with this page
    import uvicorn

    check_assets()
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = args.host, str(args.port)
    import solara.server.starlette as solara_starlette

    app = HostGuard(solara_starlette.app, allowed_hosts(args.host))
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level="warning"))
    print(f"highfence: Mesa SolaraViz on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
