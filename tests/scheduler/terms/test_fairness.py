"""``fairness``: two nights for one full-timer (the others none: 2 x 20 yuan), its 16 paid hours
against none (16 x 1) and a part-timer's 5 hours against none (5 x 1)."""

from term_faces import cpsat_price, frame_price, frame_rows

from scheduler.rules.terms import fairness as term

PATTERN = [("A01", 1, "night"), ("A01", 2, "night"), ("A09", 1, "pt_evening")]


def test_spreads_cost_61_yuan(small):
    plan, staff = small
    assert frame_price(term, plan, staff, PATTERN) == 2 * 20 + 16 + 5
    assert [(r.rule, r.amount) for r in frame_rows(term, plan, staff, PATTERN)] == [
        ("fairness_nights", 2), ("fairness_hours", 16), ("fairness_hours", 5)]
    assert cpsat_price(term, plan, staff, PATTERN) == 61
