"""``report.html``: the one page a CS lead reads and forwards, self-contained (charts inline as
PNG data, styles inline, no script, nothing fetched), rendered from a Jinja2 template with
autoescaping, so an agent named ``<script>`` is shown as text.

Sections: the headline; the temps to hire; the peak day and the day after per queue; where the
roster is short and the simulated chance of meeting the target (date × hour heatmaps); the
roster grid; fairness; the forecast; the scenarios, when there are any; the solver, for the analyst.

Takes: the plan, the staff frame, the roster frame, the ``summary.json`` document, PNG bytes of
the run's charts, and optionally the scenarios table (``scenarios.csv``). Returns: HTML bytes.
"""

from __future__ import annotations

import base64

import jinja2
import pandas as pd

from scheduler.report.i18n import Words
from scheduler.report.text import change_rows, headline, solver_line
from scheduler.rules.terms.fairness import fairness_spreads, fairness_tally


TEMPLATE = "report.html.j2"
SHIFT_COLOURS = ["#cfe2f3", "#d9d2e9", "#fce5cd", "#d9ead3", "#fff2cc", "#f4cccc", "#d0e0e3", "#ead1dc"]


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("scheduler.report", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _grid(plan, staff: pd.DataFrame, roster: pd.DataFrame, words: Words) -> dict:
    """The roster grid: one row per agent (by skill set), a cell per date with the shift's label."""
    colour = {name: SHIFT_COLOURS[i % len(SHIFT_COLOURS)] for i, name in enumerate(plan.shifts)}
    by_cell = {(r.agent_id, r.date): r.shift for r in roster.itertuples()}
    days = plan.roster_days if (roster["date"] == plan.roster_days[0]).any() else plan.days  # the eve when a shift starts on it
    rows = []
    for agent in staff.sort_values(["skills", "agent_id"]).itertuples():
        cells = []
        for day in days:
            shift = by_cell.get((agent.agent_id, day))
            if shift is not None:
                cells.append((words.shift(shift), colour[shift]))
            else:
                cells.append((words("leave") if day in agent.unavailable else words("rest"), ""))
        rows.append({"name": agent.name, "id": agent.agent_id, "skills": "/".join(words.queue(q) for q in agent.skills),
                     "cells": cells})
    return {"days": [words.day(d) for d in days], "rows": rows}


def _fairness(plan, staff: pd.DataFrame, roster: pd.DataFrame, words: Words) -> dict:
    """Nights, sale nights and paid hours per agent, and their spread in each group the roster
    compares for fairness (same employment, same days available; nights among those allowed them)."""
    tally = fairness_tally(plan, staff, roster)
    table = staff.set_index("agent_id")[["name", "employment"]].join(tally)
    table = table.sort_values(["employment", "paid", "night"], ascending=[True, False, False])
    table["employment"] = table["employment"].map(words.employment)
    groups: dict = {}
    for rule, _, _, (kind, available), spread in fairness_spreads(plan, staff, roster):
        groups.setdefault((kind, available), {})[rule] = spread
    spreads = [{"group": words("html.group", kind=words.employment(kind), days=available), **values}
               for (kind, available), values in sorted(groups.items())]
    return {"rows": list(table.reset_index().itertuples()), "spreads": spreads}


def _temps(summary: dict, words: Words) -> list[dict]:
    out = []
    for day in summary["temps"]["by_day"]:
        shifts = [{"queue": words.queue(s["queue"]), "shift": words.shift(s["shift"]),
                   "time": f"{s['start'][-5:]}-{s['end'][-5:]}", "people": s["people"], "hours": s["short_hours"]}
                  for s in day["shifts"]]
        out.append({"date": words.day(pd.Timestamp(day["date"])), "people": day["people"], "shifts": shifts})
    return out


def _scenarios(table: pd.DataFrame | None, plan, words: Words) -> dict | None:
    if table is None or table.empty:
        return None
    cols = ["scenario", "agents", "paid_hours", "wages_yuan", *[f"hours_under_target_{q}" for q in plan.queues],
            "worst_service_level", "p_meet_target_peak", "breaks_first"]
    heads = [words("html.scenario"), words("html.agents"), words("html.paid"), words("html.wages"),
             *[words("html.under", label=words.queue(q)) for q in plan.queues], words("html.worst_sl"),
             words("html.p_peak"), words("html.breaks_first")]
    rows = [[r[c] if not isinstance(r[c], float) else f"{r[c]:,.3g}" for c in cols] for r in table.to_dict("records")]
    return {"heads": heads, "rows": rows}


def report_html(plan, staff: pd.DataFrame, roster: pd.DataFrame, summary: dict, charts: dict[str, bytes],
                scenarios: pd.DataFrame | None = None, changes: pd.DataFrame | None = None) -> bytes:
    """The report page; ``charts`` maps chart file names (``peak.png``...) to PNG bytes; ``changes``: a
    re-plan's changes frame, as a section after the headline."""
    words = Words(plan)
    under = sum(q["hours_under_target"] for q in summary["queues"].values())
    page = _env().get_template(TEMPLATE).render(
        w=words, lang=plan.language, title=words("html.title", name=plan.name), ok=under == 0,
        headline=headline(summary, plan), temps=_temps(summary, words),
        charts={name: _data_uri(png) for name, png in charts.items()},
        grid=_grid(plan, staff, roster, words), fairness=_fairness(plan, staff, roster, words),
        scenarios=_scenarios(scenarios, plan, words), solver=solver_line(summary, plan),
        changes=None if changes is None else {"heads": [words("col.id"), words("col.name"), words("col.date"),
                                                        words("xlsx.old_shift"), words("xlsx.new_shift"), words("xlsx.why")],
                                              "rows": change_rows(words, changes)})
    return page.encode("utf-8")
