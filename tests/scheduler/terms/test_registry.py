"""``SOFT_TERMS``: every term has all its faces, and ``ROW_ORDER`` places each of its rows' rules once."""

from scheduler.rules.terms import ROW_ORDER, SOFT_TERMS


def test_every_term_has_its_faces_and_its_rows_a_place():
    for term in SOFT_TERMS:
        assert term.SCOPE in ("agent", "hour", "plan") and callable(term.constrain) and callable(term.price)
        assert term.relax is None or term.SCOPE == "agent"
    rules = [rule for section in ROW_ORDER for rule in section]
    assert sorted(rules) == sorted(rule for term in SOFT_TERMS for rule in term.RULES)
