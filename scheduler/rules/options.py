"""The option rules: predicates that forbid a (template, date) option to an agent outright.

Faces: the predicate itself (the roster model, the aggregate and the hand-out never create a
forbidden option's variable; ``scheduler.roster.explain`` forbids it behind a literal), and the
check face made from it by ``option_check`` (same name, message from ``OPTION_TEXT``).
"""

from __future__ import annotations

from scheduler.rules.helpers import Context, Violation


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

OPTION_TEXT = {"availability": "unavailable that day", "night_allowed": "no night shifts",
               "employment": "not for this employment type", "template_dates": "template not used that day",
               "daily_overtime": "more overtime in one day than allowed"}


def option_allowed(agent, template, date, plan) -> bool:
    """Whether every option rule allows the agent this template on this date."""
    return all(rule(agent, template, date, plan) for rule in OPTION_RULES)


def option_check(rule):
    """The check face of an option rule (same name, same test)."""
    def check(ctx: Context):
        for row in ctx.shifts_known().itertuples():
            agent, template = ctx.staff.loc[row.agent_id], ctx.template(row.shift)
            if not rule(agent, template, row.date, ctx.plan):
                yield Violation(rule.__name__, row.agent_id, row.date, f"agent {row.agent_id} may not work {row.shift} on {row.date} ({OPTION_TEXT[rule.__name__]})")
    check.__name__ = rule.__name__
    return check
