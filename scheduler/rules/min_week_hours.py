"""Hard rule ``min_week_hours``: paid hours in each 7-day block at least the contract's minimum,
pro rata to the days the agent is available (``min_hours_due``).

Faces: ``constrain`` (CP-SAT, per block), ``check`` (roster frame, per block), no ``fits`` (adding
a shift never breaks a minimum) but ``short`` (hand-out: the blocks still below it, which the
top-up fills and the hand-out reports), ``relax`` (aggregate: a class's paid hours in a block at
least its members' least payable hours, ``AggregateModel._least_hours``).
"""

from __future__ import annotations

from scheduler.rules.helpers import AgentShifts, Context, Violation, add, block_start, min_hours_due, per_agent_days, week_blocks

NAME = "min_week_hours"
tables = None
fits = None


def constrain(model, a: AgentShifts, plan, lit=None):
    for block in week_blocks(plan):
        due = min_hours_due(a.agent, plan, block)
        if due > 0:
            add(model, sum(h * v for d in block for v, h in a.hours(d)) >= due, lit)


def check(ctx: Context):
    for agent_id, shifts in per_agent_days(ctx).items():
        agent = ctx.staff.loc[agent_id]
        for block in week_blocks(ctx.plan):
            due, paid = min_hours_due(agent, ctx.plan, block), sum(t.paid_hours for d, t in shifts if d in block)
            if paid < due:
                start = block_start(ctx.plan, block)
                yield Violation(NAME, agent_id, start, f"agent {agent_id} is paid {paid:g} h in the week from {start}, the contract asks at least {due:g}")


def short(p) -> list[int]:
    """Blocks in which the agent is paid less than the contract's minimum."""
    return [b for b in range(len(p.due)) if p.hours[b] < p.due[b]]


def relax(agg, k: int, members: list[int], by_day: list, works) -> None:
    opts = agg.full.opts
    for block in week_blocks(agg.plan):
        due = sum(agg._least_hours(a, block) for a in members)
        if due:
            agg.model.add(sum(opts[o].template.paid_hours * v for d in block for o, v in by_day[d]) >= due)
