"""The checker: the solver's roster passes; each hard rule, broken on purpose, is caught by name."""

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from scheduler.check.checker import RULES, VIOLATION_COLUMNS, check_rules, cost_breakdown, coverage


def rules_broken(plan, staff, roster, assignments=None):
    return {v.rule for v in check_rules(plan, staff, roster, assignments)}


def test_solver_roster_passes_and_objective_agrees(solved_small):
    plan, staff, req, flags, result = solved_small
    assert result.status in ("OPTIMAL", "FEASIBLE") and result.gap < 0.2
    assert check_rules(plan, staff, result.roster, result.assignments) == []
    cov = coverage(plan, req, result.assignments, flags)
    costs = cost_breakdown(plan, staff, result.roster, cov, result.curves)
    assert list(costs.columns) == VIOLATION_COLUMNS
    assert_priced(costs["cost"].sum(), result)
    assert {"wages", "service_level"} <= set(costs["rule"])


def assert_priced(checker_total: float, result):
    """The checker's cost is the roster's true cost: equal to the solver's value at an optimum, never above it."""
    assert checker_total <= result.objective + 0.01
    if result.status == "OPTIMAL":
        assert checker_total == pytest.approx(result.objective, abs=0.01)


def test_every_rule_is_registered_once():
    names = [r.__name__ for r in RULES]
    assert len(names) == len(set(names)) >= 19
    from scheduler.rules import HARD_RULES, OPTION_RULES
    assert {r.NAME for r in HARD_RULES} | {r.__name__ for r in OPTION_RULES} <= set(names)  # every rule has its check face


def _shift_of(roster, template):
    return roster[roster["shift"] == template].iloc[0]


def test_one_shift_per_day(solved_small):
    plan, staff, _, _, result = solved_small
    r = result.roster
    row = r.iloc[[0]].copy()
    other = "night" if row["shift"].iloc[0] != "night" else "day"
    row["shift"] = other
    assert "one_shift_per_day" in rules_broken(plan, staff, pd.concat([r, row], ignore_index=True))


def test_min_rest_cut_to_8_hours(solved_small):
    plan, staff, _, _, result = solved_small
    r = result.roster.copy()
    i = r.index[(r["shift"] == "day")][0]
    agent, date = r.at[i, "agent_id"], r.at[i, "date"]
    r = r[~((r["agent_id"] == agent) & (r["date"] == date + dt.timedelta(days=1)))]
    nxt = pd.DataFrame([{**r.loc[i].to_dict(), "date": date + dt.timedelta(days=1), "start": r.at[i, "end"] + pd.Timedelta(hours=8),
                         "end": r.at[i, "end"] + pd.Timedelta(hours=17)}])
    broken = rules_broken(plan, staff, pd.concat([r, nxt], ignore_index=True))
    assert "min_rest" in broken


def test_min_rest_night_then_day(solved_small):
    plan, staff, _, _, result = solved_small
    r = result.roster[result.roster["agent_id"] == "A01"].iloc[:0].copy()
    nights = [("A01", "王芳", dt.date(2026, 11, 9), "night", pd.Timestamp("2026-11-09 17:00"), pd.Timestamp("2026-11-10 02:00"), 8, pd.NaT),
              ("A01", "王芳", dt.date(2026, 11, 10), "day", pd.Timestamp("2026-11-10 08:00"), pd.Timestamp("2026-11-10 17:00"), 8, pd.NaT)]
    r = pd.DataFrame(nights, columns=result.roster.columns)
    assert rules_broken(plan, staff, r) == {"min_rest", "night_to_day_rest"}
    no_switch_rule = dataclasses.replace(plan, rules=dataclasses.replace(plan.rules, night_to_day_days_off=0))
    assert rules_broken(no_switch_rule, staff, r) == {"min_rest"}


def test_max_consecutive_days(solved_small):
    plan, staff, _, _, result = solved_small  # the small plan allows 3 days in a row
    days = [dt.date(2026, 11, 8) + dt.timedelta(days=k) for k in range(1, 5)]
    rows = [shift("A05", "陈静", d, "day", 8, 9) for d in days]
    assert rules_broken(plan, staff, frame(rows, result.roster)) == {"max_consecutive_days"}


def test_availability_night_and_employment(solved_small):
    plan, staff, _, _, result = solved_small
    d = dt.date(2026, 11, 10)
    rows = [("A02", "李娜", d, "day", pd.Timestamp(d) + pd.Timedelta(hours=8), pd.Timestamp(d) + pd.Timedelta(hours=17), 8, pd.NaT),  # unavailable
            ("A06", "杨磊", d, "night", pd.Timestamp(d) + pd.Timedelta(hours=17), pd.Timestamp(d) + pd.Timedelta(hours=26), 8, pd.NaT),  # no nights
            ("A09", "周杰", d, "day", pd.Timestamp(d) + pd.Timedelta(hours=8), pd.Timestamp(d) + pd.Timedelta(hours=17), 8, pd.NaT)]  # part-timer
    assert rules_broken(plan, staff, pd.DataFrame(rows, columns=result.roster.columns)) == {"availability", "night_allowed", "employment"}


def shift(agent, name, d, template, start_h, hours):
    return (agent, name, d, template, pd.Timestamp(d) + pd.Timedelta(hours=start_h), pd.Timestamp(d) + pd.Timedelta(hours=start_h + hours), 8, pd.NaT)


def frame(rows, like):
    return pd.DataFrame(rows, columns=like.columns)


def test_max_week_hours(solved_small):
    plan, staff, _, _, result = solved_small
    days = [dt.date(2026, 11, 9), dt.date(2026, 11, 10), dt.date(2026, 11, 12)]
    staff = staff.copy()
    staff.loc[staff["agent_id"] == "A05", "max_week_hours"] = 20
    rows = [shift("A05", "陈静", d, "day", 8, 9) for d in days]
    assert rules_broken(plan, staff, frame(rows, result.roster)) == {"max_week_hours"}


def test_min_week_hours(solved_small):
    plan, staff, _, _, result = solved_small
    staff = staff.copy()
    staff.loc[staff["agent_id"] == "A05", "min_week_hours"] = 28  # 4 plan days available -> 16 h due
    rows = [shift("A05", "陈静", dt.date(2026, 11, 9), "day", 8, 9)]
    assert rules_broken(plan, staff, frame(rows, result.roster)) == {"min_week_hours"}
    rows.append(shift("A05", "陈静", dt.date(2026, 11, 11), "day", 8, 9))
    assert rules_broken(plan, staff, frame(rows, result.roster)) == set()


def test_max_nights(solved_small):
    plan, staff, _, _, result = solved_small  # at most 2 nights in 7 days, 3 in all
    rows = [shift("A05", "陈静", dt.date(2026, 11, 9) + dt.timedelta(days=k), "night", 17, 9) for k in (0, 1, 2)]
    assert rules_broken(plan, staff, frame(rows, result.roster)) == {"max_nights"}


def test_night_to_day_rest(solved_small):
    plan, staff, _, _, result = solved_small  # one day off between nights and days
    rows = [shift("A05", "陈静", dt.date(2026, 11, 9), "night", 17, 9), shift("A05", "陈静", dt.date(2026, 11, 11), "day", 8, 9)]
    assert rules_broken(plan, staff, frame(rows, result.roster)) == set()
    rows[1] = shift("A05", "陈静", dt.date(2026, 11, 10), "day", 8, 9)
    assert rules_broken(plan, staff, frame(rows, result.roster)) == {"night_to_day_rest", "min_rest"}


def test_template_dates_daily_overtime_and_overtime_month(solved_small):
    plan, staff, _, _, result = solved_small
    only_11 = dataclasses.replace(plan.shifts["day"], dates=frozenset({dt.date(2026, 11, 11)}))
    dated = dataclasses.replace(plan, shifts={**plan.shifts, "day": only_11})
    rows = [shift("A05", "陈静", dt.date(2026, 11, 9), "day", 8, 9)]
    assert rules_broken(dated, staff, frame(rows, result.roster)) == {"template_dates"}
    long = dataclasses.replace(plan.shifts["day"], hours=13)
    strict = dataclasses.replace(plan, shifts={**plan.shifts, "day": long},
                                 rules=dataclasses.replace(plan.rules, max_overtime_h_month=4))
    rows = [shift("A05", "陈静", dt.date(2026, 11, 9), "day", 8, 13)]  # 12 paid hours: 4 over the standard day
    assert rules_broken(strict, staff, frame(rows, result.roster)) == {"daily_overtime"}
    rows.append(shift("A05", "陈静", dt.date(2026, 11, 11), "day", 8, 13))
    assert "overtime_month" in rules_broken(strict, staff, frame(rows, result.roster))


def test_shift_times_window_and_unknowns(solved_small):
    plan, staff, _, _, result = solved_small
    r = result.roster.copy()
    r.loc[0, "start"] = r.loc[0, "start"] + pd.Timedelta(hours=1)
    r.loc[1, "agent_id"] = "Z99"
    r.loc[2, "date"] = dt.date(2026, 12, 1)
    broken = rules_broken(plan, staff, r)
    assert {"shift_times", "known_agent_and_shift", "inside_window"} <= broken


def test_skills_breaks_and_assignments_on_shift(solved_small):
    plan, staff, _, _, result = solved_small
    a = result.assignments.copy()
    pre_only = a.index[(a["agent_id"] == "A01") & (a["queue"] == "presale")][0]
    a.loc[pre_only, "queue"] = "aftersale"
    assert rules_broken(plan, staff, result.roster, a) == {"skills"}
    b = result.assignments.copy()
    brk = b.index[b["queue"] == "break"][0]
    b.loc[brk, "queue"] = "presale" if "presale" in staff.set_index("agent_id").at[b.at[brk, "agent_id"], "skills"] else "aftersale"
    assert "breaks" in rules_broken(plan, staff, result.roster, b)
    c = result.assignments.drop(index=result.assignments.index[0])
    assert "assignments_on_shift" in rules_broken(plan, staff, result.roster, c)


def test_preferences_are_priced_only_where_stated(solved_small):
    plan, staff, req, flags, result = solved_small
    staff = staff.copy()
    staff["prefer_shift"] = staff["prefer_shift"].astype(object)
    staff.loc[staff["agent_id"] == "A05", ["prefer_shift", "prefer_off"]] = ["day", frozenset({dt.date(2026, 11, 10)})]
    rows = [shift("A05", "陈静", dt.date(2026, 11, 9), "night", 17, 9), shift("A05", "陈静", dt.date(2026, 11, 11), "day", 8, 9),
            shift("A06", "杨磊", dt.date(2026, 11, 10), "day", 8, 9)]  # A06 states no preference
    roster = frame(rows, result.roster)
    cov = coverage(plan, req, result.assignments.iloc[:0], flags)
    prefs = cost_breakdown(plan, staff, roster, cov, result.curves).query("rule == 'preferences'")
    assert prefs["key"].tolist() == ["A05 2026-11-09"] and prefs["cost"].sum() == pytest.approx(plan.costs.preference)
    roster.loc[0, "date"] = dt.date(2026, 11, 10)  # a night on the preferred day off breaks both
    prefs = cost_breakdown(plan, staff, roster, cov, result.curves).query("rule == 'preferences'")
    assert prefs["amount"].sum() == 2
