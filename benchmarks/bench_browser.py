"""Time from a click on Step to the updated view, in the browser the tests drive.

Starts `highfence serve` on a free local port, opens the page in Debian's
chromium and clicks Step N times. Each timing runs inside the page: from the
click to the frame after the map, the event log, the round and the last chart
all show the new round. Target: under 300 ms for the default scenario.

    .venv/bin/python benchmarks/bench_browser.py [--steps 15] [--scenario configs/default.yaml]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from game.web.server import free_port, spawn, stop

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TARGET_MS = 300.0

# Resolves with the milliseconds from the click to the first frame showing round n everywhere.
CLICK_AND_WAIT = """
(n) => new Promise((resolve) => {
    const shows = () => {
        const map = document.querySelector('.hf-view-map svg');
        const log = document.querySelector('.hf-view-log .hf-log-head');
        const round = document.querySelector('.hf-round b');
        const chart = document.querySelector('.hf-view-chart-access');
        return map && map.getAttribute('aria-label').endsWith('round ' + n)
            && log && log.textContent.startsWith('Round ' + n + ':')
            && round && round.textContent === String(n)
            && chart && chart.innerHTML.includes('at round ' + n + '<');
    };
    const t0 = performance.now();
    const observer = new MutationObserver(() => {
        if (shows()) {
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - t0));
        }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    document.querySelector('.hf-step').click();
})
"""


def measure(url: str, steps: int, chromium: str) -> list[float]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(url)
        page.wait_for_selector(".hf-view-map svg", timeout=60_000)
        page.wait_for_timeout(500)  # let the first render settle
        times = [page.evaluate(CLICK_AND_WAIT, n) for n in range(1, steps + 1)]
        browser.close()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--scenario", default="configs/default.yaml")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    port = free_port()
    proc = spawn(port, args.scenario, cwd=ROOT)
    try:
        times = measure(f"http://127.0.0.1:{port}/", args.steps, args.chromium)
    finally:
        stop(proc)
    times_sorted = sorted(times)
    p90 = times_sorted[min(len(times) - 1, int(0.9 * len(times)))]
    median = statistics.median(times)
    print(f"Step click -> updated view ({Path(args.scenario).name}, {len(times)} steps): "
          f"median {median:.0f} ms, p90 {p90:.0f} ms, max {max(times):.0f} ms (target < {TARGET_MS:.0f} ms)")
    print("per step (ms): " + " ".join(f"{t:.0f}" for t in times))
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
