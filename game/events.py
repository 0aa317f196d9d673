"""The event log: every policy, proposal, answer, coercion, entry, exit and relocation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Event:
    round: int
    kind: str
    actor: str
    text: str
    target: str | None = None
    sector: str | None = None
    detail: dict = field(default_factory=dict)

    def as_row(self) -> dict:
        row = asdict(self)
        row["detail"] = repr(self.detail) if self.detail else ""
        return row
