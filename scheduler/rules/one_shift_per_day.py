"""Hard rule ``one_shift_per_day``: an agent starts at most one shift a model day.

Faces: ``constrain`` (CP-SAT), ``check`` (roster frame), ``fits`` (hand-out: the day is still
free), ``relax`` (aggregate: a class's agents on a day's options, at most its members available).
"""

from __future__ import annotations

from scheduler.rules.helpers import AgentShifts, Context, Violation, at_most_one

NAME = "one_shift_per_day"
tables = None
short = None


def constrain(model, a: AgentShifts, plan, lit=None):
    for d in range(len(a.days)):
        if len(vs := a.works(d)) > 1:
            at_most_one(model, vs, lit)


def check(ctx: Context):
    counts = ctx.roster.groupby(["agent_id", "date"]).size()
    for (agent, date), n in counts[counts > 1].items():
        yield Violation(NAME, agent, date, f"agent {agent} has {n} shifts on {date}")


def fits(p, d: int, t) -> bool:
    return p.shift[d] < 0


def relax(agg, k: int, members: list[int], by_day: list, works) -> None:
    for d, day_vars in enumerate(by_day):
        if day_vars:
            agg.model.add(sum(v for _, v in day_vars) <= len(agg._avail(members, d)))
