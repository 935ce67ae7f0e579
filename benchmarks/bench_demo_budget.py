"""What the lead's minute buys on the demo: the staged solve at several budgets and seeds.

For each budget and seed it prints the objective, the hours under target per queue (coverage rows
with a shortfall, as ``summary.json`` counts them), the agent-hours below target they add up to
(``*``: proven the fewest any roster leaves, by the cover stage), the movable breaks (``scheduler.check.movable``),
the temps ``gaps.csv`` asks for (extra agents, summed), the wall time and the peak memory (RSS).
The requirements are the demo plan's own (its forecast at the plan's seed).

Run: ``python benchmarks/bench_demo_budget.py [--budgets 60,600] [--seeds 0,1,2] [--workers 2]``.
Target (issue 19): hours under target per queue at 60 s within 3 % of a 600 s run.
"""

from __future__ import annotations

import argparse
import resource
import time

from scheduler.check.checker import coverage
from scheduler.check.gaps import gaps
from scheduler.check.movable import movable_breaks
from scheduler.demo import DEMO_CONFIG
from scheduler.pipeline.inputs import plan_flags, plan_forecast, read_inputs
from scheduler.plan.load import load_plan
from scheduler.roster.model import RosterModel
from scheduler.roster.search.staged import staged_solve
from scheduler.staffing.requirements import requirements


def demo():
    """(plan, staff, requirements, flags) of the bundled demo."""
    plan = load_plan(DEMO_CONFIG)
    inputs = read_inputs(plan)
    flags = plan_flags(plan, inputs)
    return plan, inputs.staff, requirements(plan_forecast(plan, inputs, plan.solver.seed), plan, flags), flags


def run(budget: float, seed: int, workers: int, case) -> str:
    plan, staff, req, flags = case
    started = time.perf_counter()
    full = RosterModel(plan, staff, req, flags, symmetry=False, background=True)
    result, _ = staged_solve(full, budget, workers, seed)
    wall = time.perf_counter() - started
    cov = coverage(plan, req, result.assignments, flags)
    under = cov[cov["shortfall"] > 0].groupby("queue").size().reindex(list(plan.queues), fill_value=0)
    below = int(cov["shortfall"].sum())
    proven = "*" if result.floor is not None and result.floor["proven_fewest"] else ""
    movable = len(movable_breaks(plan, staff, result.roster, result.assignments, cov))
    temps = int(gaps(cov, plan)["extra_agents"].sum())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (f"{budget:>6.0f} {seed:>4} {result.objective:>12,.0f} " + " ".join(f"{n:>9}" for n in under)
            + f" {int(under.sum()):>6} {f'{below}{proven}':>7} {movable:>7} {temps:>6} {wall:>7.1f} {peak_mb:>8.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", default="60,600")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    case = demo()
    queues = " ".join(f"{q:>9}" for q in case[0].queues)
    print(f"{'budget':>6} {'seed':>4} {'objective':>12} {queues} {'under':>6} {'below':>7} {'movable':>7} {'temps':>6} {'wall_s':>7} {'peak_MB':>8}", flush=True)
    for budget in [float(b) for b in args.budgets.split(",")]:
        for seed in [int(s) for s in args.seeds.split(",")]:
            print(run(budget, seed, args.workers, case), flush=True)


if __name__ == "__main__":
    main()
