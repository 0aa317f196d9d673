"""Rebuilding a session's world: scenario + seed + each round's orders and injects.

Live play and replay go through the same function, `play_round`, so a replay is
the live game again, not an approximation of it: seats' orders are handed over
with `GeoModel.submit` and the facilitator's injects with `GeoModel.add_inject`,
then the round is adjudicated. Equal world digests round by round prove it.

Also here: the scenario transforms a session needs (seats made human, the
counterfactual with AI strategies in the seats) and the hand-over of seats to
AI strategies after a given round (forks and sweeps from a session).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

import yaml

from game import safe_yaml
from game.actions import Action, parse_action
from game.errors import ScenarioError
from game.injects import Inject, parse_inject
from game.model import GeoModel
from game.scenario import Scenario, StrategySpec, scenario_from_dict

HUMAN = "human"


# libyaml when present: a stored scenario is read on every session load (game.safe_yaml uses it too).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as self-contained YAML text (every default spelled out)."""
    return yaml.dump(scenario.model_dump(mode="json"), Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def scenario_from_yaml(text: str, source: str) -> Scenario:
    """A stored scenario, read under the same bounds as a scenario file (game.safe_yaml)."""
    try:
        data = safe_yaml.load(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise ScenarioError(f"{source}: the stored scenario cannot be read ({exc})") from None
    return scenario_from_dict(data, source)


def with_seats(scenario: Scenario, seats: Mapping[str, dict]) -> Scenario:
    """The scenario with each seat's state played by a human (standing answers as params).

    The scenario's scripted moves for a seat's state are dropped: the human decides
    what that state does. Scripted moves of other states and scheduled injects stay.
    """
    out = copy.deepcopy(scenario)
    for state, params in seats.items():
        out.states[state].strategy = StrategySpec(kind=HUMAN, params=dict(params))
    out.script = [mv for mv in out.script if mv.state not in seats]
    return out


def parse_round(orders: Mapping[str, Sequence[dict]], injects: Sequence[dict]) -> tuple[dict[str, list[Action]], list[Inject]]:
    return ({seat: [parse_action(a) for a in acts] for seat, acts in orders.items()},
            [parse_inject(i) for i in injects])


Answer = tuple[str, str, str | None, str]  # (kind, source, target, sector): a question a seat answered


def play_round(model: GeoModel, orders: Mapping[str, list[Action]], injects: Sequence[Inject],
               answers: Mapping[str, Mapping[Answer, bool]] | None = None) -> list[dict]:
    """Adjudicate the coming round: seats' sealed orders (a seat not named holds), the
    facilitator's injects, the seats' own answers to what the round asks them (a
    question not answered gets the seat's standing stance), then one step of the engine.

    Returns what the round asked each human seat: [{seat, kind, source, target,
    sector, answered, yes}]. A question the seat left unanswered adds a "standing"
    event to the round's log, so the log says the standing stance applied."""
    for inj in injects:
        model.add_inject(inj)
    for seat, actions in orders.items():
        model.submit(seat, list(actions))
    names, sectors = model.world.states.names, model.world.sectors.names
    seats = {names[a.index]: a.strategy for a in model.state_agents if getattr(a.strategy, "kind", None) == HUMAN}
    for seat, strategy in seats.items():
        strategy.answers = {_engine_key(q, names, sectors): bool(v) for q, v in (answers or {}).get(seat, {}).items()}
    try:
        model.step()
    finally:
        for strategy in seats.values():
            strategy.answers = {}
    asked = []
    for seat, strategy in seats.items():
        for q in strategy.asked:
            key = q["key"]
            kind, source = key[0], names[key[1]]
            target = names[key[2]] if kind == "proposal" else None
            sector = sectors[key[-1]]
            asked.append({"seat": seat, "kind": kind, "source": source, "target": target, "sector": sector,
                          "answered": q["answered"], "yes": q["yes"]})
    _standing_events(model, asked)
    return asked


def _engine_key(q: Answer, names: list[str], sectors: list[str]) -> tuple:
    kind, source, target, sector = q
    if kind == "proposal":
        return ("proposal", names.index(source), names.index(target), sectors.index(sector))
    return ("demand", names.index(source), sectors.index(sector))


def _standing_events(model: GeoModel, asked: list[dict]) -> None:
    """One event per question a seat left unanswered: its standing stance applied."""
    from game.events import Event
    from game.words import Labels, answer_text

    labels = Labels.of(model)
    new = []
    for q in asked:
        if q["answered"]:
            continue
        what = (f"{q['source']}'s proposal to join its controls on {labels.sector(q['sector'])} to {q['target']}"
                if q["kind"] == "proposal" else f"{q['source']}'s demand over {labels.sector(q['sector'])}")
        new.append(Event(model.world.round, "standing", q["seat"],
                         f"{q['seat']} did not answer {what} before the round closed: its standing stance "
                         f"applied ({answer_text(q['kind'], q['yes'])})", q["source"], q["sector"]))
    if new:
        model.last_events = list(model.last_events) + new
        log = getattr(model.datacollector, "events", None)
        if isinstance(log, list):
            log.extend(new)


def hand_over(model: GeoModel, strategies: Mapping[str, dict]) -> None:
    """From the next round on, the named states play these strategies ({kind, params})."""
    for state, spec in strategies.items():
        model.set_strategy(state, spec["kind"], spec.get("params") or {})
