"""Hard rule ``min_rest``: at least ``min_rest_h`` hours between the end of a shift and the next start.

Faces: ``constrain`` (CP-SAT: at most one of the templates with the same conflicts at one gap,
``rest_conflicts``, and the templates too close after them, ``helpers.at_most_one``: one shift a day
makes each side 0 or 1; a constraint per pair of templates was 14 % of the model's constraints),
``check`` (roster frame: the hours between consecutive shifts), ``fits`` (hand-out: no conflicting
template before or after, from ``tables``), ``relax`` (aggregate: a conflicting pair's counts at
most the class's agents available on either day).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from scheduler.plan.shifts import rest_conflicts
from scheduler.rules.helpers import AgentShifts, Context, Violation, at_most_one

NAME = "min_rest"
short = None


def _conflicts(plan):
    return rest_conflicts(list(plan.shifts.values()), plan.rules.min_rest_h)


def constrain(model, a: AgentShifts, plan, lit=None):
    for gap, firsts, seconds in _cliques(plan):
        for d in range(len(a.days) - gap):
            vs = a.works(d, lambda t: t.name in firsts) + a.works(d + gap, lambda t: t.name in seconds)
            if len(vs) > 1:
                at_most_one(model, vs, lit)


def _cliques(plan) -> list[tuple[int, set, frozenset]]:
    """``(gap, first templates, second templates)``: every first conflicts with every second at ``gap`` days."""
    after = defaultdict(set)
    for first, second, gap in _conflicts(plan):
        after[first, gap].add(second)
    firsts = defaultdict(set)
    for (first, gap), seconds in after.items():
        firsts[gap, frozenset(seconds)].add(first)
    return [(gap, names, seconds) for (gap, seconds), names in firsts.items()]


def check(ctx: Context):
    need = ctx.plan.rules.min_rest_h
    for agent, rows in ctx.roster.sort_values("start").groupby("agent_id"):
        for prev, nxt in zip(rows.itertuples(), rows.iloc[1:].itertuples()):
            rest = (nxt.start - prev.end) / pd.Timedelta(hours=1)
            if rest < need:
                yield Violation(NAME, agent, nxt.date,
                                f"agent {agent} rests {rest:g} h between the shift ending {prev.end:%Y-%m-%d %H:%M} and the one starting {nxt.start:%Y-%m-%d %H:%M} (minimum {need:g} h)")


def tables(plan, n: int):
    """By template name: ``(gap, other template)`` too close after it, and before it."""
    after, before = defaultdict(list), defaultdict(list)
    for first, second, gap in _conflicts(plan):
        after[first].append((gap, second))
        before[second].append((gap, first))
    return after, before


def fits(p, d: int, t) -> bool:
    after, before = p.t.min_rest
    if any(getattr(p.template(d + gap), "name", None) == other for gap, other in after[t.name]):
        return False
    return not any(getattr(p.template(d - gap), "name", None) == other for gap, other in before[t.name])


def relax(agg, k: int, members: list[int], by_day: list, works) -> None:
    for first, second, gap in _conflicts(agg.plan):
        for d in range(len(by_day) - gap):
            vs = works(d, lambda t: t.name == first) + works(d + gap, lambda t: t.name == second)
            if vs:
                either = len(set(agg._avail(members, d)) | set(agg._avail(members, d + gap)))
                agg.model.add(sum(vs) <= either)
