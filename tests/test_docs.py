"""The documents state the parameters as the code has them (docs/model.md, configs/README.md)."""

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
