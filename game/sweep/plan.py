"""A sweep made concrete: spec + base scenario -> validated design points, seeds, runs.

Everything is checked here, before the first run: factor paths exist, every
design point gives a scenario the schema accepts, outcome names are known.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from game.errors import ScenarioError
from game.model import GeoModel
from game.outcomes import STATE_METRICS
from game.replications import METRICS, replication_seeds
from game.scenario import Scenario, load_scenario, scenario_from_dict
from game.sweep.design import Point, design_points, level_labels
from game.sweep.paths import existing_paths, is_valid, set_path, suggest
from game.sweep.spec import VARIANT, Range, SweepError, SweepSpec, read_spec

# Per-round series that game.replications.finals() returns next to the headline values.
COMPARE_SERIES = ("target_access", "controller_share", "allies_share", "target_tech_gap")
_MAX_REPORTED = 5


@dataclass(frozen=True)
class RunSpec:
    run_id: str
    point: int
    cell: int
    replication: int
    seed: int


@dataclass(frozen=True)
class Job:
    """What a worker needs to run any run of the sweep: small and picklable."""

    key: str
    base: dict
    finals: tuple[str, ...]
    series: tuple[str, ...]
    variant: str | None  # used when `variant` is not a factor
    prefix: Any = None  # a game.session.prefix.SessionPrefix: every run starts from a session's round N


def scenario_for(base: dict, values: dict[str, Any], source: str) -> Scenario:
    data = copy.deepcopy(base)
    for path, value in values.items():
        set_path(data, path, value)
    return scenario_from_dict(data, source)


def _describe(point: Point) -> str:
    return ", ".join(f"{k}={v}" for k, v in point.labels.items())


class Sweep:
    """A validated sweep: design points, replication seeds and the runs they make.

    Args:
        spec: the parsed sweep spec.
        scenario_path: the base scenario file.
        source: where the spec came from, for messages.
        prefix: a tabletop session's first rounds (game.session.prefix.SessionPrefix); the
            session's scenario replaces the spec's, and every run replays the session to
            that round before the seats go to AI strategies (`--from-session`).
    """

    def __init__(self, spec: SweepSpec, scenario_path: Path, source: str = "<sweep>", prefix: Any = None):
        self.spec, self.source, self.prefix = spec, source, prefix
        self.scenario_path = Path(scenario_path)
        try:
            if prefix is not None:
                base_scenario = scenario_from_dict(prefix.scenario, f"session {prefix.session_id}")
            else:
                base_scenario = load_scenario(scenario_path)
        except ScenarioError as exc:
            raise SweepError(f"{source}: scenario: {exc}") from None
        raw = base_scenario.model_dump(mode="json")
        known = existing_paths(raw)
        self._check_paths("fixed", spec.fixed, raw, known)
        self._check_paths("factors", [p for p in spec.factors if p != VARIANT], raw, known)
        for path, value in spec.fixed.items():
            set_path(raw, path, value)
        self.base = raw
        self.scenario = scenario_for(raw, {}, f"{source}: scenario with fixed: values")
        if prefix is not None and self.scenario.rounds <= prefix.at_round:
            raise SweepError(f"{source}: the scenario ends at round {self.scenario.rounds}, "
                             f"not after --at-round {prefix.at_round}")
        uses_variant = VARIANT in spec.factors or spec.variant is not None
        if uses_variant and self.scenario.compare is None:
            raise SweepError(f"{source}: variant needs a compare: section in {scenario_path}")

        self.points = design_points(spec)
        self._validate_points()
        self.seeds = replication_seeds(spec.seed, spec.replications)
        self.finals, self.series = self._outcomes(uses_variant)
        self.scenario_hash = self.scenario.digest()
        self.spec_hash = self._hash()
        self.job = Job(self.spec_hash, self.base, self.finals, self.series, spec.variant, prefix)

    @classmethod
    def from_file(cls, path: str | Path, prefix: Any = None) -> Sweep:
        spec, scenario_path = read_spec(path)
        return cls(spec, scenario_path, str(path), prefix)

    # -- checks ---------------------------------------------------------------

    def _check_paths(self, where: str, paths, raw: dict, known: list[str]) -> None:
        known_set = set(known)
        for path in paths:
            if not is_valid(path, raw, known_set):
                near = suggest(path, known)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise SweepError(f"{self.source}: {where}: unknown scenario path {path!r}{hint}")

    def _validate_points(self) -> None:
        """Every design point must give a valid scenario; name the ones that do not."""
        problems, seen = [], set()
        for p in self.points:
            if p.cell in seen:  # points of one cell differ only in variant: same scenario
                continue
            seen.add(p.cell)
            try:
                scenario_for(self.base, p.scenario_values, f"design point {p.index} ({_describe(p)})")
            except ScenarioError as exc:
                problems.append(str(exc))
                if len(problems) >= _MAX_REPORTED:
                    break
        if problems:
            raise SweepError(f"{self.source}: the scenario schema rejects design points:\n" + "\n".join(problems))

    def _outcomes(self, uses_variant: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
        probe = GeoModel(self.scenario, seed=0, rounds=1).run()
        world = tuple(probe.datacollector.get_model_vars_dataframe().columns)
        states = list(self.scenario.states)
        per_state = tuple(f"{m}.{s}" for m in STATE_METRICS for s in states)
        compare = METRICS if uses_variant else ()
        finals_known = compare + world + per_state
        series_known = (COMPARE_SERIES if uses_variant else ()) + world + per_state
        finals = tuple(self.spec.outcomes.finals) if self.spec.outcomes.finals is not None else (compare or world)
        series = tuple(self.spec.outcomes.series)
        for where, names, pool in (("finals", finals, finals_known), ("series", series, series_known)):
            for n in names:
                if n not in pool:
                    near = suggest(n, list(dict.fromkeys(pool + METRICS + COMPARE_SERIES)))
                    hint = f"; did you mean {', '.join(near)}?" if near else ""
                    needs = not uses_variant and set(near + [n]) & set(METRICS + COMPARE_SERIES)
                    extra = " (compare metrics need a variant factor or a fixed variant)" if needs else ""
                    raise SweepError(f"{self.source}: outcomes.{where}: unknown outcome {n!r}{extra}{hint}")
        return finals, series

    def _hash(self) -> str:
        # The scenario enters by content, not by file name: moving files keeps a sweep resumable.
        spec = self.spec.model_dump(mode="json")
        spec.pop("scenario")
        key = {"spec": spec, "scenario": self.scenario.digest()}
        if self.prefix is not None:
            key["from_session"] = self.prefix.key()
        blob = json.dumps(key, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    # -- runs -----------------------------------------------------------------

    def runs(self) -> Iterator[RunSpec]:
        """Every run, with the variants of one cell and replication adjacent (they share a baseline)."""
        by_cell: dict[int, list[Point]] = {}
        for p in self.points:
            by_cell.setdefault(p.cell, []).append(p)
        for cell, points in by_cell.items():
            for r, seed in enumerate(self.seeds):
                for p in points:
                    yield RunSpec(f"p{p.index:06d}-r{r:04d}", p.index, cell, r, seed)

    @property
    def n_runs(self) -> int:
        return len(self.points) * len(self.seeds)

    def factor_types(self) -> dict[str, pa.DataType]:
        types = {}
        for name, f in self.spec.factors.items():
            if isinstance(f, Range):
                types[name] = pa.int64() if f.integer else pa.float64()
            else:
                types[name] = pa.array(level_labels(f)).type
        return types

    def schemas(self) -> tuple[pa.Schema, pa.Schema]:
        ids = [("run_id", pa.string()), ("point", pa.int64()), ("cell", pa.int64()), ("replication", pa.int64()),
               ("seed", pa.int64()), ("sample", pa.int64()), ("block", pa.string())]
        factors = list(self.factor_types().items())
        finals = pa.schema(ids + factors + [(n, pa.float64()) for n in self.finals])
        series = pa.schema(ids + factors + [("round", pa.int64())] + [(n, pa.float64()) for n in self.series])
        return finals, series

    def manifest(self) -> dict:
        from game.output import package_version

        return {
            "sweep": self.spec.name,
            "spec_hash": self.spec_hash,
            "scenario": self.scenario.name,
            "scenario_file": str(self.scenario_path),
            "scenario_hash": self.scenario_hash,
            "highfence_version": package_version(),
            "root_seed": self.spec.seed,
            "replication_seeds": self.seeds,
            "design": self.spec.design.model_dump(mode="json"),
            "factors": {k: f.model_dump(mode="json") for k, f in self.spec.factors.items()},
            "finals": list(self.finals),
            "series": list(self.series),
            "n_runs": self.n_runs,
            "spec": self.spec.model_dump(mode="json"),
            "run_ids": [r.run_id for r in self.runs()],
        } | ({"from_session": self.prefix.describe()} if self.prefix is not None else {})
