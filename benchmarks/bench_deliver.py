"""Time to make what the CS lead reads: the charts, roster.xlsx, report.html and the calendars.

Two plans: the demo (60 agents x 18 days, rostered with a 15 s budget) and the L instance of
``bench_roster.py`` (1,000 agents x 21 days, its first roster from a 30 s budget). Rosters are
made first and not timed; then each deliverable is made from the run's frames and timed, and
the total is printed against its target. Run: ``python benchmarks/bench_deliver.py [demo L]``.
Targets (2 cores): demo <= 5 s, L <= 30 s for all of them together.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_roster import instance_with_forecast  # noqa: E402

from scheduler.check.checker import cost_breakdown, coverage  # noqa: E402
from scheduler.plan.load import load_plan  # noqa: E402
from scheduler.demo import DEMO_CONFIG  # noqa: E402
from scheduler.report.export import figure_png  # noqa: E402
from scheduler.check.gaps import gaps  # noqa: E402
from scheduler.pipeline import plan_flags, plan_forecast, read_inputs  # noqa: E402
from scheduler.report import deliver as d  # noqa: E402
from scheduler.roster.solve import solve_roster  # noqa: E402
from scheduler.simulate.simulation import Settings, simulate  # noqa: E402
from scheduler.staffing.requirements import requirements  # noqa: E402
from scheduler.report.summary import build_summary  # noqa: E402

TARGETS = {"demo": 5.0, "L": 30.0}
STAMP = dt.datetime(2026, 10, 20, tzinfo=dt.timezone.utc)


def demo_case():
    plan = load_plan(DEMO_CONFIG)
    inputs = read_inputs(plan)
    fc = plan_forecast(plan, inputs, 0)
    flags = plan_flags(plan, inputs)
    return plan, inputs.staff, requirements(fc, plan, flags), flags, fc, 15.0


def large_case():
    plan, staff, req, flags, fc = instance_with_forecast("L")
    return plan, staff, req, flags, fc, 30.0


def frames_of(plan, staff, req, flags, fc, budget: float):
    """A roster and every frame the deliverables read (the summary too)."""
    result = solve_roster(plan, staff, req, flags, time_limit_s=budget, workers=2, seed=0)
    cov = coverage(plan, req, result.assignments, flags)
    gap_frame = gaps(cov, plan)
    sim = simulate(plan, fc, req, flags, result.assignments, Settings(replications=20))
    costs = cost_breakdown(plan, staff, result.roster, cov, result.curves)
    summary = build_summary(plan, staff, result, cov, costs, gap_frame, sim)
    frames = {"forecast.csv": fc, "roster.csv": result.roster, "assignments.csv": result.assignments,
              "coverage.csv": cov, "gaps.csv": gap_frame, "simulation.csv": sim}
    return frames, summary


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def run(name: str) -> None:
    plan, staff, req, flags, fc, budget = demo_case() if name == "demo" else large_case()
    frames, summary = frames_of(plan, staff, req, flags, fc, budget)
    figure_png(d.coverage_figure(frames["coverage.csv"], plan, flags))  # warm up: fonts, imports
    charts, t_charts = timed(d.charts, plan, frames, flags)
    roster = frames["roster.csv"]
    _, t_xlsx = timed(d.workbook_bytes, plan, staff, roster, frames["assignments.csv"], frames["coverage.csv"],
                      frames["gaps.csv"], d.headline(summary, plan))
    page, t_html = timed(d.report_html, plan, staff, roster, summary, charts)
    cals, t_ics = timed(d.calendar_files, plan, roster, STAMP)
    total = t_charts + t_xlsx + t_html + t_ics
    _, t_all = timed(d.deliver, plan, staff, frames, flags, summary, STAMP)
    print(f"{name:<5} {len(staff):>6} {len(plan.days):>4} {len(roster):>7} {t_charts:>8.2f} {t_xlsx:>7.2f} {t_html:>7.2f} "
          f"{t_ics:>7.2f} {total:>7.2f} {t_all:>9.2f} {TARGETS[name]:>7.0f} {len(page) / 1e6:>8.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=["demo", "L"], help="demo and/or L")
    args = parser.parse_args()
    print(f"{'case':<5} {'agents':>6} {'days':>4} {'shifts':>7} {'charts_s':>8} {'xlsx_s':>7} {'html_s':>7} {'ics_s':>7} "
          f"{'total_s':>7} {'deliver_s':>9} {'target':>7} {'html_MB':>8}")
    for case in args.cases:
        run(case)


if __name__ == "__main__":
    main()
