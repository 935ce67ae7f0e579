"""The solver-free hand-out of the staged solve: it never breaks a rule it tests, and says who it left short."""

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.checker import check_rules
from scheduler.greedy import AgentPlan, RuleTables, greedy_flows, hand_out
from scheduler.roster import RosterModel
from scheduler.staged import AggregateModel, Disaggregation, first_roster

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
