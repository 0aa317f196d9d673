"""The tabletop session pages, rendered from Jinja2 templates (game/web/templates/session/)
with Starlette's `Jinja2Templates`; their stylesheet and script are static files
(game/web/static/session/, served by game.web.session_assets).

This module turns what the Session API returns (briefings, status, history,
messages) and the live model into the plain values the templates show: sentences
from game.words (never raw JSON), rows of numbers, the map and charts as SVG.
Autoescaping is on for every template; only the SVG and event-log fragments that
game.web.network, charts and eventlog build (and escape) themselves are marked safe.
No token is ever written into a page (the pages read their own from the address bar).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from game.model import GeoModel
from game.web import charts, network
from game.web.eventlog import TAGS, event_log
from game.web.palette import state_colours
from game.words import (
    GLOSSARY,
    Labels,
    glossary_for,
    in_force,
    inject_text,
    order_text,
    orders_text,
    policy_text,
    round_narrative,
)

TEMPLATES = Path(__file__).parent / "templates"
CHART_WIDTH = 440
# (metric id, label, glossary word, format)
OWN_METRICS = (("welfare_change", "welfare change since the start ($bn)", "welfare change", "{:+.1f}"),
               ("trade_volume", "trade volume", "trade volume", "{:.1f}"),
               ("autonomy", "strategic autonomy", "autonomy", "{:.3f}"),
               ("indispensability", "indispensability", "indispensability", "{:.3f}"),
               ("dependence", "dependence on one supplier", "dependence", "{:.3f}"),
               ("tech_level", "technology level", "technology level", "{:.3f}"),
               ("cohesion", "cohesion with allies", "cohesion", "{:.3f}"),
               ("fiscal_cost", "fiscal cost ($bn)", "fiscal cost", "{:.1f}"))
STATE_COLUMNS = (("gdp", "{:,.0f}"), ("welfare_change", "{:+.1f}"), ("autonomy", "{:.3f}"),
                 ("indispensability", "{:.3f}"), ("tech_level", "{:.3f}"), ("cohesion", "{:.3f}"))
RESULT_METRICS = ("welfare_change", "trade_volume", "autonomy", "indispensability", "tech_level", "cohesion")
TITLES = {"joint_rd": "Joint R&D", "set_tariff": "Tariff", "export_control": "Export controls",
          "lift_control": "Lift export controls", "import_exclusion": "Shut out a rival's vendors",
          "investment_screening": "Screen foreign takeovers", "patent_secrecy": "Keep patents secret",
          "coerce": "Coercive demand", "lift_embargo": "Lift an embargo", "stance": "Standing stance",
          "demand_shock": "Demand shock", "supply_disruption": "Supply disruption"}
FIELD_LABELS = {"away_from": "away from", "min_partners": "partners needed", "licence_approval": "licences approved",
                "direct_product": "reach foreign goods with our technology", "de_minimis": "de minimis share",
                "accept_proposals": "join coalition proposals", "concede": "concede to demands",
                "rounds": "rounds", "state": "state", "target": "target"}
CHOICE_LABELS = {"rd": "research", "capacity": "new capacity", "narrow": "leading edge only", "broad": "all products"}
ERROR_WORDS = {403: "Forbidden", 404: "Not found", 409: "Conflict", 422: "Not allowed", 400: "Bad request"}


@lru_cache(maxsize=1)
def templates():
    """Starlette's Jinja2 templating over our folder, autoescaping every template."""
    import jinja2
    from starlette.templating import Jinja2Templates

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(round_html=round_text, phase_text=phase_text, clock=clock, seat_state=seat_state,
                       tag=lambda kind: TAGS.get(kind, (kind, "#555555")), glossary=GLOSSARY)
    return Jinja2Templates(env=env)


def render(name: str, **context) -> str:
    context.setdefault("st", None)
    context.setdefault("me", None)
    context.setdefault("data", {})
    context.setdefault("colour", lambda state: "#999999")
    context.setdefault("glossary", GLOSSARY)
    return templates().get_template(name).render(**context)


# -- small pieces ------------------------------------------------------------------


def title_of(kind: str) -> str:
    return TITLES.get(kind) or kind.replace("_", " ").capitalize()


def _fmt(pattern: str, value) -> str:
    try:
        return pattern.format(value)
    except (TypeError, ValueError):
        return str(value)


def clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


def seat_state(s: dict) -> str:
    if s.get("answering"):
        return "answering"
    return "submitted" if s["submitted"] else "waiting"


def phase_text(st: dict) -> str:
    if st["status"] == "ended" or not st.get("phase"):
        return ""
    return "seats are answering" if st["phase"] == "answers" else "orders open"


def round_text(st: dict) -> Markup:
    """'Round 2 of 10 open (1 adjudicated)' or 'Game over after round 10 of 10' (templates/session/round.html)."""
    return Markup(templates().get_template("session/round.html").render(st=st).strip())


def default_sector(model: GeoModel) -> str:
    """The sector the map shows first: the compare experiment's, else the first dual-use one."""
    if model.spec.compare:
        return model.spec.compare.sectors[0]
    sec = model.world.sectors
    dual = [n for n, d in zip(sec.names, sec.dual_use) if d]
    return (dual or sec.names)[0]


def sector_index(model: GeoModel, sector: str | None) -> int:
    names = model.world.sectors.names
    return names.index(sector) if sector in names else names.index(default_sector(model))


def _common(model: GeoModel | None, st: dict | None, page_kind: str, title: str, seat: str | None = None) -> dict:
    colours = state_colours(model.world.states.names) if model is not None else {}
    data = {}
    if st:
        data = {"session": st["session"], "seat": seat, "status": st["status"], "adjudicated": st["adjudicated"],
                "round": st["current_round"] or "", "rounds": st["rounds"], "phase": st.get("phase") or "",
                # who has sealed or is answering, as the script's poll spells it: a change reloads the facilitator
                "signature": ",".join(f"{x['state']}:{seat_state(x)}" for x in st["seats"])}
    return {"st": st, "me": seat, "page_kind": page_kind, "title": title, "data": data,
            "colour": lambda state: colours.get(state, "#999999")}


# -- forms from the field specs of game.session.orders ----------------------------------------


def _initial(spec: dict, example: dict | None):
    name = spec["name"]
    if example and name in example:
        return example[name]
    if "default" in spec:
        return spec["default"]
    if spec["type"] == "choice":
        return None if spec.get("optional") else spec["choices"][0]
    if spec["type"] in ("number", "integer"):
        lo = spec.get("ge", spec.get("gt", 0))
        hi = spec.get("le", spec.get("lt"))
        return 1 if lo < 1 and (hi is None or hi >= 1) else lo
    return None


def card_entry(entry: dict, labels: Labels) -> dict:
    """A form card: plain title and labels, each field with its first value."""
    fields = []
    for f in entry["fields"]:
        spec = dict(f)
        spec["label"] = FIELD_LABELS.get(f["name"], f["name"].replace("_", " "))
        spec["choice_labels"] = {c: (labels.sector(c) if f["name"] == "sector" else CHOICE_LABELS.get(c, c))
                                 for c in f.get("choices", [])}
        spec["none_label"] = "everywhere" if f["name"] == "state" else "none"
        spec["lo"] = f.get("ge", f.get("gt"))
        spec["hi"] = f.get("le", f.get("lt"))
        spec["initial"] = _initial(f, entry.get("example"))
        fields.append(spec)
    by_name = {f["name"]: f for f in fields}
    if "state" in by_name and "target" in by_name and by_name["state"]["initial"] == by_name["target"]["initial"]:
        # an embargo of a state on itself is refused: start the form with two different states
        others = [c for c in by_name["target"]["choices"] if c != by_name["state"]["initial"]]
        by_name["target"]["initial"] = others[0] if others else None
    return {"kind": entry["kind"], "title": title_of(entry["kind"]), "help": entry["help"], "fields": fields,
            "effect": entry.get("effect")}


# -- the world (public) ------------------------------------------------------------------


def state_rows(pub: dict, seats: Sequence[str] = ()) -> list[dict]:
    return [{"state": s["state"], "seat": s["state"] in seats,
             "cells": [_fmt(f, s[k]) for k, f in STATE_COLUMNS], "blocs": ", ".join(s["blocs"]) or "-"}
            for s in pub["states"]]


def policy_lines(pub: dict, st: dict) -> list[str]:
    """Policies in force in the open round, in words (an embargo that has run out is gone)."""
    labels = Labels.of_public(pub)
    round_ = st["current_round"] or st["adjudicated"]
    return [policy_text(p, labels) for p in in_force(pub["policies"], round_)]


def agreements(pub: dict) -> str:
    parts = []
    if pub["trade_agreements"]:
        parts.append("trade: " + ", ".join(f"{a}–{b}" for a, b in pub["trade_agreements"]))
    if pub["security_agreements"]:
        parts.append("security: " + ", ".join(f"{a}–{b}" for a, b in pub["security_agreements"]))
    return "; ".join(parts) or "none"


def _state_metrics(model: GeoModel, k: int) -> dict[str, dict[str, float]]:
    outs = model.datacollector.outcomes
    o = outs[k]
    return {name: {m: float(o.state_metric(m)[i]) for m in ("welfare_change", "autonomy")}
            for i, name in enumerate(model.world.states.names)}


def narrative(model: GeoModel, events: Sequence[dict] | None = None) -> list[str]:
    """The last adjudicated round in a few sentences (what moved most and why)."""
    n = len(model.datacollector.outcomes)
    if model.steps < 1 or n < 2:
        return ["The starting year: the seats are sealing their orders for round 1."]
    if events is None:
        events = [{"kind": e.kind, "text": e.text} for e in model.datacollector.events if e.round == model.steps]
    return round_narrative(model.steps, _state_metrics(model, n - 2), _state_metrics(model, n - 1), events)


def world_context(model: GeoModel, st: dict, pub: dict, sector_i: int, statements: Sequence[dict]) -> dict:
    log = event_log(model.datacollector.events, model.steps,
                    start_hint="The starting year: the seats are ordering round 1.")
    return {"map_svg": Markup(network.world_map(model, sector_i, width=640, height=520, uid="sess")),
            "log_html": Markup(log), "narrative": narrative(model), "narrative_round": model.steps or None,
            "policies": policy_lines(pub, st), "statements": list(statements),
            "charts": [(k, Markup(svg)) for k, svg in charts.run_charts(model, sector_i, width=CHART_WIDTH)]}


def world_fragment(model: GeoModel, st: dict, pub: dict, sector_i: int, statements: Sequence[dict] = ()) -> str:
    """The public screen's world (map, summary, policies, statements, log, charts) alone."""
    ctx = _common(model, st, "public", "")
    ctx.update(world_context(model, st, pub, sector_i, statements))
    return render("session/world.html", **ctx)


# -- the pages ------------------------------------------------------------------------


def error_page(status: int, message: str) -> str:
    return render("session/error.html", page_kind="error", title=f"highfence: {status}", status=status,
                  words=ERROR_WORDS.get(status, "Error"), message=message)


def landing_page(st: dict, base_path: str) -> str:
    ctx = _common(None, st, "landing", f"highfence {st['session']}")
    return render("session/landing.html", base_path=base_path, **ctx)


def public_page(st: dict, pub: dict, model: GeoModel, sector_i: int, statements: Sequence[dict] = ()) -> str:
    ctx = _common(model, st, "public", f"highfence {st['session']}: public screen")
    sec = model.world.sectors
    ctx.update(world_context(model, st, pub, sector_i, statements))
    return render("session/public.html", sectors=list(zip(sec.names, sec.labels)), sector=sec.names[sector_i],
                  ai=list(st["ai_states"]), **ctx)


def debrief_context(last: dict | None, labels: Labels, model: GeoModel | None,
                    results: tuple[dict | None, dict] | None) -> dict | None:
    """After adjudication: the round in words, results, every seat's orders, answers,
    voids, injects, notes and the events."""
    if not last:
        return None
    rows = []
    if results is not None:
        before, after = results
        for key, label, word, fmt in OWN_METRICS:
            if key not in RESULT_METRICS or after.get(key) is None:
                continue
            a, b = after[key], (before or {}).get(key)
            change = "" if b is None else _fmt("{:+.3f}" if abs(a - b) < 1 else "{:+.1f}", a - b)
            rows.append((label, word, "" if b is None else _fmt(fmt, b), _fmt(fmt, a), change))
    decisions = [f"{d['seat']} was asked by {d['from']} ({labels.sector(d['sector'])}): "
                 + (f"answered {d['answer']}." if d["answered"] else "did not answer; the standing stance applied.")
                 for d in last.get("decisions", [])]
    return {
        "round": last["round"], "closed_by": last["closed_by"], "at": last["adjudicated_at"],
        "narrative": narrative(model, last["events"]) if model is not None and model.steps == last["round"]
        else [e["text"] for e in last["events"][:3]] or ["Nothing happened."],
        "results": rows,
        "orders": [(s, orders_text(acts, s, labels)) for s, acts in last["orders"].items()],
        "decisions": decisions,
        "voided": [f"{order_text(v['order'], v['seat'], labels)} Reason: {v['reason']}" for v in last.get("voided", [])],
        "injects": [inject_text(i, labels) for i in last["injects"]],
        "notes": [n["text"] for n in last.get("notes", [])],
        "events": last["events"],
    }


RESOLVE_WORDS = ((0.35, "you give way under pressure sooner than most"), (0.65, "an average resolve"),
                 (2.0, "you stand firm under pressure"))


def briefing_context(b: dict, model: GeoModel, labels: Labels) -> dict:
    """A seat's briefing as a scenario brief: situation, objectives, instruments and
    budget, what changed last round, the main threats and dependencies."""
    priv, pub, seat = b["private"], b["public"], b["seat"]
    me = next(s for s in pub["states"] if s["state"] == seat)
    share = {k: v["world_share"] for k, v in pub["market"][seat].items()}
    strong = sorted(share, key=lambda k: -share[k])[:2]
    situation = [
        (f"{seat} has a GDP of ${me['gdp']:,.0f}bn; allies: {', '.join(priv['allies']) or 'none'}; "
         f"rivals: {', '.join(me['rivals']) or 'none'}."),
        "Your strongest sectors by world market share: "
        + ", ".join(f"{labels.sector(k)} ({share[k]:.0%})" for k in strong) + ".",
    ]
    weights = sorted(priv["objectives"].items(), key=lambda kv: -kv[1])
    objectives = [f"{name.replace('_', ' ').capitalize()}: weight {w:.0%} of your score." for name, w in weights]
    changes = []
    last = b.get("last_round")
    if last:
        mine = [e["text"] for e in last["events"] if seat in (e.get("actor"), e.get("target"))]
        changes = mine[:5] or [f"Round {last['round']} touched {seat} in no event."]
    else:
        changes = ["Nothing yet: this is the starting year."]
    threats = []
    for d in sorted(priv["dependence"], key=lambda d: -d["share"])[:3]:
        if d["share"] >= 0.2:
            rival = " (a rival)" if d["largest_foreign_supplier"] in me["rivals"] else ""
            threats.append(f"{d['share']:.0%} of your {labels.sector(d['sector'])} comes from "
                           f"{d['largest_foreign_supplier']}{rival}.")
    aimed = [policy_text(p, labels) for p in pub["policies"] if p.get("on") == seat]
    threats += [f"In force against you: {t}" for t in aimed[:4]]
    threats = threats or ["No single foreign supplier holds a fifth of any of your sectors."]
    stance = priv["standing_answers"]
    resolve_words = next(w for lim, w in RESOLVE_WORDS if priv["resolve"] < lim)
    own = [(label, word, _fmt(fmt, priv["own"][k])) for k, label, word, fmt in OWN_METRICS if k in priv["own"]]
    return {"situation": situation, "objectives": objectives, "changes": changes, "threats": threats,
            "budget": priv["budget"], "max_actions": priv["max_actions"], "resolve": priv["resolve"],
            "resolve_words": resolve_words + ".",
            "stance": f"{'join' if stance.get('accept_proposals') else 'stay out of'} coalition proposals, "
                      f"{'concede to' if stance.get('concede') else 'resist'} coercive demands.",
            "own": own,
            "dependence": [{"sector": labels.sector(d["sector"]), "supplier": d["largest_foreign_supplier"],
                            "share": f"{d['share']:.0%}"} for d in priv["dependence"]]}


def seat_page(b: dict, model: GeoModel, sector_i: int, results: tuple[dict | None, dict] | None,
              messages: Sequence[dict] = ()) -> str:
    st, seat = b["session"], b["seat"]
    labels = Labels.of(model)
    ctx = _common(model, st, "seat", f"highfence: {seat}", seat)
    notices = {"paused": ("paused", "The facilitator has paused the game: orders wait until it goes on."),
               "ended": ("ended", "The game has ended. The debrief is the last round.")}
    notice_id, notice = notices.get(st["status"], (None, None))
    if st.get("phase") == "answers" and st["status"] == "open":
        notice_id, notice = "sealed", "Orders are sealed for this round: the round waits for answers."
    legal = [a for a in b.get("legal_actions", []) if a["kind"] != "hold"]
    seats = [s["state"] for s in st["seats"]]
    ctx.update(
        seat=seat, is_open=st["status"] == "open", phase=st.get("phase"),
        notice=notice, notice_id=notice_id,
        orders_title=f"Your orders for round {st['current_round']}" if st["current_round"] else "Orders",
        sealed=None if b.get("orders") is None else orders_text(b["orders"], seat, labels),
        voided=[{"text": order_text(v["order"], seat, labels), "reason": v["reason"]} for v in b.get("voided", [])],
        pending=b.get("pending", []),
        actions=[card_entry(a, labels) for a in legal if a["legal"]],
        unavailable=[{"title": title_of(a["kind"]), "reason": a["reason"]} for a in legal if not a["legal"]],
        debrief=debrief_context(b.get("last_round"), labels, model, results),
        brief=briefing_context(b, model, labels),
        map_svg=Markup(network.world_map(model, sector_i, uid="seat")),
        states=state_rows(b["public"], seats), policies=policy_lines(b["public"], st),
        agreements=agreements(b["public"]), messages=list(messages), seat_names=seats,
        glossary=glossary_for("resolve", "autonomy", "indispensability", "access", "welfare_change", "dependence",
                              "tech_level", "cohesion", "trade_volume", "fiscal_cost", "budget", "standing stance"),
    )
    return render("session/seat.html", **ctx)


def facilitator_page(b: dict, base_path: str, model: GeoModel, messages: Sequence[dict] = ()) -> str:
    st = b["session"]
    labels = Labels.of(model)
    ctx = _common(model, st, "facilitator", f"highfence {st['session']}: facilitator")
    is_open, paused, ended = st["status"] == "open", st["status"] == "paused", st["status"] == "ended"
    phase = st.get("phase")
    auto = "It closes by itself when every seat has sealed its orders and answered what it is asked, " \
        if st["auto_close"] else "Manual close: only you close it, "
    deadline = "at its deadline, " if st.get("seconds_left") is not None else ""
    close_rule = (f"{auto}{deadline}or when you press Close. Seats without orders hold; "
                  "a question left unanswered gets the seat's standing stance (the event log says so).")
    close_label = (f"Close round {st['current_round'] or ''} now (standing stances for unanswered questions)"
                   if phase == "answers" else f"Close round {st['current_round'] or ''} now")
    pending_orders = [(s, orders_text(acts, s, labels)) for s, acts in (b.get("pending_orders") or {}).items()]
    voidable = {(s, n) for s, acts in (b.get("pending_orders") or {}).items() for n in range(1, len(acts) + 1)}
    ctx.update(
        base_path=base_path, is_open=is_open, paused=paused, ended=ended, phase=phase, close_rule=close_rule,
        close_label=close_label, pending_orders=pending_orders,
        line_voidable=lambda seat, n: (seat, n) in voidable,
        voided=[{"text": order_text(v["order"], v["seat"], labels), "reason": v["reason"]} for v in b.get("voided", [])],
        pending=b.get("pending", []),
        injects=[inject_text(i, labels) for i in b.get("pending_injects") or []],
        inject_cards=[card_entry(c, labels) for c in b.get("inject_menu", [])],
        notes=b.get("notes", []), messages=list(messages), seat_names=[s["state"] for s in st["seats"]],
        debrief=debrief_context(b.get("last_round"), labels, model, None),
        ai_strategies=b.get("ai_strategies", {}),
        glossary=glossary_for("resolve", "autonomy", "indispensability", "access", "standing stance"),
    )
    return render("session/facilitator.html", **ctx)
