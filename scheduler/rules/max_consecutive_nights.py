"""Hard rule ``max_consecutive_nights``: at most ``max_consecutive_nights`` night shifts on
consecutive days (``[rules]``; none, the default: no limit and no constraint).

Faces: ``constrain`` (CP-SAT: every window of limit + 1 days holds a day without a night),
``check`` (roster frame: runs of nights on consecutive days), ``fits`` (hand-out: the run of
nights a new night joins), ``relax`` (aggregate: a class's nights in every such window at most
limit x members).
"""

from __future__ import annotations

from scheduler.rules.helpers import AgentShifts, Context, Violation, add, per_agent_days

NAME = "max_consecutive_nights"
tables = None
short = None


def _is_night(t) -> bool:
    return t.night


def constrain(model, a: AgentShifts, plan, lit=None):
    m = plan.rules.max_consecutive_nights
    if m is None:
        return
    for d in range(len(a.days) - m):
        vs = [v for k in range(d, d + m + 1) for v in a.works(k, _is_night)]
        if len(vs) > m:
            add(model, sum(vs) <= m, lit)


def _runs(days: list[int]):
    """``(first day, length)`` of each run of consecutive days in sorted ``days``."""
    start, run = None, 0
    for prev, day in zip([None, *days], days):
        if prev is not None and day == prev + 1:
            run += 1
            continue
        if run:
            yield start, run
        start, run = day, 1
    if run:
        yield start, run


def check(ctx: Context):
    limit = ctx.plan.rules.max_consecutive_nights
    if limit is None:
        return
    for agent_id, shifts in per_agent_days(ctx).items():
        for start, run in _runs(sorted({d for d, t in shifts if t.night})):
            if run > limit:
                yield Violation(NAME, agent_id, ctx.plan.roster_days[start],
                                f"agent {agent_id} works {run} nights in a row from {ctx.plan.roster_days[start]} (maximum {limit})")


def _night_on(p, d: int) -> bool:
    return (u := p.template(d)) is not None and u.night


def fits(p, d: int, t) -> bool:
    limit = p.t.plan.rules.max_consecutive_nights
    if limit is None or not t.night:
        return True
    before, after = d - 1, d + 1
    while _night_on(p, before):
        before -= 1
    while _night_on(p, after):
        after += 1
    return after - before - 1 <= limit


def relax(agg, k: int, members: list[int], by_day: list, works) -> None:
    m = agg.plan.rules.max_consecutive_nights
    if m is None:
        return
    for d in range(len(by_day) - m):
        agg.model.add(sum(v for j in range(d, d + m + 1) for v in works(j, _is_night)) <= m * len(members))
