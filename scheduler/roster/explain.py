"""When the rules admit no roster: which rules, for which agents.

Coverage is soft, so the hard rules bind each agent separately: the roster model is
infeasible exactly when some agent's own rules are. For each agent a small CP-SAT model holds
its shift variables (every option, none filtered) and every rule behind an assumption literal
(every rule of ``scheduler.rules.HARD_RULES`` and ``OPTION_RULES``); ``sufficient_assumptions_for_infeasibility`` gives a core, a deletion
pass makes it minimal (dropping a rule that is not needed for the conflict), and the minimal
core is re-checked infeasible before it is reported.

Takes: the plan and the staff frame. Returns: a list of ``Conflict``; empty when every agent
can be rostered.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.rules import HARD_RULES, OPTION_RULES, constrain_agent
from scheduler.rules.helpers import AgentShifts
from scheduler.plan.shifts import options, reaches_plan


@dataclass(frozen=True)
class Conflict:
    agent_id: str
    name: str
    rules: tuple[str, ...]

    def line(self) -> str:
        return f"agent {self.agent_id} ({self.name}): {' + '.join(self.rules)}"


def _agent_model(plan, agent, opts) -> tuple[cp_model.CpModel, dict]:
    model, days = cp_model.CpModel(), plan.roster_days
    names = [*(rule.__name__ for rule in OPTION_RULES), *(rule.NAME for rule in HARD_RULES)]
    lits = {name: model.new_bool_var(name) for name in names}
    shifts = AgentShifts(agent, days, opts, [[] for _ in days])
    for d, day in enumerate(days):
        for o, opt in enumerate(opts):
            if not reaches_plan(d, opt.template):
                continue
            v = model.new_bool_var(f"x_{d}_{o}")
            shifts.by_day[d].append((o, v))
            for rule in OPTION_RULES:
                if not rule(agent, opt.template, day, plan):
                    model.add(v == 0).only_enforce_if(lits[rule.__name__])
    constrain_agent(model, shifts, plan, lits)
    return model, lits


def _infeasible(model: cp_model.CpModel, lits: list, time_limit_s: float) -> tuple[bool, list[int]]:
    model.clear_assumptions()
    model.add_assumptions(lits)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.catch_sigint_signal = False  # Ctrl-C is ``scheduler.interrupt``'s
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return True, list(solver.sufficient_assumptions_for_infeasibility())
    return False, []


def agent_conflict(plan, agent, opts, time_limit_s: float = 5.0) -> Conflict | None:
    """The minimal set of rules that leaves this agent with no feasible schedule, or None."""
    model, lits = _agent_model(plan, agent, opts)
    by_index = {v.index: name for name, v in lits.items()}
    infeasible, core = _infeasible(model, list(lits.values()), time_limit_s)
    if not infeasible:
        return None
    names = [by_index[i] for i in core] or list(lits)
    for name in list(names):
        rest = [n for n in names if n != name]
        if rest and _infeasible(model, [lits[n] for n in rest], time_limit_s)[0]:
            names = rest
    if not _infeasible(model, [lits[n] for n in names], time_limit_s)[0]:  # re-check the core
        names = list(lits)
    return Conflict(agent.agent_id, agent.name, tuple(names))


def explain(plan, staff) -> list[Conflict]:
    """Every agent whose own hard rules admit no schedule, with the minimal rules in conflict."""
    opts = [o for t in plan.shifts.values() for o in options(t)]
    found = (agent_conflict(plan, agent, opts) for agent in staff.itertuples())
    return [c for c in found if c is not None]
