"""Simulation speed and truth check on the demo roster.

Prints, on this machine:
- 1 week x 2 chat queues x 1,000 replications (target <= 10 s);
- the full demo window's default simulation, as ``peakplan plan`` runs it (target <= 20 s);
- the truth check: with the forecast fixed to its mean, the largest gap per queue between the
  simulated and the analytic service level (target <= 2 points), over every open hour.

The roster is the demo's (``tests/data/demo_assignments.csv``, written by ``peakplan plan``; or
``--assignments`` for another run of the demo plan). The first call compiles the kernel (numba
caches it), so a warm-up run comes first and is reported apart.
Run: ``python benchmarks/bench_simulate.py [--assignments FILE]``; exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.check.checker import read_assignments  # noqa: E402
from scheduler.plan.load import load_plan  # noqa: E402
from scheduler.demo import DEMO_CONFIG  # noqa: E402
from scheduler.pipeline import plan_flags, plan_forecast, read_inputs  # noqa: E402
from scheduler.simulate.simulation import Settings, simulate  # noqa: E402
from scheduler.staffing.requirements import requirements  # noqa: E402

CHAT = ("presale", "aftersale")


def stage(plan, inputs):
    fc, flags = plan_forecast(plan, inputs, plan.solver.seed), plan_flags(plan, inputs)
    return fc, flags, requirements(fc, plan, flags)


def timed(*args, **kw):
    t = time.perf_counter()
    out = simulate(*args, **kw)
    return out, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--assignments", type=Path, default=ROOT / "tests" / "data" / "demo_assignments.csv")
    args = ap.parse_args()
    plan = load_plan(DEMO_CONFIG)
    inputs = read_inputs(plan)
    fc, flags, req = stage(plan, inputs)
    hourly = read_assignments(args.assignments)
    _, compile_s = timed(plan, fc, req, flags, hourly, Settings(replications=2, queues=CHAT))
    print(f"warm-up (compiles the kernel on a first run, else loads it): {compile_s:.2f} s")

    week = dataclasses.replace(plan, end=plan.start + dt.timedelta(days=6))
    w_fc, w_flags, w_req = stage(week, inputs)
    w_hourly = hourly[hourly["ds"] < str(week.end + dt.timedelta(days=1))]
    sim, secs = timed(week, w_fc, w_req, w_flags, w_hourly, Settings(replications=1000, queues=CHAT))
    ok = [secs <= 10.0]
    print(f"1 week x 2 chat queues x 1,000 replications: {len(sim)} queue-hours, {secs:.2f} s (target <= 10 s)")

    sim, secs = timed(plan, fc, req, flags, hourly, Settings(replications=plan.simulation.replications))
    ok.append(secs <= 20.0)
    print(f"full demo window, default ({plan.simulation.replications} replications, 3 queues): {len(sim)} queue-hours, "
          f"{secs:.2f} s (target <= 20 s)")

    sim, secs = timed(plan, fc, req, flags, hourly, Settings(replications=1000, forecast_error=False, seed=5, queues=CHAT))
    print(f"truth check, mean forecast, 1,000 replications ({secs:.1f} s): |simulated - analytic| service level")
    for name, part in sim.groupby("queue"):
        diff = (part["service_level_sim"] - part["service_level_plan"])
        worst = part.loc[diff.abs().idxmax()]
        ok.append(diff.abs().max() <= 0.02)
        print(f"  {name:<10} {len(part):>4} open hours: mean {100 * diff.mean():+.2f} pt, max {100 * diff.abs().max():.2f} pt "
              f"at {worst['ds']:%m-%d %H:%M} (analytic {worst['service_level_plan']:.3f}, simulated {worst['service_level_sim']:.3f})")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
