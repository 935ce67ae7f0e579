"""The final local search (``scheduler.roster.search.moves``): moves priced as the checker prices the
roster, the rules kept, and at its end no single move of its kinds (nor a queue-hour move) lowers
the objective: every one is tried, priced by the checker."""

from __future__ import annotations

import dataclasses

import pytest

from scheduler.check.checker import check_rules, cost_breakdown, coverage
from scheduler.check.movable import movable_breaks
from scheduler.plan.money import COST_SCALE
from scheduler.roster.model import RosterModel
from scheduler.roster.search.hours import chosen_of
from scheduler.roster.search.first import first_roster
from scheduler.roster.search.greedy import greedy_flows
from scheduler.roster.search.moves import REST, MoveSearch, local_search
from test_breaks import break_options


@pytest.fixture(scope="module")
def small(solved_small):
    """The small plan with its requirements cut to 30 %: hours short and hours over."""
    plan, staff, req, flags, _ = solved_small
    return plan, staff, req.assign(scheduled=(req["scheduled"] * 0.3).round()), flags


@pytest.fixture(scope="module")
def full(small):
    return RosterModel(*small)


def _roster(full, chosen: dict):
    return first_roster(full, chosen, greedy_flows(full, chosen), 0.0, 0.0)


def _spoiled(full, chosen: dict) -> dict:
    """Every break moved to its costliest start, and each agent's first shift to its costliest option."""
    search = MoveSearch(full, chosen, 10**6)
    search._index_tallies()
    for key in sorted(chosen):
        if options := break_options(full, search.chosen, key):
            search.take(key[1], {key[0]: max(options, key=lambda o: (search.price(key[1], {key[0]: o})[1], o))})
    out = dict(search.chosen)
    for a in range(len(full.agents)):
        key = min((k for k in out if k[0] == a), default=None)
        if key is not None:
            out[key] = max(o for o, _ in full.agents[a].by_day[key[1]])
    return out


@pytest.fixture(scope="module")
def searched(full, small, solved_small):
    """A roster made worse on purpose (rules still kept), and the local search's result from it."""
    plan, staff = small[:2]
    bad = _roster(full, _spoiled(full, chosen_of(full, solved_small[4].roster)))
    if check_rules(plan, staff, bad.roster, bad.assignments):  # the spoiled options broke a rule: breaks only
        bad = _roster(full, chosen_of(full, solved_small[4].roster))
    return bad, local_search(full, bad)


def _moves(full, chosen: dict):
    """Every single template change (working that day) and every swap or transfer of a day's shifts."""
    n_agents, n_days = len(full.agents), len(full.days)
    allowed = [[{o for o, _ in day} for day in shifts.by_day] for shifts in full.agents]
    for (a, d), o in sorted(chosen.items()):
        for other in sorted(allowed[a][d] - {o}):
            yield {**chosen, (a, d): other}
    for d in range(n_days):
        for a in range(n_agents):
            for b in range(a + 1, n_agents):
                oa, ob = chosen.get((a, d), REST), chosen.get((b, d), REST)
                if oa == ob or (oa >= 0 and oa not in allowed[b][d]) or (ob >= 0 and ob not in allowed[a][d]):
                    continue
                new = {k: v for k, v in chosen.items() if k not in ((a, d), (b, d))}
                new.update({(a, d): ob} if ob >= 0 else {})
                new.update({(b, d): oa} if oa >= 0 else {})
                yield new


def test_a_move_is_priced_as_the_checker_prices_the_roster(full, searched):
    bad = searched[0]
    chosen = chosen_of(full, bad.roster)
    search = MoveSearch(full, chosen, 10**6)
    search._index_tallies()
    tried = 0
    for d in range(len(full.days)):
        for a in range(len(full.agents)):
            for new in [*search.template_moves(a, d), *search.swap_moves(a, d)][:3]:
                priced = search.price(d, new)
                if priced is None:
                    continue
                moved = {k: v for k, v in chosen.items() if not (k[1] == d and k[0] in new)}
                moved.update({(b, d): o for b, o in new.items() if o >= 0})
                assert _roster(full, moved).objective - bad.objective == pytest.approx(priced[1] / COST_SCALE, abs=1e-6), (d, new)
                tried += 1
    assert tried > 50


def test_the_search_lowers_the_objective_and_keeps_the_rules(searched, small):
    plan, staff = small[:2]
    bad, result = searched
    assert result.objective < bad.objective
    assert check_rules(plan, staff, result.roster, result.assignments) == []


def test_no_single_move_lowers_the_objective(full, searched, small):
    """Every template change, swap and transfer, priced by the checker: none that keeps the rules is cheaper."""
    plan, staff = small[:2]
    result = searched[1]
    chosen = chosen_of(full, result.roster)
    assert _roster(full, chosen).objective == pytest.approx(result.objective)
    tried = 0
    for moved in _moves(full, chosen):
        tried += 1
        other = _roster(full, moved)
        if other.objective < result.objective - 1e-6:
            assert check_rules(plan, staff, other.roster, other.assignments), sorted(set(moved.items()) ^ set(chosen.items()))
    assert tried > 200


def test_no_queue_hour_move_lowers_the_objective(full, searched, small):
    """A multi-skilled agent's hour on another of its queues: never cheaper than the split found."""
    plan, staff, req, flags = small
    result = searched[1]
    skills = dict(zip(staff["agent_id"], staff["skills"]))
    served = result.assignments[result.assignments["queue"] != "break"]
    tried = 0
    for i in served.index[served["agent_id"].map(lambda a: len(skills[a]) > 1)]:
        for q in skills[served.at[i, "agent_id"]]:
            if q == served.at[i, "queue"]:
                continue
            moved = result.assignments.copy()
            moved.at[i, "queue"] = q
            cov = coverage(plan, req, moved, flags)
            assert cost_breakdown(plan, staff, result.roster, cov, full.curves)["cost"].sum() >= result.objective - 1e-6
            tried += 1
    assert tried > 20


def test_status_bound_and_interrupted_are_kept(full, searched):
    bad = dataclasses.replace(searched[0], status="OPTIMAL", bound=123.0, interrupted=True,
                              floor={"agent_hours_below": 0, "proven_fewest": False})
    result = local_search(full, bad)
    assert (result.status, result.bound, result.interrupted) == ("OPTIMAL", 123.0, True)
    assert result.floor["proven_fewest"] is False
    assert local_search(full, bad, moves_max=0) is bad


def test_the_search_leaves_fewer_movable_breaks(searched, small):
    plan, staff, req, flags = small
    counts = [len(movable_breaks(plan, staff, r.roster, r.assignments, coverage(plan, req, r.assignments, flags)))
              for r in searched]
    assert counts[1] < counts[0]
