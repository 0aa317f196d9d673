"""The headline experiment of a scenario's `compare:` section, as a treatment.

Variants differ only in the controller's policy on the compared sectors and
target; every state still plays its strategy, but the controller's and the
partners' controls on those (sector, target) pairs are fixed by the variant.
"""

from __future__ import annotations

from game.actions import ExportControl
from game.scenario import CompareSpec

VARIANTS = ("none", "unilateral", "coordinated")


class Treatment:
    def __init__(self, spec: CompareSpec, variant: str, names: list[str], sectors: list[str]):
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
        self.spec, self.variant = spec, variant
        targets = [names.index(t) for t in (spec.target, *spec.also_to)]
        fixed = [names.index(spec.controller), *(names.index(p) for p in spec.partners)]
        self.locks = frozenset((i, t, sectors.index(s)) for i in fixed for t in targets for s in spec.sectors)
        self.controller = names.index(spec.controller)

    def orders(self, round_: int) -> list[ExportControl]:
        """The controller's orders this round: impose at the start; a coordinated
        control is re-proposed every round to partners that have not joined yet."""
        c = self.spec
        if self.variant == "none" or round_ < c.start_round:
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
