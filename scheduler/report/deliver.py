"""Everything a person reads of one plan, made at once from its frames: the charts (PNG), the
roster workbook, the report page and each agent's calendar.

Takes: the plan, the staff frame, the run's frames by file name (``forecast.csv, roster.csv,
assignments.csv, coverage.csv, gaps.csv, simulation.csv``), the phase flags and the summary.
Returns: ``{file name: bytes}`` for the run folder (``coverage.png, peak.png, simulation.png,
forecast.png, roster.xlsx, report.html, calendars/*.ics``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from scheduler.report.export import figure_png
from scheduler.report.calendars import calendar_files
from scheduler.report.charts import coverage_figure, forecast_figure, peak_figure, simulation_figure
from scheduler.report.html import report_html
from scheduler.report.text import headline
from scheduler.report.workbook import workbook_bytes


def charts(plan, frames: dict, flags: pd.DataFrame) -> dict[str, bytes]:
    """The run's charts as PNG bytes (``simulation.png`` only when the roster was simulated)."""
    cov, sim = frames["coverage.csv"], frames["simulation.csv"]
    figures = {"coverage.png": coverage_figure(cov, plan, flags), "peak.png": peak_figure(cov, plan, flags),
               "forecast.png": forecast_figure(frames["forecast.csv"], plan, flags)}
    if len(sim):  # none when a Ctrl-C skipped the simulation
        figures["simulation.png"] = simulation_figure(sim, plan)
    return {name: figure_png(fig) for name, fig in figures.items()}


def deliver(plan, staff: pd.DataFrame, frames: dict, flags: pd.DataFrame, summary: dict,
            stamp: dt.datetime | None = None) -> dict[str, bytes]:
    """Charts, ``roster.xlsx``, ``report.html`` and (with a ``stamp``, the calendars' DTSTAMP) ``calendars/``.

    After a Ctrl-C (no simulation) there is no simulation chart, and no calendars: the run must end
    within seconds, and an interrupted roster is one to look at before it is published."""
    files = charts(plan, frames, flags)
    roster = frames["roster.csv"]
    files["roster.xlsx"] = workbook_bytes(plan, staff, roster, frames["assignments.csv"], frames["coverage.csv"],
                                          frames["gaps.csv"], headline(summary, plan), frames.get("changes.csv"))
    files["report.html"] = report_html(plan, staff, roster, summary, files, changes=frames.get("changes.csv"))
    if stamp is not None and len(frames["simulation.csv"]):
        files.update(calendar_files(plan, roster, stamp))
    return files
