"""The plan's summary: who works, where the plan is thin, and what would fix it.

Takes: the plan, the staff frame, the roster result, the coverage frame and the objective's
terms. Returns: the ``summary.json`` document (a dict), and its short text for the terminal.
"""

from __future__ import annotations

import pandas as pd

from scheduler.shifts import shift_end, shift_start


def _covering_shifts(plan, ds: pd.Timestamp) -> list[str]:
    """Templates whose hours (from today's or yesterday's start) include this hour."""
    out = []
    for t in plan.shifts.values():
        for day in (ds.date(), (ds - pd.Timedelta(days=1)).date()):
            if shift_start(t, day) <= ds < shift_end(t, day) and t.name not in out:
                out.append(t.name)
    return out


def _queue_summary(plan, name: str, cov: pd.DataFrame) -> dict:
    part = cov[(cov["queue"] == name) & cov["service_level"].notna()]
    short = part[part["shortfall"] > 0].sort_values(["shortfall", "ds"], ascending=[False, True])
    worst = part.loc[part["service_level"].idxmin()] if len(part) else None
    fixes = [{"ds": f"{r.ds:%Y-%m-%d %H:%M}", "extra_agents": int(r.shortfall), "service_level": round(float(r.service_level), 3),
              "shifts": _covering_shifts(plan, r.ds)} for r in short.head(10).itertuples()]
    return {"open_hours": int(len(part)), "hours_under_target": int(len(short)),
            "agent_hours_short": int(short["shortfall"].sum()),
            "worst_hour": None if worst is None else {"ds": f"{worst['ds']:%Y-%m-%d %H:%M}", "service_level": round(float(worst["service_level"]), 3)},
            "largest_gaps": fixes}


def build_summary(plan, staff: pd.DataFrame, result, cov: pd.DataFrame, terms: dict) -> dict:
    roster = result.roster
    return {
        "plan": plan.name, "window": [str(plan.start), str(plan.end)],
        "agents_in_staff": int(len(staff)), "agents_scheduled": int(roster["agent_id"].nunique()),
        "shifts": int(len(roster)), "paid_hours": int(roster["paid_hours"].sum()),
        "shifts_by_template": {k: int(v) for k, v in roster["shift"].value_counts().sort_index().items()},
        "cost_yuan": {k: round(v, 1) for k, v in terms.items()},
        "queues": {name: _queue_summary(plan, name, cov) for name in plan.queues},
        "solver": {"status": result.status, "objective": round(result.objective, 1), "bound": round(result.bound, 1),
                   "gap": round(result.gap, 5)},
    }


def summary_text(summary: dict, out) -> str:
    """A few lines for the terminal."""
    s = summary["solver"]
    lines = [f"plan {summary['plan']} {summary['window'][0]}..{summary['window'][1]}: "
             f"{summary['agents_scheduled']} of {summary['agents_in_staff']} agents scheduled, "
             f"{summary['shifts']} shifts, {summary['paid_hours']} paid hours",
             f"solver {s['status']}: objective {s['objective']:,.1f} yuan, bound {s['bound']:,.1f}, gap {100 * s['gap']:.2f}%"]
    for name, q in summary["queues"].items():
        line = f"  {name}: {q['hours_under_target']} of {q['open_hours']} open hours under target"
        if q["largest_gaps"]:
            g = q["largest_gaps"][0]
            line += f"; worst gap {g['ds']} short {g['extra_agents']} agent(s) (SL {g['service_level']:.0%}), add on {'/'.join(g['shifts']) or 'a new shift'}"
        lines.append(line)
    lines.append(f"files in {out}")
    return "\n".join(lines)
