"""Reading an edited roster grid back: ``read_grid`` finds the grid sheet (named in either
language, else the first sheet), its header row and date columns, and turns each agent's shift
cells into the roster frame (``agent_id, name, date, shift, start, end, paid_hours,
break_start``). Takes: the workbook's path, the plan and the staff frame (``agent_id, name, ...``).
The grid's sheet name is a phrase of ``scheduler.report.workbook.grid``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from forecasts.errors import InputError
from scheduler.plan.shifts import shift_end, shift_start
from scheduler.report.i18n import PHRASES


HEAD_DATE = re.compile(r"^\s*(\d{1,2})-(\d{1,2})(?!\d)")


def _both(key: str) -> set[str]:
    return {s.casefold() for s in PHRASES[key]}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _find_sheet(book):
    names = _both("xlsx.sheet.grid")
    return next((ws for ws in book.worksheets if ws.title.casefold() in names), book.worksheets[0])


def _find_header(rows: list, where: str) -> tuple[int, int]:
    """The header row (the one holding the id column's title) and the id column."""
    ids = _both("col.id")
    for r, row in enumerate(rows[:30]):
        for c, value in enumerate(row):
            if _cell_text(value).casefold() in ids:
                return r, c
    raise InputError(f"{where}: no header row with an {' / '.join(PHRASES['col.id'])} column (is this the roster grid?)")


def _date_columns(header, r: int, plan, where: str) -> dict[int, object]:
    """Columns whose header starts with ``MM-DD``, mapped to the plan's roster days."""
    by_md = {(d.month, d.day): d for d in plan.roster_days}
    cols = {}
    for c, value in enumerate(header):
        m = HEAD_DATE.match(_cell_text(value))
        if not m:
            continue
        day = by_md.get((int(m.group(1)), int(m.group(2))))
        if day is None:
            raise InputError(f"{where}, cell {get_column_letter(c + 1)}{r + 1}: {m.group(0).strip()} is not a day of the "
                             f"plan ({plan.roster_days[0]:%m-%d} to {plan.roster_days[-1]:%m-%d})")
        cols[c] = day
    if not cols:
        raise InputError(f"{where}, row {r + 1}: no date columns (headers starting MM-DD)")
    return cols


def _cell_reader(plan, where: str):
    """A function mapping a date cell's text to a template name (None for no shift), or raising InputError."""
    shifts = {t.label: n for n, t in plan.shifts.items()}
    names = {n.casefold(): n for n in plan.shifts}
    empty = {""} | _both("rest") | _both("leave")
    expected = (f"a shift label ({', '.join(shifts)}), a template name ({', '.join(plan.shifts)}), blank, "
                f"{' / '.join(PHRASES['rest'])} or {' / '.join(PHRASES['leave'])}")

    def read(text: str, coord: str):
        if text in shifts:
            return shifts[text]
        if text.casefold() in names:
            return names[text.casefold()]
        if text.casefold() in empty:
            return None
        raise InputError(f"{where}, cell {coord}: expected {expected}; got {text!r}")
    return read


def _grid_rows(rows, head: int, id_col: int, cols: dict, staff_ids: dict, read, where: str) -> list[tuple]:
    out, seen = [], {}
    for r in range(head + 1, len(rows)):
        row = rows[r]
        agent = _cell_text(row[id_col]) if id_col < len(row) else ""
        if not agent:
            continue
        coord = f"{get_column_letter(id_col + 1)}{r + 1}"
        if agent not in staff_ids:
            raise InputError(f"{where}, cell {coord}: agent id {agent!r} is not in the staff file")
        if agent in seen:
            raise InputError(f"{where}, cell {coord}: agent id {agent!r} appears twice (also in row {seen[agent]})")
        seen[agent] = r + 1
        for c, day in cols.items():
            text = _cell_text(row[c]) if c < len(row) else ""
            name = read(text, f"{get_column_letter(c + 1)}{r + 1}")
            if name is not None:
                out.append((agent, day, name))
    return out


def read_grid(path, plan, staff: pd.DataFrame) -> pd.DataFrame:
    """Read a (possibly hand-edited) roster grid back into the roster frame.

    Parameters
    ----------
    path : str or Path
        The workbook; the grid is the sheet named as the grid (either language), else the first sheet.
    plan : Plan
    staff : pandas.DataFrame
        The staff frame; every id in the grid must be in it (names are taken from it).

    Returns
    -------
    pandas.DataFrame
        ``agent_id, name, date, shift, start, end, paid_hours, break_start`` (break_start NaT),
        sorted by agent_id and date.

    Raises
    ------
    InputError
        An unreadable file, no grid header, or a cell that is neither a shift nor rest/leave/blank.
    """
    path = Path(path)
    try:
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=False)  # any extension
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise InputError(f"{path}: cannot read the roster workbook ({type(exc).__name__}: {exc})") from None
    try:
        ws = _find_sheet(book)
        where = f"{path}: sheet {ws.title!r}"
        rows = [tuple(row) for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    head, id_col = _find_header(rows, where)
    cols = _date_columns(rows[head], head, plan, where)
    names = dict(zip(staff["agent_id"].astype(str), staff["name"]))
    found = _grid_rows(rows, head, id_col, cols, names, _cell_reader(plan, where), where)
    return _roster_frame(plan, found, names)


def _roster_frame(plan, found: list[tuple], names: dict) -> pd.DataFrame:
    rows = [(a, names[a], d, s, shift_start(plan.shifts[s], d), shift_end(plan.shifts[s], d), plan.shifts[s].paid_hours)
            for a, d, s in found]
    frame = pd.DataFrame(rows, columns=["agent_id", "name", "date", "shift", "start", "end", "paid_hours"])
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    frame["break_start"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return frame.sort_values(["agent_id", "date"], ignore_index=True)
