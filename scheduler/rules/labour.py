"""The hard labour rules as CP-SAT constraints, one short function per rule, registered in ``MODEL_RULES``.

Each rule takes the model, one agent's shift variables (``AgentShifts``), the plan and an
optional enforcement literal: without it the rule is simply imposed; with it the rule holds
only when the literal is true, which is how ``scheduler.roster.explain`` finds the rules in conflict.
Rules that forbid an option outright (availability, nights, employment, template dates, daily
overtime) are in ``OPTION_RULES``: a normal build never creates those variables.

The solver-free twins of these rules, with the same names, are in ``scheduler.check.checker``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from scheduler.plan.shifts import rest_conflicts


@dataclass
class AgentShifts:
    """One agent's shift variables: ``by_day[d]`` lists ``(option index, var)`` for model day ``d``."""

    agent: object
    days: list  # model days (day 0 is the eve of the plan)
    opts: list
    by_day: list = field(default_factory=list)

    def works(self, d: int, pick=None) -> list:
        if not 0 <= d < len(self.by_day):
            return []
        return [v for o, v in self.by_day[d] if pick is None or pick(self.opts[o].template)]

    def hours(self, d: int) -> list:
        return [(v, self.opts[o].template.paid_hours) for o, v in self.by_day[d]]


def _add(model, expr, lit):
    ct = model.add(expr)
    if lit is not None:
        ct.only_enforce_if(lit)


# -- rules that forbid options ----------------------------------------------------------------
def availability(agent, template, date, plan) -> bool:
    return date not in agent.unavailable


def night_allowed(agent, template, date, plan) -> bool:
    return agent.night_allowed or not template.night


def employment(agent, template, date, plan) -> bool:
    return agent.employment in template.employment


def template_dates(agent, template, date, plan) -> bool:
    return template.usable_on(date)


def daily_overtime(agent, template, date, plan) -> bool:
    return template.paid_hours - plan.rules.daily_standard_h <= plan.rules.max_overtime_h_day + 1e-9


OPTION_RULES = [availability, night_allowed, employment, template_dates, daily_overtime]


# -- rules on an agent's sequence of shifts ---------------------------------------------------
def one_shift_per_day(model, a: AgentShifts, plan, lit=None):
    for d in range(len(a.days)):
        if len(vs := a.works(d)) > 1:
            _add(model, sum(vs) <= 1, lit)


def min_rest(model, a: AgentShifts, plan, lit=None):
    for first, second, gap in rest_conflicts(list(plan.shifts.values()), plan.rules.min_rest_h):
        for d in range(len(a.days) - gap):
            vs = a.works(d, lambda t: t.name == first) + a.works(d + gap, lambda t: t.name == second)
            if len(vs) > 1:
                _add(model, sum(vs) <= 1, lit)


def max_consecutive_days(model, a: AgentShifts, plan, lit=None):
    m = plan.rules.max_consecutive_days
    for d in range(len(a.days) - m):
        vs = [v for k in range(d, d + m + 1) for v in a.works(k)]
        if len(vs) > m:
            _add(model, sum(vs) <= m, lit)


def week_blocks(plan) -> list[list[int]]:
    """Model-day indices of each 7-day block from the plan's first day (the eve joins the first block)."""
    n = len(plan.roster_days)
    return [[0] + list(range(1, min(8, n)))] + [list(range(s, min(s + 7, n))) for s in range(8, n, 7)]


def min_hours_due(agent, plan, block: list[int]) -> int:
    """Contract minimum for a block, pro rata to the plan days in it the agent is available."""
    days = [plan.roster_days[d] for d in block if d > 0]
    available = sum(day not in agent.unavailable for day in days)
    return int(agent.min_week_hours * available / 7 + 1e-9)


def max_week_hours(model, a: AgentShifts, plan, lit=None):
    for block in week_blocks(plan):
        terms = [t for d in block for t in a.hours(d)]
        if sum(h for _, h in terms) > a.agent.max_week_hours:
            _add(model, sum(h * v for v, h in terms) <= int(a.agent.max_week_hours), lit)


def min_week_hours(model, a: AgentShifts, plan, lit=None):
    for block in week_blocks(plan):
        due = min_hours_due(a.agent, plan, block)
        if due > 0:
            _add(model, sum(h * v for d in block for v, h in a.hours(d)) >= due, lit)


def max_nights(model, a: AgentShifts, plan, lit=None):
    nights = [v for d in range(len(a.days)) for v in a.works(d, lambda t: t.night)]
    if len(nights) > plan.rules.max_nights:
        _add(model, sum(nights) <= plan.rules.max_nights, lit)
    k = plan.rules.max_nights_per_7_days
    for d in range(max(1, len(a.days) - 6)):  # every 7 consecutive days (all of a shorter plan)
        week = [v for j in range(d, d + 7) for v in a.works(j, lambda t: t.night)]
        if len(week) > k:
            _add(model, sum(week) <= k, lit)


def night_to_day_rest(model, a: AgentShifts, plan, lit=None):
    """Between a night shift and a later day shift, at least ``night_to_day_days_off`` days with no shift."""
    off = plan.rules.night_to_day_days_off
    for d in range(len(a.days)):
        for night in a.works(d, lambda t: t.night):
            for gap in range(1, off + 1):
                for day in a.works(d + gap, lambda t: not t.night):
                    _add(model, night + day <= 1, lit)


def contract_days(agent, plan, block: list[int]) -> int:
    """Working days in a block paid at the base rate; more are worked on rest days."""
    full = agent.contract_week_hours / plan.rules.daily_standard_h
    return int(full * sum(d > 0 for d in block) / 7 + 1e-9)


def overtime_eligible(agent, plan) -> bool:
    return agent.employment in plan.costs.overtime_employment


def rest_day_vars(model, a: AgentShifts, plan) -> list:
    """Per 7-day block, the days an agent works past the contract's (paid at the rest-day rate)."""
    out = []
    for block in week_blocks(plan):
        works = [v for d in block for v in a.works(d)]
        free = contract_days(a.agent, plan, block)
        extra = model.new_int_var(0, max(0, len(block) - free), f"rest_days_{a.agent.agent_id}_{block[0]}")
        if len(works) > free:
            model.add(extra >= sum(works) - free)
        out.append(extra)
    return out


def overtime_month(model, a: AgentShifts, plan, lit=None, rest_days=None):
    """Overtime hours (rest-day days x standard day + hours past the standard day) within the monthly limit."""
    if not overtime_eligible(a.agent, plan) or rest_days is None:
        return
    by_month: dict[tuple[int, int], list] = {}
    for b, block in enumerate(week_blocks(plan)):
        month = plan.roster_days[max(block[0], 1)].timetuple()[:2]
        by_month.setdefault(month, []).append(int(plan.rules.daily_standard_h) * rest_days[b])
        for d in block:
            for o, v in a.by_day[d]:
                extra = a.opts[o].template.paid_hours - plan.rules.daily_standard_h
                if extra > 0:
                    by_month[month].append(int(round(extra)) * v)
    for terms in by_month.values():
        _add(model, sum(terms) <= int(plan.rules.max_overtime_h_month), lit)


MODEL_RULES = [one_shift_per_day, min_rest, max_consecutive_days, max_week_hours, min_week_hours,
               max_nights, night_to_day_rest]


def comparable_groups(staff: pd.DataFrame, plan) -> dict[tuple, list[int]]:
    """Agents compared for fairness: same employment type and the same number of available days."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for a, agent in enumerate(staff.itertuples()):
        available = sum(d not in agent.unavailable for d in plan.days)
        groups[agent.employment, available].append(a)
    return {k: v for k, v in groups.items() if len(v) > 1}

