"""Scenario files: YAML validated by pydantic models.

A scenario declares states, sectors, firms, blocs, trust, strategies, scripted
moves and the economic parameters. Every model forbids unknown fields so a typo
is an error, not a silently ignored key.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from game import safe_yaml
from game.actions import Action
from game.errors import ScenarioError
from game.injects import Inject

SCHEMA_VERSION = 1


class Strict(BaseModel):
    # No NaN or infinity anywhere: a non-finite number is refused with its field's path.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]


class Objectives(Strict):
    """Weights a state puts on each outcome: the economic vs political logic balance."""

    welfare: Share = 0.4
    security: Share = 0.3
    technology: Share = 0.2
    cohesion: Share = 0.1


class StrategySpec(Strict):
    """Which strategy plays a state, with its parameters (strategy-specific)."""

    kind: str = "free_trader"
    params: dict[str, Any] = Field(default_factory=dict)


class StateSpec(Strict):
    gdp: Annotated[float, Field(gt=0.0, le=1e6)] = Field(description="GDP in billions of US dollars per round (year); "
                                                          "at most 1e6 (ten times today's world).")
    budget_share: Share = Field(0.002, description="Policy budget per round as a share of GDP.")
    objectives: Objectives = Field(default_factory=Objectives)
    rivals: list[str] = Field(default_factory=list, description="States this one treats as rivals.")
    strategy: StrategySpec = Field(default_factory=StrategySpec)
    resolve: Share = Field(0.5, description="Political cost of conceding to coercion (0..1).")
    screening: bool = Field(False, description="Investment screening in force at the start.")
    transit: TransitSpec | None = Field(
        None, description="A transit hub for goods under other states' export controls (re-exports); "
        "without it the state is an ordinary route with params.transit_capacity, transit_cost and transit_policing.")


class TransitSpec(Strict):
    """A state's traders as a route for controlled goods: they buy from a supplier whose state
    controls or embargoes a target and resell to the target, unless this state stops the
    target too. Fields left out take the ordinary route's defaults from params."""

    capacity: Share | None = Field(
        None, description="Re-exports the state's traders can handle per round, as a share of the world market "
        "of each sector (physical quantity); default params.transit_capacity. 0 closes the route.")
    route_cost: Annotated[float, Field(ge=0.0)] | None = Field(
        None, description="Ad valorem cost of the route (handling, extra freight, intermediaries' margin); "
        "default params.transit_cost.")
    policing: Share | None = Field(
        None, description="How far a controller's enforcement reaches re-exports through this state (customs "
        "cooperation, end-use checks): a shipment is caught with probability enforcement x policing; "
        "default params.transit_policing.")


class SectorSpec(Strict):
    label: str | None = Field(None, description="Name in plain words for event logs, e.g. 'chipmaking tools'.")
    demand_share: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        description="World spending on the sector as a share of world GDP.")
    demand_split: dict[str, Share] = Field(
        default_factory=dict,
        description="Shares of world demand by state (e.g. where the fabs are, for tools); "
        "states not listed share the rest in proportion to GDP.",
    )
    # 1.1..50 spans measured Armington and firm-level elasticities; nearer 1 the CES
    # aggregate's exponent sigma / (sigma - 1) runs away and welfare loses its meaning.
    sigma: Annotated[float, Field(ge=1.1, le=50.0)] = Field(4.0, description="Substitution elasticity between suppliers.")
    supply_elasticity: Annotated[float, Field(gt=0.0)] | None = Field(
        None, description="Elasticity of the sector's supply curve (utilisation against price); "
        "default: params.price_flex. Capacity-bound sectors (fabs, mines) are low; broad manufactures high.")
    markup: Annotated[float, Field(ge=1.0)] | None = Field(
        None, description="Price over unit cost at normal utilisation; default: params.markup.")
    criticality: Share = 0.5
    dual_use: bool = False
    frontier_growth: Annotated[float, Field(ge=0.0, le=0.5)] = 0.04
    inputs: dict[str, Share] = Field(
        default_factory=dict, description="Leontief input needs: sector -> share of capacity that depends on it."
    )
    tiers: Annotated[list[TierSpec], Field(min_length=1, max_length=6)] = Field(
        default_factory=lambda: [TierSpec(**t) for t in DEFAULT_TIERS],
        description="Product tiers of every firm in the sector (share of capacity, quality relative to the "
        "firm's best). A narrow export control covers only the tiers above its threshold.",
    )
    sourcing: dict[str, dict[str, Share]] = Field(
        default_factory=dict,
        description="Base-year bilateral shares: importer -> {origin: share of the importer's purchases "
        "(domestic included)}. The calibration reproduces them; origins not listed share the rest.",
    )


class TierSpec(Strict):
    """One product tier of every firm in a sector: its share of the firm's capacity and its
    quality relative to the firm's best (leading-edge) products."""

    share: Positive
    quality: Annotated[float, Field(gt=0.0, le=1.0)]


# Leading edge, the generation before, mature products: a generation is ~15% behind.
DEFAULT_TIERS = ({"share": 0.3, "quality": 1.0}, {"share": 0.4, "quality": 0.85}, {"share": 0.3, "quality": 0.7})


class FirmSpec(Strict):
    name: str
    home: str
    sector: str
    share: Annotated[float, Field(gt=0.0, le=1e6)] = Field(
        description="Share of world capacity in the sector (any unit: shares are normalised per sector)."
    )
    quality: Annotated[float, Field(gt=0.0, le=1.5)] = Field(1.0, description="Technology level relative to the frontier.")
    cost: Annotated[float, Field(gt=0.0, le=100.0)] = 1.0  # unit cost relative to the sector's norm
    compliance: Share = 0.7
    strategy: str = "profit_seeking"
    tech_content: dict[str, Share] = Field(
        default_factory=dict,
        description="Share of the firm's technology by origin state (normalised); default: its home, "
        "plus its inputs' origins in proportion to its sector's input needs.",
    )


class BlocSpec(Strict):
    members: list[str]
    tech_sharing: bool = False
    security_agreement: bool = False
    trade_agreement: bool = False


class TrustSpec(Strict):
    same_bloc: Share = 0.75
    other: Share = 0.45
    rivals: Share = 0.15
    pairs: dict[str, Share] = Field(default_factory=dict, description="'A-B': trust of A in B (and B in A).")


class ScriptedMove(Strict):
    round: Annotated[int, Field(ge=1)]
    state: str
    action: Action


class ScheduledInject(Strict):
    round: Annotated[int, Field(ge=1)]
    inject: Inject


class CompareSpec(Strict):
    """The headline experiment: one state's export control, alone or with partners."""

    controller: str
    target: str
    sectors: list[str]
    partners: list[str]
    also_to: list[str] = Field(
        default_factory=list,
        description="Further destinations the same control covers (e.g. a licensing regime for every buyer).",
    )
    scope: Literal["narrow", "broad"] = "broad"
    threshold: Share = Field(0.8, description="Narrow controls: share of the frontier above which goods are controlled.")
    enforcement: Share = 0.8
    start_round: Annotated[int, Field(ge=1)] = 1


class CaseCheck(Strict):
    """One band a historical case must land in: min <= metric <= max. Both ends are
    required: a band with one end cannot catch an overshoot."""

    metric: str
    min: float
    max: float
    note: str = ""

    @model_validator(mode="after")
    def _two_ends(self) -> CaseCheck:
        if not self.min < self.max:
            raise ValueError(f"band of {self.metric}: expected min < max (given min {self.min:g}, max {self.max:g})")
        return self


class CaseSpec(Strict):
    """A historical episode (FACTS.md): roles, sources, and the bands the model must meet."""

    title: str
    sources: list[str]
    actor: str = Field(description="The state that restricts or coerces.")
    target: str
    sector: str
    partners: list[str] = Field(default_factory=list)
    firm: str | None = Field(None, description="A firm the case follows (e.g. one on an entity list).")
    supplier: str | None = Field(None, description="A supplier firm the case follows (e.g. the foreign foundry of a listed firm).")
    start_round: Annotated[int, Field(ge=1)] = 1
    join_round: int | None = Field(None, description="Round the partners join, or the measure is widened "
                                   "(for before/after checks).")
    variant: Literal["no_control", "unilateral", "coordinated"] | None = Field(
        None, description="Play this arm of the compare: section (its no_control run is the baseline)."
    )
    baseline: Literal["drops", "free_trade"] = Field(
        "drops", description="The run the case is measured against: this scenario without the scripted moves "
        "of `baseline_drops` (drops), or the free-trade run with every state passive (free_trade).",
    )
    baseline_drops: list[str] = Field(
        default_factory=list,
        description="Without a variant: the baseline is this scenario without these states' scripted moves "
        "(empty: without any scripted move).",
    )
    checks: list[CaseCheck]


class Params(Strict):
    """Economic parameters shared by every scenario. See configs/README.md for their sources."""

    # Bounds keep every accepted world sane: a composite with no price response (eta -> 0)
    # makes any shortage infinitely costly; plants cannot vanish in a year; prices stay positive.
    demand_elasticity: Annotated[float, Field(ge=0.1, le=3.0)] = 1.0
    sourcing_adjustment: Annotated[float, Field(gt=0.0, le=1.0)] = 0.3
    input_dependence: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    joint_rd_spillover: Share = 0.5
    capacity_weight: Share = 0.3
    home_bias: Annotated[float, Field(ge=1.0)] = 1.3
    distance_cost: Share = 0.05
    markup: Annotated[float, Field(ge=1.0, le=10.0)] = 1.5
    target_utilisation: Annotated[float, Field(ge=0.3, le=1.0)] = 0.85
    price_flex: Annotated[float, Field(ge=0.1)] = 1.5
    price_floor: Annotated[float, Field(ge=0.05, lt=1.0)] = 0.7  # the reference price factor is 1
    price_cap: Annotated[float, Field(ge=1.5, le=100.0)] = 12.0
    # Price steps in clearing repeat until no firm's price factor moves by more than
    # clearing_tolerance (relative); clearing_iterations is the most steps (a guard).
    clearing_iterations: Annotated[int, Field(ge=1, le=200)] = 40
    clearing_tolerance: Annotated[float, Field(ge=0.0, le=0.01)] = 1e-4
    fixed_cost: Annotated[float, Field(ge=0.0, le=0.3)] = 0.04
    # A firm's organisation (research base, sales network, head office) costs `overhead` of the
    # revenue it is sized for, sold or not; it follows revenue up at once and is cut back by
    # `overhead_adjust` a round (restructuring takes years): the fixed cost that makes exit real.
    overhead: Annotated[float, Field(ge=0.0, le=0.3)] = 0.1
    overhead_adjust: Annotated[float, Field(gt=0.0, le=1.0)] = 0.1
    depreciation: Annotated[float, Field(ge=0.0, le=0.5)] = 0.05
    capex: Annotated[float, Field(ge=0.1, le=100.0)] = 2.0
    idle_retirement: Annotated[float, Field(ge=0.0, le=0.5)] = 0.3
    reinvest: Share = 0.6
    rd_weight: Annotated[float, Field(ge=0.0, le=5.0)] = 0.6
    lbd_weight: Annotated[float, Field(ge=0.0, le=5.0)] = 0.4
    rd_intensity_ref: Annotated[float, Field(ge=0.01, le=1.0)] = 0.1
    rd_absorption: Annotated[float, Field(ge=1.0, le=10.0)] = 3.0
    rd_scale_effect: Share = 0.25
    max_capacity_growth: Annotated[float, Field(gt=0.0, le=2.0)] = 0.25
    catch_up: Annotated[float, Field(ge=0.0, le=5.0)] = 0.3
    alliance_spillover: Share = 0.08
    trade_diffusion: Share = 0.02
    patent_secrecy_cost: Share = 0.1
    licence_cost: Annotated[float, Field(ge=0.0, le=1.0)] = 0.05
    third_country_leakage: Share = 0.5
    circumvention_fine: Annotated[float, Field(ge=0.0)] = 1.5
    diversification_speed: Share = 0.15
    diversification_max: Share = 0.6
    reliability_aversion: Share = 0.3
    embargo_rounds: Annotated[int, Field(ge=1)] = 2
    trust_step: Share = 0.05
    onlooker_trust_loss: Share = 0.04
    bankruptcy_rounds: Annotated[int, Field(ge=1)] = 3
    # A firm losing money that long on a business below this share of what it was built for
    # closes even with cash left (carrying on is worth less than closing).
    exit_scale: Share = 0.25
    # Technology-seeking acquisitions (rules/firm_dynamics.technology_bids): a firm is valued at
    # `deal_multiple` years of profit (enterprise value about 10x operating profit), sold at a
    # `control_premium` over that (takeover premiums average 30-40%), and a buyer may borrow up
    # to `deal_leverage` years of the two firms' profit (net debt about 3x EBITDA, the usual
    # investment-grade ceiling).
    deal_multiple: Annotated[float, Field(ge=1.0, le=50.0)] = 10.0
    control_premium: Annotated[float, Field(ge=0.0, le=2.0)] = 0.3
    deal_leverage: Annotated[float, Field(ge=0.0, le=10.0)] = 3.0
    champion_quality: Share = 0.6
    relocation_loss: Share = 0.15
    max_actions: Annotated[int, Field(ge=1)] = 4
    # Transit routes for controlled goods (game/rules/leakage.py); a state's `transit:` overrides them.
    transit_capacity: Share = 0.03
    transit_cost: Annotated[float, Field(ge=0.0)] = 0.15
    transit_policing: Share = 1.0
    # Circumvention decisions (agents/strategies/firms.py): a fully compliant firm's reputational
    # cost of circumventing, as a share of its revenue.
    reputation_cost: Share = 0.03


class Scenario(Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    name: str
    description: str = ""
    rounds: Annotated[int, Field(ge=1, le=1000)] = 20
    params: Params = Field(default_factory=Params)
    states: dict[str, StateSpec]
    sectors: dict[str, SectorSpec]
    firms: list[FirmSpec]
    blocs: dict[str, BlocSpec] = Field(default_factory=dict)
    trust: TrustSpec = Field(default_factory=TrustSpec)
    script: list[ScriptedMove] = Field(default_factory=list)
    injects: list[ScheduledInject] = Field(default_factory=list)
    compare: CompareSpec | None = None
    case: CaseSpec | None = None

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        states, sectors = set(self.states), set(self.sectors)

        def need(kind: str, name: str, where: str, pool: set[str]) -> None:
            if name not in pool:
                raise ValueError(f"{where}: unknown {kind} {name!r} (known: {', '.join(sorted(pool))})")

        if len(self.states) < 2:
            raise ValueError("states: a scenario needs at least two states")
        for n, st in self.states.items():
            for r in st.rivals:
                need("state", r, f"states.{n}.rivals", states)
        for n, sec in self.sectors.items():
            for st_name in sec.demand_split:
                need("state", st_name, f"sectors.{n}.demand_split", states)
            if sum(sec.demand_split.values()) > 1.0 + 1e-9:
                raise ValueError(f"sectors.{n}.demand_split: shares add up to more than 1")
            for r in sec.inputs:
                need("sector", r, f"sectors.{n}.inputs", sectors)
                if r == n:
                    raise ValueError(f"sectors.{n}.inputs: a sector cannot be its own input")
            makers = {f.home for f in self.firms if f.sector == n}
            for imp, by_origin in sec.sourcing.items():
                where = f"sectors.{n}.sourcing.{imp}"
                need("state", imp, where, states)
                for origin, share in by_origin.items():
                    need("state", origin, where, states)
                    if share > 0 and origin not in makers:
                        raise ValueError(f"{where}.{origin}: no firm of {origin} makes {n}, so it cannot supply "
                                         f"{share:.0%} (makers: {', '.join(sorted(makers))})")
                if sum(by_origin.values()) > 1.0 + 1e-9:
                    raise ValueError(f"{where}: shares add up to more than 1")
        names = set()
        for i, f in enumerate(self.firms):
            need("state", f.home, f"firms.{i}.home", states)
            need("sector", f.sector, f"firms.{i}.sector", sectors)
            for origin in f.tech_content:
                need("state", origin, f"firms.{i}.tech_content", states)
            if f.tech_content and sum(f.tech_content.values()) <= 0:
                raise ValueError(f"firms.{i}.tech_content: shares add up to 0")
            if f.name in names:
                raise ValueError(f"firms.{i}.name: duplicate firm name {f.name!r}")
            names.add(f.name)
        for s in sectors:
            if not any(f.sector == s for f in self.firms):
                raise ValueError(f"sectors.{s}: no firm supplies this sector")
        for b, bloc in self.blocs.items():
            for m in bloc.members:
                need("state", m, f"blocs.{b}.members", states)
        for pair in self.trust.pairs:
            a, _, b = pair.partition("-")
            need("state", a, f"trust.pairs.{pair}", states)
            need("state", b, f"trust.pairs.{pair}", states)
        for i, mv in enumerate(self.script):
            need("state", mv.state, f"script.{i}.state", states)
            if mv.round > self.rounds:
                raise ValueError(f"script.{i}.round: round {mv.round} is after the last round {self.rounds}")
        for i, sch in enumerate(self.injects):
            for role in ("state", "target"):
                name = getattr(sch.inject, role, None)
                if name is not None:
                    need("state", name, f"injects.{i}.inject.{role}", states)
            need("sector", sch.inject.sector, f"injects.{i}.inject.sector", sectors)
        if c := self.compare:
            need("state", c.controller, "compare.controller", states)
            need("state", c.target, "compare.target", states)
            for s in c.sectors:
                need("sector", s, "compare.sectors", sectors)
            for p in c.partners:
                need("state", p, "compare.partners", states)
            for p in c.also_to:
                need("state", p, "compare.also_to", states)
            if c.start_round > self.rounds:
                raise ValueError(f"compare.start_round: {c.start_round} is after the last round {self.rounds}")
        if k := self.case:
            for role in ("actor", "target"):
                need("state", getattr(k, role), f"case.{role}", states)
            need("sector", k.sector, "case.sector", sectors)
            for p in [*k.partners, *k.baseline_drops]:
                need("state", p, "case.partners", states)
            if k.firm is not None and k.firm not in names:
                raise ValueError(f"case.firm: unknown firm {k.firm!r}")
            if k.supplier is not None and k.supplier not in names:
                raise ValueError(f"case.supplier: unknown firm {k.supplier!r}")
            if k.variant and not self.compare:
                raise ValueError("case.variant: needs a compare: section")
        return self

    def digest(self) -> str:
        """A stable hash of the scenario's content (for manifests and resumes)."""
        return content_digest(self)


def _yaml_error(path: Path, exc: yaml.YAMLError) -> ScenarioError:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
    problem = getattr(exc, "problem", None) or str(exc)
    what = "YAML refused" if isinstance(exc, safe_yaml.YamlLimit) else "malformed YAML"
    return ScenarioError(f"{path}: {what} at {where}: {problem}")


def content_digest(model: BaseModel) -> str:
    """A stable hash of a pydantic model's content (for manifests and resumes)."""
    blob = json.dumps(model.model_dump(mode="json"), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _problem(err: dict) -> str:
    """One line: the dotted field path, what was expected, what was given."""
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "missing":
        return f"  {loc}: missing (a required field)"
    msg = err["msg"].removeprefix("Value error, ")
    got = err.get("input")
    shown = "" if isinstance(got, (dict, list)) or got is None else f" (got {_short_repr(got)})"
    return f"  {loc}: {msg}{shown}"


MAX_PROBLEMS = 20  # problems listed in one message (the rest are counted)
MAX_EXTENDS = 8  # files in one `extends:` chain


def scenario_from_dict(data: Any, source: str = "<scenario>", max_values: int = safe_yaml.MAX_NODES) -> Scenario:
    """Validate a scenario given as plain data; raise ScenarioError (and only that) with
    one line per problem: the dotted field path and what was expected.

    Bounded like a file (game.safe_yaml.check_values): depth, size (`max_values`; large
    generated worlds raise it), every number finite and of a sensible magnitude;
    strategy kinds and parameters are checked here too (game.strategy_params), not when
    round 1 runs."""
    from game.strategy_params import strategy_problems

    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        safe_yaml.check_values(data, max_nodes=max_values)
    except safe_yaml.ValueProblem as exc:
        raise ScenarioError(f"{source}: 1 problem(s) in the scenario\n  {exc}") from None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        lines = [_problem(err) for err in exc.errors()[:MAX_PROBLEMS]]
        if exc.error_count() > MAX_PROBLEMS:
            lines.append(f"  ... and {exc.error_count() - MAX_PROBLEMS} more")
        raise ScenarioError("\n".join([f"{source}: {exc.error_count()} problem(s) in the scenario", *lines])) from None
    problems = strategy_problems(scenario)
    if problems:
        lines = [f"  {where}: {what}" for where, what in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"  ... and {len(problems) - MAX_PROBLEMS} more")
        raise ScenarioError("\n".join([f"{source}: {len(problems)} problem(s) in the scenario", *lines]))
    return scenario


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _merge(base: Any, over: Any) -> Any:
    """Mappings merge key by key; anything else in `over` replaces what `base` had."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {k: _merge(base[k], v) if k in base else v for k, v in {**base, **over}.items()}
    return over


def read_yaml(path: Path, _seen: tuple[Path, ...] = ()) -> Any:
    """Parse a scenario file, following `extends: other.yaml` (relative to the file).

    Bounded (game.safe_yaml): the file's size, nesting depth, size with aliases and
    merge keys expanded; a duplicate key, a file that is not UTF-8 or a non-finite
    number is an error. `extends:` must name a scenario file holding a mapping, and a
    file that extends another must be a mapping itself."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: no such scenario file")
    if path.resolve() in _seen:
        raise ScenarioError(f"{path}: extends itself through {' -> '.join(map(str, _seen))}")
    if len(_seen) >= MAX_EXTENDS:
        raise ScenarioError(f"{path}: more than {MAX_EXTENDS} files in one extends: chain")
    try:
        data = safe_yaml.load(safe_yaml.read_text(path))
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    try:
        safe_yaml.check_values(data)
    except safe_yaml.ValueProblem as exc:
        raise ScenarioError(f"{path}: 1 problem(s) in the scenario\n  {exc}") from None
    if isinstance(data, dict) and "extends" in data:
        parent_name = data.pop("extends")
        if not isinstance(parent_name, str) or not parent_name.strip():
            raise ScenarioError(f"{path}: extends: expected the path of a scenario file, relative to this one "
                                f"(got {_short_repr(parent_name)})")
        parent = path.parent / parent_name
        if not parent.is_file():
            raise ScenarioError(f"{path}: extends: no such scenario file {parent}")
        base = read_yaml(parent, (*_seen, path.resolve()))
        if not isinstance(base, dict):
            raise ScenarioError(f"{path}: extends: {parent} holds {type(base).__name__}, not a scenario "
                                "(a mapping of fields)")
        data = _merge(base, data)
    return data


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file; raise ScenarioError with a clear message."""
    path = Path(path)
    return scenario_from_dict(read_yaml(path), str(path))


def json_schema() -> dict:
    return Scenario.model_json_schema()
