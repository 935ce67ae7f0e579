"""One stage at a time (``peakplan forecast``, ``staff``, ``roster``), each reading the previous
stage's file when there is one and writing its own frame, checked against its contract.

Takes: a ``Plan`` and a folder. Writes into the folder: ``forecast.csv``; ``requirements.csv``;
``roster.csv, assignments.csv, coverage.csv, violations.csv, gaps.csv`` (the roster checked by
the solver-free checker first). An existing file is replaced only with ``force``.
"""

from __future__ import annotations

from pathlib import Path

from forecasts.frames import FRAMES, read_frame
from scheduler.check.gaps import gaps
from scheduler.pipeline.inputs import plan_flags, plan_forecast, read_forecast, read_inputs
from scheduler.pipeline.plan import check_feasible, verify
from scheduler.report.export import ensure_new_files, write_files
from scheduler.roster.solve import solve_roster
from scheduler.staffing.requirements import requirements

ROSTER_FILES = ["roster.csv", "assignments.csv", "coverage.csv", "violations.csv", "gaps.csv"]


def forecast_stage(plan, out: Path, seed: int | None, force: bool) -> list[Path]:
    """``forecast.csv``: inquiries per queue and hour over the plan's window, with bands."""
    ensure_new_files(out, ["forecast.csv"], force)
    inputs = read_inputs(plan)
    fc = FRAMES["forecast"].check(plan_forecast(plan, inputs, plan.solver.seed if seed is None else seed), "forecast")
    return write_files(out, {"forecast.csv": fc}, {}, force)


def _previous(out: Path, name: str, given: Path | None) -> Path | None:
    """The previous stage's file: the one given, else the one in the folder, else none."""
    if given is not None:
        return Path(given)
    return out / name if (out / name).is_file() else None


def staff_stage(plan, out: Path, forecast_path: Path | None, force: bool, say) -> list[Path]:
    """``requirements.csv``: agents needed per queue and hour, from the forecast (read, or made)."""
    ensure_new_files(out, ["requirements.csv"], force)
    inputs = read_inputs(plan)
    source = _previous(out, "forecast.csv", forecast_path)
    say(f"staffing from {source}" if source else "no forecast.csv: forecasting first")
    fc = read_forecast(source) if source else plan_forecast(plan, inputs, plan.solver.seed)
    req = FRAMES["requirements"].check(requirements(fc, plan, plan_flags(plan, inputs)), "staff")
    return write_files(out, {"requirements.csv": req}, {}, force)


def roster_stage(plan, out: Path, requirements_path: Path | None, limits: dict, force: bool, say, progress=None) -> list[Path]:
    """The roster from the requirements (read, or made), checked by the checker before it is written."""
    ensure_new_files(out, ROSTER_FILES, force)
    inputs = read_inputs(plan)
    flags = plan_flags(plan, inputs)
    source = _previous(out, "requirements.csv", requirements_path)
    say(f"rostering to {source}" if source else "no requirements.csv: forecasting and staffing first")
    req = read_frame(source, "requirements") if source else requirements(plan_forecast(plan, inputs, plan.solver.seed), plan, flags)
    check_feasible(plan, inputs.staff)
    result = solve_roster(plan, inputs.staff, req, flags, limits.get("time_limit_s"), limits.get("workers"),
                          limits.get("seed"), progress)
    cov, costs, result = verify(plan, inputs.staff, result, req, flags)
    frames = {"roster.csv": result.roster, "assignments.csv": result.assignments, "coverage.csv": cov,
              "violations.csv": costs, "gaps.csv": gaps(cov, plan)}
    return write_files(out, frames, {}, force)
