"""The experiment arms of a scenario, as treatments.

- `free_trade`: the reference world of welfare analysis: every state passive
  (no instrument, no coalition), no scripted moves, no policy injects.
- `no_control`: every state plays its strategy; the compared control is not imposed.
- `unilateral`, `coordinated`: the scenario's `compare:` control, by the
  controller alone or proposed to its partners.

In the last three every state still plays its strategy, but the controller's and
the partners' controls on the compared (sector, target) pairs are fixed by the arm.
"""

from __future__ import annotations

from game.actions import ExportControl
from game.arms import ALIASES, BASELINE, VARIANTS  # noqa: F401 (re-exported: the arms' names)
from game.scenario import CompareSpec


def canonical(variant: str | None) -> str | None:
    """The arm's name, accepting earlier aliases; ValueError for an unknown one."""
    if variant is None:
        return None
    variant = ALIASES.get(variant, variant)
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
    return variant


class Treatment:
    def __init__(self, spec: CompareSpec | None, variant: str, names: list[str], sectors: list[str]):
        self.spec, self.variant = spec, canonical(variant)
        self.passive = self.variant == "free_trade"
        if spec is None:
            self.locks, self.controller = frozenset(), None
            return
        targets = [names.index(t) for t in (spec.target, *spec.also_to)]
        fixed = [names.index(spec.controller), *(names.index(p) for p in spec.partners)]
        self.locks = frozenset((i, t, sectors.index(s)) for i in fixed for t in targets for s in spec.sectors)
        self.controller = names.index(spec.controller)

    def orders(self, round_: int) -> list[ExportControl]:
        """The controller's orders this round: impose at the start; a coordinated
        control is re-proposed every round to partners that have not joined yet."""
        c = self.spec
        if c is None or self.variant in ("free_trade", "no_control") or round_ < c.start_round:
            return []
        if self.variant == "unilateral" and round_ > c.start_round:
            return []
        return [
            ExportControl(
                sector=s, target=t, scope=c.scope, threshold=c.threshold, enforcement=c.enforcement,
                coordinated=self.variant == "coordinated", partners=list(c.partners),
            )
            for s in c.sectors
            for t in (c.target, *c.also_to)
        ]
