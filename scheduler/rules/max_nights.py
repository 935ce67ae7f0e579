"""Hard rule ``max_nights``: at most ``max_nights`` night shifts over the plan, and at most
``max_nights_per_7_days`` in any 7 consecutive days.

Faces: ``constrain`` (CP-SAT), ``check`` (roster frame), ``fits`` (hand-out: a night added to the
nights so far, in every 7-day window holding its day, ``tables``), ``relax`` (aggregate: a class's
nights at most the limits x members).
"""

from __future__ import annotations

from scheduler.rules.helpers import AgentShifts, Context, Violation, add, per_agent_days

NAME = "max_nights"
short = None


def _is_night(t) -> bool:
    return t.night


def constrain(model, a: AgentShifts, plan, lit=None):
    nights = [v for d in range(len(a.days)) for v in a.works(d, _is_night)]
    if len(nights) > plan.rules.max_nights:
        add(model, sum(nights) <= plan.rules.max_nights, lit)
    k = plan.rules.max_nights_per_7_days
    for d in range(max(1, len(a.days) - 6)):  # every 7 consecutive days (all of a shorter plan)
        week = [v for j in range(d, d + 7) for v in a.works(j, _is_night)]
        if len(week) > k:
            add(model, sum(week) <= k, lit)


def check(ctx: Context):
    rules = ctx.plan.rules
    for agent_id, shifts in per_agent_days(ctx).items():
        nights = sorted(d for d, t in shifts if t.night)
        if len(nights) > rules.max_nights:
            yield Violation(NAME, agent_id, None, f"agent {agent_id} works {len(nights)} nights (maximum {rules.max_nights})")
        for d in nights:
            in_week = sum(d <= e < d + 7 for e in nights)
            if in_week > rules.max_nights_per_7_days:
                yield Violation(NAME, agent_id, ctx.plan.roster_days[d], f"agent {agent_id} works {in_week} nights in the 7 days from {ctx.plan.roster_days[d]} (maximum {rules.max_nights_per_7_days})")
                break


def tables(plan, n: int) -> list[list[tuple[int, int]]]:
    """Per model day: the 7-day windows ``(first, past last)`` holding it (as ``constrain`` has them)."""
    windows = [(s, s + 7) for s in range(max(1, n - 6))]
    return [[w for w in windows if w[0] <= d < w[1]] for d in range(n)]


def fits(p, d: int, t) -> bool:
    if not t.night:
        return True
    rules, nights = p.t.plan.rules, p.night_days()
    if len(nights) + 1 > rules.max_nights:
        return False
    return all(sum(s <= e < w for e in nights) + 1 <= rules.max_nights_per_7_days for s, w in p.t.max_nights[d])


def relax(agg, k: int, members: list[int], by_day: list, works) -> None:
    rules, size = agg.plan.rules, len(members)
    nights = [v for d in range(len(by_day)) for v in works(d, _is_night)]
    agg.model.add(sum(nights) <= rules.max_nights * size)
    for d in range(max(1, len(by_day) - 6)):
        agg.model.add(sum(v for j in range(d, d + 7) for v in works(j, _is_night)) <= rules.max_nights_per_7_days * size)
