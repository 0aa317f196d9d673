"""Two variants of the scenario's compare experiment side by side, with their difference.

The metrics are the ones `highfence compare` reports (game.compare), read per
round from both runs, which share a seed (common random numbers), so the
difference is the effect of the variant and not of chance.
"""

from __future__ import annotations

import numpy as np

from game.compare import series
from game.model import GeoModel
from game.web.svg import Line, esc, fmt, line_chart

METRICS = (
    ("access", "Target access to the controlled goods", "real quantity index (1 = start)"),
    ("controller_share", "Controller's world market share", "mean over the compared sectors"),
    ("allies_share", "Partners' world market share", "sum over partners, mean over sectors"),
    ("target_tech_gap", "Target's technology gap", "1 − target / best of controller and partners"),
    ("controller_welfare", "Controller's welfare change ($bn)", "against the start"),
    ("world_welfare", "World welfare change ($bn)", "sum over states"),
)
COLOUR_A, COLOUR_B, COLOUR_DIFF = "#4e79a7", "#e15759", "#555555"


def describe(model: GeoModel) -> str:
    c, sec = model.spec.compare, model.world.sectors
    partners = ", ".join(c.partners)
    goods = ", ".join(sec.labels[sec.names.index(s)] for s in c.sectors)
    return (f"{c.controller}'s {c.scope} export controls on {goods} to {c.target} from round "
            f"{c.start_round}, enforcement {c.enforcement:.2f}; coordinated means proposed to {partners}.")


def compare_charts(a: GeoModel, b: GeoModel, width: int = 440) -> list[tuple[str, str]]:
    """(key, svg) per metric: variant A, variant B and B − A by round."""
    sa, sb = series(a), series(b)
    va, vb = a.treatment.variant, b.treatment.variant
    out = []
    for key, title, sub in METRICS:
        diff = np.asarray(sb[key]) - np.asarray(sa[key])
        lines = [Line(va, sa[key], COLOUR_A), Line(vb, sb[key], COLOUR_B),
                 Line(f"{vb} − {va}", diff, COLOUR_DIFF, dash="4 3", width=1.4)]
        out.append((key, line_chart(title, lines, a.rounds, subtitle=sub, zero_line=True, width=width)))
    return out


def compare_table(a: GeoModel, b: GeoModel) -> str:
    """This round's values of both variants and their difference, as an HTML table."""
    sa, sb = series(a), series(b)
    va, vb = a.treatment.variant, b.treatment.variant
    rows = []
    for key, title, _ in METRICS:
        x, y = float(sa[key][-1]), float(sb[key][-1])
        d = y - x
        sign = "+" if d > 0 else ""
        rows.append(f"<tr><td>{esc(title)}</td><td>{fmt(x)}</td><td>{fmt(y)}</td>"
                    f'<td class="hf-diff">{sign}{fmt(d)}</td></tr>')
    return (f'<table class="hf-compare-table"><thead><tr><th>round {a.steps}</th><th>{esc(va)}</th>'
            f"<th>{esc(vb)}</th><th>{esc(vb)} − {esc(va)}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
