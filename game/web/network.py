"""The world as a network: states sized by GDP and coloured by bloc, trade in one
sector as edges, export controls, embargoes and coalitions drawn on top."""

from __future__ import annotations

import math

import numpy as np

from game.model import GeoModel
from game.web.svg import FONT, esc, fmt

BLOC_COLOURS = ("#2f6db5", "#2e9e6a", "#e08a1e", "#8e44ad", "#c2185b", "#00838f", "#6d4c41")
NO_BLOC = "#a9a9a9"
CONTROL, EMBARGO, COALITION, TRADE = "#d62728", "#ff7f0e", "#7b3fa0", "#8a8a8a"


def bloc_colours(model: GeoModel) -> dict[str, str]:
    return {b: BLOC_COLOURS[k % len(BLOC_COLOURS)] for k, b in enumerate(model.world.states.blocs)}


def layout(model: GeoModel, width: float, height: float, radius: float, top: float = 0.0) -> np.ndarray:
    """States on a circle, grouped by their first bloc so partners sit together.

    A fixed layout (not a force layout) so the map does not move between
    rounds and a reader can learn where each state is.
    """
    st = model.world.states
    order_bloc = {b: k for k, b in enumerate(st.blocs)}
    first = [order_bloc[b[0]] if b else len(order_bloc) for b in st.bloc_of]
    order = sorted(range(st.n), key=lambda i: (first[i], -st.gdp[i]))
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


def world_map(model: GeoModel, sector: int, *, width: int = 560, height: int = 470, uid: str = "m",
              prefix: str = "") -> str:
    """An SVG map of the model's current round for one sector.

    `uid` keeps marker ids apart when a page holds several maps; `prefix` names
    the run in the title (e.g. a compare variant).
    """
    w, st = model.world, model.world.states
    names, label = st.names, w.sectors.labels[sector]
    legend_h = 62
    plot_h = height - legend_h
    r_max = min(width, plot_h) * 0.075
    radii = 9 + r_max * np.sqrt(st.gdp / st.gdp.max())
    top = 40  # title lines
    # Room for the largest node's rings (further blocs, coalition halo) inside the frame.
    pos = layout(model, width, plot_h, min(width, plot_h - top) / 2 - r_max - 20, top)
    colours = bloc_colours(model)
    fill = [colours[b[0]] if b else NO_BLOC for b in st.bloc_of]

    vol = trade_volume(model, sector)
    pair = vol + vol.T
    np.fill_diagonal(pair, 0.0)
    top = pair.max()
    control = w.policy.control[:, :, sector]
    embargo = w.embargo_active()[:, :, sector]
    coalitions = {k: v for k, v in w.coalitions.items() if k[2] == sector and len(v) > 1}
    members = set().union(*coalitions.values()) if coalitions else set()

    out = [
        (f'<svg class="hf-map" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT} font-size="11" role="img" '
        f'aria-label="World network, {esc(label)}, round {model.steps}">'),
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
               f"{esc(title)} {esc(label)}, round {model.steps}</text>")
    n_ctrl, n_emb = int(control.sum()), int(embargo.sum())
    out.append(
        f'<text x="8" y="31" fill="#555">{n_ctrl} export control{"s" * (n_ctrl != 1)} and '
        f'{n_emb} embargo{"es" * (n_emb != 1)} in this sector; '
        f'{int(w.policy.control.sum())} controls in all sectors</text>'
    )

    # Trade edges, thickest on top of thinner ones.
    if top > 0:
        pairs = [(pair[i, j], i, j) for i in range(st.n) for j in range(i + 1, st.n) if pair[i, j] > 0.01 * top]
        for v, i, j in sorted(pairs):
            (x1, y1), (x2, y2) = pos[i], pos[j]
            tip = (f"{names[i]}–{names[j]} trade in {label}: {fmt(v)} "
                   f"({names[i]} buys {fmt(vol[i, j])}, {names[j]} buys {fmt(vol[j, i])})")
            out.append(
                f'<line class="hf-trade" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{TRADE}" '
                f'stroke-opacity="0.45" stroke-width="{0.8 + 11 * v / top:.1f}" stroke-linecap="round">'
                f"<title>{esc(tip)}</title></line>"
            )
    # Coalitions: each member linked to the state that proposed the controls.
    for (c, t, _), mem in coalitions.items():
        for k in sorted(mem - {c}):
            (x1, y1), (x2, y2) = pos[c], pos[k]
            tip = f"{names[k]} is in {names[c]}'s coalition on {label} to {names[t]}"
            out.append(
                f'<line class="hf-coalition" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{COALITION}" '
                f'stroke-width="3" stroke-dasharray="2 5" stroke-linecap="round"><title>{esc(tip)}</title></line>'
            )
    # Controls and embargoes as arrows from the imposing state to the target.
    for (arr, col, bend, cls, what, dash) in (
        (control, CONTROL, 0.12, "hf-control", "export controls", ""),
        (embargo, EMBARGO, -0.12, "hf-embargo", "embargo", ' stroke-dasharray="7 4"'),
    ):
        for i, j in np.argwhere(arr):
            d, _ = _curve(pos[i], pos[j], radii[i], radii[j], bend)
            tip = f"{names[i]}'s {what} on {label} to {names[j]}"
            out.append(
                f'<path class="{cls}" d="{d}" fill="none" stroke="{col}" stroke-width="2.4"{dash} '
                f'marker-end="url(#{uid}-arr-{"c" if cls == "hf-control" else "e"})"><title>{esc(tip)}</title></path>'
            )
    # Nodes: fill by first bloc, one ring per further bloc, a purple halo for coalition members.
    for i in range(st.n):
        x, y, r = pos[i][0], pos[i][1], radii[i]
        blocs = st.bloc_of[i]
        tip = (f"{names[i]}: GDP {fmt(st.gdp[i])}bn; blocs: {', '.join(blocs) or 'none'}; "
               f"welfare change {fmt(model.outcomes.state_metric('welfare_change')[i])}bn")
        out.append(f'<g class="hf-state" data-state="{esc(names[i])}"><title>{esc(tip)}</title>')
        if i in members:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 4 + 3 * len(blocs[1:]):.1f}" fill="none" '
                       f'stroke="{COALITION}" stroke-width="2.5" stroke-dasharray="2 3"/>')
        for k, b in enumerate(blocs[1:]):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 1.5 + 3 * k:.1f}" fill="none" '
                       f'stroke="{colours[b]}" stroke-width="2.5"/>')
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill[i]}" stroke="#fff" stroke-width="1.5"/>')
        out.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-weight="700" font-size="11" '
                   f'fill="#fff" stroke="#0006" stroke-width="2" paint-order="stroke">{esc(names[i])}</text></g>')

    # Legend, wrapped into rows that fit the width.
    items: list[tuple[float, str]] = []  # (width, svg with x=0 at the item's left)
    for b, col in [*colours.items(), ("no bloc", NO_BLOC)]:
        items.append((26 + 7 * len(b), (f'<circle cx="5" cy="0" r="5" fill="{col}"/>'
                      f'<text x="14" y="4" fill="#333">{esc(b)}</text>')))
    note = "rings: further blocs; size: GDP"
    items.append((12 + 6 * len(note), f'<text x="0" y="4" fill="#777">({note})</text>'))
    for col, dash, text, sw, op in (
        (TRADE, "", "trade (width: volume)", 6, 0.45),
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
