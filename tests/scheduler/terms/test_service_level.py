"""``service_level``: a loss curve ``2 + 15 max(0, 4 - c) + 30 max(0, 2 - c)`` yuan; one agent
costs 2 + 45 + 30 yuan, five agents its constant 2; an hour with no curve nothing."""

import pytest
from term_faces import cpsat_hour_price, frame_price, frame_rows

from scheduler.staffing.curves import LossCurve
from scheduler.rules.terms import service_level as term

CURVE = LossCurve(const=20, tiers=((4, 150), (2, 300)), unit_cost=15.0)  # objective units, 10 a yuan
HOURS = [("presale", 10, 4, 1, CURVE), ("presale", 11, 4, 5, CURVE), ("reminder", 10, 2, 0, None)]


def test_late_chats_cost_79_yuan(small):
    plan, _ = small
    assert frame_price(term, plan, hours=HOURS) == 77 + 2
    rows = frame_rows(term, plan, hours=HOURS)
    assert [r.unit for r in rows] == ["late chats"] * 2 and rows[0].amount == pytest.approx(77 / 15, abs=1e-3)
    assert cpsat_hour_price(term, plan, HOURS) == 79
