"""Breaks that could serve better (issue 19), counted from a roster's frames alone.

A break is *movable* when a queue its agent is skilled for is short (scheduled < required) in one
of the break's hours, and another hour of the same shift's break window has the queue the agent
serves there over its requirement: moving the break there closes an agent-hour short and opens none.

Takes: the plan, the staff frame (``agent_id, skills``), a roster frame (``agent_id, shift, start,
break_start``), its assignments frame (``agent_id, ds, queue``) and its coverage frame (``queue, ds,
required, scheduled``). Returns: the movable breaks as a frame (``agent_id, break_start``).
"""

from __future__ import annotations

import pandas as pd

HOUR = pd.Timedelta(hours=1)


def _over_short(cov: pd.DataFrame) -> tuple[set, set]:
    """(queue, hour) pairs scheduled above and below their requirement."""
    keys = list(zip(cov["queue"], cov["ds"]))
    over = cov["scheduled"] > cov["required"]
    short = cov["scheduled"] < cov["required"]
    return {k for k, o in zip(keys, over) if o}, {k for k, s in zip(keys, short) if s}


def _movable(row, template, skills, serves: dict, over: set, short: set) -> bool:
    """Whether the break of roster row ``row`` is movable (see the module's docstring)."""
    breaks = [row.break_start + k * HOUR for k in range(template.break_hours)]
    if not any((q, h) in short for h in breaks for q in skills):
        return False
    lo, hi = template.break_window
    window = (row.start + k * HOUR for k in range(lo, hi))
    return any((serves.get((row.agent_id, h)), h) in over for h in window if h not in breaks)


def movable_breaks(plan, staff: pd.DataFrame, roster: pd.DataFrame, assignments: pd.DataFrame,
                   cov: pd.DataFrame) -> pd.DataFrame:
    """The roster's movable breaks, one row each (``agent_id, break_start``).

    Parameters
    ----------
    plan : the plan (its shift templates give each break's window).
    staff : agents with their ``skills``.
    roster, assignments, cov : the roster's frames, as written to ``roster.csv``, ``assignments.csv``, ``coverage.csv``.
    """
    over, short = _over_short(cov)
    serves = {(a, ds): q for a, ds, q in zip(assignments["agent_id"], assignments["ds"], assignments["queue"])}
    skills = dict(zip(staff["agent_id"], staff["skills"]))
    rows = [(r.agent_id, r.break_start) for r in roster.itertuples()
            if pd.notna(r.break_start) and r.shift in plan.shifts
            and _movable(r, plan.shifts[r.shift], skills.get(r.agent_id, ()), serves, over, short)]
    return pd.DataFrame(rows, columns=["agent_id", "break_start"])
