"""The two faces of a soft term priced on the same fixed shifts, in the style of Timefold's
ConstraintVerifier: given these shifts (or this coverage), the term costs exactly n yuan.

- ``frame_price``: the term's ``price`` face on the frames, summed (yuan);
- ``cpsat_price``: the term's ``constrain`` face on a model whose shift variables are fixed to the
  same shifts by constraints, solved (the objective, yuan); ``cpsat_hour_price`` likewise for an
  hour term, its coverage fixed.

A pattern is a list of ``(agent_id, model day, template name)`` (model day 0 is the plan's eve); an
hour is ``(queue, plan hour, required, scheduled, loss curve or None)``.
"""

from __future__ import annotations

import pandas as pd
from ortools.sat.python import cp_model

from scheduler.plan.money import COST_SCALE
from scheduler.plan.shifts import options, reaches_plan, shift_end, shift_start
from scheduler.rules import option_allowed
from scheduler.rules.helpers import AgentShifts
from scheduler.rules.terms import Frames, Hour


def roster_of(plan, pattern) -> pd.DataFrame:
    rows = []
    for agent_id, d, name in pattern:
        day, t = plan.roster_days[d], plan.shifts[name]
        rows.append((agent_id, day, name, shift_start(t, day), shift_end(t, day)))
    return pd.DataFrame(rows, columns=["agent_id", "date", "shift", "start", "end"])


def cov_of(plan, hours) -> pd.DataFrame:
    t0 = pd.Timestamp(plan.start)
    return pd.DataFrame([(q, t0 + pd.Timedelta(hours=t), need, have) for q, t, need, have, _ in hours],
                        columns=["queue", "ds", "required", "scheduled"])


def curves_of(hours) -> dict:
    return {(q, t): curve for q, t, _, _, curve in hours if curve is not None}


def frame_rows(term, plan, staff=None, pattern=(), hours=()) -> list:
    """The rows the term's ``price`` face yields (``cost`` in objective units)."""
    frames = Frames(plan, staff, roster_of(plan, pattern), cov_of(plan, hours), curves_of(hours))
    return list(term.price(frames))


def frame_price(term, plan, staff=None, pattern=(), hours=()) -> float:
    return sum(row.cost for row in frame_rows(term, plan, staff, pattern, hours)) / COST_SCALE


def _solve(model, terms: list) -> float:
    model.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver.objective_value / COST_SCALE


def _fixed_agents(model, plan, staff: pd.DataFrame, pattern) -> list[AgentShifts]:
    """Every agent's shift variables (the options the roster model gives it), fixed to ``pattern``:
    a day's first option of the template named."""
    opts = [o for t in plan.shifts.values() for o in options(t)]
    chosen = {(a, d): name for a, d, name in pattern}
    agents = []
    for agent in staff.itertuples():
        a = AgentShifts(agent, plan.roster_days, opts, [[] for _ in plan.roster_days])
        for d, day in enumerate(plan.roster_days):
            picked = False
            for o, opt in enumerate(opts):
                if reaches_plan(d, opt.template) and option_allowed(agent, opt.template, day, plan):
                    v = model.new_bool_var(f"x_{agent.agent_id}_{d}_{o}")
                    on = not picked and chosen.get((agent.agent_id, d)) == opt.template.name
                    picked |= on
                    model.add(v == int(on))
                    a.by_day[d].append((o, v))
            assert picked or (agent.agent_id, d) not in chosen, f"{agent.agent_id} may not work {chosen[agent.agent_id, d]} on day {d}"
        agents.append(a)
    return agents


def cpsat_price(term, plan, staff: pd.DataFrame, pattern) -> float:
    """The objective of the term's CP-SAT face with every shift fixed to ``pattern`` (yuan)."""
    model, staff = cp_model.CpModel(), staff.reset_index(drop=True)
    agents = _fixed_agents(model, plan, staff, pattern)
    if term.SCOPE == "agent":
        return _solve(model, [x for a in agents for x in term.constrain(model, a, plan)])
    return _solve(model, term.constrain(model, agents, staff, plan))


def cpsat_hour_price(term, plan, hours) -> float:
    """The objective of an hour term's CP-SAT face with each hour's coverage fixed (yuan)."""
    model, terms = cp_model.CpModel(), []
    for q, t, need, have, curve in hours:
        c = model.new_int_var(0, 100, f"c_{q}_{t}")
        model.add(c == have)
        terms += term.constrain(model, Hour(plan, q, t, [c], c, need, curve, 100, []))
    return _solve(model, terms)
