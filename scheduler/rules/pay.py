"""Pay: what a shift and a rest day cost, in objective units (``COST_SCALE`` a yuan).

A shift is paid its paid hours at the agent's hourly cost; on a statutory holiday at the
holiday rate (300%); hours past the standard day at the overtime rate (150%) for agents whose
employment type earns overtime; and each day worked past the contract's days in a 7-day block
is a rest day, whose standard day earns the rest-day premium (200% in all). The roster model
and the checker both price with these functions, so their objectives agree exactly.
"""

from __future__ import annotations

from scheduler.rules.helpers import overtime_eligible
from scheduler.plan.money import units


def shift_pay(agent, template, date, plan) -> int:
    """Objective units for one shift (base pay, holiday rate, hours past the standard day)."""
    costs, std = plan.costs, plan.rules.daily_standard_h
    pay = agent.hourly_cost * template.paid_hours
    if date in costs.holidays:
        pay *= costs.holiday_rate
    if overtime_eligible(agent, plan) and template.paid_hours > std:
        pay += agent.hourly_cost * (template.paid_hours - std) * (costs.overtime_rate - 1)
    return units(pay)


def shift_cost(agent, template, date, plan) -> int:
    """Objective units for one shift with the preferences it breaks: ``shift_pay`` plus ``costs.preference`` each."""
    return shift_pay(agent, template, date, plan) + units(plan.costs.preference) * preference_broken(agent, template, date)


def rest_day_premium(agent, plan) -> int:
    """Objective units added for each day worked past the contract's days in a block."""
    if not overtime_eligible(agent, plan):
        return 0
    return units(agent.hourly_cost * plan.rules.daily_standard_h * (plan.costs.rest_day_rate - 1))


def preference_broken(agent, template, date) -> int:
    """How many of the agent's preferences a shift breaks: a preferred day off, a preferred template."""
    wanted = agent.prefer_shift
    return int(date in agent.prefer_off) + int(isinstance(wanted, str) and wanted != "" and wanted != template.name)
