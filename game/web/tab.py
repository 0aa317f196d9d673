"""One browser tab's game: the run as the scenario is written, and two variants
of its `compare:` experiment stepping with it.

A Tab is created per Solara page instance (per tab), never per module, so
two tabs never share a model. Stepping takes a lock because Play steps from a
background thread while a click on Step may arrive at the same time. The Tab
keeps what the map draws of every round played (`frames`, and `pair_frames` for the
variants), so a past round can be shown again; the outcomes and events of every round are in the model's history.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from game.errors import HighfenceError
from game.experiment import VARIANTS
from game.model import GeoModel
from game.paths import CASES, CONFIGS, DEFAULT_SCENARIO
from game.scenario import Scenario, load_scenario
from game.web.network import MapFrame, frame_of

SCENARIO_ENV = "HIGHFENCE_SCENARIO"
REPO_CONFIGS = CONFIGS  # the shipped scenarios, found from the package whatever the working folder


@dataclass(frozen=True)
class Settings:
    """What a Reset builds from. None means "as the scenario file says"."""

    scenario: str
    seed: int = 0
    rounds: int | None = None
    enforcement: float | None = None  # the compare experiment's enforcement
    leakage: float | None = None  # params.third_country_leakage
    diversification: float | None = None  # params.diversification_speed
    variant_a: str = "unilateral"
    variant_b: str = "coordinated"

    def with_scenario(self, path: str) -> Settings:
        """New scenario: keep the seed and variants, forget scenario-specific numbers."""
        return replace(self, scenario=path, rounds=None, enforcement=None, leakage=None, diversification=None)


def default_scenario() -> str:
    """The scenario given to `highfence serve`, else the shipped default."""
    chosen = os.environ.get(SCENARIO_ENV)
    return str(Path(chosen).resolve()) if chosen else str(DEFAULT_SCENARIO)


def scenario_files() -> list[Path]:
    """Scenario files offered in the picker: every shipped scenario and historical case
    (found from the package, game.paths), then the scenario given on the command line
    and the others in its folder."""
    dirs = [CONFIGS, CASES]
    if os.environ.get(SCENARIO_ENV):
        dirs.append(Path(os.environ[SCENARIO_ENV]).resolve().parent)
    seen: dict[Path, None] = {}
    for d in dirs:
        if d.is_dir():
            for p in sorted(d.glob("*.y*ml")):
                seen.setdefault(p.resolve(), None)
    if os.environ.get(SCENARIO_ENV):
        seen.setdefault(Path(os.environ[SCENARIO_ENV]).resolve(), None)
    return list(seen)


def picker_label(path: Path) -> str:
    """How the picker names a scenario: its file name, `(case)` for a historical case."""
    return f"{path.stem} (case)" if path.parent == CASES.resolve() else path.stem


@lru_cache(maxsize=16)
def _load(path: str, mtime: float) -> Scenario:
    return load_scenario(path)


def load(path: str) -> Scenario:
    """Load a scenario, re-reading the file only when it changed."""
    return _load(path, Path(path).stat().st_mtime)


def configure(scenario: Scenario, settings: Settings) -> Scenario:
    """The scenario with the page's parameter overrides applied."""
    params = {}
    if settings.leakage is not None:
        params["third_country_leakage"] = settings.leakage
    if settings.diversification is not None:
        params["diversification_speed"] = settings.diversification
    update: dict = {}
    if params:
        update["params"] = scenario.params.model_copy(update=params)
    if settings.enforcement is not None and scenario.compare is not None:
        update["compare"] = scenario.compare.model_copy(update={"enforcement": settings.enforcement})
    return scenario.model_copy(update=update) if update else scenario


class Tab:
    """The models one browser tab watches."""

    def __init__(self, settings: Settings):
        self.lock = threading.RLock()
        self.settings = settings
        self.error: str | None = None
        self.scenario: Scenario | None = None
        self.model: GeoModel | None = None
        self.pair: tuple[GeoModel, GeoModel] | None = None
        self.frames: list[MapFrame] = []  # frames[r]: what the run's map draws of round r
        self.pair_frames: tuple[list[MapFrame], ...] = ()  # the same for each compared variant
        self.seed_runs = None  # the compare experiment over several seeds (compare_view.SeedRuns)
        self.build(settings)

    def build(self, settings: Settings) -> None:
        """(Re)build every model from `settings`; a bad scenario leaves an error to show."""
        with self.lock:
            self.settings = settings
            try:
                scenario = configure(load(settings.scenario), settings)
                model = GeoModel(scenario, seed=settings.seed, rounds=settings.rounds)
                pair = None
                if scenario.compare is not None:
                    pair = tuple(GeoModel(scenario, seed=settings.seed, variant=v, rounds=settings.rounds)
                                 for v in (settings.variant_a, settings.variant_b))
            except (HighfenceError, OSError, ValueError) as exc:  # shown on the page, not a dead tab
                self.error = f"{Path(settings.scenario).name}: {exc}"
                return
            self.error = None
            self.scenario, self.model, self.pair = scenario, model, pair
            self.frames = [frame_of(model)]
            self.pair_frames = tuple([frame_of(m)] for m in pair or ())
            self.seed_runs = None

    @property
    def round(self) -> int:
        return self.model.steps if self.model else 0

    @property
    def last_round(self) -> int:
        return self.model.rounds if self.model else 0

    @property
    def done(self) -> bool:
        return self.model is None or self.model.steps >= self.model.rounds

    def step(self) -> bool:
        """Play one round in every model; False when the run is over."""
        with self.lock:
            if self.done:
                return False
            self.model.step()
            self.frames.append(frame_of(self.model))
            for m, frames in zip(self.pair or (), self.pair_frames):
                m.step()
                frames.append(frame_of(m))
            return True

    def frame(self, round_: int | None, variant: int | None = None) -> MapFrame:
        """The map of `round_` (None or out of range: the latest) of the run, or of compared
        variant `variant` (0 = A, 1 = B)."""
        with self.lock:
            frames = self.frames if variant is None else self.pair_frames[variant]
            return frames[-1] if round_ is None or not 0 <= round_ < len(frames) else frames[round_]


__all__ = ["VARIANTS", "Settings", "Tab", "default_scenario", "picker_label", "scenario_files"]
