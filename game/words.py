"""Plain words for people at the table: orders, injects, policies and rounds as
sentences with sector labels ("advanced logic chips", not `logic_chips`), and a
glossary of every measure a player meets.

Everything here takes plain dicts (what the Session API stores and returns) and a
`Labels` (sector id -> label), so the web pages, the terminal, the CLI and the
report say the same thing the same way. Nothing here changes a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

GLOSSARY: dict[str, str] = {
    "resolve": "How firmly a government stands up to coercion (0 to 1). A state with high resolve resists "
               "demands even when it depends on the coercer; one with low resolve concedes sooner.",
    "autonomy": "Strategic autonomy (0 to 1): the share of what a state buys in critical sectors that comes "
                "from itself or its bloc, weighted by how critical each sector is. Higher means fewer "
                "outsiders can cut it off.",
    "indispensability": "How much the world needs a state (0 to 1): its average share of world supply in "
                        "critical sectors. Higher means its export controls and threats bite harder.",
    "access": "Access (1 at the start): what a state actually receives of a sector, quality-adjusted, against "
              "the starting year. Below 1 means controls, embargoes or shortages are biting.",
    "welfare change": "Economic welfare gained or lost since the starting year, in $bn (consumers, producers "
                      "and tariff revenue together).",
    "trade volume": "The value of everything the state buys from and sells to others.",
    "dependence": "The largest share of a state's purchases in a sector that comes from one foreign supplier.",
    "technology level": "How close the state's best firms are to the world's technology frontier (1 = at it).",
    "cohesion": "Trust between a state and its bloc partners (0 to 1); coalitions form more easily when high.",
    "fiscal cost": "What the state's policies (subsidies, stockpiles, joint R&D) cost its budget, in $bn.",
    "budget": "What a seat may spend this round on subsidies, stockpiles, joint R&D and diversification, in $bn.",
    "standing stance": "What a seat answers when it has not answered a question itself before the round closes: "
                       "join coalition proposals or not, concede to coercive demands or not.",
}

METRIC_TERMS = {"autonomy": "autonomy", "indispensability": "indispensability", "access": "access",
                "resolve": "resolve", "welfare_change": "welfare change", "trade_volume": "trade volume",
                "dependence": "dependence", "tech_level": "technology level", "cohesion": "cohesion",
                "fiscal_cost": "fiscal cost", "budget": "budget"}


def glossary_for(*terms: str) -> dict[str, str]:
    """The glossary entries for these measures (ids or words), in the order given."""
    out = {}
    for t in terms:
        word = METRIC_TERMS.get(t, t)
        if word in GLOSSARY:
            out[word] = GLOSSARY[word]
    return out


@dataclass(frozen=True)
class Labels:
    """How sectors are called in plain words: id -> label."""

    sectors: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, model) -> Labels:
        sec = model.world.sectors
        return cls(dict(zip(sec.names, sec.labels)))

    @classmethod
    def of_scenario(cls, scenario) -> Labels:
        return cls({k: (v.label or k.replace("_", " ")) for k, v in scenario.sectors.items()})

    @classmethod
    def of_public(cls, pub: dict) -> Labels:
        return cls({s["sector"]: s["label"] for s in pub.get("sectors", [])})

    def sector(self, sid: str | None) -> str:
        if not sid:
            return "every sector"
        return self.sectors.get(sid) or sid.replace("_", " ")


def _money(x) -> str:
    try:
        return "$" + f"{float(x):,.2f}".rstrip("0").rstrip(".") + "bn"
    except (TypeError, ValueError):
        return str(x)


def _pct(x) -> str:
    try:
        return f"{float(x):.0%}"
    except (TypeError, ValueError):
        return str(x)


def _states(names: Sequence[str]) -> str:
    names = list(names)
    if not names:
        return "nobody"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def order_text(a: Mapping, actor: str, labels: Labels = Labels()) -> str:
    """One order as a sentence: 'JPN subsidises advanced chips (R&D) with $5.0bn.'"""
    k = a.get("kind")
    sec = labels.sector(a.get("sector"))
    if k == "hold":
        return f"{actor} holds: the policies in force stay as they are."
    if k == "set_tariff":
        rate = float(a.get("rate", 0) or 0)
        if rate == 0:
            return f"{actor} lifts its tariff on {sec} from {a.get('partner')}."
        return f"{actor} puts a {_pct(rate)} tariff on {sec} from {a.get('partner')}."
    if k in ("trade_agreement", "security_agreement"):
        what = "trade agreement" if k == "trade_agreement" else "security agreement"
        verb = "offers" if a.get("join", True) else "leaves its"
        return f"{actor} {verb} a {what} with {a.get('partner')}." if a.get("join", True) else \
            f"{actor} leaves its {what} with {a.get('partner')}."
    if k == "export_control":
        scope = "all" if a.get("scope", "broad") == "broad" else "leading-edge"
        parts = [f"{actor} bans exports of {scope} {sec} to {a.get('target')}"]
        if a.get("licence_approval") is not None:
            parts[0] = (f"{actor} requires licences for exports of {scope} {sec} to {a.get('target')} "
                        f"({_pct(a['licence_approval'])} approved)")
        extra = [f"enforced at {_pct(a.get('enforcement', 0.8))}"]
        if a.get("coordinated"):
            extra.append(f"asking {_states(a.get('partners') or [])} to join"
                         + (f" (needs {a.get('min_partners')})" if a.get("min_partners") else ""))
        if a.get("entities"):
            extra.append(f"listing {_states(a['entities'])}")
        if a.get("direct_product"):
            extra.append("reaching foreign goods made with its technology")
        return parts[0] + ", " + ", ".join(extra) + "."
    if k == "lift_control":
        return f"{actor} lifts its export controls on {sec} to {a.get('target')}."
    if k == "import_exclusion":
        return (f"{actor} shuts {a.get('rival')}'s {sec} vendors out of its market." if a.get("on", True)
                else f"{actor} lets {a.get('rival')}'s {sec} vendors back into its market.")
    if k == "investment_screening":
        return (f"{actor} screens foreign takeovers of its firms." if a.get("on", True)
                else f"{actor} stops screening foreign takeovers.")
    if k == "patent_secrecy":
        return (f"{actor} keeps its {sec} patents secret." if a.get("on", True)
                else f"{actor} publishes its {sec} patents again.")
    if k == "subsidy":
        what = "research" if a.get("target") == "rd" else "new capacity"
        return f"{actor} spends {_money(a.get('amount'))} on {what} in {sec}."
    if k == "stockpile":
        return f"{actor} spends {_money(a.get('amount'))} on a stockpile of {sec}."
    if k == "joint_rd":
        return f"{actor} funds joint research in {sec} with {_states(a.get('partners') or [])}: {_money(a.get('amount'))}."
    if k == "coerce":
        return f"{actor} demands that {a.get('target')} give way, threatening to cut off {sec}."
    if k == "embargo":
        return f"{actor} halts all {sec} exports to {a.get('target')} for {a.get('rounds', 2)} round(s)."
    if k == "lift_embargo":
        return f"{actor} lifts its embargo on {sec} to {a.get('target')}."
    if k == "diversify":
        return f"{actor} spends {_money(a.get('amount'))} to buy {sec} from others than {a.get('away_from')}."
    if k == "stance":
        join = "joins" if a.get("accept_proposals") else "declines"
        give = "concedes to" if a.get("concede") else "resists"
        return f"{actor} sets its standing stance: {join} coalition proposals, {give} coercive demands."
    return f"{actor}: {str(k).replace('_', ' ')}."


def orders_text(actions: Sequence[Mapping] | None, actor: str, labels: Labels = Labels()) -> list[str]:
    if actions is None:
        return [f"{actor} sent no orders and held."]
    if not actions:
        return [order_text({"kind": "hold"}, actor, labels)]
    return [order_text(a, actor, labels) for a in actions]


def inject_text(i: Mapping, labels: Labels = Labels()) -> str:
    """A facilitator's inject as a sentence."""
    k = i.get("kind")
    sec = labels.sector(i.get("sector"))
    if k == "embargo":
        return f"{i.get('state')} halts {sec} exports to {i.get('target')} for {i.get('rounds', 2)} round(s)."
    if k == "demand_shock":
        where = f"in {i['state']}" if i.get("state") else "everywhere"
        f = float(i.get("factor", 1))
        change = f"rises by {f - 1:.0%}" if f >= 1 else f"falls by {1 - f:.0%}"
        return f"Spending on {sec} {where} {change}."
    if k == "breakthrough":
        return f"{i.get('state')}'s {sec} firms make a technology leap ({_pct(i.get('gain', 0.1))} of the frontier)."
    if k == "supply_disruption":
        return f"{i.get('state')} loses {_pct(i.get('loss', 0.5))} of its {sec} capacity."
    return f"Inject: {str(k).replace('_', ' ')}."


def policy_text(p: Mapping, labels: Labels = Labels()) -> str:
    """A policy in force (game.session.briefing.policies_in_force) as a sentence."""
    k = p["kind"]
    sec = labels.sector(p.get("sector"))
    if k == "export_control":
        others = [x for x in p.get("coalition") or [] if x != p["by"]]
        coal = f", together with {_states(others)}" if others else ""
        how = f"licences, {_pct(p['licence_approval'])} approved" if p.get("licence_approval") else \
            ("all products" if p.get("scope") == "broad" else "leading-edge products only")
        return f"{p['by']} controls {sec} exports to {p['on']} ({how}, enforced at {_pct(p['enforcement'])}){coal}."
    if k == "entity_list":
        return f"{p['by']} blacklists {_states(p['firms'])} ({p['on']}) in {sec}."
    if k == "embargo":
        return f"{p['by']} embargoes {sec} to {p['on']} until round {p['until_round']}."
    if k == "tariff":
        return f"{p['by']} taxes {sec} from {p['on']} at {_pct(p['rate'])}."
    if k == "import_exclusion":
        return f"{p['by']} shuts {p['on']}'s {sec} vendors out."
    if k == "investment_screening":
        return f"{p['by']} screens foreign takeovers."
    if k == "patent_secrecy":
        return f"{p['by']} keeps its {sec} patents secret."
    return f"{p.get('by', '')} {k.replace('_', ' ')}."


def in_force(policies: Sequence[Mapping], round_: int) -> list[Mapping]:
    """Only the policies still in force in `round_` (an embargo that ended before it is gone)."""
    return [p for p in policies if p["kind"] != "embargo" or int(p.get("until_round", round_)) >= round_]


def decision_text(kind: str, seat: str, source: str, sector: str, target: str | None,
                  labels: Labels = Labels()) -> str:
    """The question a pending decision asks a seat."""
    sec = labels.sector(sector)
    if kind == "proposal":
        return (f"{source} asks {seat} to join its export controls on {sec} to {target}. "
                f"Join (accept) or stay out (reject)?")
    return (f"{source} demands that {seat} give way, or it cuts off {sec}. "
            f"Concede (accept: you lift your export controls and embargoes on {source}) "
            f"or resist (reject: {source}'s embargo on {sec} to {seat} takes effect)?")


def answer_text(kind: str, yes: bool) -> str:
    if kind == "proposal":
        return "join" if yes else "stay out"
    return "concede" if yes else "resist"


# -- a round in a few sentences ----------------------------------------------------------------


def round_narrative(round_: int, before: Mapping[str, Mapping[str, float]] | None,
                    after: Mapping[str, Mapping[str, float]], events: Sequence[Mapping], top: int = 3) -> list[str]:
    """What moved most in a round and why, in a few sentences.

    `before`/`after`: state -> {metric: value} at the start and end of the round;
    `events`: the round's event log (dicts with kind, actor, target, text)."""
    out: list[str] = []
    if before:
        moves = []
        for state, now in after.items():
            was = before.get(state, {})
            d = now.get("welfare_change", 0.0) - was.get("welfare_change", 0.0)
            moves.append((abs(d), d, state))
        moves.sort(reverse=True)
        big = [m for m in moves if m[0] > 1e-6][:top]
        if big:
            parts = [f"{s} {'gained' if d > 0 else 'lost'} {_money(abs(d))}" for _, d, s in big]
            out.append(f"Round {round_}: " + "; ".join(parts) + " in welfare.")
        aut = sorted(((now.get("autonomy", 0) - before.get(s, {}).get("autonomy", 0), s) for s, now in after.items()),
                     key=lambda x: -abs(x[0]))
        if aut and abs(aut[0][0]) >= 0.005:
            d, s = aut[0]
            out.append(f"{s}'s autonomy {'rose' if d > 0 else 'fell'} most ({d:+.3f}).")
    why = [e for e in events if e.get("kind") in ("control", "embargo", "resisted", "conceded", "joined", "declined",
                                                  "coalition_failed", "inject", "demand", "standing")]
    if why:
        out.append("Why: " + " ".join(_sentence(e["text"]) for e in why[:top + 1]))
    elif events:
        out.append("No new coercion or controls: " + _sentence(events[0]["text"]))
    else:
        out.append(f"Round {round_} was quiet: every state held its course.")
    return out


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
