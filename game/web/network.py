"""The world as a network: states sized by GDP, each in its own colour (the one
palette, game.web.palette, so a state looks the same on the map, the charts and
the event log), trade as edges and
export controls, embargoes and coalitions on top. Blocs are shown by grouping
(partners sit together round the circle) and by name under each member, never by
fill, so fill stays the state's own colour.

The map draws a `MapFrame`: what was in force in one round. The page keeps one
frame per round played, so any past round can be drawn again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from game.model import GeoModel
from game.web.palette import ROLE_COLOURS, state_colours
from game.web.svg import FONT, esc, fmt

CONTROL, EMBARGO, COALITION, TRADE = (ROLE_COLOURS[k] for k in ("control", "embargo", "coalition", "trade"))
BLOC_TEXT = "#555555"
ALL_SECTORS = None  # the sector argument that draws every sector at once


@dataclass(frozen=True)
class MapFrame:
    """The policies in force after one round (the outcomes of that round are in the history)."""

    round: int
    control: np.ndarray  # (N controller, N target, S) bool
    embargo: np.ndarray  # (N, N, S) bool, in force that round
    coalitions: dict[tuple[int, int, int], frozenset[int]]  # (controller, target, sector) -> members


def frame_of(model: GeoModel) -> MapFrame:
    """A snapshot of what the map shows of the model's current round."""
    w = model.world
    return MapFrame(model.steps, w.policy.control.astype(bool), w.embargo_active().copy(),
                    {k: frozenset(v) for k, v in w.coalitions.items() if len(v) > 1})


def layout(model: GeoModel, width: float, height: float, radius: float, top: float = 0.0) -> np.ndarray:
    """States on a circle, grouped by their first bloc so partners sit together.

    A fixed layout (not a force layout) so the map does not move between
    rounds and a reader can learn where each state is.
    """
    st = model.world.states
    order = layout_order(model)
    pos = np.zeros((st.n, 2))
    for k, i in enumerate(order):
        a = -math.pi / 2 + 2 * math.pi * k / st.n
        pos[i] = (width / 2 + radius * math.cos(a), top + (height - top) / 2 + radius * math.sin(a))
    return pos


def trade_volume(model: GeoModel, sector: int) -> np.ndarray:
    """(importer, supplier) quantities bought this round in `sector`."""
    o = model.outcomes
    return o.trade_qty[sector].T  # (importer, supplier) physical quantities


def _curve(p: np.ndarray, q: np.ndarray, r_p: float, r_q: float, bend: float) -> tuple[str, np.ndarray]:
    """A quadratic path from circle p to circle q, bent sideways by `bend` (share of length)."""
    d = q - p
    length = float(np.hypot(*d)) or 1.0
    normal = np.array([-d[1], d[0]]) / length
    c = (p + q) / 2 + normal * bend * length
    a = p + (c - p) / (np.hypot(*(c - p)) or 1.0) * (r_p + 2)
    b = q + (c - q) / (np.hypot(*(c - q)) or 1.0) * (r_q + 7)
    return f"M{a[0]:.1f},{a[1]:.1f} Q{c[0]:.1f},{c[1]:.1f} {b[0]:.1f},{b[1]:.1f}", c


def layout_order(model: GeoModel) -> list[int]:
    """States in their places round the circle: grouped by first bloc, largest first."""
    st = model.world.states
    order_bloc = {b: k for k, b in enumerate(st.blocs)}
    first = [order_bloc[b[0]] if b else len(order_bloc) for b in st.bloc_of]
    return sorted(range(st.n), key=lambda i: (first[i], -st.gdp[i]))


def world_map(model: GeoModel, sector: int | None, frame: MapFrame | None = None, *, width: int = 560,
              height: int = 470, uid: str = "m", prefix: str = "") -> str:
    """An SVG map of one round (`frame`, else the model's current round) for one sector,
    or for all sectors at once (`sector` None: trade by value, every control and embargo).

    `uid` keeps marker ids apart when a page holds several maps; `prefix` names
    the run in the title (e.g. a compare variant).
    """
    frame = frame or frame_of(model)
    w, st = model.world, model.world.states
    outcomes = model.datacollector.outcomes[frame.round]
    names = st.names
    every = sector is None
    label = "all sectors" if every else w.sectors.labels[sector]
    legend_h = 62
    plot_h = height - legend_h
    r_max = min(width, plot_h) * 0.07
    radii = 9 + r_max * np.sqrt(st.gdp / st.gdp.max())
    top = 40  # title lines
    # Room for the largest node and the bloc names under the lowest ones inside the frame.
    radius = min(width - 40, plot_h - top) / 2 - r_max - 12
    pos = layout(model, width, plot_h, radius, top)
    fill = state_colours(names)

    if every:  # physical units differ between sectors: sum spending ($bn) instead
        vol = outcomes.trade_value.sum(axis=0).T if outcomes.trade_value is not None else np.zeros((st.n, st.n))
        unit = "bn"
    else:
        vol = outcomes.trade_qty[sector].T if outcomes.trade_qty is not None else np.zeros((st.n, st.n))
        unit = ""
    pair = vol + vol.T
    np.fill_diagonal(pair, 0.0)
    biggest = pair.max()
    control = frame.control.any(axis=2) if every else frame.control[:, :, sector]
    embargo = frame.embargo.any(axis=2) if every else frame.embargo[:, :, sector]
    coalitions = {k: v for k, v in frame.coalitions.items() if every or k[2] == sector}
    members = set().union(*coalitions.values()) if coalitions else set()
    sec_labels = w.sectors.labels

    out = [
        (f'<svg class="hf-map" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT} font-size="11" role="img" '
        f'aria-label="World network, {esc(label)}, round {frame.round}">'),
        "<defs>",
    ]
    for name, col in (("c", CONTROL), ("e", EMBARGO)):
        out.append(
            f'<marker id="{uid}-arr-{name}" viewBox="0 0 10 10" refX="6" refY="5" markerWidth="5" '
            f'markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{col}"/></marker>'
        )
    out.append("</defs>")
    title = f"{prefix}: trade in" if prefix else "Trade in"
    out.append(f'<text x="8" y="16" font-size="13" font-weight="600" fill="#222">'
               f"{esc(title)} {esc(label)}, round {frame.round}</text>")
    n_ctrl, n_emb = int(frame.control[:, :, :].sum() if every else control.sum()), int(
        frame.embargo.sum() if every else embargo.sum())
    where = "in all sectors" if every else "in this sector"
    out.append(
        f'<text x="8" y="31" fill="#555">{n_ctrl} export control{"s" * (n_ctrl != 1)} and '
        f'{n_emb} embargo{"es" * (n_emb != 1)} {where}'
        + ("" if every else f'; {int(frame.control.sum())} controls in all sectors') + "</text>"
    )

    def what(arr3: np.ndarray, i: int, j: int) -> str:
        """The sectors a pair's control or embargo covers, for the tooltip."""
        return ", ".join(sec_labels[s] for s in np.flatnonzero(arr3[i, j])) if every else label

    # Trade edges, thickest on top of thinner ones.
    if biggest > 0:
        pairs = [(pair[i, j], i, j) for i in range(st.n) for j in range(i + 1, st.n) if pair[i, j] > 0.01 * biggest]
        for v, i, j in sorted(pairs):
            (x1, y1), (x2, y2) = pos[i], pos[j]
            tip = (f"{names[i]}–{names[j]} trade in {label}: {fmt(v)}{unit} "
                   f"({names[i]} buys {fmt(vol[i, j])}{unit}, {names[j]} buys {fmt(vol[j, i])}{unit})")
            out.append(
                f'<line class="hf-trade" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{TRADE}" '
                f'stroke-opacity="0.45" stroke-width="{0.8 + 11 * v / biggest:.1f}" stroke-linecap="round">'
                f"<title>{esc(tip)}</title></line>"
            )
    # Coalitions: each member linked to the state that proposed the controls.
    for (c, t, s), mem in coalitions.items():
        for k in sorted(mem - {c}):
            (x1, y1), (x2, y2) = pos[c], pos[k]
            tip = f"{names[k]} is in {names[c]}'s coalition on {sec_labels[s]} to {names[t]}"
            out.append(
                f'<line class="hf-coalition" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{COALITION}" '
                f'stroke-width="3" stroke-dasharray="2 5" stroke-linecap="round"><title>{esc(tip)}</title></line>'
            )
    # Controls and embargoes as arrows from the imposing state to the target.
    for (arr, arr3, col, bend, cls, kind, dash) in (
        (control, frame.control, CONTROL, 0.12, "hf-control", "export controls", ""),
        (embargo, frame.embargo, EMBARGO, -0.12, "hf-embargo", "embargo", ' stroke-dasharray="7 4"'),
    ):
        for i, j in np.argwhere(arr):
            d, _ = _curve(pos[i], pos[j], radii[i], radii[j], bend)
            tip = f"{names[i]}'s {kind} on {what(arr3, i, j)} to {names[j]}"
            out.append(
                f'<path class="{cls}" d="{d}" fill="none" stroke="{col}" stroke-width="2.4"{dash} '
                f'marker-end="url(#{uid}-arr-{"c" if cls == "hf-control" else "e"})"><title>{esc(tip)}</title></path>'
            )
    # Nodes: the state's own colour, a dashed halo for coalition members.
    welfare = outcomes.state_metric("welfare_change")
    for i in range(st.n):
        x, y, r = pos[i][0], pos[i][1], radii[i]
        blocs = st.bloc_of[i]
        tip = (f"{names[i]}: GDP {fmt(st.gdp[i])}bn; blocs: {', '.join(blocs) or 'none'}; "
               f"welfare change {fmt(welfare[i])}bn in round {frame.round}")
        out.append(f'<g class="hf-state" data-state="{esc(names[i])}" data-colour="{fill[names[i]]}">'
                   f"<title>{esc(tip)}</title>")
        if i in members:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 4:.1f}" fill="none" '
                       f'stroke="{COALITION}" stroke-width="2.5" stroke-dasharray="2 3"/>')
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill[names[i]]}" stroke="#333" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-weight="700" font-size="11" '
                   f'fill="#fff" stroke="#000a" stroke-width="2.2" paint-order="stroke">{esc(names[i])}</text>')
        if blocs:
            out.append(f'<text class="hf-blocs" x="{x:.1f}" y="{y + r + 11:.1f}" text-anchor="middle" font-size="9.5" '
                       f'fill="{BLOC_TEXT}" stroke="#fff" stroke-width="3" paint-order="stroke">'
                       f"{esc(' · '.join(blocs))}</text>")
        out.append("</g>")

    # Legend, wrapped into rows that fit the width.
    items: list[tuple[float, str]] = []  # (width, svg with x=0 at the item's left)
    note = "colour: the state (as in the charts and log); size: GDP; grey names: its blocs"
    items.append((12 + 5.6 * len(note), f'<text x="0" y="4" fill="#555">{esc(note)}</text>'))
    for col, dash, text, sw, op in (
        (TRADE, "", "trade (width: " + ("value)" if every else "volume)"), 6, 0.45),
        (CONTROL, "", "export control", 2.4, 1),
        (EMBARGO, "7 4", "embargo", 2.4, 1),
        (COALITION, "2 5", "coalition partner", 3, 1),
    ):
        d = f' stroke-dasharray="{dash}"' if dash else ""
        items.append((38 + 6.3 * len(text), (f'<line x1="0" x2="22" y1="0" y2="0" stroke="{col}" stroke-width="{sw}" '
                      f'stroke-opacity="{op}"{d}/><text x="27" y="4" fill="#333">{esc(text)}</text>')))
    x, y = 8.0, height - legend_h + 10
    for w_item, svg in items:
        if x + w_item > width - 4 and x > 8:
            x, y = 8.0, y + 17
        out.append(f'<g transform="translate({x:.0f},{y:.0f})">{svg}</g>')
        x += w_item
    out.append("</svg>")
    return "".join(out)
