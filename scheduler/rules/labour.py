"""The hard labour rules by their former names: a thin view of the registry (``scheduler.rules``).

Each rule is one module of ``scheduler.rules`` with all its faces; ``MODEL_RULES`` are their
CP-SAT faces but the monthly overtime's (which needs the rest-day counters), named after the rule.
Kept for the code that imports from here (``scheduler.rules.pay``).
"""

from __future__ import annotations

from scheduler.rules import HARD_RULES
from scheduler.rules import overtime_month as _overtime_month
from scheduler.rules.helpers import (AgentShifts, comparable_groups, contract_days, min_hours_due, overtime_eligible,
                                     rest_day_vars, week_blocks)
from scheduler.rules.options import (OPTION_RULES, availability, daily_overtime, employment, night_allowed,
                                     template_dates)


def _named(rule):
    def constrain(model, a, plan, lit=None):
        rule.constrain(model, a, plan, lit)
    constrain.__name__ = rule.NAME
    return constrain


MODEL_RULES = [_named(rule) for rule in HARD_RULES if rule is not _overtime_month]

__all__ = ["MODEL_RULES", "OPTION_RULES", "AgentShifts", "availability", "comparable_groups", "contract_days",
           "daily_overtime", "employment", "min_hours_due", "night_allowed", "overtime_eligible", "rest_day_vars",
           "template_dates", "week_blocks"]
