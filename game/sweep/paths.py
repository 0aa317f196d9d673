"""Dotted factor paths into a scenario: which exist, nearest matches, setting a value.

A path addresses the scenario's `model_dump()` dict: `compare.enforcement`,
`sectors.chips.sigma`, `states.USA.strategy.kind`, `firms.0.quality`. It may
also name a key that is not in the dump yet when the schema declares that
mapping free-form (`states.USA.strategy.params.threshold`,
`sectors.chips.demand_split.BETA`): those keys are the scenario's to invent.
"""

from __future__ import annotations

import copy
import difflib
import typing
from typing import Any

from pydantic import BaseModel

from game.scenario import Scenario


def existing_paths(data: Any, prefix: str = "") -> list[str]:
    """Every node path of a dumped scenario, parents before children."""
    out: list[str] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        path = f"{prefix}{key}"
        out.append(path)
        out += existing_paths(value, path + ".")
    return out


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `Params`, `X | None`, `Annotated[X, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if found := _model_of(arg):
            return found
    return None


def _is_free_mapping(annotation: Any) -> bool:
    """A `dict[str, V]` whose values are plain data (not models): new keys are allowed."""
    origin = typing.get_origin(annotation)
    if origin is dict:
        return _model_of(typing.get_args(annotation)[1]) is None
    return any(_is_free_mapping(a) for a in typing.get_args(annotation))


def _annotation_at(parts: list[str]) -> Any:
    """The schema annotation of the node a path points to (None when it cannot be told)."""
    node: Any = Scenario
    for part in parts:
        model = _model_of(node)
        if model is not None and part in model.model_fields:
            node = model.model_fields[part].annotation
            continue
        args = typing.get_args(node)
        origin = typing.get_origin(node)
        if origin in (dict, list) and args:
            node = args[-1]  # a key of a dict or an index of a list: step into the value type
            continue
        if args:  # Optional / Annotated wrappers around a container
            inner = next((a for a in args if typing.get_origin(a) in (dict, list)), None)
            if inner is not None:
                node = typing.get_args(inner)[-1]
                continue
        return None
    return node


def is_valid(path: str, base: dict, known: set[str]) -> bool:
    if path in known:
        return True
    parent, _, _ = path.rpartition(".")
    # A new key is fine directly under an existing free-form mapping.
    return bool(parent) and parent in known and _is_free_mapping(_annotation_at(parent.split(".")))


def suggest(path: str, known: list[str], n: int = 3) -> list[str]:
    """The nearest valid paths, for an error message."""
    close = difflib.get_close_matches(path, known, n=n, cutoff=0.6)
    if close:
        return close
    # Fall back on paths sharing the last segment (e.g. `sigma` under another sector).
    leaf = path.rsplit(".", 1)[-1]
    return [p for p in known if p.rsplit(".", 1)[-1] == leaf][:n]


def set_path(data: dict, path: str, value: Any) -> None:
    """Set `value` at a dotted path in a nested dict/list, in place."""
    parts = path.split(".")
    node: Any = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = copy.deepcopy(value)
    else:
        node[last] = copy.deepcopy(value)
