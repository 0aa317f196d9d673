"""HTML for the tabletop session pages: plain server-rendered pages (no Solara, no
websocket), one small local script and one stylesheet (game.web.session_assets).

Every function here turns what the Session API returns (briefings, status,
history) or the live model into an HTML string. Everything that came from a
player, a scenario or the engine is escaped; no token is ever written into a
page (the pages read their own token from the address bar).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from game.model import GeoModel
from game.session.tables import compact, describe_policy
from game.web import charts, network
from game.web.eventlog import TAGS, event_log
from game.web.svg import esc

CHART_WIDTH = 440
OWN_METRICS = (("welfare_change", "welfare change since the start ($bn)", "{:+.1f}"),
               ("trade_volume", "trade volume", "{:.1f}"),
               ("autonomy", "strategic autonomy", "{:.3f}"),
               ("indispensability", "indispensability", "{:.3f}"),
               ("dependence", "dependence on one supplier", "{:.3f}"),
               ("tech_level", "technology level", "{:.3f}"),
               ("cohesion", "cohesion with allies", "{:.3f}"),
               ("fiscal_cost", "fiscal cost ($bn)", "{:.1f}"))
STATE_COLUMNS = (("gdp", "GDP $bn", "{:,.0f}"), ("welfare_change", "welfare chg", "{:+.1f}"),
                 ("autonomy", "autonomy", "{:.3f}"), ("indispensability", "indisp.", "{:.3f}"),
                 ("tech_level", "tech", "{:.3f}"), ("cohesion", "cohesion", "{:.3f}"))
RESULT_METRICS = ("welfare_change", "trade_volume", "autonomy", "indispensability", "tech_level", "cohesion")


# -- small pieces ------------------------------------------------------------------


TITLES = {"joint_rd": "Joint R&D"}


def title_of(kind: str) -> str:
    return TITLES.get(kind) or kind.replace("_", " ").capitalize()


def _fmt(pattern: str, value) -> str:
    try:
        return pattern.format(value)
    except (TypeError, ValueError):
        return esc(value)


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


def page(title: str, body: str, *, page_kind: str, data: dict[str, object] | None = None) -> str:
    """A whole page: local stylesheet and script only; `data` become data-* attributes of <body>."""
    attrs = "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in (data or {}).items() if v is not None)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"referrer\" content=\"no-referrer\">"
        "<link rel=\"icon\" href=\"data:,\">"
        f"<title>{esc(title)}</title>"
        "<link rel=\"stylesheet\" href=\"/_highfence/session.css\">"
        "<script src=\"/_highfence/session.js\" defer></script>"
        f"</head><body data-page=\"{esc(page_kind)}\"{attrs}>{body}</body></html>"
    )


def error_page(status: int, message: str) -> str:
    words = {403: "Forbidden", 404: "Not found", 409: "Conflict", 422: "Not allowed", 400: "Bad request"}
    body = (f'<main class="hf-main"><h1>{status} {esc(words.get(status, "Error"))}</h1>'
            f'<p class="hf-error" id="hf-error">{esc(message)}</p>'
            '<p class="hf-quiet">Check the link: each seat and the facilitator have their own. '
            'The facilitator hands them out.</p></main>')
    return page(f"highfence: {status}", body, page_kind="error")


def round_text(st: dict) -> str:
    """'Round 2 of 10 open (1 adjudicated)' or 'Game over after round 10 of 10', as HTML."""
    if st["status"] == "ended":
        return f"Game over after round <b class=\"hf-adjudicated\">{st['adjudicated']}</b> of {st['rounds']}"
    return (f"Round <b class=\"hf-current\">{st['current_round']}</b> of {st['rounds']} open"
            f" <span class=\"hf-quiet\">({st['adjudicated']} adjudicated)</span>")


def status_line(st: dict) -> str:
    """The round and the session's state, as the top bar shows them."""
    where = round_text(st)
    badge = f'<span class="hf-badge hf-badge-{esc(st["status"])}" id="hf-state">{esc(st["status"])}</span>'
    return f'<span class="hf-round" id="hf-round">{where}</span> {badge}'


def seat_chips(st: dict, me: str | None = None) -> str:
    """One chip per seat: submitted or waiting (never what was submitted)."""
    out = []
    for s in st["seats"]:
        done = s["submitted"]
        mine = " hf-chip-me" if s["state"] == me else ""
        out.append(f'<span class="hf-chip{mine}" data-seat="{esc(s["state"])}" data-submitted="{str(done).lower()}">'
                   f'{esc(s["state"])}: <span class="hf-chip-state">{"submitted" if done else "waiting"}</span></span>')
    return f'<div class="hf-chips" id="hf-chips">{"".join(out)}</div>'


def top_bar(st: dict, heading: str, me: str | None = None) -> str:
    return (f'<header class="hf-bar"><span class="hf-title">highfence</span>'
            f'<span class="hf-heading">{heading}</span>{status_line(st)}{seat_chips(st, me)}</header>'
            '<div class="hf-banner" id="hf-banner" hidden></div>')


def table(header: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "hf-table") -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def events_list(events: Sequence[dict], cls: str = "hf-events") -> str:
    if not events:
        return '<p class="hf-quiet">Nothing happened.</p>'
    items = []
    for e in events:
        tag, col = TAGS.get(e["kind"], (e["kind"], "#555555"))
        items.append(f'<li class="hf-event" data-kind="{esc(e["kind"])}"><span class="hf-tag" '
                     f'style="background:{col}">{esc(tag)}</span> {esc(e["text"])}</li>')
    return f'<ul class="{cls}">{"".join(items)}</ul>'


def orders_list(actions: list[dict] | None, cls: str, none_text: str) -> str:
    if actions is None:
        return f'<p class="{cls} hf-quiet">{esc(none_text)}</p>'
    if not actions:
        return f'<p class="{cls}">hold (keep the policies in force)</p>'
    return f'<ol class="{cls}">' + "".join(f"<li><code>{esc(compact(a))}</code></li>" for a in actions) + "</ol>"


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


def field_html(spec: dict, value, uid: str) -> str:
    name, kind = spec["name"], spec["type"]
    fid = f"{uid}-{name}"
    label = esc(name.replace("_", " "))
    common = f'id="{esc(fid)}" data-field="{esc(name)}" data-type="{esc(kind)}" name="{esc(name)}"'
    if kind == "list":
        boxes = "".join(
            f'<label class="hf-check"><input type="checkbox" value="{esc(c)}"'
            f'{" checked" if value and c in value else ""}> {esc(c)}</label>' for c in spec["choices"])
        return (f'<div class="hf-field"><span class="hf-label">{label}</span>'
                f'<span class="hf-list" {common}>{boxes}</span></div>')
    if kind == "choice":
        opts = ['<option value="">(none)</option>'] if spec.get("optional") else []
        opts += [f'<option value="{esc(c)}"{" selected" if c == value else ""}>{esc(c)}</option>'
                 for c in spec["choices"]]
        control = f'<select {common}>{"".join(opts)}</select>'
    elif kind == "bool":
        control = f'<input type="checkbox" {common}{" checked" if value else ""}>'
    elif kind in ("integer", "number"):
        bounds = ""
        lo = spec.get("ge", spec.get("gt"))
        hi = spec.get("le", spec.get("lt"))
        if lo is not None:
            bounds += f' min="{lo}"'
        if hi is not None:
            bounds += f' max="{hi}"'
        step = "1" if kind == "integer" else "any"
        shown = "" if value is None else esc(value)
        control = f'<input type="number" step="{step}"{bounds} value="{shown}" {common}>'
    else:
        control = f'<input type="text" value="{esc(value or "")}" {common}>'
    return f'<label class="hf-field" for="{esc(fid)}"><span class="hf-label">{label}</span>{control}</label>'


def action_card(entry: dict, cls: str, button: str, prefix: str) -> str:
    """A form for one action or inject kind, prefilled with its example (or defaults)."""
    kind = entry["kind"]
    uid = f"{prefix}-{kind}"
    example = entry.get("example")
    fields = "".join(field_html(f, _initial(f, example), uid) for f in entry["fields"])
    effect = f'<p class="hf-effect">e.g. {esc(entry["effect"])}</p>' if entry.get("effect") else ""
    return (f'<form class="hf-card {cls}" data-kind="{esc(kind)}" id="{esc(uid)}">'
            f'<h3>{esc(title_of(kind))} <code class="hf-kind">{esc(kind)}</code></h3>'
            f'<p class="hf-help">{esc(entry["help"])}</p><div class="hf-fields">{fields}</div>{effect}'
            f'<button type="submit" class="hf-add">{esc(button)}</button></form>')


# -- the world (public) ------------------------------------------------------------------


def states_table(pub: dict, seats: Sequence[str] = ()) -> str:
    rows = [[esc(s["state"]) + (" <span class=\"hf-quiet\">(seat)</span>" if s["state"] in seats else ""),
             *(_fmt(f, s[k]) for k, _, f in STATE_COLUMNS), esc(", ".join(s["blocs"]) or "-")]
            for s in pub["states"]]
    return table(["state", *(h for _, h, _ in STATE_COLUMNS), "blocs"], rows)


def market_table(pub: dict) -> str:
    sectors = [s["sector"] for s in pub["sectors"]]
    labels = {s["sector"]: s["label"] for s in pub["sectors"]}
    rows = [[esc(state), *(f"{m[s]['world_share']:.0%} / {m[s]['tech']:.2f}" for s in sectors)]
            for state, m in pub["market"].items()]
    return table(["state", *(esc(labels[s]) for s in sectors)], rows, "hf-table hf-market")


def policies_list(policies: Sequence[dict]) -> str:
    if not policies:
        return '<p class="hf-quiet">No policy in force.</p>'
    return '<ul class="hf-policies">' + "".join(f"<li>{esc(describe_policy(p))}</li>" for p in policies) + "</ul>"


def public_sections(pub: dict, seats: Sequence[str]) -> str:
    pacts = []
    if pub["trade_agreements"]:
        pacts.append("trade: " + ", ".join(f"{a}–{b}" for a, b in pub["trade_agreements"]))
    if pub["security_agreements"]:
        pacts.append("security: " + ", ".join(f"{a}–{b}" for a, b in pub["security_agreements"]))
    return (f'<h3>States</h3>{states_table(pub, seats)}'
            f'<h3>Policies in force</h3>{policies_list(pub["policies"])}'
            f'<h3>Agreements</h3><p>{esc("; ".join(pacts) or "none")}</p>'
            '<h3>World market share / technology (best firm vs frontier)</h3>'
            f'{market_table(pub)}')


def sector_picker(model: GeoModel, sector_i: int) -> str:
    sec = model.world.sectors
    opts = "".join(f'<option value="{esc(n)}"{" selected" if k == sector_i else ""}>{esc(lab)}</option>'
                   for k, (n, lab) in enumerate(zip(sec.names, sec.labels)))
    return f'<label class="hf-field hf-inline">Sector shown <select id="hf-sector">{opts}</select></label>'


def _session_log(model: GeoModel) -> str:
    """The run view's event log, with a round-0 hint for a session."""
    return event_log(model.datacollector.events, model.steps,
                     start_hint="The starting year: the seats are ordering round 1.")


def world_fragment(model: GeoModel, sector_i: int, with_charts: bool = True) -> str:
    """The public screen's world: map, the round's event log, charts by round (as the run view shows them)."""
    out = ['<div class="hf-top">',
           f'<div class="hf-panel hf-view-map">{network.world_map(model, sector_i, uid="sess")}</div>',
           f'<div class="hf-panel hf-view-log">{_session_log(model)}</div>',
           "</div>"]
    if with_charts:
        out.append('<div class="hf-grid hf-charts">')
        out += [f'<div class="hf-panel hf-view-chart-{key}">{svg}</div>'
                for key, svg in charts.run_charts(model, sector_i, width=CHART_WIDTH)]
        out.append("</div>")
    return "".join(out)


# -- the three pages --------------------------------------------------------------------


def public_page(st: dict, pub: dict, model: GeoModel, sector_i: int) -> str:
    heading = f"Session {esc(st['session'])}: {esc(st['scenario'])}"
    ai = ", ".join(f"{n} ({k})" for n, k in st["ai_states"].items())
    body = (top_bar(st, heading)
            + '<main class="hf-main hf-public">'
            + f'<div class="hf-row">{sector_picker(model, sector_i)}'
            + f'<span class="hf-quiet">Played by the computer: {esc(ai or "none")}</span></div>'
            + f'<div id="hf-world">{world_fragment(model, sector_i)}</div>'
            + '<section class="hf-section" id="hf-policies"><h2>Policies in force</h2>'
            + f'<div id="hf-policies-list">{policies_list(pub["policies"])}</div></section>'
            + "</main>")
    return page(f"highfence {st['session']}: public screen", body, page_kind="public",
                data=_page_data(st))


def _page_data(st: dict, seat: str | None = None) -> dict:
    return {"session": st["session"], "seat": seat, "status": st["status"], "adjudicated": st["adjudicated"],
            "round": st["current_round"] or "", "rounds": st["rounds"]}


def results_table(before: dict[str, float] | None, after: dict[str, float]) -> str:
    rows = []
    for key in RESULT_METRICS:
        label = next((lab for k, lab, _ in OWN_METRICS if k == key), key)
        fmt = next((f for k, _, f in OWN_METRICS if k == key), "{:.3f}")
        a = after.get(key)
        if a is None:
            continue
        b = before.get(key) if before else None
        change = "" if b is None else _fmt("{:+.3f}" if abs(a - b) < 1 else "{:+.1f}", a - b)
        rows.append([esc(label), "" if b is None else _fmt(fmt, b), _fmt(fmt, a), change])
    return table(["", "before the round", "after", "change"], rows, "hf-table hf-results")


def debrief(last: dict | None, seat: str | None = None, results: tuple[dict | None, dict] | None = None) -> str:
    """After adjudication: the round's results (for a seat: its own outcomes before and
    after), every seat's orders (public once adjudicated), the injects and the events."""
    if not last:
        return ('<section class="hf-section" id="hf-debrief"><h2>Debrief</h2>'
                '<p class="hf-quiet">No round adjudicated yet: this is the starting year.</p></section>')
    out = [f'<section class="hf-section" id="hf-debrief"><h2>Debrief: round {last["round"]}</h2>',
           f'<p class="hf-quiet">closed by {esc(last["closed_by"])} at {esc(last["adjudicated_at"])}</p>']
    if results is not None:
        out.append(f"<h3>Your results</h3>{results_table(*results)}")
    orders = last["orders"]
    if orders:
        rows = [[esc(s) + (" (you)" if s == seat else ""),
                 "; ".join(f"<code>{esc(compact(a))}</code>" for a in acts) or "hold"] for s, acts in orders.items()]
        out.append(f"<h3>Seats' orders</h3>{table(['seat', 'orders'], rows, 'hf-table hf-round-orders')}")
    else:
        out.append('<h3>Seats\' orders</h3><p class="hf-quiet">No seat submitted: every seat held.</p>')
    if last["injects"]:
        out.append("<h3>Injects</h3><ul>" + "".join(f"<li><code>{esc(compact(i))}</code></li>"
                                                   for i in last["injects"]) + "</ul>")
    out.append(f'<h3>Events</h3>{events_list(last["events"])}</section>')
    return "".join(out)


def private_section(priv: dict) -> str:
    obj = ", ".join(f"{esc(k)} {v:.2f}" for k, v in priv["objectives"].items())
    own = priv["own"]
    own_rows = [[esc(label), _fmt(f, own[k])] for k, label, f in OWN_METRICS if k in own]
    dep_rows = [[esc(d["sector"]), esc(d["largest_foreign_supplier"]), f"{d['share']:.0%}"] for d in priv["dependence"]]
    answers = ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in priv["standing_answers"].items()) or \
        "defaults (decline coalition proposals, resist coercion)"
    return (
        f'<section class="hf-section hf-private" id="hf-private"><h2>Your briefing: {esc(priv["state"])} '
        '<span class="hf-secret">private</span></h2>'
        f'<p>Budget this round <b id="hf-budget">{priv["budget"]:.1f}</b> $bn; at most '
        f'<b id="hf-max-actions">{priv["max_actions"]}</b> actions; resolve {priv["resolve"]:.2f}.</p>'
        f"<p>Objectives (weights): {obj}.</p>"
        f'<p>Allies: {esc(", ".join(priv["allies"]) or "none")}. Standing answers: {esc(answers)}.</p>'
        '<div class="hf-two">'
        f'<div><h3>Your outcomes (last round)</h3>{table(["", ""], own_rows, "hf-table hf-own")}</div>'
        f'<div><h3>Largest foreign supplier by sector</h3>'
        f'{table(["sector", "supplier", "share"], dep_rows)}</div></div></section>'
    )


def seat_page(b: dict, model: GeoModel, sector_i: int, results: tuple[dict | None, dict] | None) -> str:
    st, seat = b["session"], b["seat"]
    is_open = st["status"] == "open"
    heading = f"Seat <b>{esc(seat)}</b> · session {esc(st['session'])}: {esc(st['scenario'])}"
    if st["status"] == "paused":
        notice = '<p class="hf-notice" id="hf-paused">The facilitator has paused the game: orders wait until it goes on.</p>'
    elif st["status"] == "ended":
        notice = '<p class="hf-notice" id="hf-ended">The game has ended. The debrief below is the last round.</p>'
    else:
        notice = ""
    orders = b.get("orders")
    sealed = orders_list(orders, "hf-sealed",
                         "None sealed yet: if the round closes now, you hold the policies in force.")
    disabled = "" if is_open else " disabled"
    orders_title = f"Your orders for round {st['current_round']}" if st["current_round"] else "Orders"
    orders_section = (
        f'<section class="hf-section" id="hf-orders"><h2>{orders_title}</h2>'
        f"{notice}"
        f'<h3>Sealed</h3><div id="hf-sealed-box">{sealed}</div>'
        '<h3>Draft</h3><p class="hf-quiet">Add actions from the cards below; each is checked against the rules '
        'as you add it. Sealing replaces what you sealed before this round. Nobody else sees your orders '
        'until the round is adjudicated.</p>'
        '<ol id="hf-draft" class="hf-draft"></ol><p id="hf-draft-empty" class="hf-quiet">The draft is empty.</p>'
        f'<div class="hf-row"><button id="hf-submit" class="hf-primary"{disabled}>Seal these orders</button>'
        f'<button id="hf-hold"{disabled}>Seal a hold (no action)</button>'
        '<button id="hf-clear" type="button">Clear draft</button></div>'
        '<p id="hf-msg" class="hf-msg" role="status" aria-live="polite"></p></section>'
    )
    if st["status"] == "ended":
        orders_section = f'<section class="hf-section" id="hf-orders"><h2>{orders_title}</h2>{notice}</section>'
    legal = [a for a in b.get("legal_actions", []) if a["kind"] != "hold"]
    cards = "".join(action_card(a, "hf-action", "Add to draft", "act") for a in legal if a["legal"])
    unavailable = "".join(f"<li><b>{esc(title_of(a['kind']))}</b>: {esc(a['reason'])}</li>"
                          for a in legal if not a["legal"])
    actions_section = ""
    if is_open:
        actions_section = (
            '<section class="hf-section" id="hf-actions"><h2>Actions you can take this round</h2>'
            f'<div class="hf-cards">{cards}</div>'
            + (f'<h3>Not available now</h3><ul class="hf-unavailable">{unavailable}</ul>' if unavailable else "")
            + '<details class="hf-json"><summary>Add orders as JSON</summary>'
            '<form id="hf-json-form"><textarea id="hf-json" rows="4" spellcheck="false">'
            f'{esc(json.dumps(next((a["example"] for a in legal if a["legal"]), {"kind": "hold"})))}</textarea>'
            '<button type="submit">Add to draft</button></form>'
            '<p class="hf-quiet">One JSON object with a "kind", or a list of them.</p></details></section>'
        )
    world = (f'<section class="hf-section" id="hf-world-section"><h2>The world after round {st["adjudicated"]} '
             '<span class="hf-quiet">(public: every seat sees this)</span></h2>'
             f'<div class="hf-top"><div class="hf-panel hf-view-map">'
             f'{network.world_map(model, sector_i, uid="seat")}</div></div>'
             f'{public_sections(b["public"], [s["state"] for s in st["seats"]])}</section>')
    body = (top_bar(st, heading, me=seat) + '<main class="hf-main hf-seat"><div class="hf-layout">'
            + f'<aside class="hf-side">{orders_section}</aside><div class="hf-content">'
            + debrief(b.get("last_round"), seat, results) + private_section(b["private"]) + actions_section
            + world + "</div></div></main>")
    return page(f"highfence: {seat}", body, page_kind="seat", data=_page_data(st, seat))


def facilitator_page(b: dict, base_path: str) -> str:
    st = b["session"]
    heading = f"Facilitator · session {esc(st['session'])}: {esc(st['scenario'])}"
    is_open, paused, ended = st["status"] == "open", st["status"] == "paused", st["status"] == "ended"
    closes = "closes by itself when every seat has sealed its orders, or" if st["auto_close"] else "closes"
    controls = (
        '<section class="hf-section" id="hf-controls"><h2>Round</h2>'
        f'<p>Round {st["current_round"] or "-"} {closes} when you close it (seats without orders hold).</p>'
        '<div class="hf-row">'
        f'<button id="hf-close" class="hf-primary"{"" if is_open else " disabled"}>Close round '
        f'{st["current_round"] or ""} now</button>'
        f'<button id="hf-pause"{"" if is_open else " disabled"}>Pause</button>'
        f'<button id="hf-unpause"{"" if paused else " disabled"}>Unpause</button>'
        f'<button id="hf-end" class="hf-danger"{" disabled" if ended else ""}>End the game</button></div>'
        '<p id="hf-msg" class="hf-msg" role="status" aria-live="polite"></p></section>'
    )
    seat_rows = []
    for s in st["seats"]:
        state = s["state"]
        seat_rows.append([
            f"<b>{esc(state)}</b>",
            f'<span class="hf-seat-status" data-seat="{esc(state)}">{"submitted" if s["submitted"] else "waiting"}</span>',
            esc(s["strategy_in_scenario"]),
            (f'<input class="hf-token-input" data-seat="{esc(state)}" type="password" autocomplete="off" '
            f'placeholder="paste {esc(state)}\'s token">'),
            f'<a class="hf-seat-link" data-seat="{esc(state)}" href="#" hidden>seat link</a>',
        ])
    seats = (
        '<section class="hf-section" id="hf-seats"><h2>Seats</h2><form id="hf-links-form" autocomplete="off">'
        + table(["seat", "this round", "scenario strategy", "token (from `highfence session new`)", "link"],
                seat_rows, "hf-table hf-seat-table") + "</form>"
        + f'<p class="hf-quiet">Seat links have the form <code>{esc(base_path)}/seat/SEAT?token=TOKEN</code>. '
        'Tokens are stored hashed, so this page cannot show them: paste one above to build the link to hand '
        'out (nothing is sent to the server). Public screen: '
        f'<a id="hf-public-link" href="{esc(base_path)}/public" target="_blank" rel="noopener">'
        f'{esc(base_path)}/public</a>.</p></section>'
    )
    pending = b.get("pending_orders") or {}
    rows = [[esc(s), "; ".join(f"<code>{esc(compact(a))}</code>" for a in acts) or "hold"]
            for s, acts in pending.items()]
    sealed = ('<details class="hf-section" id="hf-pending-orders"><summary>Sealed orders this round '
              '(facilitator only: do not show on the public screen)</summary><div id="hf-pending-body">'
              + (table(["seat", "orders"], rows) if rows else '<p class="hf-quiet">None sealed yet.</p>')
              + "</div></details>")
    injects_now = b.get("pending_injects") or []
    inj_list = ('<ol class="hf-pending-injects">' + "".join(f"<li><code>{esc(compact(i))}</code></li>"
                                                           for i in injects_now) + "</ol>"
                if injects_now else '<p class="hf-quiet hf-pending-injects">No inject for this round yet.</p>')
    cards = "".join(action_card(m, "hf-inject", "Add inject", "inj") for m in b.get("inject_menu", []))
    injects = ('<section class="hf-section" id="hf-injects"><h2>Injects</h2>'
               f'<p>Applied at adjudication of round {st["current_round"] or "-"} (allowed while paused).</p>'
               f'<h3>Added this round</h3><div id="hf-injects-body">{inj_list}</div>'
               + (f'<div class="hf-cards">{cards}</div>' if not ended else "") + "</section>")
    ai = ", ".join(f"{n} ({k})" for n, k in st["ai_states"].items())
    others = f'<section class="hf-section"><h2>Computer-played states</h2><p>{esc(ai or "none")}</p></section>'
    body = (top_bar(st, heading) + '<main class="hf-main hf-facilitator">' + controls + seats + sealed + injects
            + debrief(b.get("last_round")) + others + "</main>")
    return page(f"highfence {st['session']}: facilitator", body, page_kind="facilitator", data=_page_data(st))


def landing_page(st: dict, base_path: str) -> str:
    heading = f"Session {esc(st['session'])}: {esc(st['scenario'])}"
    body = (top_bar(st, heading) + '<main class="hf-main">'
            f'<p><a href="{esc(base_path)}/public">Public screen</a> (map, charts, events: no token needed).</p>'
            f'<form method="get" action="{esc(base_path)}/join" class="hf-row">'
            '<label class="hf-field hf-inline">Your token <input type="password" name="token" '
            'autocomplete="off" required></label><button type="submit" class="hf-primary">Open my page</button>'
            '</form><p class="hf-quiet">A seat token opens that seat\'s page; the facilitator token opens the '
            "facilitator's page.</p></main>")
    return page(f"highfence {st['session']}", body, page_kind="landing", data=_page_data(st))
