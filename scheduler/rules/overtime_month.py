"""Hard rule ``overtime_month``: for agents whose employment earns overtime, overtime hours in a
month (days past the contract's in a 7-day block x the standard day, plus hours past the standard
day) within ``max_overtime_h_month``; a block counts in the month of its first plan day.

Faces: ``constrain`` (CP-SAT, on the agent's rest-day counters ``AgentShifts.rest_days``, made
here for eligible agents), ``check`` (roster frame), ``fits`` (hand-out: the month's overtime with
the new shift, ``overtime_with``). No ``relax``: the aggregate drops it, which keeps its bound valid.
"""

from __future__ import annotations

from collections import defaultdict

from scheduler.rules.helpers import (AgentShifts, Context, Violation, add, month_key, overtime_eligible, per_agent_days,
                                     rest_days_worked, week_blocks)

NAME = "overtime_month"
short = None
relax = None


def constrain(model, a: AgentShifts, plan, lit=None):
    """Overtime hours (rest-day days x standard day + hours past the standard day) within the monthly limit."""
    if not overtime_eligible(a.agent, plan):
        return
    rest_days = a.rest_days(model, plan)
    by_month: dict[tuple[int, int], list] = {}
    for b, block in enumerate(week_blocks(plan)):
        month = month_key(plan, block)
        by_month.setdefault(month, []).append(int(plan.rules.daily_standard_h) * rest_days[b])
        for d in block:
            for o, v in a.by_day[d]:
                extra = a.opts[o].template.paid_hours - plan.rules.daily_standard_h
                if extra > 0:
                    by_month[month].append(int(round(extra)) * v)
    for terms in by_month.values():
        add(model, sum(terms) <= int(plan.rules.max_overtime_h_month), lit)


def check(ctx: Context):
    plan = ctx.plan
    std = plan.rules.daily_standard_h
    for agent_id, shifts in per_agent_days(ctx).items():
        agent = ctx.staff.loc[agent_id]
        if not overtime_eligible(agent, plan):
            continue
        months: dict[tuple[int, int], float] = defaultdict(float)
        for block, extra in zip(week_blocks(plan), rest_days_worked(plan, agent, [d for d, _ in shifts])):
            months[month_key(plan, block)] += extra * int(std) + sum(max(0, round(t.paid_hours - std)) for d, t in shifts if d in block)
        for (year, month), hours in months.items():
            if hours > plan.rules.max_overtime_h_month:
                yield Violation(NAME, agent_id, None, f"agent {agent_id} works {hours:g} h of overtime in {year}-{month:02d} (maximum {plan.rules.max_overtime_h_month:g})")


def tables(plan, n: int) -> list[tuple[int, int]]:
    """Per 7-day block: the month it counts in."""
    return [month_key(plan, block) for block in week_blocks(plan)]


def overtime_with(p, d: int, t) -> float:
    """Overtime hours in the month of day ``d`` with template ``t`` added (0 if not eligible)."""
    if not p.eligible:
        return 0
    std, b, month_of = p.t.plan.rules.daily_standard_h, p.t.block_of[d], p.t.overtime_month
    total = 0
    for c, month in enumerate(month_of):
        if month != month_of[b]:
            continue
        days, extra = p.days[c] + (c == b), p.extra_h[c] + (max(0, round(t.paid_hours - std)) if c == b else 0)
        total += max(0, days - p.free_days[c]) * int(std) + extra
    return total


def fits(p, d: int, t) -> bool:
    return overtime_with(p, d, t) <= p.t.plan.rules.max_overtime_h_month
