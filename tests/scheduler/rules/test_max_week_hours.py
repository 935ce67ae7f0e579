"""``max_week_hours``: 24 paid hours in a week for an agent allowed 20 are refused; 16 pass."""

from rule_faces import assert_accepted, assert_refused, one_agent, with_rules

from scheduler.rules import max_week_hours as rule


def test_three_shifts_past_a_20_hour_week_are_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan), one_agent(staff, max_week_hours=20.0), [(1, "day"), (2, "day"), (4, "day")])


def test_two_shifts_within_it_pass(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan), one_agent(staff, max_week_hours=20.0), [(1, "day"), (4, "day")])
