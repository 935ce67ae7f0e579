"""``peakplan check`` and ``peakplan simulate``: a written roster (CSV or the roster.xlsx grid),
edited or not, its hourly split (recomputed when stale), every rule, its price, what the edit
changed, and its simulation."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scheduler.check.checker import PAY_RULES, check_rules, cost_breakdown, coverage, late_totals, read_assignments
from scheduler.roster.edits import edit_effect, fits, split_after_edit
from scheduler.report.export import ensure_new_files, write_files
from scheduler.roster.model import Demand
from scheduler.simulate.simulation import Settings as SimSettings
from scheduler.simulate.simulation import simulate, validate_assignments, validate_roster
from scheduler.staffing.requirements import requirements
from scheduler.report.charts import simulation_figure
from scheduler.report.i18n import Words
from scheduler.report.text import effect_lines, simulation_line
from scheduler.report.summary import simulation_summary
from scheduler.pipeline.inputs import Inputs, plan_flags, plan_forecast, read_forecast, read_inputs, read_roster_file


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
