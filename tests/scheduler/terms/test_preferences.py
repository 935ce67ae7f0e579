"""``preferences``: a night on the agent's preferred day off breaks two preferences (the day off and
the preferred day shift), a day shift on another day none; 15 yuan each."""

import datetime as dt

from term_faces import cpsat_price, frame_price

from scheduler.rules.terms import preferences as term

PATTERN = [("A01", 2, "night"), ("A01", 4, "day")]


def test_a_night_on_a_preferred_day_off_costs_30_yuan(small):
    plan, staff = small
    staff = staff.copy()
    staff.at[0, "prefer_off"], staff.at[0, "prefer_shift"] = frozenset({dt.date(2026, 11, 10)}), "day"
    assert frame_price(term, plan, staff, PATTERN) == 2 * 15
    assert cpsat_price(term, plan, staff, PATTERN) == 30
