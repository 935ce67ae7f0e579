"""A roster from chosen shifts and flows with no solver: the least-cost flows (``greedy_flows``), the
roster and assignments frames priced by the checker, the full model hinted with it (completed to
every variable), and its queue-hours under target for the progress lines.

Takes: the full ``RosterModel`` and ``{(agent row, model day): option}``. Returns: ``RosterResult``."""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler import interrupt
from scheduler.check.checker import cost_breakdown, coverage
from scheduler.roster.model import RosterModel, RosterResult, set_limits
from scheduler.roster.search.polish import hinted


def shifts_and_flows(full: RosterModel, values: list[int]):
    """A roster as ``{(agent row, model day): option}`` and multi-skill flows, from a value per model variable."""
    chosen = {(a, d): o for a, shifts in enumerate(full.agents) for d, day_vars in enumerate(shifts.by_day)
              for o, v in day_vars if values[v.index]}
    return chosen, {key: values[v.index] for key, v in full.flows.items() if len(key[0]) > 1}


def _report(progress, clock: float, roster: RosterResult, full: RosterModel, chosen: dict, flows: dict) -> None:
    if progress is not None:
        progress(time.perf_counter() - clock, roster.objective, roster.bound, roster.gap, hours_under(full, chosen, flows))


def polish_report(progress, clock: float, full: RosterModel):
    """The polish's progress callback ``(objective, bound, values)`` as a progress line with the hours under target, or None."""
    if progress is None:
        return None
    return lambda obj, bound, values: progress(time.perf_counter() - clock, obj, bound,
                                               max(0.0, (obj - bound) / obj) if obj else 0.0,
                                               hours_under(full, *shifts_and_flows(full, values)))


def hours_under(full: RosterModel, chosen: dict, flows: dict) -> int:
    """Queue-hours with fewer agents than required, for a roster given as shifts and multi-skill flows."""
    have = defaultdict(int)
    for (a, d), o in chosen.items():
        group = full.staff.at[a, "skills"]
        if len(group) == 1:
            for t in full.opts[o].desk_hours(d, full.n_hours):
                have[group[0], t] += 1
    for (_, q, t), n in flows.items():
        have[q, t] += n
    return sum(int(full.required[q][t] > have[q, t]) for q in full.plan.queues for t in range(full.n_hours))


def hint_roster(full: RosterModel, chosen: dict, flows: dict, seconds: float, seed: int) -> None:
    """Hint the full model with a roster, completed to every variable.

    CP-SAT makes far better use of a complete hint (MODEL_NOTES 3.5): one solve with the shifts
    and flows fixed to the roster computes every auxiliary variable (rest days, shortfalls,
    spreads); all of them are then hinted. If that solve finds nothing in time, the partial hint stays.
    """
    model = full.model
    model.clear_hints()
    for a, shifts in enumerate(full.agents):
        for d, day_vars in enumerate(shifts.by_day):
            for o, v in day_vars:
                model.add_hint(v, int(chosen.get((a, d)) == o))
    for key, n in flows.items():
        model.add_hint(full.flows[key], n)
    solver = cp_model.CpSolver()
    set_limits(solver, seconds, 1, seed)
    solver.parameters.fix_variables_to_their_hinted_value = True
    if interrupt.solve(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    hinted(model, list(solver.response_proto.solution))


def first_roster(full: RosterModel, chosen: dict, flows: dict, agg_bound, wall_s: float) -> RosterResult:
    """The disaggregated plan as a roster, with no solver: its objective priced by the checker."""
    known = {}
    for a, shifts in enumerate(full.agents):
        for d, day_vars in enumerate(shifts.by_day):
            for o, v in day_vars:
                known[v.index] = int(chosen.get((a, d)) == o)
    for key, n in flows.items():
        known[full.flows[key].index] = n
    value = lambda v: known[v.index]  # noqa: E731
    roster, assignments = full.roster_frame(value), full.assignments_frame(value)
    cov = coverage(full.plan, full.req, assignments, full.flags)
    objective = float(cost_breakdown(full.plan, full.staff, roster, cov, full.curves)["cost"].sum())
    bound = agg_bound if agg_bound is not None else 0.0
    gap = 0.0 if objective == 0 else max(0.0, (objective - bound) / abs(objective))
    return RosterResult(roster, assignments, "FEASIBLE", objective, bound, gap, wall_s, False, full.curves)
