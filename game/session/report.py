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
import io
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

from game.model import GeoModel
from game.output import package_version
from game.score import REFERENCE_NAMES, REFERENCE_SHORT, reference_run, scores, zero_reasons
from game.session.replay import parse_round, play_round
from game.web.palette import state_colours
from game.words import Labels, inject_text, order_text, orders_text, round_narrative

SCORE_COLUMNS = ("welfare", "security", "technology", "cohesion", "score")
REPORT_CSS = Path(__file__).resolve().parents[1] / "web" / "static" / "report.css"


@lru_cache(maxsize=1)
def _template():
    """The report's Jinja2 template (game/web/templates/report), autoescaping everything."""
    import jinja2

    from game.web.session_html import TEMPLATES

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report/report.html")


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
    """The reference the scores are measured against (game.score.reference_run), with the
    session's scenario and seed, over the `rounds` played."""
    return reference_run(session.scenario, session.row.seed, session.row.rounds, rounds, against)


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


def _score_rows(played: pd.DataFrame, cf: pd.DataFrame, seats: list[str]) -> list[dict]:
    """The score table's rows, human seats first: each component, then the counterfactual's
    score and the difference the humans made."""
    rows = []
    for state in seats_first(list(played.index), seats):
        values = [float(played.loc[state, c]) for c in SCORE_COLUMNS]
        values += [float(cf.loc[state, "score"]), float(played.loc[state, "score"] - cf.loc[state, "score"])]
        rows.append({"state": state, "seat": state in seats, "cells": values})
    return rows


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
              messages: list[dict], notes_by_round: dict[int, list[str]]) -> list[dict]:
    """Each round in words, for the template: summary, injects, the seats' orders, answers,
    voided orders, notes, messages, what happened to the seats and every event."""
    out = []
    for h in history:
        r = h["round"]
        out.append({
            "round": r, "closed_by": h["closed_by"], "adjudicated_at": h["adjudicated_at"],
            "summary": " ".join(narratives.get(r, [])),
            "injects": [inject_text(inj, labels) for inj in h["injects"]],
            "orders": [(seat, " ".join(orders_text(h["orders"].get(seat), seat, labels))) for seat in seats],
            "decisions": [{"seat": d["seat"], "question": d["question"],
                           "said": (f"answered {d['answer']}" if d["answered"]
                                    else "did not answer (standing stance applied)")}
                          for d in h.get("decisions", [])],
            "voided": [{"order": order_text(v["order"], v["seat"], labels), "reason": v["reason"]}
                       for v in h.get("voided", [])],
            "notes": notes_by_round.get(r, []),
            "messages": [{"sender": m["from"], "public": m["public"], "text": m["text"],
                          "to": "everyone" if m["public"] else ", ".join(m["to"])}
                         for m in messages if m["round"] == r],
            "seat_events": [e["text"] for e in h["events"]
                            if e["actor"] in seats or e["target"] in seats or e["kind"] == "inject"],
            "events": [e["text"] for e in h["events"]],
        })
    return out


def _maps_and_narratives(session, rounds: int) -> tuple[list[str], dict[int, list[str]]]:
    """The world map after each round as inline SVG (replayed and checked round by round)
    and each round's summary in words."""
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
        maps.append(svg)
    return maps, narratives


CF_ZERO = ("the counterfactual scores zero for every state: with the seats' scenario strategies in the human "
           "seats it played out exactly as the reference did (the facilitator's injects, if any, did nothing "
           "the AI strategies would not have done themselves)")


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
    context = {
        "css": REPORT_CSS.read_text(), "row": row, "played_rounds": k, "seats": seats,
        "ai_seats": [f"{n} ({st.strategy.kind})" for n, st in session.scenario.states.items() if n not in seats],
        "version": package_version(), "made_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
        "score_columns": SCORE_COLUMNS, "maps": maps,
        "timeline": _timeline(history, seats, labels, narratives, messages, notes_by_round),
    }
    if k:
        base, cf = baseline(session, k, against), counterfactual(session, k)
        s_played, s_cf = scores(played, base), scores(cf, base)
        context |= {
            "moments": key_moments(history, narratives, seats),
            "reference": REFERENCE_NAMES[against],
            "zero_reasons": zero_reasons(s_played, played, against) + (
                [CF_ZERO] if (s_cf["score"].abs() < 1e-9).all() else []),
            "score_rows": _score_rows(s_played, s_cf, seats),
            "score_chart": _score_chart(s_played, s_cf, seats, colours, REFERENCE_SHORT[against]),
            "series_chart": _series_chart(played, cf, seats),
        }
    return _template().render(**context)
