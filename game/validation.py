"""Historical cases: run a case scenario over seeds and check its bands (FACTS.md).

Every metric here is a general function of a run, its baseline run and the case's
roles (actor, target, sector, partners); none knows which case it serves.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from game.compare import mean_ci, replication_seeds
from game.errors import ScenarioError
from game.history import History
from game.model import GeoModel
from game.paths import CASES, CONFIGS
from game.scenario import CaseSpec, Scenario, load_scenario

CASES_DIR = CASES  # the shipped cases, found from the package (any working folder)


@dataclass
class Roles:
    actor: int
    target: int
    sector: int
    partners: list[int]
    start: int
    join: int | None
    firm: str | None = None
    supplier: str | None = None


def _series(h: History, field: str, state: int, sector: int) -> np.ndarray:
    return np.array([getattr(o, field)[state, sector] for o in h.outcomes])


def _volume(h: History, importer: int, supplier: int, sector: int) -> np.ndarray:
    """Physical quantity the supplier state's firms delivered to the importer, per round."""
    return np.array([o.trade_qty[sector, supplier, importer] for o in h.outcomes])


def _sector_firms(h: History, sector: int, r: int, field: str) -> float:
    snap = h.firms[r]
    return float(snap[field][(snap["sector"] == sector) & snap["alive"]].sum())


# -- metrics: name -> f(run history, baseline history, roles) ---------------------
def actor_share_change(h, b, k):
    s = _series(h, "world_share", k.actor, k.sector)
    return s[-1] - s[k.start - 1]


def partners_share_change(h, b, k):
    s = sum(_series(h, "world_share", p, k.sector) for p in k.partners)
    return s[-1] - s[k.start - 1]


def target_access(h, b, k):
    run, base = _series(h, "access", k.target, k.sector), _series(b, "access", k.target, k.sector)
    return run[k.start:].mean() / base[k.start:].mean()


def target_price_jump(h, b, k):
    p = _series(h, "price_ratio", k.target, k.sector)
    return p[k.start] / p[k.start - 1]


def target_dependence_start(h, b, k):
    return h.outcomes[k.start - 1].supply_share[k.target, k.actor, k.sector]


def target_dependence_end(h, b, k):
    return h.outcomes[-1].supply_share[k.target, k.actor, k.sector]


def access_after_join_over_before(h, b, k):
    a = _series(h, "access", k.target, k.sector)
    return a[k.join:].mean() / a[k.start:k.join].mean()


def actor_sales_to_target_change(h, b, k):
    v = _volume(h, k.target, k.actor, k.sector)
    return v[k.start] / v[k.start - 1] - 1.0


def actor_sales_elsewhere_change(h, b, k):
    others = [j for j in range(len(h.states)) if j != k.target]
    v = sum(_volume(h, j, k.actor, k.sector) for j in others)
    return v[k.start] / v[k.start - 1] - 1.0


def partners_sales_to_target_change(h, b, k):
    v = sum(_volume(h, k.target, p, k.sector) for p in k.partners)
    return v[k.start] / v[k.start - 1] - 1.0


def _unit_price(h: History, importer: int, supplier: int, sector: int, r: int) -> float:
    o = h.outcomes[r]
    return float(o.trade_value[sector, supplier, importer] / o.trade_qty[sector, supplier, importer])


def actor_tariff_pass_through(h, b, k):
    """Rise of the duty-inclusive price the actor pays for the target's goods, as a share
    of the tariff the actor put on them (1 = complete pass-through)."""
    o = h.outcomes[k.start]
    v, d = o.trade_value[k.sector, k.target, k.actor], o.trade_duty[k.sector, k.target, k.actor]
    rate = d / (v - d)
    before, after = (_unit_price(h, k.actor, k.target, k.sector, r) for r in (k.start - 1, k.start))
    return (after / before - 1.0) / rate


def actor_imports_from_target_change(h, b, k):
    """Change in the quantity the actor buys from the target, two rounds after the start."""
    v = _volume(h, k.actor, k.target, k.sector)
    return v[k.start + 1] / v[k.start - 1] - 1.0


def third_party_sales_to_actor_change(h, b, k):
    """Change in what third suppliers sell the actor, two rounds after the start."""
    others = [i for i in range(len(h.states)) if i not in (k.actor, k.target)]
    v = sum(_volume(h, k.actor, i, k.sector) for i in others)
    return v[k.start + 1] / v[k.start - 1] - 1.0


def _actor_against_baseline(h, b, k, metric: str) -> float:
    """Mean over the rounds from the start of the actor's metric, less the baseline's."""
    run = np.array([o.state_metric(metric)[k.actor] for o in h.outcomes[k.start:]])
    base = np.array([o.state_metric(metric)[k.actor] for o in b.outcomes[k.start:]])
    return float((run - base).mean())


def actor_net_loss_over_buyers_loss(h, b, k):
    """The actor's net welfare loss against the baseline as a share of its buyers' loss
    (what tariff revenue and producers' gains do not offset)."""
    return _actor_against_baseline(h, b, k, "welfare_change") / _actor_against_baseline(h, b, k, "buyers_surplus")


def actor_welfare_loss_pct_gdp(h, b, k):
    return -_actor_against_baseline(h, b, k, "welfare_pct_gdp")


def _firm_value(h: History, name: str, r: int, field: str) -> float:
    fid = next(i for i, x in h.firm_names.items() if x == name)
    snap = h.firms[r]
    return float(snap[field][snap["id"] == fid].sum())


def _firm_sales(h: History, name: str, r: int) -> float:
    return _firm_value(h, name, r, "sales")


def listed_firm_output_change_after_start(h, b, k):
    """The case's firm's output the round after the start against the baseline run
    (shortages of inputs bind with a one-round lag)."""
    r = k.start + 1
    return _firm_sales(h, k.firm, r) / _firm_sales(b, k.firm, r) - 1.0


def listed_firm_output_change_after_join(h, b, k):
    """The case's firm's output two rounds after the measure is widened, against the baseline."""
    r = k.join + 2
    return _firm_sales(h, k.firm, r) / _firm_sales(b, k.firm, r) - 1.0


def supplier_sales_to_listed_change_after_join(h, b, k):
    """What the case's supplier sold to the entity-listed firms the round after the measure
    is widened, against the round before it (same run: the baseline has no listing)."""
    before = _firm_value(h, k.supplier, k.join - 1, "sold_to_listed")
    return _firm_value(h, k.supplier, k.join + 1, "sold_to_listed") / max(before, 1e-300) - 1.0


def sector_capacity_vs_baseline(h, b, k):
    return _sector_firms(h, k.sector, -1, "capacity") / _sector_firms(b, k.sector, -1, "capacity")


def sector_margin_vs_baseline(h, b, k):
    def margin(x):
        return _sector_firms(x, k.sector, -1, "profit") / _sector_firms(x, k.sector, -1, "revenue")
    return margin(h) - margin(b)


METRICS = {f.__name__: f for f in (
    actor_share_change, partners_share_change, target_access, target_price_jump, target_dependence_start,
    target_dependence_end, access_after_join_over_before, actor_sales_to_target_change,
    actor_sales_elsewhere_change, partners_sales_to_target_change, actor_tariff_pass_through,
    actor_imports_from_target_change, third_party_sales_to_actor_change, actor_net_loss_over_buyers_loss,
    actor_welfare_loss_pct_gdp, listed_firm_output_change_after_start, listed_firm_output_change_after_join,
    supplier_sales_to_listed_change_after_join,
    sector_capacity_vs_baseline, sector_margin_vs_baseline,
)}


def roles(sc: Scenario) -> Roles:
    k, names, sectors = sc.case, list(sc.states), list(sc.sectors)
    return Roles(names.index(k.actor), names.index(k.target), sectors.index(k.sector),
                 [names.index(p) for p in k.partners], k.start_round, k.join_round, k.firm,
                 k.supplier)


def baseline_scenario(sc: Scenario) -> Scenario:
    """The run the case is measured against: without the scripted moves of `baseline_drops`
    (all of them when empty)."""
    base = copy.deepcopy(sc)
    drops = set(sc.case.baseline_drops)
    base.script = [m for m in sc.script if drops and m.state not in drops]
    return base


def run_case(sc: Scenario, seed: int) -> dict[str, float]:
    case: CaseSpec = sc.case
    if case.variant:
        run = GeoModel(sc, seed=seed, variant=case.variant).run()
        base = GeoModel(sc, seed=seed, variant="free_trade" if case.baseline == "free_trade" else "no_control").run()
    elif case.baseline == "free_trade":
        run = GeoModel(sc, seed=seed).run()
        base = GeoModel(sc, seed=seed, variant="free_trade").run()
    else:
        run = GeoModel(sc, seed=seed).run()
        base = GeoModel(baseline_scenario(sc), seed=seed).run()
    k = roles(sc)
    return {c.metric: float(METRICS[c.metric](run.datacollector, base.datacollector, k)) for c in case.checks}


def check_metrics(sc: Scenario, where: str) -> None:
    unknown = [c.metric for c in sc.case.checks if c.metric not in METRICS]
    if unknown:
        raise ScenarioError(f"{where}: case.checks: unknown metric(s) {unknown} (known: {', '.join(METRICS)})")


SEEDS_PER_TASK = 5  # a case's run pair is short: a few seeds a task keep the pool's overhead small


def _case_task(cases: list[Scenario], task: tuple[int, list[int]]) -> list[dict[str, float]]:
    i, seeds = task
    return [run_case(cases[i], seed) for seed in seeds]


def validate_cases(paths: list[Path], seeds: list[int], progress=None, executor: str = "serial",
                   workers: int | None = None, scheduler: str | None = None) -> list[dict]:
    """Every case over every seed, then each case's checks against their bands (rows in
    case order; `progress(n)` as n more seeds are done). The (case, seeds) tasks go
    through the sweep executors (serial, a local pool or Dask); a run depends only on its
    case and seed, so every executor gives the same rows."""
    from game.sweep.executors import run_tasks

    cases = [load_scenario(p) for p in paths]
    for path, sc in zip(paths, cases):
        if sc.case is None:
            raise ScenarioError(f"{path}: no case: section")
        check_metrics(sc, str(path))
    chunks = [seeds[j:j + SEEDS_PER_TASK] for j in range(0, len(seeds), SEEDS_PER_TASK)]
    tasks = [(i, chunk) for i in range(len(cases)) for chunk in chunks]
    done: dict[int, list[dict[str, float]]] = {}
    for k, values in run_tasks(_case_task, cases, tasks, executor, workers, scheduler):
        done[k] = values
        if progress:
            progress(len(values))
    rows = []
    for i, (path, sc) in enumerate(zip(paths, cases)):
        runs = [r for k in range(len(chunks)) for r in done[i * len(chunks) + k]]  # in seed order
        for c in sc.case.checks:
            mean, lo, hi = mean_ci(np.array([r[c.metric] for r in runs]))
            ok = c.min <= mean <= c.max
            rows.append({"case": path.stem, "metric": c.metric, "mean": mean, "ci_low": lo, "ci_high": hi,
                         "min": c.min, "max": c.max, "pass": bool(ok), "note": c.note})
    return rows


def validate_case(path: Path, seeds: list[int], progress=None, **how) -> list[dict]:
    """One case's rows (validate_cases of one path; `how`: its executor arguments)."""
    return validate_cases([path], seeds, progress, **how)


BASE_RATE_SYNTHETIC = ((12, 5, 120), (20, 6, 300), (8, 4, 60))  # random worlds beside the shipped two
BASE_RATE_WORLDS = 2 + len(BASE_RATE_SYNTHETIC)


def _base_rate_task(worlds: list[Scenario], task: tuple[int, int]) -> tuple[int, int]:
    i, seed = task
    w = GeoModel(worlds[i], seed=seed).run().datacollector.get_model_vars_dataframe()
    return int(w["coercion_attempts"].sum()), int(w["coercion_conceded"].sum())


def coercion_base_rate(seeds: list[int], progress=None, executor: str = "serial", workers: int | None = None,
                       scheduler: str | None = None) -> dict:
    """Share of coercion attempts the target concedes to, across varied worlds: the shipped
    scenarios and random synthetic ones, every seed (`progress(1)` after each run)."""
    from game.sweep.executors import run_tasks
    from game.synthetic import synthetic_scenario

    worlds = [load_scenario(CONFIGS / "default.yaml"), load_scenario(CONFIGS / "tiny.yaml")]
    worlds += [synthetic_scenario(n, s, f, seed=i) for i, (n, s, f) in enumerate(BASE_RATE_SYNTHETIC)]
    attempts = conceded = 0
    tasks = [(i, seed) for i in range(len(worlds)) for seed in seeds]
    for _, (a, c) in run_tasks(_base_rate_task, worlds, tasks, executor, workers, scheduler):
        attempts, conceded = attempts + a, conceded + c  # whole numbers: the order they finish in does not matter
        if progress:
            progress(1)
    rate = conceded / attempts if attempts else float("nan")
    lo, hi = wilson(conceded, attempts)
    return {"case": "coercion_base_rate", "metric": "success_rate", "mean": rate, "ci_low": lo, "ci_high": hi,
            "min": 0.15, "max": 0.60, "pass": bool(0.15 <= rate <= 0.60),
            "note": f"{conceded} conceded of {attempts} attempts over {len(worlds)} worlds x {len(seeds)} seeds"}


def draw_bands(ax, rows: list[dict], title: str) -> None:
    """Each check's mean and 95% interval placed in its band, on a matplotlib Axes: the band
    is drawn from 0 (its lower end) to 1 (its upper end), so checks on different scales
    share one axis; passes in green, failures in red, the values written beside each row."""
    rows = rows[::-1]  # the first check at the top
    width = np.array([r["max"] - r["min"] for r in rows])

    def placed(key: str) -> np.ndarray:
        return np.array([(r[key] - r["min"]) for r in rows]) / width

    mean, low, high = placed("mean"), placed("ci_low"), placed("ci_high")
    y = np.arange(len(rows))
    ax.axvspan(0.0, 1.0, color="0.9", zorder=0)
    for end in (0.0, 1.0):
        ax.axvline(end, color="0.6", lw=0.8, zorder=1)
    colour = ["#2a7d2e" if r["pass"] else "#c0392b" for r in rows]
    ax.hlines(y, low, high, colors=colour, lw=1.5, zorder=2)
    ax.scatter(np.r_[low, high], np.r_[y, y], c=colour * 2, marker="|", s=40, zorder=2)
    ax.scatter(mean, y, c=colour, s=22, zorder=3)
    ax.set_yticks(y, [f"{r['case']}  {r['metric']}" for r in rows], fontsize=8)
    ax.set_xlim(min(-0.6, float(np.nanmin(low)) - 0.1), max(1.6, float(np.nanmax(high)) + 0.1))
    for yi, r, c in zip(y, rows, colour):
        ax.annotate(f"{r['mean']:.3g} in [{r['min']:g}, {r['max']:g}]", (1.0, yi), xytext=(6, 0),
                    textcoords="offset points", xycoords=("axes fraction", "data"), va="center", fontsize=7,
                    color=c, annotation_clip=False)
    ax.set_xlabel("place in the band (0 = its lower end, 1 = its upper end); mean and 95% CI over seeds")
    ax.set_title(f"{title}: {sum(r['pass'] for r in rows)} of {len(rows)} checks in their bands")
    ax.grid(axis="x", alpha=0.3)


def plot_bands(rows: list[dict], path: str | Path, title: str) -> Path:
    """draw_bands as a PNG file."""
    from matplotlib.figure import Figure  # no pyplot: no global figure state, no display needed

    fig = Figure(figsize=(10, 0.32 * len(rows) + 1.4))
    draw_bands(fig.subplots(), rows, title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion k / n."""
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def case_paths(names: list[str] | None) -> list[Path]:
    paths = sorted(CASES_DIR.glob("*.yaml"))
    if not names:
        return paths
    out = []
    for n in names:
        p = Path(n) if n.endswith(".yaml") else CASES_DIR / f"{n}.yaml"
        if not p.is_file():
            known = ", ".join(x.stem for x in paths)
            raise ScenarioError(f"{n}: no such case (known: {known})")
        out.append(p)
    return out


__all__ = ["METRICS", "case_paths", "coercion_base_rate", "draw_bands", "plot_bands", "replication_seeds",
           "validate_case", "validate_cases"]
