"""The roster workbook (``roster.xlsx``) the CS lead publishes, edits in Excel and hands back.

Takes: the plan, the staff frame (``agent_id, name, skills, employment, unavailable, ...``), the
roster frame (``agent_id, name, date, shift, start, end, paid_hours, break_start``), the
assignments frame (``agent_id, ds, queue``), the coverage frame (``queue, ds, required,
scheduled, shortfall, service_level``), the gaps frame (``queue, date, shift, start, end,
extra_agents, short_hours, agent_hours_short``) and the summary's headline lines. Returns: the
bytes of ``roster.xlsx`` with five kinds of sheet, in the plan's language:

* the roster grid (first sheet, the one the lead edits; ``grid``): one row per agent, one column
  per roster day, each cell a shift label, the rest mark or the leave mark; totals as formulas;
* who serves what, hour by hour (``sheets``): one row per worked shift, one column per hour;
* coverage, one sheet per queue (``sheets``): rows date x measure (required, rostered, rostered
  minus required), columns the hours 00-23, so a filter on the measure column shows one grid;
* temps (``sheets``): the extra people the gaps call for, per date, queue and shift, and per day;
* summary (``sheets``): the headline lines.

``read_grid`` (``read``) reads an edited grid back into the roster frame (``agent_id, name, date,
shift, start, end, paid_hours, break_start``). ``formats`` holds the helpers the sheets share.
User text (names, ids) is always written as text, never as a formula or a link.
"""

from __future__ import annotations

import io

import pandas as pd
import xlsxwriter

from scheduler.report.i18n import Words
from scheduler.report.workbook.formats import OPTIONS, Formats
from scheduler.report.workbook.grid import grid_sheet
from scheduler.report.workbook.read import read_grid
from scheduler.report.workbook.sheets import changes_sheet, coverage_sheet, hourly_sheet, summary_sheet, temps_sheet

__all__ = ["read_grid", "workbook_bytes"]


def workbook_bytes(plan, staff: pd.DataFrame, roster: pd.DataFrame, assignments: pd.DataFrame, cov: pd.DataFrame,
                   gap_frame: pd.DataFrame, headline, changes: pd.DataFrame | None = None) -> bytes:
    """The roster workbook: grid, (a re-plan's changes,) hour by hour, coverage per queue, temps, summary.

    Parameters
    ----------
    plan : Plan
    staff, roster, assignments, cov, gap_frame : pandas.DataFrame
        The run's frames (see the module docstring).
    headline : list of str
        Plain-language lines for the summary sheet.
    changes : pandas.DataFrame, optional
        A re-plan's changes frame (``scheduler.check.published``), as a sheet after the grid.

    Returns
    -------
    bytes
        The ``.xlsx`` file.
    """
    buffer, words, used = io.BytesIO(), Words(plan), set()
    book = xlsxwriter.Workbook(buffer, OPTIONS)
    fmt = Formats(book)
    grid_sheet(book, fmt, words, plan, staff, roster, used)
    if changes is not None:
        changes_sheet(book, fmt, words, plan, changes, used)
    hourly_sheet(book, fmt, words, plan, roster, assignments, used)
    for name in plan.queues:
        coverage_sheet(book, fmt, words, plan, name, cov, used)
    temps_sheet(book, fmt, words, plan, gap_frame, used)
    summary_sheet(book, fmt, words, plan, headline, used)
    book.close()
    return buffer.getvalue()
