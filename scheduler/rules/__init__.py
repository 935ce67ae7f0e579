"""The hard labour rules, one module per rule holding all its faces, and their registry ``HARD_RULES``.

A rule module has
- ``NAME``: the rule's name (the checker's ``Violation.rule``, the explainer's literal);
- ``constrain(model, agent_shifts, plan, lit=None)``: the CP-SAT constraint on one agent's
  ``AgentShifts``, enforced only if ``lit`` when given (``scheduler.roster.explain``);
- ``constrain_small`` (optional, same signature): the same rule in another form for the small models
  CP-SAT presolves (the disaggregation's parts, ``constrain_agent(small=True)``), where that form does better;
- ``check(ctx)``: the solver-free check of a ``Context``, yielding ``Violation`` rows;
- ``fits(p, d, t) -> bool`` or None: the hand-out's incremental test, whether the greedy's agent
  state ``p`` may take template ``t`` on model day ``d`` (``scheduler.roster.search.greedy``);
- ``short(p) -> list[int]`` or None: for a minimum, the blocks the agent state is still short in;
- ``tables(plan, n)`` or None: what ``fits`` reads per plan, kept on the greedy's ``RuleTables``
  under ``NAME``;
- ``relax(agg, k, members, by_day, works)`` or None: the rule summed over a class of alike agents
  in the aggregate (``scheduler.roster.search.aggregate``); None drops it, which keeps the bound valid.

Every consumer iterates ``HARD_RULES`` in this order (the order CP-SAT receives the constraints).
The option rules (``options.OPTION_RULES``) forbid options outright. Shared helpers are in
``helpers``; pay in ``pay``; the objective's soft terms in ``terms`` (``terms.SOFT_TERMS``).
"""

from __future__ import annotations

from scheduler.rules import (
    max_consecutive_days,
    max_consecutive_nights,
    max_nights,
    max_week_hours,
    min_rest,
    min_week_hours,
    night_to_day_rest,
    one_shift_per_day,
    overtime_month,
)
from scheduler.rules.options import OPTION_RULES, option_allowed

HARD_RULES = [  # one module a rule, in the order CP-SAT receives the constraints
    one_shift_per_day,
    min_rest,
    max_consecutive_days,
    max_week_hours,
    min_week_hours,
    max_nights,
    night_to_day_rest,
    overtime_month,
    max_consecutive_nights,
]

__all__ = ["HARD_RULES", "OPTION_RULES", "constrain_agent", "option_allowed"]


def constrain_agent(model, shifts, plan, lits: dict | None = None, small: bool = False) -> None:
    """Every hard rule on one agent's shift variables, each behind ``lits[NAME]`` when given; ``small``:
    a rule's ``constrain_small`` where it has one."""
    for rule in HARD_RULES:
        constrain = getattr(rule, "constrain_small", rule.constrain) if small else rule.constrain
        constrain(model, shifts, plan, None if lits is None else lits[rule.NAME])
