"""The whole plan: forecast -> requirements -> roster -> check -> run folder.

Takes: a ``Plan``. Writes: the run folder (``forecast.csv, requirements.csv, roster.csv,
assignments.csv, coverage.csv, violations.csv, gaps.csv, simulation.csv, summary.json, run.json,
roster.xlsx, report.html, calendars/, coverage.png, peak.png, simulation.png, forecast.png,
inputs/``, and with what-if scenarios one sub-folder each plus ``scenarios.csv`` and
``scenarios.png``). Returns the summary document. ``check_roster`` and ``simulate_roster`` take a
written roster (CSV or the XLSX grid), edited or not.
"""

from __future__ import annotations

import dataclasses
import datetime
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
from forecasts.tables import is_xlsx
from scheduler.check.checker import PAY_RULES, check_rules, cost_breakdown, coverage, late_totals, read_assignments, read_roster
from scheduler.roster.edits import edit_effect, fits, split_after_edit
from scheduler.roster.explain import explain
from scheduler import interrupt
from scheduler.report.export import ensure_new_files, ensure_writable, figure_png, write_files, write_run
from scheduler.check.gaps import gaps
from scheduler.plan.preflight import check_event, check_staff
from scheduler.roster.model import Demand
from scheduler.roster.solve import solve_roster
from scheduler.simulate.scenarios import apply_scenario, compare, scenario_lines
from scheduler.simulate.simulation import SIMULATION_COLUMNS, Settings as SimSettings
from scheduler.simulate.simulation import simulate, validate_assignments, validate_roster
from scheduler.plan.staff import read_staff
from scheduler.staffing.requirements import phase_flags, requirements
from scheduler.report.charts import scenarios_figure, simulation_figure
from scheduler.report.deliver import deliver
from scheduler.report.html import report_html
from scheduler.report.i18n import Words
from scheduler.report.text import effect_lines, simulation_line
from scheduler.report.workbook import read_grid
from scheduler.report.summary import build_summary, simulation_summary


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


@dataclass
class Inputs:
    history: pd.DataFrame
    promotions: object
    staff: pd.DataFrame


def read_inputs(plan) -> Inputs:
    """Read and check every data file the plan names."""
    promotions = read_promotions(plan.promotions)
    check_event(plan, promotions)
    staff = read_staff(plan.staff, plan.queues, plan.shifts)
    check_staff(plan, staff)
    return Inputs(read_history(plan.history), promotions, staff)


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


def compute_plan(plan, inputs: Inputs, opts: Options) -> PlanRun:
    """Forecast, staffing, roster, check, simulation: every file of a run folder, in memory."""
    clock, timings = time.perf_counter(), {}

    def lap(stage):
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    seed, words = plan.solver.seed if opts.seed is None else opts.seed, Words(plan)
    opts.say(words("progress.forecast", n=len(plan.queues), start=plan.start, end=plan.end))
    interrupt.stage("forecast", nothing_kept=True)  # until a roster exists, Ctrl-C ends the run (``scheduler.interrupt``)
    fc = plan_forecast(plan, inputs, seed)
    lap("forecast")
    interrupt.stage("staffing", nothing_kept=True)
    flags = plan_flags(plan, inputs)
    req = requirements(fc, plan, flags)
    lap("staffing")
    limit = plan.solver.time_limit_s if opts.time_limit_s is None else opts.time_limit_s
    interrupt.stage("rules", nothing_kept=True)
    check_feasible(plan, inputs.staff)
    lap("rules")
    opts.say(words("progress.start", agents=len(inputs.staff), days=len(plan.days), limit=limit))
    result = solve_roster(plan, inputs.staff, req, flags, limit, opts.workers, seed, _progress(opts.say, words))
    lap("roster")
    interrupt.stage("check")  # a roster exists: from here a Ctrl-C keeps it (the simulation is skipped)
    cov, costs, result = verify(plan, inputs.staff, result, req, flags)
    gap_frame = gaps(cov, plan)
    lap("check")
    settings = SimSettings(replications=plan.simulation.replications, seed=seed, warmup_min=plan.simulation.warmup_min)
    interrupt.stage("simulation")
    if not interrupt.requested():
        opts.say(words("progress.simulate", n=settings.replications))
    sim = _simulate_unless_stopped(plan, fc, req, flags, result.assignments, settings)
    lap("simulation")
    interrupt.stage("deliver")
    summary = build_summary(plan, inputs.staff, result, cov, costs, gap_frame, sim)
    sim = sim if sim is not None else pd.DataFrame(columns=SIMULATION_COLUMNS)  # skipped on Ctrl-C: no rows
    terms = {k: round(float(v), 1) for k, v in costs.groupby("rule")["cost"].sum().items()}
    run = {"plan": plan.name, "config": str(plan.path), "seed": seed, "time_limit_s": limit,
           "workers": plan.solver.workers if opts.workers is None else opts.workers,
           "peak_multiplier": plan.peak_multiplier, "forecast_quantile": plan.forecast_quantile,
           "solver": {"status": result.status, "interrupted": result.interrupted, "objective": result.objective,
                      "bound": result.bound, "gap": result.gap, "wall_s": round(result.wall_s, 3), "floor": result.floor},
           "objective_terms": {**terms, "total": round(float(costs["cost"].sum()), 1)}, "timings_s": timings,
           "inputs": {p.name: _sha256(p) for p in [plan.path, *plan.data_files]}, "versions": _versions()}
    frames = {"forecast.csv": fc, "requirements.csv": req, "roster.csv": result.roster,
              "assignments.csv": result.assignments, "coverage.csv": cov, "violations.csv": costs,
              "gaps.csv": gap_frame, "simulation.csv": sim}
    files = deliver(plan, inputs.staff, frames, flags, summary, opts.stamp)
    lap("deliver")
    return PlanRun(summary, frames, {"summary.json": summary, "run.json": run}, files, inputs.staff)


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


def read_roster_file(path: str | Path, plan, staff: pd.DataFrame) -> pd.DataFrame:
    """A roster from ``roster.csv`` or from the grid of ``roster.xlsx`` (told apart by content)."""
    if is_xlsx(path):
        return read_grid(Path(path), plan, staff)
    return read_roster(path)


@dataclass
class Edited:
    """A roster read for ``check`` or ``simulate``: its hourly split and what the plan prices it against."""

    roster: pd.DataFrame
    hourly: pd.DataFrame
    published: pd.DataFrame | None  # the run folder's assignments.csv, when there is one
    demand: Demand | None  # set when the hourly split was recomputed (the published one did not fit)
    inputs: Inputs
    fc: pd.DataFrame
    req: pd.DataFrame
    flags: pd.DataFrame


def read_edited(plan, roster_path, assignments_path, seed: int | None) -> Edited:
    """A roster (CSV or XLSX grid), the published split beside it, and its own split (recomputed when stale)."""
    roster_path = Path(roster_path)
    assignments_path = Path(assignments_path) if assignments_path else roster_path.with_name("assignments.csv")
    inputs = read_inputs(plan)
    roster = read_roster_file(roster_path, plan, inputs.staff)
    published = read_assignments(assignments_path) if assignments_path.is_file() else None
    if published is not None:  # a broken file is an error; a stale one is recomputed
        validate_assignments(plan, inputs.staff, published, assignments_path)
    beside = roster_path.with_name("forecast.csv")
    seed = plan.solver.seed if seed is None else seed
    fc = read_forecast(beside) if beside.is_file() else plan_forecast(plan, inputs, seed)
    flags = plan_flags(plan, inputs)
    req = requirements(fc, plan, flags)
    if fits(roster, published, plan):
        return Edited(roster, published, published, None, inputs, fc, req, flags)
    demand = Demand(plan, inputs.staff, req, flags)
    return Edited(roster, split_after_edit(demand, roster, published), published, demand, inputs, fc, req, flags)


def split_note(edited: Edited, words) -> str | None:
    """One line when the hourly split was recomputed, and why."""
    if edited.demand is None:
        return None
    return words("edit.no_split") if edited.published is None else words("edit.stale_split")


def check_roster(plan, roster_path, assignments_path, say) -> tuple[list[str], bool]:
    """``peakplan check``: every hard rule, the price, and what the edit changed; (lines, every rule holds)."""
    words = Words(plan)
    edited = read_edited(plan, roster_path, assignments_path, None)
    if (note := split_note(edited, words)) is not None:
        say(note)
    violations = check_rules(plan, edited.inputs.staff, edited.roster, edited.hourly)
    lines = [v.line() for v in violations]
    if violations:
        lines.append(words("check.broken", n=len(violations), path=roster_path))
    else:
        lines.append(words("check.ok", shifts=len(edited.roster), agents=edited.roster["agent_id"].nunique()))
    lines += price_lines(plan, edited, violations, words)
    if edited.published is not None and edited.demand is not None:
        lines += effect_lines(edit_effect(edited.demand, edited.roster, edited.hourly, edited.published), plan, words)
    return lines, not violations


def price_lines(plan, edited: Edited, violations: list, words) -> list[str]:
    """The roster's cost from its frames alone (loss curves rebuilt from the requirements): what it pays, its
    late chats, and the objective as ``run.json`` prices a roster. None for shifts the plan does not know."""
    if any(v.rule in ("known_agent_and_shift", "inside_window") for v in violations):
        return [words("check.no_price")]
    demand = edited.demand or Demand(plan, edited.inputs.staff, edited.req, edited.flags)
    cov = coverage(plan, edited.req, edited.hourly, edited.flags)
    costs = cost_breakdown(plan, edited.inputs.staff, edited.roster, cov, demand.curves)
    late = late_totals(plan, costs)
    return [words("check.cost", pay=words.yuan(costs.loc[costs["rule"].isin(PAY_RULES), "cost"].sum()), chats=late["chats"],
                  lost=words.yuan(late["lost_sales_yuan"]), total=float(costs["cost"].sum()))]


def simulate_roster(plan, roster_path, assignments_path, replications, seed, mean_forecast: bool, out, force: bool,
                    say) -> str:
    """``peakplan simulate``: simulate a written roster, write ``simulation.csv/png``; returns the report."""
    roster_path = Path(roster_path)
    out = Path(out) if out else roster_path.parent
    ensure_new_files(out, ["simulation.csv", "simulation.png"], force)  # before the work, not after
    seed = plan.solver.seed if seed is None else seed
    edited = read_edited(plan, roster_path, assignments_path, seed)
    words = Words(plan)
    if (note := split_note(edited, words)) is not None:
        say(note)
    validate_roster(plan, edited.inputs.staff, edited.roster, roster_path)
    settings = SimSettings(replications=replications or plan.simulation.replications, seed=seed,
                           warmup_min=plan.simulation.warmup_min, forecast_error=not mean_forecast)
    clock, last = time.perf_counter(), [time.perf_counter()]

    def progress(queue, done, total):  # long runs only: a line every two seconds at most
        if time.perf_counter() - last[0] >= 2.0:
            last[0] = time.perf_counter()
            say(f"  {last[0] - clock:5.1f} s  {queue}: {done} of {total} replications")

    sim = simulate(plan, edited.fc, edited.req, edited.flags, edited.hourly, settings, progress)
    spent = time.perf_counter() - clock
    write_files(out, {"simulation.csv": sim}, {"simulation.png": simulation_figure(sim, plan)}, force)
    lines = [words("sim.done", n=settings.replications, hours=len(sim), s=spent)
             + (words("sim.mean") if mean_forecast else "")]
    lines += [f"  {words.queue(name)}: {simulation_line(doc, words)}" for name, doc in simulation_summary(plan, sim).items()]
    lines.append(words("sim.files", path=out.resolve()))
    return "\n".join(lines)
