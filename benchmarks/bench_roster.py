"""Roster solve quality and speed on seeded instances of three sizes.

S: 60 agents x 18 days, M: 200 agents x 21 days, L: 1,000 agents x 21 days; 3 queues, an
hourly demand with a sale peak (a 5x sale day with a 00:00 spike and an after-sales wave)
scaled to the head count, the demo's shifts and rules. For each size it prints the time to
the first roster and, at each budget, the objective, the bound (the better of the aggregated
model's and CP-SAT's), the gap, and the pre-sale agent-hours below the requirement the cover
stage reached (``*``: proven the fewest any roster reaches), and the process's peak memory so far
(run one size alone for its own). Run: ``python benchmarks/bench_roster.py [S M L] [--budgets 30,60]``.
Targets (2 cores): S <= 0.5% gap in 30 s; M <= 1% in 60 s; L a first roster in 30 s, <= 2% in 300 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import resource
import time

import numpy as np
import pandas as pd

from scheduler.plan.load import load_plan
from scheduler.demo import DEMO_CONFIG
from scheduler.roster.model import RosterModel
from scheduler.staffing.requirements import requirements
from scheduler.roster.search.staged import staged_solve

SIZES = {"S": (60, 18), "M": (200, 21), "L": (1000, 21)}
SKILLS = ["presale"] * 6 + ["aftersale"] * 4 + ["reminder"] + ["presale|aftersale"] * 3 + ["presale|reminder"] + ["presale|aftersale|reminder"]


def staff_frame(n: int, days: list[dt.date], rng) -> pd.DataFrame:
    rows = []
    for i in range(n):
        part = rng.random() < 0.12
        leave = frozenset(rng.choice(days, size=rng.integers(0, 3), replace=False)) if rng.random() < 0.3 else frozenset()
        rows.append({"agent_id": f"B{i:04d}", "name": f"坐席{i:04d}", "skills": tuple(SKILLS[rng.integers(len(SKILLS))].split("|")),
                     "employment": "part_time" if part else "full_time", "night_allowed": bool(rng.random() < (0.2 if part else 0.8)),
                     "max_week_hours": 25.0 if part else 48.0, "min_week_hours": 0.0 if part else 32.0,
                     "contract_week_hours": 20.0 if part else 40.0, "hourly_cost": float(np.round(rng.uniform(24, 40), 1)),
                     "unavailable": leave, "prefer_off": frozenset(), "prefer_shift": ""})
    return pd.DataFrame(rows)


def forecast_frame(n_agents: int, days: list[dt.date], rng) -> pd.DataFrame:
    """Chats per hour scaled to the head count: the demo's 60 agents meet ~3,400 pre-sale chats a normal day."""
    ds = pd.date_range(pd.Timestamp(days[0]), pd.Timestamp(days[-1]) + pd.Timedelta(hours=23), freq="h")
    hour, day = ds.hour.to_numpy(), ((ds - ds[0]).days).to_numpy()
    shape = np.where(hour < 8, 0.15, 0.7 + 0.5 * np.sin((hour - 8) / 16 * np.pi))
    sale_day = len(days) // 2
    presale = 3400 / 24 * shape * np.where(day == sale_day, 5.0, 1.0) * np.where((day == sale_day) & (hour < 2), 3.0, 1.0)
    after = 1300 / 24 * shape * (1 + 1.8 * np.exp(-((day - sale_day - 4) ** 2) / 8.0) * (day > sale_day))
    remind = 170 / 24 * shape * np.where(day == sale_day, 4.0, 1.0)
    scale = n_agents / 60
    rows = []
    for q, m in (("presale", presale), ("aftersale", after), ("reminder", remind)):
        m = scale * m * rng.gamma(50, 1 / 50, len(ds))
        rows.append(pd.DataFrame({"queue": q, "ds": ds, "mean": m, "p10": m, "p50": m, "p90": m}))
    return pd.concat(rows, ignore_index=True), sale_day


def instance(size: str, seed: int = 0):
    """(plan, staff, requirements, flags) of a size."""
    return instance_with_forecast(size, seed)[:4]


def instance_with_forecast(size: str, seed: int = 0):
    """(plan, staff, requirements, flags, forecast) of a size."""
    n, n_days = SIZES[size]
    rng = np.random.default_rng(seed)
    base = load_plan(DEMO_CONFIG)
    start = dt.date(2026, 11, 1)
    days = [start + dt.timedelta(days=k) for k in range(n_days)]
    fc, sale_day = forecast_frame(n, days, rng)
    peak = days[sale_day]
    shifts = {k: dataclasses.replace(t, dates=frozenset({peak - dt.timedelta(days=1)}) if t.dates is not None else None)
              for k, t in base.shifts.items()}
    plan = dataclasses.replace(base, name=f"bench-{size}", start=start, end=days[-1], event=None, shifts=shifts)
    ds = pd.date_range(pd.Timestamp(start), pd.Timestamp(days[-1]) + pd.Timedelta(hours=23), freq="h")
    flags = pd.DataFrame({"peak": (ds >= pd.Timestamp(peak)) & (ds < pd.Timestamp(peak) + pd.Timedelta(days=1)),
                          "final_payment": (ds >= pd.Timestamp(peak) - pd.Timedelta(hours=4)) & (ds < pd.Timestamp(peak) + pd.Timedelta(hours=2))}, index=ds)
    return plan, staff_frame(n, days, rng), requirements(fc, plan, flags), flags, fc


def run(size: str, budgets: list[float], workers: int):
    plan, staff, req, flags = instance(size)
    for budget in budgets:
        t = time.perf_counter()
        model = RosterModel(plan, staff, req, flags, symmetry=False, background=True)
        built = time.perf_counter() - t
        first = []
        result, agg_bound = staged_solve(model, budget, workers, 0, lambda w, *a: first.append(time.perf_counter() - t))
        wall = time.perf_counter() - t
        bound = max(result.bound, agg_bound or result.bound)
        gap = (result.objective - bound) / result.objective
        floor = "-" if result.floor is None else f"{result.floor['agent_hours_below']}{'*' if result.floor['proven_fewest'] else ''}"
        print(f"{size:<2} {len(staff):>5} {len(plan.days):>4} {budget:>6.0f} {built:>7.1f} {first[0] if first else float('nan'):>9.1f} "
              f"{wall:>7.1f} {result.objective:>14,.0f} {bound:>14,.0f} {gap:>7.2%} {floor:>7} {peak_mb():>7.0f}", flush=True)


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=["S", "M", "L"])
    parser.add_argument("--budgets", default=None, help="seconds, comma-separated (default S: 30, M: 60, L: 30,300)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    defaults = {"S": [30.0], "M": [60.0], "L": [30.0, 300.0]}
    print(f"{'sz':<2} {'agents':>5} {'days':>4} {'budget':>6} {'build_s':>7} {'first_s':>9} {'wall_s':>7} {'objective':>14} {'bound':>14} {'gap':>7} {'floor':>7} {'peak_MB':>7}")
    for size in args.sizes:
        budgets = [float(b) for b in args.budgets.split(",")] if args.budgets else defaults[size]
        run(size, budgets, args.workers)


if __name__ == "__main__":
    main()
