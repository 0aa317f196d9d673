"""The sweep spec: a YAML file validated by pydantic, checked against its scenario.

    name: alliance_vs_unilateral
    scenario: ../default.yaml          # relative to this file
    fixed: {rounds: 12}                # set before the factors apply
    factors:
      variant: [no_control, unilateral, coordinated]
      compare.partners: {levels: [[JPN], [JPN, EU]], labels: [JPN, JPN+EU]}
      compare.enforcement: {low: 0.4, high: 1.0}   # a range: lhs / sobol only
    design: {method: grid}             # grid | lhs | sobol, with `samples`
    replications: 20
    seed: 0
    outcomes: {finals: [target_access, world_welfare], series: [target_access]}

`variant` is the one factor that is not a scenario path: it picks the
compare: experiment's arm (free_trade / no_control / unilateral / coordinated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from game import safe_yaml
from game.errors import SweepError
from game.experiment import ALIASES, VARIANTS
from game.scenario import content_digest

VARIANT = "variant"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Levels(_Strict):
    """Discrete levels, crossed in a grid (and with the samples of an lhs/sobol design)."""

    levels: list[Any] = Field(min_length=1)
    labels: list[str] | None = Field(None, description="Names for the levels in results (default: the values).")

    @model_validator(mode="after")
    def _labels_match(self) -> Levels:
        if self.labels is not None and len(self.labels) != len(self.levels):
            raise ValueError(f"labels: {len(self.labels)} labels for {len(self.levels)} levels")
        if self.labels is not None and len(set(self.labels)) != len(self.labels):
            raise ValueError("labels: must be distinct")
        return self


class Range(_Strict):
    """A continuous range, sampled by a Latin hypercube or a Sobol sequence."""

    low: float
    high: float
    log: bool = Field(False, description="Sample uniformly in log space (low must be > 0).")
    integer: bool = Field(False, description="Round samples to whole numbers.")

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError("log: needs low > 0")
        return self


def _factor_kind(value: Any) -> str | None:
    """Which kind of factor a value is meant to be, so a wrong one gets that kind's errors only."""
    if isinstance(value, (Levels, Range)):
        return "levels" if isinstance(value, Levels) else "range"
    if isinstance(value, dict):
        if "levels" in value or "labels" in value:
            return "levels"
        if {"low", "high", "log", "integer"} & value.keys():
            return "range"
    return None


FACTOR_EXPECTED = "expected a list of levels [a, b], {levels: [a, b]} or a range {low: x, high: y}"
Factor = Annotated[
    Annotated[Levels, Tag("levels")] | Annotated[Range, Tag("range")],
    Discriminator(_factor_kind, custom_error_type="factor_kind", custom_error_message=FACTOR_EXPECTED),
]


class Design(_Strict):
    method: Literal["grid", "lhs", "sobol"] = "grid"
    samples: Annotated[int, Field(ge=1)] | None = Field(
        None, description="lhs: number of points; sobol: base sample N (a power of 2), giving N*(k+2) points."
    )
    scramble: bool = True


class OutcomeSpec(_Strict):
    finals: list[str] | None = Field(None, description="One value per run (default: the compare metrics).")
    series: list[str] = Field(default_factory=list, description="Per-round series to keep (optional).")


class SweepSpec(_Strict):
    name: str
    description: str = ""
    scenario: str = Field(description="Base scenario YAML, relative to the spec file.")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Scenario paths set before the factors.")
    variant: Literal["free_trade", "no_control", "none", "unilateral", "coordinated"] | None = Field(
        None, description="The compare arm when `variant` is not a factor (None: no treatment)."
    )
    factors: dict[str, Factor] = Field(default_factory=dict)
    design: Design = Field(default_factory=Design)
    replications: Annotated[int, Field(ge=1)] = 1
    seed: Annotated[int, Field(ge=0)] = 0
    outcomes: OutcomeSpec = Field(default_factory=OutcomeSpec)

    @field_validator("factors", mode="before")
    @classmethod
    def _lists_are_levels(cls, value: Any) -> Any:
        # `path: [a, b]` is shorthand for `path: {levels: [a, b]}`.
        if isinstance(value, dict):
            return {k: {"levels": v} if isinstance(v, list) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _design_fits_factors(self) -> SweepSpec:
        ranges = [k for k, f in self.factors.items() if isinstance(f, Range)]
        method, n = self.design.method, self.design.samples
        if method == "grid" and ranges:
            raise ValueError(f"design.method grid needs lists of levels; ranges given for {', '.join(ranges)} "
                             "(use method lhs or sobol)")
        if method != "grid" and not ranges:
            raise ValueError(f"design.method {method} samples ranges ({{low, high}}); no factor is a range")
        if method != "grid" and n is None:
            raise ValueError(f"design.samples: method {method} needs a number of samples")
        if method == "sobol" and n & (n - 1):
            raise ValueError(f"design.samples: sobol needs a power of 2 (got {n}; try {1 << (n - 1).bit_length()})")
        if VARIANT in self.factors:
            f = self.factors[VARIANT]
            bad = [v for v in getattr(f, "levels", [None]) if v not in (*VARIANTS, *ALIASES)]
            if isinstance(f, Range) or bad:
                raise ValueError(f"factors.variant: levels must be among {', '.join(VARIANTS)} (got {bad})")
            if self.variant is not None:
                raise ValueError("variant: set either a fixed variant or a variant factor, not both")
        return self

    def digest(self) -> str:
        return content_digest(self)


_KINDS = {"levels": Levels, "range": Range}


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The spec model holding the field at `loc` (pydantic's location, a factor's kind included)."""
    parent = loc[:-1]
    if len(parent) == 3 and parent[0] == "factors":
        return _KINDS.get(parent[2])
    return {(): SweepSpec, ("design",): Design, ("outcomes",): OutcomeSpec}.get(parent)


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return f"a mapping with keys {', '.join(map(str, value))}" if value else "an empty mapping"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _problem(err: dict) -> str:
    """One line: the field's path as written in the spec, what was expected, what was given."""
    loc = tuple(err["loc"])
    kind, given = err["type"], err.get("input")
    # A factor's kind (levels or range) is a tag in pydantic's location, not a key of the spec.
    where = loc[:2] + loc[3:] if len(loc) >= 3 and loc[0] == "factors" and loc[2] in _KINDS else loc
    path = ".".join(map(str, where))
    if kind == "missing":
        return f"{path}: missing (a required field)"
    if kind == "extra_forbidden":
        model = _model_at(loc)
        known = f"; expected one of {', '.join(model.model_fields)}" if model is not None else ""
        return f"{path}: unknown field (given {_shown(given)}{known})"
    msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("value_error", "assertion_error"):  # the spec's own checks name the values themselves
        return f"{path}: {msg}" if path else msg
    msg = (msg.replace("Input should be ", "expected ", 1).replace("List should have ", "expected ", 1)
           .replace(" after validation", "").replace("a valid dictionary", "a mapping"))
    return f"{path or '(top level)'}: {msg} (given {_shown(given)})"


def format_spec_error(source: str, exc: ValidationError) -> str:
    """One short line per problem in a sweep spec: field path, what was expected, what was given."""
    lines = list(dict.fromkeys(_problem(e) for e in exc.errors()))  # one problem reached twice is one line
    return "\n".join([f"{source}: {len(lines)} problem(s) in the sweep spec", *(f"  {x}" for x in lines)])


def parse_spec(data: Any, source: str = "<sweep>") -> SweepSpec:
    if not isinstance(data, dict):
        raise SweepError(f"{source}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise SweepError(format_spec_error(source, exc)) from None


def read_spec(path: str | Path) -> tuple[SweepSpec, Path]:
    """The spec and the resolved path of its base scenario."""
    path = Path(path)
    if not path.is_file():
        raise SweepError(f"{path}: no such sweep spec")
    # Bounded as a scenario file is (game.safe_yaml): size, depth, aliases and merges, duplicate keys.
    try:
        data = safe_yaml.load(safe_yaml.read_text(path))
        safe_yaml.check_values(data, max_abs=float("inf"))  # finite numbers; a seed may be any size
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = "YAML refused" if isinstance(exc, safe_yaml.YamlLimit) else "malformed YAML"
        raise SweepError(f"{path}: {what}{where}: {getattr(exc, 'problem', None) or exc}") from None
    except OSError as exc:
        raise SweepError(f"{path}: cannot read the sweep spec ({exc.strerror or exc})") from None
    except ValueError as exc:  # too big, not UTF-8, a value refused (ValueProblem names its field)
        raise SweepError(f"{path}: {exc}") from None
    spec = parse_spec(data, str(path))
    return spec, (path.parent / spec.scenario).resolve()
