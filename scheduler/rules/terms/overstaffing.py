"""Soft term ``overstaffing``: agents serving a queue above its requirement, at the plan's
``overstaff_per_agent_hour`` per agent-hour.

Faces: ``constrain`` (CP-SAT, per queue-hour with coverage: a counter of agents over), ``price``
(frames: a row per coverage row over). The aggregate prices it exactly with ``constrain`` on its
class counts (``relax`` None).
"""

from __future__ import annotations

from scheduler.plan.money import units
from scheduler.rules.terms.helpers import Row

NAME = "overstaffing"
RULES = (NAME,)
SCOPE = "hour"
relax = None


def constrain(model, h) -> list:
    """``w * over`` with ``over >= have - need`` for an hour any agent may cover."""
    w = units(h.plan.costs.overstaff_per_agent_hour)
    if not (h.cover and w):
        return []
    over = model.new_int_var(0, h.n_agents, f"over_{h.queue}_{h.t}")
    model.add(over >= h.have - h.need)
    return [w * over]


def price(f):
    """A row per coverage row with more agents scheduled than required."""
    w = units(f.plan.costs.overstaff_per_agent_hour)
    for h in f.hours:
        if h.scheduled > h.required and w:
            yield Row(NAME, h.key, h.scheduled - h.required, "agent-hours", w * (h.scheduled - h.required), h.at)
