"""``max_consecutive_nights``: with at most 2 nights in a row, three (through the eve) are refused;
two, a day shift, then a night pass; and with the key off the rule adds nothing."""

from ortools.sat.python import cp_model
from rule_faces import assert_accepted, assert_refused, cpsat_status, one_agent, with_rules

from scheduler.rules import max_consecutive_nights as rule

NIGHTS = [(0, "night"), (1, "night"), (2, "night")]


def test_three_nights_in_a_row_are_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan, max_consecutive_nights=2), one_agent(staff), NIGHTS)


def test_the_middle_night_added_last_is_refused(small):
    plan, staff = small
    assert_refused(rule, with_rules(plan, max_consecutive_nights=2), one_agent(staff), [NIGHTS[0], NIGHTS[2], NIGHTS[1]])


def test_a_break_in_the_run_passes(small):
    plan, staff = small
    assert_accepted(rule, with_rules(plan, max_consecutive_nights=2), one_agent(staff),
                    [(0, "night"), (1, "night"), (2, "day"), (3, "night")])


def test_off_by_default_adds_no_constraint(small):
    plan, staff = small
    assert plan.rules.max_consecutive_nights is None
    model = cp_model.CpModel()
    rule.constrain(model, None, plan)
    assert len(model.proto.constraints) == 0
    assert_accepted(rule, plan, one_agent(staff), NIGHTS + [(3, "night"), (4, "night")])
    assert cpsat_status(rule, plan, one_agent(staff), NIGHTS) == cp_model.OPTIMAL
