"""Strategy parameters checked when a scenario is loaded, not when round 1 runs.

A scenario's `states.X.strategy` is `{kind, params}` and the params belong to
the strategy class (agents/strategies/states.py, its `defaults`). Here each
class gets a strict pydantic model built from its defaults: every parameter
typed (no "soon" for a number of rounds, no "yes" for a boolean), ranged where
the game gives it a meaning (shares and probabilities in 0..1, tariff rates as
in `set_tariff`, counts >= 0), finite; an unknown parameter is an error naming
the known ones. A parameter without an entry in `RANGES` (a new one) is still
typed by its default. Finally the strategy is built once with the checked
params, so whatever its constructor refuses is refused at load too.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0, le=5.0)]  # as game.actions.SetTariff.rate
Count = Annotated[int, Field(ge=0, le=1000)]

# Parameter name -> type, for the state strategies' parameters (by name: the same name means
# the same thing in every strategy).
RANGES: dict[str, Any] = {
    "threshold": Annotated[float, Field(ge=0.0, le=1.5)],  # as game.actions.ExportControl.threshold
    "enforcement": Share,
    "min_share": Share,
    "rd_share": Share,
    "tariff": Rate,
    "rate": Rate,
    "scope": Literal["narrow", "broad"],
    "min_partners": Count,
    "min_dependence": Share,
    "boldness": Share,
    "cooldown": Count,
    "temperature": Annotated[float, Field(gt=0.0, le=100.0)],
    "explore": Share,
    "hold": Annotated[int, Field(ge=1, le=1000)],
    "generosity": Share,
    "concentration": Share,
    "secrecy_margin": Annotated[float, Field(ge=0.0, le=1.5)],
    "reshore_share": Share,
    "stockpile_share": Share,
    "diversify_share": Share,
    "accept_proposals": bool,
    "concede": bool,
}

_CONFIG = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


@cache
def params_model(kind: str) -> type[BaseModel]:
    """The strict model of one state strategy's parameters."""
    from agents.strategies import STATE_STRATEGIES

    cls = STATE_STRATEGIES[kind]
    fields = {name: (RANGES.get(name, type(default)), default) for name, default in cls.defaults.items()}
    return create_model(f"{cls.__name__}Params", __config__=_CONFIG, **fields)


def strategy_problems(scenario) -> list[tuple[str, str]]:
    """(dotted path, problem) for every strategy kind and parameter the scenario gets wrong."""
    from agents.strategies import FIRM_STRATEGIES, STATE_STRATEGIES

    problems: list[tuple[str, str]] = []
    for name, st in scenario.states.items():
        where = f"states.{name}.strategy"
        kind, params = st.strategy.kind, st.strategy.params
        if kind not in STATE_STRATEGIES:
            known = ", ".join(sorted(STATE_STRATEGIES))
            problems.append((where, f"unknown state strategy {kind!r} (known: {known})"))
            continue
        try:
            params_model(kind).model_validate(params)
        except ValidationError as exc:
            known = ", ".join(sorted(STATE_STRATEGIES[kind].defaults)) or "none"
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                msg = err["msg"]
                if err["type"] == "extra_forbidden":
                    msg = f"unknown parameter of strategy {kind!r} (known: {known})"
                got = err.get("input")
                shown = "" if isinstance(got, (dict, list)) or err["type"] == "extra_forbidden" else \
                    f" (got {_short(got)})"
                problems.append((f"{where}.params.{loc}", f"{msg}{shown}"))
            continue
        try:
            STATE_STRATEGIES[kind](**params)
        except (ValueError, TypeError) as exc:
            problems.append((f"{where}.params", str(exc)))
    for i, firm in enumerate(scenario.firms):
        if firm.strategy not in FIRM_STRATEGIES:
            known = ", ".join(FIRM_STRATEGIES)
            problems.append((f"firms.{i}.strategy", f"unknown firm strategy {firm.strategy!r} (known: {known})"))
    return problems


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


__all__ = ["RANGES", "params_model", "strategy_problems"]
