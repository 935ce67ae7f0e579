"""``max_consecutive_days``: four days in a row (three allowed) are refused; three pass."""

from rule_faces import assert_accepted, assert_refused, one_agent, with_rules

from scheduler.rules import max_consecutive_days as rule


def test_four_days_in_a_row_are_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan), one_agent(staff), [(d, "day") for d in (1, 2, 3, 4)])


def test_three_in_a_row_pass(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan), one_agent(staff), [(2, "day"), (3, "day"), (4, "day")])


def test_a_run_through_the_eve_counts(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan), one_agent(staff), [(0, "night"), (1, "night"), (2, "day"), (3, "day")])
