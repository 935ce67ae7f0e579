"""The other sheets of ``roster.xlsx``, read but not edited: who serves what hour by hour, coverage
per queue, the temps the gaps call for, and the summary.

Takes: the plan, the roster frame (``agent_id, name, date, shift, start, end, paid_hours,
break_start``), the assignments frame (``agent_id, ds, queue``), the coverage frame (``queue, ds,
required, scheduled, shortfall, service_level``), the gaps frame (``queue, date, shift, start, end,
extra_agents, short_hours, agent_hours_short``) and the summary's headline lines.

* hour by hour: one row per worked shift, one column per hour, each cell the queue served;
* coverage, one sheet per queue: rows date x measure (required, rostered, rostered minus
  required), columns the hours 00-23, so a filter on the measure column shows one grid;
* temps: the extra people the gaps call for, per date, queue and shift, and per day;
* summary: the headline lines.
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.utility import xl_range

from scheduler.report.i18n import Words
from scheduler.report.text import change_rows
from scheduler.report.workbook.formats import (HEAD_FILL, col_width, setup_sheet, sheet_name, write_header,
                                               write_title)




QUEUE_FILLS = ["#9BC2E6", "#A9D08E", "#FFD966", "#F4B084", "#C9B3E0", "#8FD3D3", "#F8A5C2", "#BFBFBF"]
BREAK_FILL = "#D9D9D9"


# -- who serves what, hour by hour -----------------------------------------------------------
def _hour_span(plan) -> range:
    """Hour offsets from the shift date's 00:00, from the earliest template start to the latest end."""
    templates = list(plan.shifts.values())
    return range(min(t.start_hour for t in templates), max(t.start_hour + t.hours for t in templates))


def _queue_formats(fmt, plan) -> dict:
    formats = {q: fmt(bg_color=QUEUE_FILLS[i % len(QUEUE_FILLS)], align="center", border=1, border_color="#FFFFFF")
               for i, q in enumerate(plan.queues)}
    formats["break"] = fmt(bg_color=BREAK_FILL, align="center", border=1, border_color="#FFFFFF", font_color="#595959")
    return formats


def _hour_queue(rec, ts, served: dict, plan):
    """The queue an agent serves at ``ts`` (or ``break``); the roster's break when assignments lack the hour."""
    queue = served.get((rec.agent_id, ts))
    if queue is None and pd.notna(rec.break_start) and rec.shift in plan.shifts:
        brk = pd.Timestamp(rec.break_start)
        if brk <= ts < brk + pd.Timedelta(hours=plan.shifts[rec.shift].break_hours):
            queue = "break"
    return queue


def hourly_sheet(book, fmt, words: Words, plan, roster, assignments, used: set) -> None:
    """Add the hour-by-hour sheet: one row per worked shift, each hour's cell the queue served (or break)."""
    ws = book.add_worksheet(sheet_name(words("xlsx.sheet.hourly"), used))
    write_title(ws, fmt, words("xlsx.title.hourly", plan=plan.name))
    span = _hour_span(plan)
    heads = [words("col.date"), words("col.name"), words("col.id"), words("col.shift"), *(f"{h % 24:02d}" for h in span)]
    write_header(ws, fmt, 1, heads)
    served = {(a, pd.Timestamp(ds)): q for a, ds, q in assignments[["agent_id", "ds", "queue"]].itertuples(index=False)}
    formats, plain = _queue_formats(fmt, plan), fmt()
    rows = roster.sort_values(["date", "start", "agent_id"], ignore_index=True)
    for i, rec in enumerate(rows.itertuples()):
        row = 2 + i
        for col, text in enumerate((words.day(rec.date), rec.name, rec.agent_id, words.shift(rec.shift))):
            ws.write_string(row, col, str(text), plain)
        base = pd.Timestamp(rec.date)
        for k, h in enumerate(span):
            ts = base + pd.Timedelta(hours=h)
            queue = _hour_queue(rec, ts, served, plan) if rec.start <= ts < rec.end else None
            if queue is not None:
                ws.write_string(row, 4 + k, words.queue(queue), formats.get(queue, plain))
    ws.set_column(0, 0, col_width([heads[0], words.day(plan.start)]))
    ws.set_column(1, 1, col_width([heads[1], *rows["name"].astype(str)]))
    ws.set_column(2, 2, col_width([heads[2], *rows["agent_id"].astype(str)]))
    ws.set_column(3, 3, col_width([heads[3], *(t.label for t in plan.shifts.values())]))
    ws.set_column(4, 3 + len(span), col_width([*(words.queue(q) for q in plan.queues), words.queue("break")], lo=5))
    setup_sheet(ws, 1, len(rows), len(heads), freeze_col=4)


# -- coverage, one sheet per queue ------------------------------------------------------------
def _coverage_cells(plan, name: str, cov: pd.DataFrame) -> dict:
    """Open hours of a queue: ``ds -> (required, rostered, rostered - required)``."""
    part = cov[(cov["queue"] == name) & cov["service_level"].notna()]
    return {pd.Timestamp(ds): (float(r), float(s), float(s) - float(r))
            for ds, r, s in part[["ds", "required", "scheduled"]].itertuples(index=False)}


def coverage_sheet(book, fmt, words: Words, plan, name: str, cov: pd.DataFrame, used: set) -> None:
    """Rows date x measure (required, rostered, rostered - required), columns the hours 00-23."""
    label = words.queue(name)
    ws = book.add_worksheet(sheet_name(words("xlsx.sheet.coverage", queue=label), used))
    write_title(ws, fmt, words("xlsx.title.coverage", plan=plan.name, queue=label))
    measures = [words("xlsx.required"), words("xlsx.rostered"), words("xlsx.diff")]
    heads = [words("col.date"), words("xlsx.measure"), *(f"{h:02d}" for h in range(24))]
    write_header(ws, fmt, 1, heads)
    cells, diff_rows = _coverage_cells(plan, name, cov), []
    for i, day in enumerate(plan.days):
        for m, measure in enumerate(measures):
            row, edge = 2 + 3 * i + m, {"top": 1} if m == 0 and i else {}
            ws.write_string(row, 0, words.day(day), fmt(**edge))
            ws.write_string(row, 1, measure, fmt(bold=m == 2, **edge))
            for h in range(24):
                value = cells.get(pd.Timestamp(day) + pd.Timedelta(hours=h))
                if value is not None:
                    ws.write_number(row, 2 + h, value[m], fmt(align="center", num_format="0", bold=m == 2, **edge))
                elif edge:
                    ws.write_blank(row, 2 + h, None, fmt(**edge))
        diff_rows.append((2 + 3 * i + 2, 2, 2 + 3 * i + 2, 25))
    if diff_rows:
        ws.conditional_format(*diff_rows[0], {
            "type": "3_color_scale", "multi_range": " ".join(xl_range(*r) for r in diff_rows),
            "min_color": "#F8696B", "mid_type": "num", "mid_value": 0, "mid_color": "#FFFFFF", "max_color": "#63BE7B"})
    ws.set_column(0, 0, col_width([heads[0], words.day(plan.start)]))
    ws.set_column(1, 1, col_width([heads[1], *measures]))
    ws.set_column(2, 25, 4.5)
    setup_sheet(ws, 1, 3 * len(plan.days), len(heads), freeze_col=2)


# -- temps -----------------------------------------------------------------------------------
def _clock(words: Words, ts, day) -> str:
    """``HH:MM``, or ``HH:MM next day`` when the time falls after ``day``."""
    ts = pd.Timestamp(ts)
    return words("xlsx.next_day", time=f"{ts:%H:%M}") if ts.date() > day else f"{ts:%H:%M}"


def _temp_rows(words: Words, gap_frame: pd.DataFrame) -> list[tuple]:
    rows = []
    frame = gap_frame.sort_values(["date", "queue", "start"], ignore_index=True) if len(gap_frame) else gap_frame
    for g in frame.itertuples():
        day = pd.Timestamp(g.date).date()
        shift = words("xlsx.no_shift") if g.shift not in words.plan.shifts else words.shift(g.shift)
        rows.append((words.day(day), words.queue(g.queue), shift, _clock(words, g.start, day), _clock(words, g.end, day),
                     int(g.extra_agents), str(g.short_hours), int(g.agent_hours_short)))
    return rows


def _per_day(gap_frame: pd.DataFrame) -> pd.DataFrame:
    """People to hire per date (each works one shift that day) and the agent-hours they close."""
    if not len(gap_frame):
        return pd.DataFrame(columns=["date", "extra_agents", "agent_hours_short"])
    days = gap_frame.assign(date=pd.to_datetime(gap_frame["date"]).dt.date)
    return days.groupby("date", as_index=False)[["extra_agents", "agent_hours_short"]].sum()


def _per_day_table(ws, fmt, words: Words, gap_frame: pd.DataFrame, side: int) -> list[str]:
    """Beside the temps table: people per day, agent-hours short, and the largest day; returns its headers."""
    num = fmt(num_format="0", align="center")
    day_heads = [words("col.date"), words("xlsx.per_day"), words("xlsx.agent_hours")]
    for k, text in enumerate(day_heads):
        ws.write_string(1, side + k, text, fmt(bold=True, bg_color=HEAD_FILL, text_wrap=True, align="center", bottom=1))
    per_day = _per_day(gap_frame)
    for i, d in enumerate(per_day.itertuples()):
        ws.write_string(2 + i, side, words.day(d.date), fmt())
        ws.write_number(2 + i, side + 1, int(d.extra_agents), num)
        ws.write_number(2 + i, side + 2, int(d.agent_hours_short), num)
    if len(per_day):
        top = per_day.loc[per_day["extra_agents"].idxmax()]
        ws.write_string(3 + len(per_day), side, words("xlsx.largest_day", day=words.day(top["date"]), n=int(top["extra_agents"])),
                        fmt(bold=True))
    return day_heads


def temps_sheet(book, fmt, words: Words, plan, gap_frame: pd.DataFrame, used: set) -> None:
    """Add the temps sheet: one row per gap (date, queue, shift, hours, people), people per day beside."""
    ws = book.add_worksheet(sheet_name(words("xlsx.sheet.temps"), used))
    write_title(ws, fmt, words("xlsx.title.temps", plan=plan.name))
    heads = [words("col.date"), words("col.queue"), words("col.shift"), words("xlsx.start"), words("xlsx.end"),
             words("xlsx.people"), words("xlsx.closes"), words("xlsx.agent_hours")]
    write_header(ws, fmt, 1, heads)
    rows, num = _temp_rows(words, gap_frame), fmt(num_format="0", align="center")
    for i, rec in enumerate(rows):
        for col, value in enumerate(rec):
            if isinstance(value, int):
                ws.write_number(2 + i, col, value, num)
            else:
                ws.write_string(2 + i, col, value, fmt())
    if not rows:
        ws.write_string(2, 0, words("xlsx.no_gaps"), fmt(italic=True))
    side = len(heads) + 1
    day_heads = _per_day_table(ws, fmt, words, gap_frame, side)
    columns = list(zip(*rows)) if rows else [()] * len(heads)
    for col, head in enumerate(heads):
        ws.set_column(col, col, col_width([head, *columns[col]], hi=30))
    ws.set_column(side - 1, side - 1, 2)
    ws.set_column(side, side + 2, col_width([*day_heads, words.day(plan.start)], hi=16))
    setup_sheet(ws, 1, len(rows), len(heads), freeze_col=0)


# -- changes (a re-plan) ---------------------------------------------------------------------
def changes_sheet(book, fmt, words: Words, plan, changes: pd.DataFrame, used: set) -> None:
    """Add the changes sheet of a re-plan: one row per agent-day whose shift changed."""
    ws = book.add_worksheet(sheet_name(words("xlsx.sheet.changes"), used))
    write_title(ws, fmt, words("xlsx.title.changes", plan=plan.name))
    heads = [words("col.id"), words("col.name"), words("col.date"), words("xlsx.old_shift"), words("xlsx.new_shift"),
             words("xlsx.why")]
    write_header(ws, fmt, 1, heads)
    rows = change_rows(words, changes)
    for i, rec in enumerate(rows):
        for col, value in enumerate(rec):
            ws.write_string(2 + i, col, str(value), fmt(bold=col == 4))
    if not rows:
        ws.write_string(2, 0, words("xlsx.no_changes"), fmt(italic=True))
    columns = list(zip(*rows)) if rows else [()] * len(heads)
    for col, head in enumerate(heads):
        ws.set_column(col, col, col_width([head, *columns[col]], hi=70 if col == 5 else 20))
    setup_sheet(ws, 1, len(rows), len(heads), freeze_col=2)


# -- summary ---------------------------------------------------------------------------------
def summary_sheet(book, fmt, words: Words, plan, headline, used: set) -> None:
    """Add the summary sheet: the title, then one headline line per row."""
    ws = book.add_worksheet(sheet_name(words("xlsx.sheet.summary"), used))
    ws.write_string(0, 0, words("xlsx.title.summary", plan=plan.name), fmt(bold=True, bg_color=HEAD_FILL, bottom=1))
    lines = [str(line) for line in headline]
    for i, line in enumerate(lines):
        ws.write_string(1 + i, 0, line, fmt(text_wrap=True, valign="top"))
    ws.set_column(0, 0, min(100, col_width(lines + [words("xlsx.title.summary", plan=plan.name)], hi=100)))
    setup_sheet(ws, 0, len(lines), 1)
