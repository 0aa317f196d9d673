"""Charts by round for one run: welfare, market shares, the technology gap
between blocs, autonomy, indispensability, cohesion and target access.

Series are read straight from the run's recorded outcomes (one array per
round), which is cheaper than building DataFrames on every step. A state's line
has the state's own colour (game.web.palette), as on the map and in the event
log; blocs are greys told apart by dashes.
"""

from __future__ import annotations

import numpy as np

from game.model import GeoModel
from game.web.svg import DASHES, Line, colour, fmt, line_chart, neutral


def state_lines(model: GeoModel, values: np.ndarray) -> list[Line]:
    """One line per state from a (rounds, N) array."""
    return [Line(name, values[:, i], colour(i)) for i, name in enumerate(model.world.states.names)]


def groups(model: GeoModel) -> list[tuple[str, list[int], str, str | None]]:
    """Blocs (greys, dashed apart), then every state in no bloc on its own (its own
    colour): (label, members, colour, dash)."""
    st = model.world.states
    out = [(b, list(m), *neutral(k)) for k, (b, m) in enumerate(st.blocs.items())]
    out += [(st.names[i], [i], colour(i), None) for i in range(st.n) if not st.bloc_of[i]]
    return out


def access_pairs(model: GeoModel, sector: int) -> list[tuple[int, int]]:
    """(target, sector) pairs to follow: the compare experiment's, then targets of
    controls in force in the chosen sector."""
    w, names, secs = model.world, model.world.states.names, model.world.sectors.names
    pairs: list[tuple[int, int]] = []
    if c := model.spec.compare:
        pairs += [(names.index(c.target), secs.index(s)) for s in c.sectors]
    targets = np.flatnonzero(w.policy.control[:, :, sector].any(axis=0))
    pairs += [(int(t), sector) for t in targets]
    return list(dict.fromkeys(pairs))[:6]


def run_charts(model: GeoModel, sector: int | None, width: int = 440,
               shown_round: int | None = None) -> list[tuple[str, str]]:
    """(key, svg) for every chart of the run view; `sector` None (all sectors on the map)
    charts the first sector; `shown_round` draws a marker at the round the map shows."""
    sector = 0 if sector is None else sector
    h, w = model.datacollector, model.world
    outs = h.outcomes
    x_max = model.rounds
    label = w.sectors.labels[sector]
    welfare = np.array([o.state_metric("welfare_change") for o in outs])
    world_welfare = outs[-1].world["world_welfare_change"]
    share = np.array([o.world_share[:, sector] for o in outs])
    tech = np.array([o.tech[:, sector] for o in outs])
    autonomy = np.array([o.state_metric("autonomy") for o in outs])
    indisp = np.array([o.state_metric("indispensability") for o in outs])
    charts = [
        ("welfare", line_chart("Welfare change since the start ($bn)", state_lines(model, welfare), x_max,
                               subtitle=f"world total this round: {fmt(world_welfare)}bn", zero_line=True, width=width, mark=shown_round)),
        ("share", line_chart(f"World market share: {label}", state_lines(model, share), x_max,
                             subtitle="value share of world sales by home state", y_range=(0, 0.1), width=width, mark=shown_round)),
    ]

    grp = groups(model)
    levels = np.array([tech[:, m].max(axis=1) for _, m, _, _ in grp]).T  # (rounds, groups)
    now = levels[-1]
    lead, lag = int(now.argmax()), int(now.argmin())
    gap = f"now: {grp[lead][0]} leads {grp[lag][0]} by {fmt(now[lead] - now[lag])}" if len(grp) > 1 else ""
    charts.append(("tech", line_chart(
        f"Technology gap in {label}", [Line(g, levels[:, k], c, dash) for k, (g, _, c, dash) in enumerate(grp)], x_max,
        subtitle=f"best firm per bloc (1 = frontier); {gap}", width=width, mark=shown_round)))
    charts.append(("autonomy", line_chart(
        "Strategic autonomy", state_lines(model, autonomy), x_max,
        subtitle="critical supply from self and allies", y_range=(0, 1), width=width, mark=shown_round)))
    charts.append(("indispensability", line_chart(
        "Strategic indispensability", state_lines(model, indisp), x_max,
        subtitle="share of world supply, criticality-weighted", y_range=(0, 0.1), width=width, mark=shown_round)))

    coh = [Line(b, [o.world.get(f"cohesion_{b}", np.nan) for o in outs], *neutral(k))
           for k, b in enumerate(w.states.blocs)]
    if not coh:  # no blocs: each state's mean trust in the others
        coh = state_lines(model, np.array([o.state_metric("cohesion") for o in outs]))
    charts.append(("cohesion", line_chart("Alliance cohesion", coh, x_max,
                                          subtitle="mean trust between bloc members", y_range=(0, 1), width=width, mark=shown_round)))

    names, labels = w.states.names, w.sectors.labels
    pairs = access_pairs(model, sector)
    # The target's colour; a dash per sector when one target is followed in several.
    lines = [Line(f"{names[t]}: {labels[s]}", [o.access[t, s] for o in outs], colour(t), DASHES[k % len(DASHES)])
             for k, (t, s) in enumerate(pairs)]
    charts.append(("access", line_chart("Target access under controls", lines, x_max,
                                        subtitle="real quantity bought (1 = start)", y_range=(0, 1.05), width=width, mark=shown_round)))
    return charts
