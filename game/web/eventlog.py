"""A round's event log in plain words, as an HTML list: a tag per kind of event and
a dot in the colour of the state that acted (the palette of the map and charts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from game.events import Event
from game.web.svg import esc

TAG_COLOUR = "#4a4a4a"  # one neutral for every tag: colour belongs to states
# Event kind -> (tag shown, tag colour).
TAGS = {kind: (tag, TAG_COLOUR) for kind, tag in {
    "control": "controls",
    "lift_control": "controls",
    "proposal": "coalition",
    "joined": "coalition",
    "declined": "coalition",
    "coalition_failed": "coalition",
    "demand": "coercion",
    "conceded": "coercion",
    "resisted": "coercion",
    "embargo": "coercion",
    "tariff": "trade",
    "lift_tariff": "trade",
    "entry": "firms",
    "exit": "firms",
    "relocation": "firms",
    "acquisition": "firms",
    "acquisition_blocked": "firms",
    "subsidy": "subsidy",
    "refused": "refused",
}.items()}
ROUTINE = frozenset({"subsidy", "refused"})


def round_events(events: Sequence[Event], round_: int) -> list[Event]:
    return [e for e in events if e.round == round_]


def event_log(events: Sequence[Event], round_: int, *, routine: bool = False,
              start_hint: str = "The starting year: press Step to play round 1.",
              colours: Mapping[str, str] | None = None, latest: int | None = None) -> str:
    """HTML for the events of `round_`; subsidies and refused orders only if `routine`.
    `colours` (state -> colour) puts a dot of the acting state's colour before each
    event; `latest` (the last round played) says when an older round is shown."""
    mine = round_events(events, round_)
    shown = [e for e in mine if routine or e.kind not in ROUTINE]
    hidden = len(mine) - len(shown)
    head = f"Round {round_}: {len(mine)} event{'s' * (len(mine) != 1)}"
    if hidden:
        head += f" ({hidden} subsidies or refused orders hidden)"
    if latest is not None and round_ < latest:
        head += f"; a past round (the run is at round {latest})"
    colours = colours or {}
    items = []
    for e in shown:
        tag, col = TAGS.get(e.kind, (e.kind, TAG_COLOUR))
        dot = colours.get(e.actor)
        chip = (f'<span class="hf-dot" style="background:{dot}" title="{esc(e.actor)}"></span>' if dot
                else '<span class="hf-dot hf-dot-none"></span>')
        items.append(
            f'<li class="hf-event" data-kind="{esc(e.kind)}" data-actor="{esc(e.actor)}">{chip}'
            f'<span class="hf-tag" style="background:{col}">{esc(tag)}</span> {esc(e.text)}</li>'
        )
    if round_ == 0:
        items.append(f'<li class="hf-quiet">{esc(start_hint)}</li>')
    elif not shown:
        items.append('<li class="hf-quiet">Nothing notable happened this round.</li>')
    return f'<div class="hf-log"><div class="hf-log-head">{esc(head)}</div><ul>{"".join(items)}</ul></div>'
