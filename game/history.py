"""Round-by-round record: a real `mesa.DataCollector`, with highfence's tables.

GeoModel records each round itself (`History.record`); Mesa's own code reads the
record through the attributes it expects: `model_vars` (world metrics by round),
`_collection_steps` (the rounds), `_agent_records` (one record per state and round) and
`agent_reporters` (the state metrics), so `mesa.batch_run(GeoModel, ...)` and Mesa's
plot components work. The tables (`sectors`, `flows`, `welfare`, `events`) come from
`get_table_dataframe` as before; tables a user adds with Mesa's `add_table_row` live
beside them.

Memory stays flat in the number of rounds: each round keeps its compact aggregates
(state and state x sector outcomes, world metrics) in memory, while the large arrays
(bilateral trade and supply shares, N x N x S, and the firm snapshot) go to a
`RoundStore`, which keeps them in memory up to a budget and spills the oldest rounds
to a temporary folder beyond it. Reading a past round gives back the same numbers,
bit for bit, whichever side of the budget it is on.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from game.events import Event
from game.outcomes import STATE_METRICS, Outcomes

SECTOR_FIELDS = ("world_share", "volume_share", "capacity_share", "tech", "price_ratio", "received", "access", "leaked_in")
FIRM_FIELDS = ("capacity", "quality", "revenue", "profit", "sales", "alive", "circumvent", "sold_to_listed")
FLOW_COLUMNS = ("round", "exporter", "importer", "sector", "route", "quantity", "value", "price", "duty", "leaked")
DIRECT = "direct"  # the route of goods shipped straight from exporter to importer
WELFARE_COLUMNS = ("round", "state", "total_bn", "pct_gdp", "buyers_bn", "producers_bn", "tariff_revenue_bn",
                   "fiscal_bn")
BUILT_IN_TABLES = ("events", "sectors", "flows", "welfare")
# The large per-round arrays of Outcomes (N x N x S, and the leaked goods' routes).
HEAVY_FIELDS = ("supply_share", "trade_qty", "trade_value", "trade_duty", "trade_leaked", "trade_routes")
# Bytes of large arrays kept in memory before the oldest rounds are spilled to disk. The
# default world holds about 30 KB a round, so its runs never touch the disk; a
# 200 x 20 x 20,000 world holds about 30 MB a round and keeps the last two in memory.
MEMORY_BUDGET = 64 * 2**20


class RoundStore:
    """The large arrays of each round, in memory up to `budget` bytes, the oldest rounds
    spilled past it to .npy files in a temporary folder (removed with the store)."""

    def __init__(self, budget: int | None = None):
        self.budget = MEMORY_BUDGET if budget is None else budget
        self._items: list[dict[str, np.ndarray | None] | Path] = []
        self._held = 0  # bytes of the in-memory items
        self._oldest_in_memory = 0
        self._folder: Path | None = None
        self._cleanup = None

    def __len__(self) -> int:
        return len(self._items)

    def append(self, arrays: dict[str, np.ndarray | None]) -> None:
        self._items.append(arrays)
        self._held += _nbytes(arrays)
        # Spill the oldest rounds (never the newest) until under the budget.
        while self._held > self.budget and self._oldest_in_memory < len(self._items) - 1:
            self._spill(self._oldest_in_memory)
            self._oldest_in_memory += 1

    def __getitem__(self, i: int) -> dict[str, np.ndarray | None]:
        item = self._items[i]
        if isinstance(item, dict):
            return item
        # Memory-mapped: opening costs a header read; pages load only when touched.
        return {p.stem: np.load(p, mmap_mode="r") for p in item.glob("*.npy")} | {name: None for name in _absent(item)}

    @property
    def spilled(self) -> int:
        """How many rounds live on disk."""
        return sum(1 for x in self._items if isinstance(x, Path))

    def _spill(self, i: int) -> None:
        item = self._items[i]
        if not isinstance(item, dict):
            return
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="highfence-history-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, True)
        where = self._folder / f"{i:06d}"
        where.mkdir()
        for name, a in item.items():
            if a is not None:
                np.save(where / f"{name}.npy", a, allow_pickle=False)
        (where / "absent.txt").write_text("\n".join(n for n, a in item.items() if a is None))
        self._held -= _nbytes(item)
        self._items[i] = where

    def close(self) -> None:
        """Remove the spill folder now (it is removed anyway when the store is freed)."""
        if self._cleanup is not None:
            self._cleanup()


def _nbytes(arrays: dict[str, np.ndarray | None]) -> int:
    return sum(a.nbytes for a in arrays.values() if a is not None)


def _absent(folder: Path) -> list[str]:
    text = (folder / "absent.txt").read_text()
    return text.split("\n") if text else []


class _PerRound(Sequence):
    """One entry per recorded round, read back from the store (slices and negative indices too)."""

    def __init__(self, history: History):
        self._h = history

    def __len__(self) -> int:
        return len(self._h._compact)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        i = range(len(self))[i]  # negative indices, IndexError
        return self._entry(i, self._h._store[i])


class _RoundOutcomes(_PerRound):
    """`history.outcomes`: every round's Outcomes, the large arrays read back from the store."""

    def _entry(self, i: int, heavy: dict):
        return replace(self._h._compact[i], **{k: heavy[k] for k in HEAVY_FIELDS})


class _FirmSnapshots(_PerRound):
    """`history.firms`: each round's firm snapshot (ids, home, sector and FIRM_FIELDS)."""

    def _entry(self, i: int, heavy: dict):
        return {k: heavy[f"firm_{k}"] for k in ("id", "home", "sector", *FIRM_FIELDS)}


class _StateRecords(Mapping):
    """Mesa's `_agent_records`: {step: [(step, state name, *STATE_METRICS), ...]}, built
    when read from the compact state arrays (nothing is stored twice)."""

    def __init__(self, history: History):
        self._h = history

    def __getitem__(self, step):
        h = self._h
        try:
            i = h.rounds.index(step)
        except ValueError:
            raise KeyError(step) from None
        values = h._compact[i].state.tolist()
        return [(step, name, *row) for name, row in zip(h.states, values)]

    def __iter__(self) -> Iterator[int]:
        return iter(list(self._h.rounds))

    def __len__(self) -> int:
        return len(self._h.rounds)


class History(mesa.DataCollector):
    """Everything recorded about one run. `model.datacollector` is one of these.

    A `mesa.DataCollector`: `get_model_vars_dataframe()` (world metrics per round),
    `get_agent_vars_dataframe()` (per state and round), `get_agenttype_vars_dataframe(FirmAgent)`
    (per firm and round) and `get_table_dataframe(name)` for the tables `events`, `sectors`,
    `flows`, `welfare` and any a user added with `add_table_row`.
    """

    def __init__(self, states: list[str], sectors: list[str], memory_budget: int | None = None):
        super().__init__()
        self.states, self.sectors = states, sectors
        self.rounds: list[int] = []
        self._collection_steps = self.rounds  # Mesa's name for the steps recorded
        self.model_vars: dict[str, list] = {}  # world metric -> its value per round
        self.agent_reporters = {name: name for name in STATE_METRICS}  # the columns of _agent_records
        self._agent_records = _StateRecords(self)
        self._compact: list[Outcomes] = []
        self._store = RoundStore(memory_budget)
        self.firm_names: dict[int, str] = {}  # id -> name (firms enter, never rename)
        self.events: list[Event] = []

    def record(self, round_: int, outcomes: Outcomes, firms, events: list[Event]) -> None:
        """Keep one round: its compact outcomes in memory, the large arrays in the store."""
        heavy = {k: getattr(outcomes, k) for k in HEAVY_FIELDS}
        heavy |= {"firm_id": firms.ids.copy(), "firm_home": firms.home.copy(), "firm_sector": firms.sector.copy()}
        heavy |= {f"firm_{k}": getattr(firms, k).copy() for k in FIRM_FIELDS}
        self._store.append(heavy)
        compact = copy.copy(outcomes)  # dataclasses.replace re-runs __init__: ten times the cost
        for k in HEAVY_FIELDS:
            setattr(compact, k, None)
        self._compact.append(compact)
        n_before = len(self.rounds)
        self.rounds.append(round_)
        for name, value in outcomes.world.items():
            # A metric first seen later (none today) is missing (NaN) in the rounds before.
            self.model_vars.setdefault(name, [np.nan] * n_before).append(value)
        for name, values in self.model_vars.items():
            if len(values) == n_before:
                values.append(np.nan)
        if len(self.firm_names) != firms.n:  # only when firms entered
            self.firm_names.update(zip(firms.ids.tolist(), firms.names))
        self.events.extend(events)

    @property
    def outcomes(self) -> Sequence[Outcomes]:
        """Every round's Outcomes, round 0 first (the large arrays read back when asked)."""
        return _RoundOutcomes(self)

    @property
    def firms(self) -> Sequence[dict[str, np.ndarray]]:
        """Every round's firm snapshot: id, home, sector and FIRM_FIELDS, one entry per firm."""
        return _FirmSnapshots(self)

    @property
    def spilled_rounds(self) -> int:
        """How many rounds' large arrays live on disk (0 unless past the memory budget)."""
        return self._store.spilled

    def collect(self, model) -> None:
        """GeoModel records every round itself (in `step`); this keeps code written for
        Mesa's DataCollector (which calls `collect` each step) from recording it twice."""

    # -- Mesa DataCollector API ---------------------------------------------
    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """World outcomes, one row per round."""
        return pd.DataFrame(self.model_vars, index=pd.Index(self.rounds, name="Step"))

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """Per-state outcomes, indexed (Step, AgentID) with the state's name as AgentID."""
        data = self._state_array()
        idx = pd.MultiIndex.from_product([self.rounds, self.states], names=["Step", "AgentID"])
        return pd.DataFrame(data, index=idx, columns=list(STATE_METRICS))

    def get_agenttype_vars_dataframe(self, agent_type) -> pd.DataFrame:
        """Per-firm records for FirmAgent, per-state for StateAgent (Mesa's signature)."""
        if getattr(agent_type, "__name__", "") == "StateAgent":
            return self.get_agent_vars_dataframe()
        frames = []
        for r, snap in zip(self.rounds, self.firms):
            ids = np.asarray(snap["id"])
            d = pd.DataFrame({k: np.asarray(v) for k, v in snap.items() if k != "id"}, index=ids)
            d.insert(0, "name", [self.firm_names[i] for i in ids.tolist()])
            d["home"] = [self.states[h] for h in snap["home"]]
            d["sector"] = [self.sectors[x] for x in snap["sector"]]
            d.index.name = "AgentID"
            d.insert(0, "Step", r)
            frames.append(d.reset_index())
        return pd.concat(frames).set_index(["Step", "AgentID"]).sort_index() if frames else pd.DataFrame()

    def get_table_dataframe(self, table_name: str) -> pd.DataFrame:
        """'events' (the event log), 'sectors' (state x sector outcomes per round), 'flows'
        (bilateral trade per round), 'welfare' (each state's welfare change and its parts),
        or a table added with Mesa's `add_table_row`."""
        if table_name == "events":
            return pd.DataFrame([e.as_row() for e in self.events], columns=list(Event.__dataclass_fields__))
        if table_name == "sectors":
            return self.sector_frame()
        if table_name == "flows":
            return self.flows_frame()
        if table_name == "welfare":
            return self.welfare_frame()
        if table_name in self.tables:
            return super().get_table_dataframe(table_name)
        known = ", ".join([*BUILT_IN_TABLES, *self.tables])
        raise KeyError(f"no table {table_name!r} (tables: {known})")

    def _state_array(self) -> np.ndarray:
        if not self._compact:
            return np.zeros((0, len(STATE_METRICS)))
        return np.concatenate([o.state for o in self._compact])

    def sector_frame(self) -> pd.DataFrame:
        cols = {k: np.concatenate([getattr(o, k).ravel() for o in self._compact]) for k in SECTOR_FIELDS}
        idx = pd.MultiIndex.from_product([self.rounds, self.states, self.sectors], names=["Step", "state", "sector"])
        return pd.DataFrame(cols, index=idx)

    def flows_frame(self) -> pd.DataFrame:
        """One row per non-zero trade flow (round, exporter, importer, sector, route), summed
        over firms: physical quantity, buyers' duty-inclusive spending (value, $bn), delivered
        price (value / quantity), the importer's duty ($bn, in proportion to value) and the share
        of the quantity that got past an export control or embargo (leaked, 0..1). `route` is
        "direct" for goods shipped straight to the importer, else the transit hub whose traders
        re-exported goods that got past a control or embargo (those rows are leaked = 1 and
        their price carries the route's markup). Round 0 is the starting year."""
        parts = list(self.iter_flows_frames())
        return pd.concat(parts, ignore_index=True) if parts else _empty_flows()

    def iter_flows_frames(self) -> Iterator[pd.DataFrame]:
        """The flows table one round at a time (what `flows_frame` concatenates): writing a
        long run's table never holds more than one round's arrays."""
        for i, r in enumerate(self.rounds):
            o = self.outcomes[i]
            if o.trade_qty is not None:
                yield self._round_flows(r, o)

    def _round_flows(self, round_: int, o: Outcomes) -> pd.DataFrame:
        def axes(a) -> np.ndarray:  # (S, k, j) -> (k, j, S): rows sort as the columns read
            return np.asarray(a).transpose(1, 2, 0)

        qty, value, duty, leaked = (axes(getattr(o, f)) for f in ("trade_qty", "trade_value", "trade_duty",
                                                                    "trade_leaked"))
        # Leaked goods by the hub that carried them, taken out of the direct flow.
        routed_q, routed_v = np.zeros_like(qty), np.zeros_like(qty)
        hub = None
        t = o.trade_routes
        if t is not None and len(t) > 0:
            t = np.asarray(t)
            s_, k_, j_, h_ = t[:, :4].astype(np.int64).T
            np.add.at(routed_q, (k_, j_, s_), t[:, 4])
            np.add.at(routed_v, (k_, j_, s_), t[:, 5])
            hub = (k_, j_, s_, h_, t[:, 4], t[:, 5])
        direct_q = qty - routed_q
        k, j, s = np.nonzero((qty > 0) & (direct_q > 1e-12 * qty))
        at = (k, j, s)
        share = np.divide(value[at] - routed_v[at], value[at], out=np.ones(len(k)), where=value[at] > 0)
        rest = np.maximum(leaked[at] - routed_q[at], 0.0)
        parts = [(k, j, s, np.full(len(k), -1), direct_q[at], value[at] - routed_v[at], duty[at] * share,
                  np.where(rest > 1e-12 * qty[at], rest, 0.0))]
        if hub is not None:
            k_, j_, s_, h_, q, v = hub
            at = (k_, j_, s_)
            base = value[at]
            cut = np.divide(v, base, out=np.zeros_like(v), where=base > 0)
            parts.append((k_, j_, s_, h_, q, v, duty[at] * cut, q))
        k, j, s, h, q, v, d, lk = (np.concatenate(c) for c in zip(*parts))
        order = np.lexsort((h, s, j, k))
        k, j, s, h, q, v, d, lk = (x[order] for x in (k, j, s, h, q, v, d, lk))
        states = np.array(self.states, dtype=object)
        return pd.DataFrame({
            "round": np.full(len(k), round_, dtype=np.int64),
            "exporter": states[k],
            "importer": states[j],
            "sector": np.array(self.sectors, dtype=object)[s],
            "route": np.where(h < 0, DIRECT, states[np.maximum(h, 0)]).astype(object),
            "quantity": q,
            "value": v,
            "price": v / q,
            "duty": d,
            "leaked": np.minimum(lk / q, 1.0),
        }, columns=list(FLOW_COLUMNS))

    def welfare_frame(self) -> pd.DataFrame:
        """Each state's welfare change against the starting year per round ($bn) and its parts:
        buyers_bn + producers_bn + tariff_revenue_bn + fiscal_bn = total_bn (fiscal_bn is minus
        the round's policy outlay). pct_gdp is total_bn as a percentage of GDP."""
        n = len(self.states)
        data = self._state_array()

        def col(name: str) -> np.ndarray:
            return data[:, STATE_METRICS.index(name)]

        return pd.DataFrame({
            "round": np.repeat(np.array(self.rounds, dtype=np.int64), n),
            "state": np.tile(np.array(self.states, dtype=object), len(self.rounds)),
            "total_bn": col("welfare_change"),
            "pct_gdp": col("welfare_pct_gdp"),
            "buyers_bn": col("buyers_surplus"),
            "producers_bn": col("producers_surplus"),
            "tariff_revenue_bn": col("tariff_revenue"),
            "fiscal_bn": 0.0 - col("fiscal_cost"),  # not -x: no -0.0 in the tables
        }, columns=list(WELFARE_COLUMNS))

    # -- convenience ---------------------------------------------------------
    def series(self, field: str, state: int, sector: int | list[int]) -> np.ndarray:
        """A (state, sector) outcome over rounds; summed over a list of sectors."""
        sel = [sector] if isinstance(sector, int) else sector
        source = self._compact if field in SECTOR_FIELDS else self.outcomes
        return np.array([np.asarray(getattr(o, field))[state, sel].sum() for o in source])


def _empty_flows() -> pd.DataFrame:
    names = FLOW_COLUMNS[1:5]
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "round" else str if c in names else "float64")
                         for c in FLOW_COLUMNS})
