"""The plan's inputs read and checked, and what every stage derives from them first: the
forecast over the window, the phase flags, and a written forecast or roster read back.

Takes: a ``Plan``. Returns: ``Inputs`` (history frame, promotions, staff frame), the forecast
frame, the flags frame; ``read_forecast`` and ``read_roster_file`` read a run folder's files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecasts.frames import read_frame
from forecasts.history import read_history
from forecasts.model import forecast
from forecasts.promotions import read_promotions
from forecasts.tables import is_xlsx
from scheduler.check.checker import read_roster
from scheduler.plan.preflight import check_event, check_staff
from scheduler.plan.staff import read_staff
from scheduler.staffing.requirements import phase_flags
from scheduler.report.workbook import read_grid


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


def plan_forecast(plan, inputs: Inputs, seed: int, as_of=None) -> pd.DataFrame:
    """The forecast over the plan's window, following the planned event and any ``peak_multiplier``;
    with ``as_of`` (a re-plan), from the history before it, the event's scale re-estimated from its own hours."""
    return forecast(inputs.history, inputs.promotions, plan.start, plan.end, event=plan.event, seed=seed, as_of=as_of,
                    peak_multiplier=plan.peak_multiplier, waves=plan.waves, shares=plan.shares)


def plan_flags(plan, inputs: Inputs) -> pd.DataFrame:
    """The promotion phase of every hour of the plan's window."""
    return phase_flags(plan_hours(plan), inputs.promotions.phases, plan.event)


def read_forecast(path: Path) -> pd.DataFrame:
    """A run folder's ``forecast.csv``."""
    return read_frame(path, "forecast")


def read_roster_file(path: str | Path, plan, staff: pd.DataFrame) -> pd.DataFrame:
    """A roster from ``roster.csv`` or from the grid of ``roster.xlsx`` (told apart by content)."""
    if is_xlsx(path):
        return read_grid(Path(path), plan, staff)
    return read_roster(path)


