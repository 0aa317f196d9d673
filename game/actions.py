"""Typed actions: what states can order in a round (a discriminated union on `kind`).

Actions only describe intent. `game.policy_book` checks them against the world
and applies the legal ones.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Rate = Annotated[float, Field(ge=0.0, le=5.0)]
Money = Annotated[float, Field(gt=0.0)]


class SetTariff(_Action):
    """Set (or with rate 0, lift) an import tariff on a partner's goods in a sector."""

    kind: Literal["set_tariff"] = "set_tariff"
    partner: str
    sector: str
    rate: Rate


class TradeAgreement(_Action):
    """Sign (takes effect once both sides have signed) or leave a trade agreement."""

    kind: Literal["trade_agreement"] = "trade_agreement"
    partner: str
    join: bool = True


class SecurityAgreement(_Action):
    """Sign or leave a security agreement (clearance), needed for joint R&D."""

    kind: Literal["security_agreement"] = "security_agreement"
    partner: str
    join: bool = True


class ExportControl(_Action):
    """Control exports of a sector to a target.

    narrow: only product tiers above `threshold` x frontier ("small yard, high
    fence"); with `tracking` the threshold follows the moving frontier; without
    it the control lists the goods of the round it was imposed (from the
    threshold up to that round's frontier), so newer, better products escape it.
    coordinated: also proposed to `partners`, who answer this round; with
    `min_partners` the control only starts if that many accept.
    licence_approval: a licence requirement instead of a ban: this share of the
    covered exports is approved (ordering the control again with another rate
    tightens or relaxes it).
    entities: named firms of the target (an entity list): the control covers what
    is sold to them (the inputs they need), not the target state's whole market.
    direct_product: the control also reaches goods made abroad whose technology
    is more than `de_minimis` the controller's (e.g. chips made with its tools);
    without it, only goods made in the controlling state are covered.
    """

    kind: Literal["export_control"] = "export_control"
    sector: str
    target: str
    scope: Literal["narrow", "broad"] = "broad"
    threshold: Annotated[float, Field(ge=0.0, le=1.5)] = 0.8
    tracking: bool = True
    enforcement: Annotated[float, Field(ge=0.0, le=1.0)] = 0.8
    coordinated: bool = False
    partners: list[str] = Field(default_factory=list)
    min_partners: Annotated[int, Field(ge=0)] = 0
    licence_approval: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    entities: list[str] = Field(default_factory=list)
    direct_product: bool = False
    de_minimis: Annotated[float, Field(ge=0.0, le=1.0)] = 0.25


class LiftControl(_Action):
    kind: Literal["lift_control"] = "lift_control"
    sector: str
    target: str


class ImportExclusion(_Action):
    """Exclude a rival's vendors of a sector from critical infrastructure (e.g. 5G)."""

    kind: Literal["import_exclusion"] = "import_exclusion"
    sector: str
    rival: str
    on: bool = True


class InvestmentScreening(_Action):
    """Screen (block) acquisitions of home firms by firms from non-allied states."""

    kind: Literal["investment_screening"] = "investment_screening"
    on: bool = True


class PatentSecrecy(_Action):
    """Non-published patents in a sector: slows diffusion to rivals, costs some home spillover."""

    kind: Literal["patent_secrecy"] = "patent_secrecy"
    sector: str
    on: bool = True


class Subsidy(_Action):
    """Pay home firms of a sector for R&D or capacity, from this round's budget."""

    kind: Literal["subsidy"] = "subsidy"
    sector: str
    target: Literal["rd", "capacity"] = "capacity"
    amount: Money


class Stockpile(_Action):
    """Buy a stockpile of a critical input (bought at this round's price index)."""

    kind: Literal["stockpile"] = "stockpile"
    sector: str
    amount: Money


class JointRD(_Action):
    """A public-private R&D program with partners; each needs a security agreement."""

    kind: Literal["joint_rd"] = "joint_rd"
    sector: str
    partners: list[str]
    amount: Money


class Coerce(_Action):
    """Demand a concession from a target under threat of an embargo on a sector."""

    kind: Literal["coerce"] = "coerce"
    target: str
    sector: str


class Embargo(_Action):
    """Halt exports of a sector to a target (retaliation or a scripted shock)."""

    kind: Literal["embargo"] = "embargo"
    target: str
    sector: str
    rounds: Annotated[int, Field(ge=1)] = 2


class LiftEmbargo(_Action):
    kind: Literal["lift_embargo"] = "lift_embargo"
    target: str
    sector: str


class Diversify(_Action):
    """Spend to move supply of a sector away from one supplier state."""

    kind: Literal["diversify"] = "diversify"
    sector: str
    away_from: str
    amount: Money


class Stance(_Action):
    """A human seat's sealed answers, from this round on: join partners' coalition
    proposals, and concede to coercive demands? (AI strategies answer for themselves.)"""

    kind: Literal["stance"] = "stance"
    accept_proposals: bool = False
    concede: bool = False


class Hold(_Action):
    """Do nothing new: policies in force stay."""

    kind: Literal["hold"] = "hold"


ACTION_TYPES: tuple[type[_Action], ...] = (
    SetTariff,
    TradeAgreement,
    SecurityAgreement,
    ExportControl,
    LiftControl,
    ImportExclusion,
    InvestmentScreening,
    PatentSecrecy,
    Subsidy,
    Stockpile,
    JointRD,
    Coerce,
    Embargo,
    LiftEmbargo,
    Diversify,
    Stance,
    Hold,
)
Action = Annotated[Union[ACTION_TYPES], Field(discriminator="kind")]  # noqa: UP007

ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)
ACTION_KINDS: tuple[str, ...] = tuple(cls.model_fields["kind"].default for cls in ACTION_TYPES)


def parse_action(data: dict | str) -> Action:
    """Validate a dict or JSON string into a typed action."""
    if isinstance(data, str):
        return ACTION_ADAPTER.validate_json(data)
    return ACTION_ADAPTER.validate_python(data)
