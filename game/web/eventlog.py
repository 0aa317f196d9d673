"""The round's event log in plain words, as an HTML list with a tag per kind."""

from __future__ import annotations

from collections.abc import Sequence

from game.events import Event
from game.web.svg import esc

# Event kind -> (tag shown, colour).
TAGS = {
    "control": ("controls", "#d62728"),
    "lift_control": ("controls", "#d62728"),
    "proposal": ("coalition", "#7b3fa0"),
    "joined": ("coalition", "#7b3fa0"),
    "declined": ("coalition", "#7b3fa0"),
    "coalition_failed": ("coalition", "#7b3fa0"),
    "demand": ("coercion", "#ff7f0e"),
    "conceded": ("coercion", "#ff7f0e"),
    "resisted": ("coercion", "#ff7f0e"),
    "embargo": ("coercion", "#ff7f0e"),
    "tariff": ("trade", "#4e79a7"),
    "lift_tariff": ("trade", "#4e79a7"),
    "entry": ("firms", "#59a14f"),
    "exit": ("firms", "#59a14f"),
    "relocation": ("firms", "#59a14f"),
    "acquisition": ("firms", "#59a14f"),
    "acquisition_blocked": ("firms", "#59a14f"),
    "subsidy": ("subsidy", "#9c755f"),
    "refused": ("refused", "#888888"),
}
ROUTINE = frozenset({"subsidy", "refused"})


def round_events(events: Sequence[Event], round_: int) -> list[Event]:
    return [e for e in events if e.round == round_]


def event_log(events: Sequence[Event], round_: int, *, routine: bool = False,
              start_hint: str = "The starting year: press Step to play round 1.") -> str:
    """HTML for the events of `round_`; subsidies and refused orders only if `routine`."""
    mine = round_events(events, round_)
    shown = [e for e in mine if routine or e.kind not in ROUTINE]
    hidden = len(mine) - len(shown)
    head = f"Round {round_}: {len(mine)} event{'s' * (len(mine) != 1)}"
    if hidden:
        head += f" ({hidden} subsidies or refused orders hidden)"
    items = []
    for e in shown:
        tag, col = TAGS.get(e.kind, (e.kind, "#555555"))
        items.append(
            f'<li class="hf-event" data-kind="{esc(e.kind)}"><span class="hf-tag" style="background:{col}">'
            f"{esc(tag)}</span> {esc(e.text)}</li>"
        )
    if round_ == 0:
        items.append(f'<li class="hf-quiet">{esc(start_hint)}</li>')
    elif not shown:
        items.append('<li class="hf-quiet">Nothing notable happened this round.</li>')
    return f'<div class="hf-log"><div class="hf-log-head">{esc(head)}</div><ul>{"".join(items)}</ul></div>'
