"""Orders at submission: typed parsing with readable errors, a dry run against the
rules, and the menu of legal action kinds (help text and a valid example each).

The dry run applies the orders to a deep copy of the world with a fresh
PolicyBook, so the live world is never touched. Engine seam: the method we
would want is `GeoModel.check_orders(state, actions) -> list[str]`; this module
builds it from `PolicyBook.apply`, `GeoModel.round_context()` and `model.world`.
"""

from __future__ import annotations

import copy
import json
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import ValidationError

from game.actions import ACTION_KINDS, ACTION_TYPES, Action, parse_action
from game.errors import IllegalAction
from game.injects import INJECT_KINDS, INJECT_TYPES, Inject, apply_inject, parse_inject
from game.model import GeoModel
from game.policy_book import PolicyBook
from game.session.errors import IllegalOrder

ACTION_CLASSES = {cls.model_fields["kind"].default: cls for cls in ACTION_TYPES}
INJECT_CLASSES = {cls.model_fields["kind"].default: cls for cls in INJECT_TYPES}
# Help for the kinds whose classes carry no docstring.
EXTRA_HELP = {
    "lift_control": "Lift one of your export controls on a sector to a target.",
    "lift_embargo": "Lift one of your embargoes on a sector to a target.",
}
STATE_FIELDS = {"partner", "target", "rival", "away_from", "state"}
STATE_LIST_FIELDS = {"partners"}
FIRM_LIST_FIELDS = {"entities"}
EXAMPLES_TRIED = 8  # candidates dry-run per kind before declaring it unavailable


def help_text(kind: str, inject: bool = False) -> str:
    # "embargo" is both an order and an inject kind (with different fields): ask for the one meant.
    cls = INJECT_CLASSES[kind] if inject else ACTION_CLASSES.get(kind) or INJECT_CLASSES[kind]
    doc = cls.__doc__ if cls.__doc__ and "Usage docs" not in cls.__doc__ else EXTRA_HELP.get(kind, kind)
    return " ".join(doc.split())


def _readable(exc: ValidationError, what: str) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "union_tag_not_found":
            parts.append("missing 'kind'")
        elif err["type"] == "union_tag_invalid":
            tag = err.get("ctx", {}).get("tag", "?")
            known = ACTION_KINDS if what == "order" else INJECT_KINDS
            parts.append(f"unknown kind {tag!r} (known: {', '.join(known)})")
        else:
            got = err.get("input")
            shown = "" if isinstance(got, (dict, list)) or got is None or err["type"] == "missing" else f" (got {got!r})"
            parts.append(f"{loc}: {err['msg']}{shown}")
    return "; ".join(parts)


def _as_data(item: Any, n: int, what: str) -> Any:
    if isinstance(item, str):
        try:
            return json.loads(item)
        except json.JSONDecodeError as exc:
            raise IllegalOrder(f"{what} {n}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    return item


def parse_orders(items: Iterable[Any]) -> list[Action]:
    """Dicts, JSON strings or typed actions -> typed actions; IllegalOrder names the bad one.

    A JSON string holding a list counts as that many orders.
    """
    flat: list[Any] = []
    for item in items:
        data = _as_data(item, len(flat) + 1, "order")
        flat.extend(data if isinstance(data, list) else [data])
    out = []
    for n, data in enumerate(flat, 1):
        if isinstance(data, ACTION_TYPES):
            out.append(data)
            continue
        if not isinstance(data, dict):
            raise IllegalOrder(f"order {n}: expected a JSON object with a 'kind', got {type(data).__name__}")
        try:
            out.append(parse_action(data))
        except ValidationError as exc:
            raise IllegalOrder(f"order {n}: {_readable(exc, 'order')}") from None
    return out


def parse_inject_data(item: Any) -> Inject:
    data = _as_data(item, 1, "inject")
    if isinstance(data, INJECT_TYPES):
        return data
    if not isinstance(data, dict):
        raise IllegalOrder(f"inject: expected a JSON object with a 'kind', got {type(data).__name__}")
    try:
        return parse_inject(data)
    except ValidationError as exc:
        raise IllegalOrder(f"inject: {_readable(exc, 'inject')}") from None


# -- dry runs -----------------------------------------------------------------------


def _scratch(model: GeoModel):
    """A copy of the world as the coming round will see it, with its own PolicyBook."""
    world = copy.deepcopy(model.world)
    world.round = model.steps + 1
    return world, PolicyBook(world, model.params)


def check_orders(model: GeoModel, state: str, actions: Sequence[Action]) -> list[str]:
    """Apply `actions` of `state` to a copy of the world, in order, as the coming round
    would (one budget, one action limit). Return what each would do in plain words;
    raise IllegalOrder with the first refusal's reason."""
    names = model.world.states.names
    if state not in names:
        raise IllegalOrder(f"unknown state {state!r}")
    i = names.index(state)
    _, book = _scratch(model)
    ctx = model.round_context()
    out = []
    for n, action in enumerate(actions, 1):
        try:
            text = book.apply(ctx, i, action, "strategy")
        except IllegalAction as exc:
            raise IllegalOrder(f"order {n} ({action.kind}) refused: {exc}") from None
        out.append(text or ("no change" if action.kind != "hold" else "holds current policies"))
    return out


def check_inject(model: GeoModel, inj: Inject) -> str:
    """Apply an inject to a copy of the world; its description, or IllegalOrder with the reason."""
    world, book = _scratch(model)
    try:
        return apply_inject(world, book, inj)
    except IllegalAction as exc:
        raise IllegalOrder(f"inject {inj.kind} refused: {exc}") from None


# -- the menu -----------------------------------------------------------------------


def field_specs(kind: str, states: Sequence[str], sectors: Sequence[str], firms: Sequence[str] = (),
                inject: bool = False) -> list[dict]:
    """The fields of an action kind (or with `inject`, an inject kind), for forms and
    terminal menus: name, input type, choices, default, whether required."""
    cls = INJECT_CLASSES[kind] if inject else ACTION_CLASSES.get(kind) or INJECT_CLASSES[kind]
    out = []
    for name, f in cls.model_fields.items():
        if name == "kind":
            continue
        ann = f.annotation
        origin, args = typing.get_origin(ann), typing.get_args(ann)
        optional = origin in (typing.Union, types.UnionType) and type(None) in args
        if optional:
            ann = next(a for a in args if a is not type(None))
            origin, args = typing.get_origin(ann), typing.get_args(ann)
        spec: dict = {"name": name, "required": f.is_required(), "optional": optional}
        if not f.is_required():
            default = f.get_default(call_default_factory=True)
            spec["default"] = default
        if origin is Literal:
            spec.update(type="choice", choices=list(args))
        elif name == "sector":
            spec.update(type="choice", choices=list(sectors))
        elif name in STATE_FIELDS:
            spec.update(type="choice", choices=list(states))
        elif name in STATE_LIST_FIELDS:
            spec.update(type="list", choices=list(states))
        elif name in FIRM_LIST_FIELDS:
            spec.update(type="list", choices=list(firms))
        elif ann is bool:
            spec.update(type="bool")
        elif ann is int:
            spec.update(type="integer")
        elif ann is float:
            spec.update(type="number")
        else:
            spec.update(type="text")
        for m in f.metadata:
            for bound in ("ge", "gt", "le", "lt"):
                if getattr(m, bound, None) is not None:
                    spec[bound] = getattr(m, bound)
        out.append(spec)
    return out


def _candidates(model: GeoModel, state: str) -> dict[str, list[dict]]:
    """A few plausible orders per kind for this state, most useful first."""
    obs = model.observe(model.round_context())[model.world.states.names.index(state)]
    pub, me = obs.public, obs.me
    names, sectors = pub.states, pub.sectors
    others = [k for k in range(len(names)) if k != me]
    rivals = [int(k) for k in obs.rivals()]
    allies = [int(k) for k in obs.allies() if k != me]
    rivals_first = rivals + [k for k in others if k not in rivals]
    allies_first = allies + [k for k in others if k not in allies]
    by_crit = sorted(range(len(sectors)), key=lambda s: -pub.criticality[s])
    dual = [s for s in by_crit if pub.dual_use[s]]
    amount = round(max(obs.budget * 0.1, 0.01), 2)
    cleared = [k for k in others if pub.security[me, k]]

    def supplier(s: int) -> int:
        shares = pub.supply_share[me, :, s].copy()
        shares[me] = -1.0
        return int(np.argmax(shares))

    c: dict[str, list[dict]] = {
        "set_tariff": [{"partner": names[k], "sector": sectors[s], "rate": 0.1} for k in rivals_first for s in by_crit],
        "trade_agreement": [{"partner": names[k], "join": True} for k in allies_first],
        "security_agreement": [{"partner": names[k], "join": True} for k in allies_first],
        "export_control": [{"sector": sectors[s], "target": names[k], "scope": "narrow", "threshold": 0.8,
                            "tracking": True, "enforcement": 0.8} for k in rivals_first for s in dual],
        "lift_control": [{"sector": sectors[s], "target": names[j]} for j, s in np.argwhere(pub.control[me])],
        "import_exclusion": [{"sector": sectors[s], "rival": names[k], "on": True} for k in rivals_first for s in by_crit],
        "investment_screening": [{"on": not bool(pub.screening[me])}],
        "patent_secrecy": [{"sector": sectors[s], "on": True} for s in (dual or by_crit)],
        "subsidy": [{"sector": sectors[s], "target": "rd", "amount": amount} for s in by_crit],
        "stockpile": [{"sector": sectors[s], "amount": amount} for s in by_crit],
        "joint_rd": [{"sector": sectors[s], "partners": [names[k] for k in cleared], "amount": amount}
                     for s in by_crit] if cleared else [],
        "coerce": [{"target": names[k], "sector": sectors[s]} for s in by_crit
                   if pub.world_share[me, s] >= 0.25 for k in rivals_first],
        "embargo": [{"target": names[k], "sector": sectors[s], "rounds": 2} for k in rivals_first for s in by_crit],
        "lift_embargo": [{"target": names[j], "sector": sectors[s]} for j, s in np.argwhere(pub.embargo[me])],
        "diversify": [{"sector": sectors[s], "away_from": names[supplier(s)], "amount": amount} for s in by_crit],
        "stance": [{"accept_proposals": True, "concede": False}],
        "hold": [{}],
    }
    return c


UNAVAILABLE = {
    "lift_control": "you have no export control in force to lift",
    "lift_embargo": "you have no embargo in force to lift",
    "joint_rd": "you have no security agreement (clearance) with any state yet",
    "coerce": "you hold no sector with enough world supply to make a threat credible",
}


def legal_actions(model: GeoModel, state: str) -> list[dict]:
    """Every action kind with its help text, input fields and, when the kind is legal
    for `state` this round, a valid example (dry-run checked). Kinds with no legal
    example are listed with `legal: False` and the reason."""
    names, sectors = model.world.states.names, model.world.sectors.names
    f = model.world.firms
    firms = sorted(n for n, alive in zip(f.names, f.alive) if alive)
    out = []
    for kind, candidates in _candidates(model, state).items():
        entry = {"kind": kind, "help": help_text(kind), "fields": field_specs(kind, names, sectors, firms)}
        reason = UNAVAILABLE.get(kind, "no legal example found")
        for cand in candidates[:EXAMPLES_TRIED]:
            action = parse_action({"kind": kind, **cand})
            try:
                effect = check_orders(model, state, [action])[0]
            except IllegalOrder as exc:
                reason = str(exc).split("refused: ", 1)[-1]
                continue
            entry.update(legal=True, example=action.model_dump(mode="json"), effect=effect)
            break
        else:
            entry.update(legal=False, reason=reason)
        out.append(entry)
    return out


def inject_menu(model: GeoModel) -> list[dict]:
    """The facilitator's inject menu: kinds, help text and fields."""
    names, sectors = model.world.states.names, model.world.sectors.names
    return [{"kind": k, "help": help_text(k, inject=True), "fields": field_specs(k, names, sectors, inject=True)}
            for k in INJECT_KINDS]
