"""``min_rest``: a day shift the morning after a night (6 h rest, 11 h asked) is refused; day after day passes."""

from rule_faces import assert_accepted, assert_refused, one_agent, with_rules

from scheduler.rules import min_rest as rule


def test_day_the_morning_after_a_night_is_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan), one_agent(staff), [(1, "night"), (2, "day")])


def test_day_shifts_on_following_days_pass(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan), one_agent(staff), [(1, "day"), (2, "day"), (3, "night")])
