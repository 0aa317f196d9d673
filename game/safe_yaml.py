"""Bounded reading of the YAML and plain data users hand us (scenarios, sweep specs).

A scenario file is input from anyone: a few hundred bytes of aliases or merge
keys (`<<: [*a, *a]`, nested) expand to gigabytes, a thousand nested brackets
overflow the stack, a duplicate key silently replaces the first. So a file is
read in three passes, each bounded:

1. its size is checked before it is read (`MAX_BYTES`), and it must be UTF-8;
2. libyaml's event parser (iterative, in C) measures the nesting depth
   (`MAX_DEPTH`) and counts the events before any node tree is built;
3. the composed node graph is walked once: the size it would have with every
   alias and merge key expanded (`MAX_NODES`, computed with memoisation, so the
   walk itself stays linear), recursive aliases, and duplicate keys in a
   mapping (keys brought in by a merge key may be overridden, as YAML says).

Only then is the graph turned into Python objects (PyYAML's SafeConstructor).
`check_values` then bounds the plain data itself (from YAML or from Python):
depth, size, and numbers that are finite and of a sensible magnitude.

Every refusal is a `YamlLimit` (a `yaml.MarkedYAMLError`, with the line and
column) or a `ValueProblem` (with the dotted path of the field).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.scanner import ScannerError

MAX_BYTES = 1 << 20  # a scenario is a few KiB; a session stores the whole scenario, every default spelled out
MAX_DEPTH = 64  # the deepest real scenario nests 6 levels
MAX_NODES = 50_000  # with aliases and merges expanded; configs/default.yaml is about 1,500
MAX_ABS = 1e15  # no quantity, share or count of the game comes near: larger is a typo or an attack
MERGE_TAG = "tag:yaml.org,2002:merge"

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present


class YamlLimit(yaml.MarkedYAMLError):
    """YAML refused before it is built: too deep, too big once expanded, a duplicate key."""


class ValueProblem(ValueError):
    """A value refused in plain data: `path` is the dotted field path."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path or '(top level)'}: {problem}")
        self.path, self.problem = path, problem


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, refused (ValueError with the reason) when too big or not UTF-8.
    Reads at most `max_bytes + 1` bytes, whatever the file claims its size is."""
    with open(path, "rb") as fh:
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ValueError(f"the file is over {max_bytes // 1024} KiB (the limit for a scenario or spec file)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                         "save the file as UTF-8") from None


def _check_events(text: str, max_depth: int, max_events: int) -> None:
    depth = events = 0
    loader = _LOADER(text)
    try:
        while True:
            try:
                if not loader.check_event():
                    break
            except ScannerError as exc:
                # The libyaml in PyYAML 6.0.4's wheels scans a deep flow collection ahead and
                # stops at its own depth limit before the events reach ours: the same refusal.
                if "nesting depth" not in str(exc.problem):
                    raise
                raise YamlLimit(problem=f"nested deeper than {max_depth} levels",
                                problem_mark=exc.problem_mark) from None
            ev = loader.get_event()
            events += 1
            if isinstance(ev, CollectionStartEvent):
                depth += 1
                if depth > max_depth:
                    raise YamlLimit(problem=f"nested deeper than {max_depth} levels", problem_mark=ev.start_mark)
            elif isinstance(ev, CollectionEndEvent):
                depth -= 1
            if events > 2 * max_events:
                raise YamlLimit(problem=f"more than {max_events} values", problem_mark=ev.start_mark)
    finally:
        loader.dispose()


class _Walk:
    """One pass over a composed node graph: expanded size, cycles, duplicate keys."""

    def __init__(self, max_nodes: int):
        self.max_nodes = max_nodes
        self.size: dict[int, int] = {}
        self.open: set[int] = set()
        self.keys = SafeConstructor()

    def key(self, node) -> Any:
        if isinstance(node, ScalarNode):
            try:
                return ("scalar", self.keys.construct_object(node, deep=True))
            except Exception:  # noqa: BLE001 - an unconstructible key is reported when it is built
                return ("raw", node.tag, node.value)
        return ("node", id(node))

    def __call__(self, node) -> int:
        nid = id(node)
        if nid in self.size:
            return self.size[nid]
        if nid in self.open:
            raise YamlLimit(problem="an alias refers to the collection that contains it (a recursive structure)",
                            problem_mark=node.start_mark)
        self.open.add(nid)
        n = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                n += self(child)
                self._bound(n, child)
        elif isinstance(node, MappingNode):
            seen: dict[Any, Any] = {}
            for k, v in node.value:
                if k.tag != MERGE_TAG:
                    key = self.key(k)
                    try:
                        first = seen.setdefault(key, k)
                    except TypeError:  # an unhashable key: PyYAML refuses it when building the mapping
                        first = k
                    if first is not k:
                        shown = k.value if isinstance(k, ScalarNode) else k.id
                        raise YamlLimit(context=f"while reading the mapping at line {node.start_mark.line + 1}",
                                        problem=f"duplicate key {shown!r} (first at line {first.start_mark.line + 1}); "
                                        "a key may appear once in a mapping",
                                        problem_mark=k.start_mark)
                n += self(k) + self(v)
                self._bound(n, v)
        self.open.discard(nid)
        self.size[nid] = n
        return n

    def _bound(self, n: int, node) -> None:
        if n > self.max_nodes:
            raise YamlLimit(problem=f"more than {self.max_nodes} values once aliases and merge keys (<<) are "
                            "expanded", problem_mark=node.start_mark)


def load(text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Any:
    """Parse one YAML document under the limits above (PyYAML's safe types only).

    Raises yaml.YAMLError (YamlLimit for a refusal) with the line and column, or
    ValueError for a scalar that cannot be built (a date like 2020-13-01, an
    integer of thousands of digits).
    """
    _check_events(text, max_depth, max_nodes)
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _Walk(max_nodes)(node)
        try:
            return loader.construct_document(node)
        except (ValueError, OverflowError, TypeError, RecursionError) as exc:
            # e.g. a date like 2020-13-01, an integer of thousands of digits
            raise ValueError(f"malformed YAML: a value cannot be read ({exc})") from None
    finally:
        loader.dispose()


def check_values(data: Any, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES,
                 max_abs: float = MAX_ABS) -> None:
    """Bound plain data (dicts, lists, scalars) from YAML or from Python: its depth and
    size, and every number finite and within +-max_abs. Raises ValueProblem with the
    dotted path of the first value refused."""
    stack: list[tuple[Any, tuple, int]] = [(data, (), 0)]
    count = 0
    while stack:
        value, path, depth = stack.pop()
        count += 1
        if count > max_nodes:
            raise ValueProblem(_dotted(path), f"more than {max_nodes} values in all")
        if isinstance(value, bool) or value is None or isinstance(value, str):
            continue
        if isinstance(value, (int, float)):
            _check_number(value, path, max_abs)
            continue
        if isinstance(value, (dict, list, tuple)):
            if depth >= max_depth:
                raise ValueProblem(_dotted(path), f"nested deeper than {max_depth} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((v, (*path, k), depth + 1) for k, v in reversed(list(items)))


def _check_number(x: float, path: tuple, max_abs: float) -> None:
    if isinstance(x, float) and not math.isfinite(x):
        raise ValueProblem(_dotted(path), f"expected a finite number (got {x!r})")
    if abs(x) > max_abs:
        shown = f"{x:.3g}" if isinstance(x, float) else (str(x) if x.bit_length() < 200 else "a huge integer")
        raise ValueProblem(_dotted(path), f"expected a number between {-max_abs:g} and {max_abs:g} (got {shown})")


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "ValueProblem", "YamlLimit", "check_values", "load", "read_text"]
