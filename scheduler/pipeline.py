"""The whole plan: forecast -> requirements -> roster -> check -> run folder.

Takes: a ``Plan``. Writes: the run folder (``forecast.csv, requirements.csv, roster.csv,
assignments.csv, coverage.csv, summary.json, run.json, coverage.png, inputs/``). Returns the
summary document.
"""

from __future__ import annotations

import dataclasses
import hashlib
import platform
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from forecasts.errors import InputError
from forecasts.history import read_history
from forecasts.model import forecast
from forecasts.promotions import read_promotions
from scheduler.charts import coverage_figure
from scheduler.checker import check_rules, cost_breakdown, coverage
from scheduler.explain import explain
from scheduler.export import ensure_writable, write_run
from scheduler.gaps import gaps
from scheduler.roster import solve_roster
from scheduler.staff import read_staff
from scheduler.staffing import phase_flags, requirements
from scheduler.summary import build_summary


class RosterCheckError(RuntimeError):
    """The solver's roster failed the checker: a bug, never written out."""


class RulesConflictError(InputError):
    """The hard rules admit no roster; the message names the agents and the rules in conflict."""


def check_feasible(plan, staff) -> None:
    """Raise ``RulesConflictError`` naming every agent whose own rules admit no schedule."""
    conflicts = explain(plan, staff)
    if conflicts:
        shown = "; ".join(c.line() for c in conflicts[:5])
        more = f"; and {len(conflicts) - 5} more agent(s)" if len(conflicts) > 5 else ""
        raise RulesConflictError(f"{plan.path}: the hard rules admit no roster: {shown}{more} (relax one of the rules named, or the agent's contract)")


@dataclass
class Options:
    out: Path
    time_limit_s: float | None = None
    seed: int | None = None
    workers: int | None = None
    force: bool = False
    say: object = field(default=lambda msg: None)


@dataclass
class Inputs:
    history: pd.DataFrame
    promotions: object
    staff: pd.DataFrame


def read_inputs(plan) -> Inputs:
    """Read and check every data file the plan names."""
    promotions = read_promotions(plan.promotions)
    if plan.event is not None and plan.event not in set(promotions.events["event"]):
        raise InputError(f"{plan.path}: [plan] event: {plan.event!r} is not in {plan.promotions}")
    return Inputs(read_history(plan.history), promotions, read_staff(plan.staff, plan.queues, plan.shifts))


def plan_hours(plan) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(plan.start), pd.Timestamp(plan.end) + pd.Timedelta(hours=23), freq="h")


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _versions() -> dict:
    names = ("peakplan", "ortools", "pandas", "numpy", "scipy", "click", "matplotlib")
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def verify(plan, staff, result, req, flags):
    """Check the roster with the solver-free checker and price it; returns (coverage, costs, result).

    The checker's objective is the roster's true cost. It equals the solver's value at an optimum;
    in a solution not proven optimal an auxiliary variable (a spread's max, a shortfall tier) may
    sit above its tight value, so the solver's value can be higher, never lower. The returned
    result carries the checker's value and the gap against the bound.
    """
    violations = check_rules(plan, staff, result.roster, result.assignments)
    if violations:
        raise RosterCheckError("the roster failed its own check: " + "; ".join(v.line() for v in violations[:5]))
    cov = coverage(plan, req, result.assignments, flags)
    costs = cost_breakdown(plan, staff, result.roster, cov, result.curves)
    true = float(costs["cost"].sum())
    if true > result.objective + 0.05:
        raise RosterCheckError(f"checker objective {true:.1f} is above the solver's {result.objective:.1f}")
    gap = 0.0 if true == 0 else max(0.0, (true - result.bound) / abs(true))
    return cov, costs, dataclasses.replace(result, objective=true, gap=gap)


def _progress(say):
    return lambda t, obj, bound, gap: say(f"  {t:6.1f} s  objective {obj:>12,.1f}  bound {bound:>12,.1f}  gap {gap:6.2%}")


def run_plan(plan, opts: Options) -> dict:
    """Run every stage and write the run folder; returns the summary."""
    ensure_writable(opts.out, opts.force)
    clock, timings = time.perf_counter(), {}

    def lap(stage):
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    inputs = read_inputs(plan)
    lap("read")
    seed = plan.solver.seed if opts.seed is None else opts.seed
    opts.say(f"forecasting {len(plan.queues)} queues, {plan.start}..{plan.end}")
    fc = forecast(inputs.history, inputs.promotions, plan.start, plan.end, event=plan.event, seed=seed)
    lap("forecast")
    flags = phase_flags(plan_hours(plan), inputs.promotions.phases, plan.event)
    req = requirements(fc, plan, flags)
    lap("staffing")
    limit = plan.solver.time_limit_s if opts.time_limit_s is None else opts.time_limit_s
    check_feasible(plan, inputs.staff)
    lap("rules")
    opts.say(f"rostering {len(inputs.staff)} agents over {len(plan.days)} days (time limit {limit:g} s; Ctrl-C keeps the best so far)")
    result = solve_roster(plan, inputs.staff, req, flags, limit, opts.workers, seed, _progress(opts.say))
    lap("roster")
    cov, costs, result = verify(plan, inputs.staff, result, req, flags)
    gap_frame = gaps(cov, plan)
    lap("check")
    summary = build_summary(plan, inputs.staff, result, cov, costs, gap_frame)
    terms = {k: round(float(v), 1) for k, v in costs.groupby("rule")["cost"].sum().items()}
    run = {"plan": plan.name, "config": str(plan.path), "seed": seed, "time_limit_s": limit,
           "workers": plan.solver.workers if opts.workers is None else opts.workers,
           "solver": {"status": result.status, "interrupted": result.interrupted, "objective": result.objective,
                      "bound": result.bound, "gap": result.gap, "wall_s": round(result.wall_s, 3)},
           "objective_terms": {**terms, "total": round(float(costs["cost"].sum()), 1)}, "timings_s": timings,
           "inputs": {p.name: _sha256(p) for p in [plan.path, *plan.data_files]}, "versions": _versions()}
    fig = coverage_figure(cov, list(plan.queues), f"{plan.name}: agents scheduled vs required")
    write_run(opts.out,
              frames={"forecast.csv": fc, "requirements.csv": req, "roster.csv": result.roster,
                      "assignments.csv": result.assignments, "coverage.csv": cov, "violations.csv": costs,
                      "gaps.csv": gap_frame},
              docs={"summary.json": summary, "run.json": run}, figures={"coverage.png": fig},
              inputs=[plan.path, *plan.data_files], force=opts.force)
    return summary
