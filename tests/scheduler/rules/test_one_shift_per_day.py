"""``one_shift_per_day``: two shifts on one day are refused by every face; shifts on separate days pass."""

from rule_faces import assert_accepted, assert_refused, one_agent, with_rules

from scheduler.rules import one_shift_per_day as rule


def test_two_shifts_on_one_day_are_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan), one_agent(staff), [(1, "day"), (1, "night")])


def test_one_shift_a_day_passes(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan), one_agent(staff), [(1, "day"), (2, "day")])
