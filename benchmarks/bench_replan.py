"""A re-plan on the eve of the demo's sale (issue 20): what it keeps, what it changes, what it buys.

1. The demo plan from scratch is the published roster (its own forecast, the history to 10-31).
2. The sale-in-progress history (``scheduler/demo/history_in_progress.csv``, to the eve) is
   re-forecast as of ``--as-of``; the re-forecast's time is printed.
3. ``compute_plan(published=...)``, the re-plan ``peakplan replan`` runs: the published shifts
   before the lock kept (checked here again), the share of later published shifts it changes, its
   hours under target per queue, and its roster stage's wall time.
4. A plan from scratch on the same new requirements (the staged solve, the same budget): its
   hours under target, the yardstick of the re-plan's (target: within 10 %).

Run: ``python benchmarks/bench_replan.py [--as-of "2026-11-10 12:00"] [--time-limit 60] [--workers 2]``.
Targets: re-forecast <= 2 s; re-plan within the time limit; every locked shift kept; <= 20 % of
the later published shifts changed; hours under target within 10 % of the plan from scratch.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import pandas as pd

from forecasts.history import read_history
from scheduler.check.checker import coverage
from scheduler.check.published import Published, lock_violations
from scheduler.demo import DEMO_CONFIG, DEMO_IN_PROGRESS
from scheduler.pipeline.changes import hours_under
from scheduler.pipeline.inputs import plan_flags, plan_forecast, read_inputs
from scheduler.pipeline.plan import Options, compute_plan
from scheduler.plan.load import load_plan
from scheduler.roster.solve import solve_roster


def _under(cov: pd.DataFrame, plan, after=None) -> str:
    """Hours under target per queue (and in all), over the window or from ``after`` on."""
    counts = hours_under(cov if after is None else cov[cov["ds"] >= after])
    return " ".join(f"{q}={counts.get(q, 0)}" for q in plan.queues) + f" total={sum(counts.values())}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-11-10 12:00")
    parser.add_argument("--history", default=str(DEMO_IN_PROGRESS))
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    plan, seed = load_plan(DEMO_CONFIG), args.seed
    opts = Options(out=Path(tempfile.mkdtemp()), time_limit_s=args.time_limit, workers=args.workers, seed=seed)
    inputs = read_inputs(plan)
    published_run = compute_plan(plan, inputs, opts)
    print(f"published: {_under(published_run.frames['coverage.csv'], plan)} (plan from scratch, history to 10-31)")

    new = dataclasses.replace(inputs, history=read_history(Path(args.history)))
    started = time.perf_counter()
    plan_forecast(plan, new, seed, pd.Timestamp(args.as_of))
    print(f"re-forecast as of {args.as_of}: {time.perf_counter() - started:.2f} s (target <= 2 s)")

    published = Published.of(published_run.frames["roster.csv"], args.as_of, plan)
    started = time.perf_counter()
    run = compute_plan(plan, new, opts, published)
    wall = time.perf_counter() - started
    r = run.summary["replan"]
    breaches = lock_violations(published, run.frames["roster.csv"])
    locked = int((published.roster["start"] < published.lock_end).sum())
    print(f"re-plan: {locked} locked shifts, {len(breaches)} not kept; {r['changed_published']} of "
          f"{r['published_after_lock']} later published shifts changed ({r['share']:.1%}, target <= 20 %), "
          f"{r['changes']} changes in all, {r['agents']} agents")
    print(f"re-plan hours under target: {_under(run.frames['coverage.csv'], plan)}; published roster on the new "
          f"forecast: {r['hours_under_target']['published']}")
    print(f"re-plan time: roster stage {run.docs['run.json']['timings_s']['roster']:.1f} s, whole run {wall:.1f} s "
          f"(limit {args.time_limit:.0f} s)")

    req, flags = run.frames["requirements.csv"], plan_flags(plan, new)
    scratch = solve_roster(plan, new.staff, req, flags, args.time_limit, args.workers, seed)
    cov = coverage(plan, req, scratch.assignments, flags)
    ours, theirs = sum(hours_under(run.frames["coverage.csv"]).values()), sum(hours_under(cov).values())
    print(f"from scratch on the new forecast: {_under(cov, plan)}; re-plan / scratch = {ours}/{theirs} "
          f"({(ours - theirs) / max(theirs, 1):+.1%}, target within 10 %)")
    lock = published.lock_end
    print(f"after the lock ({lock:%m-%d %H:%M}), what a re-plan can still change: re-plan "
          f"{_under(run.frames['coverage.csv'], plan, lock)}; from scratch {_under(cov, plan, lock)}")


if __name__ == "__main__":
    main()
