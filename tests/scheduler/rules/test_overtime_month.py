"""``overtime_month``: a full-time agent (40 h contract: 2 base days in the plan's 4) working 4 days
has 2 rest days, 16 h of overtime, past the 8 allowed; 3 days pass, and a part-time agent (no
overtime) is never refused."""

from rule_faces import assert_accepted, assert_refused, one_agent, with_rules

from scheduler.rules import overtime_month as rule


def test_two_rest_days_past_8_hours_are_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan), one_agent(staff), [(d, "day") for d in (1, 2, 3, 4)])


def test_one_rest_day_passes(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan), one_agent(staff), [(1, "day"), (2, "day"), (4, "night")])


def test_an_agent_without_overtime_passes(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan), one_agent(staff, "A09"), [(d, "pt_evening") for d in (1, 2, 3, 4)])
