"""Time the in-event re-forecast on the demo's sale in progress (``history_in_progress.csv``).

Fits on the hours before each cut-off (``as_of``) and forecasts the plan's window
2026-11-01 .. 2026-11-18 with 1000 draws, the demo's after-sales wave and reminder share, as
``peakplan replan`` calls it; prints the best of 3 runs per cut-off (target ≤ 2 s) and the
re-estimated peak day (all queues) beside the forecast made two weeks ahead.

Usage: ``python benchmarks/bench_reforecast.py``
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from forecasts.history import read_history  # noqa: E402
from forecasts.model import forecast  # noqa: E402
from forecasts.promotions import read_promotions  # noqa: E402
from scheduler.demo import DEMO_DIR, DEMO_IN_PROGRESS  # noqa: E402
from scheduler.plan.load import load_plan  # noqa: E402

CUTOFFS = ("2026-11-01", "2026-11-06", "2026-11-11")  # two weeks ahead (the plan's history), mid warm-up, the eve


def peak_day(fc: pd.DataFrame) -> str:
    """The peak day's mean and P10-P90 summed over queues, as text."""
    day = fc[fc["ds"].dt.normalize() == pd.Timestamp("2026-11-11")]
    return f"{day['mean'].sum():8.0f} [{day['p10'].sum():6.0f}, {day['p90'].sum():6.0f}]"


def main() -> None:
    history = read_history(DEMO_IN_PROGRESS)
    promotions = read_promotions(DEMO_DIR / "promotions.csv")
    plan = load_plan(DEMO_DIR / "demo.toml")
    print("as_of        best of 3   peak day: mean [P10, P90 summed]")
    for as_of in CUTOFFS:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            fc = forecast(history, promotions, "2026-11-01", "2026-11-18", event="double11-2026", as_of=as_of,
                          waves=plan.waves, shares=plan.shares)
            best = min(best, time.perf_counter() - t0)
        print(f"{as_of}   {best:6.2f} s   {peak_day(fc)}")
    print("target: re-forecast ≤ 2 s")


if __name__ == "__main__":
    main()
