"""Hard rule ``max_consecutive_days``: at most ``max_consecutive_days`` days with a shift in a row.

Faces: ``constrain`` (CP-SAT: every window of limit + 1 days has a day off), ``check`` (roster
frame: runs of consecutive dates), ``fits`` (hand-out: the run the new shift joins, ``run_with``),
``relax`` (aggregate: a class's shifts in every such window at most limit x members).
"""

from __future__ import annotations

from scheduler.rules.helpers import AgentShifts, Context, Violation, add

NAME = "max_consecutive_days"
tables = None
short = None


def constrain(model, a: AgentShifts, plan, lit=None):
    m = plan.rules.max_consecutive_days
    for d in range(len(a.days) - m):
        vs = [v for k in range(d, d + m + 1) for v in a.works(k)]
        if len(vs) > m:
            add(model, sum(vs) <= m, lit)


def check(ctx: Context):
    limit = ctx.plan.rules.max_consecutive_days
    for agent, rows in ctx.roster.groupby("agent_id"):
        days = sorted(set(rows["date"]))
        run_start, run = days[0], 1
        for prev, day in zip(days, days[1:] + [None]):
            if day is not None and (day - prev).days == 1:
                run += 1
                continue
            if run > limit:
                yield Violation(NAME, agent, run_start, f"agent {agent} works {run} days in a row from {run_start} (maximum {limit})")
            run_start, run = day, 1


def run_with(p, d: int) -> int:
    """Days in a row the agent would work with a shift on day ``d``."""
    run, e = 1, d - 1
    while e >= 0 and p.shift[e] >= 0:
        run, e = run + 1, e - 1
    e = d + 1
    while e < p.t.n and p.shift[e] >= 0:
        run, e = run + 1, e + 1
    return run


def fits(p, d: int, t) -> bool:
    return run_with(p, d) <= p.t.plan.rules.max_consecutive_days


def relax(agg, k: int, members: list[int], by_day: list, works) -> None:
    m = agg.plan.rules.max_consecutive_days
    for d in range(len(by_day) - m):
        agg.model.add(sum(v for j in range(d, d + m + 1) for v in works(j)) <= m * len(members))
