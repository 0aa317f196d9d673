"""The documents say what the code does: parameters and constants (docs/model.md,
configs/README.md) and command-line options (README.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from game.scenario import Params

DEFAULTS = Params()


def _numbers(cell: str) -> list[float]:
    """The numbers a table cell gives ("0.05, 0.04" gives two; words give none)."""
    out = []
    for part in cell.split(","):
        try:
            out.append(float(part.strip()))
        except ValueError:
            pass
    return out


def _rows(path: str, pattern: str) -> dict[str, list[str]]:
    """Table rows of a document by the parameter names their first cells name."""
    rows: dict[str, list[str]] = {}
    for line in Path(path).read_text().splitlines():
        if line.startswith("|"):
            head = "|".join(line.split("|")[1:3])  # the parameter's cells: symbol and name, or name
            for name in re.findall(pattern, head):
                rows.setdefault(name, []).append(line)
    return rows


@pytest.mark.parametrize(("path", "pattern"), [("docs/model.md", r"`params\.(\w+)`"), ("configs/README.md", r"`(\w+)`")])
def test_every_parameter_is_in_the_tables_with_its_default(path, pattern):
    rows = _rows(path, pattern)
    wrong = []
    for name in Params.model_fields:
        value = float(getattr(DEFAULTS, name))
        found = [n for line in rows.get(name, []) for cell in line.split("|")[2:] for n in _numbers(cell)]
        if value not in found:
            wrong.append(f"{name} = {value:g}: " + ("no row" if name not in rows else f"rows give {found}"))
    assert not wrong, f"{path}: " + "; ".join(wrong)


def _module(where: str):
    """The module a constants row names: rules/wedges.py is game.rules.wedges,
    strategies/firms.py agents.strategies.firms."""
    import importlib

    dotted = where.removesuffix(".py").replace("/", ".")
    return importlib.import_module(("agents." if dotted.startswith("strategies.") else "game.") + dotted)


def test_the_code_constants_table_gives_the_code_values():
    """docs/model.md's table of constants in the code: each named constant has the value its module gives."""
    checked, wrong = 0, []
    for line in Path("docs/model.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) != 4 or not cells[2].endswith(".py"):
            continue
        names = re.findall(r"`([A-Z][A-Z_]+)`", cells[0])
        if not names:
            continue  # a constant written in the code as a number, named in words here
        values = [float(v.replace(",", "")) for v in cells[1].split(", ")]
        module = _module(cells[2])
        for name, value in zip(names, values, strict=True):
            checked += 1
            if float(getattr(module, name)) != value:
                wrong.append(f"{name}: docs {value:g}, {cells[2]} {getattr(module, name)}")
    assert checked >= 10 and not wrong, wrong


def test_the_readme_names_every_command_line_option():
    """A flag added to a command is documented in the README too (its --help has the details)."""
    import argparse

    from game.cli import build_parser

    readme = Path("README.md").read_text()
    missing = []

    def walk(name: str, parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, p in action.choices.items():
                    walk(f"{name} {sub}".strip(), p)
            missing.extend(f"{name} {o}" for o in action.option_strings
                           if o.startswith("--") and o != "--help" and o not in readme)

    walk("highfence", build_parser())
    assert not missing, missing
