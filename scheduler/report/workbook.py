"""The roster workbook (``roster.xlsx``) the CS lead publishes, edits in Excel and hands back.

Takes: the plan, the staff frame (``agent_id, name, skills, employment, unavailable, ...``), the
roster frame (``agent_id, name, date, shift, start, end, paid_hours, break_start``), the
assignments frame (``agent_id, ds, queue``), the coverage frame (``queue, ds, required,
scheduled, shortfall, service_level``), the gaps frame (``queue, date, shift, start, end,
extra_agents, short_hours, agent_hours_short``) and the summary's headline lines. Returns: the
bytes of ``roster.xlsx`` with five kinds of sheet, in the plan's language:

* the roster grid (first sheet, the one the lead edits): one row per agent, one column per
  roster day, each cell a shift label, the rest mark or the leave mark; totals as formulas;
* who serves what, hour by hour: one row per worked shift, one column per hour;
* coverage, one sheet per queue: rows date x measure (required, rostered, rostered minus
  required), columns the hours 00-23, so a filter on the measure column shows one grid;
* temps: the extra people the gaps call for, per date, queue and shift, and per day;
* summary: the headline lines.

``read_grid`` reads an edited grid back into the roster frame (``agent_id, name, date, shift,
start, end, paid_hours, break_start``).
User text (names, ids) is always written as text, never as a formula or a link.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import xlsxwriter
from openpyxl.utils import get_column_letter
from xlsxwriter.utility import xl_range

from forecasts.errors import InputError
from scheduler.report.i18n import PHRASES, Words, phrases
from scheduler.plan.shifts import shift_end, shift_start

phrases({
    "xlsx.sheet.grid": ("Roster", "排班表"),
    "xlsx.sheet.hourly": ("Hour by hour", "逐时岗位"),
    "xlsx.sheet.coverage": ("Coverage {queue}", "覆盖-{queue}"),
    "xlsx.sheet.temps": ("Temps", "临时增援"),
    "xlsx.sheet.summary": ("Summary", "摘要"),
    "xlsx.title.grid": ("{plan}: roster. Shifts: {labels}; {rest} = day off, {leave} = leave. Edit the shift cells only.",
                        "{plan} 排班表。班次：{labels}；{rest} = 休息，{leave} = 请假。只改班次格。"),
    "xlsx.title.hourly": ("{plan}: who serves which queue, hour by hour", "{plan}：每人每小时服务的队列"),
    "xlsx.title.coverage": ("{plan}: {queue}, agents per hour (blank = closed; red = short, green = spare)",
                            "{plan}：{queue} 每小时人数（空白 = 不营业；红 = 缺人，绿 = 富余）"),
    "xlsx.title.temps": ("{plan}: extra people that would close the gaps", "{plan}：补足缺口需要的临时增援"),
    "xlsx.title.summary": ("{plan}: summary", "{plan} 摘要"),
    "xlsx.employment": ("Employment", "用工类型"),
    "xlsx.total.shifts": ("Shifts", "班次数"),
    "xlsx.total.nights": ("Nights", "夜班数"),
    "xlsx.total.hours": ("Paid hours", "计薪工时"),
    "xlsx.count.shift": ("On shift: {shift}", "{shift} 人数"),
    "xlsx.count.all": ("On shift: all", "合计人数"),
    "xlsx.valid.title": ("Shift cell", "班次格"),
    "xlsx.valid.message": ("Expected a shift label ({labels}), {rest}, {leave} or blank.",
                           "请填写班次（{labels}）、{rest}、{leave}，或留空。"),
    "xlsx.measure": ("Measure", "指标"),
    "xlsx.required": ("Required", "需求"),
    "xlsx.rostered": ("Rostered", "排班"),
    "xlsx.diff": ("Rostered - required", "排班 - 需求"),
    "xlsx.start": ("Start", "开始"),
    "xlsx.end": ("End", "结束"),
    "xlsx.next_day": ("{time} next day", "次日 {time}"),
    "xlsx.no_shift": ("(no shift covers it)", "（无班次可覆盖）"),
    "xlsx.people": ("People to hire", "需增人数"),
    "xlsx.closes": ("Short hours they close", "补足时段"),
    "xlsx.agent_hours": ("Agent-hours short", "缺口人时"),
    "xlsx.per_day": ("People per day", "每日人数"),
    "xlsx.largest_day": ("Largest day: {day}, {n} people", "人数最多的一天：{day}，{n} 人"),
    "xlsx.no_gaps": ("No gaps: the roster covers every hour.", "无缺口：排班覆盖每个小时。"),
})

OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
BASE = {"font_size": 10, "valign": "vcenter"}
SHIFT_FILLS = ["#DDEBF7", "#FCE4D6", "#F4B6C2", "#E2EFDA", "#FFF2CC", "#E4DFEC", "#D9F2F2", "#FBE5D6"]
QUEUE_FILLS = ["#9BC2E6", "#A9D08E", "#FFD966", "#F4B084", "#C9B3E0", "#8FD3D3", "#F8A5C2", "#BFBFBF"]
BREAK_FILL, EVE_FILL, BAND_FILL, HEAD_FILL, QUIET = "#D9D9D9", "#EDEDED", "#F2F2F2", "#D6DCE4", "#A6A6A6"
GRID_TITLE_ROW, GRID_HEAD_ROW, GRID_FIRST_ROW = 0, 1, 2
INFO_COLS = 4  # name, id, skills, employment
SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
HEAD_DATE = re.compile(r"^\s*(\d{1,2})-(\d{1,2})(?!\d)")


# -- small helpers ---------------------------------------------------------------------------
class _Formats:
    """Workbook formats made once per set of properties."""

    def __init__(self, book):
        self.book, self.cache = book, {}

    def __call__(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format({**BASE, **props})
        return self.cache[key]


def _text_width(text) -> int:
    """Display width of a text in Excel's units: East Asian wide characters count two."""
    lines = str(text).split("\n") or [""]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


def _col_width(texts, lo: int = 4, hi: int = 40) -> int:
    return max(lo, min(hi, max((_text_width(t) for t in texts), default=0) + 2))


def _sheet_name(text: str, used: set) -> str:
    """A valid, unique sheet name (31 characters, none of ``[]:*?/\\``)."""
    base = SHEET_BAD.sub("_", str(text)).strip("'")[:31] or "Sheet"
    name, k = base, 2
    while name.casefold() in used:
        name, k = f"{base[:28]}~{k}", k + 1
    used.add(name.casefold())
    return name


def _criterion(label: str) -> str:
    """A COUNTIF criterion matching exactly ``label`` (wildcards escaped, quotes doubled)."""
    text = re.sub(r"([~*?])", r"~\1", label).replace('"', '""')
    return f'"={text}"' if text[:1] in "<>=" else f'"{text}"'


def _setup(ws, head_row: int, n_rows: int, n_cols: int, freeze_col: int = 0) -> None:
    """Frozen header, an autofilter over the table, landscape print fitted one page wide."""
    ws.freeze_panes(head_row + 1, freeze_col)
    ws.autofilter(head_row, 0, head_row + max(n_rows, 0), max(n_cols - 1, 0))
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, head_row)
    ws.hide_gridlines(0)


def _header(ws, fmt, row: int, texts, height: float | None = None) -> None:
    head = fmt(bold=True, bg_color=HEAD_FILL, text_wrap=True, align="center", bottom=1)
    for col, text in enumerate(texts):
        ws.write_string(row, col, str(text), head)
    if height:
        ws.set_row(row, height)


def _title(ws, fmt, text: str) -> None:
    ws.write_string(0, 0, text, fmt(bold=True, font_size=12))
    ws.set_row(0, 20)


def _clock(words: Words, ts, day) -> str:
    """``HH:MM``, or ``HH:MM next day`` when the time falls after ``day``."""
    ts = pd.Timestamp(ts)
    return words("xlsx.next_day", time=f"{ts:%H:%M}") if ts.date() > day else f"{ts:%H:%M}"


# -- a. the roster grid ----------------------------------------------------------------------
def _grid_agents(plan, staff: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Every agent of the staff file (and any rostered agent missing from it), sorted by skill set, then id."""
    order = {q: i for i, q in enumerate(plan.queues)}
    agents = staff[["agent_id", "name", "skills", "employment", "unavailable"]].copy()
    extra = roster.loc[~roster["agent_id"].isin(agents["agent_id"]), ["agent_id", "name"]].drop_duplicates("agent_id")
    if len(extra):
        extra = extra.assign(skills=[()] * len(extra), employment="", unavailable=[frozenset()] * len(extra))
        agents = pd.concat([agents, extra], ignore_index=True)
    agents["skill_key"] = agents["skills"].map(lambda s: tuple(sorted(order.get(q, len(order)) for q in s)))
    agents = agents.sort_values(["skill_key", "agent_id"], ignore_index=True)
    agents["group"] = (agents["skill_key"] != agents["skill_key"].shift()).cumsum() - 1
    return agents


def _grid_cell(words: Words, agent, day, shifts: dict) -> str:
    name = shifts.get((agent.agent_id, day))
    if name is not None:
        return words.shift(name)
    return words("leave") if day in agent.unavailable else words("rest")


def _grid_formulas(plan, rng: str) -> tuple[str, str, str]:
    """The shifts, nights and paid-hours formulas over one agent's date cells."""
    def count(names, weight=None):
        parts = [f"COUNTIF({rng},{_criterion(plan.shifts[n].label)})"
                 + (f"*{weight(plan.shifts[n])}" if weight else "") for n in names]
        return "=" + ("+".join(parts) or "0")
    names = list(plan.shifts)
    return (count(names), count([n for n in names if plan.shifts[n].night]),
            count(names, lambda t: t.paid_hours))


def _grid_conditional(ws, fmt, words: Words, plan, rng: tuple) -> None:
    """Colour a date cell by what it holds, so a cell the lead edits recolours itself."""
    for i, t in enumerate(plan.shifts.values()):
        ws.conditional_format(*rng, {"type": "cell", "criteria": "==", "value": '"' + t.label.replace('"', '""') + '"',
                                     "format": fmt(bg_color=SHIFT_FILLS[i % len(SHIFT_FILLS)], bold=True)})
    for key, props in (("rest", {"font_color": QUIET}), ("leave", {"font_color": QUIET, "italic": True})):
        ws.conditional_format(*rng, {"type": "cell", "criteria": "==", "value": f'"{words(key)}"',
                                     "format": fmt(**props)})


def _grid_validation(ws, words: Words, plan, rng: tuple) -> None:
    """A drop-down of the labels and marks (a warning only: a template name is read back too)."""
    labels = [t.label for t in plan.shifts.values()]
    source = [*labels, words("rest"), words("leave")]
    if any("," in s or '"' in s for s in source) or len(",".join(source)) > 250:
        return
    msg = words("xlsx.valid.message", labels="/".join(labels), rest=words("rest"), leave=words("leave"))
    ws.data_validation(*rng, {"validate": "list", "source": source, "error_type": "warning", "ignore_blank": True,
                              "error_title": words("xlsx.valid.title"), "error_message": msg[:255]})


def _grid_head(ws, fmt, words: Words, plan) -> list[str]:
    days = plan.roster_days
    heads = [words("col.name"), words("col.id"), words("col.skills"), words("xlsx.employment"),
             *[words.day(d).replace(" ", "\n", 1) for d in days],
             words("xlsx.total.shifts"), words("xlsx.total.nights"), words("xlsx.total.hours")]
    _header(ws, fmt, GRID_HEAD_ROW, heads, height=30)
    eve = fmt(bold=True, bg_color=QUIET, text_wrap=True, align="center", bottom=1, font_color="#FFFFFF")
    ws.write_string(GRID_HEAD_ROW, INFO_COLS, heads[INFO_COLS], eve)
    return heads


def _grid_row(ws, fmt, words: Words, plan, row: int, agent, shifts: dict, top: bool) -> None:
    """One agent: the info cells (banded by skill group), the date cells and the totals."""
    days, edge = plan.roster_days, {"top": 2} if top else {}
    band = {"bg_color": BAND_FILL} if agent.group % 2 else {}
    skills = "/".join(words.queue(q) for q in agent.skills)
    for col, text in enumerate((agent.name, agent.agent_id, skills, words.employment(agent.employment))):
        ws.write_string(row, col, str(text), fmt(border=1, border_color="#BFBFBF", **band, **edge))
    for j, day in enumerate(days):
        shade = {"bg_color": EVE_FILL} if j == 0 else {}
        ws.write_string(row, INFO_COLS + j, _grid_cell(words, agent, day, shifts),
                        fmt(align="center", border=1, border_color="#BFBFBF", **shade, **edge))
    names = [shifts[(agent.agent_id, d)] for d in days if (agent.agent_id, d) in shifts]
    known = [plan.shifts[n] for n in names if n in plan.shifts]
    values = (len(known), sum(t.night for t in known), sum(t.paid_hours for t in known))
    rng = xl_range(row, INFO_COLS, row, INFO_COLS + len(days) - 1)
    total = fmt(align="center", border=1, border_color="#BFBFBF", num_format="0", **edge)
    for k, (formula, value) in enumerate(zip(_grid_formulas(plan, rng), values)):
        ws.write_formula(row, INFO_COLS + len(days) + k, formula, total, value)


def _grid_counts(ws, fmt, words: Words, plan, first: int, last: int, shifts: dict) -> int:
    """Head counts per shift and date below the agents (id cell empty); returns the number of rows."""
    days, row0 = plan.roster_days, last + 2
    label_fmt, num = fmt(bold=True, border=1), fmt(align="center", border=1, num_format="0")
    per_day = {}
    for (_, day), name in shifts.items():
        per_day[(name, day)] = per_day.get((name, day), 0) + 1
    for i, (name, t) in enumerate(plan.shifts.items()):
        row = row0 + i
        ws.write_string(row, 0, words("xlsx.count.shift", shift=t.label), label_fmt)
        for j, day in enumerate(days):
            col = INFO_COLS + j
            ws.write_formula(row, col, f"=COUNTIF({xl_range(first, col, last, col)},{_criterion(t.label)})",
                             num, per_day.get((name, day), 0))
        total = sum(per_day.get((name, d), 0) for d in days)
        ws.write_formula(row, INFO_COLS + len(days), f"=SUM({xl_range(row, INFO_COLS, row, INFO_COLS + len(days) - 1)})",
                         num, total)
    row = row0 + len(plan.shifts)
    ws.write_string(row, 0, words("xlsx.count.all"), label_fmt)
    for j, day in enumerate([*days, None]):
        col = INFO_COLS + j
        value = sum(v for (n, d), v in per_day.items() if n in plan.shifts and (day is None or d == day))
        ws.write_formula(row, col, f"=SUM({xl_range(row0, col, row - 1, col)})", fmt(bold=True, align="center", border=1), value)
    return len(plan.shifts) + 1


def _grid_sheet(book, fmt, words: Words, plan, staff, roster, used: set) -> None:
    ws = book.add_worksheet(_sheet_name(words("xlsx.sheet.grid"), used))
    labels = "/".join(t.label for t in plan.shifts.values())
    _title(ws, fmt, words("xlsx.title.grid", plan=plan.name, labels=labels, rest=words("rest"), leave=words("leave")))
    heads = _grid_head(ws, fmt, words, plan)
    agents = _grid_agents(plan, staff, roster)
    shifts = {(r.agent_id, r.date): r.shift for r in roster.itertuples()}
    first, last = GRID_FIRST_ROW, GRID_FIRST_ROW + len(agents) - 1
    for i, agent in enumerate(agents.itertuples()):
        _grid_row(ws, fmt, words, plan, first + i, agent, shifts, top=i > 0 and agent.group != agents["group"].iat[i - 1])
    dates = (first, INFO_COLS, max(last, first), INFO_COLS + len(plan.roster_days) - 1)
    _grid_conditional(ws, fmt, words, plan, dates)
    _grid_validation(ws, words, plan, dates)
    _grid_counts(ws, fmt, words, plan, first, max(last, first), shifts)
    widths = [_col_width([heads[0], *agents["name"]]), _col_width([heads[1], *agents["agent_id"]]),
              _col_width([heads[2], *("/".join(words.queue(q) for q in s) for s in agents["skills"])]),
              _col_width([heads[3], *(words.employment(e) for e in agents["employment"])])]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_column(INFO_COLS, INFO_COLS + len(plan.roster_days) - 1,
                  _col_width([heads[INFO_COLS], *(t.label for t in plan.shifts.values()), words("leave")], lo=6))
    ws.set_column(INFO_COLS + len(plan.roster_days), len(heads) - 1, _col_width(heads[-3:], lo=6, hi=12))
    _setup(ws, GRID_HEAD_ROW, len(agents), len(heads), freeze_col=2)
    ws.repeat_columns(0, 1)


# -- b. who serves what, hour by hour --------------------------------------------------------
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


def _hourly_sheet(book, fmt, words: Words, plan, roster, assignments, used: set) -> None:
    ws = book.add_worksheet(_sheet_name(words("xlsx.sheet.hourly"), used))
    _title(ws, fmt, words("xlsx.title.hourly", plan=plan.name))
    span = _hour_span(plan)
    heads = [words("col.date"), words("col.name"), words("col.id"), words("col.shift"), *(f"{h % 24:02d}" for h in span)]
    _header(ws, fmt, 1, heads)
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
    ws.set_column(0, 0, _col_width([heads[0], words.day(plan.start)]))
    ws.set_column(1, 1, _col_width([heads[1], *rows["name"].astype(str)]))
    ws.set_column(2, 2, _col_width([heads[2], *rows["agent_id"].astype(str)]))
    ws.set_column(3, 3, _col_width([heads[3], *(t.label for t in plan.shifts.values())]))
    ws.set_column(4, 3 + len(span), _col_width([*(words.queue(q) for q in plan.queues), words.queue("break")], lo=5))
    _setup(ws, 1, len(rows), len(heads), freeze_col=4)


# -- c. coverage, one sheet per queue ---------------------------------------------------------
def _coverage_cells(plan, name: str, cov: pd.DataFrame) -> dict:
    """Open hours of a queue: ``ds -> (required, rostered, rostered - required)``."""
    part = cov[(cov["queue"] == name) & cov["service_level"].notna()]
    return {pd.Timestamp(ds): (float(r), float(s), float(s) - float(r))
            for ds, r, s in part[["ds", "required", "scheduled"]].itertuples(index=False)}


def _coverage_sheet(book, fmt, words: Words, plan, name: str, cov: pd.DataFrame, used: set) -> None:
    """Rows date x measure (required, rostered, rostered - required), columns the hours 00-23."""
    label = words.queue(name)
    ws = book.add_worksheet(_sheet_name(words("xlsx.sheet.coverage", queue=label), used))
    _title(ws, fmt, words("xlsx.title.coverage", plan=plan.name, queue=label))
    measures = [words("xlsx.required"), words("xlsx.rostered"), words("xlsx.diff")]
    heads = [words("col.date"), words("xlsx.measure"), *(f"{h:02d}" for h in range(24))]
    _header(ws, fmt, 1, heads)
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
    ws.set_column(0, 0, _col_width([heads[0], words.day(plan.start)]))
    ws.set_column(1, 1, _col_width([heads[1], *measures]))
    ws.set_column(2, 25, 4.5)
    _setup(ws, 1, 3 * len(plan.days), len(heads), freeze_col=2)


# -- d. temps --------------------------------------------------------------------------------
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


def _temps_sheet(book, fmt, words: Words, plan, gap_frame: pd.DataFrame, used: set) -> None:
    ws = book.add_worksheet(_sheet_name(words("xlsx.sheet.temps"), used))
    _title(ws, fmt, words("xlsx.title.temps", plan=plan.name))
    heads = [words("col.date"), words("col.queue"), words("col.shift"), words("xlsx.start"), words("xlsx.end"),
             words("xlsx.people"), words("xlsx.closes"), words("xlsx.agent_hours")]
    _header(ws, fmt, 1, heads)
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
        ws.set_column(col, col, _col_width([head, *columns[col]], hi=30))
    ws.set_column(side - 1, side - 1, 2)
    ws.set_column(side, side + 2, _col_width([*day_heads, words.day(plan.start)], hi=16))
    _setup(ws, 1, len(rows), len(heads), freeze_col=0)


# -- e. summary ------------------------------------------------------------------------------
def _summary_sheet(book, fmt, words: Words, plan, headline, used: set) -> None:
    ws = book.add_worksheet(_sheet_name(words("xlsx.sheet.summary"), used))
    ws.write_string(0, 0, words("xlsx.title.summary", plan=plan.name), fmt(bold=True, bg_color=HEAD_FILL, bottom=1))
    lines = [str(line) for line in headline]
    for i, line in enumerate(lines):
        ws.write_string(1 + i, 0, line, fmt(text_wrap=True, valign="top"))
    ws.set_column(0, 0, min(100, _col_width(lines + [words("xlsx.title.summary", plan=plan.name)], hi=100)))
    _setup(ws, 0, len(lines), 1)


def workbook_bytes(plan, staff: pd.DataFrame, roster: pd.DataFrame, assignments: pd.DataFrame, cov: pd.DataFrame,
                   gap_frame: pd.DataFrame, headline) -> bytes:
    """The roster workbook: grid, hour by hour, coverage per queue, temps, summary.

    Parameters
    ----------
    plan : Plan
    staff, roster, assignments, cov, gap_frame : pandas.DataFrame
        The run's frames (see the module docstring).
    headline : list of str
        Plain-language lines for the summary sheet.

    Returns
    -------
    bytes
        The ``.xlsx`` file.
    """
    buffer, words, used = io.BytesIO(), Words(plan), set()
    book = xlsxwriter.Workbook(buffer, OPTIONS)
    fmt = _Formats(book)
    _grid_sheet(book, fmt, words, plan, staff, roster, used)
    _hourly_sheet(book, fmt, words, plan, roster, assignments, used)
    for name in plan.queues:
        _coverage_sheet(book, fmt, words, plan, name, cov, used)
    _temps_sheet(book, fmt, words, plan, gap_frame, used)
    _summary_sheet(book, fmt, words, plan, headline, used)
    book.close()
    return buffer.getvalue()


# -- reading an edited grid back -------------------------------------------------------------
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
