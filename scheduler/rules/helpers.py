"""What several hard rules share: an agent's shift variables, 7-day blocks, the month key, contract
days and hours, rest-day counters, and the checker's frame types (``Violation``, ``Context``).

Every rule module of ``scheduler.rules`` imports its helpers from here, so each is spelled once.
The faces of a rule read these objects:

- the CP-SAT face reads an ``AgentShifts`` (one agent's shift variables);
- the check face reads a ``Context`` (the roster frame, staff and plan) and yields ``Violation``;
- the hand-out face reads the greedy's per-agent state (``scheduler.roster.search.greedy.AgentPlan``):
  ``agent``, ``shift[d]`` (option or -1), ``template(d)``, ``hours[b]``, ``days[b]``, ``extra_h[b]``,
  ``due[b]``, ``free_days[b]``, ``eligible``, ``night_days()`` and its plan tables ``t`` (``plan``,
  ``opts``, ``n``, ``blocks``, ``block_of``, ``month_of``, ``windows_of`` and each rule's own
  ``tables`` under the rule's name);
- the aggregate face reads ``scheduler.roster.search.staged.AggregateModel`` (``model``, ``plan``,
  ``staff``, ``_avail``, ``_least_hours``) and a class's counts ``by_day`` with ``works(d, pick)``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class AgentShifts:
    """One agent's shift variables: ``by_day[d]`` lists ``(option index, var)`` for model day ``d``."""

    agent: object
    days: list  # model days (day 0 is the eve of the plan)
    opts: list
    by_day: list = field(default_factory=list)
    rest: list | None = None  # the rest-day counters, once made (``rest_days``)

    def works(self, d: int, pick=None) -> list:
        if not 0 <= d < len(self.by_day):
            return []
        return [v for o, v in self.by_day[d] if pick is None or pick(self.opts[o].template)]

    def hours(self, d: int) -> list:
        return [(v, self.opts[o].template.paid_hours) for o, v in self.by_day[d]]

    def rest_days(self, model, plan) -> list:
        """The rest-day counters of ``rest_day_vars``, made on the first call."""
        if self.rest is None:
            self.rest = rest_day_vars(model, self, plan)
        return self.rest


def add(model, expr, lit):
    """Add ``expr`` to ``model``, enforced only if ``lit`` is true when a literal is given."""
    ct = model.add(expr)
    if lit is not None:
        ct.only_enforce_if(lit)


def at_most_one(model, literals: list, lit) -> None:
    """At most one of ``literals`` true: CP-SAT's own at-most-one, which its SAT engine propagates as a
    clique also with presolve off (the polish's steps); a linear ``sum <= 1`` behind ``lit`` when given (an
    at-most-one takes no enforcement literal). As ``sum <= 1`` rows, the polish on M ended at 0.78 %
    against 0.58 % with one row per pair; as at-most-ones, see ``benchmarks/bench_roster.py``."""
    if lit is None:
        model.add_at_most_one(literals)
    else:
        add(model, sum(literals) <= 1, lit)


def week_blocks(plan) -> list[list[int]]:
    """Model-day indices of each 7-day block from the plan's first day (the eve joins the first block)."""
    n = len(plan.roster_days)
    return [[0] + list(range(1, min(8, n)))] + [list(range(s, min(s + 7, n))) for s in range(8, n, 7)]


def block_start(plan, block: list[int]):
    """The date a block is named by: its first plan day (the eve's block by the plan's first day)."""
    return plan.roster_days[max(block[0], 1)]


def month_key(plan, block: list[int]) -> tuple[int, int]:
    """``(year, month)`` a block's overtime counts in: the month of its first plan day."""
    return block_start(plan, block).timetuple()[:2]


def min_hours_due(agent, plan, block: list[int]) -> int:
    """Contract minimum for a block, pro rata to the plan days in it the agent is available."""
    roster_days, off = plan.roster_days, agent.unavailable  # each a property or an attribute lookup: once
    available = sum(roster_days[d] not in off for d in block if d > 0)
    return int(agent.min_week_hours * available / 7 + 1e-9)


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


def rest_days_worked(plan, agent, days: list[int]) -> list[int]:
    """Per 7-day block: days worked (model days ``days``) past the contract's, paid at the rest-day rate."""
    return [max(0, sum(d in block for d in days) - contract_days(agent, plan, block)) for block in week_blocks(plan)]


def comparable_groups(staff: pd.DataFrame, plan) -> dict[tuple, list[int]]:
    """Agents compared for fairness: same employment type and the same number of available days."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for a, agent in enumerate(staff.itertuples()):
        available = sum(d not in agent.unavailable for d in plan.days)
        groups[agent.employment, available].append(a)
    return {k: v for k, v in groups.items() if len(v) > 1}


# -- the checker's frames ---------------------------------------------------------------------
@dataclass(frozen=True)
class Violation:
    rule: str
    agent_id: str
    date: object
    message: str

    def line(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class Context:
    plan: object
    staff: pd.DataFrame  # indexed by agent_id
    roster: pd.DataFrame
    assignments: pd.DataFrame | None

    def shifts_known(self) -> pd.DataFrame:
        """Roster rows whose agent and template exist (the other rows are reported once by their own rule)."""
        r = self.roster
        return r[r["agent_id"].isin(self.staff.index) & r["shift"].isin(self.plan.shifts)]

    def template(self, name: str):
        return self.plan.shifts[name]


def per_agent_days(ctx: Context) -> dict:
    """Per known agent (every agent in the staff file): its shifts as (model day, template)."""
    known = ctx.shifts_known()
    by_agent = {a: [] for a in ctx.staff.index}
    for row in known.itertuples():
        by_agent[row.agent_id].append(((row.date - ctx.plan.start).days + 1, ctx.template(row.shift)))
    return by_agent
