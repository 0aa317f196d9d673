"""Small SVG building blocks: escaping, state colours, axis ticks and a line chart.

Charts are drawn as inline SVG strings so the page needs no charting library
and no asset from outside the app.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from game.web.palette import state_colour

FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def colour(k: int) -> str:
    """The colour of the state at index k in the scenario's state list (game.web.palette)."""
    return state_colour(k)


# Series that are not states (blocs) are drawn in greys, always dashed, so they are
# never taken for a state's solid line (black is a state's colour too).
NEUTRALS = ("#555555", "#8a8a8a")
DASHES = (None, "6 3", "2 3", "8 3 2 3", "1 2")


def neutral(k: int) -> tuple[str, str]:
    """(colour, dash) for the k-th non-state series: a grey and one of the dashes."""
    dashes = DASHES[1:]
    return NEUTRALS[(k // len(dashes)) % len(NEUTRALS)], dashes[k % len(dashes)]


def fmt(v: float) -> str:
    """A short label for an axis tick or a table cell."""
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else "–"
    a = abs(v)
    if a >= 1000:
        return f"{v / 1000:.1f}k".replace(".0k", "k")
    if a >= 10:
        return f"{v:.0f}"
    if a >= 1:
        return f"{v:.1f}"
    return f"{v:.2f}"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (the usual 1-2-5 steps)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks, t = [], first
    while t < hi + step * 0.999:
        ticks.append(round(t, 12))
        t += step
    return ticks


@dataclass(frozen=True)
class Line:
    """One series of a line chart: a value per round from round 0."""

    label: str
    values: Sequence[float]
    colour: str
    dash: str | None = None
    width: float = 1.8
    band: tuple[Sequence[float], Sequence[float]] | None = None  # (low, high) per round: a shaded interval


def line_chart(
    title: str,
    lines: Sequence[Line],
    x_max: int,
    *,
    subtitle: str = "",
    width: int = 440,
    height: int = 200,
    legend: bool = True,
    zero_line: bool = False,
    y_range: tuple[float, float] | None = None,
    css_class: str = "hf-chart",
    mark: int | None = None,
) -> str:
    """A line chart of per-round series, x fixed from round 0 to `x_max`.

    The x axis does not rescale as rounds are played, so a run grows across a
    fixed frame; the y axis fits the data seen so far (or `y_range`). `mark` draws a
    vertical line at that round (the round the map shows).
    """
    ml, mr, mt, mb = 44, 12, 34 if subtitle else 24, 24
    pw, ph = width - ml - mr, height - mt - mb
    finite = [float(v) for ln in lines for vals in (ln.values, *(ln.band or ())) for v in vals
              if math.isfinite(float(v))]
    if y_range is not None:
        lo, hi = y_range
        if finite:
            lo, hi = min(lo, min(finite)), max(hi, max(finite))
    elif finite:
        lo, hi = min(finite), max(finite)
    else:
        lo, hi = 0.0, 1.0
    if zero_line:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-9:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    ticks = nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    x_max = max(x_max, 1)

    def px(x: float) -> float:
        return ml + pw * x / x_max

    def py(y: float) -> float:
        return mt + ph * (1.0 - (y - lo) / (hi - lo))

    # Legend rows below the plot.
    items, rows, x, row = [], 0, ml, 0
    if legend:
        for ln in lines:
            w = 22 + 6.5 * len(ln.label) + 10
            if x + w > width - mr and x > ml:
                row, x = row + 1, ml
            items.append((x, row, ln))
            x += w
        rows = row + 1 if lines else 0
    total_h = height + rows * 16 + (4 if rows else 0)

    out = [
        (f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
        f'viewBox="0 0 {width} {total_h}" {FONT} font-size="11" role="img" aria-label="{esc(title)}">'),
        f'<text x="{ml}" y="14" font-size="13" font-weight="600" fill="#222">{esc(title)}</text>',
    ]
    if subtitle:
        out.append(f'<text x="{ml}" y="27" fill="#666">{esc(subtitle)}</text>')
    for t in ticks:
        y = py(t)
        out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e6e6"/>')
        out.append(f'<text x="{ml - 5}" y="{y + 3.5:.1f}" text-anchor="end" fill="#555">{fmt(t)}</text>')
    if zero_line and lo < 0 < hi:
        out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{py(0):.1f}" y2="{py(0):.1f}" stroke="#999"/>')
    xstep = max(1, math.ceil(x_max / 10))
    for r in range(0, x_max + 1, xstep):
        out.append(f'<text x="{px(r):.1f}" y="{mt + ph + 14}" text-anchor="middle" fill="#555">{r}</text>')
    out.append(f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#bbb"/>')
    if mark is not None:
        out.append(f'<line class="hf-mark" x1="{px(mark):.1f}" x2="{px(mark):.1f}" y1="{mt}" y2="{mt + ph}" '
                   f'stroke="#444" stroke-dasharray="3 3"><title>round {mark}, shown on the map</title></line>')
    for ln in lines:  # intervals first, under every line
        if ln.band is None:
            continue
        lo_v, hi_v = ln.band
        upper = [(px(i), py(float(v))) for i, v in enumerate(hi_v) if math.isfinite(float(v))]
        lower = [(px(i), py(float(v))) for i, v in enumerate(lo_v) if math.isfinite(float(v))]
        if len(upper) > 1 and len(lower) > 1:
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower[::-1])
            out.append(f'<polygon class="hf-band" points="{d}" fill="{ln.colour}" fill-opacity="0.18" stroke="none">'
                       f"<title>{esc(ln.label)}: 95% interval</title></polygon>")
    for ln in lines:
        pts = [(px(i), py(float(v))) for i, v in enumerate(ln.values) if math.isfinite(float(v))]
        if not pts:
            continue
        dash = f' stroke-dasharray="{ln.dash}"' if ln.dash else ""
        last = float(ln.values[-1])
        tip = f"{ln.label}: {fmt(last)} at round {len(ln.values) - 1}"
        if len(pts) == 1:
            out.append(f'<circle cx="{pts[0][0]:.1f}" cy="{pts[0][1]:.1f}" r="2.5" fill="{ln.colour}"><title>{esc(tip)}</title></circle>')
            continue
        d = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        out.append(
            f'<polyline points="{d}" fill="none" stroke="{ln.colour}" stroke-width="{ln.width}"'
            f'{dash} stroke-linejoin="round"><title>{esc(tip)}</title></polyline>'
        )
    for x, row, ln in items:
        y = height + 4 + row * 16
        dash = f' stroke-dasharray="{ln.dash}"' if ln.dash else ""
        out.append(f'<line x1="{x:.0f}" x2="{x + 16:.0f}" y1="{y:.0f}" y2="{y:.0f}" stroke="{ln.colour}" stroke-width="2.5"{dash}/>')
        out.append(f'<text x="{x + 20:.0f}" y="{y + 4:.0f}" fill="#333">{esc(ln.label)}</text>')
    out.append("</svg>")
    return "".join(out)
