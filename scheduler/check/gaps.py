"""What would close the gaps: extra agents of which skill, on which shifts, for which hours.

For each queue and day with a shortfall, a small covering model picks how many extra agents
to add on each shift template (temps, outsourcing or overtime) so that every short hour gets
its missing agents, at the fewest paid hours; an extra agent counts at the desk for every hour
of its shift but its break. Hours no template covers are reported with no shift.

Takes: the coverage frame (``queue, ds, required, scheduled, shortfall, service_level``) and
the plan. Returns: the gaps frame (``queue, date, shift, start, end, extra_agents,
short_hours, agent_hours_short``).
"""

from __future__ import annotations

import pandas as pd
from ortools.sat.python import cp_model

from forecasts.frames import columns
from scheduler.rules import option_allowed
from scheduler.plan.shifts import options, shift_end, shift_start

GAP_COLUMNS = columns("gaps")


def coverable(plan, staff: pd.DataFrame) -> pd.DataFrame:
    """Per queue and hour: how many agents with the skill could be at the desk at all (``max_agents``)."""
    t0, t1 = pd.Timestamp(plan.start), pd.Timestamp(plan.end) + pd.Timedelta(days=1)
    present: dict[tuple[str, pd.Timestamp], set] = {}
    opts = [o for t in plan.shifts.values() for o in options(t)]
    for agent in staff.itertuples():
        for day in plan.roster_days:
            for opt in opts:
                if not option_allowed(agent, opt.template, day, plan):
                    continue
                start = shift_start(opt.template, day)
                for k in opt.desk_offsets():
                    ds = start + pd.Timedelta(hours=k)
                    if t0 <= ds < t1:
                        for q in agent.skills:
                            present.setdefault((q, ds), set()).add(agent.agent_id)
    rows = [(q, ds, len(ids)) for (q, ds), ids in present.items()]
    return pd.DataFrame(rows, columns=["queue", "ds", "max_agents"])


def _desk_hours(template, day) -> set[pd.Timestamp]:
    """Hours an extra agent on this shift can be at the desk (all but the break, placed at its window's start)."""
    start = shift_start(template, day)
    brk = set(range(template.break_window[0], template.break_window[0] + template.break_hours))
    return {start + pd.Timedelta(hours=k) for k in range(template.hours) if k not in brk}


def _cover_day(short: pd.Series, plan, day) -> list[tuple]:
    """Fewest paid hours of extra shifts covering a day's short hours (``short`` indexed by hour)."""
    model, counts = cp_model.CpModel(), {}
    cands = [(t, d) for t in plan.shifts.values() for d in (day, day - pd.Timedelta(days=1).to_pytimedelta()) if t.usable_on(d)]
    for i, (t, d) in enumerate(cands):
        counts[i] = model.new_int_var(0, int(short.max()), f"n_{i}")
    uncovered = []
    for ds, need in short.items():
        covering = [counts[i] for i, (t, d) in enumerate(cands) if ds in _desk_hours(t, d)]
        if covering:
            model.add(sum(covering) >= int(need))
        else:
            uncovered.append(ds)
    model.minimize(sum(t.paid_hours * counts[i] for i, (t, _) in enumerate(cands)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = 5.0  # counted work, not wall time: gaps.csv repeats itself on a busy machine
    solver.parameters.max_time_in_seconds = 50.0
    solver.parameters.catch_sigint_signal = False  # Ctrl-C is ``scheduler.interrupt``'s
    solver.solve(model)
    rows = []
    for i, (t, d) in enumerate(cands):
        n = solver.value(counts[i])
        if n:
            hours = sorted(h for h in short.index if h in _desk_hours(t, d))
            rows.append((t.name, d, shift_start(t, d), shift_end(t, d), n, hours))
    rows += [(None, day, ds, ds + pd.Timedelta(hours=1), int(short[ds]), [ds]) for ds in uncovered]
    return rows


def _span_text(hours: list) -> str:
    """Short hours as ranges, e.g. ``00:00-02:00, 20:00-21:00``."""
    spans, out = [], []
    for h in hours:
        if spans and h == spans[-1][1]:
            spans[-1][1] = h + pd.Timedelta(hours=1)
        else:
            spans.append([h, h + pd.Timedelta(hours=1)])
    for a, b in spans:
        out.append(f"{a:%H:%M}-{b:%H:%M}")
    return ", ".join(out)


def gaps(cov: pd.DataFrame, plan) -> pd.DataFrame:
    """Extra agents per queue, day and shift that would close every shortfall."""
    rows = []
    short = cov[cov["shortfall"] > 0]
    for (queue, day), part in short.groupby([short["queue"], short["ds"].dt.date]):
        need = part.set_index("ds")["shortfall"]
        for shift, d, start, end, n, hours in _cover_day(need, plan, day):
            rows.append((queue, d, shift or "(no shift covers it)", start, end, n, _span_text(hours),
                         int(need.reindex(hours).sum())))
    return pd.DataFrame(rows, columns=GAP_COLUMNS).sort_values(["queue", "start"], ignore_index=True)
