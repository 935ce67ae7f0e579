"""The sweep's comparison: ``sweep.csv`` (one row per plan x scenario), ``sweep.xlsx`` (the same table as
a sheet) and ``index.html`` (the table, each finished run linked to its ``report.html``).

Takes: the rows (dicts from ``scheduler.sweep.task``). Writes: the three files into the sweep folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pandas as pd
import xlsxwriter

from scheduler.report.export import write_csv

HEAD = ["shop", "scenario", "overrides", "status", "agents", "agents_scheduled", "paid_hours", "wages_yuan", "cost_yuan"]
TAIL = ["temps_people_max_day", "temps_max_day", "extra_agents_needed", "worst_service_level", "riskiest_hour",
        "riskiest_p_meet", "peak_hour", "p_meet_target_peak", "hours_below_risk_level", "breaks_first",
        "breaks_first_p_meet", "solver_status", "objective", "gap", "wall_s", "cpu_s", "peak_rss_mb", "worker", "report", "error"]


def table(rows: list[dict]) -> pd.DataFrame:
    """The rows as one frame in a fixed column order; ``hours_under_target_<queue>`` for every queue any shop has."""
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "traceback"} for r in rows])
    queues = [c for c in frame.columns if c.startswith("hours_under_target_")]
    for col in HEAD + TAIL:
        if col not in frame.columns:
            frame[col] = None
    return frame[HEAD + queues + TAIL]


def _replace(path: Path, write) -> None:
    """Write through a temporary file renamed into place: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_outputs(out: Path, frame: pd.DataFrame, title: str) -> None:
    """``sweep.csv``, ``sweep.xlsx`` and ``index.html`` into ``out``."""
    _replace(out / "sweep.csv", lambda p: write_csv(frame, p))
    _replace(out / "sweep.xlsx", lambda p: write_xlsx(frame, p))
    _replace(out / "index.html", lambda p: p.write_text(index_html(frame, title, out), encoding="utf-8"))


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """One sheet ``sweep``: a header row, frozen and filtered; error rows shaded; each report a relative link."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True})
    sheet = book.add_worksheet("sweep")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    bad = book.add_format({"bg_color": "#F8CBAD"})
    link = book.add_format({"font_color": "blue", "underline": 1})
    sheet.write_row(0, 0, list(frame.columns), head)
    report = frame.columns.get_loc("report")
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            if value is None or (isinstance(value, float) and value != value):
                continue
            if j == report:
                sheet.write_url(i, j, f"external:{value}", link, string=str(value))
            else:
                sheet.write(i, j, value)
    for j, col in enumerate(frame.columns):
        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200) if v is not None])
        sheet.set_column(j, j, min(max(width + 1, 8), 60))
    last = max(len(frame), 1)
    sheet.conditional_format(1, 0, last, len(frame.columns) - 1,
                             {"type": "formula", "criteria": f'=${_letter(frame.columns.get_loc("status"))}2="error"',
                              "format": bad})
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, last, len(frame.columns) - 1)
    book.close()


def _letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


PAGE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}
th{background:#eef3f8;position:sticky;top:0}td.t{text-align:left}tr.error td{background:#fbe3d6}
tr.cancelled td{color:#999}td.c-error{min-width:24em}
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ counts }}</p>
<table><thead><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr class="{{ row.status }}">{% for c, v, left in row.cells %}<td class="c-{{ c }}{% if left %} t{% endif %}">
{%- if c == "shop" and row.link %}<a href="{{ row.link }}">{{ v }}</a>{% else %}{{ v }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
</body></html>
""")

SHOWN = ["shop", "scenario", "status", "error", "agents", "paid_hours", "wages_yuan"]  # the error beside its status: in view
SHOWN_TAIL = ["temps_people_max_day", "riskiest_hour", "riskiest_p_meet", "wall_s"]


def _shown(v) -> str:
    """A cell as a person reads it: whole numbers without decimals, thousands separated; blank for none."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3g}" if abs(v) < 1 else f"{v:,.1f}"
    return str(v)


def index_html(frame: pd.DataFrame, title: str, out: Path) -> str:
    """A self-contained page: the main columns, each shop linked to its run's ``report.html`` where one exists."""
    columns = SHOWN + [c for c in frame.columns if c.startswith("hours_under_target_")] + SHOWN_TAIL
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for c in columns:
            v = record.get(c)
            text = _shown(v)
            cells.append((c, text, not isinstance(v, (int, float)) or isinstance(v, bool)))
        report = record.get("report")
        link = report if isinstance(report, str) and (out / report).is_file() else None
        rows.append({"status": record.get("status"), "cells": cells, "link": link})
    counts = ", ".join(f"{n} {s}" for s, n in frame["status"].value_counts().items())
    return PAGE.render(title=title, counts=f"{len(frame)} plans x scenarios: {counts}", columns=columns, rows=rows)
