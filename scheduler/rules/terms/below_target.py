"""Soft term ``below_target``: agents short of the requirement on a queue with a ``floor_cost``,
at that cost per agent-hour (the CS lead's way to make a target binding wherever the staff can
meet it).

Faces: ``constrain`` (CP-SAT, per queue-hour with a requirement: a counter of agents below, also
collected in ``Hour.floor`` for the cover stage), ``price`` (frames: a row per coverage row
below). The aggregate prices it exactly with ``constrain`` on its class counts (``relax`` None).
"""

from __future__ import annotations

from scheduler.plan.money import units
from scheduler.rules.terms.helpers import Row

NAME = "below_target"
RULES = (NAME,)
SCOPE = "hour"
relax = None


def constrain(model, h) -> list:
    """``w * below`` with ``below >= need - have`` on a floor queue's hour with a requirement."""
    w = units(h.plan.queues[h.queue].floor_cost)
    if not (h.need and w):
        return []
    below = model.new_int_var(0, h.need, f"below_{h.queue}_{h.t}")
    model.add(below >= h.need - h.have)
    if h.floor is not None:
        h.floor.append((w, below))
    return [w * below]


def price(f):
    """A row per coverage row of a floor queue with fewer agents scheduled than required."""
    for h in f.hours:
        w = units(f.plan.queues[h.queue].floor_cost)
        if h.scheduled < h.required and w:
            yield Row(NAME, h.key, h.required - h.scheduled, "agent-hours", w * (h.required - h.scheduled), h.at)
