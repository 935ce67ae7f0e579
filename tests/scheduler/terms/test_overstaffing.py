"""``overstaffing``: two agents above the requirement in one hour, 5 yuan each; an hour short costs nothing here."""

from term_faces import cpsat_hour_price, frame_price

from scheduler.rules.terms import overstaffing as term

HOURS = [("presale", 10, 3, 5, None), ("aftersale", 10, 2, 1, None)]


def test_two_agent_hours_over_cost_10_yuan(small):
    plan, _ = small
    assert frame_price(term, plan, hours=HOURS) == 2 * 5
    assert cpsat_hour_price(term, plan, HOURS) == 10
