"""Briefings, orders and results as plain-text tables for the terminal
(`highfence session show`, `highfence play`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from game.words import GLOSSARY, Labels, in_force, order_text, policy_text

STATE_COLUMNS = (("gdp", "GDP $bn", "{:,.0f}"), ("welfare_change", "welfare chg", "{:+.1f}"),
                 ("autonomy", "autonomy", "{:.3f}"), ("indispensability", "indisp.", "{:.3f}"),
                 ("tech_level", "tech", "{:.3f}"), ("cohesion", "cohesion", "{:.3f}"),
                 ("fiscal_cost", "fiscal $bn", "{:.1f}"))


def table(rows: Sequence[Sequence], header: Sequence[str], indent: str = "  ") -> str:
    """Left-aligned first column, right-aligned others."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[k]) for r in cells) for k in range(len(header))]
    lines = []
    for n, r in enumerate(cells):
        parts = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
        lines.append(indent + "  ".join(parts).rstrip())
        if n == 0:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def compact(action: dict) -> str:
    return json.dumps(action, separators=(", ", ": "))


def render_status(st: dict) -> str:
    seats = ", ".join(f"{s['state']} ({'submitted' if s['submitted'] else 'waiting'})" for s in st["seats"])
    where = (f"round {st['current_round']} of {st['rounds']} open" if st["current_round"]
             else f"ended after round {st['adjudicated']} of {st['rounds']}")
    paused = " [PAUSED]" if st["status"] == "paused" else ""
    if st.get("phase") == "answers":
        asking = [s["state"] for s in st["seats"] if s.get("answering")]
        where += f"; orders sealed, waiting for answers from {', '.join(asking) or 'nobody'}"
    if st.get("seconds_left") is not None:
        where += f"; closes in {int(st['seconds_left'])} s (deadline)"
    return f"session {st['session']} ({st['scenario']}, seed {st['seed']}): {where}{paused}; seats {seats}"


def render_pending(pending: Sequence[dict]) -> str:
    """Pending decisions: id, the question, the answer so far."""
    if not pending:
        return "  (nothing to answer)"
    out = []
    for d in pending:
        got = f"answered: {d['answer']}" if d["answered"] else "not answered yet (standing stance if the round closes)"
        out.append(f"  [{d['id']}] {d['question']}\n      {got}")
    return "\n".join(out)


def render_asking(asking: dict) -> str:
    return (f"Round {asking['round']}: orders are sealed; the round asks the seats first "
            f"(answer with `highfence session answer ID --seat S --token T --decision DID --accept|--reject`):\n"
            + render_pending(asking["pending"]))


def render_messages(rows: Sequence[dict]) -> str:
    if not rows:
        return "  (no messages)"
    return "\n".join(f"  round {m['round']} {m['from']} -> {'everyone' if m['public'] else ', '.join(m['to'])}: "
                     f"{m['text']}" for m in rows)


def render_states(states: Sequence[dict], mark: Sequence[str] = ()) -> str:
    """One row per state: GDP and last round's outcomes; `mark` flags the human seats."""
    rows = [[s["state"] + (" *" if s["state"] in mark else ""), *(fmt.format(s[k]) for k, _, fmt in STATE_COLUMNS),
             ",".join(s["blocs"]) or "-"] for s in states]
    return table(rows, ["state", *(h for _, h, _ in STATE_COLUMNS), "blocs"])


def render_public(pub: dict, round_: int | None = None) -> str:
    """The public briefing as text; with `round_`, only the policies still in force in it."""
    out = ["States (last round):", render_states(pub["states"])]
    sectors = [s["sector"] for s in pub["sectors"]]
    out.append("\nWorld market share and technology (best firm vs frontier) by sector:")
    rows = [[state, *(f"{m[s]['world_share']:.0%} / {m[s]['tech']:.2f}" for s in sectors)]
            for state, m in pub["market"].items()]
    names = Labels.of_public(pub)
    out.append(table(rows, ["state", *(names.sector(x) for x in sectors)]))
    out.append("\nPolicies in force:")
    labels = Labels.of_public(pub)
    policies = pub["policies"] if round_ is None else in_force(pub["policies"], round_)
    out += [f"  {policy_text(p, labels)}" for p in policies] or ["  (none)"]
    return "\n".join(out)


def render_events(events: Sequence[dict], limit: int | None = None, skip: tuple[str, ...] = ()) -> str:
    shown = [e for e in events if e["kind"] not in skip]
    lines = [f"  - {e['text']}" for e in shown[:limit]]
    if limit is not None and len(shown) > limit:
        lines.append(f"  ... and {len(shown) - limit} more")
    return "\n".join(lines) or "  (nothing happened)"


def render_private(priv: dict, orders: list[dict] | None, labels: Labels | None = None) -> str:
    labels = labels or Labels()
    obj = ", ".join(f"{k} {v:.2f}" for k, v in priv["objectives"].items())
    own = priv["own"]
    dep = ", ".join(f"{d['sector']} {d['largest_foreign_supplier']} {d['share']:.0%}" for d in priv["dependence"])
    answers = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in priv["standing_answers"].items()) or "defaults"
    out = [
        f"{priv['state']} (private): budget {priv['budget']:.1f}bn this round, at most {priv['max_actions']} actions",
        f"  objectives: {obj}; resolve {priv['resolve']:.2f}",
        (f"  last round: welfare change {own.get('welfare_change', 0):+.1f}bn, "
         f"autonomy {own.get('autonomy', 0):.3f}, tech {own.get('tech_level', 0):.3f}, "
         f"cohesion {own.get('cohesion', 0):.3f}"),
        f"  largest foreign supplier: {dep}",
        f"  standing answers to proposals and demands: {answers}",
    ]
    if orders is None:
        out.append("  your orders this round: none submitted (you hold if the round closes)")
    else:
        out.append("  your orders this round (sealed):" if orders else "  your orders this round: hold")
        out += [f"    {n}. {order_text(a, priv['state'], labels)}" for n, a in enumerate(orders, 1)]
    out.append("  (resolve: " + GLOSSARY["resolve"] + ")")
    return "\n".join(out)


def render_legal(legal: list[dict]) -> str:
    out = ["Legal actions this round (kind, what it does, a valid example):"]
    for a in legal:
        if a["legal"]:
            out.append(f"  {a['kind']:<21}{a['help']}")
            out.append(f"  {'':<21}e.g. {compact(a['example'])}")
    off = [f"{a['kind']} ({a['reason']})" for a in legal if not a["legal"]]
    if off:
        out.append("Not available now: " + "; ".join(off))
    return "\n".join(out)


def render_briefing(b: dict, legal: bool = True) -> str:
    out = [render_status(b["session"]), "", render_public(b["public"], b["session"]["current_round"])]
    if b.get("last_round"):
        lr = b["last_round"]
        out += ["", f"Round {lr['round']} (closed by {lr['closed_by']}):", render_events(lr["events"], limit=25)]
    if "private" in b:
        labels = Labels.of_public(b["public"])
        out += ["", render_private(b["private"], b.get("orders"), labels)]
        for v in b.get("voided") or []:
            out.append(f"  VOIDED by the facilitator: {order_text(v['order'], v['seat'], labels)} Reason: {v['reason']}")
        if b.get("pending"):
            out += ["", "Pending decisions (answer before the round closes):", render_pending(b["pending"])]
        if legal:
            out += ["", render_legal(b["legal_actions"])]
    if b["role"] == "facilitator":
        from game.words import inject_text

        labels = Labels.of_public(b["public"])
        out += ["", "Facilitator: pending orders this round:"]
        pend = b["pending_orders"]
        out += [f"  {n}. {order_text(a, seat, labels)}" for seat, acts in pend.items()
                for n, a in enumerate(acts or [{"kind": "hold"}], 1)] or ["  (none)"]
        out += [f"  inject: {inject_text(i, labels)}" for i in b["pending_injects"]]
        if b.get("pending"):
            out += ["", "Decisions asked of the seats:", render_pending(b["pending"])]
    return "\n".join(out)


def render_result(result: dict) -> str:
    head = f"Round {result['round']} adjudicated ({result['closed_by']})"
    if result.get("ended"):
        head += "; that was the last round"
    return head + ":\n" + render_events(result["events"])
