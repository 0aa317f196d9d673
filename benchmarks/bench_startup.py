"""Start-up time of the command line: `highfence --help` and every subcommand's
`--help`, each against `python -c "import numpy"` (wall clock, median of 5 fresh
processes). Subcommands register without importing their heavy modules (the
model, pandas, scipy, Mesa are imported when a command runs), so each should be
within 3x of importing numpy.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 3.0  # x import numpy


def wall(cmd: list[str], repeat: int) -> float:
    """Median wall-clock seconds of `cmd` in a fresh process."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def subcommands() -> list[str]:
    from game.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="fresh processes per measurement (median)")
    args = ap.parse_args()
    cli = [sys.executable, "-m", "game.cli"]
    numpy = wall([sys.executable, "-c", "import numpy"], args.repeat)
    print(f"python -c 'import numpy'       {numpy:6.3f} s   1.00x (median of {args.repeat})")
    rows = [("highfence --help", cli + ["--help"])]
    rows += [(f"highfence {name} --help", cli + [name, "--help"]) for name in subcommands()]
    worst = 0.0
    for label, cmd in rows:
        t = wall(cmd, args.repeat)
        worst = max(worst, t / numpy)
        print(f"{label:<30} {t:6.3f} s  {t / numpy:5.2f}x")
    print(f"slowest: {worst:.2f}x import numpy (target: within {TARGET:g}x)")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
