"""Soft term ``service_level``: service level lost, the convex loss curve of
``scheduler.staffing.curves`` per queue-hour (late chats at the queue's ``late_cost``, late touches
of the reminder backlog).

Faces: ``constrain`` (CP-SAT, per queue-hour with a curve: its constant and one counter a tier),
``price`` (frames: a row per coverage row the curve charges). The aggregate prices it exactly with
``constrain`` on its class counts (``relax`` None).
"""

from __future__ import annotations

from scheduler.rules.terms.helpers import Row

NAME = "service_level"
RULES = (NAME,)
SCOPE = "hour"
relax = None


def constrain(model, h) -> list:
    """``const + sum_k w_k * short_k`` with ``short_k >= b_k - have`` over the curve's tiers."""
    if h.curve is None:
        return []
    terms = [h.curve.const]
    for b, w in h.curve.tiers:
        short = model.new_int_var(0, b, f"late_{h.queue}_{h.t}_{b}")
        model.add(short >= b - h.have)
        terms.append(w * short)
    return terms


def price(f):
    """A row per coverage row whose curve charges anything: late chats (or touches) and their cost."""
    for h in f.hours:
        if h.curve is not None and h.curve.value(h.scheduled):
            unit = "late chats" if f.plan.queues[h.queue].kind == "chat" else "late touches"
            yield Row(NAME, h.key, round(h.curve.late(h.scheduled), 3), unit, h.curve.value(h.scheduled), h.at)
