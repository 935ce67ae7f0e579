"""``min_week_hours``: 30 h a week pro rata over 4 days asks 17 h; 16 h are refused (the hand-out
reports the agent short), 24 h pass."""

from rule_faces import assert_accepted, assert_refused, one_agent, with_rules

from scheduler.rules import min_week_hours as rule


def test_two_shifts_below_the_minimum_are_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan), one_agent(staff, min_week_hours=30.0), [(1, "day"), (2, "day")])


def test_three_shifts_reach_it(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan), one_agent(staff, min_week_hours=30.0), [(1, "day"), (2, "day"), (4, "day")])


def test_leave_lowers_the_minimum(small):
    plan, staff = small
    on_leave = one_agent(staff, min_week_hours=30.0, unavailable=frozenset({plan.days[2]}))  # 30 x 3 / 7: 12 h due
    assert_accepted(rule, with_rules(plan), on_leave, [(1, "day"), (2, "day")])
