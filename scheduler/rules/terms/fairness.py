"""Soft term ``fairness``: the spread (most minus fewest) of nights, sale-night shifts and paid hours
among comparable agents (same employment type and the same number of available days; nights and
sale nights among those allowed nights), at ``fair_nights``, ``fair_sale_nights``, ``fair_hours``.
Its rows: ``fairness_nights``, ``fairness_sale_nights``, ``fairness_hours`` (per group).

Faces: ``constrain`` (CP-SAT, over all agents: a max and a min variable per group and measure),
``price`` (frames: a row per group and measure with a spread), and the tallies the report shows
(``fairness_tally``, ``fairness_spreads``). No aggregate face (``relax`` None: dropped).
"""

from __future__ import annotations

import pandas as pd

from scheduler.plan.money import units
from scheduler.rules.helpers import comparable_groups
from scheduler.rules.terms.helpers import Row

NAME = "fairness"
SCOPE = "plan"
relax = None
FAIRNESS = (("night", "fairness_nights", "nights", "fair_nights", True),  # column, rule, unit, weight, night agents only
            ("sale", "fairness_sale_nights", "sale nights", "fair_sale_nights", True),
            ("paid", "fairness_hours", "hours", "fair_hours", False))
RULES = tuple(rule for _, rule, _, _, _ in FAIRNESS)


def _count(a, col: str):
    """An agent's nights (``night``), sale nights (``sale``) or paid hours (``paid``) as an expression."""
    days = range(len(a.days))
    if col == "paid":
        return sum(h * v for d in days for v, h in a.hours(d))
    pick = (lambda t: t.night) if col == "night" else (lambda t: t.sale_night)
    return sum(v for d in days for v in a.works(d, pick))


def _spread(model, name: str, values: list, weight: int) -> list:
    """``weight * (hi - lo)`` with ``lo <= v <= hi`` for every value (nothing for fewer than two)."""
    if weight <= 0 or len(values) < 2:
        return []
    hi, lo = model.new_int_var(0, 10_000, f"{name}_max"), model.new_int_var(0, 10_000, f"{name}_min")
    for v in values:
        model.add(hi >= v)
        model.add(lo <= v)
    return [weight * (hi - lo)]


def fair_sets(staff: pd.DataFrame, plan):
    """Per comparable group and measure: ``(name, column, weight in objective units, staff rows compared)``
    (nights and sale nights among the group's agents allowed nights)."""
    for (kind, available), members in comparable_groups(staff, plan).items():
        for col, rule, _, weight, nights_only in FAIRNESS:
            who = [a for a in members if staff.at[a, "night_allowed"]] if nights_only else members
            yield f"{rule.removeprefix('fairness_')}_{kind}_{available}", col, units(getattr(plan.costs, weight)), who


def constrain(model, agents: list, staff: pd.DataFrame, plan) -> list:
    """Every comparable group's spreads; ``agents[a]`` the ``AgentShifts`` of staff row ``a``."""
    return [term for name, col, weight, who in fair_sets(staff, plan)
            for term in _spread(model, name, [_count(agents[a], col) for a in who], weight)]


def fairness_tally(plan, staff: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Per agent of the staff file (index ``agent_id``): nights, sale-night shifts and paid hours worked."""
    counts = roster.assign(night=roster["shift"].map(lambda s: plan.shifts[s].night),
                           sale=roster["shift"].map(lambda s: plan.shifts[s].sale_night),
                           paid=roster["shift"].map(lambda s: plan.shifts[s].paid_hours))
    per_agent = counts.groupby("agent_id")[["night", "sale", "paid"]].sum()
    return per_agent.reindex(staff["agent_id"]).fillna(0).astype(int)


def fairness_spreads(plan, staff: pd.DataFrame, roster: pd.DataFrame) -> list[tuple]:
    """``(rule, unit, weight key, (employment, days available), spread)`` per comparable group and
    measure: the most minus the fewest among the group's agents (nights among those allowed nights)."""
    staff = staff.reset_index(drop=True)
    tally, out = fairness_tally(plan, staff, roster), []
    for group, members in comparable_groups(staff, plan).items():
        ids = staff.loc[members]
        night_ok = ids["night_allowed"].to_numpy()
        for col, rule, unit, weight, nights_only in FAIRNESS:
            values = tally.loc[ids["agent_id"], col].to_numpy()
            values = values[night_ok] if nights_only else values
            if len(values) >= 2:
                out.append((rule, unit, weight, group, int(values.max() - values.min())))
    return out


def price(f):
    """A row per group and measure with a spread (key: employment and days available; ``at`` the group)."""
    groups: dict = {}
    for rule, unit, weight, (kind, available), spread in fairness_spreads(f.plan, f.staff, f.roster):
        w, at = units(getattr(f.plan.costs, weight)), groups.setdefault((kind, available), len(groups))
        if w > 0 and spread > 0:
            yield Row(rule, f"{kind}, {available} days available", spread, unit, w * spread, at)
