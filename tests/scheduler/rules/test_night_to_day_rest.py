"""``night_to_day_rest``: with two days off asked between nights and days, a day shift two days
after a night is refused; with one asked, it passes."""

from rule_faces import assert_accepted, assert_refused, one_agent, with_rules

from scheduler.rules import night_to_day_rest as rule

PATTERN = [(1, "night"), (3, "day")]


def test_one_day_off_when_two_are_asked_is_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(with_rules(plan), night_to_day_days_off=2), one_agent(staff), PATTERN)


def test_the_day_shift_first_is_refused_too(small):
    plan, staff = small
    assert_refused(rule, with_rules(with_rules(plan), night_to_day_days_off=2), one_agent(staff), PATTERN[::-1])


def test_one_day_off_when_one_is_asked_passes(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan), one_agent(staff), PATTERN + [(4, "day")])
