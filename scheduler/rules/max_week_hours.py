"""Hard rule ``max_week_hours``: paid hours in each 7-day block at most the agent's ``max_week_hours``.

Faces: ``constrain`` (CP-SAT, per block), ``check`` (roster frame, per block), ``fits`` (hand-out:
the block's hours so far plus the new shift's), ``relax`` (aggregate: a class's paid hours in a
block at most its members' maximums summed).
"""

from __future__ import annotations

from scheduler.rules.helpers import AgentShifts, Context, Violation, add, block_start, per_agent_days, week_blocks

NAME = "max_week_hours"
tables = None
short = None


def constrain(model, a: AgentShifts, plan, lit=None):
    for block in week_blocks(plan):
        terms = [t for d in block for t in a.hours(d)]
        if sum(h for _, h in terms) > a.agent.max_week_hours:
            add(model, sum(h * v for v, h in terms) <= int(a.agent.max_week_hours), lit)


def check(ctx: Context):
    for agent_id, shifts in per_agent_days(ctx).items():
        cap = ctx.staff.at[agent_id, "max_week_hours"]
        for block in week_blocks(ctx.plan):
            paid = sum(t.paid_hours for d, t in shifts if d in block)
            if paid > cap:
                yield Violation(NAME, agent_id, ctx.plan.roster_days[block[1] if len(block) > 1 else 0],
                                f"agent {agent_id} is paid {paid:g} h in the week from {block_start(ctx.plan, block)} (maximum {cap:g})")


def fits(p, d: int, t) -> bool:
    return p.hours[p.t.block_of[d]] + t.paid_hours <= p.agent.max_week_hours


def relax(agg, k: int, members: list[int], by_day: list, works) -> None:
    opts = agg.full.opts
    for block in week_blocks(agg.plan):
        hours = [opts[o].template.paid_hours * v for d in block for o, v in by_day[d]]
        agg.model.add(sum(hours) <= int(sum(agg.staff.at[a, "max_week_hours"] for a in members)))
