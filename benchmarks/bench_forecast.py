"""Time fit + forecast of the demo (3 years × 3 queues, Double 11 2026 window, 1000 draws).

Usage: ``python benchmarks/bench_forecast.py``; prints the best of 3 runs (target ≤ 2 s).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasts.history import read_history  # noqa: E402
from forecasts.model import forecast  # noqa: E402
from forecasts.promotions import read_promotions  # noqa: E402
from scheduler.plan.load import load_plan  # noqa: E402

DEMO = ROOT / "scheduler" / "demo"


def main() -> None:
    history = read_history(DEMO / "history.csv")
    promotions = read_promotions(DEMO / "promotions.csv")
    plan = load_plan(DEMO / "demo.toml")  # the demo's after-sales wave and reminder share, as `peakplan plan` fits them
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        forecast(history, promotions, "2026-10-22", "2026-11-19", event="double11-2026", waves=plan.waves, shares=plan.shares)
        best = min(best, time.perf_counter() - t0)
    print(f"fit + forecast, demo {history['queue'].nunique()} queues × {history['ds'].dt.normalize().nunique()} days, "
          f"2026-10-22..2026-11-19: {best:.2f} s (best of 3; target ≤ 2 s)")


if __name__ == "__main__":
    main()
