"""The after-action report: one self-contained HTML file (charts as PNG data URIs,
inline CSS, no scripts, no external URL).

Three runs, all with the session's seed and the rounds it played:
- the session itself (rebuilt by replay and checked against the stored digests);
- the reference: by default the scenario as its AI strategies alone play it; or the
  free-trade run, or the scenario's no-control arm (`--against`, `game.score`);
- the counterfactual: the same game with the seats' scenario strategies in the
  human seats, the same facilitator injects, no seat orders.
Each state's score is its objective-weighted gain over the reference, in the
session and in the counterfactual: the difference is what the humans changed.

Also: the key moments of the game, the world map after every round (inline SVG,
no URL), each state's score in its own panel (human seats first, so a large
score elsewhere never hides a seat's), and a timeline in words: orders, answers,
voided orders, injects, adjudication notes, messages (private ones included: the
report is the facilitator's, to share after the game) and each round's summary.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime

import pandas as pd

from game.model import GeoModel
from game.output import package_version
from game.score import REFERENCE_NAMES, REFERENCES, baseline_scenario, scores, zero_reasons
from game.session.replay import parse_round, play_round
from game.web.palette import state_colours
from game.words import Labels, inject_text, order_text, orders_text, round_narrative

SCORE_COLUMNS = ("welfare", "security", "technology", "cohesion", "score")
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:64rem;color:#222;
line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;
text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f6f6f6}
.seat{font-weight:600}.muted{color:#777}.neg{color:#b22}.pos{color:#275}
.round{border-left:3px solid #0072B2;padding-left:.8rem;margin:1rem 0}.inject{color:#8a4b00}
code{font-size:.85em;background:#f4f4f4;padding:0 .2em;word-break:break-word}img{max-width:100%}
td.who{text-align:left}.maps{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:.8rem}
.maps figure{margin:0;border:1px solid #eee;padding:.3rem}.maps svg{width:100%;height:auto}
.maps figcaption{font-size:.85rem;color:#555}.note{color:#4b2a7a}.msg{color:#333}.private{color:#7b3fa0}
.moments li{margin:.3rem 0}.summary{font-style:italic}
"""


def _esc(x) -> str:
    return html.escape(str(x), quote=True)


def _png(fig) -> str:
    buf = io.BytesIO()
    # No Software tag: the file carries no URL at all.
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def counterfactual(session, rounds: int) -> GeoModel:
    """The same game with AI strategies in the seats: the session's scenario (seats keep
    their scenario strategies), seed and facilitator injects, no seat orders."""
    row = session.row
    model = GeoModel(session.scenario, seed=row.seed, rounds=row.rounds)
    for h in session.history(1, rounds):
        play_round(model, *parse_round({}, h["injects"]))
    return model


def baseline(session, rounds: int, against: str = "ai") -> GeoModel:
    """The reference the scores are measured against, with the session's seed, over the
    rounds played: "ai" (the scenario's AI strategies alone, no script, human seats as free
    traders), "free_trade" (every state passive) or "no_control" (the scenario's compare:
    baseline arm, the AI playing the seats)."""
    if against not in REFERENCES:
        raise ValueError(f"unknown reference {against!r} (known: {', '.join(REFERENCES)})")
    sc = baseline_scenario(session.scenario)
    if against == "no_control" and sc.compare is None:
        raise ValueError(f"scenario {sc.name!r} has no compare: section, so no baseline arm "
                         "(use ai or free_trade)")
    variant = None if against == "ai" else against
    model = GeoModel(sc, seed=session.row.seed, rounds=session.row.rounds, variant=variant)
    return model.run(rounds)


def seats_first(states: list[str], seats: list[str]) -> list[str]:
    return [s for s in states if s in seats] + [s for s in states if s not in seats]


def _score_chart(played: pd.DataFrame, cf: pd.DataFrame, seats: list[str], colours: dict[str, str],
                 title: str) -> str:
    """One small panel per state, each on its own scale, human seats first: a large score
    elsewhere cannot flatten a seat's bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    states = seats_first(list(played.index), seats)
    cols = min(4, len(states))
    rows = -(-len(states) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.3 * cols, 2.1 * rows), squeeze=False)
    for ax, state in zip(axes.flat, states):
        vals = [played.loc[state, "score"], cf.loc[state, "score"]]
        ax.bar([0, 1], vals, color=[colours.get(state, "#0072B2"), "#bbbbbb"], width=0.6)
        ax.axhline(0, color="#444", lw=0.8)
        lim = max(abs(v) for v in vals) or 1.0
        ax.set_ylim(-1.3 * lim, 1.3 * lim)
        for x, v in zip((0, 1), vals):
            ax.annotate(f"{v:+.1f}", (x, v), ha="center", va="bottom" if v >= 0 else "top", fontsize=8)
        ax.set_xticks([0, 1], ["session", "AI in seat" if state in seats else "AI in seats"], fontsize=7)
        ax.set_title(f"{state} (human seat)" if state in seats else state, fontsize=9,
                     fontweight="bold" if state in seats else "normal")
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[len(states):]:
        ax.axis("off")
    fig.suptitle(f"Score against {title} (points; each panel on its own scale)", fontsize=10)
    fig.tight_layout()
    return _png(fig)


def _series_chart(played: GeoModel, cf: GeoModel, states: list[str]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    a = played.datacollector.get_agent_vars_dataframe()
    b = cf.datacollector.get_agent_vars_dataframe()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    colours = state_colours(played.world.states.names)
    for state in states:
        c = colours[state]
        for ax, metric in zip(axes, ("welfare_change", "autonomy")):
            sa, sb = a.xs(state, level="AgentID")[metric], b.xs(state, level="AgentID")[metric]
            ax.plot(sa.index, sa.values, color=c, lw=2, label=f"{state} (session)")
            ax.plot(sb.index, sb.values, color=c, lw=1.2, ls="--", label=f"{state} (AI in seats)")
    axes[0].set_title("welfare change ($bn per round)")
    axes[1].set_title("strategic autonomy")
    for ax in axes:
        ax.set_xlabel("round")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[1].legend(frameon=False, fontsize=7, loc="best")
    return _png(fig)


def _num_cell(v: float) -> str:
    cls = "pos" if v > 1e-9 else "neg" if v < -1e-9 else ""
    return f'<td class="{cls}">{v:+.2f}</td>'


def _score_table(played: pd.DataFrame, cf: pd.DataFrame, seats: list[str]) -> str:
    head = "".join(f"<th>{c}</th>" for c in SCORE_COLUMNS)
    rows = []
    for state in seats_first(list(played.index), seats):
        who = "human seat" if state in seats else "AI"
        cells = "".join(_num_cell(played.loc[state, c]) for c in SCORE_COLUMNS)
        cells += _num_cell(cf.loc[state, "score"]) + _num_cell(played.loc[state, "score"] - cf.loc[state, "score"])
        cls = ' class="seat"' if state in seats else ""
        rows.append(f'<tr{cls}><td>{_esc(state)}</td><td class="who">{who}</td>{cells}</tr>')
    return (f"<table><tr><th>state</th><th>played by</th>{head}<th>score, AI in seats</th>"
            f"<th>difference</th></tr>{''.join(rows)}</table>")


KEY_KINDS = ("resisted", "conceded", "control", "coalition_failed", "embargo", "inject", "standing", "joined",
             "declined")


def key_moments(history: list[dict], narratives: dict[int, list[str]], seats: list[str], limit: int = 10) -> list[str]:
    """The game's turning points: coercion and its answers, coalitions, embargoes,
    injects, stances applied for silent seats, and the largest welfare swing of each round."""
    out = []
    for h in history:
        for e in h["events"]:
            if e["kind"] in KEY_KINDS and (e["kind"] not in ("joined", "declined") or e["actor"] in seats):
                out.append((h["round"], e["text"]))
        if narratives.get(h["round"]):
            out.append((h["round"], narratives[h["round"]][0].split(": ", 1)[-1]))
    seen, picked = set(), []
    for r, text in out:
        if text not in seen:
            seen.add(text)
            picked.append(f"Round {r}: {text}")
    return picked[:limit]


def _timeline(history: list[dict], seats: list[str], labels: Labels, narratives: dict[int, list[str]],
              messages: list[dict], notes_by_round: dict[int, list[str]]) -> str:
    out = []
    for h in history:
        r = h["round"]
        parts = [(f'<div class="round"><h3>Round {r} <span class="muted">(closed by '
                  f'{_esc(h["closed_by"])}, {_esc(h["adjudicated_at"])})</span></h3>')]
        if narratives.get(r):
            parts.append(f'<p class="summary">{_esc(" ".join(narratives[r]))}</p>')
        for inj in h["injects"]:
            parts.append(f'<p class="inject">Inject: {_esc(inject_text(inj, labels))}</p>')
        items = []
        for seat in seats:
            lines = orders_text(h["orders"].get(seat), seat, labels)
            items.append(f"<li><b>{_esc(seat)}</b>: {_esc(' '.join(lines))}</li>")
        parts.append(f"<ul>{''.join(items)}</ul>")
        for d in h.get("decisions", []):
            said = f"answered {d['answer']}" if d["answered"] else "did not answer (standing stance applied)"
            parts.append(f"<p>{_esc(d['seat'])} was asked: {_esc(d['question'])} It {_esc(said)}.</p>")
        for v in h.get("voided", []):
            parts.append(f'<p class="note">The facilitator voided: {_esc(order_text(v["order"], v["seat"], labels))} '
                         f'Reason: {_esc(v["reason"])}</p>')
        for n in notes_by_round.get(r, []):
            parts.append(f'<p class="note">Adjudication note: {_esc(n)}</p>')
        said = [m for m in messages if m["round"] == r]
        if said:
            parts.append("<p>Messages:</p><ul>" + "".join(
                f'<li class="{"msg" if m["public"] else "private"}">{_esc(m["from"])} → '
                f'{_esc("everyone" if m["public"] else ", ".join(m["to"]))}'
                f'{"" if m["public"] else " (private)"}: {_esc(m["text"])}</li>' for m in said) + "</ul>")
        key = [e for e in h["events"] if e["actor"] in seats or e["target"] in seats or e["kind"] == "inject"]
        if key:
            parts.append("<p>What happened to the seats:</p><ul>"
                         + "".join(f"<li>{_esc(e['text'])}</li>" for e in key) + "</ul>")
        parts.append(f"<details><summary>All {len(h['events'])} events of the round</summary><ul>"
                     + "".join(f"<li>{_esc(e['text'])}</li>" for e in h["events"]) + "</ul></details></div>")
        out.append("".join(parts))
    return "".join(out) or "<p>No round has been played yet.</p>"


def _maps_and_narratives(session, rounds: int) -> tuple[list[str], dict[int, list[str]]]:
    """The world map after each round (replayed and checked round by round) and each
    round's summary in words."""
    from game.web import network
    from game.web.session_html import default_sector, sector_index

    model = session._fresh_model()
    sector = sector_index(model, default_sector(model))
    maps, narratives = [], {}
    names = model.world.states.names

    def metrics(m):
        o = m.outcomes
        return {n: {k: float(o.state_metric(k)[i]) for k in ("welfare_change", "autonomy")} for i, n in enumerate(names)}

    for r in range(1, rounds + 1):
        before = metrics(model)
        session._advance(model, r)
        events = [{"kind": e.kind, "text": e.text} for e in model.last_events]
        narratives[r] = round_narrative(r, before, metrics(model), events)
        svg = network.world_map(model, sector, width=420, height=350, uid=f"r{r}")
        # Inline SVG in HTML needs no namespace URL; the report holds no URL at all.
        svg = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "")
        maps.append(f"<figure>{svg}<figcaption>After round {r}</figcaption></figure>")
    return maps, narratives


SHORT_NAMES = {"ai": "the AI-only baseline", "free_trade": "the free-trade run", "no_control": "the no-control arm"}


def build_report(session, against: str = "ai") -> str:
    """The report's HTML for a game.session.Session, scored against the reference `against`
    (game.score.REFERENCES)."""
    played = session.model()
    row = session.row
    k = played.steps
    seats = session.seats
    history = session.history()
    labels = Labels.of(played)
    colours = state_colours(played.world.states.names)
    messages = session.all_messages()
    notes_by_round: dict[int, list[str]] = {}
    for h in history:
        notes_by_round[h["round"]] = [n["text"] for n in h.get("notes", [])]
    maps, narratives = _maps_and_narratives(session, k) if k else ([], {})
    head = (f"<h1>After-action report: {_esc(row.scenario_name)}</h1>"
            f'<p class="muted">Session {_esc(row.id)}, seed {row.seed}, {k} of {row.rounds} rounds played '
            f"({_esc(row.status)}); human seats: {_esc(', '.join(seats))}; AI: "
            + _esc(", ".join(f"{n} ({st.strategy.kind})" for n, st in session.scenario.states.items()
                             if n not in seats))
            + f". Made by highfence {_esc(package_version())} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>")
    body = [head]
    if k == 0:
        body.append("<p>No round has been adjudicated yet: nothing to score.</p>")
    else:
        base, cf = baseline(session, k, against), counterfactual(session, k)
        s_played, s_cf = scores(played, base), scores(cf, base)
        zeros = zero_reasons(s_played, played, against)
        body += [
            "<h2>Scores</h2>",
            (f"<p>Each state's gain over {_esc(REFERENCE_NAMES[against])}, same seed, "
             "as means over the rounds played: welfare in basis points of GDP, security "
             "(strategic autonomy), technology and cohesion in percentage points; the score weights them by "
             "the state's own objectives. The counterfactual puts the seats' scenario strategies in the human "
             "seats, with the same seed and the same facilitator injects.</p>"),
            "".join(f'<p class="muted">{_esc(z)}.</p>' for z in zeros),
            _score_table(s_played, s_cf, seats),
            (f'<img alt="scores by state, session and counterfactual" '
             f'src="{_score_chart(s_played, s_cf, seats, colours, SHORT_NAMES[against])}">'),
            "<h2>The seats, round by round</h2>",
            f'<img alt="welfare and autonomy of the seats by round" src="{_series_chart(played, cf, seats)}">',
        ]
        moments = key_moments(history, narratives, seats)
        body[1:1] = ["<h2>Key moments</h2>",
                     '<ul class="moments">' + "".join(f"<li>{_esc(m)}</li>" for m in moments) + "</ul>"]
        body += ["<h2>The world after each round</h2>",
                 ('<p class="muted">The trade network in the sector the public screen shows first; '
                  "lines are flows, dashes controls and embargoes.</p>"),
                 f'<div class="maps">{"".join(maps)}</div>']
    body += ["<h2>Timeline of orders, answers, messages and events</h2>",
             "<p class=\"muted\">Private messages are shown: this is the facilitator's report.</p>",
             _timeline(history, seats, labels, narratives, messages, notes_by_round)]
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>highfence report '
            f"{_esc(row.id)}</title><style>{CSS}</style></head><body>{''.join(body)}</body></html>")

