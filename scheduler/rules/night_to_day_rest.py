"""Hard rule ``night_to_day_rest``: between a night shift and a later day shift, at least
``night_to_day_days_off`` days with no shift.

Faces: ``constrain`` (CP-SAT: at most one of a day's night shifts and the day shifts too soon after
them, ``helpers.at_most_one``: with one shift a day each side is 0 or 1, so it says "never both" in
one constraint per day and gap, where a constraint per pair was 68 % of the full model's constraints:
L's peak memory 2.10 -> 1.65 GB, its end gap 3.13 % -> 3.14 %), ``constrain_small`` (the same rule
a constraint per night option, day option and gap, for the disaggregation's small models, which
CP-SAT presolves: with the at-most-ones their sweeps over the same 922 parts of L ended at 3.215M
against 3.126M, 3.176M against 3.114M with another seed), ``check``
(roster frame), ``fits`` (hand-out: no night just before a day shift, no day shift just after a
night), ``relax`` (aggregate: a day's nights plus the day shifts too soon after them at most
the class's members).
"""

from __future__ import annotations

from scheduler.rules.helpers import AgentShifts, Context, Violation, add, at_most_one, per_agent_days

NAME = "night_to_day_rest"
tables = None
short = None


def _is_night(t) -> bool:
    return t.night


def _is_day(t) -> bool:
    return not t.night


def constrain(model, a: AgentShifts, plan, lit=None):
    off = plan.rules.night_to_day_days_off
    for d in range(len(a.days)):
        nights = a.works(d, _is_night)
        for gap in range(1, off + 1):
            if nights and (days := a.works(d + gap, _is_day)):
                at_most_one(model, nights + days, lit)


def constrain_small(model, a: AgentShifts, plan, lit=None):
    off = plan.rules.night_to_day_days_off
    for d in range(len(a.days)):
        for night in a.works(d, _is_night):
            for gap in range(1, off + 1):
                for day in a.works(d + gap, _is_day):
                    add(model, night + day <= 1, lit)


def check(ctx: Context):
    off = ctx.plan.rules.night_to_day_days_off
    for agent_id, shifts in per_agent_days(ctx).items():
        for d, t in shifts:
            for e, u in shifts:
                if t.night and not u.night and 0 < e - d <= off:
                    yield Violation(NAME, agent_id, ctx.plan.roster_days[e],
                                    f"agent {agent_id} switches from nights ({ctx.plan.roster_days[d]}) to days ({ctx.plan.roster_days[e]}) with {e - d - 1} day(s) off (minimum {off})")


def fits(p, d: int, t) -> bool:
    off = p.t.plan.rules.night_to_day_days_off
    if not t.night:
        return not any((u := p.template(d - g)) is not None and u.night for g in range(1, off + 1))
    return not any((u := p.template(d + g)) is not None and not u.night for g in range(1, off + 1))


def relax(agg, k: int, members: list[int], by_day: list, works) -> None:
    for d in range(len(by_day)):
        for gap in range(1, agg.plan.rules.night_to_day_days_off + 1):
            if works(d, _is_night) and works(d + gap, _is_day):
                agg.model.add(sum(works(d, _is_night)) + sum(works(d + gap, _is_day)) <= len(members))
