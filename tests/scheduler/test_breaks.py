"""Break moves priced by the hours they change (``scheduler.roster.search.hours`` through the local
search's ``price``), as the checker prices the roster; and the movable-break count (``scheduler.check.movable``)."""

from __future__ import annotations

import pandas as pd
import pytest

from scheduler.check.movable import movable_breaks
from scheduler.plan.money import COST_SCALE
from scheduler.roster.model import RosterModel
from scheduler.roster.search.hours import chosen_of
from scheduler.roster.search.moves import MoveSearch
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


def break_options(full, chosen: dict, key: tuple) -> list[int]:
    """Every other option of shift ``key``'s template (another break start) the agent may take that day."""
    template = full.opts[chosen[key]].template
    allowed = {o for o, _ in full.agents[key[0]].by_day[key[1]]}
    return [o for o, opt in enumerate(full.opts) if opt.template is template and o != chosen[key] and o in allowed]


def test_a_move_is_priced_as_the_checker_prices_the_roster(full, solved_small):
    chosen = chosen_of(full, solved_small[4].roster)
    base, search = _price(full, chosen), MoveSearch(full, chosen, 10**6)
    search._index_tallies()
    key = next(k for k in sorted(chosen) if break_options(full, chosen, k))
    for o in break_options(full, chosen, key):
        assert _price(full, {**chosen, key: o}) - base == pytest.approx(search.price(key[1], {key[0]: o})[1] / COST_SCALE)


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
