"""Where the shipped configs live: found from the package, not the current folder.

Every command, the browser's scenario picker and the notebooks look up the
shipped scenarios, cases and sweep specs here, so they work from any working
folder. A path the user gives is still relative to the current folder; only a
bare name that is not a file there (`default`, `tiny`, `chips_2022`) is looked
up among the shipped configs.

This module imports nothing heavy: the command line uses it to register its
subcommands.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
CASES = CONFIGS / "cases"
SWEEPS = CONFIGS / "sweeps"
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_SCENARIO = CONFIGS / "default.yaml"


def shipped(name: str, *folders: Path) -> Path | None:
    """The shipped file called `name` (with or without .yaml) in `folders`, or None."""
    if not name or Path(name).name != name:  # a path with folders is the user's, never looked up
        return None
    stem = name.removesuffix(".yaml").removesuffix(".yml")
    for folder in folders:
        p = folder / f"{stem}.yaml"
        if p.is_file():
            return p
    return None


def scenario_arg(text: str) -> str:
    """A scenario named on the command line: a file relative to the current folder, else a
    shipped scenario or case of that name (`default`, `tiny`, `chips_2022`), else as given
    (so the error names what the user typed)."""
    if Path(text).is_file():
        return text
    found = shipped(text, CONFIGS, CASES)
    return str(found) if found else text


def case_arg(text: str) -> str:
    """A historical case named on the command line: a file here, else the shipped case of that
    name (`chips_2022` or `chips_2022.yaml`)."""
    if Path(text).is_file():
        return text
    found = shipped(text, CASES)
    return str(found) if found else text


def sweep_arg(text: str) -> str:
    """A sweep spec named on the command line: a file here, else a shipped spec of that name."""
    if Path(text).is_file():
        return text
    found = shipped(text, SWEEPS)
    return str(found) if found else text
