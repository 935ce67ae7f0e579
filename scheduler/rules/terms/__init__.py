"""The soft terms of the roster's objective, one module per term holding all its faces, and their
registry ``SOFT_TERMS``.

A term module has
- ``NAME``: the term's name; ``RULES``: the ``rule`` names of its rows in ``violations.csv``;
- ``SCOPE``: where its CP-SAT face is asked: ``"agent"`` (one agent's shift variables, after the
  hard rules on them), ``"hour"`` (one queue-hour's coverage, ``helpers.Hour``) or ``"plan"``
  (all agents at once);
- ``constrain``: the CP-SAT face, returning the objective terms it adds (objective units,
  ``COST_SCALE`` a yuan): ``constrain(model, agent_shifts, plan)``, ``constrain(model, hour)`` or
  ``constrain(model, agents, staff, plan)`` by scope;
- ``price(frames)``: the price from frames alone (``helpers.Frames``), yielding ``helpers.Row``
  (``rule, key, amount, unit, cost`` in objective units, and its place ``at``);
- ``relax(agg, k, members, by_day, works)`` or None: an agent term summed over a class of alike
  agents in the aggregate (``scheduler.roster.search.aggregate``), priced from below; None drops
  it there, which keeps the bound valid. The hour terms are priced exactly in the aggregate by
  their ``constrain`` face on its class counts (``hour_terms``).

``SOFT_TERMS`` is in the order CP-SAT receives the terms within a scope: per agent wages then
preferences; per queue-hour over-staffing, below target, service level lost; then fairness.
``violations.csv`` lists the rows as ``ROW_ORDER`` says (its order of old). The hand-out and the
CP-SAT parts price wages in their own relaxed forms (``scheduler.roster.search``).
"""

from __future__ import annotations

from scheduler.rules.terms import below_target, fairness, overstaffing, preferences, service_level, wages
from scheduler.rules.terms.helpers import Frames, Hour, Row

SOFT_TERMS = [  # one module a term, in the order CP-SAT receives the terms of a scope
    wages,
    preferences,
    overstaffing,
    below_target,
    service_level,
    fairness,
]

ROW_ORDER = (  # sections of violations.csv; the rules of a section interleave by their rows' place ``at``
    ("wages",),
    ("preferences",),
    ("rest_day_work",),
    ("service_level", "overstaffing", "below_target"),
    ("fairness_nights", "fairness_sale_nights", "fairness_hours"),
)
_PLACE = {rule: (s, r) for s, section in enumerate(ROW_ORDER) for r, rule in enumerate(section)}

__all__ = ["ROW_ORDER", "SOFT_TERMS", "Frames", "Hour", "Row", "agent_terms", "hour_terms", "plan_terms", "price"]


def _scoped(scope: str) -> list:
    return [term for term in SOFT_TERMS if term.SCOPE == scope]


def agent_terms(model, shifts, plan) -> list:
    """The objective terms of every agent-scope term on one agent's ``AgentShifts``."""
    return [x for term in _scoped("agent") for x in term.constrain(model, shifts, plan)]


def hour_terms(model, cover: dict, required: dict, curves: dict, plan, n_agents: int, floor: list | None = None) -> list:
    """The objective terms of every hour-scope term on each queue-hour.

    ``cover[q, t]`` lists the coverage terms, ``required[q][t]`` the agents required, ``curves`` the
    loss curves; queues with a ``floor_cost`` also append ``(weight, agents below)`` to ``floor``.
    """
    terms, scoped = [], _scoped("hour")
    for q in plan.queues:
        for t in range(24 * len(plan.days)):
            cell = cover.get((q, t), [])
            h = Hour(plan, q, t, cell, sum(cell), int(required[q][t]), curves.get((q, t)), n_agents, floor)
            for term in scoped:
                terms += term.constrain(model, h)
    return terms


def plan_terms(model, agents: list, staff, plan) -> list:
    """The objective terms of every plan-scope term over all agents' ``AgentShifts``."""
    return [x for term in _scoped("plan") for x in term.constrain(model, agents, staff, plan)]


def price(frames: Frames, scopes=("agent", "hour", "plan")) -> list[Row]:
    """Every row the terms of ``scopes`` yield from ``frames``, in ``ROW_ORDER``."""
    rows = [row for term in SOFT_TERMS if term.SCOPE in scopes for row in term.price(frames)]
    return sorted(rows, key=lambda row: (_PLACE[row.rule][0], row.at, _PLACE[row.rule][1]))
