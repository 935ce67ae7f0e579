"""``below_target``: three agents short on presale (``floor_cost`` 300 yuan); aftersale, with no
floor cost, short for nothing."""

from term_faces import cpsat_hour_price, frame_price

from scheduler.rules.terms import below_target as term

HOURS = [("presale", 10, 4, 1, None), ("aftersale", 10, 3, 0, None), ("presale", 11, 2, 2, None)]


def test_three_agent_hours_below_cost_900_yuan(small):
    plan, _ = small
    assert frame_price(term, plan, hours=HOURS) == 3 * 300
    assert cpsat_hour_price(term, plan, HOURS) == 900
