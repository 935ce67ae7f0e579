"""Soft term ``wages``: paid hours at the hourly cost (holiday rate, hours past the standard day),
plus the rest-day premium for each day worked past the contract's days in a 7-day block
(``scheduler.rules.pay``). Its rows: ``wages`` (all shifts) and ``rest_day_work`` (agent and block).

Faces: ``constrain`` (CP-SAT, per agent: each shift variable at its pay, each rest-day counter at
the premium), ``price`` (frames: the rows), ``relax`` (aggregate: a class's wages and premiums
priced from below, cheapest member first).
"""

from __future__ import annotations

from scheduler.plan.money import units
from scheduler.rules.helpers import contract_days, rest_days_worked, week_blocks
from scheduler.rules.pay import rest_day_premium, shift_pay
from scheduler.rules.terms.helpers import Row

NAME = "wages"
RULES = ("wages", "rest_day_work")  # what the plan pays its agents; the other terms are planning weights
SCOPE = "agent"


def constrain(model, a, plan) -> list:
    """One agent's pay: every shift variable at ``shift_pay``, every rest-day counter at the premium."""
    rest = a.rest_days(model, plan)
    terms = [shift_pay(a.agent, a.opts[o].template, day, plan) * v for d, day in enumerate(a.days) for o, v in a.by_day[d]]
    premium = rest_day_premium(a.agent, plan)
    return terms + ([premium * r for r in rest] if premium else [])


def price(f):
    """The ``wages`` row (all shifts' paid hours and pay), then ``rest_day_work`` per agent and block."""
    plan = f.plan
    pay = sum(shift_pay(f.agents[r.agent_id], plan.shifts[r.shift], r.date, plan) for r in f.roster.itertuples())
    yield Row("wages", "all shifts", int(sum(plan.shifts[s].paid_hours for s in f.roster["shift"])), "paid hours", pay)
    yield from _rest_rows(f)


def _rest_rows(f):
    plan, days = f.plan, {a: [] for a in f.agents}
    for r in f.roster.itertuples():
        days[r.agent_id].append((r.date - plan.start).days + 1)
    for agent_id, worked in days.items():
        agent = f.agents[agent_id]
        premium = rest_day_premium(agent, plan)
        for block, extra in zip(week_blocks(plan), rest_days_worked(plan, agent, worked) if premium else ()):
            if extra:
                yield Row("rest_day_work", f"{agent_id} week of {plan.roster_days[max(block[0], 1)]}", extra, "days", premium * extra)


def relax(agg, k, members, by_day, works) -> list:
    """Wages from below, per 7-day block: the cheapest member's pay for every shift, plus ``X``,
    a lower bound on what dearer members add. ``X`` is at least the class's paid hours spread
    cheapest member first (``agg._cheapest_first``: each member's least payable hours at its own
    rate, the rest up to its weekly maximum), and at least, day by day, what the ``W`` members
    working cost above the cheapest at the shortest shift (``agg._dearer_tiers``): both bound the
    same sum, so the larger is valid. Rest-day premiums likewise: the days the class works past
    its members' contract days, given to the members with the smallest premium first."""
    ranked = sorted(members, key=lambda a: agg.staff.at[a, "hourly_cost"])
    terms = []
    for block in week_blocks(agg.plan):
        terms += _block_pay(agg, k, ranked, by_day, block)
        terms += _block_premiums(agg, k, ranked, works, block)
    return terms


def _block_pay(agg, k, ranked, by_day, block) -> list:
    plan, opts, staff = agg.plan, agg.full.opts, agg.staff
    cheapest, rates = staff.loc[ranked[0]], [staff.at[a, "hourly_cost"] for a in ranked]
    terms, daily = [], []
    for d in block:
        terms += [shift_pay(cheapest, opts[o].template, agg.full.days[d], plan) * v for o, v in by_day[d]]
        daily += agg._dearer_tiers(k, d, by_day[d], rates)
    hours = sum(opts[o].template.paid_hours * v for d in block for o, v in by_day[d])
    least = {a: agg._least_hours(a, block) for a in ranked}
    above = {a: units(staff.at[a, "hourly_cost"] - rates[0]) for a in ranked}
    dearer = agg.model.new_int_var(0, 10**12, f"dearer_{k}_{block[0]}")
    agg.model.add(dearer >= sum(above[a] * least[a] for a in ranked) + agg._cheapest_first(
        ranked, above, {a: agg._most_hours(a, block) - least[a] for a in ranked}, hours - sum(least.values()), f"{k}_{block[0]}"))
    if daily:
        agg.model.add(dearer >= sum(daily))
    return terms + [dearer]


def _block_premiums(agg, k, ranked, works, block) -> list:
    plan, staff = agg.plan, agg.staff
    if not rest_day_premium(staff.loc[ranked[0]], plan):
        return []
    free = {a: contract_days(staff.loc[a], plan, block) for a in ranked}
    worked = sum(v for d in block for v in works(d))
    return [agg._cheapest_first(ranked, {a: rest_day_premium(staff.loc[a], plan) for a in ranked},
                                {a: len(block) - free[a] for a in ranked}, worked - sum(free.values()), f"rest_{k}_{block[0]}")]
