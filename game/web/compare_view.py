"""Two variants of the scenario's compare experiment side by side, with their difference,
and the same experiment over several seeds with 95% intervals.

The metrics are the ones `highfence compare` reports (game.compare), read per
round from both runs, which share a seed (common random numbers), so the
difference is the effect of the variant and not of chance. One seed is one draw
of the firms' and strategies' chances; `run_seeds` plays every arm over a few
seeds (game.compare), on all cores, so the page can show how far a result is from noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from game.compare import METRICS as HEADLINE
from game.compare import SERIES, Run, compare, mean_ci, replication_seeds, series, summarise
from game.experiment import VARIANTS
from game.model import GeoModel
from game.scenario import Scenario
from game.web.svg import Line, esc, fmt, line_chart

METRICS = (
    ("access", "Target access to the controlled goods", "real quantity index (1 = start)"),
    ("controller_share", "Controller's world market share", "mean over the compared sectors"),
    ("allies_share", "Partners' world market share", "sum over partners, mean over sectors"),
    ("target_tech_gap", "Target's technology gap", "1 − target / best of controller and partners"),
    ("controller_welfare", "Controller's welfare change ($bn)", "against the start"),
    ("world_welfare", "World welfare change ($bn)", "sum over states"),
)
# Variants are not states: greys told apart by dashes, so no state's colour means a variant.
COLOUR_A, COLOUR_B, COLOUR_DIFF = "#222222", "#6f6f6f", "#9a9a9a"
DASH_B, DASH_DIFF = "6 3", "2 3"
HEADLINE_LABELS = {
    "target_access": "Target access (vs no control)",
    "target_price": "Target price (vs no control)",
    "leakage_share": "Leaked share of what it receives",
    "controller_share": "Controller's market share",
    "allies_share": "Partners' market share",
    "target_tech_gap": "Target's technology gap",
    "controller_welfare": "Controller's welfare ($bn a round)",
    "world_welfare": "World welfare ($bn a round)",
}


def describe(model: GeoModel) -> str:
    c, sec = model.spec.compare, model.world.sectors
    partners = ", ".join(c.partners)
    goods = ", ".join(sec.labels[sec.names.index(s)] for s in c.sectors)
    return (f"{c.controller}'s {c.scope} export controls on {goods} to {c.target} from round "
            f"{c.start_round}, enforcement {c.enforcement:.2f}; coordinated means proposed to {partners}.")


def compare_charts(a: GeoModel, b: GeoModel, width: int = 440) -> list[tuple[str, str]]:
    """(key, svg) per metric: variant A, variant B and B − A by round."""
    sa, sb = series(a), series(b)
    va, vb = a.treatment.variant, b.treatment.variant
    out = []
    for key, title, sub in METRICS:
        diff = np.asarray(sb[key]) - np.asarray(sa[key])
        lines = [Line(va, sa[key], COLOUR_A), Line(vb, sb[key], COLOUR_B, DASH_B),
                 Line(f"{vb} − {va}", diff, COLOUR_DIFF, dash=DASH_DIFF, width=1.4)]
        out.append((key, line_chart(title, lines, a.rounds, subtitle=sub, zero_line=True, width=width)))
    return out


def compare_table(a: GeoModel, b: GeoModel) -> str:
    """This round's values of both variants and their difference, as an HTML table."""
    sa, sb = series(a), series(b)
    va, vb = a.treatment.variant, b.treatment.variant
    rows = []
    for key, title, _ in METRICS:
        x, y = float(sa[key][-1]), float(sb[key][-1])
        d = y - x
        sign = "+" if d > 0 else ""
        rows.append(f"<tr><td>{esc(title)}</td><td>{fmt(x)}</td><td>{fmt(y)}</td>"
                    f'<td class="hf-diff">{sign}{fmt(d)}</td></tr>')
    return (f'<table class="hf-compare-table"><thead><tr><th>round {a.steps}</th><th>{esc(va)}</th>'
            f"<th>{esc(vb)}</th><th>{esc(vb)} − {esc(va)}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


# -- over several seeds -----------------------------------------------------------------


@dataclass(frozen=True)
class SeedRuns:
    """Every arm of the compare experiment over `seeds` (spawned from one root seed)."""

    root: int
    seeds: tuple[int, ...]
    runs: tuple[Run, ...]
    rounds: int


def run_seeds(scenario: Scenario, root: int, k: int, rounds: int | None = None,
              progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] = lambda: False, executor: str = "local",
              workers: int | None = None) -> SeedRuns | None:
    """Play every arm over k seeds on all cores (the sweep executors' local pool, as
    `highfence compare`), so a page can show progress as seeds finish (`progress(done, k)`)
    and stop early (`cancelled()`; then None: seeds not yet started are dropped, the ones
    running finish first)."""
    seeds = replication_seeds(root, k)
    if cancelled():
        return None
    finished = iter(range(1, k + 1))
    runs = compare(scenario, seeds, rounds, progress=(lambda: progress(next(finished), k)) if progress else None,
                   executor=executor if k > 1 else "serial", workers=workers, cancelled=cancelled)
    if runs is None:
        return None
    last = len(runs[0].series[SERIES[0]]) - 1 if runs else 0
    return SeedRuns(root, tuple(seeds), tuple(runs), last)


def _num(v: float) -> str:
    return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"


def _cell(m: float, lo: float, hi: float) -> str:
    return f'{_num(m)} <span class="hf-ci">[{_num(lo)}, {_num(hi)}]</span>'


def seeds_table(result: SeedRuns, va: str, vb: str) -> str:
    """Mean and 95% interval over seeds of every headline metric for every arm, and the
    paired difference B − A (each seed's B against the same seed's A)."""
    by = {(r["variant"], r["metric"]): r for r in summarise(list(result.runs))}
    head = "".join(f"<th>{esc(v)}</th>" for v in VARIANTS)
    rows = []
    for metric in HEADLINE:
        cells = "".join(f"<td>{_cell(by[(v, metric)]['mean'], by[(v, metric)]['ci_low'], by[(v, metric)]['ci_high'])}</td>"
                        for v in VARIANTS)
        a = {r.seed: r.finals[metric] for r in result.runs if r.variant == va}
        b = {r.seed: r.finals[metric] for r in result.runs if r.variant == vb}
        diff = mean_ci(np.array([b[s] - a[s] for s in result.seeds]))
        rows.append(f"<tr><td>{esc(HEADLINE_LABELS.get(metric, metric))}</td>{cells}"
                    f'<td class="hf-diff">{_cell(*diff)}</td></tr>')
    n = len(result.seeds)
    return (f'<table class="hf-compare-table hf-seeds-table"><caption>Over {n} seeds (root seed {result.root}): '
            f"mean [95% interval] over runs of {result.rounds} rounds (as <code>highfence compare</code>)</caption><thead><tr><th>metric</th>{head}"
            f"<th>{esc(vb)} − {esc(va)} (paired)</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _band(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-round mean and 95% interval over seeds of a (seeds, rounds) array."""
    stats = np.array([mean_ci(data[:, r]) for r in range(data.shape[1])])
    return stats[:, 0], stats[:, 1], stats[:, 2]


SERIES_TITLES = {
    "target_access": ("Target access over seeds", "against each seed's no-control run; band: 95% interval"),
    "controller_share": ("Controller's market share over seeds", "mean over seeds; band: 95% interval"),
    "allies_share": ("Partners' market share over seeds", "mean over seeds; band: 95% interval"),
    "target_tech_gap": ("Target's technology gap over seeds", "mean over seeds; band: 95% interval"),
}


def seeds_charts(result: SeedRuns, va: str, vb: str, width: int = 440) -> list[tuple[str, str]]:
    """(key, svg) per series: variants A and B by round, each with its 95% band over seeds."""
    out = []
    for key in SERIES:
        lines = []
        for v, col, dash in ((va, COLOUR_A, None), (vb, COLOUR_B, DASH_B)):
            data = np.array([r.series[key] for r in result.runs if r.variant == v])
            mean, lo, hi = _band(data)
            lines.append(Line(v, mean, col, dash, band=(lo, hi)))
        title, sub = SERIES_TITLES[key]
        out.append((key, line_chart(title, lines, result.rounds, subtitle=sub, width=width,
                                    css_class="hf-chart hf-seeds-chart")))
    return out
