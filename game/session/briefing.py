"""Briefings as plain JSON-able dicts: the public world state every seat sees, and a
seat's private data (budget, objectives, own outcomes, dependence, its orders).

The split follows the engine's `StateObservation`: its `public` view is public;
budget, objectives, resolve and own outcomes are the seat's alone.
"""

from __future__ import annotations

import numpy as np

from game.events import Event
from game.model import GeoModel
from game.outcomes import STATE_METRICS
from game.world import OBJECTIVES

PUBLIC_STATE_METRICS = ("welfare_change", "trade_volume", "autonomy", "indispensability", "tech_level",
                        "cohesion", "fiscal_cost")
MARKET_FIELDS = ("world_share", "tech", "price_ratio")


def _num(x: float, digits: int = 4) -> float:
    return round(float(x), digits)


def event_dict(e: Event) -> dict:
    return {"round": e.round, "kind": e.kind, "actor": e.actor, "target": e.target, "sector": e.sector,
            "text": e.text}


def policies_in_force(model: GeoModel) -> list[dict]:
    """Every policy in force after the last adjudicated round, in plain fields."""
    w = model.world
    pol, names, sectors = w.policy, w.states.names, w.sectors.names
    out: list[dict] = []
    for i, j, s in np.argwhere(pol.control):
        members = w.coalitions.get((int(i), int(j), int(s)))
        out.append({"kind": "export_control", "by": names[i], "on": names[j], "sector": sectors[s],
                    "scope": "broad" if pol.control_broad[i, j, s] else "narrow",
                    "enforcement": _num(pol.enforcement[i, j, s], 2),
                    "licence_approval": _num(pol.control_approval[i, j, s], 2),
                    "direct_product": bool(pol.control_dpr[i, j, s]),
                    "coalition": sorted(names[k] for k in members) if members and len(members) > 1 else []})
    f = w.firms
    by_id = dict(zip(f.ids.tolist(), f.names))
    for (i, s), listing in sorted(pol.listings.items()):
        out.append({"kind": "entity_list", "by": names[i], "on": names[listing.target], "sector": sectors[s],
                    "firms": [by_id[k] for k in listing.firms if k in by_id],
                    "direct_product": listing.direct_product, "enforcement": _num(listing.enforcement, 2)})
    for i, j, s in np.argwhere(w.embargo_active()):
        out.append({"kind": "embargo", "by": names[i], "on": names[j], "sector": sectors[s],
                    "until_round": int(pol.embargo_until[i, j, s])})
    for k, i, s in np.argwhere(pol.tariff > 0):  # tariff[exporter, importer]: set by the importer
        out.append({"kind": "tariff", "by": names[i], "on": names[k], "sector": sectors[s],
                    "rate": _num(pol.tariff[k, i, s], 3)})
    for i, k, s in np.argwhere(pol.exclusion):
        out.append({"kind": "import_exclusion", "by": names[i], "on": names[k], "sector": sectors[s]})
    for i in np.flatnonzero(pol.screening):
        out.append({"kind": "investment_screening", "by": names[i]})
    for i, s in np.argwhere(pol.secrecy):
        out.append({"kind": "patent_secrecy", "by": names[i], "sector": sectors[s]})
    return out


def _pairs(m: np.ndarray, names: list[str]) -> list[list[str]]:
    return [[names[i], names[j]] for i, j in np.argwhere(np.triu(m, 1))]


def public_briefing(model: GeoModel) -> dict:
    """What every seat sees: states, sectors, market shares and technology, policies
    in force, pacts, world outcomes and the last round's events."""
    w, out = model.world, model.outcomes
    st, sec = w.states, w.sectors
    states = []
    for i, name in enumerate(st.names):
        row = {"state": name, "gdp": _num(st.gdp[i], 1), "blocs": list(st.bloc_of[i]),
               "rivals": [st.names[k] for k in np.flatnonzero(st.rivals[i])]}
        row.update({m: _num(out.state[i, STATE_METRICS.index(m)]) for m in PUBLIC_STATE_METRICS})
        states.append(row)
    market = {
        name: {s: {f: _num(getattr(out, f)[i, k]) for f in MARKET_FIELDS} for k, s in enumerate(sec.names)}
        for i, name in enumerate(st.names)
    }
    return {
        "states": states,
        "sectors": [{"sector": s, "label": sec.labels[k], "dual_use": bool(sec.dual_use[k]),
                     "criticality": _num(sec.criticality[k], 2)} for k, s in enumerate(sec.names)],
        "market": market,
        "policies": policies_in_force(model),
        "trade_agreements": _pairs(st.trade_agreement, st.names),
        "security_agreements": _pairs(st.security, st.names),
        "world": {k: _num(v) for k, v in out.world.items()},
        "events": [event_dict(e) for e in model.last_events],
    }


def private_briefing(model: GeoModel, seat: str, seat_params: dict) -> dict:
    """One seat's own data: this round's budget, objectives, resolve, own outcomes,
    where it depends most on one foreign supplier, its standing answers."""
    w = model.world
    names, sectors = w.states.names, w.sectors.names
    i = names.index(seat)
    obs = model.observe(model.round_context())[i]
    dependence = []
    for s, sector in enumerate(sectors):
        shares = obs.public.supply_share[i, :, s].copy()
        shares[i] = 0.0
        k = int(np.argmax(shares))
        dependence.append({"sector": sector, "largest_foreign_supplier": names[k], "share": _num(shares[k])})
    return {
        "state": seat,
        "budget": _num(obs.budget, 3),
        "objectives": {o: _num(v, 3) for o, v in zip(OBJECTIVES, obs.objectives)},
        "resolve": _num(obs.resolve, 3),
        "own": {k: _num(v) for k, v in obs.own.items()},
        "dependence": dependence,
        "allies": [names[k] for k in obs.allies() if k != i],
        "standing_answers": dict(seat_params),
        "max_actions": model.params.max_actions,
    }
