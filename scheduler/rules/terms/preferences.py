"""Soft term ``preferences``: a shift on an agent's preferred day off, or not of its preferred
template, at the plan's ``preference`` weight each (``scheduler.rules.pay.preference_broken``).

Faces: ``constrain`` (CP-SAT, per agent: each shift variable at the preferences it breaks),
``price`` (frames: a row per shift breaking any). No aggregate face (``relax`` None: the aggregate
drops it, which keeps its bound valid).
"""

from __future__ import annotations

from scheduler.plan.money import units
from scheduler.rules.pay import preference_broken
from scheduler.rules.terms.helpers import Row

NAME = "preferences"
RULES = (NAME,)
SCOPE = "agent"
relax = None


def constrain(model, a, plan) -> list:
    """One agent's shift variables weighted by the preferences each breaks."""
    w = units(plan.costs.preference)
    if not w:
        return []
    return [w * broken * v for d, day in enumerate(a.days) for o, v in a.by_day[d]
            if (broken := preference_broken(a.agent, a.opts[o].template, day))]


def price(f):
    """A row per roster shift breaking a preference (key: agent and date)."""
    w = units(f.plan.costs.preference)
    for r in f.roster.itertuples():
        agent, template = f.agents[r.agent_id], f.plan.shifts[r.shift]
        if w and (broken := preference_broken(agent, template, r.date)):
            yield Row(NAME, f"{r.agent_id} {r.date}", broken, "preferences", w * broken)
