"""``max_nights``: three nights in 7 days (two allowed) are refused, and two nights where one is
allowed over the plan; two nights pass."""

from rule_faces import assert_accepted, assert_refused, one_agent, with_rules

from scheduler.rules import max_nights as rule


def test_three_nights_in_seven_days_are_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan), one_agent(staff), [(1, "night"), (2, "night"), (4, "night")])


def test_nights_past_the_plan_total_are_refused(small):
    plan, staff = small
    one_night = with_rules(with_rules(plan), max_nights=1, max_nights_per_7_days=7)
    assert_refused(rule, one_night, one_agent(staff), [(1, "night"), (4, "night")])


def test_two_nights_pass(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan), one_agent(staff), [(1, "night"), (2, "night"), (3, "day")])
