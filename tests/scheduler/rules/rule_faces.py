"""The three faces of a hard rule asked about one agent's fixed pattern of shifts, in the style of the
CP-SAT Primer's test-driven nurse rostering and Timefold's ConstraintVerifier.

A pattern is a list of ``(model day, template name)`` (model day 0 is the plan's eve). Each face
answers whether the rule refuses the pattern:

- ``cpsat_status``: the rule's ``constrain`` on a model whose shift variables are fixed to the
  pattern by constraints (``OPTIMAL`` when it holds, ``INFEASIBLE`` when it does not);
- ``checked``: the ``(rule, agent)`` pairs of the rule's ``check`` on the pattern's roster frame;
- ``handout_refuses``: the hand-out adds the pattern's shifts one by one (in the order given) and
  asks the rule's ``fits`` before each, and its ``short`` at the end.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pandas as pd
from ortools.sat.python import cp_model

from scheduler.plan.shifts import options, reaches_plan, shift_end, shift_start
from scheduler.roster.search.greedy import AgentPlan, RuleTables
from scheduler.rules import option_allowed
from scheduler.rules.helpers import AgentShifts, Context

TIGHT = {"min_rest_h": 11, "max_consecutive_days": 3, "max_nights": 3, "max_nights_per_7_days": 2,
         "night_to_day_days_off": 1, "max_overtime_h_month": 8}


def with_rules(plan, **rules):
    """The plan with some ``[rules]`` changed (``TIGHT`` by default)."""
    return dataclasses.replace(plan, rules=dataclasses.replace(plan.rules, **(rules or TIGHT)))


def one_agent(staff: pd.DataFrame, agent_id: str = "A01", **fields) -> pd.DataFrame:
    """A one-row staff frame: agent ``agent_id`` with some fields changed."""
    row = staff[staff["agent_id"] == agent_id].iloc[0].to_dict()
    return pd.DataFrame([{**row, **fields}])


def _opts(plan) -> list:
    return [o for t in plan.shifts.values() for o in options(t)]


def _by_day(plan, agent, opts, new_var) -> list:
    """``(option, var)`` per model day for the options the agent may take (as the roster model makes them)."""
    return [[(o, new_var(d, o)) for o, opt in enumerate(opts)
             if reaches_plan(d, opt.template) and option_allowed(agent, opt.template, day, plan)]
            for d, day in enumerate(plan.roster_days)]


def option_of(plan, agent, d: int, name: str) -> int:
    """The first option of template ``name`` the agent may take on model day ``d``."""
    opts = _opts(plan)
    allowed = [o for o, _ in _by_day(plan, agent, opts, lambda d, o: None)[d]]
    return next(o for o in allowed if opts[o].template.name == name)


def valid_shifts(plan, agent) -> list[list[str]]:
    """Per model day, the template names the agent may work."""
    opts = _opts(plan)
    return [sorted({opts[o].template.name for o, _ in day}) for day in _by_day(plan, agent, opts, lambda d, o: None)]


def cpsat_status(rule, plan, staff1: pd.DataFrame, pattern, small: bool = False) -> int:
    """The CP-SAT face's status on the pattern (``small``: the rule's ``constrain_small``, where it has one)."""
    agent, opts, model = next(staff1.itertuples()), _opts(plan), cp_model.CpModel()
    shifts = AgentShifts(agent, plan.roster_days, opts,
                         _by_day(plan, agent, opts, lambda d, o: model.new_bool_var(f"x_{d}_{o}")))
    chosen = {(d, option_of(plan, agent, d, name)) for d, name in pattern}
    for d, day_vars in enumerate(shifts.by_day):
        for o, v in day_vars:
            model.add(v == int((d, o) in chosen))
    (getattr(rule, "constrain_small", rule.constrain) if small else rule.constrain)(model, shifts, plan)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(model)


def roster_of(plan, staff1: pd.DataFrame, pattern) -> pd.DataFrame:
    agent_id = staff1["agent_id"].iloc[0]
    rows = []
    for d, name in pattern:
        day, t = plan.roster_days[d], plan.shifts[name]
        rows.append((agent_id, day, name, shift_start(t, day), shift_end(t, day)))
    return pd.DataFrame(rows, columns=["agent_id", "date", "shift", "start", "end"])


def checked(rule, plan, staff1: pd.DataFrame, pattern) -> set[tuple[str, str]]:
    ctx = Context(plan, staff1.set_index("agent_id", drop=False), roster_of(plan, staff1, pattern), None)
    return {(v.rule, v.agent_id) for v in rule.check(ctx)}


def handout_refuses(rule, plan, staff1: pd.DataFrame, pattern) -> bool:
    agent, opts = next(staff1.itertuples()), _opts(plan)
    full = SimpleNamespace(plan=plan, days=plan.roster_days, opts=opts,
                           agents=[AgentShifts(agent, plan.roster_days, opts, _by_day(plan, agent, opts, lambda d, o: None))])
    p = AgentPlan(full, RuleTables(full), 0)
    for d, name in pattern:
        o = option_of(plan, agent, d, name)
        if rule.fits is not None and not rule.fits(p, d, opts[o].template):
            return True
        if p.shift[d] < 0:
            p.add(d, o)
    return rule.short is not None and bool(rule.short(p))


def verdicts(rule, plan, staff1: pd.DataFrame, pattern) -> tuple[bool, bool, bool]:
    """Whether each face refuses the pattern: (CP-SAT, check, hand-out)."""
    status = cpsat_status(rule, plan, staff1, pattern)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    names = checked(rule, plan, staff1, pattern)
    assert names <= {(rule.NAME, staff1["agent_id"].iloc[0])}
    return status == cp_model.INFEASIBLE, bool(names), handout_refuses(rule, plan, staff1, pattern)


def assert_refused(rule, plan, staff1: pd.DataFrame, pattern) -> None:
    """Every face refuses: CP-SAT says exactly INFEASIBLE, the check names the rule and the agent, the hand-out refuses."""
    assert cpsat_status(rule, plan, staff1, pattern) == cp_model.INFEASIBLE
    assert (rule.NAME, staff1["agent_id"].iloc[0]) in checked(rule, plan, staff1, pattern)
    assert handout_refuses(rule, plan, staff1, pattern)


def assert_accepted(rule, plan, staff1: pd.DataFrame, pattern) -> None:
    assert cpsat_status(rule, plan, staff1, pattern) == cp_model.OPTIMAL
    assert checked(rule, plan, staff1, pattern) == set()
    assert not handout_refuses(rule, plan, staff1, pattern)
