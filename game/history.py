"""Round-by-round record with a Mesa-style DataCollector interface.

Arrays are appended each round (cheap); DataFrames are built only when asked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from game.events import Event
from game.outcomes import STATE_METRICS, Outcomes

SECTOR_FIELDS = ("world_share", "volume_share", "capacity_share", "tech", "price_ratio", "received", "access", "leaked_in")
FIRM_FIELDS = ("capacity", "quality", "revenue", "profit", "sales", "alive", "circumvent")
FLOW_COLUMNS = ("round", "exporter", "importer", "sector", "quantity", "value", "price", "duty", "leaked")
WELFARE_COLUMNS = ("round", "state", "total_bn", "pct_gdp", "buyers_bn", "producers_bn", "tariff_revenue_bn",
                   "fiscal_bn")


class History:
    """Everything recorded about one run. `model.datacollector` is one of these."""

    def __init__(self, states: list[str], sectors: list[str]):
        self.states, self.sectors = states, sectors
        self.rounds: list[int] = []
        self.outcomes: list[Outcomes] = []
        self.firms: list[dict[str, np.ndarray]] = []
        self.firm_names: dict[int, str] = {}  # id -> name (firms enter, never rename)
        self.events: list[Event] = []

    def record(self, round_: int, outcomes: Outcomes, firms, events: list[Event]) -> None:
        self.rounds.append(round_)
        self.outcomes.append(outcomes)
        snap = {"id": firms.ids.copy(), "home": firms.home.copy(), "sector": firms.sector.copy()}
        snap.update({k: getattr(firms, k).copy() for k in FIRM_FIELDS})
        self.firms.append(snap)
        if len(self.firm_names) != firms.n:  # only when firms entered
            self.firm_names.update(zip(firms.ids.tolist(), firms.names))
        self.events.extend(events)

    # -- Mesa DataCollector API ---------------------------------------------
    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """World outcomes, one row per round."""
        return pd.DataFrame([o.world for o in self.outcomes], index=pd.Index(self.rounds, name="Step"))

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """Per-state outcomes, indexed (Step, AgentID) with the state's name as AgentID."""
        data = np.concatenate([o.state for o in self.outcomes]) if self.outcomes else np.zeros((0, len(STATE_METRICS)))
        idx = pd.MultiIndex.from_product([self.rounds, self.states], names=["Step", "AgentID"])
        return pd.DataFrame(data, index=idx, columns=list(STATE_METRICS))

    def get_agenttype_vars_dataframe(self, agent_type) -> pd.DataFrame:
        """Per-firm records for FirmAgent, per-state for StateAgent (Mesa's signature)."""
        if getattr(agent_type, "__name__", "") == "StateAgent":
            return self.get_agent_vars_dataframe()
        frames = []
        for r, snap in zip(self.rounds, self.firms):
            d = pd.DataFrame({k: v for k, v in snap.items() if k != "id"}, index=snap["id"])
            d.insert(0, "name", [self.firm_names[i] for i in snap["id"].tolist()])
            d["home"] = [self.states[h] for h in snap["home"]]
            d["sector"] = [self.sectors[x] for x in snap["sector"]]
            d.index.name = "AgentID"
            d.insert(0, "Step", r)
            frames.append(d.reset_index())
        return pd.concat(frames).set_index(["Step", "AgentID"]).sort_index() if frames else pd.DataFrame()

    def get_table_dataframe(self, table_name: str) -> pd.DataFrame:
        """'events' (the event log), 'sectors' (state x sector outcomes per round), 'flows'
        (bilateral trade per round) or 'welfare' (each state's welfare change and its parts)."""
        if table_name == "events":
            return pd.DataFrame([e.as_row() for e in self.events], columns=list(Event.__dataclass_fields__))
        if table_name == "sectors":
            return self.sector_frame()
        if table_name == "flows":
            return self.flows_frame()
        if table_name == "welfare":
            return self.welfare_frame()
        raise KeyError(f"no table {table_name!r} (tables: events, sectors, flows, welfare)")

    def sector_frame(self) -> pd.DataFrame:
        cols = {k: np.concatenate([getattr(o, k).ravel() for o in self.outcomes]) for k in SECTOR_FIELDS}
        idx = pd.MultiIndex.from_product([self.rounds, self.states, self.sectors], names=["Step", "state", "sector"])
        return pd.DataFrame(cols, index=idx)

    def flows_frame(self) -> pd.DataFrame:
        """One row per non-zero bilateral flow (round, exporter, importer, sector), summed over
        firms: physical quantity, buyers' duty-inclusive spending (value, $bn), delivered price
        (value / quantity), the importer's duty ($bn) and the share of the quantity that got
        past an export control or embargo (leaked, 0..1). Round 0 is the starting year."""
        kept = [(r, o) for r, o in zip(self.rounds, self.outcomes) if o.trade_qty is not None]
        if not kept:
            names = FLOW_COLUMNS[1:4]
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "round" else str if c in names else "float64")
                                 for c in FLOW_COLUMNS})

        def stack(field: str) -> np.ndarray:  # (R, S, k, j) -> (R, k, j, S): rows sort as the columns read
            return np.stack([getattr(o, field) for _, o in kept]).transpose(0, 2, 3, 1)

        qty = stack("trade_qty")
        r, k, j, s = np.nonzero(qty > 0)
        at = (r, k, j, s)
        quantity = qty[at]
        value = stack("trade_value")[at]
        return pd.DataFrame({
            "round": np.array([rd for rd, _ in kept], dtype=np.int64)[r],
            "exporter": np.array(self.states, dtype=object)[k],
            "importer": np.array(self.states, dtype=object)[j],
            "sector": np.array(self.sectors, dtype=object)[s],
            "quantity": quantity,
            "value": value,
            "price": value / quantity,
            "duty": stack("trade_duty")[at],
            "leaked": stack("trade_leaked")[at] / quantity,
        }, columns=list(FLOW_COLUMNS))

    def welfare_frame(self) -> pd.DataFrame:
        """Each state's welfare change against the starting year per round ($bn) and its parts:
        buyers_bn + producers_bn + tariff_revenue_bn + fiscal_bn = total_bn (fiscal_bn is minus
        the round's policy outlay). pct_gdp is total_bn as a percentage of GDP."""
        n = len(self.states)
        data = np.concatenate([o.state for o in self.outcomes]) if self.outcomes else np.zeros((0, len(STATE_METRICS)))

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
        return np.array([getattr(o, field)[state, sel].sum() for o in self.outcomes])
