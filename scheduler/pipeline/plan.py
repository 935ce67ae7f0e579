"""``peakplan plan``: forecast -> requirements -> roster -> check -> simulation -> run folder.

Takes: a ``Plan``. Writes: the run folder (``forecast.csv, requirements.csv, roster.csv,
assignments.csv, coverage.csv, violations.csv, gaps.csv, simulation.csv, summary.json, run.json,
roster.xlsx, report.html, calendars/, coverage.png, peak.png, simulation.png, forecast.png,
inputs/``, and with what-if scenarios one sub-folder each plus ``scenarios.csv`` and
``scenarios.png``). Returns the summary document."""

from __future__ import annotations

import dataclasses
import datetime
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecasts.errors import InputError
from forecasts.frames import FRAMES
from scheduler.check.checker import check_rules, cost_breakdown, coverage
from scheduler.roster.explain import explain
from scheduler import interrupt
from scheduler.report.export import ensure_writable, figure_png, write_run
from scheduler.check.gaps import gaps
from scheduler.check.published import Published, lock_violations
from scheduler.roster.solve import solve_roster
from scheduler.simulate.scenarios import apply_scenario, compare, scenario_lines
from scheduler.simulate.simulation import SIMULATION_COLUMNS, Settings as SimSettings
from scheduler.simulate.simulation import simulate
from scheduler.staffing.requirements import requirements
from scheduler.report.charts import scenarios_figure
from scheduler.report.deliver import deliver
from scheduler.report.html import report_html
from scheduler.report.i18n import Words
from scheduler.report.summary import build_summary
from scheduler.pipeline.inputs import Inputs, plan_flags, plan_forecast, read_inputs
from scheduler.pipeline.changes import replan_outputs
from scheduler.pipeline.manifest import run_manifest


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
    stamp: datetime.datetime | None = None  # when set, each agent's calendar is written, stamped with it


def verify(plan, staff, result, req, flags, published=None):
    """Check the roster with the solver-free checker (and a re-plan's lock, ``published``) and price it;
    returns (coverage, costs, result).

    The checker's objective is the roster's true cost. It equals the solver's value at an optimum;
    in a solution not proven optimal an auxiliary variable (a spread's max, a shortfall tier) may
    sit above its tight value, so the solver's value can be higher, never lower. The returned
    result carries the checker's value and the gap against the bound.
    """
    violations = [v.line() for v in check_rules(plan, staff, result.roster, result.assignments)]
    violations += lock_violations(published, result.roster) if published is not None else []
    if violations:
        raise RosterCheckError("the roster failed its own check: " + "; ".join(violations[:5]))
    cov = coverage(plan, req, result.assignments, flags)
    costs = cost_breakdown(plan, staff, result.roster, cov, result.curves)
    true = float(costs["cost"].sum())
    if true > result.objective + 0.05:
        raise RosterCheckError(f"checker objective {true:.1f} is above the solver's {result.objective:.1f}")
    gap = 0.0 if true == 0 else max(0.0, (true - result.bound) / abs(true))
    return cov, costs, dataclasses.replace(result, objective=true, gap=gap)


def _progress(say, words):
    """A line per better roster: its hours under target first, the solver's figures after."""
    def line(t, obj, bound, gap, under=None):
        head = words("progress.under", t=t, n=under) if under is not None else words("progress.better", t=t)
        say(head + words("progress.solver", obj=obj, bound=bound, gap=gap))
    return line


@dataclass
class PlanRun:
    """One plan's results: the summary and the files of its run folder."""

    summary: dict
    frames: dict
    docs: dict
    files: dict  # bytes: the charts, roster.xlsx, report.html, calendars/
    staff: pd.DataFrame


def run_plan(plan, opts: Options, scenarios: dict | None = None) -> dict:
    """Run every stage (and every what-if scenario) and write the run folder; returns the summary.

    ``scenarios`` maps a name to its overrides (``scheduler.simulate.scenarios``); with none given, the
    plan's own ``[scenarios]`` run. Each scenario's files go in a sub-folder of its name, with
    ``scenarios.csv`` and ``scenarios.png`` comparing them beside the base plan's files.
    """
    ensure_writable(opts.out, opts.force)
    scenarios = plan.scenarios if scenarios is None else scenarios
    interrupt.stage("reading", nothing_kept=True)
    inputs = read_inputs(plan)
    changed = {name: apply_scenario(plan, inputs, text, name) for name, text in scenarios.items()}  # before any solve
    base = compute_plan(plan, inputs, dataclasses.replace(opts, stamp=datetime.datetime.now(datetime.timezone.utc)))
    frames, docs, files = dict(base.frames), dict(base.docs), dict(base.files)
    if scenarios:
        runs = {"base": base}
        for name, (s_plan, s_inputs) in changed.items():
            if interrupt.requested():  # Ctrl-C: the base plan (and the scenarios done) are kept, no more
                break
            opts.say(f"scenario {name}: {scenarios[name]}")
            try:
                runs[name] = compute_plan(s_plan, s_inputs, opts)  # no calendars for a what-if
            except interrupt.Interrupted as exc:
                if exc.second:
                    raise
                break
            for kind, target in (("frames", frames), ("docs", docs), ("files", files)):
                target.update({f"{name}/{k}": v for k, v in getattr(runs[name], kind).items()})
        table = compare(runs, plan)
        frames["scenarios.csv"] = table
        files["scenarios.png"] = figure_png(scenarios_figure({k: r.frames["coverage.csv"] for k, r in runs.items()}, plan))
        base.summary["scenarios"] = scenario_lines(table)
        docs["summary.json"] = base.summary
        files["report.html"] = report_html(plan, base.staff, base.frames["roster.csv"], base.summary,
                                           {**base.files, "scenarios.png": files["scenarios.png"]}, table)
    for doc in (docs["run.json"], docs["summary.json"]):  # a Ctrl-C before the writing: the run says so
        doc["interrupted"] = interrupted_doc(base.frames["simulation.csv"]) if interrupt.requested() else None
    interrupt.stage("write")
    write_run(opts.out, frames=frames, docs=docs, files=files, inputs=[plan.path, *plan.data_files], force=opts.force)
    return base.summary


def interrupted_doc(sim: pd.DataFrame) -> dict:
    """``"interrupted"`` of run.json and summary.json: the stage the first Ctrl-C came in, and whether
    the simulation was skipped for it (``solver.interrupted`` says whether the solve was cut short)."""
    return {"stage": interrupt.stopped_at(), "simulation_skipped": bool(len(sim) == 0)}


class _SimulationStopped(Exception):
    """Ctrl-C between two chunks of the simulation: it is skipped."""


def _simulate_unless_stopped(plan, fc, req, flags, assignments, settings) -> pd.DataFrame | None:
    """The simulation, or None if a Ctrl-C came before or during it (checked between chunks of replications)."""
    def progress(*_):
        if interrupt.requested():
            raise _SimulationStopped

    if interrupt.requested():
        return None
    try:
        return simulate(plan, fc, req, flags, assignments, settings, progress)
    except _SimulationStopped:
        return None


def compute_plan(plan, inputs: Inputs, opts: Options, published: Published | None = None) -> PlanRun:
    """Forecast, staffing, roster, check, simulation: every file of a run folder, in memory.

    ``published``: a re-plan (``peakplan replan``): the forecast as of its cut-off, the roster from the
    published one under its lock and change cost, and ``changes.csv`` with the summary's ``replan``."""
    clock, timings = time.perf_counter(), {}

    def lap(stage):
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    seed, words = plan.solver.seed if opts.seed is None else opts.seed, Words(plan)
    opts.say(words("progress.forecast", n=len(plan.queues), start=plan.start, end=plan.end))
    interrupt.stage("forecast", nothing_kept=True)  # until a roster exists, Ctrl-C ends the run (``scheduler.interrupt``)
    as_of = published.as_of if published is not None else None
    fc = FRAMES["forecast"].check(plan_forecast(plan, inputs, seed, as_of), "the forecast stage")
    lap("forecast")
    interrupt.stage("staffing", nothing_kept=True)
    flags = plan_flags(plan, inputs)
    req = FRAMES["requirements"].check(requirements(fc, plan, flags), "the staffing stage")
    lap("staffing")
    limit = plan.solver.time_limit_s if opts.time_limit_s is None else opts.time_limit_s
    interrupt.stage("rules", nothing_kept=True)
    check_feasible(plan, inputs.staff)
    lap("rules")
    opts.say(words("progress.start", agents=len(inputs.staff), days=len(plan.days), limit=limit))
    result = solve_roster(plan, inputs.staff, req, flags, limit, opts.workers, seed, _progress(opts.say, words),
                          published)
    lap("roster")
    FRAMES["roster"].check(result.roster, "the roster stage")
    FRAMES["assignments"].check(result.assignments, "the roster stage")
    interrupt.stage("check")  # a roster exists: from here a Ctrl-C keeps it (the simulation is skipped)
    cov, costs, result = verify(plan, inputs.staff, result, req, flags, published)
    gap_frame = gaps(FRAMES["coverage"].check(cov, "the check stage"), plan)
    lap("check")
    settings = SimSettings(replications=plan.simulation.replications, seed=seed, warmup_min=plan.simulation.warmup_min)
    interrupt.stage("simulation")
    if not interrupt.requested():
        opts.say(words("progress.simulate", n=settings.replications))
    sim = _simulate_unless_stopped(plan, fc, req, flags, result.assignments, settings)
    lap("simulation")
    interrupt.stage("deliver")
    summary = build_summary(plan, inputs.staff, result, cov, costs, gap_frame, sim)
    extra = {}
    if published is not None:
        extra["changes.csv"], summary["replan"] = replan_outputs(plan, inputs.staff, published, result.roster, cov, req, flags)
    sim = sim if sim is not None else pd.DataFrame(columns=SIMULATION_COLUMNS)  # skipped on Ctrl-C: no rows
    workers = plan.solver.workers if opts.workers is None else opts.workers
    run = run_manifest(plan, seed, limit, workers, result, costs, timings)
    frames = {"forecast.csv": fc, "requirements.csv": req, "roster.csv": result.roster,
              "assignments.csv": result.assignments, "coverage.csv": cov, "violations.csv": costs,
              "gaps.csv": gap_frame, "simulation.csv": sim, **extra}
    files = deliver(plan, inputs.staff, frames, flags, summary, opts.stamp)
    lap("deliver")
    return PlanRun(summary, frames, {"summary.json": summary, "run.json": run}, files, inputs.staff)


