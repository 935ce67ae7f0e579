"""The solver-free hand-out of the staged solve: it never breaks a rule it tests, and says who it left short;
the solver-free split of multi-skilled agents over queues is the least-cost one."""

import datetime as dt
import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.check.checker import check_rules
from scheduler.roster.search.greedy import AgentPlan, RuleTables, greedy_flows, hand_out
from scheduler.roster.model import RosterModel
from scheduler.plan.money import units
from scheduler.staffing.curves import LossCurve
from scheduler.roster.search.aggregate import AggregateModel
from scheduler.roster.search.first import first_roster
from scheduler.roster.search.parts import Disaggregation

people = st.lists(st.tuples(st.sampled_from(["full_time", "part_time"]), st.booleans(),
                            st.sets(st.sampled_from([dt.date(2026, 11, 9) + dt.timedelta(days=k) for k in range(4)]), max_size=2),
                            st.integers(0, 40)),
                  min_size=1, max_size=8)


def _staff(base: pd.DataFrame, rows) -> pd.DataFrame:
    return pd.DataFrame([{**base.iloc[0].to_dict(), "agent_id": f"G{i}", "name": f"贪心{i}", "skills": ("presale",),
                          "employment": emp, "night_allowed": night, "unavailable": frozenset(off),
                          "min_week_hours": float(min_h), "max_week_hours": 48.0 if emp == "full_time" else 25.0}
                         for i, (emp, night, off, min_h) in enumerate(rows)])


def _roster(full: RosterModel, chosen: dict):
    result = first_roster(full, chosen, greedy_flows(full, chosen), None, 0.0)
    return result.roster, result.assignments


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=people, seed=st.integers(0, 2**31 - 1))
def test_hand_out_breaks_no_rule_but_the_minimum_it_reports(solved_small, rows, seed):
    plan, base, req, flags, _ = solved_small
    staff = _staff(base, rows)
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    rng = np.random.default_rng(seed)
    keys = sorted({(d, o) for shifts in full.agents for d, day_vars in enumerate(shifts.by_day) for o, _ in day_vars})
    counts = {key: int(rng.integers(0, len(staff) + 1)) for key in keys}
    chosen, short = hand_out(full, list(range(len(staff))), counts, lambda d, o: 1)
    roster, assignments = _roster(full, chosen)
    broken = check_rules(plan, staff, roster, assignments)
    assert {v.rule for v in broken} <= {"min_week_hours"}
    assert {v.agent_id for v in broken} == {staff.at[a, "agent_id"] for a in short}


def test_fits_refuses_a_day_shift_the_morning_after_a_night(solved_small):
    plan, staff, req, flags, _ = solved_small
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    a = next(a for a, row in staff.iterrows() if row["night_allowed"] and row["employment"] == "full_time")
    night = next(o for o, _ in full.agents[a].by_day[1] if full.opts[o].template.night)
    day = next(o for o, _ in full.agents[a].by_day[2] if not full.opts[o].template.night)
    p = AgentPlan(full, RuleTables(full), a)
    assert p.fits(2, day)
    p.add(1, night)
    assert not p.fits(2, day)  # the night ends 02:00; the small plan asks a day off before days again
    assert not p.fits(1, night)  # one shift a day


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=12))
def test_the_options_fitting_a_day_are_those_fits_allows(solved_small, picks):
    """``fitting`` tests each template once for all of its break options: the same answer as ``fits`` for each."""
    plan, staff, req, flags, _ = solved_small
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    a = next(a for a, row in staff.iterrows() if row["night_allowed"] and row["employment"] == "full_time")
    p = AgentPlan(full, RuleTables(full), a)
    for day_pick, option_pick in picks:
        for d in range(p.t.n):
            assert p.fitting(d) == {o for o in p.allowed[d] if p.fits(d, o)}
        d = day_pick % p.t.n
        if p.shift[d] < 0 and (ok := sorted(p.fitting(d))):
            p.add(d, ok[option_pick % len(ok)])


def test_hand_out_fills_counts_the_agents_can_meet(solved_small):
    plan, staff, req, flags, _ = solved_small
    full = RosterModel(plan, staff, req, flags, symmetry=False)
    members = [a for a, row in staff.iterrows() if row["employment"] == "full_time"]
    day = next(o for o, _ in full.agents[members[0]].by_day[1] if not full.opts[o].template.night)
    free = [a for a in members if any(o == day for o, _ in full.agents[a].by_day[1])]
    chosen, _ = hand_out(full, members, {(1, day): len(free)}, lambda d, o: 1)
    assert sum(o == day for (a, d), o in chosen.items() if d == 1) == len(free)


def test_disaggregation_places_agents_left_short_and_improves_without_breaking_a_rule(solved_small):
    plan, staff, req, flags, _ = solved_small
    strict = staff.copy()
    strict["min_week_hours"] = strict["max_week_hours"].clip(upper=40)  # every contract asks near its maximum
    full = RosterModel(plan, strict, req, flags, symmetry=False)
    agg = AggregateModel(full)
    counts, _ = agg.solve(5, 1, 0)
    dis = Disaggregation(full, agg, counts, 0)
    dis.plans, dis.short = [{} for _ in agg.classes], [list(members) for members in agg.classes]  # as if the greedy had placed nobody
    dis.run(dis.place_short, 1)
    roster, assignments = _roster(full, dis.chosen)
    assert check_rules(plan, strict, roster, assignments) == [] and not any(dis.short)
    dis.run(lambda k: dis.improve(k, 2.0), 1)
    roster, assignments = _roster(full, dis.chosen)
    assert check_rules(plan, strict, roster, assignments) == []


QUEUES = ("presale", "aftersale", "reminder")
GROUPS = [("presale", "aftersale"), ("presale", "reminder"), ("aftersale", "reminder"), ("presale", "aftersale", "reminder")]


def _one_hour(groups: dict, single: dict, need: dict, tiers: dict, floor: dict):
    """A stand-in for the roster model in one hour: ``groups`` {skills: agents at the desk}, loss-curve
    tiers and floor costs per queue, over-staffing at 1 yuan (what ``marginal`` and ``greedy_flows`` read)."""
    skills = [g for g, n in groups.items() for _ in range(n)] + [(q,) for q, n in single.items() for _ in range(n)]
    opt = SimpleNamespace(desk_hours=lambda d, n_hours: [0])
    return SimpleNamespace(
        required={q: [need[q]] for q in QUEUES}, n_hours=1, opts=[opt],
        curves={(q, 0): LossCurve(0, tuple(tiers[q]), 1.0) for q in QUEUES},
        plan=SimpleNamespace(queues={q: SimpleNamespace(floor_cost=floor[q]) for q in QUEUES},
                             costs=SimpleNamespace(overstaff_per_agent_hour=1.0)),
        staff=pd.DataFrame({"skills": skills}),
        flows={(g, q, 0): None for g in groups for q in g}), {(a, 0): 0 for a in range(len(skills))}


def _hour_cost(full, cover: dict) -> int:
    total = 0
    for q in QUEUES:
        c, need = cover[q], full.required[q][0]
        total += full.curves[q, 0].value(c) + units(full.plan.queues[q].floor_cost) * max(0, need - c) \
            + units(full.plan.costs.overstaff_per_agent_hour) * max(0, c - need)
    return total


def _best_cost(full, groups: dict, single: dict) -> int:
    """Every split of every group's agents over its queues, tried."""
    splits = [[dict(zip(g, parts)) for parts in itertools.product(range(n + 1), repeat=len(g)) if sum(parts) == n]
              for g, n in groups.items()]
    best = None
    for combo in itertools.product(*splits):
        cover = {q: single[q] + sum(s.get(q, 0) for s in combo) for q in QUEUES}
        cost = _hour_cost(full, cover)
        best = cost if best is None else min(best, cost)
    return best


convex_tiers = st.lists(st.tuples(st.integers(1, 8), st.integers(1, 400)), max_size=3).map(lambda ts: sorted(ts))


@settings(max_examples=150, deadline=None)
@given(groups=st.dictionaries(st.sampled_from(GROUPS), st.integers(1, 4), min_size=1, max_size=3),
       single=st.fixed_dictionaries({q: st.integers(0, 3) for q in QUEUES}),
       need=st.fixed_dictionaries({q: st.integers(0, 6) for q in QUEUES}),
       tiers=st.fixed_dictionaries({q: convex_tiers for q in QUEUES}),
       floor=st.fixed_dictionaries({q: st.sampled_from([0.0, 30.0]) for q in QUEUES}))
def test_greedy_flows_split_an_hour_at_the_least_cost(groups, single, need, tiers, floor):
    """Against every split tried: the marginal allocation with transfers is optimal (convex costs per queue)."""
    full, chosen = _one_hour(groups, single, need, tiers, floor)
    flows = greedy_flows(full, chosen)
    cover = {q: single[q] + sum(n for (g, qq, _), n in flows.items() if qq == q) for q in QUEUES}
    assert sum(flows.values()) == sum(groups.values())  # every agent at the desk serves one queue
    assert _hour_cost(full, cover) == _best_cost(full, groups, single)
