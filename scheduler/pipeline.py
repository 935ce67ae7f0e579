"""The whole plan: forecast -> requirements -> roster -> check -> run folder.

Takes: a ``Plan``. Writes: the run folder (``forecast.csv, requirements.csv, roster.csv,
assignments.csv, coverage.csv, violations.csv, gaps.csv, simulation.csv, summary.json, run.json,
coverage.png, simulation.png, inputs/``, and with what-if scenarios one sub-folder each plus
``scenarios.csv`` and ``scenarios.png``). Returns the summary document.
"""

from __future__ import annotations

import dataclasses
import hashlib
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from forecasts.errors import InputError
from forecasts.history import read_history
from forecasts.model import forecast
from forecasts.promotions import read_promotions
from scheduler.charts import coverage_figure, scenarios_figure, simulation_figure
from scheduler.checker import check_rules, cost_breakdown, coverage, read_assignments, read_roster
from scheduler.explain import explain
from scheduler.export import ensure_new_files, ensure_writable, write_files, write_run
from scheduler.gaps import gaps
from scheduler.roster import solve_roster
from scheduler.scenarios import apply_scenario, compare, scenario_lines
from scheduler.simulate import Settings as SimSettings
from scheduler.simulate import simulate, validate_roster
from scheduler.staff import read_staff
from scheduler.staffing import phase_flags, requirements
from scheduler.summary import build_summary, build_summary_simulation


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


def plan_forecast(plan, inputs: Inputs, seed: int) -> pd.DataFrame:
    """The forecast over the plan's window, following the planned event and any ``peak_multiplier``."""
    return forecast(inputs.history, inputs.promotions, plan.start, plan.end, event=plan.event, seed=seed,
                    peak_multiplier=plan.peak_multiplier, waves=plan.waves, shares=plan.shares)


def plan_flags(plan, inputs: Inputs) -> pd.DataFrame:
    """The promotion phase of every hour of the plan's window."""
    return phase_flags(plan_hours(plan), inputs.promotions.phases, plan.event)


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


@dataclass
class PlanRun:
    """One plan's results: the summary and the files of its run folder."""

    summary: dict
    frames: dict
    docs: dict
    figures: dict


def run_plan(plan, opts: Options, scenarios: dict | None = None) -> dict:
    """Run every stage (and every what-if scenario) and write the run folder; returns the summary.

    ``scenarios`` maps a name to its overrides (``scheduler.scenarios``); with none given, the
    plan's own ``[scenarios]`` run. Each scenario's files go in a sub-folder of its name, with
    ``scenarios.csv`` and ``scenarios.png`` comparing them beside the base plan's files.
    """
    ensure_writable(opts.out, opts.force)
    scenarios = plan.scenarios if scenarios is None else scenarios
    inputs = read_inputs(plan)
    changed = {name: apply_scenario(plan, inputs, text, name) for name, text in scenarios.items()}  # before any solve
    base = compute_plan(plan, inputs, opts)
    frames, docs, figures = dict(base.frames), dict(base.docs), dict(base.figures)
    if scenarios:
        runs = {"base": base}
        for name, (s_plan, s_inputs) in changed.items():
            opts.say(f"scenario {name}: {scenarios[name]}")
            runs[name] = compute_plan(s_plan, s_inputs, opts)
            for kind, target in (("frames", frames), ("docs", docs), ("figures", figures)):
                target.update({f"{name}/{k}": v for k, v in getattr(runs[name], kind).items()})
        table = compare(runs, plan)
        frames["scenarios.csv"] = table
        figures["scenarios.png"] = scenarios_figure({k: r.frames["coverage.csv"] for k, r in runs.items()},
                                                    [q for q, queue in plan.queues.items() if queue.kind == "chat"])
        base.summary["scenarios"] = scenario_lines(table)
        docs["summary.json"] = base.summary
    write_run(opts.out, frames=frames, docs=docs, figures=figures, inputs=[plan.path, *plan.data_files],
              force=opts.force)
    return base.summary


def compute_plan(plan, inputs: Inputs, opts: Options) -> PlanRun:
    """Forecast, staffing, roster, check, simulation: every file of a run folder, in memory."""
    clock, timings = time.perf_counter(), {}

    def lap(stage):
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    seed = plan.solver.seed if opts.seed is None else opts.seed
    opts.say(f"forecasting {len(plan.queues)} queues, {plan.start}..{plan.end}")
    fc = plan_forecast(plan, inputs, seed)
    lap("forecast")
    flags = plan_flags(plan, inputs)
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
    settings = SimSettings(replications=plan.simulation.replications, seed=seed, warmup_min=plan.simulation.warmup_min)
    opts.say(f"simulating the roster against random arrivals ({settings.replications} replications)")
    sim = simulate(plan, fc, req, flags, result.assignments, settings)
    lap("simulation")
    summary = build_summary(plan, inputs.staff, result, cov, costs, gap_frame, sim)
    terms = {k: round(float(v), 1) for k, v in costs.groupby("rule")["cost"].sum().items()}
    run = {"plan": plan.name, "config": str(plan.path), "seed": seed, "time_limit_s": limit,
           "workers": plan.solver.workers if opts.workers is None else opts.workers,
           "peak_multiplier": plan.peak_multiplier, "forecast_quantile": plan.forecast_quantile,
           "solver": {"status": result.status, "interrupted": result.interrupted, "objective": result.objective,
                      "bound": result.bound, "gap": result.gap, "wall_s": round(result.wall_s, 3), "floor": result.floor},
           "objective_terms": {**terms, "total": round(float(costs["cost"].sum()), 1)}, "timings_s": timings,
           "inputs": {p.name: _sha256(p) for p in [plan.path, *plan.data_files]}, "versions": _versions()}
    figures = {"coverage.png": coverage_figure(cov, list(plan.queues), f"{plan.name}: agents scheduled vs required"),
               "simulation.png": simulation_figure(sim, plan.simulation.risk_level, f"{plan.name}: chance of meeting the target")}
    frames = {"forecast.csv": fc, "requirements.csv": req, "roster.csv": result.roster,
              "assignments.csv": result.assignments, "coverage.csv": cov, "violations.csv": costs,
              "gaps.csv": gap_frame, "simulation.csv": sim}
    return PlanRun(summary, frames, {"summary.json": summary, "run.json": run}, figures)


FORECAST_COLUMNS = ["queue", "ds", "mean", "p10", "p50", "p90"]


def read_forecast(path: Path) -> pd.DataFrame:
    """A run folder's ``forecast.csv``."""
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the forecast ({exc})") from None
    missing = [c for c in FORECAST_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (expected {', '.join(FORECAST_COLUMNS)})")
    frame["ds"] = pd.to_datetime(frame["ds"], errors="coerce")
    bad = frame["ds"].isna() | frame[["mean", "p10", "p50", "p90"]].apply(pd.to_numeric, errors="coerce").isna().any(axis=1)
    if bad.any():
        raise InputError(f"{path}: row {int(bad.to_numpy().argmax()) + 2}: expected a timestamp and four numbers")
    return frame


def simulate_roster(plan, roster_path, assignments_path, replications, seed, mean_forecast: bool, out, force: bool,
                    say) -> str:
    """``peakplan simulate``: simulate a written roster, write ``simulation.csv/png``; returns the report."""
    roster_path = Path(roster_path)
    assignments_path = Path(assignments_path) if assignments_path else roster_path.with_name("assignments.csv")
    if not assignments_path.is_file():
        raise InputError(f"{assignments_path}: hourly assignments not found (peakplan plan writes them beside "
                         f"roster.csv; or give --assignments)")
    out = Path(out) if out else roster_path.parent
    ensure_new_files(out, ["simulation.csv", "simulation.png"], force)  # before the work, not after
    inputs = read_inputs(plan)
    roster, assignments = read_roster(roster_path), read_assignments(assignments_path)
    validate_roster(plan, inputs.staff, roster, assignments, roster_path, assignments_path)
    seed = plan.solver.seed if seed is None else seed
    beside = roster_path.with_name("forecast.csv")
    fc = read_forecast(beside) if beside.is_file() else plan_forecast(plan, inputs, seed)
    flags = plan_flags(plan, inputs)
    req = requirements(fc, plan, flags)
    settings = SimSettings(replications=replications or plan.simulation.replications, seed=seed,
                           warmup_min=plan.simulation.warmup_min, forecast_error=not mean_forecast)
    clock, last = time.perf_counter(), [time.perf_counter()]

    def progress(queue, done, total):  # long runs only: a line every two seconds at most
        if time.perf_counter() - last[0] >= 2.0:
            last[0] = time.perf_counter()
            say(f"  {last[0] - clock:5.1f} s  {queue}: {done} of {total} replications")

    sim = simulate(plan, fc, req, flags, assignments, settings, progress)
    spent = time.perf_counter() - clock
    write_files(out, {"simulation.csv": sim},
                {"simulation.png": simulation_figure(sim, plan.simulation.risk_level, f"{plan.name}: chance of meeting the target")},
                force)
    summary = build_summary_simulation(plan, sim)
    lines = [f"simulated {settings.replications} replications of {len(sim)} queue-hours in {spent:.1f} s"
             + (" (mean forecast)" if mean_forecast else "")]
    lines += [f"  {name}: {text}" for name, text in summary.items()]
    lines.append(f"files in {out}: simulation.csv, simulation.png")
    return "\n".join(lines)
