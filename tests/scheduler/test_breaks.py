"""The final break search (``scheduler.roster.search.breaks``): a local optimum over single break moves,
priced exactly, under every hard rule; and the movable-break count (``scheduler.check.movable``)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from scheduler.check.checker import check_rules, coverage
from scheduler.check.movable import movable_breaks
from scheduler.plan.money import COST_SCALE
from scheduler.roster.model import RosterModel
from scheduler.roster.search.breaks import BreakSearch, chosen_of, place_breaks
from scheduler.roster.search.first import first_roster
from scheduler.roster.search.greedy import greedy_flows


@pytest.fixture(scope="module")
def small(solved_small):
    """The small plan with its requirements cut to 30 %: some break hours short, some over (in the
    plan as written every hour is short, so every break move costs the same)."""
    plan, staff, req, flags, _ = solved_small
    return plan, staff, req.assign(scheduled=(req["scheduled"] * 0.3).round()), flags


@pytest.fixture(scope="module")
def full(small):
    return RosterModel(*small)


def _price(full, chosen: dict) -> float:
    return first_roster(full, chosen, greedy_flows(full, chosen), 0.0, 0.0).objective


def _worst_breaks(full, chosen: dict) -> dict:
    """Every break moved to the start of its window that costs most, one shift at a time."""
    search = BreakSearch(full, chosen, 10**6)
    for key in sorted(search.chosen):
        options = search.alternatives(key)
        if options:
            search.chosen[key] = max(options, key=lambda o: (search.delta(key, o)[1], o))
    return search.chosen


@pytest.fixture(scope="module")
def moved(full, solved_small):
    """A roster with badly placed breaks, and the break search's result from it."""
    chosen = _worst_breaks(full, chosen_of(full, solved_small[4].roster))
    bad = first_roster(full, chosen, greedy_flows(full, chosen), 0.0, 0.0)
    return bad, place_breaks(full, bad)


def test_a_move_is_priced_as_the_checker_prices_the_roster(full, solved_small):
    chosen = chosen_of(full, solved_small[4].roster)
    base, search = _price(full, chosen), BreakSearch(full, chosen, 10**6)
    key = next(k for k in sorted(chosen) if search.alternatives(k))
    for o in search.alternatives(key):
        assert _price(full, {**chosen, key: o}) - base == pytest.approx(search.delta(key, o)[1] / COST_SCALE)


def test_the_search_lowers_the_objective_and_keeps_the_rules(moved, small):
    plan, staff = small[:2]
    bad, result = moved
    assert result.objective < bad.objective
    assert check_rules(plan, staff, result.roster, result.assignments) == []
    assert result.roster[["agent_id", "date", "shift"]].equals(bad.roster[["agent_id", "date", "shift"]])


def test_no_single_break_move_lowers_the_objective(full, moved):
    result = moved[1]
    chosen = chosen_of(full, result.roster)
    assert _price(full, chosen) == pytest.approx(result.objective)
    search = BreakSearch(full, chosen, 10**6)
    for key in sorted(chosen):
        for o in search.alternatives(key):
            assert _price(full, {**chosen, key: o}) >= result.objective - 1e-6, key


def test_the_solved_roster_never_rises(full, solved_small):
    chosen = chosen_of(full, solved_small[4].roster)
    result = first_roster(full, chosen, greedy_flows(full, chosen), 0.0, 0.0)
    again = place_breaks(full, result)
    assert again.objective <= result.objective
    off = place_breaks(full, result, moves_max=0)
    assert off is result


def test_status_bound_and_interrupted_are_kept(full, moved):
    bad = dataclasses.replace(moved[0], status="OPTIMAL", bound=123.0, interrupted=True, floor={"agent_hours_below": 0, "proven_fewest": False})
    result = place_breaks(full, bad)
    assert (result.status, result.bound, result.interrupted) == ("OPTIMAL", 123.0, True)
    assert result.floor["proven_fewest"] is False


def test_movable_breaks_follow_the_definition(solved_small):
    plan, staff, req, flags, _ = solved_small
    t0 = pd.Timestamp(plan.start)
    lunch = next(t for t in plan.shifts.values() if len(t.break_starts()) > 1)
    q = next(iter(plan.queues))
    start = t0 + pd.Timedelta(hours=lunch.start_hour)
    b, other = (start + pd.Timedelta(hours=k) for k in lunch.break_starts()[:2])
    roster = pd.DataFrame([("x", lunch.name, start, b)], columns=["agent_id", "shift", "start", "break_start"])
    people = pd.DataFrame([("x", (q,))], columns=["agent_id", "skills"])
    work = pd.DataFrame([("x", other, q), ("x", b, "break")], columns=["agent_id", "ds", "queue"])
    cov = lambda at_b, at_other: pd.DataFrame([(q, b, 2, at_b), (q, other, 2, at_other)],  # noqa: E731
                                               columns=["queue", "ds", "required", "scheduled"])
    assert len(movable_breaks(plan, people, roster, work, cov(1, 3))) == 1
    assert len(movable_breaks(plan, people, roster, work, cov(1, 2))) == 0  # the other hour is not over
    assert len(movable_breaks(plan, people, roster, work, cov(2, 3))) == 0  # the break's hour is not short


def test_the_search_leaves_fewer_movable_breaks(moved, small):
    plan, staff, req, flags = small
    bad, result = moved
    counts = [len(movable_breaks(plan, staff, r.roster, r.assignments, coverage(plan, req, r.assignments, flags)))
              for r in (bad, result)]
    assert counts[1] < counts[0]
