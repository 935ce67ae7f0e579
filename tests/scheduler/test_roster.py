"""The roster model: determinism, conflicts named, and no hard rule broken on random small plans."""

import datetime as dt
import subprocess
import sys

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.check.checker import check_rules, cost_breakdown, coverage
from scheduler.roster.explain import explain
from scheduler.roster.solve import solve_roster
from scheduler.staffing.requirements import requirements
from scheduler.plan.load import load_plan
from scheduler.plan.staff import read_staff
from scheduler.staffing.requirements import phase_flags
from smallplan import PROMOTIONS, STAFF, small_forecast, write_small_plan
from test_checker import assert_priced


def test_one_worker_and_a_seed_repeat_the_roster_exactly(solved_small):
    plan, staff, req, flags, result = solved_small
    again = solve_roster(plan, staff, req, flags, time_limit_s=10, workers=1, seed=0)
    assert again.roster.to_csv(index=False) == result.roster.to_csv(index=False)
    assert again.assignments.to_csv(index=False) == result.assignments.to_csv(index=False)


def _many_small(folder, copies: int):
    """The small plan with its staff copied ``copies`` times and its volume scaled alike: too large
    to prove in seconds, so a search cut by the wall clock would end where the machine's load put it."""
    plan = load_plan(write_small_plan(folder, staff=[(f"{a}{i}", f"{n}{i}", *rest) for i in range(copies) for (a, n, *rest) in STAFF]))
    staff = read_staff(plan.staff, plan.queues, plan.shifts)
    phases = pd.DataFrame([p for p in PROMOTIONS if p[2]], columns=["event", "kind", "phase", "start", "end", "peak"])
    phases[["start", "end"]] = phases[["start", "end"]].apply(pd.to_datetime)
    flags = phase_flags(pd.date_range(pd.Timestamp(plan.start), pd.Timestamp(plan.end) + pd.Timedelta(hours=23), freq="h"), phases, plan.event)
    fc = small_forecast(plan)
    fc[["mean", "p10", "p50", "p90"]] *= copies
    return plan, staff, requirements(fc, plan, flags), flags


def test_two_workers_repeat_the_roster_exactly_on_a_busy_machine(tmp_path):
    """The default two workers: budgets in deterministic time and interleaved workers, so the same
    inputs and seed give the same roster while another process takes a core (with wall-clock
    budgets, 160 agents and 3 s gave objectives 2,070,118 and 2,070,405)."""
    plan, staff, req, flags = _many_small(tmp_path / "plan", 16)
    first = solve_roster(plan, staff, req, flags, time_limit_s=3, workers=2, seed=3)
    burn = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        busy = solve_roster(plan, staff, req, flags, time_limit_s=3, workers=2, seed=3)
    finally:
        burn.kill()
        burn.wait()
    assert busy.roster.to_csv(index=False) == first.roster.to_csv(index=False)
    assert busy.assignments.to_csv(index=False) == first.assignments.to_csv(index=False)
    assert busy.objective == first.objective


def test_contradictory_rules_are_named(solved_small):
    plan, staff, *_ = solved_small
    strict = staff.copy()
    # 60 h a week pro rata over 4 days asks 34 h: five 8-hour shifts, the eve's night and all four days
    strict.loc[strict["agent_id"] == "A05", ["min_week_hours", "max_week_hours"]] = [60, 60]
    conflicts = explain(plan, strict)
    assert [c.agent_id for c in conflicts] == ["A05"]
    assert "min_week_hours" in conflicts[0].rules and len(conflicts[0].rules) >= 2
    assert explain(plan, staff) == []


agents = st.lists(st.tuples(st.sampled_from(["presale", "aftersale", "presale|aftersale", "reminder", "presale|reminder"]),
                            st.sampled_from(["full_time", "part_time"]), st.booleans(),
                            st.sets(st.sampled_from([dt.date(2026, 11, 9) + dt.timedelta(days=k) for k in range(4)]), max_size=2),
                            st.integers(0, 16)),
                  min_size=1, max_size=6)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=agents, scale=st.floats(0.2, 3.0))
def test_random_small_plans_never_break_a_hard_rule(solved_small, people, scale):
    plan, base_staff, _, flags, _ = solved_small
    rows = [{**base_staff.iloc[0].to_dict(), "agent_id": f"R{i}", "name": f"随机{i}", "skills": tuple(sk.split("|")),
             "employment": emp, "night_allowed": night, "unavailable": frozenset(off), "min_week_hours": float(min_h),
             "max_week_hours": 48.0 if emp == "full_time" else 25.0}
            for i, (sk, emp, night, off, min_h) in enumerate(people)]
    staff = pd.DataFrame(rows)
    fc = small_forecast(plan)
    fc[["mean", "p10", "p50", "p90"]] *= scale
    req = requirements(fc, plan, flags)
    if explain(plan, staff):
        return  # the rules admit no roster for these agents: nothing to check
    result = solve_roster(plan, staff, req, flags, time_limit_s=5, workers=1, seed=0)
    assert check_rules(plan, staff, result.roster, result.assignments) == []
    cov = coverage(plan, req, result.assignments, flags)
    assert_priced(cost_breakdown(plan, staff, result.roster, cov, result.curves)["cost"].sum(), result)
