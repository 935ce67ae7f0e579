"""The roster grid, the first sheet of ``roster.xlsx`` and the one the CS lead edits: one row per
agent (banded by skill set), one column per roster day, each cell a shift label, the rest mark or
the leave mark; totals per agent and head counts per shift and day as formulas; a drop-down and
colours that follow an edited cell.

Takes: the plan, the staff frame (``agent_id, name, skills, employment, unavailable, ...``) and the
roster frame (``agent_id, name, date, shift, start, end, paid_hours, break_start``).
"""

from __future__ import annotations

import re

import pandas as pd
from xlsxwriter.utility import xl_range

from scheduler.report.i18n import Words
from scheduler.report.workbook.formats import QUIET, col_width, setup_sheet, sheet_name, write_header, write_title




SHIFT_FILLS = ["#DDEBF7", "#FCE4D6", "#F4B6C2", "#E2EFDA", "#FFF2CC", "#E4DFEC", "#D9F2F2", "#FBE5D6"]
EVE_FILL, BAND_FILL = "#EDEDED", "#F2F2F2"
GRID_TITLE_ROW, GRID_HEAD_ROW, GRID_FIRST_ROW = 0, 1, 2
INFO_COLS = 4  # name, id, skills, employment


def _criterion(label: str) -> str:
    """A COUNTIF criterion matching exactly ``label`` (wildcards escaped, quotes doubled)."""
    text = re.sub(r"([~*?])", r"~\1", label).replace('"', '""')
    return f'"={text}"' if text[:1] in "<>=" else f'"{text}"'


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
    write_header(ws, fmt, GRID_HEAD_ROW, heads, height=30)
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


def grid_sheet(book, fmt, words: Words, plan, staff, roster, used: set) -> None:
    """Add the roster grid sheet: title, header, one row per agent, head counts, widths, page setup."""
    ws = book.add_worksheet(sheet_name(words("xlsx.sheet.grid"), used))
    labels = "/".join(t.label for t in plan.shifts.values())
    write_title(ws, fmt, words("xlsx.title.grid", plan=plan.name, labels=labels, rest=words("rest"),
                               leave=words("leave")))
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
    widths = [col_width([heads[0], *agents["name"]]), col_width([heads[1], *agents["agent_id"]]),
              col_width([heads[2], *("/".join(words.queue(q) for q in s) for s in agents["skills"])]),
              col_width([heads[3], *(words.employment(e) for e in agents["employment"])])]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_column(INFO_COLS, INFO_COLS + len(plan.roster_days) - 1,
                  col_width([heads[INFO_COLS], *(t.label for t in plan.shifts.values()), words("leave")], lo=6))
    ws.set_column(INFO_COLS + len(plan.roster_days), len(heads) - 1, col_width(heads[-3:], lo=6, hi=12))
    setup_sheet(ws, GRID_HEAD_ROW, len(agents), len(heads), freeze_col=2)
    ws.repeat_columns(0, 1)
