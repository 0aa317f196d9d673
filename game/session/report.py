"""The after-action report: one self-contained HTML file (charts as PNG data URIs,
inline CSS, no scripts, no external URL).

Three runs, all with the session's seed and the rounds it played:
- the session itself (rebuilt by replay and checked against the stored digests);
- the baseline: the scenario as its AI strategies alone play it (`game.score`);
- the counterfactual: the same game with the seats' scenario strategies in the
  human seats, the same facilitator injects, no seat orders.
Each state's score is its objective-weighted gain over the baseline, in the
session and in the counterfactual: the difference is what the humans changed.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime

import pandas as pd

from game.model import GeoModel
from game.output import package_version
from game.score import baseline_scenario, scores
from game.session.replay import parse_round, play_round
from game.session.tables import compact

SCORE_COLUMNS = ("welfare", "security", "technology", "cohesion", "score")
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:64rem;color:#222;
line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;
text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f6f6f6}
.seat{font-weight:600}.muted{color:#777}.neg{color:#b22}.pos{color:#275}
.round{border-left:3px solid #4e79a7;padding-left:.8rem;margin:1rem 0}.inject{color:#8a4b00}
code{font-size:.85em;background:#f4f4f4;padding:0 .2em;word-break:break-word}img{max-width:100%}
td.who{text-align:left}
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


def baseline(session, rounds: int) -> GeoModel:
    model = GeoModel(baseline_scenario(session.scenario), seed=session.row.seed, rounds=session.row.rounds)
    return model.run(rounds)


def _score_chart(played: pd.DataFrame, cf: pd.DataFrame, seats: list[str]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    states = list(played.index)
    x = np.arange(len(states))
    fig, ax = plt.subplots(figsize=(8, 3.4))
    ax.bar(x - 0.2, played["score"], 0.4, label="this session", color="#4e79a7")
    ax.bar(x + 0.2, cf["score"], 0.4, label="AI strategies in the seats", color="#bab0ac")
    ax.axhline(0, color="#444", lw=0.8)
    ax.set_xticks(x, [f"{s}*" if s in seats else s for s in states])
    ax.set_ylabel("score vs baseline (points)")
    ax.set_title("Each state's score against the scenario baseline (* human seat)")
    ax.legend(frameon=False, fontsize=8)
    return _png(fig)


def _series_chart(played: GeoModel, cf: GeoModel, states: list[str]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    a = played.datacollector.get_agent_vars_dataframe()
    b = cf.datacollector.get_agent_vars_dataframe()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    colours = ("#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#9c755f", "#76b7b2", "#edc948")
    for k, state in enumerate(states):
        c = colours[k % len(colours)]
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
    for state in played.index:
        who = "human seat" if state in seats else "AI"
        cells = "".join(_num_cell(played.loc[state, c]) for c in SCORE_COLUMNS)
        cells += _num_cell(cf.loc[state, "score"]) + _num_cell(played.loc[state, "score"] - cf.loc[state, "score"])
        cls = ' class="seat"' if state in seats else ""
        rows.append(f'<tr{cls}><td>{_esc(state)}</td><td class="who">{who}</td>{cells}</tr>')
    return (f"<table><tr><th>state</th><th>played by</th>{head}<th>score, AI in seats</th>"
            f"<th>difference</th></tr>{''.join(rows)}</table>")


def _timeline(history: list[dict], seats: list[str]) -> str:
    out = []
    for h in history:
        parts = [(f'<div class="round"><h3>Round {h["round"]} <span class="muted">(closed by '
                  f'{_esc(h["closed_by"])}, {_esc(h["adjudicated_at"])})</span></h3>')]
        for inj in h["injects"]:
            parts.append(f'<p class="inject">Inject: <code>{_esc(compact(inj))}</code></p>')
        items = []
        for seat in seats:
            acts = h["orders"].get(seat)
            text = ("no orders (held)" if acts is None else
                    "hold" if not acts else "; ".join(f"<code>{_esc(compact(a))}</code>" for a in acts))
            items.append(f"<li><b>{_esc(seat)}</b>: {text}</li>")
        parts.append(f"<ul>{''.join(items)}</ul>")
        key = [e for e in h["events"] if e["actor"] in seats or e["target"] in seats or e["kind"] == "inject"]
        if key:
            parts.append("<p>What happened to the seats:</p><ul>"
                         + "".join(f"<li>{_esc(e['text'])}</li>" for e in key) + "</ul>")
        parts.append(f"<details><summary>All {len(h['events'])} events of the round</summary><ul>"
                     + "".join(f"<li>{_esc(e['text'])}</li>" for e in h["events"]) + "</ul></details></div>")
        out.append("".join(parts))
    return "".join(out) or "<p>No round has been played yet.</p>"


def build_report(session) -> str:
    """The report's HTML for a game.session.Session."""
    played = session.model()
    row = session.row
    k = played.steps
    seats = session.seats
    history = session.history()
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
        base, cf = baseline(session, k), counterfactual(session, k)
        s_played, s_cf = scores(played, base), scores(cf, base)
        body += [
            "<h2>Scores</h2>",
            ("<p>Each state's gain over the baseline run (the scenario played by its AI strategies alone, "
             "same seed), as means over the rounds played: welfare in basis points of GDP, security "
             "(strategic autonomy), technology and cohesion in percentage points; the score weights them by "
             "the state's own objectives. The counterfactual puts the seats' scenario strategies in the human "
             "seats, with the same seed and the same facilitator injects.</p>"),
            _score_table(s_played, s_cf, seats),
            f'<img alt="scores by state, session and counterfactual" src="{_score_chart(s_played, s_cf, seats)}">',
            "<h2>The seats, round by round</h2>",
            f'<img alt="welfare and autonomy of the seats by round" src="{_series_chart(played, cf, seats)}">',
        ]
    body += ["<h2>Timeline of orders and events</h2>", _timeline(history, seats)]
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>highfence report '
            f"{_esc(row.id)}</title><style>{CSS}</style></head><body>{''.join(body)}</body></html>")
