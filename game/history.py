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
FLOW_COLUMNS = ("round", "exporter", "importer", "sector", "route", "quantity", "value", "price", "duty", "leaked")
DIRECT = "direct"  # the route of goods shipped straight from exporter to importer
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
        """One row per non-zero trade flow (round, exporter, importer, sector, route), summed
        over firms: physical quantity, buyers' duty-inclusive spending (value, $bn), delivered
        price (value / quantity), the importer's duty ($bn, in proportion to value) and the share
        of the quantity that got past an export control or embargo (leaked, 0..1). `route` is
        "direct" for goods shipped straight to the importer, else the transit hub whose traders
        re-exported goods that got past a control or embargo (those rows are leaked = 1 and
        their price carries the route's markup). Round 0 is the starting year."""
        kept = [(r, o) for r, o in zip(self.rounds, self.outcomes) if o.trade_qty is not None]
        if not kept:
            names = FLOW_COLUMNS[1:5]
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "round" else str if c in names else "float64")
                                 for c in FLOW_COLUMNS})

        def stack(field: str) -> np.ndarray:  # (R, S, k, j) -> (R, k, j, S): rows sort as the columns read
            return np.stack([getattr(o, field) for _, o in kept]).transpose(0, 2, 3, 1)

        qty, value, duty = stack("trade_qty"), stack("trade_value"), stack("trade_duty")
        leaked = stack("trade_leaked")
        # Leaked goods by the hub that carried them, taken out of the direct flow.
        routed_q, routed_v = np.zeros_like(qty), np.zeros_like(qty)
        hubs = []
        for r, (_, o) in enumerate(kept):
            t = o.trade_routes
            if t is None or len(t) == 0:
                continue
            s_, k_, j_, h_ = t[:, :4].astype(np.int64).T
            np.add.at(routed_q, (r, k_, j_, s_), t[:, 4])
            np.add.at(routed_v, (r, k_, j_, s_), t[:, 5])
            hubs.append((np.full(len(t), r), k_, j_, s_, h_, t[:, 4], t[:, 5]))
        direct_q = qty - routed_q
        r, k, j, s = np.nonzero((qty > 0) & (direct_q > 1e-12 * qty))
        at = (r, k, j, s)
        share = np.divide(value[at] - routed_v[at], value[at], out=np.ones(len(r)), where=value[at] > 0)
        rest = np.maximum(leaked[at] - routed_q[at], 0.0)
        parts = [(r, k, j, s, np.full(len(r), -1), direct_q[at], value[at] - routed_v[at], duty[at] * share,
                  np.where(rest > 1e-12 * qty[at], rest, 0.0))]
        for r_, k_, j_, s_, h_, q, v in hubs:
            at = (r_, k_, j_, s_)
            base = value[at]
            cut = np.divide(v, base, out=np.zeros_like(v), where=base > 0)
            parts.append((r_, k_, j_, s_, h_, q, v, duty[at] * cut, q))
        r, k, j, s, h, q, v, d, lk = (np.concatenate(c) for c in zip(*parts))
        order = np.lexsort((h, s, j, k, r))
        r, k, j, s, h, q, v, d, lk = (x[order] for x in (r, k, j, s, h, q, v, d, lk))
        states = np.array(self.states, dtype=object)
        return pd.DataFrame({
            "round": np.array([rd for rd, _ in kept], dtype=np.int64)[r],
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
