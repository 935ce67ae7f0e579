"""``wages``: three 8-hour day shifts of a 30-yuan full-timer (one past its two contract days in the
4-day block, paid the rest-day premium of 8 h x 30) and a part-timer's 5-hour evening at 24 yuan."""

from term_faces import cpsat_price, frame_price, frame_rows

from scheduler.rules.terms import wages as term

PATTERN = [("A01", 1, "day"), ("A01", 2, "day"), ("A01", 3, "day"), ("A09", 1, "pt_evening")]


def test_wages_and_a_rest_day_cost_1080_yuan(small):
    plan, staff = small
    assert frame_price(term, plan, staff, PATTERN) == 3 * 8 * 30 + 8 * 30 + 5 * 24 == 1080
    assert [(r.rule, r.amount) for r in frame_rows(term, plan, staff, PATTERN)] == [("wages", 29), ("rest_day_work", 1)]
    assert cpsat_price(term, plan, staff, PATTERN) == 1080
